"""Two replicas on one PostgreSQL server, measured at the policy gate (issue #28).

    .venv/bin/python tests/benchmarks/bench_replicas.py [--changes 20] [--sessions 20] [--outage 10]

Starts a throw-away PostgreSQL server (tests/postgres_server.py). Two parts:

1. Propagation. Replica B (its own process, its own PolicyAgent) checks "draw NAME riding a
   bicycle" for the next name over and over; replica A (this process) registers that name at a
   random moment. Measured per change: the time from A's commit to B's first refusal, and
   whether any check B *started* after the commit allowed the person (it must never happen).
2. Outage. `--sessions` threads of replica A check ordinary drawing requests back to back while
   the server is stopped for `--outage` seconds. Measured: every check during the outage refused
   (a DatabaseProblem, which the chat turns into "try again in a moment"; no decision is acted on
   without its audit row), the time from the server's return to the first allowed check, and
   whether every decision ends up in the audit log (the pending file replayed).

Last line: a JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

NAMES = [
    f"{given} {family}"
    for given, family in zip(
        [
            "Corvina",
            "Tobiah",
            "Isaura",
            "Lenart",
            "Myrtle",
            "Oswin",
            "Pernille",
            "Quillon",
            "Rosamund",
            "Severin",
            "Tamsin",
            "Ulrike",
            "Vasco",
            "Wilhelmina",
            "Xanthe",
            "Yorick",
            "Zenobia",
            "Anselm",
            "Beatrix",
            "Cyprian",
        ],
        [
            "Maelstrand",
            "Wrenfield",
            "Quellington",
            "Ostrowik",
            "Haverbrook",
            "Thistlecombe",
            "Vandrell",
            "Marchetti",
            "Greybourne",
            "Kallström",
            "Pennywhistle",
            "Dunmarrow",
            "Feldspar",
            "Ashgrove",
            "Corriveau",
            "Blackwood",
            "Ravensmere",
            "Hollingbrook",
            "Castellane",
            "Winterbourne",
        ],
        strict=True,
    )
]

REPLICA_B = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import torch
torch.set_num_threads(1)
from policy.agent import PolicyAgent, PolicyRequest
from policy.database import database_location
agent = PolicyAgent(database_location(sys.argv[2], __import__("pathlib").Path(sys.argv[3])))
names = json.loads(sys.argv[4])
agent.check(PolicyRequest(prompt="a fox reading in a library"))  # warm
print("ready", flush=True)
log = []
for name in names:
    given_up = time.time() + 60  # never refused within a minute: recorded as such, not waited for
    while time.time() < given_up:
        started = time.time()
        decision = agent.check(PolicyRequest(prompt=f"draw {name} riding a bicycle"))
        log.append([name, started, time.time(), decision.allowed, decision.category])
        if not decision.allowed and decision.category == "optout_person":
            break
print(json.dumps(log), flush=True)
"""


