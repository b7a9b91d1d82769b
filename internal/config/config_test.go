package config

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestLoadDefaults(t *testing.T) {
	got, err := Load(lookup(nil))
	require.NoError(t, err, "Load(empty env)")
	assert.Equal(t, Default(), got, "Load(empty env)")
	assert.Equal(t, ":8080", got.ListenAddr)
	assert.Equal(t, int64(60), got.ListReadsPerMinute, "list reads a minute by default")
	assert.Equal(t, int64(20), got.ListReadBurst, "list-read burst by default")
}

func TestLoadValues(t *testing.T) {
	env := map[string]string{
		"ARBOKLUIS_LISTEN_ADDR":               "127.0.0.1:9090",
		"ARBOKLUIS_ADMIN_ADDR":                "127.0.0.1:9191",
		"ARBOKLUIS_HR_DATABASE_URL":           "postgres://hr:pw@127.0.0.1:54329/arbokluis",
		"ARBOKLUIS_VAULT_ADDR":                "http://127.0.0.1:8299",
		"ARBOKLUIS_VAULT_TRANSIT_MOUNT":       "transit",
		"ARBOKLUIS_LOG_LEVEL":                 "debug",
		"ARBOKLUIS_MAX_BODY_BYTES":            "2048",
		"ARBOKLUIS_SHUTDOWN_TIMEOUT":          "3s",
		"ARBOKLUIS_DB_MAX_CONNS":              "4",
		"ARBOKLUIS_TRUSTED_PROXIES":           "10.0.0.0/8, 127.0.0.1",
		"ARBOKLUIS_VAULT_TOKEN":               " hvs.x ",
		"ARBOKLUIS_MIGRATE_DATABASE_URL":      "",
		"ARBOKLUIS_DESTRUCTION_TARGET_MONTHS": "2",
		"ARBOKLUIS_VAULT_BACKUP_RETENTION":    "2160h",
		"ARBOKLUIS_ACTIVATION_TTL":            "168h",
		"ARBOKLUIS_LIST_READS_PER_MINUTE":     "30",
		"ARBOKLUIS_LIST_READ_BURST":           "5",
	}
	got, err := Load(lookup(env))
	require.NoError(t, err, "Load(%v)", env)
	assert.Equal(t, "127.0.0.1:9090", got.ListenAddr)
	assert.Equal(t, slog.LevelDebug, got.LogLevel)
	assert.Equal(t, int64(2048), got.MaxBodyBytes)
	assert.Equal(t, 3*time.Second, got.ShutdownTimeout)
	assert.Equal(t, int32(4), got.DBMaxConns)
	assert.Equal(t, []string{"10.0.0.0/8", "127.0.0.1"}, got.TrustedProxies)
	assert.Equal(t, "hvs.x", got.VaultToken, "values are trimmed")
	assert.Empty(t, got.MigrateDatabaseURL, "an empty variable keeps the default")
	assert.Equal(t, int64(2), got.DestructionTargetMonths)
	assert.Equal(t, 90*24*time.Hour, got.VaultBackupRetention)
	assert.Equal(t, 7*24*time.Hour, got.ActivationTTL)
	assert.Equal(t, int64(30), got.ListReadsPerMinute)
	assert.Equal(t, int64(5), got.ListReadBurst)
}

// TestLoadAdminAddr checks ARBOKLUIS_ADMIN_ADDR: a loopback default,
// "off" for none, and an address that is valid and not the public one.
func TestLoadAdminAddr(t *testing.T) {
	tests := []struct {
		env     map[string]string
		want    string
		wantErr bool
	}{
		{nil, "127.0.0.1:9090", false},
		{map[string]string{"ARBOKLUIS_ADMIN_ADDR": "off"}, "", false},
		{map[string]string{"ARBOKLUIS_ADMIN_ADDR": "OFF"}, "", false},
		{map[string]string{"ARBOKLUIS_ADMIN_ADDR": "10.1.2.3:9191"}, "10.1.2.3:9191", false},
		{map[string]string{"ARBOKLUIS_ADMIN_ADDR": "127.0.0.1:0", "ARBOKLUIS_LISTEN_ADDR": "127.0.0.1:0"}, "127.0.0.1:0", false},
		{map[string]string{"ARBOKLUIS_ADMIN_ADDR": "9090"}, "", true},
		{map[string]string{"ARBOKLUIS_ADMIN_ADDR": "admin.example.org:9090"}, "", true},
		{map[string]string{"ARBOKLUIS_ADMIN_ADDR": ":8080"}, "", true},
		{map[string]string{"ARBOKLUIS_LISTEN_ADDR": "127.0.0.1:9090"}, "", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.env), func(t *testing.T) {
			got, err := Load(lookup(tt.env))
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "ARBOKLUIS_ADMIN_ADDR") {
					t.Errorf("Load(%v) error = %v, want one naming ARBOKLUIS_ADMIN_ADDR", tt.env, err)
				}
				return
			}
			if err != nil || got.AdminAddr != tt.want {
				t.Errorf("Load(%v) = AdminAddr %q, error %v; want %q, nil", tt.env, got.AdminAddr, err, tt.want)
			}
		})
	}
}

