"""Edits through the Studio with the real pipeline: the policy gate, the embedded image model,
and the exact editor; every result judged on its pixels by the evaluation's own measures."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from chat.pictures import Studio
from chat.session import ChatSession
from chat.training.edit_eval import judge, mean_difference, measure
from models.image_backend import EMBEDDED_DIR
from tests.test_scene_edits import FONT, emoji_picture

pytestmark = [
    pytest.mark.slow,  # loads the embedded image model
    pytest.mark.skipif(not (EMBEDDED_DIR / "model_index.json").is_file(), reason="no embedded image model"),
]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    from chat.settings import Settings
    from tests.conftest import MODEL_CACHE

    settings = Settings(data_dir=tmp_path_factory.mktemp("edits-data"), EASEL_MODEL_CACHE_DIR=MODEL_CACHE)
    return Studio.from_settings(settings)


@pytest.fixture(scope="module")
def drawn(studio):
    """A drawing of an apple (seed fixed), and the session that holds it."""
    session = ChatSession()
    session.add_user("draw an apple")
    outcome = studio.generate(session, "an apple", seed=7)
    assert outcome.picture is not None, outcome.text
    return outcome.picture


def fresh(picture) -> ChatSession:
    from dataclasses import replace

    session = ChatSession()
    session.add_user("draw an apple")
    session.add_picture(replace(picture, scene=None))
    return session


def edit(studio, session, words):
    session.add_user(words)
    outcome = studio.edit(session, session.current_picture_id, words)
    image = Image.open(outcome.picture.path).convert("RGB") if outcome.picture else None
    return outcome, image


@pytest.mark.parametrize(
    "words, kind, target",
    [
        ("make it blue", "recolour", "blue"),
        ("hazlo verde", "recolour", "green"),
        ("make it bigger", "bigger", None),
        ("make it smaller", "smaller", None),
        ("make the background yellow", "background", "yellow"),
        ("move it to the left", "move", "left"),
        ("put it in the top right corner", "move", "top right corner"),
    ],
)
def test_an_edit_does_what_it_says(studio, drawn, words, kind, target):
    before = Image.open(drawn.path).convert("RGB")
    outcome, after = edit(studio, fresh(drawn), words)
    assert after is not None, outcome.text
    assert judge(kind, target, before, after), (words, measure(before), measure(after))
    picture = outcome.picture
    # Same seed, lineage, and a card that says what changed.
    assert picture.seed == drawn.seed and picture.parent_id == drawn.id and picture.change
    assert picture.change in outcome.reply


def test_the_card_says_what_changed(studio, drawn):
    from chat.web import picture_card

    outcome, _ = edit(studio, fresh(drawn), "make it purple")
    card = picture_card(outcome.picture)
    assert card.startswith("**img-2**") and "refined from img-1" in card and "recoloured to purple" in card


def test_go_back_returns_the_picture_before(studio, drawn):
    session = fresh(drawn)
    before = Image.open(drawn.path).convert("RGB")
    _, blue = edit(studio, session, "make it blue")
    _, bigger = edit(studio, session, "make it bigger")
    outcome, back = edit(studio, session, "go back")
    assert mean_difference(blue, back) < 1.0 and outcome.picture.change == "back to img-2"
    _, back_again = edit(studio, session, "undo")
    assert mean_difference(before, back_again) < 1.0
    outcome, nothing = edit(studio, session, "go back")
    assert nothing is None and "nothing earlier" in outcome.text


def test_add_a_second_subject_then_remove_it(studio, drawn):
    session = fresh(drawn)
    before = Image.open(drawn.path).convert("RGB")
    outcome, added = edit(studio, session, "add a dog next to it")
    assert added is not None, outcome.text
    assert judge("add", "dog", before, added) and "added a dog" in outcome.picture.change
    outcome, removed = edit(studio, session, "remove the dog")
    assert judge("remove", "dog", added, removed, reference=before), outcome.text


def test_what_the_model_cannot_do_is_said_plainly(studio, drawn):
    outcome, image = edit(studio, fresh(drawn), "make it look happier")
    assert image is None and "can't make that change" in outcome.text and "colour" in outcome.text


def test_the_users_own_words_count_when_the_instruction_is_garbled(studio, drawn):
    session = fresh(drawn)
    session.add_user("make it red please")
    outcome = studio.edit(session, "img-1", "it")
    assert outcome.picture is not None and outcome.picture.change == "recoloured to red"


@pytest.mark.skipif(not FONT.exists(), reason="fonts-noto-color-emoji is not installed")
def test_an_uploaded_red_apple_turns_blue(studio):
    session = ChatSession()
    upload = studio.add_upload(session, emoji_picture("🍎", size=300), "an uploaded picture")
    outcome, after = edit(studio, session, "make it blue")
    assert after is not None, outcome.text
    assert judge("recolour", "blue", Image.open(upload.path), after)
    assert outcome.picture.parent_id == upload.id


def test_an_uploaded_photo_is_refused_plainly(studio):
    rng = np.random.default_rng(1)
    photo = Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8))
    session = ChatSession()
    studio.add_upload(session, photo, "an uploaded picture")
    outcome, after = edit(studio, session, "make it blue")
    assert after is None and "plain background" in outcome.text


def test_regenerating_an_edited_picture_redraws_and_makes_the_same_changes(studio, drawn):
    session = fresh(drawn)
    edit(studio, session, "make it blue")
    edit(studio, session, "move it to the right")
    outcome = studio.regenerate(session, session.current_picture_id)
    assert outcome.picture is not None, outcome.text
    new = Image.open(outcome.picture.path).convert("RGB")
    first = session.pictures[outcome.picture.applied_to]
    first = session.pictures[first.applied_to]
    assert first.seed != drawn.seed and first.parent_id is None  # drawn again with a new seed
    assert judge("recolour", "blue", Image.open(first.path), new) and outcome.picture.change.startswith(
        "moved to the right"
    )
