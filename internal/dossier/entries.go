package dossier

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/text"
)

// EntryKind is the kind of a medical entry (DESIGN §5).
type EntryKind string

// The entry kinds.
const (
	KindConsultation          EntryKind = "consultation"
	KindNote                  EntryKind = "note"
	KindDiagnosis             EntryKind = "diagnosis"
	KindTreatingPhysicianInfo EntryKind = "treating_physician_info"
	KindExamination           EntryKind = "examination"
	KindOwnStatement          EntryKind = "own_statement"
	// KindWorkingNote is the physician's personal working note: readable
	// by its author only, never released, not part of an inspection (the
	// rules AuthorOnly, ReadableBy and Releasable in secrecy.go).
	KindWorkingNote EntryKind = "working_note"
)

// EntryKinds lists every entry kind.
var EntryKinds = []EntryKind{KindConsultation, KindNote, KindDiagnosis, KindTreatingPhysicianInfo,
	KindExamination, KindOwnStatement, KindWorkingNote}

// Valid reports whether k is one of the entry kinds.
func (k EntryKind) Valid() bool {
	for _, x := range EntryKinds {
		if x == k {
			return true
		}
	}
	return false
}

// MaxEntryRunes bounds the text of one entry.
const MaxEntryRunes = 20000

// MaxEntriesPage bounds one page of entries (one Vault batch call).
const MaxEntriesPage = 200

// Entry is one version of a medical entry as its reader sees it.
type Entry struct {
	ID         uuid.UUID
	DossierID  uuid.UUID
	Kind       EntryKind
	AuthorID   uuid.UUID
	OnBehalfOf uuid.UUID
	OccurredOn time.Time
	CreatedAt  time.Time
	// Supersedes is the version this one corrects (uuid.Nil for version 1);
	// SupersededBy the one that corrects it, if any.
	Supersedes   uuid.UUID
	SupersededBy uuid.UUID
	Version      int
	// Concerns is the entry an own statement is about (uuid.Nil: none).
	Concerns uuid.UUID
	Text     string
}

// SealedEntry is an entry as stored: its text is Vault ciphertext under the
// dossier's key, bound to the entry id.
type SealedEntry struct {
	Entry
	Ciphertext string
	KeyVersion int
}

// Subject is what the HR side tells the dossier about an employee: their
// employer and that employer's assigned physician (uuid.Nil when none).
type Subject struct {
	EmployeeID  uuid.UUID
	EmployerID  uuid.UUID
	PhysicianID uuid.UUID
}

// Subjects looks up employees on the HR side.
type Subjects interface {
	// Subject returns the employer and assigned physician of employeeID;
	// an unknown employee is derrors.ErrNotFound.
	Subject(ctx context.Context, employeeID uuid.UUID) (Subject, error)
}

// Sealed is a ciphertext with the associated data it is bound to.
type Sealed struct {
	Ciphertext     string
	AssociatedData []byte
}

// EntryCipher is what entries need of Vault's transit engine. No method is
// called inside a database transaction.
type EntryCipher interface {
	// CreateKey creates the non-exportable key name; it is idempotent.
	CreateKey(ctx context.Context, name string) error
	Encrypt(ctx context.Context, key string, plaintext, associatedData []byte) (string, error)
	// DecryptBatch decrypts all items in one call, in order; any item that
	// fails fails the call.
	DecryptBatch(ctx context.Context, key string, items []Sealed) ([][]byte, error)
}

// Authorize decides a caller's access to a loaded dossier and returns the
// audit event to write with the access, or an error that stops it.
type Authorize func(d Dossier, emergencyUntil time.Time) (audit.Event, error)

// EntryQuery selects a page of a dossier's current entries for a reader.
type EntryQuery struct {
	// ReaderID sees the entries ReadableBy allows them: their own working
	// notes and nobody else's.
	ReaderID uuid.UUID
	Limit    int
	// After is the keyset position: entries created after it.
	After *EntryCursor
}

// EntryCursor is the keyset position after the last entry of a page.
type EntryCursor struct {
	CreatedAt time.Time
	ID        uuid.UUID
}

