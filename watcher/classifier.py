"""The trained model you score with: relevance, its threshold and calibration, the heading, the
nearest entries, and how it is written to plain arrays. Pure computation, no I/O; fitting.py
learns it, model_store.py keeps it on disk.

Relevance is a sum of components, each standardised on the training negatives (mean 0, sd 1)
and weighted equally (chosen on development days, see benchmarks/):

1. the keyword score: the product of the list's profile facets (profile.py);
2. a logistic regression on hashed word 1-2-gram tf-idf (list entries vs the rest);
3. a logistic regression on all-MiniLM-L6-v2 sentence embeddings (optional).

A component is one small class with `raw(batch)` and its arrays; adding a fourth score is one
new class, its fitting function in fitting.py, and one line in `COMPONENTS`.

Papers that fail the profile's gate are never proposed and are not embedded. An embedding is
also skipped when even the best embedding score could not lift a paper to the threshold
(`Relevance.emb_bound`).

Beside its probability, each scored paper carries what a reviewer reads: its standing (the share
of the list's entries, each scored by a model trained without it, that score below the paper:
the probability is 1.00 for most proposals, the standing tells them apart), the nearest entries
(also the nearest under its heading and under the runner-up), and the terms that set it apart
from the list's typical entry (`features.distinctive_terms`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, ClassVar, Protocol

import numpy as np
import scipy.sparse as sp

from . import features
from .paper import Paper
from .profile import Profile
from .scoring import Neighbour, Scored

DIM = 384
GATE_DROP = 100.0  # what a paper that fails the gate loses: below every paper that passes
EMB_MARGIN = 2.0  # added to the best list entry's embedding score before ruling a paper out
MAX_ABSTRACT_CHARS = 5000  # arXiv allows 1,920; a longer "abstract" is not worth reading in full


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


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
    # Most of the list's entries have no abstract (nobody enriched them): then every paper is read
    # by its title alone, or "has an abstract" would be what tells the background from the list.
    titles_only: bool = False


def abstract_read(p: Paper) -> str:
    """The abstract as far as the classifier reads it (a hostile abstract is cut short)."""
    return p.abstract[:MAX_ABSTRACT_CHARS]


def paper_text(p: Paper) -> str:
    """What the classifier reads: the title and the abstract."""
    abstract = abstract_read(p)
    return f"{p.title}. {abstract}" if abstract else p.title


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


def _scalar(a: dict[str, np.ndarray], key: str) -> float:
    return float(a[key])


def _sparse_vector(prefix: str, v: np.ndarray) -> dict[str, np.ndarray]:
    idx = np.flatnonzero(v).astype(np.int32)
    return {f"{prefix}.idx": idx, f"{prefix}.val": v[idx].astype(np.float32)}


def _dense_vector(a: dict[str, np.ndarray], prefix: str) -> np.ndarray:
    out = np.zeros(features.N_FEATURES, dtype=np.float32)
    out[a[f"{prefix}.idx"]] = a[f"{prefix}.val"]
    return out


def _csr(prefix: str, m: sp.csr_matrix) -> dict[str, np.ndarray]:
    m = m.tocsr()
    return {
        f"{prefix}.data": m.data.astype(np.float32),
        f"{prefix}.indices": m.indices.astype(np.int32),
        f"{prefix}.indptr": m.indptr.astype(np.int64),
    }


def _from_csr(a: dict[str, np.ndarray], prefix: str, rows: int) -> sp.csr_matrix:
    return sp.csr_matrix(
        (a[f"{prefix}.data"], a[f"{prefix}.indices"], a[f"{prefix}.indptr"]), shape=(rows, features.N_FEATURES)
    )


# -- what a batch of papers looks like to the components ----------------------------------------


@dataclass
class Batch:
    """The features of papers being scored (or of training rows)."""

    kw: np.ndarray  # keyword score per paper
    x: sp.csr_matrix  # tf-idf under the relevance idf
    emb: np.ndarray  # (n, DIM) embeddings; zero rows where not embedded
    embedded: np.ndarray  # which rows have an embedding
    passes: np.ndarray  # which rows pass the gate


# -- relevance components -----------------------------------------------------------------------


class Component(Protocol):
    """One score summed into relevance."""

    name: ClassVar[str]
    needs_embedding: ClassVar[bool]  # computed only for rows with an embedding (0 elsewhere)

    def raw(self, batch: Batch) -> np.ndarray: ...

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]: ...


@dataclass
class KeywordScore:
    """The product of the profile's facets: the conjunction of topics that defines the list."""

    name: ClassVar[str] = "keyword"
    needs_embedding: ClassVar[bool] = False

    def raw(self, batch: Batch) -> np.ndarray:
        return batch.kw

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {}

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray], prefix: str) -> KeywordScore:
        return cls()


