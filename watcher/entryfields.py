"""One list entry's fields: its links and their kinds, arXiv ids and DOIs, clean title, venue, date
and authors, read from the entry's Markdown. No I/O.

Real lists decorate a paper's title with tags (`[2025/12]`, `(ICLR 2024)`, emoji), badges
(`![Star](...)`), link words (`[[paper](...)]`, `[Code]`) and trailing notes; the clean title is
what a reader sees as the paper's name and nothing else, so that matching by title works and link
words never become classifier features. Everything here reads one entry's text; which entries
are papers, and which section they belong to, is `listfile`'s business.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .paper import find_arxiv_ids, parse_arxiv_id


def _words(text: str) -> list[str]:
    return text.split()


LINK_KINDS = (
    "arxiv",
    "doi",
    "acl",
    "openreview",
    "paper",  # a publisher's or proceedings page of a paper (IEEE, ACM, NeurIPS, CVF, Semantic Scholar...)
    "pdf",
    "github",
    "gitlab",
    "huggingface",
    "dataset",
    "project",
    "blog",
    "social",
    "video",
    "anchor",
    "other",
)
PAPER_KINDS = frozenset({"arxiv", "doi", "acl", "openreview", "paper", "pdf"})
STRONG_PAPER_KINDS = frozenset({"arxiv", "doi", "acl", "openreview"})
CODE_KINDS = frozenset({"github", "gitlab", "huggingface"})


@dataclass(frozen=True, slots=True)
class Link:
    kind: str
    url: str
    text: str  # the link text as a reader sees it ("" for an image-only link)
    arxiv_id: str = ""


@dataclass(frozen=True, slots=True)
class Span:
    """One inline construct of a Markdown line: a link, an image, an autolink, a code span or an
    HTML tag; `start`/`end` index the scanned text."""

    kind: str  # link / image / autolink / code / html
    start: int
    end: int
    text: str = ""  # link text (raw Markdown), image alt, code content, tag
    url: str = ""


# -- inline scanning ------------------------------------------------------------------------------

_BARE_URL = re.compile(r"(?<![\w/.@-])(?:https?://|www\.)[^\s<>()\[\]|]*[^\s<>()\[\]|.,;:!?'\"*_`]", re.I)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


_TICKS = re.compile(r"`+")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^\s<>]*)>", re.I)
_INTERESTING = re.compile(r"[\\`\[!<]")


_BRACKET_CHARS = re.compile(r"[\\`\[\]]")
_PAREN_CHARS = re.compile(r"[\\()\n ]")


def _close_bracket(s: str, i: int) -> int:
    """Index of the `]` closing the `[` at i (nesting and backslash escapes respected), or -1."""
    depth = 0
    j = i
    while True:
        m = _BRACKET_CHARS.search(s, j)
        if m is None:
            return -1
        j = m.start()
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "`":  # a code span inside link text: skip it whole
            k = s.find("`", j + 1)
            if k < 0:
                return -1
            j = k + 1
            continue
        if c == "[":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return j
        j += 1


def _close_paren(s: str, i: int) -> int:
    """Index of the `)` closing the link destination opened at i (balanced parentheses), or -1."""
    depth = 0
    j = i
    while True:
        m = _PAREN_CHARS.search(s, j)
        if m is None:
            return -1
        j = m.start()
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j
        elif c == "\n" or (c == " " and depth == 1 and not _title_follows(s, j)):
            return -1
        j += 1


def _title_follows(s: str, j: int) -> bool:
    rest = s[j:].lstrip(" ")
    return rest[:1] in ('"', "'", "(", ")")


def _destination(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith("<") and ">" in raw:
        return raw[1 : raw.index(">")]
    return raw.split(" ", 1)[0] if " " in raw else raw


def scan_inline(s: str) -> list[Span]:
    """The inline constructs of one line (see `_scan_inline`); a fresh list each call."""
    return list(_scan_inline(s))


@functools.lru_cache(maxsize=16384)
def _scan_inline(s: str) -> tuple[Span, ...]:
    """The links, images, autolinks, code spans and HTML tags of one line of Markdown, in order.

    Nested constructs are reported once, outermost: `[![Star](badge)](url)` is one link whose
    text holds an image. Escaped brackets (`\\[`) open nothing."""
    spans: list[Span] = []
    if "[" not in s and "`" not in s and "<" not in s and "http" not in s and "www." not in s:
        return ()
    n = len(s)
    i = 0
    taken: list[tuple[int, int]] = []
    while i < n:
        m0 = _INTERESTING.search(s, i)
        if m0 is None:
            break
        i = m0.start()
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            m = _TICKS.match(s, i)
            assert m is not None
            ticks = m.group(0)
            k = s.find(ticks, i + len(ticks))
            while k >= 0 and s[k + len(ticks) : k + len(ticks) + 1] == "`":
                k = s.find(ticks, k + len(ticks) + 1)
            if k < 0:
                i += len(ticks)
                continue
            spans.append(Span("code", i, k + len(ticks), s[i + len(ticks) : k].strip()))
            taken.append((i, k + len(ticks)))
            i = k + len(ticks)
            continue
        if c == "[" or (c == "!" and s[i + 1 : i + 2] == "["):
            image = c == "!"
            b = i + 1 if image else i
            close = _close_bracket(s, b)
            if close > 0 and s[close + 1 : close + 2] == "(":
                end = _close_paren(s, close + 1)
                if end > 0:
                    url = _destination(s[close + 2 : end])
                    spans.append(Span("image" if image else "link", i, end + 1, s[b + 1 : close], url))
                    taken.append((i, end + 1))
                    i = end + 1
                    continue
            i += 2 if image else 1
            continue
        if c == "<":
            m = _AUTOLINK.match(s, i)
            if m:
                spans.append(Span("autolink", i, m.end(), m[1], m[1]))
                taken.append((i, m.end()))
                i = m.end()
                continue
            m = _HTML_TAG.match(s, i)
            if m:
                tag = m.group(0)
                href = _HREF.search(tag) if tag[:2].lower() == "<a" else None
                src = _SRC.search(tag) if tag[:4].lower() == "<img" else None
                url = ""
                if href:
                    url = next(g for g in href.groups() if g is not None)
                elif src:
                    url = next(g for g in src.groups() if g is not None)
                spans.append(Span("html", i, m.end(), tag, url))
                taken.append((i, m.end()))
                i = m.end()
                continue
        i += 1
    if "http" in s or "www." in s:
        for m in _BARE_URL.finditer(s):
            if not any(a <= m.start() < b for a, b in taken):
                spans.append(Span("autolink", m.start(), m.end(), m.group(0), m.group(0)))
        spans.sort(key=lambda sp: sp.start)
    return tuple(spans)


# -- link kinds, arXiv ids and DOIs -------------------------------------------------------------------

_ARXIV_URL = re.compile(
    r"^(?:https?://)?(?:[a-z0-9-]+\.)*(?:arxiv\.org|ar5iv\.org|ar5iv\.labs\.arxiv\.org|alphaxiv\.org)"
    r"/(?:abs|pdf|html|format|ps|papers?|overview)/(.+)$",
    re.I,
)
_HF_PAPER = re.compile(r"^(?:https?://)?(?:www\.)?huggingface\.co/papers/(\d{4}\.\d{4,5})", re.I)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>\])|]+)", re.I)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
_ACL_ID = re.compile(
    r"(?:aclanthology\.org|aclweb\.org/anthology)/(?:[^\s]*/)?"
    r"(\d{4}\.[a-z0-9]+(?:-[a-z0-9]+)*\.\d+|[A-Z]\d{2}-\d{4})(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$",
    re.I,
)
_OPENREVIEW = re.compile(r"openreview\.net/(?:forum|pdf|attachment)\?(?:.*&)?id=([A-Za-z0-9_-]+)", re.I)
_GITHUB = re.compile(r"^(?:https?://)?(?:www\.)?github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)", re.I)

_PAPER_HOSTS = re.compile(
    r"(?:^|\.)(?:ieeexplore\.ieee\.org|dl\.acm\.org|link\.springer\.com|sciencedirect\.com|nature\.com|science\.org"
    r"|proceedings\.neurips\.cc|papers\.nips\.cc|nips\.cc|neurips\.cc|openaccess\.thecvf\.com|ecva\.net"
    r"|proceedings\.mlr\.press|jmlr\.org|aaai\.org|ojs\.aaai\.org|ijcai\.org|isca-archive\.org|isca-speech\.org"
    r"|semanticscholar\.org|researchgate\.net|papers\.ssrn\.com|ssrn\.com|mdpi\.com|tandfonline\.com"
    r"|onlinelibrary\.wiley\.com|academic\.oup\.com|journals\.plos\.org|pnas\.org|biorxiv\.org|medrxiv\.org"
    r"|archives\.ismir\.net|ismir\.net|program\.ismir\d*\.net|ismir\d*program\.ismir\.net|icml\.cc|iclr\.cc|hal\.science|hal\.archives-ouvertes\.fr|dblp\.org"
    r"|paperswithcode\.com|scholar\.google\.com|pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov|frontiersin\.org"
    r"|iopscience\.iop\.org|cambridge\.org|jstor\.org|osf\.io|computer\.org|csdl\.computer\.org|usenix\.org"
    r"|ndss-symposium\.org|openaccess\.thecvf\.com|bmvc\d*\.org|sigir\.org|kdd\.org|thewebconf\.org)$",
    re.I,
)
_BLOG_HOSTS = re.compile(
    r"(?:^|\.)(?:medium\.com|substack\.com|notion\.site|notion\.so|wordpress\.com|blogspot\.com|zhihu\.com"
    r"|mp\.weixin\.qq\.com|weixin\.qq\.com|csdn\.net|reddit\.com|linkedin\.com|towardsdatascience\.com"
    r"|lesswrong\.com|alignmentforum\.org|interconnects\.ai|latent\.space|mirror\.xyz|hashnode\.dev|dev\.to)$",
    re.I,
)
_SOCIAL_HOSTS = re.compile(
    r"(?:^|\.)(?:x\.com|twitter\.com|twitter-thread\.com|threads\.net|bsky\.app|weibo\.com)$", re.I
)
_VIDEO_HOSTS = re.compile(
    r"(?:^|\.)(?:youtube\.com|youtu\.be|bilibili\.com|vimeo\.com|slideslive\.com|videolectures\.net)$", re.I
)
_DATASET_HOSTS = re.compile(r"(?:^|\.)(?:zenodo\.org|kaggle\.com|figshare\.com|dataverse\.\w+|physionet\.org)$", re.I)
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//([^/?#:]+)", re.I)

LINK_WORDS = frozenset(
    _words(
        "paper papers pdf arxiv abs code codes github gitlab project page homepage home website site demo "
        "demos video videos slides slide poster blog post link here source repo repository model models "
        "dataset datasets data download huggingface hf hugging face openreview acl anthology doi bib "
        "bibtex citation cite star stars tweet twitter x leaderboard benchmark colab notebook docs "
        "documentation api online weights checkpoint checkpoints space spaces zhihu medium talk website "
        "github.io report tech technical full supplementary appendix ieee acm springer semantic scholar "
        "publication proceedings preprint google drive baidu baidupan dropbox codalab figshare kaggle "
    )
)


def host(url: str) -> str:
    m = _HOST.match(url if "//" in url[:12] else "//" + url)
    return m[1].lower().removeprefix("www.") if m else ""


def arxiv_id_from_url(url: str) -> str:
    """The base arXiv id a URL points at (abs/pdf/html pages in any form, ar5iv, alphaXiv,
    huggingface.co/papers, 10.48550/arXiv DOIs), or ""."""
    u = url.strip()
    if m := _ARXIV_URL.match(u):
        try:
            return parse_arxiv_id(m[1].split("?")[0].split("#")[0])[0]
        except ValueError:
            return ""
    if m := _HF_PAPER.match(u):
        return m[1]
    if "10.48550" in u:
        d = doi_from_url(u, arxiv=True)
        if m2 := _ARXIV_DOI.match(d):
            try:
                return parse_arxiv_id(m2[1])[0]
            except ValueError:
                return ""
    return ""


def normalise_doi(doi: str) -> str:
    """`10.xxxx/...` lower-cased, without a trailing `.pdf`, slash or punctuation."""
    d = doi.strip().lower().rstrip(".,;/")
    d = re.sub(r"\.pdf$", "", d)
    return d


def doi_from_url(url: str, *, arxiv: bool = False) -> str:
    """The DOI a URL names (doi.org links, publisher URLs carrying one, ACL Anthology ids, which
    imply their 10.18653/v1/ DOI), normalised; arXiv's own 10.48550 DOIs only when `arxiv`."""
    if m := _ACL_ID.search(url):
        return "10.18653/v1/" + m[1].lower()
    m = _DOI.search(url)
    if not m:
        return ""
    d = normalise_doi(m[1])
    d = re.sub(r"/(?:full|abstract|pdf|epdf|html)$", "", d)
    if _ARXIV_DOI.match(d) and not arxiv:
        return ""
    return d


