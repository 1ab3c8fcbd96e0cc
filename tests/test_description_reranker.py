"""The description reranker: a request and a registered description read together.

The rule that combines it with the index's thresholds runs on the stand-in encoder and a reranker
that answers from a table (the rule is what is tested there); the shipped reranker itself is
loaded and run by the `slow` tests, on tests/data/description_calibration.json (45 triples,
16 languages, one of the sets its lines were chosen with)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from policy.descriptions import (
    RERANK_ALONE,
    RERANK_CONFIRM,
    RERANK_FLOOR,
    DescriptionIndex,
    embed_request,
)
from tests.test_policy_descriptions import CALIBRATION, BagOfWords, whole

DATA = Path(__file__).parent / "data"


class TableReranker:
    """Answers each (request, description) pair from a table; remembers what it was asked."""

    def __init__(self, table: dict[tuple[str, str], float]):
        self.table = table
        self.asked: list[tuple[str, str]] = []

    def probabilities(self, request: str, descriptions: list[str]) -> np.ndarray:
        self.asked += [(request, d) for d in descriptions]
        return np.array([self.table[(request, d)] for d in descriptions])


LANTERN = "the keeper of the harbour lantern"
POET = "the poet laureate of Brindle"
REFERS = "draw the keeper of the harbour lantern on a cliff"  # the thresholds match it
LOOSE = "draw the old lantern keeper by cliff"  # close (0.55), under the thresholds' margin


def index_with(probability: dict[str, float]) -> tuple[DescriptionIndex, TableReranker]:
    reranker = TableReranker({(request, LANTERN): p for request, p in probability.items()})
    encoder = BagOfWords()
    return DescriptionIndex.build(
        [("Zara Quill", LANTERN), ("Ignatius Fairweather", POET)], encoder, reranker
    ), reranker


def test_without_a_reranker_the_thresholds_decide():
    encoder = BagOfWords()
    index = DescriptionIndex.build([("Zara Quill", LANTERN), ("Ignatius Fairweather", POET)], encoder)
    assert index.match(REFERS, whole(encoder, REFERS)).description == LANTERN
    assert index.match(LOOSE, whole(encoder, LOOSE)) is None


@pytest.mark.parametrize(
    ("request_text", "probability", "found"),
    [
        (REFERS, RERANK_CONFIRM, True),  # the thresholds match and the pair does not say otherwise
        (REFERS, RERANK_CONFIRM - 0.01, False),  # the pair reads someone else: dropped
        (LOOSE, RERANK_ALONE, True),  # the pair alone is sure
        (LOOSE, RERANK_ALONE - 0.01, False),  # ... or not
    ],
)
def test_the_reranker_confirms_vetoes_or_finds_alone(request_text, probability, found):
    index, reranker = index_with({request_text: probability})
    match = index.match(request_text, whole(index.embed, request_text))
    assert (match is not None) == found
    assert reranker.asked == [(request_text, LANTERN)]  # the closest description only
    if found:
        assert match.name == "Zara Quill" and match.probability == pytest.approx(probability)


def test_a_request_close_to_no_description_costs_no_pair():
    index, reranker = index_with({})
    text = "sunset over mountains"
    closest = index.candidates(text, whole(index.embed, text), limit=2)
    assert closest and all(m.score < RERANK_FLOOR for m in closest)
    assert index.match(text, whole(index.embed, text)) is None
    assert reranker.asked == []


@pytest.fixture(scope="module")
def models():
    import torch

    from policy.description_reranker import load_description_reranker
    from policy.descriptions import load_description_encoder

    torch.set_num_threads(1)
    encoder = load_description_encoder()
    return encoder, load_description_reranker(share_with=encoder)


@pytest.mark.slow
def test_the_shipped_reranker_reads_the_pair_and_shares_the_word_embeddings(models):
    encoder, reranker = models
    assert reranker is not None
    ours, theirs = reranker.encoder.model.embeddings.word_embeddings, encoder.model.embeddings.word_embeddings
    assert ours.weight.data_ptr() == theirs.weight.data_ptr()
    description = "the owner of the Gaivota bookshop on Rua das Flores in Porto"
    refers = "desenha a dona da livraria Gaivota na Rua das Flores, no Porto, a arrumar livros"
    other = "desenha a dona da livraria Gaivota na Rua Augusta, em Lisboa, a arrumar livros"
    alone = reranker.probabilities(refers, [description])
    both = reranker.probabilities(refers, [description, "the mayor of Kiel"])
    assert alone[0] == both[0]  # a pair's probability does not depend on what else was read
    assert alone[0] > reranker.probabilities(other, [description])[0]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_calibration_and_ordinary_requests_with_the_reranker(models):
    """The calibration's referring requests found and similar ones matched through the index
    with the reranker (0.93 / 0.04 with the shipped one; 0.91 / 0.04 with the one trained without
    a fifth of the data, with which the lines were chosen), and the team's own cases, which
    describe no one in it, matched at most 1.5% (2 of 228: "the rise of Hitler in 1930s Germany"
    for "the former chancellor of Germany", which he was, and "the signing of a peace treaty" for
    "the author of War and Peace")."""
    encoder, reranker = models
    index = DescriptionIndex.build(
        [(f"person {i}", case["description"]) for i, case in enumerate(CALIBRATION)], encoder, reranker
    )

    def match(text):
        request = embed_request(encoder, text)
        return index.match(text, request.vector, request.spans)

    found = [(m := match(case["refers"])) is not None and m.description == case["description"] for case in CALIBRATION]
    similar = [match(case["other"]) is not None for case in CALIBRATION]
    prompts = [json.loads(line)["prompt"] for line in (DATA / "policy_own_cases.jsonl").read_text().splitlines()]
    ordinary = [prompt for prompt in prompts if match(prompt) is not None]
    print(f"\nfound {np.mean(found):.3f}, similar matched {np.mean(similar):.3f}, own cases matched {ordinary}")
    assert np.mean(found) >= 0.84
    assert np.mean(similar) <= 0.07
    assert len(ordinary) <= 0.015 * len(prompts)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_training_writes_a_reranker_that_loads(tmp_path):
    """Two steps on eight pairs: the adapters and the head are written where the loader reads them."""
    import argparse

    from policy.description_reranker import HEAD_FILE, load_description_reranker
    from policy.training.description_reranker import Pair, tune

    pairs = [
        Pair(f"draw the keeper of lantern {i}", "the keeper of the harbour lantern", i % 2, "refers") for i in range(8)
    ]
    args = argparse.Namespace(steps=2, positives=2, negatives=2, learning_rate=3e-4, head_learning_rate=2e-3, seed=0)
    tune(pairs, args, tmp_path)
    assert (tmp_path / HEAD_FILE).exists() and (tmp_path / "adapter_model.safetensors").exists()
    assert json.loads((tmp_path / "training.json").read_text())["steps"] == 2
    probabilities = load_description_reranker(tmp_path).probabilities(
        "a lighthouse", ["the keeper of the harbour lantern"]
    )
    assert probabilities.shape == (1,) and 0.0 < probabilities[0] < 1.0
