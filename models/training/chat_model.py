"""LoRA fine-tuning of a causal chat model on (prompt, target) pairs, with peft.

Generic on purpose: chat/ decides what the examples say (`chat/training/routing_data.py`), this module only
knows how to teach a model to continue a prompt with a target. Loss is taken on target tokens only
and the vocabulary projection runs only at those positions, which on a 135M model with a 49k
vocabulary saves about a fifth of every step on the CPU.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from tqdm import tqdm
from transformers import get_cosine_with_min_lr_schedule_with_warmup

ADAPTER_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class TrainingPair:
    prompt: str
    target: str
    # Train only the first N target tokens (None: all). A plain-text answer trains just its first
    # token: enough to teach "do not call a tool here" without rewriting how the model talks.
    train_tokens: int | None = None


@dataclass
class LoraTrainingConfig:
    rank: int = 8
    alpha: int = 16
    learning_rate: float = 1e-3
    batch_size: int = 8
    epochs: int = 1
    warmup_steps: int = 10
    seed: int = 0
    checkpoint_every: int = 25
    threads: int | None = None
    # Adapt only the top layers: nothing below them needs gradients, which on a CPU saves about
    # half of every step, and routing is a late, high-level decision.
    top_layers: int | None = 12


def _encode(tokenizer, pair: TrainingPair, eos: str) -> tuple[list[int], list[int]]:
    prompt_ids = tokenizer(pair.prompt, add_special_tokens=False)["input_ids"]
    target_text = pair.target + (eos if pair.train_tokens is None else "")
    target_ids = tokenizer(target_text, add_special_tokens=False)["input_ids"]
    trained = target_ids if pair.train_tokens is None else target_ids[: pair.train_tokens]
    ids = prompt_ids + trained
    labels = [-100] * len(prompt_ids) + trained
    return ids, labels


def _batches(encoded: list[tuple[list[int], list[int]]], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Indices grouped by similar length (little padding), batches in random order."""
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i][0]) + rng.random())
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def _loss(model, batch: list[tuple[list[int], list[int]]], pad_id: int, device: str) -> torch.Tensor:
    width = max(len(ids) for ids, _ in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    for row, (ids, labs) in enumerate(batch):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        labels[row, : len(labs)] = torch.tensor(labs)
        attention[row, : len(ids)] = 1
    input_ids, labels, attention = input_ids.to(device), labels.to(device), attention.to(device)
    base = model.get_base_model()
    hidden = base.model(input_ids=input_ids, attention_mask=attention).last_hidden_state
    # Position t predicts token t+1: keep only positions whose next token is a target token.
    next_labels = labels[:, 1:]
    keep = next_labels != -100
    logits = base.lm_head(hidden[:, :-1][keep])
    return torch.nn.functional.cross_entropy(logits.float(), next_labels[keep])


def train_lora(
    model,
    tokenizer,
    pairs: list[TrainingPair],
    out_dir: Path,
    config: LoraTrainingConfig,
    checkpoint_dir: Path | None = None,
    log: Callable[[str], None] = print,
    init_from: Path | None = None,
) -> dict:
    """Fine-tune a LoRA adapter on `pairs` and save it (safetensors) to `out_dir`.

    Reproducible from `config.seed`; resumes from `checkpoint_dir` when a checkpoint is there.
    Uses CUDA when it is available.
    """
    if config.threads:
        torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = model.to(device)
    eos = tokenizer.eos_token or ""
    encoded = [_encode(tokenizer, pair, eos) for pair in pairs]
    schedule = [batch for _ in range(config.epochs) for batch in _batches(encoded, config.batch_size, rng)]

    layers = model.config.num_hidden_layers
    peft_config = LoraConfig(
        r=config.rank,
        lora_alpha=config.alpha,
        target_modules=ADAPTER_TARGETS,
        lora_dropout=0.0,
        layers_to_transform=list(range(layers - config.top_layers, layers)) if config.top_layers else None,
    )
    if init_from is not None:  # a second, shorter round on top of an adapter trained before
        model = PeftModel.from_pretrained(model, init_from, is_trainable=True)
    else:
        model = get_peft_model(model, peft_config)
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.learning_rate)
    total = len(schedule)

    # linear warm-up, then a cosine down to a tenth of the learning rate
    scheduler = get_cosine_with_min_lr_schedule_with_warmup(
        optimizer, num_warmup_steps=config.warmup_steps, num_training_steps=total, min_lr_rate=0.1
    )
    start_step = 0
    state_file = checkpoint_dir / "trainer_state.pt" if checkpoint_dir else None
    if state_file and state_file.is_file():
        state = torch.load(state_file, weights_only=False)
        model.load_state_dict(state["model"], strict=False)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        start_step = state["step"]
        log(f"resumed from step {start_step} of {total}")

    started = time.perf_counter()
    losses = []
    bar = tqdm(range(start_step, total), initial=start_step, total=total, desc="fine-tuning chat model", unit="step")
    for step in bar:
        loss = _loss(model, [encoded[i] for i in schedule[step]], tokenizer.pad_token_id or 0, device)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.3f}")
        if state_file and (step + 1) % config.checkpoint_every == 0 and step + 1 < total:
            state_file.parent.mkdir(parents=True, exist_ok=True)
            trainable = {k: v for k, v in model.state_dict().items() if "lora_" in k}
            torch.save(
                {
                    "model": trainable,
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "step": step + 1,
                },
                state_file,
            )

    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    summary = {
        "examples": len(pairs),
        "steps": total,
        "seconds": round(time.perf_counter() - started, 1),
        "final_loss": round(sum(losses[-20:]) / max(1, len(losses[-20:])), 4) if losses else None,
        "device": device,
        "config": config.__dict__,
    }
    (out_dir / "training.json").write_text(json.dumps(summary, indent=2))
    if state_file and state_file.is_file():
        state_file.unlink()
    return summary
