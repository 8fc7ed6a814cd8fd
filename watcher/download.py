"""HTTP GET with a timeout, an identifying User-Agent, retries with backoff, and Retry-After.

Used for everything the bot reads from arXiv (RSS feed, API). Connection errors, timeouts,
truncated bodies, 429 and 5xx are retried; any other status is returned to the caller, which
knows what a 304 or a 400 means for its protocol. The sleep function is injected so tests and
the backfill pacing stay fast and observable.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests

from .errors import FetchError

MAX_BODY_BYTES = 64 * 1024 * 1024  # far above a 2,000-item feed (~4 MB); stops a runaway body
MAX_WAIT_SECONDS = 300.0


@dataclass(frozen=True)
class HttpPolicy:
    user_agent: str
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 2.0  # first wait; doubles on each retry unless the server says Retry-After


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date. None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Downloader:
    def __init__(
        self,
        policy: HttpPolicy,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.policy = policy
        self.session = session or requests.Session()
        self.sleep = sleep
        self.requests_made = 0

    def get(
        self,
        url: str,
        *,
        what: str,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        pace: Callable[[], None] | None = None,
    ) -> Fetched:
        """GET `url`; retry what is worth retrying; return the final answer, or raise FetchError.

        `what` names the request in messages ("arXiv RSS feed"); `pace` is called before every
        attempt, retries included (the arXiv API's one-request-every-3-seconds rule).
        """
        host = urlsplit(url).netloc or url
        send = {"User-Agent": self.policy.user_agent, **(headers or {})}
        attempts = self.policy.retries + 1
        for attempt in range(attempts):
            wait = self.policy.backoff * (2**attempt)
            if pace is not None:
                pace()
            try:
                self.requests_made += 1
                fetched = self._get_once(url, params, send)
            except requests.Timeout:
                problem = f"no answer from {host} within {self.policy.timeout:g} s"
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                problem = f"connection to {host} failed ({_reason(exc)})"
            except requests.RequestException as exc:
                raise FetchError(f"{what}: request to {host} failed: {_reason(exc)}") from None
            else:
                if fetched.status != 429 and fetched.status < 500:
                    return fetched
                problem = f"HTTP {fetched.status} from {host}"
                hinted = retry_after_seconds(fetched.headers.get("Retry-After"))
                if hinted is not None:
                    wait = hinted
            if attempt + 1 < attempts:
                self.sleep(min(wait, MAX_WAIT_SECONDS))
        raise FetchError(f"{what}: {problem} (gave up after {attempts} attempts)")

    def _get_once(self, url: str, params: Mapping[str, str | int] | None, headers: Mapping[str, str]) -> Fetched:
        with self.session.get(
            url, params=params, headers=dict(headers), timeout=self.policy.timeout, stream=True
        ) as resp:
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_content(chunk_size=256 * 1024):
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise FetchError(
                        f"{urlsplit(url).netloc}: answer larger than {MAX_BODY_BYTES // (1024 * 1024)} MB, refused"
                    )
                chunks.append(chunk)
            return Fetched(resp.url, resp.status_code, dict(resp.headers), b"".join(chunks))


def _reason(exc: BaseException) -> str:
    """A short reason without URLs' query strings or the library's nested reprs."""
    text = str(exc)
    for marker in (
        "Connection refused",
        "Read timed out",
        "IncompleteRead",
        "Connection reset",
        "Remote end closed",
        "Name or service not known",
        "Connection broken",
    ):
        if marker in text:
            return marker.lower()
    return type(exc).__name__
