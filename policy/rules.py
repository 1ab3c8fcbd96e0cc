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

from policy.names import FUNCTION_WORDS, common_given_names, given_names
from policy.normalize import APOSTROPHES
from policy.normalize import fold_text as _fold_words
from policy.normalize import unleet as _unleet_words

# The rules read contractions and possessives as two words, the way their patterns are written
# ("i m going to", "don t", "someone s house"); the name matcher's folding drops the "'s" instead.
_APOSTROPHE = re.compile("[" + APOSTROPHES + "]")


def fold_text(text: str) -> str:
    return _fold_words(_APOSTROPHE.sub(" ", text))


def unleet(text: str) -> str:
    return _unleet_words(_APOSTROPHE.sub(" ", text))


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


_INJECTION = re.compile(
    r"\b(?:ignore|disregard|bypass|override|forget|skip|disable|turn off|switch off|circumvent|get around)"
    r" (?:all |any |the |your |my |these |those |previous |prior |above |earlier |every |of )*"
    r"(?:content |safety |image |usage |system |moderation |opt out |optout )?"
    r"(?:policy|policies|rules?|instructions?|guidelines?|filters?|safety|restrictions?|"
    r"moderation|guardrails?|checks?|opt out list|registry|censorship)\b"
    r"|\b(?:developer|god|dan|jailbreak|unrestricted|unfiltered|uncensored) mode\b"
    r"|\bjailbreak\b|\bjailbroken\b|\bno (?:rules|restrictions|filters|policy) apply\b|\bdo anything now\b"
    r"|\b(?:you are|you re|act as|pretend to be|pretend you are|pretend you re|roleplay as) (?:now )?(?:dan|an? "
    r"(?:ai|model|assistant|bot) (?:with|that has) no (?:rules|restrictions|filters|limits|policy)|an? "
    r"(?:unfiltered|uncensored|unrestricted|jailbroken) (?:ai|model|assistant|bot))\b"
    r"|\b(?:no longer|not) (?:bound by|subject to) (?:the |any |your )?(?:rules|policy|policies|guidelines|restrictions)\b"
    r"|\b(?:opt out list|registry|policy|rules) (?:no longer|doesn t|does not|don t|do not) appl(?:y|ies)\b"
    r"|\byou (?:have|has) no (?:rules|restrictions|filters|policy)\b"
    r"|\b(?:policy|policies|safety|filters?|moderation|opt out list|registry|rules|restrictions) (?:is |are |was |were |has been |have been |now )*(?:off|disabled|removed|lifted|empty|cleared|suspended|deactivated|turned off)\b"
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
    "a",
    "an",
    "the",
    "of",
    "in",
    "on",
    "at",
    "with",
    "and",
    "by",
    "for",
    "to",
    "from",
    "photo",
    "image",
    "picture",
    "portrait",
    "painting",
    "draw",
    "create",
    "generate",
    "make",
    "show",
    "render",
    "illustration",
    "sketch",
    "art",
    "style",
    "hd",
    "4k",
    "8k",
    "unreal",
    "engine",
    "trending",
    "artstation",
    "octane",
    "digital",
    "oil",
    "concept",
    "news",
    "newscast",
    "breaking",
    "still",
    "candid",
    "press",
    "reuters",
    "ap",
    "cnn",
    "bbc",
    "fox",
    "fbi",
    "cia",
    "police",
    "i",
    "my",
    "me",
    "please",
    "can",
    "you",
    "could",
    "would",
    "now",
    "then",
    "is",
    "are",
    "was",
    "christmas",
    "halloween",
    "easter",
    "diwali",
    "new",
    "york",
    "city",
    "street",
    "paris",
    "london",
    "tokyo",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "god",
    "jesus",
    "buddha",
    "mars",
    "earth",
    "moon",
    "victorian",
    "renaissance",
    "gothic",
    "sony",
    "canon",
    "nikon",
    "studio",
    "ghibli",
    "pixar",
    "disney",
    "marvel",
    "star",
    "wars",
    "lego",
    "minecraft",
}
_ARTIST_PREFIX = re.compile(
    r"\b(?:by|style of|in the style of|artwork by|art by|painted by|inspired by|photographed by)$"
)


def _texts(texts) -> list[str]:
    return [fold_text(t) + " | " + unleet(t) for t in texts if t]


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


_GORY_WORDS = re.compile(
    r"\b(bloody|bloodied|blood ?(?:dripping|drips|spatter\w*|splatter\w*|everywhere|pouring|soaked|gushing|stained)|"
    r"(?:covered|soaked|drenched|dripping) (?:in |with )?blood|pool of blood|gore|gory|guts|entrails|intestines|dismember\w*|decapitat\w*|behead\w*|"
    r"mutilat\w*|severed|corpses?|carcass|disembowel\w*|flayed|skinned alive|brains? splatter\w*|splatter)\b"
)


def is_gory(texts) -> bool:
    """Gore words; used for users under 18, where the embedding need not agree."""
    return any(_GORY_WORDS.search(text) for text in _texts(texts))


# "A samurai duel, no blood": the request itself rules gore out.
_NO_GORE = re.compile(
    r"\b(?:no|without(?: any)?|zero|minus) (?:blood|gore|guts|violence shown)\b|\bbloodless\b|"
    r"\bnot (?:gory|bloody|graphic)\b|\bnon ?(?:graphic|gory|violent)\b|\bfamily friendly\b"
)


def declines_gore(text: str) -> bool:
    """The request says no gore, and no gore word is left once that is set aside."""
    folded = fold_text(text)
    return bool(_NO_GORE.search(folded)) and not _GORY_WORDS.search(_NO_GORE.sub(" ", folded))


def is_sexual(texts) -> bool:
    return any(_SEXUAL_WORDS.search(folded) or next(_undressing_matches(folded), None) for folded in _texts(texts))


# Suggestive without being sexual: refused for users under 18 only ("a bikini model", "a hot guy").
_SUGGESTIVE = re.compile(
    r"\b(?:hot|sexy|steamy|sultry|seductive) (?:girls?|guys?|wom[ae]n|m[ae]n|babes?|chicks?|models?|couples?)\b|"
    r"\b(?:bikini|swimsuit|lingerie|underwear) models?\b|\b(?:tight|skimpy|revealing|low cut|plunging) "
    r"(?:dress|dresses|outfit|top|clothes|clothing|neckline)\b|\bcleavage\b|\bmaking out\b|\bpin ?up\b"
)


def is_suggestive(texts) -> bool:
    return any(_SUGGESTIVE.search(text) for text in _texts(texts))


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


def is_injection(text: str) -> bool:
    folded = fold_text(text)
    return bool(_INJECTION.search(folded) or _INJECTION.search(unleet(text)))


def mentions_public_role(texts) -> bool:
    return any(_PUBLIC_ROLES.search(text) for text in _texts(texts))


GIVEN_NAMES = common_given_names()

# A newsworthy event that a realistic image could fake (arrest, crime, death, bribe, scandal).
_DECEPTIVE_EVENT = re.compile(
    r"\b(mugshot|mug shot|booking photo|arrested|arrest|handcuffed|handcuffs|in cuffs|in jail|jailed|"
    r"behind bars|in prison|prison cell|prison jumpsuit|orange jumpsuit|perp walk|indicted|convicted|"
    r"taking a bribe|takes a bribe|accepting a bribe|bribing|bribe|bribed|bag of cash|envelope of cash|"
    r"suitcase of cash|cash from a|kickbacks?|payoff|paying off|with a cartel|cartel boss|mafia boss|"
    r"caught stealing|shoplifting|"
    r"snorting|smoking crack|dead body|corpse|lying dead|found dead|assassinated|assassination|"
    r"shot dead|executed|overdose|overdosed|funeral of|crime scene|committing a crime|robbing|"
    r"cheating on|affair with|in rehab|drunk driving|dui|noose|hanged|hanging from a rope|beheaded|decapitated|"
    r"murdered|stabbed|shooting people|killing people|terrori[sz]ing|pool of blood|covered in blood|"
    r"bleeding out|shot in the head|escorted by (?:police|the police|fbi|agents|officers)|led away by|"
    r"under arrest|in custody|being detained|raided by|"
    r"robbing|robbery|robs|holding up (?:a|the) (?:bank|store|shop|gas station|liquor store)|stealing|steals|stole|"
    r"looting|vandali[sz]ing|setting fire to|arson|smuggling|selling drugs|dealing drugs|doing drugs|"
    r"injecting heroin|snorts|drunk|passed out drunk|embezzl\w*|counterfeit\w*|kidnapping|kidnaps|"
    r"(?:punching|attacking|assaulting|beating up|stabbing|strangling|choking) (?:a|an|the|his|her) "
    r"(?:cop|police officer|officer|woman|man|child|reporter|journalist|protester|staffer|voter)|"
    r"pointing a gun at|brandishing a (?:gun|knife|pistol|rifle)|firing a gun at|"
    r"police lineup|in a lineup|in shackles|in chains|led out of (?:court|the courthouse)|on trial for|sentenced to|"
    r"caught on (?:cctv|camera|tape)|surveillance footage|security camera (?:footage|still)|leaked (?:photo|footage|video)|"
    r"hidden camera footage|secretly meeting|handing (?:over )?(?:cash|money|an envelope)|cash under the table|"
    r"pickpocket\w*|mugging|mugs (?:a|an|the)|fleeing (?:from )?(?:the )?police|running from (?:the )?police|"
    r"evading police|stolen (?:goods|jewels|jewelry|jewellery|car|money|cash|paintings?)|"
    r"smashing (?:a|the) (?:car|shop|store) window|(?:slapping|hitting|beating|kicking) (?:a|his|her|their|the) "
    r"(?:child|kid|son|daughter|wife|husband|dog|puppy|cat)|dumping (?:toxic )?waste|spray ?painting (?:graffiti|"
    r"swastikas?|slurs?)|holding a knife to|hit and run|insider trading|tax evasion|evading taxes|doping|"
    r"injecting steroids|buying drugs|drug deal\w*|prostitut\w*|with a prostitute|flashing (?:a )?(?:gang|nazi) sign|"
    r"bags? of (?:money|cash|stolen)|wad of (?:cash|bills|money|hundreds?)|bundles of cash|stacks of cash|"
    r"slipping (?:cash|money|an envelope|a wad|bills)|breaking (?:a|the) (?:window|door|lock)|with a crowbar|"
    r"ransacking|looted|deep ?fakes?|deepfaked|fake (?:endorsement|advert\w*|ad|announcement|statement|confession)|"
    r"endors\w* (?:a |an |the |my |our )?(?:crypto\w*|bitcoin|scam|fraud\w*|pyramid scheme|ponzi\w*|"
    r"investment scheme|get rich)|promoting (?:a |an |the )?(?:crypto )?scam|(?:crypto|bitcoin|investment) scam)\b"
)
# Styles that make an image plainly not a photograph of a real event (satire and art are fine).
_STYLISED = re.compile(
    r"\b(cartoon|caricature|satire|satirical|comic|comics|anime|manga|lego|claymation|muppet|"
    r"puppet|pixar|disney style|watercolou?r|oil painting|sketch|drawing|illustration|parody|meme|"
    r"political cartoon|chibi|pixel art|low poly|emoji|sticker|toy|figurine|plush)\b"
)


