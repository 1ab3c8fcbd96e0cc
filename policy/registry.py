"""The opt-out registry and the audit log, in one database: by default a SQLite file under
EASEL_DATA_DIR, or a PostgreSQL server shared by several replicas (`EASEL_DATABASE_URL`; the
engines, the URL and the migrations are `policy/database.py`'s). Every statement below runs
through SQLAlchemy, written once for both (`?` placeholders, `ON CONFLICT DO NOTHING`,
`RETURNING`).

Why SQLite with WAL: several processes (the app, `easel optout add` from a shell, an import job)
write at once. WAL lets readers carry on while one writer commits, a bounded busy timeout makes a
writer queue for a moment instead of failing at once, and every multi-row change (an import) is
one transaction, so a process killed half-way leaves the registry exactly as it was.

A running app must see new opt-outs without a restart. Triggers bump a counter in
`registry_version` on every change to `people`, `aliases` or `descriptions`; the agent reads that
one integer per check (microseconds; a fraction of a millisecond from a server) and updates its
name index only when it moved. With several replicas on one server, each sees a change made on
another at its next check.

Beside its aliases, a person may have descriptions: short phrases people use for them ("the actor
who played X in Y", "the singer of <song>"), which the agent compares with requests by meaning
(`policy/descriptions.py`). An alias that cannot be matched safely (too short, a common word after
folding, one-letter words) is refused with a message that says why (`policy.names.alias_problem`).

Schema versions are Alembic revisions (`policy/migrations/`, `easel db upgrade`); on SQLite the
first process that opens an older file runs them, in one transaction. Before them, `PRAGMA
user_version` said: 1, people, aliases and the audit log; 2, descriptions, and the keys of
names in other scripts recomputed (they used to fold to the few letters that look Latin); 3, the
audit log's `outcome` (rows from before it have none); 4, `picture_records`, a perceptual hash of
every picture made, keyed to its audit row (`easel verify`; rows from before it are kept).

An audit row is written when the decision is made, before any picture; what came of it is set on
the row once known (`set_outcome`): "delivered" (the picture was saved and handed back), "failed"
(the image model or the disk failed), "interrupted" (Stop), "refused" (set with the row). An
allowed row left without an outcome means the process stopped in between: it is shown as "no
outcome recorded", never as a picture that was made.

Faults, and what the registry does about them (the policy gate fails closed on every one):

- Busy: another writer holds the lock (a long import). Every operation waits at most
  `busy_timeout` seconds (default 2) in all, then raises `DatabaseBusy`; nothing queues for
  minutes.
- Damaged: a connection keeps using its cached pages after the file was broken underneath it, so
  the file is looked at again whenever it changed on disk (its inode, size or modification time;
  one `stat` per operation): a fresh connection runs `PRAGMA quick_check` (0.1 s for a 43 MB
  database). A damaged file raises `DatabaseDamaged` on every operation until the file is
  replaced or repaired, and one health line goes to the log when it breaks and when it is well
  again.
- Full or read-only: SQLite's SQLITE_FULL and SQLITE_READONLY raise `DatabaseFull` and
  `DatabaseReadOnly`, whose messages say so in words ("The server is out of space; nothing was
  saved."). `health` also reports the data folder's disk: its free space against
  `min_free_mb` and a small write test (`policy/storage.py`).
- On a server (PostgreSQL): down, restarting or a dropped connection raise `DatabaseUnreachable`;
  every pooled connection busy, or a statement or lock past `busy_timeout`, raise `DatabaseSlow`
  (a `DatabaseBusy`); both ask the person to try again in a moment. Connections are checked
  before use, so the first operation after the server is back works.
- An audit row that cannot be written is appended to `<database>.audit-pending.jsonl` (and
  logged; on a server, `easel.postgresql.audit-pending.jsonl` in the replica's data folder), and written into the database by the next successful write. The decision it belongs
  to is not acted on: `PolicyAgent.check` raises and the caller refuses. When the pending file
  cannot take it either (a full disk), the row is lost and the log says so with its id and the
  error number, never its words; the half-written line is cut off again.

No log line of this module holds a prompt, an earlier turn or a path: rows are named by their id.

Audit prompts are kept for `retention_days` (default 30): after that the prompt, the earlier
turns, the source prompt and the reason of a row are blanked (the decision, rule and scores stay)
by `purge_audit`, which runs at most once an hour on its own and from `easel audit purge`.
`secure_delete` is on, so the removed words are overwritten in the file rather than left in free
pages.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from policy import database
from policy.database import ServerDatabase
from policy.names import alias_problem, name_problem
from policy.normalize import fold_native, name_key
from policy.storage import DEFAULT_MIN_FREE_MB, OUT_OF_SPACE, check_disk, failure_kind, write_test

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT = 2.0  # seconds an operation may wait for another writer, in all
DEFAULT_RETENTION_DAYS = 30  # days an audit row keeps its prompt and earlier turns
PURGE_EVERY = 3600.0  # seconds between automatic purges of old audit prompts
NO_OUTCOME_AFTER = 600.0  # an allowed row this old without an outcome was interrupted (the process stopped)
SCHEMA_VERSION = 4  # PRAGMA user_version of a SQLite file the migrations have brought to the head
MAX_DESCRIPTION_CHARS = 300
MIN_DESCRIPTION_WORDS = 3  # "the singer of <song>"; a name or a nickname is an alias

OUTCOMES = ("delivered", "failed", "interrupted", "refused")
NO_OUTCOME = "no outcome recorded"
AUDIT_COLUMNS = (
    "decision_id",
    "created_at",
    "prompt",
    "context",
    "is_edit",
    "source_prompt",
    "user_age",
    "allowed",
    "category",
    "reason",
    "scores",
    "outcome",
)


def __getattr__(name: str):
    if name == "SCHEMA":  # today's SQLite schema as the migrations make it (the tests build older files from it)
        return database.sqlite_schema()
    raise AttributeError(name)


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    aliases: tuple[str, ...]
    descriptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Description:
    """One description of a registered person, as the agent's description index takes it."""

    name: str
    description: str
    person_id: int


# -- what can go wrong with the file ------------------------------------------------------------


