"""The absolute rule: no sexual or suggestive content involving a minor.

A word that makes someone a minor (in the request, in an earlier turn, or in the recorded prompt
of the image being edited) together with a word that makes the image sexual or suggestive is
refused, whatever any score says. These English word lists sit beside the learned `minor` and
`sexual` aspects (policy/aspects.py), which carry the same judgement to every other language;
either one is enough to refuse.
"""

from __future__ import annotations

import re

from policy.rules.text import fold_text
from policy.rules.text import folded_texts as _texts

_MINOR_WORDS = re.compile(
    r"\b(child|children|childs|kid|kids|kiddie|toddler|toddlers|infant|infants|baby|babies|minor|minors|"
    r"underage|under age|preteen|preteens|pre teen|tween|tweens|teen|teens|teenage|teenager|teenagers|"
    r"schoolgirl|schoolgirls|schoolboy|schoolboys|school girl|school boy|little girl|little girls|"
    r"boy|boys|little boy|little boys|young girl|young girls|young boy|young boys|loli|lolita|shota|pubescent|"
    r"prepubescent|juvenile|elementary school|middle school|primary school|grade schooler|"
    r"high schooler|high schoolers|high school (?:student|students|girl|girls|boy|boys|kid|kids)|"
    r"daughter|son|niece|nephew|stepdaughter|jailbait|student in (?:the )?\d+(?:st|nd|rd|th) grade|"
    # School grade or year, apparent age and the words used to make an adult look like a child.
    r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth) ?"
    r"grade(?:r|rs)?|grade (?:\d{1,2}|school(?:er|ers)?)|year (?:[1-9]|1[0-2]) (?:student|pupil|girl|boy|kid)s?|"
    r"kindergarten(?:er|ers)?|preschool(?:er|ers)?|nursery school|junior high|middle schooler|middle schoolers|"
    r"elementary schooler|elementary schoolers|grade schooler|grade schoolers|schoolkids?|school kids?|"
    r"high school (?:freshman|freshmen|sophomore|sophomores|junior|juniors)|(?:freshman|sophomore) in high school|"
    r"adolescent|adolescents|pubescent|youngster|youngsters|young people|youths|barely legal|young looking|younger looking|"
    r"childlike|child like|childish body|petite|flat chested|girl scouts?|boy scouts?|cub scouts?|"
    r"(?:in|wearing) (?:a |her |his )?school uniform|school uniforms?|high school cheerleaders?|"
    r"(?:little|baby|kid) (?:sister|brother|sisters|brothers)|"
    r"cheerleaders? (?:from|at|in) (?:my|our|the|a) (?:high|middle) school|pigtails and (?:a )?school|underaged|not yet 18|under 18|"
    r"little league|pigtails and braces|braces and pigtails|barely (?:into|in) (?:her|his|their) teens|"
    r"(?:first|second|third|fourth|fifth|lower sixth) form(?:er|ers)?|"
    r"looks? (?:so |very |really )?(?:young|underage|like a (?:child|kid|little girl|little boy|teen|teenager|minor)))\b"
)
# A number followed by one of these is a size or a count, not an age ("make them 5 cm taller").
_NOT_A_UNIT = r"(?! ?(?:feet|ft|foot|inches|in|cm|mm|meters|metres|m|kg|lbs|pounds|percent|%|dollars|minutes|hours|days|km|miles|times|x)\b)"
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

