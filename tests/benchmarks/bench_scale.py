"""One replica against two under the same concurrent load, on one PostgreSQL server (issue #28).

    .venv/bin/python tests/benchmarks/bench_scale.py [--sessions 8] [--turns 3]

Starts a throw-away PostgreSQL server (tests/postgres_server.py), then for 1 and then 2 replicas:
`easel serve` processes on that database (each with its own data folder), and `--sessions`
concurrent sessions, each sending `--turns` drawing requests over the `chat` endpoint, sessions
spread over the replicas as a sticky load balancer would. Measured: turns per second over the
whole run and the p50/p95 time of a turn. On one machine the replicas share its cores, so this
shows what a second replica costs and adds here, not what a second machine would add. Last line:
a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
CACHE = REPO / ".cache" / "models"
SUBJECTS = ["cat", "rocket", "pizza", "tree", "house", "fish", "car", "bird"]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_replica(data_dir: Path, database_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "EASEL_DATA_DIR": str(data_dir),
        "EASEL_DATABASE_URL": database_url,
        "EASEL_MODEL_CACHE_DIR": str(CACHE),
        "EASEL_MAX_NEW_TOKENS": "48",
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log = open(data_dir / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "chat.cli", "serve"], cwd=REPO, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 300
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError((data_dir / "server.log").read_text()[-2000:])
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError("a replica did not start")


def load(urls: list[str], sessions: int, turns: int) -> dict:
    from gradio_client import Client

    clients = [Client(urls[n % len(urls)], verbose=False) for n in range(sessions)]  # sticky: a session, a replica
    for client in clients[: len(urls)]:  # warm each replica's models with one turn
        client.predict({"text": "draw a sun", "files": []}, api_name="/chat")
    times, pictures, lock = [], [0], threading.Lock()

    def session(n: int) -> None:
        for t in range(turns):
            started = time.perf_counter()
            _reply, drawn = clients[n].predict(
                {"text": f"draw a {SUBJECTS[(n + t) % len(SUBJECTS)]}", "files": []}, api_name="/chat"
            )
            with lock:
                times.append(time.perf_counter() - started)
                pictures[0] += bool(drawn)

    started = time.perf_counter()
    threads = [threading.Thread(target=session, args=(n,)) for n in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "replicas": len(urls),
        "turns": len(times),
        "with_a_picture": pictures[0],
        "turns_per_s": round(len(times) / wall, 3),
        "p50_s": round(float(np.percentile(times, 50)), 2),
        "p95_s": round(float(np.percentile(times, 95)), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    from tests.postgres_server import PostgresServer, find_binaries

    binaries = find_binaries()
    if binaries is None:
        print("no PostgreSQL binaries (initdb, pg_ctl): install Debian's postgresql package", file=sys.stderr)
        return 2
    server = PostgresServer(binaries)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: the server and replicas are stopped too
    server.init()
    server.start()
    results, processes = [], []
    try:
        with tempfile.TemporaryDirectory(prefix="easel-bench-scale-") as folder:
            for count in (1, 2):
                database_url = server.url(server.create_database())
                urls = []
                for n in range(count):
                    data_dir = Path(folder) / f"{count}-{n}"
                    data_dir.mkdir()
                    process, url = start_replica(data_dir, database_url)
                    processes.append(process)
                    urls.append(url)
                result = load(urls, args.sessions, args.turns)
                results.append(result)
                print(
                    f"{count} replica(s): {result['turns']} turns ({result['with_a_picture']} with a picture) "
                    f"from {args.sessions} sessions: {result['turns_per_s']} turns/s, p50 {result['p50_s']} s, "
                    f"p95 {result['p95_s']} s",
                    flush=True,
                )
                for process in processes:
                    process.terminate()
                for process in processes:
                    process.wait(timeout=60)
                processes.clear()
    finally:
        for process in processes:
            process.kill()
        server.remove()
    print(json.dumps({"one": results[0], "two": results[1], "cores": os.cpu_count()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
