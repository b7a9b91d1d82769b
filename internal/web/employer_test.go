package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/employee"
	"github.com/arbokluis/arbokluis/internal/ratelimit"
)

// employerOverviewAbsences answers Overview with fixed rows; the other methods are
// not used by the overview.
type employerOverviewAbsences struct {
	EmployerAbsences
	rows []absence.OverviewRow
}

func (o employerOverviewAbsences) Overview(context.Context, access.Actor, uuid.UUID) ([]absence.OverviewRow, error) {
	return o.rows, nil
}

// employerOverviewRows makes n employees; every fifth is sick with a next step.
func employerOverviewRows(n int) []absence.OverviewRow {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	out := make([]absence.OverviewRow, n)
	for i := range out {
		r := absence.OverviewRow{EmployeeID: uuid.New(), EmployeeNumber: fmt.Sprintf("E%05d", i),
			FirstName: fmt.Sprintf("Voornaam%d", i), LastName: fmt.Sprintf("Achternaam%d", (i*7919)%n)}
		if i%5 == 0 {
			r.AbsenceID, r.Percentage, r.FirstSickDay = uuid.New(), 50+i%51, day.AddDate(0, 0, -i%300)
			r.NextMilestone = &absence.Signal{Kind: absence.KindPlanOfAction, Due: day.AddDate(0, 0, i%60), Status: absence.StatusOpen}
			r.LastVerdict, r.LastWorkAbility = "partly_fit", 40
		}
		out[i] = r
	}
	return out
}

// employerTestServer is a portal whose caller is an employer of one tenant,
// with the overview answering rows, and a clock that moves a second per
// request (so the list-read limit never stops a benchmark).
func employerTestServer(tb testing.TB, rows []absence.OverviewRow) (*Server, *http.Cookie) {
	return employerTestServerAt(tb, rows, time.Second)
}

// employerTestServerAt is employerTestServer with a clock that moves step
// per reading.
func employerTestServerAt(tb testing.TB, rows []absence.OverviewRow, step time.Duration) (*Server, *http.Cookie) {
	tb.Helper()
	return employerTestServerWith(tb, rows, step, ratelimit.Limit{})
}

// employerTestServerWith is employerTestServerAt with the list-read limit
// lists.
func employerTestServerWith(tb testing.TB, rows []absence.OverviewRow, step time.Duration, lists ratelimit.Limit) (*Server, *http.Cookie) {
	tb.Helper()
	tenant := uuid.New()
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s, err := New(Options{Auth: &fakeAuth{token: "tok"}, Invitations: fakeInvitations{}, Recorder: &fakeRecorder{},
		Authz:    &fakeAuthz{auths: []access.Authority{{Role: access.RoleEmployer, Scope: access.Scope{Employers: []uuid.UUID{tenant}}}}},
		Now:      func() time.Time { clock = clock.Add(step); return clock },
		Employer: EmployerServices{Absences: employerOverviewAbsences{rows: rows}}, ListReads: lists})
	if err != nil {
		tb.Fatal(err)
	}
	return s, &http.Cookie{Name: SessionCookie, Value: "tok"}
}

// BenchmarkEmployerOverview2000 measures the server-side render of the
// employer's overview of 2,000 employees: the query's filter, the sort,
// the page and the template, without the database (the service call is a
// fixed answer). It reports p50 and p95 in milliseconds and the page size.
func BenchmarkEmployerOverview2000(b *testing.B) {
	s, cookie := employerTestServer(b, employerOverviewRows(2000))
	h := s.Handler()
	for _, q := range []string{"", "?sorteer=ziek&wie=ziek", "?zoek=achternaam1&pagina=2"} {
		b.Run("query="+strings.TrimPrefix(q, "?"), func(b *testing.B) {
			var lat []time.Duration
			size := 0
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/werkgever"+q, nil)
				req.AddCookie(cookie)
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				lat = append(lat, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET /werkgever%s = %d, want 200", q, rec.Code)
				}
				size = rec.Body.Len()
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(size), "page-bytes")
		})
	}
}

