"""Shared test fixtures: paths to the real data in ../shared, and the loopback fakes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests import canary

pytest_plugins = ["tests.fakes.fixtures"]

ROOT = Path(__file__).resolve().parents[1]
# The real data the tests run on (arXiv feeds, labelled days): ../shared/data next to the checkout.
SHARED = Path(os.environ.get("WATCHER_SHARED_DATA", ROOT.parent / "shared" / "data"))
FEEDS = SHARED / "arxiv-feeds"
BIG_FEED = FEEDS / "rss-all-archives-2024-11-28.xml"
EMPTY_FEED = FEEDS / "rss-empty-2024-11-28.xml"
ATOM_FEED = FEEDS / "atom-cs.AI-2025-08-20.xml"
SEED_LIST = ROOT / "models" / "seed-list.md"  # the product's own copy of the list

# Test modules that read the real data; without it they cannot run, and the summary says so.
NEEDS_SHARED = {
    "test_backtest.py",
    "test_bad_input.py",
    "test_classifier.py",
    "test_cli.py",
    "test_commands.py",
    "test_e2e_delivery.py",
    "test_feeds.py",
    "test_fetch.py",
    "test_init.py",
    "test_learning.py",
    "test_list_formats.py",
    "test_operations.py",
    "test_pipeline.py",
    "test_crash_recovery.py",
    "test_reliability.py",
    "test_secrets.py",
    "test_titles.py",
    "test_venues.py",
    "test_venue_updates.py",
    "test_venue_delivery.py",
    "test_codelinks.py",
    "test_what_reviewers_see.py",
}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if not SHARED.is_dir() and collection_path.name in NEEDS_SHARED:
        return True
    return None


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not SHARED.is_dir():
        terminalreporter.write_line(
            f"NOT RUN: {len(NEEDS_SHARED)} test modules need the real data in {SHARED} "
            "(set WATCHER_SHARED_DATA to its location): " + ", ".join(sorted(NEEDS_SHARED)),
            red=True,
        )


@pytest.fixture(autouse=True)
def _canary_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with canary secrets in the environment (never a developer's real ones);
    the hook below fails any test whose output shows one."""
    monkeypatch.setenv("GITHUB_TOKEN", canary.GITHUB_TOKEN)
    monkeypatch.setenv("SLACK_BOT_TOKEN", canary.SLACK_TOKEN)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", canary.WEBHOOK_URL)
    monkeypatch.delenv("WATCHER_CONFIG", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """A test whose captured stdout, stderr or log shows a canary secret fails."""
    outcome = yield
    report = outcome.get_result()
    for name, text in report.sections:
        leaked = [c for c in canary.ALL if c in text]
        if leaked and report.passed:
            report.outcome = "failed"
            report.longrepr = f"canary secret {leaked[0][:12]}... appeared in {name}"


@pytest.fixture(scope="session")
def remembered_minilm() -> Any:
    """The product's MiniLM, remembering every text it embedded for the rest of the session. The
    learning tests score the same papers with several models; embedding is a pure function of the
    text, so remembering it changes no result. MiniLM.load returns one encoder per process, so the
    models the daily run loads use it too. Restored at the end of the session."""
    import numpy as np

    from watcher.embedding import DIM, MiniLM

    model = MiniLM.load(max_length=128)
    compute = model.encode
    seen: dict[str, np.ndarray] = {}

    def encode(texts: Any, **kw: Any) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in seen]
        if missing:
            seen.update(zip(missing, compute(missing, **kw), strict=True))
        return np.stack([seen[t] for t in texts]) if len(texts) else np.zeros((0, DIM), np.float32)

    model.encode = encode  # type: ignore[method-assign]
    yield model
    del model.encode


@pytest.fixture(scope="session")
def world_model() -> Path:
    """The committed model (`models/`): the seed list without embeddings, trained on the list,
    its abstracts and the 15 labelled days as reviews. The delivery and reliability worlds test
    delivery, not the classifier; its card matches the seed list, so nothing retrains until a
    world records review outcomes (a retrained model goes beside the world's state, never into
    `models/`)."""
    return ROOT / "models"


@pytest.fixture
def world(
    tmp_path: Path,
    fake_arxiv: Any,
    fake_slack: Any,
    fake_github: Any,
    monkeypatch: pytest.MonkeyPatch,
    world_model: Path,
) -> Any:
    """tests.world.World: the real CLI against loopback arXiv, Slack and GitHub, state in tmp_path."""
    from tests.world import World  # tests.world reads the real data: imported only when used

    return World(tmp_path, fake_arxiv, fake_slack, fake_github, monkeypatch, model_dir=world_model)
