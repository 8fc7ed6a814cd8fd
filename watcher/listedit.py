"""Add entries to a parsed list, and venues to its entries, in the list's own style. No I/O.

listfile.py reads the list; this module writes to it: each section's entry template learned from
its own entries (the section above, or the list's majority, when it has none), the new entry's
place (top, bottom, or where its date belongs), and a venue in the way the entry's section shows
venues. Every edit inserts or replaces whole lines and leaves every other byte as it was.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from .entryfields import (
    PAPER_KINDS,
    is_link_word,
    parse_date,
    parse_venue,
    plain_text,
    scan_inline,
)
from .errors import ListFormatError
from .listfile import (
    _BLOCK_START,
    _DETAILS_CLOSE_LINE,
    _ENTITY,
    _HEADING,
    _INVISIBLE,
    _ITEM,
    _LINKISH,
    _MD_SPECIAL,
    MAX_TITLE_CHARS,
    POSITIONS,
    Entry,
    ListDocument,
    NewEntry,
    Section,
    Table,
    _cell_spans,
    _cells,
    _strip_eol,
)
from .liststyle import check_template
from .titles import plain_title

__all__ = [
    "Style",
    "add_entries",
    "entry_lines",
    "markdown_text",
    "markdown_title",
    "safe_url",
    "style",
    "style_example",
    "venue_edit",
]


# -- writing -------------------------------------------------------------------------------------------


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


def markdown_text(text: str) -> str:
    """Any other paper text we write (author names): escaped like a title, but never "Untitled"."""
    return markdown_title(text) if text.strip() else ""


_SAFE_URL = re.compile(
    r"^https?://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~%!$&'*+,;=:@/-]*)?(?:\?[A-Za-z0-9._~%!$&'*+,;=:@/?-]*)?(?:#[A-Za-z0-9._~%!$&'*+,;=:@/?-]*)?$"
)


def safe_url(url: str) -> str:
    """`url` if it is a plain http(s) URL that cannot end a Markdown link or add a table cell;
    otherwise ""."""
    u = url.strip().rstrip(".,;")
    if not _SAFE_URL.match(u) or any(c in u for c in "()<>[]|\"'` \\"):
        return ""
    return u


@dataclass(frozen=True, slots=True)
class _Cell:
    template: str  # for a paper without a code link
    code_template: str  # with one
    width: int  # pad to this width (0: not padded)
    align: str
    lead: int
    trail: int


@dataclass(frozen=True, slots=True)
class _RowStyle:
    cells: tuple[_Cell, ...]
    lead_pipe: bool
    trail_pipe: bool
    indent: str


@dataclass(frozen=True, slots=True)
class Style:
    """How one section writes its entries: what `add_entries` writes there."""

    template: str  # for a paper without a code link
    code_template: str  # for a paper with one
    gap: int = 0  # blank lines between entries
    heading_gap: int = 0  # blank lines between the heading and its first entry
    order: str = ""  # "desc" / "asc" when the section is ordered by date or arXiv id
    order_by: str = ""  # "date" / "id"
    row: _RowStyle | None = None
    venue: str = ""  # the list's word for an arXiv-only paper
    citekey_suffix: str = "arxiv"
    newline: str = "\n"
    source: str = ""  # the section the style was learned from


def _entry_raw(doc: ListDocument, e: Entry) -> list[str]:
    out = []
    for k in range(e.start, e.end):
        line = _strip_eol(doc.lines[k])
        if k == 0:
            line = line.removeprefix("\ufeff")
        if "<!--" in line:
            line = re.sub(r"<!--.*?-->", "", line)
        out.append(line)
    return out


def _facts_year(e: Entry) -> int | None:
    d = parse_date(e.date) if e.date else None
    if d is not None:
        return d.year
    for i in sorted(e.arxiv_ids):
        m = re.match(r"(\d\d)\d\d\.\d{4,5}$", i)
        if m:
            return 2000 + int(m[1])
    return None


def _main_id(e: Entry, raw: str) -> str:
    best = ""
    pos = len(raw) + 1
    for i in e.arxiv_ids:
        k = raw.find(i)
        if 0 <= k < pos:
            best, pos = i, k
    return best or next(iter(sorted(e.arxiv_ids)), "")


def _paper_url(e: Entry) -> str:
    return next((link.url for link in e.links if link.kind in PAPER_KINDS and link.kind != "arxiv"), "")


def _cached_example(doc: ListDocument, e: Entry, venue_known: bool, form: str) -> object:
    key = f"example:{e.start}:{venue_known}:{form}"
    got = doc._cache.get(key)
    if got is None:
        got = _example(doc, e, venue_known=venue_known, form=form)
        doc._cache[key] = got
    return got


def _example(doc: ListDocument, e: Entry, *, venue_known: bool, form: str) -> object:
    from . import liststyle
    from .entryfields import read_fields as _rf

    raw_lines = _entry_raw(doc, e)
    first = raw_lines[0] if raw_lines else ""
    number_span = None
    head = first
    prefix_len = 0
    if e.shape in ("bullet", "numbered") and (m := _ITEM.match(first)):
        head = m[4]
        prefix_len = m.start(4)
        if e.shape == "numbered":
            number_span = (m.start(2), m.start(2) + len(re.match(r"\d+", m[2]).group(0)))  # type: ignore[union-attr]
    elif e.shape == "heading" and (m := _HEADING.match(first)):
        head = m[2] or ""
        prefix_len = m.start(2) if m[2] is not None else len(first)
    elif e.shape == "paragraph":
        head = first.strip()
        prefix_len = len(first) - len(first.lstrip())
    tail = "\n".join(raw_lines[1:])
    f = _rf(head, tail)
    raw = "\n".join(raw_lines)
    span = None
    if f.title_span is not None:
        a, b = f.title_span
        if a <= len(head):
            span = (a + prefix_len, b + prefix_len)
        else:
            shift = len(first) - len(head)
            span = (a + shift, b + shift)
    d = parse_date(e.date) if e.date else None
    return liststyle.generalise(
        raw,
        title_span=span,
        title=e.title,
        arxiv_id=_main_id(e, raw),
        date_text=d.text.strip().strip("[]()*_ ") if d else "",
        date_fmt=d.fmt if d else "",
        venue=e.venue,
        venue_known=venue_known,
        authors=e.authors,
        author_form=form,
        code_url=e.code_url,
        number_span=number_span,
        year=_facts_year(e),
        paper_url=_paper_url(e),
    )


def _gaps(doc: ListDocument, entries: Sequence[Entry]) -> int:
    gaps: Counter[int] = Counter()
    for a, b in itertools.pairwise(entries):
        between = doc.lines[a.end : b.start]
        if all(not line.strip() for line in between):
            gaps[len(between)] += 1
    return gaps.most_common(1)[0][0] if gaps else 0


def _heading_gap(doc: ListDocument) -> int:
    gaps: Counter[int] = Counter()
    for s in doc.sections:
        if s.entries and s.kind == "heading":
            between = doc.lines[s.line + 1 : s.entries[0].start]
            if all(not line.strip() for line in between):
                gaps[len(between)] += 1
    return gaps.most_common(1)[0][0] if gaps else 0


def _order(entries: Sequence[Entry]) -> tuple[str, str]:
    """("desc" or "asc" or "", "date" or "id"): how a section orders its entries, if it does."""
    for by in ("date", "id"):
        keys = [_key(e, by) for e in entries]
        have = [k for k in keys if k is not None]
        if len(have) < 4 or len(have) * 10 < len(entries) * 7 or len(set(have)) < 2:
            continue
        pairs = list(itertools.pairwise(have))
        ups = sum(1 for a, b in pairs if a < b)
        downs = sum(1 for a, b in pairs if a > b)
        allowed = max(len(pairs) // 20, 1 if len(pairs) >= 6 else 0)  # a misplaced entry or so
        if downs >= max(2, 3 * ups) and ups <= allowed:
            return "desc", by
        if ups >= max(2, 3 * downs) and downs <= allowed:
            return "asc", by
        return "", ""
    return "", ""


def _id_key(arxiv_id: str) -> tuple[int, int, int] | None:
    m = re.match(r"(\d\d)(\d\d)\.(\d{4,5})$", arxiv_id)
    if m:
        return (2000 + int(m[1]), int(m[2]), int(m[3]))
    m = re.match(r"[a-z-]+(?:\.[A-Z]{2})?/(\d\d)(\d\d)(\d{3})$", arxiv_id)
    if m:
        yy = int(m[1])
        return (1900 + yy if yy > 90 else 2000 + yy, int(m[2]), int(m[3]))
    return None


def _key(e: Entry, by: str) -> tuple[int, ...] | None:
    if by == "date":
        d = parse_date(e.date) if e.date else None
        return d.key() if d else None
    keys = [k for k in (_id_key(i) for i in e.arxiv_ids) if k is not None]
    return min(keys) if keys else None


def _new_key(new: NewEntry, by: str, sample: Sequence[Entry]) -> tuple[int, ...] | None:
    if by == "id":
        return _id_key(new.arxiv_id)
    when = new.published
    if when is None:
        k = _id_key(new.arxiv_id)
        if k is None:
            return None
        when = date(k[0], k[1], 1)
        day_known = False
    else:
        day_known = True
    # compare at the precision the section writes its dates
    dates = [d for d in (parse_date(e.date) for e in sample if e.date) if d is not None]
    if dates and all(d.month == 0 for d in dates):
        return (when.year, 0, 0)
    if (dates and all(d.day == 0 for d in dates)) or not day_known:
        return (when.year, when.month, 0)
    return (when.year, when.month, when.day)


def _doc_marker(doc: ListDocument, entries: Sequence[Entry]) -> str:
    from . import liststyle

    marker = liststyle.preprint_marker([e.venue for e in entries])
    if not marker:
        marker = liststyle.preprint_marker([e.venue for e in doc.entries])
    if not marker:
        # "arXiv 2025" written as link text or a cell of its own
        forms: Counter[str] = Counter()
        for e in entries or doc.entries:
            for link in e.links:
                m = re.fullmatch(r"\[?\s*(arXiv|Arxiv|ArXiv|Preprint|CoRR)[ '’-]*((?:19|20)\d\d)?\s*\]?", link.text)
                if m:
                    forms[m[1] + (" {year}" if m[2] else "")] += 1
        marker = forms.most_common(1)[0][0] if forms else ""
    return marker


def _citekey_suffix(doc: ListDocument) -> str:
    from .liststyle import _CITEKEY

    sufs: Counter[str] = Counter()
    for e in doc.entries[:400]:
        if e.arxiv_ids:
            for line in doc.lines[e.start : e.end]:
                for m in _CITEKEY.finditer(line):
                    if m[3] and not m[3][0].isdigit():
                        sufs[m[3]] += 1
    return sufs.most_common(1)[0][0] if sufs else "arxiv"


def _style_source(doc: ListDocument, section: Section) -> Section | None:
    """The section whose entries show how to write in `section`: itself, else the nearest target
    section above with entries of the same kind, else below, else the one with most entries."""
    if section.entries:
        return section
    secs = [s for s in doc.sections if s.entries and s.target]
    if not secs:
        secs = [s for s in doc.sections if s.entries]
    if not secs:
        return None
    in_table = any(t.header >= section.line and t.end <= section.end for t in doc.tables)
    if in_table:
        rows = [s for s in secs if any(e.shape == "row" for e in s.entries)]
        secs = rows or secs
    above = [s for s in secs if s.line < section.line]
    if above:
        return above[-1]
    below = [s for s in secs if s.line > section.line]
    if below:
        return below[0]
    return max(secs, key=lambda s: len(s.entries))


def style(doc: ListDocument, section: Section) -> Style:
    """How `section` writes its entries (learned from them, or from the section above)."""
    key = f"style:{section.line}:{section.name}"
    cached = doc._cache.get(key)
    if isinstance(cached, Style):
        return cached
    got = _learn_style(doc, section)
    doc._cache[key] = got
    return got


def _learn_style(doc: ListDocument, section: Section) -> Style:
    from . import liststyle

    src = _style_source(doc, section)
    nl = _section_newline(doc, section)
    hgap = _heading_gap(doc)
    if src is None:
        t = f"{doc.bullet} {{title}}\n{doc.sub_indent}{doc.bullet} [arXiv]({{url}})"
        return Style(t, t + f"{{?\n{doc.sub_indent}{doc.bullet} [code]({{code}})}}", newline=nl, heading_gap=hgap)
    entries = list(src.entries)
    shapes = Counter(e.shape for e in entries)
    shape = shapes.most_common(1)[0][0]
    entries = [e for e in entries if e.shape == shape]
    marker = _doc_marker(doc, entries)
    order, by = _order(entries) if src is section else ("", "")
    gap = 0 if shape == "row" else _gaps(doc, entries)
    suffix = _citekey_suffix(doc)
    form = liststyle.author_form([e.authors for e in entries if e.authors])
    if shape == "row":
        row = _learn_row(doc, entries, marker, form)
        if row is not None:
            shown = _render_row(row, liststyle.Paper("{title}", "ID"), with_code=False)
            return Style(shown, shown, 0, hgap, order, by, row, marker, suffix, nl, src.name)
    examples = [_cached_example(doc, e, bool(marker), form) for e in entries]
    others = [e for e in doc.entries if e.shape == shape and e.heading != src.name and e.arxiv_ids]
    step = max(1, len(others) // 24)
    peers = [_cached_example(doc, e, bool(marker), form) for e in others[::step][:24]]
    exs = [x for x in examples if isinstance(x, liststyle.Example)]
    prs = [x for x in peers if isinstance(x, liststyle.Example)]
    plain = liststyle.learn_template(exs, with_code=False, peers=prs)
    has_code = any(x.has_code for x in [*exs, *prs])
    forms = [f for x in (exs if len(exs) >= 5 else [*exs, *prs]) for f in x.arxiv_forms]
    fmts = [x.date_fmt for x in exs if x.date_fmt]
    plain = liststyle.vote_date_format(liststyle.vote_url_forms(plain, forms), fmts)
    coded = liststyle.add_code(plain, [*exs, *prs]) if has_code else plain
    plain, coded = liststyle.wrap_optional(plain), liststyle.wrap_optional(coded)
    if "{title}" not in plain:
        plain = f"{doc.bullet} {{title}}"
    if "{title}" not in coded:
        coded = plain
    if not _has_link_ph(plain):
        # The list writes bare titles: watcher's arXiv sub-line is how it carries a link.
        ind = doc.sub_indent
        link = f"\n{ind}{doc.bullet} [arXiv]({{url}})"
        code_word = _code_word(doc)
        plain = plain + link
        coded = plain + f"{{?\n{ind}{doc.bullet} [{code_word}]({{code}})}}"
    elif "{code" not in coded:
        coded = plain
    return Style(plain, coded, gap, hgap, order, by, None, marker, suffix, nl, src.name)


def _has_link_ph(template: str) -> bool:
    return any(p in template for p in ("{url}", "{pdf_url}", "{arxiv_id}"))


def _code_word(doc: ListDocument) -> str:
    words: Counter[str] = Counter()
    for e in doc.entries:
        for link in e.links:
            if link.kind in ("github", "gitlab") and link.text and is_link_word(link.text):
                words[link.text] += 1
    return words.most_common(1)[0][0] if words else "code"


def _section_newline(doc: ListDocument, section: Section) -> str:
    lines = doc.lines[section.line : section.end] or doc.lines
    crlf = sum(1 for line in lines if line.endswith("\r\n"))
    lf = sum(1 for line in lines if line.endswith("\n"))
    if not lf:
        return doc.newline
    return "\r\n" if crlf * 2 > lf else "\n"


def _table_of(doc: ListDocument, e: Entry) -> Table | None:
    return next((t for t in doc.tables if t.header < e.start < t.end), None)


def _learn_row(doc: ListDocument, rows: Sequence[Entry], marker: str, form: str) -> _RowStyle | None:
    from . import liststyle
    from .entryfields import read_title_span

    tables = Counter(id(t) for e in rows if (t := _table_of(doc, e)) is not None)
    if not tables:
        return None
    tid = tables.most_common(1)[0][0]
    table = next(t for t in doc.tables if id(t) == tid)
    rows = [e for e in rows if _table_of(doc, e) is table]
    header_cells = _cells(_strip_eol(doc.lines[table.header]))
    ncols = len(header_cells)
    per_col: list[Counter[str]] = [Counter() for _ in range(ncols)]
    raws: list[list[str]] = [[] for _ in range(ncols)]
    pipes_lead = pipes_trail = 0
    indents: Counter[str] = Counter()
    fmts: list[str] = []
    url_forms: list[tuple[str, str]] = []
    for e in rows:
        line = _strip_eol(doc.lines[e.start])
        stripped = line.strip()
        indents[line[: len(line) - len(line.lstrip())]] += 1
        pipes_lead += stripped.startswith("|")
        pipes_trail += stripped.endswith("|") and not stripped.endswith("\\|")
        cells = _cells(line)
        if len(cells) != ncols:
            continue
        d = parse_date(e.date) if e.date else None
        if d:
            fmts.append(d.fmt)
        for j, cell in enumerate(cells):
            raws[j].append(cell)
            c = cell.strip()
            span = None
            if e.title and e.title in plain_text(c):
                cell_title, _, _, _, sp = read_title_span(c)
                if cell_title == e.title and sp is not None:
                    span = sp
            ex = liststyle.generalise(
                c,
                title_span=span,
                title=e.title if span else "",
                arxiv_id=_main_id(e, c),
                date_text=d.text.strip().strip("[]()*_ ") if d and j == _role_index(table, "date") else "",
                date_fmt=d.fmt if d and j == _role_index(table, "date") else "",
                venue=e.venue if j == _role_index(table, "venue") else "",
                venue_known=bool(marker),
                authors=e.authors if j == _role_index(table, "authors") else "",
                author_form=form,
                code_url=e.code_url,
                number_span=None,
                year=_facts_year(e),
                paper_url=_paper_url(e),
            )
            per_col[j][ex.template] += 1
            url_forms.extend(ex.arxiv_forms)
    cells_out: list[_Cell] = []
    for j in range(ncols):
        opts = per_col[j]

        def pick(with_code: bool, opts: Counter[str] = opts) -> str:
            fact = [(t, n) for t, n in opts.most_common() if liststyle._is_ph(t)]
            if with_code:
                coded = [(t, n) for t, n in fact if "{code" in t]
                if coded:
                    return coded[0][0]
            plain = [(t, n) for t, n in fact if "{code" not in t]
            if plain:
                return plain[0][0]
            holders = [(t, n) for t, n in opts.most_common() if liststyle._PLACEHOLDER_LIKE.match(t.strip())]
            if holders:
                return holders[0][0]
            return ""

        plain_t = liststyle.vote_date_format(liststyle.vote_url_forms(pick(False), url_forms), fmts)
        code_t = liststyle.vote_date_format(liststyle.vote_url_forms(pick(True), url_forms), fmts)
        width = len(header_cells[j])
        padded = fits = 0
        leads: Counter[tuple[int, int]] = Counter()
        for cell in raws[j]:
            content = cell.strip()
            leads[(len(cell) - len(cell.lstrip()), len(cell) - len(cell.rstrip()))] += 1
            if content and len(content) + 2 <= width:
                fits += 1
                padded += len(cell) == width
        is_padded = fits >= 2 and padded * 10 >= fits * 6
        lead, trail = leads.most_common(1)[0][0] if leads else (1, 1)
        align = table.aligns[j] if j < len(table.aligns) else "none"
        cells_out.append(_Cell(plain_t, code_t, width if is_padded else 0, align, min(lead, 40), min(trail, 40)))
    if not any("{title}" in c.template for c in cells_out):
        ti = _role_index(table, "title")
        if ti < 0:
            ti = 0
        old = cells_out[ti]
        cells_out[ti] = _Cell("[{title}]({url})", "[{title}]({url})", old.width, old.align, old.lead, old.trail)
    n = len(rows)
    return _RowStyle(
        tuple(cells_out),
        pipes_lead * 2 >= n,
        pipes_trail * 2 >= n,
        indents.most_common(1)[0][0] if indents else "",
    )


def _role_index(table: Table, role: str) -> int:
    try:
        return table.roles.index(role)
    except ValueError:
        return -1


def _render_row(row: _RowStyle, paper: object, *, with_code: bool) -> str:
    from . import liststyle

    assert isinstance(paper, liststyle.Paper)
    out: list[str] = []
    for cell in row.cells:
        template = cell.code_template if with_code else cell.template
        text = " ".join(liststyle.render(template, paper)).strip() if template else ""
        text = re.sub(r"(?<!\\)\|", r"\\|", text)  # nothing written can add a cell
        if cell.width and len(text) + 2 <= cell.width:
            spare = cell.width - len(text)
            if cell.align == "center":
                left = spare // 2
            elif cell.align == "right":
                left = spare - 1
            else:
                left = 1
            out.append(" " * left + text + " " * (spare - left))
        elif text:
            out.append(" " * max(cell.lead, 1) + text + " " * max(cell.trail, 1))
        else:
            out.append(" " * max(cell.lead + cell.trail, 1) if not cell.width else " " * cell.width)
    body = "|".join(out)
    return row.indent + ("|" if row.lead_pipe else "") + body + ("|" if row.trail_pipe else "")


SAMPLE = NewEntry(
    heading="",
    title="An Example Paper Title",
    arxiv_id="2601.01234",
    version=1,
    authors=("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth"),
    published=date(2026, 1, 15),
)


def _paper(new: NewEntry, st: Style, number: int | None, heading_shape: bool) -> object:
    from . import liststyle

    title = markdown_title(new.title) or f"Untitled (arXiv {new.arxiv_id})"
    if heading_shape:
        title = title.replace("#", "\\#")
    return liststyle.Paper(
        title=title,
        arxiv_id=new.arxiv_id,
        version=new.version or 1,
        authors=tuple(a for a in (markdown_text(x) for x in new.authors) if a),
        published=new.published,
        code_url=safe_url(new.code_url),
        venue=st.venue or "arXiv",
        number=number,
        citekey_suffix=st.citekey_suffix,
    )


def _lines_for(st: Style, new: NewEntry, number: int | None, template: str | None) -> list[str]:
    from . import liststyle

    shape_heading = (template or st.template).lstrip().startswith("#")
    paper = _paper(new, st, number, shape_heading)
    assert isinstance(paper, liststyle.Paper)
    has_code = bool(paper.code_url)
    if template is None and st.row is not None:
        return [_render_row(st.row, paper, with_code=has_code)]
    t = template if template is not None else (st.code_template if has_code else st.template)
    return [line.rstrip(" \t") if i else line for i, line in enumerate(liststyle.render(t, paper))]


def entry_lines(doc: ListDocument, new: NewEntry, template: str | None = None) -> list[str]:
    """The lines of one added entry, in its section's style (or `template`), line endings included."""
    section = doc.section(new.heading)
    st = style(doc, section)
    number = section.entries[0].number if section.entries and section.entries[0].number is not None else None
    if number is None and "{n}" in (template or st.template):
        number = 1
    return [line + st.newline for line in _lines_for(st, new, number, template)]


