"""What one run did: counts, proposals, deliveries per target, notes, failures, timings. No I/O.

The CLI prints it (one summary line, or JSON), the job summary renders it as Markdown, and the
state database keeps its counts.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .errors import WatcherError
from .ports import VenueUpdate
from .scoring import Scored


@dataclass(frozen=True)
class StageFailure:
    step: str
    message: str


@dataclass
class TargetReport:
    """What one delivery target received this run."""

    label: str  # "pull request", "Slack"
    delivered: list[str] = field(default_factory=list)  # ids it now holds (sent, or found there)
    ref: str | None = None
    url: str | None = None


@dataclass
class RunReport:
    command: str
    dry_run: bool
    announced: date | None = None
    counts: Counter[str] = field(default_factory=Counter)
    proposals: list[Scored] = field(default_factory=list)  # selected today
    targets: dict[str, TargetReport] = field(default_factory=dict)  # in delivery order
    venue_updates: list[VenueUpdate] = field(default_factory=list)  # venues proposed for listed papers
    pr_url: str | None = None  # the pull request reviewers decide in
    model: str | None = None
    notes: list[str] = field(default_factory=list)
    failures: list[StageFailure] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = round(self.timings.get(stage, 0.0) + time.perf_counter() - started, 3)

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, step: str, exc: WatcherError | str) -> None:
        self.failures.append(StageFailure(step, exc if isinstance(exc, str) else exc.message))

    def target(self, name: str, label: str) -> TargetReport:
        return self.targets.setdefault(name, TargetReport(label))

    def summary_line(self) -> str:
        c = self.counts
        day = self.announced.isoformat() if self.announced else "no announcement day"
        kinds = "+".join(sorted(k[5:] for k in c if k.startswith("type:")))
        parts = [
            f"fetched {c['fetched']}",
            f"kept {c['kept']} ({kinds})" if c["kept"] else "kept 0",
            f"already listed {c['already_listed']}",
            f"already seen {c['already_seen']}",
            f"scored {c['scored']}",
            f"proposed {c['proposed']}",
        ]
        if c["carried_over"]:
            parts.append(f"carried over {c['carried_over']}")
        parts += [f"{t.label} {len(t.delivered)}" for t in self.targets.values()]
        if "venues_checked" in c:  # the weekly venue check ran
            parts.append(f"venue updates {len(self.venue_updates)} of {c['venues_checked']} listed papers")
        status = "dry run" if self.dry_run else ("ok" if self.ok else "FAILED")
        return f"{day}: " + " · ".join(parts) + f" [{status}]"

    def to_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "announced": self.announced.isoformat() if self.announced else None,
            "counts": dict(sorted(self.counts.items())),
            "model": self.model,
            "proposals": [s.to_json() for s in self.proposals],
            "targets": {
                name: {"label": t.label, "delivered": t.delivered, "ref": t.ref, "url": t.url}
                for name, t in self.targets.items()
            },
            "venue_updates": [
                {"arxiv_id": u.arxiv_id, "title": u.title, "venue": u.venue, "source": u.source}
                for u in self.venue_updates
            ],
            "pr_url": self.pr_url,
            "notes": self.notes,
            "failures": [{"step": f.step, "message": f.message} for f in self.failures],
            "timings": self.timings,
        }
