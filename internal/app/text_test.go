package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/arbokluis/arbokluis/internal/testenv"
)

// badTextRunes are the characters no name or free text may hold (package
// text): C0 and C1 controls, DEL, the line and paragraph separators, and
// the bidirectional overrides, isolates and marks.
var badTextRunes = []rune{0x01, 0x0b, 0x1b, 0x7f, 0x85, 0x9b, 0x2028, 0x2029,
	0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c}

// nonTextFields are the string fields of request bodies that are not names
// or free text: ids, dates, enumerations, hashes, addresses and numbers,
// each checked by a validator of its own. A string field in a matrix body
// that is in neither this list nor textFields fails the test, so that a new
// field is classified.
var nonTextFields = []string{"kind", "type", "role", "status", "verdict", "outcome", "decision", "ground", "basis",
	"format", "email", "phone", "bsn", "employee_number", "kvk_number", "date", "done_on", "first_sick_day",
	"date_of_birth", "employment_start", "employment_end", "occurred_on", "valid_from", "valid_until", "from", "until",
	"starts_on", "ends_on", "signed_on", "answered_on", "text_hash", "vangnet_type", "substance", "entry_id",
	"employer_id", "user_id", "physician_id", "substitute_id", "absent_physician_id", "target_service",
	"recipient_kind", "scope", "channel", "method", "totp", "password", "reason_code", "extension_reason",
	"concerns", "fields", "entry_ids", "mail_domains", "expected_return", "share_advice_with_employer",
	"exposure_ends_on", "category", "agent", "kind_of_work", "percentage", "held_on", "decided_on", "by_when",
	"employee_signed_on", "employer_signed_on", "expires_on", "kinds", "consent_id", "disposal", "activation",
	"employee_id", "text_sha256", "authorisation_signed_on"}

// TestBadCharactersInTextAreRefused posts every refused character into every
// name and free-text field of every route body of the authorization matrix,
// as a caller the matrix lets through: each answers 400 naming the field,
// and nothing in the hr and medical schemas changes.
func TestBadCharactersInTextAreRefused(t *testing.T) {
	t.Parallel()
	s, _ := newMailStackOn(t, testenv.FreshDatabase(t))
	f := newMatrixFixtureOn(t, s)

	type call struct {
		route, caller, path, field string
		body                       func(bad string) any
	}
	var calls []call
	unknown := map[string]bool{}
	for _, r := range matrixRoutes() {
		if r.body == nil || r.isLogout() {
			continue
		}
		var caller string
		for _, c := range matrixCallers {
			if st := r.want[c]; st >= 200 && st < 300 {
				caller = c
				break
			}
		}
		if caller == "" {
			continue
		}
		name := r.method + " " + r.route
		path := r.path(t, f)
		body := r.body(f)
		if raw, ok := body.(rawBody); ok {
			if raw.contentType != "text/csv" {
				continue
			}
			// The import's names are in its CSV: first_name, last_name.
			for _, col := range []string{"Anna", "de Vries"} {
				calls = append(calls, call{name, caller, path, "csv " + col, func(bad string) any {
					return rawBody{raw.contentType, []byte(strings.Replace(string(raw.data), ","+col+",", ","+col[:1]+bad+col[1:]+",", 1))}
				}})
			}
			continue
		}
		if extra, ok := extraTextBodies[name]; ok {
			// The matrix body holds no text; the route's own text fields.
			for field, value := range extra {
				calls = append(calls, call{name, caller, path, field, func(bad string) any {
					return map[string]any{field: inject(value, bad)}
				}})
			}
		}
		var tree any
		b, _ := json.Marshal(body)
		if err := json.Unmarshal(b, &tree); err != nil {
			t.Fatalf("%s: body %s: %v", name, b, err)
		}
		for _, field := range stringFields(tree, "") {
			leaf := field[strings.LastIndex(field, ".")+1:]
			if m := indexRE.FindStringSubmatch(leaf); m != nil {
				leaf = m[1]
			}
			if slices.Contains(nonTextFields, leaf) || enumFields[name+" "+field] {
				continue
			}
			if !slices.Contains(textFields, leaf) {
				unknown[name+": "+field] = true
				continue
			}
			calls = append(calls, call{name, caller, path, field, func(bad string) any {
				var copyOf any
				json.Unmarshal(b, &copyOf) //nolint:errcheck // b was just decoded
				setStringField(copyOf, field, bad)
				return copyOf
			}})
		}
	}
	if len(unknown) > 0 {
		var list []string
		for k := range unknown {
			list = append(list, k)
		}
		sort.Strings(list)
		t.Fatalf("string fields neither in textFields nor in nonTextFields:\n%s", strings.Join(list, "\n"))
	}
	covered := map[string]bool{}
	for _, c := range calls {
		covered[c.route] = true
	}
	for _, route := range textRoutes {
		if !covered[route] {
			t.Errorf("route %s takes text but the matrix body covers none of its text fields", route)
		}
	}

	t.Logf("%d text fields on %d routes, each with %d refused characters", len(calls), len(covered), len(badTextRunes))
	before := schemaDigest(t, f)
	for _, c := range calls {
		for _, r := range badTextRunes {
			bad := string(r)
			got := f.s.do(routeMethod(c.route), c.path, f.tokens[c.caller], c.body(bad))
			if got.status != http.StatusBadRequest {
				t.Errorf("%s as %s with %U in %s = %d %.300s, want 400", c.route, c.caller, r, c.field, got.status, got.raw)
			}
		}
	}
	if after := schemaDigest(t, f); after != before {
		t.Errorf("the refused requests changed the hr or medical schema: digest %s, then %s", before, after)
	}
	// The same body with an ordinary letter where the refused character
	// was is accepted, the first of each route (a second would conflict
	// with the first: the same employee number, a letter sent once): the
	// 400s above came from the character alone.
	tried := map[string]bool{}
	for _, c := range calls {
		if tried[c.route] {
			continue
		}
		tried[c.route] = true
		if got := f.s.do(routeMethod(c.route), c.path, f.tokens[c.caller], c.body("é")); got.status < 200 || got.status > 299 {
			t.Errorf("%s as %s with é in %s = %d %.300s, want 2xx", c.route, c.caller, c.field, got.status, got.raw)
		}
	}
}

