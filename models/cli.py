"""`easel train image-model`, `easel train image-upscaler`, `easel eval images` and `easel concepts`:
the image model's commands. (`easel draw` is in chat/commands.py: it goes through the chat's
policy gate, and models/ never imports policy/ or chat/.)"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from models import EMBEDDED_DIR, EMBEDDED_STEPS


def register(
    commands: argparse._SubParsersAction,
    eval_commands: argparse._SubParsersAction,
    train_commands: argparse._SubParsersAction,
) -> None:
    train = train_commands.add_parser("image-model", help="train the embedded text-to-image model")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--steps", type=int, default=4000)
    train.add_argument("--batch-size", type=int, default=32)
    train.add_argument("--lr", type=float, default=8e-4)
    train.add_argument(
        "--concepts",
        default="300",
        help='number of distinct concepts, or "drawable": every emoji that depicts something',
    )
    train.add_argument("--channels", default="64,128,192", help="UNet channels per level")
    train.add_argument(
        "--patch-size",
        type=int,
        default=2,
        help="pixels folded into one UNet position per side (2: 16x16 grid, 4: 8x8)",
    )
    train.add_argument(
        "--caption-pool",
        type=int,
        default=0,
        help="compositions per concept with captions encoded once (0: fresh ones every step)",
    )
    train.add_argument("--threads", type=int, default=1, help="CPU threads (leave the other cores to others)")
    train.add_argument(
        "--canonical-captions",
        action="store_true",
        help="one caption form per concept (what the request resolver writes)",
    )
    train.add_argument("--init-from", type=Path, default=None, help="fine-tune from this pipeline folder's UNet")
    train.add_argument(
        "--known-weight", type=float, default=1.0, help="sampling weight of the init model's own concepts"
    )
    train.add_argument(
        "--focus-from",
        type=Path,
        default=None,
        help="a --misses file of `easel eval images --split train`: concepts the judge missed there are drawn more often",
    )
    train.add_argument(
        "--focus-weight", type=float, default=1.0, help="sampling weight of the --focus-from concepts (others: 1)"
    )
    train.add_argument("--checkpoint-every", type=int, default=100)
    train.add_argument(
        "--work-dir", type=Path, default=None, help="checkpoints and data cache (default DATA_DIR/image_model)"
    )
    train.add_argument("--out", type=Path, default=EMBEDDED_DIR, help="where the trained pipeline is saved")
    train.add_argument("--no-resume", action="store_true", help="start over even when a checkpoint exists")
    train.add_argument("--export-only", action="store_true", help="export the latest checkpoint's EMA weights and stop")
    train.set_defaults(handler=run_train)

    upscaler = train_commands.add_parser(
        "image-upscaler", help="train the embedded model's 32 -> 128 px super-resolution stage"
    )
    upscaler.add_argument("--steps", type=int, default=3000)
    upscaler.add_argument("--batch-size", type=int, default=16)
    upscaler.add_argument("--lr", type=float, default=2e-3)
    upscaler.add_argument("--seed", type=int, default=0)
    upscaler.add_argument("--threads", type=int, default=1)
    upscaler.add_argument(
        "--work-dir", type=Path, default=None, help="checkpoints and glyph cache (default DATA_DIR/image_upscaler)"
    )
    upscaler.add_argument(
        "--out", type=Path, default=EMBEDDED_DIR / "upscaler", help="where the trained upscaler is saved"
    )
    upscaler.set_defaults(handler=run_train_upscaler)

    sr = eval_commands.add_parser(
        "upscaler", help="the super-resolution stage against LANCZOS (PSNR/SSIM) and a contact sheet"
    )
    sr.add_argument(
        "--model-dir", type=Path, default=EMBEDDED_DIR, help="the embedded pipeline folder (with upscaler/)"
    )
    sr.add_argument("-n", type=int, default=256, help="held-out real renders measured")
    sr.add_argument(
        "--sheet", type=Path, default=None, help="contact sheet path (default DATA_DIR/image_upscaler/sheet.png)"
    )
    sr.add_argument("--threads", type=int, default=1)
    sr.set_defaults(handler=run_eval_upscaler)

    evaluate = eval_commands.add_parser("images", help="prompt fidelity and speed of the embedded image model")
    evaluate.add_argument("--json", action="store_true", help="print only the JSON figures")
    evaluate.add_argument("--model-dir", type=Path, default=EMBEDDED_DIR, help="the embedded pipeline folder")
    evaluate.add_argument("-n", type=int, default=None, help="held-out prompts (default: one per concept)")
    evaluate.add_argument("--steps", type=int, default=EMBEDDED_STEPS)
    evaluate.add_argument("--guidance", type=float, default=None, help="default: the pipeline's recommended guidance")
    evaluate.add_argument("--batch-size", type=int, default=16)
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--threads", type=int, default=1)
    evaluate.add_argument(
        "--concepts", default=None, help='measure on another concept set ("drawable" or a count) than the model\'s own'
    )
    evaluate.add_argument(
        "--split",
        choices=("eval", "train"),
        default="eval",
        help="eval: held-out prompts; train: one training-distribution picture per concept (hard-concept mining)",
    )
    evaluate.add_argument(
        "--misses", type=Path, default=None, help="write each prompt's judge rank among all emoji to this JSON file"
    )
    evaluate.set_defaults(handler=run_eval)

    concepts = commands.add_parser(
        "concepts", help="what the embedded image model was trained to draw, one name a line"
    )
    concepts.add_argument("--json", action="store_true", help='a JSON list of {"name", "emoji"} as the last line')
    concepts.add_argument(
        "--model-dir", type=Path, default=None, help="an embedded pipeline folder (default: the configured one)"
    )
    concepts.set_defaults(handler=run_concepts)


def run_train(args, settings) -> int:
    from models.training.image_model import TrainConfig, export_checkpoint, train

    work = args.work_dir or settings.resolved_data_dir() / "image_model"
    if args.export_only:
        summary = export_checkpoint(work, args.out)
        print(json.dumps(summary))
        return 0
    concepts = args.concepts if args.concepts == "drawable" else int(args.concepts)
    config = TrainConfig(
        seed=args.seed,
        steps=args.steps,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        concepts=concepts,
        channels=tuple(int(c) for c in args.channels.split(",")),
        patch_size=args.patch_size,
        caption_pool=args.caption_pool,
        threads=args.threads,
        checkpoint_every=args.checkpoint_every,
        canonical_captions=args.canonical_captions,
        init_from=str(args.init_from.resolve()) if args.init_from else "",
        known_weight=args.known_weight,
        focus_from=str(args.focus_from.resolve()) if args.focus_from else "",
        focus_weight=args.focus_weight,
    )
    summary = train(config, work, args.out, resume=not args.no_resume, progress=True)
    print(json.dumps(summary))
    return 0


def run_train_upscaler(args, settings) -> int:
    from models.emoji_data import EmojiCatalog
    from models.emoji_upscaler import EmojiUpscaler, HighResGlyphs, measure, train_upscaler

    work = args.work_dir or settings.resolved_data_dir() / "image_upscaler"
    catalog = EmojiCatalog.build(settings.resolved_data_dir() / "image_model")
    emojis = [catalog.glyphs[i].emoji for i in catalog.drawable_concepts()]
    summary = train_upscaler(
        work,
        args.out,
        emojis,
        steps=args.steps,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        threads=args.threads,
    )
    model = EmojiUpscaler.from_pretrained(args.out).eval()
    summary["held_out"] = measure(model, HighResGlyphs(emojis, work))
    (Path(args.out) / "training.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(json.dumps(summary))
    return 0


def run_eval_upscaler(args, settings) -> int:
    """Held-out real renders: PSNR/SSIM of the upscaler and of LANCZOS from the same 32 px input
    (clean and degraded), and a contact sheet that also shows the base model's own samples."""
    import torch

    from models.emoji_data import EmojiCatalog
    from models.emoji_pipeline import EmojiDiffusionPipeline
    from models.emoji_upscaler import HighResGlyphs, comparison_sheet, measure
    from models.image_backend import load_concept_index, load_upscaler

    torch.set_num_threads(args.threads)
    upscaler = load_upscaler(args.model_dir)
    if upscaler is None:
        print(f"error: {args.model_dir} has no upscaler/", file=sys.stderr)
        return 2
    data = settings.resolved_data_dir()
    catalog = EmojiCatalog.build(data / "image_model")
    glyphs = HighResGlyphs([catalog.glyphs[i].emoji for i in catalog.drawable_concepts()], data / "image_upscaler")
    figures = measure(upscaler, glyphs, n=args.n)
    pipe = EmojiDiffusionPipeline.from_pretrained(args.model_dir)
    pipe.set_progress_bar_config(disable=True)
    index = load_concept_index(args.model_dir, pipe)
    prompts = [
        "a dog",
        "a house",
        "the sun",
        "a pizza",
        "a tree",
        "a red car on a yellow background",
        "a small cat face",
        "a rocket",
    ]
    captions = [index.resolve(p).caption() if index is not None else p for p in prompts]
    samples = pipe(captions, generator=torch.Generator().manual_seed(0), output_type="np").images
    sheet = comparison_sheet(
        upscaler, glyphs, list(zip(prompts, samples, strict=False)), args.sheet or data / "image_upscaler" / "sheet.png"
    )
    print(f"contact sheet: {sheet}", file=sys.stderr)
    print(json.dumps(figures))
    return 0


