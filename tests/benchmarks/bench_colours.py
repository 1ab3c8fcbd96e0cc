"""Colour words on everyday subjects, through `easel draw --prompts` (the issue's protocol).

    nice -n 15 .venv/bin/python tests/benchmarks/bench_colours.py [--seed 0] [--before]

Twenty everyday subjects, each asked in a colour ("a yellow bicycle", "a purple umbrella", ...),
written here for this check. They are drawn by `easel draw --prompts FILE --out-dir DIR` in a
fresh process (the policy gate and the image backend the chat uses), and each picture is judged
by colour analysis alone: the subject is every pixel far from the border's colour; its main hue
is the peak of the hue histogram of its coloured pixels (saturation > 0.25, value > 0.2; 10°
bins, smoothed over three); a hit when the peak is within 30° of the asked colour's hue.
`--before` also draws each prompt the way it was drawn before scenes (the resolver's caption,
one model call: a colour the glyph could not take became the background) and judges it the same.
Prints one line per prompt, then a JSON line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from models.scene_edits import COLOURS, rgb_to_hsv  # noqa: E402

PROMPTS = [
    ("a yellow bicycle", "yellow"),
    ("a purple umbrella", "purple"),
    ("a green car", "green"),
    ("a blue dog", "blue"),
    ("a pink cat", "pink"),
    ("a red house", "red"),
    ("a yellow balloon", "yellow"),
    ("a blue chair", "blue"),
    ("an orange bird", "orange"),
    ("a purple fish", "purple"),
    ("a red flower", "red"),
    ("an orange tree", "orange"),
    ("a green bus", "green"),
    ("a pink boat", "pink"),
    ("a red shoe", "red"),
    ("a yellow hat", "yellow"),
    ("a green guitar", "green"),
    ("a purple apple", "purple"),
    ("a blue kite", "blue"),
    ("a pink book", "pink"),
]


def main_hue(picture: Image.Image) -> float | None:
    """The peak of the subject's hue histogram (degrees), or None when it has no coloured pixels."""
    rgb = np.asarray(picture.convert("RGB"), np.float32)
    border = np.concatenate([rgb[:3].reshape(-1, 3), rgb[-3:].reshape(-1, 3), rgb[:, :3].reshape(-1, 3)])
    background = np.median(border, 0)
    subject = np.linalg.norm(rgb - background, axis=-1) > 40
    hsv = rgb_to_hsv(rgb / 255.0)
    coloured = subject & (hsv[..., 1] > 0.25) & (hsv[..., 2] > 0.2)
    if coloured.sum() < 20:
        return None
    histogram = np.histogram(hsv[..., 0][coloured] * 360, bins=36, range=(0, 360))[0].astype(float)
    smooth = histogram + np.roll(histogram, 1) + np.roll(histogram, -1)
    return float(smooth.argmax()) * 10 + 5


def hit(hue: float | None, colour: str) -> bool:
    return hue is not None and abs((hue - COLOURS[colour].hue + 180) % 360 - 180) <= 30


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--before", action="store_true", help="also judge the drawing as it was made before scenes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "prompts.txt").write_text("\n".join(p for p, _c in PROMPTS) + "\n", encoding="utf-8")
        run = subprocess.run(
            [
                str(REPO / ".venv" / "bin" / "easel"),
                "draw",
                "--prompts",
                str(folder / "prompts.txt"),
                "--out-dir",
                str(folder / "out"),
                "--seed",
                str(args.seed),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        summary = json.loads(run.stdout.strip().splitlines()[-1])
        hits = []
        for k, (prompt, colour) in enumerate(PROMPTS):
            hue = main_hue(Image.open(folder / "out" / f"{k:04d}.png"))
            hits.append(hit(hue, colour))
            print(f"{'hit ' if hits[-1] else 'miss'} {prompt:22} main hue {hue}")
    result = {"n": len(PROMPTS), "main_hue_is_asked_colour": round(sum(hits) / len(hits), 3), **summary}
    if args.before:
        import torch

        from models.image_backend import ImageBackend, to_display

        backend = ImageBackend.from_preset("embedded")
        pipe = backend.embedded_pipeline()
        before = []
        for prompt, colour in PROMPTS:
            caption = backend.concept_index().resolve(prompt).caption()
            generator = torch.Generator().manual_seed(args.seed)
            small = pipe(caption, output_type="np", output_size=None, generator=generator).images[0]
            before.append(hit(main_hue(to_display(small, 128, backend._upscaler)), colour))
            print(f"before: {'hit ' if before[-1] else 'miss'} {prompt:22} caption {caption!r}")
        result["before"] = round(sum(before) / len(before), 3)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