class DatabaseProblem(RuntimeError):
    """The database cannot be used right now. `user_message` is for the person whose picture was
    not made; `operator_message` says what is wrong and what to do about it."""

    kind = "unavailable"

    def __init__(self, path: Path | str | ServerDatabase, detail: str):
        self.path = path if isinstance(path, ServerDatabase) else Path(path)
        self.detail = detail
        super().__init__(f"database {self.kind}: {detail}")  # no path: this text can reach a log

    @property
    def user_message(self) -> str:
        return (
            "I couldn't reach the safety check's database just now, so I won't make this picture. "
            "Please try again later."
        )

    @property
    def operator_message(self) -> str:
        return (
            f"The database {self.path} cannot be used: {self.detail}. No pictures are made until it can. "
            "Check the disk and the file's permissions."
        )


class DatabaseBusy(DatabaseProblem):
    kind = "busy"

    @property
    def user_message(self) -> str:
        return (
            "The safety check's database is busy (another program is writing to it), so I won't make this "
            "picture right now. Please try again in a moment."
        )

    @property
    def operator_message(self) -> str:
        return (
            f"The database {self.path} is busy: {self.detail}. Another program (an import, a backup) holds "
            "its write lock; requests are refused until it lets go. Try again when it has finished."
        )


class DatabaseDamaged(DatabaseProblem):
    kind = "damaged"

    @property
    def user_message(self) -> str:
        return (
            "The safety check's database is damaged, so I can't make pictures until the operator repairs it. "
            "Nothing was drawn."
        )

    @property
    def operator_message(self) -> str:
        return (
            f"The database {self.path} is damaged ({self.detail}). No pictures are made until it is repaired. "
            "Stop Easel, restore the file from a backup (or move it aside and re-import the opt-out list "
            "with `easel optout import`), then start Easel again. Audit rows written meanwhile wait in "
            f"{pending_path(self.path).name} and are added once the database works."
        )


class DatabaseFull(DatabaseProblem):
    kind = "full"

    @property
    def user_message(self) -> str:
        return f"{OUT_OF_SPACE} I can't make pictures until the operator frees some space."

    @property
    def operator_message(self) -> str:
        return (
            f"The disk holding {self.path.parent} is full ({self.detail}). No pictures are made and no audit "
            "rows are written until space is freed there."
        )


class DatabaseReadOnly(DatabaseProblem):
    kind = "read-only"

    @property
    def user_message(self) -> str:
        return "The server cannot save anything right now, so I won't make this picture; nothing was saved."

    @property
    def operator_message(self) -> str:
        return (
            f"The database {self.path} cannot be written ({self.detail}). No pictures are made until it can: "
            f"check that {self.path.parent} is on a writable disk and that Easel may write the file."
        )


class DatabaseUnreachable(DatabaseProblem):
    """The database server cannot be reached: down, restarting, or the connection was dropped.
    The next check tries a fresh connection, so the app recovers by itself once it is back."""

    kind = "unavailable"

    @property
    def user_message(self) -> str:
        return (
            "I couldn't reach the safety check's database just now, so I won't make this picture. "
            "Please try again in a moment."
        )

    @property
    def operator_message(self) -> str:
        return (
            f"The database server {self.path} cannot be reached ({self.detail}). No pictures are made until it "
            "answers; Easel reconnects by itself. Audit rows written meanwhile wait in each replica's "
            "pending file and are added once it answers."
        )


class DatabaseSlow(DatabaseBusy):
    """The database server did not answer in time: every pooled connection in use, a statement past
    its timeout, or a lock held by another transaction."""

    @property
    def operator_message(self) -> str:
        return (
            f"The database server {self.path} did not answer in time ({self.detail}). Requests are refused "
            "until it does: look for a long transaction, a lock, or more traffic than the connection pool "
            "of each replica can take."
        )


def _server_problem(where: ServerDatabase, error: Exception) -> DatabaseProblem | None:
    """The fault behind an error from the server (or the pool), or None for a programming error (a
    constraint, bad SQL) that must surface as it is."""
    if isinstance(error, sa.exc.TimeoutError):  # QueuePool: no connection free within pool_timeout
        return DatabaseSlow(where, "every connection of the pool is in use")
    orig = getattr(error, "orig", None)
    name = type(orig).__name__ if orig is not None else type(error).__name__
    if isinstance(error, (sa.exc.IntegrityError, sa.exc.ProgrammingError, sa.exc.DataError)) and not getattr(
        error, "connection_invalidated", False
    ):
        return None
    if name in ("QueryCanceled", "LockNotAvailable"):
        return DatabaseSlow(where, "a statement ran past its timeout" if name == "QueryCanceled" else "a lock was held")
    if isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError)) or getattr(
        error, "connection_invalidated", False
    ):
        return DatabaseUnreachable(where, f"{name}: the server is down, restarting or dropped the connection")
    if isinstance(error, sa.exc.DBAPIError):
        return DatabaseProblem(where, name)
    return None


SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN = 8, 10, 13, 14  # primary result codes


def _problem(path: Path, error: sqlite3.Error) -> DatabaseProblem | None:
    """The fault behind an sqlite3 error, or None for a programming error (a closed connection,
    a constraint) that must surface as it is."""
    text = str(error).lower()
    if isinstance(error, (sqlite3.ProgrammingError, sqlite3.IntegrityError, sqlite3.InterfaceError)):
        return None
    if "locked" in text or "busy" in text:
        return DatabaseBusy(path, str(error))
    code = getattr(error, "sqlite_errorcode", -1) & 0xFF
    if code in (SQLITE_IOERR, SQLITE_CANTOPEN):
        # A connection opened on a full disk cannot grow its -shm file (an I/O error), and one on a
        # read-only disk cannot make it (cannot open): the folder's write test tells which.
        failed = getattr(write_test(path.parent), "errno", None)
        code = SQLITE_FULL if failed in (errno.ENOSPC, errno.EDQUOT) else code
        code = SQLITE_READONLY if failed in (errno.EROFS, errno.EACCES, errno.EPERM) else code
    if code == SQLITE_FULL or "disk is full" in text:
        return DatabaseFull(path, str(error))
    if code == SQLITE_READONLY or "readonly database" in text:
        return DatabaseReadOnly(path, str(error))
    if type(error) is sqlite3.DatabaseError or any(w in text for w in ("malformed", "not a database", "corrupt")):
        return DatabaseDamaged(path, str(error))
    return DatabaseProblem(path, str(error))


