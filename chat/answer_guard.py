"""Checks on the chat model's plain-text answers, for what a small model gets wrong that code can see.

The chat model decides whether to answer, draw or edit; the policy gate in the image tool decides
what may be drawn. A 135M model still slips in three ways that no routing data fully removes, and
each has a plain, testable remedy here:

- It answers a drawing request with a refusal of its own ("I can't make this image ...") after it
  has seen refusals earlier in the conversation. The chat model is never the one to refuse: such a
  request goes to the image tool, where the policy gate decides (and logs its decision).
- It answers a question with a refusal, or with its tool definitions (`generate_image(prompt,
  seed?)`) copied from the system prompt. Such an answer is asked for again without the earlier
  turns, and replaced by a plain "I don't know" when it is still wrong.
- It takes a second or more on a 2-core CPU to decide that "draw a red apple" is a drawing.
  `plain_drawing_request` reads such a message (a drawing verb, then only a description) so that
  the assistant can send it to the image tool at once when the image model knows the subject.
- Asked what it can do, it says "anything". What Easel can do is a fact of the deployment (which
  image model, which edits), so that answer is written here from the deployment itself.
"""

from __future__ import annotations

import re
import unicodedata

# -- what a wrong answer looks like -------------------------------------------------------------

_NEGATION = r"(?:can't|can ?not|cant|won't|will not|wont|unable to|not able to|not allowed to|am not going to|'m not going to|refuse to|must decline to|shouldn't|should not)"
_MAKING = r"(?:draw|depict|make|create|generate|paint|show|produce|render|illustrate|help with|do that|do this|fulfil|fulfill|assist)"
_REFUSAL_PATTERNS = [
    rf"\b{_NEGATION}\s+(?:[\w']+\s+){{0,3}}{_MAKING}\b",
    r"\bnot drawn\b",
    r"\brule:\s",
    r"\b(?:against|violates?|breaks?|breach(?:es)?)\b[^.!?\n]{0,30}\b(?:policy|policies|rules?|guidelines?|terms)\b",
    r"\bsafety (?:policy|rules?|check|guidelines?)\b",
    r"\basked not to be depicted\b",
    r"\b(?:inappropriate|harmful|offensive|explicit) (?:content|request|image|material)\b",
    r"\bi can make\b[^.!?\n]{0,160}\binstead\b",
    r"\bi(?:'m| am) (?:sorry|afraid)\b[^.!?\n]{0,40}\b(?:can't|cannot|can not|won't|unable)\b",
]
_REFUSAL = re.compile("|".join(_REFUSAL_PATTERNS), re.IGNORECASE)
# The tool schemas or a call to them written out as text instead of made.
_TOOL_SYNTAX = re.compile(
    r"</?tool_call>|\b(?:generate_image|edit_image)\b|\"(?:arguments|parameters)\"\s*:|\bimage_id\b|\bseed\?",
    re.IGNORECASE,
)
# The first characters of an answer are held back until it is clear the answer is neither.
HOLD_BACK_CHARS = 40


def _plain(text: str) -> str:
    """Lower case, curly apostrophes straightened, accents kept (the patterns are in English)."""
    return unicodedata.normalize("NFC", str(text or "")).replace("\u2019", "'").replace("\u2018", "'")


def looks_like_refusal(text: str) -> bool:
    """Whether an answer refuses to make something (which only the policy gate may do)."""
    return bool(_REFUSAL.search(_plain(text)))


def shows_tool_syntax(text: str) -> bool:
    """Whether an answer prints a tool's name, signature or call instead of plain words."""
    return bool(_TOOL_SYNTAX.search(_plain(text)))


def is_wrong_answer(text: str) -> bool:
    return looks_like_refusal(text) or shows_tool_syntax(text)


# -- what the person asked ------------------------------------------------------------------------

# Verbs and nouns that ask for a picture, in the six languages the routing data covers.
_PICTURE_WORDS = (
    r"draw|drawing|paint|painting|sketch|doodle|illustrate|illustration|render|picture|image|pic|photo|"
    r"poster|logo|icon|sticker|wallpaper|cartoon|artwork|portrait|"
    r"dessine|dessiner|dessin|peins|peindre|image|illustration|"
    r"dibuja|dibujar|dibújame|dibujo|pinta|pintar|imagen|"
    r"zeichne|zeichnen|zeichnung|malen|bild|"
    r"disegna|disegnare|disegno|dipingi|immagine|"
    r"desenhe|desenha|desenhar|desenho|pinte|imagem"
)
_ASKS_FOR_PICTURE = re.compile(rf"\b(?:{_PICTURE_WORDS})\b", re.IGNORECASE)
# Questions about pictures are not requests for one ("how do I draw a horse?").
_QUESTION_OPENERS = re.compile(
    r"^\s*(?:how|why|what|which|who|when|where|is|are|does|do|should|comment|pourquoi|cómo|como|por qué|wie|warum|come|perché)\b",
    re.IGNORECASE,
)


