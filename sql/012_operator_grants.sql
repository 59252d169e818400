-- c1console schema, part 12: who may grant a role, enforced by the database.
-- A row of c1.operator may be written only by an admin recorded in the table (granted_by), with one
-- exception that makes a new installation usable: while the table is empty, one person may make
-- themselves admin (operator_id = granted_by, role = 'admin'). Grants are serialised by a transaction
-- advisory lock, so two people bootstrapping at once cannot both see an empty table.
-- The operator id '*' holds the role of every OS user / login not in the table (default: viewer).
CREATE FUNCTION c1.operator_grant_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(202612031);
    IF EXISTS (SELECT 1 FROM c1.operator WHERE operator_id = NEW.granted_by AND role = 'admin') THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.operator_id = NEW.granted_by AND NEW.role = 'admin'
       AND NOT EXISTS (SELECT 1 FROM c1.operator) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'c1.operator: % is not an admin and cannot grant roles', NEW.granted_by
        USING ERRCODE = 'C1004';
END
$$;

CREATE TRIGGER operator_grant_guard BEFORE INSERT OR UPDATE ON c1.operator
    FOR EACH ROW EXECUTE FUNCTION c1.operator_grant_guard();
