"""Whether a hub model is on disk already, and whether the Hugging Face Hub can be reached.

Picking a hub preset on a machine that cannot download it used to cost half a minute of timeouts
before a vague "try again"; `download_problem` answers at once: None when the weights are cached
(or the hub is reachable), otherwise a sentence saying why the model cannot be used here.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

_REACHABLE_FOR = 60.0  # seconds a reachability answer is reused
_reachable_lock = threading.Lock()
_reachable: dict[str, tuple[float, str | None]] = {}


def is_cached(repo: str, cache_dir: Path | str | None) -> bool:
    """Has this hub repository's pipeline been downloaded into `cache_dir` (or the default hub
    cache) before? Its `model_index.json` stands for the whole snapshot."""
    from huggingface_hub import try_to_load_from_cache

    for folder in (cache_dir, None):
        found = try_to_load_from_cache(repo, "model_index.json", cache_dir=str(folder) if folder else None)
        if isinstance(found, str):
            return True
    return False


def hub_unreachable() -> str | None:
    """None when downloads can work, else why not (offline mode, or the hub cannot be reached)."""
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return "this deployment is offline (HF_HUB_OFFLINE=1)"
    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    with _reachable_lock:
        checked = _reachable.get(host)
        if checked and time.monotonic() - checked[0] < _REACHABLE_FOR:
            return checked[1]
    try:
        socket.create_connection((host, 443), timeout=2.0).close()
        answer = None
    except OSError:  # the kind of error (gaierror, timeout) says nothing to the person who asked
        answer = f"the Hugging Face Hub ({host}) cannot be reached from this server"
    with _reachable_lock:
        _reachable[host] = (time.monotonic(), answer)
    return answer


def download_problem(name: str, repo: str, cache_dir: Path | str | None) -> str | None:
    """None when the model `name` (hub repository `repo`) can be loaded here, else a sentence for
    the person who picked it."""
    if is_cached(repo, cache_dir):
        return None
    why = hub_unreachable()
    if why is None:
        return None
    return (
        f"The image model '{name}' ({repo}) has to be downloaded from the Hugging Face Hub first, "
        f"and {why}. Pick 'embedded', or ask the operator to download it."
    )
