"""The `easel` command: one entry point, with subcommands contributed by each folder.

chat/ owns `serve`, `chat` and `draw`; policy/ and models/ add theirs through a
`register(commands, eval_commands, train_commands)` function in their own `cli` module, so each
folder keeps its commands next to the code they drive. The three groups are made here, once.
"""

from __future__ import annotations

import argparse
import sys

from chat import commands as chat_commands
from chat.settings import Settings, configure_logging
from models import cli as model_commands
from policy import cli as policy_commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="easel", description="Easel: a chat assistant that draws.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    eval_parser = commands.add_parser("eval", help="measure the policy, the chat routing or the image model")
    eval_commands = eval_parser.add_subparsers(dest="eval_command", required=True, metavar="WHAT")
    train_parser = commands.add_parser("train", help="train an embedded model")
    train_commands = train_parser.add_subparsers(dest="train_command", required=True, metavar="WHAT")
    for module in (chat_commands, model_commands, policy_commands):
        module.register(commands, eval_commands, train_commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from policy.registry import DatabaseProblem

    args = build_parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings)
    try:
        return int(args.handler(args, settings) or 0)
    except DatabaseProblem as problem:  # busy or damaged: say what to do, not a traceback
        print(f"easel: {problem.operator_message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
