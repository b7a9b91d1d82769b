package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
)

// scopeSetting is the transaction-local setting that the row-level security
// policies of tenant-owned hr tables read (see hr.scope_all and hr.scope_ids).
const scopeSetting = "arbokluis.employer_ids"

// scopeValue renders a scope for the policies: "*" for service-wide, an
// array literal of employer ids otherwise, "" (no tenant) for the empty
// scope.
func scopeValue(s access.Scope) string {
	if s.All {
		return "*"
	}
	if len(s.Employers) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range s.Employers {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	b.WriteByte('}')
	return b.String()
}

// InScope runs fn in a transaction on pool in which row-level security
// admits only the rows of the employers in scope: the setting is made with
// SET LOCAL semantics before fn runs, so it ends with the transaction and
// never leaks to the next user of the connection. Queries inside fn still
// name the scope themselves; the policy is the second line of defence.
func InScope(ctx context.Context, pool *pgxpool.Pool, scope access.Scope, fn func(pgx.Tx) error) error {
	return InTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config($1, $2, true)`, scopeSetting, scopeValue(scope)); err != nil {
			return Translate(err)
		}
		return fn(tx)
	})
}

// requireEmployer checks inside tx that employer employerID exists and lies
// in scope: named by it, or service-wide. Otherwise it returns
// derrors.ErrNotFound, for an employer outside the scope as for one that
// does not exist; a failing query is the translated error.
func requireEmployer(ctx context.Context, tx pgx.Tx, scope access.Scope, employerID uuid.UUID) error {
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM hr.employers WHERE id = $1 AND ($2 OR id = ANY ($3::uuid[])))`,
		employerID, scope.All, scope.Employers).Scan(&exists); err != nil {
		return Translate(err)
	}
	if !exists {
		return fmt.Errorf("postgres: employer %s: %w", employerID, derrors.ErrNotFound)
	}
	return nil
}