// EntryStore persists entries in schema medical. Each method that returns
// content writes the event authorize returns in the same transaction, and
// only then returns.
type EntryStore interface {
	// Lookup returns the dossier of employeeID and the end of callerID's
	// emergency access to it, writing nothing; no dossier is
	// derrors.ErrNotFound.
	Lookup(ctx context.Context, employeeID, callerID uuid.UUID) (Dossier, time.Time, error)
	// Open returns the dossier of employeeID, creating it (responsible
	// physicianID, key name dossier-<id>-g1, key not ready) when there is
	// none; creating races resolve to the one dossier.
	Open(ctx context.Context, employeeID, physicianID uuid.UUID) (Dossier, error)
	// MarkKeyReady records that the dossier's current key exists in Vault.
	MarkKeyReady(ctx context.Context, dossierID uuid.UUID) error
	// InsertEntry stores e with its event ev at once, provided the
	// dossier still has expect's key, responsible physician and open
	// status, and a corrected version is in the same dossier; otherwise
	// derrors.ErrConflict and nothing is written. A version corrected
	// already is derrors.ErrConflict too.
	InsertEntry(ctx context.Context, e SealedEntry, expect Dossier, ev audit.Event) error
	// Entries returns a page of the current (not superseded) entries of
	// employeeID's dossier, oldest first, with the dossier.
	Entries(ctx context.Context, employeeID uuid.UUID, q EntryQuery, authorize Authorize) (Dossier, []SealedEntry, error)
	// Entry returns one version of an entry of employeeID's dossier with
	// the dossier; an entry of another dossier is derrors.ErrNotFound.
	Entry(ctx context.Context, employeeID, entryID, callerID uuid.UUID, authorize func(d Dossier, emergencyUntil time.Time, e SealedEntry) (audit.Event, error)) (Dossier, SealedEntry, error)
}

// Entries runs the medical entries of dossiers.
type Entries struct {
	store    EntryStore
	subjects Subjects
	cipher   EntryCipher
	now      func() time.Time
	cache    *writeCache
}

// NewEntries returns the entries service; now defaults to time.Now.
func NewEntries(store EntryStore, subjects Subjects, cipher EntryCipher, now func() time.Time) *Entries {
	if now == nil {
		now = time.Now
	}
	return &Entries{store: store, subjects: subjects, cipher: cipher, now: now, cache: newWriteCache(writeCacheTTL, writeCacheMax)}
}

// NewEntry is the input of Create.
type NewEntry struct {
	Kind       EntryKind
	Text       string
	OccurredOn time.Time
}

func validText(fe derrors.FieldErrors, s string) {
	switch {
	case strings.TrimSpace(s) == "":
		fe.Add("text", "is required")
	case !utf8.ValidString(s):
		fe.Add("text", text.ReasonUTF8)
	case utf8.RuneCountInString(s) > MaxEntryRunes:
		fe.Add("text", fmt.Sprintf("must be at most %d characters", MaxEntryRunes))
	case !text.Valid(s, text.Multiline):
		fe.Add("text", text.ReasonControl)
	}
}

// access checks that a may act on dossier d (responsible, substitute,
// assistant for the responsible physician, or lead physician in an
// emergency) and, for a write of kind, that an assistant may write it.
func accessOf(a access.Actor, d Dossier, emergencyUntil, now time.Time, write bool, kind EntryKind) (access.DossierAccess, error) {
	acc, err := a.Dossier(d.ResponsiblePhysicianID, emergencyUntil, now)
	if err != nil {
		return acc, err
	}
	if write && acc.Capacity == access.CapacityAssistant && !kind.AssistantMayWrite() {
		return acc, fmt.Errorf("dossier: an assistant may not write %s: %w", kind, derrors.ErrForbidden)
	}
	return acc, nil
}

func entryEvent(a access.Actor, acc access.DossierAccess, action audit.Action, d Dossier, kind string, objectID uuid.UUID) audit.Event {
	return audit.Event{
		ActorUserID: a.UserID(), ActorRole: string(a.Role), OnBehalfOf: acc.OnBehalfOf,
		SubjectEmployeeID: d.EmployeeID, Action: action, ObjectKind: kind, ObjectID: objectID.String(),
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP,
	}
}

