package consent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// Sealed is a record as stored: its texts are Vault ciphertext under the
// dossier's key, bound to "<kind>:<id>".
type Sealed[T any] struct {
	Record     T
	Ciphertext string
}

// Change decides a change of a loaded record of a dossier, given the
// caller's emergency access to it, and returns the event to store with it.
type Change[T any] func(d dossier.Dossier, emergencyUntil time.Time, r *T) (audit.Event, error)

// Store keeps consents, information requests, disclosures and transfers
// in schema medical. Every write stores its event in the same transaction;
// every read loads the dossier of employeeID (with callerID's emergency
// access), asks authorize for the event or a denial, stores the event and
// only then returns the records. A dossier or record outside reach is
// derrors.ErrNotFound.
//
// Reading every record of a kind and reading one are different calls: the
// plural reads (Consents, InformationRequests, Disclosures, Transfers)
// return all of the dossier's records of that kind, oldest first; the
// singular ones (Consent, InformationRequest, Disclosure, Transfer) and the
// changes of record id return that record only. An id that names no record
// of the dossier is derrors.ErrNotFound, and no event is stored; uuid.Nil
// never names a record.
type Store interface {
	InsertConsent(ctx context.Context, c Sealed[Consent], expect dossier.Dossier, ev audit.Event) error
	// Consents returns every consent of the dossier, oldest first.
	Consents(ctx context.Context, employeeID, callerID uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, []Sealed[Consent], error)
	// Consent returns consent id of the dossier; derrors.ErrNotFound when
	// the dossier has no consent id.
	Consent(ctx context.Context, employeeID, callerID, id uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, Sealed[Consent], error)
	// UpdateConsent locks consent id and stores its status fields as
	// change leaves them.
	UpdateConsent(ctx context.Context, employeeID, callerID, id uuid.UUID, change Change[Consent]) (Consent, error)
	// SignOnPaper stores the scan of a signed paper form and the change
	// of consent id in one transaction: both or neither. The scan is
	// stored only while the dossier is as scan.Dossier (otherwise
	// derrors.ErrConflict).
	SignOnPaper(ctx context.Context, employeeID, callerID, id uuid.UUID, scan dossier.PendingAttachment, change Change[Consent]) (Consent, error)
	// UnderConsent locks consent id against a change meanwhile and writes
	// the event check returns; an error of check writes nothing.
	UnderConsent(ctx context.Context, employeeID, callerID, id uuid.UUID, check Change[Consent]) error

	InsertInformationRequest(ctx context.Context, r Sealed[InformationRequest], expect dossier.Dossier, ev audit.Event) error
	// InformationRequests returns every information request of the
	// dossier, oldest first.
	InformationRequests(ctx context.Context, employeeID, callerID uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, []Sealed[InformationRequest], error)
	// InformationRequest returns request id of the dossier;
	// derrors.ErrNotFound when the dossier has no request id.
	InformationRequest(ctx context.Context, employeeID, callerID, id uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, Sealed[InformationRequest], error)
	// AnswerInformationRequest stores the answer's entry and the change
	// of request id in one transaction: both or neither. The entry is
	// stored only while the dossier is as answer.Dossier (otherwise
	// derrors.ErrConflict).
	AnswerInformationRequest(ctx context.Context, employeeID, callerID, id uuid.UUID, answer dossier.PendingEntry, change Change[InformationRequest]) (InformationRequest, error)

	InsertDisclosure(ctx context.Context, d Sealed[Disclosure], expect dossier.Dossier, ev audit.Event) error
	// Disclosures returns every disclosure request of the dossier, oldest
	// first.
	Disclosures(ctx context.Context, employeeID, callerID uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, []Sealed[Disclosure], error)
	// Disclosure returns disclosure request id of the dossier;
	// derrors.ErrNotFound when the dossier has no disclosure id.
	Disclosure(ctx context.Context, employeeID, callerID, id uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, Sealed[Disclosure], error)
	UpdateDisclosure(ctx context.Context, employeeID, callerID, id uuid.UUID, change Change[Disclosure]) (Disclosure, error)

	InsertTransfer(ctx context.Context, t Sealed[Transfer], expect dossier.Dossier, ev audit.Event) error
	// Transfers returns every transfer of the dossier, oldest first.
	Transfers(ctx context.Context, employeeID, callerID uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, []Sealed[Transfer], error)
	// Transfer returns transfer id of the dossier; derrors.ErrNotFound
	// when the dossier has no transfer id.
	Transfer(ctx context.Context, employeeID, callerID, id uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, Sealed[Transfer], error)
	UpdateTransfer(ctx context.Context, employeeID, callerID, id uuid.UUID, change Change[Transfer]) (Transfer, error)
}

