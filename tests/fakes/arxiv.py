"""FakeArxiv: rss.arxiv.org feeds and the export.arxiv.org query API on loopback.

RSS (`GET /rss/<query>`; `/atom/<query>` serves the same registry): serves bytes the test registers
(`set_feed`, or one-shot `queue_feed` for "day 1, day 2"), with an `ETag` =
sha256 of the body (unquoted, like arxiv-feed) and 304 on a matching
`If-None-Match`. `rss_feed()` renders a feed in arxiv-feed's exact RSS 2.0
shape, `rss_error_feed()` the HTTP 400 "Feed error for query" body and
`html_error_page()` the HTML an outage returns.

API (`GET /api/query`): an Atom feed in the arXiv API format (opensearch
totals, `<id>http://arxiv.org/abs/<id>v<n></id>`, published/updated in UTC,
authors, categories, `arxiv:primary_category`, comment/journal_ref/doi, links)
built from registered papers. Supports `search_query` with `ti: abs: au: co:
jr: cat: id: all:` terms (words, trailing-`*` prefixes, `"phrases"` = consecutive
words, case and punctuation ignored), `submittedDate:[A TO B]` /
`lastUpdatedDate:[A TO B]` (inclusive, GMT, YYYYMMDD[HHMM[SS]]), `AND OR
ANDNOT` with parentheses (AND/ANDNOT bind tighter than OR); `id_list`
(intersected with the query); `start`, `max_results` (at most `page_cap`
entries per answer), `sortBy`, `sortOrder` (default descending). Errors as
arXiv gives them: a feed with one `Error` entry (`http://arxiv.org/api/errors#…`)
for a malformed query or id, HTTP 400 for `max_results` > 30000.

Extra fault kind: "empty_page" (200, totalResults as usual but no entries, as
arXiv does when throttling; on RSS paths: an empty-day channel).

Not modelled: relevance ranking (registration order), older versions of a paper
(one stored version each), `rn:` report numbers, OAI-PMH.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from .loopback import LoopbackServer, Request, Response, text_response

__all__ = ["ArxivPaper", "FakeArxiv", "html_error_page", "rss_error_feed", "rss_feed"]

ATOM_TYPE = "application/atom+xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"
_NEW_ID = re.compile(r"^(\d{2})(\d{2})\.(\d{4,5})(v\d+)?$")
_OLD_ID = re.compile(r"^[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7}(v\d+)?$")


@dataclass(frozen=True)
class ArxivPaper:
    """One paper at its current version. `categories[0]` is the primary one."""

    arxiv_id: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    submitted: datetime  # v1, UTC
    updated: datetime | None = None  # this version; None = submitted
    version: int = 1
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    announce_type: str = "new"  # used by rss_feed()

    @classmethod
    def of(cls, data: dict[str, Any] | ArxivPaper) -> ArxivPaper:
        """Build from a dict (keys as the fields; `arxiv_id` may carry "vN"; datetimes or ISO strings)."""
        if isinstance(data, ArxivPaper):
            return data
        d = dict(data)
        base = str(d.pop("arxiv_id"))
        versioned = re.fullmatch(r"(.+?)v(\d+)", base)
        if versioned:
            base = versioned[1]
            d.setdefault("version", int(versioned[2]))
        for key in ("submitted", "updated"):
            if isinstance(d.get(key), str):
                d[key] = datetime.fromisoformat(d[key].replace("Z", "+00:00"))
            if isinstance(d.get(key), datetime) and d[key].tzinfo is None:
                d[key] = d[key].replace(tzinfo=UTC)
        d["authors"] = tuple(d.get("authors", ()))
        d["categories"] = tuple(d.get("categories", ()))
        return cls(arxiv_id=base, **d)

    @property
    def last_updated(self) -> datetime:
        return self.updated or self.submitted


@dataclass
class _Feed:
    body: bytes
    content_type: str
    status: int
    etag: str | None
    headers: dict[str, str] = field(default_factory=dict)


class QueryError(ValueError):
    """A query arXiv would answer with an `Error` entry."""


class FakeArxiv(LoopbackServer):
    """Point the RSS URL at `fake.rss_url(query)` and the API at `fake.api_url`."""

    fault_kinds = (*LoopbackServer.fault_kinds, "empty_page")
    garbage_body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        b"<entry><title>Broken & unterminated"
    )
    garbage_content_type = ATOM_TYPE

    def __init__(self, *, page_cap: int = 2000):
        super().__init__()
        self.page_cap = page_cap
        self._papers: dict[str, ArxivPaper] = {}
        self._feeds: dict[str | None, _Feed] = {}
        self._queue: list[tuple[str | None, _Feed]] = []
        self.route("GET", r"/(rss|atom)/([^/?]+)", self._serve_feed)
        self.route("GET", r"/api/query", self._api_query)

    # -- test-control API --------------------------------------------------
    def rss_url(self, query: str) -> str:
        return f"{self.url}/rss/{query}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/query"

    def set_feed(
        self,
        body: bytes | str,
        content_type: str = RSS_TYPE,
        etag: str | None = None,
        *,
        query: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Serve `body` for `query` (None = any query) until replaced; etag None = sha256 of body."""
        with self.lock:
            self._feeds[query] = _feed(body, content_type, status, etag, headers)

    def queue_feed(
        self,
        body: bytes | str,
        content_type: str = RSS_TYPE,
        etag: str | None = None,
        *,
        query: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Serve `body` once, before anything set with `set_feed` (queued bodies go in order)."""
        with self.lock:
            self._queue.append((query, _feed(body, content_type, status, etag, headers)))

    def set_bad_category(self, query: str, message: str | None = None) -> None:
        """Answer `query` as arXiv answers an unknown category: HTTP 400 with an RSS error body."""
        self.set_feed(rss_error_feed(query, message), query=query, status=400)

    def set_unavailable(self, *, query: str | None = None, status: int = 503, retry_after: int | None = None) -> None:
        """Answer feeds with the HTML error page an outage returns."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.set_feed(html_error_page(status), "text/html; charset=utf-8", query=query, status=status, headers=headers)

    def add_paper(self, paper: dict[str, Any] | ArxivPaper | None = None, **fields: Any) -> ArxivPaper:
        """Register a paper for the API (a dict, an ArxivPaper, or keyword fields)."""
        p = ArxivPaper.of(paper if paper is not None else fields)
        with self.lock:
            self._papers[p.arxiv_id] = p
        return p

    def add_papers(self, papers: Iterable[dict[str, Any] | ArxivPaper]) -> list[ArxivPaper]:
        return [self.add_paper(p) for p in papers]

    @property
    def papers(self) -> list[ArxivPaper]:
        with self.lock:
            return list(self._papers.values())

    def api_calls(self) -> list[Request]:
        """Requests to /api/query (each has .query and .time for pacing checks)."""
        return self.requests_matching("GET", r"^/api/query$")

    # -- dialect -----------------------------------------------------------
    def default_error_body(self, status: int) -> Response:
        return text_response(html_error_page(status), status, "text/html; charset=utf-8")

    def not_found(self, req: Request) -> Response:
        return text_response(html_error_page(404), 404, "text/html; charset=utf-8")

    def fault_response(self, kind: str, req: Request) -> Response:
        assert kind == "empty_page"
        if req.path.startswith("/api/"):
            return self._api_query(req, empty=True)
        query = req.path.rsplit("/", 1)[-1]
        return text_response(rss_feed([], query=query), 200, RSS_TYPE)

    # -- RSS ---------------------------------------------------------------
    def _serve_feed(self, req: Request, fmt: str, query: str) -> Response:
        queued = next((i for i, (q, _) in enumerate(self._queue) if q in (None, query)), None)
        feed = self._queue.pop(queued)[1] if queued is not None else None
        feed = feed or self._feeds.get(query) or self._feeds.get(None)
        if feed is None:
            return text_response(f"FakeArxiv: no feed registered for {query!r}", 404)
        headers = {"Cache-Control": "max-age=3600", **feed.headers}
        if feed.etag:
            headers["ETag"] = feed.etag
            sent = [t.strip().removeprefix("W/").strip('"') for t in (req.header("if-none-match") or "").split(",")]
            if feed.status == 200 and feed.etag.strip('"') in sent:
                return Response(304, b"", headers)
        return Response(feed.status, feed.body, {"Content-Type": feed.content_type, **headers})

    # -- API ---------------------------------------------------------------
    def _api_query(self, req: Request, empty: bool = False) -> Response:
        q = req.query
        canonical = (
            f"search_query={q.get('search_query', '')}&id_list={q.get('id_list', '')}"
            f"&start={q.get('start', '0')}&max_results={q.get('max_results', '10')}"
        )
        try:
            start = _int_param(q, "start", 0)
            max_results = _int_param(q, "max_results", 10)
            if max_results > 30000:
                body = _api_error_feed(canonical, "max_results must be less than or equal to 30000")
                return Response(400, body, {"Content-Type": ATOM_TYPE})
            results = self._search(q.get("search_query", ""), q.get("id_list", ""))
            results = _sorted(
                results,
                q.get("sortBy", "relevance"),
                q.get("sortOrder", "descending"),
                keep_order=bool(q.get("id_list")) and not q.get("search_query"),
            )
        except QueryError as e:
            return Response(200, _api_error_feed(canonical, str(e)), {"Content-Type": ATOM_TYPE})
        per_page = min(max_results, self.page_cap)
        page = [] if empty else results[start : start + per_page]
        body = _api_feed(canonical, page, total=len(results), start=start, per_page=per_page)
        return Response(200, body, {"Content-Type": ATOM_TYPE})

    def _search(self, search_query: str, id_list: str) -> list[ArxivPaper]:
        papers = list(self._papers.values())
        if id_list:
            wanted = []
            for raw in (s.strip() for s in id_list.split(",") if s.strip()):
                if not _valid_id(raw):
                    raise QueryError(f"incorrect id format for {raw}")
                base = re.sub(r"v\d+$", "", raw)
                if base in self._papers and self._papers[base] not in wanted:
                    wanted.append(self._papers[base])
            papers = wanted
        if search_query.strip():
            predicate = _parse_query(search_query)
            papers = [p for p in papers if predicate(p)]
        elif not id_list:
            papers = []
        return papers


# -- query language --------------------------------------------------------------
_TOKEN = re.compile(
    r"""\s*(?:(?P<open>\()|(?P<close>\))|(?P<op>ANDNOT|AND|OR)(?=[\s()]|$)
                        |(?P<field>[A-Za-z]+):(?P<value>"[^"]*"|\[[^\]]*\]|[^\s()]+)
                        |(?P<bare>"[^"]*"|[^\s()]+))""",
    re.X,
)
_FIELDS = {"ti", "au", "abs", "co", "jr", "cat", "rn", "id", "all", "submitteddate", "lastupdateddate"}
Predicate = Callable[[ArxivPaper], bool]


def _parse_query(text: str) -> Predicate:
    tokens: list[tuple[str, str, str]] = []  # (kind, field, value)
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip():
                raise QueryError(f"malformed query near {text[pos:]!r}")
            break
        pos = m.end()
        if m["open"]:
            tokens.append(("(", "", ""))
        elif m["close"]:
            tokens.append((")", "", ""))
        elif m["op"]:
            tokens.append(("op", "", m["op"]))
        elif m["field"]:
            tokens.append(("term", m["field"].lower(), m["value"]))
        else:
            tokens.append(("term", "all", m["bare"]))
    tokens.append(("end", "", ""))
    i = 0

    def peek() -> tuple[str, str, str]:
        return tokens[i]

    def take() -> tuple[str, str, str]:
        nonlocal i
        i += 1
        return tokens[i - 1]

    def or_expr() -> Predicate:
        left = and_expr()
        while peek() == ("op", "", "OR"):
            take()
            left = (lambda a, b: lambda p: a(p) or b(p))(left, and_expr())
        return left

    def and_expr() -> Predicate:
        left = atom()
        while peek()[0] == "op" and peek()[2] in ("AND", "ANDNOT"):
            op = take()[2]
            right = atom()
            left = (
                (lambda a, b: lambda p: a(p) and b(p)) if op == "AND" else (lambda a, b: lambda p: a(p) and not b(p))
            )(left, right)
        return left

    def atom() -> Predicate:
        kind, fld, value = take()
        if kind == "(":
            inner = or_expr()
            if take()[0] != ")":
                raise QueryError("unbalanced parentheses in search_query")
            return inner
        if kind != "term":
            raise QueryError(f"unexpected {value or kind!r} in search_query")
        return _term(fld, value)

    predicate = or_expr()
    if peek()[0] != "end":
        raise QueryError(f"unexpected {peek()[2] or peek()[0]!r} in search_query")
    return predicate


def _term(fld: str, value: str) -> Predicate:
    if fld not in _FIELDS:
        raise QueryError(f"unknown field prefix {fld}:")
    if fld in ("submitteddate", "lastupdateddate"):
        lo, hi = _date_range(value)
        attr = "submitted" if fld == "submitteddate" else "last_updated"
        return lambda p: lo <= getattr(p, attr).astimezone(UTC).replace(tzinfo=None) <= hi
    if value.startswith("["):
        raise QueryError(f"range queries are only supported on dates, not {fld}:")
    if fld == "cat":
        want = value.strip('"').lower()
        if want.endswith("*"):
            return lambda p: any(c.lower().startswith(want[:-1]) for c in p.categories)
        return lambda p: want in (c.lower() for c in p.categories)
    if fld == "id":
        want = re.sub(r"v\d+$", "", value.strip('"'))
        return lambda p: p.arxiv_id == want
    words = _words(value)
    if not words:
        raise QueryError(f"empty search term for {fld}:")
    prefix = len(words) == 1 and value.endswith("*") and not value.startswith('"')

    def match(p: ArxivPaper) -> bool:
        hay = _words(_field_text(p, fld))
        if prefix:
            return any(h.startswith(words[0]) for h in hay)
        n = len(words)  # one word, or a phrase: consecutive words
        return any(hay[k : k + n] == words for k in range(len(hay) - n + 1))

    return match


def _field_text(p: ArxivPaper, fld: str) -> str:
    parts = {
        "ti": [p.title],
        "abs": [p.abstract],
        "au": list(p.authors),
        "co": [p.comment or ""],
        "jr": [p.journal_ref or ""],
        "rn": [],
    }
    if fld == "all":
        return " ".join(" ".join(v) for v in parts.values())
    return " ".join(parts[fld])


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.replace("_", " ").lower())


