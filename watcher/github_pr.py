"""The list's GitHub repository: read the list, keep one rolling bot pull request. I/O via PyGithub.

`GitHubRepo` reads (the list on the base branch, the bot branch, the bot's pull requests) and is
also the run's ListSource. `GitHubPublisher` writes: at most one open bot PR, on one branch,
with today's papers committed on top of whatever the branch holds (a maintainer's edits there
are kept; an open PR's branch is never rewritten). Review outcomes are read back from the bot's
closed PRs and from entries a maintainer removed from the open one. Venue updates for listed
papers go into the same PR as commits and a body section of their own (venue_updates.py).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar

import requests

from . import listfile, review, venue_updates
from .errors import DeliveryError, WatcherError
from .ports import Delivery, Dispatch, ListSnapshot, Reconciliation, VenueDelivery, VenueOutcome, VenueUpdate
from .proposal import (
    AS_WRITTEN,
    BEGIN,
    MAX_BODY_CHARS,
    ListEdit,
    ListRules,
    ProposedPaper,
    commit_message,
    committed_ids,
    edit_list,
    proposed_in,
    render_body,
)
from .scoring import Scored
from .titles import TitleIndex

LABEL_COLOR = "c5def5"
LABEL_DESCRIPTION = "Papers proposed by the watcher bot"


def _explain(step: str, exc: BaseException) -> str:
    """One line naming the step and the HTTP status, with GitHub's own message."""
    from github import GithubException, RateLimitExceededException

    if isinstance(exc, GithubException):
        data = exc.data if isinstance(exc.data, dict) else {}
        detail = str(data.get("message") or exc.message or "").strip()
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict) and errors[0].get("message"):
            detail = f"{detail}: {errors[0]['message']}" if detail else str(errors[0]["message"])
        hint = ""
        if exc.status == 401:
            hint = " (check the token in the environment variable named by github.token_env)"
        elif isinstance(exc, RateLimitExceededException) or (exc.headers or {}).get("x-ratelimit-remaining") == "0":
            reset = (exc.headers or {}).get("x-ratelimit-reset")
            when = "later"
            if reset and reset.isdigit():
                when = datetime.fromtimestamp(int(reset), UTC).strftime("%H:%M UTC")
            hint = f" (rate limit exceeded; resets at {when})"
        elif exc.status == 403 and "not permitted to create" in detail:
            hint = (
                " (enable Settings > Actions > General > 'Allow GitHub Actions to create and approve "
                "pull requests', or use a GitHub App token)"
            )
        return f"GitHub {step}: HTTP {exc.status}: {detail or 'no message'}{hint}"
    if isinstance(exc, requests.exceptions.RetryError):
        return f"GitHub {step}: server errors persisted after retries ({_cause(exc)})"
    if isinstance(exc, requests.Timeout):
        return f"GitHub {step}: no answer in time"
    if isinstance(exc, requests.RequestException):
        return f"GitHub {step}: cannot reach GitHub ({_cause(exc)})"
    return f"GitHub {step}: {type(exc).__name__}"


def _cause(exc: BaseException) -> str:
    text = str(exc)
    for marker in (
        "too many 5",
        "500",
        "502",
        "503",
        "504",
        "Connection refused",
        "Connection reset",
        "Read timed out",
        "RemoteDisconnected",
    ):
        if marker in text:
            return marker.lower() if not marker[0].isdigit() else f"HTTP {marker}"
    return type(exc).__name__


# PyGithub trips over answers that are not GitHub's JSON (a proxy's HTML page, a cut body).
MALFORMED = (AssertionError, TypeError, ValueError, KeyError, AttributeError)


def _malformed(step: str, exc: BaseException) -> str:
    return f"GitHub {step}: malformed answer from the API ({type(exc).__name__})"


@contextmanager
def _step(step: str) -> Iterator[None]:
    """Any failure of the GitHub call(s) inside becomes one DeliveryError naming `step`."""
    from github import GithubException

    try:
        yield
    except WatcherError:
        raise
    except (GithubException, requests.RequestException) as exc:
        raise DeliveryError(_explain(step, exc)) from None
    except MALFORMED as exc:
        raise DeliveryError(_malformed(step, exc)) from None


@dataclass
class FileAt:
    text: str
    sha: str