# Games, sports, films and stories: "steal a car in GTA", "choke an opponent in judo".
_FICTION_CONTEXT = re.compile(
    r"\b(video ?games?|games?|gaming|gta|grand theft auto|minecraft|fortnite|call of duty|counter strike|"
    r"battlefield|skyrim|zelda|mario|pokemon|roblox|overwatch|valorant|halo|chess|checkers|board games?|"
    r"card games?|tabletop|dungeons|role ?playing|rpg|movies?|films?|tv shows?|sitcom|cartoons?|anime|"
    r"comics?|novels?|stories|story|fiction|fictional|plays?|stage|theat(?:er|re)|judo|karate|jiu jitsu|"
    r"wrestling|boxing|fencing|mma|paintball|laser tag|airsoft|nerf|lego|toys?|ocean s eleven|heist movie)\b"
)


# Impossible feats: "why can't left-handed people teleport?" asks nothing hateful; the absurd
# premise is the joke (or the test). Real discrimination is about real rights and abilities.
_IMPOSSIBLE_FEAT = re.compile(
    r"\b(?:time ?travel(?:l?ing)?|travel (?:back )?in time|teleport(?:ing)?|levitat(?:e|ing)|photosynthesi[sz]e|"
    r"breathe (?:under ?water|in space|fire|lava)|breathing (?:under ?water|in space)|"
    r"(?:control|controlling|change|changing|stop|stopping) (?:the )?(?:weather|tides?|time|sun|seasons)|"
    r"(?:control|move|moving|controlling|bend|bending) [a-z ]{0,20}with (?:their|his|her|your|our) minds?|"
    r"read(?:ing)? (?:people s )?minds|telepath|telekines|turn(?:ing)? invisible|become invisible|invisib|"
    r"(?:walk|walking|phase|phasing|pass|passing) through (?:solid |closed )?(?:walls?|objects|doors?|matter)|"
    r"see (?:in )?(?:ultraviolet|infrared|x ray)|stop (?:aging|ageing)|live forever|immortal|"
    r"(?:build|create|make) a black hole|live on (?:the )?(?:sun|mars|saturn|jupiter|venus|moon)|"
    r"on (?:the )?(?:sun|mars|saturn|jupiter|venus|pluto)|"
    r"(?:fly|flying) (?:like (?:a )?birds?|without (?:wings|a plane)|by flapping)|flap (?:their|his|her) arms|"
    r"run faster than (?:light|sound)|hear colou?rs|shoot lasers|breathe fire|lift (?:a )?mountains?|"
    r"turn into (?:a |an )?(?:bird|birds|animal|animals|dragon|cat|dog)s?|shape ?shift|"
    r"(?:stop|dam|block) (?:the flow of )?(?:a )?river with (?:their|his|her) (?:bare )?hands|"
    r"survive (?:without (?:air|water|food) forever|in (?:outer )?space)|glow in the dark|"
    r"talk to (?:animals|plants|ghosts)|be in two places|"
    r"grow (?:wings|gills|extra arms)|speak (?:to|with) dolphins|freeze time)\b"
)


def impossible_feat(texts) -> bool:
    return any(_IMPOSSIBLE_FEAT.search(text) for text in _texts(texts))


_VIDEO_GAME = re.compile(
    r"\b(?:in (?:a |the |my )?(?:video ?game|game)|video ?games?|gta|grand theft auto|minecraft|fortnite|"
    r"call of duty|counter strike|battlefield \d|battlefield|skyrim|roblox|overwatch|valorant|halo|"
    r"apex legends|pubg|league of legends|dota|world of warcraft|the sims|animal crossing|zelda|elden ring|"
    r"dark souls|red dead|far cry|assassin s creed|payday|hitman|among us|terraria|rust game)\b"
)
_REAL_WORLD = re.compile(r"\b(?:real life|in real|irl|for real|at home|actual|real world|in reality)\b")


def video_game_context(text: str) -> bool:
    """Is the request about a named video game and not the real world?"""
    folded = fold_text(text)
    return bool(_VIDEO_GAME.search(folded)) and not _REAL_WORLD.search(folded)


def fiction_context(texts) -> bool:
    return any(_FICTION_CONTEXT.search(text) for text in _texts(texts))


def deceptive_event(texts) -> bool:
    return any(_DECEPTIVE_EVENT.search(text) for text in _texts(texts))


def is_stylised(texts) -> bool:
    return any(_STYLISED.search(text) for text in _texts(texts))


def proper_names(text: str, common_words: frozenset[str] = frozenset()) -> list[str]:
    """Spans that read as a person's name: a capitalised word pair inside the sentence, or a
    common given name followed by another word ("kim smith", "Donald Trump").

    Artist credits ("by Greg Rutkowski") are skipped: naming an artist as a style is not
    depicting them.
    """
    words = re.findall(r"[^\W\d_][\w'\u2019-]*", text)
    names: list[str] = []
    for i in range(len(words) - 1):
        first, second = words[i], words[i + 1]
        f, s = fold_text(first), fold_text(second)
        if not f or not s or f in _NOT_NAME_WORDS or len(f) < 2 or len(s) < 2:
            continue
        # A family name may be an ordinary word ("Kira Moon") when a capitalised given name precedes it.
        if s in _NOT_NAME_WORDS and not (f in given_names() and first[:1].isupper() and second[:1].isupper()):
            continue
        # At the start of a prompt a capital says little, so there the second word must also be
        # an unusual word ("Greta Lindqvist", not "Golden Retriever").
        capitalised = (
            first[:1].isupper()
            and second[:1].isupper()
            and (i > 0 or s not in common_words)
            and not (first.isupper() and second.isupper())
        )
        given = f in GIVEN_NAMES and s not in FUNCTION_WORDS and s.isalpha()
        # "Taylor Swift in a ...": a capitalised pair opening a prompt that is not in title case.
        opening = (
            i == 0
            and first[:1].isupper()
            and second[:1].isupper()
            and len(words) > 2
            and words[2][:1].islower()
            and f not in _NOT_NAME_WORDS
        )
        if not (capitalised or given or opening):
            continue
        before = " ".join(words[max(0, i - 4) : i])
        if _ARTIST_PREFIX.search(fold_text(before)) if before else False:
            continue
        names.append(f"{first} {second}")
    return names


# --- harmful intent written out plainly --------------------------------------------------------
# Each pattern needs both halves (an act and a target), so "kill a process", "beat my wife at
# chess" (a game: see fiction_context) or "a can of coke" stay allowed.

