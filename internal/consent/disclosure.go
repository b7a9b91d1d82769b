package consent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// Basis is why a disclosure may happen at all.
type Basis string

// The bases: the employee's targeted consent, or a legal duty (the UWV
// insurance physician's statutory right to information, say).
const (
	BasisConsent   Basis = "consent"
	BasisLegalDuty Basis = "legal_duty"
)

// Assessment is the reporting physician's decision on each refusal ground
// of seed 004 §7, each answered in favour of disclosure or not.
type Assessment struct {
	// InterestOutweighsPrivacy: the interest of the disclosure outweighs
	// the employee's privacy.
	InterestOutweighsPrivacy bool
	// WithinTaskNeeds: no more is asked than the requester's task needs.
	WithinTaskNeeds bool
	// NoRiskOfHarm: the requester cannot reasonably be expected to harm
	// the employee's privacy.
	NoRiskOfHarm bool
	// CoveredByRules: the rules cover the case; when they do not, the
	// staff physician (a lead physician) decides.
	CoveredByRules bool
}

// favourable reports whether every ground that can refuse is answered in
// favour of disclosure.
func (a Assessment) favourable() bool {
	return a.InterestOutweighsPrivacy && a.WithinTaskNeeds && a.NoRiskOfHarm
}

// DisclosureStatus is where a disclosure request stands.
type DisclosureStatus string

// The statuses.
const (
	DisclosureReceived DisclosureStatus = "received"
	DisclosureGranted  DisclosureStatus = "granted"
	DisclosureRefused  DisclosureStatus = "refused"
)

// Disclosure is a third party's request for medical data, registered with
// its basis and decided by the reporting physician.
type Disclosure struct {
	ID            uuid.UUID
	DossierID     uuid.UUID
	EmployeeID    uuid.UUID
	Requester     Party
	Task          string
	RecipientKind RecipientKind
	Purpose       Purpose
	Scope         Scope
	Basis         Basis
	ConsentID     uuid.UUID
	LegalGround   string
	// MedicalMotivation and LabourMotivation go with results for UWV (the
	// Awb duty to motivate).
	MedicalMotivation string
	LabourMotivation  string
	RegisteredBy      uuid.UUID
	RegisteredAt      time.Time
	Status            DisclosureStatus
	Assessment        *Assessment
	DecidedBy         uuid.UUID
	DecidedAt         time.Time
}

// NewDisclosure is a disclosure request as registered.
type NewDisclosure struct {
	Requester         Party
	Task              string
	RecipientKind     RecipientKind
	Purpose           Purpose
	Scope             Scope
	Basis             Basis
	ConsentID         uuid.UUID
	LegalGround       string
	MedicalMotivation string
	LabourMotivation  string
}

func (n NewDisclosure) check() error {
	fe := derrors.FieldErrors{}
	text(fe, "requester_name", n.Requester.Name, true, 200)
	text(fe, "requester_organisation", n.Requester.Organisation, true, 200)
	text(fe, "task", n.Task, true, MaxText)
	if !n.RecipientKind.Valid() {
		fe.Add("recipient_kind", "must be treating_physician, specialist, uwv_insurance_physician or occupational_health_service")
	}
	if !n.Purpose.Valid() {
		fe.Add("purpose", "must be a known purpose")
	}
	n.Scope.check(fe)
	switch n.Basis {
	case BasisConsent:
		if n.ConsentID == uuid.Nil {
			fe.Add("consent_id", "is required for a disclosure on consent")
		}
		if n.LegalGround != "" {
			fe.Add("legal_ground", "applies to a legal duty only")
		}
	case BasisLegalDuty:
		if n.ConsentID != uuid.Nil {
			fe.Add("consent_id", "applies to a disclosure on consent only")
		}
		text(fe, "legal_ground", n.LegalGround, true, 200)
	default:
		fe.Add("basis", "must be consent or legal_duty")
	}
	text(fe, "medical_motivation", n.MedicalMotivation, n.RecipientKind == RecipientUWV, MaxText)
	text(fe, "labour_motivation", n.LabourMotivation, n.RecipientKind == RecipientUWV, MaxText)
	return fe.Err()
}

