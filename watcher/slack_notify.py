"""The Slack digest: rendering (pure) and posting through slack-sdk (I/O through a passed client).

One digest per run that has proposals: a header with the count and the day, then one section
per paper (linked title, first authors, heading, standing, nearest entry under the heading,
distinctive terms: the PR body's facts, glance.py), and a link to the pull request. A
digest that would break Block Kit limits continues in the thread. Paper text is untrusted and
escaped (`&`, `<`, `>`), so no title can mention anyone or smuggle a link. Each message carries
metadata with the arXiv ids it announces, so a later run (even one that lost its state) can
read the channel history and never post a paper twice.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from . import glance
from .errors import DeliveryError
from .paper import abs_url
from .ports import Delivery, Dispatch
from .scoring import Scored
from .titles import plain_title

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
# Slack rejects messages whose blocks hold more than about 13,200 characters in all
# (msg_blocks_too_long, undocumented): stay well below.
MAX_MESSAGE_CHARS = 11000
MAX_TITLE_CHARS = 250
METADATA_EVENT = "watcher_digest"
HISTORY_DAYS = 21


def escape(text: str) -> str:
    """Slack mrkdwn escaping: the only three characters Slack asks to escape."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _title(s: Scored) -> str:
    return _clip(" ".join(plain_title(s.paper.title).split()), MAX_TITLE_CHARS)


@dataclass(frozen=True)
class SlackMessage:
    text: str  # the notification fallback, always present
    blocks: list[dict[str, Any]]
    arxiv_ids: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)


def paper_section(s: Scored) -> dict[str, Any]:
    """One paper: its linked title and first authors; its heading (and a close runner-up), its
    standing and the nearest entry under that heading; the terms that set it apart. The facts of
    the PR body's line (glance.py), in mrkdwn."""
    title = f"*<{abs_url(s.paper.arxiv_id)}|{escape(_title(s))}>*"
    if authors := glance.first_authors(s.paper.authors):
        title += f" · {escape(glance.clip(authors, glance.AUTHORS_CHARS))}"
    heading = f"*{escape(s.heading)}*"
    if runner := glance.close_runner_up(s):
        heading += f" (or {escape(runner)})"
    facts = [heading, glance.Score(s.standing, s.lead, s.relevance).words]
    if near := glance.nearest_under(s):
        entry = f"“{escape(glance.clip(near.title, glance.NEAREST_CHARS))}”"
        facts.append(
            f"nearest there: {entry}" if near.heading == s.heading else f"nearest: {entry} ({escape(near.heading)})"
        )
    lines = [title, " · ".join(facts)]
    if s.terms:
        lines.append("_unlike the list's typical entry:_ " + escape(_clip(", ".join(s.terms[:5]), 200)))
    text = "\n".join(lines)
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, MAX_SECTION_CHARS), "verbatim": True}}


def _plural(n: int) -> str:
    return f"{n} new paper" + ("" if n == 1 else "s")


def render_digest(
    items: Sequence[Scored], *, day: date | None, pr_url: str | None, notes: Sequence[str] = ()
) -> list[SlackMessage]:
    """The digest as messages: the first is posted to the channel, the rest in its thread."""
    when = day.isoformat() if day else date.today().isoformat()
    header_text = _clip(
        f"{_plural(len(items))} for the list · {when}" if items else f"No new papers for the list · {when}",
        MAX_HEADER_CHARS,
    )
    intro: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": header_text}}]
    context = []
    if pr_url:
        context.append(f"<{pr_url}|Review the pull request>")
    context.extend(escape(n) for n in notes)
    elements = [_clip(" · ".join(context), 2000)] if context else []
    if any(s.standing is not None for s in items):
        elements.append(escape(glance.STANDING_NOTE))
    if elements:
        intro.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": e, "verbatim": True} for e in elements]}
        )

    sections = [(s.paper.arxiv_id, paper_section(s)) for s in items]
    messages: list[SlackMessage] = []
    blocks = list(intro)
    ids: list[str] = []
    size = sum(_block_chars(b) for b in blocks)
    for arxiv_id, block in sections:
        chars = _block_chars(block)
        if ids and (len(blocks) + 1 > MAX_BLOCKS or size + chars > MAX_MESSAGE_CHARS):
            messages.append(_message(blocks, ids, when, items, first=not messages))
            blocks, ids, size = [], [], 0
        blocks.append(block)
        ids.append(arxiv_id)
        size += chars
    messages.append(_message(blocks, ids, when, items, first=not messages))
    if len(messages) > 1:  # say where the rest is
        n = len(messages)
        messages = [_with_part(m, i + 1, n) for i, m in enumerate(messages)]
    return messages


def _block_chars(block: dict[str, Any]) -> int:
    if "text" in block:
        return len(block["text"]["text"])
    return sum(len(e.get("text", "")) for e in block.get("elements", []))


