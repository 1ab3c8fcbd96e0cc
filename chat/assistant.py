"""One turn of the conversation: check the message, let the chat model answer or call a tool,
run the tool through the policy gate, and stream the answer back.

The assistant is shared by every session of the process; everything about a user is in the
`ChatSession` passed to each call. The agent loop is small on purpose:

    user message -> model (tools bound) -> plain answer, streamed
                                        -> tool call -> Studio (policy gate, image backend)
                                                     -> tool result -> model -> short answer
                                                        (the embedded model: the Studio's sentence)
A tool call the model garbles is sent back with the error, a bounded number of times; after
that the user gets a plain apology, never a stack trace.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from chat.answer_guard import (
    HOLD_BACK_CHARS,
    I_DONT_KNOW,
    asks_for_a_picture,
    capabilities_answer,
    is_capability_question,
    is_wrong_answer,
    plain_drawing_request,
)
from chat.input_checks import InputError, clean_message
from chat.pictures import PictureOutcome, Studio
from chat.session import ChatSession
from chat.tools import IMAGE_TOOLS, TOOLS_BY_NAME, TurnContext
from policy.storage import failure_kind
from policy.storage import user_message as storage_message

log = logging.getLogger(__name__)

# The built-in image model draws only emoji-style pictures of the subjects it was trained on
# (`easel concepts`); the prompt says so, so the chat model does not promise anything at all.
SYSTEM_PROMPT = (
    "You are Easel, a friendly assistant in a chat app that can also draw simple emoji-style pictures "
    "of everyday things. Answer clearly and briefly."
)
MODEL_FAILURE_REPLY = "Sorry, I could not finish that answer because the chat model failed. Please try again."
CONFUSED_REPLY = "Sorry, I got muddled working out what to do. Could you say it another way?"
MAX_TOOL_ATTEMPTS = 3
# What the model sees of a refused picture in later turns. The refusal itself (rule, reason,
# alternative) is shown to the person; in the model's history a small model would copy its
# wording into later answers and refuse on its own.
REFUSED_IN_HISTORY = "(Not drawn: the safety check refused that picture.)"
STOPPED_IN_HISTORY = "(Stopped before the answer was finished.)"


class TurnStopped(BaseException):
    """Raised in the drawing worker when the person pressed Stop: no picture is kept. A
    BaseException, so the image code's own error handling does not report it as a failure."""


def system_prompt(session_pictures: list[str], current: str | None) -> str:
    """The system prompt of a turn: who Easel is, and which pictures exist (so edits can name them)."""
    if not session_pictures:
        return f"{SYSTEM_PROMPT}\nNo pictures yet."
    shown = ", ".join(session_pictures[-6:])
    return f"{SYSTEM_PROMPT}\nPictures so far: {shown}. The latest is {current}."


def model_messages(session: ChatSession, history_messages: int) -> list[BaseMessage]:
    pictures = list(session.pictures)
    return [SystemMessage(system_prompt(pictures, session.current_picture_id)), *session.recent(history_messages)]


@dataclass
class TurnReply:
    """What the user sees so far in this turn; `final` is set on the last update."""

    text: str
    final: bool = False
    error: bool = False
    outcomes: list[PictureOutcome] = field(default_factory=list)
    status: str | None = None  # e.g. "Drawing… step 5/20"


