"""Parsing real arXiv feeds into Papers, checked item by item against the raw XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date

import pytest

from tests.conftest import ATOM_FEED, BIG_FEED, EMPTY_FEED
from watcher.errors import FeedError
from watcher.feeds import merge_papers, parse_feed
from watcher.paper import parse_arxiv_id, split_authors

ARXIV_NS = "{http://arxiv.org/schemas/atom}"


def raw_items(path):  # the truth, read with the standard library only
    root = ET.parse(path).getroot()
    for item in root.iter("item"):
        yield {
            "guid": item.findtext("guid"),
            "title": item.findtext("title"),
            "description": item.findtext("description"),
            "type": item.findtext(f"{ARXIV_NS}announce_type"),
            "categories": [c.text for c in item.findall("category")],
            "creator": item.findtext("{http://purl.org/dc/elements/1.1/}creator"),
        }


@pytest.fixture(scope="module")
def big():
    return parse_feed(BIG_FEED.read_bytes(), str(BIG_FEED))


def test_every_item_of_the_large_sample_agrees_with_the_raw_xml(big) -> None:
    raw = list(raw_items(BIG_FEED))
    assert len(raw) == len(big.papers) == 1504
    for paper, item in zip(big.papers, raw, strict=True):
        guid = re.fullmatch(r"oai:arXiv\.org:(.+)v(\d+)", item["guid"])
        assert guid, item["guid"]
        assert (paper.arxiv_id, paper.version) == (guid[1], int(guid[2]))
        assert paper.announce_type == item["type"]
        abstract = item["description"].split("Abstract:", 1)[1]
        assert paper.abstract == " ".join(abstract.split())
        assert paper.title == " ".join(item["title"].split())
        assert list(paper.categories) == item["categories"]
        assert paper.authors == " ".join(item["creator"].split())
        assert paper.announced == date(2024, 11, 28)
        assert paper.link == f"https://arxiv.org/abs/{paper.arxiv_id}"


def test_large_sample_counts_and_day(big) -> None:
    assert big.announced == date(2024, 11, 28)
    assert Counter(p.announce_type for p in big.papers) == {"new": 926, "replace": 569, "cross": 9}


def test_abstracts_with_latex_comparisons_are_not_html_mangled(big) -> None:
    mangled = [p for p in big.papers if "<t_>" in p.abstract]
    assert mangled == []
    assert any("$T<T_{RW}$" in p.abstract for p in big.papers)


def test_atom_sample() -> None:
    batch = parse_feed(ATOM_FEED.read_bytes(), "atom")
    assert batch.announced == date(2025, 8, 20)
    assert [p.announce_type for p in batch.papers].count("cross") == 5
    first = batch.papers[0]
    assert (first.arxiv_id, first.version, first.categories) == ("2508.13426", 1, ("cs.CL", "cs.AI"))
    assert not first.abstract.startswith("arXiv:")


def test_empty_day_is_a_feed_without_papers() -> None:
    batch = parse_feed(EMPTY_FEED.read_bytes(), "empty")
    assert batch.papers == () and batch.announced == date(2024, 11, 28)


ERROR_FEED = b"""<?xml version='1.0' encoding='UTF-8'?>
<rss version="2.0"><channel><title>Feed error for query: astroph</title>
<link>http://rss.arxiv.org/rss/astroph</link>
<description>Bad archive 'astroph'. Valid archive names are: astro-ph, cs, math</description>
</channel></rss>"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            ERROR_FEED,
            "src: arXiv rejected the query: Bad archive 'astroph'. Valid archive names are: astro-ph, cs, math",
        ),
        (
            b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>",
            "src: got an HTML page, not an RSS/Atom feed (arXiv may be down)",
        ),
        (
            b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title><item><title>a & b</title></item>"
            b"</channel></rss>",
            "src: malformed XML (line 1, column 98: not well-formed (invalid token))",
        ),
        (b"", "src: not an RSS/Atom feed (unrecognised format)"),
    ],
)
def test_feeds_that_are_not_a_normal_day_fail_with_a_reason(body: bytes, message: str) -> None:
    with pytest.raises(FeedError) as err:
        parse_feed(body, "src")
    assert err.value.message == message


def test_duplicates_across_feeds_collapse_by_base_id(big) -> None:
    item = b"""<item><title>T</title><link>https://arxiv.org/abs/2411.17700</link>
    <description>arXiv:2411.17700v2 Announce Type: cross
Abstract: x</description><guid isPermaLink="false">oai:arXiv.org:2411.17700v2</guid>
<arxiv:announce_type>cross</arxiv:announce_type></item>"""
    other = parse_feed(
        b"<?xml version='1.0'?><rss xmlns:arxiv='http://arxiv.org/schemas/atom' version='2.0'>"
        b"<channel><title>cs.SD updates on arXiv.org</title>" + item + b"</channel></rss>",
        "b",
    )
    merged = merge_papers([big, other])
    assert len(merged) == 1504
    assert sum(1 for p in merged if p.arxiv_id == "2411.17700") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arXiv:2501.01234v2", ("2501.01234", 2)),
        ("https://arxiv.org/pdf/2501.01234v3.pdf", ("2501.01234", 3)),
        ("oai:arXiv.org:2411.17700v1", ("2411.17700", 1)),
        ("0706.0001v1", ("0706.0001", 1)),
        ("cs/0601001v1", ("cs/0601001", 1)),
        ("math.CA/0611800v2", ("math/0611800", 2)),
        ("https://arxiv.org/abs/cond-mat/0207270", ("cond-mat/0207270", None)),
        ("oai:arXiv.org:hep-th/9901001v4", ("hep-th/9901001", 4)),
    ],
)
def test_arxiv_ids_new_and_old_style(text: str, expected: tuple[str, int | None]) -> None:
    assert parse_arxiv_id(text) == expected


def test_old_style_ids_in_a_feed() -> None:
    body = (
        b"<?xml version='1.0'?><rss xmlns:arxiv='http://arxiv.org/schemas/atom' version='2.0'><channel>"
        b"<title>math updates on arXiv.org</title><pubDate>Thu, 28 Nov 2024 00:00:00 -0500</pubDate><item>"
        b"<title>Old</title><link>https://arxiv.org/abs/math/0611800</link>"
        b"<description>arXiv:math/0611800v2 Announce Type: replace \nAbstract: Old paper.</description>"
        b"<guid isPermaLink='false'>oai:arXiv.org:math/0611800v2</guid>"
        b"<arxiv:announce_type>replace</arxiv:announce_type></item></channel></rss>"
    )
    (paper,) = parse_feed(body, "old").papers
    assert (paper.arxiv_id, paper.version, paper.announce_type, paper.abstract) == (
        "math/0611800",
        2,
        "replace",
        "Old paper.",
    )
    assert paper.is_replacement


def test_author_string_splits_outside_parentheses() -> None:
    assert split_authors("A. One (IFPEN, Univ X), B. Two, R\\'emy (Lab, Dept)") == [
        "A. One (IFPEN, Univ X)",
        "B. Two",
        "R\\'emy (Lab, Dept)",
    ]
