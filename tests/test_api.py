"""The app's named `chat` endpoint, called over HTTP with gradio_client like any program would."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from gradio_client import Client


def test_chat_endpoint_is_named_and_answers(server_url):
    client = Client(server_url, verbose=False)
    assert "/chat" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    reply = client.predict("Which city is the capital of France?", api_name="/chat")
    assert isinstance(reply, str) and len(reply.split()) >= 2


def test_chat_endpoint_streams_partial_replies(server_url):
    job = Client(server_url, verbose=False).submit("Tell me about the moon.", api_name="/chat")
    updates = [update for update in job]
    assert len(updates) >= 3
    assert updates[-1].startswith(updates[1].strip()[:3])


def test_bad_input_gets_clear_replies_and_the_server_keeps_serving(server_url):
    client = Client(server_url, verbose=False)
    assert "empty" in client.predict("", api_name="/chat")
    assert "100,000 characters" in client.predict("x" * 100_000, api_name="/chat")
    garbage = bytes(range(256)).decode("latin-1") * 4  # binary data as a client would send it
    assert "binary" in client.predict(garbage, api_name="/chat")
    assert httpx.get(server_url, timeout=10).status_code == 200
    assert client.predict("Hello!", api_name="/chat").strip()


def test_concurrent_sessions_all_get_answers(server_url):
    def one_session(i: int) -> str:
        return Client(server_url, verbose=False).predict(f"Say a word about the number {i}.", api_name="/chat")

    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(pool.map(one_session, range(4)))
    assert all(isinstance(r, str) and r.strip() for r in replies)
