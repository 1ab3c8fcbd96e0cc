"""`easel eval images`: prompt fidelity and speed of the embedded image model.

Fidelity is judged by a small CNN classifier trained on *real* renders of the concept set (the
font's glyphs composed with random backgrounds, positions, sizes and colour shifts, sometimes
blurred), never on generated pictures. For each held-out prompt (held-out phrasings and
background/position combinations, see `EmojiScenes.eval_prompts`) one picture is generated and
we ask whether the requested emoji is the classifier's first guess (top 1) or among its five
first guesses (top 5). Speed is the wall time of generation divided by the number of pictures.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFilter
from tqdm import tqdm

from models import EMBEDDED_STEPS
from models.emoji_data import BACKGROUNDS, POSITIONS, SHIFT_COLOURS, Composition, EmojiScenes


class EmojiClassifier(nn.Module):
    """A small CNN over 32x32 RGB pictures."""

    def __init__(self, classes: int, width: int = 32):
        super().__init__()

        def block(cin, cout):
            return nn.Sequential(
                nn.Conv2d(cin, cout, 3, padding=1),
                nn.BatchNorm2d(cout),
                nn.ReLU(),
                nn.Conv2d(cout, cout, 3, padding=1),
                nn.BatchNorm2d(cout),
                nn.ReLU(),
            )

        self.features = nn.Sequential(
            block(3, width), nn.MaxPool2d(2), block(width, 2 * width), nn.MaxPool2d(2), block(2 * width, 4 * width)
        )
        self.head = nn.Linear(4 * width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).mean(dim=(2, 3)))


def real_batch(scenes: EmojiScenes, rng: np.random.Generator, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Augmented real renders of single concepts and their labels."""
    pictures, labels = [], []
    for _ in range(batch_size):
        concept = int(rng.integers(len(scenes.concepts)))
        size = ["small", "normal", "normal", "large"][int(rng.integers(4))]
        position = "centre" if size == "large" else POSITIONS[int(rng.integers(len(POSITIONS)))]
        background = "white" if rng.random() < 0.4 else list(BACKGROUNDS)[int(rng.integers(len(BACKGROUNDS)))]
        colour = None
        if scenes.hues[concept] is not None and rng.random() < 0.2:
            colour = list(SHIFT_COLOURS)[int(rng.integers(len(SHIFT_COLOURS)))]
        composition = Composition((concept,), background, position, size, colour, names=("",))
        picture = scenes.render(composition, rng)
        if rng.random() < 0.3:
            picture = np.asarray(
                Image.fromarray(picture).filter(ImageFilter.GaussianBlur(float(rng.uniform(0.3, 1.0))))
            )
        pictures.append(picture)
        labels.append(concept)
    x = torch.from_numpy(np.stack(pictures)).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)
    if rng.random() < 0.5:
        x = x + torch.from_numpy(rng.normal(0, 0.05, size=x.shape).astype(np.float32))
    return x, torch.tensor(labels)


def train_classifier(
    scenes: EmojiScenes, steps: int = 1200, batch_size: int = 64, seed: int = 0, log=print
) -> EmojiClassifier:
    from tqdm import tqdm

    torch.manual_seed(seed)
    model = EmojiClassifier(len(scenes.concepts))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=steps, pct_start=0.1)
    rng = np.random.default_rng([seed, 99])
    model.train()
    for step in tqdm(range(steps), desc="eval classifier", mininterval=30):
        x, y = real_batch(scenes, rng, batch_size)
        loss = F.cross_entropy(model(x), y, label_smoothing=0.05)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if (step + 1) % 250 == 0:
            log(f"classifier step {step + 1}/{steps} loss {loss.item():.3f}")
    return model.eval()


def load_or_train_classifier(scenes: EmojiScenes, path: Path, log=print, steps: int = 1200) -> EmojiClassifier:
    """The classifier saved at `path` (safetensors), trained first when missing."""
    from safetensors.torch import load_file, save_file

    model = EmojiClassifier(len(scenes.concepts))
    if path.exists():
        model.load_state_dict(load_file(path))
        return model.eval()
    log(f"training the evaluation classifier on real renders ({steps} steps) -> {path}")
    model = train_classifier(scenes, steps=steps, log=log)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(model.state_dict(), path)
    return model


