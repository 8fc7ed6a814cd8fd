"""Model directories, and the model the daily run scores with. File I/O through artifact.py.

A trained model directory holds `model.npz` (what scoring needs), `training.npz` (the training
rows as hashed n-gram counts and embeddings, no text: what retraining needs) and `card.json`.
The daily run uses the committed model while it matches the list and the review outcomes; when
either changed it retrains from the stored rows plus what the state database has seen, and keeps
the result beside the state database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import artifact
from .classifier import Encoder, Model, Recipe
from .config import Settings
from .enrich import EnrichCache, cache_path
from .errors import ModelError
from .fitting import Example, Fitted, fit
from .listfile import ListDocument
from .ports import History
from .profile import Profile
from .profiling import Doc, learn_profile
from .titles import ListedEntry, TitleIndex
from .training_data import (
    feedback_fingerprint,
    list_fingerprint,
    retraining_examples,
    stored_examples,
    stored_profile,
    training_rows,
)

Log = Callable[[str], None]
EncoderLoader = Callable[[Recipe], Encoder | None]


def _quiet(line: str) -> None:
    pass


def recipe_from(settings: Settings) -> Recipe:
    return Recipe(embeddings=settings.classifier.embeddings)


def load_encoder(recipe: Recipe) -> Encoder | None:
    if not recipe.embeddings:
        return None
    from .embedding import MiniLM

    return MiniLM.load(max_length=128)


def save_model(
    out: Path,
    fitted: Fitted,
    examples: Sequence[Example],
    *,
    list_fp: str,
    feedback_fp: str,
    target_precision: float,
    review_fp: str = "none",
    extra: dict[str, Any] | None = None,
    store_training: bool = True,
) -> dict[str, Any]:
    """Write the model (and, unless told not to, its training rows) with its card; returns the card."""
    model = fitted.model
    counts = {
        kind: sum(1 for e in examples if e.kind == kind) for kind in ("list", "accepted", "rejected", "background")
    }
    model_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{list_fp[:8]}"
    card = {
        "model_id": model_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "list_fingerprint": list_fp,
        "review_fingerprint": review_fp,
        "feedback_files_fingerprint": feedback_fp,
        "recipe": asdict(model.recipe),
        "target_precision": target_precision,
        "threshold": {"score": model.threshold, "relevance": model.probability_threshold},
        "headings": model.headings,
        "profile": model.profile.to_json(),
        "relevance_components": [p.component.name for p in model.relevance.parts],
        "training_counts": counts,
        "checks": fitted.checks.to_json(),
        "cross_validation": dict(model.info),
        "embedding_model": "sentence-transformers/all-MiniLM-L6-v2 (128 tokens)" if model.uses_embeddings else None,
        **(extra or {}),
    }
    arrays = {"model": model.to_arrays()}
    if store_training:
        arrays["training"] = training_rows(fitted)
    artifact.save(out, card, arrays)
    model.model_id = model_id
    return card


def model_from(art: artifact.Artifact, *, encoder_loader: EncoderLoader = load_encoder) -> Model:
    checks = art.card.get("checks") or {}
    if checks and not checks.get("passed", True):
        first = (checks.get("errors") or ["see card.json"])[0]
        raise ModelError(f"{art.directory} failed its training checks ({first}): retrain with `watcher train`")
    recipe = Recipe(**art.card["recipe"])
    encoder = encoder_loader(recipe) if art.card.get("embedding_model") else None
    return Model.from_arrays(
        art.part("model"), recipe, art.card.get("cross_validation", {}), encoder, art.card["model_id"]
    )


def load_model(directory: Path, *, encoder_loader: EncoderLoader = load_encoder) -> Model:
    return model_from(artifact.load(directory), encoder_loader=encoder_loader)


def learned_profile(examples: Sequence[Example], headings: Sequence[str] = ()) -> Profile:
    """The profile the examples' text shows: positives against the others."""
    docs = [
        (Doc(e.paper.title, e.paper.abstract, e.heading or "", e.paper.categories), e.label == 1)
        for e in examples
        if e.paper.title and not e.stored  # rows stored without text cannot teach words
    ]
    return learn_profile([d for d, pos in docs if pos], [d for d, pos in docs if not pos], headings)


def listed_index(model: Model) -> TitleIndex:
    """The list the model was trained on, for leaving already-listed papers out of an evaluation."""
    return TitleIndex(ListedEntry(t) for t in model.neighbours.titles)


