package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// pageError is one row of the error table: the status of the page and the
// message it shows.
type pageError struct {
	status  int
	message string
}

// errorTable is the one mapping from domain errors to pages, like the
// API's: the first row whose error matches (errors.Is) wins; anything
// unmatched is internal. Messages are plain Dutch and never say more than
// the API's problem titles.
var errorTable = []struct {
	err  error
	page pageError
}{
	{derrors.ErrInvalid, pageError{http.StatusBadRequest, "Niet alles is goed ingevuld. Kijk bij de velden hieronder wat er mis is."}},
	{derrors.ErrUnauthenticated, pageError{http.StatusUnauthorized, "U bent niet ingelogd, of uw sessie is afgelopen. Log opnieuw in."}},
	{derrors.ErrForbidden, pageError{http.StatusForbidden, "U mag dit niet doen."}},
	{derrors.ErrNotFound, pageError{http.StatusNotFound, "Deze pagina bestaat niet."}},
	{derrors.ErrConflict, pageError{http.StatusConflict, "Dit kan nu niet, want de gegevens zijn intussen veranderd. Laad de pagina opnieuw."}},
	{derrors.ErrThrottled, pageError{http.StatusTooManyRequests, "Te veel pogingen. Wacht even en probeer het dan opnieuw."}},
	{derrors.ErrRefused, pageError{http.StatusUnprocessableEntity, "Dit mag niet volgens de regels die voor uw gegevens gelden."}},
	{derrors.ErrUnavailable, pageError{http.StatusServiceUnavailable, "Dit lukt nu even niet. Probeer het over een paar minuten opnieuw."}},
}

// internalError is the page of anything the table does not know.
var internalError = pageError{http.StatusInternalServerError, "Er ging bij ons iets mis. Probeer het later opnieuw."}

// retryAfter is an error that says when to try again.
type retryAfter interface{ RetryAfter() time.Duration }

// pageErrorOf returns the status and message for err: the table's row, with
// the wait named for a throttled request that says how long.
func pageErrorOf(err error) pageError {
	for _, row := range errorTable {
		if errors.Is(err, row.err) {
			pe := row.page
			var ra retryAfter
			if errors.Is(err, derrors.ErrThrottled) && errors.As(err, &ra) && ra.RetryAfter() > 0 {
				pe.message = "Te veel pogingen. Probeer het over " + waitText(ra.RetryAfter()) + " opnieuw."
			}
			return pe
		}
	}
	return internalError
}

// messageOf is the message of pageErrorOf.
func messageOf(err error) string { return pageErrorOf(err).message }

// waitText says a wait in Dutch, rounded up to whole seconds or minutes:
// "1 seconde", "40 seconden", "1 minuut", "15 minuten".
func waitText(d time.Duration) string {
	if d <= time.Minute {
		s := int((d + time.Second - 1) / time.Second)
		if s <= 1 {
			return "1 seconde"
		}
		if s == 60 {
			return "1 minuut"
		}
		return fmt.Sprintf("%d seconden", s)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	return fmt.Sprintf("%d minuten", m)
}

// fail renders err as the error page (an internal error is logged by its
// type only, never its text, which may hold user input).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	pe := s.failure(r, err)
	if pe.status == http.StatusNotFound {
		s.notFound(w, r)
		return
	}
	s.render(w, r, pe.status, "error.html", view{Title: "Dat lukte niet", Error: pe.message})
}

// failure returns the table's row for err and logs an internal error by
// its type and the route only, never its text, which may hold user input.
func (s *Server) failure(r *http.Request, err error) pageError {
	pe := pageErrorOf(err)
	if pe.status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "portal request failed", "path_pattern", r.Pattern, "error_type", fmt.Sprintf("%T", err))
	}
	return pe
}

// notFound renders the 404 page: it says no more than the API's 404.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "error.html", view{Title: "Pagina niet gevonden", Error: "Deze pagina bestaat niet."})
}

// fieldTable is an area's table of Dutch messages for a service's field
// errors (derrors.FieldErrors); put is the one way every form shows them.
type fieldTable struct {
	// messages are the messages by the form's field name.
	messages map[string]string
	// message, when set, gives the message for a form field that messages
	// lacks, from the service's field name and the form's; without it such
	// a field says "Dit is niet goed ingevuld.".
	message func(service, form string) string
}

// put puts the field errors of err on fields (form field → message): each
// under the form's name for it in names (service field → form field; "*"
// stands for any other field, and a field names lacks goes under
// "algemeen"), or under its own name when names is nil. It returns false
// when err has no field errors, and then leaves fields unchanged.
func (t fieldTable) put(err error, names map[string]string, fields map[string]string) bool {
	var fe derrors.FieldErrors
	if !errors.As(err, &fe) {
		return false
	}
	for k := range fe {
		name := k
		if names != nil {
			n, ok := names[k]
			if !ok {
				n = names["*"]
			}
			if n == "" {
				n = "algemeen"
			}
			name = n
		}
		msg, ok := t.messages[name]
		switch {
		case ok:
		case t.message != nil:
			msg = t.message(k, name)
		default:
			msg = "Dit is niet goed ingevuld."
		}
		fields[name] = msg
	}
	return true
}