// Dossiers is what this package needs of the dossier's own rules (see
// dossier.Entries).
type Dossiers interface {
	// Writable returns the dossier of employeeID for a write by a,
	// creating it and its key on the first medical write.
	Writable(ctx context.Context, a access.Actor, employeeID uuid.UUID) (dossier.Dossier, access.DossierAccess, error)
	// Seal encrypts an entry for the dossier without storing it.
	Seal(ctx context.Context, a access.Actor, employeeID uuid.UUID, in dossier.NewEntry) (dossier.PendingEntry, error)
	List(ctx context.Context, a access.Actor, employeeID uuid.UUID, limit int, after *dossier.EntryCursor) ([]dossier.Entry, error)
}

// Cipher is what this package needs of Vault. No call is made inside a
// database transaction.
type Cipher interface {
	Encrypt(ctx context.Context, key string, plaintext, associatedData []byte) (string, error)
	DecryptBatch(ctx context.Context, key string, items []dossier.Sealed) ([][]byte, error)
}

// Subjects finds the employee record of an employee's login.
type Subjects interface {
	// EmployeeOf returns the employee record linked to userID;
	// derrors.ErrNotFound when none.
	EmployeeOf(ctx context.Context, userID uuid.UUID) (uuid.UUID, error)
}

// People names people for consent texts and documents.
type People interface {
	EmployeeName(ctx context.Context, employeeID uuid.UUID) (string, error)
	UserName(ctx context.Context, userID uuid.UUID) (string, error)
}

// Service runs consents, information requests, disclosures and transfers.
type Service struct {
	store       Store
	dossiers    Dossiers
	cipher      Cipher
	subjects    Subjects
	people      People
	attachments Attachments
	lister      AttachmentLister
	closer      Closer
	destroyer   Destroyer
	docs        Documents
	now         func() time.Time
}

// Options wires the service.
type Options struct {
	Store    Store
	Dossiers Dossiers
	Cipher   Cipher
	Subjects Subjects
	People   People
	// Attachments stores the scan of a signed paper form and reads the
	// attachments a transfer takes; Lister lists them.
	Attachments Attachments
	Lister      AttachmentLister
	// Closer closes, and Destroyer destroys, the local dossier after a
	// transfer.
	Closer    Closer
	Destroyer Destroyer
	// Documents renders the consent form, exports and transfer summaries.
	Documents Documents
	Now       func() time.Time
}

// NewService returns the service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{store: o.Store, dossiers: o.Dossiers, cipher: o.Cipher, subjects: o.Subjects, people: o.People,
		attachments: o.Attachments, lister: o.Lister, closer: o.Closer, destroyer: o.Destroyer, docs: o.Documents, now: o.Now}
}

func (s *Service) today() time.Time {
	t, _ := time.Parse(time.DateOnly, access.Today(s.now()))
	return t
}

// seal encrypts v as JSON under the dossier's key, bound to kind and id.
func (s *Service) seal(ctx context.Context, d dossier.Dossier, kind dossier.CiphertextKind, id uuid.UUID, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	ct, err := s.cipher.Encrypt(ctx, d.KeyName, b, kind.AssociatedData(id))
	clear(b)
	if err != nil {
		return "", fmt.Errorf("encrypt: %w", err)
	}
	return ct, nil
}

// sealing says how the records of one kind are sealed: their Vault
// ciphertext kind, the id each text is bound to, and how an opened text
// fills its record in.
type sealing[T any] struct {
	kind dossier.CiphertextKind
	id   func(T) uuid.UUID
	fill func(*T, []byte) error
}

