// Package consent is the employee's targeted consent to release medical
// data (seed 004 §7): consents the physician prepares and the employee
// signs, information requests to treating physicians under them,
// disclosures to third parties on a consent or a legal duty, and the
// transfer of the dossier to another occupational-health service.
//
// Everything here is part of the medical dossier. Who a consent names and
// why can be medical themselves, so those texts are stored as Vault
// ciphertext under the dossier's key; kinds, scopes, dates and states are
// plaintext.
package consent

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	txt "github.com/arbokluis/arbokluis/internal/text"
)

// RecipientKind is who receives medical data.
type RecipientKind string

// The recipients (seed 004 §7).
const (
	RecipientTreatingPhysician RecipientKind = "treating_physician"
	RecipientSpecialist        RecipientKind = "specialist"
	RecipientUWV               RecipientKind = "uwv_insurance_physician"
	RecipientOHS               RecipientKind = "occupational_health_service"
)

var recipientNames = map[RecipientKind]string{
	RecipientTreatingPhysician: "behandelend arts (huisarts)", RecipientSpecialist: "medisch specialist",
	RecipientUWV: "verzekeringsarts van UWV", RecipientOHS: "andere arbodienst",
}

// Valid reports whether k is a known recipient.
func (k RecipientKind) Valid() bool { _, ok := recipientNames[k]; return ok }

// Purpose is what data is released for.
type Purpose string

// The purposes.
const (
	PurposeTreatmentInformation Purpose = "treatment_information" // ask a treating physician for facts
	PurposeReintegration        Purpose = "reintegration_assessment"
	PurposeBenefit              Purpose = "benefit_assessment" // UWV: sickness benefit or WIA
	PurposeSecondOpinion        Purpose = "second_opinion"
	PurposeTransfer             Purpose = "dossier_transfer" // to another occupational-health service
)

var purposeNames = map[Purpose]string{
	PurposeTreatmentInformation: "het opvragen van feitelijke medische informatie over uw behandeling",
	PurposeReintegration:        "de beoordeling van uw re-integratie",
	PurposeBenefit:              "de beoordeling van uw aanvraag voor een uitkering (Ziektewet of WIA)",
	PurposeSecondOpinion:        "een second opinion door een andere bedrijfsarts",
	PurposeTransfer:             "de overdracht van uw medisch dossier aan een andere arbodienst",
}

// Valid reports whether p is a known purpose.
func (p Purpose) Valid() bool { _, ok := purposeNames[p]; return ok }

// KindLabels are the Dutch names of the entry kinds a consent may name
// (dossier.ReleasableKinds) in consent texts and exports.
var KindLabels = map[dossier.EntryKind]string{
	dossier.KindConsultation: "consulten", dossier.KindNote: "aantekeningen", dossier.KindDiagnosis: "diagnoses",
	dossier.KindTreatingPhysicianInfo: "informatie van behandelaars", dossier.KindExamination: "onderzoeken",
	dossier.KindOwnStatement: "eigen verklaringen",
}

// Scope is precisely which data: releasable entry kinds (never working
// notes, dossier.EntryKind.Releasable), and
// optionally the period their dates fall in (zero bounds are open).
type Scope struct {
	Kinds    []dossier.EntryKind
	From, To time.Time
}

// check adds the scope's problems to fe.
func (s Scope) check(fe derrors.FieldErrors) {
	if len(s.Kinds) == 0 {
		fe.Add("scope_kinds", "is required: the kinds of entries")
	}
	for _, k := range s.Kinds {
		if _, ok := KindLabels[k]; !ok || !k.Releasable() {
			fe.Add("scope_kinds", "must be entry kinds other than "+kindList(dossier.AuthorOnlyKinds()))
		}
	}
	if !s.From.IsZero() && !s.To.IsZero() && s.To.Before(s.From) {
		fe.Add("scope_to", "must not be before scope_from")
	}
}

// normal returns s with its kinds deduplicated in a fixed order.
func (s Scope) normal() Scope {
	out := s
	out.Kinds = nil
	for _, k := range dossier.EntryKinds {
		if slices.Contains(s.Kinds, k) {
			out.Kinds = append(out.Kinds, k)
		}
	}
	return out
}

