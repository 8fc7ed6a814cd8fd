"""Shared test fixtures: paths to the real data in ../shared, and the loopback fakes."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.fakes.fixtures"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
FEEDS = SHARED / "arxiv-feeds"
BIG_FEED = FEEDS / "rss-all-archives-2024-11-28.xml"
EMPTY_FEED = FEEDS / "rss-empty-2024-11-28.xml"
ATOM_FEED = FEEDS / "atom-cs.AI-2025-08-20.xml"
SEED_LIST = SHARED / "seed-list.md"


@pytest.fixture(autouse=True)
def _no_real_network_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may pick up a developer's real tokens from the environment."""
    for name in ("GITHUB_TOKEN", "SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "WATCHER_CONFIG"):
        monkeypatch.delenv(name, raising=False)
