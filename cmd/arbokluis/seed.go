package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/arbokluis/arbokluis/internal/config"
	"github.com/arbokluis/arbokluis/internal/employer"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// demoEmployer is the demo tenant that `seed` creates.
var demoEmployer = employer.Employer{Name: "Demo Bouw BV", KvKNumber: "90000001"}

// seedOutput is what `seed --json` prints.
type seedOutput struct {
	Employers []seedEmployer `json:"employers"`
}

type seedEmployer struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	KvKNumber string `json:"kvk_number"`
	Created   bool   `json:"created"`
}

// seedCmd creates the demo data through the services, idempotently.
func seedCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	asJSON := false
	for _, a := range args {
		if a != "--json" {
			return usageError(fmt.Sprintf("seed: unknown argument %q", a))
		}
		asJSON = true
	}
	if err := cfg.Require(config.EnvHRDatabaseURL); err != nil {
		return err
	}
	hr, err := postgres.Open(ctx, cfg.HRDatabaseURL, 2)
	if err != nil {
		return err
	}
	defer hr.Close()

	employers := employer.NewService(postgres.NewEmployerStore(hr))
	e, created, err := employers.Ensure(ctx, demoEmployer)
	if err != nil {
		return err
	}
	out := seedOutput{Employers: []seedEmployer{{ID: e.ID.String(), Name: e.Name, KvKNumber: e.KvKNumber, Created: created}}}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, e := range out.Employers {
		state := "exists"
		if e.Created {
			state = "created"
		}
		fmt.Fprintf(stdout, "employer %s %q (KvK %s): %s\n", e.ID, e.Name, e.KvKNumber, state)
	}
	return nil
}