@dataclass
class LexicalScore:
    """Logistic regression on hashed 1-2-gram tf-idf: list entries against the rest."""

    coef: np.ndarray  # (N_FEATURES,) dense; zero outside the buckets in use
    bias: float
    name: ClassVar[str] = "lexical"
    needs_embedding: ClassVar[bool] = False

    def raw(self, batch: Batch) -> np.ndarray:
        return np.asarray(batch.x @ self.coef).ravel() + self.bias

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {**_sparse_vector(f"{prefix}.coef", self.coef), f"{prefix}.bias": np.array(self.bias)}

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray], prefix: str) -> LexicalScore:
        return cls(_dense_vector(a, f"{prefix}.coef"), _scalar(a, f"{prefix}.bias"))


@dataclass
class EmbeddingScore:
    """Logistic regression on MiniLM sentence embeddings."""

    coef: np.ndarray  # (DIM,)
    bias: float
    name: ClassVar[str] = "embedding"
    needs_embedding: ClassVar[bool] = True

    def raw(self, batch: Batch) -> np.ndarray:
        return np.asarray(batch.emb @ self.coef + self.bias)

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}.coef": self.coef.astype(np.float32), f"{prefix}.bias": np.array(self.bias)}

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray], prefix: str) -> EmbeddingScore:
        return cls(a[f"{prefix}.coef"].astype(np.float32), _scalar(a, f"{prefix}.bias"))


# Every kind of component a model file may hold, by the name it is saved under.
COMPONENTS: dict[str, Any] = {c.name: c for c in (KeywordScore, LexicalScore, EmbeddingScore)}


@dataclass
class Part:
    """A component and how it is standardised (on the training negatives)."""

    component: Component
    mean: float
    std: float

    def z(self, batch: Batch) -> np.ndarray:
        return (self.component.raw(batch) - self.mean) / self.std


@dataclass
class Relevance:
    """The relevance score: the sum of its standardised parts, minus GATE_DROP for papers that
    fail the gate. Parts that need an embedding count 0 for rows without one."""

    idf: np.ndarray
    parts: list[Part]
    # No paper's standardised embedding score is expected above this (the best list entry's, plus
    # a margin): a paper that cannot reach the threshold even so is not worth embedding.
    emb_bound: float = float("inf")

    @property
    def uses_embeddings(self) -> bool:
        return any(p.component.needs_embedding for p in self.parts)

    def part(self, name: str) -> Part | None:
        return next((p for p in self.parts if p.component.name == name), None)

    def cheap(self, batch: Batch) -> np.ndarray:
        """The parts that need no embedding."""
        total = np.zeros(batch.x.shape[0])
        for p in self.parts:
            if not p.component.needs_embedding:
                total = total + p.z(batch)
        return total

    def fused(self, batch: Batch) -> np.ndarray:
        total = self.cheap(batch)
        use = batch.passes & batch.embedded
        for p in self.parts:
            if p.component.needs_embedding:
                total = total + np.where(use, p.z(batch), 0.0)
        return np.where(batch.passes, total, total - GATE_DROP)

    def to_arrays(self) -> dict[str, np.ndarray]:
        out = {
            **_sparse_vector("relevance.idf", self.idf),
            "relevance.parts": np.array([p.component.name for p in self.parts], dtype=np.str_),
            "relevance.emb_bound": np.array(self.emb_bound),
        }
        for p in self.parts:
            prefix = f"relevance.{p.component.name}"
            out |= p.component.to_arrays(prefix)
            out |= {f"{prefix}.mean": np.array(p.mean), f"{prefix}.std": np.array(p.std)}
        return out

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> Relevance:
        parts = []
        for name in (str(n) for n in a["relevance.parts"]):
            prefix = f"relevance.{name}"
            component = COMPONENTS[name].from_arrays(a, prefix)
            parts.append(Part(component, _scalar(a, f"{prefix}.mean"), _scalar(a, f"{prefix}.std")))
        return cls(_dense_vector(a, "relevance.idf"), parts, _scalar(a, "relevance.emb_bound"))


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
            out: np.ndarray = 1.0 / (1.0 + np.exp(-z))
            return out
        return np.asarray(np.minimum(np.exp(np.clip(z + self.log_odds_shift, -50, 50)), 1.0))

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "calibration.kind": np.array(self.kind),
            "calibration.a": np.array(self.a),
            "calibration.b": np.array(self.b),
            "calibration.log_odds_shift": np.array(self.log_odds_shift),
        }

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> Calibration:
        return cls(
            _scalar(a, "calibration.a"),
            _scalar(a, "calibration.b"),
            _scalar(a, "calibration.log_odds_shift"),
            str(a["calibration.kind"]),
        )


