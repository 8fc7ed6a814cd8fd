"""The command line end to end: the dry run on real feeds, exit codes, one-line errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests import canary
from tests.conftest import BIG_FEED, EMPTY_FEED, ROOT, SEED_LIST
from tests.realdays import days, papers_of, write_config
from watcher import listfile
from watcher.cli import build_parser, main


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "watcher", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_dry_run_on_the_large_real_feed_shows_digest_diff_and_summary(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    done = run_cli("run", "--dry-run", "--config", str(config), "--feed", str(BIG_FEED))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert '=== Slack: Slack is off (slack.mode = "off")' in out
    assert out.index("=== pull request: ") < out.index("=== Slack: ")  # one section per target, in order
    assert "new papers for the list · 2024-11-28" in out or "new paper for the list · 2024-11-28" in out
    assert "+- SALMONN-omni: A Codec-free LLM for Full-duplex Speech Understanding and Generation" in out
    assert "+  - [arXiv](https://arxiv.org/abs/2411.18138)" in out
    assert "--- a/seed-list.md" in out and "+++ b/seed-list.md" in out
    # the description a reviewer reads, with the committed model's standing
    assert re.search(
        r"^- \*\*\[SALMONN-omni: .*\]\(https://arxiv.org/abs/2411.18138\)\*\*, "
        r"Wenyi Yu, Siyin Wang, Xiaoyu Yang et al\. — \*\*multi-task\*\*.* · "
        r"above (all list entries \(\+\d+\.\d\)|[\d.]+% of list entries) · nearest",
        out,
        re.M,
    )
    summary = out.strip().splitlines()[-1]
    assert summary.startswith(
        "2024-11-28: fetched 1504 · kept 935 (cross+new) · already listed 0 · already seen 0 · scored 935 · proposed "
    )
    assert summary.endswith("[dry run]")
    assert not (tmp_path / "state").exists()  # a dry run records nothing


def test_dry_run_json_report(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    done = run_cli("run", "--dry-run", "--json", "--config", str(config), "--feed", str(BIG_FEED), "--limit", "1")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["dry_run"] and report["announced"] == "2024-11-28"
    assert report["counts"]["fetched"] == 1504 and report["counts"]["scored"] == 935
    assert report["proposals"] and {
        "arxiv_id",
        "relevance",
        "heading",
        "runner_up",
        "heading_scores",
        "reasons",
        "standing",
    } <= set(report["proposals"][0])
    assert 0 <= report["proposals"][0]["standing"] <= 1
    assert (
        len(report["preview"]["targets"]["slack"]["messages"][0]["metadata"]["event_payload"]["ids"].split(",")) == 1
    )  # --limit 1
    assert report["preview"]["targets"]["github"]["diff"].count("\n+- ") == 1


def test_empty_day_exits_0_and_says_so(tmp_path: Path) -> None:
    done = run_cli("run", "--dry-run", "--config", str(write_config(tmp_path)), "--feed", str(EMPTY_FEED))
    assert done.returncode == 0, done.stderr
    assert "arXiv announced nothing on 2024-11-28" in done.stdout


def test_the_readme_quickstart_works_from_the_project_root(tmp_path: Path) -> None:
    """`watcher run --dry-run` with the project's own config.toml (the README's first command),
    here on a saved feed instead of the network."""
    done = run_cli("run", "--dry-run", "--feed", str(EMPTY_FEED))
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["run", "--limit", "0"],
            2,
            "watcher: error: watcher run: argument --limit: expected a number >= 1, got 0 (see watcher run --help)",
        ),
        (["frobnicate"], 2, "watcher: error: watcher: argument COMMAND: invalid choice: 'frobnicate'"),
        (["run", "--config", "/nonexistent/c.toml"], 2, "watcher: error: /nonexistent/c.toml: config file not found"),
        (
            ["backfill", "--since", "yesterday"],
            2,
            "watcher: error: watcher backfill: argument --since: expected a date like 2025-05-21, got 'yesterday'",
        ),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(
    args: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(message)
    assert "Traceback" not in err


def test_config_error_names_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[slack]\nmode = "bot"\n')
    assert main(["run", "--dry-run", "--config", str(config)]) == 2
    assert capsys.readouterr().err == (
        f"watcher: error: {config}: slack.channel: required when slack.mode = "
        '"bot" (a channel ID such as "C0123456789")\n'
    )


def test_failed_run_exits_1_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.xml"
    bad.write_bytes(b"<!DOCTYPE html><html>down</html>")
    assert main(["run", "--dry-run", "--config", str(write_config(tmp_path)), "--feed", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"watcher: error: fetch arXiv: {bad}: got an HTML page, not an RSS/Atom feed" in err


def test_check_config(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    monkeypatch.delenv("GITHUB_TOKEN")
    assert main(["check-config", "--config", str(ROOT / "config.toml")]) == 0
    out = capsys.readouterr().out
    assert "is valid" in out and "Slack: off" in out
    config = write_config(tmp_path, slack_url="http://127.0.0.1:9/api/", github_url="http://127.0.0.1:9")
    assert main(["check-config", "--config", str(config)]) == 2
    captured = capsys.readouterr()
    assert "token from $SLACK_BOT_TOKEN is NOT set" in captured.out
    assert captured.err.startswith(
        "watcher: error: a real run needs environment variables that are not set: "
        "slack.token_env ($SLACK_BOT_TOKEN), github.token_env ($GITHUB_TOKEN)"
    )
    monkeypatch.setenv("SLACK_BOT_TOKEN", canary.SLACK_TOKEN)
    monkeypatch.setenv("GITHUB_TOKEN", canary.GITHUB_TOKEN)
    assert main(["check-config", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert canary.SLACK_TOKEN not in out and canary.GITHUB_TOKEN not in out and "$SLACK_BOT_TOKEN is set" in out


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, sub in commands.items():
        assert f"`watcher {name}" in readme, name
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag not in ("--help",):
                    assert flag in readme, f"watcher {name} {flag} is not in the README"


def test_a_retrain_that_cannot_train_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A model trained on a list of two headings. The maintainer merges them into one: the model
    is stale and retrains as a flat list. Then they cut the list to three entries: too few to
    learn from, so the run stops with one line that says so, and exits 1."""
    titles = [e.title for e in listfile.parse(SEED_LIST.read_text()).entries][:30]
    the_list = tmp_path / "list.md"
    the_list.write_text(
        "## a\n" + "".join(f"- {t}\n" for t in titles[:15]) + "## b\n" + "".join(f"- {t}\n" for t in titles[15:])
    )
    background = tmp_path / "background.jsonl"
    background.write_text("".join(json.dumps(p) + "\n" for p in papers_of(days()[0])[:60]))
    config = write_config(tmp_path, list={"file": the_list}, model_dir=tmp_path / "model", embeddings=False)
    assert main(["train", "--config", str(config), "--background", str(background)]) == 0
    the_list.write_text("## everything\n" + "".join(f"- {t}\n" for t in titles))
    capsys.readouterr()
    assert main(["run", "--config", str(config), "--feed", str(EMPTY_FEED)]) == 0
    kept = json.loads((tmp_path / "state" / "model" / "card.json").read_text())  # retrained beside the state
    assert kept["retrained_because"] == "stale" and kept["checks"]["passed"]
    capsys.readouterr()
    the_list.write_text("## everything\n" + "".join(f"- {t}\n" for t in titles[:3]))
    assert main(["run", "--config", str(config), "--feed", str(EMPTY_FEED)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        err[-1] == "watcher: error: load model: retraining failed: too few examples to train (3 positives, 58 others)"
    )
    assert [line for line in err if line.startswith("watcher: error")] == err[-1:]
