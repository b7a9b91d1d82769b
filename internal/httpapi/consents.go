package httpapi

import (
	"context"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/consent"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// Consents runs targeted consent, information requests, disclosures and
// transfers (see package consent).
type Consents interface {
	Prepare(ctx context.Context, a access.Actor, employeeID uuid.UUID, in consent.NewConsent) (consent.Consent, error)
	List(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]consent.Consent, error)
	Form(ctx context.Context, a access.Actor, employeeID, id uuid.UUID) ([]byte, error)
	RegisterPaper(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, signedOn time.Time, scan dossier.Attachment) (consent.Consent, error)
	Revoke(ctx context.Context, a access.Actor, employeeID, id uuid.UUID) (consent.Consent, error)
	Mine(ctx context.Context, a access.Actor) ([]consent.Own, error)
	Sign(ctx context.Context, a access.Actor, id uuid.UUID, textSHA256 string) (consent.Consent, error)
	RevokeMine(ctx context.Context, a access.Actor, id uuid.UUID) (consent.Consent, error)

	Ask(ctx context.Context, a access.Actor, employeeID, consentID uuid.UUID, question string) (consent.InformationRequest, error)
	InformationRequests(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]consent.InformationRequest, error)
	Answer(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, answer string, occurredOn time.Time) (consent.InformationRequest, dossier.Entry, error)

	RegisterDisclosure(ctx context.Context, a access.Actor, employeeID uuid.UUID, in consent.NewDisclosure) (consent.Disclosure, error)
	Disclosures(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]consent.Disclosure, error)
	DecideDisclosure(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, grant bool, as consent.Assessment) (consent.Disclosure, error)
	Export(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, f consent.Format) ([]byte, error)

	PrepareTransfer(ctx context.Context, a access.Actor, employeeID, consentID uuid.UUID) (consent.Transfer, error)
	Transfers(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]consent.Transfer, error)
	Package(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, w io.Writer) error
	HandOver(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, disposal string) (consent.Transfer, error)
}

// scopeBody is a data scope: entry kinds and an optional period.
type scopeBody struct {
	Kinds []string `json:"kinds"`
	From  string   `json:"from"`
	To    string   `json:"to"`
}

func (b scopeBody) scope(fe derrors.FieldErrors) consent.Scope {
	s := consent.Scope{From: dateField(fe, "scope.from", b.From, false), To: dateField(fe, "scope.to", b.To, false)}
	for _, k := range b.Kinds {
		s.Kinds = append(s.Kinds, dossier.EntryKind(k))
	}
	return s
}

type scopeResponse struct {
	Kinds []string `json:"kinds"`
	From  string   `json:"from,omitempty"`
	To    string   `json:"to,omitempty"`
}

func toScopeResponse(s consent.Scope) scopeResponse {
	out := scopeResponse{Kinds: []string{}, From: optDate(s.From), To: optDate(s.To)}
	for _, k := range s.Kinds {
		out.Kinds = append(out.Kinds, string(k))
	}
	return out
}

type partyBody struct {
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
}

// consentRequest is the body of POST .../dossier/consents.
type consentRequest struct {
	RecipientKind string    `json:"recipient_kind"`
	Recipient     partyBody `json:"recipient"`
	Purpose       string    `json:"purpose"`
	PurposeText   string    `json:"purpose_text"`
	Scope         scopeBody `json:"scope"`
	ExpiresOn     string    `json:"expires_on"`
}

// consentResponse is a consent as those in the dossier's care, and the
// employee it is about, see it.
type consentResponse struct {
	ID            string        `json:"id"`
	EmployeeID    string        `json:"employee_id"`
	RecipientKind string        `json:"recipient_kind"`
	Recipient     partyBody     `json:"recipient"`
	Purpose       string        `json:"purpose"`
	PurposeText   string        `json:"purpose_text,omitempty"`
	Scope         scopeResponse `json:"scope"`
	ExpiresOn     string        `json:"expires_on"`
	Status        string        `json:"status"`
	Valid         bool          `json:"valid"`
	PreparedAt    string        `json:"prepared_at"`
	SignedOn      string        `json:"signed_on,omitempty"`
	SignedVia     string        `json:"signed_via,omitempty"`
	TextSHA256    string        `json:"text_sha256,omitempty"`
	ScanID        string        `json:"scan_id,omitempty"`
	RevokedAt     string        `json:"revoked_at,omitempty"`
	// Text is the exact text to sign (the employee's own view only).
	Text string `json:"text,omitempty"`
}

