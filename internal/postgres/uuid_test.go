package postgres_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/arbokluis/arbokluis/internal/testenv"
)

// TestUUIDBinaryCodec: ids go to and come from PostgreSQL in binary through
// the registered codec, as values, pointers, NULLs and arrays.
func TestUUIDBinaryCodec(t *testing.T) {
	pool := testenv.Pool(t, testenv.Load(t).HRURL)
	ctx := context.Background()
	id := uuid.New()

	var text string
	var back uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT $1::uuid::text, $1::uuid`, id).Scan(&text, &back); err != nil {
		t.Fatalf("round trip of %s: %v", id, err)
	}
	if text != id.String() || back != id {
		t.Errorf("round trip of %s = text %q, value %s; want both equal", id, text, back)
	}

	var null uuid.UUID = uuid.New()
	var ptr *uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT NULL::uuid, NULL::uuid`).Scan(&null, &ptr); err != nil {
		t.Fatalf("scan NULL: %v", err)
	}
	if null != uuid.Nil || ptr != nil {
		t.Errorf("scan NULL = %s and %v, want uuid.Nil and a nil pointer", null, ptr)
	}
	if err := pool.QueryRow(ctx, `SELECT $1::uuid`, id).Scan(&ptr); err != nil || ptr == nil || *ptr != id {
		t.Errorf("scan %s into a pointer = %v (%v), want it", id, ptr, err)
	}

	ids := []uuid.UUID{uuid.New(), uuid.New()}
	var n int
	var got []uuid.UUID
	if err := pool.QueryRow(ctx, `SELECT cardinality($1::uuid[]), $1::uuid[]`, ids).Scan(&n, &got); err != nil {
		t.Fatalf("array round trip: %v", err)
	}
	if n != 2 || len(got) != 2 || got[0] != ids[0] || got[1] != ids[1] {
		t.Errorf("array round trip of %v = %d, %v; want the same two ids", ids, n, got)
	}
}
