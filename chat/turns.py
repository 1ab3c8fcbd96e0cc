"""Whose turn is it: one limit on turns running at once, and a fair order among those waiting.

The chat model and the image model are shared by every visitor, so the number of turns running at
once is one limit for the whole server, not one per page event. Waiting turns are not served in
arrival order (a client that sends 100 messages would push everyone else back by 100 turns) but
in turn by client address, and within an address by session: the address served longest ago goes
next, so an ordinary visitor waits for at most one turn of each other client. Each session and each
address may keep only a few turns waiting; beyond that the message is refused at once, in words.

Waiting costs no thread: a waiting turn is an asyncio future on the server's event loop.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

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


@dataclass
class _Served:
    """When an address, and each of its sessions, last got a turn (for the fair order)."""

    last: float = 0.0
    sessions: dict[str, float] = field(default_factory=dict)


class FairTurns:
    def __init__(
        self,
        running_limit: int = 2,
        waiting_per_session: int = 4,
        waiting_per_client: int = 64,
        waiting_total: int = 512,
        clock=time.monotonic,
    ):
        self.running_limit = running_limit
        self.waiting_per_session = waiting_per_session
        self.waiting_per_client = waiting_per_client
        self.waiting_total = waiting_total
        self.clock = clock
        self.running = 0
        self._running_sessions: dict[str, int] = {}
        self._waiting: deque[_Waiter] = deque()
        self._served: dict[str, _Served] = {}
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
            raise TurnRefused(TOO_MANY_WAITING.format(count=in_session))
        if self.waiting(client=client) >= self.waiting_per_client or len(self._waiting) >= self.waiting_total:
            raise TurnRefused(SERVER_BUSY)

    @asynccontextmanager
    async def turn(self, client: str, session: str):
        """Wait for a fair turn, hold it while the body runs. Raises TurnRefused at once when the
        session or address already has too many turns waiting."""
        self.check_room(client, session)
        future = asyncio.get_running_loop().create_future()
        waiter = _Waiter(client, session, future, next(self._numbers))
        self._waiting.append(waiter)
        self._admit()
        try:
            await future
        except BaseException:  # cancelled while waiting (the tab closed, Stop): give the place up
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            elif future.done() and not future.cancelled():
                self._release(waiter)  # admitted in the same instant it was cancelled
            raise
        try:
            yield
        finally:
            self._release(waiter)

    def _release(self, waiter: _Waiter) -> None:
        self.running -= 1
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
            if not ready:
                break
            waiter = min(ready, key=self._order)
            self._waiting.remove(waiter)
            if waiter.future.done():  # cancelled before it was admitted
                continue
            self.running += 1
            self._running_sessions[waiter.session] = self._running_sessions.get(waiter.session, 0) + 1
            now = self.clock()
            served = self._served.setdefault(waiter.client, _Served())
            served.last = now
            served.sessions[waiter.session] = now
            waiter.future.set_result(None)
        self._forget_idle()

    def _order(self, waiter: _Waiter) -> tuple:
        served = self._served.get(waiter.client)
        if served is None:
            return (0.0, 0.0, waiter.number)
        return (served.last, served.sessions.get(waiter.session, 0.0), waiter.number)

    def _forget_idle(self) -> None:
        # Only clients with a turn waiting need their history; the rest start afresh (oldest first).
        if len(self._served) > 4 * max(1, len(self._waiting)) + 64:
            keep = {w.client for w in self._waiting}
            self._served = {k: v for k, v in self._served.items() if k in keep}