# -- headings and nearest entries ---------------------------------------------------------------


@dataclass
class HeadingModel:
    """The heading: a tf-idf and an embedding classifier over the list's headings, averaged,
    plus the profile's cue words for the list's own headings."""

    names: list[str]
    idf: np.ndarray
    lex_coef: sp.csr_matrix  # (n_headings, N_FEATURES)
    lex_bias: np.ndarray
    emb_coef: np.ndarray  # (n_headings, DIM); zero rows without embeddings
    emb_bias: np.ndarray
    cue_weight: float

    def proba(self, counts: sp.csr_matrix, emb: np.ndarray, embedded: np.ndarray, cues: np.ndarray) -> np.ndarray:
        """Heading probabilities; `cues` (n, n_headings) are the cue-word weights."""
        hx = features.tfidf(counts, self.idf)
        lex = softmax(np.asarray((hx @ self.lex_coef.T).todense()) + self.lex_bias)
        if np.any(self.emb_coef):
            with_emb = (lex + softmax(emb @ self.emb_coef.T + self.emb_bias)) / 2
            proba = np.where(embedded[:, None], with_emb, lex)
        else:
            proba = lex
        proba = proba + self.cue_weight * cues + 1e-6
        out: np.ndarray = proba / proba.sum(axis=1, keepdims=True)
        return out

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "heading.names": np.array(self.names, dtype=np.str_),
            **_sparse_vector("heading.idf", self.idf),
            **_csr("heading.lex_coef", self.lex_coef),
            "heading.lex_bias": self.lex_bias.astype(np.float64),
            "heading.emb_coef": self.emb_coef.astype(np.float32),
            "heading.emb_bias": self.emb_bias.astype(np.float64),
            "heading.cue_weight": np.array(self.cue_weight),
        }

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> HeadingModel:
        names = [str(h) for h in a["heading.names"]]
        return cls(
            names=names,
            idf=_dense_vector(a, "heading.idf"),
            lex_coef=_from_csr(a, "heading.lex_coef", len(names)),
            lex_bias=a["heading.lex_bias"],
            emb_coef=a["heading.emb_coef"].astype(np.float32),
            emb_bias=a["heading.emb_bias"],
            cue_weight=_scalar(a, "heading.cue_weight"),
        )


@dataclass
class Neighbours:
    """The list's entries, to show a reviewer the nearest ones."""

    titles: list[str]
    headings: list[str]
    lex: sp.csr_matrix  # tf-idf rows under the relevance idf
    emb: np.ndarray  # their embeddings (empty without embeddings)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {
            "nearest.titles": np.array(self.titles, dtype=np.str_),
            "nearest.headings": np.array(self.headings, dtype=np.str_),
            **_csr("nearest.lex", self.lex),
            "nearest.emb": self.emb.astype(np.float16),
        }

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> Neighbours:
        titles = [str(t) for t in a["nearest.titles"]]
        return cls(
            titles,
            [str(h) for h in a["nearest.headings"]],
            _from_csr(a, "nearest.lex", len(titles)),
            a["nearest.emb"].astype(np.float32),
        )