// ensureDossier returns the dossier of employeeID with its key created in
// Vault, creating the dossier on the first medical write by a caller who
// acts for the employer's assigned physician. A caller outside the
// dossier's care, an unknown employee, or an employer without an assigned
// physician is derrors.ErrNotFound; nothing is created for them.
func (s *Entries) ensureDossier(ctx context.Context, a access.Actor, employeeID uuid.UUID, kind EntryKind) (Dossier, access.DossierAccess, error) {
	now := s.now()
	var acc access.DossierAccess
	d, until, err := s.store.Lookup(ctx, employeeID, a.UserID())
	switch {
	case errors.Is(err, derrors.ErrNotFound):
		subj, err := s.subjects.Subject(ctx, employeeID)
		if err != nil {
			return Dossier{}, acc, err
		}
		if subj.PhysicianID == uuid.Nil {
			return Dossier{}, acc, fmt.Errorf("dossier: the employer has no assigned physician: %w", derrors.ErrNotFound)
		}
		// Only someone who may write into the dossier-to-be creates it.
		if acc, err = accessOf(a, Dossier{ResponsiblePhysicianID: subj.PhysicianID}, time.Time{}, now, true, kind); err != nil {
			return Dossier{}, acc, err
		}
		if d, err = s.store.Open(ctx, employeeID, subj.PhysicianID); err != nil {
			return Dossier{}, acc, err
		}
		// Another writer may have created it first, for another physician.
		if acc, err = accessOf(a, d, time.Time{}, now, true, kind); err != nil {
			return Dossier{}, acc, err
		}
	case err != nil:
		return Dossier{}, acc, err
	default:
		if acc, err = accessOf(a, d, until, now, true, kind); err != nil {
			return Dossier{}, acc, err
		}
	}
	if d.Status != "open" {
		return Dossier{}, acc, fmt.Errorf("dossier: the dossier is %s: %w", d.Status, derrors.ErrConflict)
	}
	if d.KeyReadyAt.IsZero() {
		// The dossier row exists first, so a key never lacks its dossier;
		// creating it again is harmless.
		if err := s.cipher.CreateKey(ctx, d.KeyName); err != nil {
			return Dossier{}, acc, fmt.Errorf("dossier: create key: %w", err)
		}
		if err := s.store.MarkKeyReady(ctx, d.ID); err != nil {
			return Dossier{}, acc, err
		}
	}
	return d, acc, nil
}

// Create writes a new entry into the dossier of employeeID, creating the
// dossier and its Vault key on the first write. The text is encrypted
// (bound to the entry id) before anything is stored, and the write is
// audited in the same transaction. Bad input is derrors.FieldErrors; a
// dossier outside the caller's care is derrors.ErrNotFound; an assistant
// writing a diagnosis or working note is derrors.ErrForbidden; a closed
// dossier, or one whose key changed meanwhile, is derrors.ErrConflict;
// Vault down is derrors.ErrUnavailable.
func (s *Entries) Create(ctx context.Context, a access.Actor, employeeID uuid.UUID, in NewEntry) (Entry, error) {
	e, err := s.newEntry(a, in)
	if err != nil {
		return Entry{}, err
	}
	if err := s.write(ctx, a, employeeID, &e); err != nil {
		return Entry{}, fmt.Errorf("dossier: create entry: %w", err)
	}
	return e, nil
}

// newEntry validates in and returns the entry a writes with it.
func (s *Entries) newEntry(a access.Actor, in NewEntry) (Entry, error) {
	fe := derrors.FieldErrors{}
	if !in.Kind.Valid() {
		fe.Add("kind", "must be one of consultation, note, diagnosis, treating_physician_info, examination, own_statement, working_note")
	}
	validText(fe, in.Text)
	if today, _ := time.Parse(time.DateOnly, access.Today(s.now())); !in.OccurredOn.IsZero() && in.OccurredOn.After(today) {
		fe.Add("occurred_on", "must not be in the future")
	}
	if err := fe.Err(); err != nil {
		return Entry{}, err
	}
	return Entry{ID: uuid.New(), Kind: in.Kind, AuthorID: a.UserID(), OccurredOn: in.OccurredOn,
		CreatedAt: s.now().UTC().Truncate(time.Microsecond), Version: 1, Text: in.Text}, nil
}

