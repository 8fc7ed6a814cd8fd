"""Venue updates for papers already on the list: which entries get which venue, the list edit, the
commit message and the pull request's "Venue updates" section. Pure: no I/O.

A listed paper with an arXiv id (linked from its entry, or its exact title resolved by
`watcher enrich`) gets a venue when arXiv's journal reference or comment names one clearly
(venues.explain_venue), the list does not show that venue for it in any form (venues.shows_venue
over the entry's lines: sub-lines, tags, table cells), no earlier proposal of that venue for it
exists (open, merged or rejected), and its section writes venues (listedit.venue_edit: an
indented `- TASLP` line, a `(ICLR 2024)` tag, a venue column). Nothing else of the entry changes.

The pull request section sits between its own markers, outside the new papers' part, so either
can be re-rendered without touching the other; it ends with a data comment naming every venue
the pull request proposed, which is how a later run, even without its state, knows them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from . import listedit, listfile
from .listfile import Entry, ListDocument
from .paper import Paper, abs_url
from .ports import VenueOutcome, VenueUpdate
from .titles import plain_title, title_key
from .venues import explain_venue, is_preprint_marker, shows_venue, venue_in_text

PROPOSED, MERGED, REJECTED = "proposed", "merged", "rejected"
SOURCE_CHARS = 240  # what an update keeps of a comment or journal reference
TITLE_CHARS = 200  # what the PR section shows and keeps of a title (the same, so it re-renders byte for byte)


# -- which listed papers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """A paper on the list whose arXiv id is known: its entries (a paper listed twice has two)."""

    arxiv_id: str
    entries: tuple[Entry, ...]
    how: str  # "link" (the entry links it) or "title" (its exact title, resolved by `watcher enrich`)

    @property
    def title(self) -> str:
        return self.entries[0].title


def _linked_id(doc: ListDocument, e: Entry) -> str:
    """The entry's own arXiv id: the first one its lines name."""
    raw = "".join(doc.lines[e.start : e.end])
    return min(e.arxiv_ids, key=lambda i: (raw.find(i) if i in raw else len(raw), i))


def listed_papers(doc: ListDocument, resolved: Mapping[str, str] | None = None) -> list[Listed]:
    """The list's papers with an arXiv id, in list order. `resolved`: title key -> arXiv id for
    entries without a link (the enrichment cache's exact-title hits)."""
    by_id: dict[str, list[Entry]] = {}
    how: dict[str, str] = {}
    for e in doc.entries:
        if e.arxiv_ids:
            arxiv_id, kind = _linked_id(doc, e), "link"
        elif resolved and (found := resolved.get(title_key(e.title))):
            arxiv_id, kind = found, "title"
        else:
            continue
        by_id.setdefault(arxiv_id, []).append(e)
        how.setdefault(arxiv_id, kind)
    return [Listed(i, tuple(es), how[i]) for i, es in by_id.items()]


def records_venues(doc: ListDocument) -> bool:
    """Whether the list writes venues at all: an entry naming one, or a table with a venue column."""
    if any(e.venue and not is_preprint_marker(e.venue) for e in doc.entries):
        return True
    return any("venue" in t.roles for t in doc.tables)


def entry_text(doc: ListDocument, e: Entry) -> str:
    return "".join(doc.lines[e.start : e.end])


def _entries_of(doc: ListDocument, arxiv_id: str, title: str) -> list[Entry]:
    """The entries of one paper: those linking its id, else those with its exact title."""
    linked = [e for e in doc.entries if arxiv_id in e.arxiv_ids]
    if linked:
        return linked
    key = title_key(title)
    return [e for e in doc.entries if not e.arxiv_ids and key and title_key(e.title) == key]


def shown(doc: ListDocument, arxiv_id: str, title: str, venue: str) -> bool:
    """Whether the list shows `venue` for the paper (on any of its entries)."""
    v = venue_in_text(venue)
    return v is not None and any(shows_venue(entry_text(doc, e), v) for e in _entries_of(doc, arxiv_id, title))


