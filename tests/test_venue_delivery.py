"""Venue updates for listed papers, end to end: the daily run against the loopback arXiv API (the
real client, `id_list` pages) and the loopback GitHub (real PyGithub), with an injected clock for
the weekly cadence. One venue proposal per paper, in the list's style, in the one rolling pull
request beside the new papers; never again once proposed, merged or deleted by a maintainer."""

from __future__ import annotations

import difflib
import itertools
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EMPTY_FEED, SHARED
from tests.fakes.arxiv import FakeArxiv
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack
from tests.realdays import days, write_config
from tests.test_venue_updates import LINKED, LINKS
from tests.world import BRANCH, REPO, World, small_day
from watcher import build, listfile, venue_updates
from watcher.config import load_settings
from watcher.dryrun import Preview
from watcher.github_pr import GitHubPublisher, GitHubRepo
from watcher.pipeline import run_day
from watcher.ports import VenueUpdate
from watcher.proposal import proposed_in
from watcher.report import RunReport
from watcher.state import State
from watcher.summary import job_summary
from watcher.titles import title_key

T0 = datetime(2026, 3, 2, 6, 23, tzinfo=UTC)
DAY_A, DAY_B = days()[5], days()[6]
SPIRIT = "SpiRit-LM: Interleaved Spoken and Written Language Model"  # on the list by its title only

PAPERS: dict[str, dict[str, str]] = {  # what arXiv's metadata says about the listed papers
    LINKS["LLaMA-Omni"]: {"comment": "ICLR 2025 camera-ready; code at https://github.com/ictnlp/LLaMA-Omni"},
    LINKS["Moshi"]: {
        "comment": "Accepted at the 2026 IEEE International Conference on Acoustics, Speech and Signal Processing"
    },
    LINKS["SpeechPrompt"]: {"journal_ref": "IEEE/ACM Transactions on Audio, Speech, and Language Processing, 2024"},
    LINKS["WavCraft"]: {"comment": "Accepted to ICASSP 2025"},  # the list says ICLR 2024: not ours to change
    LINKS["Qwen2-Audio"]: {"comment": "Technical report, 20 pages"},
    LINKS["AudioGPT"]: {"comment": "Accepted to AAAI 2024. Code: https://github.com/AIGC-Audio/AudioGPT"},
    "2402.05755": {"journal_ref": "Transactions of the Association for Computational Linguistics, vol. 13, 2025"},
}
# the venue line each gets, under which entry
EXPECTED = {
    LINKS["Moshi"]: "  - ICASSP 2026\n",
    LINKS["LLaMA-Omni"]: "  - ICLR 2025\n",
    LINKS["AudioGPT"]: "  - AAAI 2024\n",
    "2402.05755": "  - TACL 2025\n",
}


