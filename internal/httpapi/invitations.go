package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/notify"
)

// Invitations is what the HTTP layer needs of the invitation service.
type Invitations interface {
	Invite(ctx context.Context, actor access.Principal, req identity.InvitationRequest, requestID string) (identity.Invited, error)
	IssueLetter(ctx context.Context, actor access.Principal, req identity.LetterRequest, requestID string) ([]byte, error)
	Accept(ctx context.Context, token, password, code, requestID string) (identity.Enrolment, error)
	RequestPasswordReset(ctx context.Context, email, requestID string) error
	ResetPassword(ctx context.Context, token, password, requestID string) error
}

// Inbox lists a user's notifications.
type Inbox interface {
	Inbox(ctx context.Context, userID uuid.UUID) ([]notify.Notification, error)
}

// invitationRequest is the body of POST /api/v1/invitations.
type invitationRequest struct {
	Email      string `json:"email"`
	Name       string `json:"name"`
	Role       string `json:"role"`
	EmployerID string `json:"employer_id"`
	// EmployeeID links an employee invitation to the employee record.
	EmployeeID string `json:"employee_id"`
	// Activation says how an employee invitation's activation code
	// reaches the employee: in_person or letter.
	Activation string `json:"activation"`
}

// invitationResponse tells the inviter who was invited; the link goes to
// the invitee's address only. ActivationCode is present once, for an
// employee invitation whose code is handed over in person.
type invitationResponse struct {
	UserID         string `json:"user_id"`
	InvitationID   string `json:"invitation_id"`
	ExpiresAt      string `json:"expires_at"`
	Activation     string `json:"activation,omitempty"`
	ActivationCode string `json:"activation_code,omitempty"`
}

// letterRequest is the body of POST /api/v1/invitations/{id}/letter: the
// name and postal address the employee gave the staff member.
type letterRequest struct {
	Name    string   `json:"name"`
	Address []string `json:"address"`
}

// acceptRequest is the body of POST /api/v1/auth/password-reset/complete.
type acceptRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// acceptInvitationRequest is the body of POST /api/v1/invitations/accept;
// an employee login needs its activation code as well.
type acceptInvitationRequest struct {
	Token          string `json:"token"`
	Password       string `json:"password"`
	ActivationCode string `json:"activation_code"`
}

// acceptResponse is shown to the invitee once: the TOTP secret to enrol.
type acceptResponse struct {
	UserID        string   `json:"user_id"`
	TOTPSecret    string   `json:"totp_secret"`
	TOTPURI       string   `json:"otpauth_uri"`
	RecoveryCodes []string `json:"recovery_codes"`
}

// resetRequest is the body of POST /api/v1/auth/password-reset.
type resetRequest struct {
	Email string `json:"email"`
}

// notificationDTO is one inbox item.
type notificationDTO struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
	Read      bool   `json:"read"`
}

type notificationsResponse struct {
	Notifications []notificationDTO `json:"notifications"`
}

func (s *Server) invite(c *gin.Context) error {
	var in invitationRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	var employerID uuid.UUID
	if in.EmployerID != "" {
		id, ok := parseID(in.EmployerID)
		if !ok {
			return derrors.FieldErrors{"employer_id": "must be a uuid"}
		}
		employerID = id
	}
	var employeeID uuid.UUID
	if in.EmployeeID != "" {
		id, ok := parseID(in.EmployeeID)
		if !ok {
			return derrors.FieldErrors{"employee_id": "must be a uuid"}
		}
		employeeID = id
	}
	inv, err := s.opts.Invitations.Invite(c, principalOf(c), identity.InvitationRequest{
		Email: in.Email, DisplayName: in.Name, Role: access.Role(in.Role), EmployerID: employerID, EmployeeID: employeeID,
		Activation: identity.Activation(in.Activation),
	}, requestIDOf(c))
	if err != nil {
		return err
	}
	// The activation code is shown once: nothing may keep a copy.
	c.JSON(http.StatusAccepted, invitationResponse{UserID: inv.UserID.String(), InvitationID: inv.InvitationID.String(),
		ExpiresAt: inv.ExpiresAt.UTC().Format(time.RFC3339), Activation: string(inv.Activation), ActivationCode: inv.ActivationCode})
	return nil
}

// activationLetter answers the activation letter of an employee invitation
// once, to the staff member who issued it.
func (s *Server) activationLetter(c *gin.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in letterRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	b, err := s.opts.Invitations.IssueLetter(c, principalOf(c), identity.LetterRequest{InvitationID: id, Name: in.Name,
		Address: in.Address}, requestIDOf(c))
	if err != nil {
		return err
	}
	return download(c, "activeringsbrief.pdf", "application/pdf", b)
}

func (s *Server) acceptInvitation(c *gin.Context) error {
	var in acceptInvitationRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	enr, err := s.opts.Invitations.Accept(c, in.Token, in.Password, in.ActivationCode, requestIDOf(c))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, acceptResponse{UserID: enr.UserID.String(), TOTPSecret: enr.TOTPSecret, TOTPURI: enr.TOTPURI,
		RecoveryCodes: enr.RecoveryCodes})
	return nil
}

// requestPasswordReset answers 202 whether or not the address has an
// account.
func (s *Server) requestPasswordReset(c *gin.Context) error {
	var in resetRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	if in.Email == "" || len(in.Email) > 254 {
		return derrors.FieldErrors{"email": "is required"}
	}
	if err := s.opts.Invitations.RequestPasswordReset(c, in.Email, requestIDOf(c)); err != nil {
		return err
	}
	c.Status(http.StatusAccepted)
	return nil
}

func (s *Server) completePasswordReset(c *gin.Context) error {
	var in acceptRequest
	if err := decodeJSON(c.Request, &in); err != nil {
		return err
	}
	if err := s.opts.Invitations.ResetPassword(c, in.Token, in.Password, requestIDOf(c)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) notifications(c *gin.Context) error {
	list, err := s.opts.Inbox.Inbox(c, principalOf(c).UserID)
	if err != nil {
		return err
	}
	out := notificationsResponse{Notifications: make([]notificationDTO, len(list))}
	for i, n := range list {
		out.Notifications[i] = notificationDTO{ID: n.ID.String(), Kind: n.Kind, Subject: n.Subject, Body: n.Body,
			CreatedAt: n.CreatedAt.UTC().Format(time.RFC3339), Read: n.Read}
	}
	c.JSON(http.StatusOK, out)
	return nil
}
