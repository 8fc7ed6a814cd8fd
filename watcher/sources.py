"""Where papers and the list come from on a run: the arXiv RSS feed, saved feeds, a list file.

Thin I/O adapters over the pure parsers in feeds.py and listfile.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from .download import Downloader
from .errors import UsageError
from .feeds import FeedBatch, fetch_feed, read_feed
from .pipeline import ListSnapshot


class RssFeeds:
    """Today's announcements: one request for all configured categories."""

    def __init__(self, downloader: Downloader, url: str, *, etag: str | None = None,
                 log: Callable[[str], None] = lambda line: None) -> None:
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

    def __init__(self, downloader: Downloader, where: Sequence[str],
                 log: Callable[[str], None] = lambda line: None) -> None:
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
