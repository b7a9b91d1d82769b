package postgres_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/access"
	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/postgres"
)

// TestDirectory: people are named by their display name, employer users
// with their employer's name too, across tenants; unknown users are left
// out, and an unknown employee has no name.
func TestDirectory(t *testing.T) {
	w := newWorld(t)
	dir := postgres.NewDirectory(w.hr)
	a, b := w.employer(), w.employer()
	w.exec(`UPDATE hr.employers SET name = 'Bakkerij A' WHERE id = $1`, a)
	erA, erB, physician := w.user(access.RoleEmployer, a), w.user(access.RoleEmployer, b), w.user(access.RolePhysician, uuid.Nil)
	w.exec(`UPDATE hr.users SET display_name = 'Dokter Test' WHERE id = $1`, physician)

	people, err := dir.People(w.ctx, []uuid.UUID{erA, erB, physician, uuid.New()})
	if err != nil || len(people) != 3 || people[erA].EmployerName != "Bakkerij A" || people[erA].Name != "Test Gebruiker" ||
		people[erB].EmployerName != "RLS test" || people[physician].Name != "Dokter Test" || people[physician].EmployerName != "" {
		t.Errorf("People = %+v, %v; want both employer users with their employers and the physician without", people, err)
	}
	if people, err := dir.People(w.ctx, nil); err != nil || len(people) != 0 {
		t.Errorf("People(none) = %+v, %v; want an empty map", people, err)
	}
	if name, err := dir.EmployeeName(w.ctx, w.employee(b)); err != nil || name != "Anna Jansen" {
		t.Errorf("EmployeeName = %q, %v; want Anna Jansen", name, err)
	}
	if name, err := dir.EmployeeName(w.ctx, uuid.New()); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("EmployeeName(unknown id) = %q, %v; want derrors.ErrNotFound", name, err)
	}
}
