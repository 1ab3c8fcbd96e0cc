import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat.input_checks import InputError, clean_message


def test_plain_text_passes_unchanged():
    assert clean_message("  draw a cat\n", 100) == "draw a cat"


@pytest.mark.parametrize("empty", ["", "   \n\t", None, "\u200b\u200d"])
def test_empty_message_gets_a_clear_reply(empty):
    with pytest.raises(InputError, match="empty"):
        clean_message(empty, 100)


def test_too_long_message_names_both_lengths():
    with pytest.raises(InputError, match="100,000 characters.*4,000"):
        clean_message("a" * 100_000, 4000)


def test_binary_garbage_is_recognised():
    with pytest.raises(InputError, match="binary"):
        clean_message(bytes(range(256)) * 4, 4000)


def test_zero_width_and_bidi_characters_are_dropped():
    assert clean_message("hel\u200blo \u202eworld", 100) == "hello world"


def test_non_text_is_refused():
    with pytest.raises(InputError, match="text"):
        clean_message(12345, 100)


@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_any_input_is_either_clean_text_or_a_clear_error(raw):
    try:
        text = clean_message(raw, 250)
    except InputError as problem:
        assert str(problem)
        return
    assert text and text == text.strip()
    assert all(ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in text)