// TestLoadDemo checks ARBOKLUIS_DEMO: off unless set to 1.
func TestLoadDemo(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want bool
	}{
		{nil, false},
		{map[string]string{"ARBOKLUIS_DEMO": ""}, false},
		{map[string]string{"ARBOKLUIS_DEMO": "0"}, false},
		{map[string]string{"ARBOKLUIS_DEMO": "1"}, true},
	} {
		got, err := Load(lookup(tt.env))
		if err != nil || got.Demo != tt.want {
			t.Errorf("Load(%v) = Demo %v, error %v; want %v, nil", tt.env, got.Demo, err, tt.want)
		}
	}
}

// TestLoadMailDir: the demo mail directory only with ARBOKLUIS_DEMO=1,
// and never beside an SMTP server.
func TestLoadMailDir(t *testing.T) {
	for _, tt := range []struct {
		env     map[string]string
		wantErr bool
	}{
		{map[string]string{"ARBOKLUIS_MAIL_DIR": ".local/mail", "ARBOKLUIS_DEMO": "1"}, false},
		{map[string]string{"ARBOKLUIS_MAIL_DIR": ".local/mail"}, true},
		{map[string]string{"ARBOKLUIS_MAIL_DIR": ".local/mail", "ARBOKLUIS_DEMO": "0"}, true},
		{map[string]string{"ARBOKLUIS_MAIL_DIR": ".local/mail", "ARBOKLUIS_DEMO": "1", "ARBOKLUIS_SMTP_ADDR": "mail.example.test:587"}, true},
	} {
		got, err := Load(lookup(tt.env))
		if (err != nil) != tt.wantErr || (err != nil && !strings.Contains(err.Error(), "ARBOKLUIS_MAIL_DIR")) {
			t.Errorf("Load(%v) error = %v, want an error naming ARBOKLUIS_MAIL_DIR: %v", tt.env, err, tt.wantErr)
		}
		if err == nil && got.MailDir != tt.env["ARBOKLUIS_MAIL_DIR"] {
			t.Errorf("Load(%v) MailDir = %q, want %q", tt.env, got.MailDir, tt.env["ARBOKLUIS_MAIL_DIR"])
		}
	}
}

func TestLoadDestructionTargetWithinLimit(t *testing.T) {
	_, err := Load(lookup(map[string]string{"ARBOKLUIS_DESTRUCTION_TARGET_MONTHS": "3", "ARBOKLUIS_DESTRUCTION_LIMIT_MONTHS": "2"}))
	if err == nil || !strings.Contains(err.Error(), "ARBOKLUIS_DESTRUCTION_TARGET_MONTHS") {
		t.Errorf("Load(target 3, limit 2) error = %v, want one naming ARBOKLUIS_DESTRUCTION_TARGET_MONTHS", err)
	}
}