def _message(
    blocks: list[dict[str, Any]], ids: list[str], when: str, items: Sequence[Scored], *, first: bool
) -> SlackMessage:
    if first:
        titles = "; ".join(escape(_clip(_title(s), 80)) for s in items[:5])
        more = f" and {len(items) - 5} more" if len(items) > 5 else ""
        text = f"{_plural(len(items))} for the list ({when})" + (f": {titles}{more}" if items else "")
    else:
        text = f"More new papers for the list ({when})"
    metadata = {"event_type": METADATA_EVENT, "event_payload": {"day": when, "ids": ",".join(ids)}}
    return SlackMessage(text=text, blocks=blocks, arxiv_ids=tuple(ids), metadata=metadata)


def _with_part(m: SlackMessage, part: int, total: int) -> SlackMessage:
    suffix = f" (part {part} of {total}{', continued in the thread' if part == 1 else ''})"
    return SlackMessage(m.text + suffix, m.blocks, m.arxiv_ids, m.metadata)


def message_preview(m: SlackMessage) -> str:
    """The message as a person would read it, for the dry run."""
    lines = []
    for block in m.blocks:
        if block["type"] == "header":
            lines.append(f"# {block['text']['text']}")
        elif block["type"] == "context":
            lines.extend(f"  {e['text']}" for e in block["elements"])
        else:
            lines.extend(block["text"]["text"].split("\n"))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# -- posting ---------------------------------------------------------------------------------


class UnsentRequestRetryHandler:
    """slack-sdk's connection-error retry, narrowed to requests that cannot have reached Slack
    (connection refused, name lookup failed). A reset or a timeout may come after Slack posted
    the message: re-sending blindly would post it twice, so SlackNotifier looks in the channel
    instead."""

    @staticmethod
    def build(max_retry_count: int) -> Any:
        import socket

        from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

        class _Handler(ConnectionErrorRetryHandler):
            def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
                reason = getattr(error, "reason", error)
                return response is None and isinstance(reason, ConnectionRefusedError | socket.gaierror)

        return _Handler(max_retry_count=max_retry_count)


class _SlackTarget:
    """What both Slack notifiers are as a delivery target (ports.Target) named "slack": the same
    name, so a channel switched from webhook to bot token (or back) repeats nothing."""

    name = "slack"
    label = "Slack"
    post_empty: bool

    @property
    def says_empty(self) -> bool:
        return self.post_empty

    def holds(self) -> frozenset[str]:
        return self.posted_ids()

    def deliver(self, items: Sequence[Scored], dispatch: Dispatch) -> Delivery | None:
        return self.post(items, day=dispatch.day, pr_url=dispatch.review_url, notes=dispatch.notes)

    def posted_ids(self) -> frozenset[str]:
        raise NotImplementedError

    def post(
        self, items: Sequence[Scored], *, day: date | None, pr_url: str | None, notes: Sequence[str] = ()
    ) -> Delivery | None:
        raise NotImplementedError


