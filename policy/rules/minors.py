"""The absolute rule: no sexual or suggestive content involving a minor.

A word that makes someone a minor (in the request, in an earlier turn, or in the recorded prompt
of the image being edited) together with a word that makes the image sexual or suggestive is
refused, whatever any score says. The English word lists are here; the same lists for 26 other
languages are data (minor_words.yaml, read once). Both sit beside the learned `minor` and `sexual`
aspects (policy/aspects.py); either one is enough to refuse.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import yaml

from policy.normalize import APOSTROPHES, respell
from policy.rules.text import fold_text, folded_texts

# Vietnamese is written in Latin letters with marks the English folding drops: "thông" (a pine, a
# notice), "thống", "thòng" all fold to the English "thong", and beside a child ("các bé trang trí
# cây thông Noel") the request was refused. A word of these, written with marks, is not read by the
# English lists; written without them it is ("vẽ bé gái mặc thong"), and look-alike letters from
# another script ("thоng", a Cyrillic о) are still folded. Found by reading every corpus text in
# another language with the English lists: "thong" was the only such word.
_MARKED_NOT_ENGLISH = frozenset({"thong", "thongs"})


def _without_marks(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if unicodedata.category(ch) != "Mn")


def _english_view(text: str) -> str:
    if text.isascii():
        return text
    words = text.split()
    kept = [
        word
        for word in words
        if word.isascii() or "".join(filter(str.isalnum, _without_marks(word))).casefold() not in _MARKED_NOT_ENGLISH
    ]
    return text if len(kept) == len(words) else " ".join(kept)


def _texts(texts) -> list[str]:
    """The texts as the English lists read them (policy.rules.text.folded_texts)."""
    return folded_texts([_english_view(text) for text in texts if text])


_MINOR_WORDS = re.compile(
    r"\b(child|children|childs|kid|kids|kiddie|toddler|toddlers|infant|infants|baby|babies|minor|minors|"
    r"underage|under age|preteen|preteens|pre teen|tween|tweens|teen|teens|teenage|teenager|teenagers|"
    r"schoolgirl|schoolgirls|schoolboy|schoolboys|school girl|school boy|little girl|little girls|"
    r"boy|boys|little boy|little boys|young girl|young girls|young boy|young boys|loli|lolita|shota|pubescent|"
    r"prepubescent|juvenile|elementary school|middle school|primary school|grade schooler|"
    r"high schooler|high schoolers|high school (?:student|students|girl|girls|boy|boys|kid|kids)|"
    # "son" is also French for "his", Spanish for "they are" and Vietnamese "sơn" (paint) folded.
    r"daughter|(?:my|your|his|her|their|our|a|the|s|only|little|baby|young|teenage) son|niece|nephew|stepdaughter|jailbait|student in (?:the )?\d+(?:st|nd|rd|th) grade|"
    # School grade or year, apparent age and the words used to make an adult look like a child.
    r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth) ?"
    r"grade(?:r|rs)?|grade (?:\d{1,2}|school(?:er|ers)?)|year (?:[1-9]|1[0-2]) (?:student|pupil|girl|boy|kid)s?|"
    r"kindergarten(?:er|ers)?|preschool(?:er|ers)?|nursery school|junior high|middle schooler|middle schoolers|"
    r"elementary schooler|elementary schoolers|grade schooler|grade schoolers|schoolkids?|school kids?|"
    r"high school (?:freshman|freshmen|sophomore|sophomores|junior|juniors)|(?:freshman|sophomore) in high school|"
    r"adolescent|adolescents|pubescent|youngster|youngsters|young people|youths|barely legal|young looking|younger looking|"
    # Everyday and regional words for a child, as the other languages' lists have theirs ("críos",
    # "Knirpse"); not "tot" (a drink) and not the nippers that cut nails or wire.
    r"sprogs?|rugrats?|ankle biters?|kiddos?|tykes?|wee ones?|wee lad|wee lass|bairns?|weans?|little ones|"
    r"(?<!nail )(?<!cuticle )(?<!wire )(?<!hoof )nippers?|"
    r"childlike|child like|childish body|flat chested|girl scouts?|boy scouts?|cub scouts?|"
    r"(?:in|wearing) (?:a |her |his )?school uniform|school uniforms?|high school cheerleaders?|"
    r"(?:little|baby|kid) (?:sister|brother|sisters|brothers)|"
    r"cheerleaders? (?:from|at|in) (?:my|our|the|a) (?:high|middle) school|pigtails and (?:a )?school|underaged|not yet 18|under 18|"
    r"little league|pigtails and braces|braces and pigtails|barely (?:into|in) (?:her|his|their) teens|"
    r"(?:first|second|third|fourth|fifth|lower sixth) form(?:er|ers)?|"
    r"looks? (?:so |very |really )?(?:young|underage|like a (?:child|kid|little girl|little boy|teen|teenager|minor)))\b"
)
# A number followed by one of these is a size or a count, not an age ("make them 5 cm taller").
# A bare "in" is not read as inches: "look 12 in a swimsuit" is an age ("a 12 inch pizza" is not).
_UNITS = r"(?:feet|ft|foot|inches|inch|cm|mm|meters|metres|m|kg|lbs|pounds|percent|%|dollars|minutes|hours|days|km|miles|times|x)"
# ... and "ten years younger" is a difference of ages, not an age.
_NOT_A_UNIT = r"(?! ?(?:" + _UNITS + r"|years? (?:younger|older))\b)"
_MEASURE = re.compile(r"\b\d+(?:[.,]\d+)? ?" + _UNITS + r"(?!\w)", re.IGNORECASE)
# An age below 18 written as a number: "13 year old", "aged 12", "look 13", "12yo".
_AGE_PATTERNS = [
    re.compile(r"\b(\d{1,2}) ?(?:years?|yrs?|yr) ?olds?\b"),
    re.compile(r"\b(\d{1,2}) ?(?:yo|y o)\b"),
    re.compile(
        r"\b(?:she|he|they|who|i|you) (?:is |s |are |re |am |m |was |were )?(?:only |just |about |around )?(\d{1,2})\b(?! (?:feet|ft|foot|inches|cm|meters|metres|m|kg|lbs|pounds|percent|dollars|minutes|hours|days|km|miles))"
    ),
    re.compile(
        r"\b(?:aged?|age of|look|looks|looking|appear|appears|appearing|make (?:her|him|them|it) look|"
        r"(?:make|makes|making|made|turn|turns|turning|turned) (?:her|him|them|she|he)(?: into)?(?: an?)?|"
        r"as if (?:she|he) (?:is|was)|could pass for|passes for|barely|not even|seems?|seeming|body of an?|"
        r"the body of) (?:like |to be )?(?:about |around |"
        r"only |just |maybe |roughly )?(\d{1,2})\b" + _NOT_A_UNIT
    ),
]
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
}
# "Forty-five years old" ends in "five years old": a tens word before the unit makes an adult.
_NOT_AFTER_TENS = "".join(f"(?<!{tens} )" for tens in "twenty thirty forty fifty sixty seventy eighty ninety".split())
_AGE_WORDS = re.compile(
    r"\b"
    + _NOT_AFTER_TENS
    + r"("
    + "|".join(_NUMBER_WORDS)
    + r") ?(?:years? old|yo)\b|\b(?:aged?|look|looks|looking|appears?|could pass for|"
    r"(?:make|makes|making|made|turn|turns|turning|turned) (?:her|him|them|she|he)(?: into)?(?: an?)?|"
    r"not even|seems?|seeming) (?:like |to be )?(?:about |around |only |just |maybe )?("
    + "|".join(_NUMBER_WORDS)
    + r")\b"
    + _NOT_A_UNIT
    # "as if she is eight", "she's ten now": a pronoun's age in words, at the end of a clause (not
    # "she is one of them", "he is three feet tall").
    + r"|\b(?:she|he|i|who) (?:is|s|am|m|was) (?:only |just |about |around |barely )?("
    + "|".join(_NUMBER_WORDS)
    + r")(?:$| (?=(?:now|already|and|but|in|at|with|wearing|years|please|or|again)\b))"
)

# English words for the private parts, in minor_words.yaml's notation (`names_intimate_parts`).
_INTIMATE_WORDS_EN = (
    "private parts",
    "private part",
    "privates",
    "intimate parts",
    "intimate areas",
    "intimate area",
    "genitals",
    "genitalia",
    "genital area",
    "penis",
    "penises",
    "vagina",
    "vulva",
    "crotch",
)

# Sexual or suggestive *content* words. Topic words ("sexuality", "sex education", "consent")
# are deliberately absent: education about them is allowed, also for teenagers.
_SEXUAL_WORDS = re.compile(
    r"\b(sexy|sexier|seductive|seductively|seduce|seducing|seduction|erotic|erotica|erotically|nude|nudes|"
    r"naked|nekkid|nekid|nudity|undress|undressed|undressing|unclothed|striptease|lingerie|"
    r"topless|bottomless|sensual|sensually|provocative|provocatively|suggestive|suggestively|sultry|"
    r"porn|porno|pornographic|nsfw|fetish|fetishes|hentai|lewd|boudoir|aroused|arousing|orgasm|genitals|"
    r"genital|horny|kinky|thong|panties|having sex|sex with|sex scene|sex act|sex acts|sexual acts?|"
    r"underwear|sexual poses?|sexual positions?|sexual activity|sexual activities|sexual intercourse|sexual content|sexual grooming|"
    r"sexually(?! transmitted)|intercourse|molest|molested|molesting|fondle|fondling|spread legs|bedroom eyes|"
    r"bikini pose|pin up|pinup|playboy|onlyfans|see through|transparent (?:top|shirt|dress|clothes)|"
    r"wet t shirt|without (?:any )?(?:clothes|clothing)|no clothes|(?:her|his|their) clothes off|clothes removed|"
    r"making out|make out|in bed together|"
    # "Explicit" and "steamy" are also instructions and soup: they count said of a picture or a
    # scene, and not denied ("non-explicit illustrations for a puberty leaflet").
    r"(?<!non )(?<!not )(?<!nothing )(?<!never )(?:explicit|steamy) (?:\w+ ){0,2}?(?:content|images?|pictures?|photos?|pics?|scenes?|poses?|videos?|drawings?|art|versions?|"
    r"material|shots?|selfies?|romance|moments?|kiss|kisses|nights?|encounters?|depictions?|illustrations?|"
    r"renderings?|portrayals?|imagery|visuals?)\b|"
    # Abuse is a topic (a prevention poster), but explicit abuse is content: "explicit images of the
    # sexual abuse", not "a poster with nothing explicit".
    r"(?<!no )(?<!non )(?<!not )(?<!nothing )(?<!anything )(?:explicit|uncensored) "
    r"(?!(?:instructions?|guidance|directions|rules|steps|language|consent|warnings?|advice)\b)(?:\w+ ){0,4}?(?:sexual abuse|sex abuse|"
    r"abuse material)|(?:sexual abuse|sex abuse) (?:\w+ ){0,4}?(?:explicitly|uncensored)|"
    # Less clothing, asked for as such ("now make them wear less").
    r"wear less|wearing less|wears less|(?:less|fewer|skimpier|tinier|smaller) (?:clothes|clothing|outfits?)|"
    r"skimpy|skimpier|more revealing|revealing (?:outfits?|clothes|clothing|dress|top|swimsuit|bikini|costume)|"
    r"(?:show|showing|shows) (?:some |more |a lot of |lots of )?skin|more skin|cleavage|low cut|plunging neckline|"
    r"passionate kiss(?:ing)?|kiss(?:ing)? passionately|"
    # Nudity and arousal in other words, and in other languages.
    r"wearing nothing|nothing on|not wearing anything|without anything on|birthday suit|au naturel|in the buff|"
    r"without a stitch|not a stitch|disrobed|disrobing|unclad|in the nude|skinny dipping|bare (?:breasts|bottom|butt|"
    r"body|skin)|exposed (?:breasts|nipples|genitals|body)|nipples?|areolas?|scantily clad|barely (?:dressed|clothed|"
    r"covered)|half naked|half dressed|undies|negligee|bra and panties|g string|lap dance|spread (?:her|his|their) legs|"
    r"come hither|hot and bothered|titillat\w*|sexualized|sexualised|sexualize|sexualise|lustful|"
    r"bare naked|stark naked|buck naked|butt naked|fully exposed|in the altogether|clothing optional|"
    r"free of clothing|clothing free|no clothing|without garments|nothing but (?:a|her|his|their) (?:towel|smile|"
    r"necklace|socks|heels|stockings|apron)|showing (?:her|his|their) (?:breasts|privates|genitals|body|chest)|"
    r"stockings and garters|garter belt|bedroom eyes|"
    # A seductive look or pose ("a flirty look", "an alluring pose"); said alone, "alluring" and
    # "inviting" are also a beach and a cake.
    r"flirty|flirtatious|flirtatiously|coquettish|coquettishly|seductress|temptress|nymphet|lascivious|lecherous|"
    # "Spicy" said of the picture itself, not of the food in it ("a spicy photo shoot").
    r"spicy (?:pics?|photos?|pictures?|images?|calendars?|photo ?shoots?|shoots?|selfies?|versions?|content|scenes?|"
    r"poses?)|"
    r"(?:alluring|enticing|inviting|smouldering|smoldering|come hither|bedroom) (?:looks?|gazes?|glances?|smiles?|"
    r"poses?|eyes|stares?)|flirting with the camera|making eyes at|"
    # A content rating said of the picture: beside a child it can only mean one thing. Said of
    # anything else (an adults-only pool, restaurant or floor) it is a place, not a rating.
    r"(?:for )?adults? only(?= *(?:$|\|)| (?:versions?|content|pictures?|images?|art|artwork|drawings?|comics?|"
    r"illustrations?|photos?|pics?|renders?|editions?|style)\b)|r18|thirst traps?|"
    # French "nue", German "Dessous" and Italian "nudo" are in minor_words.yaml, which knows that
    # "pieds nus" is barefoot, "en dessous" is underneath and a Spanish "nudo" is a knot; its
    # `bare` lists take bare feet ("a piedi nudi", "nackte Füße") out before these are read.
    r"desnud[ao]s?|nackt\w*|nuda|nudi|sensuel\w*|sinnlich\w*|lenceria|reizwasche|"
    r"provocativ[ao]s?|provocante|seductor[ao]?|verfuhrerisch\w*|sedutor[ao]|sexi|"
    r"(?:remove|take off|taking off|pull off|pull down|lift up) (?:her|his|their|the girl s|the boy s|the kid s|all)? ?"
    r"(?:clothes|clothing|swimsuit|bathing suit|bikini|shirt|top|dress|skirt|underwear|pants|trousers|bra))\b"
)

# "Strip" undresses only as a verb on a person ("strip her", "stripped naked", "stripping for
# the camera") or in the sex trade's words (strip club, stripper pole); as a noun or a verb on a
# thing it is a comic strip, a strip of tape, stripped paint, a wire stripper.
_STRIP_AS_UNDRESSING = re.compile(
    r"\bstrip(?:s|ped|ping)?(?= (?:her|him|them|me|you|us|herself|himself|themselves|yourself|myself|naked|nude|"
    r"down|bare|off (?:(?:her|his|their|my|your|all) )?(?:clothes|clothing|everything|naked)|to (?:(?:her|his|their|my|your|"
    r"the) )?(?:underwear|bra|panties|skin|bikini|knickers|briefs|boxers|waist)|for (?:me|him|her|them|us|you|the camera|"
    r"money|cash|tips|an audience|the men|the guys|the boys)|on (?:camera|stage|webcam|a pole|the pole|video)|in front of)\b)"
    r"|\bstrip(?:s|ped|ping)? (?:\w+ ){0,3}out of (?:her|his|their|my|your)\b"
    r"|\b(?:she|he|they|who|\w*girls?|\w*boys?|wom[ae]n|m[ae]n|child|children|kids?|teens?|teenagers?|models?|dancers?) "
    r"(?:strips|stripping)(?=$| in\b| at\b| slowly\b)|\b(?:being|getting|gets|got) stripped\b|\bstripping$"
    r"|\bstrip (?:club|clubs|show|shows|poker|dance|dancer|dancers|dancing|joint|search|searched)\b"
    r"|\b(?:stripper|strippers)\b(?! (?:tool|tools|pliers|gun|blade|machine))"
)
_STRIPPING_THINGS = re.compile(r"\b(?:paint|wire|cable|wallpaper|varnish|floor|insulation|polish|gel|bark)s? $")


def _strips_a_person(folded: str) -> bool:
    """A match that is not a tool ("a paint stripper", "wire strippers")."""
    return any(
        not (match.group().startswith("stripper") and _STRIPPING_THINGS.search(folded[: match.start()]))
        for match in _STRIP_AS_UNDRESSING.finditer(folded)
    )


# Taking the clothes off a person in a picture ("remove her swimsuit", "make his shorts see
# through", "what she looks like under her clothes"): the "nudify" edit. A hat, glasses or a
# jacket are not undressing; neither is a man's shirt (a shirtless man is an ordinary picture).
_GARMENT = (
    r"(?:clothes|clothing|outfit|uniform|swimsuit|swim suit|bathing suit|swimwear|swim trunks|trunks|bikini(?: top| bottom)?|"
    r"bra|bras|underwear|panties|knickers|briefs|boxers|lingerie|towel|robe|bathrobe|gown|nightgown|"
    r"dress|skirt|pants|trousers|jeans|shorts|leggings|shirt|t shirt|tshirt|top|tank top|blouse|"
    r"everything|every stitch|all (?:of )?(?:her|his|their) clothes)"
)
_UPPER_BODY = re.compile(r"^(?:shirt|t shirt|tshirt|top|tank top)$")
_WEARER = (
    r"(?:(?:her|his|their|the|this|that|these|those|the woman|the man|the girl|the boy|the lady|the person|all|all the|"
    r"all of (?:her|his|their)|all (?:her|his|their))(?: s)?)"  # "the woman's dress" reads "the woman s dress"
)
_UNDRESS_FORMS = (
    re.compile(
        r"\b(?:remove|removes|removing|removed|take off|takes off|taking off|took off|take away|strip off|"
        r"strip away|pull off|pull down|pulls off|pulls down|pulling off|pulling down|rip off|tear off|tear away|"
        r"cut off|cut away|get rid of|erase|delete|edit out|lift up|unbutton|unzip|undo)"
        r" (?P<wearer>" + _WEARER + r") ?(?P<garment>" + _GARMENT + r")\b"
    ),
    re.compile(
        r"\b(?:take|pull|rip|tear|strip) (?P<wearer>"
        + _WEARER
        + r") ?(?P<garment>"
        + _GARMENT
        + r") (?:off|away|down)\b"
    ),
    re.compile(
        r"\b(?:make|turn|render|show) (?P<wearer>" + _WEARER + r") ?(?P<garment>" + _GARMENT + r")"
        r" (?:(?:fully |completely |totally |a bit |slightly )?(?:transparent|see through|sheer|invisible|disappear|"
        r"vanish|gone|wet and see through))\b"
    ),
    re.compile(
        r"\b(?:what|how) (?:she|he|they|this person|the woman|the man) (?:looks?|would look) like"
        r" (?:naked|nude|undressed|without (?:any )?(?:clothes|clothing|anything on)|under (?:her|his|their) clothes)\b"
        r"|\b(?:under|underneath|beneath|through) (?:her|his|their) (?:clothes|clothing|dress|skirt|swimsuit)\b"
        r"|\bx ?ray (?:her|his|their|the) (?:clothes|clothing|body)\b|\bnudify\b|\bdeclothe\w*"
        r"|\b(?:undress|strip) (?:her|him|them|this person|this woman|this man|this girl|this boy|the person|the woman|the man)\b"
    ),
)


# Words that are a garment only on a person ("remove the top" of a jar, "cut off the top" of a tree).
_GARMENT_ON_A_PERSON_ONLY = re.compile(
    r"^(?:top|tank top|towel|robe|gown|everything|every stitch|uniform|outfit|shirt)$"
)
_IMPERSONAL_WEARER = re.compile(r"^(?:the|this|that|these|those|all|all the)$")
# An instruction ("now remove her swimsuit"), not a scene ("a woman taking off her coat").
_INSTRUCTION_START = re.compile(
    r"(?:^|\b(?:now|please|pls|then|and|just|also|next|ok|okay|can you|could you|would you|will you|i want you to)\s)$"
)


def _undressing_matches(folded: str):
    """(form, match) for each undressing in an already folded text (see `_texts`)."""
    for form, pattern in enumerate(_UNDRESS_FORMS):
        for match in pattern.finditer(folded):
            wearer, garment = match.groupdict().get("wearer"), match.groupdict().get("garment") or ""
            if wearer == "his" and _UPPER_BODY.match(garment):
                continue
            if wearer and _IMPERSONAL_WEARER.match(wearer) and _GARMENT_ON_A_PERSON_ONLY.match(garment):
                continue
            yield form, match


def undresses_someone(text: str) -> bool:
    """Does the request take the clothes off a person (not a hat, not a man's shirt)?"""
    return any(next(_undressing_matches(folded), None) for folded in _texts([text]))


def undressing_instruction(text: str) -> bool:
    """Is it an instruction to undress someone shown (or to see under their clothes)?"""
    for folded in _texts([text]):
        for form, match in _undressing_matches(folded):
            if form == len(_UNDRESS_FORMS) - 1 or _INSTRUCTION_START.search(folded[: match.start()]):
                return True
    return False


# "girl" is also said of grown women, so it is not a minor word in general; next to sexual
# content it is read as one (the strongest protection). A pin-up girl or a Bond girl is a
# grown-up role.
_GIRL = re.compile(
    r"(?<!pin up )(?<!pinup )(?<!cover )(?<!bond )(?<!calendar )(?<!poster )(?<!grown )(?<!adult )(?<!old )"
    r"\bgirls?\b(?! next door)"
)


def mentions_girl(texts) -> bool:
    return any(_GIRL.search(text) for text in _texts(texts))


# Asking to make someone look younger: with sexual content in the conversation, that is drift
# towards a minor ("a woman in a bikini" ... "even younger").
_LOWERS_AGE = re.compile(
    r"\b(?:younger|more youthful|more childlike|de ?aged?|de ?age (?:her|him|them)|age (?:her|him|them) down|"
    r"(?:take|takes|took|knock|shave) (?:\w+ ){0,2}years off|"
    r"(?:make|turn) (?:her|him|them) (?:into )?(?:an? )?(?:kid|child|teen|teenager|little girl|little boy|schoolgirl))\b"
)


def lowers_age(texts) -> bool:
    """Asks to make someone look younger, in English or any language of minor_words.yaml ("make
    her younger", "hazla más joven", "омолоди её", "让她更年轻")."""
    texts = [text for text in texts if text]
    return any(_LOWERS_AGE.search(text) for text in _texts(texts)) or any(
        _found_in("younger", reading) for text in texts for reading in _readings_any_script(text)
    )


# "Make her younger, around 30", "a woman in her thirties", "like she's seventy": an adult age
# said of the person.
_ABOUT_AN_AGE = re.compile(r"\b(?:around|about|aged?|roughly|like|maybe|say) (\d{2})\b")
_TENS = r"(?:twent|thirt|fort|fift|sixt|sevent|eight|ninet)"
_ADULT_DECADE = re.compile(
    r"\b(?:in|into|to) (?:her|his|their|my|your|our) (?:early |mid |late )?(?:" + _TENS + r"ies|[2-9]0s)\b|"
    r"\b(?:early|mid|late) (?:" + _TENS + r"ies|[2-9]0s)\b|"
    r"\b(?:twenty|thirty|forty|fifty|[2-5]0) ?something\b|"
    r"\b" + _TENS + r"y(?: \w+)? ?years? old\b|"
    r"\b(?:around|about|aged?|roughly|like|maybe|say|(?:she|he) s|(?:she|he) is) " + _TENS + r"y\b"
)
# For an edit that lowers an age, also a decade alone and the word itself ("make her younger,
# 30s", "younger but still an adult"); the learned aspect is not overruled by those, since "a 70s
# disco" is an era and "adult content" names no one.
# A tens word before "years off" or "years younger" is the span, not the age ("take twenty years off her").
_ADULT_AGE = re.compile(
    r"\b(?:" + _TENS + r"(?:y|ies)\w*(?!(?: \w+)? years? (?:off|younger)\b)|(?:20|30|40|50|60|70)s|adult|grown up)\b"
)


def names_an_adult(texts) -> bool:
    """A grown-up named by age or as an adult person, in any language, and no minor ("una ragazza
    di 25 anni", "成年女性", "a 30 year old", "in her thirties"): the learned `minor` aspect does not
    count against it. Not "adult content", which names no one."""
    texts = list(texts)
    if mentions_minor(texts):
        return False
    if adult_in_any_language(texts):
        return True
    for text in _texts(texts):
        ages = [int(m.group(1)) for pattern in [*_AGE_PATTERNS, _ABOUT_AN_AGE] for m in pattern.finditer(text)]
        if any(age >= 18 for age in ages) or _ADULT_DECADE.search(text):
            return True
    return False


def without_measures(text: str) -> str:
    """The text with its measures left out ("make them 5 cm taller" -> "make them taller"): the
    learned aspect reads a small number as an age, and a measure is not one."""
    return " ".join(_MEASURE.sub(" ", text).split())


def names_adult_age(texts) -> bool:
    """For an edit that lowers an age: an adult named as above, a decade or the word itself, and
    no minor ("make her younger, in her twenties", "younger but still an adult")."""
    texts = list(texts)
    return names_an_adult(texts) or (not mentions_minor(texts) and any(_ADULT_AGE.search(t) for t in _texts(texts)))


# Clothes that are ordinary on an adult and turn an age-lowering edit into sexualising a child
# ("a woman in a bikini posing" ... "make her a middle schooler").
_REVEALING_CLOTHES = re.compile(
    r"\b(?:bikinis?|lingerie|underwear|bras?|panties|knickers|thongs?|g string|negligee|bodysuit|"
    r"(?:swimsuit|swimwear|bathing suit|leotard|corset)s? (?:pos\w*|photo ?shoot|model\w*|pin ?up))\b"
)


def shows_revealing_clothes(texts) -> bool:
    return any(_REVEALING_CLOTHES.search(text) for text in _texts(texts))


def mentions_minor(texts) -> bool:
    """A minor word or an age under 18: the English lists, then those of the other languages."""
    texts = list(texts)
    if minor_in_any_language(texts):
        return True
    for text in _texts(texts):
        if _MINOR_WORDS.search(text) or _AGE_WORDS.search(text):
            return True
        for pattern in _AGE_PATTERNS:
            for match in pattern.finditer(text):
                if int(match.group(1)) < 18:
                    return True
    return False


# Where people are unclothed in front of others: showers and changing rooms. A child is not shown
# there at all (the strongest protection; "a woman taking a shower" is an ordinary picture). A bath
# is left out on purpose: "a baby in a bathtub" is a family photo. The place must be where the
# person is ("a girl in the shower", "kids showering"), not a thing ("a shower cap").
_UNCLOTHED_SETTING = re.compile(
    r"\b(?:in|into|taking|takes|take|under|during|having|has|after|from|out of) (?:a |an |the |her |his |their |a hot |"
    r"a cold |a warm |the school |the public |a public )?(?:showers?|changing rooms?|saunas?)\b"
    r"(?! (?:caps?|gel|heads?|curtains?|doors?|screens?|trays?|rooms? ))|"
    r"\bshowering\b|\b(?:getting|being) (?:undressed|changed)\b"
)


def in_unclothed_setting(text: str) -> bool:
    """Someone in a shower or a changing room ("a girl in the shower", "kids showering")."""
    return bool(_UNCLOTHED_SETTING.search(fold_text(text)))


def is_sexual(texts) -> bool:
    """Sexual-content words or an undressing edit (English), or the other languages' sexual words."""
    texts = list(texts)
    return sexual_in_any_language(texts) or any(
        _SEXUAL_WORDS.search(folded) or _strips_a_person(folded) or next(_undressing_matches(folded), None)
        for folded in (_BARE_FEET.sub(" ", text) for text in _texts(texts))
    )


# An edit that makes clothes more revealing ("make the dress shorter and tighter"): ordinary on an
# adult, sexualising on a child.
_OUTER_GARMENT = r"(?:dress|skirt|top|shirt|shorts|outfit|clothes|neckline|swimsuit|bikini)s?"
_CLOTHES_MORE_REVEALING = re.compile(
    r"\b(?:shorter|tighter|skimpier|smaller|more revealing|lower cut|lower|sheerer|more see through|"
    r"more transparent|cropped|lower neckline)\b(?: \w+){0,4} " + _OUTER_GARMENT + r"\b|"
    r"\b" + _OUTER_GARMENT + r"\b(?: \w+){0,3} (?:shorter|tighter|skimpier|smaller|more revealing|lower|sheer|"
    r"see through|transparent)\b"
)


def reveals_more(texts) -> bool:
    """Clothes made more revealing, or a revealing garment put on someone."""
    return any(_CLOTHES_MORE_REVEALING.search(text) for text in _texts(texts)) or shows_revealing_clothes(texts)


# Users under 18: no gore, the bright line of the stricter rules, also in horror art that is
# allowed for adults. These words sit beside the learned `gore` aspect at its lower threshold.
_GORY_WORDS = re.compile(
    r"\b(bloody|bloodied|blood ?(?:dripping|drips|spatter\w*|splatter\w*|everywhere|pouring|soaked|gushing|stained)|"
    r"(?:covered|soaked|drenched|dripping) (?:in |with )?blood|pool of blood|gore|gory|guts|entrails|intestines|dismember\w*|decapitat\w*|behead\w*|"
    r"mutilat\w*|severed|corpses?|carcass|disembowel\w*|flayed|skinned alive|brains? splatter\w*|splatter)\b"
)


def is_gory(texts) -> bool:
    """Gore words; used for users under 18, where the learned aspect need not agree."""
    return any(_GORY_WORDS.search(text) for text in _texts(texts))


# -- the same rule in other languages: minor_words.yaml ------------------------------------------
# The English folding above keeps only ASCII ("девочка" becomes "e bo ka"), so the other languages
# are read in their own script: NFKC, lowercase, digits of any script as ASCII ("١٢", "১২"), the
# accents people often leave out dropped (acute, grave, circumflex, diaeresis, Greek breathings,
# Hebrew and Arabic vowel points) and the ones that make another word kept ("niña" is not the name
# "Nina"; ç, č, ą, å, ő, ă stay). The lists are folded the same way when they are read.

WORDS_PATH = Path(__file__).with_name("minor_words.yaml")
_MARKS_DROPPED = {0x300, 0x301, 0x302, 0x308, 0x313, 0x314, 0x342, 0x345, 0x640}  # 0x640: Arabic tatweel
_MARKS_DROPPED.update(
    code
    for start, end in ((0x591, 0x5C8), (0x610, 0x61B), (0x64B, 0x660), (0x670, 0x671), (0x6D6, 0x6EE))
    for code in range(start, end)
    if unicodedata.category(chr(code)) == "Mn"
)
_DROP_MARKS = dict.fromkeys(_MARKS_DROPPED)
_ONE_APOSTROPHE = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))
# A number word after one of these is part of a larger number ("二十歳" is 20, "十歳" is 10).
_CJK_NUMERALS = "一二三四五六七八九十百千两兩零〇"
_INDIC_LETTERS = "\u0900-\u09ff"  # Devanagari and Bengali: "सत्रह" inside a longer number word


