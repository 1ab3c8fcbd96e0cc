"""A training-free judge of which emoji a picture shows, for scenes of several subjects.

The image eval's judge (`models.training.image_eval.load_judge`) classifies a whole 32 px
picture into one emoji and has to be trained first. Scenes need "is each named subject in the
picture?", so this judge finds the picture's objects and matches each against real renders of
every single-code-point emoji (1,377, Noto Color Emoji, `models.emoji_data.EmojiCatalog`):

1. the background is estimated row by row (the median colour of each row's left and right
   edges, so a gradient sky and a ground band are background too), and every pixel far from it
   is foreground;
2. the foreground is split into objects (connected parts, slightly dilated; tiny specks dropped),
   and each object's bounding box is cut out (also the whole foreground, for subjects drawn in
   several parts);
3. each cut-out and each emoji render are brought to the same form (cropped to content, padded
   square, 24 px, composited on the cut-out's own background colour) and compared by the mean
   squared difference of their colours and of their blurred shapes; the emoji with the smallest
   differences are the object's guesses.

It shares no code with the composition it judges (models/scenes.py cuts subjects out by the
border colour of each subject's own drawing, and places them itself); it never sees where
anything was put. A subject counts as found when its emoji is among the first `top` guesses of
any object.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

REPO = Path(__file__).resolve().parents[2]
SIDE = 24


def _fit(rgba: np.ndarray) -> np.ndarray:
    """An (h, w, 4) float array cropped to its content, padded square, resized to SIDE."""
    alpha = rgba[..., 3]
    rows, cols = np.flatnonzero(alpha.max(1) > 0.1), np.flatnonzero(alpha.max(0) > 0.1)
    if len(rows) == 0:
        return np.zeros((SIDE, SIDE, 4), np.float32)
    crop = rgba[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape[:2]
    side = max(h, w)
    square = np.zeros((side, side, 4), np.float32)
    square[(side - h) // 2 : (side - h) // 2 + h, (side - w) // 2 : (side - w) // 2 + w] = crop
    premultiplied = np.concatenate([square[..., :3] * square[..., 3:], square[..., 3:]], -1)
    image = Image.fromarray((premultiplied * 255).round().astype(np.uint8), "RGBA").resize((SIDE, SIDE), Image.BOX)
    out = np.asarray(image, np.float32) / 255.0
    a = out[..., 3:]
    return np.concatenate([np.where(a > 0.01, out[..., :3] / np.maximum(a, 0.01), 0), a], -1)


class SceneJudge:
    def __init__(self, cache_dir: Path = REPO / ".cache" / "image_data"):
        from models.emoji_data import EmojiCatalog

        catalog = EmojiCatalog.build(cache_dir)
        singles = [i for i, g in enumerate(catalog.glyphs) if len(g.emoji.replace("\ufe0f", "")) == 1]
        self.emoji = [catalog.glyphs[i].emoji.replace("\ufe0f", "") for i in singles]
        self.templates = np.stack([_fit(catalog.pixels[i].astype(np.float32) / 255.0) for i in singles])
        self._shape = np.stack([ndimage.gaussian_filter(t[..., 3], 1.0) for t in self.templates])

    # -- objects --------------------------------------------------------------------------
    @staticmethod
    def objects(picture: Image.Image) -> list[np.ndarray]:
        """Cut-outs (h, w, 4 floats in [0, 1]) of the picture's objects, the whole foreground
        first when there are several."""
        rgb = np.asarray(picture.convert("RGB").resize((128, 128), Image.LANCZOS), np.float32) / 255.0
        edges = np.concatenate([rgb[:, :6], rgb[:, -6:]], axis=1)
        background = np.median(edges, axis=1, keepdims=True)
        distance = np.linalg.norm(rgb - background, axis=-1)
        foreground = ndimage.binary_opening(distance > 0.16, iterations=1)
        labels, count = ndimage.label(ndimage.binary_dilation(foreground, iterations=2))
        cuts = []
        boxes = []
        for k in range(1, count + 1):
            part = (labels == k) & foreground
            if part.sum() < 0.006 * part.size:
                continue
            ys, xs = np.nonzero(part)
            boxes.append((ys.min(), ys.max() + 1, xs.min(), xs.max() + 1, part))
        if len(boxes) > 1:
            everything = np.zeros_like(foreground)
            for *_b, part in boxes:
                everything |= part
            boxes.insert(0, (0, 128, 0, 128, everything))
        for y0, y1, x0, x1, part in boxes:
            alpha = ndimage.binary_fill_holes(part)[y0:y1, x0:x1].astype(np.float32)
            cuts.append(np.concatenate([rgb[y0:y1, x0:x1], alpha[..., None]], -1))
        return cuts

    # -- matching -------------------------------------------------------------------------
    def guesses(self, cut: np.ndarray, top: int = 5) -> list[str]:
        score = self.score(_fit(cut))
        return [self.emoji[j] for j in np.argsort(score)[:top]]

    def score(self, item: np.ndarray) -> np.ndarray:
        """The difference of a fitted cut-out from every emoji (smaller: more alike)."""
        bg = np.array([0.5, 0.5, 0.5], np.float32)
        ta = self.templates[..., 3:]
        composed = self.templates[..., :3] * ta + bg * (1 - ta)
        mine = item[..., :3] * item[..., 3:] + bg * (1 - item[..., 3:])
        colour = ((composed - mine) ** 2).mean(axis=(1, 2, 3))
        shape = ((self._shape - ndimage.gaussian_filter(item[..., 3], 1.0)) ** 2).mean(axis=(1, 2))
        return colour + 0.5 * shape

    def found(self, picture: Image.Image, top: int = 5) -> set[str]:
        """Every emoji among the first `top` guesses of any object of the picture."""
        out: set[str] = set()
        for cut in self.objects(picture):
            out.update(self.guesses(cut, top))
        return out
