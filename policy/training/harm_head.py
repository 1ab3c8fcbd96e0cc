"""Train the harm classifier: logistic regression over the policy's own sentence embeddings of
the generated request set (policy/training/requests.py).

    .venv/bin/python -m policy.training.harm_head [--per-template 40] [--seed 0] [--out policy/harm_head.npz]

First it holds whole template families out and prints how well the classifier carries over to
wording it has not seen (per label: precision and recall on the held-out families); then it
fits on everything and saves the weights the agent loads (`policy/harm_head.npz`, a few hundred
KB). Embeddings come from the same int8 copy of all-MiniLM-L6-v2 the agent uses at run time, one
text per forward pass, so training and checking see identical features.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from policy.training.requests import generate, split

HEAD_PATH = Path(__file__).resolve().parents[1] / "harm_head.npz"


def embed(texts: list[str], embedder) -> np.ndarray:
    from tqdm import tqdm

    rows = [embedder([text])[0] for text in tqdm(texts, desc="embedding requests", unit="text", file=sys.stderr)]
    return np.stack(rows)


def fit(features: np.ndarray, labels: list[str], c: float, seed: int):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, random_state=seed)
    model.fit(features, labels)
    return model


def report(model, features: np.ndarray, labels: list[str]) -> dict:
    from sklearn.metrics import precision_recall_fscore_support

    predicted = model.predict(features)
    names = sorted(set(labels))
    precision, recall, _, support = precision_recall_fscore_support(labels, predicted, labels=names, zero_division=0)
    table = {
        name: {"precision": round(float(p), 3), "recall": round(float(r), 3), "n": int(n)}
        for name, p, r, n in zip(names, precision, recall, support, strict=False)
    }
    allow = [i for i, label in enumerate(labels) if label == "allow"]
    harmful = [i for i, label in enumerate(labels) if label != "allow"]
    table["_summary"] = {
        "over_refusal": round(float(np.mean([predicted[i] != "allow" for i in allow])), 4) if allow else 0.0,
        "under_refusal": round(float(np.mean([predicted[i] == "allow" for i in harmful])), 4) if harmful else 0.0,
    }
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-template", type=int, default=40, help="fillings of each template")
    parser.add_argument(
        "--ordinary", type=int, default=400, help="fillings of each ordinary (allowed) request template"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--c", type=float, default=4.0, help="inverse regularisation strength")
    parser.add_argument("--out", type=Path, default=HEAD_PATH)
    args = parser.parse_args(argv)

    import torch

    from models.text_encoder import load_sentence_encoder
    from policy.classifier import TextEmbedder

    torch.set_num_threads(1)
    started = time.time()
    requests = generate(args.per_template, args.seed, ordinary=args.ordinary)
    print(f"{len(requests)} generated requests, {len({r.family for r in requests})} template families", file=sys.stderr)
    embedder = TextEmbedder(load_sentence_encoder())
    features = embed([r.text for r in requests], embedder)
    index = {r.text: i for i, r in enumerate(requests)}

    train, held_out = split(requests, seed=args.seed)
    model = fit(features[[index[r.text] for r in train]], [r.label for r in train], args.c, args.seed)
    validation = report(model, features[[index[r.text] for r in held_out]], [r.label for r in held_out])
    for name, row in validation.items():
        print(f"{name:<28} {json.dumps(row)}")

    model = fit(features, [r.label for r in requests], args.c, args.seed)
    np.savez_compressed(
        args.out,
        classes=np.array(model.classes_),
        coef=model.coef_.astype(np.float32),
        intercept=model.intercept_.astype(np.float32),
        meta=np.array(
            json.dumps(
                {
                    "n": len(requests),
                    "per_template": args.per_template,
                    "ordinary": args.ordinary,
                    "seed": args.seed,
                    "c": args.c,
                }
            )
        ),
    )
    summary = {
        "n": len(requests),
        "held_out_n": len(held_out),
        **validation["_summary"],
        "seconds": round(time.time() - started, 1),
        "out": str(args.out),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
