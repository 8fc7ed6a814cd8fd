"""Heading variants on the labelled days: is there a better way to choose the heading?

    python benchmarks/heading_variants.py [--data ../shared/data]

Protocols as in classifier_benchmark.py (cold start: the list; after review: the list plus the
relevant papers of earlier days under their headings), scored on each day's relevant papers.
Here no replacement is fed back (classifier_benchmark.py feeds back every labelled paper of
earlier days, replacements too), so its after-review figures differ by a few papers.
Reports heading top-1 / top-2 for the product's recipe (tf-idf and embedding classifiers
averaged, plus cue words at the recipe's weight) and for variants: one part alone, other cue
weights, balanced classes, title embeddings, similarity to the rubric's heading descriptions,
and nearest-neighbour votes. Three columns:
LIST = leave-one-out over the list's own entries (the list alone, no day involved), DEV = the
first 5 days, TEST = the last 10. Choices are made on LIST and DEV; TEST is only reported.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import classifier_benchmark as cb  # noqa: E402

from tests.conftest import SHARED  # noqa: E402
from watcher import domain  # noqa: E402
from watcher.classifier import Recipe, softmax  # noqa: E402
from watcher.features import filtered_idf, tfidf  # noqa: E402
from watcher.fitting import multiclass  # noqa: E402

RECIPE = Recipe()
CUE_WEIGHT = RECIPE.cue_weight

VARIANTS: dict[str, dict[str, float]] = {
    f"product (tf-idf + embedding + cues x{CUE_WEIGHT:g})": {},
    "tf-idf + cues": {"emb": 0},
    "embedding + cues": {"lex": 0},
    "no cues": {"cue": 0},
    "cues x0.5": {"cue": 0.5},
    "cues x1.5": {"cue": 1.5},
    "cues x2": {"cue": 2},
    "balanced heading classes": {"balanced": 1},
    "+ title embedding": {"title": 1},
    "title embedding instead of full text": {"emb": 0, "title": 1},
    "+ 10 nearest entries vote": {"knn": 1},
    "+ 10 nearest entries vote x0.5": {"knn": 0.5},
    "+ similarity to heading descriptions": {"desc": 1},
    "+ similarity to heading descriptions x0.5": {"desc": 0.5},
}

# The rubric's heading usage (../shared/data/README.md), one description per heading.
DESCRIPTIONS = {
    "multi-task": "general speech and audio large language models, omni models, spoken dialogue and full-duplex "
    "systems, toolkits, surveys, retrieval-augmented spoken dialogue",
    "generation task": "text-to-speech, voice conversion, music, song and sound generation and editing with "
    "language models",
    "ASR/ST": "LLM-based speech recognition, speech translation, audio-visual speech recognition, error correction, "
    "contextual biasing, diarization, emotion and paralinguistic and speaker classification with audio LLMs",
    "NLP": "spoken language understanding, dialogue behaviour, turn-taking, audio reasoning and question answering, "
    "reinforcement learning for reasoning",
    "codec": "neural audio codecs, speech tokenizers, discrete speech units",
    "benchmark": "benchmarks, evaluation suites and evaluation surveys of audio language models, including safety "
    "and jailbreak benchmarks",
    "other": "analysis, safety attacks and defences, probing, efficiency, and domain applications such as clinical "
    "speech and language assessment",
}


class Headings:
    def __init__(self, db: cb.Data) -> None:
        from watcher.embedding import MiniLM

        self.db = db
        self.heads = list(dict.fromkeys(s["section"] for s in db.seed))
        self.relevant = [
            i for i in range(db.n_pool) if db.label[i] == "relevant" and not db.on_list[i] and not db.replacement[i]
        ]
        self.listed = list(range(db.n_pool, db.n_pool + len(db.seed)))
        rows = self.relevant + self.listed
        encoder = MiniLM.load(max_length=128)
        titles = encoder.encode([db.papers[i].title for i in rows])
        self.title_emb = {i: v for i, v in zip(rows, titles, strict=True)}
        self.desc_emb = encoder.encode([DESCRIPTIONS[h] for h in self.heads])

    def section(self, i: int) -> str:
        db = self.db
        return db.section[i] if i < db.n_pool else db.seed[i - db.n_pool]["section"]

    def probabilities(self, pos: list[int], test: list[int], cfg: dict[str, float]) -> np.ndarray:
        db, k = self.db, len(self.heads)
        w = np.array([1.0 if i >= db.n_pool else RECIPE.review_weight for i in pos])  # list entry / accepted
        y = np.array([self.heads.index(self.section(i)) for i in pos])
        if cfg.get("balanced"):
            w = w * len(y) / (k * np.maximum(np.bincount(y, minlength=k)[y], 1))
        parts: list[tuple[float, np.ndarray]] = []

        def fit(xtr: object, xte: object, weight: float) -> None:
            coef, bias = multiclass(xtr, y, w, k, RECIPE.heading_c)
            parts.append((weight, softmax(np.asarray(xte @ coef.T) + bias)))

        if cfg.get("lex", 1):
            idf = filtered_idf(db.counts[pos], 1, 1.0)
            cols = np.flatnonzero(idf)
            fit(tfidf(db.counts[pos], idf)[:, cols], tfidf(db.counts[test], idf)[:, cols], cfg.get("lex", 1))
        if cfg.get("emb", 1):
            fit(db.emb.matrix[pos], db.emb.matrix[test], cfg.get("emb", 1))
        if cfg.get("title"):
            fit(np.array([self.title_emb[i] for i in pos]), np.array([self.title_emb[i] for i in test]), cfg["title"])
        p = sum(wt * q for wt, q in parts) / sum(wt for wt, _ in parts)
        if cfg.get("knn"):
            sims = db.emb.matrix[test] @ db.emb.matrix[pos].T
            votes = np.zeros((len(test), k))
            for r in range(len(test)):
                for j in np.argsort(-sims[r])[:10]:
                    votes[r, y[j]] += max(sims[r, j], 0.0)
            p = p + cfg["knn"] * votes / np.maximum(votes.sum(1, keepdims=True), 1e-9)
        if cfg.get("desc"):
            p = p + cfg["desc"] * softmax(db.emb.matrix[test] @ self.desc_emb.T / 0.05)
        cues = np.array([domain.heading_cues(db.papers[i].title, db.papers[i].abstract, self.heads) for i in test])
        return p + cfg.get("cue", CUE_WEIGHT) * cues

    def accuracy(self, protocol: str, cfg: dict[str, float]) -> dict[str, tuple[float, float, int]]:
        db = self.db
        dev = set(db.days[:5])
        hits: dict[str, list[int]] = {"LIST": [0, 0, 0], "DEV": [0, 0, 0], "TEST": [0, 0, 0]}

        def count(split: str, test: list[int], p: np.ndarray) -> None:
            h = hits[split]
            for r, i in enumerate(test):
                top = [self.heads[j] for j in np.argsort(-p[r], kind="stable")[:2]]
                h[0] += top[0] == self.section(i)
                h[1] += self.section(i) in top
                h[2] += 1

        if protocol == "cold":  # leave one list entry out
            for i in self.listed:
                count("LIST", [i], self.probabilities([j for j in self.listed if j != i], [i], cfg))
        for d in db.days if protocol == "cold" else db.days[2:]:
            test = [i for i in self.relevant if db.day[i] == d]
            if not test:
                continue
            earlier = [i for i in self.relevant if db.day[i] < d] if protocol == "review" else []
            count("DEV" if d in dev else "TEST", test, self.probabilities(self.listed + earlier, test, cfg))
        return {s: (a / n, b / n, n) if n else (float("nan"), float("nan"), 0) for s, (a, b, n) in hits.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=SHARED)
    args = ap.parse_args()
    h = Headings(cb.Data(args.data))
    print(f"{'variant':44} {'protocol':8} {'LIST top-1/top-2':>16} {'DEV top-1/top-2':>16} {'TEST top-1/top-2':>17}")
    for name, cfg in VARIANTS.items():
        for protocol in ("cold", "review"):
            r = h.accuracy(protocol, cfg)
            cols = " ".join(
                f"{r[s][0]:7.3f}/{r[s][1]:.3f}" if r[s][2] else f"{'-':>13}" for s in ("LIST", "DEV", "TEST")
            )
            print(f"{name:44} {protocol:8} {cols}   (n={r['LIST'][2]}/{r['DEV'][2]}/{r['TEST'][2]})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
