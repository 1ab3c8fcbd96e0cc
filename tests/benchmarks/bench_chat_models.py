"""Chat models side by side on this machine: tool routing, factual answers, speed and load time.

    .venv/bin/python tests/benchmarks/bench_chat_models.py embedded [MODEL ...] [--limit N]

Each MODEL is an Easel chat preset (`embedded`, `embedded-base`, a hub preset or model id) or a
path to a GGUF file. A GGUF file is de-quantised once into a transformers folder under the model
cache (`$EASEL_MODEL_CACHE_DIR`, else `.cache/models`) as `converted-<stem>`, and that folder is
then loaded as a preset, through the same `LocalChatModel` the app uses: the same prompt format,
the same tool binding (its own chat template's tool syntax where the template knows tools), the
same decoding settings.

Per model, with 2 torch threads:
- load time of the weights (seconds; the one-off GGUF conversion is reported apart);
- routing on tests/data/routing_own_heldout.jsonl through `evaluate_routing`, exactly as
  `easel eval routing` runs it: tool accuracy, mention rate, malformed calls, p50 seconds;
- answer quality on the 30 questions of tests/data/chat_factual_questions.jsonl, asked as plain
  chat (the app's system prompt, no tools bound, at most 48 new tokens): an answer is right when
  one of its `accept` strings occurs in it as a whole word, ignoring case;
- speed over those answers: median generated tokens per second (prompt reading included, as a
  person waits for it), the same after the first token (decoding alone), and p50 seconds to the
  first token and to the whole answer.

`--limit N` runs only the first N routing cases and N questions. Prints a table, the wrong
factual answers, and as the last line a JSON object with every figure per model.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import torch
from tqdm import tqdm

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from chat.training.routing_data import example_messages  # noqa: E402
from chat.training.routing_eval import evaluate_routing, load_cases  # noqa: E402
from models.chat_local import LocalChatModel  # noqa: E402

ROUTING_CASES = REPO / "tests" / "data" / "routing_own_heldout.jsonl"
QUESTIONS = REPO / "tests" / "data" / "chat_factual_questions.jsonl"
THREADS = 2
ANSWER_TOKENS = 48
ROUTING_TOKENS = 96  # what `easel eval routing` gives the model


def cache_dir() -> Path:
    path = Path(os.environ.get("EASEL_MODEL_CACHE_DIR") or REPO / ".cache" / "models").expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def converted_gguf(gguf: Path, cache: Path) -> tuple[Path, float | None]:
    """(transformers folder of a GGUF file, seconds the conversion took or None when cached).

    Mirrors how models/chat_weights.py converts the embedded model: de-quantise to fp32 once,
    drop the GGUF marker that stops `save_pretrained`, and write through a temporary folder.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = cache / f"converted-{gguf.stem}"
    if (folder / "config.json").is_file() and any(folder.glob("model*.safetensors")):
        return folder, None
    start = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    partial = folder.with_name(folder.name + ".partial")
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.replace(folder)
    del model
    return folder, time.perf_counter() - start


def resolve(spec: str, cache: Path) -> tuple[str, str, float | None]:
    """(label, preset for LocalChatModel, GGUF conversion seconds) for a command-line model."""
    path = Path(spec).expanduser()
    if spec.lower().endswith(".gguf"):
        if not path.is_file():
            raise SystemExit(f"{spec}: no such GGUF file")
        folder, seconds = converted_gguf(path.resolve(), cache)
        return path.stem, str(folder), seconds
    return spec, spec, None


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def is_right(answer: str, accept: list[str]) -> bool:
    """Whether one accepted string is in the answer as a whole word ("4" is not in "14" or "40")."""
    text = answer.lower()
    return any(re.search(rf"(?<![a-z0-9]){re.escape(a.lower())}(?![a-z0-9])", text) for a in accept)


def answer(model: LocalChatModel, question: str) -> tuple[str, float, float]:
    """(answer text, seconds to its first token, seconds to the whole answer) as plain chat."""
    start = time.perf_counter()
    first, text = None, ""
    for chunk in model.stream(example_messages([], question)):
        if first is None and chunk.content:
            first = time.perf_counter() - start
        text += chunk.content
    total = time.perf_counter() - start
    return text, first if first is not None else total, total


