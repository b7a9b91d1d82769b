package rights

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/employee"
	"github.com/arbokluis/arbokluis/internal/fitness"
)

// Purpose says why a category of HR data is kept and for how long.
type Purpose struct {
	Category, Purpose, LegalBasis, Retention string
}

// Purposes are the purposes and retention terms of the HR data in an
// export (domain.md, seed 004 §9). The medical dossier is not in an
// export: the employee inspects it through a release.
var Purposes = []Purpose{
	{"employee", "Uitvoering van verzuimbegeleiding en re-integratie voor de werkgever", "Arbowet art. 14; wettelijke plicht",
		"5 jaar na einde dienstverband"},
	{"absences", "Verzuimbegeleiding en de termijnen van de Wet verbetering poortwachter", "BW 7:658a, 7:629; wettelijke plicht",
		"2 jaar na einde dienstverband of re-integratie"},
	{"verdicts", "Oordeel van de bedrijfsarts over arbeidsgeschiktheid (alleen de uitkomst)", "Arbowet art. 14",
		"2 jaar na einde dienstverband of re-integratie"},
	{"advice", "Advies over beperkingen en mogelijkheden in niet-medische termen", "Arbowet art. 14",
		"2 jaar na einde dienstverband of re-integratie"},
	{"requests", "Afhandeling van uw verzoeken over uw gegevens", "AVG art. 12; wettelijke plicht", "5 jaar na afhandeling"},
	{"access_log", "Verantwoording van wie uw gegevens inzag of wijzigde", "NEN 7513", "ten minste 5 jaar"},
}

// Export is everything HR-side about one employee, machine-readable.
type Export struct {
	GeneratedAt time.Time
	Employee    employee.Employee
	Absences    []absence.Absence
	Verdicts    []fitness.Verdict
	Advice      []fitness.Advice
	Requests    []Request
	Purposes    []Purpose
}

// Exporter reads the employee's HR data through the services that own it,
// each of which audits its own read.
type Exporter struct {
	subjects interface {
		SubjectOf(ctx context.Context, userID uuid.UUID) (Subject, error)
	}
	employees interface {
		Get(ctx context.Context, a access.Actor, id uuid.UUID) (employee.Employee, error)
	}
	absences interface {
		ListForEmployee(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]absence.Absence, error)
	}
	fitness interface {
		Verdicts(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]fitness.Verdict, error)
		AdviceFor(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]fitness.Advice, error)
	}
	requests interface {
		Mine(ctx context.Context, a access.Actor) ([]Request, error)
	}
	rec audit.Recorder
	now func() time.Time
}

// NewExporter returns the exporter over the services that own each part.
func NewExporter(subjects RequestReader, employees *employee.Service, absences *absence.Service, fit *fitness.Service,
	requests *Requests, rec audit.Recorder, now func() time.Time) *Exporter {
	if now == nil {
		now = time.Now
	}
	return &Exporter{subjects: subjects, employees: employees, absences: absences, fitness: fit, requests: requests, rec: rec, now: now}
}

// Mine returns the export of the caller's own HR data (AVG access and
// portability), with the purposes and retention terms that apply,
// audited as an export before it is returned. A login without an employee
// record is derrors.ErrNotFound.
func (x *Exporter) Mine(ctx context.Context, a access.Actor) (Export, error) {
	subj, err := x.subjects.SubjectOf(ctx, a.UserID())
	if err != nil {
		return Export{}, fmt.Errorf("rights: export: %w", err)
	}
	out := Export{GeneratedAt: x.now().UTC(), Purposes: Purposes}
	if out.Employee, err = x.employees.Get(ctx, a, subj.EmployeeID); err != nil {
		return Export{}, fmt.Errorf("rights: export: %w", err)
	}
	if out.Absences, err = x.absences.ListForEmployee(ctx, a, subj.EmployeeID); err != nil {
		return Export{}, fmt.Errorf("rights: export: %w", err)
	}
	if out.Verdicts, err = x.fitness.Verdicts(ctx, a, subj.EmployeeID); err != nil {
		return Export{}, fmt.Errorf("rights: export: %w", err)
	}
	if out.Advice, err = x.fitness.AdviceFor(ctx, a, subj.EmployeeID); err != nil {
		return Export{}, fmt.Errorf("rights: export: %w", err)
	}
	if out.Requests, err = x.requests.Mine(ctx, a); err != nil {
		return Export{}, fmt.Errorf("rights: export: %w", err)
	}
	if err := x.rec.Record(ctx, audit.Event{ActorUserID: a.UserID(), ActorRole: string(a.Role), SubjectEmployeeID: subj.EmployeeID,
		TenantID: subj.EmployerID, Action: audit.ActionExport, ObjectKind: "hr_export", ObjectID: subj.EmployeeID.String(),
		Outcome: audit.OutcomeOK, RequestID: a.RequestID, ClientIP: a.ClientIP}); err != nil {
		return Export{}, fmt.Errorf("rights: export: %w", err)
	}
	return out, nil
}
