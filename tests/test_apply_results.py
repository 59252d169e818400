"""lifecycle.apply_results: new keys inserted active at once, known keys superseded exactly, and nothing
of an uncommitted chunk visible or active to anyone else."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
import sqlalchemy as sa

from c1console.store import lifecycle
from c1console.store.engine import Database, transaction
from tests.rawsql import add_execution

DAY = date(2026, 11, 2)


def _apply(db: Database, execution_id: int, targets: list[str], value: int) -> list[int]:
    with transaction(db, "system") as conn:
        return lifecycle.apply_results(
            conn,
            job_id="valuation",
            execution_id=execution_id,
            rows=[(DAY, t, {"v": value, "t": t, "quote": 'a "b" \\ c'}) for t in targets],
        )


def _rows(raw: psycopg.Connection) -> dict[int, tuple[str, int, bool, int | None, str | None]]:
    rows = raw.execute(
        "SELECT result_id, target_key, (payload->>'v')::int, is_active, superseded_by, deactivated_reason"
        " FROM c1.result WHERE job_id = 'valuation'"
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in rows}


def test_a_mixed_chunk_supersedes_exactly_the_keys_that_had_a_version(
    db: Database, raw: psycopg.Connection
) -> None:
    first, second = add_execution(raw), add_execution(raw)
    old = _apply(db, first, ["A", "B"], 1)
    new = _apply(db, second, ["B", "C", "A", "D"], 2)
    rows = _rows(raw)
    assert len(new) == 4 and len(rows) == 6
    new_by_target = {rows[i][0]: i for i in new}
    assert sorted(new_by_target) == ["A", "B", "C", "D"]
    for result_id in new:
        assert rows[result_id][1:4] == (2, True, None)
    for result_id in old:
        target, value, active, successor, reason = rows[result_id]
        assert (value, active) == (1, False)
        assert successor == new_by_target[target]
        assert reason == f"superseded by execution {second}"
    payload = raw.execute("SELECT payload FROM c1.result WHERE result_id = %s", (new[0],)).fetchone()[0]
    assert payload["quote"] == 'a "b" \\ c'


def test_results_of_an_uncommitted_chunk_are_invisible_and_rolled_back(
    db: Database, raw: psycopg.Connection
) -> None:
    first, second = add_execution(raw), add_execution(raw)
    old = _apply(db, first, ["A"], 1)
    with pytest.raises(RuntimeError), transaction(db, "system") as conn:
        lifecycle.apply_results(
            conn, job_id="valuation", execution_id=second, rows=[(DAY, "A", {"v": 2}), (DAY, "N", {"v": 2})]
        )
        seen = raw.execute("SELECT count(*) FROM c1.result WHERE execution_id = %s", (second,)).fetchone()
        assert seen[0] == 0  # another session sees nothing of the open chunk
        assert raw.execute("SELECT is_active FROM c1.result WHERE result_id = %s", (old[0],)).fetchone() == (
            True,
        )
        raise RuntimeError("the chunk fails before its commit")
    active = raw.execute(
        "SELECT result_id FROM c1.result WHERE job_id = 'valuation' AND is_active"
    ).fetchall()
    assert active == [(old[0],)]


def test_one_active_result_per_key_after_many_versions(db: Database, raw: psycopg.Connection) -> None:
    for value in range(4):
        _apply(db, add_execution(raw), ["A", "B", "C"][: value + 1], value)
    with db.engine.connect() as conn:
        counts = conn.execute(
            sa.text(
                "SELECT target_key, count(*) FILTER (WHERE is_active), count(*) FROM c1.result"
                " GROUP BY target_key ORDER BY 1"
            )
        ).all()
    assert [tuple(r) for r in counts] == [("A", 1, 4), ("B", 1, 3), ("C", 1, 2)]
    chain = raw.execute(
        "SELECT count(*) FROM c1.result old JOIN c1.result new ON new.result_id = old.superseded_by"
        " WHERE old.target_key <> new.target_key OR old.result_id >= new.result_id"
    ).fetchone()[0]
    assert chain == 0
