"""The chat model never refuses by itself, never prints its tools, and says truthfully what Easel
can do: the checks in chat/answer_guard.py and how the assistant uses them. (A scripted stand-in
plays the chat model here, so the assistant's own rules are what is tested; tests/test_routing.py
and the browser test run the real model.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from chat.answer_guard import (
    I_DONT_KNOW,
    asks_for_a_picture,
    capabilities_answer,
    is_capability_question,
    looks_like_refusal,
    shows_tool_syntax,
)
from chat.assistant import REFUSED_IN_HISTORY, Assistant, here_is
from chat.pictures import PictureOutcome
from chat.session import ChatSession, PictureRecord

# What the shipped 135M model wrote before this guard, after refusals earlier in the conversation.
FAKE_REFUSALS = [
    "I can't make this image. Rule: No hateful or demeaning content. Why: the request demeans a group.",
    "I can make any image that does not teach anything dangerous, for example a friendly robot instead.",
    "Sorry, I can't draw that for you.",
    "I'm sorry, but I cannot create images of zombies.",
    "That request violates the safety policy.",
    "Not drawn: the safety check refused that picture.",
    "I won’t depict this person: they have asked not to be depicted.",
]
HONEST_ANSWERS = [
    "The capital of Spain is Madrid.",
    "Here's a friendly robot. Want any changes?",
    "Hello! How can I help?",
    "I can't wait to see what you make!",
    "I cannot browse the internet, but Paris is the capital of France.",
    "Tom Hanks is an American actor.",
    "To draw a horse, start with circles for the body.",
]


@pytest.mark.parametrize("text", FAKE_REFUSALS)
def test_refusals_written_by_the_chat_model_are_recognised(text):
    assert looks_like_refusal(text)


@pytest.mark.parametrize("text", HONEST_ANSWERS)
def test_ordinary_answers_are_not_taken_for_refusals(text):
    assert not looks_like_refusal(text) and not shows_tool_syntax(text)


@pytest.mark.parametrize(
    "text",
    [
        "You can call generate_image(prompt, seed?) to draw.",
        '<tool_call>{"name": "edit_image", "arguments": {}}</tool_call>',
        "- edit_image(image_id, instruction, strength?, seed?): Change a picture",
    ],
)
def test_tool_definitions_in_an_answer_are_recognised(text):
    assert shows_tool_syntax(text)


@pytest.mark.parametrize(
    "message",
    [
        "what can you do?",
        "What can you draw",
        "hi, what can you do?",
        "what are you able to do?",
        "what kind of pictures can you make?",
        "who are you?",
        "help",
        "¿qué puedes hacer?",
        "que peux-tu faire ?",
        "was kannst du?",
        "cosa sai fare?",
        "o que você pode fazer?",
    ],
)
def test_questions_about_what_easel_can_do(message):
    assert is_capability_question(message)


@pytest.mark.parametrize(
    "message",
    [
        "can you draw a cat?",
        "what can you do with this picture? make it blue",
        "what is the capital of France?",
        "draw what you can",
        "help me write a poem",
    ],
)
def test_other_messages_are_not_questions_about_abilities(message):
    assert not is_capability_question(message)


@pytest.mark.parametrize(
    "message, wanted",
    [
        ("draw a zombie for my horror game", True),
        ("can you paint a sunset?", True),
        ("dibuja un perro", True),
        ("a poster of a cat", True),
        ("who is Tom Hanks?", False),
        ("how do I draw a horse?", False),
        ("what is the capital of Peru?", False),
        ("how about a picture of a fox?", True),
    ],
)
def test_requests_for_a_picture(message, wanted):
    assert asks_for_a_picture(message) is wanted


class FakeGenerator:
    kind = "embedded"

    def concept_index(self):
        return list(range(1325))


class FakeStudio:
    generator = FakeGenerator()


def test_the_capabilities_answer_is_the_deployments_own_and_names_no_tool():
    text = capabilities_answer(FakeStudio(), "embedded")
    assert not shows_tool_syntax(text)
    assert "emoji-style" in text and "1,325" in text and "CPU" in text
    assert "anything" not in text.lower()


class Scripted(BaseChatModel):
    """A chat model that gives its answers in order, one a call, and records what it was sent."""

    answers: list
    sent: list = []
    preset: str | None = None  # "embedded" plays the shipped small model

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        self.sent.append(list(messages))
        return ChatResult(generations=[ChatGeneration(message=self.answers.pop(0))])

    def bind_tools(self, tools, **kwargs):
        return self


class RefusingStudio:
    """Refuses prompts with "blood" in them, draws the rest (no pixels: a record is enough)."""

    generator = FakeGenerator()

    def __init__(self):
        self.calls = []

    def knows_by_name(self, session, description, *, one_subject=False):
        return False  # every drawing is the chat model's to route here, as with a hub image model

    def generate(self, session, prompt, **kwargs):
        from policy.agent import Decision

        self.calls.append(prompt)
        if "blood" in prompt:
            decision = Decision(False, "graphic_gore", "gore", {}, "I can't make this image. Rule: No gore.", "a ghost")
            return PictureOutcome(decision.message, decision=decision)
        picture = PictureRecord(
            session.next_picture_id(), None, prompt, 1, "embedded", 20, None, "d", Path("x.png"), 0.1
        )
        session.add_picture(picture)
        return PictureOutcome(f"Picture {picture.id} is ready: {prompt}.", picture=picture)

    def edit(self, session, image_id, instruction, **kwargs):
        self.calls.append(("edit", image_id, instruction))
        return PictureOutcome("There is no picture in this conversation yet — ask me to draw one first.")


def draws(prompt: str) -> AIMessage:
    return AIMessage(
        content="", tool_calls=[{"name": "generate_image", "args": {"prompt": prompt}, "id": "c", "type": "tool_call"}]
    )


def ask(assistant: Assistant, session: ChatSession, message: str):
    replies = list(assistant.reply(session, message))
    return replies[-1]


def test_after_two_refusals_a_text_refusal_of_an_allowed_request_becomes_a_drawing():
    studio = RefusingStudio()
    model = Scripted(
        answers=[
            draws("a body in blood"),
            draws("a man with blood"),
            AIMessage(content="I can't make this image. Rule: No gore. I can make a ghost instead."),
            AIMessage(content="Here is a zombie."),
        ],
        sent=[],
    )
    assistant, session = Assistant(model, studio), ChatSession()
    assert ask(assistant, session, "draw a body in blood").outcomes[0].refused
    assert ask(assistant, session, "draw a man with blood").outcomes[0].refused
    reply = ask(assistant, session, "draw a zombie for my horror game")
    assert studio.calls[-1] == "draw a zombie for my horror game"
    assert reply.outcomes[0].picture is not None
    # The model's history keeps a neutral line for each refusal, not the refusal's own words.
    said = [m.content for m in session.messages if m.type == "ai"]
    assert said[:2] == [REFUSED_IN_HISTORY, REFUSED_IN_HISTORY]
    assert not any("Rule:" in m.content for m in model.sent[-1])


def test_a_question_answered_with_a_refusal_is_asked_again_without_the_history():
    model = Scripted(
        answers=[
            AIMessage(content="I'm sorry, but I can't depict this person."),
            AIMessage(content="Tom Hanks is an American actor."),
        ],
        sent=[],
    )
    session = ChatSession()
    session.add_user("draw a man with blood")
    session.add_assistant(REFUSED_IN_HISTORY)
    reply = ask(Assistant(model, RefusingStudio()), session, "who is Tom Hanks?")
    assert reply.text == "Tom Hanks is an American actor." and not reply.outcomes
    assert [m.type for m in model.sent[-1]] == ["system", "human"]


def test_tool_syntax_twice_becomes_a_plain_i_dont_know():
    model = Scripted(
        answers=[
            AIMessage(content="I can call generate_image(prompt, seed?) for you."),
            AIMessage(content="Use edit_image(image_id, instruction)."),
        ],
        sent=[],
    )
    reply = ask(Assistant(model, RefusingStudio()), ChatSession(), "tell me a fun fact")
    assert reply.text == I_DONT_KNOW


def test_what_can_you_do_is_answered_from_the_deployment_without_asking_the_model():
    model = Scripted(answers=[], sent=[])
    reply = ask(Assistant(model, RefusingStudio()), ChatSession(), "what can you do?")
    assert "emoji-style" in reply.text and not shows_tool_syntax(reply.text)
    assert model.sent == []


def test_a_drawing_request_taken_for_an_edit_with_no_picture_is_drawn_through_the_gate():
    edit = AIMessage(
        content="",
        tool_calls=[
            {"name": "edit_image", "args": {"image_id": "none", "instruction": "x"}, "id": "c", "type": "tool_call"}
        ],
    )
    studio = RefusingStudio()
    reply = ask(Assistant(Scripted(answers=[edit], sent=[]), studio), ChatSession(), "draw a man covered in blood")
    assert studio.calls == ["draw a man covered in blood"] and reply.outcomes[0].refused


def test_an_edit_with_no_picture_still_says_there_is_none():
    edit = AIMessage(
        content="",
        tool_calls=[
            {
                "name": "edit_image",
                "args": {"image_id": "none", "instruction": "purple"},
                "id": "c",
                "type": "tool_call",
            }
        ],
    )
    studio = RefusingStudio()
    ask(Assistant(Scripted(answers=[edit], sent=[]), studio), ChatSession(), "make it look like a sunset")
    assert studio.calls == [("edit", "none", "purple")]


class Streams(BaseChatModel):
    """Streams a long answer word by word; presses Stop (on `session`) after `stop_after` words."""

    session: object = None
    stop_after: int = 10**6

    @property
    def _llm_type(self) -> str:
        return "streams"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="once upon a time " * 50))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        from langchain_core.messages import AIMessageChunk
        from langchain_core.outputs import ChatGenerationChunk

        for number, word in enumerate(("once upon a time " * 50).split()):
            if number == self.stop_after:
                self.session.stop_turns()
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))

    def bind_tools(self, tools, **kwargs):
        return self


def test_stop_ends_the_answer_in_progress_and_the_next_turn_runs_in_full():
    from chat.assistant import STOPPED_IN_HISTORY

    session = ChatSession()
    model = Streams(session=session, stop_after=20)
    assistant = Assistant(model, RefusingStudio())
    stopped = ask(assistant, session, "tell me a long story")
    assert stopped.final and len(stopped.text.split()) <= 21
    assert session.messages[-1].content == STOPPED_IN_HISTORY
    model.stop_after = 10**6
    assert len(ask(assistant, session, "tell me another story").text.split()) == 200


@pytest.mark.parametrize(
    "message, prompt, sent",
    [
        ("draw a bloody horror scene with a zombie", "a bloody horror scene", "a bloody horror scene with a zombie"),
        ("can you paint a fox in the snow?", "a fox", "a fox in the snow"),
        ("draw a cat and then tell me a joke", "a cat", "a cat"),
        ("draw a dog. Also, what time is it?", "a dog", "a dog"),
        ("draw a red apple", "a red apple", "a red apple"),
    ],
)
def test_a_drawing_prompt_cut_short_gets_the_rest_of_the_description(message, prompt, sent):
    studio = RefusingStudio()
    ask(
        Assistant(Scripted(answers=[draws(prompt), AIMessage(content="Here it is.")], sent=[]), studio),
        ChatSession(),
        message,
    )
    assert studio.calls == [sent]


def test_under_a_new_picture_the_embedded_model_is_not_asked_again():
    """The embedded chat model only decides to draw; the sentence under the picture is the
    Studio's (a second model call for "Here's a cat." was a second of every send -> picture).
    A larger model is still asked for its answer (the next test)."""
    model = Scripted(answers=[draws("a red apple"), draws("sunflowers")], sent=[], preset="embedded")
    assistant, session = Assistant(model, RefusingStudio()), ChatSession()
    reply = ask(assistant, session, "draw a red apple")
    assert reply.outcomes[0].picture is not None
    assert reply.text == "Here is a red apple."
    assert len(model.sent) == 1  # the routing decision only
    assert ask(assistant, session, "paint sunflowers").text == "Here is your picture of sunflowers."
    assert [m.content for m in session.messages if m.type == "ai"][-1].startswith("Here is your picture of sunflowers.")


def test_a_larger_model_writes_the_answer_under_its_picture():
    model = Scripted(answers=[draws("a red apple"), AIMessage(content="A shiny red apple, as asked.")], sent=[])
    assistant, session = Assistant(model, RefusingStudio()), ChatSession()
    reply = ask(assistant, session, "draw a red apple")
    assert reply.text == "A shiny red apple, as asked."
    assert len(model.sent) == 2


@pytest.mark.parametrize(
    "prompt, concept, sentence",
    [
        ("a red apple", "🍎 red apple", "Here is a red apple."),
        ("sunflowers", "🌻 sunflower", "Here is your picture of sunflowers."),
        ("a golden retriever", "🐕 dog", "Here is a golden retriever, drawn as 🐕 dog."),
        ("a cat next to a rocket", "🐈 cat + 🚀 rocket", "Here is a cat next to a rocket."),
        ("a kite", None, "Here is a kite."),  # a hub model reads the words themselves
        ("고양이 그려줘", "🐈 cat", "Here is your picture, drawn as 🐈 cat."),  # not "your picture of 고양이 그려줘"
        ("画一只狗", None, "Here is your picture."),
    ],
)
def test_the_sentence_under_a_picture_says_when_the_model_drew_its_nearest_concept(prompt, concept, sentence):
    assert here_is(prompt, concept) == sentence