// Covers reports whether everything o asks for lies within s: its kinds
// among s's, its period within s's.
func (s Scope) Covers(o Scope) bool {
	for _, k := range o.Kinds {
		if !slices.Contains(s.Kinds, k) {
			return false
		}
	}
	if !s.From.IsZero() && (o.From.IsZero() || o.From.Before(s.From)) {
		return false
	}
	if !s.To.IsZero() && (o.To.IsZero() || o.To.After(s.To)) {
		return false
	}
	return true
}

// Includes reports whether an entry of kind dated on falls within s. A kind
// that is not releasable (a working note) never does.
func (s Scope) Includes(kind dossier.EntryKind, on time.Time) bool {
	if !kind.Releasable() || !slices.Contains(s.Kinds, kind) {
		return false
	}
	day := time.Date(on.Year(), on.Month(), on.Day(), 0, 0, 0, 0, time.UTC)
	return (s.From.IsZero() || !day.Before(s.From)) && (s.To.IsZero() || !day.After(s.To))
}

// Describe renders s in Dutch.
func (s Scope) Describe() string {
	var kinds []string
	for _, k := range s.Kinds {
		kinds = append(kinds, KindLabels[k])
	}
	out := strings.Join(kinds, ", ")
	switch {
	case !s.From.IsZero() && !s.To.IsZero():
		out += fmt.Sprintf(" van %s tot en met %s", s.From.Format(time.DateOnly), s.To.Format(time.DateOnly))
	case !s.From.IsZero():
		out += " vanaf " + s.From.Format(time.DateOnly)
	case !s.To.IsZero():
		out += " tot en met " + s.To.Format(time.DateOnly)
	}
	return out
}

// Party is a named recipient or requester: a person and their organisation.
type Party struct {
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
}

// Same reports whether p and o name the same person and organisation,
// regardless of case and spacing.
func (p Party) Same(o Party) bool {
	norm := func(v string) string { return strings.ToLower(strings.Join(strings.Fields(v), " ")) }
	return norm(p.Name) == norm(o.Name) && norm(p.Organisation) == norm(o.Organisation)
}

// MaxText bounds the free texts (names, purposes, questions, motivations).
const MaxText = 4000

// text checks one free text field, required or not.
func text(fe derrors.FieldErrors, field, v string, required bool, max int) {
	switch {
	case strings.TrimSpace(v) == "" && required:
		fe.Add(field, "is required")
	case !utf8.ValidString(v) || utf8.RuneCountInString(v) > max:
		fe.Add(field, fmt.Sprintf("must be at most %d characters", max))
	case !txt.Valid(v, txt.Multiline):
		fe.Add(field, txt.ReasonControl)
	}
}

// Status is where a consent stands.
type Status string

// The statuses.
const (
	StatusPrepared Status = "prepared"
	StatusSigned   Status = "signed"
	StatusRevoked  Status = "revoked"
)

// Consent is a targeted consent of an employee, addressed to the company
// physician, to release data to one recipient for one purpose.
type Consent struct {
	ID            uuid.UUID
	DossierID     uuid.UUID
	EmployeeID    uuid.UUID
	RecipientKind RecipientKind
	Recipient     Party
	Purpose       Purpose
	PurposeText   string
	Scope         Scope
	ExpiresOn     time.Time
	PreparedBy    uuid.UUID
	OnBehalfOf    uuid.UUID
	PreparedAt    time.Time
	Status        Status
	SignedAt      time.Time
	SignedOn      time.Time
	SignedVia     string // portal or paper
	TextSHA256    string
	ScanID        uuid.UUID
	RevokedAt     time.Time
	RevokedBy     uuid.UUID
}

// wholeDossier reports whether c's scope takes every releasable kind
// (working notes never count) over all time.
func (c Consent) wholeDossier() bool {
	return len(c.Scope.Kinds) == len(dossier.ReleasableKinds()) && c.Scope.From.IsZero() && c.Scope.To.IsZero()
}

