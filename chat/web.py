"""The functions behind the web page's events and the `chat` API endpoint.

They are generators, so Gradio streams every partial answer (and every sampler step while a
picture renders) to the browser or to gradio_client. Each call receives the caller's own
`ChatSession` from `gr.State`; nothing here keeps per-user state.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from chat.assistant import Assistant, TurnReply
from chat.clients import TokenBuckets, client_key, session_key
from chat.pictures import PictureOutcome, Studio, UploadRefused, upload_description
from chat.session import ChatSession, PictureRecord
from chat.turns import FairTurns, TurnRefused

log = logging.getLogger(__name__)

# The chat bubble of a pasted novel would freeze the page; the model gets the checked text anyway.
_SHOWN_USER_CHARS = 2000
EMPTY_MESSAGE = {"text": "", "files": []}
# File names are never repeated: they are the client's words, and must not reach a prompt.
UNSUPPORTED_FILE = "I can only work with pictures (PNG, JPEG, WebP, GIF or BMP); the file you attached is not one."
TOO_MANY_FILES = "Please attach at most {limit} pictures to one message (this one had {count}); nothing was kept."
# Shown at once on send, until the first words of the answer (or the drawing's progress) arrive.
THINKING = {
    "role": "assistant",
    "content": "Reading your message…",
    "metadata": {"title": "Thinking…", "status": "pending"},
}
QUEUED = "Queued: answered after the current reply"
NOT_SENT = "Not sent: stopped"
NOT_SENT_BUSY = "Not sent"
CUT_SHORT = "(Cut short: the server is busy and other people are waiting for it.)"
# A refused program message is answered after this pause (see chat/gateway.py for why).
REFUSAL_PAUSE_SECONDS = 1.0
TOO_FAST = "You are sending messages faster than I can answer. Please wait {seconds} s, then send this again."
STOPPED = "⏹ Stopped."
# Guards every session's inbox, current turn and shown list; held only for a few list operations.
_PAGE_LOCK = threading.Lock()


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
    size = picture_size(picture)
    if size:
        parts.append(f"{size[0]}×{size[1]} px")
    parts.append(f"refined from {picture.parent_id}" if picture.parent_id else "new picture")
    if getattr(picture, "change", None):
        parts.append(picture.change)
    if getattr(picture, "concept", None):
        parts.append(f"drew: {picture.concept}")
    if getattr(picture, "left_out", None):
        parts.append(f"left out: {picture.left_out}")
    if getattr(picture, "credentials", None):  # an upload's Content Credentials, valid or not
        parts.append(picture.credentials)
    return " · ".join(parts) + f"\n\n_prompt:_ {picture.prompt}"


def picture_size(picture: PictureRecord) -> tuple[int, int] | None:
    """The picture's size in pixels as saved (what the page shows), or None when unreadable."""
    import PIL.Image

    try:
        with PIL.Image.open(picture.path) as image:
            return image.size
    except Exception:
        return None


def alt_text(picture: PictureRecord) -> str:
    """What a screen reader says for a picture: what it shows, from its prompt."""
    change = f" ({picture.change})" if getattr(picture, "change", None) else ""
    return f"Picture {picture.id}: {picture.prompt}{change}"


def picture_message(picture: PictureRecord) -> dict:
    """A picture in the conversation: its file, alt text and size; shown as a gr.Image by
    `to_chatbot` (Gradio's file messages drop their alt text on the way to the page)."""
    size = picture_size(picture)
    return {
        "role": "assistant",
        "picture": {"path": str(picture.path), "alt": alt_text(picture), "size": size[0] if size else None},
    }