def _fold_script(text: str, lowercase: bool = True) -> str:
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # zero-width, bidi, ZWNJ
    text = unicodedata.normalize("NFKC", text)
    if lowercase:
        text = text.casefold()
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)
    text = unicodedata.normalize("NFD", text.translate(_ONE_APOSTROPHE)).translate(_DROP_MARKS)
    return unicodedata.normalize("NFC", text.replace("i\u0307", "i"))  # Turkish "İ" lowercases to i + dot


@lru_cache(maxsize=4096)
def fold_any_script(text: str) -> str:
    """A request as the multilingual lists read it (any script kept)."""
    return _fold_script(text)


def _entry(entry: str, substring: bool) -> str:
    """One list entry as a regular expression without its word boundaries (minor_words.yaml says
    how entries are written): "klein* mädchen" reads "klein\\w*[\\s\\-]+mädchen(?!\\w)"."""
    if entry.startswith("re:"):
        body, stem = _fold_script(entry[3:], lowercase=False), False
    else:
        tokens = _fold_script(entry).split()
        stem = tokens[-1].endswith("*")
        parts = [
            re.escape(token.rstrip("*")) + (r"\w*" if token.endswith("*") and not substring else "") for token in tokens
        ]
        body = (r"\s*" if substring else r"[\s\-]+").join(parts)
    return body if substring or stem else body + r"(?!\w)"


