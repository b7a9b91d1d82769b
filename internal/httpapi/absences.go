package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// Absences is what the HTTP layer needs of the absence service.
type Absences interface {
	Report(ctx context.Context, a access.Actor, employeeID uuid.UUID, r absence.Report) (absence.Absence, bool, error)
	Change(ctx context.Context, a access.Actor, id uuid.UUID, date time.Time, percentage int) (absence.Absence, error)
	Close(ctx context.Context, a access.Actor, id uuid.UUID, reason absence.CloseReason, date time.Time) (absence.Absence, error)
	SetDetails(ctx context.Context, a access.Actor, id uuid.UUID, d absence.Details, vangnet *bool) (absence.Absence, error)
	SetVangnetType(ctx context.Context, a access.Actor, id uuid.UUID, t absence.VangnetType) (absence.Absence, error)
	Extend(ctx context.Context, a access.Actor, id uuid.UUID, e absence.ExtensionRecord) (absence.Absence, error)
	RecordMilestone(ctx context.Context, a access.Actor, id uuid.UUID, kind absence.Kind, doneOn time.Time, lateOnset bool) (absence.Absence, error)
	RecordPlan(ctx context.Context, a access.Actor, id uuid.UUID, p absence.Plan) (absence.Plan, error)
	RecordEvaluation(ctx context.Context, a access.Actor, id uuid.UUID, e absence.Evaluation) (absence.Evaluation, error)
	Get(ctx context.Context, a access.Actor, id uuid.UUID) (absence.Absence, error)
	ListForEmployee(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]absence.Absence, error)
	Plan(ctx context.Context, a access.Actor, id uuid.UUID) (absence.Plan, []absence.Evaluation, error)
	PlanPDF(ctx context.Context, a access.Actor, id uuid.UUID) ([]byte, error)
	AddContact(ctx context.Context, a access.Actor, id uuid.UUID, c absence.Contact) (absence.Contact, error)
	Contacts(ctx context.Context, a access.Actor, id uuid.UUID) ([]absence.Contact, error)
	AddNote(ctx context.Context, a access.Actor, id uuid.UUID, body string) (absence.Note, error)
	Notes(ctx context.Context, a access.Actor, id uuid.UUID) ([]absence.Note, error)
	RedactNote(ctx context.Context, a access.Actor, noteID uuid.UUID, reason string) (absence.Note, error)
	Signals(ctx context.Context, a access.Actor, withinDays, limit int, after *absence.Cursor) ([]absence.Signal, error)
	Overview(ctx context.Context, a access.Actor, employerID uuid.UUID) ([]absence.OverviewRow, error)
	Settings() absence.Settings
	Today() time.Time
}

// processTextNotice is repeated on every response that carries process
// text, so that every client shows it beside the field.
const processTextNotice = "Process notes only: never record a diagnosis, complaints, treatment or other medical detail here."

// sickReportRequest is the body of POST /api/v1/employees/{id}/absences.
type sickReportRequest struct {
	FirstSickDay          string `json:"first_sick_day"`
	Percentage            *int   `json:"percentage"`
	Vangnet               bool   `json:"vangnet"`
	ExpectedDurationWeeks int    `json:"expected_duration_weeks"`
	WorkAccident          *bool  `json:"work_accident"`
	LiableThirdParty      *bool  `json:"liable_third_party"`
	LeaveDays             int    `json:"leave_days"`
}

type milestoneResponse struct {
	Kind       string `json:"kind"`
	N          int    `json:"n,omitempty"`
	Due        string `json:"due"`
	RemindFrom string `json:"remind_from,omitempty"`
	DoneOn     string `json:"done_on,omitempty"`
	LateOnset  bool   `json:"late_onset,omitempty"`
	Status     string `json:"status"`
}

type changeResponse struct {
	Kind       string `json:"kind"`
	Date       string `json:"date"`
	Percentage int    `json:"percentage"`
	LeaveDays  int    `json:"leave_days,omitempty"`
}

