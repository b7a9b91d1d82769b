package rights

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/text"
)

// The grounds on which a destruction is refused (BW 7:455): a legal rule
// that obliges keeping the dossier, or a substantial interest of someone
// else than the employee (with a written reason).
const (
	GroundSubstantialInterest = "substantial_interest_of_another"
)

// DestructionGrounds are the refusal grounds decided on the destruction
// route, where they are checked or need their reason.
var DestructionGrounds = map[string]bool{GroundLegalRetention: true, GroundSubstantialInterest: true}

// MaxReasonRunes bounds the written reason of a refusal.
const MaxReasonRunes = 4000

// Destroyer is what the register needs of the medical side's destruction
// runner (dossier.Destroyer).
type Destroyer interface {
	// Ready checks that destructions can run to their end now (the
	// destruction token, in the worker); it calls Vault and is called
	// outside any transaction.
	Ready(ctx context.Context) error
	Assess(ctx context.Context, employeeID uuid.UUID, dob time.Time) (dossier.Dossier, []dossier.RetentionDuty, error)
	Begin(ctx context.Context, o dossier.Order, ev audit.Event) (dossier.Destruction, error)
	Run(ctx context.Context, id uuid.UUID) (dossier.Destruction, error)
}

// DestructionRecords reads and records destructions in schema medical.
type DestructionRecords interface {
	// DestructionFor loads the job of a request; none is
	// derrors.ErrNotFound.
	DestructionFor(ctx context.Context, requestID uuid.UUID) (dossier.Destruction, error)
	// Unfinished lists the jobs not done, or done but not yet delivered,
	// oldest first.
	Unfinished(ctx context.Context) ([]dossier.Destruction, error)
	// MarkDelivered records that job id's request was delivered (or had
	// none to deliver).
	MarkDelivered(ctx context.Context, id uuid.UUID) error
	// ClaimDestruction claims job id for the caller until it calls the
	// returned release: two runners never run one job at once. A job
	// claimed elsewhere is derrors.ErrConflict.
	ClaimDestruction(ctx context.Context, id uuid.UUID) (release func(), err error)
	// Destructions lists the jobs about an employee, newest first.
	Destructions(ctx context.Context, employeeID uuid.UUID) ([]dossier.Destruction, error)
	// RecordRefusal stores a refusal of the destruction of employeeID's
	// dossier with its event; no dossier is derrors.ErrNotFound.
	RecordRefusal(ctx context.Context, employeeID uuid.UUID, f DestructionRefusal, ev audit.Event) error
}

// DestructionRefusal is a recorded refusal: the ground and, for someone
// else's substantial interest, the written reason as Vault ciphertext.
type DestructionRefusal struct {
	RequestID        uuid.UUID
	Ground           string
	ReasonCiphertext string
	DecidedBy        uuid.UUID
	DecidedAt        time.Time
}

// ReasonSealer encrypts a refusal's written reason.
type ReasonSealer interface {
	Encrypt(ctx context.Context, key string, plaintext, associatedData []byte) (string, error)
}

// reasonKey is the Vault transit key of refusal reasons.
const reasonKey = "pii"

// StatementRenderer renders the destruction statement.
type StatementRenderer interface {
	DestructionStatement(doc StatementDocument) ([]byte, error)
}

// StatementDocument is what the destruction statement shows.
type StatementDocument struct {
	EmployeeName    string
	Destruction     dossier.Destruction
	DecidedBy       string
	BackupRetention time.Duration
	GeneratedAt     time.Time
}

// Destructions decides destruction requests and carries them out.
type Destructions struct {
	requests        RequestReader
	destroyer       Destroyer
	records         DestructionRecords
	sealer          ReasonSealer
	people          Directory
	render          StatementRenderer
	rec             audit.Recorder
	backupRetention time.Duration
	now             func() time.Time
}

// DestructionsOptions wires the service.
type DestructionsOptions struct {
	Requests  RequestReader
	Destroyer Destroyer
	Records   DestructionRecords
	Sealer    ReasonSealer
	People    Directory
	Render    StatementRenderer
	// Recorder audits the employee's reads of their destructions.
	Recorder        audit.Recorder
	BackupRetention time.Duration
	Now             func() time.Time
}

