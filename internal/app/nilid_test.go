package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/testenv"
)

// nilIDForms are the nil UUID in every spelling uuid.Parse accepts. The
// nil id has no hex letters, so its upper-case spelling differs from the
// lower-case one only in the "URN:UUID:" prefix.
var nilIDForms = []string{
	"00000000-0000-0000-0000-000000000000",
	"urn:uuid:00000000-0000-0000-0000-000000000000",
	"URN:UUID:00000000-0000-0000-0000-000000000000",
	"{00000000-0000-0000-0000-000000000000}",
	"00000000000000000000000000000000",
}

// reachers are the callers tried, in this order, as the one who could
// otherwise reach a route: the responsible physician for dossier routes,
// the employee for /me routes, the admin for administration, and so on.
var reachers = []string{"pResp", "eeA1", "admin", "privacy", "lead", "cmA", "erA", "leA"}

// reacher returns the first of reachers whose matrix status is a success.
func reacher(want map[string]int) string {
	for _, c := range reachers {
		if st, ok := want[c]; ok && st >= 200 && st < 300 {
			return c
		}
	}
	return ""
}

// dbState is a digest of every business table and the size of the audit
// trail, to prove a request changed nothing but record its own denial.
type dbState struct {
	tables map[string]string // schema.table → md5 of its rows
	audit  int64             // events of the audit trail other than denials
	nilIDs int64             // events of the audit trail about the nil id
}

// snapshotter takes dbStates with one query.
type snapshotter struct {
	pool  *pgxpool.Pool
	query string
}