type extensionResponse struct {
	Kind      string `json:"kind"`
	Weeks     int    `json:"weeks"`
	Reason    string `json:"reason"`
	DecidedOn string `json:"decided_on"`
}

// absenceResponse describes a case as the caller may see it.
type absenceResponse struct {
	ID                    string              `json:"id"`
	EmployeeID            string              `json:"employee_id"`
	EmployerID            string              `json:"employer_id"`
	FirstSickDay          string              `json:"first_sick_day"`
	Percentage            int                 `json:"percentage"`
	Status                string              `json:"status"`
	ClosedOn              string              `json:"closed_on,omitempty"`
	CloseReason           string              `json:"close_reason,omitempty"`
	Merged                bool                `json:"merged,omitempty"`
	Vangnet               bool                `json:"vangnet"`
	VangnetType           string              `json:"vangnet_type,omitempty"`
	ExpectedDurationWeeks int                 `json:"expected_duration_weeks,omitempty"`
	WorkAccident          *bool               `json:"work_accident,omitempty"`
	LiableThirdParty      *bool               `json:"liable_third_party,omitempty"`
	Changes               []changeResponse    `json:"changes"`
	Extensions            []extensionResponse `json:"extensions,omitempty"`
	Milestones            []milestoneResponse `json:"milestones"`
}

func (s *Server) toAbsenceResponse(role access.Role, x absence.Absence, merged bool) absenceResponse {
	out := absenceResponse{
		ID: x.ID.String(), EmployeeID: x.EmployeeID.String(), EmployerID: x.EmployerID.String(),
		FirstSickDay: optDate(x.FirstSickDay), Percentage: x.Percentage, Status: string(x.Status),
		ClosedOn: optDate(x.ClosedOn), CloseReason: string(x.CloseReason), Merged: merged, Vangnet: x.Vangnet,
		ExpectedDurationWeeks: x.Details.ExpectedDurationWeeks, WorkAccident: x.Details.WorkAccident,
		LiableThirdParty: x.Details.LiableThirdParty, Changes: []changeResponse{}, Milestones: []milestoneResponse{},
	}
	if absence.SeesVangnetType(role) {
		out.VangnetType = string(x.VangnetType)
		for _, e := range x.Extensions {
			out.Extensions = append(out.Extensions, extensionResponse{Kind: string(e.Kind), Weeks: e.Weeks, Reason: e.Reason,
				DecidedOn: optDate(e.DecidedOn)})
		}
	} else {
		for _, e := range x.Extensions {
			// The employer learns of the extension, not the case manager's
			// reasoning.
			out.Extensions = append(out.Extensions, extensionResponse{Kind: string(e.Kind), Weeks: e.Weeks, DecidedOn: optDate(e.DecidedOn)})
		}
	}
	for _, c := range x.Changes {
		out.Changes = append(out.Changes, changeResponse{Kind: string(c.Kind), Date: optDate(c.EffectiveOn), Percentage: c.Percentage, LeaveDays: c.LeaveDays})
	}
	for _, m := range x.VisibleMilestones(role, s.opts.Absences.Settings(), s.opts.Absences.Today()) {
		out.Milestones = append(out.Milestones, milestoneResponse{Kind: string(m.Kind), N: m.N, Due: optDate(m.Due),
			RemindFrom: optDate(m.RemindFrom), DoneOn: optDate(m.DoneOn), LateOnset: m.LateOnset, Status: string(m.Status)})
	}
	return out
}

func (s *Server) reportSick(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	var in sickReportRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	r := absence.Report{
		FirstSickDay: dateField(fe, "first_sick_day", in.FirstSickDay, true), Vangnet: in.Vangnet, LeaveDays: in.LeaveDays,
		Details: absence.Details{ExpectedDurationWeeks: in.ExpectedDurationWeeks, WorkAccident: in.WorkAccident, LiableThirdParty: in.LiableThirdParty},
	}
	if in.Percentage == nil {
		fe.Add("percentage", "is required")
	} else {
		r.Percentage = *in.Percentage
	}
	if err := fe.Err(); err != nil {
		return err
	}
	a := actorOf(c)
	x, merged, err := s.opts.Absences.Report(c, a, employeeID, r)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if merged {
		status = http.StatusOK
	}
	c.JSON(status, s.toAbsenceResponse(a.Role, x.ForRole(a.Role), merged))
	return nil
}

