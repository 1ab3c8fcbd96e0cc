"""Korean names written in Hangul and Japanese names written in kanji, against the same names
registered in Latin letters (policy/korean.py, policy/japanese.py). Table-driven; no model is
loaded. The names are made up."""

from __future__ import annotations

import pytest

from policy import japanese, korean
from policy.names import NameIndex
from policy.registry import Person

PEOPLE = [
    Person(1, "Choi Yoon-hee", ()),
    Person(2, "Ryu Min-seok", ()),
    Person(3, "Gwak Tae-hoon", ()),
    Person(4, "Hyun-woo Baek", ()),  # given name first, as Western registries write it
    Person(5, "Jeong Da-bin", ()),
    Person(6, "Rhee Sung-jae", ()),
    Person(7, "Pyo Ha Neul", ()),
    Person(8, "Lee Mi-ji", ()),  # reads as 이미지, "image"
    Person(9, "Mun Eun-ju", ()),  # its syllables turned round read 주문은, "the order (topic)"
    Person(10, "Jeon Yeo-jin", ()),  # 전여진; 전여친 is "ex-girlfriend", with ㅊ where j is ㅈ
]
INDEX = NameIndex.build(PEOPLE)


def found(prompt: str) -> set[str]:
    return {m.name for m in INDEX.find(prompt) if m.how == "korean" and not m.needs_person_context}


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("jeong", (("jOG",),)),  # 정: Revised Romanization
        ("jung", (("jOG",),)),  # 정 as families write it
        ("chung", (("cOG",), ("jOG",))),  # 정 in McCune-Reischauer, or 층: ch is ㅈ or ㅊ
        ("choi", (("cwE",), ("jwE",))),  # 최
        ("park", (("PAK",), ("pAK",))),  # 박 (or 팍): the r only lengthens the a
        ("kwak", (("KwAK",), ("kwAK",))),  # 곽 or 콱: k is ㄱ or ㅋ
        ("gwak", (("kwAK",),)),  # g is only ㄱ
        ("yoon", (("yON",),)),
        ("ahn", (("AN",),)),
        ("heungmin", (("hOG", "mIN"),)),  # a given name written as one word
        ("hana", (("hA", "nA"),)),  # not han-a: a consonant between vowels begins a syllable
        ("minki", (("mIN", "KI"), ("mIN", "kI"))),  # 민기 or 민키: an aspirated onset is an onset
        ("smith", ()),  # not Korean syllables
    ],
)
def test_latin_spellings_read_as_korean_syllables(word, syllables):
    assert korean.latin_syllables(word) == syllables


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("최윤희 씨가 공원에서 산책하는 그림 그려 줘", "Choi Yoon-hee"),  # honorific and particle
        ("유민석이랑 강아지가 노는 그림", "Ryu Min-seok"),  # 류 is written 유 in the South
        ("류민석이 축구하는 모습을 그려줘", "Ryu Min-seok"),  # ... and 류 in the North
        ("곽태훈의 초상화를 만들어 줘", "Gwak Tae-hoon"),
        ("백현우가 무대에서 노래하는 그림", "Hyun-woo Baek"),  # Hangul writes the family name first
        ("정다빈 님이 책을 읽는 일러스트", "Jeong Da-bin"),
        ("이성재 배우가 요리하는 그림", "Rhee Sung-jae"),
        ("표하늘을 그려 줘", "Pyo Ha Neul"),
        ("전여진 씨의 초상화", "Jeon Yeo-jin"),
        ("서류 위에 앉은 고양이와 표 하늘을 그려 줘", "Pyo Ha Neul"),  # family name written apart
    ],
)
def test_a_korean_name_is_found_in_hangul(prompt, name):
    assert name in found(prompt)


@pytest.mark.parametrize(
    "prompt",
    [
        "최윤아 씨가 공원에서 산책하는 그림 그려 줘",  # another given name
        "전 여친한테 보낼 생일 카드",  # an ex-girlfriend, not Jeon Yeo-jin
        "백현우유 한 잔과 쿠키",  # the name's syllables at the start of another word
        "정다빈집 그림",
        "음식 주문은 어디서 해?",  # Mun Eun-ju turned round
        "고양이가 창가에서 자는 그림",
    ],
)
def test_other_korean_words_are_not_those_names(prompt):
    assert found(prompt) == set()


def test_a_name_that_is_also_a_korean_word_needs_a_person():
    (match,) = [m for m in INDEX.find("이미지를 만들어 줘") if m.how == "korean"]
    assert match.name == "Lee Mi-ji" and match.needs_person_context


def test_short_or_non_korean_names_get_no_korean_reading():
    assert korean.name_readings("Ko Un") == set()  # two syllables: too often met by chance
    assert korean.name_readings("Taylor Swift") == set()
    assert korean.name_readings("Heung-min Son") == {("hOG", "mIN", "sON"), ("sON", "hOG", "mIN")}
    assert korean.name_readings("Son Heung-min") == {("sON", "hOG", "mIN")}


def test_removed_people_are_no_longer_found_in_hangul():
    index = NameIndex.build(PEOPLE)
    index.update([p for p in PEOPLE if p.id != 1])
    assert not [m for m in index.find("최윤희 씨가 웃는 그림") if m.how == "korean"]


JAPANESE = NameIndex.build(
    [
        Person(1, "Kentaro Fujisawa", ()),
        Person(2, "Ohno Tomoyuki", ()),  # family name first
        Person(3, "Haruka Shimizu", ()),
        Person(4, "Ryota Kobayashi", ()),
    ]
)


def found_in_kanji(prompt: str) -> set[str]:
    return {m.name for m in JAPANESE.find(prompt) if m.how == "kanji"}


@pytest.mark.parametrize(
    ("written", "spelled"),
    [
        ("Ohno", "ono"),  # an h that lengthens the vowel
        ("Ōno", "ono"),
        ("Oono", "ono"),
        ("Shimizu", "simizu"),  # Hepburn and Kunrei (Simizu) alike
        ("Simizu", "simizu"),
        ("Ryōta", "rota"),
        ("Shimbun", "sinbun"),
        ("Hattori", "hatori"),
    ],
)
def test_romaji_spellings_agree(written, spelled):
    assert japanese.spelling(written) == spelled


@pytest.mark.parametrize(
    ("prompt", "name"),
    [
        ("藤沢健太郎が公園で走っている絵を描いて", "Kentaro Fujisawa"),  # 沢 read "sawa", family name first
        ("大野智之さんのイラスト", "Ohno Tomoyuki"),
        ("清水遥の似顔絵を描いて", "Haruka Shimizu"),
        ("小林亮太選手がボールを蹴るイラスト", "Ryota Kobayashi"),  # a title written after the name
        ("小林 亮太の絵", "Ryota Kobayashi"),  # a space between the family and given names
    ],
)
def test_a_japanese_name_is_found_in_kanji(prompt, name):
    assert name in found_in_kanji(prompt)


@pytest.mark.parametrize(
    "prompt",
    [
        "藤沢市の海岸の絵を描いて",  # the family name alone, a city
        "小林亮太郎さんの絵",  # a longer given name
        "清水寺の紅葉を描いて",  # a temple that shares the family name
        "藤沢健太郎在公園跑步",  # no kana: Chinese, whose readings these are not
    ],
)
def test_other_kanji_are_not_those_names(prompt):
    assert found_in_kanji(prompt) == set()
