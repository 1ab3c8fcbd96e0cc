"""Find registered people in a prompt, however the name is written, without scanning the registry.

A person's name is one or more given names and a family name, and people write it many ways:
with a middle name or an initial ("Adam J. Driver"), family name first ("Driver, Adam"), behind a
title ("President Obama", "Mr. Driver"), possessive, in another script ("Адам Драйвер"),
misspelt, spaced out, in leetspeak, encoded or reversed, or as the family name alone. The index
finds all of these. Whether a match is the registered *person* or something that shares the name
(a drink, a ship, a museum, a historical namesake) is decided afterwards from the words around
it (`policy/lookalikes.py`), and a name that is also an ordinary word ("Drake", "The Rock",
"Cruise" alone) needs the sentence to be about a person (the agent asks the sentence embedding).

Views: the prompt is read several ways (`_views`): folded (homoglyphs mapped by shape), with
leetspeak undone, with spelled-out letters joined, romanized by sound when it holds another
script (anyascii), and decoded (reversed, ROT13, base64, hex, ...; see normalize.decoded_views).

Index, built once per registry version; a check costs a few dictionary look-ups per prompt word,
whatever the registry size:
- `exact`: a key's words joined ("adamdriver") and its sound key ("adamdriver") -> keys, matched
  against prompt windows of 1..5 words joined the same way ("A d a m Driver", "ADAM-DRIVER").
- `deletes`: a symmetric-deletion index (SymSpell) over the sound keys of each name's one or two
  rarest words, so a prompt word finds the name words within an edit or two in O(len(word)).
  Words shared by many names (common given names) are not indexed: candidates per prompt word
  stay a handful at any registry size.
- `codes`: the same words' Metaphone codes, used only for text written in another script, where
  transliteration loses more than two letters ("Kruz" for "Cruise").
- `loanword`: full names by the consonant classes a borrowing script keeps (`loanword_skeleton`:
  "teira suuifuto" for Taylor Swift in katakana), read only from the length at which the whole
  registry is met by chance in at most 0.5% of requests (`LOANWORD_CHANCE`).
- `kanji`: names as their kanji's readings may spell them ("大谷翔平": oo|tani|shou|hei), matched
  against runs of kanji in Japanese text (policy/japanese.py).
- `korean`: names that read as Korean syllables ("Kwak Do-yoon"), by those syllables in a code
  the romanization systems agree on, matched against Hangul words ("곽도윤이"; policy/korean.py).

Verification (`_align`): around a candidate word the whole name must be present, in order with
at most two middle names or initials between its words, or family name first, every word within
`word_budget` edits and the whole within `name_budget` (edit distances from rapidfuzz; scaled to
length, so "Adam Sandler" never becomes "Adam Driver" and "Tim Cruise" is not "Tom Cruise").
A family name alone counts when something says it is this person: a title or the given name's
initial or nickname before it, or a family name that is not an ordinary word (`ordinary_words`:
"Obama" yes, "Cruise" only with a capital and a sentence about a person). A different given name
right before it ("Chelsea Clinton", "Patrick Schwarzenegger") names someone else.
"""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import jellyfish
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein

from policy import japanese, korean, titles
from policy.normalize import (
    CONTINUOUS_SCRIPTS,
    alef_reading,
    decoded_views,
    fold_native,
    fold_text,
    has_other_script,
    join_spelled_out,
    name_key,
    romanizations,
    romanize,
    script_of,
    sound_key,
    unleet,
)

MAX_WINDOW = 5
# Han writes a foreign full name in up to fourteen syllables, a word each (克里斯蒂亚诺·罗纳尔多).
MAX_SYLLABLE_WINDOW = 14
# Through another script a name comes out a little off, and so do ordinary words: an edit is
# allowed only on names long enough that a chance meeting is rare (a 4-letter sound key one edit
# away is met by "mere", Hindi for "my", and "mr", Persian for "snake").
FUZZY_FAMILY_LENGTH = 7
# Scripts whose Latin reading is far from a name's spelling: vowels dropped or added (Arabic,
# Hebrew, kana).
LOOSE_READING_SCRIPTS = frozenset({"ARABIC", "HEBREW", "SYRIAC", "THAANA", "KANA"})
_VOWELS = frozenset("aeiouy")
MAX_MIDDLE_WORDS = 2
# A word shared by more keys than this (a common given name) is not used to look names up.
MAX_KEYS_PER_INDEXED_WORD = 50
_HERE = Path(__file__).parent

# Words that cannot be part of a name: the sentence's grammar around it.
FUNCTION_WORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "of",
        "with",
        "and",
        "or",
        "by",
        "as",
        "in",
        "on",
        "at",
        "to",
        "from",
        "for",
        "like",
        "is",
        "was",
        "are",
        "be",
        "me",
        "my",
        "her",
        "his",
        "their",
        "its",
        "our",
        "your",
        "this",
        "that",
        "who",
        "s",
        "vs",
        "versus",
        "feat",
        "ft",
        "featuring",
        "into",
        "onto",
        "over",
        "under",
        "near",
        "draw",
        "paint",
        "show",
        "make",
        "create",
        "generate",
        "render",
        "picture",
        "photo",
        "image",
        "portrait",
        "painting",
        "drawing",
        "sketch",
        "please",
        "now",
        "then",
        "also",
        "same",
        "but",
        "not",
    }
)
# Particles that belong to a family name ("Eugene de Kock", "Ludwig van Beethoven", "Osama bin
# Laden"): after a given name they make the word that follows part of that person's own name.
NAME_PARTICLES = frozenset(
    {"da", "das", "de", "del", "della", "den", "der", "di", "do", "dos", "du", "la", "le", "ter", "ten", "van", "von"}
    | {"al", "el", "bin", "ibn", "ben", "bint", "mac", "zu", "af"}
)

# Family names of China and Korea as they are romanized (Pinyin, Wade-Giles, Revised Romanization
# and the usual spellings): a name registered in its own order starts with one ("Xi Jinping",
# "Moon Jae-in"), and a title goes with it ("President Xi"). Some are given names in the West
# ("Kim Kardashian", "Lee Child"): only a title before them is read this way, so "Ms Kim" is
# refused while Kim Kardashian is registered.
FAMILY_FIRST = frozenset(
    (
        "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng "
        "liang xie song tang han feng deng cao peng zeng xiao tian dong yuan pan cai jiang yu du "
        "ye cheng wei su lu ding ren shen yao cui zhong tan fan jin shi liao jia xia "
        "fu fang bai zou meng xiong qin qiu hou yin xue yan duan lei long shao qian "
        "xi hua mao wen kong hao gu mo "
        "kim lee yi rhee park pak choi choe jung jeong chung kang cho jo yoon yun jang chang lim im "
        "oh seo suh shin kwon hwang ahn an yoo hong jeon jun ko go moon mun son bae baek heo "
        "nam shim roh noh ha kwak sung cha joo woo min ryu na ji chae won chun bang hyun ham byun"
    ).split()
)

