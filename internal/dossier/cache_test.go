package dossier

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestWriteCache(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	keyed := func() Dossier {
		return Dossier{ID: uuid.New(), EmployeeID: uuid.New(), Status: "open", KeyName: "dossier-x-g1", KeyReadyAt: now}
	}
	t.Run("fresh entries are found until they expire", func(t *testing.T) {
		c := newWriteCache(time.Second, 10)
		d := keyed()
		c.put(d, now)
		if got, ok := c.get(d.EmployeeID, now.Add(999*time.Millisecond)); !ok || got.ID != d.ID {
			t.Errorf("get(%s) before expiry = %v, %v; want the dossier", d.EmployeeID, got.ID, ok)
		}
		if _, ok := c.get(d.EmployeeID, now.Add(time.Second)); ok {
			t.Errorf("get(%s) at expiry = found, want gone", d.EmployeeID)
		}
	})
	t.Run("dossiers that take no writes are never cached", func(t *testing.T) {
		c := newWriteCache(time.Minute, 10)
		closed, unkeyed := keyed(), keyed()
		closed.Status, unkeyed.KeyReadyAt = "closed", time.Time{}
		for _, d := range []Dossier{closed, unkeyed} {
			c.put(d, now)
			if _, ok := c.get(d.EmployeeID, now); ok {
				t.Errorf("put(status %s, key ready %v) then get = found, want not cached", d.Status, !d.KeyReadyAt.IsZero())
			}
		}
	})
	t.Run("forget drops an entry", func(t *testing.T) {
		c := newWriteCache(time.Minute, 10)
		d := keyed()
		c.put(d, now)
		c.forget(d.EmployeeID)
		if _, ok := c.get(d.EmployeeID, now); ok {
			t.Errorf("get after forget = found, want gone")
		}
	})
	t.Run("the cache never grows past its bound", func(t *testing.T) {
		c := newWriteCache(time.Minute, 3)
		var last Dossier
		for i := 0; i < 10; i++ {
			last = keyed()
			c.put(last, now)
			if n := len(c.entries); n > 3 {
				t.Fatalf("after %d puts the cache holds %d, want at most 3", i+1, n)
			}
		}
		if _, ok := c.get(last.EmployeeID, now); !ok {
			t.Errorf("the latest put is not in the cache")
		}
	})
}
