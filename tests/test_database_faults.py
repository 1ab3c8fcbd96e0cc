"""The database under faults, on a real SQLite file: another process holding the write lock, a
file broken underneath a running app, a file that disappears, audit rows that cannot be written,
and the retention of audit prompts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from policy.registry import (
    DatabaseBusy,
    DatabaseDamaged,
    OptOutRegistry,
    pending_path,
)

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.timeout(300)

# Holds the write lock (BEGIN IMMEDIATE) until stdin closes; prints "locked" once it has it.
LOCK_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO people (name, key, added_at) VALUES ('Held Lock', 'heldlock', 0)")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


class Decision:
    def __init__(self, allowed=True, category="allowed", reason="closest allowed example"):
        self.decision_id, self.allowed, self.category, self.reason = os.urandom(8).hex(), allowed, category, reason
        self.scores = {"graphic_gore": 0.1}


class Request:
    def __init__(self, prompt="a red bicycle", context=(), user_age=None):
        self.prompt, self.context, self.is_edit, self.source_prompt, self.user_age = (
            prompt,
            context,
            False,
            None,
            user_age,
        )


@pytest.fixture
def lock_holder():
    """Start a real second process that holds the database's write lock."""
    processes = []

    def hold(db: Path) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-c", LOCK_HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert process.stdout.readline().strip() == "locked"
        processes.append(process)
        return process

    yield hold
    for process in processes:
        if process.poll() is None:
            process.stdin.close()
            process.wait(timeout=30)


def corrupt(path: Path, offset: int = 4096 * 2, length: int = 4096 * 8) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(b"\xa5" * length)


def filled_registry(path: Path, people: int = 2000) -> OptOutRegistry:
    registry = OptOutRegistry(path)
    registry.import_entries({f"Person Number{i:05d}": [] for i in range(people)})
    registry.record(Decision(), Request())
    registry.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
    return registry


# -- busy: another writer holds the lock --------------------------------------------------------


def test_a_write_waits_about_the_busy_timeout_then_says_busy(tmp_path, lock_holder):
    db = tmp_path / "easel.sqlite3"
    registry = OptOutRegistry(db)
    registry.add("Zara Quill")
    holder = lock_holder(db)
    started = time.monotonic()
    with pytest.raises(DatabaseBusy) as raised:
        registry.record(Decision(), Request("a red bicycle"))
    waited = time.monotonic() - started
    assert 1.5 <= waited < 3.0, waited
    assert "try again" in raised.value.user_message
    assert registry.version() >= 1  # reads go on under WAL while the other writer holds the lock

    # The row was not lost: it waits in the pending file, marked as not acted on ...
    pending = [json.loads(line) for line in pending_path(db).read_text().splitlines()]
    assert len(pending) == 1 and pending[0]["prompt"] == "a red bicycle"
    assert pending[0]["category"] == "policy_error" and "not acted on" in pending[0]["reason"]
    # ... and is written by the next write that gets through.
    holder.stdin.close()
    holder.wait(timeout=30)
    registry.record(Decision(), Request("a blue kite"))
    prompts = [entry["prompt"] for entry in registry.audit_entries(10)]
    assert "a blue kite" in prompts and "a red bicycle" in prompts
    assert not pending_path(db).exists()
    registry.close()


def test_the_busy_timeout_is_a_setting(tmp_path, lock_holder):
    db = tmp_path / "easel.sqlite3"
    registry = OptOutRegistry(db).configure(busy_timeout=0.5)
    lock_holder(db)
    started = time.monotonic()
    with pytest.raises(DatabaseBusy):
        registry.add("Zara Quill")
    assert time.monotonic() - started < 1.5
    registry.close()


# -- damaged: the file breaks under a running process --------------------------------------------


