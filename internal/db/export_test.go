package db

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// MigrationSQL is the SQL of the migration whose file name ends in suffix, as d's dialect runs it:
// a data migration's test applies it again to rows written the old way.
func MigrationSQL(d *DB, suffix string) (string, error) {
	ms, err := d.migrations()
	if err != nil {
		return "", err
	}
	for _, m := range ms {
		if strings.HasSuffix(m.name, suffix) {
			return m.sql, nil
		}
	}
	return "", fmt.Errorf("no migration *%s", suffix)
}

// MigrateUpTo applies the migrations up to version alone, so that a data migration's test can write
// rows the old way before Migrate applies the rest.
func MigrateUpTo(ctx context.Context, d *DB, version int) error {
	ms, err := d.migrations()
	if err != nil {
		return err
	}
	if _, err := d.SchemaVersion(ctx); err != nil {
		return err
	}
	for _, m := range ms {
		if m.version > version {
			break
		}
		if err := d.InTx(ctx, func(tx *Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("%s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
				m.version, m.name, time.Now().UTC())
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}
