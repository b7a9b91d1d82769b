package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Record is an event as appended to the trail: its place in the chain
// (Seq, gapless from 1) and when it happened.
type Record struct {
	Seq  int64
	Time time.Time
	Event
}

// HashSize is the length of a chain hash (SHA-256).
const HashSize = sha256.Size

// Genesis is the prev_hash of the first record: 32 zero bytes.
var Genesis = make([]byte, HashSize)

// Canonical returns the canonical form of r that the chain hashes, as
// documented in docs/audit.md: a JSON object without whitespace, UTF-8,
// with the fields in this fixed order — seq, time, actor_user_id,
// actor_role, on_behalf_of, subject_employee_id, tenant_id, action,
// object_kind, object_id, outcome, request_id, client_ip, and then, only
// when r.Subjects is not empty, subjects (an array of uuid strings in the
// order held) — where time is UTC truncated to microseconds in RFC 3339
// with exactly six fractional digits, absent values are null, and strings
// are escaped as encoding/json does without HTML escaping. An event
// without subjects has the same form, and so the same hash, as before
// subjects existed.
func Canonical(r Record) []byte {
	var b bytes.Buffer
	b.Grow(512 + 39*len(r.Subjects))
	b.WriteString(`{"seq":`)
	b.WriteString(strconv.FormatInt(r.Seq, 10))
	b.WriteString(`,"time":"`)
	b.WriteString(r.Time.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z"))
	b.WriteByte('"')
	field := func(name, v string) {
		b.WriteString(`,"`)
		b.WriteString(name)
		b.WriteString(`":`)
		if v == "" {
			b.WriteString("null")
			return
		}
		writeString(&b, v)
	}
	id := func(u uuid.UUID) string {
		if u == uuid.Nil {
			return ""
		}
		return u.String()
	}
	ip := ""
	if r.ClientIP.IsValid() {
		ip = r.ClientIP.String()
	}
	field("actor_user_id", id(r.ActorUserID))
	field("actor_role", r.ActorRole)
	field("on_behalf_of", id(r.OnBehalfOf))
	field("subject_employee_id", id(r.SubjectEmployeeID))
	field("tenant_id", id(r.TenantID))
	field("action", string(r.Action))
	field("object_kind", r.ObjectKind)
	field("object_id", r.ObjectID)
	field("outcome", string(r.Outcome))
	field("request_id", r.RequestID)
	field("client_ip", ip)
	if len(r.Subjects) > 0 {
		b.WriteString(`,"subjects":[`)
		for i, s := range r.Subjects {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('"')
			b.WriteString(s.String())
			b.WriteByte('"')
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.Bytes()
}

// writeString writes s as a JSON string without HTML escaping.
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode appends a newline
}

// Hash returns SHA-256(prev ‖ Canonical(r)).
func Hash(prev []byte, r Record) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(Canonical(r))
	return h.Sum(nil)
}

// Link is a stored record with its chain hashes.
type Link struct {
	Record
	PrevHash, Hash []byte
}

// Checkpoint is a signed statement that the chain had Hash at Seq.
type Checkpoint struct {
	Seq       int64
	Hash      []byte
	Signature string // Vault transit signature, "vault:v<n>:<base64>"
	CreatedAt time.Time
}

// CheckpointMessage is what a checkpoint signature covers.
func CheckpointMessage(seq int64, hash []byte) []byte {
	return []byte("arbokluis-audit-checkpoint:v1:" + strconv.FormatInt(seq, 10) + ":" + hex.EncodeToString(hash))
}

// Break describes the first place where the trail is not what was appended.
type Break struct {
	Seq    int64
	Reason string
}

func (b *Break) Error() string {
	return fmt.Sprintf("audit: chain broken at seq %d: %s", b.Seq, b.Reason)
}

// Verifier checks checkpoint signatures.
type Verifier interface {
	// VerifyCheckpoint reports whether signature is a valid signature of
	// message by the audit checkpoint key.
	VerifyCheckpoint(ctx context.Context, message []byte, signature string) (bool, error)
}

// Chain verifies links fed to it in seq order, then checkpoints.
type Chain struct {
	next   int64
	prev   []byte
	hashes map[int64][]byte // recomputed hash at each checkpointed seq
	want   map[int64]bool
	broken *Break
}

// NewChain returns a verifier that expects seq 1 first and will compare
// the chain against checkpoints at the given seqs.
func NewChain(checkpointSeqs []int64) *Chain {
	c := &Chain{next: 1, prev: Genesis, hashes: map[int64][]byte{}, want: map[int64]bool{}}
	for _, s := range checkpointSeqs {
		c.want[s] = true
	}
	return c
}

// Add checks the next link: its seq follows the previous one, its
// prev_hash is the previous hash, and its hash is the hash of its content.
// It returns the first break found (and keeps returning it).
func (c *Chain) Add(l Link) *Break {
	if c.broken != nil {
		return c.broken
	}
	switch {
	case l.Seq != c.next:
		c.broken = &Break{Seq: c.next, Reason: fmt.Sprintf("expected seq %d, found %d (a gap, a deleted or re-ordered row)", c.next, l.Seq)}
	case !bytes.Equal(l.PrevHash, c.prev):
		c.broken = &Break{Seq: l.Seq, Reason: "prev_hash is not the hash of the previous event"}
	case !bytes.Equal(l.Hash, Hash(c.prev, l.Record)):
		c.broken = &Break{Seq: l.Seq, Reason: "hash does not match the event's content"}
	}
	if c.broken != nil {
		return c.broken
	}
	if c.want[l.Seq] {
		c.hashes[l.Seq] = l.Hash
	}
	c.prev, c.next = l.Hash, l.Seq+1
	return nil
}

// Last returns the seq and hash of the last link added.
func (c *Chain) Last() (int64, []byte) { return c.next - 1, c.prev }

// Checkpoints checks each checkpoint, in seq order, against the recomputed
// chain and its signature. A chain rewritten consistently from some point
// passes Add but not this: the first checkpoint at or after the rewrite
// no longer matches. The break then names the first seq after the last
// checkpoint that still holds — the earliest event that may have been
// rewritten.
func (c *Chain) Checkpoints(ctx context.Context, cps []Checkpoint, v Verifier) (*Break, error) {
	if c.broken != nil {
		return c.broken, nil
	}
	good := int64(0)
	for _, cp := range cps {
		if cp.Seq > c.next-1 {
			return &Break{Seq: c.next, Reason: fmt.Sprintf("checkpoint at seq %d lies beyond the last event %d (events were deleted)", cp.Seq, c.next-1)}, nil
		}
		ok, err := v.VerifyCheckpoint(ctx, CheckpointMessage(cp.Seq, cp.Hash), cp.Signature)
		if err != nil {
			return nil, err
		}
		switch {
		case !ok:
			return &Break{Seq: good + 1, Reason: fmt.Sprintf("checkpoint at seq %d has an invalid signature", cp.Seq)}, nil
		case !bytes.Equal(cp.Hash, c.hashes[cp.Seq]):
			return &Break{Seq: good + 1, Reason: fmt.Sprintf("the chain no longer matches the signed checkpoint at seq %d", cp.Seq)}, nil
		}
		good = cp.Seq
	}
	return nil, nil
}
