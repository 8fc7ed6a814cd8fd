"""Load: a 30-day backfill of real papers, end to end against loopback arXiv, Slack and GitHub.

    python benchmarks/load_benchmark.py [--days 30] [--api-delay 0] [--page-size 2000]

The 15 labelled days of ../shared/data/pool-dev.jsonl are served by a loopback arXiv API; days
16-30 reuse the same real papers four weeks later, under new ids (a year on). `watcher backfill` runs in a
child process (the real CLI, real clients), and the benchmark reports wall time, the child's
peak memory, the run's own stage timings (so the share of scoring is visible), and the papers
and requests involved. With `--api-delay 3` the pacing is arXiv's; the default measures the
bot's own work.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.canary import GITHUB_TOKEN, SLACK_TOKEN  # noqa: E402
from tests.fakes.arxiv import FakeArxiv  # noqa: E402
from tests.fakes.github import FakeGitHub  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402
from tests.realdays import days, pool, write_config  # noqa: E402

SHIFT_DAYS = 28  # each copy of the 15 real days (which span 24 calendar days) four weeks later


def papers(n_days: int) -> tuple[list[dict], date, date]:
    real_days = days()
    out = []
    for copy in range(0, (n_days + len(real_days) - 1) // len(real_days)):
        for k, day in enumerate(real_days):
            if copy * len(real_days) + k >= n_days:
                break
            shifted = date.fromisoformat(day) + timedelta(days=SHIFT_DAYS * copy)
            for p in pool():
                if p["published"] != day or p.get("announce_guess") == "replacement":
                    continue
                # ids of a copy are a year on (YYMM + 100), so no copy repeats another's
                yymm = int(p["arxiv_id"][:4]) + 100 * copy
                arxiv_id = f"{yymm:04d}{p['arxiv_id'][4:]}"
                out.append(
                    {
                        "arxiv_id": arxiv_id,
                        "title": p["title"],
                        "abstract": p["abstract"] or "",
                        "authors": ["A. Author"],
                        "categories": p["categories"] or ["cs.CL"],
                        "submitted": datetime(shifted.year, shifted.month, shifted.day, 9, tzinfo=UTC),
                    }
                )
    first = min(p["submitted"] for p in out).date()
    last = max(p["submitted"] for p in out).date()
    return out, first, last


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--api-delay", type=float, default=0.0)
    ap.add_argument("--page-size", type=int, default=2000)
    args = ap.parse_args()
    data, first, last = papers(args.days)
    with (
        FakeArxiv() as arxiv,
        FakeSlack(token=SLACK_TOKEN, start_ts=int(time.time())) as slack,
        FakeGitHub(token=GITHUB_TOKEN) as github,
        tempfile.TemporaryDirectory() as tmp,
    ):
        arxiv.add_papers(data)
        github.create_repo("acme", "papers", files={"README.md": (ROOT / "models" / "seed-list.md").read_text()})
        config = write_config(
            Path(tmp),
            rss_url=f"{arxiv.url}/rss/",
            api_url=arxiv.api_url,
            slack_url=slack.api_url,
            github_url=github.url,
            arxiv={"api_delay": args.api_delay, "api_page_size": args.page_size},
        )
        env = {**os.environ, "SLACK_BOT_TOKEN": SLACK_TOKEN, "GITHUB_TOKEN": GITHUB_TOKEN}
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "watcher",
                "backfill",
                "--config",
                str(config),
                "--since",
                first.isoformat(),
                "--until",
                last.isoformat(),
                "--json",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        report = json.loads(done.stdout)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        timings = report["timings"]
        print(
            json.dumps(
                {
                    "days": args.days,
                    "papers_served": len(data),
                    "window": [first.isoformat(), last.isoformat()],
                    "wall_seconds": round(wall, 1),
                    "peak_rss_mb": round(peak, 1),
                    "stage_seconds": timings,
                    "scoring_share_of_run": round(timings.get("score", 0) / max(sum(timings.values()), 1e-9), 2),
                    "fetched": report["counts"]["fetched"],
                    "scored": report["counts"]["scored"],
                    "proposed": report["counts"]["proposed"],
                    "posted": report["counts"]["delivered:slack"],
                    "added_to_pr": report["counts"]["delivered:github"],
                    "api_requests": len(arxiv.api_calls()),
                    "slack_messages": len(slack.messages),
                    "github_requests": len(github.requests),
                    "api_delay_seconds": args.api_delay,
                    "pacing_at_arxiv_rate_seconds": 3.0 * (len(arxiv.api_calls()) - 1),
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
