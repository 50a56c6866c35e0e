package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"linli/internal/app"
	"linli/internal/apptest"
	"linli/internal/db"
	"linli/internal/fixture"
)

// addPhoto stores a small PNG the way the services do (content-addressed under the data folder)
// and names it in the database for a case (table case_attachments) or a visit (visit_photos).
func addPhoto(t *testing.T, d *db.DB, dataDir, table string, ownerID int64, seed byte) (int64, []byte) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Pix[0] = seed
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	sum := sha256.Sum256(buf.Bytes())
	hash := hex.EncodeToString(sum[:])
	dir := map[string]string{"case_attachments": "cases", "visit_photos": "visits"}[table]
	rel := dir + "/" + hash[:2] + "/" + hash + ".png"
	if err := os.MkdirAll(filepath.Join(dataDir, dir, hash[:2]), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dataDir, filepath.FromSlash(rel)), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var id int64
	var err error
	now := time.Now().UTC()
	if table == "case_attachments" {
		err = d.W.QueryRow(`INSERT INTO case_attachments (case_id, region_id, path, file_name, content_type, size, sha256, created_at)
			SELECT id, region_id, $2, 'photo.png', 'image/png', $3, $4, $5 FROM cases WHERE id = $1 RETURNING id`,
			ownerID, rel, buf.Len(), hash, now).Scan(&id)
	} else {
		err = d.W.QueryRow(`INSERT INTO visit_photos (visit_id, path, file_name, content_type, size, created_at)
			VALUES ($1, $2, 'photo.png', 'image/png', $3, $4) RETURNING id`, ownerID, rel, buf.Len(), now).Scan(&id)
	}
	if err != nil {
		t.Fatal(err)
	}
	return id, buf.Bytes()
}

// rowCounts counts the rows of every table of an SQLite database.
func rowCounts(t *testing.T, d *db.DB) map[string]int {
	t.Helper()
	tables, err := d.R.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		_ = tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	out := map[string]int{}
	for _, n := range names {
		var c int
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM "` + n + `"`).Scan(&c); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		out[n] = c
	}
	return out
}

// M8: `linli backup` of a running demo with case and visit photos, restored by `linli restore`
// into a new folder, has every row and every photo's bytes; the restored server shows the case
// photo; the key file is not in the archive.
func TestBackupRestoresTheDatabaseAndThePhotosIntoANewFolder(t *testing.T) {
	env := apptest.NewDemo(t)
	cfg := env.Main.Config
	d := env.DB()
	var caseID, visitID int64
	if err := d.R.QueryRow(`SELECT MIN(id) FROM cases`).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	if err := d.R.QueryRow(`SELECT MIN(id) FROM visits`).Scan(&visitID); err != nil {
		t.Fatal(err)
	}
	casePhoto, caseBytes := addPhoto(t, d, cfg.DataDir, "case_attachments", caseID, 1)
	_, visitBytes := addPhoto(t, d, cfg.DataDir, "visit_photos", visitID, 2)
	if err := os.WriteFile(filepath.Join(cfg.DataDir, "linli.key"), []byte("not-for-the-archive\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := rowCounts(t, d)

	archive := filepath.Join(t.TempDir(), "backup.tar.gz")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"backup", "--db", cfg.DB, "--data", cfg.DataDir, "-o", archive}, &out, io.Discard); err != nil {
		t.Fatalf("backup: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "密钥") {
		t.Errorf("the backup does not remind that the key is backed up separately: %s", out.String())
	}
	raw, _ := os.ReadFile(archive)
	if bytes.Contains(raw, []byte("not-for-the-archive")) {
		t.Error("the key file is in the archive")
	}

	target := t.TempDir()
	newDB := "sqlite:" + filepath.Join(target, "db", "linli.db")
	newData := filepath.Join(target, "data")
	if err := run(context.Background(), []string{"restore", "--db", newDB, "--data", newData, archive}, io.Discard, io.Discard); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if err := run(context.Background(), []string{"restore", "--db", newDB, "--data", newData, archive}, io.Discard, io.Discard); err == nil {
		t.Error("a restore over an existing database was accepted")
	}
	m, err := app.New(context.Background(), app.Config{DB: newDB, DataDir: newData, SecretKey: fixture.SecretKey,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	got := rowCounts(t, m.DB)
	for table, n := range want {
		if got[table] != n {
			t.Errorf("%s: %d rows before the backup, %d after the restore", table, n, got[table])
		}
	}
	var visitPath string
	if err := m.DB.R.QueryRow(`SELECT path FROM visit_photos WHERE visit_id = $1 ORDER BY id DESC LIMIT 1`, visitID).Scan(&visitPath); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(newData, filepath.FromSlash(visitPath))); err != nil || !bytes.Equal(b, visitBytes) {
		t.Errorf("the visit photo was not restored byte for byte: %v", err)
	}
	restored := apptest.Start(t, m, nil, nil)
	resp := restored.Login(t, "admin").Get(fmt.Sprintf("/cases/%d/photos/%d", caseID, casePhoto))
	if resp.StatusCode != http.StatusOK || resp.Body != string(caseBytes) {
		t.Errorf("the restored server answers the case photo with %d (%d bytes, want %d)", resp.StatusCode, len(resp.Body), len(caseBytes))
	}
}
