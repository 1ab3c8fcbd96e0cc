"""Content Credentials and "was this made here?" (issue #29), with c2pa's own Reader, real files and
a real SQLite registry; no model is loaded here (the Studio, page, API and CLI paths are in
tests/test_credentials_paths.py)."""

from __future__ import annotations

import io
import json
import os
import stat

import c2pa
import numpy as np
import pytest
from PIL import Image

from chat.credentials import (
    GENERATED,
    HASH_KIND,
    ContentCredentials,
    create_identity,
    deployment_identity,
    picture_hash,
    png_bytes,
    read_credentials,
    verify_file,
)
from chat.session import PictureRecord
from policy.registry import OptOutRegistry


def picture(path, picture_id="img-1", prompt="a secret prompt about a red apple", decision_id="d-1", **extra):
    return PictureRecord(
        id=picture_id,
        parent_id=extra.pop("parent_id", None),
        prompt=prompt,
        seed=7,
        model="embedded",
        steps=10,
        strength=None,
        decision_id=decision_id,
        path=path,
        seconds=0.1,
        **extra,
    )


def drawing(seed: int = 0, size: int = 256) -> Image.Image:
    """A picture like Easel's: one round subject on a plain background."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    cy, cx, r = rng.integers(size // 3, 2 * size // 3, 2).tolist() + [int(rng.integers(size // 5, size // 3))]
    inside = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
    pixels = np.full((size, size, 3), 250, np.uint8)
    pixels[inside] = rng.integers(0, 256, 3)
    pixels[inside & (yy < cy)] //= 2
    return Image.fromarray(pixels)


def tampered(png: bytes) -> bytes:
    """The same file with a text chunk put in after its header: the picture still opens, but the
    bytes the manifest's hard binding covers have changed."""
    import struct
    import zlib

    body = b"tEXt" + b"Comment\x00changed after signing"
    chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
    return png[:33] + chunk + png[33:]


def reader(data: bytes) -> c2pa.Reader:
    return c2pa.Reader("image/png", io.BytesIO(data))


@pytest.fixture
def credentials(tmp_path) -> ContentCredentials:
    return ContentCredentials.in_folder(tmp_path / "credentials")


def test_a_first_run_makes_a_ca_and_a_signing_certificate_with_a_private_key_file(tmp_path):
    folder = tmp_path / "credentials"
    identity = deployment_identity(folder)
    key_file = folder / "easel-c2pa-key.pem"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert identity.chain_pem.count(b"BEGIN CERTIFICATE") == 2  # the signer, then the deployment's CA
    assert "PRIVATE KEY" not in repr(identity)
    assert deployment_identity(folder).serial == identity.serial  # made once, then reused


def test_the_operators_own_certificate_is_used_when_both_files_are_given(tmp_path):
    chain, key = create_identity(tmp_path / "operator")
    identity = deployment_identity(tmp_path / "unused", chain, key)
    assert identity.chain_pem == chain.read_bytes()
    assert not (tmp_path / "unused").exists()
    with pytest.raises(ValueError, match="both"):
        deployment_identity(tmp_path / "unused", chain, None)
    other_chain, _ = create_identity(tmp_path / "other")
    with pytest.raises(ValueError, match="does not belong"):
        deployment_identity(tmp_path / "unused", other_chain, key)


def test_a_drawn_picture_says_it_was_generated_by_easel_and_its_model_without_the_prompt(tmp_path, credentials):
    signed = credentials.sign_png(png_bytes(drawing()), picture(tmp_path / "img-1.png"), title="img-1.png")
    with reader(signed) as found:
        assert found.get_validation_state() in ("Valid", "Trusted")
        manifest = found.get_active_manifest()
    assert manifest["claim_generator_info"][0]["name"] == "Easel"
    actions = next(a for a in manifest["assertions"] if a["label"].startswith("c2pa.actions"))["data"]["actions"]
    assert actions[0]["action"] == "c2pa.created" and actions[0]["digitalSourceType"] == GENERATED
    assert actions[0]["parameters"]["model"] == "embedded"
    assert "secret prompt" not in json.dumps(manifest)
    # Under the deployment's own trust anchor the signer is trusted, not merely well-formed.
    assert read_credentials(signed, credentials.identity.anchors_pem).state == "Trusted"
    # The picture itself is unchanged.
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(signed)).convert("RGB")), np.asarray(drawing()))


