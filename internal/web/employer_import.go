package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/employee"
)

// employerMaxImportBytes bounds the CSV of one import (MaxImportRows rows of a
// few hundred bytes).
const employerMaxImportBytes = 2 << 20

// employerImportLine is one problem of an import: the line of the file (the
// header is line 1) and what is wrong, in Dutch.
type employerImportLine struct {
	Line    int
	Message string
}

// employerImportRow is one employee the import would add.
type employerImportRow struct {
	Line                      int
	Number, Name, Born, Start string
	End, Email, Phone         string
	HasBSN                    bool
}

// employerImportData is what the import page shows.
type employerImportData struct {
	Columns string
	// CSV is the text of a checked import, carried to the confirmation.
	CSV    string
	Rows   []employerImportRow
	Errors []employerImportLine
	// Added is how many employees the import added.
	Added int
}

// employerColumnNames are the Dutch names of the import's columns.
var employerColumnNames = map[string]string{
	"employee_number": "personeelsnummer", "first_name": "voornaam", "last_name": "achternaam",
	"date_of_birth": "geboortedatum", "employment_start": "in dienst sinds", "employment_end": "uit dienst per",
	"email": "e-mailadres", "phone": "telefoonnummer", "bsn": "BSN",
}

// employerImportLines turns the import's field errors (keyed "file", "more",
// "row N" or "row N: field", as employee.ParseImport and the service name
// them) into Dutch lines, in the order of the file. A key it does not
// know is a line 0 problem with a general message, never the key's text.
func employerImportLines(fe derrors.FieldErrors) []employerImportLine {
	out := make([]employerImportLine, 0, len(fe))
	for key, msg := range fe {
		switch {
		case key == "file":
			m := "Het bestand klopt niet. De eerste regel moet de kolomnamen bevatten: " + strings.Join(employee.ImportColumns, ",") + "."
			switch {
			case strings.Contains(msg, "empty"):
				m = "Het bestand is leeg. De eerste regel moet de kolomnamen bevatten: " + strings.Join(employee.ImportColumns, ",") + "."
			case strings.Contains(msg, "no rows"):
				m = "Er staan geen medewerkers in het bestand, alleen de kolomnamen."
			case strings.Contains(msg, "more than"):
				m = fmt.Sprintf("Het bestand heeft meer dan %d regels. Splits het in kleinere delen.", employee.MaxImportRows)
			}
			out = append(out, employerImportLine{0, m})
		case key == "more":
			out = append(out, employerImportLine{1 << 30, "Er zijn nog meer fouten. Verbeter eerst de fouten hierboven en controleer het bestand opnieuw."})
		case strings.HasPrefix(key, "row "):
			rest := strings.TrimPrefix(key, "row ")
			num, field, hasField := strings.Cut(rest, ": ")
			n, err := strconv.Atoi(num)
			if err != nil || n < 1 {
				out = append(out, employerImportLine{0, "Er staat een fout in het bestand."})
				continue
			}
			line := n + 1 // the header is line 1
			m := "Deze regel is geen geldige CSV-regel of heeft niet precies 9 velden."
			if hasField {
				label, ok := employerColumnNames[field]
				if !ok {
					label = "een veld"
				}
				m = "Kolom " + label + ": " + employerImportFieldMessage(field, msg)
			}
			out = append(out, employerImportLine{line, m})
		default:
			out = append(out, employerImportLine{0, "Er staat een fout in het bestand."})
		}
	}
	slices.SortFunc(out, func(a, b employerImportLine) int { return cmp.Or(a.Line-b.Line, strings.Compare(a.Message, b.Message)) })
	return out
}

// employerImportFieldMessage says in Dutch what is wrong with a field of a row.
func employerImportFieldMessage(field, msg string) string {
	switch {
	case strings.HasPrefix(msg, "repeats"):
		return "komt al eerder voor in het bestand."
	case strings.Contains(msg, "already"), strings.Contains(msg, "in use"), strings.Contains(msg, "registered"):
		return "is al in gebruik bij een medewerker van uw bedrijf."
	case strings.Contains(msg, "YYYY-MM-DD"):
		return "schrijf de datum als jaar-maand-dag, bijvoorbeeld 2026-01-02."
	}
	if m, ok := employerFieldMessages[field]; ok {
		return m
	}
	return "dit is niet goed ingevuld."
}

// previewEmployerImport checks data as an import for employerID on employerToday, as the
// service will: the employees it would add, or the problems per line.
// Nothing is written.
func previewEmployerImport(data []byte, employerID uuid.UUID, employerToday time.Time) ([]employerImportRow, []employerImportLine) {
	es, err := employee.ParseImport(bytes.NewReader(data), employerID, employerToday)
	if err != nil {
		var fe derrors.FieldErrors
		if errors.As(err, &fe) {
			return nil, employerImportLines(fe)
		}
		return nil, []employerImportLine{{0, "Het bestand kon niet worden gelezen."}}
	}
	rows := make([]employerImportRow, 0, len(es))
	for i, e := range es {
		rows = append(rows, employerImportRow{Line: i + 2, Number: e.EmployeeNumber, Name: e.FirstName + " " + e.LastName,
			Born: Date(e.DateOfBirth), Start: Date(e.EmploymentStart), End: Date(e.EmploymentEnd), Email: e.Email,
			Phone: e.Phone, HasBSN: e.BSN != ""})
	}
	return rows, nil
}

