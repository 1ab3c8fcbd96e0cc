"""The policy's training corpus: request families in many languages, labelled with harm aspects.

    .venv/bin/python -m policy.training.corpus          # check the files, print counts

Each YAML file under corpus/ holds families: one way of making one request (an intent, a framing),
written as paraphrases in English and a dozen or more other languages, with the aspects it carries
(see policy/aspects.py). Half of the families are allowed look-alikes of a harmful one: the same
words, no harm. `frames.yaml` holds how people ask for a picture in each language ("draw {x}",
"dibuja {x}"); each text is used bare and inside a few frames of its own language.

A family is the unit of held-out measurement: cross-validation folds never split one, so a figure
says how the model does on ways of asking it has never seen.
"""

from __future__ import annotations

import hashlib
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from policy.aspects import ASPECTS, refusal_for

CORPUS_DIR = Path(__file__).with_name("corpus")
FRAMES_FILE = "frames.yaml"
FRAMES_PER_TEXT = 1
MIN_OTHER_LANGUAGES = 8
# libyaml's parser (in PyYAML's wheels) reads the corpus in about 1.4 s instead of 13.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)


class _Family(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    labels: list[str]
    note: str = ""
    framed: bool = True  # False: edits and small talk, which are not put inside "draw {x}"
    # Someone at risk now (the writer, or a friend or relative they ask about) in a family that is
    # allowed: the crisis topic the support answer is for (policy/training/crisis_topic.py).
    # Families labelled self_harm are of that topic without it.
    crisis: bool = False
    texts: dict[str, list[str]] = Field(min_length=1)


class _CorpusFile(BaseModel):
    model_config = ConfigDict(extra="ignore")
    families: list[_Family]


@dataclass(frozen=True)
class Example:
    text: str
    labels: frozenset[str]
    family: str
    language: str


def load_families(folder: Path = CORPUS_DIR) -> list[_Family]:
    families, seen = [], set()
    for path in sorted(folder.glob("*.yaml")):
        if path.name == FRAMES_FILE:
            continue
        for family in _CorpusFile.model_validate(read_yaml(path)).families:
            unknown = set(family.labels) - set(ASPECTS)
            if unknown:
                raise ValueError(f"{path.name}: family {family.id} has unknown labels {sorted(unknown)}")
            if family.crisis and refusal_for(set(family.labels)) is not None:
                raise ValueError(f"{path.name}: family {family.id} is marked crisis but is not allowed (labels are)")
            if family.id in seen:
                raise ValueError(f"{path.name}: family id {family.id} is used twice")
            seen.add(family.id)
            families.append(family)
    return families


def concept_families(per_family: int = 25) -> list[_Family]:
    """Everything the embedded image model can draw ("a syringe", "a pistol", "a skull" too: an
    object alone harms no one), as allowed English families of neighbouring concepts."""
    import json

    from models import EMBEDDED_DIR
    from models.concepts import CONCEPTS_FILE

    catalog = json.loads((EMBEDDED_DIR / CONCEPTS_FILE).read_text(encoding="utf-8"))
    names = [concept["name"] for concept in catalog["concepts"]]
    return [
        _Family(
            id=f"concepts.{start // per_family:03d}",
            labels=[],
            texts={"en": [f"a {n}" for n in names[start : start + per_family]]},
        )
        for start in range(0, len(names), per_family)
    ]


def load_frames(folder: Path = CORPUS_DIR) -> dict[str, list[str]]:
    path = folder / FRAMES_FILE
    if not path.exists():
        return {}
    frames = read_yaml(path)["frames"]
    return {lang: [f for f in items if "{x}" in f and f.strip() != "{x}"] for lang, items in frames.items()}


def _stable_seed(*parts: str) -> int:
    return int.from_bytes(hashlib.sha1("\x00".join(parts).encode()).digest()[:8], "big")


def expand(families: list[_Family], frames: dict[str, list[str]], frames_per_text: int = FRAMES_PER_TEXT):
    """Every text bare, and inside a few request frames of its own language (chosen by a seed
    made from the text, so the corpus is the same on every run)."""
    examples = []
    for family in families:
        labels = frozenset(family.labels)
        for language, texts in family.texts.items():
            for text in texts:
                text = text.strip()
                if not text:
                    continue
                examples.append(Example(text, labels, family.id, language))
                own = frames.get(language, []) if family.framed else []
                rng = random.Random(_stable_seed(family.id, text))
                for frame in rng.sample(own, min(frames_per_text, len(own))):
                    body = text[0].lower() + text[1:] if language == "en" and text[:2] != text[:2].upper() else text
                    examples.append(Example(frame.replace("{x}", body), labels, family.id, language))
    return examples


def fold_of(family_id: str, folds: int) -> int:
    """Which cross-validation fold a family belongs to (families are never split)."""
    return _stable_seed(family_id) % folds


def main(argv: list[str] | None = None) -> int:
    from collections import Counter

    families = load_families() + concept_families()
    frames = load_frames()
    examples = expand(families, frames)
    languages = Counter(language for family in families for language in family.texts)
    thin = [f.id for f in families if len(f.texts) - ("en" in f.texts) < MIN_OTHER_LANGUAGES]
    harmful = sum(1 for f in families if set(f.labels) & set(ASPECTS.refusing()))
    print(f"{len(families)} families ({harmful} with a refusing aspect), {len(examples)} examples")
    print("families per language:", dict(sorted(languages.items(), key=lambda kv: -kv[1])))
    print("families per aspect:", dict(Counter(label for f in families for label in f.labels)))
    if thin:
        print(f"{len(thin)} families with fewer than {MIN_OTHER_LANGUAGES} other languages: {thin[:10]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
