package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// Requests runs the register of rights requests (see package rights).
type Requests interface {
	File(ctx context.Context, a access.Actor, f rights.Filing) (rights.Request, error)
	FileFor(ctx context.Context, a access.Actor, employeeID uuid.UUID, f rights.Filing, rep rights.Representative) (rights.Request, error)
	Mine(ctx context.Context, a access.Actor) ([]rights.Request, error)
	Decide(ctx context.Context, a access.Actor, id uuid.UUID, d rights.Decision) (rights.Request, error)
	Extend(ctx context.Context, a access.Actor, id uuid.UUID, months int, reason string) (rights.Request, error)
	Queue(ctx context.Context, a access.Actor) ([]rights.Request, error)
}

// fileRequest is the body of POST /me/requests. Text (the employee's own
// statement, or what is wrong with an entry) and the entry it concerns go
// with own_statement and correction only, and are stored encrypted in the
// dossier, never in the register.
type fileRequest struct {
	Type    string `json:"type"`
	Text    string `json:"text"`
	EntryID string `json:"entry_id"`
	// Fields names the HR fields a rectification is about (names only).
	Fields []string `json:"fields"`
	// EntryIDs names the entries a destruction is about (none: the whole
	// dossier).
	EntryIDs []string `json:"entry_ids"`
}

// representativeRequest is the body of POST /employees/{id}/requests: a
// request a representative filed for the employee, registered by the
// privacy officer with the authorisation's signing date.
type representativeRequest struct {
	Type                  string   `json:"type"`
	Fields                []string `json:"fields"`
	RepresentativeName    string   `json:"representative_name"`
	AuthorisationSignedOn string   `json:"authorisation_signed_on"`
}

// outcomeDTO is what an erasure or restriction did with one category.
type outcomeDTO struct {
	Category string `json:"category"`
	Action   string `json:"action"`
	Count    int    `json:"count,omitempty"`
	Until    string `json:"until,omitempty"`
	Ground   string `json:"ground,omitempty"`
}

// decisionBody is the body of POST /requests/{id}/decision.
type decisionBody struct {
	Status string `json:"status"`
	Ground string `json:"ground"`
}

// extensionBody is the body of POST /requests/{id}/extension.
type extensionBody struct {
	Months int    `json:"months"`
	Reason string `json:"reason"`
}

// requestResponse is a register entry: metadata only.
type requestResponse struct {
	ID              string `json:"id"`
	EmployeeID      string `json:"employee_id"`
	Type            string `json:"type"`
	Status          string `json:"status"`
	ReceivedOn      string `json:"received_on"`
	DueOn           string `json:"due_on"`
	ExtendedTo      string `json:"extended_to,omitempty"`
	ExtensionReason string `json:"extension_reason,omitempty"`
	Overdue         bool   `json:"overdue"`
	DecidedBy       string `json:"decided_by,omitempty"`
	DecidedAt       string `json:"decided_at,omitempty"`
	Ground          string `json:"ground,omitempty"`
	// StatementEntry is the dossier entry holding an own statement.
	StatementEntry string `json:"statement_entry_id,omitempty"`
	ConcernsEntry  string `json:"entry_id,omitempty"`
	// RepresentativeName filed for the employee under an authorisation
	// signed on AuthorisationSignedOn.
	RepresentativeName    string       `json:"representative_name,omitempty"`
	AuthorisationSignedOn string       `json:"authorisation_signed_on,omitempty"`
	Fields                []string     `json:"fields,omitempty"`
	Outcome               []outcomeDTO `json:"outcome,omitempty"`
	// EntryIDs are the entries a destruction request is about.
	EntryIDs []string `json:"entry_ids,omitempty"`
}

func toRequestResponse(r rights.Request, today time.Time) requestResponse {
	out := requestResponse{ID: r.ID.String(), EmployeeID: r.EmployeeID.String(), Type: string(r.Type), Status: string(r.Status),
		ReceivedOn: optDate(r.ReceivedOn), DueOn: optDate(r.Due()), ExtendedTo: optDate(r.ExtendedTo),
		ExtensionReason: r.ExtensionReason, DecidedBy: optID(r.DecidedBy), Ground: r.Ground,
		StatementEntry: optID(r.ContentEntry), ConcernsEntry: optID(r.Concerns), RepresentativeName: r.Representative,
		AuthorisationSignedOn: optDate(r.AuthorisationSignedOn), Fields: r.Fields}
	for _, id := range r.EntryIDs {
		out.EntryIDs = append(out.EntryIDs, id.String())
	}
	for _, o := range r.Outcome {
		out.Outcome = append(out.Outcome, outcomeDTO{Category: o.Category, Action: o.Action, Count: o.Count,
			Until: optDate(o.Until), Ground: o.Ground})
	}
	if !r.DecidedAt.IsZero() {
		out.DecidedAt = r.DecidedAt.UTC().Format(time.RFC3339)
	}
	out.Overdue = r.Overdue(today)
	return out
}

