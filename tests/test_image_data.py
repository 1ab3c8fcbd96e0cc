"""The embedded image model's dataset: rendering, concept choice, captions, determinism."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.emoji_data import (
    EVAL_TEMPLATES,
    HELD_OUT_COMBOS,
    TRAIN_TEMPLATES,
    Composition,
    EmojiScenes,
    article,
    glyph_names,
)

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / "image_data"


@pytest.fixture(scope="module")
def scenes() -> EmojiScenes:
    return EmojiScenes.default(CACHE, count=300, seed=0)


def test_catalog_renders_every_glyph_of_the_font(scenes):
    catalog = scenes.catalog
    assert 3500 <= len(catalog) <= 4000
    assert catalog.pixels.shape[1:] == (64, 64, 4)
    assert all((catalog.pixels[i, ..., 3] > 0).any() for i in range(0, len(catalog), 97))
    names = {g.name for g in catalog.glyphs}
    assert {"cat face", "pizza", "rocket"} <= names


def test_names_come_from_the_emoji_table_and_unicode():
    import emoji

    name, aliases = glyph_names("🍕", emoji.EMOJI_DATA["🍕"])
    assert name == "pizza" and "slice of pizza" in aliases
    name, _ = glyph_names("🐱", emoji.EMOJI_DATA["🐱"])
    assert name == "cat face"


def test_concepts_are_distinct_and_deterministic(scenes):
    assert len(scenes.concepts) == 300 == len(set(scenes.concepts))
    assert scenes.catalog.select_concepts(300, seed=0) == scenes.concepts
    names = [scenes.catalog.glyphs[i].name for i in scenes.concepts]
    assert not any("flag" in n or "skin tone" in n for n in names)


def test_batches_are_deterministic_from_seed_and_step(scenes):
    a = scenes.sample_batch(seed=3, step=11, batch_size=16)
    b = scenes.sample_batch(seed=3, step=11, batch_size=16)
    c = scenes.sample_batch(seed=3, step=12, batch_size=16)
    assert np.array_equal(a[0], b[0]) and a[1] == b[1]
    assert not np.array_equal(a[0], c[0])
    assert a[0].shape == (16, 32, 32, 3) and a[0].dtype == np.uint8


def test_captions_describe_the_composition():
    c = Composition((0,), background="blue", position="left", size="small", names=("cat face",))
    assert c.describe() == "a small cat face on the left on a blue background"
    assert Composition((0,), colour="blue", names=("apple",)).describe() == "a blue apple"
    assert Composition((0, 1), names=("cat face", "rocket")).describe() == "a cat face and a rocket"
    assert (
        Composition((0,), size="large", names=("slice of pizza",), template="an emoji of {np}").describe()
        == "an emoji of a large slice of pizza"
    )
    assert article("grapes") == "grapes" and article("owl") == "an owl"


def test_rendering_follows_the_composition(scenes):
    plain = scenes.render(Composition((0,), names=("x",)))
    assert (plain[0, 0] == 255).all()  # white corner
    blue = scenes.render(Composition((0,), background="blue", names=("x",)))
    assert tuple(blue[0, 0]) == (50, 100, 220)
    left = scenes.render(Composition((0,), position="left", size="small", names=("x",))).astype(int)
    right = scenes.render(Composition((0,), position="right", size="small", names=("x",))).astype(int)
    ink = lambda a: (255 - a).sum(axis=(0, 2))  # noqa: E731  column ink
    assert np.argmax(ink(left)) < 16 <= np.argmax(ink(right))


def test_all_caption_kinds_occur_in_training(scenes):
    captions = []
    for step in range(30):
        captions += scenes.sample_batch(seed=0, step=step, batch_size=32)[1]
    text = "\n".join(captions)
    for word in (" and a", "background", "small", "large", "on the left", "at the top"):
        assert word in text
    assert any(f"{c} " in text for c in ("a blue", "a red", "a green", "a purple", "a pink"))


def test_held_out_phrasings_and_combinations_never_appear_in_training(scenes):
    eval_starts = [t.split("{np}")[0] for t in EVAL_TEMPLATES]
    assert not set(EVAL_TEMPLATES) & set(TRAIN_TEMPLATES)
    rng = np.random.default_rng(5)
    for _ in range(3000):
        comp = scenes.sample_composition(rng)
        assert (comp.background, comp.position) not in HELD_OUT_COMBOS
        assert comp.template in TRAIN_TEMPLATES
    prompts = scenes.eval_prompts()
    assert len(prompts) == 300 and {c for _, c, _ in prompts} == set(range(300))
    assert all(any(p.startswith(s) for s in eval_starts) for p, _, _ in prompts)
    assert any((comp.background, comp.position) in HELD_OUT_COMBOS for _, _, comp in prompts)
    assert prompts == scenes.eval_prompts()


def test_concept_weights_steer_which_subjects_a_batch_draws(scenes):
    p = np.zeros(len(scenes.concepts))
    p[[5, 9]] = 0.5
    _, captions, labels = scenes.sample_batch(seed=0, step=1, batch_size=64, concept_p=p)
    assert set(labels) == {5, 9}
    # Without weights the batch is the one an unweighted run always drew (resumes stay exact).
    assert scenes.sample_batch(seed=0, step=1, batch_size=8)[1] == scenes.sample_batch(0, 1, 8, None)[1]


def test_mining_prompts_are_training_pictures_of_every_concept(scenes):
    prompts = scenes.train_prompts(seed=7)
    assert [c for _, c, _ in prompts] == list(range(len(scenes.concepts)))
    assert all(len(comp.concepts) == 1 for _, _, comp in prompts)
    assert all(comp.template in TRAIN_TEMPLATES for _, _, comp in prompts)
    assert not any((comp.background, comp.position) in HELD_OUT_COMBOS for _, _, comp in prompts)
    held_out = {p for p, _, _ in scenes.eval_prompts()}
    assert not held_out & {p for p, _, _ in prompts}
    assert prompts == scenes.train_prompts(seed=7) != scenes.train_prompts(seed=8)


def test_concepts_missed_in_mining_get_the_focus_weight(scenes, tmp_path):
    import json

    from models.training.image_model import TrainConfig, concept_weights

    emojis = [scenes.catalog.glyphs[i].emoji for i in scenes.concepts]
    rows = [{"emoji": e, "prompt": "", "rank_among_all": rank} for e, rank in zip(emojis[:3], (0, 4, 5), strict=True)]
    misses = tmp_path / "misses.json"
    misses.write_text(json.dumps({"split": "train", "seed": 7, "prompts": rows}))
    assert concept_weights(scenes, TrainConfig(focus_from=str(misses), focus_weight=1.0)) is None
    weights = concept_weights(scenes, TrainConfig(focus_from=str(misses), focus_weight=4.0))
    assert weights[2] == 4.0 and weights[0] == weights[1] == 1.0  # rank 4 is still in the judge's top 5
    assert (weights[3:] == 1.0).all()
