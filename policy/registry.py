"""The opt-out registry and the audit log, in one SQLite database under EASEL_DATA_DIR.

Why SQLite with WAL: several processes (the app, `easel optout add` from a shell, an import job)
write at once. WAL lets readers carry on while one writer commits, `busy_timeout` makes writers
queue instead of failing, and every multi-row change (an import) is one transaction, so a process
killed half-way leaves the registry exactly as it was.

A running app must see new opt-outs without a restart. Triggers bump a counter in
`registry_version` on every change to `people` or `aliases`; the agent reads that one integer per
check (microseconds) and rebuilds its name index only when it moved.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from policy.normalize import name_key

SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    added_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS aliases (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    key TEXT NOT NULL,
    UNIQUE (person_id, key)
);
CREATE TABLE IF NOT EXISTS registry_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT OR IGNORE INTO registry_version (id, version) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS people_insert AFTER INSERT ON people
    BEGIN UPDATE registry_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS people_delete AFTER DELETE ON people
    BEGIN UPDATE registry_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS people_update AFTER UPDATE ON people
    BEGIN UPDATE registry_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS aliases_insert AFTER INSERT ON aliases
    BEGIN UPDATE registry_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS aliases_delete AFTER DELETE ON aliases
    BEGIN UPDATE registry_version SET version = version + 1 WHERE id = 1; END;
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    decision_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    prompt TEXT NOT NULL,
    context TEXT NOT NULL,
    is_edit INTEGER NOT NULL,
    source_prompt TEXT,
    user_age INTEGER,
    allowed INTEGER NOT NULL,
    category TEXT NOT NULL,
    reason TEXT NOT NULL,
    scores TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (created_at);
"""


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    aliases: tuple[str, ...]


def connect(db_path: Path | str) -> sqlite3.Connection:
    """A connection with the settings every user of the database needs."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a write transaction takes the
    # write lock up front instead of failing half-way on a lock upgrade.
    conn = sqlite3.connect(str(db_path), timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    _retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    # CREATE ... IF NOT EXISTS is idempotent; several processes may run it at once on a new file.
    _retry(lambda: conn.executescript(SCHEMA))
    return conn


def _retry(fn, attempts: int = 50):
    # busy_timeout covers most contention; schema creation under WAL start-up can still report
    # "database is locked" immediately, so retry briefly.
    for attempt in range(attempts):
        try:
            return fn()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


class _write:
    """`with _write(conn):` runs the block in one BEGIN IMMEDIATE ... COMMIT transaction."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        _retry(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
        return False


