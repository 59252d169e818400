-- c1console schema, part 11: per-operator database logins, whose identity the database itself records.
--
-- A login role that is a DIRECT member of c1_operator acts as itself: whatever the client sends
-- (set_config('c1.actor', ...), an actor or *_by value in its INSERT or UPDATE), the row records the
-- session_user. Membership is read from pg_auth_members, not with pg_has_role(): a superuser "has" every
-- role, and the schema owner, the runner's service login and the test suite must not be forced.
-- c1_operator is granted c1_app, so one statement per operator is enough (docs/deploy.md):
--   CREATE ROLE alice LOGIN IN ROLE c1_operator;
-- The compensation CHECK (decided_by <> requested_by) then holds four-eyes against database logins.
-- Where the migrating user may not create roles, this file only reports it: the role is then the DBA's
-- (CREATE ROLE c1_operator NOLOGIN IN ROLE c1_app); the functions and triggers are created either way.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'c1_operator') THEN
        BEGIN
            CREATE ROLE c1_operator NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;  -- created concurrently by another database
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'c1: cannot create role c1_operator (no CREATEROLE); ask a DBA to run: '
                             'CREATE ROLE c1_operator NOLOGIN IN ROLE c1_app';
                RETURN;
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'c1_app') AND NOT EXISTS (
        SELECT 1 FROM pg_auth_members m
          JOIN pg_roles g ON g.oid = m.roleid
          JOIN pg_roles u ON u.oid = m.member
         WHERE g.rolname = 'c1_app' AND u.rolname = 'c1_operator') THEN
        BEGIN
            GRANT c1_app TO c1_operator;
        EXCEPTION
            WHEN unique_violation THEN NULL;  -- granted concurrently by another database
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'c1: cannot grant c1_app to c1_operator; ask a DBA to run: GRANT c1_app TO c1_operator';
        END;
    END IF;
END
$$;

-- The login the database records as the actor, or NULL when the client's word is taken (c1.actor).
-- The search_path is pinned: a temporary table named pg_auth_members must not answer for the catalog.
CREATE FUNCTION c1.forced_actor() RETURNS text LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT session_user::text
     WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m
                     JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                     JOIN pg_catalog.pg_roles u ON u.oid = m.member
                    WHERE g.rolname = 'c1_operator' AND u.rolname = session_user)
$$;

-- Stamps execution_event.actor (002): a forced login first, then the client's c1.actor.
CREATE OR REPLACE FUNCTION c1.current_actor() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(c1.forced_actor(), nullif(current_setting('c1.actor', true), ''), session_user::text)
$$;

-- The triggers below are all named actor_forced*: PostgreSQL fires a table's BEFORE triggers in name
-- order, and these must come first, so that audit_chain hashes, and the guards check, the forced value.
-- On UPDATE an act's *_by column is forced when the act changed (its *_by or its timestamp); an act being
-- cleared (both NULL, e.g. a job resumed) stays cleared.

-- Tables whose one actor column (the trigger's argument) is forced on every write: the append-only
-- ones (INSERT) and the operator table (every grant, INSERT or UPDATE, is an act of whoever writes it).
CREATE FUNCTION c1.force_actor_column() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor text := c1.forced_actor();
BEGIN
    IF actor IS NULL THEN
        RETURN NEW;
    END IF;
    RETURN jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], actor));
END
$$;
CREATE TRIGGER actor_forced BEFORE INSERT ON c1.audit_log
    FOR EACH ROW EXECUTE FUNCTION c1.force_actor_column('actor');
CREATE TRIGGER actor_forced BEFORE INSERT ON c1.execution_event
    FOR EACH ROW EXECUTE FUNCTION c1.force_actor_column('actor');
CREATE TRIGGER actor_forced BEFORE INSERT ON c1.checklist_signoff
    FOR EACH ROW EXECUTE FUNCTION c1.force_actor_column('signed_by');
CREATE TRIGGER actor_forced BEFORE INSERT ON c1.missed_fire
    FOR EACH ROW EXECUTE FUNCTION c1.force_actor_column('detected_by');
CREATE TRIGGER actor_forced BEFORE INSERT OR UPDATE ON c1.operator
    FOR EACH ROW EXECUTE FUNCTION c1.force_actor_column('granted_by');

