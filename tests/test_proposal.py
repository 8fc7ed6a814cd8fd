"""The pull request body: the bot's part, its data comment, and GitHub's size limit. Pure."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests import builders
from watcher.proposal import BEGIN, END, ProposedPaper, proposed_in, render_body
from watcher.scoring import Neighbour, Scored

GITHUB_LIMIT = 65536
GOLDEN = Path(__file__).parent / "golden"


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
        abstract="A first sentence of the abstract that goes on for a while. " * 8,
        authors="Ann Lee, Bo Chen, Cy Diaz, Dee Evans",
        standing=(i % 97) / 100,
    )


def shown(body: str) -> list[tuple[str, bool]]:
    """The items of the bot's section: (arXiv id, whether it has its details), in order."""
    items: list[tuple[str, bool]] = []
    for line in body.split(BEGIN, 1)[1].split("<!-- watcher:data", 1)[0].splitlines():
        if line.startswith("- **["):
            items.append((line.split("https://arxiv.org/abs/", 1)[1].split(")", 1)[0], False))
        elif line == "  <details><summary>Abstract, and what sets it apart</summary>":
            items[-1] = (items[-1][0], True)
    return items


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
        # details go first (the oldest first), then lines, the oldest first
        items_shown = shown(body)
        with_details = [d for _, d in items_shown]
        assert with_details == sorted(with_details, reverse=True)
        assert len(items_shown) == day + 10 or not any(with_details)
        days = {i: p.day for i, p in proposed_in(body).items()}
        seen = [days[i] for i, _ in items_shown]
        assert seen == sorted(seen, reverse=True)  # the newest first
        assert sum(d > seen[-1] for d in days.values()) <= len(seen)  # no newer paper left out
    assert any(d for _, d in shown(body)) or n > 100  # at 100 papers the newest keep their details
    papers = proposed_in(body)
    assert len(papers) == n and all(p.heading == "multi-task" for p in papers.values())
    assert body.endswith("Notes from the maintainers: review on Fridays.\n")
    newest = scored(n - 1, start, "")
    assert f"({'https://arxiv.org/abs/' + newest.paper.arxiv_id})" in body  # the newest rows stay visible
    assert body.count(BEGIN) == body.count(END) == 1


def test_a_small_body_keeps_every_fact_in_its_data() -> None:
    s = builders.scored(
        "2501.00001",
        "Speech LLM <b>",
        heading="codec",
        runner_up="ASR/ST",
        heading_scores={"codec": 0.5, "ASR/ST": 0.3},
        day=date(2025, 1, 2),
        abstract="We build a codec. It is small. It is fast.",
        authors="Ann Lee, Bo Chen, Cy Diaz, Dee Evans",
        nearest=[Neighbour("SoundStream", "codec", 0.7), Neighbour("Qwen-Audio", "multi-task", 0.8)],
        terms=("codec", "small"),
        standing=0.873,
    )
    body = render_body(None, [s], None)
    (paper,) = proposed_in(body).values()
    assert paper == ProposedPaper(
        "2501.00001",
        title="Speech LLM <b>",
        heading="codec",
        day="2025-01-02",
        score=0.9,
        standing=0.873,
        runner_up="ASR/ST",  # 0.3 is at least half of 0.5
        authors="Ann Lee, Bo Chen, Cy Diaz et al.",
        nearest="SoundStream",  # the nearest under its heading, not the nearest of all
        nearest_heading="codec",
        opening="We build a codec. It is small.",
        terms=("codec", "small"),
    )
    assert "<b>" not in body.split("watcher:data", 1)[1]  # no title can close the data comment
    assert (
        "- **[Speech LLM \\<b\\>](https://arxiv.org/abs/2501.00001)**, Ann Lee, Bo Chen, Cy Diaz et al. — "
        "**codec** (or ASR/ST) · above 87% of list entries · nearest there: “SoundStream”\n"
    ) in body
    assert render_body(body, [], None) == body  # re-rendered from its own data, unchanged


def test_a_runner_up_far_behind_is_not_named() -> None:
    s = builders.scored(
        "2501.00001", "T", heading="codec", runner_up="ASR/ST", heading_scores={"codec": 0.7, "ASR/ST": 0.3}
    )
    (paper,) = proposed_in(render_body(None, [s], None)).values()
    assert paper.runner_up == "" and "(or ASR/ST)" not in render_body(None, [s], None)


