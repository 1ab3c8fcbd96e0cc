"""The embedded image model's data: Noto Color Emoji glyphs, composed into captioned scenes.

Every fully-qualified emoji of Debian's `fonts-noto-color-emoji` is rendered once with Pillow
(the font only renders at its bitmap size, 109 px; ZWJ sequences come out as one glyph because
Pillow lays text out with libraqm) and cropped to a square RGBA picture. Training pictures are
composed from those glyphs on the fly, and each composition is described in its caption:

    background colour   "a cat face on a blue background"
    position and size   "a small rocket at the top", "a large slice of pizza"
    colour shift        "a blue apple"            (only for glyphs of one dominant hue)
    two objects         "a cat face and a rocket"

Everything is deterministic from a seed: `sample_batch(seed, step)` always returns the same
pictures and captions. Phrasings and (background, position) combinations are split: the
`EVAL_TEMPLATES` and `HELD_OUT_COMBOS` never appear in training captions, and `eval_prompts()`
builds the held-out prompts from them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
FONT_SIZE = 109  # the only size the bitmap font renders at
GLYPH_SIZE = 64  # glyphs are stored at this size and resized per composition

# The one table of background colours: the picture editor (models/scene_edits.py) and the edit
# eval (chat/training/edit_eval.py) take their RGB from it, so all three paint the same colours.
BACKGROUNDS: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255),
    "black": (20, 20, 20),
    "grey": (128, 128, 128),
    "red": (220, 40, 40),
    "orange": (245, 140, 30),
    "yellow": (250, 225, 60),
    "green": (60, 170, 70),
    "blue": (50, 100, 220),
    "purple": (140, 70, 190),
    "pink": (245, 150, 190),
}
POSITIONS = ["centre", "left", "right", "top", "bottom"]
POSITION_WORDS = {
    "centre": "in the centre",
    "left": "on the left",
    "right": "on the right",
    "top": "at the top",
    "bottom": "at the bottom",
}
SIZES = {"small": 0.5, "normal": 0.78, "large": 0.97}
# Hue (degrees) of each colour a simple object can be shifted to.
SHIFT_COLOURS = {"red": 0, "orange": 30, "yellow": 55, "green": 120, "blue": 220, "purple": 275, "pink": 325}

TRAIN_TEMPLATES = [
    "{np}",
    "{np}",
    "{np} emoji",
    "an emoji of {np}",
    "a picture of {np}",
    "draw {np}",
    "{np}, emoji style",
    "an image showing {np}",
]
EVAL_TEMPLATES = [
    "a drawing of {np}",
    "please make {np}",
    "an icon of {np}",
    "show me {np}",
]
# (background, position) combinations that training never shows together.
HELD_OUT_COMBOS = frozenset(
    (bg, pos)
    for i, bg in enumerate(BACKGROUNDS)
    for j, pos in enumerate(POSITIONS)
    if bg != "white" and pos != "centre" and (3 * i + j) % 3 == 0
)

# Names that mark glyphs which are text-like or near-duplicates of others (flags, keycaps,
# signs, skin-tone variants): they stay in the catalog but are not picked as training concepts.
_NOT_CONCEPTS = (
    "skin tone",
    "flag",
    "keycap",
    "button",
    "sign",
    "symbol",
    "arrow",
    "square",
    "circle",
    "triangle",
    "diamond",
    "heart",
    "clock",
    "o'clock",
    "thirty",
    "mark",
    "letter",
    "input",
    "hair",
    "kiss",
    "couple",
    "family",
    "holding hands",
    "man ",
    "woman ",
    "person ",
    "exclamation",
    "question",
    "zodiac",
    "aries",
    "taurus",
    "gemini",
    "cancer",
    "leo",
    "virgo",
    "libra",
    "scorpio",
    "sagittarius",
    "capricorn",
    "aquarius",
    "pisces",
    "ophiuchus",
    "japanese",
    "mahjong",
    "joker",
    "playing card",
    "vs",
    "cl ",
    "id ",
    "ng ",
    "sos",
    "ok ",
    "up!",
    "cool",
    "new",
    "free",
    "ab ",
    "atm",
    "wc",
    "zzz",
    "dotted",
    "speech",
    "thought",
    "anger",
    "dashing",
    "hole",
    "copyright",
    "registered",
    "trade mark",
    "medium",
    "heavy",
    "wavy",
    "part alternation",
    "eight",
    "ten",
    "hundred",
    "divide",
    "multiply",
    "plus",
    "minus",
    "equals",
    "infinity",
)


_NOT_CONCEPT_RE = re.compile(r"\b(" + "|".join(re.escape(w.strip()) for w in _NOT_CONCEPTS) + r")\b")

# Single-code-point emoji whose picture is text (letters, words, digits, ideographs) rather than
# a thing: "draw the cool button" can only mean the word COOL in a box, which a 32 px model
# cannot spell and a person would not ask it to. Everything else that renders is drawable.
_TEXT_GLYPH_RE = re.compile(
    r"\bbutton \(blood type\)|^p button$|^(cl|cool|free|id|new|ng|ok|sos|up!|vs) button$|^japanese .* button$"
    r"|^(back|end|on!|soon|top) arrow$|^atm sign$|^circled m$|^copyright$|^registered$|^trade mark$|^input "
    r"|^keycap|^information$|^part alternation mark$|^no one under eighteen$|^hundred points$"
)


def is_text_glyph(name: str) -> bool:
    """Whether an emoji's picture is text (see `_TEXT_GLYPH_RE`)."""
    return bool(_TEXT_GLYPH_RE.search(name))


