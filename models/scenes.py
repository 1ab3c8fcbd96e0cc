"""Scenes of several subjects for the embedded image model: reading a request, then painting it.

The embedded model draws one emoji-like subject at a time (its pair captions, "a cat and a
rainbow", mostly came out as two blobs of one of them). A request that names more is read into a
`SceneRequest` and drawn as a composition:

    "a red bicycle next to a dog at sunset"
      -> subjects   🚲 bicycle (red), 🐕 dog          up to four, each with its colour and size
         relations  bicycle next to dog               next to, on, under, above, holding,
                                                      wearing, in front of, behind, inside, riding
         setting    sunset                            a painted background (sunset, beach, night
                                                      sky, snow, forest, ...) or a plain colour
         left out   what is not drawn, and why        an unknown word, a named person, an action

Each subject is drawn by the image model on its own (one batched call), cut out of its plain
background (`models.scene_edits.segment`), recoloured when a colour was asked
(`scene_edits.recolour_pixels`, the same as "make it red"), laid out by its relations
(`layout`) and painted on the setting's background (`setting_plate`) as a `scene_edits.Scene`,
so the picture can be edited afterwards like any other.

Reading uses only the concept index's exact names (name, everyday name, alias, derived name):
a request that names nothing that way is left to `ConceptIndex.resolve` and its meaning search.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np

from models.concepts import (
    COLOUR_WORDS,
    REQUEST_WORDS,
    SIZE_WORDS,
    Concept,
    ConceptIndex,
    Resolution,
    tokens,
)
from models.scene_edits import COLOURS, WEARABLE, Layer, Scene

# ---------------------------------------------------------------------------------------------
# words

# Colour words for a subject: the resolver's (the model's training palette) and every colour an
# edit can recolour to ("a brown dog", "a silver car").
SUBJECT_COLOURS: dict[str, str] = {
    **{name: name for name in COLOURS if name != "black and white"},
    **{word: colour for word, colour in COLOUR_WORDS.items() if colour in COLOURS and word != "dark"},
    "golden": "gold",
    "gold": "gold",
    "violet": "purple",
    "magenta": "magenta",
    "navy": "navy",
    "lime": "lime",
    "gray": "grey",
    "sky blue": "cyan",
    "light blue": "cyan",
    "dark blue": "navy",
    "dark green": "teal",
    "light green": "lime",
}
COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4, "pair": 2, "couple": 2}
MAX_SUBJECTS = 4

# Relation phrases (longest first when matched) -> the relation drawn. The subject before the
# phrase is `a`, the one after it `b`: "a cat (a) on (rel) a car (b)".
RELATIONS: dict[str, str] = {
    "on top of": "on",
    "sitting on top of": "on",
    "sitting on": "on",
    "standing on": "on",
    "lying on": "on",
    "sleeping on": "on",
    "perched on": "on",
    "on": "on",
    "onto": "on",
    "upon": "on",
    "atop": "on",
    "riding on": "riding",
    "riding": "riding",
    "rides": "riding",
    "on the back of": "riding",
    "under": "under",
    "underneath": "under",
    "beneath": "under",
    "below": "under",
    "sitting under": "under",
    "standing under": "under",
    "above": "above",
    "over": "above",
    "flying over": "above",
    "flying above": "above",
    "hovering over": "above",
    "holding": "holding",
    "holds": "holding",
    "carrying": "holding",
    "carries": "holding",
    "eating": "holding",
    "eats": "holding",
    "drinking": "holding",
    "with": "holding",
    "has": "holding",
    "having": "holding",
    "wearing": "wearing",
    "wears": "wearing",
    "in front of": "in front of",
    "before": "in front of",
    "behind": "behind",
    "in back of": "behind",
    "next to": "next to",
    "beside": "next to",
    "besides": "next to",
    "by": "next to",
    "near": "next to",
    "close to": "next to",
    "alongside": "next to",
    "and": "next to",
    "plus": "next to",
    "together with": "next to",
    "inside": "inside",
    "in": "inside",
    "into": "inside",
    "inside of": "inside",
    "within": "inside",
    # Actions the model cannot show: drawn side by side, and the answer says so.
    "chasing": "next to",
    "playing with": "next to",
    "looking at": "next to",
    "hugging": "next to",
    "talking to": "next to",
    "fighting": "next to",
    "kissing": "next to",
    "following": "next to",
    "watching": "next to",
    "meeting": "next to",
    "dancing with": "next to",
}
# Relation phrases whose action is not shown (drawn side by side): the answer says so.
UNSHOWN_RELATIONS = {
    "chasing",
    "playing with",
    "looking at",
    "hugging",
    "talking to",
    "fighting",
    "kissing",
    "following",
    "watching",
    "meeting",
    "dancing with",
}
# How a relation reads in the card ("a dog on a skateboard").
RELATION_WORDS = {
    "on": "on",
    "riding": "riding",
    "under": "under",
    "above": "above",
    "holding": "holding",
    "wearing": "wearing",
    "in front of": "in front of",
    "behind": "behind",
    "next to": "next to",
    "inside": "in",
}

# Words that say nothing drawable and need no mention when left out.
FILLER_WORDS = {
    "very",
    "really",
    "so",
    "quite",
    "pretty",
    "some",
    "there",
    "is",
    "are",
    "be",
    "being",
    "who",
    "which",
    "that",
    "while",
    "as",
    "together",
    "each",
    "other",
    "both",
    "also",
    "too",
    "scene",
    "background",
    "backdrop",
    "setting",
    "lovely",
    "beautiful",
    "cool",
    "funny",
    "sweet",
    "adorable",
    "colourful",
    "colorful",
    "thanks",
    "thank",
    "ok",
    "okay",
    "hey",
    "hi",
    "emoji-style",
    "cartoon",
    "time",
    "side",
    "by",
    "i'd",
    "id",
    "i'm",
    "im",
    "we",
    "we'd",
    "us",
    "let's",
    "lets",
    "love",
    "wanna",
    "need",
    "how",
    "about",
    "maybe",
    "perhaps",
    "here",
}

# ---------------------------------------------------------------------------------------------
# settings: a painted background for "at sunset", "on a beach", "under a night sky", ...


@dataclass(frozen=True)
class Setting:
    """A background made for a setting: a vertical sky gradient, an optional ground band that
    subjects stand on, and optional specks (stars, snow). Nothing on it looks like a subject."""

    name: str
    sky: tuple[tuple[float, tuple[int, int, int]], ...]  # (height share, colour) stops, top to bottom
    ground: tuple[float, tuple[int, int, int], tuple[int, int, int]] | None = None  # (top share, top, bottom)
    specks: str | None = None  # "stars" | "snow" | "rain" | "bubbles"
    band: tuple[float, float, tuple[int, int, int]] | None = None  # a horizontal band (the sea on a beach)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting(
            "sunset",
            ((0.0, (72, 52, 140)), (0.45, (232, 108, 108)), (0.72, (255, 186, 96))),
            (0.72, (96, 64, 110), (52, 38, 84)),
        ),
        Setting(
            "sunrise",
            ((0.0, (120, 170, 230)), (0.5, (250, 190, 170)), (0.72, (255, 222, 150))),
            (0.72, (120, 150, 110), (80, 120, 80)),
        ),
        Setting(
            "beach",
            ((0.0, (110, 180, 240)), (0.55, (200, 230, 250))),
            (0.7, (242, 218, 165), (226, 192, 132)),
            band=(0.55, 0.7, (40, 130, 205)),
        ),
        Setting("night sky", ((0.0, (8, 12, 42)), (1.0, (34, 44, 96))), specks="stars"),
        Setting("space", ((0.0, (4, 4, 14)), (1.0, (22, 16, 48))), specks="stars"),
        Setting(
            "snow",
            ((0.0, (178, 200, 228)), (0.7, (222, 232, 246))),
            (0.7, (250, 251, 255), (226, 234, 246)),
            specks="snow",
        ),
        Setting(
            "forest",
            ((0.0, (150, 200, 170)), (0.7, (200, 228, 205))),
            (0.7, (60, 130, 60), (36, 96, 44)),
        ),
        Setting(
            "grass",
            ((0.0, (130, 195, 245)), (0.7, (206, 232, 250))),
            (0.7, (118, 196, 92), (76, 152, 62)),
        ),
        Setting(
            "desert",
            ((0.0, (160, 210, 245)), (0.66, (244, 226, 196))),
            (0.66, (236, 192, 124), (212, 160, 92)),
        ),
        Setting("underwater", ((0.0, (90, 185, 232)), (1.0, (20, 70, 150))), specks="bubbles"),
        Setting("sky", ((0.0, (96, 170, 240)), (1.0, (206, 232, 252)))),
        Setting("rain", ((0.0, (110, 122, 140)), (1.0, (172, 182, 196))), specks="rain"),
        Setting(
            "city",
            ((0.0, (150, 190, 230)), (0.72, (215, 225, 235))),
            (0.72, (140, 140, 150), (100, 100, 110)),
        ),
        Setting(
            "mountains",
            ((0.0, (130, 180, 235)), (0.7, (210, 228, 245))),
            (0.7, (120, 134, 150), (84, 96, 112)),
        ),
        Setting(
            "autumn",
            ((0.0, (150, 195, 235)), (0.7, (236, 222, 200))),
            (0.7, (214, 128, 52), (170, 90, 40)),
        ),
    ]
}
# The words that name each setting (after "at", "on", "in", "under", ... or before "background").
SETTING_WORDS: dict[str, str] = {
    "sunset": "sunset",
    "dusk": "sunset",
    "evening": "sunset",
    "twilight": "sunset",
    "sundown": "sunset",
    "sunrise": "sunrise",
    "dawn": "sunrise",
    "morning": "sunrise",
    "beach": "beach",
    "sandy beach": "beach",
    "seaside": "beach",
    "shore": "beach",
    "seashore": "beach",
    "coast": "beach",
    "night": "night sky",
    "night sky": "night sky",
    "starry sky": "night sky",
    "starry night": "night sky",
    "stars": "night sky",
    "midnight": "night sky",
    "nighttime": "night sky",
    "moonlight": "night sky",
    "space": "space",
    "outer space": "space",
    "galaxy": "space",
    "the cosmos": "space",
    "snow": "snow",
    "the snow": "snow",
    "snowy": "snow",
    "snowfall": "snow",
    "winter": "snow",
    "wintertime": "snow",
    "ice": "snow",
    "forest": "forest",
    "woods": "forest",
    "jungle": "forest",
    "rainforest": "forest",
    "park": "grass",
    "garden": "grass",
    "meadow": "grass",
    "field": "grass",
    "grass": "grass",
    "lawn": "grass",
    "countryside": "grass",
    "farm": "grass",
    "spring": "grass",
    "summer": "grass",
    "hill": "grass",
    "hills": "grass",
    "desert": "desert",
    "sand": "desert",
    "dunes": "desert",
    "sea": "underwater",
    "ocean": "underwater",
    "underwater": "underwater",
    "under water": "underwater",
    "under the sea": "underwater",
    "water": "underwater",
    "lake": "underwater",
    "pond": "underwater",
    "river": "underwater",
    "sky": "sky",
    "clouds": "sky",
    "air": "sky",
    "daytime": "sky",
    "day": "sky",
    "sunshine": "sky",
    "sunny day": "sky",
    "rain": "rain",
    "rainy day": "rain",
    "storm": "rain",
    "city": "city",
    "street": "city",
    "town": "city",
    "road": "city",
    "mountains": "mountains",
    "mountain": "mountains",
    "autumn": "autumn",
    "fall": "autumn",
}
# Words that name a setting even without a preposition ("a snowy forest", "a rainy day").
SETTING_ADJECTIVES = {
    "sunny": "sky",
    "snowy": "snow",
    "rainy": "rain",
    "starry": "night sky",
    "wintry": "snow",
    "underwater": "underwater",
    "nighttime": "night sky",
}
_SETTING_NAMES = "|".join(sorted((re.escape(w) for w in SETTING_WORDS), key=len, reverse=True))
_SETTING_RES = [
    # "at sunset", "on a sandy beach", "under the night sky", "in the snow", "during winter"
    re.compile(
        r"\b(?:at|on|in|under|underneath|beneath|during|by|near|across|over|through|into|onto|against|"
        r"in the middle of|out in|out at|at the|on top of)\s+(?:the\s+|a\s+|an\s+)?"
        r"(?:(?:beautiful|lovely|sandy|starry|snowy|sunny|dark|bright|big|deep|blue|green|quiet|busy|rainy|"
        r"pink|orange|red|golden|clear|cold|warm|summer|winter|autumn|wild|tropical|dense|magical)\s+)?"
        rf"({_SETTING_NAMES})\b"
    ),
    # "with a sunset background", "a beach scene", "sunset backdrop"
    re.compile(rf"\b(?:with\s+)?(?:a\s+|an\s+|the\s+)?({_SETTING_NAMES})\s+(?:background|backdrop|scene|setting)\b"),
    # "at night", "at dawn", "in space" already above; "under water" above
]


# ---------------------------------------------------------------------------------------------
# the reading


@dataclass(frozen=True)
class SceneSubject:
    concept: Concept
    colour: str | None = None  # a key of scene_edits.COLOURS
    size: str = "normal"  # small | normal | large
    copy: int = 0  # 0 for the first of "two dogs", 1 for the second, ...

    def label(self) -> str:
        colour = f" ({self.colour})" if self.colour else ""
        return f"{self.concept.emoji} {self.concept.name}{colour}"

    def caption(self) -> str:
        """What the image model is asked for: the bare subject on white (colour comes after)."""
        from models.emoji_data import article

        return article(self.concept.name)


@dataclass(frozen=True)
class SceneRelation:
    a: int  # index into subjects
    kind: str  # a value of RELATIONS
    b: int
    words: str = ""  # as asked ("chasing")


@dataclass
class SceneRequest(Resolution):
    """A request read as a scene. It is a `Resolution` (what the chat's fast path and the card
    read): `concepts` are the subjects' concepts, `unused` the words left out."""

    subjects: tuple[SceneSubject, ...] = ()
    relations: tuple[SceneRelation, ...] = ()
    setting: str | None = None  # a key of SETTINGS
    left_out: tuple[tuple[str, str], ...] = ()  # (what, why) for each part not drawn

    @property
    def composed(self) -> bool:
        """Whether it is drawn as a composition rather than by one call of the model: several
        subjects, a setting, or a colour for a subject (the model's own colour captions only
        covered one-colour glyphs, and "a red bicycle" came out blue-grey)."""
        return (
            len(self.subjects) > 1
            or self.setting is not None
            or any(s.colour is not None for s in self.subjects)
            or bool(self.relations)
        )

    def describe(self) -> str:
        """What was drawn as what, for the card: '🐕 dog (red) + 🐈 cat · dog next to cat · sunset'."""
        if not self.subjects:
            return super().describe()
        labels = " + ".join(s.label() for s in self.subjects)
        extra = []
        for r in self.relations:
            if r.kind != "next to" or r.words not in ("and", "next to", ""):
                shown = RELATION_WORDS[r.kind]
                extra.append(f"{self.subjects[r.a].concept.name} {shown} {self.subjects[r.b].concept.name}")
        if self.setting:
            extra.append(f"setting: {self.setting}")
        elif self.background != "white" and self.composed:
            extra.append(f"{self.background} background")
        return " · ".join([labels, *extra])

    def left_out_sentence(self) -> str | None:
        """One short sentence on what was not drawn and why, or None when everything was."""
        if not self.left_out:
            return None
        parts = [f"{what} ({why})" for what, why in self.left_out]
        if len(parts) == 1:
            what, why = self.left_out[0]
            return f"I didn't draw {what}: {why}."
        return f"I didn't draw {', '.join(parts[:-1])} or {parts[-1]}."


