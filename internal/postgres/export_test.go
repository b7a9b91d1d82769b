package postgres

import (
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/dossier"
)

// NewUnauditedEmployeeStore returns an EmployeeStore that writes no read
// events: auditing switched off, for the benchmark only.
func NewUnauditedEmployeeStore(pool *pgxpool.Pool) *EmployeeStore {
	return &EmployeeStore{pool: pool, unaudited: true}
}

// CollectEntries reads rows as the entry store reads medical.entries: by
// column name, into its row type.
func CollectEntries(rows pgx.Rows) ([]dossier.SealedEntry, error) { return collect[entryRow](rows) }