type disclosureSecret struct {
	Requester         Party  `json:"requester"`
	Task              string `json:"task"`
	LegalGround       string `json:"legal_ground,omitempty"`
	MedicalMotivation string `json:"medical_motivation,omitempty"`
	LabourMotivation  string `json:"labour_motivation,omitempty"`
}

// disclosures is how disclosure requests are sealed.
var disclosures = sealedJSON(dossier.CiphertextDisclosure, func(x Disclosure) uuid.UUID { return x.ID },
	func(x *Disclosure, sec disclosureSecret) {
		x.Requester, x.Task, x.MedicalMotivation, x.LabourMotivation = sec.Requester, sec.Task, sec.MedicalMotivation, sec.LabourMotivation
		x.LegalGround = sec.LegalGround
	})

// RegisterDisclosure registers a third party's request for data of
// employeeID's dossier with its basis: a consent of this dossier, or a
// legal duty with its ground named; UWV requests carry the medical and the
// labour-expert motivation. By those in the dossier's care. Bad input is
// derrors.FieldErrors; a consent of another dossier derrors.ErrNotFound.
// Whether the consent covers the request is decided when the request is.
func (s *Service) RegisterDisclosure(ctx context.Context, a access.Actor, employeeID uuid.UUID, in NewDisclosure) (Disclosure, error) {
	if err := in.check(); err != nil {
		return Disclosure{}, err
	}
	if in.Basis == BasisConsent {
		if _, _, err := s.get(ctx, a, employeeID, in.ConsentID, audit.ActionRead); err != nil {
			return Disclosure{}, fmt.Errorf("consent: register disclosure: %w", err)
		}
	}
	x, err := create(ctx, s, a, employeeID, dossier.CiphertextDisclosure, "disclosure",
		func(d dossier.Dossier, acc access.DossierAccess) (Disclosure, uuid.UUID, any, error) {
			x := Disclosure{ID: uuid.New(), DossierID: d.ID, EmployeeID: employeeID, Requester: in.Requester, Task: in.Task,
				RecipientKind: in.RecipientKind, Purpose: in.Purpose, Scope: in.Scope.normal(), Basis: in.Basis, ConsentID: in.ConsentID,
				LegalGround: in.LegalGround, MedicalMotivation: in.MedicalMotivation, LabourMotivation: in.LabourMotivation,
				RegisteredBy: a.UserID(), RegisteredAt: s.now().UTC().Truncate(time.Microsecond), Status: DisclosureReceived}
			return x, x.ID, disclosureSecret{Requester: x.Requester, Task: x.Task, LegalGround: x.LegalGround,
				MedicalMotivation: x.MedicalMotivation, LabourMotivation: x.LabourMotivation}, nil
		}, s.store.InsertDisclosure)
	if err != nil {
		return Disclosure{}, fmt.Errorf("consent: register disclosure: %w", err)
	}
	return x, nil
}

// Disclosures lists the disclosure requests of employeeID's dossier, for
// those in its care, audited as a read.
func (s *Service) Disclosures(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]Disclosure, error) {
	return list(ctx, s, disclosures, s.store.Disclosures, a, employeeID, s.inCareList(a, audit.ActionRead, "disclosures"), "disclosures")
}

// basisHolds checks a disclosure's basis today: its consent valid and
// covering the requester it names, the recipient kind, purpose and scope
// (a *ConsentError otherwise).
func (s *Service) basisHolds(ctx context.Context, a access.Actor, x Disclosure) error {
	if x.Basis != BasisConsent {
		return nil
	}
	_, c, err := s.get(ctx, a, x.EmployeeID, x.ConsentID, audit.ActionRead)
	if err != nil {
		return err
	}
	if ok, why := c.Covers(x.RecipientKind, x.Purpose, x.Scope, s.today()); !ok {
		return &ConsentError{Reason: why}
	}
	// The consent names one recipient: the requester must be that one.
	if !c.Recipient.Same(x.Requester) {
		return &ConsentError{Reason: "consent_other_recipient"}
	}
	return nil
}