// PendingEntry is an entry encrypted for a dossier but not stored yet: the
// store of another record of the dossier stores it together with its own
// change, in one transaction, guarded as EntryStore.InsertEntry guards.
type PendingEntry struct {
	Entry SealedEntry
	// Dossier is the dossier as the caller's access to it was decided;
	// the entry is stored only while the dossier still has its key,
	// responsible physician and open status.
	Dossier Dossier
	// Event is the audit event of the write.
	Event audit.Event
}

// Seal validates in and encrypts it for employeeID's dossier as a would
// write it, creating the dossier and its key on the first medical write,
// without storing it. The errors are those of Create.
func (s *Entries) Seal(ctx context.Context, a access.Actor, employeeID uuid.UUID, in NewEntry) (PendingEntry, error) {
	e, err := s.newEntry(a, in)
	if err != nil {
		return PendingEntry{}, err
	}
	d, acc, err := s.ensureDossier(ctx, a, employeeID, e.Kind)
	if err != nil {
		return PendingEntry{}, fmt.Errorf("dossier: seal entry: %w", err)
	}
	e.DossierID, e.OnBehalfOf = d.ID, acc.OnBehalfOf
	se, ev, err := s.seal(ctx, a, acc, d, e)
	if err != nil {
		return PendingEntry{}, fmt.Errorf("dossier: seal entry: %w", err)
	}
	return PendingEntry{Entry: se, Dossier: d, Event: ev}, nil
}

// writable returns the dossier of employeeID for a write of kind by a, with
// the caller's access to it: from the write cache when it holds the dossier
// and the caller acts for its responsible physician (cached reports so),
// otherwise from the store, creating the dossier and its key on the first
// write. The errors are those of ensureDossier.
func (s *Entries) writable(ctx context.Context, a access.Actor, employeeID uuid.UUID, kind EntryKind) (d Dossier, acc access.DossierAccess, cached bool, err error) {
	now := s.now()
	if d, ok := s.cache.get(employeeID, now); ok {
		// Emergency access is never cached: a zero end decides without it.
		if acc, err := accessOf(a, d, time.Time{}, now, true, kind); err == nil {
			return d, acc, true, nil
		}
	}
	d, acc, err = s.ensureDossier(ctx, a, employeeID, kind)
	if err != nil {
		return Dossier{}, acc, false, err
	}
	s.cache.put(d, now)
	return d, acc, false, nil
}

// write encrypts and stores e in the dossier of employeeID. A write decided
// on a cached dossier that fails (the store refuses it as changed, or its
// key is gone after a destruction) is decided again from the store, once;
// Vault being down is not retried.
func (s *Entries) write(ctx context.Context, a access.Actor, employeeID uuid.UUID, e *Entry) error {
	d, acc, cached, err := s.writable(ctx, a, employeeID, e.Kind)
	if err != nil {
		return err
	}
	e.DossierID, e.OnBehalfOf = d.ID, acc.OnBehalfOf
	err = s.insert(ctx, a, acc, d, *e)
	if err != nil {
		s.cache.forget(employeeID)
		if cached && !errors.Is(err, derrors.ErrUnavailable) {
			if d, acc, err = s.ensureDossier(ctx, a, employeeID, e.Kind); err != nil {
				return err
			}
			e.DossierID, e.OnBehalfOf = d.ID, acc.OnBehalfOf
			err = s.insert(ctx, a, acc, d, *e)
		}
	}
	return err
}

// insert encrypts e under the dossier's key, outside any transaction, and
// stores it with its event, provided the dossier has not changed since the
// caller's access to it was decided.
func (s *Entries) insert(ctx context.Context, a access.Actor, acc access.DossierAccess, d Dossier, e Entry) error {
	se, ev, err := s.seal(ctx, a, acc, d, e)
	if err != nil {
		return err
	}
	return s.store.InsertEntry(ctx, se, d, ev)
}