def pending_path(db_path: Path | str) -> Path:
    """Where audit rows wait when the database cannot take them."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".audit-pending.jsonl")


# -- connections --------------------------------------------------------------------------------


def connect(db_path: Path | str, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> sqlite3.Connection:
    """A connection with the settings every user of the database needs (the schema is created
    on first use)."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + busy_timeout
    # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a write transaction takes the
    # write lock up front instead of failing half-way on a lock upgrade.
    conn = sqlite3.connect(str(db_path), timeout=busy_timeout, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if _retry(lambda: conn.execute("PRAGMA journal_mode").fetchone()[0], deadline) != "wal":
            _retry(lambda: conn.execute("PRAGMA journal_mode = WAL"), deadline)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")  # purged prompts are overwritten, not left in free pages
        conn.create_function("name_key", 1, name_key, deterministic=True)
        if not _retry(lambda: _schema_is_current(conn), deadline):
            # Several processes may open a new or older file at once: each runs the migrations
            # under the write lock, and finds them done when it was not the first.
            _retry(lambda: _upgrade(conn), deadline)
    except BaseException:
        conn.close()
        raise
    return conn


def _schema_is_current(conn: sqlite3.Connection) -> bool:
    """Whether the file is at the newest migration (one small read on every new connection)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
        return False
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError as error:
        if "no such table" not in str(error):
            raise
        return False
    return row is not None and row[0] == database.HEAD


def _upgrade(conn: sqlite3.Connection) -> None:
    """Run the migrations on the file in one transaction (a file written before them, at any
    `user_version`, is adopted: see policy/migrations/versions/0001_schema_v3.py)."""
    with database.sqlite_engine(conn).connect() as connection:
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            if database.current_revision(connection) != database.HEAD:
                database.upgrade(connection)
            connection.commit()
        except sa.exc.DBAPIError as error:
            connection.rollback()
            raise error.orig from error  # sqlite3's own error: _retry and _problem read it
        except BaseException:
            connection.rollback()
            raise


def _upgrade_server(connection: sa.Connection) -> str | None:
    """Run the migrations on a server database that is behind, one process at a time (an advisory
    lock held until the transaction ends); returns the revision it was at."""
    before = database.current_revision(connection)
    if before != database.HEAD:
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(28028028)")
        before = database.current_revision(connection)
        if before != database.HEAD:
            log.warning("database: upgrading the schema from %s to %s", before, database.HEAD)
            database.upgrade(connection)
    return before


def _retry(fn, deadline: float):
    # The busy timeout covers most contention; WAL start-up and schema creation can still report
    # "database is locked" at once, so retry briefly, but never past the deadline.
    while True:
        try:
            return fn()
        except (sqlite3.OperationalError, sa.exc.OperationalError) as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def _file_signature(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


# Files this process has checked with quick_check, by path: the signature that passed. Registries
# opened one after another on the same file (the operator page opens one per action) check once.
_verified_lock = threading.Lock()
_verified: dict[str, tuple] = {}


class OptOutRegistry:
    """People who asked not to be depicted, with their aliases, and the audit log. Thread-safe
    (one lock per SQLite file; a pool of connections to a server). Raises `DatabaseProblem` (busy,
    damaged, unavailable) instead of waiting long or working on a broken file.

    `db_path` is a SQLite file, or a `ServerDatabase` (`policy.database.database_location`), or a
    URL (then `data_dir` is where audit rows wait when the server cannot take them)."""

    def __init__(
        self,
        db_path: Path | str | ServerDatabase,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        min_free_mb: float = DEFAULT_MIN_FREE_MB,
        data_dir: Path | str | None = None,
    ):
        if isinstance(db_path, str) and "://" in db_path:
            db_path = database.database_location(db_path, Path(data_dir or "data"))
        self.server: ServerDatabase | None = db_path if isinstance(db_path, ServerDatabase) else None
        # A server's pending audit rows are kept in its replica's data folder, beside the pictures.
        self.db_path = Path(db_path) if self.server is None else self.server.data_dir / "easel.postgresql"
        self.where = self.db_path if self.server is None else self.server
        self.busy_timeout = busy_timeout
        self.retention_days = retention_days
        self.min_free_mb = min_free_mb  # `health` reports the data folder's disk as low below this
        self.problem: DatabaseProblem | None = None  # the latest fault, until an operation succeeds
        self._lock = threading.Lock()
        self._closed = False
        self.conn: sqlite3.Connection | None = None
        self._signature: tuple | None = None  # the file this connection was checked against
        self._damaged_signature: tuple | None = None
        self._sqlite_engine: sa.Engine | None = None  # SQLAlchemy over `conn` (SQLite)
        self._last_purge = 0.0
        self._engine: sa.Engine | None = None
        self._schema_ready = False  # a server's migrations are looked at by the first operation
        if self.server is not None:
            self._engine = database.server_engine(self.server.url, busy_timeout)
            return  # the server is reached by the first operation (and the schema checked there)
        try:  # a damaged or busy file is reported by the first operation, not here
            with self._lock:
                self._connection(time.monotonic() + busy_timeout)
        except DatabaseProblem:
            pass

    def configure(
        self,
        *,
        busy_timeout: float | None = None,
        retention_days: int | None = None,
        min_free_mb: float | None = None,
    ) -> OptOutRegistry:
        if busy_timeout is not None and float(busy_timeout) != self.busy_timeout:
            self.busy_timeout = float(busy_timeout)
            if self.server is not None:  # the pool's and the server's waits follow it
                self._engine.dispose()
                self._engine = database.server_engine(self.server.url, self.busy_timeout)
        if retention_days is not None:
            self.retention_days = int(retention_days)
        if min_free_mb is not None:
            self.min_free_mb = float(min_free_mb)
        return self

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._engine is not None:
                self._engine.dispose()
            self._drop_connection()

    @property
    def pending_file(self) -> Path:
        return pending_path(self.db_path)

    # -- health --------------------------------------------------------------------------------

    def _connection(self, deadline: float) -> sqlite3.Connection:
        """The connection, after making sure the file under it is the one that was checked."""
        if self._closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        signature = _file_signature(self.db_path)
        if self.conn is not None and signature == self._signature:
            return self.conn
        key = str(self.db_path.resolve())
        if signature is None and key in _verified:
            # The file was deleted or moved away under a running process: a new, empty registry
            # would let registered people be drawn, so refuse until the file is back (or restart).
            self._drop_connection()
            self._damaged(("missing",), "the database file has disappeared")
        if signature is not None and signature == self._damaged_signature:
            self._drop_connection()
            raise (
                self.problem
                if isinstance(self.problem, DatabaseDamaged)
                else DatabaseDamaged(self.db_path, "unchanged since it was found damaged")
            )
        # New, changed (a checkpoint, another process, a restored backup) or never opened: look at
        # it with a fresh connection, whose page cache cannot hide what is on disk.
        self._drop_connection()
        try:
            conn = connect(self.db_path, max(0.05, deadline - time.monotonic()))
        except sqlite3.Error as error:
            problem = _problem(self.db_path, error)
            if isinstance(problem, DatabaseDamaged):
                self._damaged(_file_signature(self.db_path), problem.detail)
            raise (problem or error) from error
        signature = _file_signature(self.db_path)
        with _verified_lock:
            known_good = _verified.get(key) == signature
        if not known_good:
            try:
                result = [row[0] for row in conn.execute("PRAGMA quick_check(5)").fetchall()]
            except sqlite3.Error as error:
                conn.close()
                problem = _problem(self.db_path, error)
                if problem is None or isinstance(problem, DatabaseDamaged):
                    self._damaged(signature, str(error))
                raise problem from error
            if result != ["ok"]:
                conn.close()
                self._damaged(signature, "; ".join(result))
            with _verified_lock:
                _verified[key] = signature
        self.conn, self._signature = conn, signature
        self._sqlite_engine = database.sqlite_engine(conn)
        if self._damaged_signature is not None:
            self._damaged_signature = None
            log.warning("database health: OK again")
        return conn

    def _damaged(self, signature: tuple | None, detail: str):
        detail = " ".join(detail.split())
        detail = detail if len(detail) <= 200 else detail[:200] + " …"
        problem = DatabaseDamaged(self.db_path, detail)
        if self._damaged_signature is None or signature != self._damaged_signature:
            log.error("database health: DAMAGED: %s; refusing every picture until it is repaired", detail)
        self._damaged_signature = signature
        self.problem = problem
        raise problem

    def _drop_connection(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn, self._signature, self._sqlite_engine = None, None, None

    def _use(self, work, *, write: bool = False):
        """Run `work(session)` in one transaction (BEGIN IMMEDIATE on SQLite when it writes); at
        most `busy_timeout` seconds of waiting in all; faults become DatabaseProblem."""
        if self.server is not None:
            return self._use_server(work, write)
        deadline = time.monotonic() + self.busy_timeout
        if not self._lock.acquire(timeout=self.busy_timeout):
            problem = DatabaseBusy(self.db_path, f"waited {self.busy_timeout:g} s for this process's other requests")
            self.problem = problem
            raise problem
        try:
            conn = self._connection(deadline)
            remaining = max(0.05, deadline - time.monotonic())
            conn.execute(f"PRAGMA busy_timeout = {int(remaining * 1000)}")
            try:
                with self._sqlite_engine.connect() as connection:
                    _retry(lambda: connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN"), deadline)
                    try:
                        result = work(database.Session(connection))
                        connection.commit()
                    except BaseException:
                        connection.rollback()
                        raise
            except (sqlite3.Error, sa.exc.DBAPIError) as error:
                if isinstance(error, sa.exc.DBAPIError):
                    if not isinstance(error.orig, sqlite3.Error):
                        raise
                    error = error.orig
                problem = _problem(self.db_path, error)
                if problem is None:
                    raise
                if isinstance(problem, DatabaseDamaged):
                    self._drop_connection()
                    self._damaged(_file_signature(self.db_path), problem.detail)
                if isinstance(problem, DatabaseBusy):
                    log.warning("database health: BUSY: %s after %.1f s", failure_kind(error), self.busy_timeout)
                self.problem = problem
                raise problem from error
            self.problem = None
            return result
        except DatabaseProblem as problem:
            self.problem = problem
            raise
        finally:
            self._lock.release()

    def _use_server(self, work, write: bool = False):
        """`_use` on a server: a pooled connection (checked before use), in one transaction when it
        writes; a read runs each statement on its own (autocommit: no BEGIN and COMMIT to wait
        for; the version is read first, so the rows read after it are never older). Every wait is
        bounded by `busy_timeout` (the pool, the connection, each statement)."""
        if self._closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        try:
            if not self._schema_ready:
                with self._engine.connect() as connection, connection.begin():
                    _upgrade_server(connection)
                self._schema_ready = True
            if write:
                with self._engine.connect() as connection, connection.begin():
                    result = work(database.Session(connection))
            else:
                with self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    result = work(database.Session(connection))
        except sa.exc.SQLAlchemyError as error:
            problem = _server_problem(self.server, error)
            if problem is None:
                raise
            if self.problem is None or self.problem.kind != problem.kind:
                log.warning("database health: %s: %s", problem.kind.upper(), problem.detail)
            self.problem = problem
            raise problem from error
        if self.problem is not None:
            log.warning("database health: OK again")
        self.problem = None
        return result

    def schema_revision(self) -> str | None:
        """The migration the database is at (None: none yet)."""
        return self._use(lambda session: database.current_revision(session.connection))

    def upgrade(self) -> tuple[str | None, str]:
        """Run the migrations (`easel db upgrade`); returns (revision before, revision after)."""
        if self.server is None:
            before = database.sqlite_revision(self.db_path)
            with self._lock:
                self._drop_connection()  # a fresh connection runs them (connect) under the write lock
                self._connection(time.monotonic() + self.busy_timeout)
            return before, self.schema_revision()

        self._schema_ready = True  # run here, not before as on any first operation
        before = self._use(lambda session: _upgrade_server(session.connection))
        return before, self.schema_revision()

    def health(self) -> dict:
        """What the operator page and `easel db check` show: {"status", "detail", "path",
        "pending_audit_rows", "disk", and when the database answers "schema", "people", "audit_rows",
        "no_outcome_rows"}. "status" is the database's problem ("busy", "damaged", "full",
        "read-only", "unavailable"), else the disk's ("disk low", "disk full", "disk read-only",
        "disk unwritable"), else "ok"; "detail" says it in words and names the disk."""
        pending = _count_lines(self.pending_file)
        disk = check_disk(self.db_path.parent, self.min_free_mb)
        stale = time.time() - NO_OUTCOME_AFTER
        try:
            people, rows, no_outcome, schema = self._use(
                lambda conn: (
                    conn.execute("SELECT count(*) FROM people").fetchone()[0],
                    conn.execute("SELECT count(*) FROM audit_log").fetchone()[0],
                    conn.execute(
                        "SELECT count(*) FROM audit_log WHERE allowed = 1 AND outcome IS NULL AND created_at < ?",
                        (stale,),
                    ).fetchone()[0],
                    conn.execute("SELECT version_num FROM alembic_version").scalar(),
                )
            )
        except DatabaseProblem as problem:
            detail = problem.operator_message if disk.ok else f"{problem.operator_message} Also: {disk.sentence()}"
            return {
                "status": problem.kind,
                "detail": detail,
                "path": str(self.where),
                "pending_audit_rows": pending,
                "disk": disk.as_dict(),
            }
        return {
            "status": "ok" if disk.ok else f"disk {disk.status}",
            "detail": "" if disk.ok else disk.sentence()[0].upper() + disk.sentence()[1:],
            "path": str(self.where),
            "schema": schema,
            "people": people,
            "audit_rows": rows,
            "no_outcome_rows": no_outcome,
            "pending_audit_rows": pending,
            "disk": disk.as_dict(),
        }

    # -- reads ---------------------------------------------------------------------------------

    def version(self) -> int:
        return self._use(lambda conn: conn.execute("SELECT version FROM registry_version WHERE id = 1").fetchone()[0])

    def people(self) -> list[Person]:
        def read(conn):
            return (
                conn.execute("SELECT id, name FROM people ORDER BY name").fetchall(),
                conn.execute("SELECT person_id, alias FROM aliases ORDER BY id").fetchall(),
                conn.execute("SELECT person_id, description FROM descriptions ORDER BY id").fetchall(),
            )

        return _people(*self._use(read))

    def snapshot(self) -> tuple[int, list[Person]]:
        """The version and the people, read in one transaction so they agree (on a server, READ
        COMMITTED: the people are at least as new as the version, never older)."""

        def read(conn):
            return (
                conn.execute("SELECT version FROM registry_version WHERE id = 1").fetchone()[0],
                conn.execute("SELECT id, name FROM people").fetchall(),
                conn.execute("SELECT person_id, alias FROM aliases ORDER BY id").fetchall(),
                conn.execute("SELECT person_id, description FROM descriptions ORDER BY id").fetchall(),
            )

        version, *rows = self._use(read)
        return version, _people(*rows)

    def description_snapshot(self) -> tuple[int, list[Description]]:
        """The version and every (name, description) pair, read in one transaction so they agree:
        what `policy.descriptions.DescriptionIndex.build` / `.update` take."""

        def read(conn):
            return (
                conn.execute("SELECT version FROM registry_version WHERE id = 1").fetchone()[0],
                conn.execute(
                    "SELECT people.name, descriptions.description, people.id FROM descriptions"
                    " JOIN people ON people.id = descriptions.person_id ORDER BY descriptions.id"
                ).fetchall(),
            )

        version, rows = self._use(read)
        return version, [Description(name, text, person_id) for name, text, person_id in rows]

    # -- writes --------------------------------------------------------------------------------

    def add(
        self, name: str, aliases: list[str] | tuple[str, ...] = (), descriptions: list[str] | tuple[str, ...] = ()
    ) -> int:
        """Register a person (or add aliases and descriptions to one already registered); returns
        the person id. Raises ValueError, and changes nothing, when the name, an alias or a
        description cannot be used (the message says which and why)."""
        problems = entry_problems(name, aliases, descriptions)
        if problems:
            raise ValueError("; ".join(problems))
        return self._use(lambda conn: _add_in_tx(conn, name, aliases, descriptions), write=True)

    def remove(self, name: str) -> bool:
        """Remove a person by name or alias; True when someone was removed."""
        key = name_key(name)

        def remove(conn) -> bool:
            row = conn.execute("SELECT id FROM people WHERE key = ?", (key,)).fetchone()
            if row is None:
                row = conn.execute("SELECT person_id FROM aliases WHERE key = ?", (key,)).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM people WHERE id = ?", (row[0],))
            return True

        return self._use(remove, write=True)

    def remove_details(self, name: str, aliases=(), descriptions=()) -> int:
        """Remove some aliases and descriptions of a registered person (found by name or alias),
        who stays registered; returns how many were removed."""
        key = name_key(name)

        def remove(conn) -> int:
            row = conn.execute("SELECT id FROM people WHERE key = ?", (key,)).fetchone()
            if row is None:
                row = conn.execute("SELECT person_id FROM aliases WHERE key = ?", (key,)).fetchone()
            if row is None:
                return 0
            removed = 0
            for alias in aliases:
                removed += conn.execute(
                    "DELETE FROM aliases WHERE person_id = ? AND key = ?", (row[0], name_key(alias))
                ).rowcount
            for text in descriptions:
                removed += conn.execute(
                    "DELETE FROM descriptions WHERE person_id = ? AND key = ?", (row[0], _description_key(text))
                ).rowcount
            return removed

        return self._use(remove, write=True)

    def import_entries(self, entries: dict, replace: bool = False) -> int:
        """Add many people in ONE transaction: all of them or, if interrupted, none. Each value is
        a list of aliases or {"aliases": [...], "descriptions": [...]}. A name, alias or
        description that cannot be used is left out and logged (`import_problems` says which and
        why, for the command line to print); returns how many people were imported."""
        for problem in import_problems(entries):
            log.warning("registry import: left out: %s", problem)
        usable = {name: value for name, value in entries.items() if name_problem(name) is None}

        def add_all(conn) -> None:
            if replace:
                conn.execute("DELETE FROM people")
            for name, value in usable.items():
                aliases, descriptions = entry_parts(value)
                aliases = [a for a in aliases if alias_problem(a) is None]
                descriptions = [d for d in descriptions if description_problem(d) is None]
                _add_in_tx(conn, name, aliases, descriptions)

        self._use(add_all, write=True)
        return len(usable)

    def import_file(self, path: Path | str, replace: bool = False) -> int:
        return self.import_entries(read_registry_file(path), replace=replace)

    def export(self) -> dict[str, list[str] | dict[str, list[str]]]:
        """name -> aliases, or name -> {"aliases", "descriptions"} for people with descriptions:
        the file format `import_file` reads."""
        return {
            person.name: (
                {"aliases": list(person.aliases), "descriptions": list(person.descriptions)}
                if person.descriptions
                else list(person.aliases)
            )
            for person in self.people()
        }

    # -- audit log -----------------------------------------------------------------------------

    def record(self, decision, request) -> None:
        """One policy decision into the audit log. If the database cannot take it, the row is kept
        in the pending file, marked as not acted on, and `DatabaseProblem` is raised, so that the
        decision is not used without its row (the policy gate then refuses)."""
        scores = json.dumps({k: round(float(v), 4) for k, v in decision.scores.items()})
        row = (
            decision.decision_id,
            time.time(),
            request.prompt,
            json.dumps(list(request.context)),
            int(request.is_edit),
            request.source_prompt,
            request.user_age,
            int(decision.allowed),
            decision.category,
            decision.reason,
            scores,
            None if decision.allowed else "refused",  # an allowed row's outcome is set once known
        )
        try:
            self._write_audit(row)
        except DatabaseProblem as problem:
            verdict = "allow" if decision.allowed else "refuse"
            self._keep_pending(
                row[:7]
                + (
                    0,
                    "policy_error",
                    f"not acted on: the audit log could not be written "
                    f"({problem.kind}); the agent's decision was {verdict} "
                    f"({decision.category}: {decision.reason})",
                    scores,
                    "refused",
                )
            )
            raise

    def set_outcome(self, decision_ids, outcome: str) -> None:
        """Record what came of allowed decisions (one of OUTCOMES) on their audit rows. Never
        raises: the picture is already made or not; when the database cannot take it, the outcome
        waits in the pending file, and when that fails too the rows stay without one."""
        if outcome not in OUTCOMES:
            raise ValueError(f"not an outcome: {outcome!r}")
        ids = [str(i) for i in ([decision_ids] if isinstance(decision_ids, str) else decision_ids) if i]
        if not ids:
            return
        try:
            if self.problem is not None:  # it just failed: do not make the person wait for it again
                raise self.problem
            self._use(lambda conn: self._update_outcomes(conn, [(outcome, i) for i in ids]), write=True)
        except (DatabaseProblem, sqlite3.ProgrammingError):
            for decision_id in ids:
                self._keep_pending_line({"decision_id": decision_id, "outcome": outcome}, decision_id, "outcome")

    @staticmethod
    def _update_outcomes(conn: database.Session, pairs: list[tuple]) -> None:
        # Only a row still waiting for one: a late "failed" never overwrites "delivered".
        conn.executemany("UPDATE audit_log SET outcome = ? WHERE decision_id = ? AND outcome IS NULL", pairs)

    def record_event(self, category: str, reason: str) -> None:
        """An event that is not a picture decision (a wrong operator password, an unlock) into the
        audit log. Never raises: when the database cannot take it, it waits in the pending file."""
        row = (new_decision_id(), time.time(), "", "[]", 0, None, None, 0, category, reason, "{}", None)
        try:
            self._write_audit(row)
        except (DatabaseProblem, sqlite3.ProgrammingError):
            self._keep_pending(row)

    def _write_audit(self, row: tuple) -> None:
        self._use(lambda conn: self._insert_audit(conn, [row]), write=True)
        if self.pending_file.exists():
            try:
                self.replay_pending()
            except DatabaseProblem:  # they stay pending; this row is written
                pass

    def _insert_audit(self, conn: database.Session, rows: list[tuple]) -> None:
        conn.executemany(
            f"INSERT INTO audit_log ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join('?' * len(AUDIT_COLUMNS))})", rows
        )
        if time.monotonic() - self._last_purge > PURGE_EVERY:
            self._last_purge = time.monotonic()
            self._purge_in_tx(conn, self.retention_days)

    def _keep_pending(self, row: tuple) -> None:
        self._keep_pending_line(dict(zip(AUDIT_COLUMNS, row, strict=True)), row[0], row[8])

    def _keep_pending_line(self, entry: dict, decision_id: str, what: str) -> None:
        """Append one line (an audit row, or an outcome for one) to the pending file. The row's
        words stay out of the log, which the audit retention does not reach: it names the row's id
        and, on failure, the error number. A line the disk could only take in part is cut off."""
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        path = self.pending_file
        try:
            with _pending_lock(path):
                _append_whole(path, line)
            log.error("audit row %s (%s) kept in the pending file until the database can take it", decision_id, what)
        except OSError as error:  # nowhere to keep it: said by id, never by its words
            log.error(
                "audit row %s (%s) could not be written anywhere: %s; its decision was not acted on",
                decision_id,
                what,
                failure_kind(error),
            )
            try:  # an empty pending file this write made is not left behind
                if path.stat().st_size == 0:
                    path.unlink()
            except OSError:
                pass

    def replay_pending(self) -> int:
        """Write the rows waiting in the pending file into the audit log, then the outcomes waiting
        for rows; returns how many rows were written."""
        path = self.pending_file
        with _pending_lock(path):
            if not path.exists():
                return 0
            rows, outcomes = [], []
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                try:
                    entry = json.loads(line)
                    if set(entry) == {"decision_id", "outcome"}:
                        outcomes.append((entry["outcome"], entry["decision_id"]))
                    else:
                        entry.setdefault("outcome", None)  # a row kept by a version without outcomes
                        rows.append(tuple(entry[column] for column in AUDIT_COLUMNS))
                except (ValueError, KeyError, TypeError):
                    log.error("unreadable pending audit line %d (%d characters) left out", number, len(line))

            def write(conn) -> None:
                conn.executemany(
                    f"INSERT INTO audit_log ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join('?' * len(AUDIT_COLUMNS))})",
                    rows,
                )
                self._update_outcomes(conn, outcomes)

            self._use(write, write=True)
            path.unlink()
        log.warning("database health: %d pending audit rows and %d outcomes written", len(rows), len(outcomes))
        return len(rows)

    def purge_audit(self, older_than_days: float | None = None) -> int:
        """Blank the prompt, earlier turns, source prompt and reason of audit rows older than
        `older_than_days` (default: the retention setting); returns how many rows were purged."""
        days = self.retention_days if older_than_days is None else older_than_days
        purged = self._use(lambda conn: self._purge_in_tx(conn, days), write=True)
        with self._lock:  # give the removed words back to the file now, not at the next checkpoint
            if self.conn is not None:
                try:
                    self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except sqlite3.Error:
                    pass
        return purged

    @staticmethod
    def _purge_in_tx(conn: database.Session, days: float) -> int:
        cutoff = time.time() - days * 86400
        return conn.execute(
            "UPDATE audit_log SET prompt = '', context = '[]', source_prompt = NULL, reason = ''"
            " WHERE created_at < ? AND (prompt != '' OR context != '[]' OR source_prompt IS NOT NULL OR reason != '')",
            (cutoff,),
        ).rowcount

    def audit_entries(self, limit: int = 50) -> list[dict]:
        rows = self._use(
            lambda conn: conn.execute(
                "SELECT decision_id, created_at, prompt, allowed, category, reason, scores, user_age, context, outcome"
                " FROM audit_log ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        )
        keys = [
            "decision_id",
            "created_at",
            "prompt",
            "allowed",
            "category",
            "reason",
            "scores",
            "user_age",
            "context",
            "outcome",
        ]
        entries = [dict(zip(keys, row, strict=False)) for row in rows]
        for entry in entries:
            entry["allowed"] = bool(entry["allowed"])
            entry["scores"] = json.loads(entry["scores"])
            entry["context"] = json.loads(entry["context"])
        return entries

    # -- the operator's password throttle, shared by every replica ------------------------------

    def throttle_state(self, keys: list[str]) -> dict[str, tuple[int, float, float]]:
        """key -> (failures, locked until, last failure), wall-clock seconds, for the keys known."""
        marks = ", ".join("?" * len(keys))
        rows = self._use(
            lambda conn: conn.execute(
                f"SELECT key, failures, locked_until, last FROM operator_throttle WHERE key IN ({marks})", tuple(keys)
            ).fetchall()
        )
        return {key: (failures, locked_until, last) for key, failures, locked_until, last in rows}

    def throttle_update(self, keys: list[str], change, now: float, forget_before: float):
        """Apply `change(state) -> (new state, result)` to these keys' counts in one transaction,
        the rows locked (BEGIN IMMEDIATE on SQLite; a row lock on a server, taken after making
        sure the rows exist, so two replicas counting the same key at once both count); counts
        last changed before `forget_before` are removed. Returns the result."""
        marks = ", ".join("?" * len(keys))

        def update(conn):
            conn.executemany(
                "INSERT INTO operator_throttle (key, failures, locked_until, last) VALUES (?, 0, 0, ?)"
                " ON CONFLICT DO NOTHING",
                [(key, now) for key in keys],
            )
            lock = " FOR UPDATE" if conn.dialect == "postgresql" else ""
            rows = conn.execute(
                f"SELECT key, failures, locked_until, last FROM operator_throttle WHERE key IN ({marks}){lock}",
                tuple(keys),
            ).fetchall()
            state, result = change({key: (failures, locked_until, last) for key, failures, locked_until, last in rows})
            conn.executemany(
                "UPDATE operator_throttle SET failures = ?, locked_until = ?, last = ? WHERE key = ?",
                [(*values, key) for key, values in state.items()],
            )
            conn.execute("DELETE FROM operator_throttle WHERE last < ?", (forget_before,))
            return result

        return self._use(update, write=True)

    def throttle_forget(self, keys: list[str]) -> None:
        marks = ", ".join("?" * len(keys))
        self._use(
            lambda conn: conn.execute(f"DELETE FROM operator_throttle WHERE key IN ({marks})", tuple(keys)), write=True
        )

    # -- pictures made (perceptual hashes, for `easel verify`) ----------------------------------

    def record_picture(self, decision_id: str, picture_id: str, model: str, hash_kind: str, hash_bytes: bytes) -> None:
        """Keep a picture's perceptual hash with the audit row of the decision that made it."""
        row = (decision_id, picture_id, time.time(), model, hash_kind, bytes(hash_bytes))
        self._use(
            lambda conn: conn.execute(
                "INSERT INTO picture_records (decision_id, picture_id, created_at, model, hash_kind, hash)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                row,
            ),
            write=True,
        )

    def nearest_pictures(self, hash_kind: str, hash_bytes: bytes, limit: int = 5) -> list[dict]:
        """The pictures whose hash of `hash_kind` is nearest `hash_bytes` (fewest differing bits),
        nearest first, each with its audit row's decision: {"decision_id", "picture_id",
        "created_at", "model", "hash", "distance", "allowed", "category", "outcome", "prompt"}."""
        import numpy as np  # only here: the registry itself needs no numpy

        def read(conn):
            return conn.execute(
                "SELECT p.decision_id, p.picture_id, p.created_at, p.model, p.hash,"
                " a.allowed, a.category, a.outcome, a.prompt"
                " FROM picture_records p LEFT JOIN audit_log a ON a.decision_id = p.decision_id"
                " WHERE p.hash_kind = ? ORDER BY p.id",
                (hash_kind,),
            ).fetchall()

        rows = [row for row in self._use(read) if len(row[4]) == len(hash_bytes)]
        if not rows:
            return []
        stored = np.frombuffer(b"".join(row[4] for row in rows), dtype=np.uint8).reshape(len(rows), -1)
        wanted = np.frombuffer(bytes(hash_bytes), dtype=np.uint8)
        distances = np.unpackbits(stored ^ wanted, axis=1).sum(axis=1)
        keys = ["decision_id", "picture_id", "created_at", "model", "hash", "allowed", "category", "outcome", "prompt"]
        found = []
        for index in np.argsort(distances, kind="stable")[:limit]:
            entry = dict(zip(keys, rows[index], strict=True))
            entry["hash"] = bytes(entry["hash"])
            entry["distance"] = int(distances[index])
            entry["allowed"] = None if entry["allowed"] is None else bool(entry["allowed"])
            found.append(entry)
        return found


