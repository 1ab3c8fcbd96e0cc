"""Where the policy's shared state lives: one database, reached through SQLAlchemy 2, its schema
brought up to date by the Alembic migrations in `policy/migrations/`.

What is in it: the opt-out registry (people, aliases, descriptions and the `registry_version`
counter every check reads), the audit log, the pictures made (`picture_records`) and the
operator's password throttle (`operator_throttle`). Everything a second replica must agree on.

Which database (`EASEL_DATABASE_URL`, read by `chat.settings.Settings`):

- unset, or `sqlite:///PATH`: a SQLite file, by default `EASEL_DATA_DIR/easel.sqlite3`. Nothing to
  start; one machine (several processes on it may share the file). `policy/registry.py` keeps its
  file checks (busy timeout, damaged file, full or read-only disk) for this case.
- `postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB` (or `?host=/socket/dir`): a PostgreSQL server
  shared by every replica. A pool of connections per registry, each checked before use
  (`pool_pre_ping`) so a restarted server costs one refused check at most; every statement runs
  under `statement_timeout` and every wait (connecting, a free connection in the pool, a lock) is
  bounded by the registry's `busy_timeout`, so a fault refuses a check in about that time.

Migrations run from code (`upgrade`), from any working directory: `easel db upgrade`, and the
first registry opened on a SQLite file older than the code (a file written by an earlier release
at `PRAGMA user_version` 1 to 4 is adopted: the SQLite side of each migration finds its tables
already there and keeps every row). A PostgreSQL database is upgraded only by `easel db upgrade`
(or `ensure_schema` on first use when it has no tables at all), never by surprise while replicas
of an older release still serve from it.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0003"  # the newest migration in policy/migrations/versions
SQLITE_NAME = "easel.sqlite3"
POOL_SIZE = 5  # connections a registry keeps open to a server (plus as many again at a peak)


# -- which database -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerDatabase:
    """A database server (PostgreSQL) by URL, with the local folder where audit rows wait when the
    server cannot take them (the pending file is per replica, as the picture files are)."""

    url: str
    data_dir: Path

    @property
    def name(self) -> str:
        """The URL without its password: what logs, messages and `easel db check` may show."""
        return redacted(self.url)

    def __str__(self) -> str:
        return self.name


def database_location(url: str | None, data_dir: Path) -> Path | ServerDatabase:
    """EASEL_DATABASE_URL as the registry takes it: a SQLite file's path, or a server."""
    if not url:
        return Path(data_dir) / SQLITE_NAME
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("EASEL_DATABASE_URL: a SQLite database must be a file (sqlite:///PATH)")
        return Path(parsed.database).expanduser().resolve()
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"EASEL_DATABASE_URL: only sqlite:/// and postgresql+psycopg:// are supported, not {url!r}")
    if parsed.drivername == "postgresql":  # the driver we ship, not psycopg2
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return ServerDatabase(url, Path(data_dir))


def redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


# -- engines --------------------------------------------------------------------------------------


def sqlite_engine(raw: sqlite3.Connection) -> sa.Engine:
    """An engine over one sqlite3 connection that `policy.registry.connect` opened and checked
    (its pragmas, its `name_key` function, its file checks): SQLAlchemy runs the statements, the
    registry keeps owning the connection."""
    # No reset on return: every operation ends its own transaction (COMMIT or ROLLBACK).
    return sa.create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool, pool_reset_on_return=None)


def server_engine(url: str, timeout: float, pool_size: int = POOL_SIZE) -> sa.Engine:
    """A pooled engine for a PostgreSQL server whose every wait is bounded by `timeout` seconds."""
    milliseconds = max(1, int(timeout * 1000))
    return sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=timeout,  # every connection busy: refused after this long (pool exhausted)
        pool_pre_ping=True,  # a connection the server dropped (a restart) is replaced, not used
        pool_recycle=1800,
        connect_args={
            "connect_timeout": max(1, round(timeout)),
            "options": f"-c statement_timeout={milliseconds} -c lock_timeout={milliseconds}"
            " -c idle_in_transaction_session_timeout=60000",
            "application_name": "easel",
            # No server-side prepared statements: a plan prepared while `people` was small (a seq
            # scan) would stay in use as an import grows it to 100,000 rows in one transaction.
            "prepare_threshold": None,
        },
    )


# -- statements -----------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def statement(sql: str) -> sa.TextClause:
    """SQL written with `?` placeholders (as sqlite3 takes it) as a SQLAlchemy text clause with
    named parameters :p0, :p1, ... that runs on either backend."""
    count = iter(range(sql.count("?")))
    return sa.text(re.sub(r"\?", lambda _: f":p{next(count)}", sql))


def _named(params) -> dict:
    return {f"p{i}": value for i, value in enumerate(params)}


class Session:
    """The connection a registry operation works with: `execute(sql, params)` and
    `executemany(sql, rows)` like sqlite3's, on a SQLAlchemy connection of either backend."""

    def __init__(self, connection: sa.Connection):
        self.connection = connection
        self.dialect = connection.dialect.name  # "sqlite" or "postgresql"

    def execute(self, sql: str, params=()):
        return self.connection.execute(statement(sql), _named(params))

    def executemany(self, sql: str, rows):
        rows = [_named(row) for row in rows]
        if rows:
            self.connection.execute(statement(sql), rows)


# -- migrations -----------------------------------------------------------------------------------


def alembic_config(connection: sa.Connection):
    """Alembic's configuration, built in code (no alembic.ini): the migrations shipped in the
    package, run on this connection."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def current_revision(connection: sa.Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: sa.Connection, revision: str = "head") -> None:
    """Run the migrations up to `revision` on this connection, inside its transaction (the caller
    commits: on SQLite the caller holds BEGIN IMMEDIATE, so two processes never upgrade at once)."""
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


def sqlite_revision(path: Path) -> str | None:
    """The migration a SQLite file is at, read without changing it (None: a file from before the
    migrations, or no file)."""
    if not Path(path).exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.Error, TypeError):
        return None
    finally:
        conn.close()


def _migration(name: str):
    import importlib.util

    [path] = (MIGRATIONS / "versions").glob(f"{name}_*.py")
    spec = importlib.util.spec_from_file_location(f"easel_migration_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sqlite_schema() -> str:
    """The SQLite schema the migrations make (less the outcome column, which schema 3 adds to an
    older audit log with ALTER TABLE): what the tests build older files from."""
    return _migration("0001").SQLITE_SCHEMA_V3 + _migration("0002").SQLITE_SCHEMA_V4