def _date_range(value: str) -> tuple[datetime, datetime]:
    m = re.fullmatch(r"\[\s*(\d{8}|\d{12}|\d{14})\s+TO\s+(\d{8}|\d{12}|\d{14})\s*\]", value)
    if not m:
        raise QueryError(f"malformed date range {value}")

    def bound(s: str, upper: bool) -> datetime:
        fmt = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}[len(s)]
        try:
            t = datetime.strptime(s, fmt)
        except ValueError:
            raise QueryError(f"malformed date {s}") from None
        if upper:  # inclusive up to the end of the given precision
            t += {8: timedelta(days=1), 12: timedelta(minutes=1), 14: timedelta(seconds=1)}[len(s)]
            t -= timedelta(microseconds=1)
        return t

    return bound(m[1], False), bound(m[2], True)


def _valid_id(raw: str) -> bool:
    m = _NEW_ID.match(raw)
    if m:
        yymm, digits = (int(m[1]), int(m[2])), len(m[3])
        if not 1 <= yymm[1] <= 12:
            return False
        return yymm >= (15, 1) if digits == 5 else (7, 4) <= yymm <= (14, 12)
    return bool(_OLD_ID.match(raw))


def _int_param(q: dict[str, str], name: str, default: int) -> int:
    raw = q.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{name} must be an integer") from None
    if value < 0:
        raise QueryError(f"{name} must be non-negative")
    return value