def _any(patterns) -> str:
    # Longest first: "on iki" before "on", "十二" before "十".
    patterns = sorted(set(patterns), key=lambda p: (-len(p), p))
    return "(?:" + "|".join(patterns) + ")" if patterns else "(?!)"


class _Alternatives:
    """Entries grouped by how a word starts, so that the boundary is tested once per position and
    each entry begins with a letter (the regex engine skips an entry whose first letter differs)."""

    def __init__(self) -> None:
        self.groups: dict[tuple[bool, str], list[str]] = {}

    def add(self, entries, substring: bool, prefix: str) -> None:
        self.groups.setdefault((substring, prefix), []).extend(_entry(e, substring) for e in entries or [])

    def add_pattern(self, pattern: str) -> None:
        self.groups.setdefault((True, ""), []).append(pattern)

    def pattern(self) -> str:
        parts = []
        for (substring, prefix), entries in sorted(self.groups.items()):
            start = "" if substring else r"(?<!\w)" + prefix
            parts.append(start + _any(entries))
        return "|".join(parts) or "(?!)"


# Between a verb of taking off and the clothes it takes, at most this many words ("quítale la ropa
# a la niña", "сними с девочки всю одежду", "لباس های دختر بچه را در بیاور").
_TAKE_OFF_GAP_WORDS = 6
_TAKE_OFF_GAP_CHARS = 12  # the same in scripts written without spaces ("服を脱がせ")


