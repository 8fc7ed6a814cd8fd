"""The state database: migrations, transactions, and clear errors for broken files."""

from __future__ import annotations

import sqlite3
import time
from datetime import date
from pathlib import Path

import pytest

from watcher.errors import StateError
from watcher.paper import Paper
from watcher.ports import Decision, Feedback, VenueOutcome, VenueUpdate
from watcher.state import MIGRATIONS, SCHEMA_VERSION, State

P1 = Paper(
    "2505.00001",
    "Speech LLM one",
    "abstract one",
    version=1,
    categories=("cs.CL",),
    announce_type="new",
    announced=date(2025, 5, 21),
)
P2 = Paper("2505.00002", "Another", "abstract two", version=2, announce_type="cross")


def test_new_database_is_at_the_latest_schema(tmp_path: Path) -> None:
    with State.open(tmp_path / "s" / "state.sqlite3") as state:
        assert state.schema_version == SCHEMA_VERSION == len(MIGRATIONS)


def test_an_old_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO papers (arxiv_id, title, first_seen, last_seen, decision) "
        "VALUES ('2401.00001', 'kept', 'x', 'x', 'proposed')"
    )
    db.commit()
    db.close()
    with State.open(path) as state:
        assert state.schema_version == SCHEMA_VERSION
        assert [(d.paper.title, d.paper.comment) for d in state.papers("proposed")] == [("kept", "")]


def test_targets_that_delivered_before_the_upgrade_keep_their_pending_papers(tmp_path: Path) -> None:
    """Schema 2 -> 3: a target with deliveries keeps everything pending for it; one that never
    delivered (Slack configured later) receives only what is proposed from its first run on."""
    path = tmp_path / "v2.sqlite3"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        db.executescript(script)
    db.execute("PRAGMA user_version = 2")
    for arxiv_id in ("2401.00001", "2401.00002"):
        db.execute(
            "INSERT INTO papers (arxiv_id, title, first_seen, last_seen, decision) "
            f"VALUES ('{arxiv_id}', 't', '2024-01-02T00:00:00+00:00', 'x', 'proposed')"
        )
    db.execute("INSERT INTO deliveries VALUES ('2401.00001', 'github', '1', 'x', NULL)")
    db.execute("INSERT INTO facts VALUES ('empty_digest:2024-01-02', '1700000000.000100')")
    db.commit()
    db.close()
    with State.open(path) as state:
        assert [d.paper.arxiv_id for d in state.pending("github")] == ["2401.00002"]
        assert state.pending("slack") == []  # never delivered to: nothing from the past is pending
        assert state.fact("empty_digest:slack:2024-01-02") == "1700000000.000100"
        with state.transaction() as tx:
            state.register_target(tx, "slack")
            state.record(tx, [Decision(P1, "proposed")])  # recorded after the registration
        assert [d.paper.arxiv_id for d in state.pending("slack")] == [P1.arxiv_id]
        assert [d.paper.arxiv_id for d in state.pending("github")] == ["2401.00002", P1.arxiv_id]


def test_venue_proposals_move_from_proposed_to_decided_once(tmp_path: Path) -> None:
    """Schema 3 -> 4 adds the venue table; a proposal becomes merged or rejected once, and what
    the pull requests show fills a lost state in."""
    path = tmp_path / "v3.sqlite3"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        db.executescript(script)
    db.execute("PRAGMA user_version = 3")
    db.commit()
    db.close()
    with State.open(path) as state:
        assert state.schema_version == SCHEMA_VERSION and state.venues() == {}
        with state.transaction() as tx:
            state.record_venue_proposals(tx, [VenueUpdate("2409.06666", "LLaMA-Omni", "ICLR 2025", "comment: x")], 7)
        assert state.venues() == {("2409.06666", "ICLR 2025"): "proposed"}
        outcomes = [
            VenueOutcome("2409.06666", "ICLR 2025", "rejected", 7),
            VenueOutcome("2410.00037", "ICASSP 2026", "proposed", 7, "Moshi"),  # known only to the PR
        ]
        with state.transaction() as tx:
            assert state.record_venue_outcomes(tx, outcomes) == 1
        with state.transaction() as tx:  # the next run sees the same: nothing new
            assert state.record_venue_outcomes(tx, outcomes) == 0
            assert state.record_venue_outcomes(tx, [VenueOutcome("2409.06666", "ICLR 2025", "merged", 7)]) == 0
        assert state.venues() == {("2409.06666", "ICLR 2025"): "rejected", ("2410.00037", "ICASSP 2026"): "proposed"}
        row = state.db.execute("SELECT title, source, pull_request, decided FROM venues WHERE status = 'rejected'")
        title, source, number, decided = row.fetchone()
        assert (title, source, number) == ("LLaMA-Omni", "comment: x", 7) and decided