class GitHubRepo:
    """Reads from the list's repository. Caches what one run reads, so nothing is read twice."""

    def __init__(self, client: Any, name: str, *, path: str, base_branch: str = "", branch: str) -> None:
        self.client = client  # github.Github
        self.name = name
        self.path = path
        self._base_branch = base_branch
        self.branch = branch
        self._repo: Any = None
        self._base_file: FileAt | None = None
        self._branch_file: FileAt | None = None
        self._pulls: list[Any] | None = None

    @property
    def repo(self) -> Any:
        if self._repo is None:
            with _step(f"read repository {self.name}"):
                self._repo = self.client.get_repo(self.name)
        return self._repo

    @property
    def owner(self) -> str:
        return self.name.split("/", 1)[0]

    @property
    def base(self) -> str:
        return self._base_branch or str(self.repo.default_branch)

    def _file(self, ref: str) -> FileAt:
        from github import UnknownObjectException

        with _step(f"read {self.path} on {ref}"):
            try:
                content = self.repo.get_contents(self.path, ref=ref)
            except UnknownObjectException:
                raise DeliveryError(
                    f"GitHub read {self.path} on {ref}: HTTP 404: {self.name} has no "
                    f"{self.path} on {ref} (check list.path and github.base_branch)"
                ) from None
            if isinstance(content, list):
                raise DeliveryError(f"GitHub read {self.path} on {ref}: {self.path} is a directory, not the list")
            if content.encoding == "base64" and content.content:
                raw = content.decoded_content
            else:  # files over 1 MB come without inline content
                raw = base64.b64decode(self.repo.get_git_blob(content.sha).content)
        try:
            return FileAt(raw.decode("utf-8"), content.sha)
        except UnicodeDecodeError:
            raise DeliveryError(f"GitHub read {self.path} on {ref}: the list is not UTF-8") from None

    def base_file(self) -> FileAt:
        if self._base_file is None:
            self._base_file = self._file(self.base)
        return self._base_file

    def branch_file(self, *, fresh: bool = False) -> FileAt:
        """The list on the bot branch (read once per run unless `fresh`: a 409 said it moved)."""
        if self._branch_file is None or fresh:
            self._branch_file = self._file(self.branch)
        return self._branch_file

    def branch_now(self, file: FileAt) -> None:
        """Remember what the bot branch holds after this run's own commit or reset."""
        self._branch_file = file

    def read(self) -> ListSnapshot:  # ListSource
        return ListSnapshot(self.base_file().text, f"{self.name}:{self.path}@{self.base}")

    def bot_pulls(self) -> list[Any]:
        """The bot branch's pull requests, open and closed, newest first. Whatever their base: a
        maintainer may retarget the open one, and its branch must then not be reset."""
        if self._pulls is None:
            with _step("list the bot's pull requests"):
                pulls = self.repo.get_pulls(
                    state="all", head=f"{self.owner}:{self.branch}", sort="created", direction="desc"
                )
                self._pulls = list(pulls)
        return self._pulls

    def open_pull(self) -> Any | None:
        return next((p for p in self.bot_pulls() if p.state == "open"), None)

    def forget_pulls(self) -> None:
        self._pulls = None

    def opened(self, pr: Any) -> None:
        """Remember the pull request this run opened (the venue updates go into it too)."""
        if self._pulls is not None and all(p.number != pr.number for p in self._pulls):
            self._pulls.insert(0, pr)


class _Edit(Protocol):
    @property
    def changed(self) -> bool: ...

    @property
    def after(self) -> str: ...


E = TypeVar("E", bound=_Edit)


