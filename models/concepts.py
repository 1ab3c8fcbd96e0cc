"""What the embedded image model can draw, and how a request is mapped to it.

The embedded model knows a fixed set of concepts (one per emoji it was trained on). Rather than
hoping the model understands every way of asking ("a dog", "draw me a doggy", "🐕", "a small dog
on the left on a blue background"), each request is first *resolved*:

    request -> concept(s) + composition (background, position, size, colour) -> canonical caption

and the model is conditioned on the canonical caption, the only caption form it was trained on
("a small dog on the left on a blue background"). This lets the model spend its capacity on
drawing concepts instead of on paraphrases, and it tells the product when a request names
nothing the model can draw, with the closest things it can.

Names are looked up in this order (the first that matches wins):

1. the concept's own name (the emoji's CLDR name: "dog", "deciduous tree", "automobile")
2. `COMMON_NAMES`: the everyday word a person uses for a subject whose emoji has a longer name
   ("tree" -> deciduous tree, "car" -> automobile), a short table written here
3. the `emoji` package's aliases and the Unicode character name ("slice of pizza", "car")
4. names derived from the name ("dog face" -> "dog face"/"dog", "house with garden" -> ...)
5. the concept's name in another language (CLDR short names and specific keywords in 114
   languages, `models.concept_names`): "강아지 그려줘", "narysuj kota", "画一只在海边的狗"
6. CLDR keywords ("puppy" is a keyword of dog face), the candidates ranked by sentence similarity
7. sentence similarity (all-MiniLM-L6-v2) of the whole request to every name above

and when nothing clears the similarity threshold the request is *unresolved*: the suggestions
are the closest concepts by similarity.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from models.emoji_data import BACKGROUNDS, SHIFT_COLOURS, Composition

CONCEPTS_FILE = "concepts.json"
EMBEDDINGS_FILE = "concepts.safetensors"
KEYWORDS_FILE = Path(__file__).resolve().parent / "data" / "cldr_emoji_keywords.json"

# Everyday words whose emoji has a longer or different name. Only words that are not already a
# concept's own name belong here; each value must be a concept name (a test checks it).
COMMON_NAMES: dict[str, str] = {
    "tree": "deciduous tree",
    "flower": "blossom",
    "moon": "crescent moon",
    "cake": "shortcake",
    "boat": "sailboat",
    "car": "automobile",
    "bike": "bicycle",
    "plane": "airplane",
    "aeroplane": "airplane",
    "apple": "red apple",
    "heart": "red heart",
    "rain": "cloud with rain",
    "snow": "snowflake",
    "storm": "cloud with lightning and rain",
    "lightning": "high voltage",
    "thunder": "cloud with lightning",
    "ball": "soccer ball",
    "football": "soccer ball",
    "phone": "mobile phone",
    "computer": "laptop",
    "book": "closed book",
    "coffee": "hot beverage",
    "tea": "teacup without handle",
    "building": "office building",
    "leaf": "leaf fluttering in wind",
    "burger": "hamburger",
    "fries": "french fries",
    "drink": "tropical drink",
    "cheese": "cheese wedge",
    "hat": "top hat",
    "shoe": "running shoe",
    "shirt": "t-shirt",
    "tshirt": "t-shirt",
    "clock": "mantelpiece clock",
    "lamp": "light bulb",
    "lightbulb": "light bulb",
    "truck": "delivery truck",
    "face": "grinning face",
    "smiley": "grinning face",
    "smile": "slightly smiling face",
    "water": "droplet",
    "ocean": "water wave",
    "sea": "water wave",
    "wave": "water wave",
    "beach": "beach with umbrella",
    "island": "desert island",
    "bridge": "bridge at night",
    "city": "cityscape",
    "town": "houses",
    "tower": "tokyo tower",
    "home": "house",
    "store": "convenience store",
    "shop": "convenience store",
    "wind": "wind face",
    "sheep": "ewe",
    "bee": "honeybee",
    "orange": "tangerine",
    "grape": "grapes",
    "cherry": "cherries",
    "corn": "ear of corn",
    "donut": "doughnut",
    "chocolate": "chocolate bar",
    "icecream": "ice cream",
    "soup": "pot of food",
    "rice": "cooked rice",
    "noodles": "steaming bowl",
    "milk": "glass of milk",
    "wine": "wine glass",
    "beer": "beer mug",
    "juice": "beverage box",
    "piano": "musical keyboard",
    "tv": "television",
    "lock": "locked",
    "sofa": "couch and lamp",
    "couch": "couch and lamp",
    "gift": "wrapped gift",
    "present": "wrapped gift",
    "medal": "sports medal",
    "gem": "gem stone",
    "diamond": "gem stone",
    "jewel": "gem stone",
    "sword": "dagger",
    "knife": "kitchen knife",
    "paper": "page facing up",
    "mail": "envelope",
    "letter": "envelope",
    "bag": "handbag",
    "wallet": "purse",
    "money": "money bag",
    "angel": "baby angel",
    "clown": "clown face",
    "pumpkin": "jack-o-lantern",
    "palm": "palm tree",
    "forest": "evergreen tree",
    "puppy": "dog face",
    "kitten": "cat face",
    "kitty": "cat face",
    "bunny": "rabbit",
    "pony": "horse",
    "doggy": "dog",
    "car crash": "collision",
    "fire truck": "fire engine",
    "sailing boat": "sailboat",
    "motorbike": "motorcycle",
    "spaceship": "rocket",
    "ufo": "flying saucer",
    "planet": "ringed planet",
    "earth": "globe showing europe-africa",
    "world": "globe showing europe-africa",
    "globe": "globe with meridians",
    "fireworks": "fireworks",
    "christmas": "christmas tree",
    "hotdog": "hot dog",
    "sushi": "sushi",
    "cupcake": "cupcake",
    "teddy": "teddy bear",
    "teddy bear": "teddy bear",
    "skyscraper": "office building",
    "flat": "office building",
    "apartment": "office building",
}

# Words that ask for a picture rather than name its subject: never matched as a concept.
REQUEST_WORDS = {
    "a",
    "an",
    "the",
    "of",
    "me",
    "please",
    "draw",
    "drawing",
    "paint",
    "painting",
    "sketch",
    "picture",
    "image",
    "icon",
    "emoji",
    "show",
    "make",
    "create",
    "generate",
    "render",
    "give",
    "some",
    "style",
    "cute",
    "nice",
    "little",
    "big",
    "small",
    "large",
    "tiny",
    "huge",
    "giant",
    "can",
    "you",
    "could",
    "would",
    "i",
    "want",
    "like",
    "to",
    "see",
    "get",
    "with",
    "and",
    "on",
    "in",
    "at",
    "it",
    "its",
    "one",
    "for",
    "my",
    "this",
    "that",
    "now",
    "new",
    "just",
    "simple",
    "photo",
    "illustration",
    "art",
}

SIZE_WORDS = {
    "small": "small",
    "tiny": "small",
    "little": "small",
    "mini": "small",
    "large": "large",
    "big": "large",
    "huge": "large",
    "giant": "large",
}
COLOUR_WORDS = {
    **{c: c for c in BACKGROUNDS},
    "gray": "grey",
    "violet": "purple",
    "magenta": "pink",
    "navy": "blue",
    "gold": "yellow",
    "golden": "yellow",
    "lime": "green",
    "dark": "black",
}
_COLOURS_RE = "|".join(sorted(COLOUR_WORDS, key=len, reverse=True))
_BACKGROUND_RES = [
    re.compile(
        rf"\b(?:on|against|over|in front of|with)?\s*(?:a|an|the)?\s*\b({_COLOURS_RE})(?:[- ]colou?red)?\s+(?:background|backdrop|bg)\b"
    ),
    re.compile(rf"\b(?:the\s+)?(?:background|backdrop)\s+(?:is\s+|of\s+|in\s+)?({_COLOURS_RE})\b"),
]
_POSITION_RE = re.compile(
    r"\b(?:on|to|at|in|towards)\s+(?:the\s+)?(left|right|top|bottom|centre|center|middle)(?:\s+side)?\b"
)
_POSITIONS = {
    "left": "left",
    "right": "right",
    "top": "top",
    "bottom": "bottom",
    "centre": "centre",
    "center": "centre",
    "middle": "centre",
}
_TOKEN_RE = re.compile(r"[^\W_]+(?:['\-.][^\W_]+)*")  # letters of any script: a word is quoted back as written

SIMILARITY_THRESHOLD = 0.62  # a request this close to a concept's name is taken to mean it
KEYWORD_THRESHOLD = (
    0.45  # a keyword match must also be this close in meaning ("hello" is a keyword of nothing drawable)
)


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("&", " and ")
    return _TOKEN_RE.findall(text)


def key(text: str) -> str:
    return " ".join(tokens(text))


def _singular(word: str) -> str | None:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith(("ches", "shes", "xes", "ses")):
        return word[:-2]
    if len(word) > 2 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return None


@dataclass(frozen=True)
class Concept:
    name: str
    emoji: str
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    hue: float | None = None  # dominant hue, when the glyph is one colour (it can then be recoloured)

    def label(self) -> str:
        return f"{self.emoji} {self.name}"


@dataclass
class Resolution:
    """A request mapped onto the model's concepts."""

    request: str
    concepts: tuple[Concept, ...] = ()
    background: str = "white"
    position: str = "centre"
    size: str = "normal"
    colour: str | None = None
    how: str = "none"  # name | common | alias | derived | emoji | translated | keyword | similar | none
    score: float = 0.0
    suggestions: tuple[Concept, ...] = ()
    unused: tuple[str, ...] = ()  # words of the request that named nothing the model draws

    @property
    def resolved(self) -> bool:
        return bool(self.concepts)

    @property
    def concept(self) -> Concept | None:
        return self.concepts[0] if self.concepts else None

    def caption(self) -> str:
        """The canonical caption the model is conditioned on (what training captions look like)."""
        if not self.concepts:
            raise ValueError("an unresolved request has no caption")
        names = tuple(c.name for c in self.concepts)
        if len(names) == 2:
            return Composition((0, 1), background=self.background, names=names).describe()
        return Composition(
            (0,), background=self.background, position=self.position, size=self.size, colour=self.colour, names=names
        ).describe()

    def describe(self) -> str:
        """What was drawn, for the picture's card: '🐕 dog' or '🐱 cat face + 🚀 rocket'."""
        return " + ".join(c.label() for c in self.concepts)


