-- c1console schema, part 7: logical rollback of an execution.
-- A finished execution may be marked rolled back exactly once (who, when, why); nothing else of a
-- terminal execution ever changes.
ALTER TABLE c1.execution
    ADD COLUMN rolled_back_at timestamptz,
    ADD COLUMN rolled_back_by text,
    ADD COLUMN rolled_back_reason text,
    ADD CONSTRAINT execution_rollback_complete CHECK (
        (rolled_back_at IS NULL) = (rolled_back_by IS NULL) AND (rolled_back_at IS NULL) = (rolled_back_reason IS NULL)),
    ADD CONSTRAINT execution_rollback_only_finished CHECK (
        rolled_back_at IS NULL OR status IN ('SUCCESS', 'FAILED', 'STOPPED'));

CREATE OR REPLACE FUNCTION c1.execution_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IN ('SUCCESS', 'FAILED', 'STOPPED') THEN
        IF OLD.rolled_back_at IS NOT NULL THEN
            PERFORM c1.only_columns_change(to_jsonb(OLD), to_jsonb(NEW), ARRAY[]::text[],
                format('execution %s was rolled back', OLD.execution_id));
        ELSE
            PERFORM c1.only_columns_change(to_jsonb(OLD), to_jsonb(NEW),
                ARRAY['rolled_back_at', 'rolled_back_by', 'rolled_back_reason'],
                format('execution %s is %s (terminal)', OLD.execution_id, OLD.status));
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (
        ('READY', 'RUNNING'), ('READY', 'STOPPED'),
        ('RUNNING', 'SUCCESS'), ('RUNNING', 'FAILED'), ('RUNNING', 'STOPPED')) THEN
        RAISE EXCEPTION 'execution %: illegal transition % -> %', OLD.execution_id, OLD.status, NEW.status
            USING ERRCODE = 'C1001';
    END IF;
    PERFORM c1.only_columns_change(to_jsonb(OLD), to_jsonb(NEW), ARRAY[
        'status', 'started_at', 'ended_at', 'runner_id', 'stop_requested_at', 'stop_requested_by',
        'stop_reason', 'error_code', 'error_summary', 'units_total', 'units_done', 'units_failed'],
        format('execution %s', OLD.execution_id));
    RETURN NEW;
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'c1_app') THEN
        GRANT UPDATE (rolled_back_at, rolled_back_by, rolled_back_reason) ON c1.execution TO c1_app;
    END IF;
END
$$;