def _find_setting(text: str, names: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """(the setting named, the text without it). Words that are part of a subject's own name
    ("bridge at night", "sunrise over mountains" among `names`) are not a setting."""
    for pattern in _SETTING_RES:
        match = pattern.search(text)
        if match and any(" ".join(match.group(0).split()) in name for name in names):
            continue
        if match:
            return SETTING_WORDS[match.group(1)], text[: match.start()] + " , " + text[match.end() :]
    for word, setting in SETTING_ADJECTIVES.items():
        match = re.search(rf"\b{word}\b", text)
        if match:
            return setting, text[: match.start()] + " " + text[match.end() :]
    return None, text


def _people(original: str, known: set[str]) -> list[tuple[str, list[str]]]:
    """Names written with capitals ("Adam Driver") that are not words the model knows: (the
    name as written, its lower-case tokens)."""
    found = []
    for match in re.finditer(r"\b[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|da|del|le|la))*", original):
        words = match.group(0).split()
        if match.start() == 0 and len(words) == 1:
            continue  # the first word of a sentence ("Draw ...")
        lowered = tokens(match.group(0))
        if all(w in REQUEST_WORDS or w in known for w in lowered):
            continue
        if words[0].lower() in REQUEST_WORDS | {"please", "hey", "hi"}:
            words = words[1:]
            lowered = tokens(" ".join(words))
        if words:
            found.append((" ".join(words).strip(" .,!?"), lowered))
    return found


def read_scene(index: ConceptIndex, request: str) -> SceneRequest | None:
    """The request as a scene, or None when it names no subject by name (the resolver's
    meaning search then reads it)."""
    original = unicodedata.normalize("NFKC", request).replace("’", "'")
    if any(ch.isalpha() and not ch.isascii() for ch in original):
        # Scenes are read in English words: accents or another script would cut the words at
        # those letters ("một con mèo" as "m t con m"); the resolver reads other languages.
        return None
    text = original.lower()
    result = SceneRequest(request=request)
    # A plain background colour ("on a blue background"), as the single-subject resolver reads it.
    from models.concepts import _BACKGROUND_RES

    for pattern in _BACKGROUND_RES:
        match = pattern.search(text)
        if match:
            result.background = COLOUR_WORDS[match.group(1)]
            text = text[: match.start()] + " , " + text[match.end() :]
            break
    words_before = re.findall(r"[a-z0-9]+(?:['\-.][a-z0-9]+)*", text)
    long_names = tuple(" ".join(words_before[a:b]) for a, b, _c, _h in index._match_names(words_before) if b - a > 2)
    setting, text = _find_setting(text, long_names)
    result.setting = setting
    position = re.search(
        r"\b(?:on|to|at|in|towards)\s+(?:the\s+)?(left|right|top|bottom|centre|center|middle)(?:\s+side)?\b", text
    )
    if position:
        result.position = {"center": "centre", "middle": "centre"}.get(position.group(1), position.group(1))
        text = text[: position.start()] + " " + text[position.end() :]
    words = re.findall(r"[a-z0-9]+(?:['\-.][a-z0-9]+)*|,", text)
    # Emoji typed into the request.
    typed = [index.by_emoji[ch] for ch in text.replace("\ufe0f", "") if ch in index.by_emoji]

    found = index._match_names(words)
    # An -ing word after a subject is what it does ("a dog surfing"), not a second subject
    # ("person surfing"): the model cannot show it, and the answer says so.
    actions: list[tuple[int, str]] = []
    kept = []
    for f in found:
        start, end, concept, how = f
        if how == "derived" and end - start == 1 and words[start].endswith("ing") and kept:
            actions.append((start, words[start]))
            continue
        if end - start == 1 and words[start] in RELATIONS:
            continue  # "by" or "with" is never a subject
        if end - start == 1 and words[start] in SUBJECT_COLOURS and any(g[0] == end for g in found):
            continue  # "an orange bird": a colour, not a tangerine
        kept.append(f)
    found = kept
    if not found and typed:
        found = [(-1, -1, c, "emoji") for c in typed[:MAX_SUBJECTS]]
    if not found:
        return None
    taken = {i for s, e, _c, _h in found for i in range(s, e)}
    taken |= {i for i, _w in actions}

    # Relation phrases between the subjects, in the words no name took.
    relation_at: dict[int, tuple[int, str]] = {}  # start -> (end, phrase)
    phrases = sorted(RELATIONS, key=lambda p: -len(p.split()))
    i = 0
    while i < len(words):
        if i in taken:
            i += 1
            continue
        for phrase in phrases:
            n = len(phrase.split())
            if words[i : i + n] == phrase.split() and not any(k in taken for k in range(i, i + n)):
                relation_at[i] = (i + n, phrase)
                break
        i += relation_at[i][0] - i if i in relation_at else 1
    relation_words = {k for s, (e, _p) in relation_at.items() for k in range(s, e)}

    # Subjects, with the colour, size and count words just before each.
    subjects: list[SceneSubject] = []
    first_of: list[int] = []  # index of each found name's first subject (copies follow it)
    boundary = 0
    colour_words_used: set[int] = set()
    for start, end, concept, _how in found:
        colour, size, count = None, "normal", 1
        for k in range(max(boundary, 0), max(start, 0)):
            if k in taken or k in relation_words:
                continue
            w = words[k]
            two = " ".join(words[k : k + 2])
            if two in SUBJECT_COLOURS and k + 1 < start:
                colour = SUBJECT_COLOURS[two]
                colour_words_used |= {k, k + 1}
            elif w in SUBJECT_COLOURS and k not in colour_words_used:
                colour = SUBJECT_COLOURS[w]
                colour_words_used.add(k)
            elif w in SIZE_WORDS:
                size = SIZE_WORDS[w]
            elif w in COUNT_WORDS:
                count = COUNT_WORDS[w]
                colour_words_used.add(k)
        first_of.append(len(subjects))
        for copy in range(count):
            if len(subjects) < MAX_SUBJECTS:
                subjects.append(SceneSubject(concept, colour, size, copy))
        boundary = end
    result.subjects = tuple(subjects)
    result.concepts = tuple(s.concept for s in subjects)
    result.how = found[0][3]
    result.score = 1.0

    # Relations: from the subject before the phrase to the subject after it.
    relations = []
    positions = [(s, e) for s, e, _c, _h in found]
    for start, (end, phrase) in sorted(relation_at.items()):
        before = [k for k, (s, e) in enumerate(positions) if e <= start]
        after = [k for k, (s, e) in enumerate(positions) if s >= end]
        if not before or not after:
            continue
        a, b = first_of[before[-1]], first_of[after[0]]
        if a >= len(subjects) or b >= len(subjects) or a == b:
            continue
        kind = RELATIONS[phrase]
        if kind == "holding" and phrase in ("with", "has", "having") and _wearable(subjects[b].concept):
            kind = "wearing"
        relations.append(SceneRelation(a, kind, b, phrase))
    result.relations = tuple(relations)

    # What is left out, and why.
    left_out: list[tuple[str, str]] = []
    known_words = {w for s, e, _c, _h in found for w in words[max(s, 0) : max(e, 0)]}
    people = _people(original, known_words)
    people_words = {w for _name, lowered in people for w in lowered}
    for name, _lowered in people:
        left_out.append((name, "this model draws emoji-style things, not particular people or characters"))
    for _k, verb in actions:
        left_out.append((f"'{verb}'", "it draws still subjects and can't show what they are doing"))
    for _end, phrase in relation_at.values():
        if phrase in UNSHOWN_RELATIONS:
            left_out.append((f"'{phrase}'", "it can't show actions, so they are side by side"))
    dropped_subjects = [f for k, f in enumerate(found) if first_of[k] >= MAX_SUBJECTS]
    for _s, _e, concept, _h in dropped_subjects:
        left_out.append((f"the {concept.name}", f"a picture holds at most {MAX_SUBJECTS} subjects"))
    unknown: list[str] = []
    run: list[str] = []
    for k, w in enumerate(words + [","]):
        skip = (
            w == ","
            or k in taken
            or k in relation_words
            or k in colour_words_used
            or w in REQUEST_WORDS
            or w in SIZE_WORDS
            or w in SUBJECT_COLOURS
            or w in COUNT_WORDS
            or w in FILLER_WORDS
            or w in people_words
            or w in {"a", "an", "the", "his", "her", "their", "its", "our", "your"}
        )
        if skip:
            if run:
                unknown.append(" ".join(run))
                run = []
        else:
            run.append(w)
    for phrase in unknown:
        if phrase.split()[0].endswith("ing") and len(phrase.split()[0]) > 4:  # "singing", "flying away"
            left_out.append((f"'{phrase}'", "it draws still subjects and can't show what they are doing"))
        else:
            left_out.append((f"'{phrase}'", "the built-in model doesn't know it"))
    result.left_out = tuple(left_out)
    result.unused = (
        tuple(w for phrase in [*unknown, *(v for _k, v in actions)] for w in phrase.split())
        + tuple(people_words)
        + tuple(phrase for _s, (_e, phrase) in relation_at.items() if phrase in UNSHOWN_RELATIONS)
    )
    if len(subjects) > 1 or result.size == "large":
        result.position = "centre"
    if len(subjects) == 1:
        result.size, result.colour = subjects[0].size, None
    return result


def _wearable(concept: Concept) -> bool:
    return any(w.rstrip("s") in WEARABLE or w in WEARABLE for w in concept.name.split()) or concept.name in WEARABLE


# ---------------------------------------------------------------------------------------------
# painting


def setting_plate(
    setting: str | None, background: str, size: tuple[int, int], seed: int = 0
) -> tuple[np.ndarray, float | None]:
    """(the background as an (H, W, 3) uint8 array, the ground line as a share of the height
    or None): a setting's painted background, or a plain colour."""
    from models.emoji_data import BACKGROUNDS

    width, height = size
    if setting is None:
        plate = np.empty((height, width, 3), np.uint8)
        plate[...] = BACKGROUNDS.get(background, (255, 255, 255))
        return plate, None
    spec = SETTINGS[setting]
    ys = (np.arange(height) + 0.5) / height
    stops = list(spec.sky)
    positions = np.array([p for p, _c in stops])
    colours = np.array([c for _p, c in stops], dtype=np.float64)
    column = np.stack([np.interp(ys, positions, colours[:, k]) for k in range(3)], -1)
    if spec.band is not None:
        top, bottom, rgb = spec.band
        inside = (ys >= top) & (ys < bottom)
        column[inside] = rgb
    if spec.ground is not None:
        top, upper, lower = spec.ground
        below = ys >= top
        t = np.clip((ys - top) / max(1e-6, 1 - top), 0, 1)[:, None]
        ground = np.asarray(upper, float) * (1 - t) + np.asarray(lower, float) * t
        column = np.where(below[:, None], ground, column)
    plate = np.repeat(column[:, None, :], width, axis=1)
    rng = np.random.default_rng([seed, 7])
    if spec.specks in ("stars", "snow", "bubbles"):
        count = {"stars": 0.0012, "snow": 0.0018, "bubbles": 0.0006}[spec.specks] * width * height
        xs = rng.integers(0, width, int(count))
        ys_ = rng.integers(0, height, int(count))
        rgb = {"stars": (255, 250, 220), "snow": (255, 255, 255), "bubbles": (200, 235, 255)}[spec.specks]
        radius = max(1, round(min(width, height) / (200 if spec.specks == "stars" else 128)))
        for x, y in zip(xs.tolist(), ys_.tolist(), strict=True):
            plate[max(0, y - radius + 1) : y + radius, max(0, x - radius + 1) : x + radius] = rgb
    elif spec.specks == "rain":
        for x in rng.integers(0, width, int(0.04 * width)).tolist():
            y = int(rng.integers(0, height))
            length = max(3, height // 24)
            plate[y : y + length, x : x + 1] = (200, 210, 230)
    return np.clip(plate, 0, 255).round().astype(np.uint8), (spec.ground[0] if spec.ground else None)


SIZE_SCALE = {"small": 0.62, "normal": 1.0, "large": 1.3}


@dataclass
class _Box:
    w: float  # in units of a normal subject's longest side
    h: float
    cx: float = 0.0
    cy: float = 0.0
    placed: bool = False


# relation -> (which subject moves: "a" or "b", how it is placed against the other, its size
# against the other's). "a holding b": b goes to a's side at half its size.
PLACEMENTS = {
    "on": ("a", "on", 0.85),
    "riding": ("a", "riding", 0.85),
    "under": ("a", "under", 1.0),
    "above": ("a", "above", 0.9),
    "holding": ("b", "held", 0.6),
    "wearing": ("b", "worn", 0.62),
    "in front of": ("a", "front", 0.8),
    "behind": ("a", "behind", 0.85),
    "inside": ("a", "inside", 0.5),
}
GAP = 0.1
# Placements drawn over their anchor (the others are drawn under it).
OVER = {"on", "riding", "held", "worn", "front", "inside"}


def _offset(how: str, mover: _Box, anchor: _Box) -> tuple[float, float]:
    """Where the mover's centre goes, relative to its anchor's centre. Subjects keep a small gap
    (GAP, a share of the anchor) wherever the relation allows, so that each stays whole and
    recognisable: only a worn thing touches, and a thing inside overlaps."""
    if how in ("on", "riding"):
        dx = -0.06 * anchor.w if how == "riding" else 0.0
        return dx, -anchor.h / 2 - mover.h / 2 - GAP * anchor.h
    if how == "under":
        return 0.0, anchor.h / 2 + mover.h / 2 + GAP * anchor.h
    if how == "above":
        return 0.0, -anchor.h / 2 - mover.h / 2 - 2.5 * GAP * anchor.h
    if how == "held":  # at the holder's side, at the height of its middle
        return anchor.w / 2 + mover.w / 2 + GAP * anchor.w, 0.15 * anchor.h
    if how == "worn":
        return 0.0, -anchor.h / 2 + 0.15 * mover.h
    if how == "front":  # nearer: lower, beside the other
        return -(anchor.w / 2 + mover.w / 2 + GAP * anchor.w), 0.25 * anchor.h
    if how == "behind":  # further: higher and smaller, beside the other
        return anchor.w / 2 + mover.w / 2 + GAP * anchor.w, -0.25 * anchor.h
    if how == "inside":
        return 0.0, 0.08 * anchor.h
    return (anchor.w + mover.w) / 2 + 0.1, 0.0


def layout(
    request: SceneRequest, shapes: list[tuple[int, int]], size: tuple[int, int], ground: float | None
) -> tuple[list[tuple[float, float, float]], list[int]]:
    """Where each subject goes, and the order to paint them in (bottom to top).

    Returns ((centre x, centre y, scale of its sprite) per subject, order) on a canvas of
    `size`; `shapes` are the sprites' (height, width). Subjects a relation ties together ("a
    cat on a car") form one group laid out by the relation; groups stand side by side in a row,
    on the ground line when the setting has one, as large as the canvas allows."""
    n = len(request.subjects)
    boxes = []
    for subject, (h, w) in zip(request.subjects, shapes, strict=True):
        unit = SIZE_SCALE.get(subject.size, 1.0) / max(h, w)
        boxes.append(_Box(w * unit, h * unit))
    group = list(range(n))

    def find(k: int) -> int:
        while group[k] != k:
            k = group[k]
        return k

    over: list[int] = []  # subjects painted over their anchor
    under: list[int] = []
    for r in request.relations:
        if r.kind not in PLACEMENTS or find(r.a) == find(r.b) and boxes[r.a].placed and boxes[r.b].placed:
            continue
        who, how, factor = PLACEMENTS[r.kind]
        m, a = (r.a, r.b) if who == "a" else (r.b, r.a)
        mover, anchor = boxes[m], boxes[a]
        if mover.placed and anchor.placed:
            continue
        if not mover.placed and not anchor.placed:
            anchor.placed = True
        if not mover.placed:
            ratio = factor * max(anchor.w, anchor.h) / max(mover.w, mover.h)
            mover.w, mover.h = mover.w * ratio, mover.h * ratio
            dx, dy = _offset(how, mover, anchor)
            mover.cx, mover.cy, mover.placed = anchor.cx + dx, anchor.cy + dy, True
        else:  # the anchor is placed from its mover
            ratio = max(mover.w, mover.h) / (factor * max(anchor.w, anchor.h))
            anchor.w, anchor.h = anchor.w * ratio, anchor.h * ratio
            dx, dy = _offset(how, mover, anchor)
            anchor.cx, anchor.cy, anchor.placed = mover.cx - dx, mover.cy - dy, True
        group[find(m)] = find(a)
        (over if how in OVER else under).append(m)
    order = [k for k in under if k not in over]
    order += [k for k in range(n) if k not in over and k not in order]
    order += [k for k in over if k not in order]

    # Groups in order of their first subject, side by side.
    roots: list[int] = []
    for k in range(n):
        if find(k) not in roots:
            roots.append(find(k))
    extents = []
    for root in roots:
        members = [k for k in range(n) if find(k) == root]
        x0 = min(boxes[k].cx - boxes[k].w / 2 for k in members)
        x1 = max(boxes[k].cx + boxes[k].w / 2 for k in members)
        y0 = min(boxes[k].cy - boxes[k].h / 2 for k in members)
        y1 = max(boxes[k].cy + boxes[k].h / 2 for k in members)
        extents.append((members, x0, x1, y0, y1))
    width, height = size
    gap = 0.12
    room_h = (ground + 0.08) * height if ground else 0.92 * height
    # One normal subject alone is as large as the model draws it (0.78 of the picture).
    largest = 0.78 * min(width, height) / max(max(b.w, b.h) for b in boxes) if n == 1 else float("inf")

    def fit(rows: list[list]) -> float:
        """The largest scale at which these rows of groups fit the picture."""
        widths = [sum(e[2] - e[1] for e in row) + gap * (len(row) - 1) for row in rows]
        heights = [max(e[4] - e[3] for e in row) for row in rows]
        total_h = sum(heights) + gap * (len(rows) - 1)
        limit_h = min(room_h, 0.94 * height) if len(rows) == 1 else 0.94 * height
        return min(0.94 * width / max(widths), limit_h / total_h, largest)

    # One row, or (three groups and more) two: whichever lets the subjects be larger.
    arrangements = [[extents]]
    if len(extents) >= 3:
        half = (len(extents) + 1) // 2
        arrangements.append([extents[:half], extents[half:]])
    # On the ground of a setting, a second row stands behind in the sky: only when much larger.
    rows = max(arrangements, key=lambda rows: fit(rows) * (1.0 if len(rows) == 1 or not ground else 0.8))
    scale = fit(rows)
    placed: dict[int, tuple[float, float]] = {}
    row_heights = [max(e[4] - e[3] for e in row) * scale for row in rows]
    block_h = sum(row_heights) + gap * scale * (len(rows) - 1)
    if ground:  # the last row stands on the ground line, the rows before it behind and above
        bottom = min(0.98 * height, ground * height + 0.08 * height)
        row_bottom = max(bottom, block_h + 0.02 * height)
    else:
        row_bottom = (height + block_h) / 2
    for row, row_h in reversed(list(zip(rows, row_heights, strict=True))):
        row_w = (sum(e[2] - e[1] for e in row) + gap * (len(row) - 1)) * scale
        x = (width - row_w) / 2
        for members, x0, x1, y0, y1 in row:
            group_w, group_h = (x1 - x0) * scale, (y1 - y0) * scale
            top_edge = row_bottom - group_h if ground else row_bottom - row_h + (row_h - group_h) / 2
            if len(extents) == 1 and request.position != "centre":
                margin = 0.03 * min(width, height)
                x = {"left": margin, "right": width - margin - group_w}.get(request.position, x)
                top_edge = {"top": margin, "bottom": height - margin - group_h}.get(request.position, top_edge)
            for k in members:
                placed[k] = (x + (boxes[k].cx - x0) * scale, top_edge + (boxes[k].cy - y0) * scale)
            x += group_w + gap * scale
        row_bottom -= row_h + gap * scale
    where = []
    for k, (_h, w) in enumerate(shapes):
        cx, cy = placed[k]
        where.append((cx, cy, boxes[k].w * scale / w))
    return where, order


def compose(request: SceneRequest, sprites: list[Layer], size: tuple[int, int], seed: int = 0) -> Scene:
    """The scene: each subject's cut-out (in request order) laid out on the setting's plate."""
    plate, ground = setting_plate(request.setting, request.background, size, seed)
    shapes = [layer.sprite.shape[:2] for layer in sprites]
    where, order = layout(request, shapes, size, ground)
    layers = []
    for k in order:
        subject, layer = request.subjects[k], sprites[k]
        cx, cy, scale = where[k]
        flip = subject.copy % 2 == 1
        layers.append(
            replace(
                layer,
                cx=cx,
                cy=cy,
                scale=scale,
                colour=subject.colour,
                dominant=subject.colour is not None,
                flip_x=flip,
                name=_article(subject.concept.name),
            )
        )
    background = tuple(int(c) for c in plate[0, 0])
    return Scene(plate, background, tuple(layers))


def _article(name: str) -> str:
    from models.emoji_data import article

    return article(name)


__all__ = [
    "SETTINGS",
    "SceneRelation",
    "SceneRequest",
    "SceneSubject",
    "compose",
    "field",
    "layout",
    "read_scene",
    "setting_plate",
]
