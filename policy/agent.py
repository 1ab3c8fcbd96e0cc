"""The policy agent: every image request passes `PolicyAgent.check` before any pixel is made.

A check reads the request once (`_Reading`): the text as meant, the earlier turns it follows on
from, one multilingual sentence embedding (multilingual-e5-small), and from it the probability of
each harm aspect (policy/aspects.py: sexual, minor, real person, gore, hate, ...), given by a head
trained on a corpus of request families in 27 languages; a request naming a perpetrator of mass
violence is read again with a line on what they did (policy/notorious.py), for violence and hate.
Then it asks, in order:
1. minors + sexual content (absolute): a minor and sexual content anywhere in what the request
   continues, by the learned aspects in any language or by the English word rules;
2. the opt-out registry: registered names however written, and registered people described
   rather than named (by meaning, against the descriptions the registry holds);
3. prompt injection, by rule and by the learned aspect;
4. the policy over the learned aspects (`aspects.refusal_for`): ncii, gore, self-harm, violence,
   weapons and crime, drugs, hate alone; sexual content or a realistic fake event together with
   a real person; stricter thresholds for users under 18.
An edit of an uploaded photo in which a face was found (`source_shows_real_person`) is read as
about a real person, so 4. refuses what it refuses for a named one ("put her in a bikini", "remove
her shirt", and clothes made more revealing); `check_upload` refuses an upload that shows nudity.
The first refusal wins; a request no question refuses is allowed. A `Decision` names the rule,
says why and offers an allowed alternative; refusals never name who is on the registry. Every
decision goes to the audit log with the aspect probabilities. `check_fail_closed` turns any
internal error into a refusal.

Context without stickiness: earlier turns are read only when the request follows on from them
(an edit reads the picture it edits; a pronoun, "same" or a fragment reads the recent turns).
Even then an aspect of the conversation counts for the request only when the request alone leans
that way too, or it completes a fragment; so a refusal never turns a later, unrelated request
into a refusal of another kind. Minors are the exception: a minor anywhere in the turns the
request continues is enough for the absolute rule.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from policy import aspects as aspect_policy
from policy import notorious
from policy.aspects import ADAPTER_PATH, CRISIS_HEAD_PATH, HEAD_PATH, AspectHead, CrisisHead, adapter_fingerprint
from policy.categories import CATEGORIES_PATH, Category, load_categories
from policy.description_reranker import load_description_reranker
from policy.descriptions import (
    DescriptionIndex,
    DescriptionMatch,
    RequestEmbedding,
    embed_request,
    load_description_encoder,
)
from policy.lookalikes import PERSONAL_NOUNS, names_a_thing
from policy.names import NameIndex, NameMatch, given_names, ordinary_words
from policy.normalize import fold_text, readable, respell, romanize, unleet
from policy.registry import OptOutRegistry, new_decision_id
from policy.rules import injection, minors, people, turns

log = logging.getLogger(__name__)

ADULT_AGE = 18
# Earlier turns older than this are not read: drift is judged over the recent conversation.
CONTEXT_TURNS = 4
# An aspect of the conversation counts for a request that does not plainly continue it only when
# the request alone reaches this share of the aspect's threshold ("draw a knife" after a threat).
RELATED_SHARE = 0.3
EMBEDDING_CACHE_SIZE = 2048  # earlier turns' embeddings, so a long chat embeds each turn once
# Descriptions describe people: a request the head gives less than this chance of being about a
# real person (and that names no one) is not compared with them. Every referring request of the
# calibration set and of tests/data/description_heldout.json scores above it (lowest 0.002);
# "a fox riding a bicycle" scores 0.00004.
DESCRIBES_NO_ONE = 0.001
# A capitalised pair that does not open with a given name is a person's name only when the head
# gives the request at least even odds of being about a real person.
NAME_NEEDS_PERSON = 0.5
_PRONOUN = re.compile(
    r"\b(he|she|him|her|his|hers|they|them|their|this person|that person|the person|the man|"
    r"the woman|same person)\b"
)
# Words that make a request continue the conversation rather than start a new one.
_FOLLOW_ON = re.compile(
    r"\b(he|she|him|her|his|hers|it|its|they|them|their|this|that|these|those|same|again|more|less|now|also|too|"
    r"instead|another|still|keep|change|make it|turn it|continue|next|then|as well|this time|the picture|"
    r"the image|the photo|the drawing)\b"
)
FOLLOW_ON_MAX_WORDS = 4

OPTOUT_RULE = "opt-out registry"
OPTOUT_MESSAGE = (
    "I can't depict this person: they have asked not to be depicted (rule: {rule}). "
    'I can draw a fictional person in the same scene instead: "{alternative}".'
)
# When the request cannot be rewritten in the user's own words (a description, a name found only
# in a decoded or transliterated reading), the offer is made without a prompt to quote, and the
# page's "Try instead" button draws the category's stand-in (chat/alternatives.py).
OPTOUT_MESSAGE_UNWRITTEN = (
    "I can't depict this person: they have asked not to be depicted (rule: {rule}). "
    "I can draw a fictional person in the same scene instead: describe them as you like."
)
# Uploads (`PolicyAgent.check_upload`): the category of a picture refused for showing nudity, its
# message, and what an edit of a photo of a real person adds to its audit row's reason.
UPLOAD_CATEGORY = "sexual_upload"
UPLOAD_REFUSAL = (
    "I can't use the picture you attached. Rule: {rule}. Why: {why}. You can attach a different "
    "picture, or ask me to draw something new."
)
EDITS_A_REAL_PERSON = "the picture edited is a photo of a real person (its upload's audit row says why)"
# Is a sentence about a person or about a thing? (a one-word name that is also a word: "Drake")
_PERSON_PROTOTYPES = (
    "a photo of a famous person",
    "the singer performing on stage",
    "the actor at a premiere",
    "a portrait of a man",
    "a portrait of a woman",
    "a woman riding a horse",
    "a man relaxing at the beach",
    "a person giving a speech",
    "a celebrity walking down the street",
)
_THING_PROTOTYPES = (
    "a duck swimming in a pond",
    "a small bird sitting on a branch",
    "a ship on the sea",
    "a rock on the ground",
    "a tool on a workbench",
    "a landscape with mountains",
    "a car on a road",
    "a plant in a pot",
    "a flower in a garden",
)
# The absolute rule refuses on what the conversation shows, so the learned `minor` aspect counts
# there only at even odds or above, whatever its calibrated threshold.
MINOR_FLOOR = 0.5
# Beside a minor and a word for the private parts ("partes íntimas", "интимные места", "性器"), the
# learned `sexual` aspect counts from this bar instead of its calibrated threshold. The words alone
# are no offence (a body-safety poster names them), but the corpus has no sexual requests about
# children told through them, and the head gave children touching each other's private parts
# 0.20-0.84 in 12 of 15 languages (2026-12-06, twenty-first session). Posters that name the parts
# get 0.00-0.97 and stay allowed when the head reads no minor at its bar (docs/policy.md).
INTIMATE_SEXUAL_BAR = 0.15

# The head, the categories and the prototype embeddings are read-only once built, so agents in
# one process (the chat's, `easel draw`'s, a test's) share them.
_shared_lock = threading.Lock()
_shared: dict[tuple, tuple] = {}


def _shared_models(encoder, categories_path, head_path):
    categories_path, head_path = Path(categories_path).resolve(), Path(head_path).resolve()
    key = (id(encoder), str(categories_path), categories_path.stat().st_mtime_ns, str(head_path))
    with _shared_lock:
        if key not in _shared:
            head = AspectHead(head_path)
            categories, moved = load_categories(categories_path)
            head.thresholds.update(moved)
            person, thing = encoder(list(_PERSON_PROTOTYPES)), encoder(list(_THING_PROTOTYPES))
            _shared[key] = (head, categories, person, thing)
        return _shared[key]


@dataclass(frozen=True)
class PolicyRequest:
    prompt: str  # the image prompt or edit instruction
    context: tuple[str, ...] = ()  # earlier user turns, oldest first
    is_edit: bool = False
    source_prompt: str | None = None  # recorded prompt of the image being edited/uploaded context
    user_age: int | None = None
    # The picture being edited is a photo of a real person (an upload in which a face was found,
    # or one the face detector could not check): the edit is judged as an edit of a real person.
    source_shows_real_person: bool = False


@dataclass(frozen=True)
class Decision:
    allowed: bool
    category: str
    reason: str  # for the audit log (operators); may name a registered person
    scores: dict[str, float]
    message: str  # user-facing: names the rule, says why, offers an allowed alternative
    alternative: str | None  # an allowed alternative prompt, usable as a one-click suggestion
    decision_id: str = field(default_factory=new_decision_id)


@dataclass
class _Reading:
    """What every question of a check reads, worked out once per request."""

    agent: PolicyAgent
    request: PolicyRequest
    scores: dict[str, float] = field(default_factory=dict)
    # aspects present only because a perpetrator's gloss said who was named (policy/notorious.py)
    raised_by_gloss: set[str] = field(default_factory=set)

    @cached_property
    def prompt(self) -> str:
        """The request as meant: letter spacing and masked letters undone ("n*ked")."""
        return readable(self.request.prompt or "")

    @cached_property
    def recent(self) -> list[str]:
        """Recent earlier turns and the recorded prompt of the picture being edited."""
        turns_ = list(self.request.context[-CONTEXT_TURNS:])
        return turns_ + ([self.request.source_prompt] if self.request.source_prompt else [])

    @cached_property
    def fragment(self) -> bool:
        return bool(self.recent) and turns.is_fragment(self.prompt)

    @cached_property
    def follows_on(self) -> bool:
        """Does the request continue the recent turns (so they are read with it)?"""
        if not self.recent:
            return False
        if self.request.is_edit or self.fragment:
            return True
        folded = fold_text(self.prompt)
        if _FOLLOW_ON.search(folded):
            return True
        return len(folded.split()) <= FOLLOW_ON_MAX_WORDS and not turns.names_a_new_subject(self.prompt)

    @cached_property
    def earlier(self) -> list[str]:
        """The turns the request is judged together with: none when it starts something new."""
        return self.recent if self.follows_on else []

    @cached_property
    def context_text(self) -> str | None:
        """What the request is read together with: an edit, the picture it edits; anything else,
        the recent turns. (A refused request made no picture, so an edit cannot continue it.)"""
        if not self.recent:
            return None
        if self.request.is_edit and self.request.source_prompt:
            return f"{self.request.source_prompt} {self.prompt}"
        return " ".join(self.request.context[-CONTEXT_TURNS + 1 :] + (self.prompt,))

    @cached_property
    def registry_version(self) -> int:
        """The registry's version, read once per check (a database round trip) for both indexes."""
        return self.agent.registry.version()

    @cached_property
    def request_embedding(self) -> RequestEmbedding:
        """The request's embedding, and its parts' (for descriptions) from the same forward pass
        when descriptions are compared by this encoder."""
        if self.agent.descriptions_share_encoder:
            return embed_request(self.agent.encoder, self.prompt)
        return RequestEmbedding(self.agent.encoder([self.prompt])[0], None)

    @cached_property
    def description_embedding(self) -> RequestEmbedding:
        """The request and its parts by the description encoder: the same forward pass when the
        agent was given one encoder for both, a second one otherwise (only while the registry
        holds descriptions)."""
        if self.agent.descriptions_share_encoder:
            return self.request_embedding
        return embed_request(self.agent.description_encoder, self.prompt)

    @cached_property
    def embedding(self) -> np.ndarray:
        return self.request_embedding.vector

    @cached_property
    def probability(self) -> dict[str, float]:
        """Each aspect's probability for the request, with the conversation where it counts: when
        the request continues it and leans the same way alone (or completes a fragment), or
        leans that way on its own and is not an edit of another picture."""
        head = self.agent.head
        alone = dict(zip(head.aspects, head(self.embedding[None, :])[0].tolist(), strict=True))
        respelled = respell(self.prompt)
        if respelled != self.prompt:
            # "zeichne ein n4cktes K1nd", "гoлoгo" with Latin o: the encoder reads look-alikes as
            # pieces of nothing, so the request is also read as spelled in letters, the higher
            # probability of the two counting (a second forward pass, only for such words)
            again = head(self.agent.embed(respelled)[None, :])[0].tolist()
            alone = {aspect: max(p, q) for (aspect, p), q in zip(alone.items(), again, strict=True)}
            self.scores["respelled"] = 1.0
        alone = self._measures_are_no_ages(self.prompt, alone)
        alone = self._read_with_glosses(self.prompt, alone, "gloss")
        self.scores.update({f"p:{a}": round(p, 4) for a, p in alone.items()})
        if self.context_text is None:
            return alone
        completes = self.follows_on and self.fragment
        counted = [
            aspect
            for aspect, p in alone.items()
            if completes
            or (p >= RELATED_SHARE * head.thresholds[aspect] and (self.follows_on or not self.request.is_edit))
        ]
        if not counted:
            return alone  # nothing the conversation could add to: no second embedding
        together = dict(zip(head.aspects, head(self.agent.embed(self.context_text)[None, :])[0].tolist(), strict=True))
        together = self._measures_are_no_ages(self.context_text, together)
        together = self._read_with_glosses(self.context_text, together, "ctx_gloss")
        self.scores.update({f"ctx:{a}": round(together[a], 4) for a in counted})
        return {aspect: max(p, together[aspect]) if aspect in counted else p for aspect, p in alone.items()}

    def _read_with_glosses(self, text: str, probability: dict[str, float], label: str) -> dict[str, float]:
        """A perpetrator the encoder does not know by name ("fan art of Nikolas Cruz") is read
        again with a line on what they did written after the name; the aspects that line informs
        take the higher reading (a second forward pass, only for texts naming one; policy/notorious.py)."""
        index = notorious.shipped_index()
        glossed = index.glossed(text)
        respelled = respell(text)
        if glossed is None and respelled != text:
            glossed = index.glossed(respelled)  # "Br3nt0n T4rr4nt"
        if glossed is None:
            return probability
        head = self.agent.head
        again = dict(zip(head.aspects, head(self.agent.embed(glossed)[None, :])[0].tolist(), strict=True))
        self.scores.update({f"{label}:{a}": round(again[a], 4) for a in notorious.GLOSSED_ASPECTS})
        for aspect in notorious.GLOSSED_ASPECTS:
            if probability[aspect] < head.thresholds[aspect] <= again[aspect]:
                self.raised_by_gloss.add(aspect)
        return {a: max(p, again[a]) if a in notorious.GLOSSED_ASPECTS else p for a, p in probability.items()}

    def _measures_are_no_ages(self, text: str, probability: dict[str, float]) -> dict[str, float]:
        """A measure is no age: the head reads "make them 5 cm taller" as about a child, so the
        minor aspect of a text with measures is the lower of its readings with and without them (a
        second forward pass, only for such texts); a child named in words is read either way."""
        measured = minors.without_measures(text)
        if measured == text or probability["minor"] < MINOR_FLOOR:
            return probability
        head = self.agent.head
        without = float(head(self.agent.embed(measured)[None, :])[0][head.aspects.index("minor")])
        return {**probability, "minor": min(probability["minor"], without)}

    def present(self, minor_user: bool = False) -> frozenset[str]:
        head = self.agent.head
        thresholds = head.minor_user_thresholds if minor_user else head.thresholds
        return frozenset(a for a, p in self.probability.items() if p >= thresholds[a])

    def earlier_shows(self, aspect: str, threshold: float) -> bool:
        """Does any turn the request continues show this aspect on its own?"""
        head = self.agent.head
        column = head.aspects.index(aspect)
        return any(head(self.agent.embed(turn)[None, :])[0, column] >= threshold for turn in self.earlier)

    @cached_property
    def minor_user(self) -> bool:
        return self.request.user_age is not None and self.request.user_age < ADULT_AGE

    @cached_property
    def real_person(self) -> bool:
        """Is the request about an identifiable real person (named, by public role, or so the
        learned aspect says: a description, a private person, a name in any script)? Not when
        every name in it owns a thing that is shown instead ("NAME's diet plan printed on a
        page"): the same reading the name matcher gives a registered name (policy/lookalikes.py).
        Always, when the picture being edited is a photo of a real person."""
        if self.request.source_shows_real_person:
            return True
        texts = [self.prompt] + self.earlier
        names = [
            (text, name)
            for text in texts
            for name in people.proper_names(text, self.agent.common_words)
            if self._reads_as_a_name(name, text)
        ]
        if names and all(_owns_a_thing(text, name) for text, name in names):
            return False
        if names:
            return True
        if people.mentions_public_role(texts):
            return True
        return "real_person" in self.present() and self._real_person_without_credits()

    def _real_person_without_credits(self) -> bool:
        return self._person_probability_without_credits >= self.agent.head.thresholds["real_person"]

    @cached_property
    def _person_probability_without_credits(self) -> float:
        """The head reads an artist's credit as a real person ("nu couché à la manière de Gustav
        Klimt": real_person 0.90): with credits in the request, what is asked for is read again
        without them (a second forward pass, only for requests that credit an artist)."""
        plain = people.without_artist_credits(self.prompt, self.agent.common_words)
        if plain is None:
            return self.probability["real_person"]
        head = self.agent.head
        p = float(head(self.agent.embed(plain)[None, :])[0, head.aspects.index("real_person")]) if plain else 0.0
        self.scores["p:real_person_without_credits"] = round(p, 4)
        return p

    def _reads_as_a_name(self, pair: str, text: str) -> bool:
        """A capitalised pair is a person's name when it opens with a given name ("Greta
        Lindqvist", "Anders Zorn") or when the head also reads the request as about a real person:
        a museum, a city or a German noun is capitalised too ("Rijksmuseum Amsterdam", "Εθνικό
        Αρχαιολογικό Μουσείο", "Nackte Venus-Statue im Louvre"). In Vietnamese nearly every
        syllable is a given name and every word of a place is capitalised ("Bảo tàng Mỹ thuật Hà
        Nội"), so in a request written in Vietnamese the head decides; so it does where the given
        name is an everyday word before an ordinary word of its language ("donna nuda", Italian: a
        nude woman; "bella thorne nuda" and "mia khalifa desnuda" are names). The head is read
        without artists' credits, which it takes for real people ("nudo di donna alla maniera di
        Tiziano")."""
        first = romanize(pair).split()[:1]  # "Анна Иванова" opens with "anna"
        given = (
            bool(first and first[0] in given_names())
            and not people.written_in_vietnamese(text)
            and not people.everyday_word_here(pair)
        )
        return given or self._person_probability_without_credits >= NAME_NEEDS_PERSON


