"""`easel train image-model`, `easel eval images` and `easel draw`: the image model's commands."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

EMBEDDED_DIR = Path(__file__).resolve().parent / "embedded"


def train_commands(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The `easel train` subcommand group, created on first use (other folders add to it)."""
    for action in [commands]:
        existing = action.choices.get("train")
        if existing is not None:
            return existing._easel_train_commands
    parser = commands.add_parser("train", help="train an embedded model")
    group = parser.add_subparsers(dest="train_command", required=True, metavar="WHAT")
    parser._easel_train_commands = group
    return group


def register(commands: argparse._SubParsersAction, eval_commands: argparse._SubParsersAction) -> None:
    train = train_commands(commands).add_parser("image-model", help="train the embedded text-to-image model")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--steps", type=int, default=4000)
    train.add_argument("--batch-size", type=int, default=32)
    train.add_argument("--lr", type=float, default=8e-4)
    train.add_argument("--concepts", type=int, default=300)
    train.add_argument("--channels", default="64,128,192", help="UNet channels per level")
    train.add_argument("--patch-size", type=int, default=2, help="pixels folded into one UNet position per side (2: 16x16 grid, 4: 8x8)")
    train.add_argument("--caption-pool", type=int, default=0, help="compositions per concept with captions encoded once (0: fresh ones every step)")
    train.add_argument("--threads", type=int, default=1, help="CPU threads (leave the other cores to others)")
    train.add_argument("--checkpoint-every", type=int, default=100)
    train.add_argument("--work-dir", type=Path, default=None, help="checkpoints and data cache (default DATA_DIR/image_model)")
    train.add_argument("--out", type=Path, default=EMBEDDED_DIR, help="where the trained pipeline is saved")
    train.add_argument("--no-resume", action="store_true", help="start over even when a checkpoint exists")
    train.add_argument("--export-only", action="store_true", help="export the latest checkpoint's EMA weights and stop")
    train.set_defaults(handler=run_train)

    evaluate = eval_commands.add_parser("images", help="prompt fidelity and speed of the embedded image model")
    evaluate.add_argument("--json", action="store_true", help="print only the JSON figures")
    evaluate.add_argument("--model-dir", type=Path, default=EMBEDDED_DIR, help="the embedded pipeline folder")
    evaluate.add_argument("-n", type=int, default=None, help="held-out prompts (default: one per concept)")
    evaluate.add_argument("--steps", type=int, default=20)
    evaluate.add_argument("--guidance", type=float, default=None, help="default: the pipeline's recommended guidance")
    evaluate.add_argument("--batch-size", type=int, default=16)
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--threads", type=int, default=1)
    evaluate.set_defaults(handler=run_eval)

    draw = commands.add_parser("draw", help="draw one picture through the policy gate and the image backend")
    draw.add_argument("prompt")
    draw.add_argument("--seed", type=int, default=None)
    draw.add_argument("--steps", type=int, default=None)
    draw.add_argument("--model", default=None, help="image model preset (default: EASEL_IMAGE_MODEL or 'embedded')")
    draw.add_argument("--out", type=Path, default=None, help="where to save the PNG (default: DATA_DIR/images/...)")
    draw.set_defaults(handler=run_draw)


def run_train(args, settings) -> int:
    from models.train_image import TrainConfig, export_checkpoint, train

    work = args.work_dir or settings.resolved_data_dir() / "image_model"
    if args.export_only:
        summary = export_checkpoint(work, args.out)
        print(json.dumps(summary))
        return 0
    config = TrainConfig(
        seed=args.seed, steps=args.steps, batch_size=args.batch_size, learning_rate=args.lr, concepts=args.concepts,
        channels=tuple(int(c) for c in args.channels.split(",")), patch_size=args.patch_size, caption_pool=args.caption_pool, threads=args.threads, checkpoint_every=args.checkpoint_every,
    )
    summary = train(config, work, args.out, resume=not args.no_resume, progress=True)
    print(json.dumps(summary))
    return 0


def run_eval(args, settings) -> int:
    import torch

    from models.image_eval import evaluate
    from models.image_backend import DEFAULT_GUIDANCE

    torch.set_num_threads(args.threads)
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    figures = evaluate(
        args.model_dir, settings.resolved_data_dir() / "image_model", n=args.n, steps=args.steps,
        guidance=DEFAULT_GUIDANCE if args.guidance is None else args.guidance, batch_size=args.batch_size, seed=args.seed, log=log,
    )
    if not args.json:
        for key, value in figures.items():
            print(f"{key}: {value}")
    print(json.dumps({key: figures[key] for key in ("n", "top1", "top5", "sec_per_image")}))
    return 0


def run_draw(args, settings) -> int:
    from models.image_backend import ImageBackend, ImageRequestError
    from policy.agent import PolicyAgent, PolicyRequest, check_fail_closed

    preset = args.model or settings.image_model
    agent = PolicyAgent.from_settings(settings)
    decision = check_fail_closed(agent, PolicyRequest(prompt=args.prompt, context=(), is_edit=False, source_prompt=None, user_age=None))
    if not decision.allowed:
        print(decision.message)
        print(json.dumps({"allowed": False, "path": None, "seed": args.seed, "model": preset, "steps": args.steps, "sec": 0.0}))
        return 3
    started = time.perf_counter()
    try:
        backend = ImageBackend.from_preset(preset, settings.model_cache_dir)
        result = backend.generate(args.prompt, seed=args.seed, steps=args.steps)
    except ImageRequestError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = args.out or settings.resolved_data_dir() / "images" / f"draw-{int(time.time())}-{result.seed}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    result.image.save(out)
    print(json.dumps({"allowed": True, "path": str(out), "seed": result.seed, "model": result.model,
                      "steps": result.steps, "sec": round(time.perf_counter() - started, 3)}))
    return 0
