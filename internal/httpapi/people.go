package httpapi

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/employee"
	"github.com/arbokluis/arbokluis/internal/employer"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// Employers is what the HTTP layer needs of the employer service.
type Employers interface {
	Create(ctx context.Context, a access.Actor, e employer.Employer) (employer.Employer, error)
	Get(ctx context.Context, a access.Actor, id uuid.UUID) (employer.Employer, error)
	Update(ctx context.Context, a access.Actor, id uuid.UUID, p employer.Patch) (employer.Employer, error)
}

// Employees is what the HTTP layer needs of the employee service.
type Employees interface {
	Create(ctx context.Context, a access.Actor, e employee.Employee) (employee.Employee, error)
	Get(ctx context.Context, a access.Actor, id uuid.UUID) (employee.Employee, error)
	Import(ctx context.Context, a access.Actor, employerID uuid.UUID, r io.Reader) ([]employee.Employee, error)
	Update(ctx context.Context, a access.Actor, id uuid.UUID, p employee.Patch, why employee.Rectification) (employee.Employee, error)
}

// Rectifier answers rectification requests (see rights.Rectifier).
type Rectifier interface {
	Rectify(ctx context.Context, a access.Actor, requestID, employeeID uuid.UUID, p employee.Patch) (employee.Employee, rights.Request, error)
}

// Dossiers is what the HTTP layer needs of the medical dossier service.
type Dossiers interface {
	Get(ctx context.Context, a access.Actor, employeeID uuid.UUID) (dossier.View, error)
	DeclareEmergency(ctx context.Context, a access.Actor, employeeID uuid.UUID, reason string) (dossier.EmergencyAccess, error)
}

// employerRequest is the body of POST /api/v1/employers.
type employerRequest struct {
	Name                    string   `json:"name"`
	KvKNumber               string   `json:"kvk_number"`
	ShareAdviceWithEmployer bool     `json:"share_advice_with_employer"`
	MailDomains             []string `json:"mail_domains"`
}

// employerResponse describes a client employer.
type employerResponse struct {
	ID                      string   `json:"id"`
	Name                    string   `json:"name"`
	KvKNumber               string   `json:"kvk_number"`
	ShareAdviceWithEmployer bool     `json:"share_advice_with_employer"`
	MailDomains             []string `json:"mail_domains"`
	CreatedAt               string   `json:"created_at"`
}

func toEmployerResponse(e employer.Employer) employerResponse {
	domains := e.MailDomains
	if domains == nil {
		domains = []string{}
	}
	return employerResponse{ID: e.ID.String(), Name: e.Name, KvKNumber: e.KvKNumber,
		ShareAdviceWithEmployer: e.ShareAdviceWithEmployer, MailDomains: domains,
		CreatedAt: e.CreatedAt.UTC().Format(time.RFC3339)}
}

func (s *Server) createEmployer(c *gin.Context) error {
	var in employerRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	e, err := s.opts.Employers.Create(c, actorOf(c), employer.Employer{
		Name: in.Name, KvKNumber: in.KvKNumber, ShareAdviceWithEmployer: in.ShareAdviceWithEmployer, MailDomains: in.MailDomains,
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toEmployerResponse(e))
	return nil
}

func (s *Server) getEmployer(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	e, err := s.opts.Employers.Get(c, actorOf(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toEmployerResponse(e))
	return nil
}

// employerPatch is the body of PATCH /api/v1/employers/{id}: an absent
// field stays as it is.
type employerPatch struct {
	Name                    *string   `json:"name"`
	ShareAdviceWithEmployer *bool     `json:"share_advice_with_employer"`
	MailDomains             *[]string `json:"mail_domains"`
}

func (s *Server) updateEmployer(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in employerPatch
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	e, err := s.opts.Employers.Update(c, actorOf(c), id, employer.Patch{Name: in.Name,
		ShareAdviceWithEmployer: in.ShareAdviceWithEmployer, MailDomains: in.MailDomains})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toEmployerResponse(e))
	return nil
}

// employeeRequest is the body of POST /api/v1/employers/{id}/employees.
type employeeRequest struct {
	EmployeeNumber  string `json:"employee_number"`
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	DateOfBirth     string `json:"date_of_birth"`
	EmploymentStart string `json:"employment_start"`
	EmploymentEnd   string `json:"employment_end"`
	Email           string `json:"email"`
	Phone           string `json:"phone"`
	BSN             string `json:"bsn"`
}

// employeeResponse describes an employee's HR record.
type employeeResponse struct {
	ID              string `json:"id"`
	EmployerID      string `json:"employer_id"`
	EmployeeNumber  string `json:"employee_number"`
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	DateOfBirth     string `json:"date_of_birth"`
	EmploymentStart string `json:"employment_start"`
	EmploymentEnd   string `json:"employment_end,omitempty"`
	Email           string `json:"email,omitempty"`
	Phone           string `json:"phone,omitempty"`
	// BSN is in full for the employer and the case manager, masked to the
	// last three digits for other staff and the employee, absent otherwise.
	BSN    string `json:"bsn,omitempty"`
	UserID string `json:"user_id,omitempty"`
	// Restricted: the employee had processing restricted (AVG art. 18);
	// the record is kept and not changed.
	Restricted bool `json:"restricted,omitempty"`
	// Erased: the record was anonymised after its retention term.
	Erased bool `json:"erased,omitempty"`
}

// employeePatch is the body of PATCH /api/v1/employees/{id}: the fields to
// change; a field left out (or null) is unchanged, and "" clears an optional
// field (employment_end, email, phone, bsn). request_id names the
// employee's granted rectification request the change answers.
type employeePatch struct {
	FirstName       *string `json:"first_name"`
	LastName        *string `json:"last_name"`
	DateOfBirth     *string `json:"date_of_birth"`
	EmploymentStart *string `json:"employment_start"`
	EmploymentEnd   *string `json:"employment_end"`
	Email           *string `json:"email"`
	Phone           *string `json:"phone"`
	BSN             *string `json:"bsn"`
	RequestID       string  `json:"request_id"`
}

func optDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func toEmployeeResponse(e employee.Employee) employeeResponse {
	return employeeResponse{ID: e.ID.String(), EmployerID: e.EmployerID.String(), EmployeeNumber: e.EmployeeNumber,
		FirstName: e.FirstName, LastName: e.LastName, DateOfBirth: optDate(e.DateOfBirth),
		EmploymentStart: optDate(e.EmploymentStart), EmploymentEnd: optDate(e.EmploymentEnd),
		Email: e.Email, Phone: e.Phone, BSN: e.BSN, UserID: optID(e.UserID),
		Restricted: !e.RestrictedSince.IsZero(), Erased: !e.ErasedAt.IsZero()}
}

func (s *Server) updateEmployee(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in employeePatch
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	date := func(name string, v *string, required bool) *time.Time {
		if v == nil {
			return nil
		}
		t := dateField(fe, name, *v, required)
		return &t
	}
	p := employee.Patch{FirstName: in.FirstName, LastName: in.LastName,
		DateOfBirth: date("date_of_birth", in.DateOfBirth, true), EmploymentStart: date("employment_start", in.EmploymentStart, true),
		EmploymentEnd: date("employment_end", in.EmploymentEnd, false), Email: in.Email, Phone: in.Phone, BSN: in.BSN}
	requestID := optUUIDField(fe, "request_id", in.RequestID)
	if err := fe.Err(); err != nil {
		return err
	}
	var out employee.Employee
	if requestID != uuid.Nil {
		out, _, err = s.opts.Rectifier.Rectify(c, actorOf(c), requestID, id, p)
	} else {
		out, err = s.opts.Employees.Update(c, actorOf(c), id, p, employee.Rectification{})
	}
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toEmployeeResponse(out))
	return nil
}

