"""Per-user conversation state. One `ChatSession` lives in each browser tab's `gr.State` (and in
each gradio_client session); nothing about a user is ever kept in a module global."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage


@dataclass
class PictureRecord:
    """One picture of the conversation and how it was made (its card in the UI)."""

    id: str  # "img-1", "img-2", ... within this session only
    parent_id: str | None
    prompt: str
    seed: int
    model: str
    steps: int
    strength: float | None
    decision_id: str
    path: Path
    seconds: float
    change: str | None = None  # what an edit changed, in words ("recoloured to blue")
    concept: str | None = None  # what the embedded model drew, as its concept resolver read the request ("🐕 dog")
    left_out: str | None = None  # what of the request the picture does not show, and why (one sentence)
    before_id: str | None = None  # the picture "go back" returns to from this one
    instruction: str | None = None  # an exact edit's words, and the picture they were applied to
    applied_to: str | None = None
    scene: object | None = field(default=None, repr=False, compare=False)  # its subjects and background, once split
    # A photo of a real person: an upload with a face in it (or one the photo checks could not
    # check), and every edit made from one. Its edits are judged as edits of a real person.
    shows_real_person: bool = False
    # An upload's Content Credentials in words (chat/credentials.py), and the file as it was sent
    # when it carries them: an edit of the upload keeps it, manifest and all, as its ingredient.
    credentials: str | None = None
    original: Path | None = None


@dataclass
class ImagePreferences:
    """Per-session picture settings from the page's settings panel."""

    model: str | None = None  # image model preset; None: the deployment's default
    steps: int | None = None
    seed: int | None = None  # a locked seed; None: a new seed for every picture
    size: int | None = None  # display size in pixels


@dataclass
class ChatSession:
    messages: list[BaseMessage] = field(default_factory=list)
    pictures: dict[str, PictureRecord] = field(default_factory=dict)
    current_picture_id: str | None = None
    user_age: int | None = None
    preferences: ImagePreferences = field(default_factory=ImagePreferences)
    # Set on first use rather than at creation: gr.State deep-copies one initial value for every
    # browser tab, and each copy must get its own id.
    _session_id: str | None = None
    # The web page's side (chat/web.py): the conversation as shown, the turn in progress, and what
    # was sent while it runs (answered in order, shown as queued meanwhile).
    shown: list[dict] = field(default_factory=list)
    current: dict | None = None
    inbox: list[dict] = field(default_factory=list)
    worker: int | None = None  # the page worker answering this session's inbox, if one is running
    # Turns are numbered as they start; Stop marks every turn started so far as stopped, so a
    # turn still finishing its last step never mistakes a later turn's start for a go-ahead.
    turns_started: int = 0
    turns_stopped: int = 0
    fixed_offers: list[str] = field(default_factory=list)  # stand-in alternatives offered (no user words)

    @property
    def session_id(self) -> str:
        if self._session_id is None:
            self._session_id = uuid.uuid4().hex
        return self._session_id

    def start_turn(self) -> int:
        self.turns_started += 1
        return self.turns_started

    def stop_turns(self) -> None:
        """Stop pressed: every turn started so far ends at its next step."""
        self.turns_stopped = self.turns_started

    def stopped(self, turn: int) -> bool:
        return turn <= self.turns_stopped

    def add_user(self, text: str) -> None:
        self.messages.append(HumanMessage(content=text))

    def add_assistant(self, text: str, picture_id: str | None = None) -> None:
        """An assistant turn; one that showed a picture carries its id, so the model can refer to it."""
        content = f"{text}\n[picture {picture_id}]" if picture_id else text
        self.messages.append(AIMessage(content=content))

    def add_picture(self, picture: PictureRecord) -> None:
        self.pictures[picture.id] = picture
        self.current_picture_id = picture.id

    def next_picture_id(self) -> str:
        return f"img-{len(self.pictures) + 1}"

    def user_turns(self) -> list[str]:
        return [m.content for m in self.messages if m.type == "human"]

    def recent(self, max_messages: int) -> list[BaseMessage]:
        """The tail of the conversation the model sees; older turns fall out of its window."""
        return self.messages[-max_messages:]