def test_the_operator_may_put_the_prompt_in(tmp_path):
    credentials = ContentCredentials.in_folder(tmp_path / "credentials", include_prompt=True)
    signed = credentials.sign_png(png_bytes(drawing()), picture(tmp_path / "img-1.png"))
    with reader(signed) as found:
        assert "secret prompt about a red apple" in found.json()


def test_an_edit_carries_its_parent_with_the_parents_own_manifest(tmp_path, credentials):
    first = tmp_path / "img-1.png"
    first.write_bytes(credentials.sign_png(png_bytes(drawing(1)), picture(first)))
    second = tmp_path / "img-2.png"
    second.write_bytes(
        credentials.sign_png(
            png_bytes(drawing(2)),
            picture(second, "img-2", decision_id="d-2", parent_id="img-1", change="recoloured to blue"),
            parent=first,
        )
    )
    third = credentials.sign_png(
        png_bytes(drawing(3)), picture(tmp_path / "img-3.png", "img-3", decision_id="d-3"), parent=second
    )
    with reader(third) as found:
        assert found.get_validation_state() in ("Valid", "Trusted")
        store = json.loads(found.json())
    assert len(store["manifests"]) == 3  # the whole line of edits is in the file
    active = store["manifests"][store["active_manifest"]]
    assert [i["relationship"] for i in active["ingredients"]] == ["parentOf"]
    parent_label = active["ingredients"][0]["active_manifest"]
    actions = next(a for a in active["assertions"] if a["label"].startswith("c2pa.actions"))["data"]["actions"]
    assert [a["action"] for a in actions] == ["c2pa.opened", "c2pa.edited"]
    grandparent = store["manifests"][parent_label]["ingredients"][0]["active_manifest"]
    assert store["manifests"][grandparent]["assertions"][1]["data"]["picture_id"] == "img-1"


def test_a_long_line_of_edits_keeps_each_file_small_and_names_the_ancestor_it_leaves_out(tmp_path, credentials):
    parent, stores, sizes = None, [], []
    for depth in range(7):
        raw = png_bytes(drawing(depth))
        path = tmp_path / f"img-{depth + 1}.png"
        parent_id = f"img-{depth}" if depth else None
        record = picture(
            path, f"img-{depth + 1}", decision_id=f"d-{depth + 1}", parent_id=parent_id, change="recoloured"
        )
        path.write_bytes(credentials.sign_png(raw, record, parent=parent))
        sizes.append(path.stat().st_size - len(raw))
        with reader(path.read_bytes()) as found:
            assert found.get_validation_state() in ("Valid", "Trusted")
            stores.append(json.loads(found.json()))
        parent = path
    assert max(sizes) <= 25_000, sizes  # the budget is 30 KB a picture
    counts = [len(store["manifests"]) for store in stores]
    assert counts == [1, 2, 3, 4, 1, 2, 3]
    # The fifth keeps its parent as an ingredient (same pixels, no manifest) and names the
    # parent's manifest, which the deployment's records can follow.
    fifth = stores[4]["manifests"][stores[4]["active_manifest"]]
    assert [i["relationship"] for i in fifth["ingredients"]] == ["parentOf"]
    assert "active_manifest" not in fifth["ingredients"][0]
    ours = next(a for a in fifth["assertions"] if a["label"] == "org.easel.picture")["data"]
    assert ours["parent_manifest"] == stores[3]["active_manifest"] and ours["parent_id"] == "img-4"
    stripped = Image.open(io.BytesIO(credentials_free(tmp_path / "img-4.png")))
    assert np.array_equal(np.asarray(stripped), np.asarray(Image.open(tmp_path / "img-4.png")))


def credentials_free(path) -> bytes:
    from chat.credentials import without_credentials

    data = without_credentials(path.read_bytes())
    assert read_credentials(data) is None
    return data


def test_someone_elses_credentials_are_read_and_broken_ones_are_said_to_be_invalid(tmp_path, credentials):
    other = ContentCredentials.in_folder(tmp_path / "elsewhere")
    signed = other.sign_png(png_bytes(drawing()), picture(tmp_path / "x.png"))
    found = credentials.read(signed)
    assert found.valid and not credentials.is_ours(found)
    assert found.describe().startswith("Content Credentials: generated by AI with Easel")
    # The same manifest on other pixels: the hard binding fails.
    broken = credentials.read(tampered(signed))
    assert broken is not None and not broken.valid
    assert "INVALID" in broken.describe() and "generated by AI" not in broken.describe()
    assert credentials.read(png_bytes(drawing())) is None  # no credentials at all


