"""The policy's database on both backends (issue #28): a SQLite file and a real PostgreSQL server
started for the test run (tests/postgres_server.py). The registry, the audit log, the operator's
password throttle and the picture records behave the same on both; a file written by the release
before SQLAlchemy (schema 3, tests/data/registry_v3.sqlite3) is upgraded in place with every row;
`easel db upgrade` and `easel db check` work on both; and two replicas on one server see each
other's changes at their next check."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from chat.operator import ACCOUNT_KEY, OperatorHandlers
from policy import database
from policy.registry import OptOutRegistry, outcome_text

REPO = Path(__file__).resolve().parents[1]
V3_FILE = REPO / "tests" / "data" / "registry_v3.sqlite3"
EASEL = Path(sys.executable).with_name("easel")
PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.timeout(300)


class Decision:
    def __init__(self, allowed=True, category="allowed", reason="no aspect applies"):
        self.decision_id, self.allowed, self.category, self.reason = os.urandom(8).hex(), allowed, category, reason
        self.scores = {"graphic_gore": 0.1}


class Request:
    def __init__(self, prompt="a red bicycle", context=()):
        self.prompt, self.context, self.is_edit, self.source_prompt, self.user_age = prompt, context, False, None, None


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


def web_request(host="198.51.100.4", session="s1"):
    from types import SimpleNamespace

    return SimpleNamespace(client=SimpleNamespace(host=host), session_hash=session)


def easel(*args, env_extra, timeout=120):
    env = {**os.environ, **env_extra}
    return subprocess.run([str(EASEL), *args], capture_output=True, text=True, env=env, timeout=timeout)


# -- the same behaviour on both ------------------------------------------------------------------


def test_the_registry_on_both_backends(database):
    registry = OptOutRegistry(database)
    start = registry.version()
    person = registry.add("Zara Quill", ["Z. Quill"], ["the poet who wrote Glass Orchards"])
    assert registry.add("Zara Quill", ["Zee Quill"]) == person  # the same person, one more alias
    assert registry.version() > start
    registry.add("Marek Dvořák")
    assert registry.export() == {
        "Marek Dvořák": [],
        "Zara Quill": {"aliases": ["Z. Quill", "Zee Quill"], "descriptions": ["the poet who wrote Glass Orchards"]},
    }
    version, people = registry.snapshot()
    assert version == registry.version() and {p.name for p in people} == {"Zara Quill", "Marek Dvořák"}
    _, described = registry.description_snapshot()
    assert [(d.name, d.description) for d in described] == [("Zara Quill", "the poet who wrote Glass Orchards")]
    assert registry.remove_details("Zee Quill", aliases=["Z. Quill"]) == 1
    before = registry.version()
    assert registry.remove("z quill") is False and registry.remove("ZEE QUILL") is True
    assert registry.version() > before
    assert registry.import_entries({"Ottilie Brennan-Vasquez": ["Otti BV"], "Ignatius Fairweather": []}) == 2
    assert registry.import_entries({"Only One": []}, replace=True) == 1
    assert [p.name for p in registry.people()] == ["Only One"]
    registry.close()


def test_the_audit_log_outcomes_and_purge_on_both_backends(database):
    registry = OptOutRegistry(database)
    allowed, refused = Decision(), Decision(False, "graphic_gore", "gore meant to shock")
    registry.record(allowed, Request("a red bicycle", ["an earlier turn"]))
    registry.record(refused, Request("something gory"))
    registry.set_outcome([allowed.decision_id], "delivered")
    registry.set_outcome([allowed.decision_id], "failed")  # a late outcome never overwrites one
    registry.record_event("operator_login_failed", "wrong operator password")
    entries = registry.audit_entries(10)
    assert [e["category"] for e in entries] == ["operator_login_failed", "graphic_gore", "allowed"]
    assert [outcome_text(e) for e in entries] == ["", "refused", "delivered"]
    assert entries[2]["context"] == ["an earlier turn"] and entries[2]["scores"] == {"graphic_gore": 0.1}
    assert registry.purge_audit(30) == 0
    assert registry.purge_audit(0) == 3
    assert {e["prompt"] for e in registry.audit_entries(10)} == {""}
    health = registry.health()
    assert health["status"] in ("ok", "disk low") and health["audit_rows"] == 3 and health["people"] == 0
    registry.close()


def test_picture_records_on_both_backends(database):
    registry = OptOutRegistry(database)
    decision = Decision()
    registry.record(decision, Request("a lighthouse"))
    registry.record_picture(decision.decision_id, "p1", "embedded", "phash", bytes([0b1010_1010] * 8))
    registry.record_picture(decision.decision_id, "p2", "embedded", "phash", bytes([0] * 8))
    [nearest, *_] = registry.nearest_pictures("phash", bytes([0b1010_1010] * 7 + [0b1010_1011]))
    assert nearest["picture_id"] == "p1" and nearest["distance"] == 1 and nearest["prompt"] == "a lighthouse"
    registry.close()


def test_the_operator_throttle_on_both_backends(database):
    clock = Clock()
    operator = OperatorHandlers(database, PASSWORD, lockout_seconds=60, clock=clock)
    notes = [
        operator.try_password(f"guess {i}", web_request(host=f"203.0.113.{i}", session=f"f{i}"))[1] for i in range(12)
    ]
    first_refusal = next(i for i, note in enumerate(notes) if note.startswith("Too many"))
    assert first_refusal <= 6
    assert not operator.try_password(PASSWORD, web_request(session="operator"))[0]  # the account is locked
    clock.now += 61
    assert operator.try_password(PASSWORD, web_request(session="operator")) == (True, "Unlocked.")
    assert operator.registry().throttle_state([ACCOUNT_KEY]) == {}  # forgotten after a success
    operator.registry().close()


# -- the upgrade of a file written by the release before SQLAlchemy ------------------------------


def test_a_schema_3_file_is_upgraded_in_place_with_every_row(tmp_path):
    db = tmp_path / "easel.sqlite3"
    shutil.copy(V3_FILE, db)
    old = sqlite3.connect(db)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 3
    counts = {t: old.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("people", "aliases", "audit_log")}
    version = old.execute("SELECT version FROM registry_version").fetchone()[0]
    old.close()
    registry = OptOutRegistry(db)
    assert registry.schema_revision() == database.HEAD
    assert registry.version() == version
    assert registry.export()["Zara Quill"] == {
        "aliases": ["Z. Quill", "Zee Quill"],
        "descriptions": ["the poet who wrote Glass Orchards"],
    }
    assert len(registry.people()) == counts["people"] == 4
    entries = registry.audit_entries(100)
    assert len(entries) == counts["audit_log"] == 4
    assert {e["decision_id"]: outcome_text(e) for e in entries}["a000000000000001"] == "delivered"
    registry.add("Ignatius Fairweather")
    assert registry.version() == version + 1  # the triggers still count
    registry.close()
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 4


def test_easel_db_upgrade_and_check_on_a_schema_3_file(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(V3_FILE, data / "easel.sqlite3")
    env = {"EASEL_DATA_DIR": str(data), "EASEL_MIN_FREE_MB": "0"}
    env.pop("EASEL_DATABASE_URL", None)
    upgraded = easel("db", "upgrade", env_extra=env)
    assert upgraded.returncode == 0, upgraded.stderr
    result = json.loads(upgraded.stdout.splitlines()[-1])
    assert result["before"] is None and result["after"] == database.HEAD
    again = json.loads(easel("db", "upgrade", env_extra=env).stdout.splitlines()[-1])
    assert again["before"] == again["after"] == database.HEAD
    checked = easel("db", "check", env_extra=env)
    assert checked.returncode == 0, checked.stderr
    health = json.loads(checked.stdout.splitlines()[-1])
    assert health["people"] == 4 and health["audit_rows"] == 4


def test_easel_db_upgrade_and_check_on_postgresql(postgres_url, tmp_path):
    env = {"EASEL_DATA_DIR": str(tmp_path), "EASEL_DATABASE_URL": postgres_url, "EASEL_MIN_FREE_MB": "0"}
    upgraded = easel("db", "upgrade", env_extra=env)
    assert upgraded.returncode == 0, upgraded.stderr
    result = json.loads(upgraded.stdout.splitlines()[-1])
    assert result["before"] is None and result["after"] == database.HEAD
    assert "postgresql" in result["database"]
    added = easel("optout", "add", "Zara Quill", "--alias", "Z. Quill", env_extra=env)
    assert added.returncode == 0, added.stderr
    checked = easel("db", "check", env_extra=env)
    assert checked.returncode == 0, checked.stderr
    health = json.loads(checked.stdout.splitlines()[-1])
    assert health["status"] == "ok" and health["people"] == 1
    listed = easel("optout", "list", "--json", env_extra=env)
    assert json.loads(listed.stdout.splitlines()[-1]) == {"Zara Quill": ["Z. Quill"]}


# -- replicas ------------------------------------------------------------------------------------


def test_a_change_on_one_replica_is_seen_by_the_other_at_its_next_check(postgres_url, tmp_path):
    """Two registries on one server, as two replicas hold them: the version every check reads
    moves with a change made by the other, at once."""
    replica_a = OptOutRegistry(postgres_url, data_dir=tmp_path / "a")
    replica_b = OptOutRegistry(postgres_url, data_dir=tmp_path / "b")
    seen = replica_b.version()
    for i in range(20):
        replica_a.add(f"Person Number{i:03d}")
        version, people = replica_b.snapshot()
        assert version > seen and f"Person Number{i:03d}" in {p.name for p in people}
        seen = version
    replica_a.close()
    replica_b.close()


# -- faults on a server: refused at once, in words, then healed by themselves ---------------------


def test_a_stopped_server_refuses_in_words_keeps_the_audit_rows_and_heals(postgres, postgres_url, tmp_path):
    from policy.registry import DatabaseUnreachable

    registry = OptOutRegistry(postgres_url, data_dir=tmp_path)
    registry.add("Zara Quill")
    postgres.stop()
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseUnreachable) as raised:
            registry.version()
        assert time.monotonic() - started < registry.busy_timeout + 1
        assert "try again in a moment" in raised.value.user_message
        with pytest.raises(DatabaseUnreachable):
            registry.record(Decision(), Request("drawn during the outage"))
        assert registry.health()["status"] == "unavailable"
    finally:
        postgres.start()
    assert registry.version() >= 1  # back by itself: no restart of the app
    registry.record(Decision(), Request("after the outage"))
    prompts = [e["prompt"] for e in registry.audit_entries(10)]
    assert "after the outage" in prompts and "drawn during the outage" in prompts  # the pending row, written
    assert not registry.pending_file.exists()
    registry.close()


def test_dropped_connections_are_replaced_before_use(postgres, postgres_url, tmp_path):
    registry = OptOutRegistry(postgres_url, data_dir=tmp_path)
    registry.add("Zara Quill")
    assert postgres.terminate_connections(make_url(postgres_url).database) >= 1
    assert [p.name for p in registry.people()] == ["Zara Quill"]  # no fault seen: the pool checks first
    registry.close()


def test_an_exhausted_pool_and_a_held_lock_refuse_within_the_wait(postgres, postgres_url, tmp_path):
    import psycopg

    from policy.registry import DatabaseSlow

    registry = OptOutRegistry(postgres_url, busy_timeout=1.0, data_dir=tmp_path)
    registry.add("Zara Quill")
    held = [registry._engine.connect() for _ in range(registry._engine.pool.size() * 2)]  # noqa: SLF001
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseSlow) as raised:
            registry.version()
        assert 0.9 <= time.monotonic() - started < 2.5
        assert "try again in a moment" in raised.value.user_message
    finally:
        for connection in held:
            connection.close()
    assert registry.version() >= 1
    # Another transaction holds the registry's version row (a long import elsewhere).
    name = make_url(postgres_url).database
    with psycopg.connect(host=str(postgres.folder), port=postgres.port, user="easel", dbname=name) as other:
        other.execute("UPDATE registry_version SET version = version + 1")
        started = time.monotonic()
        with pytest.raises(DatabaseSlow):
            registry.add("Ignatius Fairweather")
        assert time.monotonic() - started < 2.5
        other.rollback()
    registry.add("Ignatius Fairweather")
    assert len(registry.people()) == 2
    registry.close()


def test_a_restart_mid_traffic_loses_no_audit_row(postgres, postgres_url, tmp_path):
    """Eight threads write decisions while the server restarts: each write either lands or is
    refused (its row kept in the pending file); afterwards every row is in the audit log."""
    import threading

    from policy.registry import DatabaseProblem

    registry = OptOutRegistry(postgres_url, data_dir=tmp_path)
    registry.add("Zara Quill")
    written, refused, stop = [], [], threading.Event()

    def traffic(worker):
        n = 0
        while not stop.is_set():
            prompt = f"worker {worker} request {n}"
            try:
                registry.record(Decision(), Request(prompt))
                written.append(prompt)
            except DatabaseProblem as problem:
                assert "try again" in problem.user_message
                refused.append(prompt)
            n += 1
            time.sleep(0.01)

    threads = [threading.Thread(target=traffic, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    postgres.restart()
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join()
    registry.replay_pending()
    prompts = {e["prompt"] for e in registry.audit_entries(100_000)}
    assert set(written) <= prompts and set(refused) <= prompts
    assert len(written) > 0
    registry.close()