func toConsentResponse(c consent.Consent) consentResponse {
	out := consentResponse{ID: c.ID.String(), EmployeeID: c.EmployeeID.String(), RecipientKind: string(c.RecipientKind),
		Recipient: partyBody{Name: c.Recipient.Name, Organisation: c.Recipient.Organisation}, Purpose: string(c.Purpose),
		PurposeText: c.PurposeText, Scope: toScopeResponse(c.Scope), ExpiresOn: optDate(c.ExpiresOn), Status: string(c.Status),
		Valid: c.Valid(todayHere()), PreparedAt: c.PreparedAt.UTC().Format(time.RFC3339), SignedOn: optDate(c.SignedOn),
		SignedVia: c.SignedVia, TextSHA256: c.TextSHA256, ScanID: optID(c.ScanID)}
	if !c.RevokedAt.IsZero() {
		out.RevokedAt = c.RevokedAt.UTC().Format(time.RFC3339)
	}
	return out
}

// ids reads the employee id and the sub-resource id name.
func ids(c *gin.Context, name string) (uuid.UUID, uuid.UUID, error) {
	employeeID, err := pathID(c)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	id, err := pathParam(c, name)
	return employeeID, id, err
}

// answer writes v as JSON with status.
func answer(c *gin.Context, status int, v any) error {
	c.JSON(status, v)
	return nil
}

func (s *Server) prepareConsent(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	var in consentRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	nc := consent.NewConsent{RecipientKind: consent.RecipientKind(in.RecipientKind),
		Recipient: consent.Party{Name: in.Recipient.Name, Organisation: in.Recipient.Organisation},
		Purpose:   consent.Purpose(in.Purpose), PurposeText: in.PurposeText, Scope: in.Scope.scope(fe),
		ExpiresOn: dateField(fe, "expires_on", in.ExpiresOn, true)}
	if err := fe.Err(); err != nil {
		return err
	}
	out, err := s.opts.Consents.Prepare(c, actorOf(c), employeeID, nc)
	if err != nil {
		return err
	}
	return answer(c, http.StatusCreated, toConsentResponse(out))
}

func (s *Server) listConsents(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	cs, err := s.opts.Consents.List(c, actorOf(c), employeeID)
	if err != nil {
		return err
	}
	out := make([]consentResponse, 0, len(cs))
	for _, x := range cs {
		out = append(out, toConsentResponse(x))
	}
	return answer(c, http.StatusOK, gin.H{"consents": out})
}

func (s *Server) consentForm(c *gin.Context) error {
	employeeID, id, err := ids(c, "consent_id")
	if err != nil {
		return err
	}
	b, err := s.opts.Consents.Form(c, actorOf(c), employeeID, id)
	if err != nil {
		return err
	}
	return download(c, "toestemming-"+id.String()+".pdf", "application/pdf", b)
}

// registerPaperConsent takes the scan of a signed paper form as the raw
// body (application/pdf, image/png or image/jpeg) with ?signed_on=.
func (s *Server) registerPaperConsent(c *gin.Context) error {
	employeeID, id, err := ids(c, "consent_id")
	if err != nil {
		return err
	}
	q := c.Request.URL.Query()
	fe := derrors.FieldErrors{}
	knownParams(fe, q, "signed_on")
	signedOn := dateField(fe, "signed_on", q.Get("signed_on"), true)
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil {
		fe.Add("content_type", "must be application/pdf, image/png or image/jpeg")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	body, err := readBody(c.Request)
	if err != nil {
		return err
	}
	out, err := s.opts.Consents.RegisterPaper(c, actorOf(c), employeeID, id, signedOn, dossier.Attachment{ContentType: mt, Content: body})
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, toConsentResponse(out))
}

func (s *Server) revokeConsent(c *gin.Context) error {
	employeeID, id, err := ids(c, "consent_id")
	if err != nil {
		return err
	}
	out, err := s.opts.Consents.Revoke(c, actorOf(c), employeeID, id)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, toConsentResponse(out))
}

func (s *Server) myConsents(c *gin.Context) error {
	cs, err := s.opts.Consents.Mine(c, actorOf(c))
	if err != nil {
		return err
	}
	out := make([]consentResponse, 0, len(cs))
	for _, x := range cs {
		r := toConsentResponse(x.Consent)
		r.Text, r.TextSHA256 = x.Text, x.TextSHA256
		out = append(out, r)
	}
	return answer(c, http.StatusOK, gin.H{"consents": out})
}

// signatureBody is the body of POST /me/consents/{id}/signature: the
// SHA-256 of the text the employee was shown.
type signatureBody struct {
	TextSHA256 string `json:"text_sha256"`
}