func todayHere() time.Time {
	t, _ := time.Parse(time.DateOnly, access.Today(time.Now()))
	return t
}

func (s *Server) fileRequest(c *gin.Context) error {
	var in fileRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	f := rights.Filing{Type: rights.Type(in.Type), Text: in.Text, Concerns: optUUIDField(fe, "entry_id", in.EntryID), Fields: in.Fields}
	for _, v := range in.EntryIDs {
		id, ok := parseID(v)
		if !ok {
			fe.Add("entry_ids", "must be entry ids")
			break
		}
		f.EntryIDs = append(f.EntryIDs, id)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	r, err := s.opts.Requests.File(c, actorOf(c), f)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toRequestResponse(r, todayHere()))
	return nil
}

func (s *Server) fileForEmployee(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	var in representativeRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	rep := rights.Representative{Name: in.RepresentativeName,
		SignedOn: dateField(fe, "authorisation_signed_on", in.AuthorisationSignedOn, true)}
	if err := fe.Err(); err != nil {
		return err
	}
	r, err := s.opts.Requests.FileFor(c, actorOf(c), employeeID, rights.Filing{Type: rights.Type(in.Type), Fields: in.Fields}, rep)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toRequestResponse(r, todayHere()))
	return nil
}

// Records applies erasure and restriction (see rights.Records).
type Records interface {
	Erase(ctx context.Context, a access.Actor, id uuid.UUID) (rights.Request, error)
	Restrict(ctx context.Context, a access.Actor, id uuid.UUID) (rights.Request, error)
	Lift(ctx context.Context, a access.Actor, id uuid.UUID) (rights.Request, error)
}

func (s *Server) eraseRequest(c *gin.Context) error { return s.applyToRecord(c, s.opts.Records.Erase) }
func (s *Server) restrictRequest(c *gin.Context) error {
	return s.applyToRecord(c, s.opts.Records.Restrict)
}
func (s *Server) liftRestriction(c *gin.Context) error {
	return s.applyToRecord(c, s.opts.Records.Lift)
}

// applyToRecord answers the routes that decide a request by applying it.
func (s *Server) applyToRecord(c *gin.Context, apply func(context.Context, access.Actor, uuid.UUID) (rights.Request, error)) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := apply(c, actorOf(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toRequestResponse(r, todayHere()))
	return nil
}

func (s *Server) myRequests(c *gin.Context) error {
	rs, err := s.opts.Requests.Mine(c, actorOf(c))
	if err != nil {
		return err
	}
	if len(actorsOf(c)) > 1 {
		slices.SortStableFunc(rs, func(x, y rights.Request) int {
			if c := dueOf(x).Compare(dueOf(y)); c != 0 {
				return c
			}
			return bytes.Compare(x.ID[:], y.ID[:])
		})
	}
	return s.writeRequests(c, rs)
}

func (s *Server) requestQueue(c *gin.Context) error {
	// Each grant's queue under its own role (an officer's HR requests, a
	// physician's medical ones), merged.
	var rs []rights.Request
	for _, a := range actorsOf(c) {
		part, err := s.opts.Requests.Queue(c, a)
		if err != nil {
			return err
		}
		for _, r := range part {
			if !slices.ContainsFunc(rs, func(x rights.Request) bool { return x.ID == r.ID }) {
				rs = append(rs, r)
			}
		}
	}
	return s.writeRequests(c, rs)
}

func (s *Server) writeRequests(c *gin.Context, rs []rights.Request) error {
	today := todayHere()
	out := make([]requestResponse, 0, len(rs))
	for _, r := range rs {
		out = append(out, toRequestResponse(r, today))
	}
	c.JSON(http.StatusOK, gin.H{"requests": out})
	return nil
}

func (s *Server) decideRequest(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in decisionBody
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	r, err := s.opts.Requests.Decide(c, actorOf(c), id, rights.Decision{Status: rights.Status(in.Status), Ground: in.Ground})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toRequestResponse(r, todayHere()))
	return nil
}

func (s *Server) extendRequest(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in extensionBody
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	r, err := s.opts.Requests.Extend(c, actorOf(c), id, in.Months, in.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, toRequestResponse(r, todayHere()))
	return nil
}

