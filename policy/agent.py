"""The policy agent: every image request passes `PolicyAgent.check` before any pixel is made.

A check reads the request once (`_Reading`: its text, the earlier turns it follows on from, the
sentence embedding, the registered names in it) and then asks ordered questions, each of which
returns a refusal or passes:
1. minors + sexual content (explicit rule, absolute; also over the turns the request follows on),
2. the opt-out registry (names however written, also in the image being edited), unless the
   words name a thing that shares the name (policy/lookalikes.py),
3. prompt injection ("ignore the policy"),
4. real people in sexual scenes or realistic fakes of newsworthy events,
5. harmful intent written out plainly (violence against people, drug buying, crime, self-harm,
   glorifying atrocities, coded hate: explicit patterns in rules.py),
6. harm categories by embedding similarity (categories.yaml), with the stricter thresholds and
   extra categories for users under 18.
The first refusal wins; a request no question refuses is allowed. A `Decision` names the rule,
says why and offers an allowed alternative; refusals never name who is on the registry. Every
decision goes to the audit log. `check_fail_closed` turns any internal error into a refusal.

Context without stickiness: earlier turns are read only when the request follows on from them
(it is an edit, refers back with a pronoun or "same", is a fragment, or is about the same thing
by embedding). A new, unrelated request after a refusal is judged on its own.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from policy import rules
from policy.classifier import CATEGORIES_PATH, HarmClassifier, TextEmbedder, folded_variants
from policy.lookalikes import names_a_thing
from policy.names import NameIndex, NameMatch
from policy.normalize import fold_text, readable, unleet
from policy.registry import OptOutRegistry, new_decision_id

ADULT_AGE = 18
# Earlier turns older than this are not read: drift is judged over the recent conversation.
CONTEXT_TURNS = 4
# A request this similar (cosine) to the recent turns is about the same thing.
SAME_TOPIC_SIMILARITY = 0.5
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
TURN_CACHE_SIZE = 4096  # earlier turns whose decision on their own is remembered
HEAD_MAX_ALLOW_LEAD = 0.0  # how much closer an allowed example may be before the classifier is ignored
HEAD_MAX_ALLOW_LEAD_WITH_NEED = 0.05
HEAD_UNSIGNALLED_THRESHOLD = 0.97  # the classifier alone, with none of the category's words present
HORROR_ART_RELIEF = 0.15  # horror art for a novel, film or game is art, not gore meant to shock

OPTOUT_RULE = "opt-out registry"
OPTOUT_MESSAGE = (
    "I can't depict this person: they have asked not to be depicted (rule: {rule}). "
    'I can draw a fictional person in the same scene instead: "{alternative}".'
)


# The quantised encoder copy and the embedded examples are read-only once built, so agents in one
# process (the chat's, `easel draw`'s, a test's) share them instead of re-embedding every example.
_shared_lock = threading.Lock()
_shared: dict[tuple, tuple] = {}


def _shared_models(encoder, categories_path) -> tuple[TextEmbedder, HarmClassifier, frozenset[str]]:
    path = Path(categories_path).resolve()
    key = (id(encoder), str(path), path.stat().st_mtime_ns)
    with _shared_lock:
        if key not in _shared:
            embedder = TextEmbedder(encoder)
            _shared[key] = (embedder, HarmClassifier(embedder, path), embedder.common_words())
        return _shared[key]


@dataclass(frozen=True)
class PolicyRequest:
    prompt: str  # the image prompt or edit instruction
    context: tuple[str, ...] = ()  # earlier user turns, oldest first
    is_edit: bool = False
    source_prompt: str | None = None  # recorded prompt of the image being edited/uploaded context
    user_age: int | None = None


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

    @cached_property
    def prompt(self) -> str:
        """The request as meant: letter spacing and masked letters undone ("n*ked")."""
        return readable(self.request.prompt or "")

    @cached_property
    def recent(self) -> list[str]:
        """Recent earlier turns and the recorded prompt of the picture being edited."""
        turns = list(self.request.context[-CONTEXT_TURNS:])
        return turns + ([self.request.source_prompt] if self.request.source_prompt else [])

    @cached_property
    def prompt_embedding(self) -> np.ndarray:
        return self.agent.embedder([self.prompt])[0]

    @cached_property
    def embeddings(self) -> np.ndarray:
        """Rows: the request alone, then (when it follows on) the request with all its recent
        turns, and with each of them: a threat three turns back is not diluted by the small talk
        between it and "draw a knife"."""
        earlier = self.scored_earlier
        if not earlier:
            return self.prompt_embedding[None, :]
        together = [" ".join(earlier + [self.prompt])]
        if len(earlier) > 1:
            together += [f"{turn} {self.prompt}" for turn in earlier]
        return np.vstack([self.prompt_embedding[None, :], self.agent.embedder(together)])

    @cached_property
    def follows_on(self) -> bool:
        """Does the request continue the recent turns (so they are read with it)?"""
        if not self.recent:
            return False
        if self.request.is_edit:
            return True
        folded = fold_text(self.prompt)
        if _FOLLOW_ON.search(folded):
            return True
        if rules.is_fragment(self.prompt):
            return True  # "in lingerie", "a step by step version": it completes an earlier turn
        if len(folded.split()) <= FOLLOW_ON_MAX_WORDS and not rules.names_a_new_subject(self.prompt):
            return True  # "topless", "a bikini", "realistic": too short to stand on its own
        if self._harmful_topic_continues():
            return True
        earlier = self.agent.embedder([" ".join(self.recent)])[0]
        return float(self.prompt_embedding @ earlier) >= SAME_TOPIC_SIMILARITY

    def _harmful_topic_continues(self) -> bool:
        """Does the request carry a harm category's words that an earlier, refused turn carried
        too ("draw a knife" after a threat to stab someone)? Sharing words with turns that were
        allowed does not count: "a pig in the mud" and "a bomb" are both among the hate words."""
        classifier = self.agent.classifier
        for turn in self.recent:
            if classifier.shared_topics(self.prompt, [turn]) and self.agent.refuses_alone(turn, self.request.user_age):
                return True
        return False

    @cached_property
    def earlier(self) -> list[str]:
        """The turns the request is judged together with: none when it starts something new."""
        return self.recent if self.follows_on else []

    @cached_property
    def scored_earlier(self) -> list[str]:
        """The earlier turns the harm categories score the request with. An edit leaves out
        requests for a new picture that were refused: they made no picture, so an edit of another
        one ("make it blue" on a tree, after a refused request) cannot continue them. The ordered
        rules (minors, sexual content) still read every earlier turn."""
        if not (self.request.is_edit and self.request.source_prompt):
            return self.earlier
        source = self.request.source_prompt
        return [
            turn
            for turn in self.earlier
            if turn == source or not self.agent.refused_new_request(turn, self.request.user_age)
        ]

    @cached_property
    def category_scores(self):
        scores = self.agent.classifier.score(self.embeddings)
        self.scores.update({name: round(value, 4) for name, value in scores.refuse.items()})
        self.scores["allow_similarity"] = round(max(scores.allow.values()), 4)
        self.scores.update({f"p:{name}": round(value, 4) for name, value in scores.probability.items()})
        return scores

    def score_categories(self) -> None:
        """Work out the category scores (for the audit log) even when no category was asked."""
        self.category_scores  # noqa: B018 - the cached property fills self.scores

    @cached_property
    def minor_user(self) -> bool:
        return self.request.user_age is not None and self.request.user_age < ADULT_AGE

    @cached_property
    def real_person(self) -> bool:
        """Is the request about an identifiable real person (named, or by public role)?"""
        texts = [self.prompt] + self.earlier
        if any(rules.proper_names(text, self.agent.common_words) for text in texts):
            return True
        return rules.mentions_public_role(texts)


class PolicyAgent:
    def __init__(
        self, db_path: Path | str, categories_path: Path | str = CATEGORIES_PATH, encoder=None, audit: bool = True
    ):
        from models.text_encoder import load_sentence_encoder

        self.registry = OptOutRegistry(db_path)
        self.embedder, self.classifier, self.common_words = _shared_models(
            encoder if encoder is not None else load_sentence_encoder(), categories_path
        )
        self.audit = audit
        self._index_lock = threading.Lock()
        self._index_version = -1
        self._index = NameIndex()
        self._turn_lock = threading.Lock()
        self._turn_refused: dict[tuple, bool] = {}

    @classmethod
    def from_settings(cls, settings) -> PolicyAgent:
        return cls(settings.database_path)

    # -- the opt-out index, rebuilt only when the registry changed -------------------------------

    def name_index(self) -> NameIndex:
        version = self.registry.version()
        if version != self._index_version:
            with self._index_lock:
                if version != self._index_version:
                    version, people = self.registry.snapshot()
                    # A few opt-outs more or less are applied in place (milliseconds); the index
                    # is built anew at first and when retired keys pile up.
                    if self._index_version < 0 or len(self._index.dead) > len(self._index.keys) // 10:
                        self._index = NameIndex.build(people)
                    else:
                        self._index.update(people)
                    self._index_version = version
        return self._index

    # -- earlier turns judged on their own ---------------------------------------------------------

    def refuses_alone(self, turn: str, user_age: int | None) -> bool:
        """Would this earlier turn be refused on its own? (Cached: a chat asks about the same
        turns at every request; the registry's version is part of the key.)"""
        key = (turn, user_age, self.registry.version())
        with self._turn_lock:
            known = self._turn_refused.get(key)
        if known is None:
            known = not self._decide(PolicyRequest(prompt=turn, user_age=user_age)).allowed
            with self._turn_lock:
                if len(self._turn_refused) >= TURN_CACHE_SIZE:
                    self._turn_refused.clear()
                self._turn_refused[key] = known
        return known

    def refused_new_request(self, turn: str, user_age: int | None) -> bool:
        """A refused request for a picture of its own: not a fragment or a follow-on of something
        before it, and refused on its own."""
        if _FOLLOW_ON.search(fold_text(turn)) or rules.is_fragment(turn):
            return False
        return self.refuses_alone(turn, user_age)

    # -- the check -----------------------------------------------------------------------------

    def check(self, request: PolicyRequest) -> Decision:
        decision = self._decide(request)
        if self.audit:
            self.registry.record(decision, request)
        return decision

    def _decide(self, request: PolicyRequest) -> Decision:
        reading = _Reading(self, request)
        for question in (
            self._minors_and_sexual_content,
            self._opted_out_people,
            self._injection,
            self._real_people,
            self._plain_intent,
            self._harm_categories,
        ):
            decision = question(reading)
            if decision is not None:
                reading.score_categories()  # the audit log keeps every decision's scores (shared dict)
                return decision
        reading.score_categories()
        return Decision(
            True,
            "allowed",
            f"closest allowed example: {reading.category_scores.nearest_allow!r}",
            reading.scores,
            "",
            None,
        )

    # -- the questions, in order ---------------------------------------------------------------

    def _minors_and_sexual_content(self, reading: _Reading) -> Decision | None:
        """Absolute. The minor may be named in an earlier turn or in the image being edited
        ("make her look 13" ... "now make her pose seductively"), or the other way round."""
        prompt, earlier = reading.prompt, reading.earlier
        if not earlier and rules.starts_without_subject(prompt):
            earlier = reading.recent  # "getting changed after the game": the subject is from before
        younger = rules.mentions_minor([prompt]) or (rules.lowers_age([prompt]) and not rules.names_adult_age([prompt]))
        sexual = rules.is_sexual([prompt])
        if (sexual and (rules.mentions_minor([prompt] + earlier) or rules.mentions_girl([prompt] + earlier))) or (
            younger and (rules.is_sexual(earlier) or rules.shows_revealing_clothes(earlier))
        ):
            return self._refuse("sexual_minors", "a minor together with sexual or suggestive content", reading)
        if (
            rules.reveals_more([prompt])
            and rules.mentions_minor([prompt] + earlier)
            and not rules.names_adult_age([prompt])
        ):
            # "in her underwear" after "my little sister", "make the dress shorter and tighter" on a child
            return self._refuse("sexual_minors", "a minor in revealing clothes", reading)
        if rules.in_unclothed_setting(prompt) and rules.mentions_minor([prompt] + earlier):
            return self._refuse("sexual_minors", "a child in a shower or a changing room", reading)
        return None

    def _opted_out_people(self, reading: _Reading) -> Decision | None:
        """Registered people, however written. Earlier turns count when the request refers back
        to someone ("now put him on a horse") or edits an image that shows them. A registered
        name is refused in every role, also as an artist's credit ("in the style of NAME"): a
        credit cannot be told from a subject ("a dog sitting by NAME"), and a portraitist's style
        is largely their own likeness."""
        index = self.name_index()
        prompt = reading.prompt
        texts = [prompt]
        if reading.request.source_prompt:
            texts.append(reading.request.source_prompt)
        if reading.request.context and _PRONOUN.search(fold_text(prompt)):
            texts += reading.request.context[-CONTEXT_TURNS:]
        for text in texts:
            folded = fold_text(text)
            for match in index.find(text):
                if names_a_thing(match, folded, _possessed(text, match.matched)):
                    continue  # "the Frida Kahlo Museum", "USS Ronald Reagan"
                if match.needs_person_context and not self._about_a_person(match.reading or text):
                    continue  # "a drake swimming in a pond"
                reading.scores["optout_match"] = 1.0
                return self._refuse_optout(match, reading)
        return None

    def _injection(self, reading: _Reading) -> Decision | None:
        if rules.is_injection(reading.prompt):
            return self._refuse("prompt_injection", "the request asks to ignore or switch off the policy", reading)
        return None

    def _real_people(self, reading: _Reading) -> Decision | None:
        """Real people (registered or not): no sexualised images, no realistic fakes of
        newsworthy events. Clear as rules once we know a real person is named."""
        if not reading.real_person:
            return None
        prompt = reading.prompt
        if rules.is_sexual([prompt]):
            return self._refuse(
                "sexualized_real_person", self.classifier.categories["sexualized_real_person"].why, reading
            )
        if rules.deceptive_event([prompt]) and not rules.is_stylised([prompt]):
            return self._refuse(
                "deceptive_real_person", self.classifier.categories["deceptive_real_person"].why, reading
            )
        return None

    def _plain_intent(self, reading: _Reading) -> Decision | None:
        """Harmful intent written out plainly (an act and a target, see rules.py). Games, sports
        and stories are exempt from the violence rule ("beat my wife at checkers")."""
        prompt = reading.prompt
        fiction = rules.fiction_context([prompt])
        intent_rules = [
            ("self_harm", rules.self_harm_intent(prompt)),
            ("violent_harm", (rules.violent_intent(prompt) and not fiction) or rules.depicts_massacre(prompt)),
            (
                "ncii_nonconsensual",
                rules.nonconsensual_sexual(prompt)
                or (
                    rules.undresses_someone(prompt)
                    and (reading.request.is_edit or rules.undressing_instruction(prompt))
                ),
            ),
            ("drugs_illegal_goods", rules.drug_seeking(prompt)),
            (
                # A comic or a film may show a crime; a step-by-step comic of it still teaches it.
                "weapons_crime_instructions",
                rules.crime_intent(prompt)
                and not (rules.video_game_context(prompt) or (fiction and not rules.explicit_how_to(prompt))),
            ),
            (
                "hate",
                rules.glorifies_atrocity(prompt)
                or rules.glorifies_perpetrator(prompt)
                or rules.coded_hate(prompt)
                or rules.smears_group(prompt)
                or rules.demeans_group(prompt)
                or (reading.request.is_edit and rules.demeans_group(f"{reading.request.source_prompt or ''}. {prompt}"))
                or (rules.denies_group_rights(prompt) and not rules.impossible_feat([prompt])),
            ),
        ]
        for name, fired in intent_rules:
            if fired:
                reading.scores[f"rule:{name}"] = 1.0
                return self._refuse(name, self.classifier.categories[name].why, reading)
        return None

    def _harm_categories(self, reading: _Reading) -> Decision | None:
        """Harm categories by similarity to the examples in categories.yaml."""
        prompt, earlier = reading.prompt, reading.scored_earlier
        category_scores = reading.category_scores
        texts = [prompt] + ([" ".join(earlier + [prompt])] if earlier else [])
        folded = folded_variants(texts)
        fiction = rules.fiction_context([prompt])
        absurd = rules.impossible_feat([prompt])
        game = rules.video_game_context(prompt)
        minor_mentioned = rules.mentions_minor([prompt] + earlier)
        education = rules.educational_context(prompt)
        satire = reading.real_person and rules.is_stylised([prompt]) and not rules.names_a_group(prompt)
        horror_art = rules.horror_art_context(prompt)
        prevention = rules.prevention_context(prompt)
        no_gore = rules.declines_gore(prompt)
        lawful = rules.lawful_acquisition(prompt) and not rules.crime_intent(prompt)
        plain_group_scene = rules.everyday_group_scene(prompt) and not earlier
        best_name, best_excess = None, 0.0
        for name, category in self.classifier.categories.items():
            refuse_sim = category_scores.refuse[name]
            gap = refuse_sim - category_scores.allow[name]
            if category.needs == "real_person" and not reading.real_person:
                continue
            if category.needs == "minor_user" and not reading.minor_user:
                continue
            if category.needs == "minor" and not minor_mentioned:
                continue
            if not category.is_about(folded):
                continue  # "a pig", "a shower", "a bomb": an object alone harms no one and teaches nothing
            signalled = category.signalled(folded)
            if game and category.fiction_relief:
                continue  # weapons, violence, crime inside a named video game are play
            if name == "hate" and (education or satire):
                continue  # a symbol's history, a debunked myth, a politician drawn as a pig
            if name in ("weapons_crime_instructions", "drugs_illegal_goods") and lawful:
                continue  # "where can I buy a gun legally": the lawful way, asked as such
            if name in ("graphic_gore", "gore_for_minor_users") and no_gore:
                continue  # "a samurai duel, no blood": gore is what the request rules out
            if name == "self_harm" and prevention:
                continue  # a helpline poster, a recovery story (intent written out was refused above)
            threshold = category.minor_user_threshold if reading.minor_user else category.threshold
            head_threshold = category.head_threshold
            if fiction:
                threshold += category.fiction_relief
                head_threshold += category.fiction_relief / 2
            if absurd:
                threshold += category.absurd_relief
                head_threshold += category.absurd_relief / 2
            if name == "graphic_gore" and horror_art:
                threshold += HORROR_ART_RELIEF
                head_threshold += HORROR_ART_RELIEF
            probability = category_scores.probability.get(name, 0.0)
            # Either check can refuse: the examples' similarity (precise near what the team wrote,
            # and only when one of the category's words is there) or the classifier trained on
            # generated paraphrases (carries over to new wording), which may not overrule an
            # allowed example that is clearly closer.
            # A category that needs a named person or a minor already has that firm sign.
            lead = HEAD_MAX_ALLOW_LEAD_WITH_NEED if category.needs in ("real_person", "minor") else HEAD_MAX_ALLOW_LEAD
            if not signalled:
                head_threshold = max(head_threshold, HEAD_UNSIGNALLED_THRESHOLD)
            head_excess = probability - head_threshold if gap >= -lead else -1.0
            similar_excess = refuse_sim - threshold if gap >= self.classifier.margin and signalled else -1.0
            if name == "hate" and plain_group_scene:
                similar_excess = -1.0  # a group named in an ordinary scene is near the examples by topic alone
            excess = max(similar_excess, head_excess)
            if excess >= 0 and (best_name is None or excess > best_excess):
                best_name, best_excess = name, excess
        reading.scores["real_person"] = float(reading.real_person)

        # Under-18 users: suggestive or gory words are enough, the embedding need not agree.
        if best_name is None and reading.minor_user and (rules.is_sexual([prompt]) or rules.is_suggestive([prompt])):
            best_name = "suggestive_for_minor_users"
        if best_name is None and reading.minor_user and rules.is_gory([prompt]):
            best_name = "gore_for_minor_users"
        if best_name is None:
            return None
        return self._refuse(best_name, self.classifier.categories[best_name].why, reading)

    def _about_a_person(self, text: str) -> bool:
        """Is the sentence about a person (so an ordinary word in it is a name)?"""
        return rules.human_only_activity(text) or self.classifier.person_score(self.embedder([text])[0]) > 0

    # -- decisions -----------------------------------------------------------------------------

    def _refuse(self, name: str, why: str, reading: _Reading) -> Decision:
        category = self.classifier.categories.get(name)
        if category is not None:
            rule, alternative = category.rule, category.alternative
        elif name == "prompt_injection":
            rule = "The safety policy cannot be switched off"
            alternative = "the same picture, asked for without the instruction to ignore the policy"
        else:
            rule, alternative = name.replace("_", " "), "a different, harmless scene"
        message = f"I can't make this image. Rule: {rule}. Why: {why}. I can make {alternative} instead."
        return Decision(False, name, why, reading.scores, message, alternative)

    def _refuse_optout(self, match: NameMatch, reading: _Reading) -> Decision:
        """The message never names the person or says which words matched: a refusal must not
        work as a look-up of who is on the registry, nor reveal the real name behind an alias."""
        alternative = _replace_name(reading.prompt, match.matched) or "a fictional person in the same scene"
        reason = f"{match.name} is on the opt-out registry (matched {match.how}: {match.matched!r})"
        message = OPTOUT_MESSAGE.format(rule=OPTOUT_RULE, alternative=alternative)
        return Decision(False, "optout_person", reason, reading.scores, message, alternative)


def _locate(prompt: str, matched: str) -> tuple[list[str], int, int] | None:
    """The prompt's words and the span that spells the matched words (None when the match was
    found in a decoded or transliterated reading of the prompt)."""
    target = "".join(matched.split())
    words = prompt.split()
    folded = ["".join(unleet(word).split()) for word in words]
    for start in range(len(words)):
        joined = ""
        for end in range(start, min(start + 12, len(words))):
            joined += folded[end]
            if joined == target:
                return words, start, end
            if len(joined) >= len(target):
                break
    return None


def _possessed(prompt: str, matched: str) -> str | None:
    """The word after a possessive name ("NAME's diet" -> "diet"), folded, or None."""
    located = _locate(prompt, matched)
    if located is None:
        return None
    words, _, end = located
    if end + 1 < len(words) and re.search(r"['\u2019]s?\W*$", words[end]):
        return fold_text(words[end + 1]) or None
    return None


def _replace_name(prompt: str, matched: str) -> str | None:
    """The prompt with the matched words replaced by 'a fictional person', when they can be
    located in the prompt as written (not for decoded or transliterated matches)."""
    located = _locate(prompt, matched)
    if located is None:
        return None
    words, start, end = located
    possessive = "'s" if re.search(r"['\u2019]s?\W*$", words[end]) else ""
    return " ".join(words[:start] + ["a fictional person" + possessive] + words[end + 1 :])


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
