"""The parsers the command groups add themselves to: usage mistakes as one line and exit 2, the global
options on every parser, and the options every write takes."""

from __future__ import annotations

import argparse
from typing import NoReturn

from c1console import inputs
from c1console.cli.context import Handler
from c1console.errors import BadInput


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line and exit 2, like every other bad input."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{self.prog}: {message}", hint=f"see {self.prog} --help")


class Commands:
    """Where commands are added: a group's actions, or the top-level commands. Every parser made here
    takes the global options (``common``) too, so they may be given before or after the command."""

    def __init__(self, subparsers: argparse._SubParsersAction[Parser], common: Parser) -> None:
        self._subparsers = subparsers
        self.common = common

    def group(self, name: str, help_text: str) -> Commands:
        """A command with actions (``c1console NAME ACTION``); add the actions to what this returns."""
        sub = self._subparsers.add_parser(name, help=help_text, parents=[self.common])
        actions = sub.add_subparsers(dest="command", metavar="ACTION", required=True, parser_class=Parser)
        return Commands(actions, self.common)

    def command(self, name: str, handler: Handler, help_text: str) -> Parser:
        """An action of a group; its help text is also its description."""
        sub = self._subparsers.add_parser(name, help=help_text, parents=[self.common], description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    def single(self, name: str, handler: Handler, help_text: str) -> Parser:
        """A top-level command without actions (``c1console demo``)."""
        sub = self._subparsers.add_parser(name, help=help_text, parents=[self.common])
        sub.set_defaults(handler=handler)
        return sub


def write_options(
    p: argparse.ArgumentParser, *, dry_run: bool = True, reason_help: str | None = None
) -> None:
    # ops decides whether a reason is required, the same for the console and the CLI
    p.add_argument(
        "--reason", help=reason_help or "why (recorded in the audit log; required for stop, replay, pause)"
    )
    yes_option(p)
    if dry_run:
        p.add_argument("--dry-run", action="store_true", help="show what would happen; write nothing")


def yes_option(p: argparse.ArgumentParser) -> None:
    """--yes, for a write whose reason is not called --reason (a note, a comment): every write asks on a
    terminal and needs it otherwise (context.confirm)."""
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"'{inputs.printable(text)}' is not a positive whole number")
    return int(text)


MAX_ID_DIGITS = 18  # a bigint holds every 18-digit number


def id_list(text: str, flag: str) -> list[int]:
    """Execution ids separated by commas (``--of 118,131,140``; ``#118`` reads as 118), in the order given.
    An empty item, a word, zero, a number too large to be an id or one named twice is refused in one line."""
    example = f"give execution ids separated by commas, like {flag} 118,131"
    parts = [part.strip() for part in text.split(",")]
    if not text.strip() or any(not part for part in parts):
        raise BadInput(f"{flag}: '{inputs.printable(text)}' has an empty item", hint=example)
    ids: list[int] = []
    for part in parts:
        digits = part.removeprefix("#")
        if digits.isascii() and digits.isdigit() and int(digits) >= 10**MAX_ID_DIGITS:
            raise BadInput(
                f"{flag}: '{inputs.printable(part)}' is too large to be an execution id", hint=example
            )
        value = inputs.parse_id(part, flag)
        if value in ids:
            raise BadInput(f"{flag}: execution {value} is named twice", hint="name each execution once")
        ids.append(value)
    return ids
