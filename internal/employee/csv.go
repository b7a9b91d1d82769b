package employee

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// ImportColumns are the columns of a CSV bulk import, in this order; the
// header row must name exactly these (case-insensitive, surrounding spaces
// ignored). The separator is a comma, or a semicolon when the header holds
// semicolons and no comma (Dutch spreadsheet exports); a UTF-8 byte order
// mark is ignored.
//
//	employee_number   required, 1-32 letters, digits or . _ / -; unique per employer
//	first_name        required, at most 100 characters
//	last_name         required, at most 100 characters
//	date_of_birth     required, YYYY-MM-DD
//	employment_start  required, YYYY-MM-DD
//	employment_end    optional, YYYY-MM-DD
//	email             optional
//	phone             optional
//	bsn               optional, 9 digits passing the eleven-test (spaces and dots ignored); unique per employer
var ImportColumns = []string{"employee_number", "first_name", "last_name", "date_of_birth",
	"employment_start", "employment_end", "email", "phone", "bsn"}

// MaxImportRows bounds one import.
const MaxImportRows = 5000

// maxImportErrors bounds the errors listed for one import.
const maxImportErrors = 100

// importErrors collects per-row errors up to maxImportErrors.
type importErrors struct {
	fe   derrors.FieldErrors
	more int
}

func (ie *importErrors) add(key, msg string) {
	if _, ok := ie.fe[key]; ok {
		return
	}
	if len(ie.fe) >= maxImportErrors {
		ie.more++
		return
	}
	ie.fe[key] = msg
}

func (ie *importErrors) err() error {
	if ie.more > 0 {
		ie.fe["more"] = fmt.Sprintf("%d further errors not listed", ie.more)
	}
	return ie.fe.Err()
}

// ParseImport reads a CSV bulk import (ImportColumns) for employerID and
// validates every row against today. It returns the employees of all rows,
// or derrors.FieldErrors with one entry per bad field per row, keyed
// "row N: field" (N counts data rows from 1; problems of the whole file are
// keyed "file"), never a partial result. A repeated employee number or BSN
// is an error on the later row. Messages never quote the file's contents.
func ParseImport(r io.Reader, employerID uuid.UUID, today time.Time) ([]Employee, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, derrors.FieldErrors{"file": "could not be read"}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, derrors.FieldErrors{"file": "is empty; the first line must be the header"}
	}
	first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	cr := csv.NewReader(bytes.NewReader(data))
	if bytes.Contains(first, []byte(";")) && !bytes.Contains(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false

	header, err := cr.Read()
	if err != nil {
		return nil, derrors.FieldErrors{"file": "the header line is not valid CSV"}
	}
	if len(header) != len(ImportColumns) {
		return nil, derrors.FieldErrors{"file": "the header must name the columns " + strings.Join(ImportColumns, ",")}
	}
	for i, h := range header {
		if !strings.EqualFold(strings.TrimSpace(h), ImportColumns[i]) {
			return nil, derrors.FieldErrors{"file": "the header must name the columns " + strings.Join(ImportColumns, ",")}
		}
	}

	ie := &importErrors{fe: derrors.FieldErrors{}}
	var out []Employee
	numbers, bsns := map[string]int{}, map[string]int{}
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if row > MaxImportRows {
			return nil, derrors.FieldErrors{"file": fmt.Sprintf("has more than %d rows; split the import", MaxImportRows)}
		}
		key := func(field string) string { return fmt.Sprintf("row %d: %s", row, field) }
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && !errors.Is(pe.Err, csv.ErrFieldCount) {
				ie.add(fmt.Sprintf("row %d", row), "is not valid CSV")
				// A broken quote makes the rest unreadable.
				return nil, ie.err()
			}
			ie.add(fmt.Sprintf("row %d", row), "is not valid CSV")
			continue
		}
		if len(rec) != len(ImportColumns) {
			ie.add(fmt.Sprintf("row %d", row), fmt.Sprintf("must have %d fields", len(ImportColumns)))
			continue
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		e := Employee{EmployerID: employerID, EmployeeNumber: rec[0], FirstName: rec[1], LastName: rec[2],
			Email: strings.ToLower(rec[6]), Phone: rec[7], BSN: NormalizeBSN(rec[8])}
		dates := []struct {
			field    string
			v        string
			required bool
			dst      *time.Time
		}{
			{"date_of_birth", rec[3], true, &e.DateOfBirth},
			{"employment_start", rec[4], true, &e.EmploymentStart},
			{"employment_end", rec[5], false, &e.EmploymentEnd},
		}
		bad := map[string]bool{}
		for _, d := range dates {
			if d.v == "" && !d.required {
				continue
			}
			t, err := time.Parse(time.DateOnly, d.v)
			if err != nil {
				ie.add(key(d.field), "must be a date YYYY-MM-DD")
				bad[d.field] = true
				continue
			}
			*d.dst = t
		}
		if err := e.Validate(today); err != nil {
			var fe derrors.FieldErrors
			if errors.As(err, &fe) {
				for field, msg := range fe {
					if !bad[field] {
						ie.add(key(field), msg)
					}
				}
			}
		}
		if prev, ok := numbers[e.EmployeeNumber]; ok && e.EmployeeNumber != "" {
			ie.add(key("employee_number"), fmt.Sprintf("repeats the number of row %d", prev))
		} else {
			numbers[e.EmployeeNumber] = row
		}
		if e.BSN != "" {
			if prev, ok := bsns[e.BSN]; ok {
				ie.add(key("bsn"), fmt.Sprintf("repeats the BSN of row %d", prev))
			} else {
				bsns[e.BSN] = row
			}
		}
		out = append(out, e)
	}
	if err := ie.err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, derrors.FieldErrors{"file": "has no rows"}
	}
	return out, nil
}
