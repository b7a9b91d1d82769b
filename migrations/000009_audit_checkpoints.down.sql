DROP INDEX audit.outbox_occurred_idx;
DROP TABLE audit.checkpoints;
