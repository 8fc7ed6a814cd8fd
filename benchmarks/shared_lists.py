"""Train on each shared real list as it was, and backtest it over the 15 labelled pool days.

    python benchmarks/shared_lists.py [--data ../shared/data] [--lists SUBSTR ...] [--embeddings on off]
                                      [--folds 5] [--json OUT]

For each of the 11 lists of `lists/` (`lists/index.jsonl`) and with and without the MiniLM
embeddings, through the product's own code paths:

* train: `commands.train_model` on the list's snapshot (`-2025-05-20.md`, the last commit before
  the pool days) with `pool-dev.jsonl` as background and as metadata (abstracts for the list's
  entries that are pool papers), exactly as `watcher train --list SNAPSHOT --background POOL
  --metadata POOL` with an empty config: no [profile] of the seed list, no seed-list labels
  (background papers are unlabelled; pool-dev's `label` is about the seed list and is never read
  here). It either writes a model (its card: the estimate `watcher train` prints, the checks'
  warnings) or stops with the message `watcher train` prints;
* backtest: `commands.backtest_list` on the snapshot against the head file over the pool days,
  replacements left out as `watcher backtest --papers` does: 5 fold models, each trained on the
  list plus the other folds' days as background. Reported: the papers the maintainer added later
  that were announced on these days (`added_in_pool_days`; of them the ones the bot sees at all,
  i.e. not replacements, and read as list entries), how many were proposed and the ranks of the
  misses; proposals per day (median, max, mean, and the largest share of a day); heading
  agreement of the proposed ones; training-check errors of the fold models. A refused model is
  backtested too, to show what the check spared the maintainer.

Later additions are a lower bound of what a maintainer wanted (nobody adds every relevant
paper): read recall beside proposals per day, never alone.

Embeddings: texts are memoised across lists and folds (most lists are read by titles alone, and
every list sees the same pool), so each distinct text is embedded once; the memo returns the
product's MiniLM vectors unchanged.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import SHARED  # noqa: E402  (../shared/data, or $WATCHER_SHARED_DATA)
from watcher import commands, listfile  # noqa: E402
from watcher.checks import MOST_OF_A_DAY, VOLUME_FACTOR, list_growth_per_day  # noqa: E402
from watcher.config import ClassifierSettings, Settings, StateSettings  # noqa: E402
from watcher.errors import WatcherError  # noqa: E402
from watcher.listfile import heading_key  # noqa: E402
from watcher.model_store import load_encoder  # noqa: E402
from watcher.paperfile import read_papers  # noqa: E402


class MemoEncoder:
    """The product's MiniLM (as `load_encoder` loads it), each distinct text embedded once."""

    def __init__(self) -> None:
        self.vectors: dict[str, np.ndarray] = {}
        self.model: Any = None
        self.seconds = 0.0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            started = time.perf_counter()
            if self.model is None:
                self.model = load_encoder(replace(commands.recipe_from(Settings()), embeddings=True))
            for t, v in zip(missing, self.model.encode(missing), strict=True):
                self.vectors[t] = v
            self.seconds += time.perf_counter() - started
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)


def settings_for(embeddings: bool, state_dir: Path) -> Settings:
    """An empty config (every default), embeddings on or off, and a state directory that holds
    no enrichment cache: only the files given are read."""
    return replace(
        Settings(),
        classifier=replace(ClassifierSettings(), embeddings=embeddings),
        state=StateSettings(path=state_dir / "watcher.sqlite3"),
    )


def train_once(settings: Settings, snapshot: Path, pool: Path, out: Path) -> dict[str, Any]:
    """`watcher train --list SNAPSHOT --background POOL --metadata POOL`: its card, or why it stopped."""
    lines: list[str] = []
    started = time.perf_counter()
    try:
        card = commands.train_model(
            settings, list_path=snapshot, metadata=[pool], background=[pool], feedback=[], out=out, log=lines.append
        )
    except WatcherError as exc:
        return {
            "written": False,
            "error": exc.message,
            "warnings": [x.removeprefix("watcher: warning: ") for x in lines if x.startswith("watcher: warning:")],
            "log": lines,
            "seconds": round(time.perf_counter() - started, 1),
        }
    cv = card["cross_validation"]
    return {
        "written": True,
        "error": None,
        "warnings": card["checks"]["warnings"],
        "printed": commands.describe_card(card, out).splitlines()[1:],
        "estimate": {
            "precision": cv.get("cv_precision"),
            "recall": cv.get("cv_recall", cv.get("cv_list_recall")),
            "proposals_per_day": cv.get("check_estimated_proposals_per_day"),
            "papers_per_day": cv.get("check_papers_per_day"),
            "list_growth_per_day": cv.get("check_list_growth_per_day"),
            "separation": cv.get("check_separation"),
            "hidden_positive_share": cv.get("hidden_positive_share"),
        },
        "titles_only": card["recipe"]["titles_only"],
        "threshold": card["threshold"],
        "training_counts": card["training_counts"],
        "log": lines,
        "seconds": round(time.perf_counter() - started, 1),
    }