// changeRequest is the body of POST /api/v1/absences/{id}/changes.
type changeRequest struct {
	Date       string `json:"date"`
	Percentage *int   `json:"percentage"`
}

func (s *Server) changeAbsence(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in changeRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	date := dateField(fe, "date", in.Date, true)
	if in.Percentage == nil {
		fe.Add("percentage", "is required")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.answerAbsence(c, func(a access.Actor) (absence.Absence, error) {
		return s.opts.Absences.Change(c, a, id, date, *in.Percentage)
	})
}

// answerAbsence runs op and answers with the case as the caller may see it.
func (s *Server) answerAbsence(c *gin.Context, op func(a access.Actor) (absence.Absence, error)) error {
	a := actorOf(c)
	x, err := op(a)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.toAbsenceResponse(a.Role, x.ForRole(a.Role), false))
	return nil
}

// closureRequest is the body of POST /api/v1/absences/{id}/closure.
type closureRequest struct {
	Reason string `json:"reason"`
	Date   string `json:"date"`
}

func (s *Server) closeAbsence(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in closureRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	date := dateField(fe, "date", in.Date, true)
	if err := fe.Err(); err != nil {
		return err
	}
	return s.answerAbsence(c, func(a access.Actor) (absence.Absence, error) {
		return s.opts.Absences.Close(c, a, id, absence.CloseReason(in.Reason), date)
	})
}

// detailsRequest is the body of PATCH /api/v1/absences/{id}: the
// employer-side facts the Dutch DPA allows, and nothing else.
type detailsRequest struct {
	ExpectedDurationWeeks int   `json:"expected_duration_weeks"`
	WorkAccident          *bool `json:"work_accident"`
	LiableThirdParty      *bool `json:"liable_third_party"`
	Vangnet               *bool `json:"vangnet"`
}

func (s *Server) setAbsenceDetails(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in detailsRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	return s.answerAbsence(c, func(a access.Actor) (absence.Absence, error) {
		return s.opts.Absences.SetDetails(c, a, id, absence.Details{ExpectedDurationWeeks: in.ExpectedDurationWeeks,
			WorkAccident: in.WorkAccident, LiableThirdParty: in.LiableThirdParty}, in.Vangnet)
	})
}

// vangnetRequest is the body of POST /api/v1/absences/{id}/vangnet.
type vangnetRequest struct {
	Type string `json:"type"`
}

func (s *Server) setVangnetType(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in vangnetRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	return s.answerAbsence(c, func(a access.Actor) (absence.Absence, error) {
		return s.opts.Absences.SetVangnetType(c, a, id, absence.VangnetType(in.Type))
	})
}

// extensionRequest is the body of POST /api/v1/absences/{id}/extensions.
type extensionRequest struct {
	Kind      string `json:"kind"`
	Weeks     int    `json:"weeks"`
	Reason    string `json:"reason"`
	DecidedOn string `json:"decided_on"`
}

func (s *Server) extendAbsence(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in extensionRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	decided := dateField(fe, "decided_on", in.DecidedOn, true)
	if err := fe.Err(); err != nil {
		return err
	}
	return s.answerAbsence(c, func(a access.Actor) (absence.Absence, error) {
		return s.opts.Absences.Extend(c, a, id, absence.ExtensionRecord{
			Extension: absence.Extension{Kind: absence.ExtensionKind(in.Kind), Weeks: in.Weeks}, Reason: in.Reason, DecidedOn: decided})
	})
}

