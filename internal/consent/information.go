package consent

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// InformationRequest is the physician's request to a treating physician
// for factual information, under a consent; the answer is filed as a
// treating_physician_info entry.
type InformationRequest struct {
	ID          uuid.UUID
	DossierID   uuid.UUID
	ConsentID   uuid.UUID
	Question    string
	AskedBy     uuid.UUID
	OnBehalfOf  uuid.UUID
	AskedAt     time.Time
	AnswerEntry uuid.UUID
	AnsweredAt  time.Time
}

type questionSecret struct {
	Question string `json:"question"`
}

// informationRequests is how information requests are sealed.
var informationRequests = sealedJSON(dossier.CiphertextInformationRequest, func(r InformationRequest) uuid.UUID { return r.ID },
	func(r *InformationRequest, sec questionSecret) { r.Question = sec.Question })

// askable is what a consent must allow for an information request: a
// treating physician or specialist, for treatment information.
func askable(c Consent, today time.Time) (bool, string) {
	if c.RecipientKind != RecipientTreatingPhysician && c.RecipientKind != RecipientSpecialist {
		return false, "consent_other_recipient"
	}
	// The request asks within the consent's own scope; what is filed from
	// the answer is the treating physician's, not a release of the dossier.
	return c.Covers(c.RecipientKind, PurposeTreatmentInformation, c.Scope, today)
}

// ConsentError is a step the employee's consent does not allow: no valid
// consent, or one that does not cover what is asked. It unwraps to
// derrors.ErrRefused (422) and names the reason.
type ConsentError struct{ Reason string }

func (e *ConsentError) Error() string { return "consent: not allowed by the consent: " + e.Reason }

// Unwrap returns derrors.ErrRefused.
func (e *ConsentError) Unwrap() error { return derrors.ErrRefused }

// RefusalGround names the reason for the caller.
func (e *ConsentError) RefusalGround() string { return e.Reason }

// Ask records the physician's request for factual information to the
// treating physician or specialist that consent consentID names, with the
// question asked; it is allowed only under a valid consent for treatment
// information (a *ConsentError otherwise). By the physician in the
// dossier's care or an assistant for them. Bad input is
// derrors.FieldErrors; a consent of another dossier derrors.ErrNotFound.
func (s *Service) Ask(ctx context.Context, a access.Actor, employeeID, consentID uuid.UUID, question string) (InformationRequest, error) {
	fe := derrors.FieldErrors{}
	text(fe, "question", question, true, MaxText)
	if err := fe.Err(); err != nil {
		return InformationRequest{}, err
	}
	_, c, err := s.get(ctx, a, employeeID, consentID, audit.ActionRead)
	if err != nil {
		return InformationRequest{}, fmt.Errorf("consent: ask: %w", err)
	}
	if ok, why := askable(c, s.today()); !ok {
		return InformationRequest{}, &ConsentError{Reason: why}
	}
	r, err := create(ctx, s, a, employeeID, dossier.CiphertextInformationRequest, "information_request",
		func(d dossier.Dossier, acc access.DossierAccess) (InformationRequest, uuid.UUID, any, error) {
			r := InformationRequest{ID: uuid.New(), DossierID: d.ID, ConsentID: c.ID, Question: question, AskedBy: a.UserID(),
				OnBehalfOf: acc.OnBehalfOf, AskedAt: s.now().UTC().Truncate(time.Microsecond)}
			return r, r.ID, questionSecret{Question: question}, nil
		}, s.store.InsertInformationRequest)
	if err != nil {
		return InformationRequest{}, fmt.Errorf("consent: ask: %w", err)
	}
	return r, nil
}

// InformationRequests lists the information requests of employeeID's
// dossier with their questions, for those in its care, audited as a read.
func (s *Service) InformationRequests(ctx context.Context, a access.Actor, employeeID uuid.UUID) ([]InformationRequest, error) {
	return list(ctx, s, informationRequests, s.store.InformationRequests, a, employeeID,
		s.inCareList(a, audit.ActionRead, "information_requests"), "information requests")
}

// Answer files the treating physician's answer to request id as a
// treating_physician_info entry of the dossier and records it on the
// request, both in one transaction: a request answered meanwhile leaves no
// entry behind. A request answered already is derrors.ErrConflict; the
// errors of dossier.Entries.Create apply.
func (s *Service) Answer(ctx context.Context, a access.Actor, employeeID, id uuid.UUID, answer string, occurredOn time.Time) (InformationRequest, dossier.Entry, error) {
	d, r, err := s.store.InformationRequest(ctx, employeeID, a.UserID(), id, s.inCare(a, audit.ActionRead, "information_request", id))
	if err != nil {
		return InformationRequest{}, dossier.Entry{}, fmt.Errorf("consent: answer: %w", err)
	}
	if !r.Record.AnsweredAt.IsZero() {
		return InformationRequest{}, dossier.Entry{}, fmt.Errorf("consent: answered already: %w", derrors.ErrConflict)
	}
	p, err := s.dossiers.Seal(ctx, a, employeeID, dossier.NewEntry{Kind: dossier.KindTreatingPhysicianInfo, Text: answer, OccurredOn: occurredOn})
	if err != nil {
		return InformationRequest{}, dossier.Entry{}, fmt.Errorf("consent: answer: %w", err)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	out, err := s.store.AnswerInformationRequest(ctx, employeeID, a.UserID(), id, p, func(d dossier.Dossier, until time.Time, r *InformationRequest) (audit.Event, error) {
		acc, err := a.Dossier(d.ResponsiblePhysicianID, until, s.now())
		if err != nil {
			return audit.Event{}, err
		}
		if !r.AnsweredAt.IsZero() {
			return audit.Event{}, fmt.Errorf("consent: answered already: %w", derrors.ErrConflict)
		}
		r.AnswerEntry, r.AnsweredAt = p.Entry.ID, now
		return event(a, acc.OnBehalfOf, audit.ActionUpdate, d, "information_request", r.ID), nil
	})
	if err != nil {
		return InformationRequest{}, dossier.Entry{}, fmt.Errorf("consent: answer: %w", err)
	}
	if q, err := informationRequests.openOne(ctx, s.cipher, d, r); err == nil {
		out.Question = q.Question
	}
	return out, p.Entry.Entry, nil
}
