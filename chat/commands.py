"""`easel serve` and `easel chat`: the web app, and the same assistant in a terminal."""

from __future__ import annotations

import json
import logging
import sys
import threading
from pathlib import Path

from chat.settings import Settings


def register(commands, eval_commands, train_commands) -> None:
    serve = commands.add_parser("serve", help="start the web app (127.0.0.1:7860 unless GRADIO_SERVER_* say otherwise)")
    serve.set_defaults(handler=serve_command)

    chat = commands.add_parser("chat", help="chat in the terminal (reads stdin when it is not a terminal)")
    chat.add_argument("--max-new-tokens", type=int, default=None, help="cap the length of each answer")
    chat.add_argument("--pictures-dir", type=Path, default=None, help="also copy every picture here as img-N.png")
    chat.set_defaults(handler=chat_command)

    draw = commands.add_parser(
        "draw", help="draw pictures through the policy gate and the image backend (as the chat does)"
    )
    draw.add_argument("prompt", nargs="?", default=None, help="what to draw (or --prompts FILE)")
    draw.add_argument("--prompts", type=Path, default=None, help="UTF-8 file, one prompt a line: one picture per line")
    draw.add_argument(
        "--out-dir", type=Path, default=None, help="with --prompts: pictures saved as DIR/0000.png, ... in line order"
    )
    draw.add_argument("--seed", type=int, default=None)
    draw.add_argument("--steps", type=int, default=None)
    draw.add_argument("--model", default=None, help="image model preset (default: EASEL_IMAGE_MODEL or 'embedded')")
    draw.add_argument("--out", type=Path, default=None, help="where to save the PNG (default: DATA_DIR/images/...)")
    draw.set_defaults(handler=draw_command)

    verify = commands.add_parser(
        "verify", help="was this picture made by this deployment? (its Content Credentials, else its perceptual hash)"
    )
    verify.add_argument("file", type=Path, help="a picture file (PNG, JPEG, WebP, ...)")
    verify.set_defaults(handler=verify_command)

    routing = eval_commands.add_parser("routing", help="how well the chat model picks its tools")
    routing.add_argument("cases", type=Path, help="JSONL: history, message, expected_tool, must_mention")
    routing.add_argument("--model", default=None, help="chat model preset (default: EASEL_CHAT_MODEL)")
    routing.add_argument("--json", action="store_true", help="print one row per case as JSON lines too")
    routing.set_defaults(handler=eval_routing_command)

    edits = eval_commands.add_parser("edits", help="do picture edits do what their words say (pixel measures)")
    edits.add_argument("--json", action="store_true", help="print one row per edit as JSON lines too")
    edits.add_argument("--subjects", type=int, default=None, help="how many subjects (default: all 40)")
    edits.add_argument("--seed", type=int, default=0)
    edits.add_argument("--threads", type=int, default=1)
    edits.add_argument(
        "--through-chat",
        action="store_true",
        help="send 'draw a ...' and the edit through the chat model too (recolour, size, background, move)",
    )
    edits.add_argument(
        "--no-recognition", action="store_true", help="skip the classifier's 'still the same subject' check"
    )
    edits.set_defaults(handler=eval_edits_command)

    train = train_commands.add_parser("chat-model", help="fine-tune the embedded chat model to route tools")
    train.add_argument("--examples", type=int, default=1000, help="generated routing conversations")
    train.add_argument("--final-examples", type=int, default=120, help="generated answers after a tool result")
    train.add_argument("--epochs", type=int, default=1)
    train.add_argument("--batch-size", type=int, default=8)
    train.add_argument("--learning-rate", type=float, default=1e-3)
    train.add_argument("--rank", type=int, default=8)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--threads", type=int, default=None, help="CPU threads (default: all)")
    train.add_argument("--out", type=Path, default=None, help="adapter folder (default: the one the repo ships)")
    train.add_argument(
        "--init-from", type=Path, default=None, help="continue training this adapter instead of a new one"
    )
    train.set_defaults(handler=train_chat_command)