def _taking_clothes_off(language: dict, substring: bool, prefix: str) -> str:
    """A verb of taking off (`take_off`) and a word for one's clothes as a whole (`clothes`) near
    each other, in either order: the undressing asked for in the language's own word order."""
    verb = _any(_entry(entry, substring) for entry in language["take_off"])
    clothes = _any(_entry(entry, substring) for entry in language["clothes"])
    if substring:
        gap = f".{{0,{_TAKE_OFF_GAP_CHARS}}}?"
        return f"{verb}{gap}{clothes}|{clothes}{gap}{verb}"
    start, gap = r"(?<!\w)" + prefix, rf"(?:\W+\w+){{0,{_TAKE_OFF_GAP_WORDS}}}?\W+" + prefix
    return f"{start}{verb}{gap}{clothes}|{start}{clothes}{gap}{verb}"


_MINOR_NUMBER = r"(?<![\d.,])(?:1[0-7]|[1-9])(?!\d)"
_ADULT_NUMBER = r"(?<![\d.,])(?:1[89]|[2-9]\d|1\d\d)(?!\d)"


def _ages(language: dict, substring: bool, prefix: str) -> tuple[str, str]:
    """An age under 18 and an age of 18 or more, each a number with the language's unit."""

    def folded(key: str) -> list[str]:
        return [re.escape(_fold_script(word)) for word in language.get(key) or []]

    words = folded("numbers")
    gaps = [" ", ""] if substring else [" ", "-"]
    not_larger = "".join(rf"(?<!{tens}{gap})" for tens in folded("tens") for gap in gaps)
    not_larger += f"(?<![{_CJK_NUMERALS}{_INDIC_LETTERS}])" if substring else r"(?<!\w)"
    number_word = f"(?={_any(words)}){not_larger}{_any(words)}" if words else "(?!)"
    first = "(?=[0-9]" + ("|" + _any(words) if words else "") + ")"
    not_a_span = "".join(rf"(?<!{word} )" for word in folded("span_before"))
    span_after = folded("span_after")
    after_unit = rf"(?![\s\-]*{_any(span_after)}(?!\w))" if span_after else ""
    units_after = _any(_entry(unit, substring) for unit in language.get("age_after") or [])
    units_before = _any(_entry(unit, substring) for unit in language.get("age_before") or [])
    before = "" if substring else r"(?<!\w)" + prefix
    # After a unit written first ("בת שמונה עשרה", 18; "usia tiga puluhan", thirties), a number word
    # must not go on into a larger one.
    word_ends = rf"(?![\s\-]*{_any(words + folded('tens'))})" if words else ""
    minor = (
        rf"{first}{not_a_span}(?:{_MINOR_NUMBER}|{number_word})[\s\-]*{units_after}{after_unit}"
        rf"|{before}{units_before}[\s:\-]*(?:{_MINOR_NUMBER}|{number_word}{word_ends})"
    )
    adult = rf"{_ADULT_NUMBER}[\s\-]*{units_after}|{before}{units_before}[\s:\-]*{_ADULT_NUMBER}"
    return minor, adult


