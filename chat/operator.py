"""The operator page: the opt-out registry and the audit log, behind a password.

The password comes from `EASEL_OPERATOR_PASSWORD`; without it the page stays locked, and a weak
one (under 12 characters, or fewer than 6 different ones) stops the server from starting. An
unlock is kept on the server only: the tab's `gr.State` holds a random grant id that means
nothing without the server's record of it, which is bound to the session that entered the
password and lasts `EASEL_OPERATOR_SESSION_MINUTES`.

Wrong passwords are counted per client address, per session and for the account as a whole
(`PasswordThrottle`): a few typos cost nothing, then every further failure locks that client and
that session out for a back-off that doubles each time, up to 15 minutes; the account is locked
the same way after a few more failures from anywhere, so forged addresses and fresh sessions gain
nothing. While locked out, even the right password is refused without being compared, and the
attempt does not count (a lockout always ends). The counts live in the database
(`SharedPasswordThrottle`), so guesses spread over several replicas of one deployment lock out as
they would on one; while the database cannot keep them, each process counts on its own (as
before), so the operator can still unlock the page and read what is wrong. Every failure, lockout
and unlock goes to the audit log (the attempted password never does). Database faults are said in words on the page,
never as a blank error.
"""

from __future__ import annotations

import hmac
import math
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from chat.clients import client_key, session_key
from chat.credentials import ContentCredentials
from policy.registry import DatabaseProblem, OptOutRegistry

LOCKED = "Enter the operator password to manage the opt-out registry and read the audit log."
EXPIRED = (
    "Your operator session has ended ({minutes:g} minutes after the password was entered). Enter the password again."
)
DISABLED = "The operator page is disabled: set EASEL_OPERATOR_PASSWORD to enable it."
MIN_PASSWORD_CHARS = 12
MIN_DISTINCT_CHARS = 6
# The account as a whole: this many failures from anywhere, then the same doubling back-off.
ACCOUNT_FREE_ATTEMPTS = 5
ACCOUNT_KEY = "account:operator"


class WeakPasswordError(ValueError):
    """EASEL_OPERATOR_PASSWORD is too easy to guess; the server does not start with it."""


def password_problem(password: str | None) -> str | None:
    """Why this operator password is too weak to serve with (None: it is fine, or unset)."""
    if not password:
        return None
    if len(password) < MIN_PASSWORD_CHARS or len(set(password)) < MIN_DISTINCT_CHARS:
        return (
            f"EASEL_OPERATOR_PASSWORD is too weak: use at least {MIN_PASSWORD_CHARS} characters with at least "
            f"{MIN_DISTINCT_CHARS} different ones (a few random words work well), or unset it to keep the "
            "operator page locked."
        )
    return None


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0
    last: float = 0.0


