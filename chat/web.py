"""The functions behind the web page's events and the `chat` API endpoint.

They are generators, so Gradio streams every partial answer (and every sampler step while a
picture renders) to the browser or to gradio_client. Each call receives the caller's own
`ChatSession` from `gr.State`; nothing here keeps per-user state.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from chat.assistant import Assistant, TurnReply
from chat.pictures import PictureOutcome, Studio
from chat.session import ChatSession, PictureRecord

log = logging.getLogger(__name__)

# The chat bubble of a pasted novel would freeze the page; the model gets the checked text anyway.
_SHOWN_USER_CHARS = 2000
EMPTY_MESSAGE = {"text": "", "files": []}
# File names are never repeated: they are the client's words, and must not reach a prompt.
UNSUPPORTED_FILE = "I can only work with pictures (PNG, JPEG, WebP, GIF or BMP); the file you attached is not one."
TOO_MANY_FILES = "Please attach at most {limit} pictures to one message (this one had {count}); nothing was kept."


def _shown(text: object) -> str:
    text = text if isinstance(text, str) else repr(text)
    return text if len(text) <= _SHOWN_USER_CHARS else text[:_SHOWN_USER_CHARS] + f" … ({len(text):,} characters)"


def picture_card(picture: PictureRecord) -> str:
    """The card under a picture: how it was made, so it can be reproduced or refined."""
    parts = [f"**{picture.id}**", f"seed {picture.seed}", picture.model]
    if picture.steps:
        parts.append(f"{picture.steps} steps")
    if picture.strength is not None:
        parts.append(f"strength {picture.strength:g}")
    parts.append(f"refined from {picture.parent_id}" if picture.parent_id else "new picture")
    if getattr(picture, "change", None):
        parts.append(picture.change)
    if getattr(picture, "concept", None):
        parts.append(f"drew: {picture.concept}")
    return " · ".join(parts) + f"\n\n_prompt:_ {picture.prompt}"


def outcome_messages(outcome: PictureOutcome) -> list[dict]:
    """Chat messages that show one tool outcome: a picture with its card, or a refusal."""
    if outcome.picture is not None:
        return [
            {"role": "assistant", "content": {"path": str(outcome.picture.path), "alt_text": outcome.picture.prompt}},
            {"role": "assistant", "content": picture_card(outcome.picture)},
        ]
    if outcome.refused:
        decision = outcome.decision
        # Plain markdown, not a titled "thought": Gradio folds those away once a turn's later
        # updates arrive, and the rule and the reason must be read without a click.
        message = {"role": "assistant", "content": f"🚫 **Not drawn** · rule: `{decision.category}`\n\n{decision.message}"}
        if decision.alternative:
            message["options"] = [{"value": decision.alternative, "label": f"Try instead: {decision.alternative}"}]
        return [message]
    if outcome.suggestions:  # a subject the model cannot draw: its closest ones, one click each
        return [{"role": "assistant", "content": outcome.text,
                 "options": [{"value": f"draw {s}", "label": f"Draw {s}"} for s in outcome.suggestions]}]
    return []


def reply_messages(reply: TurnReply) -> list[dict]:
    """The assistant's side of a turn as chat messages, in the order a person reads them."""
    messages: list[dict] = []
    for outcome in reply.outcomes:
        messages += outcome_messages(outcome)
    refused = any(o.refused or o.suggestions for o in reply.outcomes)
    if reply.text and not refused:  # a refusal's (or suggestion's) text is already in its own message
        messages.append({"role": "assistant", "content": reply.text})
    if reply.status and not reply.final:
        messages.append({"role": "assistant", "content": reply.status, "metadata": {"title": "⏳ Working", "status": "pending"}})
    return messages