def outcome_messages(outcome: PictureOutcome, offer: Callable[[object], str | None] | None = None) -> list[dict]:
    """Chat messages that show one tool outcome: a picture with its card, or a refusal.

    `offer(decision)` gives what a refusal's "Try instead" draws (chat/alternatives.py); without
    it the policy's alternative is offered as written."""
    if outcome.picture is not None:
        return [picture_message(outcome.picture), {"role": "assistant", "content": picture_card(outcome.picture)}]
    if outcome.refused:
        decision = outcome.decision
        # Plain markdown, not a titled "thought": Gradio folds those away once a turn's later
        # updates arrive, and the rule and the reason must be read without a click.
        message = {
            "role": "assistant",
            "content": f"🚫 **Not drawn** · rule: `{decision.category}`\n\n{decision.message}",
        }
        alternative = offer(decision) if offer is not None else decision.alternative
        if alternative and decision.alternative and alternative != decision.alternative:
            # The refusal's words offer the policy's alternative; the button must not quietly
            # offer something else.
            message["content"] += (
                f"\n\nThis image model can't draw “{decision.alternative}” as written; "
                f"the button below draws “{alternative}” instead."
            )
        if alternative:
            message["options"] = [{"value": alternative, "label": f"Try instead: {alternative}"}]
        return [message]
    if outcome.suggestions:  # a subject the model cannot draw: its closest ones, one click each
        return [
            {
                "role": "assistant",
                "content": outcome.text,
                "options": [{"value": f"draw {s}", "label": f"Draw {s}"} for s in outcome.suggestions],
            }
        ]
    return []


def reply_messages(reply: TurnReply, offer: Callable[[object], str | None] | None = None) -> list[dict]:
    """The assistant's side of a turn as chat messages, in the order a person reads them."""
    messages: list[dict] = []
    for outcome in reply.outcomes:
        messages += outcome_messages(outcome, offer)
    refused = any(o.refused or o.suggestions for o in reply.outcomes)
    if reply.text and not refused:  # a refusal's (or suggestion's) text is already in its own message
        messages.append({"role": "assistant", "content": reply.text})
    if reply.status and not reply.final:
        messages.append(
            {"role": "assistant", "content": reply.status, "metadata": {"title": "⏳ Working", "status": "pending"}}
        )
    if not messages and not reply.final:  # the first words are not there yet
        messages.append(THINKING)
    return messages


def to_chatbot(messages: list[dict]) -> list[dict]:
    """The page's messages as gr.Chatbot values: pictures become gr.Image components, which
    carry their alt text and display size to the page."""
    import gradio as gr

    shown = []
    for message in messages:
        picture = message.get("picture")
        if picture is None:
            shown.append(message)
            continue
        size = picture.get("size")
        image = gr.Image(
            value=picture["path"],
            alt_text=picture["alt"],
            label=picture["alt"],
            show_label=False,
            width=size,
            height=size,
            buttons=["download", "fullscreen"],
            container=False,
        )
        shown.append({"role": message.get("role", "assistant"), "content": image})
    return shown


def _marked(messages: list[dict], title: str) -> list[dict]:
    """Copies of a message's bubbles labelled with a state ("Queued ...", "Not sent ...")."""
    return [
        {**m, "metadata": {"title": title}} if "content" in m and isinstance(m["content"], str) else m for m in messages
    ]


