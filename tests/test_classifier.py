"""The classifier on real data: MiniLM parity, training, thresholds, headings, reasons, artifacts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

import watcher
from tests import builders
from tests.conftest import SHARED
from watcher import artifact
from watcher.classifier import Model, Recipe
from watcher.embedding import MiniLM, WordPiece, default_weights_dir
from watcher.errors import ModelError
from watcher.fitting import Example, train
from watcher.paper import Paper

POOL = [json.loads(x) for x in (SHARED / "pool-dev.jsonl").read_text().splitlines()]
SEED = [json.loads(x) for x in (SHARED / "seed-enriched.jsonl").read_text().splitlines()]
DAYS = sorted({p["published"] for p in POOL})


paper = builders.paper_of  # a paper from a row of the shared data


def examples(background_days: list[str]) -> list[Example]:
    out = [Example(paper(s), 1, s["section"], "list") for s in SEED]
    out += [
        Example(paper(p), 0, None, "background", day=p["published"]) for p in POOL if p["published"] in background_days
    ]
    return out


@pytest.fixture(scope="module")
def lexical_model() -> Model:
    return train(
        examples(DAYS[:4]),
        profile=builders.seed_profile(),
        encoder=None,
        recipe=Recipe(embeddings=False),
        target_precision=0.8,
    )


def day_papers(day: str) -> list[dict]:
    return [p for p in POOL if p["published"] == day and p.get("announce_guess") != "replacement"]


# -- MiniLM ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm() -> MiniLM:
    return MiniLM.load(max_length=128)


def test_minilm_matches_sentence_transformers(minilm: MiniLM) -> None:
    """Reference values computed with sentence-transformers (torch) on the same weights."""
    a, b = minilm.encode(["Speech language models for spoken dialogue", "A survey of galaxy cluster cosmology"])
    assert np.allclose(a[:6], [-0.02941, -0.09281, 0.05007, -0.02477, -0.042, 0.01342], atol=2e-5)
    assert np.allclose(b[:6], [-0.04551, -0.06765, -0.01073, 0.05996, 0.00574, 0.01812], atol=2e-5)
    assert abs(float(a @ b) - 0.10942) < 1e-4
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-5


def test_wordpiece_matches_the_hugging_face_tokenizer() -> None:
    weights = default_weights_dir()
    assert weights is not None
    tok = WordPiece.from_file(weights / "vocab.txt")
    assert tok.encode("Qwen2-Audio: ﬁne-tuning Whisper [CLS] for ΣΑΣ", 128) == [
        101,
        1053,
        12449,
        2475,
        1011,
        5746,
        1024,
        1984,
        2638,
        1011,
        17372,
        7204,
        101,
        2005,
        1173,
        14608,
        29733,
        102,
    ]


def test_a_word_over_a_hundred_characters_is_one_unknown_token_at_once() -> None:
    weights = default_weights_dir()
    assert weights is not None
    tok = WordPiece.from_file(weights / "vocab.txt")
    started = time.perf_counter()
    ids = tok.encode("speech " + "a" * 4000 + " model", 128)
    assert time.perf_counter() - started < 0.1  # the greedy match used to take 20 s on this word
    assert ids == [tok.cls, *tok.encode("speech", 128)[1:-1], tok.unk, *tok.encode("model", 128)[1:-1], tok.sep]
    assert tok.encode("a" * 100, 128) != [tok.cls, tok.unk, tok.sep]  # 100 characters is still a word


def test_a_hostile_one_word_abstract_of_100_kb_is_scored_in_well_under_a_second() -> None:
    from tests.conftest import ROOT
    from watcher.model_store import load_model

    model = load_model(ROOT / "models")  # the committed model
    hostile = Paper("2506.99999", "Speech language model tokens", "x" * 100_000, categories=("eess.AS",))
    model.score([Paper("2506.99998", "Warm up", "speech language model")])
    started = time.perf_counter()
    (s,) = model.score([hostile])
    assert time.perf_counter() - started < 1.0  # about 0.03 s on an idle machine
    assert 0.0 <= s.relevance <= 1.0
    weights = default_weights_dir()
    assert weights is not None
    encoder = MiniLM.load(weights)  # the embedding option reads the same text
    encoder.encode(["warm up"])
    started = time.perf_counter()
    (vector,) = encoder.encode([hostile.title + ". " + hostile.abstract])
    assert time.perf_counter() - started < 1.0
    assert np.isfinite(vector).all()


def test_minilm_refuses_weights_that_are_not_the_pinned_ones(tmp_path: Path) -> None:
    weights = default_weights_dir()
    assert weights is not None
    (tmp_path / "vocab.txt").write_bytes((weights / "vocab.txt").read_bytes())
    (tmp_path / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    with pytest.raises(ModelError, match="sha256 differs"):
        MiniLM.load(tmp_path)
    with pytest.raises(ModelError, match="is missing"):
        MiniLM.load(tmp_path / "nowhere")


# -- the profile ----------------------------------------------------------------------------------

SEED_PROFILE = builders.seed_profile()


def keyword(title: str) -> float:
    return SEED_PROFILE.keyword_score(SEED_PROFILE.facet_weights(title, ""))


def test_keyword_score_wants_every_facet() -> None:
    both = keyword("Speech LLMs for spoken dialogue")
    audio = keyword("Speech enhancement with diffusion")
    text = keyword("Large language models for law")
    assert both > 10 * max(audio, text)


def passes(p: dict) -> bool:
    title, abstract = p["title"], p["abstract"] or ""
    return SEED_PROFILE.passes(title, abstract, p["categories"], SEED_PROFILE.facet_weights(title, abstract))


def test_gate_lets_no_relevant_dev_paper_fall_through() -> None:
    assert [p["title"] for p in POOL if p["label"] != "irrelevant" and not passes(p)] == []
    assert sum(passes(p) for p in POOL) < 0.3 * len(POOL)


HEADINGS = ["multi-task", "generation task", "ASR/ST", "NLP", "codec", "benchmark", "other"]


def _cued(title: str, abstract: str = "") -> str:
    cues = SEED_PROFILE.cue_scores(title, abstract, HEADINGS)
    return HEADINGS[int(np.argmax(cues))] if max(cues) > 0 else "none"


@pytest.mark.parametrize(
    ("title", "heading"),
    [
        # the rubric's usage, item by item (../shared/data/README.md, "Heading assignment")
        ("Towards Holistic Evaluation of Large Audio-Language Models: A Comprehensive Survey", "benchmark"),
        ("A Survey on Speech Large Language Models", "multi-task"),
        ("Retrieval-Augmented Generation over Spoken Documents", "multi-task"),
        ("Analyzing Catastrophic Forgetting in Speech Language Models", "other"),
        ("Defending Audio LLMs Against Audio Prompt Injection", "other"),
        ("Lip Reading Meets Large Language Models", "ASR/ST"),
        ("Clipping Artifacts in Audio Language Models", "none"),  # "lip" inside a word is not lip reading
    ],
)
def test_heading_cues_follow_the_rubric(title: str, heading: str) -> None:
    assert _cued(title) == heading


def test_the_profile_in_config_matches_the_vocabulary_it_replaced() -> None:
    """config.toml's [profile] is the vocabulary that was code until this round (kept in
    benchmarks/legacy_domain.py): the same facet weights, gate and cues on every real paper, but
    for a handful of papers that neither facet nor gate lets through."""
    import sys

    from tests.conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import legacy_domain as legacy

    papers = POOL + SEED
    differ = {"facets": 0, "gate": 0, "cues": 0}
    for p in papers:
        t, a = " ".join(p["title"].split()), " ".join((p.get("abstract") or "").split())
        old, new = legacy.term_weights(t, a), SEED_PROFILE.facet_weights(t, a)
        differ["facets"] += old[0] != new[0] or (old[0] > 0 and abs(old[1] - new[1]) > 1e-9)
        gate = legacy.passes_gate(old[0], p.get("categories") or [], t, a)
        differ["gate"] += gate != SEED_PROFILE.passes(t, a, p.get("categories") or [], new)
        if gate:
            cues = zip(legacy.heading_cues(t, a, HEADINGS), SEED_PROFILE.cue_scores(t, a, HEADINGS), strict=True)
            differ["cues"] += any(abs(x - y) > 0.01 for x, y in cues)
    assert differ["facets"] == 0 and differ["gate"] == 0  # where the keyword score is not 0
    assert differ["cues"] <= 0.002 * len(papers)  # "evaluat* + survey*" reads a sentence, not 60 characters


@pytest.mark.parametrize("which", ["seed", "rules"])
def test_the_batch_profile_answers_as_one_paper_at_a_time(which: str) -> None:
    """facet_weights_each and passes_each (what training and scoring use) give exactly what
    facet_weights and passes give paper by paper, on every real paper: with the seed's profile,
    and with require, exclude, a gate term of two parts that must share a sentence, categories."""
    from watcher.profile import Profile

    rules = {
        "facets": [["*speech*", "asr", "large language model + speech*^0.5"], ["llm*", "*token*^0.25"]],
        "gate": ["*dialog*", "evaluat* + survey*"],
        "categories": ["cs.SD"],
        "require": ["llm*", "*speech*", "*language model*"],
        "exclude": ["*separation*", "speech enhancement"],
    }
    profile = SEED_PROFILE if which == "seed" else Profile().overridden_by(rules)
    papers = [(p["title"], p.get("abstract") or "") for p in POOL + SEED]
    categories = [p.get("categories") or [] for p in POOL + SEED]
    one = [profile.facet_weights(t, a) for t, a in papers]
    assert profile.facet_weights_each(papers) == one
    gate = [profile.passes(t, a, c, w) for (t, a), c, w in zip(papers, categories, one, strict=True)]
    assert profile.passes_each(papers, categories, one) == gate
    assert 0 < sum(gate) < len(gate)  # the gate decides something here


# -- training and scoring --------------------------------------------------------------------------


def test_lexical_model_ranks_a_held_out_day(lexical_model: Model) -> None:
    from sklearn.metrics import average_precision_score

    papers = [p for p in day_papers(DAYS[10]) if p["label"] != "uncertain"]
    scored = lexical_model.score([paper(p) for p in papers])
    y = [p["label"] == "relevant" for p in papers]
    assert sum(y) >= 3
    assert average_precision_score(y, [s.relevance for s in scored]) > 0.7
    assert all(0.0 <= s.relevance <= 1.0 for s in scored)
    selected = [p["label"] for p, s in zip(papers, scored, strict=True) if s.selected]
    assert selected and selected.count("relevant") >= 0.6 * len(selected)


def test_relevance_is_monotonic_in_the_fused_score_and_matches_selected(lexical_model: Model) -> None:
    papers = [paper(p) for p in day_papers(DAYS[9])]
    r = lexical_model.score_arrays(papers)
    order = np.argsort(r.fused)
    assert np.all(np.diff(r.prob[order]) >= -1e-12)
    scored = lexical_model.score(papers)
    assert [s.selected for s in scored] == list(r.fused >= lexical_model.threshold)


def test_scores_carry_headings_runner_up_and_reasons(lexical_model: Model) -> None:
    (s,) = lexical_model.score(
        [
            Paper(
                "2506.00001",
                "A Neural Audio Codec Tokenizer for Speech Language Models",
                "We propose a neural codec with discrete tokens for LLM-based TTS.",
            )
        ]
    )
    assert set(s.heading_scores) == {"multi-task", "generation task", "ASR/ST", "NLP", "codec", "benchmark", "other"}
    assert abs(sum(s.heading_scores.values()) - 1) < 1e-3
    assert s.heading == "codec" and s.runner_up != s.heading
    # the three nearest entries, then the nearest under the runner-up when those hold none
    assert len(s.nearest) in (3, 4) and all(n.title and n.heading for n in s.nearest)
    assert {s.heading, s.runner_up} <= {n.heading for n in s.nearest}
    assert s.terms and "codec" in " ".join(s.terms)
    assert s.why.startswith("close to “")


def test_terms_are_what_sets_a_paper_apart_not_what_every_entry_shares(lexical_model: Model) -> None:
    from watcher import features

    share = features.list_share(lexical_model.neighbours.lex)
    assert share[features.bucket("speech")] > features.COMMON_SHARE  # most of the list's entries say it
    papers = [paper(p) for p in day_papers(DAYS[9])]
    for s in lexical_model.score(papers):
        if s.selected:
            assert 1 <= len(s.terms) <= 4 and "speech" not in s.terms and "audio" not in s.terms
            assert all(share[features.bucket(t)] <= features.COMMON_SHARE for t in s.terms)
    assert lexical_model.score(papers[:5]) == lexical_model.score(papers[:5])  # deterministic


def test_distinctive_terms_leave_out_the_lists_words_one_off_pairs_and_repeats() -> None:
    from watcher import features

    idf = np.ones(features.N_FEATURES, dtype=np.float32)
    share = np.zeros(features.N_FEATURES, dtype=np.float32)
    share[features.bucket("speech")] = 0.8  # most entries say it
    terms = features.distinctive_terms(
        "Speech contamination in benchmarks",
        "Benchmarks are contaminated. Contamination matters, growing focus. Speech tokens and speech tokens.",
        idf,
        share,
        100,
    )
    assert "speech" not in terms and "contamination" in terms and "contaminated" not in terms
    assert "growing focus" not in terms  # a pair said once, not in the title
    assert "contamination matters" not in terms and "matters growing" not in terms  # across a comma
    assert "tokens" in " ".join(terms)  # "speech tokens" said twice; "speech" alone is the list's


def test_the_standing_places_a_paper_among_the_lists_held_out_entries(lexical_model: Model) -> None:
    ref = lexical_model.reference
    assert ref is not None and len(ref) == 101 and np.all(np.diff(ref) >= 0)
    share, lead = lexical_model.standing(np.array([ref[0] - 1, ref[50], ref[-1], ref[-1] + 2.5]))
    assert share is not None
    assert list(np.round(share, 2)) == [0.0, 0.5, 1.0, 1.0] and list(np.round(lead, 6)) == [0, 0, 0, 2.5]
    papers = [paper(p) for p in day_papers(DAYS[9])]
    proposed = [s for s in lexical_model.score(papers) if s.selected]
    assert proposed and all(s.standing is not None and 0 <= s.standing <= 1 for s in proposed)
    fused = lexical_model.score_arrays(papers).fused
    standing, _ = lexical_model.standing(fused)
    assert standing is not None and np.all(np.diff(standing[np.argsort(fused)]) >= 0)  # the score's order
    assert len({s.standing for s in proposed}) == len(proposed)  # interpolated: no two alike


def test_a_model_saved_without_the_standing_reference_loads_and_shows_none(lexical_model: Model) -> None:
    arrays = {k: v for k, v in lexical_model.to_arrays().items() if k != "standing.reference"}
    old = Model.from_arrays(arrays, lexical_model.recipe, {}, None, "old")
    (s,) = old.score([paper(day_papers(DAYS[9])[0])])
    assert old.reference is None and s.standing is None and s.lead == 0.0


def test_papers_failing_the_gate_are_never_selected(lexical_model: Model) -> None:
    (s,) = lexical_model.score(
        [
            Paper(
                "x",
                "Large language models for legal reasoning and instruction following",
                "LLM benchmark with chain-of-thought prompting.",
            )
        ]
    )
    assert not s.selected and s.relevance < 0.01


def test_cold_start_threshold_is_estimated_from_training_data(lexical_model: Model) -> None:
    info = lexical_model.info
    assert info["calibration"] == "pu"
    assert 0.0 < info["hidden_positive_share"] < 0.2
    assert info["cv_precision"] >= 0.8


def test_reviewed_papers_switch_to_platt_calibration() -> None:
    ex = examples(DAYS[:2])
    for p in POOL:
        if p["published"] in DAYS[2:4] and p["label"] in ("relevant", "irrelevant"):
            ex.append(
                Example(
                    paper(p),
                    int(p["label"] == "relevant"),
                    p.get("section"),
                    "accepted" if p["label"] == "relevant" else "rejected",
                    day=p["published"],
                )
            )
    model = train(
        ex, profile=builders.seed_profile(), encoder=None, recipe=Recipe(embeddings=False), target_precision=0.8
    )
    assert model.info["calibration"] == "reviewed"
    assert model.probability_threshold < 0.8  # the papers above it average the target, 0.8
    assert 0.7 <= model.info["cv_precision"] <= 0.9


# -- artifacts ------------------------------------------------------------------------------------


def test_model_round_trips_through_the_artifact(lexical_model: Model, tmp_path: Path) -> None:
    card = {"model_id": "t", "recipe": vars(lexical_model.recipe), "cross_validation": {}}
    artifact.save(tmp_path, card, {"model": lexical_model.to_arrays()})
    art = artifact.load(tmp_path)
    again = Model.from_arrays(art.part("model"), lexical_model.recipe, {}, None, "t")
    papers = [paper(p) for p in day_papers(DAYS[12])[:60]]
    a, b = lexical_model.score(papers), again.score(papers)
    assert [round(x.relevance, 9) for x in a] == [round(x.relevance, 9) for x in b]
    assert [x.heading for x in a] == [x.heading for x in b]


def test_what_is_serialised_is_named_and_the_components_are_a_list(lexical_model: Model) -> None:
    arrays = lexical_model.to_arrays()
    assert [str(n) for n in arrays["relevance.parts"]] == ["keyword", "lexical"]  # no embeddings: two parts
    for name in ("keyword", "lexical"):
        assert float(arrays[f"relevance.{name}.std"]) > 0
    assert {"relevance.lexical.bias", "threshold", "calibration.kind", "heading.names", "nearest.titles"} <= set(arrays)
    assert all(v.dtype != object for v in arrays.values())


def test_an_old_model_format_is_refused_with_the_command_that_rebuilds_it(lexical_model: Model, tmp_path: Path) -> None:
    card = {"model_id": "t", "recipe": vars(lexical_model.recipe)}
    artifact.save(tmp_path, card, {"model": lexical_model.to_arrays()})
    data = json.loads((tmp_path / "card.json").read_text())
    data["format"] = "watcher-model/1"
    (tmp_path / "card.json").write_text(json.dumps(data))
    with pytest.raises(ModelError) as err:
        artifact.load(tmp_path)
    assert data["libraries"]["watcher"] == watcher.__version__  # the card records the version that built it
    assert err.value.message == (
        f"{tmp_path} holds a watcher-model/1 model (built by watcher {watcher.__version__}); watcher "
        f"{watcher.__version__} reads {artifact.FORMAT}: rebuild it with `watcher train`, or "
        "`watcher init --retrain` in the list's repository"
    )


def test_corrupt_foreign_and_pickled_artifacts_are_refused(lexical_model: Model, tmp_path: Path) -> None:
    card = {"model_id": "t", "recipe": vars(lexical_model.recipe)}
    artifact.save(tmp_path, card, {"model": lexical_model.to_arrays()})
    npz = tmp_path / "model.npz"
    good = npz.read_bytes()
    npz.write_bytes(good[:-100])
    with pytest.raises(ModelError, match="is corrupt \\(sha256 differs from the card\\)"):
        artifact.load(tmp_path)
    npz.write_bytes(good)
    data = json.loads((tmp_path / "card.json").read_text())
    data["libraries"]["scikit-learn"] = "0.24.2"
    (tmp_path / "card.json").write_text(json.dumps(data))
    with pytest.raises(ModelError, match=r"was built with scikit-learn 0\.24\.2"):
        artifact.load(tmp_path)
    # an array file holding Python objects (pickle) is refused even with a matching checksum
    artifact.save(tmp_path, card, {"model": {"x": np.array([{"evil": 1}], dtype=object)}})
    with pytest.raises(ModelError, match="cannot be read"):
        artifact.load(tmp_path)
    (tmp_path / "card.json").write_text("{not json")
    with pytest.raises(ModelError, match=r"card\.json is corrupt"):
        artifact.load(tmp_path)
    with pytest.raises(ModelError, match="no model in"):
        artifact.load(tmp_path / "empty")


def test_a_flat_list_with_one_heading_trains_and_files_everything_under_it() -> None:
    """Many lists are one flat list: the relevance model is learned as for any list, and every
    paper goes under the one heading, with no runner-up to show."""
    from watcher import glance

    flat = [Example(paper(s), 1, "Papers", "list") for s in SEED]
    flat += [Example(paper(p), 0, None, "background", day=p["published"]) for p in POOL if p["published"] in DAYS[:4]]
    model = train(
        flat, profile=builders.seed_profile(), encoder=None, recipe=Recipe(embeddings=False), target_precision=0.8
    )
    assert model.headings == ["Papers"]
    scored = model.score([paper(p) for p in day_papers(DAYS[5])])
    assert {s.heading for s in scored} == {"Papers"} and all(s.heading_scores == {"Papers": 1.0} for s in scored)
    assert not any(glance.close_runner_up(s) for s in scored)
    relevant = [s for s, p in zip(scored, day_papers(DAYS[5]), strict=True) if p["label"] == "relevant"]
    assert sum(s.selected for s in relevant) >= len(relevant) / 2  # and it still finds the list's papers
