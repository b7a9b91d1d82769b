package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/consent"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// ConsentStore keeps consents, information requests, disclosures and
// transfers in schema medical, through the med pool only.
type ConsentStore struct {
	pool *pgxpool.Pool
}

var _ consent.Store = (*ConsentStore)(nil)

// NewConsentStore returns a ConsentStore on the med pool.
func NewConsentStore(pool *pgxpool.Pool) *ConsentStore { return &ConsentStore{pool: pool} }

// insertGuarded runs insert in a transaction that first checks the dossier
// still has expect's key and is open (share-locked), then stores ev.
func (s *ConsentStore) insertGuarded(ctx context.Context, expect dossier.Dossier, ev audit.Event, insert func(tx pgx.Tx) error) error {
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM medical.dossiers WHERE id = $1 AND key_name = $2
			AND status = 'open' FOR SHARE)`, expect.ID, expect.KeyName).Scan(&ok); err != nil {
			return Translate(err)
		}
		if !ok {
			return fmt.Errorf("postgres: the dossier changed meanwhile: %w", derrors.ErrConflict)
		}
		if err := insert(tx); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// errNilRecord is the answer to a read or change of record uuid.Nil: the
// nil id names no record, and is never taken to mean "any".
var errNilRecord = fmt.Errorf("postgres: the nil id names no record: %w", derrors.ErrNotFound)

// readAll loads the dossier of employeeID with callerID's emergency access,
// asks authorize for the event, reads every row query selects for the
// dossier ($1), oldest first (by the query's first column, the record's
// time), and stores the event.
func readAll[T any](ctx context.Context, pool *pgxpool.Pool, employeeID, callerID uuid.UUID, authorize dossier.Authorize,
	query string, scan pgx.RowToFunc[consent.Sealed[T]]) (dossier.Dossier, []consent.Sealed[T], error) {
	var (
		out dossier.Dossier
		rs  []consent.Sealed[T]
	)
	err := InTx(ctx, pool, func(tx pgx.Tx) error {
		d, ev, err := authorizedDossier(ctx, tx, employeeID, callerID, "", authorize)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, query+` WHERE dossier_id = $1 ORDER BY 1`, d.ID)
		if rs, err = pgx.CollectRows(rows, scan); err != nil {
			return Translate(err)
		}
		out = d
		return insertEvent(ctx, tx, ev)
	})
	return out, rs, err
}

// readOne is readAll for record id of the dossier only. A record the
// dossier does not have, and uuid.Nil, are derrors.ErrNotFound, and no
// event is stored.
func readOne[T any](ctx context.Context, pool *pgxpool.Pool, employeeID, callerID, id uuid.UUID, authorize dossier.Authorize,
	query string, scan pgx.RowToFunc[consent.Sealed[T]]) (dossier.Dossier, consent.Sealed[T], error) {
	var (
		out dossier.Dossier
		r   consent.Sealed[T]
	)
	if id == uuid.Nil {
		return out, r, errNilRecord
	}
	err := InTx(ctx, pool, func(tx pgx.Tx) error {
		d, ev, err := authorizedDossier(ctx, tx, employeeID, callerID, "", authorize)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, query+` WHERE dossier_id = $1 AND id = $2`, d.ID, id)
		if r, err = pgx.CollectExactlyOneRow(rows, scan); err != nil {
			return fmt.Errorf("postgres: no such record in the dossier: %w", Translate(err))
		}
		out = d
		return insertEvent(ctx, tx, ev)
	})
	return out, r, err
}

// updateRecord loads the dossier of employeeID and record id of it under
// a row lock, applies change, stores the record with save and the event. A
// record the dossier does not have, and uuid.Nil, are derrors.ErrNotFound.
// lock is the dossier row's lock, taken first: "" for none, "FOR SHARE OF
// d" when save writes into the dossier (locks go dossier first, record
// second, as a destruction takes them).
func updateRecord[T any](ctx context.Context, pool *pgxpool.Pool, lock string, employeeID, callerID, id uuid.UUID, change consent.Change[T],
	query string, scan pgx.RowToFunc[consent.Sealed[T]], save func(tx pgx.Tx, r T) error) (T, error) {
	var out T
	if id == uuid.Nil {
		return out, errNilRecord
	}
	err := InTx(ctx, pool, func(tx pgx.Tx) error {
		d, until, err := lookupDossier(ctx, tx, employeeID, callerID, lock)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, query+` WHERE dossier_id = $1 AND id = $2 FOR UPDATE`, d.ID, id)
		r, err := pgx.CollectExactlyOneRow(rows, scan)
		if err != nil {
			return Translate(err)
		}
		ev, err := change(d, until, &r.Record)
		if err != nil {
			return err
		}
		if err := save(tx, r.Record); err != nil {
			return err
		}
		out = r.Record
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}

// consentRow is medical.consents as read.
type consentRow struct {
	PreparedAt    time.Time  `db:"prepared_at"`
	ID            uuid.UUID  `db:"id"`
	DossierID     uuid.UUID  `db:"dossier_id"`
	EmployeeID    uuid.UUID  `db:"employee_id"`
	RecipientKind string     `db:"recipient_kind"`
	Purpose       string     `db:"purpose"`
	ScopeKinds    []string   `db:"scope_kinds"`
	ScopeFrom     *time.Time `db:"scope_from"`
	ScopeTo       *time.Time `db:"scope_to"`
	ExpiresOn     time.Time  `db:"expires_on"`
	Sealed        string     `db:"sealed"`
	PreparedBy    uuid.UUID  `db:"prepared_by"`
	OnBehalfOf    *uuid.UUID `db:"on_behalf_of"`
	Status        string     `db:"status"`
	SignedAt      *time.Time `db:"signed_at"`
	SignedOn      *time.Time `db:"signed_on"`
	SignedVia     *string    `db:"signed_via"`
	TextSHA256    *string    `db:"text_sha256"`
	ScanID        *uuid.UUID `db:"scan_id"`
	RevokedAt     *time.Time `db:"revoked_at"`
	RevokedBy     *uuid.UUID `db:"revoked_by"`
}

// consentSelect reads consentRows; its first column orders them.
const consentSelect = `SELECT prepared_at, id, dossier_id, employee_id, recipient_kind, purpose, scope_kinds, scope_from, scope_to,
	expires_on, sealed, prepared_by, on_behalf_of, status, signed_at, signed_on, signed_via, text_sha256, scan_id,
	revoked_at, revoked_by FROM medical.consents`

func (r consentRow) domain() consent.Sealed[consent.Consent] {
	c := consent.Consent{ID: r.ID, DossierID: r.DossierID, EmployeeID: r.EmployeeID, RecipientKind: consent.RecipientKind(r.RecipientKind),
		Purpose: consent.Purpose(r.Purpose), Scope: scopeOf(r.ScopeKinds, r.ScopeFrom, r.ScopeTo), ExpiresOn: r.ExpiresOn,
		PreparedBy: r.PreparedBy, OnBehalfOf: deref(r.OnBehalfOf), PreparedAt: r.PreparedAt, Status: consent.Status(r.Status),
		SignedAt: deref(r.SignedAt), SignedOn: deref(r.SignedOn), SignedVia: deref(r.SignedVia), TextSHA256: deref(r.TextSHA256),
		ScanID: deref(r.ScanID), RevokedAt: deref(r.RevokedAt), RevokedBy: deref(r.RevokedBy)}
	return consent.Sealed[consent.Consent]{Record: c, Ciphertext: r.Sealed}
}

func scopeOf(kinds []string, from, to *time.Time) consent.Scope {
	s := consent.Scope{From: deref(from), To: deref(to)}
	for _, k := range kinds {
		s.Kinds = append(s.Kinds, dossier.EntryKind(k))
	}
	return s
}

func scopeKinds(s consent.Scope) []string {
	out := make([]string, len(s.Kinds))
	for i, k := range s.Kinds {
		out[i] = string(k)
	}
	return out
}

// InsertConsent stores a prepared consent with its event.
func (s *ConsentStore) InsertConsent(ctx context.Context, sc consent.Sealed[consent.Consent], expect dossier.Dossier, ev audit.Event) error {
	c := sc.Record
	return s.insertGuarded(ctx, expect, ev, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO medical.consents (id, dossier_id, employee_id, recipient_kind, purpose, scope_kinds,
			scope_from, scope_to, expires_on, sealed, prepared_by, on_behalf_of, prepared_at, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'prepared')`,
			c.ID, c.DossierID, c.EmployeeID, string(c.RecipientKind), string(c.Purpose), scopeKinds(c.Scope), nullTime(c.Scope.From),
			nullTime(c.Scope.To), c.ExpiresOn, sc.Ciphertext, c.PreparedBy, nullUUID(c.OnBehalfOf), c.PreparedAt)
		return Translate(err)
	})
}

