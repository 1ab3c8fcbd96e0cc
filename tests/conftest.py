"""Shared fixtures: a throw-away data folder per test, one real chat model per test run, and a
real Easel server on a free loopback port for the API and browser tests."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
# Converted model weights are kept between runs (de-quantising the GGUF takes ~20 s); everything
# else a test writes goes to its own temporary folder.
MODEL_CACHE = REPO / ".cache" / "models"
TEST_TOKENS = 12
# A made-up person on the test server's opt-out registry.
OPTED_OUT_NAME = "Ottilie Brennan-Vasquez"
OPTED_OUT_ALIAS = "Otti BV"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Every agent a test builds, in this process or in a server it starts, expands the policy's
# encoder into the same cache once.
os.environ.setdefault("EASEL_MODEL_CACHE_DIR", str(MODEL_CACHE))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture
def settings(tmp_path, monkeypatch):
    from chat.settings import Settings

    monkeypatch.setenv("EASEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("EASEL_MODEL_CACHE_DIR", str(MODEL_CACHE))
    monkeypatch.setenv("EASEL_MAX_NEW_TOKENS", str(TEST_TOKENS))
    return Settings()


@pytest.fixture(scope="session")
def chat_model():
    from models.chat_local import LocalChatModel

    model = LocalChatModel(cache_dir=MODEL_CACHE, max_new_tokens=TEST_TOKENS)
    model.loaded()
    return model


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served_app(data_dir: Path, max_new_tokens: int):
    """A real Easel app on loopback, with OPTED_OUT_NAME on its registry: (url, its settings)."""
    from chat.page import build_app
    from chat.settings import Settings
    from policy.registry import OptOutRegistry

    settings = Settings(
        data_dir=data_dir, EASEL_MODEL_CACHE_DIR=MODEL_CACHE, max_new_tokens=max_new_tokens, concurrency_limit=4
    )
    demo = build_app(settings)
    registry = OptOutRegistry(settings.database_path)
    registry.add(OPTED_OUT_NAME, [OPTED_OUT_ALIAS])
    registry.close()
    port = free_port()
    demo.launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        **demo.easel_page,
        **settings.launch_options(),
    )
    try:
        yield f"http://127.0.0.1:{port}/", settings
    finally:
        demo.close()


@pytest.fixture(scope="session")
def server_url(tmp_path_factory, chat_model):
    """A real Easel app served on loopback for the whole test run."""
    with served_app(tmp_path_factory.mktemp("server-data"), TEST_TOKENS) as (url, _settings):
        yield url


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
