package db_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// A schema is described as sorted lines, one per table, column, key, constraint and index, in
// terms both databases share: type classes instead of type names, and a full-text table only by
// its name (an FTS5 table in SQLite, a tsvector table with its GIN index in PostgreSQL).

func TestBothDatabasesEndWithTheSameSchema(t *testing.T) {
	lite := describeSQLite(t, dbtest.SQLite(t))
	for _, want := range []string{"table regions", "column residents.id integer not null",
		"fk residents(region_id) -> regions(id) on delete NO ACTION", "table resident_fts full-text"} {
		if !contains(lite, want) {
			t.Fatalf("the SQLite description lacks %q: the description itself is broken", want)
		}
	}
	if dbtest.PostgresURL() == "" {
		t.Skip("LINLI_TEST_POSTGRES not set: nothing to compare the SQLite schema with")
	}
	pg := describePostgres(t, dbtest.Postgres(t))
	t.Logf("compared %d facts from SQLite with %d from PostgreSQL", len(lite), len(pg))
	onlyLite, onlyPG := difference(difference(lite, pg), sqliteOnly), difference(difference(pg, lite), postgresOnly)
	if len(onlyLite)+len(onlyPG) > 0 {
		t.Errorf("after all migrations the schemas differ:\nonly in SQLite:\n  %s\nonly in PostgreSQL:\n  %s",
			strings.Join(onlyLite, "\n  "), strings.Join(onlyPG, "\n  "))
	}
}

// postgresOnly are the facts only PostgreSQL has, by design: the date indexes of migration 0032
// (SQLite reads a few days' cases of a district through its region-first indexes instead).
var postgresOnly = []string{
	"index cases_accepted_at on cases(accepted_at…) unique=false partial=false",
	"index cases_closed_at on cases(closed_at…) unique=false partial=false",
	"index cases_handle_deadline on cases(handle_deadline…) unique=false partial=false",
	"index cases_received_at on cases(received_at…) unique=false partial=false",
}

