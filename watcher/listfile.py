"""The Markdown awesome list: parse it, match against it, add entries to it. No I/O.

The file format is the contract with the maintainers, so the document keeps every line exactly
as read (line endings included): rendering an unchanged document gives the input back byte for
byte, and adding papers inserts whole lines without touching any other byte. An entry is a
top-level bullet (`- Title`) under a heading plus the indented lines that follow it (venue,
links). Lines inside fenced code blocks and HTML comments are never read as headings or entries.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import ListFormatError
from .paper import abs_url, find_arxiv_ids
from .titles import ListedEntry, plain_title

# ATX heading; a closing run of "#" counts only after whitespace ("## C#" is "C#").
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_BULLET = re.compile(r"^([-*+])[ \t]+(.*?)\s*$")
_SUB_BULLET = re.compile(r"^([ \t]+)[-*+][ \t]")
_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})(.*)$")
_COMMENT_OPEN = re.compile(r"(?<!\\)<!--")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
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


def heading_key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Entry:
    heading: str
    title: str  # as a reader sees it: link text kept, link targets and emphasis dropped
    arxiv_ids: frozenset[str]
    start: int  # index of the bullet line in ListDocument.lines
    end: int  # one past the last line of the entry

    def listed(self) -> ListedEntry:
        return ListedEntry(title=self.title, arxiv_ids=self.arxiv_ids, heading=self.heading)


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    line: int  # index of the heading line
    end: int  # one past the last line of the section
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A paper to add under a heading."""

    heading: str
    title: str
    arxiv_id: str


@dataclass(frozen=True)
class ListDocument:
    lines: tuple[str, ...]  # every line with its own line ending, exactly as read
    sections: tuple[Section, ...]
    newline: str  # the file's dominant line ending, used for added lines
    bullet: str  # "-" or "*", as the list writes entries
    sub_indent: str  # indentation of sub-bullets, as the list writes them

    def render(self) -> str:
        return "".join(self.lines)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for s in self.sections for e in s.entries)

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sections)

    def section(self, name: str) -> Section:
        key = heading_key(name)
        for section in self.sections:
            if heading_key(section.name) == key:
                return section
        known = ", ".join(repr(s.name) for s in self.sections) or "none"
        raise ListFormatError(f"heading {name!r} is not in the list (headings: {known})")

    def has_heading(self, name: str) -> bool:
        key = heading_key(name)
        return any(heading_key(s.name) == key for s in self.sections)


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


def parse(text: str) -> ListDocument:
    """Parse the list. Never fails: a file without headings is a list without sections.

    Read as GitHub renders it: nothing inside a code block or an HTML comment counts; an entry
    is its bullet line plus the indented lines after it, also across blank lines when the next
    text is indented again (a multi-paragraph item)."""
    lines = _split_lines(text)
    crlf = sum(1 for line in lines if line.endswith("\r\n"))
    newline = "\r\n" if crlf * 2 > len(lines) else "\n"

    bullets: Counter[str] = Counter()
    indents: Counter[str] = Counter()
    sections: list[Section] = []
    current: tuple[str, int] | None = None
    entries: list[Entry] = []
    open_entry: tuple[str, int, str] | None = None  # (title, start, raw text)
    fence: tuple[str, int] | None = None
    in_comment = False

    def close_entry(end: int) -> None:
        nonlocal open_entry
        if open_entry is not None and current is not None:
            title, start, _ = open_entry
            raw = "".join(lines[start:end])
            entries.append(Entry(current[0], title, frozenset(find_arxiv_ids(raw)), start, end))
        open_entry = None

    def close_section(end: int) -> None:
        nonlocal entries
        close_entry(end)
        if current is not None:
            sections.append(Section(current[0], current[1], end, tuple(entries)))
        entries = []

    def indented_text_follows(i: int) -> bool:
        for later in lines[i + 1 :]:
            if later.strip():
                return later[:1] in (" ", "\t")
        return False

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
        if not line.strip():
            if was_in_comment or (in_comment and open_entry is not None and raw_line[:1] in (" ", "\t")):
                continue  # inside a comment: changes nothing
            if in_comment:
                close_entry(i)  # a comment on its own line ends the entry before it
            elif open_entry is None or not indented_text_follows(i):
                close_entry(i)
            continue
        nested = open_entry is not None and line[:1] in (" ", "\t")
        if (opening := _fence(line, nested)) is not None:
            if not nested:
                close_entry(i)
            fence = opening
            continue
        if m := _HEADING.match(line):
            close_section(i)
            current = (m[2], i)
            continue
        if current is None:
            continue
        if m := _BULLET.match(line):
            close_entry(i)
            bullets[m[1]] += 1
            open_entry = (entry_title(m[2]), i, line)
            continue
        if open_entry is not None and line[:1] in (" ", "\t"):
            if m := _SUB_BULLET.match(line):
                indents[m[1]] += 1
            continue  # continuation of the open entry
        close_entry(i)
    close_section(len(lines))

    return ListDocument(
        lines=tuple(lines),
        sections=tuple(sections),
        newline=newline,
        bullet=bullets.most_common(1)[0][0] if bullets else "-",
        sub_indent=indents.most_common(1)[0][0] if indents else "  ",
    )


