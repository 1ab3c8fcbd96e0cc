"""`easel eval edits`: do edits do what their words say? Measured on the pixels.

For each (subject, edit) pair a picture is drawn ("a cat", through the Studio's policy gate and
the image model), then one edit is made in a fresh conversation holding only that picture, and
the result is judged by simple pixel measures that do not share code with the editor:

    border colour   median of the outer ring of pixels (the background)
    subject mask    pixels farther than a fixed distance from the border colour
    area, centre    the mask's share of the picture and its centroid
    hue             the circular mean hue of the mask's tinted pixels

    recolour     the subject's hue is within 30 degrees of the asked colour's
    bigger       the subject's area grew by at least 20%      smaller: shrank by at least 20%
    background   the border colour is within 60 (RGB distance) of the asked colour
    move         the centre moved at least 10% of the picture in each asked direction
    add          a second separate subject came in (or, worn on top, the subject area grew 10%)
    remove       after an add, the picture is back to the one before it (mean difference < 4/255)
    undo         after an edit, "go back" gives the picture before it (mean difference < 1/255)

and the subject must still be there. For bigger, smaller, background and move: a classifier
over all 1,377 single-code-point emoji, trained on real renders only (the image eval's judge,
`models/training/image_eval.py`), must still have the drawn concept among its five first guesses after
the edit when it had it before (without a known concept: its first guess, when it was at least
50% sure of it; a drawing it did not recognise has no subject to lose). For recolour the judge
cannot be the test: it reads colour, and recognises only 61% of *real* renders recoloured this
way, so the subject's shape and shading are compared instead (`shape_kept`); the judge's figure
is still printed. A pair succeeds when both hold; an edit that returns no picture fails.

`--through-chat` sends "draw a <subject>" and the edit as chat messages through the whole
assistant (the chat model choosing the tool), as a person would, for the five kinds a user asks
most (recolour, bigger, smaller, background, move).
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from models.emoji_data import BACKGROUNDS

# The evaluation's own subjects and phrasings (not the product's word lists, not the shared
# evaluation set): everyday things a person asks to draw.
SUBJECTS = [
    "cat",
    "dog",
    "apple",
    "car",
    "house",
    "tree",
    "fish",
    "rocket",
    "pizza",
    "star",
    "flower",
    "banana",
    "bird",
    "boat",
    "ball",
    "cake",
    "heart",
    "sun",
    "moon",
    "umbrella",
    "guitar",
    "horse",
    "frog",
    "turtle",
    "lemon",
    "strawberry",
    "mushroom",
    "robot",
    "ghost",
    "snowman",
    "bicycle",
    "airplane",
    "bus",
    "train",
    "key",
    "bell",
    "crown",
    "rabbit",
    "owl",
    "penguin",
]
KIND_COLOURS = {"red": 0, "orange": 30, "yellow": 55, "green": 120, "blue": 220, "purple": 275, "pink": 330}
# The backgrounds asked for, with the RGB the embedded model draws each in (its training
# palette, which the editor paints too); white is left out, as most drawings start on it.
BACKGROUND_RGB = {
    name: BACKGROUNDS[name] for name in ("red", "orange", "yellow", "green", "blue", "purple", "pink", "black", "grey")
}
PHRASINGS = {
    "recolour": [
        "make it {c}",
        "turn it {c}",
        "colour it {c}",
        "change its colour to {c}",
        "I'd like it {c}",
        "can you make it {c}?",
        "paint it {c}",
        "make the {s} {c}",
        "{c} please",
        "rends-le {fr}",
        "hazlo {es}",
        "mach es {de}",
    ],
    "bigger": [
        "make it bigger",
        "make it larger",
        "enlarge it",
        "bigger please",
        "make the {s} bigger",
        "can you make it bigger?",
        "scale it up",
        "make it a bit bigger",
        "fais-le plus grand",
        "hazlo más grande",
        "mach es größer",
    ],
    "smaller": [
        "make it smaller",
        "shrink it",
        "smaller please",
        "make the {s} smaller",
        "can you make it smaller?",
        "scale it down",
        "make it a little smaller",
        "make it tiny",
        "rends-le plus petit",
        "hazlo más pequeño",
        "mach es kleiner",
    ],
    "background": [
        "make the background {c}",
        "change the background to {c}",
        "put it on a {c} background",
        "I want a {c} background",
        "give it a {c} background",
        "background {c} please",
        "mets le fond en {fr}",
        "pon el fondo {es}",
        "mach den Hintergrund {de}",
    ],
    "move": [
        "move it to the {d}",
        "put it on the {d}",
        "move the {s} to the {d}",
        "shift it to the {d}",
        "place it at the {d}",
        "can you move it to the {d}?",
        "move it {d}",
    ],
    "add": ["add a {t}", "add a {t} next to it", "put a {t} beside it", "ajoute un {t_fr}", "añade un {t_es}"],
    "remove": ["remove the {t}", "take away the {t}", "get rid of the {t}", "without the {t}"],
    "undo": ["go back", "undo that", "undo", "go back to how it was", "revert it", "annule", "deshaz eso"],
}
OTHER_LANGUAGES = {
    "red": ("rouge", "rojo", "rot"),
    "orange": ("orange", "naranja", "orange"),
    "yellow": ("jaune", "amarillo", "gelb"),
    "green": ("vert", "verde", "grün"),
    "blue": ("bleu", "azul", "blau"),
    "purple": ("violet", "morado", "lila"),
    "pink": ("rose", "rosa", "rosa"),
    "black": ("noir", "negro", "schwarz"),
    "grey": ("gris", "gris", "grau"),
}
DIRECTIONS = {
    "left": ("left",),
    "right": ("right",),
    "top": ("top",),
    "bottom": ("bottom",),
    "top left corner": ("top", "left"),
    "bottom right corner": ("bottom", "right"),
    "top right corner": ("top", "right"),
    "bottom left corner": ("bottom", "left"),
}
ADDED = [
    ("hat", "chapeau", "sombrero"),
    ("star", "étoile", "estrella"),
    ("dog", "chien", "perro"),
    ("ball", "ballon", "balón"),
    ("flower", "fleur", "flor"),
    ("crown", "couronne", "corona"),
]
KINDS = ["recolour", "bigger", "smaller", "background", "move", "add", "remove", "undo"]
CHAT_KINDS = ["recolour", "bigger", "smaller", "background", "move"]


# -- pixel measures (deliberately independent of models/scene_edits.py) ------------------------


@dataclass
class Measure:
    border: np.ndarray  # RGB
    area: float  # share of the picture
    centre: tuple[float, float]  # (x, y) as shares of the picture
    hue: float | None  # degrees


def measure(image: Image.Image, size: int = 128) -> Measure:
    array = np.asarray(image.convert("RGB").resize((size, size), Image.BILINEAR), dtype=np.float32)
    ring = max(2, size // 25)
    border = np.concatenate(
        [
            array[:ring].reshape(-1, 3),
            array[-ring:].reshape(-1, 3),
            array[:, :ring].reshape(-1, 3),
            array[:, -ring:].reshape(-1, 3),
        ]
    )
    colour = np.median(border, 0)
    mask = np.linalg.norm(array - colour, axis=-1) > 50
    area = float(mask.mean())
    if mask.any():
        ys, xs = np.nonzero(mask)
        centre = (float(xs.mean() + 0.5) / size, float(ys.mean() + 0.5) / size)
    else:
        centre = (0.5, 0.5)
    hsv = np.asarray(Image.fromarray(array.astype(np.uint8)).convert("HSV"), dtype=np.float32) / 255.0
    tinted = mask & (hsv[..., 1] > 0.25) & (hsv[..., 2] > 0.2)
    hue = None
    if tinted.sum() >= 0.1 * max(1, mask.sum()) and tinted.any():
        angles = hsv[..., 0][tinted] * 2 * np.pi
        hue = float(np.degrees(np.arctan2(np.sin(angles).mean(), np.cos(angles).mean())) % 360)
    return Measure(colour, area, centre, hue)


def subjects(image: Image.Image, size: int = 128) -> int:
    """How many separate subjects: connected parts of the subject mask of at least a fifth of
    the largest one's size (specks do not count)."""
    from scipy import ndimage

    array = np.asarray(image.convert("RGB").resize((size, size), Image.BILINEAR), dtype=np.float32)
    colour = measure(image, size).border
    labels, count = ndimage.label(np.linalg.norm(array - colour, axis=-1) > 50)
    if count == 0:
        return 0
    sizes = ndimage.sum(labels > 0, labels, index=np.arange(1, count + 1))
    return int((sizes >= 0.2 * sizes.max()).sum())


