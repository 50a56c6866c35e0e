package demo

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"linli/internal/db"
)

// Parameters per statement. PostgreSQL takes up to 65535 and gains from few round trips; the
// SQLite driver binds each parameter by name, which grows with the statement's parameter count, so
// short statements are much faster there (measured: 0.5 s for the demo at 300, 4.6 s at 8,500).
const (
	postgresParams = 30000
	sqliteParams   = 300
)

// insertRows writes rows into table with multi-row INSERTs. wrap, when not nil, may wrap a
// column's placeholder in an SQL expression (the full-text column).
func insertRows(ctx context.Context, tx *db.Tx, table string, cols []string, wrap func(col int, ph string) string, rows [][]any) error {
	limit := sqliteParams
	if tx.Dialect == db.Postgres {
		limit = postgresParams
	}
	per := max(1, min(500, limit/len(cols)))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(chunk)*len(cols))
		for i, row := range chunk {
			if len(row) != len(cols) {
				return fmt.Errorf("insert %s: row has %d values for %d columns", table, len(row), len(cols))
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteByte('(')
			for c, v := range row {
				if c > 0 {
					sb.WriteString(", ")
				}
				args = append(args, v)
				ph := "$" + strconv.Itoa(len(args))
				if wrap != nil {
					ph = wrap(c, ph)
				}
				sb.WriteString(ph)
			}
			sb.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return nil
}

// orNull turns an empty value into SQL NULL, so that an absent number has no blind index.
func orNull[T string | []byte](v T) any {
	if len(v) == 0 {
		return nil
	}
	return v
}
