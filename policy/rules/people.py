"""Is a request about an identifiable real person? A proper name or a public role.

Some categories need a real person before they can refuse (a sexual image is allowed of a
fictional adult, refused of a real one). The learned `real_person` aspect is the other signal,
for descriptions and scripts these patterns cannot read.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from policy.names import FUNCTION_WORDS, common_given_names, given_names
from policy.normalize import romanize
from policy.rules.text import fold_text
from policy.rules.text import folded_texts as _texts

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
# An artist's credit, read in Latin letters (romanize) so that it is the same in every script:
# the words before the name ("im Stil von", "à la manière de", "в стиле") or, where the
# language puts them after it, the word that follows ("Egon Schiele tarzında", "Schielen
# tyyliin"). Not "von", "de", "of" alone: "Foto von Angela Merkel" is a picture of her.
_ARTIST_PREFIX = re.compile(
    r"\b(?:by|style of|in the style of|artwork by|art by|painted by|inspired by|photographed by"
    r"|(?:im|in) stile? (?:von|des|der)|gemalt von|nach art von|inspiriert von"
    r"|(?:dans le|au|a la) (?:style|maniere|facon) (?:de|d|du)|peint par|inspire par|inspiree par"
    r"|(?:al|en el|a la) (?:estilo|manera) (?:de|del)|estilo (?:de|del)|pintado por|inspirado en"
    r"|(?:no|ao|a) (?:estilo|maneira) (?:de|do|da)|inspirado em"
    r"|(?:nello|nella|alla) (?:stile|maniera) (?:di|del|dello)|stile (?:di|del)|dipinto da|ispirato a"
    r"|in de stijl van|in (?:de )?trant van|geschilderd door"
    r"|i stil med|malt av|malad av"
    r"|w stylu|ve stylu|v stylu|v style|v stile|v manere|u stilu|v stilu|stylem"
    r"|v stili|(?:in )?stilul(?: lui)?|sto styl to[uy])$"
)
_ARTIST_AFTER = {"tarzinda", "tarzi", "usulunde", "tyyliin", "tyylilla", "stilusaban", "modoraban"}


# Letters only Vietnamese writes (its horned vowels, and tone marks under, over a hook or over a
# circumflex): a word holding one is Vietnamese. Not ă, â, ê, ô, đ, which Romanian, Portuguese,
# French and Serbo-Croatian names use too.
_VIETNAMESE_LETTERS = frozenset(
    "ơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ"
)


def written_in_vietnamese(text: str) -> bool:
    return any(char in _VIETNAMESE_LETTERS for char in unicodedata.normalize("NFC", text))


def mentions_public_role(texts) -> bool:
    return any(_PUBLIC_ROLES.search(text) for text in _texts(texts))


GIVEN_NAMES = common_given_names()
# Common given names that are everyday words of other languages, and those languages: followed by
# an ordinary word of one of them the name alone does not make a word pair a person's name
# ("donna nuda sulla spiaggia", an Italian nude woman; "ella en la playa", Spanish "she"); the
# head decides, as for any capitalised pair (agent._reads_as_a_name). Followed by a family name
# it is a name as before ("dua lipa", "bella hadid", "mia khalifa desnuda").
EVERYDAY_IN = {
    "donna": {"it"},  # woman
    "bella": {"it", "es"},  # beautiful
    "rosa": {"es", "it", "pt", "de", "ca"},  # pink, rose
    "mia": {"it", "es"},  # my (mía)
    "ella": {"es"},  # she
    "lana": {"es", "it"},  # wool
    "dua": {"id", "ms"},  # two
    "nina": {"es"},  # girl (niña)
    "clara": {"es", "pt"},  # clear, egg white
    "bianca": {"it"},  # white
    "sara": {"it"},  # will be (sarà)
    "ali": {"it"},  # wings
}
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")


def proper_names(text: str, common_words: frozenset[str] = frozenset()) -> list[str]:
    """Spans that read as a person's name: a capitalised word pair inside the sentence, or a
    common given name followed by another word ("kim smith", "Donald Trump").

    Artist credits ("by Greg Rutkowski") are skipped: naming an artist as a style is not
    depicting them.
    """
    return _names_and_credits(text, common_words)[0]


def without_artist_credits(text: str, common_words: frozenset[str] = frozenset()) -> str | None:
    """The request with its artists' credits taken out ("nu couché à la manière de Gustav Klimt"
    -> "nu couché"), or None when it has none: what is asked for, without whose style."""
    credits = _names_and_credits(text, common_words)[1] + _one_word_credits(text)
    if not credits:
        return None
    kept, end = [], 0
    for start, stop in sorted(credits):
        kept.append(text[end:start])
        end = max(end, stop)
    kept.append(text[end:])
    plain = re.sub(r"\s*,(?:\s*,)+", ",", " ".join(" ".join(kept).split()))
    return re.sub(r"\s+([,.;:!?])", r"\1", plain).strip(" ,")


def _one_word_credits(text: str) -> list[tuple[int, int]]:
    """Credits of an artist known by one name ("à la manière de Modigliani", "by Rembrandt"):
    a credit's words, then one capitalised word."""
    found = list(_WORD.finditer(text))
    words = [m.group() for m in found]
    spans = []
    for i, word in enumerate(words):
        if i and word[:1].isupper() and (start := _credit_start(words, i)) < i:
            spans.append((found[start].start(), found[i].end()))
    return spans