def _assistant(settings: Settings, max_new_tokens: int | None = None):
    from chat.assistant import Assistant
    from chat.pictures import Studio

    if max_new_tokens:
        settings = settings.model_copy(update={"max_new_tokens": max_new_tokens})
    studio = Studio.from_settings(settings)
    return Assistant(settings.chat_model_instance(), studio, max_message_chars=settings.max_message_chars)


def serve_command(args, settings: Settings) -> int:
    from chat.gateway import fewer_malloc_arenas, trust_only
    from chat.operator import WeakPasswordError
    from chat.page import build_app
    from models.chat_weights import load_chat_model

    fewer_malloc_arenas()
    try:
        demo = build_app(settings)
    except WeakPasswordError as problem:
        print(f"easel serve: {problem}", file=sys.stderr)
        return 2
    trust_only(settings.trusted_proxies)

    def warm_up() -> None:
        # In the background: the page is up at once, and the first answer and first picture do
        # not pay for loading weights and embedding the policy's examples.
        try:
            if not settings.chat_model.startswith("openai:"):
                load_chat_model(settings.chat_model, settings.model_cache_dir)
            demo.easel_studio.warm_up()
        except Exception:  # a failed warm-up only means the first request loads instead
            logging.getLogger(__name__).exception("warm-up failed")

    threading.Thread(target=warm_up, name="easel-warm-up", daemon=True).start()
    demo.launch(**demo.easel_page, **settings.launch_options())
    return 0


def chat_command(args, settings: Settings) -> int:
    """A terminal chat: answers stream to stdout; pictures are saved as PNG files and their paths
    printed, refusals are printed with their rule."""
    import shutil

    from chat.session import ChatSession

    assistant = _assistant(settings, args.max_new_tokens)
    session = ChatSession(user_age=settings.user_age)
    out_dir = args.pictures_dir
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
        shown, last = 0, None
        print("easel> ", end="", flush=True)
        for reply in assistant.reply(session, line.rstrip("\n")):
            last = reply
            if len(reply.text) > shown:
                print(reply.text[shown:], end="", flush=True)
                shown = len(reply.text)
        print(flush=True)
        for outcome in last.outcomes if last else []:
            if outcome.picture is not None:
                path = outcome.picture.path
                if out_dir:
                    out_dir.mkdir(parents=True, exist_ok=True)
                    path = Path(shutil.copy(path, out_dir / f"{outcome.picture.id}.png"))
                print(f"  [picture {outcome.picture.id} saved to {path}]", flush=True)
            elif outcome.refused:
                print(f"  [refused: {outcome.decision.category}]", flush=True)
    return 0


def eval_routing_command(args, settings: Settings) -> int:
    from chat.training.routing_eval import evaluate_routing, load_cases
    from models.chat_local import LocalChatModel

    model = LocalChatModel(
        preset=args.model or settings.chat_model, cache_dir=settings.model_cache_dir, max_new_tokens=96
    )
    model.loaded()
    summary, rows = evaluate_routing(model, load_cases(args.cases))
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    for row in rows:
        if not row["ok"] or row["mentioned"] is False:
            print(
                f"  miss {row['id']}: expected {row['expected']}, got {row['got']} {row['argument']!r}", file=sys.stderr
            )
    print(json.dumps(summary))
    return 0


def eval_edits_command(args, settings: Settings) -> int:
    from chat.training.edit_eval import eval_edits_command as run

    return run(args, settings)


def train_chat_command(args, settings: Settings) -> int:
    from chat.training.routing_eval import train_chat_model

    return train_chat_model(args, settings)


# -- easel draw ---------------------------------------------------------------------------------

REFUSED = 3  # the exit status of a refused `easel draw`


