"""One image backend for the chat: the embedded model and real hub presets behind one interface.

    backend = ImageBackend.from_preset("embedded", cache_dir)
    picture = backend.generate("a cat face on a blue background", seed=3)
    edited = backend.refine(picture.image, "a cat face on a red background", strength=0.5)

Presets:

- `embedded` (default): the small emoji model trained here and shipped in `models/embedded/`.
- `sd-turbo`, `sdxl-turbo`, `flux-schnell`: text-to-image hub models (`AutoPipelineForText2Image`;
  refinement reuses their components through `AutoPipelineForImage2Image.from_pipe`).
- `instruct-pix2pix`: instruction edits (`refine` only).
- a local folder: an embedded-model folder (its `model_index.json` names
  `EmojiDiffusionPipeline`) or any diffusers pipeline folder, loaded like a hub preset.

Hub pipelines load lazily on first use, in fp16 on CUDA and fp32 on CPU, and only one large
pipeline is resident at a time: loading another one drops the previous one first.

Every request is validated before any work: an empty prompt, a step count below 1, a strength
outside (0, 1] or a negative guidance raise `ImageRequestError` (a `ValueError`) with a message
meant for the person who asked. `load_upload` turns an uploaded file into a picture or raises
`ImageInputError` (unreadable, unsupported, truncated, or too many pixels).
"""

from __future__ import annotations

import gc
import io
import secrets
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import PIL.Image
import PIL.ImageOps
import torch

from models import EMBEDDED_DIR, EMBEDDED_STEPS
from models.loading import WEIGHTS_LOCK

ProgressCallback = Callable[[int, int], None]
DEFAULT_STEPS = EMBEDDED_STEPS
DEFAULT_GUIDANCE = 3.0  # the embedded model's classifier-free guidance scale


class ImageRequestError(ValueError):
    """A generation request that cannot be served as asked (empty prompt, zero steps, ...)."""


class ImageInputError(ValueError):
    """An uploaded picture that cannot be used (unreadable, unsupported, too large)."""


class UnknownSubjectError(ImageRequestError):
    """The embedded model knows nothing the request names; `suggestions` are the closest
    concepts it can draw (as short requests, e.g. "a dog")."""

    def __init__(self, message: str, suggestions: list[str]):
        super().__init__(message)
        self.suggestions = suggestions


@dataclass
class GeneratedImage:
    image: PIL.Image.Image
    prompt: str
    seed: int
    model: str
    steps: int
    strength: float | None
    seconds: float
    concept: str | None = None  # what the embedded model drew, e.g. "🐕 dog" (its concept resolver's choice)
    left_out: str | None = None  # one sentence on what the picture does not show, and why
    scene: object | None = None  # a composed picture's subjects and background (models.scene_edits.Scene)


@dataclass(frozen=True)
class HubPreset:
    repo: str
    task: str  # "text2img" or "edit"
    steps: int
    guidance: float
    size: int


HUB_PRESETS: dict[str, HubPreset] = {
    "sd-turbo": HubPreset("stabilityai/sd-turbo", "text2img", steps=1, guidance=0.0, size=512),
    "sdxl-turbo": HubPreset("stabilityai/sdxl-turbo", "text2img", steps=1, guidance=0.0, size=512),
    "flux-schnell": HubPreset("black-forest-labs/FLUX.1-schnell", "text2img", steps=4, guidance=0.0, size=768),
    "instruct-pix2pix": HubPreset("timbrooks/instruct-pix2pix", "edit", steps=10, guidance=7.0, size=512),
}
PRESET_NAMES = ["embedded", *HUB_PRESETS]

# ---------------------------------------------------------------------------------------------
# validation


def check_prompt(prompt: str) -> str:
    if not isinstance(prompt, str) or not prompt.strip():
        raise ImageRequestError("The picture needs a description: the prompt is empty.")
    return prompt.strip()


def check_steps(steps: int) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ImageRequestError(f"The number of steps must be a whole number of at least 1 (got {steps!r}).")
    if steps > 200:
        raise ImageRequestError(f"At most 200 steps are allowed (got {steps}).")
    return steps