def _add_in_tx(conn: database.Session, name: str, aliases, descriptions=()) -> int:
    name = " ".join(name.split())
    key = name_key(name)
    if not key:
        raise ValueError(f"not a usable name: {name!r}")
    row = conn.execute("SELECT id FROM people WHERE key = ?", (key,)).fetchone()
    if row is None:
        person_id = conn.execute(
            "INSERT INTO people (name, key, added_at) VALUES (?, ?, ?) RETURNING id", (name, key, time.time())
        ).scalar_one()
    else:
        person_id = row[0]
    for alias in aliases:
        alias = " ".join(alias.split())
        alias_key = name_key(alias)
        if alias_key and alias_key != key:
            conn.execute(
                "INSERT INTO aliases (person_id, alias, key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (person_id, alias, alias_key),
            )
    for description in descriptions:
        description = " ".join(description.split())
        conn.execute(
            "INSERT INTO descriptions (person_id, description, key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (person_id, description, _description_key(description)),
        )
    return person_id


def _description_key(description: str) -> str:
    return " ".join(description.split()).casefold()


def _people(rows, alias_rows, description_rows=()) -> list[Person]:
    aliases: dict[int, list[str]] = {}
    for person_id, alias in alias_rows:
        aliases.setdefault(person_id, []).append(alias)
    descriptions: dict[int, list[str]] = {}
    for person_id, description in description_rows:
        descriptions.setdefault(person_id, []).append(description)
    return [Person(pid, name, tuple(aliases.get(pid, ())), tuple(descriptions.get(pid, ()))) for pid, name in rows]


