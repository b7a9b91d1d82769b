-- The content of the medical dossier: entries (never updated in place; a
-- correction is a new version pointing to the old one), attachments
-- (envelope-encrypted) and the exposure flags that carry a legal retention
-- duty. Only ids, kinds, authors and times are plaintext; every text is
-- Vault transit ciphertext under the dossier's own key.

-- key_ready_at is set once the dossier's transit key exists: the key is
-- created on the first medical write, after the dossier row, so there is
-- never a key without a dossier.
-- Every dossier has its key name from the start: generation 1 is
-- dossier-<id>-g1 unless the inserter names it.
UPDATE medical.dossiers SET key_name = 'dossier-' || id::text || '-g1' WHERE key_name IS NULL;
CREATE FUNCTION medical.dossier_key_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.key_name IS NULL THEN
        NEW.key_name := 'dossier-' || NEW.id::text || '-g1';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER dossiers_key_name BEFORE INSERT ON medical.dossiers
    FOR EACH ROW EXECUTE FUNCTION medical.dossier_key_name();
ALTER TABLE medical.dossiers
    ALTER COLUMN key_name SET NOT NULL,
    ADD COLUMN key_ready_at timestamptz;

CREATE TABLE medical.entries (
    id           uuid PRIMARY KEY,
    dossier_id   uuid NOT NULL REFERENCES medical.dossiers (id),
    kind         text NOT NULL,
    author_id    uuid NOT NULL,
    on_behalf_of uuid,
    occurred_on  date,
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- The version chain: version 1 has no predecessor; every later version
    -- names the one it corrects, and each version is corrected at most once.
    supersedes   uuid REFERENCES medical.entries (id),
    version      integer NOT NULL DEFAULT 1,
    ciphertext   text NOT NULL,
    key_version  integer NOT NULL,
    CONSTRAINT entries_kind_check CHECK (kind IN ('consultation', 'note', 'diagnosis', 'treating_physician_info',
        'examination', 'own_statement', 'working_note')),
    CONSTRAINT entries_supersedes_key UNIQUE (supersedes),
    CONSTRAINT entries_version_check CHECK ((version = 1) = (supersedes IS NULL) AND version >= 1),
    CONSTRAINT entries_ciphertext_check CHECK (ciphertext ~ '^vault:v[0-9]+:'),
    CONSTRAINT entries_key_version_check CHECK (key_version >= 1)
);
CREATE INDEX entries_dossier_idx ON medical.entries (dossier_id, created_at, id);

-- Attachments (letters, reports): the content is AES-256-GCM under a data
-- key from transit/datakey/wrapped/<key_name>, stored wrapped; the
-- associated data is the attachment id. No file name is kept: it may be
-- medical itself.
CREATE TABLE medical.attachments (
    id            uuid PRIMARY KEY,
    dossier_id    uuid NOT NULL REFERENCES medical.dossiers (id),
    entry_id      uuid REFERENCES medical.entries (id),
    content_type  text NOT NULL,
    size_bytes    integer NOT NULL,
    wrapped_key   text NOT NULL,
    nonce         bytea NOT NULL,
    content       bytea NOT NULL,
    author_id     uuid NOT NULL,
    on_behalf_of  uuid,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT attachments_content_type_check CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    CONSTRAINT attachments_size_check CHECK (size_bytes > 0),
    CONSTRAINT attachments_wrapped_key_check CHECK (wrapped_key ~ '^vault:v[0-9]+:'),
    CONSTRAINT attachments_nonce_check CHECK (length(nonce) = 12)
);
CREATE INDEX attachments_dossier_idx ON medical.attachments (dossier_id, created_at);

-- Exposure to agents that carry a retention duty (carcinogens: 40 years,
-- biological agents and ionising radiation per their regulations), with
-- the exposure period. A dossier with one cannot be destroyed on request.
CREATE TABLE medical.exposures (
    id          uuid PRIMARY KEY,
    dossier_id  uuid NOT NULL REFERENCES medical.dossiers (id),
    agent       text NOT NULL,
    from_date   date NOT NULL,
    to_date     date,
    recorded_by uuid NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT exposures_agent_check CHECK (agent IN ('carcinogen', 'biological_agent', 'ionising_radiation')),
    CONSTRAINT exposures_period_check CHECK (to_date IS NULL OR to_date >= from_date)
);
CREATE INDEX exposures_dossier_idx ON medical.exposures (dossier_id);

-- Entries are inserted, never updated, except that a rewrap may replace the
-- ciphertext by the same content under a newer key version.
GRANT SELECT, INSERT ON medical.entries, medical.attachments, medical.exposures TO arbokluis_med;
GRANT UPDATE (ciphertext, key_version) ON medical.entries TO arbokluis_med;
GRANT UPDATE (wrapped_key) ON medical.attachments TO arbokluis_med;
