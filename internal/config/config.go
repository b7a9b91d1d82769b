// Package config loads Arbokluis's configuration once, from ARBOKLUIS_*
// environment variables with defaults, and fails fast on invalid values.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/arbokluis/arbokluis/internal/absence"
	"github.com/arbokluis/arbokluis/internal/identity"
)

// Config is the whole configuration of one Arbokluis process.
type Config struct {
	ListenAddr string // ARBOKLUIS_LISTEN_ADDR
	// AdminAddr is the address of the admin listener, which serves
	// /metrics and the detailed /readyz (ARBOKLUIS_ADMIN_ADDR, default
	// 127.0.0.1:9090; "off" serves no admin listener). It must differ from
	// ListenAddr.
	AdminAddr string

	HRDatabaseURL      string // ARBOKLUIS_HR_DATABASE_URL (role arbokluis_hr)
	MedDatabaseURL     string // ARBOKLUIS_MED_DATABASE_URL (role arbokluis_med)
	AuditDatabaseURL   string // ARBOKLUIS_AUDIT_DATABASE_URL (role arbokluis_audit)
	MigrateDatabaseURL string // ARBOKLUIS_MIGRATE_DATABASE_URL (owner; migrate only)
	DBMaxConns         int32  // ARBOKLUIS_DB_MAX_CONNS, per pool

	VaultAddr             string        // ARBOKLUIS_VAULT_ADDR
	VaultToken            string        // ARBOKLUIS_VAULT_TOKEN (application token)
	VaultDestructionToken string        // ARBOKLUIS_VAULT_DESTRUCTION_TOKEN (destruction-worker only)
	VaultTransitMount     string        // ARBOKLUIS_VAULT_TRANSIT_MOUNT
	VaultTimeout          time.Duration // ARBOKLUIS_VAULT_TIMEOUT, per Vault request

	LogLevel slog.Level // ARBOKLUIS_LOG_LEVEL: debug, info, warn, error

	MaxBodyBytes int64 // ARBOKLUIS_MAX_BODY_BYTES
	// MaxAttachmentBytes bounds one dossier attachment
	// (ARBOKLUIS_MAX_ATTACHMENT_BYTES); at most MaxBodyBytes.
	MaxAttachmentBytes int64
	ReadHeaderTimeout  time.Duration // ARBOKLUIS_READ_HEADER_TIMEOUT
	ReadTimeout        time.Duration // ARBOKLUIS_READ_TIMEOUT
	WriteTimeout       time.Duration // ARBOKLUIS_WRITE_TIMEOUT
	IdleTimeout        time.Duration // ARBOKLUIS_IDLE_TIMEOUT
	ShutdownTimeout    time.Duration // ARBOKLUIS_SHUTDOWN_TIMEOUT
	ReadyTimeout       time.Duration // ARBOKLUIS_READY_TIMEOUT, per readiness check
	// EmergencyAccessTTL is how long a lead physician's declared emergency
	// access to a dossier lasts (ARBOKLUIS_EMERGENCY_ACCESS_TTL).
	EmergencyAccessTTL time.Duration
	// ActivationTTL is how long an employee invitation and its activation
	// code work (ARBOKLUIS_ACTIVATION_TTL, default 336h: 14 days, long
	// enough for a letter to arrive by post).
	ActivationTTL time.Duration
	// AuditCheckpointEvery is the number of audit events between signed
	// checkpoints (ARBOKLUIS_AUDIT_CHECKPOINT_EVERY); one is signed at
	// least hourly as well.
	AuditCheckpointEvery int64
	// AuditBacklogMaxAge makes /readyz fail when the oldest event still in
	// the audit outbox is older (ARBOKLUIS_AUDIT_BACKLOG_MAX_AGE).
	AuditBacklogMaxAge time.Duration
	// AuditPublicKeyFile receives the audit checkpoint key's public keys on
	// first use, for offline verification (ARBOKLUIS_AUDIT_PUBLIC_KEY_FILE;
	// empty: no export).
	AuditPublicKeyFile string
	// Absence holds the calendar's configurable terms: the safety-net
	// report deadlines (ARBOKLUIS_VANGNET_DEADLINES, e.g.
	// "no_risk=41d,pregnancy=41d,organ_donation=4wd,employment_end=end").
	Absence absence.Settings

	// RetentionEmployeeYears and RetentionCaseYears are the retention terms
	// of HR data: the employee record after the end of employment
	// (ARBOKLUIS_RETENTION_EMPLOYEE_YEARS, default 5) and an absence case
	// after it closed (ARBOKLUIS_RETENTION_CASE_YEARS, default 2).
	RetentionEmployeeYears int64
	RetentionCaseYears     int64
	// DestructionTargetMonths is the term in which a destruction request
	// is answered (ARBOKLUIS_DESTRUCTION_TARGET_MONTHS, default 1, AVG
	// practice); DestructionLimitMonths the legal limit it may be extended
	// to (ARBOKLUIS_DESTRUCTION_LIMIT_MONTHS, default 3, BW 7:455).
	DestructionTargetMonths int64
	DestructionLimitMonths  int64
	// VaultBackupRetention is how long backups of Vault's storage are kept
	// (ARBOKLUIS_VAULT_BACKUP_RETENTION, default 720h): a backup taken
	// before a destruction can decrypt the destroyed data until then, and
	// the destruction statement names that date.
	VaultBackupRetention time.Duration
	// DestructionPollInterval is how often the destruction worker looks
	// for jobs besides the notification of each new one, and so how soon
	// it retries a job that stopped (ARBOKLUIS_DESTRUCTION_POLL_INTERVAL,
	// default 30s).
	DestructionPollInterval time.Duration

	// Demo allows `seed` to create the demo tenants and logins, whose
	// names are published (ARBOKLUIS_DEMO=1; 0 or unset: seed refuses).
	// `make run` sets it; a production deployment never does.
	Demo bool

	// PublicURL is the address users reach the service at, for links in
	// emails (ARBOKLUIS_PUBLIC_URL): https, or http for a loopback host.
	PublicURL string

	// SMTP delivery of notification emails; off while SMTPAddr is empty.
	SMTPAddr     string // ARBOKLUIS_SMTP_ADDR, host:port
	SMTPFrom     string // ARBOKLUIS_SMTP_FROM
	SMTPUsername string // ARBOKLUIS_SMTP_USERNAME
	SMTPPassword string // ARBOKLUIS_SMTP_PASSWORD

	// MailDir, for a demo on one machine without a mail server, writes
	// every mail into this directory instead (ARBOKLUIS_MAIL_DIR): the
	// invitation and reset links land on disk, so it is refused unless
	// Demo is on, and together with SMTPAddr.
	MailDir string

	// TrustedProxies are the proxy addresses or CIDRs whose X-Forwarded-For
	// is believed (ARBOKLUIS_TRUSTED_PROXIES, comma-separated). Empty means
	// the client IP is always the peer address.
	TrustedProxies []string

	// ListReadsPerMinute and ListReadBurst bound how fast one user drives
	// the reads that list many people (the employer overview, signals, the
	// request queue, the audit search), per route, in each process: a
	// token bucket of ListReadBurst reads refilled at ListReadsPerMinute
	// (ARBOKLUIS_LIST_READS_PER_MINUTE, default 60;
	// ARBOKLUIS_LIST_READ_BURST, default 20).
	ListReadsPerMinute int64
	ListReadBurst      int64
	// Clock is the wall clock of the request throttles. It is not read
	// from the environment: nil means time.Now, and tests set their own.
	Clock func() time.Time
	// Login attempts are limited per account across client addresses
	// (ARBOKLUIS_LOGIN_ACCOUNT_LIMIT, default 20), per client address
	// across accounts (ARBOKLUIS_LOGIN_CLIENT_LIMIT, default 100) and
	// service-wide (ARBOKLUIS_LOGIN_TOTAL_LIMIT, default 2000), each per
	// ARBOKLUIS_LOGIN_WINDOW (default 15m); a success gives its attempt
	// back. Password-reset requests are limited per address
	// (ARBOKLUIS_RESET_ADDRESS_LIMIT, default 5; the same limit per reset
	// link for completions) and per client address
	// (ARBOKLUIS_RESET_CLIENT_LIMIT, default 20), per ARBOKLUIS_RESET_WINDOW
	// (default 1h). The counters live in the database, shared by every
	// process.
	LoginWindow       time.Duration
	LoginAccountLimit int64
	LoginClientLimit  int64
	LoginTotalLimit   int64
	ResetWindow       time.Duration
	ResetAddressLimit int64
	ResetClientLimit  int64
	// PasswordHashMemoryMiB is the memory password hashes may use at once
	// (ARBOKLUIS_PASSWORD_HASH_MEMORY_MIB, default 1024): divided by the
	// hash's memory cost it is how many hashes run at a time (at least
	// one); a login, reset or acceptance that finds no free slot answers
	// 503 with Retry-After at once.
	PasswordHashMemoryMiB int64
	// OnPasswordHash is not read from the environment: nil in production;
	// tests count and hold password hashes with it.
	OnPasswordHash func()
	// PasswordParams is the argon2id cost of the password hashes the login
	// service makes. It is not read from the environment: zero means
	// identity.DefaultPasswordParams, and tests lower it, as identity's
	// own tests do (a hash at the default cost takes a third of a second
	// of both cores under the race detector).
	PasswordParams identity.PasswordParams
}