// Releases runs inspection and copy (see package rights).
type Releases interface {
	Release(ctx context.Context, a access.Actor, requestID uuid.UUID) (rights.Release, error)
	Mine(ctx context.Context, a access.Actor) ([]rights.Release, error)
	Read(ctx context.Context, a access.Actor, id uuid.UUID) (rights.Release, []dossier.Entry, error)
	Copy(ctx context.Context, a access.Actor, id uuid.UUID) ([]byte, error)
}

type releaseResponse struct {
	ID         string `json:"id"`
	RequestID  string `json:"request_id"`
	ReleasedAt string `json:"released_at"`
	Entries    int    `json:"entries"`
	Copies     int    `json:"copies"`
}

func toReleaseResponse(r rights.Release) releaseResponse {
	return releaseResponse{ID: r.ID.String(), RequestID: r.RequestID.String(), ReleasedAt: r.ReleasedAt.UTC().Format(time.RFC3339),
		Entries: r.Entries, Copies: r.Copies}
}

// releasedEntry is an entry as the employee reads it after release.
type releasedEntry struct {
	ID           string `json:"id"`
	Kind         string `json:"kind"`
	Text         string `json:"text"`
	OccurredOn   string `json:"occurred_on,omitempty"`
	CreatedAt    string `json:"created_at"`
	Version      int    `json:"version"`
	Supersedes   string `json:"supersedes,omitempty"`
	SupersededBy string `json:"superseded_by,omitempty"`
}

func (s *Server) releaseRequest(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := s.opts.Releases.Release(c, actorOf(c), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, toReleaseResponse(r))
	return nil
}

func (s *Server) myReleases(c *gin.Context) error {
	rs, err := s.opts.Releases.Mine(c, actorOf(c))
	if err != nil {
		return err
	}
	out := make([]releaseResponse, 0, len(rs))
	for _, r := range rs {
		out = append(out, toReleaseResponse(r))
	}
	c.JSON(http.StatusOK, gin.H{"releases": out})
	return nil
}

func (s *Server) readRelease(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	rel, es, err := s.opts.Releases.Read(c, actorOf(c), id)
	if err != nil {
		return err
	}
	out := make([]releasedEntry, 0, len(es))
	for _, e := range es {
		out = append(out, releasedEntry{ID: e.ID.String(), Kind: string(e.Kind), Text: e.Text, OccurredOn: optDate(e.OccurredOn),
			CreatedAt: e.CreatedAt.UTC().Format(time.RFC3339), Version: e.Version, Supersedes: optID(e.Supersedes),
			SupersededBy: optID(e.SupersededBy)})
	}
	c.JSON(http.StatusOK, gin.H{"release": toReleaseResponse(rel), "entries": out})
	return nil
}

func (s *Server) releaseCopy(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	b, err := s.opts.Releases.Copy(c, actorOf(c), id)
	if err != nil {
		return err
	}
	return download(c, "afschrift-"+id.String()+".pdf", "application/pdf", b)
}

// Exporter exports the employee's own HR data (see package rights).
type Exporter interface {
	Mine(ctx context.Context, a access.Actor) (rights.Export, error)
}

type purposeDTO struct {
	Category   string `json:"category"`
	Purpose    string `json:"purpose"`
	LegalBasis string `json:"legal_basis"`
	Retention  string `json:"retention"`
}

// exportResponse is the AVG access and portability export: HR data only;
// the medical dossier is inspected through a release.
type exportResponse struct {
	GeneratedAt string            `json:"generated_at"`
	Employee    employeeResponse  `json:"employee"`
	Absences    []absenceResponse `json:"absences"`
	Verdicts    []verdictResponse `json:"verdicts"`
	Advice      []adviceResponse  `json:"advice"`
	Requests    []requestResponse `json:"requests"`
	Purposes    []purposeDTO      `json:"purposes"`
	Medical     string            `json:"medical_dossier"`
}