def link_kind(url: str, text: str = "") -> str:
    """What a link points at, from its URL (and, for a PDF or a code host, its text)."""
    u = url.strip()
    if not u:
        return "other"
    if u.startswith("#"):
        return "anchor"
    if arxiv_id_from_url(u):
        return "arxiv"
    h = host(u)
    low = u.lower()
    if h in ("aclanthology.org", "aclweb.org") or "aclweb.org/anthology" in low:
        return "acl"
    if h == "openreview.net":
        return "openreview"
    if h in ("doi.org", "dx.doi.org") or low.startswith("doi:"):
        return "doi"
    if h == "huggingface.co":
        return "dataset" if "/datasets/" in low else "huggingface"
    if _DATASET_HOSTS.search(h):
        return "dataset"
    path = low.split("?")[0].split("#")[0]
    if path.endswith(".pdf") or "/pdf/" in path or path.endswith("/pdf"):
        return "pdf"
    if h == "github.com":
        return "github"
    if h == "gitlab.com":
        return "gitlab"
    if _PAPER_HOSTS.search(h):
        return "paper"
    if _SOCIAL_HOSTS.search(h):
        return "social"
    if _VIDEO_HOSTS.search(h):
        return "video"
    if _BLOG_HOSTS.search(h) or "/blog" in path or "/posts/" in path or "/news/" in path or h.startswith("blog."):
        return "blog"
    if h.endswith(".github.io") or h.endswith(".gitlab.io") or h.endswith(".netlify.app") or h.endswith(".vercel.app"):
        return "project"
    if h.endswith("modelscope.cn"):
        return "huggingface"
    return "other"