class PolicyAgent:
    def __init__(
        self,
        db_path: Path | str,
        categories_path: Path | str = CATEGORIES_PATH,
        encoder=None,
        audit: bool = True,
        head_path: Path | str = HEAD_PATH,
        model_cache_dir: Path | str | None = None,
    ):
        from models.multilingual_encoder import load_multilingual_encoder

        self.registry = OptOutRegistry(db_path)
        self._description_encoder = encoder  # a given encoder does both jobs
        self._model_cache_dir = model_cache_dir
        if encoder is None:
            # The head reads embeddings of the encoder it was trained with: the adapters too, if any.
            tuned = AspectHead(head_path).info.get("adapter", False)
            adapter = Path(head_path).with_name(ADAPTER_PATH.name) if tuned else None
            encoder = load_multilingual_encoder(adapter=adapter, cache_dir=model_cache_dir)
            self._description_encoder = None  # its own adapters (`description_encoder`)
            self._crisis_head_path = Path(head_path).with_name(CRISIS_HEAD_PATH.name) if tuned else None
        else:
            self._crisis_head_path = None  # a given encoder: no head was trained on its embeddings
        self.encoder = encoder
        self.descriptions_share_encoder = self._description_encoder is encoder
        self.head, self.categories, self._person, self._thing = _shared_models(self.encoder, categories_path, head_path)
        self.common_words = ordinary_words()
        self.audit = audit
        self._index_lock = threading.Lock()
        self._index_version = -1
        self._index = NameIndex()
        self._descriptions_version = -1
        self._descriptions: DescriptionIndex | None = None
        self._cache_lock = threading.Lock()
        self._embeddings: OrderedDict[str, np.ndarray] = OrderedDict()

    @classmethod
    def from_settings(cls, settings) -> PolicyAgent:
        return cls(settings.database_path, model_cache_dir=settings.model_cache_dir)

    def embed(self, text: str) -> np.ndarray:
        """One text's embedding; earlier turns come back at every request of a chat, so recent
        texts are remembered."""
        with self._cache_lock:
            known = self._embeddings.get(text)
            if known is not None:
                self._embeddings.move_to_end(text)
                return known
        row = self.encoder([text])[0]
        with self._cache_lock:
            self._embeddings[text] = row
            while len(self._embeddings) > EMBEDDING_CACHE_SIZE:
                self._embeddings.popitem(last=False)
        return row

    def aspect_probabilities(self, text: str) -> dict[str, float]:
        """What a message is about, as the head reads it alone (letter spacing and masked letters
        undone, look-alike spellings read as letters; no rules, no conversation): for callers that
        ask what a message is about, not whether a picture of it may be made. The respelled
        reading alone: digits read as digits make the head guess ("how to m4ke m3th" reads
        self_harm 0.55 as typed, drugs 1.00 respelled), and a topic is not failed closed."""
        row = self.head(self.embed(respell(readable(text)))[None, :])[0]
        return dict(zip(self.head.aspects, (float(p) for p in row), strict=True))

    def crisis_probability(self, text: str) -> tuple[float, float] | None:
        """How likely a message is about someone at risk of suicide or self-harm now, and the bar
        the crisis head's held-out families chose; None without a crisis head trained on the
        adapters this agent reads (another adapter's embeddings mean something else to it)."""
        head = self._crisis_head
        if head is None:
            return None
        return float(head(self.embed(respell(readable(text)))[None, :])[0]), head.bar

    @cached_property
    def _crisis_head(self) -> CrisisHead | None:
        """The crisis head beside the aspect head, if it was trained on the adapters this agent
        reads (looked for once)."""
        path = self._crisis_head_path
        if path is None or not path.exists():
            return None
        head = CrisisHead(path)
        if head.info.get("adapter") != adapter_fingerprint(path.with_name(ADAPTER_PATH.name)):
            log.warning("%s was trained on other adapters; the support check uses self_harm alone", path)
            return None
        return head

    # -- the opt-out index, rebuilt only when the registry changed -------------------------------

    def name_index(self, version: int | None = None) -> NameIndex:
        """The name index at the registry's `version` (read now when not given)."""
        version = self.registry.version() if version is None else version
        if version != self._index_version:
            with self._index_lock:
                if version != self._index_version:
                    version, registered = self.registry.snapshot()
                    # A few opt-outs more or less are applied in place (milliseconds); the index
                    # is built anew at first and when retired keys pile up.
                    if self._index_version < 0 or len(self._index.dead) > len(self._index.keys) // 10:
                        self._index = NameIndex.build(registered)
                    else:
                        self._index.update(registered)
                    self._index_version = version
        return self._index

    @property
    def description_encoder(self):
        """The encoder descriptions are compared with: multilingual-e5-small with the description
        adapters (`policy/descriptions.py`), not the policy's aspect adapters. Those teach the
        encoder what a request is about (its aspects), not whom it picks out: with them, 26% of
        the team's ordinary policy cases matched one of 100 registered descriptions."""
        if self._description_encoder is None:
            self._description_encoder = load_description_encoder(cache_dir=self._model_cache_dir)
        return self._description_encoder

    def _description_reranker(self):
        """The reranker that reads the closest description with the request
        (`policy/description_reranker.py`); none for an agent given its encoder (a test double
        or another model: the reranker's thresholds are chosen with the description encoder)."""
        if self.descriptions_share_encoder:
            return None
        return load_description_reranker(cache_dir=self._model_cache_dir, share_with=self.description_encoder)

    def description_index(self, version: int | None = None) -> DescriptionIndex | None:
        """How registered people are described ("the actor who played X in Y"), embedded once and
        updated in place when the registry changes; None while the registry holds none (the
        description encoder is then never loaded). `version`: the registry's, when already read."""
        version = self.registry.version() if version is None else version
        if version != self._descriptions_version:
            with self._index_lock:
                if version != self._descriptions_version:
                    version, pairs = self.registry.description_snapshot()
                    if self._descriptions is None and pairs:
                        self._descriptions = DescriptionIndex.build(
                            pairs, self.description_encoder, reranker=self._description_reranker()
                        )
                    elif self._descriptions is not None:
                        self._descriptions.update(pairs)
                    self._descriptions_version = version
        return self._descriptions

    # -- the check -----------------------------------------------------------------------------

    def check(self, request: PolicyRequest) -> Decision:
        decision = self._decide(request)
        if request.source_shows_real_person:  # the audit log says why the edit was read so
            decision = replace(decision, reason=f"{decision.reason}; {EDITS_A_REAL_PERSON}")
        if self.audit:
            self.registry.record(decision, request)
        return decision

    def check_upload(self, findings, description: str = "an uploaded picture", user_age: int | None = None) -> Decision:
        """An uploaded picture, judged on what the photo checks found in it (`PhotoFindings` of
        models/photo_checks.py). One that shows nudity is refused outright; any other is kept,
        and `upload_shows_real_person(findings)` says whether its edits are judged as edits of
        a real person. The detectors' findings are the audit row's reason."""
        found = findings.describe()
        scores = {
            "upload_faces": float(len(findings.faces)),
            "upload_face": findings.faces[0].score if findings.faces else 0.0,
            "upload_nudity": findings.sexual[0].score if findings.sexual else 0.0,
            "real_person": float(upload_shows_real_person(findings)),
        }
        if findings.sexual:
            category = self.categories[UPLOAD_CATEGORY]
            message = UPLOAD_REFUSAL.format(rule=category.rule, why=category.why)
            decision = Decision(False, UPLOAD_CATEGORY, found, scores, message, None)
        else:
            decision = Decision(True, "allowed", found, scores, "", None)
        if self.audit:
            self.registry.record(decision, PolicyRequest(prompt=description, user_age=user_age))
        return decision

    def _decide(self, request: PolicyRequest) -> Decision:
        reading = _Reading(self, request)
        for question in (self._minors_and_sexual_content, self._opted_out_people, self._learned_aspects):
            decision = question(reading)
            if decision is not None:
                if decision.category == "sexual_minors" and self._disguised_name_misread(reading):
                    return self._opted_out_people(reading) or decision
                return decision
        return Decision(True, "allowed", "no aspect of the policy applies", reading.scores, "", None)

    # -- the questions, in order ---------------------------------------------------------------

    def _minors_and_sexual_content(self, reading: _Reading) -> Decision | None:
        """Absolute. The minor may be named in an earlier turn or in the image being edited
        ("make her look 13" ... "now make her pose seductively"), or the other way round."""
        prompt, earlier = reading.prompt, reading.earlier
        if not earlier and (turns.starts_without_subject(prompt) or minors.short_sexual_request(prompt)):
            # "getting changed after the game", "теперь сделай её без одежды": the subject is from before
            earlier = reading.recent
        sexual = self.reads_sexual(reading)
        minor_now = self.reads_minor(reading)
        sexual_bar, minor_bar = self.head.thresholds["sexual"], self._minor_bar()
        minor_before = minors.mentions_minor(earlier) or (bool(earlier) and reading.earlier_shows("minor", minor_bar))
        younger = minor_now or (minors.lowers_age([prompt]) and not minors.names_adult_age([prompt]))
        sexual_before = bool(earlier) and (
            minors.is_sexual(earlier)
            or minors.shows_revealing_clothes(earlier)
            or reading.earlier_shows("sexual", sexual_bar)
        )
        if (sexual and (minor_now or minor_before or minors.mentions_girl([prompt] + earlier))) or (
            younger and sexual_before
        ):
            return self._refuse("sexual_minors", reading, "a minor together with sexual or suggestive content")
        if minors.reveals_more([prompt]) and (minor_now or minor_before) and not minors.names_adult_age([prompt]):
            # "in her underwear" after "my little sister", "make the dress shorter and tighter" on a child
            return self._refuse("sexual_minors", reading, "a minor in revealing clothes")
        if minors.in_unclothed_setting(prompt) and (minor_now or minor_before):
            return self._refuse("sexual_minors", reading, "a child in a shower or a changing room")
        return None

    def absolute_rule_halves(self, prompt: str) -> dict[str, bool]:
        """What each half of the absolute rule reads in one request alone: {"minor", "sexual"}, where
        "sexual" is anything the rule refuses beside a child: sexual or suggestive content, more of
        the body shown ("in her underwear"), or an unclothed setting (a shower, a changing room)."""
        reading = _Reading(self, PolicyRequest(prompt=prompt))
        sexual = (
            self.reads_sexual(reading)
            or minors.reveals_more([reading.prompt])
            or minors.in_unclothed_setting(reading.prompt)
        )
        return {"minor": self.reads_minor(reading), "sexual": sexual}

    def reads_sexual(self, reading: _Reading) -> bool:
        """The request itself asks for sexual or suggestive content (one half of the absolute rule;
        tests/benchmarks/bench_minor_rule.py measures each half alone on harmless requests). The
        learned aspect counts at its calibrated threshold: a lower bar next to a child read
        innocent scenes as sexual (the head learned that the two often come together). The word
        lists (English, and minor_words.yaml for 48 other languages) stay beside it."""
        prompt, probability = reading.prompt, reading.probability
        return (
            minors.is_sexual([prompt])
            or probability["sexual"] >= self.head.thresholds["sexual"]
            or (probability["sexual"] >= INTIMATE_SEXUAL_BAR and minors.names_intimate_parts([prompt]))
        )

    def reads_minor(self, reading: _Reading) -> bool:
        """The request itself speaks of someone under 18 (the other half). The learned aspect does
        not count against an adult the request names ("una ragazza di 25 anni", "成年女性", "make
        her older, like 30"); the word lists still do ("a 30 year old dressed as a 12 year old")."""
        prompt = reading.prompt
        return minors.mentions_minor([prompt]) or (
            reading.probability["minor"] >= self._minor_bar() and not minors.names_an_adult([prompt])
        )

    def _minor_bar(self) -> float:
        return max(self.head.thresholds["minor"], MINOR_FLOOR)

    def _disguised_name_misread(self, reading: _Reading) -> bool:
        """A registered name written in disguise ("eromnuD lavicreP", a name backwards) is noise to
        the head, which may read anything into it (sexual 0.90, minor 0.93 for a beach): when the
        absolute rule rests on the learned aspects alone, the rule that certainly applies, the
        opt-out, is the one cited. The word lists' evidence is never set aside."""
        prompt = reading.prompt
        if minors.is_sexual([prompt]) or minors.mentions_minor([prompt] + reading.earlier):
            return False
        folded = fold_text(prompt)
        return any(match.matched not in folded for match in self.name_index(reading.registry_version).find(prompt))

    def _opted_out_people(self, reading: _Reading) -> Decision | None:
        """Registered people, however written. Earlier turns count when the request refers back
        to someone ("now put him on a horse") or edits an image that shows them. A registered
        name is refused in every role, also as an artist's credit ("in the style of NAME"): a
        credit cannot be told from a subject ("a dog sitting by NAME"), and a portraitist's style
        is largely their own likeness."""
        index = self.name_index(reading.registry_version)
        prompt = reading.prompt
        texts = [prompt]
        if reading.request.source_prompt:
            texts.append(reading.request.source_prompt)
        if reading.request.context and _PRONOUN.search(fold_text(prompt)):
            texts += reading.request.context[-CONTEXT_TURNS:]
        for text in texts:
            folded = fold_text(text)
            for match in index.find(text):
                if names_a_thing(match, folded, _possessed(text, match.matched, match.after), prompt=text):
                    continue  # "the Frida Kahlo Museum", "USS Ronald Reagan"
                if match.needs_person_context and not self._names_a_person_here(match, text, reading):
                    continue  # "a drake swimming in a pond"
                reading.scores["optout_match"] = 1.0
                return self._refuse_optout(match, reading)
        descriptions = self.description_index(reading.registry_version)
        if descriptions is None or not len(descriptions):
            return None
        if reading.probability.get("real_person", 1.0) < DESCRIBES_NO_ONE and not reading.real_person:
            return None  # "a fox on a bicycle": no one to describe, no second forward pass
        embedding = reading.description_embedding
        described = descriptions.match(prompt, embedding.vector, embedding.spans)
        if described is not None:
            reading.scores["optout_description"] = round(described.score, 4)
            if described.probability is not None:
                reading.scores["optout_description_pair"] = round(described.probability, 4)
            return self._refuse_described(described, reading)
        return None

    def _learned_aspects(self, reading: _Reading) -> Decision | None:
        """The policy over the aspects the head finds (aspects.refusal_for), after the rule on
        prompt injection; users under 18 also meet the lower thresholds."""
        present = set(reading.present())
        if injection.is_injection(reading.prompt):
            present.add("injection")
        present.discard("real_person")  # decided by `reading.real_person`, which weighs names too
        if "minor" in present and minors.names_an_adult([reading.prompt]):
            present.discard("minor")  # "una ragazza di 25 anni", "成年女性": as in _minors_and_sexual_content
        if reading.real_person:
            present.add("real_person")
            if minors.is_sexual([reading.prompt]):
                present.add("sexual")  # the absolute rule's sexual-content words count here too
            if reading.request.source_shows_real_person and minors.reveals_more([reading.prompt]):
                present.add("sexual")  # a real person's photo with clothes made more revealing
        reading.scores["real_person"] = float("real_person" in present)
        category = aspect_policy.refusal_for(present)
        if category is not None and _refused_for_who_was_named(category, present, reading.raised_by_gloss):
            category = "glorified_perpetrator"
        if category is None and reading.minor_user:
            for aspect in reading.present(minor_user=True):
                category = category or aspect_policy.MINOR_USER_CATEGORIES.get(aspect)
            if category is None and minors.is_gory([reading.prompt]):
                category = "gore_for_minor_users"
        if category is None:
            return None
        return self._refuse(category, reading)

    def _names_a_person_here(self, match: NameMatch, text: str, reading: _Reading) -> bool:
        """Is a name that is also an ordinary word ("Swift", "Macron") used for a person here? The
        prototypes are English sentences, so the request is also read as written (not only as the
        name was found: folded, or romanized from another script), and the head's real-person
        aspect, learned in every language, may say so ("vẽ Macron trên bãi biển", 0.91)."""
        if match.read_in_latin and not _written_plainly(text, match.matched):
            return True  # "Tr\u200dump", "7rump": nobody disguises a bird; hiding the word is the tell
        # at the head's own bar: a bird, a ship or a diacritic reads 0.00-0.03, but "Drake
        # swimming in a pond" 0.70 (the encoder knows the rapper)
        real_person = reading.probability.get("real_person", 0.0)
        if text == reading.prompt and real_person >= self.head.thresholds["real_person"]:
            return True
        if match.needs_real_person:
            return False
        return self._about_a_person(text) or (bool(match.reading) and self._about_a_person(match.reading))

    def _about_a_person(self, text: str) -> bool:
        """Is the sentence about a person (so an ordinary word in it is a name)?"""
        row = self.embed(text)
        return float((self._person @ row).max() - (self._thing @ row).max()) > 0

    # -- decisions -----------------------------------------------------------------------------

    def _refuse(self, name: str, reading: _Reading, why: str | None = None) -> Decision:
        reading.probability  # noqa: B018 - the audit log keeps every decision's aspect scores
        category = self.categories.get(name) or Category(
            name, name.replace("_", " "), "the request is outside the policy", "a different, harmless scene"
        )
        why = why or category.why
        message = (
            f"I can't make this image. Rule: {category.rule}. Why: {why}. I can make {category.alternative} instead."
        )
        return Decision(False, name, why, reading.scores, message, category.alternative)

    def _refuse_optout(self, match: NameMatch, reading: _Reading) -> Decision:
        """The message never names the person or says which words matched: a refusal must not
        work as a look-up of who is on the registry, nor reveal the real name behind an alias."""
        rewritten = _replace_name(reading.prompt, match.matched)
        reason = f"{match.name} is on the opt-out registry (matched {match.how}: {match.matched!r})"
        if rewritten is None:
            message = OPTOUT_MESSAGE_UNWRITTEN.format(rule=OPTOUT_RULE)
            return Decision(False, "optout_person", reason, reading.scores, message, None)
        message = OPTOUT_MESSAGE.format(rule=OPTOUT_RULE, alternative=rewritten)
        return Decision(False, "optout_person", reason, reading.scores, message, rewritten)

    def _refuse_described(self, match: DescriptionMatch, reading: _Reading) -> Decision:
        """A registered person described rather than named: the same refusal, which names neither
        the person nor the description."""
        reason = f"{match.name} is on the opt-out registry (described: {match.description!r} ~ {match.matched!r})"
        message = OPTOUT_MESSAGE_UNWRITTEN.format(rule=OPTOUT_RULE)
        return Decision(False, "optout_person", reason, reading.scores, message, None)


