"""The one-click "Try instead" of a refusal: something the image model can actually draw.

The policy's Decision offers an allowed alternative (`policy/categories.yaml`, or the request
with the name replaced for an opt-out). Clicked, it is drawn directly, through the policy gate
like any request. Some alternatives are written as advice ("a tense scene that implies danger
without graphic injuries"), which a hub model can draw but the embedded emoji model cannot
read: its concept resolver finds no subject in them. For that model the page offers a stand-in
in the same spirit that it can draw instead, and the button says what will be drawn.
"""

from __future__ import annotations

# A drawable stand-in per refusal category, for image models that cannot read the policy's
# alternative as written. Each is an everyday subject the embedded model knows and the policy
# allows (tests/test_alternatives.py checks both).
STAND_INS: dict[str, str] = {
    "optout_person": "a person waving",
    "sexual_minors": "a teddy bear",
    "sexualized_real_person": "a person in a tuxedo",
    "sexual_upload": "a person in a tuxedo",
    "ncii_nonconsensual": "a padlock",
    "deceptive_real_person": "a newspaper",
    "graphic_gore": "a friendly ghost",
    "self_harm": "a hugging face",
    "weapons_crime_instructions": "a shield",
    "violent_harm": "a dove",
    "glorified_perpetrator": "a candle",
    "drugs_illegal_goods": "a hospital",
    "hate": "a handshake",
    "suggestive_for_minor_users": "a dress",
    "gore_for_minor_users": "a friendly ghost",
}
# Decisions whose "alternative" is not a picture at all: nothing to offer.
NO_ALTERNATIVE = {"policy_error", "prompt_injection"}


def can_draw(studio, session, prompt: str) -> bool:
    """Whether the session's image model can draw this prompt as written (a model without a
    concept resolver, such as a hub model, reads any description)."""
    generator = studio._generator(session)
    resolve = getattr(generator, "resolve", None)
    try:
        resolution = resolve(prompt) if resolve is not None else None
    except Exception:  # a model that cannot load says so when asked to draw, not here
        return True
    return resolution is None or resolution.resolved


def drawable_alternative(studio, session, decision) -> str | None:
    """What the refusal's "Try instead" button draws: the policy's alternative when the image
    model can draw it, else the category's stand-in, else nothing."""
    if decision is None or decision.allowed or decision.category in NO_ALTERNATIVE:
        return None
    candidates = [decision.alternative, STAND_INS.get(decision.category)]
    for prompt in candidates:
        if prompt and (studio is None or can_draw(studio, session, prompt)):
            return prompt
    return None
