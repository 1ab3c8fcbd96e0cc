"""The embedded model's super-resolution stage (models/emoji_upscaler.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from models.emoji_upscaler import EmojiUpscaler, HighResGlyphs, degrade, measure, psnr, ssim, to_tensor
from models.image_backend import load_upscaler, to_display

pytestmark = pytest.mark.slow  # loads the embedded upscaler

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "models" / "embedded"


def test_upscaler_makes_pictures_four_times_larger():
    torch.manual_seed(0)
    model = EmojiUpscaler(channels=8, blocks=1).eval()
    out = model.upscale(np.zeros((2, 32, 32, 3), dtype=np.uint8))
    assert out.shape == (2, 128, 128, 3) and out.dtype == np.uint8
    picture = to_display(np.full((32, 32, 3), 200, dtype=np.uint8), 256, model)
    assert picture.size == (256, 256)
    assert to_display(np.zeros((32, 32, 3), dtype=np.uint8), 256, None).size == (256, 256)  # LANCZOS only


def test_metrics_and_degradation_behave():
    rng = np.random.default_rng(0)
    a = to_tensor(rng.integers(0, 255, size=(2, 32, 32, 3), dtype=np.uint8))
    assert ssim(a, a) == pytest.approx(1.0, abs=1e-4) and psnr(a, a) > 90
    dirty = degrade(a, np.random.default_rng(1))
    assert dirty.shape == a.shape and dirty.abs().max() <= 1.0 and not torch.equal(dirty, a)


@pytest.mark.skipif(not (SHIPPED / "upscaler" / "config.json").is_file(), reason="no shipped upscaler")
def test_shipped_upscaler_beats_lanczos_on_held_out_real_renders():
    """Real 128 px renders of glyphs the upscaler never trained on, brought to 32 px: the
    upscaler's 128 px picture is closer to the real one than LANCZOS upscaling, clean or degraded."""
    from models.emoji_data import EmojiCatalog

    torch.set_num_threads(1)
    catalog = EmojiCatalog.build(REPO / ".cache" / "image_data")
    glyphs = HighResGlyphs(
        [catalog.glyphs[i].emoji for i in catalog.drawable_concepts()], REPO / ".cache" / "image_data"
    )
    upscaler = load_upscaler(SHIPPED)
    figures = measure(upscaler, glyphs, n=48)
    for case in ("clean", "degraded"):
        assert figures[case]["sr_psnr"] > figures[case]["lanczos_psnr"] + 0.5, figures
        assert figures[case]["sr_ssim"] > figures[case]["lanczos_ssim"], figures
