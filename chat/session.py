"""Per-user conversation state. One `ChatSession` lives in each browser tab's `gr.State` (and in
each gradio_client session); nothing about a user is ever kept in a module global."""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage


@dataclass
class ChatSession:
    messages: list[BaseMessage] = field(default_factory=list)

    def add_user(self, text: str) -> None:
        self.messages.append(HumanMessage(content=text))

    def add_assistant(self, text: str) -> None:
        self.messages.append(AIMessage(content=text))

    def recent(self, max_messages: int) -> list[BaseMessage]:
        """The tail of the conversation the model sees; older turns fall out of its window."""
        return self.messages[-max_messages:]
