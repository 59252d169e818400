-- c1console schema, part 1: the tables.
-- Every batch execution, its units, results, events, logs, the audit trail and the alert outbox.
-- Invariants that these tables must keep are enforced by triggers in 002 and 003 and by grants in 004.

CREATE SCHEMA IF NOT EXISTS c1;

-- People allowed to act. An OS user with no row here gets the configured default role (viewer).
CREATE TABLE c1.operator (
    operator_id  text PRIMARY KEY,
    role         text NOT NULL CHECK (role IN ('viewer', 'operator', 'approver', 'admin')),
    granted_by   text NOT NULL,
    granted_at   timestamptz NOT NULL DEFAULT now()
);

-- Logical batch units, synced from the code registry when a runner starts.
CREATE TABLE c1.job (
    job_id           text PRIMARY KEY CHECK (job_id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    title            text NOT NULL,
    schedule_cron    text,
    timezone         text NOT NULL DEFAULT 'UTC',
    definition_hash  text NOT NULL,
    paused           boolean NOT NULL DEFAULT false,
    paused_by        text,
    paused_at        timestamptz,
    paused_reason    text,
    registered_at    timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT paused OR (paused_by IS NOT NULL AND paused_at IS NOT NULL))
);

-- Runner processes: heartbeats tell live from lost.
CREATE TABLE c1.runner (
    runner_id         text PRIMARY KEY,
    hostname          text NOT NULL,
    pid               integer NOT NULL,
    started_at        timestamptz NOT NULL DEFAULT now(),
    heartbeat_at      timestamptz NOT NULL DEFAULT now(),
    lease_expires_at  timestamptz NOT NULL,
    stopped_at        timestamptz,
    version           text NOT NULL DEFAULT ''
);

-- The single leader lease: the holder fires schedules. One row per lease name.
CREATE TABLE c1.lease (
    name        text PRIMARY KEY,
    runner_id   text NOT NULL REFERENCES c1.runner,
    acquired_at timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);

-- One row per batch execution. Operators type execution_id, so it is a plain increasing number.
CREATE TABLE c1.execution (
    execution_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id              text NOT NULL REFERENCES c1.job,
    run_type            text NOT NULL CHECK (run_type IN ('AUTO', 'MANUAL', 'REPLAY')),
    status              text NOT NULL DEFAULT 'READY'
                        CHECK (status IN ('READY', 'RUNNING', 'SUCCESS', 'FAILED', 'STOPPED')),
    business_date_from  date NOT NULL,
    business_date_to    date NOT NULL,
    targets             text[],                -- NULL means every target of the job
    replay_kind         text CHECK (replay_kind IN ('FULL', 'RANGE', 'SINGLE')),
    replay_of           bigint REFERENCES c1.execution,
    resumed_from        bigint REFERENCES c1.execution,
    scheduled_for       timestamptz,
    requested_by        text NOT NULL,        -- operator_id, or 'system' for schedule fires
    reason              text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    started_at          timestamptz,
    ended_at            timestamptz,
    runner_id           text REFERENCES c1.runner,
    stop_requested_at   timestamptz,
    stop_requested_by   text,
    stop_reason         text,
    error_code          text,
    error_summary       text,
    units_total         integer NOT NULL DEFAULT 0 CHECK (units_total >= 0),
    units_done          integer NOT NULL DEFAULT 0 CHECK (units_done >= 0),
    units_failed        integer NOT NULL DEFAULT 0 CHECK (units_failed >= 0),
    CHECK (business_date_from <= business_date_to),
    CHECK ((run_type = 'REPLAY') = (replay_kind IS NOT NULL)),
    CHECK ((run_type = 'AUTO') = (scheduled_for IS NOT NULL)),
    CHECK (run_type <> 'REPLAY' OR reason IS NOT NULL),
    CHECK (status = 'READY' OR started_at IS NOT NULL OR status = 'STOPPED'),
    CHECK (status NOT IN ('SUCCESS', 'FAILED', 'STOPPED') OR ended_at IS NOT NULL),
    CHECK (units_done + units_failed <= units_total)
);
-- Invariant 5: firing a schedule is idempotent, even with several runners.
CREATE UNIQUE INDEX execution_auto_fire_once ON c1.execution (job_id, scheduled_for) WHERE run_type = 'AUTO';
CREATE INDEX execution_status_idx ON c1.execution (status, execution_id);
CREATE INDEX execution_job_idx ON c1.execution (job_id, execution_id);
CREATE INDEX execution_created_idx ON c1.execution (created_at);
CREATE INDEX execution_business_date_idx ON c1.execution (business_date_from, business_date_to);
CREATE INDEX execution_replay_of_idx ON c1.execution (replay_of) WHERE replay_of IS NOT NULL;
CREATE INDEX execution_resumed_from_idx ON c1.execution (resumed_from) WHERE resumed_from IS NOT NULL;
CREATE INDEX execution_open_idx ON c1.execution (runner_id) WHERE status IN ('READY', 'RUNNING');

-- Every status transition of an execution, written by trigger (see 002). Append-only.
CREATE TABLE c1.execution_event (
    event_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id  bigint NOT NULL REFERENCES c1.execution,
    from_status   text,
    to_status     text NOT NULL,
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor         text NOT NULL,
    error_code    text,
    message       text
);
CREATE INDEX execution_event_execution_idx ON c1.execution_event (execution_id, event_id);