def shape_kept(before: Image.Image, after: Image.Image, size: int = 128) -> bool:
    """The same subject in another colour: the subject masks overlap (IoU at least 0.8) and the
    light and dark parts inside them are where they were (brightness correlation at least 0.6)."""
    masks, values = [], []
    for image in (before, after):
        array = np.asarray(image.convert("RGB").resize((size, size), Image.BILINEAR), dtype=np.float32)
        masks.append(np.linalg.norm(array - measure(image, size).border, axis=-1) > 50)
        values.append(array.max(-1))
    union, inter = masks[0] | masks[1], masks[0] & masks[1]
    if not union.any() or inter.sum() / union.sum() < 0.8:
        return False
    a, b = values[0][union], values[1][union]
    if a.std() < 1e-3 or b.std() < 1e-3:
        return True
    return float(np.corrcoef(a, b)[0, 1]) >= 0.6


def hue_distance(a: float, b: float) -> float:
    d = abs(a - b) % 360
    return min(d, 360 - d)


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    x = np.asarray(a.convert("RGB"), dtype=np.float32)
    y = np.asarray(b.convert("RGB").resize(a.size), dtype=np.float32)
    return float(np.abs(x - y).mean())


def judge(
    kind: str, target, before: Image.Image, after: Image.Image | None, reference: Image.Image | None = None
) -> bool:
    """The pixel check of one edit (see the module docstring)."""
    if after is None:
        return False
    m0, m1 = measure(before), measure(after)
    ratio = m1.area / max(m0.area, 1e-6)
    if kind == "recolour":
        return m1.hue is not None and hue_distance(m1.hue, KIND_COLOURS[target]) <= 30
    if kind == "bigger":
        return ratio >= 1.2
    if kind == "smaller":
        return ratio <= 0.8
    if kind == "background":
        return float(np.linalg.norm(m1.border - np.asarray(BACKGROUND_RGB[target]))) <= 60
    if kind == "move":
        dx, dy = m1.centre[0] - m0.centre[0], m1.centre[1] - m0.centre[1]
        wanted = {"left": dx <= -0.1, "right": dx >= 0.1, "top": dy <= -0.1, "bottom": dy >= 0.1}
        return all(wanted[d] for d in DIRECTIONS[target])
    if kind == "add":  # a second subject beside the first, or the subject grew (a hat on top)
        return ratio >= 1.1 or subjects(after) >= max(2, subjects(before) + 1)
    if kind in ("remove", "undo"):
        return reference is not None and mean_difference(reference, after) < (4.0 if kind == "remove" else 1.0)
    raise ValueError(kind)


