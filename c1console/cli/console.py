"""c1console (no command: the console), c1console demo, c1console runner: the long-running commands."""

from __future__ import annotations

from c1console.cli.context import Context
from c1console.cli.parsing import Commands, Parser, positive_int


def add_console_options(parser: Parser) -> None:
    """The options of the top-level command, which opens the console."""
    parser.add_argument(
        "--no-runner", action="store_true", help="open the console without an embedded runner"
    )
    parser.add_argument("--read-only", action="store_true", help="act as a viewer: look, change nothing")
    parser.set_defaults(handler=cmd_console)


def add_demo(commands: Commands) -> None:
    p = commands.single(
        "demo", cmd_demo, "the demo: embedded PostgreSQL, demo jobs, history, live runner, console"
    )
    p.add_argument("--reset", action="store_true", help="start from an empty demo database")
    p.add_argument("--seed", type=int, default=7, help="demo data seed (same seed, same history)")
    p.add_argument("--headless", action="store_true", help="no console: print what happens")


def add_runner(commands: Commands) -> None:
    p = commands.single("runner", cmd_runner, "run a headless runner (SIGTERM or SIGHUP: graceful stop)")
    p.add_argument("--workers", type=positive_int, default=4, help="executions run at once (default 4)")


def cmd_console(ctx: Context) -> int:
    from c1console.launch import run_console

    return run_console(ctx.session(), no_runner=ctx.args.no_runner)


def cmd_demo(ctx: Context) -> int:
    from c1console.demo import command

    return command.run(
        ctx.settings,
        ctx.operator(),
        reset=ctx.args.reset,
        seed=ctx.args.seed,
        headless=ctx.args.headless,
        read_only=bool(ctx.args.read_only),
    )


def cmd_runner(ctx: Context) -> int:
    from c1console.scheduler.service import run_headless

    return run_headless(ctx.current_db(), ctx.registry(), ctx.settings, workers=ctx.args.workers)
