"""The Markdown awesome list: parse its structure and what matching needs. No I/O.

The file format is the contract with the maintainers, so the document keeps every line exactly
as read (line endings included): rendering an unchanged document gives the input back byte for
byte, and adding papers (listedit.py) inserts whole lines without touching any other byte.

Read as GitHub renders it: nothing inside a code block or an HTML comment counts. Sections are
headings (nested by level: a section's path is its headings from the top) and `<details>` blocks
with a `<summary>`; a section is a target (papers are learned from it and filed under it) unless
it is a table of contents, news, contribution, citation or acknowledgement section, a section of
tools, datasets or blogs holding no papers, or a parent heading that only introduces its children.
An entry is a bullet or numbered item (with its indented and lazily continued lines), a table row
(the header row says which column holds the title, the links, the date, the venue), a paragraph
item (`**Title** [2023].<br>*authors*<br>[[PDF](...)]`), or a heading that is a paper's link
(`### [Title](url)` followed by field bullets). Items that are not papers (tables of contents,
news, tools, datasets without a paper, notes) are `skipped`, each with its reason.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from .entryfields import (
    CODE_KINDS,
    PAPER_KINDS,
    STRONG_PAPER_KINDS,
    Fields,
    Link,
    dois_in,
    ids_in,
    is_link_word,
    make_link,
    parse_date,
    parse_venue,
    plain_text,
    read_fields,
    scan_inline,
)
from .errors import ListFormatError
from .liststyle import check_template
from .paper import find_arxiv_ids
from .titles import ListedEntry

# ATX heading (up to three spaces of indentation); a closing run of "#" counts only after
# whitespace ("## C#" is "C#").
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))??(?:[ \t]+#+)?[ \t]*$")
_BULLET = re.compile(r"^([-*+])[ \t]+(.*?)\s*$")
_ITEM = re.compile(r"^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)(.*?)\s*$")
_SUB_BULLET = re.compile(r"^([ \t]+)[-*+][ \t]")
_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})(.*)$")
_COMMENT_OPEN = re.compile(r"(?<!\\)<!--")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
_HR = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_DELIM_ROW = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)*\|?\s*$")
_HTML_BLOCK = re.compile(
    r"^ {0,3}</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details"
    r"|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html"
    r"|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary"
    r"|table|tbody|td|tfoot|th|thead|title|tr|track|ul)(?:\s|/?>|$)",
    re.I,
)
_HTML_LINE = re.compile(r"^ {0,3}<[A-Za-z/!]")
_DETAILS_OPEN = re.compile(r"^ {0,3}<details\b[^>]*>", re.I)
_DETAILS_CLOSE = re.compile(r"(?<!\\)</details\s*>", re.I)
_DETAILS_CLOSE_LINE = re.compile(r"^ {0,3}</details\s*>", re.I)
_SUMMARY_LINE = re.compile(r"^ {0,3}<summary\b", re.I)
_SUMMARY = re.compile(r"(?<!\\)<summary\b[^>]*>(.*?)(?:</summary\s*>|$)", re.I | re.S)
# Characters that change the structure of a Markdown line; escaped in titles we write.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
# Invisible characters that can hide or reorder text: zero-width and bidi controls.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Text that GitHub would turn into a link, or that would read as the entry's arXiv id.
_LINKISH = re.compile(r"(arxiv)([.:])|([a-z][a-z0-9+.-]*)(:)(?=//)|(www)(\.)", re.I)
_BLOCK_START = re.compile(r"^(|\d+)((?<![0-9])[#+=-]|(?<=[0-9])[.)](?=\s|$))")
MAX_TITLE_CHARS = 300

POSITIONS = ("top", "bottom")
__all__ = [
    "POSITIONS",
    "SKIP_REASONS",
    "Entry",
    "ListDocument",
    "NewEntry",
    "Section",
    "Skipped",
    "check_template",
    "heading_key",
    "parse",
    "skip_report",
]

# Sections that never hold papers to learn from or file under, by what their heading says.
_NEVER = (
    ("table of contents", re.compile(r"^(?:table of contents?|contents?|toc|index|outline|navigation)$", re.I)),
    (
        "news",
        re.compile(
            r"^(?:news|updates?|latest news|recent updates?|what'?s new|changelog|change log|announcements?"
            r"|release notes|news and updates|updates and news|recent news|breaking news)$",
            re.I,
        ),
    ),
    (
        "contribution",
        re.compile(
            r"^(?:how to contribute|contribut\w*|contributors?|contributing[\w ]*|join us|pull requests?)$", re.I
        ),
    ),
    ("citation", re.compile(r"^(?:citations?|cite|citing[\w ]*|cite us|how to cite|bibtex|reference us)$", re.I)),
    ("acknowledgements", re.compile(r"^(?:acknowledge?ments?|thanks|credits?)$", re.I)),
    ("star history", re.compile(r"^(?:star history|stargazers?|stars?|visitors?)$", re.I)),
    ("license", re.compile(r"^(?:licen[cs]e|copyright)$", re.I)),
    ("contact", re.compile(r"^(?:contact(?: us| me)?|about(?: us)?|maintainers?|authors?)$", re.I)),
)
# Sections of things that are not papers (targets only when they do hold papers): a heading
# whose last word names such things ("Audio Datasets", "Blogs & Tutorials", "Open-source
# Project"), or that starts with "Open source". "Large Audio Models" is a section of papers.
_NON_PAPER_HEAD = re.compile(
    r"(?:datasets?|corpora|tools?|toolkits?|toolbox|libraries|frameworks|software|projects?|products?|apps"
    r"|demos|blogs?|blog posts?|articles|talks|courses?|lectures|tutorials?|videos|podcasts?|twitter|tweets"
    r"|social media|codebases?|repos|repositories|checkpoints|weights|leaderboards?|competitions|workshops"
    r"|books|websites?|links|resources|lists|docs|documentation|catalogs?|catalogues?|implementations)$",
    re.I,
)
_OPEN_SOURCE = re.compile(r"^(?:open[- ]?source|pre-?trained|released)\b|^models?$", re.I)
SKIP_REASONS = (
    "table of contents",
    "news item",
    "contribution note",
    "citation",
    "acknowledgement",
    "abbreviation index",
    "tool or repository without a paper",
    "dataset without a paper",
    "blog post, talk or web page",
    "social media post",
    "note without a paper link",
    "cross-reference",
    "image",
    "text mentioning a paper",
    "excluded in config",
)
_SECTION_SKIP_REASON = {
    "table of contents": "table of contents",
    "news": "news item",
    "contribution": "contribution note",
    "citation": "citation",
    "acknowledgements": "acknowledgement",
    "star history": "image",
    "license": "note without a paper link",
    "contact": "note without a paper link",
}


def heading_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _loose_key(name: str) -> str:
    """`heading_key` of a name without emoji, numbering ("1.1 ") and punctuation around it."""
    t = re.sub(r"^[\W\d_.]+(?=[^\W\d_])", "", name.strip(), flags=re.U) if not name[:1].isalnum() else name
    t = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", t)
    return heading_key(t)


@dataclass(frozen=True, slots=True)
class Entry:
    heading: str
    title: str  # the paper's clean title: no tags, dates, venue, link words or badges
    arxiv_ids: frozenset[str]
    start: int  # index of the entry's first line in ListDocument.lines
    end: int  # one past the last line of the entry
    links: tuple[Link, ...] = ()
    venue: str = ""  # as written ("ICLR 2024", "Arxiv", "TASLP")
    date: str = ""  # as written ("2025/10", "2026-02-28", "2023")
    authors: str = ""  # as written, reader's text
    shape: str = "bullet"  # bullet / numbered / row / paragraph / heading
    dois: frozenset[str] = frozenset()
    number: int | None = None  # a numbered item's number

    def listed(self) -> ListedEntry:
        return ListedEntry(title=self.title, arxiv_ids=self.arxiv_ids, heading=self.heading, dois=self.dois)

    @property
    def code_url(self) -> str:
        """The entry's first code link (GitHub, GitLab, Hugging Face), or ""."""
        return next((link.url for link in self.links if link.kind in ("github", "gitlab")), "")