// Consents reads every one of a dossier's consents, with the event.
func (s *ConsentStore) Consents(ctx context.Context, employeeID, callerID uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, []consent.Sealed[consent.Consent], error) {
	return readAll(ctx, s.pool, employeeID, callerID, authorize, consentSelect, scanAs[consentRow])
}

// Consent reads consent id of a dossier, with the event; derrors.ErrNotFound
// when the dossier has none such (uuid.Nil names none).
func (s *ConsentStore) Consent(ctx context.Context, employeeID, callerID, id uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, consent.Sealed[consent.Consent], error) {
	return readOne(ctx, s.pool, employeeID, callerID, id, authorize, consentSelect, scanAs[consentRow])
}

// UpdateConsent stores a consent's status fields as change leaves them.
func (s *ConsentStore) UpdateConsent(ctx context.Context, employeeID, callerID, id uuid.UUID, change consent.Change[consent.Consent]) (consent.Consent, error) {
	return updateRecord(ctx, s.pool, "", employeeID, callerID, id, change, consentSelect, scanAs[consentRow], func(tx pgx.Tx, c consent.Consent) error {
		return saveConsent(ctx, tx, c)
	})
}

// saveConsent stores a consent's status fields.
func saveConsent(ctx context.Context, tx pgx.Tx, c consent.Consent) error {
	_, err := tx.Exec(ctx, `UPDATE medical.consents SET status = $2, signed_at = $3, signed_on = $4, signed_via = $5,
		text_sha256 = $6, scan_id = $7, revoked_at = $8, revoked_by = $9 WHERE id = $1`,
		c.ID, string(c.Status), nullTime(c.SignedAt), nullTime(c.SignedOn), nullString(c.SignedVia), nullString(c.TextSHA256),
		nullUUID(c.ScanID), nullTime(c.RevokedAt), nullUUID(c.RevokedBy))
	return Translate(err)
}

