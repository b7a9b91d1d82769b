// Package postgres is the PostgreSQL adapter: connection pools per database
// role, transactions, migrations, and the translation of PostgreSQL errors
// into the domain's errors by SQLSTATE and constraint name.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// Open returns a pool for url with at most maxConns connections and checks
// that the database answers. A database that cannot be reached is
// derrors.ErrUnavailable; an invalid url is derrors.ErrInvalid. Errors never
// repeat the url, which holds a password.
func Open(ctx context.Context, url string, maxConns int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse database url: %w", derrors.ErrInvalid)
	}
	cfg.MaxConns = maxConns
	cfg.ConnConfig.RuntimeParams["application_name"] = "arbokluis"
	// Timestamps leave the database in UTC; "today" is computed in Go.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		registerUUID(c.TypeMap())
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open pool: %w", derrors.ErrInvalid)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: ping %s as %s: %w", cfg.ConnConfig.Database, cfg.ConnConfig.User, Translate(err))
	}
	return pool, nil
}

// Ping checks that pool can run a query; it returns derrors.ErrUnavailable
// when it cannot.
func Ping(ctx context.Context, pool *pgxpool.Pool) error {
	var one int
	if err := pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return Translate(err)
	}
	return nil
}

// InTx runs fn in a transaction on pool, committing when fn returns nil and
// rolling back otherwise. The error of fn is returned as it is; failures of
// begin and commit are translated.
func InTx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return Translate(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return Translate(err)
	}
	return nil
}

// ConstraintError is a violated database constraint, translated. Services map
// Constraint to a field or a conflict message. It unwraps to Kind.
type ConstraintError struct {
	Kind       error  // derrors.ErrConflict or derrors.ErrInvalid
	SQLState   string // e.g. 23505
	Table      string
	Constraint string
}

func (e *ConstraintError) Error() string {
	return fmt.Sprintf("postgres: %v: constraint %s on %s (SQLSTATE %s)", e.Kind, e.Constraint, e.Table, e.SQLState)
}

// Unwrap returns the domain error.
func (e *ConstraintError) Unwrap() error { return e.Kind }

// Translate turns an error from pgx into one that wraps a domain error where
// one applies, decided by SQLSTATE, never by message text:
//   - no rows: derrors.ErrNotFound
//   - unique or exclusion violation, serialization failure, deadlock: ErrConflict
//   - check, not-null, foreign-key violation and malformed values: ErrInvalid
//   - connection failures, shutdowns, too many connections: ErrUnavailable
//
// Anything else becomes an error naming only the SQLSTATE. The message and
// detail of a PostgreSQL error may contain row values (personal data), so they
// are never carried along.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return derrors.ErrNotFound
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("postgres: %w: %w", derrors.ErrUnavailable, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return translateSQLState(pgErr)
	}
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return fmt.Errorf("postgres: connection: %w", derrors.ErrUnavailable)
	}
	// pgx's own errors (scan, encode) carry no row values.
	return fmt.Errorf("postgres: %w", err)
}

func translateSQLState(e *pgconn.PgError) error {
	constraint := func(kind error) error {
		return &ConstraintError{Kind: kind, SQLState: e.Code, Table: e.TableName, Constraint: e.ConstraintName}
	}
	switch e.Code {
	case "23505", "23P01": // unique_violation, exclusion_violation
		return constraint(derrors.ErrConflict)
	case "23514", "23502", "23503": // check, not_null, foreign_key
		return constraint(derrors.ErrInvalid)
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return fmt.Errorf("postgres: SQLSTATE %s: %w", e.Code, derrors.ErrConflict)
	case "53300", "57P01", "57P02", "57P03", "57014": // too_many_connections, shutdowns, cannot_connect_now, query_canceled
		return fmt.Errorf("postgres: SQLSTATE %s: %w", e.Code, derrors.ErrUnavailable)
	}
	switch e.Code[:2] {
	case "08": // connection exception
		return fmt.Errorf("postgres: SQLSTATE %s: %w", e.Code, derrors.ErrUnavailable)
	case "22": // data exception: malformed or out-of-range value
		return fmt.Errorf("postgres: SQLSTATE %s: %w", e.Code, derrors.ErrInvalid)
	}
	return fmt.Errorf("postgres: SQLSTATE %s", e.Code)
}