func (s *Server) createEmployee(c *gin.Context) error {
	employerID, err := pathID(c)
	if err != nil {
		return err
	}
	var in employeeRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	e := employee.Employee{
		EmployerID: employerID, EmployeeNumber: in.EmployeeNumber, FirstName: in.FirstName, LastName: in.LastName,
		DateOfBirth:     dateField(fe, "date_of_birth", in.DateOfBirth, true),
		EmploymentStart: dateField(fe, "employment_start", in.EmploymentStart, true),
		EmploymentEnd:   dateField(fe, "employment_end", in.EmploymentEnd, false),
		Email:           in.Email, Phone: in.Phone, BSN: employee.NormalizeBSN(in.BSN),
	}
	if err := fe.Err(); err != nil {
		return err
	}
	out, err := s.opts.Employees.Create(c, actorOf(c), e)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toEmployeeResponse(out))
	return nil
}

func (s *Server) getEmployee(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	e, err := s.opts.Employees.Get(c, actorOf(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toEmployeeResponse(e))
	return nil
}

func (s *Server) importEmployees(c *gin.Context) error {
	employerID, err := pathID(c)
	if err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || mt != "text/csv" {
		return withDetail(derrors.ErrInvalid, "Content-Type must be text/csv.")
	}
	body, err := readBody(c.Request)
	if err != nil {
		return err
	}
	es, err := s.opts.Employees.Import(c, actorOf(c), employerID, bytes.NewReader(body))
	if err != nil {
		return err
	}
	out := make([]employeeResponse, 0, len(es))
	for _, e := range es {
		out = append(out, toEmployeeResponse(e))
	}
	c.JSON(http.StatusCreated, gin.H{"employees": out})
	return nil
}

// dossierResponse describes a medical dossier as the caller may see it.
type dossierResponse struct {
	ID                     string `json:"id"`
	EmployeeID             string `json:"employee_id"`
	ResponsiblePhysicianID string `json:"responsible_physician_id,omitempty"`
	Status                 string `json:"status"`
	CreatedAt              string `json:"created_at"`
	// Access says how the caller comes to see it: responsible, substitute,
	// assistant or emergency.
	Access     string `json:"access"`
	OnBehalfOf string `json:"on_behalf_of,omitempty"`
}

func (s *Server) getDossier(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	v, err := s.opts.Dossiers.Get(c, actorOf(c), employeeID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, dossierResponse{ID: v.ID.String(), EmployeeID: v.EmployeeID.String(),
		ResponsiblePhysicianID: optID(v.ResponsiblePhysicianID), Status: v.Status,
		CreatedAt: v.CreatedAt.UTC().Format(time.RFC3339), Access: string(v.Access.Capacity),
		OnBehalfOf: optID(v.Access.OnBehalfOf)})
	return nil
}

// emergencyRequest is the body of POST /api/v1/employees/{id}/dossier/emergency-access.
type emergencyRequest struct {
	Reason string `json:"reason"`
}

// emergencyResponse confirms a declared emergency access; never the reason.
type emergencyResponse struct {
	ID        string `json:"id"`
	DossierID string `json:"dossier_id"`
	ExpiresAt string `json:"expires_at"`
}

func (s *Server) declareEmergency(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	var in emergencyRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	ea, err := s.opts.Dossiers.DeclareEmergency(c, actorOf(c), employeeID, in.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, emergencyResponse{ID: ea.ID.String(), DossierID: ea.DossierID.String(),
		ExpiresAt: ea.ExpiresAt.UTC().Format(time.RFC3339)})
	return nil
}
