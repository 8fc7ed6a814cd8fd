"""The GitHub Actions workflows: valid (offline validators), least privilege, and what they promise."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
DAILY = (ROOT / ".github" / "workflows" / "daily.yml").read_text()
CI = (ROOT / ".github" / "workflows" / "ci.yml").read_text()


def tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert path, f"{name} is not installed: pip install -e '.[test]'"
    return path


def test_workflows_validate_against_the_schema() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_pass_zizmor_offline() -> None:
    result = subprocess.run(
        [tool("zizmor"), "--offline", str(ROOT / ".github" / "workflows")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_daily_schedule_is_weekdays_off_the_hour_after_the_feed_rebuild() -> None:
    (cron,) = re.findall(r'- cron: "([^"]+)"', DAILY)
    minute, hour, _, _, dow = cron.split()
    assert dow == "1-5"  # GitHub cron: Monday to Friday
    assert minute not in ("0", "00") and 5 <= int(hour) <= 10
    assert "workflow_dispatch:" in DAILY and "dry_run:" in DAILY and "type: boolean" in DAILY


def test_daily_least_privilege_concurrency_timeout() -> None:
    assert "permissions: {}" in DAILY  # nothing by default; the job asks for what it needs
    jobs = re.findall(r"    permissions:\n((?:      \w[\w-]*: \w+.*\n)+)", DAILY)
    granted = [dict(re.findall(r"(\w[\w-]*): (\w+)", block)) for block in jobs]
    # the run may write the list branch and the PR; only the keep-alive job may write Actions
    assert granted == [{"contents": "write", "pull-requests": "write"}, {"actions": "write"}]
    assert "concurrency:" in DAILY and "cancel-in-progress: false" in DAILY
    assert "timeout-minutes:" in DAILY and "cache: pip" in DAILY
    assert "permissions:\n  contents: read" in CI


def test_secrets_reach_the_run_only_through_env() -> None:
    for text in (DAILY, CI):
        for block in re.findall(r"run: \|\n((?:          .*\n)+)|run: (.*)\n", text):
            body = "".join(block)
            assert "${{" not in body, f"expression inside a run script: {body!r}"
    assert "SLACK_BOT_TOKEN: ${{ secrets.SLACK_BOT_TOKEN }}" in DAILY


def test_state_survives_runs_through_the_cache() -> None:
    assert "actions/cache/restore@" in DAILY and "actions/cache/save@" in DAILY
    assert "restore-keys: watcher-state-" in DAILY and "if: always()" in DAILY


def test_ci_runs_tests_lint_and_workflow_validation() -> None:
    for needle in ("python -m pytest", "ruff check", "mypy", "check-jsonschema", "zizmor --offline"):
        assert needle in CI


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_commits(path: Path) -> None:
    for ref in re.findall(r"uses: ([^\s]+)", path.read_text()):
        assert re.search(r"@[0-9a-f]{40}$", ref), ref
