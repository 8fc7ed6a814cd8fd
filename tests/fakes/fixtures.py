"""pytest fixtures for the loopback fakes; register with `pytest_plugins = ["tests.fakes.fixtures"]`.

Each fixture is function-scoped: a fresh server on a fresh port, stopped at
teardown. A test fails at teardown if the fake itself crashed while handling a
request (a bug in the fake, not in the code under test).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from .arxiv import FakeArxiv
from .github import FakeGitHub
from .loopback import LoopbackServer
from .slack import FakeSlack


def _serve(fake: LoopbackServer) -> Iterator[LoopbackServer]:
    with fake:
        yield fake
    if fake.errors:
        pytest.fail(f"{type(fake).__name__} crashed while handling a request:\n{fake.errors[0]}")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A FakeSlack with token "xoxb-test-token" and channel "C0123456789"; `api_url`, `webhook_url`.

    Message timestamps start now, as Slack's do (history windows are relative to the clock)."""
    yield from _serve(FakeSlack(start_ts=int(time.time())))  # type: ignore[misc]


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """An empty FakeGitHub with token "ghp_test_token" (bot login "watcher-bot"); add repos with `create_repo`."""
    yield from _serve(FakeGitHub())  # type: ignore[misc]


@pytest.fixture
def fake_arxiv() -> Iterator[FakeArxiv]:
    """An empty FakeArxiv; register feeds with `set_feed`/`queue_feed` and papers with `add_paper`."""
    yield from _serve(FakeArxiv())  # type: ignore[misc]
