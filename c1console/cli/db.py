"""c1console db upgrade | status: the schema's migrations."""

from __future__ import annotations

from c1console import ops
from c1console.cli.context import Context
from c1console.cli.parsing import Commands
from c1console.store import migrations
from c1console.store import operators as operators_store
from c1console.store.engine import connection


def add_db(commands: Commands) -> None:
    db = commands.group("db", "schema migrations")
    db.command("upgrade", cmd_db_upgrade, "apply pending migrations from sql/")
    db.command("status", cmd_db_status, "which database, server and schema version, pending migrations")


def cmd_db_upgrade(ctx: Context) -> int:
    session = ops.Session(db=ctx.db, settings=ctx.settings, operator=ctx.operator())
    done = ops.upgrade_schema(session)
    if not done:
        print("schema is up to date; nothing applied")
    for migration in done:
        print(f"applied {migration.version:03d}_{migration.name}.sql")
    with connection(ctx.db) as conn:
        empty = operators_store.is_empty(conn)
    if empty:
        print(
            "next: this database has no operators yet; make yourself its first admin (once, audited):\n"
            f"  c1console operators grant {session.operator} admin --reason 'first admin'"
        )
    return 0


def cmd_db_status(ctx: Context) -> int:
    db = ctx.current_db() if ctx.db.embedded else ctx.db  # the embedded database upgrades itself on use
    state = migrations.status(db)
    print(f"database:        {db.display}")
    print(f"server version:  PostgreSQL {state.server_version}")
    print(f"schema version:  {state.version}")
    pending = ", ".join(f"{m.version:03d}_{m.name}" for m in state.pending) or "none"
    print(f"pending:         {pending}")
    if state.edited:
        print("edited:          " + ", ".join(f"{m.version:03d}_{m.name}" for m in state.edited))
        return 1
    return 0
