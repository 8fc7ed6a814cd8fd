"""The run's stages over real feed data, with a transparent keyword scorer standing in for the model.

The scorer here is a test double: it lets these tests state exactly which papers must be
proposed, so they check the stages (filtering, dedupe, recording, delivery bookkeeping) rather
than the classifier, which has its own tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import BIG_FEED, EMPTY_FEED, SEED_LIST
from watcher.download import Downloader, HttpPolicy
from watcher.dryrun import Preview, PreviewNotifier, PreviewPublisher
from watcher.errors import DeliveryError
from watcher.feeds import parse_feed
from watcher.listfile import ListDocument
from watcher.paper import Paper
from watcher.pipeline import Run, run_day
from watcher.ports import Delivery, Dispatch, History
from watcher.proposal import ListRules
from watcher.scoring import Scored
from watcher.sources import FileList, SavedFeeds
from watcher.state import State

HEADINGS = ("multi-task", "generation task", "ASR/ST", "NLP", "codec", "benchmark", "other")


def keyword_relevance(p: Paper) -> float:
    """0.9 down to 0.6 when the title says "speech" or "audio" (its last id digits set where), else 0.1."""
    if not any(w in p.title.lower() for w in ("speech", "audio")):
        return 0.1
    return 0.6 + 0.3 * (int(p.arxiv_id[-3:]) / 1000)


class KeywordScorer:
    """A transparent scorer: `keyword_relevance`, threshold 0.5."""

    model_id = "keyword-test-double"
    threshold = 0.5

    def score(self, papers: Sequence[Paper]) -> list[Scored]:
        out = []
        for p in papers:
            rel = keyword_relevance(p)
            out.append(Scored(p, rel, rel >= self.threshold, "ASR/ST", "multi-task", {h: 1 / 7 for h in HEADINGS}))
        return out


class Models:
    def scorer(self, doc: ListDocument, history: History) -> KeywordScorer:
        return KeywordScorer()


class RecordingTarget:
    """A delivery target (ports.Target) that remembers what it got and can be told to fail."""

    says_empty = False

    def __init__(self, name: str, fail: bool = False) -> None:
        self.name = self.label = name
        self.fail = fail
        self.received: list[list[str]] = []
        self.dispatches: list[Dispatch] = []

    def holds(self) -> frozenset[str]:
        return frozenset()

    def deliver(self, items: Sequence[Scored], dispatch: Dispatch) -> Delivery | None:
        if not items:
            return None
        if self.fail:
            raise DeliveryError(f"{self.name} is down (HTTP 503)")
        self.received.append([s.paper.arxiv_id for s in items])
        self.dispatches.append(dispatch)
        url = f"https://example.org/{self.name}/{len(self.received)}"
        return Delivery(ref=str(len(self.received)), delivered=frozenset(s.paper.arxiv_id for s in items), url=url)


def expected_ids() -> set[str]:
    papers = parse_feed(BIG_FEED.read_bytes(), "x").papers
    return {
        p.arxiv_id
        for p in papers
        if p.announce_type in ("new", "cross") and any(w in p.title.lower() for w in ("speech", "audio"))
    }


def make_run(state: State, feeds: list[str], **kw) -> Run:
    dl = Downloader(HttpPolicy(user_agent="test"))
    return Run(list_source=FileList(SEED_LIST), feeds=SavedFeeds(dl, feeds), models=Models(), state=state, **kw)


def test_a_day_is_filtered_scored_recorded_and_delivered_once(tmp_path: Path) -> None:
    slack, github = RecordingTarget("slack"), RecordingTarget("github")
    with State.open(tmp_path / "s.sqlite3") as state:
        report = run_day(make_run(state, [str(BIG_FEED)], targets=[github, slack]))
        assert report.ok, report.failures
        c = report.counts
        assert (c["fetched"], c["unique"], c["kept"], c["skipped_type"]) == (1504, 1504, 935, 569)
        assert c["scored"] == 935 and c["already_listed"] == 0
        want = expected_ids()
        assert {s.paper.arxiv_id for s in report.proposals} == want and len(want) > 3
        assert set(slack.received[0]) == want and set(github.received[0]) == want
        assert slack.dispatches[0].review_url == "https://example.org/github/1"  # the digest links the PR
        assert (report.counts["delivered:github"], report.counts["delivered:slack"]) == (len(want), len(want))
        assert report.announced == date(2024, 11, 28)
        assert state.count_papers() == 935
        # the same day again: nothing new is proposed or delivered
        again = run_day(make_run(state, [str(BIG_FEED)], targets=[github, slack]))
        assert again.ok and again.counts["already_seen"] == 935 and again.counts["proposed"] == 0
        assert len(slack.received) == 1 and len(github.received) == 1
        assert [r["outcome"] for r in state.runs()] == ["ok", "ok"]


def test_a_failed_delivery_is_retried_on_the_next_run_and_the_other_target_still_gets_it(tmp_path: Path) -> None:
    slack, github = RecordingTarget("slack", fail=True), RecordingTarget("github")
    with State.open(tmp_path / "s.sqlite3") as state:
        first = run_day(make_run(state, [str(BIG_FEED)], targets=[github, slack]))
        assert not first.ok and [f.step for f in first.failures] == ["deliver to slack"]
        assert len(github.received) == 1 and slack.received == []
        slack.fail = False
        second = run_day(make_run(state, [str(EMPTY_FEED)], targets=[github, slack]))
        assert second.ok and second.notes == ["arXiv announced nothing on 2024-11-28"]
        assert set(slack.received[0]) == expected_ids()  # carried over from the failed run
        assert len(github.received) == 1  # nothing new for GitHub
        assert second.counts["carried_over"] == len(expected_ids())


def test_papers_on_the_list_and_replacements_are_not_proposed(tmp_path: Path) -> None:
    listed = tmp_path / "list.md"
    papers = parse_feed(BIG_FEED.read_bytes(), "x").papers
    target = next(p for p in papers if p.announce_type == "new" and "speech" in p.title.lower())
    listed.write_text(SEED_LIST.read_text() + f"- {target.title.upper()}\n")
    with State.open(tmp_path / "s.sqlite3") as state:
        run = make_run(state, [str(BIG_FEED)])
        run.list_source = FileList(listed)
        report = run_day(run)
    assert report.counts["already_listed"] == 1
    proposed = {s.paper.arxiv_id for s in report.proposals}
    assert target.arxiv_id not in proposed
    assert not any(p.is_replacement for p in (s.paper for s in report.proposals))


def test_dry_run_records_nothing_and_previews_exactly_what_would_be_sent(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    State.open(path).close()
    preview = Preview()
    with State.open(path, readonly=True) as state:
        run = make_run(
            state,
            [str(BIG_FEED)],
            dry_run=True,
            targets=[
                PreviewPublisher(
                    preview,
                    path="list.md",
                    title="T",
                    rules=ListRules(),
                    current=lambda: (SEED_LIST.read_text(), None, None),
                ),
                PreviewNotifier(preview, where="test", post_empty=False),
            ],
        )
        report = run_day(run)
    assert report.ok
    with State.open(path) as state:
        assert state.count_papers() == 0 and state.runs() == []
    want = expected_ids()
    assert list(preview.targets) == ["github", "slack"]  # one section per target, in delivery order
    slack = preview.targets["slack"].data
    assert slack["messages"][0]["metadata"]["event_payload"]["ids"].split(",") == [
        s.paper.arxiv_id for s in report.proposals
    ]
    added = [line for line in preview.targets["github"].data["diff"].splitlines() if line.startswith("+- ")]
    assert len(added) == len(want)


def test_unknown_configured_heading_is_a_config_error(tmp_path: Path) -> None:
    from watcher.errors import ConfigError

    with State.open(tmp_path / "s.sqlite3") as state:
        with pytest.raises(ConfigError) as err:
            run_day(make_run(state, [str(EMPTY_FEED)], headings=("codec", "speech")))
        assert err.value.message.startswith(
            f"list.headings: 'speech' is not a heading of the list {SEED_LIST} (headings: 'multi-task',"
        )
        assert err.value.exit_code == 2
        assert [r["outcome"] for r in state.runs()] == ["failed"]


def test_limit_delivers_the_best_first_and_keeps_the_rest_pending(tmp_path: Path) -> None:
    slack = RecordingTarget("slack")
    papers = {p.arxiv_id: p for p in parse_feed(BIG_FEED.read_bytes(), "x").papers}
    best_first = sorted(expected_ids(), key=lambda i: -keyword_relevance(papers[i]))
    assert keyword_relevance(papers[best_first[1]]) > keyword_relevance(papers[best_first[2]])  # a real order
    with State.open(tmp_path / "s.sqlite3") as state:
        run_day(make_run(state, [str(BIG_FEED)], targets=[slack], limit=2))
        assert slack.received[0] == best_first[:2]
        run_day(make_run(state, [str(EMPTY_FEED)], targets=[slack]))
        assert set(slack.received[0]) | set(slack.received[1]) == expected_ids()
        assert len(slack.received[1]) == len(best_first) - 2


def test_a_target_enabled_later_gets_only_what_is_proposed_from_then_on(tmp_path: Path) -> None:
    github, matrix = RecordingTarget("github"), RecordingTarget("matrix")
    with State.open(tmp_path / "s.sqlite3") as state:
        run_day(make_run(state, [str(BIG_FEED)], targets=[github]))
        assert set(github.received[0]) == expected_ids()
        # a third target is configured: the next day it receives nothing of the past
        later = run_day(make_run(state, [str(EMPTY_FEED)], targets=[github, matrix]))
        assert later.ok and matrix.received == [] and len(github.received) == 1
        assert later.targets["matrix"].delivered == [] and state.target_since("matrix")


@pytest.mark.parametrize("types", [("new",), ("new", "cross", "replace", "replace-cross")])
def test_announce_types_are_configurable(tmp_path: Path, types: tuple[str, ...]) -> None:
    with State.open(tmp_path / "s.sqlite3") as state:
        report = run_day(make_run(state, [str(BIG_FEED)], announce_types=types))
    assert report.counts["kept"] == {1: 926, 4: 1504}[len(types)]


def test_a_run_that_crashes_is_recorded_as_failed(tmp_path: Path) -> None:
    class Broken:
        def scorer(self, doc: ListDocument, state: State) -> None:
            raise RuntimeError("a bug")

    with State.open(tmp_path / "s.sqlite3") as state:
        run = make_run(state, [str(BIG_FEED)])
        run.models = Broken()  # type: ignore[assignment]
        with pytest.raises(RuntimeError):
            run_day(run)
        last = state.runs()[-1]
    assert (last["outcome"], last["error"]) == ("failed", "crashed: RuntimeError")