def factual(model: LocalChatModel, questions: list[dict], label: str) -> tuple[dict, list[dict]]:
    tokenizer = model.loaded().tokenizer
    rows = []
    for q in tqdm(questions, desc=f"{label}: questions", unit="q", file=sys.stderr):
        text, first, total = answer(model, q["question"])
        tokens = len(tokenizer(text, add_special_tokens=False)["input_ids"])
        rows.append(
            {
                "id": q["id"],
                "question": q["question"],
                "answer": text.strip(),
                "right": is_right(text, q["accept"]),
                "tokens": tokens,
                "first_token_s": first,
                "seconds": total,
            }
        )
    summary = {
        "n": len(rows),
        "accuracy": round(sum(r["right"] for r in rows) / len(rows), 4) if rows else 0.0,
        "tokens_per_s_p50": round(statistics.median(r["tokens"] / r["seconds"] for r in rows), 1) if rows else 0.0,
        "decode_tokens_per_s_p50": round(
            statistics.median((r["tokens"] - 1) / max(r["seconds"] - r["first_token_s"], 1e-6) for r in rows), 1
        )
        if rows
        else 0.0,
        "first_token_s_p50": round(statistics.median(r["first_token_s"] for r in rows), 3) if rows else 0.0,
        "answer_s_p50": round(statistics.median(r["seconds"] for r in rows), 3) if rows else 0.0,
        "tokens_p50": statistics.median(r["tokens"] for r in rows) if rows else 0,
        "wrong": [r["id"] for r in rows if not r["right"]],
    }
    return summary, rows


def measure(spec: str, cases: list[dict], questions: list[dict], cache: Path) -> tuple[dict, list[dict]]:
    label, preset, convert_seconds = resolve(spec, cache)
    routing_model = LocalChatModel(preset=preset, cache_dir=cache, max_new_tokens=ROUTING_TOKENS)
    loaded = routing_model.loaded()  # timed inside load_chat_model; shared by both instances below
    template = loaded.tokenizer.chat_template or ""
    routing, routing_rows = evaluate_routing(routing_model, cases)
    chat_model = LocalChatModel(preset=preset, cache_dir=cache, max_new_tokens=ANSWER_TOKENS)
    answers, answer_rows = factual(chat_model, questions, label)
    result = {
        "model": label,
        "preset": preset,
        "params_m": round(sum(p.numel() for p in loaded.model.parameters()) / 1e6, 1),
        "template_knows_tools": "tools" in template,
        "gguf_convert_s": round(convert_seconds, 1) if convert_seconds is not None else None,
        "load_s": round(loaded.load_seconds, 2),
        "routing_n": routing["n"],
        "routing_tool_accuracy": routing["tool_accuracy"],
        "routing_mention_rate": routing["mention_rate"],
        "routing_invalid": sum(r["got"] == "invalid" for r in routing_rows),
        "routing_p50_s": routing["p50_s"],
        "factual_n": answers["n"],
        "factual_accuracy": answers["accuracy"],
        "factual_wrong": answers["wrong"],
        "tokens_per_s_p50": answers["tokens_per_s_p50"],
        "decode_tokens_per_s_p50": answers["decode_tokens_per_s_p50"],
        "first_token_s_p50": answers["first_token_s_p50"],
        "answer_s_p50": answers["answer_s_p50"],
        "answer_tokens_p50": answers["tokens_p50"],
    }
    return result, answer_rows


COLUMNS = [
    ("model", "model", "{}"),
    ("params M", "params_m", "{:.0f}"),
    ("load s", "load_s", "{:.1f}"),
    ("route acc", "routing_tool_accuracy", "{:.3f}"),
    ("mention", "routing_mention_rate", "{:.3f}"),
    ("invalid", "routing_invalid", "{}"),
    ("route p50 s", "routing_p50_s", "{:.2f}"),
    ("facts", "factual_accuracy", "{:.3f}"),
    ("answer p50 s", "answer_s_p50", "{:.2f}"),
    ("1st tok s", "first_token_s_p50", "{:.2f}"),
    ("tok/s", "tokens_per_s_p50", "{:.1f}"),
    ("decode tok/s", "decode_tokens_per_s_p50", "{:.1f}"),
]


def table(results: list[dict]) -> str:
    cells = [[title for title, _, _ in COLUMNS]]
    cells += [[fmt.format(r[key]) for _, key, fmt in COLUMNS] for r in results]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=["embedded"], help="presets or GGUF paths (default: embedded)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N routing cases and N questions")
    args = parser.parse_args()

    torch.set_num_threads(THREADS)
    cases = load_cases(ROUTING_CASES)[: args.limit]
    questions = load_questions(QUESTIONS)[: args.limit]
    cache = cache_dir()
    results, wrong = [], {}
    for spec in args.models:
        result, rows = measure(spec, cases, questions, cache)
        results.append(result)
        wrong[result["model"]] = [r for r in rows if not r["right"]]

    print(table(results))
    for label, rows in wrong.items():
        for r in rows:
            print(f"{label} wrong {r['id']}: {r['question']} -> {r['answer'][:100]!r}")
    print(
        json.dumps(
            {
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}",
                "threads": THREADS,
                "limit": args.limit,
                "routing_cases": str(ROUTING_CASES.relative_to(REPO)),
                "questions": str(QUESTIONS.relative_to(REPO)),
                "models": results,
            }
        )
    )


if __name__ == "__main__":
    main()