class ModelStore:
    """ports.ModelProvider for the pipeline: the committed model, or a retrained one when stale."""

    def __init__(
        self,
        settings: Settings,
        *,
        dry_run: bool = False,
        log: Log = _quiet,
        encoder_loader: EncoderLoader = load_encoder,
    ) -> None:
        self.settings = settings
        self.dry_run = dry_run
        self.log = log
        self.encoder_loader = encoder_loader

    @property
    def retrained_dir(self) -> Path:
        return self.settings.state.path.parent / "model"

    def scorer(self, doc: ListDocument, history: History) -> Model:
        """The model to score today's papers with, its profile as the config has it now."""
        model = self._model(doc, history)
        profile = model.profile.overridden_by(self.settings.profile.as_mapping())
        if profile.fingerprint != model.profile.fingerprint:
            raise ModelError(
                f"[profile] in {self.settings.source or 'the config'} changes the facets, gate terms or "
                f"categories model {model.model_id} was trained with: rebuild it with `watcher train`"
            )
        model.profile = profile  # its cue words and require/exclude rules need no retraining
        return model

    def _model(self, doc: ListDocument, history: History) -> Model:
        c = self.settings.classifier
        list_fp = list_fingerprint(doc, self.settings.list.headings)
        fb_fp = feedback_fingerprint((f.arxiv_id, f.outcome, f.heading) for f in history.feedback())
        base_card = artifact.read_card(c.model_dir)
        wants_emb = c.embeddings
        base_fits = (
            base_card.get("list_fingerprint") == list_fp
            and base_card.get("review_fingerprint") == fb_fp
            and bool(base_card.get("embedding_model")) == wants_emb
        )
        if base_fits:
            return load_model(c.model_dir, encoder_loader=self.encoder_loader)
        if self.retrained_dir.joinpath(artifact.CARD).exists():
            card = artifact.read_card(self.retrained_dir)
            if (
                card.get("list_fingerprint"),
                card.get("review_fingerprint"),
                card.get("base_model"),
                bool(card.get("embedding_model")),
            ) == (list_fp, fb_fp, base_card.get("model_id"), wants_emb):
                return load_model(self.retrained_dir, encoder_loader=self.encoder_loader)
        why = (
            "the list changed"
            if base_card.get("list_fingerprint") != list_fp
            else "review outcomes changed"
            if base_card.get("review_fingerprint") != fb_fp
            else "classifier.embeddings changed"
        )
        if not c.retrain:
            raise ModelError(
                f"the model in {c.model_dir} is stale ({why} since it was trained) and "
                "classifier.retrain is off: retrain with `watcher train`"
            )
        self.log(f"retraining: {why} since model {base_card.get('model_id')}")
        return self._retrain(doc, history, base_card, list_fp, fb_fp)

    def _retrain(
        self, doc: ListDocument, history: History, base_card: dict[str, Any], list_fp: str, fb_fp: str
    ) -> Model:
        c = self.settings.classifier
        base = artifact.load(c.model_dir, parts=("model", "training"))
        rows = base.part("training")
        profile = model_from(base, encoder_loader=lambda recipe: None).profile
        if stored_profile(rows) != profile.fingerprint:
            raise ModelError(
                f"{c.model_dir}: its training rows do not match its profile: rebuild it with `watcher train`"
            )
        profile = profile.overridden_by(self.settings.profile.as_mapping())
        if profile.fingerprint != stored_profile(rows):
            raise ModelError(
                f"[profile] in {self.settings.source or 'the config'} changes the facets, gate terms or categories "
                f"the model in {c.model_dir} was trained with, and its stored rows hold no text to recompute them: "
                "rebuild it with `watcher train`"
            )
        cache = cache_path(self.settings.state.path)
        examples = retraining_examples(
            doc,
            stored=stored_examples(rows),
            seen=[d.paper for d in history.papers()],
            reviews=history.feedback(),
            enriched=EnrichCache(cache).papers() if cache.exists() else [],
            headings=self.settings.list.headings,
        )
        recipe = replace(Recipe(**base_card["recipe"]), embeddings=c.embeddings)
        try:
            fitted = fit(
                examples,
                profile=profile,
                encoder=self.encoder_loader(recipe),
                recipe=recipe,
                target_precision=c.target_precision,
                headings=doc.headings,
                list_ids=[i for e in doc.target_entries for i in sorted(e.arxiv_ids)],
                log=self.log,
            )
        except ValueError as exc:  # e.g. a list left with one heading: the data cannot make a model
            raise ModelError(f"retraining failed: {exc}") from None
        for warning in fitted.checks.warnings:
            self.log(f"warning: retrained model: {warning}")
        if not fitted.checks.passed:
            raise ModelError(f"retraining failed a training check: {fitted.checks.errors[0]}")
        if self.dry_run:
            fitted.model.model_id = f"retrained-in-memory-{list_fp[:8]}"
            return fitted.model
        save_model(
            self.retrained_dir,
            fitted,
            examples,
            list_fp=list_fp,
            feedback_fp="none",
            review_fp=fb_fp,
            target_precision=c.target_precision,
            store_training=False,
            extra={"base_model": base_card.get("model_id"), "retrained_because": "stale"},
        )
        return fitted.model
