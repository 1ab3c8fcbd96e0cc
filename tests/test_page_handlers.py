"""The page's handlers without a browser: the inbox shows a message at once, answers it in order,
shows what waits as queued, and Stop ends the answer in progress; refusals offer something the
image model can draw; pictures carry alt text and size. (Stand-ins play the assistant and the
studio; tests/test_browser.py runs the same page in chromium with the real models.)"""

from __future__ import annotations

import threading
from pathlib import Path

from PIL import Image

from chat.alternatives import NO_ALTERNATIVE, STAND_INS, drawable_alternative
from chat.assistant import STOPPED_IN_HISTORY, TurnReply
from chat.session import ChatSession, PictureRecord
from chat.web import QUEUED, STOPPED, THINKING, ChatHandlers, alt_text, edit_tree, picture_card, to_chatbot


class SlowAssistant:
    """Answers word by word; waits on `gate` before each word so a test can act mid-answer."""

    def __init__(self):
        self.gate = threading.Semaphore(0)
        self.drawn = []

    def reply(self, session, text):
        session.add_user(text)
        turn = session.start_turn()
        words = ""
        for word in f"answer to {text}".split():
            self.gate.acquire()
            if session.stopped(turn):
                session.add_assistant(STOPPED_IN_HISTORY)
                return
            words += word + " "
            yield TurnReply(words.strip())
        session.add_assistant(words.strip())
        yield TurnReply(words.strip(), final=True)

    def draw(self, session, prompt, judged_alone=False):
        self.drawn.append((prompt, judged_alone))
        session.add_user(f"draw {prompt}")
        session.add_assistant("drawn")
        yield TurnReply("drawn", final=True)


def texts(page: list[dict]) -> list[str]:
    return [m["content"] for m in page if isinstance(m.get("content"), str)]


def test_a_message_shows_at_once_with_thinking_then_its_answer():
    assistant = SlowAssistant()
    handlers, session = ChatHandlers(assistant), ChatSession()
    _, page, _ = handlers.accept({"text": "hello", "files": []}, session)
    assert texts(page) == ["hello", THINKING["content"]]
    work = handlers.work(session)
    next(work)  # the worker takes the message
    for _ in range(3):
        assistant.gate.release()
    for _ in work:
        pass
    assert texts(handlers.page(session)) == ["hello", "answer to hello"]


def test_a_message_sent_during_an_answer_is_shown_as_queued_and_answered_next():
    assistant = SlowAssistant()
    handlers, session = ChatHandlers(assistant), ChatSession()
    handlers.accept({"text": "first", "files": []}, session)
    work = handlers.work(session)
    next(work)
    assistant.gate.release()
    next(work)  # "answer" streamed
    _, page, _ = handlers.accept({"text": "second", "files": []}, session)
    queued = [m for m in page if (m.get("metadata") or {}).get("title") == QUEUED]
    assert [m["content"] for m in queued] == ["second"]
    # A second worker call while one runs leaves the work to it.
    assert len(list(handlers.work(session))) == 1 and session.worker is not None
    for _ in range(10):
        assistant.gate.release()
    for _ in work:
        pass
    assert texts(handlers.page(session)) == ["first", "answer to first", "second", "answer to second"]


def test_stop_ends_the_answer_and_drops_what_was_queued():
    assistant = SlowAssistant()
    handlers, session = ChatHandlers(assistant), ChatSession()
    handlers.accept({"text": "tell me a long story", "files": []}, session)
    work = handlers.work(session)
    next(work)
    assistant.gate.release()
    next(work)
    handlers.accept({"text": "and another", "files": []}, session)
    box, page, _ = handlers.stop(session)
    assert texts(page)[:3] == ["tell me a long story", "answer", STOPPED]
    assert [m["metadata"]["title"] for m in page if m.get("metadata")] == ["Not sent: stopped"]
    assistant.gate.release()
    assert list(work) == []  # the worker notices and ends without another update
    assert session.messages[-1].content == STOPPED_IN_HISTORY and not session.inbox


def test_a_clicked_alternative_is_drawn_and_only_a_page_offer_is_judged_alone():
    assistant = SlowAssistant()
    handlers, session = ChatHandlers(assistant), ChatSession()
    session.fixed_offers.append("a friendly ghost")
    handlers.accept_option({"value": "a friendly ghost", "label": "Try instead: a friendly ghost"}, session)
    handlers.accept_option({"value": "a naked ghost", "label": "forged by a client"}, session)
    for _ in handlers.work(session):
        pass
    assert assistant.drawn == [("a friendly ghost", True), ("a naked ghost", False)]


class Decision:
    def __init__(self, category, alternative):
        self.allowed, self.category, self.alternative = False, category, alternative


class Resolution:
    def __init__(self, resolved):
        self.resolved = resolved


class EmojiModel:
    """Reads only prompts naming a subject it knows (like the embedded model's resolver)."""

    def resolve(self, prompt):
        return Resolution(any(word in prompt for word in ("ghost", "person", "shield", "dove", "teddy")))


class Studio:
    def __init__(self, generator):
        self.generator = generator

    def _generator(self, session):
        return self.generator


