-- Targeted consent, information requests to treating physicians, disclosure
-- to third parties and dossier transfer (seed 004 §7). These are part of the
-- medical dossier: who a consent names (a specialist, say) and why can be
-- medical themselves, so every such text is in one Vault ciphertext per row
-- (column sealed, under the dossier's key, bound to "<kind>:<id>"); only
-- kinds, scopes, dates, states and ids are plaintext. Partial destruction
-- and `dossier rewrap` move these ciphertexts with the entries.

-- Who a consent or a disclosure is for, and to what end.
CREATE DOMAIN medical.recipient_kind AS text
    CONSTRAINT recipient_kind_check CHECK (VALUE IN ('treating_physician', 'specialist',
        'uwv_insurance_physician', 'occupational_health_service'));
CREATE DOMAIN medical.disclosure_purpose AS text
    CONSTRAINT disclosure_purpose_check CHECK (VALUE IN ('treatment_information', 'reintegration_assessment',
        'benefit_assessment', 'second_opinion', 'dossier_transfer'));

CREATE TABLE medical.consents (
    id             uuid PRIMARY KEY,
    dossier_id     uuid NOT NULL REFERENCES medical.dossiers (id),
    employee_id    uuid NOT NULL,
    recipient_kind medical.recipient_kind NOT NULL,
    purpose        medical.disclosure_purpose NOT NULL,
    -- The data scope: entry kinds, and optionally a period of their dates.
    scope_kinds    text[] NOT NULL,
    scope_from     date,
    scope_to       date,
    expires_on     date NOT NULL,
    sealed         text NOT NULL, -- recipient (name, organisation) and the purpose in words
    prepared_by    uuid NOT NULL,
    on_behalf_of   uuid,
    prepared_at    timestamptz NOT NULL,
    status         text NOT NULL DEFAULT 'prepared',
    signed_at      timestamptz,
    signed_on      date,
    signed_via     text,
    -- SHA-256 of the exact text the employee signed.
    text_sha256    text,
    -- The registered scan of a signed paper form.
    scan_id        uuid REFERENCES medical.attachments (id),
    revoked_at     timestamptz,
    revoked_by     uuid,
    CONSTRAINT consents_scope_check CHECK (cardinality(scope_kinds) BETWEEN 1 AND 7 AND NOT ('working_note' = ANY (scope_kinds))
        AND (scope_from IS NULL OR scope_to IS NULL OR scope_to >= scope_from)),
    CONSTRAINT consents_status_check CHECK (status IN ('prepared', 'signed', 'revoked')),
    CONSTRAINT consents_signed_check CHECK ((signed_at IS NULL) = (signed_via IS NULL)
        AND (signed_at IS NULL) = (text_sha256 IS NULL) AND (signed_at IS NULL) = (signed_on IS NULL)
        AND (signed_via IS NULL OR signed_via IN ('portal', 'paper'))
        AND ((signed_via = 'paper') = (scan_id IS NOT NULL))),
    CONSTRAINT consents_revoked_check CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
    CONSTRAINT consents_sealed_check CHECK (sealed ~ '^vault:v[0-9]+:'),
    CONSTRAINT consents_text_sha256_check CHECK (text_sha256 IS NULL OR text_sha256 ~ '^[0-9a-f]{64}$')
);
CREATE INDEX consents_dossier_idx ON medical.consents (dossier_id, prepared_at);
CREATE INDEX consents_employee_idx ON medical.consents (employee_id, prepared_at);

CREATE TABLE medical.information_requests (
    id              uuid PRIMARY KEY,
    dossier_id      uuid NOT NULL REFERENCES medical.dossiers (id),
    consent_id      uuid NOT NULL REFERENCES medical.consents (id),
    sealed          text NOT NULL, -- the question asked
    asked_by        uuid NOT NULL,
    on_behalf_of    uuid,
    asked_at        timestamptz NOT NULL,
    answer_entry_id uuid REFERENCES medical.entries (id),
    answered_at     timestamptz,
    CONSTRAINT information_requests_answer_check CHECK (answer_entry_id IS NULL OR answered_at IS NOT NULL),
    CONSTRAINT information_requests_sealed_check CHECK (sealed ~ '^vault:v[0-9]+:')
);
CREATE INDEX information_requests_dossier_idx ON medical.information_requests (dossier_id, asked_at);

CREATE TABLE medical.disclosures (
    id                   uuid PRIMARY KEY,
    dossier_id           uuid NOT NULL REFERENCES medical.dossiers (id),
    employee_id          uuid NOT NULL,
    recipient_kind       medical.recipient_kind NOT NULL,
    purpose              medical.disclosure_purpose NOT NULL,
    scope_kinds          text[] NOT NULL,
    scope_from           date,
    scope_to             date,
    basis                text NOT NULL,
    consent_id           uuid REFERENCES medical.consents (id),
    -- requester, organisation, task, the legal ground of a legal duty, and
    -- for UWV the medical and the labour-expert motivation.
    sealed               text NOT NULL,
    registered_by        uuid NOT NULL,
    registered_at        timestamptz NOT NULL,
    status               text NOT NULL DEFAULT 'received',
    -- The decision on each refusal ground of seed 004 §7.
    assessment           jsonb,
    decided_by           uuid,
    decided_at           timestamptz,
    CONSTRAINT disclosures_scope_check CHECK (cardinality(scope_kinds) BETWEEN 1 AND 7 AND NOT ('working_note' = ANY (scope_kinds))
        AND (scope_from IS NULL OR scope_to IS NULL OR scope_to >= scope_from)),
    CONSTRAINT disclosures_basis_check CHECK ((basis = 'consent') = (consent_id IS NOT NULL) AND basis IN ('consent', 'legal_duty')),
    CONSTRAINT disclosures_status_check CHECK (status IN ('received', 'granted', 'refused')),
    CONSTRAINT disclosures_decided_check CHECK ((status = 'received') = (decided_at IS NULL)
        AND (decided_at IS NULL) = (assessment IS NULL) AND (decided_at IS NULL) = (decided_by IS NULL)),
    CONSTRAINT disclosures_sealed_check CHECK (sealed ~ '^vault:v[0-9]+:')
);
CREATE INDEX disclosures_dossier_idx ON medical.disclosures (dossier_id, registered_at);

CREATE TABLE medical.transfers (
    id              uuid PRIMARY KEY,
    dossier_id      uuid NOT NULL REFERENCES medical.dossiers (id),
    consent_id      uuid NOT NULL REFERENCES medical.consents (id),
    sealed          text NOT NULL, -- the receiving service
    prepared_by     uuid NOT NULL,
    prepared_at     timestamptz NOT NULL,
    -- The last package delivered: its SHA-256 and when.
    package_sha256  text,
    exported_at     timestamptz,
    handed_over_at  timestamptz,
    handed_over_by  uuid,
    disposal        text,
    CONSTRAINT transfers_handover_check CHECK ((handed_over_at IS NULL) = (disposal IS NULL)
        AND (handed_over_at IS NULL) = (handed_over_by IS NULL) AND (handed_over_at IS NULL OR exported_at IS NOT NULL)
        AND (disposal IS NULL OR disposal IN ('close', 'destroy'))),
    CONSTRAINT transfers_package_check CHECK ((package_sha256 IS NULL) = (exported_at IS NULL)
        AND (package_sha256 IS NULL OR package_sha256 ~ '^[0-9a-f]{64}$')),
    CONSTRAINT transfers_sealed_check CHECK (sealed ~ '^vault:v[0-9]+:')
);
CREATE INDEX transfers_dossier_idx ON medical.transfers (dossier_id, prepared_at);

GRANT SELECT, INSERT, DELETE ON medical.consents, medical.information_requests, medical.disclosures,
    medical.transfers TO arbokluis_med;
GRANT UPDATE (status, signed_at, signed_on, signed_via, text_sha256, scan_id, revoked_at, revoked_by, sealed)
    ON medical.consents TO arbokluis_med;
GRANT UPDATE (answer_entry_id, answered_at, sealed) ON medical.information_requests TO arbokluis_med;
GRANT UPDATE (status, assessment, decided_by, decided_at, sealed) ON medical.disclosures TO arbokluis_med;
GRANT UPDATE (package_sha256, exported_at, handed_over_at, handed_over_by, disposal, sealed) ON medical.transfers TO arbokluis_med;
