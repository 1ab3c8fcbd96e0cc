"""Harm categories judged by sentence-embedding similarity to examples the team wrote.

The categories, their examples and thresholds live in `categories.yaml` (data, not code). All
examples are embedded once when the classifier is built; a check embeds the request text(s) once
and does two small matrix products: similarity to every refused example (max per category) and
to every allowed example (max over the pool). A category fires when its best refused example is
close enough (its threshold) AND closer than any allowed example by the margin: that is what keeps
"how do I kill a python process" allowed next to "how do I kill a person".
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import torch
import yaml
from pydantic import BaseModel, ConfigDict, Field

from policy.normalize import fold_text, unleet

CATEGORIES_PATH = Path(__file__).with_name("categories.yaml")
HEAD_PATH = Path(__file__).with_name("harm_head.npz")
COMMON_WORD_MAX_ID = 21000


@dataclass(frozen=True)
class Category:
    name: str
    rule: str
    why: str
    alternative: str
    threshold: float
    minor_user_threshold: float
    head_threshold: float  # the trained classifier's probability at which the category refuses
    needs: str | None
    fiction_relief: float  # added to the threshold when the request is set in a game/film/sport
    absurd_relief: float  # added when the request's premise is an impossible feat
    signals: re.Pattern | None  # words one of which must be present for the category to fire
    about: re.Pattern | None  # who the harm is done to, or how it is asked: required to fire at all
    refuse: tuple[str, ...]
    allow: tuple[str, ...]

    def signalled(self, folded_texts: list[str]) -> bool:
        """Does any text carry one of the category's signal words? (None: no gate.)"""
        if self.signals is None:
            return True
        return any(self.signals.search(text) for text in folded_texts)

    def is_about(self, folded_texts: list[str]) -> bool:
        """Does any text name what the category's harm needs (a person, a group, a how-to)?"""
        if self.about is None:
            return True
        return any(self.about.search(text) for text in folded_texts)


class _CategorySpec(BaseModel):
    """One category of categories.yaml, as written (a misspelt key is an error, not a default)."""

    model_config = ConfigDict(extra="forbid")
    rule: str
    why: str
    alternative: str
    threshold: float = Field(ge=0, le=1)
    minor_user_threshold: float | None = Field(default=None, ge=0, le=1)
    head_threshold: float | None = Field(default=None, ge=0, le=1.01)
    needs: Literal["real_person", "minor_user", "minor"] | None = None
    fiction_relief: float = 0.0
    absurd_relief: float = 0.0
    signals: str | None = None
    about: str | list[str] | None = None  # a list: any of its patterns (a shared one and the category's own)
    refuse: list[str] = []
    allow: list[str] = []


class _CategoriesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    margin: float = 0.0
    head_threshold: float = Field(default=0.9, ge=0, le=1.01)
    categories: dict[str, _CategorySpec]
    everyday: list[str] = []


def _any_of(patterns: str | list[str] | None) -> re.Pattern | None:
    if not patterns:
        return None
    joined = patterns if isinstance(patterns, str) else "|".join(f"(?:{p})" for p in patterns)
    return re.compile(r"\b(?:" + joined + ")")


def load_categories(path: Path | str = CATEGORIES_PATH) -> tuple[dict[str, Category], tuple[str, ...], float]:
    data = _CategoriesFile.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    categories = {}
    for name, spec in data.categories.items():
        categories[name] = Category(
            name=name,
            rule=spec.rule,
            why=spec.why,
            alternative=spec.alternative,
            threshold=spec.threshold,
            minor_user_threshold=spec.threshold if spec.minor_user_threshold is None else spec.minor_user_threshold,
            head_threshold=data.head_threshold if spec.head_threshold is None else spec.head_threshold,
            needs=spec.needs,
            fiction_relief=spec.fiction_relief,
            absurd_relief=spec.absurd_relief,
            signals=re.compile(r"\b(?:" + spec.signals + ")") if spec.signals else None,
            about=_any_of(spec.about),
            refuse=tuple(spec.refuse),
            allow=tuple(spec.allow),
        )
    return categories, tuple(data.everyday), data.margin


def folded_variants(texts: list[str]) -> list[str]:
    """What signal patterns run on: plain folded text and its leetspeak-undone twin."""
    return [variant for text in texts for variant in (fold_text(text), unleet(text))]