func (s *Server) signConsent(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in signatureBody
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	out, err := s.opts.Consents.Sign(c, actorOf(c), id, in.TextSHA256)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, toConsentResponse(out))
}

func (s *Server) revokeMyConsent(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	out, err := s.opts.Consents.RevokeMine(c, actorOf(c), id)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, toConsentResponse(out))
}

// informationRequestBody is the body of POST .../information-requests.
type informationRequestBody struct {
	ConsentID string `json:"consent_id"`
	Question  string `json:"question"`
}

// informationAnswerBody is the body of POST .../information-requests/{id}/answer.
type informationAnswerBody struct {
	Text       string `json:"text"`
	OccurredOn string `json:"occurred_on"`
}

type informationRequestResponse struct {
	ID          string `json:"id"`
	ConsentID   string `json:"consent_id"`
	Question    string `json:"question"`
	AskedBy     string `json:"asked_by"`
	OnBehalfOf  string `json:"on_behalf_of,omitempty"`
	AskedAt     string `json:"asked_at"`
	AnswerEntry string `json:"answer_entry_id,omitempty"`
	AnsweredAt  string `json:"answered_at,omitempty"`
}

func toInformationRequestResponse(r consent.InformationRequest) informationRequestResponse {
	out := informationRequestResponse{ID: r.ID.String(), ConsentID: r.ConsentID.String(), Question: r.Question,
		AskedBy: r.AskedBy.String(), OnBehalfOf: optID(r.OnBehalfOf), AskedAt: r.AskedAt.UTC().Format(time.RFC3339),
		AnswerEntry: optID(r.AnswerEntry)}
	if !r.AnsweredAt.IsZero() {
		out.AnsweredAt = r.AnsweredAt.UTC().Format(time.RFC3339)
	}
	return out
}

func (s *Server) askInformation(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	var in informationRequestBody
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	consentID := optUUIDField(fe, "consent_id", in.ConsentID)
	if consentID == uuid.Nil {
		fe.Add("consent_id", "is required: the consent the request is made under")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	r, err := s.opts.Consents.Ask(c, actorOf(c), employeeID, consentID, in.Question)
	if err != nil {
		return err
	}
	return answer(c, http.StatusCreated, toInformationRequestResponse(r))
}

func (s *Server) listInformationRequests(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	rs, err := s.opts.Consents.InformationRequests(c, actorOf(c), employeeID)
	if err != nil {
		return err
	}
	out := make([]informationRequestResponse, 0, len(rs))
	for _, r := range rs {
		out = append(out, toInformationRequestResponse(r))
	}
	return answer(c, http.StatusOK, gin.H{"information_requests": out})
}

func (s *Server) answerInformation(c *gin.Context) error {
	employeeID, id, err := ids(c, "request_id")
	if err != nil {
		return err
	}
	var in informationAnswerBody
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	on := dateField(fe, "occurred_on", in.OccurredOn, false)
	if err := fe.Err(); err != nil {
		return err
	}
	r, e, err := s.opts.Consents.Answer(c, actorOf(c), employeeID, id, in.Text, on)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, gin.H{"information_request": toInformationRequestResponse(r), "entry": toEntryResponse(e)})
}

// disclosureBody is the body of POST .../dossier/disclosures.
type disclosureBody struct {
	Requester         partyBody `json:"requester"`
	Task              string    `json:"task"`
	RecipientKind     string    `json:"recipient_kind"`
	Purpose           string    `json:"purpose"`
	Scope             scopeBody `json:"scope"`
	Basis             string    `json:"basis"`
	ConsentID         string    `json:"consent_id"`
	LegalGround       string    `json:"legal_ground"`
	MedicalMotivation string    `json:"medical_motivation"`
	LabourMotivation  string    `json:"labour_motivation"`
}

// assessmentBody answers each refusal ground of seed 004 §7; every one is
// required, so that none is decided by omission.
type assessmentBody struct {
	InterestOutweighsPrivacy *bool `json:"interest_outweighs_privacy"`
	WithinTaskNeeds          *bool `json:"within_task_needs"`
	NoRiskOfHarm             *bool `json:"no_risk_of_harm"`
	CoveredByRules           *bool `json:"covered_by_rules"`
}

// disclosureDecisionBody is the body of POST .../disclosures/{id}/decision.
type disclosureDecisionBody struct {
	Decision   string         `json:"decision"`
	Assessment assessmentBody `json:"assessment"`
}