class ChatHandlers:
    def __init__(self, assistant: Assistant, studio: Studio | None = None, max_files: int = 4):
        self.assistant = assistant
        self.studio = studio
        self.max_files = max_files

    # -- one turn -----------------------------------------------------------------------------

    def turn(self, session: ChatSession, text: str, files: list) -> Iterator[TurnReply]:
        """A turn with optional uploads: pictures become the current picture, then the text is
        answered (usually an edit of the upload). A bad file gets a clear reply and loses nothing."""
        uploaded = None
        if len(files or []) > self.max_files:
            yield TurnReply(TOO_MANY_FILES.format(limit=self.max_files, count=len(files)), final=True, error=True)
            return
        for file in files or []:
            problem, uploaded = self._take_upload(session, file, text)
            if problem:
                yield TurnReply(problem, final=True, error=True)
                return
        if uploaded is not None and not (text or "").strip():
            yield TurnReply(f"Got your picture ({uploaded.id}). What should I change?", final=True)
            return
        yield from self.assistant.reply(session, text)

    def _take_upload(self, session: ChatSession, file, text: str) -> tuple[str | None, PictureRecord | None]:
        from models.image_backend import ImageInputError, load_upload

        path = Path(file if isinstance(file, str) else (file.get("path") if isinstance(file, dict) else str(file)))
        if self.studio is None:
            return "Pictures can't be uploaded in this deployment.", None
        try:
            image = load_upload(path)
        except ImageInputError as problem:
            return f"I couldn't use the picture you attached: {problem}", None
        except Exception:
            log.exception("upload failed")
            return UNSUPPORTED_FILE, None
        description = "an uploaded picture" + (f", sent with: {text.strip()[:200]}" if text else "")
        picture = self.studio.add_upload(session, image, description)
        # In the history as a shown picture, like one Easel drew, so the model can refer to it.
        session.add_user("I'm uploading a picture.")
        session.add_assistant(f"Got your picture ({picture.id}).", picture_id=picture.id)
        return None, picture

    # -- the browser page ---------------------------------------------------------------------

    def send(self, message, history: list[dict], session: ChatSession) -> Iterator[tuple]:
        """Browser turn: show the user's bubble at once, then the answer as it streams.

        The message box is cleared once, when the turn starts, and left alone while the answer
        streams: what the person types meanwhile stays there, and the submit event (trigger mode
        "always_last") sends it as soon as this turn ends.
        """
        import gradio as gr

        text, files = _split_message(message)
        shown = [{"role": "user", "content": {"path": f}} for f in _paths(files)]
        if text:
            shown.append({"role": "user", "content": _shown(text)})
        history = [*history, *shown]
        yield EMPTY_MESSAGE, history, session, *self.picture_controls(session)
        for reply in self.turn(session, text, files):
            yield gr.skip(), [*history, *reply_messages(reply)], session, *self.picture_controls(session)

    def picture_controls(self, session: ChatSession) -> tuple:
        """Choices for the picture actions panel: every picture of this session, latest first."""
        import gradio as gr

        ids = list(reversed(session.pictures))
        chosen = session.current_picture_id if session.current_picture_id in session.pictures else (ids[0] if ids else None)
        path = str(session.pictures[chosen].path) if chosen else None
        return gr.update(choices=ids, value=chosen), gr.update(value=path, interactive=path is not None)

    def regenerate(self, picture_id: str | None, history: list[dict], session: ChatSession) -> Iterator[tuple]:
        if not picture_id or picture_id not in session.pictures:
            note = {"role": "assistant", "content": "There is no picture to regenerate yet. Ask me to draw something first."}
            yield [*history, note], session, *self.picture_controls(session)
            return
        history = [*history, {"role": "user", "content": f"(regenerate {picture_id} with a new seed)"}]
        outcome = self.studio.regenerate(session, picture_id)
        if outcome.picture is not None:
            session.add_assistant(f"Here is {picture_id} again with a new seed.", picture_id=outcome.picture.id)
        messages = outcome_messages(outcome) or [{"role": "assistant", "content": outcome.text}]
        yield [*history, *messages], session, *self.picture_controls(session)

    def refine_from(self, picture_id: str | None, history: list[dict], session: ChatSession) -> tuple:
        """Branch the edit tree: the next change applies to this picture, not the latest one."""
        if not picture_id or picture_id not in session.pictures:
            return history, session, "Pick a picture first."
        session.current_picture_id = picture_id
        session.add_assistant(f"Refining from {picture_id} now.", picture_id=picture_id)
        note = {"role": "assistant", "content": f"Refining from **{picture_id}**: tell me what to change."}
        return [*history, note], session, f"Next change applies to {picture_id}."

    def new_conversation(self, session: ChatSession) -> ChatSession:
        return ChatSession(user_age=session.user_age, preferences=session.preferences)

    # -- the `chat` endpoint for programs -----------------------------------------------------

    def api_chat(self, message, session: ChatSession) -> Iterator[tuple]:
        """Program turn: {"text", "files"} in; the reply text and this turn's pictures out."""
        text, files = _split_message(message)
        pictures: list[tuple[str, str]] = []
        for reply in self.turn(session, text, files):
            pictures = [(str(o.picture.path), picture_card(o.picture)) for o in reply.outcomes if o.picture is not None]
            refusals = [o.text for o in reply.outcomes if o.refused]
            yield (refusals[0] if refusals else reply.text or reply.status or ""), pictures, session


def _split_message(message) -> tuple[str, list]:
    if isinstance(message, dict):
        return str(message.get("text") or ""), list(message.get("files") or [])
    if message is None:
        return "", []
    return message if isinstance(message, str) else repr(message), []


def _paths(files: list) -> list[str]:
    return [f if isinstance(f, str) else f.get("path", "") if isinstance(f, dict) else str(f) for f in files]