// SignOnPaper stores the scan and the consent's signature together.
func (s *ConsentStore) SignOnPaper(ctx context.Context, employeeID, callerID, id uuid.UUID, scan dossier.PendingAttachment, change consent.Change[consent.Consent]) (consent.Consent, error) {
	return updateRecord(ctx, s.pool, "FOR SHARE OF d", employeeID, callerID, id, change, consentSelect, scanAs[consentRow], func(tx pgx.Tx, c consent.Consent) error {
		if c.ScanID != scan.Attachment.ID {
			return fmt.Errorf("postgres: the signature names another scan: %w", derrors.ErrConflict)
		}
		if err := insertAttachment(ctx, tx, scan.Attachment, scan.Dossier, scan.Event); err != nil {
			return err
		}
		return saveConsent(ctx, tx, c)
	})
}

// UnderConsent locks consent id and writes the event check returns.
func (s *ConsentStore) UnderConsent(ctx context.Context, employeeID, callerID, id uuid.UUID, check consent.Change[consent.Consent]) error {
	_, err := updateRecord(ctx, s.pool, "", employeeID, callerID, id, check, consentSelect, scanAs[consentRow],
		func(pgx.Tx, consent.Consent) error { return nil })
	return err
}

// informationRequestRow is medical.information_requests as read.
type informationRequestRow struct {
	AskedAt       time.Time  `db:"asked_at"`
	ID            uuid.UUID  `db:"id"`
	DossierID     uuid.UUID  `db:"dossier_id"`
	ConsentID     uuid.UUID  `db:"consent_id"`
	Sealed        string     `db:"sealed"`
	AskedBy       uuid.UUID  `db:"asked_by"`
	OnBehalfOf    *uuid.UUID `db:"on_behalf_of"`
	AnswerEntryID *uuid.UUID `db:"answer_entry_id"`
	AnsweredAt    *time.Time `db:"answered_at"`
}

// requestSelect reads informationRequestRows; its first column orders
// them.
const requestSelect = `SELECT asked_at, id, dossier_id, consent_id, sealed, asked_by, on_behalf_of, answer_entry_id, answered_at
	FROM medical.information_requests`

func (r informationRequestRow) domain() consent.Sealed[consent.InformationRequest] {
	x := consent.InformationRequest{ID: r.ID, DossierID: r.DossierID, ConsentID: r.ConsentID, AskedBy: r.AskedBy,
		OnBehalfOf: deref(r.OnBehalfOf), AskedAt: r.AskedAt, AnswerEntry: deref(r.AnswerEntryID), AnsweredAt: deref(r.AnsweredAt)}
	return consent.Sealed[consent.InformationRequest]{Record: x, Ciphertext: r.Sealed}
}

