"""Explicit, verifiable edits of a picture made of subjects on a flat background.

The embedded model draws one emoji-like subject on a plain background, and many uploads (a
product shot, a sticker, a clip-art apple) look the same. Such a picture splits cleanly into a
`Scene`:

    background plate   the picture with the subjects painted over in the border colour
    layers             each subject as an RGBA sprite cut out by its colour distance from the
                       border colour, with where it sits (centre), how large (scale), its colour
                       (recolour, tone) and whether it is mirrored

Every edit is a plain function from a scene to a new scene plus a sentence saying what changed
(`recolour`, `resize`, `move`, `set_background`, `add_layer`, `remove_layer`, `replace_layer`,
`tone`, `flip`); `Scene.render()` paints it again. Edits never touch the original sprite pixels,
so "smaller" then "bigger" gives back the same subject rather than a blurred one, and the parts
of the picture an edit does not concern keep their exact pixels.

`segment(image)` raises `NotSegmentable` with a plain reason when the picture has no plain
background or no separable subject (most photos): the caller says so instead of returning a
near-copy. `EditNotPossible` carries a plain reason for an edit that cannot be shown (a subject
that already fills the picture cannot grow).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import numpy as np
import PIL.Image
from scipy import ndimage

from models.emoji_data import BACKGROUNDS


class NotSegmentable(ValueError):
    """The picture cannot be split into subjects and a plain background (the message says why)."""


class EditNotPossible(ValueError):
    """An edit that cannot be shown on this picture (the message says why, for the user)."""


# ---------------------------------------------------------------------------------------------
# colours


@dataclass(frozen=True)
class Colour:
    """A named colour: `rgb` for a background, and how a subject is recoloured to it.

    Chromatic colours set the hue of every tinted pixel and keep its shading (value); `sat` and
    `val` then scale saturation and value (a brown is a dark orange, a pink a pale magenta).
    Achromatic colours (hue None) desaturate and move the value into their range.
    """

    name: str
    rgb: tuple[int, int, int]
    hue: float | None  # degrees
    sat: float = 1.0
    val: float = 1.0
    lift: float = 0.0  # added to value after scaling (pale colours)
    min_sat: float = 0.55  # saturation given to a grey subject that is tinted


# The colours the embedded model was trained to draw as backgrounds take their RGB from its
# training palette (`models.emoji_data.BACKGROUNDS`, the one table of them), so an edited
# background looks like one the model draws; the other colours are the editor's own.
COLOURS: dict[str, Colour] = {
    c.name: c
    for c in [
        Colour("red", BACKGROUNDS["red"], 0),
        Colour("orange", BACKGROUNDS["orange"], 30),
        Colour("yellow", BACKGROUNDS["yellow"], 55),
        Colour("gold", (212, 175, 55), 46, sat=0.85, min_sat=0.7),
        Colour("lime", (150, 220, 60), 90),
        Colour("green", BACKGROUNDS["green"], 120),
        Colour("teal", (30, 150, 150), 180, val=0.8),
        Colour("turquoise", (64, 210, 200), 175),
        Colour("cyan", (40, 200, 230), 190),
        Colour("blue", BACKGROUNDS["blue"], 220),
        Colour("navy", (30, 40, 120), 228, val=0.55),
        Colour("indigo", (75, 40, 160), 255, val=0.75),
        Colour("purple", BACKGROUNDS["purple"], 275),
        Colour("lilac", (200, 160, 230), 275, sat=0.45, val=0.7, lift=0.3, min_sat=0.35),
        Colour("magenta", (220, 40, 180), 305),
        Colour("pink", BACKGROUNDS["pink"], 330, sat=0.5, val=0.6, lift=0.4, min_sat=0.4),
        Colour("brown", (130, 80, 40), 26, sat=0.8, val=0.55, min_sat=0.6),
        Colour("beige", (230, 215, 180), 40, sat=0.3, val=0.4, lift=0.55, min_sat=0.25),
        Colour("black", BACKGROUNDS["black"], None, sat=0.15, val=0.22),
        Colour("grey", BACKGROUNDS["grey"], None, sat=0.05, val=0.5, lift=0.2),
        Colour("silver", (192, 192, 200), None, sat=0.05, val=0.45, lift=0.5),
        Colour("white", BACKGROUNDS["white"], None, sat=0.06, val=0.2, lift=0.8),
        Colour("black and white", (128, 128, 128), None, sat=0.0, val=1.0),
    ]
}


def rgb_to_hsv(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) floats in [0, 1] -> hue [0, 1), saturation, value."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    v = rgb.max(-1)
    c = v - rgb.min(-1)
    s = np.where(v > 0, c / np.maximum(v, 1e-8), 0.0)
    safe = np.maximum(c, 1e-8)
    h = np.where(v == r, ((g - b) / safe) % 6, np.where(v == g, (b - r) / safe + 2, (r - g) / safe + 4))
    h = np.where(c > 0, h / 6.0, 0.0) % 1.0
    return np.stack([h, s, v], -1)


def hsv_to_rgb(hsv: np.ndarray) -> np.ndarray:
    h, s, v = hsv[..., 0] * 6.0, hsv[..., 1], hsv[..., 2]
    i = np.floor(h).astype(int) % 6
    f = h - np.floor(h)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    choices = [np.stack(x, -1) for x in ((v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q))]
    out = np.zeros(hsv.shape, dtype=np.float64)
    for k, choice in enumerate(choices):
        out = np.where((i == k)[..., None], choice, out)
    return out


def _circular_mean(degrees: np.ndarray, weights: np.ndarray | None = None) -> float:
    angles = np.radians(degrees)
    return float(
        np.degrees(np.arctan2(np.average(np.sin(angles), weights=weights), np.average(np.cos(angles), weights=weights)))
        % 360
    )


def _hue_gap(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


def recolour_pixels(rgb: np.ndarray, alpha: np.ndarray, colour: Colour, *, dominant: bool = False) -> np.ndarray:
    """`rgb` (h, w, 3) in 0..255 turned to `colour`, shading kept.

    The subject's main colour changes, the way "a blue apple" keeps its green leaf: the tinted
    pixels near the dominant hue take the new hue (keeping a little of their spread), and the
    other colours, white highlights and black outlines stay. Where the main colour is not most
    of the subject, more of it changes, until the subject as a whole reads as the new colour. A
    subject that is mostly grey or white (a cloud, a ghost) is tinted as a whole.

    `dominant` (a drawing asked for in a colour, "a yellow bicycle"): the new colour must also be
    most of the subject's coloured area, so a mostly grey or many-coloured subject is tinted as
    a whole, its outlines and shading kept, when changing its main colour is not enough."""
    hsv = rgb_to_hsv(rgb / 255.0)
    h, s, v = hsv[..., 0] * 360.0, hsv[..., 1], hsv[..., 2]
    solid = alpha > 0.5
    tinted = (s > 0.18) & (v > 0.15)
    tinted_share = (tinted & solid).sum() / max(1, solid.sum())
    if colour.hue is None:
        s = s * colour.sat
        v = np.clip(v * colour.val + colour.lift, 0, 1)
        return hsv_to_rgb(np.stack([h / 360.0, s, v], -1)) * 255.0
    if tinted_share < (0.5 if dominant else 0.2):
        sel = v > 0.12
        h = np.where(sel, colour.hue, h)
        s = np.where(sel, np.maximum(s, colour.min_sat * np.clip(1.2 - v * 0.3, 0, 1)), s)
        v = np.where(sel, np.clip(v * colour.val + colour.lift, 0, 1) * np.where(v > 0.9, 0.92, 1.0), v)
        return hsv_to_rgb(np.stack([h / 360.0, s, v], -1)) * 255.0
    # A smooth weight from grey to tinted (a hard saturation cut would speckle greyish parts).
    tint = np.clip((s - 0.06) / 0.2, 0, 1) * np.clip((v - 0.06) / 0.12, 0, 1)
    members = tinted & solid
    histogram = np.histogram(h[members], bins=36, range=(0, 360), weights=s[members])[0]
    smooth = histogram + np.roll(histogram, 1) + np.roll(histogram, -1)
    main_hue = float(smooth.argmax()) * 10 + 5
    offset = (h - main_hue + 180) % 360 - 180
    new_s = np.clip(np.maximum(s, 0.35) * colour.sat, 0, 1)
    new_v = np.clip(v * colour.val + colour.lift, 0, 1)
    for window in (60.0, 100.0, None):
        if window is None:  # everything tinted takes the new hue
            weight, new_h = tint, np.full_like(h, colour.hue)
        else:
            weight = tint * np.clip((window - np.abs(offset)) / 20.0, 0, 1)
            new_h = (colour.hue + 0.3 * offset) % 360
        target = hsv_to_rgb(np.stack([new_h / 360.0, new_s, new_v], -1))
        out = weight[..., None] * target + (1 - weight[..., None]) * (rgb / 255.0)
        check = rgb_to_hsv(out)
        shown = solid & (check[..., 1] > 0.25) & (check[..., 2] > 0.2)
        if window is None or not shown.any() or _hue_gap(_circular_mean(check[..., 0][shown] * 360), colour.hue) <= 20:
            if dominant and window is not None:
                near = shown & (np.abs((check[..., 0] * 360 - colour.hue + 180) % 360 - 180) <= 30)
                if near.sum() < 0.6 * max(1, (solid & (check[..., 2] > 0.2)).sum()):
                    continue  # the new colour is not yet most of the subject: widen the change
            return out * 255.0
    raise AssertionError("unreachable")


def colour_name_near(rgb) -> str:
    """The name of the listed background colour nearest to `rgb` (for messages)."""
    rgb = np.asarray(rgb, dtype=float)
    names = [n for n in COLOURS if n != "black and white"]
    return min(names, key=lambda n: float(((np.asarray(COLOURS[n].rgb) - rgb) ** 2).sum()))


# ---------------------------------------------------------------------------------------------
# the scene

_ids = itertools.count(1)


@dataclass(frozen=True)
class Layer:
    """One subject: its cut-out sprite and how it is shown. The sprite is never modified."""

    sprite: np.ndarray  # (h, w, 4) float32: colours un-mixed from the old background, alpha in [0, 1]
    cx: float  # centre on the canvas, pixels
    cy: float
    name: str = "the subject"
    scale: float = 1.0
    colour: str | None = None  # a key of COLOURS
    tone: float = 1.0  # value multiplier (darker < 1 < lighter)
    flip_x: bool = False
    flip_y: bool = False
    dominant: bool = False  # drawn in `colour` as asked ("a yellow bicycle"): the colour is most of it
    added: bool = False  # drawn into the picture by an "add" edit
    id: int = field(default_factory=lambda: next(_ids))
    # For an added layer: where the other layers were before it came (restored when it goes).
    displaced: tuple = ()

    @property
    def width(self) -> float:
        return self.sprite.shape[1] * self.scale

    @property
    def height(self) -> float:
        return self.sprite.shape[0] * self.scale

    def box(self) -> tuple[float, float, float, float]:
        return (
            self.cx - self.width / 2,
            self.cy - self.height / 2,
            self.cx + self.width / 2,
            self.cy + self.height / 2,
        )

    def pixels(self) -> np.ndarray:
        """The sprite as shown (colour, tone, mirroring), before scaling: (h, w, 4) float."""
        rgb, alpha = self.sprite[..., :3].astype(np.float64), self.sprite[..., 3]
        if self.colour is not None:
            rgb = recolour_pixels(rgb, alpha, COLOURS[self.colour], dominant=self.dominant)
        if self.tone != 1.0:
            hsv = rgb_to_hsv(rgb / 255.0)
            if self.tone < 1.0:
                hsv[..., 2] *= self.tone
            else:  # lighter: towards white, keeping the hue
                lift = self.tone - 1.0
                hsv[..., 2] = np.clip(hsv[..., 2] + lift * (1 - hsv[..., 2]) + lift * 0.3, 0, 1)
                hsv[..., 1] *= 1 - 0.5 * lift
            rgb = hsv_to_rgb(hsv) * 255.0
        out = np.concatenate([np.clip(rgb, 0, 255), alpha[..., None]], -1).astype(np.float32)
        if self.flip_x:
            out = out[:, ::-1]
        if self.flip_y:
            out = out[::-1]
        return out


@dataclass(frozen=True)
class Scene:
    """A background plate and the subject layers on it, bottom to top."""

    plate: np.ndarray  # (H, W, 3) uint8
    background: tuple[int, int, int]
    layers: tuple[Layer, ...]

    @property
    def size(self) -> tuple[int, int]:
        return self.plate.shape[1], self.plate.shape[0]

    def main(self) -> Layer:
        """The subject an unspecific edit ("make it blue") means: the first one not added."""
        if not self.layers:
            raise EditNotPossible("there is no subject in the picture, only a plain background")
        return next((layer for layer in self.layers if not layer.added), self.layers[0])

    def with_layer(self, old: Layer, new: Layer) -> Scene:
        return replace(self, layers=tuple(new if layer.id == old.id else layer for layer in self.layers))

    def render(self) -> PIL.Image.Image:
        canvas = self.plate.astype(np.float32)
        height, width = canvas.shape[:2]
        for layer in self.layers:
            pixels = layer.pixels()
            w = max(1, round(layer.width))
            h = max(1, round(layer.height))
            # Resample in premultiplied alpha, so edges take no colour from transparent pixels.
            premultiplied = np.concatenate([pixels[..., :3] * pixels[..., 3:], pixels[..., 3:] * 255.0], -1)
            image = PIL.Image.fromarray(np.clip(premultiplied, 0, 255).round().astype(np.uint8), "RGBA")
            if (w, h) != image.size:
                image = image.resize((w, h), PIL.Image.LANCZOS)
            sprite = np.asarray(image, dtype=np.float32)
            left, top = round(layer.cx - w / 2), round(layer.cy - h / 2)
            x0, y0 = max(0, left), max(0, top)
            x1, y1 = min(width, left + w), min(height, top + h)
            if x1 <= x0 or y1 <= y0:
                continue
            part = sprite[y0 - top : y1 - top, x0 - left : x1 - left]
            alpha = np.clip(part[..., 3:] / 255.0, 0, 1)
            canvas[y0:y1, x0:x1] = np.clip(part[..., :3], 0, 255) + canvas[y0:y1, x0:x1] * (1 - alpha)
        return PIL.Image.fromarray(np.clip(canvas, 0, 255).round().astype(np.uint8))


# ---------------------------------------------------------------------------------------------
# segmentation


def border_pixels(array: np.ndarray) -> np.ndarray:
    height, width = array.shape[:2]
    b = max(2, round(min(height, width) / 64))
    return np.concatenate(
        [
            array[:b].reshape(-1, 3),
            array[-b:].reshape(-1, 3),
            array[b:-b, :b].reshape(-1, 3),
            array[b:-b, -b:].reshape(-1, 3),
        ]
    )


def background_colour(array: np.ndarray) -> tuple[np.ndarray, float]:
    """The border's dominant colour and the share of border pixels close to it."""
    border = border_pixels(array.astype(np.float32))
    # The median of the pixels near the coarse median: a subject touching one edge does not
    # pull the colour towards itself.
    coarse = np.median(border, 0)
    near = np.linalg.norm(border - coarse, axis=1) < 40
    colour = np.median(border[near], 0) if near.any() else coarse
    share = float((np.linalg.norm(border - colour, axis=1) < 32).mean())
    return colour, share


