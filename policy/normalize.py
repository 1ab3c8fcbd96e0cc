"""Text normalisation for name matching: undo the ways people (and evaders) write names.

`fold_text` turns any string into lowercase ASCII words separated by single spaces:
compatibility forms (fullwidth, math letters) via NFKC, invisible format characters (zero-width,
bidi controls) removed, look-alike letters from other scripts mapped to Latin, accents dropped,
possessives removed. `unleet` additionally maps digits and symbols used as letters. Both are pure
functions of their input and idempotent, so normalising twice changes nothing (a property test
checks this).

Two more views of a text undo what folding cannot:
- `romanize` writes any script in Latin letters by sound (anyascii: "Адам Драйвер" -> "adam
  drayver"), where `fold_text` maps only letters that *look* Latin ("Тоm" -> "tom"). Both are
  needed: a Cyrillic "С" is "c" to the eye and "s" to the ear. `sound_key` then removes the
  spelling differences that transliteration introduces ("shvartsenegger" and "schwarzenegger"
  both become "svarzeneger").
- `decoded_views` undoes the encodings people use to smuggle a word past a filter: reversed
  text, ROT13, base64, hex, binary, percent-encoding, HTML entities, escape sequences and Morse.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
import unicodedata
import urllib.parse
from functools import lru_cache

from anyascii import anyascii

# Letters from Cyrillic, Greek and other scripts that render like Latin letters. Evaders swap
# them in ("Тауlor") so the string no longer equals the name; NFKC does not fold them.
HOMOGLYPHS = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "һ": "h",
    "ӏ": "l",
    "ɡ": "g",
    # Greek
    "α": "a",
    "β": "b",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "ω": "w",
    "ς": "s",
    "σ": "o",
    "μ": "u",
    "γ": "y",
    "ζ": "z",
    "θ": "o",
    "λ": "l",
    # Latin letters that do not decompose to a base letter
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ħ": "h",
    "ı": "i",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
    "ð": "d",
    "ŀ": "l",
    "ƒ": "f",
}

# Digits and symbols used as letters. Applied only for name matching, and only inside a word that
# also has a letter, so "1936" or "3 cats" stay numbers while "Sh33ran" becomes "sheeran".
LEET = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "9": "g",
    "@": "a",
    "$": "s",
    "!": "i",
    "|": "l",
    "+": "t",
    "€": "e",
}

APOSTROPHES = "'\u2019\u2018\u02bc\u0060\u00b4"
_POSSESSIVE = re.compile(r"(?<=\w)[" + APOSTROPHES + r"]s?\b")
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
    """Like `fold_text`, but digits/symbols inside lettered words become the letters they mimic.
    Read again until nothing changes: folding can join a digit to a word it was apart from
    ("0`$A": the backtick goes only in the final fold, leaving "0sa"), and a name stored under
    `unleet` must read the same when read again."""
    for _ in range(3):
        read = _unleet_once(text)
        if read == text:
            break
        text = read
    return text


def _unleet_once(text: str) -> str:
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
    """The canonical form a registered name or alias is stored and compared under: `unleet` for
    a name in Latin letters, `fold_native` (its own script kept) for a name in any other script."""
    return fold_native(name, leet=True) if has_other_script(name) else unleet(name)


# -- names in their own script ---------------------------------------------------------------------

# Scripts written without spaces between words: a name inside a sentence is found by its
# characters, so each character is a word of its own ("习近平在海滩上" -> "习 近 平 在 海 滩 上").
CONTINUOUS_SCRIPTS = frozenset({"HAN", "KANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN"})
# One-letter particles Arabic and Hebrew write onto the next word ("and", "to", "with", "the").
JOINED_PARTICLES = frozenset("وفبلك" + "והבלמשכ")
# Marks that are accents on a letter, not letters of their own: dropped like Latin accents
# ("Μαρία" -> "μαρια", "й" -> "и", Arabic vowel points and hamza seats, Hebrew niqqud). The vowel
# signs of Indic scripts and Thai are letters and stay.
_ACCENT_MARKS = frozenset({"CYRILLIC", "GREEK", "HEBREW", "ARABIC", "SYRIAC"})
_ACCENT_BLOCKS = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0xFE20, 0xFE2F))  # generic accents
# Letters written two ways in Arabic script (taa marbuta, alif maqsura, Persian yeh and kaf,
# alif wasla, tatweel), each mapped to one form.
_NATIVE_LETTERS = str.maketrans({"ة": "ه", "ى": "ي", "ی": "ي", "ک": "ك", "ٱ": "ا", "ـ": None})


@lru_cache(maxsize=65536)
def script_of(ch: str) -> str:
    """The script of a character by its Unicode name: "LATIN", "CYRILLIC", "GREEK", "ARABIC",
    "HEBREW", "DEVANAGARI", "THAI", "HAN" (CJK ideographs), "KANA", "HANGUL", ...; "COMBINING" for
    generic accents; "" for characters without a name."""
    if ch.isascii():
        return "LATIN" if ch.isalpha() else ""
    first = unicodedata.name(ch, "").split(" ", 1)[0]
    if first == "CJK":
        return "HAN"
    if first in ("HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "HALFWIDTH"):
        return "KANA"
    return first


def _script_runs(chunk: str) -> list[tuple[bool, str]]:
    """A space-free chunk cut where it changes between Latin and another script: (is Latin, run).
    A Latin word with look-alike letters of another script in it ("Тауlor") is one Latin run."""
    # A letter without a Unicode name (Tangut, newer scripts) is of some other script, not Latin.
    scripts = [(script_of(ch) or "UNNAMED") if ch.isalpha() else "" for ch in chunk]
    other = {ch.lower() for ch, script in zip(chunk, scripts, strict=True) if script and script != "LATIN"}
    if not other:
        return [(True, chunk)]
    if "LATIN" in scripts and other <= HOMOGLYPHS.keys():
        return [(True, chunk)]
    runs: list[tuple[bool, str]] = []
    for ch, script in zip(chunk, scripts, strict=True):
        latin = script == "LATIN" if script else (runs[-1][0] if runs else False)
        if runs and runs[-1][0] == latin:
            runs[-1] = (latin, runs[-1][1] + ch)
        else:
            runs.append((latin, ch))
    return runs


def _is_accent(ch: str) -> bool:
    if unicodedata.category(ch) != "Mn":
        return False
    return script_of(ch) in _ACCENT_MARKS or any(low <= ord(ch) <= high for low, high in _ACCENT_BLOCKS)


def _native_words(run: str) -> list[str]:
    """Words of a run in another script: lowercased, accents dropped, one word per character in
    scripts written without spaces; punctuation separates words."""
    run = unicodedata.normalize("NFD", run.casefold())
    run = "".join(ch for ch in run if not _is_accent(ch))
    run = unicodedata.normalize("NFC", run).translate(_NATIVE_LETTERS)
    words: list[str] = []
    current, current_continuous = "", False
    for ch in run:
        category = unicodedata.category(ch)
        if category[0] == "M":
            current += ch if current else ""
            continue
        if category[0] != "L" and category != "Nd":  # other numbers (Ⅻ, ①) go, as in the Latin folding
            if current:
                words.append(current)
            current = ""
            continue
        if category == "Nd":
            # Digits of every script as ASCII digits, which the Latin folding keeps: a word of
            # digits alone is read as Latin on a second fold ("᪐1" would lose its Tai Tham zero).
            ch = str(unicodedata.decimal(ch))
        continuous = script_of(ch) in CONTINUOUS_SCRIPTS
        if current and (continuous or current_continuous):
            words.append(current)
            current = ""
        current += ch
        current_continuous = continuous
    if current:
        words.append(current)
    return words


@lru_cache(maxsize=8192)
def fold_native(text: str, leet: bool = False) -> str:
    """Words separated by single spaces, each in its own script: Latin words folded as by
    `fold_text` (or `unleet` with leet=True), words in other scripts lowercased with their accents
    dropped ("Владимир Путин" -> "владимир путин", "Μαρία" -> "μαρια"), characters of scripts
    written without spaces one word each ("习近平" -> "习 近 平"). Where `fold_text` keeps only
    the letters that look Latin, this keeps every letter; idempotent."""
    visible = unicodedata.normalize("NFKC", _strip_invisible(text))
    latin = unleet if leet else fold_text
    words: list[str] = []
    for chunk in visible.split():
        for is_latin, run in _script_runs(chunk):
            words.extend(latin(run).split() if is_latin else _native_words(run))
    return " ".join(words)


# -- other scripts, by sound -----------------------------------------------------------------------

# Modern Greek reads some letters and pairs differently from anyascii's classical romanization
# (β is "v", ου is "u", τζ is "j"): how a Greek speaker would write a foreign name.
_MODERN_GREEK = [
    (re.compile("τζ"), "j"),
    (re.compile(r"\bμπ"), "b"),
    (re.compile(r"\bντ"), "d"),
    (re.compile(r"\bγκ"), "g"),
    (re.compile("γι(?=[αεηιοωυ])"), "y"),  # "Γιόσεφ", Yosef: γι before a vowel is a y
    (re.compile("γου(?=[αεηιοω])"), "w"),  # "Γουίτφιλντ", Whitfield: γου before a vowel is a w
    (re.compile("χ"), "h"),  # "Μοχάμεντ": χ writes a foreign h
    (re.compile("ου"), "u"),
    (re.compile("αι"), "e"),
    (re.compile("ει"), "i"),
    (re.compile("οι"), "i"),
    (re.compile("β"), "v"),
    (re.compile("η"), "i"),
    (re.compile("υ"), "i"),
]
# Inside a foreign name too, Greek writes d, b and g as ντ, μπ and γκ ("Ντιντιέ Ντρογκμπά"); a
# name spelled letter by letter keeps them as n-t, m-p, g-k ("Λαουρεντ"), so both are read.
_GREEK_INNER_STOPS = [(re.compile("μπ"), "b"), (re.compile("ντ"), "d"), (re.compile("γκ"), "g")]


_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
# A single vav, the letter Hebrew writes a foreign name's o and u with (see `romanizations`).
_HEBREW_VOWEL_VAV = re.compile("(?<![\u05d5])\u05d5(?![\u05d5])")
# Japanese writes a foreign name in katakana and the grammar around it in hiragana, with no space
# between ("トム・ハンクスがカフェで"): where one kana gives way to the other a word ends. The
# prolonged-sound mark and the iteration marks belong to the run they follow.
_KATAKANA, _HIRAGANA = "[\u30a1-\u30fa\u30fc-\u30fe]", "[\u3041-\u3096\u309d\u309e]"  # after NFKC
_KANA_BOUNDARY = re.compile(f"(?<={_KATAKANA})(?={_HIRAGANA})|(?<={_HIRAGANA})(?={_KATAKANA})")


def _indic_tables() -> tuple[dict[str, str], frozenset[str], frozenset[str], frozenset[str]]:
    """From the Unicode names of the scripts of India and Sri Lanka (U+0900-U+0DFF): a letter
    written with a nukta -> the same letter precomposed; the nasal signs; the lip consonants; the
    letters called CA."""
    nukta, nasals, lips, ca = {}, set(), set(), set()
    for code in range(0x0900, 0x0E00):
        ch = chr(code)
        name = unicodedata.name(ch, "")
        parts = unicodedata.decomposition(ch).split()
        if len(parts) == 2 and unicodedata.name(chr(int(parts[1], 16)), "").endswith("SIGN NUKTA"):
            nukta[chr(int(parts[0], 16)) + chr(int(parts[1], 16))] = ch
        if name.endswith(("SIGN ANUSVARA", "SIGN CANDRABINDU", "TIPPI", "GURMUKHI SIGN BINDI")):
            nasals.add(ch)
        if name.endswith(("LETTER PA", "LETTER PHA", "LETTER BA", "LETTER BHA", "LETTER MA")):
            lips.add(ch)
        if name.endswith("LETTER CA"):
            ca.add(ch)
    return nukta, frozenset(nasals), frozenset(lips), frozenset(ca)


_INDIC_NUKTA, _INDIC_NASALS, _INDIC_LIPS, _INDIC_CA = _indic_tables()


def _indic_sounds(text: str) -> str:
    """Letters of the scripts of India that anyascii spells by the letter where a name is spelled
    by its sound: a letter with a nukta (ज़, फ़: "z", "f", read "j'", "ph'" when the nukta is a
    separate mark), the nasal sign (ं, ং, ੰ: "n" before a consonant that is not of the lips, as in
    मंडेला, Mandela, which anyascii reads "mmdela"), and च ("ch", not "c")."""
    if not any("\u0900" <= ch < "\u0e00" for ch in text):
        return text
    for written, precomposed in _INDIC_NUKTA.items():
        text = text.replace(written, precomposed)
    out = []
    for i, ch in enumerate(text):
        if ch in _INDIC_NASALS:
            following = text[i + 1 : i + 2]
            out.append("m" if following in _INDIC_LIPS else "n")
        elif ch in _INDIC_CA:
            out.append("ch")
        else:
            out.append(ch)
    return "".join(out)


def _latin(text: str) -> str:
    # Word separators of other scripts (the katakana middle dot, CJK punctuation) become spaces.
    return fold_text(anyascii(text).replace("-", " "))


@lru_cache(maxsize=4096)
def romanizations(text: str) -> tuple[str, ...]:
    """Any script written in Latin letters by sound, folded like `fold_text`: anyascii's reading,
    and for Greek also the modern reading (β is "v", ου is "u", τζ is "j"), since a Greek
    speaker writing a foreign name spells it by modern sounds, the letter-for-letter one (β is
    "b"), since a name may also be spelled letter by letter ("Βαρακκ Οβαμα"), and the modern one
    with ντ, μπ, γκ read as d, b, g inside words too."""
    visible = unicodedata.normalize("NFKC", _strip_invisible(text))
    # Chinese writes no spaces: one syllable a character, so "奥巴马在海滩上" reads "ao ba ma zai ...".
    visible = _HAN.sub(lambda m: f" {m.group(0)} ", visible)
    # The small tsu only doubles the next consonant: anyascii's "t" for it is no sound of the name.
    visible = _KANA_BOUNDARY.sub(" ", visible).replace("ッ", "").replace("っ", "")
    readings = [_latin(_indic_sounds(visible))]
    if any("\u0370" <= ch <= "\u03ff" for ch in visible):
        modern = "".join(ch for ch in unicodedata.normalize("NFKD", visible.lower()) if not unicodedata.combining(ch))
        for greek, latin in _MODERN_GREEK:
            modern = greek.sub(latin, modern)
        readings.append(_latin(modern))
        readings.append(_latin(visible.replace("β", "b").replace("Β", "B")))
        for greek, latin in _GREEK_INNER_STOPS:
            modern = greek.sub(latin, modern)
        readings.append(_latin(modern))
    if any("\uac00" <= ch <= "\ud7a3" for ch in visible):
        readings.append(_latin(_korean_loanword_reading(visible)))
    if any("\u05d0" <= ch <= "\u05ea" for ch in visible):
        # Hebrew writes the vowels o and u of a foreign name with vav, which anyascii reads "v"
        # ("גרגורי" -> "grgvry"); a doubled vav is the consonant.
        readings.append(_latin(_HEBREW_VOWEL_VAV.sub("u", visible)))
    return tuple(dict.fromkeys(readings))


_KOREAN_EU = 18  # the vowel ㅡ in a Hangul syllable's code
_KOREAN_FINAL_S = 19  # the final consonant ㅅ in a Hangul syllable's code


def _korean_loanword_reading(text: str) -> str:
    """Korean writes a foreign consonant with no vowel after it as a syllable with the vowel ㅡ
    ("Hanks" is 행크스, haengkeuseu): read without it after the first syllable of a word
    (haengks), the way the name was spelled before it was written in Hangul. A final ㅅ is the
    foreign t it writes ("Scarlett" is 스칼렛, seukallet)."""
    out = []
    for i, ch in enumerate(text):
        code = ord(ch) - 0xAC00
        if not 0 <= code < 11172:
            out.append(ch)
        elif code % 28 == 0 and (code % 588) // 28 == _KOREAN_EU and i and text[i - 1].isalpha():
            reading = _latin(ch).lower()
            out.append(reading[: -len("eu")] if reading.endswith("eu") else reading)
        elif code % 28 == _KOREAN_FINAL_S:
            out.append(_latin(chr(0xAC00 + code - _KOREAN_FINAL_S)).lower() + "t")
        else:
            out.append(ch)
    return "".join(out)


_ALEFS = "اأإٱ"
_ALEF_AS_A = str.maketrans(dict.fromkeys(_ALEFS, "a"))
_ARTICLE = re.compile("(?<![\u0600-\u06ff])\u0627\u0644")


def alef_reading(text: str) -> str | None:
    """Arabic-script text read with alef as the vowel a, or None without an alef. anyascii drops
    alef, which in a foreign or Arabic name is the vowel a ("حداد", Haddad, reads "hdd", as if the
    d were doubled); the article al- keeps its reading ("الدرج", the stairs, is "ldrj", not a name
    "Aldr-")."""
    visible = unicodedata.normalize("NFKC", _strip_invisible(text))
    if not any(ch in _ALEFS for ch in visible):
        return None
    return _latin(_ARTICLE.sub("\u0644", visible).translate(_ALEF_AS_A))


def romanize(text: str) -> str:
    """anyascii's Latin reading of any script (see `romanizations`)."""
    return romanizations(text)[0]


