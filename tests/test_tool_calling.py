"""Tool calls as text (the embedded model's format) and through an OpenAI-compatible server."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from chat.assistant import Assistant
from chat.session import ChatSession
from chat.tools import IMAGE_TOOLS
from models.chat_backends import make_chat_model
from models.tool_calling import MalformedToolCall, describe_tools, format_tool_call, parse_tool_calls
from tests.openai_server import ScriptedOpenAIServer, tool_call

KNOWN = {"generate_image", "edit_image"}


def test_format_and_parse_round_trip():
    text = format_tool_call("edit_image", {"image_id": "img-2", "instruction": "make it blue"})
    plain, calls = parse_tool_calls(text, KNOWN)
    assert plain == ""
    assert calls[0]["name"] == "edit_image"
    assert calls[0]["args"] == {"image_id": "img-2", "instruction": "make it blue"}


@pytest.mark.parametrize(
    "text",
    [
        '<tool_call>{"name": "generate_image", "arguments": {"prompt": "a kite"}}',  # no closing tag
        '<tool_call>{"name": "generate_image", "arguments": {"prompt": "a kite"}</tool_call>',  # brace missing
        "<tool_call>{'name': 'generate_image', 'arguments': {'prompt': 'a kite'}}</tool_call>",  # single quotes
        '<tool_call>{"name": "generate_image", "parameters": {"prompt": "a kite"}}</tool_call>',
    ],
)
def test_common_small_model_slips_are_repaired(text):
    _, calls = parse_tool_calls(text, KNOWN)
    assert calls[0]["args"] == {"prompt": "a kite"}


@pytest.mark.parametrize(
    "text", ['<tool_call>{"name": "delete_everything", "arguments": {}}</tool_call>', "<tool_call>not json at all"]
)
def test_unreadable_calls_are_reported_not_guessed(text):
    with pytest.raises(MalformedToolCall):
        parse_tool_calls(text, KNOWN)


def test_tool_descriptions_come_from_the_typed_functions():
    description = describe_tools([convert_to_openai_tool(t) for t in IMAGE_TOOLS])
    assert "generate_image(prompt, seed?)" in description
    assert "edit_image(image_id, instruction, strength?, seed?)" in description
    assert format_tool_call("generate_image", {"prompt": "..."}) in description


def test_openai_compatible_backend_calls_tools_over_http():
    with ScriptedOpenAIServer([{"tool_calls": [tool_call("generate_image", '{"prompt": "a kite"}')]}]) as server:
        model = make_chat_model("openai:test-model", cache_dir=None, max_new_tokens=64, openai_base_url=server.base_url)
        answer = model.bind_tools(IMAGE_TOOLS).invoke([HumanMessage("draw a kite")])
    assert answer.tool_calls[0]["name"] == "generate_image"
    assert answer.tool_calls[0]["args"] == {"prompt": "a kite"}
    sent = server.requests[0]
    assert sent["model"] == "test-model"
    assert {t["function"]["name"] for t in sent["tools"]} == KNOWN
    assert "turn" not in sent["tools"][0]["function"]["parameters"]["properties"]  # injected, never shown


def test_openai_compatible_backend_streams_text():
    with ScriptedOpenAIServer([{"content": "Hello there, friend."}]) as server:
        model = make_chat_model("openai:m", cache_dir=None, max_new_tokens=64, openai_base_url=server.base_url)
        chunks = [c.content for c in model.stream([HumanMessage("hi")])]
    assert len([c for c in chunks if c]) >= 3
    assert "".join(chunks).strip() == "Hello there, friend."


def test_a_malformed_tool_call_is_sent_back_and_the_turn_recovers(tmp_path):
    from chat.pictures import Studio

    replies = [
        {"tool_calls": [tool_call("generate_image", "{prompt: a kite]")]},  # not JSON at all
        {"content": "Sorry, could you tell me more about the kite?"},
    ]
    with ScriptedOpenAIServer(replies) as server:
        model = make_chat_model("openai:m", cache_dir=None, max_new_tokens=64, openai_base_url=server.base_url)
        studio = Studio(policy_agent=None, generator=None, editor=None, image_dir=tmp_path)
        session = ChatSession()
        replies_seen = list(Assistant(model, studio).reply(session, "draw a kite"))
    assert replies_seen[-1].final and not replies_seen[-1].error
    assert replies_seen[-1].text == "Sorry, could you tell me more about the kite?"
    assert len(server.requests) == 2
    feedback = server.requests[1]["messages"][-1]["content"]
    assert "could not be read" in feedback
    assert [m.type for m in session.messages] == ["human", "ai"]


class _BrokenPolicy:
    def check(self, request):
        raise RuntimeError("the policy database is gone")


def test_when_the_policy_agent_fails_no_picture_is_made(tmp_path):
    from chat.pictures import Studio

    with ScriptedOpenAIServer([{"tool_calls": [tool_call("generate_image", '{"prompt": "a kite"}')]}]) as server:
        model = make_chat_model("openai:m", cache_dir=None, max_new_tokens=64, openai_base_url=server.base_url)
        # generator=None: drawing anything would crash the test, so reaching it would be caught.
        studio = Studio(policy_agent=_BrokenPolicy(), generator=None, editor=None, image_dir=tmp_path)
        session = ChatSession()
        last = list(Assistant(model, studio).reply(session, "draw a kite"))[-1]
    assert last.final and last.outcomes[0].refused
    assert "policy" in last.text.lower()
    assert session.pictures == {} and not any(tmp_path.iterdir())


def test_an_edit_with_no_picture_is_answered_in_the_chat_and_kept_in_the_history(tmp_path):
    from chat.pictures import Studio

    call = tool_call("edit_image", '{"image_id": "none", "instruction": "make it blue"}')
    with ScriptedOpenAIServer([{"tool_calls": [call]}]) as server:
        model = make_chat_model("openai:m", cache_dir=None, max_new_tokens=64, openai_base_url=server.base_url)
        studio = Studio(policy_agent=None, generator=None, editor=None, image_dir=tmp_path)
        session = ChatSession()
        last = list(Assistant(model, studio).reply(session, "make it blue"))[-1]
    assert last.final and not last.outcomes[0].refused
    assert last.text == "There is no picture in this conversation yet — ask me to draw one first."
    assert [m.type for m in session.messages] == ["human", "ai"]
    assert session.messages[0].content == "make it blue" and session.messages[1].content == last.text
    assert session.pictures == {} and not any(tmp_path.iterdir())
