-- c1console schema, part 5: indexes for the daily and monthly checklists.
-- Executions that cover a business date: a range index, so "what ran for D" never scans history.
CREATE INDEX execution_business_range_idx
    ON c1.execution USING gist (daterange(business_date_from, business_date_to, '[]'));
-- Failures and replays by when they happened (monthly review).
CREATE INDEX execution_failed_created_idx ON c1.execution (created_at) WHERE status = 'FAILED';
CREATE INDEX execution_replay_created_idx ON c1.execution (created_at) WHERE run_type = 'REPLAY';
-- Deliveries that gave up.
CREATE INDEX notification_failed_idx ON c1.notification (created_at) WHERE status = 'FAILED';
-- Manual interventions by time.
CREATE INDEX audit_log_at_idx ON c1.audit_log (at);