def make_link(url: str, text: str) -> Link:
    kind = link_kind(url, text)
    return Link(kind, url, text, arxiv_id_from_url(url) if kind == "arxiv" else "")


_LW = re.compile(r"[a-z0-9.]+")
_LW_NUM = re.compile(r"(?:19|20)\d\d|'?\d\d|v\d+")


def is_link_word(text: str) -> bool:
    """'Paper', '[PDF]', 'Code', 'arXiv 2025', 'Github' ...: the text of a link that names the
    kind of the target, not the paper."""
    words = _LW.findall(text.lower())
    if not words:
        return True
    return all(w in LINK_WORDS or _LW_NUM.fullmatch(w) for w in words)


def badge_label(src: str, alt: str) -> str:
    """The label of a shields.io-style badge (`LLM`, `NeurIPS'23`), else the image's alt text."""
    m = re.search(r"img\.shields\.io/badge/([^/?]+?)-[0-9a-fA-F]{3,8}(?:[?.]|$)", src)
    if m:
        label = m[1].replace("__", "\x00").replace("_", " ").replace("\x00", "_").replace("--", "-")
        return re.sub(r"%([0-9A-Fa-f]{2})", lambda x: chr(int(x[1], 16)), label)
    return alt


# -- reading text as a reader sees it -----------------------------------------------------------------

_EMPH = re.compile(r"(\*\*|__|(?<![\w\\])\*(?=\S)|(?<=\S)\*(?![\w])|(?<![\w\\])_(?=\S)|(?<=\S)_(?![\w]))")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_SYMBOLS_START = re.compile(r"^[\W_]+", re.U)
_SHORTCODE = re.compile(r":[a-z0-9_+-]{2,30}:")


