"""Killed in the middle: the process gets SIGKILL between and during deliveries (after GitHub
or Slack did the work and before the answer came back, or before the service acted), then the
day is run again and the next day too. After the last day, every proposed paper must be in
exactly one Slack post and exactly once in the list on the pull request branch, and the state
database must open and agree with GitHub. (Faults without a kill: tests/test_reliability.py.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from tests.realdays import days
from tests.world import World, small_day

DAY_A, DAY_B, DAY_C = days()[5], days()[6], days()[7]


@pytest.fixture
def world(world: World) -> World:
    # timeouts cost a second, not five
    world.reconfigure(arxiv={"timeout": 1.0}, slack={"timeout": 1.0}, github={"timeout": 1.0})
    return world


KILL_POINTS = {
    # (service, method, path, how): "hang_after" = the service did the work, the answer is pending;
    # "hang_before" = the request is in flight and the service never acts on it.
    "after the list commit landed": ("github", "PUT", r"/contents/README\.md$", "hang_after"),
    "before the list commit": ("github", "PUT", r"/contents/README\.md$", "hang_before"),
    "after the pull request was opened": ("github", "POST", r"^/repos/acme/papers/pulls$", "hang_after"),
    "after the labels were set": ("github", "POST", r"/issues/\d+/labels$", "hang_after"),
    "before the Slack post": ("slack", "POST", r"chat\.postMessage", "hang_before"),
    "after the Slack post landed": ("slack", "POST", r"chat\.postMessage", "hang_after"),
    "after the pull request update landed": ("github", "PATCH", r"/pulls/\d+$", "hang_after"),
}


@pytest.mark.parametrize("point", list(KILL_POINTS), ids=list(KILL_POINTS))
def test_sigkill_between_and_during_deliveries(world: World, point: str) -> None:
    service, method, path, how = KILL_POINTS[point]
    fake = {"github": world.github, "slack": world.slack}[service]
    kill_day = DAY_B if "update" in point else DAY_A
    for day in (DAY_A, DAY_B, DAY_C):
        world.serve(small_day(day))
        if day == kill_day:
            before = len(fake.requests_matching(method, path))
            fake.fail(method, path, kind=how, seconds=60)
            env = {**os.environ, "SLACK_BOT_TOKEN": world.slack.token, "GITHUB_TOKEN": world.github.token}
            proc = subprocess.Popen(
                [sys.executable, "-m", "watcher", "run", "--config", str(world.config)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                deadline = time.time() + 120
                while len(fake.requests_matching(method, path)) == before and proc.poll() is None:
                    assert time.time() < deadline, "the killed run never reached the kill point"
                    time.sleep(0.05)
                time.sleep(0.2)
                assert proc.poll() is None, "the run ended before it could be killed"
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
            finally:
                if proc.poll() is None:
                    proc.kill()
            fake.clear_faults()
        assert world.run() == 0, world.dump()
    world.check_exactly_once()
