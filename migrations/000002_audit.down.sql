DROP TABLE audit.events;
DROP TABLE audit.outbox;
DROP FUNCTION audit.forbid_change();
