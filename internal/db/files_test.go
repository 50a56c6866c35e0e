package db_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"linli/internal/db"
)

func TestTheSQLiteFileAndItsFolderAreTheServerUsersAlone(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "linli.db")
	d, err := db.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.W.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		want os.FileMode
	}{{dir, 0o700}, {path, 0o600}, {path + "-wal", 0o600}} {
		st, err := os.Stat(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != tt.want {
			t.Errorf("%s: mode %o, want %o (L6: not readable by other users)", filepath.Base(tt.path), got, tt.want)
		}
	}
}
