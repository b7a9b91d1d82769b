package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// NewUnauditedEmployeeStore returns an EmployeeStore that writes no read
// events: auditing switched off, for the benchmark only.
func NewUnauditedEmployeeStore(pool *pgxpool.Pool) *EmployeeStore {
	return &EmployeeStore{pool: pool, unaudited: true}
}