# -- what may be registered -----------------------------------------------------------------------


def description_problem(description: str) -> str | None:
    """Why a description cannot be used, or None. It is a short phrase that says who is meant
    ("the actor who played X in Y"), in any language."""
    text = " ".join(str(description).split())
    if not text:
        return "a description is empty"
    if len(text) > MAX_DESCRIPTION_CHARS:
        return f"the description {text[:40]!r}... is longer than {MAX_DESCRIPTION_CHARS} characters"
    if len(fold_native(text).split()) < MIN_DESCRIPTION_WORDS:
        return (
            f"the description {text!r} is too short to say who is meant (a phrase such as 'the actor who played "
            "X in Y'; a name or a nickname is an alias)"
        )
    return None


def entry_problems(name: str, aliases=(), descriptions=()) -> list[str]:
    """Every reason why this name, its aliases or its descriptions cannot be registered."""
    problems = [problem for problem in [name_problem(name)] if problem]
    problems += [problem for alias in aliases if (problem := alias_problem(alias))]
    problems += [problem for text in descriptions if (problem := description_problem(text))]
    return [f"{' '.join(name.split())}: {problem}" for problem in problems]


def entry_parts(value) -> tuple[list[str], list[str]]:
    """(aliases, descriptions) of one registry entry: a list of aliases, or a dict with
    "aliases" and "descriptions" (either may be missing)."""
    if value is None:
        return [], []
    if isinstance(value, dict):
        unknown = set(value) - {"aliases", "descriptions"}
        if unknown:
            raise ValueError(f"unknown fields in a registry entry: {sorted(unknown)}")
        aliases, descriptions = value.get("aliases") or [], value.get("descriptions") or []
    else:
        aliases, descriptions = value, []
    if isinstance(aliases, str) or isinstance(descriptions, str):
        raise ValueError("aliases and descriptions are lists of strings")
    return [str(alias) for alias in aliases], [str(text) for text in descriptions]


