"""Easel's web app: builds the Gradio page and wires its events; the work happens in chat/.

Run it with `make run` (or `easel serve`); on a Hugging Face Space this file is the entry point.
"""

from __future__ import annotations

import gradio as gr

from chat.assistant import Assistant
from chat.session import ChatSession
from chat.settings import Settings
from chat.web import ChatHandlers
from models.chat_local import LocalChatModel


def build_app(settings: Settings | None = None) -> gr.Blocks:
    settings = settings or Settings()
    chat_model = LocalChatModel(
        preset=settings.chat_model,
        cache_dir=settings.model_cache_dir,
        max_new_tokens=settings.max_new_tokens,
    )
    handlers = ChatHandlers(Assistant(chat_model, max_message_chars=settings.max_message_chars))

    with gr.Blocks(title="Easel") as demo:
        gr.Markdown("# Easel\nA chat assistant that draws.")
        session = gr.State(ChatSession())  # Gradio gives every browser tab its own deep copy
        chatbot = gr.Chatbot(
            label="Conversation",
            height=520,
            placeholder="Ask me anything, or ask me to draw something.",
            elem_id="conversation",
        )
        message = gr.Textbox(
            placeholder="Message Easel… (Enter to send)",
            show_label=False,
            autofocus=True,
            max_lines=8,
            elem_id="message",
        )
        message.submit(
            handlers.send,
            inputs=[message, chatbot, session],
            outputs=[message, chatbot, session],
            api_visibility="private",
        )

        # The bin icon clears the page; the model must forget the conversation too.
        chatbot.clear(ChatSession, outputs=session, api_visibility="private")

        # The `chat` endpoint for programs: message text in, the reply text out (streamed).
        api_message = gr.Textbox(visible=False)
        api_reply = gr.Textbox(visible=False)
        api_message.submit(
            handlers.api_chat,
            inputs=[api_message, session],
            outputs=[api_reply, session],
            api_name="chat",
        )

    demo.queue(default_concurrency_limit=settings.concurrency_limit)
    return demo


demo = build_app()

if __name__ == "__main__":
    demo.launch()
