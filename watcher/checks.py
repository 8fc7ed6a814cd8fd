"""What training checks about the model it built, before anyone relies on it. Pure: no I/O.

A model can be built and still be useless: a threshold so low it proposes most of a day, scores
that are the same for every paper, a list its model cannot tell from the background, headings
with nothing to learn from. Each check looks at held-out list entries and held-out background
papers (scored by models that did not see them) and says what is wrong and how to fix it. An
error means the model is not written (and a daily run refuses a model whose card records one);
a warning is printed loudly and kept in the card.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sklearn.metrics import roc_auc_score

MIN_POSITIVES = 10
MIN_WITH_ABSTRACT = 20
MIN_SEPARATION = 0.75  # the chance a held-out list entry outscores a held-out background paper (random: 0.5)
MOST_OF_A_DAY = 0.3  # proposing this share of a day's papers is no filter at all
VOLUME_FACTOR = 10.0  # proposals a day this many times the list's own growth (or a tenth of it)
NOISY_SHARE = 0.1  # ... and this share of a day's papers: no longer a warning but an error
FLOOD_FACTOR = 100.0  # ... or this many times the list's growth, whatever the share: an error too
_ID = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")


@dataclass(frozen=True)
class Heldout:
    """Out-of-fold relevance scores: of list entries (and accepted papers), and of background
    papers (or rejected ones), with whether each background paper passed the gate."""

    positives: np.ndarray
    background: np.ndarray
    background_passes: np.ndarray
    stream: np.ndarray  # papers as a day brings them: the background, or every reviewed paper
    stream_days: np.ndarray  # the announcement day of each ("" unknown)


@dataclass
class Checks:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, object]:
        return {"passed": self.passed, "errors": self.errors, "warnings": self.warnings, "figures": self.figures}


def separation(pos: np.ndarray, neg: np.ndarray) -> float:
    """The chance that a held-out list entry outscores a held-out background paper (ROC AUC)."""
    if not len(pos) or not len(neg):
        return float("nan")
    return float(roc_auc_score(np.r_[np.ones(len(pos)), np.zeros(len(neg))], np.r_[pos, neg]))


def list_growth_per_day(arxiv_ids: Sequence[str], *, today: date | None = None) -> float | None:
    """Entries a day the list gained over the year before its newest arXiv id (ids say their
    month): None when too few entries carry ids to tell."""
    months = []
    for i in arxiv_ids:
        m = _ID.match(i)
        if m:
            months.append(2000 + int(m[1]) + (int(m[2]) - 1) / 12)
    if len(months) < 10:
        return None
    newest = max(months) if today is None else today.year + (today.month - 1) / 12
    recent = sum(1 for x in months if newest - 1 < x <= newest + 1e-9)
    return recent / 250  # arXiv announces on about 250 days a year


def check(
    held: Heldout,
    *,
    threshold: float,
    positives: int,
    with_abstract: int,
    heading_counts: Counter[str],
    headings: Sequence[str],
    list_ids: Sequence[str],
) -> Checks:
    """Every check, on the held-out scores of a model whose threshold is `threshold`."""
    c = Checks()
    fix_data = "give it more list entries with abstracts (`watcher enrich`), or more background days"
    if positives < MIN_POSITIVES:
        c.errors.append(f"only {positives} list entries to learn from (at least {MIN_POSITIVES}): {fix_data}")
    if with_abstract < min(MIN_WITH_ABSTRACT, positives):
        c.warnings.append(
            f"only {with_abstract} of {positives} list entries have an abstract: the model reads papers by their "
            "titles alone; run `watcher enrich` to find the abstracts on arXiv"
        )
    scores = np.r_[held.positives, held.background]
    if len(scores) and (np.ptp(scores) < 1e-9 or len(np.unique(np.round(scores, 6))) < 0.01 * len(scores)):
        c.errors.append(f"the model gives (nearly) every paper the same score: {fix_data}")
    sep = separation(held.positives, held.background)
    c.figures["separation"] = round(sep, 3)
    if sep == sep and sep < MIN_SEPARATION:
        c.errors.append(
            f"the model cannot tell held-out list entries from background papers (it ranks an entry above a "
            f"background paper {sep:.0%} of the time, {MIN_SEPARATION:.0%} at least): {fix_data}"
        )
    if len(held.background):
        gated_out = ~held.background_passes
        if gated_out.any() and (held.background[gated_out] >= threshold).any():
            c.errors.append(
                "the threshold lets through papers that fail the profile's gate (none of its facet-one terms): "
                "the threshold is too low for this list; check [profile] and the list's entries"
            )
    if len(held.stream):
        share = float((held.stream >= threshold).mean())
        c.figures["share_above_threshold"] = round(share, 4)
        per_day = _papers_per_day(held.stream_days)
        if per_day:
            volume = share * per_day
            c.figures["estimated_proposals_per_day"] = round(volume, 2)
            c.figures["papers_per_day"] = round(per_day, 1)
            if share >= MOST_OF_A_DAY:
                c.errors.append(
                    f"the model would propose about {volume:.0f} of the {per_day:.0f} papers of a day ({share:.0%}): "
                    "it is no filter; raise classifier.target_precision or check the list and [profile]"
                )
            growth = list_growth_per_day(list_ids)
            if growth is not None:
                c.figures["list_growth_per_day"] = round(growth, 2)
                far_above = volume > max(VOLUME_FACTOR * growth, 3.0)
                if far_above and (share >= NOISY_SHARE or volume > FLOOD_FACTOR * growth):
                    c.errors.append(
                        f"the model would propose about {volume:.0f} of the {per_day:.0f} papers of a day "
                        f"({share:.0%}), the list grew by about {growth:.2f} a day over its last year: mostly noise; "
                        "give it the "
                        "entries' abstracts (`watcher enrich`) and more background days, or narrow it with [profile] "
                        "require, or raise classifier.target_precision"
                    )
                elif far_above:
                    c.warnings.append(
                        f"the model would propose about {volume:.1f} papers a day, the list grew by about "
                        f"{growth:.2f} a day over its last year: expect many rejections, or raise "
                        "classifier.target_precision"
                    )
                elif growth >= 0.2 and volume < growth / VOLUME_FACTOR:
                    c.warnings.append(
                        f"the model would propose about {volume:.2f} papers a day, the list grew by about "
                        f"{growth:.2f} a day over its last year: it may miss papers; lower "
                        "classifier.target_precision or widen arxiv.categories"
                    )
    empty = [h for h in headings if heading_counts.get(h, 0) == 0]
    few = [h for h in headings if 0 < heading_counts.get(h, 0) < 3]
    if empty:
        c.warnings.append(
            f"no entries to learn from under {', '.join(map(repr, empty))}: papers are never filed there "
            "(add entries, or exclude the heading with list.exclude_headings)"
        )
    if few:
        c.warnings.append(f"fewer than 3 entries under {', '.join(map(repr, few))}: its heading is a guess")
    return c


def _papers_per_day(days: np.ndarray) -> float | None:
    known = [d for d in days if d]
    if not known:
        return None
    counts = Counter(known)
    return float(np.median(list(counts.values()))) if len(counts) >= 3 else None
