"""Resolve list entries to arXiv metadata (ids, titles, abstracts, categories) via the arXiv API.

Entries that link an arXiv paper are fetched by id, a page of ids per request (the API's
`id_list`); the others by a title search whose hit must have the entry's title (case,
punctuation, LaTeX and a visibly cut-off title aside: never merely a similar one). Requests are
paced as arXiv asks (arxiv.api_delay). Every answer, "not found" included, is kept in a JSON
Lines cache beside the state database, so an entry is looked up once: later runs only query
entries new to the list. Entries that resolve nowhere are reported and are still learned from,
by their title.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .arxiv_api import ArxivApi
from .errors import FeedError, UsageError
from .listfile import Entry
from .paper import Paper
from .paperfile import paper_row
from .titles import ListedEntry, TitleIndex, title_key

Progress = Callable[[int, int], None]
_BAD_ID = re.compile(r"incorrect id format for (\S+)")


def cache_path(state_path: Path) -> Path:
    """The enrichment cache lives beside the state database."""
    return state_path.parent / "enrich-cache.jsonl"


@dataclass(frozen=True)
class Resolved:
    title: str  # as on the list
    section: str
    paper: Paper | None  # None: arXiv has no paper with this title
    how: str = ""  # "id" or "title" (how it was found), "" when it was not

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
            "found_by": self.how or None,
        }


def same_paper(listed_title: str, candidate: Paper) -> bool:
    """Does an API hit have the listed title? Equal once case, punctuation, accents and LaTeX
    are set aside, or the listed title is a visibly cut-off copy of it (titles.TitleIndex)."""
    return TitleIndex([ListedEntry(listed_title)]).match("", candidate.title) is not None


def _id_key(arxiv_id: str) -> str:
    return f"id:{arxiv_id}"


def _title_key(title: str) -> str:
    return title_key(title)  # the cache's first format: title keys without a prefix


class EnrichCache:
    """Cache key (`id:<arXiv id>` or a title key) -> what the API said (a paper, or null)."""

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

    def get(self, key: str) -> tuple[bool, Paper | None]:
        if key not in self.entries:
            return False, None
        data = self.entries[key]
        return True, _paper_from(data) if data else None

    def papers(self) -> list[Paper]:
        """Every paper the cache resolved (once each)."""
        out = {d["arxiv_id"]: _paper_from(d) for d in self.entries.values() if d}
        return list(out.values())

    def resolved_titles(self) -> dict[str, str]:
        """Title key -> arXiv id, for the entries found by their exact title (no link on the list)."""
        return {key: d["arxiv_id"] for key, d in self.entries.items() if d and not key.startswith("id:")}

    def put(self, key: str, paper: Paper | None) -> None:
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
    return {**paper_row(p), "version": p.version, "comment": p.comment, "journal_ref": p.journal_ref, "doi": p.doi}


def _paper_from(d: dict[str, Any]) -> Paper:
    return Paper(
        arxiv_id=d["arxiv_id"],
        version=d.get("version"),
        title=d["title"],
        abstract=d.get("abstract", ""),
        authors=d.get("authors", ""),
        categories=tuple(d.get("categories", ())),
        announced=date.fromisoformat(d["published"]) if d.get("published") else None,
        comment=d.get("comment", ""),
        journal_ref=d.get("journal_ref", ""),
        doi=d.get("doi", ""),
    )


def _linked_id(entry: Entry) -> str | None:
    return sorted(entry.arxiv_ids)[0] if entry.arxiv_ids else None


def enrich(
    entries: Sequence[Entry],
    api: ArxivApi,
    cache: EnrichCache,
    *,
    log: Callable[[str], None] = lambda line: None,
    progress: Progress | None = None,
) -> list[Resolved]:
    """Resolve every entry, querying only those the cache has not seen: by id first, a page of
    ids per request, then by title for the entries without an arXiv link."""
    ids = sorted({i for e in entries if (i := _linked_id(e)) and not cache.get(_id_key(i))[0]})
    done, total = 0, len(ids) + sum(1 for e in entries if not _linked_id(e))
    batch = max(1, api.page_size)
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        found = {p.arxiv_id: p for p in by_ids(api, chunk, log)}
        for arxiv_id in chunk:
            cache.put(_id_key(arxiv_id), found.get(arxiv_id))
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    # entries without an arXiv link, and those whose link named no paper arXiv has, by title
    searches = [e for e in entries if not (linked := _linked_id(e)) or cache.get(_id_key(linked)) == (True, None)]
    searches = [e for e in searches if not cache.get(_title_key(e.title))[0]]
    total = done + len(searches)
    if searches:
        log(f"searching arXiv for {len(searches)} entries by title (one request each, {api.delay:g} s apart)")
    for entry in searches:
        hits = api.by_title(entry.title)
        cache.put(_title_key(entry.title), next((h for h in hits if same_paper(entry.title, h)), None))
        done += 1
        if progress is not None:
            progress(done, total)
    out = []
    for entry in entries:
        linked = _linked_id(entry)
        paper = cache.get(_id_key(linked))[1] if linked else None
        how = "id" if paper else ""
        if paper is None:
            paper = cache.get(_title_key(entry.title))[1]
            how = "title" if paper else ""
        out.append(Resolved(entry.title, entry.heading, paper, how))
    return out


def by_ids(
    api: ArxivApi, ids: list[str], log: Callable[[str], None], then: str = "looking it up by title instead"
) -> list[Paper]:
    """The papers of `ids`. arXiv refuses a whole request for one id it cannot read ("incorrect
    id format for 2599.99999": a typo in the list's link); that id is left out and the rest
    asked again."""
    ids = list(ids)
    while ids:
        try:
            return api.search_ids(ids)
        except FeedError as exc:
            bad = _BAD_ID.search(exc.message)
            if bad is None or bad[1] not in ids:
                raise
            log(f"arXiv cannot read the id {bad[1]} linked from the list: {then}")
            ids.remove(bad[1])
    return []


def unresolved(results: Iterable[Resolved]) -> list[Resolved]:
    return [r for r in results if r.paper is None]


def suggest_categories(papers: Sequence[Paper], share: float = 0.9, most: int = 6) -> tuple[list[str], float]:
    """The fewest arXiv categories whose announcements would have carried `share` of these
    papers (any of a paper's categories counts: a cross-list is announced there too), most
    common first; and the share they cover."""
    sets = [set(p.categories) for p in papers if p.categories]
    if not sets:
        return [], 0.0
    chosen: list[str] = []
    left = list(sets)
    while left and len(chosen) < most and 1 - len(left) / len(sets) < share:
        best, _ = Counter(c for s in left for c in s).most_common(1)[0]
        chosen.append(best)
        left = [s for s in left if best not in s]
    return chosen, 1 - len(left) / len(sets)