def segment(image: PIL.Image.Image, name: str = "the subject") -> Scene:
    """Split a picture into its plain background and its subject (one layer), or raise
    `NotSegmentable` saying plainly why not."""
    array = np.asarray(image.convert("RGB"), dtype=np.float32)
    height, width = array.shape[:2]
    if min(height, width) < 16:
        raise NotSegmentable("the picture is too small to find its subject")
    bg, flat_share = background_colour(array)
    if flat_share < 0.55:
        raise NotSegmentable(
            "it has no plain background to separate the subject from (it looks like a photo or a full scene)"
        )
    distance = np.linalg.norm(array - bg, axis=-1)
    border_distance = np.linalg.norm(border_pixels(array) - bg, axis=1)
    noise = float(np.percentile(border_distance[border_distance < 32], 90)) if (border_distance < 32).any() else 0.0
    threshold = max(30.0, 2.5 * noise)
    hard = distance > threshold
    labels, count = ndimage.label(hard)
    background = tuple(int(round(c)) for c in bg)
    if count == 0:  # a plain picture: no subject, only its colour
        return Scene(array.round().astype(np.uint8), background, ())
    sizes = ndimage.sum(hard, labels, index=np.arange(1, count + 1))
    # Specks (a diffusion sample's stray dots) are not part of the subject: they are painted
    # over in the plate, so they neither stay behind when the subject moves nor widen its box.
    keep = np.flatnonzero(sizes >= max(0.004 * height * width, 0.08 * sizes.max())) + 1
    specks = hard & ~np.isin(labels, keep)
    mask = ndimage.binary_fill_holes(np.isin(labels, keep))
    coverage = float(mask.mean())
    if coverage < 0.004:
        return Scene(array.round().astype(np.uint8), background, ())
    if coverage > 0.92:  # the subject fills the picture: all of it is the subject
        sprite = np.concatenate([array, np.ones((height, width, 1), np.float32)], -1)
        plate = np.empty_like(array, dtype=np.uint8)
        plate[...] = background
        return Scene(plate, background, (Layer(sprite, cx=width / 2, cy=height / 2, name=name),))
    # Soft edges: the anti-aliased ring just outside the mask keeps a partial alpha, and its
    # colour is un-mixed from the background so a new background shows no old fringe.
    ring = ndimage.binary_dilation(mask, iterations=max(2, round(min(height, width) / 96))) & ~mask
    soft = np.clip((distance - 0.4 * threshold) / (1.2 * threshold), 0, 1)
    alpha = np.where(mask, 1.0, np.where(ring, soft, 0.0)).astype(np.float32)
    present = alpha > 0.02
    rows, cols = np.flatnonzero(present.any(1)), np.flatnonzero(present.any(0))
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    a = alpha[y0:y1, x0:x1, None]
    colour = array[y0:y1, x0:x1]
    unmixed = np.where(a > 0.02, bg + (colour - bg) / np.maximum(a, 0.02), colour)
    sprite = np.concatenate([np.clip(unmixed, 0, 255), a], -1).astype(np.float32)
    # The plate loses the subject, its faint halo (a resampler's ringing) and the specks.
    halo = ndimage.binary_dilation(mask | specks, iterations=max(3, round(min(height, width) / 48)))
    plate = np.where(((alpha > 0) | (halo & (distance > 0.35 * threshold)) | specks)[..., None], bg, array)
    layer = Layer(sprite, cx=(x0 + x1) / 2, cy=(y0 + y1) / 2, name=name)
    return Scene(plate.round().astype(np.uint8), background, (layer,))


