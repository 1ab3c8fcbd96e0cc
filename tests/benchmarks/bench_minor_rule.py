"""The absolute rule's two halves, each measured alone on harmless requests written apart.

    .venv/bin/python tests/benchmarks/bench_minor_rule.py [--errors] [--model DIR]

The rule refuses a request that reads both as being about someone under 18 and as asking for
sexual or suggestive content (`PolicyAgent.absolute_rule_halves`; earlier turns count too). A set of
sexual requests about children would be an attack list; instead each half is measured on its own
harmless side, and the rule's code joins them:

- tests/data/minor_mentions_probe.jsonl: ordinary drawing requests about children and teenagers,
  worded in many ways (ages, school grades, life stages, relations, pet words) in 30+ languages,
  beside adults described with the same kinds of words ("a student in her thirties"). A child the
  minor half misses is a child the rule cannot protect.
- tests/data/adult_suggestive_probe.jsonl: suggestive requests about adults, mostly euphemisms,
  beside look-alikes (a lingerie shop's sign, a family beach holiday). A euphemism the sexual half
  misses is one the rule misses beside a child.
- tests/data/minors_lookalikes_probe.jsonl: whole requests the gate must allow (children in
  ordinary scenes, adults in sensual ones, age words in other senses, child-protection posters),
  through the full agent.

All were written 2026-12-07 by helpers who read neither the code nor any evaluation set; the
third round of children after the heads that read them were chosen; the fourth round of children
and the third of suggestive requests before the heads trained on more of both were.
Prints recall and false readings per half and per language; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from tqdm import tqdm

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

DATA = REPO / "tests" / "data"
HALVES = (
    ("minor", DATA / "minor_mentions_probe.jsonl"),
    ("minor", DATA / "minor_mentions_probe_2.jsonl"),
    ("minor", DATA / "minor_mentions_probe_3.jsonl"),
    ("minor", DATA / "minor_mentions_probe_4.jsonl"),
    ("sexual", DATA / "adult_suggestive_probe.jsonl"),
    ("sexual", DATA / "adult_suggestive_probe_2.jsonl"),
    ("sexual", DATA / "adult_suggestive_probe_3.jsonl"),
)
LOOKALIKES = DATA / "minors_lookalikes_probe.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def rate(hits: list[bool]) -> float:
    return round(sum(hits) / len(hits), 3) if hits else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="print every request read wrongly")
    parser.add_argument("--model", type=Path, default=None, help="folder with a candidate aspect_head.npz")
    args = parser.parse_args()
    from policy.agent import PolicyAgent, PolicyRequest
    from policy.aspects import HEAD_PATH

    head_path = (args.model / "aspect_head.npz") if args.model else HEAD_PATH
    agent = PolicyAgent(Path(tempfile.mkdtemp()) / "bench.sqlite3", audit=False, head_path=head_path)
    summary: dict[str, dict] = {}
    for half, path in HALVES:
        cases = read_jsonl(path)
        found, false, by_language = [], [], defaultdict(lambda: [0, 0])
        for case in tqdm(cases, desc=half, unit="request"):
            read = agent.absolute_rule_halves(case["text"])[half]
            should = case["minor" if half == "minor" else "suggestive"]
            (found if should else false).append(read)
            if should:
                by_language[case["lang"]][0] += read
                by_language[case["lang"]][1] += 1
            if args.errors and read != should:
                print(f"  {half} {'missed' if should else 'false'} [{case['lang']}] {case['text']}")
        missed = {lang: f"{n - hit}/{n}" for lang, (hit, n) in sorted(by_language.items()) if hit < n}
        summary[path.stem] = {
            "n": len(cases),
            "recall": rate(found),
            "false": rate(false),
            "missed_by_language": missed,
        }
        print(
            f"{path.stem} ({half}): recall {rate(found)} of {len(found)}, false {rate(false)} of {len(false)}; missed {missed}"
        )

    cases = read_jsonl(LOOKALIKES)
    refused = []
    for case in tqdm(cases, desc="look-alikes", unit="request"):
        decision = agent.check(PolicyRequest(prompt=case["text"]))
        refused.append(not decision.allowed)
        if args.errors and not decision.allowed:
            print(f"  look-alike refused ({decision.category}) [{case['lang']}] {case['text']}")
    summary["lookalikes"] = {"n": len(cases), "refused": rate(refused)}
    print(f"look-alikes: {sum(refused)} of {len(cases)} refused ({rate(refused)})")
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
