"""Train the policy's aspect head on the multilingual request corpus (policy/training/corpus/).

    easel train policy-classifier [--tune-steps 1500] [--folds 5] [--epochs 40] [--out policy/aspect_head.npz]

1. Every corpus text is embedded with the same int8 multilingual-e5-small the agent uses at run
   time, one text per forward pass (cached under the data folder by text and encoder).
   With --tune-steps, the encoder is first fine-tuned for the aspects (LoRA adapters,
   policy/training/tune_encoder.py) and the corpus embedded with the adapters merged.
2. Held-out families: cross-validation by family (frozen encoder), or one fold of families kept
   out of both the tuning and the head (tuned encoder), so every figure is for ways of asking the
   model has never seen. The thresholds are calibrated on these held-out predictions, and the
   decisions they give are reported per language and per corpus file.
3. The head is refit on every family and saved with the thresholds and the held-out figures
   (the adapters stay those trained without the held-out fold).
The last line printed is a JSON object with the held-out figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from models.multilingual_encoder import converted_dir
from policy.aspects import (
    ADAPTER_PATH,
    ASPECTS,
    HEAD_PATH,
    MINOR_USER_CATEGORIES,
    REFUSED_ALONE,
    adapter_fingerprint,
    perceptron,
    refusal_for,
)
from policy.training.corpus import Example, concept_families, expand, fold_of, load_families, load_frames
from policy.training.options import FALSE_ALARM_COST, MIN_GAIN, add_options, check_options

HIDDEN = 256
# Joined turns: a share of examples is read after an unrelated allowed turn of the same language,
# as the agent reads a request that follows on from the conversation.
JOINED_SHARE = 0.15
THRESHOLD_RANGE = (0.25, 0.95)
MINOR_USER_FACTOR = 0.6  # under-18 users: sexual and gore refused at this fraction of the threshold
TUNING_FILE = "tuning.json"  # beside the adapters: how many steps they were tuned for in all


def embedding_cache(encoder_name: str) -> Path:
    return converted_dir().parent / f"policy-embeddings-{hashlib.sha1(encoder_name.encode()).hexdigest()[:8]}.npz"


def embed_all(texts: list[str], encoder, cache: Path) -> np.ndarray:
    from tqdm import tqdm

    known: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache, allow_pickle=False) as data:
            known = dict(zip(data["keys"].tolist(), data["rows"], strict=True))
    keys = [hashlib.sha1(text.encode()).hexdigest() for text in texts]
    missing = [(key, text) for key, text in zip(keys, texts, strict=True) if key not in known]
    cache.parent.mkdir(parents=True, exist_ok=True)

    def save() -> None:
        np.savez(cache, keys=np.array(list(known)), rows=np.stack(list(known.values())))

    for done, (key, text) in enumerate(tqdm(missing, desc="embedding corpus", unit="text", file=sys.stderr), 1):
        known[key] = encoder([text])[0]
        if done % 5000 == 0:
            save()  # an interrupted run keeps what it embedded
    if missing:
        save()
    return np.stack([known[key] for key in keys])


def tuned_features(texts: list[str]) -> np.ndarray:
    """The texts' embeddings by the int8 encoder with the adapters in ADAPTER_PATH merged, cached
    by adapter: a later refit embeds only the texts added since."""
    from models.multilingual_encoder import load_multilingual_encoder

    return embed_all(
        texts,
        load_multilingual_encoder(adapter=ADAPTER_PATH),
        embedding_cache(f"multilingual-e5-small-int8+{adapter_fingerprint(ADAPTER_PATH)}"),
    )


def adapter_steps(previous_info: dict) -> int:
    """How many steps the adapters in ADAPTER_PATH were tuned for in all: their tuning.json, or for
    adapters saved before it existed, the head's record."""
    tuning = ADAPTER_PATH / TUNING_FILE
    return json.loads(tuning.read_text())["tune_steps"] if tuning.exists() else previous_info.get("tune_steps", 0)


def with_joined_turns(examples: list[Example], seed: int) -> list[Example]:
    rng = random.Random(seed)
    harmless = defaultdict(list)
    for example in examples:
        if not example.labels:
            harmless[example.language].append(example.text)
    joined = []
    for example in examples:
        pool = harmless.get(example.language)
        if pool and rng.random() < JOINED_SHARE:
            joined.append(
                Example(f"{rng.choice(pool)} {example.text}", example.labels, example.family, example.language)
            )
    return examples + joined


def label_matrix(examples: list[Example], aspects: list[str]) -> np.ndarray:
    return np.array([[a in e.labels for a in aspects] for e in examples], dtype=np.float32)