@torch.no_grad()
def classify(model: EmojiClassifier, pictures: np.ndarray) -> torch.Tensor:
    """Class scores for (N, 32, 32, 3) uint8 pictures."""
    x = torch.from_numpy(np.ascontiguousarray(pictures)).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)
    return torch.cat([model(chunk) for chunk in x.split(256)])


@torch.no_grad()
def real_accuracy(model: EmojiClassifier, scenes: EmojiScenes, n: int = 1200, seed: int = 4242) -> float:
    x, y = real_batch(scenes, np.random.default_rng([seed]), n)
    return float((model(x).argmax(1) == y).float().mean())


JUDGE_STEPS = 2500


def judge_scenes(work_dir: Path) -> EmojiScenes:
    """Every single-code-point emoji that renders (1,377): the classes of the judge."""
    catalog = EmojiScenes.default(work_dir, count=300).catalog
    singles = [i for i, g in enumerate(catalog.glyphs) if len(g.emoji.replace("\ufe0f", "")) == 1]
    return EmojiScenes(catalog, singles)


def load_judge(work_dir: Path, log=print) -> tuple[EmojiClassifier, EmojiScenes]:
    """The classifier over all single-code-point emoji, trained on augmented real renders only
    (never on generated pictures) the first time and kept in `work_dir`. A picture counts as
    the asked emoji when the emoji is among the judge's first guesses: among *all* emoji (a
    stricter test, like the project's outside judge), or among the model's concepts."""
    scenes = judge_scenes(work_dir)
    path = Path(work_dir) / f"eval-judge-{len(scenes.concepts)}-s{JUDGE_STEPS}.safetensors"
    return load_or_train_classifier(scenes, path, log=log, steps=JUDGE_STEPS), scenes


def judge_ranks(scores: torch.Tensor, true_columns: torch.Tensor) -> torch.Tensor:
    """For each picture, how many classes the judge scored above the asked one (0: its first guess)."""
    return (scores > scores.gather(1, true_columns[:, None])).sum(1)