# ---------------------------------------------------------------------------------------------
# edits: each returns (new scene, what changed)

POSITION_WORDS = {
    "left": "to the left",
    "right": "to the right",
    "top": "to the top",
    "bottom": "to the bottom",
    "centre": "to the centre",
    "top-left": "to the top left corner",
    "top-right": "to the top right corner",
    "bottom-left": "to the bottom left corner",
    "bottom-right": "to the bottom right corner",
}


def _targets(scene: Scene, target: str | None) -> list[Layer]:
    """The layers an edit applies to: the one named, all of them ("all"), or the main subject."""
    scene.main()  # a plain picture has none: says so
    if target == "all":
        return list(scene.layers)
    if target:
        named = [layer for layer in scene.layers if _names_match(layer.name, target)]
        if named:
            return named[-1:]
    return [scene.main()]


_NOT_NAMES = {
    "the",
    "subject",
    "and",
    "with",
    "background",
    "picture",
    "image",
    "drawing",
    "left",
    "right",
    "top",
    "bottom",
    "centre",
    "center",
    "small",
    "large",
    "big",
    "little",
    "another",
    "some",
    "two",
    "three",
    "bigger",
    "smaller",
    "make",
    "please",
    *COLOURS,
}


def _names_match(layer_name: str, words: str) -> bool:
    """Whether `words` name the layer: a shared noun ("make the hat blue" names "a hat")."""
    layer_words = {w.rstrip("s") for w in layer_name.lower().split() if len(w) > 2 and w not in _NOT_NAMES}
    return bool(layer_words & {w.rstrip("s") for w in words.lower().split() if w not in _NOT_NAMES})


