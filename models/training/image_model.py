"""Training the embedded image model (`easel train image-model`).

Reproducible from a seed: batch `step` is composed from `(seed, step)` by `EmojiScenes` and its
noise, timesteps and caption dropout come from a generator seeded the same way, so a run resumed
from a checkpoint continues exactly as an uninterrupted one would. A checkpoint (UNet, EMA
weights, optimiser, step) is written atomically every `checkpoint_every` steps; the shipped
pipeline is the EMA UNet saved with `save_pretrained`.

Objective: v-prediction on the cosine schedule with min-SNR-5 loss weights, classifier-free
guidance dropout (the caption replaced by "" for a fraction of the batch), AdamW, and an EMA of
the weights with warm-up.
"""

from __future__ import annotations

import copy
import json
import math
import time
import warnings
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import DDPMScheduler
from diffusers.optimization import get_scheduler
from diffusers.training_utils import EMAModel

from models.emoji_data import EmojiScenes
from models.emoji_pipeline import EmojiDiffusionPipeline, add_coords, encode_with, make_scheduler, make_unet, patchify


@dataclass
class TrainConfig:
    seed: int = 0
    steps: int = 4000
    batch_size: int = 32
    learning_rate: float = 8e-4
    warmup_steps: int = 100
    concepts: int | str = 300  # a count of distinct concepts, or "drawable" (every emoji that depicts something)
    image_size: int = 32
    patch_size: int = 2
    channels: tuple[int, ...] = (64, 128, 192)
    caption_dropout: float = 0.1
    ema_max_decay: float = 0.999
    min_snr_gamma: float = 0.0  # 0: plain v-loss (min-SNR starves the high-noise steps that decide the glyph)
    coord_channels: int = 2
    checkpoint_every: int = 100
    max_tokens: int = 24
    caption_pool: int = 0  # compositions per concept encoded once (0: a fresh composition for every example)
    threads: int = 1
    canonical_captions: bool = False  # one caption form per concept: what the request resolver writes
    init_from: str = ""  # a pipeline folder whose UNet the run starts from (fine-tuning)
    known_weight: float = 1.0  # how often the init model's own concepts are drawn, relative to new ones
    focus_from: str = ""  # a misses file (`easel eval images --split train --misses`): hard-concept mining
    focus_weight: float = 1.0  # how often the concepts missed there are drawn, relative to the others
    extra: dict = field(default_factory=dict)