# Sexual or suggestive *content* words. Topic words ("sexuality", "sex education", "consent")
# are deliberately absent: education about them is allowed, also for teenagers.
# "strip" is also a comic strip, an LED strip, the Las Vegas strip: those are not undressing.
_SEXUAL_WORDS = re.compile(
    r"\b(sexy|sexier|seductive|seductively|seduce|seducing|seduction|erotic|erotica|erotically|nude|nudes|"
    r"naked|nudity|undress|undressed|undressing|unclothed|(?<!comic )(?<!film )(?<!light )(?<!led )(?<!landing )(?<!bacon )(?<!vegas )(?<!paper )(?<!metal )(?<!test )strip(?! mall)|stripping|stripper|striptease|lingerie|"
    r"topless|bottomless|sensual|sensually|provocative|provocatively|suggestive|suggestively|sultry|"
    r"porn|porno|pornographic|nsfw|fetish|fetishes|hentai|lewd|boudoir|aroused|arousing|orgasm|genitals|"
    r"genital|horny|kinky|thong|panties|having sex|sex with|sex scene|sex act|sex acts|sexual acts?|"
    r"underwear|sexual poses?|sexual positions?|sexual activity|sexual activities|sexual intercourse|sexual content|sexual grooming|"
    r"sexually|intercourse|molest|molested|molesting|fondle|fondling|spread legs|bedroom eyes|"
    r"bikini pose|pin up|pinup|playboy|onlyfans|explicit|see through|transparent (?:top|shirt|dress|clothes)|"
    r"wet t shirt|without (?:any )?(?:clothes|clothing)|no clothes|(?:her|his|their) clothes off|clothes removed|"
    r"making out|make out|steamy|in bed together|"
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
    r"stripped|(?<!comic )(?<!film )(?<!light )(?<!led )(?<!landing )(?<!bacon )(?<!vegas )(?<!paper )(?<!metal )(?<!test )strips|bare naked|stark naked|buck naked|butt naked|fully exposed|in the altogether|clothing optional|"
    r"free of clothing|clothing free|no clothing|without garments|nothing but (?:a|her|his|their) (?:towel|smile|"
    r"necklace|socks|heels|stockings|apron)|showing (?:her|his|their) (?:breasts|privates|genitals|body|chest)|"
    r"stockings and garters|garter belt|bedroom eyes|"
    r"desnud[ao]s?|nackt\w*|nue|nues|nuda|nudo|nudi|sensuel\w*|sinnlich\w*|lenceria|reizwasche|dessous|"
    r"provocativ[ao]s?|provocante|seductor[ao]?|verfuhrerisch\w*|sedutor[ao]|sexi|"
    r"(?:remove|take off|taking off|pull off|pull down|lift up) (?:her|his|their|the girl s|the boy s|the kid s|all)? ?"
    r"(?:clothes|clothing|swimsuit|bathing suit|bikini|shirt|top|dress|skirt|underwear|pants|trousers|bra))\b"
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
    r"(?:make|turn) (?:her|him|them) (?:into )?(?:an? )?(?:kid|child|teen|teenager|little girl|little boy|schoolgirl))\b"
)


def lowers_age(texts) -> bool:
    return any(_LOWERS_AGE.search(text) for text in _texts(texts))


# "Make her younger, around 30": an adult age given with the request keeps the person an adult.
_ADULT_AGE = re.compile(
    r"\b(?:(?:twent|thirt|fort|fift|sixt|sevent|eight)(?:y|ies)\w*|(?:20|30|40|50|60|70)s|adult|grown up)\b"
)
_ABOUT_AN_AGE = re.compile(r"\b(?:around|about|aged?|roughly|like|maybe|say) (\d{2})\b")


def names_adult_age(texts) -> bool:
    """An adult age and no minor's: "make her younger, in her twenties", "around 40"."""
    if mentions_minor(texts):
        return False
    for text in _texts(texts):
        ages = [int(m.group(1)) for pattern in [*_AGE_PATTERNS, _ABOUT_AN_AGE] for m in pattern.finditer(text)]
        if any(age >= 18 for age in ages) or _ADULT_AGE.search(text):
            return True
    return False


# Clothes that are ordinary on an adult and turn an age-lowering edit into sexualising a child
# ("a woman in a bikini posing" ... "make her a middle schooler").
_REVEALING_CLOTHES = re.compile(
    r"\b(?:bikinis?|lingerie|underwear|bras?|panties|knickers|thongs?|g string|negligee|bodysuit|"
    r"(?:swimsuit|swimwear|bathing suit|leotard|corset)s? (?:pos\w*|photo ?shoot|model\w*|pin ?up))\b"
)


def shows_revealing_clothes(texts) -> bool:
    return any(_REVEALING_CLOTHES.search(text) for text in _texts(texts))


def mentions_minor(texts) -> bool:
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
    return any(_SEXUAL_WORDS.search(folded) or next(_undressing_matches(folded), None) for folded in _texts(texts))


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