// milestoneRequest is the body of POST /api/v1/absences/{id}/milestones.
type milestoneRequest struct {
	Kind      string `json:"kind"`
	DoneOn    string `json:"done_on"`
	LateOnset bool   `json:"late_onset"`
}

func (s *Server) recordMilestone(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in milestoneRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	done := dateField(fe, "done_on", in.DoneOn, true)
	if err := fe.Err(); err != nil {
		return err
	}
	return s.answerAbsence(c, func(a access.Actor) (absence.Absence, error) {
		return s.opts.Absences.RecordMilestone(c, a, id, absence.Kind(in.Kind), done, in.LateOnset)
	})
}

func (s *Server) getAbsence(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	return s.answerAbsence(c, func(a access.Actor) (absence.Absence, error) {
		return s.opts.Absences.Get(c, a, id)
	})
}

func (s *Server) listAbsences(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	a := actorOf(c)
	xs, err := s.opts.Absences.ListForEmployee(c, a, employeeID)
	if err != nil {
		return err
	}
	out := make([]absenceResponse, 0, len(xs))
	for _, x := range xs {
		out = append(out, s.toAbsenceResponse(a.Role, x, false))
	}
	c.JSON(http.StatusOK, gin.H{"absences": out})
	return nil
}

type activityJSON struct {
	Description string `json:"description"`
	Who         string `json:"who"`
	ByWhen      string `json:"by_when"`
}

// planRequest is the body of POST /api/v1/absences/{id}/plans.
type planRequest struct {
	Goals            string         `json:"goals"`
	Activities       []activityJSON `json:"activities"`
	EmployerView     string         `json:"employer_view"`
	EmployeeView     string         `json:"employee_view"`
	EmployerSignedOn string         `json:"employer_signed_on"`
	EmployeeSignedOn string         `json:"employee_signed_on"`
}

type planResponse struct {
	ID               string               `json:"id"`
	AbsenceID        string               `json:"absence_id"`
	Version          int                  `json:"version"`
	Goals            string               `json:"goals"`
	Activities       []activityJSON       `json:"activities"`
	EmployerView     string               `json:"employer_view"`
	EmployeeView     string               `json:"employee_view"`
	EmployerSignedOn string               `json:"employer_signed_on,omitempty"`
	EmployeeSignedOn string               `json:"employee_signed_on,omitempty"`
	Evaluations      []evaluationResponse `json:"evaluations"`
	Notice           string               `json:"notice"`
}

func toPlanResponse(p absence.Plan, evs []absence.Evaluation) planResponse {
	out := planResponse{ID: p.ID.String(), AbsenceID: p.AbsenceID.String(), Version: p.Version, Goals: p.Goals,
		Activities: []activityJSON{}, EmployerView: p.EmployerView, EmployeeView: p.EmployeeView,
		EmployerSignedOn: optDate(p.EmployerSignedOn), EmployeeSignedOn: optDate(p.EmployeeSignedOn),
		Evaluations: []evaluationResponse{}, Notice: processTextNotice}
	for _, a := range p.Activities {
		out.Activities = append(out.Activities, activityJSON{Description: a.Description, Who: a.Who, ByWhen: optDate(a.ByWhen)})
	}
	for _, e := range evs {
		out.Evaluations = append(out.Evaluations, toEvaluationResponse(e))
	}
	return out
}

func (s *Server) recordPlan(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in planRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	p := absence.Plan{Goals: in.Goals, EmployerView: in.EmployerView, EmployeeView: in.EmployeeView,
		EmployerSignedOn: dateField(fe, "employer_signed_on", in.EmployerSignedOn, false),
		EmployeeSignedOn: dateField(fe, "employee_signed_on", in.EmployeeSignedOn, false)}
	for i, a := range in.Activities {
		p.Activities = append(p.Activities, absence.Activity{Description: a.Description, Who: a.Who,
			ByWhen: dateField(fe, "activities["+strconv.Itoa(i)+"].by_when", a.ByWhen, true)})
	}
	if err := fe.Err(); err != nil {
		return err
	}
	out, err := s.opts.Absences.RecordPlan(c, actorOf(c), id, p)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toPlanResponse(out, nil))
	return nil
}