def fit(
    features: np.ndarray, targets: np.ndarray, epochs: int, seed: int, balanced: bool = True
) -> dict[str, np.ndarray]:
    """A two-layer head; `balanced` weighs each aspect's positives up to its negatives' number
    (at most 20x), so rare aspects are learned at all."""
    import torch

    torch.manual_seed(seed)
    x, y = torch.from_numpy(features), torch.from_numpy(targets)
    model = torch.nn.Sequential(
        torch.nn.Dropout(0.1), torch.nn.Linear(x.shape[1], HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, y.shape[1])
    )
    positives = y.sum(0).clamp(min=1)
    weight = ((len(y) - positives) / positives).clamp(max=20) if balanced else None
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=weight)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for batch in torch.randperm(len(x), generator=generator).split(256):
            optimiser.zero_grad()
            loss_fn(model(x[batch]), y[batch]).backward()
            optimiser.step()
    model.eval()
    first, last = model[1], model[3]
    return {
        "w1": first.weight.detach().numpy().T.copy(),
        "b1": first.bias.detach().numpy().copy(),
        "w2": last.weight.detach().numpy().T.copy(),
        "b2": last.bias.detach().numpy().copy(),
    }


def fit_heads(
    features: np.ndarray, targets: np.ndarray, epochs: int, seed: int, heads: int, balanced: bool = True
) -> dict[str, np.ndarray]:
    """`heads` heads fitted from seeds seed, seed + 1, ..., stored side by side as ONE wider head
    whose logits are their mean (the same file format and the same two matrix products at check
    time). One head's seed alone moves about 19 decisions over the team's sets; the mean of five
    moves few."""
    members = [fit(features, targets, epochs, seed + k, balanced) for k in range(heads)]
    return {
        "w1": np.concatenate([m["w1"] for m in members], axis=1),
        "b1": np.concatenate([m["b1"] for m in members]),
        "w2": np.concatenate([m["w2"] for m in members], axis=0) / heads,
        "b2": np.mean([m["b2"] for m in members], axis=0),
    }


def graft_aspects(base: dict[str, np.ndarray], new: dict[str, np.ndarray], columns: list[int]) -> dict[str, np.ndarray]:
    """One head whose `columns` (aspects) are `new`'s and whose other aspects are `base`'s: both
    hidden layers side by side, each output reading only its own. Still the same two matrix products
    at check time (the hidden layer is as wide as both)."""
    from_new = np.zeros(base["w2"].shape[1], dtype=bool)
    from_new[columns] = True
    w2 = np.concatenate([base["w2"] * ~from_new, new["w2"] * from_new], axis=0)
    used = np.any(w2 != 0, axis=1)  # a unit no output reads any more (an aspect grafted again) goes
    return {
        "w1": np.concatenate([base["w1"], new["w1"]], axis=1)[:, used],
        "b1": np.concatenate([base["b1"], new["b1"]])[used],
        "w2": w2[used],
        "b2": np.where(from_new, new["b2"], base["b2"]),
    }


def predict(weights: dict[str, np.ndarray], features: np.ndarray) -> np.ndarray:
    return perceptron(features, weights["w1"], weights["b1"], weights["w2"], weights["b2"])


def refused_matrix(present: np.ndarray, aspects: list[str]) -> np.ndarray:
    """`aspects.refusal_for` over rows of a present-aspects matrix: is each row refused?"""
    column = {a: present[:, i] for i, a in enumerate(aspects)}
    refused = column["sexual"] & (column["minor"] | column["real_person"])
    refused |= column["fabricated_event"] & column["real_person"]
    for aspect in REFUSED_ALONE:
        refused |= column[aspect]
    return refused


def best_thresholds(
    probability: np.ndarray,
    targets: np.ndarray,
    aspects: list[str],
    false_alarm_cost: float = FALSE_ALARM_COST,
    min_gain: float = MIN_GAIN,
) -> np.ndarray:
    """Thresholds chosen for the decision, not per aspect: coordinate ascent on
    (1 - under-refusal) - FALSE_ALARM_COST x over-refusal over held-out predictions. Per-aspect
    choices add up: twelve aspects each allowed a few false alarms refuse far too much together.
    A false alarm is weighed heavier than a miss because most real requests are harmless."""
    expected = refused_matrix(targets > 0.5, aspects)
    grid = np.linspace(THRESHOLD_RANGE[0], THRESHOLD_RANGE[1], 71)

    def score(thresholds: np.ndarray) -> float:
        refused = refused_matrix(probability >= thresholds, aspects)
        under = (expected & ~refused).sum() / max(1, expected.sum())
        over = (~expected & refused).sum() / max(1, (~expected).sum())
        return (1 - under) - false_alarm_cost * over

    never = np.array([not (targets[:, i] > 0.5).any() for i in range(len(aspects))])
    # One threshold for every aspect first (robust), then each aspect moves only for a clear gain:
    # a fold of held-out families is a few thousand texts, and free per-aspect thresholds chase
    # its noise (0.17 for one aspect, 0.97 for another).
    start = max(grid, key=lambda t: score(np.where(never, 1.0, t)))
    thresholds = np.where(never, 1.0, start)
    for _ in range(2):
        for i in np.flatnonzero(~never):
            base = score(thresholds)
            trials = [score(np.concatenate([thresholds[:i], [t], thresholds[i + 1 :]])) for t in grid]
            if max(trials) > base + min_gain:
                # the highest threshold (the fewest refusals) within min_gain of the best: a curve
                # that is flat over half the range is the fold's noise, not a reason to refuse more
                near_best = [k for k, trial in enumerate(trials) if trial >= max(trials) - min_gain]
                thresholds[i] = grid[max(near_best)]
    return thresholds