def layer_named(scene: Scene, words: str) -> Layer | None:
    named = [layer for layer in scene.layers if _names_match(layer.name, words)]
    return named[-1] if named else None


def _inside(layer: Layer, size: tuple[int, int]) -> Layer:
    """The layer shifted (not scaled) so that it lies inside the canvas where it fits."""
    width, height = size
    cx, cy = layer.cx, layer.cy
    if layer.width <= width:
        cx = min(max(cx, layer.width / 2), width - layer.width / 2)
    else:
        cx = width / 2
    if layer.height <= height:
        cy = min(max(cy, layer.height / 2), height - layer.height / 2)
    else:
        cy = height / 2
    return replace(layer, cx=cx, cy=cy)


def recolour(scene: Scene, colour: str, target: str | None = None) -> tuple[Scene, str]:
    if colour not in COLOURS:
        raise EditNotPossible(f"I don't know the colour {colour!r}.")
    if not scene.layers:  # a plain picture: "make it blue" means all of it
        plate = recolour_pixels(scene.plate.astype(np.float64), np.ones(scene.plate.shape[:2]), COLOURS[colour])
        plate = np.clip(plate, 0, 255).round().astype(np.uint8)
        return replace(scene, plate=plate, background=tuple(int(c) for c in plate[0, 0])), f"recoloured to {colour}"
    for layer in _targets(scene, target):
        scene = scene.with_layer(layer, replace(layer, colour=colour))
    who = (
        ""
        if target in (None, "all") or layer_named(scene, target or "") is None
        else f"{layer_named(scene, target).name} "
    )
    return scene, f"{who}recoloured to {colour}"