def _credit_start(words: list[str], i: int) -> int:
    """Where the credit's words before the name begin: the longest run of up to four words
    before it that is one of _ARTIST_PREFIX's forms ("in the style of", not just "of")."""
    for k in range(min(4, i), 0, -1):
        match = _ARTIST_PREFIX.search(romanize(" ".join(words[i - k : i])))
        if match and match.start() == 0:
            return i - k
    return i


def everyday_word_here(pair: str) -> bool:
    """Does this word pair open with a given name written as an everyday word? It does when the
    next word is an ordinary word of a language the given name is an everyday word of ("bella
    mujer": Spanish, a beautiful woman; "rosa Bikini": German, a pink bikini; "dua anak":
    Indonesian, two children), and not when it is no word there or a family name ("bella thorne",
    "mia khalifa", "rosa López")."""
    words = pair.split()
    languages = EVERYDAY_IN.get(romanize(words[0]).lower()) if words else None
    return bool(languages) and len(words) > 1 and _is_an_ordinary_word(words[1].lower(), tuple(sorted(languages)))


@lru_cache(maxsize=4096)
def _is_an_ordinary_word(word: str, languages: tuple[str, ...]) -> bool:
    """Is this word in the dictionary of one of these languages, and not as a proper noun?
    simplemma's word forms hold some family names, with a capital ("lópez" -> "López"); names that
    are no word ("thorne", "lipa", "khalifa") are not in them. The dictionaries load on first use,
    in their compact form (about 7 MB each in memory)."""
    import simplemma

    return any(
        simplemma.is_known(word, lang=language, low_memory=True)
        and not simplemma.lemmatize(word, lang=language, low_memory=True)[:1].isupper()
        for language in languages
    )


def _names_and_credits(text: str, common_words: frozenset[str]) -> tuple[list[str], list[tuple[int, int]]]:
    """The names `proper_names` reads, and the artists' credits it skips as character spans."""
    found = list(_WORD.finditer(text))
    words = [m.group() for m in found]
    # In Title Case Text a capital says nothing: there a pair of ordinary words is not a name.
    title_case = len(words) > 3 and sum(word[:1].isupper() for word in words) > 0.6 * len(words)
    names: list[str] = []
    credits: list[tuple[int, int]] = []
    credited = -2  # where the last artist's credit began
    for i in range(len(words) - 1):
        first, second = words[i], words[i + 1]
        f, s = fold_text(first), fold_text(second)
        if not f or not s or f in _NOT_NAME_WORDS or len(f) < 2 or len(s) < 2:
            continue
        if text[found[i].end() : found[i + 1].start()].strip():
            continue  # "in Dessous, Schwarzweißfoto": a comma or other mark between them, not one name
        if first.endswith(("'s", "\u2019s")):
            continue  # "Manet's Olympia": an owner and a thing (an artist and a work), not one name
        # A family name may be an ordinary word ("Kira Moon") when a capitalised given name precedes it.
        if s in _NOT_NAME_WORDS and not (f in given_names() and first[:1].isupper() and second[:1].isupper()):
            continue
        # At the start of a prompt a capital says little, so there the second word must also be
        # an unusual word ("Greta Lindqvist", not "Golden Retriever").
        capitalised = (
            first[:1].isupper()
            and second[:1].isupper()
            and ((i > 0 and not title_case) or s not in common_words)
            and not (first.isupper() and second.isupper())
        )
        # A given name and the next word ("kim smith"), unless the writer capitalises names and
        # left that word lower-case: "Vénus nue", "Maria mit dem Kind", "Eva desnuda" are a name
        # and an ordinary word of another language (FUNCTION_WORDS are English).
        given = (
            f in GIVEN_NAMES
            and s not in FUNCTION_WORDS
            and s.isalpha()
            and not (first[:1].isupper() and second[:1].islower())
        )
        # "Taylor Swift in a ...": a capitalised pair opening a prompt that is not in title case.
        opening = (
            i == 0
            and first[:1].isupper()
            and second[:1].isupper()
            and len(words) > 2
            and words[2][:1].islower()
            and f not in _NOT_NAME_WORDS
            and not (f in common_words and s in common_words)  # "Golden Retriever puppies"
        )
        if not (capitalised or given or opening):
            continue
        before = " ".join(words[max(0, i - 4) : i])
        if before and _ARTIST_PREFIX.search(romanize(before)):
            credited = i
            credits.append((found[_credit_start(words, i)].start(), found[i + 1].end()))
            continue
        if credited == i - 1:
            credits[-1] = (credits[-1][0], found[i + 1].end())
            continue  # "in de stijl van Peter Paul Rubens": a credit's second pair (one, not a run)
        if i + 2 < len(words) and romanize(words[i + 2]) in _ARTIST_AFTER:
            credits.append((found[i].start(), found[i + 2].end()))
            continue
        names.append(f"{first} {second}")
    return names, credits
