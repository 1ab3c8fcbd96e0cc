"""Train the reranker that reads a request and a registered description together.

    easel train description-reranker [--steps 500] [--hold-out-fold K] [--out policy/description_reranker]

Data: the description encoder's lines (`policy/training/descriptions/*.jsonl`: a description, a
request that refers to the person without the name, the same request about someone else), read
as pairs the way the index hands them to the reranker (`policy/description_reranker.py`):

- (description, referring request) -> 1;
- (description, similar request about someone else) -> 0;
- (another description the index shortlists for a request, that request) -> 0: the drummer's
  description for a request about the singer of the same band, an ordinary corpus request's
  closest descriptions. These are mined once with the shipped description encoder, from the
  same shortlist a check reads (score at least `MINE_FLOOR`, the best `MINE_LIMIT`).

Loss: binary cross-entropy over batches of `--positives` referring pairs and `--negatives` others,
LoRA adapters (the aspect adapters' rank and layers) and a linear head over the mean of the
pair's token states. `--hold-out-fold K` keeps a fifth of the descriptions out and prints, per
probability line, how often their referring requests are found and their similar requests matched
through the index with the reranker, as a check does.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from policy.training.description_encoder import Triple, load_triples, ordinary_requests, split_fold
from policy.training.options import add_description_reranker_options

MINE_FLOOR = 0.30  # the lowest index score a description is shortlisted for the reranker at
MINE_LIMIT = 4  # wrong descriptions kept per request
ORDINARY = 1500  # corpus requests mined for their closest descriptions
ADAPTER_README = """# The description reranker

LoRA adapters (peft, rank 8, every attention and feed-forward layer) for multilingual-e5-small and
a linear head (`head.npz`: weight, bias) over the mean of the token states of a (request,
description) pair, trained by `easel train description-reranker`
(policy/training/description_reranker.py) to say whether the request refers to the described
person. The policy agent merges the adapters into the packaged weights (kept in float32: int8
moved its logits by 2-5) and reads the description the index puts closest through it
(policy/description_reranker.py, policy/descriptions.py). `training.json` records the run. See docs/policy.md.
"""


@dataclass(frozen=True)
class Pair:
    request: str
    description: str
    label: int
    kind: str  # refers, other, shortlisted (another description), ordinary


def mine_pairs(triples: list[Triple], seed: int) -> list[Pair]:
    """The labelled pairs: each line's two, and the wrong descriptions the index shortlists."""
    import torch
    from tqdm import tqdm

    from policy.descriptions import DescriptionIndex, embed_request, load_description_encoder

    torch.set_num_threads(max(1, torch.get_num_threads()))
    encoder = load_description_encoder()
    descriptions = sorted({t.description for t in triples})
    index = DescriptionIndex.build([(d, d) for d in descriptions], encoder)
    pairs = [Pair(t.refers, t.description, 1, "refers") for t in triples]
    pairs += [Pair(t.other, t.description, 0, "other") for t in triples]
    requests = [(t.refers, t.description, "shortlisted") for t in triples]
    requests += [(t.other, t.description, "shortlisted") for t in triples]
    requests += [(text, None, "ordinary") for text in ordinary_requests(ORDINARY, seed)]
    for text, own, kind in tqdm(requests, desc="mining shortlisted descriptions", unit="request", file=sys.stderr):
        embedded = embed_request(encoder, text)
        found = index.candidates(text, embedded.vector, embedded.spans, floor=MINE_FLOOR, limit=MINE_LIMIT + 1)
        wrong = [m.description for m in found if m.description != own][:MINE_LIMIT]
        pairs += [Pair(text, description, 0, kind) for description in wrong]
    return pairs