class OptOutRegistry:
    """People who asked not to be depicted, with their aliases. Thread-safe (one lock)."""

    def __init__(self, db_path: Path | str):
        self.db_path = Path(db_path)
        self._lock = threading.Lock()
        self.conn = connect(self.db_path)

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    # -- reads ---------------------------------------------------------------------------------

    def version(self) -> int:
        with self._lock:
            return self.conn.execute("SELECT version FROM registry_version WHERE id = 1").fetchone()[0]

    def people(self) -> list[Person]:
        with self._lock:
            rows = self.conn.execute("SELECT id, name FROM people ORDER BY name").fetchall()
            alias_rows = self.conn.execute("SELECT person_id, alias FROM aliases ORDER BY id").fetchall()
        aliases: dict[int, list[str]] = {}
        for person_id, alias in alias_rows:
            aliases.setdefault(person_id, []).append(alias)
        return [Person(pid, name, tuple(aliases.get(pid, ()))) for pid, name in rows]

    def snapshot(self) -> tuple[int, list[Person]]:
        """The version and the people, read in one transaction so they agree."""
        with self._lock:
            self.conn.execute("BEGIN")
            try:
                version = self.conn.execute("SELECT version FROM registry_version WHERE id = 1").fetchone()[0]
                rows = self.conn.execute("SELECT id, name FROM people").fetchall()
                alias_rows = self.conn.execute("SELECT person_id, alias FROM aliases").fetchall()
            finally:
                self.conn.execute("COMMIT")
        aliases: dict[int, list[str]] = {}
        for person_id, alias in alias_rows:
            aliases.setdefault(person_id, []).append(alias)
        return version, [Person(pid, name, tuple(aliases.get(pid, ()))) for pid, name in rows]

    # -- writes --------------------------------------------------------------------------------

    def add(self, name: str, aliases: list[str] | tuple[str, ...] = ()) -> int:
        """Register a person (or add aliases to one already registered); returns the person id."""
        with self._lock, _write(self.conn):
            return self._add_in_tx(name, aliases)

    def _add_in_tx(self, name: str, aliases) -> int:
        name = " ".join(name.split())
        key = name_key(name)
        if not key:
            raise ValueError(f"not a usable name: {name!r}")
        row = self.conn.execute("SELECT id FROM people WHERE key = ?", (key,)).fetchone()
        if row is None:
            person_id = self.conn.execute(
                "INSERT INTO people (name, key, added_at) VALUES (?, ?, ?)", (name, key, time.time())
            ).lastrowid
        else:
            person_id = row[0]
        for alias in aliases:
            alias = " ".join(alias.split())
            alias_key = name_key(alias)
            if alias_key and alias_key != key:
                self.conn.execute(
                    "INSERT OR IGNORE INTO aliases (person_id, alias, key) VALUES (?, ?, ?)",
                    (person_id, alias, alias_key),
                )
        return person_id

    def remove(self, name: str) -> bool:
        """Remove a person by name or alias; True when someone was removed."""
        key = name_key(name)
        with self._lock, _write(self.conn):
            row = self.conn.execute("SELECT id FROM people WHERE key = ?", (key,)).fetchone()
            if row is None:
                row = self.conn.execute("SELECT person_id FROM aliases WHERE key = ?", (key,)).fetchone()
            if row is None:
                return False
            self.conn.execute("DELETE FROM people WHERE id = ?", (row[0],))
            return True

    def import_entries(self, entries: dict[str, list[str]], replace: bool = False) -> int:
        """Add many people in ONE transaction: all of them or, if interrupted, none."""
        with self._lock, _write(self.conn):
            if replace:
                self.conn.execute("DELETE FROM people")
            for name, aliases in entries.items():
                self._add_in_tx(name, aliases or ())
        return len(entries)

    def import_file(self, path: Path | str, replace: bool = False) -> int:
        return self.import_entries(read_registry_file(path), replace=replace)

    def export(self) -> dict[str, list[str]]:
        return {person.name: list(person.aliases) for person in self.people()}

    # -- audit log -----------------------------------------------------------------------------

    def record(self, decision, request) -> None:
        with self._lock, _write(self.conn):
            self.conn.execute(
                "INSERT INTO audit_log (decision_id, created_at, prompt, context, is_edit, source_prompt,"
                " user_age, allowed, category, reason, scores) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    decision.decision_id, time.time(), request.prompt, json.dumps(list(request.context)),
                    int(request.is_edit), request.source_prompt, request.user_age, int(decision.allowed),
                    decision.category, decision.reason,
                    json.dumps({k: round(float(v), 4) for k, v in decision.scores.items()}),
                ),
            )

    def audit_entries(self, limit: int = 50) -> list[dict]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT decision_id, created_at, prompt, allowed, category, reason, scores, user_age, context"
                " FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        keys = ["decision_id", "created_at", "prompt", "allowed", "category", "reason", "scores", "user_age", "context"]
        entries = [dict(zip(keys, row)) for row in rows]
        for entry in entries:
            entry["allowed"] = bool(entry["allowed"])
            entry["scores"] = json.loads(entry["scores"])
            entry["context"] = json.loads(entry["context"])
        return entries


def read_registry_file(path: Path | str) -> dict[str, list[str]]:
    """`.txt`: one name a line ('#' comments allowed); `.json`: {name: [aliases]} or [names]."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        if isinstance(data, list):
            return {str(name): [] for name in data}
        return {str(name): [str(a) for a in (aliases or [])] for name, aliases in data.items()}
    entries: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            entries[line] = []
    return entries


def new_decision_id() -> str:
    return uuid.uuid4().hex[:16]
