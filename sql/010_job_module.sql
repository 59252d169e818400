-- c1console schema, part 10: which Python module registers each job.
-- Recorded whenever a runner or an operator's process syncs its registered jobs, so a process that has not
-- loaded a job's code can say where the code is (and how to load it) instead of "unknown job".
ALTER TABLE c1.job ADD COLUMN module text;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'c1_app') THEN
        GRANT UPDATE (module) ON c1.job TO c1_app;
    END IF;
END
$$;
