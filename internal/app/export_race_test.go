package app

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/consent"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/pdf"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// duringRender renders consent documents and runs meanwhile, when set,
// before an export is done: a change that happens while the file is made.
type duringRender struct {
	*pdf.Renderer
	meanwhile func()
}

func (d duringRender) DisclosureExport(doc consent.ExportDocument) ([]byte, error) {
	if d.meanwhile != nil {
		d.meanwhile()
	}
	return d.Renderer.DisclosureExport(doc)
}

// TestExportStopsAtARevocationWhileRendering: the consent behind a granted
// disclosure is checked again after the file is made, under the consent's
// lock; revoked while the export was rendered, the export is refused
// (consent_revoked) and no export is recorded.
func TestExportStopsAtARevocationWhileRendering(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	base := nowNL().AddDate(0, -2, 0)
	w.writeOn(t, "consultation", "Consult in de periode.", base.AddDate(0, 0, 20))
	id := w.prepareConsent(t, consentBody("specialist", "reintegration_assessment", []string{"consultation"}, base, base.AddDate(0, 0, 40)))
	w.signConsent(t, id)
	x := w.registerDisclosure(t, map[string]any{"requester": map[string]any{"name": "Dr. Bé Bakker", "organisation": "Ziekenhuis Rijnstate"},
		"task": "Revalidatiearts", "recipient_kind": "specialist", "purpose": "reintegration_assessment",
		"scope": map[string]any{"kinds": []string{"consultation"}, "from": base.Format(time.DateOnly), "to": base.AddDate(0, 0, 40).Format(time.DateOnly)},
		"basis": "consent", "consent_id": id})
	if r := w.grant(w.tokens["physician"], x); r.status != http.StatusOK {
		t.Fatalf("grant = %d %s", r.status, r.raw)
	}

	med, hr := testenv.Pool(t, w.s.env.MedURL), testenv.Pool(t, w.s.env.HRURL)
	vc, err := newVault(configFor(w.s.env))
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := pdf.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	docs := &duringRender{Renderer: renderer}
	entries := dossier.NewEntries(postgres.NewDossierStore(med), postgres.NewSubjectStore(hr), vc, nil)
	svc := newConsents(hr, med, vc, entries, dossier.NewAttachments(entries, postgres.NewDossierStore(med), vc, 1<<20), nil, nil, docs)
	physician := access.Actor{Principal: access.Principal{UserID: w.physician.userID,
		Grants: []access.Grant{{Role: access.RolePhysician}}, AssignedEmployers: []uuid.UUID{w.tenant}},
		Role: access.RolePhysician, Scope: access.Scope{Employers: []uuid.UUID{w.tenant}}}
	exports := func() int {
		return w.count(t, `SELECT (SELECT count(*) FROM audit.outbox WHERE object_kind = 'disclosure_export' AND object_id LIKE $1)
			+ (SELECT count(*) FROM audit.events WHERE object_kind = 'disclosure_export' AND object_id LIKE $1)`, x+"#%")
	}
	ctx := context.Background()

	// Unchanged while rendering, the export goes and is recorded.
	if b, err := svc.Export(ctx, physician, w.employee, uuid.MustParse(x), consent.FormatPDF); err != nil || len(b) == 0 {
		t.Fatalf("Export with the consent unchanged = %d bytes, %v; want the file", len(b), err)
	}
	if n := exports(); n != 1 {
		t.Fatalf("recorded exports after one export = %d, want 1", n)
	}

	docs.meanwhile = func() {
		if _, err := w.owner.Exec(ctx, `UPDATE medical.consents SET status = 'revoked', revoked_at = now(), revoked_by = $2 WHERE id = $1`,
			id, w.physician.userID); err != nil {
			t.Errorf("revoke while rendering: %v", err)
		}
	}
	b, err := svc.Export(ctx, physician, w.employee, uuid.MustParse(x), consent.FormatPDF)
	var ce *consent.ConsentError
	if !errors.Is(err, derrors.ErrRefused) || !errors.As(err, &ce) || ce.Reason != "consent_revoked" || b != nil {
		t.Errorf("Export with the consent revoked while rendering = %d bytes, %v; want nothing and consent_revoked", len(b), err)
	}
	if n := exports(); n != 1 {
		t.Errorf("recorded exports after the refused export = %d, want still 1", n)
	}
}
