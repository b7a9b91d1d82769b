package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// pageSpec is what one paged list accepts in its query.
type pageSpec struct {
	// DefaultLimit is the page size when the query names none; MaxLimit
	// the largest the list serves.
	DefaultLimit, MaxLimit int
	// Params are the list's own parameters besides limit and after.
	Params []string
}

// page is the parsed query of one paged list. Every paged list answers a
// full page (Limit items) with next_after, which the caller passes back as
// after for the next page; a shorter page is the last.
type page struct {
	// Limit is the page size: the list's default or the limit parameter.
	Limit int
	// after is the after parameter as given; "" on the first page.
	after string
	q     url.Values
	// fe collects the field errors of the whole query, the list's own
	// parameters included; err returns them.
	fe derrors.FieldErrors
}

// listPage parses the query of a paged list under spec. A parameter that
// is neither limit, after nor one of spec.Params, and a limit that is not a
// whole number from 1 to spec.MaxLimit, are field errors that the page's
// err method returns (derrors.FieldErrors, so 400); after is left for the
// list to read with afterSeq or a cursorCodec.
func listPage(c *gin.Context, spec pageSpec) *page {
	p := &page{Limit: spec.DefaultLimit, q: c.Request.URL.Query(), fe: derrors.FieldErrors{}}
	knownParams(p.fe, p.q, append([]string{"limit", "after"}, spec.Params...)...)
	if v := p.q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > spec.MaxLimit {
			p.fe.Add("limit", fmt.Sprintf("must be a whole number from 1 to %d", spec.MaxLimit))
		}
		p.Limit = n
	}
	p.after = p.q.Get("after")
	return p
}

// knownParams adds a field error to fe for each parameter of q that is not
// one of known.
func knownParams(fe derrors.FieldErrors, q url.Values, known ...string) {
	for k := range q {
		if !slices.Contains(known, k) {
			fe.Add(k, "is not a known parameter")
		}
	}
}

// get returns the value of the list's own parameter name; "" when it is
// absent.
func (p *page) get(name string) string { return p.q.Get(name) }

// intParam returns the list's own whole-number parameter name, or def when
// it is absent; a value that is not a whole number is a field error with
// msg.
func (p *page) intParam(name string, def int, msg string) int {
	v := p.q.Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.fe.Add(name, msg)
	}
	return n
}

// afterSeq returns after as the seq of the last item of the previous page,
// for lists keyed by a seq (the access log, the audit trail); 0 on the first
// page. A value that is not a whole number from 0 is a field error.
func (p *page) afterSeq() int64 {
	if p.after == "" {
		return 0
	}
	n, err := strconv.ParseInt(p.after, 10, 64)
	if err != nil || n < 0 {
		p.fe.Add("after", "must be the next_after of the previous page (a whole number from 0)")
	}
	return n
}

// full reports whether a page of n items is full, so that another may
// follow: only a full page carries next_after.
func (p *page) full(n int) bool { return n == p.Limit }

// err returns the field errors of the query (derrors.FieldErrors), or nil.
func (p *page) err() error { return p.fe.Err() }

// cursorCodec is the one codec of the opaque keyset cursors of the paged
// lists, typed per list: C is the list's keyset position as the domain
// names it, W its wire form (a struct with JSON tags). A cursor is the
// unpadded base64url form of the JSON object {"v":1,"k":kind,"p":W}: the
// version lets the form change later, and the kind ties a cursor to the
// list that issued it, so that one list refuses another's cursor.
type cursorCodec[C, W any] struct {
	kind string
	wire func(C) W
	// back returns the position a wire form names, and false for one that
	// this list never issues.
	back func(W) (C, bool)
}

// cursorVersion is the version of the cursor form that encode writes and
// decode accepts.
const cursorVersion = 1

// maxCursorLen bounds a cursor before it is decoded; every cursor a list
// issues is far shorter.
const maxCursorLen = 512

// errBadCursor is the error of decode: the text is not a cursor of this list.
var errBadCursor = errors.New("httpapi: not a cursor of this list")

// cursorEnvelope is the JSON form of a cursor.
type cursorEnvelope struct {
	V int             `json:"v"`
	K string          `json:"k"`
	P json.RawMessage `json:"p"`
}

// encode returns the cursor of position c.
func (k cursorCodec[C, W]) encode(c C) string {
	p, err := json.Marshal(k.wire(c))
	if err != nil {
		panic(fmt.Sprintf("httpapi: encode %s cursor: %v", k.kind, err)) // cannot happen: W is plain data
	}
	raw, err := json.Marshal(cursorEnvelope{V: cursorVersion, K: k.kind, P: p})
	if err != nil {
		panic(fmt.Sprintf("httpapi: encode %s cursor: %v", k.kind, err))
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decode returns the position cursor s names. It returns errBadCursor when
// s is not a cursor of this list: not base64url, not the JSON form (strict:
// no unknown fields, nothing after it), another version, another list's
// kind, or a position the list refuses.
func (k cursorCodec[C, W]) decode(s string) (C, error) {
	var zero C
	if len(s) > maxCursorLen {
		return zero, errBadCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return zero, errBadCursor
	}
	var env cursorEnvelope
	if strictJSON(raw, &env) != nil || env.V != cursorVersion || env.K != k.kind {
		return zero, errBadCursor
	}
	var w W
	if strictJSON(env.P, &w) != nil {
		return zero, errBadCursor
	}
	c, ok := k.back(w)
	if !ok {
		return zero, errBadCursor
	}
	return c, nil
}

// after returns the position the page's after parameter names, or nil on
// the first page; an after that is not a cursor of this list is a field
// error on the page.
func (k cursorCodec[C, W]) after(p *page) *C {
	if p.after == "" {
		return nil
	}
	c, err := k.decode(p.after)
	if err != nil {
		p.fe.Add("after", "is not a cursor returned by this endpoint")
		return nil
	}
	return &c
}

// strictJSON decodes exactly one JSON value from b into v, refusing unknown
// fields and trailing data.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errBadCursor
	}
	return nil
}
