"""What `watcher train` prints about its model, against what the model then does, by held-out day.

    python benchmarks/estimates.py [--data ../shared/data] [--json OUT] [--settings cold review]
                                   [--methods default embeddings]

For the product default (keyword + tf-idf, the seed list's [profile] from config.toml) and the
product with MiniLM embeddings (`classifier.embeddings = true`), at cold start and after review, one model per held-out
labelled day, trained as `watcher train` trains (`fitting.fit` with the list's headings and ids,
so its training checks run too) on the protocols of classifier_benchmark.py:

* cold start: the list's entries (seed-enriched.jsonl) + every paper of the other 14 days as
  unlabelled background; replacements are left out of the background, as `watcher train
  --background` leaves them out;
* after review: for each day from the third on, the list + the labels of every earlier day as
  review feedback (`--feedback`: relevant = accepted under its heading, irrelevant = rejected).

Recorded per day: the estimate `watcher train` prints (and the card stores): precision, recall
(cold start: the share of held-out list entries kept; after review: out-of-fold recall of the
reviewed papers), proposals a day; and the actual precision and recall at the model's threshold
on the held-out day (its papers minus replacements and papers already listed; `uncertain`
dropped, as the headline of classifier_benchmark.py), and its proposals. Then pooled over TEST
(the last 10 days), DEV (the first 5) and ALL: the mean printed estimate against the pooled
actual figure, and |estimate - actual| (the issue's bar: within 0.1). A day holds 4 to 17
relevant papers and a model proposes a handful: per-day precision is noisy, so the verdicts
are on the pooled figures.

Calibration, per setting and split: precision at the threshold within 0.05 of the target (0.8),
and recall at the threshold at least 0.95 x the best recall at precision >= 0.8 (the best single
threshold over the pooled scores of the split, as classifier_benchmark.py's R@P0.8).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from classifier_benchmark import HEADINGS, TARGET, Data, config_profile, review_set

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import SHARED  # noqa: E402  (../shared/data, or $WATCHER_SHARED_DATA)
from watcher.classifier import Recipe  # noqa: E402
from watcher.commands import describe_card  # noqa: E402
from watcher.evaluation import recall_at_precision  # noqa: E402
from watcher.fitting import Example, fit  # noqa: E402

METHODS = {"default": False, "embeddings": True}  # name -> embeddings
PRECISION_TOLERANCE = 0.05
RECALL_SHARE = 0.95
ESTIMATE_TOLERANCE = 0.1


def cold_examples(db: Data, d: str) -> list[Example]:
    """The list + the other days' papers as background, replacements left out (as `watcher train
    --background` reads a paper file)."""
    keep = (db.day != d) & ~db.on_list & ~db.replacement
    return db.list_examples() + [db.example(i, 0, None, "background") for i in np.flatnonzero(keep)]


def one_day(db: Data, d: str, setting: str, embeddings: bool, list_ids: list[str]) -> dict[str, Any]:
    examples = cold_examples(db, d) if setting == "cold" else review_set(db, d)
    started = time.perf_counter()
    fitted = fit(
        examples,
        profile=config_profile(),
        encoder=db.emb if embeddings else None,
        recipe=Recipe(embeddings=embeddings),
        target_precision=TARGET,
        headings=HEADINGS,
        list_ids=list_ids,
    )
    model = fitted.model
    info = model.info
    card = {  # what describe_card reads: the line `watcher train` prints
        "model_id": "-",
        "training_counts": {
            k: sum(1 for e in examples if e.kind == k) for k in ("list", "accepted", "rejected", "background")
        },
        "cross_validation": info,
        "threshold": {"relevance": model.probability_threshold},
        "target_precision": TARGET,
    }
    idx = db.scored(d)
    r = model.score_arrays([db.papers[i] for i in idx])
    chosen = r.fused >= model.threshold
    lab = db.label[idx]
    known = lab != "uncertain"
    y = lab == "relevant"
    tp = int((chosen & y).sum())
    proposed = int((chosen & known).sum())
    return {
        "day": d,
        "estimate": {
            "precision": info.get("cv_precision"),
            "recall": info.get("cv_recall", info.get("cv_list_recall")),
            "proposals_per_day": info.get("check_estimated_proposals_per_day"),
        },
        "printed": describe_card(card, Path("-")).splitlines()[2:],
        "checks_errors": fitted.checks.errors,
        "actual": {
            "precision": tp / proposed if proposed else None,
            "recall": tp / int(y.sum()) if y.sum() else None,
            "proposed": int(chosen.sum()),
            "proposed_known": proposed,
            "relevant": int(y.sum()),
            "true_positives": tp,
            "uncertain_proposed": int((chosen & ~known).sum()),
        },
        # for pooling: the day's scores and labels (uncertain dropped) and what was chosen
        "_scores": r.fused[known].tolist(),
        "_labels": y[known].astype(int).tolist(),
        "_chosen": chosen[known].astype(int).tolist(),
        "fit_seconds": round(time.perf_counter() - started, 1),
    }


def pooled(days: list[dict[str, Any]]) -> dict[str, Any]:
    if not days:
        return {}
    s = np.concatenate([np.array(d["_scores"]) for d in days])
    y = np.concatenate([np.array(d["_labels"]) for d in days]).astype(int)
    c = np.concatenate([np.array(d["_chosen"]) for d in days]).astype(bool)
    tp = int((c & (y == 1)).sum())
    precision = tp / int(c.sum()) if c.any() else float("nan")
    recall = tp / int(y.sum()) if y.sum() else float("nan")
    best = recall_at_precision(y, s, TARGET)
    est_p = float(np.mean([d["estimate"]["precision"] for d in days]))
    est_r = float(np.mean([d["estimate"]["recall"] for d in days]))
    per_day_p = [
        abs(d["estimate"]["precision"] - d["actual"]["precision"]) for d in days if d["actual"]["precision"] is not None
    ]
    per_day_r = [
        abs(d["estimate"]["recall"] - d["actual"]["recall"]) for d in days if d["actual"]["recall"] is not None
    ]
    est_v = [d["estimate"]["proposals_per_day"] for d in days if d["estimate"]["proposals_per_day"] is not None]
    return {
        "days": len(days),
        "papers": len(y),
        "relevant": int(y.sum()),
        "proposed": int(c.sum()),
        "precision": precision,
        "recall": recall,
        "best_recall_at_precision_0.8": best,
        "estimate_precision_mean": est_p,
        "estimate_recall_mean": est_r,
        "abs_error_precision": abs(est_p - precision),
        "abs_error_recall": abs(est_r - recall),
        "estimate_within_0.1": bool(
            abs(est_p - precision) <= ESTIMATE_TOLERANCE and abs(est_r - recall) <= ESTIMATE_TOLERANCE
        ),
        "per_day_mean_abs_error_precision": float(np.mean(per_day_p)) if per_day_p else None,
        "per_day_mean_abs_error_recall": float(np.mean(per_day_r)) if per_day_r else None,
        "per_day_within_0.1": sum(
            1
            for d in days
            if d["actual"]["precision"] is not None
            and d["actual"]["recall"] is not None
            and abs(d["estimate"]["precision"] - d["actual"]["precision"]) <= ESTIMATE_TOLERANCE
            and abs(d["estimate"]["recall"] - d["actual"]["recall"]) <= ESTIMATE_TOLERANCE
        ),
        "estimate_proposals_per_day_mean": float(np.mean(est_v)) if est_v else None,
        "actual_proposals_per_day_mean": float(np.mean([d["actual"]["proposed"] for d in days])),
        "calibration_precision_ok": bool(abs(precision - TARGET) <= PRECISION_TOLERANCE),
        "calibration_recall_ok": bool(recall >= RECALL_SHARE * best) if best == best else None,
        "models_failing_a_check": sum(1 for d in days if d["checks_errors"]),
    }


def _f(x: float | None, fmt: str = ".2f") -> str:
    return "  -  " if x is None or x != x else format(x, fmt)


def print_setting(name: str, days: list[dict[str, Any]], splits: dict[str, dict[str, Any]]) -> None:
    print(f"\n{name}")
    if days:
        print("  printed by watcher train (first day's model):")
        for line in days[0]["printed"]:
            print(f"    {line.strip()}")
    print(
        f"  {'day':10} {'split':5} {'est P':>6} {'act P':>6} {'|dP|':>5}  {'est R':>6} {'act R':>6} {'|dR|':>5}  "
        f"{'TP/prop/rel':>12} {'est/day':>7} {'check':>5}"
    )
    for d in days:
        e, a = d["estimate"], d["actual"]
        dp = None if a["precision"] is None else abs(e["precision"] - a["precision"])
        dr = None if a["recall"] is None else abs(e["recall"] - a["recall"])
        counts = f"{a['true_positives']}/{a['proposed_known']}/{a['relevant']}"
        print(
            f"  {d['day']:10} {d['split']:5} {_f(e['precision']):>6} {_f(a['precision']):>6} {_f(dp):>5}  "
            f"{_f(e['recall']):>6} {_f(a['recall']):>6} {_f(dr):>5}  {counts:>12} "
            f"{_f(e['proposals_per_day'], '.1f'):>7} {'FAIL' if d['checks_errors'] else 'ok':>5}"
        )
    for split, p in splits.items():
        if not p:
            continue
        print(
            f"  {split:5} pooled ({p['days']} days, {p['relevant']} relevant, {p['proposed']} proposed): "
            f"P est {p['estimate_precision_mean']:.2f} act {_f(p['precision'])} (|d| {_f(p['abs_error_precision'])}); "
            f"R est {p['estimate_recall_mean']:.2f} act {_f(p['recall'])} (|d| {_f(p['abs_error_recall'])}) -> "
            f"{'within' if p['estimate_within_0.1'] else 'NOT within'} 0.1; per day: both within 0.1 on "
            f"{p['per_day_within_0.1']}/{p['days']}, mean |dP| {_f(p['per_day_mean_abs_error_precision'])} "
            f"|dR| {_f(p['per_day_mean_abs_error_recall'])}"
        )
        rec_ok = {True: "ok", False: "FAIL", None: "-"}[p["calibration_recall_ok"]]
        print(
            f"  {'':5} calibration: P@thr {_f(p['precision'])} vs {TARGET} +- {PRECISION_TOLERANCE} "
            f"{'ok' if p['calibration_precision_ok'] else 'FAIL'}; R@thr {_f(p['recall'])} vs 0.95 x best "
            f"{_f(p['best_recall_at_precision_0.8'])} = {_f(RECALL_SHARE * p['best_recall_at_precision_0.8'])} "
            f"{rec_ok}; proposals/day est {_f(p['estimate_proposals_per_day_mean'], '.1f')} act "
            f"{p['actual_proposals_per_day_mean']:.1f}; models failing a check {p['models_failing_a_check']}"
        )
    sys.stdout.flush()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=SHARED)
    ap.add_argument("--json", type=Path, help="also write every number as JSON")
    ap.add_argument("--settings", nargs="*", choices=["cold", "review"], default=["cold", "review"])
    ap.add_argument("--methods", nargs="*", choices=list(METHODS), default=list(METHODS))
    args = ap.parse_args()
    began = time.perf_counter()
    db = Data(args.data)
    dev = set(db.days[:5])
    list_ids = [s["arxiv_id"] for s in db.seed if s.get("arxiv_id")]
    results: dict[str, Any] = {}
    for method in args.methods:
        for setting in args.settings:
            started = time.perf_counter()
            days = db.days if setting == "cold" else db.days[2:]
            rows = []
            for d in days:
                row = one_day(db, d, setting, METHODS[method], list_ids)
                row["split"] = "DEV" if d in dev else "TEST"
                rows.append(row)
            splits = {
                "TEST": pooled([r for r in rows if r["split"] == "TEST"]),
                "DEV": pooled([r for r in rows if r["split"] == "DEV"]),
                "ALL": pooled(rows),
            }
            key = f"{method} | {setting}"
            print_setting(f"{key}  ({time.perf_counter() - started:.0f} s)", rows, splits)
            results[key] = {
                "days": [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows],
                "pooled": splits,
                "seconds": round(time.perf_counter() - started, 1),
            }
    results["seconds_total"] = round(time.perf_counter() - began, 1)
    print(f"\ntotal {results['seconds_total']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
