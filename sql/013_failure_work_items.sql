-- c1console schema, part 13: failures as work items, defined once, here.
--
-- A FAILED or STOPPED execution is a work item. Each of its units that did not succeed is
--   FIXED      when its key (job, business date, target) holds an active result written by a later
--              execution (a replay, a resume, a later run; directly or along the chain) or by a
--              compensation approved after the execution was created;
--   HANDED ON  otherwise, when a replay or resume OF this execution ran the unit and it did not succeed
--              there either: the work item moved to that execution (so a failure and its failed replay
--              are one open item, not two);
--   OPEN       otherwise.
-- The execution's state is ROLLED_BACK (an operator rolled it back), else ACKNOWLEDGED (an operator said
-- with a reason that nothing more is needed), else OPEN (some unit open), else HANDED_ON (some unit handed
-- on, none open), else RESOLVED. The console, the command line, the checklists and the alerts all read
-- c1.failure and c1.failed_unit; nothing else decides what is open.

-- An operator's acknowledgement of an open failure: append-only, one per execution.
CREATE TABLE c1.execution_ack (
    execution_id  bigint PRIMARY KEY REFERENCES c1.execution,
    acked_by      text NOT NULL,
    acked_at      timestamptz NOT NULL DEFAULT now(),
    reason        text NOT NULL CHECK (length(btrim(reason)) > 0)
);

CREATE FUNCTION c1.execution_ack_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    current text;
BEGIN
    SELECT status INTO current FROM c1.execution WHERE execution_id = NEW.execution_id;
    IF current NOT IN ('FAILED', 'STOPPED') THEN
        RAISE EXCEPTION 'execution % is %: only FAILED or STOPPED executions are acknowledged',
            NEW.execution_id, current USING ERRCODE = 'C1001';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER execution_ack_guard BEFORE INSERT ON c1.execution_ack
    FOR EACH ROW EXECUTE FUNCTION c1.execution_ack_guard();
CREATE TRIGGER actor_forced BEFORE INSERT ON c1.execution_ack
    FOR EACH ROW EXECUTE FUNCTION c1.force_actor_column('acked_by');
CREATE TRIGGER execution_ack_append_only BEFORE UPDATE OR DELETE ON c1.execution_ack
    FOR EACH ROW EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER execution_ack_no_truncate BEFORE TRUNCATE ON c1.execution_ack
    FOR EACH STATEMENT EXECUTE FUNCTION c1.reject_change();

-- An acknowledgement changes what consoles show of the execution: wake them as a status change does.
CREATE FUNCTION c1.execution_ack_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('c1_execution', NEW.execution_id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER execution_ack_notify AFTER INSERT ON c1.execution_ack
    FOR EACH ROW EXECUTE FUNCTION c1.execution_ack_notify();

-- Every unit of a FAILED or STOPPED execution that did not succeed, with what fixed it or where it went.
-- The handed-on lookup sits in a CASE so that it runs only for units nothing fixed (most are fixed).
CREATE VIEW c1.failed_unit AS
SELECT x.execution_id, x.job_id, x.business_date, x.target_key, x.status, x.error_code,
       x.fixed_by_result, x.fixed_by, x.fixed_by_compensation, x.fixed_at,
       CASE WHEN x.fixed_by_result IS NULL THEN (
            SELECT c.execution_id FROM c1.execution c
              JOIN c1.execution_unit cu ON cu.execution_id = c.execution_id
             WHERE (c.replay_of = x.execution_id OR c.resumed_from = x.execution_id)
               AND c.status IN ('FAILED', 'STOPPED')
               AND cu.business_date = x.business_date AND cu.target_key = x.target_key
               AND cu.status <> 'SUCCESS'
             ORDER BY c.execution_id LIMIT 1) END AS handed_to
  FROM (
    SELECT e.execution_id, e.job_id, u.business_date, u.target_key, u.status, u.error_code,
           fix.result_id AS fixed_by_result, fix.execution_id AS fixed_by,
           fix.compensation_id AS fixed_by_compensation, fix.created_at AS fixed_at
      FROM c1.execution e
      JOIN c1.execution_unit u ON u.execution_id = e.execution_id AND u.status <> 'SUCCESS'
      LEFT JOIN LATERAL (
           SELECT r.result_id, r.execution_id, r.compensation_id, r.created_at FROM c1.result r
            WHERE r.job_id = e.job_id AND r.business_date = u.business_date AND r.target_key = u.target_key
              AND r.is_active
              AND (r.execution_id > e.execution_id
                   OR (r.source = 'COMPENSATION' AND r.created_at > e.created_at))
            LIMIT 1) fix ON true
     WHERE e.status IN ('FAILED', 'STOPPED')
  ) x;

-- Every FAILED or STOPPED execution with its state as a work item.
CREATE VIEW c1.failure AS
SELECT e.execution_id, e.job_id, e.status, e.ended_at,
       coalesce(f.units, 0) AS units_not_succeeded,
       coalesce(f.open_units, 0) AS open_units,
       coalesce(f.handed_units, 0) AS handed_units,
       f.fixed_at, f.fixed_by, f.fixed_by_compensation, f.handed_to,
       a.acked_by, a.acked_at, a.reason AS ack_reason,
       e.rolled_back_at, e.rolled_back_by, e.rolled_back_reason,
       CASE WHEN e.rolled_back_at IS NOT NULL THEN 'ROLLED_BACK'
            WHEN a.execution_id IS NOT NULL THEN 'ACKNOWLEDGED'
            WHEN coalesce(f.open_units, 0) > 0 THEN 'OPEN'
            WHEN coalesce(f.handed_units, 0) > 0 THEN 'HANDED_ON'
            ELSE 'RESOLVED' END AS state
  FROM c1.execution e
  LEFT JOIN c1.execution_ack a ON a.execution_id = e.execution_id
  LEFT JOIN LATERAL (
       SELECT count(*) AS units,
              count(*) FILTER (WHERE fu.fixed_by_result IS NULL AND fu.handed_to IS NULL) AS open_units,
              count(*) FILTER (WHERE fu.fixed_by_result IS NULL AND fu.handed_to IS NOT NULL) AS handed_units,
              max(fu.fixed_at) AS fixed_at, max(fu.fixed_by) AS fixed_by,
              max(fu.fixed_by_compensation) AS fixed_by_compensation, min(fu.handed_to) AS handed_to
         FROM c1.failed_unit fu WHERE fu.execution_id = e.execution_id) f ON true
 WHERE e.status IN ('FAILED', 'STOPPED');

-- The open list reads FAILED/STOPPED rows newest first, and each one's units that did not succeed.
CREATE INDEX execution_failed_idx ON c1.execution (execution_id DESC) WHERE status IN ('FAILED', 'STOPPED');
CREATE INDEX execution_unit_unsucceeded_idx ON c1.execution_unit (execution_id, business_date, target_key)
    WHERE status <> 'SUCCESS';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'c1_app') THEN
        GRANT SELECT, INSERT ON c1.execution_ack TO c1_app;
        GRANT SELECT ON c1.failed_unit, c1.failure TO c1_app;
    END IF;
END
$$;