def _strip_symbols(text: str) -> str:
    """Leading emoji and pictographs (📢, 🌟, :fire:) removed; letters, digits and quotes kept."""
    out = text.lstrip()
    while out:
        ch = out[0]
        if ch.isalnum() or ch in "[(*_`<!\\\"'#|":
            break
        if ch == ":" and (m := _SHORTCODE.match(out)):
            out = out[m.end() :].lstrip()
            continue
        if unicodedata.category(ch) in ("So", "Sk", "Cf", "Mn", "Co") or ch in "\ufe0f\u200d\u20e3":
            out = out[1:].lstrip()
            continue
        break
    return out


def plain_text(md: str, *, images: bool = False) -> str:
    """Markdown as a reader sees it (see `_plain_text`)."""
    if not md:
        return ""
    if _PLAIN_SPECIAL.search(md) is None:
        return " ".join(md.split())
    return _plain_text(md, images)


_PLAIN_SPECIAL = re.compile(r"[\[\]`<*_\\&!]|https?:|www\.")


@functools.lru_cache(maxsize=8192)
def _plain_text(md: str, images: bool = False) -> str:
    """Markdown as a reader sees it: link text kept and targets dropped, images dropped (or their
    alt text, `images`), code spans' content kept, emphasis and HTML tags removed, escapes and
    entities resolved, whitespace squashed."""
    if not md:
        return ""
    spans = scan_inline(md)
    if spans:
        parts: list[str] = []
        i = 0
        for sp in spans:
            if sp.start < i:
                continue
            parts.append(md[i : sp.start])
            if sp.kind == "link":
                parts.append(" " + plain_text(sp.text, images=images) + " ")
            elif sp.kind == "image":
                parts.append(" " + (sp.text if images else "") + " ")
            elif sp.kind == "code":
                parts.append(sp.text.replace("*", "\x01").replace("_", "\x02"))
            elif sp.kind == "autolink":
                parts.append(sp.text)
            elif sp.kind == "html":
                parts.append(" ")
            i = sp.end
        parts.append(md[i:])
        md = "".join(parts)
    text = _EMPH.sub("", md) if ("*" in md or "_" in md) else md
    text = _ESCAPE.sub(r"\1", text) if "\\" in text else text
    text = html.unescape(text) if "&" in text else text
    text = text.replace("\x01", "*").replace("\x02", "_")
    return " ".join(text.split())


# -- dates, venues, authors -------------------------------------------------------------------------

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        )
    )
    for m in names.split()
}
_DATE_YMD = re.compile(r"(?<![\d.])((?:19|20)\d\d)([/.\-])(\d{1,2})(?:\2(\d{1,2}))?(?![\d])")
_DATE_MY = re.compile(r"(?<![\w])([A-Z][a-z]{2,8})\.?,? ((?:19|20)\d\d)(?!\d)")
_YEAR = re.compile(r"(?<![\d.\w])((?:19|20)\d\d)(?![\d\w])")


@dataclass(frozen=True, slots=True)
class DateField:
    text: str  # as written
    year: int
    month: int = 0
    day: int = 0
    fmt: str = "%Y"  # strftime form of `text` (zero-padding as written: %m vs %-m)

    def key(self) -> tuple[int, int, int]:
        return (self.year, self.month, self.day)


def _pad(part: str, code: str) -> str:
    return f"%{code}" if len(part) == 2 else f"%-{code}"


@functools.lru_cache(maxsize=8192)
def parse_date(text: str) -> DateField | None:
    """A date written like 2025/10, 2025-10-15, 2026.05.27, Oct 2024 or a bare year."""
    t = text.strip().strip("[]()*_ ").strip()
    if m := _DATE_YMD.fullmatch(t):
        month = int(m[3])
        day = int(m[4]) if m[4] else 0
        if not 1 <= month <= 12 or (m[4] and not 1 <= day <= 31):
            return None
        sep = m[2]
        fmt = f"%Y{sep}{_pad(m[3], 'm')}" + (f"{sep}{_pad(m[4], 'd')}" if m[4] else "")
        return DateField(text, int(m[1]), month, day, fmt)
    if m := _DATE_MY.fullmatch(t):
        month = _MONTHS.get(m[1].lower(), 0)
        if month:
            fmt = (
                ("%B" if len(m[1]) > 3 and m[1].lower() != "sept" else "%b") + t[len(m[1]) : -4].replace("%", "") + "%Y"
            )
            return DateField(text, int(m[2]), month, 0, fmt)
    if m := _YEAR.fullmatch(t):
        return DateField(text, int(m[1]), 0, 0, "%Y")
    return None


def format_date(fmt: str, when: date, *, day_known: bool = True) -> str:
    """`when` written in a list's date form (`%Y/%m`, `%Y-%m-%d`, `%b %Y`...). Without a known
    day, a form that writes one loses its day part."""
    if not day_known and ("%d" in fmt or "%-d" in fmt):
        fmt = re.sub(r"[/.\-]?%-?d", "", fmt)
    out: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            pad = True
            if code == "-" and i + 2 < len(fmt):
                pad, code = False, fmt[i + 2]
                i += 1
            if code == "Y":
                out.append(f"{when.year:04d}")
            elif code == "y":
                out.append(f"{when.year % 100:02d}")
            elif code == "m":
                out.append(f"{when.month:02d}" if pad else str(when.month))
            elif code == "d":
                out.append(f"{when.day:02d}" if pad else str(when.day))
            elif code == "b":
                out.append(when.strftime("%b"))
            elif code == "B":
                out.append(when.strftime("%B"))
            else:
                out.append("%" + code)
            i += 2
            continue
        out.append(fmt[i])
        i += 1
    return "".join(out)