def contact_sheet(
    pictures: list[Image.Image], captions: list[str], path: Path, columns: int = 8, cell: int = 128
) -> Path:
    """A grid of pictures with their prompts written under each."""
    rows = (len(pictures) + columns - 1) // columns
    text_height = 40
    sheet = Image.new("RGB", (columns * cell, rows * (cell + text_height)), "white")
    draw = ImageDraw.Draw(sheet)
    for k, (picture, caption) in enumerate(zip(pictures, captions, strict=False)):
        x, y = (k % columns) * cell, (k // columns) * (cell + text_height)
        sheet.paste(picture.resize((cell, cell), Image.LANCZOS), (x, y))
        words, lines, line = caption.split(), [], ""
        for word in words:
            if len(line) + len(word) + 1 > 22:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        draw.multiline_text((x + 3, y + cell + 1), "\n".join(lines[:3]), fill="black", spacing=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path


def evaluate(
    pipeline_dir: Path,
    work_dir: Path,
    n: int | None = None,
    steps: int = EMBEDDED_STEPS,
    guidance: float = 3.0,
    batch_size: int = 16,
    seed: int = 0,
    log=print,
    concepts: int | str | None = None,
    split: str = "eval",
    misses_path: Path | None = None,
) -> dict:
    """Generate one picture per held-out prompt and score it; returns the figures.
    `concepts` measures on another concept set than the model's own (e.g. a 300-concept model
    on "drawable", to compare it with a model trained on all of them).
    `split="train"` draws one training-distribution picture per concept instead (seeded by
    `seed`): hard-concept mining, which must not look at the held-out prompts. `misses_path`
    receives every prompt's concept and the rank the judge gave it among all emoji, the input of
    `easel train image-model --focus-from`.

    Each prompt takes the product's path: the concept resolver (when the model has one) reads
    the request into the caption the model is conditioned on, the 32 px model samples it, the
    upscaler (when there is one) makes the 128 px picture, and the judge looks at that picture
    brought back to 32 px. Time per picture covers all of it."""
    from models.concepts import ConceptIndex
    from models.emoji_pipeline import EmojiDiffusionPipeline
    from models.image_backend import load_upscaler

    info = json.loads((Path(pipeline_dir) / "training.json").read_text())
    cfg = info["train_config"]
    scenes = EmojiScenes.default(
        work_dir, count=concepts or cfg["concepts"], seed=cfg["seed"], image_size=cfg["image_size"]
    )
    judge, judge_set = load_judge(Path(work_dir), log=log)
    log(
        f"judge accuracy on held-out real renders of all {len(judge_set.concepts)} emoji: {real_accuracy(judge, judge_set):.3f}"
    )
    column = {catalog_index: k for k, catalog_index in enumerate(judge_set.concepts)}
    concept_columns = torch.tensor([column[i] for i in scenes.concepts])

    pipe = EmojiDiffusionPipeline.from_pretrained(pipeline_dir)
    pipe.set_progress_bar_config(disable=True)
    index = ConceptIndex.from_folder(Path(pipeline_dir), encoder=pipe.text_encoder)
    upscaler = load_upscaler(Path(pipeline_dir))
    if split == "train":
        prompts = scenes.train_prompts(seed=seed)[:n]
    else:
        prompts = scenes.eval_prompts(count=n)
    pipe("warm-up", num_inference_steps=2, output_type="np")  # loads the text encoder

    generated, shown, seconds, unresolved = [], [], 0.0, 0
    for start in tqdm(range(0, len(prompts), batch_size), desc="eval images", mininterval=30):
        chunk = prompts[start : start + batch_size]
        generator = torch.Generator().manual_seed(seed + start)
        began = time.perf_counter()
        captions = []
        for prompt, _, _ in chunk:
            resolution = index.resolve(prompt) if index is not None else None
            unresolved += resolution is not None and not resolution.resolved
            captions.append(resolution.caption() if resolution is not None and resolution.resolved else prompt)
        images = pipe(
            captions, num_inference_steps=steps, guidance_scale=guidance, generator=generator, output_type="np"
        ).images
        big = upscaler.upscale(images) if upscaler is not None else images
        seconds += time.perf_counter() - began
        shown.append(big)
        generated.append(
            np.stack([np.asarray(Image.fromarray(b).resize(images.shape[1:3], Image.LANCZOS)) for b in big])
        )
    pictures = np.concatenate(generated)
    labels = torch.tensor([c for _, c, _ in prompts])
    scores = classify(judge, pictures)
    among_concepts = scores[:, concept_columns].topk(5, dim=1).indices  # positions in the concept list
    top1_hits = (among_concepts[:, 0] == labels).float()
    top5_hits = (among_concepts == labels[:, None]).any(1).float()
    among_all = scores.topk(5, dim=1).indices  # judge columns
    all_hits = (among_all == concept_columns[labels][:, None]).any(1).float()

    ranks = judge_ranks(scores, concept_columns[labels])
    if misses_path is not None:
        rows = [
            {"emoji": scenes.catalog.glyphs[scenes.concepts[c]].emoji, "prompt": p, "rank_among_all": int(r)}
            for (p, c, _), r in zip(prompts, ranks.tolist(), strict=True)
        ]
        Path(misses_path).parent.mkdir(parents=True, exist_ok=True)
        Path(misses_path).write_text(json.dumps({"split": split, "seed": seed, "prompts": rows}, ensure_ascii=False))
        log(f"per-prompt judge ranks ({int((ranks >= 5).sum())} outside the top 5): {misses_path}")

    sheet_path = Path(work_dir) / "eval" / "contact_sheet.png"
    big = np.concatenate(shown)
    picks = list(range(0, len(prompts), max(1, len(prompts) // 32)))[:32]
    contact_sheet([Image.fromarray(big[k]) for k in picks], [prompts[k][0] for k in picks], sheet_path)
    log(f"contact sheet of {len(picks)} generated pictures: {sheet_path}")
    return {
        "n": len(prompts),
        "top1": round(float(top1_hits.mean()), 4),
        "top5": round(float(top5_hits.mean()), 4),
        "sec_per_image": round(seconds / len(prompts), 4),
        "top5_among_all_emoji": round(float(all_hits.mean()), 4),
        "top1_among_all_emoji": round(float((among_all[:, 0] == concept_columns[labels]).float().mean()), 4),
        "split": split,
        "unresolved": unresolved,
        "concepts": len(scenes.concepts),
        "steps": steps,
        "guidance": guidance,
        "batch_size": batch_size,
        "upscaler": upscaler is not None,
        "contact_sheet": str(sheet_path),
    }
