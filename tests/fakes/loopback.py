"""Shared machinery for the loopback fakes: a real HTTP server on 127.0.0.1.

`LoopbackServer` runs a stdlib `ThreadingHTTPServer` on an ephemeral port in a
daemon thread, dispatches requests to handlers by method + regex, records every
request, and injects faults (error statuses, connection resets, delays,
truncated or garbage bodies) in the order they were queued.

What it models: HTTP/1.1 with one request per connection (every response says
`Connection: close`), bodies with `Content-Length`. What it does not: TLS,
keep-alive, chunked request bodies, HTTP/2.

Subclasses register routes in `__init__` with `self.route(...)` and may override
`default_error_body()`, `garbage_body` and `fault_response()` to speak their
service's dialect.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["LoopbackServer", "Request", "Response", "json_response", "text_response"]


@dataclass(frozen=True)
class Request:
    """One request as the fake saw it.

    `path` is percent-decoded, `raw_path` is as sent. `query` keeps the last
    value of each parameter, `query_all` every value. `headers` has lower-case
    names. `json` is the parsed body when it parses as JSON, `form` the parsed
    body when it is `application/x-www-form-urlencoded`. `time` is
    `time.monotonic()` at arrival; `fault` names the fault applied, if any.
    """

    method: str
    path: str
    raw_path: str
    query: dict[str, str]
    query_all: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    form: dict[str, str] | None = None
    time: float = 0.0
    fault: str | None = None

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    """What a handler returns; `body` may be bytes, str, or JSON-able data."""

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        body = self.body
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        elif isinstance(body, str):
            body = body.encode()
        if body and not any(k.lower() == "content-type" for k in headers):
            looks_json = body[:1] in (b"{", b"[")
            headers["Content-Type"] = "application/json; charset=utf-8" if looks_json else "text/plain; charset=utf-8"
        return body or b"", headers


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data).encode()
    return Response(status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


def text_response(
    text: str | bytes,
    status: int = 200,
    content_type: str = "text/plain; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> Response:
    body = text.encode() if isinstance(text, str) else text
    return Response(status, body, {"Content-Type": content_type, **(headers or {})})


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    kind: str
    status: int
    body: Any
    headers: dict[str, str]
    seconds: float
    remaining: int


Handler = Callable[..., Response]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: LoopbackServer):
        self.owner = owner
        self.reset_sockets: set[socket.socket] = set()
        super().__init__(("127.0.0.1", 0), _RequestHandler)

    def shutdown_request(self, request: Any) -> None:
        # A "reset" fault must reach the client as RST, not FIN: skip the
        # polite shutdown(SHUT_WR) and close with SO_LINGER=0.
        if request in self.reset_sockets:
            self.reset_sockets.discard(request)
            self.close_request(request)
            return
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-response are expected here (timeouts, faults).
        pass


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # a silent client must not hold a thread forever
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        self.server.owner._handle(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch


class LoopbackServer:
    """A real HTTP server on 127.0.0.1:<ephemeral port> with routes, a log and faults.

    Use as a context manager or call `start()`/`stop()`. `url` is the base URL
    (no trailing slash). Routes match the raw (percent-encoded) path with
    `re.fullmatch`; captured groups are percent-decoded and passed to the
    handler after the `Request`. Handlers run one at a time under `self.lock`,
    which control methods also take, so fake state needs no other locking.
    """

    fault_kinds: tuple[str, ...] = (
        "status",
        "reset",
        "delay",
        "truncate",
        "garbage",
        "lost_answer",
        "hang_after",
        "hang_before",
    )
    garbage_body: bytes = b"<html><body>upstream garbage"
    garbage_content_type: str = "application/json; charset=utf-8"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.errors: list[str] = []  # tracebacks of handler crashes (a fake bug)
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._log: list[Request] = []
        self._faults: list[_Fault] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- lifecycle -----------------------------------------------------
    def start(self) -> Self:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"{type(self).__name__}@{self._server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes handlers sleeping in a "delay" fault
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- routes --------------------------------------------------------
    def route(self, method: str, path_regex: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(path_regex), handler))

    def not_found(self, req: Request) -> Response:
        """Answer for a path no route matches; subclasses speak their dialect."""
        return json_response({"error": "not_found", "path": req.path}, 404)

    # -- request log ---------------------------------------------------
    @property
    def requests(self) -> list[Request]:
        with self.lock:
            return list(self._log)

    def requests_matching(self, method: str | None = None, path_regex: str = "") -> list[Request]:
        """Requests whose method equals `method` (None/"*" = any) and whose decoded path `re.search`es `path_regex`."""
        rx = re.compile(path_regex)
        return [r for r in self.requests if _method_ok(method, r.method) and rx.search(r.path)]

    def requests_to(self, method: str | None, path_prefix: str) -> list[Request]:
        return [r for r in self.requests if _method_ok(method, r.method) and r.path.startswith(path_prefix)]

    def count(self, method: str | None = None, path_regex: str = "") -> int:
        return len(self.requests_matching(method, path_regex))

    def clear_log(self) -> None:
        with self.lock:
            self._log.clear()

    # -- faults --------------------------------------------------------
    def fail(
        self,
        method: str | None,
        path_regex: str,
        *,
        status: int = 500,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
        kind: str = "status",
        seconds: float = 0.0,
    ) -> None:
        """Queue a fault for requests matching `method` (None/"*" = any) and `path_regex`.

        `path_regex` is `re.search`ed in the percent-decoded path.

        Faults are consumed in the order queued; each applies to `times` requests.
        kinds: "status" (answer `status` with `body`/`headers`; body None = the
        service's usual error body), "reset" (close the socket with RST, no
        answer), "lost_answer" (do the work, then reset: the client never learns it
        succeeded), "hang_after" (do the work, then wait `seconds` before resetting),
        "hang_before" (wait `seconds`, then reset without doing the work: the request never
        reached the service),
        "delay" (sleep `seconds`, then answer normally), "truncate"
        (send half the normal body under the full Content-Length and close),
        "garbage" (200 with a malformed body), plus any in `fault_kinds`.
        """
        if kind not in self.fault_kinds:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {self.fault_kinds}")
        if times < 1:
            raise ValueError("times must be >= 1")
        fault = _Fault(
            (method or "*").upper(), re.compile(path_regex), kind, status, body, dict(headers or {}), seconds, times
        )
        with self.lock:
            self._faults.append(fault)

    def pending_faults(self) -> int:
        with self.lock:
            return sum(f.remaining for f in self._faults)

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def default_error_body(self, status: int) -> Response:
        """Body for a "status" fault queued without one; subclasses speak their dialect."""
        return json_response({"error": HTTPStatus(status).phrase}, status)

    def fault_response(self, kind: str, req: Request) -> Response:
        """Hook for subclass-specific fault kinds; return the response to send."""
        raise NotImplementedError(kind)

    # -- internals -----------------------------------------------------
    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if _method_ok(fault.method, method) and fault.pattern.search(path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _handle(self, h: _RequestHandler) -> None:
        req = _read_request(h)
        with self.lock:
            fault = self._take_fault(req.method, req.path)
            if fault is not None:
                req = replace(req, fault=fault.kind)
            self._log.append(req)
        if fault is None or fault.kind == "delay":
            if fault is not None:
                self._stopping.wait(fault.seconds)
            _send(h, self._route(req), head_only=req.method == "HEAD")
        elif fault.kind in ("reset", "lost_answer", "hang_after", "hang_before"):
            if fault.kind in ("lost_answer", "hang_after"):
                self._route(req)  # the service did the work; its answer never arrives
            if fault.kind in ("hang_after", "hang_before"):
                self._stopping.wait(fault.seconds)  # ... for `seconds` (time to kill the client)
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.close_connection = True
            h.server.reset_sockets.add(h.connection)
        elif fault.kind == "truncate":
            _send(h, self._route(req), truncate=True)
        elif fault.kind == "garbage":
            _send(h, Response(200, self.garbage_body, {"Content-Type": self.garbage_content_type}))
        elif fault.kind == "status":
            _send(h, self._fault_status_response(fault))
        else:
            _send(h, self._guarded(partial(self.fault_response, fault.kind, req)))

    def _fault_status_response(self, fault: _Fault) -> Response:
        if fault.body is None:
            resp = self.default_error_body(fault.status)
            resp.status = fault.status
            resp.headers.update(fault.headers)
            return resp
        return Response(fault.status, fault.body, dict(fault.headers))

    def _route(self, req: Request) -> Response:
        for method, rx, handler in self._routes:
            m = rx.fullmatch(req.raw_path)
            if m and (method == req.method or (method == "GET" and req.method == "HEAD")):
                groups = [unquote(g) if g is not None else None for g in m.groups()]
                return self._guarded(partial(handler, req, *groups))
        return self._guarded(partial(self.not_found, req))

    def _guarded(self, produce: Callable[[], Response]) -> Response:
        """Run fake code under the state lock; a crash becomes a 500 and an entry in `errors`."""
        try:
            with self.lock:
                return produce()
        except Exception:  # a bug in the fake: make it loud in the test, not a hang
            tb = traceback.format_exc()
            with self.lock:
                self.errors.append(tb)
            return text_response(f"fake crashed:\n{tb}", 500)


def _method_ok(wanted: str | None, method: str) -> bool:
    return wanted in (None, "*") or wanted.upper() == method


def _read_request(h: _RequestHandler) -> Request:
    arrived = time.monotonic()
    parts = urlsplit(h.path)
    length = int(h.headers.get("Content-Length") or 0)
    body = h.rfile.read(length) if length else b""
    headers = {k.lower(): v for k, v in h.headers.items()}
    query_all = parse_qs(parts.query, keep_blank_values=True)
    parsed_json = None
    form = None
    ctype = headers.get("content-type", "")
    if body:
        if "application/x-www-form-urlencoded" in ctype:
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        else:
            try:
                parsed_json = json.loads(body)
            except ValueError:
                parsed_json = None
    return Request(
        method=h.command,
        path=unquote(parts.path),
        raw_path=parts.path,
        query={k: v[-1] for k, v in query_all.items()},
        query_all=query_all,
        headers=headers,
        body=body,
        json=parsed_json,
        form=form,
        time=arrived,
    )


def _send(h: _RequestHandler, resp: Response, *, head_only: bool = False, truncate: bool = False) -> None:
    body, headers = resp.encoded()
    full_length = len(body)
    if truncate:
        body = body[: len(body) // 2] if len(body) > 1 else b""
        full_length = max(full_length, len(body) + 100)
    h.close_connection = True
    try:
        h.send_response(resp.status)
        for name, value in headers.items():
            if name.lower() not in ("content-length", "connection"):
                h.send_header(name, value)
        no_body = resp.status in (204, 304) or 100 <= resp.status < 200
        if not no_body:
            h.send_header("Content-Length", str(full_length))
        h.send_header("Connection", "close")
        h.end_headers()
        if body and not head_only and not no_body:
            h.wfile.write(body)
        h.wfile.flush()
    except (BrokenPipeError, ConnectionResetError):
        pass
