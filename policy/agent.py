"""The policy agent: every image request passes `PolicyAgent.check` before any pixel is made.

A check reads top to bottom:
1. minors + sexual content (explicit rule, absolute; looks at the whole conversation),
2. the opt-out registry (names however written, also in the image being edited),
3. prompt injection ("ignore the policy"),
4. real people in sexual scenes or realistic fakes of newsworthy events,
5. harmful intent written out plainly (violence against people, drug buying, crime, self-harm,
   glorifying atrocities: explicit patterns in rules.py),
6. harm categories by embedding similarity (categories.yaml), with the stricter thresholds and
   extra categories for users under 18,
and returns a `Decision` that names the rule, says why, and offers an allowed alternative. Every
decision goes to the audit log. `check_fail_closed` turns any internal error into a refusal.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path


from policy import rules
from policy.classifier import CATEGORIES_PATH, HarmClassifier, TextEmbedder, folded_variants
from policy.names import NameIndex, NameMatch, edit_budget, edit_distance
from policy.normalize import fold_text, unleet
from policy.registry import OptOutRegistry, new_decision_id

ADULT_AGE = 18
# Earlier turns older than this are not read: drift is judged over the recent conversation.
CONTEXT_TURNS = 4
_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their|this person|that person|the person|the man|the woman|same person)\b")


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
    prompt: str                           # the image prompt or edit instruction
    context: tuple[str, ...] = ()         # earlier user turns, oldest first
    is_edit: bool = False
    source_prompt: str | None = None      # recorded prompt of the image being edited/uploaded context
    user_age: int | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    category: str
    reason: str
    scores: dict[str, float]
    message: str            # user-facing: names the rule, says why, offers an allowed alternative
    alternative: str | None  # an allowed alternative prompt, usable as a one-click suggestion
    decision_id: str = field(default_factory=new_decision_id)


class PolicyAgent:
    def __init__(self, db_path: Path | str, categories_path: Path | str = CATEGORIES_PATH,
                 encoder=None, audit: bool = True):
        from models.text_encoder import load_sentence_encoder

        self.registry = OptOutRegistry(db_path)
        self.embedder, self.classifier, self.common_words = _shared_models(
            encoder if encoder is not None else load_sentence_encoder(), categories_path
        )
        self.audit = audit
        self._index_lock = threading.Lock()
        self._index_version = -1
        self._index = NameIndex()

    @classmethod
    def from_settings(cls, settings) -> "PolicyAgent":
        return cls(settings.database_path)

    # -- the opt-out index, rebuilt only when the registry changed -------------------------------

    def name_index(self) -> NameIndex:
        version = self.registry.version()
        if version != self._index_version:
            with self._index_lock:
                if version != self._index_version:
                    version, people = self.registry.snapshot()
                    self._index = NameIndex.build(people, self.common_words)
                    self._index_version = version
        return self._index

    # -- the check -----------------------------------------------------------------------------

    def check(self, request: PolicyRequest) -> Decision:
        decision = self._decide(request)
        if self.audit:
            self.registry.record(decision, request)
        return decision

    def _decide(self, request: PolicyRequest) -> Decision:
        prompt = request.prompt or ""
        context = tuple(request.context[-CONTEXT_TURNS:])
        earlier = list(context) + ([request.source_prompt] if request.source_prompt else [])
        minor_user = request.user_age is not None and request.user_age < ADULT_AGE
        scores: dict[str, float] = {}

        # 1. Minors + sexual content: absolute. The minor may be named in an earlier turn or in the
        #    image being edited ("make her look 13" ... "now make her pose seductively").
        #    Also the other way round: a sexual scene earlier, then "make her 12".
        if ((rules.is_sexual([prompt]) and rules.mentions_minor([prompt] + earlier))
                or (rules.mentions_minor([prompt]) and rules.is_sexual(earlier))):
            return self._refuse("sexual_minors", "a minor together with sexual or suggestive content", scores, prompt)

        # 2. Opt-out registry. Earlier turns count when the request refers back to someone
        #    ("now put him on a horse") or edits an image that shows them.
        index = self.name_index()
        matches = index.find(prompt)
        if request.source_prompt:
            matches += index.find(request.source_prompt)
        if context and _PRONOUN.search(fold_text(prompt)):
            for turn in context:
                matches += index.find(turn)

        texts = [prompt]
        combined = " ".join(earlier + [prompt])
        if earlier:
            texts.append(combined)
        embeddings = self.embedder(texts)
        category_scores = self.classifier.score(embeddings)
        scores.update({name: round(value, 4) for name, value in category_scores.refuse.items()})
        scores["allow_similarity"] = round(max(category_scores.allow.values()), 4)
        for match in matches:
            if match.needs_person_context and self.classifier.person_score(embeddings[0]) <= 0:
                continue
            if _credited_as_artist(prompt, match.matched):
                continue  # "in the style of Frida Kahlo" names a style; it does not depict her
            scores["optout_match"] = 1.0
            return self._refuse_optout(match, scores, prompt)

        # 3. Attempts to switch the policy off.
        if rules.is_injection(prompt):
            return self._refuse("prompt_injection", "the request asks to ignore or switch off the policy", scores, prompt)

        # 4. Real people (registered or not): no sexualised images, no realistic fakes of
        #    newsworthy events. Clear as rules once we know a real person is named.
        real_person = self._real_person(prompt, earlier)
        if real_person and rules.is_sexual([prompt]):
            return self._refuse("sexualized_real_person", self.classifier.categories["sexualized_real_person"].why,
                                scores, prompt)
        if real_person and rules.deceptive_event([prompt]) and not rules.is_stylised([prompt]):
            return self._refuse("deceptive_real_person", self.classifier.categories["deceptive_real_person"].why,
                                scores, prompt)

        # 5. Harmful intent written out plainly (an act and a target, see rules.py). Games,
        #    sports and stories are exempt from the violence rule ("beat my wife at checkers").
        intent_rules = [
            ("self_harm", rules.self_harm_intent(prompt)),
            ("violent_harm", rules.violent_intent(prompt) and not rules.fiction_context([prompt])),
            ("drugs_illegal_goods", rules.drug_seeking(prompt)),
            ("weapons_crime_instructions", rules.crime_intent(prompt) and not rules.fiction_context([prompt])),
            ("hate", rules.glorifies_atrocity(prompt)),
        ]
        for name, fired in intent_rules:
            if fired:
                scores[f"rule:{name}"] = 1.0
                return self._refuse(name, self.classifier.categories[name].why, scores, prompt)

        # 6. Harm categories by similarity.
        best_name, best_excess = None, 0.0
        folded = folded_variants(texts)
        fiction = rules.fiction_context([prompt])
        absurd = rules.impossible_feat([prompt])
        game = rules.video_game_context(prompt)
        minor_mentioned = rules.mentions_minor([prompt] + earlier)
        for name, category in self.classifier.categories.items():
            refuse_sim = category_scores.refuse[name]
            gap = refuse_sim - category_scores.allow[name]
            if category.needs == "real_person" and not real_person:
                continue
            if category.needs == "minor_user" and not minor_user:
                continue
            if category.needs == "minor" and not minor_mentioned:
                continue
            if not category.signalled(folded):
                continue
            if game and category.fiction_relief:
                continue  # weapons, violence, crime inside a named video game are play
            threshold = category.minor_user_threshold if minor_user else category.threshold
            if fiction:
                threshold += category.fiction_relief
            if absurd:
                threshold += category.absurd_relief
            margin = self.classifier.margin
            if refuse_sim >= threshold and gap >= margin:
                excess = refuse_sim - threshold
                if best_name is None or excess > best_excess:
                    best_name, best_excess = name, excess
        scores["real_person"] = float(real_person)

        # Under-18 users: suggestive or gory words are enough, the embedding need not agree.
        if best_name is None and minor_user and rules.is_sexual([prompt]):
            best_name = "suggestive_for_minor_users"
        if best_name is None and minor_user and rules.is_gory([prompt]):
            best_name = "gore_for_minor_users"
        if best_name is not None:
            category = self.classifier.categories[best_name]
            return self._refuse(best_name, category.why, scores, prompt)
        return Decision(True, "allowed", f"closest allowed example: {category_scores.nearest_allow!r}",
                        scores, "", None)

    def _real_person(self, prompt: str, earlier: list[str]) -> bool:
        """Is the request about an identifiable real person (named, or by public role)?"""
        for text in [prompt] + earlier:
            if rules.proper_names(text, self.common_words):
                return True
        return rules.mentions_public_role([prompt] + earlier)

    # -- decisions -----------------------------------------------------------------------------

    def _refuse(self, name: str, why: str, scores: dict[str, float], prompt: str) -> Decision:
        category = self.classifier.categories.get(name)
        if category is not None:
            rule, alternative = category.rule, category.alternative
        elif name == "prompt_injection":
            rule = "The safety policy cannot be switched off"
            alternative = "the same picture, asked for without the instruction to ignore the policy"
        else:
            rule, alternative = name.replace("_", " "), "a different, harmless scene"
        message = f"I can't make this image. Rule: {rule}. Why: {why}. I can make {alternative} instead."
        return Decision(False, name, why, scores, message, alternative)

    def _refuse_optout(self, match: NameMatch, scores: dict[str, float], prompt: str) -> Decision:
        alternative = _replace_name(prompt, match.matched) or "a fictional person in the same scene"
        why = f"{match.name} has asked not to be depicted (opt-out registry, matched {match.how}: {match.matched!r})"
        message = (f"I can't depict {match.name}, who has asked not to be depicted. "
                   f"Rule: opt-out registry. I can draw a fictional person in the same scene instead: "
                   f"\"{alternative}\".")
        return Decision(False, "optout_person", why, scores, message, alternative)


_CREDIT = re.compile(r"(?:\bstyle of|\bby|\binspired by|\bin the manner of|\ba la|\bafter)$")


def _credited_as_artist(prompt: str, matched: str) -> bool:
    """Is the name only credited as the artist of a style ("... in the style of NAME")?"""
    words = unleet(prompt).split()
    target = matched.split()
    for i in range(len(words) - len(target) + 1):
        if words[i:i + len(target)] == target:
            before = " ".join(words[max(0, i - 4):i])
            if _CREDIT.search(before):
                return True
    return False


def _replace_name(prompt: str, matched: str) -> str | None:
    """The prompt with the matched name replaced by 'a fictional person', when it can be located."""
    target = "".join(matched.split())
    words = prompt.split()
    folded = ["".join(unleet(word).split()) for word in words]
    for start in range(len(words)):
        joined = ""
        for end in range(start, min(start + 12, len(words))):
            joined += folded[end]
            if joined == target or (len(target) > 5 and _close(joined, target)):
                return " ".join(words[:start] + ["a fictional person"] + words[end + 1:])
            if len(joined) > len(target) + 2:
                break
    return None


def _close(a: str, b: str) -> bool:
    return a[:1] == b[:1] and edit_distance(a, b, 2) <= edit_budget(len(b))


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
