"""Text features: hashed word 1-2-gram tf-idf, and the terms that set a paper apart from the
list. No I/O.

Hashing keeps the feature space fixed (no vocabulary to persist or to go stale when new model
names appear); the document frequencies are kept so the idf can be recomputed when the model is
retrained with more papers. A paper's terms are recovered from its own words.
"""

from __future__ import annotations

import re
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


_CLAUSE_END = re.compile(r"[.,;:!?()\[\]]\s")


def _readable_terms(text: str) -> dict[str, int]:
    """The n-grams of `text` a reader can use, with their counts (no pair of words across a
    full stop or a comma: "categories. Evaluations" is no term)."""
    found: dict[str, int] = {}
    for clause in _CLAUSE_END.split(text):
        for term in _ANALYZE(clause):
            words = term.split()
            if words[0] in ENGLISH_STOP_WORDS or words[-1] in ENGLISH_STOP_WORDS or any(w.isdigit() for w in words):
                continue  # "models with", "the", "2024": true weights, but no help to a reader
            found[term] = found.get(term, 0) + 1
    return found


STEM = 6  # words that share this many first letters are one word to a reader


def _same_word(a: str, b: str) -> bool:
    """One word to a reader: "idiom" and "idioms", "contaminated" and "contamination"."""
    short, long = sorted((a, b), key=len)
    if len(short) < 4:
        return a == b
    return long.startswith(short) or (len(short) >= STEM and short[:STEM] == long[:STEM])


def _redundant(term: str, chosen: Sequence[str]) -> bool:
    """ "speech language" makes "speech" redundant, and the other way round."""
    words = term.split()
    return any(any(_same_word(w, v) for w in words for v in c.split()) for c in chosen)


def _best(scores: dict[str, float], k: int) -> tuple[str, ...]:
    ranked = sorted((t for t, w in scores.items() if w > 0), key=lambda t: (-scores[t], t))
    chosen: list[str] = []
    for term in ranked:
        if not _redundant(term, chosen):
            chosen.append(term)
            if len(chosen) == k:
                break
    return tuple(chosen)


def list_share(rows: sp.csr_matrix) -> np.ndarray:
    """The share of `rows` (the list's entries) that hold each bucket."""
    n = max(rows.shape[0], 1)
    out: np.ndarray = np.bincount(rows.indices, minlength=N_FEATURES).astype(np.float32) / n
    return out


COMMON_SHARE = 0.2  # a term that this share of the list's entries hold is the list's, not the paper's


def distinctive_terms(
    title: str, abstract: str, idf: np.ndarray, share: np.ndarray, n_entries: int, k: int = 4
) -> tuple[str, ...]:
    """The n-grams that set a paper apart from the list's typical entry: the paper's tf-idf weight
    (sublinear tf x idf over the training papers) times the term's idf among the list's
    `n_entries` entries (`share`: the share of them that hold it). Words the training papers
    barely know or mostly share (idf 0) and words COMMON_SHARE of the entries hold are left out:
    "speech" and "audio" describe the whole list, not this paper. A pair of words counts when the
    title has it or the abstract says it twice ("growing focus" once is no topic). Deterministic:
    ties go alphabetically."""
    in_title = _readable_terms(title)
    scores = {}
    for term, count in _readable_terms(f"{title}. {abstract}").items():
        b = bucket(term)
        if idf[b] <= 0 or share[b] > COMMON_SHARE or (" " in term and count < 2 and term not in in_title):
            continue
        rarity = np.log((1.0 + n_entries) / (1.0 + share[b] * n_entries))
        scores[term] = float((1.0 + np.log(count)) * idf[b] * rarity)
    return _best(scores, k)