class PasswordThrottle:
    """Wrong passwords per key (a client address, a session), with a growing back-off.

    The first `free_attempts` failures of a key cost nothing; the next one locks the key for
    `base_seconds`, and each further one doubles that, up to `max_seconds`. A key's failures are
    forgotten after `forget_after` seconds without a new one, or at a successful unlock."""

    def __init__(
        self,
        base_seconds: float = 30.0,
        free_attempts: int = 4,
        max_seconds: float = 15 * 60,
        forget_after: float = 24 * 3600,
        max_keys: int = 50_000,
        clock=time.monotonic,
    ):
        self.base_seconds = base_seconds
        self.free_attempts = free_attempts
        self.max_seconds = max_seconds
        self.forget_after = forget_after
        self.max_keys = max_keys
        self.clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, _Failures] = {}

    def wait(self, keys: list[str]) -> float:
        """Seconds until these keys may try again (0: now)."""
        now = self.clock()
        with self._lock:
            return max([0.0] + [f.locked_until - now for k in keys if (f := self._failures.get(k))])

    def fail(self, keys: list[str]) -> tuple[int, float]:
        """Count a wrong password; returns (the most failures of any key, the lockout it earned)."""
        now = self.clock()
        with self._lock:
            self._prune(now)
            most, lock = 0, 0.0
            for key in keys:
                entry = self._failures.get(key)
                if entry is None or now - entry.last > self.forget_after:
                    entry = self._failures[key] = _Failures()
                entry.count += 1
                entry.last = now
                over = entry.count - self.free_attempts
                if over > 0:
                    seconds = min(self.max_seconds, self.base_seconds * 2 ** (over - 1))
                    entry.locked_until = max(entry.locked_until, now + seconds)
                    lock = max(lock, entry.locked_until - now)
                most = max(most, entry.count)
            # (now + 60) - now can come back as 60.000000000007: shown rounded up, that was "61 s".
            return most, round(lock, 6)

    def succeed(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _prune(self, now: float) -> None:
        if len(self._failures) < self.max_keys:
            return
        for key in [k for k, f in self._failures.items() if now - f.last > self.forget_after]:
            del self._failures[key]
        if len(self._failures) >= self.max_keys:  # a flood of new sessions: keep the newest half
            newest = sorted(self._failures.items(), key=lambda item: item[1].last)[len(self._failures) // 2 :]
            self._failures = dict(newest)


class SharedPasswordThrottle:
    """`PasswordThrottle`'s rule with its counts in the database (`operator_throttle`), shared by
    every replica on it; times are the handlers' wall clock. While the database cannot be used,
    this process's own `PasswordThrottle` counts instead (a damaged database must not lock the
    operator out of the page that says so)."""

    def __init__(
        self,
        registry,
        base_seconds: float = 30.0,
        free_attempts: int = 4,
        max_seconds: float = 15 * 60,
        forget_after: float = 24 * 3600,
        clock=time.time,
    ):
        self.registry = registry  # a callable: the handlers' OptOutRegistry
        self.base_seconds = base_seconds
        self.free_attempts = free_attempts
        self.max_seconds = max_seconds
        self.forget_after = forget_after
        self.clock = clock
        self.local = PasswordThrottle(base_seconds, free_attempts, max_seconds, forget_after, clock=clock)

    def wait(self, keys: list[str]) -> float:
        now = self.clock()
        try:
            state = self.registry().throttle_state(keys)
        except DatabaseProblem:
            return self.local.wait(keys)
        shared = max([0.0] + [locked_until - now for _failures, locked_until, _last in state.values()])
        return max(shared, self.local.wait(keys))

    def fail(self, keys: list[str]) -> tuple[int, float]:
        now = self.clock()

        def count(state: dict) -> tuple[dict, tuple[int, float]]:
            most, lock, new = 0, 0.0, {}
            for key in keys:
                failures, locked_until, last = state.get(key, (0, 0.0, now))
                if now - last > self.forget_after:
                    failures, locked_until = 0, 0.0
                failures += 1
                over = failures - self.free_attempts
                if over > 0:
                    seconds = min(self.max_seconds, self.base_seconds * 2 ** (over - 1))
                    locked_until = max(locked_until, now + seconds)
                    lock = max(lock, locked_until - now)
                most = max(most, failures)
                new[key] = (failures, locked_until, now)
            return new, (most, round(lock, 6))

        try:
            return self.registry().throttle_update(keys, count, now, now - self.forget_after)
        except DatabaseProblem:
            return self.local.fail(keys)

    def succeed(self, keys: list[str]) -> None:
        self.local.succeed(keys)
        try:
            self.registry().throttle_forget(keys)
        except DatabaseProblem:
            pass


class OperatorHandlers:
    def __init__(
        self,
        db_path,
        password: str | None,
        *,
        session_minutes: float = 30,
        lockout_seconds: float = 30,
        busy_timeout: float = 2.0,
        retention_days: int = 30,
        min_free_mb: float = 200,
        clock=time.time,
        credentials=None,
    ):
        problem = password_problem(password)
        if problem:
            raise WeakPasswordError(problem)
        self.db_path = db_path
        self.password = password
        self.session_minutes = session_minutes
        self.retention_days = retention_days
        self.busy_timeout = busy_timeout
        self.min_free_mb = min_free_mb
        self.clock = clock
        self.credentials = credentials  # the deployment's signing identity, for "Was this made here?"
        self.throttle = SharedPasswordThrottle(self.registry, base_seconds=lockout_seconds, clock=clock)
        self.account_throttle = SharedPasswordThrottle(
            self.registry, base_seconds=lockout_seconds, free_attempts=ACCOUNT_FREE_ATTEMPTS, clock=clock
        )
        self._grants: dict[str, tuple[float, str]] = {}  # grant id -> (unlock time, session key)
        self._grants_lock = threading.Lock()
        self._registry: OptOutRegistry | None = None
        self._registry_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> OperatorHandlers:
        return cls(
            settings.database_path,
            settings.operator_password,
            session_minutes=settings.operator_session_minutes,
            lockout_seconds=settings.operator_lockout_seconds,
            busy_timeout=settings.db_busy_timeout,
            retention_days=settings.audit_retention_days,
            min_free_mb=settings.min_free_mb,
            credentials=ContentCredentials.from_settings(settings),
        )

    def registry(self) -> OptOutRegistry:
        """One registry for the page, kept open: it remembers the file it checked, so a file that
        disappears or breaks under the running app is reported, not silently re-created."""
        with self._registry_lock:
            if self._registry is None:
                self._registry = OptOutRegistry(
                    self.db_path,
                    busy_timeout=self.busy_timeout,
                    retention_days=self.retention_days,
                    min_free_mb=self.min_free_mb,
                )
            return self._registry

    # -- the password -------------------------------------------------------------------------

    def try_password(self, attempt: str, request: gr.Request | None) -> tuple[bool, str]:
        """(unlocked, what to tell the person)."""
        if not self.password:
            return False, DISABLED
        keys = [client_key(request), session_key(request)]
        wait = max(self.throttle.wait(keys), self.account_throttle.wait([ACCOUNT_KEY]))
        if wait > 0:  # the attempt is not even compared: guessing faster gains nothing
            return False, f"Too many wrong passwords. Try again in {math.ceil(wait)} s."
        who = f"client {keys[0].removeprefix('client:')}, session {keys[1].removeprefix('session:')[:8]}"
        if isinstance(attempt, str) and hmac.compare_digest(attempt.encode(), self.password.encode()):
            self.throttle.succeed(keys)
            self.account_throttle.succeed([ACCOUNT_KEY])
            self.registry().record_event("operator_unlocked", f"operator page unlocked ({who})")
            return True, "Unlocked."
        failures, lock = self.throttle.fail(keys)
        account_failures, account_lock = self.account_throttle.fail([ACCOUNT_KEY])
        reason = f"wrong operator password ({who}); failure {failures}, {account_failures} on the account"
        lock = max(lock, account_lock)
        if lock:
            reason += f"; locked out for {math.ceil(lock)} s"
        self.registry().record_event("operator_login_failed", reason)
        if lock:
            return False, f"Wrong password. Too many wrong passwords: try again in {math.ceil(lock)} s."
        return False, "Wrong password."

    def unlock(self, attempt: str, grant, request: gr.Request):
        """The page's Unlock button and Enter: (grant id, note, panel, people, audit, database note)."""
        ok, note = self.try_password(attempt, request)
        if not ok:
            return "", note, gr.update(visible=False), [], [], ""
        grant = self._grant(request)
        people, audit, health = self.tables(grant, request)
        return grant, note, gr.update(visible=True), people, audit, health

    def api_unlock(self, attempt: str, grant, request: gr.Request):
        """The `operator_unlock` endpoint: (what the page would say, grant id for the session's state)."""
        ok, note = self.try_password(attempt, request)
        return note, (self._grant(request) if ok else "")

    def _grant(self, request) -> str:
        grant = secrets.token_urlsafe(24)
        now = self.clock()
        with self._grants_lock:
            limit = self.session_minutes * 60
            self._grants = {g: v for g, v in self._grants.items() if now - v[0] < limit}
            self._grants[grant] = (now, session_key(request))
        return grant

    def active(self, grant, request=None) -> bool:
        """Whether this grant id unlocks the page now: the server made it, for this session (when
        the request is known), less than EASEL_OPERATOR_SESSION_MINUTES ago."""
        if not isinstance(grant, str) or not grant:
            return False
        with self._grants_lock:
            record = self._grants.get(grant)
        if record is None:
            return False
        unlocked_at, session = record
        if request is not None and session_key(request) != session:
            return False
        return 0 <= self.clock() - unlocked_at < self.session_minutes * 60

    def _locked_note(self, grant, request=None) -> str:
        with self._grants_lock:
            record = self._grants.get(grant) if isinstance(grant, str) else None
        mine = record is not None and (request is None or record[1] == session_key(request))
        return EXPIRED.format(minutes=self.session_minutes) if mine else LOCKED

    # -- what the panel shows -----------------------------------------------------------------

    def tables(self, unlocked_at, request=None) -> tuple[list, list, str]:
        """(people rows, audit rows, database note); empty when locked or when the database fails."""
        if not self.active(unlocked_at, request):
            return [], [], self._locked_note(unlocked_at, request)
        from policy.registry import outcome_text

        registry = self.registry()
        try:
            people = [[p.name, ", ".join(p.aliases), "\n".join(p.descriptions)] for p in registry.people()]
            entries = registry.audit_entries(limit=200)
        except DatabaseProblem as problem:
            return [], [], f"⚠️ {problem.operator_message}"
        audit = [
            [
                time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e["created_at"])),
                f"allowed · {outcome_text(e)}" if e["allowed"] else _not_allowed(e),
                e["category"],
                e["prompt"] or ("—" if e["reason"] else f"(removed after {self.retention_days} days)"),
                e["reason"],
            ]
            for e in entries
        ]
        health = registry.health()
        if "people" not in health:  # the database failed between the two reads
            return people, audit, f"⚠️ {health['detail']}"
        note = (
            f"Database: ok · {health.get('people', 0)} people on the registry · {health.get('audit_rows', 0)} audit "
            f"rows · prompts are kept {self.retention_days} days"
        )
        if health.get("pending_audit_rows"):
            note += f" · {health['pending_audit_rows']} audit rows wait to be written"
        if health.get("no_outcome_rows"):
            note += (
                f" · {health['no_outcome_rows']} allowed pictures have no outcome recorded (the process stopped "
                "before it finished them)"
            )
        if health["status"] != "ok":  # the data folder's disk: low on space, full or read-only
            note = f"⚠️ {health['detail']} · {note}"
        return people, audit, note

    def refresh(self, unlocked_at, request: gr.Request = None):
        """Refresh: (people, audit, database note, panel)."""
        people, audit, note = self.tables(unlocked_at, request)
        return people, audit, note, gr.update(visible=self.active(unlocked_at, request))

    def add_person(self, name: str, aliases: str, unlocked_at, descriptions: str = "", request: gr.Request = None):
        """Add a person, or aliases and descriptions to one already registered: (note, people, panel).
        Aliases are comma-separated, descriptions one a line (they may hold commas)."""
        if not self.active(unlocked_at, request):
            return self._locked_note(unlocked_at, request), [], gr.update(visible=False)
        name = (name or "").strip() if isinstance(name, str) else ""
        if not name:
            return "Type the name to add.", self.tables(unlocked_at, request)[0], gr.update()
        alias_list = [a.strip() for a in (aliases if isinstance(aliases, str) else "").split(",") if a.strip()]
        description_list = [
            line.strip()
            for line in (descriptions if isinstance(descriptions, str) else "").splitlines()
            if line.strip()
        ]
        try:
            self.registry().add(name, alias_list, description_list)
        except DatabaseProblem as problem:
            return f"⚠️ Not added. {problem.operator_message}", [], gr.update()
        except ValueError as problem:  # an unsafe alias, a description too short: nothing was added
            return f"Not added: {problem}.", self.tables(unlocked_at, request)[0], gr.update()
        return f"Added {name}. New requests see it at once.", self.tables(unlocked_at, request)[0], gr.update()

    def remove_details(self, name: str, aliases: str, unlocked_at, descriptions: str = "", request: gr.Request = None):
        """Remove the listed aliases (comma-separated) and descriptions (one a line) of a registered
        person, who stays registered: (note, people, panel)."""
        if not self.active(unlocked_at, request):
            return self._locked_note(unlocked_at, request), [], gr.update(visible=False)
        name = (name or "").strip() if isinstance(name, str) else ""
        alias_list = [a.strip() for a in (aliases if isinstance(aliases, str) else "").split(",") if a.strip()]
        description_list = [
            line.strip()
            for line in (descriptions if isinstance(descriptions, str) else "").splitlines()
            if line.strip()
        ]
        if not name or not (alias_list or description_list):
            return (
                "Type the name, and the aliases or descriptions to remove.",
                self.tables(unlocked_at, request)[0],
                gr.update(),
            )
        try:
            removed = self.registry().remove_details(name, alias_list, description_list)
        except DatabaseProblem as problem:
            return f"⚠️ Not removed. {problem.operator_message}", [], gr.update()
        wanted = len(alias_list) + len(description_list)
        return f"Removed {removed} of {wanted} from {name}.", self.tables(unlocked_at, request)[0], gr.update()

    def remove_person(self, name: str, unlocked_at, request: gr.Request = None):
        """(note, people, panel)."""
        if not self.active(unlocked_at, request):
            return self._locked_note(unlocked_at, request), [], gr.update(visible=False)
        name = (name or "").strip() if isinstance(name, str) else ""
        try:
            removed = self.registry().remove(name)
        except DatabaseProblem as problem:
            return f"⚠️ Not removed. {problem.operator_message}", [], gr.update()
        note = f"Removed {name}." if removed else f"{name!r} is not in the registry."
        return note, self.tables(unlocked_at, request)[0], gr.update()

    def verify(self, file, unlocked_at, request: gr.Request = None) -> str:
        """ "Was this made here?" for an uploaded picture, in words: from its Content Credentials
        when they are this deployment's and valid, else from the nearest perceptual hash, with
        the time, model and decision of its audit row (never its prompt)."""
        from chat.credentials import answer_text, verify_file

        if not self.active(unlocked_at, request):
            return self._locked_note(unlocked_at, request)
        path = file if isinstance(file, str) else getattr(file, "name", None) or (file or {}).get("path")
        if not path:
            return "Choose a picture first."
        try:
            answer, _status = verify_file(Path(path), self.registry(), self.credentials)
        except DatabaseProblem as problem:
            return f"⚠️ Not checked. {problem.operator_message}"
        return answer_text(answer)


def _not_allowed(entry: dict) -> str:
    """An audit row that allowed no picture: a refusal, or an event such as a password attempt
    (an unlock, a wrong password: no request, a category of its own), which refused nothing."""
    return "event" if entry["category"].startswith("operator_") and not entry["prompt"] else "refused"
