"""Two replicas on one PostgreSQL server (issue #28): two `easel serve` processes, each with its own
data folder, share the registry, the audit log and the operator's password throttle. An opt-out
added from a shell is refused on the replica that did not take it, at its very next check; a
password brute force spread over both locks the account out as it would on one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from tests.conftest import MODEL_CACHE, free_port

REPO = Path(__file__).resolve().parents[1]
EASEL = Path(sys.executable).with_name("easel")
PASSWORD = "replica-operator-password"
NAMES = ["Corvina Maelstrand", "Tobiah Wrenfield", "Isaura Quellington"]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # two served apps and their models


def start_replica(data_dir: Path, database_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    environment = {
        **os.environ,
        "EASEL_DATA_DIR": str(data_dir),
        "EASEL_DATABASE_URL": database_url,
        "EASEL_MODEL_CACHE_DIR": str(MODEL_CACHE),
        "EASEL_MAX_NEW_TOKENS": "24",
        "EASEL_OPERATOR_PASSWORD": PASSWORD,
        "EASEL_OPERATOR_LOCKOUT_SECONDS": "30",
        "EASEL_TRUSTED_PROXIES": "127.0.0.1",
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    log = open(data_dir / "server.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "chat.cli", "serve"], cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 300
    while time.time() < deadline:
        assert process.poll() is None, (data_dir / "server.log").read_text()
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise AssertionError("the replica did not start:\n" + (data_dir / "server.log").read_text())


@pytest.fixture(scope="module")
def replicas(postgres, tmp_path_factory):
    """(database URL, replica A's URL, replica B's URL) on one fresh PostgreSQL database."""
    database_url = postgres.url(postgres.create_database())
    processes, urls = [], []
    for name in ("a", "b"):
        process, url = start_replica(tmp_path_factory.mktemp(f"replica-{name}"), database_url)
        processes.append(process)
        urls.append(url)
    yield database_url, *urls
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def client_as(url: str, address: str) -> Client:
    return Client(url, verbose=False, headers={"X-Forwarded-For": address})


def test_an_opt_out_added_from_a_shell_is_refused_on_the_other_replica(replicas, tmp_path):
    database_url, _url_a, url_b = replicas
    env = {**os.environ, "EASEL_DATABASE_URL": database_url, "EASEL_DATA_DIR": str(tmp_path)}
    client = Client(url_b, verbose=False)
    waits = []
    for name in NAMES:
        added = subprocess.run([str(EASEL), "optout", "add", name], capture_output=True, text=True, env=env)
        assert added.returncode == 0, added.stderr
        committed = time.monotonic()  # the command has committed and exited
        reply, pictures = client.predict({"text": f"draw {name} riding a bicycle", "files": []}, api_name="/chat")
        waits.append(time.monotonic() - committed)
        assert "asked not to be depicted" in reply and not pictures, reply
    print(f"replica B refused each new opt-out at its first request; reply within {max(waits):.2f} s of the commit")


def test_a_brute_force_over_both_replicas_locks_the_account(replicas):
    _database_url, url_a, url_b = replicas
    notes = []
    for i in range(10):  # every guess from a fresh forged address, alternating replicas
        url = url_a if i % 2 == 0 else url_b
        notes.append(client_as(url, f"203.0.113.{i}").predict(f"guess-{i}", api_name="/operator_unlock"))
    first_refusal = next(i for i, note in enumerate(notes) if note.startswith("Too many"))
    assert first_refusal <= 6, notes  # the account's 5 free failures, counted over both replicas
    for url in (url_a, url_b):  # even the right password, on either replica, from a fresh address
        assert client_as(url, "198.51.100.77").predict(PASSWORD, api_name="/operator_unlock").startswith("Too many")
