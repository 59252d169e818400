-- c1console schema, part 8: schedule fires by time (the daily checklist counts a day's AUTO runs).
CREATE INDEX execution_auto_scheduled_idx ON c1.execution (scheduled_for) WHERE run_type = 'AUTO';
