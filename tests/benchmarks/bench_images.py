"""Seconds per image of the embedded pipeline against a naive baseline, in the same run.

    .venv/bin/python tests/benchmarks/bench_images.py [--model-dir models/embedded] [--repeats 5]

Embedded: `EmojiDiffusionPipeline` as the backend calls it: 10 DPM-Solver++ steps (EMBEDDED_STEPS), the guided and
unguided halves in one batched UNet call, the "" embedding computed with the prompt's.
Naive baseline: the same weights through a plain default call: diffusers' default DDIM
scheduler at the 50 steps most pipelines default to, the prompt and "" encoded separately and
the UNet called twice per step (unguided, then guided).
Both make one 32 px picture per call, upscaled to 256 px. Prints medians, then a JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from models import EMBEDDED_STEPS  # noqa: E402
from models.emoji_pipeline import EmojiDiffusionPipeline, add_coords, unpatchify  # noqa: E402


@torch.no_grad()
def naive_generate(pipe: EmojiDiffusionPipeline, prompt: str, steps: int = 50, guidance: float = 3.0, seed: int = 0):
    from diffusers import DDIMScheduler

    scheduler = DDIMScheduler(
        num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2", prediction_type="v_prediction"
    )
    cond = pipe.encode_prompt([prompt])
    uncond = pipe.encode_prompt([""])
    scheduler.set_timesteps(steps)
    size = pipe.config.image_size // pipe.config.patch_size
    sample = torch.randn((1, 3 * pipe.config.patch_size**2, size, size), generator=torch.Generator().manual_seed(seed))
    for t in scheduler.timesteps:
        outs = []
        for pooled, tokens, mask in (uncond, cond):
            outs.append(
                pipe.unet(
                    add_coords(sample, pipe.config.coord_channels),
                    t,
                    encoder_hidden_states=tokens,
                    encoder_attention_mask=mask,
                    class_labels=pooled,
                ).sample
            )
        prediction = outs[0] + guidance * (outs[1] - outs[0])
        sample = scheduler.step(prediction, t, sample).prev_sample
    return pipe.postprocess(unpatchify(sample, pipe.config.patch_size), "pil", 256)


def timed(fn, repeats: int) -> list[float]:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", type=Path, default=REPO / "models" / "embedded")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--guidance", type=float, default=3.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    started = time.perf_counter()
    pipe = EmojiDiffusionPipeline.from_pretrained(args.model_dir)
    pipe.set_progress_bar_config(disable=True)
    load_s = time.perf_counter() - started
    prompt = "a cat face on a blue background"

    def embedded():
        return pipe(
            prompt,
            num_inference_steps=EMBEDDED_STEPS,
            guidance_scale=args.guidance,
            generator=torch.Generator().manual_seed(0),
        ).images

    def img2img():
        return pipe(
            prompt,
            image=source,
            strength=0.5,
            num_inference_steps=EMBEDDED_STEPS,
            guidance_scale=args.guidance,
            generator=torch.Generator().manual_seed(0),
        ).images

    def baseline():
        return naive_generate(pipe, prompt, steps=50, guidance=args.guidance)

    source = embedded()[0]
    fast = timed(embedded, args.repeats)
    half = timed(img2img, args.repeats)
    naive = timed(baseline, args.repeats)
    figures = {
        "embedded_s": round(statistics.median(fast), 4),
        "img2img_0.5_s": round(statistics.median(half), 4),
        "baseline_s": round(statistics.median(naive), 4),
        "speedup": round(statistics.median(naive) / statistics.median(fast), 2),
        "load_s": round(load_s, 2),
        "threads": args.threads,
    }
    print(
        f"embedded pipeline ({EMBEDDED_STEPS} DPM-Solver++ steps, batched guidance): median {figures['embedded_s']:.3f} s/image"
    )
    print(
        f"embedded img2img at strength 0.5:                              median {figures['img2img_0.5_s']:.3f} s/image"
    )
    print(f"naive baseline (default DDIM, 50 steps, two UNet calls/step): median {figures['baseline_s']:.3f} s/image")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