def test_record_keeps_the_first_decision_and_tracks_deliveries(tmp_path: Path) -> None:
    with State.open(tmp_path / "s.sqlite3") as state:
        with state.transaction() as db:
            state.register_target(db, "github")
            state.record(
                db,
                [
                    Decision(P1, "proposed", 0.9, "multi-task", "NLP", {"multi-task": 0.7}),
                    Decision(P2, "below_threshold", 0.1),
                ],
            )
        with state.transaction() as db:
            state.record(db, [Decision(P1, "below_threshold", 0.2)])  # seen again: no change
        assert state.known(["2505.00001", "2505.00002", "2505.09999"]) == {
            "2505.00001": "proposed",
            "2505.00002": "below_threshold",
        }
        assert state.pending("slack") == []  # a target nobody registered has nothing pending
        with state.transaction() as db:  # registered after the papers were recorded: they are not its
            state.register_target(db, "slack")
        assert state.pending("slack") == []
        (pending,) = state.pending("github")
        assert pending.paper == P1 and pending.heading_scores == {"multi-task": 0.7}
        with state.transaction() as db:
            state.mark_delivered(db, ["2505.00001"], target="github", ref="7", run_id=None)
        assert state.pending("github") == []
        assert state.deliveries("github") == {"2505.00001": "7"}


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    with State.open(tmp_path / "s.sqlite3") as state:
        with pytest.raises(RuntimeError), state.transaction() as db:
            state.record(db, [Decision(P1, "proposed")])
            raise RuntimeError("killed mid-way")
        assert state.count_papers() == 0


def test_feedback_is_recorded_once(tmp_path: Path) -> None:
    with State.open(tmp_path / "s.sqlite3") as state:
        fb = Feedback("2505.00001", "accepted", "codec", "multi-task", 3, "t")
        with state.transaction() as db:
            assert state.record_feedback(db, [fb, fb]) == 1
        assert state.feedback() == [fb] and fb.corrected


def test_runs_are_recorded(tmp_path: Path) -> None:
    with State.open(tmp_path / "s.sqlite3") as state:
        run = state.start_run("run")
        state.finish_run(run, outcome="ok", counts={"fetched": 3}, announced=date(2025, 5, 21))
        (row,) = state.runs()
        assert row["outcome"] == "ok" and row["counts"] == '{"fetched": 3}' and row["announced"] == "2025-05-21"


def test_read_only_state_of_a_missing_file_is_empty_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none" / "s.sqlite3"
    with State.open(path, readonly=True) as state:
        assert state.known(["x"]) == {} and state.pending("slack") == []
    assert not path.exists() and not path.parent.exists()


def test_read_only_state_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    State.open(path).close()
    with State.open(path, readonly=True) as state, pytest.raises(StateError):
        state.start_run("run")


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\x00" * 50])
def test_corrupt_or_truncated_database_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(content)
    with pytest.raises(StateError) as err:
        State.open(path)
    assert err.value.message.startswith(f"state database {path} is corrupt (")
    assert path.read_bytes() == content  # nothing half-written


def test_truncated_real_database_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with State.open(path) as state, state.transaction() as db:
        state.record(
            db, [Decision(Paper(f"2505.{i:05d}", "t" * 200, "a" * 2000), "below_threshold") for i in range(200)]
        )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StateError, match="is corrupt"):
        State.open(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StateError, match="newer than this watcher understands"):
        State.open(path)


def test_a_database_in_use_is_not_called_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite3"
    State.open(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another watcher in the middle of a commit
    try:
        started = time.perf_counter()
        with pytest.raises(StateError, match="is in use by another watcher process"):
            State.open(path, busy_timeout=0.3)
        assert time.perf_counter() - started >= 0.3  # it waited for the other process first
    finally:
        other.execute("ROLLBACK")
        other.close()


KILLED_MID_TRANSACTION = """
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA cache_size = 10")
db.execute("BEGIN IMMEDIATE")
for i in range(3000):
    db.execute("INSERT INTO facts (key, value) VALUES (?, ?)", (f"k{i}", "x" * 200))
os._exit(9)
"""


def test_a_dry_run_after_a_killed_run_says_what_to_do_and_a_real_run_recovers(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "w.sqlite3"
    State.open(path).close()
    subprocess.run([sys.executable, "-c", KILLED_MID_TRANSACTION, str(path)], check=False)
    assert Path(f"{path}-journal").exists()  # the hot journal of the killed write
    with pytest.raises(StateError, match=r"unfinished write of a killed run.*run once without --dry-run"):
        State.open(path, readonly=True)
    with State.open(path) as state:  # a real run rolls the journal back
        assert state.fact("k1") is None
