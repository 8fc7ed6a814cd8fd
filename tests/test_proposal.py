"""The pull request body: the bot's part, its data comment, and GitHub's size limit. Pure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import builders
from watcher.proposal import BEGIN, END, proposed_in, render_body
from watcher.scoring import Neighbour, Scored

GITHUB_LIMIT = 65536


def scored(i: int, day: date, title: str) -> Scored:
    return builders.scored(
        f"2501.{i:05d}",
        title,
        heading="multi-task",
        runner_up="ASR/ST",
        relevance=0.5 + (i % 50) / 100,
        heading_scores={"multi-task": 0.6, "ASR/ST": 0.3},
        day=day,
        nearest=[Neighbour("A nearest entry already on the list, with a long title " * 2, "codec", 0.8)] * 3,
        terms=("speech", "audio", "tokens"),
    )


@pytest.mark.parametrize(
    "n, title",
    [
        (100, "Plain ascii title number {i} about speech language models and their evaluation"),
        (400, "Ünïcödé tïtlé {i}: 语音大模型 — a long title " + "with many words " * 12),
    ],
)
def test_a_pull_request_that_gathers_weeks_of_papers_stays_under_githubs_limit(n: int, title: str) -> None:
    body = "Notes from the maintainers: review on Fridays.\n"
    start = date(2025, 1, 1)
    for day in range(0, n, 10):  # ten papers a day, the body updated every day
        items = [scored(i, start + timedelta(days=day), title.format(i=i)) for i in range(day, day + 10)]
        body = render_body(body, items, start)
        assert len(body) <= GITHUB_LIMIT
    papers = proposed_in(body)
    assert len(papers) == n and all(p.heading == "multi-task" for p in papers.values())
    assert body.endswith("Notes from the maintainers: review on Fridays.\n")
    newest = scored(n - 1, start, "")
    assert f"({'https://arxiv.org/abs/' + newest.paper.arxiv_id})" in body  # the newest rows stay visible
    assert body.count(BEGIN) == body.count(END) == 1


def test_a_small_body_keeps_every_reason() -> None:
    body = render_body(None, [scored(1, date(2025, 1, 2), "Speech LLM <b>")], None)
    (paper,) = proposed_in(body).values()
    assert paper.why.startswith("close to") and len(paper.nearest) == 3 and paper.title == "Speech LLM <b>"
    assert "<b>" not in body.split("watcher:data", 1)[1]  # no title can close the data comment