func (s *Server) getPlan(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, evs, err := s.opts.Absences.Plan(c, actorOf(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toPlanResponse(p, evs))
	return nil
}

func (s *Server) planPDF(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	b, err := s.opts.Absences.PlanPDF(c, actorOf(c), id)
	if err != nil {
		return err
	}
	return download(c, "plan-van-aanpak.pdf", "application/pdf", b)
}

// evaluationRequest is the body of POST /api/v1/absences/{id}/evaluations.
type evaluationRequest struct {
	Kind         string `json:"kind"`
	HeldOn       string `json:"held_on"`
	Summary      string `json:"summary"`
	EmployerView string `json:"employer_view"`
	EmployeeView string `json:"employee_view"`
}

type evaluationResponse struct {
	ID           string `json:"id"`
	Kind         string `json:"kind"`
	HeldOn       string `json:"held_on"`
	Summary      string `json:"summary"`
	EmployerView string `json:"employer_view"`
	EmployeeView string `json:"employee_view"`
}

func toEvaluationResponse(e absence.Evaluation) evaluationResponse {
	return evaluationResponse{ID: e.ID.String(), Kind: string(e.Kind), HeldOn: optDate(e.HeldOn), Summary: e.Summary,
		EmployerView: e.EmployerView, EmployeeView: e.EmployeeView}
}

func (s *Server) recordEvaluation(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in evaluationRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	e := absence.Evaluation{Kind: absence.EvaluationKind(in.Kind), HeldOn: dateField(fe, "held_on", in.HeldOn, true),
		Summary: in.Summary, EmployerView: in.EmployerView, EmployeeView: in.EmployeeView}
	if err := fe.Err(); err != nil {
		return err
	}
	out, err := s.opts.Absences.RecordEvaluation(c, actorOf(c), id, e)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toEvaluationResponse(out))
	return nil
}

// contactRequest is the body of POST /api/v1/absences/{id}/contacts. There
// is no field for a recording: calls are never recorded.
type contactRequest struct {
	OccurredOn   string   `json:"occurred_on"`
	Channel      string   `json:"channel"`
	Participants []string `json:"participants"`
	Summary      string   `json:"summary"`
}

type contactResponse struct {
	ID           string   `json:"id"`
	OccurredOn   string   `json:"occurred_on"`
	Channel      string   `json:"channel"`
	Participants []string `json:"participants"`
	Summary      string   `json:"summary"`
	RecordedBy   string   `json:"recorded_by"`
}

func toContactResponse(x absence.Contact) contactResponse {
	return contactResponse{ID: x.ID.String(), OccurredOn: optDate(x.OccurredOn), Channel: string(x.Channel),
		Participants: x.Participants, Summary: x.Summary, RecordedBy: x.RecordedBy.String()}
}

func (s *Server) addContact(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in contactRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	x := absence.Contact{OccurredOn: dateField(fe, "occurred_on", in.OccurredOn, true), Channel: absence.Channel(in.Channel),
		Participants: in.Participants, Summary: in.Summary}
	if err := fe.Err(); err != nil {
		return err
	}
	out, err := s.opts.Absences.AddContact(c, actorOf(c), id, x)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toContactResponse(out))
	return nil
}

func (s *Server) listContacts(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	xs, err := s.opts.Absences.Contacts(c, actorOf(c), id)
	if err != nil {
		return err
	}
	out := make([]contactResponse, 0, len(xs))
	for _, x := range xs {
		out = append(out, toContactResponse(x))
	}
	c.JSON(http.StatusOK, gin.H{"contacts": out, "notice": processTextNotice})
	return nil
}

// noteRequest is the body of POST /api/v1/absences/{id}/notes.
type noteRequest struct {
	Text string `json:"text"`
}

