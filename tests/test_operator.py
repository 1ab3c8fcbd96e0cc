"""The operator page's password: back-off and lockout per client and per session, the audit trail
of attempts, sessions that expire, database faults said in words. The throttle runs on a fake
clock; the handlers on a real SQLite file."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from chat.clients import client_key
from chat.operator import LOCKED, OperatorHandlers, PasswordThrottle, WeakPasswordError
from policy.registry import OptOutRegistry

PASSWORD = "correct horse battery staple"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def request(host="198.51.100.4", session="s1"):
    return SimpleNamespace(client=SimpleNamespace(host=host), session_hash=session)


def test_a_few_typos_cost_nothing_then_the_back_off_doubles_up_to_a_cap():
    clock = Clock()
    throttle = PasswordThrottle(base_seconds=30, free_attempts=4, max_seconds=900, clock=clock)
    keys = ["client:a", "session:x"]
    for _ in range(4):
        assert throttle.fail(keys)[1] == 0 and throttle.wait(keys) == 0
    locks = []
    for _ in range(7):
        failures, lock = throttle.fail(keys)
        locks.append(lock)
        clock.now += lock  # wait it out, then fail again
    assert locks == [30, 60, 120, 240, 480, 900, 900]
    assert throttle.wait(["client:b", "session:y"]) == 0  # other clients, other sessions are not affected


def test_a_lockout_holds_for_either_key_and_success_clears_it():
    clock = Clock()
    throttle = PasswordThrottle(base_seconds=10, free_attempts=1, clock=clock)
    throttle.fail(["client:a", "session:1"])
    throttle.fail(["client:a", "session:2"])  # a new session from the same client: the client counts 2
    assert throttle.wait(["client:a", "session:3"]) == pytest.approx(10)
    assert throttle.wait(["client:b", "session:2"]) == 0  # session 2 failed once only: within its free attempt
    clock.now += 11
    throttle.succeed(["client:a", "session:3"])
    assert throttle.fail(["client:a", "session:4"])[1] == 0  # counting starts again after a success


def test_failures_are_forgotten_after_a_quiet_day_and_the_table_stays_bounded():
    clock = Clock()
    throttle = PasswordThrottle(base_seconds=10, free_attempts=1, forget_after=3600, max_keys=100, clock=clock)
    throttle.fail(["client:a"])
    clock.now += 3601
    assert throttle.fail(["client:a"]) == (1, 0)
    for i in range(1000):
        throttle.fail([f"session:{i}"])
    assert len(throttle._failures) <= 100


def test_ipv6_clients_count_by_their_network():
    assert client_key(request("2001:db8:1:2::1")) == client_key(request("2001:db8:1:2:ffff::9"))
    assert client_key(request("2001:db8:1:3::1")) != client_key(request("2001:db8:1:2::1"))
    assert client_key(request("::ffff:192.0.2.7")) == client_key(request("192.0.2.7"))
    assert client_key(None) == "client:unknown"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def operator(tmp_path, clock):
    handlers = OperatorHandlers(
        tmp_path / "easel.sqlite3", PASSWORD, session_minutes=30, lockout_seconds=60, clock=clock
    )
    yield handlers
    handlers.registry().close()


def test_after_five_wrong_passwords_the_right_one_is_refused(operator):
    for attempt in range(5):
        ok, note = operator.try_password(f"guess {attempt}", request())
        assert not ok
    assert "try again in 60 s" in note
    ok, note = operator.try_password(PASSWORD, request())
    assert not ok and note.startswith("Too many wrong passwords")
    ok, _ = operator.try_password(PASSWORD, request(host="198.51.100.99", session="s2"))
    assert ok  # the operator at another address, in another session, gets in


def test_attempts_are_in_the_audit_log_and_the_passwords_are_not(operator):
    operator.try_password("hunter2-guess", request())
    operator.try_password(PASSWORD, request())
    entries = operator.registry().audit_entries(10)
    assert [e["category"] for e in entries] == ["operator_unlocked", "operator_login_failed"]
    assert "198.51.100.4" in entries[1]["reason"] and "failure 1" in entries[1]["reason"]
    assert all("hunter2" not in e["reason"] and PASSWORD not in e["reason"] for e in entries)
    assert all(not e["allowed"] for e in entries)


def test_an_unlock_is_kept_on_the_server_for_its_session_and_expires(operator, clock):
    grant, note, _panel, people, audit, health = operator.unlock(PASSWORD, "", request())
    assert note == "Unlocked." and "Database: ok" in health
    assert operator.active(grant, request())
    assert operator.add_person("Zara Quill", "", grant, "", request())[0].startswith("Added")
    # The grant id means nothing in another session, nor made up, nor in an old-style state.
    assert operator.add_person("Ignatius Fairweather", "", grant, "", request(session="s2"))[0] == LOCKED
    for forged in (True, 0.0, time.time(), "made-up-grant", None):
        assert not operator.active(forged, request())
    clock.now += 31 * 60
    note, people, panel = operator.add_person("Ignatius Fairweather", "", grant, "", request())
    assert "ended" in note and people == [] and panel["visible"] is False
    assert [p.name for p in operator.registry().people()] == ["Zara Quill"]


def test_the_account_locks_whatever_address_and_session_a_guess_claims(operator, clock):
    """Guesses from 100 forged addresses, each in a fresh session: the account itself is locked
    after a few, even the right password is refused until the back-off ends, then it opens."""
    notes = [
        operator.try_password(f"guess {i}", request(host=f"203.0.113.{i}", session=f"f{i}"))[1] for i in range(100)
    ]
    first_refusal = next(i for i, note in enumerate(notes) if note.startswith("Too many"))
    assert first_refusal <= 10
    assert all(note.startswith("Too many") for note in notes[first_refusal:])
    failures = [e for e in operator.registry().audit_entries(200) if e["category"] == "operator_login_failed"]
    assert len(failures) == first_refusal  # refused attempts are not compared, nor counted
    operator_elsewhere = request(host="198.51.100.250", session="operator")
    assert not operator.try_password(PASSWORD, operator_elsewhere)[0]
    clock.now += 61
    assert operator.try_password(PASSWORD, operator_elsewhere) == (True, "Unlocked.")


@pytest.mark.parametrize("weak", ["short", "aaaaaaaaaaaaaaaa", "abababababab"])
def test_a_weak_password_stops_the_server(tmp_path, weak):
    with pytest.raises(WeakPasswordError, match="at least 12 characters"):
        OperatorHandlers(tmp_path / "easel.sqlite3", weak)


def test_descriptions_are_shown_added_and_removed_like_aliases(operator):
    unlocked_at = operator.unlock(PASSWORD, "", request())[0]
    descriptions = "the keeper of the harbour lantern\nla reina del farol, la del puerto\n"
    note, people, _ = operator.add_person("Zara Quill", "The Lantern Queen", unlocked_at, descriptions)
    assert note.startswith("Added")
    assert people == [
        ["Zara Quill", "The Lantern Queen", "the keeper of the harbour lantern\nla reina del farol, la del puerto"]
    ]
    note, people, _ = operator.add_person("Ignatius Fairweather", "ZQ", unlocked_at)
    assert note.startswith("Not added") and "'ZQ'" in note and "too short" in note
    assert [row[0] for row in people] == ["Zara Quill"]
    note, people, _ = operator.remove_details("Zara Quill", "", unlocked_at, "la reina del farol, la del puerto")
    assert note == "Removed 1 of 1 from Zara Quill."
    assert people == [["Zara Quill", "The Lantern Queen", "the keeper of the harbour lantern"]]


def test_a_damaged_database_is_said_in_words_on_the_page(operator, tmp_path):
    unlocked_at = operator.unlock(PASSWORD, "", request())[0]
    registry = operator.registry()
    registry.import_entries({f"Person Number{i:05d}": [] for i in range(2000)})
    registry.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(tmp_path / "easel.sqlite3", "r+b") as handle:
        handle.seek(8192)
        handle.write(b"\x00\xff" * 16384)
    people, audit, note = operator.tables(unlocked_at)
    assert people == [] and audit == []
    assert "is damaged" in note and "backup" in note
    note, _, _ = operator.add_person("Zara Quill", "", unlocked_at)
    assert note.startswith("⚠️ Not added") and "damaged" in note
    # A wrong password is still counted and kept (in the pending file) while the database is broken.
    assert not operator.try_password("a guess", request(session="s9"))[0]
    assert "operator_login_failed" in (tmp_path / "easel.sqlite3.audit-pending.jsonl").read_text()


def test_without_a_password_the_page_stays_disabled(tmp_path):
    handlers = OperatorHandlers(tmp_path / "easel.sqlite3", None)
    ok, note = handlers.try_password("", request())
    assert not ok and "EASEL_OPERATOR_PASSWORD" in note
    assert OptOutRegistry(tmp_path / "easel.sqlite3").audit_entries() == []
    assert time.time() > 0


def test_the_audit_view_lists_password_events_as_events_not_refusals(operator):
    """A successful unlock refused nothing; it (and a wrong password) shows as an event."""
    assert not operator.try_password("a guess", request(session="s7"))[0]
    unlocked_at = operator.unlock(PASSWORD, "", request())[0]
    _people, audit, _note = operator.tables(unlocked_at)
    rows = {row[2]: row[1] for row in audit}
    assert rows["operator_unlocked"] == "event" and rows["operator_login_failed"] == "event"
    assert "refused" not in rows.values()
