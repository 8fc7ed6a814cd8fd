"""FakeGitHub driven by real PyGithub 2.10 over loopback HTTP."""

from __future__ import annotations

import pytest
import requests
from github import (
    Auth,
    BadCredentialsException,
    Github,
    GithubException,
    RateLimitExceededException,
    UnknownObjectException,
)

from tests.fakes.github import FakeGitHub, blob_sha

REPO = "acme/papers"
LIST = b"# Papers\n\n## codec\n- Old paper\n"


def gh(fake: FakeGitHub, token: str = "ghp_test_token", **kw) -> Github:
    kw.setdefault("timeout", 5)
    return Github(
        auth=Auth.Token(token),
        base_url=fake.url,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
        **kw,
    )


@pytest.fixture
def repo_fake(fake_github):
    fake_github.create_repo("acme", "papers", {"papers.md": LIST, "docs/README.md": b"hi\n"})
    return fake_github


def raised(exc_type, call) -> GithubException:
    with pytest.raises(exc_type) as info:
        call()
    return info.value


def test_full_bot_flow(repo_fake):
    repo = gh(repo_fake).get_repo(REPO)
    assert repo.default_branch == "main" and repo.url == f"{repo_fake.url}/repos/{REPO}"

    main_sha = repo.get_git_ref("heads/main").object.sha
    repo.create_git_ref("refs/heads/bot/arxiv-2025-01-07", main_sha)
    current = repo.get_contents("papers.md", ref="bot/arxiv-2025-01-07")
    assert current.decoded_content == LIST and current.sha == blob_sha(LIST)

    new = LIST + b"- New paper\n"
    result = repo.update_file("papers.md", "Add 1 paper", new, current.sha, branch="bot/arxiv-2025-01-07")
    assert result["content"].sha == blob_sha(new)
    assert repo_fake.file_at(REPO, "bot/arxiv-2025-01-07", "papers.md") == new
    assert repo_fake.file_at(REPO, "main", "papers.md") == LIST
    [tip, root] = repo_fake.commits_on(REPO, "bot/arxiv-2025-01-07")
    assert (tip.sha, tip.parents, tip.message) == (result["commit"].sha, (root.sha,), "Add 1 paper")

    assert list(repo.get_pulls(state="open", head="acme:bot/arxiv-2025-01-07", base="main")) == []
    pr = repo.create_pull(
        base="main", head="bot/arxiv-2025-01-07", title="arXiv: 1 paper", body="v1", maintainer_can_modify=True
    )
    assert (pr.number, pr.state, pr.head.ref, pr.head.sha) == (1, "open", "bot/arxiv-2025-01-07", tip.sha)
    assert pr.html_url == f"{repo_fake.url}/acme/papers/pull/1"
    pr.add_to_labels("arxiv-bot")
    pr.edit(body="v2")
    assert pr.body == "v2" and not pr.is_merged()

    [found] = repo.get_pulls(state="open", head="acme:bot/arxiv-2025-01-07", base="main")
    assert (found.number, found.body, [lab.name for lab in found.labels]) == (1, "v2", ["arxiv-bot"])
    assert repo_fake.pull(REPO, 1).labels == ("arxiv-bot",)

    merge_sha = repo_fake.merge_pull(REPO, 1)
    assert pr.is_merged() and repo.get_pull(1).merged and repo.get_pull(1).state == "closed"
    assert repo_fake.file_at(REPO, "main", "papers.md") == new
    assert repo_fake.commits_on(REPO, "main")[0].sha == merge_sha

    auth = {r.header("authorization") for r in repo_fake.requests}
    assert auth == {"token ghp_test_token"}
    # add_to_labels posts a bare JSON array to the issue URL
    [labels_req] = repo_fake.requests_to("POST", f"/repos/{REPO}/issues/1/labels")
    assert labels_req.json == ["arxiv-bot"]


def test_branch_names_with_slashes(repo_fake):
    repo = gh(repo_fake).get_repo(REPO)
    sha = repo_fake.create_branch(REPO, "bot/a/b")
    assert repo.get_branch("bot/a/b").commit.sha == sha
    assert repo.get_git_ref("heads/bot/a/b").ref == "refs/heads/bot/a/b"
    assert raised(UnknownObjectException, lambda: repo.get_branch("nope")).status == 404


