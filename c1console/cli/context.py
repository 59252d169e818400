"""What every command shares: the Context (settings, database, operator, jobs, made on first use), the
confirmation and preview-then-write steps of a write, and JSON and table output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from c1console import inputs, ops, planning
from c1console.config import load_settings
from c1console.errors import BadInput
from c1console.jobs import Registry, load_jobs
from c1console.presentation import table
from c1console.store import migrations
from c1console.store.engine import Database, open_database


class Context:
    """What a command needs, made on first use: settings, the database, the acting operator."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.settings = load_settings(
            config=getattr(args, "config", None),
            database_url=getattr(args, "database_url", None),
            data_dir=getattr(args, "data_dir", None),
        )
        self._db: Database | None = None
        self._registry: Registry | None = None
        self._operator: str | None = None

    @property
    def demo(self) -> bool:
        """--demo: the demo's database and the demo's jobs, for any command."""
        return bool(getattr(self.args, "demo", False))

    @property
    def connected(self) -> Database | None:
        """The database if one was opened, for reporting where a connection failed."""
        return self._db

    @property
    def db(self) -> Database:
        if self._db is None:
            if self.demo:
                from c1console.demo.command import open_demo_database

                self._db = open_demo_database(self.settings, reset=False)
            else:
                self._db = open_database(self.settings)
        return self._db

    def current_db(self) -> Database:
        """The database with its schema up to date: the embedded one is upgraded on first use (audited); a
        server is never changed behind the DBA's back (exit 4 with the command to run)."""
        db = self.db
        if self.demo:
            from c1console.demo.command import prepare_database

            prepare_database(db, self.settings, self.operator())
        elif db.embedded:
            ops.upgrade_schema(ops.Session(db=db, settings=self.settings, operator=self.operator()))
        else:
            migrations.require_current(db)
        return db

    def operator(self) -> str:
        """Who acts (c1console/identity.py: the effective OS user, or the database login that the database
        itself records); a server is asked once."""
        if self._operator is None:
            from c1console import identity

            self._operator = identity.operator(self.settings, lambda: self.db)
        return self._operator

    def registry(self) -> Registry:
        if self._registry is None:
            if self.demo:
                from c1console.demo.command import demo_registry

                self._registry = demo_registry()
            else:
                self._registry = load_jobs(self.settings.jobs)
        return self._registry

    def session(self) -> ops.Session:
        return ops.Session(
            db=self.current_db(),
            settings=self.settings,
            operator=self.operator(),
            registry=self.registry(),
            read_only=bool(getattr(self.args, "read_only", False)),
        )

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


Handler = Callable[[Context], int]


# Output ------------------------------------------------------------------------------------------------


def emit_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=_json_default, ensure_ascii=False))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    print(table(headers, rows))


# Writes: confirmation, preview then write ----------------------------------------------------------------


def confirm(ctx: Context, what: str) -> None:
    """Shows what will happen; asks on a terminal, needs --yes otherwise. Declining writes nothing."""
    print(what)
    if getattr(ctx.args, "yes", False):
        return
    if sys.stdin is None or sys.stdin.closed or not sys.stdin.isatty():  # None: started with stdin closed
        raise BadInput("not confirmed", hint="add --yes to confirm in a non-interactive run")
    try:
        answer = input("proceed? [y/N] ").strip().lower()
    except EOFError:  # Ctrl-D at the question
        print()
        answer = ""
    if answer not in ("y", "yes"):
        raise BadInput("cancelled by the operator; nothing was written")


def reason_given(reason: str | None) -> None:
    """The one refusal an ops dry run does not make (it lets a blank reason pass, for the console's preview
    shown before one is typed): a required --reason that is missing, refused before the question."""
    inputs.parse_reason(reason, required=True)


def report(outcome: ops.Created | ops.Preview, label: str) -> int:
    if isinstance(outcome, ops.Preview):
        print(f"dry run, nothing written: {outcome.describe()}")
        return 0
    print(f"execution {outcome.execution_id} created ({label}): {outcome.preview.describe()}")
    return 0


def preview_then(
    ctx: Context,
    plan: Callable[[bool], ops.Created | ops.Preview],
    label: str,
    check: Callable[[], None] | None = None,
) -> int:
    """Runs ``plan`` as a dry run and shows it (all that --dry-run does); a run of more units than
    ``large_run_units`` needs --yes; ``check`` refuses what only the real run would (the role, a missing
    reason) before the question; then asks and runs it for real."""
    preview = plan(True)
    assert isinstance(preview, ops.Preview)
    if ctx.args.dry_run:
        return report(preview, label)
    if check is not None:
        check()
    bound = ctx.settings.large_run_units
    if len(preview.units) > bound and not ctx.args.yes:
        raise BadInput(
            f"{preview.describe()}: more than {bound} units",
            hint="check the range, then add --yes to run it (large_run_units in the config sets the bound)",
        )
    confirm(ctx, f"will create: {preview.describe()}")
    return report(plan(False), label)


def dates(ctx: Context) -> tuple[date | None, date | None]:
    """--from/--to; without --yes, a range too long to be run without it is refused before planning."""
    args = ctx.args
    start = inputs.parse_date(args.date_from, "--from") if args.date_from else None
    end = inputs.parse_date(args.date_to, "--to") if args.date_to else None
    if start and end and not getattr(args, "yes", False):
        bound = ctx.settings.large_run_units
        planning.check_span(
            start, end, bound, f"check the range, then add --yes to run more than {bound} units"
        )
    return start, end
