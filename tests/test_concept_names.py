"""The embedded model's subjects asked for in other languages (models/concept_names.py), and the
assistant sending such requests to the image tool (chat/pre_router.py). No model is loaded: the
names come from the shipped CLDR file, the language identifier is fastText's small one.

The requests below are the ones the reader was built against; `tests/data/
drawing_requests_multilingual*.jsonl` (written apart from the code) measure it
(`tests/benchmarks/bench_concept_names.py`)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage

from chat.answer_guard import asks_for_a_picture, drawing_language
from chat.session import ChatSession
from models.concept_names import (
    NAMES_FILE,
    MultilingualNames,
    colour_in,
    derive,
    derive_colours,
    drawing_words,
    identify_languages,
)
from models.concepts import ConceptIndex
from tests.test_edit_routing import AlwaysChooses, RecordingStudio, session_with_a_picture

REPO = Path(__file__).resolve().parents[1]
EMBEDDED = REPO / "models" / "embedded"


@pytest.fixture(scope="module")
def index() -> ConceptIndex:
    return ConceptIndex.from_folder(EMBEDDED)


@pytest.mark.parametrize(
    ("request_text", "concept"),
    [
        ("강아지 그려줘", "dog"),  # a keyword of the dog and of its face: the first
        ("고양이가 소파에서 자는 그림을 그려줘", "cat"),  # the subject, not the sofa
        ("画一只在海边的狗", "dog"),  # Han without kana is not Japanese (的 is a Japanese name)
        ("猫の絵を描いて", "cat"),  # a Chinese name in Japanese text
        ("нарисуй кошку на пляже", "cat"),  # accusative кошку of кошка
        ("намалюй собаку", "dog"),
        ("narysuj kota", "cat face"),  # Polish kot + a, not Indonesian kota (a city)
        ("एक बिल्ली का चित्र बनाओ", "cat"),  # letters with their vowel signs
        ("ஒரு பூனை வரை", "cat"),
        ("วาดรูปแมว", "cat"),  # Thai has no spaces
        ("vẽ một con chó", "dog"),  # chó is a bone's keyword too: the dog's own name wins
        ("rita ett äpple", "red apple"),  # "ett" (one) is a keyword of a clock: too short
        ("rajzolj egy almát", "red apple"),
        ("ارسم القطة", "cat"),  # the article written onto the word
        ("צייר לי כלב", "dog"),
        ("bir köpek resmi çiz", "dog"),
        ("desenează o pisică", "cat"),  # not the English alias "o" (⭕) with two words unread
        ("gumuhit ng aso", "dog"),
        ("dibuja un perro", "dog"),
        ("画一只可爱的小猫在草地上", "cat"),  # 小猫 holds the cat's short name: before 上 ("up", 👆)
    ],
)
def test_a_subject_named_in_another_language_is_drawn(index, request_text, concept):
    resolution = index.resolve(request_text)
    assert resolution.resolved and resolution.how == "translated", resolution
    assert resolution.concept.name == concept
    assert resolution.caption() == f"a {concept}"


@pytest.mark.parametrize("request_text", ["draw a lighthouse", "a conclusion", "the line", "a golden retriever"])
def test_english_is_never_read_as_another_language(index, request_text):
    assert index.other_languages().read(request_text) is None


@pytest.mark.parametrize(
    "message",
    [
        "지난 3개월 동안 무엇을 했어요?",  # 개 (dog) only with a particle: 개월 is "months"
        "Jaka jest stolica Polski?",
        "Wie spät ist es jetzt?",
        "ما هي عاصمة مصر؟",
        "今日は何をしましたか？",
    ],
)
def test_ordinary_messages_name_no_subject(index, message):
    assert index.other_languages().read(message) is None


def test_an_english_request_does_not_load_the_other_languages():
    fresh = ConceptIndex.from_folder(EMBEDDED)
    assert fresh.resolve("draw a cat wearing a hat").resolved  # "wearing" is left unread
    assert fresh._other_languages is None  # about a second saved on the first such request


def test_a_bare_name_in_han_is_chinese_not_the_identifiers_english_guess(index):
    # fastText scores "猫 狗" as English 0.12: text without a Latin letter is not English.
    assert index.resolve("猫").concept.name == "cat" and index.resolve("狗").concept.name == "dog"


def test_absurd_requests_are_read_in_linear_time(index):
    import time

    names = index.other_languages()
    for text in ("画" * 4000, "кошка " * 700, "\u200b" * 4000 + "猫", "猫\n狗\n" * 100):
        started = time.perf_counter()
        names.read(text)
        assert time.perf_counter() - started < 1.0, text[:20]


def test_the_language_of_a_drawing_word_is_certain_and_kana_means_japanese():
    assert {w.language for w in drawing_words("narysuj kota")} == {"pl"}
    assert identify_languages("narysuj kota", drawing_words("narysuj kota"))["pl"] == 1.0
    assert identify_languages("猫の絵", [])["ja"] == 1.0
    assert "ja" not in identify_languages("画一只狗", [])


def test_short_names_and_common_keywords_are_left_out_of_the_table(index):
    names = index.other_languages()
    assert "ett" not in names.spaced and "de" not in names.spaced  # a numeral, a preposition
    assert "好" not in names.unspaced  # a Han keyword of one character (thumbs up)
    assert "猫" in names.unspaced and "개" in names.spaced  # short names of one character/syllable


def test_the_shipped_file_says_where_it_comes_from_and_covers_the_widely_used_languages():
    with gzip.open(NAMES_FILE, "rt", encoding="utf-8") as f:
        payload = json.load(f)
    assert payload["source"].startswith("cldr-annotations-full")
    assert {"zh", "ja", "ko", "ru", "ar", "hi", "bn", "pl", "tr", "vi", "id", "sw", "th"} <= set(payload["names"])


def test_derive_keeps_short_names_and_specific_keywords(tmp_path):
    folder = tmp_path / "annotations" / "de"
    folder.mkdir(parents=True)
    table = {
        "🐕": {"tts": ["Hund"], "default": ["Tier", "Welpe"]},
        "🐈": {"tts": ["Katze"], "default": ["Tier"]},
        "🐄": {"tts": ["Kuh"], "default": ["Tier"]},
        "🐖": {"tts": ["Schwein"], "default": ["Tier"]},
    }
    (folder / "annotations.json").write_text(json.dumps({"annotations": {"annotations": table}}))
    derived = derive(tmp_path, {"🐕", "🐈", "🐄", "🐖"})
    assert derived == {}  # fewer emoji than a shipped language needs
    import models.concept_names as concept_names

    concept_names.MIN_COVERAGE, saved = 1, concept_names.MIN_COVERAGE
    try:
        derived = derive(tmp_path, {"🐕", "🐈", "🐄", "🐖"})
    finally:
        concept_names.MIN_COVERAGE = saved
    # "Tier" (animal) names four emoji: too general; the dog keeps its specific keyword.
    assert derived["de"]["🐕"] == ["hund", "welpe"]
    assert derived["de"]["🐈"] == ["katze"]
    names = MultilingualNames(derived, {"🐕", "🐈"})
    assert names.read("zeichne einen Welpen")[1] == "🐕"  # a suffix of two letters


@pytest.mark.parametrize(
    ("text", "colour"),
    [
        ("빨간 자전거 그려줘", "red"),
        ("빨갛게 해줘", "red"),  # the adjective's stem before an ending: 빨간 -> 빨갛게
        ("노랗게 바꿔줘", "yellow"),  # 노란색 without 색, then 노랗
        ("сделай синим", "blue"),  # instrumental of синий
        ("нарисуй зелёное яблоко", "green"),  # ё read as е
        ("把它变成蓝色", "blue"),
        ("赤くして", "red"),  # 赤い before a verb
        ("vẽ một chiếc xe màu đỏ", "red"),
        ("اجعلها زرقاء", "blue"),
        ("zrób to na zielono", "green"),
        ("白菜を食べる", None),  # 白 inside a word (a cabbage) is not white
        ("Что едят ежи?", None),
        ("make it blue", None),  # English is the English readers'
    ],
)
def test_colours_are_read_in_other_languages(text, colour):
    assert colour_in(text) == colour


def test_a_subject_in_another_language_takes_the_colour_asked_for(index):
    resolution = index.resolve("narysuj niebieskiego kota")  # niebieski also names 💙: not the subject
    assert resolution.concept.name == "cat face" and resolution.caption() == "a blue cat face"
    assert index.resolve("нарисуй зелёное яблоко").caption() == "a green red apple"  # the training captions' hue shift


def test_colour_words_come_from_what_colour_emoji_names_do_not_share(tmp_path):
    folder = tmp_path / "annotations" / "xx"
    folder.mkdir(parents=True)
    colours = ("rot", "orange", "gelb", "grün", "blau", "lila", "braun")
    circles = "🔴🟠🟡🟢🔵🟣🟤"
    table = {glyph: {"tts": [f"{word}er Kreis"]} for glyph, word in zip(circles, colours, strict=True)}
    table["⚫"], table["⚪"] = {"tts": ["schwarzer Kreis"]}, {"tts": ["weißer Kreis"]}
    (folder / "annotations.json").write_text(json.dumps({"annotations": {"annotations": table}}))
    derived = derive_colours(tmp_path)["xx"]
    assert derived["red"] == ["roter"] and derived["black"] == ["schwarzer"] and "kreis" not in str(derived)


# -- the assistant ------------------------------------------------------------------------------


class AnyLanguageStudio(RecordingStudio):
    """Knows its descriptions by name; `any_language` lets it know them in other languages."""

    def knows_by_name(self, session, description, *, one_subject=False, any_language=False):
        return description in self.knows and (any_language or description.isascii())


def run(answer: AIMessage, message: str, session: ChatSession | None = None, knows=()) -> list:
    from chat.assistant import Assistant

    studio = AnyLanguageStudio(knows)
    for _ in Assistant(AlwaysChooses(answer=answer), studio).reply(session or ChatSession(), message):
        pass
    return studio.calls


@pytest.mark.parametrize("message", ["강아지 그려줘", "画一只在海边的狗", "narysuj kota"])
def test_a_drawing_in_another_language_goes_to_the_image_tool_as_written(message):
    # The stand-in chat model would answer in text, as the small one did in Chinese.
    assert run(AIMessage(content="The sea is big."), message, knows=(message,)) == [("generate", message)]


def test_a_text_answer_to_a_drawing_request_in_another_language_is_not_kept():
    # "画一个灯塔" (a lighthouse): nothing the image model knows, but the image tool says so, and
    # a person on the opt-out registry asked for this way meets the gate's refusal, not a
    # text answer about something else.
    assert run(AIMessage(content="灯塔很美。"), "画一个灯塔") == [("generate", "画一个灯塔")]
    assert run(AIMessage(content="게임"), "톰 행크스 그려줘") == [("generate", "톰 행크스 그려줘")]


@pytest.mark.parametrize("message", ["dessine un chat", "zeichne einen Hund"])
def test_the_routing_languages_stay_the_chat_models_to_decide(message):
    assert run(AIMessage(content="Bien sûr !"), message, knows=(message,)) == []


def test_a_question_in_another_language_keeps_its_text_answer():
    assert run(AIMessage(content="Они едят мясо."), "Что едят кошки?") == []


def test_after_a_picture_the_chat_model_reads_the_request_first():
    # A short request may then be an edit of the shown picture, so the shortcut waits for the
    # model; only its text answer to a drawing request is replaced.
    message = "강아지 그려줘"
    drawn = run(AIMessage(content="좋아요"), message, session_with_a_picture(), knows=(message,))
    assert drawn == [("generate", message)]


def edits(instruction: str) -> AIMessage:
    call = {
        "name": "edit_image",
        "args": {"image_id": "img-1", "instruction": instruction},
        "id": "c",
        "type": "tool_call",
    }
    return AIMessage(content="", tool_calls=[call])


def test_in_another_language_a_drawing_gets_the_users_words_not_the_models():
    # Asked for a lighthouse in Chinese, the shipped model drew "a metal pot with a glass of wine".
    from tests.test_edit_routing import draws

    assert run(draws("a metal pot with a glass of wine"), "画一个灯塔") == [("generate", "画一个灯塔")]
    assert run(draws("a red apple"), "draw a red apple") == [("generate", "a red apple")]  # English: as before


def test_in_another_language_a_question_the_model_takes_for_a_drawing_is_answered():
    from tests.test_edit_routing import draws

    assert run(draws("hedgehog food"), "Что едят ежи?") == []  # no drawing word, no known subject
    assert run(draws("a dog"), "一只狗", knows=("一只狗",)) == [("generate", "一只狗")]  # a subject it knows


def test_in_another_language_an_edit_the_message_does_not_ask_for_is_not_made():
    # After an edit, the shipped model recoloured the picture again for a Russian question and
    # for a Korean drawing request.
    assert run(edits("make it blue"), "Что едят ежи?", session_with_a_picture()) == []
    assert run(edits("make it blue"), "Нарисуй ёжика", session_with_a_picture()) == [("generate", "Нарисуй ёжика")]
    assert run(edits("make it blue"), "make it blue", session_with_a_picture()) == [("edit", "img-1", "make it blue")]


@pytest.mark.parametrize(
    ("message", "colour"), [("빨갛게 해줘", "red"), ("сделай синим", "blue"), ("把它变成绿色", "green")]
)
def test_a_colour_in_another_language_recolours_the_shown_picture(message, colour):
    # The edit reader reads seven languages; a colour is read in 105 from CLDR's colour words.
    assert run(AIMessage(content="?"), message, session_with_a_picture()) == [("edit", "img-1", f"make it {colour}")]


def test_a_colour_without_a_picture_or_with_a_drawing_word_is_not_an_edit():
    assert run(AIMessage(content="?"), "빨갛게 해줘", ChatSession()) == []
    drawn = run(AIMessage(content="?"), "빨간 자전거 그려줘", session_with_a_picture(), knows=("빨간 자전거 그려줘",))
    assert drawn == [("generate", "빨간 자전거 그려줘")]


def test_an_edit_the_model_makes_up_in_another_language_takes_the_users_colour():
    # Longer than the shortcut reads, so the model chose; its instruction was its own invention.
    message = "지금 보이는 고양이를 조금 더 파랗게 바꿔 주실 수 있을까요? 정말 감사합니다, 부탁드립니다"
    assert len(message) > 40
    assert run(edits("make it purple"), message, session_with_a_picture()) == [("edit", "img-1", "make it blue")]


def test_drawing_words_in_other_languages_ask_for_a_picture():
    assert asks_for_a_picture("강아지 그려줘") and asks_for_a_picture("画一只狗")
    assert drawing_language("narysuj kota") == "pl"
    assert drawing_language("what is the capital of Peru?") is None
    assert not asks_for_a_picture("Что едят кошки?")