def test_ref_errors_fast_forward_and_delete(repo_fake):
    repo = gh(repo_fake).get_repo(REPO)
    base = repo_fake.head_sha(REPO, "main")
    ref = repo.create_git_ref("refs/heads/bot/x", base)
    e = raised(GithubException, lambda: repo.create_git_ref("refs/heads/bot/x", base))
    assert (e.status, e.data["message"]) == (422, "Reference already exists")
    e = raised(GithubException, lambda: repo.create_git_ref("refs/heads/bot/y", "0" * 40))
    assert (e.status, e.data["message"]) == (422, "Object does not exist")

    ahead = repo_fake.commit_file(REPO, "bot/x", "papers.md", LIST + b"- x\n")
    repo_fake.commit_file(REPO, "main", "other.md", b"maintainer\n")  # main moves on
    ref.edit(ahead)  # fast-forward of bot/x: fine
    e = raised(GithubException, lambda: ref.edit(repo_fake.head_sha(REPO, "main")))
    assert (e.status, e.data["message"]) == (422, "Update is not a fast forward")
    ref.edit(repo_fake.head_sha(REPO, "main"), force=True)
    assert repo_fake.head_sha(REPO, "bot/x") == repo_fake.head_sha(REPO, "main")

    repo_fake.commit_file(REPO, "bot/x", "papers.md", b"changed\n")
    repo.create_pull(base="main", head="bot/x", title="t")
    ref.delete()
    assert "bot/x" not in repo_fake.branches(REPO)
    assert repo_fake.pull(REPO, 1).state == "closed"  # GitHub closes PRs whose head branch is deleted


def test_contents_errors_and_listing(repo_fake):
    g = gh(repo_fake)
    repo = g.get_repo(REPO)
    assert raised(UnknownObjectException, lambda: repo.get_contents("missing.md")).status == 404
    assert raised(UnknownObjectException, lambda: g.get_repo("acme/nope")).status == 404
    assert sorted(c.path for c in repo.get_contents("")) == ["docs", "papers.md"]
    assert [c.path for c in repo.get_contents("docs")] == ["docs/README.md"]
    created = repo.create_file("new.md", "create", "fresh\n", branch="main")
    assert created["content"].path == "new.md" and repo_fake.file_at(REPO, "main", "new.md") == b"fresh\n"


def test_stale_sha_is_409_after_a_maintainer_push(repo_fake):
    repo = gh(repo_fake).get_repo(REPO)
    repo_fake.create_branch(REPO, "bot/x")
    stale = repo.get_contents("papers.md", ref="bot/x").sha
    repo_fake.commit_file(REPO, "bot/x", "papers.md", LIST + b"- maintainer fix\n")
    e = raised(GithubException, lambda: repo.update_file("papers.md", "m", b"bot\n", stale, branch="bot/x"))
    current = blob_sha(LIST + b"- maintainer fix\n")
    assert e.status == 409 and e.data["message"] == f"papers.md is at {current} but expected {stale}"
    assert repo_fake.file_at(REPO, "bot/x", "papers.md").endswith(b"maintainer fix\n")


def test_large_file_needs_raw_media_type(fake_github):
    big = b"x" * (1024 * 1024 + 1)
    fake_github.create_repo("acme", "big", {"big.md": big})
    content = gh(fake_github).get_repo("acme/big").get_contents("big.md")
    assert (content.encoding, content.size) == ("none", len(big))
    with pytest.raises(AssertionError, match="unsupported encoding: none"):  # PyGithub refuses to decode it
        _ = content.decoded_content
    raw = requests.get(
        f"{fake_github.url}/repos/acme/big/contents/big.md",
        timeout=5,
        headers={"Authorization": "token ghp_test_token", "Accept": "application/vnd.github.raw"},
    )
    assert raw.content == big


