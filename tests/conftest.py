"""Shared fixtures: a throw-away data folder per test, one real chat model per test run, and a
real Easel server on a free loopback port for the API and browser tests; and the guard that
fails a test not marked `slow` when it loads a real model (tests/model_guard/sitecustomize.py)."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
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


def _load_model_guard():
    """The guard module, once per process (this file is imported as `conftest` and as `tests.conftest`)."""
    if "easel_model_guard" not in sys.modules:
        path = REPO / "tests" / "model_guard" / "sitecustomize.py"
        spec = importlib.util.spec_from_file_location("easel_model_guard", path)
        sys.modules["easel_model_guard"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules["easel_model_guard"])
    return sys.modules["easel_model_guard"]


model_guard = _load_model_guard()
model_guard.install()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """A test not marked slow runs with the guard on, in this process (its fixtures and any
    server thread included) and in every process it starts; a model it loaded fails it."""
    if item.get_closest_marker("slow"):
        yield
        return
    model_guard.take_refused()  # a load refused while an earlier test's fixtures were set up is not this test's
    log = Path(item.config._tmp_path_factory.getbasetemp()) / "model-loads.log"  # noqa: SLF001
    log.unlink(missing_ok=True)
    saved = {name: os.environ.get(name) for name in ("PYTHONPATH", model_guard.ACTIVE_ENV, model_guard.LOG_ENV)}
    guard_env = {
        "PYTHONPATH": os.pathsep.join(p for p in (model_guard.FOLDER, saved["PYTHONPATH"]) if p),
        model_guard.ACTIVE_ENV: item.nodeid,
        model_guard.LOG_ENV: str(log),
    }
    os.environ.update(guard_env)
    original_popen_init = subprocess.Popen.__init__

    def popen_init(self, *args, env=None, **kwargs):  # a process started with its own env gets the guard too
        if env is not None:
            env = {
                **env,
                **guard_env,
                "PYTHONPATH": os.pathsep.join(p for p in (model_guard.FOLDER, env.get("PYTHONPATH")) if p),
            }
        original_popen_init(self, *args, env=env, **kwargs)

    subprocess.Popen.__init__ = popen_init
    model_guard.active_test = item.nodeid
    try:
        yield
    finally:
        model_guard.active_test = None
        subprocess.Popen.__init__ = original_popen_init
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(autouse=True)
def no_model_in_fast_tests(request):
    """Fails a fast test that loaded a real model, even where the code under test caught the error
    (a server thread, a child process that logs and goes on)."""
    yield
    if request.node.get_closest_marker("slow"):
        return
    refused = model_guard.take_refused()
    log = Path(request.config._tmp_path_factory.getbasetemp()) / "model-loads.log"  # noqa: SLF001
    if log.exists():
        refused += log.read_text(encoding="utf-8").splitlines()
    if refused:
        pytest.fail("\n".join(dict.fromkeys(refused)), pytrace=False)


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


# -- the databases: SQLite (always) and a real PostgreSQL server ------------------------------


def postgres_required() -> bool:
    """In CI (CI=1, or EASEL_REQUIRE_POSTGRES=1, set by .ci/run) a missing server fails the run."""
    return any(os.environ.get(name, "") not in ("", "0", "false") for name in ("CI", "EASEL_REQUIRE_POSTGRES"))


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server started for this test run (tests/postgres_server.py), stopped at its end."""
    from tests.postgres_server import PostgresServer, find_binaries

    binaries = find_binaries()
    if binaries is None:
        reason = (
            "no PostgreSQL server binaries (initdb, pg_ctl) on PATH, in /usr/local/bin or /usr/lib/postgresql/*/bin: "
            "install Debian's postgresql package to run the PostgreSQL tests"
        )
        if postgres_required():
            pytest.fail(reason + " (required in CI: CI or EASEL_REQUIRE_POSTGRES is set)", pytrace=False)
        pytest.skip(reason)
    server = PostgresServer(binaries)
    try:
        server.init()
        server.start()
    except Exception as error:  # noqa: BLE001 - said in the failure/skip
        log = server.log.read_text(errors="replace")[-2000:] if server.log.exists() else ""
        server.remove()
        reason = f"the PostgreSQL server could not be started: {error} {getattr(error, 'stderr', '')} {log}"
        if postgres_required():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    yield server
    server.remove()


@pytest.fixture
def postgres_url(postgres) -> str:
    """A fresh, empty database on the test run's PostgreSQL server."""
    return postgres.url(postgres.create_database())


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """The registry's database on each backend: a SQLite file, or a fresh database on a real
    PostgreSQL server (the pending audit file in the test's folder)."""
    from policy.database import database_location

    if request.param == "sqlite":
        return tmp_path / "easel.sqlite3"
    return database_location(request.getfixturevalue("postgres_url"), tmp_path)