// AdminOff, as ARBOKLUIS_ADMIN_ADDR, serves no admin listener (Config.AdminAddr
// empty).
const AdminOff = "off"

// Variable names that commands may require.
const (
	EnvHRDatabaseURL      = "ARBOKLUIS_HR_DATABASE_URL"
	EnvMedDatabaseURL     = "ARBOKLUIS_MED_DATABASE_URL"
	EnvAuditDatabaseURL   = "ARBOKLUIS_AUDIT_DATABASE_URL"
	EnvMigrateDatabaseURL = "ARBOKLUIS_MIGRATE_DATABASE_URL"
	EnvVaultAddr          = "ARBOKLUIS_VAULT_ADDR"
	EnvVaultToken         = "ARBOKLUIS_VAULT_TOKEN"
	// EnvVaultDestructionToken is held by the destruction worker alone;
	// serve refuses to start with it set.
	EnvVaultDestructionToken = "ARBOKLUIS_VAULT_DESTRUCTION_TOKEN"
	// EnvDemo, set to 1, lets `seed` create the demo (Config.Demo).
	EnvDemo = "ARBOKLUIS_DEMO"
)

// Default returns the configuration used when no variable is set.
func Default() Config {
	return Config{
		ListenAddr:           ":8080",
		AdminAddr:            "127.0.0.1:9090",
		DBMaxConns:           10,
		VaultTransitMount:    "transit",
		VaultTimeout:         5 * time.Second,
		LogLevel:             slog.LevelInfo,
		MaxBodyBytes:         1 << 20,
		MaxAttachmentBytes:   1 << 20,
		ReadHeaderTimeout:    5 * time.Second,
		ReadTimeout:          30 * time.Second,
		WriteTimeout:         60 * time.Second,
		IdleTimeout:          120 * time.Second,
		ShutdownTimeout:      20 * time.Second,
		ReadyTimeout:         2 * time.Second,
		EmergencyAccessTTL:   4 * time.Hour,
		ActivationTTL:        14 * 24 * time.Hour,
		AuditCheckpointEvery: 1000,
		AuditBacklogMaxAge:   30 * time.Second,
		PublicURL:            "http://localhost:8080",
		SMTPFrom:             "Arbokluis <noreply@localhost>",
		Absence:              absence.DefaultSettings(),

		RetentionEmployeeYears:  5,
		RetentionCaseYears:      2,
		DestructionTargetMonths: 1,
		DestructionLimitMonths:  3,
		VaultBackupRetention:    30 * 24 * time.Hour,
		DestructionPollInterval: 30 * time.Second,
		ListReadsPerMinute:      60,
		ListReadBurst:           20,
		LoginWindow:             15 * time.Minute,
		LoginAccountLimit:       20,
		LoginClientLimit:        100,
		LoginTotalLimit:         2000,
		ResetWindow:             time.Hour,
		ResetAddressLimit:       5,
		ResetClientLimit:        20,
		PasswordHashMemoryMiB:   1024,
	}
}

