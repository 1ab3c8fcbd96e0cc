"""Korean names written in Hangul, compared with the same names registered in Latin letters.

Korean text writes a person's name as one word, family name first ("봉준호 감독이", director Bong
Joon-ho, with the subject particle), and the Latin spellings of Korean names follow several
systems at once: the Revised Romanization ("Gwak Do-yun"), McCune-Reischauer ("Kwak To-yun"),
and the spellings families chose for themselves ("Kwak Do-yoon", "Lee", "Park", "Choi"). A
letter-by-letter reading of the Hangul ("gwagdoyun") finds few of them.

So both sides are read as syllables in one code that the systems agree on: a syllable's first
consonant by its place (g/k, d/t, b/p, j/ch, r/l each one class), its vowel as a glide (y, w)
and one of four nuclei (the back vowels eo, o, u, eu are one: "Jung", "Jeong" and "Jong" are
all 정), and its last consonant. A Latin word may be read as syllables in more than one way
("hana": ha-na); the readings where a consonant between vowels begins the next syllable are
kept, as the systems write them. The first syllable of a family name follows the South Korean
rule for a first r or l (리 is written 이, "Lee"; 로 is 노, "Roh"), on both sides.

A name is compared whole (three syllables at least) at the start of a Hangul word, with only a
particle or an honorific after it ("서지연 씨가"). A registered name whose syllables are also a
Korean word ("Lee Mi-ji" reads as 이미지, "image") is found only where the request is about a
person (`NameMatch.needs_person_context`), as a name made of English words is.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from itertools import product
from pathlib import Path

from policy.normalize import fold_text

_HERE = Path(__file__).parent
MIN_SYLLABLES = 3  # two syllables ("Ko Un") are met by chance in ordinary words far too often
MAX_SYLLABLES = 6
MAX_READINGS = 16  # Latin readings kept per registered name
# Chance (bench_registry_scripts.py --east-asian-chance): with 4,000 Korean names registered, 2
# of the corpus's 3,134 Korean requests met one in an ordinary word ("그어진", drawn; "한서진" for
# "Han Su-jin"), 4 more a real person of that name. The reading is used while a registry holds
# at most this many readings (about one to four a name), where chance nears 0.5% of requests
# (names.LOANWORD_FALSE_MATCH_BUDGET).
MAX_INDEXED = 30000

_FIRST_HANGUL, _LAST_HANGUL = 0xAC00, 0xD7A3
# Hangul syllable = 19 first consonants x 21 vowels x 28 last consonants (Unicode's order).
_INITIALS = ("k", "k", "n", "t", "t", "l", "m", "p", "p", "s", "s", "", "j", "j", "c", "K", "T", "P", "h")
_VOWELS = (
    "A", "E", "yA", "yE", "O", "E", "yO", "yE", "O", "wA", "wE",
    "wE", "yO", "O", "wO", "wE", "wI", "yO", "O", "I", "I",
)  # fmt: skip
_FINALS = (
    "", "K", "K", "K", "N", "N", "N", "T", "L", "K", "M", "L", "L", "L",
    "P", "L", "M", "P", "P", "T", "T", "G", "T", "T", "K", "T", "P", "T",
)  # fmt: skip

# The Latin spellings of each part, as the romanization systems and families write them.
_LATIN_INITIALS = {
    "": ("",), "g": ("k",), "k": ("k", "K"), "kk": ("k",), "gg": ("k",), "kh": ("K",), "n": ("n",),
    "d": ("t",), "t": ("t", "T"), "tt": ("t",), "dd": ("t",), "th": ("T",), "r": ("l",), "l": ("l",),
    "rh": ("l",), "m": ("m",), "b": ("p",), "p": ("p", "P"), "pp": ("p",), "bb": ("p",), "ph": ("P",),
    "s": ("s",), "ss": ("s",), "sh": ("s",), "j": ("j",), "ch": ("j", "c"), "jj": ("j",), "tch": ("j",),
    "h": ("h",),
}  # fmt: skip
_LATIN_VOWELS = {
    "a": "A", "ah": "A", "ae": "E", "ai": "E", "e": "E", "eh": "E", "eo": "O", "o": "O", "oh": "O",
    "u": "O", "oo": "O", "eu": "O", "ou": "O", "uh": "O", "i": "I", "ee": "I", "ui": "I", "eui": "I",
    "yi": "I", "ya": "yA", "yae": "yE", "ye": "yE", "yeo": "yO", "yo": "yO", "you": "yO", "yoo": "yO",
    "yu": "yO", "wa": "wA", "wae": "wE", "we": "wE", "oe": "wE", "oi": "wE", "wo": "wO", "weo": "wO",
    "wi": "wI", "wee": "wI", "woo": "O", "wu": "O",
}  # fmt: skip
_LATIN_FINALS = {
    "": ("",), "k": ("K",), "g": ("K",), "ck": ("K",), "rk": ("K",), "n": ("N",), "ng": ("G",),
    "t": ("T",), "d": ("T",), "s": ("T",), "l": ("L",), "r": ("L", ""), "m": ("M",), "p": ("P",),
    "b": ("P",),
}  # fmt: skip
_NUCLEI = frozenset("AEIO")
_LONGEST = max(len(s) for s in (*_LATIN_INITIALS, *_LATIN_VOWELS, *_LATIN_FINALS))

# Particles Korean writes onto the word before them (subject, topic, object, possessive, "to",
# "with", "from", "also"), longest first, and the honorifics after a person's name ("씨",
# "님"): rules of the grammar, not a list of names.
PARTICLES = tuple(
    sorted(
        "에게서 한테서 으로서 으로써 에게 한테 께서 에서 으로 부터 까지 처럼 보다 이랑 하고 "
        "는 은 이 가 를 을 의 와 과 도 로 랑 만 께 에".split(),
        key=len,
        reverse=True,
    )
)
_HONORIFICS = ("씨", "님", "군", "양")


def _after_the_name(rest: str) -> bool:
    for honorific in _HONORIFICS:
        if rest.startswith(honorific):
            rest = rest[len(honorific) :]
            break
    return not rest or rest in PARTICLES


def is_hangul(ch: str) -> bool:
    return _FIRST_HANGUL <= ord(ch) <= _LAST_HANGUL


def hangul_syllables(word: str) -> tuple[str, ...]:
    """Each Hangul syllable block of `word` in the shared code (see the module docstring)."""
    keys = []
    for ch in word:
        code = ord(ch) - _FIRST_HANGUL
        keys.append(_INITIALS[code // 588] + _VOWELS[(code % 588) // 28] + _FINALS[code % 28])
    return tuple(keys)


def _family_first(syllables: tuple[str, ...]) -> tuple[str, ...]:
    """A family name's first r or l as South Korea writes it: silent before i and y, n before
    the other vowels (리 -> 이 "Lee", 류 -> 유 "Ryu", 로 -> 노 "Roh")."""
    if not syllables or not syllables[0].startswith("l"):
        return syllables
    rest = syllables[0][1:]
    return (rest if rest[:1] in ("I", "y") else "n" + rest,) + syllables[1:]


def _onsets_missed(parse: tuple[str, ...]) -> int:
    """Syllables after the first that begin with their vowel (no consonant, no glide)."""
    return sum(1 for syllable in parse[1:] if syllable[:1] in _NUCLEI)


@lru_cache(maxsize=4096)
def latin_syllables(word: str) -> tuple[tuple[str, ...], ...]:
    """The readings of one lowercase Latin word as Korean syllables (none when it is not made of
    them: "smith"), those where a consonant between vowels starts the next syllable first."""
    parses: list[tuple[str, ...]] = []

    def walk(at: int, done: tuple[str, ...]) -> None:
        if len(parses) > 4 * MAX_READINGS:
            return
        if at == len(word):
            parses.append(done)
            return
        for i in range(at, min(len(word), at + 3) + 1):
            for initial in _LATIN_INITIALS.get(word[at:i], ()):
                for j in range(i + 1, min(len(word), i + _LONGEST) + 1):
                    vowel = _LATIN_VOWELS.get(word[i:j])
                    if vowel is None:
                        continue
                    for k in range(j, min(len(word), j + 2) + 1):
                        for final in _LATIN_FINALS.get(word[j:k], ()):
                            walk(k, done + (initial + vowel + final,))

    walk(0, ())
    if not parses:
        return ()
    fewest = min(_onsets_missed(p) for p in parses)
    return tuple(sorted({p for p in parses if _onsets_missed(p) == fewest}))


def name_readings(written: str) -> set[tuple[str, ...]]:
    """A registered Latin name as Korean syllables, family name first: as written ("Bong
    Joon-ho", "Kim Jong Un") and, for a given name of two syllables or more followed by a family
    name of one ("Heung-min Son", "Minho Lee"), that one first. Empty when a word is not Korean
    syllables or the name is too short or too long to compare."""
    # the written words, each folded into its hyphenated parts ("Heung-min" -> heung, min)
    parts = [[latin_syllables(word) for word in fold_text(part).split()] for part in written.split()]
    parts = [part for part in parts if part]
    if not parts or not all(readings for part in parts for readings in part):
        return set()
    orders = [parts]
    if len(parts) == 2 and len(parts[1]) == 1 and all(len(r) == 1 for r in parts[1][0]):
        if all(len(r) >= 2 for r in parts[0][0]) or len(parts[0]) >= 2:
            orders.append([parts[1], parts[0]])
    readings: set[tuple[str, ...]] = set()
    for order in orders:
        for words in product(*(readings for part in order for readings in part)):
            syllables = tuple(s for word in words for s in word)
            if MIN_SYLLABLES <= len(syllables) <= MAX_SYLLABLES:
                readings.add(_family_first(syllables))
            if len(readings) >= MAX_READINGS:
                return readings
    return readings


def hangul_runs(prompt: str) -> list[str]:
    """The prompt's Hangul words (runs of Hangul syllables), a one-syllable word joined to the
    word after it (a family name written apart: "서 지연")."""
    runs, current = [], []
    for ch in prompt + " ":
        if is_hangul(ch):
            current.append(ch)
        elif current:
            runs.append("".join(current))
            current = []
    joined = [a + b for a, b in zip(runs, runs[1:], strict=False) if len(a) == 1]
    return runs + joined


def names_in(prompt: str, lengths) -> list[tuple[str, tuple[str, ...]]]:
    """(written name, its syllables) for each Hangul word that may begin with a name of one of
    `lengths` syllables, followed by nothing, a particle or an honorific."""
    found = []
    for run in hangul_runs(prompt):
        syllables = hangul_syllables(run)
        for length in lengths:
            if length <= len(run) and _after_the_name(run[length:]):
                found.append((run[:length], _family_first(syllables[:length])))
    return found


@lru_cache(maxsize=1)
def ordinary_readings() -> frozenset[tuple[str, ...]]:
    """The syllables of ordinary Korean words (hunspell-dict-ko), each as a name would read."""
    with gzip.open(_HERE / "korean_words.txt.gz", "rt", encoding="utf-8") as handle:
        words = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    return frozenset(_family_first(hangul_syllables(word)) for word in words if len(word) >= MIN_SYLLABLES)
