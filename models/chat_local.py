"""A langchain-core chat model that runs a transformers causal LM in this process.

It streams token by token: `generate` runs in a worker thread and hands text to a
`TextIteratorStreamer`, which this model re-yields as `AIMessageChunk`s. When the consumer stops
reading (a closed browser tab), a stopping criterion ends the worker at its next token instead of
letting it run to the token budget.

Tools are bound with `bind_tools`. A model whose chat template knows tools gets them through its
template; the embedded SmolLM2 gets a compact description in its system prompt (see
`models/tool_calling.py`). An answer that opens with `<tool_call>` is held back rather than
streamed, and comes out as the message's `tool_calls` (or `invalid_tool_calls` when it cannot be
read, so the agent loop can ask again).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel, generate_from_stream
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import invalid_tool_call, tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict
from transformers import (
    LogitsProcessor,
    LogitsProcessorList,
    StoppingCriteria,
    StoppingCriteriaList,
    TextIteratorStreamer,
)

from models.chat_weights import EMBEDDED_PRESET, LoadedChatModel, load_chat_model
from models.prefix_cache import cache_keyword
from models.tool_calling import (
    TOOL_CALL_OPEN,
    MalformedToolCall,
    describe_tools,
    format_tool_call,
    parse_tool_calls,
    starts_like_tool_call,
)

# A shorter common beginning is cheaper to re-read than to copy a cache for.
MIN_CACHED_PREFIX = 32
# Enough for any call to the image tools with a long description (a call is 30-60 tokens).
TOOL_CALL_TOKENS = 160

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


def to_chat_template_messages(
    messages: Sequence[BaseMessage], tools: list[dict] | None = None, template_knows_tools: bool = False
) -> list[dict[str, Any]]:
    """langchain messages -> the role/content dicts that a tokenizer's chat template expects.

    Without template support for tools, earlier tool calls are written back as `<tool_call>` text
    and the tool descriptions are appended to the system prompt, which is what the embedded model
    was fine-tuned on.
    """
    converted: list[dict[str, Any]] = []
    for message in messages:
        role = _ROLES.get(message.type)
        if role is None:
            raise ValueError(f"unsupported message type {message.type!r}")
        content = message.content if isinstance(message.content, str) else message.text
        entry: dict[str, Any] = {"role": role, "content": content}
        calls = getattr(message, "tool_calls", None) or []
        if calls and template_knows_tools:
            entry["tool_calls"] = [
                {"type": "function", "function": {"name": c["name"], "arguments": c["args"]}} for c in calls
            ]
        elif calls:
            entry["content"] = (content + "\n" if content else "") + "".join(
                format_tool_call(c["name"], c["args"]) for c in calls
            )
        converted.append(entry)
    if tools and not template_knows_tools:
        description = describe_tools(tools)
        if converted and converted[0]["role"] == "system":
            converted[0]["content"] = f"{converted[0]['content']}\n{description}"
        else:
            converted.insert(0, {"role": "system", "content": description})
    return converted


class _PenalizeOwnRepeats(LogitsProcessor):
    """The usual repetition penalty, but only for tokens the model itself has written in this
    answer: words of the prompt (the user's subject, a tool call's fixed parts) must stay easy to
    copy, while the model's own loops are still discouraged. A tool call repeats its own
    punctuation by design, so an answer that opens like one is not penalised at all."""

    def __init__(self, penalty: float, prompt_length: int, tool_call_opener: int | None):
        self.penalty = penalty
        self.prompt_length = prompt_length
        self.tool_call_opener = tool_call_opener

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        generated = input_ids[:, self.prompt_length :]
        if generated.shape[1] == 0 or generated[0, 0].item() == self.tool_call_opener:
            return scores
        seen = torch.gather(scores, 1, generated)
        seen = torch.where(seen < 0, seen * self.penalty, seen / self.penalty)
        return scores.scatter(1, generated, seen)


class _PlainTextBudget(StoppingCriteria):
    """Stops a plain-text answer at its token budget; a tool call gets the longer budget it
    needs however short the answers are set to be (a cut-off call is unreadable)."""

    def __init__(self, prompt_length: int, budget: int, tool_call_opener: int | None):
        self.prompt_length = prompt_length
        self.budget = budget
        self.tool_call_opener = tool_call_opener

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs) -> bool:
        generated = input_ids.shape[1] - self.prompt_length
        if generated < self.budget:
            return False
        return input_ids[0, self.prompt_length].item() != self.tool_call_opener


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
    # Greedy decoding of a 135M model loops on itself; a mild penalty on its own repeats keeps
    # answers moving.
    repetition_penalty: float = 1.15
    # Copying n-grams from the prompt (prompt-lookup decoding) verifies several draft tokens per
    # forward pass; tool calls are mostly copied (their skeleton is in the system prompt and the
    # subject is in the user's message), so they come out several times faster.
    prompt_lookup_tokens: int = 10
    # Reuse the KV cache of the system prompt (the same on most turns) instead of re-reading it;
    # the output is the same either way, only sooner.
    reuse_prefix_cache: bool = True

    @property
    def _llm_type(self) -> str:
        return "easel-local-transformers"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"preset": self.preset, "max_new_tokens": self.max_new_tokens}

    def loaded(self) -> LoadedChatModel:
        return load_chat_model(self.preset, self.cache_dir)

    def bind_tools(self, tools: Sequence[dict | type | Callable | BaseTool], **kwargs: Any):
        return self.bind(tools=[convert_to_openai_tool(tool) for tool in tools], **kwargs)

    # -- prompt -------------------------------------------------------------------------------

    def render_prompt(self, messages: Sequence[BaseMessage], tools: list[dict] | None = None) -> str:
        """The exact text the model continues (shared with fine-tuning and evaluation)."""
        return self._render(messages, tools)[0]

    def _render(self, messages: Sequence[BaseMessage], tools: list[dict] | None) -> tuple[str, str]:
        """The prompt, and its opening system turn as rendered text ("" when there is none):
        the part that is the same for many calls, whose KV cache is reused."""
        tokenizer = self.loaded().tokenizer
        knows_tools = bool(tools) and "tools" in (tokenizer.chat_template or "")
        converted = to_chat_template_messages(messages, tools, template_knows_tools=knows_tools)
        extra = {"tools": tools} if knows_tools else {}
        prompt = tokenizer.apply_chat_template(converted, tokenize=False, add_generation_prompt=True, **extra)
        prefix = ""
        if converted and converted[0]["role"] == "system" and len(converted) > 1:
            prefix = tokenizer.apply_chat_template(converted[:1], tokenize=False, add_generation_prompt=False, **extra)
            if not prompt.startswith(prefix):  # a template that renders the system turn in context
                prefix = ""
        return prompt, prefix

    # -- generation ---------------------------------------------------------------------------

    def _raw_text(
        self, prompt: str, stop: list[str] | None, max_new_tokens: int, tools: bool = False, prefix: str = ""
    ) -> Iterator[str]:
        loaded = self.loaded()
        tokenizer, model = loaded.tokenizer, loaded.model
        inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(model.device)
        prefix_ids = self._cacheable_prefix(tokenizer, inputs["input_ids"][0].tolist(), prefix)
        if prefix_ids:
            # Only the tokens after the cached prefix go in: transformers' prompt-lookup decoding
            # re-reads every token it is given on its first step, cache or not. The attention
            # mask still covers the whole prompt.
            inputs = {
                "input_ids": inputs["input_ids"][:, len(prefix_ids) :],
                "attention_mask": inputs["attention_mask"],
            }
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        cancelled = threading.Event()
        failure: list[BaseException] = []
        opener = tokenizer(TOOL_CALL_OPEN, add_special_tokens=False)["input_ids"][0]
        prompt_length = inputs["input_ids"].shape[1]

        def run() -> None:
            try:
                with torch.inference_mode():
                    cache = (
                        {cache_keyword(model): loaded.prefix_cache.copy_for(model, prefix_ids)} if prefix_ids else {}
                    )
                    model.generate(
                        **inputs,
                        **cache,
                        streamer=streamer,
                        max_new_tokens=max(max_new_tokens, TOOL_CALL_TOKENS) if tools else max_new_tokens,
                        do_sample=False,
                        logits_processor=LogitsProcessorList(
                            [_PenalizeOwnRepeats(self.repetition_penalty, prompt_length, opener)]
                        ),
                        prompt_lookup_num_tokens=self.prompt_lookup_tokens or None,
                        stopping_criteria=StoppingCriteriaList(
                            [_StopWhenSet(cancelled), _PlainTextBudget(prompt_length, max_new_tokens, opener)]
                        ),
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
                    yield piece
        finally:
            cancelled.set()
            worker.join()
        if failure:
            raise RuntimeError(f"the chat model failed while generating: {failure[0]}") from failure[0]

    def _cacheable_prefix(self, tokenizer, ids: list[int], prefix: str) -> list[int] | None:
        """The prompt's first tokens whose KV cache may be reused: those of the system turn that
        tokenise exactly as in the prompt itself, up to the first written-out tool call. The
        calls stay in the part that is read every time, so prompt-lookup decoding can still copy
        a call's skeleton from them. None when too little would be reused to matter."""
        if not prefix or not self.reuse_prefix_cache:
            return None
        if TOOL_CALL_OPEN in prefix:
            prefix = prefix[: prefix.index(TOOL_CALL_OPEN)]
            prefix = prefix[: prefix.rfind("\n") + 1]  # cut at a line break, a clean token boundary
        prefix_ids = tokenizer(prefix, add_special_tokens=False)["input_ids"]
        same = 0
        for mine, theirs in zip(prefix_ids, ids[: len(ids) - 1], strict=False):  # at least one token is left to read
            if mine != theirs:
                break
            same += 1
        return ids[:same] if same >= MIN_CACHED_PREFIX else None

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        tools: list[dict] | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        prompt, prefix = self._render(messages, tools)
        max_new_tokens = kwargs.get("max_new_tokens", self.max_new_tokens)
        held = ""  # text that may still turn out to be a tool call
        streaming_text = not tools
        for piece in self._raw_text(prompt, stop, max_new_tokens, tools=bool(tools), prefix=prefix):
            if streaming_text:
                yield self._chunk(piece, run_manager)
                continue
            held += piece
            if not starts_like_tool_call(held):
                streaming_text = True
                yield self._chunk(held, run_manager)
                held = ""
        if held:
            yield self._tool_chunk(held, {t["function"]["name"] for t in tools or []})

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        stream = self._stream(messages, stop, run_manager, **kwargs)
        try:
            return generate_from_stream(stream)
        except ValueError:  # nothing generated at all (a budget of zero, a stop at once)
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=""))])

    @staticmethod
    def _chunk(piece: str, run_manager: CallbackManagerForLLMRun | None) -> ChatGenerationChunk:
        chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
        if run_manager:
            run_manager.on_llm_new_token(piece, chunk=chunk)
        return chunk

    @staticmethod
    def _tool_chunk(text: str, known_tools: set[str]) -> ChatGenerationChunk:
        try:
            plain, calls = parse_tool_calls(text, known_tools)
        except MalformedToolCall as problem:
            invalid = [invalid_tool_call(name=None, args=text, id=None, error=str(problem))]
            return ChatGenerationChunk(message=AIMessageChunk(content="", invalid_tool_calls=invalid))
        chunks = [
            tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"], index=i)
            for i, c in enumerate(calls)
        ]
        return ChatGenerationChunk(message=AIMessageChunk(content=plain, tool_call_chunks=chunks))
