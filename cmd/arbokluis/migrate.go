package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/postgres"
	"github.com/arbokluis/arbokluis/migrations"
)

// migrateCmd runs `migrate up|down [N|all]|status` with the owner role.
func migrateCmd(cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("migrate needs up, down or status")
	}
	if err := cfg.Require(config.EnvMigrateDatabaseURL); err != nil {
		return err
	}
	m, err := postgres.NewMigrator(migrations.FS, cfg.MigrateDatabaseURL)
	if err != nil {
		return err
	}
	defer m.Close()

	switch args[0] {
	case "up":
		if len(args) != 1 {
			return usageError("migrate up takes no arguments")
		}
		if err := m.Up(); err != nil {
			return err
		}
	case "down":
		steps := 1
		switch {
		case len(args) == 1:
		case len(args) == 2 && args[1] == "all":
			steps = 0
		case len(args) == 2:
			n, err := strconv.Atoi(args[1])
			if err != nil || n < 1 {
				return usageError("migrate down takes a positive number or \"all\"")
			}
			steps = n
		default:
			return usageError("migrate down takes at most one argument")
		}
		if err := m.Down(steps); err != nil {
			return err
		}
	case "status":
	default:
		return usageError(fmt.Sprintf("unknown migrate command %q", args[0]))
	}
	st, err := m.Status()
	if err != nil {
		return err
	}
	dirty := ""
	if st.Dirty {
		dirty = " (dirty: a migration failed halfway; fix it, then force the version)"
	}
	fmt.Fprintf(stdout, "schema version %d of %d%s\n", st.Version, len(st.Available), dirty)
	for _, v := range st.Available {
		mark := "pending"
		if v <= st.Version {
			mark = "applied"
		}
		fmt.Fprintf(stdout, "  %06d %s\n", v, mark)
	}
	return nil
}
