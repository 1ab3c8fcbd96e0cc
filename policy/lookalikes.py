"""Things that share a registered name without depicting the person, told apart by context.

The registry protects people, not strings: "a Shirley Temple with two cherries" is a drink, "the
USS Ronald Reagan" a ship, "the Frida Kahlo Museum" a building, "Anne Hathaway's Cottage" a house,
"Anne Hathaway, wife of William Shakespeare" a woman of the 16th century, "Napoleon exiled to
Elba" an island. No list of such things exists or could; what tells them apart is how the sentence
uses the name, judged per occurrence from the words around it (`NameMatch.before` / `.after`):

- the name modifies a noun that is not a person: "the NAME Museum", "NAME's cottage", "NAME
  Airport", "a NAME cocktail", or owns something that is not their likeness ("NAME's diet");
- a word before it makes it a vessel or a drink: "USS NAME", "a glass of NAME", "ordered a NAME";
- a family name alone sits where a place does: "the island of NAME", "exiled to NAME";
- the sentence places a full name in an era before the registered person lived ("in 1582", "the
  16th century") or gives it a historical role in apposition ("NAME, wife of ...", "NAME the
  explorer").

Every occurrence must read as a thing for the request to pass: "the Frida Kahlo Museum with Frida
Kahlo in the garden" still depicts her.
"""

from __future__ import annotations

import re

from policy.names import NameMatch

# Drinks are both things named after people ("a NAME cocktail") and the words around a drink.
_BEVERAGES = frozenset(
    {
        "cocktail",
        "mocktail",
        "drink",
        "soda",
        "wine",
        "beer",
        "whiskey",
        "whisky",
        "vodka",
        "rum",
        "ale",
        "brew",
    }
)

