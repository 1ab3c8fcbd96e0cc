"""Alembic migrations of the policy database, run from code by `policy.database.upgrade`."""
