"""What a reviewer reads about a proposal, in words: authors, the abstract's opening, the
standing, a close runner-up, the nearest entry under the heading. Pure."""

from __future__ import annotations

import pytest

from tests import builders
from watcher import glance
from watcher.scoring import Neighbour


@pytest.mark.parametrize(
    "authors, shown",
    [
        ("", ""),
        ("Ann Lee", "Ann Lee"),
        ("Ann Lee, Bo Chen, Cy Diaz", "Ann Lee, Bo Chen, Cy Diaz"),
        ("Ann Lee, Bo Chen, Cy Diaz, Dee Evans", "Ann Lee, Bo Chen, Cy Diaz et al."),
        ("Ann Lee (Univ. X, Lab Y), Bo\n   Chen, Cy Diaz, D. E.", "Ann Lee (Univ. X, Lab Y), Bo Chen, Cy Diaz et al."),
        ("\\v{S}imon Sedl\\'a\\v{c}ek, Santosh Kesiraju", "Simon Sedlacek, Santosh Kesiraju"),
    ],
)
def test_first_authors(authors: str, shown: str) -> None:
    assert glance.first_authors(authors) == shown


@pytest.mark.parametrize(
    "abstract, opening",
    [
        ("", ""),
        ("One sentence only", "One sentence only"),
        ("We build a codec. It is small. It is fast.", "We build a codec. It is small."),
        # abbreviations and initials end no sentence
        (
            "As e.g. Smith et al. In 2020 found, A. Lee is right. Then more. And more.",
            "As e.g. Smith et al. In 2020 found, A. Lee is right. Then more.",
        ),
        ("A   spaced\n abstract.  Second one.", "A spaced abstract. Second one."),
        ("Short. " + "Long " * 80, "Short."),  # the second sentence would not fit: left out
    ],
)
def test_opening_is_the_first_sentence_or_two(abstract: str, opening: str) -> None:
    assert glance.opening(abstract) == opening


def test_an_opening_sentence_too_long_is_cut_at_a_word() -> None:
    text = glance.opening("word " * 200)
    assert len(text) <= glance.OPENING_CHARS and text.endswith("word…")


@pytest.mark.parametrize(
    "standing, lead, words",
    [
        (None, 0.0, ""),
        (0.0, 0.0, "above 0% of list entries"),
        (0.873, 0.0, "above 87% of list entries"),
        (0.9899, 0.0, "above 99% of list entries"),
        (0.9962, 0.0, "above 99.6% of list entries"),
        (1.0, 1.26, "above all list entries (+1.3)"),
        (1.0, 0.02, "above all list entries"),  # just past the best: no "+0.0"
    ],
)
def test_standing_words(standing: float | None, lead: float, words: str) -> None:
    assert glance.standing_words(standing, lead) == words


def test_a_paper_without_a_standing_shows_its_probability() -> None:
    assert glance.Score(None, 0.0, 0.934).words == "relevance 0.93"
    assert glance.Score(0.2, 0.0, 0.1).rank > glance.Score(None, 0.0, 0.99).rank
    assert glance.Score(1.0, 2.0, 1.0).rank > glance.Score(1.0, 1.0, 1.0).rank  # past the best: the lead decides


@pytest.mark.parametrize(
    "scores, shown",
    [
        ({"codec": 0.5, "NLP": 0.25}, "NLP"),  # exactly half as likely: close
        ({"codec": 0.5, "NLP": 0.24}, ""),
        ({"codec": 0.5}, ""),
    ],
)
def test_the_runner_up_is_named_only_when_close(scores: dict[str, float], shown: str) -> None:
    s = builders.scored("1", "t", heading="codec", runner_up="NLP", heading_scores=scores)
    assert glance.close_runner_up(s) == shown


def test_the_nearest_entry_is_the_one_under_the_heading_else_the_nearest_of_all() -> None:
    near = (Neighbour("A", "multi-task", 0.9), Neighbour("B", "codec", 0.7))
    s = builders.scored("1", "t", heading="codec", nearest=near)
    assert glance.nearest_under(s) == near[1]
    assert glance.nearest_under(s, "NLP") == near[0]
    assert glance.nearest_under(builders.scored("1", "t", nearest=())) is None
