package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// Authenticator is what the HTTP layer needs of the identity service.
type Authenticator interface {
	Login(ctx context.Context, req identity.LoginRequest) (identity.Session, error)
	Authenticate(ctx context.Context, token string) (access.Principal, error)
	Logout(ctx context.Context, token string, p access.Principal, requestID string, ip netip.Addr) error
}

const principalKey = "arbokluis.principal"

// loginRequest is the body of POST /api/v1/auth/login.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	TOTP     string `json:"totp"`
}

// loginResponse answers a successful login.
type loginResponse struct {
	Token     string `json:"token"`
	ExpiresAt string `json:"expires_at"`
}

// grantDTO is one role of the caller.
type grantDTO struct {
	Role       string `json:"role"`
	EmployerID string `json:"employer_id,omitempty"`
}

// meResponse describes the caller.
type meResponse struct {
	UserID string     `json:"user_id"`
	Roles  []grantDTO `json:"roles"`
}

func clientIP(c *gin.Context) netip.Addr {
	ip, err := netip.ParseAddr(c.ClientIP())
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap()
}

// withClientIP puts the client address into the request's context, where
// the password-reset routes count attempts by it.
func withClientIP(c *gin.Context) {
	c.Request = c.Request.WithContext(identity.WithClientIP(c.Request.Context(), clientIP(c)))
	c.Next()
}

func (s *Server) login(c *gin.Context) error {
	var in loginRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	fe := derrors.FieldErrors{}
	for field, v := range map[string]string{"email": in.Email, "password": in.Password, "totp": in.TOTP} {
		if v == "" {
			fe.Add(field, "is required")
		} else if len(v) > 512 {
			fe.Add(field, "is too long")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	sess, err := s.opts.Auth.Login(c, identity.LoginRequest{
		Email: in.Email, Password: in.Password, TOTP: in.TOTP,
		ClientIP: clientIP(c), RequestID: requestIDOf(c),
	})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, loginResponse{Token: sess.Token, ExpiresAt: sess.ExpiresAt.UTC().Format(time.RFC3339)})
	return nil
}

func bearerToken(c *gin.Context) (string, error) {
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		return "", fmt.Errorf("httpapi: no bearer token: %w", derrors.ErrUnauthenticated)
	}
	return token, nil
}

// authenticated runs h only for a caller with a live session.
func (s *Server) authenticated(h handlerFunc) gin.HandlerFunc {
	return s.handle(func(c *gin.Context) error {
		token, err := bearerToken(c)
		if err != nil {
			return err
		}
		p, err := s.opts.Auth.Authenticate(c, token)
		if err != nil {
			return err
		}
		c.Set(principalKey, p)
		return h(c)
	})
}

func principalOf(c *gin.Context) access.Principal {
	p, _ := c.Get(principalKey)
	principal, _ := p.(access.Principal)
	return principal
}

func (s *Server) logout(c *gin.Context) error {
	token, err := bearerToken(c)
	if err != nil {
		return err
	}
	if err := s.opts.Auth.Logout(c, token, principalOf(c), requestIDOf(c), clientIP(c)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) me(c *gin.Context) error {
	p := principalOf(c)
	out := meResponse{UserID: p.UserID.String(), Roles: []grantDTO{}}
	for _, g := range p.Grants {
		d := grantDTO{Role: string(g.Role)}
		if g.EmployerID != uuid.Nil {
			d.EmployerID = g.EmployerID.String()
		}
		out.Roles = append(out.Roles, d)
	}
	c.JSON(http.StatusOK, out)
	return nil
}