def test_a_file_broken_under_a_running_registry_is_detected_and_refused(tmp_path, caplog):
    db = tmp_path / "easel.sqlite3"
    registry = filled_registry(db)
    assert registry.version() > 0
    corrupt(db)
    with pytest.raises(DatabaseDamaged) as raised:
        registry.version()  # the connection's cached pages would have hidden it
    assert "damaged" in raised.value.operator_message and "backup" in raised.value.operator_message
    assert any("database health: DAMAGED" in r.getMessage() for r in caplog.records)
    # Every operation refuses, fast, and the audit row waits in the pending file.
    started = time.monotonic()
    with pytest.raises(DatabaseDamaged):
        registry.record(Decision(), Request("a green apple"))
    assert time.monotonic() - started < 0.5
    assert "a green apple" in pending_path(db).read_text()
    health = registry.health()
    assert health["status"] == "damaged" and health["pending_audit_rows"] == 1
    registry.close()


def test_a_file_that_is_not_a_database_is_damaged_from_the_start(tmp_path):
    db = tmp_path / "easel.sqlite3"
    db.write_bytes(b"this is not a database at all" * 200)
    registry = OptOutRegistry(db)  # opening does not raise; using it does
    with pytest.raises(DatabaseDamaged):
        registry.people()
    registry.close()


def test_a_restored_file_is_used_again_and_the_pending_rows_are_written(tmp_path, caplog):
    db = tmp_path / "easel.sqlite3"
    registry = filled_registry(db)
    backup = tmp_path / "backup.sqlite3"
    backup.write_bytes(db.read_bytes())
    corrupt(db)
    with pytest.raises(DatabaseDamaged):
        registry.record(Decision(), Request("written while broken"))
    db.write_bytes(backup.read_bytes())  # the operator restores the backup in place
    assert len(registry.people()) == 2000
    assert any("database health: OK again" in r.getMessage() for r in caplog.records)
    registry.record(Decision(), Request("written after the restore"))
    prompts = [entry["prompt"] for entry in registry.audit_entries(10)]
    assert "written after the restore" in prompts and "written while broken" in prompts
    registry.close()


def test_a_file_that_disappears_is_not_silently_replaced_by_an_empty_one(tmp_path):
    db = tmp_path / "easel.sqlite3"
    registry = filled_registry(db, people=10)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    with pytest.raises(DatabaseDamaged, match="disappeared"):
        registry.version()
    with pytest.raises(DatabaseDamaged):  # still, and no new empty registry was created
        registry.people()
    assert not db.exists()
    registry.close()