_PEOPLE = (
    r"(?:my|his|her|their|our|your|a|an|the|that|this|some|those|these)? ?(?:own )?"
    r"(?:wife|husband|spouse|girlfriend|boyfriend|partner|ex|kids?|child|children|son|daughter|baby|"
    r"mother|father|mom|mum|dad|parents?|brother|sister|neighbou?rs?|boss|teacher|coworkers?|"
    r"classmates?|roommate|someone|somebody|person|people|woman|women|man|men|girl|boy|stranger|"
    r"him|her|them|cop|police officer|president|politician|senator|judge|mayor|enemies|"
    r"people i (?:don t|do not) like|people i hate|pedestrians|students|crowd)"
)
_VIOLENT_ACT = (
    r"(?:kill|murder|beat up|beat|hit|punch|slap|stab|strangle|choke|throttle|smother|suffocate|"
    r"poison|shoot|hurt|injure|maim|attack|assault|knock out|drown|kidnap|abduct|capture|"
    r"snatch|rape|torture|behead|execute|terminate|eliminate|get rid of|take out|wipe out|"
    r"push|run over|overpower|ambush|break|smash|burn|stalk)"
)
# -ing forms of the acts whose stem ends in "e" ("terminating", not "terminateing").
_VIOLENT_ING = (
    r"(?:terminating|executing|eliminating|strangling|choking|smothering|suffocating|injuring|capturing|"
    r"snatching|raping|torturing|beheading|stabbing|shooting|hitting|running over|kidnapping|drowning)"
)
_VIOLENCE = re.compile(
    r"\b(?:how (?:do|can|could|would|should) (?:i|we|you|one)|what s the (?:best|easiest|quickest|fastest) way (?:of|to)|"
    r"what is the (?:best|easiest|quickest|fastest) way (?:of|to)|best way to|ways? (?:of|to)|should i|"
    r"help me|teach me (?:how )?to|i want to|i m going to|i am going to|steps? (?:to|for)|plan (?:to|for|how to)|"
    r"tell me how to|where (?:can|should) i|process (?:for|of)|guide (?:to|for|on)|tips (?:for|on|to)|"
    r"instructions (?:for|on|to))\b"
    r"[a-z ]{0,25}?\b" + _VIOLENT_ACT + r"(?:s|ed|ing)?\b(?: up| off| in)? " + _PEOPLE + r"\b"
    r"|\b(?:process (?:for|of)|best way (?:of|to)|how (?:do|can) i go about) " + _VIOLENT_ING + r" " + _PEOPLE + r"\b"
    r"|\b(?:kill|murder|shoot|poison) (?:the most|as many|many|lots of|a lot of|loads of) (?:people|kids|children)\b"
    r"|\b(?:end|terminate|take) (?:his|her|their|someone s|somebody s) (?:wife s|husband s|spouse s|partner s|"
    r"boss s|neighbou?r s|mother s|father s)? ?life\b"
    r"|\b(?:give|giving) (?:someone|somebody|him|her|a person) a headshot\b"
    r"|\bknock (?:someone|somebody|him|her|them|a person|my [a-z]+) (?:out|unconscious)\b"
    r"|\b(?:kill|murder|stab|strangle|smother|poison|drown|get rid of|behead|kidnap|torture|dispose of)\b "
    r"(?:my|his|her|their|our|the|that|this) [a-z]+ "
    + _PEOPLE.replace("(?:my|his|her|their|our|your|a|an|the|that|this|some|those|these)? ?(?:own )?", "")
    + r"\b"
    r"|\bmake " + _PEOPLE + r" (?:disappear|vanish) (?:permanently|forever|for good)\b"
    r"|\b(?:set|light) (?:someone s|somebody s|my|his|her|their|the|an|a) [a-z ]{0,20}(?:house|home|car|school|"
    r"office|apartment|flat|shop|store|church|mosque|synagogue|temple) on fire\b"
    r"|\bburn (?:down )?(?:someone s|somebody s|my [a-z]+ s|his|her|their) (?:house|home|car|apartment|flat|shop)\b"
    r"|\bmake (?:someone|somebody|him|her|them|my [a-z]+) (?:stop breathing|never wake up|disappear forever)\b"
    r"|\bplan (?:someone s|somebody s|his|her|their|my (?:wife|husband|boss) s) (?:death|murder|killing)\b"
    r"|\b(?:punch|kick|slap|blow|hit|headbutt|uppercut)e?s? (?:on|to) " + _PEOPLE + r"\b"
    r"|\b(?:break|smash|crack) (?:someone s|somebody s|his|her|their|a person s) (?:jaw|skull|neck|legs?|arms?|face|nose)\b"
    # A weapon aimed at ordinary people (a classroom, a crowd): the moment before an attack.
    r"|\b(?:guns?|rifles?|pistols?|handguns?|shotguns?|weapons?|knife|knives|machine guns?|assault rifles?)"
    r" (?:pointed|aimed|pointing|aiming|trained|levelled|leveled) at " + _PEOPLE + r"\b"
    r"|\b(?:points?|pointing|aims?|aiming) (?:a|an|his|her|their|the) (?:gun|rifle|pistol|handgun|shotgun|weapon|knife)"
    r" at " + _PEOPLE + r"\b"
)

_DRUG = (
    r"(?:coke|cocaine|crack|weed|meth|crystal meth|heroin|molly|mdma|ecstasy|lsd|acid|ketamine|"
    r"fentanyl|shrooms|smack|dope|oxy|oxycontin|xanax bars|speed|pcp|ghb|crank|blow)"
)
_DRUGS = re.compile(
    r"\b(?:buy|get|getting|score|scoring|find|order|purchase|obtain|source|cop|pick up)\b[a-z ]{0,20}?"
    r"\b(?:some|a gram of|an ounce of|an eighth of|a bag of|a baggie of|a hit of|a line of|grams of|"
    r"ounces of|pills of|tabs of)\s" + _DRUG + r"\b"
    r"|\b(?:ecstasy|molly|mdma|lsd|acid|xanax|oxy) (?:pills|tabs|tablets)\b"
    r"|\b(?:buy|get|score|order)\b[a-z ]{0,20}\b(?:cocaine|heroin|meth|fentanyl|mdma|ketamine)\b"
)

_ATROCITY = (
    r"(?:genocides?|holocaust|shoah|massacres?|slave trade|slavery|ethnic cleansing|"
    r"(?:mass |school |church |nightclub )?shootings?|bombings?|terror attacks?|terrorist attacks?|9 11|"
    r"concentration camps?|death camps?|gulags?|apartheid|jim crow|segregation|trail of tears|"
    r"khmer rouge|hitler|nazis?|third reich|isis|taliban|al qaeda|pinochet|stalin|pol pot|"
    r"atomic bombs?|war crimes?|lynchings?|pogroms?|assassinations?|auschwitz|dachau|treblinka|"
    r"purges?|killing fields|dictators?|juntas?)"
)
_A = _ATROCITY
_GLORIFY = re.compile(
    r"\bwhy (?:was|were|is|are) [a-z0-9 ]{0,60}\b(?:justified|right|good|a good thing|heroic|necessary|deserved|"
    r"beneficial|admirable)\b"
    r"|\b(?:benefits?|upsides?|positives?|good sides?|achievements?) of [a-z0-9 ]{0,40}"
    + _A
    + r"|\b(?:replicate|repeat|recreate|copy|emulate|restore|bring back|revive|reenact)\b[a-z0-9 ]{0,50}"
    + _A
    + r"|\b(?:use|apply|adopt|copy)\b[a-z0-9 ]{0,40}\b(?:methods|tactics|playbook)\b"
    r"|\b(?:show|prove|convince [a-z ]{0,20}?|argue)\b[a-z0-9 ]{0,60}\b(?:fabrication|fabricated|a lie|lies|never "
    r"(?:took place|happened|existed)|a hoax|exaggerated|fake|made up|didn t happen|did not happen)\b"
    r"|\b(?:overstate|overstated|exaggerate|exaggerated|inflate|inflated|lie about|lied about)\b"
    r"[a-z0-9 ]{0,60}(?:" + _A + r"|world war (?:2|ii|two)|wwii|ww2|what happened to them)"
)
_ATROCITY_RE = re.compile(r"\b" + _ATROCITY + r"\b")

_SELF_HARM = re.compile(
    r"\b(?:kill|hang|hurt|cut|harm|starve|burn|poison|drown|shoot|stab) (?:myself|yourself)\b"
    r"|\b(?:end|take) (?:my|your) (?:own )?life\b|\bend it all\b|\bcommit(?:ting)? (?:a )?(?:[a-z]+ )?suicide\b|\bsuicide (?:note|letter|method|plan)\b"
    r"|\b(?:overdose|od) (?:on|fastest|quickly)\b|\bkeep (?:cutting|hurting|harming|starving) (?:myself|yourself)\b"
    r"|\b(?:die|go out|end my life|kill myself) like [a-z]+ [a-z]+\b(?<!a light)(?<!a candle)"
    r"|\bslit (?:my|your) (?:wrists?|throat)\b|\bbleed out\b|\bsever (?:my|your) [a-z ]{0,15}(?:artery|vein)\b"
    # "the best places to cut": where on the body, with nothing else to be cut named.
    r"|\b(?:where|best (?:places?|spots?)|which (?:places?|spots?|parts?|veins?)) to (?:cut|slit|slice|burn)"
    r"(?= (?:myself|yourself|deep|deeper|so|without|on (?:your|my|the) (?:arms?|wrists?|body|thighs?|legs?|skin))\b|$)"
)


_CRIME = re.compile(
    r"\b(?:best|easiest|quickest|safest) way (?:of|to) (?:steal|stealing|rob|robbing|burgle|burgling|break(?:ing)? into|"
    r"hot ?wir(?:e|ing)|shoplift(?:ing)?|launder(?:ing)?|smuggl(?:e|ing)|counterfeit(?:ing)?) \b"
    r"|\b(?:how (?:do|can|could|should) (?:i|we)|best way to|ways? (?:of|to)|steps? to|help me|teach me to)\b"
    r"[a-z ]{0,20}?\b(?:rob|burgle|burglari[sz]e|steal from|break into|hold up|mug|defraud|shoplift from|"
    r"scam|blackmail|extort|hijack|carjack)\b [a-z ]{0,12}?\b(?:a|an|the|my|his|her|their|some|people|someone|"
    r"somebody|old|elderly)\b"
)


