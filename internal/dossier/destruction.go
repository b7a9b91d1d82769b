package dossier

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// Retention terms that exposures impose on a dossier (domain.md; Directive
// 2004/37/EC art. 15, 2000/54/EC art. 11, 2013/59/Euratom).
const (
	// ExposureYears is the term after exposure to carcinogens or
	// biological agents ends.
	ExposureYears = 40
	// RadiationYears is the term after exposed work with ionising
	// radiation ends; RadiationMinAge the age until which the dossier is
	// kept at least.
	RadiationYears  = 30
	RadiationMinAge = 75
)

// RetentionDuty is a legal duty to keep the dossier, from one exposure: it
// holds until Until, or while the exposure runs (Open).
type RetentionDuty struct {
	Agent Agent
	Until time.Time
	Open  bool
}

// RetentionDuties returns the duties that the exposures of the dossier of
// someone born on dob impose on today: carcinogens and biological agents
// for ExposureYears after the exposure ended; ionising radiation for
// RadiationYears after the exposed work ended and at least until the
// person turns RadiationMinAge (held open when dob is unknown). A running
// exposure always holds.
func RetentionDuties(xs []Exposure, dob, today time.Time) []RetentionDuty {
	var out []RetentionDuty
	for _, x := range xs {
		d := RetentionDuty{Agent: x.Agent}
		switch {
		case x.To.IsZero():
			d.Open = true
		case x.Agent == AgentIonisingRadiation && dob.IsZero():
			// The age term cannot be computed (the date of birth is not
			// known, or was erased): kept, as the duty may still run.
			d.Open = true
		case x.Agent == AgentIonisingRadiation:
			d.Until = x.To.AddDate(RadiationYears, 0, 0)
			if age := dob.AddDate(RadiationMinAge, 0, 0); age.After(d.Until) {
				d.Until = age
			}
		default:
			d.Until = x.To.AddDate(ExposureYears, 0, 0)
		}
		if d.Open || today.Before(d.Until) {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Open != out[j].Open {
			return out[i].Open
		}
		return out[i].Until.After(out[j].Until)
	})
	return out
}

// RefusalError is a destruction the law refuses (BW 7:455: a legal rule
// forbids it), with the ground and, where the duty ends, until when. It
// unwraps to derrors.ErrRefused.
type RefusalError struct {
	Ground string
	Duties []RetentionDuty
}

func (e *RefusalError) Error() string {
	return "dossier: destruction refused: " + e.Ground
}

// Unwrap returns derrors.ErrRefused.
func (e *RefusalError) Unwrap() error { return derrors.ErrRefused }

// RefusalGround returns the ground, for the caller.
func (e *RefusalError) RefusalGround() string { return e.Ground }

// RetainedUntil is the date the last duty ends, zero while one runs open.
func (e *RefusalError) RetainedUntil() time.Time {
	var until time.Time
	for _, d := range e.Duties {
		if d.Open {
			return time.Time{}
		}
		if d.Until.After(until) {
			until = d.Until
		}
	}
	return until
}

// DestructionScope says what a destruction takes: the whole dossier, or
// chosen entries (every version of each, the own statements about them and
// their attachments).
type DestructionScope string

// The scopes.
const (
	ScopeDossier DestructionScope = "dossier"
	ScopeEntries DestructionScope = "entries"
)

// DestructionState is where a destruction job stands. A whole dossier goes
// pending → keys_deleted → done; chosen entries go pending → rekeyed →
// done.
type DestructionState string

// The states.
const (
	StatePending     DestructionState = "pending"
	StateKeysDeleted DestructionState = "keys_deleted"
	StateRekeyed     DestructionState = "rekeyed"
	StateDone        DestructionState = "done"
)

// DestructionCounts is what a destruction took, as counts: entries per
// kind (every version), attachments and exposure periods. Never content.
type DestructionCounts struct {
	Entries     map[EntryKind]int
	Attachments int
	Exposures   int
}

