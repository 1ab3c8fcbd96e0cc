"""The crisis-topic head that chooses the support answer: what it is trained on, how its bar is
chosen, and that it is never read on embeddings of adapters it was not trained with."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from policy.aspects import ADAPTER_PATH, CRISIS_HEAD_PATH, CrisisHead, refusal_for
from policy.training.corpus import _Family, load_families
from policy.training.crisis_topic import FALSE_ALARMS, choose_bar, crisis_families


def _family(id_, labels=(), crisis=False):
    return _Family(id=id_, labels=list(labels), crisis=crisis, texts={"en": ["x"]})


def test_the_topic_is_self_harm_families_and_allowed_families_marked_crisis():
    families = [
        _family("a.method", ["self_harm"]),
        _family("a.friend-said-goodbye", crisis=True),
        _family("a.exam-is-killing-me"),
        _family("a.poison-the-dog", ["violence"]),
    ]
    assert crisis_families(families) == {"a.method", "a.friend-said-goodbye"}


def test_the_corpus_marks_help_seeking_families_and_only_allowed_ones():
    families = load_families()
    marked = [f for f in families if f.crisis]
    assert len(marked) >= 10
    assert all(refusal_for(set(f.labels)) is None for f in marked)


def test_a_crisis_mark_on_a_refused_family_is_an_error(tmp_path):
    (tmp_path / "bad.yaml").write_text(
        "families:\n  - id: b.x\n    labels: [violence]\n    crisis: true\n    texts:\n      en: [hurt him]\n"
    )
    with pytest.raises(ValueError, match="marked crisis but is not allowed"):
        load_families(tmp_path)


@pytest.mark.parametrize(
    ("ordinary_scores", "expected"),
    [
        ([0.0] * 98 + [0.9] * 2, 0.05),  # two false alarms in 100 are within the allowance
        ([0.0] * 97 + [0.9] * 3, 0.91),  # three are not, until the bar passes them
        ([0.0] * 90 + [0.3] * 10, 0.31),
        ([0.995] * 100, 0.99),  # nothing works: the highest bar
    ],
)
def test_the_bar_is_the_lowest_that_keeps_false_alarms_on_chat_messages_within_the_allowance(ordinary_scores, expected):
    assert FALSE_ALARMS == 0.02
    probability = np.array(ordinary_scores + [0.99, 0.2, 0.99])
    topic = np.array([False] * len(ordinary_scores) + [True, True, False])
    chat = np.array([True] * len(ordinary_scores) + [True, True, False])  # the last is a picture frame
    assert choose_bar(probability, topic, chat) == pytest.approx(expected)


def test_the_shipped_crisis_head_was_trained_on_the_shipped_adapters():
    """New adapters change what every embedding means: `easel train crisis-topic` must be run
    again after `easel train policy-classifier --tune-steps`."""
    head = CrisisHead(CRISIS_HEAD_PATH)
    adapters = hashlib.sha1((ADAPTER_PATH / "adapter_model.safetensors").read_bytes()).hexdigest()[:12]
    assert head.info["adapter"] == adapters
    assert 0.05 <= head.bar <= 0.99
    assert head.info["held_out"]["chat messages"]["false_alarms"] <= FALSE_ALARMS


@pytest.mark.slow
def test_a_crisis_head_of_other_adapters_is_not_read(tmp_path):
    import shutil

    from policy.agent import PolicyAgent
    from policy.aspects import HEAD_PATH

    shutil.copy(HEAD_PATH, tmp_path / HEAD_PATH.name)
    shutil.copytree(ADAPTER_PATH, tmp_path / ADAPTER_PATH.name)
    with np.load(CRISIS_HEAD_PATH) as data:
        weights = dict(data)
    info = json.loads(str(weights["info"]))
    weights["info"] = np.array(json.dumps({**info, "adapter": "0123456789ab"}))
    np.savez(tmp_path / CRISIS_HEAD_PATH.name, **weights)
    agent = PolicyAgent(tmp_path / "policy.sqlite3", audit=False, head_path=tmp_path / HEAD_PATH.name)
    assert agent.crisis_probability("i want to die") is None
    shipped = PolicyAgent(tmp_path / "shipped.sqlite3", audit=False)
    probability, bar = shipped.crisis_probability("i want to die")
    assert 0.0 <= probability <= 1.0 and bar == pytest.approx(CrisisHead(CRISIS_HEAD_PATH).bar)