VENUE_NAMES = _words(
    "ACL EMNLP NAACL EACL AACL COLING LREC LREC-COLING TACL CoNLL SemEval IJCNLP INLG SIGDIAL ICLR "
    "ICML NeurIPS NIPS AAAI IJCAI KDD SIGKDD WWW TheWebConf SIGIR CIKM WSDM RecSys ICDE VLDB SIGMOD "
    "ICASSP Interspeech INTERSPEECH SLT ASRU TASLP TASLPRO TASL ISMIR ICME MM ACMMM CVPR ICCV ECCV "
    "WACV BMVC TPAMI TIP TMM TMLR JMLR COLM CoRL RSS ICRA IROS UAI AISTATS ACML ECAI ECIR TOIS TKDE "
    "TNNLS KBS EUSIPCO APSIPA WASPAA ICMR SIGGRAPH NLPCC CCL ISWC ESWC ICONIP ICANN ICDM SDM PAKDD "
    "DASFAA IEEE ACM Nature Science PNAS JASA SPL ICSE FSE ASE ISSTA USENIX NDSS CCS S&P Oakland "
    "EuroS&P CSCW CHI UIST IUI ICWSM MICCAI CLEF Findings NeurIPSW ICMLW ICLRW SSW SSW13 Odyssey "
    "ACM-MM ISCSLP IWSLT ICPR ICIP IJCNN ICLR-W WMT NAACL-HLT EMNLP-IJCNLP TALLIP TOMM TCSVT "
)
PREPRINT_MARKERS = ("arxiv", "preprint", "corr", "arxiv preprint", "biorxiv", "medrxiv", "ssrn", "techrxiv")
_VENUE_WORD = "|".join(sorted((re.escape(v) for v in VENUE_NAMES), key=len, reverse=True))
_VENUE = re.compile(
    rf"(?:(?:Workshop|Findings)\s*(?:@|of|at)\s*)?(?:{_VENUE_WORD}|arXiv|ArXiv|Arxiv|ARXIV|Preprint|preprint|CoRR)"
    r"(?:[\s'’-]*(?:(?:19|20)?\d\d))?(?:\s*\(?(?:Findings|Main|Oral|Spotlight|Poster|Workshop|Demo|Short|Long|"
    r"Industry|Best Paper)\)?)*(?:\s*(?:(?:19|20)\d\d))?",
)


@functools.lru_cache(maxsize=8192)
def parse_venue(text: str) -> str:
    """The venue a tag or cell names (`ICLR 2024`, `EMNLP 2024 (Findings)`, `Arxiv`,
    `Workshop@NeuRIPS 2020`), cleaned of its brackets and emphasis; "" when it names none."""
    t = plain_text(text).strip().strip("[](){}.,;:").strip()
    if not t or len(t) > 60:
        return ""
    if _VENUE.fullmatch(t):
        return t
    # An unknown acronym with a year: "LHB 2024", "KBS 2025", "AIxSET 2024", "NeurIPS'23".
    if re.fullmatch(r"[A-Z][A-Za-z&@.-]{1,15}(?:\s?(?:Workshop|Findings|Demo))?[\s'’-]*(?:(?:19|20)\d\d|\d\d)", t):
        return t
    return ""


def is_preprint(venue: str) -> bool:
    v = re.sub(r"[\s'’-]*(?:19|20)?\d\d$", "", venue.strip().lower()).strip()
    return v in PREPRINT_MARKERS


_DIGIT = re.compile(r"[1-9]")
_NAME_SPLIT = re.compile(r",|;|\band\b|&|\s·\s")
_LOWER_WORD = re.compile(
    r"(?<![\w'’-])(?!(?:de|da|di|del|della|van|von|der|den|du|le|la|los|las|dos|das|bin|al|el|ibn|and|et|al|others|etc|team)\b)"
    r"[a-z]{3,}\b"
)
_NAME_PARTICLES = frozenset(
    _words("de da di del della van von der den du le la los las dos das bin al el ibn st st. y ")
)
_ETAL = re.compile(r"\s*,?\s*(?:et\.?\s*al\.?|and others|others|etc\.?)\s*$", re.I)


_NAME_WORD = (
    r"(?:[^\W\d_a-z][^\s]*|[(\-'’][^\s]*|[^\w\s][^\s]*"
    r"|(?:de|da|di|del|della|van|von|der|den|du|le|la|los|las|dos|das|bin|al|el|ibn|st\.?|y)\b)"
)
_NAME_PART = re.compile(rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,5}}")
_ETAL_HINT = re.compile(r"al\.?$|others$|etc\.?$", re.I)
_TEAM_WORDS = frozenset(("team", "ai", "lab", "labs", "inc", "research"))


