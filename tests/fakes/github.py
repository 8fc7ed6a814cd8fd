"""FakeGitHub: a small stateful GitHub REST API, good enough for PyGithub 2.10.

Models: repositories with branches (refs -> commit sha), commits holding a full
tree of files, git-exact blob shas (so `update_file` sha checks behave), the
contents API (base64, 60-column wrapped; > 1 MB files come back with
`encoding: "none"` unless `Accept: application/vnd.github.raw`), refs
(create / fast-forward-checked update / delete), pull requests (create with
GitHub's 422s, list with state/head/base filters and Link pagination, edit,
merged check), labels (auto-created when added to an issue), issue comments,
token auth (401 "Bad credentials"), per-repo write permission (403 "Resource
not accessible by integration"), "Actions may not create PRs" (403) and the
rate-limit answers PyGithub recognises (`rate_limit()`).

Every JSON object carries `url`, `html_url`, `issue_url`… on the fake's own base
URL, because PyGithub follows them. `get_pulls(head=...)` without the `owner:`
prefix ignores the filter, as GitHub does.

Not modelled: forks, tags, trees/blobs endpoints, reviews, checks, merge
conflicts (merges are file-level three-way, head wins), GraphQL, search.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlencode

from .loopback import LoopbackServer, Request, Response, json_response

__all__ = ["FakeGitHub", "GitCommit", "GitHubError", "PullRequest", "blob_sha"]

DOCS = "https://docs.github.com/rest"
RAW_MEDIA = "application/vnd.github.raw"
ONE_MB = 1024 * 1024


def blob_sha(content: bytes) -> str:
    """The git blob sha of `content`, as GitHub reports it in the contents API."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class GitCommit:
    sha: str
    tree: dict[str, bytes]
    parents: tuple[str, ...]
    message: str
    date: str
    author: str = "watcher-bot"


@dataclass(frozen=True)
class PullRequest:
    number: int
    title: str
    body: str | None
    head: str
    base: str
    user: str
    state: str = "open"
    merged: bool = False
    draft: bool = False
    maintainer_can_modify: bool = True
    labels: tuple[str, ...] = ()
    head_sha: str = ""
    created_at: str = ""
    updated_at: str = ""
    closed_at: str | None = None
    merged_at: str | None = None
    merge_commit_sha: str | None = None


@dataclass
class _Repo:
    id: int
    owner: str
    name: str
    default_branch: str
    private: bool = False
    can_write: bool = True
    actions_can_create_prs: bool = True
    branches: dict[str, str] = field(default_factory=dict)
    commits: dict[str, GitCommit] = field(default_factory=dict)
    pulls: dict[int, PullRequest] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)  # lower(name) -> {name, color, description}
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    next_number: int = 1

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


