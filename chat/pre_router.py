"""What the assistant decides around the chat model, in one place.

The chat model decides most turns. A few it need not decide (a fact of this deployment) or
decides slowly and sometimes wrongly (the embedded model on a 2-core CPU), so they are decided
here, before it is asked; and a few of its answers are put right after it has answered:

    before the model: `pre_route(message, session, studio)`, the first that matches
        someone wanting to die or hurting themself, not a picture request
                                "my friend says she wants to kill herself"
                                                      -> where to find help now, in their language
                                                         (chat/crisis_support.py)
        a capability question  "what can you do?"    -> the deployment's own answer
        a plain edit            "make it blue"        -> the edit tool (through the policy gate)
        a colour in another language, a picture shown
                                "빨갛게 해줘"          -> the edit tool, "make it red"
        a plain drawing         "draw a red apple"    -> the image tool (through the policy gate)
        a drawing in another language whose subject the image model knows by name there
                                "강아지 그려줘"        -> the image tool (through the policy gate)
        anything else                                 -> None: the chat model decides

    after the model: `after_model(message, session, studio, answer, ask_again)`
        an edit of a picture this conversation lacks, asked with a drawing word -> a new drawing
        an edit asked with a drawing word, no change and nothing of the shown picture
                                "dibuja un gato en la playa" after an apple -> a new drawing
        a drawing prompt the model cut short          -> the user's whole description
        a refusal in text, or printed tool syntax     -> a picture request goes to the image tool;
                                                         anything else is asked again (`ask_again`)
        a text answer to a drawing request in a language the model was not trained to route
                                                      -> the image tool
        a tool call for a message in such a language  -> the user's words as its prompt or
                                                         instruction; an edit they do not ask
                                                         for is a drawing or a text answer

A tool either way goes through the Studio and its policy gate: nothing here decides what may be
drawn, only which tool hears the request.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from langchain_core.messages import AIMessage

from chat.answer_guard import (
    ROUTING_LANGUAGES,
    asks_for_a_picture,
    capabilities_answer,
    drawing_language,
    is_capability_question,
    is_wrong_answer,
    plain_drawing_request,
    written_in_another_language,
)
from chat.crisis_support import needs_support, support_answer

if TYPE_CHECKING:
    from chat.pictures import Studio
    from chat.session import ChatSession

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    """A turn decided before the chat model: a fixed `answer`, or a `tool_call` to run."""

    name: str  # "capabilities", "plain edit" or "plain drawing"
    answer: str | None = None
    tool_call: AIMessage | None = None


def tool_call(name: str, args: dict, call_id: str) -> AIMessage:
    """A model answer that calls one tool, made without the model."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}])


def pre_route(message: str, session: ChatSession, studio: Studio | None, *, small_chat_model: bool) -> Route | None:
    """How this turn is answered without the chat model, or None when the model decides."""
    if needs_support(message, studio):
        return Route("support", answer=support_answer(message))
    if is_capability_question(message):  # a fact of this deployment, not the model's guess
        return Route("capabilities", answer=capabilities_answer(studio, "embedded" if small_chat_model else "other"))
    if studio is None:
        return None
    call = _plain_edit(message, session)
    if call is not None:
        return Route("plain edit", tool_call=call)
    call = _colour_edit_in_another_language(message, session)
    if call is not None:
        return Route("colour edit in another language", tool_call=call)
    call = _plain_drawing(message, session, studio)
    if call is not None:
        return Route("plain drawing", tool_call=call)
    call = _drawing_in_another_language(message, session, studio)
    if call is not None:
        return Route("drawing in another language", tool_call=call)
    return None


def _plain_edit(message: str, session: ChatSession) -> AIMessage | None:
    """An unmistakable edit of the shown picture ("make it blue", "add a hat", "mach es
    kleiner": every word read into an edit operation, no drawing verb, no question, no picture
    named) goes straight to the edit tool, through the same gate: the small chat model takes a
    second or more to decide it and sometimes draws it anew instead. Anything else is the chat
    model's to decide."""
    from chat.edit_instructions import parse_edit

    current = session.pictures.get(session.current_picture_id or "")
    if not parse_edit(message, current.prompt if current else "").complete:
        return None
    return tool_call("edit_image", {"image_id": current.id if current else "none", "instruction": message}, "call_edit")


# A message longer than this says more than "make it red": the chat model reads it.
_SHORT_EDIT_CHARS = 40


def _colour_edit_in_another_language(message: str, session: ChatSession) -> AIMessage | None:
    """ "빨갛게 해줘", "сделай синим", "把它变成蓝色": a short message in a language the edit reader
    does not read, naming a colour (CLDR's colour words, `models.concept_names.colour_in`) and no
    drawing word, while a picture is shown, recolours it: the edit tool gets "make it <colour>",
    made from the user's own colour word."""
    if session.pictures.get(session.current_picture_id or "") is None or len(message.strip()) > _SHORT_EDIT_CHARS:
        return None
    if drawing_language(message) is not None or not written_in_another_language(message):
        return None
    from models.concept_names import colour_in

    colour = colour_in(message)
    if colour is None:
        return None
    return tool_call(
        "edit_image", {"image_id": session.current_picture_id, "instruction": f"make it {colour}"}, "call_edit"
    )


