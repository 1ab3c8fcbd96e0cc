"""Which chat model a deployment talks to: one in this process, or any OpenAI-compatible server.

`EASEL_CHAT_MODEL` picks it: `embedded` (default), another local preset or model id, or
`openai:MODEL` for a server such as vLLM, TGI, the llama.cpp server or Ollama at
`EASEL_OPENAI_BASE_URL` (how deployments scale the chat model beyond one machine). Both are
langchain-core chat models with `bind_tools` and token streaming, so the agent loop is the same.
"""

from __future__ import annotations

from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel

OPENAI_PREFIX = "openai:"


def openai_compatible_chat_model(
    base_url: str, model: str, api_key: str | None = None, max_tokens: int = 256, timeout_s: float = 60.0
) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=base_url,
        model=model,
        # Local servers ignore the key, but the client insists on having one.
        api_key=api_key or "not-needed",
        max_tokens=max_tokens,
        temperature=0.0,
        timeout=timeout_s,
        max_retries=1,
    )


def make_chat_model(
    preset: str,
    cache_dir: Path,
    max_new_tokens: int,
    openai_base_url: str | None = None,
    openai_api_key: str | None = None,
) -> BaseChatModel:
    if preset.startswith(OPENAI_PREFIX):
        if not openai_base_url:
            raise ValueError(f"{preset!r} needs EASEL_OPENAI_BASE_URL, e.g. http://127.0.0.1:8000/v1")
        return openai_compatible_chat_model(
            openai_base_url, preset[len(OPENAI_PREFIX) :], openai_api_key, max_tokens=max_new_tokens
        )
    from models.chat_local import LocalChatModel

    return LocalChatModel(preset=preset, cache_dir=cache_dir, max_new_tokens=max_new_tokens)