// NewDestructions returns the service.
func NewDestructions(o DestructionsOptions) *Destructions {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Destructions{requests: o.Requests, destroyer: o.Destroyer, records: o.Records, sealer: o.Sealer,
		people: o.People, render: o.Render, rec: o.Recorder, backupRetention: o.BackupRetention, now: o.Now}
}

// DestructionDecision is the deciding physician's decision on a
// destruction request: grant, or refuse on one of DestructionGrounds (a
// substantial interest of someone else needs its written Reason).
type DestructionDecision struct {
	Grant  bool
	Ground string
	Reason string
}

func (d DestructionDecision) check() error {
	fe := derrors.FieldErrors{}
	switch {
	case d.Grant && (d.Ground != "" || d.Reason != ""):
		fe.Add("ground", "applies to a refusal only")
	case !d.Grant && !DestructionGrounds[d.Ground]:
		fe.Add("ground", "must be legal_retention_duty or substantial_interest_of_another")
	case d.Ground == GroundSubstantialInterest && strings.TrimSpace(d.Reason) == "":
		fe.Add("reason", "is required: the written reason of someone else's substantial interest")
	case d.Ground != GroundSubstantialInterest && d.Reason != "":
		fe.Add("reason", "applies to substantial_interest_of_another only")
	case utf8.RuneCountInString(d.Reason) > MaxReasonRunes || !text.Valid(d.Reason, text.Multiline):
		fe.Add("reason", fmt.Sprintf("must be at most %d characters without control characters", MaxReasonRunes))
	}
	return fe.Err()
}

// inCharge checks that a decides about dossier d as the physician
// responsible for it (or standing in for them), or as a lead physician
// (whom undecided admits only while the responsible one is away):
// the employer's assigned physician may differ from the dossier's own
// after a reassignment. Anyone else is derrors.ErrNotFound.
func inCharge(a access.Actor, d dossier.Dossier) error {
	if _, _, ok := a.Principal.ActsFor(d.ResponsiblePhysicianID); ok || a.Role == access.RoleLeadPhysician {
		return nil
	}
	return fmt.Errorf("rights: not in charge of the dossier: %w", derrors.ErrNotFound)
}

// Decide decides a destruction request. A grant records the destruction
// (the whole dossier, or the entries the request names) as a pending job
// with the grant, and returns both: the job is carried out by Resume, in
// the destruction worker, which alone holds the destruction token, and the
// employee is told when it is done. A grant the law forbids (an
// exposure with a running retention duty) is a *dossier.RefusalError
// (derrors.ErrRefused) and changes nothing: the physician then refuses on
// that ground, which is accepted only while the duty holds. A refusal for
// someone else's substantial interest records its written reason,
// encrypted. Who may not decide is derrors.ErrNotFound; a decided request
// or another type derrors.ErrConflict; an employee without a dossier
// derrors.ErrConflict; bad input derrors.FieldErrors.
func (s *Destructions) Decide(ctx context.Context, a access.Actor, requestID uuid.UUID, dec DestructionDecision) (Request, dossier.Destruction, error) {
	if err := dec.check(); err != nil {
		return Request{}, dossier.Destruction{}, err
	}
	if dec.Grant {
		return s.grant(ctx, a, requestID)
	}
	var sealed string
	if dec.Ground == GroundSubstantialInterest {
		// Encrypted before any transaction; bound to the request.
		ct, err := s.sealer.Encrypt(ctx, reasonKey, []byte(dec.Reason), []byte("destruction-refusal:"+requestID.String()))
		if err != nil {
			return Request{}, dossier.Destruction{}, fmt.Errorf("rights: refuse destruction: seal reason: %w", err)
		}
		sealed = ct
	}
	now := s.now().UTC()
	r, err := s.requests.Update(ctx, requestID, func(r *Request, subj Subject) (audit.Event, Notice, error) {
		if err := undecided(a, r, subj, TypeDestruction); err != nil {
			return audit.Event{}, Notice{}, err
		}
		d, duties, err := s.destroyer.Assess(ctx, subj.EmployeeID, subj.DateOfBirth)
		if err != nil {
			return audit.Event{}, Notice{}, err
		}
		if err := inCharge(a, d); err != nil {
			return audit.Event{}, Notice{}, err
		}
		if dec.Ground == GroundLegalRetention {
			if len(duties) == 0 {
				return audit.Event{}, Notice{}, fmt.Errorf("rights: no legal retention duty applies to the dossier: %w", derrors.ErrConflict)
			}
		}
		if err := s.records.RecordRefusal(ctx, subj.EmployeeID, DestructionRefusal{RequestID: r.ID, Ground: dec.Ground,
			ReasonCiphertext: sealed, DecidedBy: a.UserID(), DecidedAt: now},
			audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: subj.EmployeeID,
				Action: audit.ActionCreate, ObjectKind: "dossier_destruction_refusal", ObjectID: r.ID.String(),
				Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP}); err != nil {
			return audit.Event{}, Notice{}, err
		}
		r.Status, r.Ground, r.DecidedBy, r.DecidedAt, r.UpdatedAt = StatusRefused, dec.Ground, a.UserID(), now, now
		return requestEvent(a, audit.ActionUpdate, *r), Notice{Kind: "request_refused", Subject: "Uw verzoek om vernietiging is afgewezen",
			Body: "Uw verzoek om vernietiging van uw medisch dossier is afgewezen, op grond van: " + groundNames[dec.Ground] +
				". U kunt hierover contact opnemen met de bedrijfsarts."}, nil
	})
	if err != nil {
		return Request{}, dossier.Destruction{}, fmt.Errorf("rights: refuse destruction: %w", err)
	}
	return r, dossier.Destruction{}, nil
}