def _sorted(papers: list[ArxivPaper], sort_by: str, order: str, keep_order: bool) -> list[ArxivPaper]:
    if sort_by not in ("relevance", "lastUpdatedDate", "submittedDate"):
        raise QueryError(f"sortBy must be in: relevance, lastUpdatedDate, submittedDate, not {sort_by}")
    if order not in ("ascending", "descending"):
        raise QueryError(f"sortOrder must be in: ascending, descending, not {order}")
    if sort_by == "relevance" or keep_order:
        return papers
    key = (lambda p: p.submitted) if sort_by == "submittedDate" else (lambda p: p.last_updated)
    return sorted(papers, key=key, reverse=order == "descending")


# -- rendering ---------------------------------------------------------------------
def _utc(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _api_head(canonical: str, total: int, start: int, per_page: int) -> str:
    feed_id = hashlib.sha1(canonical.encode()).hexdigest()[:27]
    today = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00-05:00")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
        ' xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
        f"  <link href={quoteattr('http://arxiv.org/api/query?' + quote(canonical, safe=':'))}"
        ' rel="self" type="application/atom+xml"/>\n'
        f'  <title type="html">ArXiv Query: {escape(canonical)}</title>\n'
        f"  <id>http://arxiv.org/api/{feed_id}</id>\n"
        f"  <updated>{today}</updated>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>\n"
    )


