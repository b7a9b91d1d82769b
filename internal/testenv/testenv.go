// Package testenv gives integration tests the real PostgreSQL and Vault that
// `make deps` starts, with isolated state per test.
//
// Settings come from the process environment (make test loads .local/env) or,
// when absent, from .local/env at the module root. When the dependencies are
// missing a test fails — it is skipped only under `go test -short`, never in
// CI (CI=true), so a broken environment cannot pass as green.
package testenv

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/migrations"
)

// Env holds the connection settings of one database and one Vault server.
type Env struct {
	MigrateURL, HRURL, MedURL, AuditURL string
	VaultAddr, VaultToken               string
	VaultDestructionToken               string
	VaultRootToken                      string // admin client for assertions only
	VaultDir                            string // the server's directory (pid file, keys)
	TransitMount                        string
	Root                                string // the module root
}

// defaultTestDatabase is the shared test database; ARBOKLUIS_TEST_DATABASE
// names another, so that two checkouts with different migrations can share
// one PostgreSQL server without migrating each other's database.
const defaultTestDatabase = "arbokluis_test"

func testDatabase() string {
	if name := os.Getenv("ARBOKLUIS_TEST_DATABASE"); name != "" {
		return name
	}
	return defaultTestDatabase
}

var (
	loadOnce sync.Once
	loaded   Env
	loadErr  error

	sharedOnce sync.Once
	shared     Env
	sharedErr  error

	templOnce sync.Once
	templName string
	templErr  error
)

// Unavailable stops the test when a dependency is missing: a failure unless
// the run is -short (and not CI), where it is a skip.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...) + " (run `make test`, which starts PostgreSQL and Vault)"
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("short mode: " + msg)
	}
	t.Fatal(msg)
}

// Load returns the settings of the shared test database (arbokluis_test,
// created and migrated on first use) and the development Vault server.
//
// Under `go test -short` (make test-short, the inner loop) every integration
// test is skipped, whether or not the dependencies run; make test runs them.
func Load(t testing.TB) Env {
	t.Helper()
	if testing.Short() {
		t.Skip("short mode: integration test against PostgreSQL and Vault; make test runs it")
	}
	loadOnce.Do(func() { loaded, loadErr = load() })
	if loadErr != nil {
		Unavailable(t, "testenv: %v", loadErr)
	}
	sharedOnce.Do(func() { shared, sharedErr = prepareShared(loaded) })
	if sharedErr != nil {
		Unavailable(t, "testenv: prepare %s: %v", testDatabase(), sharedErr)
	}
	return shared
}

func load() (Env, error) {
	root, err := moduleRoot()
	if err != nil {
		return Env{}, err
	}
	get := os.Getenv
	if os.Getenv("ARBOKLUIS_MIGRATE_DATABASE_URL") == "" {
		vars, err := readEnvFile(filepath.Join(root, ".local", "env"))
		if err != nil {
			return Env{}, fmt.Errorf("no ARBOKLUIS_* settings in the environment and %w", err)
		}
		get = func(k string) string { return vars[k] }
	}
	e := Env{
		MigrateURL:            get("ARBOKLUIS_MIGRATE_DATABASE_URL"),
		HRURL:                 get("ARBOKLUIS_HR_DATABASE_URL"),
		MedURL:                get("ARBOKLUIS_MED_DATABASE_URL"),
		AuditURL:              get("ARBOKLUIS_AUDIT_DATABASE_URL"),
		VaultAddr:             get("ARBOKLUIS_VAULT_ADDR"),
		VaultToken:            get("ARBOKLUIS_VAULT_TOKEN"),
		VaultDestructionToken: get("ARBOKLUIS_VAULT_DESTRUCTION_TOKEN"),
		TransitMount:          get("ARBOKLUIS_VAULT_TRANSIT_MOUNT"),
		VaultDir:              get("ARBOKLUIS_TEST_VAULT_DIR"),
		Root:                  root,
	}
	for name, v := range map[string]string{
		"ARBOKLUIS_MIGRATE_DATABASE_URL": e.MigrateURL, "ARBOKLUIS_HR_DATABASE_URL": e.HRURL,
		"ARBOKLUIS_MED_DATABASE_URL": e.MedURL, "ARBOKLUIS_AUDIT_DATABASE_URL": e.AuditURL,
		"ARBOKLUIS_VAULT_ADDR": e.VaultAddr, "ARBOKLUIS_VAULT_TOKEN": e.VaultToken,
		"ARBOKLUIS_VAULT_DESTRUCTION_TOKEN": e.VaultDestructionToken,
		"ARBOKLUIS_VAULT_TRANSIT_MOUNT":     e.TransitMount, "ARBOKLUIS_TEST_VAULT_DIR": e.VaultDir,
	} {
		if v == "" {
			return Env{}, fmt.Errorf("%s is not set", name)
		}
	}
	rootToken, err := os.ReadFile(filepath.Join(e.VaultDir, "root-token"))
	if err != nil {
		return Env{}, fmt.Errorf("read the Vault root token: %w", err)
	}
	e.VaultRootToken = strings.TrimSpace(string(rootToken))
	return e, nil
}