# A body as watcher wrote it before the redesign (commit e52fe03): a table, data comment v1.
V1_BODY = (GOLDEN / "pr-body-v1.md").read_text(encoding="utf-8")


def test_a_body_written_by_the_old_table_format_is_read_and_rewritten() -> None:
    old = proposed_in(V1_BODY)["2505.00001"]
    assert (old.title, old.heading, old.day, old.score) == ("Old <paper> with @someone", "codec", "2025-05-21", 0.91)
    # the nearest entry is read back from its text; a v1 runner-up was named however far behind
    assert (old.nearest, old.nearest_heading, old.runner_up, old.standing) == ("SoundStream", "codec", "", None)
    new = builders.scored("2505.00003", "New", day=date(2025, 5, 22), standing=0.5)
    body = render_body(V1_BODY, [new], None)
    assert body.endswith(END + "\n\nNotes from the maintainers.") and "| Paper |" not in body
    assert set(proposed_in(body)) == {"2505.00001", "2505.00002", "2505.00003"}
    assert (
        "- **[Old \\<paper\\> with @\u200bsomeone](https://arxiv.org/abs/2505.00001)** — **codec** · relevance 0.91 · "
        "nearest there: “SoundStream”\n"
    ) in body
    # the note explains both scores the lines show
    assert "the calibrated probability" in body and "of the list's own entries" in body


def test_another_section_goes_inside_the_markers_before_the_data() -> None:
    s = builders.scored("2501.00001", "T", standing=0.5)
    body = render_body(None, [s], None, sections=["### Venue updates\n\n- something\n"])
    inside = body.split(BEGIN, 1)[1].split(END, 1)[0]
    assert inside.index("- **[T]") < inside.index("### Venue updates") < inside.index("<!-- watcher:data")
    assert set(proposed_in(body)) == {"2501.00001"}


HOSTILE = [
    "<!-- watcher:end --> after the marker",
    "</details> <details open><summary>x</summary>",
    "@octocat and @github/team please look; fixes #12 and acme/papers#3",
    "[click](javascript:alert(1)) https://evil.example www.evil.example",
    "line one\n## Injected heading\n- fake entry\n<!-- swallow",
    "`code` **bold** _it_ | a | b | &amp; &#64;",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_paper_text_breaks_nothing(text: str) -> None:
    s = builders.scored(
        "2501.00001",
        text,
        heading="codec",
        runner_up="NLP",
        heading_scores={"codec": 0.5, "NLP": 0.4},
        abstract=f"{text}. {text}.",
        authors=f"{text}, Bo Chen",
        nearest=[Neighbour(text, "codec", 0.7)],
        terms=(text, "plain"),
        standing=0.5,
    )
    body = render_body("Maintainer notes.", [s], None)
    assert body.count(BEGIN) == body.count(END) == 1 and body.endswith("\n\nMaintainer notes.")
    assert proposed_in(body)["2501.00001"].title == " ".join(text.split())
    visible = body.split(BEGIN, 1)[1].split("<!-- watcher:data", 1)[0]
    assert visible.count("<details>") == visible.count("</details>") == 1
    unescaped = re.compile(r"(?<!\\)(?:<!--|\]\(|<(?!/?details>|/?summary>|/?sub>))")
    assert [m[0] for m in unescaped.finditer(visible)] == ["]("]  # only the bot's own link, tags and no comment
    for line in visible.splitlines():  # every line is one the bot lays out
        assert line == "" or line.startswith(("- **[", "  ", "**", "<sub>")), line
    assert "@octocat" not in visible and "@github" not in visible and "#12" not in visible and "#3" not in visible
    assert "https://evil" not in visible and "www.evil" not in visible


def test_a_paper_known_only_from_the_bots_commits_shows_no_score() -> None:
    known = {"2505.00001": ProposedPaper("2505.00001", title="Recovered", heading="codec")}
    body = render_body(None, [], None, earlier=known)
    assert "- **[Recovered](https://arxiv.org/abs/2505.00001)** — **codec**\n" in body
    assert "relevance" not in body.lower() and "calibrated" not in body
