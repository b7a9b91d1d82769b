package audit

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

// fakeStore holds a head and checkpoints; Append reports nothing to move.
type fakeStore struct {
	head int64
	cps  []Checkpoint
}

func (f *fakeStore) Append(context.Context, int, time.Time) (Appended, error) {
	return Appended{Locked: true}, nil
}
func (f *fakeStore) Head(context.Context) (int64, []byte, error) {
	return f.head, make([]byte, 32), nil
}
func (f *fakeStore) LastCheckpoint(context.Context) (Checkpoint, error) {
	if len(f.cps) == 0 {
		return Checkpoint{}, nil
	}
	return f.cps[len(f.cps)-1], nil
}
func (f *fakeStore) AddCheckpoint(_ context.Context, cp Checkpoint) error {
	cp.CreatedAt = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	f.cps = append(f.cps, cp)
	return nil
}
func (f *fakeStore) OldestPending(context.Context) (time.Time, error)  { return time.Time{}, nil }
func (f *fakeStore) Checkpoints(context.Context) ([]Checkpoint, error) { return f.cps, nil }
func (f *fakeStore) Walk(context.Context, func(Link) error) error      { return nil }

type fakeSigner struct{}

func (fakeSigner) SignCheckpoint(context.Context, []byte) (string, error) {
	return "vault:v1:AA==", nil
}
func (fakeSigner) CheckpointPublicKeys(context.Context) (map[string]string, error) {
	return map[string]string{}, nil
}
func (fakeSigner) VerifyCheckpoint(context.Context, []byte, string) (bool, error) { return true, nil }

func TestCheckpointsAreDueEveryNEventsAndHourly(t *testing.T) {
	noon := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		head     int64
		last     *Checkpoint
		now      time.Time
		wantSign bool
	}{
		{"empty trail", 0, nil, noon, false},
		{"first events, fewer than N, no checkpoint for over an hour", 5, nil, noon, true},
		{"N events since the last", 110, &Checkpoint{Seq: 10, CreatedAt: noon}, noon.Add(time.Minute), true},
		{"fewer than N within the hour", 109, &Checkpoint{Seq: 10, CreatedAt: noon}, noon.Add(59 * time.Minute), false},
		{"fewer than N but an hour passed", 11, &Checkpoint{Seq: 10, CreatedAt: noon}, noon.Add(time.Hour), true},
		{"an hour passed without new events", 10, &Checkpoint{Seq: 10, CreatedAt: noon}, noon.Add(3 * time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &fakeStore{head: tt.head}
			if tt.last != nil {
				st.cps = []Checkpoint{*tt.last}
			}
			before := len(st.cps)
			a := NewAppender(st, fakeSigner{}, slog.New(slog.NewTextHandler(io.Discard, nil)),
				AppenderOptions{CheckpointEvery: 100, CheckpointMax: time.Hour, Now: func() time.Time { return tt.now }})
			if err := a.Drain(context.Background()); err != nil {
				t.Fatalf("Drain: %v", err)
			}
			if signed := len(st.cps) > before; signed != tt.wantSign {
				t.Errorf("Drain(head %d, last %+v, now %v) signed = %v, want %v", tt.head, tt.last, tt.now, signed, tt.wantSign)
			}
		})
	}
}
