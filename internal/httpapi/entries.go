package httpapi

import (
	"context"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// Entries runs the medical entries of dossiers (see package dossier).
type Entries interface {
	Create(ctx context.Context, a access.Actor, employeeID uuid.UUID, in dossier.NewEntry) (dossier.Entry, error)
	Correct(ctx context.Context, a access.Actor, employeeID, entryID uuid.UUID, text string) (dossier.Entry, error)
	List(ctx context.Context, a access.Actor, employeeID uuid.UUID, limit int, after *dossier.EntryCursor) ([]dossier.Entry, error)
	Get(ctx context.Context, a access.Actor, employeeID, entryID uuid.UUID) (dossier.Entry, error)
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

// download answers with a file the caller saves, never shows (asDownload).
func download(c *gin.Context, name, contentType string, b []byte) error {
	asDownload(c, name)
	c.Data(http.StatusOK, contentType, b)
	return nil
}

// attachmentExtensions name the file extension of each attachment type.
var attachmentExtensions = map[string]string{"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}

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
	c.JSON(http.StatusOK, toEntryResponse(e))
	return nil
}

func (s *Server) listEntries(c *gin.Context) error {
	employeeID, err := pathID(c)
	if err != nil {
		return err
	}
	p := listPage(c, pageSpec{DefaultLimit: 50, MaxLimit: dossier.MaxEntriesPage})
	after := entriesCursor.after(p)
	if err := p.err(); err != nil {
		return err
	}
	es, err := s.opts.Entries.List(c, actorOf(c), employeeID, p.Limit, after)
	if err != nil {
		return err
	}
	out := make([]entryResponse, 0, len(es))
	for _, e := range es {
		out = append(out, toEntryResponse(e))
	}
	body := gin.H{"entries": out}
	if p.full(len(es)) {
		last := es[len(es)-1]
		body["next_after"] = entriesCursor.encode(dossier.EntryCursor{CreatedAt: last.CreatedAt, ID: last.ID})
	}
	c.JSON(http.StatusOK, body)
	return nil
}

// entriesCursor is the cursor of a dossier's entries list: the keyset
// position (created_at, id) of the last entry of a page.
var entriesCursor = cursorCodec[dossier.EntryCursor, entryPosition]{
	kind: "entries",
	wire: func(c dossier.EntryCursor) entryPosition {
		return entryPosition{CreatedAt: c.CreatedAt.UTC().Format(time.RFC3339Nano), ID: c.ID.String()}
	},
	back: func(w entryPosition) (dossier.EntryCursor, bool) {
		t, err := time.Parse(time.RFC3339Nano, w.CreatedAt)
		id, ok := parseID(w.ID)
		if err != nil || !ok || t.Year() < 2000 || t.Year() > 9999 {
			return dossier.EntryCursor{}, false
		}
		return dossier.EntryCursor{CreatedAt: t.UTC(), ID: id}, true
	},
}

// entryPosition is the wire form of an entries cursor.
type entryPosition struct {
	CreatedAt string `json:"created_at"`
	ID        string `json:"id"`
}

// Attachments runs the attachments of dossiers (see package dossier).
type Attachments interface {
	Add(ctx context.Context, a access.Actor, employeeID uuid.UUID, in dossier.Attachment) (dossier.Attachment, error)
	Get(ctx context.Context, a access.Actor, employeeID, id uuid.UUID) (dossier.Attachment, error)
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
	knownParams(fe, q, "entry_id")
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
	return download(c, "bijlage-"+a.ID.String()+attachmentExtensions[a.ContentType], a.ContentType, a.Content)
}

// Exposures runs the exposure flags of dossiers (see package dossier).
type Exposures interface {
	Record(ctx context.Context, a access.Actor, employeeID uuid.UUID, x dossier.Exposure) (dossier.Exposure, error)
	List(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]dossier.Exposure, error)
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
	c.JSON(http.StatusOK, gin.H{"exposures": out})
	return nil
}
