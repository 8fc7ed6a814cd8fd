"""One run of the bot, stage by stage, over adapters that are passed in. No client is built here.

list -> reconcile with GitHub/Slack -> fetch -> keep the configured announce types -> drop
papers already on the list or already handled -> score -> select -> record -> deliver.

Exactly once: a paper is recorded as "proposed" before any delivery, and each target (Slack,
GitHub) marks it delivered only after that delivery succeeded. A delivery that failed leaves
the paper pending for that target, and the next run delivers it. Papers found in the bot's
pull requests or Slack history count as handled even when the local state was lost.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from . import listfile
from .arxiv_calendar import HOLIDAYS, missing_days, submission_window
from .errors import ConfigError, UsageError, WatcherError
from .feeds import FeedBatch, announced_day, merge_papers
from .listfile import ListDocument
from .paper import Paper
from .scoring import Neighbour, Scored, Scorer
from .state import Decision, Feedback, State
from .titles import TitleIndex

# -- adapters the run is composed of -----------------------------------------------------


@dataclass(frozen=True)
class ListSnapshot:
    text: str
    where: str  # "models/seed-list.md" or "acme/papers:README.md@main"


class ListSource(Protocol):
    def read(self) -> ListSnapshot: ...


class FeedSource(Protocol):
    def fetch(self) -> list[FeedBatch]: ...


class ModelProvider(Protocol):
    def scorer(self, doc: ListDocument, state: State) -> Scorer: ...


@dataclass(frozen=True)
class Delivery:
    """What one target now holds: the ids delivered (new or found already there)."""

    ref: str  # Slack ts of the digest, or the pull request number
    delivered: frozenset[str]
    url: str | None = None
    error: str | None = None  # set when only part was delivered (the rest stays pending)


@dataclass(frozen=True)
class Reconciliation:
    """What GitHub says about earlier proposals, whatever the local state remembers."""

    proposed: frozenset[str] = frozenset()  # ids in any bot pull request (open or closed)
    feedback: tuple[Feedback, ...] = ()  # outcomes of closed bot pull requests
    open_pr_url: str | None = None


class Publisher(Protocol):
    target: str

    def reconcile(self) -> Reconciliation: ...

    def publish(self, items: Sequence[Scored], *, day: date | None) -> Delivery: ...


class Notifier(Protocol):
    target: str

    def posted_ids(self) -> frozenset[str]: ...

    def post(
        self, items: Sequence[Scored], *, day: date | None, pr_url: str | None, notes: Sequence[str]
    ) -> Delivery | None: ...


# -- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StageFailure:
    step: str
    message: str


@dataclass
class RunReport:
    command: str
    dry_run: bool
    announced: date | None = None
    counts: Counter[str] = field(default_factory=Counter)
    proposals: list[Scored] = field(default_factory=list)  # selected today
    delivered: dict[str, list[str]] = field(default_factory=dict)  # target -> ids
    pr_url: str | None = None
    slack_ts: str | None = None
    model: str | None = None
    notes: list[str] = field(default_factory=list)
    failures: list[StageFailure] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    def timed(self, stage: str, started: float) -> float:
        now = time.perf_counter()
        self.timings[stage] = round(self.timings.get(stage, 0.0) + now - started, 3)
        return now

    @property
    def ok(self) -> bool:
        return not self.failures

    def fail(self, step: str, exc: WatcherError) -> None:
        self.failures.append(StageFailure(step, exc.message))

    def summary_line(self) -> str:
        c = self.counts
        day = self.announced.isoformat() if self.announced else "no announcement day"
        parts = [
            f"fetched {c['fetched']}",
            f"kept {c['kept']} ({'+'.join(sorted(k[5:] for k in c if k.startswith('type:')))})"
            if c["kept"]
            else "kept 0",
            f"already listed {c['already_listed']}",
            f"already seen {c['already_seen']}",
            f"scored {c['scored']}",
            f"proposed {c['proposed']}",
        ]
        if c["carried_over"]:
            parts.append(f"carried over {c['carried_over']}")
        parts.append(f"posted {c['posted']}")
        parts.append(f"added to PR {c['pr_added']}")
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
            "delivered": self.delivered,
            "pr_url": self.pr_url,
            "slack_ts": self.slack_ts,
            "notes": self.notes,
            "failures": [{"step": f.step, "message": f.message} for f in self.failures],
            "timings": self.timings,
        }


# -- the run ------------------------------------------------------------------------------


@dataclass
class Run:
    """The adapters one run is composed of (built by the CLI, or by a test)."""

    list_source: ListSource
    feeds: FeedSource
    models: ModelProvider
    state: State
    notifier: Notifier | None = None
    publisher: Publisher | None = None
    announce_types: tuple[str, ...] = ("new", "cross")
    headings: tuple[str, ...] = ()  # headings the bot may file under; () = every heading
    dry_run: bool = False
    limit: int | None = None
    # Missed announcement days: `backfill(first, last)` gives a source for papers submitted on
    # those days (the arXiv API); with auto_backfill off the gap is only reported, loudly.
    backfill: Callable[[date, date], FeedSource] | None = None
    auto_backfill: bool = True
    max_backfill_days: int = 10
    holidays: frozenset[date] = HOLIDAYS  # days arXiv announces nothing (weekends aside)
    log: Callable[[str], None] = lambda line: None


def run_day(run: Run, command: str = "run") -> RunReport:
    """Run every stage; a failure before delivery stops the run, a delivery failure does not."""
    report = RunReport(command=command, dry_run=run.dry_run)
    run_id = None if run.dry_run else run.state.start_run(command)
    crashed = None
    try:
        _run_stages(run, report, run_id)
    except WatcherError as exc:
        report.fail("configuration", exc)
        raise
    except Exception as exc:  # a bug: the run is recorded as failed, the traceback goes to the caller
        crashed = f"crashed: {type(exc).__name__}"
        raise
    finally:
        if run_id is not None:
            run.state.finish_run(
                run_id,
                outcome="ok" if report.ok and crashed is None else "failed",
                counts=dict(report.counts),
                announced=report.announced,
                error="; ".join(f"{f.step}: {f.message}" for f in report.failures) or crashed,
            )
    return report


def _run_stages(run: Run, report: RunReport, run_id: int | None) -> None:
    step = "read list"
    clock = time.perf_counter()
    try:
        snapshot = run.list_source.read()
        doc = listfile.parse(snapshot.text)
        for heading in run.headings:
            if not doc.has_heading(heading):
                known = ", ".join(repr(h) for h in doc.headings) or "none"
                raise ConfigError(
                    f"list.headings: {heading!r} is not a heading of the list {snapshot.where} (headings: {known})"
                )
        index = TitleIndex(e.listed() for e in doc.entries)
        report.counts["list_entries"] = len(index)
        clock = report.timed(step, clock)

        step = "read review outcomes"
        recon = Reconciliation()
        if run.publisher is not None:
            try:
                recon = run.publisher.reconcile()
            except UsageError:
                raise
            except WatcherError as exc:
                # Go on without: Slack still gets its digest (its own history prevents repeats)
                # and the pull request is attempted (it checks the branch before adding).
                report.fail(step, exc)
        if recon.feedback and not run.dry_run:
            with run.state.transaction() as db:
                report.counts["feedback_recorded"] = run.state.record_feedback(db, recon.feedback)
        rejected = frozenset(
            {f.arxiv_id for f in run.state.feedback() if f.outcome == "rejected"}
            | {f.arxiv_id for f in recon.feedback if f.outcome == "rejected"}
        )
        posted = run.notifier.posted_ids() if run.notifier else frozenset()
        clock = report.timed(step, clock)

        step = "fetch arXiv"
        batches = run.feeds.fetch()
        _note_feed(report, batches)
        gap_closed = True
        step = "backfill missed days"
        try:
            batches = batches + _backfill_gap(run, report)
        except WatcherError as exc:  # today's papers still go out; the gap is retried next run
            report.fail(step, exc)
            gap_closed = False
        step = "fetch arXiv"
        papers = merge_papers(batches)
        report.counts["fetched"] = sum(len(b.papers) for b in batches)
        report.counts["unique"] = len(papers)

        step = "filter"
        fresh = _filter(run, report, papers, index, recon, rejected | posted)
        clock = report.timed("fetch arXiv", clock)

        step = "score"
        scorer = run.models.scorer(doc, run.state)
        report.model = scorer.model_id
        clock = report.timed("load model", clock)
        scored = scorer.score(fresh) if fresh else []
        clock = report.timed(step, clock)
        report.counts["scored"] = len(scored)
        scored = [_restrict(s, run.headings) for s in scored] if run.headings else scored
        report.proposals = sorted((s for s in scored if s.selected), key=lambda s: -s.relevance)
        report.counts["proposed"] = len(report.proposals)

        step = "record"
        if not run.dry_run:
            with run.state.transaction() as db:
                run.state.record(db, [_decision(s, scorer.model_id) for s in scored])
                for batch in batches:
                    if batch.etag and gap_closed:  # else a same-day re-run must see the day again
                        run.state.set_fact(db, f"etag:{batch.source}", batch.etag)
                last = run.state.fact("last_announced")
                if report.announced and gap_closed and (last is None or report.announced.isoformat() > last):
                    run.state.set_fact(db, "last_announced", report.announced.isoformat())
        clock = report.timed(step, clock)
    except UsageError:
        raise  # the config or command line points at something that is not there: exit 2
    except WatcherError as exc:
        report.fail(step, exc)
        return

    _deliver(run, report, run_id, recon, posted, rejected)
    report.timed("deliver", clock)


def _note_feed(report: RunReport, batches: Sequence[FeedBatch]) -> None:
    report.announced = announced_day(batches)
    if batches and all(b.not_modified for b in batches):
        report.notes.append("the arXiv feed has not changed since the last run (HTTP 304)")
    elif not any(b.papers for b in batches):
        day = report.announced.isoformat() if report.announced else "this day"
        report.notes.append(f"arXiv announced nothing on {day}")


def _backfill_gap(run: Run, report: RunReport) -> list[FeedBatch]:
    """Papers of announcement days missed since the last run (none when nothing was missed)."""
    last = run.state.fact("last_announced")
    if report.announced is None or last is None:
        return []
    missed = missing_days(date.fromisoformat(last), report.announced, run.holidays)
    if not missed:
        return []
    names = ", ".join(d.isoformat() for d in missed)
    report.counts["missed_days"] = len(missed)
    if run.backfill is None or not run.auto_backfill:
        report.notes.append(
            f"MISSED {len(missed)} announcement day(s) since the last run ({names}): "
            f"run `watcher backfill --since {missed[0].isoformat()}`"
        )
        return []
    days = missed[-run.max_backfill_days :] if run.max_backfill_days else []
    if len(days) < len(missed):
        since = missed[0].isoformat()
        report.notes.append(
            f"MISSED {len(missed) - len(days)} announcement day(s) beyond backfill.max_days "
            f"({since} onwards): run `watcher backfill --since {since}`"
        )
    if not days:
        return []
    first, last_day = submission_window(days)
    batches = run.backfill(first, last_day).fetch()
    report.counts["backfilled"] = sum(len(b.papers) for b in batches)
    report.notes.append(
        f"backfilled {len(days)} missed announcement day(s) from the arXiv API "
        f"({', '.join(d.isoformat() for d in days)})"
    )
    return batches


def _filter(
    run: Run,
    report: RunReport,
    papers: Sequence[Paper],
    index: TitleIndex,
    recon: Reconciliation,
    handled: frozenset[str],
) -> list[Paper]:
    kept = []
    for paper in papers:
        report.counts[f"type:{paper.announce_type or 'unknown'}"] += 1
        if paper.announce_type and paper.announce_type not in run.announce_types:
            report.counts["skipped_type"] += 1
        else:
            kept.append(paper)
    for key in [k for k in report.counts if k.startswith("type:")]:
        if key[5:] not in run.announce_types and key != "type:unknown":
            del report.counts[key]
    report.counts["kept"] = len(kept)

    known = run.state.known(p.arxiv_id for p in kept)
    fresh = []
    for paper in kept:
        if index.match(paper.arxiv_id, paper.title):
            report.counts["already_listed"] += 1
        elif paper.arxiv_id in known or paper.arxiv_id in handled:  # rejected, or posted to Slack
            report.counts["already_seen"] += 1
        elif paper.arxiv_id in recon.proposed:
            report.counts["already_seen"] += 1  # state lost, but GitHub remembers
        else:
            fresh.append(paper)
    return fresh


def _restrict(s: Scored, headings: Sequence[str]) -> Scored:
    """Keep only the configured headings (when the config narrows them)."""
    allowed = {listfile.heading_key(h) for h in headings}
    scores = {h: p for h, p in s.heading_scores.items() if listfile.heading_key(h) in allowed}
    if not scores:
        return s
    ranked = sorted(scores, key=lambda h: -scores[h])
    runner = ranked[1] if len(ranked) > 1 else ranked[0]
    return Scored(s.paper, s.relevance, s.selected, ranked[0], runner, scores, s.nearest, s.terms)


def _decision(s: Scored, model: str) -> Decision:
    return Decision(
        paper=s.paper,
        decision="proposed" if s.selected else "below_threshold",
        relevance=s.relevance,
        heading=s.heading,
        runner_up=s.runner_up,
        heading_scores=dict(s.heading_scores),
        reasons={"nearest": [[n.title, n.heading, n.similarity] for n in s.nearest], "terms": list(s.terms)},
        model=model,
    )


def scored_from(d: Decision) -> Scored:
    """A stored proposal back as a Scored, for delivery on a later run."""
    reasons = d.reasons or {}
    return Scored(
        paper=d.paper,
        relevance=d.relevance or 0.0,
        selected=d.decision == "proposed",
        heading=d.heading or "",
        runner_up=d.runner_up or "",
        heading_scores=d.heading_scores or {},
        nearest=tuple(Neighbour(t, h, s) for t, h, s in reasons.get("nearest", [])),
        terms=tuple(reasons.get("terms", [])),
    )


def _pending(run: Run, report: RunReport, target: str, rejected: frozenset[str]) -> list[Scored]:
    """What `target` still has to receive: earlier proposals it missed (unless a reviewer has
    rejected them meanwhile), then today's."""
    today = {s.paper.arxiv_id for s in report.proposals}
    stored = [scored_from(d) for d in run.state.pending(target) if d.paper.arxiv_id not in rejected]
    earlier = [s for s in stored if s.paper.arxiv_id not in today]
    if run.dry_run:
        items = earlier + list(report.proposals)
    else:
        items = earlier + sorted((s for s in stored if s.paper.arxiv_id in today), key=lambda s: -s.relevance)
    report.counts["carried_over"] = max(report.counts["carried_over"], len(earlier))
    return items[: run.limit] if run.limit is not None else items