class GitHubError(Exception):
    def __init__(self, status: int, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def _validation(message: str | None = None, **error: Any) -> GitHubError:
    err = {"resource": "PullRequest", **error}
    if message:
        err.update(code="custom", message=message)
    return GitHubError(422, "Validation Failed", [err])


class FakeGitHub(LoopbackServer):
    """Point `Github(auth=Auth.Token(token), base_url=fake.url, retry=None, ...)` at it."""

    garbage_body = b"<!DOCTYPE html><html><body>Unicorn! Something went wrong"

    def __init__(self, token: str = "ghp_test_token", *, login: str = "watcher-bot"):
        super().__init__()
        self.token, self.login = token, login
        self._repos: dict[str, _Repo] = {}
        self._ids = itertools.count(1001)
        self._served = 0
        R = r"/repos/([^/]+)/([^/]+)"
        routes: list[tuple[str, str, Callable[..., Any]]] = [
            ("GET", r"/user", self._get_user),
            ("GET", r"/users/([^/]+)", self._get_named_user),
            ("GET", R, self._get_repo),
            ("GET", R + r"/branches/(.+)", self._get_branch),
            ("GET", R + r"/git/refs", self._list_refs),
            ("GET", R + r"/git/refs?/heads/(.+)", self._get_ref),
            ("POST", R + r"/git/refs", self._create_ref),
            ("PATCH", R + r"/git/refs/heads/(.+)", self._update_ref),
            ("DELETE", R + r"/git/refs/heads/(.+)", self._delete_ref),
            ("GET", R + r"/git/commits/([0-9a-f]{40})", self._get_git_commit),
            ("GET", R + r"/commits", self._list_commits),
            ("GET", R + r"/commits/(.+)", self._get_commit),
            ("GET", R + r"/contents/?(.*)", self._get_contents),
            ("PUT", R + r"/contents/(.+)", self._put_contents),
            ("DELETE", R + r"/contents/(.+)", self._delete_contents),
            ("GET", R + r"/pulls", self._list_pulls),
            ("POST", R + r"/pulls", self._create_pull),
            ("GET", R + r"/pulls/(\d+)", self._get_pull),
            ("PATCH", R + r"/pulls/(\d+)", self._edit_pull),
            ("GET", R + r"/pulls/(\d+)/merge", self._is_merged),
            ("GET", R + r"/pulls/(\d+)/commits", self._pull_commits),
            ("GET", R + r"/labels", self._list_labels),
            ("POST", R + r"/labels", self._create_label),
            ("GET", R + r"/labels/([^/]+)", self._get_label),
            ("GET", R + r"/issues/(\d+)", self._get_issue),
            ("GET", R + r"/issues/(\d+)/labels", self._issue_labels),
            ("POST", R + r"/issues/(\d+)/labels", self._add_labels),
            ("PUT", R + r"/issues/(\d+)/labels", self._set_labels),
            ("DELETE", R + r"/issues/(\d+)/labels", self._clear_labels),
            ("DELETE", R + r"/issues/(\d+)/labels/([^/]+)", self._remove_label),
            ("GET", R + r"/issues/(\d+)/comments", self._list_comments),
            ("POST", R + r"/issues/(\d+)/comments", self._create_comment),
        ]
        for method, rx, handler in routes:
            self.route(method, rx, self._api(method, rx.startswith(R), handler))

    # == test-control API ====================================================
    def create_repo(
        self,
        owner: str,
        name: str,
        files: dict[str, bytes | str] | None = None,
        default_branch: str = "main",
        *,
        private: bool = False,
        can_write: bool = True,
        actions_can_create_prs: bool = True,
    ) -> str:
        """Create `owner/name` with one initial commit holding `files`; returns "owner/name"."""
        with self.lock:
            repo = _Repo(next(self._ids), owner, name, default_branch, private, can_write, actions_can_create_prs)
            self._repos[repo.full_name.lower()] = repo
            tree = {p: _bytes(c) for p, c in (files or {}).items()}
            repo.branches[default_branch] = self._commit(repo, tree, (), "Initial commit")
            return repo.full_name

    def set_permissions(
        self, repo: str, *, can_write: bool | None = None, actions_can_create_prs: bool | None = None
    ) -> None:
        with self.lock:
            r = self._repo(repo)
            if can_write is not None:
                r.can_write = can_write
            if actions_can_create_prs is not None:
                r.actions_can_create_prs = actions_can_create_prs

    def branches(self, repo: str) -> dict[str, str]:
        with self.lock:
            return dict(self._repo(repo).branches)

    def head_sha(self, repo: str, branch: str) -> str:
        with self.lock:
            return self._repo(repo).branches[branch]

    def create_branch(self, repo: str, branch: str, from_ref: str | None = None) -> str:
        with self.lock:
            r = self._repo(repo)
            r.branches[branch] = self._sha(r, from_ref or r.default_branch)
            return r.branches[branch]

    def delete_branch(self, repo: str, branch: str) -> None:
        with self.lock:
            self._drop_branch(self._repo(repo), branch)

    def files_at(self, repo: str, ref: str) -> dict[str, bytes]:
        with self.lock:
            r = self._repo(repo)
            return dict(r.commits[self._sha(r, ref)].tree)

    def file_at(self, repo: str, ref: str, path: str) -> bytes:
        """Content of `path` at a branch or commit sha; KeyError if absent."""
        return self.files_at(repo, ref)[path]

    def commit_file(
        self, repo: str, branch: str, path: str, content: bytes | str | None, message: str = "Maintainer edit"
    ) -> str:
        """Push a commit changing one file on `branch` (None deletes it); returns the commit sha."""
        with self.lock:
            r = self._repo(repo)
            tree = dict(r.commits[r.branches[branch]].tree)
            if content is None:
                tree.pop(path, None)
            else:
                tree[path] = _bytes(content)
            r.branches[branch] = self._commit(r, tree, (r.branches[branch],), message)
            return r.branches[branch]

    def commits_on(self, repo: str, branch: str) -> list[GitCommit]:
        """Commits reachable from `branch` along first parents, newest first."""
        with self.lock:
            r = self._repo(repo)
            out, sha = [], r.branches[branch]
            while sha:
                c = r.commits[sha]
                out.append(c)
                sha = c.parents[0] if c.parents else ""
            return out

    def pulls(self, repo: str) -> list[PullRequest]:
        with self.lock:
            r = self._repo(repo)
            return [self._fresh(r, p) for _, p in sorted(r.pulls.items())]

    def pull(self, repo: str, number: int) -> PullRequest:
        with self.lock:
            r = self._repo(repo)
            return self._fresh(r, r.pulls[number])

    def labels(self, repo: str) -> list[str]:
        with self.lock:
            return [lab["name"] for lab in self._repo(repo).labels.values()]

    def issue_comments(self, repo: str, number: int) -> list[str]:
        with self.lock:
            return [c["body"] for c in self._repo(repo).comments.get(number, [])]

    def merge_pull(
        self,
        repo: str,
        number: int,
        files_override: dict[str, bytes | str | None] | None = None,
        *,
        delete_branch: bool = False,
    ) -> str:
        """Merge PR `number` as a maintainer would; returns the merge commit sha.

        The base gets every file the head changed since their merge base (head
        wins), then `files_override` (None deletes), as a merge commit.
        """
        with self.lock:
            r = self._repo(repo)
            pr = self._fresh(r, r.pulls[number])
            if pr.state != "open":
                raise ValueError(f"PR #{number} is {pr.state}")
            base_sha, head_sha = r.branches[pr.base], pr.head_sha
            mb = self._merge_base(r, base_sha, head_sha)
            base_t, head_t = r.commits[base_sha].tree, r.commits[head_sha].tree
            mb_t = r.commits[mb].tree if mb else {}
            tree = dict(base_t)
            for path in set(head_t) | set(mb_t):
                if head_t.get(path) != mb_t.get(path):
                    if path in head_t:
                        tree[path] = head_t[path]
                    else:
                        tree.pop(path, None)
            for path, content in (files_override or {}).items():
                if content is None:
                    tree.pop(path, None)
                else:
                    tree[path] = _bytes(content)
            sha = self._commit(r, tree, (base_sha, head_sha), f"Merge pull request #{number} from {r.owner}/{pr.head}")
            r.branches[pr.base] = sha
            now = _now()
            r.pulls[number] = replace(
                pr, state="closed", merged=True, merged_at=now, closed_at=now, updated_at=now, merge_commit_sha=sha
            )
            if delete_branch:
                r.branches.pop(pr.head, None)
            return sha

    def close_pull(self, repo: str, number: int) -> None:
        with self.lock:
            r = self._repo(repo)
            pr = self._fresh(r, r.pulls[number])
            now = _now()
            r.pulls[number] = replace(pr, state="closed", closed_at=now, updated_at=now)

    def rate_limit(
        self,
        *,
        times: int = 1,
        reset_in: int = 1,
        secondary: bool = False,
        method: str | None = None,
        path_regex: str = "",
    ) -> None:
        """Answer the next `times` matching requests with GitHub's 403 rate-limit response."""
        if secondary:
            body = {
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                "documentation_url": DOCS,
            }
            headers = {"Retry-After": str(reset_in)}
        else:
            body = {"message": "API rate limit exceeded for installation ID 1001.", "documentation_url": DOCS}
            headers = {
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Used": "5000",
                "X-RateLimit-Reset": str(int(time.time()) + reset_in),
                "X-RateLimit-Resource": "core",
            }
        self.fail(method, path_regex, status=403, body=body, headers=headers, times=times)

    # == dialect =============================================================
    def default_error_body(self, status: int) -> Response:
        return json_response(
            {"message": HTTPStatus(status).phrase, "documentation_url": DOCS, "status": str(status)}, status
        )

    def not_found(self, req: Request) -> Response:
        return json_response({"message": "Not Found", "documentation_url": DOCS, "status": "404"}, 404)

    def _api(self, method: str, on_repo: bool, handler: Callable[..., Any]) -> Callable[..., Response]:
        def run(req: Request, *groups: str) -> Response:
            self._served += 1
            headers = {
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": str(max(0, 5000 - self._served)),
                "X-RateLimit-Reset": str(int(time.time()) + 3600),
                "X-RateLimit-Used": str(self._served),
                "X-RateLimit-Resource": "core",
            }
            try:
                self._check_auth(req)
                if req.body and req.json is None:
                    raise GitHubError(400, "Problems parsing JSON")
                if on_repo:
                    repo = self._repos.get(f"{groups[0]}/{groups[1]}".lower())
                    if repo is None:
                        raise GitHubError(404, "Not Found")
                    if method != "GET" and not repo.can_write:
                        raise GitHubError(403, "Resource not accessible by integration")
                    result = handler(req, repo, *groups[2:])
                else:
                    result = handler(req, *groups)
            except GitHubError as e:
                body: dict[str, Any] = {"message": e.message, "documentation_url": DOCS, "status": str(e.status)}
                if e.errors:
                    body["errors"] = e.errors
                return json_response(body, e.status, headers)
            if isinstance(result, Response):
                result.headers = {**headers, **result.headers}
                return result
            status = 201 if method == "POST" else 200
            if isinstance(result, tuple):
                status, result = result
            if status == 204:
                return Response(204, b"", headers)
            return json_response(result, status, headers)

        return run

    def _check_auth(self, req: Request) -> None:
        header = req.header("authorization") or ""
        scheme, _, token = header.partition(" ")
        if not header:
            raise GitHubError(401, "Requires authentication")
        if scheme.lower() not in ("token", "bearer") or token != self.token:
            raise GitHubError(401, "Bad credentials")

    # == handlers: users & repos ============================================
    def _get_user(self, req: Request) -> dict[str, Any]:
        return self._user(self.login, "Bot" if self.login.endswith("[bot]") else "User")

    def _get_named_user(self, req: Request, login: str) -> dict[str, Any]:
        return self._user(login)

    def _get_repo(self, req: Request, r: _Repo) -> dict[str, Any]:
        return self._repo_json(r)

    def _get_branch(self, req: Request, r: _Repo, branch: str) -> dict[str, Any]:
        if branch not in r.branches:
            raise GitHubError(404, "Branch not found")
        sha = r.branches[branch]
        return {
            "name": branch,
            "commit": self._commit_json(r, r.commits[sha]),
            "protected": False,
            "_links": {
                "self": f"{self._api_base(r)}/branches/{quote(branch)}",
                "html": f"{self._html_base(r)}/tree/{quote(branch)}",
            },
        }

    # == handlers: refs & commits ============================================
    def _list_refs(self, req: Request, r: _Repo) -> Response:
        refs = [self._ref_json(r, b) for b in sorted(r.branches)]
        return self._paginate(req, refs)

    def _get_ref(self, req: Request, r: _Repo, branch: str) -> dict[str, Any]:
        if branch not in r.branches:
            raise GitHubError(404, "Not Found")
        return self._ref_json(r, branch)

    def _create_ref(self, req: Request, r: _Repo) -> Any:
        body = _body(req)
        ref, sha = str(body.get("ref") or ""), str(body.get("sha") or "")
        if not ref.startswith("refs/heads/") or ref.count("/") < 2:
            raise GitHubError(422, "Reference update failed")
        if sha not in r.commits:
            raise GitHubError(422, "Object does not exist")
        branch = ref.removeprefix("refs/heads/")
        if branch in r.branches:
            raise GitHubError(422, "Reference already exists")
        r.branches[branch] = sha
        return 201, self._ref_json(r, branch)

    def _update_ref(self, req: Request, r: _Repo, branch: str) -> Any:
        body = _body(req)
        sha = str(body.get("sha") or "")
        if branch not in r.branches:
            raise GitHubError(422, "Reference does not exist")
        if sha not in r.commits:
            raise GitHubError(422, "Object does not exist")
        if not body.get("force") and r.branches[branch] not in self._ancestors(r, sha):
            raise GitHubError(422, "Update is not a fast forward")
        r.branches[branch] = sha
        return self._ref_json(r, branch)

    def _delete_ref(self, req: Request, r: _Repo, branch: str) -> Any:
        if branch not in r.branches:
            raise GitHubError(422, "Reference does not exist")
        self._drop_branch(r, branch)
        return 204, None

    def _get_git_commit(self, req: Request, r: _Repo, sha: str) -> dict[str, Any]:
        if sha not in r.commits:
            raise GitHubError(404, "Not Found")
        return self._git_commit_json(r, r.commits[sha])

    def _get_commit(self, req: Request, r: _Repo, ref: str) -> dict[str, Any]:
        return self._commit_json(r, r.commits[self._resolve_or_404(r, ref)], with_files=True)

    def _list_commits(self, req: Request, r: _Repo) -> Response:
        head = self._resolve_or_404(r, req.query.get("sha") or r.default_branch)
        order = {sha: i for i, sha in enumerate(r.commits)}  # creation order
        commits = sorted((r.commits[s] for s in self._ancestors(r, head)), key=lambda c: order[c.sha], reverse=True)
        path = req.query.get("path")
        if path:
            commits = [
                c
                for c in commits
                if c.tree.get(path) != (r.commits[c.parents[0]].tree.get(path) if c.parents else None)
            ]
        return self._paginate(req, [self._commit_json(r, c) for c in commits])

    # == handlers: contents ===================================================
    def _get_contents(self, req: Request, r: _Repo, path: str) -> Any:
        ref = req.query.get("ref") or r.default_branch
        sha = self._resolve(r, ref)
        if sha is None:
            raise GitHubError(404, f"No commit found for the ref {ref}")
        tree = r.commits[sha].tree
        path = path.strip("/")
        if path in tree:
            data = tree[path]
            if RAW_MEDIA in (req.header("accept") or ""):
                return Response(200, data, {"Content-Type": RAW_MEDIA})
            return self._content_json(r, ref, path, data, with_content=True)
        prefix = f"{path}/" if path else ""
        children = sorted({p[len(prefix) :].split("/")[0] for p in tree if p.startswith(prefix)})
        if not children:
            raise GitHubError(404, "Not Found")
        entries = []
        for name in children:
            child = prefix + name
            if child in tree:
                entries.append(self._content_json(r, ref, child, tree[child], with_content=False))
            else:
                entries.append(
                    {
                        "type": "dir",
                        "name": name,
                        "path": child,
                        "sha": _tree_sha(tree, child),
                        "size": 0,
                        "url": f"{self._api_base(r)}/contents/{quote(child)}?ref={quote(ref)}",
                        "html_url": f"{self._html_base(r)}/tree/{ref}/{child}",
                        "download_url": None,
                        "git_url": f"{self._api_base(r)}/git/trees/{_tree_sha(tree, child)}",
                    }
                )
        return entries

    def _put_contents(self, req: Request, r: _Repo, path: str) -> Any:
        body = _body(req)
        for key in ("message", "content"):
            if not isinstance(body.get(key), str):
                raise GitHubError(422, f'Invalid request.\n\n"{key}" wasn\'t supplied.')
        try:
            content = base64.b64decode(body["content"], validate=True)
        except ValueError:
            raise GitHubError(422, "content is not valid Base64") from None
        branch = body.get("branch") or r.default_branch
        if branch not in r.branches:
            raise GitHubError(404, f"Branch {branch} not found")
        tree = dict(r.commits[r.branches[branch]].tree)
        existed = path in tree
        if existed:
            self._check_blob_sha(path, tree[path], body.get("sha"))
        tree[path] = content
        sha = self._commit(r, tree, (r.branches[branch],), body["message"])
        r.branches[branch] = sha
        result = {
            "content": self._content_json(r, branch, path, content, with_content=False),
            "commit": self._git_commit_json(r, r.commits[sha]),
        }
        return (200 if existed else 201), result

    def _delete_contents(self, req: Request, r: _Repo, path: str) -> Any:
        body = _body(req)
        branch = body.get("branch") or r.default_branch
        if branch not in r.branches:
            raise GitHubError(404, f"Branch {branch} not found")
        tree = dict(r.commits[r.branches[branch]].tree)
        if path not in tree:
            raise GitHubError(404, "Not Found")
        self._check_blob_sha(path, tree[path], body.get("sha"))
        del tree[path]
        sha = self._commit(r, tree, (r.branches[branch],), str(body.get("message") or "Delete"))
        r.branches[branch] = sha
        return {"content": None, "commit": self._git_commit_json(r, r.commits[sha])}

    @staticmethod
    def _check_blob_sha(path: str, current: bytes, given: Any) -> None:
        if not given:
            raise GitHubError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
        if given != blob_sha(current):
            raise GitHubError(409, f"{path} is at {blob_sha(current)} but expected {given}")

    # == handlers: pulls =====================================================
    def _list_pulls(self, req: Request, r: _Repo) -> Response:
        q = req.query
        state = q.get("state", "open")
        pulls = [self._fresh(r, p) for p in r.pulls.values()]
        if state != "all":
            pulls = [p for p in pulls if p.state == state]
        head = q.get("head", "")
        if ":" in head:  # GitHub ignores a head filter without the "owner:" part
            owner, _, branch = head.partition(":")
            pulls = [p for p in pulls if owner.lower() == r.owner.lower() and p.head == branch]
        if q.get("base"):
            pulls = [p for p in pulls if p.base == q["base"]]
        key = (lambda p: p.updated_at) if q.get("sort") == "updated" else (lambda p: p.number)
        default_dir = "desc" if q.get("sort", "created") in ("created", "updated") else "asc"
        pulls.sort(key=key, reverse=q.get("direction", default_dir) == "desc")
        return self._paginate(req, [self._pull_json(r, p) for p in pulls])

    def _create_pull(self, req: Request, r: _Repo) -> Any:
        if not r.actions_can_create_prs:
            raise GitHubError(403, "GitHub Actions is not permitted to create or approve pull requests.")
        body = _body(req)
        base, head = str(body.get("base") or ""), str(body.get("head") or "")
        owner, _, branch = head.rpartition(":")
        if not body.get("title"):
            raise _validation(field="title", code="missing_field")
        if base not in r.branches:
            raise _validation(field="base", code="invalid")
        if (owner and owner.lower() != r.owner.lower()) or branch not in r.branches:
            raise _validation(field="head", code="invalid")
        for p in r.pulls.values():
            if p.state == "open" and p.head == branch and p.base == base:
                raise _validation(f"A pull request already exists for {r.owner}:{branch}.")
        head_sha = r.branches[branch]
        if head_sha in self._ancestors(r, r.branches[base]):
            raise _validation(f"No commits between {base} and {branch}")
        number, now = r.next_number, _now()
        r.next_number += 1
        r.pulls[number] = PullRequest(
            number,
            body["title"],
            body.get("body"),
            branch,
            base,
            self.login,
            draft=bool(body.get("draft", False)),
            maintainer_can_modify=bool(body.get("maintainer_can_modify", True)),
            head_sha=head_sha,
            created_at=now,
            updated_at=now,
        )
        return 201, self._pull_json(r, r.pulls[number])

    def _get_pull(self, req: Request, r: _Repo, number: str) -> dict[str, Any]:
        return self._pull_json(r, self._pull_or_404(r, number))

    def _pull_commits(self, req: Request, r: _Repo, number: str) -> Response:
        """The PR's own commits, oldest first (at most 250, as GitHub): reachable from its head
        and not from its base (for a merged PR: the base as it was before the merge)."""
        pr = self._pull_or_404(r, number)
        if pr.merged and pr.merge_commit_sha:
            base_sha = r.commits[pr.merge_commit_sha].parents[0]
        else:
            base_sha = r.branches.get(pr.base, "")
        excluded = set(self._ancestors(r, base_sha)) if base_sha else set()
        order = {sha: i for i, sha in enumerate(r.commits)}
        own = sorted(
            (r.commits[sha] for sha in self._ancestors(r, pr.head_sha) if sha not in excluded),
            key=lambda c: order[c.sha],
        )[:250]
        return self._paginate(req, [self._commit_json(r, c) for c in own])

    def _edit_pull(self, req: Request, r: _Repo, number: str) -> dict[str, Any]:
        pr, body = self._pull_or_404(r, number), _body(req)
        changes: dict[str, Any] = {k: body[k] for k in ("title", "body", "base", "maintainer_can_modify") if k in body}
        if "base" in changes and changes["base"] not in r.branches:
            raise _validation(field="base", code="invalid")
        state = body.get("state")
        now = _now()
        if state == "closed" and pr.state == "open":
            changes.update(state="closed", closed_at=now)
        elif state == "open" and pr.state == "closed":
            if pr.merged:
                raise _validation("state cannot be changed. The pull request has been merged.")
            changes.update(state="open", closed_at=None)
        r.pulls[pr.number] = replace(pr, updated_at=now, **changes)
        return self._pull_json(r, r.pulls[pr.number])

    def _is_merged(self, req: Request, r: _Repo, number: str) -> Any:
        if self._pull_or_404(r, number).merged:
            return 204, None
        raise GitHubError(404, "Not Found")

    # == handlers: labels & comments =========================================
    def _list_labels(self, req: Request, r: _Repo) -> Response:
        return self._paginate(req, [self._label_json(r, lab["name"]) for lab in r.labels.values()])

    def _create_label(self, req: Request, r: _Repo) -> Any:
        body = _body(req)
        name = str(body.get("name") or "")
        if not name or name.lower() in r.labels:
            code = "already_exists" if name else "missing_field"
            raise GitHubError(422, "Validation Failed", [{"resource": "Label", "code": code, "field": "name"}])
        r.labels[name.lower()] = {
            "name": name,
            "color": str(body.get("color") or "ededed").lstrip("#"),
            "description": body.get("description"),
        }
        return 201, self._label_json(r, name)

    def _get_label(self, req: Request, r: _Repo, name: str) -> dict[str, Any]:
        if name.lower() not in r.labels:
            raise GitHubError(404, "Not Found")
        return self._label_json(r, name)

    def _get_issue(self, req: Request, r: _Repo, number: str) -> dict[str, Any]:
        pr = self._pull_or_404(r, number)
        base, html = self._api_base(r), self._html_base(r)
        return {
            "url": f"{base}/issues/{pr.number}",
            "html_url": f"{html}/pull/{pr.number}",
            "id": 500000 + pr.number,
            "number": pr.number,
            "state": pr.state,
            "title": pr.title,
            "body": pr.body,
            "user": self._user(pr.user),
            "labels": [self._label_json(r, n) for n in pr.labels],
            "comments": len(r.comments.get(pr.number, [])),
            "created_at": pr.created_at,
            "updated_at": pr.updated_at,
            "closed_at": pr.closed_at,
            "repository_url": base,
            "labels_url": f"{base}/issues/{pr.number}/labels{{/name}}",
            "comments_url": f"{base}/issues/{pr.number}/comments",
            "pull_request": {"url": f"{base}/pulls/{pr.number}", "html_url": f"{html}/pull/{pr.number}"},
        }

    def _issue_labels(self, req: Request, r: _Repo, number: str) -> list[dict[str, Any]]:
        return [self._label_json(r, n) for n in self._pull_or_404(r, number).labels]

    def _add_labels(self, req: Request, r: _Repo, number: str) -> Any:
        pr = self._pull_or_404(r, number)
        names = self._label_names(req)
        merged = list(pr.labels) + [n for n in names if n.lower() not in {x.lower() for x in pr.labels}]
        return 200, self._store_labels(r, pr, merged)

    def _set_labels(self, req: Request, r: _Repo, number: str) -> Any:
        return self._store_labels(r, self._pull_or_404(r, number), self._label_names(req))

    def _clear_labels(self, req: Request, r: _Repo, number: str) -> Any:
        self._store_labels(r, self._pull_or_404(r, number), [])
        return 204, None

    def _remove_label(self, req: Request, r: _Repo, number: str, name: str) -> Any:
        pr = self._pull_or_404(r, number)
        if name.lower() not in {n.lower() for n in pr.labels}:
            raise GitHubError(404, "Label does not exist")
        return self._store_labels(r, pr, [n for n in pr.labels if n.lower() != name.lower()])

    def _list_comments(self, req: Request, r: _Repo, number: str) -> Response:
        return self._paginate(req, list(r.comments.get(self._pull_or_404(r, number).number, [])))

    def _create_comment(self, req: Request, r: _Repo, number: str) -> Any:
        pr, body = self._pull_or_404(r, number), _body(req)
        if not isinstance(body.get("body"), str):
            raise GitHubError(
                422, "Validation Failed", [{"resource": "IssueComment", "code": "missing_field", "field": "body"}]
            )
        cid, now, base = next(self._ids), _now(), self._api_base(r)
        comment = {
            "id": cid,
            "url": f"{base}/issues/comments/{cid}",
            "body": body["body"],
            "html_url": f"{self._html_base(r)}/pull/{pr.number}#issuecomment-{cid}",
            "issue_url": f"{base}/issues/{pr.number}",
            "user": self._user(self.login),
            "created_at": now,
            "updated_at": now,
        }
        r.comments.setdefault(pr.number, []).append(comment)
        return 201, comment

    # == state helpers =======================================================
    def _repo(self, full_name: str) -> _Repo:
        return self._repos[full_name.lower()]

    def _commit(self, r: _Repo, tree: dict[str, bytes], parents: tuple[str, ...], message: str) -> str:
        seed = f"{_tree_sha(tree, '')}|{','.join(parents)}|{message}|{len(r.commits)}|{r.full_name}"
        sha = hashlib.sha1(seed.encode()).hexdigest()
        r.commits[sha] = GitCommit(sha, dict(tree), parents, message, _now())
        return sha

    def _resolve(self, r: _Repo, ref: str) -> str | None:
        ref = ref.removeprefix("refs/heads/").removeprefix("heads/")
        if ref in r.branches:
            return r.branches[ref]
        matches = [s for s in r.commits if len(ref) >= 7 and s.startswith(ref)]
        return matches[0] if len(matches) == 1 else None

    def _sha(self, r: _Repo, ref: str) -> str:
        """`_resolve` for control methods: a KeyError names the bad ref."""
        sha = self._resolve(r, ref)
        if sha is None:
            raise KeyError(f"{r.full_name} has no branch or commit {ref!r}")
        return sha

    def _resolve_or_404(self, r: _Repo, ref: str) -> str:
        sha = self._resolve(r, ref)
        if sha is None:
            raise GitHubError(422 if re.fullmatch(r"[0-9a-f]{7,40}", ref) else 404, f"No commit found for SHA: {ref}")
        return sha

    def _ancestors(self, r: _Repo, sha: str) -> list[str]:
        """`sha` and everything reachable from it, breadth first."""
        seen, queue = [sha], [sha]
        while queue:
            for parent in r.commits[queue.pop(0)].parents:
                if parent not in seen:
                    seen.append(parent)
                    queue.append(parent)
        return seen

    def _merge_base(self, r: _Repo, a: str, b: str) -> str | None:
        ours = set(self._ancestors(r, a))
        return next((s for s in self._ancestors(r, b) if s in ours), None)

    def _drop_branch(self, r: _Repo, branch: str) -> None:
        sha = r.branches.pop(branch)
        now = _now()
        for n, p in r.pulls.items():  # GitHub closes open PRs whose head branch is deleted
            if p.state == "open" and p.head == branch:
                r.pulls[n] = replace(p, state="closed", closed_at=now, updated_at=now, head_sha=sha)

    def _fresh(self, r: _Repo, pr: PullRequest) -> PullRequest:
        """The PR with head_sha following its branch while it is open."""
        if pr.state == "open" and pr.head in r.branches and pr.head_sha != r.branches[pr.head]:
            pr = r.pulls[pr.number] = replace(pr, head_sha=r.branches[pr.head])
        return pr

    def _pull_or_404(self, r: _Repo, number: str | int) -> PullRequest:
        if int(number) not in r.pulls:
            raise GitHubError(404, "Not Found")
        return self._fresh(r, r.pulls[int(number)])

    @staticmethod
    def _label_names(req: Request) -> list[str]:
        data = req.json
        if isinstance(data, dict):
            data = data.get("labels")
        if not isinstance(data, list) or not all(isinstance(x, (str, dict)) for x in data):
            raise GitHubError(422, "Invalid request.\n\nFor 'links/0/schema', nil is not an array.")
        return [x if isinstance(x, str) else str(x.get("name")) for x in data]

    def _store_labels(self, r: _Repo, pr: PullRequest, names: list[str]) -> list[dict[str, Any]]:
        canonical = []
        for name in names:  # adding a label that does not exist creates it, as GitHub does
            lab = r.labels.setdefault(name.lower(), {"name": name, "color": "ededed", "description": None})
            canonical.append(lab["name"])
        r.pulls[pr.number] = replace(pr, labels=tuple(canonical), updated_at=_now())
        return [self._label_json(r, n) for n in canonical]

    # == JSON builders =======================================================
    def _api_base(self, r: _Repo) -> str:
        return f"{self.url}/repos/{r.owner}/{r.name}"

    def _html_base(self, r: _Repo) -> str:
        return f"{self.url}/{r.owner}/{r.name}"

    def _user(self, login: str, kind: str = "User") -> dict[str, Any]:
        uid = int(hashlib.sha1(login.encode()).hexdigest()[:6], 16)
        return {
            "login": login,
            "id": uid,
            "node_id": f"U_{uid}",
            "type": kind,
            "site_admin": False,
            "url": f"{self.url}/users/{quote(login)}",
            "html_url": f"{self.url}/{quote(login)}",
        }

    def _repo_json(self, r: _Repo) -> dict[str, Any]:
        base = self._api_base(r)
        return {
            "id": r.id,
            "node_id": f"R_{r.id}",
            "name": r.name,
            "full_name": r.full_name,
            "owner": self._user(r.owner, "Organization"),
            "private": r.private,
            "html_url": self._html_base(r),
            "url": base,
            "default_branch": r.default_branch,
            "clone_url": f"{self._html_base(r)}.git",
            "fork": False,
            "archived": False,
            "permissions": {"admin": False, "push": r.can_write, "pull": True},
            "pulls_url": f"{base}/pulls{{/number}}",
            "issues_url": f"{base}/issues{{/number}}",
            "labels_url": f"{base}/labels{{/name}}",
            "contents_url": f"{base}/contents/{{+path}}",
            "git_refs_url": f"{base}/git/refs{{/sha}}",
            "branches_url": f"{base}/branches{{/branch}}",
        }

    def _ref_json(self, r: _Repo, branch: str) -> dict[str, Any]:
        sha = r.branches[branch]
        return {
            "ref": f"refs/heads/{branch}",
            "node_id": f"REF_{sha[:12]}",
            "url": f"{self._api_base(r)}/git/refs/heads/{quote(branch)}",
            "object": {"sha": sha, "type": "commit", "url": f"{self._api_base(r)}/git/commits/{sha}"},
        }

    def _signature(self, c: GitCommit) -> dict[str, Any]:
        return {"name": c.author, "email": f"{c.author}@users.noreply.example", "date": c.date}

    def _git_commit_json(self, r: _Repo, c: GitCommit) -> dict[str, Any]:
        base = self._api_base(r)
        return {
            "sha": c.sha,
            "node_id": f"C_{c.sha[:12]}",
            "url": f"{base}/git/commits/{c.sha}",
            "html_url": f"{self._html_base(r)}/commit/{c.sha}",
            "message": c.message,
            "author": self._signature(c),
            "committer": self._signature(c),
            "tree": {"sha": _tree_sha(c.tree, ""), "url": f"{base}/git/trees/{_tree_sha(c.tree, '')}"},
            "parents": [
                {"sha": p, "url": f"{base}/git/commits/{p}", "html_url": f"{self._html_base(r)}/commit/{p}"}
                for p in c.parents
            ],
        }

    def _commit_json(self, r: _Repo, c: GitCommit, with_files: bool = False) -> dict[str, Any]:
        base = self._api_base(r)
        out = {
            "sha": c.sha,
            "node_id": f"C_{c.sha[:12]}",
            "url": f"{base}/commits/{c.sha}",
            "html_url": f"{self._html_base(r)}/commit/{c.sha}",
            "commit": {k: v for k, v in self._git_commit_json(r, c).items() if k not in ("sha", "node_id")},
            "author": self._user(c.author),
            "committer": self._user(c.author),
            "parents": [
                {"sha": p, "url": f"{base}/commits/{p}", "html_url": f"{self._html_base(r)}/commit/{p}"}
                for p in c.parents
            ],
        }
        if with_files:
            before = r.commits[c.parents[0]].tree if c.parents else {}
            out["files"] = [
                {
                    "filename": p,
                    "sha": blob_sha(c.tree[p]) if p in c.tree else None,
                    "status": "added" if p not in before else "removed" if p not in c.tree else "modified",
                }
                for p in sorted(set(before) | set(c.tree))
                if before.get(p) != c.tree.get(p)
            ]
        return out

    def _content_json(self, r: _Repo, ref: str, path: str, data: bytes, with_content: bool) -> dict[str, Any]:
        base, sha = self._api_base(r), blob_sha(data)
        out: dict[str, Any] = {
            "type": "file",
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": sha,
            "size": len(data),
            "url": f"{base}/contents/{quote(path)}?ref={quote(ref, safe='')}",
            "html_url": f"{self._html_base(r)}/blob/{ref}/{path}",
            "git_url": f"{base}/git/blobs/{sha}",
            "download_url": f"{self.url}/raw/{r.owner}/{r.name}/{ref}/{path}",
        }
        if with_content:
            if len(data) > ONE_MB:  # GitHub: 1-100 MB files need the raw media type
                out.update(content="", encoding="none")
            else:
                b64 = base64.b64encode(data).decode()
                out.update(content="".join(b64[i : i + 60] + "\n" for i in range(0, len(b64), 60)), encoding="base64")
        out["_links"] = {"self": out["url"], "git": out["git_url"], "html": out["html_url"]}
        return out

    def _label_json(self, r: _Repo, name: str) -> dict[str, Any]:
        lab = r.labels.get(name.lower()) or {"name": name, "color": "ededed", "description": None}
        lid = int(hashlib.sha1(f"{r.full_name}/{lab['name']}".encode()).hexdigest()[:6], 16)
        return {
            "id": lid,
            "node_id": f"LA_{lid}",
            "url": f"{self._api_base(r)}/labels/{quote(lab['name'], safe='')}",
            "name": lab["name"],
            "color": lab["color"],
            "default": False,
            "description": lab["description"],
        }

    def _pull_json(self, r: _Repo, pr: PullRequest) -> dict[str, Any]:
        base, html, n = self._api_base(r), self._html_base(r), pr.number
        base_sha = r.branches.get(pr.base, "")
        ahead = (
            [s for s in self._ancestors(r, pr.head_sha) if s not in set(self._ancestors(r, base_sha))]
            if base_sha and not pr.merged
            else []
        )

        def part(ref: str, sha: str) -> dict[str, Any]:
            return {
                "label": f"{r.owner}:{ref}",
                "ref": ref,
                "sha": sha,
                "user": self._user(r.owner, "Organization"),
                "repo": self._repo_json(r),
            }

        return {
            "url": f"{base}/pulls/{n}",
            "id": 700000 + n,
            "node_id": f"PR_{n}",
            "number": n,
            "html_url": f"{html}/pull/{n}",
            "diff_url": f"{html}/pull/{n}.diff",
            "patch_url": f"{html}/pull/{n}.patch",
            "issue_url": f"{base}/issues/{n}",
            "commits_url": f"{base}/pulls/{n}/commits",
            "review_comments_url": f"{base}/pulls/{n}/comments",
            "comments_url": f"{base}/issues/{n}/comments",
            "statuses_url": f"{base}/statuses/{pr.head_sha}",
            "state": pr.state,
            "locked": False,
            "title": pr.title,
            "body": pr.body,
            "user": self._user(pr.user),
            "labels": [self._label_json(r, name) for name in pr.labels],
            "draft": pr.draft,
            "created_at": pr.created_at,
            "updated_at": pr.updated_at,
            "closed_at": pr.closed_at,
            "merged_at": pr.merged_at,
            "merge_commit_sha": pr.merge_commit_sha,
            "merged": pr.merged,
            "mergeable": None if pr.state == "closed" else True,
            "mergeable_state": "clean",
            "maintainer_can_modify": pr.maintainer_can_modify,
            "author_association": "NONE",
            "head": part(pr.head, pr.head_sha),
            "base": part(pr.base, base_sha),
            "commits": len(ahead),
            "comments": len(r.comments.get(n, [])),
        }

    def _paginate(self, req: Request, items: list[Any]) -> Response:
        """Slice by per_page (default 30, max 100) / page and add GitHub's Link header."""
        per_page = max(1, min(int(req.query.get("per_page") or 30), 100))
        page = max(1, int(req.query.get("page") or 1))
        last = max(1, -(-len(items) // per_page))
        links = []

        def link(p: int, rel: str) -> str:
            params = {k: v for k, v in req.query.items() if k != "page"}
            return f'<{self.url}{req.raw_path}?{urlencode({**params, "page": p})}>; rel="{rel}"'

        if page > 1:
            links += [link(page - 1, "prev"), link(1, "first")]
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        resp = json_response(items[(page - 1) * per_page : page * per_page])
        if links:
            resp.headers["Link"] = ", ".join(links)
        return resp


def _bytes(content: bytes | str) -> bytes:
    return content.encode() if isinstance(content, str) else content


def _body(req: Request) -> dict[str, Any]:
    return req.json if isinstance(req.json, dict) else {}


def _tree_sha(tree: dict[str, bytes], prefix: str) -> str:
    """A stable sha for the (sub)tree under `prefix` (not git-exact)."""
    prefix = f"{prefix}/" if prefix else ""
    listing = "\n".join(f"{p} {blob_sha(c)}" for p, c in sorted(tree.items()) if p.startswith(prefix))
    return hashlib.sha1(f"tree {prefix}\n{listing}".encode()).hexdigest()
