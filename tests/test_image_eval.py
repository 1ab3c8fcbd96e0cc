"""Pieces of `easel eval images`: real-render batches, the classifier, the contact sheet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import PIL.Image
import torch

from models.emoji_data import EmojiScenes
from models.training.image_eval import EmojiClassifier, classify, contact_sheet, real_batch

CACHE = Path(__file__).resolve().parents[1] / ".cache" / "image_data"


def test_real_batches_are_deterministic_single_concept_renders():
    scenes = EmojiScenes.default(CACHE, count=300, seed=0)
    a = real_batch(scenes, np.random.default_rng(1), 8)
    b = real_batch(scenes, np.random.default_rng(1), 8)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert a[0].shape == (8, 3, 32, 32) and int(a[1].max()) < 300


def test_classifier_scores_every_concept():
    torch.manual_seed(0)
    model = EmojiClassifier(300).eval()
    scores = classify(model, np.zeros((5, 32, 32, 3), dtype=np.uint8))
    assert scores.shape == (5, 300)


def test_contact_sheet_has_32_captioned_cells(tmp_path):
    pictures = [PIL.Image.new("RGB", (32, 32), (i * 7, 100, 200)) for i in range(32)]
    path = contact_sheet(
        pictures, [f"a drawing of thing number {i} on a blue background" for i in range(32)], tmp_path / "s.png"
    )
    sheet = PIL.Image.open(path)
    assert sheet.size == (8 * 128, 4 * (128 + 40))


def test_judge_ranks_count_the_classes_scored_above_the_asked_one():
    from models.training.image_eval import judge_ranks

    scores = torch.tensor([[0.1, 0.9, 0.5, 0.2], [0.8, 0.1, 0.3, 0.7], [0.4, 0.4, 0.9, 0.1]])
    ranks = judge_ranks(scores, torch.tensor([1, 1, 0]))
    assert ranks.tolist() == [0, 3, 1]  # a tie with the asked class does not count against it