def resize(scene: Scene, factor: float, target: str | None = None) -> tuple[Scene, str]:
    """Scale about the subject's centre; the result stays inside the picture where it fits.

    Growing stops when the subject's longer side reaches the picture's shorter side (bigger
    would cut it off), shrinking when it reaches an eighth of it; an edit left with almost no
    room says so rather than returning the same picture."""
    width, height = scene.size
    side = min(width, height)
    applied = []
    for layer in _targets(scene, target):
        longest = max(layer.width, layer.height)
        # Growing may cut off the edges a little (a zoom), never more than a twentieth a side.
        limit = 1.1 * side / longest if factor > 1 else 0.125 * side / longest
        actual = min(factor, limit) if factor > 1 else max(factor, limit)
        if (factor > 1 and actual < 1.08) or (factor < 1 and actual > 0.93):
            if factor > 1:
                raise EditNotPossible("it already fills the picture, so it can't get any bigger")
            raise EditNotPossible("it is already as small as it can be and still be seen")
        scene = scene.with_layer(layer, _inside(replace(layer, scale=layer.scale * actual), scene.size))
        applied.append(actual)
    actual = applied[0]
    if actual > 1 and any(max(lay.width, lay.height) > side * 1.01 for lay in _targets(scene, target)):
        return scene, f"made {actual:.2g}x larger (zoomed in: its edges are cut off)"
    if actual > 1:
        return scene, f"made {actual:.2g}x larger"
    return scene, f"made smaller ({actual:.2g}x the size)"


