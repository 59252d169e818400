"""docs/schema.sql shows the schema exactly as the migrations leave it."""

from __future__ import annotations

from tests import schema_dump


def test_docs_schema_sql_is_what_the_migrations_produce(db_url: str) -> None:
    assert schema_dump.dump(db_url) == schema_dump.DOC.read_text(encoding="utf-8"), (
        "docs/schema.sql is stale: regenerate it with python -m tests.schema_dump"
    )


def test_the_dump_leaves_out_what_varies_between_runs_and_servers() -> None:
    text = schema_dump.DOC.read_text(encoding="utf-8")
    assert "CREATE TABLE c1.execution (" in text and "CREATE TRIGGER" in text
    assert "\\restrict" not in text and "pg_attver" not in text and "\nSET " not in text