class GitHubPublisher:
    """The pull request: a delivery target (ports.Target) named "github", and the review
    source (ports.ReviewSource) that reads back what reviewers did with it."""

    name = "github"
    label = "pull request"
    says_empty = False

    def __init__(
        self,
        gh: GitHubRepo,
        *,
        title: str,
        labels: Sequence[str],
        rules: ListRules = AS_WRITTEN,
        log: Callable[[str], None] = lambda line: None,
        resolved: Callable[[], Mapping[str, str]] = dict,
    ) -> None:
        self.gh = gh
        self.title = title
        self.labels = list(labels)
        self.rules = rules
        self.resolved = resolved  # title key -> arXiv id for entries without a link (`watcher enrich`)
        self.log = log
        self._proposed: dict[int, dict[str, ProposedPaper]] = {}
        self._venues: dict[int, dict[str, VenueUpdate]] = {}
        self._messages: dict[int, list[str]] = {}

    # -- reading back what reviewers did ---------------------------------------------------

    def reconcile(self) -> Reconciliation:  # ports.ReviewSource
        pulls = self.gh.bot_pulls()
        records = [
            review.PullRecord(pr.number, pr.state == "open", pr.merged_at is not None, pr.base.ref, self.proposed(pr))
            for pr in pulls
        ]
        branch = listfile.parse(self.gh.branch_file().text) if any(r.open for r in records) else None
        feedback = review.outcomes(
            records, base_branch=self.gh.base, base_list=listfile.parse(self.gh.base_file().text), branch_list=branch
        )
        open_pr = self.gh.open_pull()
        return Reconciliation(
            proposed=frozenset(i for r in records for i in r.proposed),
            feedback=tuple(feedback),
            open_pr_url=open_pr.html_url if open_pr else None,
        )

    def proposed(self, pr: Any) -> dict[str, ProposedPaper]:
        """What `pr` proposed: the data comment in its body, plus the papers the bot's own commits
        on it name that the body does not (a maintainer rewrote the description, or a body update
        failed after the commit). The commits are read for the open PR, and for a closed one only
        when its body lost the bot's part."""
        if pr.number in self._proposed:
            return self._proposed[pr.number]
        papers = proposed_in(pr.body)
        body = pr.body or ""
        # (a closed PR whose body holds only the venue section proposed no papers: the bot wrote it)
        if pr.state == "open" or (BEGIN not in body and venue_updates.BEGIN not in body):
            missing = [i for i in dict.fromkeys(self._committed(pr)) if i not in papers]
            if missing:
                text = self.gh.branch_file().text if pr.state == "open" else self.gh.base_file().text
                listed = TitleIndex(e.listed() for e in listfile.parse(text).entries)
                for arxiv_id in missing:
                    entry = listed.match(arxiv_id, "")
                    papers[arxiv_id] = ProposedPaper(
                        arxiv_id, title=entry.title if entry else "", heading=entry.heading if entry else ""
                    )
        self._proposed[pr.number] = papers
        return papers

    def _commit_messages(self, pr: Any) -> list[str]:
        if pr.number not in self._messages:
            with _step(f"read the commits of pull request #{pr.number}"):
                self._messages[pr.number] = [c.commit.message or "" for c in pr.get_commits()]
        return self._messages[pr.number]

    def _committed(self, pr: Any) -> list[str]:
        """The arXiv ids named by the bot's commits on `pr` (see proposal.commit_message)."""
        return [i for message in self._commit_messages(pr) for i in committed_ids(message)]

    # -- venue updates (ports.VenueTarget) ---------------------------------------------------

    def venue_review(self) -> tuple[VenueOutcome, ...]:
        """Every venue the bot's pull requests proposed, and what became of it: still shown on the
        open PR's branch (proposed) or deleted there (rejected); merged into the list and shown
        there (merged) or not (rejected); in a PR closed unmerged (rejected)."""
        out: list[VenueOutcome] = []
        for pr in self.gh.bot_pulls():
            proposals = self.proposed_venues(pr)
            if not proposals:
                continue
            if pr.state == "open":
                state, on = "open", listfile.parse(self.gh.branch_file().text)
            elif pr.merged_at is None:
                state, on = "closed", None
            elif pr.base.ref != self.gh.base:
                state, on = "elsewhere", None
            else:
                state, on = "merged", listfile.parse(self.gh.base_file().text)
            out += venue_updates.review(proposals.values(), number=pr.number, state=state, on=on)
        return tuple(out)

    def proposed_venues(self, pr: Any) -> dict[str, VenueUpdate]:
        """The venues `pr` proposed: its body's venue data, plus (for the open PR) the venues the
        bot's venue commits name that the body does not (a body update failed after the commit)."""
        if pr.number in self._venues:
            return self._venues[pr.number]
        found = venue_updates.venues_in(pr.body)
        if pr.state == "open":
            committed = [c for m in self._commit_messages(pr) for c in venue_updates.committed_venues(m)]
            missing = [(i, v) for i, v in committed if i not in found]
            if missing:
                titles = self._listed_titles()
                found.update((i, VenueUpdate(i, titles.get(i, ""), v)) for i, v in missing)
        self._venues[pr.number] = found
        return found

    def open_venues(self) -> dict[str, VenueUpdate]:
        """The venues the open pull request proposes (empty without one): for previews."""
        pr = self.gh.open_pull()
        return dict(self.proposed_venues(pr)) if pr is not None else {}

    def _listed_titles(self) -> dict[str, str]:
        """arXiv id -> the title the branch's list gives it: linked, or by the title enrich resolved."""
        papers = venue_updates.listed_papers(listfile.parse(self.gh.branch_file().text), self.resolved())
        return {p.arxiv_id: p.title for p in papers}

    def propose_venues(self, updates: Sequence[VenueUpdate]) -> VenueDelivery:
        """One commit adding `updates` on the bot branch (on top of today's papers, if any), and
        the PR body's venue section listing every venue the PR proposes. With no updates, only a
        venue section missing what the PR's commits hold is repaired."""
        pr = self.gh.open_pull()
        if not updates:
            if pr is not None:
                self._update_venue_body(pr, ())
            return VenueDelivery(())
        current = self._fresh_branch() if pr is None else self.gh.branch_file()
        edit = self._commit_edit(
            current,
            lambda text: venue_updates.apply(text, updates),
            lambda e: venue_updates.commit_message(e.applied),
        )
        for u in edit.left:
            self.log(f"GitHub: no venue for arXiv:{u.arxiv_id} this time: its entry changed on {self.gh.branch}")
        if not edit.changed:
            return VenueDelivery((), ref=str(pr.number) if pr else "", url=pr.html_url if pr else None)
        if pr is None:
            pr = self._open_pull(
                venue_updates.with_section(None, {u.arxiv_id: u for u in edit.applied}, MAX_BODY_CHARS),
                lambda existing: self._update_venue_body(existing, edit.applied),
            )
            self._venues[pr.number] = {u.arxiv_id: u for u in edit.applied}
        else:
            self._update_venue_body(pr, edit.applied)
        self._ensure_labels(pr)
        self.log(f"GitHub: venues for {len(edit.applied)} listed papers added to {pr.html_url}")
        return VenueDelivery(edit.applied, ref=str(pr.number), url=pr.html_url)

    def _update_venue_body(self, pr: Any, applied: Sequence[VenueUpdate]) -> None:
        venues = dict(self.proposed_venues(pr))
        venues.update({u.arxiv_id: u for u in applied})
        if not venues:
            return  # no venue section for a pull request without venues
        self._venues[pr.number] = venues
        body = venue_updates.with_section(pr.body, venues, MAX_BODY_CHARS)
        if len(body) > MAX_BODY_CHARS and BEGIN in body:  # the new papers' part makes room
            body = render_body(body, (), None, earlier=self.proposed(pr))
        self._edit_body(pr, body)

    def current(self) -> tuple[str, str | None, int | None]:
        """(list text the next commit builds on, the open PR's body, its number): for previews."""
        pr = self.gh.open_pull()
        if pr is None:
            return self.gh.base_file().text, None, None
        return self.gh.branch_file().text, pr.body, pr.number

    # -- writing ------------------------------------------------------------------------------

    def holds(self) -> frozenset[str]:
        return frozenset()  # what the pull requests hold comes through reconcile()

    def deliver(self, items: Sequence[Scored], dispatch: Dispatch) -> Delivery | None:
        return self.publish(items, day=dispatch.day) if items else None

    def publish(self, items: Sequence[Scored], *, day: date | None) -> Delivery:
        pr = self.gh.open_pull()
        current = self._fresh_branch() if pr is None else self.gh.branch_file()
        edit = self._commit(current, items)
        delivered = frozenset(edit.added + edit.present)
        on_branch = edit.filed(items)
        for arxiv_id, heading in edit.refiled.items():
            self.log(
                f"GitHub: arXiv:{arxiv_id} filed under {heading!r}: the list on {self.gh.branch} "
                "has no heading it was proposed under"
            )
        unplaced = edit.unplaced_error(f"the list on {self.gh.branch}")
        error = f"GitHub: {unplaced}" if unplaced else None
        if pr is None:
            if not edit.changed:  # nothing new on the branch: no pull request to open
                return Delivery(ref="", delivered=delivered, error=error)
            pr = self._open_pull(
                render_body(None, on_branch, day), lambda existing: self._update_body(existing, on_branch, day)
            )
        else:
            self._update_body(pr, on_branch, day)
        self._ensure_labels(pr)
        self.log(f"GitHub: {len(edit.added)} entries added to {pr.html_url}")
        return Delivery(ref=str(pr.number), delivered=delivered, url=pr.html_url, error=error)

    def _update_body(self, pr: Any, items: Sequence[Scored], day: date | None) -> None:
        self._edit_body(pr, render_body(pr.body, items, day, earlier=self.proposed(pr)))

    def _edit_body(self, pr: Any, body: str) -> None:
        if body != (pr.body or ""):
            step = f"update pull request #{pr.number}"
            with _step(step):
                pr.edit(body=body)
            if pr.body != body:  # PyGithub takes any 200 for success; the answer must be the PR
                raise DeliveryError(_malformed(step, ValueError("body not updated")))

    def _fresh_branch(self) -> FileAt:
        """Point the bot branch at the base branch's head (creating it, or resetting a branch
        whose pull request was merged or closed), and return the list as it is there."""
        from github import GithubException

        repo = self.gh.repo
        with _step(f"read branch {self.gh.base}"):
            head = repo.get_git_ref(f"heads/{self.gh.base}").object.sha
        with _step(f"create branch {self.gh.branch}"):
            try:
                repo.create_git_ref(f"refs/heads/{self.gh.branch}", head)
            except GithubException as exc:
                if exc.status != 422:
                    raise
                # The branch outlived its (merged or closed) pull request: no open PR uses it.
                repo.get_git_ref(f"heads/{self.gh.branch}").edit(head, force=True)
        # The branch is the base head now, so its list is the base list (a push to the base in
        # between shows up as a 409 on commit, which re-reads).
        self.gh.branch_now(self.gh.base_file())
        return self.gh.base_file()

    def _commit(self, current: FileAt, items: Sequence[Scored]) -> ListEdit:
        """Commit the list with `items` added on top of `current`."""
        return self._commit_edit(
            current, lambda text: edit_list(text, items, self.rules), lambda edit: commit_message(edit.added)
        )

    def _commit_edit(self, current: FileAt, make: Callable[[str], E], message: Callable[[E], str]) -> E:
        """Commit the edit `make` computes from the list on top of `current`; a stale sha (HTTP
        409: the branch moved since it was read) is re-read, the edit recomputed, and retried once."""
        from github import GithubException

        step = f"commit {self.gh.path} to {self.gh.branch}"
        for attempt in (1, 2):
            edit = make(current.text)
            if not edit.changed:
                return edit
            with _step(step):
                try:
                    result = self.gh.repo.update_file(
                        self.gh.path, message(edit), edit.after, current.sha, branch=self.gh.branch
                    )
                except GithubException as exc:
                    if exc.status != 409 or attempt == 2:
                        raise
                else:
                    sha = result["content"].sha
                    if not isinstance(sha, str) or len(sha) != 40:
                        raise ValueError("no blob sha in the answer")
                    self.gh.branch_now(FileAt(edit.after, sha))
                    return edit
            self.log(f"GitHub: {self.gh.path} changed on {self.gh.branch} while committing; re-reading")
            current = self.gh.branch_file(fresh=True)
        raise AssertionError("unreachable")

    def _open_pull(self, body: str, on_existing: Callable[[Any], None]) -> Any:
        """Open the bot's pull request with `body`; when another run opened it meanwhile, that one
        is updated by `on_existing` instead."""
        from github import GithubException

        with _step("open pull request"):
            try:
                pr = self.gh.repo.create_pull(
                    base=self.gh.base,
                    head=self.gh.branch,
                    title=self.title,
                    body=body,
                    maintainer_can_modify=True,
                )
                if not isinstance(pr.number, int):
                    raise ValueError("no pull request number in the answer")
            except GithubException as exc:
                if exc.status != 422 or "already exists" not in str(exc.data):
                    raise
                self.gh.forget_pulls()  # another run opened it meanwhile: update that one instead
                pr = self.gh.open_pull()
                if pr is None:
                    raise
                on_existing(pr)
        self.gh.opened(pr)
        return pr

    def _ensure_labels(self, pr: Any) -> None:
        """Every run that touches the pull request makes sure its labels are there: a run whose
        answer to "open pull request" was lost, or whose label call failed, left it without."""
        on_pr = {label.name.casefold() for label in (pr.labels or [])}
        missing = [name for name in self.labels if name.casefold() not in on_pr]
        if not missing:
            return
        with _step("read labels"):
            existing = {label.name.casefold() for label in self.gh.repo.get_labels()}
        for name in missing:
            if name.casefold() not in existing:
                self._create_label(name)
        with _step(f"label pull request #{pr.number}"):
            pr.add_to_labels(*missing)

    def _create_label(self, name: str) -> None:
        from github import GithubException

        with _step(f"create label {name!r}"):
            try:
                self.gh.repo.create_label(name, LABEL_COLOR, LABEL_DESCRIPTION)
            except GithubException as exc:
                if exc.status != 422 or "already_exists" not in str(exc.data):
                    raise
                # created meanwhile (or by our own retried request)
