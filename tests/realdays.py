"""Real announcement days from ../shared/data/pool-dev.jsonl, as arXiv would serve them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from tests.builders import config_text, merged
from tests.conftest import ROOT, SHARED
from tests.fakes.arxiv import rss_feed

WATCHED = ("cs.CL", "cs.SD", "eess.AS")
QUERY = "+".join(WATCHED)


@cache
def pool() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(x) for x in (SHARED / "pool-dev.jsonl").read_text().splitlines())


def days() -> list[str]:
    return sorted({p["published"] for p in pool()})


def papers_of(day: str) -> list[dict[str, Any]]:
    return [p for p in pool() if p["published"] == day]


def as_arxiv(p: dict[str, Any]) -> dict[str, Any]:
    """A pool paper as the loopback arXiv's paper record."""
    cats = p["categories"] or ["cs.CL"]
    replacement = p.get("announce_guess") == "replacement"
    primary_watched = cats[0] in WATCHED
    kinds = {(True, True): "replace", (True, False): "replace-cross", (False, True): "new", (False, False): "cross"}
    kind = kinds[(replacement, primary_watched)]
    day = date.fromisoformat(p["published"])
    return {
        "arxiv_id": p["arxiv_id"],
        "title": p["title"],
        "abstract": p["abstract"] or "",
        "authors": ["A. Author"],
        "categories": cats,
        "announce_type": kind,
        "version": 2 if replacement else 1,
        "submitted": datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=1),
    }


def feed_of(day: str) -> bytes:
    return rss_feed([as_arxiv(p) for p in papers_of(day)], query=QUERY, day=date.fromisoformat(day))


def write_config(
    tmp: Path,
    *,
    rss_url: str = "",
    api_url: str = "",
    slack_url: str = "",
    github_url: str = "",
    embeddings: bool = False,
    model_dir: Path | None = None,
    **overrides: dict[str, Any],
) -> Path:
    """A config for tests: the project's defaults, state in `tmp`, services on loopback, then
    `overrides` by table (`backfill={"auto": False}`); an unknown table or key fails at once."""
    tables: dict[str, dict[str, Any]] = {
        "arxiv": {"user_agent": "watcher-tests/1", "timeout": 5.0, "retries": 1, "backoff": 0.0, "api_delay": 0.0},
        "list": {"file": ROOT / "models" / "seed-list.md"},
        "classifier": {"model_dir": model_dir or ROOT / "models", "embeddings": embeddings},
        "state": {"path": tmp / "state" / "watcher.sqlite3"},
    }
    if rss_url:
        tables["arxiv"]["rss_url"] = rss_url
    if api_url:
        tables["arxiv"]["api_url"] = api_url
    if slack_url:
        tables["slack"] = {"mode": "bot", "channel": "C0123456789", "base_url": slack_url, "retries": 1, "timeout": 5.0}
    if github_url:
        tables["github"] = {"repo": "acme/papers", "base_url": github_url, "retries": 0, "timeout": 5.0}
    path = tmp / "config.toml"
    path.write_text(config_text(merged(tables, overrides)))
    return path
