"""One turn of the conversation: check the message, ask the chat model, stream the answer back.

The assistant is shared by every session of the process; everything about a user is in the
`ChatSession` passed to each call.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import SystemMessage

from chat.input_checks import InputError, clean_message
from chat.session import ChatSession

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are Easel, a friendly assistant in a chat app that can also draw pictures. "
    "Answer clearly and briefly."
)
MODEL_FAILURE_REPLY = "Sorry, I could not finish that answer because the chat model failed. Please try again."


@dataclass
class TurnReply:
    """What the user sees so far in this turn; `final` is set on the last update."""

    text: str
    final: bool = False
    error: bool = False


class Assistant:
    def __init__(self, chat_model: BaseChatModel, *, max_message_chars: int = 4000, history_messages: int = 16):
        self.chat_model = chat_model
        self.max_message_chars = max_message_chars
        self.history_messages = history_messages

    def reply(self, session: ChatSession, raw_message: object) -> Iterator[TurnReply]:
        """Stream the answer to one message, growing `TurnReply.text` token by token.

        The session only records a turn once it is complete, so a failed or abandoned turn never
        leaves half an answer in the history the model sees next time.
        """
        try:
            text = clean_message(raw_message, self.max_message_chars)
        except InputError as problem:
            yield TurnReply(str(problem), final=True, error=True)
            return

        session.add_user(text)
        prompt = [SystemMessage(content=SYSTEM_PROMPT), *session.recent(self.history_messages)]
        answer = ""
        try:
            for chunk in self.chat_model.stream(prompt):
                answer += chunk.text
                yield TurnReply(answer)
        except Exception:
            log.exception("chat model failed")
            yield TurnReply(MODEL_FAILURE_REPLY, final=True, error=True)
            return
        answer = answer.strip() or "I don't have an answer to that. Could you put it another way?"
        session.add_assistant(answer)
        yield TurnReply(answer, final=True)