# Nouns that a name can modify without the phrase depicting the person.
THING_HEADS = _BEVERAGES | frozenset(
    {
        "museum",
        "museo",
        "house",
        "home",
        "cottage",
        "birthplace",
        "estate",
        "mansion",
        "residence",
        "ranch",
        "library",
        "center",
        "centre",
        "institute",
        "foundation",
        "archive",
        "archives",
        "airport",
        "station",
        "terminal",
        "street",
        "avenue",
        "boulevard",
        "road",
        "highway",
        "freeway",
        "bridge",
        "tunnel",
        "park",
        "square",
        "plaza",
        "stadium",
        "arena",
        "hall",
        "theater",
        "theatre",
        "cinema",
        "school",
        "academy",
        "university",
        "college",
        "hospital",
        "clinic",
        "building",
        "tower",
        "hotel",
        "restaurant",
        "cafe",
        "bar",
        "pub",
        "diner",
        "mall",
        "store",
        "shop",
        "boutique",
        "gallery",
        "exhibition",
        "exhibit",
        "collection",
        "ship",
        "boat",
        "carrier",
        "vessel",
        "yacht",
        "ferry",
        "submarine",
        "cruiser",
        "destroyer",
        "frigate",
        "beverage",
        "punch",
        "cake",
        "pie",
        "sandwich",
        "burger",
        "dessert",
        "sundae",
        "cultivar",
        "variety",
        "perfume",
        "fragrance",
        "cologne",
        "brand",
        "font",
        "typeface",
        "award",
        "awards",
        "prize",
        "trophy",
        "medal",
        "scholarship",
        "festival",
        "day",
        "lake",
        "river",
        "mountain",
        "peak",
        "county",
        "city",
        "town",
        "island",
        "crater",
        "glacier",
        "hurricane",
        "storm",
        "act",
        "doctrine",
        "amendment",
        "administration",
        "era",
        "years",
        "effect",
        "syndrome",
        "band",
        "quartet",
        "orchestra",
        "trail",
        "route",
        "fountain",
        "garden",
        "gardens",
        "plantation",
        "cemetery",
        "chapel",
        "cathedral",
        "church",
        "monastery",
        "sign",
        "logo",
        "postage",
        "coin",
        "truck",
        "trucks",
        "car",
        "cars",
        "pickup",
        "van",
        "sedan",
        "suv",
        "engine",
        "dealership",
        "factory",
        "motor",
        "motors",
        "tractor",
        "novel",
        "novels",
        "poem",
        "poems",
        "book",
        "books",
        "manuscript",
        "gin",
        "lager",
        "cider",
        "champagne",
        "tea",
        "coffee",
        "latte",
        "cereal",
        "candy",
        "chocolate",
        "sauce",
        "equation",
        "theorem",
        "law",
        "principle",
    }
)
# Modifiers that may stand between the name and its head noun: "the Ronald Reagan Presidential Library".
_HEAD_MODIFIERS = frozenset(
    {
        "presidential",
        "national",
        "international",
        "memorial",
        "house",
        "state",
        "public",
        "county",
        "municipal",
        "regional",
        "birthplace",
        "family",
        "childhood",
        "historic",
        "historical",
        "art",
        "arts",
        "science",
        "film",
        "music",
        "heritage",
        "visitor",
        "visitors",
        "fan",
        "center",
        "centre",
        "community",
        "high",
        "elementary",
        "middle",
        "medical",
        "research",
        "civic",
        "performing",
        "pickup",
        "f",
    }
)
_VESSEL_PREFIXES = frozenset(
    {"uss", "hms", "rms", "hmcs", "hmas", "ins", "mv", "ss", "usns", "aboard", "ship", "carrier"}
)
_DRINK_WORDS = _BEVERAGES | frozenset(
    {
        "glass",
        "glasses",
        "cherry",
        "cherries",
        "grenadine",
        "ginger",
        "sip",
        "sipping",
        "sips",
        "ordered",
        "order",
        "orders",
        "bartender",
        "straw",
        "ice",
        "drinks",
        "menu",
        "pint",
        "mixing",
        "mixed",
        "poured",
        "pouring",
        "lemonade",
        "fizzy",
        "shaker",
        "bottle",
        "bottles",
        "can",
        "tavern",
        "pub",
    }
)
# Words before a family name that make it a place: "the island of Elba", "exiled to Elba".
_PLACE_BEFORE = [
    ("island", "of"),
    ("isle", "of"),
    ("city", "of"),
    ("town", "of"),
    ("port", "of"),
    ("coast", "of"),
    ("exiled", "to"),
    ("exile", "to"),
    ("exile", "on"),
    ("trip", "to"),
    ("ferry", "to"),
    ("ferry", "from"),
    ("sailing", "to"),
    ("beaches", "of"),
    ("village", "of"),
]
_PLACE_PREPOSITIONS = frozenset({"to", "from", "in", "near"})
_HISTORICAL_ROLES = frozenset(
    {
        "wife",
        "husband",
        "widow",
        "bride",
        "explorer",
        "admiral",
        "navigator",
        "pirate",
        "privateer",
        "poet",
        "novelist",
        "playwright",
        "composer",
        "inventor",
        "philosopher",
        "emperor",
        "saint",
        "pope",
        "general",
    }
)
_OLD_YEAR = re.compile(r"\b(?:1[0-8]\d\d|[5-9]\d\d)\b")
_OLD_CENTURY = re.compile(
    r"\b(?:1[0-9]|[1-9])(?:st|nd|rd|th) century\b|\b(?:eleventh|twelfth|thirteenth|fourteenth|"
    r"fifteenth|sixteenth|seventeenth|eighteenth|nineteenth) century\b"
)


