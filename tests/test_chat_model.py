"""The embedded chat model, loaded and run for real (with a small token budget)."""

from __future__ import annotations

import threading
import time

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from chat.assistant import SYSTEM_PROMPT, Assistant
from chat.session import ChatSession
from models.chat_local import LocalChatModel
from models.chat_weights import EMBEDDED_CONVERTED_NAME, load_chat_model
from tests.conftest import MODEL_CACHE

pytestmark = pytest.mark.slow  # loads the embedded chat model


def test_embedded_model_is_smollm2_and_answers_a_question(chat_model):
    loaded = chat_model.loaded()
    assert loaded.model.config.model_type == "llama"
    assert 130e6 < loaded.model.num_parameters() < 140e6
    question = [SystemMessage(SYSTEM_PROMPT), HumanMessage("Which city is the capital of France?")]
    assert "Paris" in chat_model.invoke(question, max_new_tokens=16).content


def test_answers_stream_token_by_token(chat_model):
    chunks = [c.content for c in chat_model.stream([HumanMessage("Tell me about the sea.")])]
    assert len([c for c in chunks if c]) >= 3, chunks


def test_a_consumer_that_stops_reading_stops_generation():
    model = LocalChatModel(cache_dir=MODEL_CACHE, max_new_tokens=400)
    stream = model.stream([HumanMessage("Write a very long story about a dragon.")])
    next(stream)
    started = time.perf_counter()
    stream.close()  # what Gradio does when a browser tab goes away mid-answer
    assert time.perf_counter() - started < 2.0
    assert not any(t.name == "easel-generate" and t.is_alive() for t in threading.enumerate())


def test_assistant_keeps_history_per_session(chat_model):
    assistant = Assistant(chat_model)
    first, second = ChatSession(), ChatSession()
    for _ in assistant.reply(first, "My name is Ada."):
        pass
    for _ in assistant.reply(first, "What is my name?"):
        pass
    for _ in assistant.reply(second, "Hello"):
        pass
    assert [m.type for m in first.messages] == ["human", "ai", "human", "ai"]
    assert [m.type for m in second.messages] == ["human", "ai"]
    assert first.messages[0].content == "My name is Ada."


def test_bad_input_gets_a_clear_reply_and_leaves_history_alone(chat_model):
    assistant = Assistant(chat_model, max_message_chars=4000)
    session = ChatSession()
    for raw in ["", "x" * 100_000, bytes(range(256))]:
        replies = list(assistant.reply(session, raw))
        assert len(replies) == 1 and replies[0].error and replies[0].final
    assert session.messages == []


def test_a_failing_model_gives_an_apology_not_a_stack_trace(tmp_path):
    broken = LocalChatModel(preset=str(tmp_path / "no-such-model"), cache_dir=tmp_path)
    replies = list(Assistant(broken).reply(ChatSession(), "hello"))
    assert replies[-1].error and "failed" in replies[-1].text


def test_preset_path_loads_a_local_transformers_model(tmp_path):
    """Hub presets go through `from_pretrained`; a tiny random Llama saved here stands in for one."""
    tokenizer = AutoTokenizer.from_pretrained(MODEL_CACHE / EMBEDDED_CONVERTED_NAME)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=256,
    )
    LlamaForCausalLM(config).save_pretrained(tmp_path / "tiny")
    tokenizer.save_pretrained(tmp_path / "tiny")

    loaded = load_chat_model(str(tmp_path / "tiny"), cache_dir=tmp_path)
    assert loaded.model.num_parameters() < 2e6
    model = LocalChatModel(preset=str(tmp_path / "tiny"), cache_dir=tmp_path, max_new_tokens=5)
    chunks = list(model.stream([SystemMessage("hi"), HumanMessage("hello")]))
    assert chunks  # random weights say nothing sensible, but the whole path runs


def test_reusing_the_system_prompts_kv_cache_changes_nothing_but_time():
    """The cached system prompt gives token for token the answers of a full read, for several
    system prompts (no picture, a picture) and for tool calls and plain text alike; every call
    gets its own copy, so the kept entries never grow with a conversation."""
    from chat.tools import IMAGE_TOOLS
    from chat.training.routing_data import example_messages

    shown = [
        {"role": "user", "content": "paint a red kite"},
        {"role": "assistant", "content": "Here it is.", "image": True},
    ]
    turns = [
        ([], "sketch a sleepy badger"),
        (shown, "make the kite green"),
        ([], "How many moons does Mars have?"),
        (shown, "sketch a sleepy badger"),
    ]
    cached = LocalChatModel(cache_dir=MODEL_CACHE, max_new_tokens=12)
    fresh = LocalChatModel(cache_dir=MODEL_CACHE, max_new_tokens=12, reuse_prefix_cache=False)
    cache = cached.loaded().prefix_cache
    cache.clear()
    for history, message in turns:
        messages = example_messages(history, message)
        with_cache = cached.bind_tools(IMAGE_TOOLS).invoke(messages)
        without = fresh.bind_tools(IMAGE_TOOLS).invoke(messages)
        assert (with_cache.content, with_cache.tool_calls and with_cache.tool_calls[0]["args"]) == (
            without.content,
            without.tool_calls and without.tool_calls[0]["args"],
        ), message
    assert len(cache) == 2  # one entry per distinct system prompt: no picture yet, img-1 shown
    assert cache.hits >= 2  # the third and fourth turns reuse what the first two stored
