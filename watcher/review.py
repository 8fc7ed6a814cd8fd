"""What reviewers decided about the bot's proposals: rules over pull-request data and two parsed
lists. Pure: no I/O (github_pr.py gathers the data).

- a merged pull request accepts each paper under the heading it landed in on the base branch (a
  heading other than the proposed one is a heading correction, which the classifier learns);
  a paper missing from the merged list was deleted by a reviewer: rejected;
- a closed, unmerged pull request rejects every paper in it;
- an open pull request rejects each paper a reviewer deleted from the bot branch;
- a pull request merged into another branch than the list's gives no verdict: the list cannot
  judge it (its papers still count as proposed, so they are never proposed again).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .listfile import ListDocument
from .ports import Feedback
from .proposal import ProposedPaper
from .titles import TitleIndex


@dataclass(frozen=True)
class PullRecord:
    """One bot pull request, as far as review outcomes need it."""

    number: int
    open: bool
    merged: bool
    base: str  # the branch it targets (or was merged into)
    proposed: Mapping[str, ProposedPaper]  # what it proposed, by arXiv id


def outcomes(
    pulls: Sequence[PullRecord], *, base_branch: str, base_list: ListDocument, branch_list: ListDocument | None
) -> list[Feedback]:
    """Every verdict the pull requests show. `base_list` is the list on `base_branch`,
    `branch_list` the list on the bot branch (needed only when a pull request is open)."""
    on_base = TitleIndex(e.listed() for e in base_list.entries)
    on_branch = TitleIndex(e.listed() for e in branch_list.entries) if branch_list is not None else None
    out: list[Feedback] = []
    for pr in pulls:
        if pr.open:
            if on_branch is None:
                raise ValueError(f"pull request #{pr.number} is open: its branch's list is needed")
            out += [_rejected(p, pr) for p in pr.proposed.values() if not on_branch.match(p.arxiv_id, p.title)]
        elif not pr.merged:
            out += [_rejected(p, pr) for p in pr.proposed.values()]
        elif pr.base == base_branch:
            for p in pr.proposed.values():
                entry = on_base.match(p.arxiv_id, p.title)
                if entry is None:
                    out.append(_rejected(p, pr))
                else:
                    out.append(Feedback(p.arxiv_id, "accepted", entry.heading, p.heading, pr.number, p.title))
    return out


def _rejected(p: ProposedPaper, pr: PullRecord) -> Feedback:
    return Feedback(p.arxiv_id, "rejected", None, p.heading, pr.number, p.title)
