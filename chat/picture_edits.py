"""Carrying out an edit instruction on a picture of the conversation, exactly.

`Studio.edit` reads the instruction into operations (`chat.edit_instructions.parse_edit`), and
for the embedded image model (and uploads edited with it) this module applies them to the
picture's scene (`models.scene_edits`): the subject is recoloured, scaled, moved; the background
repainted; a second subject drawn by the image model (with the source's seed) is put in or taken
out. The result keeps the source's seed and subject, and says in words what changed.

    result = apply_plan(source_scene, plan, draw=lambda prompt: picture)
    result.scene.render(), result.changes   # ["recoloured to blue", "made 1.5x larger"]

An edit that cannot be shown raises `EditNotPossible` with a plain reason; a picture that cannot
be split into subject and background raises `NotSegmentable`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import PIL.Image

from chat.edit_instructions import EditPlan
from models.scene_edits import (
    EditNotPossible,
    NotSegmentable,
    Scene,
    add_layer,
    flip,
    layer_named,
    move,
    place_for,
    recolour,
    remove_layer,
    replace_layer,
    resize,
    segment,
    set_background,
    tone,
)

__all__ = ["EditNotPossible", "EditResult", "NotSegmentable", "apply_plan", "scene_of", "subject_name"]

_ALL = re.compile(r"\b(?:them|both|everything|all|tous|todos|alle|allebei|tutti|beide)\b")


def subject_name(prompt: str) -> str:
    """The subject of a picture's description, for naming its layer: "a cat face on a blue
    background, make it bigger" -> "a cat face"."""
    name = prompt.split(",")[0]
    name = re.split(
        r"\b(?:on|in|at)\s+(?:a|an|the)\s+\w+\s+background\b|\b(?:in the centre|on the left|on the right|"
        r"at the top|at the bottom)\b",
        name,
    )[0]
    return name.strip() or "the subject"


def scene_of(picture) -> Scene:
    """A picture record's scene: split once from its file, then kept on the record."""
    if getattr(picture, "scene", None) is None:
        with PIL.Image.open(picture.path) as image:
            picture.scene = segment(image.convert("RGB"), name=subject_name(picture.prompt))
    return picture.scene


@dataclass
class EditResult:
    scene: Scene
    changes: list[str] = field(default_factory=list)
    drew: list[str] = field(default_factory=list)  # prompts the image model drew for this edit


def _target(scene: Scene, text: str) -> str | None:
    if _ALL.search(text) and len(scene.layers) > 1:
        return "all"
    return text


def apply_plan(scene: Scene, plan: EditPlan, draw: Callable[[str], PIL.Image.Image] | None = None) -> EditResult:
    """Every operation of `plan` applied in order. `draw(prompt)` makes a picture of a thing to
    add (through the image model, with the source's seed); it is only called for add/replace."""
    result = EditResult(scene)
    for op in plan.ops:
        scene = result.scene
        target = _target(scene, plan.text)
        if op.kind == "recolour":
            result.scene, change = recolour(scene, op.value, target)
        elif op.kind == "resize":
            result.scene, change = resize(scene, float(op.value), target)
        elif op.kind == "move":
            result.scene, change = move(scene, op.value, target, amount=op.amount)
        elif op.kind == "background":
            result.scene, change = set_background(scene, op.value)
        elif op.kind == "tone":
            result.scene, change = tone(scene, op.value == "darker", target)
        elif op.kind == "flip":
            result.scene, change = flip(scene, vertical=op.value == "vertical", target=target)
        elif op.kind == "add":
            if op.value == "another one":
                main = scene.main()
                layer = replace(
                    main,
                    name=f"another {subject_name(main.name).removeprefix('a ').removeprefix('an ')}",
                    id=_fresh_id(),
                    displaced=(),
                )
                result.scene, change = add_layer(scene, layer, "beside")
            else:
                layer = _drawn_layer(op.value, draw, result)
                result.scene, change = add_layer(scene, layer, op.placement or place_for(op.value))
        elif op.kind == "remove":
            result.scene, change = remove_layer(scene, _layer_to_remove(scene, op.value))
        elif op.kind == "replace":
            old = layer_named(scene, plan.text.split(" with ")[0].split(" by ")[0]) or scene.main()
            result.scene, change = replace_layer(scene, old, _drawn_layer(op.value, draw, result))
        else:
            raise EditNotPossible(f"I don't know how to {op.kind} a picture.")
        result.changes.append(change)
    return result


def _fresh_id() -> int:
    from models import scene_edits

    return next(scene_edits._ids)


def _drawn_layer(thing: str, draw, result: EditResult):
    if draw is None:
        raise EditNotPossible(f"drawing {thing} is not available here")
    prompt = re.sub(r"^(?:some|the|two|three|another|a second)\s+", "a ", thing)
    picture = draw(prompt)
    result.drew.append(prompt)
    try:
        drawn = segment(picture, name=thing)
    except NotSegmentable as problem:
        raise EditNotPossible(f"I drew {thing}, but could not cut it out of its picture ({problem})") from problem
    return replace(drawn.layers[0], name=re.sub(r"^(?:the|some)\s+", "a ", thing))


def _layer_to_remove(scene: Scene, thing: str):
    pronoun = re.fullmatch(r"(?:the\s+)?(?:it|that|this|them|le|la|lo|es|o|het)", thing)
    named = None if pronoun else layer_named(scene, thing)
    added = [layer for layer in scene.layers if layer.added]
    if named is not None and (named.added or len(scene.layers) > 1):
        return named
    if pronoun and added:
        return added[-1]
    if named is not None or pronoun or len(scene.layers) == 1:
        raise EditNotPossible(
            f"{scene.main().name} is the only subject in the picture, so removing it would leave an empty background"
        )
    words = thing.removeprefix("the ")
    raise EditNotPossible(
        f"there is no separate {words} in this picture to take out: I can only remove a subject that was added to it"
    )
