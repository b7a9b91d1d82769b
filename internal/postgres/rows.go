package postgres

import "github.com/jackc/pgx/v5"

// Rows are read by column name, never by position: each query's row has a
// row type of its own here (a struct whose db tags name its columns, kept
// apart from the domain's types) that pgx.RowToStructByName fills, and a
// domain method that converts it. A column the row type does not name, or
// a field the query does not select, is an error on the first read, not a
// value silently shifted into the wrong field. Scalar reads (a count, an
// existence check, one id) still use Scan.

// rowOf is a row type that converts to the domain type D.
type rowOf[D any] interface{ domain() D }

// scanAs reads one row by column name as R and converts it to D: a
// pgx.RowToFunc for pgx.CollectOneRow, pgx.CollectExactlyOneRow and
// pgx.CollectRows. Errors are pgx's, untranslated.
func scanAs[R rowOf[D], D any](row pgx.CollectableRow) (D, error) {
	r, err := pgx.RowToStructByName[R](row)
	if err != nil {
		var zero D
		return zero, err
	}
	return r.domain(), nil
}

// collect reads every row of rows by column name as R and returns them
// converted to D, an empty (never nil) slice when there are none. Errors
// are pgx's, untranslated.
func collect[R rowOf[D], D any](rows pgx.Rows) ([]D, error) {
	return pgx.CollectRows(rows, scanAs[R])
}