# Teaching to make a weapon, an explosive, a poison gas or a hard drug: a form that teaches
# (diagram, steps, recipe...) and a making verb aimed at the agent. "How fireworks work", "a
# thermite demonstration behind glass" or "a cartoon bomb" teach no one to make anything.
_TEACHING_FORM = re.compile(
    r"\b(?:how to|how do i|how can i|how you|diagrams?|schematics?|blueprints?|instructions?|steps?|step by step|"
    r"recipes?|guides?|tutorials?|manuals?|charts?|infographics?|flowcharts?|posters? (?:showing|explaining)|"
    r"ingredients|formula|method|procedure|walkthrough|cheat sheet|for (?:making|building|mixing|brewing|cooking))\b"
)
# A bath bomb, a chocolate bomb, a water gun: named like weapons, made in kitchens and toy shops.
_HARMLESS_KIND = "".join(
    f"(?<!{word} )"
    for word in "bath chocolate cocoa cake seed glitter confetti flavour flavor water nerf glue toy bubble squirt "
    "foam spray heat staple nail cap paint bubblegum candy love photo".split()
)
_MAKING_DANGEROUS = re.compile(
    r"\b(?:make|makes|making|build|building|mix|mixing|assemble|assembling|synthesi[sz]e|synthesi[sz]ing|cook|cooking|"
    r"brew|brewing|produce|producing|prepare|preparing|manufactur\w*|home ?made|diy|improvis\w*|3d print\w*)\b"
    r"[a-z ]{0,25}?\b"
    + _HARMLESS_KIND
    + r"(?:thermite|napalm|chlorine gas|mustard gas|phosgene|nerve (?:agent|gas)|sarin|vx|ricin|"
    r"tannerite|black powder|gunpowder|tatp|nitroglycerin\w*|pipe bombs?|bombs?|explosives?|detonators?|"
    r"molotovs?(?: cocktails?)?|ieds?|grenades?|poison gas|toxic gas|tear gas|meth|methamphetamine|crystal meth|"
    r"fentanyl|crack cocaine|silencers?|suppressors?|ghost guns?|zip guns?|untraceable guns?|firearms?|guns?)\b"
)


# A break-in technique used on somebody else's home or car ("pick the lock to get into my
# neighbour's house"); lock picking as a hobby, or getting into one's own home, is left alone.
_BREAK_IN_TECHNIQUE = re.compile(
    r"\b(?:pick(?:s|ing|ed)? (?:a |the |their |his |her )?locks?|lock ?pick\w*|bypass\w* (?:an? |the |their )?"
    r"(?:alarm|lock|security system)|disabl\w* (?:an? |the |their )?(?:alarm|security cameras?|security system)|"
    r"hot ?wir\w*|jimm(?:y|ies|ying) (?:a |the |their )?(?:door|window|lock)|slim jim|bump key|crowbar|"
    # "how to get in through the back window": an entry route is a technique too.
    r"(?:how|ways?|route|plan) (?:to )?(?:get|sneak|climb|break|slip) (?:in|into|inside) (?:[a-z]+ ){0,4}?"
    r"(?:through|via|by) (?:an? |the |their |his |her )?(?:[a-z]+ )?(?:window|door|garage|roof|vent|basement|skylight|fence))\b"
)
_SOMEONE_ELSES_PLACE = re.compile(
    r"\b(?:get|gets|getting|break|breaks|breaking|sneak|sneaking|let (?:myself|me|us)|go|going) (?:in|into|inside)"
    r"(?: of)? (?:a |an |the |his |her |their |someone |somebody |other people |people |strangers? |"
    r"my (?:neighbou?rs?|ex|boss|roommates?|landlord|sister|brother|parents?|teacher|coworker|colleague) )"
    r"[a-z ]{0,15}?(?:house|houses|home|homes|apartment|flat|car|cars|office|room|garage|shop|store|safe)\b|"
    # "my neighbor's house" (the possessive is folded away).
    r"\b(?:neighbou?rs?|ex|boss|roommates?|landlord|coworkers?|colleagues?|someone|somebody|strangers?|teachers?) "
    r"(?:[a-z]+ )?(?:house|home|apartment|flat|car|office|room|garage|shop|store|safe)\b"
)


# Making a legal firearm an illegal one: full-auto conversions, auto sears, "Glock switches".
# "Convert it to automatic" alone is also a camera mode or a sprinkler: a firearm must be named.
_TO_FULL_AUTO = re.compile(
    r"\b(?:convert\w*|turn\w*|mak\w*|modif\w*) (?:[a-z0-9]+ ){0,4}?(?:to|into) (?:an? )?(?:fully |full |select ?fire )?"
    r"auto(?:matic)?\b"
)
_FIREARM = re.compile(
    r"\b(?:guns?|rifles?|pistols?|handguns?|shotguns?|firearms?|carbines?|glocks?|ar ?15s?|ak ?47s?|semi ?autos?|"
    r"semi ?automatics?|uzis?|smgs?|weapons?)\b"
)
_ILLEGAL_GUN_PART = re.compile(
    r"\b(?:full auto conversion|auto sears?|glock switch(?:es)?|lightning links?|"
    r"solvent traps? (?:into|to) (?:an? )?(?:silencer|suppressor)s?)\b"
)


def modifies_firearm(folded: str) -> bool:
    return bool(_ILLEGAL_GUN_PART.search(folded) or (_TO_FULL_AUTO.search(folded) and _FIREARM.search(folded)))


# Theft taught as a how-to: "a step-by-step comic on how to shoplift", "tips to steal ... without
# getting caught". A story in which something is stolen ("a raccoon steals snacks") teaches nothing.
_THEFT = re.compile(
    r"\b(?:shoplift\w*|pickpocket\w*|burgl\w*|carjack\w*|hot ?wir\w* (?:a|the|someone s) car|"
    r"break(?:ing)? into (?:a|the|someone s) car|card skimm\w*)\b"
)
_STEAL = re.compile(r"\b(?:steal\w*|rob|robbing|swipe|swiping|pocket(?:ing)?|sneak\w* out)\b")
_EVASION = re.compile(
    r"\b(?:without (?:getting |being )?(?:caught|seen|noticed|detected)|undetected|get away with|not get caught|"
    r"avoid (?:getting )?caught|beat (?:the )?(?:security|alarms?|cameras))\b"
)


# Buying or owning something the lawful way ("where can I buy a gun legally"), with no sign of
# getting round the law.
_LAWFUL = re.compile(r"\b(?:legally|legal|lawfully|licensed|with a (?:license|licence|permit)|gun shop|gun store)\b")
_AROUND_THE_LAW = re.compile(
    r"\b(?:without (?:a |any )?(?:background checks?|license|licence|permit|serial|paperwork|id|prescription)|"
    r"illegal\w*|untraceable|ghost guns?|no questions asked|black market|dark ?web|under the table|"
    r"not legal|isn t legal|get around|avoid (?:the )?(?:law|police|background))\b"
)


def lawful_acquisition(text: str) -> bool:
    folded = fold_text(text)
    return bool(_LAWFUL.search(folded)) and not _AROUND_THE_LAW.search(folded)


_EXPLICIT_HOW_TO = re.compile(
    r"\b(?:step by step|steps? (?:to|for)|how to|instructions?|tutorial|guide (?:to|for|on))\b"
)


def explicit_how_to(text: str) -> bool:
    return bool(_EXPLICIT_HOW_TO.search(fold_text(text)))


def crime_intent(text: str) -> bool:
    folded = fold_text(text)
    teaching_form = bool(_TEACHING_FORM.search(folded))
    teaches = teaching_form or bool(re.search(r"\b(?:tips|ways?|tricks)\b", folded))
    return (
        bool(_CRIME.search(folded))
        or (teaches and bool(_THEFT.search(folded)))
        or (teaches and bool(_STEAL.search(folded)) and bool(_EVASION.search(folded)))
        or (teaching_form and bool(_MAKING_DANGEROUS.search(folded) or modifies_firearm(folded)))
        or bool(_BREAK_IN_TECHNIQUE.search(folded) and _SOMEONE_ELSES_PLACE.search(folded))
    )


_PHOTOGRAPHY = re.compile(
    r"\b(?:camera|cameras|photos?|photograph\w*|portraits?|video|film|lens|headshots? for|picture)\b"
)


# "Should I take out Senator Whitby?": an act against a person named with capitals.
_AGAINST_NAMED = re.compile(
    r"\b(?:[Ss]hould|[Hh]ow (?:do|can|could|would)|[Hh]elp me|[Ii] (?:want|plan|am going) to)\b"
    r"[a-z ]{0,15}\b(?:take out|kill|murder|shoot|assassinate|stab|poison|strangle|eliminate)\s+"
    r"(?:[A-Z][a-z]+\s+){1,2}"
)


# "Kill a child process", "terminate the parent thread": a computer's words, not a person's.
_COMPUTING = re.compile(
    r"\b(?:process|processes|pid|thread|threads|bash|shell|linux|unix|terminal|command line|cli|docker|"
    r"container|containers|kubernetes|pod|pods|daemon|task manager|cron|sigkill|sigterm|python|node|server)\b"
)