@dataclass(frozen=True, slots=True)
class Skipped:
    """An item of the list that is not a paper entry, and why."""

    line: int
    text: str  # an excerpt of the item as read
    reason: str
    arxiv_ids: frozenset[str] = frozenset()
    title: str = ""
    dois: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    line: int  # index of the heading line (the `<details>` line for a details block)
    end: int  # one past the last line of the section, its subsections included
    entries: tuple[Entry, ...]  # its own paper entries (not its subsections')
    path: tuple[str, ...] = ()
    level: float = 2  # heading level; a details block is its parent's level + 0.5
    target: bool = True
    why: str = ""  # why it is not a target
    body_end: int = -1  # one past its own content (its first subsection starts there)
    kind: str = "heading"  # heading / details
    leaf: str = ""  # its own heading text, cleaned (name may prefix the parent's)

    def __post_init__(self) -> None:
        if self.body_end < 0:
            object.__setattr__(self, "body_end", self.end)
        if not self.path:
            object.__setattr__(self, "path", (self.name,))
        if not self.leaf:
            object.__setattr__(self, "leaf", self.name)


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A paper to add under a heading."""

    heading: str
    title: str
    arxiv_id: str
    version: int | None = None
    authors: tuple[str, ...] = ()
    published: date | None = None
    code_url: str = ""


@dataclass(frozen=True)
class ListDocument:
    lines: tuple[str, ...]  # every line with its own line ending, exactly as read
    sections: tuple[Section, ...]
    newline: str  # the file's dominant line ending, used for added lines
    bullet: str  # "-" or "*", as the list writes entries
    sub_indent: str  # indentation of sub-bullets, as the list writes them
    skipped: tuple[Skipped, ...] = ()
    mentioned_ids: frozenset[str] = frozenset()  # every arXiv id outside code and comments
    mentioned_dois: frozenset[str] = frozenset()
    tables: tuple[Table, ...] = ()
    _cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False, hash=False)

    def render(self) -> str:
        return "".join(self.lines)

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every paper entry, in document order."""
        return tuple(sorted((e for s in self.sections for e in s.entries), key=lambda e: e.start))

    @property
    def target_entries(self) -> tuple[Entry, ...]:
        """The paper entries of target sections: what the classifier learns from."""
        return tuple(sorted((e for s in self.sections if s.target for e in s.entries), key=lambda e: e.start))

    @property
    def headings(self) -> tuple[str, ...]:
        """Names of the target sections, in document order."""
        return tuple(s.name for s in self.sections if s.target)

    @property
    def targets(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.target)

    def _find(self, name: str) -> Section | None:
        key = heading_key(name)
        for section in self.sections:
            if heading_key(section.name) == key:
                return section
        leaves = [s for s in self.sections if heading_key(s.leaf) == key]
        if len(leaves) == 1:
            return leaves[0]
        loose = _loose_key(name)
        if loose:
            hits = [s for s in self.sections if _loose_key(s.name) == loose]
            if len(hits) == 1:
                return hits[0]
            hits = [s for s in self.sections if _loose_key(s.leaf) == loose]
            if len(hits) == 1:
                return hits[0]
        return None

    def section(self, name: str) -> Section:
        """The section called `name` (case and spacing ignored; a leaf name when it is unique)."""
        found = self._find(name)
        if found is not None:
            return found
        known = ", ".join(repr(s.name) for s in self.targets) or "none"
        raise ListFormatError(f"heading {name!r} is not in the list (headings: {known})")

    def has_heading(self, name: str) -> bool:
        """Whether `name` is a target section papers can be filed under."""
        found = self._find(name)
        return found is not None and found.target

    def listed(self) -> tuple[ListedEntry, ...]:
        """What matching must treat as already on the list: every entry, every skipped item that
        names a paper, and every arXiv id or DOI the list mentions anywhere outside code and
        comments (a paper linked only from a news item is still listed)."""
        out = [e.listed() for e in self.entries]
        seen_ids = {i for e in self.entries for i in e.arxiv_ids}
        seen_dois = {d for e in self.entries for d in e.dois}
        for s in self.skipped:
            if s.arxiv_ids or s.dois:
                out.append(ListedEntry(title=s.title, arxiv_ids=s.arxiv_ids, heading="", dois=s.dois))
                seen_ids |= s.arxiv_ids
                seen_dois |= s.dois
        rest_ids = self.mentioned_ids - seen_ids
        rest_dois = self.mentioned_dois - seen_dois
        if rest_ids or rest_dois:
            out.append(ListedEntry(title="", arxiv_ids=frozenset(rest_ids), heading="", dois=frozenset(rest_dois)))
        return tuple(out)

    def excluding(self, names: Iterable[str]) -> ListDocument:
        """The document with the named sections (and their subsections) no longer targets: what
        `list.exclude_headings` asks for. Unknown names are an error naming the known headings."""
        drop: set[int] = set()
        for name in names:
            sec = self.section(name)
            for i, s in enumerate(self.sections):
                if s.line >= sec.line and s.end <= sec.end:
                    drop.add(i)
        secs = tuple(
            replace(s, target=False, why="excluded in config") if i in drop and s.target else s
            for i, s in enumerate(self.sections)
        )
        return replace(self, sections=secs, _cache={})

    def only(self, names: Iterable[str]) -> ListDocument:
        """The document with only the named sections as targets (what `list.headings` asks for)."""
        keep = {self.section(n).line for n in names}
        secs = tuple(
            replace(s, target=False, why="not in list.headings") if s.target and s.line not in keep else s
            for s in self.sections
        )
        return replace(self, sections=secs, _cache={})


