"""Weights and backends: the chat model, the image models, and their training."""

from pathlib import Path

# The embedded image model's pipeline folder (shipped in the repo). Defined here, not in
# image_backend.py, so the command line can name it without importing torch.
EMBEDDED_DIR = Path(__file__).resolve().parent / "embedded"
