"""Attack the opt-out registry: every registered name written every way an evader would, and
look-alike controls that must stay allowed. Prints the refusal rate per attack kind and the
allow rate per control kind; the last line is a JSON object.

    .venv/bin/python tests/benchmarks/bench_registry_attacks.py REGISTRY.txt [--seed 0] [--errors]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import torch
from tqdm import tqdm

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from policy_attacks import attacks, controls  # noqa: E402

from policy.agent import PolicyAgent, PolicyRequest  # noqa: E402
from policy.names import ordinary_words  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("registry", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--errors", action="store_true", help="print every attack that passed and control refused")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = random.Random(args.seed)
    names = [line.strip() for line in args.registry.read_text(encoding="utf-8").splitlines() if line.strip()]
    cases = []
    for name in names:
        cases += [("attack", kind, prompt) for kind, prompt in attacks(name, rng, ordinary_words())]
        cases += [("control", kind, prompt) for kind, prompt in controls(name, rng)]
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    with tempfile.TemporaryDirectory() as folder:
        agent = PolicyAgent(Path(folder) / "attacks.sqlite3", audit=False)
        agent.registry.import_file(args.registry)
        for role, kind, prompt in tqdm(cases, desc="registry attacks", file=sys.stderr):
            decision = agent.check(PolicyRequest(prompt=prompt))
            good = (not decision.allowed) if role == "attack" else decision.allowed
            totals[(role, kind)][0] += int(good)
            totals[(role, kind)][1] += 1
            if args.errors and not good:
                print(f"{role:>7} {kind:<16} {decision.category:<22} {prompt!r}")
        agent.registry.close()
    for (role, kind), (good, n) in sorted(totals.items()):
        print(f"{role:<8} {kind:<18} {good:>4}/{n:<4} {good / n:.3f}")
    summary = {}
    for role in ("attack", "control"):
        good = sum(v[0] for (r, _), v in totals.items() if r == role)
        n = sum(v[1] for (r, _), v in totals.items() if r == role)
        summary[f"{role}_n"] = n
        summary["attacks_refused" if role == "attack" else "controls_allowed"] = round(good / n, 4)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