// kindList joins kinds with ", ".
func kindList(kinds []dossier.EntryKind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Valid reports whether c counts on today: signed, not revoked, not
// expired.
func (c Consent) Valid(today time.Time) bool {
	return c.Status == StatusSigned && !today.After(c.ExpiresOn)
}

// Covers reports whether c, on today, allows releasing scope to a recipient
// of kind for purpose; when not, it names why (no_valid_consent,
// consent_revoked, consent_expired, consent_not_signed,
// consent_other_recipient, consent_other_purpose, scope_exceeds_consent).
func (c Consent) Covers(kind RecipientKind, purpose Purpose, scope Scope, today time.Time) (bool, string) {
	switch {
	case c.ID == uuid.Nil:
		return false, "no_valid_consent"
	case c.Status == StatusRevoked:
		return false, "consent_revoked"
	case c.Status != StatusSigned:
		return false, "consent_not_signed"
	case today.After(c.ExpiresOn):
		return false, "consent_expired"
	case c.RecipientKind != kind:
		return false, "consent_other_recipient"
	case c.Purpose != purpose:
		return false, "consent_other_purpose"
	case !c.Scope.Covers(scope):
		return false, "scope_exceeds_consent"
	}
	return true, ""
}

// Names are the people a consent text names.
type Names struct {
	Employee  string
	Physician string // the physician the consent is addressed to
}

// Text is the exact text of consent c that the employee reads and signs;
// its SHA-256 is what a signature binds to.
func (c Consent) Text(n Names) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Toestemming voor het verstrekken van medische gegevens (kenmerk %s)\n\n", c.ID)
	fmt.Fprintf(&b, "Aan: %s, bedrijfsarts van Arbokluis arbodienst\n\n", n.Physician)
	fmt.Fprintf(&b, "Ik, %s, geef toestemming om de volgende gegevens uit mijn medisch dossier te verstrekken.\n\n", n.Employee)
	fmt.Fprintf(&b, "Ontvanger: %s, %s (%s)\n", c.Recipient.Name, c.Recipient.Organisation, recipientNames[c.RecipientKind])
	fmt.Fprintf(&b, "Doel: %s", purposeNames[c.Purpose])
	if c.PurposeText != "" {
		fmt.Fprintf(&b, ": %s", c.PurposeText)
	}
	fmt.Fprintf(&b, "\nGegevens: %s\n", c.Scope.Describe())
	fmt.Fprintf(&b, "Geldig tot en met: %s\n\n", c.ExpiresOn.Format(time.DateOnly))
	b.WriteString("Alleen deze gegevens, alleen aan deze ontvanger en alleen voor dit doel. ")
	b.WriteString("Ik kan deze toestemming op elk moment intrekken; daarna wordt niets meer verstrekt. ")
	b.WriteString("Werkaantekeningen van de bedrijfsarts worden nooit verstrekt.\n")
	return b.String()
}

// TextHash returns the hex SHA-256 of text.
func TextHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// NewConsent is what the physician prepares.
type NewConsent struct {
	RecipientKind RecipientKind
	Recipient     Party
	Purpose       Purpose
	PurposeText   string
	Scope         Scope
	ExpiresOn     time.Time
}

// MaxConsentMonths bounds how long a consent may run: "recently dated"
// consent is renewed, never open-ended.
const MaxConsentMonths = 12

func (n NewConsent) check(today time.Time) error {
	fe := derrors.FieldErrors{}
	if !n.RecipientKind.Valid() {
		fe.Add("recipient_kind", "must be treating_physician, specialist, uwv_insurance_physician or occupational_health_service")
	}
	if !n.Purpose.Valid() {
		fe.Add("purpose", "must be treatment_information, reintegration_assessment, benefit_assessment, second_opinion or dossier_transfer")
	}
	text(fe, "recipient_name", n.Recipient.Name, true, 200)
	text(fe, "recipient_organisation", n.Recipient.Organisation, true, 200)
	text(fe, "purpose_text", n.PurposeText, false, MaxText)
	n.Scope.check(fe)
	switch {
	case n.ExpiresOn.IsZero():
		fe.Add("expires_on", "is required")
	case !n.ExpiresOn.After(today):
		fe.Add("expires_on", "must be after today")
	case n.ExpiresOn.After(today.AddDate(0, MaxConsentMonths, 0)):
		fe.Add("expires_on", fmt.Sprintf("must be within %d months", MaxConsentMonths))
	}
	return fe.Err()
}