class TextEmbedder:
    """Mean-pooled, normalised all-MiniLM-L6-v2 embeddings, computed with one forward pass.

    Same numbers as `SentenceTransformer.encode(normalize_embeddings=True)`, but calling the
    tokenizer and transformer directly skips a few milliseconds of per-call overhead, which is a
    large share of the 15 ms budget for a check.
    """

    def __init__(self, encoder, quantize: bool = True):
        self.encoder = encoder
        self.tokenizer = encoder.tokenizer
        transformer = encoder[0].auto_model
        transformer.eval()
        if quantize:
            # int8 weights for the Linear layers: ~2.5x faster on CPU (13 ms -> 5 ms a prompt on
            # the 2-core build machine). A quantised *copy*: the shared encoder is untouched for
            # the image pipeline. Every example is embedded with the same copy, so similarities
            # stay comparable; thresholds are calibrated for it.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                transformer = torch.ao.quantization.quantize_dynamic(
                    transformer, {torch.nn.Linear}, dtype=torch.qint8, inplace=False
                )
        self.transformer = transformer

    def __call__(self, texts: list[str]) -> np.ndarray:
        # One text per forward pass: int8 dynamic quantisation scales activations per batch, so a
        # text's embedding would otherwise depend on which other texts share its batch. Examples
        # and requests must be embedded the same way for their similarities to mean anything.
        return np.concatenate([self._embed_one(text) for text in texts], axis=0)

    def _embed_one(self, text: str) -> np.ndarray:
        batch = self.tokenizer([text], padding=True, truncation=True, max_length=128, return_tensors="pt")
        with torch.inference_mode():
            hidden = self.transformer(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1).numpy()

    def common_words(self) -> frozenset[str]:
        """Ordinary words, from the encoder's own WordPiece vocabulary.

        The vocabulary is roughly ordered by frequency: "rock" is id 2600, "drake" 7867, while
        names such as "rihanna" (25439) sit near the end. Whole words below COMMON_WORD_MAX_ID
        are treated as ordinary words that need evidence before they count as a name.
        """
        return frozenset(
            word
            for word, index in self.tokenizer.get_vocab().items()
            if index < COMMON_WORD_MAX_ID and word.isalpha() and word.islower()
        )


@dataclass(frozen=True)
class CategoryScores:
    refuse: dict[str, float]  # best similarity to each category's refused examples
    allow: dict[str, float]  # best similarity to any allowed example, for the same text
    nearest_allow: str  # the allowed example closest to the request, for the audit log
    probability: dict[str, float] = None  # the trained classifier's probability per harm category


class HarmHead:
    """The trained classifier (policy/training/harm_head.py): logistic regression over the same
    embeddings, one probability per label ("allow" and each harm category). Trained on thousands
    of generated paraphrases, it carries over to wording the hand-written examples never used."""

    def __init__(self, path: Path | str = HEAD_PATH):
        with np.load(path, allow_pickle=False) as data:
            self.classes = [str(c) for c in data["classes"]]
            self.coef = data["coef"].astype(np.float32)
            self.intercept = data["intercept"].astype(np.float32)

    def __call__(self, embeddings: np.ndarray) -> np.ndarray:
        logits = embeddings @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


class HarmClassifier:
    def __init__(self, embedder: TextEmbedder, path: Path | str = CATEGORIES_PATH):
        self.embedder = embedder
        self.categories, everyday, self.margin = load_categories(path)
        self.head = HarmHead() if HEAD_PATH.exists() else None
        refuse_texts, refuse_labels = [], []
        allow_texts = list(everyday)
        for category in self.categories.values():
            refuse_texts += category.refuse
            refuse_labels += [category.name] * len(category.refuse)
            allow_texts += category.allow
        self.refuse_labels = np.array(refuse_labels)
        self.allow_texts = allow_texts
        self.refuse_matrix = embedder(refuse_texts)
        self.allow_matrix = embedder(allow_texts)
        self.category_rows = {name: np.flatnonzero(self.refuse_labels == name) for name in self.categories}
        # Prototypes for "is this prompt about a person?" (used for one-word names like "Drake").
        self.person_matrix = embedder(
            [
                "a photo of a famous person",
                "the singer performing on stage",
                "the actor at a premiere",
                "a portrait of a man",
                "a portrait of a woman",
                "a celebrity walking down the street",
            ]
        )
        self.thing_matrix = embedder(
            [
                "a duck swimming in a pond",
                "a ship on the sea",
                "a rock on the ground",
                "a bird in a tree",
                "a tool on a workbench",
                "a landscape with mountains",
                "a car on a road",
                "a plant in a pot",
            ]
        )

    def score(self, embeddings: np.ndarray) -> CategoryScores:
        """Category scores for one or more texts (rows: the request alone, the request with its
        context). Per category the text with the widest refuse-minus-allow gap speaks, so a
        harmful request cannot hide behind a harmless earlier turn, nor the reverse."""
        refuse_sims = embeddings @ self.refuse_matrix.T  # texts x refused examples
        allow_sims = embeddings @ self.allow_matrix.T  # texts x allowed examples
        allow_best = allow_sims.max(axis=1)  # per text
        refuse, allow = {}, {}
        for name, rows in self.category_rows.items():
            per_text = refuse_sims[:, rows].max(axis=1)
            i = int((per_text - allow_best).argmax())
            refuse[name] = float(per_text[i])
            allow[name] = float(allow_best[i])
        nearest = self.allow_texts[int(allow_sims[0].argmax())]
        probability = {}
        if self.head is not None:
            # Per category the text (alone, or with its context) that the classifier finds most harmful.
            rows = self.head(embeddings).max(axis=0)
            probability = {name: float(p) for name, p in zip(self.head.classes, rows, strict=False) if name != "allow"}
        return CategoryScores(refuse, allow, nearest, probability)

    def shared_topics(self, text: str, earlier: list[str]) -> list[str]:
        """Categories whose signal words are in both the request and the earlier turns ("draw a
        knife" after a threat to stab someone): a new request on the same harmful topic."""
        mine, theirs = folded_variants([text]), folded_variants(earlier)
        return [
            name
            for name, category in self.categories.items()
            if category.signals is not None and category.signalled(mine) and category.signalled(theirs)
        ]

    def person_score(self, embedding: np.ndarray) -> float:
        """Positive when the text reads as about a person rather than an object or animal."""
        return float((self.person_matrix @ embedding).max() - (self.thing_matrix @ embedding).max())
