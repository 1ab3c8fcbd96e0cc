"""Alembic's entry point: the migrations run on the connection `policy.database.upgrade` hands
over (in its transaction), never on a URL of their own."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
