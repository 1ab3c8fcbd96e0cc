"""What a session may choose on the settings panel, checked on the server.

The panel's controls are only a client: anything can arrive through the HTTP API. So the image
model must be one the deployment offers (a drawing preset, `EASEL_IMAGE_MODEL`, or what
`EASEL_IMAGE_MODEL_CHOICES` lists), never a string that would make the server load an arbitrary
folder or try to download a hub id; a hub preset this machine cannot download is refused at once,
saying why. Steps, seed and size are kept within the panel's own ranges.
"""

from __future__ import annotations

from pathlib import Path

from chat.session import ChatSession
from models.image_backend import HUB_PRESETS

STEP_RANGE = (1, 50)
SIZES = (128, 256, 512)
MAX_SEED = 2**31 - 1
UNDER_18_AGE = 15  # what "under-18 mode" tells the policy agent when the user switches it on


def drawing_presets() -> list[str]:
    """The presets that draw from a description (instruct-pix2pix only edits, so it is not one)."""
    return ["embedded", *(name for name, preset in HUB_PRESETS.items() if preset.task == "text2img")]


def image_model_choices(settings) -> list[str]:
    """The image models a user of this deployment may pick."""
    if settings.image_model_choices:
        choices = [c.strip() for c in settings.image_model_choices.split(",") if c.strip()]
    else:
        choices = drawing_presets()
    if settings.image_model and settings.image_model not in choices:
        choices.insert(0, settings.image_model)
    return choices


def image_model_options(settings) -> tuple[list[tuple[str, str]], str]:
    """The image model control's options as (label, value), and the line shown under it.

    A model this server cannot run now (a hub preset whose weights are not cached, on a server
    that cannot download them) stays listed, marked "unavailable", and the line under the control
    says why in plain words: a list of only some presets would hide that they exist, and one that
    offers them plainly would let people pick a model that is then not used."""
    options, reasons = [], []
    for name in image_model_choices(settings):
        why = None if name in (settings.image_model, "embedded") else _unusable(name, settings)
        options.append((f"{name} (unavailable here)" if why else name, name))
        if why:
            reasons.append(name)
    info = "The model used for your pictures."
    if reasons:
        from models.hub_download import hub_unreachable

        info += (
            f" Unavailable here: {', '.join(reasons)}: their weights are not on this server and "
            f"{hub_unreachable() or 'cannot be downloaded'}."
        )
    return options, info


def _unusable(name: str, settings) -> str | None:
    if name in HUB_PRESETS:
        from models.hub_download import download_problem

        return download_problem(name, HUB_PRESETS[name].repo, settings.model_cache_dir)
    return None


def image_model_problem(name: str, settings) -> str | None:
    """None when `name` may draw this session's pictures, else a sentence saying why not."""
    choices = image_model_choices(settings)
    if name not in choices:
        if name in HUB_PRESETS and HUB_PRESETS[name].task != "text2img":
            return (
                f"'{name}' edits pictures; it cannot draw one from a description, so it is not offered as an "
                f"image model. Pick one of: {', '.join(choices)}."
            )
        return f"'{name}' is not an image model of this deployment. Pick one of: {', '.join(choices)}."
    if name in HUB_PRESETS:
        from models.hub_download import download_problem

        return download_problem(name, HUB_PRESETS[name].repo, settings.model_cache_dir)
    if name != "embedded" and name != settings.image_model and not Path(name).expanduser().is_dir():
        return f"The image model folder '{name}' does not exist on this server."
    return None


def apply_preferences(settings, session: ChatSession, model, steps, seed_locked, seed, size, under_18) -> str:
    """Take the panel's values into the session after checking each; returns a note for the page
    (empty when everything was taken). A refused value leaves the session's earlier choice."""
    notes = []
    model = model if isinstance(model, str) else None
    if model and model != settings.image_model:
        problem = image_model_problem(model, settings)
        if problem:
            notes.append(problem)
        else:
            session.preferences.model = model
    else:
        session.preferences.model = None  # the deployment's default
    session.preferences.steps = _whole(steps, *STEP_RANGE, notes, "Steps")
    locked_seed = _whole(seed, 0, MAX_SEED, notes, "The seed") if seed_locked is True else None
    session.preferences.seed = locked_seed
    if size is None or size == "":
        session.preferences.size = None
    elif not isinstance(size, bool) and isinstance(size, (int, float)) and size in SIZES:
        session.preferences.size = int(size)
    else:
        session.preferences.size = None
        notes.append(f"The picture size must be one of {', '.join(map(str, SIZES))} pixels.")
    minor_deployment = settings.user_age is not None and settings.user_age < 18
    if minor_deployment:
        session.user_age = settings.user_age  # the operator's setting cannot be switched off
    elif settings.allow_session_age:
        session.user_age = UNDER_18_AGE if under_18 is True else settings.user_age
    else:
        session.user_age = settings.user_age
    return "\n\n".join(f"⚠️ {note}" for note in notes)


def _whole(value, low: int, high: int, notes: list[str], what: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        notes.append(f"{what} must be a number.")
        return None
    if not low <= value <= high:
        notes.append(f"{what} must be between {low} and {high}.")
        return None
    return int(value)