@dataclass(frozen=True, slots=True)
class Table:
    """A Markdown table: its header and delimiter rows, its body rows, and what its columns hold."""

    header: int  # line index of the header row
    end: int  # one past its last row
    cells: tuple[str, ...]  # the header cells as read
    roles: tuple[str, ...]  # per column: title / authors / venue / date / code / link / name / other
    aligns: tuple[str, ...]  # per column: left / center / right / none


def _split_lines(text: str) -> list[str]:
    # Split on "\n" only: str.splitlines() would also split on \x0c, \u2028 ... inside titles.
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _strip_eol(line: str) -> str:
    return line.rstrip("\r\n")


def entry_title(bullet_text: str) -> str:
    text = _MD_LINK.sub(lambda m: m[1], bullet_text)
    text = re.sub(r"(\*\*|__|`)", "", text)
    return " ".join(text.split())


def _outside_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """The text of `line` outside HTML comments (a `<!--` in a code span or escaped is text),
    and whether a comment is still open at its end."""
    if not in_comment and "<!--" not in line:
        return line, False
    code = [m.span() for m in _CODE_SPAN.finditer(line)]
    out: list[str] = []
    i = 0
    while i <= len(line):
        if in_comment:
            j = line.find("-->", i)
            if j < 0:
                return "".join(out), True
            i, in_comment = j + 3, False
            continue
        m = next((m for m in _COMMENT_OPEN.finditer(line, i) if not any(a <= m.start() < b for a, b in code)), None)
        if m is None:
            out.append(line[i:])
            break
        out.append(line[i : m.start()])
        i, in_comment = m.end(), True
    return "".join(out), in_comment


def _fence(line: str, nested: bool) -> tuple[str, int] | None:
    """The opening fence of a code block (its character and length), or None. Inside an entry
    (`nested`) an indented fence belongs to the entry."""
    m = _FENCE.match(line)
    if not m or (len(m[1].expandtabs(4)) > 3 and not nested) or (m[2][0] == "`" and "`" in m[3]):
        return None
    return m[2][0], len(m[2])


def _closes(line: str, fence: tuple[str, int]) -> bool:
    m = _FENCE.match(line)
    return m is not None and m[2][0] == fence[0] and len(m[2]) >= fence[1] and not m[3].strip()


# -- pass 1: lines into blocks ------------------------------------------------------------------------


@dataclass(slots=True)
class _Node:
    """A section while parsing."""

    raw: str
    level: float
    line: int
    kind: str  # heading / details
    parent: _Node | None
    end: int = -1
    body_end: int = -1
    items: list[_Item] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)
    content_words: int = 0  # words of prose directly under it
    has_html: bool = False
    has_table: bool = False
    paper_table: bool = False
    name: str = ""
    leaf: str = ""


@dataclass(slots=True)
class _Item:
    """A list item, table row, paragraph item or paper heading while parsing."""

    shape: str
    start: int
    end: int
    node: _Node
    head: str  # the first line's text without its marker
    tail: list[str] = field(default_factory=list)  # continuation lines as read (no line endings)
    marker: str = ""  # "-", "*", "1." ...
    table: Table | None = None
    cells: tuple[str, ...] = ()


def _cells(row: str) -> list[str]:
    """A table row's cells (a `\\|` or a `|` inside a code span is text)."""
    return [row[start:end] for start, end in _cell_spans(row)]


