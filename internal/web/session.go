package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// SessionCookie is the name of the portal's session cookie. The __Host-
// prefix makes the browser keep it only when it is Secure, has Path=/ and
// no Domain: no other host, subdomain or plain-http page can set it.
const SessionCookie = "__Host-arbokluis_session"

// setSession stores the session token in the cookie until the session's
// expiry: HttpOnly (no script reads it), Secure, SameSite=Strict.
func setSession(w http.ResponseWriter, sess identity.Session) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sess.Token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
}

// clearSession tells the browser to forget the session cookie.
func clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
}

// sessionToken returns the session cookie's value ("" when there is none).
func sessionToken(r *http.Request) string {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// caller is the logged-in user of a request.
type caller struct {
	token     string
	principal access.Principal
}

type callerKey struct{}

// callerOf returns the caller loggedIn found for r; false on a route
// without loggedIn. Handlers behind loggedIn use it to act as the caller.
func callerOf(r *http.Request) (caller, bool) {
	c, ok := r.Context().Value(callerKey{}).(caller)
	return c, ok
}

// authenticate returns the caller behind the request's session cookie;
// no cookie, or a session that is not live (expired, ended, user blocked),
// is derrors.ErrUnauthenticated.
func (s *Server) authenticate(r *http.Request) (caller, error) {
	token := sessionToken(r)
	if token == "" {
		return caller{}, fmt.Errorf("web: no session cookie: %w", derrors.ErrUnauthenticated)
	}
	p, err := s.opts.Auth.Authenticate(r.Context(), token)
	if err != nil {
		return caller{}, err
	}
	return caller{token: token, principal: p}, nil
}

// loggedIn runs h for a caller with a live session; anyone else is sent
// to the login page (303) and loses a dead session cookie.
func (s *Server) loggedIn(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.authenticate(r)
		if errors.Is(err, derrors.ErrUnauthenticated) {
			if sessionToken(r) != "" {
				clearSession(w)
			}
			http.Redirect(w, r, "/inloggen", http.StatusSeeOther)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
	}
}

// errNoFetchMetadata refuses a state change that names neither its site
// nor its origin.
var errNoFetchMetadata = errors.New("web: state-changing request without Sec-Fetch-Site or Origin")

// CheckOrigin is the portal's CSRF rule beyond http.CrossOriginProtection:
// a state-changing request (any method but GET, HEAD and OPTIONS) must
// carry Sec-Fetch-Site or Origin, which every browser sends with one;
// CrossOriginProtection alone lets a request with neither through. It
// returns nil or errNoFetchMetadata.
func CheckOrigin(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if r.Header.Get("Sec-Fetch-Site") == "" && r.Header.Get("Origin") == "" {
		return errNoFetchMetadata
	}
	return nil
}

// csrf refuses, with the 403 page, a state-changing request that is
// cross-origin (http.CrossOriginProtection) or that carries neither
// Sec-Fetch-Site nor Origin (CheckOrigin), before any handler runs.
func (s *Server) csrf(next http.Handler) http.Handler {
	protected := s.cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := CheckOrigin(r); err != nil {
			s.forbidden(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

// forbidden answers the 403 page of a refused cross-origin request.
func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusForbidden, "error.html", view{Title: "Niet toegestaan",
		Error: "Dit verzoek kwam niet van deze website en is daarom geweigerd. Ga naar de startpagina en probeer het opnieuw."})
}

// parseProxies reads trusted proxies as addresses or CIDR prefixes.
func parseProxies(in []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(in))
	for _, p := range in {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if pre, err := netip.ParsePrefix(p); err == nil {
			out = append(out, pre.Masked())
			continue
		}
		a, err := netip.ParseAddr(p)
		if err != nil {
			return nil, fmt.Errorf("web: trusted proxy %q is neither an address nor a CIDR prefix", p)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// ClientIP returns the client address of r as the API decides it (gin's
// ClientIP): the peer address, unless the peer is a trusted proxy; then
// X-Forwarded-For is read from the right, skipping trusted proxies, and the
// first untrusted address is the client (X-Real-IP when there is no
// X-Forwarded-For). An address that does not parse ends the walk at the
// last good one. It returns the zero Addr when the peer does not parse.
func ClientIP(r *http.Request, trusted []netip.Prefix) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	peer = peer.Unmap()
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	if !isTrusted(peer) {
		return peer
	}
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		hops := strings.Split(xff, ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				return peer
			}
			a = a.Unmap()
			if i == 0 || !isTrusted(a) {
				return a
			}
			peer = a
		}
	}
	if xr, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get("X-Real-IP"))); err == nil {
		return xr.Unmap()
	}
	return peer
}

// clientIP is ClientIP with the configured proxies.
func (s *Server) clientIP(r *http.Request) netip.Addr { return ClientIP(r, s.proxies) }

// requestIDRE is the shape of a request id a caller may bring.
var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)

// requestID returns the request's X-Request-ID when it is short and plain,
// or a fresh id.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-ID"); requestIDRE.MatchString(id) {
		return id
	}
	return uuid.NewString()
}

type requestIDKey struct{}

// requestIDOf returns the id route gave the request.
func requestIDOf(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

// withClient puts the client address into the request's context, where
// the password-reset routes count attempts by it.
func (s *Server) withClient(r *http.Request) context.Context {
	return identity.WithClientIP(r.Context(), s.clientIP(r))
}
