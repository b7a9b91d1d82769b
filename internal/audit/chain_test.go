package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestCanonicalIsTheDocumentedForm(t *testing.T) {
	r := Record{Seq: 42, Time: time.Date(2026, 11, 22, 9, 30, 1, 123456789, time.FixedZone("CET", 3600)), Event: Event{
		ActorUserID: uuid.MustParse("11111111-1111-1111-1111-111111111111"), ActorRole: "medical_assistant",
		OnBehalfOf:        uuid.MustParse("22222222-2222-2222-2222-222222222222"),
		SubjectEmployeeID: uuid.MustParse("33333333-3333-3333-3333-333333333333"),
		Action:            ActionRead, ObjectKind: "dossier", ObjectID: `a"<b>`, Outcome: OutcomeOK,
		RequestID: "req-12345678", ClientIP: netip.MustParseAddr("192.0.2.7"),
	}}
	want := `{"seq":42,"time":"2026-11-22T08:30:01.123456Z","actor_user_id":"11111111-1111-1111-1111-111111111111",` +
		`"actor_role":"medical_assistant","on_behalf_of":"22222222-2222-2222-2222-222222222222",` +
		`"subject_employee_id":"33333333-3333-3333-3333-333333333333","tenant_id":null,"action":"read",` +
		`"object_kind":"dossier","object_id":"a\"<b>","outcome":"ok","request_id":"req-12345678","client_ip":"192.0.2.7"}`
	if got := string(Canonical(r)); got != want {
		t.Errorf("Canonical(%+v) =\n%s\nwant\n%s", r, got, want)
	}
}

// chain builds n valid links: events about one person, and at every
// third seq a list read carrying three people.
func chain(n int) []Link {
	var out []Link
	prev := Genesis
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		r := Record{Seq: int64(i), Time: t0.Add(time.Duration(i) * time.Second), Event: Event{
			ActorUserID: uuid.New(), ActorRole: "physician", SubjectEmployeeID: uuid.New(), Action: ActionRead,
			ObjectKind: "dossier", Outcome: OutcomeOK}}
		if i%3 == 0 {
			r.Event = r.Listed([]uuid.UUID{uuid.New(), uuid.New(), uuid.New()})
			r.ActorRole, r.ObjectKind = "employer", "employer_overview"
		}
		h := Hash(prev, r)
		out = append(out, Link{Record: r, PrevHash: prev, Hash: h})
		prev = h
	}
	return out
}

type edVerifier struct{ pub ed25519.PublicKey }

func (v edVerifier) VerifyCheckpoint(_ context.Context, msg []byte, sig string) (bool, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sig, "vault:v1:"))
	if err != nil {
		return false, nil
	}
	return ed25519.Verify(v.pub, msg, raw), nil
}

func sign(priv ed25519.PrivateKey, seq int64, hash []byte) Checkpoint {
	return Checkpoint{Seq: seq, Hash: hash, Signature: "vault:v1:" + base64.StdEncoding.EncodeToString(ed25519.Sign(priv, CheckpointMessage(seq, hash)))}
}

func verify(t *testing.T, links []Link, cps []Checkpoint, v Verifier) *Break {
	t.Helper()
	var seqs []int64
	for _, cp := range cps {
		seqs = append(seqs, cp.Seq)
	}
	c := NewChain(seqs)
	for _, l := range links {
		if b := c.Add(l); b != nil {
			return b
		}
	}
	b, err := c.Checkpoints(context.Background(), cps, v)
	if err != nil {
		t.Fatalf("Checkpoints: %v", err)
	}
	return b
}

