"""`easel eval routing` and `easel train chat-model`: measuring and teaching tool routing.

Evaluation runs each case's history and message through the chat model with the image tools
bound, exactly as a live turn would, but stops at the model's decision: no picture is made.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from langchain_core.utils.function_calling import convert_to_openai_tool
from tqdm import tqdm

from chat.tools import IMAGE_TOOLS
from chat.training.routing_data import example_messages, final_answer_examples, generate_examples, tool_target

ARGUMENT_FOR_TOOL = {"generate_image": "prompt", "edit_image": "instruction"}


def load_cases(path: Path) -> list[dict]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                cases.append(json.loads(line))
            except json.JSONDecodeError as problem:
                raise SystemExit(f"{path}:{number}: not valid JSON ({problem})") from None
    return cases


def route(tool_model, history, message) -> tuple[str, dict, float]:
    """(tool name or "none", its arguments, seconds) for one conversation turn."""
    started = time.perf_counter()
    answer = tool_model.invoke(example_messages(history, message))
    seconds = time.perf_counter() - started
    if answer.tool_calls:
        return answer.tool_calls[0]["name"], answer.tool_calls[0]["args"], seconds
    if answer.invalid_tool_calls:
        return "invalid", {}, seconds
    return "none", {}, seconds


def evaluate_routing(chat_model, cases: list[dict], show_progress: bool = True) -> tuple[dict, list[dict]]:
    tool_model = chat_model.bind_tools(IMAGE_TOOLS)
    rows = []
    for case in tqdm(cases, desc="routing", unit="case", disable=not show_progress, file=sys.stderr):
        tool, args, seconds = route(tool_model, case.get("history", []), case["message"])
        argument = str(args.get(ARGUMENT_FOR_TOOL.get(tool, ""), "")).lower()
        must = [w.lower() for w in case.get("must_mention", [])]
        rows.append(
            {
                "id": case.get("id"),
                "expected": case["expected_tool"],
                "got": tool,
                "ok": tool == case["expected_tool"],
                "mentioned": all(w in argument for w in must) if must else None,
                "argument": argument,
                "seconds": seconds,
            }
        )
    with_mentions = [r for r in rows if r["mentioned"] is not None]
    summary = {
        "n": len(rows),
        "tool_accuracy": round(sum(r["ok"] for r in rows) / len(rows), 4) if rows else 0.0,
        "mention_rate": round(sum(r["mentioned"] for r in with_mentions) / len(with_mentions), 4)
        if with_mentions
        else 1.0,
        "p50_s": round(statistics.median(r["seconds"] for r in rows), 3) if rows else 0.0,
    }
    return summary, rows


def training_pairs(base_model, n_routing: int, n_final: int, seed: int):
    """(prompt, target) pairs for fine-tuning, rendered with the model's own prompt format.

    Plain-text examples take as target the base model's own first token, found here in one
    batched forward pass, so routing is taught without putting new words in the model's mouth.
    """
    import torch

    from models.training.chat_model import TrainingPair

    tools = [convert_to_openai_tool(t) for t in IMAGE_TOOLS]
    loaded = base_model.loaded()
    pairs, plain_prompts = [], []
    for example in generate_examples(n_routing, seed=seed):
        prompt = base_model.render_prompt(example_messages(example.history, example.message), tools)
        target = tool_target(example)
        if target is None:
            plain_prompts.append(prompt)
        else:
            pairs.append(TrainingPair(prompt, target))
    tokenizer, model = loaded.tokenizer, loaded.model
    tokenizer.padding_side = "left"
    for start in tqdm(range(0, len(plain_prompts), 16), desc="base model's first tokens", file=sys.stderr):
        chunk = plain_prompts[start : start + 16]
        batch = tokenizer(chunk, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.inference_mode():
            logits = model(**batch, logits_to_keep=1).logits[:, -1]
        for prompt, token in zip(chunk, logits.argmax(-1).tolist(), strict=False):
            pairs.append(TrainingPair(prompt, tokenizer.decode([token]), train_tokens=1))
    tokenizer.padding_side = "right"
    for messages, answer in final_answer_examples(n_final, seed=seed + 1):
        pairs.append(TrainingPair(base_model.render_prompt(messages, None), answer))
    return pairs


def train_chat_model(args, settings) -> int:
    """`easel train chat-model`: fine-tune the routing LoRA adapter on generated conversations."""
    from models.chat_local import LocalChatModel
    from models.chat_weights import EMBEDDED_ADAPTER_DIR, EMBEDDED_BASE_PRESET
    from models.training.chat_model import LoraTrainingConfig, train_lora

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    base = LocalChatModel(preset=EMBEDDED_BASE_PRESET, cache_dir=settings.model_cache_dir)
    pairs = training_pairs(base, args.examples, args.final_examples, args.seed)
    config = LoraTrainingConfig(
        rank=args.rank,
        alpha=2 * args.rank,
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        epochs=args.epochs,
        seed=args.seed,
        threads=args.threads,
    )
    loaded = base.loaded()
    summary = train_lora(
        loaded.model,
        loaded.tokenizer,
        pairs,
        args.out or EMBEDDED_ADAPTER_DIR,
        config,
        checkpoint_dir=settings.resolved_data_dir() / "checkpoints" / "chat-model",
        init_from=args.init_from,
    )
    print(json.dumps(summary))
    return 0
