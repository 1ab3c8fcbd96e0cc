"""`pytest -m "not slow"` loads no model: the guard in tests/model_guard/ refuses a real model in a
test not marked slow, in the test's own process and in the processes it starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, model_guard


def test_a_fast_test_cannot_load_a_real_model():
    from models.photo_checks import _nudity_detector

    with pytest.raises(model_guard.ModelLoadInFastTest, match="not marked slow"):
        _nudity_detector()
    assert model_guard.take_refused()  # taken, so this test itself passes


def test_a_process_a_fast_test_starts_cannot_load_one_either(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "from models.photo_checks import _nudity_detector; _nudity_detector()"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin"},  # its own env: the guard is added to it
        timeout=120,
    )
    assert result.returncode != 0 and "not marked slow" in result.stderr
    Path(model_guard.os.environ[model_guard.LOG_ENV]).unlink()  # recorded there; cleared, so this test passes


def test_tiny_models_under_the_temporary_folder_are_allowed(tmp_path):
    from models.emoji_pipeline import EmojiDiffusionPipeline, make_scheduler, make_unet

    EmojiDiffusionPipeline(unet=make_unet(channels=(16, 32)), scheduler=make_scheduler()).save_pretrained(tmp_path)
    assert EmojiDiffusionPipeline.from_pretrained(tmp_path).unet is not None


@pytest.mark.slow
def test_a_slow_test_may():
    assert model_guard.active_test is None
