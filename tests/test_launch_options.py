"""What `easel serve` hands Gradio's `launch`: pictures are served from wherever the data folder
is, and nothing else of the data folder is (no model is loaded)."""

from __future__ import annotations

from pathlib import Path

from chat.settings import Settings


def test_pictures_are_served_from_a_data_folder_outside_the_working_directory(tmp_path):
    # Gradio allows the working and temp directories itself; EASEL_DATA_DIR=/var/lib/easel is neither.
    settings = Settings(data_dir=tmp_path / "var" / "lib" / "easel")
    allowed = [Path(path) for path in settings.launch_options()["allowed_paths"]]
    assert allowed == [settings.resolved_data_dir() / "images"]
    assert settings.resolved_data_dir() not in allowed  # credentials and the database stay unserved
