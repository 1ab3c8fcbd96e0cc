"""The embedded text-to-image pipeline: a small pixel-space UNet conditioned on MiniLM.

Reading order, top to bottom:

1. `encode_prompt` turns prompts into the frozen all-MiniLM-L6-v2 sentence embedding (added to the
   UNet's time embedding through its projection class embedding, so the text reaches every
   ResNet block) and its token embeddings (keys and values of the cross-attention blocks).
2. Pictures live in pixel space at 32x32, folded into 2x2 patches (`pixel_unshuffle`): the UNet
   works on a 16x16x12 array, a quarter of the positions for the same pixels, which is what
   makes it fast enough to train and sample on a CPU.
3. `__call__` runs a multistep DPM-Solver (v-prediction, 10 steps by default) with classifier-free
   guidance, from noise (text-to-image) or from a noised input picture (image-to-image, with
   `strength`), with diffusers' conventions: `callback_on_step_end(pipe, step, timestep,
   callback_kwargs)` after each step, `progress_bar`, `randn_tensor`, `ImagePipelineOutput`. The
   32 px result is upscaled for display with a Lanczos resampler (the backend uses the trained
   upscaler instead).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import PIL.Image
import torch
import torch.nn.functional as F
from diffusers import DiffusionPipeline, DPMSolverMultistepScheduler, ImagePipelineOutput, UNet2DConditionModel
from diffusers.utils.torch_utils import randn_tensor

from models import EMBEDDED_STEPS

# callback_on_step_end(pipe, step, timestep, callback_kwargs) -> callback_kwargs, as in diffusers
StepEndCallback = Callable[[DiffusionPipeline, int, torch.Tensor, dict], dict]


def make_unet(
    image_size: int = 32, patch_size: int = 2, channels: tuple[int, ...] = (64, 128, 192), coord_channels: int = 2
) -> UNet2DConditionModel:
    """The embedded model's UNet, randomly initialised.

    Its input is the noisy patched picture plus `coord_channels` fixed coordinate maps (x, y in
    [-1, 1]): at high noise the picture says nothing about where things are, and the maps let the
    text-conditioned features paint a glyph's layout directly.
    """
    levels = len(channels)
    return UNet2DConditionModel(
        sample_size=image_size // patch_size,
        in_channels=3 * patch_size**2 + coord_channels,
        out_channels=3 * patch_size**2,
        block_out_channels=tuple(channels),
        layers_per_block=1,
        down_block_types=("DownBlock2D",) + ("CrossAttnDownBlock2D",) * (levels - 1),
        up_block_types=("CrossAttnUpBlock2D",) * (levels - 1) + ("UpBlock2D",),
        cross_attention_dim=384,
        attention_head_dim=32,
        class_embed_type="projection",
        projection_class_embeddings_input_dim=384,
        norm_num_groups=min(32, channels[0]),
    )


def make_scheduler() -> DPMSolverMultistepScheduler:
    """The sampler: DPM-Solver++ (2nd order) on the cosine schedule the UNet was trained on.

    With v-prediction the predicted sample stays bounded at the first, nearly pure-noise step,
    and dynamic thresholding keeps predicted pixels inside [-1, 1].
    """
    return DPMSolverMultistepScheduler(
        num_train_timesteps=1000,
        beta_schedule="squaredcos_cap_v2",
        prediction_type="v_prediction",
        algorithm_type="dpmsolver++",
        solver_order=2,
        thresholding=True,
        sample_max_value=1.0,
        dynamic_thresholding_ratio=0.995,
        timestep_spacing="trailing",
        lower_order_final=True,
    )


def add_coords(sample: torch.Tensor, coord_channels: int) -> torch.Tensor:
    """The sample with `coord_channels` (0 or 2) coordinate maps appended as channels."""
    if coord_channels == 0:
        return sample
    b, _, h, w = sample.shape
    ys = torch.linspace(-1, 1, h, device=sample.device, dtype=sample.dtype)
    xs = torch.linspace(-1, 1, w, device=sample.device, dtype=sample.dtype)
    grid = torch.stack(torch.meshgrid(ys, xs, indexing="ij"))[:coord_channels]
    return torch.cat([sample, grid.expand(b, -1, -1, -1)], dim=1)


def patchify(pixels: torch.Tensor, patch_size: int) -> torch.Tensor:
    return F.pixel_unshuffle(pixels, patch_size) if patch_size > 1 else pixels


def unpatchify(sample: torch.Tensor, patch_size: int) -> torch.Tensor:
    return F.pixel_shuffle(sample, patch_size) if patch_size > 1 else sample


def encode_with(encoder, prompts: list[str], max_tokens: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(pooled (B, 384), tokens (B, max_tokens, 384), mask (B, max_tokens)) from a SentenceTransformer."""
    outputs = encoder.encode(list(prompts), output_value=None, convert_to_numpy=False, show_progress_bar=False)
    pooled = torch.stack([o["sentence_embedding"].float().cpu() for o in outputs])
    tokens = torch.zeros(len(outputs), max_tokens, pooled.shape[-1])
    mask = torch.zeros(len(outputs), max_tokens)
    for i, o in enumerate(outputs):
        t = o["token_embeddings"][:max_tokens].float().cpu()
        tokens[i, : len(t)] = t
        mask[i, : len(t)] = 1.0
    return pooled, tokens, mask


