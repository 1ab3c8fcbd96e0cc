"""The policy check on PostgreSQL against SQLite, in the same run (issue #28).

    .venv/bin/python tests/benchmarks/bench_database.py [--checks 300] [--sizes 100,100000]

Starts a throw-away PostgreSQL server (tests/postgres_server.py; or uses EASEL_BENCH_DATABASE_URL,
an empty database) and a SQLite file in a temporary folder. For each registry size, both
registries are filled with the same synthetic names (tests/benchmarks/bench_policy.py), then the
same prompt mix is checked one at a time, the backends taking turns round by round so that a
busy moment of the shared machine falls on both. Audit logging stays on, as in the app. Also
times the two database operations of every check alone: the registry version read and the
audit row written. Last line: a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))

from bench_policy import prompt_mix, synthetic_names  # noqa: E402

from policy.agent import PolicyAgent  # noqa: E402
from policy.database import database_location  # noqa: E402


def percentiles(timings: list[float]) -> dict:
    return {
        "p50_ms": round(float(np.percentile(timings, 50)), 3),
        "p99_ms": round(float(np.percentile(timings, 99)), 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=300, help="timed checks per backend and size")
    parser.add_argument("--sizes", default="100,100000")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sizes = [int(size) for size in args.sizes.split(",")]

    server = None
    url = os.environ.get("EASEL_BENCH_DATABASE_URL")
    if not url:
        from tests.postgres_server import PostgresServer, find_binaries

        binaries = find_binaries()
        if binaries is None:
            print("no PostgreSQL binaries (initdb, pg_ctl): install Debian's postgresql package", file=sys.stderr)
            return 2
        server = PostgresServer(binaries)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: the server is stopped and removed too
        server.init()
        server.start()
        url = server.url(server.create_database())
    results: dict = {}
    try:
        with tempfile.TemporaryDirectory(prefix="easel-bench-db-") as folder:
            sqlite_agent = PolicyAgent(Path(folder) / "bench.sqlite3")
            postgres_agent = PolicyAgent(database_location(url, Path(folder)), encoder=sqlite_agent.encoder)
            agents = {"sqlite": sqlite_agent, "postgresql": postgres_agent}
            for size in sizes:
                names = synthetic_names(size)
                requests = prompt_mix(names)
                for backend, agent in agents.items():
                    started = time.perf_counter()
                    agent.registry.import_entries({name: [] for name in names}, replace=True)
                    import_s = time.perf_counter() - started
                    started = time.perf_counter()
                    assert len(agent.name_index()) == size
                    results[(backend, size)] = {
                        "import_s": round(import_s, 1),
                        "index_s": round(time.perf_counter() - started, 2),
                    }
                    for request in requests:  # warm-up
                        agent.check(request)
                timings = {backend: [] for backend in agents}
                version_reads = {backend: [] for backend in agents}
                while len(timings["sqlite"]) < args.checks:
                    for request in requests:
                        for backend, agent in agents.items():
                            started = time.perf_counter()
                            agent.check(request)
                            timings[backend].append((time.perf_counter() - started) * 1000)
                            started = time.perf_counter()
                            agent.registry.version()
                            version_reads[backend].append((time.perf_counter() - started) * 1000)
                        if len(timings["sqlite"]) >= args.checks:
                            break
                for backend in agents:
                    entry = results[(backend, size)]
                    entry.update(percentiles(timings[backend]))
                    entry["version_read"] = percentiles(version_reads[backend])
                    print(
                        f"{backend:<10} {size:>7,} names: check p50 {entry['p50_ms']:7.2f} ms  p99 "
                        f"{entry['p99_ms']:7.2f} ms  | version read p50 {entry['version_read']['p50_ms']:.3f} ms  "
                        f"| import {entry['import_s']} s, index {entry['index_s']} s",
                        flush=True,
                    )
            # The audit row every check writes, alone.
            for backend, agent in agents.items():
                from policy.agent import Decision, PolicyRequest

                writes = []
                for i in range(200):
                    decision = Decision(True, "allowed", "bench", {"x": 0.0}, "", None)
                    started = time.perf_counter()
                    agent.registry.record(decision, PolicyRequest(prompt=f"bench write {i}"))
                    writes.append((time.perf_counter() - started) * 1000)
                results[(backend, "audit_write")] = percentiles(writes)
                print(f"{backend:<10} audit row write: p50 {results[(backend, 'audit_write')]['p50_ms']:.3f} ms")
            for agent in agents.values():
                agent.registry.close()
    finally:
        if server is not None:
            server.remove()
    summary = {}
    for size in sizes:
        for backend in ("sqlite", "postgresql"):
            summary[f"{backend}_p50_ms_{size}"] = results[(backend, size)]["p50_ms"]
            summary[f"{backend}_p99_ms_{size}"] = results[(backend, size)]["p99_ms"]
        summary[f"postgresql_over_sqlite_p50_{size}"] = round(
            results[("postgresql", size)]["p50_ms"] / results[("sqlite", size)]["p50_ms"], 3
        )
    for backend in ("sqlite", "postgresql"):
        summary[f"{backend}_audit_write_p50_ms"] = results[(backend, "audit_write")]["p50_ms"]
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
