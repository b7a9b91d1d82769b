package employee

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

func TestValidBSN(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"111222333", true},  // 9+8+7+12+10+8+9+6−3 = 66 = 6·11
		{"123456782", true},  // 9+16+21+24+25+24+21+16−2 = 154 = 14·11
		{"999999990", true},  // 9·44 − 0 = 396 = 36·11
		{"123456789", false}, // 147, remainder 4
		{"000000000", false}, // sum 0 is not a number
		{"12345678", false},  // eight digits
		{"1234567820", false},
		{"12345678a", false},
		{"1234.5678", false}, // canonical form only; NormalizeBSN strips dots first
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidBSN(tt.in); got != tt.want {
			t.Errorf("ValidBSN(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeAndMaskBSN(t *testing.T) {
	if got := NormalizeBSN(" 1234.56.782 "); got != "123456782" {
		t.Errorf("NormalizeBSN(\" 1234.56.782 \") = %q, want 123456782", got)
	}
	for in, want := range map[string]string{"123456782": "******782", "": "", "12": "******"} {
		if got := MaskBSN(in); got != want {
			t.Errorf("MaskBSN(%q) = %q, want %q", in, got, want)
		}
	}
}

const header = "employee_number,first_name,last_name,date_of_birth,employment_start,employment_end,email,phone,bsn\n"

func TestParseImport(t *testing.T) {
	employer := uuid.New()
	tests := []struct {
		name     string
		in       string
		wantRows int
		wantErrs []string // keys of the field errors, all of them
	}{
		{name: "two rows", in: header +
			"A-1,Gérard,Özdemir,1985-03-04,2019-09-01,,g@prive.test,+31 6 1234 5678,1234.56.782\n" +
			"A-2,Jan,de Vries,1990-01-31,2020-01-01,2027-12-31,,,\n", wantRows: 2},
		{name: "semicolons, a byte order mark and an upper-case header", in: "\xef\xbb\xbf" +
			strings.ToUpper(strings.ReplaceAll(header, ",", ";")) +
			"A-1;Jan;Jansen;1985-03-04;2019-09-01;;;;\n", wantRows: 1},
		{name: "quoted field with a comma", in: header + "A-1,\"Anna, Maria\",Bakker,1985-03-04,2019-09-01,,,,\n", wantRows: 1},
		{name: "empty file", in: "  \n", wantErrs: []string{"file"}},
		{name: "header only", in: header, wantErrs: []string{"file"}},
		{name: "wrong header", in: "number,first,last\nA-1,Jan,Jansen\n", wantErrs: []string{"file"}},
		{name: "columns out of order", in: strings.Replace(header, "first_name,last_name", "last_name,first_name", 1) +
			"A-1,Jan,Jansen,1985-03-04,2019-09-01,,,,\n", wantErrs: []string{"file"}},
		{name: "broken rows are listed per row and field", in: header +
			"A-1,Jan,Jansen,1985-03-04,2019-09-01,,,,\n" +
			"A-2,Piet,Pietersen,04-03-1985,2019-09-01,,,,123456789\n" +
			"A-3,Kees\n" +
			"A-1,,Klaassen,1980-01-01,2018-01-01,2017-01-01,NOT-AN-EMAIL,,\n",
			wantErrs: []string{
				"row 2: date_of_birth", "row 2: bsn", "row 3",
				"row 4: employee_number", "row 4: first_name", "row 4: employment_end", "row 4: email",
			}},
		{name: "a repeated BSN", in: header +
			"A-1,Jan,Jansen,1985-03-04,2019-09-01,,,,123456782\n" +
			"A-2,Piet,Pietersen,1985-03-04,2019-09-01,,,,1234 56 782\n",
			wantErrs: []string{"row 2: bsn"}},
		{name: "a broken quote stops reading", in: header + "A-1,\"Jan,Jansen,1985-03-04,2019-09-01,,,,\nA-2,x\n",
			wantErrs: []string{"row 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseImport(strings.NewReader(tt.in), employer, today)
			if tt.wantErrs == nil {
				if err != nil || len(got) != tt.wantRows {
					t.Fatalf("ParseImport() = %d rows, %v; want %d rows, nil", len(got), err, tt.wantRows)
				}
				for _, e := range got {
					if e.EmployerID != employer {
						t.Errorf("ParseImport(): row employer = %v, want %v", e.EmployerID, employer)
					}
				}
				return
			}
			var fe derrors.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("ParseImport() error = %v, want field errors %v", err, tt.wantErrs)
			}
			if got != nil {
				t.Errorf("ParseImport() returned %d rows with an error; want none (all or nothing)", len(got))
			}
			if len(fe) != len(tt.wantErrs) {
				t.Errorf("ParseImport() errors = %v, want exactly the keys %v", fe, tt.wantErrs)
			}
			for _, k := range tt.wantErrs {
				if fe[k] == "" {
					t.Errorf("ParseImport() errors = %v, missing key %q", fe, k)
				}
			}
		})
	}
	t.Run("first row parsed into fields", func(t *testing.T) {
		got, err := ParseImport(strings.NewReader(tests[0].in), employer, today)
		if err != nil {
			t.Fatal(err)
		}
		e := got[0]
		if e.EmployeeNumber != "A-1" || e.FirstName != "Gérard" || e.LastName != "Özdemir" || e.BSN != "123456782" ||
			e.DateOfBirth != date("1985-03-04") || e.EmploymentStart != date("2019-09-01") || !e.EmploymentEnd.IsZero() ||
			e.Email != "g@prive.test" || e.Phone != "+31 6 1234 5678" {
			t.Errorf("ParseImport() first row = %+v", e)
		}
	})
	t.Run("too many rows", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(header)
		for i := 0; i <= MaxImportRows; i++ {
			b.WriteString("A-1,Jan,Jansen,1985-03-04,2019-09-01,,,,\n")
		}
		_, err := ParseImport(strings.NewReader(b.String()), employer, today)
		var fe derrors.FieldErrors
		if !errors.As(err, &fe) || fe["file"] == "" {
			t.Errorf("ParseImport(%d rows) = %v, want a file error", MaxImportRows+1, err)
		}
	})
}

