"""Dry-run adapters: the same digest and list edit a real run would send, shown instead of sent.

They render through the very functions the real adapters use (slack_notify.render_digest,
proposal.edit_list, proposal.render_body), so the preview is exactly what would be delivered.
They only read: nothing is posted, committed or recorded.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .pipeline import Delivery, Reconciliation
from .proposal import commit_message, edit_list, render_body
from .scoring import Scored
from .slack_notify import message_preview, render_digest


@dataclass
class Preview:
    """Everything the dry run would have sent; printed by the CLI, or emitted as JSON."""

    slack: list[dict[str, Any]] = field(default_factory=list)  # chat.postMessage payloads
    slack_target: str = ""
    list_path: str = ""
    diff: str = ""
    pr_title: str = ""
    pr_body: str = ""
    pr_action: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "slack": self.slack,
            "slack_target": self.slack_target,
            "list_path": self.list_path,
            "diff": self.diff,
            "pr_title": self.pr_title,
            "pr_body": self.pr_body,
            "pr_action": self.pr_action,
        }

    def render_text(self) -> str:
        out: list[str] = []
        if self.slack:
            out.append(f"=== Slack digest ({self.slack_target}) ===")
            for i, payload in enumerate(self.slack):
                if i:
                    out.append(f"--- in the thread (part {i + 1}) ---")
                out.append(f"[notification text] {payload['text']}")
                out.append(payload["preview"])
        else:
            out.append("=== Slack digest: nothing to post ===\n")
        if self.diff:
            out.append(f"=== Pull request: {self.pr_action} ===")
            out.append(f"title: {self.pr_title}")
            out.append(self.diff)
        else:
            out.append("=== Pull request: no change to the list ===\n")
        return "\n".join(out)


class PreviewNotifier:
    target = "slack"

    def __init__(
        self, preview: Preview, *, where: str, post_empty: bool, posted: Callable[[], frozenset[str]] | None = None
    ) -> None:
        self.preview = preview
        self.preview.slack_target = where
        self.post_empty = post_empty
        self._posted = posted  # reads the channel history when a token is at hand

    def posted_ids(self) -> frozenset[str]:
        return self._posted() if self._posted else frozenset()

    def post(
        self, items: Sequence[Scored], *, day: date | None, pr_url: str | None, notes: Sequence[str] = ()
    ) -> Delivery | None:
        if not items and not self.post_empty:
            return None
        messages = render_digest(items, day=day, pr_url=pr_url, notes=notes)
        for m in messages:
            self.preview.slack.append(
                {"text": m.text, "blocks": m.blocks, "metadata": m.metadata, "preview": message_preview(m)}
            )
        return Delivery(ref="dry-run", delivered=frozenset(i for m in messages for i in m.arxiv_ids))


class PreviewPublisher:
    """Shows the list diff and PR body a real publisher would write.

    `current` returns (list text the PR would edit, existing PR body or None, PR number or None).
    """

    target = "github"

    def __init__(
        self,
        preview: Preview,
        *,
        path: str,
        title: str,
        position: str,
        current: Callable[[], tuple[str, str | None, int | None]],
        reconcile: Callable[[], Reconciliation] = Reconciliation,
        note: str = "",
    ) -> None:
        self.preview = preview
        self.note = note
        self.path = path
        self.title = title
        self.position = position
        self.current = current
        self._reconcile = reconcile

    def reconcile(self) -> Reconciliation:
        return self._reconcile()

    def publish(self, items: Sequence[Scored], *, day: date | None) -> Delivery:
        text, body, number = self.current()
        edit = edit_list(text, items, self.position)
        self.preview.list_path = self.path
        self.preview.pr_title = self.title
        entries = f"{len(edit.added)} entr{'y' if len(edit.added) == 1 else 'ies'}"
        if self.note:
            self.preview.pr_action = f"{entries} for {self.path} ({self.note})"
        else:
            self.preview.pr_action = (
                f"would update #{number}" if number else "would open a new pull request"
            ) + f", adding {entries} to {self.path}"
        if edit.changed:
            self.preview.diff = "".join(
                difflib.unified_diff(
                    edit.before.splitlines(keepends=True),
                    edit.after.splitlines(keepends=True),
                    fromfile=f"a/{self.path}",
                    tofile=f"b/{self.path}",
                )
            )
            self.preview.pr_body = render_body(body, edit.filed(items), day)
            self.preview.diff += f"\ncommit message: {json.dumps(commit_message(edit.added))}\n"
        return Delivery(
            ref=f"#{number}" if number else "new",
            delivered=frozenset(edit.added + edit.present),
            error=edit.unplaced_error(self.path),
        )
