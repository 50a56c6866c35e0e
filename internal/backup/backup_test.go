package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
)

func archiveOf(t *testing.T, files map[string]string) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		if err := addBytes(tw, name, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	gz.Close()
	return &buf
}

func TestRestoreRefusesANameThatLeavesTheTarget(t *testing.T) {
	root := t.TempDir()
	target := Target{DataDir: filepath.Join(root, "data")}
	_, err := Restore(archiveOf(t, map[string]string{"data/../escaped.txt": "x"}), target)
	if err == nil {
		t.Error("an archive member outside the data folder was accepted")
	}
	if _, err := os.Stat(filepath.Join(root, "escaped.txt")); err == nil {
		t.Error("a file was written outside the target")
	}
}

func TestRestoreRefusesATargetThatIsNotEmpty(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cases.bin"), []byte("existing"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(archiveOf(t, map[string]string{"data/a.txt": "x"}), Target{DataDir: dir}); err == nil {
		t.Error("a restore over existing data was accepted")
	}
}