// seal encrypts e under the dossier's key with its id as associated data
// and returns it with the event of writing it.
func (s *Entries) seal(ctx context.Context, a access.Actor, acc access.DossierAccess, d Dossier, e Entry) (SealedEntry, audit.Event, error) {
	ct, err := s.cipher.Encrypt(ctx, d.KeyName, []byte(e.Text), []byte(e.ID.String()))
	if err != nil {
		return SealedEntry{}, audit.Event{}, fmt.Errorf("encrypt: %w", err)
	}
	kv, err := keyVersion(ct)
	if err != nil {
		return SealedEntry{}, audit.Event{}, err
	}
	action := audit.ActionCreate
	if e.Supersedes != uuid.Nil {
		action = audit.ActionUpdate
	}
	return SealedEntry{Entry: e, Ciphertext: ct, KeyVersion: kv}, entryEvent(a, acc, action, d, "dossier_entry", e.ID), nil
}

// keyVersion reads n from a "vault:v<n>:" ciphertext.
func keyVersion(ct string) (int, error) {
	rest, ok := strings.CutPrefix(ct, "vault:v")
	if !ok {
		return 0, errors.New("dossier: ciphertext without a key version")
	}
	n := 0
	for i := 0; i < len(rest) && rest[i] != ':'; i++ {
		if rest[i] < '0' || rest[i] > '9' || n > 1_000_000 {
			return 0, errors.New("dossier: ciphertext with a bad key version")
		}
		n = n*10 + int(rest[i]-'0')
	}
	if n < 1 {
		return 0, errors.New("dossier: ciphertext with a bad key version")
	}
	return n, nil
}

// Correct writes a corrected version of an entry: a new entry of the same
// kind pointing to the version it corrects, which stays as it was. Only the
// current version can be corrected (derrors.ErrConflict otherwise); a
// working note only by its author. The other errors are those of Create.
func (s *Entries) Correct(ctx context.Context, a access.Actor, employeeID, entryID uuid.UUID, text string) (Entry, error) {
	fe := derrors.FieldErrors{}
	validText(fe, text)
	if err := fe.Err(); err != nil {
		return Entry{}, err
	}
	// Read the version to correct (audited as a read, since it is loaded).
	old, err := s.Get(ctx, a, employeeID, entryID)
	if err != nil {
		return Entry{}, fmt.Errorf("dossier: correct entry: %w", err)
	}
	if old.SupersededBy != uuid.Nil {
		return Entry{}, fmt.Errorf("dossier: correct entry: a later version exists: %w", derrors.ErrConflict)
	}
	e := Entry{ID: uuid.New(), Kind: old.Kind, AuthorID: a.UserID(), OccurredOn: old.OccurredOn,
		CreatedAt: s.now().UTC().Truncate(time.Microsecond), Supersedes: old.ID, Version: old.Version + 1, Text: text}
	if err := s.write(ctx, a, employeeID, &e); err != nil {
		return Entry{}, fmt.Errorf("dossier: correct entry: %w", err)
	}
	return e, nil
}

// List returns a page of the current entries of employeeID's dossier,
// oldest first, decrypted with one Vault call. The caller's working notes
// are included, nobody else's. The read is audited before the entries are
// decrypted and returned. A limit outside 1–MaxEntriesPage is
// derrors.FieldErrors; a dossier outside the caller's care is
// derrors.ErrNotFound; Vault down is derrors.ErrUnavailable.
func (s *Entries) List(ctx context.Context, a access.Actor, employeeID uuid.UUID, limit int, after *EntryCursor) ([]Entry, error) {
	if limit < 1 || limit > MaxEntriesPage {
		return nil, derrors.FieldErrors{"limit": fmt.Sprintf("must be between 1 and %d", MaxEntriesPage)}
	}
	now := s.now()
	d, sealed, err := s.store.Entries(ctx, employeeID, EntryQuery{ReaderID: a.UserID(), Limit: limit, After: after},
		func(d Dossier, until time.Time) (audit.Event, error) {
			acc, err := accessOf(a, d, until, now, false, "")
			if err != nil {
				return audit.Event{}, err
			}
			return entryEvent(a, acc, audit.ActionRead, d, "dossier_entries", d.ID), nil
		})
	if err != nil {
		return nil, fmt.Errorf("dossier: list entries: %w", err)
	}
	out, err := s.open(ctx, d, sealed)
	if err != nil {
		return nil, fmt.Errorf("dossier: list entries: %w", err)
	}
	return out, nil
}

