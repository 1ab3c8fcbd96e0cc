"""Explicit rules: the parts of the policy that are clearer as patterns than as similarities.

- Minors + sexual content is absolute: a word that makes someone a minor (in the request, in an
  earlier turn, or in the recorded prompt of the image being edited) together with a word that
  makes the image sexual or suggestive is refused, whatever any score says.
- Prompt injection: attempts to switch the policy off ("ignore the policy", "developer mode")
  are refused; nothing a user writes may skip the gate.
- Real-person signals: whether a request is about an identifiable real person (a proper name or
  a public role), which some categories require before they can refuse.

All patterns run on `fold_text` output (lowercase ASCII), so accents, homoglyphs and invisible
characters do not hide a word, and on `unleet` output so "s3xy" is "sexy".
"""

from __future__ import annotations

import re

from policy.normalize import fold_text, unleet

_MINOR_WORDS = re.compile(
    r"\b(child|children|childs|kid|kids|kiddie|toddler|toddlers|infant|infants|baby|babies|minor|minors|"
    r"underage|under age|preteen|preteens|pre teen|tween|tweens|teen|teens|teenage|teenager|teenagers|"
    r"schoolgirl|schoolgirls|schoolboy|schoolboys|school girl|school boy|little girl|little girls|"
    r"little boy|little boys|young girl|young girls|young boy|young boys|loli|lolita|shota|pubescent|"
    r"prepubescent|juvenile|elementary school|middle school|primary school|grade schooler|"
    r"daughter|son|niece|nephew|stepdaughter|jailbait|student in (?:the )?\d+(?:st|nd|rd|th) grade)\b"
)
# An age below 18 written as a number: "13 year old", "aged 12", "look 13", "12yo".
_AGE_PATTERNS = [
    re.compile(r"\b(\d{1,2}) ?(?:years?|yrs?|yr) ?old\b"),
    re.compile(r"\b(\d{1,2}) ?(?:yo|y o)\b"),
    re.compile(r"\b(?:aged?|age of|look|looks|looking|appear|appears|make (?:her|him|them|it) look|as if (?:she|he) (?:is|was)) (?:like )?(?:about |around |only |just )?(\d{1,2})\b"),
]
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17,
}
_AGE_WORDS = re.compile(
    r"\b(" + "|".join(_NUMBER_WORDS) + r") ?(?:years? old|yo)\b|\b(?:aged?|look|looks) (" + "|".join(_NUMBER_WORDS) + r")\b"
)

# Sexual or suggestive *content* words. Topic words ("sexuality", "sex education", "consent")
# are deliberately absent: education about them is allowed, also for teenagers.
_SEXUAL_WORDS = re.compile(
    r"\b(sexy|sexier|seductive|seductively|seduce|seducing|seduction|erotic|erotica|erotically|nude|nudes|"
    r"naked|nudity|undress|undressed|undressing|unclothed|strip|stripping|stripper|striptease|lingerie|"
    r"topless|bottomless|sensual|sensually|provocative|provocatively|suggestive|suggestively|sultry|"
    r"porn|porno|pornographic|nsfw|fetish|fetishes|hentai|lewd|boudoir|aroused|arousing|orgasm|genitals|"
    r"genital|horny|kinky|thong|panties|having sex|sex with|sex scene|sex act|sex acts|sexual acts?|"
    r"sexual poses?|sexual positions?|sexual activity|sexual intercourse|sexual content|sexual grooming|"
    r"sexually|intercourse|molest|molested|molesting|fondle|fondling|spread legs|bedroom eyes|"
    r"bikini pose|pin up|pinup|playboy|onlyfans|explicit)\b"
)

_INJECTION = re.compile(
    r"\b(?:ignore|disregard|bypass|override|forget|skip|disable|turn off|switch off|circumvent|get around)"
    r" (?:all |any |the |your |my |these |those |previous |prior |above |earlier |every |of )*"
    r"(?:content |safety |image |usage |system |moderation |opt out |optout )?"
    r"(?:policy|policies|rules?|instructions?|guidelines?|filters?|safety|restrictions?|"
    r"moderation|guardrails?|checks?|opt out list|registry|censorship)\b"
    r"|\b(?:developer|god|dan|jailbreak|unrestricted|unfiltered|uncensored) mode\b"
    r"|\bjailbreak\b|\bno (?:rules|restrictions|filters|policy) apply\b"
    r"|\byou (?:have|has) no (?:rules|restrictions|filters|policy)\b"
    r"|\b(?:policy|safety|filter|opt out list|registry) (?:is|was|has been) (?:off|disabled|removed|lifted|empty|cleared|suspended)\b"
    r"|\bpretend (?:there is|there are|you have) no (?:policy|rules|restrictions|filter)\b"
    r"|\b(?:i am|i m) (?:the|an|your) (?:admin|administrator|developer|operator)\b.*\b(?:allow|permit|authori[sz]e|override)\b"
)

