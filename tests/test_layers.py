"""Imports run one way: app -> chat -> policy -> models, and training code stays apart.

Read from the source with ast, so an import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["app", "chat", "policy", "models"]  # each may import only those after it
COMMAND_LINE = {"cli.py", "commands.py"}  # the `easel` commands may reach their own folder's training code


def imported_packages(path: Path) -> set[str]:
    """Every top-level package a module imports, wherever in the module the import sits."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules(layer: str) -> list[Path]:
    return [ROOT / "app.py"] if layer == "app" else sorted((ROOT / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", LAYERS[1:])
def test_imports_never_run_upward(layer):
    above = LAYERS[: LAYERS.index(layer)]
    upward = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(layer)
        for name in imported_packages(path)
        if name.split(".")[0] in above
    }
    assert not upward


@pytest.mark.parametrize("layer", LAYERS[1:])
def test_runtime_code_never_imports_training_code(layer):
    runtime = [path for path in modules(layer) if "training" not in path.parts and path.name not in COMMAND_LINE]
    assert runtime, f"{layer}/ has no runtime modules"
    reaching = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in runtime
        for name in imported_packages(path)
        if ".training" in name
    }
    assert not reaching


def test_the_check_sees_an_upward_import(tmp_path):
    """The walk finds imports inside functions too: an upward import there would slip past a
    top-of-file grep."""
    module = tmp_path / "sample.py"
    module.write_text("def serve():\n    from app import build_app\n    import chat.page\n")
    assert {"app", "app.build_app", "chat.page"} <= imported_packages(module)