// prepareShared creates the shared test database once and migrates it up.
// Several test binaries may race here; CREATE DATABASE losing the race is
// fine and golang-migrate serialises on an advisory lock.
func prepareShared(e Env) (Env, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := createDatabase(ctx, e.MigrateURL, testDatabase()); err != nil {
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || (pgErr.Code != "42P04" && pgErr.Code != "23505") {
			return Env{}, err
		}
	}
	out := e.withDatabase(testDatabase())
	if err := migrateUp(out.MigrateURL); err != nil {
		return Env{}, err
	}
	return out, nil
}

// FreshDatabase creates a database from the migrated template and drops it
// when the test ends. Tests that change shared state (tampering with the
// audit chain, seeding) use it instead of the shared test database.
func FreshDatabase(t testing.TB) Env {
	t.Helper()
	e := Load(t)
	templOnce.Do(func() { templName, templErr = prepareTemplate(e) })
	if templErr != nil {
		t.Fatalf("testenv: migrated template: %v", templErr)
	}
	name := "arbokluis_t_" + randomHex(6)
	if err := createFromTemplate(context.Background(), e.MigrateURL, name, templName); err != nil {
		t.Fatalf("testenv: create database %s from %s: %v", name, templName, err)
	}
	t.Cleanup(func() { dropDatabase(t, e.MigrateURL, name) })
	return e.withDatabase(name)
}

// prepareTemplate returns the name of a database holding every migration and
// no data, named after a digest of the migration files so an edited
// migration gets a new template. Concurrent test binaries each build under a
// private name and rename into place; the loser drops its copy.
func prepareTemplate(e Env) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	digest, err := migrationsDigest()
	if err != nil {
		return "", err
	}
	final := "arbokluis_template_" + digest
	dropStaleTemplates(ctx, e.MigrateURL, final, time.Now())
	if exists, err := databaseExists(ctx, e.MigrateURL, final); err != nil || exists {
		if err == nil {
			markTemplateUsed(ctx, e.MigrateURL, final, time.Now())
		}
		return final, err
	}
	building := "arbokluis_building_" + randomHex(6)
	if err := createDatabase(ctx, e.MigrateURL, building); err != nil {
		return "", err
	}
	if err := migrateUp(e.withDatabase(building).MigrateURL); err != nil {
		return "", errors.Join(err, execOwner(ctx, e.MigrateURL, "DROP DATABASE "+pgx.Identifier{building}.Sanitize()+" WITH (FORCE)"))
	}
	markTemplateUsed(ctx, e.MigrateURL, building, time.Now())
	err = execOwner(ctx, e.MigrateURL, "ALTER DATABASE "+pgx.Identifier{building}.Sanitize()+" RENAME TO "+pgx.Identifier{final}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // another binary won
		return final, execOwner(ctx, e.MigrateURL, "DROP DATABASE "+pgx.Identifier{building}.Sanitize()+" WITH (FORCE)")
	}
	return final, err
}

// templateKeep is how long a template of another migration set survives
// its last use. Test binaries of other checkouts of the project (other
// migration sets) may share the cluster; dropping their template at once
// would break their running tests.
const templateKeep = 6 * time.Hour

// templateUsedPrefix starts the comment that records a template's last use.
const templateUsedPrefix = "arbokluis test template, last used at unix "

// markTemplateUsed records now as the last use of template name; failing
// to is harmless (the template is then dropped sooner), so errors are
// ignored.
func markTemplateUsed(ctx context.Context, ownerURL, name string, now time.Time) {
	// COMMENT takes no parameters; the text is a fixed prefix and digits.
	execOwner(ctx, ownerURL, "COMMENT ON DATABASE "+pgx.Identifier{name}.Sanitize()+ //nolint:errcheck
		" IS '"+templateUsedPrefix+strconv.FormatInt(now.Unix(), 10)+"'")
}

// templateStale reports whether a template whose comment is comment was
// last used more than templateKeep before now; a template without a
// readable mark is stale.
func templateStale(comment string, now time.Time) bool {
	unix, err := strconv.ParseInt(strings.TrimPrefix(comment, templateUsedPrefix), 10, 64)
	if err != nil || !strings.HasPrefix(comment, templateUsedPrefix) {
		return true
	}
	return now.Sub(time.Unix(unix, 0)) > templateKeep
}