def _api_entry(p: ArxivPaper) -> str:
    vid = f"{p.arxiv_id}v{p.version}"
    scheme = 'scheme="http://arxiv.org/schemas/atom"'
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{vid}</id>",
        f"    <published>{_utc(p.submitted)}</published>",
        f"    <updated>{_utc(p.last_updated)}</updated>",
        f"    <title>{escape(p.title)}</title>",
        f"    <summary>{escape(p.abstract)}</summary>",
        *(f"    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in p.authors),
    ]
    if p.comment:
        lines.append(f"    <arxiv:comment>{escape(p.comment)}</arxiv:comment>")
    if p.journal_ref:
        lines.append(f"    <arxiv:journal_ref>{escape(p.journal_ref)}</arxiv:journal_ref>")
    if p.doi:
        lines.append(f"    <arxiv:doi>{escape(p.doi)}</arxiv:doi>")
        lines.append(f'    <link title="doi" href="http://dx.doi.org/{escape(p.doi)}" rel="related"/>')
    lines += [
        f'    <link href="http://arxiv.org/abs/{vid}" rel="alternate" type="text/html"/>',
        f'    <link title="pdf" href="http://arxiv.org/pdf/{vid}" rel="related" type="application/pdf"/>',
    ]
    if p.categories:
        lines.append(f'    <arxiv:primary_category term="{escape(p.categories[0])}" {scheme}/>')
    lines += [f'    <category term="{escape(c)}" {scheme}/>' for c in p.categories]
    lines.append("  </entry>")
    return "\n".join(lines) + "\n"