func TestLoadInvalid(t *testing.T) {
	const secret = "s3cr3t-value"
	tests := []struct {
		name, value string
	}{
		{"ARBOKLUIS_LISTEN_ADDR", "8080"},
		{"ARBOKLUIS_LISTEN_ADDR", ":99999"},
		{"ARBOKLUIS_LISTEN_ADDR", "example.org:80"},
		{"ARBOKLUIS_HR_DATABASE_URL", "mysql://" + secret + "@host/db"},
		{"ARBOKLUIS_MED_DATABASE_URL", secret},
		{"ARBOKLUIS_AUDIT_DATABASE_URL", "postgres:///nohost"},
		{"ARBOKLUIS_MIGRATE_DATABASE_URL", "::" + secret},
		{"ARBOKLUIS_VAULT_ADDR", "127.0.0.1:8299"},
		{"ARBOKLUIS_VAULT_TRANSIT_MOUNT", "/transit"},
		{"ARBOKLUIS_MAX_ATTACHMENT_BYTES", "2097152"}, // above the default body limit
		{"ARBOKLUIS_MAX_ATTACHMENT_BYTES", "100"},
		{"ARBOKLUIS_VAULT_TRANSIT_MOUNT", "Transit!"},
		{"ARBOKLUIS_VAULT_TIMEOUT", "5"},
		{"ARBOKLUIS_LOG_LEVEL", "loud"},
		{"ARBOKLUIS_MAX_BODY_BYTES", "10"},
		{"ARBOKLUIS_MAX_BODY_BYTES", "lots"},
		{"ARBOKLUIS_READ_TIMEOUT", "-1s"},
		{"ARBOKLUIS_DB_MAX_CONNS", "0"},
		{"ARBOKLUIS_TRUSTED_PROXIES", "proxy.example.org"},
		{"ARBOKLUIS_PUBLIC_URL", "arbokluis.example.org"},
		{"ARBOKLUIS_SMTP_ADDR", "mail.example.org"},
		{"ARBOKLUIS_SMTP_ADDR", "mail.example.org:0"},
		{"ARBOKLUIS_SMTP_FROM", "not a mailbox"},
		{"ARBOKLUIS_RETENTION_EMPLOYEE_YEARS", "0"},
		{"ARBOKLUIS_RETENTION_CASE_YEARS", "two"},
		{"ARBOKLUIS_DESTRUCTION_TARGET_MONTHS", "4"}, // above the legal limit of three months
		{"ARBOKLUIS_DESTRUCTION_LIMIT_MONTHS", "0"},
		{"ARBOKLUIS_VAULT_BACKUP_RETENTION", "30d"},
		{"ARBOKLUIS_DESTRUCTION_POLL_INTERVAL", "0s"},
		{"ARBOKLUIS_DESTRUCTION_POLL_INTERVAL", "30"},
		{"ARBOKLUIS_LIST_READS_PER_MINUTE", "0"},
		{"ARBOKLUIS_LIST_READS_PER_MINUTE", "-60"},
		{"ARBOKLUIS_LIST_READS_PER_MINUTE", "60/m"},
		{"ARBOKLUIS_LIST_READS_PER_MINUTE", "100001"},
		{"ARBOKLUIS_LIST_READ_BURST", "0"},
		{"ARBOKLUIS_LIST_READ_BURST", "1.5"},
		{"ARBOKLUIS_DEMO", "yes"},
		{"ARBOKLUIS_DEMO", "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			_, err := Load(lookup(map[string]string{tt.name: tt.value}))
			if err == nil {
				t.Fatalf("Load(%s=%q) error = nil, want an error naming the variable", tt.name, tt.value)
			}
			if !strings.Contains(err.Error(), tt.name) {
				t.Errorf("Load(%s=%q) error = %q, want it to name %s", tt.name, tt.value, err, tt.name)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("Load(%s=%q) error = %q repeats the value", tt.name, tt.value, err)
			}
		})
	}
}

// TestLoadPublicURL: the links in emails carry one-time secrets, so the
// public URL is https except on a loopback host.
func TestLoadPublicURL(t *testing.T) {
	tests := []struct {
		value string
		ok    bool
	}{
		{"https://arbokluis.example.org", true},
		{"https://arbokluis.example.org:8443/portal", true},
		{"http://localhost:8080", true},
		{"http://127.0.0.1:8080", true},
		{"http://[::1]:8080", true},
		{"https://localhost", true},
		{"http://arbokluis.example.org", false},
		{"http://10.0.0.5:8080", false},
		{"http://localhost.example.org", false},
		{"http://127.0.0.2", false},
		{"ftp://localhost", false},
		{"arbokluis.example.org", false},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got, err := Load(lookup(map[string]string{"ARBOKLUIS_PUBLIC_URL": tt.value}))
			switch {
			case tt.ok && err != nil:
				t.Errorf("Load(ARBOKLUIS_PUBLIC_URL=%q) error = %v, want none", tt.value, err)
			case tt.ok && got.PublicURL != tt.value:
				t.Errorf("Load(ARBOKLUIS_PUBLIC_URL=%q).PublicURL = %q, want %q", tt.value, got.PublicURL, tt.value)
			case !tt.ok && (err == nil || !strings.Contains(err.Error(), "ARBOKLUIS_PUBLIC_URL")):
				t.Errorf("Load(ARBOKLUIS_PUBLIC_URL=%q) error = %v, want one naming ARBOKLUIS_PUBLIC_URL", tt.value, err)
			}
		})
	}
}