# The languages the chat model's routing data is written in: in any other it cannot be trusted
# to tell a drawing request from a question (asked "画一只在海边的狗", it wrote about the sea).
ROUTING_LANGUAGES = frozenset({"en", "fr", "es", "de", "it", "pt"})
SURE_OF_THE_LANGUAGE = 0.7  # short messages in a routing language rarely score this for another


def drawing_language(message: str) -> str | None:
    """The language of the words in `message` that ask for a picture (a drawing verb or the noun
    "picture", from `models.concept_names.DRAWING_WORDS`), a language other than the routing
    languages first; None when there are none."""
    from models.concept_names import drawing_words

    languages = [word.language for word in drawing_words(message)]
    others = [language for language in languages if language not in ROUTING_LANGUAGES]
    return (others or languages or [None])[0]


def written_in_another_language(message: str) -> bool:
    """Whether `message` is in a language the chat model does not route: a drawing word of such a
    language, or a language identifier sure of one (fastText lid.176: "Что едят ежи?" is
    Russian; "make it blue" is English)."""
    from models.concept_names import drawing_words, identify_languages

    drawn = drawing_words(message)
    if any(word.language not in ROUTING_LANGUAGES for word in drawn):
        return True
    likely = identify_languages(message, drawn)
    if not likely:
        return False
    language = max(likely, key=likely.get)
    return language not in ROUTING_LANGUAGES and likely[language] >= SURE_OF_THE_LANGUAGE


def asks_for_a_picture(message: str) -> bool:
    """Whether a message asks for a picture (a drawing verb or noun, not a how-to question)."""
    text = _plain(message)
    if not _ASKS_FOR_PICTURE.search(text):
        return drawing_language(text) not in (None, *ROUTING_LANGUAGES)
    opener = _QUESTION_OPENERS.match(text)
    # "can you draw ...?" and "what about a picture of ...?" ask for one; "how do I draw ...?" does not
    return opener is None or bool(re.match(r"\s*(?:what about|how about)\b", text, re.IGNORECASE))


# "draw a red apple", "can you paint the sun?", "make me a picture of a cat please": a drawing verb
# (or "a picture of") and then only the description. Other languages go to the chat model.
_PLAIN_DRAWING = re.compile(
    r"^(?:(?:please|pls|ok|okay|now|and|so|hi|hey|hello)[\s,!]+)*"
    r"(?:(?:can|could|would|will) (?:you|u) (?:please )?)?"
    r"(?:(?:draw|paint|sketch|doodle|illustrate)(?: me| us)?(?: (?:a|an) (?:picture|image|drawing|painting|sketch) of)?"
    r"|(?:make|create|generate|give|show)(?: me| us)? (?:a |an )?(?:picture|image|drawing|painting|sketch|pic) of"
    r"|(?:a |an )?(?:picture|image|drawing|painting|sketch|pic) of)"
    r" (?P<description>[a-z][a-z', -]{0,120}?)"
    r"(?: for me)?(?:,? please)?[\s.!?]*$",
    re.IGNORECASE,
)
# Words that point back at the conversation ("draw it again", "paint her", "the same one") or at
# the person ("draw me as a cat"): what they mean is the chat model's to work out.
_POINTS_ELSEWHERE = re.compile(
    r"\b(?:it|its|this|that|these|those|them|him|her|his|he|she|they|their|same|again|another|other|else|"
    r"previous|last|first|second|one|ones|me|myself|us|you|yourself|as|like|img|instead|back)\b",
    re.IGNORECASE,
)


def plain_drawing_request(message: str) -> str | None:
    """The description in a message that only asks for a drawing of it ("draw a red apple" ->
    "a red apple"), or None when the message says anything more or points elsewhere."""
    match = _PLAIN_DRAWING.match(" ".join(_plain(message).split()))
    if match is None:
        return None
    description = match.group("description").strip(" -'")
    # Up to 16 words: a scene ("a dog, a cat and a cow in the snow") is still only a description.
    if not description or len(description.split()) > 16 or _POINTS_ELSEWHERE.search(description):
        return None
    return description