def propagation(url: str, folder: Path, changes: int) -> dict:
    from policy.registry import OptOutRegistry

    names = NAMES[:changes]
    replica_a = OptOutRegistry(url, data_dir=folder / "a")
    replica_b = subprocess.Popen(
        [sys.executable, "-c", REPLICA_B, str(REPO), url, str(folder / "b"), json.dumps(names)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert replica_b.stdout.readline().strip() == "ready"
    committed = {}
    for name in names:
        time.sleep(random.uniform(0.3, 1.2))  # B checks the name, allowed, meanwhile
        replica_a.add(name)
        committed[name] = time.time()  # add() returns after COMMIT
    log = json.loads(replica_b.stdout.readline())
    replica_b.wait(timeout=60)
    replica_a.close()
    delays, violations = [], 0
    for name in names:
        checks = [entry for entry in log if entry[0] == name]
        refused_at = next((done for _, _, done, allowed, _ in checks if not allowed), float("inf"))
        delays.append(refused_at - committed[name])
        violations += sum(1 for _, started, _, allowed, _ in checks if allowed and started > committed[name])
    return {
        "changes": changes,
        "refused_p50_s": round(float(np.percentile(delays, 50)), 3),
        "refused_p95_s": round(float(np.percentile(delays, 95)), 3),
        "refused_max_s": round(max(delays), 3),
        "allowed_after_commit": violations,
        "checks_by_b": len(log),
    }


def outage(server, url: str, folder: Path, sessions: int, seconds: float) -> dict:
    from policy.agent import PolicyAgent, PolicyRequest
    from policy.database import database_location
    from policy.registry import DatabaseProblem

    agent = PolicyAgent(database_location(url, folder / "outage"))
    agent.check(PolicyRequest(prompt="a fox reading in a library"))
    events, stop = [], threading.Event()  # (started, finished, "allowed" | "refused" | "problem", message, prompt)
    lock = threading.Lock()

    def session(n: int) -> None:
        i = 0
        while not stop.is_set():
            started = time.time()
            prompt = f"a lighthouse at dusk, session {n}, request {i}"
            try:
                decision = agent.check(PolicyRequest(prompt=prompt))
                kind, message = ("allowed" if decision.allowed else "refused"), ""
            except DatabaseProblem as problem:
                kind, message = "problem", problem.user_message
            with lock:
                events.append((started, time.time(), kind, message, prompt))
            i += 1

    threads = [threading.Thread(target=session, args=(n,)) for n in range(sessions)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    server.stop("immediate")
    down = time.time()
    time.sleep(seconds)
    server.start()
    up = time.time()
    time.sleep(8)
    stop.set()
    for thread in threads:
        thread.join()
    during = [e for e in events if e[0] > down + 0.5 and e[1] < up]
    first_allowed_after = min((e[1] for e in events if e[0] >= up and e[2] == "allowed"), default=None)
    agent.registry.replay_pending()
    logged = {entry["prompt"] for entry in agent.registry.audit_entries(1_000_000)}
    agent.registry.close()
    return {
        "sessions": sessions,
        "outage_s": seconds,
        "checks_in_outage": len(during),
        "allowed_in_outage": sum(1 for e in during if e[2] == "allowed"),
        "refused_in_words": all("try again in a moment" in e[3] for e in during if e[2] == "problem"),
        "back_after_server_s": None if first_allowed_after is None else round(first_allowed_after - up, 2),
        "checks": len(events),
        # every decision acted on (allowed or refused) has its audit row; a check refused for the
        # database has one too when it got as far as a decision (its row waited in the pending file)
        "decisions_without_audit_row": sum(1 for e in events if e[2] != "problem" and e[4] not in logged),
        "refused_for_the_database": sum(1 for e in events if e[2] == "problem"),
        "of_which_in_the_audit_log": sum(1 for e in events if e[2] == "problem" and e[4] in logged),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--outage", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    random.seed(args.seed)
    from tests.postgres_server import PostgresServer, find_binaries

    binaries = find_binaries()
    if binaries is None:
        print("no PostgreSQL binaries (initdb, pg_ctl): install Debian's postgresql package", file=sys.stderr)
        return 2
    server = PostgresServer(binaries)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: the server is stopped and removed too
    server.init()
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="easel-bench-replicas-") as folder:
            moved = propagation(server.url(server.create_database()), Path(folder), args.changes)
            print(
                f"{moved['changes']} opt-outs added on replica A: replica B refused each after p50 "
                f"{moved['refused_p50_s']} s, p95 {moved['refused_p95_s']} s (max {moved['refused_max_s']} s) of the "
                f"commit; checks started after a commit that allowed the person: {moved['allowed_after_commit']}",
                flush=True,
            )
            down = outage(server, server.url(server.create_database()), Path(folder), args.sessions, args.outage)
            print(
                f"server stopped {down['outage_s']} s under {down['sessions']} sessions: {down['checks_in_outage']} "
                f"checks in the outage, {down['allowed_in_outage']} allowed, all refused in words: "
                f"{down['refused_in_words']}; allowed again {down['back_after_server_s']} s after the server; "
                f"{down['checks']} checks, {down['decisions_without_audit_row']} decisions without their audit row",
                flush=True,
            )
    finally:
        server.remove()
    print(json.dumps({"propagation": moved, "outage": down}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