// decider checks that a decides as a physician: the responsible or
// substituting physician, or a lead physician; an assistant may see the
// request but never decides (derrors.ErrForbidden).
func decider(a access.Actor, d dossier.Dossier, until, now time.Time) (access.DossierAccess, error) {
	acc, err := a.Dossier(d.ResponsiblePhysicianID, until, now)
	if err != nil {
		return acc, err
	}
	if acc.Capacity == access.CapacityAssistant {
		return acc, fmt.Errorf("consent: an assistant does not decide disclosures: %w", derrors.ErrForbidden)
	}
	return acc, nil
}

// DecideDisclosure records the reporting physician's decision on
// disclosure id, with the assessment of each refusal ground. A grant needs
// every ground in favour (derrors.FieldErrors otherwise), its basis to hold
// today (a *ConsentError otherwise: no, a revoked or expired consent, or
// one that does not cover the request), and, where the rules do not cover
// the case, a lead physician as the staff physician (derrors.ErrForbidden
// for anyone else). A refusal names at least one ground against. A decided
// request is derrors.ErrConflict.
func (s *Service) DecideDisclosure(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, grant bool, as Assessment) (Disclosure, error) {
	switch {
	case grant && !as.favourable():
		return Disclosure{}, derrors.FieldErrors{"assessment": "a grant needs every refusal ground answered in favour of disclosure"}
	case !grant && as.favourable() && as.CoveredByRules:
		return Disclosure{}, derrors.FieldErrors{"assessment": "a refusal names the ground it rests on"}
	case grant && !as.CoveredByRules && a.Role != access.RoleLeadPhysician:
		return Disclosure{}, fmt.Errorf("consent: a case the rules do not cover is the staff physician's decision: %w", derrors.ErrForbidden)
	}
	d, r, err := s.store.Disclosure(ctx, employeeID, a.UserID(), id, s.inCare(a, audit.ActionRead, "disclosure", id))
	if err != nil {
		return Disclosure{}, fmt.Errorf("consent: decide disclosure: %w", err)
	}
	opened, err := disclosures.openOne(ctx, s.cipher, d, r)
	if err != nil {
		return Disclosure{}, fmt.Errorf("consent: decide disclosure: %w", err)
	}
	if opened.Status != DisclosureReceived {
		return Disclosure{}, fmt.Errorf("consent: the disclosure is %s: %w", opened.Status, derrors.ErrConflict)
	}
	if grant {
		if err := s.basisHolds(ctx, a, opened); err != nil {
			return Disclosure{}, fmt.Errorf("consent: decide disclosure: %w", err)
		}
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	out, err := s.store.UpdateDisclosure(ctx, employeeID, a.UserID(), id, func(d dossier.Dossier, until time.Time, x *Disclosure) (audit.Event, error) {
		acc, err := decider(a, d, until, s.now())
		if err != nil {
			return audit.Event{}, err
		}
		if x.Status != DisclosureReceived {
			return audit.Event{}, fmt.Errorf("consent: the disclosure is %s: %w", x.Status, derrors.ErrConflict)
		}
		x.Status, x.DecidedBy, x.DecidedAt, x.Assessment = DisclosureRefused, a.UserID(), now, &as
		if grant {
			x.Status = DisclosureGranted
		}
		return event(a, acc.OnBehalfOf, audit.ActionUpdate, d, "disclosure", x.ID), nil
	})
	if err != nil {
		return Disclosure{}, fmt.Errorf("consent: decide disclosure: %w", err)
	}
	out.Requester, out.Task, out.MedicalMotivation, out.LabourMotivation = opened.Requester, opened.Task, opened.MedicalMotivation, opened.LabourMotivation
	out.LegalGround = opened.LegalGround
	return out, nil
}

// scopedEntries returns the current entries of employeeID's dossier that
// scope includes, oldest first; each page read is audited by the entries
// service.
func (s *Service) scopedEntries(ctx context.Context, a access.Actor, employeeID uuid.UUID, scope Scope) ([]dossier.Entry, error) {
	var out []dossier.Entry
	var after *dossier.EntryCursor
	for {
		page, err := s.dossiers.List(ctx, a, employeeID, dossier.MaxEntriesPage, after)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if scope.Includes(e.Kind, entryDate(e)) {
				out = append(out, e)
			}
		}
		if len(page) < dossier.MaxEntriesPage {
			return out, nil
		}
		last := page[len(page)-1]
		after = &dossier.EntryCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
}

// entryDate is the day an entry is about: its occurred_on, else the day
// it was recorded in Europe/Amsterdam (where "today" is decided).
func entryDate(e dossier.Entry) time.Time {
	if !e.OccurredOn.IsZero() {
		return e.OccurredOn
	}
	d, _ := time.Parse(time.DateOnly, access.Today(e.CreatedAt))
	return d
}

// Format is how an export is rendered.
type Format string

// The formats.
const (
	FormatJSON Format = "json"
	FormatPDF  Format = "pdf"
)

// Export renders the data a granted disclosure releases: exactly the
// current entries its scope includes (never working notes), with the
// request, its basis and, for UWV, the motivations; as JSON or PDF,
// rendered on demand. It is recorded as an export with the SHA-256 of the
// file before it is returned. The basis must still hold (a revoked or
// expired consent stops it: *ConsentError). By the physicians who may
// decide disclosures. A disclosure not granted is derrors.ErrConflict.
func (s *Service) Export(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, f Format) ([]byte, error) {
	if f != FormatJSON && f != FormatPDF {
		return nil, derrors.FieldErrors{"format": "must be json or pdf"}
	}
	d, r, err := s.store.Disclosure(ctx, employeeID, a.UserID(), id, func(d dossier.Dossier, until time.Time) (audit.Event, error) {
		acc, err := decider(a, d, until, s.now())
		if err != nil {
			return audit.Event{}, err
		}
		return event(a, acc.OnBehalfOf, audit.ActionRead, d, "disclosure", id), nil
	})
	if err != nil {
		return nil, fmt.Errorf("consent: export: %w", err)
	}
	x, err := disclosures.openOne(ctx, s.cipher, d, r)
	if err != nil {
		return nil, fmt.Errorf("consent: export: %w", err)
	}
	if x.Status != DisclosureGranted {
		return nil, fmt.Errorf("consent: the disclosure is %s, not granted: %w", x.Status, derrors.ErrConflict)
	}
	if err := s.basisHolds(ctx, a, x); err != nil {
		return nil, fmt.Errorf("consent: export: %w", err)
	}
	entries, err := s.scopedEntries(ctx, a, employeeID, x.Scope)
	if err != nil {
		return nil, fmt.Errorf("consent: export: %w", err)
	}
	emp, err := s.people.EmployeeName(ctx, employeeID)
	if err != nil {
		return nil, fmt.Errorf("consent: export: %w", err)
	}
	doc := ExportDocument{Disclosure: x, EmployeeName: emp, Entries: entries, GeneratedAt: s.now().UTC()}
	var b []byte
	if f == FormatJSON {
		b, err = json.MarshalIndent(exportJSON(doc), "", "  ")
	} else {
		b, err = s.docs.DisclosureExport(doc)
	}
	if err != nil {
		return nil, fmt.Errorf("consent: export: %w", err)
	}
	sum := sha256.Sum256(b)
	ev := event(a, uuid.Nil, audit.ActionExport, d, "disclosure_export", x.ID)
	ev.ObjectID = x.ID.String() + "#" + string(f) + "#sha256=" + hex.EncodeToString(sum[:])
	record := func(d dossier.Dossier, until time.Time) (audit.Event, error) {
		acc, err := decider(a, d, until, s.now())
		ev.OnBehalfOf = acc.OnBehalfOf
		return ev, err
	}
	if x.Basis == BasisConsent {
		// Checked again at the last moment, under the consent's lock: a
		// revocation while the file was made stops it. Its recipient
		// cannot change and was checked above.
		err = s.store.UnderConsent(ctx, employeeID, a.UserID(), x.ConsentID, func(d dossier.Dossier, until time.Time, c *Consent) (audit.Event, error) {
			if ok, why := c.Covers(x.RecipientKind, x.Purpose, x.Scope, s.today()); !ok {
				return audit.Event{}, &ConsentError{Reason: why}
			}
			return record(d, until)
		})
	} else {
		_, _, err = s.store.Disclosure(ctx, employeeID, a.UserID(), id, record)
	}
	if err != nil {
		return nil, fmt.Errorf("consent: export: %w", err)
	}
	return b, nil
}

// ExportDocument is what an export holds.
type ExportDocument struct {
	Disclosure   Disclosure
	EmployeeName string
	Entries      []dossier.Entry
	GeneratedAt  time.Time
}

// exportEntry and exportFile are the JSON export's shape, a document
// format of its own (read by the recipient's systems).
type exportEntry struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	Date       string `json:"date"`
	Version    int    `json:"version"`
	Text       string `json:"text"`
	RecordedAt string `json:"recorded_at"`
}

