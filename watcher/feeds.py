"""arXiv RSS/Atom announcement feeds: parse bytes into Papers (pure), fetch one URL (I/O).

rss.arxiv.org serves one announcement day for a `+`-joined set of categories. The parser reads
with feedparser, HTML sanitising and URI resolution off: the RSS description is typed
text/html, and feedparser would otherwise mangle abstracts with LaTeX such as `$p<1$`.
Decisions rest on the HTTP status and the channel, never on the item count alone: an empty
day is a normal feed with no items; an error is a 400 with an error channel, an HTML page, or
XML that does not parse.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import feedparser

from .download import Downloader
from .errors import FeedError, FetchError, UsageError
from .paper import Paper, parse_arxiv_id, squash_whitespace
from .ports import FeedBatch

# arxiv-feed writes f"arXiv:{id}v{ver} Announce Type: {type} \nAbstract: {abstract}".
_DESCRIPTION = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[a-z-]+)\s*\n?\s*Abstract:\s*(?P<abstract>.*)\Z",
    re.S,
)
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html)", re.I)


def _date_of(raw: str | None) -> date | None:
    """The calendar day of an RFC 822 or ISO 8601 timestamp, in its own time zone.

    arXiv dates announcements at midnight US Eastern ("Thu, 28 Nov 2024 00:00:00 -0500"):
    converting to UTC first would keep the day only by luck.
    """
    if not raw:
        return None
    try:
        return email.utils.parsedate_to_datetime(raw).date()
    except (TypeError, ValueError):
        pass
    try:
        return datetime.fromisoformat(raw.strip()).date()
    except ValueError:
        return None


def _paper(entry: Any, fallback_day: date | None) -> Paper:
    guid = entry.get("id") or entry.get("link") or ""
    summary = entry.get("summary") or ""
    match = _DESCRIPTION.match(summary)
    try:
        arxiv_id, version = parse_arxiv_id(match["id"] if match else guid)
    except ValueError:
        try:
            arxiv_id, version = parse_arxiv_id(entry.get("link") or "")
        except ValueError:
            raise FeedError(f"feed item without an arXiv id (guid {guid!r})") from None
    announce = entry.get("arxiv_announce_type") or (match["type"] if match else "")
    abstract = match["abstract"] if match else summary
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=squash_whitespace(entry.get("title") or ""),
        abstract=squash_whitespace(abstract),
        authors=squash_whitespace(entry.get("author") or ""),
        categories=tuple(t["term"] for t in entry.get("tags", ()) if t.get("term")),
        announce_type=announce.strip(),
        announced=_date_of(entry.get("published")) or fallback_day,
        link=entry.get("link") or "",
        journal_ref=squash_whitespace(entry.get("arxiv_journal_reference") or ""),
        doi=squash_whitespace(entry.get("arxiv_doi") or ""),
    )


def parse_feed(content: bytes, source: str, *, etag: str | None = None) -> FeedBatch:
    """Parse an arXiv RSS 2.0 or Atom feed. Raises FeedError for anything but a real feed."""
    if _HTML_START.match(content[:512]):
        raise FeedError(f"{source}: got an HTML page, not an RSS/Atom feed (arXiv may be down)")
    parsed = feedparser.parse(content, sanitize_html=False, resolve_relative_uris=False)
    channel = parsed.get("feed", {})
    if not parsed.get("version"):
        raise FeedError(f"{source}: not an RSS/Atom feed ({_bozo_reason(parsed) or 'unrecognised format'})")
    if parsed.get("bozo") and _is_xml_error(parsed.get("bozo_exception")):
        raise FeedError(f"{source}: malformed XML ({_bozo_reason(parsed)})")
    title = channel.get("title", "")
    if title.startswith("Feed error for query"):
        raise FeedError(f"{source}: arXiv rejected the query: {_error_detail(channel)}")
    day = _date_of(channel.get("published") or channel.get("updated"))
    papers = tuple(_paper(e, day) for e in parsed.entries)
    return FeedBatch(source=source, papers=papers, announced=day, etag=etag, digest=hashlib.sha256(content).hexdigest())


def _is_xml_error(exc: object) -> bool:
    # CharacterEncodingOverride and friends are warnings about a feed that parsed fine.
    return exc is not None and "Encoding" not in type(exc).__name__


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    if exc is None:
        return ""
    if hasattr(exc, "getLineNumber") and hasattr(exc, "getMessage"):  # SAXParseException
        return f"line {exc.getLineNumber()}, column {exc.getColumnNumber()}: {exc.getMessage()}"
    return f"{type(exc).__name__}: {squash_whitespace(str(exc))[:200]}"


def _error_detail(channel: Any) -> str:
    return squash_whitespace(channel.get("description") or channel.get("subtitle") or "no detail")[:300]


def fetch_feed(downloader: Downloader, url: str, *, etag: str | None = None) -> FeedBatch:
    """GET the feed once (with retries inside); a 304 answers "same feed as last time"."""
    headers = {"If-None-Match": etag} if etag else {}
    fetched = downloader.get(url, what="arXiv RSS feed", headers=headers)
    if fetched.status == 304:
        return FeedBatch(source=url, papers=(), announced=None, etag=etag, not_modified=True)
    if fetched.status == 400:
        try:
            parse_feed(fetched.content, url)
        except FeedError as exc:
            raise FeedError(f"arXiv RSS feed: HTTP 400: {exc.message}") from None
        raise FeedError(f"arXiv RSS feed: HTTP 400 from {url}")
    if fetched.status != 200:
        raise FetchError(f"arXiv RSS feed: HTTP {fetched.status} from {url}")
    return parse_feed(fetched.content, url, etag=fetched.headers.get("ETag"))


def read_feed(downloader: Downloader, where: str) -> FeedBatch:
    """A feed from `--feed`: a URL is fetched, anything else is read as a local file."""
    if re.match(r"^https?://", where):
        return fetch_feed(downloader, where)
    try:
        content = Path(where).read_bytes()
    except OSError as exc:
        raise UsageError(f"--feed {where}: cannot read file ({exc.strerror or exc})") from None
    return parse_feed(content, where)


def merge_papers(batches: Iterable[FeedBatch]) -> list[Paper]:
    """All papers of all batches, one per base id (the first seen wins), in arXiv id order."""
    seen: dict[str, Paper] = {}
    for batch in batches:
        for paper in batch.papers:
            seen.setdefault(paper.arxiv_id, paper)
    return sorted(seen.values(), key=lambda p: p.arxiv_id)


def announced_day(batches: Sequence[FeedBatch]) -> date | None:
    days = [b.announced for b in batches if b.announced]
    return max(days) if days else None