// sqliteOnly are the facts only SQLite has, by design: cases_region_accepted, which migration
// 0034 drops on PostgreSQL, where cases_figures has the same key.
var sqliteOnly = []string{
	"index cases_region_accepted on cases(region_id…) unique=false partial=false",
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

func difference(a, b []string) []string {
	in := map[string]bool{}
	for _, l := range b {
		in[l] = true
	}
	var out []string
	for _, l := range a {
		if !in[l] {
			out = append(out, l)
		}
	}
	return out
}

// typeClass names what a column holds, whatever the dialect calls it.
func typeClass(declared string) string {
	t := strings.ToUpper(declared)
	switch {
	case t == "TSVECTOR":
		return "full-text"
	case strings.Contains(t, "INT"):
		return "integer"
	case strings.HasPrefix(t, "TIMESTAMP"):
		return "time"
	case t == "BLOB" || t == "BYTEA":
		return "bytes"
	case t == "REAL" || strings.HasPrefix(t, "DOUBLE"):
		return "real"
	case t == "TEXT" || strings.HasPrefix(t, "CHARACTER") || strings.HasPrefix(t, "VARCHAR"):
		return "text"
	case t == "BOOLEAN":
		return "bool"
	}
	return "other:" + t
}

func nullability(notNull bool) string {
	if notNull {
		return "not null"
	}
	return "null"
}

// query runs q and calls scan for each row.
func query(t *testing.T, d *db.DB, q string, args []any, scan func(rows interface{ Scan(...any) error }) error) {
	t.Helper()
	rows, err := d.R.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

var checkRE = regexp.MustCompile(`(?i)\bCHECK\s*\(`)
var commentRE = regexp.MustCompile(`--[^\n]*`)

func describeSQLite(t *testing.T, d *db.DB) []string {
	t.Helper()
	var out []string
	type table struct{ name, sql string }
	var tables []table
	query(t, d, "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", nil,
		func(r interface{ Scan(...any) error }) error {
			var tb table
			err := r.Scan(&tb.name, &tb.sql)
			tables = append(tables, tb)
			return err
		})
	var fullText []string
	for _, tb := range tables {
		if strings.HasPrefix(tb.sql, "CREATE VIRTUAL TABLE") {
			fullText = append(fullText, tb.name)
		}
	}
	shadow := func(name string) bool { // FTS5's own tables: resident_fts_data, …
		for _, f := range fullText {
			if strings.HasPrefix(name, f+"_") {
				return true
			}
		}
		return false
	}
	for _, tb := range tables {
		switch {
		case shadow(tb.name):
			continue
		case strings.HasPrefix(tb.sql, "CREATE VIRTUAL TABLE"):
			out = append(out, "table "+tb.name+" full-text")
			continue
		}
		out = append(out, "table "+tb.name)
		var pk []string
		query(t, d, "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY pk, cid", []any{tb.name},
			func(r interface{ Scan(...any) error }) error {
				var name, typ string
				var notNull, pkPos int
				err := r.Scan(&name, &typ, &notNull, &pkPos)
				if pkPos > 0 {
					pk = append(pk, name)
				}
				out = append(out, fmt.Sprintf("column %s.%s %s %s", tb.name, name, typeClass(typ), nullability(notNull == 1 || pkPos > 0)))
				return err
			})
		if len(pk) > 0 {
			out = append(out, fmt.Sprintf("pk %s(%s)", tb.name, strings.Join(pk, ",")))
		}
		type index struct {
			name, origin    string
			unique, partial int
		}
		var indexes []index
		query(t, d, "SELECT name, \"unique\", origin, partial FROM pragma_index_list($1)", []any{tb.name},
			func(r interface{ Scan(...any) error }) error {
				var ix index
				err := r.Scan(&ix.name, &ix.unique, &ix.origin, &ix.partial)
				indexes = append(indexes, ix)
				return err
			})
		for _, ix := range indexes {
			var cols []string
			query(t, d, "SELECT COALESCE(name, 'expr') FROM pragma_index_info($1) ORDER BY seqno", []any{ix.name},
				func(r interface{ Scan(...any) error }) error {
					var c string
					err := r.Scan(&c)
					cols = append(cols, c)
					return err
				})
			switch ix.origin {
			case "u":
				sort.Strings(cols)
				out = append(out, fmt.Sprintf("unique %s(%s)", tb.name, strings.Join(cols, ",")))
			case "c":
				out = append(out, fmt.Sprintf("index %s on %s(%s…) unique=%t partial=%t", ix.name, tb.name, cols[0], ix.unique == 1, ix.partial == 1))
			}
		}
		fks := map[int][3][]string{}
		var actions = map[int]string{}
		query(t, d, "SELECT id, \"table\", \"from\", COALESCE(\"to\", ''), on_delete FROM pragma_foreign_key_list($1) ORDER BY id, seq", []any{tb.name},
			func(r interface{ Scan(...any) error }) error {
				var id int
				var ref, from, to, onDelete string
				err := r.Scan(&id, &ref, &from, &to, &onDelete)
				fk := fks[id]
				fk[0], fk[1], fk[2] = []string{ref}, append(fk[1], from), append(fk[2], to)
				fks[id], actions[id] = fk, onDelete
				return err
			})
		for id, fk := range fks {
			out = append(out, fmt.Sprintf("fk %s(%s) -> %s(%s) on delete %s", tb.name, strings.Join(fk[1], ","), fk[0][0], strings.Join(fk[2], ","), actions[id]))
		}
		if n := len(checkRE.FindAllString(commentRE.ReplaceAllString(tb.sql, ""), -1)); n > 0 {
			out = append(out, fmt.Sprintf("checks %s %d", tb.name, n))
		}
	}
	sort.Strings(out)
	return out
}

func describePostgres(t *testing.T, d *db.DB) []string {
	t.Helper()
	var out []string
	fullText := map[string]bool{}
	query(t, d, `SELECT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND data_type = 'tsvector'`, nil,
		func(r interface{ Scan(...any) error }) error {
			var name string
			err := r.Scan(&name)
			fullText[name] = true
			return err
		})
	query(t, d, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`, nil,
		func(r interface{ Scan(...any) error }) error {
			var name string
			err := r.Scan(&name)
			if fullText[name] {
				out = append(out, "table "+name+" full-text")
			} else {
				out = append(out, "table "+name)
			}
			return err
		})
	query(t, d, `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
		WHERE table_schema = current_schema()`, nil,
		func(r interface{ Scan(...any) error }) error {
			var table, name, typ, nullable string
			err := r.Scan(&table, &name, &typ, &nullable)
			class := typeClass(typ)
			if typ == "real" { // PostgreSQL's REAL has 4 bytes, SQLite's 8
				class = "real (4 bytes)"
			}
			if !fullText[table] {
				out = append(out, fmt.Sprintf("column %s.%s %s %s", table, name, class, nullability(nullable == "NO")))
			}
			return err
		})
	cols := func(rel, keys string) string {
		return `COALESCE((SELECT string_agg(a.attname, ',' ORDER BY k.o) FROM unnest(` + keys + `) WITH ORDINALITY k(n, o)
			JOIN pg_attribute a ON a.attrelid = ` + rel + ` AND a.attnum = k.n), '')`
	}
	onDelete := map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
	checks := map[string]int{}
	query(t, d, `SELECT c.relname, con.contype, `+cols("con.conrelid", "con.conkey")+`, COALESCE(f.relname, ''),
			`+cols("con.confrelid", "con.confkey")+`, con.confdeltype
		FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
		JOIN pg_namespace ns ON ns.oid = c.relnamespace LEFT JOIN pg_class f ON f.oid = con.confrelid
		WHERE ns.nspname = current_schema() AND con.contype IN ('p', 'u', 'f', 'c')`, nil,
		func(r interface{ Scan(...any) error }) error {
			var table, kind, keys, ref, refKeys, del string
			err := r.Scan(&table, &kind, &keys, &ref, &refKeys, &del)
			if fullText[table] {
				return err
			}
			switch kind {
			case "p":
				out = append(out, fmt.Sprintf("pk %s(%s)", table, keys))
			case "u":
				k := strings.Split(keys, ",")
				sort.Strings(k)
				out = append(out, fmt.Sprintf("unique %s(%s)", table, strings.Join(k, ",")))
			case "f":
				out = append(out, fmt.Sprintf("fk %s(%s) -> %s(%s) on delete %s", table, keys, ref, refKeys, onDelete[del]))
			case "c":
				checks[table]++
			}
			return err
		})
	for table, n := range checks {
		out = append(out, fmt.Sprintf("checks %s %d", table, n))
	}
	query(t, d, `SELECT tb.relname, ix.relname, i.indisunique, i.indpred IS NOT NULL,
			COALESCE((SELECT a.attname FROM pg_attribute a WHERE a.attrelid = tb.oid AND a.attnum = i.indkey[0]), 'expr')
		FROM pg_index i JOIN pg_class ix ON ix.oid = i.indexrelid JOIN pg_class tb ON tb.oid = i.indrelid
		JOIN pg_namespace ns ON ns.oid = tb.relnamespace
		WHERE ns.nspname = current_schema()
		AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))`, nil,
		func(r interface{ Scan(...any) error }) error {
			var table, name, first string
			var unique, partial bool
			err := r.Scan(&table, &name, &unique, &partial, &first)
			if !fullText[table] {
				out = append(out, fmt.Sprintf("index %s on %s(%s…) unique=%t partial=%t", name, table, first, unique, partial))
			}
			return err
		})
	sort.Strings(out)
	return out
}