class VenueWorld(World):
    """The delivery world with the seed list as its repository's list, some of its entries linked
    to arXiv (the way the bot links the papers it adds) and one found by `watcher enrich`."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.github.commit_file(REPO, "main", "README.md", LINKED, "Link some papers to arXiv")
        self.write_enrich_cache()
        for arxiv_id, meta in PAPERS.items():
            self.arxiv.add_paper(
                arxiv_id=arxiv_id,
                title=f"Paper {arxiv_id}",
                abstract="abstract",
                authors=["A. Author"],
                categories=["cs.CL"],
                submitted="2024-09-01T00:00:00Z",
                **meta,
            )
        self.logged: list[str] = []

    def write_enrich_cache(self) -> None:
        cache = self.state_path.parent / "enrich-cache.jsonl"
        cache.parent.mkdir(parents=True, exist_ok=True)
        paper = {"arxiv_id": "2402.05755", "title": SPIRIT, "abstract": "a"}
        cache.write_text(json.dumps({"key": title_key(SPIRIT), "paper": paper}) + "\n")

    def run_at(self, when: datetime, *, dry_run: bool = False) -> RunReport:
        """`watcher run`, with the clock showing `when`."""
        settings = load_settings(self.config)
        with build.open_state(settings, dry_run=dry_run) as state:
            run = build.run_adapters(
                settings,
                state=state,
                dry_run=dry_run,
                feeds=None,
                list_path=None,
                limit=None,
                preview=Preview(),
                log=self.logged.append,
            )
            run.clock = lambda: when
            return run_day(run)

    def body(self) -> str:
        (pr,) = self.open_pulls()
        return str(pr.body)

    def venue_section(self) -> str:
        body = self.body()
        return body[body.index(venue_updates.BEGIN) : body.index(venue_updates.END)]

    def venue_rows(self) -> dict[str, str]:
        return {i: u.venue for i, u in venue_updates.venues_in(self.body()).items()}

    def writes_since(self, n: int) -> list[Any]:
        return [r for r in self.github.requests[n:] if r.method != "GET"]

    def venues_in_state(self) -> dict[tuple[str, str], str]:
        with State.open(self.state_path) as state:
            return state.venues()


@pytest.fixture
def world(
    tmp_path: Path,
    fake_arxiv: FakeArxiv,
    fake_slack: FakeSlack,
    fake_github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    world_model: Path,
) -> VenueWorld:
    return VenueWorld(tmp_path, fake_arxiv, fake_slack, fake_github, monkeypatch, model_dir=world_model)


def changes(before: str, after: str) -> list[tuple[str, int, list[str], list[str]]]:
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [(tag, i1, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]


def venue_lines_added(before: str, after: str) -> dict[str, str]:
    """arXiv id -> the one line added under its entry; fails on any other change."""
    doc = listfile.parse(before)
    ends: dict[int, str] = {}
    for e in doc.entries:
        if e.arxiv_ids or e.title == SPIRIT:
            ends[e.end] = min(e.arxiv_ids) if e.arxiv_ids else "2402.05755"
    out = {}
    for tag, at, old, new in changes(before, after):
        assert tag == "insert" and old == [] and len(new) == 1, (tag, old, new)
        assert at in ends, f"a line added at {at}, not at the end of a listed paper's entry"
        out[ends[at]] = new[0]
    return out


# -- one proposal each, in the list's style; reruns add nothing ------------------------------------


def test_each_listed_paper_with_a_venue_gets_exactly_one_venue_line_and_reruns_add_nothing(world: VenueWorld) -> None:
    world.serve(EMPTY_FEED.read_bytes())  # a day without new papers: the venue updates alone
    report = world.run_at(T0)
    assert report.ok, report.failures
    assert venue_lines_added(LINKED, world.branch_list()) == EXPECTED
    assert world.venue_rows() == {i: line.strip("- \n") for i, line in EXPECTED.items()}
    assert proposed_in(world.body()) == {}
    (commit, *_) = world.github.commits_on(REPO, BRANCH)
    assert commit.message.splitlines()[0] == "Add venues to 4 listed papers (watcher)"
    assert sorted(commit.message.splitlines()[2:]) == sorted(
        f"arXiv:{i} {v.strip('- ').strip()}" for i, v in EXPECTED.items()
    )
    # one id_list request for the 7 listed papers with an arXiv id (a page holds 200)
    (call,) = world.arxiv.api_calls()
    assert sorted(call.query["id_list"].split(",")) == sorted(PAPERS) and call.query["max_results"] == "7"
    c = report.counts
    assert (c["venues_checked"], c["venues_proposed"]) == (7, 4)
    assert (c["venues_shown"], c["venues_other_venue"], c["venues_unclear"]) == (1, 1, 1)
    assert "venue updates 4 of 7 listed papers" in report.summary_line()
    summary = job_summary(report)
    assert "| venue updates proposed (listed papers checked) | 4 (7) |" in summary
    moshi_row = f"(https://arxiv.org/abs/{LINKS['Moshi']}) | ICASSP 2026 |"
    assert "| [Moshi: a speech-text foundation model for real-time dialogue]" + moshi_row in summary
    moshi = next(u for u in report.venue_updates if u.arxiv_id == LINKS["Moshi"])
    assert moshi.source == f"comment: {PAPERS[LINKS['Moshi']]['comment']}"
    assert f"| **ICASSP 2026** | comment: {PAPERS[LINKS['Moshi']]['comment']} |" in world.body()
    assert world.venues_in_state() == {(i, v.strip("- \n")): "proposed" for i, v in EXPECTED.items()}

    # later the same day and the next days: not due, not asked, nothing written
    branch, body, seen = world.branch_list(), world.body(), len(world.github.requests)
    for later in (timedelta(hours=3), timedelta(days=1), timedelta(days=6, hours=23)):
        assert world.run_at(T0 + later).ok
    assert len(world.arxiv.api_calls()) == 1 and world.writes_since(seen) == []

    # a week on: asked again, and nothing is proposed twice
    report = world.run_at(T0 + timedelta(days=7))
    assert report.ok and len(world.arxiv.api_calls()) == 2
    assert report.counts["venues_pending"] == 4 and report.venue_updates == []
    assert world.writes_since(seen) == [] and world.branch_list() == branch and world.body() == body


def test_the_metadata_comes_a_page_of_ids_per_request_at_arxivs_pacing(world: VenueWorld) -> None:
    world.reconfigure(arxiv={"api_page_size": 3, "api_delay": 0.3})
    world.serve(EMPTY_FEED.read_bytes())
    report = world.run_at(T0)
    assert report.ok and len(report.venue_updates) == 4
    calls = world.arxiv.api_calls()
    pages = [c.query["id_list"].split(",") for c in calls]
    assert [len(p) for p in pages] == [3, 3, 1] and sorted(i for p in pages for i in p) == sorted(PAPERS)
    assert [c.query["max_results"] for c in calls] == ["3", "3", "1"]
    # paced by the client (arrival times on a loaded machine jitter by a few hundredths)
    assert all(b.time - a.time >= 0.25 for a, b in itertools.pairwise(calls))


# -- a maintainer's deletion, a merge, a lost state -------------------------------------------------


def test_a_deleted_venue_line_is_recorded_and_never_proposed_again(world: VenueWorld) -> None:
    world.serve(EMPTY_FEED.read_bytes())
    assert world.run_at(T0).ok
    deleted = world.branch_list().replace("  - AAAI 2024\n", "")
    world.github.commit_file(REPO, BRANCH, "README.md", deleted, "No venue line for AudioGPT")
    report = world.run_at(T0 + timedelta(days=1))  # not due, yet the deletion is read and recorded
    assert report.counts["venue_outcomes_recorded"] == 1
    assert world.venues_in_state()[(LINKS["AudioGPT"], "AAAI 2024")] == "rejected"
    seen = len(world.github.requests)
    report = world.run_at(T0 + timedelta(days=8))
    assert report.ok and report.counts["venues_rejected"] == 1 and report.venue_updates == []
    assert world.branch_list() == deleted and world.writes_since(seen) == []

    # a runner without its state reads the same from the pull request and its branch
    shutil.rmtree(world.state_path.parent)
    world.write_enrich_cache()
    report = world.run_at(T0 + timedelta(days=9))
    assert report.ok and report.counts["venues_checked"] == 7 and report.venue_updates == []
    assert world.branch_list() == deleted and world.writes_since(seen) == []
    assert world.venues_in_state()[(LINKS["AudioGPT"], "AAAI 2024")] == "rejected"

    # merged: the three left are done, and none comes back on the next pull request
    world.github.merge_pull(REPO, 1)
    assert world.run_at(T0 + timedelta(days=20)).ok
    assert world.venues_in_state() == {
        (LINKS["Moshi"], "ICASSP 2026"): "merged",
        (LINKS["LLaMA-Omni"], "ICLR 2025"): "merged",
        ("2402.05755", "TACL 2025"): "merged",
        (LINKS["AudioGPT"], "AAAI 2024"): "rejected",
    }
    assert world.open_pulls() == [] and len(world.github.pulls(REPO)) == 1
    seen = len(world.github.requests)  # a closed venue-only PR costs no commit listing on later runs
    assert world.run_at(T0 + timedelta(days=21)).ok
    assert [r.path for r in world.github.requests[seen:] if "/commits" in r.path] == []


def test_a_closed_pull_request_rejects_its_venues(world: VenueWorld) -> None:
    world.serve(EMPTY_FEED.read_bytes())
    assert world.run_at(T0).ok
    world.github.close_pull(REPO, 1)
    report = world.run_at(T0 + timedelta(days=7))
    assert report.ok and report.counts["venues_rejected"] == 4 and report.venue_updates == []
    assert world.open_pulls() == []


# -- the one rolling pull request, shared with the new papers ----------------------------------------


def test_new_papers_then_venues_share_the_pull_request_without_disturbing_each_other(world: VenueWorld) -> None:
    world.serve(small_day(DAY_A))
    first = world.run_at(T0)
    assert first.ok and first.proposals and len(first.venue_updates) == 4
    papers_a = {s.paper.arxiv_id for s in first.proposals}
    assert set(proposed_in(world.body())) == papers_a and set(world.venue_rows()) == set(EXPECTED)
    venue_commit, paper_commit, *_ = world.github.commits_on(REPO, BRANCH)
    assert venue_commit.message.startswith("Add venues to 4 listed papers (watcher)\n")
    assert paper_commit.message.startswith(f"Add {len(papers_a)} paper")
    section = world.venue_section()

    world.serve(small_day(DAY_B))  # the next day: new papers only (the venues are not due)
    second = world.run_at(T0 + timedelta(days=1))
    assert second.ok and second.proposals and second.venue_updates == []
    papers_b = {s.paper.arxiv_id for s in second.proposals}
    assert set(proposed_in(world.body())) == papers_a | papers_b
    assert world.venue_section() == section  # the venue section as it was
    assert_each_once(world, papers_a | papers_b)


def test_venues_then_new_papers_then_more_venues_share_the_pull_request(world: VenueWorld) -> None:
    world.serve(EMPTY_FEED.read_bytes())
    assert world.run_at(T0).ok  # the pull request opens for venues alone
    section = world.venue_section()
    world.serve(small_day(DAY_A))
    day = world.run_at(T0 + timedelta(days=1))
    assert day.ok and day.proposals and day.venue_updates == []
    papers = {s.paper.arxiv_id for s in day.proposals}
    body = world.body()
    assert set(proposed_in(body)) == papers and world.venue_section() == section
    assert body.index("<!-- watcher:begin -->") < body.index(venue_updates.BEGIN)
    paper_part = body[: body.index(venue_updates.BEGIN)]

    # a week on, Qwen2-Audio's metadata now names a venue: the section grows, the papers' part stays
    world.arxiv.add_paper(
        arxiv_id=LINKS["Qwen2-Audio"],
        title="Qwen2-Audio Technical Report",
        abstract="a",
        authors=["A. Author"],
        categories=["eess.AS"],
        submitted="2024-07-15T00:00:00Z",
        journal_ref="Proc. Interspeech 2025, pp. 1-5",
    )
    later = world.run_at(T0 + timedelta(days=8))
    assert later.ok and [(u.arxiv_id, u.venue) for u in later.venue_updates] == [
        (LINKS["Qwen2-Audio"], "Interspeech 2025")
    ]
    assert world.body().startswith(paper_part) and set(proposed_in(world.body())) == papers
    assert len(world.venue_rows()) == 5
    assert_each_once(world, papers)
    assert [len(world.github.pulls(REPO)), len(world.open_pulls())] == [1, 1]


def assert_each_once(world: VenueWorld, papers: set[str]) -> None:
    """Each new paper once on the branch, each venue line once, the rest of the list as it was."""
    text = world.branch_list()
    for arxiv_id in papers:
        assert text.count(f"/abs/{arxiv_id})") == 1
    for venue in world.venue_rows().values():
        assert text.count(f"  - {venue}\n") == 1, venue
    kept = iter(text.splitlines())
    assert all(any(line == other for other in kept) for line in LINKED.splitlines()), "a line of the list changed"


# -- failures --------------------------------------------------------------------------------------


def test_arxiv_down_for_the_venues_still_delivers_the_new_papers_and_the_next_run_retries(
    world: VenueWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.serve(small_day(DAY_A))
    world.arxiv.fail("GET", "/api/query", status=503, times=10)
    assert world.run() == 1  # `watcher run`: the papers went out, the venue check failed
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        f"watcher: error: venue updates: arXiv API: HTTP 503 from 127.0.0.1:{world.arxiv.port} "
        "(gave up after 2 attempts)"
    )
    assert proposed_in(world.body()) and venue_updates.BEGIN not in world.body()
    assert world.posted() and world.venues_in_state() == {}
    world.arxiv.clear_faults()
    report = world.run_at(datetime.now(UTC) + timedelta(hours=1))  # the check never completed: due
    assert report.ok and len(report.venue_updates) == 4
    assert set(world.venue_rows()) == set(EXPECTED)
    assert_each_once(world, set(proposed_in(world.body())))


def test_a_venue_commit_whose_description_update_failed_is_listed_on_the_next_run(world: VenueWorld) -> None:
    world.serve(small_day(DAY_A))
    world.github.fail("PATCH", r"/pulls/1$", status=502, times=10)  # the PR opens; its update fails
    report = world.run_at(T0)
    assert [f.step for f in report.failures] == ["venue updates"]
    assert report.failures[0].message == "GitHub update pull request #1: HTTP 502: Bad Gateway"
    assert venue_updates.BEGIN not in world.body() and "  - ICASSP 2026\n" in world.branch_list()
    world.github.clear_faults()
    report = world.run_at(T0 + timedelta(hours=1))  # read back from the commit; the section is written
    assert report.ok and report.venue_updates == [] and report.counts["venues_pending"] == 4
    assert set(world.venue_rows()) == set(EXPECTED) and proposed_in(world.body())
    assert world.venues_in_state() == {(i, v.strip("- \n")): "proposed" for i, v in EXPECTED.items()}
    assert f"| [{SPIRIT}](https://arxiv.org/abs/2402.05755) | **TACL 2025** | – |" in world.body()
    assert_each_once(world, set(proposed_in(world.body())))
    # and a maintainer's deletion there is read as for any other
    world.github.commit_file(REPO, BRANCH, "README.md", world.branch_list().replace("  - TACL 2025\n", ""))
    assert world.run_at(T0 + timedelta(hours=2)).counts["venue_outcomes_recorded"] == 1
    assert world.venues_in_state()[("2402.05755", "TACL 2025")] == "rejected"


def test_an_entry_the_maintainer_removed_from_the_branch_gets_no_venue_there(world: VenueWorld) -> None:
    world.reconfigure(venues={"enabled": False})
    world.serve(small_day(DAY_A))
    assert world.run_at(T0).ok  # the pull request of the day's papers
    doc = listfile.parse(world.branch_list())
    omni = next(e for e in doc.entries if LINKS["LLaMA-Omni"] in e.arxiv_ids)
    removed = "".join(doc.lines[: omni.start] + doc.lines[omni.end :])
    world.github.commit_file(REPO, BRANCH, "README.md", removed, "LLaMA-Omni belongs elsewhere")
    world.reconfigure(venues={"enabled": True})
    report = world.run_at(T0 + timedelta(days=1))
    assert report.ok and {u.arxiv_id for u in report.venue_updates} == set(EXPECTED) - {LINKS["LLaMA-Omni"]}
    assert "venue updates: 1 left for the next check (their entries changed on the bot's branch)" in report.notes
    assert LINKS["LLaMA-Omni"] not in world.branch_list()


def test_a_list_without_arxiv_ids_says_so_and_asks_arxiv_nothing(world: VenueWorld) -> None:
    from tests.world import SEED

    world.github.commit_file(REPO, "main", "README.md", SEED, "The seed list as it ships: titles only")
    (world.state_path.parent / "enrich-cache.jsonl").unlink()
    world.serve(EMPTY_FEED.read_bytes())
    report = world.run_at(T0)
    assert report.ok and world.arxiv.api_calls() == [] and world.github.pulls(REPO) == []
    assert (
        "venue updates: none of the list's 125 entries has an arXiv id (a link, or an exact title found by "
        "`watcher enrich`)" in report.notes
    )


def test_a_list_that_writes_no_venues_gets_none_and_the_report_says_so(world: VenueWorld) -> None:
    bare = "".join(
        line for line in LINKED.splitlines(keepends=True) if not (line.startswith("  - ") and "[" not in line)
    )
    world.github.commit_file(REPO, "main", "README.md", bare, "No venues here")
    world.serve(EMPTY_FEED.read_bytes())
    report = world.run_at(T0)
    assert report.ok and report.venue_updates == [] and world.arxiv.api_calls() == []
    assert "venue updates: the list writes no venues (no venue lines, tags or venue column), so none are proposed" in (
        report.notes
    )
    assert world.github.pulls(REPO) == []


# -- dry run ------------------------------------------------------------------------------------------


def test_dry_run_shows_the_venue_commit_the_real_run_then_makes(
    world: VenueWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.serve(EMPTY_FEED.read_bytes())
    assert world.run("--dry-run", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    preview = out["preview"]["targets"]["github"]
    assert world.github.pulls(REPO) == [] and world.writes_since(0) == []  # nothing sent
    assert not world.state_path.exists()
    assert preview["where"] == "would open a new pull request, adding venues to 4 entries of acme/papers:README.md"
    assert {u["arxiv_id"] for u in out["venue_updates"]} == set(EXPECTED)
    assert world.run() == 0
    real_diff = "".join(
        difflib.unified_diff(
            LINKED.splitlines(keepends=True),
            world.branch_list().splitlines(keepends=True),
            fromfile="a/acme/papers:README.md",
            tofile="b/acme/papers:README.md",
        )
    )
    assert preview["venue_diff"] == real_diff
    assert preview["venue_commit_message"] == world.github.commits_on(REPO, BRANCH)[0].message
    assert preview["pr_body"] == world.body()


def test_dry_run_with_new_papers_shows_both_commits_and_the_body_the_real_run_writes(
    world: VenueWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.serve(small_day(DAY_A))
    assert world.run("--dry-run", "--json") == 0
    preview = json.loads(capsys.readouterr().out)["preview"]["targets"]["github"]
    assert preview["where"].startswith("would open a new pull request, adding ")
    assert preview["where"].endswith(" entries to acme/papers:README.md, and venues to 4 entries")
    assert world.run() == 0
    venue_commit, paper_commit, *_ = world.github.commits_on(REPO, BRANCH)

    def diff(a: str, b: str) -> str:
        return "".join(
            difflib.unified_diff(
                a.splitlines(keepends=True),
                b.splitlines(keepends=True),
                fromfile="a/acme/papers:README.md",
                tofile="b/acme/papers:README.md",
            )
        )

    with_papers = paper_commit.tree["README.md"].decode()
    assert preview["diff"] == diff(LINKED, with_papers)  # the new papers, then the venues on top
    assert preview["venue_diff"] == diff(with_papers, venue_commit.tree["README.md"].decode())
    assert preview["pr_body"] == world.body()


def test_dry_run_of_a_local_list_shows_the_venue_diff_without_any_token(
    tmp_path: Path,
    fake_arxiv: FakeArxiv,
    world_model: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from watcher.cli import main

    for name in ("GITHUB_TOKEN", "SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name)
    the_list = tmp_path / "list.md"
    the_list.write_text(LINKED)
    for arxiv_id, meta in PAPERS.items():
        fake_arxiv.add_paper(
            arxiv_id=arxiv_id,
            title="t",
            abstract="a",
            authors=["A"],
            categories=["cs.CL"],
            submitted="2024-09-01T00:00:00Z",
            **meta,
        )
    fake_arxiv.set_feed(EMPTY_FEED.read_bytes())
    config = write_config(
        tmp_path,
        rss_url=fake_arxiv.url + "/rss/",
        api_url=fake_arxiv.api_url,
        model_dir=world_model,
        embeddings=False,
        list={"file": the_list},
        backfill={"auto": False},
    )
    assert main(["run", "--config", str(config), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "venue updates for 3 listed papers (a commit of their own):" in out  # SpiRit-LM needs `watcher enrich`
    plus = [line for line in out.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert sorted(plus) == ["+  - AAAI 2024", "+  - ICASSP 2026", "+  - ICLR 2025"]
    assert the_list.read_text() == LINKED and not (tmp_path / "state").exists()


# -- another list style, at the publisher ---------------------------------------------------------


@pytest.fixture
def tagged(fake_github: FakeGitHub) -> Iterator[tuple[FakeGitHub, str]]:
    text = (SHARED / "lists" / "DEEP-PolyU__Awesome-GraphRAG@48abc5a.md").read_text(encoding="utf-8")
    fake_github.create_repo("acme", "papers", files={"README.md": text})
    yield fake_github, text


def publisher(fake: FakeGitHub) -> GitHubPublisher:
    from tests.test_github_pr import client

    gh = GitHubRepo(client(fake), REPO, path="README.md", branch=BRANCH)
    return GitHubPublisher(gh, title="New papers for the list", labels=["watcher"])


def test_a_tagged_list_gets_its_preprint_tags_replaced_and_a_reverted_tag_is_a_rejection(
    tagged: tuple[FakeGitHub, str],
) -> None:
    fake, text = tagged
    doc = listfile.parse(text)
    entries = doc.section("Graphs for Knowledge Indexing").entries
    preprints = [e for e in entries if e.arxiv_ids and "arXiv" in e.venue][:2]
    venues = ("ICASSP 2026", "ACL 2025 Findings")
    updates = [
        VenueUpdate(sorted(e.arxiv_ids)[0], e.title, v, "comment: x", "2026-03-02")
        for e, v in zip(preprints, venues, strict=True)
    ]
    done = publisher(fake).propose_venues(updates)
    assert done.applied == tuple(updates) and done.ref == "1"
    after = fake.file_at(REPO, BRANCH, "README.md").decode()
    assert [(tag, old, new) for tag, _, old, new in changes(text, after)] == [
        ("replace", [doc.lines[e.start]], [doc.lines[e.start].replace(f"({e.venue})", f"({v})", 1)])
        for e, v in zip(preprints, venues, strict=True)
    ]
    (pr,) = fake.pulls(REPO)
    assert set(venue_updates.venues_in(pr.body)) == {u.arxiv_id for u in updates}
    assert publisher(fake).propose_venues(updates).applied == ()  # shown now: nothing twice

    # the maintainer puts one preprint tag back: that venue is rejected, the other stays proposed
    reverted = after.replace("(ACL 2025 Findings)", "(arXiv 2025)")
    fake.commit_file(REPO, BRANCH, "README.md", reverted, "not Findings")
    outcomes = {(o.arxiv_id, o.outcome) for o in publisher(fake).venue_review()}
    assert outcomes == {(updates[0].arxiv_id, "proposed"), (updates[1].arxiv_id, "rejected")}
