"""watcher backtest on a real list at two commits, replaying real labelled days."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.listrepo import INDEX, REPO, list_repo
from tests.realdays import pool, write_config
from watcher.cli import main


def test_backtest_finds_what_the_maintainer_added_later_at_git_revisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = INDEX[REPO]
    repo = list_repo(tmp_path)
    papers = tmp_path / "days.jsonl"
    papers.write_text("".join(json.dumps(p) + "\n" for p in pool()))
    config = write_config(tmp_path, embeddings=False, list={"file": repo / "README.md"})
    assert (
        main(
            [
                "backtest",
                "--config",
                str(config),
                "--at",
                "HEAD~1",
                "--later-at",
                "HEAD",
                "--papers",
                str(papers),
                "--folds",
                "3",
                "--json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    # the ids the index says were added on those days, but for one: the list's own survey, added as
    # the example row of its "How to Contribute" section, which holds no entries to file under
    added_in_days = set(row["added_in_pool_days"]) - {"2505.15957"}
    not_replaced = {p["arxiv_id"] for p in pool() if p.get("announce_guess") != "replacement"}
    assert {f["arxiv_id"] for f in report["added"]} == added_in_days & not_replaced
    assert len(report["days"]) == 15 and set(report["proposals_per_day"]) == set(report["days"])
    assert all(1 <= f["rank"] <= f["of"] for f in report["added"])
    assert report["recall_of_added"] == sum(f["proposed"] for f in report["added"]) / len(report["added"])
    # a list of 25 titles proposes far too much: the backtest says training would refuse that model
    (note,) = report["training_check_errors"]
    assert note.startswith("3 of the 3 models failed a training check") and "mostly noise" in note


def test_backtest_needs_days_to_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "none.jsonl"
    empty.write_text("")
    assert main(["backtest", "--config", str(write_config(tmp_path)), "--papers", str(empty)]) == 2
    assert "backtest: no announcement days to replay" in capsys.readouterr().err
