"""What a request is about, learned: the harm aspects and the policy over them.

A trained head (policy/training/aspect_head.py) reads one multilingual sentence embedding and gives
a probability for each aspect below. Aspects are facts about the request ("a minor is shown",
"it is sexual"), not verdicts: the policy is the small table in `refusal_for`, which says which
aspects, alone or together, a refusal needs. Sexual content about a fictional adult is allowed;
with a minor it is refused absolutely; with a real person it is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HEAD_PATH = Path(__file__).with_name("aspect_head.npz")
ADAPTER_PATH = Path(__file__).with_name("encoder_adapter")  # LoRA adapters the head was trained with
CRISIS_HEAD_PATH = Path(__file__).with_name("crisis_head.npz")  # policy/training/crisis_topic.py


def perceptron(embeddings, w1, b1, w2, b2) -> np.ndarray:
    """The heads' two layers: ReLU, then one sigmoid per output. Plain numpy, two small matrix
    products; the training code's `predict` is the same function over a weights dict."""
    hidden = np.maximum(embeddings @ w1 + b1, 0.0)
    return 1.0 / (1.0 + np.exp(-(hidden @ w2 + b2)))


def adapter_fingerprint(adapter_dir: Path) -> str:
    """Which adapters an embedding was made with (they change what every vector means): the
    first 12 hex digits of their weights' SHA-1."""
    return hashlib.sha1((adapter_dir / "adapter_model.safetensors").read_bytes()).hexdigest()[:12]


class _Aspects(dict):
    def refusing(self) -> list[str]:
        """Aspects that are refused on their own, whoever is shown."""
        return [name for name in self if name in REFUSED_ALONE]


ASPECTS = _Aspects(
    sexual="nudity, sexual acts, erotic posing, clothes made revealing",
    minor="a child or teenager is shown or is the subject",
    real_person="a specific, identifiable real person (named, described, or a private person)",
    fabricated_event="a realistic fake of a newsworthy event: arrest, crime, death, bribe, endorsement",
    ncii="intimate images without consent: undressing someone, hidden cameras, sexual violence",
    gore="graphic gore meant to shock",
    self_harm="showing, encouraging or instructing self-harm or suicide",
    violence="threats or intent to hurt people, glorified massacres",
    weapons_crime="instructions for weapons, explosives, poisons or serious crime",
    drugs="buying, selling or making illegal drugs",
    hate="propaganda, glorification, or images that demean a group",
    injection="an attempt to switch off or get round the safety rules",
)

# aspect -> the policy category that refuses it (categories.yaml holds each one's message)
REFUSED_ALONE = {
    "ncii": "ncii_nonconsensual",
    "gore": "graphic_gore",
    "self_harm": "self_harm",
    "violence": "violent_harm",
    "weapons_crime": "weapons_crime_instructions",
    "drugs": "drugs_illegal_goods",
    "hate": "hate",
    "injection": "prompt_injection",
}


# Users under 18 get stricter rules: these aspects are refused at lower thresholds, under their
# own categories.
MINOR_USER_CATEGORIES = {"sexual": "suggestive_for_minor_users", "gore": "gore_for_minor_users"}


def refusal_for(present: set[str] | frozenset[str]) -> str | None:
    """The policy over aspects: the category a request with these aspects is refused under, or
    None when it is allowed. The order is the order of severity (the first that applies names
    the rule in the refusal)."""
    if "sexual" in present and "minor" in present:
        return "sexual_minors"
    if "sexual" in present and "real_person" in present:
        return "sexualized_real_person"
    for aspect, category in REFUSED_ALONE.items():
        if aspect in present:
            return category
    if "fabricated_event" in present and "real_person" in present:
        return "deceptive_real_person"
    return None


@dataclass(frozen=True)
class AspectScores:
    probability: dict[str, float]
    present: frozenset[str]  # aspects at or above their calibrated threshold


class AspectHead:
    """A two-layer perceptron over the sentence embedding, one sigmoid per aspect, with the
    thresholds calibrated on families held out during training. Plain numpy: a check costs two
    small matrix products."""

    def __init__(self, path: Path | str = HEAD_PATH):
        with np.load(path, allow_pickle=False) as data:
            self.aspects = [str(a) for a in data["aspects"]]
            self.w1, self.b1 = data["w1"].astype(np.float32), data["b1"].astype(np.float32)
            self.w2, self.b2 = data["w2"].astype(np.float32), data["b2"].astype(np.float32)
            self.thresholds = dict(zip(self.aspects, data["thresholds"].astype(float).tolist(), strict=True))
            self.minor_user_thresholds = dict(
                zip(self.aspects, data["minor_user_thresholds"].astype(float).tolist(), strict=True)
            )
            self.info = json.loads(str(data["info"]))
        unknown = set(self.aspects) - set(ASPECTS)
        if unknown:
            raise ValueError(f"{path}: the head knows aspects the policy does not: {sorted(unknown)}")

    def __call__(self, embeddings: np.ndarray) -> np.ndarray:
        """Probabilities, one row per embedding, one column per aspect (self.aspects order)."""
        return perceptron(embeddings, self.w1, self.b1, self.w2, self.b2)

    def scores(self, probability_row: np.ndarray, minor_user: bool = False) -> AspectScores:
        thresholds = self.minor_user_thresholds if minor_user else self.thresholds
        probability = {name: float(p) for name, p in zip(self.aspects, probability_row, strict=True)}
        return AspectScores(probability, frozenset(a for a, p in probability.items() if p >= thresholds[a]))


class CrisisHead:
    """Is a message about someone at risk of suicide or self-harm now (the writer, or someone they
    ask about)? A topic, not a harm: it chooses the support answer and never refuses anything.
    Trained on the same tuned embeddings as the aspect head (policy/training/crisis_topic.py)."""

    def __init__(self, path: Path | str = CRISIS_HEAD_PATH):
        with np.load(path, allow_pickle=False) as data:
            self.w1, self.b1 = data["w1"].astype(np.float32), data["b1"].astype(np.float32)
            self.w2, self.b2 = data["w2"].astype(np.float32), data["b2"].astype(np.float32)
            self.bar = float(data["bar"])
            self.info = json.loads(str(data["info"]))

    def __call__(self, embeddings: np.ndarray) -> np.ndarray:
        return perceptron(embeddings, self.w1, self.b1, self.w2, self.b2)[:, 0]