def _declined(entries: list[str], endings: list[str] | None, where: str) -> list[str]:
    """Entries with "stem~" replaced by the stem with each of the language's `adjective_endings`
    ("гол~": голый, голого, голым, ...): an adjective in every case, number and gender."""
    out = []
    for entry in entries:
        if not entry.endswith("~"):
            out.append(entry)
        elif not endings:
            raise ValueError(f"{where}: {entry!r} needs the language's adjective_endings")
        else:
            out += [entry[:-1] + ending for ending in endings]
    return out


def _load_word_lists(path: Path = WORDS_PATH) -> tuple[str, str, str, str, str]:
    """(who, sexual, bare, intimate, younger): five regular expressions over all the languages. In
    `who` a group named "minor" or "minor_<language>" finds a minor word or an age under 18,
    "adult" a grown-up; in `sexual` the group "sexual" finds a sexual word, "sexual_<language>" one
    of that language's `sexual_with_minor` words; `bare` finds the bare feet that are not a sexual
    word; `intimate` and `younger` (one group of that name each) a word for the private parts,
    English's included, and a word asking to make someone look younger."""
    languages = yaml.safe_load(path.read_text(encoding="utf-8"))
    for code, language in languages.items():
        for key, entries in language.items():
            if isinstance(entries, list) and not all(isinstance(entry, str) for entry in entries):
                # YAML reads a bare on, no, yes or off as a boolean: quote it ("on" is Turkish for 10)
                raise ValueError(f"{path.name}: {code}.{key} holds an entry that is not text: {entries}")
            if key != "adjective_endings" and isinstance(entries, list):
                language[key] = _declined(entries, language.get("adjective_endings"), f"{path.name}: {code}.{key}")
    minor, adult, sexual = {"minor": _Alternatives()}, _Alternatives(), {"sexual": _Alternatives()}
    bare, intimate, younger = _Alternatives(), _Alternatives(), _Alternatives()
    intimate.add(_INTIMATE_WORDS_EN, False, "")
    for code, language in languages.items():
        substring, prefix = language.get("match") == "substring", language.get("prefix", "")
        group = "minor"
        if language.get("sexual_with_minor"):
            group = f"minor_{code}"  # its minors are told apart, for its sexual_with_minor words
            minor[group] = _Alternatives()
            sexual[f"sexual_{code}"] = _Alternatives()
            sexual[f"sexual_{code}"].add(language["sexual_with_minor"], substring, prefix)
        minor[group].add(language.get("minor"), substring, prefix)
        sexual["sexual"].add(language.get("sexual"), substring, prefix)
        if language.get("take_off"):
            sexual["sexual"].add_pattern(_taking_clothes_off(language, substring, prefix))
        adult.add(language.get("adult"), substring, prefix)
        bare.add(language.get("bare"), substring, prefix)
        intimate.add(language.get("intimate"), substring, prefix)
        younger.add(language.get("younger"), substring, prefix)
        minor_age, adult_age = _ages(language, substring, prefix)
        minor[group].add_pattern(minor_age)
        adult.add_pattern(adult_age)
    # Each group is tried on its own at a position (a lookahead that may fail), so that "nu" is
    # found as French and as Portuguese, and "adolescente" as Spanish and as Portuguese.
    groups = {**minor, "adult": adult}
    who = "".join(f"(?:(?=(?P<{name}>{alternatives.pattern()}))|)" for name, alternatives in groups.items())
    sexual_pattern = "".join(f"(?:(?=(?P<{name}>{alternatives.pattern()}))|)" for name, alternatives in sexual.items())
    return (
        who,
        sexual_pattern,
        bare.pattern(),
        f"(?:(?=(?P<intimate>{intimate.pattern()}))|)",
        f"(?:(?=(?P<younger>{younger.pattern()}))|)",
    )


