"""The policy's categories as refusals name them: the rule, why, and an allowed alternative
(categories.yaml, data an operator may edit), and any threshold the operator moved."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from policy.aspects import ASPECTS

CATEGORIES_PATH = Path(__file__).with_name("categories.yaml")


@dataclass(frozen=True)
class Category:
    name: str
    rule: str
    why: str
    alternative: str


class _CategorySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str
    why: str
    alternative: str


class _CategoriesFile(BaseModel):
    """categories.yaml as written: a misspelt key is an error, not a default."""

    model_config = ConfigDict(extra="forbid")
    thresholds: dict[str, float] = Field(default_factory=dict)
    categories: dict[str, _CategorySpec]


def load_categories(path: Path | str = CATEGORIES_PATH) -> tuple[dict[str, Category], dict[str, float]]:
    data = _CategoriesFile.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    unknown = set(data.thresholds) - set(ASPECTS)
    if unknown:
        raise ValueError(f"{path}: thresholds for unknown aspects {sorted(unknown)} (known: {sorted(ASPECTS)})")
    for aspect, value in data.thresholds.items():
        if not 0.0 < value <= 1.0:
            raise ValueError(f"{path}: the threshold for {aspect} must be in (0, 1], not {value}")
    categories = {name: Category(name, spec.rule, spec.why, spec.alternative) for name, spec in data.categories.items()}
    return categories, dict(data.thresholds)
