"""Exact edits on real pixels: an emoji rendered from the Noto font on a plain background (the
kind of picture the embedded model draws, and a clean upload), judged by the evaluation's own
pixel measures (chat/training/edit_eval.py), which share no code with the editor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from chat.training.edit_eval import KIND_COLOURS, hue_distance, judge, mean_difference, measure
from models import scene_edits as se

FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
pytestmark = pytest.mark.skipif(not FONT.exists(), reason="fonts-noto-color-emoji is not installed")


def emoji_picture(
    char: str = "🍎", size: int = 256, background=(255, 255, 255), share: float = 0.6, centre=(0.5, 0.5)
) -> Image.Image:
    font = ImageFont.truetype(str(FONT), 109)
    canvas = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((10, 10), char, font=font, embedded_color=True)
    glyph = canvas.crop(canvas.getchannel("A").getbbox())
    side = round(size * share)
    glyph = glyph.resize((side, round(side * glyph.height / glyph.width)), Image.LANCZOS)
    picture = Image.new("RGB", (size, size), background)
    picture.paste(glyph, (round(centre[0] * size - glyph.width / 2), round(centre[1] * size - glyph.height / 2)), glyph)
    return picture


@pytest.fixture(scope="module")
def apple():
    return emoji_picture()


def test_the_subject_and_background_are_found(apple):
    scene = se.segment(apple)
    assert len(scene.layers) == 1 and scene.background == (255, 255, 255)
    layer = scene.layers[0]
    assert abs(layer.cx - 128) < 8 and abs(layer.cy - 128) < 8
    assert 0.5 * 256 < max(layer.width, layer.height) < 0.7 * 256
    # Nothing changed: the picture renders back as it was.
    assert mean_difference(apple, scene.render()) < 1.0


@pytest.mark.parametrize("colour", ["blue", "green", "purple", "yellow"])
def test_recolour_sets_the_subjects_hue_and_keeps_its_size(apple, colour):
    edited, change = se.recolour(se.segment(apple), colour)
    before, after = measure(apple), measure(edited.render())
    assert hue_distance(before.hue, KIND_COLOURS["red"]) < 30  # the apple starts red
    assert hue_distance(after.hue, KIND_COLOURS[colour]) < 25, (colour, after.hue)
    assert 0.9 < after.area / before.area < 1.1
    assert np.allclose(after.border, before.border, atol=3) and change == f"recoloured to {colour}"


def test_recolour_keeps_shading():
    scene = se.segment(emoji_picture("🍎"))
    rendered = np.asarray(se.recolour(scene, "blue")[0].render().convert("HSV"), dtype=np.float32)[..., 2]
    original = np.asarray(emoji_picture("🍎").convert("HSV"), dtype=np.float32)[..., 2]
    inside = original < 250
    # Lighter and darker parts stay lighter and darker: brightness still varies, and in step.
    assert rendered[inside].std() > 20
    assert np.corrcoef(rendered[inside], original[inside])[0, 1] > 0.9


@pytest.mark.parametrize(
    "factor, share, low, high", [(1.5, 0.6, 2.0, 2.5), (0.6, 0.6, 0.3, 0.42), (2.0, 0.4, 3.5, 4.5)]
)
def test_resize_changes_the_area_about_the_centre(factor, share, low, high):
    apple = emoji_picture(share=share)
    edited, change = se.resize(se.segment(apple), factor)
    before, after = measure(apple), measure(edited.render())
    assert low < after.area / before.area < high, (factor, after.area / before.area)
    assert abs(after.centre[0] - before.centre[0]) < 0.03 and abs(after.centre[1] - before.centre[1]) < 0.03
    assert ("larger" in change) == (factor > 1)


def test_smaller_then_bigger_gives_the_same_subject_back(apple):
    scene = se.segment(apple)
    there_and_back = se.resize(se.resize(scene, 0.5)[0], 2.0)[0].render()
    assert mean_difference(apple, there_and_back) < 1.0


def test_growing_stops_at_the_picture_edge():
    large = se.segment(emoji_picture("🍎", share=0.8))
    grown, change = se.resize(large, 2.0)  # only as far as the edges allow: a little cut off at most
    assert max(grown.layers[0].width, grown.layers[0].height) <= 1.1 * 256 + 1 and "1.3x larger" in change
    with pytest.raises(se.EditNotPossible, match="fills the picture"):
        se.resize(grown, 1.5)


@pytest.mark.parametrize(
    "where, dx, dy",
    [("left", -1, 0), ("right", 1, 0), ("top", 0, -1), ("bottom", 0, 1), ("top-right", 1, -1), ("bottom-left", -1, 1)],
)
def test_move_puts_the_subject_where_asked(apple, where, dx, dy):
    edited, change = se.move(se.segment(apple), where)
    before, after = measure(apple), measure(edited.render())
    for delta, sign in ((after.centre[0] - before.centre[0], dx), (after.centre[1] - before.centre[1], dy)):
        if sign:
            assert delta * sign > 0.12, (where, after.centre)
        else:
            assert abs(delta) < 0.03
    assert change.startswith("moved")


def test_a_wide_subject_is_made_smaller_so_the_move_shows():
    wide = emoji_picture("🍎", share=0.85)
    edited, change = se.move(se.segment(wide), "left")
    assert measure(edited.render()).centre[0] < 0.4 and "make room" in change


def test_moving_where_it_already_is_says_so():
    left = emoji_picture("🍎", share=0.4, centre=(0.23, 0.5))
    with pytest.raises(se.EditNotPossible, match="already"):
        se.move(se.segment(left), "left")


def test_background_changes_and_the_subject_does_not(apple):
    edited, change = se.set_background(se.segment(apple), "yellow")
    after = measure(edited.render())
    assert np.allclose(after.border, se.COLOURS["yellow"].rgb, atol=2)
    inside = np.asarray(apple)[100:150, 100:150].astype(float)
    assert np.abs(np.asarray(edited.render())[100:150, 100:150] - inside).mean() < 2
    assert change == "background changed to yellow"


def test_no_fringe_of_the_old_background_on_a_new_one(apple):
    edited = np.asarray(se.set_background(se.segment(apple), "black")[0].render()).astype(float)
    # Around the subject's edge on black, no pixel is near-white (the old background).
    assert (edited.min(-1) > 235).sum() < 20


def test_add_then_remove_restores_the_picture(apple):
    scene = se.segment(apple)
    star = se.segment(emoji_picture("⭐"), name="a star").layers[0]
    added, change = se.add_layer(scene, star, "beside")
    assert len(added.layers) == 2 and change == "added a star beside it"
    assert judge("add", "star", apple, added.render())  # two subjects now
    removed, change = se.remove_layer(added, added.layers[-1])
    assert change == "removed the star" and mean_difference(apple, removed.render()) < 1.0


def test_a_hat_goes_on_top():
    cat = se.segment(emoji_picture("🐱", share=0.5, centre=(0.5, 0.6)))
    hat = se.segment(emoji_picture("🎩"), name="a hat").layers[0]
    added, change = se.add_layer(cat, hat, se.place_for("a hat"))
    cat_layer, hat_layer = added.layers
    assert change == "added a hat on top"
    assert hat_layer.cy < cat_layer.cy - 0.3 * cat_layer.height and abs(hat_layer.cx - cat_layer.cx) < 2


def test_the_only_subject_cannot_be_removed(apple):
    scene = se.segment(apple)
    with pytest.raises(se.EditNotPossible, match="only subject"):
        se.remove_layer(scene, scene.layers[0])


def test_a_photo_like_picture_is_not_segmentable():
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 255, (128, 128, 3), dtype=np.uint8))
    with pytest.raises(se.NotSegmentable, match="no plain background"):
        se.segment(noise)
    gradient = Image.fromarray(np.tile(np.linspace(0, 255, 128, dtype=np.uint8)[None, :, None], (128, 1, 3)))
    with pytest.raises(se.NotSegmentable):
        se.segment(gradient)


def test_a_plain_picture_is_recoloured_whole_and_cannot_be_moved():
    plain = Image.new("RGB", (64, 64), (200, 40, 40))
    scene = se.segment(plain)
    assert scene.layers == ()
    edited, _ = se.recolour(scene, "blue")
    assert hue_distance(measure(edited.render()).border.astype(float).argmax() * 0 + _hue(edited.render()), 220) < 20
    with pytest.raises(se.EditNotPossible, match="no subject"):
        se.move(scene, "left")


def _hue(image: Image.Image) -> float:
    return float(np.asarray(image.convert("HSV"))[..., 0].mean()) * 360 / 255


def test_mirror_and_tone(apple):
    scene = se.segment(emoji_picture("🚀"))
    mirrored = np.asarray(se.flip(scene)[0].render())
    assert mean_difference(Image.fromarray(mirrored[:, ::-1]), emoji_picture("🚀")) < 2
    darker = se.tone(se.segment(apple), darker=True)[0].render()
    assert (
        np.asarray(darker.convert("L"))[100:150, 100:150].mean()
        < np.asarray(apple.convert("L"))[100:150, 100:150].mean() - 20
    )


def test_a_subject_that_fills_the_width_is_not_already_on_the_left():
    wide = emoji_picture("🍎", share=0.95)
    edited, change = se.move(se.segment(wide), "left")
    assert measure(edited.render()).centre[0] < 0.4 and "make room" in change