@functools.lru_cache(maxsize=8192)
def looks_like_authors(text: str) -> bool:
    """A list of people's names (`A. Smith, B. Jones and C. Li`, `Smith et al.`, `A, ..., B`)
    or a team ("Qwen Team"), not a title, a venue or a sentence."""
    t = plain_text(text).strip().rstrip(".").strip()
    if not t or len(t) > 3000 or _LOWER_WORD.search(t) or _DIGIT.search(t, 0, 200):
        return False  # a sentence, a title or a venue, not names
    etal = False
    if _ETAL_HINT.search(t[-12:]):
        etal = bool(_ETAL.search(t[-24:]))
        if etal:
            t = _ETAL.sub("", t)
    if " and " in t and "," in t:
        chunks = [c.strip() for c in t.split(" and ")]
        if len(chunks) >= 2 and all(c.count(",") == 1 for c in chunks):
            # BibTeX order: "Latif, Siddique and Cuayahuitl, Heriberto and ..."
            return all(_NAME_PART.fullmatch(x.strip().replace(".", ". ").strip()) for c in chunks for x in c.split(","))
    parts = [p.strip() for p in _NAME_SPLIT.split(t)]
    parts = [p for p in parts if p and p not in ("...", "…")]
    if not parts:
        return etal
    good = 0
    for p in parts:
        q = p.replace(".", ". ").strip()
        if not _NAME_PART.fullmatch(q):
            return False
        if " " in q or etal:
            good += 1
    if len(parts) == 1:
        words = parts[0].split()
        return etal or (2 <= len(words) <= 4 and any(w.lower() in _TEAM_WORDS for w in words))
    return good * 2 >= len(parts)


def surname(name: str) -> str:
    """The family name of `name` as lists cite it ("Ji" for "Shengpeng Ji"; "Latif" for "Latif, Siddique")."""
    n = plain_text(name).strip()
    if "," in n:
        return n.split(",", 1)[0].strip()
    words = [w for w in n.split() if w]
    return words[-1] if words else ""


def ascii_key(text: str) -> str:
    """Lower-case ASCII letters of `text` ("Défossez" -> "defossez"), for citekeys."""
    t = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in t if ch.isascii() and ch.isalpha()).lower()


def ids_in(text: str, links: tuple[Link, ...] = ()) -> set[str]:
    """Every arXiv id named in `text` (as `find_arxiv_ids` reads text) or by its links."""
    ids = find_arxiv_ids(text)
    ids.update(link.arxiv_id for link in links if link.arxiv_id)
    return ids


def dois_in(links: tuple[Link, ...]) -> set[str]:
    out: set[str] = set()
    for link in links:
        if link.kind in ("doi", "acl", "paper", "pdf", "other"):
            d = doi_from_url(link.url)
            if d:
                out.add(d)
    return out


# -- one entry's fields ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fields:
    """What one entry says about its paper, as written."""

    title: str = ""
    title_link: Link | None = None  # the link whose text is the title, if the title is a link
    links: tuple[Link, ...] = ()
    venue: str = ""
    date: DateField | None = None
    authors: str = ""
    tags: tuple[str, ...] = ()  # leading tags and badge labels, as read
    prose_words: int = 0  # words of free text beyond title, authors, venue, date and links
    bare: bool = False  # the entry has no link at all
    title_span: tuple[int, int] | None = None  # where the title's words are, in head + "\n" + tail


_SEPARATORS = re.compile(r"\s*<br\s*/?>\s*|\s+[|·•]\s+")
_LABEL = re.compile(r"^(?:paper|title|new|papers?|link)\s*:\s*", re.I)
_HF_PREFIX = re.compile(r"^paper page\s*[-–:]\s*", re.I)
_TRAILING_TAG = re.compile(r"\s*(?:\[([^\[\]]{1,60})\]|\(([^()]{1,60})\))\s*[.,;:]?\s*$")


def _mask(text: str, spans: list[Span]) -> str:
    """`text` with every span's characters replaced by \\x00 (so `**` inside a URL is not bold)."""
    if not spans:
        return text
    out: list[str] = []
    i = 0
    for sp in spans:
        if sp.start < i:
            continue
        out.append(text[i : sp.start])
        out.append("\x00" * (sp.end - sp.start))
        i = sp.end
    out.append(text[i:])
    return "".join(out)


_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)


def _bold_regions(masked: str) -> list[tuple[int, int, int, int]]:
    """(outer start, outer end, inner start, inner end) of `**...**` / `__...__` regions."""
    out = []
    for m in _BOLD.finditer(masked):
        out.append((m.start(), m.end(), m.start(2), m.end(2)))
    return out


def _is_tag(text: str) -> bool:
    t = plain_text(text).strip()
    return bool(t) and (parse_date(t) is not None or bool(parse_venue(t)) or len(t.split()) <= 3)


def _clean_title(source: str) -> str:
    t = plain_text(source)
    t = _HF_PREFIX.sub("", t)
    t = t.strip()
    while t and t[-1] in ".,;:" and not t.endswith("..."):
        t = t[:-1].rstrip()
    if t.startswith(("\u201c", '"')) and t.endswith(("\u201d", '"')) and len(t) > 2:
        t = t[1:-1].strip()
    return t


def _span_at(spans: list[Span], i: int) -> Span | None:
    return next((sp for sp in spans if sp.start == i), None)


def _link_of(sp: Span) -> Link:
    text = plain_text(sp.text)
    return make_link(sp.url, text)


def read_title(head: str) -> tuple[str, Link | None, list[str], int]:
    """(clean title, the title's link or None, leading tags, where the title ends in `head`)."""
    title, link, tags, end, _ = read_title_span(head)
    return title, link, tags, end


def _core(text: str, a: int, b: int) -> tuple[int, int]:
    """The part of text[a:b] a title's words occupy: without emphasis marks around it and the
    punctuation after it."""
    while a < b and text[a] in " \t*_":
        a += 1
    while b > a and text[b - 1] in " \t*_.,;:":
        b -= 1
    return a, b


