-- Three schemas, one per trust domain. Nobody but the owner reaches public.
REVOKE ALL ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA hr;
CREATE SCHEMA medical;
CREATE SCHEMA audit;

REVOKE ALL ON SCHEMA hr, medical, audit FROM PUBLIC;

-- The hr role reaches hr and may append to the audit outbox; nothing on medical.
GRANT USAGE ON SCHEMA hr TO arbokluis_hr;
-- The med role reaches medical and may append to the audit outbox; nothing on hr.
GRANT USAGE ON SCHEMA medical TO arbokluis_med;
GRANT USAGE ON SCHEMA audit TO arbokluis_hr, arbokluis_med, arbokluis_audit;
