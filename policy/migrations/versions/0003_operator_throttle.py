"""The operator's password throttle, shared by every replica: wrong passwords per key (a client
address, a session, the account) and the lockout each earned, so guesses spread over several
replicas lock out as they would on one (`chat.operator.SharedPasswordThrottle`). Times are wall
clock seconds (`time.time`), the same on every replica.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TABLE IF NOT EXISTS operator_throttle ("
            " key TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until REAL NOT NULL, last REAL NOT NULL)"
        )
        return
    op.create_table(
        "operator_throttle",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.Double, nullable=False),
        sa.Column("last", sa.Double, nullable=False),
    )
