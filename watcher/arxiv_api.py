"""The arXiv API (export.arxiv.org/api/query): parse its Atom answers (pure), page through
searches politely (I/O through a Downloader).

arXiv's terms ask for at least 3 seconds between requests from all of a user's machines, one
connection at a time. The API also answers 200 with an empty page when it is throttling, so an
empty page where results were promised is retried like a 503, never taken as the end.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import feedparser

from .download import Downloader
from .errors import FeedError, FetchError
from .paper import Paper, parse_arxiv_id, squash_whitespace


@dataclass(frozen=True)
class ApiPage:
    papers: tuple[Paper, ...]
    total: int
    start: int


def _day(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _paper(entry: Any) -> Paper:
    arxiv_id, version = parse_arxiv_id(entry.get("id", ""))
    primary = (entry.get("arxiv_primary_category") or {}).get("term")
    tags = [t["term"] for t in entry.get("tags", ()) if t.get("term")]
    categories = ([primary] if primary else []) + [t for t in tags if t != primary]
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=squash_whitespace(entry.get("title", "")),
        abstract=squash_whitespace(entry.get("summary", "")),
        authors=", ".join(squash_whitespace(a.get("name", "")) for a in entry.get("authors", ())),
        categories=tuple(categories),
        announce_type="",  # the API has no announcements; callers that know set it
        announced=_day(entry.get("published")),
        link=f"https://arxiv.org/abs/{arxiv_id}",
        comment=squash_whitespace(entry.get("arxiv_comment") or ""),
        journal_ref=squash_whitespace(entry.get("arxiv_journal_ref") or ""),
        doi=squash_whitespace(entry.get("arxiv_doi") or ""),
    )


def parse_api(content: bytes, source: str = "arXiv API") -> ApiPage:
    """One page of API results. Raises FeedError for arXiv's error entries and non-feeds."""
    parsed = feedparser.parse(content, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version"):
        raise FeedError(f"{source}: not an Atom feed")
    if parsed.get("bozo") and "Encoding" not in type(parsed.get("bozo_exception")).__name__:
        raise FeedError(f"{source}: malformed XML ({parsed.get('bozo_exception')})")
    entries = parsed.entries
    if len(entries) == 1 and "api/errors" in entries[0].get("id", ""):
        raise FeedError(f"{source}: arXiv API error: {squash_whitespace(entries[0].get('summary', ''))}")
    feed = parsed.get("feed", {})
    try:
        total = int(feed.get("opensearch_totalresults", len(entries)))
        start = int(feed.get("opensearch_startindex", 0))
    except ValueError:
        raise FeedError(f"{source}: bad opensearch counts in the answer") from None
    papers = []
    for entry in entries:
        try:
            papers.append(_paper(entry))
        except ValueError:
            continue  # an entry without an arXiv id is not a paper
    return ApiPage(tuple(papers), total, start)


def title_query(title: str, max_words: int = 12) -> str:
    """A title phrase search; punctuation dropped (the API's query syntax has its own)."""
    words = re.findall(r"[0-9A-Za-z]+", title)[:max_words]
    return 'ti:"' + " ".join(words) + '"'


def category_window_query(categories: tuple[str, ...], start: datetime, end: datetime) -> str:
    cats = " OR ".join(f"cat:{c}" for c in categories)
    return f"({cats}) AND submittedDate:[{start:%Y%m%d%H%M} TO {end:%Y%m%d%H%M}]"


class ArxivApi:
    """Paged, paced API searches. `sleep` and `clock` are injected for tests."""

    def __init__(
        self,
        downloader: Downloader,
        url: str,
        *,
        delay: float = 3.0,
        page_size: int = 200,
        empty_page_retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.downloader = downloader
        self.url = url
        self.delay = delay
        self.page_size = page_size
        self.empty_page_retries = empty_page_retries
        self.sleep = sleep
        self.clock = clock
        self._last: float | None = None
        self.requests = 0

    def _pace(self) -> None:
        """Wait until `delay` seconds have passed since the previous request (any request)."""
        if self._last is not None:
            wait = self.delay - (self.clock() - self._last)
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()
        self.requests += 1

    def _page(self, params: dict[str, str | int]) -> ApiPage:
        fetched = self.downloader.get(self.url, what="arXiv API", params=params, pace=self._pace)
        if fetched.status != 200:
            detail = ""
            try:
                parse_api(fetched.content)
            except FeedError as exc:
                detail = f": {exc.message}"
            raise FetchError(f"arXiv API: HTTP {fetched.status}{detail}")
        return parse_api(fetched.content)

    def search(
        self,
        query: str,
        *,
        sort_by: str = "submittedDate",
        sort_order: str = "ascending",
        limit: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Iterator[Paper]:
        """Every result of `query`, page by page; `progress(done, total)` after each page."""
        start = 0
        total: int | None = None
        empty_retries = 0
        while total is None or start < total:
            size = self.page_size if limit is None else min(self.page_size, limit - start)
            if size <= 0:
                return
            page = self._page(
                {"search_query": query, "start": start, "max_results": size, "sortBy": sort_by, "sortOrder": sort_order}
            )
            # A count once seen is never lowered: a throttled answer may say 0 results.
            seen = page.total if total is None else max(total, page.total)
            total = seen if limit is None else min(seen, limit)
            if not page.papers and start < total:
                empty_retries += 1  # arXiv's way of throttling: 200, a count, and no entries
                if empty_retries > self.empty_page_retries:
                    raise FetchError(
                        f"arXiv API: empty pages at offset {start} of {total} results "
                        f"after {self.empty_page_retries} retries (throttled)"
                    )
                self.sleep(self.delay * (2**empty_retries))
                continue
            empty_retries = 0
            yield from page.papers
            start += len(page.papers)
            if progress is not None:
                progress(start, total)

    def search_ids(self, arxiv_ids: list[str]) -> list[Paper]:
        """The papers with these ids (one request for up to a page of ids)."""
        page = self._page({"id_list": ",".join(arxiv_ids), "max_results": len(arxiv_ids)})
        return list(page.papers)

    def by_title(self, title: str, max_results: int = 5) -> list[Paper]:
        return list(self.search(title_query(title), sort_by="relevance", sort_order="descending", limit=max_results))