def decision_figures(examples: list[Example], probability: np.ndarray, aspects: list[str], thresholds: np.ndarray):
    """Allow/refuse from the predicted aspects against the labels' verdict, overall and per group."""
    groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"allow": [0, 0], "refuse": [0, 0]})
    for example, row in zip(examples, probability, strict=True):
        present = {a for a, p, t in zip(aspects, row, thresholds, strict=True) if p >= t}
        expected = refusal_for(set(example.labels)) is not None
        refused = refusal_for(present) is not None
        kind = "refuse" if expected else "allow"
        topic = example.family.split(".")[0]
        for key in ("all", f"lang:{example.language}", f"topic:{topic}"):
            groups[key][kind][0] += 1
            groups[key][kind][1] += int(refused != expected)
    figures = {}
    for key, counts in sorted(groups.items()):
        (n_allow, over), (n_refuse, under) = counts["allow"], counts["refuse"]
        figures[key] = {
            "n": n_allow + n_refuse,
            "accuracy": round(1 - (over + under) / max(1, n_allow + n_refuse), 4),
            "over_refusal": round(over / max(1, n_allow), 4),
            "under_refusal": round(under / max(1, n_refuse), 4),
        }
    return figures


def aspect_figures(probability: np.ndarray, targets: np.ndarray, aspects: list[str], thresholds: np.ndarray):
    figures = {}
    for i, aspect in enumerate(aspects):
        truth, said = targets[:, i] > 0.5, probability[:, i] >= thresholds[i]
        tp = int((said & truth).sum())
        figures[aspect] = {
            "threshold": round(float(thresholds[i]), 2),
            "precision": round(tp / max(1, int(said.sum())), 3),
            "recall": round(tp / max(1, int(truth.sum())), 3),
            "n": int(truth.sum()),
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="easel train policy-classifier", description=__doc__.split("\n")[0])
    add_options(parser)
    return train(parser.parse_args(argv))


