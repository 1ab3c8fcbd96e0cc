"""The encoder tuning really trains the adapters it is given: a resumed run starts from the
shipped adapters (not from zero) and moves them; `easel train policy-classifier` passes its
options through; the threshold for sexual content beside a minor is chosen as the rule needs."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from policy.aspects import ADAPTER_PATH, ASPECTS
from policy.training.corpus import Example

EXAMPLES = [
    Example("how do I poison my neighbour's dog", frozenset({"violence"}), "t.harm", "en"),
    Example("how do I get rid of the wasps in my shed", frozenset(), "t.pests", "en"),
    Example("cómo envenenar al perro del vecino", frozenset({"violence"}), "t.harm", "es"),
    Example("cómo quitar las avispas del cobertizo", frozenset(), "t.pests", "es"),
]


def _adapter(folder):
    return load_file(str(folder / "adapter_model.safetensors"))


@pytest.mark.slow
def test_resumed_tuning_starts_from_the_given_adapters_and_moves_them(tmp_path):
    from policy.training.tune_encoder import tune

    start = tmp_path / "start"
    shutil.copytree(ADAPTER_PATH, start)
    shipped = _adapter(start)
    out = tmp_path / "resumed"
    tune(EXAMPLES, list(ASPECTS), steps=2, out_dir=out, resume=start)
    resumed = _adapter(out)
    assert resumed.keys() == shipped.keys()
    # LoRA "B" matrices start at zero in a fresh run; a resumed run keeps the shipped ones, moved a little
    name = next(k for k in shipped if "lora_B" in k and shipped[k].abs().sum() > 0)
    change = (resumed[name] - shipped[name]).abs().max().item()
    assert 0 < change < shipped[name].abs().max().item()
    assert any(not torch.equal(resumed[k], shipped[k]) for k in shipped)


@pytest.mark.parametrize("option", ["--resume-tuning", "--tune-only"])
def test_easel_train_passes_tuning_options_through(option, capsys):
    from chat.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["train", "policy-classifier", option, "--false-alarm-cost", "3"])
    assert stopped.value.code == 2
    assert f"{option} needs --tune-steps" in capsys.readouterr().err


def _held_out(rows):
    """(p:sexual, p:minor, sexual label, minor label) rows -> probability and target matrices."""
    aspects = list(ASPECTS)
    probability = np.zeros((len(rows), len(aspects)), dtype=np.float32)
    targets = np.zeros_like(probability)
    for i, (p_sexual, p_minor, sexual, minor) in enumerate(rows):
        probability[i, aspects.index("sexual")], probability[i, aspects.index("minor")] = p_sexual, p_minor
        targets[i, aspects.index("sexual")], targets[i, aspects.index("minor")] = sexual, minor
    return probability, targets, aspects


def test_the_sexual_threshold_beside_a_minor_is_lowered_to_catch_what_the_ordinary_one_misses():
    from policy.training.aspect_head import minor_sexual_threshold

    harmful = [(p, 0.99, 1, 1) for p in (0.99, 0.97, 0.95, 0.86, 0.80)]  # two under the ordinary 0.92
    innocent = [(p, 0.99, 0, 1) for p in (0.01, 0.02, 0.05, 0.10, 0.30, 0.60)]
    probability, targets, aspects = _held_out(harmful + innocent)
    thresholds = np.full(len(aspects), 0.92)
    chosen = minor_sexual_threshold(probability, targets, aspects, thresholds)
    # catches 0.80 and 0.86, refuses none of the innocent rows: the highest such threshold
    assert 0.60 < chosen <= 0.80


def test_the_sexual_threshold_beside_a_minor_never_rises_and_ignores_rows_without_a_minor():
    from policy.training.aspect_head import minor_sexual_threshold

    rows = [(0.99, 0.99, 1, 1), (0.95, 0.99, 1, 1), (0.70, 0.10, 1, 1), (0.01, 0.99, 0, 1)]
    probability, targets, aspects = _held_out(rows)
    thresholds = np.full(len(aspects), 0.92)
    # the 0.70 row is not read as a minor: it is no reason to lower the bar
    assert minor_sexual_threshold(probability, targets, aspects, thresholds) == pytest.approx(0.92)
    assert minor_sexual_threshold(*_held_out(rows[:1]), thresholds) == pytest.approx(0.92)  # nothing innocent
