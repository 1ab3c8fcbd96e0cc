"""Train the crisis-topic head: is a message about someone at risk of suicide or self-harm now?

    easel train crisis-topic [--folds 5] [--epochs 20] [--out policy/crisis_head.npz]

The support answer (chat/crisis_support.py) is for the person in despair and for the one asking
what to do about a friend who said goodbye. The aspect head cannot find the second: it learned,
rightly for the gate, that asking how to help is not self-harm ("my brother texted me goodbye and
isn't answering" reads self_harm 0.16, "how do I kill time at the airport" 0.20). This head reads
the topic instead, from the same corpus and the same tuned embeddings:

- of the topic: every family labelled self_harm, and the allowed families marked `crisis: true`
  (asking for help for oneself, a friend's or relative's crisis, a message to someone at risk);
- not of it: everything else, the look-alikes beside them included (idioms of dying, grief,
  recovery milestones, prevention posters, doses asked for safety).

Five heads averaged, unweighted (the probabilities stay spread out enough to choose a bar
from; weighted up, a single head's rarely fell below 0.95). Held-out families (cross-validation
by family) choose the bar: the lowest that keeps false alarms on held-out chat messages
(unframed texts) not of the topic at FALSE_ALARMS or fewer. The support answer also goes to a
message the aspect head reads as self_harm >= 0.5 (chat/crisis_support.py).
The last line printed is a JSON object with the held-out figures.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from policy.aspects import ADAPTER_PATH, CRISIS_HEAD_PATH, adapter_fingerprint
from policy.training.aspect_head import fit_heads, predict, tuned_features
from policy.training.corpus import concept_families, expand, fold_of, load_families, load_frames
from policy.training.options import add_crisis_topic_options

FALSE_ALARMS = 0.02  # of ordinary chat messages: an answer about crisis lines to "this exam is killing me"
HEADS = 5


def crisis_families(families) -> set[str]:
    return {f.id for f in families if f.crisis or "self_harm" in f.labels}


def choose_bar(probability: np.ndarray, topic: np.ndarray, chat: np.ndarray) -> float:
    """The lowest bar whose false alarms on held-out chat messages stay within FALSE_ALARMS."""
    ordinary = probability[chat & ~topic]
    for bar in np.linspace(0.05, 0.99, 95):
        if (ordinary >= bar).mean() <= FALSE_ALARMS:
            return round(float(bar), 2)
    return 0.99


def figures(probability: np.ndarray, topic: np.ndarray, bar: float) -> dict[str, float]:
    said = probability >= bar
    return {
        "n": int(len(topic)),
        "of_topic": int(topic.sum()),
        "recall": round(float((said & topic).sum() / max(1, topic.sum())), 3),
        "false_alarms": round(float((said & ~topic).sum() / max(1, (~topic).sum())), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="easel train crisis-topic", description=__doc__.split("\n")[0])
    add_crisis_topic_options(parser)
    return train(parser.parse_args(argv))


def train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    families = load_families()
    examples = expand(families + concept_families(), load_frames())
    of_topic = crisis_families(families)
    topic = np.array([e.family in of_topic for e in examples])
    # a text that is a whole message, as the support answer reads it, not a "draw ..." frame
    unframed = {f.id for f in families if not f.framed}
    chat = np.array([e.family in unframed for e in examples])
    print(f"{len(examples)} texts, {int(topic.sum())} of the crisis topic", file=sys.stderr)
    features = tuned_features([e.text for e in examples])
    targets = topic.astype(np.float32)[:, None]

    folds = np.array([fold_of(e.family, args.folds) for e in examples])
    held_out = np.zeros(len(examples), dtype=np.float32)
    for fold in tqdm(range(args.folds), desc="held-out folds", file=sys.stderr):
        train_rows = folds != fold
        weights = fit_heads(
            features[train_rows], targets[train_rows], args.epochs, args.seed + fold, HEADS, balanced=False
        )
        held_out[~train_rows] = predict(weights, features[~train_rows])[:, 0]
    bar = choose_bar(held_out, topic, chat)
    held = {"all": figures(held_out, topic, bar), "chat messages": figures(held_out[chat], topic[chat], bar)}

    weights = fit_heads(features, targets, args.epochs, args.seed, HEADS, balanced=False)
    info = {
        "adapter": adapter_fingerprint(ADAPTER_PATH),
        "texts": len(examples),
        "families_of_topic": len(of_topic),
        "false_alarms_allowed": FALSE_ALARMS,
        "held_out": {"how": f"cross-validation by family, {args.folds} folds", **held},
    }
    out = args.out or CRISIS_HEAD_PATH
    np.savez(
        out,
        bar=np.float32(bar),
        info=np.array(json.dumps(info)),
        **{k: v.astype(np.float32) for k, v in weights.items()},
    )
    print(f"saved {out} (bar {bar})", file=sys.stderr)
    print(json.dumps({"bar": bar, "held_out": held}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
