"""Scenes of several subjects (models/scenes.py): reading, layout, settings, and drawing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.concepts import ConceptIndex
from models.scene_edits import COLOURS, Layer, recolour_pixels, rgb_to_hsv
from models.scenes import SETTINGS, compose, layout, read_scene, setting_plate

EMBEDDED = Path(__file__).resolve().parents[1] / "models" / "embedded"


@pytest.fixture(scope="module")
def index() -> ConceptIndex:
    found = ConceptIndex.from_folder(EMBEDDED)
    assert found is not None
    return found


def names(scene) -> list[str]:
    return [s.concept.name for s in scene.subjects]


def test_subjects_relations_and_settings_are_read(index):
    scene = read_scene(index, "draw a red bicycle next to a dog at sunset")
    assert names(scene) == ["bicycle", "dog"] and scene.subjects[0].colour == "red"
    assert scene.setting == "sunset" and scene.composed and not scene.left_out
    scene = read_scene(index, "a cat on a car under a night sky")
    assert names(scene) == ["cat", "automobile"] and scene.setting == "night sky"
    assert [(r.a, r.kind, r.b) for r in scene.relations] == [(0, "on", 1)]
    assert read_scene(index, "a dog riding a horse in the snow").relations[0].kind == "riding"
    assert read_scene(index, "a bear holding a balloon").relations[0].kind == "holding"
    assert read_scene(index, "a cat with a hat").relations[0].kind == "wearing"
    assert read_scene(index, "a frog in front of a house").relations[0].kind == "in front of"
    assert read_scene(index, "a frog under an umbrella in the rain").setting == "rain"
    assert read_scene(index, "a duck and a house on the beach").setting == "beach"


def test_a_setting_needs_its_preposition_and_a_lone_subject_is_still_one(index):
    assert names(read_scene(index, "draw a beach")) == ["beach with umbrella"]
    assert read_scene(index, "draw a beach").setting is None
    alone = read_scene(index, "draw a cat")
    assert names(alone) == ["cat"] and not alone.composed and alone.caption() == "a cat"
    assert read_scene(index, "a small cat face on the left on a blue background").caption() == (
        "a small cat face on the left on a blue background"
    )


def test_every_concept_asked_alone_is_still_that_one_concept(index):
    """'draw a bridge at night' is the bridge-at-night emoji, not a bridge under a night sky."""
    from models.emoji_data import article

    for concept in index.concepts:
        request = f"draw {article(concept.name)}"
        scene = read_scene(index, request)
        if scene is None:  # read by meaning, as before
            continue
        assert [s.concept.name for s in scene.subjects] == [c.name for c in index.resolve(request).concepts], request
        assert not scene.composed and scene.setting is None, request


def test_colour_words_apply_to_every_subject(index):
    scene = read_scene(index, "a yellow bicycle and a purple umbrella and a brown dog")
    assert [s.colour for s in scene.subjects] == ["yellow", "purple", "brown"]
    assert read_scene(index, "a green apple").subjects[0].colour is None  # a name, not a colour
    bird = read_scene(index, "an orange bird")
    assert names(bird) == ["bird"] and bird.subjects[0].colour == "orange"  # not a tangerine
    assert names(read_scene(index, "an orange and a bird")) == ["tangerine", "bird"]


def test_counts_and_the_limit_of_four(index):
    assert names(read_scene(index, "two dogs and a cat")) == ["dog", "dog", "cat"]
    five = read_scene(index, "a dog, a cat, a cow, a pig and a horse")
    assert len(five.subjects) == 4
    assert "horse" in five.left_out_sentence() and "at most 4" in five.left_out_sentence()


@pytest.mark.parametrize(
    ("request_text", "left_out"),
    [
        ("Adam Driver eating a pizza", "Adam Driver"),
        ("draw a dog surfing at sunset", "surfing"),
        ("a bird singing in the forest", "singing"),
        ("a dog chasing a cat", "chasing"),
        ("a horse next to a gazebo", "gazebo"),
    ],
)
def test_what_is_not_drawn_is_said_in_one_sentence(index, request_text, left_out):
    scene = read_scene(index, request_text)
    sentence = scene.left_out_sentence()
    assert sentence and left_out in sentence and sentence.count(".") == 1 and sentence.startswith("I didn't draw")
    assert scene.unused  # so the chat's fast path does not take it as fully understood


def test_nothing_is_said_when_everything_is_drawn(index):
    for text in ("a cat and a rainbow", "draw a dog next to a cat at sunset", "a red apple"):
        scene = read_scene(index, text)
        assert scene.left_out_sentence() is None and scene.unused == (), text


def test_the_card_says_what_was_drawn_as_what(index):
    scene = read_scene(index, "a purple car under a tree in the snow")
    assert (
        scene.describe()
        == "🚗 automobile (purple) + 🌳 deciduous tree · automobile under deciduous tree · setting: snow"
    )


def _sprite(h: int, w: int, rgb=(200, 60, 60)) -> Layer:
    sprite = np.zeros((h, w, 4), np.float32)
    sprite[..., :3] = rgb
    sprite[..., 3] = 1.0
    return Layer(sprite, cx=w / 2, cy=h / 2)


def _boxes(where, shapes):
    return [
        (cx - w * s / 2, cy - h * s / 2, cx + w * s / 2, cy + h * s / 2)
        for (cx, cy, s), (h, w) in zip(where, shapes, strict=True)
    ]


def test_layout_follows_the_relation(index):
    shapes = [(100, 100), (100, 100)]
    on, _order = layout(read_scene(index, "a cat on a car"), shapes, (256, 256), None)
    cat, car = _boxes(on, shapes)
    assert cat[3] < car[1] + 0.3 * (car[3] - car[1]) and cat[1] < car[1]  # the cat sits on top
    under, _ = layout(
        read_scene(index, "a cat under an umbrella next to a dog"), shapes + [(100, 100)], (256, 256), None
    )
    side, _ = layout(read_scene(index, "a cat next to a dog"), shapes, (256, 256), None)
    a, b = _boxes(side, shapes)
    assert a[2] <= b[0] + 1 and abs((a[1] + a[3]) - (b[1] + b[3])) < 2  # side by side, level
    held, order = layout(read_scene(index, "a bear holding a balloon"), shapes, (256, 256), None)
    bear, balloon = _boxes(held, shapes)
    assert (balloon[2] - balloon[0]) < 0.7 * (bear[2] - bear[0]) and order[-1] == 1  # smaller, in front
    for box in _boxes(under, shapes + [(100, 100)]) + [a, b, bear, balloon]:
        assert box[0] >= -1 and box[1] >= -1 and box[2] <= 257 and box[3] <= 257  # all inside


def test_subjects_stand_on_the_ground_of_a_setting(index):
    plate, ground = setting_plate("beach", "white", (256, 256))
    assert plate.shape == (256, 256, 3) and 0.5 < ground < 0.8
    where, _ = layout(read_scene(index, "a dog and a cat on the beach"), [(80, 80), (80, 80)], (256, 256), ground)
    for _x0, _y0, _x1, y1 in _boxes(where, [(80, 80), (80, 80)]):
        assert abs(y1 - (ground * 256 + 0.08 * 256)) < 3


@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_every_setting_paints_a_background_with_nothing_on_it(setting):
    plate, _ground = setting_plate(setting, "white", (128, 128), seed=1)
    assert plate.dtype == np.uint8 and plate.shape == (128, 128, 3)
    assert plate.std(axis=(0, 1)).max() < 90  # a gradient and specks, no subject-like shapes


def test_compose_colours_and_mirrors_copies(index):
    scene = read_scene(index, "two blue dogs")
    composed = compose(scene, [_sprite(60, 40), _sprite(60, 40)], (128, 128))
    assert [layer.colour for layer in composed.layers] == ["blue", "blue"]
    assert [layer.flip_x for layer in composed.layers] == [False, True]
    picture = np.asarray(composed.render())
    hue = rgb_to_hsv(picture[64, :, :] / 255.0)[..., 0] * 360
    assert ((np.abs(hue - 220) < 25) & (picture[64, :, 2] > 150)).sum() > 30


def test_a_colour_asked_for_becomes_the_main_colour_of_a_many_coloured_subject():
    """'a yellow bicycle': a mostly grey subject with red parts turns yellow as a whole, where an
    edit ('make it yellow') only changes its main colour."""
    rgb = np.full((40, 40, 3), 140.0)
    rgb[:10] = (220, 40, 40)
    alpha = np.ones((40, 40))
    out = recolour_pixels(rgb, alpha, COLOURS["yellow"], dominant=True)
    hsv = rgb_to_hsv(out / 255.0)
    coloured = (hsv[..., 1] > 0.25) & (np.abs(hsv[..., 0] * 360 - 55) < 30)
    assert coloured.mean() > 0.6


@pytest.mark.slow
def test_a_scene_is_drawn_subject_by_subject_and_says_what_it_left_out():
    from models.image_backend import ImageBackend

    backend = ImageBackend.from_preset("embedded")
    picture = backend.generate("a red bicycle next to a dog at sunset, with Adam Driver", seed=3, size=192)
    assert picture.image.size == (192, 192)
    assert picture.concept.startswith("🚲 bicycle (red) + 🐕 dog") and "setting: sunset" in picture.concept
    assert "Adam Driver" in picture.left_out
    assert len(picture.scene.layers) == 2 and picture.scene.layers[0].colour == "red"
    single = backend.generate("a dog", seed=3)
    assert single.scene is None and single.left_out is None and single.concept == "🐕 dog"


@pytest.mark.slow
def test_a_composed_picture_is_edited_subject_by_subject():
    from chat.edit_instructions import parse_edit
    from chat.picture_edits import apply_plan
    from models.image_backend import ImageBackend

    picture = ImageBackend.from_preset("embedded").generate("a cat next to a dog in the snow", seed=5)
    result = apply_plan(picture.scene, parse_edit("make the dog blue", picture.prompt), draw=None)
    colours = {layer.name: layer.colour for layer in result.scene.layers}
    assert colours == {"a cat": None, "a dog": "blue"}, colours
    assert result.scene.render().size == picture.image.size