func TestChainDetectsTampering(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	v := edVerifier{pub}
	tests := []struct {
		name   string
		tamper func(links []Link, cps []Checkpoint) ([]Link, []Checkpoint)
		want   int64 // first bad seq; 0 for intact
	}{
		{"intact", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) { return l, c }, 0},
		{"field changed", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) {
			l[6].Outcome = OutcomeDenied
			return l, c
		}, 7},
		{"a person removed from a list read", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) {
			l[8].Subjects = l[8].Subjects[1:]
			return l, c
		}, 9},
		{"a person added to a list read", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) {
			l[8].Subjects = append(l[8].Subjects, uuid.New())
			return l, c
		}, 9},
		{"a list read's people replaced", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) {
			l[8].Subjects[1] = uuid.New()
			return l, c
		}, 9},
		{"a list read's people dropped", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) {
			l[8].Subjects = nil
			return l, c
		}, 9},
		{"subjects given to an event about one person", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) {
			l[9].Subjects = []uuid.UUID{l[9].SubjectEmployeeID}
			return l, c
		}, 10},
		{"row deleted", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) {
			return append(l[:11:11], l[12:]...), c
		}, 12},
		{"last rows deleted", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) { return l[:18], c }, 19},
		{"two rows swapped", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) {
			l[3], l[4] = l[4], l[3]
			return l, c
		}, 4},
		{"swapped with seqs renumbered", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) {
			l[3].Record, l[4].Record = l[4].Record, l[3].Record
			l[3].Seq, l[4].Seq = 4, 5
			return l, c
		}, 4},
		{"rewritten consistently from seq 13", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) {
			prev := l[11].Hash
			for i := 12; i < len(l); i++ {
				l[i].ActorRole = "admin"
				l[i].PrevHash, l[i].Hash = prev, Hash(prev, l[i].Record)
				prev = l[i].Hash
			}
			return l, c
		}, 11},
		{"rewritten with a forged checkpoint", func(l []Link, c []Checkpoint) ([]Link, []Checkpoint) {
			prev := l[11].Hash
			for i := 12; i < len(l); i++ {
				l[i].ActorRole = "admin"
				l[i].PrevHash, l[i].Hash = prev, Hash(prev, l[i].Record)
				prev = l[i].Hash
			}
			c[1].Hash = l[19].Hash // signature still over the old hash
			return l, c
		}, 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			links := chain(20)
			cps := []Checkpoint{sign(priv, 10, links[9].Hash), sign(priv, 20, links[19].Hash)}
			links, cps = tt.tamper(links, cps)
			b := verify(t, links, cps, v)
			switch {
			case tt.want == 0 && b != nil:
				t.Errorf("verify(%s) = %v, want intact", tt.name, b)
			case tt.want != 0 && b == nil:
				t.Errorf("verify(%s) = intact, want a break at seq %d", tt.name, tt.want)
			case tt.want != 0 && b.Seq != tt.want:
				t.Errorf("verify(%s) = break at seq %d (%s), want seq %d", tt.name, b.Seq, b.Reason, tt.want)
			}
		})
	}
}

func TestCanonicalOfAListRead(t *testing.T) {
	ev := Event{
		ActorUserID: uuid.MustParse("11111111-1111-1111-1111-111111111111"), ActorRole: "employer",
		TenantID: uuid.MustParse("44444444-4444-4444-4444-444444444444"),
		Action:   ActionRead, ObjectKind: "employer_overview", ObjectID: "44444444-4444-4444-4444-444444444444", Outcome: OutcomeOK,
	}.Listed([]uuid.UUID{
		uuid.MustParse("66666666-6666-6666-6666-666666666666"), uuid.MustParse("55555555-5555-5555-5555-555555555555"),
		uuid.MustParse("66666666-6666-6666-6666-666666666666"), uuid.Nil,
	})
	rec := Record{Seq: 43, Time: time.Date(2026, 11, 22, 8, 30, 2, 0, time.UTC), Event: ev}
	want := `{"seq":43,"time":"2026-11-22T08:30:02.000000Z","actor_user_id":"11111111-1111-1111-1111-111111111111",` +
		`"actor_role":"employer","on_behalf_of":null,"subject_employee_id":null,"tenant_id":"44444444-4444-4444-4444-444444444444",` +
		`"action":"read","object_kind":"employer_overview","object_id":"44444444-4444-4444-4444-444444444444","outcome":"ok",` +
		`"request_id":null,"client_ip":null,` +
		`"subjects":["55555555-5555-5555-5555-555555555555","66666666-6666-6666-6666-666666666666"]}`
	if got := string(Canonical(rec)); got != want {
		t.Errorf("Canonical(list read) =\n%s\nwant\n%s", got, want)
	}
}

// TestCanonicalWithoutSubjectsIsUnchanged: an event without subjects —
// every event written before list reads carried them — has exactly the
// form and hash it had, whether its subjects are nil or empty.
func TestCanonicalWithoutSubjectsIsUnchanged(t *testing.T) {
	base := Record{Seq: 7, Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Event: Event{
		ActorUserID: uuid.MustParse("11111111-1111-1111-1111-111111111111"), ActorRole: "case_manager",
		SubjectEmployeeID: uuid.MustParse("33333333-3333-3333-3333-333333333333"), Action: ActionRead,
		ObjectKind: "employee", ObjectID: "33333333-3333-3333-3333-333333333333", Outcome: OutcomeOK}}
	// The hash of this event as computed before subjects existed.
	const pinnedHash = "e6864ac30a88b6bd06a33dd9aaca4a5bb2db5416ed04745fe28443f70c33ae7d"
	for _, subjects := range [][]uuid.UUID{nil, {}} {
		r := base
		r.Subjects = subjects
		if got := hex.EncodeToString(Hash(Genesis, r)); got != pinnedHash {
			t.Errorf("Hash(event with subjects %v) = %s, want %s", subjects, got, pinnedHash)
		}
		if strings.Contains(string(Canonical(r)), "subjects") {
			t.Errorf("Canonical(event with subjects %v) = %s, want no subjects field", subjects, Canonical(r))
		}
	}
}
