"""`watcher run` end to end on real announcement days, against loopback arXiv, Slack and GitHub.

One digest and one rolling pull request per day; each paper exactly once, whatever fails.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from tests.fakes.arxiv import FakeArxiv
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack
from tests.realdays import QUERY, days, feed_of
from tests.world import BRANCH, REPO, SEED, World
from watcher import listfile
from watcher.proposal import proposed_in

DAY_A, DAY_B = days()[5], days()[6]


class DeliveryWorld(World):
    """The shared loopback world, with whole real days and shorthands for these tests."""

    def day(self, day: str) -> None:
        self.serve(feed_of(day))

    def pr_ids(self) -> set[str]:
        (pr,) = self.open_pulls()
        return set(proposed_in(pr.body))

    def posted_ids(self) -> list[str]:
        return list(self.posted().elements())


@pytest.fixture
def world(
    tmp_path: Path,
    fake_arxiv: FakeArxiv,
    fake_slack: FakeSlack,
    fake_github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    world_model: Path,
) -> DeliveryWorld:
    return DeliveryWorld(tmp_path, fake_arxiv, fake_slack, fake_github, monkeypatch, model_dir=world_model)


def added_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    d = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [x[2:] for x in d if x.startswith("+ ")], [x[2:] for x in d if x.startswith("- ")]


def test_a_day_posts_one_digest_and_opens_one_pr_then_a_rerun_changes_nothing(
    world: DeliveryWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.day(DAY_A)
    assert world.run("--json") == 0
    report = json.loads(capsys.readouterr().out)
    proposed = [p["arxiv_id"] for p in report["proposals"]]
    assert len(proposed) >= 3
    (digest,) = world.slack.top_level()
    assert digest.unfurl_links is False and digest.text
    assert sorted(world.posted_ids()) == sorted(proposed)
    (pr,) = world.github.pulls(REPO)
    assert pr.state == "open" and set(proposed_in(pr.body)) == set(proposed)
    assert report["pr_url"] == f"{world.github.url}/{REPO}/pull/{pr.number}"
    assert report["targets"]["github"]["url"] == report["pr_url"]
    assert (digest.payload["blocks"][1]["elements"][0]["text"]).startswith(
        f"<{report['pr_url']}|Review the pull request>"
    )
    plus, minus = added_lines(SEED, world.branch_list())
    assert minus == []
    assert len(plus) == 2 * len(proposed)
    assert all(line.startswith("- ") for line in plus[0::2])
    assert [line for line in plus[1::2]] == [
        f"  - [arXiv](https://arxiv.org/abs/{i})" for i in [x.split("/abs/")[1].rstrip(")") for x in plus[1::2]]
    ]
    doc = listfile.parse(world.branch_list())
    for p in report["proposals"]:
        assert any(p["arxiv_id"] in e.arxiv_ids for e in doc.section(p["heading"]).entries)
    slack_calls, github_calls = len(world.slack.requests), len(world.github.requests)

    # the same day again: nothing new anywhere
    commits = len(world.github.commits_on(REPO, BRANCH))
    body = world.github.pull(REPO, 1).body
    assert world.run() == 0
    assert len(world.slack.messages) == 1
    assert len(world.github.commits_on(REPO, BRANCH)) == commits and world.github.pull(REPO, 1).body == body
    writes = [r for r in world.github.requests[github_calls:] if r.method != "GET"]
    assert writes == []
    print(f"requests on a first day: Slack {slack_calls}, GitHub {github_calls}")


def test_next_day_updates_the_same_pull_request(world: DeliveryWorld) -> None:
    world.day(DAY_A)
    assert world.run() == 0
    first = world.pr_ids()
    before = len(world.github.requests), len(world.slack.requests)
    world.day(DAY_B)
    assert world.run() == 0
    assert len(world.github.pulls(REPO)) == 1
    second = world.pr_ids()
    assert first < second
    new = second - first
    (_, digest_b) = world.slack.top_level()
    assert set(digest_b.payload["metadata"]["event_payload"]["ids"].split(",")) == new
    assert len(world.posted_ids()) == len(set(world.posted_ids()))  # nobody posted twice
    print(
        f"requests on a following day: GitHub {len(world.github.requests) - before[0]}, "
        f"Slack {len(world.slack.requests) - before[1]}"
    )


def test_dry_run_shows_exactly_what_the_real_run_sends(
    world: DeliveryWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.day(DAY_A)
    assert world.run("--dry-run", "--json") == 0
    preview = json.loads(capsys.readouterr().out)["preview"]["targets"]
    assert list(preview) == ["github", "slack"]  # one section per target, the pull request first
    assert world.slack.messages == [] and world.github.pulls(REPO) == []  # nothing sent
    assert world.run() == 0
    assert len(world.slack.top_level()) == 1
    sent = world.slack.messages

    # identical but for the pull request link, which the dry run cannot know before the PR exists
    def without_link(blocks: list[dict]) -> list[dict]:
        return [b for b in blocks if b["type"] != "context"]

    assert [without_link(m.blocks) for m in sent] == [without_link(p["blocks"]) for p in preview["slack"]["messages"]]
    assert [m.text for m in sent] == [p["text"] for p in preview["slack"]["messages"]]
    real_diff = "".join(
        difflib.unified_diff(
            SEED.splitlines(keepends=True),
            world.branch_list().splitlines(keepends=True),
            fromfile="a/acme/papers:README.md",
            tofile="b/acme/papers:README.md",
        )
    )
    assert preview["github"]["diff"] == real_diff
    assert preview["github"]["pr_body"] == world.github.pull(REPO, 1).body
    commits = world.github.commits_on(REPO, BRANCH)
    assert preview["github"]["commit_message"] == commits[0].message  # newest first


def test_slack_down_still_updates_github_and_posts_next_run(world: DeliveryWorld) -> None:
    world.day(DAY_A)
    world.slack.fail("POST", "chat.postMessage", status=500, times=10)
    assert world.run() == 1
    assert world.slack.messages == [] and world.pr_ids()
    world.slack.clear_faults()
    commits = len(world.github.commits_on(REPO, BRANCH))
    assert world.run() == 0  # same day again: the pending digest goes out, GitHub untouched
    assert sorted(world.posted_ids()) == sorted(world.pr_ids())
    assert len(world.github.commits_on(REPO, BRANCH)) == commits


def test_github_down_still_posts_to_slack_and_adds_to_the_pr_next_run(world: DeliveryWorld) -> None:
    world.day(DAY_A)
    world.github.fail("POST", "/git/refs", status=502, times=10)
    assert world.run() == 1
    posted = set(world.posted_ids())
    assert posted and world.github.pulls(REPO) == []
    world.github.clear_faults()
    assert world.run() == 0
    assert world.pr_ids() == posted
    assert len(world.slack.messages) == 1  # no second digest


def test_lost_state_never_duplicates(world: DeliveryWorld) -> None:
    world.day(DAY_A)
    assert world.run() == 0
    posted, in_pr = world.posted_ids(), world.pr_ids()
    import shutil

    shutil.rmtree(world.tmp / "state")  # a fresh runner without its cache
    assert world.run() == 0
    assert world.posted_ids() == posted and world.pr_ids() == in_pr
    text = world.branch_list()
    for arxiv_id in in_pr:
        assert text.count(f"/abs/{arxiv_id})") == 1


def test_closed_pr_rejects_and_the_papers_never_come_back(world: DeliveryWorld) -> None:
    world.day(DAY_A)
    assert world.run() == 0
    rejected = world.pr_ids()
    world.github.close_pull(REPO, 1)
    import shutil

    shutil.rmtree(world.tmp / "state")
    assert world.run() == 0  # reads the closed PR; proposes none of its papers again
    assert [p.number for p in world.github.pulls(REPO)] == [1]
    assert len(world.slack.messages) == 1
    from watcher.state import State

    with State.open(world.tmp / "state" / "watcher.sqlite3") as state:
        assert {f.arxiv_id for f in state.feedback() if f.outcome == "rejected"} == rejected


def test_an_entry_deleted_after_a_failed_pr_update_stays_deleted(world: DeliveryWorld) -> None:
    """The list commit lands, the PR body update fails; a maintainer then deletes one of the new
    entries. The next run knows from its own commits that the paper was proposed: rejected, not
    re-added."""
    world.day(DAY_A)
    assert world.run() == 0
    first = world.pr_ids()
    world.day(DAY_B)
    world.github.fail("PATCH", r"/pulls/1$", status=502, times=10)
    assert world.run() == 1  # the digest still goes out; the PR update is retried next run
    world.github.clear_faults()
    doc = listfile.parse(world.branch_list())
    entry = next(e for e in doc.entries if e.arxiv_ids and not e.arxiv_ids & first)
    (gone,) = entry.arxiv_ids
    world.github.commit_file(
        REPO,
        BRANCH,
        "README.md",
        "".join(doc.lines[: entry.start] + doc.lines[entry.end :]),
        "maintainer rejects a paper",
    )
    assert world.run() == 0
    assert gone not in world.branch_list()
    assert gone in world.pr_ids()  # the PR still says it proposed it
    from watcher.state import State

    with State.open(world.state_path) as state:
        assert {f.arxiv_id for f in state.feedback() if f.outcome == "rejected"} == {gone}
    seen = len(world.github.requests)
    assert world.run() == 0  # and it stays rejected: nothing is written again
    assert gone not in world.branch_list()
    assert [r for r in world.github.requests[seen:] if r.method != "GET"] == []


def test_no_new_papers_is_said_once_a_day(world: DeliveryWorld) -> None:
    from tests.conftest import EMPTY_FEED

    world.reconfigure(slack={"post_empty": True})
    world.serve(EMPTY_FEED.read_bytes())
    assert world.run() == 0
    assert world.run() == 0  # unchanged feed (HTTP 304): nothing to say
    world.arxiv.set_feed(EMPTY_FEED.read_bytes(), query=QUERY, etag='"rebuilt"')
    assert world.run() == 0  # the same day served again
    texts = [m.text for m in world.slack.top_level()]
    assert texts == ["0 new papers for the list (2024-11-28)"]