def _locate(prompt: str, matched: str) -> tuple[list[str], int, int] | None:
    """The prompt's words and the first span that spells the matched words (None when the match
    was found in a decoded or transliterated reading of the prompt)."""
    return next(_locations(prompt, matched), None)


def _locations(prompt: str, matched: str):
    """(the prompt's words, start, end) for every span that spells the matched words."""
    target = "".join(matched.split())
    words = prompt.split()
    folded = ["".join(unleet(word).split()) for word in words]
    for start in range(len(words)):
        joined = ""
        for end in range(start, min(start + 12, len(words))):
            joined += folded[end]
            if joined == target:
                yield words, start, end
            if len(joined) >= len(target):
                break


def _written_plainly(text: str, matched: str) -> bool:
    """Are the matched words written as they are read, letters only (not "Tr\u200dump", "7rump",
    "T-R-U-M-P")? Case and accents aside."""
    plain = " ".join(re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKD", text.casefold())))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.search(rf"\b{re.escape(matched)}\b", plain) is not None and not re.search(
        r"[\u200b-\u200f\u2060\u00ad\d]", _span_around(text, matched)
    )


def _span_around(text: str, matched: str) -> str:
    """The raw characters of the text where the matched letters are spelled (or the text)."""
    letters = "".join(matched.split())
    raw = text.casefold()
    pattern = r"[\W\d_]*".join(re.escape(ch) for ch in letters)
    found = re.search(pattern, raw)
    return found.group() if found else raw


