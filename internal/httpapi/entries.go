package httpapi

import (
	"context"
	"encoding/base64"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// Entries runs the medical entries of dossiers (see package dossier).
type Entries interface {
	Create(ctx context.Context, a identity.Actor, employeeID uuid.UUID, in dossier.NewEntry) (dossier.Entry, error)
	Correct(ctx context.Context, a identity.Actor, employeeID, entryID uuid.UUID, text string) (dossier.Entry, error)
	List(ctx context.Context, a identity.Actor, employeeID uuid.UUID, limit int, after *dossier.EntryCursor) ([]dossier.Entry, error)
	Get(ctx context.Context, a identity.Actor, employeeID, entryID uuid.UUID) (dossier.Entry, error)
}

// entryRequest is the body of POST /employees/{id}/dossier/entries.
type entryRequest struct {
	Kind       string `json:"kind"`
	Text       string `json:"text"`
	OccurredOn string `json:"occurred_on"`
}

// correctionRequest is the body of POST .../entries/{entry_id}/corrections.
type correctionRequest struct {
	Text string `json:"text"`
}

// entryResponse is one version of a medical entry, for medical roles only.
type entryResponse struct {
	ID           string `json:"id"`
	DossierID    string `json:"dossier_id"`
	Kind         string `json:"kind"`
	Text         string `json:"text"`
	OccurredOn   string `json:"occurred_on,omitempty"`
	AuthorID     string `json:"author_id"`
	OnBehalfOf   string `json:"on_behalf_of,omitempty"`
	CreatedAt    string `json:"created_at"`
	Version      int    `json:"version"`
	Supersedes   string `json:"supersedes,omitempty"`
	SupersededBy string `json:"superseded_by,omitempty"`
}

func toEntryResponse(e dossier.Entry) entryResponse {
	return entryResponse{ID: e.ID.String(), DossierID: e.DossierID.String(), Kind: string(e.Kind), Text: e.Text,
		OccurredOn: optDate(e.OccurredOn), AuthorID: e.AuthorID.String(), OnBehalfOf: optID(e.OnBehalfOf),
		CreatedAt: e.CreatedAt.UTC().Format(time.RFC3339Nano), Version: e.Version,
		Supersedes: optID(e.Supersedes), SupersededBy: optID(e.SupersededBy)}
}

// download answers with a file the caller saves (no-store, never sniffed).
func download(c *gin.Context, name, contentType string, b []byte) error {
	medical(c)
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, contentType, b)
	return nil
}

// medical marks a response as medical content: never cached anywhere.
func medical(c *gin.Context) { c.Header("Cache-Control", "no-store") }

func (s *Server) createEntry(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	var in entryRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	ne := dossier.NewEntry{Kind: dossier.EntryKind(in.Kind), Text: in.Text,
		OccurredOn: dateField(fe, "occurred_on", in.OccurredOn, false)}
	if err := fe.Err(); err != nil {
		return err
	}
	e, err := s.opts.Entries.Create(c, actorOf(c), employeeID, ne)
	if err != nil {
		return err
	}
	medical(c)
	c.JSON(http.StatusCreated, toEntryResponse(e))
	return nil
}

func (s *Server) correctEntry(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	id, err := pathParam(c, "entry_id")
	if err != nil {
		return err
	}
	var in correctionRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	e, err := s.opts.Entries.Correct(c, actorOf(c), employeeID, id, in.Text)
	if err != nil {
		return err
	}
	medical(c)
	c.JSON(http.StatusCreated, toEntryResponse(e))
	return nil
}

func (s *Server) getEntry(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	id, err := pathParam(c, "entry_id")
	if err != nil {
		return err
	}
	e, err := s.opts.Entries.Get(c, actorOf(c), employeeID, id)
	if err != nil {
		return err
	}
	medical(c)
	c.JSON(http.StatusOK, toEntryResponse(e))
	return nil
}

