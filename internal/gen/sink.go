package gen

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"linli/internal/db"
)

// columns lists, per table, the columns the generator writes, in the order of its rows.
var columns = map[string][]string{
	"regions":          {"id", "parent_id", "level", "code", "name", "path", "created_at"},
	"grids":            {"id", "community_id", "number", "kind", "boundary", "note", "updated_at"},
	"users":            {"id", "username", "name", "password_hash", "role", "region_id", "org_name", "password_changed_at", "created_at", "updated_at"},
	"grid_roster":      {"id", "grid_id", "region_id", "duty", "name", "phone_enc", "phone_index", "phone_masked", "user_id", "created_at", "updated_at"},
	"buildings":        {"id", "region_id", "community_id", "grid_id", "name", "address", "kind", "lon", "lat", "units", "floors", "created_at", "updated_at", "sort_name", "household_count", "resident_count"},
	"households":       {"id", "region_id", "community_id", "building_id", "unit", "room", "kind", "created_at", "updated_at"},
	"residents":        {"id", "region_id", "community_id", "household_id", "name", "gender", "birth_date", "id_enc", "id_index", "id_masked", "phone_enc", "phone_index", "phone_masked", "relation", "residence_type", "ethnicity", "created_at", "updated_at"},
	"resident_tags":    {"resident_id", "tag", "region_id", "since"},
	"resident_fts":     {"rowid", "tokens"},
	"party_orgs":       {"id", "region_id", "parent_id", "kind", "name", "grid_id", "secretary", "founded_on", "created_at", "updated_at"},
	"party_members":    {"id", "region_id", "org_id", "resident_id", "name", "gender", "phone_enc", "phone_index", "phone_masked", "joined_on", "status", "kind", "employment", "created_at", "updated_at"},
	"case_counters":    {"community_id", "year", "last"},
	"cases":            {"id", "number", "community_id", "region_id", "grid_id", "channel", "category_id", "priority", "title", "description", "address", "building_id", "household_id", "resident_id", "lon", "lat", "reporter_name", "reporter_phone_enc", "reporter_phone_index", "reporter_phone_masked", "external_no", "external_deadline", "state", "outcome", "received_at", "accept_deadline", "accepted_at", "dispatched_at", "sign_deadline", "handle_deadline", "reported_at", "reported_by", "closed_at", "closed_by", "handle_minutes", "callback_deadline", "callback_at", "callback_resolved", "callback_satisfaction", "handler_id", "overdue", "tracking_code", "merged_into", "created_by", "created_at", "updated_at"},
	"case_events":      {"id", "case_id", "region_id", "at", "user_id", "actor_name", "action", "from_state", "to_state", "note", "public"},
	"case_assignments": {"id", "case_id", "region_id", "role", "target_kind", "target_grid_id", "target_name", "status", "dispatched_by", "dispatched_at", "sign_deadline", "signed_at", "signed_by"},
	"case_callbacks":   {"id", "case_id", "region_id", "at", "by_user_id", "method", "resolved", "satisfaction", "note"},
	"case_fts":         {"rowid", "tokens"},
	"visits":           {"id", "client_uuid", "kind", "region_id", "household_id", "method", "visited_on", "situation", "needs", "created_by", "created_at"},
	"visit_residents":  {"visit_id", "resident_id"},
	"care_last_visits": {"resident_id", "last_on"},
}

// bulkTables are the tables whose secondary indexes are dropped during the load and built after it.
var bulkTables = []string{"buildings", "households", "residents", "resident_tags", "resident_fts", "party_members",
	"grid_roster", "cases", "case_events", "case_assignments", "case_callbacks", "case_fts", "visits",
	"visit_residents"}

// ftsTables hold token strings that PostgreSQL stores as tsvector.
var ftsTables = map[string]bool{"resident_fts": true, "case_fts": true}

// sink writes batches of rows of one table.
type sink interface {
	write(ctx context.Context, table string, rows [][]any) error
	// flush commits what was written so far.
	flush(ctx context.Context) error
	close(ctx context.Context) error
}

// sqliteSink writes with multi-row INSERTs of about sqliteParams parameters, prepared once per
// table, inside transactions of about txRows rows.
type sqliteSink struct {
	conn    *sql.Conn
	tx      *sql.Tx
	stmts   map[string]*sql.Stmt
	pending int
	params  int
}

const txRows = 500_000

func newSQLiteSink(ctx context.Context, d *db.DB, params int) (*sqliteSink, error) {
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return nil, err
	}
	// The load is one-off and restartable: no fsync per commit, no foreign-key lookups per row
	// (the generator writes consistent ids), and a large page cache.
	for _, p := range []string{"PRAGMA synchronous = OFF", "PRAGMA foreign_keys = OFF", "PRAGMA cache_size = -262144"} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			conn.Close()
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return &sqliteSink{conn: conn, stmts: map[string]*sql.Stmt{}, params: params}, nil
}

// insertSQL builds a multi-row INSERT; SQLite gets anonymous ? placeholders, which the driver binds
// without looking each one up by name (with $n the lookup grows with the statement and dominated
// the load).
func insertSQL(table string, cols []string, n int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for c := range cols {
			if c > 0 {
				sb.WriteString(", ")
			}
			sb.WriteByte('?')
		}
		sb.WriteByte(')')
	}
	return sb.String()
}

