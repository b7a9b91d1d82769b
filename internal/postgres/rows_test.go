package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestRowsAreReadByName: a store reads a row by its columns' names, so
// the order of the select list does not matter, and a column the row type
// does not name, or one it names that the query leaves out, is an error
// on the first read instead of a value in the wrong field.
func TestRowsAreReadByName(t *testing.T) {
	env := testenv.Load(t)
	owner := testenv.Pool(t, env.MigrateURL)
	ctx := context.Background()
	employee, author, entryID := uuid.New(), uuid.New(), uuid.New()
	var dossierID uuid.UUID
	if err := owner.QueryRow(ctx, `INSERT INTO medical.dossiers (employee_id, responsible_physician_id) VALUES ($1, $2) RETURNING id`,
		employee, author).Scan(&dossierID); err != nil {
		t.Fatalf("insert dossier: %v", err)
	}
	if _, err := owner.Exec(ctx, `INSERT INTO medical.entries (id, dossier_id, kind, author_id, created_at, version, ciphertext, key_version)
		VALUES ($1, $2, 'note', $3, now(), 1, 'vault:v1:x', 1)`, entryID, dossierID, author); err != nil {
		t.Fatalf("insert entry: %v", err)
	}
	const columns = `x.id, x.dossier_id, x.kind, x.author_id, x.on_behalf_of, x.occurred_on, x.created_at, x.supersedes,
		NULL::uuid AS superseded_by, x.version, x.ciphertext, x.key_version, x.concerns`
	tests := []struct {
		name    string
		columns string
		wantErr string // "" when the read succeeds
	}{
		{"the store's order", columns, ""},
		{"another order", `x.ciphertext, x.key_version, x.concerns, NULL::uuid AS superseded_by, x.version, x.supersedes,
			x.created_at, x.occurred_on, x.on_behalf_of, x.author_id, x.kind, x.dossier_id, x.id`, ""},
		{"a column too many", columns + `, x.kind AS kind_again`, "kind_again"},
		{"a column left out", strings.Replace(columns, ", x.concerns", "", 1), "concerns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, _ := owner.Query(ctx, `SELECT `+tt.columns+` FROM medical.entries x WHERE x.dossier_id = $1`, dossierID)
			got, err := postgres.CollectEntries(rows)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("CollectEntries(SELECT %s) = %v, %v; want an error naming %s", tt.name, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != 1 || got[0].ID != entryID || got[0].DossierID != dossierID || got[0].AuthorID != author ||
				got[0].Kind != "note" || got[0].Ciphertext != "vault:v1:x" || got[0].Version != 1 || got[0].KeyVersion != 1 {
				t.Errorf("CollectEntries(SELECT in %s) = %+v, %v; want entry %s of dossier %s by %s", tt.name, got, err, entryID, dossierID, author)
			}
		})
	}
}
