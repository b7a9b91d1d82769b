package dossier

import (
	"sync"
	"time"

	"github.com/google/uuid"
)

// writeCache remembers, for a short time, the dossiers recently written
// into, so that a write needs no lookup round trip before it encrypts.
//
// It never decides access on its own authority: every write is stored by a
// statement guarded on exactly the fields the cached decision rests on (the
// dossier id, its key name, its responsible physician and open status), so
// a stale entry makes the write fail with a conflict, after which the
// writer forgets the entry and decides again from the store. Emergency
// access is never taken from the cache. What is cached is ids, a status
// and a key name: nothing medical.
type writeCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[uuid.UUID]cachedDossier
}

type cachedDossier struct {
	d       Dossier
	expires time.Time
}

// Bounds of the write cache: an entry lives at most writeCacheTTL and the
// cache holds at most writeCacheMax dossiers.
const (
	writeCacheTTL = 30 * time.Second
	writeCacheMax = 4096
)

func newWriteCache(ttl time.Duration, max int) *writeCache {
	return &writeCache{ttl: ttl, max: max, entries: make(map[uuid.UUID]cachedDossier)}
}

// get returns the cached dossier of employeeID, if it is there and fresh
// at now, open and keyed.
func (c *writeCache) get(employeeID uuid.UUID, now time.Time) (Dossier, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[employeeID]
	if !ok {
		return Dossier{}, false
	}
	if !now.Before(e.expires) {
		delete(c.entries, employeeID)
		return Dossier{}, false
	}
	return e.d, true
}

// put remembers d, an open dossier whose key exists, from now on.
func (c *writeCache) put(d Dossier, now time.Time) {
	if d.Status != "open" || d.KeyReadyAt.IsZero() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[d.EmployeeID]; !ok && len(c.entries) >= c.max {
		// Evict expired entries first, then an arbitrary one.
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < c.max {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[d.EmployeeID] = cachedDossier{d: d, expires: now.Add(c.ttl)}
}

// forget drops the entry of employeeID.
func (c *writeCache) forget(employeeID uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, employeeID)
}
