"""Training data, model files and the model the daily run uses. File and state I/O lives here;
the learning itself is in classifier.py.

Where training examples come from:
- positives: the list's entries (title, plus abstract/categories from `--metadata`, the
  enrichment cache, or papers the bot proposed itself), under their heading; accepted proposals;
- background: papers seen in the watched categories (paper files, the state database), labels
  ignored; rejected proposals are labelled negatives.

A trained model directory holds `model.npz` (what scoring needs), `training.npz` (the training
rows as hashed n-gram counts and embeddings, no text: what retraining needs) and `card.json`.
The daily run uses the committed model while it matches the list and the review feedback;
when either changed it retrains from the stored rows plus what the state database has seen, and
keeps the result beside the state database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import artifact, features, listfile
from .classifier import Example, Model, Recipe, train
from .config import Settings
from .errors import ModelError, UsageError
from .listfile import ListDocument
from .paper import Paper
from .paperfile import PaperRow, read_papers, write_jsonl
from .state import State
from .titles import TitleIndex, title_key

Log = Callable[[str], None]


def _quiet(line: str) -> None:
    pass


# -- fingerprints -------------------------------------------------------------------------------


def list_fingerprint(doc: ListDocument, headings: Sequence[str] = ()) -> str:
    """What the model learned from the list: its entries' titles and headings (not its prose)."""
    wanted = {listfile.heading_key(h) for h in headings}
    lines = sorted(
        f"{listfile.heading_key(e.heading)}\t{title_key(e.title)}"
        for e in doc.entries
        if not wanted or listfile.heading_key(e.heading) in wanted
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def feedback_fingerprint(items: Iterable[tuple[str, str, str | None]]) -> str:
    lines = sorted(f"{a}\t{o}\t{h or ''}" for a, o, h in items)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16] if lines else "none"


# -- examples -----------------------------------------------------------------------------------


def list_examples(doc: ListDocument, known: dict[str, Paper], headings: Sequence[str] = ()) -> list[Example]:
    """One positive per list entry, with the best text known for it (by arXiv id, then title)."""
    wanted = {listfile.heading_key(h) for h in headings}
    by_key = {title_key(p.title): p for p in known.values()}
    out = []
    for entry in doc.entries:
        if wanted and listfile.heading_key(entry.heading) not in wanted:
            continue
        paper = next((known[i] for i in sorted(entry.arxiv_ids) if i in known), None)
        paper = paper or by_key.get(title_key(entry.title))
        if paper is None:
            index = TitleIndex([entry.listed()])
            paper = next((p for p in known.values() if index.match(p.arxiv_id, p.title)), None)
        if paper is None:
            paper = Paper(arxiv_id=next(iter(sorted(entry.arxiv_ids)), ""), title=entry.title)
        out.append(Example(replace(paper, title=entry.title), 1, entry.heading, "list"))
    return out


def examples_from_files(
    doc: ListDocument,
    *,
    metadata: Sequence[Path],
    background: Sequence[Path],
    feedback: Sequence[Path],
    recipe: Recipe,
    headings: Sequence[str] = (),
) -> list[Example]:
    known: dict[str, Paper] = {}
    for path in metadata:
        for row in read_papers(path):
            key = row.paper.arxiv_id or f"title:{title_key(row.paper.title)}"
            known[key] = row.paper
    examples = list_examples(doc, known, headings)
    index = TitleIndex(e.listed() for e in doc.entries)
    reviewed: set[str] = set()
    for path in feedback:
        for row in read_papers(path):
            ex = _feedback_example(row, recipe, where=str(path))
            if ex is not None and not index.match(row.paper.arxiv_id, row.paper.title):
                examples.append(ex)
                reviewed.add(row.paper.arxiv_id or title_key(row.paper.title))
    for path in background:
        for row in read_papers(path):
            p = row.paper
            if row.replacement or index.match(p.arxiv_id, p.title) or (p.arxiv_id or title_key(p.title)) in reviewed:
                continue
            examples.append(Example(p, 0, None, "background", day=_day(p)))
    return _dedupe(examples)


def _day(p: Paper) -> str:
    return p.announced.isoformat() if p.announced else ""


