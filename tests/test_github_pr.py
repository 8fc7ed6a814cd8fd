"""The rolling pull request, through real PyGithub against the stateful loopback GitHub."""

from __future__ import annotations

import difflib
from datetime import date

import pytest
from github import Auth, Github, GithubRetry

from tests import builders
from tests.conftest import SEED_LIST
from tests.fakes.github import FakeGitHub
from watcher import listfile
from watcher.errors import DeliveryError
from watcher.github_pr import GitHubPublisher, GitHubRepo
from watcher.paper import Paper
from watcher.proposal import BEGIN, END, proposed_in
from watcher.scoring import Neighbour, Scored

REPO = "acme/papers"
SEED = SEED_LIST.read_text()
DAY1, DAY2 = date(2025, 5, 21), date(2025, 5, 22)


def scored(arxiv_id: str, title: str, heading: str = "codec", relevance: float = 0.91) -> Scored:
    return builders.scored(
        arxiv_id,
        title,
        heading=heading,
        relevance=relevance,
        heading_scores={heading: 0.8, "multi-task": 0.1},
        day=DAY1,
        nearest=(Neighbour("SoundStream", "codec", 0.71),),
        terms=("codec", "tokens"),
    )


A = scored("2505.10001", "A Neural Codec for Speech LLMs")
B = scored("2505.10002", "Spoken Dialogue with Full-Duplex LLMs", "multi-task")
C = scored("2505.20003", "Benchmarking Audio LLM Reasoning", "benchmark")


def client(fake: FakeGitHub, token: str = "ghp_test_token", retry: GithubRetry | None = None) -> Github:
    return Github(
        auth=Auth.Token(token),
        base_url=fake.url,
        retry=retry,
        seconds_between_requests=None,
        seconds_between_writes=None,
        timeout=5,
    )


def publisher(fake: FakeGitHub, **kw) -> GitHubPublisher:
    gh = GitHubRepo(client(fake, **kw), REPO, path="README.md", branch="watcher/new-papers")
    return GitHubPublisher(gh, title="New papers for the list", labels=["watcher", "papers"])


