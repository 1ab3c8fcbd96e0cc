"""Benchmark of the embedded chat model and the web app's start-up, on this machine.

    .venv/bin/python tests/benchmarks/bench_chat.py

Prints medians over several prompts: time to first streamed token, tokens per second through
Easel's streaming chat model, the same generation through a plain `model.generate` call (the
baseline, same weights, same run) and their ratio, the load time of the cached weights in a fresh
process, and cold start of `easel serve` to the first page. The last line is a JSON object.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import torch
from langchain_core.messages import HumanMessage, SystemMessage

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from chat.assistant import SYSTEM_PROMPT  # noqa: E402
from models.chat_local import LocalChatModel, to_chat_template_messages  # noqa: E402

CACHE = REPO / ".cache" / "models"
PROMPTS = [
    "Tell me a short story about a lighthouse keeper.",
    "Explain how rainbows form.",
    "What should I pack for a weekend hike?",
    "Describe the taste of a ripe mango.",
    "Why do cats purr?",
]
NEW_TOKENS = 64


def streamed(model: LocalChatModel, prompt: str) -> tuple[float, float, int]:
    """(seconds to first token, tokens per second after it, tokens) through Easel's model."""
    tokenizer = model.loaded().tokenizer
    start = time.perf_counter()
    first, text = None, ""
    for chunk in model.stream([SystemMessage(SYSTEM_PROMPT), HumanMessage(prompt)]):
        if first is None and chunk.content:
            first = time.perf_counter()
        text += chunk.content
    end = time.perf_counter()
    tokens = len(tokenizer(text, add_special_tokens=False)["input_ids"])
    return first - start, (tokens - 1) / (end - first), tokens


def plain_generate(model: LocalChatModel, prompt: str) -> float:
    """Tokens per second of a bare `generate` call on the same weights: the baseline."""
    loaded = model.loaded()
    messages = to_chat_template_messages([SystemMessage(SYSTEM_PROMPT), HumanMessage(prompt)])
    text = loaded.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    inputs = loaded.tokenizer(text, return_tensors="pt", add_special_tokens=False)
    start = time.perf_counter()
    with torch.inference_mode():
        out = loaded.model.generate(**inputs, max_new_tokens=NEW_TOKENS, do_sample=False, repetition_penalty=1.15)
    return (out.shape[1] - inputs["input_ids"].shape[1]) / (time.perf_counter() - start)


def fresh_process_load_seconds() -> float:
    code = (
        "import time; t=time.perf_counter();"
        "from models.chat_weights import load_chat_model; from pathlib import Path;"
        f"load_chat_model('embedded', Path({str(CACHE)!r})); print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def cold_start_to_first_page() -> float:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "GRADIO_SERVER_PORT": str(port),
        "EASEL_MODEL_CACHE_DIR": str(CACHE),
        "EASEL_DATA_DIR": str(REPO / ".cache" / "bench-data"),
    }
    easel = Path(sys.executable).with_name("easel")
    start = time.perf_counter()
    server = subprocess.Popen([str(easel), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < 120:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                    return time.perf_counter() - start
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError("the app did not serve its page within 120 s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    model = LocalChatModel(cache_dir=CACHE, max_new_tokens=NEW_TOKENS)
    model.loaded()
    streamed(model, "Hello")  # warm-up
    first_token, rates, baseline = [], [], []
    for prompt in PROMPTS:
        ft, rate, _ = streamed(model, prompt)
        first_token.append(ft)
        rates.append(rate)
        baseline.append(plain_generate(model, prompt))
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}",
        "first_token_s_p50": round(statistics.median(first_token), 3),
        "tokens_per_s_p50": round(statistics.median(rates), 1),
        "baseline_generate_tokens_per_s_p50": round(statistics.median(baseline), 1),
        "streaming_vs_baseline": round(statistics.median(rates) / statistics.median(baseline), 2),
        "load_cached_weights_s": round(fresh_process_load_seconds(), 2),
        "cold_start_to_first_page_s": round(cold_start_to_first_page(), 2),
    }
    for key, value in result.items():
        print(f"{key:>38}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
