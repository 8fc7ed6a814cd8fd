"""`watcher init`: a real list in a fresh git repository, set up against the loopback arXiv API,
then a dry run with the config it wrote; and the pure decisions behind it (onboarding.py)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from tests.conftest import SHARED
from tests.fakes.arxiv import FakeArxiv, rss_feed
from tests.listrepo import REPO, list_repo
from tests.realdays import QUERY, as_arxiv, papers_of, pool
from tests.test_workflows import tool, zizmor
from watcher import listfile, onboarding
from watcher.cli import main
from watcher.config import ArxivSettings, parse_settings

SHA = "0123456789abcdef0123456789abcdef01234567"


# -- the pure decisions -------------------------------------------------------------------------


def test_the_list_is_readme_unless_another_file_holds_far_more_papers() -> None:
    c = onboarding.Candidate
    assert onboarding.choose_list([c("README.md", 40), c("docs/more.md", 70)]) == (
        c("README.md", 40),
        [c("docs/more.md", 70)],
    )
    assert onboarding.choose_list([c("README.md", 4), c("papers.md", 300), c("notes.md", 1)]) == (
        c("papers.md", 300),
        [c("README.md", 4)],
    )
    assert onboarding.choose_list([c("README.md", 2)]) == (None, [])  # too few to be a list


@pytest.mark.parametrize(
    ("url", "repo"),
    [
        ("https://github.com/ckyang1124/LALM-Evaluation-Survey.git", "ckyang1124/LALM-Evaluation-Survey"),
        ("https://token@github.com/a-b/c.d", "a-b/c.d"),
        ("git@github.com:owner/name.git", "owner/name"),
        ("ssh://git@github.com/owner/name/", "owner/name"),
        ("https://gitlab.com/owner/name.git", None),
        ("git@github.com:-bad/name.git", None),
        ("", None),
    ],
)
def test_the_repository_is_read_from_a_github_remote(url: str, repo: str | None) -> None:
    assert onboarding.repo_from_remote(url) == repo


def test_new_papers_go_where_the_list_puts_its_newest() -> None:
    rising = "## A\n" + "".join(
        f"- [A study of speech models, part {i}](https://arxiv.org/abs/2401.0000{i})\n" for i in range(1, 6)
    )
    falling = "## A\n" + "".join(
        f"- [A study of speech models, part {i}](https://arxiv.org/abs/2401.0000{i})\n" for i in range(5, 0, -1)
    )
    assert onboarding.infer_position(listfile.parse(rising)) == "bottom"
    assert onboarding.infer_position(listfile.parse(falling)) == "top"
    assert (
        onboarding.infer_position(
            listfile.parse("## A\n- [A study of speech models](https://arxiv.org/abs/2401.00001)\n")
        )
        == "top"
    )


def test_config_paths_are_relative_to_the_config_file() -> None:
    rel = onboarding.relative_to
    assert rel(PurePosixPath("README.md"), PurePosixPath(".watcher")) == "../README.md"
    assert rel(PurePosixPath("docs/list.md"), PurePosixPath("docs")) == "list.md"
    assert rel(PurePosixPath("README.md"), PurePosixPath(".")) == "README.md"


def test_the_written_config_says_what_was_learned_and_nothing_else(tmp_path: Path) -> None:
    choices = onboarding.ConfigChoices(
        list_path="README.md",
        list_file="../README.md",
        repo="owner/name",
        categories=("cs.SD", "eess.AS"),
        category_share=0.93,
        resolved=70,
        position="bottom",
        written_on=date(2026, 12, 1),
    )
    text = onboarding.render_config(choices)
    source = tmp_path / ".watcher" / "config.toml"
    s = parse_settings(text, source=source)
    assert s.arxiv.categories == ("cs.SD", "eess.AS")
    assert s.list.file.resolve() == (tmp_path / "README.md").resolve()
    assert (s.list.path, s.list.position, s.github.repo) == ("README.md", "bottom", "owner/name")
    assert s.classifier.model_dir.resolve() == (tmp_path / ".watcher" / "model").resolve()
    assert not s.classifier.embeddings and s.slack.mode == "off"
    assert "owner/name" in s.arxiv.user_agent and s.arxiv.api_url == ArxivSettings().api_url
    assert "93% of its 70 papers" in text and "2026-12-01" in text
    keys = [line.split(" = ")[0] for line in text.splitlines() if " = " in line and not line.startswith("#")]
    assert keys == ["categories", "user_agent", "file", "path", "position", "model_dir", "repo", "mode"]
    unknown = onboarding.render_config(
        onboarding.ConfigChoices("README.md", "../README.md", "", (), 0.0, 0, written_on=None)
    )
    assert "FILL IN: owner/name" in unknown and "No list entry was found on arXiv" in unknown
    assert parse_settings(unknown, source=source).arxiv.categories == ArxivSettings().categories


# -- the whole command --------------------------------------------------------------------------


def arxiv_records(readme: str) -> list[dict[str, Any]]:
    """What the loopback arXiv knows: every paper of the labelled days (with their own metadata),
    and each paper the list links to, with the metadata the shared data has for it (else its
    title as the list writes it, no abstract, in cs.SD: the fake's stand-in)."""
    known = {p["arxiv_id"]: p for p in pool()}
    for line in (SHARED / "seed-enriched.jsonl").read_text().splitlines():
        row = json.loads(line)
        if row.get("arxiv_id") and row.get("abstract"):
            known.setdefault(row["arxiv_id"], {**row, "published": "2024-01-02"})
    records = {p["arxiv_id"]: as_arxiv(p) for p in pool()}
    for entry in listfile.parse(readme).target_entries:
        for arxiv_id in entry.arxiv_ids:
            if arxiv_id in records:
                continue
            p = known.get(arxiv_id)
            records[arxiv_id] = {
                "arxiv_id": arxiv_id,
                "title": p["title"] if p else entry.title,
                "abstract": (p or {}).get("abstract") or "",
                "authors": ["A. Author"],
                "categories": (p or {}).get("categories") or ["cs.SD"],
                "submitted": datetime(2024, 1, 2, tzinfo=UTC),
            }
    return list(records.values())


def snapshot_files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts[:1] and "state" not in p.relative_to(root).parts
    }