@dataclass(frozen=True)
class Glyph:
    emoji: str
    name: str  # primary caption name, e.g. "cat face"
    aliases: tuple[str, ...]  # other names for the same glyph


def _clean(name: str) -> str:
    name = name.strip(":").replace("_", " ").replace("’", "'").strip()
    return " ".join(name.lower().split())


def glyph_names(char: str, data: dict) -> tuple[str, tuple[str, ...]]:
    """The primary name and the aliases of one emoji, from the `emoji` table and `unicodedata`."""
    primary = _clean(data["en"])
    names = [_clean(a) for a in data.get("alias", [])]
    base = char.replace("\ufe0f", "")
    if len(base) == 1:
        try:
            names.append(_clean(unicodedata.name(base)))
        except ValueError:
            pass
    aliases = tuple(dict.fromkeys(n for n in names if n and n != primary))
    return primary, aliases


def _render_one(char: str, font: ImageFont.FreeTypeFont) -> Image.Image | None:
    canvas = Image.new("RGBA", (FONT_SIZE * 4, FONT_SIZE * 2), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((8, 8), char, font=font, embedded_color=True)
    box = canvas.getchannel("A").getbbox()
    if box is None:
        return None
    width, height = box[2] - box[0], box[3] - box[1]
    if width > FONT_SIZE * 1.45 or height < 8:  # several glyphs side by side: not one emoji
        return None
    glyph = canvas.crop(box)
    side = max(width, height)
    square = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    square.paste(glyph, ((side - width) // 2, (side - height) // 2))
    return square.resize((GLYPH_SIZE, GLYPH_SIZE), Image.LANCZOS)


def _cache_key() -> str:
    import emoji

    stat = FONT_PATH.stat()
    return hashlib.sha1(f"{stat.st_size}-{emoji.__version__}-{GLYPH_SIZE}-v1".encode()).hexdigest()[:12]


_BUILT: dict[str, EmojiCatalog] = {}


class EmojiCatalog:
    """Every emoji glyph the font renders, with names, as a (N, 64, 64, 4) uint8 array."""

    def __init__(self, glyphs: list[Glyph], pixels: np.ndarray):
        self.glyphs = glyphs
        self.pixels = pixels

    def __len__(self) -> int:
        return len(self.glyphs)

    @classmethod
    def build(cls, cache_dir: Path | None = None) -> EmojiCatalog:
        """Render the catalog (about 10 s), or load it from `cache_dir` when built before."""
        import emoji

        key = _cache_key()
        if key in _BUILT:  # rendered already in this process (the catalog is read-only)
            return _BUILT[key]
        cache = Path(cache_dir) / f"emoji-catalog-{key}.npz" if cache_dir else None
        if cache is not None and cache.exists():
            data = np.load(cache, allow_pickle=False)
            glyphs = [
                Glyph(str(e), str(n), tuple(str(a).split("|")) if a else ())
                for e, n, a in zip(data["emoji"], data["name"], data["aliases"], strict=False)
            ]
            _BUILT[key] = cls(glyphs, data["pixels"])
            return _BUILT[key]
        if not FONT_PATH.exists():
            raise FileNotFoundError(f"{FONT_PATH} is missing: install Debian's fonts-noto-color-emoji")
        font = ImageFont.truetype(str(FONT_PATH), FONT_SIZE)
        glyphs, pixels = [], []
        for char, data in emoji.EMOJI_DATA.items():
            if data.get("status") != emoji.STATUS["fully_qualified"]:
                continue
            picture = _render_one(char, font)
            if picture is None:
                continue
            name, aliases = glyph_names(char, data)
            glyphs.append(Glyph(char, name, aliases))
            pixels.append(np.asarray(picture, dtype=np.uint8))
        catalog = cls(glyphs, np.stack(pixels))
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp.npz")
            np.savez_compressed(
                tmp,
                emoji=np.array([g.emoji for g in glyphs]),
                name=np.array([g.name for g in glyphs]),
                aliases=np.array(["|".join(g.aliases) for g in glyphs]),
                pixels=catalog.pixels,
            )
            tmp.replace(cache)
        _BUILT[key] = catalog
        return catalog

    def drawable_concepts(self) -> list[int]:
        """Every single-code-point emoji that depicts something (about 1,330 of the 1,377 that
        render): all of them except the ones whose picture is text (`is_text_glyph`)."""
        return [
            i
            for i, g in enumerate(self.glyphs)
            if len(g.emoji.replace("\ufe0f", "")) == 1 and not is_text_glyph(g.name)
        ]

    def select_concepts(self, count: int = 300, seed: int = 0) -> list[int]:
        """`count` visually distinct, object-like glyphs (greedy farthest-point selection).

        Only single-code-point emoji whose names are not text-like or variants are candidates;
        among them each next pick is the one farthest (in 16x16 pixels on white) from the ones
        already picked, so the concept set has no near-duplicates such as the many yellow faces.
        """
        candidates = [
            i
            for i, g in enumerate(self.glyphs)
            if len(g.emoji.replace("\ufe0f", "")) == 1 and not _NOT_CONCEPT_RE.search(g.name)
        ]
        small = np.stack([_on_white(self.pixels[i], 16) for i in candidates]).reshape(len(candidates), -1)
        small = small.astype(np.float32) / 255.0
        rng = np.random.default_rng(seed)
        chosen = [int(rng.integers(len(candidates)))]
        distance = ((small - small[chosen[0]]) ** 2).sum(1)
        while len(chosen) < min(count, len(candidates)):
            nxt = int(distance.argmax())
            chosen.append(nxt)
            distance = np.minimum(distance, ((small - small[nxt]) ** 2).sum(1))
        return sorted(candidates[i] for i in chosen)


def _on_white(rgba: np.ndarray, size: int) -> np.ndarray:
    picture = Image.fromarray(rgba).resize((size, size), Image.LANCZOS)
    canvas = Image.new("RGB", (size, size), (255, 255, 255))
    canvas.paste(picture, (0, 0), picture)
    return np.asarray(canvas)


def dominant_hue(rgba: np.ndarray) -> float | None:
    """The glyph's hue in degrees when it is a simple object of one colour, else None."""
    alpha = rgba[..., 3] > 128
    hsv = np.asarray(Image.fromarray(rgba[..., :3]).convert("HSV")).astype(np.float32)
    saturated = alpha & (hsv[..., 1] > 90) & (hsv[..., 2] > 60)
    if alpha.sum() == 0 or saturated.sum() < 0.5 * alpha.sum():
        return None
    hues = hsv[..., 0][saturated] * (360.0 / 255.0)
    histogram = np.histogram(hues, bins=36, range=(0, 360))[0]
    peak = int(histogram.argmax())
    window = sum(histogram[(peak + k) % 36] for k in (-2, -1, 0, 1, 2))
    if window < 0.7 * saturated.sum():
        return None
    return peak * 10.0 + 5.0


def shift_hue(rgba: np.ndarray, degrees: float) -> np.ndarray:
    """The glyph with every hue rotated by `degrees` (alpha kept)."""
    hsv = np.asarray(Image.fromarray(rgba[..., :3]).convert("HSV")).copy()
    hsv[..., 0] = ((hsv[..., 0].astype(np.int32) + int(round(degrees * 255 / 360))) % 256).astype(np.uint8)
    rgb = np.asarray(Image.fromarray(hsv, "HSV").convert("RGB"))
    return np.concatenate([rgb, rgba[..., 3:]], axis=-1)


def article(noun_phrase: str) -> str:
    last = noun_phrase.split()[-1]
    if noun_phrase.split()[0] in {"a", "an", "the"} or (last.endswith("s") and not last.endswith(("ss", "us", "is"))):
        return noun_phrase  # already determined, or a plural ("grapes", "sunglasses")
    return ("an " if noun_phrase[0] in "aeiou" else "a ") + noun_phrase


@dataclass(frozen=True)
class Composition:
    """One picture's layout; `describe()` gives its caption."""

    concepts: tuple[int, ...]  # indices into the concept list (1 or 2)
    background: str = "white"
    position: str = "centre"
    size: str = "normal"
    colour: str | None = None  # hue shift of a simple object
    template: str = "{np}"
    names: tuple[str, ...] = ()  # the caption name used for each concept

    def describe(self) -> str:
        if len(self.concepts) == 2:
            noun = f"{article(self.names[0])} and {article(self.names[1])}"
        else:
            words = [w for w in (self.size if self.size != "normal" else None, self.colour, self.names[0]) if w]
            noun = article(" ".join(words))
        caption = self.template.format(np=noun)
        if self.position != "centre":
            caption += " " + POSITION_WORDS[self.position]
        if self.background != "white":
            caption += f" on a {self.background} background"
        return caption


class EmojiScenes:
    """Composes captioned training and evaluation pictures from a concept set of the catalog."""

    def __init__(self, catalog: EmojiCatalog, concepts: list[int], image_size: int = 32, canonical: bool = False):
        """`canonical`: training captions use only each concept's own name and the bare noun
        phrase ("a small cat face on the left on a blue background"), the form the request
        resolver (`models.concepts`) rewrites every request into; otherwise phrasings and aliases
        vary as in the first model's training."""
        self.catalog = catalog
        self.concepts = list(concepts)
        self.image_size = image_size
        self.canonical = canonical
        self.names = [catalog.glyphs[i].name for i in self.concepts]
        self.hues = [dominant_hue(catalog.pixels[i]) for i in self.concepts]

    @classmethod
    def default(
        cls,
        cache_dir: Path | None,
        count: int | str = 300,
        seed: int = 0,
        image_size: int = 32,
        canonical: bool = False,
    ) -> EmojiScenes:
        """`count`: a number of visually distinct concepts (the first model's 300), or
        "drawable" for every single-code-point emoji that depicts something."""
        catalog = EmojiCatalog.build(cache_dir)
        concepts = catalog.drawable_concepts() if count == "drawable" else catalog.select_concepts(int(count), seed)
        return cls(catalog, concepts, image_size, canonical)

    # -- compositions ---------------------------------------------------------------------
    def sample_composition(
        self, rng: np.random.Generator, concept: int | None = None, split: str = "train"
    ) -> Composition:
        """A random layout; `split="eval"` uses only held-out phrasings and combinations."""
        n = len(self.concepts)
        concept = int(rng.integers(n)) if concept is None else concept
        glyph = self.catalog.glyphs[self.concepts[concept]]
        if split == "train" and self.canonical:
            template, name = "{np}", glyph.name
        elif split == "train":
            template = TRAIN_TEMPLATES[int(rng.integers(len(TRAIN_TEMPLATES)))]
            name = (
                glyph.aliases[int(rng.integers(len(glyph.aliases)))]
                if glyph.aliases and rng.random() < 0.25
                else glyph.name
            )
        else:
            template = EVAL_TEMPLATES[int(rng.integers(len(EVAL_TEMPLATES)))]
            name = glyph.name
        kind = rng.random()
        backgrounds = list(BACKGROUNDS)
        if split == "eval":
            if kind < 0.4:
                return Composition((concept,), template=template, names=(name,))
            if kind < 0.6:
                bg = backgrounds[int(rng.integers(1, len(backgrounds)))]
                return Composition((concept,), background=bg, template=template, names=(name,))
            if kind < 0.8:
                size = ["small", "large"][int(rng.integers(2))]
                return Composition((concept,), size=size, template=template, names=(name,))
            bg, pos = sorted(HELD_OUT_COMBOS)[int(rng.integers(len(HELD_OUT_COMBOS)))]
            return Composition((concept,), background=bg, position=pos, size="small", template=template, names=(name,))
        if kind < 0.4:  # the plain glyph
            return Composition((concept,), template=template, names=(name,))
        if kind < 0.6:  # a background colour
            bg = backgrounds[int(rng.integers(1, len(backgrounds)))]
            return Composition((concept,), background=bg, template=template, names=(name,))
        if kind < 0.75:  # size and position, sometimes with a background too
            size = ["small", "normal", "large"][int(rng.integers(3))]
            pos = "centre" if size == "large" else POSITIONS[int(rng.integers(len(POSITIONS)))]
            bg = "white"
            if rng.random() < 0.5:
                bg = backgrounds[int(rng.integers(len(backgrounds)))]
                if (bg, pos) in HELD_OUT_COMBOS:
                    bg = "white"
            return Composition((concept,), background=bg, position=pos, size=size, template=template, names=(name,))
        if kind < (0.9 if self.canonical else 0.88):  # a colour shift of a simple object
            hue = self.hues[concept]
            if hue is not None:
                options = [c for c, h in SHIFT_COLOURS.items() if min(abs(h - hue), 360 - abs(h - hue)) > 45]
                colour = options[int(rng.integers(len(options)))]
                return Composition((concept,), colour=colour, template=template, names=(name,))
            return Composition((concept,), template=template, names=(name,))
        other = int(rng.integers(n - 1))
        other += other >= concept
        other_name = self.catalog.glyphs[self.concepts[other]].name
        bg = "white" if rng.random() < 0.7 else backgrounds[int(rng.integers(1, len(backgrounds)))]
        return Composition((concept, other), background=bg, template=template, names=(name, other_name))

    # -- rendering ------------------------------------------------------------------------
    # One dataset per training run and the cache dies with it, so caching on the method is safe.
    @lru_cache(maxsize=65536)  # noqa: B019
    def _glyph(self, concept: int, size_px: int, colour: str | None) -> Image.Image:
        rgba = self.catalog.pixels[self.concepts[concept]]
        if colour is not None and self.hues[concept] is not None:
            rgba = shift_hue(rgba, SHIFT_COLOURS[colour] - self.hues[concept])
        return Image.fromarray(rgba).resize((size_px, size_px), Image.LANCZOS)

    def render(self, composition: Composition, rng: np.random.Generator | None = None) -> np.ndarray:
        """The composition as an (S, S, 3) uint8 picture; `rng` adds a one-pixel jitter."""
        s = self.image_size
        jitter = (lambda: int(rng.integers(-1, 2))) if rng is not None else (lambda: 0)
        canvas = Image.new("RGB", (s, s), BACKGROUNDS[composition.background])
        if len(composition.concepts) == 2:
            g = round(s * 0.47)
            for k, concept in enumerate(composition.concepts):
                x = 1 if k == 0 else s - g - 1
                canvas.paste(
                    self._glyph(concept, g, None),
                    (x + jitter(), (s - g) // 2 + jitter()),
                    self._glyph(concept, g, None),
                )
            return np.asarray(canvas)
        g = round(s * SIZES[composition.size])
        margin = max(1, s // 32)
        x = y = (s - g) // 2
        if composition.position == "left":
            x = margin
        elif composition.position == "right":
            x = s - g - margin
        elif composition.position == "top":
            y = margin
        elif composition.position == "bottom":
            y = s - g - margin
        glyph = self._glyph(composition.concepts[0], g, composition.colour)
        canvas.paste(glyph, (x + jitter(), y + jitter()), glyph)
        return np.asarray(canvas)

    def sample_batch(
        self, seed: int, step: int, batch_size: int, concept_p: np.ndarray | None = None
    ) -> tuple[np.ndarray, list[str], list[int]]:
        """Training batch `step`: pictures (B, S, S, 3) uint8, captions, first-concept labels.
        `concept_p`: the probability of each concept as the subject (uniform when None)."""
        rng = np.random.default_rng([seed, step])
        pictures, captions, labels = [], [], []
        for _ in range(batch_size):
            concept = None if concept_p is None else int(rng.choice(len(concept_p), p=concept_p))
            composition = self.sample_composition(rng, concept=concept)
            pictures.append(self.render(composition, rng))
            captions.append(composition.describe())
            labels.append(composition.concepts[0])
        return np.stack(pictures), captions, labels

    def train_prompts(self, seed: int) -> list[tuple[str, int, Composition]]:
        """One training-distribution composition per concept (not the held-out phrasings or
        combinations): what hard-concept mining draws, so the held-out figures stay unseen.
        Single-subject pictures only: a judge of one emoji per picture cannot score a pair."""
        rng = np.random.default_rng([seed, 11])
        prompts = []
        for concept in range(len(self.concepts)):
            composition = self.sample_composition(rng, concept=concept, split="train")
            while len(composition.concepts) != 1:
                composition = self.sample_composition(rng, concept=concept, split="train")
            prompts.append((composition.describe(), concept, composition))
        return prompts

    def eval_prompts(self, count: int | None = None, seed: int = 1234) -> list[tuple[str, int, Composition]]:
        """Held-out prompts (held-out phrasings and combinations), one per concept in turn."""
        rng = np.random.default_rng([seed, 7])
        count = len(self.concepts) if count is None else count
        prompts = []
        for k in range(count):
            # Fewer prompts than concepts: concepts spread over the whole (alphabetical) list.
            concept = k % len(self.concepts) if count >= len(self.concepts) else (k * len(self.concepts)) // count
            composition = self.sample_composition(rng, concept=concept, split="eval")
            prompts.append((composition.describe(), concept, composition))
        return prompts
