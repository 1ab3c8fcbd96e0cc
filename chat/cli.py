"""The `easel` command: one entry point, with subcommands contributed by each folder.

chat/ owns `serve` and `chat`; policy/ and models/ add theirs through a `register(commands,
eval_commands)` function in their own `cli` module, so each folder keeps its commands next to the
code they drive.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from chat.settings import Settings

# Modules that contribute subcommands; each has `register(commands, eval_commands)`.
COMMAND_MODULES = ["chat.commands", "models.cli", "policy.cli", "chat.edit_eval"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="easel", description="Easel: a chat assistant that draws.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    eval_parser = commands.add_parser("eval", help="measure the policy, the chat routing or the image model")
    eval_commands = eval_parser.add_subparsers(dest="eval_command", required=True, metavar="WHAT")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(commands, eval_commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from policy.registry import DatabaseProblem

    args = build_parser().parse_args(argv)
    settings = Settings()
    try:
        return int(args.handler(args, settings) or 0)
    except DatabaseProblem as problem:  # busy or damaged: say what to do, not a traceback
        print(f"easel: {problem.operator_message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