def tune(pairs: list[Pair], args: argparse.Namespace, out_dir: Path) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from tqdm import tqdm
    from transformers import AutoModel, AutoTokenizer

    from models.multilingual_encoder import packaged_weights
    from policy.description_reranker import HEAD_FILE, pair_tokens
    from policy.training.tune_encoder import LORA_RANK, LORA_TARGETS, save_adapters, take_step

    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    base = AutoModel.from_pretrained(str(packaged_weights()), add_pooling_layer=False)
    tokenizer = AutoTokenizer.from_pretrained(str(packaged_weights()))
    config = LoraConfig(r=LORA_RANK, lora_alpha=2 * LORA_RANK, lora_dropout=0.05, target_modules=LORA_TARGETS)
    model = get_peft_model(base, config).to(device)
    head = torch.nn.Linear(base.config.hidden_size, 1).to(device)
    optimiser = torch.optim.AdamW(
        [
            {"params": [p for p in model.parameters() if p.requires_grad], "lr": args.learning_rate},
            {"params": head.parameters(), "lr": args.head_learning_rate},
        ]
    )
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=[args.learning_rate, args.head_learning_rate], total_steps=args.steps, pct_start=0.1
    )
    positives = [p for p in pairs if p.label == 1]
    negatives = [p for p in pairs if p.label == 0]
    running = None
    progress = tqdm(range(args.steps), desc="training the description reranker", unit="step", file=sys.stderr)
    for _ in progress:
        model.train()
        batch = rng.sample(positives, args.positives) + rng.sample(negatives, args.negatives)
        tokens = pair_tokens(tokenizer, [p.request for p in batch], [p.description for p in batch], padding=True)
        tokens = tokens.to(device)
        hidden = model(**tokens).last_hidden_state
        mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        labels = torch.tensor([float(p.label) for p in batch], device=device)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(head(pooled).squeeze(-1), labels)
        running = take_step(loss, optimiser, schedule, progress, running)
    save_adapters(model, out_dir)
    weight = head.weight.detach().cpu().numpy().reshape(-1)
    np.savez(Path(out_dir) / HEAD_FILE, weight=weight, bias=head.bias.detach().cpu().numpy().reshape(()))
    kinds = {kind: sum(p.kind == kind for p in pairs) for kind in ("refers", "other", "shortlisted", "ordinary")}
    record = {"steps": args.steps, "pairs": kinds, "positives": args.positives, "negatives": args.negatives}
    record |= {"learning_rate": args.learning_rate, "head_learning_rate": args.head_learning_rate, "seed": args.seed}
    record |= {"mine_floor": MINE_FLOOR, "mine_limit": MINE_LIMIT, "ordinary": ORDINARY}
    (Path(out_dir) / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    (Path(out_dir) / "README.md").write_text(ADAPTER_README)
    return out_dir


def measure(triples: list[Triple], reranker_dir: Path) -> dict:
    """Held-out referring requests found, and similar requests matched, through the index with the
    reranker (every held-out description registered), at several probability lines."""
    import torch

    from policy.description_reranker import load_description_reranker
    from policy.descriptions import (
        RERANK_FLOOR,
        RERANK_LIMIT,
        DescriptionIndex,
        embed_request,
        load_description_encoder,
    )

    torch.set_num_threads(1)
    encoder = load_description_encoder()
    reranker = load_description_reranker(reranker_dir, share_with=encoder)
    index = DescriptionIndex.build([(t.family, t.description) for t in triples], encoder)

    def best(text: str) -> tuple[str | None, float]:
        embedded = embed_request(encoder, text)
        found = index.candidates(text, embedded.vector, embedded.spans, floor=RERANK_FLOOR, limit=RERANK_LIMIT)
        if not found:
            return None, 0.0
        probabilities = reranker.probabilities(text, [m.description for m in found])
        top = int(np.argmax(probabilities))
        return found[top].description, float(probabilities[top])

    refers = [best(t.refers) for t in triples]
    others = [best(t.other) for t in triples]
    figures = {"held_out": len(triples)}
    for line in (0.3, 0.5, 0.7, 0.8, 0.9):
        found = np.mean([d == t.description and p >= line for (d, p), t in zip(refers, triples, strict=True)])
        similar = np.mean([p >= line for _, p in others])
        figures[f"at {line}"] = {"found": round(float(found), 3), "similar_matched": round(float(similar), 3)}
    return figures


def train(args: argparse.Namespace) -> int:
    from policy.description_reranker import RERANKER_PATH

    triples, held_out = split_fold(load_triples(), args.hold_out_fold)
    out_dir = Path(args.out or RERANKER_PATH)
    out_dir.mkdir(parents=True, exist_ok=True)
    pairs = mine_pairs(triples, args.seed)
    print(f"{len(triples)} lines, {len(pairs)} pairs -> {out_dir}", file=sys.stderr)
    tune(pairs, args, out_dir)
    summary = {"lines": len(triples), "pairs": len(pairs), "steps": args.steps, "out": str(out_dir)}
    if held_out:
        summary.update(measure(held_out, out_dir))
    print(json.dumps(summary))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_description_reranker_options(parser)
    return train(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
