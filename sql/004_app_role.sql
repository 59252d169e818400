-- c1console schema, part 4: the application role.
-- The application should connect as a login role that is a member of c1_app and owns nothing in schema c1.
-- Only the owner (or a superuser) can DROP or ALTER a table, or DISABLE its triggers; c1_app can neither,
-- and has no DELETE or TRUNCATE anywhere (a lease is released by expiring it, an operator is revoked
-- by setting the role to viewer). Its UPDATE rights are limited to the columns that may move.
-- A DBA creates the login role:  CREATE ROLE c1_console LOGIN PASSWORD '...' IN ROLE c1_app;
-- Where the migrating user may not create roles, this file only reports it: the grants are then the DBA's.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'c1_app') THEN
        BEGIN
            CREATE ROLE c1_app NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;  -- created concurrently by another database
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'c1: cannot create role c1_app (no CREATEROLE); ask a DBA to run sql/004 as admin';
                RETURN;
        END;
    END IF;

    GRANT USAGE ON SCHEMA c1 TO c1_app;
    GRANT SELECT ON ALL TABLES IN SCHEMA c1 TO c1_app;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA c1 TO c1_app;
    GRANT INSERT ON c1.execution, c1.execution_event, c1.execution_unit, c1.execution_log, c1.result,
                    c1.audit_log, c1.notification, c1.compensation, c1.compensation_evidence,
                    c1.checklist_signoff, c1.missed_fire, c1.job, c1.runner, c1.lease, c1.operator TO c1_app;
    GRANT UPDATE (status, started_at, ended_at, runner_id, stop_requested_at, stop_requested_by, stop_reason,
                  error_code, error_summary, units_total, units_done, units_failed) ON c1.execution TO c1_app;
    GRANT UPDATE (status, error_code, message, traceback, attempts, started_at, ended_at)
        ON c1.execution_unit TO c1_app;
    GRANT UPDATE (is_active, superseded_by, deactivated_at, deactivated_reason) ON c1.result TO c1_app;
    GRANT UPDATE (status, decided_by, decided_at, decision_note) ON c1.compensation TO c1_app;
    GRANT UPDATE (status, attempts, next_attempt_at, last_error, sent_at) ON c1.notification TO c1_app;
    GRANT UPDATE (title, schedule_cron, timezone, definition_hash, paused, paused_by, paused_at, paused_reason,
                  updated_at) ON c1.job TO c1_app;
    GRANT UPDATE (heartbeat_at, lease_expires_at, stopped_at) ON c1.runner TO c1_app;
    GRANT UPDATE (runner_id, acquired_at, expires_at) ON c1.lease TO c1_app;
    GRANT UPDATE (role, granted_by, granted_at) ON c1.operator TO c1_app;
END
$$;