type assessmentResponse struct {
	InterestOutweighsPrivacy bool `json:"interest_outweighs_privacy"`
	WithinTaskNeeds          bool `json:"within_task_needs"`
	NoRiskOfHarm             bool `json:"no_risk_of_harm"`
	CoveredByRules           bool `json:"covered_by_rules"`
}

type disclosureResponse struct {
	ID                string              `json:"id"`
	Requester         partyBody           `json:"requester"`
	Task              string              `json:"task"`
	RecipientKind     string              `json:"recipient_kind"`
	Purpose           string              `json:"purpose"`
	Scope             scopeResponse       `json:"scope"`
	Basis             string              `json:"basis"`
	ConsentID         string              `json:"consent_id,omitempty"`
	LegalGround       string              `json:"legal_ground,omitempty"`
	MedicalMotivation string              `json:"medical_motivation,omitempty"`
	LabourMotivation  string              `json:"labour_motivation,omitempty"`
	Status            string              `json:"status"`
	Assessment        *assessmentResponse `json:"assessment,omitempty"`
	DecidedBy         string              `json:"decided_by,omitempty"`
	RegisteredAt      string              `json:"registered_at"`
}

func toDisclosureResponse(x consent.Disclosure) disclosureResponse {
	out := disclosureResponse{ID: x.ID.String(), Requester: partyBody{Name: x.Requester.Name, Organisation: x.Requester.Organisation},
		Task: x.Task, RecipientKind: string(x.RecipientKind), Purpose: string(x.Purpose), Scope: toScopeResponse(x.Scope),
		Basis: string(x.Basis), ConsentID: optID(x.ConsentID), LegalGround: x.LegalGround, MedicalMotivation: x.MedicalMotivation,
		LabourMotivation: x.LabourMotivation, Status: string(x.Status), DecidedBy: optID(x.DecidedBy),
		RegisteredAt: x.RegisteredAt.UTC().Format(time.RFC3339)}
	if a := x.Assessment; a != nil {
		out.Assessment = &assessmentResponse{InterestOutweighsPrivacy: a.InterestOutweighsPrivacy, WithinTaskNeeds: a.WithinTaskNeeds,
			NoRiskOfHarm: a.NoRiskOfHarm, CoveredByRules: a.CoveredByRules}
	}
	return out
}

func (s *Server) registerDisclosure(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	var in disclosureBody
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	nd := consent.NewDisclosure{Requester: consent.Party{Name: in.Requester.Name, Organisation: in.Requester.Organisation},
		Task: in.Task, RecipientKind: consent.RecipientKind(in.RecipientKind), Purpose: consent.Purpose(in.Purpose),
		Scope: in.Scope.scope(fe), Basis: consent.Basis(in.Basis), ConsentID: optUUIDField(fe, "consent_id", in.ConsentID),
		LegalGround: in.LegalGround, MedicalMotivation: in.MedicalMotivation, LabourMotivation: in.LabourMotivation}
	if err := fe.Err(); err != nil {
		return err
	}
	x, err := s.opts.Consents.RegisterDisclosure(c, actorOf(c), employeeID, nd)
	if err != nil {
		return err
	}
	return answer(c, http.StatusCreated, toDisclosureResponse(x))
}

func (s *Server) listDisclosures(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	xs, err := s.opts.Consents.Disclosures(c, actorOf(c), employeeID)
	if err != nil {
		return err
	}
	out := make([]disclosureResponse, 0, len(xs))
	for _, x := range xs {
		out = append(out, toDisclosureResponse(x))
	}
	return answer(c, http.StatusOK, gin.H{"disclosures": out})
}

func (s *Server) decideDisclosure(c *gin.Context) error {
	employeeID, id, err := ids(c, "disclosure_id")
	if err != nil {
		return err
	}
	var in disclosureDecisionBody
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	if in.Decision != "grant" && in.Decision != "refuse" {
		fe.Add("decision", "must be grant or refuse")
	}
	flag := func(name string, v *bool) bool {
		if v == nil {
			fe.Add("assessment."+name, "is required: true or false")
			return false
		}
		return *v
	}
	as := consent.Assessment{InterestOutweighsPrivacy: flag("interest_outweighs_privacy", in.Assessment.InterestOutweighsPrivacy),
		WithinTaskNeeds: flag("within_task_needs", in.Assessment.WithinTaskNeeds), NoRiskOfHarm: flag("no_risk_of_harm", in.Assessment.NoRiskOfHarm),
		CoveredByRules: flag("covered_by_rules", in.Assessment.CoveredByRules)}
	if err := fe.Err(); err != nil {
		return err
	}
	x, err := s.opts.Consents.DecideDisclosure(c, actorOf(c), employeeID, id, in.Decision == "grant", as)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, toDisclosureResponse(x))
}