def test_an_alternative_the_image_model_cannot_read_becomes_a_stand_in_it_can_draw():
    studio, session = Studio(EmojiModel()), ChatSession()
    advice = Decision("graphic_gore", "a tense scene that implies danger without graphic injuries")
    assert drawable_alternative(studio, session, advice) == STAND_INS["graphic_gore"]
    assert (
        drawable_alternative(studio, session, Decision("optout_person", "a fictional person on a bike"))
        == "a fictional person on a bike"
    )
    assert drawable_alternative(studio, session, Decision("prompt_injection", "the same picture")) is None


def test_a_refusal_says_so_when_its_button_offers_a_stand_in_instead_of_its_alternative():
    from types import SimpleNamespace

    from chat.web import outcome_messages

    advice = Decision("graphic_gore", "a tense scene that implies danger without graphic injuries")
    advice.message = f"I can't make this image. I can make {advice.alternative} instead."
    refused = SimpleNamespace(picture=None, refused=True, decision=advice)
    [message] = outcome_messages(refused, lambda d: drawable_alternative(Studio(EmojiModel()), ChatSession(), d))
    stand_in = STAND_INS["graphic_gore"]
    assert message["options"] == [{"value": stand_in, "label": f"Try instead: {stand_in}"}]
    assert f"the button below draws “{stand_in}” instead" in message["content"]
    [as_written] = outcome_messages(refused, lambda d: d.alternative)
    assert "button below" not in as_written["content"]


def test_a_model_that_reads_any_description_gets_the_policys_alternative():
    class HubModel:
        def resolve(self, prompt):
            return None

    advice = Decision("graphic_gore", "a tense scene that implies danger without graphic injuries")
    assert drawable_alternative(Studio(HubModel()), ChatSession(), advice) == advice.alternative


def test_every_refusal_category_has_a_stand_in():
    import yaml

    categories = yaml.safe_load((Path(__file__).resolve().parents[1] / "policy" / "categories.yaml").read_text())[
        "categories"
    ]
    assert (set(categories) - NO_ALTERNATIVE) | {"optout_person"} <= set(STAND_INS)


def test_pictures_carry_alt_text_size_and_their_place_in_the_edit_tree(tmp_path):
    path = tmp_path / "p.png"
    Image.new("RGB", (512, 512), "red").save(path)
    first = PictureRecord("img-1", None, "a red apple", 7, "embedded", 20, None, "d", path, 0.1)
    second = PictureRecord(
        "img-2",
        "img-1",
        "a red apple, make it blue",
        7,
        "embedded",
        0,
        None,
        "d",
        path,
        0.1,
        change="recoloured to blue",
    )
    session = ChatSession()
    session.add_picture(first)
    session.add_picture(second)
    assert "512×512 px" in picture_card(first)
    [image] = to_chatbot([{"role": "assistant", "picture": {"path": str(path), "alt": alt_text(second), "size": 512}}])
    assert image["content"].alt_text == "Picture img-2: a red apple, make it blue (recoloured to blue)"
    assert image["content"].width == 512
    assert [caption for _, caption in edit_tree(session)] == ["img-1: a red apple", "img-2 ← img-1: recoloured to blue"]


def test_the_pictures_panel_highlights_the_newest_picture_not_an_old_one(tmp_path):
    path = tmp_path / "p.png"
    Image.new("RGB", (64, 64), "red").save(path)
    session = ChatSession()
    handlers = ChatHandlers(SlowAssistant())
    for k in (1, 2, 3):
        session.add_picture(PictureRecord(f"img-{k}", None, f"picture {k}", 1, "embedded", 10, None, "d", path, 0.1))
    tree, chosen = handlers.picture_controls(session)
    assert chosen == session.current_picture_id == "img-3" and tree["selected_index"] == 2


def test_an_upload_sent_with_an_instruction_is_described_once(tmp_path):
    from chat.pictures import _after

    upload = "an uploaded picture, sent with: make it blue"
    assert _after(upload, "make it blue") == upload
    assert _after("a red apple", "make it blue") == "a red apple, make it blue"


def test_the_card_lists_what_was_drawn_as_what_and_what_was_left_out(tmp_path):
    path = tmp_path / "p.png"
    Image.new("RGB", (256, 256), "white").save(path)
    picture = PictureRecord(
        "img-1",
        None,
        "Adam Driver eating a pizza at sunset",
        7,
        "embedded",
        10,
        None,
        "d",
        path,
        0.1,
        concept="🍕 pizza · setting: sunset",
        left_out="I didn't draw Adam Driver: this model draws emoji-style things, not particular people or characters.",
    )
    card = picture_card(picture)
    assert "drew: 🍕 pizza · setting: sunset" in card and "left out: I didn't draw Adam Driver" in card


def test_the_answer_under_a_picture_says_what_was_left_out(tmp_path):
    from chat.assistant import here_is, with_left_out

    picture = PictureRecord(
        "img-1", None, "Adam Driver eating a pizza", 7, "embedded", 10, None, "d", tmp_path, 0.1, concept="🍕 pizza"
    )
    assert with_left_out("Here is a pizza.", picture) == "Here is a pizza."
    picture.left_out = (
        "I didn't draw Adam Driver: this model draws emoji-style things, not particular people or characters."
    )
    answer = with_left_out(here_is(picture.prompt, picture.concept), picture)
    assert answer == f"Here is what I could draw: 🍕 pizza. {picture.left_out}"
    scene = "🚲 bicycle (red) + 🐕 dog · setting: sunset"
    assert here_is("a red bicycle next to a dog at sunset", scene) == "Here is a red bicycle next to a dog at sunset."
