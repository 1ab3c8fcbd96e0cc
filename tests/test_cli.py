"""The `easel` console command, run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MODEL_CACHE

EASEL = Path(sys.executable).with_name("easel")


def run_easel(*args: str, stdin: str = "", data_dir: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "EASEL_DATA_DIR": str(data_dir), "EASEL_MODEL_CACHE_DIR": str(MODEL_CACHE)}
    return subprocess.run([str(EASEL), *args], input=stdin, capture_output=True, text=True, env=env, timeout=timeout)


def test_help_lists_the_subcommands(tmp_path):
    result = run_easel("--help", data_dir=tmp_path)
    assert result.returncode == 0
    for command in ("serve", "chat", "eval"):
        assert command in result.stdout


@pytest.mark.slow
def test_terminal_chat_answers_each_line_of_stdin(tmp_path):
    result = run_easel(
        "chat",
        "--max-new-tokens",
        "16",
        stdin="Which city is the capital of France?\n\nHello!\n",
        data_dir=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    answers = [line for line in result.stdout.splitlines() if line.startswith("easel> ")]
    assert len(answers) == 2
    assert "Paris" in answers[0]