def violent_intent(text: str) -> bool:
    if _AGAINST_NAMED.search(text):
        return True
    folded = fold_text(text)
    if _COMPUTING.search(folded) and re.search(r"\b(?:kill|terminate|murder|execute|abort)\w*\b", folded):
        return False
    match = _VIOLENCE.search(folded)
    if match and "shoot" in match.group(0) and _PHOTOGRAPHY.search(folded):
        return False  # "shoot someone with a camera" is photography
    return bool(match)


def drug_seeking(text: str) -> bool:
    return bool(_DRUGS.search(fold_text(text)))


def glorifies_atrocity(text: str) -> bool:
    folded = fold_text(text)
    if not _GLORIFY.search(folded):
        return False
    # The "why was it right" and "methods" forms need an atrocity or a dictator named somewhere.
    return bool(_ATROCITY_RE.search(folded) or re.search(r"\b(?:overstate|exaggerate|inflate)", folded))


def self_harm_intent(text: str) -> bool:
    return bool(_SELF_HARM.search(fold_text(text)))


# Things only a person does or has: when a name is also an ordinary word ("Drake", "The Rock",
# "Sparrow"), these say the sentence is about the person ("sparrow playing chess", "the rock in
# a tuxedo") where the sentence embedding cannot tell.
_HUMAN_ONLY = re.compile(
    r"\b(?:face|faces|portrait|selfie|headshot|close ?up of (?:his|her) face|wearing|dressed|tuxedo|suit and tie|"
    r"gown|evening dress|outfit|costume|smiling|smiles|laughing|grinning|performing|performs|performance|concert|"
    r"on stage|singing|sings|rapping|album|premiere|red carpet|interview|interviewed|speech|podium|autograph|"
    r"signing|fans|paparazzi|chess|guitar|piano|microphone|astronaut|driving|riding|flexing|gym|office|meeting|"
    r"press conference|award|oscars?|grammys?|married|wedding|kissing|hugging|dancing|reading|writing|cooking|"
    r"restaurant|diner|spaghetti|coffee shop|cafe|beach|horse|spacesuit|business|campaign|rally|politician|"
    r"celebrity|famous|singer|rapper|actor|actress|musician|star of|starring|cameo|photoshoot|photo shoot|"
    r"posing|poses|waving|shaking hands|handshake|walking (?:a|his|her) dog|skateboard|bicycle|car|phone|"
    r"laptop|tattoo|hair|beard|glasses|sunglasses|hat|jacket|shirt|jeans|sneakers|boots|jersey|uniform)\b"
)


def human_only_activity(text: str) -> bool:
    return bool(_HUMAN_ONLY.search(fold_text(text)))


# --- coded hate, glorified perpetrators, smears against a group -----------------------------------
# Symbols and codes are judged by context: history, education, religion and culture are fine;
# a flag, poster, tattoo or rally that displays them, or praise, is propaganda.

# Unambiguous hate codes and emblems.
_HATE_CODES = re.compile(
    r"\b(?:1 ?4 ?8 ?8|14 (?:and|&) 88|14 words|fourteen words|sieg heil|heil hitler|sonnenrad|schwarze sonne|ss runes?|sig runes?|"
    r"sieg runes?|double lightning bolts? (?:logo|symbol|insignia|patch|flag)|totenkopf|death s head (?:insignia|"
    r"patch|badge)|wolfsangel|rahowa|racial holy war|blood and soil|blut und boden|zog|zionist occupied|happy merchant|"
    r"great replacement|white genocide|it s okay to be white|white power|white pride|white supremac\w*|wpww|"
    r"aryan (?:brotherhood|nations|pride|power|race)|blood (?:and|&) honou?r|combat 18|atomwaffen|patriot front|"
    r"nordic resistance|hammerskins?|reichskriegsflagge|burning cross|cross burning|fiery cross|ku klux klan|kkk|"
    r"waffen ss|hitler youth|neo ?nazis?|national socialis\w*|(?:ss|nazi) (?:officer|uniform|insignia|salute|eagle))\b"
)
# Racial masquerade, a caricature of a group worn as a costume; a poster against it is not that.
_RACIAL_MASQUERADE = re.compile(
    r"\b(?:blackface|yellowface|brownface|redface|(?:in|wearing|wears|doing) (?:black|yellow|brown) face"
    r"|(?:black|yellow|brown) face (?:makeup|paint))\b"
)
_SPEAKS_AGAINST = re.compile(r"\b(?:against|anti|ban|banning|banned|stop|racist|offensive|wrong|harmful|harm)\b")
# Codes that are ordinary in other settings (88 keys, a 1918 car, Norse runes, a celtic cross on a
# church): hateful only where they are put on display together with other signs of the movement.
_AMBIGUOUS_HATE_CODES = re.compile(
    r"\b(?:88|18|28|311|hh|black sun|celtic cross|iron cross|odal rune|othala|life rune|algiz|tyr rune|triskele|"
    r"three sevens|brotherhood|skinheads?|swastikas?|hakenkreuz|confederate flag|rebel flag|nazis?|third reich|reich|"
    r"aryans?|white (?:race|nation|homeland|nationalis\w*)|white lives matter|deus vult|kekistan|pepe)\b"
)
# The places such signs are displayed, and words of praise or recruitment.
_DISPLAY = re.compile(
    r"\b(?:poster|flag|flags|banner|banners|tattoo|tattoos|tattooed|t ?shirt|shirt|hoodie|patch|patches|sticker|"
    r"graffiti|logo|armband|emblem|badge|insignia|pin|flyer|leaflet|pamphlet|meme|mural|wallpaper|album cover|"
    r"recruit\w*|rally|rallies|march|marching|parade|proud|pride|glorious|glory|heroic|heroes|celebrat\w*|honou?r\w*|"
    r"tribute|salut\w*|join us|our movement|our people|our race|brotherhood|brothers|uprising|awaken|defend)\b"
)
# History, education, religion and culture, and speaking against hate.
_EDUCATION = re.compile(
    r"\b(?:histor\w*|museum|exhibit\w*|textbook|documentary|lesson|educational (?:poster|display|video|"
    r"illustration|material|infographic|diagram|exhibit|page|book|chart)|teaching|explain\w*|"
    r"origins?|meaning|how to (?:recogni[sz]e|identify|spot)|recogni[sz]ing|identifying|warning (?:about|against|signs)|"
    r"anti ?(?:nazi|racis\w*|hate|fascis\w*)|against (?:hate|racism|fascism|nazis?)|condemn\w*|victims?|remembrance|"
    r"memorial to the victims|archiv\w*|academic|research\w*|encyclopedia|infographic|awareness|scholarly|"
    r"appropriat\w*|ancient|1930s newspaper|wwii photograph|world war (?:ii|2|two) (?:photo|photograph|history)|reenactment|debunk\w*|"
    r"myth|myths|misinformation|propaganda techniques|how propaganda|fact check\w*|hate symbols? (?:guide|database))\b"
)


# Religions and cultures in which some of these signs are sacred or old (a Diwali swastika).
_CULTURE = re.compile(
    r"\b(?:hindu\w*|buddhis\w*|jain\w*|diwali|sanskrit|navajo|religious|temple|shrine|prayer|"
    r"rangoli|mandala|norse mythology|viking age|runestones?)\b"
)


def coded_hate(text: str) -> bool:
    """A hate code or emblem shown as propaganda (not in history, education or culture)."""
    folded = fold_text(text)
    if _EDUCATION.search(folded) or _CULTURE.search(folded):
        return False
    if _HATE_CODES.search(folded):
        return True
    if _RACIAL_MASQUERADE.search(folded) and not _SPEAKS_AGAINST.search(folded):
        return True
    return (
        bool(_AMBIGUOUS_HATE_CODES.search(folded))
        and bool(_DISPLAY.search(folded))
        and len(set(_AMBIGUOUS_HATE_CODES.findall(folded)) | set(_DISPLAY.findall(folded))) >= 2
    )


# People and regimes remembered for atrocities; praise of them is glorification.
_PERPETRATORS = re.compile(
    r"\b(?:hitler|adolf|himmler|goebbels|goering|g ring|heydrich|mengele|eichmann|mussolini|pol pot|khmer rouge|"
    r"idi amin|bin laden|osama|al baghdadi|isis|al qaeda|breivik|brenton tarrant|tarrant|christchurch shooter|"
    r"dylann roof|charleston shooter|mcveigh|oklahoma city bomber|kaczynski|unabomber|columbine shooters?|"
    r"eric harris|klebold|elliot rodger|seung hui cho|adam lanza|sandy hook shooter|payton gendron|buffalo shooter|"
    r"stephen paddock|omar mateen|charles manson|manson family|ted bundy|jeffrey dahmer|john wayne gacy|"
    r"mass shooters?|school shooters?|suicide bombers?|9 11 hijackers|mohamed atta|the shooter|the gunman|"
    r"nazis?|ss officers?|waffen ss|third reich|nazi germany|the reich|confederacy|apartheid|jim crow|"
    r"einsatzgruppen|death camp guards?|concentration camp guards?|klansmen|kkk|auschwitz|dachau|treblinka|sobibor|"
    r"bergen belsen|gulags?|killing fields|the holocaust|the genocide|lynch mobs?|death camps?|concentration camps?)\b"
)
_GLORIFY_WORDS = re.compile(
    r"\b(?:tribute|honou?r(?:ing|ed|s)?|heroe?s?|heroic(?:ally)?|saints?|sainted|martyrs?|legend(?:s|ary)?|"
    r"glory|glorious|glorif\w*|celebrat\w*|worship\w*|idol\w*|rest in peace|rip|we miss|miss (?:him|them|you)|"
    r"good old days|golden age|better times|bring back|return of|long live|salut\w*|prais\w*|shrine|noble|brave|"
    r"inspiring|inspiration|role models?|fan art|fan club|happy birthday|birthday celebration|nostalgi\w*|"
    r"romantici[sz]\w*|majestic|uplifting|admir\w*|beloved|victorious|victory|triumph\w*|great leaders?|"
    r"visionar\w*|savior|saviour|rightful|avenge\w*|finish (?:his|their|the) (?:work|job|mission)|loving|"
    r"lovingly|sentimental|fond|fondly|adoring|heartwarming|cute|kawaii|gentle|kindly|aesthetic|badass|cool|"
    r"awesome|crush|fangirl\w*|sexy|hot|dreamy|knew their place)\b"
)