// employerImportCSV reads the CSV of an import post: the chosen file when there is
// one, else the pasted text (field csv). A body too large is a problem on
// the page.
func employerImportCSV(w http.ResponseWriter, r *http.Request) ([]byte, string) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, employerMaxImportBytes+64<<10)
		if err := r.ParseMultipartForm(employerMaxImportBytes); err != nil {
			return nil, "Het bestand is te groot of kon niet worden gelezen. Een bestand mag hoogstens 2 MB zijn."
		}
		if f, _, err := r.FormFile("bestand"); err == nil {
			defer f.Close()
			data, err := io.ReadAll(io.LimitReader(f, employerMaxImportBytes+1))
			if err != nil || len(data) > employerMaxImportBytes {
				return nil, "Het bestand is te groot of kon niet worden gelezen. Een bestand mag hoogstens 2 MB zijn."
			}
			if len(bytes.TrimSpace(data)) > 0 {
				return data, ""
			}
		}
	}
	v := r.FormValue("csv")
	if len(v) > employerMaxImportBytes {
		return nil, "De tekst is te lang. Een import mag hoogstens 2 MB zijn."
	}
	if strings.TrimSpace(v) == "" {
		return nil, "Kies een bestand of plak de regels uit uw bestand."
	}
	return []byte(v), ""
}

// employerImportView is the import page's view.
func employerImportView(d employerImportData) view {
	d.Columns = strings.Join(employee.ImportColumns, ",")
	return view{Title: "Medewerkers importeren", Form: map[string]string{"csv": d.CSV}, Data: d}
}

// employerImportPage shows the import form.
func (s *Server) employerImportPage(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	if len(employerTenants(a)) == 0 {
		return fmt.Errorf("web: no tenant to import into: %w", derrors.ErrNotFound)
	}
	s.render(w, r, http.StatusOK, "employer_import.html", employerImportView(employerImportData{}))
	return nil
}

// employerImportInput reads the CSV of an import form for the caller's
// tenant. A caller without a tenant is derrors.ErrNotFound; an unreadable
// or missing file is shown again on the form with its problem (shown is
// true, nothing else to do).
func (s *Server) employerImportInput(w http.ResponseWriter, r *http.Request, a access.Actor) (tenant uuid.UUID, data []byte, shown bool, err error) {
	tenants := employerTenants(a)
	if len(tenants) == 0 {
		return uuid.Nil, nil, false, fmt.Errorf("web: no tenant to import into: %w", derrors.ErrNotFound)
	}
	data, problem := employerImportCSV(w, r)
	if problem != "" {
		v := employerImportView(employerImportData{})
		v.Error = problem
		v.Fields = map[string]string{"csv": problem}
		s.render(w, r, http.StatusBadRequest, "employer_import.html", v)
		return uuid.Nil, nil, true, nil
	}
	return tenants[0], data, false, nil
}

// employerImportPreview checks an import and shows what it would add, or the
// problems line by line; it writes nothing.
func (s *Server) employerImportPreview(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	tenant, data, shown, err := s.employerImportInput(w, r, a)
	if err != nil || shown {
		return err
	}
	rows, lines := previewEmployerImport(data, tenant, s.employerToday())
	d := employerImportData{CSV: string(data), Rows: rows, Errors: lines}
	v := employerImportView(d)
	if len(lines) > 0 {
		v.Error = "Er is niets geïmporteerd. Verbeter de regels hieronder en controleer het bestand opnieuw."
		s.render(w, r, http.StatusBadRequest, "employer_import.html", v)
		return nil
	}
	v.Notice = fmt.Sprintf("Het bestand is in orde: %d medewerkers. Er is nog niets opgeslagen. Kijk de lijst na en klik dan op ‘Importeren’.", len(rows))
	s.render(w, r, http.StatusOK, "employer_import.html", v)
	return nil
}

// employerImportEmployees imports a checked CSV through the employee service: all
// rows or none.
func (s *Server) employerImportEmployees(w http.ResponseWriter, r *http.Request, a access.Actor) error {
	tenant, data, shown, err := s.employerImportInput(w, r, a)
	if err != nil || shown {
		return err
	}
	out, err := s.opts.Employer.Employees.Import(r.Context(), a, tenant, bytes.NewReader(data))
	if err != nil {
		var fe derrors.FieldErrors
		if !errors.As(err, &fe) {
			return err
		}
		v := employerImportView(employerImportData{CSV: string(data), Errors: employerImportLines(fe)})
		v.Error = "Er is niets geïmporteerd. Verbeter de regels hieronder en controleer het bestand opnieuw."
		s.render(w, r, http.StatusBadRequest, "employer_import.html", v)
		return nil
	}
	v := employerImportView(employerImportData{Added: len(out)})
	v.Notice = fmt.Sprintf("%d medewerkers zijn toegevoegd.", len(out))
	s.render(w, r, http.StatusOK, "employer_import.html", v)
	return nil
}
