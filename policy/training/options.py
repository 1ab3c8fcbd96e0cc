"""The options of `easel train policy-classifier`, declared once for the easel command and for
`python -m policy.training.aspect_head`. Import-light: the easel command builds its parser from
these at every start."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FALSE_ALARM_COST = 2.0
HEADS = 5  # heads averaged (aspect_head.fit_heads)
MIN_GAIN = 0.002  # a threshold leaves the common one only for this much better a decision


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds over families (held-out figures)")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--heads", type=int, default=HEADS, help="heads fitted from consecutive seeds, their logits averaged"
    )
    parser.add_argument("--out", type=Path, default=None, help="where the weights go (default: policy/aspect_head.npz)")
    parser.add_argument(
        "--tune-steps",
        type=int,
        default=0,
        help="fine-tune the encoder with LoRA adapters for this many batches first (policy/encoder_adapter/); "
        "0: keep the encoder frozen",
    )
    parser.add_argument(
        "--resume-tuning",
        action="store_true",
        help="with --tune-steps: go on tuning the shipped adapters instead of starting afresh (the held-out fold "
        "stays out of both)",
    )
    parser.add_argument(
        "--align-languages",
        type=float,
        default=0.0,
        help="with --tune-steps: weight of a loss asking each text in another language to pick its own family "
        "among every family's English texts, as the starting adapters read them (0: off)",
    )
    parser.add_argument(
        "--tune-only",
        action="store_true",
        help="with --tune-steps: save the adapters and stop (tune where a GPU is, refit the head with "
        "--keep-adapter where the policy runs: the head must see the int8 encoder's embeddings)",
    )
    parser.add_argument(
        "--keep-adapter",
        action="store_true",
        help="refit only the head, on the shipped adapters' embeddings (cached under the data folder); the "
        "held-out fold is the one the adapters were tuned without",
    )
    parser.add_argument(
        "--only-aspects",
        nargs="+",
        default=None,
        metavar="ASPECT",
        help="with --keep-adapter: write only these aspects' new heads into the head at --out, keeping its other "
        "aspects and every threshold (a refit that is better for one aspect and not for the rest)",
    )
    parser.add_argument(
        "--false-alarm-cost",
        type=float,
        default=FALSE_ALARM_COST,
        help="how much worse a wrong refusal is than a wrong allow when the thresholds are chosen",
    )
    parser.add_argument(
        "--min-gain",
        type=float,
        default=MIN_GAIN,
        help="an aspect's threshold leaves the common one only for this much better a decision on the held-out fold",
    )


def check_options(args: argparse.Namespace) -> None:
    """Refuse contradictory options before any work, as argparse refuses a bad one (exit 2)."""
    problem = None
    if args.heads < 1:
        problem = "--heads must be at least 1"
    elif args.keep_adapter and args.tune_steps:
        problem = "--keep-adapter and --tune-steps exclude each other"
    elif args.resume_tuning and not args.tune_steps:
        problem = "--resume-tuning needs --tune-steps"
    elif args.tune_only and not args.tune_steps:
        problem = "--tune-only needs --tune-steps"
    elif args.align_languages and not args.tune_steps:
        problem = "--align-languages needs --tune-steps"
    elif args.align_languages < 0:
        problem = "--align-languages must not be negative"
    elif args.only_aspects and not args.keep_adapter:
        problem = "--only-aspects needs --keep-adapter (the other aspects' heads read the same adapters)"
    if problem:
        print(f"easel train policy-classifier: error: {problem}", file=sys.stderr)
        raise SystemExit(2)


def add_crisis_topic_options(parser: argparse.ArgumentParser) -> None:
    """`easel train crisis-topic` (policy/training/crisis_topic.py)."""
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds over families (held-out figures)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="where the head goes (default: policy/crisis_head.npz)")


DESCRIPTION_FOLDS = 5  # `--hold-out-fold` chooses one of these (families are never split)


def _add_description_fold(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--hold-out-fold",
        type=int,
        default=None,
        choices=range(DESCRIPTION_FOLDS),
        metavar="K",
        help=f"keep the descriptions of fold K (0-{DESCRIPTION_FOLDS - 1}) out of training and measure on them",
    )


def add_description_encoder_options(parser: argparse.ArgumentParser) -> None:
    """`easel train description-encoder` (policy/training/description_encoder.py)."""
    parser.add_argument("--steps", type=int, default=400, help="batches (about 2.6 s each on 2 CPU cores)")
    parser.add_argument("--batch", type=int, default=16, help="descriptions per batch")
    parser.add_argument("--ordinary", type=int, default=16, help="ordinary corpus requests per batch")
    parser.add_argument("--learning-rate", type=float, default=2e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--absolute-weight",
        type=float,
        default=0.0,
        help="weight of a loss that puts similar requests below, and referring ones above, the index's line "
        "(0, the shipped adapters: ranking only; tried at 1 and 3, docs/policy.md)",
    )
    _add_description_fold(parser)
    parser.add_argument("--out", type=Path, default=None, help="adapter folder (default: policy/description_adapter)")


def add_description_reranker_options(parser: argparse.ArgumentParser) -> None:
    """`easel train description-reranker` (policy/training/description_reranker.py)."""
    parser.add_argument("--steps", type=int, default=500, help="batches")
    parser.add_argument("--positives", type=int, default=12, help="referring pairs per batch")
    parser.add_argument("--negatives", type=int, default=20, help="other pairs per batch")
    parser.add_argument("--learning-rate", type=float, default=3e-4, help="for the adapters")
    parser.add_argument("--head-learning-rate", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    _add_description_fold(parser)
    parser.add_argument("--out", type=Path, default=None, help="folder (default: policy/description_reranker)")
