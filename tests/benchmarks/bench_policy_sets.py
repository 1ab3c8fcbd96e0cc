"""The policy's case sets, all at once, for the shipped model or a candidate one.

    .venv/bin/python tests/benchmarks/bench_policy_sets.py [--model DIR] [--shared CASES REGISTRY]

Runs every case set of tests/data written apart from the training corpus through a PolicyAgent
(full agent, audit on, a fresh registry per set) and prints accuracy, over- and under-refusal,
English against the other languages where the cases say their language, and p50 per set, then
the errors summed over the sets and a JSON line.

`--model DIR`: a folder holding a candidate `aspect_head.npz` and, when the head was trained on
tuned embeddings, its `encoder_adapter/` beside it (what `easel train policy-classifier` writes
into policy/); the default is the shipped model. This is how a newly trained model is judged
before it replaces the shipped one: on 2026-12-05 two models that gained on the corpus's
held-out fold lost on every one of these sets (docs/policy.md, "T12 and H12"). `--shared`
adds a set that is measured only, never trained or tuned on (../shared/eval).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

DATA = REPO / "tests" / "data"
# (name, cases, registry, whether the category ends in the case's language, "everyday/sw"):
# the sets docs/policy.md reports, each written apart from the corpus
SETS = [
    ("own", "policy_own_cases.jsonl", "optout_registry.txt", False),
    ("dev", "policy_dev_cases.jsonl", "policy_dev_registry.json", False),
    ("terse", "policy_terse_probe.jsonl", "optout_registry.txt", False),
    ("chat", "policy_chat_probe.jsonl", "optout_registry.txt", False),
    ("minors", "minors_multilingual_probe.jsonl", "optout_registry.txt", True),
    ("everyday", "everyday_multilingual_probe.jsonl", "optout_registry.txt", True),
    ("wider", "wider_languages_probe.jsonl", "optout_registry.txt", True),
    ("classes", "policy_classes_probe.jsonl", "optout_registry.txt", False),
    ("glorify", "glorification_probe.jsonl", "optout_registry.txt", False),
    ("stance", "stance_and_euphemism_probe.jsonl", "optout_registry.txt", False),
    ("perpetrators", "perpetrators_probe.jsonl", "optout_registry.txt", False),
    ("absurd", "absurd_premise_probe.jsonl", "optout_registry.txt", False),
    # real people in ordinary photos and stylised real events (allowed) beside photoreal fakes of
    # invented news (refused); written on 2026-12-07 by a helper who saw no code, corpus or set
    ("news", "real_people_news_probe.jsonl", "optout_registry.txt", False),
    # found by helpers attacking the gate on 2026-12-05 (every prompt they tried, passing or not)
    ("attack-benign", "gate_attack_benign.jsonl", "optout_registry.txt", False),
    ("attack-harmful", "gate_attack_harmful.jsonl", "optout_registry.txt", False),
    # 32 requests each written in English and 11 other languages by a helper who saw no code,
    # corpus or other set (2026-12-06): is the same request decided alike in every language?
    ("parallel", "parallel_languages_probe.jsonl", "optout_registry.txt", False),
]


def language_of(case: dict, in_category: bool) -> str | None:
    if case.get("language"):
        return case["language"]
    return case["category"].rsplit("/", 1)[-1] if in_category else None


def accuracy(rows: list[dict]) -> float | None:
    return round(sum(r["correct"] for r in rows) / len(rows), 3) if rows else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=None, help="folder with aspect_head.npz (and encoder_adapter/)")
    parser.add_argument("--shared", nargs=2, type=Path, metavar=("CASES", "REGISTRY"), default=None)
    args = parser.parse_args()
    import torch

    from policy.aspects import HEAD_PATH
    from policy.evaluate import run_eval

    torch.set_num_threads(1)  # as the server's checks run
    head_path = (args.model / "aspect_head.npz") if args.model else HEAD_PATH
    if not head_path.exists():
        parser.error(f"no aspect_head.npz in {args.model}")
    sets = [(name, DATA / cases, DATA / registry, in_category) for name, cases, registry, in_category in SETS]
    if args.shared:
        sets.append(("shared", *args.shared, False))
    print(f"model: {head_path.parent}")
    print(f"{'set':>9} {'n':>4} {'acc':>6} {'over':>6} {'under':>6} {'en':>6} {'other':>6} {'p50 ms':>7}")
    rows, errors = {}, 0
    for name, cases, registry, in_category in sets:
        summary, results = run_eval(cases, registry, head_path=head_path)
        english = [r for r in results if language_of(r["case"], in_category) == "en"]
        others = [r for r in results if language_of(r["case"], in_category) not in (None, "en")]
        wrong = sum(not r["correct"] for r in results)
        if name != "shared":
            errors += wrong
        rows[name] = {
            "n": summary["n"],
            "accuracy": summary["accuracy"],
            "over_refusal": summary["over_refusal"],
            "under_refusal": summary["under_refusal"],
            "english": accuracy(english),
            "other_languages": accuracy(others),
            "p50_ms": summary["p50_ms"],
        }
        r = rows[name]
        print(
            f"{name:>9} {r['n']:>4} {r['accuracy']:>6.3f} {r['over_refusal']:>6.3f} {r['under_refusal']:>6.3f} "
            f"{r['english'] if r['english'] is not None else '-':>6} "
            f"{r['other_languages'] if r['other_languages'] is not None else '-':>6} {r['p50_ms']:>7.1f}",
            flush=True,
        )
    print(f"errors over the team's sets: {errors}")
    print(json.dumps({"model": str(head_path.parent), "errors": errors, "sets": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
