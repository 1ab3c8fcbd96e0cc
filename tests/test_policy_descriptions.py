"""A registered person described, not named: the description index.

The mechanics run on a stand-in encoder (bag of hashed words) in milliseconds. The calibration
loads the real encoder with the description adapters (`slow`):
tests/data/description_calibration.json holds 45 triples (a description, a request in one of 16
languages that refers to it, a similar request that does not), written for this test; the
thresholds in policy/descriptions.py were chosen on it and on description_heldout.json.
Run with `-s` to see the figures per language.
"""

from __future__ import annotations

import json
import time
import zlib
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from policy.descriptions import (
    BACKGROUND,
    DescriptionIndex,
    embed_request,
    names_in_description,
    numbers_in,
    without_specifics,
    writes_names,
)
from policy.registry import Description

DATA = Path(__file__).parent / "data"
CALIBRATION = json.loads((DATA / "description_calibration.json").read_text(encoding="utf-8"))


class BagOfWords:
    """A stand-in encoder: the normalised sum of a fixed random vector per word."""

    dim = 64

    def __call__(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            vector = np.zeros(self.dim, np.float32)
            for word in text.lower().split():
                vector += np.random.default_rng(zlib.crc32(word.encode())).standard_normal(self.dim)
            rows.append(vector / max(np.linalg.norm(vector), 1e-9))
        return np.stack(rows).astype(np.float32)


def whole(encoder, text):
    request = embed_request(encoder, text)
    assert request.spans is None  # the stand-in has no token states
    return request.vector


def test_build_match_update_and_retire_on_a_stand_in_encoder():
    encoder = BagOfWords()
    index = DescriptionIndex.build(
        [
            ("Zara Quill", "the keeper of the harbour lantern"),
            Description("Ignatius Fairweather", "the poet laureate of Brindle", 2),
        ],
        encoder,
    )
    assert len(index) == 2
    request = "draw the keeper of the harbour lantern on a cliff"
    found = index.match(request, whole(encoder, request))
    assert found is not None and found.name == "Zara Quill" and found.description == "the keeper of the harbour lantern"
    assert index.match("a lighthouse in a storm", whole(encoder, "a lighthouse in a storm")) is None
    # The registry changed: one description removed, one added; only the new one is embedded.
    calls = []
    index.embed = lambda texts: calls.append(list(texts)) or encoder(texts)
    assert (
        index.update(
            [("Ignatius Fairweather", "the poet laureate of Brindle"), ("Zara Quill", "the violinist of Oster Hall")]
        )
        == 2
    )
    assert calls == [["the violinist of Oster Hall", "the violinist of"]]  # and without its specifics
    assert index.match(request, whole(encoder, request)) is None
    request = "the violinist of Oster Hall eating soup"
    assert index.match(request, whole(encoder, request)).name == "Zara Quill"
    assert index.update([]) == 2 and len(index) == 0
    assert index.match(request, whole(encoder, request)) is None


def test_a_description_of_no_one_in_particular_is_left_out():
    encoder = BagOfWords()
    index = DescriptionIndex.build(
        [("Zara Quill", BACKGROUND[12]), ("Zara Quill", "the keeper of the harbour lantern")], encoder
    )
    assert index.too_generic == [("Zara Quill", BACKGROUND[12])] and len(index) == 1


@pytest.mark.parametrize(
    ("description", "plain"),
    [
        ("the teacher of the Rakefet kindergarten in Haifa", "the teacher of the kindergarten in"),
        ("the singer of “Shake It Off”", "the singer of"),
        ("the president of France elected in 2017", "the president of elected in"),
        ("жена президента США", "жена президента"),
        ("the first woman to fly in space", "the first woman to fly in space"),  # nothing specific
    ],
)
def test_a_description_without_its_specifics(description, plain):
    assert without_specifics(description) == plain


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("elected in 1995", {"1995", "95"}),
        ("в 85-м отобрал корону", {"85"}),
        ("२०१९ में", {"2019", "19"}),  # Devanagari digits
        ("no numbers here", set()),
    ],
)
def test_numbers_in_any_script(text, numbers):
    assert numbers_in(text) == numbers