def read_title_span(head: str) -> tuple[str, Link | None, list[str], int, tuple[int, int] | None]:
    """`read_title`, plus where in `head` the title's words are written.

    `head` is an entry's first line without its list marker. Leading decorations (emoji, badges,
    `[2025/10]` / `(ICLR 2024)` / `**[2026-05-17]**` tags, "Paper:" labels) are skipped; the title
    is then the bold text, the link text of the first link that is not a link word, or the plain
    text up to the first link, badge, tag or separator."""
    spans = scan_inline(head)
    masked = _mask(head, spans)
    bolds = _bold_regions(masked)
    tags: list[str] = []
    bracket: tuple[str, int, int] | None = None  # a "[Name]" that may be a title without a link
    n = len(head)
    i = 0
    while i < n:
        while i < n and head[i] in " \t":
            i += 1
        if i >= n:
            break
        sp = _span_at(spans, i)
        if sp is not None and sp.kind in ("image", "html"):
            if sp.kind == "image":
                tags.append(badge_label(sp.url, sp.text))
            i = sp.end
            continue
        if sp is not None and sp.kind == "link" and not plain_text(sp.text) and "![" in sp.text:
            i = sp.end  # a badge that links somewhere ([![Star](...)](repo))
            continue
        ch = head[i]
        if not ch.isalnum() and ch not in "[(*_`<!\\\"'":
            rest = head[i:]
            stripped = _strip_symbols(rest)
            if len(stripped) < len(rest):
                i = n - len(stripped)
                continue
        bold = next((b for b in bolds if b[0] == i), None)
        if bold is not None:
            inner = head[bold[2] : bold[3]]
            inner_plain = plain_text(inner)
            inner_spans = [s for s in spans if bold[2] <= s.start and s.end <= bold[3]]
            if (
                inner_plain
                and ((_is_tag(inner) and parse_date(inner_plain)) or parse_venue(inner_plain))
                and not (inner_spans and any(s.kind == "link" for s in inner_spans))
            ):
                tags.append(inner_plain)
                i = bold[1]
                continue
            links = [s for s in inner_spans if s.kind == "link"]
            if len(links) == 1 and not plain_text(masked[bold[2] : bold[3]].replace("\x00", "")).strip("*_ ."):
                link = _link_of(links[0])
                if not is_link_word(link.text):
                    a = links[0].start + 1
                    return _clean_title(links[0].text), link, tags, bold[1], _core(head, a, a + len(links[0].text))
            title = _clean_title(inner)
            if title and not is_link_word(title):
                return title, None, tags, bold[1], _core(head, bold[2], bold[3])
            i = bold[1]
            continue
        if head[i] == "[" and sp is None:
            close = _close_bracket(head, i)
            if close > 0 and close - i <= 62:
                inner_text = plain_text(head[i + 1 : close])
                if bracket is None and not parse_date(inner_text) and not parse_venue(inner_text):
                    bracket = (inner_text, i + 1, close)
                tags.append(inner_text)
                i = close + 1
                continue
        if head[i] in "(\uff08" and sp is None:  # "(ICLR 2024)", also in full-width brackets
            close = head.find(")" if head[i] == "(" else "\uff09", i)
            if (
                close > 0
                and _is_tag(head[i + 1 : close])
                and (parse_venue(head[i + 1 : close]) or parse_date(head[i + 1 : close]))
            ):
                tags.append(plain_text(head[i + 1 : close]))
                i = close + 1
                continue
        if m := _LABEL.match(head, i):
            i = m.end()
            continue
        if sp is not None and sp.kind == "link":
            link = _link_of(sp)
            if (link.text and not is_link_word(link.text) and link.kind != "anchor") or (
                link.kind == "anchor" and link.text
            ):
                a = sp.start + 1
                return _clean_title(sp.text), link, tags, sp.end, _core(head, a, a + len(sp.text))
            i = sp.end
            continue
        if sp is not None:  # code span or autolink first: no title here
            i = sp.end
            continue
        # Plain text: up to the first link, image, code span, bold tag or separator.
        stop = n
        for s in spans:
            if s.start >= i:
                stop = s.start
                break
        seg = head[i:stop]
        m = _SEPARATORS.search(seg)
        if m and m.start() > 0:
            seg = seg[: m.start()]
        if stop < n:  # cut before a link or badge: drop the separator that led to it
            seg = re.sub(r"\s*(?:[-–—|/·•:,;]|\s)\s*$", "", seg)
        while True:
            t = _TRAILING_TAG.search(seg)
            if not t or t.start() == 0:
                break
            inner = t[1] or t[2] or ""
            if parse_venue(inner) or parse_date(inner):
                tags.append(plain_text(inner))
                seg = seg[: t.start()]
                continue
            break
        seg_end = i + len(seg)
        title = _clean_title(seg)
        if title and bracket is not None and seg.lstrip().startswith("("):
            # "[musicalspeech] (Transformer; ...)": the bracketed name is the title
            tags.remove(bracket[0])
            return bracket[0], None, tags, bracket[2] + 1, _core(head, bracket[1], bracket[2])
        if title:
            return title, None, tags, seg_end, _core(head, i, seg_end)
        i = max(stop, i + 1) if stop > i else i + 1
    if bracket is not None and not any(t for t in tags if t != bracket[0] and not parse_date(t) and not parse_venue(t)):
        tags.remove(bracket[0])
        return bracket[0], None, tags, bracket[2] + 1, _core(head, bracket[1], bracket[2])
    return "", None, tags, n, None


