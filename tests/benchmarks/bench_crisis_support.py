"""Who gets the support answer: the crisis probe through the checks that choose it.

    .venv/bin/python tests/benchmarks/bench_crisis_support.py [--model DIR]

tests/data/crisis_support_probe.jsonl (140 chat messages in 28 languages, written apart from the
corpus by someone who read neither it nor the code): 70 from someone at risk now or about a
friend or relative who is, 70 look-alikes (idioms of dying, exam stress, grief, recovery
milestones, dose questions, school reports). Each is read three ways, in the same run:

- self_harm: the aspect head's self_harm probability >= SUPPORT_BAR (the check before the
  crisis-topic head);
- crisis head: the crisis-topic head at its own bar;
- either: what `needs_support` answers (the shipped rule).

Prints found (of those who need the answer) and false alarms (of those who do not), by kind and
for English against the other languages, then a JSON line.

`--model DIR`: a folder with a candidate aspect_head.npz, encoder_adapter/ and crisis_head.npz.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

PROBE = REPO / "tests" / "data" / "crisis_support_probe.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()

    from chat.crisis_support import SUPPORT_BAR
    from policy.agent import PolicyAgent
    from policy.aspects import HEAD_PATH

    head_path = args.model / HEAD_PATH.name if args.model else HEAD_PATH
    agent = PolicyAgent(Path(tempfile.mkdtemp()) / "policy.sqlite3", audit=False, head_path=head_path)
    cases = [json.loads(line) for line in PROBE.read_text(encoding="utf-8").splitlines() if line.strip()]
    ways = ("self_harm", "crisis head", "either")
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # (way, group) -> [said, n]
    for case in cases:
        self_harm = agent.aspect_probabilities(case["message"])["self_harm"] >= SUPPORT_BAR
        crisis = agent.crisis_probability(case["message"])
        by_head = crisis is not None and crisis[0] >= crisis[1]
        said = {"self_harm": self_harm, "crisis head": by_head, "either": self_harm or by_head}
        need = "need" if case["needs_support"] else "ordinary"
        language = "en" if case["language"] == "en" else "other"
        for way in ways:
            for group in (need, f"{need}/{language}", f"{need}/{case['kind']}"):
                tally[(way, group)][0] += int(said[way])
                tally[(way, group)][1] += 1

    def share(way: str, group: str) -> float:
        said, n = tally[(way, group)]
        return round(said / max(1, n), 3)

    print(f"{'':>44}" + "".join(f"{way:>13}" for way in ways))
    groups = sorted({group for _, group in tally}, key=lambda g: (g.split("/")[0] != "need", "/" in g, g))
    for group in groups:
        n = tally[(ways[0], group)][1]
        label = ("found " if group.startswith("need") else "false alarm ") + group
        print(f"{label:>38} {n:>5}" + "".join(f"{share(way, group):>13.3f}" for way in ways))
    summary = {way: {"found": share(way, "need"), "false_alarms": share(way, "ordinary")} for way in ways}
    print(json.dumps({"n": len(cases), **summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