def _feedback_example(row: PaperRow, recipe: Recipe, where: str) -> Example | None:
    if row.label == "relevant":
        if not row.section:
            raise UsageError(f"{where}: relevant paper {row.paper.arxiv_id or row.paper.title!r} has no section")
        return Example(row.paper, 1, row.section, "accepted", day=_day(row.paper))
    if row.label == "irrelevant":
        return Example(row.paper, 0, None, "rejected", day=_day(row.paper))
    return None  # uncertain or unlabelled rows teach nothing here


def _dedupe(examples: list[Example]) -> list[Example]:
    """One example per paper; a labelled one (list, review) wins over background."""
    rank = {"list": 0, "accepted": 1, "rejected": 1, "background": 2}
    best: dict[str, Example] = {}
    anonymous: list[Example] = []
    for e in examples:
        key = e.paper.arxiv_id
        if not key:
            anonymous.append(e)
        elif key not in best or rank[e.kind] < rank[best[key].kind]:
            best[key] = e
    return list(best.values()) + anonymous


# -- model directories --------------------------------------------------------------------------


def recipe_from(settings: Settings) -> Recipe:
    return Recipe(embeddings=settings.classifier.embeddings)


def load_encoder(recipe: Recipe) -> Any:
    if not recipe.embeddings:
        return None
    from .embedding import MiniLM

    return MiniLM.load(max_length=128)


def save_model(
    out: Path,
    model: Model,
    examples: Sequence[Example],
    *,
    list_fp: str,
    feedback_fp: str,
    target_precision: float,
    review_fp: str = "none",
    extra: dict[str, Any] | None = None,
    store_training: bool = True,
) -> dict[str, Any]:
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
        "training_counts": counts,
        "cross_validation": dict(model.info),
        "embedding_model": "sentence-transformers/all-MiniLM-L6-v2 (128 tokens)" if model.uses_embeddings else None,
        **(extra or {}),
    }
    arrays = {"model": model.to_arrays()}
    if store_training:
        arrays["training"] = training_rows(model)
    artifact.save(out, card, arrays)
    model.model_id = model_id
    return card


def training_rows(model: Model) -> dict[str, np.ndarray]:
    """The training rows without text: hashed n-gram counts, keyword weights, gate, embeddings
    where computed, labels and keys. Enough to retrain; not enough to read a paper back."""
    d = model.prepared
    if d is None:
        raise ValueError("only a freshly trained model has training rows")
    ex = d.examples
    counts = d.counts.tocsr()
    return {
        "counts_data": np.minimum(counts.data, np.iinfo(np.uint16).max).astype(np.uint16),
        "counts_indices": counts.indices.astype(np.int32),
        "counts_indptr": counts.indptr.astype(np.int64),
        "label": d.y.astype(np.int8),
        "kind": np.array([e.kind for e in ex], dtype=np.str_),
        "heading": np.array([e.heading or "" for e in ex], dtype=np.str_),
        "key": np.array([e.paper.arxiv_id or f"title:{title_key(e.paper.title)}" for e in ex], dtype=np.str_),
        "title_key": np.array([title_key(e.paper.title) if e.label == 1 else "" for e in ex], dtype=np.str_),
        "day": d.days.astype(np.str_),
        "terms": np.array([e.term_weights for e in ex], dtype=np.float32).reshape(-1, 2),
        "passes": d.passes,
        "weight": d.w.astype(np.float32),
        "has_embedding": d.has_emb,
        "embeddings": d.emb[d.has_emb].astype(np.float16),
    }


def stored_examples(rows: dict[str, np.ndarray]) -> list[Example]:
    """Training rows back as (text-less) Examples; positives carry their title key as title."""
    n = len(rows["label"])
    counts = sp.csr_matrix(
        (rows["counts_data"].astype(np.float32), rows["counts_indices"], rows["counts_indptr"]),
        shape=(n, features.N_FEATURES),
    )
    emb_rows = iter(rows["embeddings"].astype(np.float32))
    out = []
    for i in range(n):
        key = str(rows["key"][i])
        paper = Paper(arxiv_id="" if key.startswith("title:") else key, title=str(rows["title_key"][i]))
        a, lm = (float(v) for v in rows["terms"][i])
        out.append(
            Example(
                paper,
                int(rows["label"][i]),
                str(rows["heading"][i]) or None,
                str(rows["kind"][i]),
                float(rows["weight"][i]),
                day=str(rows["day"][i]),
                counts=counts[i],
                embedding=next(emb_rows) if rows["has_embedding"][i] else None,
                terms=(a, lm),
                gated=bool(rows["passes"][i]),
            )
        )
    return out


