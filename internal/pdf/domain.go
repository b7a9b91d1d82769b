package pdf

import (
	"fmt"
	"time"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/consent"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/rights"
)

// The documents the domain asks for, each rendered from the domain's own
// document type by the Renderer itself.
var (
	_ absence.PlanRenderer     = (*Renderer)(nil)
	_ rights.CopyRenderer      = (*Renderer)(nil)
	_ rights.StatementRenderer = (*Renderer)(nil)
	_ consent.Documents        = (*Renderer)(nil)
	_ identity.LetterRenderer  = (*Renderer)(nil)
)

// serviceName is the sender every document names.
const serviceName = "Arbokluis arbodienst"

// The Dutch names of the domain's kinds, as documents show them.
var (
	entryKindLabels = map[dossier.EntryKind]string{
		dossier.KindConsultation: "Consult", dossier.KindNote: "Aantekening", dossier.KindDiagnosis: "Diagnose",
		dossier.KindTreatingPhysicianInfo: "Informatie van de behandelaar", dossier.KindExamination: "Onderzoek",
		dossier.KindOwnStatement: "Eigen verklaring", dossier.KindWorkingNote: "Werkaantekening",
	}
	recipientLabels = map[consent.RecipientKind]string{
		consent.RecipientTreatingPhysician: "behandelend arts", consent.RecipientSpecialist: "medisch specialist",
		consent.RecipientUWV: "verzekeringsarts UWV", consent.RecipientOHS: "arbodienst",
	}
	purposeLabels = map[consent.Purpose]string{
		consent.PurposeTreatmentInformation: "feitelijke informatie over de behandeling",
		consent.PurposeReintegration:        "beoordeling van de re-integratie",
		consent.PurposeBenefit:              "beoordeling van een uitkeringsaanvraag",
		consent.PurposeSecondOpinion:        "second opinion",
		consent.PurposeTransfer:             "overdracht van het dossier",
	}
)

// entryKindLabel is the Dutch name of k; an unknown kind shows as itself.
func entryKindLabel(k dossier.EntryKind) string {
	if l := entryKindLabels[k]; l != "" {
		return l
	}
	return string(k)
}

// PlanOfAction renders the employer's copy of a plan of action with its
// evaluations. It never fails on text; its rare error names the document
// and carries none of the text.
func (r *Renderer) PlanOfAction(doc absence.PlanDocument) ([]byte, error) {
	in := PlanOfAction{
		ServiceName: serviceName, EmployerName: doc.EmployerName, EmployeeName: doc.EmployeeName,
		EmployeeNumber: doc.EmployeeNumber, FirstSickDay: doc.FirstSickDay, Version: doc.Plan.Version,
		Goals: doc.Plan.Goals, EmployerView: doc.Plan.EmployerView, EmployeeView: doc.Plan.EmployeeView,
		EmployerSignedOn: doc.Plan.EmployerSignedOn, EmployeeSignedOn: doc.Plan.EmployeeSignedOn, GeneratedAt: doc.GeneratedAt,
	}
	for _, a := range doc.Plan.Activities {
		in.Activities = append(in.Activities, Activity{Description: a.Description, Who: a.Who, ByWhen: a.ByWhen})
	}
	for _, e := range doc.Evaluations {
		in.Evaluations = append(in.Evaluations, Evaluation{Kind: string(e.Kind), Date: e.HeldOn, Summary: e.Summary,
			EmployerView: e.EmployerView, EmployeeView: e.EmployeeView})
	}
	return r.renderPlanOfAction(in)
}

// DossierCopy renders the employee's copy of a release. It never fails on
// text; its rare error names the document and carries none of the text.
func (r *Renderer) DossierCopy(doc rights.CopyDocument) ([]byte, error) {
	in := DossierCopy{ServiceName: serviceName, EmployeeName: doc.EmployeeName, DossierID: doc.DossierID.String(),
		RequestID: doc.RequestID.String(), ReleaseID: doc.ReleaseID.String(), ReleasedBy: doc.ReleasedBy,
		ReleasedAt: doc.ReleasedAt, Repeat: doc.Repeat, GeneratedAt: doc.GeneratedAt}
	for _, e := range doc.Entries {
		in.Entries = append(in.Entries, CopyEntry{Kind: entryKindLabel(e.Kind), Date: e.Date, Author: e.Author, Version: e.Version,
			Superseded: e.Superseded, ConcernsNo: e.ConcernsNo, Text: e.Text})
	}
	return r.renderDossierCopy(in)
}

