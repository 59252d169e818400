-- c1console schema, part 9: the guard triggers of 002 and 007 without a jsonb diff on every row.
--
-- Those guards checked "only these columns may change" with c1.only_columns_change(to_jsonb(OLD),
-- to_jsonb(NEW), ...): two jsonb conversions and a query over jsonb_each for every updated row, ~90 us a
-- row (a runner chunk of 500 units spent ~46 ms in unit_guard alone, and as much in result_guard).
--
-- Here each guard compares the rows directly: a copy of NEW with the columns that may move put back to
-- their OLD values must equal OLD (a row comparison, IS DISTINCT FROM, column by column). This keeps what
-- the jsonb diff gave: a column added to a table later is frozen until its guard names it as movable
-- (tests/test_guards.py pins each guard's movable columns against information_schema.columns).
--
-- Only when a row is refused is the old jsonb diff run, to name the offending column(s) in the message
-- exactly as before. SQLSTATEs are unchanged: C1001 illegal transition, C1003 column may not change.

-- Raises C1003 naming the columns that changed outside ``allowed`` (the message of 002); never returns.
CREATE FUNCTION c1.refuse_changed_columns(old_row jsonb, new_row jsonb, allowed text[], what text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM c1.only_columns_change(old_row, new_row, allowed, what);
    -- Reached only if the row comparison saw a difference the jsonb rendering hides: refuse all the same.
    RAISE EXCEPTION '%: a column that may not change was changed', what USING ERRCODE = 'C1003';
END
$$;

-- Executions --------------------------------------------------------------------------------------------
-- Movable while READY/RUNNING: status, started_at, ended_at, runner_id, stop_requested_at,
-- stop_requested_by, stop_reason, error_code, error_summary, units_total, units_done, units_failed.
-- Terminal: only rolled_back_at, rolled_back_by, rolled_back_reason, once. Rolled back: nothing.
CREATE OR REPLACE FUNCTION c1.execution_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept c1.execution;
BEGIN
    IF OLD.status IN ('SUCCESS', 'FAILED', 'STOPPED') THEN
        kept := NEW;
        IF OLD.rolled_back_at IS NOT NULL THEN
            IF kept IS DISTINCT FROM OLD THEN
                PERFORM c1.refuse_changed_columns(to_jsonb(OLD), to_jsonb(NEW), ARRAY[]::text[],
                    format('execution %s was rolled back', OLD.execution_id));
            END IF;
        ELSE
            kept.rolled_back_at := OLD.rolled_back_at;
            kept.rolled_back_by := OLD.rolled_back_by;
            kept.rolled_back_reason := OLD.rolled_back_reason;
            IF kept IS DISTINCT FROM OLD THEN
                PERFORM c1.refuse_changed_columns(to_jsonb(OLD), to_jsonb(NEW),
                    ARRAY['rolled_back_at', 'rolled_back_by', 'rolled_back_reason'],
                    format('execution %s is %s (terminal)', OLD.execution_id, OLD.status));
            END IF;
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (
        ('READY', 'RUNNING'), ('READY', 'STOPPED'),
        ('RUNNING', 'SUCCESS'), ('RUNNING', 'FAILED'), ('RUNNING', 'STOPPED')) THEN
        RAISE EXCEPTION 'execution %: illegal transition % -> %', OLD.execution_id, OLD.status, NEW.status
            USING ERRCODE = 'C1001';
    END IF;
    kept := NEW;
    kept.status := OLD.status;
    kept.started_at := OLD.started_at;
    kept.ended_at := OLD.ended_at;
    kept.runner_id := OLD.runner_id;
    kept.stop_requested_at := OLD.stop_requested_at;
    kept.stop_requested_by := OLD.stop_requested_by;
    kept.stop_reason := OLD.stop_reason;
    kept.error_code := OLD.error_code;
    kept.error_summary := OLD.error_summary;
    kept.units_total := OLD.units_total;
    kept.units_done := OLD.units_done;
    kept.units_failed := OLD.units_failed;
    IF kept IS DISTINCT FROM OLD THEN
        PERFORM c1.refuse_changed_columns(to_jsonb(OLD), to_jsonb(NEW), ARRAY[
            'status', 'started_at', 'ended_at', 'runner_id', 'stop_requested_at', 'stop_requested_by',
            'stop_reason', 'error_code', 'error_summary', 'units_total', 'units_done', 'units_failed'],
            format('execution %s', OLD.execution_id));
    END IF;
    RETURN NEW;
END
$$;

-- Units -------------------------------------------------------------------------------------------------
-- Movable while PENDING/RUNNING: status, error_code, message, traceback, attempts, started_at, ended_at.
-- Terminal (SUCCESS, FAILED, SKIPPED): nothing.
CREATE OR REPLACE FUNCTION c1.unit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept c1.execution_unit;
BEGIN
    IF OLD.status IN ('SUCCESS', 'FAILED', 'SKIPPED') AND NEW IS DISTINCT FROM OLD THEN
        PERFORM c1.refuse_changed_columns(to_jsonb(OLD), to_jsonb(NEW), ARRAY[]::text[],
            format('unit %s/%s/%s is %s (terminal)', OLD.execution_id, OLD.business_date, OLD.target_key,
                   OLD.status));
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (
        ('PENDING', 'RUNNING'), ('PENDING', 'SUCCESS'), ('PENDING', 'FAILED'), ('PENDING', 'SKIPPED'),
        ('RUNNING', 'SUCCESS'), ('RUNNING', 'FAILED')) THEN
        RAISE EXCEPTION 'unit %/%/%: illegal transition % -> %', OLD.execution_id, OLD.business_date,
            OLD.target_key, OLD.status, NEW.status USING ERRCODE = 'C1001';
    END IF;
    kept := NEW;
    kept.status := OLD.status;
    kept.error_code := OLD.error_code;
    kept.message := OLD.message;
    kept.traceback := OLD.traceback;
    kept.attempts := OLD.attempts;
    kept.started_at := OLD.started_at;
    kept.ended_at := OLD.ended_at;
    IF kept IS DISTINCT FROM OLD THEN
        PERFORM c1.refuse_changed_columns(to_jsonb(OLD), to_jsonb(NEW), ARRAY[
            'status', 'error_code', 'message', 'traceback', 'attempts', 'started_at', 'ended_at'],
            format('unit %s/%s/%s', OLD.execution_id, OLD.business_date, OLD.target_key));
    END IF;
    RETURN NEW;
END
$$;

-- Results -----------------------------------------------------------------------------------------------
-- Movable: is_active, superseded_by, deactivated_at, deactivated_reason. The payload never.
CREATE OR REPLACE FUNCTION c1.result_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept c1.result;
BEGIN
    kept := NEW;
    kept.is_active := OLD.is_active;
    kept.superseded_by := OLD.superseded_by;
    kept.deactivated_at := OLD.deactivated_at;
    kept.deactivated_reason := OLD.deactivated_reason;
    IF kept IS DISTINCT FROM OLD THEN
        PERFORM c1.refuse_changed_columns(to_jsonb(OLD), to_jsonb(NEW), ARRAY[
            'is_active', 'superseded_by', 'deactivated_at', 'deactivated_reason'],
            format('result %s', OLD.result_id));
    END IF;
    RETURN NEW;
END
$$;

-- Compensations -----------------------------------------------------------------------------------------
-- Movable while PENDING: status, decided_by, decided_at, decision_note. Decided: nothing.
CREATE OR REPLACE FUNCTION c1.compensation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept c1.compensation;
BEGIN
    IF OLD.status <> 'PENDING' AND NEW IS DISTINCT FROM OLD THEN
        PERFORM c1.refuse_changed_columns(to_jsonb(OLD), to_jsonb(NEW), ARRAY[]::text[],
            format('compensation %s is %s (decided)', OLD.compensation_id, OLD.status));
    END IF;
    kept := NEW;
    kept.status := OLD.status;
    kept.decided_by := OLD.decided_by;
    kept.decided_at := OLD.decided_at;
    kept.decision_note := OLD.decision_note;
    IF kept IS DISTINCT FROM OLD THEN
        PERFORM c1.refuse_changed_columns(to_jsonb(OLD), to_jsonb(NEW), ARRAY[
            'status', 'decided_by', 'decided_at', 'decision_note'],
            format('compensation %s', OLD.compensation_id));
    END IF;
    RETURN NEW;
END
$$;

-- Notifications -----------------------------------------------------------------------------------------
-- Movable: status, attempts, next_attempt_at, last_error, sent_at. The message itself never.
CREATE OR REPLACE FUNCTION c1.notification_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept c1.notification;
BEGIN
    kept := NEW;
    kept.status := OLD.status;
    kept.attempts := OLD.attempts;
    kept.next_attempt_at := OLD.next_attempt_at;
    kept.last_error := OLD.last_error;
    kept.sent_at := OLD.sent_at;
    IF kept IS DISTINCT FROM OLD THEN
        PERFORM c1.refuse_changed_columns(to_jsonb(OLD), to_jsonb(NEW), ARRAY[
            'status', 'attempts', 'next_attempt_at', 'last_error', 'sent_at'],
            format('notification %s', OLD.notification_id));
    END IF;
    RETURN NEW;
END
$$;