// InsertInformationRequest stores a request with its event.
func (s *ConsentStore) InsertInformationRequest(ctx context.Context, sr consent.Sealed[consent.InformationRequest], expect dossier.Dossier, ev audit.Event) error {
	r := sr.Record
	return s.insertGuarded(ctx, expect, ev, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO medical.information_requests (id, dossier_id, consent_id, sealed, asked_by, on_behalf_of, asked_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, r.DossierID, r.ConsentID, sr.Ciphertext, r.AskedBy, nullUUID(r.OnBehalfOf), r.AskedAt)
		return Translate(err)
	})
}

// InformationRequests reads every one of a dossier's information
// requests, with the event.
func (s *ConsentStore) InformationRequests(ctx context.Context, employeeID, callerID uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, []consent.Sealed[consent.InformationRequest], error) {
	return readAll(ctx, s.pool, employeeID, callerID, authorize, requestSelect, scanAs[informationRequestRow])
}

// InformationRequest reads information request id of a dossier, with the
// event; derrors.ErrNotFound when the dossier has none such (uuid.Nil
// names none).
func (s *ConsentStore) InformationRequest(ctx context.Context, employeeID, callerID, id uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, consent.Sealed[consent.InformationRequest], error) {
	return readOne(ctx, s.pool, employeeID, callerID, id, authorize, requestSelect, scanAs[informationRequestRow])
}

// AnswerInformationRequest stores the answer's entry and records it on
// the request.
func (s *ConsentStore) AnswerInformationRequest(ctx context.Context, employeeID, callerID, id uuid.UUID, answer dossier.PendingEntry, change consent.Change[consent.InformationRequest]) (consent.InformationRequest, error) {
	return updateRecord(ctx, s.pool, "FOR SHARE OF d", employeeID, callerID, id, change, requestSelect, scanAs[informationRequestRow], func(tx pgx.Tx, r consent.InformationRequest) error {
		if r.AnswerEntry != answer.Entry.ID {
			return fmt.Errorf("postgres: the request names another answer: %w", derrors.ErrConflict)
		}
		if err := insertEntry(ctx, tx, answer.Entry, answer.Dossier, answer.Event); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE medical.information_requests SET answer_entry_id = $2, answered_at = $3 WHERE id = $1`,
			r.ID, nullUUID(r.AnswerEntry), nullTime(r.AnsweredAt))
		return Translate(err)
	})
}

// disclosureRow is medical.disclosures as read.
type disclosureRow struct {
	RegisteredAt  time.Time      `db:"registered_at"`
	ID            uuid.UUID      `db:"id"`
	DossierID     uuid.UUID      `db:"dossier_id"`
	EmployeeID    uuid.UUID      `db:"employee_id"`
	RecipientKind string         `db:"recipient_kind"`
	Purpose       string         `db:"purpose"`
	ScopeKinds    []string       `db:"scope_kinds"`
	ScopeFrom     *time.Time     `db:"scope_from"`
	ScopeTo       *time.Time     `db:"scope_to"`
	Basis         string         `db:"basis"`
	ConsentID     *uuid.UUID     `db:"consent_id"`
	Sealed        string         `db:"sealed"`
	RegisteredBy  uuid.UUID      `db:"registered_by"`
	Status        string         `db:"status"`
	Assessment    *assessmentRow `db:"assessment"`
	DecidedBy     *uuid.UUID     `db:"decided_by"`
	DecidedAt     *time.Time     `db:"decided_at"`
}

// disclosureSelect reads disclosureRows; its first column orders them.
const disclosureSelect = `SELECT registered_at, id, dossier_id, employee_id, recipient_kind, purpose, scope_kinds, scope_from, scope_to,
	basis, consent_id, sealed, registered_by, status, assessment, decided_by, decided_at FROM medical.disclosures`

// assessmentRow is medical.disclosures.assessment (jsonb).
type assessmentRow struct {
	InterestOutweighsPrivacy bool `json:"interest_outweighs_privacy"`
	WithinTaskNeeds          bool `json:"within_task_needs"`
	NoRiskOfHarm             bool `json:"no_risk_of_harm"`
	CoveredByRules           bool `json:"covered_by_rules"`
}

func (r disclosureRow) domain() consent.Sealed[consent.Disclosure] {
	x := consent.Disclosure{ID: r.ID, DossierID: r.DossierID, EmployeeID: r.EmployeeID, RecipientKind: consent.RecipientKind(r.RecipientKind),
		Purpose: consent.Purpose(r.Purpose), Scope: scopeOf(r.ScopeKinds, r.ScopeFrom, r.ScopeTo), Basis: consent.Basis(r.Basis),
		ConsentID: deref(r.ConsentID), RegisteredBy: r.RegisteredBy, RegisteredAt: r.RegisteredAt,
		Status: consent.DisclosureStatus(r.Status), DecidedBy: deref(r.DecidedBy), DecidedAt: deref(r.DecidedAt)}
	if as := r.Assessment; as != nil {
		x.Assessment = &consent.Assessment{InterestOutweighsPrivacy: as.InterestOutweighsPrivacy, WithinTaskNeeds: as.WithinTaskNeeds,
			NoRiskOfHarm: as.NoRiskOfHarm, CoveredByRules: as.CoveredByRules}
	}
	return consent.Sealed[consent.Disclosure]{Record: x, Ciphertext: r.Sealed}
}

// InsertDisclosure stores a registered disclosure request with its event.
func (s *ConsentStore) InsertDisclosure(ctx context.Context, sx consent.Sealed[consent.Disclosure], expect dossier.Dossier, ev audit.Event) error {
	x := sx.Record
	return s.insertGuarded(ctx, expect, ev, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO medical.disclosures (id, dossier_id, employee_id, recipient_kind, purpose, scope_kinds,
			scope_from, scope_to, basis, consent_id, sealed, registered_by, registered_at, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'received')`,
			x.ID, x.DossierID, x.EmployeeID, string(x.RecipientKind), string(x.Purpose), scopeKinds(x.Scope), nullTime(x.Scope.From),
			nullTime(x.Scope.To), string(x.Basis), nullUUID(x.ConsentID), sx.Ciphertext, x.RegisteredBy, x.RegisteredAt)
		return Translate(err)
	})
}

