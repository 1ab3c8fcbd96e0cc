"""The model-load guard: a test not marked `slow` must load no real model.

tests/conftest.py installs it in the test process; a test process puts this folder on the
PYTHONPATH of every process a fast test starts (`easel ...`, `python -m chat.cli ...`), and
Python imports this file (`sitecustomize`) at start-up there, so it guards those too.

It wraps the functions that load the real models (the chat model, the policy's encoder, MiniLM,
the embedded image pipeline and its upscaler, the upload checks' detectors) as soon as their module
is imported. While it is on, a call is recorded and refused with a clear error. A call whose source
is a folder under the system's temporary folder is let through: tests build and load tiny random
models there, as diffusers' own tests do.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import inspect
import os
import sys
import tempfile
from pathlib import Path

# module -> what in it loads a real model ("Class.method" for a classmethod)
MODEL_LOADERS = {
    "models.chat_weights": ["load_chat_model"],
    "models.multilingual_encoder": ["load_multilingual_encoder"],
    "models.text_encoder": ["load_sentence_encoder"],
    "models.emoji_pipeline": ["EmojiDiffusionPipeline.from_pretrained"],
    "models.emoji_upscaler": ["EmojiUpscaler.from_pretrained"],
    "models.photo_checks": ["_CenterFace.__init__", "_nudity_detector"],
}
ACTIVE_ENV = "EASEL_TEST_NO_MODELS"  # set to the test's id in the processes a fast test starts
LOG_ENV = "EASEL_TEST_MODEL_LOADS_LOG"  # those processes append each refused load here
FOLDER = str(Path(__file__).resolve().parent)

active_test: str | None = None  # the test id while a fast test runs in this process
refused: list[str] = []  # what was refused since the last `take_refused()`
started_by_a_fast_test = False  # this process: then each refusal is also written to LOG_ENV's file


class ModelLoadInFastTest(RuntimeError):
    pass


def _is_temporary(source) -> bool:
    if not isinstance(source, (str, Path)):
        return False
    try:
        return Path(source).resolve().is_relative_to(Path(tempfile.gettempdir()).resolve())
    except (OSError, ValueError):
        return False


def _guard(name: str, function, skip_first: bool = False):
    @functools.wraps(function)
    def guarded(*args, **kwargs):
        source = args[1 if skip_first else 0] if len(args) > (1 if skip_first else 0) else None
        if active_test is not None and not _is_temporary(source):
            message = (
                f"{active_test} loads a real model ({name}({source!r})) but is not marked slow: "
                "add @pytest.mark.slow, or use a tiny model under tmp_path"
            )
            refused.append(message)
            if started_by_a_fast_test and os.environ.get(LOG_ENV):
                with open(os.environ[LOG_ENV], "a", encoding="utf-8") as log:
                    log.write(message + "\n")
            raise ModelLoadInFastTest(message)
        return function(*args, **kwargs)

    return guarded


def _wrap(module) -> None:
    for target in MODEL_LOADERS[module.__name__]:
        owner_name, _, attribute = target.rpartition(".")
        owner = getattr(module, owner_name) if owner_name else module
        original = inspect.getattr_static(owner, attribute)
        if isinstance(original, classmethod):
            wrapped = classmethod(_guard(f"{module.__name__}.{target}", original.__func__, skip_first=True))
        else:
            wrapped = _guard(f"{module.__name__}.{target}", original, skip_first=owner is not module)
        setattr(owner, attribute, wrapped)


class _WrapAfterImport(importlib.abc.MetaPathFinder):
    """Finds the guarded modules as usual, then wraps their loaders before anyone imports them."""

    def find_spec(self, name, path, target=None):
        if name not in MODEL_LOADERS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            _wrap(module)

        spec.loader.exec_module = exec_module
        return spec


def install() -> None:
    if any(isinstance(finder, _WrapAfterImport) for finder in sys.meta_path):
        return
    for name in MODEL_LOADERS:
        if name in sys.modules:  # imported before the guard: wrap it now
            _wrap(sys.modules[name])
    sys.meta_path.insert(0, _WrapAfterImport())


def take_refused() -> list[str]:
    taken = refused[:]
    refused.clear()
    return taken


if os.environ.get(ACTIVE_ENV):  # a process started by a fast test
    active_test = os.environ[ACTIVE_ENV]
    started_by_a_fast_test = True
    install()
