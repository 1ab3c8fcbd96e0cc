"""Benchmark: ordinary people beside two abusive clients, against a real `easel serve`.

    .venv/bin/python tests/benchmarks/bench_fair_turns.py [--ordinary 10] [--flood 100]

Two abusive clients each queue FLOOD chat messages at once through gradio_client and upload
pictures to /gradio_api/upload as fast as the server answers, for the whole run. Meanwhile
ORDINARY sessions (each from its own address, told apart through a trusted loopback proxy) each
send three short messages one after another. For every ordinary message it measures how long
until its first streamed output (the turn has started) and until the answer is complete; it
samples the server's resident memory throughout. The baseline is the same ordinary messages with
no abusive clients, measured first in the same run. Prints medians and p95s; last line JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from gradio_client import Client
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.conftest import MODEL_CACHE, free_port  # noqa: E402

QUESTIONS = ["Hello!", "What colour is the sky?", "Draw a red apple"]


def start_server(data_dir: Path, max_new_tokens: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "EASEL_DATA_DIR": str(data_dir),
        "EASEL_MODEL_CACHE_DIR": str(MODEL_CACHE),
        "EASEL_MAX_NEW_TOKENS": str(max_new_tokens),
        "EASEL_TRUSTED_PROXIES": "127.0.0.1",
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log = open(data_dir / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "chat.cli", "serve"], cwd=REPO, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(360):
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit("the server did not start: " + (data_dir / "server.log").read_text()[-2000:])


def client(url: str, address: str) -> Client:
    return Client(url, verbose=False, headers={"X-Forwarded-For": address})


def timed_turn(c: Client, text: str) -> tuple[float, float]:
    """(seconds to the first streamed output, seconds to the complete answer)."""
    sent = time.monotonic()
    job = c.submit({"text": text, "files": []}, api_name="/chat")
    first = None
    while not job.done():
        if first is None and job.outputs():
            first = time.monotonic() - sent
        time.sleep(0.05)
    job.result()
    total = time.monotonic() - sent
    return (first if first is not None else total), total


def ordinary_people(url: str, count: int) -> list[tuple[float, float]]:
    results: list[tuple[float, float, str, float]] = []
    lock = threading.Lock()

    def person(i: int) -> None:
        c = client(url, f"198.51.100.{i + 1}")
        for text in QUESTIONS:
            sent = time.monotonic()
            measured = timed_turn(c, text)
            with lock:
                results.append((*measured, text, sent))

    threads = [threading.Thread(target=person, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def abuse(url: str, address: str, flood: int, stop: threading.Event, counts: dict) -> None:
    c = client(url, address)
    jobs = [c.submit({"text": f"write a long story number {i}", "files": []}, api_name="/chat") for i in range(flood)]
    picture = io.BytesIO()
    Image.new("RGB", (1500, 1500), (120, 30, 30)).save(picture, "PNG")
    data = picture.getvalue()
    with httpx.Client(timeout=30, headers={"X-Forwarded-For": address}) as http:
        while not stop.is_set():
            response = http.post(url + "gradio_api/upload", files={"files": ("flood.png", data, "image/png")})
            counts[response.status_code] = counts.get(response.status_code, 0) + 1
    counts["refused_messages"] = sum(
        1 for job in jobs if job.done() and "waiting" in str((job.outputs() or [["", ""]])[-1][0])
    )
    for job in jobs:
        job.cancel()


def memory_sampler(pid: int, stop: threading.Event, samples: list[int]) -> None:
    while not stop.is_set():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            samples.append(int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))))
        except (OSError, StopIteration):
            pass
        time.sleep(0.5)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ordinary", type=int, default=10)
    parser.add_argument("--flood", type=int, default=100)
    parser.add_argument("--max-new-tokens", type=int, default=256, help="the deployment's default")
    args = parser.parse_args()
    import tempfile

    data_dir = Path(tempfile.mkdtemp(prefix="easel-fair-"))
    process, url = start_server(data_dir, args.max_new_tokens)
    memory: list[int] = []
    stop_memory = threading.Event()
    threading.Thread(target=memory_sampler, args=(process.pid, stop_memory, memory), daemon=True).start()
    try:
        timed_turn(client(url, "192.0.2.1"), "Hello!")  # warm the models
        baseline = ordinary_people(url, args.ordinary)
        memory_before_floods = max(memory) if memory else None
        stop = threading.Event()
        counts: list[dict] = [{}, {}]
        abusers = [
            threading.Thread(target=abuse, args=(url, f"203.0.113.{i + 1}", args.flood, stop, counts[i]))
            for i in range(2)
        ]
        for a in abusers:
            a.start()
        time.sleep(3)  # the floods are queued before anyone ordinary writes
        flood_started = time.monotonic() - 3
        loaded = ordinary_people(url, args.ordinary)
        for start, _total, text, sent in sorted(loaded, key=lambda r: -r[0])[:6]:
            print(f"slowest: {text!r} sent {sent - flood_started:.0f} s into the floods, started after {start:.1f} s")
        stop.set()
        for a in abusers:
            a.join()
    finally:
        stop_memory.set()
        process.terminate()
        process.wait(timeout=30)
    figures = {
        "ordinary_sessions": args.ordinary,
        "flood_messages_per_abuser": args.flood,
        "max_new_tokens": args.max_new_tokens,
        "baseline_start_median_s": round(statistics.median(r[0] for r in baseline), 2),
        "baseline_start_p95_s": round(p95([r[0] for r in baseline]), 2),
        "start_median_s": round(statistics.median(r[0] for r in loaded), 2),
        "start_p95_s": round(p95([r[0] for r in loaded]), 2),
        "answer_p95_s": round(p95([r[1] for r in loaded]), 2),
        "start_p95_ratio_to_baseline": round(p95([r[0] for r in loaded]) / p95([r[0] for r in baseline]), 2),
        "abuser_uploads": [{str(k): v for k, v in c.items()} for c in counts],
        "server_peak_rss_mb_before_floods": round(memory_before_floods / 1024) if memory_before_floods else None,
        "server_peak_rss_mb": round(max(memory) / 1024) if memory else None,
    }
    print(
        f"ordinary turn start: p95 {figures['start_p95_s']} s with two floods, {figures['baseline_start_p95_s']} s without"
    )
    print(f"server memory peak: {figures['server_peak_rss_mb']} MB")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
