"""Every concept the model lists, asked for plainly, through the command-line contracts.

    .venv/bin/python tests/benchmarks/bench_concepts.py [--seed 0] [--limit N] [--keep DIR]

The image-model issue's acceptance protocol, as a user would run it: `easel concepts --json`
lists what the embedded model knows; each name becomes "draw a NAME"; `easel draw --prompts FILE
--out-dir DIR` draws them all in a fresh process (policy gate, resolver, 32 px model, upscaler,
the model loaded once); the classifier trained only on real renders of all 1,377 single-code-point
emoji (`models.training.image_eval.load_judge`) then ranks each picture among ALL emoji. A hit
when the concept's own emoji is among the judge's first five guesses.

`easel eval images` asks the harder question (held-out phrasings, coloured backgrounds, off-centre
positions); this one is what a person typing "draw a X" gets. Prints the misses, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from models.training.image_eval import classify, load_judge  # noqa: E402

EASEL = Path(sys.executable).with_name("easel")


def plain(emoji: str) -> str:
    return emoji.replace("\ufe0f", "")


def draw_all(prompts: list[str], out_dir: Path, seed: int) -> list[dict]:
    """One JSON row per prompt from `easel draw --prompts`, shown as a progress bar."""
    prompt_file = out_dir / "prompts.txt"
    prompt_file.write_text("".join(f"{p}\n" for p in prompts), encoding="utf-8")
    command = [str(EASEL), "draw", "--prompts", str(prompt_file), "--out-dir", str(out_dir), "--seed", str(seed)]
    rows = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        bar = tqdm(total=len(prompts), desc="easel draw", unit="picture")
        for line in process.stdout:
            if line.startswith('{"allowed"'):
                rows.append(json.loads(line))
                bar.update()
            elif line.startswith('{"n"'):
                rows.append(json.loads(line))
        bar.close()
    if process.returncode != 0 or len(rows) != len(prompts) + 1:
        raise SystemExit(f"easel draw failed (exit {process.returncode}, {len(rows)} rows)")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, help="only the first N concepts (a quick look)")
    parser.add_argument("--keep", type=Path, help="keep the pictures in this folder")
    parser.add_argument("--work-dir", type=Path, default=REPO / "data" / "image_model")
    args = parser.parse_args()

    listed = subprocess.run([str(EASEL), "concepts", "--json"], capture_output=True, text=True, check=True)
    concepts = json.loads(listed.stdout.strip().splitlines()[-1])[: args.limit]
    torch.set_num_threads(1)
    judge, judge_set = load_judge(args.work_dir)  # trained on first use (about 10 minutes), then cached
    emoji_of_column = [plain(judge_set.catalog.glyphs[i].emoji) for i in judge_set.concepts]

    with tempfile.TemporaryDirectory() as scratch:
        out_dir = args.keep or Path(scratch)
        out_dir.mkdir(parents=True, exist_ok=True)
        *rows, summary = draw_all([f"draw a {c['name']}" for c in concepts], out_dir, args.seed)
        ranks = []
        for concept, row in zip(concepts, rows, strict=True):
            if not row["path"]:
                ranks.append(len(emoji_of_column))  # refused or failed: a miss
                print(f"not drawn  {concept['name']}: {row.get('rule') or 'error'}")
                continue
            small = np.asarray(Image.open(row["path"]).convert("RGB").resize((32, 32), Image.LANCZOS))[None]
            order = classify(judge, small)[0].argsort(descending=True).tolist()
            guesses = [emoji_of_column[j] for j in order]
            rank = guesses.index(plain(concept["emoji"])) if plain(concept["emoji"]) in guesses else len(guesses)
            ranks.append(rank)
            if rank >= 5:
                print(f"miss {concept['emoji']} {concept['name']:32} judge: {''.join(guesses[:5])}")
    print(
        json.dumps(
            {
                "n": len(concepts),
                "judge_classes": len(emoji_of_column),
                "top1": round(sum(r < 1 for r in ranks) / len(ranks), 3),
                "top5": round(sum(r < 5 for r in ranks) / len(ranks), 3),
                "median_rank": statistics.median(ranks) + 1,
                "drawn": summary["drawn"],
                "refused": summary["refused"],
                "sec_per_image": summary["sec_per_image"],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