// Load reads the configuration through lookup (os.LookupEnv in production)
// on top of Default. It returns an error naming every variable whose value
// is invalid; the message never repeats a value, which may be a secret.
func Load(lookup func(string) (string, bool)) (Config, error) {
	c := Default()
	p := parser{lookup: lookup}

	p.str("ARBOKLUIS_LISTEN_ADDR", &c.ListenAddr, validListenAddr)
	if v, ok := p.get("ARBOKLUIS_ADMIN_ADDR"); ok && strings.EqualFold(v, AdminOff) {
		c.AdminAddr = ""
	} else {
		p.str("ARBOKLUIS_ADMIN_ADDR", &c.AdminAddr, validListenAddr)
		if c.AdminAddr == c.ListenAddr && !strings.HasSuffix(c.AdminAddr, ":0") {
			p.fail("ARBOKLUIS_ADMIN_ADDR", "must differ from ARBOKLUIS_LISTEN_ADDR")
		}
	}
	p.str(EnvHRDatabaseURL, &c.HRDatabaseURL, validDatabaseURL)
	p.str(EnvMedDatabaseURL, &c.MedDatabaseURL, validDatabaseURL)
	p.str(EnvAuditDatabaseURL, &c.AuditDatabaseURL, validDatabaseURL)
	p.str(EnvMigrateDatabaseURL, &c.MigrateDatabaseURL, validDatabaseURL)
	p.int32("ARBOKLUIS_DB_MAX_CONNS", &c.DBMaxConns, 1, 1000)
	p.str(EnvVaultAddr, &c.VaultAddr, validHTTPURL)
	p.str(EnvVaultToken, &c.VaultToken, nil)
	p.str("ARBOKLUIS_VAULT_DESTRUCTION_TOKEN", &c.VaultDestructionToken, nil)
	p.str("ARBOKLUIS_VAULT_TRANSIT_MOUNT", &c.VaultTransitMount, validMount)
	p.duration("ARBOKLUIS_VAULT_TIMEOUT", &c.VaultTimeout)
	p.level("ARBOKLUIS_LOG_LEVEL", &c.LogLevel)
	p.int64("ARBOKLUIS_MAX_BODY_BYTES", &c.MaxBodyBytes, 1024, 1<<30)
	if _, set := p.get("ARBOKLUIS_MAX_ATTACHMENT_BYTES"); set {
		p.int64("ARBOKLUIS_MAX_ATTACHMENT_BYTES", &c.MaxAttachmentBytes, 1024, 1<<30)
		if c.MaxAttachmentBytes > c.MaxBodyBytes {
			p.fail("ARBOKLUIS_MAX_ATTACHMENT_BYTES", "must not exceed ARBOKLUIS_MAX_BODY_BYTES")
		}
	} else {
		c.MaxAttachmentBytes = min(c.MaxAttachmentBytes, c.MaxBodyBytes)
	}
	p.duration("ARBOKLUIS_READ_HEADER_TIMEOUT", &c.ReadHeaderTimeout)
	p.duration("ARBOKLUIS_READ_TIMEOUT", &c.ReadTimeout)
	p.duration("ARBOKLUIS_WRITE_TIMEOUT", &c.WriteTimeout)
	p.duration("ARBOKLUIS_IDLE_TIMEOUT", &c.IdleTimeout)
	p.duration("ARBOKLUIS_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	p.duration("ARBOKLUIS_READY_TIMEOUT", &c.ReadyTimeout)
	p.duration("ARBOKLUIS_EMERGENCY_ACCESS_TTL", &c.EmergencyAccessTTL)
	p.duration("ARBOKLUIS_ACTIVATION_TTL", &c.ActivationTTL)
	p.duration("ARBOKLUIS_AUDIT_BACKLOG_MAX_AGE", &c.AuditBacklogMaxAge)
	p.int64("ARBOKLUIS_AUDIT_CHECKPOINT_EVERY", &c.AuditCheckpointEvery, 1, 1_000_000)
	p.str("ARBOKLUIS_AUDIT_PUBLIC_KEY_FILE", &c.AuditPublicKeyFile, nil)
	if v, ok := p.get("ARBOKLUIS_VANGNET_DEADLINES"); ok {
		s, err := absence.ParseVangnetDeadlines(v)
		if err != nil {
			p.fail("ARBOKLUIS_VANGNET_DEADLINES", "is invalid: "+err.Error())
		} else {
			c.Absence = s
		}
	}
	p.int64("ARBOKLUIS_RETENTION_EMPLOYEE_YEARS", &c.RetentionEmployeeYears, 1, 100)
	p.int64("ARBOKLUIS_RETENTION_CASE_YEARS", &c.RetentionCaseYears, 1, 100)
	p.int64("ARBOKLUIS_DESTRUCTION_TARGET_MONTHS", &c.DestructionTargetMonths, 1, 3)
	p.int64("ARBOKLUIS_DESTRUCTION_LIMIT_MONTHS", &c.DestructionLimitMonths, 1, 3)
	if c.DestructionTargetMonths > c.DestructionLimitMonths {
		p.fail("ARBOKLUIS_DESTRUCTION_TARGET_MONTHS", "must not exceed ARBOKLUIS_DESTRUCTION_LIMIT_MONTHS")
	}
	p.duration("ARBOKLUIS_VAULT_BACKUP_RETENTION", &c.VaultBackupRetention)
	p.duration("ARBOKLUIS_DESTRUCTION_POLL_INTERVAL", &c.DestructionPollInterval)
	p.list("ARBOKLUIS_TRUSTED_PROXIES", &c.TrustedProxies, validProxy)
	p.str("ARBOKLUIS_PUBLIC_URL", &c.PublicURL, validPublicURL)
	p.str("ARBOKLUIS_SMTP_ADDR", &c.SMTPAddr, validHostPort)
	p.str("ARBOKLUIS_SMTP_FROM", &c.SMTPFrom, validMailbox)
	p.str("ARBOKLUIS_SMTP_USERNAME", &c.SMTPUsername, nil)
	p.str("ARBOKLUIS_SMTP_PASSWORD", &c.SMTPPassword, nil)
	if v, ok := p.get(EnvDemo); ok {
		switch v {
		case "1":
			c.Demo = true
		case "0":
		default:
			p.fail(EnvDemo, "must be 1 or 0")
		}
	}
	p.str("ARBOKLUIS_MAIL_DIR", &c.MailDir, nil)
	switch {
	case c.MailDir != "" && !c.Demo:
		p.fail("ARBOKLUIS_MAIL_DIR", "writes mails with their one-time links to disk: only for a demo (ARBOKLUIS_DEMO=1)")
	case c.MailDir != "" && c.SMTPAddr != "":
		p.fail("ARBOKLUIS_MAIL_DIR", "must not be set together with ARBOKLUIS_SMTP_ADDR")
	}
	p.int64("ARBOKLUIS_LIST_READS_PER_MINUTE", &c.ListReadsPerMinute, 1, 100_000)
	p.int64("ARBOKLUIS_LIST_READ_BURST", &c.ListReadBurst, 1, 100_000)
	p.duration("ARBOKLUIS_LOGIN_WINDOW", &c.LoginWindow)
	p.int64("ARBOKLUIS_LOGIN_ACCOUNT_LIMIT", &c.LoginAccountLimit, 1, 1_000_000)
	p.int64("ARBOKLUIS_LOGIN_CLIENT_LIMIT", &c.LoginClientLimit, 1, 1_000_000)
	p.int64("ARBOKLUIS_LOGIN_TOTAL_LIMIT", &c.LoginTotalLimit, 1, 1_000_000)
	if c.LoginTotalLimit < c.LoginClientLimit {
		p.fail("ARBOKLUIS_LOGIN_TOTAL_LIMIT", "must not be below ARBOKLUIS_LOGIN_CLIENT_LIMIT")
	}
	p.duration("ARBOKLUIS_RESET_WINDOW", &c.ResetWindow)
	p.int64("ARBOKLUIS_RESET_ADDRESS_LIMIT", &c.ResetAddressLimit, 1, 1_000_000)
	p.int64("ARBOKLUIS_RESET_CLIENT_LIMIT", &c.ResetClientLimit, 1, 1_000_000)
	p.int64("ARBOKLUIS_PASSWORD_HASH_MEMORY_MIB", &c.PasswordHashMemoryMiB, 8, 1<<20)

	if len(p.errs) > 0 {
		return Config{}, errors.Join(p.errs...)
	}
	return c, nil
}

// Require returns an error naming each of the given variables that is unset
// in c. Commands call it with the variables they cannot run without.
func (c Config) Require(names ...string) error {
	values := map[string]string{
		EnvHRDatabaseURL:      c.HRDatabaseURL,
		EnvMedDatabaseURL:     c.MedDatabaseURL,
		EnvAuditDatabaseURL:   c.AuditDatabaseURL,
		EnvMigrateDatabaseURL: c.MigrateDatabaseURL,
		EnvVaultAddr:          c.VaultAddr,
		EnvVaultToken:         c.VaultToken,

		EnvVaultDestructionToken: c.VaultDestructionToken,
	}
	var errs []error
	for _, name := range names {
		v, known := values[name]
		if !known {
			errs = append(errs, fmt.Errorf("config: %s cannot be required", name))
			continue
		}
		if v == "" {
			errs = append(errs, fmt.Errorf("config: %s is required", name))
		}
	}
	return errors.Join(errs...)
}

// PublicHTTPS reports whether users reach the service over https
// (ARBOKLUIS_PUBLIC_URL), so that responses may tell browsers to keep to it
// (Strict-Transport-Security).
func (c Config) PublicHTTPS() bool {
	u, err := url.Parse(c.PublicURL)
	return err == nil && strings.EqualFold(u.Scheme, "https")
}

type parser struct {
	lookup func(string) (string, bool)
	errs   []error
}

func (p *parser) get(name string) (string, bool) {
	v, ok := p.lookup(name)
	if !ok || strings.TrimSpace(v) == "" {
		return "", false
	}
	return strings.TrimSpace(v), true
}

func (p *parser) fail(name, reason string) {
	p.errs = append(p.errs, fmt.Errorf("config: %s %s", name, reason))
}

func (p *parser) str(name string, dst *string, check func(string) string) {
	v, ok := p.get(name)
	if !ok {
		return
	}
	if check != nil {
		if reason := check(v); reason != "" {
			p.fail(name, reason)
			return
		}
	}
	*dst = v
}

func (p *parser) duration(name string, dst *time.Duration) {
	v, ok := p.get(name)
	if !ok {
		return
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.fail(name, "must be a positive duration such as 5s or 2m")
		return
	}
	*dst = d
}

func (p *parser) int64(name string, dst *int64, lo, hi int64) {
	v, ok := p.get(name)
	if !ok {
		return
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		p.fail(name, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
		return
	}
	*dst = n
}

func (p *parser) int32(name string, dst *int32, lo, hi int32) {
	n := int64(*dst)
	p.int64(name, &n, int64(lo), int64(hi))
	*dst = int32(n)
}

func (p *parser) level(name string, dst *slog.Level) {
	v, ok := p.get(name)
	if !ok {
		return
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		p.fail(name, "must be one of debug, info, warn, error")
		return
	}
	*dst = l
}

func (p *parser) list(name string, dst *[]string, check func(string) string) {
	v, ok := p.get(name)
	if !ok {
		return
	}
	var out []string
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if reason := check(item); reason != "" {
			p.fail(name, reason)
			return
		}
		out = append(out, item)
	}
	*dst = out
}

func validListenAddr(v string) string {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return "must be host:port, such as :8080 or 127.0.0.1:8080"
	}
	if host != "" {
		if _, err := netip.ParseAddr(host); err != nil && host != "localhost" {
			return "must have an IP address or localhost as host"
		}
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return "must have a port from 0 to 65535"
	}
	return ""
}

