"""What a reviewer sees of real days, pinned: the PR body and the Slack digest, rendered from the
test worlds' model (the seed list, no embeddings). The README's example is cut from these.

- 2025-06-04: a labelled day of ../shared/data/pool-dev.jsonl (the data holds no authors);
- 2024-11-28: the real rss.arxiv.org feed of that day, authors and all.

A deliberate change of the rendering (or of the model) rewrites them:
    WATCHER_WRITE_GOLDENS=1 pytest tests/test_what_reviewers_see.py
then read the diff before committing it.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from tests.builders import paper_of
from tests.conftest import BIG_FEED, ROOT
from tests.realdays import WATCHED, papers_of
from watcher import glance
from watcher.classifier import Model
from watcher.feeds import parse_feed
from watcher.model_store import load_model
from watcher.paper import Paper
from watcher.proposal import BEGIN, END, ProposedPaper, proposed_in, render_body
from watcher.scoring import Scored
from watcher.slack_notify import (
    MAX_BLOCKS,
    MAX_MESSAGE_CHARS,
    MAX_SECTION_CHARS,
    escape,
    message_preview,
    render_digest,
)

GOLDEN = Path(__file__).parent / "golden" / "review"
WRITE = os.environ.get("WATCHER_WRITE_GOLDENS") == "1"
PR_URL = "https://github.com/acme/papers/pull/1"
LABELLED_DAY, FEED_DAY = "2025-06-04", "2024-11-28"


def day_papers(day: str) -> list[Paper]:
    if day == FEED_DAY:
        papers = parse_feed(BIG_FEED.read_bytes(), "rss").papers
        return [p for p in papers if not p.is_replacement and set(p.categories) & set(WATCHED)]
    return [paper_of(p) for p in papers_of(day) if p.get("announce_guess") != "replacement"]


def proposals(model: Model, day: str) -> list[Scored]:
    """The day's proposals, best first, as the daily run hands them to its targets."""
    scored = [s for s in model.score(day_papers(day)) if s.selected]
    return sorted(scored, key=lambda s: glance.Score(s.standing, s.lead, s.relevance).rank, reverse=True)


@pytest.fixture(scope="module")
def model(world_model: Path) -> Model:
    return load_model(world_model, encoder_loader=lambda recipe: None)


def body_of(model: Model, day: str) -> str:
    return render_body("Reviewed on Fridays.", proposals(model, day), date.fromisoformat(day))


def digest_of(model: Model, day: str) -> str:
    messages = render_digest(proposals(model, day), day=date.fromisoformat(day), pr_url=PR_URL)
    return "\n".join(f"[notification text] {m.text}\n{message_preview(m)}" for m in messages)


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if WRITE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"{name} changed: WATCHER_WRITE_GOLDENS=1 rewrites it"


@pytest.mark.parametrize("day", [LABELLED_DAY, FEED_DAY])
def test_the_pr_body_of_a_real_day(model: Model, day: str) -> None:
    body = body_of(model, day)
    check(f"{day}-pr-body.md", body)
    items = proposals(model, day)
    assert set(proposed_in(body)) == {s.paper.arxiv_id for s in items}
    assert body.count(BEGIN) == body.count(END) == 1 and body.endswith("\n\nReviewed on Fridays.")
    lines = [x for x in body.splitlines() if x.startswith("- **[")]
    assert len(lines) == len(items) and body.count("<details>") == len(items)


@pytest.mark.parametrize("day", [LABELLED_DAY, FEED_DAY])
def test_the_digest_of_a_real_day(model: Model, day: str) -> None:
    check(f"{day}-digest.txt", digest_of(model, day))
    for m in render_digest(proposals(model, day), day=date.fromisoformat(day), pr_url=PR_URL):
        assert len(m.blocks) <= MAX_BLOCKS
        assert all(len(b["text"]["text"]) <= MAX_SECTION_CHARS for b in m.blocks if b["type"] == "section")
        assert sum(len(b.get("text", {}).get("text", "")) for b in m.blocks) <= MAX_MESSAGE_CHARS


@pytest.mark.parametrize("day", [LABELLED_DAY, FEED_DAY])
def test_the_digest_and_the_pr_body_say_the_same(model: Model, day: str) -> None:
    items = proposals(model, day)
    (message,) = render_digest(items, day=date.fromisoformat(day), pr_url=PR_URL)
    sections = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    for s, section in zip(items, sections, strict=True):
        p = ProposedPaper.from_scored(s, None)
        assert s.paper.arxiv_id in section and p.rated.words in section and f"*{p.heading}*" in section
        assert escape(p.authors) in section and escape(p.nearest) in section
        assert (f"(or {p.runner_up})" in section) == bool(p.runner_up)


def test_the_standing_tells_a_real_days_proposals_apart(model: Model) -> None:
    """Most of the day's proposals have probability 1.00; their standings differ."""
    items = proposals(model, LABELLED_DAY)
    shown = [glance.Score(s.standing, s.lead, s.relevance).words for s in items]
    probabilities = [f"{s.relevance:.2f}" for s in items]
    assert len(items) >= 10
    assert probabilities.count("1.00") >= 3 and len(set(shown)) >= len(items) - 1


# -- the README's example ------------------------------------------------------------------------

README = ROOT / "README.md"


def _example(text: str, name: str) -> re.Match[str]:
    m = re.search(rf"<!-- example: {name} -->\n(.*?)<!-- /example -->", text, re.S)
    assert m, f"README.md has no example {name!r}"
    return m


def _between(text: str, name: str) -> str:
    return _example(text, name)[1]


def pr_excerpt(body: str, items: int = 2) -> str:
    """The intro and the first `items` papers of a body, and the note under them."""
    visible = body.split(BEGIN + "\n", 1)[1].split("\n<!-- watcher:data", 1)[0]
    blocks = visible.split("\n- **[")
    note = visible.rstrip("\n").rsplit("\n", 1)[1]
    kept = "\n- **[".join(blocks[: items + 1]).rstrip("\n")
    return f"{kept}\n\n{note}\n"


def digest_excerpt(digest: str, items: int = 2) -> str:
    """The first message's header, context and first `items` papers."""
    head, *papers = digest.split("\n*<")
    return "```text\n" + "\n*<".join([head, *papers[:items]]).rstrip("\n") + "\n```\n"


def test_the_readme_shows_what_reviewers_see(model: Model) -> None:
    body, digest = body_of(model, FEED_DAY), digest_of(model, FEED_DAY)
    readme = README.read_text(encoding="utf-8")
    if WRITE:
        for name, text in (("pr-body", pr_excerpt(body)), ("digest", digest_excerpt(digest))):
            m = _example(readme, name)
            readme = readme[: m.start(1)] + text + readme[m.end(1) :]
        README.write_text(readme, encoding="utf-8")
    assert _between(readme, "pr-body") == pr_excerpt(body)
    assert _between(readme, "digest") == digest_excerpt(digest)