def style_example(doc: ListDocument, heading: str, template: str | None = None) -> str:
    """The lines one sample paper would get under `heading` (what `watcher init` shows as the
    entry style it will write in each section), joined by newlines."""
    lines = entry_lines(doc, replace(SAMPLE, heading=heading), template)
    return "".join(lines).rstrip("\r\n").replace("\r\n", "\n")


@dataclass(slots=True)
class _Insert:
    at: int
    mode: str  # before (an existing entry) / after (one) / empty (a section without entries)
    gap: int  # blank lines between entries
    prefix: int  # blank lines before the first new entry in an empty section
    blocks: list[tuple[tuple[int, ...], int, int | None, Style, NewEntry]] = field(default_factory=list)


def _empty_section_point(doc: ListDocument, section: Section) -> tuple[int, bool]:
    """Where entries go in a section without any: (line index, right after the heading)."""
    body_end = section.body_end if section.body_end > section.line else section.end
    tables = [t for t in doc.tables if section.line < t.header < body_end]
    if tables:
        return tables[0].header + 2, False  # right under the header: before any empty rows
    at = section.line + 1
    for i in range(section.line + 1, body_end):
        line = doc.lines[i]
        if _DETAILS_CLOSE_LINE.match(line) and section.kind == "details":
            break
        if line.strip():
            at = i + 1
    return at, at == section.line + 1