def test_pull_creation_errors(repo_fake):
    repo = gh(repo_fake).get_repo(REPO)
    repo_fake.create_branch(REPO, "bot/x")
    e = raised(GithubException, lambda: repo.create_pull(base="main", head="bot/x", title="t"))
    assert e.status == 422 and e.data["errors"][0]["message"] == "No commits between main and bot/x"
    repo_fake.commit_file(REPO, "bot/x", "papers.md", b"new\n")
    repo.create_pull(base="main", head="acme:bot/x", title="t")
    e = raised(GithubException, lambda: repo.create_pull(base="main", head="bot/x", title="t"))
    assert e.status == 422 and e.data["errors"][0]["message"] == "A pull request already exists for acme:bot/x."
    e = raised(GithubException, lambda: repo.create_pull(base="main", head="bot/none", title="t"))
    assert e.status == 422 and e.data["errors"][0]["field"] == "head"


def test_pull_listing_filters_and_pagination(repo_fake):
    repo = gh(repo_fake, per_page=2).get_repo(REPO)
    for i in range(5):
        repo_fake.create_branch(REPO, f"b{i}")
        repo_fake.commit_file(REPO, f"b{i}", "papers.md", f"{i}\n")
        repo.create_pull(base="main", head=f"b{i}", title=f"pr {i}")
    repo_fake.close_pull(REPO, 2)

    open_numbers = [p.number for p in repo.get_pulls(state="open")]
    assert open_numbers == [5, 4, 3, 1]  # newest first, every PR exactly once across pages
    assert repo.get_pulls(state="open").totalCount == 4
    assert [p.number for p in repo.get_pulls(state="closed")] == [2]
    assert len(list(repo.get_pulls(state="all"))) == 5
    assert [p.number for p in repo.get_pulls(state="all", head="acme:b1")] == [2]  # b0..b4 -> #1..#5
    # without the "owner:" prefix GitHub ignores the head filter
    assert len(list(repo.get_pulls(state="open", head="b1"))) == 4
    assert repo_fake.requests_to("GET", f"/repos/{REPO}/pulls")[0].query["per_page"] == "2"
    page2 = requests.get(
        f"{repo_fake.url}/repos/{REPO}/pulls",
        timeout=5,
        params={"state": "all", "per_page": 2, "page": 2},
        headers={"Authorization": "token ghp_test_token"},
    )
    assert [p["number"] for p in page2.json()] == [3, 2]
    rels = {part.split('rel="')[1].rstrip('"') for part in page2.headers["Link"].split(", ")}
    assert rels == {"prev", "first", "next", "last"} and "page=3" in page2.headers["Link"]


def test_edit_close_and_reopen(repo_fake):
    repo = gh(repo_fake).get_repo(REPO)
    repo_fake.create_branch(REPO, "bot/x")
    repo_fake.commit_file(REPO, "bot/x", "papers.md", b"new\n")
    pr = repo.create_pull(base="main", head="bot/x", title="t", body="b")
    pr.edit(title="t2", state="closed")
    assert (repo_fake.pull(REPO, 1).title, repo_fake.pull(REPO, 1).state) == ("t2", "closed")
    pr.edit(state="open")
    assert repo.get_pull(1).state == "open"


def test_labels_and_comments(repo_fake):
    repo = gh(repo_fake).get_repo(REPO)
    assert raised(UnknownObjectException, lambda: repo.get_label("arxiv-bot")).status == 404
    repo.create_label("arxiv-bot", "0e8a16", "opened by the bot")
    assert repo.get_label("arxiv-bot").color == "0e8a16"
    e = raised(GithubException, lambda: repo.create_label("ARXIV-BOT", "ffffff"))
    assert e.status == 422 and e.data["errors"][0]["code"] == "already_exists"

    repo_fake.create_branch(REPO, "bot/x")
    repo_fake.commit_file(REPO, "bot/x", "papers.md", b"new\n")
    pr = repo.create_pull(base="main", head="bot/x", title="t")
    pr.add_to_labels("arxiv-bot", "needs review")  # unknown labels are created on the fly
    assert [lab.name for lab in pr.get_labels()] == ["arxiv-bot", "needs review"]
    assert sorted(repo_fake.labels(REPO)) == ["arxiv-bot", "needs review"]
    pr.remove_from_labels("needs review")
    assert [lab.name for lab in repo.get_pull(1).labels] == ["arxiv-bot"]

    pr.create_issue_comment("Updated with 2 papers")
    assert [c.body for c in pr.get_issue_comments()] == ["Updated with 2 papers"]
    assert repo_fake.issue_comments(REPO, 1) == ["Updated with 2 papers"]


