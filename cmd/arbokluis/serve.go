package main

import (
	"context"

	"errors"
	"fmt"
	"github.com/google/uuid"
	"log/slog"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/authz"
	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/consent"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/employee"
	"github.com/arbokluis/arbokluis/internal/employer"
	"github.com/arbokluis/arbokluis/internal/fitness"
	"github.com/arbokluis/arbokluis/internal/httpapi"
	"github.com/arbokluis/arbokluis/internal/identity"
	"github.com/arbokluis/arbokluis/internal/notify"
	"github.com/arbokluis/arbokluis/internal/pdf"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/rights"
	"github.com/arbokluis/arbokluis/internal/smtp"
	"github.com/arbokluis/arbokluis/internal/vault"
	"github.com/arbokluis/arbokluis/policies"
)

// vaultRenewEvery is how often serve renews the application token.
const vaultRenewEvery = time.Hour

// destructionResumeEvery is how often serve finishes destructions that
// stopped halfway (Vault down, a crash).
const destructionResumeEvery = time.Minute

// resumeDestructions finishes unfinished destructions now and then every
// interval until ctx ends. Failures are logged by id and retried.
func resumeDestructions(ctx context.Context, d *rights.Destructions, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := d.Resume(ctx); err != nil && ctx.Err() == nil {
			log.Warn("destructions not finished yet; retrying", "finished", n, "error", err.Error())
		} else if n > 0 {
			log.Info("finished destructions that had stopped", "finished", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pingKey is the transit key the readiness check reads.
const pingKey = "pii"

// app is the wired server and what must be closed after it.
type app struct {
	server   *httpapi.Server
	ids      *identity.Service
	appender *audit.Appender
	vault    *vault.Client
	pools    []*pgxpool.Pool
	// destructions finishes destructions that stopped halfway.
	destructions *rights.Destructions
	// shredder holds the destruction token (nil: none configured).
	shredder *vault.Client
}

func (a *app) close() {
	for _, p := range a.pools {
		p.Close()
	}
}

// newApp opens the three pools and the Vault client and wires the HTTP
// server. It fails when a database cannot be reached; a Vault that is down
// at start only makes the server not ready.
func newApp(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	if err := cfg.Require(config.EnvHRDatabaseURL, config.EnvMedDatabaseURL, config.EnvAuditDatabaseURL,
		config.EnvVaultAddr, config.EnvVaultToken); err != nil {
		return nil, err
	}
	a := &app{}
	open := func(name, url string) (*pgxpool.Pool, error) {
		p, err := postgres.Open(ctx, url, cfg.DBMaxConns)
		if err != nil {
			a.close()
			return nil, fmt.Errorf("%s pool: %w", name, err)
		}
		a.pools = append(a.pools, p)
		return p, nil
	}
	hr, err := open("hr", cfg.HRDatabaseURL)
	if err != nil {
		return nil, err
	}
	med, err := open("med", cfg.MedDatabaseURL)
	if err != nil {
		return nil, err
	}
	auditPool, err := open("audit", cfg.AuditDatabaseURL)
	if err != nil {
		return nil, err
	}
	vc, err := newVault(cfg)
	if err != nil {
		a.close()
		return nil, err
	}
	store := postgres.NewIdentityStore(hr)
	ids, err := identity.NewService(store, vc, identity.Options{})
	if err != nil {
		a.close()
		return nil, err
	}
	var mailer identity.Mailer // nil: invitations answer 503
	if cfg.SMTPAddr != "" {
		m, err := smtp.New(smtp.Config{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword})
		if err != nil {
			a.close()
			return nil, err
		}
		mailer = m
	}
	if err := vc.Check(ctx, pingKey); err != nil {
		log.Warn("vault is not usable yet; the server starts not ready", "error", err.Error())
	}

	enforcer, err := authz.New(policies.CasbinModel, policies.CasbinPolicy)
	if err != nil {
		a.close()
		return nil, err
	}

	auditStore := postgres.NewAuditStore(auditPool)
	a.vault = vc
	a.appender = audit.NewAppender(auditStore, checkpointSigner{vc}, log, audit.AppenderOptions{
		CheckpointEvery: cfg.AuditCheckpointEvery, PublicKeyFile: cfg.AuditPublicKeyFile,
	})

	renderer, err := pdf.NewRenderer()
	if err != nil {
		a.close()
		return nil, err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	entries := dossier.NewEntries(postgres.NewDossierStore(med), postgres.NewSubjectStore(hr), entryCipher{vc}, nil)
	employees := employee.NewService(postgres.NewEmployeeStore(hr), bsnSealer{vc}, nil)
	fit := fitness.NewService(postgres.NewFitnessStore(hr), nil)
	absences := absence.NewService(postgres.NewAbsenceStore(hr), planRenderer{renderer}, cfg.Absence, nil)
	requests := rights.NewRequests(postgres.NewRequestStore(hr), rights.RequestOptions{
		Statements: statementWriter{entries, postgres.NewDossierStore(med)}, Entries: postgres.NewDossierStore(med),
		DestructionTargetMonths: int(cfg.DestructionTargetMonths), DestructionLimitMonths: int(cfg.DestructionLimitMonths)})
	shredder, err := newDestructionVault(cfg)
	if err != nil {
		a.close()
		return nil, err
	}
	if shredder == nil {
		log.Warn("no destruction token configured (ARBOKLUIS_VAULT_DESTRUCTION_TOKEN): granting a destruction answers 503")
	}
	a.shredder = shredder
	a.destructions = newDestructions(cfg, hr, med, vc, shredder, renderer, dossier.DestroyerOptions{})
	attachments := dossier.NewAttachments(entries, postgres.NewDossierStore(med), vc, int(cfg.MaxAttachmentBytes))
	dossiers := dossier.NewService(postgres.NewDossierStore(med), vc, cfg.EmergencyAccessTTL, nil)
	srv, err := httpapi.New(httpapi.Options{
		Logger:         log,
		Registry:       reg,
		MaxBodyBytes:   cfg.MaxBodyBytes,
		TrustedProxies: cfg.TrustedProxies,
		ReadyTimeout:   cfg.ReadyTimeout,
		Auth:           ids,
		Grants:         identity.NewGrantService(store, nil),
		Invitations: identity.NewInvitations(identity.InvitationOptions{Store: store, Resets: store, Mailer: mailer,
			PublicURL: cfg.PublicURL, Identities: ids, Codes: vc, Letters: letterRenderer{renderer}, ActivationTTL: cfg.ActivationTTL}),
		Inbox:       notify.NewService(store),
		Authz:       enforcer,
		Employers:   employer.NewService(postgres.NewEmployerStore(hr)),
		Employees:   employees,
		Delegations: identity.NewDelegations(store, nil),
		Dossiers:    dossiers,
		Fitness:     fit,
		Entries:     entries,
		Attachments: attachments,
		Exposures:   dossier.NewExposures(entries, postgres.NewDossierStore(med)),
		Absences:    absences,
		AuditLog:    audit.NewLog(auditStore, postgres.NewRecorder(hr)),
		Requests:    requests,
		Exporter: rights.NewExporter(postgres.NewRequestStore(hr), employees, absences, fit, requests,
			postgres.NewRecorder(hr), nil),
		Records: rights.NewRecords(postgres.NewRequestStore(hr),
			rights.Retention{EmployeeYears: int(cfg.RetentionEmployeeYears), CaseYears: int(cfg.RetentionCaseYears)}, nil),
		Rectifier:    rights.NewRectifier(postgres.NewRequestStore(hr), employees, nil),
		Destructions: a.destructions,
		Consents: newConsents(hr, med, vc, entries, attachments,
			disposer{dossiers: dossiers, destructions: a.destructions}, consentDocuments{renderer}),
		Releases: rights.NewReleases(postgres.NewRequestStore(hr), postgres.NewReleaseStore(med), entryCipher{vc},
			postgres.NewDirectory(hr), copyRenderer{renderer}, nil),
		AccessLog: rights.NewAccessLog(auditStore, postgres.NewRecorder(hr), postgres.NewRequestStore(hr), postgres.NewDirectory(hr)),
		Recorder:  postgres.NewRecorder(hr),
		ListReads: httpapi.RateLimit{PerMinute: int(cfg.ListReadsPerMinute), Burst: int(cfg.ListReadBurst)},
		Now:       cfg.Clock,
		ReadyChecks: []httpapi.Check{
			{Name: "postgres_hr", Probe: func(ctx context.Context) error { return postgres.Ping(ctx, hr) }},
			{Name: "postgres_med", Probe: func(ctx context.Context) error { return postgres.Ping(ctx, med) }},
			{Name: "postgres_audit", Probe: func(ctx context.Context) error { return postgres.Ping(ctx, auditPool) }},
			{Name: "audit_outbox", Probe: func(ctx context.Context) error {
				return backlog(ctx, auditStore, cfg.AuditBacklogMaxAge)
			}},
			{Name: "vault", Probe: func(ctx context.Context) error { return vc.Check(ctx, pingKey) }},
		},
	})
	if err != nil {
		a.close()
		return nil, err
	}
	a.server, a.ids = srv, ids
	return a, nil
}

// bsnKey is the service-wide Vault transit key for BSNs.
const bsnKey = "pii"

// bsnAD binds BSN ciphertexts to their use, so that no other pii
// ciphertext decrypts as a BSN.
var bsnAD = []byte("employee-bsn")

// entryCipher adapts the Vault client to dossier.EntryCipher.
type entryCipher struct{ *vault.Client }

func (c entryCipher) DecryptBatch(ctx context.Context, key string, items []dossier.Sealed) ([][]byte, error) {
	return c.Client.DecryptBatch(ctx, key, batchItems(items))
}

// bsnSealer adapts the Vault client to employee.Sealer.
type bsnSealer struct{ vc *vault.Client }

func (s bsnSealer) SealBSN(ctx context.Context, bsn string) (employee.SealedBSN, error) {
	ct, err := s.vc.Encrypt(ctx, bsnKey, []byte(bsn), bsnAD)
	if err != nil {
		return employee.SealedBSN{}, err
	}
	h, err := s.vc.HMAC(ctx, bsnKey, []byte(bsn))
	if err != nil {
		return employee.SealedBSN{}, err
	}
	return employee.SealedBSN{Ciphertext: ct, Hash: h}, nil
}

func (s bsnSealer) OpenBSN(ctx context.Context, sealed employee.SealedBSN) (string, error) {
	b, err := s.vc.Decrypt(ctx, bsnKey, sealed.Ciphertext, bsnAD)
	return string(b), err
}

// planRenderer adapts the PDF renderer to absence.PlanRenderer.
type planRenderer struct{ r *pdf.Renderer }

func (p planRenderer) PlanOfAction(doc absence.PlanDocument) ([]byte, error) {
	in := pdf.PlanOfAction{
		ServiceName: "Arbokluis arbodienst", EmployerName: doc.EmployerName, EmployeeName: doc.EmployeeName,
		EmployeeNumber: doc.EmployeeNumber, FirstSickDay: doc.FirstSickDay, Version: doc.Plan.Version,
		Goals: doc.Plan.Goals, EmployerView: doc.Plan.EmployerView, EmployeeView: doc.Plan.EmployeeView,
		EmployerSignedOn: doc.Plan.EmployerSignedOn, EmployeeSignedOn: doc.Plan.EmployeeSignedOn, GeneratedAt: doc.GeneratedAt,
	}
	for _, a := range doc.Plan.Activities {
		in.Activities = append(in.Activities, pdf.Activity{Description: a.Description, Who: a.Who, ByWhen: a.ByWhen})
	}
	for _, e := range doc.Evaluations {
		in.Evaluations = append(in.Evaluations, pdf.Evaluation{Kind: string(e.Kind), Date: e.HeldOn, Summary: e.Summary,
			EmployerView: e.EmployerView, EmployeeView: e.EmployeeView})
	}
	return p.r.PlanOfAction(in)
}

// letterRenderer adapts the PDF renderer to identity.LetterRenderer.
type letterRenderer struct{ r *pdf.Renderer }

func (l letterRenderer) ActivationLetter(doc identity.LetterDocument) ([]byte, error) {
	return l.r.ActivationLetter(pdf.ActivationLetter{ServiceName: "Arbokluis arbodienst", Name: doc.Name, Address: doc.Address,
		Code: doc.Code, ExpiresAt: doc.ExpiresAt, GeneratedAt: doc.GeneratedAt})
}

// statementWriter adds own statements through the entries service and the
// dossier store, for rights.Requests.
type statementWriter struct {
	entries *dossier.Entries
	store   dossier.StatementStore
}

func (w statementWriter) AddStatement(ctx context.Context, st dossier.Statement, ev audit.Event) (dossier.Entry, error) {
	return w.entries.AddStatement(ctx, w.store, st, ev)
}

// copyRenderer adapts the PDF renderer to rights.CopyRenderer.
type copyRenderer struct{ r *pdf.Renderer }

// entryKindLabels are the Dutch names of entry kinds in a copy.
var entryKindLabels = map[dossier.EntryKind]string{
	dossier.KindConsultation: "Consult", dossier.KindNote: "Aantekening", dossier.KindDiagnosis: "Diagnose",
	dossier.KindTreatingPhysicianInfo: "Informatie van de behandelaar", dossier.KindExamination: "Onderzoek",
	dossier.KindOwnStatement: "Eigen verklaring", dossier.KindWorkingNote: "Werkaantekening",
}

func (c copyRenderer) DossierCopy(doc rights.CopyDocument) ([]byte, error) {
	in := pdf.DossierCopy{ServiceName: "Arbokluis arbodienst", EmployeeName: doc.EmployeeName, DossierID: doc.DossierID.String(),
		RequestID: doc.RequestID.String(), ReleaseID: doc.ReleaseID.String(), ReleasedBy: doc.ReleasedBy,
		ReleasedAt: doc.ReleasedAt, Repeat: doc.Repeat, GeneratedAt: doc.GeneratedAt}
	for _, e := range doc.Entries {
		label := entryKindLabels[e.Kind]
		if label == "" {
			label = string(e.Kind)
		}
		in.Entries = append(in.Entries, pdf.CopyEntry{Kind: label, Date: e.Date, Author: e.Author, Version: e.Version,
			Superseded: e.Superseded, ConcernsNo: e.ConcernsNo, Text: e.Text})
	}
	return c.r.DossierCopy(in)
}

// newDestructionVault returns the Vault client with the destruction token,
// or nil when none is configured (destruction then answers 503).
func newDestructionVault(cfg config.Config) (*vault.Client, error) {
	if cfg.VaultDestructionToken == "" {
		return nil, nil
	}
	return vault.New(vault.Config{
		Addr: cfg.VaultAddr, Token: cfg.VaultDestructionToken, Mount: cfg.VaultTransitMount,
		Timeout: cfg.VaultTimeout, MaxRetries: 2,
	})
}

// newDestructions wires destruction on request: the runner on the med pool
// with both Vault clients, and the register side on the hr pool.
func newDestructions(cfg config.Config, hr, med *pgxpool.Pool, app, shredder *vault.Client, renderer *pdf.Renderer, o dossier.DestroyerOptions) *rights.Destructions {
	o.BackupRetention = cfg.VaultBackupRetention
	store := postgres.NewDossierStore(med)
	return rights.NewDestructions(rights.DestructionsOptions{
		Requests:  postgres.NewRequestStore(hr),
		Destroyer: dossier.NewDestroyer(store, destructionKeys{app: app, shredder: shredder}, o),
		Records:   store, Sealer: app, People: postgres.NewDirectory(hr),
		Render: statementRenderer{renderer}, Recorder: postgres.NewRecorder(hr), BackupRetention: cfg.VaultBackupRetention,
	})
}

// destructionKeys adapts the two Vault clients to dossier.DestructionKeys:
// the application token for everything but the deletion of a key, which
// only the destruction token may do.
type destructionKeys struct {
	app, shredder *vault.Client
}

func (k destructionKeys) CanDelete(ctx context.Context) error {
	if k.shredder == nil {
		return fmt.Errorf("vault: no destruction token configured (%s): %w", "ARBOKLUIS_VAULT_DESTRUCTION_TOKEN", derrors.ErrUnavailable)
	}
	if err := k.shredder.LookupSelf(ctx); err != nil {
		// A token Vault refuses is a deployment fault; it makes destruction
		// unavailable, never a half-begun job.
		if errors.Is(err, derrors.ErrUnavailable) {
			return err
		}
		return fmt.Errorf("vault: the destruction token is not valid (%v): %w", err, derrors.ErrUnavailable)
	}
	return nil
}

func (k destructionKeys) KeyExists(ctx context.Context, name string) (bool, error) {
	return k.app.KeyExists(ctx, name)
}

func (k destructionKeys) DeleteKey(ctx context.Context, name string) error {
	if k.shredder == nil {
		return fmt.Errorf("vault: no destruction token configured (%s): %w", "ARBOKLUIS_VAULT_DESTRUCTION_TOKEN", derrors.ErrUnavailable)
	}
	return k.shredder.DeleteKey(ctx, name)
}

func (k destructionKeys) CreateKey(ctx context.Context, name string) error {
	return k.app.CreateKey(ctx, name)
}

func (k destructionKeys) DecryptBatch(ctx context.Context, key string, items []dossier.Sealed) ([][]byte, error) {
	return k.app.DecryptBatch(ctx, key, batchItems(items))
}

func (k destructionKeys) EncryptBatch(ctx context.Context, key string, items []dossier.Plain) ([]string, error) {
	in := make([]vault.BatchEncryptItem, len(items))
	for i, x := range items {
		in[i] = vault.BatchEncryptItem{Plaintext: x.Plaintext, AssociatedData: x.AssociatedData}
	}
	return k.app.EncryptBatch(ctx, key, in)
}

// statementRenderer adapts the PDF renderer to rights.StatementRenderer.
type statementRenderer struct{ r *pdf.Renderer }

func (sr statementRenderer) DestructionStatement(doc rights.StatementDocument) ([]byte, error) {
	d := doc.Destruction
	in := pdf.DestructionStatement{ServiceName: "Arbokluis arbodienst", EmployeeName: doc.EmployeeName,
		DossierID: d.DossierID.String(), RequestID: d.RequestID.String(), DestroyedAll: d.Scope == dossier.ScopeDossier,
		DecidedBy: doc.DecidedBy, DecidedAt: d.DecidedAt, CompletedAt: d.CompletedAt, Attachments: d.Counts.Attachments,
		Exposures: d.Counts.Exposures, BackupSafeAfter: d.BackupSafeAfter, BackupRetention: dutchDuration(doc.BackupRetention),
		GeneratedAt: doc.GeneratedAt}
	for _, k := range rights.SortedKinds(d.Counts) {
		label := entryKindLabels[k]
		if label == "" {
			label = string(k)
		}
		in.Kinds = append(in.Kinds, pdf.KindCount{Kind: label, Count: d.Counts.Entries[k]})
	}
	return sr.r.DestructionStatement(in)
}

// dutchDuration names a retention term in days, in Dutch.
func dutchDuration(d time.Duration) string {
	days := int(d.Hours() / 24)
	if days == 1 {
		return "1 dag"
	}
	return fmt.Sprintf("%d dagen", days)
}

// consentPeople adapts the register and the directory to consent.Subjects
// and consent.People.
type consentPeople struct {
	requests *postgres.RequestStore
	people   *postgres.Directory
}

func (p consentPeople) EmployeeOf(ctx context.Context, userID uuid.UUID) (uuid.UUID, error) {
	s, err := p.requests.SubjectOf(ctx, userID)
	return s.EmployeeID, err
}

func (p consentPeople) EmployeeName(ctx context.Context, employeeID uuid.UUID) (string, error) {
	return p.people.EmployeeName(ctx, employeeID)
}

func (p consentPeople) UserName(ctx context.Context, userID uuid.UUID) (string, error) {
	m, err := p.people.People(ctx, []uuid.UUID{userID})
	if err != nil {
		return "", err
	}
	return m[userID].Name, nil
}

// disposer closes or destroys a dossier after its transfer.
type disposer struct {
	dossiers     *dossier.Service
	destructions *rights.Destructions
}

func (d disposer) Close(ctx context.Context, a identity.Actor, employeeID uuid.UUID) error {
	return d.dossiers.Close(ctx, a, employeeID)
}

func (d disposer) Destroy(ctx context.Context, a identity.Actor, employeeID, ref uuid.UUID) error {
	return d.destructions.DestroyAfterTransfer(ctx, a, employeeID, ref)
}

// consentDocuments adapts the PDF renderer to consent.Documents.
type consentDocuments struct{ r *pdf.Renderer }

// recipientLabels and purposeLabels are the Dutch names in documents.
var (
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

func party(p consent.Party, kind consent.RecipientKind) string {
	return p.Name + ", " + p.Organisation + " (" + recipientLabels[kind] + ")"
}

func (c consentDocuments) ConsentForm(doc consent.FormDocument) ([]byte, error) {
	x := doc.Consent
	purpose := purposeLabels[x.Purpose]
	if x.PurposeText != "" {
		purpose += ": " + x.PurposeText
	}
	return c.r.ConsentForm(pdf.ConsentForm{ServiceName: "Arbokluis arbodienst", ConsentID: x.ID.String(), Text: doc.Text,
		TextSHA256: consent.TextHash(doc.Text), EmployeeName: doc.Names.Employee, Physician: doc.Names.Physician,
		Recipient: party(x.Recipient, x.RecipientKind), Purpose: purpose, Scope: x.Scope.Describe(), ExpiresOn: x.ExpiresOn,
		GeneratedAt: doc.GeneratedAt})
}

func (c consentDocuments) DisclosureExport(doc consent.ExportDocument) ([]byte, error) {
	x := doc.Disclosure
	basis := "toestemming van de werknemer (" + x.ConsentID.String() + ")"
	if x.Basis == consent.BasisLegalDuty {
		basis = "wettelijke plicht: " + x.LegalGround
	}
	in := pdf.Disclosure{ServiceName: "Arbokluis arbodienst", DisclosureID: x.ID.String(), EmployeeName: doc.EmployeeName,
		Requester: x.Requester.Name + ", " + x.Requester.Organisation, Task: x.Task, Recipient: recipientLabels[x.RecipientKind],
		Purpose: purposeLabels[x.Purpose], Basis: basis, Scope: x.Scope.Describe(), MedicalMotivation: x.MedicalMotivation,
		LabourMotivation: x.LabourMotivation, DecidedAt: x.DecidedAt, GeneratedAt: doc.GeneratedAt}
	for _, e := range doc.Entries {
		on := e.OccurredOn
		if on.IsZero() {
			on = e.CreatedAt
		}
		in.Entries = append(in.Entries, pdf.CopyEntry{Kind: entryKindLabels[e.Kind], Date: on, Version: e.Version, Text: e.Text})
	}
	return c.r.Disclosure(in)
}

func (c consentDocuments) TransferSummary(doc consent.TransferDocument) ([]byte, error) {
	t := doc.Transfer
	counts := map[dossier.EntryKind]int{}
	for _, e := range doc.Entries {
		counts[e.Kind]++
	}
	in := pdf.TransferSummary{ServiceName: "Arbokluis arbodienst", TransferID: t.ID.String(), EmployeeName: doc.EmployeeName,
		Recipient: t.Recipient.Name + ", " + t.Recipient.Organisation, ConsentID: t.ConsentID.String(), Attachments: doc.Attachments,
		GeneratedAt: doc.GeneratedAt}
	for _, k := range rights.SortedKinds(dossier.DestructionCounts{Entries: counts}) {
		in.Kinds = append(in.Kinds, pdf.KindCount{Kind: entryKindLabels[k], Count: counts[k]})
	}
	return c.r.TransferSummary(in)
}

// checkpointSigner adapts the Vault client to audit.Signer.
type checkpointSigner struct{ vc *vault.Client }

func (s checkpointSigner) SignCheckpoint(ctx context.Context, msg []byte) (string, error) {
	return s.vc.SignCheckpoint(ctx, msg)
}

func (s checkpointSigner) CheckpointPublicKeys(ctx context.Context) (map[string]string, error) {
	return s.vc.CheckpointPublicKeys(ctx)
}

func (s checkpointSigner) VerifyCheckpoint(ctx context.Context, msg []byte, sig string) (bool, error) {
	return s.vc.VerifyCheckpoint(ctx, msg, sig)
}

// backlog fails when the oldest event waiting in the audit outbox is older
// than maxAge: the appender is not keeping up, or not running anywhere.
func backlog(ctx context.Context, store *postgres.AuditStore, maxAge time.Duration) error {
	oldest, err := store.OldestPending(ctx)
	if err != nil {
		return err
	}
	if !oldest.IsZero() && time.Since(oldest) > maxAge {
		return fmt.Errorf("audit outbox backlog older than %s", maxAge)
	}
	return nil
}

// newVault returns the application's Vault client.
// newConsents wires the consent service over the stores and Vault.
func newConsents(hr, med *pgxpool.Pool, vc *vault.Client, entries *dossier.Entries, attachments *dossier.Attachments,
	disposer consent.Disposer, docs consent.Documents) *consent.Service {
	people := consentPeople{postgres.NewRequestStore(hr), postgres.NewDirectory(hr)}
	return consent.NewService(consent.Options{
		Store: postgres.NewConsentStore(med), Dossiers: entries, Cipher: entryCipher{vc},
		Subjects: people, People: people, Attachments: attachments, Lister: postgres.NewConsentStore(med),
		Disposer: disposer, Documents: docs,
	})
}

func newVault(cfg config.Config) (*vault.Client, error) {
	return vault.New(vault.Config{
		Addr: cfg.VaultAddr, Token: cfg.VaultToken, Mount: cfg.VaultTransitMount,
		Timeout: cfg.VaultTimeout, MaxRetries: 2,
	})
}

// serve runs the HTTP server until ctx ends, then drains.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	// The Vault tokens are periodic: renewed well within their period.
	renewCtx, stopRenewal := context.WithCancel(ctx)
	defer stopRenewal()
	go a.vault.KeepRenewed(renewCtx, vaultRenewEvery, func(err error) {
		log.Warn("vault token renewal failed", "error", err.Error())
	})
	if a.shredder != nil {
		go a.shredder.KeepRenewed(renewCtx, vaultRenewEvery, func(err error) {
			log.Warn("vault destruction token renewal failed", "error", err.Error())
		})
	}
	go resumeDestructions(renewCtx, a.destructions, destructionResumeEvery, log)
	appenderCtx, stopAppender := context.WithCancel(context.WithoutCancel(ctx))
	appenderDone := make(chan struct{})
	go func() {
		defer close(appenderDone)
		a.appender.Run(appenderCtx)
	}()
	defer func() {
		// After the drain: the last requests' events are appended first.
		stopAppender()
		<-appenderDone
		if err := a.appender.Drain(context.Background()); err != nil {
			log.Warn("final audit append failed; the events stay in the outbox", "error", err.Error())
		}
	}()
	log.Info("serving", "addr", ln.Addr().String(), "version", version())
	err = httpapi.Serve(ctx, ln, a.server.Handler(), httpapi.Timeouts{
		ReadHeader: cfg.ReadHeaderTimeout, Read: cfg.ReadTimeout, Write: cfg.WriteTimeout,
		Idle: cfg.IdleTimeout, Shutdown: cfg.ShutdownTimeout,
	}, log)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("stopped")
	return nil
}
