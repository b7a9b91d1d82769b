package app

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/consent"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestLinkedWritesAreAllOrNothing: a paper form's scan and its signature,
// and an information request's answer entry and its record on the
// request, are stored together or not at all, over the real store. A
// change refused under the record's lock, or a dossier that changed since
// the write was sealed, leaves neither behind.
func TestLinkedWritesAreAllOrNothing(t *testing.T) {
	t.Parallel()
	w := newDossierWorld(t)
	w.writeOn(t, "note", "Aantekening.", nowNL().AddDate(0, 0, -3))
	store := postgres.NewConsentStore(testenv.Pool(t, w.s.env.MedURL))
	dossiers := postgres.NewDossierStore(testenv.Pool(t, w.s.env.MedURL))
	ctx := context.Background()
	d, _, err := dossiers.Lookup(ctx, w.employee, w.physician.userID)
	if err != nil {
		t.Fatal(err)
	}
	stale := d
	stale.KeyName = "dossier-" + d.ID.String() + "-g9"
	ev := audit.Event{ActorUserID: w.physician.userID, ActorRole: "physician", SubjectEmployeeID: w.employee,
		Action: audit.ActionCreate, ObjectKind: "test", Outcome: audit.OutcomeOK}
	refuse := errors.New("refused under the lock")
	now := time.Now().UTC().Truncate(time.Microsecond)

	cases := []struct {
		name    string
		expect  dossier.Dossier
		refused bool
		want    error
	}{
		{"the change is refused", d, true, refuse},
		{"the dossier changed since sealing", stale, false, derrors.ErrConflict},
	}
	consentID := uuid.MustParse(w.prepareConsent(t, consentBody("treating_physician", "treatment_information", []string{"consultation"}, time.Time{}, time.Time{})))
	for _, tc := range cases {
		t.Run("paper/"+tc.name, func(t *testing.T) {
			scan := dossier.PendingAttachment{Dossier: tc.expect, Event: ev, Attachment: dossier.SealedAttachment{
				Attachment: dossier.Attachment{ID: uuid.New(), DossierID: d.ID, ContentType: "application/pdf", Size: 3,
					AuthorID: w.physician.userID, CreatedAt: now},
				WrappedKey: "vault:v1:AAAA", Nonce: make([]byte, 12), Sealed: []byte("xyz")}}
			_, err := store.SignOnPaper(ctx, w.employee, w.physician.userID, consentID, scan,
				func(_ dossier.Dossier, _ time.Time, c *consent.Consent) (audit.Event, error) {
					if tc.refused {
						return audit.Event{}, refuse
					}
					c.Status, c.SignedAt, c.SignedOn, c.SignedVia, c.ScanID = consent.StatusSigned, now, now, "paper", scan.Attachment.ID
					return ev, nil
				})
			if !errors.Is(err, tc.want) {
				t.Fatalf("SignOnPaper(%s) = %v, want %v", tc.name, err, tc.want)
			}
			if n := w.count(t, `SELECT count(*) FROM medical.attachments WHERE id = $1`, scan.Attachment.ID); n != 0 {
				t.Errorf("SignOnPaper(%s) left the scan behind", tc.name)
			}
			if n := w.count(t, `SELECT count(*) FROM medical.consents WHERE id = $1 AND status = 'prepared'`, consentID); n != 1 {
				t.Errorf("SignOnPaper(%s) changed the consent", tc.name)
			}
		})
	}

	w.signConsent(t, consentID.String())
	req := w.s.do("POST", w.dossierPath("information-requests"), w.tokens["assistant"],
		map[string]any{"consent_id": consentID.String(), "question": "Welke behandeling loopt er?"})
	if req.status != http.StatusCreated {
		t.Fatalf("ask under the consent = %d %s", req.status, req.raw)
	}
	requestID := uuid.MustParse(req.body["id"].(string))
	for _, tc := range cases {
		t.Run("answer/"+tc.name, func(t *testing.T) {
			id := uuid.New()
			answer := dossier.PendingEntry{Dossier: tc.expect, Event: ev, Entry: dossier.SealedEntry{
				Entry: dossier.Entry{ID: id, DossierID: d.ID, Kind: dossier.KindTreatingPhysicianInfo, AuthorID: w.physician.userID,
					CreatedAt: now, Version: 1},
				Ciphertext: "vault:v1:AAAA", KeyVersion: 1}}
			_, err := store.AnswerInformationRequest(ctx, w.employee, w.physician.userID, requestID, answer,
				func(_ dossier.Dossier, _ time.Time, r *consent.InformationRequest) (audit.Event, error) {
					if tc.refused {
						return audit.Event{}, refuse
					}
					r.AnswerEntry, r.AnsweredAt = id, now
					return ev, nil
				})
			if !errors.Is(err, tc.want) {
				t.Fatalf("AnswerInformationRequest(%s) = %v, want %v", tc.name, err, tc.want)
			}
			if n := w.count(t, `SELECT count(*) FROM medical.entries WHERE id = $1`, id); n != 0 {
				t.Errorf("AnswerInformationRequest(%s) left the entry behind", tc.name)
			}
			if n := w.count(t, `SELECT count(*) FROM medical.information_requests WHERE id = $1 AND answer_entry_id IS NULL`, requestID); n != 1 {
				t.Errorf("AnswerInformationRequest(%s) changed the request", tc.name)
			}
		})
	}
}