def move(scene: Scene, where: str, target: str | None = None, amount: float | None = None) -> tuple[Scene, str]:
    """Move the subject to a side, a corner or the centre (`amount`: a relative nudge instead,
    as a share of the picture). A subject too wide to move visibly is made smaller first."""
    width, height = scene.size
    margin = 0.03 * min(width, height)
    layer = _targets(scene, target)[0]
    note = ""
    # Already there: against that edge, and its centre well over to that side (a wide subject
    # that touches both edges is in the middle, not on the left).
    left, top, right, bottom = layer.box()
    there = {
        "left": left / width < 0.07 and layer.cx < 0.4 * width,
        "right": (width - right) / width < 0.07 and layer.cx > 0.6 * width,
        "top": top / height < 0.07 and layer.cy < 0.4 * height,
        "bottom": (height - bottom) / height < 0.07 and layer.cy > 0.6 * height,
    }
    if amount is None and where != "centre" and all(there[side] for side in where.split("-")):
        raise EditNotPossible(
            f"it is already {POSITION_WORDS[where].replace('to the ', 'at the ').replace('at the left', 'on the left').replace('at the right', 'on the right')}"
        )
    if amount is None and where != "centre":
        # Room to move: the centre should shift by at least 14% of the picture, so a subject too
        # large for that is made smaller (never below a third of the picture).
        shift = 0.14
        room = []
        if "left" in where:
            room.append((2 * (layer.cx - shift * width - margin), layer.width, width))
        if "right" in where:
            room.append((2 * (width - margin - layer.cx - shift * width), layer.width, width))
        if "top" in where:
            room.append((2 * (layer.cy - shift * height - margin), layer.height, height))
        if "bottom" in where:
            room.append((2 * (height - margin - layer.cy - shift * height), layer.height, height))
        shrink = 1.0
        for allowed, extent, side in room:
            if extent > allowed:
                shrink = min(shrink, max(allowed, min(extent, side / 3)) / extent)
        if shrink < 1.0:
            layer = replace(layer, scale=layer.scale * shrink)
            note = f" (made {shrink:.2g}x the size to make room)"
    cx, cy = layer.cx, layer.cy
    if where == "centre":
        cx, cy = width / 2, height / 2
    if amount is not None:
        dx = (-1 if "left" in where else 1 if "right" in where else 0) * amount * width
        dy = (-1 if "top" in where else 1 if "bottom" in where else 0) * amount * height
        cx, cy = cx + dx, cy + dy
    else:
        if "left" in where:
            cx = margin + layer.width / 2
        if "right" in where:
            cx = width - margin - layer.width / 2
        if "top" in where:
            cy = margin + layer.height / 2
        if "bottom" in where:
            cy = height - margin - layer.height / 2
    moved = _inside(replace(layer, cx=cx, cy=cy), scene.size)
    old = _targets(scene, target)[0]
    if abs(moved.cx - old.cx) < 0.02 * width and abs(moved.cy - old.cy) < 0.02 * height and moved.scale == old.scale:
        raise EditNotPossible(
            f"it is already {POSITION_WORDS.get(where, where).replace('to the ', 'at the ').replace('at the left', 'on the left').replace('at the right', 'on the right')}"
        )
    words = POSITION_WORDS.get(where, where)
    if amount is not None:
        words = {
            "left": "a little to the left",
            "right": "a little to the right",
            "top": "up a little",
            "bottom": "down a little",
        }.get(where, words)
    return scene.with_layer(old, moved), f"moved {words}{note}"