# -- the model ----------------------------------------------------------------------------------


@dataclass
class ScoreArrays:
    """The model's verdicts on a batch, as arrays (what `Model.score` turns into records)."""

    fused: np.ndarray  # the relevance score the threshold applies to
    prob: np.ndarray  # its calibrated probability
    heading: np.ndarray  # (n, n_headings) heading probabilities
    batch: Batch


@dataclass
class Model:
    """Everything needed to score, as plain arrays (saved and loaded by model_store)."""

    recipe: Recipe
    profile: Profile
    relevance: Relevance
    threshold: float  # on the fused score
    calib: Calibration
    heading: HeadingModel
    neighbours: Neighbours
    encoder: Encoder | None = None
    info: dict[str, Any] = field(default_factory=dict)
    model_id: str = ""
    # Quantiles (0, 1, ..., 100 %) of the out-of-fold scores of the list's entries (or, after
    # review, of the accepted papers): what a paper's standing is measured against. A model saved
    # before they were kept has none: its papers have no standing, only a probability.
    reference: np.ndarray | None = None

    @property
    def headings(self) -> list[str]:
        return self.heading.names

    @property
    def uses_embeddings(self) -> bool:
        return self.relevance.uses_embeddings

    @property
    def probability_threshold(self) -> float:
        return float(self.calib.apply(np.array([self.threshold]))[0])

    def batch(self, papers: Sequence[Paper]) -> tuple[Batch, sp.csr_matrix]:
        """The papers' features (embedding only those that could still reach the threshold),
        and their raw n-gram counts."""
        texts = [(p.title, abstract_read(p)) for p in papers]
        facets = self.profile.facet_weights_each(texts)
        kw = np.array([self.profile.keyword_score(f) for f in facets])
        passes = np.array(self.profile.passes_each(texts, [p.categories for p in papers], facets), dtype=bool)
        counts = features.counts([paper_text(p) for p in papers])
        batch = Batch(
            kw=kw,
            x=features.tfidf(counts, self.relevance.idf),
            emb=np.zeros((len(papers), DIM), dtype=np.float32),
            embedded=np.zeros(len(papers), dtype=bool),
            passes=passes,
        )
        if self.uses_embeddings:
            batch.embedded = passes & (self.relevance.cheap(batch) + self.relevance.emb_bound >= self.threshold)
            if batch.embedded.any():
                if self.encoder is None:
                    raise RuntimeError("this model needs the sentence encoder")
                rows = np.flatnonzero(batch.embedded)
                batch.emb[rows] = self.encoder.encode([paper_text(papers[int(i)]) for i in rows])
        return batch, counts

    def read(self, papers: Sequence[Paper]) -> list[Paper]:
        """The papers as this model reads them (titles alone for a titles-only model)."""
        return [replace(p, abstract="") for p in papers] if self.recipe.titles_only else list(papers)

    def score_arrays(self, papers: Sequence[Paper]) -> ScoreArrays:
        papers = self.read(papers)
        batch, counts = self.batch(papers)
        fused = self.relevance.fused(batch)
        cues = np.zeros((len(papers), len(self.headings)))  # cue words only where a heading can matter
        for i in map(int, np.flatnonzero(batch.passes)):
            cues[i] = self.profile.cue_scores(papers[i].title, abstract_read(papers[i]), self.headings)
        head = self.heading.proba(counts, batch.emb, batch.embedded, cues)
        return ScoreArrays(fused=fused, prob=self.calib.apply(fused), heading=head, batch=batch)

    def standing(self, fused: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        """(the share of the reference entries below each score, or None without a reference;
        how far past the best entry each score is)."""
        ref = self.reference
        if ref is None or not len(ref):
            return None, np.zeros(len(fused))
        # A score between two quantiles stands between them (interpolated: a day's papers rarely
        # share a value); a score equal to quantiles that tie (entries alike) stands at the last.
        values, last_reversed = np.unique(ref[::-1], return_index=True)
        steps = 1.0 - last_reversed / (len(ref) - 1) if len(ref) > 1 else np.ones(1)
        share = np.interp(fused, values, steps, left=0.0, right=1.0)
        return share, np.maximum(fused - ref[-1], 0.0)

    def score(self, papers: Sequence[Paper]) -> list[Scored]:
        if not papers:
            return []
        r = self.score_arrays(papers)
        read = self.read(papers)
        b, near = r.batch, self.neighbours
        lex_sims = (b.x @ near.lex.T).toarray() if near.lex.shape[0] else np.zeros((len(papers), 0))
        standing, lead = self.standing(r.fused)
        out = []
        for i, paper in enumerate(papers):
            proba = r.heading[i]
            order = np.argsort(-proba, kind="stable")
            heading = self.headings[order[0]]
            runner_up = self.headings[order[1]] if len(order) > 1 else heading
            use_emb = bool(b.embedded[i]) and near.emb.size > 0
            sims = near.emb @ b.emb[i] if use_emb else lex_sims[i]
            out.append(
                Scored(
                    paper=paper,
                    relevance=float(r.prob[i]),
                    selected=bool(r.fused[i] >= self.threshold),
                    heading=heading,
                    runner_up=runner_up,
                    heading_scores={h: round(float(proba[j]), 4) for j, h in enumerate(self.headings)},
                    nearest=tuple(
                        Neighbour(near.titles[j], near.headings[j], round(float(sims[j]), 3))
                        for j in self._closest(sims, (heading, runner_up))
                    ),
                    # a paper that fails the gate is never proposed: no reader needs its terms
                    terms=self._terms(read[i]) if b.passes[i] else (),
                    standing=None if standing is None else round(float(standing[i]), 4),
                    lead=round(float(lead[i]), 3),
                )
            )
        return out

    def _closest(self, sims: np.ndarray, headings: Sequence[str], k: int = 3) -> list[int]:
        """The `k` entries most like the paper, then the closest one under each of `headings`
        that those leave out (a reviewer compares a paper with what its heading already holds)."""
        if not sims.size:
            return []
        ranked = np.argsort(-sims, kind="stable")
        chosen = [int(j) for j in ranked[:k]]
        under = np.array(self.neighbours.headings)
        for h in dict.fromkeys(headings):
            if not any(self.neighbours.headings[j] == h for j in chosen):
                rows = ranked[under[ranked] == h]
                chosen += [int(rows[0])] if len(rows) else []
        return chosen

    @cached_property
    def _list_share(self) -> np.ndarray:
        return features.list_share(self.neighbours.lex)

    def _terms(self, paper: Paper) -> tuple[str, ...]:
        """The terms that set the paper apart from the list's typical entry."""
        return features.distinctive_terms(
            paper.title, abstract_read(paper), self.relevance.idf, self._list_share, self.neighbours.lex.shape[0]
        )

    # -- persistence --------------------------------------------------------------------

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Every array the model is, under a readable name (model.npz)."""
        return {
            "profile": np.array(json.dumps(self.profile.to_json(), sort_keys=True)),
            **self.relevance.to_arrays(),
            "threshold": np.array(self.threshold),
            **self.calib.to_arrays(),
            **self.heading.to_arrays(),
            **self.neighbours.to_arrays(),
            **({} if self.reference is None else {"standing.reference": self.reference.astype(np.float64)}),
        }

    @classmethod
    def from_arrays(
        cls, a: dict[str, np.ndarray], recipe: Recipe, info: dict[str, Any], encoder: Encoder | None, model_id: str
    ) -> Model:
        return cls(
            recipe=recipe,
            profile=Profile.from_json(json.loads(str(a["profile"]))),
            relevance=Relevance.from_arrays(a),
            threshold=_scalar(a, "threshold"),
            calib=Calibration.from_arrays(a),
            heading=HeadingModel.from_arrays(a),
            neighbours=Neighbours.from_arrays(a),
            encoder=encoder,
            info=dict(info),
            model_id=model_id,
            reference=a.get("standing.reference"),
        )