// Get returns one version of an entry of employeeID's dossier, audited as
// a read. Another author's working note, an entry of another dossier, or a
// dossier outside the caller's care is derrors.ErrNotFound.
func (s *Entries) Get(ctx context.Context, a access.Actor, employeeID, entryID uuid.UUID) (Entry, error) {
	now := s.now()
	d, se, err := s.store.Entry(ctx, employeeID, entryID, a.UserID(), func(d Dossier, until time.Time, e SealedEntry) (audit.Event, error) {
		acc, err := accessOf(a, d, until, now, false, "")
		if err != nil {
			return audit.Event{}, err
		}
		if !ReadableBy(e.Kind, e.AuthorID, a.UserID()) {
			return audit.Event{}, fmt.Errorf("dossier: another author's working note: %w", derrors.ErrNotFound)
		}
		return entryEvent(a, acc, audit.ActionRead, d, "dossier_entry", e.ID), nil
	})
	if err != nil {
		return Entry{}, fmt.Errorf("dossier: get entry: %w", err)
	}
	out, err := s.open(ctx, d, []SealedEntry{se})
	if err != nil {
		return Entry{}, fmt.Errorf("dossier: get entry: %w", err)
	}
	return out[0], nil
}

// open decrypts sealed entries of d in one Vault call.
func (s *Entries) open(ctx context.Context, d Dossier, sealed []SealedEntry) ([]Entry, error) {
	if len(sealed) == 0 {
		return []Entry{}, nil
	}
	items := make([]Sealed, len(sealed))
	for i, e := range sealed {
		items[i] = Sealed{Ciphertext: e.Ciphertext, AssociatedData: []byte(e.ID.String())}
	}
	pts, err := s.cipher.DecryptBatch(ctx, d.KeyName, items)
	switch {
	case errors.Is(err, derrors.ErrInvalid):
		// A ciphertext that is not this entry's under this dossier's key
		// (moved, swapped, from another dossier): an integrity fault of
		// the store, never the caller's input.
		return nil, fmt.Errorf("decrypt: an entry of dossier %s does not open under its key and id: %v", d.ID, err)
	case err != nil:
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	if len(pts) != len(sealed) {
		return nil, fmt.Errorf("decrypt: %d plaintexts for %d entries", len(pts), len(sealed))
	}
	out := make([]Entry, len(sealed))
	for i, e := range sealed {
		out[i] = e.Entry
		out[i].Text = string(pts[i])
	}
	return out, nil
}

// Statement is the employee's own statement for their dossier (BW 7:454
// lid 2), optionally about one entry.
type Statement struct {
	EmployeeID uuid.UUID
	AuthorID   uuid.UUID // the employee's login
	Concerns   uuid.UUID // the entry it is about, uuid.Nil when none
	Text       string
}

// StatementStore adds an employee's own statement to their dossier.
type StatementStore interface {
	// InsertStatement stores e (an own statement) with its event, provided
	// the dossier still has keyName and is open and a concerned entry of
	// a Releasable kind is in it (derrors.ErrNotFound otherwise: the
	// employee cannot know of a working note).
	InsertStatement(ctx context.Context, e SealedEntry, concerns uuid.UUID, keyName string, ev audit.Event) error
}

// AddStatement adds the employee's own statement to their dossier: a right
// that is never refused. The caller has established that st.AuthorID is
// the employee's own login. Bad text is derrors.FieldErrors; an employee
// without a dossier is derrors.ErrConflict (there is nothing to state
// about); a concerned entry not in the dossier is derrors.ErrNotFound;
// Vault down is derrors.ErrUnavailable.
func (s *Entries) AddStatement(ctx context.Context, store StatementStore, st Statement, ev audit.Event) (Entry, error) {
	return s.addStatement(ctx, store, st, ev)
}

// Statements adds employees' own statements to their dossiers through the
// entries service and a statement store: what the register of rights
// requests needs (rights.StatementWriter).
type Statements struct {
	entries *Entries
	store   StatementStore
}

// NewStatements returns Statements over entries and store.
func NewStatements(entries *Entries, store StatementStore) *Statements {
	return &Statements{entries: entries, store: store}
}

// AddStatement adds st to the employee's dossier, as Entries.AddStatement.
func (s *Statements) AddStatement(ctx context.Context, st Statement, ev audit.Event) (Entry, error) {
	return s.entries.addStatement(ctx, s.store, st, ev)
}

func (s *Entries) addStatement(ctx context.Context, store StatementStore, st Statement, ev audit.Event) (Entry, error) {
	fe := derrors.FieldErrors{}
	validText(fe, st.Text)
	if err := fe.Err(); err != nil {
		return Entry{}, err
	}
	d, _, err := s.store.Lookup(ctx, st.EmployeeID, st.AuthorID)
	switch {
	case errors.Is(err, derrors.ErrNotFound):
		return Entry{}, fmt.Errorf("dossier: own statement: there is no dossier: %w", derrors.ErrConflict)
	case err != nil:
		return Entry{}, fmt.Errorf("dossier: own statement: %w", err)
	case d.Status != "open" || d.KeyReadyAt.IsZero():
		return Entry{}, fmt.Errorf("dossier: own statement: the dossier takes no entries: %w", derrors.ErrConflict)
	}
	e := Entry{ID: uuid.New(), DossierID: d.ID, Kind: KindOwnStatement, AuthorID: st.AuthorID,
		CreatedAt: s.now().UTC().Truncate(time.Microsecond), Version: 1, Text: st.Text}
	ct, err := s.cipher.Encrypt(ctx, d.KeyName, []byte(e.Text), []byte(e.ID.String()))
	if err != nil {
		return Entry{}, fmt.Errorf("dossier: own statement: encrypt: %w", err)
	}
	kv, err := keyVersion(ct)
	if err != nil {
		return Entry{}, err
	}
	ev.SubjectEmployeeID, ev.Action, ev.ObjectKind, ev.ObjectID = st.EmployeeID, audit.ActionCreate, "dossier_entry", e.ID.String()
	if err := store.InsertStatement(ctx, SealedEntry{Entry: e, Ciphertext: ct, KeyVersion: kv}, st.Concerns, d.KeyName, ev); err != nil {
		return Entry{}, fmt.Errorf("dossier: own statement: %w", err)
	}
	return e, nil
}

// Prospective returns the access a would have to the dossier of
// employeeID that does not exist yet, and the physician whose care it
// would be in, when a's first medical write would create it (as Create
// does); nothing is created or written. A dossier that exists already (read
// it with the dossier service), an unknown employee, an employer without
// an assigned physician, or a caller outside the care of that physician is
// derrors.ErrNotFound.
func (s *Entries) Prospective(ctx context.Context, a access.Actor, employeeID uuid.UUID) (access.DossierAccess, uuid.UUID, error) {
	switch _, _, err := s.store.Lookup(ctx, employeeID, a.UserID()); {
	case err == nil:
		return access.DossierAccess{}, uuid.Nil, fmt.Errorf("dossier: the dossier exists: %w", derrors.ErrNotFound)
	case !errors.Is(err, derrors.ErrNotFound):
		return access.DossierAccess{}, uuid.Nil, err
	}
	subj, err := s.subjects.Subject(ctx, employeeID)
	if err != nil {
		return access.DossierAccess{}, uuid.Nil, err
	}
	if subj.PhysicianID == uuid.Nil {
		return access.DossierAccess{}, uuid.Nil, fmt.Errorf("dossier: the employer has no assigned physician: %w", derrors.ErrNotFound)
	}
	acc, err := accessOf(a, Dossier{ResponsiblePhysicianID: subj.PhysicianID}, time.Time{}, s.now(), false, "")
	if err != nil {
		return access.DossierAccess{}, uuid.Nil, err
	}
	return acc, subj.PhysicianID, nil
}

// Writable returns the dossier of employeeID for a write by a that is not
// an entry (a consent, a disclosure), with the caller's access to it,
// creating the dossier and its key on the first medical write. The rules
// and errors are those of Create for a note.
func (s *Entries) Writable(ctx context.Context, a access.Actor, employeeID uuid.UUID) (Dossier, access.DossierAccess, error) {
	return s.ensureDossier(ctx, a, employeeID, KindNote)
}
