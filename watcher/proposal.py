"""What the bot proposes to the list: the edited list text and the pull request body. No I/O.

The PR body keeps the bot's part between two HTML-comment markers, so updating it rewrites only
that part and keeps anything a person wrote around it. The bot's part ends with a data comment
(JSON) naming every paper the PR proposed and the heading it was proposed under: that is how a
later run, even one that lost its local state, knows what was proposed, what a maintainer
removed, and which headings were corrected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from . import listfile
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
    after = listfile.add_entries(doc, additions, rules.position, rules.template or None) if additions else text
    return ListEdit(text, after, tuple(added), tuple(present), refiled, tuple(unplaced), doc.headings)


# -- the pull request body --------------------------------------------------------------------


@dataclass(frozen=True)
class ProposedPaper:
    """One row of the PR body; also what the data comment stores."""

    arxiv_id: str
    title: str
    heading: str
    score: float
    runner_up: str
    why: str
    nearest: tuple[str, ...]
    day: str

    @classmethod
    def from_scored(cls, s: Scored, day: date | None) -> ProposedPaper:
        return cls(
            arxiv_id=s.paper.arxiv_id,
            title=" ".join(plain_title(s.paper.title).split())[:250],
            heading=s.heading,
            score=round(s.relevance, 3),
            runner_up=s.runner_up,
            why=s.why[:300],
            nearest=tuple(f"{n.title[:90]} ({n.heading}, {n.similarity:.2f})" for n in s.nearest[:3]),
            day=when.isoformat() if (when := s.paper.announced or day) else "",
        )

    def to_json(self, detail: int = 0) -> dict[str, Any]:
        """0: everything; 1: without the reasons; 2: also a shorter title; 3: heading and day only
        (what later runs need: the id is the key, the heading shows corrections)."""
        out: dict[str, Any] = {"heading": self.heading, "day": self.day}
        if detail <= 2:
            out.update(title=self.title if detail <= 1 else self.title[:60], score=self.score, runner_up=self.runner_up)
        if detail == 0:
            out.update(why=self.why, nearest=list(self.nearest))
        return out

    @classmethod
    def from_json(cls, arxiv_id: str, data: dict[str, Any]) -> ProposedPaper:
        return cls(
            arxiv_id=arxiv_id,
            title=str(data.get("title", "")),
            heading=str(data.get("heading", "")),
            score=float(data.get("score", 0.0)),
            runner_up=str(data.get("runner_up", "")),
            why=str(data.get("why", "")),
            nearest=tuple(str(n) for n in data.get("nearest", [])),
            day=str(data.get("day", "")),
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
        return {str(k): ProposedPaper.from_json(str(k), v) for k, v in papers.items() if isinstance(v, dict)}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def _cell(text: str) -> str:
    """Table-cell-safe Markdown: escaped like a list title, plus no pipes or newlines."""
    return listfile.markdown_title(text).replace("|", "\\|")


def _row(p: ProposedPaper, full: bool) -> str:
    paper = f"[{_cell(p.title)}]({abs_url(p.arxiv_id)})"
    runner = _cell(p.runner_up) if p.runner_up and p.runner_up != p.heading else "–"
    if not full:
        return f"| {paper} | {_cell(p.heading)} | {p.score:.2f} | {runner} | | |"
    nearest = "<br>".join(_cell(n) for n in p.nearest) or "–"
    return f"| {paper} | **{_cell(p.heading)}** | {p.score:.2f} | {runner} | {_cell(p.why)} | {nearest} |"


FULL_ROWS = 20  # the newest papers keep their reasons in the table and in the data comment
DATA_BUDGET = 40000  # characters the data comment may take; the table gets the rest


def _data_comment(ordered: Sequence[ProposedPaper]) -> str:
    """Every paper the PR proposed, as compact as it must be to leave room for the table."""
    for detail in (0, 1, 2, 3):
        papers = {p.arxiv_id: p.to_json(detail if i >= FULL_ROWS or detail >= 2 else 0) for i, p in enumerate(ordered)}
        payload = json.dumps({"v": 1, "papers": papers}, ensure_ascii=False, sort_keys=True)
        # "<" and ">" escaped inside the JSON strings, so no title can close the comment.
        text = "<!-- watcher:data " + payload.replace("<", "\\u003c").replace(">", "\\u003e") + " -->"
        if len(text) <= DATA_BUDGET:
            break
    return text


def bot_section(papers: dict[str, ProposedPaper], budget: int = MAX_BODY_CHARS) -> str:
    """The bot's part of the PR body, at most `budget` characters (GitHub refuses bodies over
    65,536): full rows for the newest papers, then short rows, then only the newest rows."""
    ordered = sorted(papers.values(), key=lambda p: (p.day, p.score), reverse=True)
    days = sorted({p.day for p in ordered if p.day})
    span = f"{days[0]} to {days[-1]}" if len(days) > 1 else (days[0] if days else "recent days")
    head = [
        BEGIN,
        f"**{len(ordered)} paper{'s' if len(ordered) != 1 else ''} proposed by watcher** "
        f"from the arXiv announcements of {span}.",
        "",
        "Merge to accept. To reject a paper, delete its entry on this branch; to correct a heading, "
        "move the entry. Closing the pull request rejects every paper in it. The bot learns from all three.",
        "",
        "| Paper | Heading | Score | Runner-up | Why | Nearest on the list |",
        "|---|---|---|---|---|---|",
    ]
    tail = ["", _data_comment(ordered), END]
    for full_rows in (len(ordered), FULL_ROWS, 0):
        rows = [_row(p, i < full_rows) for i, p in enumerate(ordered)]
        text = "\n".join(head + rows + tail)
        if len(text) <= budget:
            return text
    shown = len(ordered)
    while True:
        shown = shown * 3 // 4
        rows = [_row(p, i < min(shown, FULL_ROWS)) for i, p in enumerate(ordered[:shown])]
        note = [
            "",
            f"_{len(ordered) - shown} older papers are not shown (body size limit); "
            "they are still in the list on this branch._",
        ]
        text = "\n".join(head + rows + note + tail)
        if len(text) <= budget or shown == 0:
            return text


def render_body(
    existing: str | None, items: Sequence[Scored], day: date | None, earlier: Mapping[str, ProposedPaper] | None = None
) -> str:
    """The PR body with `items` added to the bot's part; text outside the markers is kept.
    `earlier`: papers the PR proposed that the body may no longer name (kept in its data)."""
    papers = proposed_in(existing)
    for s in items:
        papers.setdefault(s.paper.arxiv_id, ProposedPaper.from_scored(s, day))
    for arxiv_id, p in (earlier or {}).items():
        papers.setdefault(arxiv_id, p)
    if existing and BEGIN in existing and END in existing.split(BEGIN, 1)[1]:
        before, rest = existing.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        return before + bot_section(papers, MAX_BODY_CHARS - len(before) - len(after)) + after
    if existing and existing.strip():
        return bot_section(papers, MAX_BODY_CHARS - len(existing) - 2) + "\n\n" + existing
    return bot_section(papers) + "\n"


_BOT_COMMIT = re.compile(r"Add \d+ papers? proposed by watcher\n")
_COMMITTED_ID = re.compile(r"^arXiv:(\S+)$", re.M)


def commit_message(added: Sequence[str]) -> str:
    """The message of the bot's commit on its branch; `committed_ids` reads it back."""
    n = len(added)
    return f"Add {n} paper{'s' if n != 1 else ''} proposed by watcher\n\n" + "\n".join(f"arXiv:{i}" for i in added)


def committed_ids(message: str) -> list[str]:
    """The arXiv ids a bot commit names (none for anyone else's commit)."""
    return _COMMITTED_ID.findall(message) if _BOT_COMMIT.match(message) else []