-- One row per (execution, business_date, target): what makes drill-down and single replay precise.
CREATE TABLE c1.execution_unit (
    execution_id   bigint NOT NULL REFERENCES c1.execution,
    business_date  date NOT NULL,
    target_key     text NOT NULL,
    status         text NOT NULL DEFAULT 'PENDING'
                   CHECK (status IN ('PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'SKIPPED')),
    error_code     text,
    message        text,
    traceback      text,                        -- operator-only
    attempts       integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    started_at     timestamptz,
    ended_at       timestamptz,
    PRIMARY KEY (execution_id, business_date, target_key)
);
CREATE INDEX execution_unit_failed_idx ON c1.execution_unit (execution_id) WHERE status = 'FAILED';

-- Log lines a job writes, per execution (and unit). Append-only.
CREATE TABLE c1.execution_log (
    log_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id   bigint NOT NULL REFERENCES c1.execution,
    business_date  date,
    target_key     text,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    level          text NOT NULL CHECK (level IN ('DEBUG', 'INFO', 'WARNING', 'ERROR')),
    message        text NOT NULL
);
CREATE INDEX execution_log_execution_idx ON c1.execution_log (execution_id, log_id);

-- Manual corrections under four-eyes approval.
CREATE TABLE c1.compensation (
    compensation_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id           text NOT NULL REFERENCES c1.job,
    business_date    date NOT NULL,
    target_key       text NOT NULL,
    payload          jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    reason           text NOT NULL CHECK (length(btrim(reason)) > 0),
    evidence_ref     text,
    requested_by     text NOT NULL,
    requested_at     timestamptz NOT NULL DEFAULT now(),
    status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
    decided_by       text,
    decided_at       timestamptz,
    decision_note    text,
    CHECK (decided_by IS NULL OR decided_by <> requested_by),
    CHECK ((status = 'PENDING') = (decided_by IS NULL))
);

CREATE TABLE c1.compensation_evidence (
    evidence_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    compensation_id  bigint NOT NULL REFERENCES c1.compensation,
    filename         text NOT NULL,
    content          bytea NOT NULL,
    sha256           text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes       bigint NOT NULL CHECK (size_bytes = octet_length(content)),
    added_at         timestamptz NOT NULL DEFAULT now()
);

-- Results of units. Never overwritten, never deleted: a newer result deactivates its predecessor.
CREATE TABLE c1.result (
    result_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id              text NOT NULL REFERENCES c1.job,
    business_date       date NOT NULL,
    target_key          text NOT NULL,
    payload             jsonb NOT NULL,
    source              text NOT NULL DEFAULT 'RUN' CHECK (source IN ('RUN', 'COMPENSATION')),
    execution_id        bigint REFERENCES c1.execution,
    compensation_id     bigint REFERENCES c1.compensation,
    is_active           boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    superseded_by       bigint REFERENCES c1.result,
    deactivated_at      timestamptz,
    deactivated_reason  text,
    CHECK ((source = 'RUN') = (execution_id IS NOT NULL)),
    CHECK ((source = 'COMPENSATION') = (compensation_id IS NOT NULL)),
    CHECK (is_active OR deactivated_at IS NOT NULL OR superseded_by IS NULL)
);
-- Invariant 3: at most one active result per key.
CREATE UNIQUE INDEX result_one_active ON c1.result (job_id, business_date, target_key) WHERE is_active;
-- Invariant 4: one execution applies a given unit's result once.
CREATE UNIQUE INDEX result_once_per_execution ON c1.result (execution_id, job_id, business_date, target_key);
CREATE INDEX result_key_idx ON c1.result (job_id, business_date, target_key, result_id);
CREATE INDEX result_superseded_by_idx ON c1.result (superseded_by) WHERE superseded_by IS NOT NULL;

-- The audit trail: append-only and hash-chained (see 003).
CREATE TABLE c1.audit_log (
    audit_id      bigint PRIMARY KEY,          -- assigned by the chain trigger, gapless
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor         text NOT NULL,
    action        text NOT NULL,
    object_type   text NOT NULL,
    object_id     text NOT NULL,
    execution_id  bigint REFERENCES c1.execution,
    reason        text,
    details       jsonb NOT NULL DEFAULT '{}'::jsonb,
    prev_hash     text NOT NULL,
    hash          text NOT NULL UNIQUE
);
CREATE INDEX audit_log_execution_idx ON c1.audit_log (execution_id) WHERE execution_id IS NOT NULL;
CREATE INDEX audit_log_object_idx ON c1.audit_log (object_type, object_id);

-- Transactional outbox for alerts: written in the same transaction as the event it reports.
CREATE TABLE c1.notification (
    notification_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at       timestamptz NOT NULL DEFAULT now(),
    event            text NOT NULL,
    channel          text NOT NULL,
    dedupe_key       text NOT NULL,
    job_id           text,
    execution_id     bigint REFERENCES c1.execution,
    details          jsonb NOT NULL DEFAULT '{}'::jsonb,
    status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    sent_at          timestamptz,
    UNIQUE (channel, dedupe_key)
);
CREATE INDEX notification_pending_idx ON c1.notification (next_attempt_at) WHERE status = 'PENDING';

-- Daily and monthly checklist sign-offs, with a snapshot of what the operator saw.
CREATE TABLE c1.checklist_signoff (
    signoff_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('DAILY', 'MONTHLY')),
    period      text NOT NULL,
    signed_by   text NOT NULL,
    signed_at   timestamptz NOT NULL DEFAULT now(),
    comment     text NOT NULL,
    snapshot    jsonb NOT NULL
);
CREATE INDEX checklist_signoff_period_idx ON c1.checklist_signoff (kind, period);

-- Schedule fires no runner was up for: recorded, shown on the checklist, never run by themselves.
CREATE TABLE c1.missed_fire (
    job_id         text NOT NULL REFERENCES c1.job,
    scheduled_for  timestamptz NOT NULL,
    detected_at    timestamptz NOT NULL DEFAULT now(),
    detected_by    text NOT NULL,
    PRIMARY KEY (job_id, scheduled_for)
);