# What a person's possessive may be followed by and still depict them: "NAME's face", "NAME's
# wedding". Anything else they own is a thing of theirs: "NAME's diet", "NAME's guitar".
PERSONAL_NOUNS = frozenset(
    {
        "face",
        "faces",
        "body",
        "head",
        "hair",
        "hairstyle",
        "haircut",
        "eyes",
        "eye",
        "smile",
        "lips",
        "mouth",
        "nose",
        "legs",
        "leg",
        "arms",
        "arm",
        "hands",
        "hand",
        "feet",
        "chest",
        "breasts",
        "butt",
        "skin",
        "figure",
        "physique",
        "portrait",
        "photo",
        "photograph",
        "picture",
        "selfie",
        "image",
        "likeness",
        "headshot",
        "mugshot",
        "look",
        "looks",
        "outfit",
        "dress",
        "costume",
        "clothes",
        "wedding",
        "funeral",
        "arrest",
        # their own death or trial is them: "NAME's coffin under a headline" fakes the death
        "coffin",
        "casket",
        "deathbed",
        "corpse",
        "obituary",
        "autopsy",
        "trial",
        "sentencing",
        "execution",
        "assassination",
        "overdose",
        "nude",
        "nudes",
        "naked",
        "double",
        "twin",
        "clone",
        "lookalike",
        "doppelganger",
        "statue",
        "doll",
        "bust",
        "wax",
        "mask",
        "cosplay",
        "impression",
        "impersonation",
        "deepfake",
        "avatar",
        "caricature",
        "cartoon",
        "sketch",
        "painting",
        "drawing",
        "self",
        "younger",
        "older",
        "young",
        "old",
        "baby",
        "childhood",
        "teenage",
        "final",
        "last",
        "first",
        "new",
        "best",
        "big",
        "famous",
        "iconic",
        "signature",
        "red",
        "black",
        "white",
        "beautiful",
        "sexy",
        "hot",
    }
)


# Plants and fruit named after people ("the NAME rose"). "rose" is also a verb ("NAME rose from
# her chair"), so the plant reading needs a plant noun after it or an article before the name.
_PLANTS = frozenset(
    "rose roses tulip tulips orchid orchids dahlia dahlias lily lilies peony peonies daffodil daffodils "
    "camellia camellias clematis hydrangea hydrangeas iris irises magnolia magnolias apple apples pear pears "
    "tomato tomatoes potato potatoes grape grapes pepper peppers".split()
)
_PLANT_NOUNS = frozenset(
    "variety varieties cultivar cultivars bush bushes shrub plant plants garden gardens bed beds bouquet "
    "bloom blooms blossom blossoms petals flower flowers hybrid seeds bulbs tree trees orchard vine vines".split()
)


def _names_a_plant(before: list[str], after: list[str]) -> bool:
    if not after or after[0] not in _PLANTS:
        return False
    if len(after) > 1 and after[1] in _PLANT_NOUNS:
        return True
    return bool(before) and before[-1] in ("a", "an", "the")


# Things named after people in the other languages people write to Easel in (folded): before the
# name in the Romance and Slavic languages ("el Estadio Narendra Modi", "les cellules de Merkel",
# "stadion Narendry Modiego", "un cóctel Shakira"), after it in German and Dutch compounds
# ("Merkel-Zellen", "Angela-Merkel-Schule"). Not a portrait, a statue or a doll: those show them;
# nor words that are also English or ordinary words before a person ("most", "fond", Spanish
# "cena", dinner; Italian "lei", she).
THINGS_ABROAD = frozenset(
    (
        # Spanish, Portuguese, French, Italian, Catalan, Romanian
        "estadio estadi stade stadio aeropuerto aeroporto aeroport museo musee museu escuela escola "
        "ecole scuola colegio liceo lycee instituto universidad universidade universite universita "
        "calle rua rue via avenida avenue viale plaza praca piazza puente ponte pont hospital hopital "
        "ospedale premio premi prix fundacion fundacao fondation fondazione coctel cocktail coquetel "
        "barco navio nave bateau navire buque celulas cellules cellule sindrome syndrome teorema "
        "theoreme ley loi legge biblioteca bibliotheque centro centre parque parc parco "
        # German, Dutch, Scandinavian
        "schule gymnasium stadion flughafen strasse platz brucke preis stiftung zellen zelle syndrom "
        "krankenhaus universitat bibliothek schiff school straat plein brug prijs stichting cellen "
        "ziekenhuis universiteit skola gata stiftelse haus "
        # Indonesian and Malay
        "bandara lapangan jalan sekolah museum "
        # Polish, Czech, Slovak, and Russian and Ukrainian read in Latin letters
        "lotnisko muzeum szkola ulica plac nagroda fundacja komorki statek letiste "
        "ulice namesti nadace bunky muzey shkola ulitsa ploshchad premiya kletki "
        "korabl sudno sindrom universitet bolnitsa prospekt imeni"
    ).split()
)
_OF = frozenset("of de di da do du des del della dos das im imienia imeni".split())
# Words that may stand between a thing and the name it bears ("Aeroporto Internacional NAME")
_THING_MODIFIERS = frozenset("international internacional internazionale internationale national nacional".split())
# Things of two words ("sân bay", airport in Vietnamese; "porte-avions", an aircraft carrier)
_TWO_WORD_THINGS = frozenset({("san", "bay"), ("porte", "avions"), ("aircraft", "carrier"), ("cruise", "ship")})
# "a ship named NAME", in the same languages
_NAMED = frozenset("named called llamado llamada chamado chamada nomme nommee chiamato chiamata namens genaamd".split())


