"""The app's named `chat` endpoint, called over HTTP with gradio_client like any program would."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from gradio_client import Client

pytestmark = pytest.mark.slow  # every test here talks to a real server with the real models


def ask(client: Client, text: str, files: list | None = None) -> tuple[str, list]:
    reply, pictures = client.predict({"text": text, "files": files or []}, api_name="/chat")
    return reply, pictures or []


def test_chat_endpoint_is_named_and_answers(server_url):
    client = Client(server_url, verbose=False)
    assert "/chat" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    reply, pictures = ask(client, "Which city is the capital of France?")
    assert isinstance(reply, str) and len(reply.split()) >= 2
    assert pictures == []


def test_chat_endpoint_streams_partial_replies(server_url):
    job = Client(server_url, verbose=False).submit({"text": "Tell me about the moon.", "files": []}, api_name="/chat")
    updates = [update[0] for update in job]
    assert len(updates) >= 3
    assert updates[-1].startswith(updates[1].strip()[:3])


def test_bad_input_gets_clear_replies_and_the_server_keeps_serving(server_url):
    client = Client(server_url, verbose=False)
    assert "empty" in ask(client, "")[0]
    assert "100,000 characters" in ask(client, "x" * 100_000)[0]
    garbage = bytes(range(256)).decode("latin-1") * 4  # binary data as a client would send it
    assert "binary" in ask(client, garbage)[0]
    assert httpx.get(server_url, timeout=10).status_code == 200
    assert ask(client, "Hello!")[0].strip()


def test_concurrent_sessions_all_get_answers(server_url):
    def one_session(i: int) -> str:
        return ask(Client(server_url, verbose=False), f"Say a word about the number {i}.")[0]

    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(pool.map(one_session, range(4)))
    assert all(isinstance(r, str) and r.strip() for r in replies)
