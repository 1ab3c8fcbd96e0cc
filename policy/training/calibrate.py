"""Calibrate the similarity thresholds on the team's own cases (policy/training/calibration_cases.jsonl).

    .venv/bin/python -m policy.training.calibrate

Runs every calibration case through the agent for a grid of thresholds (the same value for every
similarity category; under-18 thresholds are set separately in categories.yaml) and margins, and
prints over- and under-refusal for each, so the values in categories.yaml can be chosen from
numbers rather than by feel. The public benchmark in ../shared/eval is for measuring only.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

import torch

from policy.agent import PolicyAgent
from policy.evaluate import read_cases, request_for, summarize

HERE = Path(__file__).parent


def sweep(cases_path: Path, registry_path: Path, thresholds, margins) -> list[tuple[float, float, dict]]:
    torch.set_num_threads(1)
    cases = read_cases(cases_path)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        agent = PolicyAgent(Path(folder) / "calibration.sqlite3", audit=False)
        agent.registry.import_file(registry_path)
        # The classifier is shared within a process (see agent._shared_models): restore it after.
        original, original_margin = dict(agent.classifier.categories), agent.classifier.margin
        for threshold in thresholds:
            for margin in margins:
                agent.classifier.categories = {
                    name: dataclasses.replace(c, threshold=threshold) if c.needs != "minor_user" else c
                    for name, c in original.items()
                }
                agent.classifier.margin = margin
                rows = []
                for case in cases:
                    decision = agent._decide(request_for(case))
                    predicted = "allow" if decision.allowed else "refuse"
                    rows.append({"case": case, "predicted": predicted, "correct": predicted == case["expected"]})
                results.append((threshold, margin, summarize(rows, [0.0])))
        agent.classifier.categories = original
        agent.classifier.margin = original_margin
    return results


def main(argv: list[str]) -> int:
    cases = Path(argv[0]) if argv else HERE / "calibration_cases.jsonl"
    registry = Path(argv[1]) if len(argv) > 1 else HERE / "calibration_registry.json"
    grid = [round(0.30 + 0.02 * i, 2) for i in range(13)]
    for threshold, margin, summary in sweep(cases, registry, grid, [0.0, 0.02]):
        print(
            f"threshold={threshold:.2f} margin={margin:.2f} accuracy={summary['accuracy']:.3f} "
            f"over_refusal={summary['over_refusal']:.3f} under_refusal={summary['under_refusal']:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
