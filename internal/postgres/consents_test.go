package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/audit"
	"github.com/arbokluis/arbokluis/internal/consent"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// consentWorld is a dossier with one consent, information request,
// disclosure and transfer, and an empty dossier, written as the owner.
type consentWorld struct {
	full, empty                                    uuid.UUID // employee ids
	consentID, requestID, disclosureID, transferID uuid.UUID
}

func newConsentWorld(t *testing.T, owner *pgxpool.Pool) consentWorld {
	t.Helper()
	ctx := context.Background()
	w := consentWorld{full: uuid.New(), empty: uuid.New(), consentID: uuid.New(), requestID: uuid.New(),
		disclosureID: uuid.New(), transferID: uuid.New()}
	physician := uuid.New()
	var dossierID uuid.UUID
	if err := owner.QueryRow(ctx, `INSERT INTO medical.dossiers (employee_id, responsible_physician_id) VALUES ($1, $2) RETURNING id`,
		w.full, physician).Scan(&dossierID); err != nil {
		t.Fatalf("insert dossier: %v", err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO medical.dossiers (employee_id, responsible_physician_id) VALUES ($1, $2)`, []any{w.empty, physician}},
		{`INSERT INTO medical.consents (id, dossier_id, employee_id, recipient_kind, purpose, scope_kinds, expires_on, sealed,
			prepared_by, prepared_at) VALUES ($1, $2, $3, 'occupational_health_service', 'dossier_transfer', '{note}',
			current_date + 30, 'vault:v1:x', $4, now())`, []any{w.consentID, dossierID, w.full, physician}},
		{`INSERT INTO medical.information_requests (id, dossier_id, consent_id, sealed, asked_by, asked_at)
			VALUES ($1, $2, $3, 'vault:v1:x', $4, now())`, []any{w.requestID, dossierID, w.consentID, physician}},
		{`INSERT INTO medical.disclosures (id, dossier_id, employee_id, recipient_kind, purpose, scope_kinds, basis, sealed,
			registered_by, registered_at) VALUES ($1, $2, $3, 'uwv_insurance_physician', 'benefit_assessment', '{note}',
			'legal_duty', 'vault:v1:x', $4, now())`, []any{w.disclosureID, dossierID, w.full, physician}},
		{`INSERT INTO medical.transfers (id, dossier_id, consent_id, sealed, prepared_by, prepared_at)
			VALUES ($1, $2, $3, 'vault:v1:x', $4, now())`, []any{w.transferID, dossierID, w.consentID, physician}},
	} {
		if _, err := owner.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("fixture: %v", err)
		}
	}
	return w
}

// eventsOf counts the audit events, appended or not, of request id.
func eventsOf(t *testing.T, owner *pgxpool.Pool, requestID string) int {
	t.Helper()
	var n int
	if err := owner.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM audit.outbox WHERE request_id = $1)
		+ (SELECT count(*) FROM audit.events WHERE request_id = $1)`, requestID).Scan(&n); err != nil {
		t.Fatalf("count events: %v", err)
	}
	return n
}

// TestConsentStoreOneIsNeverAny: reading or changing one consent,
// information request, disclosure or transfer by an id the dossier does
// not have — an unknown id, or uuid.Nil — is derrors.ErrNotFound with no
// event stored, in a dossier with records and in an empty one; the real
// id reads that record, and reading all reads every one.
func TestConsentStoreOneIsNeverAny(t *testing.T) {
	env := testenv.Load(t)
	owner := testenv.Pool(t, env.MigrateURL)
	store := postgres.NewConsentStore(testenv.Pool(t, env.MedURL))
	w := newConsentWorld(t, owner)
	ctx := context.Background()
	caller := uuid.New()

	// read returns the id of the record one read, or an error.
	type read func(employeeID, id uuid.UUID, authorize dossier.Authorize) (uuid.UUID, error)
	// readAll returns the ids of every record.
	type readAll func(employeeID uuid.UUID, authorize dossier.Authorize) ([]uuid.UUID, error)
	kinds := []struct {
		name string
		real uuid.UUID
		one  read
		all  readAll
	}{
		{"Consent", w.consentID,
			func(e, id uuid.UUID, au dossier.Authorize) (uuid.UUID, error) {
				_, r, err := store.Consent(ctx, e, caller, id, au)
				return r.Record.ID, err
			},
			func(e uuid.UUID, au dossier.Authorize) ([]uuid.UUID, error) {
				_, rs, err := store.Consents(ctx, e, caller, au)
				return ids(rs, func(r consent.Sealed[consent.Consent]) uuid.UUID { return r.Record.ID }), err
			}},
		{"InformationRequest", w.requestID,
			func(e, id uuid.UUID, au dossier.Authorize) (uuid.UUID, error) {
				_, r, err := store.InformationRequest(ctx, e, caller, id, au)
				return r.Record.ID, err
			},
			func(e uuid.UUID, au dossier.Authorize) ([]uuid.UUID, error) {
				_, rs, err := store.InformationRequests(ctx, e, caller, au)
				return ids(rs, func(r consent.Sealed[consent.InformationRequest]) uuid.UUID { return r.Record.ID }), err
			}},
		{"Disclosure", w.disclosureID,
			func(e, id uuid.UUID, au dossier.Authorize) (uuid.UUID, error) {
				_, r, err := store.Disclosure(ctx, e, caller, id, au)
				return r.Record.ID, err
			},
			func(e uuid.UUID, au dossier.Authorize) ([]uuid.UUID, error) {
				_, rs, err := store.Disclosures(ctx, e, caller, au)
				return ids(rs, func(r consent.Sealed[consent.Disclosure]) uuid.UUID { return r.Record.ID }), err
			}},
		{"Transfer", w.transferID,
			func(e, id uuid.UUID, au dossier.Authorize) (uuid.UUID, error) {
				_, r, err := store.Transfer(ctx, e, caller, id, au)
				return r.Record.ID, err
			},
			func(e uuid.UUID, au dossier.Authorize) ([]uuid.UUID, error) {
				_, rs, err := store.Transfers(ctx, e, caller, au)
				return ids(rs, func(r consent.Sealed[consent.Transfer]) uuid.UUID { return r.Record.ID }), err
			}},
	}
	// authorize allows the read and returns an event of request rid.
	authorize := func(rid string) dossier.Authorize {
		return func(d dossier.Dossier, _ time.Time) (audit.Event, error) {
			return audit.Event{ActorUserID: caller, ActorRole: "physician", SubjectEmployeeID: d.EmployeeID, Action: audit.ActionRead,
				ObjectKind: "test", ObjectID: d.ID.String(), Outcome: audit.OutcomeOK, RequestID: rid}, nil
		}
	}
	for _, k := range kinds {
		for _, tc := range []struct {
			dossier string
			emp     uuid.UUID
			id      uuid.UUID
			idName  string
		}{
			{"with records", w.full, uuid.Nil, "the nil id"},
			{"with records", w.full, uuid.New(), "an unknown id"},
			{"empty", w.empty, uuid.Nil, "the nil id"},
			{"empty", w.empty, uuid.New(), "an unknown id"},
			{"empty", w.empty, k.real, "another dossier's id"},
		} {
			t.Run(k.name+"/"+tc.dossier+"/"+tc.idName, func(t *testing.T) {
				rid := "nilid-" + uuid.NewString()
				got, err := k.one(tc.emp, tc.id, authorize(rid))
				if !errors.Is(err, derrors.ErrNotFound) {
					t.Errorf("%s(dossier %s, %s) = %v, %v; want derrors.ErrNotFound", k.name, tc.dossier, tc.idName, got, err)
				}
				if n := eventsOf(t, owner, rid); n != 0 {
					t.Errorf("%s(dossier %s, %s) stored %d events, want none", k.name, tc.dossier, tc.idName, n)
				}
			})
		}
		t.Run(k.name+"/the real id", func(t *testing.T) {
			rid := "nilid-" + uuid.NewString()
			got, err := k.one(w.full, k.real, authorize(rid))
			if err != nil || got != k.real {
				t.Errorf("%s(real id %s) = %s, %v; want that record", k.name, k.real, got, err)
			}
			if n := eventsOf(t, owner, rid); n != 1 {
				t.Errorf("%s(real id) stored %d events, want 1", k.name, n)
			}
		})
		t.Run(k.name+"/all", func(t *testing.T) {
			got, err := k.all(w.full, authorize("nilid-"+uuid.NewString()))
			if err != nil || len(got) != 1 || got[0] != k.real {
				t.Errorf("%ss(dossier with records) = %v, %v; want [%s]", k.name, got, err, k.real)
			}
			got, err = k.all(w.empty, authorize("nilid-"+uuid.NewString()))
			if err != nil || len(got) != 0 {
				t.Errorf("%ss(empty dossier) = %v, %v; want none", k.name, got, err)
			}
		})
	}

	// Changes of one record: the nil id and an unknown id change nothing
	// and never reach the change function.
	for _, id := range []uuid.UUID{uuid.Nil, uuid.New()} {
		called := false
		consentChange := func(dossier.Dossier, time.Time, *consent.Consent) (audit.Event, error) {
			called = true
			return audit.Event{}, errors.New("must not be called")
		}
		changes := map[string]func() error{
			"UpdateConsent": func() error { _, err := store.UpdateConsent(ctx, w.full, caller, id, consentChange); return err },
			"UnderConsent":  func() error { return store.UnderConsent(ctx, w.full, caller, id, consentChange) },
			"UpdateDisclosure": func() error {
				_, err := store.UpdateDisclosure(ctx, w.full, caller, id, func(dossier.Dossier, time.Time, *consent.Disclosure) (audit.Event, error) {
					called = true
					return audit.Event{}, errors.New("must not be called")
				})
				return err
			},
			"UpdateTransfer": func() error {
				_, err := store.UpdateTransfer(ctx, w.full, caller, id, func(dossier.Dossier, time.Time, *consent.Transfer) (audit.Event, error) {
					called = true
					return audit.Event{}, errors.New("must not be called")
				})
				return err
			},
		}
		for name, change := range changes {
			called = false
			if err := change(); !errors.Is(err, derrors.ErrNotFound) || called {
				t.Errorf("%s(id %s) = %v (change called: %v), want derrors.ErrNotFound without calling the change", name, id, err, called)
			}
		}
	}
}

func ids[T any](rs []T, id func(T) uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, len(rs))
	for i, r := range rs {
		out[i] = id(r)
	}
	return out
}
