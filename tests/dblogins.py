"""Database login roles for the identity tests, on whichever server the suite uses (embedded or
C1_TEST_DATABASE_URL). Roles are cluster-wide: names are unique to the test process, and every role made is
dropped when its test ends."""

from __future__ import annotations

import itertools
import os
import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

_counter = itertools.count()


@dataclass(frozen=True)
class DbLogin:
    name: str
    url: str  # the test database, connecting as this login


def login_url(url: str, login: str, password: str) -> str:
    """The same libpq URL with another user and password."""
    match = re.match(r"^(postgres(?:ql)?://)(?:[^@/?#]*@)?(.*)$", url)
    assert match, f"unsupported test URL {url}"
    return f"{match[1]}{quote(login, safe='')}:{quote(password, safe='')}@{match[2]}"


class Logins:
    def __init__(self, admin_url: str, db_url: str) -> None:
        self.admin_url = admin_url
        self.db_url = db_url
        self.made: list[str] = []

    def make(self, short: str, *, member_of: str = "c1_operator") -> DbLogin:
        """A new login role, a direct member of ``member_of`` (c1_operator: an operator's own login; c1_app:
        a service login, which the database takes at its word)."""
        name = f"c1t_{os.getpid()}_{next(_counter)}_{short}"
        password = secrets.token_hex(16)
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (member_of,)).fetchone():
                pytest.skip(f"role {member_of} does not exist (the migrating user could not create it)")
            try:
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                        sql.Identifier(name), sql.Literal(password)
                    )
                )
            except psycopg.errors.InsufficientPrivilege:
                pytest.skip("the test server's user may not create roles")
            self.made.append(name)
            conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(member_of), sql.Identifier(name)))
        return DbLogin(name, login_url(self.db_url, name, password))

    def drop_all(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self.made:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,)
                )
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
        self.made.clear()