// Disclosures reads every one of a dossier's disclosure requests, with
// the event.
func (s *ConsentStore) Disclosures(ctx context.Context, employeeID, callerID uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, []consent.Sealed[consent.Disclosure], error) {
	return readAll(ctx, s.pool, employeeID, callerID, authorize, disclosureSelect, scanAs[disclosureRow])
}

// Disclosure reads disclosure request id of a dossier, with the event;
// derrors.ErrNotFound when the dossier has none such (uuid.Nil names
// none).
func (s *ConsentStore) Disclosure(ctx context.Context, employeeID, callerID, id uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, consent.Sealed[consent.Disclosure], error) {
	return readOne(ctx, s.pool, employeeID, callerID, id, authorize, disclosureSelect, scanAs[disclosureRow])
}

// UpdateDisclosure stores a disclosure's decision as change leaves it.
func (s *ConsentStore) UpdateDisclosure(ctx context.Context, employeeID, callerID, id uuid.UUID, change consent.Change[consent.Disclosure]) (consent.Disclosure, error) {
	return updateRecord(ctx, s.pool, "", employeeID, callerID, id, change, disclosureSelect, scanAs[disclosureRow], func(tx pgx.Tx, x consent.Disclosure) error {
		var as *assessmentRow
		if x.Assessment != nil {
			as = &assessmentRow{InterestOutweighsPrivacy: x.Assessment.InterestOutweighsPrivacy, WithinTaskNeeds: x.Assessment.WithinTaskNeeds,
				NoRiskOfHarm: x.Assessment.NoRiskOfHarm, CoveredByRules: x.Assessment.CoveredByRules}
		}
		_, err := tx.Exec(ctx, `UPDATE medical.disclosures SET status = $2, assessment = $3, decided_by = $4, decided_at = $5 WHERE id = $1`,
			x.ID, string(x.Status), as, nullUUID(x.DecidedBy), nullTime(x.DecidedAt))
		return Translate(err)
	})
}

// transferRow is medical.transfers as read, with the dossier's employee.
type transferRow struct {
	PreparedAt    time.Time  `db:"prepared_at"`
	ID            uuid.UUID  `db:"id"`
	DossierID     uuid.UUID  `db:"dossier_id"`
	EmployeeID    uuid.UUID  `db:"employee_id"`
	ConsentID     uuid.UUID  `db:"consent_id"`
	Sealed        string     `db:"sealed"`
	PreparedBy    uuid.UUID  `db:"prepared_by"`
	PackageSHA256 *string    `db:"package_sha256"`
	ExportedAt    *time.Time `db:"exported_at"`
	HandedOverAt  *time.Time `db:"handed_over_at"`
	HandedOverBy  *uuid.UUID `db:"handed_over_by"`
	Disposal      *string    `db:"disposal"`
}

