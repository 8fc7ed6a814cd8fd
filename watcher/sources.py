"""Where papers and the list come from on a run: the arXiv RSS feed, saved feeds, a list file,
the current metadata of listed papers (arXiv API).

Thin I/O adapters over the pure parsers in feeds.py and listfile.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path

from .arxiv_api import ArxivApi, category_window_query
from .download import Downloader
from .enrich import EnrichCache, by_ids
from .errors import UsageError
from .feeds import fetch_feed, read_feed
from .paper import Paper
from .ports import FeedBatch, ListSnapshot


class RssFeeds:
    """Today's announcements: one request for all configured categories."""

    def __init__(
        self,
        downloader: Downloader,
        url: str,
        *,
        etag: str | None = None,
        log: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.downloader = downloader
        self.url = url
        self.etag = etag
        self.log = log

    def fetch(self) -> list[FeedBatch]:
        batch = fetch_feed(self.downloader, self.url, etag=self.etag)
        if batch.not_modified:
            self.log(f"{self.url}: not modified since the last run")
        else:
            self.log(f"{self.url}: {len(batch.papers)} items, announced {batch.announced}")
        return [batch]


class SavedFeeds:
    """Feeds named on the command line (`--feed`): local files or URLs, replayed as a day."""

    def __init__(
        self, downloader: Downloader, where: Sequence[str], log: Callable[[str], None] = lambda line: None
    ) -> None:
        self.downloader = downloader
        self.where = list(where)
        self.log = log

    def fetch(self) -> list[FeedBatch]:
        batches = []
        for where in self.where:
            batch = read_feed(self.downloader, where)
            self.log(f"{where}: {len(batch.papers)} items, announced {batch.announced}")
            batches.append(batch)
        return batches


class FileList:
    """The list as a local Markdown file (the embedded default, or `--list PATH`)."""

    def __init__(self, path: Path, *, key: str = "list.file") -> None:
        self.path = path
        self.key = key

    def read(self) -> ListSnapshot:
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise UsageError(f"{self.key}: cannot read the list {self.path} ({exc.strerror or exc})") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"{self.key}: the list {self.path} is not UTF-8 (byte {exc.start})") from None
        return ListSnapshot(text=text, where=str(self.path))


class ApiWindow:
    """Papers submitted in a window of days, from the arXiv API (backfill of missed days).

    The API knows no announcements; like the RSS feed, a paper whose primary category is watched
    counts as "new" and one only cross-listed into a watched category as "cross".
    """

    def __init__(
        self,
        api: ArxivApi,
        categories: Sequence[str],
        first: date,
        last: date,
        *,
        progress: Callable[[int, int], None] | None = None,
        log: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.api = api
        self.categories = tuple(categories)
        self.first = first
        self.last = last
        self.progress = progress
        self.log = log

    def fetch(self) -> list[FeedBatch]:
        start = datetime.combine(self.first, time(0, 0), UTC)
        end = datetime.combine(self.last, time(23, 59), UTC)
        query = category_window_query(self.categories, start, end)
        self.log(f"arXiv API: papers submitted {self.first} to {self.last} in {', '.join(self.categories)}")
        watched = set(self.categories)
        papers = tuple(
            replace(p, announce_type="new" if p.categories and p.categories[0] in watched else "cross")
            for p in self.api.search(query, progress=self.progress)
        )
        return [FeedBatch(source=f"arXiv API {self.first}..{self.last}", papers=papers, announced=None)]


class ArxivMetadata:
    """The current arXiv metadata of papers already on the list (ports.MetadataSource): a page of
    ids per API request (`id_list`, arxiv.api_page_size ids), paced by the client (arxiv.api_delay).
    An id arXiv refuses as malformed is left out and the rest asked again."""

    def __init__(self, api: ArxivApi, *, log: Callable[[str], None] = lambda line: None) -> None:
        self.api = api
        self.log = log

    def papers(self, arxiv_ids: Sequence[str]) -> dict[str, Paper]:
        ids = list(dict.fromkeys(arxiv_ids))
        size = max(1, self.api.page_size)
        found: dict[str, Paper] = {}
        before = self.api.requests
        for start in range(0, len(ids), size):
            found.update(
                (p.arxiv_id, p)
                for p in by_ids(self.api, ids[start : start + size], self.log, then="no venue update for it")
            )
        self.log(
            f"arXiv API: metadata of {len(found)} of {len(ids)} listed papers ({self.api.requests - before} requests)"
        )
        return found


def resolved_titles(path: Path) -> dict[str, str]:
    """Title key -> arXiv id from `watcher enrich`'s cache at `path` (empty when there is none)."""
    return EnrichCache(path).resolved_titles() if path.exists() else {}