def train(args: argparse.Namespace) -> int:
    check_options(args)
    out = args.out or HEAD_PATH
    aspects = list(ASPECTS)
    previous_info = {}
    if args.keep_adapter or args.resume_tuning:
        from policy.aspects import AspectHead

        previous_info = AspectHead(HEAD_PATH).info
    unknown = sorted(set(args.only_aspects or ()) - set(aspects))
    if unknown:
        print(f"easel train policy-classifier: error: no such aspect: {', '.join(unknown)}", file=sys.stderr)
        return 2
    examples = with_joined_turns(expand(load_families() + concept_families(), load_frames()), args.seed)
    families = sorted({e.family for e in examples})
    print(f"{len(examples)} examples from {len(families)} families", file=sys.stderr)
    targets = label_matrix(examples, aspects)
    texts = [e.text for e in examples]
    folds = np.array([fold_of(e.family, args.folds) for e in examples])
    if args.tune_steps or args.keep_adapter:
        # The adapters learn from four folds of families; the fifth, kept out of both the tuning
        # and the head, measures them and calibrates the thresholds. (Tuning twice, once more on
        # every family, would double the 2-core machine's 40 minutes for a fifth more data.)
        from policy.training.tune_encoder import tune

        held = folds == 0
        if not args.keep_adapter:
            before = adapter_steps(previous_info)
            tune(
                [e for e, h in zip(examples, held, strict=True) if not h],
                aspects,
                args.tune_steps,
                ADAPTER_PATH,
                args.seed,
                resume=ADAPTER_PATH if args.resume_tuning else None,
                align_languages=args.align_languages,
            )
            steps = args.tune_steps + (before if args.resume_tuning else 0)
            (ADAPTER_PATH / TUNING_FILE).write_text(json.dumps({"tune_steps": steps}) + "\n")
            if args.tune_only:
                print(f"adapters saved to {ADAPTER_PATH} ({steps} steps); refit the head with --keep-adapter")
                return 0
        features = tuned_features(texts)
        weights = fit_heads(features[~held], targets[~held], args.epochs, args.seed, args.heads)
        evaluated = held
        held_out = predict(weights, features[held])
    else:
        from models.multilingual_encoder import load_multilingual_encoder

        encoder = load_multilingual_encoder()
        features = embed_all(texts, encoder, embedding_cache("multilingual-e5-small-int8"))
        from tqdm import tqdm

        evaluated = np.ones(len(examples), dtype=bool)
        held_out = np.zeros_like(targets)
        for fold in tqdm(range(args.folds), desc="held-out folds", file=sys.stderr):
            train = folds != fold
            weights = fit_heads(features[train], targets[train], args.epochs, args.seed + fold, args.heads)
            held_out[~train] = predict(weights, features[~train])
    held_examples = [e for e, h in zip(examples, evaluated, strict=True) if h]
    held_targets = targets[evaluated]
    thresholds = best_thresholds(held_out, held_targets, aspects, args.false_alarm_cost, args.min_gain)
    analysis = converted_dir().parent / "policy-held-out.npz"  # beside the model cache, for analysis
    np.savez(
        analysis,
        probability=held_out,
        targets=held_targets,
        aspects=np.array(aspects),
        languages=np.array([e.language for e in held_examples]),
        families=np.array([e.family for e in held_examples]),
        texts=np.array([e.text for e in held_examples]),
    )
    print(f"held-out predictions saved to {analysis}", file=sys.stderr)
    minor_user = np.array(
        [t * MINOR_USER_FACTOR if a in MINOR_USER_CATEGORIES else t for a, t in zip(aspects, thresholds, strict=True)]
    )
    decisions = decision_figures(held_examples, held_out, aspects, thresholds)
    by_aspect = aspect_figures(held_out, held_targets, aspects, thresholds)
    for key, figure in decisions.items():
        print(
            f"{key:>16}  n={figure['n']:>6}  acc={figure['accuracy']:.3f}  over={figure['over_refusal']:.3f}  "
            f"under={figure['under_refusal']:.3f}",
            file=sys.stderr,
        )
    for aspect, figure in by_aspect.items():
        print(f"{aspect:>16}  {figure}", file=sys.stderr)

    weights = fit_heads(features, targets, args.epochs, args.seed, args.heads)
    if args.only_aspects:
        return _graft(out, weights, aspects, args.only_aspects, len(examples), len(families))
    tune_steps = adapter_steps(previous_info) if args.tune_steps or args.keep_adapter else 0
    info = {
        "encoder": "multilingual-e5-small (int8)",
        "adapter": bool(args.tune_steps or args.keep_adapter),
        "tune_steps": tune_steps,
        "examples": len(examples),
        "families": len(families),
        "heads": args.heads,
        "false_alarm_cost": args.false_alarm_cost,
        "min_gain": args.min_gain,
        "held_out": {
            "how": "one fold of families held out from tuning and head"
            if args.tune_steps or args.keep_adapter
            else "cross-validation by family",
            "folds": args.folds,
            "decisions": decisions,
            "aspects": by_aspect,
        },
    }
    np.savez(
        out,
        aspects=np.array(aspects),
        thresholds=thresholds.astype(np.float32),
        minor_user_thresholds=minor_user.astype(np.float32),
        info=np.array(json.dumps(info)),
        **{k: v.astype(np.float32) for k, v in weights.items()},
    )
    print(f"saved {out}", file=sys.stderr)
    print(json.dumps({"examples": len(examples), "families": len(families), "held_out": decisions["all"]}))
    return 0


def _graft(
    out: Path, weights: dict[str, np.ndarray], aspects: list[str], names: list[str], examples: int, families: int
) -> int:
    """--only-aspects: the head at `out` keeps every aspect but these, and every threshold (they
    were chosen for the shipped decisions); the new heads' held-out figures are printed above."""
    with np.load(out, allow_pickle=False) as data:
        base = dict(data)
    if [str(a) for a in base["aspects"]] != aspects:
        print(f"easel train policy-classifier: error: {out} reads other aspects than the new heads", file=sys.stderr)
        return 2
    info = json.loads(str(base["info"]))
    grafted = graft_aspects(base, weights, [aspects.index(name) for name in names])
    info["grafted"] = [*info.get("grafted", []), {"aspects": names, "examples": examples, "families": families}]
    np.savez(
        out, **{**base, **{k: v.astype(np.float32) for k, v in grafted.items()}, "info": np.array(json.dumps(info))}
    )
    print(
        f"saved {out}: {', '.join(names)} from heads fitted on {families} families, the rest as it was", file=sys.stderr
    )
    print(json.dumps({"examples": examples, "families": families, "grafted": names}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
