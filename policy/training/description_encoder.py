"""Tune the encoder that compares requests with the registry's descriptions of people.

    easel train description-encoder [--steps 400] [--hold-out-fold K] [--out policy/description_adapter]

Published multilingual-e5-small puts "the owner of the bakery on Elm Street in Portland" as close
to "... on Main Street in Bangor" as to itself, and "a baker" not much further: it reads the topic
of a sentence, not whom it picks out. LoRA adapters (the same rank and layers as the policy's
aspect adapters, `tune_encoder.py`) are trained so that a request referring to a described person
is closer to that description than a similar request about someone else is:

- data: `policy/training/descriptions/*.jsonl`, one line per (description, request in some
  language that refers to the person without the name, the same request about someone else:
  another town or shop, another song or team, another year, someone of the same kind, another
  famous person), four languages per description, written by people who saw no evaluation set;
- loss, per batch of descriptions: each description must pick its own referring request among
  every request of the batch, the similar ones and ordinary requests from the policy corpus
  included (cross-entropy over cosine similarities), and each referring request must pick its
  own description among the batch's.

The thresholds that decide a match (`policy/descriptions.py`) are chosen for the shipped
adapters; after training new ones, measure them with tests/benchmarks/bench_descriptions.py
(`--adapter DIR`) and `--hold-out-fold`, which keeps one fifth of the descriptions out of the
training and prints how often they are found, and how often their similar requests match,
at the shipped thresholds.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from policy.training.options import DESCRIPTION_FOLDS, add_description_encoder_options

DATA_DIR = Path(__file__).parent / "descriptions"
ADAPTER_README = """# The description encoder's LoRA adapters

Low-rank adapters (peft, rank 8, every attention and feed-forward layer) for multilingual-e5-small,
trained by `easel train description-encoder` (policy/training/description_encoder.py) on
policy/training/descriptions/ so that a request referring to a person described in the opt-out
registry is closer to that description than a similar request about someone else. The agent
merges them into the packaged weights at load time, then quantises to int8, and compares
requests with descriptions by that encoder only (policy/descriptions.py, whose thresholds are
chosen for these adapters). `training.json` records the run. See docs/policy.md.
"""
TRAINING_FILE = "training.json"
ORDINARY_POOL = 4000  # corpus requests the ordinary negatives are drawn from
TEMPERATURE = 0.05
# The index decides by absolute scores (centred cosine over the background pool, policy/descriptions.py:
# a match from 0.54), and ranking alone leaves similar requests about someone else near that line
# (a training line's "a baker in Celle" for "the owner of the Lindenhof bakery in Celle": centred
# 0.52 after training, its referring request 0.77). `--absolute-weight W` also pushes each line's
# similar request below OTHER_BELOW and its referring request above REFERS_ABOVE, in the index's
# own centred space. Tried at 1 and 3 (docs/policy.md): it moves errors between kinds of
# similar request (fewer of the same trade in the same town, more of the same shop in another
# town) rather than removing them, so the shipped adapters were trained without it.
OTHER_BELOW = 0.35
REFERS_ABOVE = 0.70
CENTRE_EVERY = 25  # steps between re-reading the background pool's centre


@dataclass(frozen=True)
class Triple:
    family: str
    description: str
    language: str
    refers: str
    other: str


def load_triples(folder: Path = DATA_DIR) -> list[Triple]:
    triples = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            missing = {"family", "description", "lang", "refers", "other"} - set(row)
            if missing:
                raise ValueError(f"{path.name}:{number}: missing {sorted(missing)}")
            triples.append(Triple(row["family"], row["description"], row["lang"], row["refers"], row["other"]))
    return triples


def split_fold(triples: list[Triple], fold: int | None) -> tuple[list[Triple], list[Triple]]:
    """(training lines, held-out lines): the descriptions of `fold` (of DESCRIPTION_FOLDS, by
    family, never split) held out; none when `fold` is None."""
    from policy.training.corpus import fold_of

    if fold is None:
        return triples, []
    held_out = [t for t in triples if fold_of(t.family, DESCRIPTION_FOLDS) == fold]
    return [t for t in triples if fold_of(t.family, DESCRIPTION_FOLDS) != fold], held_out


def ordinary_requests(count: int, seed: int) -> list[str]:
    """Requests from the policy corpus (framed as people ask): about no registered person."""
    from policy.training.corpus import expand, load_families, load_frames

    examples = expand(load_families(), load_frames())
    return [example.text for example in random.Random(seed).sample(examples, min(count, len(examples)))]


def _batches(triples: list[Triple], size: int, rng: random.Random):
    """Batches of lines with distinct descriptions (a description twice in a batch would be its
    own negative), every line once per pass."""
    while True:
        order = rng.sample(range(len(triples)), len(triples))
        while order:
            chosen, seen, rest = [], set(), []
            for i in order:
                if len(chosen) < size and triples[i].description not in seen:
                    seen.add(triples[i].description)
                    chosen.append(i)
                else:
                    rest.append(i)
            order = rest
            yield [triples[i] for i in chosen]


def tune(triples: list[Triple], args: argparse.Namespace, out_dir: Path) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from tqdm import tqdm
    from transformers import AutoModel, AutoTokenizer

    from models.multilingual_encoder import converted_dir, load_multilingual_encoder
    from policy.training.tune_encoder import LORA_RANK, LORA_TARGETS, _pooled, _tokenized, save_adapters, take_step

    load_multilingual_encoder()  # converts the packaged weights on first use
    rng = random.Random(args.seed)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    pool = ordinary_requests(ORDINARY_POOL, args.seed)
    base = AutoModel.from_pretrained(str(converted_dir()), add_pooling_layer=False)
    tokenizer = AutoTokenizer.from_pretrained(str(converted_dir()))
    config = LoraConfig(r=LORA_RANK, lora_alpha=2 * LORA_RANK, lora_dropout=0.05, target_modules=LORA_TARGETS)
    model = get_peft_model(base, config).to(device)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.learning_rate)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=args.learning_rate, total_steps=args.steps, pct_start=0.1
    )
    batches = _batches(triples, args.batch, rng)
    running = centre = None
    progress = tqdm(range(args.steps), desc="tuning the description encoder", unit="step", file=sys.stderr)
    for step in progress:
        if args.absolute_weight and step % CENTRE_EVERY == 0:
            centre = _centre(model, tokenizer, device)
        model.train()
        batch = next(batches)
        size = len(batch)
        texts = [t.description for t in batch] + [t.refers for t in batch] + [t.other for t in batch]
        texts += rng.sample(pool, args.ordinary)
        embedded = torch.nn.functional.normalize(_pooled(model, _tokenized(tokenizer, texts, device)), dim=-1)
        descriptions, requests = embedded[:size], embedded[size:]
        goal = torch.arange(size, device=device)  # each description's referring request comes first
        loss = torch.nn.functional.cross_entropy(descriptions @ requests.T / TEMPERATURE, goal)
        loss = loss + torch.nn.functional.cross_entropy(requests[:size] @ descriptions.T / TEMPERATURE, goal)
        if args.absolute_weight:
            loss = loss + args.absolute_weight * _absolute_loss(embedded[: 3 * size], centre, size)
        running = take_step(loss, optimiser, schedule, progress, running)
    save_adapters(model, out_dir)
    record = {"steps": args.steps, "lines": len(triples), "descriptions": len({t.description for t in triples})}
    record |= {"batch": args.batch, "ordinary": args.ordinary, "learning_rate": args.learning_rate, "seed": args.seed}
    record |= {"absolute_weight": args.absolute_weight, "other_below": OTHER_BELOW, "refers_above": REFERS_ABOVE}
    (Path(out_dir) / TRAINING_FILE).write_text(json.dumps(record, indent=2) + "\n")
    (Path(out_dir) / "README.md").write_text(ADAPTER_README)
    return out_dir


def _centre(model, tokenizer, device):
    """The background pool's mean embedding under the current adapters (the index centres on it)."""
    import torch

    from policy.descriptions import BACKGROUND
    from policy.training.tune_encoder import _pooled, _tokenized

    model.eval()
    with torch.no_grad():
        pooled = _pooled(model, _tokenized(tokenizer, list(BACKGROUND), device))
    return torch.nn.functional.normalize(pooled, dim=-1).mean(dim=0)