def set_background(scene: Scene, colour: str) -> tuple[Scene, str]:
    if colour not in COLOURS or colour == "black and white":
        raise EditNotPossible(f"I can only make the background a plain colour, and {colour!r} is not one I know.")
    rgb = COLOURS[colour].rgb
    plate = np.empty_like(scene.plate)
    plate[...] = rgb
    already = colour_name_near(scene.background) == colour
    note = f" (it was {colour} already)" if already else ""
    return replace(scene, plate=plate, background=rgb), f"background changed to {colour}{note}"


def tone(scene: Scene, darker: bool, target: str | None = None) -> tuple[Scene, str]:
    for layer in _targets(scene, target):
        value = layer.tone * (0.65 if darker else 1.0) if darker else min(1.6, layer.tone + 0.35)
        scene = scene.with_layer(layer, replace(layer, tone=value))
    return scene, "made darker" if darker else "made lighter"


def flip(scene: Scene, vertical: bool = False, target: str | None = None) -> tuple[Scene, str]:
    for layer in _targets(scene, target):
        scene = scene.with_layer(
            layer, replace(layer, flip_y=not layer.flip_y) if vertical else replace(layer, flip_x=not layer.flip_x)
        )
    return scene, "turned upside down" if vertical else "mirrored left to right"


WEARABLE = {
    "hat",
    "cap",
    "crown",
    "glasses",
    "sunglasses",
    "helmet",
    "bow",
    "tiara",
    "halo",
    "beret",
    "hood",
    "headphones",
    "mask",
    "wig",
    "bonnet",
    "party hat",
    "top hat",
    "graduation cap",
    "ribbon",
}