var groundNames = map[string]string{
	GroundLegalRetention:      "een wettelijke bewaarplicht (blootstelling aan kankerverwekkende stoffen, biologische agentia of ioniserende straling)",
	GroundSubstantialInterest: "een aanmerkelijk belang van een ander dan uzelf",
}

// grant records the grant with the job, which the worker runs. The
// dossier stays closed to writes until then, also while no worker runs: it
// is finished as soon as one starts.
func (s *Destructions) grant(ctx context.Context, a access.Actor, requestID uuid.UUID) (Request, dossier.Destruction, error) {
	var job dossier.Destruction
	now := s.now().UTC()
	r, err := s.requests.Update(ctx, requestID, func(r *Request, subj Subject) (audit.Event, Notice, error) {
		if err := undecided(a, r, subj, TypeDestruction); err != nil {
			return audit.Event{}, Notice{}, err
		}
		d, _, err := s.destroyer.Assess(ctx, subj.EmployeeID, subj.DateOfBirth)
		if errors.Is(err, derrors.ErrNotFound) {
			return audit.Event{}, Notice{}, fmt.Errorf("rights: there is no dossier to destroy (refuse with no_data_held): %w", derrors.ErrConflict)
		}
		if err != nil {
			return audit.Event{}, Notice{}, err
		}
		if err := inCharge(a, d); err != nil {
			return audit.Event{}, Notice{}, err
		}
		// The job is recorded in schema medical first; if the register's
		// update then fails, a retry finds the same job (Begin is
		// idempotent per request) and Resume finishes it either way.
		job, err = s.destroyer.Begin(ctx, dossier.Order{Origin: dossier.OriginRequest, Ref: r.ID, Dossier: d,
			DecidedBy: a.UserID(), DateOfBirth: subj.DateOfBirth, Entries: r.EntryIDs}, beginEvent(a))
		if err != nil {
			return audit.Event{}, Notice{}, err
		}
		r.Status, r.DecidedBy, r.DecidedAt, r.UpdatedAt = StatusGranted, a.UserID(), now, now
		return requestEvent(a, audit.ActionUpdate, *r), Notice{Kind: "request_granted", Subject: "Uw verzoek om vernietiging is toegewezen",
			Body: "Uw verzoek om vernietiging is toegewezen en wordt uitgevoerd. U krijgt bericht zodra de verklaring van vernietiging klaarstaat."}, nil
	})
	if err != nil {
		return Request{}, dossier.Destruction{}, fmt.Errorf("rights: grant destruction: %w", err)
	}
	return r, job, nil
}

