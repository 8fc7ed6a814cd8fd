"""Venues read from real arXiv journal references, realistic comments, and the venue strings real lists write."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import BIG_FEED, SHARED
from watcher import venues
from watcher.feeds import parse_feed
from watcher.venues import Venue, explain_venue, is_preprint_marker, same_venue, venue_in_text, venue_of

LISTS = SHARED / "lists"
SEED = SHARED / "seed-list.md"


@cache
def feed_journal_refs() -> tuple[str, ...]:
    papers = parse_feed(BIG_FEED.read_bytes(), str(BIG_FEED)).papers
    return tuple(p.journal_ref for p in papers if p.journal_ref)


@cache
def list_text(name: str) -> str:
    return (LISTS / name).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The 97 journal references of the saved all-archives feed


def test_every_journal_reference_of_the_feed_reads_without_error() -> None:
    refs = feed_journal_refs()
    assert len(refs) == 97
    names = {name for name, _, _ in venues.VENUES}
    for ref in refs:
        venue, why = explain_venue(journal_ref=ref)
        assert why
        assert venue is None or venue.name in names


# Hand-checked: the four computing venues, and physics/maths/other journals and near misses
# that the table does not know (or must not read as one of its venues).
FEED_READINGS = [
    ("IEEE/ACM Transactions on Audio, Speech, and Language Processing, vol. 32, pp. 4661-4675, 2024", "TASLP 2024"),
    ("2023 International Joint Conference on Neural Networks (IJCNN)", "IJCNN 2023"),
    (
        "The Thirty-eight Conference on Neural Information Processing Systems Datasets and Benchmarks Track (2024)",
        "NeurIPS 2024 Datasets and Benchmarks",
    ),
    ("International Conference on Machine Learning (ICML) 2024", "ICML 2024"),
    ("IEEE/RSJ International Conference on Intelligent Robots and Systems 2024", None),
    ("Deep Generative Models. DGM4MICCAI 2024. Lecture Notes in Computer Science, vol 15224. Springer, Cham", None),
    ("IEEE Transactions on Nuclear Science, vol. 7, no. 3, pp. 447-455, Jul-Sep 2019", None),
    ("IEEE T-Cyb, 54:11 (2024) 6283-6296", None),
    ("IEEE, 10.23919 (2024)", None),
    ("IEEE BITS the Information Theory Magazine, Dec. 2024", None),
    ("Machine.Learning.for.Biomedical.Imaging. 2 (2024)", None),
    ("Vol. 1 No. 1 (2024): AI-Linguistica", None),
    ("Language Development Research 5(1), 116-143 (2024)", None),
    (
        "IADIS Applied Computing, international association for the development of the information society, "
        "Apr 2008, algarve, Portugal",
        None,
    ),
    ("Nature Communications 15, 10121 (2024)", None),
    ("Nat. Commun. 15, 3495 (2024)", None),
    ("Phys. Rev. B 110(2024)174448", None),
    ("Physical Review D (2024)", None),
    ("JCAP11(2024)045", None),
    ("JHEP 11 (2024) 057", None),
    ("J. Chem. Phys. 160, 164104 (2024)", None),
    ("PNAS (2024) Vol. 121 | No. 49", None),
    ("Proceedings Royal Society A, 480:20230941, 2024", None),
    ("A&A 691, A35 (2024)", None),
    ("Electronics, Volume 13, Number 23, 2024", None),
    ("Sensors, 24(23) 2024", None),
    ("Sustainable Energy, Grids and Networks, Volume 39, 2024, 101477, ISSN 2352-4677", None),
    ("Journal of High Energy Physics; Volume 2024, article number 135, (2024)", None),
    ("Communications in Mathematics and Statistics, 27 December 2022", None),
    ("Theoretical Population Biology 2024", None),
]


@pytest.mark.parametrize(("ref", "expected"), FEED_READINGS)
def test_feed_journal_reference(ref: str, expected: str | None) -> None:
    assert ref in feed_journal_refs(), "not a journal reference of the saved feed"
    venue = venue_of(journal_ref=ref)
    assert (str(venue) if venue else None) == expected


def test_the_feed_gives_exactly_the_four_hand_checked_venues() -> None:
    recognised = [ref for ref in feed_journal_refs() if venue_of(journal_ref=ref)]
    assert sorted(recognised) == sorted(ref for ref, out in FEED_READINGS if out)


# ---------------------------------------------------------------------------------------------
# Journal references written the way proceedings and journals write them (not in the feed)


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("Proc. Interspeech 2025, pp. 1-5, doi: 10.21437/Interspeech.2025-123", "Interspeech 2025"),
        (
            "ICASSP 2025 - 2025 IEEE International Conference on Acoustics, Speech and Signal Processing (ICASSP), "
            "Hyderabad, India, 2025, pp. 1-5",
            "ICASSP 2025",
        ),
        (
            "Proceedings of the 62nd Annual Meeting of the Association for Computational Linguistics "
            "(Volume 1: Long Papers), pages 1-10, Bangkok, Thailand, 2024",
            "ACL 2024",
        ),
        ("Findings of the Association for Computational Linguistics: EMNLP 2024, pages 100-110", "EMNLP 2024 Findings"),
        ("Findings of the Association for Computational Linguistics: ACL 2025", "ACL 2025 Findings"),
        (
            "Proceedings of the 2025 Conference of the Nations of the Americas Chapter of the Association for "
            "Computational Linguistics: Human Language Technologies (Volume 1: Long Papers)",
            "NAACL 2025",
        ),
        ("Advances in Neural Information Processing Systems 36 (NeurIPS 2023)", "NeurIPS 2023"),
        ("IEEE Signal Processing Letters, vol. 31, pp. 1-5, 2024", "SPL 2024"),
        ("IEEE/ACM Trans. Audio, Speech, Lang. Process., vol. 33, 2025", "TASLP 2025"),
        ("Speech Communication, vol. 160, 103095, 2024", "Speech Communication 2024"),
        ("Computer Speech & Language, 89, 101700 (2025)", "Computer Speech & Language 2025"),
        ("J. Acoust. Soc. Am. 155, 1234 (2024)", "JASA 2024"),
        ("JASA Express Letters 4, 025201 (2024)", "JASA-EL 2024"),
        ("Transactions of the International Society for Music Information Retrieval, 7(1), 2024", "TISMIR 2024"),
        ("Proc. of the 26th Conference of the International Speech Communication Association", None),  # no year
        ("Interspeech", None),  # a conference without a year
        ("Pacific-Asia Conference on Knowledge Discovery and Data Mining 2024", None),  # PAKDD, not KDD
        ("International Conference on Machine Learning and Applications (ICMLA) 2024", None),
        ("ACM International Conference on Multimedia Retrieval 2024", None),  # ICMR, not ACM MM
        ("SIGIR-AP 2024", None),
        ("Companion Proceedings of the ACM Web Conference 2024", None),
        # The organisation is not the journal Speech Communication (else: two venues, nothing).
        (
            "Proc. 13th ISCA Speech Synthesis Workshop (SSW), International Speech Communication Association, 2025",
            "SSW 2025",
        ),
        ("Proc. SSW 2025, international speech communication association", "SSW 2025"),
        ("Published in the ACL Anthology, 2024", None),  # the Anthology hosts every ACL venue
        ("IEEE-ICASSP 2025, pp. 1-5", "ICASSP 2025"),
        ("Submitted to IEEE/ACM TASLP", None),  # authors misuse the field
        ("ICASSP 2024 and Interspeech 2024", None),
        ("Proc. Interspeech 2023; Interspeech 2024", None),  # two years
        (
            "Advances in Neural Information Processing Systems 37 (NeurIPS 2024), 2025",
            "NeurIPS 2024",
        ),  # the venue's year
    ],
)
def test_journal_reference_forms(ref: str, expected: str | None) -> None:
    venue = venue_of(journal_ref=ref)
    assert (str(venue) if venue else None) == expected


# ---------------------------------------------------------------------------------------------
# Comments: acceptances, refusals, ambiguity, hostile text

ACCEPTED_COMMENTS = [
    ("Accepted to ICASSP 2026", "ICASSP 2026"),
    ("accepted at the 2026 IEEE International Conference on Acoustics, Speech and Signal Processing", "ICASSP 2026"),
    ("Accepted at IEEE ICASSP 2025. 5 pages, 2 figures", "ICASSP 2025"),
    ("5 pages, 3 figures, accepted to Interspeech 2025", "Interspeech 2025"),
    ("Interspeech 2025", "Interspeech 2025"),
    ("INTERSPEECH 2024 (oral)", "Interspeech 2024"),
    ("Accepted by INTERSPEECH2025", "Interspeech 2025"),
    ("ICASSP\u201926", "ICASSP 2026"),
    ("NeurIPS'25 spotlight", "NeurIPS 2025"),
    ("Accepted by IEEE/ACM Transactions on Audio, Speech, and Language Processing", "TASLP"),
    ("Accepted by IEEE/ACM TASLP", "TASLP"),
    ("To appear in IEEE Signal Processing Letters", "SPL"),
    ("Published in Speech Communication, 2024", "Speech Communication 2024"),
    ("Camera-ready version for Interspeech 2025; code at https://github.com/x/y", "Interspeech 2025"),
    ("Camera-ready version for EMNLP 2024 (Findings)", "EMNLP 2024 Findings"),
    ("accepted as a long paper at ACL 2025", "ACL 2025"),
    ("Accepted to ACL 2025 main conference", "ACL 2025 Main"),
    ("Accepted to the Findings of ACL 2025", "ACL 2025 Findings"),
    ("Accepted at Findings of the Association for Computational Linguistics: NAACL 2025", "NAACL 2025 Findings"),
    ("Accepted to NAACL 2025 (Industry Track)", "NAACL 2025 Industry"),
    ("Accepted at EMNLP 2024 System Demonstrations", "EMNLP 2024 Demo"),
    ("Accepted at the NeurIPS 2024 Workshop on Foundation Models", "NeurIPS 2024 Workshop"),
    ("Accepted to the 1st Workshop on Speech LLMs, co-located with ICASSP 2025", "ICASSP 2025 Workshop"),
    ("Accepted to NeurIPS 2025 Datasets and Benchmarks Track", "NeurIPS 2025 Datasets and Benchmarks"),
    ("Accepted at IEEE SLT 2024", "SLT 2024"),  # a venue named a workshop gets no Workshop track
    ("Accepted at the 2025 IEEE Automatic Speech Recognition and Understanding Workshop (ASRU)", "ASRU 2025"),
    ("This paper has been accepted for publication at ICLR 2025", "ICLR 2025"),
    ("Accepted to AAAI-26", "AAAI 2026"),
    ("ICML 2024 (Poster). Code: https://github.com/a/b", "ICML 2024"),
    ("Preprint of a paper accepted at Interspeech 2025", "Interspeech 2025"),
    ("Accepted at Interspeech 2025. Demo page: https://example.github.io/demo", "Interspeech 2025"),
    ("Accepted to Interspeech 2025, demo samples at https://x.github.io", "Interspeech 2025"),
    ("Accepted at the Conference on Language Modeling (COLM) 2025", "COLM 2025"),
    ("Paper accepted to ICASSP 2025. Please cite the ICASSP version", "ICASSP 2025"),
    ("Accepted at the 2025 Annual Conference of the North American Chapter of the ACL (NAACL)", "NAACL 2025"),
    ("Oral presentation at the NeurIPS 2023 ENLSP workshop", "NeurIPS 2023 Workshop"),
    ("Accepted to the ACL 2025 Student Research Workshop", "ACL 2025 Workshop"),
    ("Accepted at ACM MM 2024", "ACM MM 2024"),
    ("accepted to the web conference 2025", "WWW 2025"),
]


@pytest.mark.parametrize(("comment", "expected"), ACCEPTED_COMMENTS)
def test_comment_accepted(comment: str, expected: str) -> None:
    assert str(venue_of(comment=comment)) == expected


REFUSED_COMMENTS = [
    "submitted to Interspeech 2025",
    "Submitted to ICASSP 2026. 5 pages",
    "Under review at ICLR 2026",
    "under review",
    "In submission to NeurIPS 2025",
    "Under consideration for publication in TASLP",
    "Rejected from ICLR 2025; now with more experiments",
    "ICASSP 2025 submission",
    "Major revision, IEEE/ACM TASLP",
    "Conditionally accepted to Interspeech 2025",
    "Submitted to ACL Rolling Review (ARR) February 2025",
    "Extended version of our Interspeech 2024 paper",
    "An earlier version of this work was presented at ICASSP 2024",
    "Accepted at ICASSP 2025; extended journal version submitted to TASLP",
    "12 pages, 5 figures",
    "Work in progress",
    "Accepted to ICASSP 2025 and Interspeech 2025",  # two venues
    "Accepted at NeurIPS 2023 and ICLR 2024",
    "Accepted at ICASSP",  # a conference without a year
    "Accepted at a top-tier venue",
    "Accepted to ICASSP 2025. Also presented at the ICASSP 2025 SALMA workshop",  # main or workshop?
    "Accepted to Findings of ICASSP 2025",  # Findings is an ACL track
    "Accepted at ICASSP 2025 Grand Challenge",  # a side event
    "Technical report for the DCASE 2025 Challenge",
    "Accepted at the ICLR 2025 Tiny Papers track",
    "Accepted at ISMIR 2025 Late-Breaking Demo session",
    "AAAI 2025 Student Abstract",
    "Our ICASSP 2025 paper's code and models",  # names a venue but does not say accepted
    "Comparison with the NeurIPS 2023 baseline",
    "Accepted to IROS 2024",  # not in the table
    "Accepted at NerIPS 2024",  # a typo is not a venue
    "Accepted at MM 2024",  # bare MM is too ambiguous for the table
    "This work extends our ICASSP 2024 paper",
    "Best Student Paper Award at Interspeech 2024",  # says nothing of this paper's acceptance
    "Accepted to ICASSP 2025; the dataset is described in our Interspeech 2024 paper",
    "v2: accepted to Interspeech 2025; v1 submitted to ICASSP 2025",
    "Accepted at IEEE ICASSP 2025 Satellite Workshop: Hands-free Speech Communication",  # reads as two venues
]


@pytest.mark.parametrize("comment", REFUSED_COMMENTS)
def test_comment_refused(comment: str) -> None:
    assert venue_of(comment=comment) is None


@pytest.mark.parametrize(
    "comment",
    [
        "Accepted to ICASSP 2025 \u202e5202 PSSACI ot detpeccA",  # bidi override: only the plain part reads
        "Accepted\u00a0to\u2003ICASSP\u00a02025",  # odd spaces
        "Accepted to ICASSP 2025\x00\x1b[31m",
    ],
)
def test_hostile_comment_reads_only_the_plain_venue(comment: str) -> None:
    assert venue_of(comment=comment) == Venue("ICASSP", 2025)


def test_venue_inside_a_url_is_not_read() -> None:
    assert venue_of(comment="Code: https://github.com/someone/ICASSP2025-demo") is None
    assert venue_of(comment="See www.interspeech2025.org for details") is None


def test_huge_comment_is_read_from_its_start_only() -> None:
    assert venue_of(comment="Accepted to Interspeech 2025. " + "x " * 500_000) == Venue("Interspeech", 2025)
    assert venue_of(comment="x " * 500_000 + "Accepted to Interspeech 2025") is None


@pytest.mark.parametrize(
    ("ref", "comment", "expected"),
    [
        ("Proc. Interspeech 2025, pp. 1-5", "Accepted to Interspeech 2025", "Interspeech 2025"),
        (
            "IEEE/ACM Transactions on Audio, Speech, and Language Processing, vol. 32, 2024",
            "Accepted to TASLP",
            "TASLP 2024",
        ),
        (
            "Proc. of the Annual Conference of the International Speech Communication Association",
            "Interspeech 2025",
            "Interspeech 2025",
        ),
        (
            "Findings of the Association for Computational Linguistics: ACL 2025",
            "Accepted to ACL 2025",
            "ACL 2025 Findings",
        ),
        ("IEEE/ACM TASLP, 2024", "Submitted to TASLP", "TASLP 2024"),  # the journal reference is the later word
        ("Proc. Interspeech 2024", "Accepted at ICASSP 2025", None),  # they disagree
        ("Proc. Interspeech 2024", "Accepted at Interspeech 2025", None),  # years disagree
        ("Physical Review D (2024)", "Accepted to ICASSP 2025", None),  # published where the table cannot say
    ],
)
def test_journal_reference_and_comment_together(ref: str, comment: str, expected: str | None) -> None:
    venue = venue_of(journal_ref=ref, comment=comment)
    assert (str(venue) if venue else None) == expected


def test_nothing_to_read() -> None:
    assert venue_of() is None
    assert explain_venue() == (None, "no journal reference or comment")


def test_reasons_say_why() -> None:
    assert "submitted" in explain_venue(comment="Submitted to ICASSP 2026")[1].lower()
    assert "two venues" in explain_venue(comment="Accepted to ICASSP 2025 and Interspeech 2025")[1]
    assert "without a year" in explain_venue(comment="Accepted at ICASSP")[1]
    assert "no venue of the table" in explain_venue(journal_ref="Phys. Rev. D 110, 103044 (2024)")[1]
    # A journal reference the table cannot read outweighs any comment.
    assert "no venue of the table" in explain_venue("Physical Review D (2024)", "Accepted to ICASSP 2025")[1]


# ---------------------------------------------------------------------------------------------
# How lists write venues: read back from the real lists


def seed_sub_lines() -> list[str]:
    return [line.strip()[2:] for line in SEED.read_text(encoding="utf-8").splitlines() if line.startswith("  - ")]


def test_seed_list_sub_lines() -> None:
    read = {line: venue_in_text(line) for line in seed_sub_lines()}
    assert {line: str(v) for line, v in read.items() if v} == {
        "TASLP": "TASLP",
        "ICLR 2024": "ICLR 2024",
        "ICLR2024": "ICLR 2024",
        "EMNLP 2024": "EMNLP 2024",
        "ACL 2024": "ACL 2024",
        "AAAI 2025": "AAAI 2025",
    }
    assert read["meta"] is None  # an affiliation line
    assert sum(1 for line in read if "github.com" in line and read[line] is None) == 1


LIST_STRINGS = [
    ("ckyang1124__LALM-Evaluation-Survey@c25afd1.md", "| ICASSP 2025|", Venue("ICASSP", 2025)),
    ("ckyang1124__LALM-Evaluation-Survey@c25afd1.md", "EMNLP 2024 (Main)", Venue("EMNLP", 2024, "Main")),
    ("ckyang1124__LALM-Evaluation-Survey@c25afd1.md", "ACL 2025 (Findings)", Venue("ACL", 2025, "Findings")),
    ("ckyang1124__LALM-Evaluation-Survey@c25afd1.md", "Workshop@NeuRIPS 2020", Venue("NeurIPS", 2020, "Workshop")),
    ("ckyang1124__LALM-Evaluation-Survey@c25afd1.md", "SLT 2024", Venue("SLT", 2024)),
    ("ckyang1124__LALM-Evaluation-Survey@c25afd1.md", "EUSIPCO 2022", Venue("EUSIPCO", 2022)),
    ("ckyang1124__LALM-Evaluation-Survey@c25afd1.md", "ISMIR 2025", Venue("ISMIR", 2025)),
    ("ckyang1124__LALM-Evaluation-Survey@c25afd1.md", "Interspeech 2023", Venue("Interspeech", 2023)),
    ("threegold116__Awesome-Omni-MLLMs@9b1038f.md", "|        NIPS         |", Venue("NeurIPS")),
    ("threegold116__Awesome-Omni-MLLMs@9b1038f.md", "NeurIPS<br>Workshop", Venue("NeurIPS", None, "Workshop")),
    ("threegold116__Awesome-Omni-MLLMs@9b1038f.md", "ICLR<br>Workshop", Venue("ICLR", None, "Workshop")),
    ("threegold116__Awesome-Omni-MLLMs@9b1038f.md", "EMNLP<br>industry", Venue("EMNLP", None, "Industry")),
    ("threegold116__Awesome-Omni-MLLMs@9b1038f.md", "EMNLP<br>demo", Venue("EMNLP", None, "Demo")),
    ("threegold116__Awesome-Omni-MLLMs@9b1038f.md", "TPAMI", Venue("TPAMI")),
    ("DEEP-PolyU__Awesome-GraphRAG@48abc5a.md", "(ACL 2024 Findings)", Venue("ACL", 2024, "Findings")),
    ("DEEP-PolyU__Awesome-GraphRAG@48abc5a.md", "(NeurIPS 2024)", Venue("NeurIPS", 2024)),
    ("DEEP-PolyU__Awesome-GraphRAG@48abc5a.md", "(CoLM 2024)", Venue("COLM", 2024)),
    ("DEEP-PolyU__Awesome-GraphRAG@48abc5a.md", "accepted by ICLR\u201926", Venue("ICLR", 2026)),
    ("DEEP-PolyU__Awesome-GraphRAG@48abc5a.md", "accepted by ACL'26", Venue("ACL", 2026)),
    ("Xnhyacinth__Awesome-LLM-Long-Context-Modeling@b7709ea.md", "._ ACL 2024.", Venue("ACL", 2024)),
    ("Xnhyacinth__Awesome-LLM-Long-Context-Modeling@b7709ea.md", "._ ICLR 2024 Spotlight.", Venue("ICLR", 2024)),
    (
        "Xnhyacinth__Awesome-LLM-Long-Context-Modeling@b7709ea.md",
        "._ ICML 2024 Workshop.",
        Venue("ICML", 2024, "Workshop"),
    ),
    ("Xnhyacinth__Awesome-LLM-Long-Context-Modeling@b7709ea.md", "._ TPAMI.", Venue("TPAMI")),
    ("Xnhyacinth__Awesome-LLM-Long-Context-Modeling@b7709ea.md", "._ TACL 2023.", Venue("TACL", 2023)),
    ("EdinburghNLP__awesome-hallucination-detection@64920cc.md", "(NeurIPS 2025)", Venue("NeurIPS", 2025)),
    ("threegold116__Awesome-Omni-MLLMs@9b1038f.md", "accepted as ACL2025 Findings", Venue("ACL", 2025, "Findings")),
]


@pytest.mark.parametrize(("name", "written", "expected"), LIST_STRINGS)
def test_list_written_venue(name: str, written: str, expected: Venue) -> None:
    assert written in list_text(name), "not written so in the real list"
    assert venue_in_text(written) == expected


def venue_column(name: str, column: int) -> list[str]:
    """The cells of a Markdown table column, header and rule rows left out."""
    cells = []
    for line in list_text(name).splitlines():
        row = line.split("|")
        if line.startswith("|") and len(row) > column + 1:
            cell = row[column].strip()
            if cell and cell != "Venue" and not set(cell) <= set(":-"):
                cells.append(cell)
    return cells


def test_every_venue_cell_of_the_lalm_list_is_a_venue_or_a_preprint() -> None:
    cells = venue_column("ckyang1124__LALM-Evaluation-Survey@c25afd1.md", 3)
    assert len(cells) > 100
    unread = [c for c in cells if not venue_in_text(c) and not is_preprint_marker(c)]
    assert unread == []
    preprints = [c for c in cells if is_preprint_marker(c)]
    assert set(preprints) == {"Preprint"} and not any(venue_in_text(c) for c in preprints)
    # The year written in the cell is the year read.
    for cell in cells:
        venue = venue_in_text(cell)
        written = re.search(r"(?:19|20)\d\d", cell)
        assert venue is None or venue.year == (int(written[0]) if written else None), cell


GRAPHRAG_NOT_IN_TABLE = {"LHB", "KBS", "IEEE VIS", "EDBT", "CoRL", "Bioinformatics", "BigData", "AIxSET", "ACML"}


def test_every_venue_tag_of_the_graphrag_list_reads_with_its_year() -> None:
    tags = re.findall(r"^\s*- \(([^)]*)\)", list_text("DEEP-PolyU__Awesome-GraphRAG@48abc5a.md"), re.M)
    assert len(tags) > 100
    for tag in tags:
        written = re.search(r"(?:19|20)\d\d", tag)
        assert written, tag
        name, year = tag[: written.start()].strip(), int(written[0])
        venue = venue_in_text(f"({tag})")
        if is_preprint_marker(tag) or name in GRAPHRAG_NOT_IN_TABLE:
            assert venue is None, tag
        else:
            assert venue is not None and venue.year == year, tag


def test_every_long_context_venue_tail_reads_with_its_year() -> None:
    tails = re.findall(
        r"\._ ([A-Za-z]+ (?:19|20)\d\d)\b", list_text("Xnhyacinth__Awesome-LLM-Long-Context-Modeling@b7709ea.md")
    )
    assert len(tails) > 500
    not_in_table = {"MLSys", "SIGCOMM", "SIGMOD", "ASE", "DATE", "Github"}
    for tail in set(tails):
        name, year = tail.split()
        venue = venue_in_text(tail)
        if is_preprint_marker(tail) or name in not_in_table:
            assert venue is None, tail
        else:
            assert venue is not None and venue.year == int(year), tail


def test_text_without_a_venue() -> None:
    for text in ("meta", "2024.", "", "MLSys 2024 Best Paper Award.", "NerIPS", "Github 2024.", "(LHB 2024)"):
        assert venue_in_text(text) is None, text


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("Arxiv", True),
        ("arXiv", True),
        ("Preprint", True),
        ("(arXiv 2024)", True),
        ("Arxiv 2025. &nbsp;&nbsp;", True),
        ("(TechRxiv 2024)", True),
        ("CoRR abs/2401.01234", True),
        ("`arXiv, 2411.13577`", True),
        ("arXiv preprint arXiv:2503.17407", True),
        ("ICLR 2024", False),
        ("Github 2024.", False),
        ("meta", False),
        ("", False),
        ("Accepted at ICLR 2025; arXiv version", False),
    ],
)
def test_preprint_marker(text: str, marker: bool) -> None:
    assert is_preprint_marker(text) is marker


# ---------------------------------------------------------------------------------------------
# Venue values, and the table documented


def test_str_and_same_venue() -> None:
    assert str(Venue("ICASSP", 2026)) == "ICASSP 2026"
    assert str(Venue("TASLP")) == "TASLP"
    assert str(Venue("ACL", 2025, "Findings")) == "ACL 2025 Findings"
    assert same_venue(Venue("TASLP", 2024), Venue("TASLP"))
    assert same_venue(Venue("ACL", 2025, "Findings"), Venue("ACL", 2025))
    assert not same_venue(Venue("ICLR", 2024), Venue("ICLR", 2025))
    assert not same_venue(Venue("ACL", 2024), Venue("NAACL", 2024))


def test_a_proposed_venue_reads_back_as_the_same_venue() -> None:
    """What the bot writes must count as "already shown" on the next run, for every row of the table."""
    for name, _, _ in venues.VENUES:
        for venue in (Venue(name, 2025), Venue(name), Venue(name, 2025, "Workshop")):
            read = venue_in_text(f"  - {venue}")
            assert read is not None and same_venue(read, venue), str(venue)


def test_module_docstring_documents_every_row() -> None:
    doc = venues.__doc__ or ""
    table = {m[1]: m[2] for m in re.finditer(r"^    (\S.*?)\s{2,}(conference|workshop|journal)\s", doc, re.M)}
    assert table == {name: kind for name, kind, _ in venues.VENUES}


def test_no_alias_belongs_to_two_venues() -> None:
    seen: dict[str, str] = {}
    for name, _, aliases in venues.VENUES:
        for alias in aliases:
            assert seen.setdefault(alias.lower(), name) == name, alias


def test_test_data_exists() -> None:
    assert Path(BIG_FEED).is_file() and SEED.is_file() and LISTS.is_dir()