def markdown_title(title: str) -> str:
    """A paper title made safe for one Markdown list line.

    Paper text is untrusted: LaTeX is reduced to plain text, invisible and control characters
    are dropped, and every character that could open a link, an HTML tag or comment, code or
    emphasis is backslash-escaped, so the line renders as the title and nothing else.
    """
    text = _INVISIBLE.sub("", plain_title(title))
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    if len(text) > MAX_TITLE_CHARS:
        text = text[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # No arXiv reference in a title may read as the entry's own id (arxiv.org/abs/..., arXiv:...),
    # and no URL becomes a link (GitHub links bare "https://..." and "www....").
    text = _LINKISH.sub(lambda m: "\\".join(g for g in m.groups() if g is not None), text)
    # A title must not begin like a heading, a list item, a rule or a setext underline.
    text = _BLOCK_START.sub(lambda m: m[1] + "\\" + m[2], text)
    return _ENTITY.sub(lambda m: "&amp;" + m[0][1:], text)


def entry_lines(doc: ListDocument, new: NewEntry) -> list[str]:
    """The lines of one added entry, in the list's own style."""
    nl = doc.newline
    title = markdown_title(new.title) or f"Untitled (arXiv {new.arxiv_id})"
    return [
        f"{doc.bullet} {title}{nl}",
        f"{doc.sub_indent}{doc.bullet} [arXiv]({abs_url(new.arxiv_id)}){nl}",
    ]


def _insert_at(section: Section, doc: ListDocument, position: str) -> int:
    if section.entries:
        return section.entries[0].start if position == "top" else section.entries[-1].end
    # No entries yet: after the heading and any text under it, before trailing blank lines.
    at = section.line + 1
    for i in range(section.line + 1, section.end):
        if doc.lines[i].strip():
            at = i + 1
    return at


def add_entries(doc: ListDocument, additions: Sequence[NewEntry], position: str = "top") -> str:
    """The list text with `additions` inserted under their headings, in the given order.

    Only the added lines are new; the one exception is a file whose last line has no line
    ending and the insertion point is the end of the file: that line gets one.
    """
    if position not in POSITIONS:
        raise ListFormatError(f"list position must be one of {POSITIONS}, not {position!r}")
    inserts: dict[int, list[str]] = {}
    for new in additions:
        section = doc.section(new.heading)
        inserts.setdefault(_insert_at(section, doc, position), []).extend(entry_lines(doc, new))
    out: list[str] = []
    lines = list(doc.lines)
    for i in range(len(lines) + 1):
        if i in inserts:
            if out and not out[-1].endswith("\n"):
                out[-1] += doc.newline
                block = inserts[i]
                block[-1] = block[-1].rstrip("\r\n")  # keep "no final newline" as it was
            out.extend(inserts[i])
        if i < len(lines):
            out.append(lines[i])
    return "".join(out)
