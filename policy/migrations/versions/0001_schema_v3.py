"""Schema 3: people, aliases, descriptions, the registry version and the audit log (with its
outcome column): the schema of the releases before SQLAlchemy.

On SQLite this adopts a file written by an earlier release in place: every statement finds what
is already there (CREATE ... IF NOT EXISTS), a schema 1 file gets its descriptions and the keys of
names in other scripts recomputed (the connection's `name_key` function), and a file without the
outcome column gets it; no row is lost. On PostgreSQL it creates the tables, and one trigger
function bumps `registry_version` on every change to people, aliases or descriptions, as SQLite's
triggers do.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SQLITE_SCHEMA_V3 = """
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
CREATE TABLE IF NOT EXISTS descriptions (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    key TEXT NOT NULL,
    UNIQUE (person_id, key)
);
CREATE TRIGGER IF NOT EXISTS descriptions_insert AFTER INSERT ON descriptions
    BEGIN UPDATE registry_version SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER IF NOT EXISTS descriptions_delete AFTER DELETE ON descriptions
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
# Schema 1 folded names in other scripts to the few letters that look Latin: recompute the keys
# (a row whose new key another row already has keeps its old one).
SQLITE_REKEY = """
UPDATE OR IGNORE people SET key = name_key(name) WHERE key != name_key(name);
UPDATE OR IGNORE aliases SET key = name_key(alias) WHERE key != name_key(alias);
"""

# Once per transaction: an import of 100,000 names is one transaction of 200,000 statements, and
# updating one row that often in one transaction makes a chain of row versions every update walks.
POSTGRESQL_TRIGGER = """
CREATE FUNCTION easel_registry_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF current_setting('easel.registry_bumped', true) IS DISTINCT FROM txid_current()::text THEN
        UPDATE registry_version SET version = version + 1 WHERE id = 1;
        PERFORM set_config('easel.registry_bumped', txid_current()::text, true);
    END IF;
    RETURN NULL;
END
$body$
"""


def _statements(script: str):
    return [part.strip() for part in script.split(";\n") if part.strip()]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for sql in _statements(SQLITE_SCHEMA_V3) + _statements(SQLITE_REKEY):
            op.execute(sql)
        columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("audit_log")}
        if "outcome" not in columns:
            op.execute("ALTER TABLE audit_log ADD COLUMN outcome TEXT")
        op.execute("PRAGMA user_version = 3")
        return
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("added_at", sa.Double, nullable=False),
    )
    op.create_table(
        "aliases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        sa.Column("alias", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.UniqueConstraint("person_id", "key"),
    )
    op.create_index("aliases_key", "aliases", ["key"])
    op.create_table(
        "registry_version",
        sa.Column("id", sa.Integer, sa.CheckConstraint("id = 1"), primary_key=True, autoincrement=False),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO registry_version (id, version) VALUES (1, 0)")
    op.create_table(
        "descriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.UniqueConstraint("person_id", "key"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("decision_id", sa.Text, nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("prompt", sa.Text, nullable=False),
        sa.Column("context", sa.Text, nullable=False),
        sa.Column("is_edit", sa.Integer, nullable=False),
        sa.Column("source_prompt", sa.Text),
        sa.Column("user_age", sa.Integer),
        sa.Column("allowed", sa.Integer, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("scores", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text),
    )
    op.create_index("audit_log_time", "audit_log", ["created_at"])
    op.create_index("audit_log_decision", "audit_log", ["decision_id"])
    # One bump per transaction (see POSTGRESQL_TRIGGER).
    op.execute(POSTGRESQL_TRIGGER)
    for table, events in (("people", "INSERT OR UPDATE OR DELETE"), ("aliases", "INSERT OR DELETE")):
        op.execute(
            f"CREATE TRIGGER {table}_changed AFTER {events} ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION easel_registry_changed()"
        )
    op.execute(
        "CREATE TRIGGER descriptions_changed AFTER INSERT OR DELETE ON descriptions"
        " FOR EACH STATEMENT EXECUTE FUNCTION easel_registry_changed()"
    )