// sealedJSON is the sealing of records whose texts are the JSON of a
// secret S, which set copies into the record.
func sealedJSON[T, S any](kind dossier.CiphertextKind, id func(T) uuid.UUID, set func(*T, S)) sealing[T] {
	return sealing[T]{kind: kind, id: id, fill: func(r *T, b []byte) error {
		var sec S
		if err := json.Unmarshal(b, &sec); err != nil {
			return err
		}
		set(r, sec)
		return nil
	}}
}

// open decrypts the sealed texts of records of dossier d in one Vault
// call and fills them into the records. A text that does not open under
// the dossier's key and the record's id, or opens to something else than
// was stored, is an integrity fault of the store (never
// derrors.ErrInvalid); Vault down is derrors.ErrUnavailable.
func (k sealing[T]) open(ctx context.Context, c Cipher, d dossier.Dossier, rs []Sealed[T]) ([]T, error) {
	out := make([]T, len(rs))
	if len(rs) == 0 {
		return out, nil
	}
	items := make([]dossier.Sealed, len(rs))
	for i, r := range rs {
		items[i] = dossier.Sealed{Ciphertext: r.Ciphertext, AssociatedData: k.kind.AssociatedData(k.id(r.Record))}
	}
	pts, err := c.DecryptBatch(ctx, d.KeyName, items)
	if errors.Is(err, derrors.ErrInvalid) {
		// A ciphertext that does not open under this dossier's key and id:
		// an integrity fault of the store, never the caller's input.
		return nil, fmt.Errorf("consent: a %s of dossier %s does not open under its key and id: %v", k.kind, d.ID, err)
	}
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	for i, r := range rs {
		out[i] = r.Record
		err := k.fill(&out[i], pts[i])
		clear(pts[i])
		if err != nil {
			return nil, fmt.Errorf("consent: a sealed %s is not what was stored: %w", k.kind, err)
		}
	}
	return out, nil
}

// openOne is open for one record.
func (k sealing[T]) openOne(ctx context.Context, c Cipher, d dossier.Dossier, r Sealed[T]) (T, error) {
	out, err := k.open(ctx, c, d, []Sealed[T]{r})
	if err != nil {
		var zero T
		return zero, err
	}
	return out[0], nil
}

// readAll is a store's read of every record of one kind in the dossier of
// employeeID (see Store).
type readAll[T any] func(ctx context.Context, employeeID, callerID uuid.UUID, authorize dossier.Authorize) (dossier.Dossier, []Sealed[T], error)

// list reads every record of one kind in the dossier of employeeID with
// read, for a as authorize decides (which also gives the read's event),
// and opens their texts in one Vault call, oldest first. The errors of the
// read (a dossier out of reach is derrors.ErrNotFound) and of open are
// returned wrapped with op.
func list[T any](ctx context.Context, s *Service, k sealing[T], read readAll[T], a access.Actor, employeeID uuid.UUID,
	authorize dossier.Authorize, op string) ([]T, error) {
	d, rs, err := read(ctx, employeeID, a.UserID(), authorize)
	if err != nil {
		return nil, fmt.Errorf("consent: %s: %w", op, err)
	}
	out, err := k.open(ctx, s.cipher, d, rs)
	if err != nil {
		return nil, fmt.Errorf("consent: %s: %w", op, err)
	}
	return out, nil
}

func event(a access.Actor, onBehalf uuid.UUID, action audit.Action, d dossier.Dossier, kind string, id uuid.UUID) audit.Event {
	return audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), OnBehalfOf: onBehalf,
		SubjectEmployeeID: d.EmployeeID, Action: action, ObjectKind: kind, ObjectID: id.String(),
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP}
}

// inCare returns an authorize func for a read of record id of kind by a:
// the dossier's own rule (responsible, substitute, assistant for them,
// emergency).
func (s *Service) inCare(a access.Actor, action audit.Action, kind string, id uuid.UUID) dossier.Authorize {
	return s.inCareOf(a, action, kind, func(dossier.Dossier) uuid.UUID { return id })
}

