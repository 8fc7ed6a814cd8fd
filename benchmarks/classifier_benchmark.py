"""Classifier benchmark on the 15 labelled development days, split by day.

    python benchmarks/classifier_benchmark.py [--data ../shared/data] [--json OUT] [--methods NAME ...] [--no-timing]

Prints, for every method and both settings, average precision, recall at precision 0.8,
precision and recall at the method's own threshold (chosen from training data only), heading
accuracy (top-1, top-2), and the same with `uncertain` counted as relevant; then timings.

Protocols (never scoring a day whose papers or labels were used for training):
* cold start: for each day, positives = the list's entries; background = every paper of the
  other 14 days, labels ignored;
* after review (rolling): for each day from the third on, the list + the labels of all earlier
  days as review feedback (relevant = accepted under its heading, irrelevant = rejected;
  uncertain dropped); no unlabelled background. A variant keeps the other days as background.
Scored: each day's papers minus replacements and minus papers already on the list; the headline
drops `uncertain`. DEV = the first 5 days (where the recipe was chosen), TEST = the last 10.

Methods: the product default (keyword + tf-idf fusion, the seed list's [profile] from config.toml),
the product with MiniLM embeddings, both with the profile `watcher train` learns instead, the
product as it was before this round (with embeddings, its speech/audio vocabulary in code),
and the approaches users pick today: a keyword filter, arxiv-sanity-lite's recipe (tf-idf 1-2
grams, LinearSVC with balanced classes, list vs all other papers) and zotero-arxiv-daily's
(embedding similarity to the list, weighted towards recent entries).

Embeddings are computed with the product's numpy MiniLM and cached in ~/.cache/watcher-benchmark.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import average_precision_score
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from legacy_domain import LegacyProfile  # noqa: E402

from tests.conftest import SHARED  # noqa: E402  (../shared/data, or $WATCHER_SHARED_DATA)
from watcher import features  # noqa: E402
from watcher.classifier import Model, Recipe, paper_text  # noqa: E402
from watcher.config import load_settings  # noqa: E402
from watcher.evaluation import recall_at_precision  # noqa: E402
from watcher.fitting import Example, train  # noqa: E402
from watcher.fitting import fit as fit_model  # noqa: E402
from watcher.model_store import learned_profile  # noqa: E402
from watcher.paper import Paper  # noqa: E402
from watcher.profile import Profile  # noqa: E402
from watcher.titles import title_key  # noqa: E402

CACHE = Path.home() / ".cache" / "watcher-benchmark"
TARGET = 0.8


# -- data ---------------------------------------------------------------------------------------


def load(data: Path) -> tuple[list[dict], list[dict]]:
    pool = [json.loads(line) for line in (data / "pool-dev.jsonl").read_text().splitlines()]
    seed = [json.loads(line) for line in (data / "seed-enriched.jsonl").read_text().splitlines()]
    return pool, seed


def paper_of(p: dict) -> Paper:
    return Paper(
        p.get("arxiv_id") or "",
        " ".join(p["title"].split()),
        " ".join((p.get("abstract") or "").split()),
        categories=tuple(p.get("categories") or ()),
        announced=None,
    )


class Embeddings:
    """MiniLM embeddings of every text, computed once and cached on disk."""

    def __init__(self, texts: list[str]) -> None:
        key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
        path = CACHE / f"minilm128-{key}.npy"
        if path.exists():
            self.matrix = np.load(path)
        else:
            from watcher.embedding import MiniLM

            print(f"embedding {len(texts)} texts once (cached in {CACHE}) ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            self.matrix = MiniLM.load(max_length=128).encode(texts)
            print(f"  {time.perf_counter() - started:.0f} s", file=sys.stderr)
            CACHE.mkdir(parents=True, exist_ok=True)
            np.save(path, self.matrix)
        self.index = {t: i for i, t in enumerate(texts)}

    def encode(self, texts):  # the Encoder protocol, served from the cache
        return self.matrix[[self.index[t] for t in texts]]


class Data:
    def __init__(self, data: Path) -> None:
        self.pool, self.seed = load(data)
        self.papers = [paper_of(p) for p in self.pool] + [paper_of(s) for s in self.seed]
        self.texts = [paper_text(p) for p in self.papers]
        self.n_pool = len(self.pool)
        seed_ids = {s["arxiv_id"] for s in self.seed if s.get("arxiv_id")}
        seed_keys = {title_key(s["title"]) for s in self.seed}
        self.on_list = np.array([p["arxiv_id"] in seed_ids or title_key(p["title"]) in seed_keys for p in self.pool])
        self.day = np.array([p["published"] for p in self.pool])
        self.days = sorted(set(self.day))
        self.label = np.array([p["label"] for p in self.pool])
        self.section = [p.get("section") for p in self.pool]
        self.replacement = np.array([p.get("announce_guess") == "replacement" for p in self.pool])
        self.emb = Embeddings(self.texts)
        self.counts = features.counts(self.texts)  # once; rows reused by every training
        print(
            f"{self.n_pool} pool papers over {len(self.days)} days, {len(self.seed)} list entries, "
            f"{int(self.on_list.sum())} pool papers already on the list",
            file=sys.stderr,
        )

    def example(self, i: int, label: int, heading: str | None, kind: str) -> Example:
        day = self.pool[i]["published"] if i < self.n_pool else ""
        return Example(
            self.papers[i], label, heading, kind, day=day, counts=self.counts[i], embedding=self.emb.matrix[i]
        )

    def list_examples(self) -> list[Example]:
        return [self.example(self.n_pool + j, 1, s["section"], "list") for j, s in enumerate(self.seed)]

    def scored(self, d: str) -> np.ndarray:
        return np.flatnonzero((self.day == d) & ~self.replacement & ~self.on_list)


def cold_set(db: Data, d: str) -> list[Example]:
    bg = [db.example(i, 0, None, "background") for i in np.flatnonzero((db.day != d) & ~db.on_list)]
    return db.list_examples() + bg


def review_set(db: Data, d: str, background: bool = False) -> list[Example]:
    out = db.list_examples()
    for i in np.flatnonzero((db.day < d) & ~db.on_list):
        if db.label[i] == "relevant":
            out.append(db.example(i, 1, db.section[i], "accepted"))
        elif db.label[i] == "irrelevant":
            out.append(db.example(i, 0, None, "rejected"))
    if background:
        out += [db.example(i, 0, None, "background") for i in np.flatnonzero((db.day > d) & ~db.on_list)]
    return out


# -- methods ------------------------------------------------------------------------------------
# Each method: fit(examples) -> scorer(idx) -> (scores, selected or None, heading proba or None)


HEADINGS = ["multi-task", "generation task", "ASR/ST", "NLP", "codec", "benchmark", "other"]


@functools.cache
def config_profile() -> Profile:
    """The hand-written profile this project ships for the seed list (config.toml [profile])."""
    return Profile().overridden_by(load_settings(ROOT / "config.toml").profile.as_mapping())


def profile_for(kind: str, examples: list[Example]) -> Any:
    if kind == "config":
        return config_profile()
    if kind == "learned":  # learned anew in each cross-validation fold, as watcher train does
        return lambda rows: learned_profile(rows, HEADINGS)
    return lambda rows: LegacyProfile()  # fit() takes a Profile or a learner; this one is neither


def product(embeddings: bool, profile: str = "config") -> Callable:
    def fit(db: Data, examples: list[Example]):
        recipe = Recipe(embeddings=embeddings)
        model: Model = train(
            examples,
            profile=profile_for(profile, examples),
            encoder=db.emb if embeddings else None,
            recipe=recipe,
            target_precision=TARGET,
        )

        def score(idx: np.ndarray):
            r = model.score_arrays([db.papers[i] for i in idx])
            return r.fused, r.fused >= model.threshold, r.heading, model.headings

        return score

    return fit


def keyword(db: Data, examples: list[Example]):
    profile = config_profile()

    def score(idx: np.ndarray):
        s = np.array(
            [profile.keyword_score(profile.facet_weights(db.papers[i].title, db.papers[i].abstract)) for i in idx]
        )
        return s, None, None, None

    return score


def arxiv_sanity(db: Data, examples: list[Example]):
    """karpathy/arxiv-sanity-lite: tf-idf (1,2)-grams, english stop words, min_df=5, max_df=0.5,
    10,000 features, sublinear tf; LinearSVC(class_weight="balanced", C=0.01) on tagged vs all."""
    texts = [paper_text(e.paper) for e in examples]
    y = np.array([e.label for e in examples])
    vec = TfidfVectorizer(
        ngram_range=(1, 2),
        stop_words="english",
        min_df=5,
        max_df=0.5,
        max_features=10000,
        sublinear_tf=True,
        token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
    )
    clf = LinearSVC(class_weight="balanced", C=0.01, max_iter=10000, tol=1e-6).fit(vec.fit_transform(texts), y)

    def score(idx: np.ndarray):
        return clf.decision_function(vec.transform([db.texts[i] for i in idx])), None, None, None

    return score


def zotero(db: Data, examples: list[Example]):
    """TideDra/zotero-arxiv-daily: corpus newest first, weight 1/(1 + log10(rank + 1)),
    score = sum_j w_j cos(paper, corpus_j). Corpus = the list (+ accepted papers, newest)."""

    def recency(e: Example) -> tuple[bool, float]:
        # accepted papers (reviewed days) are the newest; list entries are dated by their arXiv id
        arxiv = re.match(r"^\d{4}\.\d{4,5}$", e.paper.arxiv_id)
        return (e.kind != "accepted", -float(e.paper.arxiv_id) if arxiv else 0.0)

    corpus = sorted((e for e in examples if e.label == 1), key=recency)
    emb = db.emb.encode([paper_text(e.paper) for e in corpus])
    w = 1 / (1 + np.log10(np.arange(len(corpus)) + 1))
    w /= w.sum()

    def score(idx: np.ndarray):
        return (db.emb.matrix[idx] @ emb.T) @ w, None, None, None

    return score


METHODS: dict[str, Callable] = {
    "watcher (default: keyword + tf-idf)": product(False),
    "watcher with embeddings": product(True),
    "watcher, learned profile": product(False, "learned"),
    "watcher with embeddings, learned profile": product(True, "learned"),
    "watcher with embeddings, profile as code before this round": product(True, "legacy"),
    "keyword filter": keyword,
    "arxiv-sanity-lite recipe": arxiv_sanity,
    "zotero-arxiv-daily recipe": zotero,
}


# -- metrics ------------------------------------------------------------------------------------


def metrics(db: Data, rows: list[tuple], days: set[str], uncertain_relevant: bool) -> dict:
    idx = np.array([r[0] for r in rows if db.day[r[0]] in days])
    if not len(idx):
        return {}
    keep = [i for i, r in enumerate(rows) if db.day[r[0]] in days]
    s = np.array([rows[i][1] for i in keep])
    sel = [rows[i][2] for i in keep]
    lab = db.label[idx]
    mask = np.ones(len(idx), bool) if uncertain_relevant else lab != "uncertain"
    y = np.isin(lab, ["relevant", "uncertain"] if uncertain_relevant else ["relevant"]).astype(int)[mask]
    out = {
        "papers": int(mask.sum()),
        "relevant": int(y.sum()),
        "AP": float(average_precision_score(y, s[mask])),
        "R@P0.8": recall_at_precision(y, s[mask]),
    }
    if sel[0] is not None:
        chosen = np.array(sel, bool)[mask]
        tp = int((chosen & (y == 1)).sum())
        out.update(
            {"P@thr": tp / max(int(chosen.sum()), 1), "R@thr": tp / max(int(y.sum()), 1), "proposed": int(chosen.sum())}
        )
    heads = [rows[i][3] for i in keep]
    if heads[0] is not None:
        wanted = ["relevant", "uncertain"] if uncertain_relevant else ["relevant"]
        hits1 = hits2 = n = 0
        for j, i in enumerate(idx):
            if lab[j] not in wanted:
                continue
            true = db.section[i] or db.pool[i].get("section_if_relevant")
            proba, names = heads[j]
            order = np.argsort(-proba, kind="stable")
            top = [names[k] for k in order[:2]]
            hits1 += top[0] == true
            hits2 += true in top
            n += 1
        out.update({"head@1": hits1 / max(n, 1), "head@2": hits2 / max(n, 1)})
    return out


def run(db: Data, fit: Callable, protocol: str) -> tuple[list[tuple], list[float]]:
    rows: list[tuple] = []
    fit_seconds = []
    days = db.days if protocol == "cold" else db.days[2:]
    for d in days:
        examples = {
            "cold": cold_set,
            "review": review_set,
            "review+bg": lambda db, d: review_set(db, d, background=True),
        }[protocol](db, d)
        started = time.perf_counter()
        scorer = fit(db, examples)
        fit_seconds.append(time.perf_counter() - started)
        idx = db.scored(d)
        s, sel, heads, names = scorer(idx)
        for k, i in enumerate(idx):
            rows.append(
                (
                    int(i),
                    float(s[k]),
                    None if sel is None else bool(sel[k]),
                    None if heads is None else (heads[k], names),
                )
            )
    return rows, fit_seconds


def fmt(m: dict) -> str:
    if not m:
        return ""
    parts = [f"AP {m['AP']:.3f}", f"R@P0.8 {m['R@P0.8']:.3f}"]
    if "P@thr" in m:
        parts.append(f"P/R@thr {m['P@thr']:.3f}/{m['R@thr']:.3f} ({m['proposed']} proposed)")
    if "head@1" in m:
        parts.append(f"heading {m['head@1']:.3f}/{m['head@2']:.3f}")
    return " | ".join(parts) + f"  [{m['papers']} papers, {m['relevant']} relevant]"


def timing(db: Data) -> dict:
    """Without embeddings (the default) and with them: train on the list + 14 days (cold start)
    from text, then score one day of ~300 papers in a fresh process through `watcher score`,
    model load included."""
    return {name: _timing(db, emb) for name, emb in (("default", False), ("embeddings", True))}


def _timing(db: Data, embeddings: bool) -> dict:
    import subprocess
    import tempfile

    from watcher.embedding import MiniLM
    from watcher.model_store import save_model

    d = db.days[0]
    examples = [replace(e, counts=None, embedding=None) for e in cold_set(db, d)]
    started = time.perf_counter()
    fitted = fit_model(
        examples,
        profile=config_profile(),
        encoder=MiniLM.load(max_length=128) if embeddings else None,
        recipe=Recipe(embeddings=embeddings),
        target_precision=TARGET,
    )
    train_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        save_model(
            out / "model",
            fitted,
            examples,
            list_fp="benchmark",
            feedback_fp="none",
            target_precision=TARGET,
            store_training=False,
        )
        day = [db.pool[i] for i in np.flatnonzero(db.day == d) if not db.replacement[i]][:300]
        (out / "day.jsonl").write_text("".join(json.dumps(p) + "\n" for p in day))
        (out / "config.toml").write_text(f"[classifier]\nembeddings = {str(embeddings).lower()}\n")
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "watcher",
                "score",
                "--config",
                str(out / "config.toml"),
                "--model",
                str(out / "model"),
                "--input",
                str(out / "day.jsonl"),
                "--output",
                str(out / "scores.jsonl"),
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"watcher score failed: {done.stderr.strip()}")
        score_s = time.perf_counter() - started
    return {
        "train_seconds_cold_start_from_text" + ("_including_embedding" if embeddings else ""): round(train_s, 1),
        "score_seconds_one_day_fresh_process": round(score_s, 1),
        "papers_scored": len(day),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=SHARED)
    ap.add_argument("--json", type=Path, help="also write every number as JSON")
    ap.add_argument("--methods", nargs="*", help="only these methods (substring match)")
    ap.add_argument("--no-timing", action="store_true")
    args = ap.parse_args()
    db = Data(args.data)
    dev, test = set(db.days[:5]), set(db.days[5:])
    results: dict = {}
    for name, fit in METHODS.items():
        if args.methods and not any(m in name for m in args.methods):
            continue
        for protocol in ("cold", "review", "review+bg"):
            if protocol == "review+bg" and not name.startswith("watcher"):
                continue
            rows, fit_s = run(db, fit, protocol)
            key = f"{name} | {protocol}"
            results[key] = {
                split: {
                    "headline": metrics(db, rows, days, False),
                    "uncertain_as_relevant": metrics(db, rows, days, True),
                }
                for split, days in (("TEST", test), ("DEV", dev), ("ALL", dev | test))
            }
            results[key]["fit_seconds_mean"] = float(np.mean(fit_s))
            r = results[key]
            print(f"\n{key}  (fit {np.mean(fit_s):.1f} s/day)")
            for split in ("TEST", "DEV", "ALL"):
                print(f"  {split:4} {fmt(r[split]['headline'])}")
                print(f"  {'':4} uncertain as relevant: {fmt(r[split]['uncertain_as_relevant'])}")
            sys.stdout.flush()
    if not args.no_timing:
        results["timing"] = timing(db)
        print("\ntiming:", json.dumps(results["timing"]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