def test_a_request_that_gives_other_numbers_is_someone_else():
    encoder = BagOfWords()
    index = DescriptionIndex.build([("Ada Vell", "the president of Morland elected in 2017")], encoder)
    same, other = "the president of Morland elected in 2017", "the president of Morland elected in 1995"
    assert index.match(same, whole(encoder, same)) is not None
    assert index.match(other, whole(encoder, other)) is None


@pytest.mark.parametrize(
    ("description", "names"),
    [
        ("the actor who played Walter White in Breaking Bad", [("walter", "white"), ("breaking", "bad")]),
        ("the owner of the bakery on Elm Street in Portland, Maine", [("elm", "street"), ("portland", "maine")]),
        ("the singer of “Shake It Off”", [("shake", "it", "off")]),
        ("The keeper of the harbour lantern", []),  # a capital first word is not a name
        ("the president elected in 2017", []),  # numbers are checked apart (`numbers_in`)
        ("солист группы «Кино»", [("kino",)]),  # any script, read in Latin letters
    ],
)
def test_a_descriptions_own_names(description, names):
    assert list(names_in_description(description)) == names


@pytest.mark.parametrize(
    ("description", "prompt", "written"),
    [
        ("the founder of the company Amazon", "draw the guy who started Amazon playing chess", True),
        ("the founder of the company Amazon", "нарисуй основателя Амазона на пляже", True),  # spelled out, inflected
        ("the founder of the company Amazon", "a parrot in the amazon rainforest", False),  # the ordinary word
        ("the founder of the company Amazon", "a parrot in the Amazon rainforest", True),  # capitalised: the name
        ("the actor who played Walter White in Breaking Bad", "the meth-cooking teacher from breaking bad", True),
        ("the actor who played Walter White in Breaking Bad", "a bad day at the office, breaking news", False),
        ("the owner of the bakery on Elm Street in Portland, Maine", "the baker on Main Street in Bangor", False),
        ("the owner of the bakery on Elm Street in Portland, Maine", "the Elm Street baker, kneading dough", True),
        ("the singer of the song Purple Rain", "the Purple Rain guy on a bicycle", True),
        ("the singer of the song Purple Rain", "a purple umbrella in the rain", False),
        ("the mayor of the city", "the mayor of the city", False),  # no names: never by this path
        ("солист группы «Кино»", "нарисуй солиста Кино на велосипеде", True),
        ("the singer of the band Кино", "draw the lead singer of Kino on a bike", True),
    ],
)
def test_a_request_that_writes_a_descriptions_names(description, prompt, written):
    assert writes_names(names_in_description(description), prompt) is written


# -- the real encoder -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def encoder():
    import torch

    from policy.descriptions import load_description_encoder

    torch.set_num_threads(1)
    return load_description_encoder()  # what the agent compares descriptions with


@pytest.fixture(scope="module")
def calibrated(encoder):
    index = DescriptionIndex.build(
        [(f"person {i}", case["description"]) for i, case in enumerate(CALIBRATION)], encoder
    )
    requests = {}
    for case in CALIBRATION:
        for text in (case["refers"], case["other"]):
            requests[text] = embed_request(encoder, text)
    return index, requests