def backtest_once(
    settings: Settings, entry: dict[str, Any], lists: Path, papers: list, pool: Path, folds: int, encoder: MemoEncoder
) -> dict[str, Any]:
    snapshot, head = _files(entry, lists)
    started = time.perf_counter()
    try:
        result, notes = commands.backtest_list(
            settings,
            snapshot.read_text(encoding="utf-8"),
            head.read_text(encoding="utf-8"),
            papers,
            metadata=[pool],
            folds=folds,
            encoder_loader=lambda recipe: encoder if recipe.embeddings else None,
        )
    except (WatcherError, ValueError) as exc:
        return {"ran": False, "error": str(getattr(exc, "message", exc)), "seconds": time.perf_counter() - started}
    counts = list(result.proposals_per_day.values())
    shares = [result.proposals_per_day[d] / max(result.scored_per_day[d], 1) for d in result.days]
    agreement = result.heading_agreement
    proposed = [f for f in result.added if f.proposed]
    # the heading is measurable where the maintainer filed the paper under a heading the snapshot
    # already had entries under (a heading created later cannot be chosen)
    old = listfile.parse(snapshot.read_text(encoding="utf-8"))
    known = {heading_key(s.name) for s in old.targets if s.entries}
    measurable = [f for f in proposed if heading_key(f.heading) in known]
    top1 = sum(heading_key(f.bot_heading) == heading_key(f.heading) for f in measurable)
    top2 = sum(heading_key(f.heading) in (heading_key(f.bot_heading), heading_key(f.runner_up)) for f in measurable)
    return {
        "ran": True,
        "fold_check_errors": notes,
        "added_seen": len(result.added),
        "added_proposed": len(proposed),
        "recall": result.recall,
        "missed": sorted(
            (
                {"arxiv_id": f.arxiv_id, "title": f.title, "day": f.day, "rank": f.rank, "of": f.of}
                for f in result.added
                if not f.proposed
            ),
            key=lambda m: m["rank"],
        ),
        "proposals_per_day": result.proposals_per_day,
        "proposals_median": median(counts) if counts else 0,
        "proposals_max": max(counts) if counts else 0,
        "proposals_mean": sum(counts) / len(counts) if counts else 0.0,
        "proposals_total": sum(counts),
        "largest_share_of_a_day": max(shares) if shares else 0.0,
        "scored_per_day_median": median(result.scored_per_day.values()) if result.scored_per_day else 0,
        "heading_top1": agreement[0] if agreement else None,
        "heading_top2": agreement[1] if agreement else None,
        "heading_n": len(proposed),
        "heading_measurable_n": len(measurable),
        "heading_measurable_top1": top1 / len(measurable) if measurable else None,
        "heading_measurable_top2": top2 / len(measurable) if measurable else None,
        "backtest": result.to_json(),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _files(entry: dict[str, Any], lists: Path) -> tuple[Path, Path]:
    snapshot = next(f for f in entry["files"] if f.endswith("-2025-05-20.md"))
    head = next(f for f in entry["files"] if not f.endswith("-2025-05-20.md"))
    return lists / snapshot, lists / head


def verdict(t: dict[str, Any], b: dict[str, Any], growth: float | None) -> str:
    """Is the backtest sane? Not when it proposes most of a day (the check's share), nothing at all,
    or far more a day than the list grows (the check's volume rule: 10x its growth, at least 3;
    growth = the larger of its last year's, from its ids, and what the maintainer added on these days)."""
    if not b.get("ran"):
        return "no backtest"
    rate = max(growth or 0.0, b["added_seen"] / max(len(b["proposals_per_day"]), 1))
    if b["largest_share_of_a_day"] >= MOST_OF_A_DAY:
        what = "FLOODS a day"
    elif b["proposals_total"] == 0:
        what = "proposes NOTHING"
    elif b["proposals_mean"] > max(VOLUME_FACTOR * rate, 3.0):
        what = f"TOO MANY ({b['proposals_mean'] / max(rate, 1e-9):.0f}x the list's growth)"
    else:
        what = "sane"
    if not t["written"]:
        return f"{what}; watcher train refused"
    return what if what == "sane" else f"{what}; yet watcher train wrote it"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def _num(x: float | None, fmt: str = ".2f") -> str:
    return "-" if x is None else format(x, fmt)


def row_text(repo: str, emb: bool, rec: dict[str, Any]) -> list[str]:
    t, b, idx = rec["train"], rec["backtest"], rec["index"]
    if t["written"]:
        e = t["estimate"]
        check = (
            f"written: est P {_num(e['precision'])} R {_num(e['recall'])}, {_num(e['proposals_per_day'], '.1f')}/day"
        )
    else:
        check = f"REFUSED: {t['error'][:110]}"
    growth = idx["list_growth_per_day"]
    lines = [f"{repo:46} {'emb' if emb else 'no-emb':6} {check} [list grew {_num(growth)}/day]"]
    if b.get("ran"):
        rec_s = f"{b['added_proposed']}/{b['added_seen']}" + (f" ({_pct(b['recall'])})" if b["added_seen"] else "")
        ranks = ", ".join(f"{m['rank']}/{m['of']}" for m in b["missed"][:8]) or "-"
        heading = f"{_pct(b['heading_top1'])}/{_pct(b['heading_top2'])} of {b['heading_n']}" if b["heading_n"] else "-"
        lines.append(
            f"{'':53} added in pool {idx['added_in_pool_days']} (seen {b['added_seen']}, "
            f"{b['added_seen'] / max(len(b['proposals_per_day']), 1):.2f}/day); proposed {rec_s}; "
            f"miss ranks {ranks}"
        )
        lines.append(
            f"{'':53} proposals/day median {b['proposals_median']:g} max {b['proposals_max']} "
            f"mean {b['proposals_mean']:.1f} (max share {b['largest_share_of_a_day']:.0%} of "
            f"~{b['scored_per_day_median']:.0f}); heading top1/top2 {heading}; {rec['verdict']}"
        )
        if b["fold_check_errors"]:
            lines.append(f"{'':53} fold models failing a check: {b['fold_check_errors'][0][:110]}")
    else:
        lines.append(f"{'':53} backtest did not run: {b['error'][:110]}")
    lines.append(f"{'':53} ({t['seconds']:.0f} s train, {b.get('seconds', 0):.0f} s backtest)")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=SHARED)
    ap.add_argument("--lists", nargs="*", help="only these lists (substring of owner/name)")
    ap.add_argument("--embeddings", nargs="*", choices=["on", "off"], default=["on", "off"])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--json", type=Path, help="also write every figure as JSON")
    args = ap.parse_args()
    began = time.perf_counter()
    lists = args.data / "lists"
    pool = args.data / "pool-dev.jsonl"
    index = [json.loads(line) for line in (lists / "index.jsonl").read_text().splitlines() if line.strip()]
    if args.lists:
        index = [e for e in index if any(s.lower() in e["repo"].lower() for s in args.lists)]
    rows = read_papers(pool)
    replacement = {r.paper.arxiv_id for r in rows if r.replacement}
    papers = [r.paper for r in rows if not r.replacement]  # as `watcher backtest --papers` reads them
    encoder = MemoEncoder()
    # train_model loads its encoder through commands.load_encoder: the memo serves the same vectors
    real_loader = commands.load_encoder
    commands.load_encoder = lambda recipe: encoder if recipe.embeddings else None  # type: ignore[assignment]
    results: dict[str, Any] = {"lists": {}}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for entry in index:
                repo = entry["repo"]
                snapshot, _ = _files(entry, lists)
                added = entry["added_in_pool_days"]
                old = listfile.parse(snapshot.read_text(encoding="utf-8"))
                info = {
                    "topic": entry["topic"],
                    "list_growth_per_day": list_growth_per_day([i for e in old.target_entries for i in e.arxiv_ids]),
                    "added_in_pool_days": len(added),
                    "added_in_pool_days_replacements": sorted(set(added) & replacement),
                }
                results["lists"][repo] = {"index": info}
                for emb in (x == "on" for x in args.embeddings):
                    settings = settings_for(emb, Path(tmp) / "state")
                    out = Path(tmp) / f"model-{repo.replace('/', '__')}-{int(emb)}"
                    t = train_once(settings, snapshot, pool, out)
                    b = backtest_once(settings, entry, lists, papers, pool, args.folds, encoder)
                    rec = {"index": info, "train": t, "backtest": b}
                    rec["verdict"] = verdict(t, b, info["list_growth_per_day"])
                    results["lists"][repo]["embeddings" if emb else "no_embeddings"] = rec
                    print("\n".join(row_text(repo, emb, rec)), flush=True)
    finally:
        commands.load_encoder = real_loader  # type: ignore[assignment]
    results["seconds_total"] = round(time.perf_counter() - began, 1)
    results["seconds_embedding"] = round(encoder.seconds, 1)
    results["texts_embedded"] = len(encoder.vectors)
    print(
        f"\ntotal {results['seconds_total']:.0f} s, of which {encoder.seconds:.0f} s embedding "
        f"{len(encoder.vectors)} distinct texts"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
