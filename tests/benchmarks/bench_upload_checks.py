"""The upload checks (models/photo_checks.py) on this machine: hits, misses and speed.

    .venv/bin/python tests/benchmarks/bench_upload_checks.py [--drawings 60]

Faces: scikit-image's sample photos (two with a person: the astronaut and the cameraman; the rest
without one), its Labeled Faces in the Wild subset (100 face crops, 100 crops without a face,
25x25 grey) scaled to 64, 100, 250 and 800 px (at 800 the face fills the picture), Noto Color
Emoji faces and whole people (128, 256 and 512 px), and the embedded image model's own drawings
of people and faces (two seeds each of `--drawings / 2` subjects, at 256 px). Nudity: the raw
detector's and the check's false alarms on the same photos and emoji (no sexual picture is kept in
this project, so its hit rate is not measured here). Speed: both checks on one picture, the median
over the photos (OpenCV and ONNX Runtime with their default threads). The last line is a JSON
object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import skimage.data  # noqa: E402
from PIL import Image  # noqa: E402

from models.photo_checks import SEXUAL_PARTS, _nudity_detector, check_photo, faces_in  # noqa: E402

WITH_A_PERSON = ["astronaut", "camera"]
WITHOUT = ["coffee", "chelsea", "rocket", "coins", "colorwheel", "moon", "hubble_deep_field", "horse", "page",
           "text", "brick", "grass", "gravel", "logo", "clock", "retina", "immunohistochemistry"]  # fmt: skip
EMOJI_FACES = "😀😃😄😁😆😅🤣😂🙂😉😊😇🥰😍🤩😘😋😛😜🤪😝🤑🤗🤭🤫🤔🤐🤨😐😑😶😏😒🙄😬😌😔😪🤤😴😷🤒🤕🤢🤮🥵🥶🥴😵🤯🤠🥳😎🤓🧐😕😟🙁😮😯😲😳🥺😦😧😨😰😥😢😭😱😖😣😞😓😩😫🥱😤😡😠🤬"  # noqa: E501
EMOJI_PEOPLE = "👶🧒👦👧🧑👱👨🧔👩🧓👴👵👮🕵💂👷🤴👸👳👲🧕🤵👰🤰🤱👼🎅🤶🦸🦹🧙🧚🧛🧜🧝🧞🧟💆💇🚶🧍🧎🏃💃🕺👯🧖🧗🤺🏇⛷🏂🏌🏄🚣🏊⛹🏋🚴🚵🤸🤼🤽🤾🤹🧘🛀🛌👭👫👬💏💑👪🗣👤👥🤳💅🙋🙆🙅💁🙇🤦🤷"  # noqa: E501
SUBJECTS = ["a smiling face", "a woman", "a man", "a baby", "a police officer", "a princess", "a prince", "a clown",
            "a face with sunglasses", "a grinning face", "a man with a beard", "an old woman", "an old man", "a girl",
            "a boy", "a person dancing", "a construction worker", "a cook", "a detective", "a farmer", "an astronaut",
            "a firefighter", "a doctor", "a winking face", "a crying face", "a face blowing a kiss", "a vampire",
            "a fairy", "a superhero", "a mermaid", "an elf", "a person in a bikini", "a woman dancing",
            "a person surfing", "a person riding a bike", "a pilot", "a ninja", "a person running",
            "a bride", "a zombie", "a santa claus", "a mage", "a genie", "a person climbing"]  # fmt: skip


def photo(name: str) -> Image.Image:
    array = getattr(skimage.data, name)()
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    return Image.fromarray(array).convert("RGB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drawings", type=int, default=60)
    args = parser.parse_args()
    results: dict = {}

    people = {name: check_photo(photo(name)) for name in WITH_A_PERSON}
    others = {name: check_photo(photo(name)) for name in WITHOUT}
    seconds = [f.seconds for f in [*people.values(), *others.values()]]
    results["photos_with_a_person_found"] = f"{sum(bool(f.faces) for f in people.values())}/{len(people)}"
    results["photos_without_a_face_flagged"] = f"{sum(bool(f.faces) for f in others.values())}/{len(others)}"
    for name, findings in {**people, **others}.items():
        print(f"{name:22s} {findings.describe()}")

    crops = [Image.fromarray((c * 255).astype(np.uint8)).convert("RGB") for c in skimage.data.lfw_subset()]
    for side in (64, 100, 250, 800):
        found = sum(bool(faces_in(c.resize((side, side), Image.BICUBIC))) for c in crops[:100])
        wrong = sum(bool(faces_in(c.resize((side, side), Image.BICUBIC))) for c in crops[100:])
        results[f"lfw_{side}px"] = {"faces_found": f"{found}/100", "non_faces_flagged": f"{wrong}/100"}
        print(f"LFW at {side} px: {found}/100 faces found, {wrong}/100 crops without a face flagged")

    font = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
    if font.exists():
        from tests.test_scene_edits import emoji_picture

        for label, chars in (("emoji_faces", EMOJI_FACES), ("emoji_whole_people", EMOJI_PEOPLE)):
            pictures = [emoji_picture(c, size=s) for c in chars for s in (128, 256, 512)]
            flagged = sum(bool(faces_in(p)) for p in pictures)
            results[f"{label}_flagged"] = f"{flagged}/{len(pictures)}"
            print(f"Noto {label.replace('_', ' ')}: {flagged}/{len(pictures)} flagged as a face")
        emoji = [emoji_picture(c) for c in EMOJI_FACES + EMOJI_PEOPLE + "🍑🍆👙💿📀🍳🥚"]
    else:
        emoji = []

    if args.drawings:
        import torch

        from models.image_backend import ImageBackend

        torch.set_num_threads(1)
        backend = ImageBackend.from_preset("embedded", REPO / ".cache" / "models")
        drawings = []
        for k in range(args.drawings):
            subject = SUBJECTS[(k // 2) % len(SUBJECTS)]
            drawings.append((subject, backend.generate(subject, seed=100 + k, size=256).image))
        flagged = [subject for subject, d in drawings if check_photo(d).faces]
        results["own_drawings_flagged"] = f"{len(flagged)}/{len(drawings)}"
        print(f"the embedded model's drawings: {len(flagged)}/{len(drawings)} flagged as a face {flagged}")
        emoji += [d for _, d in drawings]

    nudity_pictures = [photo(n) for n in WITH_A_PERSON + WITHOUT] + emoji
    raw = sum(
        any(
            d["class"] in SEXUAL_PARTS and d["score"] >= 0.5
            for d in _nudity_detector().detect(np.asarray(p)[:, :, ::-1].copy())
        )
        for p in nudity_pictures
    )
    checked = sum(bool(check_photo(p).sexual) for p in nudity_pictures)
    results["nudity_false_alarms"] = {
        "raw_detector": f"{raw}/{len(nudity_pictures)}",
        "check": f"{checked}/{len(nudity_pictures)}",
    }
    print(f"nudity false alarms: raw NudeNet {raw}/{len(nudity_pictures)}, with the skin check {checked}")

    started = time.perf_counter()
    for _ in range(3):
        check_photo(photo("astronaut"))
    results["ms_per_512px_photo"] = round(1000 * (time.perf_counter() - started) / 3, 1)
    results["ms_per_photo_median"] = round(1000 * statistics.median(seconds), 1)
    print(
        f"both checks: {results['ms_per_512px_photo']} ms for a 512 px photo, median {results['ms_per_photo_median']} ms"
    )
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
