"""How long parsing the 2.8 MB all-archives feed and a whole dry run on it take.

    python benchmarks/run_benchmark.py [--feed PATH] [--repeat N]

Reports the median of N runs (default 5) of:
* parsing the feed into Papers, in this process;
* `watcher run --dry-run --feed FEED` in a fresh process (interpreter start, config, list,
  parse, model and MiniLM load, scoring, previews), wall time and peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import BIG_FEED as FEED  # noqa: E402  (honours $WATCHER_SHARED_DATA)
from watcher.feeds import parse_feed  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feed", type=Path, default=FEED)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    content = args.feed.read_bytes()

    parse_s = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        batch = parse_feed(content, str(args.feed))
        parse_s.append(time.perf_counter() - started)

    run_s = []
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"  # the project's defaults, with state in a scratch dir
        config.write_text(
            f'[list]\nfile = "{ROOT / "models" / "seed-list.md"}"\n'
            f'[classifier]\nmodel_dir = "{ROOT / "models"}"\n'
            f'[state]\npath = "{Path(tmp) / "state.sqlite3"}"\n'
        )
        for _ in range(args.repeat):
            started = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "watcher",
                    "run",
                    "--dry-run",
                    "--config",
                    str(config),
                    "--feed",
                    str(args.feed),
                    "--json",
                ],
                capture_output=True,
                text=True,
            )
            run_s.append(time.perf_counter() - started)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
        report = json.loads(done.stdout)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "feed": str(args.feed),
                "feed_bytes": len(content),
                "items": len(batch.papers),
                "parse_seconds_median": round(statistics.median(parse_s), 3),
                "dry_run_seconds_median": round(statistics.median(run_s), 2),
                "dry_run_seconds_max": round(max(run_s), 2),
                "dry_run_peak_rss_mb": round(peak_mb, 1),
                "scored": report["counts"].get("scored"),
                "proposed": report["counts"].get("proposed"),
                "repeat": args.repeat,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
