"""Dry-run targets: the same digest and list edit a real run would send, shown instead of sent.

They render through the very functions the real adapters use (slack_notify.render_digest,
proposal.edit_list, proposal.render_body, venue_updates.apply and .with_section), so the preview
is exactly what would be delivered.
They only read: nothing is posted, committed or recorded. The preview has one section per
target, in delivery order.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import venue_updates
from .ports import Delivery, Dispatch, Reconciliation, VenueDelivery, VenueOutcome, VenueUpdate
from .proposal import MAX_BODY_CHARS, ListRules, commit_message, edit_list, render_body
from .scoring import Scored
from .slack_notify import message_preview, render_digest


@dataclass
class PreviewSection:
    """What one target would have received."""

    label: str  # "Slack", "pull request"
    where: str  # where it would have gone, in words
    lines: list[str] = field(default_factory=list)  # what a person would read
    data: dict[str, Any] = field(default_factory=dict)  # the payloads themselves

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "where": self.where, "text": "\n".join(self.lines), **self.data}


@dataclass
class Preview:
    """Everything the dry run would have sent; printed by the CLI, or emitted as JSON."""

    targets: dict[str, PreviewSection] = field(default_factory=dict)  # target name -> its section

    def section(self, name: str, label: str, where: str) -> PreviewSection:
        return self.targets.setdefault(name, PreviewSection(label, where))

    def to_json(self) -> dict[str, Any]:
        return {"targets": {name: s.to_json() for name, s in self.targets.items()}}

    def render_text(self) -> str:
        out: list[str] = []
        for s in self.targets.values():
            out.append(f"=== {s.label}: {s.where} ===")
            out.extend(s.lines or ["nothing to send", ""])
        return "\n".join(out)


class PreviewNotifier:
    """Stands in for the Slack target: shows the digest messages."""

    name = "slack"
    label = "Slack"

    def __init__(
        self, preview: Preview, *, where: str, post_empty: bool, posted: Callable[[], frozenset[str]] | None = None
    ) -> None:
        self.section = preview.section(self.name, self.label, where)
        self.post_empty = post_empty
        self._posted = posted  # reads the channel history when a token is at hand

    @property
    def says_empty(self) -> bool:
        return self.post_empty

    def holds(self) -> frozenset[str]:
        return self._posted() if self._posted else frozenset()

    def deliver(self, items: Sequence[Scored], dispatch: Dispatch) -> Delivery | None:
        if not items and not self.post_empty:
            return None
        messages = render_digest(items, day=dispatch.day, pr_url=dispatch.review_url, notes=dispatch.notes)
        payloads = self.section.data.setdefault("messages", [])
        for i, m in enumerate(messages):
            payloads.append({"text": m.text, "blocks": m.blocks, "metadata": m.metadata})
            if i:
                self.section.lines.append(f"--- in the thread (part {i + 1}) ---")
            self.section.lines += [f"[notification text] {m.text}", message_preview(m)]
        return Delivery(ref="dry-run", delivered=frozenset(i for m in messages for i in m.arxiv_ids))


class PreviewPublisher:
    """Stands in for the pull request: shows the list diff and the PR body a real publisher
    would write. `current` returns (list text the PR would edit, existing PR body or None, PR
    number or None)."""

    name = "github"
    label = "pull request"
    says_empty = False

    def __init__(
        self,
        preview: Preview,
        *,
        path: str,
        title: str,
        rules: ListRules,
        current: Callable[[], tuple[str, str | None, int | None]],
        reconcile: Callable[[], Reconciliation] = Reconciliation,
        venue_review: Callable[[], tuple[VenueOutcome, ...]] = tuple,
        venues_of: Callable[[], dict[str, VenueUpdate]] = dict,
        note: str = "",
    ) -> None:
        self.section = preview.section(self.name, self.label, path)
        self.note = note
        self.path = path
        self.title = title
        self.rules = rules
        self.current = current
        self._reconcile = reconcile
        self._venue_review = venue_review
        self._venues_of = venues_of  # what the open pull request proposes already
        self._after: tuple[str, str] | None = None  # (list, body) after the new papers' preview

    def _diff(self, before: str, after: str) -> str:
        """The list edit as `git diff` shows it."""
        return "".join(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile=f"a/{self.path}",
                tofile=f"b/{self.path}",
            )
        )

    def reconcile(self) -> Reconciliation:  # ports.ReviewSource: reads, like the real one
        return self._reconcile()

    def holds(self) -> frozenset[str]:
        return frozenset()

    def deliver(self, items: Sequence[Scored], dispatch: Dispatch) -> Delivery | None:
        if not items:
            return None
        text, body, number = self.current()
        edit = edit_list(text, items, self.rules)
        entries = f"{len(edit.added)} entr{'y' if len(edit.added) == 1 else 'ies'}"
        if self.note:
            action = f"{entries} for {self.path} ({self.note})"
        else:
            opens = f"would update #{number}" if number else "would open a new pull request"
            action = f"{opens}, adding {entries} to {self.path}"
        self.section.where = action
        if edit.changed:
            diff = self._diff(edit.before, edit.after)
            message = commit_message(edit.added)
            pr_body = render_body(body, edit.filed(items), dispatch.day)
            self._after = (edit.after, pr_body)
            self.section.data.update(title=self.title, diff=diff, pr_body=pr_body, commit_message=message)
            self.section.lines += [
                f"title: {self.title}",
                diff,
                f"commit message: {json.dumps(message)}",
                "--- pull request description ---",
                pr_body,
            ]
        return Delivery(
            ref=f"#{number}" if number else "new",
            delivered=frozenset(edit.added + edit.present),
            error=edit.unplaced_error(self.path),
        )

    # -- venue updates (ports.VenueTarget) ------------------------------------------------------

    def venue_review(self) -> tuple[VenueOutcome, ...]:
        return self._venue_review()

    def propose_venues(self, updates: Sequence[VenueUpdate]) -> VenueDelivery:
        """The venue commit a real run would make on top of the new papers, and the PR body."""
        if not updates:
            return VenueDelivery(())
        text, body, number = self.current()
        if self._after is not None:
            text, body = self._after
        edit = venue_updates.apply(text, updates)
        if not edit.changed:
            return VenueDelivery(())
        diff = self._diff(edit.before, edit.after)
        venues = {**self._venues_of(), **{u.arxiv_id: u for u in edit.applied}}
        pr_body = venue_updates.with_section(body, venues, MAX_BODY_CHARS)
        message = venue_updates.commit_message(edit.applied)
        self.section.data.update(title=self.title, venue_diff=diff, pr_body=pr_body, venue_commit_message=message)
        n = len(edit.applied)
        self.section.lines += [
            f"venue updates for {n} listed paper{'s' if n != 1 else ''} (a commit of their own):",
            diff,
            f"commit message: {json.dumps(message)}",
            "",
        ]
        venues_to = f"venues to {n} entr{'y' if n == 1 else 'ies'}"
        if self._after is not None:  # the new papers' preview said where already
            self.section.where += f", and {venues_to}"
        elif self.note:
            self.section.where = f"{venues_to} of {self.path} ({self.note})"
        else:
            opens = f"would update #{number}" if number else "would open a new pull request"
            self.section.where = f"{opens}, adding {venues_to} of {self.path}"
        return VenueDelivery(edit.applied, ref=f"#{number}" if number else "new")