type noteResponse struct {
	ID              string `json:"id"`
	AbsenceID       string `json:"absence_id"`
	Text            string `json:"text,omitempty"`
	AuthorID        string `json:"author_id"`
	CreatedAt       string `json:"created_at"`
	Redacted        bool   `json:"redacted"`
	RedactedAt      string `json:"redacted_at,omitempty"`
	RedactedBy      string `json:"redacted_by,omitempty"`
	RedactionReason string `json:"redaction_reason,omitempty"`
}

func toNoteResponse(n absence.Note) noteResponse {
	out := noteResponse{ID: n.ID.String(), AbsenceID: n.AbsenceID.String(), Text: n.Body, AuthorID: n.AuthorID.String(),
		CreatedAt: n.CreatedAt.UTC().Format(time.RFC3339), Redacted: !n.RedactedAt.IsZero(), RedactedBy: optID(n.RedactedBy),
		RedactionReason: n.RedactionReason}
	if out.Redacted {
		out.RedactedAt = n.RedactedAt.UTC().Format(time.RFC3339)
	}
	return out
}

func (s *Server) addNote(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in noteRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	n, err := s.opts.Absences.AddNote(c, actorOf(c), id, in.Text)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toNoteResponse(n))
	return nil
}

func (s *Server) listNotes(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ns, err := s.opts.Absences.Notes(c, actorOf(c), id)
	if err != nil {
		return err
	}
	out := make([]noteResponse, 0, len(ns))
	for _, n := range ns {
		out = append(out, toNoteResponse(n))
	}
	c.JSON(http.StatusOK, gin.H{"notes": out, "notice": processTextNotice})
	return nil
}

// redactRequest is the body of POST /api/v1/notes/{id}/redact.
type redactRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) redactNote(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in redactRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	n, err := s.opts.Absences.RedactNote(c, actorOf(c), id, in.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toNoteResponse(n))
	return nil
}

type signalResponse struct {
	AbsenceID      string `json:"absence_id"`
	EmployerID     string `json:"employer_id"`
	EmployeeID     string `json:"employee_id"`
	EmployeeName   string `json:"employee_name"`
	EmployeeNumber string `json:"employee_number"`
	Kind           string `json:"kind"`
	N              int    `json:"n,omitempty"`
	Due            string `json:"due"`
	Status         string `json:"status"`
}

func toSignalResponse(x absence.Signal) signalResponse {
	return signalResponse{AbsenceID: x.AbsenceID.String(), EmployerID: x.EmployerID.String(), EmployeeID: x.EmployeeID.String(),
		EmployeeName: x.EmployeeName, EmployeeNumber: x.EmployeeNumber, Kind: string(x.Kind), N: x.N,
		Due: optDate(x.Due), Status: string(x.Status)}
}

// signalsCursor is the cursor of the signals list: the keyset position
// (due, case, kind, n) of the last signal of a page.
var signalsCursor = cursorCodec[absence.Cursor, signalPosition]{
	kind: "signals",
	wire: func(c absence.Cursor) signalPosition {
		return signalPosition{Due: c.Due.Format(time.DateOnly), AbsenceID: c.AbsenceID.String(), Kind: string(c.Kind), N: c.N}
	},
	back: func(w signalPosition) (absence.Cursor, bool) {
		due, err := time.Parse(time.DateOnly, w.Due)
		id, ok := parseID(w.AbsenceID)
		kind := absence.Kind(w.Kind)
		if err != nil || !ok || !kind.Valid() || w.N < 0 || w.N > 1000 {
			return absence.Cursor{}, false
		}
		return absence.Cursor{Due: due, AbsenceID: id, Kind: kind, N: w.N}, true
	},
}

// signalPosition is the wire form of a signals cursor.
type signalPosition struct {
	Due       string `json:"due"`
	AbsenceID string `json:"absence_id"`
	Kind      string `json:"kind"`
	N         int    `json:"n"`
}

