package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/term"

	"linli/internal/db"
)

func TestUserAdd(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "linli.db")
	const password = "Qx7#Lanzhou-Heqiao"
	add := func(t *testing.T, args ...string) (string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"user", "add", "--db", dbURL}, args...), &out, &errOut)
		if strings.Contains(out.String()+errOut.String(), password) {
			t.Fatal("the password was printed")
		}
		return out.String(), err
	}

	t.Run("creates the first admin and the region it needs", func(t *testing.T) {
		t.Setenv("LINLI_USER_PASSWORD", password)
		out, err := add(t, "--username", "ganzhou", "--name", "甘州区管理员", "--role", "district_admin",
			"--region", "620702", "--region-name", "甘州区", "--region-level", "district")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "已新建区划：甘州区") || !strings.Contains(out, "已创建账号 ganzhou") {
			t.Fatalf("output: %s", out)
		}
		out, err = add(t, "--username", "nanjie", "--name", "南街街道管理员", "--role", "street_admin",
			"--region", "620702001", "--region-name", "南街街道", "--region-level", "street", "--parent", "620702")
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.Open(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var path, parentPath string
		d.R.QueryRow(`SELECT path FROM regions WHERE code = '620702001'`).Scan(&path)
		d.R.QueryRow(`SELECT path FROM regions WHERE code = '620702'`).Scan(&parentPath)
		if !strings.HasPrefix(path, parentPath) || path == parentPath {
			t.Errorf("street %q is not under the district %q", path, parentPath)
		}
		var hash string
		var audited int
		d.R.QueryRow(`SELECT password_hash FROM users WHERE username = 'ganzhou'`).Scan(&hash)
		d.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'user.create' AND username = 'cli'`).Scan(&audited)
		if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, password) || audited != 2 {
			t.Errorf("hash %q, audited %d", hash, audited)
		}
	})

	t.Run("the new account signs in with the password", func(t *testing.T) {
		t.Setenv("LINLI_USER_PASSWORD", password)
		out, err := add(t, "--username", "ganzhou2", "--name", "第二管理员", "--role", "security_admin", "--region", "620702")
		if err != nil || !strings.Contains(out, "安全管理员") {
			t.Fatalf("existing region: %v %s", err, out)
		}
	})

	t.Run("refuses what would make a bad account", func(t *testing.T) {
		for _, tt := range []struct {
			name, password string
			args           []string
			want           string
		}{
			{"weak password", "short", []string{"--username", "weak", "--name", "弱", "--role", "auditor", "--region", "620702"}, "至少需要10个字符"},
			{"unknown role", password, []string{"--username", "x1x", "--name", "某", "--role", "boss", "--region", "620702"}, "未知角色"},
			{"unknown region", password, []string{"--username", "x2x", "--name", "某", "--role", "auditor", "--region", "999"}, "区划代码 999 不存在"},
			{"taken username", password, []string{"--username", "ganzhou", "--name", "某", "--role", "auditor", "--region", "620702"}, "用户名已被使用"},
			{"missing flags", password, []string{"--username", "x3x"}, "必须提供"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				t.Setenv("LINLI_USER_PASSWORD", tt.password)
				_, err := add(t, tt.args...)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got %v, want %q", err, tt.want)
				}
			})
		}
	})

	t.Run("without a terminal or LINLI_USER_PASSWORD it says how to give the password", func(t *testing.T) {
		if term.IsTerminal(int(os.Stdin.Fd())) {
			t.Skip("stdin is a terminal")
		}
		t.Setenv("LINLI_USER_PASSWORD", "")
		os.Unsetenv("LINLI_USER_PASSWORD")
		_, err := add(t, "--username", "x4x", "--name", "某", "--role", "auditor", "--region", "620702")
		if err == nil || !strings.Contains(err.Error(), "LINLI_USER_PASSWORD") {
			t.Errorf("got %v", err)
		}
	})
}
