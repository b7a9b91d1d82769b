package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// portalPaths returns the paths of the portal route pattern ("METHOD
// /path" as http.ServeMux takes it), each path parameter replaced by every
// value the test knows: the static assets' names and every id.
func portalPaths(pattern string, ids []string) (method string, paths []string) {
	method, route, _ := strings.Cut(pattern, " ")
	route = strings.ReplaceAll(route, "{$}", "")
	i := strings.Index(route, "{")
	if i < 0 {
		return method, []string{route}
	}
	j := strings.Index(route[i:], "}") + i
	values := append([]string{"app.css", "token.js", "README.md"}, ids...)
	for _, v := range values {
		for _, tail := range portalPathsTail(route[j+1:], ids) {
			paths = append(paths, route[:i]+url.PathEscape(v)+tail)
		}
	}
	return method, paths
}

func portalPathsTail(rest string, ids []string) []string {
	if rest == "" {
		return []string{""}
	}
	_, p := portalPaths("GET "+rest, ids)
	return p
}

// crawlPortal requests every route the portal registers as every caller in
// tokens ("" for nobody logged in), with every id in ids for a path
// parameter, and fails t when an answer (body or header) holds the canary,
// is a server error, or a registered route went unrequested. POST routes
// are sent as a same-origin browser sends an empty form. Logout ends the
// callers' sessions, so it is left out and returned: the caller runs it
// when it needs the sessions no more.
func crawlPortal(t *testing.T, s *stack, canary string, tokens map[string]string, ids []string) (logout func()) {
	t.Helper()
	requested := map[string]int{}
	check := func(pattern, path, caller string, r portalResponse) {
		requested[pattern]++
		if r.status >= 500 {
			t.Errorf("portal %s as %s = %d, want no server error", path, caller, r.status)
		}
		if strings.Contains(r.body, canary) {
			t.Errorf("portal %s as %s: the page holds the medical canary", path, caller)
		}
		for h, vs := range r.header {
			if strings.Contains(h+strings.Join(vs, ","), canary) {
				t.Errorf("portal %s as %s: header %s holds the medical canary", path, caller, h)
			}
		}
	}
	const logoutRoute = "POST /uitloggen"
	for caller, tok := range tokens {
		for _, pattern := range s.app.portal.Routes() {
			if pattern == logoutRoute {
				continue
			}
			method, paths := portalPaths(pattern, ids)
			for _, path := range paths {
				var form url.Values
				if method != http.MethodGet {
					form = url.Values{}
				}
				check(pattern, path, caller, s.portal(method, path, tok, form))
			}
		}
	}
	return func() {
		t.Helper()
		for caller, tok := range tokens {
			check(logoutRoute, "/uitloggen", caller, s.portal(http.MethodPost, "/uitloggen", tok, url.Values{}))
		}
		for _, pattern := range s.app.portal.Routes() {
			if requested[pattern] == 0 {
				t.Errorf("the canary crawl did not request portal route %s", pattern)
			}
		}
		t.Logf("portal canary crawl: %d routes requested", len(requested))
	}
}