func (s *Server) signals(c *gin.Context) error {
	p := listPage(c, pageSpec{DefaultLimit: 50, MaxLimit: absence.MaxSignalsPage, Params: []string{"within_days"}})
	within := p.intParam("within_days", 14, "must be a whole number of days")
	after := signalsCursor.after(p)
	if err := p.err(); err != nil {
		return err
	}
	// Each grant lists its own tenants under its own role; the page is the
	// merge of those lists in keyset order.
	var sigs []absence.Signal
	for _, a := range actorsOf(c) {
		part, err := s.opts.Absences.Signals(c, a, within, p.Limit, after)
		if err != nil {
			return err
		}
		sigs = mergeSignals(sigs, part, p.Limit)
	}
	out := make([]signalResponse, 0, len(sigs))
	for _, x := range sigs {
		out = append(out, toSignalResponse(x))
	}
	body := gin.H{"signals": out}
	if p.full(len(sigs)) {
		last := sigs[len(sigs)-1]
		body["next_after"] = signalsCursor.encode(absence.Cursor{Due: last.Due, AbsenceID: last.AbsenceID, Kind: last.Kind, N: last.N})
	}
	c.JSON(http.StatusOK, body)
	return nil
}

type overviewResponse struct {
	EmployeeID     string          `json:"employee_id"`
	EmployeeNumber string          `json:"employee_number"`
	FirstName      string          `json:"first_name"`
	LastName       string          `json:"last_name"`
	Absent         bool            `json:"absent"`
	AbsenceID      string          `json:"absence_id,omitempty"`
	Percentage     int             `json:"percentage,omitempty"`
	FirstSickDay   string          `json:"first_sick_day,omitempty"`
	NextMilestone  *signalResponse `json:"next_milestone,omitempty"`
	LastVerdict    *string         `json:"last_verdict"`
	// LastWorkAbility is the work-ability percentage of a partly_fit
	// verdict.
	LastWorkAbility int `json:"last_work_ability_percentage,omitempty"`
}

func (s *Server) employerOverview(c *gin.Context) error {
	employerID, err := pathID(c)
	if err != nil {
		return err
	}
	rows, err := s.opts.Absences.Overview(c, actorOf(c), employerID)
	if err != nil {
		return err
	}
	out := make([]overviewResponse, 0, len(rows))
	for _, r := range rows {
		o := overviewResponse{EmployeeID: r.EmployeeID.String(), EmployeeNumber: r.EmployeeNumber, FirstName: r.FirstName,
			LastName: r.LastName, Absent: r.Absent(), AbsenceID: optID(r.AbsenceID), Percentage: r.Percentage,
			FirstSickDay: optDate(r.FirstSickDay)}
		if r.NextMilestone != nil {
			sr := toSignalResponse(*r.NextMilestone)
			sr.EmployeeName, sr.EmployeeNumber = "", ""
			o.NextMilestone = &sr
		}
		if r.LastVerdict != "" {
			v := r.LastVerdict
			o.LastVerdict, o.LastWorkAbility = &v, r.LastWorkAbility
		}
		out = append(out, o)
	}
	c.JSON(http.StatusOK, gin.H{"employees": out})
	return nil
}

// mergeSignals merges two pages of signals in keyset order (due, case,
// kind, n), drops a signal both hold, and keeps at most limit.
func mergeSignals(a, b []absence.Signal, limit int) []absence.Signal {
	out := append(slices.Clone(a), b...)
	slices.SortFunc(out, compareSignals)
	out = slices.CompactFunc(out, func(x, y absence.Signal) bool { return compareSignals(x, y) == 0 })
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func compareSignals(x, y absence.Signal) int {
	if c := x.Due.Compare(y.Due); c != 0 {
		return c
	}
	if c := bytes.Compare(x.AbsenceID[:], y.AbsenceID[:]); c != 0 {
		return c
	}
	if c := strings.Compare(string(x.Kind), string(y.Kind)); c != 0 {
		return c
	}
	return x.N - y.N
}
