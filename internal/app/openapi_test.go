package app

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	oaserrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/paths"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// The app-level tests hold docs/openapi.yaml to what the server does: every
// exchange that goes through stack.do (and the few raw calls that can) is
// checked against the operation the spec documents for its method and path.
// Responses are always checked: the status must be documented, the content
// type one the operation declares, and a JSON body (problem+json included)
// must match that status's schema; binary bodies (PDF, ZIP, CSV) are checked
// by status and content type only. Requests are checked only when the server
// accepted them (2xx): tests send malformed input on purpose to see a 400, and
// those requests are meant not to match the spec.

// specFile is docs/openapi.yaml, relative to this package's directory (where
// go test runs).
var specFile = filepath.Join("..", "..", "docs", "openapi.yaml")

// apiSpec is docs/openapi.yaml, loaded and compiled once per test binary.
var apiSpec = sync.OnceValues(func() (*openAPISpec, error) {
	raw, err := os.ReadFile(specFile)
	if err != nil {
		return nil, err
	}
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", specFile, err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		return nil, fmt.Errorf("build the model of %s: %w", specFile, err)
	}
	opts := []config.Option{
		config.WithFormatAssertions(),
		// Strict: a body field the spec does not declare is a mismatch
		// too, so the spec describes every field the server sends.
		config.WithStrictMode(),
		config.WithStrictIgnorePaths(
			"$.headers.*", // headers are not part of this check
			// Maps (additionalProperties with a schema): their keys are
			// data, and their values are still checked against the
			// value schema. Problem.errors (field names, some dotted),
			// Health.checks, and Destruction.entries (counts per kind).
			"$.body.errors.*", "$.body.errors[**", "$.body.checks.*",
			"$.body.destruction.entries.*", "$.body.destructions[*].entries.*",
		),
	}
	v, errs := validator.NewValidator(doc, opts...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("compile %s: %v", specFile, errs)
	}
	if ok, errs := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("%s is not a valid OpenAPI document: %s", specFile, complaints(errs))
	}
	return &openAPISpec{doc: &model.Model, v: v, opts: config.NewValidationOptions(opts...)}, nil
})

// openAPISpec is the compiled spec and its validator; safe for concurrent use.
type openAPISpec struct {
	doc  *v3.Document
	v    validator.Validator
	opts *config.ValidationOptions
}

// exchange is one HTTP call as a test made it: the request it sent (its body
// already read into reqBody) and the response it got (its body read into
// respBody).
type exchange struct {
	req      *http.Request
	reqBody  []byte
	resp     *http.Response
	respBody []byte
}

// mismatch returns "" when x matches the operation the spec documents for it,
// or one line naming the method, the route template, the status and the
// validator's complaints. Paths and methods the spec does not document are not
// checked (the router and the spec are kept in step by
// httpapi.TestRoutesMatchOpenAPI; such calls exist to see a 404 or 405).
func (s *openAPISpec) mismatch(x exchange) string {
	req := x.req.Clone(x.req.Context())
	pathItem, errs, route := paths.FindPath(req, s.doc, s.opts)
	if len(errs) > 0 || pathItem == nil {
		return ""
	}
	if pathItem.GetOperations().GetOrZero(strings.ToLower(req.Method)) == nil {
		return ""
	}
	var found []string
	if x.resp.StatusCode >= 200 && x.resp.StatusCode < 300 {
		req.Body = io.NopCloser(bytes.NewReader(x.reqBody))
		req.ContentLength = int64(len(x.reqBody))
		if ok, errs := s.v.ValidateHttpRequestSyncWithPathItem(req, pathItem, route); !ok {
			found = append(found, "request: "+complaints(errs))
		}
	}
	req.Body = io.NopCloser(bytes.NewReader(x.reqBody))
	resp := *x.resp
	resp.Body = io.NopCloser(bytes.NewReader(x.respBody))
	resp.Request = req
	if ok, errs := s.v.ValidateHttpResponse(req, &resp); !ok {
		found = append(found, "response: "+complaints(errs))
	}
	if len(found) == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s = %d does not match docs/openapi.yaml: %s", req.Method, route, x.resp.StatusCode, strings.Join(found, "; "))
}

// complaints joins what the validator says, without the bodies it quotes
// (ReferenceObject is left out).
func complaints(errs []*oaserrors.ValidationError) string {
	var out []string
	for _, e := range errs {
		line := e.Message
		if e.Reason != "" && e.Reason != e.Message {
			line += " (" + e.Reason + ")"
		}
		for _, f := range e.SchemaValidationErrors {
			where := f.FieldPath
			if where == "" {
				where = f.KeywordLocation
			}
			line += fmt.Sprintf(" [%s: %s]", where, f.Reason)
		}
		out = append(out, line)
	}
	return strings.Join(out, "; ")
}

// checkSpec fails t when x does not match docs/openapi.yaml (see mismatch)
// or lacks the security headers (checkSecurityHeaders).
// It is safe to call from several goroutines.
func checkSpec(t testing.TB, x exchange) {
	t.Helper()
	spec, err := apiSpec()
	if err != nil {
		t.Errorf("load the OpenAPI spec: %v", err)
		return
	}
	if m := spec.mismatch(x); m != "" {
		t.Error(m)
	}
	checkSecurityHeaders(t, x)
}

