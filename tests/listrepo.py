"""A real shared list in a fresh git repository, as its history had it: the snapshot from before
the labelled days, then the head. For the tests of `watcher init` and `watcher backtest`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import SHARED

LISTS = SHARED / "lists"
INDEX = {r["repo"]: r for r in map(json.loads, (LISTS / "index.jsonl").read_text().splitlines())}
REPO = "ckyang1124/LALM-Evaluation-Survey"  # a table per topic, under <details> blocks; 15 later additions on pool days


def git(cwd: Path, *args: str, when: str = "") -> str:
    env = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when} if when else {}
    done = subprocess.run(
        ["git", "-C", str(cwd), *args],
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), **env},
    )
    return done.stdout


def list_repo(tmp_path: Path) -> Path:
    """REPO's list in a repository at tmp_path: its snapshot committed on 2025-05-08, its head later."""
    row = INDEX[REPO]
    snapshot, head = (LISTS / f for f in sorted(row["files"], key=len, reverse=True))
    repo = tmp_path / "LALM-Evaluation-Survey"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "m@example.org")
    git(repo, "config", "user.name", "Maintainer")
    git(repo, "remote", "add", "origin", f"https://github.com/{REPO}.git")
    (repo / "README.md").write_bytes(snapshot.read_bytes())
    git(repo, "add", "README.md")
    git(repo, "commit", "-qm", "as it was", when="2025-05-08T10:00:00+00:00")
    (repo / "README.md").write_bytes(head.read_bytes())
    git(repo, "commit", "-qam", "later", when="2026-08-07T10:00:00+00:00")
    return repo