def add_entries(
    doc: ListDocument, additions: Sequence[NewEntry], position: str = "top", template: str | None = None
) -> str:
    """The list text with `additions` inserted under their headings, each in its section's style.

    The style is learned from the section's entries (the most common shape; the section above
    when it has none): bullet or number, indentation, separators, link form, date form, table
    cells, blank lines between entries, the list's own placeholder for what watcher cannot know.
    A section ordered by date (or arXiv id) gets each paper where its date belongs; otherwise
    `position` ("top" or "bottom") says where. Numbered lists are never renumbered: a new item
    takes the number of the item it goes before (or the last number plus one at the end).

    `template` (from `list.entry_template`) overrides the learned style; its placeholders are
    {title} {url} {pdf_url} {arxiv_id} {version} {authors} {first_author} {first_author_surname}
    {year} {yy} {date} {venue} {code} {code_path} {code_owner} {code_name} {n} {citekey}, with
    `{date:%Y/%m}` for a date form, `{authors:etal}` (and `all`, `and`, `etal-surname`, `N+`,
    `N..M`) for an author form, `{?...}` for a part written only when its placeholders have
    values and `{?A::B}` for A or else B; see `watcher.liststyle`. `check_template` checks one.

    Only the added lines are new; the one exception is a file whose last line has no line
    ending and the insertion point is the end of the file: that line gets one.
    """
    if position not in POSITIONS:
        raise ListFormatError(f"list position must be one of {POSITIONS}, not {position!r}")
    if template is not None:
        check_template(template)
    points: dict[tuple[int, str], _Insert] = {}
    for order_no, new in enumerate(additions):
        section = doc.section(new.heading)
        st = style(doc, section)
        entries = [e for e in section.entries if st.row is None or e.shape == "row"] or list(section.entries)
        key: tuple[int, ...] = ()
        if entries:
            anchor, before = (entries[0], True) if position == "top" else (entries[-1], False)
            if st.order:
                nk = _new_key(new, st.order_by, entries)
                if nk is not None:
                    anchor, before = _ordered_point(entries, st, nk)
                    key = nk if st.order == "asc" else tuple(-x for x in nk)
            mode = "before" if before else "after"
            at = anchor.start if before else anchor.end
            number = None
            if anchor.number is not None:
                number = anchor.number if before else anchor.number + 1
            ins = points.setdefault((at, mode), _Insert(at, mode, st.gap, 0))
        else:
            at, after_heading = _empty_section_point(doc, section)
            prefix = 0
            if at > 0 and doc.lines[at - 1].strip():
                prefix = st.heading_gap if after_heading else st.gap
            number = 1 if "{n}" in (template or st.template) else None
            ins = points.setdefault((at, "empty"), _Insert(at, "empty", st.gap, prefix))
        ins.blocks.append((key, order_no, number, st, new))
    inserts: dict[int, list[str]] = {}
    for (at, _mode), ins in sorted(points.items(), key=lambda kv: (kv[0][0], kv[0][1] != "after")):
        blocks = sorted(ins.blocks, key=lambda b: (b[0], b[1]))
        first_number = blocks[0][2]
        out_lines: list[str] = []
        for n, (_k, _o, _num, st, new) in enumerate(blocks):
            number = first_number + n if first_number is not None else None
            nl = st.newline
            lines = [line + nl for line in _lines_for(st, new, number, template)]
            blank = [nl] * ins.gap
            if ins.mode == "before":
                out_lines.extend([*lines, *blank])
            elif ins.mode == "after" or n:
                out_lines.extend([*blank, *lines])
            else:
                out_lines.extend([*([nl] * ins.prefix), *lines])
        inserts.setdefault(at, []).extend(out_lines)
    out: list[str] = []
    lines = list(doc.lines)
    for i in range(len(lines) + 1):
        if i in inserts:
            block = list(inserts[i])
            if out and not out[-1].endswith("\n"):
                out[-1] += doc.newline
                block[-1] = block[-1].rstrip("\r\n")  # keep "no final newline" as it was
            out.extend(block)
        if i < len(lines):
            out.append(lines[i])
    return "".join(out)


