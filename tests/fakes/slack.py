"""FakeSlack: the slice of Slack's Web API and incoming webhooks that the bot uses.

Models (checked against slack-sdk 3.48 and Slack's documented errors):
- `POST /api/chat.postMessage`, `/api/chat.update`, `/api/auth.test`,
  `/api/conversations.history`, `/api/conversations.replies`. Bodies may be JSON
  (what slack-sdk sends for chat.*) or form-encoded (what it sends for everything
  else, always as POST even for "GET" methods); query parameters also work.
- Auth as Slack does it: HTTP 200 with `ok: false` and `not_authed` /
  `invalid_auth`; the token is read from `Authorization: Bearer` or a `token` field.
- Channel checks (`channel_not_found`, `not_in_channel`, `is_archived`), channel
  names (`#papers`) resolve to IDs.
- Block Kit limits enforced server-side: > 50 blocks, section text > 3000,
  section fields > 10 or > 2000 chars, header text > 150, markdown > 12000,
  context > 10 / actions > 25 elements, block_id > 255, unknown/input blocks
  -> `invalid_blocks` (with Slack's `errors` + json-pointer messages); all block
  text > `max_blocks_chars` (13,200) -> `msg_blocks_too_long`; `text` > 40,000
  -> `msg_too_long`; neither text nor blocks -> `no_text`.
- Unique, increasing `ts` ("1700000000.000100", +100 µs per message); thread
  replies (a reply to a reply joins the root thread; a well-formed but unknown
  `thread_ts` is accepted and the reply is orphaned, as Slack does; a malformed
  one -> `invalid_thread_ts`).
- Incoming webhooks `POST /services/T…/B…/X…`: 200 `ok` (text/html); 404
  `no_service`, 400 `invalid_payload` / `no_text` / `invalid_blocks` as plain
  text bodies.

Not modelled: scopes, users/DMs, attachments validation, files, reactions,
per-channel rate limits (queue them with `fail(...)` / `rate_limit(...)`).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .loopback import LoopbackServer, Request, Response, json_response, text_response

__all__ = ["FakeSlack", "SlackMessage"]

_TS_RX = re.compile(r"^\d{9,10}\.\d{6}$")
_KNOWN_BLOCKS = {
    "section",
    "header",
    "divider",
    "context",
    "actions",
    "image",
    "markdown",
    "rich_text",
    "video",
    "file",
}


@dataclass(frozen=True)
class SlackMessage:
    """A message as stored by the fake. `thread_ts` is None for top-level messages."""

    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None = None
    unfurl_links: bool | None = None
    unfurl_media: bool | None = None
    edited_ts: str | None = None
    source: str = "api"  # "api" | "webhook" | "seeded"
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


@dataclass
class _Channel:
    id: str
    name: str
    member: bool = True
    archived: bool = False


class SlackError(Exception):
    def __init__(self, error: str, **extra: Any):
        super().__init__(error)
        self.error, self.extra = error, extra


class FakeSlack(LoopbackServer):
    """A stateful fake Slack workspace. Point `WebClient(base_url=fake.api_url)` at it."""

    garbage_body = b"<html><body><h1>502 Bad Gateway</h1>"
    garbage_content_type = "text/html; charset=utf-8"

    def __init__(
        self,
        token: str = "xoxb-test-token",
        channels: Iterable[str] | Mapping[str, str] = ("C0123456789",),
        *,
        team_id: str = "T0FAKE0001",
        bot_user_id: str = "U0BOT00001",
        bot_id: str = "B0BOT00001",
        start_ts: int = 1700000000,
        max_blocks_chars: int = 13200,
    ):
        super().__init__()
        self.token = token
        self.team_id, self.bot_user_id, self.bot_id = team_id, bot_user_id, bot_id
        self.max_blocks_chars = max_blocks_chars
        self._channels: dict[str, _Channel] = {}
        items = channels.items() if isinstance(channels, Mapping) else ((c, None) for c in channels)
        for cid, name in items:
            self.add_channel(cid, name)
        self._messages: list[SlackMessage] = []
        self._webhooks: dict[str, str] = {}
        self._webhook_posts: list[tuple[str, dict[str, Any]]] = []
        self._next_micros = start_ts * 1_000_000
        self.default_webhook_path = self._add_webhook_path(next(iter(self._channels), None))
        for name, handler in [
            ("chat.postMessage", self._post_message),
            ("chat.update", self._update),
            ("auth.test", self._auth_test),
            ("conversations.history", self._history),
            ("conversations.replies", self._replies),
        ]:
            self.route("POST", rf"/api/{re.escape(name)}", self._api(handler))
            self.route("GET", rf"/api/{re.escape(name)}", self._api(handler))
        self.route("POST", r"/services/(T[^/]+/B[^/]+/[^/]+)", self._webhook)

    # -- test-control API --------------------------------------------------
    @property
    def api_url(self) -> str:
        """Base URL for `WebClient(base_url=...)` (with the trailing slash slack-sdk wants)."""
        return f"{self.url}/api/"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/services/{self.default_webhook_path}"

    def add_channel(
        self, channel_id: str, name: str | None = None, *, member: bool = True, archived: bool = False
    ) -> None:
        with self.lock:
            self._channels[channel_id] = _Channel(channel_id, name or channel_id.lower(), member, archived)

    def add_webhook(self, channel: str | None = None) -> str:
        """Register another incoming webhook bound to `channel`; returns its full URL."""
        with self.lock:
            return f"{self.url}/services/{self._add_webhook_path(channel)}"

    def remove_webhook(self, url: str) -> None:
        """Revoke a webhook: later posts get 404 `no_service`."""
        with self.lock:
            self._webhooks.pop(url.split("/services/", 1)[-1], None)

    def seed_message(
        self, channel: str, text: str, *, blocks: list[dict[str, Any]] | None = None, thread_ts: str | None = None
    ) -> SlackMessage:
        """Put a message in history as if posted earlier (e.g. by a previous run)."""
        with self.lock:
            return self._store(channel, text, blocks, thread_ts, None, None, "seeded", {})

    @property
    def webhook_posts(self) -> list[tuple[str, dict[str, Any]]]:
        """(path after /services/, JSON payload) of every accepted incoming-webhook post."""
        with self.lock:
            return list(self._webhook_posts)

    @property
    def messages(self) -> list[SlackMessage]:
        with self.lock:
            return list(self._messages)

    def top_level(self, channel: str | None = None) -> list[SlackMessage]:
        return [m for m in self.messages if not m.is_reply and channel in (None, m.channel)]

    def thread(self, ts: str) -> list[SlackMessage]:
        """Replies under the parent `ts`, oldest first (the parent itself excluded)."""
        return [m for m in self.messages if m.is_reply and m.thread_ts == ts]

    def rate_limit(self, api_method: str = "chat.postMessage", *, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls of `api_method` with HTTP 429 + Retry-After, as Slack does."""
        self.fail(
            "POST",
            rf"^/api/{re.escape(api_method)}$",
            status=429,
            times=times,
            headers={"Retry-After": str(retry_after)},
            body={"ok": False, "error": "ratelimited"},
        )

    # -- dialect -----------------------------------------------------------
    def default_error_body(self, status: int) -> Response:
        if status == 429:
            return json_response({"ok": False, "error": "ratelimited"}, 429, {"Retry-After": "1"})
        return json_response({"ok": False, "error": "fatal_error"}, status)

    def not_found(self, req: Request) -> Response:
        if req.path.startswith("/services/"):
            return text_response("no_service", 404, "text/html")
        return json_response({"ok": False, "error": "unknown_method", "req_method": req.path.rsplit("/", 1)[-1]}, 404)

    # -- Web API -----------------------------------------------------------
    def _api(self, handler: Any) -> Any:
        def run(req: Request) -> Response:
            args = _args(req)
            try:
                self._check_auth(req, args)
                return json_response({"ok": True, **handler(args)})
            except SlackError as e:
                return json_response({"ok": False, "error": e.error, **e.extra})

        return run

    def _check_auth(self, req: Request, args: dict[str, Any]) -> None:
        header = req.header("authorization") or ""
        token = header[7:] if header.lower().startswith("bearer ") else args.get("token")
        if not token:
            raise SlackError("not_authed")
        if token != self.token:
            raise SlackError("invalid_auth")

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake Workspace",
            "user": "watcher",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(args.get("channel"))
        text, blocks = self._validated_content(args)
        thread_ts = args.get("thread_ts")
        if thread_ts is not None:
            thread_ts = str(thread_ts)
            if not _TS_RX.match(thread_ts):
                raise SlackError(
                    "invalid_thread_ts",
                    response_metadata={"messages": [f"[ERROR] {thread_ts} is not a valid thread_ts"]},
                )
            parent = self._find(channel.id, thread_ts)
            if parent is not None and parent.is_reply:
                thread_ts = parent.thread_ts
        msg = self._store(
            channel.id,
            text,
            blocks,
            thread_ts,
            _bool(args.get("unfurl_links")),
            _bool(args.get("unfurl_media")),
            "api",
            args,
        )
        return {"channel": channel.id, "ts": msg.ts, "message": self._message_json(msg)}

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._writable_channel(args.get("channel"))
        ts = str(args.get("ts") or "")
        old = self._find(channel.id, ts)
        if old is None:
            raise SlackError("message_not_found")
        if old.source == "webhook":
            raise SlackError("cant_update_message")
        text, blocks = self._validated_content(args, default_text=old.text)
        new = replace(
            old, text=text, blocks=blocks if "blocks" in args else old.blocks, edited_ts=self._new_ts(), payload=args
        )
        self._messages[self._messages.index(old)] = new
        return {"channel": channel.id, "ts": ts, "text": new.text or "", "message": self._message_json(new)}

    def _history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        inclusive = _bool(args.get("inclusive")) is True
        oldest = _ts_key(args.get("oldest") or "0")
        latest = _ts_key(args["latest"]) if args.get("latest") else None

        def in_window(m: SlackMessage) -> bool:
            k = _ts_key(m.ts)
            lo = k >= oldest if inclusive else k > oldest
            hi = latest is None or (k <= latest if inclusive else k < latest)
            return lo and hi

        msgs = [m for m in reversed(self._messages) if m.channel == channel.id and not m.is_reply and in_window(m)]
        return self._page(msgs, args)

    def _replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        root = self._find(channel.id, str(args.get("ts") or ""))
        if root is None:
            raise SlackError("thread_not_found")
        if root.is_reply:
            root = self._find(channel.id, root.thread_ts or "") or root
        msgs = [root] + [m for m in self._messages if m.channel == channel.id and m.is_reply and m.thread_ts == root.ts]
        return self._page(msgs, args)

    def _page(self, msgs: list[SlackMessage], args: dict[str, Any]) -> dict[str, Any]:
        limit = max(1, min(int(args.get("limit") or 100), 999))
        start = 0
        if args.get("cursor"):
            try:
                start = int(base64.b64decode(str(args["cursor"])).decode().removeprefix("next_index:"))
            except ValueError:
                raise SlackError("invalid_cursor") from None
        page = msgs[start : start + limit]
        has_more = start + limit < len(msgs)
        cursor = base64.b64encode(f"next_index:{start + limit}".encode()).decode() if has_more else ""
        metadata = _bool(args.get("include_all_metadata")) is True
        return {
            "messages": [self._message_json(m, metadata=metadata) for m in page],
            "has_more": has_more,
            "response_metadata": {"next_cursor": cursor},
        }

    # -- incoming webhooks -------------------------------------------------
    def _webhook(self, req: Request, path: str) -> Response:
        channel_id = self._webhooks.get(path)
        if channel_id is None:
            return text_response("no_service", 404, "text/html")
        payload: Any = req.json
        if req.form is not None and "payload" in req.form:
            try:
                payload = json.loads(req.form["payload"])
            except ValueError:
                payload = None
        if not isinstance(payload, dict):
            return text_response("invalid_payload", 400, "text/html")
        try:
            text, blocks = self._validated_content(payload)
        except SlackError as e:
            return text_response(e.error, 400, "text/html")
        self._webhook_posts.append((path, payload))
        self._store(
            channel_id,
            text,
            blocks,
            None,
            _bool(payload.get("unfurl_links")),
            _bool(payload.get("unfurl_media")),
            "webhook",
            payload,
        )
        return text_response("ok", 200, "text/html")

    # -- helpers -----------------------------------------------------------
    def _add_webhook_path(self, channel: str | None) -> str:
        n = len(self._webhooks)
        path = f"T{self.team_id[1:]}/B{n:08d}W/{'X' * 16}{n:08d}"
        self._webhooks[path] = channel or ""
        return path

    def _channel(self, ref: Any) -> _Channel:
        ref = str(ref or "")
        if ref in self._channels:
            return self._channels[ref]
        for ch in self._channels.values():
            if ch.name == ref.lstrip("#"):
                return ch
        raise SlackError("channel_not_found")

    def _writable_channel(self, ref: Any) -> _Channel:
        ch = self._channel(ref)
        if ch.archived:
            raise SlackError("is_archived")
        if not ch.member:
            raise SlackError("not_in_channel")
        return ch

    def _validated_content(
        self, args: dict[str, Any], default_text: str | None = None
    ) -> tuple[str | None, list[dict[str, Any]] | None]:
        text = args.get("text", default_text)
        blocks = args.get("blocks")
        if isinstance(blocks, str):  # form-encoded: a JSON string
            try:
                blocks = json.loads(blocks)
            except ValueError:
                raise SlackError("invalid_blocks_format") from None
        if not text and not blocks and not args.get("attachments") and not args.get("markdown_text"):
            raise SlackError("no_text")
        if text is not None and len(str(text)) > 40000:
            raise SlackError("msg_too_long")
        if blocks is not None:
            errors = _block_errors(blocks)
            if errors:
                raise SlackError(
                    "invalid_blocks", errors=errors, response_metadata={"messages": [f"[ERROR] {e}" for e in errors]}
                )
            if _text_length(blocks) > self.max_blocks_chars:
                raise SlackError("msg_blocks_too_long")
        return (None if text is None else str(text)), blocks

    def _new_ts(self) -> str:
        self._next_micros += 100
        return f"{self._next_micros // 1_000_000}.{self._next_micros % 1_000_000:06d}"

    def _store(
        self,
        channel: str,
        text: str | None,
        blocks: Any,
        thread_ts: str | None,
        unfurl_links: bool | None,
        unfurl_media: bool | None,
        source: str,
        payload: dict[str, Any],
    ) -> SlackMessage:
        msg = SlackMessage(
            channel,
            self._new_ts(),
            text,
            blocks,
            thread_ts,
            unfurl_links,
            unfurl_media,
            source=source,
            payload=dict(payload),
        )
        self._messages.append(msg)
        return msg

    def _find(self, channel: str, ts: str) -> SlackMessage | None:
        return next((m for m in self._messages if m.channel == channel and m.ts == ts), None)

    def _message_json(self, m: SlackMessage, *, metadata: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "bot_id": self.bot_id, "text": m.text or "", "ts": m.ts}
        if metadata and isinstance(m.payload.get("metadata"), dict):
            # Slack returns message metadata only when asked (include_all_metadata=true)
            out["metadata"] = m.payload["metadata"]
        if m.source == "webhook":  # webhook posts carry no user, as in Slack
            out["subtype"] = "bot_message"
        else:
            out.update(user=self.bot_user_id, team=self.team_id)
        if m.blocks is not None:
            out["blocks"] = m.blocks
        if m.edited_ts:
            out["edited"] = {"user": self.bot_user_id, "ts": m.edited_ts}
        replies = [r for r in self._messages if r.is_reply and r.thread_ts == m.ts and r.channel == m.channel]
        if m.is_reply:
            out["thread_ts"] = m.thread_ts
            out["parent_user_id"] = self.bot_user_id
        elif replies:
            out.update(thread_ts=m.ts, reply_count=len(replies), latest_reply=replies[-1].ts)
        return out


