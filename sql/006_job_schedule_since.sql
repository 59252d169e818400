-- c1console schema, part 6: since when a job's schedule fires are expected.
-- Set when the job is registered, when its schedule (cron or timezone) changes and when it is resumed
-- after a pause: fires before that were not missed, they were not due.
ALTER TABLE c1.job ADD COLUMN schedule_since timestamptz NOT NULL DEFAULT now();
UPDATE c1.job SET schedule_since = registered_at;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'c1_app') THEN
        GRANT UPDATE (schedule_since) ON c1.job TO c1_app;
    END IF;
END
$$;