def _ordered_point(entries: Sequence[Entry], st: Style, nk: tuple[int, ...]) -> tuple[Entry, bool]:
    keyed = [(e, _key(e, st.order_by)) for e in entries]
    keyed_only = [(e, k) for e, k in keyed if k is not None]
    if st.order == "desc":
        for e, k in keyed_only:
            if k is not None and k <= nk:
                return e, True
        return entries[-1], False
    last = None
    for e, k in keyed_only:
        if k is not None and k <= nk:
            last = e
    if last is None:
        return keyed_only[0][0], True
    return last, False


# -- venues (phase 2) ------------------------------------------------------------------------------


def _replace_line(doc: ListDocument, index: int, new_line: str) -> str:
    lines = list(doc.lines)
    eol = lines[index][len(_strip_eol(lines[index])) :]
    lines[index] = new_line + eol
    return "".join(lines)


def venue_edit(doc: ListDocument, entry: Entry, venue: str) -> str | None:
    """The list text with `venue` ("ICASSP 2026") added to one listed entry in the list's own
    venue style, or None where the section records no venues (or the entry already names one).

    A table's venue cell is filled (replacing a preprint marker such as "Arxiv" or a
    placeholder); a list that writes venues as indented sub-lines (`  - ICLR 2024`) gets one at
    the end of the entry; a preprint marker the entry already carries ("(arXiv 2025)",
    "Arxiv 2025.") is replaced; otherwise the entry gets a tag where the section's other
    entries have theirs (`(ICML 2022)` after the title, `(ACL 2024)` before it). Nothing else
    about the entry changes."""
    from . import liststyle
    from .entryfields import is_preprint, read_title_span

    text = " ".join(markdown_text(venue).split())
    if not text or "\n" in text:
        return None
    section = next((s for s in doc.sections if entry in s.entries), None)
    if section is None:
        return None
    if entry.venue and not is_preprint(entry.venue) and not liststyle._PLACEHOLDER_LIKE.match(entry.venue):
        return None  # it names its venue already
    line = _strip_eol(doc.lines[entry.start])
    if entry.shape == "row":
        table = _table_of(doc, entry)
        j = _role_index(table, "venue") if table is not None else -1
        if table is None or j < 0:
            return None
        cells = _cells(line)
        if j >= len(cells):
            return None
        old = cells[j]
        content = old.strip()
        if content and not is_preprint(plain_text(content)) and not liststyle._PLACEHOLDER_LIKE.match(content):
            return None
        width = len(old)
        if width >= len(text) + 2:
            spare = width - len(text)
            align = table.aligns[j] if j < len(table.aligns) else "none"
            left = spare // 2 if align == "center" else (spare - 1 if align == "right" else 1)
            if not content:
                left = min(left, max(1, len(old) - len(old.lstrip())))
            new_cell = " " * left + text + " " * (spare - left)
        else:
            new_cell = " " + text + " "
        # rebuild the row, every other cell as it was
        spans = _cell_spans(line)
        if len(spans) != len(cells):
            return None
        a, b = spans[j]
        return _replace_line(doc, entry.start, line[:a] + new_cell + line[b:])
    entries = list(section.entries)
    # venues written as their own indented sub-line ("  - TASLP")
    # (a preprint line is no venue line: an "  - [arXiv](...)" link names the paper, not a venue)
    sub = _VENUE_SUBLINE
    sublines = [
        _strip_eol(doc.lines[k])
        for e in (doc.entries if len(entries) < 5 else entries)
        for k in range(e.start + 1, e.end)
        if (m := sub.match(_strip_eol(doc.lines[k]))) and (v := parse_venue(m[2])) and not is_preprint(v)
    ]
    if sublines:
        m = sub.match(sublines[0])
        assert m is not None
        new_line = m[1] + text + doc.newline
        lines = list(doc.lines)
        at = entry.end
        if not lines[at - 1].endswith("\n"):
            lines[at - 1] += doc.newline
            new_line = new_line.rstrip("\r\n")
        lines.insert(at, new_line)
        return "".join(lines)
    # a preprint marker in the entry ("(arXiv 2025)", "Arxiv 2025.", "[Preprint]")
    raw = [_strip_eol(doc.lines[k]) for k in range(entry.start, entry.end)]
    marker = re.compile(
        r"(?<![\w/.])(?:arXiv|Arxiv|ArXiv|ARXIV|Preprint|preprint|CoRR)(?:[ '’-]*(?:19|20)\d\d)?(?![\w/]|\.\w)"
    )
    if entry.venue and is_preprint(entry.venue):
        for k, ln in enumerate(raw):
            for mm in marker.finditer(ln):
                if mm[0].lower().startswith(("arxiv", "preprint", "corr")) and not _inside_link_target(ln, mm.start()):
                    return _replace_line(doc, entry.start + k, ln[: mm.start()] + text + ln[mm.end() :])
    # a tag where the section's other entries have theirs
    placements: Counter[tuple[str, str, str]] = Counter()
    for e in entries:
        if not e.venue or e is entry:
            continue
        first = _strip_eol(doc.lines[e.start])
        k = first.find(e.venue)
        if k < 0:
            continue
        before, after = first[:k], first[k + len(e.venue) :]
        open_ch = before[-1:] if before[-1:] in "([" else ""
        close_ch = after[:1] if after[:1] in ")]" else ""
        if not open_ch or not close_ch:
            continue
        m = _ITEM.match(first)
        head = m[4] if m else first
        _, _, _, title_end, _ = read_title_span(head)
        where = "before" if first.find(head) + title_end > k else "after"
        placements[(where, open_ch, close_ch)] += 1
    if not placements:
        return None
    (where, open_ch, close_ch), _ = placements.most_common(1)[0]
    tag = f"{open_ch}{text}{close_ch}"
    m = _ITEM.match(line)
    head = m[4] if m else line.strip()
    offset = line.find(head) if head else 0
    title, _, _, title_end, span = read_title_span(head)
    if not title or span is None:
        return None
    if where == "before":
        at = offset + span[0]
        # before the title's own markup (** or [)
        while at > offset and line[at - 1] in "*_[":
            at -= 1
        return _replace_line(doc, entry.start, line[:at] + tag + " " + line[at:])
    at = offset + title_end
    while at < len(line) and line[at] in "*_.":
        at += 1
    return _replace_line(doc, entry.start, line[:at] + " " + tag + line[at:])


_VENUE_SUBLINE = re.compile(r"^([ \t]+[-*+][ \t]+)(\S.*?)\s*$")


def _inside_link_target(line: str, k: int) -> bool:
    for sp in scan_inline(line):
        if sp.kind in ("link", "image") and sp.start <= k < sp.end:
            text_end = sp.start + 1 + len(sp.text) + (1 if sp.kind == "image" else 0)
            return k > text_end
    return False