def has_other_script(text: str) -> bool:
    """Does the text hold letters outside the Latin script (Cyrillic, Greek, Arabic, kana, ...)?"""
    for ch in text:
        if ch.isalpha() and not ch.isascii():
            base = unicodedata.normalize("NFKD", ch)[0]
            if not base.isascii() and "LATIN" not in unicodedata.name(base, ""):
                return True
    return False


# Spelling differences that transliteration and phonetic misspelling introduce, in order.
_SOUND_RULES = [
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("sch", "sh"),
    ("tch", "ch"),
    ("kh", "h"),
    ("ph", "f"),
    ("ck", "k"),
    ("qu", "kv"),
    ("ts", "z"),
    ("tz", "z"),
    ("ou", "u"),
    ("ee", "i"),
    ("w", "v"),
    ("y", "i"),
    ("x", "ks"),
    ("q", "k"),
]
# Greek writes an English "j" as "tz" and a "w" as "ou" ("Τζον Ουαινε" for John Wayne).
_WORD_START = [(re.compile(r"^[td]z"), "j"), (re.compile(r"^ou(?=[aeiou])"), "v")]
_U_AS_W = re.compile(r"u(?=[aeo])")  # "uatanabe", "kuorbiana": a u before a vowel is a w
_SOFT_C = re.compile(r"c(?=[ei])")  # after y -> i
_DOUBLED = re.compile(r"(.)\1+")
_SILENT_H = re.compile(r"(?<=.)h")  # "Rhianna", "Jon"/"John", "Dzhonni" -> no h