-- Executions: requested_by on INSERT; the stop and the rollback when they change. The UPDATE trigger has
-- a WHEN clause, so the runner's progress updates (every chunk) do not even call the function.
CREATE FUNCTION c1.execution_forced_actor() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor text := c1.forced_actor();
BEGIN
    IF actor IS NULL THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.requested_by := actor;
        IF NEW.stop_requested_by IS NOT NULL OR NEW.stop_requested_at IS NOT NULL THEN
            NEW.stop_requested_by := actor;
        END IF;
        IF NEW.rolled_back_by IS NOT NULL OR NEW.rolled_back_at IS NOT NULL THEN
            NEW.rolled_back_by := actor;
        END IF;
        RETURN NEW;
    END IF;
    IF (NEW.stop_requested_by IS DISTINCT FROM OLD.stop_requested_by
        OR NEW.stop_requested_at IS DISTINCT FROM OLD.stop_requested_at)
       AND (NEW.stop_requested_by IS NOT NULL OR NEW.stop_requested_at IS NOT NULL) THEN
        NEW.stop_requested_by := actor;
    END IF;
    IF (NEW.rolled_back_by IS DISTINCT FROM OLD.rolled_back_by
        OR NEW.rolled_back_at IS DISTINCT FROM OLD.rolled_back_at)
       AND (NEW.rolled_back_by IS NOT NULL OR NEW.rolled_back_at IS NOT NULL) THEN
        NEW.rolled_back_by := actor;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER actor_forced BEFORE INSERT ON c1.execution
    FOR EACH ROW EXECUTE FUNCTION c1.execution_forced_actor();
CREATE TRIGGER actor_forced_update BEFORE UPDATE ON c1.execution
    FOR EACH ROW
    WHEN (NEW.stop_requested_by IS DISTINCT FROM OLD.stop_requested_by
          OR NEW.stop_requested_at IS DISTINCT FROM OLD.stop_requested_at
          OR NEW.rolled_back_by IS DISTINCT FROM OLD.rolled_back_by
          OR NEW.rolled_back_at IS DISTINCT FROM OLD.rolled_back_at)
    EXECUTE FUNCTION c1.execution_forced_actor();

-- Compensations: requested_by on INSERT, decided_by whenever it is set (a self-decided row then fails the
-- table's CHECK decided_by <> requested_by).
CREATE FUNCTION c1.compensation_forced_actor() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor text := c1.forced_actor();
BEGIN
    IF actor IS NULL THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.requested_by := actor;
    END IF;
    IF NEW.decided_by IS NOT NULL OR NEW.status <> 'PENDING' THEN
        NEW.decided_by := actor;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER actor_forced BEFORE INSERT ON c1.compensation
    FOR EACH ROW EXECUTE FUNCTION c1.compensation_forced_actor();
CREATE TRIGGER actor_forced_update BEFORE UPDATE ON c1.compensation
    FOR EACH ROW
    WHEN (NEW.decided_by IS DISTINCT FROM OLD.decided_by OR NEW.status IS DISTINCT FROM OLD.status
          OR NEW.decided_at IS DISTINCT FROM OLD.decided_at)
    EXECUTE FUNCTION c1.compensation_forced_actor();

-- Jobs: paused_by when a pause is set or changed; a resume (paused false, paused_by NULL) stays as it is.
CREATE FUNCTION c1.job_forced_actor() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor text := c1.forced_actor();
BEGIN
    IF actor IS NOT NULL AND (NEW.paused OR NEW.paused_by IS NOT NULL) THEN
        NEW.paused_by := actor;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER actor_forced BEFORE INSERT ON c1.job
    FOR EACH ROW WHEN (NEW.paused OR NEW.paused_by IS NOT NULL)
    EXECUTE FUNCTION c1.job_forced_actor();
CREATE TRIGGER actor_forced_update BEFORE UPDATE ON c1.job
    FOR EACH ROW
    WHEN (NEW.paused IS DISTINCT FROM OLD.paused OR NEW.paused_by IS DISTINCT FROM OLD.paused_by
          OR NEW.paused_at IS DISTINCT FROM OLD.paused_at)
    EXECUTE FUNCTION c1.job_forced_actor();
