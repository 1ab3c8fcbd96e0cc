"""A langchain-core chat model that runs a transformers causal LM in this process.

It streams token by token: `generate` runs in a worker thread and hands text to a
`TextIteratorStreamer`, which this model re-yields as `AIMessageChunk`s. When the consumer stops
reading (a closed browser tab), a stopping criterion ends the worker at its next token instead of
letting it run to the token budget.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict
from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

from models.chat_weights import EMBEDDED_PRESET, LoadedChatModel, load_chat_model

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


def to_chat_template_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """langchain messages -> the role/content dicts that a tokenizer's chat template expects."""
    converted = []
    for message in messages:
        role = _ROLES.get(message.type)
        if role is None:
            raise ValueError(f"unsupported message type {message.type!r}")
        content = message.content if isinstance(message.content, str) else message.text
        converted.append({"role": role, "content": content})
    return converted


class _StopWhenSet(StoppingCriteria):
    def __init__(self, event: threading.Event):
        self.event = event

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs) -> bool:
        return self.event.is_set()


class LocalChatModel(BaseChatModel):
    """Chat with a transformers model loaded in this process (the embedded default or a preset)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    preset: str = EMBEDDED_PRESET
    cache_dir: Path = Path("data/models")
    max_new_tokens: int = 256
    # Greedy decoding of a 135M model loops on itself; a mild penalty keeps answers moving.
    repetition_penalty: float = 1.15

    @property
    def _llm_type(self) -> str:
        return "easel-local-transformers"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"preset": self.preset, "max_new_tokens": self.max_new_tokens}

    def loaded(self) -> LoadedChatModel:
        return load_chat_model(self.preset, self.cache_dir)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.message.content for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        loaded = self.loaded()
        tokenizer, model = loaded.tokenizer, loaded.model
        prompt = tokenizer.apply_chat_template(
            to_chat_template_messages(messages), tokenize=False, add_generation_prompt=True
        )
        inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(model.device)
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        cancelled = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            try:
                with torch.inference_mode():
                    model.generate(
                        **inputs,
                        streamer=streamer,
                        max_new_tokens=kwargs.get("max_new_tokens", self.max_new_tokens),
                        do_sample=False,
                        repetition_penalty=self.repetition_penalty,
                        stopping_criteria=StoppingCriteriaList([_StopWhenSet(cancelled)]),
                        pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
                        **({"stop_strings": stop, "tokenizer": tokenizer} if stop else {}),
                    )
            except BaseException as error:  # surfaced in the consumer's thread below
                failure.append(error)
                streamer.end()

        worker = threading.Thread(target=run, name="easel-generate", daemon=True)
        worker.start()
        try:
            for piece in streamer:
                if piece:
                    yield self._chunk(piece, run_manager)
        finally:
            cancelled.set()
            worker.join()
        if failure:
            raise RuntimeError(f"the chat model failed while generating: {failure[0]}") from failure[0]

    @staticmethod
    def _chunk(piece: str, run_manager: CallbackManagerForLLMRun | None) -> ChatGenerationChunk:
        chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
        if run_manager:
            run_manager.on_llm_new_token(piece, chunk=chunk)
        return chunk
