"""`easel serve` and `easel chat`: the web app, and the same assistant in a terminal."""

from __future__ import annotations

import sys
import threading

from chat.settings import Settings


def register(commands, eval_commands) -> None:
    serve = commands.add_parser("serve", help="start the web app (127.0.0.1:7860 unless GRADIO_SERVER_* say otherwise)")
    serve.set_defaults(handler=serve_command)

    chat = commands.add_parser("chat", help="chat in the terminal (reads stdin when it is not a terminal)")
    chat.add_argument("--max-new-tokens", type=int, default=None, help="cap the length of each answer")
    chat.set_defaults(handler=chat_command)


def _assistant(settings: Settings, max_new_tokens: int | None = None):
    from chat.assistant import Assistant
    from models.chat_local import LocalChatModel

    model = LocalChatModel(
        preset=settings.chat_model,
        cache_dir=settings.model_cache_dir,
        max_new_tokens=max_new_tokens or settings.max_new_tokens,
    )
    return Assistant(model, max_message_chars=settings.max_message_chars)


def serve_command(args, settings: Settings) -> int:
    from app import build_app
    from models.chat_weights import load_chat_model

    demo = build_app(settings)
    # Warm the chat model in the background: the page is up at once, and the first answer does
    # not pay for loading the weights.
    threading.Thread(
        target=load_chat_model, args=(settings.chat_model, settings.model_cache_dir), daemon=True
    ).start()
    demo.launch()
    return 0


def chat_command(args, settings: Settings) -> int:
    from chat.session import ChatSession

    assistant = _assistant(settings, args.max_new_tokens)
    session = ChatSession()
    interactive = sys.stdin.isatty()
    if interactive:
        print("Easel: type a message, Ctrl-D to leave.")
    while True:
        if interactive:
            print("you> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            break
        if not line.strip() and not interactive:
            continue
        shown = 0
        print("easel> ", end="", flush=True)
        for reply in assistant.reply(session, line.rstrip("\n")):
            print(reply.text[shown:], end="", flush=True)
            shown = len(reply.text)
        print(flush=True)
    return 0