# -- the pairs ---------------------------------------------------------------------------------


@dataclass
class Pair:
    subject: str
    kind: str
    target: object  # colour, direction or added thing
    message: str
    setup: str | None = None  # an edit made first (add before remove, a change before undo)


def make_pairs(subjects: list[str], seed: int = 0, kinds: list[str] = KINDS) -> list[Pair]:
    rng = random.Random(seed)
    pairs = []
    for subject in subjects:
        for kind in kinds:
            for _ in range(2 if kind in ("recolour", "move") else 1):
                template = rng.choice(PHRASINGS[kind])
                if kind in ("recolour", "background"):
                    colours = list(KIND_COLOURS) if kind == "recolour" else list(BACKGROUND_RGB)
                    target = rng.choice(colours)
                    fr, es, de = OTHER_LANGUAGES[target]
                    message = template.format(c=target, s=subject, fr=fr, es=es, de=de)
                    pairs.append(Pair(subject, kind, target, message))
                elif kind == "move":
                    target = rng.choice(list(DIRECTIONS))
                    message = template.format(d=target, s=subject)
                    if template.endswith("{d}") and " corner" in target and template.startswith("move it {d}"):
                        message = f"move it to the {target}"
                    pairs.append(Pair(subject, kind, target, message))
                elif kind == "add":
                    thing, fr, es = rng.choice(ADDED)
                    pairs.append(Pair(subject, kind, thing, template.format(t=thing, t_fr=fr, t_es=es)))
                elif kind == "remove":
                    thing, _, _ = rng.choice(ADDED)
                    pairs.append(Pair(subject, kind, thing, template.format(t=thing), setup=f"add a {thing}"))
                elif kind == "undo":
                    setup = rng.choice(
                        ["make it blue", "make it bigger", "move it to the left", "make the background green"]
                    )
                    pairs.append(Pair(subject, kind, None, template, setup=setup))
                else:
                    pairs.append(Pair(subject, kind, None, template.format(s=subject)))
    return pairs


