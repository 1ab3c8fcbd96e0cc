"""Benchmark of the whole product as a user meets it, on this machine.

    .venv/bin/python tests/benchmarks/bench_product.py

Starts `easel serve` in a fresh process and measures: cold start to the first page, time from
sending "draw a ..." over the `chat` endpoint to the picture being there (median of several
subjects, one session each), the same for a refinement, for a request worded so that the chat
model has to decide it is one ("I would love to see a drawing of a ...") and for a scene of three
subjects at sunset (models/scenes.py), the image backend alone on the same
prompts in this process (the baseline; the ratio shows what the chat model, the policy gate and
HTTP add), and the server's peak resident memory (VmHWM). The last line is a JSON object.
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

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
CACHE = REPO / ".cache" / "models"
SUBJECTS = ["cat", "rocket", "pizza", "tree", "house", "fish", "car"]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    from gradio_client import Client

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data_dir = REPO / ".cache" / "bench-product-data"
    env = {
        **os.environ,
        "GRADIO_SERVER_PORT": str(port),
        "EASEL_MODEL_CACHE_DIR": str(CACHE),
        "EASEL_DATA_DIR": str(data_dir),
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("easel")), "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - started > 120:
                raise TimeoutError("no page within 120 s")
            time.sleep(0.1)
        cold_start = time.perf_counter() - started

        Client(url, verbose=False).predict({"text": "draw a sun", "files": []}, api_name="/chat")  # warm-up
        draw_times, refine_times, routed_times, scene_times, prompts = [], [], [], [], []
        for subject in SUBJECTS:
            client = Client(url, verbose=False)
            t0 = time.perf_counter()
            _, pictures = client.predict({"text": f"draw a {subject}", "files": []}, api_name="/chat")
            if pictures:
                draw_times.append(time.perf_counter() - t0)
                prompts.append(subject)
            t0 = time.perf_counter()
            _, pictures = client.predict({"text": "make it blue", "files": []}, api_name="/chat")
            if pictures:
                refine_times.append(time.perf_counter() - t0)
            # Worded so that the chat model decides (not a plain "draw a ...", which skips it).
            t0 = time.perf_counter()
            message = f"I would love to see a drawing of a {subject}"
            _, pictures = Client(url, verbose=False).predict({"text": message, "files": []}, api_name="/chat")
            if pictures:
                routed_times.append(time.perf_counter() - t0)
            # A scene of three subjects and a setting (issue #30: at most twice a single subject).
            others = [s for s in SUBJECTS if s != subject]
            t0 = time.perf_counter()
            message = f"draw a {subject} next to a {others[0]} and a {others[1]} at sunset"
            _, pictures = Client(url, verbose=False).predict({"text": message, "files": []}, api_name="/chat")
            if pictures:
                scene_times.append(time.perf_counter() - t0)
        peak = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)

    from models.image_backend import ImageBackend

    backend = ImageBackend.from_preset("embedded", CACHE)
    backend.generate("a sun", seed=0)
    direct = []
    for subject in SUBJECTS:
        t0 = time.perf_counter()
        backend.generate(f"a {subject}", seed=1)
        direct.append(time.perf_counter() - t0)

    send_to_picture = statistics.median(draw_times) if draw_times else float("nan")
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "cold_start_to_first_page_s": round(cold_start, 2),
        "send_to_picture_s_p50": round(send_to_picture, 2),
        "pictures_made": f"{len(draw_times)}/{len(SUBJECTS)}",
        "send_to_picture_routed_by_chat_model_s_p50": round(statistics.median(routed_times), 2)
        if routed_times
        else None,
        "pictures_made_routed": f"{len(routed_times)}/{len(SUBJECTS)}",
        "send_to_scene_of_three_s_p50": round(statistics.median(scene_times), 2) if scene_times else None,
        "scene_of_three_vs_one_subject": round(statistics.median(scene_times) / send_to_picture, 2)
        if scene_times
        else None,
        "send_to_refined_picture_s_p50": round(statistics.median(refine_times), 2) if refine_times else None,
        "image_backend_alone_s_p50": round(statistics.median(direct), 2),
        "end_to_end_vs_backend_alone": round(send_to_picture / statistics.median(direct), 2),
        "server_peak_rss_mb": round(peak),
    }
    for key, value in result.items():
        print(f"{key:>42}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