def names_a_thing(match: NameMatch, folded_prompt: str, possessed: str | None = None, prompt: str = "") -> str | None:
    """What the matched words name instead of the person ("thing", "drink", "vessel", "place",
    "namesake"), or None when they read as the person.

    The words around the name are read as English. Read from another script they are letters that
    happen to spell English words ("поёт", sings, read as "poet"), so only a town after a
    preposition of place is read there (`_a_town_named_after_a_place_preposition`)."""
    before, after = match.before, match.after
    if not match.read_in_latin:
        if before and before[-1] in THINGS_ABROAD:
            return "thing"  # "стадион имени Моди" (named after Modi), "клетки Меркеля", read in Latin letters
        return "place" if _a_town_named_after_a_place_preposition(match, prompt) else None
    if _a_thing_named_abroad(before, after):
        return "thing"
    text = prompt or folded_prompt
    if possessed and possessed not in PERSONAL_NOUNS:
        return "thing"  # "NAME's diet", "NAME's rocket": something of theirs, not them
    if after and (
        after[0] in THING_HEADS or (len(after) > 1 and after[0] in _HEAD_MODIFIERS and after[1] in THING_HEADS)
    ):
        return "drink" if after[0] in ("cocktail", "mocktail", "drink", "beverage", "punch", "soda") else "thing"
    if _names_a_plant(before, after):
        return "thing"
    if before and before[-1] in _VESSEL_PREFIXES:
        return "vessel"
    nearby = set(before) | set(after)
    if before and before[-1] in ("a", "an", "of", "ordered", "sipping") and nearby & _DRINK_WORDS:
        if _in_english(before[-1], text):
            return "drink"
    family_only = match.how in ("surname", "title") and len(match.matched.split()) == 1
    # An article before a lone family name or a one-word name makes it a thing or a family, not
    # the person, when the name modifies a noun: "a Ford pickup", "the Temple of Heaven", "a Lopez
    # family picnic". Spanish and Portuguese write "a" before a person they name as the object
    # ("dibuja a Obama en la playa"): the noun after the name and the language tell the two apart.
    if match.how in ("surname", "ambiguous") and before and before[-1] in ("a", "an", "the"):
        if _modifies_a_noun(after) and _in_english(before[-1], text):
            return "thing"
        if before[-1] == "the" and after[:1] == ("of",):
            return "thing"  # "the Temple of Heaven"; "the Obamas at the beach" are the family
    prepositions = _PLACE_PREPOSITIONS | ({"on"} if match.needs_person_context else set())
    if family_only and (
        tuple(before[-2:]) in _PLACE_BEFORE
        or (before and before[-1] in prepositions and match.how == "surname" and _in_english(before[-1], text))
    ):
        return "place"
    if family_only and _a_town_named_after_a_place_preposition(match, prompt):
        return "place"
    # A full name is someone else's only in another era *and* in a role of their own ("NAME, wife
    # of William Shakespeare, 1582"): either alone is a costume or a claim anyone can write ("NAME
    # as a 16th century queen", "NAME the poet").
    if not family_only:
        role = after[1] if after[:1] == ("the",) and len(after) > 1 else (after[0] if after else "")
        if role in _HISTORICAL_ROLES and (_OLD_YEAR.search(folded_prompt) or _OLD_CENTURY.search(folded_prompt)):
            return "namesake"
    return None