# -- recognition ---------------------------------------------------------------------------------


class Recogniser:
    """The image eval's judge, a classifier over all 1,377 single-code-point emoji trained on
    augmented real renders only (`models.training.image_eval.load_judge`): does the edited picture still
    show what the source picture showed?"""

    def __init__(self, work_dir: Path, log=print):
        from models.training.image_eval import load_judge

        self.model, scenes = load_judge(Path(work_dir), log=log)
        self.size = scenes.image_size
        self.classes = {scenes.catalog.glyphs[c].emoji.replace("\ufe0f", ""): k for k, c in enumerate(scenes.concepts)}

    def top(self, image: Image.Image, k: int = 5) -> list[int]:
        return self.scores(image).topk(k).indices.tolist()

    def class_of(self, concept: str | None) -> int | None:
        """The judge's class of a picture's concept ("🐕 dog": what the image model was asked to
        draw, as its concept resolver read the request), or None."""
        emoji = (concept or "").split(" ")[0].replace("\ufe0f", "")
        return self.classes.get(emoji) if emoji else None

    def kept(self, before: Image.Image, after: Image.Image, concept: str | None = None) -> bool | None:
        """Whether the edited picture still shows the subject: the asked concept among the
        judge's five first guesses after the edit, when it was before (None when the drawing
        itself was not recognised: it had no subject to lose). Without a known concept, the
        source's own first guess stands for it."""
        target = self.class_of(concept)
        if target is None:
            scores = self.scores(before)
            if float(scores.softmax(0).max()) < 0.5:
                return None  # the judge is not sure what the drawing shows
            target = int(scores.argmax())
        elif target not in self.top(before, 5):
            return None
        return target in self.top(after, 5)

    def scores(self, image: Image.Image):
        from models.training.image_eval import classify

        small = np.asarray(image.convert("RGB").resize((self.size, self.size), Image.LANCZOS))[None]
        return classify(self.model, small)[0]


# -- running -------------------------------------------------------------------------------------


def _fresh_session(picture):
    from chat.session import ChatSession

    session = ChatSession()
    session.add_user(f"draw {picture.prompt}")
    session.add_picture(replace(picture, scene=None))
    session.add_assistant(f"Here is {picture.prompt}.", picture_id=picture.id)
    return session


