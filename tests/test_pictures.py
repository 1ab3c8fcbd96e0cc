"""The Studio's own guarantees, whatever the chat model asks for."""

from __future__ import annotations

import pytest

from chat.pictures import Studio
from chat.session import ChatSession

pytestmark = pytest.mark.slow  # loads the policy agent's embedding model and the image model


def test_an_unknown_or_foreign_picture_id_gets_a_clear_message(tmp_path):
    # generator/editor None: reaching the image model at all would crash this test.
    studio = Studio(policy_agent=None, generator=None, editor=None, image_dir=tmp_path)
    outcome = studio.edit(ChatSession(), "img-1", "make it red")
    assert outcome.picture is None and not outcome.refused
    assert "There is no picture 'img-1' in this conversation" in outcome.text
    assert "no pictures here yet" in outcome.text and "draw one first" in outcome.text


def test_an_edit_before_any_picture_says_there_is_none_yet(tmp_path):
    studio = Studio(policy_agent=None, generator=None, editor=None, image_dir=tmp_path)
    for image_id in ("none", "", None, "latest"):
        outcome = studio.edit(ChatSession(), image_id, "make it blue")
        assert outcome.picture is None and not outcome.refused
        assert outcome.text == "There is no picture in this conversation yet — ask me to draw one first."


def test_a_missing_id_next_to_real_pictures_lists_them(tmp_path):
    from chat.training.routing_data import session_from_history

    session = session_from_history(
        [{"role": "user", "content": "draw a kite"}, {"role": "assistant", "content": "Here it is.", "image": True}]
    )
    studio = Studio(policy_agent=None, generator=None, editor=None, image_dir=tmp_path)
    outcome = studio.edit(session, "img-4", "make it red")
    assert outcome.picture is None
    assert "There is no picture 'img-4' in this conversation (pictures here: img-1)" in outcome.text
