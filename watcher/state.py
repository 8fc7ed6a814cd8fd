"""The local state database (SQLite): papers seen, decisions, runs. All of its I/O is here.

Every write happens inside one transaction, and SQLite's rollback journal makes each
transaction all-or-nothing, so a run killed at any point leaves a database the next run opens.
The schema carries its version in `PRAGMA user_version`; `MIGRATIONS[i]` takes version i to
i + 1 and runs in the same transaction as the version bump.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .errors import StateError
from .paper import Paper
from .ports import Decision, Feedback, VenueOutcome, VenueUpdate

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: papers seen, runs, small key-value facts (feed ETag, last announcement day).
    """
    CREATE TABLE papers (
        arxiv_id       TEXT PRIMARY KEY,
        version        INTEGER,
        title          TEXT NOT NULL,
        abstract       TEXT NOT NULL DEFAULT '',
        authors        TEXT NOT NULL DEFAULT '',
        categories     TEXT NOT NULL DEFAULT '[]',
        announce_type  TEXT NOT NULL DEFAULT '',
        announced      TEXT,
        link           TEXT NOT NULL DEFAULT '',
        first_seen     TEXT NOT NULL,
        last_seen      TEXT NOT NULL,
        decision       TEXT NOT NULL,
        relevance      REAL,
        heading        TEXT,
        runner_up      TEXT,
        heading_scores TEXT,
        reasons        TEXT,
        model          TEXT
    );
    CREATE INDEX papers_decision ON papers (decision);
    CREATE TABLE runs (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        started   TEXT NOT NULL,
        finished  TEXT,
        outcome   TEXT NOT NULL DEFAULT 'running',
        command   TEXT NOT NULL DEFAULT 'run',
        announced TEXT,
        counts    TEXT NOT NULL DEFAULT '{}',
        error     TEXT
    );
    CREATE TABLE facts (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 1 -> 2: what was delivered where, and what reviewers decided about proposals.
    """
    CREATE TABLE deliveries (
        arxiv_id  TEXT NOT NULL REFERENCES papers (arxiv_id),
        target    TEXT NOT NULL,
        ref       TEXT NOT NULL,
        delivered TEXT NOT NULL,
        run_id    INTEGER,
        PRIMARY KEY (arxiv_id, target)
    );
    CREATE TABLE feedback (
        arxiv_id         TEXT PRIMARY KEY,
        outcome          TEXT NOT NULL,
        heading          TEXT,
        proposed_heading TEXT,
        pull_request     INTEGER,
        title            TEXT NOT NULL DEFAULT '',
        recorded         TEXT NOT NULL
    );
    """,
    # 2 -> 3: delivery targets are a list. Each is registered with the first paper recorded after
    # it was first used (a row number: runs a second apart stay apart), so a target enabled later
    # receives what is proposed from then on, not the whole history; the targets that already
    # delivered keep everything. Papers keep arXiv's comment, journal reference and DOI. The "no
    # new papers" fact is kept per target.
    """
    CREATE TABLE targets (
        name        TEXT PRIMARY KEY,
        first_paper INTEGER NOT NULL
    );
    INSERT INTO targets (name, first_paper) SELECT DISTINCT target, 0 FROM deliveries;
    ALTER TABLE papers ADD COLUMN comment TEXT NOT NULL DEFAULT '';
    ALTER TABLE papers ADD COLUMN journal_ref TEXT NOT NULL DEFAULT '';
    ALTER TABLE papers ADD COLUMN doi TEXT NOT NULL DEFAULT '';
    UPDATE facts SET key = 'empty_digest:slack:' || substr(key, 14) WHERE key LIKE 'empty_digest:%'
    """,
    # 3 -> 4: venues proposed for papers already on the list, and what became of them (proposed,
    # merged, or rejected: the line was deleted from the bot's branch or the pull request closed).
    # The time of the last completed weekly check is the fact "venues:checked".
    """
    CREATE TABLE venues (
        arxiv_id     TEXT NOT NULL,
        venue        TEXT NOT NULL,
        status       TEXT NOT NULL,
        title        TEXT NOT NULL DEFAULT '',
        source       TEXT NOT NULL DEFAULT '',
        pull_request INTEGER,
        proposed     TEXT NOT NULL,
        decided      TEXT,
        PRIMARY KEY (arxiv_id, venue)
    )
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

# What the bot decided about a paper. "proposed" papers are the ones delivered to people.
DECISIONS = ("listed", "below_threshold", "proposed", "ignored")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _not_corrupt(where: str, exc: sqlite3.DatabaseError) -> StateError | None:
    """The errors that look like corruption but are not: a lock, or a killed run's journal."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StateError(f"{where} is in use by another watcher process ({exc}); run again when it has finished")
    if "readonly" in text or "read-only" in text or "attempt to write" in text:
        return StateError(
            f"{where} holds the unfinished write of a killed run, which a dry run cannot "
            "roll back: run once without --dry-run"
        )
    return None


class State:
    """One open state database. Use `State.open(path)`; close it when done."""

    def __init__(self, db: sqlite3.Connection, path: Path | None, readonly: bool) -> None:
        self.db = db
        self.path = path
        self.readonly = readonly

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, readonly: bool = False, busy_timeout: float = 5.0) -> State:
        """Open (creating and migrating as needed) the database at `path`.

        Read-only opening (dry runs) never creates or changes anything; a missing file reads
        as an empty state. Another process holding the database is waited for `busy_timeout`
        seconds, then named as such.
        """
        if readonly and not path.exists():
            return cls.memory()
        try:
            if readonly:
                db = sqlite3.connect(
                    f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, timeout=busy_timeout
                )
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout)
        except (sqlite3.Error, OSError) as exc:
            raise StateError(f"state database {path}: cannot open ({exc})") from None
        state = cls(db, path, readonly)
        state._prepare()
        return state

    @classmethod
    def memory(cls) -> State:
        state = cls(sqlite3.connect(":memory:", isolation_level=None), None, False)
        state._prepare()
        return state

    def _prepare(self) -> None:
        where = f"state database {self.path}" if self.path else "state database"
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            if not self.readonly:
                self.db.execute("PRAGMA synchronous = FULL")
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            check = self.db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise _not_corrupt(where, exc) or StateError(
                f"{where} is corrupt ({exc}); move it aside and run again: the bot reconciles from the list and GitHub"
            ) from None
        if check != "ok":
            self.db.close()
            raise StateError(f"{where} is corrupt (integrity check: {check}); move it aside and run again")
        if version > SCHEMA_VERSION:
            self.db.close()
            raise StateError(
                f"{where} has schema version {version}, newer than this watcher "
                f"understands ({SCHEMA_VERSION}); upgrade watcher"
            )
        if version < SCHEMA_VERSION:
            if self.readonly:
                return  # a dry run reads what is there; missing tables read as empty
            self._migrate(version)

    def _migrate(self, version: int) -> None:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                for statement in _statements(MIGRATIONS[target - 1]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {target}")

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; ROLLBACK on any exception."""
        if self.readonly:
            raise StateError("state database opened read-only (dry run) cannot be written")
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _not_corrupt("state database", exc) or StateError(f"state database: {exc}") from None
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _has_table(self, name: str) -> bool:
        row = self.db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone()
        return row is not None

    # -- facts ---------------------------------------------------------------------------

    def fact(self, key: str) -> str | None:
        if not self._has_table("facts"):
            return None
        row = self.db.execute("SELECT value FROM facts WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_fact(self, db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute(
            "INSERT INTO facts (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- papers --------------------------------------------------------------------------

    def known(self, arxiv_ids: Iterable[str]) -> dict[str, str]:
        """Decision per id for the ids already recorded."""
        if not self._has_table("papers"):
            return {}
        ids = list(arxiv_ids)
        found: dict[str, str] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for arxiv_id, decision in self.db.execute(
                f"SELECT arxiv_id, decision FROM papers WHERE arxiv_id IN ({marks})", chunk
            ):
                found[arxiv_id] = decision
        return found

    def record(self, db: sqlite3.Connection, decisions: Sequence[Decision]) -> None:
        """Insert new papers with their decision; a paper seen before keeps its first decision."""
        now = _now()
        for d in decisions:
            p = d.paper
            db.execute(
                """
                INSERT INTO papers (arxiv_id, version, title, abstract, authors, categories,
                    announce_type, announced, link, comment, journal_ref, doi, first_seen, last_seen,
                    decision, relevance, heading, runner_up, heading_scores, reasons, model)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (arxiv_id) DO UPDATE SET last_seen = excluded.last_seen,
                    version = max(coalesce(papers.version, 0), coalesce(excluded.version, 0))
                """,
                (
                    p.arxiv_id,
                    p.version,
                    p.title,
                    p.abstract,
                    p.authors,
                    json.dumps(list(p.categories)),
                    p.announce_type,
                    p.announced.isoformat() if p.announced else None,
                    p.link,
                    p.comment,
                    p.journal_ref,
                    p.doi,
                    now,
                    now,
                    d.decision,
                    d.relevance,
                    d.heading,
                    d.runner_up,
                    json.dumps(d.heading_scores) if d.heading_scores is not None else None,
                    json.dumps(d.reasons) if d.reasons is not None else None,
                    d.model,
                ),
            )

    def papers(self, decision: str | None = None) -> list[Decision]:
        if not self._has_table("papers"):
            return []
        sql = "SELECT * FROM papers" + (" WHERE decision = ?" if decision else "") + " ORDER BY arxiv_id"
        cur = self.db.execute(sql, (decision,) if decision else ())
        names = [c[0] for c in cur.description]
        return [_decision(dict(zip(names, row, strict=True))) for row in cur]

    def count_papers(self) -> int:
        if not self._has_table("papers"):
            return 0
        return int(self.db.execute("SELECT count(*) FROM papers").fetchone()[0])

    # -- deliveries ----------------------------------------------------------------------

    def target_since(self, target: str) -> int | None:
        """The first paper (row) `target` may receive (0: every one); None if it was never used."""
        if not self._has_table("targets"):
            return 0 if target in self._delivered_targets() else None
        row = self.db.execute("SELECT first_paper FROM targets WHERE name = ?", (target,)).fetchone()
        return None if row is None else int(row[0])

    def _delivered_targets(self) -> set[str]:
        if not self._has_table("deliveries"):
            return set()
        return {r[0] for r in self.db.execute("SELECT DISTINCT target FROM deliveries")}

    def register_target(self, db: sqlite3.Connection, target: str) -> None:
        """From now on, `target` receives the papers recorded after this call (kept if registered)."""
        db.execute(
            # "WHERE true": SQLite would read ON CONFLICT as a join's ON without it
            "INSERT INTO targets (name, first_paper) SELECT ?, coalesce(max(rowid), 0) + 1 FROM papers "
            "WHERE true ON CONFLICT (name) DO NOTHING",
            (target,),
        )

    def pending(self, target: str) -> list[Decision]:
        """Proposed papers not yet delivered to `target`, oldest first: those proposed since the
        target was registered (a target never registered has nothing pending yet)."""
        since = self.target_since(target)
        if since is None:
            return []
        cur = self.db.execute(
            "SELECT p.* FROM papers p WHERE p.decision = 'proposed' AND p.rowid >= ? AND NOT EXISTS "
            "(SELECT 1 FROM deliveries d WHERE d.arxiv_id = p.arxiv_id AND d.target = ?) "
            "ORDER BY p.first_seen, p.arxiv_id",
            (since, target),
        )
        names = [c[0] for c in cur.description]
        return [_decision(dict(zip(names, row, strict=True))) for row in cur]

    def mark_delivered(
        self, db: sqlite3.Connection, arxiv_ids: Iterable[str], *, target: str, ref: str, run_id: int | None
    ) -> None:
        now = _now()
        db.executemany(
            "INSERT INTO deliveries (arxiv_id, target, ref, delivered, run_id) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (arxiv_id, target) DO NOTHING",
            [(i, target, ref, now, run_id) for i in arxiv_ids],
        )

    def deliveries(self, target: str) -> dict[str, str]:
        """arxiv_id -> ref (Slack ts, pull request number) for everything delivered to `target`."""
        if not self._has_table("deliveries"):
            return {}
        rows = self.db.execute("SELECT arxiv_id, ref FROM deliveries WHERE target = ?", (target,))
        return dict(rows.fetchall())

    # -- review feedback -----------------------------------------------------------------

    def record_feedback(self, db: sqlite3.Connection, items: Iterable[Feedback]) -> int:
        """Store review outcomes; an outcome already stored for a paper is kept. Returns new ones."""
        added = 0
        for f in items:
            cur = db.execute(
                "INSERT INTO feedback (arxiv_id, outcome, heading, proposed_heading, pull_request, title, "
                "recorded) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arxiv_id) DO NOTHING",
                (f.arxiv_id, f.outcome, f.heading, f.proposed_heading, f.pull_request, f.title, _now()),
            )
            added += cur.rowcount
        return added

    def feedback(self) -> list[Feedback]:
        if not self._has_table("feedback"):
            return []
        rows = self.db.execute(
            "SELECT arxiv_id, outcome, heading, proposed_heading, pull_request, title FROM feedback ORDER BY arxiv_id"
        )
        return [Feedback(*row) for row in rows]

    # -- venue updates -------------------------------------------------------------------

    def venues(self) -> dict[tuple[str, str], str]:
        """(arXiv id, venue) -> proposed / merged / rejected, for every venue ever proposed."""
        if not self._has_table("venues"):
            return {}
        return {(i, v): s for i, v, s in self.db.execute("SELECT arxiv_id, venue, status FROM venues")}

    def record_venue_proposals(
        self, db: sqlite3.Connection, updates: Iterable[VenueUpdate], pull_request: int | None
    ) -> None:
        now = _now()
        db.executemany(
            "INSERT INTO venues (arxiv_id, venue, status, title, source, pull_request, proposed) "
            "VALUES (?, ?, 'proposed', ?, ?, ?, ?) ON CONFLICT (arxiv_id, venue) DO NOTHING",
            [(u.arxiv_id, u.venue, u.title, u.source, pull_request, now) for u in updates],
        )

    def record_venue_outcomes(self, db: sqlite3.Connection, outcomes: Iterable[VenueOutcome]) -> int:
        """Store what the pull requests show: a proposal not known yet is added (a lost state is
        rebuilt from them); a proposed one becomes merged or rejected; a decided one stays as it
        is. Returns the number of decisions newly recorded."""
        now = _now()
        decided = 0
        for o in outcomes:
            db.execute(
                "INSERT INTO venues (arxiv_id, venue, status, title, source, pull_request, proposed) "
                "VALUES (?, ?, 'proposed', ?, ?, ?, ?) ON CONFLICT (arxiv_id, venue) DO NOTHING",
                (o.arxiv_id, o.venue, o.title, o.source, o.pull_request, now),
            )
            if o.outcome != "proposed":
                cur = db.execute(
                    "UPDATE venues SET status = ?, decided = ?, pull_request = coalesce(?, pull_request) "
                    "WHERE arxiv_id = ? AND venue = ? AND status = 'proposed'",
                    (o.outcome, now, o.pull_request, o.arxiv_id, o.venue),
                )
                decided += cur.rowcount
        return decided

    # -- runs ----------------------------------------------------------------------------

    def start_run(self, command: str) -> int:
        with self.transaction() as db:
            cur = db.execute("INSERT INTO runs (started, command) VALUES (?, ?)", (_now(), command))
            return int(cur.lastrowid or 0)

    def finish_run(
        self, run_id: int, *, outcome: str, counts: dict[str, Any], announced: date | None, error: str | None = None
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished = ?, outcome = ?, counts = ?, announced = ?, error = ? WHERE id = ?",
                (
                    _now(),
                    outcome,
                    json.dumps(counts, sort_keys=True),
                    announced.isoformat() if announced else None,
                    error,
                    run_id,
                ),
            )

    def runs(self) -> list[dict[str, Any]]:
        if not self._has_table("runs"):
            return []
        cur = self.db.execute("SELECT * FROM runs ORDER BY id")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]


def _decision(row: dict[str, Any]) -> Decision:
    paper = Paper(
        arxiv_id=row["arxiv_id"],
        title=row["title"],
        abstract=row["abstract"],
        version=row["version"],
        authors=row["authors"],
        categories=tuple(json.loads(row["categories"])),
        announce_type=row["announce_type"],
        announced=date.fromisoformat(row["announced"]) if row["announced"] else None,
        link=row["link"],
        comment=row.get("comment") or "",  # older databases, read by a dry run, lack these
        journal_ref=row.get("journal_ref") or "",
        doi=row.get("doi") or "",
    )
    return Decision(
        paper=paper,
        decision=row["decision"],
        relevance=row["relevance"],
        heading=row["heading"],
        runner_up=row["runner_up"],
        heading_scores=json.loads(row["heading_scores"]) if row["heading_scores"] else None,
        reasons=json.loads(row["reasons"]) if row["reasons"] else None,
        model=row["model"],
    )


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
