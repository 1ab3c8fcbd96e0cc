"""The hub preset code path, offline: tiny random pipelines of the real classes, saved locally.

As in diffusers' own tests, each pipeline is built from tiny randomly initialised components of
the same classes the hub presets use (Stable Diffusion for sd-turbo, InstructPix2Pix for edits),
saved with `save_pretrained` to a temporary folder and loaded through `ImageBackend.from_preset`,
the same loader (`AutoPipelineForText2Image` / `DiffusionPipeline.from_pretrained`) a hub id goes
through.
"""

from __future__ import annotations

import PIL.Image
import pytest
import torch

from models import image_backend
from models.image_backend import ImageBackend, ImageRequestError


def tiny_components(unet_in_channels: int = 4):
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(8, 16),
        layers_per_block=1,
        sample_size=8,
        in_channels=unet_in_channels,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=16,
        attention_head_dim=8,
        norm_num_groups=4,
    )
    vae = AutoencoderKL(
        block_out_channels=(8, 16),
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        norm_num_groups=4,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        sample_size=16,
    )
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for ch in letters + " ,.!?'":
        vocab.setdefault(ch, len(vocab))
        vocab.setdefault(ch + "</w>", len(vocab))
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[], model_max_length=16)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(vocab),
            hidden_size=16,
            intermediate_size=32,
            num_attention_heads=2,
            num_hidden_layers=2,
            max_position_embeddings=16,
            projection_dim=16,
            bos_token_id=0,
            eos_token_id=1,
            pad_token_id=1,
        )
    )
    scheduler = EulerDiscreteScheduler(num_train_timesteps=1000, timestep_spacing="trailing")
    return {"unet": unet, "vae": vae, "text_encoder": text_encoder, "tokenizer": tokenizer, "scheduler": scheduler}


@pytest.fixture(autouse=True)
def fresh_resident(monkeypatch):
    monkeypatch.setattr(image_backend, "RESIDENT", image_backend._ResidentPipeline())


@pytest.fixture(scope="module")
def sd_dir(tmp_path_factory):
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline(
        **tiny_components(), safety_checker=None, feature_extractor=None, requires_safety_checker=False
    )
    path = tmp_path_factory.mktemp("tiny-sd-turbo")
    pipe.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def pix2pix_dir(tmp_path_factory):
    from diffusers import StableDiffusionInstructPix2PixPipeline

    pipe = StableDiffusionInstructPix2PixPipeline(
        **tiny_components(unet_in_channels=8),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    path = tmp_path_factory.mktemp("tiny-pix2pix")
    pipe.save_pretrained(path)
    return path


def test_text2img_preset_loads_lazily_and_generates(sd_dir):
    backend = ImageBackend.from_preset(str(sd_dir), cache_dir=None)
    assert backend.kind == "hub" and image_backend.RESIDENT.pipe is None  # nothing loaded yet
    steps = []
    result = backend.generate(
        "a red apple", seed=3, steps=2, guidance=0.0, size=32, progress=lambda i, n: steps.append((i, n))
    )
    assert result.image.size == (32, 32) and result.seed == 3 and result.model == str(sd_dir)
    assert steps == [(1, 2), (2, 2)]
    assert type(image_backend.RESIDENT.pipe).__name__ == "StableDiffusionPipeline"
    assert image_backend.RESIDENT.pipe.unet.dtype == torch.float32  # fp32 on CPU
    again = backend.generate("a red apple", seed=3, steps=2, guidance=0.0, size=32)
    assert again.image.tobytes() == result.image.tobytes()


def test_text2img_preset_refines_with_shared_weights(sd_dir):
    backend = ImageBackend.from_preset(str(sd_dir), cache_dir=None)
    backend.preset = image_backend.HubPreset(str(sd_dir), "text2img", steps=2, guidance=0.0, size=32)
    result = backend.refine(PIL.Image.new("RGB", (50, 40), "blue"), "make it green", strength=0.5, seed=1, steps=2)
    assert result.image.size == (32, 32) and result.strength == 0.5


def test_only_one_large_pipeline_is_resident(sd_dir, pix2pix_dir):
    generator = ImageBackend.from_preset(str(sd_dir), cache_dir=None)
    editor = ImageBackend.from_preset(str(pix2pix_dir), cache_dir=None)
    editor.preset = image_backend.HubPreset(str(pix2pix_dir), "edit", steps=2, guidance=3.0, size=32)
    generator.generate("a cat", seed=0, steps=1, guidance=0.0, size=32)
    first = image_backend.RESIDENT.pipe
    edited = editor.refine(PIL.Image.new("RGB", (32, 32), "red"), "make it blue", strength=0.5, seed=0, steps=2)
    assert edited.image.size == (32, 32)
    assert image_backend.RESIDENT.pipe is not first
    assert type(image_backend.RESIDENT.pipe).__name__ == "StableDiffusionInstructPix2PixPipeline"
    with pytest.raises(ImageRequestError, match="edits pictures"):
        editor.generate("a cat", seed=0)


def test_hub_presets_name_the_real_models():
    names = {name: preset.repo for name, preset in image_backend.HUB_PRESETS.items()}
    assert names == {
        "sd-turbo": "stabilityai/sd-turbo",
        "sdxl-turbo": "stabilityai/sdxl-turbo",
        "flux-schnell": "black-forest-labs/FLUX.1-schnell",
        "instruct-pix2pix": "timbrooks/instruct-pix2pix",
    }