// Destruction is a destruction job and, once done, its tombstone.
type Destruction struct {
	ID     uuid.UUID
	Origin Origin
	// RequestID is the request (or, by Origin, the transfer) answered.
	RequestID  uuid.UUID
	DossierID  uuid.UUID
	EmployeeID uuid.UUID
	Scope      DestructionScope
	// EntryIDs and AttachmentIDs are what a partial destruction takes.
	EntryIDs      []uuid.UUID
	AttachmentIDs []uuid.UUID
	// OldKeys are the key generations deleted in Vault; NewKey the
	// generation the rest of a partially destroyed dossier moves to.
	OldKeys     []string
	NewKey      string
	PriorStatus string
	State       DestructionState
	Counts      DestructionCounts
	DecidedBy   uuid.UUID
	DecidedAt   time.Time
	CompletedAt time.Time
	// BackupSafeAfter is the first day on which no backup of Vault's
	// storage can still hold the deleted keys; set when the job is done.
	BackupSafeAfter time.Time
}

// Rewrapped is a remaining ciphertext of a partial destruction, under the
// old and the new key generation.
type Rewrapped struct {
	ID       uuid.UUID
	Kind     CiphertextKind
	Old, New string
}

// DestructionStore keeps destruction jobs in schema medical. Every change
// is one transaction with its audit event.
type DestructionStore interface {
	// Assessable returns the dossier of employeeID (not destroyed) with
	// its exposures; none is derrors.ErrNotFound.
	Assessable(ctx context.Context, employeeID uuid.UUID) (Dossier, []Exposure, error)
	// BeginDestruction inserts job d, made from the dossier's current
	// state, and marks the dossier destroying, with the event: for scope
	// entries it resolves chosen into every version, the own statements
	// about them and their attachments (a chosen id that is not an entry
	// of the dossier, or is of a kind that is not Releasable, is
	// derrors.FieldErrors). The counts are taken from what the job takes.
	// A dossier that changed since expect (key, status) or is being
	// destroyed is derrors.ErrConflict. For a request that has a job
	// already, that job is returned and nothing is written.
	//
	// Under the dossier's lock it reads the exposures again and asks
	// refuse, whose error stops the job with nothing written: an exposure
	// recorded since the assessment still refuses the destruction.
	BeginDestruction(ctx context.Context, d Destruction, expect Dossier, chosen []uuid.UUID, refuse func([]Exposure) error, ev audit.Event) (Destruction, error)
	// Destruction loads a job; unknown is derrors.ErrNotFound.
	Destruction(ctx context.Context, id uuid.UUID) (Destruction, error)
	// DestructionFor loads the job of a request; none is
	// derrors.ErrNotFound.
	DestructionFor(ctx context.Context, requestID uuid.UUID) (Destruction, error)
	// Unfinished lists the jobs not done, oldest first.
	Unfinished(ctx context.Context) ([]Destruction, error)
	// Advance moves job d from its state to to, with the event, when it is
	// still in d.State (derrors.ErrConflict otherwise); to done, it
	// records d.CompletedAt and d.BackupSafeAfter.
	Advance(ctx context.Context, d Destruction, to DestructionState, ev audit.Event) error
	// FinishDossier deletes every medical row of a whole-dossier job's
	// dossier but the tombstones, marks the dossier destroyed and the job
	// done (at d.CompletedAt, with d.BackupSafeAfter), with the event.
	FinishDossier(ctx context.Context, d Destruction, ev audit.Event) error
	// Remaining lists the ciphertexts of a partial job's dossier that it
	// does not take, of every kind.
	Remaining(ctx context.Context, d Destruction) ([]Stale, error)
	// Rekey deletes what a partial job takes, replaces every remaining
	// ciphertext by its rewrapped form (each still as read: a changed one
	// is derrors.ErrConflict, nothing written), moves the dossier to
	// d.NewKey and its prior status, and marks the job rekeyed, with the
	// event.
	Rekey(ctx context.Context, d Destruction, rewrapped []Rewrapped, ev audit.Event) error
}

// DestructionKeys is what destruction needs of Vault: the application
// token for everything but the deletion, which only the destruction token
// may do. No call is made inside a database transaction.
type DestructionKeys interface {
	// CanDelete checks that keys can be deleted now: the destruction
	// token is configured and valid (derrors.ErrUnavailable otherwise).
	CanDelete(ctx context.Context) error
	// KeyExists reports whether the transit key name exists.
	KeyExists(ctx context.Context, name string) (bool, error)
	// DeleteKey allows deletion of the key name and deletes it.
	DeleteKey(ctx context.Context, name string) error
	CreateKey(ctx context.Context, name string) error
	DecryptBatch(ctx context.Context, key string, items []Sealed) ([][]byte, error)
	EncryptBatch(ctx context.Context, key string, items []Plain) ([]string, error)
}