func (s *Server) myExport(c *gin.Context) error {
	a := actorOf(c)
	x, err := s.opts.Exporter.Mine(c, a)
	if err != nil {
		return err
	}
	today := todayHere()
	out := exportResponse{GeneratedAt: x.GeneratedAt.Format(time.RFC3339), Employee: toEmployeeResponse(x.Employee),
		Absences: []absenceResponse{}, Verdicts: []verdictResponse{}, Advice: []adviceResponse{}, Requests: []requestResponse{},
		Medical: "Not part of this export: ask for inspection or a copy of your medical dossier (request type inspection or copy)."}
	for _, ab := range x.Absences {
		out.Absences = append(out.Absences, s.toAbsenceResponse(a.Role, ab, false))
	}
	for _, v := range x.Verdicts {
		out.Verdicts = append(out.Verdicts, toVerdictResponse(v))
	}
	for _, ad := range x.Advice {
		out.Advice = append(out.Advice, toAdviceResponse(ad))
	}
	for _, r := range x.Requests {
		out.Requests = append(out.Requests, toRequestResponse(r, today))
	}
	for _, p := range x.Purposes {
		out.Purposes = append(out.Purposes, purposeDTO{Category: p.Category, Purpose: p.Purpose, LegalBasis: p.LegalBasis, Retention: p.Retention})
	}
	asDownload(c, "mijn-gegevens.json")
	c.JSON(http.StatusOK, out)
	return nil
}

// Destructions decides destruction requests and serves their statements
// (see rights.Destructions).
type Destructions interface {
	Decide(ctx context.Context, a access.Actor, requestID uuid.UUID, d rights.DestructionDecision) (rights.Request, dossier.Destruction, error)
	Mine(ctx context.Context, a access.Actor) ([]dossier.Destruction, error)
	Statement(ctx context.Context, a access.Actor, id uuid.UUID) ([]byte, error)
}

// destructionBody is the body of POST /requests/{id}/destruction.
type destructionBody struct {
	Decision string `json:"decision"`
	Ground   string `json:"ground"`
	Reason   string `json:"reason"`
}

// destructionResponse is a destruction: what it takes as counts and kinds,
// never content.
type destructionResponse struct {
	ID              string         `json:"id"`
	RequestID       string         `json:"request_id"`
	Scope           string         `json:"scope"`
	State           string         `json:"state"`
	Entries         map[string]int `json:"entries"`
	Attachments     int            `json:"attachments"`
	Exposures       int            `json:"exposures"`
	DecidedAt       string         `json:"decided_at"`
	CompletedAt     string         `json:"completed_at,omitempty"`
	BackupSafeAfter string         `json:"backup_safe_after,omitempty"`
}

func toDestructionResponse(d dossier.Destruction) destructionResponse {
	out := destructionResponse{ID: d.ID.String(), RequestID: d.RequestID.String(), Scope: string(d.Scope), State: string(d.State),
		Entries: map[string]int{}, Attachments: d.Counts.Attachments, Exposures: d.Counts.Exposures,
		DecidedAt: d.DecidedAt.UTC().Format(time.RFC3339), BackupSafeAfter: optDate(d.BackupSafeAfter)}
	for k, n := range d.Counts.Entries {
		out.Entries[string(k)] = n
	}
	if !d.CompletedAt.IsZero() {
		out.CompletedAt = d.CompletedAt.UTC().Format(time.RFC3339)
	}
	return out
}

func (s *Server) decideDestruction(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in destructionBody
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	var d rights.DestructionDecision
	switch in.Decision {
	case "grant":
		d.Grant = true
	case "refuse":
	default:
		return derrors.FieldErrors{"decision": "must be grant or refuse"}
	}
	d.Ground, d.Reason = in.Ground, in.Reason
	r, job, err := s.opts.Destructions.Decide(c, actorOf(c), id, d)
	if err != nil {
		return err
	}
	body := gin.H{"request": toRequestResponse(r, todayHere())}
	status := http.StatusOK
	if job.ID != uuid.Nil {
		body["destruction"] = toDestructionResponse(job)
		if job.State != dossier.StateDone {
			// Granted and recorded; the destruction worker carries it out
			// and tells the employee when it is done.
			status = http.StatusAccepted
		}
	}
	c.JSON(status, body)
	return nil
}

func (s *Server) myDestructions(c *gin.Context) error {
	ds, err := s.opts.Destructions.Mine(c, actorOf(c))
	if err != nil {
		return err
	}
	out := make([]destructionResponse, 0, len(ds))
	for _, d := range ds {
		out = append(out, toDestructionResponse(d))
	}
	c.JSON(http.StatusOK, gin.H{"destructions": out})
	return nil
}

func (s *Server) destructionStatement(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	b, err := s.opts.Destructions.Statement(c, actorOf(c), id)
	if err != nil {
		return err
	}
	return download(c, "verklaring-vernietiging-"+id.String()+".pdf", "application/pdf", b)
}

// dueOf is the date a request must be answered by: its extension's, if any.
func dueOf(r rights.Request) time.Time {
	if !r.ExtendedTo.IsZero() {
		return r.ExtendedTo
	}
	return r.DueOn
}
