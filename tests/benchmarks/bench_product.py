"""Benchmark of the whole product as a user meets it, on this machine.

    .venv/bin/python tests/benchmarks/bench_product.py

Starts `easel serve` in a fresh process and measures: cold start to the first page, time from
sending "draw a ..." over the `chat` endpoint to the picture being there (median of several
subjects, one session each), the same for a refinement, for a request worded so that the chat
model has to decide it is one ("I would love to see a drawing of a ...") and for a scene of three
subjects at sunset (models/scenes.py), the image backend alone on the same
prompts in this process (the baseline; the ratio shows what the chat model, the policy gate and
HTTP add), and the server's peak resident memory (VmHWM). The last line is a JSON object.

Content Credentials (issue #29): what they add to each picture received over the endpoint, drawn
and refined: the time to sign it, hash it and keep its hash (done again in this process on the
received picture's own pixels, with the server's key and database), and the bytes the manifest
adds (the received file against the same pixels saved as a plain PNG); and the size of an edit
five edits deep, whose file carries every manifest of its line.
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


def content_credentials_cost(received: list[tuple[Path, Path | None]], data_dir: Path) -> dict:
    """Milliseconds and bytes that Content Credentials add to each received picture (see above)."""
    from PIL import Image

    from chat.credentials import HASH_KIND, ContentCredentials, picture_hash, png_bytes
    from chat.session import PictureRecord
    from chat.settings import Settings
    from policy.cli import _registry

    settings = Settings(data_dir=data_dir)
    credentials = ContentCredentials.from_settings(settings)
    registry = _registry(settings)
    times, added = [], []
    for k, (file, parent) in enumerate(received):
        image = Image.open(file)
        image.load()
        plain = png_bytes(image)
        record = PictureRecord(f"bench-{k}", None, "", 0, "embedded", 0, None, f"bench-{k}", file, 0.0)
        t0 = time.perf_counter()
        credentials.sign_png(plain, record, parent=parent, title=file.name)
        registry.record_picture(record.decision_id, record.id, record.model, HASH_KIND, picture_hash(image))
        times.append((time.perf_counter() - t0) * 1000)
        added.append((file.stat().st_size - len(plain)) / 1024)
    # An edit five edits deep carries the five manifests before it.
    chain = received[0][0] if received else None
    deep = None
    if chain is not None:
        folder = data_dir / "bench-depth"
        folder.mkdir(parents=True, exist_ok=True)
        plain = png_bytes(Image.open(chain))
        parent = chain
        for depth in range(1, 6):
            record = PictureRecord(f"depth-{depth}", None, "", 0, "embedded", 0, None, f"depth-{depth}", chain, 0.0)
            signed = credentials.sign_png(plain, record, parent=parent)
            parent = folder / f"depth-{depth}.png"
            parent.write_bytes(signed)
        deep = round((len(signed) - len(plain)) / 1024, 1)
    return {
        "credentials_ms_per_picture_p50": round(statistics.median(times), 1) if times else None,
        "credentials_ms_per_picture_max": round(max(times), 1) if times else None,
        "credentials_kb_added_p50": round(statistics.median(added), 1) if added else None,
        "credentials_kb_added_max": round(max(added), 1) if added else None,
        "credentials_kb_added_five_edits_deep": deep,
    }


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
        received = []  # (file, parent file or None): the drawn and refined pictures as they arrived
        for subject in SUBJECTS:
            client = Client(url, verbose=False)
            t0 = time.perf_counter()
            _, pictures = client.predict({"text": f"draw a {subject}", "files": []}, api_name="/chat")
            drawn_file = None
            if pictures:
                draw_times.append(time.perf_counter() - t0)
                prompts.append(subject)
                drawn_file = Path(pictures[0]["image"])
                received.append((drawn_file, None))
            t0 = time.perf_counter()
            _, pictures = client.predict({"text": "make it blue", "files": []}, api_name="/chat")
            if pictures:
                refine_times.append(time.perf_counter() - t0)
                received.append((Path(pictures[0]["image"]), drawn_file))
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

    credentials = content_credentials_cost(received, data_dir)
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
        **credentials,
    }
    for key, value in result.items():
        print(f"{key:>42}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
