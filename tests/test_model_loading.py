"""Every model the app builds at run time is built under models.loading.WEIGHTS_LOCK (read from
the source, no model loaded): loads from two threads must not interleave (models/loading.py)."""

from __future__ import annotations

import ast
from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "models"
# Where a model is built from weights (tokenizers are not models).
BUILDERS = {"from_pretrained", "SentenceTransformer"}
NOT_MODELS = {"AutoTokenizer"}
# Functions that only ever run inside the lock (their one caller takes it).
CALLED_UNDER_THE_LOCK = {"_load_embedded", "_load_pretrained", "merge_adapter", "_convert_into_place"}


def _unlocked_builds(source: str) -> list[int]:
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else None
        if name not in BUILDERS or owner in NOT_MODELS:
            continue
        locked, at = False, node
        while at in parents and not locked:
            at = parents[at]
            if isinstance(at, ast.With):
                locked = any("WEIGHTS_LOCK" in ast.unparse(item.context_expr) for item in at.items)
            if isinstance(at, ast.FunctionDef) and at.name in CALLED_UNDER_THE_LOCK:
                locked = True
        if not locked:
            found.append(node.lineno)
    return found


def test_every_runtime_model_load_takes_the_weights_lock():
    runtime = [p for p in MODELS.glob("*.py") if p.name != "cli.py"]  # training/ and the CLI run alone
    unlocked = {p.name: lines for p in runtime if (lines := _unlocked_builds(p.read_text(encoding="utf-8")))}
    assert unlocked == {}


def test_the_check_finds_a_load_outside_the_lock():
    source = "def f():\n    return AutoModel.from_pretrained('x')\n"
    assert _unlocked_builds(source) == [2]
    assert _unlocked_builds("def f():\n    with WEIGHTS_LOCK:\n        AutoModel.from_pretrained('x')\n") == []