// inCareList is inCare for a read of every record of kind in a dossier:
// the event names the dossier.
func (s *Service) inCareList(a access.Actor, action audit.Action, kind string) dossier.Authorize {
	return s.inCareOf(a, action, kind, func(d dossier.Dossier) uuid.UUID { return d.ID })
}

func (s *Service) inCareOf(a access.Actor, action audit.Action, kind string, object func(dossier.Dossier) uuid.UUID) dossier.Authorize {
	now := s.now()
	return func(d dossier.Dossier, until time.Time) (audit.Event, error) {
		acc, err := a.Dossier(d.ResponsiblePhysicianID, until, now)
		if err != nil {
			return audit.Event{}, err
		}
		return event(a, acc.OnBehalfOf, action, d, kind, object(d)), nil
	}
}

// create makes a new record of kind in the dossier of employeeID for a
// write by a: build makes it from the dossier and the caller's access and
// names its id and its secret texts, which are sealed before insert stores
// the record with its event (objectKind, create).
func create[T any](ctx context.Context, s *Service, a access.Actor, employeeID uuid.UUID, kind dossier.CiphertextKind, objectKind string,
	build func(d dossier.Dossier, acc access.DossierAccess) (T, uuid.UUID, any, error),
	insert func(context.Context, Sealed[T], dossier.Dossier, audit.Event) error) (T, error) {
	var zero T
	d, acc, err := s.dossiers.Writable(ctx, a, employeeID)
	if err != nil {
		return zero, err
	}
	r, id, secret, err := build(d, acc)
	if err != nil {
		return zero, err
	}
	ct, err := s.seal(ctx, d, kind, id, secret)
	if err != nil {
		return zero, err
	}
	if err := insert(ctx, Sealed[T]{Record: r, Ciphertext: ct}, d, event(a, acc.OnBehalfOf, audit.ActionCreate, d, objectKind, id)); err != nil {
		return zero, err
	}
	return r, nil
}

type consentSecret struct {
	Recipient   Party  `json:"recipient"`
	PurposeText string `json:"purpose_text,omitempty"`
}

// consents is how consents are sealed.
var consents = sealedJSON(dossier.CiphertextConsent, func(c Consent) uuid.UUID { return c.ID },
	func(c *Consent, sec consentSecret) { c.Recipient, c.PurposeText = sec.Recipient, sec.PurposeText })

// Prepare prepares a targeted consent for the employee to sign, by the
// physician in the dossier's care or an assistant for them, creating the
// dossier on the first medical write. Bad input is derrors.FieldErrors; a
// dossier outside the caller's care derrors.ErrNotFound; Vault down
// derrors.ErrUnavailable.
func (s *Service) Prepare(ctx context.Context, a access.Actor, employeeID uuid.UUID, in NewConsent) (Consent, error) {
	if err := in.check(s.today()); err != nil {
		return Consent{}, err
	}
	c, err := create(ctx, s, a, employeeID, dossier.CiphertextConsent, "consent",
		func(d dossier.Dossier, acc access.DossierAccess) (Consent, uuid.UUID, any, error) {
			c := Consent{ID: uuid.New(), DossierID: d.ID, EmployeeID: employeeID, RecipientKind: in.RecipientKind,
				Recipient: in.Recipient, Purpose: in.Purpose, PurposeText: in.PurposeText, Scope: in.Scope.normal(),
				ExpiresOn: in.ExpiresOn, PreparedBy: a.UserID(), OnBehalfOf: acc.OnBehalfOf,
				PreparedAt: s.now().UTC().Truncate(time.Microsecond), Status: StatusPrepared}
			return c, c.ID, consentSecret{Recipient: c.Recipient, PurposeText: c.PurposeText}, nil
		}, s.store.InsertConsent)
	if err != nil {
		return Consent{}, fmt.Errorf("consent: prepare: %w", err)
	}
	return c, nil
}

