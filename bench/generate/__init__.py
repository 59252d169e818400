"""Fills a c1console database with years of realistic history, fast: N executions (default 1,000,000) of a
dozen jobs over two years, their units (about 10 each), results with supersession, events, logs, alerts,
checklist sign-offs, compensations, missed fires and a hash-chained audit log.

    python -m bench.generate --database-url postgresql://postgres@127.0.0.1:5432/c1bench --recreate
    python -m bench.generate --executions 2000            # embedded PostgreSQL in $TMPDIR/c1bench-pgdata

How, and why it is legitimate: the schema is applied with the project's own migrations, then the rows are
loaded the way a DBA restores a dump: as the superuser, with ``session_replication_role = replica`` (which
switches off triggers, including the foreign-key and audit-chain triggers) and COPY, with the secondary
indexes dropped during the load and re-created from their own definitions afterwards. CHECK and NOT NULL
constraints and the primary keys are enforced throughout; re-creating the unique indexes re-validates
invariants 3, 4 and 5; the audit hash chain is computed here with exactly the canonical text of
``c1.audit_canonical()`` (sql/003), and ``--check`` (and ``c1console audit verify``) prove the result: every
foreign key resolves, unit counts match each execution, events follow the legal transitions, supersession
pointers are consistent, and the chain verifies.

The history model (all proportions per execution unless said):
- 7 intraday jobs (prices, FX, index levels, positions, VaR, cash) fire every few minutes on weekdays and
  refresh the same business date, so each fire supersedes the previous one's results; 5 daily jobs
  (valuation, performance, fees, GL, client reports) process the previous business day (T+1). The fire
  frequency is chosen so that AUTO fires are ~95% of N over two years (shorter spans when N is tiny).
- failures 0.8-2.5% by job (1, 2-3 or all units failing, with the job's typical error codes), operator
  stops 0.05-0.5%, a few READY executions stopped before start; a runner outage every ~60 business days
  (missed fires recorded, the executions in flight marked FAILED C1-BAT-007 by the next runner).
- operators react: replay of the failed units (``--of ID --failed-only``) or resume, most within hours;
  some failures stay open, a few are fixed by an approved compensation (four eyes).
- the rest of N are ad-hoc manual acts: MANUAL triggers, SINGLE and RANGE replays, a rare FULL replay.
- a daily checklist sign-off every business day and a monthly one every month; alerts (email + slack)
  for failures, stops, replays, resumes and compensations, a few of them undeliverable.

The package, by stage: ``parameters`` (the jobs and proportions), ``plan`` (pass 1, the history in memory),
``copy_format`` and ``writer`` (what pass 2 shares), one module per group of tables (``reference_rows``,
``executions``, ``units``, ``results``, ``compensations_signoffs``, ``audit_chain``, ``notifications``),
``loader`` (the load around them), ``checks`` (``--check``) and ``cli`` (``generate()`` and the command).
"""

from __future__ import annotations

from bench.generate.cli import figures_file, generate, main

__all__ = ["figures_file", "generate", "main"]