def _api_feed(canonical: str, papers: list[ArxivPaper], *, total: int, start: int, per_page: int) -> bytes:
    body = _api_head(canonical, total, start, per_page) + "".join(_api_entry(p) for p in papers) + "</feed>\n"
    return body.encode()


def _api_error_feed(canonical: str, message: str) -> bytes:
    anchor = "http://arxiv.org/api/errors#" + re.sub(r"\s+", "_", message)
    today = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00-05:00")
    entry = (
        "  <entry>\n"
        f"    <id>{escape(anchor)}</id>\n"
        "    <title>Error</title>\n"
        f"    <summary>{escape(message)}</summary>\n"
        f"    <updated>{today}</updated>\n"
        f'    <link href={quoteattr(anchor)} rel="alternate" type="text/html"/>\n'
        "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
        "  </entry>\n"
    )
    return (_api_head(canonical, 1, 0, 1) + entry + "</feed>\n").encode()


def _rss_date(day: date, hour: int = 0) -> str:
    """arXiv's RFC 822 date for midnight Eastern of `day`."""
    try:
        from zoneinfo import ZoneInfo

        t = datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("America/New_York"))
    except Exception:  # no tz database: EST is close enough for a fake
        t = datetime(day.year, day.month, day.day, hour, tzinfo=timezone(timedelta(hours=-5)))
    return t.strftime("%a, %d %b %Y %H:%M:%S %z")


_RSS_OPEN = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    ' version="2.0">\n  <channel>\n'
)