def run_eval(args, settings) -> int:
    import torch

    from models.image_backend import DEFAULT_GUIDANCE
    from models.training.image_eval import evaluate

    torch.set_num_threads(args.threads)
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    figures = evaluate(
        args.model_dir,
        settings.resolved_data_dir() / "image_model",
        n=args.n,
        steps=args.steps,
        guidance=DEFAULT_GUIDANCE if args.guidance is None else args.guidance,
        batch_size=args.batch_size,
        seed=args.seed,
        log=log,
        concepts=None
        if args.concepts is None
        else args.concepts
        if args.concepts == "drawable"
        else int(args.concepts),
        split=args.split,
        misses_path=args.misses,
    )
    if not args.json:
        for key, value in figures.items():
            print(f"{key}: {value}")
    print(json.dumps({key: figures[key] for key in ("n", "top1", "top5", "sec_per_image")}))
    return 0


def concept_list(folder: Path) -> list[dict]:
    """[{"name", "emoji"}] of an embedded model: its concept index, or the training record of a
    model trained before there was one."""
    from models.concepts import ConceptIndex

    index = ConceptIndex.from_folder(folder)
    if index is not None:
        return [{"name": c.name, "emoji": c.emoji} for c in index.concepts]
    info = json.loads((Path(folder) / "training.json").read_text())
    return [{"name": c["name"], "emoji": c["emoji"]} for c in info["concepts"]]


def run_concepts(args, settings) -> int:
    folder = args.model_dir
    if folder is None:
        configured = Path(settings.image_model).expanduser()
        folder = configured if configured.is_dir() else EMBEDDED_DIR
    concepts = concept_list(folder)
    if args.json:
        print(json.dumps(concepts, ensure_ascii=False))
    else:
        for concept in concepts:
            print(concept["name"])
    return 0