// transferSelect reads transferRows; its first column orders them.
const transferSelect = `SELECT prepared_at, id, dossier_id,
	(SELECT d.employee_id FROM medical.dossiers d WHERE d.id = dossier_id) AS employee_id,
	consent_id, sealed, prepared_by, package_sha256, exported_at, handed_over_at, handed_over_by, disposal FROM medical.transfers`

func (r transferRow) domain() consent.Sealed[consent.Transfer] {
	t := consent.Transfer{ID: r.ID, DossierID: r.DossierID, EmployeeID: r.EmployeeID, ConsentID: r.ConsentID, PreparedBy: r.PreparedBy,
		PreparedAt: r.PreparedAt, PackageSHA256: deref(r.PackageSHA256), ExportedAt: deref(r.ExportedAt),
		HandedOverAt: deref(r.HandedOverAt), HandedOverBy: deref(r.HandedOverBy), Disposal: deref(r.Disposal)}
	return consent.Sealed[consent.Transfer]{Record: t, Ciphertext: r.Sealed}
}

// InsertTransfer stores a prepared transfer with its event.
func (s *ConsentStore) InsertTransfer(ctx context.Context, st consent.Sealed[consent.Transfer], expect dossier.Dossier, ev audit.Event) error {
	t := st.Record
	return s.insertGuarded(ctx, expect, ev, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO medical.transfers (id, dossier_id, consent_id, sealed, prepared_by, prepared_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, t.ID, t.DossierID, t.ConsentID, st.Ciphertext, t.PreparedBy, t.PreparedAt)
		return Translate(err)
	})
}

// Transfers reads every one of a dossier's transfers, with the event.
func (s *ConsentStore) Transfers(ctx context.Context, employeeID, callerID uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, []consent.Sealed[consent.Transfer], error) {
	return readAll(ctx, s.pool, employeeID, callerID, authorize, transferSelect, scanAs[transferRow])
}

// Transfer reads transfer id of a dossier, with the event; derrors.ErrNotFound
// when the dossier has none such (uuid.Nil names none).
func (s *ConsentStore) Transfer(ctx context.Context, employeeID, callerID, id uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, consent.Sealed[consent.Transfer], error) {
	return readOne(ctx, s.pool, employeeID, callerID, id, authorize, transferSelect, scanAs[transferRow])
}

// UpdateTransfer stores a transfer's export and hand-over as change leaves
// them.
func (s *ConsentStore) UpdateTransfer(ctx context.Context, employeeID, callerID, id uuid.UUID, change consent.Change[consent.Transfer]) (consent.Transfer, error) {
	return updateRecord(ctx, s.pool, "", employeeID, callerID, id, change, transferSelect, scanAs[transferRow], func(tx pgx.Tx, t consent.Transfer) error {
		_, err := tx.Exec(ctx, `UPDATE medical.transfers SET package_sha256 = $2, exported_at = $3, handed_over_at = $4,
			handed_over_by = $5, disposal = $6 WHERE id = $1`,
			t.ID, nullString(t.PackageSHA256), nullTime(t.ExportedAt), nullTime(t.HandedOverAt), nullUUID(t.HandedOverBy), nullString(t.Disposal))
		return Translate(err)
	})
}

var _ consent.AttachmentLister = (*ConsentStore)(nil)

// attachmentOfRow is an attachment's id with its entry's.
type attachmentOfRow struct {
	ID      uuid.UUID  `db:"id"`
	EntryID *uuid.UUID `db:"entry_id"`
}

// domain returns the attachment's id and its entry's (uuid.Nil: none).
func (r attachmentOfRow) domain() [2]uuid.UUID { return [2]uuid.UUID{r.ID, deref(r.EntryID)} }

// AttachmentsOf lists the attachments of a dossier with their entries.
func (s *ConsentStore) AttachmentsOf(ctx context.Context, dossierID uuid.UUID) ([][2]uuid.UUID, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, entry_id FROM medical.attachments
		WHERE dossier_id = $1 ORDER BY created_at, id`, dossierID)
	out, err := collect[attachmentOfRow](rows)
	if err != nil {
		return nil, Translate(err)
	}
	return out, nil
}