def _plain_drawing(message: str, session: ChatSession, studio: Studio) -> AIMessage | None:
    """An unmistakable request for a drawing of something the image model knows by name
    ("draw a red apple", "can you paint the sun?") goes straight to the image tool, through the
    same gate: the chat model's decision took 1.4 s of a 2.9 s send -> picture on a 2-core CPU,
    and it can only agree. Anything more ("a conclusion", "it again", "me as a cat", other
    languages, a second sentence), and a second subject once there are pictures to edit ("a dog
    next to the cat"), is the chat model's to decide."""
    description = plain_drawing_request(message)
    if description is None:
        return None
    if not studio.knows_by_name(session, description, one_subject=bool(session.pictures)):
        return None
    return tool_call("generate_image", {"prompt": description}, "call_draw")


# A request longer than this says more than "draw X": the chat model reads it.
_SHORT_REQUEST_CHARS = 80


def _drawing_in_another_language(message: str, session: ChatSession, studio: Studio) -> AIMessage | None:
    """A short request in another language that asks for a picture (그려줘, narysuj, 画) of
    something the image model knows by its name in that language goes to the image tool with the
    whole message, as written, so that the policy gate reads what was asked. The chat model
    routes only English, French, Spanish, German, Italian and Portuguese; in the languages it
    reads, an English-like plain request is left to it as before. After a picture, a short
    request may be an edit ("고양이를 파랗게"), so only a conversation without pictures counts."""
    if session.pictures or len(message.strip()) > _SHORT_REQUEST_CHARS:
        return None
    if not _asks_in_another_language_for_a_known_subject(message, session, studio):
        return None
    return tool_call("generate_image", {"prompt": message.strip()}, "call_draw")


def _asks_in_another_language_for_a_known_subject(message: str, session: ChatSession, studio: Studio) -> bool:
    """A drawing word of a language the chat model does not route, and a subject the image model
    knows by its name in some language."""
    language = drawing_language(message)
    if language is None or language in ROUTING_LANGUAGES:
        return False
    return studio.knows_by_name(session, message, any_language=True)


def after_model(
    message: str,
    session: ChatSession,
    studio: Studio | None,
    answer: AIMessage,
    ask_again: Callable[[str], AIMessage],
) -> AIMessage:
    """The chat model's answer, put right where it is known to go wrong (see the module's
    docstring); `ask_again(message)` is the model's second try at a wrong plain answer."""
    answer = _draw_when_nothing_to_edit(message, session, studio, answer)
    answer = _draw_when_a_drawing_is_asked(message, session, studio, answer)
    answer = _with_the_whole_description(message, answer)
    if answer.tool_calls and studio is not None and written_in_another_language(message):
        return _in_the_users_words(message, session, studio, answer, ask_again)
    if not answer.tool_calls and studio is not None and drawing_language(message) not in (None, *ROUTING_LANGUAGES):
        # The model was never taught this language's drawing requests (asked "画一只在海边的狗"
        # it wrote about the sea; asked for an opted-out person in Korean, about a robot game):
        # the image tool and its policy gate decide, and say why when nothing is drawn.
        log.info("a drawing request in a language the chat model does not route; sending it to the image tool")
        return tool_call("generate_image", {"prompt": message.strip()}, "call_draw")
    if not answer.tool_calls and is_wrong_answer(answer.content):
        # A request for a picture goes to the image tool, where the policy gate decides.
        if studio is not None and asks_for_a_picture(message):
            log.info("the chat model answered a picture request in text; sending it to the image tool")
            return tool_call("generate_image", {"prompt": message}, "call_draw")
        return ask_again(message)
    return answer