def strip_jpeg_resize(image: Image.Image) -> Image.Image:
    """What a picture goes through once it leaves: metadata gone, JPEG quality 70, 0.75x."""
    image = image.convert("RGB")
    image = image.resize((round(image.width * 0.75), round(image.height * 0.75)), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return Image.open(io.BytesIO(buffer.getvalue()))


def test_verify_answers_from_the_manifest_else_from_the_perceptual_hash(tmp_path, credentials):
    registry = OptOutRegistry(tmp_path / "easel.sqlite3")
    made = []
    for k in range(5):
        image = drawing(k)
        path = tmp_path / f"img-{k}.png"
        record = picture(path, f"img-{k}", decision_id=f"d-{k}")
        path.write_bytes(credentials.sign_png(png_bytes(image), record))
        registry.record_picture(record.decision_id, record.id, record.model, HASH_KIND, picture_hash(image))
        made.append(path)

    answer, status = verify_file(made[3], registry, credentials)
    assert status == 0 and answer["how"] == "manifest" and answer["picture_id"] == "img-3"
    assert answer["manifest_valid"] is True and answer["created_at"]

    stripped = tmp_path / "stripped.jpg"
    strip_jpeg_resize(Image.open(made[2])).save(stripped, quality=95)
    answer, status = verify_file(stripped, registry, credentials)
    assert status == 0 and answer["how"] == "perceptual_hash" and answer["picture_id"] == "img-2"
    assert answer["decision"]["decision_id"] == "d-2" and answer["manifest_valid"] is None
    assert "prompt" not in json.dumps(answer)

    elsewhere = tmp_path / "elsewhere.png"
    drawing(99).save(elsewhere)
    answer, status = verify_file(elsewhere, registry, credentials)
    assert status == 1 and answer["made_here"] is False and answer["how"] is None

    # Credentials from another deployment do not make a picture ours.
    other = ContentCredentials.in_folder(tmp_path / "elsewhere-keys")
    signed_elsewhere = tmp_path / "signed-elsewhere.png"
    signed_elsewhere.write_bytes(other.sign_png(png_bytes(drawing(98)), picture(signed_elsewhere)))
    answer, status = verify_file(signed_elsewhere, registry, credentials)
    assert status == 1 and answer["manifest_valid"] is True

    garbage = tmp_path / "garbage.png"
    garbage.write_bytes(b"not a picture")
    assert verify_file(garbage, registry, credentials)[1] == 2


def test_the_hash_survives_stripping_jpeg_and_resizing_and_tells_pictures_apart():
    hashes = [np.frombuffer(picture_hash(drawing(k)), np.uint8) for k in range(20)]

    def distance(a, b):
        return int(np.unpackbits(a ^ b).sum())

    for k in range(20):
        after = np.frombuffer(picture_hash(strip_jpeg_resize(drawing(k))), np.uint8)
        assert distance(after, hashes[k]) <= 24
        assert min(distance(after, hashes[j]) for j in range(20) if j != k) > 60


def test_the_operator_panel_answers_was_this_made_here_once_unlocked(tmp_path, credentials):
    from types import SimpleNamespace

    from chat.operator import OperatorHandlers

    operator = OperatorHandlers(tmp_path / "easel.sqlite3", "correct horse battery staple", credentials=credentials)
    request = SimpleNamespace(client=SimpleNamespace(host="198.51.100.4"), session_hash="s1")
    image = drawing(7)
    path = tmp_path / "img-1.png"
    record = picture(path, decision_id="d-7")
    path.write_bytes(credentials.sign_png(png_bytes(image), record))
    operator.registry().record_picture("d-7", "img-1", "embedded", HASH_KIND, picture_hash(image))
    stripped = tmp_path / "stripped.jpg"
    strip_jpeg_resize(image).save(stripped)

    assert "Made here" not in operator.verify(str(stripped), "", request)  # locked: nothing is said
    unlocked_at = operator.unlock("correct horse battery staple", "", request)[0]
    said = operator.verify(str(path), unlocked_at, request)
    assert said.startswith("Made here: picture img-1, by embedded") and "Content Credentials" in said
    said = operator.verify(str(stripped), unlocked_at, request)
    assert "perceptual hash" in said and "Decision d-7" in said and "secret prompt" not in said
    other = tmp_path / "other.png"
    drawing(8).save(other)
    assert operator.verify(str(other), unlocked_at, request).startswith("Not made here")
    operator.registry().close()