# English words that are other words in other languages: Spanish and Portuguese "a" before a
# person named as the object, Polish and Czech "to" (this is), German "an" (at).
_SHARED_WITH_OTHER_LANGUAGES = frozenset({"a", "an", "to"})
_NOT_ENGLISH = 0.5  # the language identifier's score for another language that sets English readings aside
# Words after "a NAME" that show it is not a noun phrase: it is the person, named as an object.
# Also the function words of other languages that English dictionaries list ("con", "la", "come").
_FUNCTION_WORDS = frozenset(
    "in on at with by for from to of and or as into onto near under over the a an is are was were "
    "who that this these those my your his her their our its "
    "con la le el del de se si so da do no na di per come sin son die den das dan pas mit und".split()
)


def _in_english(word: str, text: str) -> bool:
    """May this English word be read as English here? Words only English has always; the shared
    ones unless the text reads as another language (or the identifier cannot tell: then never,
    and the name stays the person)."""
    if word not in _SHARED_WITH_OTHER_LANGUAGES:
        return True
    from models.language_id import language_guesses

    guesses = language_guesses(text, k=1)
    if not guesses:
        return False
    language, score = next(iter(guesses.items()))
    return language == "en" or score < _NOT_ENGLISH


def _a_town_named_after_a_place_preposition(match: NameMatch, prompt: str) -> bool:
    """Is the matched family name a town the request writes after a preposition of place, in any
    language ("uma rua em Houston", "улица в Вашингтоне": Washington the city, not Denzel)?"""
    if not prompt or match.how != "surname":
        return False
    from policy import places
    from policy.normalize import fold_text, romanizations

    def readings(word: str) -> set[str]:
        return {fold_text(word), *(part for reading in romanizations(word) for part in reading.split())}

    matched = set(match.matched.split())
    for preposition, town in places.towns_after_place_prepositions(prompt):
        # a syllable reading may take the preposition into the name ("v vashingtone")
        if matched & readings(town) and matched <= readings(town) | readings(preposition):
            return True
    return False


def _a_thing_named_abroad(before: tuple[str, ...], after: tuple[str, ...]) -> bool:
    """A thing named after the person in another language: the thing's word right before the name
    or with "of" between ("cellules de Merkel"), "called" between ("Schiff namens Angela Merkel"),
    or a compound's head right after it ("Merkel-Zellen")."""
    if before and _a_thing_word(before[-1]):
        return True
    if len(before) >= 2 and (
        tuple(before[-2:]) in _TWO_WORD_THINGS
        or (before[-1] in _THING_MODIFIERS and (_a_thing_word(before[-2]) or before[-2] in THING_HEADS))
    ):
        return True
    if len(before) >= 2 and before[-1] in THING_HEADS and before[-2] in ("the", "a", "an"):
        return True  # "the airport Charles de Gaulle"
    if len(before) >= 2 and before[-1] in _OF | _NAMED:
        return _a_thing_word(before[-2]) or before[-2] in THING_HEADS or before[-2] in _VESSEL_PREFIXES
    if tuple(after[:2]) in _TWO_WORD_THINGS:
        return True  # "NAME aircraft carrier"
    return bool(after) and after[0] in THINGS_ABROAD and after[0] not in ("via", "centre", "centro")


def _a_thing_word(word: str) -> bool:
    """A thing's word of another language, also with a French or Italian elided article written
    onto it ("l'aéroport", folded "laeroport")."""
    return word in THINGS_ABROAD or (len(word) > 5 and word[0] in "ld" and word[1:] in THINGS_ABROAD)


def _modifies_a_noun(after: tuple[str, ...]) -> bool:
    """Is the word after the name an English noun it modifies ("a Ford pickup"), not a
    preposition, a word of another language, or a picture of the person ("a NAME portrait")?"""
    from policy.names import ordinary_words

    return bool(after) and after[0] in ordinary_words() and after[0] not in _FUNCTION_WORDS | PERSONAL_NOUNS