@lru_cache(maxsize=16384)
def sound_key(word: str) -> str:
    """A lowercase ASCII word reduced to how it sounds, so transliterations and phonetic
    misspellings of a name meet: 'Shvartsenegger' and 'Schwarzenegger' -> 'svarzeneger',
    'Dzhonni' and 'Johnny' -> 'joni'."""
    for start, said in _WORD_START:
        word = start.sub(said, word)
    for written, said in _SOUND_RULES:
        word = word.replace(written, said)
    word = _U_AS_W.sub("v", word)
    word = _SOFT_C.sub("s", word).replace("c", "k")
    word = _DOUBLED.sub(r"\1", word)
    return _SILENT_H.sub("", word) or word


# -- encodings ------------------------------------------------------------------------------------

_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{6,}={0,2}")
_HEX_RUN = re.compile(r"\b(?:0x)?((?:[0-9a-fA-F]{2}[\s:,]?){4,})")
_BINARY_RUN = re.compile(r"(?:\b[01]{8}\b\s?){3,}")
_MORSE_RUN = re.compile(r"(?:[.\-\u2022\u2212\u2013]{1,7}(?:\s+|/|$)){3,}")
_ESCAPES = re.compile(r"\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|U[0-9a-fA-F]{8})")
_MORSE = {
    ".-": "a",
    "-...": "b",
    "-.-.": "c",
    "-..": "d",
    ".": "e",
    "..-.": "f",
    "--.": "g",
    "....": "h",
    "..": "i",
    ".---": "j",
    "-.-": "k",
    ".-..": "l",
    "--": "m",
    "-.": "n",
    "---": "o",
    ".--.": "p",
    "--.-": "q",
    ".-.": "r",
    "...": "s",
    "-": "t",
    "..-": "u",
    "...-": "v",
    ".--": "w",
    "-..-": "x",
    "-.--": "y",
    "--..": "z",
}


