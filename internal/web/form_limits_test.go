package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// A field with a longer limit takes up to it, and has its own message
// beyond; the other fields keep maxFieldBytes.
func TestParseFormLimits(t *testing.T) {
	post := func(vals url.Values) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(vals.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	long := map[string]fieldLimit{"text": {max: 2 * maxFieldBytes, msg: "te lange tekst"}}
	mid := strings.Repeat("a", maxFieldBytes+1)
	f, err := parseFormLimits(httptest.NewRecorder(), post(url.Values{"text": {mid}, "kind": {mid}}), long, "text", "kind")
	if err != nil {
		t.Fatal(err)
	}
	if f.get("text") != mid || f.fields["text"] != "" {
		t.Errorf("text within its limit: value %d bytes, error %q", len(f.get("text")), f.fields["text"])
	}
	if f.get("kind") != "" || f.fields["kind"] != "Dit is te lang." {
		t.Errorf("kind beyond maxFieldBytes: value %d bytes, error %q", len(f.get("kind")), f.fields["kind"])
	}
	f, err = parseFormLimits(httptest.NewRecorder(), post(url.Values{"text": {strings.Repeat("a", 2*maxFieldBytes+1)}}), long, "text")
	if err != nil {
		t.Fatal(err)
	}
	if f.get("text") != "" || f.fields["text"] != "te lange tekst" {
		t.Errorf("text beyond its limit: value %d bytes, error %q", len(f.get("text")), f.fields["text"])
	}
}
