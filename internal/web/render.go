package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/google/uuid"
)

// view is what every page template gets: the page's title, the logged-in
// user (nil on public pages), a message for the whole page, the errors per
// field, the kept form values (never a password or code) and the page's
// own data.
type view struct {
	Title  string
	User   *userView
	Error  string
	Notice string
	Fields map[string]string
	Form   map[string]string
	Data   any
}

// userView says who is logged in.
type userView struct {
	Name  string
	Roles []string
	// Employee shows the employee's menu.
	Employee bool
	// Employer: the user has an employer grant (the employer's portal).
	Employer bool
	// Medical: a physician, lead physician or medical assistant grant;
	// Lead: a lead physician grant.
	Medical, Lead bool
	// CaseWork: a case manager or labour expert grant.
	CaseWork bool
	// Privacy: a privacy officer grant; Admin: an administrator grant.
	Privacy, Admin bool
}

// roleNames are the Dutch names of the roles, as the user reads them.
var roleNames = map[access.Role]string{
	access.RolePhysician:        "bedrijfsarts",
	access.RoleLeadPhysician:    "hoofd bedrijfsarts",
	access.RoleMedicalAssistant: "praktijkondersteuner",
	access.RoleCaseManager:      "casemanager",
	access.RoleLabourExpert:     "arbeidsdeskundige",
	access.RoleEmployer:         "werkgever",
	access.RoleEmployee:         "werknemer",
	access.RolePrivacyOfficer:   "privacyfunctionaris",
	access.RoleAdmin:            "beheerder",
}

// RoleName returns the Dutch name of role, or the role's own name when it
// has none.
func RoleName(role access.Role) string {
	if n, ok := roleNames[role]; ok {
		return n
	}
	return string(role)
}

// funcs are the template functions.
var funcs = template.FuncMap{
	"datum": Date,
}

// pageNames are the page templates; each is parsed with the base layout.
var pageNames = []string{"error.html", "home.html", "login.html", "invitation.html", "enrol.html",
	"recovery.html", "reset_request.html", "reset.html", "message.html"}

// partials is the template file of the parts several pages share
// ({{define}}d there, {{template}}d in the pages).
const partials = "partials.html"

// parsePages parses every page with the layout and the shared parts.
func parsePages() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New("base.html").Funcs(funcs).ParseFS(templateFS, "templates/base.html", "templates/"+partials, "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		out[name] = t
	}
	// Every template in the folder is a page, the layout or the parts.
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	if len(files) != len(pageNames)+2 {
		return nil, fmt.Errorf("web: %d templates embedded, %d pages, the layout and the parts known", len(files), len(pageNames))
	}
	return out, nil
}

// render writes the page name with v and status. The page is rendered into
// a buffer first, so that a template failure is the plain 500 page, never
// half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	s.renderPart(w, r, status, name, "", v)
}

// renderPart writes the template part defined in page name with v and
// status, or the whole page when part is empty; a failure is the plain 500
// page, as in render.
func (s *Server) renderPart(w http.ResponseWriter, r *http.Request, status int, name, part string, v view) {
	if v.User == nil && part == "" {
		if c, ok := callerOf(r); ok {
			v.User = s.userView(r, c)
		}
	}
	var buf bytes.Buffer
	execute := func() error { return s.pages[name].Execute(&buf, v) }
	if part != "" {
		execute = func() error { return s.pages[name].ExecuteTemplate(&buf, part, v) }
	}
	if err := execute(); err != nil {
		s.log.ErrorContext(r.Context(), "portal template failed", "template", name, "error_type", fmt.Sprintf("%T", err))
		buf.Reset()
		status = http.StatusInternalServerError
		if err := s.pages["error.html"].Execute(&buf, view{Title: "Er ging iets mis", Error: internalError.message}); err != nil {
			http.Error(w, "Er ging bij ons iets mis.", http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}

// userView describes the caller for the header.
func (s *Server) userView(r *http.Request, c caller) *userView {
	u := &userView{}
	if s.opts.Names != nil {
		if n, err := s.opts.Names.UserName(r.Context(), c.principal.UserID); err == nil {
			u.Name = n
		}
	}
	u.Employee = isEmployee(c)
	seen := map[access.Role]bool{}
	for _, g := range c.principal.Grants {
		u.Employer = u.Employer || g.Role == access.RoleEmployer
		u.Medical = u.Medical || g.Role == access.RolePhysician || g.Role == access.RoleLeadPhysician || g.Role == access.RoleMedicalAssistant
		u.Lead = u.Lead || g.Role == access.RoleLeadPhysician
		u.CaseWork = u.CaseWork || g.Role == access.RoleCaseManager || g.Role == access.RoleLabourExpert
		u.Privacy = u.Privacy || g.Role == access.RolePrivacyOfficer
		u.Admin = u.Admin || g.Role == access.RoleAdmin
		if !seen[g.Role] {
			seen[g.Role] = true
			u.Roles = append(u.Roles, RoleName(g.Role))
		}
	}
	return u
}

// pathUUID returns the {id} of the route; a malformed id is
// derrors.ErrNotFound (the page of an object that does not exist).
func pathUUID(r *http.Request) (uuid.UUID, error) {
	id, ok := access.ParseID(r.PathValue("id"))
	if !ok {
		return uuid.Nil, derrors.ErrNotFound
	}
	return id, nil
}

// download writes b as an attachment named name: never shown inline,
// never sniffed, sandboxed. It is the portal's one way to send a file.
func download(w http.ResponseWriter, name, contentType string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	// A file is never a page of the portal: sandboxed, as the API's downloads.
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b) //nolint:errcheck // the client went away
}
