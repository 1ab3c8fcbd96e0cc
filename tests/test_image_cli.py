"""`easel train image-model` (a few steps of a tiny model), `easel draw` through the policy gate."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from chat.cli import main
from models.emoji_pipeline import EmojiDiffusionPipeline, make_scheduler, make_unet

pytestmark = pytest.mark.slow  # loads the embedded image model

TINY = ["--channels", "16,32", "--batch-size", "4", "--concepts", "12", "--checkpoint-every", "2"]


def unet_weights(folder):
    return load_file(folder / "unet" / "diffusion_pytorch_model.safetensors")


@pytest.mark.parametrize(
    "options", [[], ["--patch-size", "4", "--caption-pool", "3"]], ids=["fresh-captions", "patch4-caption-pool"]
)
def test_training_is_reproducible_and_resumes(settings, tmp_path, capsys, options):
    tiny = [*TINY, *options]
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    assert (
        main(["train", "image-model", "--steps", "4", *tiny, "--work-dir", str(tmp_path / "a"), "--out", str(straight)])
        == 0
    )
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["steps"] == 4 and summary["final_loss"] > 0
    # Stop after 2 steps, then resume to 4: the same weights as the uninterrupted run.
    assert (
        main(
            [
                "train",
                "image-model",
                "--steps",
                "2",
                *tiny,
                "--work-dir",
                str(tmp_path / "b"),
                "--out",
                str(tmp_path / "half"),
            ]
        )
        == 0
    )
    # A longer run may resume; a different model may not.
    with pytest.raises(SystemExit):
        main(
            [
                "train",
                "image-model",
                "--steps",
                "4",
                *tiny,
                "--channels",
                "16,48",
                "--work-dir",
                str(tmp_path / "b"),
                "--out",
                str(resumed),
            ]
        )
    assert (
        main(["train", "image-model", "--steps", "4", *tiny, "--work-dir", str(tmp_path / "b"), "--out", str(resumed)])
        == 0
    )
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["resumes"] == [{"step": 2, "steps": [2, 4]}]
    a, b = unet_weights(straight), unet_weights(resumed)
    # Equal up to float rounding (captions are encoded in differently padded batches).
    assert all(torch.allclose(a[k], b[k], atol=1e-4) for k in a)
    assert not all(torch.equal(a[k], b2) for k, b2 in unet_weights(tmp_path / "half").items())
    info = json.loads((straight / "training.json").read_text())
    assert len(info["concepts"]) == 12 and info["training"]["steps"] == 4
    pipe = EmojiDiffusionPipeline.from_pretrained(straight)
    assert pipe.unet.config.block_out_channels == [16, 32]
    if options:  # the 8x8 grid of 4x4 patches is saved with the pipeline and sampled back to 32 px
        assert pipe.unet.config.sample_size == 8
        picture = pipe(
            "a cat face",
            num_inference_steps=2,
            generator=torch.Generator().manual_seed(0),
            output_type="np",
            output_size=None,
        ).images[0]
        assert picture.shape[:2] == (32, 32)


def test_a_run_resumes_with_a_focus_on_missed_concepts(settings, tmp_path, capsys):
    work = tmp_path / "focus"
    base = ["train", "image-model", *TINY, "--work-dir", str(work), "--out", str(tmp_path / "out")]
    assert main([*base, "--steps", "2"]) == 0
    concepts = json.loads((tmp_path / "out" / "training.json").read_text())["concepts"]
    misses = tmp_path / "misses.json"
    rows = [{"emoji": c["emoji"], "prompt": c["name"], "rank_among_all": 40} for c in concepts[:3]]
    misses.write_text(json.dumps({"split": "train", "seed": 7, "prompts": rows}))
    capsys.readouterr()
    assert main([*base, "--steps", "4", "--focus-from", str(misses), "--focus-weight", "20"]) == 0
    out = capsys.readouterr().out
    assert "focus: 3 missed concepts, 87% of the pictures drawn" in out
    resume = json.loads(out.strip().splitlines()[-1])["resumes"][0]
    assert resume["step"] == 2 and resume["focus_weight"] == [1.0, 20.0]
    assert resume["focus_from"] == ["", str(misses.resolve())]


@pytest.fixture
def tiny_model(tmp_path):
    torch.manual_seed(0)
    EmojiDiffusionPipeline(unet=make_unet(channels=(16, 32)), scheduler=make_scheduler()).save_pretrained(
        tmp_path / "tiny"
    )
    return tmp_path / "tiny"


def test_draw_saves_a_picture_and_prints_the_contract(settings, tiny_model, tmp_path, capsys):
    out = tmp_path / "cat.png"
    code = main(
        [
            "draw",
            "a cat face on a blue background",
            "--seed",
            "5",
            "--steps",
            "3",
            "--model",
            str(tiny_model),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(last) == {"allowed", "path", "seed", "model", "steps", "sec"}
    assert last["allowed"] is True and last["path"] == str(out) and last["seed"] == 5 and last["steps"] == 3
    assert out.is_file()


def test_draw_refuses_an_opted_out_person_with_status_3(settings, tiny_model, tmp_path, capsys):
    from policy.registry import OptOutRegistry

    registry = OptOutRegistry(settings.database_path)
    registry.add("Jonathan Quillfeather")
    registry.close()
    out = tmp_path / "refused.png"
    code = main(["draw", "a portrait of jonathan quillfeather", "--model", str(tiny_model), "--out", str(out)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 3 and not out.exists()
    assert json.loads(lines[-1])["allowed"] is False
    assert len(lines) >= 2 and lines[0].strip()


def test_draw_fails_closed_when_the_policy_agent_breaks(settings, tiny_model, tmp_path, capsys, monkeypatch):
    import policy.agent

    def broken(self, request):
        raise RuntimeError("policy store unavailable")

    monkeypatch.setattr(policy.agent.PolicyAgent, "check", broken)
    code = main(["draw", "a rocket", "--model", str(tiny_model), "--out", str(tmp_path / "x.png")])
    assert code == 3 and not (tmp_path / "x.png").exists()
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["allowed"] is False


def test_draw_reports_a_bad_request_clearly(settings, tiny_model, capsys):
    code = main(["draw", "a rocket", "--steps", "0", "--model", str(tiny_model)])
    assert code == 2
    assert "steps" in capsys.readouterr().err


def test_caption_cache_keeps_every_caption_of_the_batch_it_serves():
    from models.training.image_model import CaptionCache

    class FakeEncoder:
        def encode(self, texts, **kwargs):
            return [
                {
                    "sentence_embedding": torch.full((384,), float(len(t))),
                    "token_embeddings": torch.ones(len(t) + 1, 384),
                }
                for t in texts
            ]

    cache = CaptionCache(FakeEncoder(), max_tokens=8, capacity=3)
    cache(["", "a", "b"])
    pooled, tokens, mask = cache(["", "c", "d", "e"])  # "" is cached and the oldest entry
    assert pooled[:, 0].tolist() == [0.0, 1.0, 1.0, 1.0] and tokens.shape == (4, 8, 384)
    assert len(cache.store) == 3


def test_draw_prompts_writes_one_picture_and_one_line_per_prompt(settings, tiny_model, tmp_path, capsys):
    from policy.registry import OptOutRegistry

    registry = OptOutRegistry(settings.database_path)
    registry.add("Jonathan Quillfeather")
    registry.close()
    prompts = tmp_path / "prompts.txt"
    prompts.write_text(
        "a cat face\na portrait of jonathan quillfeather\nun pingouin 🐧 sur la glace\n", encoding="utf-8"
    )
    out = tmp_path / "pictures"
    code = main(
        [
            "draw",
            "--prompts",
            str(prompts),
            "--out-dir",
            str(out),
            "--seed",
            "4",
            "--steps",
            "2",
            "--model",
            str(tiny_model),
        ]
    )
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    rows, summary = lines[:-1], lines[-1]
    assert len(rows) == 3 and summary["n"] == 3 and summary["drawn"] == 2 and summary["refused"] == 1
    assert summary["sec_per_image"] > 0
    assert [r["allowed"] for r in rows] == [True, False, True]
    assert (
        rows[0]["path"] == str(out / "0000.png")
        and rows[2]["path"] == str(out / "0002.png")
        and rows[1]["path"] is None
    )
    assert sorted(p.name for p in out.iterdir()) == ["0000.png", "0002.png"]
    assert all({"allowed", "path", "seed", "model", "steps", "sec"} <= set(r) for r in rows)
    # The tiny model has no upscaler: its native size is its 32 px sample.
    import PIL.Image

    assert PIL.Image.open(out / "0000.png").size == (32, 32)


def test_draw_uses_the_deployments_user_age_through_the_studio_gate(tiny_model, tmp_path, monkeypatch, capsys):
    """EASEL_USER_AGE reaches the same gate as the chat: a gory picture is refused for a
    14-year-old (status 3) and drawn for an adult."""
    from chat.settings import Settings

    monkeypatch.setenv("EASEL_DATA_DIR", str(tmp_path / "data"))
    prompt = "a bloody horror movie poster"  # refused for minors (gore), allowed for adults
    monkeypatch.setenv("EASEL_USER_AGE", "14")
    assert Settings().user_age == 14
    assert main(["draw", prompt, "--steps", "2", "--model", str(tiny_model), "--out", str(tmp_path / "teen.png")]) == 3
    assert not (tmp_path / "teen.png").exists()
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["allowed"] is False
    monkeypatch.setenv("EASEL_USER_AGE", "30")
    assert main(["draw", prompt, "--steps", "2", "--model", str(tiny_model), "--out", str(tmp_path / "adult.png")]) == 0
    assert (tmp_path / "adult.png").is_file()


def test_models_never_import_chat_or_policy():
    import ast
    from pathlib import Path

    for path in (Path(__file__).resolve().parents[1] / "models").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] in {"chat", "policy", "app"} for n in names), f"{path.name} imports {names}"


def test_concepts_lists_what_the_shipped_model_draws(settings, capsys):
    from models.cli import EMBEDDED_DIR

    assert main(["concepts"]) == 0
    names = capsys.readouterr().out.strip().splitlines()
    if (EMBEDDED_DIR / "concepts.json").is_file():  # the model with a concept index
        assert len(names) >= 1300 and {"dog", "house", "sun", "pizza"} <= set(names)
    else:
        assert len(names) == 300
    assert main(["concepts", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [r["name"] for r in rows] == names and all(set(r) == {"name", "emoji"} for r in rows)
    assert {"name": "dog", "emoji": "🐕"} in rows
