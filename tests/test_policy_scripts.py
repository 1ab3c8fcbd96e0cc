"""Names in any script, inflected by their grammar, and aliases that cannot be matched safely.
Table-driven; no model is loaded, so these run in well under a second."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from policy.names import LOANWORD_MIN_CONSONANTS, NameIndex, alias_problem, inflected, loanword_skeleton, name_problem
from policy.normalize import fold_native, name_key
from policy.registry import Person

PEOPLE = [
    Person(1, "Владимир Путин", ()),
    Person(2, "Barack Obama", ("Обама", "أوباما")),
    Person(3, "习近平", ()),
    Person(4, "Γιώργος Παπαδόπουλος", ()),
    Person(5, "김정은", ()),
    Person(6, "בנימין נתניהו", ()),
    Person(7, "نجيب محفوظ", ()),
    Person(8, "Zara Quill", ("Зара Квилл", "ザラ・クイル")),
    Person(9, "नरेंद्र मोदी", ()),
    Person(10, "ทักษิณ ชินวัตร", ()),
    Person(11, "安倍晋三", ()),
    Person(12, "דוד", ()),  # a one-word Hebrew name whose Latin reading ("dvd") is not safe to look for
]
INDEX = NameIndex.build(PEOPLE)


def names_in(prompt: str) -> set[str]:
    return {match.name for match in INDEX.find(prompt) if not match.needs_person_context}


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Владимир Путин", "владимир путин"),  # its own script, not "b a m p yt h"
        ("Μαρία Γιώργος", "μαρια γιωργοσ"),  # accents and the final sigma folded
        ("أوباما", "اوباما"),  # the hamza seat folded
        ("דוד בן-גוריון", "דוד בן גוריון"),
        ("नरेंद्र मोदी", "नरेंद्र मोदी"),  # Devanagari vowel signs are letters: kept
        ("习近平", "习 近 平"),  # a script without spaces: a word per character
        ("トム・クルーズ", "ト ム ク ル ー ズ"),  # the voiced mark of ズ kept
        ("김정은", "김정은"),
        ("Тауlor Swift", "taylor swift"),  # look-alike letters inside a Latin word: Latin
        ("Z4r4 Quill", "zara quill"),  # Latin names keep today's keys
    ],
)
def test_names_keep_their_script_when_folded(written, key):
    assert name_key(written) == key


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
@example("᪐1日")  # a digit of another script inside a native run, then alone (found by hypothesis)
@example("ༀ𗀀")  # a letter without a Unicode name (Tangut) after Tibetan, then alone
@example("㏠𐽑")  # a number that is not a digit (Sogdian one) after Han
def test_fold_native_never_crashes_and_is_idempotent(text):
    folded = fold_native(text)
    assert fold_native(folded) == folded
    assert fold_native(fold_native(text, leet=True), leet=True) == fold_native(text, leet=True)


@pytest.mark.parametrize(
    ("prompt", "person"),
    [
        # Written in its own script, in a request in that script.
        ("нарисуй Владимира Путина на коне", "Владимир Путин"),
        ("портрет Путину в подарок", "Владимир Путин"),  # dative, the family name alone
        ("нарисуй Путиным", "Владимир Путин"),  # instrumental
        ("Putin riding a bear", "Владимир Путин"),  # its Latin reading, in a Latin request
        ("画一张习近平在海滩上的照片", "习近平"),  # inside a sentence without spaces
        ("安倍晋三が寿司を作っている絵", "安倍晋三"),
        ("ζωγράφισε τον Γιώργο Παπαδόπουλο", "Γιώργος Παπαδόπουλος"),  # accusative
        ("το σπίτι του Γιώργου Παπαδόπουλου", "Γιώργος Παπαδόπουλος"),  # genitive
        ("김정은이 해변에서 아이스크림을 먹는 그림", "김정은"),  # with a particle
        ("김정은의 초상화", "김정은"),
        ("צייר את נתניהו על אופניים", "בנימין נתניהו"),
        ("ציור לנתניהו", "בנימין נתניהו"),  # with a prefix letter
        ("ارسم نجيب محفوظ في مقهى", "نجيب محفوظ"),
        ("ارسم لأوباما صورة", "Barack Obama"),  # an alias with a prefix
        ("нарисуй Обамой и кота", "Barack Obama"),  # an alias, inflected
        ("Зару Квилл на маяке", "Zara Quill"),
        ("ザラ・クイルが海辺にいる", "Zara Quill"),
        ("नरेंद्र मोदी का चित्र बनाओ", "नरेंद्र मोदी"),
        ("วาดทักษิณ ชินวัตรกำลังขี่ช้าง", "ทักษิณ ชินวัตร"),
        ("ציור של דוד בחוף", "דוד"),
    ],
)
def test_a_name_in_any_script_is_found_in_its_script_and_grammar(prompt, person):
    assert person in names_in(prompt)


@pytest.mark.parametrize(
    "prompt",
    [
        "a a a a cat with a hat",  # what a Cyrillic alias folded to "a a a a" used to match
        "a cat on a sofa",
        "нарисуй кошку на диване",
        "画一只猫在海滩上",
        "a DVD player on a shelf",  # "דוד" reads "dvd": its Latin reading is not looked for
        "ציור של דודה בחוף",  # "דודה" (aunt) is not "דוד" with a prefix
        "Путевка на море",  # "путевка" is not "Путин"
        "김정 선생님",
    ],
)
def test_other_words_in_those_scripts_are_not_names(prompt):
    assert names_in(prompt) == set()


@pytest.mark.parametrize(
    ("written", "wanted", "expected"),
    [
        ("путина", "путин", True),
        ("путиным", "путин", True),
        ("путинизмом", "путин", False),  # an ending of more than three letters is another word
        ("обаме", "обама", True),
        ("анну", "анна", False),  # a stem shorter than four letters is not inflected
        ("γιωργου", "γιωργοσ", True),
        ("김정은이", "김정은", True),
        ("לנתניהו", "נתניהו", True),
        ("ולנתניהו", "נתניהו", True),
        ("putinu", "putin", True),  # the same rule on a romanized reading
        ("putin", "putin", False),  # the same word is not an inflection (it is exact)
    ],
)
def test_inflection_is_one_rule_for_every_name(written, wanted, expected):
    assert inflected(written, wanted) is expected


@pytest.mark.parametrize(
    ("alias", "why"),
    [
        ("ZQ", "too short"),
        ("Ив", "too short"),
        ("王", "too short"),
        ("a", "one-letter"),
        ("J. K.", "one-letter"),
        ("The Rock", "common word"),
        ("the boss", "common word"),
        ("Мама", "common word"),  # its Latin reading is an ordinary word
        ("Tom", "common word"),
        ("the", "common words only"),
        ("!!!", "no letters"),
        ("Владимир Путин", None),
        ("Путин", None),
        ("王菲", None),  # two characters are a whole name in Chinese
        ("The Lantern Queen", None),  # ordinary words together: the index wants them written as a name
        ("ZQ Star", None),
        ("J.Lo", None),
    ],
)
def test_aliases_that_cannot_be_matched_safely_are_refused_with_why(alias, why):
    problem = alias_problem(alias)
    if why is None:
        assert problem is None
    else:
        assert problem is not None and why in problem and repr(alias) in problem


def test_a_name_may_be_an_ordinary_word_but_must_have_letters():
    assert name_problem("Drake") is None
    assert name_problem("Мадонна") is None
    assert "no letters" in name_problem("...")
    assert "one-letter" in name_problem("A B")


def test_a_cyrillic_alias_no_longer_widens_to_every_request():
    index = NameIndex.build([Person(1, "Zara Quill", ("Авааа Ааа",))])
    assert index.find("a cat and a dog, a house, a tree") == []
    assert {m.name for m in index.find("нарисуй Авааа Ааа")} == {"Zara Quill"}


# Latin-script names read through other scripts: a reading is lossy for names and ordinary words
# alike, so a near miss there must be rarer than chance. Each ordinary request below was refused as
# an opted-out person before (found by running the corpus's requests in other scripts through a
# registry of 100 names: 1,226 matches, 65 after).
LATIN_PEOPLE = [
    Person(1, "Matteo Bianchi", ()),
    Person(2, "Victor Lane", ()),
    Person(3, "Sebastian Moreau", ()),
    Person(4, "Thandiwe Mokoena", ()),
    Person(5, "Nadia Bishop", ()),
    Person(6, "Aisling Brennan", ()),
    Person(7, "Cormac Donnelly", ()),
    Person(8, "Ivan Price", ()),
    Person(9, "Adam Driver", ()),
    Person(10, "Barack Obama", ()),
    Person(11, "Lena Faris", ()),
    Person(12, "Charlie Sheen", ()),
    Person(13, "Ed Sheeran", ()),
    Person(14, "Tom Hanks", ()),
    Person(15, "Johnny Depp", ()),
]
LATIN_INDEX = NameIndex.build(LATIN_PEOPLE)


@pytest.mark.parametrize(
    "prompt",
    [
        "孩子们在海边堆沙堡",  # "hai bian": a syllable window one edit from Bianchi
        "一个穿浴袍的男人在厨房看报纸",  # "ren nan": a consonant away from Brennan
        "बालरोगतज्ज्ञ डॉक्टर लहान मुलाला तपासत आहेत",  # "doktr lhan": a consonant skeleton near Victor Lane
        "초원의 말",  # a horse on a meadow: skeleton of a window of any words
        "आज सुबह मेरा कुत्ता मर गया",  # "mr", Hindi "died": three letters, one Metaphone code
        "मकान मालिक को एक विनम्र मैसेज लिखो",  # "mkan", a house: the Metaphone code of Mokoena
        "محارب وحيد بسيف عظيم",  # "whyd bsyf": Nadia Bishop's skeleton, another first consonant
        "парень в ванне с книгой",  # "в", a preposition, is not an initial
        "학교 상담센터용 안내 전단, 친근한 톤으로",  # "toneulo": Donnelly's Metaphone code
        "зроби небо темнішим",  # "oben iborz": Ivan Price two edits away
        "فرس أبيض في الحقل",  # a white horse: "frs" alone is one vowel from Faris, with no given name
        "고양이가 소파에서 자고 있다",  # particles taken off ordinary Korean words make no names
        "고양이 집이 있는 그림",  # a one-syllable word after another keeps its particle-less reading apart
        "아이스크림을 먹는 아이와 크리스마스 트리",  # loanwords read without their ㅡ: "aiskrim", "kriseumas"
        "诗人在河边写诗",  # "shi ren", a poet: two Han syllables a vowel from Sheeran
        "嵐の海から現れる触手の怪物",  # "kara xian": kana and Han read as one window, near Sheen
    ],
)
def test_ordinary_words_read_through_another_script_are_not_latin_names(prompt):
    assert LATIN_INDEX.find(prompt) == [], prompt


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("Маттео Бьянки на пляже", "Matteo Bianchi"),
        ("比安奇在海滩上", "Matteo Bianchi"),  # Han: the family name's syllables, exact by sound
        ("奥巴马在海滩上", "Barack Obama"),  # Han adjusts a vowel ("ao"): one vowel edit is the script
        ("ماتيو بيانكي على الشاطئ", "Matteo Bianchi"),  # Arabic: the skeleton, word by word
        ("マッテオ・ビアンキ", "Matteo Bianchi"),
        ("アダム・ドライバー", "Adam Driver"),  # katakana drops the final r: one consonant edit
        ("Себастьян Моро в парке", "Sebastian Moreau"),
        ("Βαρακκ Οβαμα στην παραλία", "Barack Obama"),  # Greek spelled letter for letter: β is b
        ("비앙키가 해변을 걷고 있다", "Matteo Bianchi"),  # a Korean particle after the name ("-ga")
        ("오바마는 해변에서 웃고 있다", "Barack Obama"),
        ("톰 행크스가 요리하는 그림", "Tom Hanks"),  # 크스 writes the bare consonants "ks"
        ("조니 뎁이 해변을 걷는 그림", "Johnny Depp"),  # a one-syllable family name with its particle
        ("لينا فاريس على الشاطئ", "Lena Faris"),  # a given name that starts like Lena: evidence for "frys"
        ("جارلي شين", "Charlie Sheen"),  # Arabic writes no p or ch: first consonants compared by class
    ],
)
def test_latin_names_written_in_other_scripts_are_still_found(prompt, name):
    assert {m.name for m in LATIN_INDEX.find(prompt)} == {name}, prompt


# Names borrowed into scripts that respell them by their own sounds (`loanword_skeleton`): katakana
# and Hangul add vowels and have one liquid, Chinese writes a syllable a character, Arabic has no
# p and writes few vowels, Hebrew writes o and u with vav. Made-up names, spelled as each script's
# speakers spell foreign names.
BORROWED = NameIndex.build(
    [
        Person(1, "Gregory Pemberton", ()),
        Person(2, "Oksana Lindberg", ()),
        Person(3, "Valentin Morozov", ()),
        Person(4, "Harriet Kowalczyk", ()),
    ]
)


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("グレゴリー・ペンバートンが公園で犬を散歩させている絵", "Gregory Pemberton"),  # particle after it
        ("グレゴリーペンバートンの肖像画", "Gregory Pemberton"),  # without the middle dot
        ("그레고리 펨버턴이 자전거를 타는 그림", "Gregory Pemberton"),  # the r after a vowel dropped
        ("画格雷戈里·彭伯顿在公园里", "Gregory Pemberton"),  # Han, a syllable a word
        ("ارسم غريغوري بمبرتون في المقهى", "Gregory Pemberton"),
        ("صورة لغريغوري بمبرتون على الشاطئ", "Gregory Pemberton"),  # "li-", of, joined to the name
        ("צייר את גרגורי פמברטון בפארק", "Gregory Pemberton"),  # vav as the vowel o
        ("오크사나 린드베리가 산책하는 사진", "Oksana Lindberg"),
        ("нарисуй оксану линдберг в парке", "Oksana Lindberg"),  # accusative
        ("ヴァレンティン・モロゾフがチェスをしている写真", "Valentin Morozov"),
    ],
)
def test_names_borrowed_into_other_scripts_are_found(prompt, name):
    assert name in {m.name for m in BORROWED.find(prompt)}, prompt


@pytest.mark.parametrize(
    "prompt",
    [
        "グレープフルーツのジュースとペンギンのイラスト",  # loanwords in katakana
        "モロッコのバザールでオレンジを売る人",
        "그레이프 주스와 펭귄 그림",
        "画一个格子图案的彭博社大楼",
        "ارسم غرفة جميلة مع بحر",
        "צייר גן ורדים ליד בית",
        "нарисуй морозное утро в лесу",
    ],
)
def test_loanwords_that_are_no_one_are_not_names(prompt):
    assert BORROWED.find(prompt) == [], prompt


BORROWED_MORE = NameIndex.build(
    [
        Person(1, "Vincent Chapman", ()),
        Person(2, "Liam Williamson", ()),
        Person(3, "Jordan Chambers", ()),
        Person(4, "Maximilian Castellanos", ()),
        Person(5, "Christopher Robinson", ()),
        Person(6, "Natasha Volkova", ()),
        Person(7, "Violet Parker", ()),
        Person(8, "Joaquin Salvatierra", ()),
        Person(9, "Mohammed Al Rashid", ()),
        Person(10, "Hannah Whitfield", ()),
        Person(11, "Tariq Haddad", ()),
        Person(12, "Priscilla Jaworski", ()),
    ]
)


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("画一张文森特·查普曼骑马的图", "Vincent Chapman"),  # 文 wen for Vin-
        ("生成利亚姆·威廉姆森骑自行车的照片", "Liam Williamson"),  # 廉 lian before 姆 mu: m
        ("画乔丹·钱伯斯在打篮球", "Jordan Chambers"),  # 乔 qiao for Jo-, 钱 qian for Cha-
        ("生成马克西米利安·卡斯特利亚诺斯在餐厅吃饭的图片", "Maximilian Castellanos"),  # 13 syllables
        ("マキシミリアン・カステラノスの絵", "Maximilian Castellanos"),  # x as k and s
        ("ขอรูปคริสโตเฟอร์ โรบินสัน ยืนอยู่ริมทะเล", "Christopher Robinson"),  # after "a picture of", no space
        ("วาดภาพนาตาชา วอลโควา กำลังเดินในสวน", "Natasha Volkova"),  # ว w for v
        ("바이올렛 파커가 공원에서 뛰는 그림", "Violet Parker"),  # a final ㅅ is a t
        ("호아킨 살바티에라가 말을 타는 그림", "Joaquin Salvatierra"),  # j said as h
        ("ο Μοχάμεντ Αλ Ρασίντ πίνει καφέ", "Mohammed Al Rashid"),  # χ for h, ντ for d
        ("φωτογραφία της Χάνα Γουίτφιλντ στην παραλία", "Hannah Whitfield"),  # γου for w
        ("ارسم طارق حداد وهو يصطاد", "Tariq Haddad"),  # alef as the vowel a, not a doubled d
        ("צייר את פריסילה יאבורסקי בגינה", "Priscilla Jaworski"),  # soft c; Polish j and w
        ("プリシラ・ヤウォルスキが庭で花を植えている絵", "Priscilla Jaworski"),
    ],
)
def test_names_are_read_as_each_script_borrows_them(prompt, name):
    assert name in {m.name for m in BORROWED_MORE.find(prompt)}, prompt


@pytest.mark.parametrize(
    "prompt",
    [
        "ขอรูปแมวนอนอยู่บนโซฟา กำลังฝันถึงปลา",  # a cat asleep on a sofa
        "วาดภาพตลาดน้ำตอนเช้า มีเรือขายผลไม้",  # a floating market in the morning
        "画一只猫在窗台上睡觉",
        "今天天气很好，我们带着孩子和小狗去公园散步",
        "画一张威尼斯运河上的贡多拉，傍晚的灯光",  # Venice: 威 wei
        "바이올렛 색 꽃과 파란 하늘",  # violet flowers
        "ντομάτες και αγγούρια σε ένα μπολ",
        "ارسم الدرج القديم في البيت",  # the article al- before "stairs"
    ],
)
def test_other_words_in_those_scripts_are_not_those_names(prompt):
    assert BORROWED_MORE.find(prompt) == [], prompt


def test_names_are_read_as_loanwords_only_as_far_as_chance_allows():
    """Sound classes are few: the more names registered, the more sentences meet one by chance,
    so the index reads only longer names this way as the registry grows (LOANWORD_CHANCE)."""
    from tests.test_policy_normalize import synthetic_people

    small = BORROWED.loanword_min_length
    large_index = NameIndex.build(synthetic_people(3000) + [Person(1, "Gregory Pemberton", ())])
    assert small == LOANWORD_MIN_CONSONANTS < large_index.loanword_min_length
    written = "グレゴリー・ペンバートンが公園で犬を散歩させている絵"
    long_enough = len(loanword_skeleton("gregorypemberton")) >= large_index.loanword_min_length
    assert ("Gregory Pemberton" in {m.name for m in large_index.find(written)}) is long_enough


@pytest.mark.parametrize(
    ("written", "skeleton"),
    [
        ("taylor", "tr"),
        ("teira", "tr"),  # katakana: one liquid, vowels added
        ("swift", "spt"),
        ("suuifuto", "spt"),
        ("seuwipeuteu", "spt"),  # Hangul: the vowel eu after bare consonants
        ("dwnld", "tnrt"),  # Arabic: w as a vowel, no p
        ("donald", "tnrt"),
        ("priscilla", "prsr"),  # a c before i is an s
        ("christopher", "krstpr"),  # ch before r is a k
    ],
)
def test_a_loanword_skeleton_keeps_the_consonants_every_script_keeps(written, skeleton):
    assert loanword_skeleton(written) == skeleton


BORROWED_BY_SOUND = NameIndex.build(
    [
        Person(1, "Orlando Mendez", ()),
        Person(2, "Zelda Brandt", ()),
        Person(3, "Ezra Zane", ()),
        Person(4, "Linda Monte", ()),
        Person(5, "Roger Fenwick", ()),
        Person(6, "Imogen Sandberg", ()),
        Person(7, "Richard Bachman", ()),
        Person(8, "Simon Palmer", ()),
        Person(9, "Karen Fisher", ()),
        Person(10, "Gordon Miles", ()),
    ]
    # beside a registry of 60 names, so that names are read as loanwords only as far as chance allows
    + [
        Person(100 + i, line.strip(), ())
        for i, line in enumerate((Path(__file__).parent / "data" / "registry_scripts_probe.txt").open(encoding="utf-8"))
        if line.strip()
    ]
)


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        # the nasal sign before a consonant not of the lips is an n (anyascii reads "m": "mmdela")
        ("ऑरलैंडो मेंडेज़ को घोड़े पर दिखाओ", "Orlando Mendez"),
        ("लिंडा मोंटे को बगीचे में दिखाओ", "Linda Monte"),
        ("ਲਿੰਡਾ ਮੋਂਟੇ ਦੀ ਤਸਵੀਰ ਬਣਾਓ", "Linda Monte"),  # Gurmukhi's tippi and bindi
        ("ज़ेल्डा ब्रांट का चित्र बनाओ", "Zelda Brandt"),  # and a nukta written as its own mark
        ("एज़्रा ज़ेन की एक तस्वीर बनाओ", "Ezra Zane"),
        ("রিচার্ড বাচম্যানের একটা ছবি আঁকো", "Richard Bachman"),  # চ is ch, not c
        # a soft g is said j, and scripts that borrow the name by sound write a j
        ("ロジャー・フェンウィックの絵", "Roger Fenwick"),
        ("로저 펜윅이 요리하는 그림", "Roger Fenwick"),
        ("罗杰·芬威克在做饭", "Roger Fenwick"),
        ("इमोजेन सैंडबर्ग का चित्र", "Imogen Sandberg"),
        ("イモージェン・サンドバーグの絵", "Imogen Sandberg"),
        # Han: a nasal before the lips is m inside a word ("wei lian mu si"), n at a word's end
        ("画西蒙·帕尔默在海边钓鱼", "Simon Palmer"),
        ("生成凯伦·菲舍尔在厨房做饭的图片", "Karen Fisher"),
        ("画戈登·迈尔斯骑自行车", "Gordon Miles"),
    ],
)
def test_names_are_read_by_how_they_sound_in_every_script(prompt, name):
    assert name in {m.name for m in BORROWED_BY_SOUND.find(prompt)}, prompt


@pytest.mark.parametrize(
    "prompt",
    [
        "मंदिर के पास एक सुंदर बगीचा बनाओ",  # a beautiful garden by a temple
        "चंदन की लकड़ी से बना एक खिलौना",  # a toy of sandalwood
        "ज़मीन पर बैठा एक बंदर",  # a monkey sitting on the ground
        "পাহাড়ের উপর চাঁদ আর মেঘ আঁকো",  # the moon and clouds over a hill
        "ジンジャーエールとオレンジの絵",  # ginger ale and an orange
        "画一张门把手和面包的图",  # a door handle and bread: "men ba"
    ],
)
def test_words_read_by_sound_are_not_those_names(prompt):
    assert BORROWED_BY_SOUND.find(prompt) == [], prompt


@pytest.mark.parametrize(
    ("probe", "found_at_least", "left_alone_at_least"),
    [
        # written apart from the code (2026-12-06) and read while the loanword readings were built
        ("registry_scripts_probe", 0.78, 0.91),
        # written apart afterwards (0.457 found and 0.960 left alone before the loanword readings);
        # only measured until its misses showed the Indic, soft-g and Han-nasal classes
        ("registry_scripts_heldout", 0.70, 0.95),
    ],
)
def test_registered_names_written_in_fifteen_scripts(probe, found_at_least, left_alone_at_least):
    """People registered by their Latin name, written by speakers of 14-15 languages in their own
    scripts, each in six or five of them; and controls naming others or no one."""
    data = Path(__file__).parent / "data"
    registry = [line.strip() for line in (data / f"{probe}.txt").read_text(encoding="utf-8").splitlines() if line]
    index = NameIndex.build([Person(i + 1, name, ()) for i, name in enumerate(registry)])
    right = {"refuse": [], "allow": []}
    for line in (data / f"{probe}.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        refused = any(not m.needs_person_context for m in index.find(case["prompt"]))
        right[case["expected"]].append(refused == (case["expected"] == "refuse"))
    assert sum(right["refuse"]) / len(right["refuse"]) >= found_at_least
    assert sum(right["allow"]) / len(right["allow"]) >= left_alone_at_least


@pytest.mark.parametrize(
    ("prompt", "found"),
    [
        ("Малия Обама на пляже", set()),  # "maliya" sounds like Malia, another given name
        ("Мишелл Обама", set()),  # "mishell", Michelle as it sounds
        ("Томаш Ковальчик на рыбалке", {"Tomasz Kowalczyk"}),  # his own given name, as it sounds
        ("Обама на пляже", {"Barack Obama"}),  # a distinctive family name alone
        # a particle of the other language before the name is no given name ("де", where; "на", on)
        ("Намалюй картинку, де Обама годує голубів", {"Barack Obama"}),
        ("Νά Ομπάμα στην παραλία", {"Barack Obama"}),
        # another given name in its grammar ("Илью", Ilya; "Олену", Olena) is someone else's
        ("Нарисуй Малию Обаму на пляже", set()),
        ("Нацртај Малију Обаму на плажи", set()),  # Serbian writes the y-sound with ј
        ("Намалюй Олену Ковальчик біля річки", set()),
        # ... only when written with a capital: a pronoun with an ending cut is some name too
        ("Нарисуй для меня Обаму на пляже", {"Barack Obama"}),
    ],
)
def test_a_given_name_through_another_script_is_someone_elses_when_it_sounds_like_one(prompt, found):
    index = NameIndex.build([Person(1, "Barack Obama", ()), Person(2, "Tomasz Kowalczyk", ())])
    assert {m.name for m in index.find(prompt) if not m.needs_person_context} == found


@pytest.mark.parametrize(
    ("prompt", "found"),
    [
        # Arabic writes the semivowel w with the vowel letter for o and u: "Abu" (أبو) does not
        # start like "Owen", nor "Abu Bakr" read as Owen Baker ...
        ("جدي أبو بكر يقرأ الجريدة في مقهى", set()),
        ("خريطة لخبر عن مقتل أبو بكر البغدادي", set()),
        # ... while Owen Baker written in Arabic is still his name, and a German w, said v, is
        # written with fa
        ("صورة أوين بيكر في الحديقة", {"Owen Baker"}),
        ("صورة ريتشارد فاغنر", {"Richard Wagner"}),
    ],
)
def test_a_w_starts_a_name_as_a_semivowel_through_a_script_without_vowels(prompt, found):
    index = NameIndex.build([Person(1, "Owen Baker", ()), Person(2, "Richard Wagner", ())])
    assert {m.name for m in index.find(prompt)} == found


@pytest.mark.parametrize(
    ("prompt", "found"),
    [
        # a particle after another given name is that person's family name: not Abel Cook's
        ("a news illustration of Eugene de Kock giving testimony", set()),
        ("Johann van der Cook at his desk", set()),
        # a particle alone is also a preposition: "a portrait of Cook", written in Spanish
        ("retrato de Cook en la playa", {"Abel Cook"}),
        ("un dibujo de Obama en la playa", {"Barack Obama"}),
        ("a portrait of Abel Cook", {"Abel Cook"}),
        # the registrant's own given name before the particles is the registrant in disguise
        ("Barack van der Obama on a beach", {"Barack Obama"}),
    ],
)
def test_a_family_name_with_a_particle_after_another_given_name_is_someone_elses(prompt, found):
    index = NameIndex.build([Person(1, "Abel Cook", ()), Person(2, "Barack Obama", ())])
    assert {m.name for m in index.find(prompt)} == found


ENGLISH_WORD_NAMES = NameIndex.build([Person(1, "Emmanuel Macron", ()), Person(2, "Taylor Swift", ())])


@pytest.mark.parametrize(
    "prompt",
    [
        "нарисуй Макрона на пляже",  # a capital inside a Cyrillic sentence, and a case ending
        "намалюй Макрона на пляжі",
        "нарисуй Свифт на пляже",
        "σχεδίασε τον Μακρόν στην παραλία",
    ],
)
def test_a_family_name_that_is_an_english_word_is_the_name_when_written_as_one_in_another_script(prompt):
    matches = ENGLISH_WORD_NAMES.find(prompt)
    assert matches, prompt
    assert all(match.needs_person_context for match in matches)  # the agent still asks whether a person is meant


@pytest.mark.parametrize(
    "prompt",
    [
        "Макрон на пляже",  # the first word's capital is grammar
        "нарисуй макрон над буквой",  # lowercase: the diacritic
        "нарисуй стрижа в небе",
    ],
)
def test_an_english_word_in_another_script_needs_a_capital_to_be_a_name(prompt):
    assert not ENGLISH_WORD_NAMES.find(prompt), prompt


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("narysuj Zełenskiego przemawiającego w Kijowie", "Volodymyr Zelensky"),  # -ski declined as an adjective
        ("nakresli Zelenského v uniformě", "Volodymyr Zelensky"),
        ("nakresli Angelu Merkelovou na kole", "Angela Merkel"),  # a foreign woman's name with -ová, declined
        ("nakresli Jacindu Ardernovou", "Jacinda Ardern"),
        ("fotka Módího na slonovi", "Narendra Modi"),
        ("malujte paní Merkelovou na kole", "Angela Merkel"),  # the family name alone, a four-letter ending
    ],
)
def test_west_slavic_case_endings_of_foreign_names(prompt, name):
    index = NameIndex.build(
        [
            Person(1, "Volodymyr Zelensky", ()),
            Person(2, "Angela Merkel", ()),
            Person(3, "Jacinda Ardern", ()),
            Person(4, "Narendra Modi", ()),
        ]
    )
    assert name in {match.name for match in index.find(prompt)}, prompt


TITLED_PEOPLE = NameIndex.build(
    [
        Person(1, "Angela Merkel", ()),
        Person(2, "Emmanuel Macron", ()),
        Person(3, "Volodymyr Zelensky", ()),
        Person(4, "Recep Tayyip Erdoğan", ()),
    ]
)


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("ارسم الرئيس الفرنسي ماكرون وهو يأكل", "Emmanuel Macron"),  # an adjective between title and name
        ("صورة للرئيس أردوغان في القصر", "Recep Tayyip Erdoğan"),  # "to the president", joined
        ("תמונה של הנשיא זלנסקי ליד הדגל", "Volodymyr Zelensky"),
        ("メルケル首相が自転車に乗っている絵", "Angela Merkel"),  # the title after the name
        ("画马克龙总统在海滩上", "Emmanuel Macron"),  # the verb written onto the name
        ("마크롱 대통령 그려줘", "Emmanuel Macron"),
    ],
)
def test_a_family_name_beside_a_title_in_another_script_is_the_name(prompt, name):
    assert name in {match.name for match in TITLED_PEOPLE.find(prompt)}, prompt


@pytest.mark.parametrize(
    "prompt",
    [
        "ارسم الرئيس الفرنسي وهو يأكل",  # the French president, no name
        "メルケル",  # no title: four consonant classes alone are too few
        "田中さんの似顔絵",  # さん stands beside everyone's name
    ],
)
def test_a_title_alone_or_a_short_name_alone_is_no_one(prompt):
    assert not [m for m in TITLED_PEOPLE.find(prompt) if m.how == "title"], prompt


@pytest.mark.parametrize(
    ("prompt", "found"),
    [
        ("faz uma foto do Lula da Silva", True),  # the registrant's own middle name before the particle
        ("Tayyip Erdoğan at a rally", True),  # the middle name someone goes by
        ("Marina Silva giving a speech", False),  # another given name, capitalised at the start
        ("Pedro da Silva on a boat", False),
    ],
)
def test_a_middle_name_is_the_registrants_own_and_another_given_name_someone_elses(prompt, found):
    index = NameIndex.build([Person(1, "Luiz Inácio Lula da Silva", ()), Person(2, "Recep Tayyip Erdoğan", ())])
    assert bool(index.find(prompt)) is found, prompt


@pytest.mark.parametrize(
    ("prompt", "found"),
    [
        ("President Xi waving from a car", True),  # a name registered family name first
        ("presidente Xi en Pekín", True),
        ("President Moon shaking hands at the border", True),
        ("Xi at a summit", False),  # without a title "Xi" or "Moon" is anyone or anything
        ("the moon over the sea", False),
        ("chairman of the moon society", False),
    ],
)
def test_a_chinese_or_korean_family_name_after_a_title(prompt, found):
    index = NameIndex.build([Person(1, "Xi Jinping", ()), Person(2, "Moon Jae-in", ())])
    assert bool(index.find(prompt)) is found, prompt


@pytest.mark.parametrize(
    ("prompt", "found"),
    [
        ("ein Bild von Merkel im Parlament", True),  # a German noun's capital before "von" is no given name
        ("una foto di Meloni al mare", True),  # with its capital, the name
        ("foto de messi en la playa", True),  # "messi" is an Italian word, not a Spanish one
    ],
)
def test_a_capitalised_noun_before_a_particle_is_no_given_name(prompt, found):
    index = NameIndex.build(
        [Person(1, "Angela Merkel", ()), Person(2, "Giorgia Meloni", ()), Person(3, "Lionel Messi", ())]
    )
    assert bool(index.find(prompt)) is found, prompt
