"""Find registered people in a prompt, however the name is written, without scanning the registry.

Every registered name and alias is reduced to a key (lowercase ASCII words, see normalize.py).
Three indexes are built once per registry version; a check costs a few dictionary look-ups per
prompt word, whatever the registry size:

- `exact`: the key's words joined without spaces ("edsheeran") -> key. Prompt windows of 1..5
  words are joined the same way, so "Ed Sheeran", "EdSheeran", "E d S h e e r a n", "ED-SHEERAN"
  and "Ed  Sh33ran" all hit.
- `deletes`: a symmetric-deletion index (SymSpell) over each key's rarest word of 4+ letters
  (usually the surname). A prompt word and every string one deletion away from it are looked
  up, which finds words within one edit (insert, delete, substitute, transpose) in O(len(word)).
- `by_word`: that rarest word -> the keys it belongs to, to turn word hits into candidate names.
  Keying on the rarest word keeps the candidates per prompt word to a handful even when
  thousands of registered names share a given name.

Guards against false matches:
- Short words (4 letters or fewer) must match exactly; a misspelled name must be close in total
  (`edit_budget`: none under 7 letters, one edit under 14, two above), so "Adam Sandler" never
  becomes "Adam Driver".
- Every word of a multi-word name must be present in order, so sharing a first name ("Taylor
  Lautner" vs "Taylor Swift") is not a match.
- A surname alone matches only when it is not an ordinary word (the encoder's WordPiece
  vocabulary says which words are common: "cruise", "drake", "driver" are; "schwarzenegger" is
  not), and not when a different first name precedes it.
- A single-word name, or an alias made only of ordinary words ("Drake", "The Rock"), needs the
  prompt to write it as a name: a capital inside the sentence, or at the start of the prompt
  plus a sentence embedding closer to scenes about people than about things (checked by the
  agent with `person_score`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from policy.normalize import fold_text, join_spelled_out, unleet

MAX_WINDOW = 5

# Words that may stand before a surname without naming a different person.
_FUNCTION_WORDS = {
    "a", "an", "the", "of", "with", "and", "or", "by", "as", "in", "on", "at", "to", "from", "for",
    "like", "is", "was", "mr", "mrs", "ms", "miss", "dr", "sir", "young", "old", "actor", "actress",
    "singer", "rapper", "president", "senator", "star", "famous", "celebrity", "photo", "picture",
    "portrait", "image", "painting", "drawing", "sketch", "of", "featuring", "feat", "ft", "vs",
    "draw", "paint", "show", "make", "create", "generate", "me", "my", "her", "his", "their",
}


@dataclass(frozen=True)
class NameMatch:
    person_id: int
    name: str          # the registered display name
    matched: str       # the prompt words that matched
    how: str           # exact | alias | fuzzy | surname | ambiguous
    needs_person_context: bool = False


@dataclass
class _Key:
    person_id: int
    name: str
    words: tuple[str, ...]
    is_alias: bool


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein (adjacent transpositions) with an early exit above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def edit_budget(length: int) -> int:
    """Edits allowed for a name of `length` letters: none when short, so look-alikes stay apart."""
    if length < 7:
        return 0
    if length < 14:
        return 1
    return 2


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@dataclass
class NameIndex:
    common_words: frozenset[str] = frozenset()
    keys: list[_Key] = field(default_factory=list)
    exact: dict[str, list[int]] = field(default_factory=dict)
    deletes: dict[str, set[str]] = field(default_factory=dict)
    by_word: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @classmethod
    def build(cls, people, common_words: frozenset[str] = frozenset()) -> "NameIndex":
        index = cls(common_words=common_words)
        for person in people:
            index._add(person.id, person.name, person.name, is_alias=False)
            for alias in person.aliases:
                index._add(person.id, person.name, alias, is_alias=True)
        index._index_rarest_words()
        return index

    def __len__(self) -> int:
        return len({key.person_id for key in self.keys})

    def _add(self, person_id: int, name: str, written: str, is_alias: bool) -> None:
        words = tuple(unleet(written).split())
        if not words:
            return
        key_id = len(self.keys)
        self.keys.append(_Key(person_id, name, words, is_alias))
        self.exact.setdefault("".join(words), []).append(key_id)

    def _index_rarest_words(self) -> None:
        """Index each key for fuzzy look-up under its rarest word of 4+ letters only.

        A word shared by thousands of names (a common given name) would make every prompt that
        contains it verify thousands of candidates; the rarest word (usually the surname) keeps
        the candidates per prompt word to a handful at any registry size.
        """
        frequency: dict[str, int] = {}
        for key in self.keys:
            for word in set(key.words):
                frequency[word] = frequency.get(word, 0) + 1
        for key_id, key in enumerate(self.keys):
            # Rarest first; on a tie a family name (not the first word), so "Okonkwo-Reyes" alone
            # can still be found; then the longer word.
            long_words = [(frequency[w], position == 0, -len(w), position, w)
                          for position, w in enumerate(key.words) if len(w) >= 4]
            if not long_words:
                continue
            *_, position, word = min(long_words)
            if word not in self.by_word:
                self.deletes.setdefault(word, set()).add(word)
                for deleted in _deletes(word):
                    self.deletes.setdefault(deleted, set()).add(word)
            self.by_word.setdefault(word, []).append((key_id, position))

    # -- matching ------------------------------------------------------------------------------

    def find(self, prompt: str) -> list[NameMatch]:
        """Registered people named in `prompt`, at most one match per person."""
        if not self.keys:
            return []
        found: dict[int, NameMatch] = {}
        original_words = _original_words(prompt)
        for words in _word_variants(prompt):
            self._find_exact(words, original_words, found)
            self._find_fuzzy(words, original_words, found)
        return list(found.values())

    def _find_exact(self, words: list[str], original: list[str], found: dict[int, NameMatch]) -> None:
        for start in range(len(words)):
            joined = ""
            for end in range(start, min(start + MAX_WINDOW, len(words))):
                joined += words[end]
                for key_id in self.exact.get(joined, ()):
                    key = self.keys[key_id]
                    if key.person_id in found:
                        continue
                    span = " ".join(words[start:end + 1])
                    # Ambiguous keys: a one-word name ("Drake"), a tiny key, or an alias made only
                    # of ordinary words ("The Rock").
                    ordinary_alias = key.is_alias and all(
                        w in self.common_words or w in _FUNCTION_WORDS for w in key.words)
                    if len(key.words) == 1 or len(joined) < 6 or ordinary_alias:
                        # A one-word name ("Drake") or a tiny key: fine when it is not an
                        # ordinary word; otherwise the agent asks the embedding whether the
                        # prompt is about a person and the writing capitalises it.
                        if joined in self.common_words or len(joined) < 3 or ordinary_alias:
                            written_as_name = _capitalised(original, words[start:end + 1])
                            if written_as_name is None:
                                continue
                            # A capital inside the sentence is evidence enough; at the start of
                            # the prompt the embedding must also read it as about a person.
                            found[key.person_id] = NameMatch(key.person_id, key.name, span, "ambiguous",
                                                             needs_person_context=written_as_name == "initial")
                            continue
                    found[key.person_id] = NameMatch(key.person_id, key.name, span, "alias" if key.is_alias else "exact")

    def _find_fuzzy(self, words: list[str], original: list[str], found: dict[int, NameMatch]) -> None:
        # word position in the prompt -> vocabulary words within one edit
        for position, word in enumerate(words):
            if len(word) < 4:
                continue
            vocabulary_hits: set[str] = set(self.deletes.get(word, ()))
            for deleted in _deletes(word):
                vocabulary_hits.update(self.deletes.get(deleted, ()))
            for vocab_word in vocabulary_hits:
                if edit_distance(word, vocab_word, 1) > 1:
                    continue
                for key_id, key_position in self.by_word.get(vocab_word, ()):
                    key = self.keys[key_id]
                    if key.person_id in found:
                        continue
                    match = self._verify(key, words, position, key_position, original)
                    if match is not None:
                        found[key.person_id] = match

    def _verify(self, key: _Key, words: list[str], position: int, key_position: int, original) -> NameMatch | None:
        """Does the prompt contain the whole key around `position` (or its distinctive surname)?"""
        if key.is_alias and all(w in self.common_words or w in _FUNCTION_WORDS for w in key.words):
            return None  # "The Rock": only written as a name, see _find_exact
        start = position - key_position
        n = len(key.words)
        if 0 <= start and start + n <= len(words):
            window = words[start:start + n]
            total = 0
            for written, wanted in zip(window, key.words):
                if len(wanted) <= 4:
                    distance = 0 if written == wanted else 9
                else:
                    distance = edit_distance(written, wanted, 2)
                total += distance
                if distance > (1 if len(wanted) < 12 else 2):
                    break
            else:
                if total <= edit_budget(len("".join(key.words))) or total == 0:
                    how = "alias" if key.is_alias else ("exact" if total == 0 else "fuzzy")
                    if n == 1 and total == 0 and key.words[0] in self.common_words:
                        return None  # handled (with capitalisation) by _find_exact
                    return NameMatch(key.person_id, key.name, " ".join(window), how)
        # The surname alone ("Schwarzenegger on a horse"): every word after the given name.
        if n >= 2 and not key.is_alias and key_position >= 1:
            surname = key.words[1:]
            start = position - (key_position - 1)
            if start < 0 or start + len(surname) > len(words):
                return None
            joined = "".join(surname)
            if len(joined) < 6 or (len(surname) == 1 and joined in self.common_words):
                return None
            distance = edit_distance("".join(words[start:start + len(surname)]), joined, 2)
            if distance > (1 if len(joined) >= 8 else 0):
                return None
            if start > 0 and _names_someone_else(words[start - 1], key, original, self.common_words):
                return None
            return NameMatch(key.person_id, key.name, " ".join(words[start:start + len(surname)]), "surname")
        return None


def _names_someone_else(previous: str, key: _Key, original: list[str], common_words) -> bool:
    """'Patrick Schwarzenegger' is not 'Arnold Schwarzenegger': a different given name before it."""
    if previous in _FUNCTION_WORDS or previous.isdigit():
        return False
    # The registered given name, misspelt or shortened ("Arnie" for "Arnold").
    if any(edit_distance(previous, given, 1) <= 1 or (len(previous) < len(given) and previous[:3] == given[:3])
           for given in key.words[:1]):
        return False
    if previous not in common_words:
        return True  # an uncommon word right before a surname is almost always a given name
    return any(word[:1].isupper() and fold_text(word) == previous for word in original)


def _original_words(prompt: str) -> list[str]:
    # Invisible characters (zero-width, bidi controls) would hide a word's capital letter.
    visible = "".join(ch for ch in prompt if unicodedata.category(ch) != "Cf")
    return [word for word in visible.replace("-", " ").split() if word]


def _capitalised(original: list[str], span: list[str]) -> str | None:
    """How the span is capitalised: "inside" (a capital on a non-function word after the
    prompt's first word), "initial" (only the first word of the prompt, which may be grammar) or
    None (not written as a name)."""
    folded_original = ["".join(unleet(word).split()) for word in original]
    target = "".join(span)
    for start in range(len(original)):
        joined = ""
        for end in range(start, min(start + MAX_WINDOW, len(original))):
            joined += folded_original[end]
            if joined == target:
                capitals = [i for i in range(start, end + 1)
                            if original[i][:1].isupper() and fold_text(original[i]) not in _FUNCTION_WORDS]
                if any(i > 0 for i in capitals):
                    return "inside"
                return "initial" if capitals else None
            if len(joined) >= len(target):
                break
    return None


def _word_variants(prompt: str) -> list[list[str]]:
    """The prompt's words as written, with leetspeak undone, and with spelled-out letters joined."""
    variants: list[list[str]] = []
    for text in (fold_text(prompt), unleet(prompt)):
        words = text.split()
        for candidate in (words, join_spelled_out(words)):
            if candidate not in variants:
                variants.append(candidate)
    return variants
