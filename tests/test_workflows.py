"""The GitHub Actions workflows: valid (offline validators), least privilege, and what they promise."""

from __future__ import annotations

import fnmatch
import importlib.resources
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

import watcher
from tests.conftest import ROOT
from watcher import ghaction
from watcher.errors import WatcherError
from watcher.workflow import commit_from_direct_url, git_head, installed_ref, render_workflow

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


# --- watcher.workflow: the workflow a list repository gets, and the ref to pin ---------------

REF = "0123456789abcdef0123456789abcdef01234567"


def load(text: str) -> dict[str, Any]:
    data = YAML(typ="safe", pure=True).load(text)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ref": "0123456"}, "ref must be a full commit SHA"),
        ({"ref": "g" * 40}, "ref must be a full commit SHA"),
        ({"ref": REF + "\n"}, "ref must be a full commit SHA"),
        ({"action": "watcher"}, "action must be the watcher repository as owner/name"),
        ({"action": "a/b c"}, "action must be"),
        ({"config_path": "/etc/config.toml"}, "config_path must be a relative path"),
        ({"config_path": "../config.toml"}, "config_path must be a relative path"),
        ({"config_path": "${{ github.token }}.toml"}, "config_path must be"),
        ({"config_path": "a\nb.toml"}, "config_path must be"),
        ({"config_path": ""}, "config_path must be"),
        ({"cron": "23 6 * *"}, "cron must be"),
        ({"cron": "60 6 * * 1-5"}, "cron must be"),
        ({"cron": "23 6 * * 5-1"}, "cron must be"),
        ({"cron": "23 6 * * 1-5\n"}, "cron must be"),
        ({"version": "1 2"}, "version must be"),
    ],
)
def test_render_workflow_rejects_bad_values(kwargs: dict[str, str], message: str) -> None:
    args = {"action": "watcher-bot/watcher", "ref": REF, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        render_workflow(**args)
    assert "\n" not in str(info.value)


def test_render_workflow_puts_each_value_in_one_scalar() -> None:
    text = render_workflow(
        action="octo-org/watcher.fork",
        ref=REF.upper(),
        config_path='lists/speech "LLM" papers.toml',
        cron="5,35 */2 1-15 * 0",
        version="v1.2.3",
    )
    doc = load(text)
    steps = doc["jobs"]["run"]["steps"]
    assert steps[1]["uses"] == f"octo-org/watcher.fork@{REF}" and f"@{REF} # v1.2.3\n" in text
    assert steps[1]["with"]["config"] == 'lists/speech "LLM" papers.toml'
    assert doc["on"]["schedule"] == [{"cron": "5,35 */2 1-15 * 0"}]


def test_template_is_package_data() -> None:
    """A non-editable install carries the template: pyproject declares it, and it is where the code reads it."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        globs = tomllib.load(f)["tool"]["setuptools"]["package-data"]["watcher"]
    template = ROOT / "watcher" / "templates" / "watcher.yml"
    assert template.is_file() and any(fnmatch.fnmatch("templates/watcher.yml", g) for g in globs)
    assert importlib.resources.files("watcher").joinpath("templates", "watcher.yml").read_text() == template.read_text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (json.dumps({"url": "https://github.com/x/w", "vcs_info": {"vcs": "git", "commit_id": REF.upper()}}), REF),
        (json.dumps({"url": "https://github.com/x/w", "vcs_info": {"vcs": "hg", "commit_id": REF}}), None),
        ('{"url": "https://github.com/x/w", "vcs_info": {"vcs": "git", "commit_id": "main"}}', None),
        ('{"url": "file:///src/watcher", "dir_info": {"editable": true}}', None),
        ("[1, 2]", None),
        ("not json", None),
    ],
)
def test_commit_from_direct_url(text: str, expected: str | None) -> None:
    assert commit_from_direct_url(text) == expected


def git(*args: str, cwd: Path) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main", *args]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def test_git_head_only_of_watchers_own_checkout(tmp_path: Path) -> None:
    checkout = tmp_path / "watcher"
    (checkout / "watcher").mkdir(parents=True)
    (checkout / "watcher" / "__init__.py").write_text("")
    git("init", "-q", cwd=checkout)
    git("add", ".", cwd=checkout)
    git("commit", "-q", "-m", "first", cwd=checkout)
    assert git_head(checkout / "watcher") == git("rev-parse", "HEAD", cwd=checkout)
    # a virtualenv inside some other repository: its HEAD is not where the package came from
    nested = checkout / ".venv" / "lib" / "site-packages" / "watcher"
    nested.mkdir(parents=True)
    assert git_head(nested) is None
    assert git_head(tmp_path / "nowhere") is None


def test_installed_ref_of_this_checkout() -> None:
    if Path(watcher.__file__).resolve().parent.parent != ROOT:
        pytest.skip("watcher is not installed from this checkout (pip install -e .)")
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode:
        pytest.skip("this checkout is not a git repository")
    assert installed_ref() == head.stdout.strip()


# --- watcher.ghaction: what the action reads from a config -------------------------------------


def write_config(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_action_facts_resolve_state_like_watcher(tmp_path: Path) -> None:
    config = write_config(tmp_path / "repo" / "cfg" / "config.toml", "[classifier]\nembeddings = false\n")
    facts = ghaction.action_facts(config, tmp_path / "repo", install_embeddings=False)
    assert facts == ghaction.ActionFacts("cfg/state", "cfg/state/watcher.sqlite3", embeddings=False)
    assert facts.outputs() == "state-dir=cfg/state\nstate-db=cfg/state/watcher.sqlite3\nembeddings=false\n"
    # outside the workspace: an absolute path (the cache takes those too)
    elsewhere = ghaction.action_facts(config, tmp_path / "other", install_embeddings=True)
    assert elsewhere.state_dir == str((tmp_path / "repo" / "cfg" / "state").resolve())


def test_action_facts_refuse_a_line_break(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", '[state]\npath = "st\\nate/watcher.sqlite3"\n')
    with pytest.raises(WatcherError, match="line break"):
        ghaction.action_facts(config, tmp_path, install_embeddings=True)