class ChatHandlers:
    def __init__(
        self,
        assistant: Assistant,
        studio: Studio | None = None,
        max_files: int = 4,
        *,
        turns: FairTurns | None = None,
        messages_per_minute: float = 12,
        client_messages_per_minute: float = 300,
        run_on_gpu: Callable = lambda fn: fn,
    ):
        self.assistant = assistant
        self.studio = studio
        self.max_files = max_files
        self.turns = turns or FairTurns()
        # A session may send a burst of a few messages, then about one every 5 s; an address
        # (many people behind one NAT) far more. The fair turn order does the rest.
        self.session_rate = TokenBuckets(messages_per_minute / 60, burst=max(1.0, messages_per_minute / 2))
        self.client_rate = TokenBuckets(client_messages_per_minute / 60, burst=max(1.0, client_messages_per_minute / 2))
        # On a Space with ZeroGPU the model work must run inside @spaces.GPU.
        self._answer = run_on_gpu(self._answer)
        self.api_chat = run_on_gpu(self.api_chat)

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
        description = upload_description(text)
        try:
            picture = self.studio.add_upload(session, image, description, original=path)
        except UploadRefused as refusal:  # it shows nudity, or could not be checked
            return refusal.decision.message, None
        # In the history as a shown picture, like one Easel drew, so the model can refer to it.
        session.add_user("I'm uploading a picture.")
        session.add_assistant(f"Got your picture ({picture.id}).", picture_id=picture.id)
        return None, picture

    # -- the browser page ---------------------------------------------------------------------
    #
    # Everything the page asks for (a message, a click on an example or a "Try instead", a
    # regenerate or refine action) goes into the session's inbox at once, without waiting for
    # the queue: the person's bubble and a "Thinking…" line appear immediately, and a message
    # sent while an answer runs is shown as queued. One worker per session answers the inbox in
    # order and streams; Stop ends the answer in progress and drops what was queued.

    def accept(self, message, session: ChatSession, request=None) -> tuple:
        """The message box's submit: the message joins the inbox and shows at once."""
        import gradio as gr

        text, files = _split_message(message)
        shown = [
            {"role": "user", "picture": {"path": f, "alt": "A picture you attached", "size": None}}
            for f in _paths(files)
        ]
        if text or not shown:
            shown.append({"role": "user", "content": _shown(text)})
        self._enqueue(session, {"kind": "message", "text": text, "files": files, "shown": shown}, request)
        return gr.MultimodalTextbox(value=EMPTY_MESSAGE, stop_btn=True), self.page(session), session

    def accept_example(self, value, session: ChatSession, request=None) -> tuple:
        """A first-screen example, clicked (its gr.SelectData value): sent like a typed message."""
        value = value if isinstance(value, dict) else {"text": str(value)}
        return self.accept({"text": value.get("text") or "", "files": []}, session, request)

    def accept_option(self, value, session: ChatSession, request=None) -> tuple:
        """A one-click offer ("Try instead: ...", "Draw a dog"), clicked (its gr.SelectData
        value), is a request to draw exactly that: it goes straight to the image tool and its
        policy gate, not through the chat model."""
        import gradio as gr

        value = value.get("value") if isinstance(value, dict) else value
        offered = str(value or "").strip()
        prompt = offered[len("draw ") :] if offered.lower().startswith("draw ") else offered
        self._enqueue(
            session,
            {
                "kind": "draw",
                "prompt": prompt,
                "alone": offered in session.fixed_offers,
                "shown": [{"role": "user", "content": f"Draw {prompt}"}],
            },
            request,
        )
        return gr.MultimodalTextbox(stop_btn=True), self.page(session), session

    def accept_regenerate(self, picture_id: str | None, session: ChatSession, request=None) -> tuple:
        import gradio as gr

        shown = [{"role": "user", "content": f"Regenerate {picture_id} with a new seed"}] if picture_id else []
        self._enqueue(session, {"kind": "regenerate", "picture_id": picture_id, "shown": shown}, request)
        return gr.MultimodalTextbox(stop_btn=True), self.page(session), session

    def accept_refine(self, picture_id: str | None, session: ChatSession, request=None) -> tuple:
        import gradio as gr

        shown = [{"role": "user", "content": f"Refine from {picture_id}"}] if picture_id else []
        self._enqueue(session, {"kind": "refine", "picture_id": picture_id, "shown": shown}, request)
        return gr.MultimodalTextbox(stop_btn=True), self.page(session), session

    def _enqueue(self, session: ChatSession, item: dict, request=None) -> None:
        """Into the session's inbox, unless the session sends too fast or has too many waiting:
        then the message shows as not sent, with the reason in words."""
        with _PAGE_LOCK:
            queued = len(session.inbox) + (session.current is not None)
        refusal = self._refusal(request, session, queued)
        with _PAGE_LOCK:
            if refusal is None:
                session.inbox.append(item)
            else:
                session.shown += _marked(item["shown"], NOT_SENT_BUSY) + [{"role": "assistant", "content": refusal}]

    def _refusal(self, request, session: ChatSession, queued: int) -> str | None:
        """Why this session may not send one more message now (None: it may)."""
        client, key = client_key(request), session_key(request, session)
        try:
            self.turns.check_room(client, key, queued)
        except TurnRefused as refused:
            return str(refused)
        wait = max(self.session_rate.take(key), self.client_rate.take(client))
        if wait > 0:
            self.turns.note_flooding(client)
            return TOO_FAST.format(seconds=max(1, round(wait)))
        return None

    def page(self, session: ChatSession) -> list[dict]:
        """The conversation as the page shows it: what was said, the turn in progress, then what
        waits (the next item with "Thinking…" when nothing runs yet, the rest as queued)."""
        with _PAGE_LOCK:
            messages = list(session.shown)
            idle = session.current is None
            if not idle:
                messages += session.current["shown"] + session.current["reply"]
            for number, item in enumerate(session.inbox):
                if number == 0 and idle:
                    messages += item["shown"] + [THINKING]
                else:
                    messages += _marked(item["shown"], QUEUED)
        return to_chatbot(messages)

    def work(self, session: ChatSession) -> Iterator[tuple]:
        """The session's worker without a turn gate (tests, one user): answers the inbox in order,
        streaming every update. A second call while one runs returns at once (the running one
        takes the new item)."""
        import gradio as gr

        worker = self._start_worker(session)
        if worker is None:
            yield gr.skip(), session, gr.skip(), gr.skip()
            return
        try:
            while self._has_next(session, worker):
                yield from self._work_item(session, worker)
        finally:
            self._end_worker(session, worker)

    async def work_in_turn(self, session: ChatSession, request=None):
        """The page's worker: like `work`, but each inbox item waits for a fair turn of the whole
        server (chat/turns.py) without holding a thread, then runs in a worker thread."""
        import gradio as gr

        worker = self._start_worker(session)
        if worker is None:
            yield gr.skip(), session, gr.skip(), gr.skip()
            return
        try:
            while self._has_next(session, worker):
                async with self.turns.turn(client_key(request), session_key(request, session)) as ticket:
                    async for update in self._in_threads(self._work_item(session, worker), session, ticket, []):
                        yield update
        finally:
            self._end_worker(session, worker)

    def _start_worker(self, session: ChatSession) -> int | None:
        with _PAGE_LOCK:
            if session.worker is not None:
                return None
            worker = session.worker = id(object())
            return worker

    def _has_next(self, session: ChatSession, worker: int) -> bool:
        with _PAGE_LOCK:
            return session.worker == worker and bool(session.inbox)

    def _work_item(self, session: ChatSession, worker: int) -> Iterator[tuple]:
        """The next inbox item, answered: every update of the page while it streams."""
        with _PAGE_LOCK:
            if session.worker != worker or not session.inbox:
                return
            item = session.inbox.pop(0)
            session.current = {"shown": item["shown"], "reply": [THINKING]}
        yield self.page(session), session, *self.picture_controls(session)
        for messages in self._answer(session, item):
            with _PAGE_LOCK:
                if session.worker != worker:  # Stop was pressed
                    return
                session.current["reply"] = messages
            yield self.page(session), session, *self.picture_controls(session)
        with _PAGE_LOCK:
            if session.worker != worker:
                return
            session.shown += session.current["shown"] + [m for m in session.current["reply"] if m != THINKING]
            session.current = None
        yield self.page(session), session, *self.picture_controls(session)

    def _end_worker(self, session: ChatSession, worker: int) -> None:
        with _PAGE_LOCK:
            if session.worker == worker:
                session.worker = None
                if session.current is not None:  # closed mid-turn (the tab went away)
                    session.shown += session.current["shown"] + [{"role": "assistant", "content": STOPPED}]
                    session.current = None

    def stop(self, session: ChatSession) -> tuple:
        """Stop: the answer in progress ends where it is (a drawing at its next step), and what
        was queued is shown as not sent."""
        import gradio as gr

        from chat.assistant import STOPPED_IN_HISTORY

        with _PAGE_LOCK:
            session.stop_turns()
            if session.current is not None:
                partial = [
                    m for m in session.current["reply"] if m != THINKING and not (m.get("metadata") or {}).get("status")
                ]
                session.shown += session.current["shown"] + partial + [{"role": "assistant", "content": STOPPED}]
                session.current = None
            for item in session.inbox:
                session.shown += _marked(item["shown"], NOT_SENT)
            session.inbox.clear()
            session.worker = None
            if session.messages and session.messages[-1].type == "human":
                session.add_assistant(STOPPED_IN_HISTORY)
        return gr.MultimodalTextbox(stop_btn=False), self.page(session), session

    def idle(self, session: ChatSession) -> tuple:
        """After a worker call ends: the Stop button goes while nothing runs or waits, and the
        page is drawn once more from the session (a streamed update still on its way when Stop
        was pressed must not be the last word)."""
        import gradio as gr

        with _PAGE_LOCK:
            busy = session.worker is not None or bool(session.inbox)
        return gr.MultimodalTextbox(stop_btn=busy), self.page(session)

    def _answer(self, session: ChatSession, item: dict) -> Iterator[list[dict]]:
        """The assistant's messages for one inbox item, as they stream."""
        offer = self._offer(session)
        if item["kind"] == "message":
            replies = self.turn(session, item["text"], item["files"])
        elif item["kind"] == "draw":
            replies = self.assistant.draw(session, item["prompt"], judged_alone=item.get("alone", False))
        elif item["kind"] == "regenerate":
            yield self._regenerate(session, item["picture_id"], offer)
            return
        else:
            yield self._refine_from(session, item["picture_id"])
            return
        try:
            for reply in replies:
                yield reply_messages(reply, offer)
        finally:
            replies.close()

    def _offer(self, session: ChatSession) -> Callable[[object], str | None]:
        """What a refusal offers to draw instead. An offer with no user words in it (the policy's
        own alternative or a stand-in; an opt-out's alternative is the request itself with the
        name replaced) is remembered, so that clicking it is judged on its own words: the refused
        request is not its context. Whatever else a client sends as an option keeps the context."""
        from chat.alternatives import drawable_alternative

        def offer(decision) -> str | None:
            alternative = drawable_alternative(self.studio, session, decision)
            if alternative and decision.category != "optout_person":
                with _PAGE_LOCK:
                    if alternative not in session.fixed_offers:
                        session.fixed_offers.append(alternative)
            return alternative

        return offer

    def picture_controls(self, session: ChatSession) -> tuple:
        """The Pictures panel: every picture of this session as a thumbnail of the edit tree
        (each captioned with its parent), and the picture the panel's actions apply to."""
        import gradio as gr

        chosen = session.current_picture_id if session.current_picture_id in session.pictures else None
        rows = edit_tree(session)
        # The highlight follows the picture the actions apply to (it stayed on an old one).
        ids = [caption.split(":")[0].split(" ")[0] for _path, caption in rows]
        return gr.update(value=rows, selected_index=ids.index(chosen) if chosen in ids else None), chosen

    def _regenerate(self, session: ChatSession, picture_id: str | None, offer) -> list[dict]:
        if not picture_id or picture_id not in session.pictures:
            return [
                {
                    "role": "assistant",
                    "content": "Pick a picture in the Pictures panel first, or ask me to draw something.",
                }
            ]
        outcome = self.studio.regenerate(session, picture_id)
        session.add_user(f"(regenerate {picture_id} with a new seed)")
        if outcome.picture is not None:
            session.add_assistant(f"Here is {picture_id} again with a new seed.", picture_id=outcome.picture.id)
        else:
            session.add_assistant(outcome.text)
        return outcome_messages(outcome, offer) or [{"role": "assistant", "content": outcome.text}]

    def _refine_from(self, session: ChatSession, picture_id: str | None) -> list[dict]:
        """Branch the edit tree: the next change applies to this picture, not the latest one."""
        if not picture_id or picture_id not in session.pictures:
            return [{"role": "assistant", "content": "Pick a picture in the Pictures panel first."}]
        session.current_picture_id = picture_id
        session.add_user(f"(refine from {picture_id})")
        session.add_assistant(f"Refining from {picture_id} now.", picture_id=picture_id)
        return [{"role": "assistant", "content": f"Refining from {picture_id}: tell me what to change."}]

    def new_conversation(self, session: ChatSession) -> ChatSession:
        with _PAGE_LOCK:
            session.worker = None  # a running worker stops at its next update
            session.stop_turns()
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

    async def api_chat_in_turn(self, message, session: ChatSession, request=None):
        """The `chat` endpoint: `api_chat` in a fair turn of the whole server (see work_in_turn);
        a session that sends too fast or has too many calls waiting is told so at once."""
        import anyio

        client, key = client_key(request), session_key(request, session)
        refusal = self._refusal(request, session, 0)
        if refusal is not None:
            await anyio.sleep(REFUSAL_PAUSE_SECONDS)  # a flooding client waits; the server does no work
            yield refusal, [], session
            return
        try:
            async with self.turns.turn(client, key) as ticket:
                cut, last = [], ("", [], session)
                async for last in self._in_threads(self.api_chat(message, session), session, ticket, cut):
                    yield last
                if cut:
                    yield f"{last[0]} {CUT_SHORT}".strip(), last[1], session
        except TurnRefused as refused:
            yield str(refused), [], session

    async def _in_threads(self, updates: Iterator, session: ChatSession, ticket, cut: list):
        """Every update of a turn's generator, each computed in a worker thread. When the turn
        should give way to someone waiting (chat/turns.py), the session's turn is told to stop (it
        ends at its next step) and `cut` records it."""
        import anyio

        try:
            while (update := await anyio.to_thread.run_sync(next, updates, None)) is not None:
                if not cut and self.turns.should_give_way(ticket):
                    cut.append(True)
                    session.stop_turns()
                yield update
        finally:
            _close(updates, session)


