"""Learn a list's profile (profile.py) from its entries and the background papers. Pure: no I/O.

Terms are words (a word of six letters or more also matches its longer forms: `speech*` matches
"speeches") and pairs of adjacent words. A term's lift is how much more often list entries name it
than background papers do. Only terms a good share of the list uses are considered: a list of a
hundred entries says little about a word three of them use.

1. Facet one, which is also the gate: the fewest common words that together name nearly every
   list entry, each added only while it names list entries at least twice as often as
   background papers; then, at half weight, the other terms the list names far more often
   (lift >= 6). A paper naming none of them is not what the list is about.
2. Facet two: among the papers that name facet one, what sets the list's entries apart from the
   background papers that also name it (for a speech-LLM list: language-model words, against
   speech enhancement and speaker verification), chosen the same way. Kept only where it
   separates them.
3. The categories where the list's papers are far more common than the background's pass the
   gate on their own.
4. Cue words per heading: the words of the heading's name its entries use, and the terms its
   entries name far more often than the list's other entries do.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.linear_model import LogisticRegression

from .profile import Profile, Term

_WORD = re.compile(r"[a-z][a-z0-9]*")
# two adjacent words and what joins them (overlapping: "a b c" gives "a b" and "b c")
_PAIR = re.compile(r"(?<![a-z0-9])([a-z][a-z0-9]*)(?=(\s+|-)([a-z][a-z0-9]*)(?![a-z0-9]))")
MIN_SUPPORT = 0.03  # share of list entries a term must appear in (and at least 3 entries)
FACET_SUPPORT = 0.05  # for the words that make up a facet's core
MIN_LIFT = 3.0  # facet one
MIN_CONDITIONAL_LIFT = 1.5  # facet two
EXTRA_LIFT = 6.0  # further terms at half weight
MARGINAL = 2.0  # a facet-one word must name new entries this many times more often than background ones
MAX_FACET_TERMS = 40
CATEGORY_LIFT = 2.0
CUE_LIFT = 3.0
MAX_CUES = 12
# Words that say nothing about a topic however often a list uses them.
_GENERIC = frozenset(
    [
        "paper",
        "papers",
        "propose",
        "proposed",
        "approach",
        "method",
        "methods",
        "model",
        "models",
        "results",
        "show",
        "based",
        "using",
        "new",
        "task",
        "tasks",
        "performance",
        "study",
        "work",
        "framework",
        "existing",
        "improve",
        "improves",
        "improved",
        "various",
        "natural",
        "state",
        "art",
        "experiments",
        "demonstrate",
        "achieve",
        "achieves",
        "also",
        "via",
        "towards",
        "large",
        "data",
        "dataset",
        "datasets",
    ]
)


# Words of links, ids and feed boilerplate ("arXiv:2501.01234v1 Announce Type: new Abstract: ...").
_NOT_TEXT = frozenset(
    ["arxiv", "announce", "abstract", "url", "http", "https", "www", "github", "com", "org", "html", "pdf", "doi"]
)


@dataclass(frozen=True)
class Doc:
    """One paper as the learner sees it."""

    title: str
    abstract: str = ""
    heading: str = ""
    categories: tuple[str, ...] = ()


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 5 and word.endswith("s") and not word.endswith("ss") else word


def _keep(word: str) -> bool:
    return (
        len(word) > 1
        and word not in ENGLISH_STOP_WORDS
        and word not in _GENERIC
        and word not in _NOT_TEXT
        and not any(ch.isdigit() for ch in word)  # versions, years, ids: "v1", "2024", "gpt4"
    )


def _term(stem: str) -> str:
    return f"{stem}*" if len(stem) >= 6 else stem


@lru_cache(maxsize=1 << 16)  # training learns a profile in every fold, from the same papers
def candidates(doc: Doc) -> frozenset[str]:
    """The terms a paper names, as profile terms (`speech*`, `asr`, `speech recognition*`,
    `speech-text`): words, and pairs of words joined as the text joins them."""
    text = f"{doc.title} {doc.abstract}".lower()
    out = {_term(_stem(w)) for w in _WORD.findall(text) if _keep(w)}
    for m in _PAIR.finditer(text):
        a, joiner, b = m[1], m[2], m[3]
        if _keep(a) and _keep(b):
            out.add(f"{a}{'-' if joiner == '-' else ' '}{_term(_stem(b))}")
    return frozenset(out)


def _lift(pos: int, n_pos: int, neg: int, n_neg: int) -> float:
    return ((pos + 0.5) / (n_pos + 1)) / ((neg + 0.5) / (n_neg + 1))


def _is_word(term: str) -> bool:
    return " " not in term and "-" not in term


class _Counts:
    """Which documents name which term, for one list/background pair."""

    def __init__(self, pos: Sequence[frozenset[str]], neg: Sequence[frozenset[str]]) -> None:
        self.pos, self.neg = pos, neg
        self.df_pos = Counter(t for d in pos for t in d)
        self.df_neg = Counter(t for d in neg for t in d)

    def lift(self, term: str) -> float:
        return _lift(self.df_pos[term], len(self.pos), self.df_neg.get(term, 0), len(self.neg))

    def frequent(self, share: float, min_lift: float) -> list[str]:
        floor = max(3, math.ceil(share * len(self.pos)))
        return sorted(t for t, k in self.df_pos.items() if k >= floor and self.lift(t) >= min_lift)


def _facet(c: _Counts, *, min_lift: float, marginal: float, words_only: bool, extras: bool) -> list[Term]:
    """The fewest common terms that name nearly every list entry (each while it names new
    entries MARGINAL times more often than new background papers), then the terms with a lift
    of EXTRA_LIFT or more at half weight."""
    if not c.pos or not c.neg:
        return []
    core = [t for t in c.frequent(FACET_SUPPORT, min_lift) if _is_word(t) or not words_only]
    names_pos = {t: {i for i, d in enumerate(c.pos) if t in d} for t in core}
    names_neg = {t: {i for i, d in enumerate(c.neg) if t in d} for t in core}
    covered_pos: set[int] = set()
    covered_neg: set[int] = set()
    chosen: list[str] = []
    while len(chosen) < MAX_FACET_TERMS:
        best, best_new = None, 0
        for t in core:
            new_pos = len(names_pos[t] - covered_pos)
            new_neg = len(names_neg[t] - covered_neg)
            ratio = (new_pos / len(c.pos)) / ((new_neg + 0.5) / len(c.neg))
            if t not in chosen and new_pos > best_new and ratio >= marginal:
                best, best_new = t, new_pos
        if best is None:
            break
        chosen.append(best)
        covered_pos |= names_pos[best]
        covered_neg |= names_neg[best]
    extra = sorted(
        (t for t in c.frequent(MIN_SUPPORT, max(EXTRA_LIFT, min_lift)) if t not in chosen and extras),
        key=lambda t: -c.lift(t) * c.df_pos[t],
    )[: MAX_FACET_TERMS - len(chosen)]
    return [Term(t) for t in chosen] + [Term(t, 0.5) for t in extra]


def _weighted_facet(c: _Counts, size: int = 30) -> list[Term]:
    """The terms a sparse logistic regression (list entries against background papers, over the
    terms a good share of the list names) finds raise a paper's odds, weighted by how much:
    1 for the strongest, down to 0.25."""
    vocab = c.frequent(MIN_SUPPORT, 1.0)
    if not c.pos or not c.neg or not vocab:
        return []
    column = {t: j for j, t in enumerate(vocab)}
    rows, cols = [], []
    for i, doc in enumerate([*c.pos, *c.neg]):
        for t in doc:
            if t in column:
                rows.append(i)
                cols.append(column[t])
    x = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(c.pos) + len(c.neg), len(vocab)))
    y = np.r_[np.ones(len(c.pos)), np.zeros(len(c.neg))]
    lr = LogisticRegression(l1_ratio=1.0, solver="liblinear", C=0.5, class_weight="balanced", max_iter=500)
    coef = lr.fit(x, y).coef_.ravel()
    order = [j for j in np.argsort(-coef) if coef[j] > 0][:size]
    if not order:
        return []
    top = coef[order[0]]
    return [Term(vocab[j], max(0.25, round(4 * coef[j] / top) / 4)) for j in order]


def _names(doc: frozenset[str], facet: Iterable[Term]) -> bool:
    return any(t.text in doc for t in facet)


def learn_profile(entries: Sequence[Doc], background: Sequence[Doc], headings: Sequence[str] = ()) -> Profile:
    """The profile of a list: `entries` are its papers (with their heading), `background` the
    papers of the watched categories it did not take."""
    pos = [candidates(d) for d in entries]
    neg = [candidates(d) for d in background]
    first = _facet(_Counts(pos, neg), min_lift=MIN_LIFT, marginal=MARGINAL, words_only=True, extras=True)
    facets = [first] if first else []
    if first:
        pos1 = [d for d in pos if _names(d, first)]
        neg1 = [d for d in neg if _names(d, first)]
        counts = _Counts(pos1, neg1)
        for t in first:  # facet two is what facet one does not already say
            counts.df_pos.pop(t.text, None)
        second = _weighted_facet(counts)
        if second and _separates(second, pos1, neg1):
            facets.append(second)
    return Profile(
        facets=tuple(tuple(f) for f in facets),
        categories=_categories(entries, background),
        cues=_cues(entries, pos, headings),
        source="learned",
    )


def _separates(facet: Sequence[Term], pos: Sequence[frozenset[str]], neg: Sequence[frozenset[str]]) -> bool:
    """A second facet is worth multiplying by when it names nearly every list entry, and gives
    list entries far more weight than background papers on average."""
    if not pos or not neg:
        return False

    def weight(d: frozenset[str]) -> float:
        return sum(t.weight for t in facet if t.text in d)

    hit_pos = sum(_names(d, facet) for d in pos) / len(pos)
    mean_pos = sum(map(weight, pos)) / len(pos)
    mean_neg = sum(map(weight, neg)) / len(neg)
    return hit_pos >= 0.8 and mean_pos >= 1.5 * mean_neg


def _categories(entries: Sequence[Doc], background: Sequence[Doc]) -> tuple[str, ...]:
    known = [d for d in entries if d.categories]
    if len(known) < 10 or not background:
        return ()
    pos = Counter(c for d in known for c in set(d.categories))
    neg = Counter(c for d in background for c in set(d.categories))
    return tuple(
        sorted(
            c
            for c, k in pos.items()
            if k / len(known) >= 0.2 and _lift(k, len(known), neg.get(c, 0), len(background)) >= CATEGORY_LIFT
        )
    )


def _cues(
    entries: Sequence[Doc], pos: Sequence[frozenset[str]], headings: Sequence[str]
) -> dict[str, tuple[Term, ...]]:
    out: dict[str, tuple[Term, ...]] = {}
    for heading in headings or sorted({d.heading for d in entries if d.heading}):
        mine = [p for p, d in zip(pos, entries, strict=True) if d.heading == heading]
        others = [p for p, d in zip(pos, entries, strict=True) if d.heading != heading]
        if not mine:
            continue
        c = _Counts(mine, others)
        named = {_term(_stem(w)) for w in _WORD.findall(heading.lower()) if _keep(w) and len(w) > 2}
        chosen = [t for t in sorted(named) if c.df_pos.get(t, 0) >= max(1, math.ceil(0.05 * len(mine)))]
        floor = max(3, math.ceil(0.15 * len(mine)))
        ranked = sorted(
            (t for t, k in c.df_pos.items() if k >= floor and t not in chosen and c.lift(t) >= CUE_LIFT),
            key=lambda t: -c.lift(t) * c.df_pos[t],
        )
        chosen += ranked[: MAX_CUES - len(chosen)]
        if chosen:
            out[heading] = tuple(Term(t) for t in chosen)
    return out
