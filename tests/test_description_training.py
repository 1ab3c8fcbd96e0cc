"""The description encoder's training data and batches (`easel train description-encoder`).

No model is loaded: the data must parse, keep every family in several languages, and stay apart
from the team's description sets, which measure what the adapters carry over to other people."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

import pytest

from policy.training.description_encoder import Triple, _batches, load_triples

DATA = Path(__file__).parent / "data"
SETS = (
    "description_calibration",
    "description_heldout",
    "description_heldout_2",
    "description_heldout_3",
    "description_heldout_4",
    "description_heldout_5",
)


@pytest.fixture(scope="module")
def triples():
    return load_triples()


def test_every_family_has_one_description_in_several_languages(triples):
    languages, descriptions = defaultdict(set), defaultdict(set)
    for triple in triples:
        languages[triple.family].add(triple.language)
        descriptions[triple.family].add(triple.description)
        assert triple.refers.strip() and triple.other.strip() and triple.refers != triple.other
    assert len(languages) >= 150
    assert all(len(found) >= 3 for found in languages.values())
    assert all(len(found) == 1 for found in descriptions.values())


def test_no_description_or_request_of_the_teams_sets_is_trained_on(triples):
    """Held-out means held out: no description, and no request, of the team's sets (the same
    person described in other words was taken out by hand, docs/policy.md)."""
    trained = {t.description.casefold() for t in triples} | {t.refers for t in triples} | {t.other for t in triples}
    for name in SETS:
        for case in json.loads((DATA / f"{name}.json").read_text(encoding="utf-8")):
            assert case["description"].casefold() not in trained, (name, case["description"])
            requests = [text for key, text in case.items() if key.startswith(("refers", "other")) and text]
            assert len(requests) >= 2 and not set(requests) & trained, (name, case["refers"])


def test_a_batch_never_holds_one_description_twice_and_a_pass_sees_every_line():
    lines = [Triple(f"f{i % 5}", f"description {i % 5}", "en", f"refers {i}", f"other {i}") for i in range(23)]
    batches = _batches(lines, size=4, rng=random.Random(0))
    seen = []
    while len(seen) < len(lines):
        batch = next(batches)
        assert len({t.description for t in batch}) == len(batch) <= 4
        seen += batch
    assert sorted(t.refers for t in seen) == sorted(t.refers for t in lines)


def test_the_absolute_loss_is_zero_only_when_the_similar_request_is_below_the_line_and_the_referring_above():
    import torch

    from policy.training.description_encoder import OTHER_BELOW, REFERS_ABOVE, _absolute_loss

    centre = torch.zeros(3)
    description = torch.tensor([[1.0, 0.0, 0.0]])
    near, far = torch.tensor([[0.9, 0.436, 0.0]]), torch.tensor([[0.1, 0.0, 0.995]])
    assert (near @ description.T).item() > REFERS_ABOVE and (far @ description.T).item() < OTHER_BELOW
    assert _absolute_loss(torch.cat([description, near, far]), centre, 1).item() == 0
    # the similar request as close as the referring one, or the referring one as far as the similar one
    assert _absolute_loss(torch.cat([description, near, near]), centre, 1).item() > 0.5
    assert _absolute_loss(torch.cat([description, far, far]), centre, 1).item() > 0.5
    # scored in the index's centred space: a centre on the description's side moves every score
    assert _absolute_loss(torch.cat([description, near, far]), torch.tensor([0.5, 0.0, 0.0]), 1).item() > 0
