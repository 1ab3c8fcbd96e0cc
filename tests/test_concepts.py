"""The embedded model's concepts and its request resolver (models/concepts.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.concepts import COMMON_NAMES, ConceptIndex, build_index, key
from models.emoji_data import EmojiCatalog, EmojiScenes, is_text_glyph

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache" / "image_data"
EMBEDDED = REPO / "models" / "embedded"


@pytest.fixture(scope="module")
def catalog() -> EmojiCatalog:
    return EmojiCatalog.build(CACHE)


@pytest.fixture(scope="module")
def names_only(catalog) -> ConceptIndex:
    """Every drawable concept, names and keywords only (no sentence embeddings)."""
    return build_index(catalog, catalog.drawable_concepts())


# The first shipped model (300 concepts) had no concept index; these run once the model with
# one is shipped in models/embedded.
needs_index = pytest.mark.skipif(
    not (EMBEDDED / "concepts.json").is_file(), reason="the shipped model has no concept index"
)


@pytest.fixture(scope="module")
def shipped() -> ConceptIndex:
    index = ConceptIndex.from_folder(EMBEDDED)
    assert index is not None, "the shipped model has no concept index"
    return index


def test_drawable_concepts_are_every_single_emoji_that_is_not_text(catalog):
    drawable = catalog.drawable_concepts()
    singles = [i for i, g in enumerate(catalog.glyphs) if len(g.emoji.replace("\ufe0f", "")) == 1]
    assert 1300 <= len(drawable) <= len(singles) == 1377
    names = {catalog.glyphs[i].name for i in drawable}
    assert {"dog", "house", "sun", "pizza", "deciduous tree", "automobile", "grinning face", "red heart"} <= names
    assert "cool button" not in names and "japanese here button" not in names and "keycap 10" not in names
    assert is_text_glyph("ab button (blood type)") and not is_text_glyph("stop sign")


def test_common_names_point_at_real_concepts(names_only):
    for word, name in COMMON_NAMES.items():
        assert key(name) in names_only.by_name, f"{word!r} -> {name!r} is not a concept"


@pytest.mark.parametrize(
    ("request_text", "concept"),
    [
        ("a dog", "dog"),
        ("draw a house", "house"),
        ("the sun", "sun"),
        ("a pizza", "pizza"),
        ("a tree", "deciduous tree"),
        ("a car", "automobile"),
        ("Draw me a CAT!", "cat"),
        ("two dogs", "dog"),
        ("a puppy", "dog face"),
        ("a slice of pizza", "pizza"),
        ("a jack o lantern", "jack-o-lantern"),
        ("🦒 please", "giraffe"),
        ("a small airplane arrival", "airplane arrival"),  # the longest name, read from the right
    ],
)
def test_everyday_names_resolve_to_their_emoji(names_only, request_text, concept):
    resolution = names_only.resolve(request_text)
    assert resolution.resolved and resolution.concept.name == concept


def test_composition_words_become_the_canonical_caption(names_only):
    r = names_only.resolve("an icon of a small cat face on the left on a blue background")
    assert (r.concept.name, r.size, r.position, r.background) == ("cat face", "small", "left", "blue")
    assert r.caption() == "a small cat face on the left on a blue background"
    assert (
        names_only.resolve("show me a large blue square").caption() == "a large blue square"
    )  # "large" is a size here
    assert names_only.resolve("a blue car").concept.name == "sport utility vehicle"  # the emoji's own alias
    assert names_only.resolve("a green apple").concept.name == "green apple"  # a name, not a recolour
    recoloured = names_only.resolve("a purple apple")
    assert recoloured.concept.name == "red apple" and recoloured.colour == "purple"
    pair = names_only.resolve("a cat face and a rocket on the right")
    assert [c.name for c in pair.concepts] == ["cat face", "rocket"] and pair.caption() == "a cat face and a rocket"


def test_every_held_out_eval_prompt_resolves_to_its_concept(names_only, catalog):
    scenes = EmojiScenes(catalog, catalog.drawable_concepts())
    for prompt, concept, composition in scenes.eval_prompts():
        r = names_only.resolve(prompt)
        assert r.resolved and r.concept.name == scenes.names[concept], prompt
        assert r.background == composition.background and r.size == composition.size, prompt


@needs_index
@pytest.mark.slow
def test_unknown_subjects_are_unresolved_with_suggestions(shipped):
    for request in ("a lighthouse", "a portrait of a famous senator", "a fractal"):
        r = shipped.resolve(request)
        assert not r.resolved, (request, r.describe())
        assert len(r.suggestions) == 3
    assert "light" in " ".join(c.name for c in shipped.resolve("a lighthouse").suggestions)
    meaning = shipped.resolve("a thunderstorm")  # no name, but a keyword close in meaning
    assert meaning.resolved and "lightning" in meaning.concept.name


@needs_index
@pytest.mark.slow
def test_an_undrawable_request_is_quoted_back_as_written_in_any_script(shipped):
    """The words the model could not read are quoted as the user wrote them: ASCII-only
    tokens turned "piirrä kissa sohvalla" into "piirr kissa sohvalla"."""
    from models.image_backend import unknown_subject_message

    for request, words in (("piirrä kissa sohvalla", "piirrä"), ("dessine un château fort", "château")):
        message = unknown_subject_message(shipped.resolve(request), len(shipped))
        assert words in message, message
    assert key("a piñata") == "a piñata" and key("Café au lait!") == "café au lait"


@needs_index
def test_the_shipped_index_lists_every_drawable_concept_with_its_emoji(shipped, catalog):
    assert len(shipped) == len(catalog.drawable_concepts())
    rows = json.loads((EMBEDDED / "concepts.json").read_text())["concepts"]
    assert all(r["emoji"] and r["name"] for r in rows)
    info = json.loads((EMBEDDED / "training.json").read_text())
    assert [c["name"] for c in info["concepts"]] == shipped.names()


def test_unknown_subject_becomes_a_clickable_offer_not_a_picture(tmp_path):
    """The Studio turns an undrawable request into a reply that says so, with the closest
    concepts as one-click options in the page (like a refusal's alternative)."""
    from chat.assistant import TurnReply
    from chat.pictures import Studio
    from chat.session import ChatSession
    from chat.web import outcome_messages, reply_messages
    from models.image_backend import UnknownSubjectError

    class Allow:
        def check(self, request):
            from policy.agent import Decision

            return Decision(
                allowed=True, category="allowed", reason="", message="", alternative=None, scores={}, decision_id="d1"
            )

    class Backend:
        kind = "embedded"

        def generate(self, prompt, **kwargs):
            raise UnknownSubjectError(
                "The built-in image model can't draw 'lighthouse'.", ["a light bulb", "a flashlight"]
            )

    studio = Studio(Allow(), Backend(), Backend(), tmp_path)
    outcome = studio.generate(ChatSession(), "a lighthouse")
    assert outcome.picture is None and not outcome.refused
    assert outcome.suggestions == ["a light bulb", "a flashlight"] and "can't draw" in outcome.text
    [message] = outcome_messages(outcome)
    assert [o["value"] for o in message["options"]] == ["draw a light bulb", "draw a flashlight"]
    shown = reply_messages(TurnReply(outcome.text, final=True, outcomes=[outcome]))
    assert len(shown) == 1  # the text is not repeated under the offer
