"""Was this made here? `easel verify` on Easel's pictures after they lost their metadata, and on
pictures Easel did not make (issue #29).

    nice -n 15 .venv/bin/python tests/benchmarks/bench_provenance.py [--made 300] [--other 1000] [--seed 0]

Easel's pictures: `--made` prompts ("a <concept>" for every fourth concept of the embedded image
model) drawn by `easel draw --prompts FILE --out-dir DIR` in a fresh data folder (the policy gate,
the signing and the perceptual hash of the real path). Each one's own audit row is read from its
Content Credentials; then the picture is stripped of its metadata, resized to 0.75x and saved as
JPEG quality 70, and verified (`chat.credentials.verify_file`, what `easel verify` runs): found
when it is said to be made here, right when the answer names its own audit row.

Pictures Easel did not make (`--other`): six in ten are real emoji renders (Noto Color Emoji,
the font the embedded model learned from) sized 55-95% of the picture and placed near the centre
on white or on a plain colour, one in ten photo-like noise, one in ten gradients, two in ten crops
of the sample photos scikit-image ships; every other one also goes through the same strip, JPEG
and resize. Claimed when `verify_file` says it was made here.

With `--edits K`, each drawn picture is also edited K times through the Studio in this process
("make it blue", "make it bigger", ...: the policy gate, the exact editor, the signing and the
hash of the chat's path), so a run makes drawn + K x drawn pictures; an edit looks much like the
picture it was made from, so naming the right audit row is harder for it.

A few files of each kind also go through the `easel verify` command itself, which must agree.
Prints the hash distances, then one JSON line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from chat.credentials import HASH_THRESHOLD, ContentCredentials, verify_file  # noqa: E402

EASEL = str(REPO / ".venv" / "bin" / "easel")


def strip_jpeg_resize(image: Image.Image, quality: int = 70, scale: float = 0.75) -> bytes:
    """The picture without any metadata, resized and saved as JPEG."""
    image = image.convert("RGB")
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def sample_photos() -> list[np.ndarray]:
    import skimage.data

    names = ("astronaut", "chelsea", "coffee", "rocket", "camera", "hubble_deep_field", "immunohistochemistry")
    names += ("retina", "cat", "colorwheel", "page", "moon", "text", "brick", "grass", "gravel")
    photos = []
    for name in names:
        try:
            photo = getattr(skimage.data, name)()
        except Exception:  # noqa: BLE001 - a sample that needs a download is left out
            continue
        photo = np.stack([photo] * 3, -1) if photo.ndim == 2 else photo[..., :3]
        photos.append(photo.astype(np.uint8))
    return photos


def other_pictures(n: int, rng: np.random.Generator, size: int = 256) -> tuple[list[Image.Image], list[str]]:
    """Pictures Easel did not make, and their kinds."""
    from models.emoji_data import EmojiCatalog

    glyphs = EmojiCatalog.build(None).pixels
    photos = sample_photos()
    pictures, kinds = [], []
    for i in range(n):
        kind = i % 10
        if kind < 6:
            glyph = Image.fromarray(glyphs[rng.integers(len(glyphs))], "RGBA")
            side = int(rng.integers(int(size * 0.55), int(size * 0.95)))
            glyph = glyph.resize((side, side), Image.Resampling.LANCZOS)
            background = (255, 255, 255) if kind < 4 else tuple(int(v) for v in rng.integers(0, 256, 3))
            canvas = Image.new("RGBA", (size, size), (*background, 255))
            x = (size - side) // 2 + int(rng.integers(-12, 13))
            y = (size - side) // 2 + int(rng.integers(-12, 13))
            canvas.alpha_composite(glyph, (max(0, x), max(0, y)))
            pictures.append(canvas.convert("RGB"))
            kinds.append("emoji")
        elif kind == 6:
            noise = rng.normal(128, 60, (size // 8, size // 8, 3)).clip(0, 255).astype(np.uint8)
            pictures.append(Image.fromarray(noise).resize((size, size), Image.Resampling.BICUBIC))
            kinds.append("noise")
        elif kind == 7:
            t = np.linspace(0, 1, size)
            xx, yy = np.meshgrid(t, t)
            angle = rng.uniform(0, np.pi)
            ramp = np.cos(angle) * xx + np.sin(angle) * yy
            ramp = (ramp - ramp.min()) / (ramp.max() - ramp.min())
            start, end = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
            pixels = start[None, None] * (1 - ramp[..., None]) + end[None, None] * ramp[..., None]
            pictures.append(Image.fromarray(pixels.astype(np.uint8)))
            kinds.append("gradient")
        else:
            photo = photos[int(rng.integers(len(photos)))]
            h, w = photo.shape[:2]
            side = int(rng.integers(min(h, w) // 4, min(h, w)))
            y, x = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
            crop = Image.fromarray(photo[y : y + side, x : x + side])
            pictures.append(crop.resize((size, size), Image.Resampling.LANCZOS))
            kinds.append("crop")
    return pictures, kinds


def prompts(n: int) -> list[str]:
    out = subprocess.run([EASEL, "concepts"], capture_output=True, text=True, check=True).stdout.split("\n")
    concepts = [c.strip() for c in out if c.strip()]
    return [f"a {c}" for c in concepts[::4][:n]]


EDITS = ["make it blue", "make it bigger", "make it red", "move it to the left", "make it smaller", "make it green"]


def edited_pictures(data: Path, drawn: list[Path], per_picture: int, prompts_file: Path | None) -> list[Path]:
    """Edits of the drawn pictures through the Studio, as the chat makes them (see above)."""
    from chat.pictures import Studio
    from chat.session import ChatSession, PictureRecord
    from chat.settings import Settings

    settings = Settings(data_dir=data)
    studio = Studio.from_settings(settings)
    lines = prompts_file.read_text(encoding="utf-8").splitlines() if prompts_file and prompts_file.exists() else []
    made = []
    for path in drawn:
        own = studio.credentials.read(path.read_bytes()).picture
        number = int(path.stem) if path.stem.isdigit() else 0
        prompt = lines[number] if number < len(lines) else "a picture"
        for k in range(per_picture):
            session = ChatSession()
            session.add_user(f"draw {prompt}")
            session.add_picture(
                PictureRecord(
                    "img-1", None, prompt, 0, own.get("model", "embedded"), 10, None, own["decision_id"], path, 0
                )
            )
            words = EDITS[(number + k) % len(EDITS)]
            session.add_user(words)
            outcome = studio.edit(session, "img-1", words)
            if outcome.picture is not None:
                made.append(outcome.picture.path)
    return made


def cli_verify(path: Path, env: dict) -> tuple[int, dict]:
    done = subprocess.run([EASEL, "verify", str(path)], capture_output=True, text=True, env=env)
    return done.returncode, json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--made", type=int, default=300)
    parser.add_argument("--other", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cli-checks", type=int, default=3, help="files of each kind also run through `easel verify`")
    parser.add_argument(
        "--folder",
        type=Path,
        default=None,
        help="verify the pictures an earlier run drew (FOLDER/made/*.png, FOLDER/data) instead of drawing",
    )
    parser.add_argument("--edits", type=int, default=0, help="edits of each drawn picture, made in this process")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.folder or scratch)
        data = folder / "data"
        env = {**os.environ, "EASEL_DATA_DIR": str(data)}
        if args.folder is None:
            lines = prompts(args.made)
            (folder / "prompts.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
            began = time.perf_counter()
            drawn = subprocess.run(
                [EASEL, "draw", "--prompts", str(folder / "prompts.txt"), "--out-dir", str(folder / "made")]
                + ["--seed", str(args.seed)],
                capture_output=True,
                text=True,
                env=env,
            )
            rows = [json.loads(line) for line in drawn.stdout.splitlines() if line.startswith("{")]
            print(f"drew {rows[-1]} in {time.perf_counter() - began:.0f} s", flush=True)
        else:
            rows = [{"path": str(path)} for path in sorted((folder / "made").glob("*.png"))[: args.made]] + [{}]
        work = Path(scratch)
        if args.edits:
            began = time.perf_counter()
            drawn_files = [Path(row["path"]) for row in rows[:-1] if row.get("path")]
            edits = edited_pictures(data, drawn_files, args.edits, folder / "prompts.txt")
            print(f"edited {len(edits)} pictures in {time.perf_counter() - began:.0f} s", flush=True)
            rows = rows[:-1] + [{"path": str(path)} for path in edits] + [{}]

        from chat.settings import Settings
        from policy.cli import _registry

        settings = Settings(data_dir=data)
        registry = _registry(settings)
        credentials = ContentCredentials.from_settings(settings)

        found = right = made = 0
        own_distances, misses, cli_agrees, cli_checked = [], [], 0, 0
        for row in rows[:-1]:
            if not row.get("path"):
                continue
            made += 1
            path = Path(row["path"])
            expected = credentials.read(path.read_bytes()).picture  # its own audit row, from its manifest
            stripped = work / f"stripped-{path.stem}.jpg"
            stripped.write_bytes(strip_jpeg_resize(Image.open(path)))
            answer, _status = verify_file(stripped, registry, credentials)
            found += answer["made_here"]
            is_right = bool(answer["made_here"]) and (answer["decision"] or {}).get("decision_id") == expected.get(
                "decision_id"
            )
            right += is_right
            if answer["distance"] is not None:
                own_distances.append(answer["distance"])
            if not is_right:
                misses.append((row["path"], answer["distance"]))
            if cli_checked < args.cli_checks:
                status, said = cli_verify(stripped, env)
                cli_checked += 1
                cli_agrees += status == 0 and said["picture_id"] == answer["picture_id"]

        pictures, kinds = other_pictures(args.other, rng)
        claimed, other_distances, by_kind = 0, [], {}
        for k, (picture, kind) in enumerate(zip(pictures, kinds, strict=True)):
            path = work / f"other-{k:04d}.{'jpg' if k % 2 else 'png'}"
            if k % 2:
                path.write_bytes(strip_jpeg_resize(picture))
            else:
                picture.save(path)
            answer, _status = verify_file(path, registry, credentials)
            claimed += answer["made_here"]
            by_kind.setdefault(kind, [0, 0])
            by_kind[kind][0] += 1
            by_kind[kind][1] += answer["made_here"]
            if answer["distance"] is not None:
                other_distances.append(answer["distance"])
            if k < args.cli_checks:
                status, said = cli_verify(path, env)
                cli_checked += 1
                cli_agrees += status == 1 and said["made_here"] is False

    own = np.array(own_distances or [0])
    other = np.array(other_distances or [0])
    print(f"own picture after strip+JPEG70+0.75x: distance p50 {np.median(own):.0f}, p99 {np.percentile(own, 99):.0f}")
    print(f"nearest Easel picture to a picture Easel did not make: min {other.min()}, p1 {np.percentile(other, 1):.0f}")
    for path, distance in misses[:10]:
        print(f"  missed: {path} (distance {distance})")
    print(
        json.dumps(
            {
                "made": made,
                "found": round(found / max(1, made), 4),
                "right_row": round(right / max(1, made), 4),
                "other": len(pictures),
                "claimed": round(claimed / max(1, len(pictures)), 4),
                "claimed_by_kind": {kind: f"{c}/{n}" for kind, (n, c) in by_kind.items()},
                "threshold_bits": HASH_THRESHOLD,
                "own_distance_max": int(own.max()),
                "other_distance_min": int(other.min()),
                "cli_agrees": f"{cli_agrees}/{cli_checked}",
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