# Roles that make a request about a specific real person even without a name.
_PUBLIC_ROLES = re.compile(
    r"\b(?:the (?:current |former |us |u s |american |british |french |russian |chinese )?"
    r"(?:president|vice president|prime minister|chancellor|pope|king|queen|prince|princess|senator|"
    r"governor|mayor|ceo|first lady|supreme leader|speaker of the house)|"
    r"(?:a |the )?(?:famous|real|well known|celebrity|hollywood) (?:actress|actor|singer|rapper|"
    r"politician|person|woman|man|athlete|celebrity|influencer|youtuber|model)|celebrity|celebrities|"
    r"(?:president|senator|congressman|congresswoman|governor|minister|pope|king|queen|prince|princess)"
    r" [a-z]+|member of congress|my (?:coworker|co worker|classmate|neighbou?r|teacher|boss|ex|"
    r"ex girlfriend|ex boyfriend|ex wife|ex husband|sister|brother|friend|girlfriend|boyfriend|wife|husband))\b"
)

# Capitalised words that are not names, so "A Photo Of Sunset" is not read as a person.
_NOT_NAME_WORDS = {
    "a", "an", "the", "of", "in", "on", "at", "with", "and", "by", "for", "to", "from", "photo", "image",
    "picture", "portrait", "painting", "draw", "create", "generate", "make", "show", "render",
    "illustration", "sketch", "art", "style", "hd", "4k", "8k", "unreal", "engine", "trending",
    "artstation", "octane", "digital", "oil", "concept", "news", "newscast", "breaking", "still",
    "candid", "press", "reuters", "ap", "cnn", "bbc", "fox", "fbi", "cia", "police", "i", "my", "me",
    "please", "can", "you", "could", "would", "now", "then", "an", "is", "are", "was", "christmas",
    "halloween", "easter", "diwali", "new", "york", "city", "street", "paris", "london", "tokyo",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "god", "jesus",
    "buddha", "mars", "earth", "moon", "victorian", "renaissance", "gothic", "sony", "canon", "nikon",
    "studio", "ghibli", "pixar", "disney", "marvel", "star", "wars", "lego", "minecraft",
}
_ARTIST_PREFIX = re.compile(r"\b(?:by|style of|in the style of|artwork by|art by|painted by|inspired by|photographed by)\s*$")


def _texts(texts) -> list[str]:
    return [fold_text(t) + " | " + unleet(t) for t in texts if t]


def mentions_minor(texts) -> bool:
    for text in _texts(texts):
        if _MINOR_WORDS.search(text) or _AGE_WORDS.search(text):
            return True
        for pattern in _AGE_PATTERNS:
            for match in pattern.finditer(text):
                if int(match.group(1)) < 18:
                    return True
    return False


def is_sexual(texts) -> bool:
    return any(_SEXUAL_WORDS.search(text) for text in _texts(texts))


def is_injection(text: str) -> bool:
    folded = fold_text(text)
    return bool(_INJECTION.search(folded) or _INJECTION.search(unleet(text)))


def mentions_public_role(texts) -> bool:
    return any(_PUBLIC_ROLES.search(text) for text in _texts(texts))


def proper_names(text: str, common_words: frozenset[str]) -> list[str]:
    """Spans that read as a person's name: capitalised word pairs, or rare lowercase pairs.

    Artist credits ("by Greg Rutkowski") are skipped: naming an artist as a style is not
    depicting them.
    """
    words = re.findall(r"[^\W\d_][\w'\u2019-]*", text)
    names: list[str] = []
    prefix_text = text
    for i in range(len(words) - 1):
        first, second = words[i], words[i + 1]
        f, s = fold_text(first), fold_text(second)
        if not f or not s or f in _NOT_NAME_WORDS or s in _NOT_NAME_WORDS:
            continue
        if len(f) < 2 or len(s) < 2:
            continue
        capitalised = first[:1].isupper() and second[:1].isupper() and not (first.isupper() and second.isupper())
        rare = (f not in common_words) + (s not in common_words)
        looks_like_name = (capitalised and (rare >= 1 or i > 0)) or (rare >= 1 and f.isalpha() and s.isalpha() and (f in common_words or s in common_words) and first.islower())
        if not looks_like_name:
            continue
        position = prefix_text.find(first)
        before = prefix_text[:position] if position >= 0 else ""
        if _ARTIST_PREFIX.search(fold_text(before[-40:]) if before else ""):
            continue
        names.append(f"{first} {second}")
    return names