// Plain is a plaintext to encrypt, bound to its associated data.
type Plain struct {
	Plaintext, AssociatedData []byte
}

// Destroyer runs destruction jobs to their end, resumably.
type Destroyer struct {
	store           DestructionStore
	keys            DestructionKeys
	backupRetention time.Duration
	now             func() time.Time
	// afterStep is called after each step is durable; an error from it
	// stops the run there, as a crash would (tests inject crashes).
	afterStep func(DestructionState) error
}

// DestroyerOptions configures a Destroyer.
type DestroyerOptions struct {
	// BackupRetention is how long backups of Vault's storage are kept.
	BackupRetention time.Duration
	Now             func() time.Time
	// AfterStep, when set, is called after each durable step; an error
	// from it stops the run there.
	AfterStep func(DestructionState) error
}

// NewDestroyer returns the destruction runner.
func NewDestroyer(store DestructionStore, keys DestructionKeys, o DestroyerOptions) *Destroyer {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Destroyer{store: store, keys: keys, backupRetention: o.BackupRetention, now: o.Now, afterStep: o.AfterStep}
}

// Ready checks that destructions can run to their end now: the
// destruction token is there and valid (only the destruction worker holds
// it). It calls Vault, so it is called outside any transaction, before Run.
// Otherwise derrors.ErrUnavailable.
func (s *Destroyer) Ready(ctx context.Context) error {
	if err := s.keys.CanDelete(ctx); err != nil {
		return fmt.Errorf("dossier: destruction not possible now: %w", err)
	}
	return nil
}

// Assess returns the dossier of employeeID and the retention duties its
// exposures impose today for someone born on dob. No dossier is
// derrors.ErrNotFound.
func (s *Destroyer) Assess(ctx context.Context, employeeID uuid.UUID, dob time.Time) (Dossier, []RetentionDuty, error) {
	d, xs, err := s.store.Assessable(ctx, employeeID)
	if err != nil {
		return Dossier{}, nil, fmt.Errorf("dossier: assess destruction: %w", err)
	}
	today, _ := time.Parse(time.DateOnly, access.Today(s.now()))
	return d, RetentionDuties(xs, dob, today), nil
}

// KeyName is the name of generation n of dossier id's Vault transit key,
// dossier-<id>-g<n> (DESIGN §2). A dossier starts at generation 1; a
// partial destruction moves what remains to the next.
func KeyName(id uuid.UUID, n int) string { return fmt.Sprintf("dossier-%s-g%d", id, n) }

// generation returns n of a key name dossier-<id>-g<n>.
func generation(key string) (int, error) {
	i := strings.LastIndex(key, "-g")
	if i < 0 {
		return 0, fmt.Errorf("dossier: key name %q has no generation", key)
	}
	n, err := strconv.Atoi(key[i+2:])
	if err != nil || n < 1 {
		return 0, fmt.Errorf("dossier: key name %q has no generation", key)
	}
	return n, nil
}

// Origin is what a destruction answers.
type Origin string

// The origins: the employee's destruction request (BW 7:455), or the
// hand-over of a transferred dossier.
const (
	OriginRequest  Origin = "request"
	OriginTransfer Origin = "transfer"
)

// Order is what a destruction is begun on.
type Order struct {
	Origin Origin
	// Ref is the request or the transfer the destruction answers.
	Ref uuid.UUID
	// Dossier is the dossier as Assess returned it.
	Dossier     Dossier
	DecidedBy   uuid.UUID
	DateOfBirth time.Time
	// Entries are the chosen entries; none: the whole dossier.
	Entries []uuid.UUID
}

