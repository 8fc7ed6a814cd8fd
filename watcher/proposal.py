"""What the bot proposes to the list: the edited list text and the pull request body. No I/O.

The PR body keeps the bot's part between two HTML-comment markers, so updating it rewrites only
that part and keeps anything a person wrote around it. The bot's part says what to do, then
gives one line per paper (the facts of glance.py) with its abstract and terms collapsed under
it, then any other sections, and ends with a data comment (JSON) naming every paper the PR
proposed, the heading it was proposed under and what its line shows: that is how a later run,
even one that lost its local state, knows what was proposed, what a maintainer removed, and
which headings were corrected, and renders the same lines again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from . import glance, listedit, listfile
from .codelinks import first_code_url
from .listfile import NewEntry
from .paper import abs_url, split_authors
from .scoring import Scored
from .titles import TitleIndex, plain_title

BEGIN = "<!-- watcher:begin -->"
END = "<!-- watcher:end -->"
_DATA = re.compile(r"<!-- watcher:data (\{.*?\}) -->", re.S)
MAX_BODY_CHARS = 60000  # GitHub refuses bodies over 65,536 characters


@dataclass(frozen=True)
class ListEdit:
    before: str
    after: str
    added: tuple[str, ...]  # ids added by this edit
    present: tuple[str, ...]  # ids that were already in the list (not added again)
    # papers added under another heading than proposed (the list has no such heading, e.g. a
    # maintainer renamed it): id -> the heading used, the best-scored one the list has
    refiled: Mapping[str, str] = field(default_factory=dict)
    unplaced: tuple[str, ...] = ()  # ids not added: none of their headings is in the list
    headings: tuple[str, ...] = ()  # the list's headings (for the message about `unplaced`)

    @property
    def changed(self) -> bool:
        return self.after != self.before

    def unplaced_error(self, where: str) -> str | None:
        """One line about the papers that stay out of the list at `where` (None when none do)."""
        if not self.unplaced:
            return None
        return (
            f"{len(self.unplaced)} paper(s) kept for the next run "
            f"({', '.join('arXiv:' + i for i in self.unplaced)}): none of their headings is in "
            f"{where} (headings: {', '.join(map(repr, self.headings)) or 'none'})"
        )

    def filed(self, items: Sequence[Scored]) -> list[Scored]:
        """`items` that are now in the list, each with the heading it is filed under."""
        held = set(self.added) | set(self.present)
        return [
            replace(s, heading=self.refiled.get(s.paper.arxiv_id, s.heading)) for s in items if s.paper.arxiv_id in held
        ]


def _heading_for(doc: listfile.ListDocument, s: Scored) -> str | None:
    """The proposed heading if the list has it, else the best-scored heading it has."""
    if doc.has_heading(s.heading):
        return s.heading
    ranked = sorted(s.heading_scores.items(), key=lambda kv: -kv[1])
    return next((h for h, _ in ranked if doc.has_heading(h)), None)


@dataclass(frozen=True)
class ListRules:
    """How the bot edits the list (config [list]): where new entries go in a section that is
    not ordered by date, a template that replaces the learned style, headings it never uses."""

    position: str = "top"
    template: str = ""
    exclude: tuple[str, ...] = ()


AS_WRITTEN = ListRules()  # the list's own style, new entries at the top of unordered sections


def new_entry(s: Scored, heading: str) -> NewEntry:
    """What the list's style can use of a paper: its title, link, version, authors, the day it
    was announced, and the code repository its own abstract or comment names."""
    p = s.paper
    return NewEntry(
        heading=heading,
        title=p.title,
        arxiv_id=p.arxiv_id,
        version=p.version,
        authors=tuple(split_authors(p.authors)),
        published=p.announced,
        code_url=first_code_url(p.abstract, p.comment),
    )


def edit_list(text: str, items: Sequence[Scored], rules: ListRules = AS_WRITTEN) -> ListEdit:
    """Add `items` under their headings, skipping any paper the text already holds (by any arXiv
    link, DOI or title anywhere on the list). A heading the list does not have (renamed on the
    branch) falls back to the paper's best-scored heading the list has; a paper with none stays
    out (`unplaced`) so the others still go in."""
    doc = listfile.parse(text).excluding(rules.exclude)
    index = TitleIndex(doc.listed())
    additions: list[NewEntry] = []
    added: list[str] = []
    present: list[str] = []
    refiled: dict[str, str] = {}
    unplaced: list[str] = []
    seen: set[str] = set()
    for s in items:
        arxiv_id = s.paper.arxiv_id
        if arxiv_id in seen:
            continue
        seen.add(arxiv_id)
        if index.match(arxiv_id, s.paper.title, s.paper.doi):
            present.append(arxiv_id)
            continue
        heading = _heading_for(doc, s)
        if heading is None:
            unplaced.append(arxiv_id)
            continue
        if heading != s.heading:
            refiled[arxiv_id] = heading
        additions.append(new_entry(s, heading))
        added.append(arxiv_id)
    after = listedit.add_entries(doc, additions, rules.position, rules.template or None) if additions else text
    return ListEdit(text, after, tuple(added), tuple(present), refiled, tuple(unplaced), doc.headings)


# -- the pull request body --------------------------------------------------------------------


DATA_VERSION = 2  # 1: a table's reasons ("why", three nearest entries); 2: the facts of glance.py
_OLD_NEAREST = re.compile(r"^(?P<title>.*) \((?P<heading>.*), -?[\d.]+\)$")  # data comments of v1


@dataclass(frozen=True)
class ProposedPaper:
    """One paper of the PR body: what its line and its details show, and what the data comment
    keeps so that a later run renders the same line (even one that lost its local state)."""

    arxiv_id: str
    title: str = ""
    heading: str = ""
    day: str = ""
    score: float = 0.0  # the calibrated probability
    standing: float | None = None  # the share of the list's entries below it (glance.standing_words)
    lead: float = 0.0
    runner_up: str = ""  # only when close (glance.close_runner_up)
    authors: str = ""  # the first authors ("... et al.")
    nearest: str = ""  # the title of the nearest entry on the list
    nearest_heading: str = ""  # its heading: the paper's own unless none of its heading was near
    opening: str = ""  # the abstract's first sentence or two
    terms: tuple[str, ...] = ()  # what sets it apart from the list's typical entry

    @classmethod
    def from_scored(cls, s: Scored, day: date | None) -> ProposedPaper:
        near = glance.nearest_under(s)
        return cls(
            arxiv_id=s.paper.arxiv_id,
            title=glance.clip(" ".join(plain_title(s.paper.title).split()), 250),
            heading=s.heading,
            day=when.isoformat() if (when := s.paper.announced or day) else "",
            score=round(s.relevance, 3),
            standing=s.standing,
            lead=s.lead,
            runner_up=glance.close_runner_up(s),
            authors=glance.clip(glance.first_authors(s.paper.authors), glance.AUTHORS_CHARS),
            nearest=glance.clip(near.title, glance.NEAREST_CHARS) if near else "",
            nearest_heading=near.heading if near else "",
            opening=glance.opening(s.paper.abstract),
            terms=tuple(glance.clip(t, 40) for t in s.terms[:5]),
        )

    @property
    def scored(self) -> bool:
        """False for a paper known only from the bot's commits (its body lost it): no score to show."""
        return self.standing is not None or self.score > 0

    @property
    def rated(self) -> glance.Score:
        return glance.Score(self.standing, self.lead, self.score)

    def to_json(self, detail: int = 0) -> dict[str, Any]:
        """0: everything; 1: without the details (the abstract's opening, the terms); 2: also
        without authors and nearest entry, and a shorter title; 3: heading and day only (what
        later runs need: the id is the key, the heading shows corrections)."""
        out: dict[str, Any] = {"heading": self.heading, "day": self.day}
        if detail <= 2:
            out.update(title=self.title if detail <= 1 else glance.clip(self.title, 60), score=self.score)
            if self.standing is not None:
                out.update(standing=self.standing)
            if self.lead:
                out.update(lead=self.lead)
            if self.runner_up:
                out.update(runner_up=self.runner_up)
        if detail <= 1:
            out.update(authors=self.authors, nearest=self.nearest, nearest_heading=self.nearest_heading)
        if detail == 0:
            out.update(opening=self.opening, terms=list(self.terms))
        return out

    @classmethod
    def from_json(cls, arxiv_id: str, data: dict[str, Any], version: int = DATA_VERSION) -> ProposedPaper:
        nearest, nearest_heading = data.get("nearest", ""), str(data.get("nearest_heading", ""))
        if isinstance(nearest, list):  # v1: ["title (heading, 0.71)", ...], the nearest first
            m = _OLD_NEAREST.match(str(nearest[0])) if nearest else None
            nearest, nearest_heading = (m["title"], m["heading"]) if m else ("", "")
        standing = data.get("standing")
        return cls(
            arxiv_id=arxiv_id,
            title=str(data.get("title", "")),
            heading=str(data.get("heading", "")),
            day=str(data.get("day", "")),
            score=float(data.get("score", 0.0)),
            standing=None if standing is None else float(standing),
            lead=float(data.get("lead", 0.0)),
            # v1 named the runner-up however far behind it was: not worth a reviewer's time
            runner_up=str(data.get("runner_up", "")) if version >= 2 else "",
            authors=str(data.get("authors", "")),
            nearest=str(nearest),
            nearest_heading=nearest_heading,
            opening=str(data.get("opening", "")),
            terms=tuple(str(t) for t in data.get("terms", [])),
        )