def _possessed(prompt: str, matched: str, after: tuple[str, ...] | None = None) -> str | None:
    """The word after a possessive name ("NAME's diet" -> "diet"), folded, or None. With `after`
    (the words a match found after the name), at that occurrence: in "NAME's stunt double, with
    NAME watching" the second one owns nothing."""
    for words, _, end in _locations(prompt, matched):
        if after is not None:
            following = fold_text(" ".join(words[end + 1 : end + 1 + len(after)])).split()
            if tuple(following[: len(after)]) != tuple(after[: len(following)]):
                continue
        if end + 1 < len(words) and re.search(r"['\u2019]s?\W*$", words[end]):
            return fold_text(words[end + 1]) or None
        return None
    return None


def _owns_a_thing(text: str, name: str) -> bool:
    """Is the name written as the owner of a thing that is shown instead of them ("NAME's
    cookbook", not "NAME's face" or "NAME's wedding")?"""
    possessed = _possessed(text, fold_text(name))
    return possessed is not None and possessed not in PERSONAL_NOUNS


def _replace_name(prompt: str, matched: str) -> str | None:
    """The prompt with the matched words replaced by 'a fictional person', when they can be
    located in the prompt as written (not for decoded or transliterated matches)."""
    located = _locate(prompt, matched)
    if located is None:
        return None
    words, start, end = located
    possessive = "'s" if re.search(r"['\u2019]s?\W*$", words[end]) else ""
    return " ".join(words[:start] + ["a fictional person" + possessive] + words[end + 1 :])


