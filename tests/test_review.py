"""The review-outcome rules, over pull-request data and two parsed lists: no server involved."""

from __future__ import annotations

import pytest

from watcher import listfile
from watcher.ports import Feedback
from watcher.proposal import ProposedPaper
from watcher.review import PullRecord, outcomes

BASE = "## codec\n- Old Codec\n## benchmark\n- Old Bench\n"


def proposed(arxiv_id: str, title: str, heading: str) -> ProposedPaper:
    return ProposedPaper(arxiv_id, title=title, heading=heading, day="2025-05-21", score=0.9)


A = proposed("2505.00001", "A Neural Codec", "codec")
B = proposed("2505.00002", "A Benchmark for Audio LLMs", "benchmark")


def pr(number: int, *papers: ProposedPaper, open: bool = False, merged: bool = False, base: str = "main") -> PullRecord:
    return PullRecord(number, open, merged, base, {p.arxiv_id: p for p in papers})


def with_entries(text: str, *lines: tuple[str, str]) -> listfile.ListDocument:
    for heading, line in lines:
        text = text.replace(f"## {heading}\n", f"## {heading}\n{line}\n", 1)
    return listfile.parse(text)


def run(pulls: list[PullRecord], base: listfile.ListDocument, branch: listfile.ListDocument | None = None):
    return outcomes(pulls, base_branch="main", base_list=base, branch_list=branch)


def test_merged_accepts_under_the_landed_heading_and_a_move_is_a_correction() -> None:
    # A landed where proposed; B was moved by the reviewer from "benchmark" to "codec"
    merged = with_entries(BASE, ("codec", "- A Neural Codec"), ("codec", "- A Benchmark for Audio LLMs"))
    got = run([pr(1, A, B, merged=True)], merged)
    assert got == [
        Feedback(A.arxiv_id, "accepted", "codec", "codec", 1, A.title),
        Feedback(B.arxiv_id, "accepted", "codec", "benchmark", 1, B.title),
    ]
    assert [f.corrected for f in got] == [False, True]


def test_an_entry_deleted_before_the_merge_is_rejected() -> None:
    merged = with_entries(BASE, ("codec", "- A Neural Codec"))
    got = run([pr(1, A, B, merged=True)], merged)
    assert [(f.arxiv_id, f.outcome) for f in got] == [(A.arxiv_id, "accepted"), (B.arxiv_id, "rejected")]


def test_closed_without_merge_rejects_every_paper() -> None:
    got = run([pr(1, A, B)], listfile.parse(BASE))
    assert {(f.arxiv_id, f.outcome, f.proposed_heading) for f in got} == {
        (A.arxiv_id, "rejected", "codec"),
        (B.arxiv_id, "rejected", "benchmark"),
    }


def test_an_open_pr_rejects_what_a_reviewer_deleted_from_its_branch() -> None:
    branch = with_entries(BASE, ("benchmark", "- A Benchmark for Audio LLMs"))
    got = run([pr(2, A, B, open=True)], listfile.parse(BASE), branch)
    assert got == [Feedback(A.arxiv_id, "rejected", None, "codec", 2, A.title)]


def test_merged_into_another_branch_gives_no_verdict() -> None:
    assert run([pr(1, A, B, merged=True, base="dev")], listfile.parse(BASE)) == []


def test_a_paper_is_recognised_by_its_id_when_the_reviewer_edited_its_title() -> None:
    merged = with_entries(BASE, ("codec", "- [Neural codecs, revisited](https://arxiv.org/abs/2505.00001)"))
    (got,) = run([pr(1, A, merged=True)], merged)
    assert (got.outcome, got.heading) == ("accepted", "codec")


def test_an_open_pr_needs_its_branch() -> None:
    with pytest.raises(ValueError, match="#3 is open"):
        run([pr(3, A, open=True)], listfile.parse(BASE))