_GREETING = r"(?:(?:hi|hello|hey|hiya|ok|okay|so|well|and|bonjour|salut|hola|hallo|ciao|olá|oi)\b[\s,!.]*)*"
_ABILITY_QUESTIONS = [
    r"what (?:else )?(?:can|could) (?:you|u|easel) (?:do|draw|make|paint|create|help (?:me )?with)(?: for me)?",
    r"what (?:are|r) (?:you|u) (?:able|capable) (?:to do|of)",
    r"what (?:do|does) (?:you|easel) do",
    r"what (?:is|are) your (?:abilities|capabilities|skills|features|limits|limitations)",
    r"what (?:kinds?|sorts?) of (?:things|pictures|images|drawings) (?:can|do) (?:you|u) (?:draw|make|do)",
    r"what can i (?:ask|do) (?:you|here)(?: to do)?",
    r"how can you help(?: me)?",
    r"(?:who|what) are you",
    r"what is easel",
    r"help",
    r"que (?:peux|sais)[- ]tu (?:faire|dessiner)",
    r"qu'est[- ]ce que tu (?:peux|sais) (?:faire|dessiner)",
    r"qu[ée] (?:puedes|sabes) (?:hacer|dibujar)",
    r"was kannst du(?: alles)?(?: machen| zeichnen| tun)?",
    r"cosa (?:puoi|sai) (?:fare|disegnare)",
    r"o que (?:você pode|voce pode|podes|você sabe|sabes) (?:fazer|desenhar)",
]
_ABILITY = re.compile(rf"^\s*{_GREETING}(?:{'|'.join(_ABILITY_QUESTIONS)})[\s?!.¿¡]*$", re.IGNORECASE)


def is_capability_question(message: str) -> bool:
    """Whether the message asks, and only asks, what Easel can do."""
    text = re.sub(r"^[\s¿¡]+", "", _plain(message))
    return bool(_ABILITY.match(text))


# -- the honest answers ---------------------------------------------------------------------------

I_DONT_KNOW = (
    "I'm not sure how to answer that. I'm a small chat model, so I may not know; try asking it "
    "another way, or ask me to draw something."
)


def capabilities_answer(studio=None, chat_model_name: str | None = None) -> str:
    """What this deployment can do, from its own configuration: the image model it draws with
    (the embedded one draws simple emoji-style pictures of the subjects it was trained on), the
    edits it can make, and that every picture passes the safety check."""
    from chat.edit_instructions import describe_capabilities

    generator = getattr(studio, "generator", None)
    lines = ["I'm Easel, a chat assistant that can draw. Here is what I can do in this app:"]
    small_chat = chat_model_name in (None, "embedded", "embedded-base")
    lines.append(
        "- **Answer questions and chat.** "
        + (
            "I'm a small language model running on a CPU, so my answers are short and can be wrong: check facts "
            "that matter."
            if small_chat
            else "Check facts that matter."
        )
    )
    if studio is None:
        lines.append("- Drawing is not available in this deployment.")
        return "\n".join(lines)
    if getattr(generator, "kind", "embedded") == "embedded":
        index = generator.concept_index() if hasattr(generator, "concept_index") else None
        count = f"about {len(index):,} " if index is not None else ""
        lines.append(
            f"- **Draw simple emoji-style pictures** of {count}everyday things: animals, food, plants, objects, "
            "vehicles, faces. One or two subjects at a time, with a colour, a background colour, a position or a "
            'size, such as "draw a red apple on a blue background". The built-in image model is small and '
            "runs on a CPU: it cannot draw photographs, writing, detailed scenes or a particular person's likeness."
        )
        lines.append(
            f'- **Change a picture I drew:** {describe_capabilities()}. Say "make it blue" or '
            '"go back to the first one"; the Pictures panel refines or regenerates any earlier one.'
        )
    else:
        name = getattr(generator, "name", "an image model")
        lines.append(
            f'- **Draw pictures from a description** with {name}, and change them ("make it blue", '
            '"add a hat"); the Pictures panel refines or regenerates any earlier one.'
        )
    lines.append(
        "- Every picture request passes a safety check first. When one is refused, you'll see the rule, "
        "why, and something I can draw instead."
    )
    return "\n".join(lines)
