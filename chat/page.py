"""The Gradio page: its layout, its events and the `chat` API endpoint; the work happens in the
rest of chat/.

It lives here, not in app.py, so that `easel serve` and a Hugging Face Space (app.py) build the
same page without any module importing upward into app.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from chat.assistant import Assistant
from chat.operator import LOCKED, OperatorHandlers
from chat.pictures import Studio
from chat.preferences import apply_preferences, image_model_options
from chat.session import ChatSession
from chat.settings import Settings
from chat.turns import FairTurns
from chat.web import ChatHandlers, edit_tree
from models import EMBEDDED_STEPS

try:  # On a Hugging Face Space with ZeroGPU, GPU work must run inside @spaces.GPU.
    import spaces

    gpu = spaces.GPU
except ImportError:  # everywhere else it is a no-op

    def gpu(fn):
        return fn


CSS = """
#conversation .message.bot img { image-rendering: auto; border-radius: 8px; }
/* A picture is shown at the size chosen in Settings (Gradio caps chat images at 300 px). */
#conversation .message.bot img { max-height: none !important; }
#conversation .bot.message:has(img) { max-width: 100% !important; }
/* WCAG AA: the theme's placeholder grey is 2:1 on white; these are 4.6:1 and more. */
#message textarea::placeholder, #message input::placeholder { color: #5f6672; opacity: 1; }
.dark #message textarea::placeholder, .dark #message input::placeholder { color: #b4bac4; }
/* The footer's links and the sliders' range labels are #bbbbc2 on white (1.9:1) in the theme. */
footer a, footer .show-api, footer .built-with, .min_value, .max_value { color: #5f6672 !important; }
.dark footer a, .dark footer .show-api, .dark footer .built-with, .dark .min_value, .dark .max_value { color: #b4bac4 !important; }
/* The line under the image model (which models cannot run here, and why): readable, 4.5:1 and more. */
.info-text { color: #5f6672 !important; }
.dark .info-text { color: #b4bac4 !important; }
/* Pictures never overflow the conversation column: a 512 px picture shrinks to fit it. */
#conversation .message.bot img { max-width: 100% !important; height: auto !important; object-fit: contain; }
#conversation .message.bot .image-container, #conversation .message.bot [data-testid="image"] { max-width: 100% !important; }
/* Keyboard: a skip link to the message box (first on the page, shown when focused), and a
   ring on the message box that is plain to see when it has the focus. */
#skip-to-message { position: absolute; left: -10000px; }
#skip-to-message:focus-within { position: static; }
#skip-to-message a { display: inline-block; padding: 6px 12px; background: #1e1b4b; color: #ffffff; border-radius: 6px; }
#skip-to-message a:focus { outline: 3px solid #f59e0b; outline-offset: 2px; }
#message:focus-within { outline: 3px solid #4338ca !important; outline-offset: 2px; border-radius: 10px; }
.dark #message:focus-within { outline-color: #a5b4fc !important; }
"""
# Accessibility fixes to Gradio's markup, applied whenever the page changes:
# - chat messages carry their raw markdown in aria-label ("bot's message: **img-1** ..."): each is
#   rewritten to the words a reader sees, and a picture's to its alt text;
# - the first screen's example list has a list role with buttons in it, and the empty
#   conversation an aria-label on a plain div: a group and a region instead;
# - gallery thumbnails are named "Thumbnail 1 of 3" instead of their visible caption.
HEAD = """
<script>
(() => {
  const ROLE = /^(user|bot)'s message: /;
  const words = (el) => {
    const text = (el.innerText || el.textContent || "").replace(/\\s+/g, " ").trim();
    if (text) return text;
    const img = el.querySelector("img[alt]:not([alt=''])");
    return img ? img.getAttribute("alt") : "a picture";
  };
  const set = (el, name, value) => { if (el.getAttribute(name) !== value) el.setAttribute(name, value); };
  let queued = false;
  const fix = () => {
    queued = false;
    document.querySelectorAll("[aria-label]").forEach((el) => {
      const role = (el.getAttribute("aria-label") || "").match(ROLE);
      if (role) set(el, "aria-label", (role[1] === "user" ? "You said: " : "Easel said: ") + words(el));
    });
    document.querySelectorAll("#conversation .examples[role]").forEach((el) => set(el, "role", "group"));
    document.querySelectorAll(".empty[aria-label]:not([role])").forEach((el) => set(el, "role", "region"));
    // The conversation is a landmark, so a screen reader can jump to it.
    const log = document.getElementById("conversation");
    if (log) { set(log, "role", "region"); set(log, "aria-label", "Conversation"); }
    document.querySelectorAll("#picture-tree .thumbnail-item").forEach((el) => {
      const caption = (el.innerText || "").replace(/\\s+/g, " ").trim();
      if (caption) set(el, "aria-label", caption);
    });
  };
  const later = () => { if (!queued) { queued = true; requestAnimationFrame(fix); } };
  // The skip link puts the focus in the message box itself (an anchor alone would only scroll).
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("#skip-to-message a");
    if (!link) return;
    event.preventDefault();
    const box = document.querySelector("#message textarea");
    if (box) box.focus();
  });
  window.easelAccessibilityFixes = fix;  // the browser test runs it before axe, not waiting for a frame
  new MutationObserver(later).observe(document.documentElement, { subtree: true, childList: true,
    characterData: true, attributes: true, attributeFilter: ["aria-label", "alt", "role"] });
})();
</script>
"""


def page_options() -> dict:
    """Keyword arguments for `demo.launch` that shape the page: its CSS and script, and a footer
    without Gradio's own "Settings" link (the page has one Settings panel)."""
    return {"css": CSS, "head": HEAD, "footer_links": ["api", "gradio"]}


def first_screen(settings: Settings) -> tuple[str, list[dict]]:
    """What an empty conversation shows: one line on what the models are, and examples they do well."""
    embedded = settings.image_model == "embedded" and settings.chat_model in ("embedded", "embedded-base")
    if embedded:
        note = (
            "**Small models on this server's CPU:** a 135M-parameter chat model (short answers that can be "
            "wrong) and an image model that draws simple emoji-style pictures of everyday things. On a GPU "
            "the same app runs real models (set `EASEL_CHAT_MODEL` and `EASEL_IMAGE_MODEL`)."
        )
    else:
        note = f"Chat model: **{settings.chat_model}**, image model: **{settings.image_model}**."
    note += "\n\nAsk a question or for a picture, then refine it: *make it blue*, *move it to the left*."
    texts = [
        "Draw a fox on a yellow background",
        "Draw a rocket",
        "Draw a cat and a rainbow",
        "What can you do?",
        "Why is the sky blue?",
    ]
    return note, [{"text": text} for text in texts]


@dataclass
class ChatTab:
    """The Chat tab's components that events read or write."""

    chatbot: gr.Chatbot
    message: gr.MultimodalTextbox
    tree: gr.Gallery
    picture_choice: gr.State
    chosen_note: gr.Markdown
    regenerate_button: gr.Button
    refine_button: gr.Button
    download_button: gr.DownloadButton
    preferences: list  # model, steps, seed lock, seed, size, under-18: apply_preferences' order
    settings_note: gr.Markdown
    new_chat: gr.Button


@dataclass
class OperatorTab:
    """The Operator tab's components that events read or write."""

    unlocked: gr.State
    password: gr.Textbox
    unlock_button: gr.Button
    operator_note: gr.Markdown
    panel: gr.Column
    database_note: gr.Markdown
    people: gr.Dataframe
    person_name: gr.Textbox
    person_aliases: gr.Textbox
    person_descriptions: gr.Textbox
    add_button: gr.Button
    remove_button: gr.Button
    remove_details_button: gr.Button
    registry_note: gr.Markdown
    audit: gr.Dataframe
    refresh_button: gr.Button
    verify_file: gr.File | None = None  # "Was this made here?" (chat/credentials.py)
    verify_button: gr.Button | None = None
    verify_note: gr.Markdown | None = None


def build_app(settings: Settings | None = None) -> gr.Blocks:
    """The whole page for one deployment; per-user state lives in each visitor's ChatSession."""
    settings = settings or Settings()
    studio = Studio.from_settings(settings)
    assistant = Assistant(settings.chat_model_instance(), studio, max_message_chars=settings.max_message_chars)
    handlers = ChatHandlers(
        assistant,
        studio,
        max_files=settings.max_files_per_message,
        turns=FairTurns(running_limit=settings.concurrency_limit, waiting_per_session=settings.max_waiting_messages),
        messages_per_minute=settings.messages_per_minute,
        run_on_gpu=gpu,
    )
    operator = OperatorHandlers.from_settings(settings)

    with gr.Blocks(title="Easel", delete_cache=settings.delete_cache()) as demo:
        session = gr.State(ChatSession(user_age=settings.user_age))
        gr.HTML('<a href="#message">Skip to the message box</a>', elem_id="skip-to-message", padding=False)
        gr.Markdown("# Easel\nA chat assistant that draws. Ask a question, ask for a picture, then refine it.")
        with gr.Tab("Chat"):
            chat = chat_tab(settings)
        with gr.Tab("Operator"):
            operator_tab = operator_layout()
        wire_chat(chat, session, handlers, settings)
        wire_operator(operator_tab, operator)
        api_endpoints(session, handlers, operator, operator_tab.unlocked)

    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    demo.easel_studio = studio  # for the server's background warm-up
    demo.easel_page = page_options()  # for demo.launch(...)
    return demo


def chat_tab(settings: Settings) -> ChatTab:
    """The conversation and message box, beside the Pictures panel (edit tree) and Settings."""
    note, examples = first_screen(settings)
    operator_minor = settings.user_age is not None and settings.user_age < 18
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Conversation",
                height=600,
                elem_id="conversation",
                placeholder=note,
                examples=examples,
                buttons=["copy"],
            )
            message = gr.MultimodalTextbox(
                placeholder="Message Easel… (Enter to send; attach a picture to change it)",
                show_label=False,
                file_types=["image"],
                sources=["upload"],
                elem_id="message",
                autofocus=True,
                stop_btn=False,
            )
        with gr.Column(scale=1, min_width=260):
            with gr.Accordion("Pictures", open=True, elem_id="pictures-panel"):
                picture_choice = gr.State(None)  # the picture the actions below apply to
                gr.Markdown(
                    "Every picture, each after the one it was refined from (← parent). Pick one "
                    "to refine, regenerate or download it.",
                    elem_id="picture-help",
                )
                tree = gr.Gallery(
                    label="Edit tree",
                    show_label=False,
                    columns=2,
                    height=260,
                    allow_preview=False,
                    object_fit="contain",
                    elem_id="picture-tree",
                    buttons=[],
                )
                chosen_note = gr.Markdown("No pictures yet.", elem_id="picture-chosen")
                regenerate_button = gr.Button("Regenerate with a new seed", size="sm", elem_id="regenerate")
                refine_button = gr.Button("Refine from here", size="sm", elem_id="refine-from")
                download_button = gr.DownloadButton(
                    "Download", value=None, interactive=False, size="sm", elem_id="download"
                )
            with gr.Accordion("Settings", open=False, elem_id="settings-panel"):
                model_options, model_info = image_model_options(settings)
                model_control = gr.Dropdown(
                    model_options,
                    value=settings.image_model,
                    label="Image model",
                    info=model_info,
                    elem_id="image-model",
                )
                # Right under the model, so a model that cannot be used is said where it was picked.
                settings_note = gr.Markdown(elem_id="settings-note")
                preferences = [
                    model_control,
                    gr.Slider(1, 50, value=settings.image_steps or EMBEDDED_STEPS, step=1, label="Steps"),
                    gr.Checkbox(label="Lock the seed"),
                    gr.Number(value=1234, precision=0, minimum=0, label="Seed"),
                    gr.Dropdown([128, 256, 512], value=256, label="Picture size (px)", elem_id="picture-size"),
                    gr.Checkbox(
                        label="Under-18 mode (stricter rules)",
                        value=operator_minor,
                        interactive=settings.allow_session_age and not operator_minor,
                        visible=settings.allow_session_age or operator_minor,
                    ),
                ]
            new_chat = gr.Button("New conversation", variant="secondary")
    return ChatTab(
        chatbot,
        message,
        tree,
        picture_choice,
        chosen_note,
        regenerate_button,
        refine_button,
        download_button,
        preferences,
        settings_note,
        new_chat,
    )


def operator_layout() -> OperatorTab:
    """Locked until the operator password is entered: the opt-out registry and the audit log."""
    unlocked = gr.State("")  # the server's grant id once this tab entered the password ("": locked)
    gr.Markdown(LOCKED)
    with gr.Row():
        password = gr.Textbox(type="password", label="Operator password", elem_id="operator-password")
        unlock_button = gr.Button("Unlock", elem_id="operator-unlock")
    operator_note = gr.Markdown(elem_id="operator-note")
    with gr.Column(visible=False) as panel:
        database_note = gr.Markdown(elem_id="operator-database")
        gr.Markdown("### Opt-out registry\nPeople on this list are never depicted, however their name is written.")
        people = gr.Dataframe(headers=["name", "aliases", "descriptions"], interactive=False, elem_id="optout-table")
        with gr.Row():
            person_name = gr.Textbox(label="Name", elem_id="optout-name")
            person_aliases = gr.Textbox(label="Aliases (comma-separated)", elem_id="optout-aliases")
            person_descriptions = gr.Textbox(
                label="Descriptions (one a line)",
                placeholder="the actor who played X in Y",
                lines=2,
                elem_id="optout-descriptions",
            )
        with gr.Row():
            add_button = gr.Button("Add to registry", elem_id="optout-add")
            remove_button = gr.Button("Remove from registry", elem_id="optout-remove")
            remove_details_button = gr.Button("Remove these aliases and descriptions", elem_id="optout-remove-details")
        registry_note = gr.Markdown(elem_id="optout-note")
        gr.Markdown("### Audit log (latest 200 decisions)")
        audit = gr.Dataframe(
            headers=["time", "decision", "rule", "request", "reason"], interactive=False, elem_id="audit-table"
        )
        refresh_button = gr.Button("Refresh", elem_id="operator-refresh")
        gr.Markdown(
            "### Was this made here?\nA picture's Content Credentials when they are this deployment's and valid, "
            "else the nearest perceptual hash of the pictures made here: its time, model and decision."
        )
        with gr.Row():
            verify_file = gr.File(label="A picture", file_types=["image"], elem_id="verify-file")
            verify_button = gr.Button("Check", elem_id="verify-check")
        verify_note = gr.Markdown(elem_id="verify-note")
    return OperatorTab(
        unlocked,
        password,
        unlock_button,
        operator_note,
        panel,
        database_note,
        people,
        person_name,
        person_aliases,
        person_descriptions,
        add_button,
        remove_button,
        remove_details_button,
        registry_note,
        audit,
        refresh_button,
        verify_file=verify_file,
        verify_button=verify_button,
        verify_note=verify_note,
    )


def wire_chat(tab: ChatTab, session: gr.State, handlers: ChatHandlers, settings: Settings) -> None:
    """Every request shows at once (queue=False) and joins the session's inbox; one worker per
    session answers the inbox in order. Stop ends the answer in progress."""
    page_outputs = [tab.chatbot, session, tab.tree, tab.picture_choice]
    accepted = [tab.message, tab.chatbot, session]
    private = {"api_visibility": "private"}

    def answered(event):
        # Not limited by Gradio's queue (first come, first served, one limit per event): every
        # turn waits in the server's one fair order instead (chat/turns.py).
        work = event.then(work_in_turn, session, page_outputs, concurrency_limit=None, **private)
        work.then(handlers.idle, session, [tab.message, tab.chatbot], queue=False, **private)

    async def work_in_turn(session: ChatSession, request: gr.Request):
        async for update in handlers.work_in_turn(session, request):
            yield update

    def accept(message, session: ChatSession, request: gr.Request):
        return handlers.accept(message, session, request)

    def accept_regenerate(picture_id, session: ChatSession, request: gr.Request):
        return handlers.accept_regenerate(picture_id, session, request)

    def accept_refine(picture_id, session: ChatSession, request: gr.Request):
        return handlers.accept_refine(picture_id, session, request)

    def example_clicked(event: gr.SelectData, session: ChatSession, request: gr.Request):
        return handlers.accept_example(event.value, session, request)

    def option_clicked(event: gr.SelectData, session: ChatSession, request: gr.Request):
        return handlers.accept_option(event.value, session, request)

    def picture_picked(event: gr.SelectData, session: ChatSession):
        """A thumbnail of the edit tree, clicked: the Pictures panel's actions apply to it."""
        ids = [caption.split(":")[0].split(" ")[0] for _, caption in edit_tree(session)]
        return ids[event.index] if 0 <= event.index < len(ids) else None

    def picture_actions(picture_id, session: ChatSession):
        picture = session.pictures.get(picture_id or "")
        if picture is None:
            note = "No pictures yet." if not session.pictures else "Pick a picture above."
            return note, gr.update(value=None, interactive=False)
        parent = f", refined from {picture.parent_id}" if picture.parent_id else ""
        return f"Picked: **{picture.id}**{parent}", gr.update(value=str(picture.path), interactive=True)

    def apply_settings(model, steps, seed_locked, seed, size, under_18, session: ChatSession):
        # Checked on the server: anything can arrive through the HTTP API, not only the panel's values.
        note = apply_preferences(settings, session, model, steps, seed_locked, seed, size, under_18)
        # The control shows the model actually used: one that cannot be used goes back.
        return session, note, session.preferences.model or settings.image_model

    answered(
        tab.message.submit(accept, [tab.message, session], accepted, queue=False, trigger_mode="multiple", **private)
    )
    answered(tab.chatbot.example_select(example_clicked, session, accepted, queue=False, **private))
    answered(tab.chatbot.option_select(option_clicked, session, accepted, queue=False, **private))
    answered(
        tab.regenerate_button.click(accept_regenerate, [tab.picture_choice, session], accepted, queue=False, **private)
    )
    answered(tab.refine_button.click(accept_refine, [tab.picture_choice, session], accepted, queue=False, **private))
    tab.message.stop(handlers.stop, session, accepted, queue=False, **private)
    tab.tree.select(picture_picked, session, tab.picture_choice, queue=False, **private)
    tab.picture_choice.change(
        picture_actions, [tab.picture_choice, session], [tab.chosen_note, tab.download_button], queue=False, **private
    )
    for control in tab.preferences:
        control.change(
            apply_settings, [*tab.preferences, session], [session, tab.settings_note, tab.preferences[0]], **private
        )
    # The bin icon and "New conversation" clear the page; the model must forget it too.
    tab.chatbot.clear(
        lambda s: (handlers.new_conversation(s), [], None), session, [session, tab.tree, tab.picture_choice], **private
    )
    tab.new_chat.click(
        lambda s: ([], handlers.new_conversation(s), [], None),
        session,
        [tab.chatbot, session, tab.tree, tab.picture_choice],
        **private,
    )


def wire_operator(tab: OperatorTab, operator: OperatorHandlers) -> None:
    """The button and Enter in the password box; wrong passwords are throttled per client and session."""
    private = {"api_visibility": "private"}
    unlock_outputs = [tab.unlocked, tab.operator_note, tab.panel, tab.people, tab.audit, tab.database_note]
    tab.unlock_button.click(operator.unlock, [tab.password, tab.unlocked], unlock_outputs, **private)
    tab.password.submit(operator.unlock, [tab.password, tab.unlocked], unlock_outputs, **private)
    registry_outputs = [tab.registry_note, tab.people, tab.panel]
    tab.add_button.click(
        operator.add_person,
        [tab.person_name, tab.person_aliases, tab.unlocked, tab.person_descriptions],
        registry_outputs,
        **private,
    )
    tab.remove_button.click(operator.remove_person, [tab.person_name, tab.unlocked], registry_outputs, **private)
    tab.remove_details_button.click(
        operator.remove_details,
        [tab.person_name, tab.person_aliases, tab.unlocked, tab.person_descriptions],
        registry_outputs,
        **private,
    )
    tab.refresh_button.click(
        operator.refresh, tab.unlocked, [tab.people, tab.audit, tab.database_note, tab.panel], **private
    )
    tab.verify_button.click(operator.verify, [tab.verify_file, tab.unlocked], tab.verify_note, **private)


def api_endpoints(session: gr.State, handlers: ChatHandlers, operator: OperatorHandlers, unlocked: gr.State) -> None:
    """`chat` for programs: {"text", "files"} in, reply text and pictures out; and `operator_unlock`
    (undocumented), the same password check and throttle as the page."""
    api_message = gr.MultimodalTextbox(visible=False)
    api_reply = gr.Textbox(visible=False)
    api_pictures = gr.Gallery(visible=False)

    async def chat(message, session: ChatSession, request: gr.Request):
        """Program turn: {"text", "files"} in; the reply text and this turn's pictures out."""
        async for update in handlers.api_chat_in_turn(message, session, request):
            yield update

    api_message.submit(
        chat, [api_message, session], [api_reply, api_pictures, session], api_name="chat", concurrency_limit=None
    )
    api_password = gr.Textbox(visible=False)
    api_unlock_note = gr.Textbox(visible=False)
    api_password.submit(
        operator.api_unlock,
        [api_password, unlocked],
        [api_unlock_note, unlocked],
        api_name="operator_unlock",
        api_visibility="undocumented",
    )
