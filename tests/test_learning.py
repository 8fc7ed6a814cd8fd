"""Learning from review, on real papers: rejections push similar papers down, heading
corrections pull similar papers to the corrected heading. Through the daily run's own path:
review outcomes in the state database make the model stale, and it retrains."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from tests import builders
from tests.conftest import SEED_LIST, SHARED
from tests.realdays import days, pool, write_config
from watcher import artifact, listfile
from watcher.classifier import Model, Recipe
from watcher.config import load_settings
from watcher.fitting import Example, fit
from watcher.model_store import ModelStore, model_from, save_model
from watcher.ports import Decision, Feedback
from watcher.state import State
from watcher.training_data import list_fingerprint

SEED = [json.loads(x) for x in (SHARED / "seed-enriched.jsonl").read_text().splitlines()]
BASE_DAYS = days()[:4]
LATER = days()[4:]


paper = builders.paper_of  # a paper from a row of the shared data


def enhancement(day_set: list[str]) -> list[dict]:
    """Speech enhancement and source separation: audio papers the list does not want."""
    return [
        p
        for p in pool()
        if p["published"] in day_set
        and p["label"] == "irrelevant"
        and p.get("announce_guess") != "replacement"
        and re.search(r"separation|speech enhancement", p["title"], re.I)
    ]


@pytest.fixture(scope="module", params=["lexical", pytest.param("embeddings", marks=pytest.mark.soak)])
def scenario(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The product's default model (lexical, as config.toml ships it); with MiniLM embeddings
    (`classifier.embeddings = true`) in the soak set, where the encoding time is affordable."""
    with_embeddings = request.param == "embeddings"
    encoder = request.getfixturevalue("remembered_minilm") if with_embeddings else None
    tmp = tmp_path_factory.mktemp("learning")
    doc = listfile.parse(SEED_LIST.read_text())
    examples = [Example(paper(s), 1, s["section"], "list") for s in SEED]
    examples += [
        Example(paper(p), 0, None, "background", day=p["published"]) for p in pool() if p["published"] in BASE_DAYS
    ]
    fitted = fit(
        examples,
        profile=builders.seed_profile(),
        encoder=encoder,
        recipe=Recipe(embeddings=with_embeddings),
        target_precision=0.8,
    )
    save_model(
        tmp / "models", fitted, examples, list_fp=list_fingerprint(doc), feedback_fp="none", target_precision=0.8
    )
    config = write_config(tmp, model_dir=tmp / "models", embeddings=with_embeddings)
    settings = load_settings(config)
    base = model_from(artifact.load(tmp / "models"))

    # What the maintainers did with the bot's proposals from the first later days:
    early, late = LATER[:3], LATER[3:]  # reviews of the first later days; effects on the rest
    rejected = enhancement(early)
    relevant_early = [p for p in pool() if p["published"] in early and p["label"] == "relevant"]
    predicted = base.score([paper(p) for p in relevant_early])
    corrected = [(p, s.heading) for p, s in zip(relevant_early, predicted, strict=True) if s.heading != p["section"]]
    with State.open(settings.state.path) as state, state.transaction() as db:
        state.record(
            db, [Decision(paper(p), "proposed", heading=h) for p, h in [(p, "other") for p in rejected] + corrected]
        )
        state.record_feedback(
            db,
            [Feedback(p["arxiv_id"], "rejected", None, "other", 1, p["title"]) for p in rejected]
            + [Feedback(p["arxiv_id"], "accepted", p["section"], h, 1, p["title"]) for p, h in corrected],
        )
    with State.open(settings.state.path) as state:
        retrained = ModelStore(settings).scorer(doc, state)
        again = ModelStore(settings).scorer(doc, state)  # the next run loads it instead of retraining
    assert again.model_id == retrained.model_id
    return base, retrained, late, rejected, corrected, settings.state.path.parent


def test_the_daily_run_retrains_when_review_outcomes_arrive(scenario) -> None:
    base, retrained, _, rejected, corrected, _ = scenario
    assert rejected and corrected
    assert retrained.model_id != base.model_id
    assert retrained.info["calibration"] in ("pu", "reviewed")


def test_rejections_lower_the_score_of_similar_papers(scenario) -> None:
    base, retrained, late, *_ = scenario
    similar = [paper(p) for p in enhancement(late)]
    assert len(similar) >= 4
    day_papers = [paper(p) for p in pool() if p["published"] in late and p.get("announce_guess") != "replacement"]

    def standing(model: Model) -> np.ndarray:
        """Each similar paper's rank among the later days' papers (0 = top)."""
        everyone = model.score_arrays(day_papers).fused
        mine = model.score_arrays(similar).fused
        return np.array([(everyone > s).mean() for s in mine])

    before, after = standing(base), standing(retrained)
    assert after.mean() > 1.1 * before.mean()  # further down the ranking, on average
    assert (after > before).mean() >= 0.75  # and nearly every one of them
    # ... while the relevant papers of the same days keep their place
    relevant = [paper(p) for p in pool() if p["published"] in late and p["label"] == "relevant"]
    b = np.array([s.relevance for s in base.score(relevant)])
    a = np.array([s.relevance for s in retrained.score(relevant)])
    assert np.median(a) > 0.5 * np.median(b)


def test_heading_corrections_move_similar_papers_to_the_corrected_heading(scenario) -> None:
    base, retrained, late, _, corrected, _ = scenario
    targets = {p["section"] for p, _ in corrected}
    similar = [p for p in pool() if p["published"] in late and p["label"] == "relevant" and p["section"] in targets]
    before = base.score([paper(p) for p in similar])
    after = retrained.score([paper(p) for p in similar])
    gain = [
        a.heading_scores[p["section"]] - b.heading_scores[p["section"]]
        for p, b, a in zip(similar, before, after, strict=True)
    ]
    assert np.mean(gain) > 0
    right_before = sum(s.heading == p["section"] for p, s in zip(similar, before, strict=True))
    right_after = sum(s.heading == p["section"] for p, s in zip(similar, after, strict=True))
    assert right_after > right_before


def test_the_retrained_model_is_kept_beside_the_state_and_reused(scenario) -> None:
    base, retrained, *_ = scenario
    kept = artifact.read_card(scenario[5] / "model")
    assert kept["base_model"] == base.model_id and kept["model_id"] == retrained.model_id
    assert kept["review_fingerprint"] != "none"
