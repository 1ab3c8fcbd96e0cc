"""Edits through the `chat` endpoint, as a program (or a person) sends them: the chat model
routes the message, the Studio edits exactly, and the returned picture is judged on its pixels."""

from __future__ import annotations

import pytest
from gradio_client import Client, handle_file
from PIL import Image

from chat.training.edit_eval import judge
from models.chat_weights import EMBEDDED_ADAPTER_DIR
from models.image_backend import EMBEDDED_DIR
from tests.test_scene_edits import FONT, emoji_picture

pytestmark = [
    pytest.mark.slow,  # loads the served app and its models
    pytest.mark.skipif(
        not (EMBEDDED_ADAPTER_DIR / "adapter_config.json").is_file()
        or not (EMBEDDED_DIR / "model_index.json").is_file(),
        reason="the embedded routing adapter or image model is not trained yet",
    ),
]


def ask(client: Client, text: str, files: list | None = None) -> tuple[str, list]:
    reply, pictures = client.predict({"text": text, "files": files or []}, api_name="/chat")
    return reply, pictures or []


def picture(pictures: list) -> Image.Image:
    return Image.open(pictures[0]["image"]).convert("RGB")


@pytest.mark.parametrize(
    "subject, words, kind, target",
    [
        ("cat", "make it blue", "recolour", "blue"),
        ("apple", "make it bigger", "bigger", None),
        ("rocket", "make it smaller", "smaller", None),
        ("fish", "make the background yellow", "background", "yellow"),
        ("house", "move it to the left", "move", "left"),
        ("tree", "mach es kleiner", "smaller", None),  # the chat model alone draws this one anew
    ],
)
def test_draw_then_edit(server_url, subject, words, kind, target):
    client = Client(server_url, verbose=False)
    reply, drawn = ask(client, f"draw a {subject}")
    assert len(drawn) == 1, reply
    reply, edited = ask(client, words)
    assert len(edited) == 1, reply
    assert judge(kind, target, picture(drawn), picture(edited)), (words, reply)
    card = edited[0]["caption"]
    assert card.startswith("**img-2**") and "refined from img-1" in card, card


def test_add_a_hat_puts_a_second_subject_in(server_url):
    client = Client(server_url, verbose=False)
    ask(client, "draw a cat")
    reply, edited = ask(client, "add a hat")
    assert len(edited) == 1, reply
    assert "added a hat" in edited[0]["caption"] and "added a hat" in reply


def test_go_back_after_an_edit(server_url):
    client = Client(server_url, verbose=False)
    _, drawn = ask(client, "draw a banana")
    ask(client, "make it purple")
    reply, back = ask(client, "go back")
    assert len(back) == 1, reply
    assert judge("undo", None, picture(drawn), picture(back), reference=picture(drawn)), reply


@pytest.mark.skipif(not FONT.exists(), reason="fonts-noto-color-emoji is not installed")
def test_an_uploaded_red_apple_told_make_it_blue_turns_blue(server_url, tmp_path):
    path = tmp_path / "apple.png"
    emoji_picture("🍎", size=320).save(path)
    client = Client(server_url, verbose=False)
    reply, _ = ask(client, "", [handle_file(str(path))])
    reply, edited = ask(client, "make it blue")
    assert len(edited) == 1, reply
    assert judge("recolour", "blue", Image.open(path), picture(edited)), reply
