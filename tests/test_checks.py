"""Training checks: each catches the model it is for, and a good model passes them all. Pure."""

from __future__ import annotations

from collections import Counter

import numpy as np

from watcher.checks import Heldout, check, list_growth_per_day, separation

RNG = np.random.default_rng(0)
DAYS = np.array([f"2025-05-{d:02d}" for d in range(1, 11)]).repeat(250)  # ten days of 250 papers
HEADINGS = ("codec", "benchmark")


def heldout(pos: np.ndarray, bg: np.ndarray, passes: np.ndarray | None = None) -> Heldout:
    passes = np.ones(len(bg), bool) if passes is None else passes
    return Heldout(pos, bg, passes, bg, DAYS[: len(bg)])


def run(held: Heldout, threshold: float, **kw: object):
    args = {
        "positives": 120,
        "with_abstract": 110,
        "heading_counts": Counter({"codec": 60, "benchmark": 60}),
        "headings": HEADINGS,
        "list_ids": [],
        **kw,
    }
    return check(held, threshold=threshold, **args)  # type: ignore[arg-type]


GOOD = heldout(RNG.normal(3, 1, 120), RNG.normal(0, 1, 2500))


def test_a_model_that_separates_the_list_passes_and_says_how_much_it_proposes() -> None:
    c = run(GOOD, threshold=3.0)
    assert c.passed and c.warnings == []
    assert 0.95 < c.figures["separation"] <= 1.0
    assert c.figures["papers_per_day"] == 250 and 0 < c.figures["estimated_proposals_per_day"] < 2


def test_the_same_score_for_every_paper_is_an_error() -> None:
    c = run(heldout(np.zeros(120), np.zeros(2500)), threshold=0.0)
    assert not c.passed and "the same score" in c.errors[0]


def test_a_list_the_model_cannot_tell_from_the_background_is_an_error() -> None:
    c = run(heldout(RNG.normal(0, 1, 120), RNG.normal(0, 1, 2500)), threshold=1.5)
    assert any("cannot tell held-out list entries from background papers" in e for e in c.errors)


def test_a_threshold_below_the_gate_is_an_error() -> None:
    bg = np.r_[RNG.normal(0, 1, 2000), RNG.normal(0, 1, 500) - 100]  # gated-out papers sit 100 below
    passes = np.r_[np.ones(2000, bool), np.zeros(500, bool)]
    c = run(heldout(RNG.normal(3, 1, 120), bg, passes), threshold=-150.0)
    assert any("fail the profile's gate" in e for e in c.errors)
    assert any("would propose about 250 of the 250 papers of a day" in e for e in c.errors)


def test_proposing_far_more_than_the_list_grows_is_a_warning_and_burying_the_day_an_error() -> None:
    ids = [f"25{m:02d}.{i:05d}" for m in range(1, 13) for i in range(2)]  # 24 entries in a year
    c = run(GOOD, threshold=2.0, list_ids=ids)  # about 2.3% of a day: 6 papers
    assert c.passed and c.figures["list_growth_per_day"] == round(24 / 250, 2)
    assert any("the list grew by about 0.10 a day" in w for w in c.warnings)
    c = run(GOOD, threshold=1.0, list_ids=ids)  # about 16% of a day: 39 papers
    assert not c.passed and "would propose about 39 of the 250 papers of a day (16%)" in c.errors[0]
    assert "mostly noise" in c.errors[0]
    assert run(GOOD, threshold=1.0).passed  # without a growth rate to compare with: not an error
    sparse = [f"25{m:02d}.00001" for m in range(1, 13, 2)] + ["2301.00001"] * 6  # 6 in its last year: 0.024 a day
    c = run(GOOD, threshold=2.0, list_ids=sparse)  # the same 5 papers a day: 200 times its growth
    assert not c.passed and "would propose about 5 of the 250 papers of a day (2%)" in c.errors[0]
    assert "mostly noise" in c.errors[0]


def test_headings_without_entries_and_too_few_entries() -> None:
    c = run(GOOD, threshold=3.0, heading_counts=Counter({"codec": 2}), positives=2, with_abstract=0)
    assert any("only 2 list entries to learn from" in e for e in c.errors)
    assert any("no entries to learn from under 'benchmark'" in w for w in c.warnings)
    assert any("fewer than 3 entries under 'codec'" in w for w in c.warnings)
    assert any("0 of 2 list entries have an abstract" in w for w in c.warnings)


def test_separation_and_growth() -> None:
    assert separation(np.array([2.0, 3.0]), np.array([0.0, 1.0])) == 1.0
    assert separation(np.array([1.0]), np.array([1.0])) == 0.5
    assert list_growth_per_day(["2501.00001"] * 5) is None  # too few ids to tell
    assert list_growth_per_day([f"24{m:02d}.00001" for m in range(1, 13)] + ["2101.00001"] * 5) == 12 / 250