// enumFields are fields named like text that take one of a fixed set of
// values on their route ("ROUTE field").
var enumFields = map[string]bool{
	"POST /api/v1/requests/:id/extension reason":             true,
	"POST /api/v1/absences/:id/closure reason":               true,
	"POST /api/v1/employees/:id/dossier/consents purpose":    true,
	"POST /api/v1/employees/:id/dossier/disclosures purpose": true,
}

// textFields are the name and free-text fields of request bodies.
var textFields = []string{"name", "first_name", "last_name", "text", "reason", "note", "notes", "body", "subject",
	"description", "purpose", "question", "answer", "motivation", "recipient", "recipient_name", "address",
	"limitations", "possibilities", "employer_view", "employee_view", "content", "summary", "agreements",
	"representative_name", "representative", "data", "title", "remarks", "work_ability", "expected_duration",
	"actions", "outcome_text", "adjustments", "goal", "comment", "explanation", "statement", "what", "who",
	"participants", "goals", "purpose_text", "organisation", "labour_motivation", "medical_motivation", "task",
	"legal_ground"}

// textRoutes are the routes whose bodies hold a name or free text; each must
// have one covered by TestBadCharactersInTextAreRefused.
var textRoutes = []string{
	"POST /api/v1/employers", "POST /api/v1/employers/:id/employees", "PATCH /api/v1/employees/:id",
	"POST /api/v1/employers/:id/employees/import", "POST /api/v1/invitations",
	"POST /api/v1/employees/:id/dossier/entries", "POST /api/v1/employees/:id/dossier/entries/:entry_id/corrections",
	"POST /api/v1/employees/:id/dossier/emergency-access", "POST /api/v1/employees/:id/advice",
	"POST /api/v1/absences/:id/notes", "POST /api/v1/absences/:id/contacts", "POST /api/v1/absences/:id/plans",
	"POST /api/v1/absences/:id/evaluations", "POST /api/v1/employees/:id/dossier/consents",
	"POST /api/v1/employees/:id/dossier/information-requests", "POST /api/v1/employees/:id/dossier/disclosures",
}

// extraTextBodies are, for a route whose matrix body holds no text, text
// fields it takes, each alone with a valid value.
var extraTextBodies = map[string]map[string]string{
	"PATCH /api/v1/employees/:id": {"first_name": "Anna", "last_name": "de Vries"},
}

// routeMethod is the method of "METHOD /path".
func routeMethod(route string) string { return route[:strings.Index(route, " ")] }

// stringFields lists the paths ("a.b", "list[0]") of the string leaves of a
// decoded JSON value.
func stringFields(v any, prefix string) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = append(out, prefix)
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out = append(out, stringFields(e, p)...)
		}
	case []any:
		for i, e := range x {
			out = append(out, stringFields(e, fmt.Sprintf("%s[%d]", prefix, i))...)
		}
	}
	sort.Strings(out)
	return out
}

var indexRE = regexp.MustCompile(`^(.*)\[(\d+)\]$`)

// setStringField puts bad after the first character of the string at path
// in v (decoded JSON), so that the value stays otherwise valid.
func setStringField(v any, path, bad string) {
	parts := strings.Split(path, ".")
	var parent any = v
	for i, p := range parts {
		last := i == len(parts)-1
		key, idx := p, -1
		if m := indexRE.FindStringSubmatch(p); m != nil {
			key = m[1]
			fmt.Sscan(m[2], &idx) //nolint:errcheck // digits by the pattern
		}
		var cur any
		if key != "" {
			cur = parent.(map[string]any)[key]
		} else {
			cur = parent
		}
		if idx >= 0 {
			list := cur.([]any)
			if last {
				list[idx] = inject(list[idx].(string), bad)
				return
			}
			parent = list[idx]
			continue
		}
		if last {
			m := parent.(map[string]any)
			m[key] = inject(m[key].(string), bad)
			return
		}
		parent = cur
	}
}

func inject(s, bad string) string {
	if s == "" {
		return bad
	}
	_, size := []rune(s)[0], len(string([]rune(s)[0]))
	return s[:size] + bad + s[size:]
}

// schemaDigest is an md5 of every row of every table of the hr and medical
// schemas but the sessions and the login failures (which requests touch by
// design), read as the owner.
func schemaDigest(t *testing.T, f *matrixFixture) string {
	t.Helper()
	ctx := context.Background()
	rows, err := f.owner.Query(ctx, `SELECT table_schema || '.' || table_name FROM information_schema.tables
		WHERE table_schema IN ('hr', 'medical') AND table_type = 'BASE TABLE'
		AND table_name NOT IN ('sessions', 'login_failures') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var all strings.Builder
	for _, tbl := range tables {
		var d string
		if err := f.owner.QueryRow(ctx, `SELECT coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM `+tbl+` x`).Scan(&d); err != nil {
			t.Fatalf("digest %s: %v", tbl, err)
		}
		all.WriteString(tbl + "=" + d + ";")
	}
	var out string
	if err := f.owner.QueryRow(ctx, `SELECT md5($1)`, all.String()).Scan(&out); err != nil {
		t.Fatal(err)
	}
	return out
}
