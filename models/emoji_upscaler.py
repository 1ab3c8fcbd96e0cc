"""The second stage of the embedded image model: 32 px -> 128 px super-resolution (a cascade, as
in Imagen or DeepFloyd IF). The 32 px diffusion model decides what is drawn; this stage only
makes it crisp.

A plain regressor trained on clean downsamples only sharpens the edges of the base model's
samples, whose smears and noise it has never seen. So the inputs are degraded the way the base
model's samples are (Imagen's noise-conditioning augmentation, plus blur and a down-up smear):
the network learns to turn a soft, noisy 32 px emoji into the crisp 128 px render.

    upscaler = EmojiUpscaler.from_pretrained("models/embedded/upscaler")
    big = upscaler.upscale(array32)             # (N, 32, 32, 3) uint8 -> (N, 128, 128, 3) uint8

Model: a residual CNN at 32x32 (`blocks` blocks of `channels` channels), PixelShuffle x4, plus
a bicubic skip, trained with an L1 loss. `train_upscaler` is resumable like the base model.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.modeling_utils import ModelMixin
from PIL import Image, ImageDraw, ImageFont

from models.emoji_data import BACKGROUNDS, FONT_PATH, FONT_SIZE


class _Block(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1), nn.SiLU(), nn.Conv2d(channels, channels, 3, padding=1)
        )

    def forward(self, x):
        return x + 0.5 * self.body(x)


class EmojiUpscaler(ModelMixin, ConfigMixin):
    @register_to_config
    def __init__(self, scale: int = 4, channels: int = 32, blocks: int = 5):
        super().__init__()
        self.head = nn.Conv2d(3, channels, 3, padding=1)
        self.body = nn.Sequential(*[_Block(channels) for _ in range(blocks)])
        # Upsample in two x2 steps, so the last convolutions see the finer grid.
        self.up = nn.Sequential(
            nn.Conv2d(channels, channels * 4, 3, padding=1),
            nn.PixelShuffle(2),
            nn.SiLU(),
            nn.Conv2d(channels, 16 * 4, 3, padding=1),
            nn.PixelShuffle(2),
            nn.SiLU(),
            nn.Conv2d(16, 3, 3, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x in [-1, 1], (N, 3, h, w) -> (N, 3, 4h, 4w)."""
        skip = F.interpolate(x, scale_factor=self.config.scale, mode="bicubic", align_corners=False)
        features = self.head(x)
        return skip + self.up(features + self.body(features))

    @torch.no_grad()
    def upscale(self, pictures: np.ndarray) -> np.ndarray:
        """(N, h, w, 3) uint8 -> (N, 4h, 4w, 3) uint8."""
        x = torch.from_numpy(np.ascontiguousarray(pictures)).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)
        y = self(x.to(self.device, self.dtype)).float().clamp(-1, 1)
        return ((y + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()


# ---------------------------------------------------------------------------------------------
# data: real renders at 128 px and their degraded 32 px inputs

HIGH = 128


class HighResGlyphs:
    """The glyphs of a concept list rendered at 128 px (the catalog keeps 64 px, too small for
    a 128 px target), cached as one .npy under `cache_dir`."""

    def __init__(self, emojis: list[str], cache_dir: Path):
        cache = Path(cache_dir) / f"glyphs128-{len(emojis)}.npy"
        if cache.is_file():
            self.pixels = np.load(cache)
        else:
            font = ImageFont.truetype(str(FONT_PATH), FONT_SIZE)
            rows = []
            for char in emojis:
                canvas = Image.new("RGBA", (FONT_SIZE * 4, FONT_SIZE * 2), (0, 0, 0, 0))
                ImageDraw.Draw(canvas).text((8, 8), char, font=font, embedded_color=True)
                box = canvas.getchannel("A").getbbox()
                glyph = canvas.crop(box)
                side = max(glyph.size)
                square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
                square.paste(glyph, ((side - glyph.width) // 2, (side - glyph.height) // 2))
                rows.append(np.asarray(square.resize((HIGH, HIGH), Image.LANCZOS), dtype=np.uint8))
            self.pixels = np.stack(rows)
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache, self.pixels)

    def __len__(self) -> int:
        return len(self.pixels)

    def compose(self, rng: np.random.Generator, index: int) -> np.ndarray:
        """One 128 px scene like the base model's: a glyph at a size and place, on a flat colour."""
        background = (
            list(BACKGROUNDS.values())[int(rng.integers(len(BACKGROUNDS)))] if rng.random() < 0.5 else (255, 255, 255)
        )
        scale = float(rng.choice([0.5, 0.78, 0.78, 0.97]))
        g = round(HIGH * scale)
        glyph = Image.fromarray(self.pixels[index]).resize((g, g), Image.LANCZOS)
        x = int(rng.integers(2, HIGH - g - 1)) if HIGH - g > 4 else (HIGH - g) // 2
        y = int(rng.integers(2, HIGH - g - 1)) if HIGH - g > 4 else (HIGH - g) // 2
        canvas = Image.new("RGB", (HIGH, HIGH), background)
        canvas.paste(glyph, (x, y), glyph)
        return np.asarray(canvas)


def downsample(pictures: np.ndarray, size: int = 32) -> np.ndarray:
    return np.stack([np.asarray(Image.fromarray(p).resize((size, size), Image.LANCZOS)) for p in pictures])


def degrade(low: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Soften and dirty (N, 3, 32, 32) inputs in [-1, 1] like the base model's samples: a blur,
    a down-up smear, and Gaussian noise, each at a random strength per picture."""
    out = []
    for x in low:
        x = x[None]
        kind = rng.random()
        if kind < 0.35:  # a Gaussian blur of random width
            sigma = float(rng.uniform(0.3, 1.1))
            radius = 2
            t = torch.arange(-radius, radius + 1, dtype=torch.float32)
            k = torch.exp(-(t**2) / (2 * sigma**2))
            k = k / k.sum()
            x = F.conv2d(
                F.pad(x, (radius, radius, 0, 0), mode="replicate"), k.view(1, 1, 1, -1).repeat(3, 1, 1, 1), groups=3
            )
            x = F.conv2d(
                F.pad(x, (0, 0, radius, radius), mode="replicate"), k.view(1, 1, -1, 1).repeat(3, 1, 1, 1), groups=3
            )
        elif kind < 0.6:  # detail lost to a coarser grid, as in a 16 px sample
            small = int(rng.choice([16, 20, 24]))
            x = F.interpolate(F.interpolate(x, size=small, mode="area"), size=32, mode="bilinear", align_corners=False)
        if rng.random() < 0.7:
            x = x + torch.from_numpy(rng.normal(0, rng.uniform(0.0, 0.08), size=x.shape).astype(np.float32))
        out.append(x)
    return torch.cat(out).clamp(-1, 1)


def to_tensor(pictures: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(pictures)).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def batch(glyphs: HighResGlyphs, indices: list[int], rng: np.random.Generator, size: int, clean_share: float = 0.25):
    picks = rng.choice(indices, size=size)
    high = np.stack([glyphs.compose(rng, int(i)) for i in picks])
    low = to_tensor(downsample(high))
    if rng.random() >= clean_share:
        low = degrade(low, rng)
    return low, to_tensor(high)


# ---------------------------------------------------------------------------------------------
# training and measuring


def train_upscaler(
    work_dir: Path,
    out_dir: Path,
    emojis: list[str],
    steps: int = 4000,
    batch_size: int = 16,
    lr: float = 2e-3,
    seed: int = 0,
    checkpoint_every: int = 250,
    threads: int = 1,
    log=print,
) -> dict:
    """Train (or resume) on renders of `emojis`, holding out every 10th glyph for measuring."""
    from tqdm import tqdm

    torch.set_num_threads(threads)
    work_dir = Path(work_dir)
    glyphs = HighResGlyphs(emojis, work_dir)
    train_ids = [i for i in range(len(glyphs)) if i % 10 != 0]
    torch.manual_seed(seed)
    model = EmojiUpscaler()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    step, seconds = 0, 0.0
    checkpoint = work_dir / "upscaler-checkpoint.pt"
    if checkpoint.is_file():
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, seconds = state["step"], state["seconds"]
        log(f"resumed the upscaler from step {step}")
    bar = tqdm(total=steps, initial=step, desc="train image-upscaler", mininterval=20)
    running = None
    while step < steps:
        began = time.time()
        rng = np.random.default_rng([seed, step])
        low, high = batch(glyphs, train_ids, rng, batch_size)
        # A cosine decay over the planned steps, after a short warm-up.
        for group in optimizer.param_groups:
            group["lr"] = lr * min(1.0, (step + 1) / 100) * 0.5 * (1 + np.cos(np.pi * step / steps))
        loss = F.l1_loss(model(low), high)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        step += 1
        seconds += time.time() - began
        running = float(loss) if running is None else 0.98 * running + 0.02 * float(loss)
        bar.update(1)
        bar.set_postfix(loss=f"{running:.4f}")
        if step % checkpoint_every == 0 or step == steps:
            tmp = checkpoint.with_suffix(".tmp")
            torch.save(
                {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step, "seconds": seconds},
                tmp,
            )
            tmp.replace(checkpoint)
    bar.close()
    model.eval().save_pretrained(out_dir)
    summary = {"steps": step, "minutes": round(seconds / 60, 1), "final_loss": running}
    (Path(out_dir) / "training.json").write_text(json.dumps(summary) + "\n")
    return summary


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean PSNR in dB of pictures in [-1, 1]."""
    mse = ((a - b) / 2).pow(2).mean(dim=(1, 2, 3)).clamp_min(1e-10)
    return float((10 * torch.log10(1 / mse)).mean())


def ssim(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean SSIM (Gaussian window 11, sigma 1.5, per channel) of pictures in [-1, 1]."""
    a, b = (a + 1) / 2, (b + 1) / 2
    t = torch.arange(11, dtype=torch.float32) - 5
    g = torch.exp(-(t**2) / (2 * 1.5**2))
    g = (g / g.sum())[:, None] * (g / g.sum())[None, :]
    w = g.expand(3, 1, 11, 11)

    def blur(x):
        return F.conv2d(x, w, groups=3)

    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a**2
    var_b = blur(b * b) - mu_b**2
    cov = blur(a * b) - mu_a * mu_b
    c1, c2 = 0.01**2, 0.03**2
    value = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(value.mean())


def lanczos_up(low: torch.Tensor, size: int = HIGH) -> torch.Tensor:
    pictures = ((low.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
    return to_tensor(np.stack([np.asarray(Image.fromarray(p).resize((size, size), Image.LANCZOS)) for p in pictures]))


@torch.no_grad()
def measure(model: EmojiUpscaler, glyphs: HighResGlyphs, n: int = 256, seed: int = 777) -> dict:
    """PSNR/SSIM against the real 128 px render, for the upscaler and for LANCZOS upscaling of
    the same 32 px input: clean downsamples and degraded ones (held-out glyphs only)."""
    held_out = [i for i in range(len(glyphs)) if i % 10 == 0]
    rng = np.random.default_rng(seed)
    high = to_tensor(np.stack([glyphs.compose(rng, int(i)) for i in rng.choice(held_out, size=n)]))
    clean = to_tensor(downsample(((high + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()))
    dirty = degrade(clean, np.random.default_rng(seed + 1))
    figures = {"n": n}
    for name, low in (("clean", clean), ("degraded", dirty)):
        sr = model(low).clamp(-1, 1)
        lz = lanczos_up(low)
        figures[name] = {
            "sr_psnr": round(psnr(sr, high), 2),
            "lanczos_psnr": round(psnr(lz, high), 2),
            "sr_ssim": round(ssim(sr, high), 4),
            "lanczos_ssim": round(ssim(lz, high), 4),
        }
    return figures


def comparison_sheet(
    upscaler: EmojiUpscaler, glyphs: HighResGlyphs, samples: list[tuple[str, np.ndarray]], path: Path, seed: int = 5
) -> Path:
    """A contact sheet in two parts. Top rows: held-out real renders at 128 px, their 32 px
    version upscaled by LANCZOS, and by the upscaler. Bottom rows: the base model's own 32 px
    samples (with their prompts) upscaled by LANCZOS and by the upscaler."""
    cell, label = 128, 14
    rng = np.random.default_rng(seed)
    held_out = [i for i in range(len(glyphs)) if i % 10 == 0]
    real = np.stack([glyphs.compose(rng, int(i)) for i in rng.choice(held_out, size=8)])
    low = downsample(real)
    rows = [
        ("real 128 px", list(real)),
        ("LANCZOS from 32 px", [np.asarray(Image.fromarray(p).resize((cell, cell), Image.LANCZOS)) for p in low]),
        ("upscaler from 32 px", list(upscaler.upscale(low))),
    ]
    if samples:
        small = np.stack([s for _, s in samples[:8]])
        rows += [
            (
                "model sample, LANCZOS",
                [np.asarray(Image.fromarray(p).resize((cell, cell), Image.LANCZOS)) for p in small],
            ),
            ("model sample, upscaler", list(upscaler.upscale(small))),
        ]
    width = 8 * cell
    sheet = Image.new("RGB", (width, len(rows) * (cell + label) + (label if samples else 0)), "white")
    draw = ImageDraw.Draw(sheet)
    y = 0
    for title, pictures in rows:
        draw.text((3, y + 1), title, fill="black")
        for k, picture in enumerate(pictures):
            sheet.paste(Image.fromarray(picture), (k * cell, y + label))
        y += cell + label
    if samples:
        draw.text((3, y + 1), " | ".join(p for p, _ in samples[:8])[:170], fill="black")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path