// TestBuildEmployerOverview checks the overview's filter, order and paging.
func TestBuildEmployerOverview(t *testing.T) {
	rows := employerOverviewRows(120)
	for _, tt := range []struct {
		name          string
		f             employerOverviewFilter
		wantRows      int
		wantPages     int
		wantFirst     string
		wantNext      bool
		wantPrev      bool
		allSick       bool
		noneSick      bool
		sortedByShown bool
	}{
		{name: "first page by name", f: employerOverviewFilter{Page: 1}, wantRows: 50, wantPages: 3, wantNext: true},
		{name: "last page", f: employerOverviewFilter{Page: 3}, wantRows: 20, wantPages: 3, wantPrev: true},
		{name: "a page past the end is the last", f: employerOverviewFilter{Page: 9}, wantRows: 20, wantPages: 3, wantPrev: true},
		{name: "only the sick", f: employerOverviewFilter{Who: "ziek", Page: 1}, wantRows: 24, wantPages: 1, allSick: true},
		{name: "only those at work", f: employerOverviewFilter{Who: "niet-ziek", Page: 1}, wantRows: 50, wantPages: 2, wantNext: true, noneSick: true},
		{name: "by number", f: employerOverviewFilter{Sort: "nummer", Page: 1}, wantRows: 50, wantPages: 3, wantFirst: "E00000", wantNext: true},
		{name: "search a number", f: employerOverviewFilter{Q: "e00007", Page: 1}, wantRows: 1, wantPages: 1, wantFirst: "E00007"},
		{name: "search nobody", f: employerOverviewFilter{Q: "niemand", Page: 1}, wantRows: 0, wantPages: 1},
		{name: "sick first", f: employerOverviewFilter{Sort: "ziek", Page: 1}, wantRows: 50, wantPages: 3, wantNext: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := buildEmployerOverview(rows, tt.f)
			if len(d.Rows) != tt.wantRows || d.Pages != tt.wantPages {
				t.Fatalf("buildOverview(%+v) = %d rows of %d pages, want %d of %d", tt.f, len(d.Rows), d.Pages, tt.wantRows, tt.wantPages)
			}
			if tt.wantFirst != "" && d.Rows[0].Number != tt.wantFirst {
				t.Errorf("buildOverview(%+v) first = %s, want %s", tt.f, d.Rows[0].Number, tt.wantFirst)
			}
			if (d.Next != "") != tt.wantNext || (d.Prev != "") != tt.wantPrev {
				t.Errorf("buildOverview(%+v) next %q prev %q, want next %v prev %v", tt.f, d.Next, d.Prev, tt.wantNext, tt.wantPrev)
			}
			for _, r := range d.Rows {
				if tt.allSick && r.CaseID == "" || tt.noneSick && r.CaseID != "" {
					t.Errorf("buildOverview(%+v) shows %s (case %q)", tt.f, r.Number, r.CaseID)
				}
			}
			if tt.f.Sort == "ziek" && d.Rows[0].CaseID == "" {
				t.Errorf("buildOverview(%+v) puts %s (not sick) first", tt.f, d.Rows[0].Number)
			}
			if d.Total != 120 || d.Absent != 24 {
				t.Errorf("buildOverview(%+v) totals %d/%d, want 120/24", tt.f, d.Total, d.Absent)
			}
		})
	}
}