// List returns the consents of employeeID's dossier, oldest first, for
// those in its care, decrypted in one call and audited as a read. A
// dossier outside the caller's care is derrors.ErrNotFound.
func (s *Service) List(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]Consent, error) {
	return list(ctx, s, consents, s.store.Consents, a, employeeID, s.inCareList(a, audit.ActionRead, "consents"), "list")
}

// get returns consent id of employeeID's dossier for those in its care,
// audited as action (read, or print for the form). A consent the dossier
// does not have is derrors.ErrNotFound.
func (s *Service) get(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, action audit.Action) (dossier.Dossier, Consent, error) {
	d, r, err := s.store.Consent(ctx, employeeID, a.UserID(), id, s.inCare(a, action, "consent", id))
	if err != nil {
		return dossier.Dossier{}, Consent{}, err
	}
	c, err := consents.openOne(ctx, s.cipher, d, r)
	if err != nil {
		return dossier.Dossier{}, Consent{}, err
	}
	return d, c, nil
}

// names returns who consent c's text names.
func (s *Service) names(ctx context.Context, c Consent) (Names, error) {
	emp, err := s.people.EmployeeName(ctx, c.EmployeeID)
	if err != nil {
		return Names{}, err
	}
	physician := c.PreparedBy
	if c.OnBehalfOf != uuid.Nil {
		physician = c.OnBehalfOf
	}
	doc, err := s.people.UserName(ctx, physician)
	if err != nil {
		return Names{}, err
	}
	return Names{Employee: emp, Physician: doc}, nil
}

// Form renders the consent form of one consent as PDF, for those in the
// dossier's care to print and have signed on paper; audited as a print.
func (s *Service) Form(ctx context.Context, a access.Actor, employeeID, id uuid.UUID) ([]byte, error) {
	_, c, err := s.get(ctx, a, employeeID, id, audit.ActionPrint)
	if err != nil {
		return nil, fmt.Errorf("consent: form: %w", err)
	}
	n, err := s.names(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("consent: form: %w", err)
	}
	b, err := s.docs.ConsentForm(FormDocument{Consent: c, Names: n, Text: c.Text(n), GeneratedAt: s.now().UTC()})
	if err != nil {
		return nil, fmt.Errorf("consent: form: %w", err)
	}
	return b, nil
}

// Attachments seals and reads encrypted attachments of a dossier (see
// dossier.Attachments): the scan of a signed paper form, and what a
// transfer takes.
type Attachments interface {
	// Seal encrypts an attachment for the dossier without storing it.
	Seal(ctx context.Context, a access.Actor, employeeID uuid.UUID, in dossier.Attachment) (dossier.PendingAttachment, error)
	Get(ctx context.Context, a access.Actor, employeeID, id uuid.UUID) (dossier.Attachment, error)
}

