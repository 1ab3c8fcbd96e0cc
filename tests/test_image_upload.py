"""Uploaded pictures: readable ones load, bad ones get a clear ImageInputError."""

from __future__ import annotations

import io
import struct
import zlib

import PIL.Image
import pytest

from models.image_backend import ImageInputError, load_upload


def png_bytes(size=(40, 30), mode="RGB", colour=(10, 200, 30)) -> bytes:
    buffer = io.BytesIO()
    PIL.Image.new(mode, size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG file whose header claims a huge picture (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width * 3 + 1) * 4)  # a few rows is enough for the header check
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def test_a_good_picture_loads_as_rgb(tmp_path):
    path = tmp_path / "ok.png"
    path.write_bytes(png_bytes())
    image = load_upload(path)
    assert image.mode == "RGB" and image.size == (40, 30)
    assert load_upload(png_bytes(mode="RGBA", colour=(0, 0, 0, 0))).getpixel((0, 0)) == (255, 255, 255)
    jpeg = io.BytesIO()
    PIL.Image.new("RGB", (16, 16), "red").save(jpeg, format="JPEG")
    assert load_upload(jpeg.getvalue()).size == (16, 16)


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "empty"),
        (b"this is not a picture at all", "not a picture"),
        (png_bytes()[:60], "truncated"),
        (bomb_png(30000, 30000), "pixels"),
        (bomb_png(5000, 5000), "pixels"),
    ],
)
def test_bad_uploads_get_a_clear_error(data, words):
    with pytest.raises(ImageInputError) as error:
        load_upload(data)
    assert words in str(error.value) and isinstance(error.value, ValueError)


def test_unsupported_format_and_missing_file(tmp_path):
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (8, 8)).save(buffer, format="TIFF")
    with pytest.raises(ImageInputError, match="not supported"):
        load_upload(buffer.getvalue())
    with pytest.raises(ImageInputError, match="could not be found"):
        load_upload(tmp_path / "missing.png")


def test_max_pixels_is_configurable():
    with pytest.raises(ImageInputError, match="pixels"):
        load_upload(png_bytes(size=(100, 100)), max_pixels=50 * 50)