_WHO_PATTERN, _SEXUAL_PATTERN, _BARE_PATTERN, _INTIMATE_PATTERN, _YOUNGER_PATTERN = _load_word_lists()
_WHO_ANY_LANGUAGE = re.compile(_WHO_PATTERN)
_SEXUAL_ANY_LANGUAGE = re.compile(_SEXUAL_PATTERN)
_BARE_FEET = re.compile(_BARE_PATTERN)
_INTIMATE_ANY_LANGUAGE = re.compile(_INTIMATE_PATTERN)
_YOUNGER_ANY_LANGUAGE = re.compile(_YOUNGER_PATTERN)


# Where a match can begin: a word's first letter, a digit, and any letter of the scripts read
# without word boundaries. Trying the two patterns only there (rather than `search` at every
# character) makes them several times faster; the patterns themselves decide the rest.
_UNSPACED_SCRIPTS = (
    ("\u0900", "\u0d7f"),  # Devanagari to Malayalam: vowel signs break regex word boundaries
    ("\u0e00", "\u0eff"),  # Thai, Lao
    ("\u1000", "\u109f"),  # Myanmar
    ("\u1780", "\u17ff"),  # Khmer
    ("\u3000", "\u30ff"),
    ("\u3400", "\u9fff"),
    ("\uf900", "\ufaff"),
)


