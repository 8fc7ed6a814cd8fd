"""Fetching the feed over real HTTP from a loopback arXiv: statuses, timeouts, retries, ETags."""

from __future__ import annotations

import pytest

from tests.conftest import BIG_FEED, EMPTY_FEED
from tests.fakes.arxiv import FakeArxiv
from watcher.download import Downloader, HttpPolicy, retry_after_seconds
from watcher.errors import FeedError, FetchError
from watcher.feeds import fetch_feed, read_feed

QUERY = "cs.CL+cs.SD+eess.AS"


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def downloader(sleeps: Sleeps | None = None, **kw) -> Downloader:
    policy = HttpPolicy(
        user_agent="watcher-test/1 (mailto:test@example.org)", **{"timeout": 2.0, "retries": 2, "backoff": 0.5, **kw}
    )
    return Downloader(policy, sleep=sleeps if sleeps is not None else Sleeps())


def test_a_real_feed_is_fetched_once_with_our_user_agent(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.set_feed(BIG_FEED.read_bytes(), query=QUERY)
    batch = fetch_feed(downloader(), fake_arxiv.rss_url(QUERY))
    assert len(batch.papers) == 1504 and batch.etag
    (request,) = fake_arxiv.requests
    assert request.header("user-agent") == "watcher-test/1 (mailto:test@example.org)"


def test_etag_makes_the_second_fetch_a_304(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.set_feed(BIG_FEED.read_bytes(), query=QUERY)
    first = fetch_feed(downloader(), fake_arxiv.rss_url(QUERY))
    second = fetch_feed(downloader(), fake_arxiv.rss_url(QUERY), etag=first.etag)
    assert second.not_modified and second.papers == ()
    assert fake_arxiv.requests[-1].header("if-none-match") == first.etag


def test_empty_day_is_a_normal_answer(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.set_feed(EMPTY_FEED.read_bytes(), query=QUERY)
    batch = fetch_feed(downloader(), fake_arxiv.rss_url(QUERY))
    assert batch.papers == () and str(batch.announced) == "2024-11-28"


def test_bad_category_is_a_400_with_the_reason(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.set_bad_category("astroph", "Bad archive 'astroph'. Valid archive names are: astro-ph, cs")
    with pytest.raises(FeedError) as err:
        fetch_feed(downloader(), fake_arxiv.rss_url("astroph"))
    assert err.value.message.startswith(
        f"arXiv RSS feed: HTTP 400: {fake_arxiv.rss_url('astroph')}: arXiv rejected the query: "
        "Bad archive 'astroph'. Valid archive names are: astro-ph, cs"
    )
    assert len(fake_arxiv.requests) == 1  # a 400 is not retried


def test_html_503_is_retried_then_reported(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.set_unavailable(query=QUERY, status=503)
    sleeps = Sleeps()
    with pytest.raises(FetchError) as err:
        fetch_feed(downloader(sleeps), fake_arxiv.rss_url(QUERY))
    host = fake_arxiv.url.split("//")[1]
    assert err.value.message == f"arXiv RSS feed: HTTP 503 from {host} (gave up after 3 attempts)"
    assert sleeps == [0.5, 1.0] and len(fake_arxiv.requests) == 3


def test_html_page_with_200_is_a_failed_run(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.set_feed(b"<!DOCTYPE html><html><body>Maintenance</body></html>", "text/html", query=QUERY)
    with pytest.raises(FeedError, match="got an HTML page, not an RSS/Atom feed"):
        fetch_feed(downloader(), fake_arxiv.rss_url(QUERY))


def test_429_retry_after_is_honoured(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.set_feed(EMPTY_FEED.read_bytes(), query=QUERY)
    fake_arxiv.fail("GET", "/rss/", status=429, headers={"Retry-After": "7"})
    sleeps = Sleeps()
    batch = fetch_feed(downloader(sleeps), fake_arxiv.rss_url(QUERY))
    assert batch.papers == () and sleeps == [7.0] and len(fake_arxiv.requests) == 2


def test_slow_server_times_out_and_is_retried(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.set_feed(EMPTY_FEED.read_bytes(), query=QUERY)
    fake_arxiv.fail("GET", "/rss/", kind="delay", seconds=3.0)
    sleeps = Sleeps()
    batch = fetch_feed(downloader(sleeps, timeout=0.5), fake_arxiv.rss_url(QUERY))
    assert batch.papers == () and sleeps == [0.5]


def test_timeouts_every_time_give_a_clear_error(fake_arxiv: FakeArxiv) -> None:
    fake_arxiv.set_feed(EMPTY_FEED.read_bytes(), query=QUERY)
    fake_arxiv.fail("GET", "/rss/", kind="delay", seconds=2.0, times=3)
    with pytest.raises(FetchError) as err:
        fetch_feed(downloader(timeout=0.3), fake_arxiv.rss_url(QUERY))
    assert "no answer from" in err.value.message and "within 0.3 s" in err.value.message


@pytest.mark.parametrize("kind", ["reset", "truncate"])
def test_broken_connections_are_retried(fake_arxiv: FakeArxiv, kind: str) -> None:
    fake_arxiv.set_feed(EMPTY_FEED.read_bytes(), query=QUERY)
    fake_arxiv.fail("GET", "/rss/", kind=kind)
    assert fetch_feed(downloader(), fake_arxiv.rss_url(QUERY)).papers == ()
    assert len(fake_arxiv.requests) == 2


def test_connection_refused_names_the_host() -> None:
    with pytest.raises(FetchError) as err:
        fetch_feed(downloader(retries=1), "http://127.0.0.1:9/rss/cs.CL")
    assert err.value.message == (
        "arXiv RSS feed: connection to 127.0.0.1:9 failed (connection refused) (gave up after 2 attempts)"
    )


def test_feed_argument_takes_urls_and_files(fake_arxiv: FakeArxiv, tmp_path) -> None:
    fake_arxiv.set_feed(EMPTY_FEED.read_bytes(), query=QUERY)
    assert read_feed(downloader(), fake_arxiv.rss_url(QUERY)).papers == ()
    assert len(read_feed(downloader(), str(BIG_FEED)).papers) == 1504
    with pytest.raises(Exception, match="cannot read file"):
        read_feed(downloader(), str(tmp_path / "missing.xml"))


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 01 Jan 2025 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_journal_reference_and_doi_come_through_from_the_real_feed() -> None:
    from watcher.feeds import parse_feed

    batch = parse_feed(BIG_FEED.read_bytes(), "saved feed")
    with_ref = [p for p in batch.papers if p.journal_ref]
    with_doi = [p for p in batch.papers if p.doi]
    assert (len(with_ref), len(with_doi)) == (97, 111)  # every <arxiv:journal_reference>, every <arxiv:DOI>
    first = next(p for p in with_ref if p.doi == "10.1016/j.segan.2024.101477")
    assert first.journal_ref.startswith("Sustainable Energy, Grids and Networks, Volume 39, 2024")


def test_the_api_carries_comment_journal_reference_and_doi(fake_arxiv: FakeArxiv) -> None:
    from datetime import UTC, datetime

    from watcher.arxiv_api import ArxivApi

    fake_arxiv.add_paper(
        arxiv_id="2501.00001v2",
        title="A paper",
        abstract="About speech.",
        authors=["A. Author"],
        categories=["eess.AS"],
        submitted=datetime(2025, 1, 2, tzinfo=UTC),
        comment="Accepted to ICASSP 2026. Code: https://github.com/acme/thing",
        journal_ref="Proc. ICASSP 2026",
        doi="10.1109/ICASSP.2026.1",
    )
    (paper,) = ArxivApi(downloader(), fake_arxiv.api_url, delay=0).search_ids(["2501.00001"])
    assert (paper.comment, paper.journal_ref, paper.doi) == (
        "Accepted to ICASSP 2026. Code: https://github.com/acme/thing",
        "Proc. ICASSP 2026",
        "10.1109/ICASSP.2026.1",
    )
