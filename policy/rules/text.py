"""How the rules read text: folded to lowercase ASCII words, contractions split.

All rule patterns run on `fold_text` output, so accents, homoglyphs and invisible characters do
not hide a word, and on `unleet` output so "s3xy" is "sexy".
"""

from __future__ import annotations

import re

from policy.normalize import APOSTROPHES
from policy.normalize import fold_text as _fold_words
from policy.normalize import respell as _respell
from policy.normalize import unleet as _unleet_words

# The rules read contractions and possessives as two words, the way their patterns are written
# ("i m going to", "don t", "someone s house"); the name matcher's folding drops the "'s" instead.
_APOSTROPHE = re.compile("[" + APOSTROPHES + "]")


def fold_text(text: str) -> str:
    return _fold_words(_APOSTROPHE.sub(" ", text))


def unleet(text: str) -> str:
    return _unleet_words(_APOSTROPHE.sub(" ", text))


def folded_texts(texts) -> list[str]:
    """Each text folded and leet-undone, joined, ready for a pattern; with letters stretched for
    emphasis also read once ("nuuude", `respell`)."""
    return [fold_text(t) + " | " + unleet(t) + _also_respelled(t) for t in texts if t]


def _also_respelled(text: str) -> str:
    respelled = _respell(text)
    return "" if respelled == text else " | " + fold_text(respelled)