def _readable(data: bytes) -> str | None:
    """Decoded bytes that read as text (mostly letters and spaces), else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    letters = sum(ch.isalpha() or ch.isspace() for ch in text)
    return text if text and letters >= 0.75 * len(text) else None


def _decode_base64(token: str) -> str | None:
    padded = token + "=" * (-len(token) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            text = _readable(decode(padded))
        except (binascii.Error, ValueError):
            continue
        if text:
            return text
    return None


def _decode_morse(run: str) -> str:
    run = run.replace("\u2022", ".").replace("\u2212", "-").replace("\u2013", "-")
    words = re.split(r"\s*/\s*|\s{3,}", run.strip())
    return " ".join("".join(_MORSE.get(code, "") for code in word.split()) for word in words)


@lru_cache(maxsize=2048)
def decoded_views(text: str) -> tuple[str, ...]:
    """The text with common encodings undone, each a separate view (the original not included).

    Cheap enough to run on every request: each decoder looks for its own kind of token and
    keeps only results that read as text."""
    views: list[str] = [text[::-1], codecs.encode(text, "rot13")]
    decoded_tokens = []
    for match in _BASE64_TOKEN.finditer(text):
        token = match.group(0)
        # An ordinary long word is also valid base64; only mixed-case or digit tokens are likely
        # to be encodings.
        if token.isalpha() and (token.islower() or token.isupper() or token.istitle()):
            continue
        decoded = _decode_base64(token)
        if decoded:
            decoded_tokens.append(decoded)
    for match in _HEX_RUN.finditer(text):
        digits = re.sub(r"[\s:,]", "", match.group(1))
        if len(digits) % 2 == 0:
            decoded = _readable(bytes.fromhex(digits))
            if decoded:
                decoded_tokens.append(decoded)
    for match in _BINARY_RUN.finditer(text):
        decoded = _readable(bytes(int(b, 2) for b in match.group(0).split()))
        if decoded:
            decoded_tokens.append(decoded)
    for match in _MORSE_RUN.finditer(text):
        decoded_tokens.append(_decode_morse(match.group(0)))
    if decoded_tokens:
        views.append(" ".join(decoded_tokens))
    if "%" in text:
        views.append(urllib.parse.unquote(text))
    if "&" in text:
        views.append(html.unescape(text))
    if "\\" in text and _ESCAPES.search(text):
        try:
            views.append(codecs.decode(text.encode("latin-1", "backslashreplace"), "unicode_escape"))
        except (UnicodeDecodeError, ValueError):
            pass
    return tuple(view for view in views if view and view != text)


# Words people mask or space out to get past a filter ("n*ked", "s e x y"): undone so the rules
# and the embedding read the word meant. Only these words are restored from a mask: a masked
# word that fits none of them is left as it was.
_MASKABLE = (
    "naked nude nudes nudity sexy sex sexual porn porno topless bottomless boobs breasts tits nipples genitals "
    "penis vagina pussy dick cock erotic explicit lingerie undressed strip stripper rape raped raping molest "
    "teen teens child children kid kids minor loli underage kill killing murder suicide bomb gore blood nazi"
).split()
_MASK_CHARS = "*#_.-?"
_MASKED_WORD = re.compile(r"(?<![\w*#?])[a-z0-9]*[a-z][*#_.?\-]+[a-z0-9*#_.?\-]*(?![\w*#?])", re.IGNORECASE)


def _unmask(match: re.Match) -> str:
    word = match.group(0)
    chunks = [chunk for chunk in re.split(r"[*#_.?\-]+", word) if chunk]
    if len(chunks) >= 3 and all(len(chunk) == 1 for chunk in chunks):
        return "".join(chunks)  # "s-e-x-y", "k.i.l.l"
    if set(re.sub(r"[^*#_.?\-]", "", word)) <= {"-", "."}:
        return word  # "e-mail", "well-known", "3.5": whole words or numbers around the marks
    pattern = re.compile("".join("[a-z]" if ch in _MASK_CHARS else re.escape(LEET.get(ch, ch)) for ch in word.lower()))
    fits = [candidate for candidate in _MASKABLE if pattern.fullmatch(candidate)]
    return fits[0] if len(fits) == 1 else word


def _spelled_word(run: str) -> str:
    """A joined run of spaced letters; "anude" from "draw a n u d e" is "a nude"."""
    if run not in _MASKABLE and run[:1] == "a" and run[1:] in _MASKABLE:
        return "a " + run[1:]
    return run


def _join_spaced_letters(text: str) -> str:
    """Runs of three or more single letters one space apart become one word; two or more spaces
    end a word ("T a y l o r   S w i f t riding" -> "Taylor Swift riding")."""
    pieces = re.split(r"( +)", text.strip())  # words at even places, the spaces between at odd
    out, run = [], []
    for i in range(0, len(pieces), 2):
        word = pieces[i]
        gap_before = pieces[i - 1] if i else " "
        if len(word) == 1 and word.isalpha() and (not run or gap_before == " "):
            run.append(word)
            continue
        out += [_spelled_word("".join(run))] if len(run) >= 3 else run
        run = [word] if len(word) == 1 and word.isalpha() else []
        if not run:
            out.append(word)
    out += [_spelled_word("".join(run))] if len(run) >= 3 else run
    return " ".join(out)


def readable(text: str) -> str:
    """The text with letter spacing ("d r a w  a  n u d e") and masked letters ("n*ked") undone;
    ordinary text comes back unchanged."""
    words = text.split()
    singles = sum(len(word) == 1 and word.isalpha() for word in words)
    if len(words) >= 4 and singles >= 0.6 * len(words):
        text = _join_spaced_letters(text)
    return _MASKED_WORD.sub(_unmask, text)


# -- words spelled with another script's look-alikes, or with digits ------------------------------

# Latin letters and digits written inside a word of another script, as that script's letter of the
# same shape: the inverse of HOMOGLYPHS for Cyrillic and Greek ("гoлoгo" typed with Latin o,
# "реб3нка" with a 3 for е). Digits go through LEET first (3 -> e -> е); 6 is Cyrillic б by shape.
_SHAPES_INTO: dict[str, dict[str, str]] = {"CYRILLIC": {}, "GREEK": {}}
for _look_alike, _latin_letter in HOMOGLYPHS.items():  # a Latin letter's first look-alike: е, not ё
    if script_of(_look_alike) in _SHAPES_INTO and len(_latin_letter) == 1:
        _SHAPES_INTO[script_of(_look_alike)].setdefault(_latin_letter, _look_alike)
# 6 is б by shape; 1 is the i sound, и, in a Cyrillic word typed the Latin way ("инт1мные")
_SHAPES_INTO["CYRILLIC"].update({"6": "б", "1": "и"})
_SPELLED_WORD = re.compile(r"[\w@$!|+€]+")
# A dot or a middle dot inside a word, between two letters on each side, hides it from a list of
# words ("Ju.den", "n.ude"): read without it ("e.g." and "U.S." have one letter a side and stay).
_DOT_IN_WORD = re.compile(r"(?<=[^\W\d_]{2})[.·•](?=[^\W\d_]{2})")
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}", re.IGNORECASE)
_MIMIC_RUN = re.compile("[0-9" + re.escape("".join(ch for ch in LEET if not ch.isdigit())) + "]+")


def _respelled_word(token: str) -> str:
    # symbols at a word's ends are punctuation ("идеально!", "$5"), not letters
    core = token.strip("@$!|+€")
    if not core:
        return token
    start = token.index(core)
    return token[:start] + _respelled_core(core) + token[start + len(core) :]


def _respelled_core(word: str) -> str:
    native = {script_of(ch) for ch in word if ch.isalpha()} - {"LATIN"}
    if len(native) == 1 and (script := next(iter(native))) in _SHAPES_INTO:
        into = _SHAPES_INTO[script]
        own = [ch for ch in word if ch.isalpha() and script_of(ch) == script]
        # a word of that script with a few Latin look-alikes or digits, not a Latin word with one
        # Cyrillic letter in it (that one is read as Latin, like "Тауlor")
        if len(own) * 2 >= len(word) and any(ch.lower() not in HOMOGLYPHS for ch in own):
            swapped = []
            for ch in word:
                if script_of(ch) == script or not (ch.isascii() and (ch.isalnum() or ch in LEET)):
                    swapped.append(ch)
                    continue
                shape = into.get(ch) or into.get(ch.lower()) or into.get(LEET.get(ch, ""), None)
                if shape is None:
                    return word
                swapped.append(shape.upper() if ch.isupper() else shape)
            return "".join(swapped)
        return word
    if native or not any(ch.isalpha() for ch in word):
        return word
    # A letter typed three times or more is one letter stretched for emphasis ("nuuude", "sexxxy",
    # "sooo"); a word of one letter alone ("xxx", "zzz") is left as written.
    if len(set(word.lower())) > 1:
        word = _STRETCHED.sub(r"\1", word)
    # A Latin word: digits and symbols read as letters where they sit between letters, or where
    # there are several runs of them ("n4ckt", "ch1ld", "m3th"); one run at the start or the end is
    # a number with its unit or a version ("12yo", "mp4", "web3", "3d").
    runs = list(_MIMIC_RUN.finditer(word))
    if any(ch.isdigit() and ch not in LEET for run in runs for ch in run.group(0)):
        return word  # a 2 or a 6 is no letter: "24mm", "1m25"
    if len(runs) > 1 or (runs and 0 < runs[0].start() < runs[0].end() < len(word)):
        return "".join(LEET.get(ch, ch) for ch in word)
    return word


@lru_cache(maxsize=4096)
def respell(text: str) -> str:
    """The text with words spelled in look-alikes read as their letters: digits and symbols inside
    a Latin word ("n4cktes K1nd"), Latin letters and digits inside a Cyrillic or Greek word
    ("гoлoгo", "реб3нка"), a Latin letter stretched to three or more ("nuuude"), a dot inside a
    word ("Ju.den"). A second reading beside the text, not a replacement: "4x4" and "r2d2"
    come out as nonsense, which harms nothing read beside the original."""
    text = _DOT_IN_WORD.sub("", text)
    return _SPELLED_WORD.sub(lambda match: _respelled_word(match.group(0)), text)