def _in_the_users_words(
    message: str, session: ChatSession, studio: Studio, answer: AIMessage, ask_again: Callable[[str], AIMessage]
) -> AIMessage:
    """A tool call for a message in a language the chat model does not route, with the user's
    words in place of the model's: there its arguments are its own invention (asked "画一个灯塔",
    a lighthouse, it drew "a metal pot with a glass of wine"; asked "Что едят ежи?" after an
    edit, it recoloured the picture again). A drawing gets the message as its prompt, so the
    policy gate and the image model read what was asked; an edit gets it as the instruction when
    the edit reader reads it, or "make it <colour>" when it names a colour; otherwise a request
    for a picture is drawn, and anything else, a drawing with neither a drawing word nor a subject
    the image model knows included, is answered in text (`ask_again`)."""
    from chat.edit_instructions import parse_edit

    call = answer.tool_calls[0]
    text = message.strip()
    if call["name"] == "generate_image":
        if drawing_language(text) is None and not studio.knows_by_name(session, text, any_language=True):
            # No drawing word and nothing the image model knows ("Что едят ежи?", what do
            # hedgehogs eat): a question the model took for a drawing; it is answered instead.
            return ask_again(text)
        return tool_call("generate_image", {**call["args"], "prompt": text}, call["id"])
    if call["name"] != "edit_image":
        return answer
    current = session.pictures.get(session.current_picture_id or "")
    if parse_edit(text, current.prompt if current else "").complete:
        return tool_call("edit_image", {**call["args"], "instruction": text}, call["id"])
    from models.concept_names import colour_in

    colour = colour_in(text)
    if colour is not None and drawing_language(text) is None:
        return tool_call("edit_image", {**call["args"], "instruction": f"make it {colour}"}, call["id"])
    log.info("an edit the message does not ask for, in a language the chat model does not route")
    if drawing_language(text) not in (None, *ROUTING_LANGUAGES):
        return tool_call("generate_image", {"prompt": text}, "call_draw")
    return ask_again(text)


def _draw_when_nothing_to_edit(message: str, session: ChatSession, studio: Studio | None, answer: AIMessage):
    """An edit of a picture this conversation does not have, asked for with a drawing word
    ("draw a man on a bike" after a refusal, which the small model can take for an edit), is a
    new drawing: the image tool and its policy gate get it, not a "no picture yet" answer."""
    from chat.edit_instructions import parse_edit

    call = answer.tool_calls[0] if answer.tool_calls else None
    if studio is None or call is None or call["name"] != "edit_image":
        return answer
    if str(call["args"].get("image_id", "")).strip() in session.pictures or not asks_for_a_picture(message):
        return answer
    if parse_edit(message, "").complete:
        return answer
    log.info("routing the message to generate_image (the model chose an edit with no picture)")
    return tool_call("generate_image", {"prompt": message}, "call_draw")


# Words that point at the picture already shown ("draw a hat on it", "put him on a horse").
_REFERS_TO_THE_PICTURE = frozenset({"it", "its", "him", "her", "them", "this", "that", "same", "again"})


def _draw_when_a_drawing_is_asked(message: str, session: ChatSession, studio: Studio | None, answer: AIMessage):
    """An edit the message does not ask for, when it asks for a new drawing: a drawing word, no
    change to make and nothing of the shown picture referred to ("dibuja un gato en la playa"
    after a picture of an apple, which the small model can take for an edit of it, and the edit
    tool then cannot make) is a new drawing. A drawing word with a change ("draw it again, but
    bigger"), or about the picture ("draw a hat on it", "draw a moustache on the cat"), stays an
    edit."""
    from chat.edit_instructions import parse_edit

    call = answer.tool_calls[0] if answer.tool_calls else None
    if studio is None or call is None or call["name"] != "edit_image":
        return answer
    current = session.pictures.get(str(call["args"].get("image_id", "")).strip() or session.current_picture_id or "")
    shown = current.prompt if current else ""
    plan = parse_edit(message, shown)
    if not plan.draws_anew or plan.ops or plan.undo:
        return answer
    words = set(re.findall(r"\w+", message.lower()))
    if words & _REFERS_TO_THE_PICTURE or {w for w in re.findall(r"\w+", shown.lower()) if len(w) > 2} & words:
        return answer
    log.info("routing the message to generate_image (the model chose an edit of a request for a new drawing)")
    return tool_call("generate_image", {"prompt": message}, "call_draw")


# A description goes on after the subject with one of these ("a horror scene with a zombie").
_DESCRIPTION_GOES_ON = re.compile(r"^(?:with|in|on|under|holding|wearing|next to|near|at|by|behind|inside)\b", re.I)


def _with_the_whole_description(message: str, answer: AIMessage):
    """A drawing prompt the model cut short ("a bloody horror scene" for "draw a bloody horror
    scene with a zombie") gets the rest of the user's description back, so the picture and the
    policy gate both see what was asked for. Only a short tail that goes on describing the same
    thing is added."""
    call = answer.tool_calls[0] if answer.tool_calls else None
    if call is None or call["name"] != "generate_image":
        return answer
    prompt = str(call["args"].get("prompt", "")).strip()
    at = message.lower().find(prompt.lower()) if prompt else -1
    if at < 0:
        return answer
    tail = message[at + len(prompt) :].strip().rstrip("?!. ")
    if not tail or len(tail.split()) > 8 or re.search(r"[.;!?]", tail) or not _DESCRIPTION_GOES_ON.match(tail):
        return answer
    args = {**call["args"], "prompt": f"{prompt} {tail}"}
    return AIMessage(content=answer.content, tool_calls=[{**call, "args": args}])