@pytest.mark.slow
def test_one_forward_pass_gives_the_encoders_own_embedding_and_the_windows(encoder):
    text = "draw the singer of Shake It Off riding a horse"
    request = embed_request(encoder, text)
    assert np.array_equal(request.vector, encoder([text])[0])
    assert request.spans is not None and len(request.spans.texts) == len(request.spans.vectors) <= 122
    assert "the singer of Shake It Off" in request.spans.texts or any(
        "singer of Shake It Off" in part for part in request.spans.texts
    )
    assert np.allclose(np.linalg.norm(request.spans.vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize(("windows", "least_found", "most_false"), [(True, 0.82, 0.05), (False, 0.86, 0.09)])
def test_calibration_per_language(calibrated, windows, least_found, most_false):
    """A referring request must find its own description; a similar one must find none. (The
    figures at the chosen thresholds with the adapters: windows 0.87 / 0.044, whole request
    0.93 / 0.067; the published encoder at its own: 0.80 / 0.022 and 0.64 / 0.044. The bounds
    leave room for another CPU's rounding.)"""
    index, requests = calibrated
    hits, false = defaultdict(list), defaultdict(list)
    misses, false_matches = [], []
    for case in CALIBRATION:
        refers, other = requests[case["refers"]], requests[case["other"]]
        found = index.match(case["refers"], refers.vector, refers.spans if windows else None)
        hits[case["lang"]].append(found is not None and found.description == case["description"])
        if not hits[case["lang"]][-1]:
            misses.append(case["refers"])
        found = index.match(case["other"], other.vector, other.spans if windows else None)
        false[case["lang"]].append(found is not None)
        if found is not None:
            false_matches.append((case["other"], found.description, found.matched))
    print(f"\n{'windows' if windows else 'whole request'}\nlanguage  n  refers-found  similar-false")
    for lang in sorted(hits):
        print(f"{lang:>8} {len(hits[lang]):>2} {np.mean(hits[lang]):>13.2f} {np.mean(false[lang]):>14.2f}")
    found_rate = np.mean([h for rows in hits.values() for h in rows])
    false_rate = np.mean([f for rows in false.values() for f in rows])
    print(f"{'all':>8} {len(CALIBRATION)} {found_rate:>13.3f} {false_rate:>14.3f}")
    print(f"missed: {misses}\nfalse: {false_matches}")
    assert found_rate >= least_found
    assert false_rate <= most_false


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_ordinary_requests_match_no_description(calibrated, encoder):
    """The team's own policy cases (none of them describes a person in the calibration) against
    the 45 calibration descriptions: at most 2% match any, the bound the thresholds were chosen
    for. (With the adapters, 4 of 228: "the prime minister as a tortoise" for "the prime minister
    of Thailand", "the rise of Hitler in 1930s Germany" and "Chancellor Otto Brenner" for "the
    former chancellor of Germany", "the signing of a peace treaty" for "the author of War and
    Peace".)"""
    index, _ = calibrated
    prompts = [json.loads(line)["prompt"] for line in (DATA / "policy_own_cases.jsonl").read_text().splitlines()]
    matched = []
    for prompt in prompts:
        request = embed_request(encoder, prompt)
        found = index.match(prompt, request.vector, request.spans)
        if found is not None:
            matched.append((prompt, found.description, round(found.score, 3), round(found.margin, 3)))
    print(f"\nown cases matched: {len(matched)}/{len(prompts)} {matched}")
    assert len(matched) <= 0.02 * len(prompts)


@pytest.mark.slow
def test_a_match_among_a_thousand_descriptions_takes_at_most_3_ms(calibrated, encoder):
    _, requests = calibrated
    known = {case["description"] for case in CALIBRATION} | set(BACKGROUND)
    rng = np.random.default_rng(0)

    def embed(texts):  # real embeddings for the real texts, random ones for the filler
        rows = [encoder([t])[0] if t in known else rng.standard_normal(encoder.dim) for t in texts]
        return np.stack([row / np.linalg.norm(row) for row in rows]).astype(np.float32)

    pairs = [(f"person {i}", case["description"]) for i, case in enumerate(CALIBRATION)]
    pairs += [(f"filler {i}", f"the filler description number {i}") for i in range(1000 - len(pairs))]
    index = DescriptionIndex.build(pairs, embed)
    assert len(index) == 1000
    timings = []
    for text, request in requests.items():
        start = time.perf_counter()
        index.match(text, request.vector, request.spans)
        timings.append(time.perf_counter() - start)
    print(
        f"\nmatch among 1,000 descriptions: mean {np.mean(timings) * 1e3:.2f} ms, p99 {np.percentile(timings, 99) * 1e3:.2f} ms"
    )
    assert np.median(timings) <= 0.003