def draw_command(args, settings: Settings) -> int:
    """One picture (PROMPT) or one per line (--prompts FILE), each through the Studio: the same
    policy gate as the chat, with the deployment's user age (EASEL_USER_AGE), and the same
    image backend, loaded once. A single refused prompt exits with status 3."""
    if (args.prompt is None) == (args.prompts is None):
        print("easel draw: give either a PROMPT or --prompts FILE", file=sys.stderr)
        return 2
    if args.prompts is not None and args.out_dir is None:
        print("easel draw: --prompts needs --out-dir DIR", file=sys.stderr)
        return 2
    from chat.pictures import Studio
    from models.image_backend import ImageRequestError, check_steps

    try:  # checked here: a session's steps of 0 would otherwise mean "the default"
        if args.steps is not None:
            check_steps(args.steps)
    except ImageRequestError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    studio = Studio.from_settings(settings)
    preset = args.model or settings.image_model
    if args.prompt is not None:
        row, message = _draw_one(studio, settings, preset, args.prompt, args.seed, args.steps, args.out, size=None)
        if message and not row["allowed"]:
            print(message)  # the refusal, in the policy's words
        elif message:
            print(f"error: {message}", file=sys.stderr)
        if row.get("left_out"):
            print(row["left_out"])  # what the picture does not show, and why
        print(json.dumps({k: row[k] for k in ("allowed", "path", "seed", "model", "steps", "sec")}))
        if not row["allowed"]:
            return REFUSED
        return 0 if row["path"] else 2

    import time

    lines = args.prompts.read_text(encoding="utf-8").splitlines()
    while lines and not lines[-1].strip():
        lines.pop()  # a trailing newline is not a prompt
    args.out_dir.mkdir(parents=True, exist_ok=True)
    backend = studio.backend_for(preset) if studio.backend_for else studio.generator
    native = backend.native_size() if hasattr(backend, "native_size") else None
    drawn = refused = 0
    began = time.perf_counter()
    for k, prompt in enumerate(lines):
        row, message = _draw_one(
            studio, settings, preset, prompt, args.seed, args.steps, args.out_dir / f"{k:04d}.png", size=native
        )
        if message:
            print(f"{k:04d}: {message}", file=sys.stderr)
        drawn += bool(row["path"])
        refused += not row["allowed"]
        print(json.dumps(row, ensure_ascii=False), flush=True)
    seconds = time.perf_counter() - began
    print(
        json.dumps(
            {
                "n": len(lines),
                "drawn": drawn,
                "refused": refused,
                "sec_per_image": round(seconds / max(1, len(lines)), 3),
            }
        )
    )
    return 0


def _draw_one(studio, settings: Settings, preset: str, prompt: str, seed, steps, out: Path | None, size: int | None):
    """(JSON row, message for the person or None) for one prompt through the Studio."""
    import shutil
    import time

    from chat.session import ChatSession, ImagePreferences

    session = ChatSession(
        user_age=settings.user_age, preferences=ImagePreferences(model=preset, steps=steps, size=size)
    )
    started = time.perf_counter()
    outcome = studio.generate(session, prompt, seed=seed)
    row = {
        "allowed": not outcome.refused,
        "path": None,
        "seed": seed,
        "model": preset,
        "steps": steps,
        "sec": round(time.perf_counter() - started, 3),
    }
    if outcome.picture is None:
        message = outcome.text
        if outcome.suggestions:
            row["suggestions"] = outcome.suggestions
        if outcome.refused:
            row["rule"] = outcome.decision.category
        return row, message
    picture = outcome.picture
    path = Path(picture.path)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        path = Path(shutil.copyfile(picture.path, out))
    row.update(path=str(path), seed=picture.seed, model=picture.model, steps=picture.steps, concept=picture.concept)
    if picture.left_out:
        row["left_out"] = picture.left_out
    return row, None


def verify_command(args, settings: Settings) -> int:
    """`easel verify FILE`: one JSON line {"made_here", "how", "picture_id", "created_at", "model",
    "manifest_valid", "decision", "distance"}; exit status 0 made here, 1 not, 2 unreadable. No
    prompt is ever printed."""
    from chat.credentials import ContentCredentials, answer_text, to_json, verify_file
    from policy.cli import _registry

    answer, status = verify_file(args.file, _registry(settings), ContentCredentials.from_settings(settings))
    print(answer_text(answer), file=sys.stderr)
    print(to_json(answer), flush=True)
    return status
