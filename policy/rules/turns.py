"""Does a request start something new, or complete an earlier turn?

A short request after earlier turns is either a fragment that completes one of them ("in
lingerie", "even younger", "a diagram", "step by step") or a new subject of its own ("draw a
tree", "the sun"). Only a fragment is read together with the earlier turns, so a refusal does
not follow the user into every short request that comes after it.
"""

from __future__ import annotations

import re

from policy.names import FUNCTION_WORDS
from policy.rules.minors import is_sexual, mentions_minor
from policy.rules.text import fold_text

# A short request after earlier turns is either a fragment that completes one of them ("in
# lingerie", "even younger", "a diagram", "step by step") or a new subject of its own ("draw a
# tree", "the sun"). Only a fragment is read together with the earlier turns, so a refusal does
# not follow the user into every short request that comes after it.

# Words that frame a request without saying what it is of: "please can you draw me ...",
# "I would love to see ...", "a picture of ...".
_REQUEST_FRAME = re.compile(
    r"^(?:(?:please|pls|plz|kindly|ok|okay|so|hey|hi|can|could|would|will|you|u|i|id|d|we|want|wanna|like|love|"
    r"to|see|show|me|us|give|get|make|create|generate|draw|paint|sketch|render|illustrate|design|produce|do|just)\b ?)+"
)
_DEPICTION_OF = re.compile(
    r"\b(?:an? |the |some )?(?:picture|drawing|image|painting|photo|photograph|sketch|illustration|rendering|"
    r"render|pic|art|artwork|doodle|cartoon|emoji|icon) of\b"
)
_DRAWING_VERB = re.compile(r"\b(?:draw|paint|sketch|render|illustrate|doodle|show me|create|generate|make me)\b")
_DETERMINERS = frozenset(
    "a an the some one two three four five six seven eight nine ten few many several my our your".split()
)
# A first word like these attaches the rest to something said before: "in a bikini", "with
# labels", "even younger", "but bloodier", "at night".
_FRAGMENT_START = frozenset(
    "in into inside with without wearing but and or plus minus only even more less much very so too than as like "
    "at on under over behind near by from for about around while during after before until instead "
    "same younger older smaller bigger taller shorter thinner fatter darker lighter".split()
)
# The form of a depiction, not its subject: "a diagram" or "a detailed one" says nothing on its own.
_FORM_WORDS = frozenset(
    "diagram diagrams blueprint blueprints schematic schematics plan plans chart infographic guide guides manual "
    "recipe recipes instructions instruction tutorial tutorials steps step by how to version versions one ones "
    "picture pictures drawing image images photo photos photograph painting sketch illustration close closeup up "
    "cross section cutaway view angle poster flyer leaflet label labels labelled labeled detailed detail details "
    "realistic photorealistic real simple clear exact accurate full complete working better bigger smaller "
    "new different other cartoon style kind sort of again same ingredients ingredient materials parts components "
    "supplies list card sheet page amounts quantities measurements equipment tools setup process method procedure "
    "formula".split()
)
# Words that describe a person who was named before rather than a subject of their own.
_ATTACHED_TO_A_PERSON = re.compile(
    r"\b(?:bikinis?|swimsuits?|swimwear|bathing suits?|lingerie|underwear|bras?|panties|thongs?|stockings|"
    r"outfits?|costumes?|dress|dresses|skirts?|shorts|pose|poses|posing|body|bodies|legs|chest|breasts?|butt|"
    r"bedroom|bed|shower|bath|bathtub|younger|youthful|childlike|age|aged)\b"
)


def _described(folded: str) -> list[str]:
    """The words after the request's frame ("please draw me a picture of ...")."""
    return _REQUEST_FRAME.sub("", _DEPICTION_OF.sub(" ", folded).strip()).split()


# "getting changed after the game", "showering after practice": a verb with no subject of its
# own, so its subject is whoever the conversation was about.
_SUBJECTLESS_VERB = re.compile(r"^(?:(?:now|then|and|also|just|next) )*[a-z]{2,}ing\b")


def starts_without_subject(text: str) -> bool:
    return bool(_SUBJECTLESS_VERB.match(fold_text(text)))


def is_fragment(text: str) -> bool:
    """Does the request only complete something said before, at any length: it starts with a
    word that attaches it ("with her shirt off", "in the style of a manual") or names no subject,
    only the form of a depiction ("a step by step version", "the ingredients")?"""
    described = _described(fold_text(text).strip())
    if not described or described[0] in _FRAGMENT_START:
        return True
    return not [w for w in described if w not in _DETERMINERS and w not in _FORM_WORDS and w not in FUNCTION_WORDS]


def names_a_new_subject(text: str) -> bool:
    """Does a short request name a subject of its own ("draw a tree", "the sun", "a red apple"),
    rather than a fragment that completes an earlier turn? Sexual or age words, and words
    worn by or describing a person, always read as completing one: minors get the strongest
    protection, and "a bikini" after "a little girl" is not a new subject."""
    folded = fold_text(text).strip()
    if not folded or is_sexual([text]) or mentions_minor([text]):
        return False
    if _ATTACHED_TO_A_PERSON.search(folded) or is_fragment(text):
        return False
    described = _described(folded)
    return described[0] in _DETERMINERS or bool(_DRAWING_VERB.search(folded))
