"""How tool calls look in a chat model's text, both ways: tool descriptions into the prompt, and
`<tool_call>{json}</tool_call>` blocks out of the answer.

The format is the Hermes / Qwen one: models whose chat template knows tools (Qwen2.5 and most
hub instruct models) get the tools through their own template and answer in it; the embedded
SmolLM2 has no tool syntax of its own, so it gets a compact description in its system prompt and
is fine-tuned (`easel train chat-model`) to answer in the same format.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from langchain_core.messages.tool import ToolCall, tool_call
from langchain_core.utils.json import parse_partial_json

TOOL_CALL_OPEN = "<tool_call>"
TOOL_CALL_CLOSE = "</tool_call>"
_BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)


class MalformedToolCall(ValueError):
    """The model tried to call a tool but its call cannot be read."""


def describe_tools(tools: list[dict[str, Any]]) -> str:
    """A compact description of OpenAI-format tool schemas for a system prompt.

    One line a tool keeps the embedded model's prompt short (every prompt token is paid on CPU on
    every turn); the fine-tuning data is written with this same function.
    """
    lines = ["You can call these tools:"]
    for tool in tools:
        function = tool["function"]
        params = function.get("parameters", {}).get("properties", {})
        required = [name for name in params if name in set(function.get("parameters", {}).get("required", []))]
        signature = ", ".join(name if name in required else f"{name}?" for name in params)
        summary = (function.get("description") or "").strip().splitlines()[0]
        lines.append(f"- {function['name']}({signature}): {summary}")
    # One call written out per tool: besides showing the format, it lets prompt-lookup decoding
    # copy the whole fixed part of a call from the prompt instead of generating it token by token.
    lines.append("To call one, answer only with a call such as:")
    for tool in tools:
        function = tool["function"]
        params = function.get("parameters", {}).get("properties", {})
        required = [name for name in params if name in set(function.get("parameters", {}).get("required", []))]
        lines.append(format_tool_call(function["name"], {name: "..." for name in required}))
    lines.append("Otherwise answer in plain text.")
    return "\n".join(lines)


def format_tool_call(name: str, arguments: dict[str, Any]) -> str:
    return f"{TOOL_CALL_OPEN}{json.dumps({'name': name, 'arguments': arguments}, ensure_ascii=False)}{TOOL_CALL_CLOSE}"


def starts_like_tool_call(text: str) -> bool:
    """Whether a (possibly partial) answer is, or may still become, a tool call."""
    stripped = text.lstrip()
    return stripped.startswith(TOOL_CALL_OPEN) or TOOL_CALL_OPEN.startswith(stripped) and bool(stripped)


def parse_tool_calls(text: str, known_tools: set[str]) -> tuple[str, list[ToolCall]]:
    """Split a model's answer into its plain text and its tool calls (langchain `ToolCall` dicts).

    Small models get details wrong in predictable ways; what can be repaired without guessing is
    repaired here (a missing closing tag, brace or quote by langchain-core's `parse_partial_json`,
    single quotes, `parameters` for `arguments`).
    A call that still cannot be read raises MalformedToolCall so the caller can retry.
    """
    calls = []
    for raw in _BLOCK.findall(text):
        payload = _load_json(raw)
        name = payload.get("name")
        arguments = payload.get("arguments", payload.get("parameters", {}))
        if isinstance(arguments, str):
            arguments = _load_json(arguments)
        if name not in known_tools:
            raise MalformedToolCall(f"unknown tool {name!r}; known: {sorted(known_tools)}")
        if not isinstance(arguments, dict):
            raise MalformedToolCall(f"arguments of {name} are not an object")
        calls.append(tool_call(name=name, args=arguments, id=f"call_{uuid.uuid4().hex[:12]}"))
    plain = _BLOCK.sub("", text).strip()
    return plain, calls


def _load_json(raw: str) -> dict[str, Any]:
    for candidate in (raw, raw.replace("'", '"')):
        try:
            value = parse_partial_json(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    raise MalformedToolCall(f"tool call is not valid JSON: {raw[:200]!r}")