def _cell_spans(row: str) -> list[tuple[int, int]]:
    """Where each cell of a table row is, as (start, end) in the row: between the pipes that are
    neither escaped nor inside a code span, without the row's outer pipes and whitespace."""
    out: list[tuple[int, int]] = []
    end_limit = len(row.rstrip())
    i = len(row) - len(row.lstrip())
    if i < end_limit and row[i] == "|":
        i += 1
    if end_limit > i and row[end_limit - 1] == "|" and row[end_limit - 2 : end_limit] != "\\|":
        end_limit -= 1
    start = i
    in_code = 0
    while i < end_limit:
        c = row[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            n = len(row) - len(row[i:].lstrip("`")) - i
            in_code = 0 if in_code == n else (in_code or n)
            i += n
            continue
        if c == "|" and not in_code:
            out.append((start, i))
            start = i + 1
        i += 1
    out.append((start, max(start, end_limit)))
    return out


_ROLE_WORDS = (
    ("title", re.compile(r"\b(?:title|paper|papers|name of paper|paper title|publication|work|article)\b", re.I)),
    ("authors", re.compile(r"\b(?:authors?|by|first author)\b", re.I)),
    ("venue", re.compile(r"\b(?:venue|conference|conf|journal|published|publisher|pub|where|source)\b", re.I)),
    ("date", re.compile(r"\b(?:date|year|time|month|published on|release|released)\b", re.I)),
    ("code", re.compile(r"\b(?:code|github|repo|repository|implementation|project)\b", re.I)),
    ("link", re.compile(r"\b(?:link|links|pdf|url|download|resource|resources|page|arxiv|demo)\b", re.I)),
    ("name", re.compile(r"\b(?:names?|models?|methods?|datasets?|benchmarks?|short name|abbr\w*|systems?)\b", re.I)),
)


def _roles(cells: Sequence[str]) -> tuple[str, ...]:
    roles: list[str] = []
    for cell in cells:
        text = plain_text(cell)
        role = next((r for r, rx in _ROLE_WORDS if rx.search(text)), "other")
        if role == "title" and "title" in roles:
            role = "other"
        roles.append(role)
    if "title" not in roles:
        # "Paper" columns hold titles as link text; otherwise the first named column.
        for i, r in enumerate(roles):
            if r == "name":
                roles[i] = "title"
                break
    return tuple(roles)


def _aligns(delim: str) -> tuple[str, ...]:
    out = []
    for cell in _cells(delim):
        c = cell.strip()
        out.append(
            "center"
            if c.startswith(":") and c.endswith(":")
            else "right"
            if c.endswith(":")
            else "left"
            if c.startswith(":")
            else "none"
        )
    return tuple(out)


def _paper_heading(text: str) -> bool:
    """Is this heading text one paper's link (`[Title](url)`), an entry rather than a section?"""
    t = text.strip()
    spans = scan_inline(t)
    links = [s for s in spans if s.kind == "link"]
    if len(links) != 1:
        return False
    sp = links[0]
    outside = (t[: sp.start] + t[sp.end :]).strip()
    if plain_text(outside).strip(" -–—:*_"):
        return False
    link = make_link(sp.url, plain_text(sp.text))
    if link.kind == "anchor" or not link.text:
        return False
    return link.kind in PAPER_KINDS or len(link.text.split()) >= 4


_ENTRY_START = re.compile(r"^ {0,3}(?:\*\*|__|\[\*\*|\[__|<b>|<strong>|\[(?!\[)[^\]]{8,}\]\()")


class _Reader:
    """Pass 1: one walk over the lines, as GitHub reads them, collecting sections and items."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.root = _Node("", 0, -1, "root", None)
        self.nodes: list[_Node] = []
        self.stack: list[_Node] = [self.root]
        self.item: _Item | None = None
        self.para: list[int] = []
        self.table: Table | None = None
        self.table_cells: tuple[str, ...] = ()
        self.tables: list[Table] = []
        self.visible: list[str | None] = [None] * len(lines)
        self.skip: set[int] = set()
        self.bullets: Counter[str] = Counter()
        self.indents: Counter[str] = Counter()
        self.in_entry_legacy = False

    @property
    def node(self) -> _Node:
        return self.stack[-1]

    # closing things
    def close_item(self, end: int) -> None:
        item = self.item
        if item is not None:
            # an item ends at its last non-blank line
            e = end
            while e > item.start + 1 and not self.lines[e - 1].strip():
                e -= 1
            item.end = e
            item.tail = [v for v in (self.visible[k] for k in range(item.start + 1, e)) if v is not None]
            item.node.items.append(item)
        self.item = None

    def close_para(self) -> None:
        if not self.para:
            return
        lines = self.para
        self.para = []
        node = self.node
        # split the paragraph at the lines that start an item (a bold title or a titled link)
        starts = [lines[0]] + [k for k in lines[1:] if _ENTRY_START.match(self.visible[k] or "")]
        for n, s in enumerate(starts):
            e = starts[n + 1] if n + 1 < len(starts) else lines[-1] + 1
            head = (self.visible[s] or "").strip()
            tail = [self.visible[k] or "" for k in range(s + 1, e)]
            node.items.append(_Item("paragraph", s, e, node, head, tail))

    def close_table(self, end: int) -> None:
        if self.table is not None:
            t = self.table
            t2 = Table(t.header, end, t.cells, t.roles, t.aligns)
            self.tables.append(t2)
            for it in self.node.items:
                if it.table is t:
                    it.table = t2
        self.table = None

    def close_blocks(self, i: int) -> None:
        self.close_item(i)
        self.close_para()
        self.close_table(i)

    def open_node(self, raw: str, level: float, i: int, kind: str) -> _Node:
        while len(self.stack) > 1 and self.stack[-1].level >= level:
            self.end_node(i)
        parent = self.node
        node = _Node(raw, level, i, kind, parent)
        if parent.body_end < 0 and parent is not self.root:
            parent.body_end = i
        parent.children.append(node)
        self.nodes.append(node)
        self.stack.append(node)
        return node

    def end_node(self, i: int) -> None:
        node = self.stack.pop()
        node.end = i
        if node.body_end < 0:
            node.body_end = i

    def read(self) -> None:
        lines = self.lines
        fence: tuple[str, int] | None = None
        in_comment = False
        for i, raw_line in enumerate(lines):
            line = _strip_eol(raw_line)
            if i == 0:
                line = line.removeprefix("\ufeff")  # a byte-order mark is not text
            if fence is not None:
                if _closes(line, fence):
                    fence = None
                continue
            was_in_comment = in_comment
            line, in_comment = _outside_comments(line, in_comment)
            item = self.item
            if not line.strip():
                if was_in_comment or (in_comment and item is not None and raw_line[:1] in (" ", "\t")):
                    continue  # inside a comment: changes nothing
                self.close_para()
                self.close_table(i)
                if in_comment:
                    self.close_item(i)  # a comment on its own line ends the entry before it
                elif item is None or (item.shape != "heading" and not self._indented_text_follows(i)):
                    self.close_item(i)
                continue
            if i in self.skip:
                continue
            self.visible[i] = line
            nested = item is not None and line[:1] in (" ", "\t")
            if (opening := _fence(line, nested)) is not None:
                if not nested:
                    self.close_blocks(i)
                    self.node.has_html = True  # a code block: content that is not entries
                fence = opening
                self.visible[i] = None
                continue
            if nested:
                # continuation of the open item (sub-bullets, indented paragraphs, tables)
                sub = _SUB_BULLET.match(line)
                if sub and item is not None and item.shape in ("bullet", "numbered") and item.node is not self.root:
                    self.indents[sub[1]] += 1
                continue
            if m := _HEADING.match(line):
                self.close_blocks(i)
                level = len(m[1])
                text = m[2] or ""
                self._close_details_for(level, i)
                if _paper_heading(text) and self.node is not self.root and self.node.level < level:
                    self.item = _Item("heading", i, i + 1, self.node, text, marker=m[1])
                    continue
                self.open_node(text, level, i, "heading")
                continue
            stripped = line.lstrip()
            if item is not None and item.shape == "heading":
                # the body of a paper heading: its field bullets and text, up to the next heading
                if _DETAILS_CLOSE_LINE.match(line):
                    self.close_item(i)
                    self._close_details(i)
                continue
            if self._details(line, i):
                continue
            if _HR.match(line):
                self.close_blocks(i)
                continue
            # tables: a header row followed by a delimiter row; rows until a line without a pipe
            if self.table is not None:
                if "|" in line and not _HTML_BLOCK.match(line):
                    self.close_item(i)
                    cells = tuple(_cells(line))
                    self.node.items.append(_Item("row", i, i + 1, self.node, line, table=self.table, cells=cells))
                    continue
                self.close_table(i)
            if (
                "|" in line
                and i + 1 < len(lines)
                and _DELIM_ROW.match(_strip_eol(lines[i + 1]))
                and "-" in lines[i + 1]
            ):
                delim = _strip_eol(lines[i + 1])
                self.close_blocks(i)
                cells = tuple(_cells(line))
                table = Table(i, i + 2, cells, _roles(cells), _aligns(delim))
                self.table = table
                self.node.has_table = True
                if "title" in table.roles:
                    self.node.paper_table = True
                self.skip.add(i + 1)
                continue
            m = _ITEM.match(line)
            if m and not (m[4] == "" and m[2][0].isdigit()):
                marker = m[2]
                self.close_blocks(i)
                if self.node is self.root:
                    self.item = _Item("bullet" if not marker[0].isdigit() else "numbered", i, i + 1, self.root, m[4])
                    self.item.marker = marker
                    continue
                if not m[1] and (b := _BULLET.match(line)):
                    self.bullets[b[1]] += 1
                shape = "numbered" if marker[0].isdigit() else "bullet"
                self.item = _Item(shape, i, i + 1, self.node, m[4], marker=marker)
                continue
            if item is not None and self._lazy_ok(i) and not _HTML_BLOCK.match(line) and not stripped.startswith(">"):
                continue  # a lazy continuation line of the open item
            self.close_item(i)
            if _HTML_LINE.match(line) or stripped.startswith(">"):
                self.close_para()
                self.node.has_html = True
                self.node.items.append(_Item("html", i, i + 1, self.node, line))
                continue
            self.para.append(i)
        self.close_blocks(len(lines))
        while len(self.stack) > 1:
            self.end_node(len(lines))

    def _lazy_ok(self, i: int) -> bool:
        """Can line i continue the open item's paragraph? Only right after a non-blank line."""
        return i > 0 and self.visible[i - 1] is not None and bool((self.visible[i - 1] or "").strip())

    def _indented_text_follows(self, i: int) -> bool:
        lines = self.lines
        for k in range(i + 1, len(lines)):
            later = lines[k]
            if later.strip():
                return later[:1] in (" ", "\t")
        return False

    def _details(self, line: str, i: int) -> bool:
        """`<details>`, `<summary>` and `</details>` lines: details blocks are sections. The tags
        count at the start of a line, as GitHub reads HTML blocks (an escaped `\\<` is text)."""
        opened = _DETAILS_OPEN.match(line)
        closed = _DETAILS_CLOSE.search(line) if (opened or _DETAILS_CLOSE_LINE.match(line)) else None
        summary = _SUMMARY.search(line) if _SUMMARY_LINE.match(line) and self.node.kind == "details" else None
        if not opened and not closed and not summary:
            return False
        self.close_blocks(i)
        if opened:
            parent_level = self.node.level
            node = self.open_node("", parent_level + 0.5, i, "details")
            rest = line[opened.end() :]
            if m := _SUMMARY.search(rest):
                node.raw = m[1]
            if closed and closed.start() > opened.start():
                self.end_node(i + 1)
            return True
        if summary is not None:
            if not self.node.raw:
                self.node.raw = summary[1]
            if closed:
                self._close_details(i)
            return True
        self._close_details(i)
        return True

    def _close_details(self, i: int) -> None:
        for k in range(len(self.stack) - 1, 0, -1):
            if self.stack[k].kind == "details":
                while len(self.stack) > k:
                    self.end_node(i + 1)
                return

    def _close_details_for(self, level: int, i: int) -> None:
        """A heading at or above a details block's parent level ends the details block."""
        while len(self.stack) > 1 and self.stack[-1].kind == "details" and self.stack[-1].level - 0.5 >= level:
            self.end_node(i)


# -- pass 2: items into entries and skipped items -------------------------------------------------

_PAPER_WORD = re.compile(r"\b(?:paper|pdf|arxiv|preprint|report|technical report|tech report|publication)\b", re.I)
_NEWS = re.compile(
    r"\b(?:we|our|is accepted|are accepted|accepted (?:by|to|at)|release[ds]?|released|launch(?:ed)?|announce[ds]?"
    r"|congrat\w*|updated?|is out|now available)\b",
    re.I,
)
_SEE = re.compile(r"\bsee (?:above|below|also)\b", re.I)
_SLUG = re.compile(r"^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)+$")


def _clean_heading(raw: str) -> str:
    from .entryfields import _strip_symbols

    text = plain_text(raw.replace("\\#", "#"))
    text = _strip_symbols(text).strip()
    return text or plain_text(raw) or raw.strip()


def _never(node: _Node) -> str:
    """The never-a-target kind of a section (by its heading or an ancestor's), or ""."""
    n: _Node | None = node
    while n is not None and n.kind != "root":
        key = _loose_key(n.leaf) or heading_key(n.leaf)
        for kind, rx in _NEVER:
            if rx.match(key) and (n is node or kind in ("news", "table of contents")):
                return kind
        n = n.parent
    return ""


def _non_paper_reason(node: _Node) -> str:
    """What the items of a tools / datasets / blogs section are, by its name."""
    leaf = node.leaf
    if re.search(r"\b(?:datasets?|data|corpora|corpus|benchmarks?)\b", leaf, re.I):
        return "dataset without a paper"
    if re.search(r"\b(?:blogs?|articles|talks?|courses?|lectures?|tutorials?|videos?|podcasts?|books?)\b", leaf, re.I):
        return "blog post, talk or web page"
    if re.search(r"\b(?:twitter|tweets|social media)\b", leaf, re.I):
        return "social media post"
    return "tool or repository without a paper"


def _non_paper_named(node: _Node) -> bool:
    leaf = _loose_key(node.leaf) or heading_key(node.leaf)
    if re.search(r"\bpapers?\b|\bsurveys?\b|\breports?\b", leaf):
        return False
    words = re.findall(r"[a-z][a-z-]*", leaf)
    if not words:
        return False
    return bool(_NON_PAPER_HEAD.match(words[-1])) or bool(_OPEN_SOURCE.match(leaf))


def _row_fields(it: _Item) -> Fields:
    table = it.table
    assert table is not None
    cells = list(it.cells)
    roles = list(table.roles) + ["other"] * max(0, len(cells) - len(table.roles))
    from .entryfields import read_title

    title, title_link = "", None
    order = [i for i, r in enumerate(roles) if r == "title"] + [
        i for i, r in enumerate(roles) if r in ("name", "other") and i < len(cells)
    ]
    for i in order:
        if i >= len(cells):
            continue
        t, link, _, _ = read_title(cells[i].strip())
        if t and not is_link_word(t) and parse_date(t) is None and not parse_venue(t):
            title, title_link = t, link
            break
    links: list[Link] = []
    for cell in cells:
        for sp in scan_inline(cell):
            if sp.kind == "link":
                links.append(make_link(sp.url, plain_text(sp.text)))
            elif sp.kind == "autolink" or (sp.kind == "html" and sp.url and sp.text[:2].lower() == "<a"):
                links.append(make_link(sp.url, ""))
    venue, when, authors = "", None, ""
    for i, cell in enumerate(cells):
        role = roles[i] if i < len(roles) else "other"
        text = plain_text(cell)
        if role == "venue" and text:
            venue = parse_venue(text) or text
        elif role == "date" and text and when is None:
            when = parse_date(text)
        elif role == "authors" and text:
            authors = text
    return Fields(
        title=title,
        title_link=title_link,
        links=tuple(links),
        venue=venue,
        date=when,
        authors=authors,
        bare=not links,
    )


@dataclass(slots=True)
class _Read:
    item: _Item
    fields: Fields
    verdict: str  # paper / bare / weak / skip / ignore
    reason: str = ""
    ids: frozenset[str] = frozenset()
    dois: frozenset[str] = frozenset()

    def sig(self) -> tuple[str, str, int]:
        f = self.fields
        mode = (
            "link"
            if f.title_link is not None
            else ("bold" if self.item.head.lstrip().startswith(("**", "__")) else "plain")
        )
        tail = sum(1 for t in self.item.tail if t.strip())
        return (self.item.shape, mode, min(tail, 2))


def _item_text(it: _Item) -> str:
    return "\n".join([it.head, *it.tail])


def _first_read(it: _Item, tool_named: bool, tool_reason: str = "tool or repository without a paper") -> _Read:
    f = _row_fields(it) if it.shape == "row" else read_fields(it.head, "\n".join(it.tail))
    text = _item_text(it)
    ids = frozenset(ids_in(text, f.links))
    dois = frozenset(dois_in(f.links))
    r = _Read(it, f, "paper", "", ids, dois)
    links = [link for link in f.links if link.url.strip()]
    if it.shape == "html":
        r.verdict, r.reason = ("skip", "text mentioning a paper") if ids or dois else ("ignore", "")
        return r
    if it.shape == "row" and not plain_text(it.head).strip("| \t"):
        r.verdict = "ignore"  # an empty row
        return r
    paperish = [
        link
        for link in links
        if (link.kind in (STRONG_PAPER_KINDS if tool_named else PAPER_KINDS))
        or (link.kind != "anchor" and is_link_word(link.text or "-") and _PAPER_WORD.search(link.text or ""))
    ]
    if (
        links
        and all(link.kind == "anchor" for link in links)
        and it.shape != "row"
        and not all(is_link_word(link.text) for link in links)
    ):
        r.verdict, r.reason = "skip", "table of contents"
        return r
    bold_start = it.head.lstrip().startswith(("**", "__", "[**", "[__", "<b>", "<strong>"))
    if it.shape == "paragraph" and (
        not _ENTRY_START.match(it.head) or f.prose_words > (40 if bold_start else 12) or not f.title
    ):
        r.verdict, r.reason = ("skip", "text mentioning a paper") if (ids or dois or paperish) else ("ignore", "")
        return r
    if not f.title:
        if not plain_text(text).strip() or ("<img" in text.lower() and not paperish):
            r.verdict, r.reason = "skip", "image"
        else:
            r.verdict, r.reason = (
                ("skip", "text mentioning a paper") if ids or paperish else ("skip", "note without a paper link")
            )
        return r
    if (
        f.date is not None
        and _NEWS.search(plain_text(text))
        and (any(parse_date(t) for t in f.tags) and (not f.title_link or f.title_link.kind not in STRONG_PAPER_KINDS))
    ):
        r.verdict, r.reason = "skip", "news item"
        return r
    distinct = {link.arxiv_id or link.url for link in paperish}
    if len(distinct) >= 3 and all(len((link.text or "").split()) <= 4 for link in paperish):
        r.verdict, r.reason = "skip", "abbreviation index"
        return r
    tl = f.title_link
    if tl is not None and not tl.url.strip():
        kinds = {link.kind for link in links}
        r.verdict = "skip"
        r.reason = "tool or repository without a paper" if kinds & CODE_KINDS else "note without a paper link"
        return r
    if paperish:
        if (
            tool_named
            and tl is not None
            and tl.kind in CODE_KINDS | {"dataset", "project", "other"}
            and tl not in paperish
        ):
            r.verdict, r.reason = "skip", "tool or repository without a paper"
        return r
    if not links:
        r.verdict = "bare"
        r.reason = "cross-reference" if _SEE.search(text) else "note without a paper link"
        return r
    link_kinds = [link.kind for link in links]
    if tl is None:
        # a plain or bold title; its links are the paper's code, data or pages
        if f.prose_words <= 8 and not tool_named and not all(k == "dataset" for k in link_kinds):
            return r
        if any(k in ("dataset",) for k in link_kinds):
            r.verdict, r.reason = "weak", "dataset without a paper"
        elif any(k in CODE_KINDS for k in link_kinds):
            r.verdict, r.reason = "weak", "tool or repository without a paper"
        else:
            r.verdict, r.reason = "weak", _web_reason(link_kinds)
        return r
    if tl.kind in CODE_KINDS:
        r.verdict, r.reason = "weak", "tool or repository without a paper"
        if _SLUG.match(f.title) or tool_named:
            r.verdict = "skip"
        return r
    if tl.kind == "dataset":
        r.verdict, r.reason = "skip" if tool_named else "weak", "dataset without a paper"
        return r
    reason = _web_reason([tl.kind])
    r.verdict, r.reason = ("skip" if tl.kind in ("blog", "social", "video") or tool_named else "weak"), reason
    return r


def _read_item(it: _Item, tool_named: bool, tool_reason: str) -> _Read:
    r = _first_read(it, tool_named, tool_reason)
    if (
        tool_named
        and r.verdict in ("skip", "weak")
        and r.reason
        in (
            "tool or repository without a paper",
            "dataset without a paper",
            "blog post, talk or web page",
            "note without a paper link",
        )
    ):
        r.reason = tool_reason
    return r


def _web_reason(kinds: Iterable[str]) -> str:
    ks = set(kinds)
    if ks and ks <= {"social"}:
        return "social media post"
    return "blog post, talk or web page"


def _is_abbreviation(r: _Read) -> bool:
    """A bare link to a paper named by a short name (`- [PAL](arxiv link)`, a table cell of
    dataset names): an index of abbreviations, not a paper entry."""
    f = r.fields
    if r.item.shape == "row":
        return (
            f.title_link is not None
            and not f.venue
            and not f.authors
            and f.date is None
            and len(f.title.split()) <= 4
            and len(f.title) <= 32
        )
    return (
        r.item.shape in ("bullet", "numbered")
        and not r.item.tail
        and f.title_link is not None
        and len(f.links) == 1
        and f.prose_words == 0
        and not f.venue
        and not f.authors
        and len(f.title.split()) <= 2
        and len(f.title) <= 16
    )


@dataclass(slots=True)
class _Counts:
    bare: int = 0
    linked: int = 0


def parse(text: str) -> ListDocument:
    """Parse the list. Never fails: a file without headings is a list without sections.

    Read as GitHub renders it: nothing inside a code block or an HTML comment counts; an entry
    is its first line plus the indented (or lazily continued) lines after it, also across blank
    lines when the next text is indented again (a multi-paragraph item)."""
    lines = _split_lines(text)
    crlf = sum(1 for line in lines if line.endswith("\r\n"))
    newline = "\r\n" if crlf * 2 > len(lines) else "\n"
    reader = _Reader(lines)
    reader.read()
    nodes = reader.nodes

    for node in nodes:
        node.leaf = _clean_heading(node.raw) if node.raw.strip() else ("Details" if node.kind == "details" else "")
        if not node.leaf:
            node.leaf = f"Section at line {node.line + 1}"

    # first reading of every item, then what each section's items say about the others
    reads: dict[int, list[_Read]] = {}
    doc_counts = _Counts()
    node_meta: dict[int, tuple[str, bool]] = {}
    for k, node in enumerate(nodes):
        never = _never(node)
        tool_named = _non_paper_named(node)
        node_meta[k] = (never, tool_named)
        tool_reason = _non_paper_reason(node) if tool_named else ""
        rs = [_read_item(it, tool_named, tool_reason or "tool or repository without a paper") for it in node.items]
        reads[k] = rs
        if not never:
            for r in rs:
                if r.verdict == "bare":
                    doc_counts.bare += 1
                elif r.verdict in ("paper", "weak"):
                    doc_counts.linked += 1

    # the shapes papers take in this list: an item without a paper link that has one of them
    # (a technical report linked to GitHub, a paper on a project page) is a paper too
    doc_sigs = Counter(r.sig() for k, rs in reads.items() if not node_meta[k][0] for r in rs if r.verdict == "paper")
    n_conf = sum(doc_sigs.values())
    good_sigs = {s for s, n in doc_sigs.items() if n * 4 >= n_conf} if n_conf >= 10 else set()
    sections: list[Section] = []
    skipped: list[Skipped] = []
    for k, node in enumerate(nodes):
        never, tool_named = node_meta[k]
        rs = reads[k]
        entries: list[Entry] = []
        considered = [r for r in rs if r.verdict in ("paper", "bare", "weak")]
        bare_n = sum(1 for r in considered if r.verdict == "bare")
        doc_total = doc_counts.bare + doc_counts.linked
        doc_bare = doc_counts.bare * 2 >= doc_total and doc_counts.bare > 0
        if len(considered) >= 3:
            # bare titles are papers in a list of bare titles (and in a bare section of a list
            # that has a good share of them), notes elsewhere
            bare_ok = bare_n * 2 >= len(considered) and (doc_bare or doc_counts.bare * 4 >= doc_total)
        else:
            bare_ok = doc_bare
        confident = [r for r in rs if r.verdict == "paper"]
        abbrev = [r for r in confident if _is_abbreviation(r)]
        abbreviation_index = len(abbrev) >= 3 and len(abbrev) * 5 >= 3 * len(confident)
        prose_words = 0
        for r in rs:
            verdict, reason = r.verdict, r.reason
            if never and verdict != "ignore":
                verdict, reason = "skip", _SECTION_SKIP_REASON.get(never, "note without a paper link")
            elif verdict in ("paper", "weak") and abbreviation_index and _is_abbreviation(r):
                verdict, reason = "skip", "abbreviation index"
            elif verdict == "bare":
                verdict = "paper" if bare_ok and not tool_named and r.fields.prose_words <= 6 else "skip"
            elif verdict == "weak":
                ok = r.sig() in good_sigs and not tool_named and reason not in ("social media post",)
                verdict = "paper" if ok else "skip"
            if verdict == "ignore":
                if r.item.shape == "paragraph":
                    prose_words += len(plain_text(_item_text(r.item)).split())
                continue
            if verdict == "skip":
                excerpt = " ".join(plain_text(_item_text(r.item)).split())[:120]
                skipped.append(
                    Skipped(r.item.start, excerpt, reason, r.ids, r.fields.title if (r.ids or r.dois) else "", r.dois)
                )
                continue
            entries.append(_entry(node.name, r))
        target, why = _target(node, never, tool_named, entries, rs, prose_words)
        sections.append(
            Section(
                name=node.name,
                line=node.line,
                end=node.end,
                entries=tuple(entries),
                path=_path(node),
                level=node.level,
                target=target,
                why=why,
                body_end=node.body_end,
                kind=node.kind,
                leaf=node.leaf,
            )
        )
    # unique names, now that it is known which sections are targets
    _name_nodes(nodes, [s.target for s in sections])
    final: list[Section] = []
    for node, sec in zip(nodes, sections, strict=True):
        ents = tuple(replace(e, heading=node.name) for e in sec.entries)
        final.append(replace(sec, name=node.name, entries=ents, path=_path(node)))
    sections = final
    skipped.sort(key=lambda s: s.line)
    covered: set[int] = set()
    ids: set[str] = set()
    dois: set[str] = set()
    for rs in reads.values():
        for r in rs:
            ids |= r.ids
            dois |= r.dois
            covered.update(range(r.item.start, r.item.start + 1 + len(r.item.tail)))
    more_ids, more_dois = _mentions(reader, covered)
    ids |= more_ids
    dois |= more_dois
    return ListDocument(
        lines=tuple(lines),
        sections=tuple(sections),
        newline=newline,
        bullet=reader.bullets.most_common(1)[0][0] if reader.bullets else "-",
        sub_indent=reader.indents.most_common(1)[0][0] if reader.indents else "  ",
        skipped=tuple(skipped),
        mentioned_ids=frozenset(ids),
        mentioned_dois=frozenset(dois),
        tables=tuple(reader.tables),
    )


def _entry(heading: str, r: _Read) -> Entry:
    f = r.fields
    it = r.item
    number = None
    if it.shape == "numbered":
        m = re.match(r"\d+", it.marker)
        number = int(m.group(0)) if m else None
    return Entry(
        heading=heading,
        title=f.title,
        arxiv_ids=r.ids,
        start=it.start,
        end=it.end,
        links=f.links,
        venue=f.venue,
        date=f.date.text.strip().strip("[]()*_ ") if f.date else "",
        authors=f.authors,
        shape=it.shape,
        dois=r.dois,
        number=number,
    )


def _target(
    node: _Node, never: str, tool_named: bool, entries: list[Entry], rs: list[_Read], prose_words: int
) -> tuple[bool, str]:
    if never:
        return False, never
    if entries:
        return True, ""
    if node.children:
        return False, "introduces its subsections"
    if tool_named:
        return False, "holds no papers"
    if any(r.verdict not in ("ignore",) for r in rs if r.item.shape != "html"):
        return False, "holds no papers"
    if node.paper_table:
        return True, ""
    if node.has_table or node.has_html:
        return False, "holds no papers"
    if prose_words > 40:
        return False, "prose only"
    return True, ""


def _path(node: _Node) -> tuple[str, ...]:
    out: list[str] = []
    n: _Node | None = node
    while n is not None and n.kind != "root":
        out.append(n.leaf)
        n = n.parent
    return tuple(reversed(out))


def _name_nodes(nodes: list[_Node], targets: Sequence[bool]) -> None:
    """Unique names: where a leaf name repeats, the target keeps it when only one is a target;
    the others become "Parent / Leaf" (then more ancestors), or "Leaf (line N)" at the top."""
    for node in nodes:
        node.name = node.leaf
    is_target = {id(n): t for n, t in zip(nodes, targets, strict=True)}
    groups: dict[str, list[_Node]] = {}
    for n in nodes:
        groups.setdefault(heading_key(n.leaf), []).append(n)
    for group in groups.values():
        if len(group) < 2:
            continue
        keep = [n for n in group if is_target[id(n)]]
        rename = [n for n in group if not (len(keep) == 1 and n is keep[0])]
        for depth in range(1, 6):
            names = Counter(heading_key(n.name) for n in group)
            clash = [n for n in rename if names[heading_key(n.name)] > 1]
            if not clash:
                break
            for n in clash:
                anc: list[str] = []
                p = n.parent
                while p is not None and p.kind != "root" and len(anc) < depth:
                    anc.append(p.leaf)
                    p = p.parent
                same_parent = [m for m in group if m is not n and m.parent is n.parent]
                if anc and not same_parent:
                    n.name = " / ".join([*reversed(anc), n.leaf])
                else:
                    n.name = f"{n.leaf} (line {n.line + 1})"
    counts = Counter(heading_key(n.name) for n in nodes)
    for n in nodes:
        if counts[heading_key(n.name)] > 1 and not is_target[id(n)]:
            n.name = f"{n.name} (line {n.line + 1})"
    counts = Counter(heading_key(n.name) for n in nodes)
    seen: Counter[str] = Counter()
    for n in nodes:
        key = heading_key(n.name)
        if counts[key] > 1:
            seen[key] += 1
            if seen[key] > 1:
                n.name = f"{n.name} ({seen[key]})"


def _mentions(reader: _Reader, covered: set[int]) -> tuple[set[str], set[str]]:
    """Every arXiv id and DOI on visible lines outside the items already read (`covered`): in
    link targets, HTML links and plain text."""
    from .entryfields import arxiv_id_from_url, doi_from_url

    ids: set[str] = set()
    dois: set[str] = set()
    for k, line in enumerate(reader.visible):
        if line is None or k in reader.skip or k in covered:
            continue
        if "arxiv" in line.lower() or "10.48550" in line:
            ids |= find_arxiv_ids(line)
        if "(" not in line and "href" not in line and "http" not in line:
            continue
        for sp in scan_inline(line):
            url = sp.url
            if not url or sp.kind == "image":
                continue
            if a := arxiv_id_from_url(url):
                ids.add(a)
            elif d := doi_from_url(url):
                dois.add(d)
            if sp.kind == "link" and "](" in sp.text:
                for inner in scan_inline(sp.text):
                    if inner.kind == "link" and (a := arxiv_id_from_url(inner.url)):
                        ids.add(a)
    return ids, dois


def skip_report(doc: ListDocument) -> list[str]:
    """Lines for `watcher train` / `check-config`: which sections are not targets and why, and
    how many items were skipped for which reason (with a first example of each)."""
    out: list[str] = []
    for s in doc.sections:
        if not s.target:
            out.append(f"section {s.name!r} (line {s.line + 1}) is not a target: {s.why}")
    reasons = Counter(s.reason for s in doc.skipped)
    for reason, n in reasons.most_common():
        first = next(s for s in doc.skipped if s.reason == reason)
        items = "items" if n > 1 else "item"
        out.append(f"skipped {n} {items} ({reason}), e.g. line {first.line + 1}: {first.text[:60]!r}")
    return out