def check_strength(strength: float) -> float:
    if not isinstance(strength, (int, float)) or isinstance(strength, bool) or not 0.0 < float(strength) <= 1.0:
        raise ImageRequestError(f"The strength of a refinement must be above 0 and at most 1 (got {strength!r}).")
    return float(strength)


def check_guidance(guidance: float) -> float:
    if not isinstance(guidance, (int, float)) or isinstance(guidance, bool) or not 0.0 <= float(guidance) <= 30.0:
        raise ImageRequestError(f"The guidance scale must be between 0 and 30 (got {guidance!r}).")
    return float(guidance)


def check_size(size: int | None, largest: int = 2048) -> int | None:
    if size is None:
        return None
    if isinstance(size, bool) or not isinstance(size, int) or not 16 <= size <= largest:
        raise ImageRequestError(f"The picture size must be between 16 and {largest} pixels (got {size!r}).")
    return size


def _seed(seed: int | None) -> int:
    if seed is None:
        return secrets.randbelow(2**31)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ImageRequestError(f"The seed must be a non-negative whole number (got {seed!r}).")
    return seed


# ---------------------------------------------------------------------------------------------
# uploads

ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP", "GIF", "BMP"}
MAX_UPLOAD_BYTES = 25 * 1024 * 1024


# Uploads are kept at most this many pixels a side.
UPLOAD_WORKING_SIDE = 1024


def load_upload(
    path_or_bytes: str | Path | bytes, max_pixels: int = 4096 * 4096, working_side: int = UPLOAD_WORKING_SIDE
) -> PIL.Image.Image:
    """An uploaded picture as RGB, scaled down to at most `working_side` pixels a side (an edit of
    a 4096x4096 photo cost 18 s; every model here works at 1024 px or less), or `ImageInputError`
    saying plainly why it cannot be used."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(path_or_bytes)
    else:
        path = Path(path_or_bytes)
        if not path.is_file():
            raise ImageInputError("The picture could not be found on the server.")
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise ImageInputError(
                f"The picture is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; please upload a smaller one."
            )
        data = path.read_bytes()
    if not data:
        raise ImageInputError("The uploaded file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageInputError(
            f"The picture is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; please upload a smaller one."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PIL.Image.DecompressionBombWarning)
            image = PIL.Image.open(io.BytesIO(data))  # reads the header only
            if image.format not in ALLOWED_FORMATS:
                raise ImageInputError(
                    f"Pictures in {image.format or 'this'} format are not supported; use PNG, JPEG, WebP, GIF or BMP."
                )
            width, height = image.size
            if width < 1 or height < 1 or width * height > max_pixels:
                raise ImageInputError(
                    f"The picture is {width}x{height} pixels, more than the {max_pixels:,} pixels allowed; please upload a smaller one."
                )
            image.draft("RGB", (working_side, working_side))  # a JPEG decodes at a fraction of its size
            image.load()
            image = PIL.ImageOps.exif_transpose(image)
            image.thumbnail((working_side, working_side), PIL.Image.Resampling.LANCZOS)
    except ImageInputError:
        raise
    except (PIL.Image.DecompressionBombError, PIL.Image.DecompressionBombWarning) as error:
        raise ImageInputError(
            "The picture has far too many pixels to open safely; please upload a smaller one."
        ) from error
    except PIL.UnidentifiedImageError as error:
        raise ImageInputError(
            "The uploaded file is not a picture that can be read (corrupt or not an image)."
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageInputError(f"The picture could not be read (it may be truncated or corrupt): {error}") from error
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        flat = PIL.Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, (0, 0), rgba)
        return flat
    return image.convert("RGB")


# ---------------------------------------------------------------------------------------------
# loading


class _ResidentPipeline:
    """At most one large (hub) pipeline in memory, shared by every backend of the process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.key: tuple | None = None
        self.pipe = None

    def get(self, key: tuple, load: Callable[[], object]):
        with self.lock:
            if self.key != key:
                self.key, self.pipe = None, None
                gc.collect()
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
                self.pipe = load()
                self.key = key
            return self.pipe