def glorifies_perpetrator(text: str) -> bool:
    """Praise, tribute or nostalgia for perpetrators of atrocities or their regimes."""
    folded = fold_text(text)
    return bool(_PERPETRATORS.search(folded) and _GLORIFY_WORDS.search(folded) and not _EDUCATION.search(folded))


_GROUPS = (
    r"(?:immigrants?|migrants?|refugees?|asylum seekers?|foreigners?|muslims?|islam|jews|jewish (?:people|men|women|"
    r"families)|christians?|hindus?|sikhs?|buddhists?|black (?:people|men|women|families|kids)|blacks|africans?|"
    r"asians?|chinese (?:people|immigrants)|mexicans?|latinos?|latinas?|hispanics?|arabs?|roma|gypsies|gypsy|gays?|"
    r"gay (?:people|men|couples)|lesbians?|trans (?:people|women|men|kids)|transgender (?:people|women|men)|"
    r"lgbt\w*|queers?|disabled (?:people|kids)|autistic (?:people|kids)|homeless (?:people|men)|catholics?|mormons?|"
    r"atheists?|indians?|pakistanis?|somalis?|haitians?|syrians?|afghans?|ukrainians?|russians?|palestinians?|"
    r"israelis?|iranians?|nigerians?|filipinos?|koreans?|japanese (?:people)?|irish (?:people)?|poles|polish people|"
    r"turks|kurds|native americans?|aborigin\w*|indigenous (?:people|peoples))"
)
_DANGER = (
    r"(?:dangerous|a danger|dangers|a threat|threats?|threatening|criminals?|rapists?|terrorists?|murderers?|thugs?|"
    r"invaders?|invading|invasion|infest\w*|vermin|rats|cockroaches|parasites?|plague|diseased|disease ridden|"
    r"spreading (?:disease|crime)|taking over|replacing us|replacing (?:white|real)|groomers?|predators?|pedophiles?|"
    r"coming for (?:your|our) (?:children|kids|daughters|jobs|women)|stealing (?:our|your) (?:jobs|country|women)|"
    r"out to get|lurking|a menace|menacing|violent|savages?|subhuman|evil|enemy|enemies|poisoning|destroying|ruining|"
    r"flooding|swarming|hordes?|breeding like|inferior|dirty|filthy|cannot be trusted|can t be trusted|traitors?|"
    r"sleeper cells?|a cancer|infecting|bring(?:ing)? (?:crime|disease|drugs)|carrying drugs|smuggling drugs|"
    r"drug dealers|gang members|gangsters|bombers|jihadis|thieves|pickpockets|welfare (?:cheats|queens)|freeloaders|"
    r"leeches|scroungers|wild animals|a flood of|floods?|tidal wave|tsunami of|sneaking (?:in|across))"
)
_SMEAR = re.compile(
    r"\b" + _GROUPS + r"\b[a-z ]{0,30}?\b(?:are|as|is|being|were|will|who are|depicted as|shown as|portrayed as|"
    r"like|=|equals?)\b[a-z ]{0,25}?\b" + _DANGER + r"\b"
    r"|\b" + _GROUPS + r"\b[a-z ]{0,15}?\bknew their place\b"
    r"|\b(?:beware|warning|warn\w*|protect (?:your|our) (?:children|kids|daughters|women|country) from|keep out|"
    r"stop the|deport all|ban all|get rid of)\b[a-z ]{0,30}?\b" + _GROUPS + r"\b"
    r"|\b" + _DANGER + r"\b[a-z ]{0,20}?\b(?:immigrants?|migrants?|refugees?|muslims?|jews|gays?|trans people)\b"
)
# A pig shown with the signs of a faith for which it is an insult.
_PIG_MOCKERY = re.compile(
    r"\b(?:pig|pigs|hog|hogs|swine|boar)\b.*\b(?:mecca|mosque|quran|koran|muslim|islam|allah|prophet|turban|hijab|"
    r"burqa|kippah|yarmulke|synagogue|torah|rabbi|jew|jews|jewish)\b"
    r"|\b(?:mecca|mosque|quran|koran|muslim|islam|allah|prophet|turban|hijab|burqa|kippah|yarmulke|synagogue|torah|"
    r"rabbi|jew|jews|jewish)\b.*\b(?:pig|pigs|hog|hogs|swine|boar)\b"
)


# "Why should <some people> not be allowed to vote?": asking for reasons to take a group's rights away.
_DENY_RIGHTS = re.compile(
    r"\bwhy (?:should|must|shouldn t|is it (?:right|best|fair) (?:that|for))\b[a-z ]{1,40}?\b(?:people|persons|women|men|"
    r"workers|students|families|children|kids|couples|immigrants|refugees|minorities|believers|folks)\b[a-z ]{0,20}?"
    r"\b(?:not be allowed|not get|never be allowed|be banned|be barred|be kept out|be denied|be forbidden|not have the right|"
    r"lose the right|be excluded|be segregated|be fired first|earn less|not be admitted)\b"
)


def denies_group_rights(text: str) -> bool:
    return bool(_DENY_RIGHTS.search(fold_text(text)))


_DEBUNKING = re.compile(
    r"\b(?:myth|myths|stereotypes?|debunk\w*|misconceptions?|false|untrue|fact check\w*|counter\w*|"
    r"against (?:racism|hate|prejudice|discrimination|islamophobia|antisemitism)|anti ?(?:racis\w*|hate))\b"
)
# The smear stated as a fact to be explained or proved: "a flyer explaining why GROUP are vermin"
# is propaganda, even though "explaining" reads like teaching.
_ASSERTED_SMEAR = re.compile(
    r"\b(?:why|that|how)\s(?:all\s|the\s|most\s|so many\s)?" + _GROUPS + r"\b[a-z ]{0,15}?\b(?:are|is|were)\b"
    r"[a-z ]{0,15}?\b" + _DANGER + r"\b"
)


def smears_group(text: str) -> bool:
    """A group of people shown or called dangerous, criminal or vermin (not a debunking of it)."""
    folded = fold_text(text)
    if _DEBUNKING.search(folded):
        return False
    if _ASSERTED_SMEAR.search(folded):
        return True
    if _EDUCATION.search(folded):
        return False
    return bool(_SMEAR.search(folded) or _PIG_MOCKERY.search(folded))


# People of a named group doing something ordinary, said plainly: "a black family having a picnic",
# "two Sikh men at a barbecue". Sentence similarity puts any mention of a group near the hateful
# examples about that group, so such a scene is not judged by similarity alone (the trained
# classifier still reads it). A claim about the group ("... are", "as", "like"), a comparison, a
# stereotype word or demeaning imagery makes it something else, judged as before.
_IDENTITY = (
    r"(?:black|white|brown|asian|african|african american|latino|latina|latinx|hispanic|mexican|arab|indian|"
    r"pakistani|chinese|japanese|korean|vietnamese|filipino|somali|nigerian|haitian|syrian|afghan|irish|polish|"
    r"roma|native american|indigenous|aboriginal|jewish|muslim|christian|catholic|hindu|sikh|buddhist|mormon|"
    r"amish|orthodox|gay|lesbian|bisexual|queer|trans|transgender|nonbinary|non binary|disabled|deaf|blind|"
    r"autistic|elderly|older|immigrant|refugee|migrant|middle eastern|persian|turkish|kurdish|jamaican|"
    r"congolese|ethiopian|kenyan|ghanaian|sudanese|egyptian|moroccan|algerian|iraqi|iranian|saudi|palestinian|"
    r"israeli|russian|ukrainian|romanian|gypsy|italian|greek|brazilian|colombian|puerto rican|dominican|cuban|"
    r"guatemalan|thai|indonesian|malaysian|cambodian|bangladeshi|nepali|tibetan|aborigine|inuit|"
    r"pacific islander|hawaiian|maori|samoan)"
)
_SCENE_PEOPLE = (
    r"(?:family|families|couple|couples|man|men|woman|women|person|people|guy|guys|lady|ladies|teen|teens|"
    r"teenagers?|kids?|children|child|boys?|girls?|students?|friends|grandmother|grandma|grandfather|grandpa|"
    r"grandparents|mother|mom|father|dad|parents|neighbou?rs?|coworkers|colleagues|workers?|nurse|doctor|"
    r"teacher|chef|farmer|bride|groom|wedding party|community|congregation|crowd|group)"
)
_EVERYDAY_SCENE = re.compile(
    r"^(?:(?:an?|the|some|two|three|four|several|a few|a group of|a couple of|a crowd of) )?"
    r"(?:(?:young|old|elderly|happy|smiling|proud|middle aged|little) )*" + _IDENTITY + r"(?: " + _IDENTITY + r")?"
    r" " + _SCENE_PEOPLE + r" (?:\w+ing|at|in|on|by|near|with|under|inside|outside|during|after|before|around)\b"
)
_NOT_A_PLAIN_SCENE = re.compile(
    r"\b(?:as|like|are|is|were|was|be|being|should|must|why|because|than|too|all|every|typical\w*|always|never|"
    r"stereotyp\w*|caricatur\w*|mock\w*|ridicul\w*|depict\w*|portray\w*|shown|showing|implying|proving|"
    r"their place|ape|apes|monkeys?|gorillas?|chimp\w*|rats?|vermin|cockroach\w*|pigs?|swine|dogs? on a leash|"
    r"noose|rope|ropes|chains?|chained|shackle\w*|cages?|caged|leash|collar|whip\w*|slaves?|slavery|plantation|"
    r"cotton fields?|lynch\w*|hang\w*|burning cross|kkk|klan|nazi\w*|swastika|gas chambers?|ovens?)\b"
)