def test_merge_keeps_base_changes_and_applies_override(repo_fake):
    repo = gh(repo_fake).get_repo(REPO)
    repo_fake.create_branch(REPO, "bot/x")
    repo_fake.commit_file(REPO, "bot/x", "papers.md", LIST + b"- bot\n")
    repo_fake.commit_file(REPO, "main", "CONTRIBUTING.md", b"be nice\n")
    repo.create_pull(base="main", head="bot/x", title="t")
    repo_fake.merge_pull(REPO, 1, files_override={"papers.md": LIST + b"- bot (edited on merge)\n"})
    files = repo_fake.files_at(REPO, "main")
    assert files["CONTRIBUTING.md"] == b"be nice\n"
    assert files["papers.md"].endswith(b"(edited on merge)\n")
    assert repo_fake.commits_on(REPO, "main")[0].parents[1] == repo_fake.head_sha(REPO, "bot/x")


def test_auth_and_permission_errors(repo_fake):
    e = raised(BadCredentialsException, lambda: gh(repo_fake, token="ghp_wrong").get_repo(REPO))
    assert (e.status, e.data["message"]) == (401, "Bad credentials")
    assert gh(repo_fake).get_user().login == "watcher-bot"

    repo = gh(repo_fake).get_repo(REPO)
    repo_fake.create_branch(REPO, "bot/x")
    repo_fake.commit_file(REPO, "bot/x", "papers.md", b"new\n")
    repo_fake.set_permissions(REPO, actions_can_create_prs=False)
    e = raised(GithubException, lambda: repo.create_pull(base="main", head="bot/x", title="t"))
    assert (e.status, e.data["message"]) == (403, "GitHub Actions is not permitted to create or approve pull requests.")
    repo_fake.set_permissions(REPO, can_write=False)
    sha = repo.get_contents("papers.md").sha  # reads still work
    e = raised(GithubException, lambda: repo.update_file("papers.md", "m", b"x", sha))
    assert (e.status, e.data["message"]) == (403, "Resource not accessible by integration")


def test_rate_limits_surface_as_rate_limit_exceptions(repo_fake):
    g = gh(repo_fake)
    repo_fake.rate_limit(reset_in=1)
    e = raised(RateLimitExceededException, lambda: g.get_repo(REPO))
    assert e.status == 403 and e.headers["x-ratelimit-remaining"] == "0"
    repo_fake.rate_limit(secondary=True)
    assert raised(RateLimitExceededException, lambda: g.get_repo(REPO)).status == 403
    assert g.get_repo(REPO).full_name == REPO


def test_transport_faults(repo_fake):
    repo = gh(repo_fake).get_repo(REPO)
    repo_fake.fail("GET", "/contents/", status=502)
    assert raised(GithubException, lambda: repo.get_contents("papers.md")).status == 502
    repo_fake.fail("GET", "/contents/", kind="reset")
    with pytest.raises(requests.exceptions.ConnectionError):
        repo.get_contents("papers.md")
    repo_fake.fail("GET", "/contents/", kind="truncate")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        repo.get_contents("papers.md")
    slow = gh(repo_fake, timeout=1).get_repo(REPO)  # PyGithub asserts an int timeout
    repo_fake.fail("GET", "/contents/", kind="delay", seconds=2)
    with pytest.raises(requests.exceptions.ReadTimeout):
        slow.get_contents("papers.md")
    # a 200 with a non-JSON body does NOT raise in PyGithub: the object just holds {"data": "<html>..."}
    repo_fake.fail("GET", f"^/repos/{REPO}$", kind="garbage")
    assert "data" in gh(repo_fake).get_repo(REPO).raw_data
    assert repo.get_contents("papers.md").decoded_content == LIST
