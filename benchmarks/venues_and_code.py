"""How the venue normaliser reads real journal references, and how often new papers name their code.

    python benchmarks/venues_and_code.py [--data ../shared/data]

Venues: every <arxiv:journal_reference> of the saved all-archives feed (2024-11-28) through
watcher.venues.explain_venue: how many name a venue of the table, ten recognised (in -> out)
and ten refused (in -> why). The feed has no comments (RSS carries none), so this measures the
journal-reference path only.
Code: the new papers of the 15 labelled days (pool-dev.jsonl without announce_guess ==
"replacement"), share whose abstract names a repository URL (watcher.codelinks.code_urls),
overall and among relevant papers, with papers per host.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import SHARED  # noqa: E402
from watcher.codelinks import code_urls  # noqa: E402
from watcher.feeds import parse_feed  # noqa: E402
from watcher.venues import explain_venue  # noqa: E402

EXAMPLES = 10
COMPUTING_LOOKING = re.compile(r"conference|proceedings|ieee|acm|lecture notes|machine|computing|linguistic", re.I)
HOST_MENTION = re.compile(r"(?<![\w.])(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|hf\.co)/", re.I)


def journal_refs(data: Path) -> list[str]:
    """The journal references of the saved feed, in feed order."""
    feed = data / "arxiv-feeds" / "rss-all-archives-2024-11-28.xml"
    papers = parse_feed(feed.read_bytes(), str(feed)).papers
    return [p.journal_ref for p in papers if p.journal_ref]


def report_venues(refs: list[str]) -> None:
    readings = [(ref, *explain_venue(journal_ref=ref)) for ref in refs]
    recognised = [(ref, venue) for ref, venue, _ in readings if venue]
    refused = [(ref, why) for ref, venue, why in readings if not venue]
    print(f"journal references in the feed: {len(refs)}")
    print(f"  name a venue the table recognises: {len(recognised)}")
    print(f"  refused (no venue proposed):       {len(refused)}")
    print(f"recognised (all {len(recognised)}, up to {EXAMPLES}):")
    for ref, venue in recognised[:EXAMPLES]:
        print(f"  {ref!r} -> {venue}")
    # The closest calls first (conference-like or computing names), then the rest spread over the feed.
    close = [r for r in refused if COMPUTING_LOOKING.search(r[0])]
    rest = [r for r in refused if r not in close]
    step = max(1, len(rest) // max(1, EXAMPLES - len(close)))
    shown = (close + rest[::step])[:EXAMPLES]
    first = min(len(close), EXAMPLES)
    print(f"refused ({len(shown)} of {len(refused)}: the {first} computing-looking ones first, then spread):")
    for ref, why in shown:
        print(f"  {ref!r} -> {why}")
    reasons = Counter(why.split(" (")[0] for _, why in refused)
    print("refusal reasons: " + "; ".join(f"{why}: {n}" for why, n in reasons.most_common()))


def report_code(pool: Path) -> None:
    rows = [json.loads(line) for line in pool.read_text(encoding="utf-8").splitlines() if line.strip()]
    new = [r for r in rows if r.get("announce_guess") != "replacement"]
    print(f"\nlabelled days: {len(rows)} papers, {len(new)} new (replacements excluded)")
    for label, group in (
        ("all new papers", new),
        ("relevant new papers", [r for r in new if r["label"] == "relevant"]),
    ):
        urls = [code_urls(r.get("abstract") or "") for r in group]
        named = sum(1 for u in urls if u)
        hosts = Counter(host for u in urls for host in {urlsplit(x).hostname for x in u})
        share = 100 * named / len(group) if group else 0.0
        per_host = ", ".join(f"{h} {n}" for h, n in hosts.most_common())
        print(
            f"  {label}: {named} of {len(group)} abstracts name a code URL ({share:.1f}%); papers per host: {per_host}"
        )
        unread = [
            r["arxiv_id"]
            for r, u in zip(group, urls, strict=True)
            if not u and HOST_MENTION.search(r.get("abstract") or "")
        ]
        print(f"    mention a host but name no repository (owner pages, collections, broken URLs): {len(unread)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED, help="the shared data folder (default: %(default)s)")
    args = parser.parse_args(argv)
    report_venues(journal_refs(args.data))
    report_code(args.data / "pool-dev.jsonl")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