// TestEmployerImportLines checks the Dutch line messages of import problems.
func TestEmployerImportLines(t *testing.T) {
	for _, tt := range []struct {
		in   derrors.FieldErrors
		want []employerImportLine
	}{
		{derrors.FieldErrors{"row 2: date_of_birth": "must be a date YYYY-MM-DD"},
			[]employerImportLine{{3, "Kolom geboortedatum: schrijf de datum als jaar-maand-dag, bijvoorbeeld 2026-01-02."}}},
		{derrors.FieldErrors{"row 4: employee_number": "repeats the number of row 1", "row 1": "must have 9 fields"},
			[]employerImportLine{{2, "Deze regel is geen geldige CSV-regel of heeft niet precies 9 velden."},
				{5, "Kolom personeelsnummer: komt al eerder voor in het bestand."}}},
		{derrors.FieldErrors{"file": "has no rows"}, []employerImportLine{{0, "Er staan geen medewerkers in het bestand, alleen de kolomnamen."}}},
		{derrors.FieldErrors{"row x: bsn": "<script>"}, []employerImportLine{{0, "Er staat een fout in het bestand."}}},
		{derrors.FieldErrors{"row 1: secret": "<script>"}, []employerImportLine{{2, "Kolom een veld: dit is niet goed ingevuld."}}},
	} {
		if got := employerImportLines(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("importLines(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzPreviewEmployerImport: any input gives either rows or problems, never both
// nor neither; problems never quote the file; rows name their lines in
// order from line 2.
func FuzzPreviewEmployerImport(f *testing.F) {
	header := strings.Join(employee.ImportColumns, ",") + "\n"
	f.Add(header + "A1,Ann,Een,1990-01-01,2020-01-01,,,,\n")
	f.Add(header + "A1,Ann,Een,01-01-1990,2020-01-01,,,,\nA1,Bo,Twee,1990-01-01,2020-01-01,,x,,1\n")
	f.Add(strings.ReplaceAll(header, ",", ";") + "A1;Ann;Een;1990-01-01;2020-01-01;;;;\n")
	f.Add("\"unterminated\n")
	f.Add("")
	employerToday := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data string) {
		rows, lines := previewEmployerImport([]byte(data), uuid.Nil, employerToday)
		if (len(rows) == 0) == (len(lines) == 0) {
			t.Fatalf("previewImport(%q) = %d rows and %d problems, want exactly one of them", data, len(rows), len(lines))
		}
		for i, r := range rows {
			if r.Line != i+2 {
				t.Fatalf("previewImport(%q) row %d on line %d, want %d", data, i, r.Line, i+2)
			}
		}
		for _, l := range lines {
			if !utf8.ValidString(l.Message) || l.Message == "" {
				t.Fatalf("previewImport(%q) problem %q is not a message", data, l.Message)
			}
			for _, field := range strings.FieldsFunc(data, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
				if len(field) > 12 && strings.Contains(l.Message, field) && !strings.Contains(header, field) {
					t.Fatalf("previewImport(%q) problem %q quotes the file", data, l.Message)
				}
			}
		}
	})
}

// TestEmployerOverviewListReadLimit: the overview takes the list-read
// limit of Options.ListReads per user (the API's, wired from the same
// settings): a burst of 3 reads at 6 a minute, then the 429 page that says
// how long to wait (10 seconds), and a read again once that has passed.
func TestEmployerOverviewListReadLimit(t *testing.T) {
	clock := time.Duration(0)
	s, cookie := employerTestServerWith(t, employerOverviewRows(3), 0, ratelimit.Limit{PerMinute: 6, Burst: 3})
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s.opts.Now = func() time.Time { return start.Add(clock) }
	h := s.Handler()
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := range 3 {
		if rec := get("/werkgever"); rec.Code != http.StatusOK {
			t.Fatalf("GET /werkgever read %d = %d, want 200", i+1, rec.Code)
		}
	}
	rec := get("/werkgever")
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "Probeer het over 10 seconden opnieuw.") {
		t.Errorf("GET /werkgever read 4 after a burst of 3 = %d, want 429 saying to try again in 10 seconds", rec.Code)
	}
	clock += 10 * time.Second
	if rec := get("/werkgever"); rec.Code != http.StatusOK {
		t.Errorf("GET /werkgever once the wait passed = %d, want 200", rec.Code)
	}
}

// TestEmployerHomeIsTheOverview: for an employer the home page is the
// overview, the same page as /werkgever (which keeps working), and it
// spends a read of the overview's list-read limit, not a bucket of its own.
func TestEmployerHomeIsTheOverview(t *testing.T) {
	s, cookie := employerTestServerWith(t, employerOverviewRows(3), 0, ratelimit.Limit{PerMinute: 1, Burst: 2})
	h := s.Handler()
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	tests := []struct {
		path       string
		wantStatus int
		wantText   string
	}{
		{"/", http.StatusOK, "U heeft 3 medewerkers."},
		{"/werkgever", http.StatusOK, "U heeft 3 medewerkers."},
		{"/", http.StatusTooManyRequests, "Probeer het over 1 minuut opnieuw."},
	}
	for i, tt := range tests {
		rec := get(tt.path)
		if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantText) {
			t.Errorf("read %d: GET %s as an employer = %d, want %d with %q", i+1, tt.path, rec.Code, tt.wantStatus, tt.wantText)
		}
	}
}

// TestEmployerOverviewCountsInWords: the overview says "1 medewerker" for
// one employee and the plural otherwise.
func TestEmployerOverviewCountsInWords(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{1, "U heeft 1 medewerker."}, {2, "U heeft 2 medewerkers."}} {
		s, cookie := employerTestServerWith(t, employerOverviewRows(tt.n), 0, ratelimit.Limit{})
		req := httptest.NewRequest(http.MethodGet, "/werkgever", nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("GET /werkgever with %d employees = %d, want 200 saying %q", tt.n, rec.Code, tt.want)
		}
	}
}

// TestEmployerImportConfirmMultipart checks that the confirmation of a
// checked import posts its CSV as multipart, under the import's 2 MB limit:
// as a urlencoded form it met the 256 KB limit of every form post, so a
// checked import of a few thousand rows could not be confirmed.
func TestEmployerImportConfirmMultipart(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	v := employerImportView(employerImportData{CSV: "x", Rows: []employerImportRow{{Line: 2}}})
	if err := pages["employer_import.html"].Execute(&buf, v); err != nil {
		t.Fatal(err)
	}
	want := `<form method="post" action="/werkgever/import/bevestigen" enctype="multipart/form-data">`
	if !strings.Contains(buf.String(), want) {
		t.Errorf("the confirmation form is not %s", want)
	}
}
