package postgres

import (
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// uuidCodec encodes and scans github.com/google/uuid values in PostgreSQL's
// binary uuid format directly. Without it pgx goes through driver.Valuer and
// sql.Scanner, formatting every id as text and parsing it back, which was a
// measurable share of each statement's client-side cost.
type uuidCodec struct{ pgtype.UUIDCodec }

func (c uuidCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if format == pgtype.BinaryFormatCode {
		if _, ok := value.(uuid.UUID); ok {
			return encodeUUIDBinary{}
		}
	}
	return c.UUIDCodec.PlanEncode(m, oid, format, value)
}

func (c uuidCodec) PlanScan(m *pgtype.Map, oid uint32, format int16, target any) pgtype.ScanPlan {
	if format == pgtype.BinaryFormatCode {
		if _, ok := target.(*uuid.UUID); ok {
			return scanUUIDBinary{}
		}
	}
	return c.UUIDCodec.PlanScan(m, oid, format, target)
}

type encodeUUIDBinary struct{}

func (encodeUUIDBinary) Encode(value any, buf []byte) ([]byte, error) {
	id := value.(uuid.UUID)
	return append(buf, id[:]...), nil
}

type scanUUIDBinary struct{}

func (scanUUIDBinary) Scan(src []byte, dst any) error {
	// NULL scans as uuid.Nil, as uuid.UUID's own sql.Scanner does.
	if src == nil {
		*dst.(*uuid.UUID) = uuid.Nil
		return nil
	}
	if len(src) != 16 {
		return errUUIDLength
	}
	copy(dst.(*uuid.UUID)[:], src)
	return nil
}

type uuidError string

func (e uuidError) Error() string { return string(e) }

const errUUIDLength uuidError = "postgres: a binary uuid is not 16 bytes"

// registerUUID makes m encode and scan uuid.UUID (and arrays of it) in
// binary, directly.
func registerUUID(m *pgtype.Map) {
	t := &pgtype.Type{Name: "uuid", OID: pgtype.UUIDOID, Codec: uuidCodec{}}
	m.RegisterType(t)
	m.RegisterType(&pgtype.Type{Name: "_uuid", OID: pgtype.UUIDArrayOID, Codec: &pgtype.ArrayCodec{ElementType: t}})
}