// finish runs job to its end and delivers its request: the employee is
// told the statement is ready.
func (s *Destructions) finish(ctx context.Context, job dossier.Destruction) (dossier.Destruction, error) {
	job, err := s.destroyer.Run(ctx, job.ID)
	if err != nil {
		return job, err
	}
	if job.Origin == dossier.OriginTransfer {
		// A hand-over has no request to deliver.
		return job, s.records.MarkDelivered(ctx, job.ID)
	}
	_, err = s.requests.Update(ctx, job.RequestID, func(r *Request, subj Subject) (audit.Event, Notice, error) {
		if r.Status == StatusDelivered || r.Status == StatusClosed {
			return audit.Event{}, Notice{}, errDelivered
		}
		now := s.now().UTC()
		if !r.Status.Decided() {
			// The register's grant was lost (a crash before its commit):
			// the job is the record of the decision.
			r.DecidedBy, r.DecidedAt = job.DecidedBy, job.DecidedAt
		}
		r.Status, r.Ground, r.UpdatedAt = StatusDelivered, "", now
		return audit.Event{ActorRole: "system", OnBehalfOf: job.DecidedBy, SubjectEmployeeID: r.EmployeeID, TenantID: r.EmployerID,
				Action: audit.ActionUpdate, ObjectKind: "request", ObjectID: r.ID.String(), Outcome: audit.OutcomeOK},
			Notice{Kind: "request_delivered", Subject: "Uw medisch dossier is vernietigd",
				Body: "De vernietiging waar u om vroeg is uitgevoerd. De verklaring van vernietiging staat voor u klaar in Arbokluis."}, nil
	})
	if err != nil && !errors.Is(err, errDelivered) {
		return job, err
	}
	// Until this is recorded, Resume delivers again (which is idempotent).
	if err := s.records.MarkDelivered(ctx, job.ID); err != nil {
		return job, err
	}
	return job, nil
}

// DestroyAfterTransfer destroys the dossier of employeeID after its
// transfer ref to another service, on the decision of a (who may decide
// its destruction), through the same job as a request: it records the job,
// which the destruction worker runs (Resume). A retention duty refuses it
// (a *dossier.RefusalError); the errors of Decide apply.
func (s *Destructions) DestroyAfterTransfer(ctx context.Context, a access.Actor, employeeID, ref uuid.UUID) error {
	subj, err := s.requests.Subject(ctx, employeeID)
	if err != nil {
		return fmt.Errorf("rights: destroy after transfer: %w", err)
	}
	d, _, err := s.destroyer.Assess(ctx, employeeID, subj.DateOfBirth)
	if err != nil {
		return fmt.Errorf("rights: destroy after transfer: %w", err)
	}
	if _, err := s.destroyer.Begin(ctx, dossier.Order{Origin: dossier.OriginTransfer, Ref: ref, Dossier: d,
		DecidedBy: a.UserID(), DateOfBirth: subj.DateOfBirth}, beginEvent(a)); err != nil {
		return fmt.Errorf("rights: destroy after transfer: %w", err)
	}
	return nil
}

var errDelivered = errors.New("rights: delivered already")

// beginEvent is the audit event of a's decision to begin a destruction;
// Begin fills in what it is about.
func beginEvent(a access.Actor) audit.Event {
	return audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), Outcome: audit.OutcomeOK,
		RequestID: a.RequestID, ClientIP: a.ClientIP}
}