def _starts(text: str):
    previous_in_word = False
    for index, char in enumerate(text):
        in_word = char.isalnum() or char == "_"
        if (in_word and not previous_in_word) or char.isdigit():
            yield index
        elif not char.isascii() and any(low <= char <= high for low, high in _UNSPACED_SCRIPTS):
            yield index
        previous_in_word = in_word


_ANY_LANGUAGE = {
    "who": _WHO_ANY_LANGUAGE,
    "sexual": _SEXUAL_ANY_LANGUAGE,
    "intimate": _INTIMATE_ANY_LANGUAGE,
    "younger": _YOUNGER_ANY_LANGUAGE,
}


# Cached by the list's name, not the pattern: hashing a compiled pattern hashes its whole code,
# 0.2 ms for these lists of every language, more than the look-up it saves.
@lru_cache(maxsize=4096)
def _found_in(which: str, folded: str) -> frozenset[str]:
    """The names of the groups the `which` list ("who", "sexual") matches in an already folded text."""
    pattern, found = _ANY_LANGUAGE[which], set()
    for start in _starts(folded):
        found.update(name for name, text in pattern.match(folded, start).groupdict().items() if text is not None)
    return frozenset(found)


@lru_cache(maxsize=4096)
def _readings_any_script(text: str) -> tuple[str, ...]:
    """The text as the multilingual lists read it, and, when some word is spelled in look-alikes,
    also as `respell` reads it: digits or symbols inside a word as the letters they mimic ("n1ñ4
    d3 12 añ0s", "4n4k"), Latin look-alikes inside a Cyrillic or Greek word ("гoлoгo"); a number
    with its unit ("12", "42세", "12yo") is kept, it may be an age."""
    folded = fold_any_script(text)
    undone = fold_any_script(respell(text))
    if undone == folded:
        return (folded,)
    # Who spells with digits spells loosely: also without the marks on Latin letters ("ç1pl4k" is
    # "çiplak", neither "çıplak" nor "ciplak").
    plain = "".join(_latin_base(ch) for ch in undone)
    return (folded, undone) if plain == undone else (folded, undone, plain)


