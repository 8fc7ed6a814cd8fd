"""Learn the list; score papers for relevance and heading. Pure computation, no I/O.

Relevance is a fusion of three scores, each standardised on the training negatives and summed
with equal weights (chosen on development days, see benchmarks/):

1. the keyword score (speech/audio terms x language-model terms, domain.py);
2. a logistic regression on hashed word 1-2-gram tf-idf (list entries vs the rest);
3. a logistic regression on all-MiniLM-L6-v2 sentence embeddings (optional).

Papers with no speech/audio word and no audio category fail a gate: they are never proposed
and are not embedded (four in five papers of the watched categories are text-only NLP).

Training is positive-unlabelled at cold start: the list's entries are positives, papers seen in
the watched categories are unlabelled background (about 3% of it belongs on the list), and
reviewed proposals are labelled examples. The threshold comes from cross-validation on the
training data only: at cold start from a mixture-proportion estimate of the precision (the
share of positives hidden in the background, from held-out list entries vs held-out
background); once enough proposals were reviewed, from Platt-calibrated out-of-fold scores of
the reviewed papers. The heading averages a tf-idf and an embedding classifier trained on the
list's headings, plus cue words for the list's own headings (domain.HEADING_CUES).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from . import domain, features
from .paper import Paper
from .scoring import Neighbour, Scored

DIM = 384
GATE_DROP = 100.0  # what a paper that fails the gate loses: below every paper that passes
EMB_MARGIN = 2.0  # added to the best list entry's embedding score before ruling a paper out


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True, eq=False)
class Example:
    """One training paper: positive (on the list / accepted) or not (background / rejected).

    Rows stored with a model come without text: their n-gram counts, keyword weights, gate and
    embedding travel instead."""

    paper: Paper
    label: int
    heading: str | None = None
    kind: str = "background"  # list | accepted | rejected | background
    weight: float = 1.0
    day: str = ""  # announcement day, to keep a day's papers in one cross-validation fold
    counts: sp.csr_matrix | None = None
    embedding: np.ndarray | None = None
    terms: tuple[float, float] | None = None  # (audio, language-model) keyword weights
    gated: bool | None = None

    @property
    def term_weights(self) -> tuple[float, float]:
        return self.terms if self.terms is not None else domain.term_weights(self.paper.title, self.paper.abstract)

    @property
    def passes(self) -> bool:
        if self.gated is not None:
            return self.gated
        p = self.paper
        return domain.passes_gate(self.term_weights[0], p.categories, p.title, p.abstract)


@dataclass(frozen=True)
class Recipe:
    """Hyperparameters (fixed on development days); recorded in the model card."""

    lexical_c: float = 4.0
    embedding_c: float = 10.0
    heading_c: float = 10.0
    cue_weight: float = 1.0  # at 1.5 (a few papers better on DEV) heading corrections stopped moving papers
    min_df: int = 2
    max_df: float = 0.5
    folds: int = 5
    embeddings: bool = True
    reference_size: int = 1500  # negatives used to standardise each score
    cold_support: float = 0.8  # thresholds must keep this share of held-out list entries (chosen on DEV)
    min_reviewed: int = 10  # reviewed positives and negatives needed to calibrate on reviews
    review_weight: float = 3.0  # a maintainer's verdict counts more than an unlabelled paper (chosen on DEV)
    # With this many reviewed negatives (whole days labelled), unlabelled background only adds
    # noise (it hides ~3% positives): it is left out. Rejected proposals alone are far fewer.
    labelled_enough: int = 500
    seed: int = 0


def paper_text(p: Paper) -> str:
    return f"{p.title}. {p.abstract}" if p.abstract else p.title


# -- small helpers ------------------------------------------------------------------------------


def _lr(c: float, balanced: bool = True, iters: int = 3000) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced" if balanced else None, max_iter=iters)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _idf(counts: sp.csr_matrix, min_df: int, max_df: float) -> np.ndarray:
    """Smoothed idf over hashed buckets; buckets outside [min_df, max_df * n] get 0 (dropped)."""
    n = counts.shape[0]
    df = features.document_frequency(counts)
    idf = features.idf_from(df, n)
    idf[(df < min_df) | (df > max_df * n)] = 0.0
    return idf


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    x = features.tfidf(counts, idf)
    x.eliminate_zeros()
    return x


@dataclass(frozen=True)
class Calibration:
    """score -> probability that a paper of the stream belongs on the list.

    "reviewed": Platt scaling fitted on reviewed papers (real stream labels).
    "pu" (cold start): Platt scaling fitted on held-out list entries vs held-out background gives
    g = P(listed | score) for that mix; the stream posterior is pi * (N_U / N_P) * g / (1 - g),
    pi being the share of positives hidden in the background (capped at 1).
    """

    a: float
    b: float
    log_odds_shift: float = 0.0
    kind: str = "reviewed"

    def apply(self, score: np.ndarray) -> np.ndarray:
        z = np.clip(self.a * np.asarray(score, dtype=float) + self.b, -50, 50)
        if self.kind == "reviewed":
            return 1.0 / (1.0 + np.exp(-z))
        return np.minimum(np.exp(np.clip(z + self.log_odds_shift, -50, 50)), 1.0)


# -- the fitted model ---------------------------------------------------------------------------


@dataclass
class Relevance:
    """The three relevance scorers and how they are standardised."""

    idf: np.ndarray
    lex_coef: np.ndarray
    lex_bias: float
    emb_coef: np.ndarray  # empty without embeddings
    emb_bias: float
    stats: np.ndarray  # (3, 2): mean and std of keyword, lexical, embedding scores on negatives
    # No paper's standardised embedding score is expected above this (the best list entry's, plus
    # a margin): a paper that cannot reach the threshold even so is not worth embedding.
    emb_bound: float = float("inf")

    @property
    def uses_embeddings(self) -> bool:
        return self.emb_coef.size > 0

    def base(self, kw: np.ndarray, x: sp.csr_matrix) -> np.ndarray:
        """The keyword and lexical part of the fused score."""
        lex = np.asarray(x @ self.lex_coef).ravel() + self.lex_bias
        return (kw - self.stats[0, 0]) / self.stats[0, 1] + (lex - self.stats[1, 0]) / self.stats[1, 1]

    def emb_z(self, emb: np.ndarray) -> np.ndarray:
        return (emb @ self.emb_coef + self.emb_bias - self.stats[2, 0]) / self.stats[2, 1]

    def fused(
        self,
        kw: np.ndarray,
        x: sp.csr_matrix,
        emb: np.ndarray | None,
        passes: np.ndarray,
        embedded: np.ndarray | None = None,
    ) -> np.ndarray:
        """The relevance score. Rows not `embedded` count a neutral embedding score (0)."""
        z = self.base(kw, x)
        if self.uses_embeddings and emb is not None:
            use = passes if embedded is None else passes & embedded
            z = z + np.where(use, self.emb_z(emb), 0.0)
        return np.where(passes, z, z - GATE_DROP)


@dataclass
class Model:
    """Everything needed to score, as plain arrays (saved and loaded through `artifact`)."""

    recipe: Recipe
    headings: list[str]
    relevance: Relevance
    threshold: float  # on the fused score
    calib: Calibration
    head_idf: np.ndarray
    head_lex_coef: sp.csr_matrix  # (n_headings, N_FEATURES)
    head_lex_bias: np.ndarray
    head_emb_coef: np.ndarray  # (n_headings, DIM); zero rows without embeddings
    head_emb_bias: np.ndarray
    pos_titles: list[str]
    pos_headings: list[str]
    pos_lex: sp.csr_matrix  # tf-idf rows of the positives, for the nearest entries
    pos_emb: np.ndarray  # their embeddings (empty without embeddings)
    encoder: Encoder | None = None
    info: dict[str, Any] = field(default_factory=dict)
    model_id: str = ""
    prepared: Prepared | None = field(default=None, repr=False)  # training features, kept by train()

    @property
    def uses_embeddings(self) -> bool:
        return self.relevance.uses_embeddings

    @property
    def probability_threshold(self) -> float:
        return float(self.calib.apply(np.array([self.threshold]))[0])

    def score_arrays(self, papers: Sequence[Paper]) -> dict[str, Any]:
        terms = [domain.term_weights(p.title, p.abstract) for p in papers]
        kw = np.array([domain.keyword_score(a, lm) for a, lm in terms])
        passes = np.array(
            [domain.passes_gate(a, p.categories, p.title, p.abstract) for (a, _), p in zip(terms, papers, strict=True)],
            dtype=bool,
        )
        counts = features.counts([paper_text(p) for p in papers])
        x = _tfidf(counts, self.relevance.idf)
        emb = np.zeros((len(papers), DIM), dtype=np.float32)
        embedded = np.zeros(len(papers), dtype=bool)
        if self.uses_embeddings:
            # embed only papers that could still reach the threshold with the best embedding score
            embedded = passes & (self.relevance.base(kw, x) + self.relevance.emb_bound >= self.threshold)
            if embedded.any():
                if self.encoder is None:
                    raise RuntimeError("this model needs the sentence encoder")
                emb[embedded] = self.encoder.encode([paper_text(papers[int(i)]) for i in np.flatnonzero(embedded)])
        fused = self.relevance.fused(kw, x, emb, passes, embedded)
        head = self._headings(papers, _tfidf(counts, self.head_idf), emb, embedded, passes)
        return {
            "fused": fused,
            "prob": self.calib.apply(fused),
            "heading": head,
            "x": x,
            "emb": emb,
            "passes": passes,
            "embedded": embedded,
        }

    def score(self, papers: Sequence[Paper]) -> list[Scored]:
        if not papers:
            return []
        r = self.score_arrays(papers)
        lex_sims = (r["x"] @ self.pos_lex.T).toarray() if self.pos_lex.shape[0] else np.zeros((len(papers), 0))
        out = []
        for i, paper in enumerate(papers):
            proba = r["heading"][i]
            order = np.argsort(-proba, kind="stable")
            use_emb = bool(r["embedded"][i]) and self.pos_emb.size > 0
            sims = self.pos_emb @ r["emb"][i] if use_emb else lex_sims[i]
            near: list[int] = list(np.argsort(-sims, kind="stable")[:3]) if sims.size else []
            out.append(
                Scored(
                    paper=paper,
                    relevance=float(r["prob"][i]),
                    selected=bool(r["fused"][i] >= self.threshold),
                    heading=self.headings[order[0]],
                    runner_up=self.headings[order[1]] if len(order) > 1 else self.headings[order[0]],
                    heading_scores={h: round(float(proba[j]), 4) for j, h in enumerate(self.headings)},
                    nearest=tuple(
                        Neighbour(self.pos_titles[j], self.pos_headings[j], round(float(sims[j]), 3)) for j in near
                    ),
                    # a paper that fails the gate is never proposed: no reader needs its terms
                    terms=self._terms(paper) if r["passes"][i] else (),
                )
            )
        return out

    def _terms(self, paper: Paper) -> tuple[str, ...]:
        words = features.top_terms(paper_text(paper), self.relevance.lex_coef, self.relevance.idf, k=3)
        keys = [t for t in domain.matched_terms(paper.title, paper.abstract) if t not in words][:3]
        return tuple(list(words) + keys)

    def _headings(
        self, papers: Sequence[Paper], hx: sp.csr_matrix, emb: np.ndarray, embedded: np.ndarray, passes: np.ndarray
    ) -> np.ndarray:
        lex = _softmax(np.asarray((hx @ self.head_lex_coef.T).todense()) + self.head_lex_bias)
        if self.uses_embeddings:
            with_emb = (lex + _softmax(emb @ self.head_emb_coef.T + self.head_emb_bias)) / 2
            proba = np.where(embedded[:, None], with_emb, lex)
        else:
            proba = lex
        cues = np.zeros((len(papers), len(self.headings)))  # cue words only where a heading can matter
        for i in map(int, np.flatnonzero(passes)):
            cues[i] = domain.heading_cues(papers[i].title, papers[i].abstract, self.headings)
        proba = proba + self.recipe.cue_weight * cues + 1e-6
        return proba / proba.sum(axis=1, keepdims=True)

    # -- persistence --------------------------------------------------------------------

    def to_arrays(self) -> dict[str, np.ndarray]:
        r = self.relevance
        idf_idx = np.flatnonzero(r.idf).astype(np.int32)  # unseen and filtered buckets have idf 0
        head_idx = np.flatnonzero(self.head_idf).astype(np.int32)
        lex_idx = np.flatnonzero(r.lex_coef).astype(np.int32)
        h, p = self.head_lex_coef.tocsr(), self.pos_lex.tocsr()
        return {
            "idf_idx": idf_idx,
            "idf_val": r.idf[idf_idx],
            "head_idf_idx": head_idx,
            "head_idf_val": self.head_idf[head_idx],
            "lex_idx": lex_idx,
            "lex_val": r.lex_coef[lex_idx].astype(np.float32),
            "emb_coef": r.emb_coef.astype(np.float32),
            "stats": r.stats.astype(np.float64),
            "head_lex_data": h.data.astype(np.float32),
            "head_lex_indices": h.indices.astype(np.int32),
            "head_lex_indptr": h.indptr.astype(np.int64),
            "head_lex_bias": self.head_lex_bias.astype(np.float64),
            "head_emb_coef": self.head_emb_coef.astype(np.float32),
            "head_emb_bias": self.head_emb_bias.astype(np.float64),
            "pos_lex_data": p.data.astype(np.float32),
            "pos_lex_indices": p.indices.astype(np.int32),
            "pos_lex_indptr": p.indptr.astype(np.int64),
            "pos_emb": self.pos_emb.astype(np.float16),
            "pos_titles": np.array(self.pos_titles, dtype=np.str_),
            "pos_headings": np.array(self.pos_headings, dtype=np.str_),
            "headings": np.array(self.headings, dtype=np.str_),
            "calib_kind": np.array([self.calib.kind], dtype=np.str_),
            "scalars": np.array(
                [
                    r.lex_bias,
                    r.emb_bias,
                    self.threshold,
                    self.calib.a,
                    self.calib.b,
                    self.calib.log_odds_shift,
                    r.emb_bound,
                ],
                dtype=np.float64,
            ),
        }

    @classmethod
    def from_arrays(
        cls, a: dict[str, np.ndarray], recipe: Recipe, info: dict[str, Any], encoder: Encoder | None, model_id: str
    ) -> Model:
        n = features.N_FEATURES
        lex_bias, emb_bias, threshold, ca, cb, shift, emb_bound = (float(v) for v in a["scalars"])

        def dense(idx: np.ndarray, val: np.ndarray) -> np.ndarray:
            out = np.zeros(n, dtype=np.float32)
            out[idx] = val
            return out

        headings = [str(h) for h in a["headings"]]
        titles = [str(t) for t in a["pos_titles"]]
        relevance = Relevance(
            idf=dense(a["idf_idx"], a["idf_val"]),
            lex_coef=dense(a["lex_idx"], a["lex_val"]),
            lex_bias=lex_bias,
            emb_coef=a["emb_coef"].astype(np.float32),
            emb_bias=emb_bias,
            stats=a["stats"].astype(np.float64),
            emb_bound=emb_bound,
        )
        return cls(
            recipe=recipe,
            headings=headings,
            relevance=relevance,
            threshold=threshold,
            calib=Calibration(ca, cb, shift, str(a["calib_kind"][0])),
            head_idf=dense(a["head_idf_idx"], a["head_idf_val"]),
            head_lex_coef=sp.csr_matrix(
                (a["head_lex_data"], a["head_lex_indices"], a["head_lex_indptr"]), shape=(len(headings), n)
            ),
            head_lex_bias=a["head_lex_bias"],
            head_emb_coef=a["head_emb_coef"].astype(np.float32),
            head_emb_bias=a["head_emb_bias"],
            pos_titles=titles,
            pos_headings=[str(h) for h in a["pos_headings"]],
            pos_lex=sp.csr_matrix(
                (a["pos_lex_data"], a["pos_lex_indices"], a["pos_lex_indptr"]), shape=(len(titles), n)
            ),
            pos_emb=a["pos_emb"].astype(np.float32),
            encoder=encoder,
            info=dict(info),
            model_id=model_id,
        )


# -- training -----------------------------------------------------------------------------------


@dataclass
class Prepared:
    """Per-example features, computed once and shared by every fit (folds included)."""

    examples: list[Example]
    y: np.ndarray
    w: np.ndarray
    counts: sp.csr_matrix
    kw: np.ndarray
    passes: np.ndarray
    emb: np.ndarray
    has_emb: np.ndarray
    reviewed: np.ndarray
    days: np.ndarray


def prepare(
    examples: Sequence[Example], encoder: Encoder | None, recipe: Recipe, log: Callable[[str], None] = lambda line: None
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
    terms = [e.term_weights for e in ex]
    kw = np.array([domain.keyword_score(a, lm) for a, lm in terms])
    passes = np.array([e.passes for e in ex], dtype=bool)
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
    return Prepared(ex, y, weights, counts, kw, passes, emb, has, reviewed, np.array([e.day for e in ex]))


def _fit_relevance(d: Prepared, rows: np.ndarray, recipe: Recipe, use_emb: bool) -> Relevance:
    """Fit the scorers on `rows` and standardise them on its negatives."""
    idf = _idf(d.counts[rows], recipe.min_df, recipe.max_df)
    x = _tfidf(d.counts[rows], idf)
    y, w = d.y[rows], d.w[rows]
    cols = np.flatnonzero(idf)  # fit over the buckets in use only: 20x fewer coefficients
    lex = _lr(recipe.lexical_c).fit(x[:, cols], y, sample_weight=w)
    lex_coef = np.zeros(features.N_FEATURES, dtype=np.float32)
    lex_coef[cols] = lex.coef_.ravel()
    emb_coef, emb_bias = np.zeros(0, np.float32), 0.0
    e_rows = rows[d.passes[rows] & d.has_emb[rows]] if use_emb else np.zeros(0, int)
    if use_emb and len(np.unique(d.y[e_rows])) == 2:
        e_lr = _lr(recipe.embedding_c).fit(d.emb[e_rows], d.y[e_rows], sample_weight=d.w[e_rows])
        emb_coef, emb_bias = e_lr.coef_.ravel().astype(np.float32), float(e_lr.intercept_[0])
    # standardise on negatives: those that pass the gate (the only ones that compete)
    neg = rows[(d.y[rows] == 0) & d.passes[rows]]
    if len(neg) < 10:
        neg = rows[d.y[rows] == 0]
    neg = neg[:: max(1, len(neg) // recipe.reference_size)]
    lex_scores = np.asarray(_tfidf(d.counts[neg], idf) @ lex_coef).ravel() + lex.intercept_[0]
    stats = [(d.kw[neg].mean(), d.kw[neg].std()), (lex_scores.mean(), lex_scores.std())]
    if emb_coef.size:
        e = d.emb[neg] @ emb_coef + emb_bias
        stats.append((e.mean(), e.std()))
    else:
        stats.append((0.0, 1.0))
    return Relevance(
        idf=idf,
        lex_coef=lex_coef,
        lex_bias=float(lex.intercept_[0]),
        emb_coef=emb_coef,
        emb_bias=emb_bias,
        stats=np.array([(m, s + 1e-9) for m, s in stats], dtype=np.float64),
    )


def _score_rows(rel: Relevance, d: Prepared, rows: np.ndarray) -> np.ndarray:
    x = _tfidf(d.counts[rows], rel.idf)
    return rel.fused(d.kw[rows], x, d.emb[rows], d.passes[rows], embedded=d.has_emb[rows])


def _day_folds(keys: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
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


def hidden_positive_share(pos: np.ndarray, bg: np.ndarray, support: float) -> float:
    """Mixture-proportion estimate of the share of positives in the background: the smallest
    ratio of pass rates F_bg(t) / F_pos(t) over thresholds that keep >= `support` of the positives."""
    ratios = [
        float((bg >= t).mean()) / fp
        for t in np.unique(pos)
        if (fp := float((pos >= t).mean())) >= support and fp * len(pos) >= 10
    ]
    return min(ratios) if ratios else 0.03


def _cold_threshold(
    d: Prepared, recipe: Recipe, use_emb: bool, target: float, log: Callable[[str], None]
) -> tuple[float, Calibration, dict[str, float]]:
    """Held-out list entries vs held-out background (folds by day): precision(t) is estimated
    as pi * F_pos(t) / F_bg(t); the threshold is the lowest t where that reaches the target."""
    pos = np.flatnonzero(d.y == 1)
    bg = np.flatnonzero((d.y == 0) & ~d.reviewed)
    rng = np.random.default_rng(recipe.seed)
    pos_folds = np.array_split(rng.permutation(pos), recipe.folds)
    bg_folds = [bg[f] for f in _day_folds(d.days[bg], recipe.folds, recipe.seed)]
    s_pos, s_bg = [], []
    for k in range(recipe.folds):
        held = np.concatenate([pos_folds[k], bg_folds[k] if k < len(bg_folds) else np.zeros(0, int)])
        train_rows = np.setdiff1d(np.arange(len(d.y)), held)
        rel = _fit_relevance(d, train_rows, recipe, use_emb)
        s_pos.append(_score_rows(rel, d, pos_folds[k]))
        if k < len(bg_folds):
            s_bg.append(_score_rows(rel, d, bg_folds[k]))
    sp_, sb = np.concatenate(s_pos), np.concatenate(s_bg)
    pi = hidden_positive_share(sp_, sb, recipe.cold_support)
    best = (float(np.max(sp_)), 0.0, 0.0)
    for t in np.unique(np.concatenate([sp_, sb]))[::-1]:
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
    return best[0], calib, {"cv_precision": best[1], "cv_list_recall": best[2], "hidden_positive_share": pi}


def _review_threshold(
    d: Prepared, recipe: Recipe, use_emb: bool, target: float, log: Callable[[str], None]
) -> tuple[float, Calibration, dict[str, float]]:
    """Out-of-fold scores of the reviewed papers (folds by day), Platt-calibrated on their labels;
    the threshold is the lowest score whose calibrated probability is at least one half."""
    rev = np.flatnonzero(d.reviewed)
    oof = np.zeros(len(rev))
    for fold in _day_folds(d.days[rev], recipe.folds, recipe.seed):
        held = rev[fold]
        rel = _fit_relevance(d, np.setdiff1d(np.arange(len(d.y)), held), recipe, use_emb)
        oof[fold] = _score_rows(rel, d, held)
    y = d.y[rev]
    platt = LogisticRegression(C=1e4, max_iter=2000).fit(oof.reshape(-1, 1), y)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    calib = Calibration(a, b, 0.0, "reviewed")
    threshold = -b / a if a > 0 else float(np.max(oof))
    chosen = oof >= threshold
    precision = float(y[chosen].mean()) if chosen.any() else 0.0
    recall = float(y[chosen].sum() / max(y.sum(), 1))
    _, p_target, r_target = choose_threshold(oof, y, target)
    log(
        f"after review: {len(rev)} reviewed papers; threshold at P(relevant) >= 0.5 gives out-of-fold "
        f"precision {precision:.2f}, recall {recall:.2f}"
    )
    return (
        threshold,
        calib,
        {
            "cv_precision": precision,
            "cv_recall": recall,
            "cv_precision_at_target_rule": p_target,
            "cv_recall_at_target_rule": r_target,
        },
    )


def train(
    examples: Sequence[Example],
    *,
    encoder: Encoder | None,
    recipe: Recipe,
    target_precision: float,
    log: Callable[[str], None] = lambda line: None,
) -> Model:
    """Fit relevance (with its threshold and calibration) and headings on `examples`."""
    started = time.perf_counter()
    examples = list(examples)
    if sum(1 for e in examples if e.kind == "rejected") >= recipe.labelled_enough:
        dropped = sum(1 for e in examples if e.kind == "background")
        examples = [e for e in examples if e.kind != "background"]
        if dropped:
            log(f"{dropped} unlabelled background papers left out: enough reviewed papers")
    d = prepare(examples, encoder, recipe, log)
    y = d.y
    if y.sum() < 10 or (1 - y).sum() < 10:
        raise ValueError(f"too few examples to train ({int(y.sum())} positives, {int((1 - y).sum())} others)")
    use_emb = recipe.embeddings and encoder is not None
    everything = np.arange(len(y))
    relevance = _fit_relevance(d, everything, recipe, use_emb)
    if relevance.uses_embeddings:
        listed_emb = d.emb[(y == 1) & d.has_emb]
        relevance.emb_bound = float(relevance.emb_z(listed_emb).max()) + EMB_MARGIN
    enough = d.y[d.reviewed].sum() >= recipe.min_reviewed and (1 - d.y[d.reviewed]).sum() >= recipe.min_reviewed
    if enough:
        threshold, calib, cv = _review_threshold(d, recipe, use_emb, target_precision, log)
    else:
        threshold, calib, cv = _cold_threshold(d, recipe, use_emb, target_precision, log)

    # headings: the positives (list entries and accepted proposals) under their headings
    positives = np.flatnonzero(y == 1)
    heads = _ordered_headings([d.examples[i] for i in positives])
    if len(heads) < 2:
        raise ValueError("the list needs at least two headings with entries")
    hy = np.array([heads.index(d.examples[i].heading or "") for i in positives])
    head_idf = _idf(d.counts[positives], 1, 1.0)
    hx = _tfidf(d.counts[positives], head_idf)
    cols = np.flatnonzero(head_idf)
    head_lex_coef = np.zeros((len(heads), features.N_FEATURES), dtype=np.float32)
    head_lex_coef[:, cols], head_lex_bias = _multiclass(hx[:, cols], hy, d.w[positives], len(heads), recipe.heading_c)
    head_emb_coef = np.zeros((len(heads), DIM), np.float32)
    head_emb_bias = np.zeros(len(heads))
    if use_emb:
        head_emb_coef, head_emb_bias = _multiclass(d.emb[positives], hy, d.w[positives], len(heads), recipe.heading_c)
    listed = np.array([i for i in positives if d.examples[i].kind == "list"], dtype=int)  # the "nearest entries"
    model = Model(
        recipe=recipe,
        headings=heads,
        relevance=relevance,
        threshold=threshold,
        calib=calib,
        head_idf=head_idf,
        head_lex_coef=sp.csr_matrix(head_lex_coef.astype(np.float32)),
        head_lex_bias=head_lex_bias,
        head_emb_coef=head_emb_coef.astype(np.float32),
        head_emb_bias=head_emb_bias,
        pos_titles=[d.examples[i].paper.title for i in listed],
        pos_headings=[d.examples[i].heading or "" for i in listed],
        pos_lex=_tfidf(d.counts[listed], relevance.idf),
        pos_emb=d.emb[listed] if use_emb else np.zeros((0, DIM), np.float32),
        encoder=encoder if use_emb else None,
        info={
            **{k: float(v) for k, v in cv.items()},
            "calibration": calib.kind,
            "gate_pass_share": float(d.passes[y == 0].mean()),
            "train_seconds": round(time.perf_counter() - started, 2),
        },
    )
    model.info["probability_threshold"] = model.probability_threshold
    log(f"trained in {time.perf_counter() - started:.1f} s; threshold: relevance >= {model.probability_threshold:.3f}")
    model.prepared = d  # for the caller's training store; never saved with the model
    return model


def _ordered_headings(positives: Sequence[Example]) -> list[str]:
    seen: list[str] = []
    for e in positives:
        if e.heading and e.heading not in seen:
            seen.append(e.heading)
    return seen


def _multiclass(x: Any, y: np.ndarray, w: np.ndarray, n: int, c: float) -> tuple[np.ndarray, np.ndarray]:
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