def _deliver(
    run: Run,
    report: RunReport,
    run_id: int | None,
    recon: Reconciliation,
    posted: frozenset[str],
    rejected: frozenset[str],
) -> None:
    report.pr_url = recon.open_pr_url
    if run.publisher is not None:
        items = _pending(run, report, run.publisher.target, rejected)
        if items:
            try:
                done = run.publisher.publish(items, day=report.announced)
            except WatcherError as exc:
                report.fail("deliver", exc)
            else:
                report.pr_url = done.url or report.pr_url
                _mark(run, report, done, run_id, "github")
    if run.notifier is not None:
        items = _pending(run, report, run.notifier.target, rejected)
        already = [s.paper.arxiv_id for s in items if s.paper.arxiv_id in posted]
        if already:  # posted by a run that died before it could record the post
            _mark(run, report, Delivery(ref="found in channel history", delivered=frozenset(already)), run_id, "slack")
            items = [s for s in items if s.paper.arxiv_id not in posted]
        # "No new papers" (slack.post_empty) is said once per announcement day, like any digest,
        # and not at all when the feed did not change (HTTP 304: no day to speak of).
        empty_key = f"empty_digest:{report.announced.isoformat() if report.announced else ''}"
        if items or (report.announced and not run.state.fact(empty_key)):
            try:
                done_post = run.notifier.post(items, day=report.announced, pr_url=report.pr_url, notes=report.notes)
            except WatcherError as exc:
                report.fail("deliver", exc)
            else:
                if done_post is not None:
                    report.slack_ts = done_post.ref
                    _mark(run, report, done_post, run_id, "slack")
                    if not items and not run.dry_run:
                        with run.state.transaction() as db:
                            run.state.set_fact(db, empty_key, done_post.ref)


_COUNTER = {"github": "pr_added", "slack": "posted"}


def _mark(run: Run, report: RunReport, done: Delivery, run_id: int | None, target: str) -> None:
    """Record a (possibly partial) delivery: only what the target confirmed counts."""
    report.delivered[target] = sorted(set(report.delivered.get(target, [])) | done.delivered)
    report.counts[_COUNTER[target]] += len(done.delivered)
    if done.error:
        report.failures.append(StageFailure("deliver", done.error))
    if run.dry_run or not done.delivered:
        return
    with run.state.transaction() as db:
        run.state.mark_delivered(db, done.delivered, target=target, ref=done.ref, run_id=run_id)
