-- A list read is one audit event that carries the ids of every person it
-- listed, instead of one event per person (an employer overview over 1,578
-- people wrote 1,578 rows per call). The ids are part of the event's
-- canonical, hashed form (docs/audit.md: "subjects" appears there only when
-- the array is not empty, so every earlier event keeps its hash), and the
-- GIN index lets each person's access log and the privacy officer's search
-- find the event by any one of them (subjects @> ARRAY[id]).
--
-- subjects is NULL for an event about one person or none; when set it holds
-- at least one id, no NULL, ascending, each once (audit.Event.Listed).

ALTER TABLE audit.outbox ADD COLUMN subjects uuid[];
ALTER TABLE audit.outbox ADD CONSTRAINT outbox_subjects_check CHECK (
    subjects IS NULL OR (cardinality(subjects) >= 1 AND array_ndims(subjects) = 1
        AND array_position(subjects, NULL) IS NULL));

-- Only the appender writes audit.events, copying checked outbox rows; the
-- new column is empty on every existing row, so adding it rewrites nothing.
ALTER TABLE audit.events ADD COLUMN subjects uuid[];
CREATE INDEX events_subjects_idx ON audit.events USING gin (subjects);