func (s *Server) exportDisclosure(f consent.Format) handlerFunc {
	return func(c *gin.Context) error {
		employeeID, id, err := ids(c, "disclosure_id")
		if err != nil {
			return err
		}
		b, err := s.opts.Consents.Export(c, actorOf(c), employeeID, id, f)
		if err != nil {
			return err
		}
		contentType := "application/json"
		if f == consent.FormatPDF {
			contentType = "application/pdf"
		}
		return download(c, "verstrekking-"+id.String()+"."+string(f), contentType, b)
	}
}

// transferBody is the body of POST .../dossier/transfers.
type transferBody struct {
	ConsentID string `json:"consent_id"`
}

// handOverBody is the body of POST .../transfers/{id}/handover.
type handOverBody struct {
	Disposal string `json:"disposal"`
}

type transferResponse struct {
	ID            string    `json:"id"`
	ConsentID     string    `json:"consent_id"`
	Recipient     partyBody `json:"recipient"`
	PreparedAt    string    `json:"prepared_at"`
	PackageSHA256 string    `json:"package_sha256,omitempty"`
	ExportedAt    string    `json:"exported_at,omitempty"`
	HandedOverAt  string    `json:"handed_over_at,omitempty"`
	Disposal      string    `json:"disposal,omitempty"`
}

func toTransferResponse(t consent.Transfer) transferResponse {
	out := transferResponse{ID: t.ID.String(), ConsentID: t.ConsentID.String(),
		Recipient:  partyBody{Name: t.Recipient.Name, Organisation: t.Recipient.Organisation},
		PreparedAt: t.PreparedAt.UTC().Format(time.RFC3339), PackageSHA256: t.PackageSHA256, Disposal: t.Disposal}
	if !t.ExportedAt.IsZero() {
		out.ExportedAt = t.ExportedAt.UTC().Format(time.RFC3339)
	}
	if !t.HandedOverAt.IsZero() {
		out.HandedOverAt = t.HandedOverAt.UTC().Format(time.RFC3339)
	}
	return out
}

func (s *Server) prepareTransfer(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	var in transferBody
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	consentID := optUUIDField(fe, "consent_id", in.ConsentID)
	if consentID == uuid.Nil {
		fe.Add("consent_id", "is required: the employee's consent to the transfer")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	t, err := s.opts.Consents.PrepareTransfer(c, actorOf(c), employeeID, consentID)
	if err != nil {
		return err
	}
	return answer(c, http.StatusCreated, toTransferResponse(t))
}

func (s *Server) listTransfers(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	ts, err := s.opts.Consents.Transfers(c, actorOf(c), employeeID)
	if err != nil {
		return err
	}
	out := make([]transferResponse, 0, len(ts))
	for _, t := range ts {
		out = append(out, toTransferResponse(t))
	}
	return answer(c, http.StatusOK, gin.H{"transfers": out})
}

// lazyHeader sends the package's headers with its first byte, so that a
// refusal found before anything is written still answers as a problem.
type lazyHeader struct {
	c       *gin.Context
	name    string
	started bool
}

func (w *lazyHeader) Write(p []byte) (int, error) {
	if !w.started {
		w.started = true
		asDownload(w.c, w.name)
		w.c.Header("Content-Type", "application/zip")
		w.c.Status(http.StatusOK)
	}
	return w.c.Writer.Write(p)
}

func (s *Server) transferPackage(c *gin.Context) error {
	employeeID, id, err := ids(c, "transfer_id")
	if err != nil {
		return err
	}
	w := &lazyHeader{c: c, name: "overdracht-" + id.String() + ".zip"}
	if err := s.opts.Consents.Package(c, actorOf(c), employeeID, id, w); err != nil {
		if w.started {
			// Part of the package went out (or all of it, unrecorded): the
			// connection is reset so that the receiver never takes a
			// truncated or unrecorded package for a whole one.
			s.log.ErrorContext(c, "transfer package interrupted", "request_id", requestIDOf(c), "error", err.Error())
			panic(http.ErrAbortHandler)
		}
		return err
	}
	return nil
}

func (s *Server) handOver(c *gin.Context) error {
	employeeID, id, err := ids(c, "transfer_id")
	if err != nil {
		return err
	}
	var in handOverBody
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	t, err := s.opts.Consents.HandOver(c, actorOf(c), employeeID, id, in.Disposal)
	if err != nil {
		return err
	}
	return answer(c, http.StatusOK, toTransferResponse(t))
}