def import_problems(entries: dict) -> list[str]:
    """The aliases and descriptions an import leaves out, each with why ("Name: the alias 'ZQ' is
    too short ...")."""
    problems: list[str] = []
    for name, value in entries.items():
        aliases, descriptions = entry_parts(value)
        problems += entry_problems(name, aliases, descriptions)
    return problems


class _pending_lock:
    """An exclusive lock (flock) shared by every process that appends to or replays the pending
    file, so a row appended while another process replays is never lost."""

    def __init__(self, path: Path):
        self.path = path.with_name(path.name + ".lock")

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
        return False


def _append_whole(path: Path, data: bytes) -> None:
    """Append `data` to the file and fsync it, or leave the file as it was: a write that fails
    part-way (a full disk) is cut back off (truncating needs no free space)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        start = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError:
            try:
                os.ftruncate(fd, start)
            except OSError:
                pass
            raise
    finally:
        os.close(fd)


def outcome_text(entry: dict) -> str:
    """An audit entry's outcome as the operator page and `easel audit list` show it: "delivered",
    "failed", "interrupted", "refused", "no outcome recorded" for an allowed row without one (the
    process stopped before it finished, or it was written before outcomes were kept), "" for an
    event (a password attempt)."""
    if entry.get("outcome"):
        return entry["outcome"]
    return NO_OUTCOME if entry.get("allowed") else ""


def _count_lines(path: Path) -> int:
    try:
        with open(path, encoding="utf-8") as lines:
            return sum(1 for _ in lines)
    except OSError:
        return 0


def read_registry_file(path: Path | str) -> dict[str, list[str] | dict[str, list[str]]]:
    """`.txt`: one name a line ('#' comments allowed); `.json`: [names], or {name: [aliases]}, or
    {name: {"aliases": [...], "descriptions": [...]}} (the two kinds of entry may be mixed)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        if isinstance(data, list):
            return {str(name): [] for name in data}
        entries: dict = {}
        for name, value in data.items():
            aliases, descriptions = entry_parts(value)
            entries[str(name)] = (
                {"aliases": aliases, "descriptions": descriptions} if isinstance(value, dict) else aliases
            )
        return entries
    entries: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            entries[line] = []
    return entries


def new_decision_id() -> str:
    return uuid.uuid4().hex[:16]
