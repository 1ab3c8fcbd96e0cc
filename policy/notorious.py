"""Who a name stands for: perpetrators of mass violence, told to the learned reading.

The sentence encoder knows that "a tribute portrait of a school shooter" glorifies an attack, but
not that "Nikolas Cruz" is one: it reads a murderer's name as it reads any celebrity's, so fan art
and hero posters of killers were allowed. `notorious_people.yaml` lists perpetrators of terrorist
attacks, mass shootings, serial and mass murders, genocides and war crimes, each with a one-line
gloss of what they did (public facts, in English). Where a request names one, in any script the
name matcher reads, the request is read a second time with the gloss written after the name
("fan art of Pol Pot (the Khmer Rouge leader whose regime killed about two million Cambodians)"),
and the aspects a gloss informs take the higher of the two readings.

The decision stays learned: a court sketch, a news graphic or a memorial for the victims read with
the gloss stays low, a tribute, fan art or a hero poster reads as glorifying. Only violence and
hate are taken from the glossed reading: what someone did says whether a picture celebrates it,
not whether the picture is a realistic fake of them (a trial sketch read with "bombed Oklahoma
City" looks more like a news event, which it is).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from policy.names import alias_problem, name_problem
from policy.normalize import CONTINUOUS_SCRIPTS, JOINED_PARTICLES, fold_native, romanize, script_of, sound_key

PEOPLE_PATH = Path(__file__).with_name("notorious_people.yaml")
GLOSSED_ASPECTS = ("violence", "hate")
MAX_GLOSS_WORDS = 20
INFLECTION_LETTERS = 3  # a grammatical ending after a name: "Breivika", "Hitlers", "Младића", "유영철을"
# Alphabets whose Latin reading keeps the vowels, so that a name read from them sounds like its
# Latin spelling; read from an abjad ("وائل" -> "wil") or a syllabary, sounds meet by chance.
SOUNDED_SCRIPTS = frozenset({"CYRILLIC", "GREEK", "ARMENIAN", "GEORGIAN"})


@dataclass(frozen=True)
class Perpetrator:
    """One entry of the list."""

    id: int
    name: str
    aliases: tuple[str, ...]
    gloss: str


def entry_problems(entry: dict) -> list[str]:
    """Why an entry of the list cannot be used as written (empty when it can)."""
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        return [f"an entry has no name: {entry!r}"]
    problems = [p for p in [name_problem(name)] if p]
    problems += [f"{name}: {p}" for alias in entry.get("aliases") or [] if (p := alias_problem(str(alias)))]
    gloss = entry.get("gloss")
    if not isinstance(gloss, str) or not gloss.strip():
        problems.append(f"{name!r} has no gloss")
    elif len(gloss.split()) > MAX_GLOSS_WORDS:
        problems.append(f"the gloss of {name!r} is longer than {MAX_GLOSS_WORDS} words")
    return problems


def load_perpetrators(path: Path | str = PEOPLE_PATH) -> list[Perpetrator]:
    """The list, every entry checked: an alias that cannot be matched safely is an error in the
    file, never silently widened (the same rules as the opt-out registry's aliases)."""
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    problems = [problem for entry in entries for problem in entry_problems(entry)]
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return [
        Perpetrator(
            id=number,
            name=entry["name"].strip(),
            aliases=tuple(str(alias).strip() for alias in entry.get("aliases") or []),
            gloss=" ".join(entry["gloss"].split()),
        )
        for number, entry in enumerate(entries, start=1)
    ]


@dataclass(frozen=True)
class Mention:
    """Where a text names a perpetrator: the listed form of the name it matched and the words it
    spans in the reading it was found in (as written, or in Latin letters)."""

    person: Perpetrator
    written: str
    start: int
    end: int
    latin: bool  # found in the text's Latin reading rather than as written


class PerpetratorIndex:
    """The list, matched strictly: a name or alias word for word in the request's own script or
    in its Latin reading, a word allowed a short grammatical ending ("Брейвика", "Hitlers",
    "유영철을"), and a full name read from Cyrillic or Greek also by how it sounds. Unlike the
    opt-out registry's matcher, no misspellings and no family names alone: a gloss on a namesake
    would colour a harmless request, and a missed spelling only leaves the request read as it was
    before."""

    def __init__(self, perpetrators: list[Perpetrator]):
        self.perpetrators = {person.id: person for person in perpetrators}
        self._keys: dict[str, list[tuple[tuple[str, ...], Perpetrator, str]]] = {}
        # Names of two words or more also by how they sound, for the Latin reading of a request
        # in another script ("Николас Круз" reads "nikolas kruz").
        self._sounds: dict[str, list[tuple[tuple[str, ...], Perpetrator, str]]] = {}
        for person in perpetrators:
            for written in (person.name, *person.aliases):
                readings = {fold_native(written)}
                if len(written.split()) > 1 and _sounded(written):
                    # "Ратко Младић" -> "ratko mladic". Not one word ("Геринг" -> "gering", Dutch for
                    # slight), nor an abjad's consonants ("סדאם" -> "sdm", Persian "my forearm").
                    readings.add(fold_native(romanize(written)))
                for reading in readings:
                    words = tuple(reading.split())
                    if words:
                        self._keys.setdefault(_stem_of(words[0]), []).append((words, person, written))
                    if len(words) > 1 and reading.isascii():
                        sounds = tuple(sound_key(word) for word in words)
                        self._sounds.setdefault(_stem_of(sounds[0]), []).append((sounds, person, written))

    def find(self, text: str) -> list[Mention]:
        """The perpetrators a text names, each once, in the order found."""
        found: dict[int, Mention] = {}
        for latin, words in _readings(text):
            self._find_in(words, self._keys, latin, found)
            if latin and _sounded(text):
                self._find_in(tuple(sound_key(word) for word in words), self._sounds, latin, found)
        return sorted(found.values(), key=lambda mention: mention.start)

    @staticmethod
    def _find_in(words: tuple[str, ...], keys: dict, latin: bool, found: dict[int, Mention]) -> None:
        for start, word in enumerate(words):
            candidates = keys.get(_stem_of(word), [])
            if word[0] in JOINED_PARTICLES:
                candidates = candidates + keys.get(_stem_of(word[1:]), [])
            for key, person, written in candidates:
                if person.id in found or start + len(key) > len(words):
                    continue
                if all(_same_word(words[start + i], part) for i, part in enumerate(key)):
                    found[person.id] = Mention(person, written, start, start + len(key) - 1, latin)

    def glossed(self, text: str) -> str | None:
        """The text with each named perpetrator's gloss written after the name, or None when it
        names none."""
        mentions = self.find(text)
        if not mentions:
            return None
        for mention in reversed(mentions):
            text = _with_gloss(text, mention)
        return text


def _readings(text: str) -> list[tuple[bool, tuple[str, ...]]]:
    """The text's words as written and in their Latin reading (is Latin, words)."""
    native = _words(text, latin=False)
    latin = _words(text, latin=True)
    readings = [(False, native)] if latin == native else [(False, native), (True, latin)]
    if "'" in text or "\u2019" in text:
        # an elided article is written onto the name: "d'Oussama ben Laden", "l'Hitler"
        readings.append((False, _words(text.replace("'", " ").replace("\u2019", " "), latin=False)))
    return readings


def _words(text: str, latin: bool) -> tuple[str, ...]:
    return tuple(fold_native(romanize(text) if latin else text).split())


def _stem_of(word: str) -> str:
    return word[:3]


def _sounded(written: str) -> bool:
    """Written in an alphabet of SOUNDED_SCRIPTS (and perhaps Latin letters)."""
    scripts = {script_of(ch) for ch in written if ch.isalpha()}
    return bool(scripts & SOUNDED_SCRIPTS) and scripts <= SOUNDED_SCRIPTS | {"LATIN"}


def _same_word(written: str, wanted: str) -> bool:
    """The word itself, or (for a word of four letters or more; three in Hangul, where a name is
    three syllables) the word with a short grammatical ending."""
    if written == wanted:
        return True
    if len(written) > len(wanted) and written[0] in JOINED_PARTICLES and written[1:] == wanted:
        return True  # "لأبو بكر", "וברייוויק": a particle written onto the name
    shortest = 3 if script_of(wanted[0]) == "HANGUL" else 4
    return (
        len(wanted) >= shortest
        and written.startswith(wanted)
        and len(written) - len(wanted) <= INFLECTION_LETTERS
        and written[len(wanted) :].isalpha()
    )


def _with_gloss(text: str, mention: Mention) -> str:
    """The gloss written right after the name where the request writes it as listed; else after
    the request's word that ends the name; else after the request."""
    note = f"({mention.person.gloss})"
    lowered = text.casefold()
    if len(lowered) == len(text):  # offsets in the folded text are offsets in the text
        at = lowered.find(mention.written.casefold())
        if at >= 0:
            after = at + len(mention.written)
            while after < len(text) and text[after].isalpha() and script_of(text[after]) not in CONTINUOUS_SCRIPTS:
                after += 1  # past a grammatical ending ("Hitlers"; a name in Han or kana has none)
            return f"{text[:after]} {note}{text[after:]}"
    tokens = text.split()
    folded_words_before = 0
    for position, token in enumerate(tokens):
        folded_words_before += len(_words(token, mention.latin))
        if folded_words_before > mention.end:
            if len(tokens) > 1:
                return " ".join(tokens[: position + 1] + [note] + tokens[position + 1 :])
            break  # a text without spaces: say who is meant after it
    return f"{text} ({mention.person.name}: {mention.person.gloss})"


@lru_cache(maxsize=1)
def shipped_index() -> PerpetratorIndex:
    """The shipped list, indexed once per process (it never changes while the process runs)."""
    return PerpetratorIndex(load_perpetrators())
