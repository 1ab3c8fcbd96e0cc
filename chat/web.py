"""The functions behind the web page's events and the `chat` API endpoint.

They are generators, so Gradio streams every partial answer to the browser (or to gradio_client)
as the model writes it. Each call receives the caller's own `ChatSession` from `gr.State`.
"""

from __future__ import annotations

from collections.abc import Iterator

from chat.assistant import Assistant
from chat.session import ChatSession

# The chat bubble of a pasted novel would freeze the page; the model gets the checked text anyway.
_SHOWN_USER_CHARS = 2000


def _shown(text: object) -> str:
    text = text if isinstance(text, str) else repr(text)
    return text if len(text) <= _SHOWN_USER_CHARS else text[:_SHOWN_USER_CHARS] + f" … ({len(text):,} characters)"


class ChatHandlers:
    def __init__(self, assistant: Assistant):
        self.assistant = assistant

    def send(self, message: str, history: list[dict], session: ChatSession) -> Iterator[tuple]:
        """Browser turn: show the user's bubble at once, then the answer as it streams."""
        history = [*history, {"role": "user", "content": _shown(message)}]
        yield "", history, session
        for reply in self.assistant.reply(session, message):
            yield "", [*history, {"role": "assistant", "content": reply.text}], session

    def api_chat(self, message: str, session: ChatSession) -> Iterator[tuple[str, ChatSession]]:
        """Program turn: the reply text, streamed; history is kept per gradio_client session."""
        for reply in self.assistant.reply(session, message):
            yield reply.text, session
