"""Text normalisation for name matching: undo the ways people (and evaders) write names.

`fold_text` turns any string into lowercase ASCII words separated by single spaces:
compatibility forms (fullwidth, math letters) via NFKC, invisible format characters (zero-width,
bidi controls) removed, look-alike letters from other scripts mapped to Latin, accents dropped,
possessives removed. `unleet` additionally maps digits and symbols used as letters. Both are pure
functions of their input and idempotent, so normalising twice changes nothing (a property test
checks this).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters from Cyrillic, Greek and other scripts that render like Latin letters. Evaders swap
# them in ("Тауlor") so the string no longer equals the name; NFKC does not fold them.
HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ς": "s", "σ": "o", "μ": "u", "γ": "y", "ζ": "z", "θ": "o", "λ": "l",
    # Latin letters that do not decompose to a base letter
    "ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th",
    "ð": "d", "ŀ": "l", "ƒ": "f",
}

# Digits and symbols used as letters. Applied only for name matching, and only inside a word that
# also has a letter, so "1936" or "3 cats" stay numbers while "Sh33ran" becomes "sheeran".
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
        "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e"}

_APOSTROPHES = "'\u2019\u2018\u02bc\u0060\u00b4"
_POSSESSIVE = re.compile(r"(?<=\w)[" + _APOSTROPHES + r"]s?\b")
_LEET_WORD = re.compile(r"[a-z0-9@$!|+€]+")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def _strip_invisible(text: str) -> str:
    # Category Cf holds zero-width spaces/joiners, soft hyphens, and bidi overrides/isolates.
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _fold_letters(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(HOMOGLYPHS.get(ch, ch) for ch in text)
    # NFKD splits "é" into "e" + combining accent; dropping the combining marks leaves the base.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=8192)  # a check folds the same few strings many times; pure, so cacheable
def fold_text(text: str) -> str:
    """Lowercase ASCII words separated by single spaces; digits kept as digits."""
    text = _fold_letters(_strip_invisible(text))
    text = _POSSESSIVE.sub("", text)
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(words)


@lru_cache(maxsize=8192)
def unleet(text: str) -> str:
    """Like `fold_text`, but digits/symbols inside lettered words become the letters they mimic."""
    text = _fold_letters(_strip_invisible(text))
    text = _POSSESSIVE.sub("", text)

    def swap(match: re.Match) -> str:
        word = match.group(0)
        if any(ch.isalpha() for ch in word):
            return "".join(LEET.get(ch, ch) for ch in word)
        return word

    text = _LEET_WORD.sub(swap, text)
    return fold_text(text)


def join_spelled_out(words: list[str]) -> list[str]:
    """Join runs of single letters ("t a y l o r") into one word, undoing letter spacing."""
    joined: list[str] = []
    run: list[str] = []
    for word in words:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if len(run) >= 3:
            joined.append("".join(run))
        else:
            joined.extend(run)
        run = []
        joined.append(word)
    if len(run) >= 3:
        joined.append("".join(run))
    else:
        joined.extend(run)
    return joined


def name_key(name: str) -> str:
    """The canonical form a registered name or alias is stored and compared under."""
    return unleet(name)
