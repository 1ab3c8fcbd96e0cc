"""The encoder tuning really trains the adapters it is given: a resumed run starts from the
shipped adapters (not from zero) and moves them; `easel train policy-classifier` passes its
options through."""

from __future__ import annotations

import shutil

import pytest
import torch
from safetensors.torch import load_file

from policy.aspects import ADAPTER_PATH, ASPECTS
from policy.training.corpus import Example

EXAMPLES = [
    Example("how do I poison my neighbour's dog", frozenset({"violence"}), "t.harm", "en"),
    Example("how do I get rid of the wasps in my shed", frozenset(), "t.pests", "en"),
    Example("cómo envenenar al perro del vecino", frozenset({"violence"}), "t.harm", "es"),
    Example("cómo quitar las avispas del cobertizo", frozenset(), "t.pests", "es"),
]


def _adapter(folder):
    return load_file(str(folder / "adapter_model.safetensors"))


@pytest.mark.slow
def test_resumed_tuning_starts_from_the_given_adapters_and_moves_them(tmp_path):
    from policy.training.tune_encoder import tune

    start = tmp_path / "start"
    shutil.copytree(ADAPTER_PATH, start)
    shipped = _adapter(start)
    out = tmp_path / "resumed"
    tune(EXAMPLES, list(ASPECTS), steps=2, out_dir=out, resume=start)
    resumed = _adapter(out)
    assert resumed.keys() == shipped.keys()
    # LoRA "B" matrices start at zero in a fresh run; a resumed run keeps the shipped ones, moved a little
    name = next(k for k in shipped if "lora_B" in k and shipped[k].abs().sum() > 0)
    change = (resumed[name] - shipped[name]).abs().max().item()
    assert 0 < change < shipped[name].abs().max().item()
    assert any(not torch.equal(resumed[k], shipped[k]) for k in shipped)


def _embed_with(adapter, texts):
    """Unit embeddings of `texts` by the fp32 encoder with these adapters, as tuning reads them."""
    from peft import PeftModel
    from transformers import AutoModel, AutoTokenizer

    from models.multilingual_encoder import converted_dir
    from policy.training.tune_encoder import _pooled, _tokenized

    base = AutoModel.from_pretrained(str(converted_dir()), add_pooling_layer=False)
    model = PeftModel.from_pretrained(base, str(adapter)).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(converted_dir()))
    batch = _tokenized(tokenizer, texts, "cpu")
    with torch.no_grad():
        return torch.nn.functional.normalize(_pooled(model, batch), dim=-1)


@pytest.mark.slow
def test_aligning_languages_teaches_a_translation_its_english_family(tmp_path):
    """With --align-languages each Spanish request ends nearer its own family's English text than
    the other family's, by a wider margin than the same run without it leaves (the anchors are
    read once, before tuning)."""
    from policy.training.tune_encoder import tune

    margin = {}
    for weight in (0.0, 20.0):
        out = tmp_path / f"align-{weight}"
        tune(EXAMPLES, list(ASPECTS), steps=6, out_dir=out, resume=ADAPTER_PATH, align_languages=weight)
        harm_en, pests_en, harm_es, pests_es = _embed_with(out, [e.text for e in EXAMPLES])
        margin[weight] = float(harm_es @ harm_en - harm_es @ pests_en + pests_es @ pests_en - pests_es @ harm_en)
    assert margin[20.0] > margin[0.0] + 0.02, margin


@pytest.mark.parametrize("option", ["--resume-tuning", "--tune-only", "--align-languages 0.5"])
def test_easel_train_passes_tuning_options_through(option, capsys):
    from chat.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["train", "policy-classifier", *option.split(), "--false-alarm-cost", "3"])
    assert stopped.value.code == 2
    assert f"{option.split()[0]} needs --tune-steps" in capsys.readouterr().err


def test_a_resumed_run_starts_its_tuning_head_from_the_shipped_head():
    """The tuning head reads unit embeddings times EMBEDDING_SCALE; started from the shipped head
    it gives the shipped head's probabilities, aspect by aspect, even in another aspect order."""
    import numpy as np

    from policy.aspects import AspectHead
    from policy.training.tune_encoder import EMBEDDING_SCALE, _shipped_head_width, _start_from_shipped_head

    shipped = AspectHead()
    order = list(reversed(shipped.aspects))
    width = _shipped_head_width()
    assert width == shipped.w1.shape[1]
    head = torch.nn.Sequential(torch.nn.Linear(384, width), torch.nn.ReLU(), torch.nn.Linear(width, len(order)))
    _start_from_shipped_head(head, order)
    rng = np.random.default_rng(0)
    unit = rng.normal(size=(5, 384)).astype(np.float32)
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    expected = shipped(unit)[:, [shipped.aspects.index(a) for a in order]]
    with torch.no_grad():
        got = torch.sigmoid(head(torch.from_numpy(unit) * EMBEDDING_SCALE)).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_averaged_heads_are_one_head_whose_logits_are_the_members_mean():
    """`fit_heads` stores K heads side by side in the one-head format; its prediction is the
    sigmoid of the members' mean logit, so a check still costs two matrix products."""
    import numpy as np

    from policy.training.aspect_head import fit, fit_heads, predict

    rng = np.random.default_rng(0)
    features = rng.normal(size=(64, 8)).astype(np.float32)
    targets = (features[:, :3] > 0).astype(np.float32)
    both = fit_heads(features, targets, epochs=2, seed=7, heads=2)
    members = [fit(features, targets, epochs=2, seed=seed) for seed in (7, 8)]
    assert both["w1"].shape == (8, 2 * members[0]["w1"].shape[1]) and both["w2"].shape[1] == 3

    def logit(weights):
        return np.maximum(features @ weights["w1"] + weights["b1"], 0.0) @ weights["w2"] + weights["b2"]

    expected = 1.0 / (1.0 + np.exp(-np.mean([logit(m) for m in members], axis=0)))
    np.testing.assert_allclose(predict(both, features), expected, rtol=1e-4, atol=1e-6)
    assert not np.allclose(predict(members[0], features), predict(members[1], features))


def test_a_grafted_head_reads_its_grafted_aspects_from_the_new_heads_and_the_rest_as_before():
    """`--only-aspects minor`: one head file, the base's hidden units beside the new ones, each
    output reading only its own."""
    import numpy as np

    from policy.training.aspect_head import fit_heads, graft_aspects, predict

    rng = np.random.default_rng(1)
    features = rng.normal(size=(64, 8)).astype(np.float32)
    base = fit_heads(features, (features[:, :3] > 0).astype(np.float32), epochs=2, seed=0, heads=2)
    new = fit_heads(features, (features[:, 3:6] > 0).astype(np.float32), epochs=2, seed=5, heads=1)
    grafted = graft_aspects(base, new, [1])
    got, before, after = predict(grafted, features), predict(base, features), predict(new, features)
    np.testing.assert_allclose(got[:, [0, 2]], before[:, [0, 2]], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got[:, 1], after[:, 1], rtol=1e-4, atol=1e-6)
    assert not np.allclose(before[:, 1], after[:, 1])


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (["--heads", "0"], "--heads must be at least 1"),
        (["--only-aspects", "minor"], "--only-aspects needs --keep-adapter"),
        (["--tune-steps", "10", "--align-languages", "-1"], "--align-languages must not be negative"),
    ],
)
def test_easel_train_refuses_impossible_options(options, problem, capsys):
    from chat.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["train", "policy-classifier", *options])
    assert stopped.value.code == 2
    assert problem in capsys.readouterr().err
