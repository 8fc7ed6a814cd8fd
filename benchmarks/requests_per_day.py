"""Requests per run to Slack and GitHub on typical days, through the real CLI.

    python benchmarks/requests_per_day.py [--days 3]

Consecutive real announcement days of ../shared/data/pool-dev.jsonl are served as arXiv RSS by
the loopback arXiv; `watcher run` posts to the loopback Slack and GitHub. The first day opens
the pull request (and creates its label), the following days update it. Printed per day: the
requests each service received, by endpoint, and what the run proposed. A last run repeats the
final day: it must send nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.canary import GITHUB_TOKEN, SLACK_TOKEN  # noqa: E402
from tests.fakes.arxiv import FakeArxiv  # noqa: E402
from tests.fakes.github import FakeGitHub  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402
from tests.realdays import QUERY, days, feed_of, write_config  # noqa: E402
from watcher.cli import main as watcher  # noqa: E402


def endpoint(method: str, path: str) -> str:
    path = re.sub(r"/\d+(?=/|$)", "/N", path.split("?")[0])
    path = re.sub(r"/contents/.*", "/contents/PATH", path)
    path = re.sub(r"/git/refs?/heads/.*", "/git/ref/heads/BRANCH", path)
    return f"{method} {path}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=int, default=3)
    args = ap.parse_args()
    out = []
    with (
        FakeArxiv() as arxiv,
        FakeSlack(token=SLACK_TOKEN) as slack,
        FakeGitHub(token=GITHUB_TOKEN) as github,
        tempfile.TemporaryDirectory() as tmp,
    ):
        github.create_repo("acme", "papers", files={"README.md": (ROOT / "models" / "seed-list.md").read_text()})
        config = write_config(
            Path(tmp),
            rss_url=arxiv.url + "/rss/",
            api_url=arxiv.api_url,
            slack_url=slack.api_url,
            github_url=github.url,
            backfill={"auto": False},
        )
        os.environ.update({"SLACK_BOT_TOKEN": SLACK_TOKEN, "GITHUB_TOKEN": GITHUB_TOKEN})
        chosen = days()[5 : 5 + args.days]
        for label, day in [*((d, d) for d in chosen), (f"{chosen[-1]} again", chosen[-1])]:
            arxiv.set_feed(feed_of(day), query=QUERY)
            for fake in (slack, github):
                fake.clear_log()
            report = Path(tmp) / "report.json"
            with report.open("w") as f, contextlib.redirect_stdout(f):
                code = watcher(["run", "--config", str(config), "--json"])
            if code != 0:
                print(f"watcher run failed on {day} (exit {code})", file=sys.stderr)
                return 1
            counts = json.loads(report.read_text())["counts"]
            row = {
                "day": label,
                "proposed": counts.get("proposed", 0),
                "posted": counts.get("delivered:slack", 0),
                "added_to_pr": counts.get("delivered:github", 0),
                "slack_requests": len(slack.requests),
                "github_requests": len(github.requests),
                "slack": dict(Counter(endpoint(r.method, r.path) for r in slack.requests)),
                "github": dict(Counter(endpoint(r.method, r.path) for r in github.requests)),
            }
            out.append(row)
            print(
                f"{label}: proposed {row['proposed']}, Slack {row['slack_requests']} requests, "
                f"GitHub {row['github_requests']} requests",
                file=sys.stderr,
            )
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
