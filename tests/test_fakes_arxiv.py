"""FakeArxiv (RSS + API) read with requests and feedparser over loopback HTTP; plus the shared loopback machinery."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, date, datetime, timedelta, timezone

import feedparser
import pytest
import requests

from tests.conftest import BIG_FEED, EMPTY_FEED
from tests.fakes.arxiv import FakeArxiv, rss_feed

T0 = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)


def paper(n: int, **kw) -> dict:
    base = {
        "arxiv_id": f"2501.{n:05d}",
        "title": f"Paper number {n}",
        "abstract": f"Abstract {n}.",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "categories": ["cs.CL"],
        "submitted": T0 + timedelta(hours=n),
    }
    return {**base, **kw}


def api(fake: FakeArxiv, **params) -> requests.Response:
    return requests.get(fake.api_url, params=params, timeout=5)


def parsed(resp: requests.Response):
    return feedparser.parse(resp.content, response_headers={"content-type": resp.headers["content-type"]})


def ids(resp: requests.Response) -> list[str]:
    return [e.id.rsplit("/", 1)[-1] for e in parsed(resp).entries]


# -- API --------------------------------------------------------------------------------
def test_api_entry_fields_through_feedparser(fake_arxiv):
    fake_arxiv.add_paper(
        arxiv_id="2501.01234v2",
        title="Codec LMs & <speech>",
        abstract="We study $a<b$ codecs.",
        authors=["Jane Doe", "John Roe"],
        categories=["eess.AS", "cs.CL", "cs.SD"],
        submitted=T0,
        updated=T0 + timedelta(days=3),
        comment="12 pages",
        journal_ref="Proc. X 2025",
        doi="10.1000/xyz",
    )
    resp = api(fake_arxiv, search_query="cat:eess.AS")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/atom+xml")
    d = parsed(resp)
    assert d.bozo == 0 and d.feed.opensearch_totalresults == "1"
    assert (d.feed.opensearch_startindex, d.feed.opensearch_itemsperpage) == ("0", "10")
    [e] = d.entries
    assert e.id == "http://arxiv.org/abs/2501.01234v2"
    assert e.title == "Codec LMs & <speech>" and e.summary == "We study $a<b$ codecs."
    assert [a.name for a in e.authors] == ["Jane Doe", "John Roe"]
    assert [t.term for t in e.tags] == ["eess.AS", "cs.CL", "cs.SD"]
    assert e.arxiv_primary_category["term"] == "eess.AS"
    assert (e.arxiv_comment, e.arxiv_journal_ref, e.arxiv_doi) == ("12 pages", "Proc. X 2025", "10.1000/xyz")
    assert e.published == "2025-01-06T12:00:00Z" and e.updated == "2025-01-09T12:00:00Z"
    links = {(link.get("title"), link.rel): link.href for link in e.links}
    assert links[(None, "alternate")] == "http://arxiv.org/abs/2501.01234v2"
    assert links[("pdf", "related")] == "http://arxiv.org/pdf/2501.01234v2"


def test_paging_covers_every_result_exactly_once(fake_arxiv):
    fake_arxiv.add_papers(paper(n) for n in range(1, 26))
    seen, start = [], 0
    while True:
        d = parsed(
            api(
                fake_arxiv,
                search_query="cat:cs.CL",
                start=start,
                max_results=10,
                sortBy="submittedDate",
                sortOrder="ascending",
            )
        )
        assert d.feed.opensearch_totalresults == "25" and d.feed.opensearch_startindex == str(start)
        if not d.entries:
            break
        seen += [e.id for e in d.entries]
        start += len(d.entries)
    assert len(seen) == 25 and len(set(seen)) == 25
    assert seen[0].endswith("2501.00001v1") and seen[-1].endswith("2501.00025v1")
    assert [c.query["start"] for c in fake_arxiv.api_calls()] == ["0", "10", "20", "25"]


def test_page_cap_limits_one_answer(fake_arxiv):
    small = FakeArxiv(page_cap=3)
    with small:
        small.add_papers(paper(n) for n in range(1, 6))
        d = parsed(api(small, search_query="cat:cs.CL", max_results=100))
        assert len(d.entries) == 3 and d.feed.opensearch_totalresults == "5"


def test_submitted_date_window_is_inclusive_gmt(fake_arxiv):
    fake_arxiv.add_papers(
        [
            paper(1, submitted=datetime(2025, 1, 6, 0, 0, tzinfo=UTC)),  # on the lower bound
            paper(2, submitted=datetime(2025, 1, 6, 23, 59, 30, tzinfo=UTC)),  # in the upper minute
            paper(3, submitted=datetime(2025, 1, 7, 0, 0, tzinfo=UTC)),  # one minute too late
            paper(4, submitted=datetime(2025, 1, 5, 23, 59, tzinfo=UTC)),  # one minute too early
            paper(5, submitted=datetime(2025, 1, 6, 9, 0, tzinfo=timezone(timedelta(hours=-5)))),  # 14:00 GMT
        ]
    )
    q = "cat:cs.CL AND submittedDate:[202501060000 TO 202501062359]"
    assert sorted(ids(api(fake_arxiv, search_query=q))) == ["2501.00001v1", "2501.00002v1", "2501.00005v1"]
    day = "cat:cs.CL AND submittedDate:[20250107 TO 20250107]"
    assert ids(api(fake_arxiv, search_query=day)) == ["2501.00003v1"]


def test_boolean_category_and_title_queries(fake_arxiv):
    fake_arxiv.add_papers(
        [
            paper(1, title="Speech Language Models: A Survey", categories=["cs.CL", "eess.AS"]),
            paper(2, title="A survey of speech-language models", categories=["cs.SD"]),
            paper(3, title="Galaxy rotation curves", categories=["astro-ph.GA"]),
            paper(4, title="Language models for speech", categories=["cs.CL"], authors=["Grace Hopper"]),
        ]
    )
    by = lambda q: sorted(ids(api(fake_arxiv, search_query=q)))  # noqa: E731
    assert by("(cat:cs.CL OR cat:cs.SD OR cat:eess.AS)") == ["2501.00001v1", "2501.00002v1", "2501.00004v1"]
    assert by('ti:"speech language models"') == ["2501.00001v1", "2501.00002v1"]  # punctuation ignored
    assert by('ti:"SPEECH LANGUAGE MODELS: a survey"') == ["2501.00001v1"]
    assert by("ti:speech AND ti:survey") == ["2501.00001v1", "2501.00002v1"]
    assert by("ti:speech ANDNOT cat:cs.SD") == ["2501.00001v1", "2501.00004v1"]
    assert by("au:hopper") == ["2501.00004v1"]
    assert by("ti:galax*") == ["2501.00003v1"]
    assert by("cat:cs.* AND ti:models") == ["2501.00001v1", "2501.00002v1", "2501.00004v1"]


def test_id_list_order_versions_and_intersection(fake_arxiv):
    fake_arxiv.add_papers([paper(1), paper(2, version=3), paper(3, categories=["cs.SD"])])
    assert ids(api(fake_arxiv, id_list="2501.00003,2501.00001v1,2501.99999")) == ["2501.00003v1", "2501.00001v1"]
    assert ids(api(fake_arxiv, id_list="2501.00002")) == ["2501.00002v3"]
    assert ids(api(fake_arxiv, id_list="2501.00001,2501.00003", search_query="cat:cs.SD")) == ["2501.00003v1"]
    assert ids(api(fake_arxiv, id_list="hep-ex/0307015")) == []  # old-style id: valid, just unknown here


@pytest.mark.parametrize(
    "params, message",
    [
        ({"id_list": "1234.12345"}, "incorrect id format for 1234.12345"),
        ({"search_query": "(cat:cs.CL OR cat:cs.SD"}, "unbalanced parentheses in search_query"),
        ({"search_query": "cat:cs.CL AND"}, "unexpected 'end' in search_query"),
        ({"search_query": "cat:cs.CL AND submittedDate:[2025 TO 2026]"}, "malformed date range [2025 TO 2026]"),
        ({"search_query": "cat:cs.CL", "start": "-1"}, "start must be non-negative"),
        ({"search_query": "cat:cs.CL", "max_results": "ten"}, "max_results must be an integer"),
    ],
)
def test_malformed_queries_answer_an_error_entry(fake_arxiv, params, message):
    resp = api(fake_arxiv, **params)
    assert resp.status_code == 200
    d = parsed(resp)
    [e] = d.entries
    assert e.title == "Error" and e.summary == message
    assert e.id.startswith("http://arxiv.org/api/errors#")
    assert d.feed.opensearch_totalresults == "1"


def test_max_results_over_30000_is_http_400(fake_arxiv):
    resp = api(fake_arxiv, search_query="cat:cs.CL", max_results=30001)
    assert resp.status_code == 400 and parsed(resp).entries[0].title == "Error"


def test_sorting(fake_arxiv):
    fake_arxiv.add_papers([paper(1, updated=T0 + timedelta(days=9)), paper(2), paper(3)])
    assert ids(api(fake_arxiv, search_query="cat:cs.CL", sortBy="submittedDate")) == [
        "2501.00003v1",
        "2501.00002v1",
        "2501.00001v1",
    ]  # descending by default
    assert (
        ids(api(fake_arxiv, search_query="cat:cs.CL", sortBy="lastUpdatedDate", sortOrder="descending"))[0]
        == "2501.00001v1"
    )
    assert ids(api(fake_arxiv, search_query="cat:cs.CL", sortBy="relevance")) == [
        "2501.00001v1",
        "2501.00002v1",
        "2501.00003v1",
    ]  # registration order


def test_throttling_simulations(fake_arxiv):
    fake_arxiv.add_papers(paper(n) for n in range(1, 4))
    fake_arxiv.fail("GET", "^/api/query$", kind="empty_page")
    fake_arxiv.fail("GET", "^/api/query$", status=503, headers={"Retry-After": "1"})
    fake_arxiv.fail("GET", "^/api/query$", status=429)

    d = parsed(api(fake_arxiv, search_query="cat:cs.CL"))
    assert d.feed.opensearch_totalresults == "3" and d.entries == []
    unavailable = api(fake_arxiv, search_query="cat:cs.CL")
    assert unavailable.status_code == 503 and unavailable.headers["Retry-After"] == "1"
    assert unavailable.headers["content-type"].startswith("text/html")
    assert api(fake_arxiv, search_query="cat:cs.CL").status_code == 429
    assert len(parsed(api(fake_arxiv, search_query="cat:cs.CL")).entries) == 3
    calls = fake_arxiv.api_calls()
    assert [c.fault for c in calls] == ["empty_page", "status", "status", None]
    assert all(b.time >= a.time for a, b in itertools.pairwise(calls))  # arrival times, for pacing checks


# -- RSS --------------------------------------------------------------------------------
def test_rss_serves_registered_bytes_with_etag_and_304(fake_arxiv):
    body = rss_feed([paper(1)], query="cs.CL+cs.SD+eess.AS", day=date(2025, 1, 7))
    fake_arxiv.set_feed(body)
    first = feedparser.parse(fake_arxiv.rss_url("cs.CL+cs.SD+eess.AS"))
    assert first.status == 200 and len(first.entries) == 1
    again = feedparser.parse(fake_arxiv.rss_url("cs.CL+cs.SD+eess.AS"), etag=first.etag)
    assert again.status == 304 and again.entries == []  # not "no papers"
    raw = requests.get(fake_arxiv.rss_url("cs.CL+cs.SD+eess.AS"), timeout=5)
    assert raw.content == body and len(raw.headers["ETag"]) == 64
    assert fake_arxiv.requests[1].header("if-none-match") == first.etag


def test_rss_feed_matches_the_real_arxiv_shape():
    mine = feedparser.parse(
        rss_feed([paper(1, doi="10.1/x", journal_ref="J. 1")], query="cs.CL+eess.AS", day=date(2025, 1, 7))
    )
    assert mine.bozo == 0 and mine.version == "rss20"
    assert mine.feed.title == "cs.CL, eess.AS updates on arXiv.org"
    [e] = mine.entries
    assert (e.id, e.link) == ("oai:arXiv.org:2501.00001v1", "https://arxiv.org/abs/2501.00001")
    assert e.summary.startswith("arXiv:2501.00001v1 Announce Type: new \nAbstract: Abstract 1.")
    assert (e.arxiv_announce_type, e.author, e.arxiv_doi) == ("new", "Ada Lovelace, Alan Turing", "10.1/x")
    assert e.published == "Tue, 07 Jan 2025 00:00:00 -0500"
    real_path = BIG_FEED
    if real_path.exists():  # same channel and item keys as a real item carrying DOI and journal ref
        text = real_path.read_text(encoding="utf-8")
        items = text.split("<item>")
        item = next(i for i in items[1:] if "<arxiv:DOI>" in i and "<arxiv:journal_reference>" in i)
        real = feedparser.parse(f"{items[0]}<item>{item.split('</item>')[0]}</item></channel></rss>")
        assert set(real.entries[0]) == set(e)
        assert set(real.feed) == set(mine.feed)


def test_rss_day_queue_then_default(fake_arxiv):
    fake_arxiv.queue_feed(rss_feed([paper(1)], day=date(2025, 1, 6)))
    fake_arxiv.queue_feed(rss_feed([paper(2), paper(3)], day=date(2025, 1, 7)))
    fake_arxiv.set_feed(rss_feed([], day=date(2025, 1, 11)))  # a Saturday: empty channel
    counts = [len(feedparser.parse(fake_arxiv.rss_url("cs.CL")).entries) for _ in range(4)]
    assert counts == [1, 2, 0, 0]


def test_real_empty_day_sample_is_served_unchanged(fake_arxiv):
    sample = EMPTY_FEED
    if not sample.exists():
        pytest.skip("shared/data not beside this checkout")
    fake_arxiv.set_feed(sample.read_bytes(), query="test")
    d = feedparser.parse(fake_arxiv.rss_url("test"))
    assert (d.status, d.bozo, d.version, d.entries) == (200, 0, "rss20", [])
    assert requests.get(fake_arxiv.rss_url("other"), timeout=5).status_code == 404  # nothing registered


def test_rss_bad_category_and_outage(fake_arxiv):
    fake_arxiv.set_bad_category("astroph")
    bad = requests.get(fake_arxiv.rss_url("astroph"), timeout=5)
    d = parsed(bad)
    assert bad.status_code == 400 and d.entries == []
    assert d.feed.title == "Feed error for query: http://rss.arxiv.org/rss/astroph"
    assert d.feed.description.startswith("Bad archive 'astroph'. Valid archive names are: astro-ph")

    fake_arxiv.set_unavailable(query="cs.CL", retry_after=1)
    down = requests.get(fake_arxiv.rss_url("cs.CL"), timeout=5)
    assert (down.status_code, down.headers["Retry-After"]) == (503, "1")
    d = parsed(down)
    assert d.bozo == 1 and d.entries == [] and d.version == ""


def test_rss_transport_faults(fake_arxiv):
    fake_arxiv.set_feed(rss_feed([paper(1)]))
    url = fake_arxiv.rss_url("cs.CL")
    fake_arxiv.fail("GET", "^/rss/", kind="garbage")
    assert parsed(requests.get(url, timeout=5)).bozo == 1
    fake_arxiv.fail("GET", "^/rss/", kind="empty_page")
    assert parsed(requests.get(url, timeout=5)).entries == []
    fake_arxiv.fail("GET", "^/rss/", kind="reset")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=5)
    fake_arxiv.fail("GET", "^/rss/", kind="truncate")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(url, timeout=5)
    assert len(parsed(requests.get(url, timeout=5)).entries) == 1


# -- loopback machinery -------------------------------------------------------------
def test_start_stop_is_clean_and_idempotent():
    fake = FakeArxiv()
    with pytest.raises(RuntimeError):
        fake.url  # noqa: B018 - not started yet
    with fake:
        url = fake.api_url
        fake.fail("GET", "/api/query", kind="delay", seconds=30)  # a request still sleeping at stop time
        waiter = threading.Thread(target=lambda: requests.get(url, timeout=10), daemon=True)
        waiter.start()
        while not fake.requests:
            threading.Event().wait(0.01)
    waiter.join(timeout=5)
    assert not waiter.is_alive()  # stop() woke the delayed handler
    fake.stop()
    assert not any(t.name.startswith("FakeArxiv@") and t.is_alive() for t in threading.enumerate())
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=1)


def test_unknown_fault_kind_is_rejected(fake_arxiv):
    with pytest.raises(ValueError):
        fake_arxiv.fail("GET", "/", kind="explode")
