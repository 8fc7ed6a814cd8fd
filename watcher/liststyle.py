"""Entry templates: the placeholder language, rendering a new paper in it, and learning a list
section's template from the entries it already has. No I/O.

A template is the text of one entry with placeholders for what watcher knows about a paper:

    {title} {url} {pdf_url} {arxiv_id} {version} {authors} {first_author} {first_author_surname}
    {year} {yy} {date} {venue} {code} {code_path} {code_owner} {code_name} {n} {citekey}

`{date:%Y/%m}` writes the date in a form (%Y %y %m %-m %d %-d %b %B); `{authors:FORM}` writes the
authors as `all` (the default: "A, B, C"), `and` ("A, B and C"), `etal` ("A et al."),
`etal-surname` ("Smith et al."), `N+` ("A, B, C et al." after N names) or `N..M` ("A, B, C, ...,
Y, Z": the first N and the last M). `{?...}` is an optional part, written only when every
placeholder in it has a value (`{? [[code]({code})]}`); `{?A::B}` writes B otherwise. `{{` and
`}}` are literal braces; a newline starts the entry's next line.

Learning reads a section's entries, replaces what each says about its own paper (title, links,
date, venue, authors, code, number) by placeholders, and aligns them: what is the same in most
entries is the list's own wording and is kept; what differs and watcher cannot know (a demo link,
an architecture tag, a summary) is left out as the list leaves it out (empty where some entries
have it empty, the list's own placeholder such as `--` or `n/a` where it has one), or dropped.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .entryfields import (
    ascii_key,
    format_date,
    is_preprint,
    plain_text,
    scan_inline,
    surname,
)
from .errors import ListFormatError

PLACEHOLDERS = (
    "title",
    "url",
    "pdf_url",
    "arxiv_id",
    "version",
    "authors",
    "first_author",
    "first_author_surname",
    "year",
    "yy",
    "date",
    "venue",
    "code",
    "code_path",
    "code_owner",
    "code_name",
    "n",
    "citekey",
)
_CODE_NAMES = frozenset({"code", "code_path", "code_owner", "code_name"})
_PLACEHOLDER_LIKE = re.compile(
    r"^(?:\[?\s*(?:n/?a|none|null|nan|tbd|tba|todo|unknown|-1|\?+|-+|—+|–+|/|×|✗|x)\s*\]?|\[\*\*-1\*\*\]\(None\))$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Paper:
    """What a template can say about one paper (all text already safe for Markdown)."""

    title: str
    arxiv_id: str
    version: int = 1
    authors: tuple[str, ...] = ()
    published: date | None = None
    code_url: str = ""
    venue: str = ""  # the list's word for a preprint ("Arxiv", "Preprint")
    number: int | None = None
    citekey_suffix: str = "arxiv"


# -- the template language ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Lit:
    text: str


@dataclass(frozen=True, slots=True)
class _Ph:
    name: str
    spec: str


@dataclass(frozen=True, slots=True)
class _Opt:
    then: tuple[_Lit | _Ph | _Opt, ...]
    other: tuple[_Lit | _Ph | _Opt, ...]


_Part = _Lit | _Ph | _Opt


def _parse(template: str, i: int = 0, stop: str = "") -> tuple[list[_Part], int]:
    parts: list[_Part] = []
    buf: list[str] = []
    n = len(template)
    while i < n:
        c = template[i]
        if stop and template.startswith(stop, i):
            break
        if stop == "::" and c == "}":
            break
        if c == "{" and template.startswith("{{", i):
            buf.append("{")
            i += 2
            continue
        if c == "}" and template.startswith("}}", i):
            buf.append("}")
            i += 2
            continue
        if c == "}":
            if stop:
                break
            raise ListFormatError(f"list.entry_template has an unmatched '}}' at character {i + 1}")
        if c == "{":
            if buf:
                parts.append(_Lit("".join(buf)))
                buf = []
            if template.startswith("{?", i):
                then, j = _parse(template, i + 2, "::")
                other: list[_Part] = []
                if template.startswith("::", j):
                    other, j = _parse(template, j + 2, "}")
                if j >= n or template[j] != "}":
                    raise ListFormatError("list.entry_template has an optional part '{?' that is not closed")
                parts.append(_Opt(tuple(then), tuple(other)))
                i = j + 1
                continue
            j = template.find("}", i)
            if j < 0:
                raise ListFormatError(f"list.entry_template has an unclosed '{{' at character {i + 1}")
            body = template[i + 1 : j]
            name, _, spec = body.partition(":")
            name = name.strip()
            if name not in PLACEHOLDERS:
                raise ListFormatError(
                    f"list.entry_template names an unknown placeholder {{{name}}} (known: "
                    + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                    + ")"
                )
            parts.append(_Ph(name, spec))
            i = j + 1
            continue
        buf.append(c)
        i += 1
    if buf:
        parts.append(_Lit("".join(buf)))
    return parts, i


def check_template(template: str) -> None:
    """Raise ListFormatError naming what is wrong with a `list.entry_template` (an unknown
    placeholder, an unbalanced brace, a template without {title})."""
    parts, _ = _parse(template)
    names: set[str] = set()

    def walk(ps: Sequence[_Part]) -> None:
        for p in ps:
            if isinstance(p, _Ph):
                names.add(p.name)
                if p.name == "authors" and p.spec and not _AUTHOR_FORM.fullmatch(p.spec):
                    raise ListFormatError(f"list.entry_template: unknown authors form {{authors:{p.spec}}}")
            elif isinstance(p, _Opt):
                walk(p.then)
                walk(p.other)

    walk(parts)
    if "title" not in names:
        raise ListFormatError("list.entry_template must contain {title}")


_AUTHOR_FORM = re.compile(r"all|and|etal|etal-surname|\d+\+|\d+\.\.\d+")


def _authors(names: Sequence[str], form: str) -> str:
    ns = [n for n in names if n]
    if not ns:
        return ""
    form = form or "all"
    if form == "and":
        return ns[0] if len(ns) == 1 else ", ".join(ns[:-1]) + " and " + ns[-1]
    if form == "etal":
        return ns[0] if len(ns) == 1 else f"{ns[0]} et al."
    if form == "etal-surname":
        return surname(ns[0]) if len(ns) == 1 else f"{surname(ns[0])} et al."
    if m := re.fullmatch(r"(\d+)\+", form):
        k = int(m[1])
        return ", ".join(ns) if len(ns) <= k else ", ".join(ns[:k]) + " et al."
    if m := re.fullmatch(r"(\d+)\.\.(\d+)", form):
        a, b = int(m[1]), int(m[2])
        return ", ".join(ns) if len(ns) <= a + b else ", ".join([*ns[:a], "...", *ns[-b:]])
    return ", ".join(ns)


def _value(p: _Ph, paper: Paper) -> str:
    name, spec = p.name, p.spec
    aid = paper.arxiv_id
    when = paper.published or _id_date(aid)
    gh = re.match(r"https?://(?:www\.)?(?:github|gitlab)\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)", paper.code_url)
    if name == "title":
        return paper.title
    if name == "url":
        return f"https://arxiv.org/abs/{aid}"
    if name == "pdf_url":
        return f"https://arxiv.org/pdf/{aid}"
    if name == "arxiv_id":
        return aid
    if name == "version":
        return str(paper.version or 1)
    if name == "authors":
        return _authors(paper.authors, spec)
    if name == "first_author":
        return paper.authors[0] if paper.authors else ""
    if name == "first_author_surname":
        return surname(paper.authors[0]) if paper.authors else ""
    if name == "citekey":
        if not paper.authors or when is None:
            return ""
        return f"{ascii_key(surname(paper.authors[0]))}{when.year % 100:02d}{paper.citekey_suffix}"
    if when is None and name in ("year", "yy", "date"):
        return ""
    if name == "year":
        return f"{when.year:04d}" if when else ""
    if name == "yy":
        return f"{when.year % 100:02d}" if when else ""
    if name == "date":
        assert when is not None
        return format_date(spec or "%Y-%m-%d", when, day_known=paper.published is not None)
    if name == "venue":
        return paper.venue.replace("{year}", f"{when.year:04d}" if when else "")
    if name == "code":
        return paper.code_url
    if name == "code_path":
        return f"{gh[1]}/{gh[2].removesuffix('.git')}" if gh else ""
    if name == "code_owner":
        return gh[1] if gh else ""
    if name == "code_name":
        return gh[2].removesuffix(".git") if gh else ""
    if name == "n":
        return str(paper.number) if paper.number is not None else "1"
    return ""


def _id_date(arxiv_id: str) -> date | None:
    m = re.match(r"(\d\d)(\d\d)\.\d{4,5}$", arxiv_id)
    if not m:
        return None
    month = int(m[2])
    return date(2000 + int(m[1]), month, 1) if 1 <= month <= 12 else None


def _render_parts(parts: Sequence[_Part], paper: Paper) -> str | None:
    """The text of `parts`, or None when a placeholder in them has no value."""
    out: list[str] = []
    for p in parts:
        if isinstance(p, _Lit):
            out.append(p.text)
        elif isinstance(p, _Ph):
            v = _value(p, paper)
            if not v:
                return None
            out.append(v)
        else:
            got = _render_parts(p.then, paper)
            if got is None:
                got = _render_parts(p.other, paper) or ""
            out.append(got)
    return "".join(out)


def render(template: str, paper: Paper) -> list[str]:
    """The lines (without line endings) `template` writes for `paper`. A placeholder without a
    value outside an optional part writes nothing."""
    parts, _ = _parse(template)
    out: list[str] = []
    for p in parts:
        if isinstance(p, _Ph):
            out.append(_value(p, paper))
        else:
            out.append(_render_parts([p], paper) or "")
    lines = "".join(out).split("\n")
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return lines


# -- learning ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\{\{|\}\}|\{\?|\{[a-z_]+(?::[^{}]*)?\}"
    r"|\[\[[^\[\]\n]*\]\((?:[^()\n]|\([^()\n]*\))*\)\]"
    r"|!?\[(?:[^\[\]\n]|\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\])*\]\((?:[^()\n]|\([^()\n]*\))*\)"
    r"|https?://[^\s)\]|<>]+|[A-Za-z0-9]+|\n[ \t]*|[ \t]+|."
)


def tokens(template: str) -> list[str]:
    return _TOKEN.findall(template)


def _is_ph(tok: str) -> bool:
    """Does the token hold a placeholder (a fact of the entry's own paper)?"""
    return bool(re.search(r"(?<!\{)\{[a-z_?]", tok.replace("{{", "")))


def escape_literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@dataclass(frozen=True, slots=True)
class Example:
    """One existing entry, generalised: its text with placeholders for its own paper's facts."""

    template: str
    has_arxiv: bool
    has_code: bool
    date_fmt: str = ""
    arxiv_forms: tuple[tuple[str, str], ...] = ()  # (link text, URL form) of its arXiv links


_ARXIV_IN_URL = re.compile(
    r"^(?P<pre>(?:https?://)?(?:[a-z0-9-]+\.)*arxiv\.org/(?:abs|pdf|html)/)(?P<id>\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?P<v>v\d+)?(?P<post>.*)$",
    re.I,
)
_PREPRINT_YEAR = re.compile(
    r"(?<![\w/.])(?:arXiv|Arxiv|ArXiv|ARXIV|Preprint|preprint|CoRR)[ '’-]*(?:19|20)\d\d(?![\w])"
)
_CITEKEY = re.compile(r"(?<![\w-])([a-zà-ÿ][a-zà-ÿ'’-]*)(\d\d)([a-z-]*)(?![\w-])")


def url_form(url: str) -> str:
    """An arXiv URL as a template: `https://arxiv.org/pdf/{arxiv_id}v{version}.pdf`."""
    m = _ARXIV_IN_URL.match(url)
    if not m:
        return ""
    v = "v{version}" if m["v"] else ""
    return escape_literal(m["pre"]) + "{arxiv_id}" + v + escape_literal(m["post"])


def generalise(
    raw: str,
    *,
    title_span: tuple[int, int] | None,
    title: str,
    arxiv_id: str,
    date_text: str,
    date_fmt: str,
    venue: str,
    venue_known: bool,
    authors: str,
    author_form: str,
    code_url: str,
    number_span: tuple[int, int] | None,
    year: int | None,
    paper_url: str = "",
) -> Example:
    """`raw` (one entry's text, lines joined by \\n) with its own paper's facts as placeholders."""
    subs: list[tuple[int, int, str]] = []
    has_arxiv = False
    has_code = False
    forms: list[tuple[str, str]] = []
    has_paper_ph = False
    if number_span is not None:
        subs.append((number_span[0], number_span[1], "{n}"))
    if title_span is not None and title:
        a, b = title_span
        core = raw[a:b]
        stripped = core.rstrip(" .,;:")
        lead = len(core) - len(core.lstrip())
        subs.append((a + lead, a + len(stripped), "{title}"))
    gh = re.match(r"https?://(?:www\.)?(?:github|gitlab)\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)", code_url)
    offset = 0
    for line in raw.split("\n"):
        for sp in scan_inline(line):
            if sp.kind == "image" and gh and f"{gh[1]}/{gh[2]}" in sp.url:
                path = f"{gh[1]}/{gh[2]}"
                j = line.find(path, sp.start, sp.end)
                subs.append((offset + j, offset + j + len(path), "{code_path}"))
                has_code = True
                continue
            if sp.kind not in ("link", "autolink"):
                continue
            url = sp.url
            start = offset + sp.start
            # where the URL sits inside the span
            k = line.find(url, sp.start, sp.end) if url else -1
            if k < 0:
                continue
            form = url_form(url)
            if form:
                if arxiv_id and arxiv_id in url:
                    has_arxiv = True
                    subs.append((offset + k, offset + k + len(url), form))
                    forms.append((plain_text(sp.text), form))
                continue
            if paper_url and url == paper_url and not has_paper_ph:
                has_paper_ph = True
                subs.append((offset + k, offset + k + len(url), "{url}"))
                continue
            if code_url and url.rstrip("/") == code_url.rstrip("/") and _code_text_ok(sp.text, gh):
                has_code = True
                subs.append((offset + k, offset + k + len(url), "{code}"))
                if gh and "![" in sp.text:  # a badge naming the repository, inside the code link
                    path = f"{gh[1]}/{gh[2]}"
                    j = line.find(path, sp.start, k)
                    while j >= 0:
                        subs.append((offset + j, offset + j + len(path), "{code_path}"))
                        j = line.find(path, j + len(path), k)
                continue
            if gh and sp.kind == "link" and f"{gh[1]}/{gh[2]}" in url:
                path = f"{gh[1]}/{gh[2]}"
                j = line.find(path, sp.start, sp.end)
                if j >= 0:
                    subs.append((offset + j, offset + j + len(path), "{code_path}"))
                    has_code = True
            del start
        offset += len(line) + 1
    if gh:
        for word, ph in ((gh[2], "{code_name}"), (gh[1], "{code_owner}")):
            for m in re.finditer(rf"(?<![\w/.-]){re.escape(word)}(?![\w/-])", raw):
                subs.append((m.start(), m.end(), ph))
    if arxiv_id:
        for m in re.finditer(rf"(?<![\w./]){re.escape(arxiv_id)}(?![\w])", raw):
            subs.append((m.start(), m.end(), "{arxiv_id}"))
    if date_text and date_fmt:
        for m in re.finditer(rf"(?<![\w/.-]){re.escape(date_text)}(?![\w/-])", raw):
            subs.append((m.start(), m.end(), "{date:" + date_fmt + "}"))
            break
    if venue and venue_known:
        for m in re.finditer(rf"(?<![\w]){re.escape(venue)}(?![\w])", raw):
            subs.append((m.start(), m.end(), "{venue}"))
            break
    if venue_known:
        for m in _PREPRINT_YEAR.finditer(raw):
            subs.append((m.start(), m.end(), "{venue}"))
    if authors:
        where = _find_authors(raw, authors)
        if where is not None:
            form = ":" + author_form if author_form and author_form != "all" else ""
            subs.append((where[0], where[1], "{authors" + form + "}"))
    if year is not None:
        for m in _CITEKEY.finditer(raw):
            if abs(int(m[2]) - year % 100) <= 2 and len(m[1]) >= 2 and m[3] and not m[3][0].isdigit():
                subs.append((m.start(), m.end(), "{citekey}"))
    subs.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[str] = []
    i = 0
    for a, b, ph in subs:
        if a < i:
            continue
        out.append(escape_literal(raw[i:a]))
        out.append(ph)
        i = b
    out.append(escape_literal(raw[i:]))
    return Example("".join(out), has_arxiv, has_code, date_fmt, tuple(forms))


def _code_text_ok(text: str, gh: re.Match[str] | None) -> bool:
    """Can a new entry write this code link's text? A link word ("Code", "[Github]"), a badge,
    nothing, or the repository's own name: yes; a paper's own words for its code: no."""
    from .entryfields import is_link_word

    t = plain_text(text)
    if not t or "![" in text or is_link_word(t) or t.startswith("http"):
        return True
    return gh is not None and t.strip().lower() in (gh[2].lower().removesuffix(".git"), f"{gh[1]}/{gh[2]}".lower())


def _find_authors(raw: str, authors: str) -> tuple[int, int] | None:
    k = raw.find(authors)
    if k >= 0:
        return k, k + len(authors)
    names = [n.strip() for n in re.split(r",|\band\b", authors) if n.strip()]
    if not names:
        return None
    first, last = names[0], names[-1]
    a = raw.find(first)
    if a < 0:
        return None
    b = raw.find(last, a)
    if b < 0:
        return None
    end = b + len(last)
    if raw[end:].lstrip().lower().startswith(("et al", "and others")):
        m = re.match(r"\s*(?:et\.?\s*al\.?|and others)", raw[end:], re.I)
        if m:
            end += m.end()
    return a, end


def author_form(values: Sequence[str]) -> str:
    """How a section writes its authors, from the author strings it has."""
    forms: Counter[str] = Counter()
    for v in values:
        t = v.strip().rstrip(".")
        if re.search(r"\bet\.?\s*al\b", t, re.I):
            head = re.split(r"\s*,?\s*et\.?\s*al", t, flags=re.I)[0]
            n = len([x for x in head.split(",") if x.strip()])
            if n <= 1:
                forms["etal-surname" if len(head.split()) == 1 else "etal"] += 1
            else:
                forms[f"{n}+"] += 1
        elif "..." in t or "…" in t:
            parts = [x.strip() for x in re.split(r",", t)]
            k = next((i for i, x in enumerate(parts) if x in ("...", "…")), -1)
            if k > 0:
                forms[f"{k}..{len(parts) - k - 1}"] += 1
        elif re.search(r"\band\b", t) and "," in t:
            forms["and"] += 1
        else:
            forms["all"] += 1
    return forms.most_common(1)[0][0] if forms else "all"


_SEP_TOKENS = frozenset(":,;-–—|·/•")


def _joiner(tok: str) -> bool:
    """Punctuation that joins the words of one value ("transformer+flow", "([repo](url)")."""
    return len(tok) == 1 and not tok.isalnum() and not tok.isspace() and tok not in ";,:|"


def learn_template(examples: Sequence[Example], *, with_code: bool, peers: Sequence[Example] = ()) -> str:
    """The template of the most typical example (for a paper with or without a code link),
    with what varies between entries and watcher cannot know resolved as the list does it.

    `examples` are the section's own entries, `peers` entries of the same shape elsewhere in
    the list: they tell a field that varies across the list (an architecture tag) from the
    list's own wording, and what the list writes where a value is missing."""
    pool = list(examples)
    others_pool = list(peers)
    if not pool and not others_pool:
        return ""
    base = [e for e in pool if e.has_arxiv] or [e for e in others_pool if e.has_arxiv] or pool or others_pool
    if with_code:
        cands = (
            [e for e in base if e.has_code] or [e for e in [*pool, *others_pool] if e.has_code and e.has_arxiv] or base
        )
    else:
        cands = [e for e in base if not e.has_code] or base
    cands = _sample(cands, 12)
    evidence = _sample(pool, 40) + _sample(others_pool, 16 if len(pool) >= 16 else 32)
    toks: dict[int, list[str]] = {}
    for e in [*cands, *evidence]:
        if id(e) not in toks:
            toks[id(e)] = tokens(e.template)
    if len(cands) == 1:
        proto = cands[0]
    else:
        scores = []
        for c in cands:
            tc = toks[id(c)]
            sm = difflib.SequenceMatcher(None, autojunk=False)
            sm.set_seq2(tc)
            total = 0.0
            for o in evidence:
                if o is not c:
                    sm.set_seq1(toks[id(o)])
                    total += sm.ratio()
            scores.append(total)
        proto = cands[max(range(len(cands)), key=lambda i: scores[i])]
    ptoks = toks[id(proto)]
    others = [o for o in evidence if o is not proto]
    matched = [0] * len(ptoks)
    alternatives: dict[int, list[str]] = {}
    sm = difflib.SequenceMatcher(None, autojunk=False)
    sm.set_seq1(ptoks)
    for o in others:
        otoks = toks[id(o)]
        sm.set_seq2(otoks)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal":
                for k in range(i1, i2):
                    matched[k] += 1
            elif i2 > i1:
                alternatives.setdefault(i1, []).append("".join(otoks[j1:j2]))
    need = max(1, -(-len(others) * 90 // 100)) if others else 0
    keep = [True] * len(ptoks)
    replaced: dict[int, str] = {}
    line_of: list[int] = []
    line_no = 0
    for t in ptoks:
        if t.startswith("\n"):
            line_no += 1
        line_of.append(line_no)
    dropped_lines: set[int] = set()
    # lines that write a fact of the paper (its title, a link, its authors): the list's own
    # placeholders for a missing value are kept there; other lines are fields watcher cannot fill
    fact_lines = {line_of[i] for i, t in enumerate(ptoks) if _is_ph(t)}

    def variable(i: int) -> bool:
        """A token that differs between entries and is content (a word, a link, a URL), not
        the punctuation that structures the entry."""
        t = ptoks[i]
        if _is_ph(t) or t.startswith("\n") or not t.strip() or matched[i] >= need:
            return False
        return any(ch.isalnum() for ch in t) or len(t) > 1

    k = 0
    while k < len(ptoks):
        if not variable(k):
            k += 1
            continue
        j = k
        while j < len(ptoks) and (
            variable(j)
            or (not ptoks[j].strip() and not ptoks[j].startswith("\n"))
            or (_joiner(ptoks[j]) and j + 1 < len(ptoks) and variable(j + 1))
        ):
            j += 1
        while j > k + 1 and not ptoks[j - 1].strip():
            j -= 1
        region = "".join(ptoks[k:j])
        alts = [a for i in range(k, j) for a in alternatives.get(i, [])]
        holders = Counter(a.strip() for a in alts if a.strip() and _PLACEHOLDER_LIKE.match(a.strip()))
        if _PLACEHOLDER_LIKE.match(region.strip()):
            k = j
            continue  # the list's own "missing" value: keep it
        if holders and line_of[k] in fact_lines and sum(holders.values()) >= max(2, len(others) // 30):
            replaced[k] = escape_literal(holders.most_common(1)[0][0])
            for i in range(k, j):
                keep[i] = False
            k = j
            continue
        for i in range(k, j):
            keep[i] = False
        dropped_lines.add(line_of[k])
        # the separator that led to the dropped part goes with it
        at_end = all(
            not ptoks[i].strip() or ptoks[i].startswith("\n") for i in range(j, len(ptoks)) if line_of[i] == line_of[k]
        )
        p = k - 1
        while p >= 0 and not ptoks[p].strip() and not ptoks[p].startswith("\n") and keep[p]:
            keep[p] = False
            p -= 1
        if at_end and p >= 0 and ptoks[p] in _SEP_TOKENS and keep[p]:
            keep[p] = False
            p -= 1
            while p >= 0 and not ptoks[p].strip() and not ptoks[p].startswith("\n"):
                keep[p] = False
                p -= 1
        k = j
    lines: list[list[str]] = [[]]
    for i, t in enumerate(ptoks):
        if t.startswith("\n"):
            lines.append([t])
            continue
        if i in replaced:
            lines[-1].append(replaced[i])
        elif keep[i]:
            lines[-1].append(t)
    thin = len(evidence) < 3  # too few entries to tell the list's wording from one paper's
    out: list[str] = []
    for n, toks_ in enumerate(lines):
        text = "".join(toks_)
        body = text.lstrip("\n")
        if n > 0 and body.strip() and not _is_ph(body) and (thin or n in dropped_lines):
            continue
        if n in dropped_lines:
            text = re.sub(r"\s*\(\s*[;,]?\s*\)|\s*\[\s*\]", "", text).rstrip(" \t")
            text = re.sub(r"[ \t]*[·|•,;:/–—-][ \t]*$", "", text)  # a separator left with nothing after it
        out.append(text)
    result = "".join(out)
    return result.rstrip("\n")


def _wordy(segment: str) -> bool:
    """Does a segment hold words of its own (a summary, a field) besides its code link?"""
    from .entryfields import is_link_word

    text = re.sub(r"\{[a-z_?]+(?::[^{}]*)?\}|\{\?|\}", " ", segment)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", lambda m: " " if is_link_word(plain_text(m[1]) or "-") else m[1], text)
    words = [w for w in re.findall(r"[A-Za-z]{2,}", plain_text(text)) if not is_link_word(w)]
    return len(words) > 3


def _norm_url(tok: str) -> str:
    """A token with its arXiv URL form and date form made alike, for aligning two entries."""
    tok = re.sub(r"\([^()]*\{arxiv_id\}[^()]*\)", "(URL)", tok)
    return re.sub(r"\{date:[^{}]*\}", "{date}", tok)


def add_code(template: str, examples: Sequence[Example]) -> str:
    """`template` (written for a paper without a code link) with the list's code link added
    where the entries that have one write it: the part a coded entry has in addition to the
    template, placed where it sits in that entry, optional (`{?...}`)."""
    coded = [e for e in examples if e.has_code]
    if not coded or "{code" in template:
        return template
    base = tokens(template)
    norm_base = [_norm_url(t) for t in base]
    best: tuple[float, Sequence[tuple[str, int, int, int, int]], list[str]] | None = None
    for e in _sample(coded, 24):
        other = tokens(e.template)
        sm = difflib.SequenceMatcher(None, norm_base, [_norm_url(t) for t in other], autojunk=False)
        ratio = sm.ratio()
        if best is None or ratio > best[0]:
            best = (ratio, sm.get_opcodes(), other)
    assert best is not None
    _, ops, other = best
    inserts: dict[int, str] = {}
    for tag, i1, i2, j1, j2 in ops:
        segment = "".join(other[j1:j2])
        if "{code" not in segment:
            continue
        if tag == "insert" or (tag == "replace" and not "".join(base[i1:i2]).strip()):
            if "\n" in segment.rstrip("\n")[1:] or _wordy(segment):
                return template  # more than the code link: not one optional piece
            inserts[i2 if tag == "replace" else i1] = "{?" + segment + "}"
            if tag == "replace":
                for k in range(i1, i2):
                    base[k] = ""
        else:
            return template  # the code link takes the place of something: do not guess
    out: list[str] = []
    for k, t in enumerate(base):
        if k in inserts:
            out.append(inserts[k])
        out.append(t)
    if len(base) in inserts:
        out.append(inserts[len(base)])
    return "".join(out)


def _sample(items: Sequence[Example], n: int) -> list[Example]:
    if len(items) <= n:
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def vote_url_forms(template: str, forms: Sequence[tuple[str, str]]) -> str:
    """The template with each arXiv URL form replaced by the form most entries use for links
    with the same text (http vs https, abs vs pdf, a version suffix or not)."""
    if not forms:
        return template
    by_text: dict[str, Counter[str]] = {}
    for text, form in forms:
        by_text.setdefault(text.casefold(), Counter())[form] += 1
    everything: Counter[str] = Counter(f for _, f in forms)

    def swap(m: re.Match[str]) -> str:
        text, url = m[1], m[2]
        counts = by_text.get(plain_text(text.replace("{{", "{").replace("}}", "}")).casefold())
        if "{title}" in text:
            counts = None
        best = (counts or everything).most_common(1)[0][0] if (counts or everything) else url
        return f"[{text}]({best})"

    return re.sub(r"\[([^\]\n]*)\]\(([^)\n]*\{arxiv_id\}[^)\n]*)\)", swap, template)


def vote_date_format(template: str, fmts: Sequence[str]) -> str:
    if not fmts:
        return template
    best = Counter(fmts).most_common(1)[0][0]
    return re.sub(r"\{date:[^{}]*\}", "{date:" + best + "}", template)


_OPTIONAL_LINE = re.compile(r"\n[ \t]*(?:[-*+][ \t]+)?[*_]*\{(?:authors|first_author)[^{}]*\}[*_.,]*(?=\n|$|\{\?)")
_OPTIONAL_INLINE = re.compile(
    r"[ \t]?(?:(?P<o>[(\[])?[*_]*\{(?:authors|first_author|first_author_surname|citekey)(?::[^{}]*)?\}[*_.,]*"
    r"(?(o)[)\]]))[.,]?"
)


def _optional_spans(template: str) -> list[tuple[int, int]]:
    """Where the `{?...}` parts of a template are."""
    spans: list[tuple[int, int]] = []
    i = 0
    while True:
        k = template.find("{?", i)
        if k < 0:
            return spans
        depth, j = 0, k
        while j < len(template):
            if template.startswith("{{", j) or template.startswith("}}", j):
                j += 2
                continue
            if template[j] == "{":
                depth += 1
            elif template[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        spans.append((k, j + 1))
        i = j + 1


def wrap_optional(template: str) -> str:
    """Parts that may have no value for a new paper (authors, citekey, code) become optional,
    with their brackets, emphasis and the space or line before them."""
    out = _wrap_code(template)
    # a whole continuation line that is only authors and punctuation
    out = _OPTIONAL_LINE.sub(lambda m: "{?" + m.group(0) + "}", out)
    spans = _optional_spans(out)
    pieces: list[str] = []
    last = 0
    for m in _OPTIONAL_INLINE.finditer(out):
        if any(a <= m.start() < b for a, b in spans):
            continue
        pieces.append(out[last : m.start()])
        pieces.append("{?" + m.group(0) + "}")
        last = m.end()
    pieces.append(out[last:])
    return "".join(pieces)


def _wrap_code(template: str) -> str:
    """Tokens that write the paper's code link (and the space before them) become optional:
    written only for a paper that names its code."""
    toks = tokens(template)
    out: list[str] = []
    i = 0
    depth = 0
    while i < len(toks):
        t = toks[i]
        if t == "{?":
            depth += 1
        elif t == "}" and depth:
            depth -= 1
        if depth == 0 and "{code" in t and t != "{?":
            lead = ""
            if out and out[-1].strip() == "" and not out[-1].startswith("\n"):
                lead = out.pop()
            line_end = i + 1 >= len(toks) or toks[i + 1].startswith("\n")
            if line_end and out and out[-1] in (":", "|", "·", "-", "–", "—"):
                lead = out.pop() + lead  # "...: {code}" -> nothing when there is no code
                if out and out[-1].strip() == "" and not out[-1].startswith("\n"):
                    lead = out.pop() + lead
            out.append("{?" + lead + t + "}")
        else:
            out.append(t)
        i += 1
    return "".join(out)


def preprint_marker(venues: Sequence[str]) -> str:
    """The list's word for a paper only on arXiv ("Arxiv", "arXiv {year}", "Preprint"), from the
    venues its entries give, or ""."""
    forms: Counter[str] = Counter()
    for v in venues:
        if v and is_preprint(v):
            forms[re.sub(r"(?<![\d])(?:19|20)\d\d(?![\d])", "{year}", v.strip())] += 1
    return forms.most_common(1)[0][0] if forms else ""