func (s *sqliteSink) write(ctx context.Context, table string, rows [][]any) error {
	if s.tx == nil {
		tx, err := s.conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		s.tx = tx
	}
	cols := columns[table]
	per := max(1, s.params/len(cols))
	args := make([]any, 0, per*len(cols))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r...)
		}
		if len(chunk) < per {
			if _, err := s.tx.ExecContext(ctx, insertSQL(table, cols, len(chunk)), args...); err != nil {
				return fmt.Errorf("insert %s: %w", table, err)
			}
			continue
		}
		st := s.stmts[table]
		if st == nil {
			var err error
			if st, err = s.tx.PrepareContext(ctx, insertSQL(table, cols, per)); err != nil {
				return fmt.Errorf("prepare %s: %w", table, err)
			}
			s.stmts[table] = st
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
	}
	s.pending += len(rows)
	if s.pending >= txRows {
		return s.flush(ctx)
	}
	return nil
}

func (s *sqliteSink) flush(ctx context.Context) error {
	if s.tx == nil {
		return nil
	}
	for k, st := range s.stmts {
		st.Close()
		delete(s.stmts, k)
	}
	err := s.tx.Commit()
	s.tx, s.pending = nil, 0
	return err
}

func (s *sqliteSink) close(ctx context.Context) error {
	err := s.flush(ctx)
	for _, p := range []string{"PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL", "PRAGMA cache_size = -32000"} {
		if _, perr := s.conn.ExecContext(ctx, p); err == nil && perr != nil {
			err = perr
		}
	}
	if cerr := s.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// pgSink writes with COPY through pgx on one connection.
type pgSink struct {
	conn *sql.Conn
}

func newPGSink(ctx context.Context, d *db.DB) (*pgSink, error) {
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return nil, err
	}
	// Skip the per-row foreign-key triggers when allowed (superuser); the generator writes
	// consistent ids. Without the privilege the checks simply run.
	if _, err := conn.ExecContext(ctx, "SET session_replication_role = replica"); err != nil {
		_, _ = conn.ExecContext(ctx, "RESET session_replication_role")
	}
	_, _ = conn.ExecContext(ctx, "SET synchronous_commit = off")
	return &pgSink{conn: conn}, nil
}

func (s *pgSink) write(ctx context.Context, table string, rows [][]any) error {
	if ftsTables[table] {
		for _, r := range rows {
			r[1] = tsvector(r[1].(string))
		}
	}
	return s.conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		_, err := c.CopyFrom(ctx, pgx.Identifier{table}, columns[table], pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		return nil
	})
}

// tsvector is the value to_tsvector('simple', tokens) gives for a search.Tokens string (its
// tokens are already lower-case words).
func tsvector(tokens string) pgtype.TSVector {
	words := strings.Fields(tokens)
	v := pgtype.TSVector{Valid: true, Lexemes: make([]pgtype.TSVectorLexeme, len(words))}
	for i, w := range words {
		v.Lexemes[i] = pgtype.TSVectorLexeme{Word: w}
	}
	return v
}

func (s *pgSink) flush(context.Context) error { return nil }

func (s *pgSink) close(ctx context.Context) error {
	_, _ = s.conn.ExecContext(ctx, "RESET session_replication_role")
	return s.conn.Close()
}

// index is a secondary index dropped for the load and created again after it.
type index struct{ name, create string }

// dropIndexes drops the secondary indexes of the bulk tables (not those behind primary keys or
// UNIQUE constraints) and returns them, so that they are built once, sorted, after the load.
func dropIndexes(ctx context.Context, d *db.DB) ([]index, error) {
	var q string
	var args []any
	if d.Dialect == db.Postgres {
		q = `SELECT i.indexname, i.indexdef FROM pg_indexes i
			WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c JOIN pg_class x ON x.oid = c.conindid
				WHERE x.relname = i.indexname AND x.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))
			ORDER BY i.indexname`
		args = []any{bulkTables}
	} else {
		q = `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('` +
			strings.Join(bulkTables, "','") + `') ORDER BY name`
	}
	rows, err := d.W.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	var out []index
	for rows.Next() {
		var ix index
		if err := rows.Scan(&ix.name, &ix.create); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, ix)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, ix := range out {
		if _, err := d.W.ExecContext(ctx, "DROP INDEX "+ix.name); err != nil {
			_ = createIndexes(ctx, d, out[:i], nil)
			return nil, fmt.Errorf("drop index %s: %w", ix.name, err)
		}
	}
	return out, nil
}

// createIndexes creates the indexes again; on PostgreSQL with more maintenance memory.
func createIndexes(ctx context.Context, d *db.DB, ixs []index, done func(name string)) error {
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if d.Dialect == db.Postgres {
		_, _ = conn.ExecContext(ctx, "SET maintenance_work_mem = '256MB'")
		defer conn.ExecContext(ctx, "RESET maintenance_work_mem")
	}
	var first error
	for _, ix := range ixs {
		if _, err := conn.ExecContext(ctx, ix.create); err != nil && first == nil {
			first = fmt.Errorf("create index %s: %w", ix.name, err)
		}
		if done != nil {
			done(ix.name)
		}
	}
	return first
}

// resetSequences moves PostgreSQL's identity sequences past the ids the generator wrote.
func resetSequences(ctx context.Context, d *db.DB) error {
	if d.Dialect != db.Postgres {
		return nil
	}
	for _, t := range []string{"regions", "users", "grid_roster", "buildings", "households", "residents", "party_orgs",
		"party_members", "cases", "case_events", "case_assignments", "case_callbacks", "visits"} {
		q := `SELECT setval(pg_get_serial_sequence('` + t + `', 'id'), COALESCE((SELECT MAX(id) FROM ` + t + `), 0) + 1, false)`
		if _, err := d.W.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sequence %s: %w", t, err)
		}
	}
	return nil
}
