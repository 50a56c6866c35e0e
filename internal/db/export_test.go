package db

import (
	"fmt"
	"strings"
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
