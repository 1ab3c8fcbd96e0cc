"""One turn of the conversation: check the message, let the chat model answer or call a tool,
run the tool through the policy gate, and stream the answer back.

The assistant is shared by every session of the process; everything about a user is in the
`ChatSession` passed to each call. The agent loop is small on purpose:

    user message -> pre_route: a capability question, a plain edit or a plain drawing is
                    decided without the model (chat/pre_router.py, which lists every case)
                 -> model (tools bound) -> after_model: its known slips put right
                                        -> plain answer, streamed
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

from chat.answer_guard import HOLD_BACK_CHARS, I_DONT_KNOW, is_wrong_answer, written_in_another_language
from chat.input_checks import InputError, clean_message
from chat.pictures import PictureOutcome, Studio
from chat.pre_router import after_model, pre_route, tool_call
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
        answer = tool_call("generate_image", {"prompt": prompt}, "call_click")
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
        route = pre_route(message, session, self.studio, small_chat_model=self.small_chat_model)
        if route is not None and route.answer is not None:
            session.add_assistant(route.answer)
            yield TurnReply(route.answer, final=True)
            return
        if route is not None:
            yield from self._run_tool(session, model_messages(session, self.history_messages), route.tool_call, turn)
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
            answer = after_model(message, session, self.studio, answer, self._ask_again)
            if answer.tool_calls:
                yield from self._run_tool(session, messages, answer, turn)
                return
            final = answer.content.strip() or "I don't have an answer to that. Could you put it another way?"
            session.add_assistant(final)
            yield TurnReply(final, final=True)
            return
        session.add_assistant(CONFUSED_REPLY)
        yield TurnReply(CONFUSED_REPLY, final=True, error=True)

    def _ask_again(self, message: str) -> AIMessage:
        """The model refused in text or printed tool syntax, and no picture was asked for: it is
        asked again with only this message and no tools (nothing earlier to copy), and "I'm not
        sure" is the answer when it is still wrong."""
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


_NAMES_ITS_SUBJECT = re.compile(r"^(?:a|an|the|some|my|your|our|this|that|one|two|three|\d+)\b", re.I)


def here_is(prompt: str, concept: str | None = None) -> str:
    """The sentence under a new picture: "Here is a red apple." ("Here is your picture of
    sunflowers." when the description does not start like a noun phrase). When the embedded
    model drew its nearest concept rather than what was named, it says so: "Here is a golden
    retriever, drawn as 🐕 dog." (`concept` is the card's "🐕 dog" or "🐱 cat + 🚀 rocket")."""
    prompt = " ".join(str(prompt).split()).rstrip(".!?, ")
    if not prompt:
        return "Here is your picture."
    if written_in_another_language(prompt):
        # "Here is your picture of 고양이 그려줘" would quote the request, verb and all.
        return f"Here is your picture, drawn as {concept.split(' · ')[0]}." if concept else "Here is your picture."
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