def proposed_in(body: str | None) -> dict[str, ProposedPaper]:
    """The papers a bot PR body says it proposed (empty for a body without the data comment)."""
    if not body or BEGIN not in body:
        return {}
    section = body.split(BEGIN, 1)[1].split(END, 1)[0]
    m = _DATA.search(section)
    if not m:
        return {}
    try:
        data = json.loads(m[1])
        papers = data["papers"]
        version = int(data.get("v", 1))
        return {str(k): ProposedPaper.from_json(str(k), v, version) for k, v in papers.items() if isinstance(v, dict)}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def pr_text(text: str) -> str:
    """Paper text made safe for one line of the PR body: escaped like a list title (no link, tag,
    comment, code or emphasis can open; nothing reads as a block), and no "@name" or "#12" that
    GitHub would turn into a mention or a cross-reference (a zero-width space after the sign)."""
    escaped = listedit.markdown_text(text)
    return _REFERENCE.sub(lambda m: m[1] + "\u200b", escaped)


_REFERENCE = re.compile(r"([@#])(?=[\w-])")


def _line(p: ProposedPaper, full: bool) -> str:
    """One list item: the linked title, then (full) the first authors, then the heading (and a
    close runner-up), the score and (full) the nearest entry under the heading."""
    title = pr_text(p.title) if p.title else p.arxiv_id
    head = f"- **[{title}]({abs_url(p.arxiv_id)})**"
    if full and p.authors:
        head += f", {pr_text(p.authors)}"
    heading = f"**{pr_text(p.heading)}**" if p.heading else "no heading"
    if p.runner_up:
        heading += f" (or {pr_text(p.runner_up)})"
    facts = [heading, p.rated.words] if p.scored else [heading]
    if full and p.nearest:
        if p.nearest_heading == p.heading:
            facts.append(f"nearest there: “{pr_text(p.nearest)}”")
        else:
            facts.append(f"nearest: “{pr_text(p.nearest)}” ({pr_text(p.nearest_heading)})")
    return f"{head} — {' · '.join(facts)}"