class CaptionCache:
    """Sentence and token embeddings of captions, kept (fp16) for repeated captions."""

    def __init__(self, encoder, max_tokens: int, capacity: int = 20000):
        self.encoder, self.max_tokens, self.capacity = encoder, max_tokens, capacity
        self.store: OrderedDict[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = OrderedDict()

    def __call__(self, captions: list[str]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        missing = list(dict.fromkeys(c for c in captions if c not in self.store))
        if missing:
            pooled, tokens, mask = encode_with(self.encoder, missing, self.max_tokens)
            for k, c in enumerate(missing):
                self.store[c] = (pooled[k].half(), tokens[k].half(), mask[k])
        rows = [self.store[c] for c in captions]
        for c in captions:  # least recently used captions are dropped first, after this batch is read
            self.store.move_to_end(c)
        while len(self.store) > self.capacity:
            self.store.popitem(last=False)
        return tuple(torch.stack([r[j] for r in rows]).float() for j in range(3))


class CaptionPool:
    """A fixed set of captioned compositions per concept, their captions encoded once.

    Encoding fresh captions with MiniLM costs about 0.45 s per batch of 128 on one core, a third
    of a training step at patch size 4. A pool of a few dozen compositions per concept keeps the
    phrasings, aliases and layouts varied and leaves the CPU to the UNet; the renders still vary
    by a one-pixel jitter.
    """

    def __init__(
        self,
        scenes: EmojiScenes,
        encoder,
        per_concept: int,
        seed: int,
        max_tokens: int,
        progress: bool = True,
        weights: np.ndarray | None = None,
    ):
        from tqdm import tqdm

        rng = np.random.default_rng([seed, 99])
        self.per_concept = per_concept
        self.compositions = [
            scenes.sample_composition(rng, concept=k) for k in range(len(scenes.concepts)) for _ in range(per_concept)
        ]
        # Canonical captions repeat a lot ("a cat face" is every plain picture of it): each
        # distinct caption is encoded and stored once, and compositions point at it.
        captions = [c.describe() for c in self.compositions]
        distinct = list(dict.fromkeys(captions))
        where = {c: k for k, c in enumerate(distinct)}
        self.caption_index = torch.tensor([where[c] for c in captions])
        parts = []
        for start in tqdm(range(0, len(distinct), 256), desc="encode captions", disable=not progress, mininterval=10):
            pooled, tokens, mask = encode_with(encoder, distinct[start : start + 256], max_tokens)
            parts.append((pooled.half(), tokens.half(), mask))
        self.pooled, self.tokens, self.mask = (torch.cat([p[j] for p in parts]) for j in range(3))
        self.empty = encode_with(encoder, [""], max_tokens)
        # Probability of each concept per example (uniform unless some concepts need less practice).
        n = len(scenes.concepts)
        w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
        self.concept_p = w / w.sum()

    def batch(self, scenes: EmojiScenes, seed: int, step: int, batch_size: int, drop: torch.Tensor):
        """Pictures (B, S, S, 3) uint8 and the (pooled, tokens, mask) of their captions; `drop` rows get the empty caption."""
        rng = np.random.default_rng([seed, step])
        concepts = rng.choice(len(self.concept_p), size=batch_size, p=self.concept_p)
        picks = concepts * self.per_concept + rng.integers(self.per_concept, size=batch_size)
        pictures = np.stack([scenes.render(self.compositions[i], rng) for i in picks])
        index = self.caption_index[torch.from_numpy(picks)]
        conditioning = []
        for stored, empty in zip((self.pooled, self.tokens, self.mask), self.empty, strict=False):
            rows = stored[index].float()
            rows[drop] = empty[0]
            conditioning.append(rows)
        return pictures, conditioning


# Options a run may change when it resumes: how long it goes, how fast, and how captions are
# encoded, and the learning rate (lowered for a last stretch; the change is recorded). Anything
# else (model shape, data, objective) would silently make another model.
# Which concepts are drawn more often (hard-concept mining) may change too: it reweights the
# same data.
RESUMABLE_CHANGES = {
    "steps",
    "threads",
    "checkpoint_every",
    "caption_pool",
    "learning_rate",
    "focus_from",
    "focus_weight",
}


def missed_concepts(misses_path: Path, top: int = 5) -> set[str]:
    """Emoji whose mining picture the judge did not rank among its first `top` guesses."""
    rows = json.loads(Path(misses_path).read_text())["prompts"]
    return {row["emoji"] for row in rows if row["rank_among_all"] >= top}


def concept_weights(scenes: EmojiScenes, config: TrainConfig) -> np.ndarray | None:
    """Sampling weight per concept: `known_weight` for concepts the init model was trained on,
    times `focus_weight` for concepts the judge missed in the `focus_from` mining run."""
    emojis = [scenes.catalog.glyphs[i].emoji for i in scenes.concepts]
    weights = np.ones(len(emojis))
    if config.init_from and config.known_weight != 1.0:
        info = json.loads((Path(config.init_from) / "training.json").read_text())
        known = {c["emoji"] for c in info.get("concepts", [])}
        weights *= [config.known_weight if e in known else 1.0 for e in emojis]
    if config.focus_from and config.focus_weight != 1.0:
        missed = missed_concepts(Path(config.focus_from))
        weights *= [config.focus_weight if e in missed else 1.0 for e in emojis]
    return None if np.all(weights == 1.0) else weights


def _save_checkpoint(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)


def export_pipeline(unet, config: TrainConfig, scenes: EmojiScenes, out_dir: Path, meta: dict | None = None) -> Path:
    """Save the pipeline (UNet + sampler) with `save_pretrained`, plus the concept list."""
    pipe = EmojiDiffusionPipeline(
        unet=unet,
        scheduler=make_scheduler(),
        image_size=config.image_size,
        patch_size=config.patch_size,
        max_tokens=config.max_tokens,
        coord_channels=config.coord_channels,
    )
    out_dir = Path(out_dir)
    pipe.save_pretrained(out_dir, safe_serialization=True)
    concepts = [
        {"emoji": scenes.catalog.glyphs[i].emoji, "name": str(scenes.catalog.glyphs[i].name)} for i in scenes.concepts
    ]
    info = {"train_config": {**asdict(config), "channels": list(config.channels)}, "concepts": concepts, **(meta or {})}
    (out_dir / "training.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n")
    if config.canonical_captions:  # requests reach this model through its concept resolver
        from models.concepts import build_index

        build_index(scenes.catalog, scenes.concepts).save(out_dir)
    return out_dir


def train(
    config: TrainConfig, data_dir: Path, out_dir: Path | None, resume: bool = True, log=print, progress: bool = True
) -> dict:
    """Train (or resume) and export the EMA pipeline to `out_dir`; returns a summary."""
    from tqdm import tqdm

    from models.text_encoder import load_sentence_encoder

    torch.set_num_threads(config.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    data_dir = Path(data_dir)
    checkpoint_path = data_dir / "checkpoint.pt"

    scenes = EmojiScenes.default(
        data_dir,
        count=config.concepts,
        seed=config.seed,
        image_size=config.image_size,
        canonical=config.canonical_captions,
    )
    encoder = load_sentence_encoder()
    weights = concept_weights(scenes, config)
    pool = (
        CaptionPool(scenes, encoder, config.caption_pool, config.seed, config.max_tokens, progress, weights)
        if config.caption_pool
        else None
    )
    captions = CaptionCache(encoder, config.max_tokens) if pool is None else None
    concept_p = None if weights is None else weights / weights.sum()
    if config.focus_from and concept_p is not None:
        focused = np.asarray(weights) > 1.0
        log(f"focus: {int(focused.sum())} missed concepts, {concept_p[focused].sum():.0%} of the pictures drawn")

    torch.manual_seed(config.seed)
    unet = make_unet(config.image_size, config.patch_size, config.channels, config.coord_channels).to(device)
    if config.init_from:  # fine-tuning: start from a trained pipeline's (EMA) UNet
        from diffusers import UNet2DConditionModel

        unet.load_state_dict(UNet2DConditionModel.from_pretrained(Path(config.init_from) / "unet").state_dict())
    ema_unet = copy.deepcopy(unet).requires_grad_(False)  # holds the average for checkpoints and export
    optimizer = torch.optim.AdamW(unet.parameters(), lr=config.learning_rate, betas=(0.9, 0.99), weight_decay=0.01)
    noise_schedule = DDPMScheduler(
        num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2", prediction_type="v_prediction"
    )
    alphas = noise_schedule.alphas_cumprod.to(device)
    snr = alphas / (1 - alphas)
    if config.min_snr_gamma > 0:
        loss_weight = torch.clamp(snr, max=config.min_snr_gamma) / (snr + 1)  # min-SNR for v-prediction
    else:
        loss_weight = torch.ones_like(snr)

    step, seconds, history, resumes = 0, 0.0, [], []
    if resume and checkpoint_path.exists():
        state = torch.load(checkpoint_path, map_location=device, weights_only=False)
        saved = {**asdict(TrainConfig()), **state["config"]}  # fields added since the checkpoint take their defaults
        wanted = asdict(config)
        changed = {k for k, v in wanted.items() if saved[k] != v}
        if changed - RESUMABLE_CHANGES:
            log(
                f"checkpoint {checkpoint_path} was written with other {', '.join(sorted(changed - RESUMABLE_CHANGES))}; "
                "not resuming (delete it or pass the same options)"
            )
            raise SystemExit(2)
        if changed:
            state.setdefault("resumes", []).append(
                {"step": state["step"], **{k: [saved[k], wanted[k]] for k in sorted(changed)}}
            )
            log(f"resuming with changed {', '.join(f'{k} {saved[k]} -> {wanted[k]}' for k in sorted(changed))}")
        unet.load_state_dict(state["unet"])
        ema_unet.load_state_dict(state["ema"])
        optimizer.load_state_dict(state["optimizer"])
        for group in optimizer.param_groups:  # a resume may change the learning rate
            group["lr"] = config.learning_rate
        step, seconds, history = state["step"], state["seconds"], state["history"]
        resumes = state.get("resumes", [])
        log(f"resumed from step {step} ({seconds / 60:.1f} min trained so far)")

    # The EMA's warm-up (decay 1 - (1 + step)^-0.75, capped) counts from step 0 of the whole run;
    # a fine-tune starts its average from the trained weights, so the early, short average does
    # not throw knowledge away.
    ema = EMAModel(ema_unet.parameters(), decay=config.ema_max_decay, min_decay=0.0, use_ema_warmup=True, power=0.75)
    ema.optimization_step = step
    lr_schedule = get_scheduler("constant_with_warmup", optimizer, num_warmup_steps=config.warmup_steps)
    with warnings.catch_warnings():  # fast-forward a resumed run: the schedule is a function of the step
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(step):
            lr_schedule.step()

    def checkpoint():
        ema.copy_to(ema_unet.parameters())
        _save_checkpoint(
            checkpoint_path,
            {
                "config": asdict(config),
                "unet": unet.state_dict(),
                "ema": ema_unet.state_dict(),
                "optimizer": optimizer.state_dict(),
                "step": step,
                "seconds": seconds,
                "history": history,
                "resumes": resumes,
            },
        )

    unet.train()
    bar = tqdm(
        total=config.steps,
        initial=step,
        desc="train image-model",
        disable=not progress,
        mininterval=20,
        dynamic_ncols=True,
    )
    running = None
    while step < config.steps:
        started = time.time()
        generator = torch.Generator().manual_seed(config.seed * 1_000_003 + step)
        drop = torch.rand(config.batch_size, generator=generator) < config.caption_dropout
        if pool is not None:
            pictures, conditioning = pool.batch(scenes, config.seed, step, config.batch_size, drop)
        else:
            pictures, texts, _ = scenes.sample_batch(config.seed, step, config.batch_size, concept_p)
            conditioning = captions(["" if d else t for t, d in zip(texts, drop.tolist(), strict=False)])
        pooled, tokens, mask = (x.to(device) for x in conditioning)

        clean = torch.from_numpy(pictures).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)
        clean = patchify(clean, config.patch_size).to(device)
        noise = torch.randn(clean.shape, generator=generator).to(device)
        t = torch.randint(0, 1000, (config.batch_size,), generator=generator).to(device)
        noisy = noise_schedule.add_noise(clean, noise, t)
        target = noise_schedule.get_velocity(clean, noise, t)

        prediction = unet(
            add_coords(noisy, config.coord_channels),
            t,
            encoder_hidden_states=tokens,
            encoder_attention_mask=mask,
            class_labels=pooled,
        ).sample
        per_example = F.mse_loss(prediction, target, reduction="none").mean(dim=(1, 2, 3))
        loss = (per_example * loss_weight[t]).mean()

        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(unet.parameters(), 1.0)
        optimizer.step()
        lr_schedule.step()
        ema.step(unet.parameters())

        step += 1
        seconds += time.time() - started
        value = float(loss.detach())
        running = value if running is None else 0.98 * running + 0.02 * value
        history.append(round(value, 5))
        bar.update(1)
        bar.set_postfix(loss=f"{running:.4f}", s_per_step=f"{seconds / max(1, step):.2f}")
        if step % config.checkpoint_every == 0 or step == config.steps:
            checkpoint()
            if not progress:
                log(f"step {step}/{config.steps} loss {running:.4f} ({seconds / 60:.1f} min)")
    bar.close()

    summary = {
        "steps": step,
        "minutes": round(seconds / 60, 1),
        "final_loss": running,
        "device": str(device),
        "resumes": resumes,
    }
    if out_dir is not None:
        ema.copy_to(ema_unet.parameters())
        export_pipeline(ema_unet, config, scenes, out_dir, {"training": summary})
        summary["exported"] = str(out_dir)
    return summary


def export_checkpoint(data_dir: Path, out_dir: Path) -> dict:
    """Export the EMA weights of the latest checkpoint (e.g. of a run stopped early)."""
    state = torch.load(Path(data_dir) / "checkpoint.pt", map_location="cpu", weights_only=False)
    cfg = dict(state["config"])
    cfg["channels"] = tuple(cfg["channels"])
    config = TrainConfig(**{"min_snr_gamma": 5.0, "coord_channels": 0, **cfg})
    unet = make_unet(config.image_size, config.patch_size, config.channels, config.coord_channels)
    unet.load_state_dict(state["ema"])
    scenes = EmojiScenes.default(
        Path(data_dir),
        count=config.concepts,
        seed=config.seed,
        image_size=config.image_size,
        canonical=config.canonical_captions,
    )
    summary = {
        "steps": state["step"],
        "minutes": round(state["seconds"] / 60, 1),
        "device": "checkpoint",
        "resumes": state.get("resumes", []),
    }
    export_pipeline(unet, config, scenes, out_dir, {"training": summary})
    return summary


__all__ = ["TrainConfig", "train", "export_checkpoint", "export_pipeline", "math"]