RESIDENT = _ResidentPipeline()


def device_and_dtype() -> tuple[str, torch.dtype]:
    return ("cuda", torch.float16) if torch.cuda.is_available() else ("cpu", torch.float32)


def load_hub_pipeline(source: str | Path, task: str, cache_dir: Path | None = None):
    """A diffusers pipeline from a hub id or a local folder, for text2img or instruction edits."""
    from diffusers import AutoPipelineForText2Image, DiffusionPipeline

    device, dtype = device_and_dtype()
    kwargs = {"dtype": dtype}
    if cache_dir is not None and not Path(str(source)).is_dir():
        kwargs["cache_dir"] = str(cache_dir)
    with WEIGHTS_LOCK:
        if task == "edit":
            pipe = DiffusionPipeline.from_pretrained(str(source), **kwargs)
        else:
            pipe = AutoPipelineForText2Image.from_pretrained(str(source), **kwargs)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def _is_embedded_folder(path: Path) -> bool:
    index = path / "model_index.json"
    return index.is_file() and '"EmojiDiffusionPipeline"' in index.read_text()


# ---------------------------------------------------------------------------------------------
# the backend


class ImageBackend:
    """Text-to-image and refinement through one preset (see the module docstring)."""

    def __init__(
        self, name: str, source: str | Path, kind: str, cache_dir: Path | None = None, preset: HubPreset | None = None
    ):
        self.name = name
        self.source = source
        self.kind = kind  # "embedded" or "hub"
        self.cache_dir = cache_dir
        self.preset = preset or HubPreset(
            str(source), "text2img", steps=DEFAULT_STEPS, guidance=DEFAULT_GUIDANCE, size=256
        )
        self._embedded = None
        self._concepts = None  # the embedded model's concept index (None: a model without one)
        self._upscaler = None  # its super-resolution stage (None: LANCZOS only)
        self._lock = threading.Lock()
        # A diffusers scheduler keeps its position in the sampling loop on itself, so two
        # sessions sampling through one pipeline at once would corrupt each other's loop.
        self._sampling = threading.Lock()

    @classmethod
    def from_preset(cls, preset: str, cache_dir: Path | None = None) -> ImageBackend:
        """'embedded' | 'sd-turbo' | 'sdxl-turbo' | 'flux-schnell' | 'instruct-pix2pix' | a hub id | a local folder."""
        preset = (preset or "embedded").strip()
        if preset == "embedded":
            return cls("embedded", EMBEDDED_DIR, "embedded", cache_dir)
        if preset in HUB_PRESETS:
            return cls(preset, HUB_PRESETS[preset].repo, "hub", cache_dir, HUB_PRESETS[preset])
        for name, hub in HUB_PRESETS.items():
            if preset == hub.repo:
                return cls(name, hub.repo, "hub", cache_dir, hub)
        path = Path(preset).expanduser()
        if path.is_dir():
            if _is_embedded_folder(path):
                return cls(str(path), path, "embedded", cache_dir)
            return cls(str(path), path, "hub", cache_dir)
        raise ImageRequestError(
            f"Unknown image model {preset!r}: use one of {', '.join(PRESET_NAMES)}, a hub id, or a local pipeline folder."
        )

    # -- loading -----------------------------------------------------------------------------
    def embedded_pipeline(self):
        with self._lock:
            if self._embedded is None:
                from models.emoji_pipeline import EmojiDiffusionPipeline

                if not (Path(self.source) / "model_index.json").is_file():
                    raise FileNotFoundError(f"No embedded image model at {self.source}; run `easel train image-model`.")
                with WEIGHTS_LOCK:
                    pipe = EmojiDiffusionPipeline.from_pretrained(self.source)
                pipe.set_progress_bar_config(disable=True)
                device, _ = device_and_dtype()
                self._concepts = load_concept_index(Path(self.source), pipe)
                self._upscaler = load_upscaler(Path(self.source), device)
                self._embedded = pipe.to(device)
            return self._embedded

    def native_size(self) -> int:
        """The size a picture is made at before any display resizing: the embedded model's
        upscaler output (or its sample size without one), a hub preset's size."""
        if self.kind != "embedded":
            return self.preset.size
        pipe = self.embedded_pipeline()
        return pipe.config.image_size * (self._upscaler.config.scale if self._upscaler is not None else 1)

    def concept_index(self):
        """The embedded model's concepts (models.concepts.ConceptIndex), or None."""
        self.embedded_pipeline()
        return self._concepts

    def resolve(self, prompt: str):
        """The embedded model's reading of a request (a models.concepts.Resolution; a
        models.scenes.SceneRequest when it names its subjects by name), or None when the model
        has no concept index (it then reads the prompt as it is)."""
        from models.scenes import read_scene

        index = self.concept_index() if self.kind == "embedded" else None
        if index is None:
            return None
        return read_scene(index, prompt) or index.resolve(prompt)

    def _draw_embedded(self, prompt: str, size: int, *, strict: bool, **call) -> GeneratedImage:
        """Resolve the request, sample 32 px, upscale: the embedded model's two stages. A
        scene (several subjects, a setting, a colour) is drawn a subject at a time and composed
        (`_draw_scene`). Returns a partial GeneratedImage: image, concept, left_out, scene."""
        pipe = self.embedded_pipeline()
        resolution = self.resolve(prompt)
        caption, concept, left_out = prompt, None, None
        if resolution is not None and resolution.resolved:
            caption, concept = resolution.caption(), resolution.describe()
            left_out = getattr(resolution, "left_out_sentence", lambda: None)()
            if strict and getattr(resolution, "composed", False):
                scene = self._draw_scene(pipe, resolution, size, call)
                return GeneratedImage(scene.render(), prompt, 0, self.name, 0, None, 0.0, concept, left_out, scene)
        elif resolution is not None and strict:
            raise UnknownSubjectError(
                unknown_subject_message(resolution, len(self._concepts)),
                [article_for(c.name) for c in resolution.suggestions],
            )
        with self._sampling:
            small = pipe(caption, output_type="np", output_size=None, **call).images[0]
        return GeneratedImage(
            to_display(small, size, self._upscaler), prompt, 0, self.name, 0, None, 0.0, concept, left_out
        )

    def _draw_scene(self, pipe, request, size: int, call: dict):
        """Each subject drawn alone on white (one batched call), cut out, and laid out with its
        colour on the setting's background (models/scenes.py)."""
        import numpy as np

        from models.scene_edits import Layer, NotSegmentable, segment
        from models.scenes import compose

        concepts = list(dict.fromkeys(s.concept for s in request.subjects))

        def sample(captions: list[str]) -> list[PIL.Image.Image]:
            with self._sampling:
                smalls = pipe(captions, output_type="np", output_size=None, **call).images
            if self._upscaler is not None:
                smalls = self._upscaler.upscale(np.asarray(smalls))
            return [PIL.Image.fromarray(np.asarray(s)) for s in smalls]

        def cut_out(picture: PIL.Image.Image, name: str):
            try:
                layers = segment(picture, name=name).layers
            except NotSegmentable:
                return None
            return layers[0] if layers and layers[0].sprite[..., 3].mean() > 0.03 else None

        pictures = sample([article_for(c.name) for c in concepts])
        sprites = {c: cut_out(p, c.name) for c, p in zip(concepts, pictures, strict=True)}
        missing = [c for c, layer in sprites.items() if layer is None]
        if missing:  # a white subject on white (a cloud, a ghost): again on a coloured background
            call = {k: v for k, v in call.items() if k != "callback_on_step_end"}
            again = sample([f"{article_for(c.name)} on a blue background" for c in missing])
            for c, picture in zip(missing, again, strict=True):
                sprites[c] = cut_out(picture, c.name)
                if sprites[c] is None:  # the whole drawing, rather than nothing
                    rgba = np.concatenate(
                        [np.asarray(picture, np.float32), np.ones((*picture.size[::-1], 1), np.float32)], -1
                    )
                    sprites[c] = Layer(rgba, cx=picture.width / 2, cy=picture.height / 2, name=c.name)
        seed = call.get("generator").initial_seed() if call.get("generator") is not None else 0
        return compose(request, [sprites[s.concept] for s in request.subjects], (size, size), seed=seed)

    def hub_pipeline(self):
        if not Path(str(self.source)).is_dir():
            from models.hub_download import download_problem

            # Say at once when the weights are not here and cannot be fetched, not after timeouts.
            problem = download_problem(self.name, str(self.source), self.cache_dir)
            if problem:
                raise ImageRequestError(problem)
        return RESIDENT.get(
            (str(self.source), self.preset.task),
            lambda: load_hub_pipeline(self.source, self.preset.task, self.cache_dir),
        )

    # -- requests ----------------------------------------------------------------------------
    def generate(
        self,
        prompt: str,
        *,
        seed: int | None = None,
        steps: int | None = None,
        guidance: float | None = None,
        size: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> GeneratedImage:
        prompt = check_prompt(prompt)
        steps = check_steps(self.preset.steps if steps is None else steps)
        guidance = check_guidance(self.preset.guidance if guidance is None else guidance)
        size = check_size(size)
        seed = _seed(seed)
        started = time.perf_counter()
        if self.kind == "embedded":
            drawn = self._draw_embedded(
                prompt,
                size or 256,
                strict=True,
                num_inference_steps=steps,
                guidance_scale=guidance,
                generator=torch.Generator().manual_seed(seed),
                **_step_callback(progress),
            )
            return GeneratedImage(
                drawn.image,
                prompt,
                seed,
                self.name,
                steps,
                None,
                time.perf_counter() - started,
                drawn.concept,
                drawn.left_out,
                drawn.scene,
            )
        else:
            if self.preset.task == "edit":
                raise ImageRequestError(f"{self.name} edits pictures; it cannot draw one from a description alone.")
            pipe = self.hub_pipeline()
            size = size or self.preset.size
            with self._sampling:
                image = pipe(
                    prompt=prompt,
                    num_inference_steps=steps,
                    guidance_scale=guidance,
                    height=size,
                    width=size,
                    generator=torch.Generator(pipe.device).manual_seed(seed),
                    **_step_callback(progress, steps),
                ).images[0]
        return GeneratedImage(image, prompt, seed, self.name, steps, None, time.perf_counter() - started)

    def generate_many(self, prompt: str, count: int, *, seed: int | None = None, **options) -> list[GeneratedImage]:
        """`count` pictures for one prompt, seeds `seed`, `seed + 1`, ... (each reproducible alone)."""
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 16:
            raise ImageRequestError(f"Between 1 and 16 pictures can be made at once (got {count!r}).")
        first = _seed(seed)
        return [self.generate(prompt, seed=first + k, **options) for k in range(count)]

    def refine(
        self,
        image: PIL.Image.Image,
        prompt: str,
        *,
        strength: float = 0.5,
        seed: int | None = None,
        steps: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> GeneratedImage:
        """Image-to-image from any picture (or an instruction edit for `instruct-pix2pix`)."""
        if not isinstance(image, PIL.Image.Image):
            raise ImageInputError("Refinement needs a picture to start from.")
        prompt = check_prompt(prompt)
        strength = check_strength(strength)
        steps = check_steps(self.preset.steps if steps is None else steps)
        seed = _seed(seed)
        started = time.perf_counter()
        if self.kind == "embedded":
            # A refinement keeps its picture even when the words name nothing the model knows.
            drawn = self._draw_embedded(
                prompt,
                max(256, min(image.size)),
                strict=False,
                image=image,
                strength=strength,
                num_inference_steps=steps,
                guidance_scale=self.preset.guidance,
                generator=torch.Generator().manual_seed(seed),
                **_step_callback(progress),
            )
            return GeneratedImage(
                drawn.image, prompt, seed, self.name, steps, strength, time.perf_counter() - started, drawn.concept
            )
        pipe = self.hub_pipeline()
        generator = torch.Generator(pipe.device).manual_seed(seed)
        source = image.convert("RGB").resize((self.preset.size, self.preset.size), PIL.Image.LANCZOS)
        if self.preset.task == "edit":
            # Instruction edits have no strength: a lower strength keeps more of the picture.
            with self._sampling:
                out = pipe(
                    prompt=prompt,
                    image=source,
                    num_inference_steps=steps,
                    guidance_scale=self.preset.guidance,
                    image_guidance_scale=1.0 + 1.5 * (1.0 - strength),
                    generator=generator,
                    **_step_callback(progress, steps),
                ).images[0]
        else:
            from diffusers import AutoPipelineForImage2Image

            img2img = AutoPipelineForImage2Image.from_pipe(pipe)  # shares the loaded weights
            steps = max(steps, int(1 / strength + 0.999))  # turbo models need steps * strength >= 1
            with self._sampling:
                out = img2img(
                    prompt=prompt,
                    image=source,
                    strength=strength,
                    num_inference_steps=steps,
                    guidance_scale=self.preset.guidance,
                    generator=generator,
                    **_step_callback(progress, max(1, int(steps * strength))),
                ).images[0]
        return GeneratedImage(out, prompt, seed, self.name, steps, strength, time.perf_counter() - started)


# ---------------------------------------------------------------------------------------------
# the embedded model's concept resolver and super-resolution stage


def load_concept_index(folder: Path, pipe=None):
    """The concept index saved with an embedded model (sharing the pipeline's text encoder)."""
    from models.concepts import ConceptIndex

    return ConceptIndex.from_folder(folder, encoder=pipe.text_encoder if pipe is not None else None)


def load_upscaler(folder: Path, device: str = "cpu"):
    """The embedded model's 32 -> 128 px stage, when it ships one (`folder/upscaler`)."""
    if not (Path(folder) / "upscaler" / "config.json").is_file():
        return None
    from models.emoji_upscaler import EmojiUpscaler

    with WEIGHTS_LOCK:
        return EmojiUpscaler.from_pretrained(Path(folder) / "upscaler").to(device).eval()


def to_display(small, size: int, upscaler=None) -> PIL.Image.Image:
    """A (S, S, 3) uint8 sample as a `size` px picture: the upscaler's 4x output (then LANCZOS
    to the exact size), or LANCZOS alone for a model without one."""
    import numpy as np

    if upscaler is not None:
        small = upscaler.upscale(np.asarray(small)[None])[0]
    picture = PIL.Image.fromarray(np.asarray(small))
    return picture if picture.size[0] == size else picture.resize((size, size), PIL.Image.LANCZOS)


def article_for(name: str) -> str:
    from models.emoji_data import article

    return article(name)


def unknown_subject_message(resolution, known: int) -> str:
    """What the user is told when a request names nothing the embedded model can draw."""
    asked = " ".join(resolution.unused) or resolution.request.strip()
    options = ", ".join(f"{c.emoji} {article_for(c.name)}" for c in resolution.suggestions)
    text = (
        f"The built-in image model can't draw '{asked}': it knows {known:,} emoji-style subjects "
        "(animals, food, plants, weather, vehicles, buildings, objects, faces, symbols) and nothing else."
    )
    return text + (f" The closest things it can draw: {options}." if options else "")


def _step_callback(progress: ProgressCallback | None, total: int | None = None) -> dict:
    """diffusers' `callback_on_step_end`, reporting (done, total) steps; the total is the
    pipeline's own count of this call's steps where it keeps one, else `total`."""
    if progress is None:
        return {}

    def on_step_end(pipe, step, timestep, callback_kwargs):
        progress(step + 1, getattr(pipe, "num_timesteps", None) or total or step + 1)
        return callback_kwargs

    return {"callback_on_step_end": on_step_end}
