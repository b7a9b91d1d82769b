package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/arbokluis/arbokluis/internal/derrors"
	"github.com/arbokluis/arbokluis/internal/dossier"
)

// sealedColumns are the ciphertexts a dossier holds under its key, per
// kind: the table, the column, and whether the table keeps the key version
// in a column of its own.
var sealedColumns = []struct {
	kind          dossier.CiphertextKind
	table, column string
	versioned     bool
}{
	{dossier.CiphertextEntry, "entries", "ciphertext", true},
	{dossier.CiphertextAttachmentKey, "attachments", "wrapped_key", false},
	{dossier.CiphertextConsent, "consents", "sealed", false},
	{dossier.CiphertextInformationRequest, "information_requests", "sealed", false},
	{dossier.CiphertextDisclosure, "disclosures", "sealed", false},
	{dossier.CiphertextTransfer, "transfers", "sealed", false},
}

// sealedUnion returns one SELECT id, kind, ciphertext per kind, joined by
// UNION ALL, each restricted by where (which may use $1 as the dossier id
// and, with {version}, the ciphertext's key version) and, with perKind, by
// "ORDER BY id LIMIT $3".
func sealedUnion(where string, perKind bool) string {
	parts := make([]string, 0, len(sealedColumns))
	for _, c := range sealedColumns {
		version := "substring(" + c.column + " from '^vault:v([0-9]+):')::int"
		if c.versioned {
			version = "key_version"
		}
		q := fmt.Sprintf("SELECT id, '%s'::text AS kind, %s AS ct FROM medical.%s WHERE dossier_id = $1 AND %s",
			c.kind, c.column, c.table, strings.ReplaceAll(where, "{version}", version))
		if perKind {
			q = "(" + q + " ORDER BY id LIMIT $3)"
		}
		parts = append(parts, q)
	}
	return strings.Join(parts, "\nUNION ALL\n")
}

// Stale returns up to limit ciphertexts of a dossier below key version.
func (s *DossierStore) Stale(ctx context.Context, dossierID uuid.UUID, version, limit int) ([]dossier.Stale, error) {
	rows, _ := s.pool.Query(ctx, sealedUnion("{version} < $2", true)+"\nLIMIT $3", dossierID, version, limit)
	return collectStale(rows)
}

// staleRow is one ciphertext of a sealedUnion.
type staleRow struct {
	ID         uuid.UUID `db:"id"`
	Kind       string    `db:"kind"`
	Ciphertext string    `db:"ct"`
}

func (r staleRow) domain() dossier.Stale {
	return dossier.Stale{ID: r.ID, Kind: dossier.CiphertextKind(r.Kind), Ciphertext: r.Ciphertext}
}

// collectStale reads rows of (id, kind, ct).
func collectStale(rows pgx.Rows) ([]dossier.Stale, error) {
	out, err := collect[staleRow](rows)
	if err != nil {
		return nil, Translate(err)
	}
	return out, nil
}

// Replace stores rewrapped ciphertexts: the same content under version.
func (s *DossierStore) Replace(ctx context.Context, items []dossier.Stale, ciphertexts []string, version int) error {
	if len(items) != len(ciphertexts) {
		return fmt.Errorf("postgres: rewrap: %d ciphertexts for %d items", len(ciphertexts), len(items))
	}
	rewrapped := make([]dossier.Rewrapped, len(items))
	for i, x := range items {
		rewrapped[i] = dossier.Rewrapped{ID: x.ID, Kind: x.Kind, Old: x.Ciphertext, New: ciphertexts[i]}
	}
	return InTx(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := replaceSealed(ctx, tx, anyDossier, rewrapped)
		return err
	})
}

// dossierFilter says in which dossiers replaceSealed replaces: in one
// (inDossier) or, for the service-wide rewrap of a key version, in any
// (anyDossier). "Any" is said explicitly, never by a zero id.
type dossierFilter struct {
	any bool
	id  uuid.UUID
}

// anyDossier replaces in whichever dossier holds the old ciphertext.
var anyDossier = dossierFilter{any: true}

// inDossier replaces within dossier id only.
func inDossier(id uuid.UUID) dossierFilter { return dossierFilter{id: id} }

// replaceSealed stores each rewrapped ciphertext where its old one still
// is, within the dossiers of where, and returns how many it replaced. The
// key version of an entry follows its ciphertext. inDossier(uuid.Nil) is
// derrors.ErrNotFound: the nil id names no dossier.
func replaceSealed(ctx context.Context, tx pgx.Tx, where dossierFilter, rewrapped []dossier.Rewrapped) (int64, error) {
	if !where.any && where.id == uuid.Nil {
		return 0, fmt.Errorf("postgres: the nil id names no dossier: %w", derrors.ErrNotFound)
	}
	var n int64
	for _, c := range sealedColumns {
		var ids []uuid.UUID
		var olds, news []string
		for _, x := range rewrapped {
			if x.Kind == c.kind {
				ids, olds, news = append(ids, x.ID), append(olds, x.Old), append(news, x.New)
			}
		}
		if len(ids) == 0 {
			continue
		}
		set := fmt.Sprintf("%s = u.new", c.column)
		if c.versioned {
			set += ", key_version = substring(u.new from '^vault:v([0-9]+):')::int"
		}
		tag, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE medical.%s t SET %s
			FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(id, old, new)
			WHERE t.id = u.id AND t.%s = u.old AND ($4 OR t.dossier_id = $5)`, c.table, set, c.column),
			ids, olds, news, where.any, where.id)
		if err != nil {
			return n, Translate(err)
		}
		n += tag.RowsAffected()
	}
	return n, nil
}
