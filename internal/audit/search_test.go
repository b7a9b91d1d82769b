package audit

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
)

func TestListed(t *testing.T) {
	a, b, c := uuid.MustParse("0a000000-0000-0000-0000-000000000000"), uuid.MustParse("b0000000-0000-0000-0000-000000000000"),
		uuid.MustParse("c0000000-0000-0000-0000-000000000001")
	tests := []struct {
		name string
		in   []uuid.UUID
		want []uuid.UUID
	}{
		{"sorted ascending", []uuid.UUID{c, a, b}, []uuid.UUID{a, b, c}},
		{"each once", []uuid.UUID{b, a, b, b, a}, []uuid.UUID{a, b}},
		{"nil ids dropped", []uuid.UUID{uuid.Nil, c, uuid.Nil}, []uuid.UUID{c}},
		{"one person", []uuid.UUID{a}, []uuid.UUID{a}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Event{SubjectEmployeeID: a, Action: ActionRead, ObjectKind: "signals"}.Listed(tt.in)
			if !slices.Equal(e.Subjects, tt.want) || e.SubjectEmployeeID != uuid.Nil {
				t.Errorf("Listed(%v) = subjects %v, subject %v; want subjects %v and no subject", tt.in, e.Subjects, e.SubjectEmployeeID, tt.want)
			}
		})
	}
}

type fakeReader []Record

func (f fakeReader) Events(context.Context, Filter) ([]Record, error) { return f, nil }

type fakeRecorder struct{ events []Event }

func (f *fakeRecorder) Record(_ context.Context, e Event) error {
	f.events = append(f.events, e)
	return nil
}

// TestSearchRecordsOneEvent: a search is one search event, listing every
// person the returned events are about — subjects and the people listed by
// list reads among them — or none when no event is about anyone.
func TestSearchRecordsOneEvent(t *testing.T) {
	p1, p2, p3 := uuid.New(), uuid.New(), uuid.New()
	listRead := Event{Action: ActionRead, ObjectKind: "employer_overview"}.Listed([]uuid.UUID{p2, p3})
	tests := []struct {
		name   string
		events fakeReader
		want   []uuid.UUID
	}{
		{"nothing found", nil, nil},
		{"events about nobody", fakeReader{{Seq: 1, Event: Event{Action: ActionLogin}}}, nil},
		{"subjects and listed people, each once", fakeReader{
			{Seq: 1, Event: Event{SubjectEmployeeID: p1}}, {Seq: 2, Event: listRead}, {Seq: 3, Event: Event{SubjectEmployeeID: p2}},
		}, Event{}.Listed([]uuid.UUID{p1, p2, p3}).Subjects},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &fakeRecorder{}
			officer := uuid.New()
			got, err := NewLog(tt.events, rec).Search(context.Background(), Event{ActorUserID: officer, ActorRole: "privacy_officer"}, Filter{Limit: 50})
			if err != nil || len(got) != len(tt.events) {
				t.Fatalf("Search = %d records, %v; want %d", len(got), err, len(tt.events))
			}
			if len(rec.events) != 1 {
				t.Fatalf("Search recorded %d events, want exactly 1", len(rec.events))
			}
			e := rec.events[0]
			if e.Action != ActionSearch || e.ObjectKind != "audit_events" || e.ActorUserID != officer || e.SubjectEmployeeID != uuid.Nil ||
				!slices.Equal(e.Subjects, tt.want) {
				t.Errorf("Search recorded %+v, want a search of audit_events by the officer with subjects %v", e, tt.want)
			}
		})
	}
}