# Titles, honorifics and roles that make the next word a person's family name.
TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "mister",
        "missus",
        "madam",
        "madame",
        "mme",
        "mlle",
        "dr",
        "doctor",
        "sir",
        "dame",
        "lady",
        "lord",
        "president",
        "presidente",
        "senator",
        "sen",
        "rep",
        "representative",
        "congressman",
        "congresswoman",
        "governor",
        "gov",
        "mayor",
        "minister",
        "premier",
        "chancellor",
        "secretary",
        "ambassador",
        "king",
        "queen",
        "prince",
        "princess",
        "emperor",
        "empress",
        "pope",
        "general",
        "gen",
        "colonel",
        "captain",
        "capt",
        "admiral",
        "sergeant",
        "sgt",
        "officer",
        "detective",
        "agent",
        "professor",
        "prof",
        "judge",
        "justice",
        "coach",
        "chairman",
        "chairwoman",
        "ceo",
        "actor",
        "actress",
        "singer",
        "rapper",
        "comedian",
        "host",
        "director",
        "filmmaker",
        "superstar",
        "celebrity",
        "herr",
        "frau",
        "senor",
        "senora",
        "senorita",
        "monsieur",
        "signor",
        "signora",
        "comrade",
        "uncle",
        "aunt",
        "auntie",
        "saint",
        "st",
        "elect",
        "nominee",
        "candidate",
        "speaker",
        "commander",
        "chief",
        "sheriff",
        "councillor",
        "councilman",
        "councilwoman",
    }
)
# The same in the other languages people write to Easel in, folded as `fold_text` writes them,
# and read in Latin letters from Cyrillic and Greek (with the case endings a title takes before a
# name): an unknown word before a family name was read as another person's given name ("Kanzlerin
# Merkel", "Rais Zelensky", "президента Макрона"). Words that are also given names or everyday
# English words ("don", "papa", "bay", "regina", "kaiser") are left out, and of a title of two words
# only the word next to the name is listed (Vietnamese "thủ tướng", "tổng thống", "chủ tịch").
TITLES_OF_OTHER_LANGUAGES = frozenset(
    (
        # German, Dutch, Scandinavian
        "kanzler kanzlerin bundeskanzler bundeskanzlerin prasident prasidentin ministerprasident "
        "ministerprasidentin premierminister premierministerin konig konigin prinz prinzessin "
        "mevrouw meneer statsminister kansler presidentti paaministeri koning koningin prinses "
        # Romance
        "presidenta presidente presidentessa primer ministro ministra premiere ministre roi reine "
        "principe princesa signor signora signore senhor senhora senora senorita "
        "canciller cancelliere chanceler chanceliere deputado deputada sindaco alcalde prefeito "
        # Slavic, Baltic, Hungarian, Turkish, Indonesian and Malay, Swahili, Vietnamese, Tagalog
        "prezydent prezydenta prezydentka premier premiera kanclerz kanclerza prezident prezidenta prezidentka "
        "premiera kancler kanclera pani pana pane "
        "gospodin gospodja elnok miniszterelnok kancellar cumhurbaskani baskan basbakan sayin "
        "presiden kanselir menteri perdana bapak ibu rais waziri mkuu thong tuong tich pangulo "
        # Russian, Ukrainian, Bulgarian read in Latin letters, with the endings before a name
        "prezident prezidenta prezidentu prezidentom kantsler kantslera kantsleru kantslerom "
        "premer premera ministr ministra predsedatel predsedatelya predsedatelyu gospodin gospodina "
        "gospozha kantslerka kantslerki prem'er "
        # Greek read in Latin letters
        "proedros proedrou prothypourgos prothypourgou prothipourgos prothipourgou kagkelarios "
        "kagkelaria kangelarios kyrios kyria kirios kiria"
    ).split()
)
TITLES = TITLES | TITLES_OF_OTHER_LANGUAGES
# Words that may stand between a title and a family name ("former President Obama").
_TITLE_FILLERS = frozenset({"former", "late", "young", "old", "the", "a", "vice", "prime", "first", "us", "u", "s"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _load_word_file(name: str) -> frozenset[str]:
    path = _HERE / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return frozenset(word for line in handle if not line.startswith("#") for word in line.split())


@lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    """Ordinary English words (lowercase dictionary entries): 'cruise', 'stone', 'may', not 'obama'."""
    return _load_word_file("ordinary_words.txt.gz")


@lru_cache(maxsize=1)
def function_words_of_other_languages() -> frozenset[str]:
    """Prepositions, articles, pronouns and conjunctions of the languages written in Latin letters
    (the stop-words package's lists), folded: "en", "na", "am", "op" after a name are words of the
    sentence ("Clinton en la playa"), never a family name."""
    from stop_words import get_stop_words

    words: set[str] = set()
    for language in _LATIN_STOP_WORD_LANGUAGES:
        words.update(fold_text(word) for word in get_stop_words(language))
    return frozenset(word for word in words if word and " " not in word)


_LATIN_STOP_WORD_LANGUAGES = (
    "catalan czech danish dutch english finnish french german hungarian indonesian malaysian italian "
    "norwegian polish portuguese romanian slovak spanish swedish turkish vietnamese"
).split()


@lru_cache(maxsize=1)
def common_given_names() -> frozenset[str]:
    """The team's list of common given names (everyday words such as 'rose' or 'will' left out)."""
    return _load_word_file("given_names.txt")


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Given names: the team's list of common ones plus gender-guesser's 40,000 from many countries
    (folded to ASCII), so a word before a family name can be recognised as someone else's."""
    import gender_guesser.detector

    known = gender_guesser.detector.Detector(case_sensitive=False).names
    return common_given_names() | {fold_text(name) for name in known if " " not in name}


@lru_cache(maxsize=1)
def _given_name_sounds() -> frozenset[str]:
    return frozenset(sound_key(name) for name in given_names() if len(name) >= 4 and name.isalpha())


def _sounds_like_a_given_name(word: str) -> bool:
    """Is this word a known given name, as spelled or, from four letters, as it sounds?"""
    return word in given_names() or (len(word) >= 4 and sound_key(word) in _given_name_sounds())


# The case endings Slavic and Greek put on a given name read in Latin letters ("Илью", ilyu, is
# Ilya; "Олену", olenu, Olena; "Ивану", ivanu, Ivan; Serbian "Малију", maliju, Malia), and what
# the name ends in without them.
_GIVEN_NAME_CASE_ENDINGS = ("u", "yu", "ju", "y", "i", "e", "oy", "ey", "om", "em", "ym", "a", "ya", "ou", "o")
_GIVEN_NAME_ENDS = ("", "a", "ya", "o", "os", "as", "is", "y", "iy")


def _given_name_in_its_grammar(word: str, capitalised: frozenset[str]) -> bool:
    """Is this word, read from another script, a known given name, as spelled or with a case
    ending? With an ending only when it was written with a capital: with some ending cut, a
    pronoun or a noun ("меня", "дома") is somebody's name too."""
    if _sounds_like_a_given_name(word):
        return True
    if word not in capitalised:
        return False
    for ending in _GIVEN_NAME_CASE_ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 3:
            if any(len(stem + end) >= 4 and stem + end in given_names() for end in _GIVEN_NAME_ENDS):
                return True
    return False


@lru_cache(maxsize=1)
def _nicknamer():
    from nicknames import NickNamer

    return NickNamer()


@lru_cache(maxsize=8192)
def same_given_name(written: str, given: str) -> bool:
    """Is `written` another form of the given name: a nickname ("Arnie", "Bill" for William), its
    formal form ("Thomas" for Tom) or a shortening of it ("Leo" for Leonardo)?"""
    if len(written) >= 3 and given.startswith(written) and written != given:
        return True
    namer = _nicknamer()
    return written in namer.nicknames_of(given) or written in namer.canonicals_of(given)


def _consonants(sound: str) -> str:
    return "".join(ch for ch in sound if ch not in "aeiouy")


# First consonants that one script writes for another's: Arabic has no p ("bytyr" for Peter),
# English spelling reads "ch" and "j"/"g" several ways ("tshrly" for Charlie, "grmy" for Jeremy).
_CONSONANT_CLASSES = {ch: group for group in ("bp", "kgjqcsxz", "td") for ch in group}


def _consonant_class(letter: str) -> str:
    return _CONSONANT_CLASSES.get(letter, letter)


def _starts_alike(written: str, wanted: str) -> bool:
    """Do two words start alike through a script that writes few vowels (their skeletons' first
    consonant classes)? A w is a semivowel there: Arabic and Hebrew write it with the vowel letter
    for o and u (و, ו), so it starts like a w, or a v or f as German says it ("Wagner", فاغنر), and
    never like a b: "Owen" (أوين) does not start like "Abu" (أبو)."""
    first = [next((ch for ch in word if ch not in "aeiouhy"), "") for word in (written, wanted)]
    if "w" in first:
        return set(first) <= {"w", "v", "f"}
    return _consonant_class(_skeleton(written)[:1]) == _consonant_class(_skeleton(wanted)[:1])


def _skeleton(text: str) -> str:
    """Consonants only, by sound: what survives transliteration through a script that writes few
    vowels or adds its own (Arabic, Hebrew, kana): 'adam driver' and 'adamu doraiba' -> 'dmdrbr'/'dmdrb'."""
    sound = sound_key(text.replace(" ", "")).replace("v", "b").replace("z", "s").replace("f", "p")
    return "".join(ch for ch in sound if ch not in "aeiou")


# How a script that borrows a foreign name through its own sounds writes its consonants: Japanese,
# Korean and Chinese have one liquid for l and r ("toranpu", "teuleompeu", "te lang pu" for Trump);
# Arabic has no p, Korean no f, Japanese no v ("bytr", "seuwipeuteu", "ribusu" for Reeves); and
# the semivowels and h come and go ("suuifuto", "dwnld"). What is left is a sound class a consonant.
# m and n keep their own classes (every script keeps them apart), and so does j, which names spell
# four ways (John, Johansson, José, Jacques): merged, names that differ only there (Mia and Nia,
# Jade and Kade) would read alike. A ch before r or l is a k (Christopher: クリストファー, คริสโตเฟอร์).
_LOANWORD_DIGRAPHS = (
    ("chr", "kr"),
    ("chl", "kl"),
    ("ph", "p"),
    ("sh", "s"),
    ("ch", "s"),
    ("th", "t"),
    ("ts", "s"),
    ("kh", "k"),
    ("ck", "k"),
)
_LOANWORD_CLASSES = {
    **dict.fromkeys("bpfv", "p"),
    **dict.fromkeys("lr", "r"),
    **dict.fromkeys("kgcq", "k"),
    **dict.fromkeys("szx", "s"),
    **dict.fromkeys("td", "t"),
}
# A c before e, i or y is an s (Priscilla: プリシラ, Vincent: 文森特).
_SOFT_C = re.compile(r"c(?=[eiy])")
# Japanese and Chinese write n for the m before p or b ("toranpu", Trump; "peng bo", Pember-).
_NASAL_BEFORE_LIP = re.compile(r"n(?=[bpfv])")
# Six sound classes say little: two words of any sentence in another script meet a registered
# name's classes by chance, and more often the more names are registered. Measured on 600 texts of
# the training corpus in 12 languages written in other scripts, against 100,000 registered names
# (docs/policy.md, 2026-12-06, measured again with Chinese, Thai, Greek and Korean read their own
# ways, and again with the scripts of India read by sound, a soft g as j and Han nasals both
# ways): the chance that one registered name of this many classes is met in one text. Longer
# names by the same fall, about a sixth a class.
LOANWORD_CHANCE = {5: 1.8e-4, 6: 3.1e-5, 7: 6.2e-6, 8: 8.6e-7}
# The index looks names up this way only from the length at which all the registered names
# together are met by chance in at most this share of texts, a tenth of the over-refusal the
# policy may cost in all: at 100 names, names of 6 classes or more; at 100,000, of 9.
LOANWORD_FALSE_MATCH_BUDGET = 0.005
LOANWORD_MIN_CONSONANTS = 5
# A family name alone beside a title in another script needs fewer classes than a loanword: the
# title says a name is there. How many it needs grows with the registry: against made-up names
# (faker, ten locales), the 210 requests of the corpus in other scripts that hold a title met
# one by chance at 3 classes 20 times with 100 names registered; at 4 classes once with 100
# names, 19 times with 1,000, 45 with 10,000; at 5 never up to 1,000, 7 times with 10,000; at 6
# never (docs/policy.md, 2026-12-07). So: 4 classes up to 300 names ("Merkel", mrkr; "Macron",
# mkrn), 5 up to 10,000 ("Zelensky", srnsk), 6 beyond. "Modi" (mt) is never read this way.
TITLED_MIN_CONSONANTS = ((300, 4), (10_000, 5))
TITLED_MIN_CONSONANTS_BEYOND = 6


def loanword_chance(length: int) -> float:
    if length < min(LOANWORD_CHANCE):
        return 1.0  # never read this way
    return LOANWORD_CHANCE.get(length, LOANWORD_CHANCE[8] / 6 ** (length - 8))


@lru_cache(maxsize=65536)
def loanword_skeleton(word: str) -> str:
    """A romanized word's consonants by sound class, repeats merged: "taylor" and "teira" -> "tr",
    "swift", "suuifuto" and "seuwipeuteu" -> "spt"."""
    for written, said in _LOANWORD_DIGRAPHS:
        word = word.replace(written, said)
    word = _NASAL_BEFORE_LIP.sub("m", _SOFT_C.sub("s", word))
    classes: list[str] = []
    for ch in word:
        if ch in "aeiouhwy" or not ch.isalpha():
            continue
        sound = _LOANWORD_CLASSES.get(ch, ch)
        if not classes or classes[-1] != sound:
            classes.append(sound)
    return "".join(classes)


# Letters of the particles Arabic and Hebrew join to the next word ("to", "and", "in", "the", "from"),
# as read in Latin letters.
_PROCLITIC_LETTERS = frozenset("lbwkfvhm")
# Japanese, Korean and Chinese borrow English names as spoken without the r after a vowel
# ("Turner" is ターナー, taanaa; "Pemberton" 펨버턴, pembeoteon), as British English says them.
_NON_RHOTIC_R = re.compile(r"(?<=[aeiouy])r+(?![aeiouy])")


# An x inside a name is k and s, and other scripts write both ("Maximilian": マキシミリアン,
# 马克西米利安) or only the s (亚历山大, Alexander).
_INNER_X = re.compile(r"(?<=.)x")
# A g before e, i or y is said j in English, Italian and French names (Roger: रोजर, โรเจอร์, ロジャー;
# Angelina, Giorgio), and other scripts write that sound.
_SOFT_G = re.compile(r"g(?=[eiy])")


def loanword_readings(words) -> set[tuple[str, ...]]:
    """A name's words as `loanword_skeleton`s: as spelled, without the r a non-rhotic borrowing
    drops, with an inner x read as ks, and with a j read as the y (or h) most languages other than
    English say ("Johansson": 요한슨, Γιόχανσον; "José": ホセ), and with it a w as the v that German
    and Polish say ("Jaworski": Яворски, יאבורסקי), and with a soft g read as j (`_SOFT_G`)."""
    spellings = {
        tuple(words),
        tuple(_NON_RHOTIC_R.sub("", word) for word in words),
        tuple(_INNER_X.sub("ks", word) for word in words),
        tuple(word.replace("j", "y") for word in words),
        tuple(word.replace("j", "y").replace("w", "v") for word in words),
    }
    spellings |= {tuple(_SOFT_G.sub("j", word) for word in spelling) for spelling in spellings}
    return {tuple(loanword_skeleton(word) for word in spelling) for spelling in spellings}


def word_budget(length: int) -> int:
    """Edits allowed within one word of a name: none for short words, so 'Tim' is not 'Tom'."""
    return 0 if length <= 3 else 1 if length == 4 else 2


def name_budget(length: int) -> int:
    """Edits allowed over a whole name of `length` letters (two for most full names)."""
    return 0 if length <= 4 else 1 if length <= 7 else 2 if length <= 13 else 3


@dataclass(frozen=True)
class NameMatch:
    person_id: int
    name: str  # the registered display name (never shown to users)
    matched: str  # the prompt's words that matched, folded
    how: str  # exact | alias | fuzzy | loanword | reversed | title | initial | nickname | surname | ambiguous
    needs_person_context: bool = False  # the agent must find the sentence to be about a person
    edits: int = 0  # how far the written words are from the registered ones
    reading: str = ""  # the prompt as read where the name was found (decoded, romanized)
    before: tuple[str, ...] = ()  # up to four folded words before the match
    after: tuple[str, ...] = ()  # up to four folded words after it
    # The words around the name are the prompt's own Latin words, not a reading of another
    # script: English context ("the poet", "a ... family") means nothing in "поёт" read as "poet".
    read_in_latin: bool = True
    # An ordinary word read as a family name only by its capital at the start of the prompt: the
    # agent asks the head whether a real person is shown, not whether the sentence is about people.
    needs_real_person: bool = False


@dataclass(frozen=True)
class _Key:
    person_id: int
    name: str
    words: tuple[str, ...]
    sounds: tuple[str, ...]
    codes: tuple[str, ...]
    is_alias: bool
    ordinary: bool  # a one-word name or alias made only of ordinary words ("Drake", "The Rock")
    native: bool = False  # written in its own script (Cyrillic, Arabic, Han, ...), matched in native views
    continuous: bool = False  # a script without spaces (Han, kana, Thai): matched only as a whole

    @property
    def letters(self) -> int:
        return sum(len(word) for word in self.words)


@dataclass(frozen=True)
class _View:
    words: tuple[str, ...]
    original: tuple[str, ...] | None  # the prompt's own words, when capitals can be looked up
    transliterated: bool = False
    decoded: bool = False
    native: bool = False  # every script kept as written (see normalize.fold_native)
    loose_reading: bool = False  # read from a script in LOOSE_READING_SCRIPTS
    syllables: bool = False  # read from Han, a syllable a character: any syllable is near some name's word
    prefixed: bool = False  # read from Arabic or Hebrew, which join particle letters to the next word
    # The Latin readings of the words written with a capital in a script that has capitals
    # (Cyrillic, Greek, Armenian): a transliterated reading has lost them.
    capitalised: frozenset[str] = frozenset()
    unspaced: bool = False  # read from Thai, Lao, Khmer or Burmese, which write no space between words
    # Read from a script without capitals (Arabic, Hebrew, Devanagari, kana, Hangul, ...): a word
    # there is no English word however it reads ("ماكرون" is Macron, not the accent).
    caseless: bool = False
    # Where a further reading differs from the first only in some words (Arabic with alef read as
    # a), only those are looked up word by word: the others were, in the first (a long Arabic
    # request took twice as long when every word was looked up again).
    by_word: frozenset[int] | None = None


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass
class NameIndex:
    ordinary: frozenset[str] = frozenset()
    keys: list[_Key] = field(default_factory=list)
    exact: dict[str, list[int]] = field(default_factory=dict)
    deletes: dict[str, set[str]] = field(default_factory=dict)
    by_sound: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    by_code: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    skeletons: dict[str, set[int]] = field(default_factory=dict)
    family_deletes: dict[str, set[int]] = field(default_factory=dict)  # distinctive family names, by sound
    frequency: dict[str, int] = field(default_factory=dict)  # how many keys share each sound key
    people: dict[int, object] = field(default_factory=dict)  # person id -> the Person as indexed
    keys_of: dict[int, list[int]] = field(default_factory=dict)
    dead: set[int] = field(default_factory=set)  # keys of people removed or changed since the build
    stems: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # indexed words without their ending
    # full names by loanword skeleton -> (key, each word's skeleton)
    loanword: dict[str, list[tuple[int, tuple[str, ...]]]] = field(default_factory=dict)
    # family names by the consonant classes other scripts write them with, for a word beside a
    # title in those scripts (policy/titles.py)
    titled: dict[str, set[int]] = field(default_factory=dict)
    # Chinese and Korean names registered in their own order ("Xi Jinping", "Moon Jae-in"): the
    # first word is the family name a title goes with ("President Xi")
    family_first: dict[str, set[int]] = field(default_factory=dict)
    korean: dict[tuple[str, ...], list[int]] = field(default_factory=dict)  # Korean syllables -> keys
    kanji: dict[str, list[int]] = field(default_factory=dict)  # a name as kanji readings spell it -> keys
    kanji_prefixes: set[str] = field(default_factory=set)  # every beginning of those spellings
    # how many names have each loanword length; people removed since the build still count until the
    # next one, so the chance bound errs on the strict side
    loanword_lengths: dict[int, int] = field(default_factory=dict)
    native_window: int = MAX_WINDOW  # words of the longest name in its own script
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @classmethod
    def build(cls, people, ordinary: frozenset[str] | None = None) -> NameIndex:
        index = cls(ordinary=ordinary_words() if ordinary is None else ordinary)
        given_names(), _nicknamer()  # loaded now, not during the first check that needs them
        for person in people:
            index._add_person(person)
        index._index_rare_words(range(len(index.keys)))
        if index.korean:
            korean.ordinary_readings()  # loaded now, not during the first Korean request
        if index.kanji:
            japanese.kanji_readings()
        return index

    def update(self, people) -> int:
        """Bring the index up to date with the registry in place: new people are indexed, removed
        or changed ones retired (their keys are skipped until the next full build). Costs the
        changes, not the registry: adding one person to 100,000 takes milliseconds, where a full
        build takes seconds. Returns how many people changed."""
        current = {person.id: person for person in people}
        gone = [pid for pid, person in self.people.items() if current.get(pid) != person]
        added = [person for pid, person in current.items() if self.people.get(pid) != person]
        with self.lock:
            for pid in gone:
                self.dead.update(self.keys_of.pop(pid, ()))
                del self.people[pid]
            first = len(self.keys)
            for person in added:
                self._add_person(person)
            self._index_rare_words(range(first, len(self.keys)))
        return len(gone) + len(added)

    def __len__(self) -> int:
        return len(self.people)

    def _add_person(self, person) -> None:
        first = len(self.keys)
        for written, is_alias in [(person.name, False)] + [(alias, True) for alias in person.aliases]:
            if not has_other_script(written):
                self._add(person.id, person.name, unleet(written).split(), is_alias)
                for syllables in korean.name_readings(written):
                    self.korean.setdefault(syllables, []).append(len(self.keys) - 1)
                for spelled in japanese.name_targets(written):
                    self.kanji.setdefault(spelled, []).append(len(self.keys) - 1)
                    self.kanji_prefixes.update(spelled[:i] for i in range(1, len(spelled) + 1))
                continue
            # A name in another script is matched in that script in requests written in it, and
            # through its Latin reading where that reading is safe to look for ("Путин" -> "putin";
            # not "דוד" -> "dvd").
            self._add(person.id, person.name, fold_native(written, leet=True).split(), is_alias, native=True)
            for reading in romanizations(written):
                if latin_reading_is_safe(reading):
                    self._add(person.id, person.name, reading.split(), is_alias)
        self.people[person.id] = person
        self.keys_of[person.id] = list(range(first, len(self.keys)))
        for key in self.keys[first:]:
            for sound in set(key.sounds):
                self.frequency[sound] = self.frequency.get(sound, 0) + 1

    def _add(self, person_id: int, name: str, words: list[str], is_alias: bool, native: bool = False) -> None:
        words = tuple(w for w in words if w not in _SUFFIXES)
        if not words:
            return
        sounds = tuple(sound_key(w) for w in words)
        # A full name of ordinary words ("Tom Cruise") is still a name when its words stand together;
        # a one-word name or an alias of ordinary words ("Drake", "The Rock") may be just words.
        ordinary = (is_alias or len(words) == 1) and all(w in self.ordinary or w in FUNCTION_WORDS for w in words)
        continuous = native and any(script_of(ch) in CONTINUOUS_SCRIPTS for ch in "".join(words))
        codes = tuple("" if native else jellyfish.metaphone(w) for w in words)
        key = _Key(person_id, name, words, sounds, codes, is_alias, ordinary and not native, native, continuous)
        key_id = len(self.keys)
        self.keys.append(key)
        for joined in {"".join(words), sound_key("".join(words))}:
            self.exact.setdefault(joined, []).append(key_id)
        if native:
            # The romanized readings of prompts (skeletons, syllables) are matched against the
            # key's Latin reading, never against its own script.
            self.native_window = max(self.native_window, len(words))
            return
        if not is_alias and len(words) in (2, 3) and words[0] in FAMILY_FIRST:
            self.family_first.setdefault(words[0], set()).add(key_id)
        family = words[-1]
        if not is_alias and len(words) > 1:
            for (skeleton,) in loanword_readings((family,)):
                if len(skeleton) >= TITLED_MIN_CONSONANTS[0][1]:
                    self.titled.setdefault(skeleton, set()).add(key_id)
        if not is_alias and len(words) > 1 and family not in self.ordinary and len(family) >= 5:
            for variant in _deletes(sounds[-1]) | {sounds[-1]}:
                self.family_deletes.setdefault(variant, set()).add(key_id)
        if len(words) > 1:
            for borrowed in loanword_readings(words):
                if all(borrowed) and len("".join(borrowed)) >= LOANWORD_MIN_CONSONANTS:
                    joined = _joined_skeletons(borrowed)
                    self.loanword.setdefault(joined, []).append((key_id, borrowed))
                    self.loanword_lengths[len(joined)] = self.loanword_lengths.get(len(joined), 0) + 1
            self.__dict__.pop("loanword_min_length", None)
        skeleton = _skeleton("".join(words))
        if len(words) > 1 and len(skeleton) >= 5:
            for variant in _deletes(skeleton) | {skeleton}:
                self.skeletons.setdefault(variant, set()).add(key_id)

    def _index_rare_words(self, key_ids) -> None:
        """Index each key under its one or two rarest words (usually the family name)."""
        frequency = self.frequency
        for key_id in key_ids:
            key = self.keys[key_id]
            if key.continuous:
                continue  # one word a character: matched as a whole only (see _find_joined)
            ranked = sorted(
                (frequency[s], position == 0, -len(s), position) for position, s in enumerate(key.sounds) if len(s) >= 2
            )
            chosen = ranked[:1] + [r for r in ranked[1:2] if r[0] <= MAX_KEYS_PER_INDEXED_WORD]
            for *_, position in chosen:
                sound = key.sounds[position]
                if sound not in self.by_sound and len(sound) >= 3:
                    # Deletes of the written word too: a misspelling may be close in letters but
                    # not in sound ("Zeehrine" for "Zephyrine").
                    for variant in _deletes(sound) | {sound} | _deletes(key.words[position]):
                        self.deletes.setdefault(variant, set()).add(sound)
                self.by_sound.setdefault(sound, []).append((key_id, position))
                self.by_code.setdefault(key.codes[position], []).append((key_id, position))
                stem = _stem(key.words[position])
                if stem:
                    self.stems.setdefault(stem, []).append((key_id, position))

    # -- matching ------------------------------------------------------------------------------

    def find(self, prompt: str) -> list[NameMatch]:
        """Every occurrence of a registered person in `prompt` (an occurrence found in several
        views of the prompt is reported once)."""
        if not self.people or not prompt:
            return []
        found: dict[tuple, NameMatch] = {}
        with self.lock:
            for view in _views(prompt):
                self._find_joined(view, found)
                self._find_by_word(view, found)
                if self.family_first and not view.decoded:
                    self._find_family_first(view, found)
            if self.titled and has_other_script(prompt):
                self._find_titled(prompt, found)
            if 0 < len(self.korean) <= korean.MAX_INDEXED and any(korean.is_hangul(ch) for ch in prompt):
                self._find_korean(prompt, found)
            if 0 < len(self.kanji) <= japanese.MAX_TARGETS and any(japanese.is_kanji(ch) for ch in prompt):
                self._find_kanji(prompt, found)
        # Words that spell one registered name exactly are that person, not a near-miss of another
        # ("Tovtov Salogorson" registered beside "Tovgor Salogorson").
        exact_spans = {match.matched for match in found.values() if match.edits == 0}
        return [match for match in found.values() if match.edits == 0 or match.matched not in exact_spans]

    def _find_family_first(self, view: _View, found: dict) -> None:
        """A Chinese or Korean family name after a title ("President Xi", "Chairman Xi",
        "президента Си", "President Moon"), for names registered family name first. Only after a
        title: alone, "Xi" or "Moon" is anyone or anything; an ordinary word needs its capital."""
        for position, word in enumerate(view.words):
            key_ids = self.family_first.get(word)
            if not key_ids or not _after_title(view.words, position):
                continue
            if word in self.ordinary and not (
                view.original and _capitalised(view.original, [word]) == "inside" or word in view.capitalised
            ):
                continue
            for key_id in key_ids - self.dead:
                _keep(found, self._match(self.keys[key_id], view, position, position, "title"))

    def _find_titled(self, prompt: str, found: dict) -> None:
        """A family name alone beside a title in another script ("الرئيس ماكرون", "メルケル首相",
        "马克龙总统"), compared by its consonant classes as borrowings write them. The title is
        the evidence a lone word of three or four classes lacks (policy/titles.py)."""
        people = len(self.people)
        fewest = next(
            (length for most, length in TITLED_MIN_CONSONANTS if people <= most), TITLED_MIN_CONSONANTS_BEYOND
        )
        for written in titles.titled_words(prompt):
            for reading in romanizations(written):
                joined = reading.replace(" ", "")
                # a final -ng is how Han, Hangul and Thai end a borrowed n ("ma ke long", 마크롱)
                for spelling in {joined, re.sub(r"ng$", "n", joined)}:
                    skeleton = loanword_skeleton(spelling)
                    if len(skeleton) < fewest:
                        continue
                    for key_id in self.titled.get(skeleton, ()):
                        if key_id not in self.dead:
                            key = self.keys[key_id]
                            match = NameMatch(
                                key.person_id, key.name, written, "title", reading=prompt, read_in_latin=False
                            )
                            _keep(found, match)

    def _find_korean(self, prompt: str, found: dict) -> None:
        """Names written in Hangul as Korean writes them, read syllable by syllable (korean.py).
        One that is also a Korean word ("이미지") counts where the request is about a person."""
        lengths = range(korean.MIN_SYLLABLES, korean.MAX_SYLLABLES + 1)
        for written, syllables in korean.names_in(prompt, lengths):
            for key_id in self.korean.get(syllables, ()):
                if key_id in self.dead:
                    continue
                key = self.keys[key_id]
                match = NameMatch(
                    key.person_id,
                    key.name,
                    written,
                    "korean",
                    needs_person_context=syllables in korean.ordinary_readings(),
                    reading=prompt,
                    read_in_latin=False,
                )
                _keep(found, match)

    def _find_kanji(self, prompt: str, found: dict) -> None:
        """Japanese names written in kanji, read as the registered name spells them (japanese.py)."""
        for run in japanese.kanji_runs(prompt):
            for written, spelled in japanese.names_in(run, self.kanji_prefixes, self.kanji):
                for key_id in self.kanji.get(spelled, ()):
                    if key_id not in self.dead:
                        key = self.keys[key_id]
                        _keep(
                            found,
                            NameMatch(key.person_id, key.name, written, "kanji", reading=prompt, read_in_latin=False),
                        )

    def _find_joined(self, view: _View, found: dict[int, NameMatch]) -> None:
        """Whole names written with any spacing: windows of prompt words joined, exact or by sound."""
        words = view.words
        window = self.native_window if view.native else MAX_WINDOW
        # Han syllables: windows longer than words need are read as loanwords only
        reach = max(window, MAX_SYLLABLE_WINDOW if view.syllables and self.loanword else 0)
        for start in range(len(words)):
            joined = ""
            for end in range(start, min(start + reach, len(words))):
                if end - start >= window:
                    self._find_loanword(view, start, end, found)
                    continue
                joined += words[end]
                handle = joined.rstrip("0123456789")  # a social handle: "@taylorswift13"
                for lookup in {joined, sound_key(joined), handle if len(handle) >= 6 else joined}:
                    for key_id in self.exact.get(lookup, ()):
                        if key_id in self.dead:
                            continue
                        key = self.keys[key_id]
                        _keep(found, self._whole_match(key, view, start, end, "alias" if key.is_alias else "exact"))
                if view.transliterated and end > start:
                    self._find_skeleton(view, start, end, found)
                    self._find_syllable_family_name(view, start, end, found)
                if view.transliterated and (end > start or view.loose_reading):
                    self._find_loanword(view, start, end, found)

    def _find_syllable_family_name(self, view: _View, start: int, end: int, found: dict) -> None:
        """A distinctive family name written syllable by syllable (Chinese: "ao ba ma")."""
        sound = sound_key("".join(view.words[start : end + 1]))
        if len(sound) < 5:
            return
        candidates: set[int] = set()
        for variant in _deletes(sound) | {sound}:
            candidates.update(self.family_deletes.get(variant, ()))
        for key_id in sorted(candidates - self.dead):
            key = self.keys[key_id]
            distance = DamerauLevenshtein.distance(sound, key.sounds[-1])
            # Han writes a foreign name's consonants and adjusts its vowels ("ao ba ma"): one
            # vowel edit is the script; a changed consonant is another word ("ren nan", "Brennan").
            # Two syllables are one of the language's commonest words ("shi ren"): three at least.
            vowel_edit = distance == 1 and end - start >= 2 and _consonants(sound) == _consonants(key.sounds[-1])
            if distance == 0 or vowel_edit or (distance == 1 and len(key.sounds[-1]) >= FUZZY_FAMILY_LENGTH):
                _keep(found, self._match(key, view, start, end, "surname", edits=distance))

    def _find_skeleton(self, view: _View, start: int, end: int, found: dict[int, NameMatch]) -> None:
        """Whole names through scripts that drop or add vowels: the consonants, within one edit
        (katakana drops a final r: "doraiba" for Driver). Only there, over as many words as the
        name has, each starting like the name's word: a window of any words read through any
        script meets some registered skeleton by chance (Korean "초원의 말", a horse on a meadow,
        was one edit from "Matteo Bianchi"; Arabic "وحيد بسيف", alone with a sword, from "Nadia
        Bishop")."""
        if not view.loose_reading:
            return
        skeleton = _skeleton("".join(view.words[start : end + 1]))
        if len(skeleton) < 5:
            return
        candidates: set[int] = set()
        for variant in _deletes(skeleton) | {skeleton}:
            candidates.update(self.skeletons.get(variant, ()))
        for key_id in sorted(candidates - self.dead):
            key = self.keys[key_id]
            written = view.words[start : end + 1]
            if len(written) != len(key.words) or not all(
                _starts_alike(w, k) for w, k in zip(written, key.words, strict=True)
            ):
                continue  # a name keeps its words and how each one starts through any script
            distance = DamerauLevenshtein.distance(skeleton, _skeleton("".join(key.words)))
            if distance <= 1:
                _keep(found, self._match(key, view, start, end, "fuzzy", edits=distance + 1))

    @cached_property
    def loanword_min_length(self) -> int:
        """The fewest sound classes a name read as a loanword must keep (LOANWORD_FALSE_MATCH_BUDGET)."""
        chance = 0.0
        for length in sorted(self.loanword_lengths, reverse=True):
            chance += self.loanword_lengths[length] * loanword_chance(length)
            if chance > LOANWORD_FALSE_MATCH_BUDGET:
                return length + 1
        return LOANWORD_MIN_CONSONANTS

    def _find_loanword(self, view: _View, start: int, end: int, found: dict) -> None:
        """A full name written as another script borrows it (`loanword_skeleton`): every word of
        the name, in order, is one or more words of the prompt with its consonant classes
        ("teira suuifuto" for Taylor Swift; Han a syllable a word: "tai lei si wei fu te"), or the
        whole name run together ("キアヌリーブス"). Arabic and Hebrew may join a particle letter
        to the name's first word ("صورة لريهانا", a picture of Rihanna)."""
        if view.decoded:
            return  # reversed or encoded text read as a loanword is noise
        written = view.words[start : end + 1]
        # Each reading is one more chance to meet a name by chance: a reading that takes a letter
        # its less usual way needs one sound class more (about a sixth of the chance,
        # LOANWORD_CHANCE).
        if view.syllables:
            plain, *others = _pinyin_readings(written)
            readings = {plain: 0, **{other: 1 for other in others if other != plain}}
        elif view.unspaced and len(written) > 1:
            readings = _unspaced_readings(written)
        else:
            readings = {written: 0}
        first = written[0]
        if view.prefixed and first[0] in _PROCLITIC_LETTERS and len(first) > 3:
            readings[(first[1:], *written[1:])] = 0
        for reading, extra in readings.items():
            if not (loanword_skeleton(reading[0]) and loanword_skeleton(reading[-1])):
                continue  # the name starts and ends with its own words, not "hua" (画, draw) before it
            loose = _run_skeleton(reading)
            if len(loose) < self.loanword_min_length + extra:
                continue
            for key_id, borrowed in self.loanword.get(loose, ()):
                key = self.keys[key_id]
                if key_id in self.dead or (len(reading) > len(key.words) and not view.syllables):
                    continue  # a name keeps its words
                if len(reading) == 1 or _splits_into(reading, borrowed):  # one word: run together
                    _keep(found, self._match(key, view, start, end, "loanword", edits=1))

    def _whole_match(self, key: _Key, view: _View, start: int, end: int, how: str) -> NameMatch | None:
        """A whole key found at words[start..end]; ordinary-word names need to be written as names."""
        joined = "".join(view.words[start : end + 1])
        if (
            len(key.words) == 1
            and not key.is_alias
            and start > 0
            and not view.decoded
            and self._names_someone_else(view.words[start - 1], view)
        ):
            return None  # "Sir Francis Drake" is not "Drake"
        if key.ordinary or len(joined) < 3:
            # "Drake", "The Rock": with a capital inside the sentence it is a name; otherwise
            # (lowercase, or only the prompt's first word capitalised) the agent asks the sentence
            # embedding whether the prompt is about a person.
            written = _capitalised(view.original, view.words[start : end + 1]) if view.original else None
            return self._match(key, view, start, end, "ambiguous", needs_person_context=written != "inside")
        return self._match(key, view, start, end, how)

    def _find_by_word(self, view: _View, found: dict[int, NameMatch]) -> None:
        for position, word in enumerate(view.words):
            if len(word) < 2 or (view.by_word is not None and position not in view.by_word):
                continue
            sound = sound_key(word)
            candidates: set[tuple[int, int]] = set(self.by_sound.get(sound, ()))
            if view.decoded or view.syllables:
                # `_word_distance` takes only a word as it sounds there: near words are not looked up
                # (with 100,000 names they were thousands of candidates a Chinese request).
                self._verify_all(candidates, view, position, found)
                continue
            # Short words ("Lee") are looked up as they sound only: one edit from two letters is anything.
            for variant in (_deletes(sound) | {sound} | _deletes(word)) if len(sound) >= 3 else ():
                candidates.update(pair for indexed in self.deletes.get(variant, ()) for pair in self.by_sound[indexed])
            if view.transliterated:
                candidates.update(self.by_code.get(jellyfish.metaphone(word), ()))
            if not (view.transliterated or view.native or view.decoded):
                # A Latin-script case ending ("obamovi", "bidennek"): the word without it.
                for cut in range(1, min(_MAX_LATIN_ENDING, len(word) - _MIN_STEM) + 1):
                    if word[-cut:] in LATIN_CASE_ENDINGS:
                        base = word[: len(word) - cut]
                        candidates.update(self.stems.get(base, ()))
                        candidates.update(self.by_sound.get(sound_key(base), ()))
            if view.transliterated or view.native:
                # Inflected ("путину", "obamovi") or, in Arabic and Hebrew, with a prefix ("לנתניהו").
                for cut in range(0, min(_MAX_ENDING, len(word) - 2) + 1):
                    candidates.update(self.stems.get(word[: len(word) - cut], ()))
                if _takes_prefixes(word):
                    for cut in range(1, _MAX_PREFIX + 1):
                        candidates.update(self.by_sound.get(sound_key(word[cut:]), ()))
            self._verify_all(candidates, view, position, found)

    def _verify_all(self, candidates: set[tuple[int, int]], view: _View, position: int, found: dict) -> None:
        for key_id, key_position in sorted(candidates):
            if key_id not in self.dead:
                _keep(found, self._verify(self.keys[key_id], view, position, key_position))

    def _verify(self, key: _Key, view: _View, position: int, key_position: int) -> NameMatch | None:
        if key.ordinary:
            return None  # only as a whole, written as a name (see _whole_match)
        n = len(key.words)
        if n == 1:
            distance = self._word_distance(view, position, key, 0)
            if (
                distance is None
                or distance > name_budget(key.letters)
                or (distance and len(key.words[0]) < 6)
                or (distance >= 2 and not _typo_like(view.words[position : position + 1], key))
            ):
                return None
            return self._match(
                key,
                view,
                position,
                position,
                "alias" if key.is_alias else ("exact" if distance == 0 else "fuzzy"),
                edits=distance,
            )
        span = self._align_forward(key, view, position, key_position)
        if span is not None:
            start, end, total = span
            how = "alias" if key.is_alias else ("exact" if total == 0 else "fuzzy")
            return self._match(key, view, start, end, how, edits=total)
        if key_position == n - 1:
            reversed_span = self._align_reversed(key, view, position)
            if reversed_span is not None:
                return self._match(key, view, reversed_span[0], reversed_span[1], "reversed", edits=reversed_span[2])
            if not key.is_alias:
                return self._family_name_alone(key, view, position)
        return None

    def _latin_case_form(self, view: _View, written: str, wanted: str) -> bool:
        """A name word with a case ending of a Latin-script language that inflects names. Never an
        ordinary English word ("musky" is not Musk) or another given name ("Adela" is not Adele)."""
        return (
            not (view.native or view.transliterated or view.decoded)
            and written not in self.ordinary
            and written not in given_names()
            and latin_case_form(written, wanted)
        )

    def _word_distance(self, view: _View, position: int, key: _Key, j: int, *, whole_name: bool = False) -> int | None:
        """Edits between prompt word `position` and key word `j`, or None when too far apart.
        `whole_name`: the other words of a full name must agree too, so a looser reading will do."""
        written, wanted = view.words[position], key.words[j]
        if written == wanted or sound_key(written) == key.sounds[j]:
            return 0  # the same word, or written as it sounds ("Ли" -> "li" for "Lee")
        if view.decoded or view.syllables:
            # reversed or ROT13 text is gibberish, and Han read a syllable a character is a few
            # hundred syllables: either could be near anything, so exact only
            return None
        if (view.native or view.transliterated) and inflected(written, wanted):
            return 0  # the name with a grammatical ending or prefix: "путину", "לנתניהו", "김정은이"
        if self._latin_case_form(view, written, wanted):
            return 0  # "Obamovi", "Putinem", "Bidennek", "Obamalle": a case ending in a Latin script
        if j == 0 and len(key.words) > 1 and same_given_name(written, wanted):
            return 1  # "Bill Clinton" for "William Clinton", "Leo DiCaprio", "Arnie Schwarzenegger"
        if (
            j == 0
            and len(key.words) > 1
            and written in given_names()
            and written not in self.ordinary
            and sound_key(written) != key.sounds[0]
            and DamerauLevenshtein.distance(written, wanted) >= 2
        ):
            return None  # another given name: "Robbie Williams" is not "Robin Williams"
        budget = word_budget(len(wanted))
        if budget == 0:
            return None
        distance = DamerauLevenshtein.distance(written, wanted, score_cutoff=budget + 1)
        if abs(len(written) - len(wanted)) <= budget:  # "Ryan" must not sound like "Rihanna"
            distance = min(
                distance, DamerauLevenshtein.distance(sound_key(written), key.sounds[j], score_cutoff=budget + 1)
            )
        if distance <= budget:
            return distance
        # Transliteration loses more than spelling does ("Kruz"): the same Metaphone code is
        # enough there, and only there.
        if (
            view.transliterated
            and len(wanted) >= 3
            # a word alone needs four consonants of code: three are met by ordinary words ("mkan",
            # a house, is Mokoena's); in a whole name ("Себастьян Моро") the other words agree too
            and (whole_name or (len(written) >= 4 and len(key.codes[j]) >= 4))
            and jellyfish.metaphone(written) == key.codes[j]
        ):
            return 1
        return None

    def _middle_word(self, view: _View, position: int) -> bool:
        """Could this word be a middle name or an initial inside a name ("Adam J. Driver", "Amber
        Lee Heard")? Not a word of the sentence's grammar, nor an ordinary word unless it is a
        common given name or written with a capital."""
        word = view.words[position]
        if word in FUNCTION_WORDS or word in TITLES:
            return False
        if len(word) == 1 or word not in self.ordinary or word in common_given_names():
            return True
        return bool(view.original) and _capitalised(view.original, [word]) == "inside"

    def _align_forward(self, key: _Key, view: _View, position: int, key_position: int) -> tuple[int, int, int] | None:
        """The whole key in order around `position`, middle names/initials allowed between words;
        a key's own middle words may be left out or written as an initial."""
        words, n = view.words, len(key.words)
        anchor = self._word_distance(view, position, key, key_position, whole_name=True)
        if anchor is None:
            return None
        total, start, end = anchor, position, position
        for direction, indices in ((-1, range(key_position - 1, -1, -1)), (1, range(key_position + 1, n))):
            edge = position
            for j in indices:
                optional = 0 < j < n - 1
                placed = None
                step = edge + direction
                skipped = 0
                while 0 <= step < len(words) and skipped <= MAX_MIDDLE_WORDS:
                    word = words[step]
                    distance = self._word_distance(view, step, key, j, whole_name=True)
                    if distance is None and optional and len(word) == 1 and word == key.words[j][0]:
                        distance = 0  # "Philip S. Hoffman"
                    if distance is not None:
                        placed = (step, distance)
                        break
                    if not self._middle_word(view, step):
                        break
                    step += direction
                    skipped += 1
                if placed is None:
                    if optional:
                        continue
                    return None
                edge, distance = placed
                total += distance
                start, end = min(start, edge), max(end, edge)
        if total and all(word in self.ordinary or word in FUNCTION_WORDS for word in words[start : end + 1]):
            return None  # dictionary words near a name are those words ("own bakery", Owen Baker)
        if total > name_budget(key.letters) or (total >= 2 and not _typo_like(words[start : end + 1], key)):
            return None
        return start, end, total

    def _align_reversed(self, key: _Key, view: _View, position: int) -> tuple[int, int, int] | None:
        """Family name first ("Driver, Adam", "Cruise Tom"): the given name right after it."""
        after = position + 1
        if after >= len(view.words):
            return None
        family = self._word_distance(view, position, key, len(key.words) - 1)
        given = self._word_distance(view, after, key, 0)
        # Stricter than in order: one edit at most, since reversed word pairs occur in ordinary text.
        if family is None or given is None or family + given > min(1, name_budget(key.letters)):
            return None
        for j in range(1, len(key.words) - 1):  # middle names after the given name ("Ortiz, Daniel Day")
            if after + 1 < len(view.words) and self._word_distance(view, after + 1, key, j) == 0:
                after += 1
        return position, after, family + given

    def _family_name_alone(self, key: _Key, view: _View, position: int) -> NameMatch | None:
        """The family name without the given name, when something says it is this person."""
        family, words = key.words[-1], view.words
        if len(family) < 3:
            return None
        distance = self._word_distance(view, position, key, len(key.words) - 1)
        previous = words[position - 1] if position > 0 else ""
        # Through a loosely read script the given name may come out garbled ("n frys" for Anna
        # Faris); one that still starts like it is evidence enough for an edit in the family name.
        # (Elsewhere too it gained one attack in 1,761 for eight false matches in 17,981 requests.)
        garbled_given = view.loose_reading and previous and _starts_alike(previous, key.words[0])
        # Read from another script and written there as a name, one letter more is a case ending
        # ("Макрона", Macron's): see `written_as_a_name_abroad` below.
        read_abroad = view.transliterated and len(family) >= 5
        capital_abroad = read_abroad and words[position] in view.capitalised
        abroad = capital_abroad or (read_abroad and view.caseless and not (view.syllables or view.loose_reading))
        ending_abroad = capital_abroad and len(words[position]) > len(family)
        allowed = 1 if len(family) >= FUZZY_FAMILY_LENGTH or garbled_given or ending_abroad else 0
        if distance is None or distance > allowed:
            return None
        if distance and words[position] in self.ordinary:
            return None  # a word of the dictionary near a family name is that word ("lonely", Donnelly)
        given = key.words[0]
        if len(key.words) >= 3 and previous and self._word_distance(view, position - 1, key, len(key.words) - 2) == 0:
            # A double-barrelled family name ("Okonkwo-Reyes"), unless another given name precedes
            # it; the registrant's own middle name is theirs ("Lula da Silva").
            if (
                position >= 2
                and words[position - 2] not in key.words[1:-2]
                and self._names_someone_else(words[position - 2], view)
            ):
                return None
            # the match spans the middle name too, so the refusal's alternative leaves none of it
            start = position - 2 if position >= 2 and words[position - 2] in key.words[1:-2] else position - 1
            return self._match(key, view, start, position, "surname", edits=distance)
        if previous and len(previous) == 1 and previous == given[0] and _latin_view(view):
            # through another script a one-letter word is a preposition ("в ванне", in the bath)
            return self._match(key, view, position - 1, position, "initial")
        if previous and same_given_name(previous, given):
            return self._match(key, view, position - 1, position, "nickname")  # "Leo DiCaprio", "Arnie"
        if previous and len(previous) >= 3 and previous in key.words[1:-1] and previous not in common_given_names():
            # a middle name of the registered one, the name someone goes by ("Tayyip Erdoğan"); a
            # common given name there may be someone else's ("Jessica Parker")
            return self._match(key, view, position - 1, position, "middle")
        # After a title, an ordinary-word family name still needs its capital: "Lady Cross", not
        # "an old lady cross the street".
        if _after_title(words, position) and (
            family not in self.ordinary
            or not view.original
            or _capitalised(view.original, [words[position]]) is not None
        ):
            return self._match(key, view, position, position, "title", edits=distance)
        if len(family) < 4:
            return None  # "Lee" alone is too common to be anyone in particular
        if self._after_particle_of_another_name(view, position, key.words):
            return None  # "Eugene de Kock" is not "Abel Cook"; "un dibujo de Cook" still reads as Cook
        distinctive = family not in self.ordinary and len(family) >= 5
        # Read from another script, a family name that is also an English word ("Макрона", Macron)
        # is the name when written with a capital there or in a script that has none; Han
        # syllables and loose readings (kana, abjads) meet English words by chance and are left out.
        written_as_a_name_abroad = abroad and (not distance or ending_abroad)
        if previous and self._names_someone_else(previous, view):
            # Through another script the given name may come out garbled ("beolag obama"): it is
            # someone else's only when it romanizes to another known given name ("Мишель"), as
            # spelled or as it sounds ("Τακάσι", takasi, is Takashi; "Винус", vinus, Venus).
            if not (view.transliterated and (distinctive or written_as_a_name_abroad)) or (
                _given_name_in_its_grammar(previous, view.capitalised)
                and loanword_skeleton(previous) != loanword_skeleton(given)
            ):
                return None  # (a given name that sounds like this person's own is theirs: "Томаш")
        following = words[position + 1] if position + 1 < len(words) else ""
        if (
            (family in given_names() or words[position] in given_names())
            and following
            and view.original
            and _capitalised(view.original, [following]) == "inside"
            and following not in TITLES
        ):
            return None  # "Dylann Roof": a given name followed by someone's family name
        if (
            (family in given_names() or words[position] in given_names())
            and following
            and following not in FUNCTION_WORDS
            and following not in self.ordinary
            and following not in TITLES
            and following not in function_words_of_other_languages()
            and not _capital_then_lowercase(view, words[position], following)
        ):
            return None  # the family name used as someone's given name: "Dylan Thomas", "Robbie Williams"
        if distinctive:
            return self._match(key, view, position, position, "surname", edits=distance)
        # An ordinary word as a family name ("Cruise", "Close") needs a capital inside the sentence
        # (at its start a capital is only grammar) and a sentence about a person.
        written = _capitalised(view.original, [words[position]]) if view.original else None
        if written == "inside":
            return self._match(key, view, position, position, "surname", needs_person_context=True, edits=distance)
        if written is None and view.original and _in_capitals(view.original, words[position]):
            written = "initial"  # "TRUMP IN A CLOWN COSTUME": capitals throughout say as little as at the start
        if written == "initial" and not distance:
            # At the start a capital may be only grammar ("Stone walls in Kent", "Hunter posing
            # with a deer"): there only the head's reading of a real person decides ("Macron
            # dressed as Napoleon"), not a sentence about people in general.
            match = self._match(key, view, position, position, "surname", needs_person_context=True)
            return dataclasses.replace(match, needs_real_person=True)
        if written_as_a_name_abroad:
            return self._match(key, view, position, position, "surname", needs_person_context=True)
        return None

    def _after_particle_of_another_name(self, view: _View, position: int, own: tuple[str, ...]) -> bool:
        """Is the family name the end of another person's name with a particle: a given name, one
        or two particles ("van der"), then it? A particle alone is also a preposition ("retrato de
        Cook", a portrait of Cook): only the given name before it says the name is someone else's,
        and not the registrant's own ("Abel van der Cook" is Abel Cook in disguise).
        Latin script only: read from another script, "de" is a word of that language (Ukrainian
        "де", where)."""
        if not _latin_view(view):
            return False
        before = position - 1
        while before >= 0 and view.words[before] in NAME_PARTICLES and position - before <= 2:
            before -= 1
        owner = view.words[before] if before >= 0 else ""
        given = own[0]
        if before == position - 1 or not owner or owner in own[:-1] or same_given_name(owner, given):
            return False  # (the registrant's own given or middle name: "Lula da Silva")
        if _capital_then_lowercase(view, view.words[position], owner):
            return False  # "una foto de Clinton": a word of the sentence before the particle, not a given name
        if owner not in given_names():
            return False  # "ein Bild von Merkel": German writes its nouns with a capital too
        return self._names_someone_else(owner, view)

    def _names_someone_else(self, previous: str, view: _View) -> bool:
        """'Chelsea Clinton' is not 'Bill Clinton': a different given name before the family name."""
        if previous in FUNCTION_WORDS or previous in TITLES or previous in NAME_PARTICLES or previous.isdigit():
            return False  # ("Mevrouw Von der Leyen": a particle is nobody's given name, even capitalised)
        if view.transliterated and len(previous) <= 2:
            return False  # a particle of the other language ("де Путін", where Putin), not a given name
        if view.native and has_other_script(previous):
            # No dictionary of other languages here: only a known given name ("мишель") is someone else's.
            reading = romanize(previous)
            return reading in given_names() and reading not in self.ordinary
        if previous in common_given_names():
            return True
        if previous not in self.ordinary:
            # A word of no English dictionary is someone's given name when it is a known one, or
            # written with a capital inside the sentence; otherwise it is a word of another
            # language ("dibujo de Obama", "rysunek Putinowi"), not a name. The long list of given
            # names holds particles and prepositions too ("de", "van", "del"): four letters at least.
            if view.decoded:
                return True  # in reversed or encoded text every word is unknown: stay strict
            if view.original is None:
                return True  # read from another script, whose capitals are not at hand: stay strict
            # The long list holds words of other languages too ("foto", "anh"): one of them is a
            # given name where it is written as one (at the start, where a capital may be grammar,
            # as before), and in a prompt written all in lowercase only when it is a common one.
            written = _capitalised(view.original, [previous])
            if written is None and "".join(previous.split()) not in _first_windows(view.original):
                written = "initial"  # read from another script: its capitals are not these letters
            return written == "inside" or (written == "initial" and previous in given_names() and len(previous) >= 4)
        if not view.original:
            return False
        if any(word[:1].isupper() and fold_text(word) == previous for word in view.original[1:]):
            return True
        # an ordinary word that is also a given name, capitalised at the start ("Marina Silva")
        return previous in given_names() and _capitalised(view.original, [previous]) == "initial"

    def _match(
        self,
        key: _Key,
        view: _View,
        start: int,
        end: int,
        how: str,
        *,
        needs_person_context: bool = False,
        edits: int = 0,
    ) -> NameMatch:
        if view.decoded:
            needs_person_context = False  # nobody base64-encodes a duck: hiding the word is the tell
        words = view.words
        return NameMatch(
            key.person_id,
            key.name,
            " ".join(words[start : end + 1]),
            how,
            needs_person_context,
            edits,
            before=tuple(words[max(0, start - 4) : start]),
            after=tuple(words[end + 1 : end + 5]),
            reading=" ".join(words),
            read_in_latin=not (view.transliterated or view.native or view.syllables),
        )


def _typo_like(written: tuple[str, ...], key: _Key) -> bool:
    """Are two or more edits a misspelling? Typing slips drop, add, double, swap or change letters;
    changing two consonants into other consonants makes another name ("Rosa Parks" is not "Rosa
    Banks", although both are two edits apart)."""
    source = "".join(w for w in written if len(w) > 1 or w in key.words)
    target = "".join(key.words)
    replaced = [(source[i], target[j], i) for op, i, j in Levenshtein.editops(source, target) if op == "replace"]
    swapped = {
        i for (a, b, i), (c, d, k) in zip(replaced, replaced[1:], strict=False) if k == i + 1 and a == d and b == c
    }
    consonant_swaps = [
        1 for a, b, i in replaced if i not in swapped and i - 1 not in swapped and a not in _VOWELS and b not in _VOWELS
    ]
    return len(consonant_swaps) <= 1


# -- grammar: endings and prefixes --------------------------------------------------------------

# Letters a name word may lose before a case ending ("обама" -> "обаме", "γιωργοσ" -> "γιωργου",
# "obama" -> "obamovi"): vowels, the Greek final s, the Cyrillic soft sign and short i.
_STEM_LETTERS = frozenset("aeiouyаеиоуыэюяйьαεηιουωσ")
_MAX_ENDING = 3  # letters of a case ending ("-ому", "-ovi"); Korean particles are one or two syllables
_MAX_PREFIX = 2  # Arabic and Hebrew write "and", "to", "the", "in" as letters before the word
_MIN_STEM = 4  # shorter stems ("анн-", "iva-") would reach other words and other names
_PREFIXING_SCRIPTS = frozenset({"ARABIC", "HEBREW"})
_UNSPACED_SCRIPTS = frozenset({"THAI", "LAO", "KHMER", "MYANMAR"})
_THAI_LETTERS = (("w", "v"), ("ch", "j"))


def _stem(word: str) -> str:
    """A name word without the vowel(s) its endings replace, or "" when too short to inflect safely.
    Hangul names (whole syllables) take particles after them unchanged: their stem is the word."""
    if word and script_of(word[0]) == "HANGUL":
        return word if len(word) >= 2 else ""
    stem = word
    while len(stem) > len(word) - 2 and stem and stem[-1] in _STEM_LETTERS:
        stem = stem[:-1]
    return stem if len(stem) >= _MIN_STEM else ""


def _takes_prefixes(word: str) -> bool:
    return len(word) > 3 and script_of(word[-1]) in _PREFIXING_SCRIPTS


# Case endings that Latin-script languages put on names (folded to ASCII, at most three letters),
# after the whole name or after its stem: Czech and Slovak (Obamovi, Obamou, Putinem), Polish
# (Putinowi, Bidenie), Slovene, Croatian, Serbian and Bosnian (Putinom, Bidenu), Hungarian
# (Bidennek, Putinnal, Obamarol), Finnish and Estonian (Obamalle, Bidenista), Turkish without its
# apostrophe (Obamanin, Bidene), Lithuanian and Latvian (Obamai, Putinas), German (Merkels).
LATIN_CASE_ENDINGS = frozenset(
    "a e i o u y n s t "
    "em om ou ov ie in un ya ye yi da de ta te la le na ne ra re ba be ui ai ei am on en ig at ot et as "
    "ovi ove ova ovy owi ego ach ami nak nek val vel rol tol hoz hez nal nel bol ert ban ben "
    "lle lta lla sta ssa ksi nin dan den ile ila ile "
    # Polish, Czech and Slovak: a family name in -ski/-sky declined as an adjective (Zełenskiego,
    # Zelenského), a foreign woman's name with -ová declined (Merkelovou, Ardernovej), a name in -i
    # with its ending after it (Módího, Módímu)
    "iego iemu emu eho ho mu ovou ovej".split()
)


# The longest of them ("iego", "ovou"): the index looks a word up without each ending up to it.
_MAX_LATIN_ENDING = max(map(len, LATIN_CASE_ENDINGS))


def latin_case_form(written: str, wanted: str) -> bool:
    """Is `written` the name word `wanted` (both folded) with a case ending from
    LATIN_CASE_ENDINGS, after the whole word or after its stem (a stem of at least four letters)?"""
    if written == wanted:
        return False
    for base in {wanted, _stem(wanted)}:
        if len(base) >= _MIN_STEM and written.startswith(base) and written[len(base) :] in LATIN_CASE_ENDINGS:
            return True
    return False


def inflected(written: str, wanted: str) -> bool:
    """Is `written` the name word `wanted` as the grammar of its language writes it: with a case
    ending ("Путина", "Путину" for "Путин"; "Обаме" for "Обама"; "Γιώργου" for "Γιώργος"; "김정은이"),
    or in Arabic and Hebrew with one or two prefix letters ("لأوباما", "לנתניהו")? The same rule for
    every name: a stem of at least four letters and an ending of at most three, no list per name."""
    if written == wanted:
        return False
    stem = _stem(wanted)
    limit = 2 if stem and script_of(stem[0]) == "HANGUL" else _MAX_ENDING
    if stem and written.startswith(stem) and 0 < len(written) - len(stem) <= limit:
        return True
    return (
        _takes_prefixes(written)
        and len(wanted) >= 3
        and 0 < len(written) - len(wanted) <= _MAX_PREFIX
        and written.endswith(wanted)
    )


# -- what may be registered -----------------------------------------------------------------------


def _problem_with_words(key: str, what: str) -> str | None:
    words = key.split()
    if not words:
        return f"{what} has no letters that can be matched"
    letters = "".join(words)
    compact = all(script_of(ch) in CONTINUOUS_SCRIPTS or script_of(ch) == "HANGUL" for ch in letters if ch.isalpha())
    if not compact and all(len(word) == 1 for word in words):
        return f"{what} folds to one-letter words only ({key!r}), which are in almost every request"
    minimum = 2 if compact else 3
    if len(letters) < minimum:
        return f"{what} is too short: {key!r} after folding, fewer than {minimum} letters, would match other words"
    content = [word for word in words if word not in FUNCTION_WORDS]
    if not content:
        return f"{what} folds to common words only ({key!r})"
    if len(content) == 1 and not compact:
        word = content[0] if content[0].isascii() else romanize(content[0])
        if word in ordinary_words():
            return f"{what} is a common word after folding ({word!r}): every request using the word would match"
        if word in common_given_names():
            return f"{what} is a common given name alone ({word!r}): everyone called that would match"
    return None


def alias_problem(alias: str) -> str | None:
    """Why an alias cannot be matched safely, or None. An alias is looked for on its own, so it must
    say who it is: not fewer than three letters after folding (two characters in Chinese, Japanese
    and Korean), not one-letter words only, not a common word or a common given name alone."""
    return _problem_with_words(name_key(alias), f"the alias {alias!r}")


def name_problem(name: str) -> str | None:
    """Why a name cannot be registered, or None. A name may be an ordinary word ("Drake": the
    agent then asks whether the sentence is about a person), but it must have letters to match."""
    key = name_key(name)
    words = key.split()
    if not words:
        return f"the name {name!r} has no letters that can be matched"
    compact = all(script_of(ch) in CONTINUOUS_SCRIPTS or script_of(ch) == "HANGUL" for ch in key if ch.isalpha())
    if not compact and all(len(word) == 1 for word in words):
        return f"the name {name!r} folds to one-letter words only ({key!r}), which are in almost every request"
    return None


def latin_reading_is_safe(reading: str) -> bool:
    """May the Latin reading of a name in another script be looked for in Latin text? Not when it
    is short or an ordinary word ("דוד" reads "dvd")."""
    words = reading.split()
    return (
        len("".join(words)) >= 4 and _problem_with_words(reading, "reading") is None and any(len(w) > 1 for w in words)
    )


def _splits_into(written: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    """Do the written words, taken in runs, sound like the wanted loanword skeletons one run each
    (a word a word, or several Han syllables a word)?"""
    if not wanted:
        return not written
    for cut in range(1, len(written) - len(wanted) + 2):
        if _run_skeleton(written[:cut]) == wanted[0] and _splits_into(written[cut:], wanted[1:]):
            return True
    return False


def _unspaced_readings(written: tuple[str, ...]) -> dict[tuple[str, ...], int]:
    """Words of a script written without spaces between words (Thai) as a name may sit in them:
    its first word the end of a run written together, its last the start of one
    ("ขอภาพคริสเตียโน โรนัลโด": "khoaphaphkhrisetiyon ornalod"), and Thai's w and ch also read as
    the v and j it writes with them (วิราท, Virat; จอห์น, John), those needing one class more. The
    cuts need none: Thai has few spaces, so few windows of several words (on the corpus's Thai
    requests, 1 chance match in 1,500 at 100 names and 1 in 1,000 at 100,000, none before)."""
    choices = [_word_cuts(written[0], True), *map(_thai_forms, written[1:-1]), _word_cuts(written[-1], False)]
    readings: dict[tuple[str, ...], int] = {}
    for choice in itertools.product(*choices):
        reading = tuple(word for word, _ in choice)
        readings.setdefault(reading, max(extra for _, extra in choice))
    return readings


@lru_cache(maxsize=4096)
def _thai_forms(word: str) -> tuple[tuple[str, int], ...]:
    """The word as read (0), and with each of `_THAI_LETTERS` read the other way (1)."""
    forms = {word: 0}
    for written_as, said in _THAI_LETTERS:
        for form in list(forms):
            if written_as in form:
                forms.setdefault(form.replace(written_as, said), 1)
    return tuple(forms.items())


# The longest end or start of a run that is read as one word of a name, in Latin letters.
MAX_CUT_LETTERS = 14


@lru_cache(maxsize=8192)
def _word_cuts(word: str, at_end: bool) -> tuple[tuple[str, int], ...]:
    """The word's ends (at_end) or starts of up to MAX_CUT_LETTERS letters, in each of its
    `_thai_forms`: one for each skeleton, the longest."""
    cuts: dict[str, tuple[str, int]] = {}
    for form, extra in _thai_forms(word):
        for size in range(min(len(form), MAX_CUT_LETTERS), 0, -1):
            cut = form[-size:] if at_end else form[:size]
            cuts.setdefault(loanword_skeleton(cut), (cut, extra))
    return tuple(cut for skeleton, cut in cuts.items() if skeleton)


def _run_skeleton(words: tuple[str, ...]) -> str:
    """The loanword skeleton of words read as one: each word's, joined."""
    return _joined_skeletons(tuple(map(loanword_skeleton, words)))


def _joined_skeletons(skeletons: tuple[str, ...]) -> str:
    """Skeletons one after another, a class that ends one and starts the next written once."""
    joined = ""
    for skeleton in skeletons:
        joined += skeleton[1:] if joined and skeleton and joined[-1] == skeleton[0] else skeleton
    return joined


# Pinyin spells its affricates with letters English reads otherwise: q and ch are English ch or j
# (乔 qiao writes Cho- and Jo-), zh and j English j or ch, x English sh, c English ts; and a w is
# also a v (瓦 wa for Va-, 维 wei for Vi-). (Reading j and q as k too, as in 基 ji for Ki-, tripled
# the chance matches on Chinese requests and was dropped.)
_PINYIN_READINGS = (("zh", ("j", "ch")), ("ch", ("ch", "j")), ("j", ("j", "ch")), ("q", ("ch", "j")), ("w", ("w", "v")))
_PINYIN_LETTERS = (("x", "sh"), ("c", "ts"))
MAX_PINYIN_READINGS = 18


def _pinyin_readings(syllables: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Han syllables as the foreign sounds they write: nasals as `_syllable_nasals` reads them, and
    each initial Pinyin spells ambiguously every way it borrows (up to MAX_PINYIN_READINGS), the
    likeliest reading first. A nasal read as m before the lips is also read as n, after all the
    others: the lips may start the next word of the name ("a qiong · ma er huo te la", Arjun
    Malhotra), and the middle dot that says so is a space by now."""
    assimilated, plain = _syllable_nasals(syllables), _syllable_nasals(syllables, before_lips=False)
    readings = _initials_read_every_way(assimilated)
    if plain != assimilated:
        readings += _initials_read_every_way(plain)
    return readings


def _initials_read_every_way(syllables: tuple[str, ...]) -> list[tuple[str, ...]]:
    choices, count = [], 1
    for syllable in syllables:
        options = _pinyin_options(syllable)
        if count * len(options) > MAX_PINYIN_READINGS:
            options = options[:1]
        count *= len(options)
        choices.append(options)
    return list(itertools.product(*choices))


@lru_cache(maxsize=4096)
def _pinyin_options(syllable: str) -> tuple[str, ...]:
    """The syllable with its initial read each way `_PINYIN_READINGS` allows, the usual way first."""
    for start, said in _PINYIN_READINGS:
        if syllable.startswith(start):
            return tuple(sound + syllable[len(start) :] for sound in said)
    for letter, spelled in _PINYIN_LETTERS:
        if syllable.startswith(letter):
            return (spelled + syllable[len(letter) :],)
    return (syllable,)


def _syllable_nasals(syllables: tuple[str, ...], before_lips: bool = True) -> tuple[str, ...]:
    """Mandarin ends syllables in -n or -ng, and writes a foreign m or n with either ("tang mu" for
    Tom): read both as n, and (`before_lips`) as m before a syllable that starts with the lips
    ("peng bo", Pember-; "wei lian mu si", Williams)."""
    read = []
    for i, syllable in enumerate(syllables):
        syllable = syllable[:-1] if syllable.endswith("ng") else syllable
        if (
            before_lips
            and syllable.endswith("n")
            and i + 1 < len(syllables)
            and syllables[i + 1][:1] in ("b", "p", "f", "m")
        ):
            syllable = syllable[:-1] + "m"
        read.append(syllable)
    return tuple(read)


def _keep(found: dict[tuple, NameMatch], match: NameMatch | None) -> None:
    """Record an occurrence once, however many views or index paths found it."""
    if match is not None:
        found.setdefault((match.person_id, match.matched, match.before, match.after), match)


def _after_title(words: tuple[str, ...], position: int) -> bool:
    """Is words[position] preceded by a title ("President Obama", "former Prime Minister May")?"""
    step = position - 1
    while step >= 0 and position - step <= 3:
        if words[step] in TITLES:
            return True
        if words[step] not in _TITLE_FILLERS:
            return False
        step -= 1
    return False


def _original_words(prompt: str) -> tuple[str, ...]:
    # Invisible characters (zero-width, bidi controls) would hide a word's capital letter.
    visible = "".join(ch for ch in prompt if unicodedata.category(ch) != "Cf")
    return tuple(word for word in visible.replace("-", " ").split() if word)


def _capital_then_lowercase(view: _View, name: str, following: str) -> bool:
    """Is the name written with a capital inside the prompt and the next word without one? Then
    the next word is no family name but a word of the sentence, often of another language
    ("dibuja a Clinton en la playa", "desenhe a Norris na praia"); a prompt written all in
    lowercase says nothing either way."""
    if not view.original:
        return False
    return _capitalised(view.original, [name]) == "inside" and _capitalised(view.original, [following]) is None


def _in_capitals(original: tuple[str, ...], word: str) -> bool:
    """Is the word written in capitals throughout ("TRUMP")?"""
    where = _first_windows(original).get(word)
    return where is not None and len(original[where[0]]) > 1 and original[where[0]].isupper()


def _capitalised(original: tuple[str, ...], span) -> str | None:
    """How the span is capitalised in the prompt: "inside" (a capital on a non-function word
    after the prompt's first word), "initial" (only the first word of the prompt, which may be
    grammar) or None (not written as a name)."""
    where = _first_windows(original).get("".join(span))
    if where is None:
        return None
    start, end = where
    capitals = [
        i
        for i in range(start, end + 1)
        if original[i][:1].isupper() and fold_text(original[i]) not in FUNCTION_WORDS and not original[i].isupper()
    ]
    if any(i > 0 for i in capitals):
        return "inside"
    return "initial" if capitals else None


@lru_cache(maxsize=64)
def _first_windows(original: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Each run of up to MAX_WINDOW of the prompt's words, folded and joined -> where it first
    occurs: built once a prompt, where each look-up used to fold the whole prompt again (a long
    request with 100,000 names registered took seconds)."""
    folded = ["".join(unleet(word).split()) for word in original]
    first: dict[str, tuple[int, int]] = {}
    for start in range(len(original)):
        joined = ""
        for end in range(start, min(start + MAX_WINDOW, len(original))):
            joined += folded[end]
            first.setdefault(joined, (start, end))
    return first
    return None


@lru_cache(maxsize=2048)
def _latin_view(view: _View) -> bool:
    """Words read from Latin-script text as written (not from another script or a decoding)."""
    return view.original is not None and not view.decoded and not has_other_script(" ".join(view.original))


def _reads_loosely(text: str) -> bool:
    """Is some of the text in a script whose Latin reading is far from a name's spelling?"""
    return any(script_of(ch) in LOOSE_READING_SCRIPTS for ch in text if not ch.isascii())


def _readings_by_script(text: str) -> list[tuple[str, bool, bool]]:
    """(text, loosely read, Han syllables) to romanize. Japanese mixes kana, read loosely, with
    Han, read a syllable a character in Mandarin: read together, a window across both ("kara
    xian" from 嵐の海から) meets a registered name by chance, so each run of one of them is read
    on its own (a name is written in one script: "マッテオ・ビアンキ", "习近平")."""
    loose, syllables = _reads_loosely(text), any(script_of(ch) == "HAN" for ch in text)
    if not (loose and syllables):
        return [(text, loose, syllables)]
    runs: list[list] = []  # [script class, characters]
    for ch in text:
        script = script_of(ch)
        kind = "han" if script == "HAN" else "loose" if script in LOOSE_READING_SCRIPTS else None
        if runs and (kind is None or runs[-1][0] in (None, kind)):
            runs[-1][0] = runs[-1][0] or kind
            runs[-1][1].append(ch)
        else:
            runs.append([kind, [ch]])
    return [("".join(chars), kind == "loose", kind == "han") for kind, chars in runs]


def _without_korean_particles(text: str) -> str:
    """Each Hangul word without a particle at its end, when two syllables or more remain, or
    one after another Hangul word (a family name of one syllable after the given name: "조니
    뎁이" is Johnny Depp with the subject particle)."""

    def bare(word: str, after_hangul: bool) -> str:
        if not word or script_of(word[-1]) != "HANGUL":
            return word
        for particle in korean.PARTICLES:
            if word.endswith(particle) and len(word) - len(particle) >= (1 if after_hangul else 2):
                return word[: -len(particle)]
        return word

    words = text.split()
    return " ".join(bare(word, i > 0 and script_of(words[i - 1][-1]) == "HANGUL") for i, word in enumerate(words))


# Case endings and postpositions that Bengali, Armenian, Georgian and Russian or Ukrainian write
# onto a foreign name ("রিহানাকে", Rihanna as the object; "Թրամփին", to Trump; "ტრამპს"; "Трампом"),
# the ones with a consonant (a vowel ending leaves a name's consonants as they are), longest first.
_CASE_ENDINGS = {
    "BENGALI": ("দের", "েতে", "কে", "ের", "এর", "তে", "র"),
    "ARMENIAN": ("ում", "ով", "ից", "ին", "ն"),
    "GEORGIAN": ("თან", "ით", "ის", "ში", "ზე", "მა", "ს"),
    "CYRILLIC": ("ові", "ом", "ем", "ым", "им", "ів"),
}


def _without_case_endings(text: str) -> str:
    """Each word of those scripts without its attached ending, where three letters or more remain."""

    def bare(word: str) -> str:
        for ending in _CASE_ENDINGS.get(script_of(word[-1]) if word else "", ()):
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                return word[: -len(ending)]
        return word

    return " ".join(bare(word) for word in text.split())


def _capitalised_readings(prompt: str) -> frozenset[str]:
    """The Latin readings of the prompt's words that start with a capital in another script, the
    first word left out (its capital is grammar: "Нарисуй", draw)."""
    return frozenset(
        reading
        for word in _original_words(prompt)[1:]
        if word[:1].isupper() and has_other_script(word)
        for reading in romanizations(word)
    )


def _views(prompt: str) -> tuple[_View, ...]:
    """The prompt's words read every way a name may hide in them (see the module docstring)."""
    views: list[_View] = []
    seen: set[tuple[str, ...]] = set()

    def add(words, **kind) -> None:
        words = tuple(words)
        for candidate in (words, tuple(join_spelled_out(list(words)))):
            if candidate and candidate not in seen:
                seen.add(candidate)
                views.append(_View(candidate, **kind))

    def add_readings(text: str, **kind) -> None:
        """The text's runs in other scripts, each read in Latin letters (`_readings_by_script`)."""
        for run, loose, syllables in _readings_by_script(text):
            for reading in romanizations(run):
                add(
                    reading.split(),
                    original=None,
                    transliterated=True,
                    loose_reading=loose,
                    syllables=syllables,
                    **kind,
                )

    original = _original_words(prompt)
    add(fold_text(prompt).split(), original=original)
    add(unleet(prompt).split(), original=original)
    if has_other_script(prompt):
        capitalised = _capitalised_readings(prompt)
        native_words = tuple(fold_native(prompt).split())
        if native_words and native_words not in seen:  # each script as written, letter runs not joined
            seen.add(native_words)
            views.append(_View(native_words, original=None, native=True))
        prefixed = any(script_of(ch) in _PREFIXING_SCRIPTS for ch in prompt)
        unspaced = any(script_of(ch) in _UNSPACED_SCRIPTS for ch in prompt)
        caseless = not any(ch.lower() != ch.upper() for ch in prompt if has_other_script(ch))
        add_readings(prompt, prefixed=prefixed, unspaced=unspaced, capitalised=capitalised, caseless=caseless)
        if vowelled := alef_reading(prompt):
            words, first = vowelled.split(), set(romanize(prompt).split())
            changed = frozenset(i for i, word in enumerate(words) if word not in first)
            add(
                words,
                original=None,
                transliterated=True,
                loose_reading=True,
                prefixed=prefixed,
                by_word=changed,
                caseless=caseless,
            )
        bare = _without_korean_particles(prompt) if any(script_of(ch) == "HANGUL" for ch in prompt) else prompt
        bare = _without_case_endings(bare)
        if bare != prompt:  # "비앙키가" is read as "biangki", so a foreign name is compared without "-ga"
            for reading in romanizations(bare):
                add(
                    reading.split(),
                    original=None,
                    transliterated=True,
                    loose_reading=_reads_loosely(bare),
                    prefixed=prefixed,
                    capitalised=capitalised,
                    caseless=caseless,
                )
    for decoded in decoded_views(prompt):
        add(unleet(decoded).split(), original=_original_words(decoded), decoded=True)
        if has_other_script(decoded):
            native_words = tuple(fold_native(decoded).split())
            if native_words and native_words not in seen:
                seen.add(native_words)
                views.append(_View(native_words, original=None, decoded=True, native=True))
            add_readings(decoded, decoded=True)
    return tuple(views)