@pytest.fixture(scope="module")
def arxiv() -> Any:
    with FakeArxiv() as server:
        yield server


def test_init_sets_up_a_real_list_and_its_first_dry_run_proposes_in_the_lists_style(
    tmp_path: Path, arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = list_repo(tmp_path)
    readme = (repo / "README.md").read_text(encoding="utf-8")
    arxiv.add_papers(arxiv_records(readme))
    # two days of submissions: the papers announced on 2025-05-21 and 2025-05-22
    argv = ["init", "--dir", str(repo), "--arxiv-api", arxiv.api_url, "--until", "2025-05-21", "--days", "2"]
    argv += ["--action-ref", SHA]

    assert main(argv) == 0
    out = capsys.readouterr().out
    # what it read, and the style it will write in
    assert "list: README.md" in out and "paper entries under" in out
    assert "(81 distinct papers: some are under several headings)" in out  # 119 entries, some papers twice
    sample = "[An Example Paper Title](https://arxiv.org/abs/2601.01234)"
    styles = [line.strip() for line in out.splitlines() if sample in line]
    assert len(styles) == 10 and all(line.startswith("|") and line.count("|") == 5 for line in styles)  # a row each
    assert "repository: ckyang1124/LALM-Evaluation-Survey" in out
    assert "resolved " in out and "categories worth watching: " in out
    assert "backtest over 2 announcement days" in out and "papers the maintainer added later" in out
    assert "next steps:" in out and "watcher run --dry-run --config .watcher/config.toml --list README.md" in out
    config = repo / ".watcher" / "config.toml"
    settings = parse_settings(config.read_text(), source=config)
    assert settings.github.repo == REPO and settings.list.path == "README.md"
    assert settings.list.file.resolve() == (repo / "README.md").resolve()
    assert "cs.SD" in settings.arxiv.categories and settings.arxiv.api_url == arxiv.api_url
    card = json.loads((repo / ".watcher" / "model" / "card.json").read_text())
    assert card["checks"]["passed"] and card["libraries"]["watcher"]
    assert (repo / ".watcher" / ".gitignore").read_text().strip().endswith("state/")

    # the workflow it wrote: pinned, pointing at the config, valid for GitHub and zizmor
    workflow = repo / ".github" / "workflows" / "watcher.yml"
    text = workflow.read_text()
    assert f"watcher-bot/watcher@{SHA}" in text and '"config": ".watcher/config.toml"' not in text
    assert 'config: ".watcher/config.toml"' in text
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        checked = subprocess.run(
            [tool("check-jsonschema"), "--builtin-schema", schema, str(workflow)], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    ran, findings = zizmor(workflow)
    assert findings == [] and ran.returncode == 0, findings

    # a second run changes nothing and asks arXiv nothing
    before, calls = snapshot_files(repo), len(arxiv.api_calls())
    assert main(argv) == 0
    again = capsys.readouterr().out
    assert snapshot_files(repo) == before and len(arxiv.api_calls()) == calls
    assert "model: kept the one in" in again and "kept .watcher/config.toml" in again

    # the first dry run, on a replayed day, with the config it wrote
    day = "2025-05-23"
    feed = tmp_path / "day.xml"
    feed.write_bytes(rss_feed([as_arxiv(p) for p in papers_of(day)], query=QUERY, day=date.fromisoformat(day)))
    run = ["run", "--dry-run", "--config", str(config), "--list", str(repo / "README.md"), "--feed", str(feed)]
    assert main([*run, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    github = report["preview"]["targets"]["github"]
    added = [line[1:] for line in github["diff"].splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert added, github
    # table rows of the list's own shape: year | authors | venue | linked title
    assert all(
        line.startswith("|") and line.rstrip().endswith("|") and "](https://arxiv.org/abs/" in line for line in added
    )
    assert all(line.count("|") == 5 for line in added)
    assert (repo / "README.md").read_text(encoding="utf-8") == readme  # a dry run writes nothing

    # --force retrains and rewrites
    assert main([*argv, "--force"]) == 0
    forced = capsys.readouterr().out
    assert "wrote .watcher/config.toml" in forced and "wrote .github/workflows/watcher.yml" in forced
    assert json.loads((repo / ".watcher" / "model" / "card.json").read_text())["model_id"] != card["model_id"]


def test_init_names_the_list_it_cannot_find(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text("# Notes\n\nNothing here.\n")
    assert main(["init", "--dir", str(tmp_path), "--no-enrich"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("watcher: error: ") and "no Markdown file with at least 3 paper entries" in err
    assert main(["init", "--dir", str(tmp_path), "--list", "missing.md"]) == 2
    assert "--list missing.md: no such file" in capsys.readouterr().err


def test_init_refuses_a_config_it_would_have_to_overwrite_broken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = list_repo(tmp_path)
    (repo / ".watcher").mkdir()
    (repo / ".watcher" / "config.toml").write_text("[arxiv]\nretries = -1\n")
    assert main(["init", "--dir", str(repo), "--no-enrich", "--papers", "/nonexistent"]) == 2
    err = capsys.readouterr().err.strip()
    assert "config.toml" in err and "arxiv.retries" in err and "--force" in err
    assert len(err.splitlines()) == 1