class EmojiDiffusionPipeline(DiffusionPipeline):
    """Text-to-image and image-to-image for the embedded emoji model.

    Components: `unet` (UNet2DConditionModel) and `scheduler`. The text encoder is the shared,
    frozen all-MiniLM-L6-v2 from `models.text_encoder`, loaded on first use (it has its own
    package, so it is not saved with the pipeline).
    """

    model_cpu_offload_seq = "unet"

    def __init__(
        self,
        unet: UNet2DConditionModel,
        scheduler: DPMSolverMultistepScheduler,
        image_size: int = 32,
        patch_size: int = 2,
        max_tokens: int = 24,
        coord_channels: int | None = None,
    ):
        super().__init__()
        self.register_modules(unet=unet, scheduler=scheduler)
        if coord_channels is None:
            coord_channels = unet.config.in_channels - 3 * patch_size**2
        self.register_to_config(
            image_size=image_size, patch_size=patch_size, max_tokens=max_tokens, coord_channels=coord_channels
        )
        self._encoder = None
        self._num_timesteps = 0

    # -- text --------------------------------------------------------------------------------
    @property
    def text_encoder(self):
        if self._encoder is None:
            from models.text_encoder import load_sentence_encoder

            self._encoder = load_sentence_encoder()
        return self._encoder

    @torch.no_grad()
    def encode_prompt(self, prompts: list[str]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        pooled, tokens, mask = encode_with(self.text_encoder, prompts, self.config.max_tokens)
        dtype = self.unet.dtype
        return pooled.to(self.device, dtype), tokens.to(self.device, dtype), mask.to(self.device, dtype)

    # -- pictures ----------------------------------------------------------------------------
    def preprocess(self, image: PIL.Image.Image) -> torch.Tensor:
        """Any picture -> (1, 3, S, S) in [-1, 1]: flattened on white, centre-cropped, resized."""
        image = image.convert("RGBA")
        flat = PIL.Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, (0, 0), image)
        side = min(flat.size)
        left, top = (flat.width - side) // 2, (flat.height - side) // 2
        flat = flat.crop((left, top, left + side, top + side)).resize((self.config.image_size,) * 2, PIL.Image.LANCZOS)
        array = torch.from_numpy(np.asarray(flat).copy()).permute(2, 0, 1).float() / 127.5 - 1.0
        return array.unsqueeze(0)

    def postprocess(
        self, pixels: torch.Tensor, output_type: str, output_size: int | None
    ) -> list[PIL.Image.Image] | np.ndarray:
        array = ((pixels.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
        if output_type == "np":
            return array
        images = [PIL.Image.fromarray(a) for a in array]
        if output_size and output_size != self.config.image_size:
            images = [im.resize((output_size, output_size), PIL.Image.LANCZOS) for im in images]
        return images

    # -- sampling ----------------------------------------------------------------------------
    @torch.no_grad()
    def __call__(
        self,
        prompt: str | list[str],
        num_inference_steps: int = EMBEDDED_STEPS,
        guidance_scale: float = 3.0,
        num_images_per_prompt: int = 1,
        generator: torch.Generator | None = None,
        image: PIL.Image.Image | None = None,
        strength: float = 0.5,
        output_type: str = "pil",
        output_size: int | None = 256,
        callback_on_step_end: StepEndCallback | None = None,
        callback_on_step_end_tensor_inputs: tuple[str, ...] = ("latents",),
        return_dict: bool = True,
    ):
        prompts = [prompt] if isinstance(prompt, str) else list(prompt)
        if num_inference_steps < 1:
            raise ValueError(f"num_inference_steps must be at least 1, got {num_inference_steps}")
        if image is not None and not 0.0 < strength <= 1.0:
            raise ValueError(f"strength must be in (0, 1], got {strength}")
        prompts = [p for p in prompts for _ in range(num_images_per_prompt)]
        batch = len(prompts)
        patch = self.config.patch_size
        guided = guidance_scale > 1.0

        pooled, tokens, mask = self.encode_prompt(prompts + ([""] if guided else []))
        if guided:  # the unconditional embedding ("") is computed once and repeated
            pooled = torch.cat([pooled[-1:].expand(batch, -1), pooled[:-1]])
            tokens = torch.cat([tokens[-1:].expand(batch, -1, -1), tokens[:-1]])
            mask = torch.cat([mask[-1:].expand(batch, -1), mask[:-1]])

        self.scheduler.set_timesteps(num_inference_steps, device=self.device)
        timesteps = self.scheduler.timesteps
        size = self.config.image_size // patch
        shape = (batch, 3 * patch**2, size, size)
        noise = randn_tensor(shape, generator=generator, device=self.device, dtype=self.unet.dtype)
        if image is None:
            sample = noise * self.scheduler.init_noise_sigma
        else:
            start = num_inference_steps - min(num_inference_steps, max(1, round(num_inference_steps * strength)))
            timesteps = timesteps[start * self.scheduler.order :]
            if hasattr(self.scheduler, "set_begin_index"):
                self.scheduler.set_begin_index(start * self.scheduler.order)
            clean = patchify(self.preprocess(image).to(self.device, self.unet.dtype), patch).expand(batch, -1, -1, -1)
            sample = self.scheduler.add_noise(clean, noise, timesteps[:1].repeat(batch))

        self._num_timesteps = len(timesteps)
        with self.progress_bar(total=self._num_timesteps) as bar:
            for i, t in enumerate(timesteps):
                model_input = torch.cat([sample] * 2) if guided else sample
                model_input = add_coords(self.scheduler.scale_model_input(model_input, t), self.config.coord_channels)
                prediction = self.unet(
                    model_input, t, encoder_hidden_states=tokens, encoder_attention_mask=mask, class_labels=pooled
                ).sample
                if guided:
                    uncond, cond = prediction.chunk(2)
                    prediction = uncond + guidance_scale * (cond - uncond)
                sample = self.scheduler.step(prediction, t, sample).prev_sample
                if callback_on_step_end is not None:
                    tensors = {"latents": sample}
                    wanted = {name: tensors[name] for name in callback_on_step_end_tensor_inputs}
                    sample = callback_on_step_end(self, i, t, wanted).get("latents", sample)
                bar.update()

        images = self.postprocess(unpatchify(sample.float(), patch), output_type, output_size)
        if not return_dict:
            return (images,)
        return ImagePipelineOutput(images=images)

    @property
    def num_timesteps(self) -> int:
        """Steps of the latest call, as diffusers pipelines report it (img2img runs fewer)."""
        return self._num_timesteps
