"""Backtest: what the bot would have done on past announcement days, had it run on the list as
it was. Pure computation over parsed lists and papers; commands.py reads the files.

The announcement days are split into folds; for each fold a model learns from the list as it was
and the papers of the other folds' days (the background), and scores the fold's days, so no day
is scored by a model that saw it. The papers the maintainer added to the list later, among
those days, say what it found and what it missed; proposals per day say how much reviewing it
would have asked for (later additions are a lower bound of what a maintainer wanted: nobody adds
every paper, so a proposal not added is not necessarily a mistake).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from .fitting import Example
from .listfile import ListDocument, heading_key
from .paper import Paper
from .scoring import Scored
from .titles import TitleIndex

# fit(examples) -> a scorer of papers
Fit = Callable[[Sequence[Example]], Callable[[Sequence[Paper]], list[Scored]]]


@dataclass(frozen=True)
class Found:
    """A paper the maintainer added later, and what the bot made of it on its day."""

    arxiv_id: str
    title: str
    day: str
    heading: str  # where the maintainer put it
    proposed: bool
    rank: int  # 1 = the day's best-scored paper
    of: int  # papers scored that day
    relevance: float
    bot_heading: str
    runner_up: str


@dataclass
class Backtest:
    days: list[str] = field(default_factory=list)
    proposals_per_day: dict[str, int] = field(default_factory=dict)
    scored_per_day: dict[str, int] = field(default_factory=dict)
    added: list[Found] = field(default_factory=list)
    headings: tuple[str, ...] = ()  # the old list's: the only ones its models can choose

    def comparable(self) -> list[Found]:
        """The proposed papers the maintainer filed under a heading the old list already had."""
        known = {heading_key(h) for h in self.headings}
        return [f for f in self.added if f.proposed and (not known or heading_key(f.heading) in known)]

    @property
    def recall(self) -> float | None:
        return sum(f.proposed for f in self.added) / len(self.added) if self.added else None

    @property
    def heading_agreement(self) -> tuple[float, float] | None:
        """Of the added papers it proposed: the share whose heading (or runner-up) was the maintainer's."""
        hits = self.comparable()
        if not hits:
            return None
        top1 = sum(heading_key(f.bot_heading) == heading_key(f.heading) for f in hits) / len(hits)
        top2 = sum(heading_key(f.heading) in (heading_key(f.bot_heading), heading_key(f.runner_up)) for f in hits)
        return top1, top2 / len(hits)

    def to_json(self) -> dict[str, Any]:
        agreement = self.heading_agreement
        counts = list(self.proposals_per_day.values())
        return {
            "days": self.days,
            "proposals_per_day": self.proposals_per_day,
            "mean_proposals_per_day": sum(counts) / len(counts) if counts else 0.0,
            "added_later": len(self.added),
            "added_later_proposed": sum(f.proposed for f in self.added),
            "recall_of_added": self.recall,
            "heading_top1": agreement[0] if agreement else None,
            "heading_top2": agreement[1] if agreement else None,
            "added": [f.__dict__ for f in self.added],
        }

    def describe(self) -> list[str]:
        counts = list(self.proposals_per_day.values())
        out = [
            f"backtest over {len(self.days)} announcement days ({self.days[0]} to {self.days[-1]})"
            if self.days
            else "backtest: no announcement days"
        ]
        if counts:
            out.append(
                f"  proposals per day: mean {sum(counts) / len(counts):.1f}, median {median(counts):g}, "
                f"most {max(counts)} (of about {median(self.scored_per_day.values()):.0f} papers scored a day)"
            )
        if not self.added:
            out.append("  none of these days' papers was added to the list later: no recall to report")
            return out
        hit = sum(f.proposed for f in self.added)
        out.append(
            f"  papers the maintainer added later: {len(self.added)}; it would have proposed {hit} "
            f"({hit / len(self.added):.0%})"
        )
        if (agreement := self.heading_agreement) is not None:
            n = len(self.comparable())
            out.append(
                f"  heading as the maintainer filed them: {agreement[0]:.0%} first choice, {agreement[1]:.0%} "
                f"first or runner-up (of {n} filed under a heading the list had then)"
            )
        elif hit:
            out.append(
                "  heading: not comparable (the maintainer filed them under headings the list did not have then)"
            )
        for f in sorted(self.added, key=lambda f: (f.proposed, f.rank)):
            if not f.proposed:
                out.append(
                    f"  missed: arXiv:{f.arxiv_id} {f.title[:70]!r} ({f.day}): ranked {f.rank} of {f.of}, "
                    f"relevance {f.relevance:.2f}"
                )
        return out


def run(
    old: ListDocument,
    later: ListDocument,
    days: Mapping[str, Sequence[Paper]],
    *,
    list_examples: Sequence[Example],
    fit: Fit,
    folds: int = 5,
) -> Backtest:
    """Backtest the list `old` over `days` (day -> its papers); `later` is the list as the
    maintainer has it now, whose new entries are what the bot should have found."""
    listed_then = TitleIndex(old.listed())
    added_then = _added(old, later)
    ordered = sorted(days)
    groups = [ordered[i::folds] for i in range(min(folds, len(ordered)))]
    out = Backtest(days=ordered, headings=tuple(old.headings))
    for group in groups:
        background = [
            Example(p, 0, None, "background", day=d)
            for d in ordered
            if d not in group
            for p in days[d]
            if not listed_then.match(p.arxiv_id, p.title, p.doi)
        ]
        score = fit([*list_examples, *background])
        for d in group:
            fresh = [p for p in days[d] if not listed_then.match(p.arxiv_id, p.title, p.doi)]
            scored = score(fresh) if fresh else []
            ranked = sorted(scored, key=lambda s: -s.relevance)
            out.proposals_per_day[d] = sum(s.selected for s in scored)
            out.scored_per_day[d] = len(scored)
            for rank, s in enumerate(ranked, 1):
                heading = added_then.get(s.paper.arxiv_id)
                if heading is not None:
                    out.added.append(
                        Found(
                            s.paper.arxiv_id,
                            s.paper.title,
                            d,
                            heading,
                            s.selected,
                            rank,
                            len(ranked),
                            round(s.relevance, 4),
                            s.heading,
                            s.runner_up,
                        )
                    )
    out.proposals_per_day = dict(sorted(out.proposals_per_day.items()))
    return out


def _added(old: ListDocument, later: ListDocument) -> dict[str, str]:
    """arXiv id -> heading, for papers on the later list that the old one did not have."""
    before = TitleIndex(old.listed())
    out: dict[str, str] = {}
    for entry in later.target_entries:
        for arxiv_id in entry.arxiv_ids:
            if not before.match(arxiv_id, entry.title):
                out[arxiv_id] = entry.heading
    return out


def days_of(papers: Sequence[Paper]) -> dict[str, list[Paper]]:
    """Papers grouped by their announcement day (papers without one are left out)."""
    out: dict[str, list[Paper]] = defaultdict(list)
    for p in papers:
        if p.announced:
            out[p.announced.isoformat()].append(p)
    return dict(out)
