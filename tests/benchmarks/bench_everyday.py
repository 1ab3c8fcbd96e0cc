"""Everyday subjects through the product's image path, judged among all 1,377 emoji.

    .venv/bin/python tests/benchmarks/bench_everyday.py [--model embedded] [--seed 0]

Forty subjects people ask for first (animals, food, plants, weather, vehicles, buildings,
objects), written here for this check (not the project's hidden list, which nobody here has
seen). Each is drawn as "draw a X" through the same ImageBackend the chat uses (resolver, 32 px
model, upscaler) and judged by the classifier trained on real renders of all single-code-point
emoji (`models.training.image_eval.load_judge`): a hit when one of the subject's emoji is among the
judge's first five guesses. Prints one line per subject, then a JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from models.image_backend import ImageBackend  # noqa: E402
from models.training.image_eval import classify, load_judge  # noqa: E402

# subject -> the emoji that count as that subject
SUBJECTS = {
    "a dog": "🐕🐶",
    "a cat": "🐈🐱",
    "a horse": "🐎🐴",
    "a cow": "🐄🐮",
    "a pig": "🐖🐷",
    "a bird": "🐦",
    "a fish": "🐟",
    "an elephant": "🐘",
    "a rabbit": "🐇🐰",
    "a lion": "🦁",
    "a bear": "🐻",
    "a frog": "🐸",
    "an apple": "🍎🍏",
    "a banana": "🍌",
    "a pizza": "🍕",
    "a hamburger": "🍔",
    "a carrot": "🥕",
    "bread": "🍞",
    "a cake": "🍰🎂",
    "an ice cream": "🍦🍨",
    "a tree": "🌳🌲",
    "a flower": "🌼🌸🌷",
    "a cactus": "🌵",
    "a mushroom": "🍄",
    "the sun": "☀🌞",
    "the moon": "🌙🌕",
    "a cloud": "☁",
    "rain": "🌧☔",
    "a snowflake": "❄",
    "a rainbow": "🌈",
    "a car": "🚗🚘",
    "a bicycle": "🚲",
    "a bus": "🚌",
    "a train": "🚆🚂",
    "an airplane": "✈",
    "a boat": "⛵🚤",
    "a house": "🏠🏡",
    "a castle": "🏰",
    "a guitar": "🎸",
    "an umbrella": "☂☔",
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="embedded")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work-dir", type=Path, default=REPO / "data" / "image_model")
    args = parser.parse_args()
    torch.set_num_threads(1)
    judge, judge_set = load_judge(args.work_dir)
    emoji_of_column = [judge_set.catalog.glyphs[i].emoji.replace("\ufe0f", "") for i in judge_set.concepts]
    backend = ImageBackend.from_preset(args.model)
    backend.embedded_pipeline()  # loaded before the clock starts
    hits, seconds = [], []
    for k, (subject, accepted) in enumerate(SUBJECTS.items()):
        began = time.perf_counter()
        picture = backend.generate(f"draw {subject}", seed=args.seed + k)
        seconds.append(time.perf_counter() - began)
        small = np.asarray(picture.image.convert("RGB").resize((32, 32), Image.LANCZOS))[None]
        guesses = [emoji_of_column[j] for j in classify(judge, small)[0].topk(5).indices.tolist()]
        hit = any(g in accepted.replace("\ufe0f", "") for g in guesses)
        hits.append(hit)
        print(f"{'hit ' if hit else 'miss'} {subject:16} drew {picture.concept or '-':24} judge: {' '.join(guesses)}")
    print(
        json.dumps(
            {
                "n": len(hits),
                "top5": round(sum(hits) / len(hits), 3),
                "sec_per_image_median": round(float(np.median(seconds)), 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