def _details(p: ProposedPaper) -> list[str]:
    """The collapsed part of an item: the abstract's opening and the paper's distinctive terms.
    The summary line is the bot's own words; paper text goes in the Markdown paragraphs after it
    (escaped), so no abstract can close the tag or the markers."""
    if not p.opening and not p.terms:
        return []
    body = ["", "  <details><summary>Abstract, and what sets it apart</summary>", ""]
    if p.opening:
        body += [f"  {pr_text(p.opening)}", ""]
    if p.terms:
        body += ["  Unlike the list's typical entry: " + ", ".join(f"*{pr_text(t)}*" for t in p.terms), ""]
    return [*body, "  </details>", ""]


def _item(p: ProposedPaper, line: bool, details: bool) -> list[str]:
    return [_line(p, line), *(_details(p) if details else [])]


FULL_ROWS = 20  # the newest papers keep their details in the body and in the data comment
DATA_BUDGET = 40000  # characters the data comment may take; the visible part gets the rest


def _data_comment(ordered: Sequence[ProposedPaper]) -> str:
    """Every paper the PR proposed, as compact as it must be to leave room for the visible part."""
    for detail in (0, 1, 2, 3):
        papers = {p.arxiv_id: p.to_json(detail if i >= FULL_ROWS or detail >= 2 else 0) for i, p in enumerate(ordered)}
        payload = json.dumps({"v": DATA_VERSION, "papers": papers}, ensure_ascii=False, sort_keys=True)
        # "<" and ">" escaped inside the JSON strings, so no title can close the comment.
        text = "<!-- watcher:data " + payload.replace("<", "\\u003c").replace(">", "\\u003e") + " -->"
        if len(text) <= DATA_BUDGET:
            break
    return text


def _intro(ordered: Sequence[ProposedPaper]) -> list[str]:
    days = sorted({p.day for p in ordered if p.day})
    span = f"{days[0]} to {days[-1]}" if len(days) > 1 else (days[0] if days else "recent days")
    return [
        f"**{len(ordered)} paper{'s' if len(ordered) != 1 else ''} proposed by watcher** "
        f"from the arXiv announcements of {span}.",
        "",
        "**Merge** to accept them. To **reject** a paper, delete its entry on this branch; to "
        "**correct its heading**, move the entry. Closing the pull request rejects every paper in it. "
        "watcher learns from all three.",
    ]