// Resume runs every destruction not finished yet (pending since its
// grant, or stopped halfway by a crash or Vault down) to its end and
// delivers its request, telling the employee. Each job is claimed first:
// one that another runner holds is skipped (it is that runner's). Before
// running any it checks that keys can be deleted (the destruction token;
// derrors.ErrUnavailable otherwise, nothing run). It tries each, returns
// how many it finished, and joins the errors of those it could not finish
// yet.
func (s *Destructions) Resume(ctx context.Context) (int, error) {
	jobs, err := s.records.Unfinished(ctx)
	if err != nil {
		return 0, fmt.Errorf("rights: resume destructions: %w", err)
	}
	if len(jobs) == 0 {
		return 0, nil
	}
	if err := s.destroyer.Ready(ctx); err != nil {
		return 0, fmt.Errorf("rights: resume destructions: %w", err)
	}
	n := 0
	var errs []error
	for _, j := range jobs {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		done, err := s.claimAndFinish(ctx, j)
		if err != nil {
			errs = append(errs, fmt.Errorf("rights: resume destruction %s: %w", j.ID, err))
			continue
		}
		if done {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// claimAndFinish finishes job j under its claim; false when another runner
// holds it.
func (s *Destructions) claimAndFinish(ctx context.Context, j dossier.Destruction) (bool, error) {
	release, err := s.records.ClaimDestruction(ctx, j.ID)
	if errors.Is(err, derrors.ErrConflict) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer release()
	// Another runner may have finished it between the listing and the
	// claim: finishing is idempotent (a done job runs no step, a delivered
	// request is not delivered again).
	if _, err := s.finish(ctx, j); err != nil {
		return false, err
	}
	return true, nil
}

// Mine lists the destructions of the caller's own dossier, newest first,
// audited as a read. A login without an employee record is
// derrors.ErrNotFound.
func (s *Destructions) Mine(ctx context.Context, a access.Actor) ([]dossier.Destruction, error) {
	subj, err := s.requests.SubjectOf(ctx, a.UserID())
	if err != nil {
		return nil, fmt.Errorf("rights: my destructions: %w", err)
	}
	out, err := s.records.Destructions(ctx, subj.EmployeeID)
	if err != nil {
		return nil, fmt.Errorf("rights: my destructions: %w", err)
	}
	if err := s.rec.Record(ctx, audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: subj.EmployeeID,
		TenantID: subj.EmployerID, Action: audit.ActionRead, ObjectKind: "dossier_destructions", ObjectID: subj.EmployeeID.String(),
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP}); err != nil {
		return nil, fmt.Errorf("rights: my destructions: %w", err)
	}
	return out, nil
}

// Statement renders the destruction statement of one of the caller's own
// completed destructions, on demand, audited as an export with the
// SHA-256 of the delivered file before it is returned. Another person's,
// an unknown or an unfinished destruction is derrors.ErrNotFound.
func (s *Destructions) Statement(ctx context.Context, a access.Actor, id uuid.UUID) ([]byte, error) {
	if s.render == nil || s.people == nil || s.rec == nil {
		return nil, fmt.Errorf("rights: statement: no renderer: %w", derrors.ErrUnavailable)
	}
	subj, err := s.requests.SubjectOf(ctx, a.UserID())
	if err != nil {
		return nil, fmt.Errorf("rights: statement: %w", err)
	}
	jobs, err := s.records.Destructions(ctx, subj.EmployeeID)
	if err != nil {
		return nil, fmt.Errorf("rights: statement: %w", err)
	}
	var job dossier.Destruction
	for _, j := range jobs {
		if j.ID == id && j.State == dossier.StateDone {
			job = j
		}
	}
	if job.ID == uuid.Nil {
		return nil, fmt.Errorf("rights: statement: no such destruction: %w", derrors.ErrNotFound)
	}
	return s.statement(ctx, a, subj, job)
}

// DecidedStatement renders, for who may decide the destruction request
// requestID (as Review), the statement of the completed destruction that
// answered it: the document the employee gets, on demand, audited as an
// export with its SHA-256 before it is returned. A request of another
// type, one the caller may not decide, and one whose destruction is not
// done are derrors.ErrNotFound.
func (s *Destructions) DecidedStatement(ctx context.Context, a access.Actor, requestID uuid.UUID) ([]byte, error) {
	if s.render == nil || s.people == nil || s.rec == nil {
		return nil, fmt.Errorf("rights: statement: no renderer: %w", derrors.ErrUnavailable)
	}
	_, subj, err := s.toDecide(ctx, a, requestID, "statement")
	if err != nil {
		return nil, err
	}
	job, err := s.records.DestructionFor(ctx, requestID)
	if err != nil {
		return nil, fmt.Errorf("rights: statement: %w", err)
	}
	if job.State != dossier.StateDone {
		return nil, fmt.Errorf("rights: statement: destruction not done: %w", derrors.ErrNotFound)
	}
	return s.statement(ctx, a, subj, job)
}

// statement renders the statement of the completed destruction job of
// subj's dossier and audits its export by a.
func (s *Destructions) statement(ctx context.Context, a access.Actor, subj Subject, job dossier.Destruction) ([]byte, error) {
	people, err := s.people.People(ctx, []uuid.UUID{job.DecidedBy})
	if err != nil {
		return nil, fmt.Errorf("rights: statement: %w", err)
	}
	name, err := s.people.EmployeeName(ctx, subj.EmployeeID)
	if err != nil {
		return nil, fmt.Errorf("rights: statement: %w", err)
	}
	b, err := s.render.DestructionStatement(StatementDocument{EmployeeName: name, Destruction: job,
		DecidedBy: people[job.DecidedBy].Name, BackupRetention: s.backupRetention, GeneratedAt: s.now().UTC()})
	if err != nil {
		return nil, fmt.Errorf("rights: statement: %w", err)
	}
	sum := sha256.Sum256(b)
	if err := s.rec.Record(ctx, audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: subj.EmployeeID,
		TenantID: subj.EmployerID, Action: audit.ActionExport, ObjectKind: "destruction_statement",
		ObjectID: job.ID.String() + "#sha256=" + hex.EncodeToString(sum[:]), Outcome: audit.OutcomeOK,
		RequestID: a.RequestID, ClientIP: a.ClientIP}); err != nil {
		return nil, fmt.Errorf("rights: statement: %w", err)
	}
	return b, nil
}

// SortedKinds returns the destroyed entry kinds of c in a fixed order.
func SortedKinds(c dossier.DestructionCounts) []dossier.EntryKind {
	out := make([]dossier.EntryKind, 0, len(c.Entries))
	for k := range c.Entries {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// toDecide loads the destruction request requestID with its subject for
// a, who may decide it (as Decide); a request of another type, or one a
// may not decide, is derrors.ErrNotFound. op names the operation in errors.
func (s *Destructions) toDecide(ctx context.Context, a access.Actor, requestID uuid.UUID, op string) (Request, Subject, error) {
	r, subj, err := s.requests.Request(ctx, requestID)
	if err != nil {
		return Request{}, Subject{}, fmt.Errorf("rights: %s: %w", op, err)
	}
	if r.Type != TypeDestruction || selfDecision(a, &r, subj) || !mayDecide(a, r.Type, subj) {
		return Request{}, Subject{}, fmt.Errorf("rights: may not decide this request: %w", derrors.ErrNotFound)
	}
	return r, subj, nil
}

// DestructionReview is what the physician deciding a destruction request
// sees: the legal retention duties running on the dossier (none when
// there is no dossier), and the job once granted.
type DestructionReview struct {
	Request Request
	// NoDossier: the employee has no (open) dossier.
	NoDossier bool
	Duties    []dossier.RetentionDuty
	// Job is the destruction carried out for the request (zero ID: none).
	Job dossier.Destruction
}

// Review returns the destruction request requestID with the retention
// duties of the dossier and the job, for who may decide it (as Decide),
// audited as a read of the dossier's retention duties. Anyone else, or a
// request of another type, is derrors.ErrNotFound.
func (s *Destructions) Review(ctx context.Context, a access.Actor, requestID uuid.UUID) (DestructionReview, error) {
	if s.rec == nil {
		return DestructionReview{}, fmt.Errorf("rights: review destruction: no recorder: %w", derrors.ErrUnavailable)
	}
	r, subj, err := s.toDecide(ctx, a, requestID, "review destruction")
	if err != nil {
		return DestructionReview{}, err
	}
	out := DestructionReview{Request: r}
	d, duties, err := s.destroyer.Assess(ctx, subj.EmployeeID, subj.DateOfBirth)
	switch {
	case errors.Is(err, derrors.ErrNotFound):
		out.NoDossier = true
	case err != nil:
		return DestructionReview{}, fmt.Errorf("rights: review destruction: %w", err)
	default:
		if err := inCharge(a, d); err != nil {
			return DestructionReview{}, err
		}
		out.Duties = duties
	}
	switch job, err := s.records.DestructionFor(ctx, requestID); {
	case errors.Is(err, derrors.ErrNotFound):
	case err != nil:
		return DestructionReview{}, fmt.Errorf("rights: review destruction: %w", err)
	default:
		out.Job = job
	}
	if err := s.rec.Record(ctx, audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: subj.EmployeeID,
		TenantID: subj.EmployerID, Action: audit.ActionRead, ObjectKind: "dossier_retention", ObjectID: r.ID.String(),
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP}); err != nil {
		return DestructionReview{}, fmt.Errorf("rights: review destruction: %w", err)
	}
	return out, nil
}
