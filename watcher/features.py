"""Text features: hashed word 1-2-gram tf-idf, with the terms behind a score. No I/O.

Hashing keeps the feature space fixed (no vocabulary to persist or to go stale when new model
names appear); the document frequencies are kept so the idf can be recomputed when the model is
retrained with more papers. The terms behind a score are recovered from the paper's own words.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils import murmurhash3_32

N_FEATURES = 2**20

_VECTORIZER = HashingVectorizer(
    n_features=N_FEATURES,
    ngram_range=(1, 2),
    alternate_sign=False,
    norm=None,
    lowercase=True,
    strip_accents="unicode",
    token_pattern=r"(?u)\b\w\w+\b",
    dtype=np.float32,
)
_ANALYZE = _VECTORIZER.build_analyzer()


def counts(texts: Sequence[str]) -> sp.csr_matrix:
    """Raw n-gram counts in the hashed space."""
    return _VECTORIZER.transform(texts).tocsr()


def bucket(term: str) -> int:
    """The hashed column of one n-gram (the same function HashingVectorizer uses)."""
    return int(abs(murmurhash3_32(term, seed=0, positive=False)) % N_FEATURES)


def document_frequency(count_matrix: sp.csr_matrix) -> np.ndarray:
    return np.bincount(count_matrix.indices, minlength=N_FEATURES).astype(np.int32)


def idf_from(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Smoothed idf, as scikit-learn's TfidfTransformer(smooth_idf=True) computes it."""
    return (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)


def filtered_idf(count_matrix: sp.csr_matrix, min_df: int, max_df: float) -> np.ndarray:
    """Smoothed idf over hashed buckets; buckets outside [min_df, max_df * n] get 0 (dropped)."""
    n = count_matrix.shape[0]
    df = document_frequency(count_matrix)
    idf = idf_from(df, n)
    idf[(df < min_df) | (df > max_df * n)] = 0.0
    return idf


def tfidf(count_matrix: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf (1 + log tf) times idf, L2-normalised rows; dropped buckets are not stored."""
    m = count_matrix.astype(np.float32, copy=True).tocsr()
    m.data = 1.0 + np.log(m.data)
    m = m @ sp.diags(idf)
    out: sp.csr_matrix = normalize(m.tocsr(), norm="l2", copy=False)
    out.eliminate_zeros()
    return out


def top_terms(text: str, weights: np.ndarray, idf: np.ndarray, k: int = 5) -> tuple[str, ...]:
    """The n-grams of `text` that pushed its score up most (weight x idf, positive only)."""
    seen: dict[str, float] = {}
    for term in _ANALYZE(text):
        words = term.split()
        if words[0] in ENGLISH_STOP_WORDS or words[-1] in ENGLISH_STOP_WORDS or any(w.isdigit() for w in words):
            continue  # "models with", "the", "2024": true weights, but no help to a reader
        if term not in seen:
            b = bucket(term)
            seen[term] = float(weights[b] * idf[b])
    ranked = sorted((t for t, w in seen.items() if w > 0), key=lambda t: -seen[t])
    chosen: list[str] = []
    for term in ranked:
        # "speech language" makes "speech" redundant, and the other way round
        if any(term in c.split() or c in term.split() for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == k:
            break
    return tuple(chosen)