class Assistant:
    def __init__(
        self,
        chat_model: BaseChatModel,
        studio: Studio | None = None,
        *,
        max_message_chars: int = 4000,
        history_messages: int = 12,
    ):
        self.chat_model = chat_model
        self.studio = studio
        self.tool_model = chat_model.bind_tools(IMAGE_TOOLS) if studio is not None else None
        self.max_message_chars = max_message_chars
        self.history_messages = history_messages
        self.small_chat_model = getattr(chat_model, "preset", None) in ("embedded", "embedded-base")

    def reply(self, session: ChatSession, raw_message: object) -> Iterator[TurnReply]:
        """Stream the answer to one message.

        The session records a turn only once it is complete, so a failed or abandoned turn never
        leaves half an answer in the history the model sees next time.
        """
        try:
            text = clean_message(raw_message, self.max_message_chars)
        except InputError as problem:
            yield TurnReply(str(problem), final=True, error=True)
            return

        session.add_user(text)
        yield from self._guarded(session, self._turn(session, session.start_turn()))

    def draw(self, session: ChatSession, prompt: object, *, judged_alone: bool = False) -> Iterator[TurnReply]:
        """A picture asked for with a click (a refusal's "Try instead", a suggested subject): it
        goes straight to the image tool and its policy gate; the chat model has nothing to decide.
        `judged_alone`: the prompt is a fixed text the page offered (no user words in it), which
        the gate judges without the earlier turns (the refused request is not its context)."""
        try:
            prompt = clean_message(prompt, self.max_message_chars)
        except InputError as problem:
            yield TurnReply(str(problem), final=True, error=True)
            return
        session.add_user(f"draw {prompt}")
        call = {"name": "generate_image", "args": {"prompt": prompt}, "id": "call_click", "type": "tool_call"}
        answer = AIMessage(content="", tool_calls=[call])
        messages = model_messages(session, self.history_messages)
        turn = session.start_turn()
        yield from self._guarded(session, self._run_tool(session, messages, answer, turn, judged_alone=judged_alone))

    def _guarded(self, session: ChatSession, turn: Iterator[TurnReply]) -> Iterator[TurnReply]:
        try:
            yield from turn
        except GeneratorExit:  # Stop pressed (or the tab closed): the turn ends where it was
            _record_stop(session)
            raise
        except Exception as error:  # the log gets its kind and where, never the turn's words
            log.exception("chat turn failed (%s)", failure_kind(error))
            yield TurnReply(MODEL_FAILURE_REPLY, final=True, error=True)

    def _turn(self, session: ChatSession, turn: int) -> Iterator[TurnReply]:
        message = session.user_turns()[-1]
        if is_capability_question(message):  # a fact of this deployment, not the model's guess
            final = capabilities_answer(self.studio, "embedded" if self.small_chat_model else "other")
            session.add_assistant(final)
            yield TurnReply(final, final=True)
            return
        plain_request = self._plain_edit(session) or self._plain_drawing(session)
        if plain_request is not None:
            yield from self._run_tool(session, model_messages(session, self.history_messages), plain_request, turn)
            return
        messages = model_messages(session, self.history_messages)
        model = self.tool_model or self.chat_model
        for _attempt in range(MAX_TOOL_ATTEMPTS):
            answer = None
            for chunk in model.stream(messages):
                answer = chunk if answer is None else answer + chunk
                if session.stopped(turn):
                    _record_stop(session)
                    yield TurnReply(answer.content, final=True)
                    return
                if len(answer.content) < HOLD_BACK_CHARS:
                    continue  # held back until it is clear what kind of answer it is
                if is_wrong_answer(answer.content):
                    break  # a refusal or tool syntax: replaced below, so stop generating it
                yield TurnReply(answer.content)
            if answer is None:
                break
            if answer.invalid_tool_calls:
                bad = answer.invalid_tool_calls[0]
                messages += [
                    AIMessage(content=bad.get("args") or ""),
                    HumanMessage(content=f"That tool call could not be read ({bad.get('error')}). Try again."),
                ]
                continue
            answer = self._draw_when_nothing_to_edit(session, message, answer)
            answer = _with_the_whole_description(message, answer)
            if not answer.tool_calls and is_wrong_answer(answer.content):
                answer = self._instead_of_wrong_answer(message, answer)
            if answer.tool_calls:
                yield from self._run_tool(session, messages, answer, turn)
                return
            final = answer.content.strip() or "I don't have an answer to that. Could you put it another way?"
            session.add_assistant(final)
            yield TurnReply(final, final=True)
            return
        session.add_assistant(CONFUSED_REPLY)
        yield TurnReply(CONFUSED_REPLY, final=True, error=True)

    def _plain_edit(self, session: ChatSession):
        """An unmistakable edit of the shown picture ("make it blue", "add a hat", "mach es
        kleiner": every word read into an edit operation, no drawing verb, no question, no
        picture named) goes straight to the edit tool, through the same gate: the small chat
        model takes a second or more to decide it and sometimes draws it anew instead. Anything
        else is the chat model's to decide."""
        from chat.edit_instructions import parse_edit

        if self.studio is None:
            return None
        message = session.user_turns()[-1] if session.user_turns() else ""
        current = session.pictures.get(session.current_picture_id or "")
        if not parse_edit(message, current.prompt if current else "").complete:
            return None
        args = {"image_id": current.id if current else "none", "instruction": message}
        return AIMessage(
            content="", tool_calls=[{"name": "edit_image", "args": args, "id": "call_edit", "type": "tool_call"}]
        )

    def _plain_drawing(self, session: ChatSession):
        """An unmistakable request for a drawing of something the image model knows by name
        ("draw a red apple", "can you paint the sun?") goes straight to the image tool, through
        the same gate: the chat model's decision took 1.4 s of a 2.9 s send -> picture on a 2-core
        CPU, and it can only agree. Anything more ("a conclusion", "it again", "me as a cat",
        other languages, a second sentence), and a second subject once there are pictures to
        edit ("a dog next to the cat"), is the chat model's to decide."""
        if self.studio is None or not session.user_turns():
            return None
        description = plain_drawing_request(session.user_turns()[-1])
        if description is None:
            return None
        if not self.studio.knows_by_name(session, description, one_subject=bool(session.pictures)):
            return None
        call = {"name": "generate_image", "args": {"prompt": description}, "id": "call_draw", "type": "tool_call"}
        return AIMessage(content="", tool_calls=[call])

    def _draw_when_nothing_to_edit(self, session: ChatSession, message: str, answer):
        """An edit of a picture this conversation does not have, asked for with a drawing word
        ("draw a man on a bike" after a refusal, which the small model can take for an edit), is
        a new drawing: the image tool and its policy gate get it, not a "no picture yet" answer."""
        from chat.edit_instructions import parse_edit

        call = answer.tool_calls[0] if answer.tool_calls else None
        if self.studio is None or call is None or call["name"] != "edit_image":
            return answer
        if str(call["args"].get("image_id", "")).strip() in session.pictures or not asks_for_a_picture(message):
            return answer
        if parse_edit(message, "").complete:
            return answer
        log.info("routing the message to generate_image (the model chose an edit with no picture)")
        call = {"name": "generate_image", "args": {"prompt": message}, "id": "call_draw", "type": "tool_call"}
        return AIMessage(content="", tool_calls=[call])

    def _instead_of_wrong_answer(self, message: str, answer):
        """The model refused in text or printed tool syntax. A request for a picture goes to the
        image tool, where the policy gate decides; anything else is asked again with only this
        message and no tools (nothing earlier to copy), and "I'm not sure" when still wrong."""
        if self.studio is not None and asks_for_a_picture(message):
            log.info("the chat model answered a picture request in text; sending it to the image tool")
            call = {"name": "generate_image", "args": {"prompt": message}, "id": "call_draw", "type": "tool_call"}
            return AIMessage(content="", tool_calls=[call])
        log.info("the chat model's answer looked like a refusal or tool syntax; asking again")
        retry = self.chat_model.invoke([SystemMessage(SYSTEM_PROMPT), HumanMessage(content=message)])
        text = retry.content if isinstance(retry.content, str) else ""
        return AIMessage(content=I_DONT_KNOW if not text.strip() or is_wrong_answer(text) else text)

    def _run_tool(
        self,
        session: ChatSession,
        messages: list[BaseMessage],
        answer,
        turn_number: int | None = None,
        judged_alone: bool = False,
    ) -> Iterator[TurnReply]:
        call = answer.tool_calls[0]  # one picture per turn keeps the chat readable
        updates: queue.Queue = queue.Queue()
        stopped = threading.Event()

        def progress(step: int, total: int) -> None:
            if stopped.is_set() or (
                turn_number is not None and session.stopped(turn_number)
            ):  # Stop: ends at the next step
                raise TurnStopped()
            updates.put((step, total))

        turn = TurnContext(session=session, studio=self.studio, progress=progress, judged_alone=judged_alone)
        done: dict = {}

        def work() -> None:
            try:
                done["result"] = TOOLS_BY_NAME[call["name"]].invoke({**call["args"], "turn": turn})
            except TurnStopped:
                log.info("drawing stopped by the person")
            except OSError as error:  # a disk that cannot take a picture: said in words, no path
                log.error("tool call failed: %s", failure_kind(error))
                done["result"] = turn.record(PictureOutcome(storage_message(error)))
            except Exception as problem:  # arguments that fail the tool's schema
                log.info("tool call rejected: %s", failure_kind(problem))  # the arguments hold the user's words
                done["result"] = turn.record(PictureOutcome(f"I couldn't use that request: {_why_rejected(problem)}."))
            finally:
                updates.put(None)

        # The picture is drawn in a worker so this generator can show step progress meanwhile.
        threading.Thread(target=work, name="easel-tool", daemon=True).start()
        try:
            yield TurnReply("", status="Checking the request…")
            while (update := updates.get()) is not None:
                yield TurnReply("", status=f"Drawing… step {update[0]}/{update[1]}")
        except GeneratorExit:
            stopped.set()
            raise
        if "result" not in done:  # stopped while drawing: no picture
            _record_stop(session)
            yield TurnReply("", final=True)
            return
        result = done["result"]
        outcome = turn.outcomes[-1]
        if outcome.picture is None:
            # Refusals and problems are shown in the policy's (or the backend's) own words: they
            # must name the rule precisely, which a paraphrase by a small model would not.
            session.add_assistant(REFUSED_IN_HISTORY if outcome.refused else outcome.text)
            yield TurnReply(outcome.text, final=True, outcomes=turn.outcomes, error=not outcome.refused)
            return
        yield TurnReply("", outcomes=turn.outcomes)
        # An exact edit says what changed better than a paraphrase would. Under a new drawing the
        # embedded chat model only ever says "Here's a cat." (what its adapter was taught), and
        # a second model call for that sentence cost 1.0-1.4 s of every send -> picture on a
        # 2-core CPU; so the Studio's sentence is the answer there, and larger models write theirs.
        picture = outcome.picture
        reply = outcome.reply or (
            with_left_out(here_is(picture.prompt, picture.concept), picture) if self.small_chat_model else None
        )
        if reply:
            session.add_assistant(reply, picture_id=outcome.picture.id)
            yield TurnReply(reply, final=True, outcomes=turn.outcomes)
            return
        messages = [
            *messages,
            AIMessage(content="", tool_calls=[call]),
            ToolMessage(content=result, tool_call_id=call["id"]),
        ]
        text = ""
        for chunk in self.chat_model.stream(messages):
            text += chunk.content
            if is_wrong_answer(text):  # "I can't draw that" under the picture it just drew
                text = ""
                break
            if len(text) >= HOLD_BACK_CHARS:
                yield TurnReply(text, outcomes=turn.outcomes)
        text = with_left_out(_first_sentences(text) or here_is(picture.prompt, picture.concept), picture)
        session.add_assistant(text, picture_id=outcome.picture.id)
        yield TurnReply(text, final=True, outcomes=turn.outcomes)