def listed_index(model: Model) -> TitleIndex:
    """The list the model was trained on, for leaving already-listed papers out of an evaluation."""
    from .titles import ListedEntry

    return TitleIndex(ListedEntry(t) for t in model.pos_titles)


def model_from(art: artifact.Artifact, *, encoder_loader: Callable[[Recipe], Any] = load_encoder) -> Model:
    recipe = Recipe(**art.card["recipe"])
    encoder = encoder_loader(recipe) if art.card.get("embedding_model") else None
    return Model.from_arrays(
        art.part("model"), recipe, art.card.get("cross_validation", {}), encoder, art.card["model_id"]
    )


# -- commands -----------------------------------------------------------------------------------


def train_command(
    settings: Settings,
    *,
    list_path: Path,
    metadata: Sequence[Path],
    background: Sequence[Path],
    feedback: Sequence[Path],
    out: Path,
    log: Log = _quiet,
) -> dict[str, Any]:
    try:
        doc = listfile.parse(list_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--list {list_path}: cannot read ({exc.strerror or exc})") from None
    recipe = recipe_from(settings)
    examples = examples_from_files(
        doc, metadata=metadata, background=background, feedback=feedback, recipe=recipe, headings=settings.list.headings
    )
    log(f"training on {len(examples)} papers from {list_path} ({sum(e.label for e in examples)} positive)")
    try:
        model = train(
            examples,
            encoder=load_encoder(recipe),
            recipe=recipe,
            target_precision=settings.classifier.target_precision,
            log=log,
        )
    except ValueError as exc:
        raise UsageError(f"cannot train: {exc}") from None
    fb = [
        (e.paper.arxiv_id, "accepted" if e.label else "rejected", e.heading)
        for e in examples
        if e.kind in ("accepted", "rejected")
    ]
    sources = {
        "list": str(list_path),
        "metadata": [str(p) for p in metadata],
        "background": [str(p) for p in background],
        "feedback": [str(p) for p in feedback],
    }
    return save_model(
        out,
        model,
        examples,
        list_fp=list_fingerprint(doc, settings.list.headings),
        feedback_fp=feedback_fingerprint(fb),
        target_precision=settings.classifier.target_precision,
        extra={"trained_from": sources},
    )


def describe_card(card: dict[str, Any], out: Path) -> str:
    c = card["training_counts"]
    cv = card.get("cross_validation", {})
    how = (
        "out-of-fold on reviewed papers"
        if cv.get("calibration") == "reviewed"
        else "estimated from held-out list entries vs background"
    )
    return (
        f"model {card['model_id']} written to {out}\n"
        f"  trained on {c['list']} list entries, {c['accepted']} accepted and {c['rejected']} rejected "
        f"papers, {c['background']} background papers ({cv.get('train_seconds', 0):.0f} s)\n"
        f"  proposes papers with relevance >= {card['threshold']['relevance']:.3f} "
        f"(target precision {card['target_precision']:g}; {how}: precision "
        f"{cv.get('cv_precision', float('nan')):.2f}, recall "
        f"{cv.get('cv_recall', cv.get('cv_list_recall', float('nan'))):.2f})"
    )


def score_command(settings: Settings, *, model_dir: Path, input_path: Path, output_path: Path) -> int:
    model = model_from(artifact.load(model_dir))
    rows = read_papers(input_path)
    scored = model.score([r.paper for r in rows])
    return write_jsonl(
        output_path,
        (
            {
                "arxiv_id": s.paper.arxiv_id,
                "relevance": round(s.relevance, 6),
                "selected": s.selected,
                "heading": s.heading,
                "runner_up": s.runner_up,
                "heading_scores": dict(s.heading_scores),
                "reasons": s.to_json()["reasons"],
            }
            for s in scored
        ),
    )


def eval_command(settings: Settings, *, model_dir: Path, input_path: Path) -> dict[str, Any]:
    from .evaluation import evaluate

    art = artifact.load(model_dir)
    model = model_from(art)
    rows = [r for r in read_papers(input_path) if r.label is not None]
    if not rows:
        raise UsageError(f'{input_path}: no labelled papers (field "label")')
    listed = listed_index(model)
    rows = [r for r in rows if not r.replacement and not listed.match(r.paper.arxiv_id, r.paper.title)]
    scored = model.score([r.paper for r in rows])
    return evaluate(rows, scored, model.threshold)


def format_metrics(m: dict[str, Any]) -> str:
    lines = []
    for name, block in (
        ("headline (uncertain dropped)", m["headline"]),
        ("uncertain counted as relevant", m["uncertain_as_relevant"]),
    ):
        lines.append(f"{name}: {block['papers']} papers, {block['relevant']} relevant")
        lines.append(f"  average precision        {block['average_precision']:.3f}")
        lines.append(f"  recall at precision 0.8  {block['recall_at_precision_0.8']:.3f}")
        lines.append(
            f"  at the model's threshold precision {block['precision_at_threshold']:.3f}, "
            f"recall {block['recall_at_threshold']:.3f} ({block['proposed']} proposed)"
        )
        if block.get("heading_top1") is not None:
            lines.append(
                f"  heading accuracy         top-1 {block['heading_top1']:.3f}, top-2 {block['heading_top2']:.3f}"
            )
    return "\n".join(lines)


def enrich_command(settings: Settings, *, list_path: Path | None, out: Path | None, log: Log = _quiet) -> list[Any]:
    from . import build
    from .enrich import EnrichCache, enrich

    if list_path is None and settings.github_enabled:
        from .github_pr import GitHubRepo
        from .tokens import read_secret

        repo = GitHubRepo(
            build.github_client(settings, read_secret(settings.github.token_env)),
            settings.github.repo,
            path=settings.list.path,
            base_branch=settings.github.base_branch,
            branch=settings.github.branch,
        )
        text = repo.read().text
    else:
        path = list_path or settings.list.file
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{path}: cannot read the list ({exc.strerror or exc})") from None
    doc = listfile.parse(text)
    cache = EnrichCache(enrich_cache_path(settings))
    results = enrich(doc.entries, build.arxiv_api(settings), cache, log=log)
    if out is not None:
        write_jsonl(out, (r.to_json() for r in results))
    return results


def enrich_cache_path(settings: Settings) -> Path:
    return settings.state.path.parent / "enrich-cache.jsonl"


# -- the model the daily run uses ---------------------------------------------------------------


class ModelStore:
    """ModelProvider for the pipeline: the committed model, or a retrained one when stale."""

    def __init__(
        self,
        settings: Settings,
        *,
        dry_run: bool = False,
        log: Log = _quiet,
        encoder_loader: Callable[[Recipe], Any] = load_encoder,
    ) -> None:
        self.settings = settings
        self.dry_run = dry_run
        self.log = log
        self.encoder_loader = encoder_loader

    @property
    def retrained_dir(self) -> Path:
        return self.settings.state.path.parent / "model"

    def scorer(self, doc: ListDocument, state: State) -> Model:
        c = self.settings.classifier
        list_fp = list_fingerprint(doc, self.settings.list.headings)
        reviews = state.feedback()
        fb_fp = feedback_fingerprint((f.arxiv_id, f.outcome, f.heading) for f in reviews)
        base_card = artifact.read_card(c.model_dir)
        wants_emb = c.embeddings
        base_fits = (
            base_card.get("list_fingerprint") == list_fp
            and base_card.get("review_fingerprint") == fb_fp
            and bool(base_card.get("embedding_model")) == wants_emb
        )
        if base_fits:
            return model_from(artifact.load(c.model_dir), encoder_loader=self.encoder_loader)
        if self.retrained_dir.joinpath(artifact.CARD).exists():
            card = artifact.read_card(self.retrained_dir)
            if (
                card.get("list_fingerprint"),
                card.get("review_fingerprint"),
                card.get("base_model"),
                bool(card.get("embedding_model")),
            ) == (list_fp, fb_fp, base_card.get("model_id"), wants_emb):
                return model_from(artifact.load(self.retrained_dir), encoder_loader=self.encoder_loader)
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
        return self._retrain(doc, state, base_card, list_fp, fb_fp)

    def _retrain(self, doc: ListDocument, state: State, base_card: dict[str, Any], list_fp: str, fb_fp: str) -> Model:
        c = self.settings.classifier
        base = artifact.load(c.model_dir, parts=("model", "training"))
        stored = stored_examples(base.part("training"))
        recipe = replace(Recipe(**base_card["recipe"]), embeddings=c.embeddings)
        seen = {d.paper.arxiv_id: d.paper for d in state.papers()}
        known = dict(seen)
        cache = enrich_cache_path(self.settings)
        if cache.exists():  # abstracts that `watcher enrich` found for list entries
            from .enrich import EnrichCache

            known.update({p.arxiv_id: p for p in EnrichCache(cache).papers()})
        for e in stored:
            if e.label == 1 and e.kind == "list" and e.paper.title:
                known[f"title:{e.paper.title}"] = e.paper
        positives = _positives_with_rows(doc, known, stored, self.settings.list.headings)
        listed = TitleIndex(e.listed() for e in doc.entries)
        reviews = {f.arxiv_id: f for f in state.feedback()}
        examples = list(positives)
        for f in reviews.values():
            paper = seen.get(f.arxiv_id) or Paper(f.arxiv_id, f.title)
            if listed.match(f.arxiv_id, paper.title):
                continue  # accepted and on the list: already a positive under its current heading
            if f.outcome == "rejected":
                examples.append(Example(paper, 0, None, "rejected", day=_day(paper)))
            elif f.heading:
                examples.append(Example(paper, 1, f.heading, "accepted", day=_day(paper)))
        taken = {e.paper.arxiv_id for e in examples if e.paper.arxiv_id}
        for e in stored:  # the base model's non-list rows: background and the reviews it was trained with
            if e.kind != "list" and e.paper.arxiv_id not in taken and e.paper.arxiv_id not in reviews:
                examples.append(e)
                taken.add(e.paper.arxiv_id)
        for arxiv_id, paper in seen.items():
            if arxiv_id not in taken and arxiv_id not in reviews and not listed.match(arxiv_id, paper.title):
                examples.append(Example(paper, 0, None, "background", day=_day(paper)))
        try:
            model = train(
                examples,
                encoder=self.encoder_loader(recipe),
                recipe=recipe,
                target_precision=c.target_precision,
                log=self.log,
            )
        except ValueError as exc:  # e.g. a list left with one heading: the data cannot make a model
            raise ModelError(f"retraining failed: {exc}") from None
        if self.dry_run:
            model.model_id = f"retrained-in-memory-{list_fp[:8]}"
            return model
        save_model(
            self.retrained_dir,
            model,
            examples,
            list_fp=list_fp,
            feedback_fp="none",
            review_fp=fb_fp,
            target_precision=c.target_precision,
            store_training=False,
            extra={"base_model": base_card.get("model_id"), "retrained_because": "stale"},
        )
        return model


def _positives_with_rows(
    doc: ListDocument, known: dict[str, Paper], stored: Sequence[Example], headings: Sequence[str]
) -> list[Example]:
    """List entries as positives; an entry the stored rows know (by title key) reuses its row."""
    rows = {e.paper.title: e for e in stored if e.label == 1 and e.kind == "list"}
    out = []
    for ex in list_examples(doc, {k: v for k, v in known.items() if not k.startswith("title:")}, headings):
        row = rows.get(title_key(ex.paper.title))
        if row is not None and not ex.paper.abstract:
            ex = Example(
                ex.paper,
                1,
                ex.heading,
                "list",
                counts=row.counts,
                embedding=row.embedding,
                terms=row.terms,
                gated=row.gated,
            )
        out.append(ex)
    return out