_GROUP = re.compile(
    r"\[([^\[\]]{1,80})\](?!\()|\(([^()]{1,80})\)|(?<![\w*])\*(?!\*)([^*]{2,2000}?)\*(?![\w*])"
    r"|(?<![\w_])_(?!_)([^_]{2,2000}?)_(?![\w_])|\*\*(.{2,2000}?)\*\*"
)


def _atoms(text: str) -> tuple[list[str], str]:
    """Candidate field values of an entry's text after its title: bracketed and parenthesised
    groups, emphasised runs, and the pieces between separators (line breaks, `<br>`, `|`, the end
    of a sentence); a piece also yields its comma-separated parts."""
    spans = [sp for line in [text] for sp in scan_inline(line) if sp.kind in ("link", "image", "autolink", "html")]
    residual = text
    for sp in sorted(spans, key=lambda x: -x.start):
        residual = residual[: sp.start] + "\x1f" + residual[sp.end :]
    atoms: list[str] = []
    for m in _GROUP.finditer(residual):
        g = next(x for x in m.groups() if x is not None)
        if g.strip("\x1f \t"):
            atoms.append(g)
    flat = _GROUP.sub(lambda m: "\x1f" + next(x for x in m.groups() if x is not None) + "\x1f", residual)
    for piece in _PIECES.split(flat):
        p = piece.strip(" \t*_.,;:[]()")
        if p:
            atoms.append(p)
            if 0 < p.count(",") <= 3:
                atoms.extend(x.strip(" .") for x in p.split(",") if x.strip(" ."))
    return atoms, flat


_WORDY = re.compile(r"\S*[A-Za-z]{2,}\S*")
_LINK_RE = re.compile(r"\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\([^)]*\)")
_PIECES = re.compile(r"\x1f|<br\s*/?>|\n|\s[|\u00b7\u2022/]\s|(?<=[a-z\])]{2})\.(?=\s|$)")
_FIELD_LINE = re.compile(
    r"^\s*\*\*(?!(?:authors?|by|venue|published|year|date)\b)[^*\n]{1,40}:\s*\*\*:?.*$", re.M | re.I
)
_MARKERS = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+", re.M)


def read_fields(head: str, tail: str = "") -> Fields:
    """The fields of an entry whose first line (without its list marker) is `head` and whose
    continuation lines are `tail`."""
    if tail and "**" in head and _mask(head, scan_inline(head)).count("**") % 2:
        # a bold title wrapped onto the next line ("**Title that goes on\n  and ends**, ...")
        first, _, rest_tail = tail.partition("\n")
        head, tail = head + "\n" + first, rest_tail
    title, title_link, tags, title_end, span = read_title_span(head)
    if not title and tail:
        offset = len(head) + 1
        for line in tail.split("\n"):
            m = re.match(r"^\s*(?:(?:[-*+]|\d{1,9}[.)])\s+)?", line)
            skip = m.end() if m else 0
            t2, l2, tags2, _, sp2 = read_title_span(line[skip:])
            if t2:
                title, title_link = t2, l2
                tags = tags + tags2
                span = (offset + skip + sp2[0], offset + skip + sp2[1]) if sp2 else None
                break
            offset += len(line) + 1
    full = head + ("\n" + tail if tail else "")
    links: list[Link] = []
    badges: list[str] = []
    for line in full.split("\n"):
        for sp in scan_inline(line):
            if sp.kind in ("link", "autolink"):
                links.append(_link_of(sp) if sp.kind == "link" else make_link(sp.url, ""))
                if sp.kind == "link" and "![" in sp.text:
                    for inner in scan_inline(sp.text):
                        if inner.kind == "image":
                            badges.append(badge_label(inner.url, inner.text))
            elif sp.kind == "image":
                badges.append(badge_label(sp.url, sp.text))
            elif sp.kind == "html" and sp.url and sp.text[:2].lower() == "<a":
                links.append(make_link(sp.url, ""))
    venue = ""
    when: DateField | None = None
    authors = ""
    for tag in tags:
        if not when and (d := parse_date(tag)):
            when = d
        elif not venue and (v := parse_venue(tag)):
            venue = v
    rest = head[title_end:] + ("\n" + _MARKERS.sub("", tail) if tail else "")
    # "**Metrics:** ..." field lines (of a paper heading) are not the paper's authors or venue
    rest = _FIELD_LINE.sub("", rest) if "**" in rest else rest
    rest_plain_words = 0
    atoms, flat = _atoms(rest)
    for atom in atoms:
        plain = plain_text(atom)
        if not plain:
            continue
        if not venue and (v := parse_venue(plain)):
            venue = v
            continue
        if not when and (d := parse_date(plain)):
            when = d
            continue
        if (
            not authors
            and looks_like_authors(plain)
            and (len(plain.split(",")) >= 2 or " et al" in plain or "\n" in rest)
        ):
            authors = plain.rstrip(". ")
            continue
    for label in badges:
        if (not venue and (v := parse_venue(label)) and not is_preprint(v)) or (
            not venue and label and is_preprint(label)
        ):
            venue = parse_venue(label) or label
    covered = " ".join(x for x in (authors, venue, when.text if when else "") if x)
    words = _WORDY.findall(flat.replace("\x1f", " "))
    rest_plain_words = max(0, len(words) - len(covered.split()))
    return Fields(
        title=title,
        title_link=title_link,
        links=tuple(links),
        venue=venue,
        date=when,
        authors=authors,
        tags=tuple(t for t in tags + badges if t),
        prose_words=rest_plain_words,
        bare=not links,
        title_span=span,
    )