def _rss_channel(title: str, link: str, description: str, day: date, editor: str) -> str:
    return (
        f"    <title>{escape(title)}</title>\n    <link>{escape(link)}</link>\n"
        f"    <description>{escape(description)}</description>\n"
        f'    <atom:link href={quoteattr(link)} rel="self" type="application/rss+xml"/>\n'
        "    <docs>http://www.rssboard.org/rss-specification</docs>\n    <language>en-us</language>\n"
        f"    <lastBuildDate>{_rss_date(day, 4)}</lastBuildDate>\n"
        f"    <managingEditor>{editor}</managingEditor>\n    <pubDate>{_rss_date(day)}</pubDate>\n"
    )


def rss_feed(papers: Iterable[dict[str, Any] | ArxivPaper], *, query: str = "cs.CL", day: date | None = None) -> bytes:
    """An RSS 2.0 feed shaped exactly like rss.arxiv.org's (arxiv-feed serializer) for one announcement day."""
    day = day or date.today()
    title = ", ".join(query.split("+"))
    link = f"http://rss.arxiv.org/rss/{query}"
    out = [
        _RSS_OPEN,
        _rss_channel(
            f"{title} updates on arXiv.org",
            link,
            f"{title} updates on the arXiv.org e-print archive.",
            day,
            "rss-help@arxiv.org",
        ),
        "    <skipDays>\n      <day>Saturday</day>\n      <day>Sunday</day>\n    </skipDays>\n",
    ]
    for p in map(ArxivPaper.of, papers):
        vid = f"{p.arxiv_id}v{p.version}"
        out.append(
            "    <item>\n"
            f"      <title>{escape(p.title)}</title>\n"
            f"      <link>https://arxiv.org/abs/{p.arxiv_id}</link>\n"
            f"      <description>arXiv:{vid} Announce Type: {p.announce_type} \nAbstract: {escape(p.abstract)}"
            "</description>\n"
            f'      <guid isPermaLink="false">oai:arXiv.org:{vid}</guid>\n'
            + "".join(f"      <category>{escape(c)}</category>\n" for c in p.categories)
            + f"      <pubDate>{_rss_date(day)}</pubDate>\n"
            f"      <arxiv:announce_type>{p.announce_type}</arxiv:announce_type>\n"
            "      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>\n"
            f"      <dc:creator>{escape(', '.join(p.authors))}</dc:creator>\n"
            + (f"      <arxiv:DOI>{escape(p.doi)}</arxiv:DOI>\n" if p.doi else "")
            + (
                f"      <arxiv:journal_reference>{escape(p.journal_ref)}</arxiv:journal_reference>\n"
                if p.journal_ref
                else ""
            )
            + "    </item>\n"
        )
    out.append("  </channel>\n</rss>")
    return "".join(out).encode()


def rss_error_feed(query: str, message: str | None = None, *, day: date | None = None) -> bytes:
    """The body rss.arxiv.org sends with HTTP 400 for a bad category: a channel titled `Feed error for query: …`."""
    link = f"http://rss.arxiv.org/rss/{query}"
    archives = (
        "astro-ph, cond-mat, cs, econ, eess, gr-qc, hep-ex, hep-lat, hep-ph, hep-th, math, math-ph, "
        "nlin, nucl-ex, nucl-th, physics, q-bio, q-fin, quant-ph, stat, test"
    )
    message = message or f"Bad archive '{query.split('+')[0].split('.')[0]}'."
    description = f"{message} Valid archive names are: {archives}."
    return (
        _RSS_OPEN
        + _rss_channel(f"Feed error for query: {link}", link, description, day or date.today(), "rss-help.arxiv.org")
        + "  </channel>\n</rss>"
    ).encode()


def html_error_page(status: int = 503) -> bytes:
    """The kind of HTML page arXiv's front end returns during an outage or throttling."""
    phrase = HTTPStatus(status).phrase
    return (
        f"<!DOCTYPE html>\n<html><head><title>{status} {phrase}</title></head>\n<body>\n"
        f"<h1>{phrase}</h1>\n<p>arXiv is temporarily unable to service your request. "
        "Please try again later.</p>\n</body></html>\n"
    ).encode()


def _feed(body: bytes | str, content_type: str, status: int, etag: str | None, headers: dict[str, str] | None) -> _Feed:
    data = body.encode() if isinstance(body, str) else body
    return _Feed(data, content_type, status, etag or hashlib.sha256(data).hexdigest(), dict(headers or {}))
