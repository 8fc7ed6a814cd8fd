"""The ports a run is composed of, and the records that cross them. No I/O, no logic.

The pipeline talks to the world only through these: a list source, feed sources, a model
provider, a review source (the bot's pull requests), and delivery targets. Adapters implement
them (`sources.py`, `github_pr.py`, `slack_notify.py`, `dryrun.py`, `model_store.py`); a test can
implement them in a few lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from .listfile import ListDocument
from .paper import Paper
from .scoring import Scored, Scorer


@dataclass(frozen=True)
class ListSnapshot:
    text: str
    where: str  # "models/seed-list.md" or "acme/papers:README.md@main"


class ListSource(Protocol):
    def read(self) -> ListSnapshot: ...


@dataclass(frozen=True)
class FeedBatch:
    """What one feed said: its papers and the announcement day it speaks for."""

    source: str
    papers: tuple[Paper, ...]
    announced: date | None
    etag: str | None = None
    not_modified: bool = False  # HTTP 304: the same feed as the last run, already processed
    digest: str = ""  # sha256 of the body, to recognise the same feed without an ETag


class FeedSource(Protocol):
    def fetch(self) -> list[FeedBatch]: ...


@dataclass(frozen=True)
class Decision:
    """One paper's decision and the scores behind it, as the state database keeps it."""

    paper: Paper
    decision: str  # listed / below_threshold / proposed / ignored
    relevance: float | None = None
    heading: str | None = None
    runner_up: str | None = None
    heading_scores: dict[str, float] | None = None
    reasons: dict[str, Any] | None = None
    model: str | None = None


@dataclass(frozen=True)
class Feedback:
    """A reviewer's verdict on a proposal, read back from the bot's pull requests."""

    arxiv_id: str
    outcome: str  # "accepted" (merged; heading = where it landed) or "rejected"
    heading: str | None = None
    proposed_heading: str | None = None
    pull_request: int | None = None
    title: str = ""

    @property
    def corrected(self) -> bool:
        return self.outcome == "accepted" and bool(self.heading) and self.heading != self.proposed_heading


@dataclass(frozen=True)
class Reconciliation:
    """What the review source says about earlier proposals, whatever the local state remembers."""

    proposed: frozenset[str] = frozenset()  # ids in any bot pull request (open or closed)
    feedback: tuple[Feedback, ...] = ()  # reviewers' verdicts
    open_pr_url: str | None = None


class ReviewSource(Protocol):
    def reconcile(self) -> Reconciliation: ...


class History(Protocol):
    """What a model provider reads from the state database: papers seen and review outcomes."""

    def papers(self, decision: str | None = None) -> list[Decision]: ...

    def feedback(self) -> list[Feedback]: ...


class ModelProvider(Protocol):
    def scorer(self, doc: ListDocument, history: History) -> Scorer: ...


@dataclass(frozen=True)
class Dispatch:
    """What a target gets with the papers: the day they were announced, the pull request to
    review them in (once a target before it opened or updated one), and the run's notes."""

    day: date | None
    review_url: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Delivery:
    """What one target now holds: the ids delivered (new, or found already there)."""

    ref: str  # the target's own reference: a Slack ts, a pull request number
    delivered: frozenset[str]
    url: str | None = None  # where a reviewer finds it (the pull request)
    error: str | None = None  # set when only part was delivered (the rest stays pending)


class Target(Protocol):
    """One place proposals are delivered to. Targets are delivered in order; each paper is
    marked delivered under the target's `name` once the target confirmed it, so a failed
    delivery is retried on the next run and nothing is delivered twice."""

    @property
    def name(self) -> str:  # the mark in the state database ("github", "slack"): keep it stable
        ...

    @property
    def label(self) -> str:  # how reports name it ("pull request", "Slack")
        ...

    @property
    def says_empty(self) -> bool:  # delivers a "no new papers" message on a day without proposals
        ...

    def holds(self) -> frozenset[str]:
        """Ids the target already shows, found in its own history (a run that died after
        delivering, before recording it). Best effort: empty when it keeps no history."""
        ...

    def deliver(self, items: Sequence[Scored], dispatch: Dispatch) -> Delivery | None:
        """Deliver `items` (may be empty when `says_empty`); None when there was nothing to do.
        Raises DeliveryError when nothing was delivered."""
        ...


# -- venue updates for papers already on the list ------------------------------------------------


@dataclass(frozen=True)
class VenueUpdate:
    """A venue proposed for a paper already on the list, and what arXiv's metadata said."""

    arxiv_id: str
    title: str  # as the list writes it
    venue: str  # as it is written into the list: "ICASSP 2026", "TASLP", "ACL 2025 Findings"
    source: str = ""  # the metadata it was read from: 'comment: "Accepted to ICASSP 2026"'
    day: str = ""  # when it was proposed (YYYY-MM-DD)


@dataclass(frozen=True)
class VenueOutcome:
    """What became of a venue proposal: still "proposed" (in the open pull request), "merged", or
    "rejected" (its line deleted from the bot's branch, or the pull request closed unmerged)."""

    arxiv_id: str
    venue: str
    outcome: str
    pull_request: int | None = None
    title: str = ""
    source: str = ""


@dataclass(frozen=True)
class VenueDelivery:
    """The venue updates a target now holds (committed), and where."""

    applied: tuple[VenueUpdate, ...]
    ref: str = ""  # the pull request number
    url: str | None = None


class MetadataSource(Protocol):
    def papers(self, arxiv_ids: Sequence[str]) -> dict[str, Paper]:
        """The current arXiv metadata of these papers (ids arXiv does not know are left out)."""
        ...


class VenueTarget(Protocol):
    """Where venue updates are proposed (the rolling pull request), and read back from."""

    def venue_review(self) -> tuple[VenueOutcome, ...]:
        """Every venue proposal the bot's pull requests show, with what became of it."""
        ...

    def propose_venues(self, updates: Sequence[VenueUpdate]) -> VenueDelivery:
        """Commit `updates` (one commit) and list them in their own section of the pull request."""
        ...