// createFromTemplate copies templ into name. PostgreSQL refuses the copy
// while another session is connected to the template (SQLSTATE 55006), which
// happens for a moment when several test binaries copy at once, so it retries.
func createFromTemplate(ctx context.Context, ownerURL, name, templ string) error {
	stmt := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " TEMPLATE " + pgx.Identifier{templ}.Sanitize()
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		err = execOwner(ctx, ownerURL, stmt)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "55006" {
			return err
		}
		time.Sleep(time.Duration(50+attempt*20) * time.Millisecond)
	}
	return err
}

func migrationsDigest() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16], err
}

// dropStaleTemplates removes templates of other migration sets that have
// not been used for templateKeep; failing to is harmless, so errors are
// ignored.
func dropStaleTemplates(ctx context.Context, ownerURL, keep string, now time.Time) {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database
		WHERE datname LIKE 'arbokluis\_template\_%' AND datname <> $1`, keep)
	if err != nil {
		return
	}
	type template struct{ name, comment string }
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (template, error) {
		var t template
		return t, r.Scan(&t.name, &t.comment)
	})
	if err != nil {
		return
	}
	for _, t := range all {
		if templateStale(t.comment, now) {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{t.name}.Sanitize()+" WITH (FORCE)") //nolint:errcheck
		}
	}
}

func databaseExists(ctx context.Context, ownerURL, name string) (bool, error) {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return false, fmt.Errorf("connect as owner: %w", postgres.Translate(err))
	}
	defer conn.Close(ctx)
	var exists bool
	err = conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	return exists, err
}

func execOwner(ctx context.Context, ownerURL, stmt string) error {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("connect as owner: %w", postgres.Translate(err))
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, stmt)
	return err
}

// dropDatabase drops name. An autovacuum worker (owned by the superuser,
// which the owner role may not terminate) can hold the database for a
// moment after a bulk load, so a refusal to terminate (SQLSTATE 42501) or
// a busy database (55006) is retried for a while.
func dropDatabase(t testing.TB, ownerURL, name string) {
	t.Helper()
	var err error
	for attempt := 0; attempt < 60; attempt++ {
		err = execOwner(context.Background(), ownerURL, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || (pgErr.Code != "42501" && pgErr.Code != "55006") {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		t.Errorf("testenv: drop database %s: %v", name, err)
	}
}

// EmptyDatabase creates a database without any migration applied and drops
// it when the test ends.
func EmptyDatabase(t testing.TB) Env {
	t.Helper()
	e := Load(t)
	name := "arbokluis_t_" + randomHex(6)
	if err := createDatabase(context.Background(), e.MigrateURL, name); err != nil {
		t.Fatalf("testenv: create database %s: %v", name, err)
	}
	t.Cleanup(func() { dropDatabase(t, e.MigrateURL, name) })
	return e.withDatabase(name)
}

// Pool opens a pool on url, closed when the test ends.
func Pool(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Open(context.Background(), url, 4)
	if err != nil {
		Unavailable(t, "testenv: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Tx begins a transaction on pool that is rolled back when the test ends, so
// nothing the test writes through it survives.
func Tx(t testing.TB, pool *pgxpool.Pool) pgx.Tx {
	t.Helper()
	tx, err := pool.Begin(context.Background())
	if err != nil {
		t.Fatalf("testenv: begin: %v", err)
	}
	t.Cleanup(func() { tx.Rollback(context.Background()) }) //nolint:errcheck
	return tx
}

func (e Env) withDatabase(name string) Env {
	out := e
	out.MigrateURL = replaceDatabase(e.MigrateURL, name)
	out.HRURL = replaceDatabase(e.HRURL, name)
	out.MedURL = replaceDatabase(e.MedURL, name)
	out.AuditURL = replaceDatabase(e.AuditURL, name)
	return out
}

func replaceDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

func createDatabase(ctx context.Context, ownerURL, name string) error {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("connect as owner: %w", postgres.Translate(err))
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

func migrateUp(ownerURL string) error {
	m, err := postgres.NewMigrator(migrations.FS, ownerURL)
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Up()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func moduleRoot() (string, error) {
	if r := os.Getenv("ARBOKLUIS_TEST_ROOT"); r != "" {
		return r, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("module root (go.mod) not found")
		}
		dir = parent
	}
}

func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok {
			vars[k] = v
		}
	}
	return vars, sc.Err()
}
