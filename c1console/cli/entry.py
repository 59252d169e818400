"""The entry point: the parser assembled from every command group, and ``run``, which turns what a command
raises into one line and an exit code.

Exit codes: 0 ok, 1 a check found problems, 2 bad input, 3 database unreachable, 4 refused,
5 internal error (the traceback goes to a log file, never to the operator's screen).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import psycopg
import sqlalchemy as sa

from c1console import inputs
from c1console.cli import admin, compensations, console, db, executions, jobs, results, reviews
from c1console.cli.context import Context, Handler
from c1console.cli.parsing import Commands, Parser
from c1console.config import load_settings
from c1console.errors import Problem
from c1console.identity import os_operator
from c1console.store.engine import mask_url, unavailable

EXIT_INTERNAL = 5


def _common() -> Parser:
    """The global options, accepted before and after the command."""
    common = Parser(add_help=False)
    common.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help="TOML config file")
    common.add_argument(
        "--database-url",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="PostgreSQL URL (else C1_DATABASE_URL, the config file, or the embedded server)",
    )
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="where the embedded PostgreSQL keeps its data (else C1_DATA_DIR)",
    )
    common.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="act on the demo's database with the demo's jobs (what c1console demo runs)",
    )
    return common


def build_parser() -> Parser:
    common = _common()
    parser = Parser(
        prog="c1console",
        parents=[common],
        description="Operator console for batch-job operations reliability. "
        "With no command, opens the console.",
    )
    console.add_console_options(parser)
    parser.add_argument("--version", action="version", version=f"c1console {_version()}")
    commands = Commands(parser.add_subparsers(dest="group", metavar="COMMAND", parser_class=Parser), common)
    # in the order `c1console --help` lists them
    db.add_db(commands)
    executions.add_exec(commands)
    compensations.add_comp(commands)
    results.add_results(commands)
    jobs.add_jobs(commands)
    admin.add_operators(commands)
    console.add_demo(commands)
    console.add_runner(commands)
    reviews.add_checklist(commands)
    admin.add_alerts(commands)
    admin.add_audit(commands)
    admin.add_errors(commands)
    return parser


def _version() -> str:
    try:
        return importlib.metadata.version("c1console")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def _log_internal_error(exc: BaseException) -> Path | None:
    try:
        settings = load_settings()
        path = settings.data_dir / "logs" / "c1console-errors.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now().isoformat()} {' '.join(sys.argv)}\n")
            fh.write("".join(traceback.format_exception(exc)))
        return path
    except Exception:
        return None


def _log_refusal(problem: Problem, argv: Sequence[str] | None) -> None:
    """The refusal log: every refused or invalid request, one line, in <data_dir>/logs/refusals.log."""
    try:
        settings = load_settings(env={k: v for k, v in os.environ.items() if k in ("C1_DATA_DIR",)})
        path = settings.data_dir / "logs" / "refusals.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            who = os_operator()
        except Problem:
            who = "?"
        words = " ".join(mask_url(a) for a in (argv if argv is not None else sys.argv[1:]))
        with path.open("a", encoding="utf-8") as fh:
            fh.write(
                f"{datetime.now().astimezone().isoformat()} {who} exit={problem.exit_code} "
                f"{inputs.printable(words, 300)} :: {problem}\n"
            )
    except Exception:
        pass  # the refusal was already reported to the operator; a full disk must not turn it into a crash


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    ctx: Context | None = None
    try:
        args = parser.parse_args(argv)
        handler: Handler = args.handler
        ctx = Context(args)
        return handler(ctx)
    except Problem as problem:
        print(f"c1console: {problem}", file=sys.stderr)
        _log_refusal(problem, argv)
        return problem.exit_code
    except (sa.exc.OperationalError, sa.exc.InterfaceError, psycopg.OperationalError) as exc:
        connected = ctx.connected if ctx is not None else None
        outage = unavailable(connected.url if connected is not None else "(not connected)", exc)
        print(f"c1console: {outage}", file=sys.stderr)
        return outage.exit_code
    except KeyboardInterrupt:
        print("c1console: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    except Exception as exc:
        where = _log_internal_error(exc)
        detail = str(exc).splitlines()[0] if str(exc) else ""
        print(
            f"c1console: internal error: {type(exc).__name__}: {detail}"
            + (f" — details in {where}" if where else ""),
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    finally:
        if ctx is not None:
            ctx.close()


def _reader_went_away() -> int:
    """The output's reader closed the pipe (`c1console exec list | head`): stop quietly, as Unix tools do.
    Standard output now points at /dev/null, so the interpreter's last flush cannot fail on it either."""
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, sys.stdout.fileno())
    finally:
        os.close(null)
    return 0


def main() -> None:
    sys.exit(run())