func TestLoadReportsEveryInvalidVariable(t *testing.T) {
	_, err := Load(lookup(map[string]string{
		"ARBOKLUIS_LOG_LEVEL":   "loud",
		"ARBOKLUIS_LISTEN_ADDR": "nope",
	}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ARBOKLUIS_LOG_LEVEL")
	assert.Contains(t, err.Error(), "ARBOKLUIS_LISTEN_ADDR")
}

func TestRequire(t *testing.T) {
	c := Default()
	c.HRDatabaseURL = "postgres://x@h/db"
	err := c.Require(EnvHRDatabaseURL, EnvVaultAddr, EnvVaultToken)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), EnvHRDatabaseURL, "a set variable is not reported")
	assert.Contains(t, err.Error(), EnvVaultAddr)
	assert.Contains(t, err.Error(), EnvVaultToken)
	assert.NoError(t, c.Require(EnvHRDatabaseURL))
}

// FuzzLoad checks that no value makes Load panic, and that an error never
// repeats the value (which may be a password inside a URL).
func FuzzLoad(f *testing.F) {
	for _, s := range []string{":8080", "postgres://u:p@h/db", "5s", "debug", "10.0.0.0/8,::1", "", "\x00", "postgres://u:%zz@h"} {
		f.Add("ARBOKLUIS_HR_DATABASE_URL", s)
		f.Add("ARBOKLUIS_TRUSTED_PROXIES", s)
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		_, err := Load(lookup(map[string]string{name: value}))
		if err != nil && len(strings.TrimSpace(value)) >= 6 && strings.Contains(err.Error(), strings.TrimSpace(value)) {
			t.Errorf("Load(%s=%q) error %q repeats the value", name, value, err)
		}
	})
}

func TestLoadAttemptLimits(t *testing.T) {
	got, err := Load(lookup(nil))
	require.NoError(t, err, "Load(empty env)")
	assert.Equal(t, 15*time.Minute, got.LoginWindow, "login window by default")
	assert.Equal(t, []int64{20, 100, 2000}, []int64{got.LoginAccountLimit, got.LoginClientLimit, got.LoginTotalLimit},
		"login limits (account, client, total) by default")
	assert.Equal(t, time.Hour, got.ResetWindow, "reset window by default")
	assert.Equal(t, []int64{5, 20}, []int64{got.ResetAddressLimit, got.ResetClientLimit}, "reset limits by default")
	assert.Equal(t, int64(1024), got.PasswordHashMemoryMiB, "hash memory budget by default")

	env := map[string]string{
		"ARBOKLUIS_LOGIN_WINDOW": "5m", "ARBOKLUIS_LOGIN_ACCOUNT_LIMIT": "10", "ARBOKLUIS_LOGIN_CLIENT_LIMIT": "50",
		"ARBOKLUIS_LOGIN_TOTAL_LIMIT": "500", "ARBOKLUIS_RESET_WINDOW": "30m", "ARBOKLUIS_RESET_ADDRESS_LIMIT": "3",
		"ARBOKLUIS_RESET_CLIENT_LIMIT": "9", "ARBOKLUIS_PASSWORD_HASH_MEMORY_MIB": "256",
	}
	got, err = Load(lookup(env))
	require.NoError(t, err, "Load(%v)", env)
	assert.Equal(t, 5*time.Minute, got.LoginWindow)
	assert.Equal(t, []int64{10, 50, 500}, []int64{got.LoginAccountLimit, got.LoginClientLimit, got.LoginTotalLimit})
	assert.Equal(t, 30*time.Minute, got.ResetWindow)
	assert.Equal(t, []int64{3, 9}, []int64{got.ResetAddressLimit, got.ResetClientLimit})
	assert.Equal(t, int64(256), got.PasswordHashMemoryMiB)

	for _, tt := range []struct{ name, value string }{
		{"ARBOKLUIS_LOGIN_WINDOW", "15"},
		{"ARBOKLUIS_LOGIN_WINDOW", "-1m"},
		{"ARBOKLUIS_LOGIN_ACCOUNT_LIMIT", "0"},
		{"ARBOKLUIS_LOGIN_CLIENT_LIMIT", "many"},
		{"ARBOKLUIS_LOGIN_TOTAL_LIMIT", "99"}, // below the default client limit
		{"ARBOKLUIS_RESET_WINDOW", "1d"},
		{"ARBOKLUIS_RESET_ADDRESS_LIMIT", "-5"},
		{"ARBOKLUIS_RESET_CLIENT_LIMIT", "1000001"},
		{"ARBOKLUIS_PASSWORD_HASH_MEMORY_MIB", "4"},
	} {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			if _, err := Load(lookup(map[string]string{tt.name: tt.value})); err == nil || !strings.Contains(err.Error(), tt.name) {
				t.Errorf("Load(%s=%q) error = %v, want one naming %s", tt.name, tt.value, err, tt.name)
			}
		})
	}
}
