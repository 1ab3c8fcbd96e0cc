"""What a user types, checked before it reaches any model.

Bad input gets a clear reply instead of a stack trace: empty messages, absurdly long ones, binary
garbage pasted or sent through the API, and invisible characters that would hide text from a
reader (zero-width and bidi controls are dropped here; the policy agent has its own normaliser).
"""

from __future__ import annotations

import unicodedata

# Categories of characters a person does not type: controls, format characters (zero-width,
# bidi overrides), surrogates, private use and unassigned code points.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_KEPT_CONTROLS = {"\n", "\t"}
# Above this share of invisible characters a message is binary data, not text with a stray byte.
_BINARY_SHARE = 0.2


class InputError(ValueError):
    """A message that cannot be answered; its text is the reply shown to the user."""


def clean_message(raw: object, max_chars: int) -> str:
    """The message as text the model may see, or InputError saying plainly what is wrong."""
    if raw is None:
        raw = ""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    if not isinstance(raw, str):
        raise InputError("I can only read text messages.")
    if len(raw) > max_chars:
        raise InputError(
            f"Your message is {len(raw):,} characters long; I can read up to {max_chars:,}. "
            "Please shorten it or send the important part."
        )
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n"))
    invisible = sum(
        1 for ch in text if ch not in _KEPT_CONTROLS and unicodedata.category(ch) in _INVISIBLE_CATEGORIES
    ) + text.count("\ufffd")
    visible = (
        "".join(ch for ch in text if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)
        .replace("\ufffd", "")
        .strip()
    )
    if not visible:
        raise InputError("Your message was empty. Type a question, or ask me to draw something.")
    if invisible / len(text) > _BINARY_SHARE:
        raise InputError("That looks like binary data rather than text. Please type your message in words.")
    text = visible
    return text
