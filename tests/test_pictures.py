"""The Studio's own guarantees, whatever the chat model asks for."""

from __future__ import annotations

from chat.pictures import Studio
from chat.session import ChatSession


def test_an_unknown_or_foreign_picture_id_gets_a_clear_message(tmp_path):
    # generator/editor None: reaching the image model at all would crash this test.
    studio = Studio(policy_agent=None, generator=None, editor=None, image_dir=tmp_path)
    outcome = studio.edit(ChatSession(), "img-1", "make it red")
    assert outcome.picture is None and not outcome.refused
    assert "There is no picture 'img-1' in this conversation" in outcome.text
    assert "none yet" in outcome.text
