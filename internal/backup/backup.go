// Package backup writes and restores one archive of a Linli deployment: a consistent snapshot of
// an SQLite database and the data folder (case and visit photos, pending imports). The key file
// is never put in the archive: it is backed up separately (docs/operations.md). For PostgreSQL
// the archive holds the data folder only; the database is backed up with pg_dump or base backups.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"linli/internal/db"
)

// The archive's member names: the manifest, the SQLite snapshot and the data folder's prefix.
const (
	manifestName = "MANIFEST.json"
	databaseName = "linli.db"
	dataPrefix   = "data/"
)

// Manifest describes an archive: when and from which database it was taken.
type Manifest struct {
	CreatedAt     time.Time `json:"created_at"`
	Dialect       string    `json:"dialect"`
	SchemaVersion int       `json:"schema_version"`
	Database      bool      `json:"database"` // the archive holds the SQLite snapshot
	Files         int       `json:"files"`    // files of the data folder
	Bytes         int64     `json:"bytes"`    // their total size
}

// Source is what a backup reads: the open database, its SQLite file (empty for PostgreSQL), the
// data folder, and files never to copy (the key file, the archive being written).
type Source struct {
	DB      *db.DB
	DBFile  string
	DataDir string
	Skip    []string
}

// Write writes the archive of src to w (a gzip-compressed tar) and returns its manifest. The
// database snapshot is taken first (VACUUM INTO, consistent while the server runs), then the data
// folder is copied, so every photo the snapshot names is in the archive.
func Write(ctx context.Context, src Source, w io.Writer) (Manifest, error) {
	m := Manifest{CreatedAt: time.Now().UTC(), Dialect: string(src.DB.Dialect)}
	m.SchemaVersion, _ = src.DB.SchemaVersion(ctx)
	var snapshot string
	if src.DB.Dialect == db.SQLite {
		dir, err := os.MkdirTemp("", "linli-backup-")
		if err != nil {
			return m, err
		}
		defer os.RemoveAll(dir)
		snapshot = filepath.Join(dir, databaseName)
		if _, err := src.DB.W.ExecContext(ctx, `VACUUM INTO $1`, snapshot); err != nil {
			return m, fmt.Errorf("数据库快照失败：%w", err)
		}
		m.Database = true
	}
	skip := map[string]bool{}
	for _, p := range append(src.Skip, src.DBFile, src.DBFile+"-wal", src.DBFile+"-shm", src.DBFile+"-journal") {
		if p != "" {
			if abs, err := filepath.Abs(p); err == nil {
				skip[abs] = true
			}
		}
	}
	var files []string
	if src.DataDir != "" {
		err := filepath.WalkDir(src.DataDir, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			abs, _ := filepath.Abs(p)
			if e.Type().IsRegular() && !skip[abs] && filepath.Base(p) != "linli.key" {
				files = append(files, p)
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return m, err
		}
	}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	for _, p := range files {
		fi, err := os.Stat(p)
		if err != nil {
			return m, err
		}
		m.Files++
		m.Bytes += fi.Size()
	}
	manifest, _ := json.MarshalIndent(m, "", "  ")
	if err := addBytes(tw, manifestName, manifest); err != nil {
		return m, err
	}
	if snapshot != "" {
		if err := addFile(tw, databaseName, snapshot); err != nil {
			return m, err
		}
	}
	for _, p := range files {
		rel, err := filepath.Rel(src.DataDir, p)
		if err != nil {
			return m, err
		}
		if err := addFile(tw, dataPrefix+filepath.ToSlash(rel), p); err != nil {
			return m, err
		}
	}
	if err := tw.Close(); err != nil {
		return m, err
	}
	return m, gz.Close()
}

func addBytes(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now()}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

func addFile(tw *tar.Writer, name, p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime()}); err != nil {
		return err
	}
	_, err = io.CopyN(tw, f, fi.Size())
	return err
}

// Target is where an archive is restored: the SQLite file to create (empty for PostgreSQL, whose
// database is restored with pg_restore) and the data folder. Both must be empty or absent.
type Target struct {
	DBFile  string
	DataDir string
}

// Restore unpacks the archive from r into an empty target and returns its manifest. It refuses a
// target that already holds a database or data, and any member whose name would leave the
// target.
func Restore(r io.Reader, t Target) (Manifest, error) {
	var m Manifest
	if t.DBFile != "" {
		if _, err := os.Stat(t.DBFile); err == nil {
			return m, fmt.Errorf("目标数据库 %s 已存在：只能恢复到空的位置", t.DBFile)
		}
	}
	if entries, err := os.ReadDir(t.DataDir); err == nil {
		for _, e := range entries {
			if filepath.Join(t.DataDir, e.Name()) != filepath.Clean(t.DBFile) {
				return m, fmt.Errorf("目标数据目录 %s 不是空的：只能恢复到空的位置", t.DataDir)
			}
		}
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return m, fmt.Errorf("不是 linli backup 写出的备份文件：%w", err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, fmt.Errorf("备份文件已损坏：%w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		switch name := h.Name; {
		case name == manifestName:
			if err := json.NewDecoder(tr).Decode(&m); err != nil {
				return m, fmt.Errorf("备份说明已损坏：%w", err)
			}
		case name == databaseName:
			if t.DBFile == "" {
				return m, errors.New("这是 SQLite 备份：请用 --db sqlite:文件路径 指定恢复到的数据库文件")
			}
			if err := extract(tr, t.DBFile); err != nil {
				return m, err
			}
		case strings.HasPrefix(name, dataPrefix):
			rel := path.Clean(strings.TrimPrefix(name, dataPrefix))
			if !filepath.IsLocal(filepath.FromSlash(rel)) {
				return m, fmt.Errorf("备份中的文件名 %q 不安全，已停止恢复", name)
			}
			if err := extract(tr, filepath.Join(t.DataDir, filepath.FromSlash(rel))); err != nil {
				return m, err
			}
		}
	}
	if m.Database && t.DBFile != "" {
		if _, err := os.Stat(t.DBFile); err != nil {
			return m, errors.New("备份不完整：缺少数据库快照")
		}
	}
	return m, nil
}

func extract(r io.Reader, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
