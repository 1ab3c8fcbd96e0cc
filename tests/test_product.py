"""What a person (or a program) gets from the whole product: chat model, policy gate and image
model together, through the real server."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from gradio_client import Client, handle_file
from PIL import Image

from models.chat_weights import EMBEDDED_ADAPTER_DIR
from models.image_backend import EMBEDDED_DIR
from tests.conftest import OPTED_OUT_ALIAS

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


def card_of(pictures: list) -> str:
    return pictures[0]["caption"] or ""


def test_draw_then_refine_keeps_lineage(server_url):
    client = Client(server_url, verbose=False)
    reply, pictures = ask(client, "draw a cat")
    assert len(pictures) == 1, reply
    first = Image.open(pictures[0]["image"])
    assert first.size[0] >= 256
    assert card_of(pictures).startswith("**img-1**")

    reply, pictures = ask(client, "make it blue")
    assert len(pictures) == 1, reply
    card = card_of(pictures)
    assert card.startswith("**img-2**") and "refined from img-1" in card


def test_ten_concurrent_sessions_each_get_only_their_own_pictures(server_url):
    subjects = ["cat", "dog", "rocket", "pizza", "tree", "house", "star", "fish", "car", "flower"]

    def session(subject: str) -> tuple[str, list[str]]:
        client = Client(server_url, verbose=False)
        _, drawn = ask(client, f"draw a {subject}")
        _, refined = ask(client, "make it green")
        return subject, [card_of(drawn), card_of(refined)]

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(session, subjects))
    for subject, cards in results:
        assert cards[0].startswith("**img-1**") and subject in cards[0]
        assert cards[1].startswith("**img-2**") and "refined from img-1" in cards[1]
        others = [s for s in subjects if s != subject and not re.search(rf"\b{s}\b", subject)]
        assert not any(re.search(rf"\b{o}\b", cards[1]) for o in others), cards


def test_an_opted_out_person_is_refused_with_an_alternative(server_url):
    reply, pictures = ask(Client(server_url, verbose=False), f"draw {OPTED_OUT_ALIAS} walking a dog in the park")
    assert pictures == []
    assert "asked not to be depicted" in reply or "opt" in reply.lower(), reply


def test_refining_when_there_is_no_picture_says_so(server_url):
    reply, pictures = ask(Client(server_url, verbose=False), "make it blue")
    assert pictures == []
    assert "no picture in this conversation yet" in reply, reply


def test_a_picture_from_another_session_cannot_be_edited(server_url):
    owner = Client(server_url, verbose=False)
    ask(owner, "draw a lighthouse")
    stranger = Client(server_url, verbose=False)
    reply, pictures = ask(stranger, "take img-1 and make it red")
    assert pictures == []
    assert "img-1" in reply or "no picture" in reply.lower(), reply


def test_uploaded_pictures_can_be_refined(server_url, tmp_path):
    path = tmp_path / "square.png"
    Image.new("RGB", (64, 64), (200, 40, 40)).save(path)
    client = Client(server_url, verbose=False)
    reply, pictures = ask(client, "", [handle_file(str(path))])
    assert "img-1" in reply
    reply, pictures = ask(client, "make it blue")
    assert len(pictures) == 1 and "refined from img-1" in card_of(pictures), reply


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "couldn't use"),
        ("notes.txt", b"just some text", "couldn't use"),
    ],
)
def test_bad_uploads_get_clear_messages(server_url, tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    client = Client(server_url, verbose=False)
    reply, pictures = ask(client, "make it blue", [handle_file(str(path))])
    assert pictures == [] and expected in reply, reply
    assert ask(client, "Hello!")[0].strip()  # the session still works


def test_a_decompression_bomb_is_refused(server_url, tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000)).save(path)  # tiny file, 400 million pixels
    reply, pictures = ask(Client(server_url, verbose=False), "make it blue", [handle_file(str(path))])
    assert pictures == [] and "couldn't use" in reply, reply