def _args(req: Request) -> dict[str, Any]:
    """Slack reads arguments from the query string, a form body or a JSON body."""
    args: dict[str, Any] = dict(req.query)
    if req.form is not None:
        args.update(req.form)
    elif isinstance(req.json, dict):
        args.update(req.json)
    return args


def _bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true")


def _ts_key(ts: Any) -> int:
    """A ts as integer microseconds, for ordering and windows."""
    sec, _, frac = str(ts).partition(".")
    return int(sec or 0) * 1_000_000 + int((frac + "000000")[:6])


def _block_errors(blocks: Any) -> list[str]:
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors: list[str] = []
    if len(blocks) > 50:
        errors.append("no more than 50 items allowed [json-pointer:/blocks]")
    for i, block in enumerate(blocks):
        at = f"/blocks/{i}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            errors.append(f"missing required field: type [json-pointer:{at}]")
            continue
        kind = block["type"]
        if kind not in _KNOWN_BLOCKS:
            errors.append(f"unsupported type: {kind} [json-pointer:{at}/type]")
        if len(str(block.get("block_id", ""))) > 255:
            errors.append(f"must be less than 256 characters [json-pointer:{at}/block_id]")
        if kind == "section":
            if "text" not in block and "fields" not in block:
                errors.append(f"must provide either text or fields [json-pointer:{at}]")
            errors += _text_errors(block.get("text"), 3000, f"{at}/text")
            fields = block.get("fields") or []
            if len(fields) > 10:
                errors.append(f"no more than 10 items allowed [json-pointer:{at}/fields]")
            for j, f in enumerate(fields):
                errors += _text_errors(f, 2000, f"{at}/fields/{j}")
        elif kind == "header":
            text = block.get("text")
            if not isinstance(text, dict) or text.get("type") != "plain_text":
                errors.append(f"must be a plain_text object [json-pointer:{at}/text]")
            errors += _text_errors(text, 150, f"{at}/text")
        elif kind == "markdown":
            if len(str(block.get("text", ""))) > 12000:
                errors.append(f"must be less than 12001 characters [json-pointer:{at}/text]")
        elif kind in ("context", "actions"):
            elements = block.get("elements") or []
            limit = 10 if kind == "context" else 25
            if not elements or len(elements) > limit:
                errors.append(f"must have between 1 and {limit} items [json-pointer:{at}/elements]")
    return errors


def _text_errors(obj: Any, limit: int, at: str) -> list[str]:
    if obj is None:
        return []
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return [f"must be a text object [json-pointer:{at}]"]
    n = len(obj["text"])
    if n == 0:
        return [f"must be more than 0 characters [json-pointer:{at}/text]"]
    if n > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{at}/text]"]
    return []


def _text_length(node: Any) -> int:
    """All characters under "text" keys anywhere in the blocks (what msg_blocks_too_long counts, roughly)."""
    if isinstance(node, list):
        return sum(_text_length(n) for n in node)
    if isinstance(node, dict):
        return sum(len(v) if k == "text" and isinstance(v, str) else _text_length(v) for k, v in node.items())
    return 0