class SlackNotifier(_SlackTarget):
    """Posts the digest with a bot token (chat.postMessage); reads history to avoid repeats.
    A delivery target (ports.Target) named "slack"."""

    def __init__(
        self,
        client: Any,
        channel: str,
        *,
        post_empty: bool = False,
        log: Any = None,
        recheck_waits: tuple[float, ...] = (0.0, 1.0, 2.0),
        sleep: Any = time.sleep,
    ) -> None:
        self.client = client  # slack_sdk.WebClient
        self.channel = channel
        self.post_empty = post_empty
        self.log = log or (lambda line: None)
        self.recheck_waits = recheck_waits  # pauses before each look for a post whose answer was lost
        self.sleep = sleep

    def posted_ids(self) -> frozenset[str]:
        """arXiv ids announced by digests in the channel's recent history (best effort)."""
        from slack_sdk.errors import SlackApiError

        ids: set[str] = set()
        oldest = f"{time.time() - HISTORY_DAYS * 86400:.6f}"
        cursor = None
        try:
            for _ in range(20):  # 20 pages of 200 messages is far more than three weeks of digests
                resp = self.client.conversations_history(
                    channel=self.channel, oldest=oldest, limit=200, include_all_metadata=True, cursor=cursor
                )
                for message in resp.get("messages", []):
                    ids |= _ids_in(message)
                    if message.get("reply_count"):
                        ids |= self._thread_ids(message["ts"])
                cursor = (resp.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except SlackApiError as exc:
            self.log(f"warning: cannot read Slack history ({_api_error(exc)}); relying on local state")
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            self.log(f"warning: cannot read Slack history ({_net_error(exc)}); relying on local state")
        return frozenset(ids)

    def _thread_ids(self, ts: str) -> set[str]:
        resp = self.client.conversations_replies(channel=self.channel, ts=ts, include_all_metadata=True, limit=200)
        ids: set[str] = set()
        for message in resp.get("messages", []):
            ids |= _ids_in(message)
        return ids

    def post(
        self, items: Sequence[Scored], *, day: date | None, pr_url: str | None, notes: Sequence[str] = ()
    ) -> Delivery | None:
        if not items and not self.post_empty:
            return None
        from slack_sdk.errors import SlackApiError

        messages = render_digest(items, day=day, pr_url=pr_url, notes=notes)
        delivered: list[str] = []
        ts: str | None = None
        for i, m in enumerate(messages):
            step = "post digest" if i == 0 else f"post digest part {i + 1} in thread"
            try:
                resp = self.client.chat_postMessage(
                    channel=self.channel,
                    text=m.text,
                    blocks=m.blocks,
                    thread_ts=ts,
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata=m.metadata,
                )
                posted_ts: str | None = str(resp.get("ts"))
                problem = ""
            except SlackApiError as exc:
                posted_ts, problem = None, f"Slack {step}: chat.postMessage failed: {_api_error(exc)}"
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                # The answer was lost, not necessarily the post (a timed-out post may still land):
                # look in the channel, a few times, before calling it failed. A refused connection
                # never reached Slack: nothing to look for.
                posted_ts = None
                refused = isinstance(getattr(exc, "reason", exc), ConnectionRefusedError)
                for wait in () if refused else self.recheck_waits:
                    self.sleep(wait)
                    if posted_ts := self._find(m, ts):
                        break
                problem = "" if posted_ts else f"Slack {step}: {_net_error(exc)}"
            if posted_ts:
                ts = ts or posted_ts
                delivered.extend(m.arxiv_ids)
                continue
            if not delivered:
                raise DeliveryError(problem)
            return Delivery(ref=ts or "", delivered=frozenset(delivered), error=problem)
        return Delivery(ref=ts or "", delivered=frozenset(delivered))

    def _find(self, m: SlackMessage, parent: str | None) -> str | None:
        """The ts of a digest message already in the channel (or thread), if it is there."""
        from slack_sdk.errors import SlackApiError

        wanted = set(m.arxiv_ids)
        try:
            if parent:
                resp = self.client.conversations_replies(
                    channel=self.channel, ts=parent, include_all_metadata=True, limit=200
                )
            else:
                resp = self.client.conversations_history(
                    channel=self.channel, oldest=f"{time.time() - 3600:.6f}", include_all_metadata=True, limit=50
                )
        except (SlackApiError, urllib.error.URLError, OSError, http.client.HTTPException):
            return None
        for message in resp.get("messages", []):
            if wanted and _ids_in(message) == wanted:
                return str(message.get("ts"))
        return None


class WebhookNotifier(_SlackTarget):
    """Posts the digest to an incoming webhook. No threads and no history: parts are posted in
    order, and a webhook reports failure by status code instead of raising. A delivery target
    named "slack", like the bot-token notifier it stands in for."""

    def __init__(self, client: Any, *, post_empty: bool = False) -> None:
        self.client = client  # slack_sdk.webhook.WebhookClient; its URL is a secret, never printed
        self.post_empty = post_empty

    def posted_ids(self) -> frozenset[str]:
        return frozenset()

    def post(
        self, items: Sequence[Scored], *, day: date | None, pr_url: str | None, notes: Sequence[str] = ()
    ) -> Delivery | None:
        if not items and not self.post_empty:
            return None
        delivered: list[str] = []
        for i, m in enumerate(render_digest(items, day=day, pr_url=pr_url, notes=notes)):
            try:
                resp = self.client.send(text=m.text, blocks=m.blocks, unfurl_links=False, unfurl_media=False)
                problem = (
                    None
                    if resp.status_code == 200
                    else f"Slack webhook: HTTP {resp.status_code} {_clip(str(resp.body), 100)}"
                )
            except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
                problem = f"Slack webhook: {_net_error(exc)}"
            if problem is None:
                delivered.extend(m.arxiv_ids)
                continue
            if not delivered:
                raise DeliveryError(problem + (f" (part {i + 1})" if i else ""))
            return Delivery(ref="webhook", delivered=frozenset(delivered), error=problem)
        return Delivery(ref="webhook", delivered=frozenset(delivered))


def _ids_in(message: dict[str, Any]) -> set[str]:
    meta = message.get("metadata") or {}
    if meta.get("event_type") != METADATA_EVENT:
        return set()
    raw = (meta.get("event_payload") or {}).get("ids", "")
    return {i for i in str(raw).split(",") if i}


def _api_error(exc: Any) -> str:
    resp = getattr(exc, "response", None)
    status = getattr(resp, "status_code", None)
    error = resp.get("error") if resp is not None and hasattr(resp, "get") else None
    return f"{error or 'error'} (HTTP {status})" if status else str(error or "error")


def _net_error(exc: BaseException) -> str:
    reason = getattr(exc, "reason", exc)
    return f"cannot reach Slack ({type(reason).__name__}: {_clip(str(reason), 80)})"