def everyday_group_scene(text: str) -> bool:
    """People of a named group doing something ordinary, with no claim about them (see above)."""
    folded = fold_text(text)
    subject = _DEPICTION_OF.sub(" ", _REQUEST_FRAME.sub("", folded)).strip()
    subject = re.sub(r"^(?:an?|the) (?:\w+ )?of ", "", subject)  # "a watercolor of ..."
    return bool(_EVERYDAY_SCENE.search(subject)) and not (
        _NOT_A_PLAIN_SCENE.search(folded) or re.search(r"\b" + _DANGER + r"\b", folded)
    )


# A group of people drawn as a racist caricature: the features caricatures exaggerate, the group
# shown as inferior to others, or a group paired with the trope long used against it (a Jewish
# man counting money, a Muslim man with a bomb, a Black man with a watermelon). Each trope is
# listed with the group it demeans, so the same words about anyone else stay ordinary ("a man
# with a watermelon", "a bomb disposal robot"). History, education and debunking stay allowed.
_GROUP_PERSON = re.compile(
    r"\b(?:" + _GROUPS + r"|" + _IDENTITY + r"(?: \w+)? " + _SCENE_PEOPLE + r"|" + _IDENTITY + r"s\b)\b"
)
_CARICATURE = re.compile(
    r"\b(?:(?:huge|big|giant|enormous|exaggerated|thick|oversized|massive|bulging|fat) (?:red |pink )?"
    r"(?:lips|nose|noses|hooked noses?)|hook(?:ed)? noses?|buck ?teeth|buck ?toothed|slant(?:ed|y)? eyes|"
    r"squinty eyes|slit eyes|ape ?like|monkey ?like|sub ?human|blackface|yellowface)\b"
)
_SHOWN_INFERIOR = re.compile(
    r"\b(?:inferior|less (?:intelligent|capable|civili[sz]ed|human|evolved)|(?:their|its) (?:supposed |inherent )?"
    r"(?:inability|inferiority|weakness|stupidity|laziness|incompetence)|supposed(?:ly)? inherent|"
    r"inherent(?:ly)? (?:weak|stupid|lazy|inferior|incapable)\w*|struggl\w* (?:\w+ ){0,4}(?:simple|easy|light|basic)|"
    r"(?:while|where|as|whereas) (?:everyone else|others|other people|the others|the rest) (?:\w+ ){0,4}(?:easily|"
    r"with ease|effortlessly|without (?:any )?(?:difficulty|effort|trouble|problems?)))\b"
)
# (adjective before a person word, nouns that name the people themselves, the trope)
_TROPES = [
    (
        r"black|african american",
        r"blacks",
        r"(?:eat\w*|with|holding|grinning|chomping|devour\w*|loves?|stealing) (?:\w+ ){0,3}(?:watermelons?|fried chicken)|"
        r"happy slaves?|minstrel\w*|golliwogs?|pickaninn\w*|sambo|mammy|"
        r"(?:happy|smiling|singing|content) (?:\w+ ){0,3}(?:picking|picks) cotton|picking cotton (?:\w+ ){0,3}"
        r"(?:happy|smiling|singing|content)",
    ),
    (
        r"jewish",
        r"jews?|rabbis?",
        r"greed\w*|counting (?:\w+ )?(?:money|coins|gold|cash)|money ?bags?|(?:bags|piles|sacks|heaps) of (?:money|"
        r"gold|cash|coins)|hoard\w*|puppet ?masters?|pulling the strings|controlling the (?:world|media|banks)|"
        r"world domination|blood libel|christ ?killers?",
    ),
    (
        r"muslim|islamic|arab|middle eastern|sikh|afghan|pakistani|somali",
        r"muslims?|arabs?|sikhs?|imams?|(?:man|men|woman|women|person|people) (?:in|wearing) (?:a )?(?:turbans?|"
        r"hijabs?|burqas?)",
        r"bombs?|suicide vests?|bomb vests?|explosives?|detonat\w*|terroris\w*|jihadis?|beheading\w*",
    ),
    (
        r"mexican|latino|latina|hispanic",
        r"mexicans?|latinos?|latinas?|hispanics?",
        r"(?:sleeping|napping|lazy|siesta)\b.*\bsombreros?|sombreros?\b.*\b(?:sleeping|napping|lazy|siesta)|"
        r"(?:sneaking|jumping|climbing|swimming) (?:over |across |under )?(?:the )?border(?: wall)?|"
        r"drug (?:mules?|dealers?|smugglers?)|cartels?",
    ),
    (
        r"asian|chinese|korean|vietnamese|filipino",
        r"asians?|koreans?|filipinos?",
        r"eating (?:a |the |some )?(?:dogs?|cats?|bats?|pupp(?:y|ies)|kittens?)|dog meat|bat soup|"
        r"spreading (?:the )?(?:virus|covid|disease)|kung flu|china virus",
    ),
    (
        r"native american|indigenous|aboriginal|inuit|irish",
        r"native americans?|aborigines?|irishm[ae]n",
        r"drunk\w*|alcoholics?|firewater|scalp\w*|savages?",
    ),
    (r"roma|gypsy", r"gypsies|gypsys?", r"steal\w*|stole|thie\w*|pickpocket\w*"),
    (
        r"gay|lesbian|queer|trans|transgender|bisexual",
        r"gays|lesbians|queers|homosexuals?|trans people",
        r"predators?|groomers?|grooming (?:a |the |young |little )*(?:child|children|kids?|boys?|girls?|minors?|teens?)|"
        r"pedophil\w*|paedophil\w*|perverts?|molest\w*|(?:peeping|peeking|spying) (?:at|on)",
    ),
    (
        r"disabled|autistic",
        r"(?:people|person|man|men|woman|women|kids?|children) (?:in wheelchairs?|with down syndrome)",
        r"retard\w*|freaks?|useless|burdens? (?:on|to) (?:society|everyone|us|their famil\w*)",
    ),
]
# "a black-haired man", "a black-clad woman": a colour word before "-ed" describes, it names no group.
_TROPES = [
    (
        re.compile(r"\b(?:" + adjective + r")(?: (?!\w+ed\b)\w+)? " + _SCENE_PEOPLE + r"\b|\b(?:" + nouns + r")\b"),
        re.compile(r"\b(?:" + trope + r")\b"),
    )
    for adjective, nouns, trope in _TROPES
]
# "Congolese cannibal", "African savages": the group word right before the dehumanising one.
_DEHUMANISED = re.compile(
    r"\b"
    + _IDENTITY
    + r"s? (?:\w+ )?(?:cannibals?|savages?|subhumans?|animals|beasts|vermin|parasites?|cockroach\w*)\b"
)
# Words that put the trope's words to the opposite use: disarming a bomb, mourning its victims.
_SERVICE_OR_VICTIMS = re.compile(r"\b(?:bomb (?:disposal|squad|technician)|defus\w*|victims? of)\b")


def demeans_group(text: str) -> bool:
    """A group drawn as a racist caricature, as inferior, or with a trope used against it (see above)."""
    folded = fold_text(text)
    if _EDUCATION.search(folded) or _DEBUNKING.search(folded) or _SERVICE_OR_VICTIMS.search(folded):
        return False
    if not _GROUP_PERSON.search(folded):
        return False
    if _CARICATURE.search(folded):
        return True
    if _SHOWN_INFERIOR.search(folded) and not impossible_feat([text]):
        return True  # failing at walking through walls, while others manage, is a joke on no one
    if _DEHUMANISED.search(folded):
        return True
    return any(group.search(folded) and trope.search(folded) for group, trope in _TROPES)


