"""Who is acting. Never an environment variable or a config value: the effective OS user, or the database's
own session_user where the database vouches for it (a direct member of c1_operator, sql/011).

identity = "os" (default): the effective OS user, unless the connected login is a c1_operator member, whose
name the database records whatever the client says; then that name, so the client's role and four-eyes
checks agree with the rows. identity = "database": the login must be such a member, else refused.
"""

from __future__ import annotations

import os
import pwd
import re
from collections.abc import Callable

from c1console.config import Settings
from c1console.errors import BadInput, Refused
from c1console.inputs import printable
from c1console.store import identity as store
from c1console.store.engine import Database, connection

RESERVED = "system"  # the runner's own acts


def os_operator() -> str:
    """The name of the effective uid (not LOGNAME/USER, which anyone can set)."""
    try:
        name = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        name = ""
    if not _usable(name):
        raise BadInput(
            "cannot determine the operator: the effective OS user has no usable login name",
            hint="run c1console as a named OS user of its own (not 'system', not an unnamed uid)",
        )
    return name


def operator(settings: Settings, db: Callable[[], Database]) -> str:
    """The acting operator for these settings; ``db`` is called only when a server must be asked."""
    if not settings.database_url:
        # The embedded server's only login is its local superuser: it vouches for nobody.
        if settings.identity == "database":
            raise BadInput(
                'identity = "database" needs a PostgreSQL server',
                hint="set database_url to the server, connecting as your own login (docs/deploy.md)",
            )
        return os_operator()
    login = database_login(db())
    if login.forced:
        if not _usable(login.name):
            raise Refused(
                f"database login '{printable(login.name)}' cannot act as an operator",
                hint="give each operator a login of their own; 'system' is reserved for the runner",
            )
        return login.name
    if settings.identity == "database":
        raise Refused(
            f"database login '{printable(login.name)}' is not a member of c1_operator, "
            'so it cannot act with identity = "database"',
            hint=f"ask a DBA to run: GRANT c1_operator TO {quote_ident(login.name)}",
        )
    return os_operator()


def database_login(db: Database) -> store.Login:
    with connection(db) as conn:
        return store.current_login(conn)


def database_vouches(db: Database) -> bool:
    """True when the database records this connection's login as the actor of everything it writes."""
    return database_login(db).forced


def quote_ident(name: str) -> str:
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name):
        return name
    return '"' + printable(name).replace('"', '""') + '"'


def _usable(name: str) -> bool:
    return bool(name) and name != RESERVED and not any(ch.isspace() or not ch.isprintable() for ch in name)
