package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// writeJSON encodes v without HTML escaping.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// readBody reads the whole request body into memory, under the body limit
// (never spooled to disk); an oversized body is errBodyTooLarge.
func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errBodyTooLarge
		}
		return nil, fmt.Errorf("httpapi: read body: %w", derrors.ErrInvalid)
	}
	return body, nil
}

// decodeJSON reads one JSON object from r into dst. Unknown fields, trailing
// data, a wrong content type and an oversized body are rejected. The errors
// never quote the input.
func decodeJSON(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONContentType(ct) {
		return withDetail(derrors.ErrInvalid, "Content-Type must be application/json.")
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return withDetail(derrors.ErrInvalid, describeJSONError(err))
	}
	if dec.More() {
		return withDetail(derrors.ErrInvalid, "The body must hold exactly one JSON object.")
	}
	return nil
}

func isJSONContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// describeJSONError names what is wrong without echoing values.
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "The body is empty; a JSON object is expected."
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return "The body is not valid JSON."
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("Field %q has the wrong type; %s expected.", typ.Field, typ.Type.String())
		}
		return "The body must be a JSON object."
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json offers no typed error for unknown fields; its text
		// names only the field, which the caller chose.
		return "The body has a field that is not allowed here: " + strings.TrimPrefix(err.Error(), "json: unknown field ") + "."
	}
	return "The body is not valid JSON."
}
