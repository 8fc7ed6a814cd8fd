"""Canary tokens never leak: not in output, logs, errors, Slack payloads, the PR, the state
database, the job summary or any file the bot writes."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tests import canary
from tests.fakes.arxiv import FakeArxiv
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack
from tests.realdays import days
from tests.world import REPO, World, small_day
from watcher import build
from watcher.cli import main
from watcher.config import load_settings
from watcher.tokens import Secret, read_secret


def leaks(text: str) -> list[str]:
    return [c for c in canary.ALL if c in text]


def test_secret_reprs_are_masked() -> None:
    secret = read_secret("SLACK_BOT_TOKEN")
    assert secret is not None and secret.reveal() == canary.SLACK_TOKEN
    assert leaks(repr(secret)) == [] and leaks(str(secret)) == [] and leaks(f"{secret}") == []
    assert repr(Secret("x", "ENV")) == "Secret($ENV, ***)"


def test_a_whole_life_of_runs_leaks_nothing(
    tmp_path: Path,
    fake_arxiv: FakeArxiv,
    fake_slack: FakeSlack,
    fake_github: FakeGitHub,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    world_model: Path,
) -> None:
    caplog.set_level(logging.DEBUG)  # every library's debug logging, more than the CLI ever turns on
    # a lost Slack answer is looked for again after pauses of the Slack timeout: one second here
    world = World(
        tmp_path,
        fake_arxiv,
        fake_slack,
        fake_github,
        monkeypatch,
        model_dir=world_model,
        config={"slack": {"timeout": 1.0}},
    )
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    world.serve(small_day(days()[5]))
    assert main(["--verbose", "run", "--config", str(world.config)]) == 0
    assert world.run("--dry-run", "--json") == 0
    # wrong tokens and broken services: the errors must name the problem, not the secret
    world.serve(small_day(days()[6]))
    world.github.token = "ghp_other"
    assert world.run() == 1
    world.github.token, world.slack.token = canary.GITHUB_TOKEN, "xoxb-other"
    assert world.run() == 1
    world.slack.token = canary.SLACK_TOKEN
    world.slack.fail("POST", "chat.postMessage", kind="reset", times=5)
    world.github.fail("PUT", "/contents/", status=500, times=5)
    world.serve(small_day(days()[7]))
    assert world.run() == 1
    out = capsys.readouterr()
    assert "Bad credentials" in out.err and "invalid_auth" in out.err  # the failures were reported
    assert leaks(out.out) == [] and leaks(out.err) == []
    assert leaks(caplog.text) == []
    assert leaks(summary.read_text()) == [] and "| status |" in summary.read_text()
    # what the services received, apart from the Authorization header they needed
    for fake in (world.slack, world.github, world.arxiv):
        for request in fake.requests:
            assert leaks(request.body.decode("utf-8", "replace")) == [], request.path
            assert leaks(request.raw_path) == []
    assert leaks(json.dumps([m.payload for m in world.slack.messages])) == []
    for pr in world.github.pulls(REPO):
        assert leaks(pr.body or "") == [] and leaks(pr.title) == []
    for commit in world.github.commits_on(REPO, "watcher/new-papers"):
        assert leaks(commit.message) == []
    # every file the bot wrote: the state database, retrained models, caches
    for path in (tmp_path / "state").rglob("*"):
        if path.is_file():
            assert leaks(path.read_bytes().decode("latin-1")) == [], path


def test_settings_and_clients_do_not_show_secrets(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[slack]\nmode = "bot"\nchannel = "C1"\n[github]\nrepo = "a/b"\n')
    settings = load_settings(config)
    assert leaks(repr(settings)) == []
    assert leaks("\n".join(build.describe(settings))) == []
    client = build.slack_client(settings, read_secret("SLACK_BOT_TOKEN"))  # type: ignore[arg-type]
    assert client.token == canary.SLACK_TOKEN  # it reaches the client ...
    assert leaks(repr(build.slack_target(settings, dry_run=False, preview=build.Preview(), log=print))) == []
