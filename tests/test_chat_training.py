"""LoRA fine-tuning of a chat model (`easel train chat-model`), on a tiny random Llama so it runs
in seconds: it learns, saves an adapter, and a resumed run ends where an uninterrupted one does."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from models.chat_weights import EMBEDDED_CONVERTED_NAME
from models.training import chat_model as training
from models.training.chat_model import LoraTrainingConfig, TrainingPair, train_lora
from tests.conftest import MODEL_CACHE

pytestmark = pytest.mark.slow  # loads the embedded chat model's tokenizer through the chat_model fixture

PAIRS = [
    TrainingPair(f"User: draw a {thing}\nAssistant:", f" <tool_call>{thing}</tool_call>")
    for thing in ("cat", "dog", "kite", "boat")
] * 4


@pytest.fixture(scope="module")
def tokenizer(chat_model):
    """The embedded model's real tokenizer (the chat_model fixture converts it on first use)."""
    return AutoTokenizer.from_pretrained(MODEL_CACHE / EMBEDDED_CONVERTED_NAME)


def tiny_model(tokenizer):
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=256,
    )
    return LlamaForCausalLM(config)


def config(**changes):
    base = dict(
        rank=4,
        alpha=8,
        learning_rate=5e-2,
        batch_size=4,
        epochs=3,
        warmup_steps=2,
        checkpoint_every=4,
        threads=1,
        top_layers=None,
    )
    return LoraTrainingConfig(**{**base, **changes})


def test_training_learns_and_saves_an_adapter(tokenizer, tmp_path):
    summary = train_lora(tiny_model(tokenizer), tokenizer, PAIRS, tmp_path / "adapter", config(), log=lambda _: None)
    assert summary["steps"] == 12
    saved = json.loads((tmp_path / "adapter" / "training.json").read_text())
    assert saved["final_loss"] == summary["final_loss"]
    assert (tmp_path / "adapter" / "adapter_model.safetensors").is_file()
    first_losses = summary["final_loss"]
    # A fresh model's loss on the same pairs is far higher than the trained one's.
    untrained = train_lora(
        tiny_model(tokenizer), tokenizer, PAIRS, tmp_path / "zero", config(learning_rate=0.0), log=lambda _: None
    )
    # (cross-entropy over a 49k-token vocabulary starts near ln(49152) = 10.8 and falls slowly)
    assert first_losses < untrained["final_loss"] - 0.2, (first_losses, untrained["final_loss"])


def test_a_resumed_run_ends_where_an_uninterrupted_one_does(tokenizer, tmp_path, monkeypatch):
    whole = train_lora(tiny_model(tokenizer), tokenizer, PAIRS, tmp_path / "whole", config(), log=lambda _: None)

    real_loss, calls = training._loss, {"n": 0}

    def interrupted(*args, **kwargs):  # the process dies during step 7, after the checkpoint of step 4
        calls["n"] += 1
        if calls["n"] == 7:
            raise KeyboardInterrupt
        return real_loss(*args, **kwargs)

    monkeypatch.setattr(training, "_loss", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train_lora(
            tiny_model(tokenizer),
            tokenizer,
            PAIRS,
            tmp_path / "resumed",
            config(),
            checkpoint_dir=tmp_path / "state",
            log=lambda _: None,
        )
    monkeypatch.setattr(training, "_loss", real_loss)
    messages = []
    resumed = train_lora(
        tiny_model(tokenizer),
        tokenizer,
        PAIRS,
        tmp_path / "resumed",
        config(),
        checkpoint_dir=tmp_path / "state",
        log=messages.append,
    )
    assert messages == ["resumed from step 4 of 12"]
    assert resumed["steps"] == whole["steps"]
    # final_loss averages only the steps each run made, so compare the adapters themselves
    a = load_file(tmp_path / "whole" / "adapter_model.safetensors")
    b = load_file(tmp_path / "resumed" / "adapter_model.safetensors")
    assert a.keys() == b.keys() and a
    assert all(torch.allclose(a[k], b[k], atol=1e-6) for k in a)
    assert not (tmp_path / "state" / "trainer_state.pt").exists()  # removed once the adapter is saved