// FuzzParseImport checks that no input panics, that an error and rows never
// come together, that every accepted row validates, and that no error
// message quotes the file (the marker string never appears in one).
func FuzzParseImport(f *testing.F) {
	f.Add(header + "A-1,Jan,Jansen,1985-03-04,2019-09-01,,,,123456782\n")
	f.Add(header + "A-1;Jan\n\"broken")
	f.Add(strings.ReplaceAll(header, ",", ";") + "A-1;Jan;Jansen;1985-03-04;2019-09-01;;;;\n")
	f.Add("\xef\xbb\xbf" + header + "ZZMARKER,ZZMARKER,ZZMARKER,ZZMARKER,ZZMARKER,ZZMARKER,ZZMARKER,ZZMARKER,ZZMARKER\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseImport(strings.NewReader(in), uuid.Nil, today)
		if err != nil {
			if rows != nil {
				t.Fatalf("ParseImport(%q) = rows and error %v", in, err)
			}
			var fe derrors.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("ParseImport(%q) error %v is not field errors", in, err)
			}
			for k, v := range fe {
				if strings.Contains(k+v, "ZZMARKER") {
					t.Fatalf("ParseImport(%q) error %q: %q quotes the input", in, k, v)
				}
			}
			return
		}
		if len(rows) == 0 {
			t.Fatalf("ParseImport(%q) = no rows, no error", in)
		}
		for _, e := range rows {
			if verr := e.Validate(today); verr != nil {
				t.Fatalf("ParseImport(%q) accepted a row that does not validate: %v", in, verr)
			}
		}
	})
}