def _close(updates: Iterator, session: ChatSession) -> None:
    """End a turn's generator when its caller went away (the tab closed, the client cancelled).
    If a worker thread is inside it right now it cannot be closed; it is told to stop instead and
    ends at its next step."""
    try:
        updates.close()
    except ValueError:  # "generator already executing"
        session.stop_turns()


def edit_tree(session: ChatSession) -> list[tuple[str, str]]:
    """The session's pictures in edit-tree order (each after its parent, depth first), as
    (file, caption) pairs for a gr.Gallery; the caption names the parent and the change."""
    children: dict[str | None, list[PictureRecord]] = {}
    for picture in session.pictures.values():
        parent = picture.parent_id if picture.parent_id in session.pictures else None
        children.setdefault(parent, []).append(picture)
    ordered: list[PictureRecord] = []

    def visit(parent: str | None) -> None:
        for picture in children.get(parent, []):
            ordered.append(picture)
            visit(picture.id)

    visit(None)
    rows = []
    for picture in ordered:
        link = f" ← {picture.parent_id}" if picture.parent_id else ""
        what = getattr(picture, "change", None) or picture.prompt
        rows.append((str(picture.path), f"{picture.id}{link}: {what}"[:80]))
    return rows


def _split_message(message) -> tuple[str, list]:
    if isinstance(message, dict):
        return str(message.get("text") or ""), list(message.get("files") or [])
    if message is None:
        return "", []
    return message if isinstance(message, str) else repr(message), []


def _paths(files: list) -> list[str]:
    return [f if isinstance(f, str) else f.get("path", "") if isinstance(f, dict) else str(f) for f in files]