def _edit(studio, session, message):
    session.add_user(message)
    outcome = studio.edit(session, session.current_picture_id, message)
    if outcome.picture is not None:
        session.add_assistant(outcome.reply or outcome.text, picture_id=outcome.picture.id)
        return outcome, Image.open(outcome.picture.path).convert("RGB")
    session.add_assistant(outcome.text)
    return outcome, None


def run_studio(studio, pairs: list[Pair], recogniser: Recogniser | None, seed: int = 0, log=print) -> list[dict]:
    """Every pair through `studio.edit`, in a fresh conversation holding only its drawn source."""
    from chat.session import ChatSession

    sources: dict[str, tuple] = {}
    rows = []
    for k, pair in enumerate(pairs):
        if pair.subject not in sources:
            session = ChatSession()
            session.add_user(f"draw a {pair.subject}")
            outcome = studio.generate(session, f"a {pair.subject}", seed=seed + len(sources))
            sources[pair.subject] = (
                outcome.picture,
                Image.open(outcome.picture.path).convert("RGB") if outcome.picture else None,
            )
        picture, before = sources[pair.subject]
        row = {"subject": pair.subject, "kind": pair.kind, "target": pair.target, "message": pair.message}
        if picture is None:
            rows.append(
                {**row, "ok": False, "pixel_ok": False, "kept": None, "reply": "the source was not drawn", "sec": 0.0}
            )
            continue
        session = _fresh_session(picture)
        reference = before
        if pair.setup:
            setup_outcome, reference = _edit(studio, session, pair.setup)
            if reference is None:
                rows.append(
                    {
                        **row,
                        "ok": False,
                        "pixel_ok": False,
                        "kept": None,
                        "sec": 0.0,
                        "reply": f"setup '{pair.setup}' failed: {setup_outcome.text}",
                    }
                )
                continue
            if pair.kind == "undo":
                reference = before
            else:  # remove: back to the picture before the add
                reference = before
        started = time.perf_counter()
        outcome, after = _edit(studio, session, pair.message)
        seconds = time.perf_counter() - started
        rows.append(
            _score(
                row,
                pair,
                before,
                after,
                reference,
                recogniser,
                outcome.reply or outcome.text,
                seconds,
                getattr(picture, "concept", None),
            )
        )
        if (k + 1) % 25 == 0:
            log(f"  {k + 1}/{len(pairs)} edits")
    return rows


def run_chat(assistant, pairs: list[Pair], recogniser: Recogniser | None, log=print) -> list[dict]:
    """Each pair as two chat messages in a fresh conversation: "draw a <subject>", then the edit."""
    from chat.session import ChatSession

    rows = []
    for k, pair in enumerate(pairs):
        session = ChatSession()
        row = {"subject": pair.subject, "kind": pair.kind, "target": pair.target, "message": pair.message}
        drawn, record = _chat_turn(assistant, session, f"draw a {pair.subject}")
        if drawn is None:
            rows.append(
                {
                    **row,
                    "ok": False,
                    "pixel_ok": False,
                    "kept": None,
                    "reply": "the drawing turn made no picture",
                    "sec": 0.0,
                }
            )
            continue
        started = time.perf_counter()
        after, _ = _chat_turn(assistant, session, pair.message)
        seconds = time.perf_counter() - started
        reply = session.messages[-1].content if session.messages else ""
        rows.append(
            _score(row, pair, drawn, after, drawn, recogniser, reply, seconds, getattr(record, "concept", None))
        )
        if (k + 1) % 10 == 0:
            log(f"  {k + 1}/{len(pairs)} conversations")
    return rows


def _chat_turn(assistant, session, message):
    """The picture a chat turn showed (and its record), or (None, None)."""
    replies = list(assistant.reply(session, message))
    last = replies[-1] if replies else None
    pictures = [o.picture for o in (last.outcomes if last else []) if o.picture is not None]
    if not pictures:
        return None, None
    return Image.open(pictures[-1].path).convert("RGB"), pictures[-1]