@pytest.fixture
def repo(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.create_repo("acme", "papers", files={"README.md": SEED})
    return fake_github


def branch_list(fake: FakeGitHub) -> str:
    return fake.file_at(REPO, "watcher/new-papers", "README.md").decode()


def diff_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    d = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [x[2:] for x in d if x.startswith("+ ")], [x[2:] for x in d if x.startswith("- ")]


def test_first_run_opens_one_labelled_pr_adding_only_the_proposed_entries(repo: FakeGitHub) -> None:
    pub = publisher(repo)
    pub.reconcile()
    done = pub.publish([A, B], day=DAY1)
    (pr,) = repo.pulls(REPO)
    assert (pr.number, pr.state, pr.head, pr.base) == (1, "open", "watcher/new-papers", "main")
    assert done.ref == "1" and done.delivered == {A.paper.arxiv_id, B.paper.arxiv_id}
    assert sorted(pr.labels) == ["papers", "watcher"] and sorted(repo.labels(REPO)) == ["papers", "watcher"]
    added, removed = diff_lines(SEED, branch_list(repo))
    assert removed == []
    assert added == [
        "- Spoken Dialogue with Full-Duplex LLMs",
        "  - [arXiv](https://arxiv.org/abs/2505.10002)",
        "- A Neural Codec for Speech LLMs",
        "  - [arXiv](https://arxiv.org/abs/2505.10001)",
    ]
    doc = listfile.parse(branch_list(repo))
    assert doc.section("codec").entries[0].title == "A Neural Codec for Speech LLMs"
    assert doc.section("multi-task").entries[0].title == "Spoken Dialogue with Full-Duplex LLMs"
    assert repo.file_at(REPO, "main", "README.md").decode() == SEED  # base untouched
    assert set(proposed_in(pr.body)) == {A.paper.arxiv_id, B.paper.arxiv_id}
    assert (
        "- **[A Neural Codec for Speech LLMs](https://arxiv.org/abs/2505.10001)** — **codec** · relevance 0.91 "
        "· nearest there: “SoundStream”\n"
    ) in pr.body


@pytest.mark.parametrize(
    "fault",
    [
        ("POST", r"/issues/1/labels$", "status"),  # the label call failed
        ("POST", r"/pulls$", "lost_answer"),  # the PR was opened, but its answer was lost
    ],
    ids=["label call failed", "open answer lost"],
)
def test_every_run_that_touches_the_pr_makes_sure_its_labels_are_there(
    repo: FakeGitHub, fault: tuple[str, str, str]
) -> None:
    method, path, kind = fault
    repo.fail(method, path, kind=kind, status=502)
    with pytest.raises(DeliveryError):
        publisher(repo).publish([A], day=DAY1)
    (pr,) = repo.pulls(REPO)
    assert pr.labels == ()  # the failed run left it without labels
    pub = publisher(repo)
    pub.reconcile()
    pub.publish([C], day=DAY2)
    assert sorted(repo.pull(REPO, 1).labels) == ["papers", "watcher"]
    label_requests = repo.count("*", r"/labels$")
    again = publisher(repo)
    again.reconcile()
    again.publish([C], day=DAY2)  # labelled already: no label request at all
    assert repo.count("*", r"/labels$") == label_requests


def test_second_run_same_day_changes_nothing(repo: FakeGitHub) -> None:
    pub = publisher(repo)
    pub.publish([A], day=DAY1)
    commits = len(repo.commits_on(REPO, "watcher/new-papers"))
    body = repo.pull(REPO, 1).body
    writes = repo.count("PUT|POST|PATCH", "")
    again = publisher(repo)
    again.reconcile()
    done = again.publish([A], day=DAY1)
    assert done.delivered == {A.paper.arxiv_id}
    assert len(repo.commits_on(REPO, "watcher/new-papers")) == commits
    assert repo.pull(REPO, 1).body == body and len(repo.pulls(REPO)) == 1
    assert repo.count("PUT|POST|PATCH", "") == writes


def test_next_day_updates_the_same_pr_and_keeps_human_text_and_edits(repo: FakeGitHub) -> None:
    publisher(repo).publish([A, B], day=DAY1)
    # a maintainer moves A to "other", deletes B, and writes in the PR body
    text = branch_list(repo)
    doc = listfile.parse(text)
    a_entry = doc.section("codec").entries[0]
    b_entry = doc.section("multi-task").entries[0]
    lines = list(doc.lines)
    a_lines = lines[a_entry.start : a_entry.end]
    moved_or_deleted = set(range(a_entry.start, a_entry.end)) | set(range(b_entry.start, b_entry.end))
    keep = [ln for i, ln in enumerate(lines) if i not in moved_or_deleted]
    edited = "".join(keep)
    edited = edited.replace("## other\n", "## other\n" + "".join(a_lines), 1)
    repo.commit_file(REPO, "watcher/new-papers", "README.md", edited, "maintainer edits")
    human = "Thanks bot! Please double-check the codec one.\n\n"
    maintainer = client(repo).get_repo(REPO).get_pull(1)
    maintainer.edit(body=human + maintainer.body + "\n\nSigned, the maintainers")

    pub = publisher(repo)
    recon = pub.reconcile()
    assert [(f.arxiv_id, f.outcome) for f in recon.feedback] == [(B.paper.arxiv_id, "rejected")]
    assert recon.proposed == {A.paper.arxiv_id, B.paper.arxiv_id}
    pub.publish([C], day=DAY2)
    assert len(repo.pulls(REPO)) == 1
    after = listfile.parse(branch_list(repo))
    assert after.section("other").entries[0].title == "A Neural Codec for Speech LLMs"  # move kept
    assert not any(e.title.startswith("Spoken Dialogue") for e in after.entries)  # deletion kept
    assert after.section("benchmark").entries[0].title == "Benchmarking Audio LLM Reasoning"
    body = repo.pull(REPO, 1).body
    assert body.startswith(human) and body.endswith("Signed, the maintainers")
    assert body.count(BEGIN) == 1 and body.count(END) == 1
    assert set(proposed_in(body)) == {A.paper.arxiv_id, B.paper.arxiv_id, C.paper.arxiv_id}
    assert [c.message.split("\n")[0] for c in repo.commits_on(REPO, "watcher/new-papers")][:1] == [
        "Add 1 paper proposed by watcher"
    ]


def test_merged_pr_gives_accepted_and_corrected_headings_then_a_new_pr_starts(repo: FakeGitHub) -> None:
    publisher(repo).publish([A, B], day=DAY1)
    text = branch_list(repo)
    moved = text.replace("- A Neural Codec for Speech LLMs\n  - [arXiv](https://arxiv.org/abs/2505.10001)\n", "", 1)
    moved = moved.replace(
        "## other\n", "## other\n- A Neural Codec for Speech LLMs\n  - [arXiv](https://arxiv.org/abs/2505.10001)\n", 1
    )
    repo.merge_pull(REPO, 1, files_override={"README.md": moved})
    pub = publisher(repo)
    recon = pub.reconcile()
    outcomes = {f.arxiv_id: (f.outcome, f.heading, f.proposed_heading) for f in recon.feedback}
    assert outcomes == {
        A.paper.arxiv_id: ("accepted", "other", "codec"),
        B.paper.arxiv_id: ("accepted", "multi-task", "multi-task"),
    }
    assert recon.open_pr_url is None
    done = pub.publish([C], day=DAY2)
    assert done.ref == "2" and len(repo.pulls(REPO)) == 2
    added, removed = diff_lines(repo.file_at(REPO, "main", "README.md").decode(), branch_list(repo))
    assert removed == [] and added[0] == "- Benchmarking Audio LLM Reasoning"


def test_closed_pr_rejects_its_papers(repo: FakeGitHub) -> None:
    publisher(repo).publish([A, B], day=DAY1)
    repo.close_pull(REPO, 1)
    recon = publisher(repo).reconcile()
    assert {(f.arxiv_id, f.outcome) for f in recon.feedback} == {
        (A.paper.arxiv_id, "rejected"),
        (B.paper.arxiv_id, "rejected"),
    }
    assert recon.proposed == {A.paper.arxiv_id, B.paper.arxiv_id}


def test_stale_sha_is_reread_and_retried_once(repo: FakeGitHub) -> None:
    pub = publisher(repo)
    pub.publish([A], day=DAY1)
    repo.fail("PUT", "/contents/README.md", status=409, body={"message": "README.md is at abc but expected def"})
    done = publisher(repo).publish([C], day=DAY2)
    assert C.paper.arxiv_id in done.delivered
    assert "Benchmarking Audio LLM Reasoning" in branch_list(repo)


def test_409_twice_fails_with_step_and_status(repo: FakeGitHub) -> None:
    publisher(repo).publish([A], day=DAY1)
    repo.fail(
        "PUT", "/contents/README.md", status=409, times=2, body={"message": "README.md is at abc but expected def"}
    )
    with pytest.raises(DeliveryError) as err:
        publisher(repo).publish([C], day=DAY2)
    assert err.value.message == (
        "GitHub commit README.md to watcher/new-papers: HTTP 409: README.md is at abc but expected def"
    )


def test_pr_already_exists_422_updates_that_pr(repo: FakeGitHub) -> None:
    pub = publisher(repo)
    pub.reconcile()  # sees no open PR
    other = publisher(repo)
    other.publish([A], day=DAY1)  # meanwhile another run opened PR #1
    done = pub.publish([C], day=DAY2)
    assert done.ref == "1" and len(repo.pulls(REPO)) == 1
    assert set(proposed_in(repo.pull(REPO, 1).body)) >= {C.paper.arxiv_id}


def test_bad_token(repo: FakeGitHub) -> None:
    pub = publisher(repo, token="ghp_wrong")
    with pytest.raises(DeliveryError) as err:
        pub.reconcile()
    assert err.value.message == (
        "GitHub read repository acme/papers: HTTP 401: Bad credentials "
        "(check the token in the environment variable named by github.token_env)"
    )
    assert "ghp_wrong" not in err.value.message


def test_missing_repo_and_missing_list_are_404s(fake_github: FakeGitHub) -> None:
    with pytest.raises(DeliveryError, match=r"GitHub read repository acme/papers: HTTP 404: Not Found"):
        publisher(fake_github).reconcile()
    fake_github.create_repo("acme", "papers", files={"other.md": "x"})
    with pytest.raises(DeliveryError) as err:
        publisher(fake_github).reconcile()
    assert err.value.message == (
        "GitHub read README.md on main: HTTP 404: acme/papers has no README.md on main "
        "(check list.path and github.base_branch)"
    )


def test_actions_may_not_create_pull_requests(repo: FakeGitHub) -> None:
    repo.set_permissions(REPO, actions_can_create_prs=False)
    with pytest.raises(DeliveryError) as err:
        publisher(repo).publish([A], day=DAY1)
    assert err.value.message.startswith("GitHub open pull request: HTTP 403: GitHub Actions is not permitted")
    assert "Allow GitHub Actions to create and approve pull requests" in err.value.message


def test_no_write_permission_is_a_403(repo: FakeGitHub) -> None:
    repo.set_permissions(REPO, can_write=False)
    with pytest.raises(
        DeliveryError,
        match=r"GitHub create branch watcher/new-papers: HTTP 403: "
        r"Resource not accessible by integration",
    ):
        publisher(repo).publish([A], day=DAY1)


def test_rate_limit_is_named_with_its_reset_time(repo: FakeGitHub) -> None:
    repo.rate_limit(times=1, path_regex="/pulls")
    with pytest.raises(DeliveryError) as err:
        publisher(repo).reconcile()
    assert err.value.message.startswith("GitHub list the bot's pull requests: HTTP 403: API rate limit exceeded")
    assert "(rate limit exceeded; resets at " in err.value.message


def test_server_errors_are_retried_then_reported(repo: FakeGitHub) -> None:
    repo.fail("GET", "/pulls", status=502, times=10)
    pub = publisher(repo, retry=GithubRetry(total=2, backoff_factor=0))
    with pytest.raises(DeliveryError) as err:
        pub.reconcile()
    assert err.value.message.startswith("GitHub list the bot's pull requests: server errors persisted after retries")
    assert repo.count("GET", "/pulls") == 3


def test_server_error_once_is_absorbed_by_retry(repo: FakeGitHub) -> None:
    repo.fail("GET", "/pulls", status=503, times=1)
    pub = publisher(repo, retry=GithubRetry(total=2, backoff_factor=0))
    assert pub.reconcile().proposed == frozenset()


def test_requests_per_typical_day(repo: FakeGitHub) -> None:
    """What a first day and a following day cost in GitHub requests (reported in the notes)."""
    pub = publisher(repo)
    pub.reconcile()
    pub.gh.read()
    pub.publish([A, B], day=DAY1)
    first = len(repo.requests)
    repo.clear_log()
    pub = publisher(repo)
    pub.reconcile()
    pub.gh.read()
    pub.publish([C], day=DAY2)
    second = len(repo.requests)
    assert (first, second) == (11, 7)  # the following day also reads the PR's commits


# -- what a maintainer may do to the pull request ---------------------------------------------


def without_entry(text: str, title_start: str) -> str:
    doc = listfile.parse(text)
    e = next(e for e in doc.entries if e.title.startswith(title_start))
    return "".join(doc.lines[: e.start] + doc.lines[e.end :])


def test_a_heading_renamed_on_the_branch_refiles_instead_of_blocking_everyone(repo: FakeGitHub) -> None:
    publisher(repo).publish([A], day=DAY1)
    renamed = branch_list(repo).replace("## benchmark\n", "## Benchmarks & evaluation\n", 1)
    repo.commit_file(REPO, "watcher/new-papers", "README.md", renamed, "maintainer renames a heading")
    a2 = scored("2505.20009", "Another Neural Codec for Speech")
    pub = publisher(repo)
    pub.reconcile()
    done = pub.publish([a2, C], day=DAY2)  # C was proposed under "benchmark"
    assert done.delivered == {a2.paper.arxiv_id, C.paper.arxiv_id} and done.error is None
    doc = listfile.parse(branch_list(repo))
    assert C.paper.arxiv_id in doc.section("multi-task").entries[0].arxiv_ids  # its best heading the list has
    assert proposed_in(repo.pull(REPO, 1).body)[C.paper.arxiv_id].heading == "multi-task"


def test_a_paper_with_no_heading_on_the_list_waits_and_the_others_go(repo: FakeGitHub) -> None:
    lost = Scored(
        Paper("2505.20010", "Singing Voice LLM", "abstract", announced=DAY1),
        0.9,
        True,
        "songs",
        "tunes",
        {"songs": 0.7, "tunes": 0.3},
    )
    pub = publisher(repo)
    pub.reconcile()
    done = pub.publish([lost, A], day=DAY1)
    assert done.delivered == {A.paper.arxiv_id}
    assert done.error is not None and "arXiv:2505.20010" in done.error and "none of their headings" in done.error
    assert "Singing Voice LLM" not in branch_list(repo)


def test_a_retargeted_open_pr_is_updated_never_reset(repo: FakeGitHub) -> None:
    publisher(repo).publish([A], day=DAY1)
    repo.create_branch(REPO, "next", "main")
    client(repo).get_repo(REPO).get_pull(1).edit(base="next")
    pub = publisher(repo)
    pub.reconcile()
    pub.publish([C], day=DAY2)
    text = branch_list(repo)
    assert "A Neural Codec for Speech LLMs" in text and "Benchmarking Audio LLM Reasoning" in text
    assert [p.number for p in repo.pulls(REPO)] == [1]
    assert set(proposed_in(repo.pull(REPO, 1).body)) == {A.paper.arxiv_id, C.paper.arxiv_id}


def test_a_description_rewritten_without_the_markers_keeps_every_proposal(repo: FakeGitHub) -> None:
    publisher(repo).publish([A, B], day=DAY1)
    client(repo).get_repo(REPO).get_pull(1).edit(body="Reviewing this batch on Friday.")
    repo.commit_file(
        REPO,
        "watcher/new-papers",
        "README.md",
        without_entry(branch_list(repo), "Spoken Dialogue"),
        "maintainer rejects B",
    )
    pub = publisher(repo)
    recon = pub.reconcile()  # the bot's commits still name A and B
    assert recon.proposed == {A.paper.arxiv_id, B.paper.arxiv_id}
    assert [(f.arxiv_id, f.outcome) for f in recon.feedback] == [(B.paper.arxiv_id, "rejected")]
    pub.publish([C], day=DAY2)
    body = repo.pull(REPO, 1).body
    assert body.endswith("Reviewing this batch on Friday.")
    papers = proposed_in(body)
    assert set(papers) == {A.paper.arxiv_id, B.paper.arxiv_id, C.paper.arxiv_id}
    assert (papers[A.paper.arxiv_id].title, papers[A.paper.arxiv_id].heading) == (
        "A Neural Codec for Speech LLMs",
        "codec",
    )


def test_a_paper_committed_before_a_failed_body_update_is_still_known_as_proposed(repo: FakeGitHub) -> None:
    publisher(repo).publish([A], day=DAY1)
    repo.fail("PATCH", r"/pulls/1$", status=502, times=1)
    with pytest.raises(DeliveryError, match="update pull request #1"):
        publisher(repo).publish([C], day=DAY2)
    repo.commit_file(
        REPO,
        "watcher/new-papers",
        "README.md",
        without_entry(branch_list(repo), "Benchmarking"),
        "maintainer rejects C",
    )
    recon = publisher(repo).reconcile()
    assert C.paper.arxiv_id in recon.proposed
    assert [(f.arxiv_id, f.outcome) for f in recon.feedback] == [(C.paper.arxiv_id, "rejected")]