def test_the_cli_says_what_is_wrong_instead_of_a_traceback(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "easel.sqlite3").write_bytes(b"garbage" * 1000)
    env = {**os.environ, "EASEL_DATA_DIR": str(data)}
    listed = subprocess.run(
        [sys.executable, "-m", "chat.cli", "optout", "list"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 2 and "damaged" in listed.stderr and "Traceback" not in listed.stderr
    checked = subprocess.run(
        [sys.executable, "-m", "chat.cli", "db", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 1 and json.loads(checked.stdout.splitlines()[-1])["status"] == "damaged"


# -- retention ------------------------------------------------------------------------------------


def test_old_audit_prompts_are_purged_and_decisions_kept(tmp_path):
    db = tmp_path / "easel.sqlite3"
    registry = OptOutRegistry(db, retention_days=30)
    registry.record(Decision(), Request("an old secret prompt", context=("an old earlier turn",)))
    registry.record(
        Decision(allowed=False, category="graphic_gore", reason="gore meant to shock"),
        Request("a recent prompt", context=("a recent earlier turn",)),
    )
    registry.conn.execute(
        "UPDATE audit_log SET created_at = created_at - 31 * 86400 WHERE prompt = 'an old secret prompt'"
    )
    assert registry.purge_audit() == 1
    entries = {e["decision_id"]: e for e in registry.audit_entries(10)}
    old, recent = sorted(entries.values(), key=lambda e: e["created_at"])
    assert old["prompt"] == "" and old["context"] == [] and old["reason"] == "" and old["scores"]
    assert recent["prompt"] == "a recent prompt" and recent["context"] == ["a recent earlier turn"]
    registry.close()
    # secure_delete and the checkpoint: the purged words are not left anywhere in the files.
    for suffix in ("", "-wal"):
        path = Path(str(db) + suffix)
        if path.exists():
            assert b"old secret prompt" not in path.read_bytes() and b"old earlier turn" not in path.read_bytes()


def test_audit_purge_command(tmp_path):
    data = tmp_path / "data"
    registry = OptOutRegistry(data / "easel.sqlite3")
    registry.record(Decision(), Request("a prompt from long ago"))
    registry.conn.execute("UPDATE audit_log SET created_at = created_at - 100 * 86400")
    registry.record(Decision(), Request("a prompt from today"))
    registry.close()
    env = {**os.environ, "EASEL_DATA_DIR": str(data), "EASEL_AUDIT_RETENTION_DAYS": "90"}
    done = subprocess.run(
        [sys.executable, "-m", "chat.cli", "audit", "purge"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"purged": 1, "older_than_days": 90}
    done = subprocess.run(
        [sys.executable, "-m", "chat.cli", "audit", "purge", "--days", "0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(done.stdout.splitlines()[-1])["purged"] == 1
    assert [e["prompt"] for e in OptOutRegistry(data / "easel.sqlite3").audit_entries(5)] == ["", ""]


# -- through the policy gate: no picture, a clear message, within the acceptance time -------------


@pytest.fixture
def studio(tmp_path):
    import torch

    from chat.pictures import Studio
    from chat.settings import Settings
    from tests.conftest import MODEL_CACHE

    torch.set_num_threads(1)
    settings = Settings(data_dir=tmp_path / "data", EASEL_MODEL_CACHE_DIR=MODEL_CACHE)
    studio = Studio.from_settings(settings)
    studio.policy_agent.registry.import_entries({f"Person Number{i:05d}": [] for i in range(2000)})
    studio.settings = settings
    yield studio
    studio.policy_agent.registry.close()


def asked(text: str):
    from chat.session import ChatSession

    session = ChatSession()
    session.add_user(text)
    return session


def pictures_on_disk(studio) -> list[Path]:
    return list(studio.image_dir.rglob("*.png")) if studio.image_dir.exists() else []


@pytest.mark.slow
def test_a_locked_database_refuses_the_picture_within_three_seconds(studio, lock_holder):
    assert studio._check(asked("draw a red bicycle"), "a red bicycle").allowed  # warm, and working
    holder = lock_holder(studio.settings.database_path)
    started = time.monotonic()
    outcome = studio.generate(asked("draw a red bicycle"), "a red bicycle")
    elapsed = time.monotonic() - started
    assert elapsed < 3.0, elapsed
    assert outcome.picture is None and outcome.refused and outcome.decision.category == "policy_error"
    assert "busy" in outcome.text and "try again" in outcome.text
    assert pictures_on_disk(studio) == []
    holder.stdin.close()
    holder.wait(timeout=30)
    outcome = studio.generate(asked("draw a red bicycle"), "a red bicycle")  # the lock is gone: it draws
    assert outcome.picture is not None, outcome.text
    rows = studio.policy_agent.registry.audit_entries(10)
    assert any(r["category"] == "policy_error" and "not acted on" in r["reason"] for r in rows)  # the refused one


@pytest.mark.slow
def test_a_damaged_database_makes_no_picture_and_the_operator_page_says_why(studio):
    from chat.operator import OperatorHandlers

    assert studio._check(asked("draw a red bicycle"), "a red bicycle").allowed
    registry = studio.policy_agent.registry
    registry.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    corrupt(studio.settings.database_path)
    outcome = studio.generate(asked("draw a red bicycle"), "a red bicycle")
    assert outcome.picture is None and outcome.refused and "damaged" in outcome.text
    assert pictures_on_disk(studio) == []
    password = "a long operator password"
    operator = OperatorHandlers.from_settings(studio.settings.model_copy(update={"operator_password": password}))
    _, grant = operator.api_unlock(password, "", None)
    people, audit, note = operator.tables(grant)
    assert people == [] and "is damaged" in note and "Stop Easel, restore the file from a backup" in note