def _score(row, pair, before, after, reference, recogniser, reply, seconds, concept=None) -> dict:
    pixel_ok = judge(pair.kind, pair.target, before, after, reference)
    kept = shape = None
    if after is not None and recogniser is not None and pair.kind in CHAT_KINDS:
        kept = recogniser.kept(before, after, concept)
    if after is not None and pair.kind == "recolour":
        shape = shape_kept(before, after)
    # A colour change is judged by its shape and shading (the judge reads colour, see above);
    # the other kinds by the judge, where it recognised the drawing.
    ok = pixel_ok and (shape is True if pair.kind == "recolour" else kept is not False)
    return {
        **row,
        "ok": ok,
        "pixel_ok": pixel_ok,
        "kept": kept,
        "shape_kept": shape,
        "concept": concept,
        "reply": reply,
        "sec": round(seconds, 3),
    }


def summarise(rows: list[dict]) -> dict:
    by_kind = {}
    for kind in dict.fromkeys(r["kind"] for r in rows):
        subset = [r for r in rows if r["kind"] == kind]
        kept = [r["kept"] for r in subset if r["kept"] is not None]
        shapes = [r["shape_kept"] for r in subset if r.get("shape_kept") is not None]
        by_kind[kind] = {  # kept: of the pairs whose drawing the judge recognised
            "n": len(subset),
            "success": round(sum(r["ok"] for r in subset) / len(subset), 4),
            "pixel_ok": round(sum(r["pixel_ok"] for r in subset) / len(subset), 4),
            "kept": round(sum(kept) / len(kept), 4) if kept else None,
            "kept_n": len(kept),
            **({"shape_kept": round(sum(shapes) / len(shapes), 4)} if shapes else {}),
        }
    return {
        "n": len(rows),
        "success": round(sum(r["ok"] for r in rows) / len(rows), 4) if rows else 0.0,
        "by_kind": by_kind,
        "sec_per_edit_p50": round(statistics.median(r["sec"] for r in rows), 3) if rows else 0.0,
    }


def eval_edits_command(args, settings) -> int:
    import torch

    from chat.pictures import Studio

    torch.set_num_threads(args.threads)
    log = lambda *a: print(*a, file=sys.stderr)  # noqa: E731
    studio = Studio.from_settings(settings)
    recogniser = None
    if not args.no_recognition and settings.image_model == "embedded":
        recogniser = Recogniser(settings.resolved_data_dir() / "image_model", log=log)
    subjects = SUBJECTS[: max(1, args.subjects or len(SUBJECTS))]
    started = time.perf_counter()
    if args.through_chat:
        from chat.assistant import Assistant

        assistant = Assistant(settings.chat_model_instance(), studio, max_message_chars=settings.max_message_chars)
        rows = run_chat(assistant, make_pairs(subjects, args.seed, CHAT_KINDS), recogniser, log=log)
    else:
        rows = run_studio(studio, make_pairs(subjects, args.seed), recogniser, seed=args.seed, log=log)
    summary = summarise(rows)
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    for row in rows:
        if not row["ok"]:
            print(
                f"  miss {row['kind']:<10} {row['subject']:<10} {row['message']!r}: {str(row['reply'])[:140]}",
                file=sys.stderr,
            )
    print(f"{'kind':<11}{'n':>5}{'success':>9}{'pixels':>8}{'judge kept':>12}{'shape kept':>12}")
    for kind, figures in summary["by_kind"].items():
        kept = "-" if figures["kept"] is None else f"{figures['kept']:.2f} ({figures['kept_n']})"
        shape = f"{figures['shape_kept']:.2f}" if "shape_kept" in figures else "-"
        print(f"{kind:<11}{figures['n']:>5}{figures['success']:>9.2f}{figures['pixel_ok']:>8.2f}{kept:>12}{shape:>12}")
    print(f"{'all':<11}{summary['n']:>5}{summary['success']:>9.2f}   ({time.perf_counter() - started:.0f} s)")
    print(json.dumps(summary))
    return 0