class ConceptIndex:
    """The concepts of one embedded model, with every name they can be asked for."""

    def __init__(
        self,
        concepts: list[Concept],
        embeddings: np.ndarray | None = None,
        embedding_owner: list[int] | None = None,
        encoder=None,
    ):
        self.concepts = concepts
        self.by_name = {key(c.name): c for c in concepts}
        self.by_emoji = {c.emoji.replace("\ufe0f", ""): c for c in concepts}
        self.table: dict[str, tuple[int, Concept, str]] = {}
        self.keywords: dict[str, list[Concept]] = {}
        for c in concepts:
            self._add(c.name, 0, c, "name")
        for word, name in COMMON_NAMES.items():
            if key(name) in self.by_name:
                self._add(word, 1, self.by_name[key(name)], "common")
        for c in concepts:
            for alias in c.aliases:
                first = alias.split()[0] if alias.split() else ""
                if first in SIZE_WORDS and first not in c.name.split():
                    continue  # "large blue square" must leave "large" to be read as a size
                if len(re.findall(r"[^\W\d_]", alias)) < 2:
                    continue  # "o" (⭕) and "v" (✌️) are articles and letters in other words' company
                if not re.search(r"\d", alias) or len(alias) > 6:
                    self._add(alias, 2, c, "alias")
            for derived in derived_names(c.name):
                self._add(derived, 3, c, "derived")
            for word in c.keywords:
                if key(word):
                    self.keywords.setdefault(key(word), []).append(c)
        self.embeddings = embeddings
        self.embedding_owner = embedding_owner
        self._encoder = encoder
        self._other_languages = None  # models.concept_names.MultilingualNames, read on first use
        self._other_languages_lock = threading.Lock()

    def _add(self, text: str, priority: int, concept: Concept, how: str) -> None:
        k = key(text)
        if not k or k in REQUEST_WORDS:
            return
        for variant in {k, k.replace("-", " "), k.replace("-", "")}:
            for form, p in ((variant, priority), (_plural(variant), priority + 0.5)):
                current = self.table.get(form)
                if current is None or p < current[0]:
                    self.table[form] = (p, concept, how)

    def __len__(self) -> int:
        return len(self.concepts)

    def names(self) -> list[str]:
        return [c.name for c in self.concepts]

    # -- loading and saving -----------------------------------------------------------------
    @classmethod
    def from_folder(cls, folder: Path, encoder=None) -> ConceptIndex | None:
        """The index saved with a pipeline, or None for a model without one (the first model)."""
        path = Path(folder) / CONCEPTS_FILE
        if not path.is_file():
            return None
        rows = json.loads(path.read_text())["concepts"]
        concepts = [
            Concept(r["name"], r["emoji"], tuple(r.get("aliases", ())), tuple(r.get("keywords", ())), r.get("hue"))
            for r in rows
        ]
        embeddings = owner = None
        emb_path = Path(folder) / EMBEDDINGS_FILE
        if emb_path.is_file():
            from safetensors.numpy import load_file

            saved = load_file(str(emb_path))
            embeddings, owner = saved["embeddings"].astype(np.float32), saved["owner"].tolist()
        return cls(concepts, embeddings, owner, encoder)

    def save(self, folder: Path, encoder=None) -> None:
        """concepts.json, and the sentence embeddings of every name and alias (fp16)."""
        from safetensors.numpy import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        rows = [
            {"name": c.name, "emoji": c.emoji, "aliases": list(c.aliases), "keywords": list(c.keywords), "hue": c.hue}
            for c in self.concepts
        ]
        (folder / CONCEPTS_FILE).write_text(json.dumps({"concepts": rows}, ensure_ascii=False, indent=0) + "\n")
        texts, owner = self._embedding_texts()
        encoder = encoder or self.encoder
        vectors = encoder.encode(
            texts, batch_size=256, normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
        )
        save_file(
            {"embeddings": vectors.astype(np.float16), "owner": np.array(owner, dtype=np.int32)},
            str(folder / EMBEDDINGS_FILE),
        )
        self.embeddings, self.embedding_owner = vectors.astype(np.float32), owner

    def _embedding_texts(self) -> tuple[list[str], list[int]]:
        where = {id(c): k for k, c in enumerate(self.concepts)}
        texts, owner = [], []
        for form, (_p, concept, _how) in self.table.items():
            if form.endswith("s") and _plural(form[:-1]) == form:
                continue  # plural forms add nothing to a sentence embedding
            texts.append(form)
            owner.append(where[id(concept)])
        return texts, owner

    @property
    def encoder(self):
        if self._encoder is None:
            from models.text_encoder import load_sentence_encoder

            self._encoder = load_sentence_encoder()
        return self._encoder

    # -- resolving ----------------------------------------------------------------------------
    def resolve(self, request: str) -> Resolution:
        result = Resolution(request=request)
        text = unicodedata.normalize("NFKC", request).lower().replace("’", "'")

        # Emoji typed into the request name their concept directly.
        typed = [self.by_emoji[ch] for ch in text.replace("\ufe0f", "") if ch in self.by_emoji]
        for pattern in _BACKGROUND_RES:
            match = pattern.search(text)
            if match:
                result.background = COLOUR_WORDS[match.group(1)]
                text = text[: match.start()] + " " + text[match.end() :]
                break
        match = _POSITION_RE.search(text)
        if match:
            result.position = _POSITIONS[match.group(1)]
            text = text[: match.start()] + " " + text[match.end() :]
        words = tokens(text)

        found = self._match_names(words)
        if typed and not found:
            found = [(-1, -1, c, "emoji") for c in typed[:2]]
        # Another language when no English name was found, or when one was but words are left
        # unread ("desenează o pisică" holds the English alias "o"); English text is never read
        # as another language (`MultilingualNames.read`).
        used = {i for s, e, _c, _h in found for i in range(s, e)}
        unread = tuple(
            w
            for i, w in enumerate(words)
            if i not in used and w not in REQUEST_WORDS and w not in SIZE_WORDS and w not in COLOUR_WORDS
        )
        translated = self._in_another_language(request) if not found or unread else None
        if translated is not None:
            # The words around the name are in a grammar this index does not read: the subject
            # is drawn, in the colour asked for when one is named and the glyph can take it, and
            # no word is reported as unread.
            result.concepts, result.how, result.score = (translated,), "translated", 1.0
            from models.concept_names import colour_in

            colour = colour_in(request)
            if translated.hue is not None and colour in SHIFT_COLOURS and _far(translated.hue, SHIFT_COLOURS[colour]):
                result.colour = colour
            return result
        if found:
            result.concepts = tuple(c for _s, _e, c, _h in found[:2])
            result.how = found[0][3]
            result.score = 1.0
            self._modifiers(words, found, result)
        else:
            self._by_meaning(words, result)
            if result.resolved:
                self._modifiers(words, [], result)
        if not result.resolved or result.how in ("name", "common", "alias", "derived", "emoji"):
            result.unused = unread
        if len(result.concepts) == 2 or result.size == "large":
            result.position = "centre"  # training never placed pairs or large glyphs off-centre
        if len(result.concepts) == 2:
            result.size, result.colour = "normal", None
        return result

    def _match_names(self, words: list[str]) -> list[tuple[int, int, Concept, str]]:
        """Longest non-overlapping name matches, in the order they appear."""
        taken = [False] * len(words)
        found = []
        for n in range(min(10, len(words)), 0, -1):
            # Right to left: the head noun comes last in English ("small airplane arrival").
            for start in range(len(words) - n, -1, -1):
                if any(taken[start : start + n]):
                    continue
                phrase = " ".join(words[start : start + n])
                if n == 1 and phrase in REQUEST_WORDS:
                    continue
                hit = self.table.get(phrase)
                if hit is None:
                    continue
                found.append((start, start + n, hit[1], hit[2]))
                for i in range(start, start + n):
                    taken[i] = True
        found.sort(key=lambda f: f[0])
        unique, seen = [], set()
        for f in found:
            if f[2].name not in seen:
                unique.append(f)
                seen.add(f[2].name)
        return unique

    def other_languages(self):
        """The concepts' names in other languages (loaded on first use: about a second)."""
        with self._other_languages_lock:
            if self._other_languages is None:
                from models.concept_names import MultilingualNames

                emoji = {c.emoji.replace("\ufe0f", "") for c in self.concepts}
                self._other_languages = MultilingualNames.load(emoji) or False
        return self._other_languages or None

    def _in_another_language(self, request: str) -> Concept | None:
        from models.concept_names import probably_english

        if probably_english(request):
            return None  # "a cat wearing a hat" leaves "wearing" unread: still English
        names = self.other_languages()
        found = names.read(request) if names is not None else None
        return self.by_emoji.get(found[1]) if found else None

    def _modifiers(self, words: list[str], found: list, result: Resolution) -> None:
        """Size and colour words: a size anywhere; a colour right before the concept recolours
        it when it can be recoloured (else it becomes the background, when none was asked)."""
        inside = {i for s, e, _c, _h in found for i in range(s, e)}
        for i, w in enumerate(words):
            if w in SIZE_WORDS and i not in inside:
                result.size = SIZE_WORDS[w]
        concept = result.concepts[0]
        start = found[0][0] if found else len(words)
        colours = [(i, COLOUR_WORDS[w]) for i, w in enumerate(words) if w in COLOUR_WORDS]
        for i, colour in colours:
            if i in inside:
                continue  # part of a name ("blue book")
            if concept.hue is not None and colour in SHIFT_COLOURS and _far(concept.hue, SHIFT_COLOURS[colour]):
                result.colour = colour
            elif concept.hue is not None and colour in SHIFT_COLOURS:
                pass  # already that colour
            elif result.background == "white" and i >= start:
                result.background = colour
            break

    def _by_meaning(self, words: list[str], result: Resolution) -> None:
        """Keywords, then sentence similarity; unresolved requests get the closest suggestions."""
        content = [w for w in words if w not in REQUEST_WORDS and w not in SIZE_WORDS and w not in COLOUR_WORDS]
        phrase = " ".join(content)
        if not phrase:
            result.suggestions = tuple(self.concepts[:0])
            return
        scores = self._similarities(phrase)
        # Concepts sharing a keyword with the request; those sharing more of its words first.
        hits: dict[str, int] = {}
        for w in content:
            for form in {w, _singular(w)} - {None, ""}:
                for c in self.keywords.get(form, []):
                    hits[c.name] = hits.get(c.name, 0) + 1
        if hits:
            best = max(hits, key=lambda n: (hits[n], scores.get(n, 0.0)))
            if scores.get(best, 0.0) >= KEYWORD_THRESHOLD:
                result.concepts, result.how, result.score = (self.by_name[key(best)],), "keyword", scores[best]
                return
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        if ranked and ranked[0][1] >= SIMILARITY_THRESHOLD:
            best = self.by_name[key(ranked[0][0])]
            result.concepts, result.how, result.score = (best,), "similar", ranked[0][1]
            return
        result.score = ranked[0][1] if ranked else 0.0
        result.suggestions = tuple(self.by_name[key(n)] for n, _s in ranked[:3])

    def _similarities(self, phrase: str) -> dict[str, float]:
        """Best cosine similarity of `phrase` to any name of each concept."""
        if self.embeddings is None:
            return {}
        query = self.encoder.encode(
            [phrase], normalize_embeddings=True, show_progress_bar=False, convert_to_numpy=True
        )[0]
        sims = self.embeddings @ query.astype(np.float32)
        best: dict[str, float] = {}
        for s, k in zip(sims.tolist(), self.embedding_owner, strict=False):
            name = self.concepts[k].name
            if s > best.get(name, -1.0):
                best[name] = s
        return best

    def suggest(self, request: str, count: int = 3) -> list[Concept]:
        """The concepts closest in meaning to a request (for 'I can draw these instead')."""
        scores = self._similarities(" ".join(w for w in tokens(request) if w not in REQUEST_WORDS) or request)
        return [self.by_name[key(n)] for n, _s in sorted(scores.items(), key=lambda kv: -kv[1])[:count]]