// DestructionStatement renders the statement of a destruction. It never
// fails on text; its rare error names the document and carries none of the
// text.
func (r *Renderer) DestructionStatement(doc rights.StatementDocument) ([]byte, error) {
	d := doc.Destruction
	in := DestructionStatement{ServiceName: serviceName, EmployeeName: doc.EmployeeName,
		DossierID: d.DossierID.String(), RequestID: d.RequestID.String(), DestroyedAll: d.Scope == dossier.ScopeDossier,
		DecidedBy: doc.DecidedBy, DecidedAt: d.DecidedAt, CompletedAt: d.CompletedAt, Attachments: d.Counts.Attachments,
		Exposures: d.Counts.Exposures, BackupSafeAfter: d.BackupSafeAfter, BackupRetention: dutchDuration(doc.BackupRetention),
		GeneratedAt: doc.GeneratedAt}
	for _, k := range rights.SortedKinds(d.Counts) {
		in.Kinds = append(in.Kinds, KindCount{Kind: entryKindLabel(k), Count: d.Counts.Entries[k]})
	}
	return r.renderDestructionStatement(in)
}

// dutchDuration names a retention term in days, in Dutch.
func dutchDuration(d time.Duration) string {
	days := int(d.Hours() / 24)
	if days == 1 {
		return "1 dag"
	}
	return fmt.Sprintf("%d dagen", days)
}

// party names a consent's recipient with the kind of recipient.
func party(p consent.Party, kind consent.RecipientKind) string {
	return p.Name + ", " + p.Organisation + " (" + recipientLabels[kind] + ")"
}

// ConsentForm renders the form of a consent. It never fails on text; its
// rare error names the document and carries none of the text.
func (r *Renderer) ConsentForm(doc consent.FormDocument) ([]byte, error) {
	x := doc.Consent
	purpose := purposeLabels[x.Purpose]
	if x.PurposeText != "" {
		purpose += ": " + x.PurposeText
	}
	return r.renderConsentForm(ConsentForm{ServiceName: serviceName, ConsentID: x.ID.String(), Text: doc.Text,
		TextSHA256: consent.TextHash(doc.Text), EmployeeName: doc.Names.Employee, Physician: doc.Names.Physician,
		Recipient: party(x.Recipient, x.RecipientKind), Purpose: purpose, Scope: x.Scope.Describe(), ExpiresOn: x.ExpiresOn,
		GeneratedAt: doc.GeneratedAt})
}

// DisclosureExport renders the PDF export of a disclosure: exactly the
// entries in its scope. It never fails on text; its rare error names the
// document and carries none of the text.
func (r *Renderer) DisclosureExport(doc consent.ExportDocument) ([]byte, error) {
	x := doc.Disclosure
	basis := "toestemming van de werknemer (" + x.ConsentID.String() + ")"
	if x.Basis == consent.BasisLegalDuty {
		basis = "wettelijke plicht: " + x.LegalGround
	}
	in := Disclosure{ServiceName: serviceName, DisclosureID: x.ID.String(), EmployeeName: doc.EmployeeName,
		Requester: x.Requester.Name + ", " + x.Requester.Organisation, Task: x.Task, Recipient: recipientLabels[x.RecipientKind],
		Purpose: purposeLabels[x.Purpose], Basis: basis, Scope: x.Scope.Describe(), MedicalMotivation: x.MedicalMotivation,
		LabourMotivation: x.LabourMotivation, DecidedAt: x.DecidedAt, GeneratedAt: doc.GeneratedAt}
	for _, e := range doc.Entries {
		on := e.OccurredOn
		if on.IsZero() {
			on = e.CreatedAt
		}
		in.Entries = append(in.Entries, CopyEntry{Kind: entryKindLabel(e.Kind), Date: on, Version: e.Version, Text: e.Text})
	}
	return r.renderDisclosure(in)
}

// TransferSummary renders the summary page of a transfer package. It never
// fails on text; its rare error names the document and carries none of the
// text.
func (r *Renderer) TransferSummary(doc consent.TransferDocument) ([]byte, error) {
	t := doc.Transfer
	counts := map[dossier.EntryKind]int{}
	for _, e := range doc.Entries {
		counts[e.Kind]++
	}
	in := TransferSummary{ServiceName: serviceName, TransferID: t.ID.String(), EmployeeName: doc.EmployeeName,
		Recipient: t.Recipient.Name + ", " + t.Recipient.Organisation, ConsentID: t.ConsentID.String(), Attachments: doc.Attachments,
		GeneratedAt: doc.GeneratedAt}
	for _, k := range rights.SortedKinds(dossier.DestructionCounts{Entries: counts}) {
		in.Kinds = append(in.Kinds, KindCount{Kind: entryKindLabel(k), Count: counts[k]})
	}
	return r.renderTransferSummary(in)
}

// ActivationLetter renders the letter carrying an employee's activation
// code, to the name and address they gave staff. It never fails on text;
// its rare error names the document and carries none of the text.
func (r *Renderer) ActivationLetter(doc identity.LetterDocument) ([]byte, error) {
	return r.renderActivationLetter(ActivationLetter{ServiceName: serviceName, Name: doc.Name, Address: doc.Address,
		Code: doc.Code, ExpiresAt: doc.ExpiresAt, GeneratedAt: doc.GeneratedAt})
}