def _latin_base(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch)[0]
    return base if base.isascii() else ch


def _who_any_language(texts) -> set[str]:
    """The `who` groups the multilingual lists find in the texts ("minor", "minor_fr", "adult")."""
    return set().union(*(_found_in("who", reading) for text in texts if text for reading in _readings_any_script(text)))


def minor_in_any_language(texts) -> bool:
    """A minor word or an age under 18, in any of the languages of minor_words.yaml."""
    return any(group.startswith("minor") for group in _who_any_language(texts))


def sexual_in_any_language(texts) -> bool:
    """A sexual word in any language; a word that is ordinary in another language ("nu") only
    beside a minor word or an age in its own ("un enfant nu")."""
    texts = [text for text in texts if text]
    # "a piedi nudi", "çıplak ayaklı": a naked word said of feet is a child at the beach
    readings = [_BARE_FEET.sub(" ", reading) for text in texts for reading in _readings_any_script(text)]
    found = set().union(*(_found_in("sexual", reading) for reading in readings))
    if "sexual" in found:
        return True
    return bool(found) and any("minor_" + group.removeprefix("sexual_") in _who_any_language(texts) for group in found)


def names_intimate_parts(texts) -> bool:
    """A word for the genitals or the private parts, in English or any language of
    minor_words.yaml ("private parts", "partes íntimas", "интимные места", "性器"). Not sexual by
    itself: body-safety lessons name them."""
    return any(_found_in("intimate", reading) for text in texts if text for reading in _readings_any_script(text))


def adult_in_any_language(texts) -> bool:
    """An adult named in another language ("una mujer de 30 años", "成年女性") and no minor."""
    return _who_any_language(texts) == {"adult"}


def short_sexual_request(text: str) -> bool:
    """A few words of sexual content in another language ("теперь сделай её без одежды", "ahora
    que salga desnuda"): read with the recent turns, like a short English request (whose words the
    English folding counts; it makes many short pieces of a word in another script)."""
    return len(text.split()) <= 6 and len(text) <= 48 and sexual_in_any_language([text]) and not names_an_adult([text])
