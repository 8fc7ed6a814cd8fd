"""`watcher train`, `score`, `eval` and `enrich` on the real files, through the CLI."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHARED
from tests.fakes.arxiv import FakeArxiv
from tests.realdays import days, pool, write_config
from watcher.cli import main

SEED = [json.loads(x) for x in (SHARED / "seed-enriched.jsonl").read_text().splitlines()]


def jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_train_score_eval_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, embeddings=False)
    background = jsonl(tmp_path / "bg.jsonl", [p for p in pool() if p["published"] in days()[:3]])
    feedback = jsonl(tmp_path / "fb.jsonl", [p for p in pool() if p["published"] in days()[3:6]])
    out = tmp_path / "model"
    assert (
        main(
            [
                "train",
                "--config",
                str(config),
                "--list",
                str(ROOT / "models" / "seed-list.md"),
                "--metadata",
                str(SHARED / "seed-enriched.jsonl"),
                "--background",
                str(background),
                "--feedback",
                str(feedback),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert f"written to {out}" in printed and "124 list entries" in printed
    card = json.loads((out / "card.json").read_text())
    assert card["training_counts"]["accepted"] > 10 and card["cross_validation"]["calibration"] == "reviewed"
    assert card["libraries"]["scikit-learn"] and card["list_fingerprint"]
    assert card["threshold"]["relevance"] < 0.8  # the papers above it average the target precision
    assert card["profile"]["source"] == "learned" and card["profile"]["facets"]  # no [profile] in this config
    assert set(card["files"]) == {"model.npz", "training.npz"}

    day = max(
        days()[6:],
        key=lambda d: sum(
            p["published"] == d and p["label"] == "relevant" and p.get("announce_guess") != "replacement"
            for p in pool()
        ),
    )
    later = jsonl(tmp_path / "later.jsonl", [p for p in pool() if p["published"] == day])
    scores = tmp_path / "scores.jsonl"
    assert (
        main(["score", "--config", str(config), "--model", str(out), "--input", str(later), "--output", str(scores)])
        == 0
    )
    rows = [json.loads(x) for x in scores.read_text().splitlines()]
    assert len(rows) == len(later.read_text().splitlines())
    assert set(rows[0]) == {"arxiv_id", "relevance", "selected", "heading", "runner_up", "heading_scores", "reasons"}
    assert all(0 <= r["relevance"] <= 1 for r in rows)

    capsys.readouterr()
    assert main(["eval", "--config", str(config), "--model", str(out), "--input", str(later), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    head = metrics["headline"]
    assert head["relevant"] > 3 and head["average_precision"] > 0.6
    assert 0 <= head["recall_at_precision_0.8"] <= 1 and head["heading_top1"] is not None
    assert metrics["uncertain_as_relevant"]["relevant"] >= head["relevant"]
    assert main(["eval", "--config", str(config), "--model", str(out), "--input", str(later)]) == 0
    text = capsys.readouterr().out
    assert "average precision" in text and "recall at precision 0.8" in text and "heading accuracy" in text


def test_bad_paper_files_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"arxiv_id": "1", "title": "ok"}\n{"title": 5}\n')
    assert (
        main(
            [
                "score",
                "--config",
                str(write_config(tmp_path)),
                "--input",
                str(bad),
                "--output",
                str(tmp_path / "o.jsonl"),
            ]
        )
        == 2
    )
    assert capsys.readouterr().err == f'watcher: error: {bad}:2: expected a JSON object with a non-empty "title"\n'
    assert not (tmp_path / "o.jsonl").exists()


def api_record(s: dict) -> dict:
    return {
        "arxiv_id": s["arxiv_id"],
        "title": s["title"],
        "abstract": s.get("abstract") or "abstract",
        "authors": ["A. Author"],
        "categories": s.get("categories") or ["cs.CL"],
        "submitted": datetime(2025, 1, 1, tzinfo=UTC),
    }


def test_enrich_resolves_titles_once_and_reports_the_rest(
    tmp_path: Path, fake_arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    known = [s for s in SEED if s["arxiv_id"]][:6]
    for s in known:
        fake_arxiv.add_paper(api_record(s))
    # a decoy with a similar title must not be taken for a list entry
    fake_arxiv.add_paper(api_record({"arxiv_id": "2501.99999", "title": known[0]["title"] + " Revisited: A Study"}))
    listfile = tmp_path / "list.md"
    listfile.write_text(
        "## multi-task\n"
        + "".join(f"- {s['title'].upper()}\n" for s in known)
        + "- A Paper That arXiv Does Not Have At All\n"
        + f"- Linked entry\n  - [arXiv](https://arxiv.org/abs/{known[1]['arxiv_id']})\n"
    )
    config = write_config(tmp_path, api_url=fake_arxiv.api_url, arxiv={"api_delay": 0.3})
    out = tmp_path / "resolved.jsonl"
    assert main(["enrich", "--config", str(config), "--list", str(listfile), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"resolved {len(known) + 1} of {len(known) + 2} list entries")
    assert "not found on arXiv: [multi-task] A Paper That arXiv Does Not Have At All" in printed
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["arxiv_id"] for r in rows[: len(known)]] == [s["arxiv_id"] for s in known]
    assert rows[-1]["arxiv_id"] == known[1]["arxiv_id"]  # found through its link, by id
    calls = fake_arxiv.api_calls()
    # paced 0.3 s apart (as seen by the server, whose arrival times jitter by a few milliseconds)
    assert min(b.time - a.time for a, b in itertools.pairwise(calls)) >= 0.27
    n = len(calls)
    assert main(["enrich", "--config", str(config), "--list", str(listfile)]) == 0
    assert len(fake_arxiv.api_calls()) == n  # everything came from the cache


def test_train_refuses_a_model_that_cannot_tell_the_list_from_the_background(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A "list" of thirty random papers of the watched categories: nothing sets it apart, and
    training says so instead of writing a model with good-looking figures."""
    irrelevant = [p for p in pool() if p["label"] == "irrelevant" and p["published"] in days()[:4]]
    listed = tmp_path / "list.md"
    listed.write_text(
        "## a\n"
        + "".join(f"- {p['title']}\n" for p in irrelevant[:15])
        + "## b\n"
        + "".join(f"- {p['title']}\n" for p in irrelevant[15:30])
    )
    metadata = jsonl(tmp_path / "meta.jsonl", irrelevant[:30])
    background = jsonl(tmp_path / "bg.jsonl", irrelevant[30:])
    out = tmp_path / "model"
    config = write_config(tmp_path, embeddings=False)
    code = main(
        [
            "train",
            "--config",
            str(config),
            "--list",
            str(listed),
            "--metadata",
            str(metadata),
            "--background",
            str(background),
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1, err
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith(
            "watcher: error: training check failed, no model written: the model cannot tell held-out list entries "
            "from background papers"
        )
    )
    assert not out.exists()


def test_enrich_fetches_linked_entries_a_page_of_ids_at_a_time_and_suggests_categories(
    tmp_path: Path, fake_arxiv: FakeArxiv, capsys: pytest.CaptureFixture[str]
) -> None:
    linked = [p for p in pool() if p["label"] == "relevant"][:5]
    for p in linked:
        fake_arxiv.add_paper(api_record(p))
    listed = tmp_path / "list.md"
    listed.write_text(
        "## a\n"
        + "".join(f"- [{p['title']}](https://arxiv.org/pdf/{p['arxiv_id']}v2)\n" for p in linked)
        # a link to a paper arXiv does not have: looked up by its title instead
        + f"- [{linked[0]['title']} (a second entry)](https://arxiv.org/abs/2599.99999)\n"
    )
    config = write_config(tmp_path, api_url=fake_arxiv.api_url, arxiv={"api_page_size": 2})
    assert main(["enrich", "--config", str(config), "--list", str(listed)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("resolved 5 of 6 list entries (5 by their arXiv link, 0 by title)")
    queries = [c.query for c in fake_arxiv.api_calls()]
    by_id = [q for q in queries if "id_list" in q]
    # 6 distinct ids two per request; arXiv refuses the malformed one, the rest of its batch is asked again
    assert [len(q["id_list"].split(",")) for q in by_id] == [2, 2, 2, 1]
    assert sum("search_query" in q for q in queries) == 1  # the dead link, by title
    cats = {c for p in linked for c in p["categories"]}
    line = next(x for x in printed.splitlines() if x.startswith("categories worth watching: "))
    assert set(line.split(": ", 1)[1].split(" (")[0].split(", ")) <= cats
