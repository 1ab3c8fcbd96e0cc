"""`easel eval policy`: run labelled cases through a PolicyAgent with a fresh opt-out registry.

Each case is a JSON line with `prompt`, `expected` (allow | refuse), `category`, and optionally
`context` (earlier user turns) and `user_age`. The summary follows the contract in DESIGN.md:
{"n", "accuracy", "over_refusal", "under_refusal", "by_category": {cat: {"n", "accuracy"}},
 "p50_ms", "p99_ms"}.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np

from policy.agent import PolicyAgent, PolicyRequest, check_fail_closed
from policy.aspects import HEAD_PATH


def read_cases(path: Path | str) -> list[dict]:
    cases = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line:
            cases.append(json.loads(line))
    return cases


def request_for(case: dict) -> PolicyRequest:
    return PolicyRequest(
        prompt=case["prompt"],
        context=tuple(case.get("context") or ()),
        is_edit=bool(case.get("is_edit", False)),
        source_prompt=case.get("source_prompt"),
        user_age=case.get("user_age"),
    )


def evaluate(cases: list[dict], agent: PolicyAgent, progress=None) -> tuple[dict, list[dict]]:
    """The contract summary and one result row per case."""
    # Warm-up so the first case's latency is not the model's first forward pass.
    agent.check(PolicyRequest(prompt="a lighthouse at dusk"))
    results, latencies = [], []
    for case in cases:
        start = time.perf_counter()
        decision = check_fail_closed(agent, request_for(case))
        latencies.append((time.perf_counter() - start) * 1000.0)
        predicted = "allow" if decision.allowed else "refuse"
        results.append(
            {
                "case": case,
                "predicted": predicted,
                "correct": predicted == case["expected"],
                "decision_category": decision.category,
                "reason": decision.reason,
            }
        )
        if progress is not None:
            progress.update(1)
    return summarize(results, latencies), results


def summarize(results: list[dict], latencies: list[float]) -> dict:
    allow = [r for r in results if r["case"]["expected"] == "allow"]
    refuse = [r for r in results if r["case"]["expected"] == "refuse"]
    by_category: dict[str, dict] = {}
    for r in results:
        entry = by_category.setdefault(r["case"].get("category", "uncategorised"), {"n": 0, "correct": 0})
        entry["n"] += 1
        entry["correct"] += int(r["correct"])
    n = len(results)
    return {
        "n": n,
        "accuracy": round(sum(r["correct"] for r in results) / n, 4) if n else 0.0,
        "over_refusal": round(sum(r["predicted"] == "refuse" for r in allow) / len(allow), 4) if allow else 0.0,
        "under_refusal": round(sum(r["predicted"] == "allow" for r in refuse) / len(refuse), 4) if refuse else 0.0,
        "by_category": {
            cat: {"n": e["n"], "accuracy": round(e["correct"] / e["n"], 4)} for cat, e in sorted(by_category.items())
        },
        "p50_ms": round(float(np.percentile(latencies, 50)), 2) if latencies else 0.0,
        "p99_ms": round(float(np.percentile(latencies, 99)), 2) if latencies else 0.0,
    }


def run_eval(
    cases_path: Path | str, registry_path: Path | str, progress_factory=None, head_path: Path | str = HEAD_PATH
) -> tuple[dict, list[dict]]:
    """Build an agent on a fresh temporary database holding only REGISTRY, and evaluate.
    `head_path`: a candidate head (its adapters beside it) instead of the shipped one."""
    cases = read_cases(cases_path)
    with tempfile.TemporaryDirectory(prefix="easel-eval-") as folder:
        agent = PolicyAgent(Path(folder) / "eval.sqlite3", head_path=head_path)
        agent.registry.import_file(registry_path)
        progress = progress_factory(len(cases)) if progress_factory else None
        try:
            summary, results = evaluate(cases, agent, progress)
        finally:
            if progress is not None:
                progress.close()
            agent.registry.close()
    return summary, results
