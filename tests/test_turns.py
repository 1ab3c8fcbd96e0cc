"""The server's one fair order of turns (chat/turns.py) and the token buckets (chat/clients.py),
on a real asyncio loop: a client that floods waits its turn behind everyone else's, a session
never runs two turns at once, and waiting turns that are cancelled give their place up."""

from __future__ import annotations

import asyncio

import pytest

from chat.clients import TokenBuckets
from chat.turns import FairTurns, TurnRefused


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 0.001  # every reading is later than the last, as on a real clock
        return self.now


async def run_in_order(turns: FairTurns, requests: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Queue every (client, session) turn at once while one other turn holds the only slot; the
    order in which they then run."""
    started: list[tuple[str, str]] = []
    hold = asyncio.Event()

    async def blocker():
        async with turns.turn("client:blocker", "session:blocker"):
            await hold.wait()

    async def one(client, session):
        async with turns.turn(client, session):
            started.append((client, session))
            await asyncio.sleep(0)

    first = asyncio.create_task(blocker())
    await asyncio.sleep(0)
    tasks = []
    for client, session in requests:
        tasks.append(asyncio.create_task(one(client, session)))
        await asyncio.sleep(0)
    hold.set()
    await asyncio.gather(first, *tasks)
    return started


def test_a_flooding_client_waits_behind_everyone_else():
    turns = FairTurns(running_limit=1, waiting_per_session=100, clock=Clock())
    flood = [("client:abuser", "session:a")] * 20
    ordinary = [(f"client:person{i}", f"session:p{i}") for i in range(3)]
    order = asyncio.run(run_in_order(turns, flood + ordinary))
    # Every ordinary person runs within the first few turns, not after the 20 queued before them.
    positions = [order.index(person) for person in ordinary]
    assert max(positions) <= len(ordinary)
    assert order.count(("client:abuser", "session:a")) == 20


def test_sessions_behind_one_address_take_turns_with_other_addresses():
    turns = FairTurns(running_limit=1, waiting_per_session=100, clock=Clock())
    many_sessions = [("client:nat", f"session:n{i}") for i in range(6)]
    other = [("client:home", "session:h")]
    order = asyncio.run(run_in_order(turns, many_sessions + other))
    assert order.index(("client:home", "session:h")) <= 1  # one address, one share


def test_too_many_waiting_turns_of_a_session_are_refused_in_words():
    async def scenario():
        turns = FairTurns(running_limit=1, waiting_per_session=2)
        hold = asyncio.Event()

        async def holder():
            async with turns.turn("client:x", "session:other"):
                await hold.wait()

        async def waiter():
            async with turns.turn("client:x", "session:s"):
                pass

        tasks = [asyncio.create_task(holder())]
        await asyncio.sleep(0)
        tasks += [asyncio.create_task(waiter()) for _ in range(2)]
        await asyncio.sleep(0)
        with pytest.raises(TurnRefused, match="2 messages waiting"):
            async with turns.turn("client:x", "session:s"):
                pass
        hold.set()
        await asyncio.gather(*tasks)
        assert turns.running == 0 and turns.waiting() == 0

    asyncio.run(scenario())


def test_a_session_never_runs_two_turns_at_once_and_the_limit_is_global():
    async def scenario():
        turns = FairTurns(running_limit=3)
        running: dict[str, int] = {}
        most = {"all": 0}

        async def one(session):
            async with turns.turn("client:c", session):
                running[session] = running.get(session, 0) + 1
                assert running[session] == 1
                most["all"] = max(most["all"], sum(running.values()))
                await asyncio.sleep(0.001)
                running[session] -= 1

        await asyncio.gather(*[one(f"session:{i % 4}") for i in range(12)])
        assert most["all"] == 3 and turns.running == 0

    asyncio.run(scenario())


def test_a_cancelled_waiting_turn_gives_its_place_up():
    async def scenario():
        turns = FairTurns(running_limit=1)
        hold = asyncio.Event()

        async def holder():
            async with turns.turn("client:a", "session:a"):
                await hold.wait()

        async def waiter():
            async with turns.turn("client:b", "session:b"):
                pass

        first = asyncio.create_task(holder())
        await asyncio.sleep(0)
        second = asyncio.create_task(waiter())
        await asyncio.sleep(0)
        assert turns.waiting() == 1
        second.cancel()  # the tab went away while it waited
        with pytest.raises(asyncio.CancelledError):
            await second
        assert turns.waiting() == 0
        hold.set()
        await first
        assert turns.running == 0

    asyncio.run(scenario())


def test_token_buckets_allow_a_burst_then_the_rate():
    now = [0.0]
    buckets = TokenBuckets(rate=1.0, burst=3, clock=lambda: now[0])
    assert [buckets.take("k") for _ in range(3)] == [0, 0, 0]
    assert buckets.take("k") == pytest.approx(1.0)
    assert buckets.take("other") == 0  # keys are counted apart
    now[0] += 2
    assert buckets.take("k") == 0 and buckets.take("k") == 0 and buckets.take("k") > 0


def test_a_client_that_kept_the_models_busy_leaves_one_slot_for_everyone_else():
    async def scenario():
        now = [0.0]
        turns = FairTurns(running_limit=2, heavy_seconds=45, clock=lambda: now[0])
        async with turns.turn("client:heavy", "session:h1"):
            now[0] += 100  # a turn of 100 s: this client is now heavy
        hold = asyncio.Event()
        started = []

        async def one(client, session):
            async with turns.turn(client, session):
                started.append(session)
                await hold.wait()

        tasks = [asyncio.create_task(one("client:heavy", f"session:h{i}")) for i in (2, 3)]
        await asyncio.sleep(0)
        assert started == ["session:h2"] and turns.running == 1  # the second slot stays free
        tasks.append(asyncio.create_task(one("client:light", "session:l")))
        await asyncio.sleep(0)
        assert started == ["session:h2", "session:l"]  # taken at once by someone else
        hold.set()
        await asyncio.gather(*tasks)
        assert started[-1] == "session:h3" and turns.running == 0

    asyncio.run(scenario())


def test_a_busy_client_starts_no_turn_while_someone_else_s_runs():
    async def scenario():
        now = [0.0]
        turns = FairTurns(running_limit=3, heavy_seconds=45, clock=lambda: now[0])
        async with turns.turn("client:heavy", "session:h1"):
            now[0] += 100
        hold = asyncio.Event()
        started = []

        async def one(client, session):
            async with turns.turn(client, session):
                started.append(session)
                await hold.wait()

        light = asyncio.create_task(one("client:light", "session:l"))
        await asyncio.sleep(0)
        heavy = asyncio.create_task(one("client:heavy", "session:h2"))
        await asyncio.sleep(0)
        assert started == ["session:l"] and turns.waiting() == 1  # two slots free, yet it waits
        hold.set()
        await asyncio.gather(light, heavy)
        assert started == ["session:l", "session:h2"]

    asyncio.run(scenario())


def test_a_busy_client_s_running_turn_gives_way_when_someone_else_waits():
    async def scenario():
        now = [0.0]
        turns = FairTurns(running_limit=1, heavy_seconds=45, clock=lambda: now[0])
        async with turns.turn("client:heavy", "session:h1"):
            now[0] += 100
        hold = asyncio.Event()
        gave_way = []

        async def heavy():
            async with turns.turn("client:heavy", "session:h2") as ticket:
                assert not turns.should_give_way(ticket)  # nobody else waits yet
                await hold.wait()
                gave_way.append(turns.should_give_way(ticket))

        async def light():
            async with turns.turn("client:light", "session:l") as ticket:
                assert not turns.should_give_way(ticket)

        first = asyncio.create_task(heavy())
        await asyncio.sleep(0)
        second = asyncio.create_task(light())
        await asyncio.sleep(0)
        hold.set()
        await asyncio.gather(first, second)
        assert gave_way == [True]

    asyncio.run(scenario())


def test_a_flood_counts_as_busy_from_its_first_second_before_it_has_used_model_time():
    async def scenario():
        now = [0.0]
        turns = FairTurns(running_limit=2, waiting_per_session=4, heavy_seconds=45, clock=lambda: now[0])
        hold = asyncio.Event()
        started, gave_way = [], []

        async def one(client, session):
            async with turns.turn(client, session) as ticket:
                started.append(session)
                await hold.wait()
                gave_way.append((session, turns.should_give_way(ticket)))

        # One address, a new session for every message, all sent at once: no model time used yet.
        flood = [asyncio.create_task(one("client:bulk", f"session:b{i}")) for i in range(12)]
        await asyncio.sleep(0)
        assert turns._heavy("client:bulk")  # 8 waiting from one address marked it
        light = asyncio.create_task(one("client:light", "session:l"))
        await asyncio.sleep(0)
        # The bulk client's first turns took the slots before it was marked; someone now waits.
        assert started[:2] == ["session:b0", "session:b1"] and "session:l" not in started
        hold.set()
        await asyncio.gather(*flood, light)
        assert dict(gave_way)["session:b0"] is True  # its running turn gives way to the newcomer
        assert started.index("session:l") == 2  # the next place is the newcomer's

    asyncio.run(scenario())


def test_a_client_marked_as_flooding_is_busy_until_the_mark_expires():
    now = [0.0]
    turns = FairTurns(flooding_seconds=300, clock=lambda: now[0])
    assert not turns._heavy("client:a")
    turns.note_flooding("client:a")
    assert turns._heavy("client:a") and not turns._heavy("client:b")
    now[0] += 301
    assert not turns._heavy("client:a")