def _notes(shown: Sequence[ProposedPaper]) -> list[str]:
    """One line on what the score and the brackets mean, for what the lines show."""
    notes = []
    if any(p.standing is not None for p in shown):
        notes.append(glance.STANDING_NOTE)
    if any(p.standing is None and p.scored for p in shown):
        notes.append(glance.RELEVANCE_NOTE)
    if any(p.runner_up for p in shown):
        notes.append(glance.RUNNER_UP_NOTE)
    return [f"<sub>{' '.join(notes)}</sub>"] if notes else []


def paper_lines(ordered: Sequence[ProposedPaper], budget: int) -> list[str]:
    """The papers' part of the bot's section in at most `budget` characters: every item with its
    details; else details for the newest FULL_ROWS only; else none; else short lines (title,
    heading, score) past the newest FULL_ROWS; else only the newest items, with a note."""

    def fit(items: Sequence[ProposedPaper], lines: int, details: int) -> list[str]:
        out = [x for i, p in enumerate(items) for x in _item(p, i < lines, i < details)]
        while out and not out[-1]:
            out.pop()
        return [*out, "", *_notes(items)] if out else []

    n = len(ordered)
    for lines, details in ((n, n), (n, FULL_ROWS), (n, 0), (FULL_ROWS, 0)):
        text = fit(ordered, lines, details)
        if len("\n".join(text)) <= budget:
            return text
    shown = n
    while shown:
        shown = shown * 3 // 4
        note = [
            "",
            f"_{n - shown} older papers are not shown (body size limit); they are still in the list on this branch._",
        ]
        text = fit(ordered[:shown], FULL_ROWS, 0) + note
        if len("\n".join(text)) <= budget:
            return text
    return note


def bot_section(papers: Mapping[str, ProposedPaper], budget: int = MAX_BODY_CHARS, sections: Sequence[str] = ()) -> str:
    """The bot's part of the PR body, at most `budget` characters (GitHub refuses bodies over
    65,536): the intro with what to do, one item per paper, then `sections` (other parts the bot
    writes, each a Markdown block, kept whole), then the data comment. The papers' part shrinks
    to fit (`paper_lines`)."""
    ordered = sorted(papers.values(), key=lambda p: (p.day, p.rated.rank), reverse=True)
    head = [BEGIN, *_intro(ordered), ""]
    tail = [*(x for block in sections for x in ("", block.rstrip("\n"))), "", _data_comment(ordered), END]
    room = budget - len("\n".join(head + tail)) - 2
    return "\n".join(head + paper_lines(ordered, room) + tail)


def render_body(
    existing: str | None,
    items: Sequence[Scored],
    day: date | None,
    earlier: Mapping[str, ProposedPaper] | None = None,
    sections: Sequence[str] = (),
) -> str:
    """The PR body with `items` added to the bot's part; text outside the markers is kept.
    `earlier`: papers the PR proposed that the body may no longer name (kept in its data);
    `sections`: other parts of the bot's section (bot_section)."""
    papers = proposed_in(existing)
    for s in items:
        papers.setdefault(s.paper.arxiv_id, ProposedPaper.from_scored(s, day))
    for arxiv_id, p in (earlier or {}).items():
        papers.setdefault(arxiv_id, p)
    if existing and BEGIN in existing and END in existing.split(BEGIN, 1)[1]:
        before, rest = existing.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        return before + bot_section(papers, MAX_BODY_CHARS - len(before) - len(after), sections) + after
    if existing and existing.strip():
        return bot_section(papers, MAX_BODY_CHARS - len(existing) - 2, sections) + "\n\n" + existing
    return bot_section(papers, sections=sections) + "\n"


_BOT_COMMIT = re.compile(r"Add \d+ papers? proposed by watcher\n")
_COMMITTED_ID = re.compile(r"^arXiv:(\S+)$", re.M)


def commit_message(added: Sequence[str]) -> str:
    """The message of the bot's commit on its branch; `committed_ids` reads it back."""
    n = len(added)
    return f"Add {n} paper{'s' if n != 1 else ''} proposed by watcher\n\n" + "\n".join(f"arXiv:{i}" for i in added)


def committed_ids(message: str) -> list[str]:
    """The arXiv ids a bot commit names (none for anyone else's commit)."""
    return _COMMITTED_ID.findall(message) if _BOT_COMMIT.match(message) else []
