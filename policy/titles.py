"""Titles written in other scripts, and the word beside them that names someone.

A family name alone, read from another script, is compared by its consonants only when it is long
enough that an ordinary word rarely spells it (`names.LOANWORD_MIN_CONSONANTS`): "ميركل" (Merkel)
or "マクロン" (Macron) alone are four consonant classes or fewer, as common in ordinary words as
names. A title beside the word is what says it is a name: "الرئيس ماكرون" (President Macron),
"メルケル首相" (Chancellor Merkel), "马克龙总统". Greek and Cyrillic titles are read with the
Latin ones (`names.TITLES_OF_OTHER_LANGUAGES`), since those scripts are read word by word in Latin
letters; here are the scripts whose titles are not. The lists are grammar, not names: each
language's words for president, prime minister, chancellor, king and queen, and the singer or
actor a celebrity is introduced as. Not Mr and Mrs, さん or 先生: they stand beside everyone's
name, and a word beside them meets some registered family name's consonants by chance.
"""

from __future__ import annotations

import re
import unicodedata

from policy.normalize import JOINED_PARTICLES

# Before the name, as a word of its own (an Arabic or Hebrew particle letter may be joined to it:
# "للرئيس", for the president; "לנשיא").
_BEFORE = frozenset(
    (
        # Arabic
        "الرئيس رئيس المستشارة المستشار الوزراء الملك الملكة الأمير الأميرة "
        "المغنية المغني الممثل الممثلة "
        # Persian (the zero-width non-joiner inside a compound is dropped before comparing)
        "رئیسجمهور نخستوزیر صدراعظم "
        # Hebrew
        "הנשיא נשיא הנשיאה הממשלה הקנצלרית הקנצלר המלך המלכה הזמרת הזמר השחקן השחקנית "
        # Hindi, Bengali
        "राष्ट्रपति प्रधानमंत्री चांसलर गायिका अभिनेता अभिनेत्री "
        "রাষ্ট্রপতি প্রধানমন্ত্রী প্রেসিডেন্ট চ্যান্সেলর"
    ).split()
)
# After the name, in the scripts that write titles after it (Japanese, Chinese, Korean), joined
# to it or not.
_AFTER = (
    "元首相", "大統領", "首相", "総理", "委員長", "主席", "議長", "国王", "女王",
    "總統", "总统", "總理", "总理", "总书记", "议长",
    "대통령", "총리", "주석", "위원장", "의장", "국왕", "여왕",
)  # fmt: skip
_KATAKANA_RUN = re.compile(r"[\u30a0-\u30ff・ー]+$")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+$")
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+$")
MAX_HAN = 5  # a foreign name in Han is two to five characters: 默克尔, 泽连斯基


def _plain(word: str) -> str:
    return unicodedata.normalize("NFC", word).replace("\u200c", "").strip(".,:;!?()\"'«»“”")


def _is_title_before(word: str) -> bool:
    word = _plain(word)
    if word.startswith("لل"):
        word = "ا" + word[1:]  # "to" and "the" written together: للرئيس is ل + الرئيس
    return word in _BEFORE or (len(word) > 2 and word[0] in JOINED_PARTICLES and word[1:] in _BEFORE)


def titled_words(prompt: str) -> list[str]:
    """The words a title in another script stands beside: the next word or two after a title that
    comes first (one adjective may stand between: "الرئيس الفرنسي ماكرون"), and the run of kana,
    Han or Hangul right before a title that comes after ("マクロン大統領", "马克龙总统",
    "마크롱 대통령"); for Han every ending of the run of two to five characters, since the verb
    before the name is written onto it ("画马克龙总统")."""
    words = prompt.split()
    found: list[str] = []
    for i, word in enumerate(words[:-1]):
        if _is_title_before(word):
            found += [_plain(next_word) for next_word in words[i + 1 : i + 3]]
    for title in _AFTER:
        for at in (m.start() for m in re.finditer(re.escape(title), prompt)):
            before = prompt[:at].rstrip()
            if kana := _KATAKANA_RUN.search(before):
                found.append(kana.group().strip("・"))
            elif han := _HAN_RUN.search(before):
                run = han.group()
                found += [run[-n:] for n in range(2, min(MAX_HAN, len(run)) + 1)]
            elif hangul := _HANGUL_RUN.search(before):
                found.append(hangul.group())
    return [word for word in found if word]