// Begin starts the destruction o orders: the whole dossier, or the chosen
// entries. It records the job and closes the dossier to writes, audited;
// the job then runs with Run. An order begun already returns its job. A
// dossier with a retention duty (checked under the dossier's lock) is a
// *RefusalError; a dossier that changed since Assess derrors.ErrConflict;
// the errors of the store apply.
func (s *Destroyer) Begin(ctx context.Context, o Order, ev audit.Event) (Destruction, error) {
	if prior, err := s.store.DestructionFor(ctx, o.Ref); err == nil {
		return prior, nil
	} else if !errors.Is(err, derrors.ErrNotFound) {
		return Destruction{}, fmt.Errorf("dossier: begin destruction: %w", err)
	}
	d, chosen, dob := o.Dossier, o.Entries, o.DateOfBirth
	if d.Status != "open" && d.Status != "closed" {
		return Destruction{}, fmt.Errorf("dossier: the dossier is %s: %w", d.Status, derrors.ErrConflict)
	}
	n, err := generation(d.KeyName)
	if err != nil {
		return Destruction{}, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	job := Destruction{ID: uuid.New(), Origin: o.Origin, RequestID: o.Ref, DossierID: d.ID, EmployeeID: d.EmployeeID,
		Scope: ScopeDossier, PriorStatus: d.Status, State: StatePending, DecidedBy: o.DecidedBy, DecidedAt: now}
	if len(chosen) == 0 {
		// Every generation that may still exist.
		for g := 1; g <= n; g++ {
			job.OldKeys = append(job.OldKeys, KeyName(d.ID, g))
		}
	} else {
		job.Scope = ScopeEntries
		job.OldKeys = []string{d.KeyName}
		job.NewKey = KeyName(d.ID, n+1)
	}
	ev.Action, ev.ObjectKind, ev.ObjectID, ev.SubjectEmployeeID = audit.ActionDestroy, "dossier_destruction", job.ID.String(), d.EmployeeID
	today, _ := time.Parse(time.DateOnly, access.Today(s.now()))
	refuse := func(xs []Exposure) error {
		if duties := RetentionDuties(xs, dob, today); len(duties) > 0 {
			return &RefusalError{Ground: "legal_retention_duty", Duties: duties}
		}
		return nil
	}
	out, err := s.store.BeginDestruction(ctx, job, d, chosen, refuse, ev)
	if err != nil {
		return Destruction{}, fmt.Errorf("dossier: begin destruction: %w", err)
	}
	return out, nil
}

// stepEvent is the audit event of one step of job d, done by the service
// on the decision of the physician who granted it.
func stepEvent(d Destruction, kind, object string) audit.Event {
	return audit.Event{ActorRole: "system", OnBehalfOf: d.DecidedBy, SubjectEmployeeID: d.EmployeeID,
		Action: audit.ActionDestroy, ObjectKind: kind, ObjectID: object, Outcome: audit.OutcomeOK}
}

// Run takes job id from its state to done, step by step, each step durable
// before the next: a run that stops anywhere (a crash, Vault down) is
// finished by running it again. It returns the job as it stands. Vault
// down is derrors.ErrUnavailable; the job stays where it was.
func (s *Destroyer) Run(ctx context.Context, id uuid.UUID) (Destruction, error) {
	d, err := s.store.Destruction(ctx, id)
	if err != nil {
		return Destruction{}, fmt.Errorf("dossier: run destruction: %w", err)
	}
	for d.State != StateDone {
		next, err := s.step(ctx, d)
		if errors.Is(err, derrors.ErrConflict) {
			// Another run (a retry, another process) moved the job on
			// first: carry on from where it stands now.
			if again, rerr := s.store.Destruction(ctx, id); rerr == nil && again.State != d.State {
				d = again
				continue
			}
		}
		if err != nil {
			return d, fmt.Errorf("dossier: destruction %s at %s: %w", d.ID, d.State, err)
		}
		d = next
		if s.afterStep != nil {
			if err := s.afterStep(d.State); err != nil {
				return d, fmt.Errorf("dossier: destruction %s stopped after %s: %w", d.ID, d.State, err)
			}
		}
	}
	return d, nil
}

// step performs the next step of d and returns the job after it.
func (s *Destroyer) step(ctx context.Context, d Destruction) (Destruction, error) {
	switch {
	case d.State == StatePending && d.Scope == ScopeDossier:
		// Crypto-shredding first: once the keys are gone, every copy of the
		// ciphertext, backups of the database included, is unreadable.
		if err := s.deleteKeys(ctx, d.OldKeys); err != nil {
			return d, err
		}
		if err := s.store.Advance(ctx, d, StateKeysDeleted, stepEvent(d, "dossier_key", strings.Join(d.OldKeys, ","))); err != nil {
			return d, err
		}
		d.State = StateKeysDeleted
	case d.State == StateKeysDeleted:
		d.CompletedAt = s.now().UTC().Truncate(time.Microsecond)
		d.BackupSafeAfter = s.backupSafeAfter(d.CompletedAt)
		if err := s.store.FinishDossier(ctx, d, stepEvent(d, "dossier", d.DossierID.String())); err != nil {
			return d, err
		}
		d.State = StateDone
	case d.State == StatePending && d.Scope == ScopeEntries:
		if err := s.rekey(ctx, d); err != nil {
			return d, err
		}
		d.State = StateRekeyed
	case d.State == StateRekeyed:
		if err := s.deleteKeys(ctx, d.OldKeys); err != nil {
			return d, err
		}
		d.CompletedAt = s.now().UTC().Truncate(time.Microsecond)
		d.BackupSafeAfter = s.backupSafeAfter(d.CompletedAt)
		if err := s.store.Advance(ctx, d, StateDone, stepEvent(d, "dossier_key", strings.Join(d.OldKeys, ","))); err != nil {
			return d, err
		}
		d.State = StateDone
	default:
		return d, fmt.Errorf("dossier: destruction in state %s", d.State)
	}
	return d, nil
}

// deleteKeys deletes every key of names that still exists.
func (s *Destroyer) deleteKeys(ctx context.Context, names []string) error {
	for _, name := range names {
		ok, err := s.keys.KeyExists(ctx, name)
		if err != nil {
			return fmt.Errorf("key %s: %w", name, err)
		}
		if !ok {
			continue
		}
		if err := s.keys.DeleteKey(ctx, name); err != nil {
			// Deleted meanwhile by a concurrent run: that is the end sought.
			if gone, gerr := s.keys.KeyExists(ctx, name); gerr == nil && !gone {
				continue
			}
			return fmt.Errorf("delete key %s: %w", name, err)
		}
	}
	return nil
}

// rekeyBatch bounds one Vault batch of a re-encryption.
const rekeyBatch = 100

// rekey moves what a partial destruction leaves to the new key generation:
// decrypted and encrypted again in memory, in batches, never written in
// plaintext anywhere; then one transaction deletes what the job takes and
// stores the rest under the new key.
func (s *Destroyer) rekey(ctx context.Context, d Destruction) error {
	if err := s.keys.CreateKey(ctx, d.NewKey); err != nil {
		return fmt.Errorf("create key %s: %w", d.NewKey, err)
	}
	rest, err := s.store.Remaining(ctx, d)
	if err != nil {
		return err
	}
	out := make([]Rewrapped, 0, len(rest))
	for start := 0; start < len(rest); start += rekeyBatch {
		part := rest[start:min(start+rekeyBatch, len(rest))]
		sealed := make([]Sealed, len(part))
		for i, x := range part {
			sealed[i] = Sealed{Ciphertext: x.Ciphertext, AssociatedData: x.Kind.AssociatedData(x.ID)}
		}
		pts, err := s.keys.DecryptBatch(ctx, d.OldKeys[0], sealed)
		if err != nil {
			return fmt.Errorf("decrypt under %s: %w", d.OldKeys[0], err)
		}
		plain := make([]Plain, len(part))
		for i := range part {
			plain[i] = Plain{Plaintext: pts[i], AssociatedData: sealed[i].AssociatedData}
		}
		cts, err := s.keys.EncryptBatch(ctx, d.NewKey, plain)
		for i := range pts {
			clear(pts[i])
		}
		if err != nil {
			return fmt.Errorf("encrypt under %s: %w", d.NewKey, err)
		}
		for i, x := range part {
			out = append(out, Rewrapped{ID: x.ID, Kind: x.Kind, Old: x.Ciphertext, New: cts[i]})
		}
	}
	return s.store.Rekey(ctx, d, out, stepEvent(d, "dossier_entries", d.DossierID.String()))
}

// Resume runs every unfinished job, oldest first, and returns how many it
// finished; it stops at the first that fails.
func (s *Destroyer) Resume(ctx context.Context) (int, error) {
	jobs, err := s.store.Unfinished(ctx)
	if err != nil {
		return 0, fmt.Errorf("dossier: resume destructions: %w", err)
	}
	done := 0
	for _, j := range jobs {
		if _, err := s.Run(ctx, j.ID); err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}

// backupSafeAfter returns the first day no backup of Vault's storage taken
// before completed can still hold a deleted key.
func (s *Destroyer) backupSafeAfter(completed time.Time) time.Time {
	t := completed.Add(s.backupRetention).UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
}
