"""Matching papers against list entries the way real lists need it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SEED_LIST, SHARED
from watcher import listfile
from watcher.titles import ListedEntry, TitleIndex, plain_title, title_key

SEED_INDEX = TitleIndex(e.listed() for e in listfile.parse(SEED_LIST.read_text()).entries)


@pytest.mark.parametrize(
    ("listed", "announced"),
    [
        ("Qwen2-Audio Technical Report", "QWEN2-AUDIO TECHNICAL REPORT"),
        ("Qwen2-Audio Technical Report", "Qwen2 Audio  Technical\nReport"),
        ("SpeechGPT: Empowering LLMs", "SpeechGPT – Empowering LLMs"),
        ("Don't Stop", "Don’t Stop"),
        ("Few-shot TTS", "Few‐shot TTS"),  # U+2010 hyphen
        ("Fine-tuning $\\alpha$-Whisper", "Fine-tuning α-Whisper".replace("α", "alpha")),
        ("R\\'emy's Codec", "Rémy's Codec"),
        ("\\emph{Moshi}: a model", "Moshi: a model"),
    ],
)
def test_equivalent_titles_have_one_key(listed: str, announced: str) -> None:
    assert title_key(listed) == title_key(announced)


def test_plain_title_strips_latex() -> None:
    assert plain_title("On $\\mathbf{x}$-vectors and \\textit{LLMs}~today") == "On x-vectors and LLMs today"


def test_truncated_seed_title_matches_the_full_title() -> None:
    full = "Wav2Prompt: End-to-End Speech Prompt Generation and Tuning For LLM in Zero and Few-shot Learning"
    hit = SEED_INDEX.match("2406.00522", full)
    assert hit is not None and hit.title.endswith("Few-shot Learnin")


def test_short_titles_do_not_prefix_match() -> None:
    index = TitleIndex([ListedEntry("Moshi")])
    assert index.match("", "Moshi: a speech-text foundation model") is None


def test_near_identical_word_sets_match_but_different_papers_do_not() -> None:
    index = TitleIndex([ListedEntry("A Survey on Speech Large Language Models for Understanding")])
    assert index.match("", "A survey on speech large language models for understanding.") is not None
    assert index.match("", "A Survey on Speech Large Language Models for Generation") is None


def test_arxiv_id_from_a_link_matches_whatever_the_title() -> None:
    index = TitleIndex([ListedEntry("Some older title", frozenset({"2410.00037"}))])
    assert index.match("2410.00037", "Completely renamed v2") is not None


def test_every_enriched_seed_title_matches_its_list_entry() -> None:
    """The enriched file holds the arXiv titles of the list entries: all must be recognised."""
    rows = [json.loads(line) for line in (SHARED / "seed-enriched.jsonl").read_text().splitlines()]
    misses = [r["title"] for r in rows if SEED_INDEX.match("", r["title"]) is None]
    assert misses == []


def test_unrelated_pool_papers_do_not_match() -> None:
    rows = [json.loads(line) for line in (SHARED / "pool-dev.jsonl").read_text().splitlines()]
    listed = {r["arxiv_id"] for r in (json.loads(x) for x in (SHARED / "seed-enriched.jsonl").read_text().splitlines())}
    false_hits = [r["title"] for r in rows if r["arxiv_id"] not in listed and SEED_INDEX.match("", r["title"])]
    assert false_hits == []


@pytest.mark.parametrize(
    "title",
    [
        "Recent Advances in Speech Language Models: A Survey on Evaluation and Benchmarks",
        "Moshi: a speech-text foundation model for real-time dialogue in noisy environments",
        "Masked Audio Generation using a Single Non-Autoregressive Transformer for Speech Enhancement",
    ],
)
def test_a_longer_title_that_begins_with_a_listed_one_is_another_paper(title: str) -> None:
    assert SEED_INDEX.match("2599.00001", title) is None


def test_only_visibly_cut_titles_match_as_prefixes() -> None:
    cut = TitleIndex(
        [
            ListedEntry(
                "Wav2Prompt: End-to-End Speech Prompt Generation and Tuning For LLM in Zero and Few-shot Learnin"
            ),
            ListedEntry("A Very Long Title About Spoken Language Models That Was Cut..."),
        ]
    )
    assert (
        cut.match(
            "", "Wav2Prompt: End-to-End Speech Prompt Generation and Tuning For LLM in Zero and Few-shot Learning"
        )
        is not None
    )
    assert cut.match("", "A Very Long Title About Spoken Language Models That Was Cut Short by the Editor") is not None
    assert (
        cut.match(
            "", "Wav2Prompt: End-to-End Speech Prompt Generation and Tuning For LLM in Zero and Many-shot Learning"
        )
        is None
    )
