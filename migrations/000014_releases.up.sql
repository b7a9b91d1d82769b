-- Released snapshots of a dossier for the employee's inspection and copy:
-- the list of entry versions released, never a copy of their text. The
-- request they answer lives in hr.requests (by value: no cross-schema key).
CREATE TABLE medical.releases (
    id           uuid PRIMARY KEY,
    dossier_id   uuid NOT NULL REFERENCES medical.dossiers (id),
    employee_id  uuid NOT NULL,
    request_id   uuid NOT NULL,
    released_by  uuid NOT NULL,
    released_at  timestamptz NOT NULL DEFAULT now(),
    copies       integer NOT NULL DEFAULT 0,
    CONSTRAINT releases_request_key UNIQUE (request_id),
    CONSTRAINT releases_copies_check CHECK (copies >= 0)
);
CREATE INDEX releases_employee_idx ON medical.releases (employee_id, released_at DESC);

CREATE TABLE medical.release_entries (
    release_id uuid NOT NULL REFERENCES medical.releases (id),
    entry_id   uuid NOT NULL REFERENCES medical.entries (id),
    PRIMARY KEY (release_id, entry_id)
);

GRANT SELECT, INSERT ON medical.releases, medical.release_entries TO arbokluis_med;
GRANT UPDATE (copies) ON medical.releases TO arbokluis_med;
