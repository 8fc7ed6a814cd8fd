"""Resolve list entries (titles only) to arXiv ids, abstracts and categories via the arXiv API.

Each entry is looked up once: answers, including "not found", are kept in a JSON Lines cache on
disk, so later runs only query entries that are new to the list. Entries that carry an arXiv
link are fetched by id (many per request); the others by title search, with a fuzzy match
that accepts case, punctuation and truncation differences but not a different paper.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .arxiv_api import ArxivApi
from .errors import UsageError
from .listfile import Entry
from .paper import Paper
from .titles import ListedEntry, TitleIndex, title_key

MIN_SIMILARITY = 0.92


def cache_path(state_path: Path) -> Path:
    """The enrichment cache lives beside the state database."""
    return state_path.parent / "enrich-cache.jsonl"


@dataclass(frozen=True)
class Resolved:
    title: str  # as on the list
    section: str
    paper: Paper | None  # None: arXiv has no paper with this title

    def to_json(self) -> dict[str, Any]:
        p = self.paper
        return {
            "title": self.title,
            "section": self.section,
            "arxiv_id": p.arxiv_id if p else None,
            "arxiv_title": p.title if p else None,
            "abstract": p.abstract if p else None,
            "categories": list(p.categories) if p else [],
            "published": p.announced.isoformat() if p and p.announced else None,
        }


def same_paper(listed_title: str, candidate: Paper) -> bool:
    """Does an API hit have the listed title (allowing case, punctuation and truncation)?"""
    if TitleIndex([ListedEntry(listed_title)]).match("", candidate.title):
        return True
    a, b = title_key(listed_title), title_key(candidate.title)
    return difflib.SequenceMatcher(None, a, b).ratio() >= MIN_SIMILARITY


class EnrichCache:
    """title key -> what the API said (a paper as JSON, or null for "not found")."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any] | None] = {}
        if path.exists():
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                try:
                    row = json.loads(line)
                    self.entries[row["key"]] = row["paper"]
                except (ValueError, KeyError, TypeError):
                    raise UsageError(
                        f"{path}:{number}: corrupt enrichment cache line; delete the file to rebuild it"
                    ) from None

    def get(self, title: str) -> tuple[bool, Paper | None]:
        key = title_key(title)
        if key not in self.entries:
            return False, None
        data = self.entries[key]
        return True, _paper_from(data) if data else None

    def papers(self) -> list[Paper]:
        """Every paper the cache resolved."""
        return [_paper_from(data) for data in self.entries.values() if data]

    def put(self, title: str, paper: Paper | None) -> None:
        key = title_key(title)
        data = _paper_json(paper) if paper else None
        self.entries[key] = data
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:  # append: a crash loses at most this line
            f.write(
                json.dumps(
                    {"key": key, "paper": data, "at": datetime.now(UTC).isoformat(timespec="seconds")},
                    ensure_ascii=False,
                )
                + "\n"
            )


def _paper_json(p: Paper) -> dict[str, Any]:
    return {
        "arxiv_id": p.arxiv_id,
        "version": p.version,
        "title": p.title,
        "abstract": p.abstract,
        "authors": p.authors,
        "categories": list(p.categories),
        "published": p.announced.isoformat() if p.announced else None,
    }


def _paper_from(d: dict[str, Any]) -> Paper:
    from datetime import date

    return Paper(
        arxiv_id=d["arxiv_id"],
        version=d.get("version"),
        title=d["title"],
        abstract=d.get("abstract", ""),
        authors=d.get("authors", ""),
        categories=tuple(d.get("categories", ())),
        announced=date.fromisoformat(d["published"]) if d.get("published") else None,
    )


def enrich(
    entries: Sequence[Entry], api: ArxivApi, cache: EnrichCache, *, log: Callable[[str], None] = lambda line: None
) -> list[Resolved]:
    """Resolve every entry, querying only those the cache has not seen."""
    by_id: dict[str, Entry] = {}
    for entry in entries:
        known, _ = cache.get(entry.title)
        if not known and entry.arxiv_ids:
            by_id[sorted(entry.arxiv_ids)[0]] = entry
    if by_id:
        ids = list(by_id)
        for i in range(0, len(ids), 100):
            chunk = ids[i : i + 100]
            found = {p.arxiv_id: p for p in api.search_ids(chunk)}
            for arxiv_id in chunk:
                cache.put(by_id[arxiv_id].title, found.get(arxiv_id))
    results = []
    for n, entry in enumerate(entries, 1):
        known, paper = cache.get(entry.title)
        if not known:
            log(f"[{n}/{len(entries)}] searching arXiv for {entry.title[:70]!r}")
            hits = api.by_title(entry.title)
            paper = next((h for h in hits if same_paper(entry.title, h)), None)
            cache.put(entry.title, paper)
        results.append(Resolved(entry.title, entry.heading, paper))
    return results


def unresolved(results: Iterable[Resolved]) -> list[Resolved]:
    return [r for r in results if r.paper is None]