func validHostPort(v string) string {
	host, port, err := net.SplitHostPort(v)
	if err != nil || host == "" {
		return "must be host:port"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "must have a port from 1 to 65535"
	}
	return ""
}

func validMailbox(v string) string {
	if _, err := mail.ParseAddress(v); err != nil {
		return "must be an email address, optionally with a name: Name <address>"
	}
	return ""
}

func validDatabaseURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return "must be a postgres:// URL with a host"
	}
	return ""
}

func validHTTPURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "must be an http:// or https:// URL"
	}
	return ""
}

// validPublicURL accepts an https:// URL, and http:// only for a loopback
// host (localhost, 127.0.0.1, ::1): the links in emails carry one-time
// secrets and must not travel in the clear.
func validPublicURL(v string) string {
	if reason := validHTTPURL(v); reason != "" {
		return reason
	}
	u, _ := url.Parse(v)
	switch host := u.Hostname(); {
	case u.Scheme == "https":
		return ""
	case host == "localhost" || host == "127.0.0.1" || host == "::1":
		return ""
	}
	return "must be an https:// URL (http:// only for localhost, 127.0.0.1 or ::1)"
}

func validMount(v string) string {
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '/') {
			return "may hold only a-z, 0-9, '-', '_' and '/'"
		}
	}
	if strings.HasPrefix(v, "/") || strings.HasSuffix(v, "/") {
		return "must not start or end with '/'"
	}
	return ""
}

func validProxy(v string) string {
	if _, err := netip.ParsePrefix(v); err == nil {
		return ""
	}
	if _, err := netip.ParseAddr(v); err == nil {
		return ""
	}
	return "must list IP addresses or CIDR prefixes"
}
