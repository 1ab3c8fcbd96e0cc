"""Whose turn is it: one limit on turns running at once, and a fair order among those waiting.

The chat model and the image model are shared by every visitor, so the number of turns running at
once is one limit for the whole server, not one per page event. Waiting turns are not served in
arrival order (a client that sends 100 messages would push everyone else back by 100 turns) but
by fair share: the address that has used the least model time lately goes next (time used decays
with a half-life of a minute), and within an address the session that has. Someone who sends a
message now and then is served before a client that keeps the models busy, and a busy client still
gets the turns nobody else wants. A client that has kept the models busy lately (more than
`heavy_seconds` of decayed model time) starts a turn only while nobody else's turn runs, on at
most all but one of the slots, and its turn ends early (`should_give_way`) when someone else
starts waiting: measured on this machine, two clients flooding 256-token
answers held both slots and pushed ordinary turns to 95 s at p95 under fair share alone, and to
88 s with one slot kept free (the busy client's turn still halved the CPU left for the rest). Each session and each address may
keep only a few turns waiting; beyond that the message is refused at once, in words.

Waiting costs no thread: a waiting turn is an asyncio future on the server's event loop.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

TOO_MANY_WAITING = (
    "You have {count} messages waiting already. Wait for the answers, or press Stop, then send this again."
)
SERVER_BUSY = "The server has too many requests waiting right now; nothing was sent. Please try again in a minute."


class TurnRefused(Exception):
    """A turn that may not wait; its text is what the person is told."""


@dataclass
class _Waiter:
    client: str
    session: str
    future: asyncio.Future
    number: int
    heavy: bool = False  # admitted as a client that had kept the models busy
    started: float = 0.0


@dataclass
class _Usage:
    """Model time an address (and each of its sessions) used lately, decaying as time passes."""

    seconds: float = 0.0
    at: float = 0.0
    sessions: dict[str, tuple[float, float]] = field(default_factory=dict)


def _decayed(seconds: float, at: float, now: float, half_life: float) -> float:
    return seconds * 0.5 ** (max(0.0, now - at) / half_life)


class FairTurns:
    def __init__(
        self,
        running_limit: int = 2,
        waiting_per_session: int = 4,
        waiting_per_client: int = 64,
        waiting_total: int = 512,
        half_life: float = 60.0,
        heavy_seconds: float = 20.0,
        flooding_seconds: float = 300.0,
        clock=time.monotonic,
    ):
        self.running_limit = running_limit
        self.waiting_per_session = waiting_per_session
        self.waiting_per_client = waiting_per_client
        self.waiting_total = waiting_total
        self.half_life = half_life
        self.heavy_seconds = heavy_seconds
        self.flooding_seconds = flooding_seconds
        self._flooding: dict[str, float] = {}
        self._running: list[_Waiter] = []
        self.clock = clock
        self.running = 0
        self._running_sessions: dict[str, int] = {}
        self._running_heavy = 0
        self._waiting: deque[_Waiter] = deque()
        self._usage: dict[str, _Usage] = {}
        self._numbers = itertools.count()

    def waiting(self, *, client: str | None = None, session: str | None = None) -> int:
        return sum(
            1
            for w in self._waiting
            if (client is None or w.client == client) and (session is None or w.session == session)
        )

    def check_room(self, client: str, session: str, queued_in_session: int = 0) -> None:
        """Raise TurnRefused when this session or address may not queue one more turn.
        `queued_in_session` counts what the session holds outside this object (its page inbox)."""
        in_session = max(self.waiting(session=session), queued_in_session)
        if in_session >= self.waiting_per_session:
            self.note_flooding(client)
            raise TurnRefused(TOO_MANY_WAITING.format(count=in_session))
        from_client = self.waiting(client=client)
        if from_client >= 2 * self.waiting_per_session:
            # More waiting from one address than two people's sessions may hold: bulk traffic
            # (a session per message), however little model time it has used yet.
            self.note_flooding(client)
        if from_client >= self.waiting_per_client or len(self._waiting) >= self.waiting_total:
            raise TurnRefused(SERVER_BUSY)

    @asynccontextmanager
    async def turn(self, client: str, session: str):
        """Wait for a fair turn, hold it while the body runs (the body gets a ticket for
        `should_give_way`). Raises TurnRefused at once when the session or address already has
        too many turns waiting."""
        self.check_room(client, session)
        future = asyncio.get_running_loop().create_future()
        waiter = _Waiter(client, session, future, next(self._numbers))
        self._waiting.append(waiter)
        self._admit()
        queued = self.clock()
        try:
            await future
            started = self.clock()
            if started - queued > 5:
                log.info(
                    "a turn waited %.1f s for its place (%d running, %d waiting)",
                    started - queued,
                    self.running,
                    len(self._waiting),
                )
        except BaseException:  # cancelled while waiting (the tab closed, Stop): give the place up
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            elif future.done() and not future.cancelled():
                self._release(waiter)  # admitted in the same instant it was cancelled
            raise
        try:
            yield waiter
        finally:
            self._charge(waiter, self.clock() - started)
            self._release(waiter)

    def _charge(self, waiter: _Waiter, seconds: float) -> None:
        now = self.clock()
        usage = self._usage.setdefault(waiter.client, _Usage())
        usage.seconds = _decayed(usage.seconds, usage.at, now, self.half_life) + seconds
        usage.at = now
        before, at = usage.sessions.get(waiter.session, (0.0, now))
        usage.sessions[waiter.session] = (_decayed(before, at, now, self.half_life) + seconds, now)
        if len(usage.sessions) > 256:  # an address that makes a new session for every message
            usage.sessions = {k: v for k, v in usage.sessions.items() if _decayed(*v, now, self.half_life) > 0.01}

    def note_flooding(self, client: str) -> None:
        """This client sent more than it may have waiting (or faster than allowed): it counts as
        busy for the next `flooding_seconds`, whatever model time it has used so far."""
        self._flooding[client] = self.clock()
        if len(self._flooding) > 10_000:
            cutoff = self.clock() - self.flooding_seconds
            self._flooding = {k: t for k, t in self._flooding.items() if t > cutoff}

    def should_give_way(self, ticket: _Waiter) -> bool:
        """Whether a running turn should end early: it was started by a client that had kept the
        models busy, and someone else now waits."""
        return (ticket.heavy or self._heavy(ticket.client)) and any(not self._heavy(w.client) for w in self._waiting)

    def _heavy(self, client: str) -> bool:
        """Busy: more than `heavy_seconds` of recent model time, or marked as flooding lately
        (a flood is known from its first second, before it has used any model time)."""
        flagged = self._flooding.get(client)
        if flagged is not None and self.clock() - flagged < self.flooding_seconds:
            return True
        usage = self._usage.get(client)
        return (
            usage is not None and _decayed(usage.seconds, usage.at, self.clock(), self.half_life) > self.heavy_seconds
        )

    def _release(self, waiter: _Waiter) -> None:
        self.running -= 1
        if waiter in self._running:
            self._running.remove(waiter)
        self._running_heavy -= waiter.heavy
        left = self._running_sessions.get(waiter.session, 1) - 1
        if left:
            self._running_sessions[waiter.session] = left
        else:
            self._running_sessions.pop(waiter.session, None)
        self._admit()

    def _admit(self) -> None:
        while self.running < self.running_limit:
            # One turn of a session at a time: its next one waits for the one running.
            ready = [w for w in self._waiting if w.session not in self._running_sessions]
            light_running = self.running - self._running_heavy
            if self._running_heavy >= max(1, self.running_limit - 1) or light_running > 0:
                ready = [w for w in ready if not self._heavy(w.client)]
            if not ready:
                break
            waiter = min(ready, key=self._order)
            self._waiting.remove(waiter)
            if waiter.future.done():  # cancelled before it was admitted
                continue
            self.running += 1
            self._running_sessions[waiter.session] = self._running_sessions.get(waiter.session, 0) + 1
            waiter.heavy = self._heavy(waiter.client)
            waiter.started = self.clock()
            self._running.append(waiter)
            self._running_heavy += waiter.heavy
            # A turn counts as a little use the moment it starts, so that two waiting turns of
            # one busy client do not both go ahead of a newcomer before the first is charged.
            self._charge(waiter, 0.5)
            waiter.future.set_result(None)
        self._forget_idle()

    def _order(self, waiter: _Waiter) -> tuple:
        now = self.clock()
        usage = self._usage.get(waiter.client)
        if usage is None:
            return (0.0, 0.0, waiter.number)
        session = usage.sessions.get(waiter.session)
        return (
            _decayed(usage.seconds, usage.at, now, self.half_life),
            _decayed(*session, now, self.half_life) if session else 0.0,
            waiter.number,
        )

    def _forget_idle(self) -> None:
        # Usage that has decayed to nothing is forgotten, so memory stays bounded.
        if len(self._usage) > 4 * max(1, len(self._waiting)) + 256:
            now = self.clock()
            keep = {w.client for w in self._waiting}
            self._usage = {
                k: u
                for k, u in self._usage.items()
                if k in keep or _decayed(u.seconds, u.at, now, self.half_life) > 0.01
            }
