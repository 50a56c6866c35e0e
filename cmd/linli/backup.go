package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"linli/internal/backup"
	"linli/internal/db"
)

// backupCmd writes one archive: the SQLite snapshot and the data folder (not the key file).
func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", stderr)
	var c common
	c.register(fs)
	out := fs.String("o", "linli-backup-"+time.Now().Format("2006-01-02")+".tar.gz", "备份文件")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := c.config(slog.New(slog.NewTextHandler(stderr, nil)))
	d, err := db.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer d.Close()
	dbFile, _ := strings.CutPrefix(c.db, "sqlite:")
	if d.Dialect != db.SQLite {
		dbFile = ""
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("创建备份文件：%w", err)
	}
	m, err := backup.Write(ctx, backup.Source{DB: d, DBFile: dbFile, DataDir: cfg.DataDir, Skip: []string{c.keyFile, *out}}, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return err
	}
	fmt.Fprintf(stdout, "已写入备份 %s：数据目录 %d 个文件（%.1f MB）", *out, m.Files, float64(m.Bytes)/(1<<20))
	if m.Database {
		fmt.Fprintf(stdout, "，数据库快照（结构版本 %d）\n", m.SchemaVersion)
	} else {
		fmt.Fprintln(stdout, "\nPostgreSQL 数据库不在此备份中：请另用 pg_dump 或基础备份（见 docs/operations.md）")
	}
	fmt.Fprintln(stdout, "加密密钥文件不在备份中，请另行妥善备份")
	return nil
}

// restoreCmd unpacks an archive into an empty database file and data folder.
func restoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("restore", stderr)
	var c common
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("用法: linli restore --db sqlite:新数据库文件 --data 新数据目录 备份文件.tar.gz")
	}
	cfg := c.config(slog.New(slog.NewTextHandler(stderr, nil)))
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	dbFile, _ := strings.CutPrefix(c.db, "sqlite:")
	if !strings.HasPrefix(c.db, "sqlite:") {
		dbFile = ""
	}
	m, err := backup.Restore(f, backup.Target{DBFile: dbFile, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已恢复 %s 的备份：数据目录 %d 个文件", m.CreatedAt.Format(time.RFC3339), m.Files)
	if m.Database {
		fmt.Fprintf(stdout, "，数据库 %s\n", dbFile)
	} else {
		fmt.Fprintln(stdout, "\n数据库请另用 pg_restore 恢复")
	}
	_ = ctx
	return nil
}