def _absolute_loss(embedded, centre, size: int):
    """Descriptions, referring requests and similar requests (`size` each, in that order), scored
    as the index scores them: the similar request below OTHER_BELOW, the referring one above
    REFERS_ABOVE."""
    import torch

    centred = torch.nn.functional.normalize(embedded - centre, dim=-1)
    descriptions, refers, others = centred[:size], centred[size : 2 * size], centred[2 * size :]
    to_refers = (descriptions * refers).sum(-1)
    to_other = (descriptions * others).sum(-1)
    return (torch.relu(to_other - OTHER_BELOW) + torch.relu(REFERS_ABOVE - to_refers)).mean()


def measure(triples: list[Triple], adapter: Path) -> dict[str, float]:
    """How often held-out referring requests find their own description, and how often the
    similar requests match any, with every held-out description registered."""
    import torch

    from models.multilingual_encoder import load_multilingual_encoder
    from policy.descriptions import DescriptionIndex, embed_request

    torch.set_num_threads(1)
    encoder = load_multilingual_encoder(adapter=adapter)
    index = DescriptionIndex.build([(t.family, t.description) for t in triples], encoder)

    def match(text: str):
        request = embed_request(encoder, text)
        return index.match(text, request.vector, request.spans)

    found = [(m := match(t.refers)) is not None and m.description == t.description for t in triples]
    similar = [match(t.other) is not None for t in triples]
    return {
        "held_out": len(triples),
        "found": round(sum(found) / len(found), 3),
        "similar_matched": round(sum(similar) / len(similar), 3),
    }


def train(args: argparse.Namespace) -> int:
    from policy.descriptions import DESCRIPTION_ADAPTER_PATH

    triples, held_out = split_fold(load_triples(), args.hold_out_fold)
    out_dir = args.out or DESCRIPTION_ADAPTER_PATH
    print(f"{len(triples)} lines ({len({t.family for t in triples})} descriptions) -> {out_dir}", file=sys.stderr)
    tune(triples, args, out_dir)
    summary = {"lines": len(triples), "steps": args.steps, "out": str(out_dir)}
    if held_out:
        summary.update(measure(held_out, out_dir))
    print(json.dumps(summary))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_description_encoder_options(parser)
    return train(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