type exportFile struct {
	Format            string        `json:"format"`
	DisclosureID      string        `json:"disclosure_id"`
	Employee          string        `json:"employee"`
	Requester         Party         `json:"requester"`
	Task              string        `json:"task"`
	RecipientKind     string        `json:"recipient_kind"`
	Purpose           string        `json:"purpose"`
	Basis             string        `json:"basis"`
	ConsentID         string        `json:"consent_id,omitempty"`
	LegalGround       string        `json:"legal_ground,omitempty"`
	Scope             string        `json:"scope"`
	MedicalMotivation string        `json:"medical_motivation,omitempty"`
	LabourMotivation  string        `json:"labour_motivation,omitempty"`
	DecidedAt         string        `json:"decided_at"`
	GeneratedAt       string        `json:"generated_at"`
	Entries           []exportEntry `json:"entries"`
}

func exportJSON(doc ExportDocument) exportFile {
	x := doc.Disclosure
	out := exportFile{Format: "arbokluis-disclosure/1", DisclosureID: x.ID.String(), Employee: doc.EmployeeName,
		Requester: x.Requester, Task: x.Task, RecipientKind: string(x.RecipientKind), Purpose: string(x.Purpose),
		Basis: string(x.Basis), LegalGround: x.LegalGround, Scope: x.Scope.Describe(),
		MedicalMotivation: x.MedicalMotivation, LabourMotivation: x.LabourMotivation,
		DecidedAt: x.DecidedAt.UTC().Format(time.RFC3339), GeneratedAt: doc.GeneratedAt.UTC().Format(time.RFC3339),
		Entries: make([]exportEntry, 0, len(doc.Entries))}
	if x.ConsentID != uuid.Nil {
		out.ConsentID = x.ConsentID.String()
	}
	for _, e := range doc.Entries {
		out.Entries = append(out.Entries, exportEntry{ID: e.ID.String(), Kind: string(e.Kind), Date: entryDate(e).Format(time.DateOnly),
			Version: e.Version, Text: e.Text, RecordedAt: e.CreatedAt.UTC().Format(time.RFC3339)})
	}
	return out
}

// FormDocument is what the consent form shows.
type FormDocument struct {
	Consent     Consent
	Names       Names
	Text        string
	GeneratedAt time.Time
}

// Documents renders the documents of this package.
type Documents interface {
	ConsentForm(doc FormDocument) ([]byte, error)
	DisclosureExport(doc ExportDocument) ([]byte, error)
	TransferSummary(doc TransferDocument) ([]byte, error)
}