func (s *Server) listEntries(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	q := c.Request.URL.Query()
	fe := derrors.FieldErrors{}
	for k := range q {
		if k != "limit" && k != "after" {
			fe.Add(k, "is not a known parameter")
		}
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.Add("limit", "must be a whole number")
		}
		limit = n
	}
	var after *dossier.EntryCursor
	if v := q.Get("after"); v != "" {
		if after, err = decodeEntryCursor(v); err != nil {
			fe.Add("after", "is not a cursor returned by this endpoint")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	es, err := s.opts.Entries.List(c, actorOf(c), employeeID, limit, after)
	if err != nil {
		return err
	}
	out := make([]entryResponse, 0, len(es))
	for _, e := range es {
		out = append(out, toEntryResponse(e))
	}
	body := gin.H{"entries": out}
	if len(es) == limit {
		last := es[len(es)-1]
		body["next_after"] = encodeEntryCursor(dossier.EntryCursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	medical(c)
	c.JSON(http.StatusOK, body)
	return nil
}

// encodeEntryCursor and decodeEntryCursor carry the keyset position of an
// entries page as an opaque token: created_at (RFC 3339, nanoseconds)|id.
func encodeEntryCursor(cur dossier.EntryCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cur.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + cur.ID.String()))
}

func decodeEntryCursor(s string) (*dossier.EntryCursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, derrors.ErrInvalid
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if !ok {
		return nil, derrors.ErrInvalid
	}
	t, err1 := time.Parse(time.RFC3339Nano, at)
	u, ok := parseID(id)
	if err1 != nil || !ok || t.Year() < 2000 || t.Year() > 9999 {
		return nil, derrors.ErrInvalid
	}
	return &dossier.EntryCursor{CreatedAt: t.UTC(), ID: u}, nil
}

// Attachments runs the attachments of dossiers (see package dossier).
type Attachments interface {
	Add(ctx context.Context, a identity.Actor, employeeID uuid.UUID, in dossier.Attachment) (dossier.Attachment, error)
	Get(ctx context.Context, a identity.Actor, employeeID, id uuid.UUID) (dossier.Attachment, error)
}

type attachmentResponse struct {
	ID          string `json:"id"`
	DossierID   string `json:"dossier_id"`
	EntryID     string `json:"entry_id,omitempty"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	AuthorID    string `json:"author_id"`
	OnBehalfOf  string `json:"on_behalf_of,omitempty"`
	CreatedAt   string `json:"created_at"`
}

func (s *Server) addAttachment(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	q := c.Request.URL.Query()
	fe := derrors.FieldErrors{}
	for k := range q {
		if k != "entry_id" {
			fe.Add(k, "is not a known parameter")
		}
	}
	in := dossier.Attachment{EntryID: optUUIDField(fe, "entry_id", q.Get("entry_id"))}
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil {
		fe.Add("content_type", "must be application/pdf, image/png or image/jpeg")
	}
	in.ContentType = mt
	if err := fe.Err(); err != nil {
		return err
	}
	// Read into memory under the body limit; never spooled to disk.
	body, err := readBody(c.Request)
	if err != nil {
		return err
	}
	in.Content = body
	a, err := s.opts.Attachments.Add(c, actorOf(c), employeeID, in)
	if err != nil {
		return err
	}
	medical(c)
	c.JSON(http.StatusCreated, attachmentResponse{ID: a.ID.String(), DossierID: a.DossierID.String(), EntryID: optID(a.EntryID),
		ContentType: a.ContentType, Size: a.Size, AuthorID: a.AuthorID.String(), OnBehalfOf: optID(a.OnBehalfOf),
		CreatedAt: a.CreatedAt.UTC().Format(time.RFC3339Nano)})
	return nil
}

func (s *Server) getAttachment(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	id, err := pathParam(c, "attachment_id")
	if err != nil {
		return err
	}
	a, err := s.opts.Attachments.Get(c, actorOf(c), employeeID, id)
	if err != nil {
		return err
	}
	return download(c, "bijlage-"+a.ID.String(), a.ContentType, a.Content)
}

// Exposures runs the exposure flags of dossiers (see package dossier).
type Exposures interface {
	Record(ctx context.Context, a identity.Actor, employeeID uuid.UUID, x dossier.Exposure) (dossier.Exposure, error)
	List(ctx context.Context, a identity.Actor, employeeID uuid.UUID) ([]dossier.Exposure, error)
}

// exposureRequest is the body of POST /employees/{id}/dossier/exposures.
type exposureRequest struct {
	Agent string `json:"agent"`
	From  string `json:"from"`
	To    string `json:"to"`
}

type exposureResponse struct {
	ID    string `json:"id"`
	Agent string `json:"agent"`
	From  string `json:"from"`
	To    string `json:"to,omitempty"`
}

func toExposureResponse(x dossier.Exposure) exposureResponse {
	return exposureResponse{ID: x.ID.String(), Agent: string(x.Agent), From: optDate(x.From), To: optDate(x.To)}
}

func (s *Server) recordExposure(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	var in exposureRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	x := dossier.Exposure{Agent: dossier.Agent(in.Agent), From: dateField(fe, "from", in.From, true), To: dateField(fe, "to", in.To, false)}
	if err := fe.Err(); err != nil {
		return err
	}
	out, err := s.opts.Exposures.Record(c, actorOf(c), employeeID, x)
	if err != nil {
		return err
	}
	medical(c)
	c.JSON(http.StatusCreated, toExposureResponse(out))
	return nil
}

func (s *Server) listExposures(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	xs, err := s.opts.Exposures.List(c, actorOf(c), employeeID)
	if err != nil {
		return err
	}
	out := make([]exposureResponse, 0, len(xs))
	for _, x := range xs {
		out = append(out, toExposureResponse(x))
	}
	medical(c)
	c.JSON(http.StatusOK, gin.H{"exposures": out})
	return nil
}
