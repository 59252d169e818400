-- c1console schema, part 2: invariants enforced by the database itself.
-- These hold whoever writes: the runner, the console, the CLI or a DBA with psql.
-- Refusals use our own SQLSTATEs so the application can tell them apart:
--   C1001 illegal status transition     C1002 append-only table (no UPDATE / DELETE / TRUNCATE)
--   C1003 column may not change

-- Who is acting in this transaction: set by the application with set_config('c1.actor', ..., true).
CREATE FUNCTION c1.current_actor() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('c1.actor', true), ''), session_user::text)
$$;

CREATE FUNCTION c1.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'c1.%: % is not allowed; this table is append-only', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'C1002';
END
$$;

-- Raises unless OLD and NEW agree on every column except the named ones.
CREATE FUNCTION c1.only_columns_change(old_row jsonb, new_row jsonb, allowed text[], what text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    changed text;
BEGIN
    SELECT string_agg(key, ', ' ORDER BY key) INTO changed
      FROM jsonb_each(new_row) AS n(key, value)
     WHERE NOT (key = ANY (allowed)) AND n.value IS DISTINCT FROM old_row -> key;
    IF changed IS NOT NULL THEN
        RAISE EXCEPTION '%: column(s) % may not change', what, changed USING ERRCODE = 'C1003';
    END IF;
END
$$;

-- Executions --------------------------------------------------------------------------------------------
-- Invariant 1: only READY->RUNNING, READY->STOPPED, RUNNING->SUCCESS|FAILED|STOPPED; terminal rows are frozen.
CREATE FUNCTION c1.execution_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IN ('SUCCESS', 'FAILED', 'STOPPED') THEN
        PERFORM c1.only_columns_change(to_jsonb(OLD), to_jsonb(NEW), ARRAY[]::text[],
                                       format('execution %s is %s (terminal)', OLD.execution_id, OLD.status));
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
CREATE TRIGGER execution_guard BEFORE UPDATE ON c1.execution FOR EACH ROW EXECUTE FUNCTION c1.execution_guard();

CREATE FUNCTION c1.execution_insert_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> 'READY' THEN
        RAISE EXCEPTION 'a new execution starts READY, not %', NEW.status USING ERRCODE = 'C1001';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER execution_insert_guard BEFORE INSERT ON c1.execution
    FOR EACH ROW EXECUTE FUNCTION c1.execution_insert_guard();

-- Every state of every execution is traceable: the database itself writes the event row.
CREATE FUNCTION c1.execution_record_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO c1.execution_event (execution_id, from_status, to_status, actor, error_code, message)
        VALUES (NEW.execution_id,
                CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
                NEW.status,
                c1.current_actor(),
                CASE WHEN NEW.status = 'FAILED' THEN NEW.error_code END,
                CASE NEW.status WHEN 'STOPPED' THEN NEW.stop_reason
                                WHEN 'FAILED' THEN NEW.error_summary
                                WHEN 'READY' THEN NEW.reason END);
    END IF;
    -- Wakes consoles and runners; delivered at commit, so nobody sees uncommitted state.
    PERFORM pg_notify('c1_execution', NEW.execution_id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER execution_record_event AFTER INSERT OR UPDATE ON c1.execution
    FOR EACH ROW EXECUTE FUNCTION c1.execution_record_event();

CREATE TRIGGER execution_no_delete BEFORE DELETE ON c1.execution
    FOR EACH ROW EXECUTE FUNCTION c1.reject_change();

-- Units -------------------------------------------------------------------------------------------------
CREATE FUNCTION c1.unit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IN ('SUCCESS', 'FAILED', 'SKIPPED') THEN
        PERFORM c1.only_columns_change(to_jsonb(OLD), to_jsonb(NEW), ARRAY[]::text[],
            format('unit %s/%s/%s is %s (terminal)', OLD.execution_id, OLD.business_date, OLD.target_key,
                   OLD.status));
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (
        ('PENDING', 'RUNNING'), ('PENDING', 'SUCCESS'), ('PENDING', 'FAILED'), ('PENDING', 'SKIPPED'),
        ('RUNNING', 'SUCCESS'), ('RUNNING', 'FAILED')) THEN
        RAISE EXCEPTION 'unit %/%/%: illegal transition % -> %', OLD.execution_id, OLD.business_date,
            OLD.target_key, OLD.status, NEW.status USING ERRCODE = 'C1001';
    END IF;
    PERFORM c1.only_columns_change(to_jsonb(OLD), to_jsonb(NEW), ARRAY[
        'status', 'error_code', 'message', 'traceback', 'attempts', 'started_at', 'ended_at'],
        format('unit %s/%s/%s', OLD.execution_id, OLD.business_date, OLD.target_key));
    RETURN NEW;
END
$$;
CREATE TRIGGER unit_guard BEFORE UPDATE ON c1.execution_unit FOR EACH ROW EXECUTE FUNCTION c1.unit_guard();
CREATE TRIGGER unit_no_delete BEFORE DELETE ON c1.execution_unit
    FOR EACH ROW EXECUTE FUNCTION c1.reject_change();

-- Results -----------------------------------------------------------------------------------------------
-- Payloads are never updated; only the active flag and its bookkeeping move.
CREATE FUNCTION c1.result_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM c1.only_columns_change(to_jsonb(OLD), to_jsonb(NEW), ARRAY[
        'is_active', 'superseded_by', 'deactivated_at', 'deactivated_reason'],
        format('result %s', OLD.result_id));
    RETURN NEW;
END
$$;
CREATE TRIGGER result_guard BEFORE UPDATE ON c1.result FOR EACH ROW EXECUTE FUNCTION c1.result_guard();
CREATE TRIGGER result_no_delete BEFORE DELETE ON c1.result FOR EACH ROW EXECUTE FUNCTION c1.reject_change();

-- Compensations: a decision is final.
CREATE FUNCTION c1.compensation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'PENDING' THEN
        PERFORM c1.only_columns_change(to_jsonb(OLD), to_jsonb(NEW), ARRAY[]::text[],
            format('compensation %s is %s (decided)', OLD.compensation_id, OLD.status));
    END IF;
    PERFORM c1.only_columns_change(to_jsonb(OLD), to_jsonb(NEW), ARRAY[
        'status', 'decided_by', 'decided_at', 'decision_note'], format('compensation %s', OLD.compensation_id));
    RETURN NEW;
END
$$;
CREATE TRIGGER compensation_guard BEFORE UPDATE ON c1.compensation
    FOR EACH ROW EXECUTE FUNCTION c1.compensation_guard();
CREATE TRIGGER compensation_no_delete BEFORE DELETE ON c1.compensation
    FOR EACH ROW EXECUTE FUNCTION c1.reject_change();

-- Notifications: delivery state moves, the message itself does not.
CREATE FUNCTION c1.notification_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM c1.only_columns_change(to_jsonb(OLD), to_jsonb(NEW), ARRAY[
        'status', 'attempts', 'next_attempt_at', 'last_error', 'sent_at'],
        format('notification %s', OLD.notification_id));
    RETURN NEW;
END
$$;
CREATE TRIGGER notification_guard BEFORE UPDATE ON c1.notification
    FOR EACH ROW EXECUTE FUNCTION c1.notification_guard();
CREATE TRIGGER notification_no_delete BEFORE DELETE ON c1.notification
    FOR EACH ROW EXECUTE FUNCTION c1.reject_change();

-- Purely append-only tables: no UPDATE, no DELETE.
CREATE TRIGGER execution_event_append_only BEFORE UPDATE OR DELETE ON c1.execution_event
    FOR EACH ROW EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER execution_log_append_only BEFORE UPDATE OR DELETE ON c1.execution_log
    FOR EACH ROW EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER compensation_evidence_append_only BEFORE UPDATE OR DELETE ON c1.compensation_evidence
    FOR EACH ROW EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER checklist_signoff_append_only BEFORE UPDATE OR DELETE ON c1.checklist_signoff
    FOR EACH ROW EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER missed_fire_append_only BEFORE UPDATE OR DELETE ON c1.missed_fire
    FOR EACH ROW EXECUTE FUNCTION c1.reject_change();

-- No TRUNCATE of anything that records history.
CREATE TRIGGER execution_no_truncate BEFORE TRUNCATE ON c1.execution
    FOR EACH STATEMENT EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER execution_event_no_truncate BEFORE TRUNCATE ON c1.execution_event
    FOR EACH STATEMENT EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER execution_unit_no_truncate BEFORE TRUNCATE ON c1.execution_unit
    FOR EACH STATEMENT EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER execution_log_no_truncate BEFORE TRUNCATE ON c1.execution_log
    FOR EACH STATEMENT EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER result_no_truncate BEFORE TRUNCATE ON c1.result
    FOR EACH STATEMENT EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER notification_no_truncate BEFORE TRUNCATE ON c1.notification
    FOR EACH STATEMENT EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER compensation_no_truncate BEFORE TRUNCATE ON c1.compensation
    FOR EACH STATEMENT EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER compensation_evidence_no_truncate BEFORE TRUNCATE ON c1.compensation_evidence
    FOR EACH STATEMENT EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER checklist_signoff_no_truncate BEFORE TRUNCATE ON c1.checklist_signoff
    FOR EACH STATEMENT EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER missed_fire_no_truncate BEFORE TRUNCATE ON c1.missed_fire
    FOR EACH STATEMENT EXECUTE FUNCTION c1.reject_change();
