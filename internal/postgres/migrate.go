package postgres

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/golang-migrate/migrate/v4"
	// The pgx v5 database driver registers the "pgx5" scheme.
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

// Migrator applies the numbered migrations in a file system (normally
// migrations.FS) with the owner role.
type Migrator struct {
	m    *migrate.Migrate
	fsys fs.FS
}

// MigrationStatus is the state of a database's schema.
type MigrationStatus struct {
	Version   uint   // the last applied migration; 0 when none is applied
	Dirty     bool   // a migration failed halfway and needs attention
	Available []uint // every migration version in the source, ascending
}

// NewMigrator returns a Migrator for the database at databaseURL (a
// postgres:// URL of the owner role). The error never repeats the URL.
func NewMigrator(migrations fs.FS, databaseURL string) (*Migrator, error) {
	src, err := iofs.New(migrations, ".")
	if err != nil {
		return nil, fmt.Errorf("postgres: read migrations: %w", err)
	}
	u, err := url.Parse(databaseURL)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		return nil, errors.New("postgres: migrate: the database url is not a postgres:// URL")
	}
	u.Scheme = "pgx5"
	q := u.Query()
	q.Set("x-migrations-table", "schema_migrations")
	u.RawQuery = q.Encode()
	m, err := migrate.NewWithSourceInstance("iofs", src, u.String())
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: connect: %w", Translate(err))
	}
	return &Migrator{m: m, fsys: migrations}, nil
}

// Up applies every pending migration. Having nothing to apply is not an error.
func (mg *Migrator) Up() error {
	if err := mg.m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("postgres: migrate up: %w", err)
	}
	return nil
}

// Down reverts steps migrations (all of them when steps <= 0).
func (mg *Migrator) Down(steps int) error {
	var err error
	if steps <= 0 {
		err = mg.m.Down()
	} else {
		err = mg.m.Steps(-steps)
	}
	if err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("postgres: migrate down: %w", err)
	}
	return nil
}

// To migrates up or down to version exactly (a data migration's test sets
// up the data of the version before it). Being there already is not an
// error; a version that does not exist is.
func (mg *Migrator) To(version uint) error {
	if err := mg.m.Migrate(version); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("postgres: migrate to %d: %w", version, err)
	}
	return nil
}

// Status reports the applied version and the available migrations.
func (mg *Migrator) Status() (MigrationStatus, error) {
	var st MigrationStatus
	v, dirty, err := mg.m.Version()
	switch {
	case errors.Is(err, migrate.ErrNilVersion):
	case err != nil:
		return st, fmt.Errorf("postgres: migrate status: %w", err)
	default:
		st.Version, st.Dirty = v, dirty
	}
	names, err := fs.Glob(mg.fsys, "*.up.sql")
	if err != nil {
		return st, fmt.Errorf("postgres: list migrations: %w", err)
	}
	for _, name := range names {
		var n uint
		if _, err := fmt.Sscanf(name, "%d_", &n); err == nil {
			st.Available = append(st.Available, n)
		}
	}
	return st, nil
}

// Close releases the migrator's connection.
func (mg *Migrator) Close() error {
	srcErr, dbErr := mg.m.Close()
	return errors.Join(srcErr, dbErr)
}
