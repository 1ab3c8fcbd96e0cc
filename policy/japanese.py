"""Japanese names written in kanji, compared with the same names registered in Latin letters.

Japanese text writes a Japanese person's name in kanji, family name first and without a space
("大谷翔平が", Shohei Ohtani with the subject particle). A kanji has several readings (大: dai,
tai, oo, and in names hiro, masa, ...), and which one a name uses is known only from the name,
so the reading a transliterator picks (Chinese "da gu xiang ping") or a dictionary guesses finds
few of them. Here the registered name says which: a run of kanji is that name when the kanji's
readings, one each, spell it (oo|tani|shou|hei). The readings are KANJIDIC's (on, kun and name
readings of the 2,890 kanji of the joyo and jinmeiyo lists, `kanji_readings.txt.gz`).

Both sides are compared in one spelling that the romanization systems agree on (Hepburn and
Kunrei: shi/si, chi/ti, tsu/tu, fu/hu, ja/zya; long vowels written ou, oo, oh, o or with a
macron; an n before b, m or p written m), and a kanji after the first of a word may take the
voiced sound it takes in compounds (谷 tani, dani).

A name is compared whole (three kanji at least) with a whole run of kanji, less a title written
in kanji before or after it (元首相, 選手, 氏), in text that also has kana (Japanese), in either
order of the registered name's words: the readings are many and short, and a name met inside a
longer run of kanji was met by chance in 1.4% of the corpus's Japanese requests with 1,000
Japanese names registered.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from policy.normalize import fold_text

_HERE = Path(__file__).parent
MIN_KANJI = 3
MAX_KANJI = 6
MIN_LETTERS = 8  # of the name in the shared spelling: "satokenji" yes, "otakana" no
# Chance (bench_registry_scripts.py --east-asian-chance): with 2,000 Japanese names registered
# (3,860 spellings), 5 of the corpus's 3,143 Japanese requests met one by chance (宮崎駿 read as
# "Miki Hayashi"), one more the person. The reading is used while a registry holds at most this
# many spellings, about 0.5% of requests (names.LOANWORD_FALSE_MATCH_BUDGET).
MAX_TARGETS = 6000

# Hepburn, Kunrei and the spellings families use, to one spelling (order matters).
_SPELLINGS = (
    (r"m(?=[bmp])", "n"),
    (r"(?<=[aeiou])h(?![aeiouy])", ""),  # Ohno, Ohtani: an h that only lengthens the vowel
    (r"sh|(?<![a-z])s(?=y)", "s"),
    (r"ch|ts", "t"),
    (r"(?<=[bcdfghjklmnprstvwz])y(?=[aou])", ""),  # kyo/ko, sho/so, ryu/ru: the glide is kept by neither
    (r"j|dz", "z"),
    (r"f", "h"),
    (r"di", "zi"),
    (r"du", "zu"),
    (r"wo", "o"),
    (r"ou|oo|uu|aa|ii|ee", lambda m: m.group(0)[0]),
    (r"([bcdfghjkmnprstvwz])\1", r"\1"),  # geminates (Hattori, Nakka) written once
)
_VOICED = {"k": "g", "s": "z", "t": "d", "h": "b"}  # rendaku, in the shared spelling


def spelling(latin: str) -> str:
    """A romaji word in the shared spelling (see the module docstring)."""
    text = re.sub(r"[^a-z]", "", fold_text(latin))
    for pattern, replacement in _SPELLINGS:
        text = re.sub(pattern, replacement, text)
    return text


@lru_cache(maxsize=1)
def kanji_readings() -> dict[str, tuple[str, ...]]:
    """Each kanji's readings in the shared spelling."""
    readings = {}
    with gzip.open(_HERE / "kanji_readings.txt.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            kanji, *romaji = line.split()
            readings[kanji] = tuple(sorted({spelling(r) for r in romaji} - {""}))
    return readings


def _voiced(reading: str) -> tuple[str, ...]:
    sound = _VOICED.get(reading[:1])
    return (reading, sound + reading[1:]) if sound else (reading,)


def name_targets(written: str) -> set[str]:
    """A registered Latin name of two words or more, in the shared spelling, both orders joined
    ("Shohei Ohtani" -> "sohei otani" -> {"soheiotani", "otanisohei"})."""
    words = [spelling(word) for word in fold_text(written).split()]
    if len(words) < 2 or not all(words):
        return set()
    targets = {"".join(words), "".join(words[-1:] + words[:-1])}
    return {t for t in targets if len(t) >= MIN_LETTERS}


def is_kanji(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _is_kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u30ff"


# Titles Japanese writes in kanji before or after a name (a rule of the grammar, not names).
_TITLES_AFTER = ("選手", "監督", "先生", "社長", "会長", "首相", "総理", "大統領", "大臣", "議員", "知事", "市長",
                 "容疑者", "被告", "博士", "教授", "夫人", "氏", "様", "殿", "君")  # fmt: skip
_TITLES_BEFORE = ("元首相", "元", "故", "前")


def kanji_runs(prompt: str) -> list[str]:
    """The prompt's runs of kanji, without a title before or after, when it is Japanese (holds
    kana); runs apart by one space are also read together ("大谷 翔平")."""
    if not any(_is_kana(ch) for ch in prompt):
        return []
    runs = re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]+(?: [\u3400-\u4dbf\u4e00-\u9fff]+)?", prompt)
    bare = []
    for run in (run.replace(" ", "") for run in runs):
        bare.append(run)
        for title in _TITLES_AFTER:
            if run.endswith(title) and len(run) - len(title) >= MIN_KANJI:
                bare.append(run[: -len(title)])
        for title in _TITLES_BEFORE:
            if run.startswith(title) and len(run) - len(title) >= MIN_KANJI:
                bare.append(run[len(title) :])
    return bare


def names_in(run: str, prefixes, targets) -> list[tuple[str, str]]:
    """(run, target) for every target the readings of the whole run spell, one reading a kanji.
    `prefixes` holds every beginning of every target, so only readings that can still become a
    name are followed."""
    if not MIN_KANJI <= len(run) <= MAX_KANJI:
        return []
    readings = kanji_readings()
    found = []

    def walk(at: int, spelled: str) -> None:
        if at == len(run):
            if spelled in targets:
                found.append((run, spelled))
            return
        for reading in readings.get(run[at], ()):
            for sound in _voiced(reading) if at else (reading,):
                if spelled + sound in prefixes:
                    walk(at + 1, spelled + sound)

    walk(0, "")
    return found
