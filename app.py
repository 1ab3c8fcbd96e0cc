"""Easel's web app: builds the Gradio page and wires its events; the work happens in chat/.

Run it with `make run` (or `easel serve`); on a Hugging Face Space this file is the entry point.
"""

from __future__ import annotations

import gradio as gr

from chat.assistant import Assistant
from chat.operator import LOCKED, OperatorHandlers
from chat.pictures import Studio
from chat.preferences import apply_preferences, image_model_choices
from chat.session import ChatSession
from chat.settings import Settings
from chat.web import ChatHandlers

try:  # On a Hugging Face Space with ZeroGPU, GPU work must run inside @spaces.GPU.
    import spaces

    gpu = spaces.GPU
except ImportError:  # everywhere else it is a no-op

    def gpu(fn):
        return fn


CSS = """
#conversation .message.bot img { max-width: 256px; image-rendering: auto; border-radius: 8px; }
"""


def build_app(settings: Settings | None = None) -> gr.Blocks:
    settings = settings or Settings()
    studio = Studio.from_settings(settings)
    assistant = Assistant(settings.chat_model_instance(), studio, max_message_chars=settings.max_message_chars)
    handlers = ChatHandlers(assistant, studio, max_files=settings.max_files_per_message)
    operator = OperatorHandlers.from_settings(settings)
    operator_minor = settings.user_age is not None and settings.user_age < 18
    model_choices = image_model_choices(settings)

    def apply_settings(model, steps, seed_locked, seed, size, under_18, session: ChatSession):
        # Checked on the server: anything can arrive through the HTTP API, not only the panel's values.
        note = apply_preferences(settings, session, model, steps, seed_locked, seed, size, under_18)
        return session, note

    def suggestion(event: gr.SelectData) -> dict:
        return {"text": event.value["value"] if isinstance(event.value, dict) else event.value, "files": []}

    def download_path(picture_id, session: ChatSession):
        picture = session.pictures.get(picture_id or "")
        return gr.update(value=str(picture.path) if picture else None, interactive=picture is not None)

    with gr.Blocks(title="Easel", delete_cache=settings.delete_cache()) as demo:
        session = gr.State(ChatSession(user_age=settings.user_age))
        gr.Markdown("# Easel\nA chat assistant that draws. Ask a question, ask for a picture, then refine it.")
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(
                        label="Conversation",
                        height=560,
                        elem_id="conversation",
                        placeholder="Try: *draw a cat*, then *make it blue*.",
                        buttons=["copy"],
                    )
                    message = gr.MultimodalTextbox(
                        placeholder="Message Easel… (Enter to send; attach a picture to change it)",
                        show_label=False,
                        file_types=["image"],
                        sources=["upload"],
                        elem_id="message",
                        autofocus=True,
                    )
                with gr.Column(scale=1, min_width=260):
                    with gr.Accordion("Pictures", open=True):
                        picture_choice = gr.Dropdown(label="Picture", choices=[], elem_id="picture-choice")
                        regenerate_button = gr.Button("Regenerate with a new seed", size="sm", elem_id="regenerate")
                        refine_button = gr.Button("Refine from here", size="sm", elem_id="refine-from")
                        download_button = gr.DownloadButton("Download", value=None, interactive=False, size="sm", elem_id="download")
                        action_note = gr.Markdown()
                    with gr.Accordion("Settings", open=False, elem_id="settings-panel"):
                        model_choice = gr.Dropdown(model_choices, value=settings.image_model, label="Image model",
                                                   elem_id="image-model")
                        steps = gr.Slider(1, 50, value=settings.image_steps or 20, step=1, label="Steps")
                        seed_locked = gr.Checkbox(label="Lock the seed")
                        seed = gr.Number(value=1234, precision=0, minimum=0, label="Seed")
                        size = gr.Dropdown([128, 256, 512], value=256, label="Picture size (px)")
                        under_18 = gr.Checkbox(
                            label="Under-18 mode (stricter rules)",
                            value=operator_minor,
                            interactive=settings.allow_session_age and not operator_minor,
                            visible=settings.allow_session_age or operator_minor,
                        )
                        settings_note = gr.Markdown(elem_id="settings-note")
                    new_chat = gr.Button("New conversation", variant="secondary")

        with gr.Tab("Operator"):
            unlocked = gr.State(0.0)  # when this tab entered the password (0: locked); it expires
            gr.Markdown(LOCKED)
            with gr.Row():
                password = gr.Textbox(type="password", label="Operator password", elem_id="operator-password")
                unlock_button = gr.Button("Unlock", elem_id="operator-unlock")
            operator_note = gr.Markdown(elem_id="operator-note")
            with gr.Column(visible=False) as operator_panel:
                database_note = gr.Markdown(elem_id="operator-database")
                gr.Markdown("### Opt-out registry\nPeople on this list are never depicted, however their name is written.")
                people = gr.Dataframe(headers=["name", "aliases"], interactive=False, elem_id="optout-table")
                with gr.Row():
                    person_name = gr.Textbox(label="Name", elem_id="optout-name")
                    person_aliases = gr.Textbox(label="Aliases (comma-separated)", elem_id="optout-aliases")
                with gr.Row():
                    add_button = gr.Button("Add to registry", elem_id="optout-add")
                    remove_button = gr.Button("Remove from registry", elem_id="optout-remove")
                registry_note = gr.Markdown(elem_id="optout-note")
                gr.Markdown("### Audit log (latest 200 decisions)")
                audit = gr.Dataframe(headers=["time", "decision", "rule", "request", "reason"], interactive=False,
                                     elem_id="audit-table")
                refresh_button = gr.Button("Refresh", elem_id="operator-refresh")

        # -- chat events ----------------------------------------------------------------------
        turn_outputs = [message, chatbot, session, picture_choice, download_button]
        # A message sent while the previous answer still streams runs right after it, not never.
        message.submit(gpu(handlers.send), [message, chatbot, session], turn_outputs, api_visibility="private",
                       trigger_mode="always_last")
        chatbot.option_select(suggestion, None, message, api_visibility="private").then(
            gpu(handlers.send), [message, chatbot, session], turn_outputs, api_visibility="private"
        )
        regenerate_button.click(
            gpu(handlers.regenerate), [picture_choice, chatbot, session],
            [chatbot, session, picture_choice, download_button], api_visibility="private",
        )
        refine_button.click(handlers.refine_from, [picture_choice, chatbot, session], [chatbot, session, action_note],
                            api_visibility="private")
        picture_choice.change(download_path, [picture_choice, session], download_button, api_visibility="private")
        for control in (model_choice, steps, seed_locked, seed, size, under_18):
            control.change(apply_settings, [model_choice, steps, seed_locked, seed, size, under_18, session],
                           [session, settings_note], api_visibility="private")
        # The bin icon and "New conversation" clear the page; the model must forget it too.
        chatbot.clear(handlers.new_conversation, session, session, api_visibility="private")
        new_chat.click(lambda s: ([], handlers.new_conversation(s)), session, [chatbot, session], api_visibility="private")

        # -- operator events ------------------------------------------------------------------
        # The button and Enter in the password box; wrong passwords are throttled per client and session.
        unlock_outputs = [unlocked, operator_note, operator_panel, people, audit, database_note]
        unlock_button.click(operator.unlock, [password, unlocked], unlock_outputs, api_visibility="private")
        password.submit(operator.unlock, [password, unlocked], unlock_outputs, api_visibility="private")
        add_button.click(operator.add_person, [person_name, person_aliases, unlocked], [registry_note, people, operator_panel],
                         api_visibility="private")
        remove_button.click(operator.remove_person, [person_name, unlocked], [registry_note, people, operator_panel],
                            api_visibility="private")
        refresh_button.click(operator.refresh, unlocked, [people, audit, database_note, operator_panel],
                             api_visibility="private")

        # -- the `chat` endpoint for programs: {"text", "files"} in, reply text and pictures out --
        api_message = gr.MultimodalTextbox(visible=False)
        api_reply = gr.Textbox(visible=False)
        api_pictures = gr.Gallery(visible=False)
        api_message.submit(gpu(handlers.api_chat), [api_message, session], [api_reply, api_pictures, session], api_name="chat")
        # `operator_unlock` for programs (undocumented): the same password check and throttle as the page.
        api_password = gr.Textbox(visible=False)
        api_unlock_note = gr.Textbox(visible=False)
        api_password.submit(operator.api_unlock, [api_password, unlocked], [api_unlock_note, unlocked],
                            api_name="operator_unlock", api_visibility="undocumented")

    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    demo.easel_studio = studio  # for the server's background warm-up
    return demo


demo = build_app()

if __name__ == "__main__":
    demo.launch(css=CSS, **Settings().launch_options())
