-- Dropping subjects would lose who a list read listed and break the hash of
-- every such event, so this refuses while any event carries subjects.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit.events WHERE subjects IS NOT NULL)
        OR EXISTS (SELECT 1 FROM audit.outbox WHERE subjects IS NOT NULL) THEN
        RAISE EXCEPTION 'audit events carry subjects; dropping them would break the audit chain'
            USING ERRCODE = 'object_in_use';
    END IF;
END;
$$;

DROP INDEX audit.events_subjects_idx;
ALTER TABLE audit.events DROP COLUMN subjects;
ALTER TABLE audit.outbox DROP CONSTRAINT outbox_subjects_check;
ALTER TABLE audit.outbox DROP COLUMN subjects;
