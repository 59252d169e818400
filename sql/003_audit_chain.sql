-- c1console schema, part 3: the tamper-evident audit trail.
-- Each row's hash is SHA-256 over the previous row's hash followed by the row's canonical text.
-- Inserts are serialized by a transaction-scoped advisory lock, so the chain can never fork, and the
-- audit_id is assigned here, after the lock, so ids are gapless and follow the chain.
-- `c1console audit verify` recomputes every hash outside the database.

-- The canonical text of an audit row: fields joined by the ASCII unit separator (0x1F), the timestamp in
-- UTC with microseconds, NULLs as empty strings, details as PostgreSQL renders the stored jsonb.
CREATE FUNCTION c1.audit_canonical(a c1.audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(chr(31),
        a.audit_id::text,
        to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        a.actor, a.action, a.object_type, a.object_id,
        coalesce(a.execution_id::text, ''),
        coalesce(a.reason, ''),
        a.details::text)
$$;

CREATE FUNCTION c1.audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head c1.audit_log;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('c1.audit_log'));
    SELECT * INTO head FROM c1.audit_log ORDER BY audit_id DESC LIMIT 1;
    NEW.audit_id := coalesce(head.audit_id, 0) + 1;
    NEW.at := clock_timestamp();
    NEW.prev_hash := coalesce(head.hash, repeat('0', 64));
    NEW.hash := encode(sha256(convert_to(NEW.prev_hash || c1.audit_canonical(NEW), 'UTF8')), 'hex');
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_chain BEFORE INSERT ON c1.audit_log FOR EACH ROW EXECUTE FUNCTION c1.audit_chain();

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON c1.audit_log
    FOR EACH ROW EXECUTE FUNCTION c1.reject_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON c1.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION c1.reject_change();

CREATE FUNCTION c1.audit_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('c1_audit', NEW.audit_id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_notify AFTER INSERT ON c1.audit_log FOR EACH ROW EXECUTE FUNCTION c1.audit_notify();
