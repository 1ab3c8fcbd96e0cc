"""`easel eval edits`: its pixel measures can fail, it covers enough pairs, and its command
prints the per-kind table and a JSON last line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from chat.training.edit_eval import KINDS, SUBJECTS, judge, make_pairs, measure
from models.image_backend import EMBEDDED_DIR
from tests.test_scene_edits import FONT, emoji_picture

pytestmark = pytest.mark.skipif(not FONT.exists(), reason="fonts-noto-color-emoji is not installed")


def test_enough_pairs_of_every_kind():
    pairs = make_pairs(SUBJECTS)
    assert len(pairs) >= 200
    assert {p.kind for p in pairs} == set(KINDS)
    assert len({p.message for p in pairs}) > 60  # many phrasings, several languages


def test_the_measures_fail_when_nothing_changed():
    apple = emoji_picture()
    for kind, target in [
        ("recolour", "blue"),
        ("bigger", None),
        ("smaller", None),
        ("background", "yellow"),
        ("move", "left"),
        ("add", "star"),
    ]:
        assert not judge(kind, target, apple, apple), kind
    assert not judge("recolour", "blue", apple, None)  # no picture is a failure


def test_the_measures_pass_on_true_edits():
    apple = emoji_picture()
    assert judge("bigger", None, apple, emoji_picture(share=0.8))
    assert judge("smaller", None, apple, emoji_picture(share=0.4))
    assert judge("move", "left", apple, emoji_picture(centre=(0.32, 0.5)))
    assert not judge("move", "top left corner", apple, emoji_picture(centre=(0.32, 0.5)))  # only half of it
    assert judge("background", "yellow", apple, emoji_picture(background=(250, 225, 60)))
    assert judge("undo", None, apple, emoji_picture(), reference=apple)
    assert not judge("undo", None, apple, emoji_picture(share=0.5), reference=apple)
    assert measure(apple).hue < 30 or measure(apple).hue > 330  # a red apple


@pytest.mark.skipif(not (EMBEDDED_DIR / "model_index.json").is_file(), reason="no embedded image model")
@pytest.mark.slow
def test_eval_edits_command_prints_the_table_and_a_json_line(tmp_path):
    from tests.conftest import MODEL_CACHE

    result = subprocess.run(
        [sys.executable, "-m", "chat.cli", "eval", "edits", "--subjects", "1", "--no-recognition"],
        capture_output=True,
        text=True,
        timeout=600,
        env={
            "EASEL_MODEL_CACHE_DIR": str(MODEL_CACHE),
            "EASEL_DATA_DIR": str(tmp_path / "data"),
            "PATH": "/usr/bin:/bin",
            "HF_HUB_OFFLINE": "1",
        },
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    assert summary["n"] == 10 and set(summary["by_kind"]) == set(KINDS)
    assert all(0.0 <= figures["success"] <= 1.0 for figures in summary["by_kind"].values())
    assert lines[0].split()[:2] == ["kind", "n"]


def test_shape_kept_tells_a_recolour_from_another_subject():
    from chat.training.edit_eval import shape_kept
    from models import scene_edits as se

    apple = emoji_picture()
    blue_apple = se.recolour(se.segment(apple), "blue")[0].render()
    assert shape_kept(apple, blue_apple)
    assert not shape_kept(apple, emoji_picture("🐟"))
    assert not shape_kept(apple, emoji_picture(centre=(0.3, 0.5)))