def place_for(name: str) -> str:
    """Where an added thing goes by default: worn things on the subject's head, others beside it."""
    words = name.lower().replace("a ", " ").split()
    return "on" if any(w.rstrip("s") in WEARABLE or w in WEARABLE for w in words) else "beside"


def add_layer(scene: Scene, layer: Layer, placement: str = "beside") -> tuple[Scene, str]:
    """Put a new subject into the picture: on top of the main subject (a hat), or beside it
    (the two share the picture, the main subject moving left and shrinking if needed)."""
    width, height = scene.size
    if not scene.layers:  # a plain picture: the new subject goes in the middle
        scale = 0.78 * min(width, height) / max(layer.sprite.shape[:2])
        new = replace(layer, scale=scale, cx=width / 2, cy=height / 2, added=True)
        return replace(scene, layers=(new,)), f"added {layer.name}"
    main = scene.main()
    before = tuple((lay.id, lay.cx, lay.cy, lay.scale) for lay in scene.layers)
    new_scene = scene
    longest = max(layer.sprite.shape[:2])
    if placement == "on":
        scale = 0.62 * main.width / layer.sprite.shape[1]
        new = replace(layer, scale=scale)
        top = main.cy - main.height / 2
        cy = top + 0.08 * main.height - new.height / 2 + new.height * 0.25
        if cy - new.height / 2 < 0:  # no room above: the subject moves down
            shift = new.height / 2 - cy + 0.02 * height
            main_moved = _inside(replace(main, cy=main.cy + shift), scene.size)
            new_scene = new_scene.with_layer(main, main_moved)
            cy += main_moved.cy - main.cy
            main = main_moved
        new = replace(new, cx=main.cx, cy=max(cy, new.height / 2))
        words = f"added {layer.name} on top"
    else:
        side = "left" if placement == "left" else "right"
        room = 0.46 * width
        shrink = min(1.0, room / main.width, 0.8 * height / main.height)
        main_cx = 0.27 * width if side == "right" else 0.73 * width
        main_moved = _inside(replace(main, scale=main.scale * shrink, cx=main_cx, cy=height / 2), scene.size)
        new_scene = new_scene.with_layer(main, main_moved)
        target = max(main_moved.width, main_moved.height) * 0.9
        new = replace(
            layer, scale=target / longest, cx=0.73 * width if side == "right" else 0.27 * width, cy=height / 2
        )
        words = f"added {layer.name} beside it" if placement == "beside" else f"added {layer.name} on the {side}"
    after = {lay.id: (lay.cx, lay.cy, lay.scale) for lay in new_scene.layers}
    displaced = tuple((lid, cx, cy, s, *after[lid]) for lid, cx, cy, s in before if after[lid] != (cx, cy, s))
    new = _inside(replace(new, added=True, displaced=displaced), scene.size)
    return replace(new_scene, layers=new_scene.layers + (new,)), words


def _the(name: str) -> str:
    """ "a hat" -> "the hat" (for saying which one went)."""
    return (
        "the " + name.split(" ", 1)[1]
        if name.split(" ", 1)[0] in ("a", "an", "some", "another") and " " in name
        else name
    )


def remove_layer(scene: Scene, layer: Layer) -> tuple[Scene, str]:
    """Take a subject out; the others go back to where they were before it was added, unless
    they have been changed since."""
    if len(scene.layers) == 1:
        raise EditNotPossible(
            f"{layer.name} is the only subject in the picture; removing it would leave an empty background"
        )
    layers = [lay for lay in scene.layers if lay.id != layer.id]
    for lid, cx, cy, s, ax, ay, as_ in layer.displaced:
        for k, other in enumerate(layers):
            if other.id == lid and (other.cx, other.cy, other.scale) == (ax, ay, as_):
                layers[k] = replace(other, cx=cx, cy=cy, scale=s)
    return replace(scene, layers=tuple(layers)), f"removed {_the(layer.name)}"


def replace_layer(scene: Scene, old: Layer, new: Layer) -> tuple[Scene, str]:
    """Swap a subject for another one of the same size in the same place."""
    scale = max(old.width, old.height) / max(new.sprite.shape[:2])
    placed = _inside(replace(new, scale=scale, cx=old.cx, cy=old.cy, added=old.added), scene.size)
    return scene.with_layer(old, placed), f"turned into {new.name}"