// checkSecurityHeaders holds every response of the public listener to the
// security headers httpapi sets on all of them (the download headers and
// Strict-Transport-Security have tests of their own).
func checkSecurityHeaders(t testing.TB, x exchange) {
	t.Helper()
	for k, v := range map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
	} {
		got := x.resp.Header.Get(k)
		if got != v && !(k == "Content-Security-Policy" && strings.HasPrefix(got, v+"; ")) {
			t.Errorf("%s %s = %d: %s = %q, want %q", x.req.Method, x.req.URL.Path, x.resp.StatusCode, k, got, v)
		}
	}
}

// TestSpecCheckReportsMismatches shows the check is on: hand-made exchanges
// against real operations of docs/openapi.yaml, some that match and some that
// do not.
func TestSpecCheckReportsMismatches(t *testing.T) {
	spec, err := apiSpec()
	if err != nil {
		t.Fatalf("load the OpenAPI spec: %v", err)
	}
	const problem = `{"type":"urn:arbokluis:problem:unauthenticated","title":"Unauthenticated","status":401}`
	const login = `{"email":"a@example.test","password":"a long password","totp":"123456"}`
	tests := []struct {
		name, method, path, reqBody string
		status                      int
		contentType, respBody       string
		want                        string // a part of the complaint; "" for none
	}{
		{"a matching response", "GET", "/api/v1/me", "", 200, "application/json",
			`{"user_id":"4c0d35a8-7d3e-4b0e-9a57-1d2d8e0f6a11","roles":[{"role":"admin"}]}`, ""},
		{"a field of the wrong type", "GET", "/api/v1/me", "", 200, "application/json",
			`{"user_id":42,"roles":[]}`, "GET /api/v1/me = 200"},
		{"a field of the wrong type, with a charset", "GET", "/api/v1/me", "", 200, "application/json; charset=utf-8",
			`{"user_id":"4c0d35a8-7d3e-4b0e-9a57-1d2d8e0f6a11","roles":[{"role":7}]}`, "$.roles[0].role"},
		{"a required field missing", "GET", "/api/v1/me", "", 200, "application/json",
			`{"user_id":"4c0d35a8-7d3e-4b0e-9a57-1d2d8e0f6a11"}`, "roles"},
		{"an undocumented status", "GET", "/api/v1/me", "", 418, "application/problem+json", problem, "418"},
		{"a problem with another content type", "GET", "/api/v1/me", "", 401, "text/html", "<p>no</p>", "response"},
		{"a problem of the wrong shape", "GET", "/api/v1/me", "", 401, "application/problem+json",
			`{"type":"urn:arbokluis:problem:unauthenticated","title":"Unauthenticated","status":"401"}`, "status"},
		{"a field the spec does not declare", "GET", "/api/v1/me", "", 200, "application/json",
			`{"user_id":"4c0d35a8-7d3e-4b0e-9a57-1d2d8e0f6a11","roles":[],"password_hash":"x"}`, "password_hash"},
		{"a matching problem", "GET", "/api/v1/me", "", 401, "application/problem+json", problem, ""},
		{"a problem naming fields, some dotted", "POST", "/api/v1/users/4c0d35a8-7d3e-4b0e-9a57-1d2d8e0f6a11/grants", `{"role":"x"}`, 400, "application/problem+json",
			`{"type":"urn:arbokluis:problem:invalid","title":"Invalid","status":400,"errors":{"role":"unknown","statement.signed_on":"in the future"}}`, ""},
		{"a problem with a field message of the wrong type", "POST", "/api/v1/users/4c0d35a8-7d3e-4b0e-9a57-1d2d8e0f6a11/grants", `{"role":"x"}`, 400, "application/problem+json",
			`{"type":"urn:arbokluis:problem:invalid","title":"Invalid","status":400,"errors":{"statement.signed_on":1}}`, "POST /api/v1/users/{id}/grants = 400"},
		{"an accepted request with an unknown field", "POST", "/api/v1/auth/login", `{"email":"a@example.test","password":"p","totp":"1","admin":true}`,
			200, "application/json", `{"token":"abc","expires_at":"2030-01-02T03:04:05Z"}`, "request"},
		{"a refused request with an unknown field", "POST", "/api/v1/auth/login", `{"email":"a@example.test","password":"p","totp":"1","admin":true}`,
			400, "application/problem+json", `{"type":"urn:arbokluis:problem:invalid","title":"Invalid","status":400}`, ""},
		{"an accepted matching request", "POST", "/api/v1/auth/login", login,
			200, "application/json", `{"token":"abc","expires_at":"2030-01-02T03:04:05Z"}`, ""},
		{"a path the spec does not document", "GET", "/api/v1/no-such-route", "", 404, "text/plain", "404 page not found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // the check is shared by concurrent tests
			var body io.Reader
			if tt.reqBody != "" {
				body = strings.NewReader(tt.reqBody)
			}
			req, err := http.NewRequest(tt.method, "http://127.0.0.1:8080"+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer abc")
			resp := &http.Response{StatusCode: tt.status, Header: http.Header{"Content-Type": {tt.contentType}}}
			got := spec.mismatch(exchange{req: req, reqBody: []byte(tt.reqBody), resp: resp, respBody: []byte(tt.respBody)})
			switch {
			case tt.want == "" && got != "":
				t.Errorf("mismatch(%s %s = %d %s) = %q, want none", tt.method, tt.path, tt.status, tt.respBody, got)
			case tt.want != "" && !strings.Contains(got, tt.want):
				t.Errorf("mismatch(%s %s = %d %s) = %q, want a complaint containing %q", tt.method, tt.path, tt.status, tt.respBody, got, tt.want)
			}
		})
	}
}
