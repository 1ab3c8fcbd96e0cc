"""A message that is wholly an edit goes straight to the edit tool, and a plain request for a
drawing of something the image model knows by name straight to the image tool (the small chat
model is not asked); everything else is the chat model's to decide. (The model here is a stand-in
that always makes the same choice, so the assistant's own rule is what is tested; the last tests
ask the shipped image model what it knows.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from chat.assistant import Assistant
from chat.pictures import PictureOutcome
from chat.session import ChatSession, PictureRecord


class AlwaysChooses(BaseChatModel):
    """A chat model that answers every turn with the same message (a tool call or text)."""

    answer: AIMessage

    @property
    def _llm_type(self) -> str:
        return "always-chooses"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        return ChatResult(generations=[ChatGeneration(message=self.answer)])

    def bind_tools(self, tools, **kwargs):
        return self


class RecordingStudio:
    def __init__(self, knows: tuple[str, ...] = ()):
        self.calls = []
        self.knows = knows  # the descriptions its image model reads by name

    def knows_by_name(self, session, description, *, one_subject=False):
        return description in self.knows

    def generate(self, session, prompt, **kwargs):
        self.calls.append(("generate", prompt))
        return PictureOutcome("drawn")

    def edit(self, session, image_id, instruction, **kwargs):
        self.calls.append(("edit", image_id, instruction))
        return PictureOutcome("edited")


def draws(prompt: str) -> AIMessage:
    return AIMessage(
        content="", tool_calls=[{"name": "generate_image", "args": {"prompt": prompt}, "id": "c1", "type": "tool_call"}]
    )


def session_with_a_picture() -> ChatSession:
    session = ChatSession()
    session.add_user("draw a cat")
    session.add_picture(PictureRecord("img-1", None, "a cat", 1, "embedded", 20, None, "", Path("x.png"), 0.1))
    session.add_assistant("Here is a cat.", picture_id="img-1")
    return session


def run(answer: AIMessage, message: str, session: ChatSession | None = None, knows: tuple[str, ...] = ()) -> list:
    studio = RecordingStudio(knows)
    assistant = Assistant(AlwaysChooses(answer=answer), studio)
    for _ in assistant.reply(session or session_with_a_picture(), message):
        pass
    return studio.calls


@pytest.mark.parametrize(
    "message",
    [
        "add a hat",
        "mach es kleiner",
        "make it blue",
        "move it to the left",
        "hazlo más oscuro",
        "go back",
        "draw a hat on it",
        "dessine un chapeau dessus",
    ],
)
def test_a_plain_edit_goes_to_the_edit_tool_whatever_the_model_would_do(message):
    assert run(draws(message), message) == [("edit", "img-1", message)]


def test_a_plain_edit_answered_in_text_goes_to_the_edit_tool():
    assert run(AIMessage(content="Sure!"), "make it bigger") == [("edit", "img-1", "make it bigger")]


def test_an_edit_with_no_picture_goes_to_the_edit_tool_which_says_so():
    assert run(draws("blue"), "mach es blau", ChatSession()) == [("edit", "none", "mach es blau")]


@pytest.mark.parametrize(
    "message",
    [
        "now draw a red barn",
        "a dog on a beach",
        "draw a cat in a hat",
        "what colour is it?",
        "make it look happier",
        "go back to the first one and make it bigger",
        "make img-1 blue",
    ],
)
def test_new_drawings_and_other_requests_keep_the_models_choice(message):
    assert run(draws(message), message) == [("generate", message)]


def edits(instruction: str) -> AIMessage:
    return AIMessage(
        content="",
        tool_calls=[
            {
                "name": "edit_image",
                "args": {"image_id": "img-1", "instruction": instruction},
                "id": "c1",
                "type": "tool_call",
            }
        ],
    )


@pytest.mark.parametrize(
    "message", ["dibuja un gato en la playa", "zeichne einen Hund im Schnee", "draw a lighthouse at night"]
)
def test_a_new_drawing_the_model_took_for_an_edit_is_drawn(message):
    assert run(edits(message), message) == [("generate", message)]


@pytest.mark.parametrize("message", ["draw it again but bigger", "draw a hat on it", "draw a moustache on the cat"])
def test_a_drawing_word_with_a_change_or_about_the_picture_stays_an_edit(message):
    assert run(edits(message), message) == [("edit", "img-1", message)]


def test_talk_stays_talk():
    assert run(AIMessage(content="It is a cat."), "is it big?") == []


@pytest.mark.parametrize(
    "message",
    [
        "draw a red apple",
        "Can you paint a red apple?",
        "make me a picture of a red apple please",
        "ok, draw a red apple!",
    ],
)
def test_a_plain_drawing_of_a_subject_the_model_knows_goes_to_the_image_tool(message):
    # The stand-in would answer in text: the image tool is reached without asking it.
    assert run(AIMessage(content="Sure!"), message, ChatSession(), knows=("a red apple",)) == [
        ("generate", "a red apple")
    ]


@pytest.mark.parametrize(
    "message",
    [
        "draw a conclusion",  # a subject the image model does not know by name
        "draw it again",
        "draw me as a red apple",
        "draw a red apple, then tell me a joke",
        "dessine une pomme rouge",
        "how do I draw a red apple?",
    ],
)
def test_anything_more_than_a_plain_drawing_keeps_the_models_choice(message):
    assert run(AIMessage(content="Sure!"), message, ChatSession(), knows=("a red apple",)) == []


@pytest.fixture(scope="module")
def shipped_studio(tmp_path_factory):
    from chat.pictures import Studio
    from models.image_backend import ImageBackend

    return Studio(
        policy_agent=None,
        generator=ImageBackend.from_preset("embedded"),
        editor=None,
        image_dir=tmp_path_factory.mktemp("p"),
    )


@pytest.mark.parametrize(
    "description", ["a red apple", "the sun", "a big blue dog on a yellow background", "a cute puppy", "sunflowers"]
)
@pytest.mark.slow
def test_the_shipped_model_knows_plain_subjects_by_name(shipped_studio, description):
    assert shipped_studio.knows_by_name(ChatSession(), description)


@pytest.mark.parametrize(
    "description",
    ["a conclusion", "the line", "a golden retriever", "taylor swift", "a nude woman", "a bloody knife", "un chat"],
)
@pytest.mark.slow
def test_idioms_unknown_subjects_and_unread_words_are_not_known_by_name(shipped_studio, description):
    assert not shipped_studio.knows_by_name(ChatSession(), description)


@pytest.mark.slow
def test_a_second_subject_counts_only_before_there_are_pictures_to_edit(shipped_studio):
    assert shipped_studio.knows_by_name(session_with_a_picture(), "a dog")
    assert shipped_studio.knows_by_name(ChatSession(), "a dog and a cat")
    assert not shipped_studio.knows_by_name(session_with_a_picture(), "a dog and a cat", one_subject=True)


def test_a_plain_scene_of_several_subjects_goes_to_the_image_tool():
    scene = "a dog, a cat and a cow next to a red bicycle in the snow"
    assert run(AIMessage(content="Sure!"), f"draw {scene}", ChatSession(), knows=(scene,)) == [("generate", scene)]