// RegisterPaper records that the employee signed consent id on paper on
// signedOn, with the scan stored as an encrypted attachment; the form's
// text is what was signed. Only a prepared consent is signed (otherwise
// derrors.ErrConflict); a date in the future or before the consent was
// prepared, or a bad scan, is derrors.FieldErrors.
func (s *Service) RegisterPaper(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, signedOn time.Time, scan dossier.Attachment) (Consent, error) {
	if signedOn.IsZero() || signedOn.After(s.today()) {
		return Consent{}, derrors.FieldErrors{"signed_on": "is required and must not be in the future"}
	}
	_, c, err := s.get(ctx, a, employeeID, id, audit.ActionRead)
	if err != nil {
		return Consent{}, fmt.Errorf("consent: register paper: %w", err)
	}
	prepared, _ := time.Parse(time.DateOnly, access.Today(c.PreparedAt))
	switch {
	case c.Status != StatusPrepared:
		return Consent{}, fmt.Errorf("consent: the consent is %s: %w", c.Status, derrors.ErrConflict)
	case signedOn.Before(prepared):
		return Consent{}, derrors.FieldErrors{"signed_on": "must not be before the consent was prepared"}
	}
	n, err := s.names(ctx, c)
	if err != nil {
		return Consent{}, fmt.Errorf("consent: register paper: %w", err)
	}
	hash := TextHash(c.Text(n))
	// The scan is sealed outside any transaction and stored with the
	// signature in one: a form signed meanwhile leaves no scan behind.
	att, err := s.attachments.Seal(ctx, a, employeeID, scan)
	if err != nil {
		return Consent{}, fmt.Errorf("consent: register paper: %w", err)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	out, err := s.store.SignOnPaper(ctx, employeeID, a.UserID(), id, att, func(d dossier.Dossier, until time.Time, c *Consent) (audit.Event, error) {
		acc, err := a.Dossier(d.ResponsiblePhysicianID, until, s.now())
		if err != nil {
			return audit.Event{}, err
		}
		if c.Status != StatusPrepared {
			return audit.Event{}, fmt.Errorf("consent: the consent is %s: %w", c.Status, derrors.ErrConflict)
		}
		c.Status, c.SignedAt, c.SignedOn, c.SignedVia, c.TextSHA256, c.ScanID = StatusSigned, now, signedOn, "paper", hash, att.Attachment.ID
		return event(a, acc.OnBehalfOf, audit.ActionUpdate, d, "consent", c.ID), nil
	})
	if err != nil {
		return Consent{}, fmt.Errorf("consent: register paper: %w", err)
	}
	out.Recipient, out.PurposeText = c.Recipient, c.PurposeText
	return out, nil
}

// Revoke revokes consent id for those in the dossier's care (the employee
// revoked it by letter or at the consultation); from then on it no longer
// counts. A consent revoked already is derrors.ErrConflict.
func (s *Service) Revoke(ctx context.Context, a access.Actor, employeeID, id uuid.UUID) (Consent, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	out, err := s.store.UpdateConsent(ctx, employeeID, a.UserID(), id, func(d dossier.Dossier, until time.Time, c *Consent) (audit.Event, error) {
		acc, err := a.Dossier(d.ResponsiblePhysicianID, until, s.now())
		if err != nil {
			return audit.Event{}, err
		}
		return revoke(c, a, now, event(a, acc.OnBehalfOf, audit.ActionUpdate, d, "consent", c.ID))
	})
	if err != nil {
		return Consent{}, fmt.Errorf("consent: revoke: %w", err)
	}
	return out, nil
}

func revoke(c *Consent, a access.Actor, now time.Time, ev audit.Event) (audit.Event, error) {
	if c.Status == StatusRevoked {
		return audit.Event{}, fmt.Errorf("consent: revoked already: %w", derrors.ErrConflict)
	}
	c.Status, c.RevokedAt, c.RevokedBy = StatusRevoked, now, a.UserID()
	return ev, nil
}

// Own is a consent as its employee sees it: with the exact text to sign
// and the text's SHA-256.
type Own struct {
	Consent
	Text, TextSHA256 string
}

// own returns the caller's employee record, or derrors.ErrNotFound.
func (s *Service) own(ctx context.Context, a access.Actor) (uuid.UUID, error) {
	if a.Role != access.RoleEmployee {
		return uuid.Nil, fmt.Errorf("consent: not an employee: %w", derrors.ErrNotFound)
	}
	return s.subjects.EmployeeOf(ctx, a.UserID())
}

// ofSubject is an authorize func for the employee's own reads.
func ofSubject(a access.Actor, action audit.Action, kind string) dossier.Authorize {
	return func(d dossier.Dossier, _ time.Time) (audit.Event, error) {
		return event(a, uuid.Nil, action, d, kind, d.ID), nil
	}
}

// Mine returns the consents of the caller's own dossier with their texts,
// audited as a read. An employee without a record or a dossier is
// derrors.ErrNotFound.
func (s *Service) Mine(ctx context.Context, a access.Actor) ([]Own, error) {
	employeeID, err := s.own(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("consent: mine: %w", err)
	}
	cs, err := list(ctx, s, consents, s.store.Consents, a, employeeID, ofSubject(a, audit.ActionRead, "consents"), "mine")
	if err != nil {
		return nil, err
	}
	out, err := s.withTexts(ctx, cs)
	if err != nil {
		return nil, fmt.Errorf("consent: mine: %w", err)
	}
	return out, nil
}

// myConsent returns the caller's own consent id with its text, audited as
// a read of their consents. A consent that is not theirs, or none, is
// derrors.ErrNotFound.
func (s *Service) myConsent(ctx context.Context, a access.Actor, id uuid.UUID) (Own, error) {
	employeeID, err := s.own(ctx, a)
	if err != nil {
		return Own{}, err
	}
	d, r, err := s.store.Consent(ctx, employeeID, a.UserID(), id, ofSubject(a, audit.ActionRead, "consents"))
	if err != nil {
		return Own{}, err
	}
	c, err := consents.openOne(ctx, s.cipher, d, r)
	if err != nil {
		return Own{}, err
	}
	out, err := s.withTexts(ctx, []Consent{c})
	if err != nil {
		return Own{}, err
	}
	return out[0], nil
}

// withTexts adds to opened consents the text each asks the employee to
// sign.
func (s *Service) withTexts(ctx context.Context, cs []Consent) ([]Own, error) {
	out := make([]Own, 0, len(cs))
	for _, c := range cs {
		n, err := s.names(ctx, c)
		if err != nil {
			return nil, err
		}
		t := c.Text(n)
		out = append(out, Own{Consent: c, Text: t, TextSHA256: TextHash(t)})
	}
	return out, nil
}

// Sign signs consent id as the employee it is about, in the portal: the
// caller sends the SHA-256 of the text they were shown, which must be the
// consent's text as it is now (derrors.ErrConflict otherwise: the text
// changed), and it is stored with the signature. Someone else's consent is
// derrors.ErrNotFound; one not prepared derrors.ErrConflict.
func (s *Service) Sign(ctx context.Context, a access.Actor, id uuid.UUID, textSHA256 string) (Consent, error) {
	if len(textSHA256) != 64 {
		return Consent{}, derrors.FieldErrors{"text_sha256": "must be the hex SHA-256 of the consent text shown"}
	}
	c, err := s.myConsent(ctx, a, id)
	if err != nil {
		return Consent{}, fmt.Errorf("consent: sign: %w", err)
	}
	switch {
	case c.Status != StatusPrepared:
		return Consent{}, fmt.Errorf("consent: sign: the consent is %s: %w", c.Status, derrors.ErrConflict)
	case c.TextSHA256 != textSHA256:
		return Consent{}, fmt.Errorf("consent: sign: the text signed is not the consent's text: %w", derrors.ErrConflict)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	today := s.today()
	out, err := s.store.UpdateConsent(ctx, c.EmployeeID, a.UserID(), id, func(d dossier.Dossier, _ time.Time, x *Consent) (audit.Event, error) {
		if x.Status != StatusPrepared {
			return audit.Event{}, fmt.Errorf("consent: the consent is %s: %w", x.Status, derrors.ErrConflict)
		}
		x.Status, x.SignedAt, x.SignedOn, x.SignedVia, x.TextSHA256 = StatusSigned, now, today, "portal", textSHA256
		return event(a, uuid.Nil, audit.ActionUpdate, d, "consent", x.ID), nil
	})
	if err != nil {
		return Consent{}, fmt.Errorf("consent: sign: %w", err)
	}
	out.Recipient, out.PurposeText = c.Recipient, c.PurposeText
	return out, nil
}

// RevokeMine revokes one of the caller's own consents, at any time.
// Someone else's is derrors.ErrNotFound; one revoked already
// derrors.ErrConflict.
func (s *Service) RevokeMine(ctx context.Context, a access.Actor, id uuid.UUID) (Consent, error) {
	employeeID, err := s.own(ctx, a)
	if err != nil {
		return Consent{}, fmt.Errorf("consent: revoke: %w", err)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	out, err := s.store.UpdateConsent(ctx, employeeID, a.UserID(), id, func(d dossier.Dossier, _ time.Time, c *Consent) (audit.Event, error) {
		return revoke(c, a, now, event(a, uuid.Nil, audit.ActionUpdate, d, "consent", c.ID))
	})
	if err != nil {
		return Consent{}, fmt.Errorf("consent: revoke: %w", err)
	}
	return out, nil
}