# A description goes on after the subject with one of these ("a horror scene with a zombie").
_DESCRIPTION_GOES_ON = re.compile(r"^(?:with|in|on|under|holding|wearing|next to|near|at|by|behind|inside)\b", re.I)


def _with_the_whole_description(message: str, answer):
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


_NAMES_ITS_SUBJECT = re.compile(r"^(?:a|an|the|some|my|your|our|this|that|one|two|three|\d+)\b", re.I)


def here_is(prompt: str, concept: str | None = None) -> str:
    """The sentence under a new picture: "Here is a red apple." ("Here is your picture of
    sunflowers." when the description does not start like a noun phrase). When the embedded
    model drew its nearest concept rather than what was named, it says so: "Here is a golden
    retriever, drawn as 🐕 dog." (`concept` is the card's "🐕 dog" or "🐱 cat + 🚀 rocket")."""
    prompt = " ".join(str(prompt).split()).rstrip(".!?, ")
    if not prompt:
        return "Here is your picture."
    sentence = f"Here is {prompt}" if _NAMES_ITS_SUBJECT.match(prompt) else f"Here is your picture of {prompt}"
    drew = (concept or "").split(" · ")[0]  # a scene's card also names its relations and setting
    named = [
        re.sub(r" \(\w[\w ]*\)$", "", label.split(" ", 1)[-1]).lower() for label in drew.split(" + ") if label.strip()
    ]
    if any(name not in prompt.lower() for name in named):
        sentence += f", drawn as {drew}"
    return f"{sentence}."


def with_left_out(answer: str, picture) -> str:
    """The answer under a picture, with the sentence saying what the picture leaves out of the
    request and why ("I didn't draw Adam Driver: ..."), so nothing is dropped silently."""
    left_out = getattr(picture, "left_out", None)
    if not left_out or left_out in answer:
        return answer
    if answer == here_is(picture.prompt, picture.concept) and picture.concept:
        # "Here is Adam Driver eating a pizza" would say the opposite of the next sentence.
        answer = f"Here is what I could draw: {picture.concept.split(' · ')[0]}."
    return f"{answer} {left_out}"


def _why_rejected(problem: Exception) -> str:
    """Which argument of a tool call was wrong and why ("seed: Input should be a valid integer"),
    without the values: they are the user's words."""
    try:
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in problem.errors()) or "no reason given"
    except Exception:  # not a validation error
        return "it could not be read"


def _record_stop(session: ChatSession) -> None:
    """A stopped turn still gets an assistant line, so the history keeps taking turns."""
    if session.messages and session.messages[-1].type == "human":
        session.add_assistant(STOPPED_IN_HISTORY)


def _first_sentences(text: str, limit: int = 200) -> str:
    text = text.strip().split("<tool_call>")[0].strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"
