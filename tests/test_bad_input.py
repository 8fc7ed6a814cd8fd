"""Bad input of every kind: hostile or huge feeds, broken files, configs that point nowhere.
Each is a clear one-line error with the right exit code and nothing half-written, or is handled."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sqlite3
import time
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EMPTY_FEED, ROOT, SEED_LIST
from tests.fakes.arxiv import rss_feed
from tests.realdays import QUERY, as_arxiv, days, feed_of, pool, write_config
from tests.world import World
from watcher import listfile
from watcher.cli import main
from watcher.errors import FeedError
from watcher.feeds import parse_feed

SPEECH = (
    "We build a speech language model: an LLM with an audio codec tokenizer for spoken dialogue, "
    "ASR and text-to-speech."
)


def paper(i: int, title: str, abstract: str = SPEECH) -> dict:
    return {
        "arxiv_id": f"2505.{90000 + i}",
        "title": title,
        "abstract": abstract,
        "authors": ["A"],
        "categories": ["cs.CL", "cs.SD"],
        "submitted": "2025-05-20T00:00:00Z",
    }


def feed(papers: list[dict]) -> bytes:
    return rss_feed(papers, query=QUERY, day=date(2025, 5, 21))


# -- feeds --------------------------------------------------------------------------------------


def test_a_day_of_2000_items_is_scored_in_reasonable_time(tmp_path: Path) -> None:
    papers = [as_arxiv(p) for p in pool()[:2000]]
    path = tmp_path / "big.xml"
    path.write_bytes(feed(papers))
    started = time.perf_counter()
    assert main(["run", "--dry-run", "--config", str(write_config(tmp_path)), "--feed", str(path), "--json"]) == 0
    assert time.perf_counter() - started < 120


def test_a_one_megabyte_abstract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = SPEECH + " " + "speech " * 150_000
    path = tmp_path / "huge.xml"
    path.write_bytes(feed([paper(1, "A Speech LLM With a Very Long Abstract", huge)]))
    assert len(path.read_bytes()) > 1_000_000
    assert main(["run", "--dry-run", "--json", "--config", str(write_config(tmp_path)), "--feed", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["scored"] == 1
    assert all(
        len(block["text"]["text"]) <= 3000
        for m in report["preview"]["targets"]["slack"]["messages"]
        for block in m["blocks"]
        if block["type"] == "section"
    )


def test_xml_bombs_do_not_expand() -> None:
    levels = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(2, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol1 "lol">{levels}]><rss version="2.0"><channel>'
        "<title>x</title><item><title>&lol9;</title><guid>oai:arXiv.org:2501.00001v1</guid></item>"
        "</channel></rss>"
    ).encode()
    tracemalloc.start()
    try:
        with pytest.raises(FeedError, match="malformed XML"):
            parse_feed(bomb, "bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000_000  # bytes; expanded, &lol9; alone would be 300 MB of "lol"


def test_external_entities_are_not_read() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0">'
        b"<channel><title>x</title><item><title>&x;</title><guid>oai:arXiv.org:2501.00001v1</guid></item>"
        b"</channel></rss>"
    )
    try:
        batch = parse_feed(xxe, "xxe")
    except FeedError:
        return
    assert all("root:" not in p.title for p in batch.papers)


def test_invalid_utf8_is_decoded_safely(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = feed([paper(1, "Speech LLM caf\u00e9")]).replace("caf\u00e9".encode(), b"caf\xff\xfe")
    assert [p.title for p in parse_feed(body, "bad").papers] == ["Speech LLM caf\u00ff\u00fe"]  # read as Latin-1
    path = tmp_path / "bad.xml"
    path.write_bytes(body)
    code = main(["run", "--dry-run", "--config", str(write_config(tmp_path)), "--feed", str(path)])
    assert code == 0 and "Traceback" not in capsys.readouterr().err


ODD_TITLES = [
    "On $\\mathcal{O}(n)$ Speech LLMs with $\\alpha$-Codecs",
    "\u0646\u0645\u0648\u0630\u062c \u0644\u063a\u0648\u064a \u0644\u0644\u0643\u0644\u0627\u0645: "
    "An Arabic Speech LLM",
    "Speech LLMs \U0001f3a4\U0001f916 for Everyone",
    "Zero\u200b\u200dWidth\u2060 Speech\ufeff LLM \u202eevil\u202c",
    "A Speech LLM\nTitle Broken\r\nAcross   Lines",
    "## Injected heading",
    "- fake entry [x](javascript:alert(1))",
    "<!-- swallow the rest of the list",
    "`code` ``` Speech LLM",
    "<!channel> <!here> <@U123> <https://evil.example|click> speech LLM",
]


def test_odd_and_hostile_titles_keep_the_list_valid_and_ping_no_one(world: World) -> None:
    world.serve(feed([paper(i, t) for i, t in enumerate(ODD_TITLES)]))
    assert world.run() == 0
    text = world.branch_list()
    doc = listfile.parse(text)
    seed = listfile.parse(SEED_LIST.read_text())
    assert doc.headings == seed.headings
    added = [e for e in doc.entries if any(i.startswith("2505.9") for i in e.arxiv_ids)]
    proposed = world.proposed()
    assert len(added) == len(proposed) == len(doc.entries) - len(seed.entries) == len(ODD_TITLES)
    for e in added:
        line = doc.lines[e.start]
        assert line.startswith("- ") and line.count("\n") == 1
        assert "\u202e" not in line and "\u200b" not in line and "<!--" not in line.replace("\\<", "")
    payload = json.dumps([m.payload for m in world.slack.messages], ensure_ascii=False)
    for needle in ("<!channel>", "<!here>", "<@U123>", "<https://evil"):
        assert needle not in payload
    world.check_exactly_once()


# -- files ----------------------------------------------------------------------------------------


def test_corrupt_state_database_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    db = tmp_path / "state" / "watcher.sqlite3"
    db.parent.mkdir()
    db.write_bytes(b"SQLite format 3\x00" + b"\x13" * 4000)
    assert main(["run", "--config", str(config), "--feed", str(EMPTY_FEED)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"watcher: error: state database {db} is corrupt (") and err.count("\n") == 1
    assert db.read_bytes() == b"SQLite format 3\x00" + b"\x13" * 4000  # untouched


def test_truncated_state_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    day = tmp_path / "day.xml"
    day.write_bytes(feed_of(days()[5]))
    assert main(["run", "--config", str(config), "--feed", str(day)]) == 0
    db = tmp_path / "state" / "watcher.sqlite3"
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 3])
    assert main(["run", "--config", str(config), "--feed", str(day)]) == 1
    assert "is corrupt" in capsys.readouterr().err


def _model_copy(tmp_path: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(ROOT / "models", target)
    return target


def run_with_model(tmp_path: Path, models: Path, **classifier: Any) -> tuple[int, str]:
    config = write_config(tmp_path, model_dir=models, classifier=classifier)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["run", "--config", str(config), "--feed", str(EMPTY_FEED)])
    return code, err.getvalue()


def test_corrupt_model_is_refused(tmp_path: Path) -> None:
    models = _model_copy(tmp_path)
    data = (models / "model.npz").read_bytes()
    (models / "model.npz").write_bytes(data[: len(data) // 2])
    code, err = run_with_model(tmp_path, models)
    assert code == 1 and f"{models / 'model.npz'} is corrupt (sha256 differs from the card)" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_foreign_model_is_refused(tmp_path: Path) -> None:
    models = _model_copy(tmp_path)
    card = json.loads((models / "card.json").read_text())
    card["libraries"]["scikit-learn"] = "1.4.2"
    (models / "card.json").write_text(json.dumps(card))
    code, err = run_with_model(tmp_path, models)
    assert code == 1 and "was built with scikit-learn 1.4.2" in err


def test_stale_model_retrains_or_is_refused(tmp_path: Path) -> None:
    models = _model_copy(tmp_path)
    card = json.loads((models / "card.json").read_text())
    card["list_fingerprint"] = "0000000000000000"  # trained on another list
    (models / "card.json").write_text(json.dumps(card))
    code, err = run_with_model(tmp_path, models)  # retrain on (the default): retrain beside the state
    assert code == 0, err
    assert (tmp_path / "state" / "model" / "card.json").exists()
    shutil.rmtree(tmp_path / "state")
    code, err = run_with_model(tmp_path, models, retrain=False)  # off: a clear refusal
    assert code == 1 and "is stale (the list changed since it was trained) and classifier.retrain is off" in err
    assert not (tmp_path / "state" / "model").exists()


def test_a_model_that_failed_its_training_checks_is_refused(tmp_path: Path) -> None:
    models = _model_copy(tmp_path)
    card = json.loads((models / "card.json").read_text())
    card["checks"] = {"passed": False, "errors": ["the model gives (nearly) every paper the same score"]}
    (models / "card.json").write_text(json.dumps(card))
    code, err = run_with_model(tmp_path, models)
    assert code == 1 and err.strip() == (
        f"watcher: error: load model: {models} failed its training checks (the model gives (nearly) every "
        "paper the same score): retrain with `watcher train`"
    )


def test_missing_model_directory(tmp_path: Path) -> None:
    code, err = run_with_model(tmp_path, tmp_path / "nowhere")
    assert code == 1 and "no model in" in err and "watcher train" in err


# -- config ---------------------------------------------------------------------------------------


def test_config_pointing_at_a_missing_heading_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, list={"headings": ["codec", "speech"]})
    assert main(["run", "--config", str(config), "--feed", str(EMPTY_FEED)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("watcher: error: list.headings: 'speech' is not a heading of the list")
    assert err.count("\n") == 1


def test_config_pointing_at_a_missing_list_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, list={"file": tmp_path / "no.md"})
    assert main(["run", "--config", str(config), "--feed", str(EMPTY_FEED)]) == 2
    assert capsys.readouterr().err.startswith(f"watcher: error: list.file: cannot read the list {tmp_path / 'no.md'}")


def test_database_written_by_a_run_opens_with_plain_sqlite(tmp_path: Path) -> None:
    day = tmp_path / "day.xml"
    day.write_bytes(feed_of(days()[5]))
    assert main(["run", "--config", str(write_config(tmp_path)), "--feed", str(day)]) == 0
    db = sqlite3.connect(tmp_path / "state" / "watcher.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT count(*) FROM runs WHERE outcome = 'ok'").fetchone() == (1,)
