"""The shared evaluation data measures the policy; none of its wording may be in the policy.

A phrase copied from `../shared/eval` into the corpus, a rule or a message would make every
figure measured on that set say nothing about requests the policy has not seen. This checks
every text file under policy/ against every run of six words of the shared cases (skipped where
the shared folder is not beside the checkout)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_CASES = REPO.parent / "shared" / "eval" / "policy_cases.jsonl"
RUN = 6


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@pytest.mark.skipif(not SHARED_CASES.exists(), reason="../shared/eval is not beside this checkout")
def test_no_run_of_six_words_of_the_shared_eval_is_in_policy():
    runs = set()
    for line in SHARED_CASES.read_text(encoding="utf-8").splitlines():
        if line.strip():
            words = _words(json.loads(line)["prompt"])
            runs.update(tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1))
    found = []
    for path in sorted((REPO / "policy").rglob("*")):
        if path.suffix not in {".py", ".yaml", ".json", ".txt"} or not path.is_file():
            continue
        words = _words(path.read_text(encoding="utf-8", errors="ignore"))
        found += [
            f"{path.relative_to(REPO)}: {' '.join(words[i : i + RUN])}"
            for i in range(len(words) - RUN + 1)
            if tuple(words[i : i + RUN]) in runs
        ]
    assert found == []