// newSnapshotter digests every table of schemas hr and medical except
// hr.sessions (every authenticated request marks its session seen).
func newSnapshotter(t *testing.T, owner *pgxpool.Pool) *snapshotter {
	t.Helper()
	rows, _ := owner.Query(context.Background(), `SELECT table_schema || '.' || table_name FROM information_schema.tables
		WHERE table_schema IN ('hr', 'medical') AND table_type = 'BASE TABLE' AND (table_schema, table_name) <> ('hr', 'sessions')
		  AND (table_schema, table_name) <> ('hr', 'mail_outbox') -- the sender empties it on its own clock
		ORDER BY 1`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 20 {
		t.Fatalf("list tables = %d, %v; want the hr and medical tables", len(tables), err)
	}
	parts := make([]string, len(tables))
	for i, tbl := range tables {
		parts[i] = `SELECT '` + tbl + `', md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) FROM ` + tbl + ` t`
	}
	// A refused request is audited as denied (with no object id when the
	// id names nothing); anything else is a change.
	q := `WITH trail AS (SELECT outcome, object_id FROM audit.outbox UNION ALL SELECT outcome, object_id FROM audit.events)
		SELECT x.name, x.digest, (SELECT count(*) FROM trail WHERE outcome <> 'denied'),
			(SELECT count(*) FROM trail WHERE object_id LIKE '00000000-0000-0000-0000-000000000000%')
		FROM (` + strings.Join(parts, " UNION ALL ") + `) AS x(name, digest)`
	return &snapshotter{pool: owner, query: q}
}

func (s *snapshotter) take(t *testing.T) dbState {
	t.Helper()
	st := dbState{tables: map[string]string{}}
	rows, _ := s.pool.Query(context.Background(), s.query)
	defer rows.Close()
	for rows.Next() {
		var name, digest string
		if err := rows.Scan(&name, &digest, &st.audit, &st.nilIDs); err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		st.tables[name] = digest
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return st
}

// changed names what differs between two states.
func (a dbState) changed(b dbState) []string {
	var out []string
	for name, d := range a.tables {
		if b.tables[name] != d {
			out = append(out, name)
		}
	}
	if a.audit != b.audit {
		out = append(out, "audit trail")
	}
	if a.nilIDs != b.nilIDs {
		out = append(out, "audit events about the nil id")
	}
	sort.Strings(out)
	return out
}

// withSegment returns path (with an optional query) with its i-th segment
// replaced by v, escaped as a path segment.
func withSegment(path string, i int, v string) string {
	p, q, hasQuery := strings.Cut(path, "?")
	segs := strings.Split(p, "/")
	segs[i] = url.PathEscape(v)
	out := strings.Join(segs, "/")
	if hasQuery {
		out += "?" + q
	}
	return out
}

// TestNilIDNamesNothing sends the nil UUID, in every spelling, and a real
// id in upper case, in each id parameter of every route that has one (the
// other parameters being real ids of the matrix's world) as a caller who
// reaches the route with real ids: every answer is 404, never a server
// error, and the database is unchanged. It does the same for the dossier
// routes of a2, whose dossier holds no consents, requests, disclosures or
// transfers, and for the employee routes as a2, whose consents are none.
func TestNilIDNamesNothing(t *testing.T) {
	t.Parallel()
	env := testenv.FreshDatabase(t)
	// Mail, so that the fixture's invitations (and their letter) go out.
	s, _ := newMailStackOn(t, env)
	f := newMatrixFixtureOn(t, s)
	snap := newSnapshotter(t, f.owner)
	rows := map[string]matrixRoute{}
	for _, r := range matrixRoutes() {
		rows[r.method+" "+r.route] = r
	}
	routes := s.app.server.Routes()
	sort.Slice(routes, func(i, j int) bool { return routes[i].Method+routes[i].Path < routes[j].Method+routes[j].Path })

	// try sends method path with body as caller and checks the answer and
	// that nothing changed.
	try := func(t *testing.T, method, route, path, caller string, body any, what string) {
		t.Helper()
		before := snap.take(t)
		got := f.s.do(method, path, f.tokens[caller], body)
		if got.status != http.StatusNotFound {
			shown := got.raw
			if !strings.HasPrefix(shown, "{") {
				shown = fmt.Sprintf("(%d bytes of %s)", len(got.raw), got.header.Get("Content-Type"))
			}
			t.Errorf("%s %s with %s, as %s = %d %.200s, want 404", method, route, what, caller, got.status, shown)
		}
		if got.status >= 400 && !strings.HasPrefix(got.raw, "{") {
			t.Errorf("%s %s with %s, as %s = %d with a non-JSON body", method, route, what, caller, got.status)
		}
		if ch := before.changed(snap.take(t)); len(ch) > 0 {
			t.Errorf("%s %s with %s, as %s changed %v, want nothing changed", method, route, what, caller, ch)
		}
	}

	var tried int
	for _, rt := range routes {
		segs := strings.Split(rt.Path, "/")
		var params []int
		for i, sg := range segs {
			if strings.HasPrefix(sg, ":") {
				params = append(params, i)
			}
		}
		if len(params) == 0 {
			continue
		}
		r, ok := rows[rt.Method+" "+rt.Path]
		if !ok {
			t.Errorf("route %s %s has an id in its path but no matrix row to build a real path from", rt.Method, rt.Path)
			continue
		}
		caller := reacher(r.want)
		if caller == "" {
			t.Errorf("route %s %s: no caller of %v reaches it in the matrix", rt.Method, rt.Path, reachers)
			continue
		}
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			// A real path first (it may make what it names), then its body
			// (which may depend on what the path made).
			real := r.path(t, f)
			var body any
			if r.body != nil {
				body = r.body(f)
			}
			realSegs := strings.Split(strings.SplitN(real, "?", 2)[0], "/")
			if len(realSegs) != len(segs) {
				t.Fatalf("the matrix path %q does not match the route %s", real, rt.Path)
			}
			for _, i := range params {
				forms := append(append([]string{}, nilIDForms...), strings.ToUpper(realSegs[i]))
				for _, form := range forms {
					tried++
					try(t, rt.Method, rt.Path, withSegment(real, i, form), caller, body, segs[i]+"="+form)
				}
			}
			// The same in a world with nothing in it: a2's dossier is
			// empty, and a2 has no consents.
			switch {
			case strings.HasPrefix(rt.Path, "/api/v1/employees/:id/dossier/") && len(params) > 1:
				emptyDossier := withSegment(real, params[0], f.a2.String())
				for _, form := range nilIDForms {
					tried++
					try(t, rt.Method, rt.Path, withSegment(emptyDossier, params[1], form), caller, body,
						"the empty dossier's "+segs[params[1]]+"="+form)
				}
			case strings.HasPrefix(rt.Path, "/api/v1/me/"):
				for _, form := range nilIDForms {
					tried++
					try(t, rt.Method, rt.Path, withSegment(real, params[0], form), "eeA2", body, "an employee without consents, "+form)
				}
			}
		})
	}
	t.Logf("nil id sweep: %d requests", tried)

	// An id in a body or a query names one object just the same: the nil
	// id there is bad input (400), and changes nothing.
	const nilID = "00000000-0000-0000-0000-000000000000"
	consentDisclosure := uwvDisclosure()
	consentDisclosure["basis"], consentDisclosure["consent_id"] = "consent", nilID
	delete(consentDisclosure, "legal_ground")
	for _, tc := range []struct {
		name, method, path, caller string
		body                       any
		field                      string // the field the answer names
	}{
		{"information request under the nil consent", "POST", dossierOf(f.a1, "information-requests"), "pResp",
			map[string]any{"consent_id": nilID, "question": "Welke behandeling loopt er?"}, "consent_id"},
		{"transfer under the nil consent", "POST", dossierOf(f.a1, "transfers"), "pResp", map[string]any{"consent_id": nilID}, "consent_id"},
		{"disclosure under the nil consent", "POST", dossierOf(f.a1, "disclosures"), "pResp", consentDisclosure, "consent_id"},
		{"attachment to the nil entry", "POST", dossierOf(f.a1, "attachments?entry_id="+nilID), "pResp",
			rawBody{"application/pdf", testenv.PDF("")}, "entry_id"},
		{"correction request of the nil entry", "POST", "/api/v1/me/requests", "eeA1",
			map[string]any{"type": "correction", "entry_id": nilID, "text": "Dit klopt niet."}, "entry_id"},
		{"destruction request of the nil entry", "POST", "/api/v1/me/requests", "eeA1",
			map[string]any{"type": "destruction", "entry_ids": []string{nilID}}, "entry_ids"},
		{"verdict on the nil case", "POST", "/api/v1/employees/" + f.a1.String() + "/verdicts", "pResp",
			map[string]any{"kind": "absence", "verdict": "fit", "absence_id": nilID, "date": nowNL().Format("2006-01-02")}, "absence_id"},
		{"physician assignment of the nil physician", "POST", "/api/v1/employers/" + f.tenC.String() + "/physician-assignments", "admin",
			map[string]any{"physician_id": nilID}, "physician_id"},
		{"audit search for the nil subject", "GET", "/api/v1/audit/events?employee_id=" + nilID, "privacy", nil, "employee_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := snap.take(t)
			got := f.s.do(tc.method, tc.path, f.tokens[tc.caller], tc.body)
			if got.status != http.StatusBadRequest || !strings.Contains(got.raw, `"`+tc.field+`"`) {
				t.Errorf("%s %s (%s) as %s = %d %.300s, want 400 naming %s", tc.method, tc.path, tc.name, tc.caller, got.status, got.raw, tc.field)
			}
			if ch := before.changed(snap.take(t)); len(ch) > 0 {
				t.Errorf("%s %s (%s) as %s changed %v, want nothing changed", tc.method, tc.path, tc.name, tc.caller, ch)
			}
		})
	}
}
