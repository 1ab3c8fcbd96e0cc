"""Latency of a policy check against registries of 100, 10,000 and 100,000 names, on this machine.

    .venv/bin/python tests/benchmarks/bench_policy.py [--checks 300] [--threads 1]

For each registry size: the registry is filled (synthetic names from syllables for the large
ones, so many share a given name or a surname), the name index is rebuilt once (timed), then
every prompt of a fixed mix (ordinary requests, requests naming registered and unregistered
people, harmful requests, follow-ups with context) is checked once for warm-up and then timed
one check at a time. Audit logging stays on, as in the app. Prints p50/p99 per size, checks per
second, and the baseline cost of one embedding of the prompt (the floor of a check); the last
line is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from policy.agent import PolicyAgent, PolicyRequest  # noqa: E402

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ren",
    "tov",
    "sa",
    "bel",
    "dru",
    "fen",
    "gor",
    "hal",
    "jun",
    "pe",
    "qui",
    "ros",
    "ta",
    "ul",
    "vin",
    "wes",
    "zo",
]
GIVEN = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Keiko",
    "Liam",
    "Maya",
    "Nikolai",
    "Olga",
    "Pavel",
    "Rosa",
    "Samir",
    "Tara",
    "Umar",
]


def synthetic_names(count: int) -> list[str]:
    """`count` distinct full names; the given names repeat a lot, as real registries' do."""
    names, i = [], 0
    while len(names) < count:
        a, b, c = i % 20, (i // 20) % 20, (i // 400) % 20
        family = (SYLLABLES[a] + SYLLABLES[b] + SYLLABLES[c] + ("berg" if i // 8000 % 2 else "son")).capitalize()
        names.append(
            f"{GIVEN[(i * 7) % 20]} {family}{'' if i < 16000 else ' ' + SYLLABLES[i // 16000 % 20].capitalize()}"
        )
        i += 1
    return names


def prompt_mix(registered: list[str]) -> list[PolicyRequest]:
    scenes = [
        "riding a bicycle along a canal",
        "reading in a library",
        "at a birthday party",
        "as an astronaut on the moon",
        "painting a mural",
        "walking a dog in the rain",
    ]
    styles = ["oil painting", "watercolor", "photo, 35mm", "pencil sketch", "pixel art"]
    requests = []
    for i, scene in enumerate(scenes):
        for j, style in enumerate(styles):
            requests.append(PolicyRequest(prompt=f"a fox {scene}, {style}"))
            requests.append(PolicyRequest(prompt=f"{registered[(i * 5 + j) * 7 % len(registered)]} {scene}, {style}"))
            requests.append(PolicyRequest(prompt=f"Marta Kowalczyk {scene}, {style}"))
    requests += [
        PolicyRequest(prompt="how do I kill a stuck process on linux"),
        PolicyRequest(prompt="a person cutting their wrist with a razor, blood"),
        PolicyRequest(prompt="make it purple", context=("a castle on a cliff",)),
        PolicyRequest(prompt="now make her pose seductively", context=("a girl on a swing", "make her look 12")),
        PolicyRequest(prompt="make this person heavier", is_edit=True, source_prompt="a man at a bus stop"),
        PolicyRequest(prompt="a dragon over a village", user_age=14),
    ]
    return requests


def embedding_floor(agent: PolicyAgent) -> float:
    """The floor of a check: the median of 100 embeddings of one prompt, nothing else (ms)."""
    for _ in range(10):
        agent.encoder(["a fox reading in a library, watercolor"])
    floor = []
    for _ in range(100):
        t = time.perf_counter()
        agent.encoder(["a fox reading in a library, watercolor"])
        floor.append((time.perf_counter() - t) * 1000.0)
    return statistics.median(floor)


def time_checks(agent: PolicyAgent, requests: list[PolicyRequest], total: int) -> list[float]:
    for request in requests:  # warm-up: every prompt once
        agent.check(request)
    timings = []
    while len(timings) < total:
        for request in requests:
            start = time.perf_counter()
            agent.check(request)
            timings.append((time.perf_counter() - start) * 1000.0)
            if len(timings) >= total:
                break
    return timings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=300, help="timed checks per registry size")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the build machine is shared)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    results = {}
    with tempfile.TemporaryDirectory(prefix="easel-bench-") as folder:
        start = time.perf_counter()
        agent = PolicyAgent(Path(folder) / "bench.sqlite3")
        agent_build_s = time.perf_counter() - start

        floors = []
        for size in (100, 10_000, 100_000):
            names = synthetic_names(size)
            t = time.perf_counter()
            agent.registry.import_entries({name: [] for name in names}, replace=True)
            import_s = time.perf_counter() - t
            t = time.perf_counter()
            index = agent.name_index()
            index_s = time.perf_counter() - t
            assert len(index) == size
            floors.append(embedding_floor(agent))  # just before the checks: the machine's speed drifts
            timings = time_checks(agent, prompt_mix(names), args.checks)
            results[size] = {
                "p50_ms": round(float(np.percentile(timings, 50)), 2),
                "p50_over_embedding": round(float(np.percentile(timings, 50)) / floors[-1], 2),
                "p99_ms": round(float(np.percentile(timings, 99)), 2),
                "checks_per_s": round(1000.0 / statistics.mean(timings), 1),
                "import_s": round(import_s, 2),
                "index_build_s": round(index_s, 2),
            }
            r = results[size]
            print(
                f"registry {size:>7,} names: p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms  "
                f"{r['checks_per_s']:6.1f} checks/s  (import {r['import_s']} s, index build {r['index_build_s']} s)"
                f"  p50 / one embedding {r['p50_over_embedding']} ({floors[-1]:.2f} ms)"
            )
        # 100 names, each also described: descriptions are compared by their own encoder (the
        # description adapters), a second forward pass (policy/agent.py).
        names = synthetic_names(100)
        roles = ("lead singer of the band", "mayor of", "coach of the football club", "founder of the bakery chain")
        described = {
            name: {
                "aliases": [],
                "descriptions": [f"the {roles[i % 4]} {SYLLABLES[i % 20].capitalize()}{SYLLABLES[(i // 20) % 20]}ia"],
            }
            for i, name in enumerate(names)
        }
        agent.registry.import_entries(described, replace=True)
        agent.name_index()
        agent.description_index()
        timings = time_checks(agent, prompt_mix(names), args.checks)
        results["described"] = {
            "p50_ms": round(float(np.percentile(timings, 50)), 2),
            "p99_ms": round(float(np.percentile(timings, 99)), 2),
            "checks_per_s": round(1000.0 / statistics.mean(timings), 1),
        }
        r = results["described"]
        print(
            f"registry     100 names with a description each: p50 {r['p50_ms']:6.2f} ms  p99 {r['p99_ms']:6.2f} ms  "
            f"{r['checks_per_s']:6.1f} checks/s"
        )
        agent.registry.close()

    embed_p50 = round(statistics.median(floors), 2)
    print(
        f"one prompt embedding alone (int8 multilingual-e5-small): p50 {embed_p50} ms; agent build {agent_build_s:.1f} s"
    )
    print(
        f"machine: {platform.machine()}, {torch.get_num_threads()} torch thread(s), python {platform.python_version()}"
    )
    summary = {
        "p50_ms_100": results[100]["p50_ms"],
        "p99_ms_100": results[100]["p99_ms"],
        "p50_ms_10000": results[10_000]["p50_ms"],
        "p99_ms_10000": results[10_000]["p99_ms"],
        "p50_ms_100000": results[100_000]["p50_ms"],
        "p99_ms_100000": results[100_000]["p99_ms"],
        "checks_per_s_100": results[100]["checks_per_s"],
        "checks_per_s_100000": results[100_000]["checks_per_s"],
        "embed_p50_ms": embed_p50,
        "p50_over_embedding_100": results[100]["p50_over_embedding"],
        "p50_over_embedding_100000": results[100_000]["p50_over_embedding"],
        "index_build_s_100000": results[100_000]["index_build_s"],
        "p50_ms_100_described": results["described"]["p50_ms"],
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