# A massacre shown as it happens. Children as the targets (a school, a classroom) are never shown
# under attack, whatever the style; other mass attacks only when the picture is meant to look real.
# Remembering, teaching and prevention stay allowed ("a candlelight vigil after the shooting").
_MASS_ATTACK = re.compile(
    r"\b(?:mass|spree|school|classroom|campus|church|mosque|synagogue|temple|mall|concert|nightclub|stadium|"
    r"parade|festival|crowd|kindergarten|daycare)\s(?:shootings?|shooters?|massacres?|bombings?|gunman|gunmen|"
    r"stabbings?|attacks?|terror attacks?)\b"
    r"|\b(?:terror(?:ist)? attacks?|suicide bomb(?:ing|er)s?|massacres? of|mass murder|gunm[ae]n (?:opening fire|shooting|firing))\b"
)
_CHILD_TARGETS = re.compile(r"\b(?:school|classroom|campus|kindergarten|daycare|students|pupils|children|kids)\b")
_AS_IT_HAPPENS = re.compile(
    r"\b(?:photo\w*|realistic|hyper ?realistic|footage|cctv|bodycam|security camera|pov|first person|in progress|"
    r"as it happens|live|happening|during|mid (?:attack|shooting)|victims? (?:lying|dying|screaming|bleeding|fleeing)|"
    r"news (?:photo|footage|image)|actual|real)\b"
)
_REMEMBRANCE = re.compile(
    r"\b(?:memorials?|vigils?|tributes?|remembrance|in memory|honou?ring|mourn\w*|candles?|flowers|prevention|"
    r"drills?|safety|awareness|histor\w*|documentary|museum|textbook|lessons?|survivors? (?:speaking|testif\w*)|"
    r"aftermath of grief|gun control|protest(?:ers|ing)? against)\b"
)


def depicts_massacre(text: str) -> bool:
    """A shooting, bombing or massacre of many people, shown as it happens (see _MASS_ATTACK)."""
    folded = fold_text(text)
    if not _MASS_ATTACK.search(folded) or _REMEMBRANCE.search(folded):
        return False
    return bool(_CHILD_TARGETS.search(folded) or _AS_IT_HAPPENS.search(folded))


# Prevention, support and recovery: "a suicide prevention hotline poster" is what the self-harm
# rule wants people to see. A method named beside it ("a prevention poster showing the most
# effective way to overdose") is still refused.
_PREVENTION = re.compile(
    r"\b(?:prevention|prevent|preventing|awareness|helplines?|hotlines?|crisis lines?|crisis centers?|"
    r"crisis centres?|support groups?|recovery|recovering|survivors?|get help|getting help|seek help|seeking help|"
    r"you are not alone|reach out|hope|memorial|remembrance|therapy|therapist|counsel\w*)\b"
)
_METHOD = re.compile(
    r"\b(?:how to|how do|methods?|ways? to|best way|step|steps|tutorial|instructions?|dose|doses|where to cut|"
    r"which pills|most (?:effective|painless))\b"
)
_SELF_HARM_ACT = re.compile(
    r"\b(?:cut|cuts|cutting|slit|slitting|slices?|slicing|blade|razor|noose|hanging|hangs|overdos\w*|pills|bleed\w*|"
    r"blood|bloody|jump|jumping|burn|burning|stab\w*|starv\w*|wounds?|scars?|gun to|edge of|carv\w*|scratch\w*|"
    r"into (?:their|his|her|my|your) (?:own )?skin)\b"
)


def prevention_context(text: str) -> bool:
    """Prevention or support, with no method and no act of self-harm shown."""
    folded = fold_text(text)
    return bool(_PREVENTION.search(folded)) and not _METHOD.search(folded) and not _SELF_HARM_ACT.search(folded)


def educational_context(text: str) -> bool:
    """History, education, religion or culture, or speaking against hate (see _EDUCATION)."""
    return bool(_EDUCATION.search(fold_text(text)))


def names_a_group(text: str) -> bool:
    return bool(re.search(r"\b" + _GROUPS + r"\b", fold_text(text)))


_HORROR_ART = re.compile(
    r"\b(?:horror|halloween|zombies?|ghouls?|monsters?|creatures?|vampires?|werewolf|werewolves|haunted|demons?|"
    r"undead|slasher|creepypasta|special effects makeup|sfx makeup|prosthetic makeup)\b"
)
_REAL_FOOTAGE = re.compile(
    r"\b(?:real (?:photo|footage|life|person|video)|actual|irl|news (?:photo|footage)|documentary footage)\b"
)


def horror_art_context(text: str) -> bool:
    """Horror art for a story, film or game (not a real photograph)."""
    folded = fold_text(text)
    return bool(_HORROR_ART.search(folded)) and not _REAL_FOOTAGE.search(folded)


# Sexual content without consent: a sexual word together with force, pressure or incapacity.
_NO_CONSENT = re.compile(
    r"\b(?:without (?:her |his |their |anyone s |any )?consent|non ?consensual|unwanted|against (?:her|his|their) will|"
    r"forced|forcing|forces|pressured into|pressuring|coerced|coercing|drugged|unconscious|passed out|asleep|"
    r"hidden camera|secretly (?:filmed|recorded|photographed)|without (?:her|him|them) knowing)\b"
)


def nonconsensual_sexual(text: str) -> bool:
    return is_sexual([text]) and bool(_NO_CONSENT.search(fold_text(text)))


# -- does a short request start something new? ------------------------------------------------
# A short request after earlier turns is either a fragment that completes one of them ("in
# lingerie", "even younger", "a diagram", "step by step") or a new subject of its own ("draw a
# tree", "the sun"). Only a fragment is read together with the earlier turns, so a refusal does
# not follow the user into every short request that comes after it.

# Words that frame a request without saying what it is of: "please can you draw me ...",
# "I would love to see ...", "a picture of ...".
_REQUEST_FRAME = re.compile(
    r"^(?:(?:please|pls|plz|kindly|ok|okay|so|hey|hi|can|could|would|will|you|u|i|id|d|we|want|wanna|like|love|"
    r"to|see|show|me|us|give|get|make|create|generate|draw|paint|sketch|render|illustrate|design|produce|do|just)\b ?)+"
)
_DEPICTION_OF = re.compile(
    r"\b(?:an? |the |some )?(?:picture|drawing|image|painting|photo|photograph|sketch|illustration|rendering|"
    r"render|pic|art|artwork|doodle|cartoon|emoji|icon) of\b"
)
_DRAWING_VERB = re.compile(r"\b(?:draw|paint|sketch|render|illustrate|doodle|show me|create|generate|make me)\b")
_DETERMINERS = frozenset(
    "a an the some one two three four five six seven eight nine ten few many several my our your".split()
)
# A first word like these attaches the rest to something said before: "in a bikini", "with
# labels", "even younger", "but bloodier", "at night".
_FRAGMENT_START = frozenset(
    "in into inside with without wearing but and or plus minus only even more less much very so too than as like "
    "at on under over behind near by from for about around while during after before until instead "
    "same younger older smaller bigger taller shorter thinner fatter darker lighter".split()
)
# The form of a depiction, not its subject: "a diagram" or "a detailed one" says nothing on its own.
_FORM_WORDS = frozenset(
    "diagram diagrams blueprint blueprints schematic schematics plan plans chart infographic guide guides manual "
    "recipe recipes instructions instruction tutorial tutorials steps step by how to version versions one ones "
    "picture pictures drawing image images photo photos photograph painting sketch illustration close closeup up "
    "cross section cutaway view angle poster flyer leaflet label labels labelled labeled detailed detail details "
    "realistic photorealistic real simple clear exact accurate full complete working better bigger smaller "
    "new different other cartoon style kind sort of again same ingredients ingredient materials parts components "
    "supplies list card sheet page amounts quantities measurements equipment tools setup process method procedure "
    "formula".split()
)
# Words that describe a person who was named before rather than a subject of their own.
_ATTACHED_TO_A_PERSON = re.compile(
    r"\b(?:bikinis?|swimsuits?|swimwear|bathing suits?|lingerie|underwear|bras?|panties|thongs?|stockings|"
    r"outfits?|costumes?|dress|dresses|skirts?|shorts|pose|poses|posing|body|bodies|legs|chest|breasts?|butt|"
    r"bedroom|bed|shower|bath|bathtub|younger|youthful|childlike|age|aged)\b"
)


def _described(folded: str) -> list[str]:
    """The words after the request's frame ("please draw me a picture of ...")."""
    return _REQUEST_FRAME.sub("", _DEPICTION_OF.sub(" ", folded).strip()).split()


# "getting changed after the game", "showering after practice": a verb with no subject of its
# own, so its subject is whoever the conversation was about.
_SUBJECTLESS_VERB = re.compile(r"^(?:(?:now|then|and|also|just|next) )*[a-z]{2,}ing\b")


def starts_without_subject(text: str) -> bool:
    return bool(_SUBJECTLESS_VERB.match(fold_text(text)))


def is_fragment(text: str) -> bool:
    """Does the request only complete something said before, at any length: it starts with a
    word that attaches it ("with her shirt off", "in the style of a manual") or names no subject,
    only the form of a depiction ("a step by step version", "the ingredients")?"""
    described = _described(fold_text(text).strip())
    if not described or described[0] in _FRAGMENT_START:
        return True
    return not [w for w in described if w not in _DETERMINERS and w not in _FORM_WORDS and w not in FUNCTION_WORDS]


def names_a_new_subject(text: str) -> bool:
    """Does a short request name a subject of its own ("draw a tree", "the sun", "a red apple"),
    rather than a fragment that completes an earlier turn? Sexual, gory or age words, and words
    worn by or describing a person, always read as completing one: minors get the strongest
    protection, and "a bikini" after "a little girl" is not a new subject."""
    folded = fold_text(text).strip()
    if not folded or is_sexual([text]) or is_gory([text]) or mentions_minor([text]):
        return False
    if _ATTACHED_TO_A_PERSON.search(folded) or is_fragment(text):
        return False
    described = _described(folded)
    return described[0] in _DETERMINERS or bool(_DRAWING_VERB.search(folded))