def _refused_for_who_was_named(category: str, present: set[str], raised_by_gloss: set[str]) -> bool:
    """Is the request refused only because of who it names: a picture of a listed killer that
    reads as violence or hate once the encoder is told who he is (fan art, a tribute), not for
    what it asks in its own words? Its refusal then says so, and offers a memorial instead."""
    refusing = {aspect for aspect in present if aspect in aspect_policy.REFUSED_ALONE}
    return category in ("violent_harm", "hate") and bool(refusing) and refusing <= raised_by_gloss


def upload_shows_real_person(findings) -> bool:
    """Is an uploaded picture judged as a photo of a real person? When a face was found in it,
    and also when the face or the nudity detector could not run (fail closed: the edits that
    would then be refused are those refused for any real person)."""
    return bool(findings.faces) or findings.face_error is not None or findings.sexual_error is not None


def refusal_on_error(error: BaseException) -> Decision:
    return Decision(
        allowed=False,
        category="policy_error",
        reason=f"policy check failed: {type(error).__name__}",
        scores={},
        message="I couldn't check this request against the safety policy just now, so I won't make "
        "the image. Please try again in a moment.",
        alternative=None,
    )


def check_fail_closed(agent, request) -> Decision:
    """The agent's decision, or a refusal when anything inside fails (never raises)."""
    try:
        decision = agent.check(request)
        if not isinstance(decision, Decision):
            raise TypeError("policy agent returned no Decision")
        return decision
    except Exception as error:  # noqa: BLE001 - fail closed on every error, by design
        return refusal_on_error(error)
