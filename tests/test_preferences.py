"""The settings panel's values, checked on the server: only the deployment's image models, hub
presets that cannot be downloaded refused at once, numbers kept in range, the deployment's age."""

from __future__ import annotations

import time

import pytest

from chat.preferences import (
    apply_preferences,
    drawing_presets,
    image_model_choices,
    image_model_options,
    image_model_problem,
)
from chat.session import ChatSession
from chat.settings import Settings
from tests.conftest import MODEL_CACHE


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return Settings(data_dir=tmp_path / "data", EASEL_MODEL_CACHE_DIR=MODEL_CACHE)


def apply(settings, session=None, model="embedded", steps=20, seed_locked=False, seed=1234, size=256, under_18=False):
    session = session or ChatSession(user_age=settings.user_age)
    note = apply_preferences(settings, session, model, steps, seed_locked, seed, size, under_18)
    return session, note


def test_instruct_pix2pix_is_not_offered_for_drawing(settings):
    assert "instruct-pix2pix" not in drawing_presets() and "instruct-pix2pix" not in image_model_choices(settings)
    session, note = apply(settings, model="instruct-pix2pix")
    assert session.preferences.model is None and "edits pictures" in note


@pytest.mark.parametrize("model", ["/tmp", "stabilityai/stable-diffusion-2", "../../etc", "embedded; rm -rf /", 42])
def test_arbitrary_strings_and_folders_are_refused(settings, model):
    session, note = apply(settings, model=model)
    assert session.preferences.model is None
    if isinstance(model, str):
        assert "not an image model of this deployment" in note


def test_a_preset_that_needs_a_download_offline_says_so_at_once(settings):
    started = time.monotonic()
    session, note = apply(settings, model="sd-turbo")
    assert time.monotonic() - started < 2.0
    assert session.preferences.model is None
    assert "has to be downloaded" in note and "offline" in note


def test_configured_folders_are_offered(settings, tmp_path):
    folder = tmp_path / "my-pipeline"
    folder.mkdir()
    configured = settings.model_copy(update={"image_model_choices": f"embedded, {folder}"})
    assert image_model_choices(configured) == ["embedded", str(folder)]
    session, note = apply(configured, model=str(folder))
    assert session.preferences.model == str(folder) and note == ""
    folder.rmdir()
    assert "does not exist" in image_model_problem(str(folder), configured)
    assert "not an image model" in apply(configured, model="sd-turbo")[1]  # not in this deployment's list


def test_numbers_are_kept_in_range(settings):
    session, note = apply(settings, steps=10_000, seed_locked=True, seed=-5, size=4096)
    prefs = session.preferences
    assert prefs.steps is None and prefs.seed is None and prefs.size is None
    assert "Steps must be between 1 and 50" in note and "seed must be between" in note and "picture size" in note
    session, note = apply(settings, steps=12, seed_locked=True, seed=7, size=512)
    assert (session.preferences.steps, session.preferences.seed, session.preferences.size, note) == (12, 7, 512, "")
    session, note = apply(settings, steps="many", seed_locked="yes", seed=7, size="big")
    assert session.preferences.steps is None and session.preferences.seed is None and "must be a number" in note


def test_the_deployment_age_cannot_be_switched_off(settings):
    minor = settings.model_copy(update={"user_age": 14})
    session, _ = apply(minor, under_18=False)
    assert session.user_age == 14
    adult = settings.model_copy(update={"user_age": 30})
    assert apply(adult, under_18=True)[0].user_age == 15
    assert apply(adult, under_18=False)[0].user_age == 30
    locked = settings.model_copy(update={"user_age": 30, "allow_session_age": False})
    assert apply(locked, under_18=True)[0].user_age == 30


def test_models_that_cannot_run_here_are_marked_and_the_reason_is_said_in_plain_words(settings):
    options, info = image_model_options(settings)
    labels = dict((value, label) for label, value in options)
    assert labels["embedded"] == "embedded"
    assert labels["sd-turbo"] == "sd-turbo (unavailable here)" and labels["flux-schnell"].endswith("(unavailable here)")
    assert "sd-turbo" in info and "offline" in info and "Error" not in info


def test_the_hub_s_reason_names_no_exception_class(monkeypatch):
    import socket

    from models import hub_download

    monkeypatch.setattr(hub_download, "_reachable", {})
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: (_ for _ in ()).throw(socket.gaierror("x")))
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    why = hub_download.hub_unreachable()
    assert why.endswith("cannot be reached from this server") and "gaierror" not in why
