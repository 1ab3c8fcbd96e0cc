"""Schema 4: `picture_records`, a perceptual hash of every picture made, keyed to the audit row of
the decision that made it (issue #29, `easel verify`). The picture file stays on the replica that
made it; the record is shared. On SQLite a file already at schema 4 keeps its table and rows.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_SCHEMA_V4 = """
CREATE TABLE IF NOT EXISTS picture_records (
    id INTEGER PRIMARY KEY,
    decision_id TEXT NOT NULL,
    picture_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    model TEXT NOT NULL,
    hash_kind TEXT NOT NULL,
    hash BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS picture_records_decision ON picture_records (decision_id);
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for sql in SQLITE_SCHEMA_V4.split(";\n"):
            if sql.strip():
                op.execute(sql.strip())
        op.execute("PRAGMA user_version = 4")
        return
    op.create_table(
        "picture_records",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("decision_id", sa.Text, nullable=False),
        sa.Column("picture_id", sa.Text, nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("hash_kind", sa.Text, nullable=False),
        sa.Column("hash", sa.LargeBinary, nullable=False),
    )
    op.create_index("picture_records_decision", "picture_records", ["decision_id"])