def _plural(phrase: str) -> str:
    last = phrase.rsplit(" ", 1)[-1]
    if last.endswith(("s", "x", "ch", "sh")):
        return phrase + "es"
    if last.endswith("y") and len(last) > 2 and last[-2] not in "aeiou":
        return phrase[:-1] + "ies"
    return phrase + "s"


def _far(hue: float, target: float) -> bool:
    return min(abs(hue - target), 360 - abs(hue - target)) > 45


def derived_names(name: str) -> list[str]:
    """Shorter names people use, derived from an emoji's name: 'dog face' -> 'dog',
    'house with garden' -> 'house with garden' only (the head would collide with 'house')."""
    out = []
    if name.endswith(" face") and len(name.split()) == 2:
        out.append(name[: -len(" face")])
    if name.startswith(("man ", "woman ", "person ")) and len(name.split()) == 2:
        out.append(name.split()[1])  # "person bowing" -> "bowing"
    return out


def load_keywords() -> dict[str, list[str]]:
    """CLDR English keywords of every single-code-point emoji (shipped as a derived file)."""
    if not KEYWORDS_FILE.is_file():
        return {}
    return json.loads(KEYWORDS_FILE.read_text())["keywords"]


def build_index(catalog, concept_indices: list[int], encoder=None) -> ConceptIndex:
    """The concept index of a model trained on `concept_indices` of the emoji catalog."""
    from models.emoji_data import dominant_hue

    keywords = load_keywords()
    concepts = []
    for i in concept_indices:
        glyph = catalog.glyphs[i]
        words = keywords.get(glyph.emoji.replace("\ufe0f", ""), [])
        concepts.append(
            Concept(glyph.name, glyph.emoji, tuple(glyph.aliases), tuple(words), dominant_hue(catalog.pixels[i]))
        )
    return ConceptIndex(concepts, encoder=encoder)


__all__ = ["COMMON_NAMES", "Concept", "ConceptIndex", "Resolution", "build_index", "field"]
