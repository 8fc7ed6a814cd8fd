"""Learn a model from examples: relevance components, threshold, calibration, headings. Pure
computation, no I/O; classifier.py is the model this produces.

Training is positive-unlabelled at cold start: the list's entries are positives, papers seen in
the watched categories are unlabelled background (about 3% of it belongs on the list), and
reviewed proposals are labelled examples. The threshold comes from cross-validation on the
training data only: at cold start from a mixture-proportion estimate of the precision (the
share of positives hidden in the background, from held-out list entries vs held-out
background); once enough proposals were reviewed, from Platt-calibrated out-of-fold scores of
the reviewed papers.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from . import checks, features
from .checks import Checks, Heldout
from .classifier import (
    DIM,
    EMB_MARGIN,
    GATE_DROP,
    Batch,
    Calibration,
    Component,
    EmbeddingScore,
    Encoder,
    HeadingModel,
    KeywordScore,
    LexicalScore,
    Model,
    Neighbours,
    Part,
    Recipe,
    Relevance,
    abstract_read,
    paper_text,
)
from .paper import Paper
from .profile import Profile

Log = Callable[[str], None]
STANDING_STEPS = 101  # quantiles of the held-out entries' scores kept to place a paper among them


def _quiet(line: str) -> None:
    pass


@dataclass(frozen=True, eq=False)
class Example:
    """One training paper: positive (on the list / accepted) or not (background / rejected).

    Rows stored with a model come without text: their n-gram counts, profile facet weights,
    gate and embedding travel instead (valid for the profile they were computed with)."""

    paper: Paper
    label: int
    heading: str | None = None
    kind: str = "background"  # list | accepted | rejected | background
    weight: float = 1.0
    day: str = ""  # announcement day, to keep a day's papers in one cross-validation fold
    counts: sp.csr_matrix | None = None
    embedding: np.ndarray | None = None
    facets: tuple[float, ...] | None = None  # the profile's facet weights
    gated: bool | None = None
    stored: bool = False  # a row read back from training.npz: its title is a key, it has no text

    def facet_weights(self, profile: Profile) -> tuple[float, ...]:
        if self.facets is not None:
            return self.facets
        return profile.facet_weights(self.paper.title, abstract_read(self.paper))

    def passes(self, profile: Profile) -> bool:
        if self.gated is not None:
            return self.gated
        p = self.paper
        return profile.passes(p.title, abstract_read(p), p.categories, self.facet_weights(profile))


@dataclass
class Prepared:
    """Per-example features, computed once and shared by every fit (folds included)."""

    profile: Profile
    examples: list[Example]
    y: np.ndarray
    w: np.ndarray
    counts: sp.csr_matrix
    facets: np.ndarray  # (n, n_facets) facet weights
    kw: np.ndarray
    passes: np.ndarray
    emb: np.ndarray
    has_emb: np.ndarray
    reviewed: np.ndarray
    days: np.ndarray

    def with_profile(self, profile: Profile) -> Prepared:
        """The same rows under another profile: its facet weights, keyword scores and gate (rows
        stored without text keep theirs: a stored model's profile never changes)."""
        if profile.fingerprint == self.profile.fingerprint:
            return self
        facets, kw, passes = _profile_arrays(self.examples, profile)
        return replace(self, profile=profile, facets=facets, kw=kw, passes=passes)

    def batch(self, rows: np.ndarray, idf: np.ndarray) -> Batch:
        """Rows as the model's components see them, under `idf`."""
        return Batch(
            kw=self.kw[rows],
            x=features.tfidf(self.counts[rows], idf),
            emb=self.emb[rows],
            embedded=self.has_emb[rows],
            passes=self.passes[rows],
        )


@dataclass
class Fitted:
    """A trained model, the features it was trained on (what `training.npz` keeps), and what
    the training checks found (checks.py)."""

    model: Model
    data: Prepared
    checks: Checks = field(default_factory=Checks)


def prepare(
    examples: Sequence[Example], encoder: Encoder | None, recipe: Recipe, profile: Profile, log: Log = _quiet
) -> Prepared:
    ex = list(examples)
    y = np.array([e.label for e in ex], dtype=int)
    todo = [i for i, e in enumerate(ex) if e.counts is None]
    fresh = features.counts([paper_text(ex[i].paper) for i in todo]) if todo else None
    rows: list[sp.csr_matrix] = []
    k = 0
    for e in ex:
        if e.counts is not None:
            rows.append(e.counts)
        else:
            assert fresh is not None
            rows.append(fresh[k])
            k += 1
    counts = sp.vstack(rows, format="csr") if rows else sp.csr_matrix((0, features.N_FEATURES))
    facet_array, kw, passes = _profile_arrays(ex, profile)
    emb = np.zeros((len(ex), DIM), dtype=np.float32)
    has = np.zeros(len(ex), dtype=bool)
    if recipe.embeddings and encoder is not None:
        need = np.flatnonzero(passes | (y == 1))
        stored = [i for i in need if ex[i].embedding is not None]
        for i in stored:
            emb[i] = ex[i].embedding
        missing = [i for i in need if ex[i].embedding is None and ex[i].counts is None]
        log(
            f"embedding {len(missing)} papers ({len(stored)} embeddings stored; {int(passes.sum())} of "
            f"{len(ex)} pass the gate)"
        )
        if missing:
            emb[missing] = encoder.encode([paper_text(ex[i].paper) for i in missing])
        has[stored] = True
        has[missing] = True
    reviewed = np.array([e.kind in ("accepted", "rejected") for e in ex], dtype=bool)
    weights = np.array([e.weight for e in ex]) * np.where(reviewed, recipe.review_weight, 1.0)
    return Prepared(
        profile, ex, y, weights, counts, facet_array, kw, passes, emb, has, reviewed, np.array([e.day for e in ex])
    )


def _profile_arrays(ex: Sequence[Example], profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(facet weights, keyword score, gate) per example under `profile`."""
    texts = [(e.paper.title, abstract_read(e.paper)) for e in ex]
    fresh = [i for i, e in enumerate(ex) if e.facets is None]  # stored rows keep theirs
    computed = dict(zip(fresh, profile.facet_weights_each([texts[i] for i in fresh]), strict=True))
    facets = [computed[i] if i in computed else e.facet_weights(profile) for i, e in enumerate(ex)]
    kw = np.array([profile.keyword_score(f) for f in facets])
    open_ = [i for i, e in enumerate(ex) if e.gated is None]
    gate = profile.passes_each(
        [texts[i] for i in open_], [ex[i].paper.categories for i in open_], [facets[i] for i in open_]
    )
    decided = dict(zip(open_, gate, strict=True))
    passes = np.array([decided.get(i, e.gated) for i, e in enumerate(ex)], dtype=bool)
    return np.array(facets, dtype=np.float32).reshape(len(ex), len(profile.facets)), kw, passes


# -- relevance ----------------------------------------------------------------------------------


def _lr(c: float, balanced: bool = True, iters: int = 3000) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced" if balanced else None, max_iter=iters)


def _fit_lexical(d: Prepared, rows: np.ndarray, batch: Batch, recipe: Recipe, idf: np.ndarray) -> LexicalScore:
    cols = np.flatnonzero(idf)  # fit over the buckets in use only: 20x fewer coefficients
    lex = _lr(recipe.lexical_c).fit(batch.x[:, cols], d.y[rows], sample_weight=d.w[rows])
    coef = np.zeros(features.N_FEATURES, dtype=np.float32)
    coef[cols] = lex.coef_.ravel()
    return LexicalScore(coef, float(lex.intercept_[0]))


def _fit_embedding(d: Prepared, rows: np.ndarray, recipe: Recipe) -> EmbeddingScore | None:
    e_rows = rows[d.passes[rows] & d.has_emb[rows]]
    if len(np.unique(d.y[e_rows])) < 2:
        return None
    e_lr = _lr(recipe.embedding_c).fit(d.emb[e_rows], d.y[e_rows], sample_weight=d.w[e_rows])
    return EmbeddingScore(e_lr.coef_.ravel().astype(np.float32), float(e_lr.intercept_[0]))


def fit_relevance(d: Prepared, rows: np.ndarray, recipe: Recipe, use_emb: bool) -> Relevance:
    """Fit the components on `rows` and standardise each on its negatives."""
    idf = features.filtered_idf(d.counts[rows], recipe.min_df, recipe.max_df)
    batch = d.batch(rows, idf)
    components: list[Component] = [KeywordScore(), _fit_lexical(d, rows, batch, recipe, idf)]
    if use_emb and (emb := _fit_embedding(d, rows, recipe)) is not None:
        components.append(emb)
    # standardise on negatives: those that pass the gate (the only ones that compete)
    neg = rows[(d.y[rows] == 0) & d.passes[rows]]
    if len(neg) < 10:
        neg = rows[d.y[rows] == 0]
    neg = neg[:: max(1, len(neg) // recipe.reference_size)]
    reference = d.batch(neg, idf)
    parts = []
    for c in components:
        raw = c.raw(reference)
        parts.append(Part(c, float(raw.mean()), float(raw.std()) + 1e-9))
    return Relevance(idf=idf, parts=parts)


def _score_rows(rel: Relevance, d: Prepared, rows: np.ndarray) -> np.ndarray:
    return rel.fused(d.batch(rows, rel.idf))


def day_folds(keys: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    """Split row indices into k folds, keeping rows with the same key (day) together."""
    uniq = np.unique(keys)
    rng = np.random.default_rng(seed)
    if len(uniq) >= k:
        order = rng.permutation(uniq)
        return [np.flatnonzero(np.isin(keys, order[i::k])) for i in range(k)]
    return [a for a in np.array_split(rng.permutation(len(keys)), k) if len(a)]


def choose_threshold(scores: np.ndarray, labels: np.ndarray, target: float) -> tuple[float, float, float]:
    """Lowest threshold whose precision on (scores, labels) reaches `target`:
    (threshold, precision, recall); if none does, the threshold of best precision."""
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order].astype(float)
    tp = np.cumsum(y)
    precision = tp / np.arange(1, len(s) + 1)
    distinct = np.r_[s[1:] != s[:-1], True]
    ok = np.flatnonzero(distinct & (precision >= target) & (tp > 0))
    j = int(ok[-1]) if len(ok) else int(np.flatnonzero(distinct)[np.argmax(precision[distinct])])
    return float(s[j]), float(precision[j]), float(tp[j] / max(y.sum(), 1))


# A relevance score below this failed the gate (the fold's own profile): GATE_DROP below every
# score a paper that passes gets.
GATE_FLOOR = -GATE_DROP / 2


def passes_gate(scores: np.ndarray) -> np.ndarray:
    return scores >= GATE_FLOOR


def hidden_positive_share(pos: np.ndarray, bg: np.ndarray, support: float) -> float:
    """Mixture-proportion estimate of the share of positives in the background: the smallest
    ratio of pass rates F_bg(t) / F_pos(t) over thresholds that keep >= `support` of the positives."""
    ratios = [
        float((bg >= t).mean()) / fp
        for t in np.unique(pos)
        if (fp := float((pos >= t).mean())) >= support and fp * len(pos) >= 10
    ]
    return min(ratios) if ratios else 0.03


Threshold = tuple[float, Calibration, dict[str, float], Heldout]


ProfileLearner = Callable[[Sequence[Example]], Profile]


def _fold(d: Prepared, train_rows: np.ndarray, learn: ProfileLearner | None) -> Prepared:
    """The rows as a fold sees them: with a profile learned from its training rows alone, so
    its held-out list entries are not scored with words learned from themselves."""
    if learn is None:
        return d
    return d.with_profile(learn([d.examples[i] for i in train_rows]))


def _cold_threshold(
    d: Prepared, recipe: Recipe, use_emb: bool, target: float, log: Log, learn: ProfileLearner | None
) -> Threshold:
    """Held-out list entries vs held-out background (folds by day): precision(t) is estimated
    as pi * F_pos(t) / F_bg(t); the threshold is the lowest t where that reaches the target."""
    pos = np.flatnonzero(d.y == 1)
    bg = np.flatnonzero((d.y == 0) & ~d.reviewed)
    rng = np.random.default_rng(recipe.seed)
    pos_folds = np.array_split(rng.permutation(pos), recipe.folds)
    bg_folds = [bg[f] for f in day_folds(d.days[bg], recipe.folds, recipe.seed)]
    s_pos, s_bg = [], []
    for k in range(recipe.folds):
        held = np.concatenate([pos_folds[k], bg_folds[k] if k < len(bg_folds) else np.zeros(0, int)])
        train_rows = np.setdiff1d(np.arange(len(d.y)), held)
        dk = _fold(d, train_rows, learn)
        rel = fit_relevance(dk, train_rows, recipe, use_emb)
        s_pos.append(_score_rows(rel, dk, pos_folds[k]))
        if k < len(bg_folds):
            s_bg.append(_score_rows(rel, dk, bg_folds[k]))
    sp_, sb = np.concatenate(s_pos), np.concatenate(s_bg)
    bg_rows = np.concatenate(bg_folds) if bg_folds else np.zeros(0, int)
    held_out = Heldout(sp_, sb, passes_gate(sb), sb, d.days[bg_rows])
    pi = hidden_positive_share(sp_, sb, recipe.cold_support)
    best = (float(np.max(sp_)), 0.0, 0.0)
    # Never below the gate: list entries that fail it are lost (and counted so), not a reason to
    # let every gated-out paper through.
    for t in np.unique(np.concatenate([sp_, sb]))[::-1]:
        if t < GATE_FLOOR:
            break
        fp, fb = float((sp_ >= t).mean()), float((sb >= t).mean())
        if fp * len(sp_) < 5:
            continue
        precision = min(1.0, pi * fp / fb) if fb > 0 else 1.0
        if precision >= target:
            best = (float(t), precision, fp)
    platt = LogisticRegression(C=1e4, max_iter=2000).fit(
        np.r_[sp_, sb].reshape(-1, 1), np.r_[np.ones(len(sp_)), np.zeros(len(sb))]
    )
    shift = float(np.log(max(pi, 1e-4) * len(sb) / max(len(sp_), 1)))
    calib = Calibration(float(platt.coef_[0, 0]), float(platt.intercept_[0]), shift, "pu")
    log(
        f"cold start: hidden positive share {pi:.3f}; threshold keeps {best[2]:.2f} of held-out list entries "
        f"at estimated precision {best[1]:.2f}"
    )
    cv = {"cv_precision": best[1], "cv_list_recall": best[2], "hidden_positive_share": pi}
    return best[0], calib, cv, held_out


def expected_precision_threshold(scores: np.ndarray, prob: np.ndarray, target: float) -> float:
    """The lowest score t where the papers scoring t or more are expected to be relevant `target`
    of the time: the mean calibrated probability of those papers reaches the target. (The
    threshold where one paper's own probability is one half proposes far fewer papers: every
    paper above it counts more than one half.) The highest score when no t reaches it."""
    order = np.argsort(-scores, kind="stable")
    s, p = scores[order], prob[order]
    mean_above = np.cumsum(p) / np.arange(1, len(p) + 1)
    last = np.r_[s[1:] != s[:-1], True]  # ties: a threshold keeps all of them or none
    ok = np.flatnonzero(last & (mean_above >= target))
    return float(s[ok[-1]]) if len(ok) else float(s[0])


def _review_threshold(
    d: Prepared, recipe: Recipe, use_emb: bool, target: float, log: Log, learn: ProfileLearner | None
) -> Threshold:
    """Out-of-fold scores of the reviewed papers (folds by day), Platt-calibrated on their labels;
    the threshold is where the papers above it are expected to reach the target precision."""
    rev = np.flatnonzero(d.reviewed)
    oof = np.zeros(len(rev))
    for fold in day_folds(d.days[rev], recipe.folds, recipe.seed):
        held = rev[fold]
        train_rows = np.setdiff1d(np.arange(len(d.y)), held)
        dk = _fold(d, train_rows, learn)
        rel = fit_relevance(dk, train_rows, recipe, use_emb)
        oof[fold] = _score_rows(rel, dk, held)
    y = d.y[rev]
    platt = LogisticRegression(C=1e4, max_iter=2000).fit(oof.reshape(-1, 1), y)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    calib = Calibration(a, b, 0.0, "reviewed")
    threshold = max(expected_precision_threshold(oof, calib.apply(oof), target), GATE_FLOOR)
    chosen = oof >= threshold
    precision = float(y[chosen].mean()) if chosen.any() else 0.0
    recall = float(y[chosen].sum() / max(y.sum(), 1))
    log(
        f"after review: {len(rev)} reviewed papers; the threshold for precision {target:g} gives out-of-fold "
        f"precision {precision:.2f}, recall {recall:.2f}"
    )
    held_out = Heldout(oof[y == 1], oof[y == 0], passes_gate(oof[y == 0]), oof, d.days[rev])
    return threshold, calib, {"cv_precision": precision, "cv_recall": recall}, held_out


# -- headings -----------------------------------------------------------------------------------


def ordered_headings(positives: Sequence[Example]) -> list[str]:
    seen: list[str] = []
    for e in positives:
        if e.heading and e.heading not in seen:
            seen.append(e.heading)
    return seen


def multiclass(x: Any, y: np.ndarray, w: np.ndarray, n: int, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression as (coef (n, d), bias (n,)), also when classes are missing."""
    m = LogisticRegression(C=c, max_iter=3000).fit(x, y, sample_weight=w)
    coef = np.zeros((n, x.shape[1]))
    bias = np.full(n, -30.0)  # a heading without examples is never chosen
    if len(m.classes_) == 2:
        coef[m.classes_[1]] = m.coef_[0]
        bias[m.classes_[0]], bias[m.classes_[1]] = 0.0, m.intercept_[0]
    else:
        coef[m.classes_] = m.coef_
        bias[m.classes_] = m.intercept_
    return coef, bias


def _fit_headings(d: Prepared, recipe: Recipe, use_emb: bool) -> HeadingModel:
    """The positives (list entries and accepted proposals) under their headings."""
    positives = np.flatnonzero(d.y == 1)
    heads = ordered_headings([d.examples[i] for i in positives])
    if not heads:
        raise ValueError("the list has no heading with entries")
    hy = np.array([heads.index(d.examples[i].heading or "") for i in positives])
    idf = features.filtered_idf(d.counts[positives], 1, 1.0)
    lex_coef = np.zeros((len(heads), features.N_FEATURES), dtype=np.float32)
    lex_bias = np.zeros(len(heads))
    emb_coef = np.zeros((len(heads), DIM), np.float32)
    emb_bias = np.zeros(len(heads))
    if len(heads) == 1:  # a flat list: every paper goes under its one heading
        use_emb = False
    else:
        hx = features.tfidf(d.counts[positives], idf)
        cols = np.flatnonzero(idf)
        lex_coef[:, cols], lex_bias = multiclass(hx[:, cols], hy, d.w[positives], len(heads), recipe.heading_c)
    if use_emb:
        emb_coef, emb_bias = multiclass(d.emb[positives], hy, d.w[positives], len(heads), recipe.heading_c)
    return HeadingModel(
        names=heads,
        idf=idf,
        lex_coef=sp.csr_matrix(lex_coef.astype(np.float32)),
        lex_bias=lex_bias,
        emb_coef=emb_coef.astype(np.float32),
        emb_bias=emb_bias,
        cue_weight=recipe.cue_weight,
    )


# -- the whole fit ------------------------------------------------------------------------------


def fit(
    examples: Sequence[Example],
    *,
    profile: Profile | ProfileLearner,
    encoder: Encoder | None,
    recipe: Recipe,
    target_precision: float,
    headings: Sequence[str] = (),
    list_ids: Sequence[str] = (),
    log: Log = _quiet,
) -> Fitted:
    """Fit relevance (with its threshold and calibration) and headings on `examples`, and check
    what was built (`headings`: the list's target headings; `list_ids`: the arXiv ids on it).

    `profile` is the list's profile, or a function that learns one from examples: then each
    cross-validation fold learns its own from its training rows, so the figures the threshold
    rests on are not flattered by words learned from the very entries they score."""
    started = time.perf_counter()
    examples = list(examples)
    if sum(1 for e in examples if e.kind == "rejected") >= recipe.labelled_enough:
        dropped = sum(1 for e in examples if e.kind == "background")
        examples = [e for e in examples if e.kind != "background"]
        if dropped:
            log(f"{dropped} unlabelled background papers left out: enough reviewed papers")
    texts = [e for e in examples if e.label == 1 and not e.stored]
    if texts and sum(1 for e in texts if e.paper.abstract) < len(texts) / 2 and not recipe.titles_only:
        log(
            f"only {sum(1 for e in texts if e.paper.abstract)} of {len(texts)} list entries have an abstract: "
            "every paper is read by its title alone"
        )
        recipe = replace(recipe, titles_only=True)
    with_abstract = sum(1 for e in examples if e.label == 1 and (e.paper.abstract or e.stored))  # as given
    if recipe.titles_only:
        examples = [e if e.stored else replace(e, paper=replace(e.paper, abstract="")) for e in examples]
    learn = None if isinstance(profile, Profile) else profile
    profile = profile if isinstance(profile, Profile) else profile(examples)
    d = prepare(examples, encoder, recipe, profile, log)
    y = d.y
    if y.sum() < 10 or (1 - y).sum() < 10:
        raise ValueError(f"too few examples to train ({int(y.sum())} positives, {int((1 - y).sum())} others)")
    use_emb = recipe.embeddings and encoder is not None
    relevance = fit_relevance(d, np.arange(len(y)), recipe, use_emb)
    part = relevance.part(EmbeddingScore.name)
    if part is not None:
        listed = d.batch(np.flatnonzero((y == 1) & d.has_emb), relevance.idf)
        relevance.emb_bound = float(part.z(listed).max()) + EMB_MARGIN
    enough = d.y[d.reviewed].sum() >= recipe.min_reviewed and (1 - d.y[d.reviewed]).sum() >= recipe.min_reviewed
    if enough:
        threshold, calib, cv, held_out = _review_threshold(d, recipe, use_emb, target_precision, log, learn)
    else:
        threshold, calib, cv, held_out = _cold_threshold(d, recipe, use_emb, target_precision, log, learn)
    heading = _fit_headings(d, recipe, use_emb)
    listed_rows = np.array([i for i in np.flatnonzero(y == 1) if d.examples[i].kind == "list"], dtype=int)
    neighbours = Neighbours(
        titles=[d.examples[i].paper.title for i in listed_rows],
        headings=[d.examples[i].heading or "" for i in listed_rows],
        lex=features.tfidf(d.counts[listed_rows], relevance.idf),
        emb=d.emb[listed_rows] if use_emb else np.zeros((0, DIM), np.float32),
    )
    model = Model(
        recipe=recipe,
        profile=profile,
        relevance=relevance,
        threshold=threshold,
        calib=calib,
        heading=heading,
        neighbours=neighbours,
        encoder=encoder if use_emb else None,
        reference=np.quantile(held_out.positives, np.linspace(0.0, 1.0, STANDING_STEPS)),
        info={
            **{k: float(v) for k, v in cv.items()},
            "calibration": calib.kind,
            "gate_pass_share": float(d.passes[y == 0].mean()),
            "train_seconds": round(time.perf_counter() - started, 2),
        },
    )
    model.info["probability_threshold"] = model.probability_threshold
    log(f"trained in {time.perf_counter() - started:.1f} s; threshold: relevance >= {model.probability_threshold:.3f}")
    positive_rows = [e for e in d.examples if e.label == 1]
    checked = checks.check(
        held_out,
        threshold=threshold,
        positives=len(positive_rows),
        with_abstract=with_abstract,
        heading_counts=Counter(e.heading or "" for e in positive_rows),
        headings=headings or heading.names,
        list_ids=list_ids,
    )
    model.info.update({f"check_{k}": v for k, v in checked.figures.items()})
    return Fitted(model, d, checked)


def train(
    examples: Sequence[Example],
    *,
    profile: Profile | ProfileLearner,
    encoder: Encoder | None,
    recipe: Recipe,
    target_precision: float,
    log: Log = _quiet,
) -> Model:
    """`fit`, for callers that need only the model."""
    return fit(
        examples, profile=profile, encoder=encoder, recipe=recipe, target_precision=target_precision, log=log
    ).model