# -- what to propose ------------------------------------------------------------------------------

# Why a listed paper gets no venue update (RunReport counts "venues_<reason>").
SKIP_REASONS = {
    "not_on_arxiv": "arXiv has no paper with this id",
    "no_metadata": "no journal reference or comment",
    "unclear": "the journal reference or comment names no clear venue",
    "shown": "the list already shows the venue",
    "pending": "a venue proposed for it is still in the pull request",
    "merged": "this venue was proposed and merged before",
    "rejected": "this venue was proposed and rejected (deleted, or the pull request closed)",
    "other_venue": "its entry names another venue",
    "no_style": "its section writes no venues",
    "later": "more venues than venues.max_per_check: left for the next check",
}


def source_text(paper: Paper, why: str) -> str:
    """The metadata a venue was read from, as the PR section quotes it."""
    parts = []
    if "journal reference" in why and paper.journal_ref:
        parts.append(f"journal reference: {_clip(paper.journal_ref)}")
    if "comment" in why and paper.comment:
        parts.append(f"comment: {_clip(paper.comment)}")
    return "; ".join(parts)


def _clip(text: str, most: int = SOURCE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


@dataclass(frozen=True)
class Plan:
    updates: tuple[VenueUpdate, ...]
    skipped: Counter[str] = field(default_factory=Counter)  # reason (SKIP_REASONS) -> papers


def plan(
    doc: ListDocument,
    listed: Sequence[Listed],
    papers: Mapping[str, Paper],
    known: Mapping[tuple[str, str], str],
    day: date | None = None,
    most: int | None = None,
) -> Plan:
    """The venue updates for `listed`, given their arXiv metadata and the earlier proposals
    (`known`: (arXiv id, venue) -> proposed / merged / rejected); at most `most` of them, in the
    list's order (the others are left for the next check, which finds them again)."""
    pending = {i for (i, _), status in known.items() if status == PROPOSED}
    updates: list[VenueUpdate] = []
    skipped: Counter[str] = Counter()
    for item in listed:
        paper = papers.get(item.arxiv_id)
        if paper is None:
            skipped["not_on_arxiv"] += 1
            continue
        venue, why = explain_venue(paper.journal_ref, paper.comment)
        if venue is None:
            skipped["no_metadata" if not (paper.journal_ref or paper.comment).strip() else "unclear"] += 1
            continue
        written = str(venue)
        if any(shows_venue(entry_text(doc, e), venue) for e in item.entries):
            skipped["shown"] += 1
            continue
        status = known.get((item.arxiv_id, written))
        if status in (MERGED, REJECTED):
            skipped[status] += 1
            continue
        if status == PROPOSED or item.arxiv_id in pending:
            skipped["pending"] += 1
            continue
        entry = item.entries[0]
        if listedit.venue_edit(doc, entry, written) is None:
            named = entry.venue and not is_preprint_marker(entry.venue)
            skipped["other_venue" if named else "no_style"] += 1
            continue
        updates.append(
            VenueUpdate(
                arxiv_id=item.arxiv_id,
                title=item.title,
                venue=written,
                source=source_text(paper, why),
                day=day.isoformat() if day else "",
            )
        )
    if most is not None and len(updates) > most:
        skipped["later"] += len(updates) - most
        updates = updates[:most]
    return Plan(tuple(updates), skipped)


# -- the list edit -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VenueEdit:
    before: str
    after: str
    applied: tuple[VenueUpdate, ...]
    left: tuple[VenueUpdate, ...] = ()  # not applied: the entry is not on this text, shows it, or cannot take one

    @property
    def changed(self) -> bool:
        return self.after != self.before


def _split(text: str) -> list[str]:
    """Lines with their endings, split on "\\n" only (as listfile reads them)."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def apply(text: str, updates: Sequence[VenueUpdate]) -> VenueEdit:
    """`text` with each update's venue added to the paper's first entry, in one pass: each edit
    stays inside its entry's lines (checked), and the edits are spliced in from the bottom up, so
    every other byte of the list is kept."""
    doc = listfile.parse(text)
    lines = list(doc.lines)
    splices: list[tuple[int, int, list[str]]] = []
    applied: list[VenueUpdate] = []
    left: list[VenueUpdate] = []
    taken: set[int] = set()
    for u in updates:
        entries = _entries_of(doc, u.arxiv_id, u.title)
        venue = venue_in_text(u.venue)
        if not entries or venue is None or any(shows_venue(entry_text(doc, e), venue) for e in entries):
            left.append(u)
            continue
        e = entries[0]
        edited = listedit.venue_edit(doc, e, u.venue) if e.start not in taken else None
        new = _split(edited) if edited is not None else []
        grown = len(new) - len(lines)
        if edited is None or new[: e.start] != lines[: e.start] or new[e.end + grown :] != lines[e.end :]:
            left.append(u)
            continue
        splices.append((e.start, e.end, new[e.start : e.end + grown]))
        taken.add(e.start)
        applied.append(u)
    for start, end, replacement in sorted(splices, key=lambda s: -s[0]):
        lines[start:end] = replacement
    return VenueEdit(text, "".join(lines), tuple(applied), tuple(left))


# -- review: what became of earlier proposals ------------------------------------------------------


def review(proposals: Iterable[VenueUpdate], *, number: int, state: str, on: ListDocument | None) -> list[VenueOutcome]:
    """The outcome of each venue a pull request proposed. `state`: "open", "merged" (into the
    list's branch), "closed" (unmerged) or "elsewhere" (merged into another branch: no verdict);
    `on`: the list on the bot branch (open) or on the base branch (merged). A venue whose paper's
    entry is not on `on` any more gives no verdict: the paper was removed, not its venue."""
    out = []
    for u in proposals:
        venue = venue_in_text(u.venue)
        entries = _entries_of(on, u.arxiv_id, u.title) if on is not None else []
        if state == "closed":
            outcome = REJECTED
        elif state == "elsewhere" or not entries or venue is None:
            outcome = PROPOSED
        elif any(shows_venue(entry_text(on, e), venue) for e in entries if on is not None):
            outcome = PROPOSED if state == "open" else MERGED
        else:
            outcome = REJECTED
        out.append(VenueOutcome(u.arxiv_id, u.venue, outcome, number, u.title, u.source))
    return out


# -- commit messages -----------------------------------------------------------------------------

_VENUE_COMMIT = re.compile(r"Add venues? to \d+ listed papers? \(watcher\)\n")
_COMMITTED_VENUE = re.compile(r"^arXiv:(\S+) (\S.*)$", re.M)


def commit_message(updates: Sequence[VenueUpdate]) -> str:
    """The venue commit's message: its own first line (a paper commit's is "Add N papers proposed
    by watcher"), then one "arXiv:<id> <venue>" line per paper; `committed_venues` reads it back."""
    n = len(updates)
    head = f"Add venue{'s' if n != 1 else ''} to {n} listed paper{'s' if n != 1 else ''} (watcher)"
    return head + "\n\n" + "\n".join(f"arXiv:{u.arxiv_id} {u.venue}" for u in updates)


def committed_venues(message: str) -> list[tuple[str, str]]:
    """(arXiv id, venue) named by a venue commit of the bot (none for any other commit)."""
    if not _VENUE_COMMIT.match(message):
        return []
    return [(i, v.strip()) for i, v in _COMMITTED_VENUE.findall(message)]


# -- the pull request section --------------------------------------------------------------------

BEGIN = "<!-- watcher:venues:begin -->"
END = "<!-- watcher:venues:end -->"
_DATA = re.compile(r"<!-- watcher:venues (\{.*?\}) -->", re.S)
MAX_SECTION_CHARS = 15000  # of GitHub's 65,536 body characters; the new papers' part gets the rest
MIN_SECTION_CHARS = 2000  # always room for the markers, the heading and the data


def venues_in(body: str | None) -> dict[str, VenueUpdate]:
    """The venue updates a pull request body says it proposed (by arXiv id)."""
    if not body or BEGIN not in body:
        return {}
    m = _DATA.search(body.split(BEGIN, 1)[1].split(END, 1)[0])
    if not m:
        return {}
    try:
        rows = json.loads(m[1])["venues"]
        out = {}
        for i, r in rows.items():
            if isinstance(r, str) and r:
                out[str(i)] = VenueUpdate(str(i), "", r)
            elif isinstance(r, dict) and r.get("venue"):
                fields = (str(r.get(k, "")) for k in ("title", "venue", "source", "day"))
                out[str(i)] = VenueUpdate(str(i), *fields)
        return out
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def _cell(text: str) -> str:
    return listedit.markdown_text(text).replace("|", "\\|")


def _row(u: VenueUpdate, source_chars: int) -> str:
    title = _cell(plain_title(u.title[:TITLE_CHARS])) or u.arxiv_id
    said = _cell(_clip(u.source, source_chars)) if u.source and source_chars else "–"
    return f"| [{title}]({abs_url(u.arxiv_id)}) | **{_cell(u.venue)}** | {said} |"


def _data(ordered: Sequence[VenueUpdate], full: bool) -> str:
    """Every venue the pull request proposed, whole, or (`full` off) only its venue: what later
    runs need, the id being the key."""
    rows: dict[str, object] = {
        u.arxiv_id: {"venue": u.venue, "title": u.title[:TITLE_CHARS], "source": u.source, "day": u.day}
        if full
        else u.venue
        for u in ordered
    }
    payload = json.dumps({"v": 1, "venues": rows}, ensure_ascii=False)  # in the order proposed
    return "<!-- watcher:venues " + payload.replace("<", "\\u003c").replace(">", "\\u003e") + " -->"


def section(updates: Mapping[str, VenueUpdate], budget: int = MAX_SECTION_CHARS) -> str:
    """The "Venue updates" section, at most `budget` characters when it can be: the newest rows
    first, quoting less of the metadata, then fewer rows, as the budget asks."""
    ordered = sorted(updates.values(), key=lambda u: u.day, reverse=True)  # newest first, else as given
    n = len(ordered)
    head = [
        BEGIN,
        "### Venue updates",
        "",
        f"**{n} paper{'s' if n != 1 else ''} already on the list** "
        f"{'have' if n != 1 else 'has'} been published, says arXiv's metadata: "
        "each gets its venue in the list's own style (a commit of its own; nothing else of the entry changes).",
        "",
        "To reject a venue, delete it on this branch: it is not proposed again. "
        "Closing the pull request rejects these too.",
        "",
        "| Paper | Venue | arXiv says |",
        "|---|---|---|",
    ]
    for full, chars in ((True, 160), (True, 60), (False, 0)):
        tail = ["", _data(ordered, full), END]
        text = "\n".join(head + [_row(u, chars) for u in ordered] + tail)
        if len(text) <= budget:
            return text
    shown_rows = n
    while shown_rows > 0:
        shown_rows = shown_rows * 3 // 4
        note = ["", f"_{n - shown_rows} more venue updates are not shown (body size limit); they are on this branch._"]
        text = "\n".join(head + [_row(u, 0) for u in ordered[:shown_rows]] + note + tail)
        if len(text) <= budget:
            break
    return text


def with_section(body: str | None, updates: Mapping[str, VenueUpdate], limit: int) -> str:
    """`body` with its venue section replaced (or added at the end), everything else kept;
    the section gets what `limit` leaves, between MIN_ and MAX_SECTION_CHARS."""
    body = body or ""
    if BEGIN in body and END in body.split(BEGIN, 1)[1]:
        before, rest = body.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
    else:
        before, after = (body.rstrip("\n") + "\n\n" if body.strip() else ""), "\n"
    budget = max(MIN_SECTION_CHARS, min(MAX_SECTION_CHARS, limit - len(before) - len(after)))
    return before + section(updates, budget) + after
