"""The embedded pipeline and the image backend, on a tiny randomly initialised UNet."""

from __future__ import annotations

import numpy as np
import PIL.Image
import pytest
import torch

from models.emoji_pipeline import EmojiDiffusionPipeline, make_scheduler, make_unet
from models.image_backend import GeneratedImage, ImageBackend, ImageRequestError

pytestmark = pytest.mark.slow  # loads the embedded image model


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    torch.manual_seed(0)
    pipe = EmojiDiffusionPipeline(unet=make_unet(channels=(16, 32)), scheduler=make_scheduler())
    path = tmp_path_factory.mktemp("tiny-embedded")
    pipe.save_pretrained(path, safe_serialization=True)
    return path


@pytest.fixture(scope="module")
def backend(tiny_dir):
    return ImageBackend.from_preset(str(tiny_dir), cache_dir=None)


def test_save_and_load_round_trip(tiny_dir):
    assert (tiny_dir / "unet" / "diffusion_pytorch_model.safetensors").is_file()
    first = EmojiDiffusionPipeline.from_pretrained(tiny_dir)
    assert first.config.image_size == 32 and first.config.patch_size == 2
    again_dir = tiny_dir.parent / "again"
    first.save_pretrained(again_dir)
    second = EmojiDiffusionPipeline.from_pretrained(again_dir)
    for a, b in zip(first.unet.state_dict().values(), second.unet.state_dict().values(), strict=False):
        assert torch.equal(a, b)
    a = first("a cat face", num_inference_steps=3, generator=torch.Generator().manual_seed(1), output_type="np").images
    b = second("a cat face", num_inference_steps=3, generator=torch.Generator().manual_seed(1), output_type="np").images
    assert a.shape == (1, 32, 32, 3) and np.array_equal(a, b)


def test_text_to_image_with_seed_steps_guidance_batch_and_progress(tiny_dir):
    pipe = EmojiDiffusionPipeline.from_pretrained(tiny_dir)
    calls = []
    out = pipe(
        ["a rocket", "a cat face"],
        num_inference_steps=4,
        guidance_scale=2.0,
        num_images_per_prompt=2,
        generator=torch.Generator().manual_seed(0),
        callback_on_step_end=lambda pipe, i, t, kwargs: calls.append((i + 1, pipe.num_timesteps)) or kwargs,
        output_size=256,
    )
    assert len(out.images) == 4 and out.images[0].size == (256, 256)
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_backend_generate_is_reproducible_from_the_seed(backend):
    a = backend.generate("a cat face", seed=7, steps=3)
    b = backend.generate("a cat face", seed=7, steps=3)
    assert isinstance(a, GeneratedImage) and a.seed == 7 and a.steps == 3 and a.strength is None
    assert np.array_equal(np.asarray(a.image), np.asarray(b.image))
    assert a.image.size == (256, 256) and a.seconds > 0
    c = backend.generate("a cat face", steps=2, size=64)
    assert c.image.size == (64, 64) and isinstance(c.seed, int)


def test_backend_makes_several_pictures_with_consecutive_seeds(backend):
    many = backend.generate_many("a rocket", 3, seed=10, steps=2)
    assert [m.seed for m in many] == [10, 11, 12]
    assert np.array_equal(np.asarray(many[1].image), np.asarray(backend.generate("a rocket", seed=11, steps=2).image))
    with pytest.raises(ImageRequestError, match="pictures"):
        backend.generate_many("a rocket", 0)


def test_img2img_from_any_picture_is_proportionally_shorter(backend):
    source = PIL.Image.new("RGBA", (300, 200), (200, 30, 30, 255))
    calls = []
    out = backend.refine(source, "a blue apple", strength=0.5, seed=1, steps=10, progress=lambda i, n: calls.append(n))
    assert out.strength == 0.5 and out.image.size == (256, 256)
    assert calls and calls[-1] == 5 and len(calls) == 5
    full = []
    backend.refine(source, "a blue apple", strength=1.0, seed=1, steps=10, progress=lambda i, n: full.append(n))
    assert len(full) == 10


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda b: b.generate("", seed=1), "empty"),
        (lambda b: b.generate("   ", seed=1), "empty"),
        (lambda b: b.generate("a cat", steps=0), "steps"),
        (lambda b: b.generate("a cat", steps=-3), "steps"),
        (lambda b: b.generate("a cat", guidance=-1.0), "guidance"),
        (lambda b: b.generate("a cat", seed=-1), "seed"),
        (lambda b: b.generate("a cat", size=0), "size"),
        (lambda b: b.refine(PIL.Image.new("RGB", (8, 8)), "a cat", strength=-0.5), "strength"),
        (lambda b: b.refine(PIL.Image.new("RGB", (8, 8)), "a cat", strength=0.0), "strength"),
        (lambda b: b.refine(PIL.Image.new("RGB", (8, 8)), "a cat", strength=1.5), "strength"),
        (lambda b: b.refine(PIL.Image.new("RGB", (8, 8)), "", strength=0.5), "empty"),
        (lambda b: b.refine(PIL.Image.new("RGB", (8, 8)), "a cat", steps=0), "steps"),
    ],
)
def test_bad_requests_get_a_clear_error(backend, call, words):
    with pytest.raises(ImageRequestError) as error:
        call(backend)
    assert isinstance(error.value, ValueError) and words in str(error.value)


def test_pipeline_rejects_zero_steps_and_bad_strength(tiny_dir):
    pipe = EmojiDiffusionPipeline.from_pretrained(tiny_dir)
    with pytest.raises(ValueError, match="num_inference_steps"):
        pipe("a cat", num_inference_steps=0)
    with pytest.raises(ValueError, match="strength"):
        pipe("a cat", image=PIL.Image.new("RGB", (8, 8)), strength=-0.1)


def test_unknown_preset_is_a_clear_error(tmp_path):
    with pytest.raises(ImageRequestError, match="Unknown image model"):
        ImageBackend.from_preset("no-such-model", tmp_path)
    assert ImageBackend.from_preset("embedded", tmp_path).kind == "embedded"
    assert ImageBackend.from_preset("stabilityai/sd-turbo", tmp_path).name == "sd-turbo"
    assert ImageBackend.from_preset("flux-schnell", tmp_path).preset.repo == "black-forest-labs/FLUX.1-schnell"
