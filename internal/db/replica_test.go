package db_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"linli/internal/db"
)

// pgBin returns the directory of the PostgreSQL server binaries (LINLI_PG_BIN or the newest
// /usr/lib/postgresql/*/bin), or "" when they are not installed.
func pgBin() string {
	if d := os.Getenv("LINLI_PG_BIN"); d != "" {
		return d
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi < vj
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// pgCluster runs PostgreSQL server programs as the postgres user when the test runs as root
// (PostgreSQL refuses to run as root), in a temporary directory that user owns.
type pgCluster struct {
	t      *testing.T
	bin    string
	dir    string
	asUser []string // runuser prefix, or nil
	uid    int
	gid    int
}

func newCluster(t *testing.T, bin string) *pgCluster {
	dir, err := os.MkdirTemp("", "linli-replica-")
	if err != nil {
		t.Fatal(err)
	}
	c := &pgCluster{t: t, bin: bin, dir: dir, uid: -1, gid: -1}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root and there is no postgres user to run the PostgreSQL server as")
		}
		c.uid, _ = strconv.Atoi(u.Uid)
		c.gid, _ = strconv.Atoi(u.Gid)
		if err := os.Chown(dir, c.uid, c.gid); err != nil {
			t.Fatal(err)
		}
		c.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return c
}

func (c *pgCluster) run(name string, args ...string) {
	c.t.Helper()
	argv := append(append([]string{}, c.asUser...), append([]string{filepath.Join(c.bin, name)}, args...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func (c *pgCluster) appendConf(data, text string) {
	c.t.Helper()
	f, err := os.OpenFile(filepath.Join(c.dir, data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.WriteString(f, "\n"+text+"\n"); err != nil {
		c.t.Fatal(err)
	}
}

func (c *pgCluster) start(data string) {
	c.t.Helper()
	c.run("pg_ctl", "-D", filepath.Join(c.dir, data), "-l", filepath.Join(c.dir, data+".log"), "-w", "-t", "60", "start")
	c.t.Cleanup(func() {
		argv := append(append([]string{}, c.asUser...), filepath.Join(c.bin, "pg_ctl"), "-D", filepath.Join(c.dir, data), "-m", "immediate", "-w", "stop")
		_ = exec.Command(argv[0], argv[1:]...).Run()
	})
}

// TestReplicaServesReadsAndTheWriterReadsItsOwnWrite sets up a real streaming replica on loopback
// (initdb, pg_basebackup -R) and checks that reads go to the replica, writes to the primary, and
// that whoever just wrote reads from the primary.
func TestReplicaServesReadsAndTheWriterReadsItsOwnWrite(t *testing.T) {
	if os.Getenv("LINLI_TEST_POSTGRES") == "" {
		t.Skip("LINLI_TEST_POSTGRES not set: the streaming-replica test runs with the PostgreSQL tests")
	}
	bin := pgBin()
	if bin == "" {
		t.Skip("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin or LINLI_PG_BIN): install postgresql to run the replica test")
	}
	c := newCluster(t, bin)
	p1, p2 := freePort(t), freePort(t)
	c.run("initdb", "-D", filepath.Join(c.dir, "primary"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync")
	c.appendConf("primary", fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n"+
		"wal_level = replica\nmax_wal_senders = 4\nfsync = off\nshared_buffers = 16MB", p1, c.dir))
	c.start("primary")
	c.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(p1), "-U", "postgres", "-D", filepath.Join(c.dir, "replica"), "-R", "-X", "stream")
	c.appendConf("replica", fmt.Sprintf("port = %d", p2))
	c.start("replica")

	ctx := context.Background()
	url := func(port int) string {
		return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	}
	d, err := db.Open(ctx, url(p1))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.OpenReplica(ctx, url(p2)); err != nil {
		t.Fatal(err)
	}
	inRecovery := func(ctx context.Context) bool {
		t.Helper()
		var r bool
		if err := d.R.QueryRowContext(ctx, `SELECT pg_is_in_recovery()`).Scan(&r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if !inRecovery(ctx) {
		t.Fatal("d.R should read from the replica")
	}
	if inRecovery(db.WithPrimary(ctx)) {
		t.Fatal("a read flagged WithPrimary should go to the primary")
	}

	// Write through Linli: the write lands on the primary and streams to the replica.
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('replica.test', 'one', $1)`, time.Now().UTC())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		var v string
		err := d.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'replica.test'`).Scan(&v)
		if err == nil && v == "one" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the write did not reach the replica within 15 s (last error %v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// An Exec through the read pool runs on the primary instead of failing on the replica.
	if _, err := d.R.ExecContext(ctx, `UPDATE settings SET value = 'two' WHERE key = 'replica.test'`); err != nil {
		t.Fatalf("exec through d.R: %v", err)
	}

	// Over HTTP: a POST marks its author; their next reads come from the primary, a stranger's from the replica.
	h := d.RouteReads(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if err := d.InTx(r.Context(), func(tx *db.Tx) error {
				_, err := tx.ExecContext(r.Context(), `UPDATE settings SET value = 'three' WHERE key = 'replica.test'`)
				return err
			}); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
		}
		var rec bool
		if err := d.R.QueryRowContext(r.Context(), `SELECT pg_is_in_recovery()`).Scan(&rec); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, map[bool]string{true: "replica", false: "primary"}[rec])
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	do := func(method string, cookies []*http.Cookie, auth string) (string, []*http.Cookie) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL, nil)
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), resp.Cookies()
	}
	if got, _ := do("GET", nil, ""); got != "replica" {
		t.Errorf("a plain GET read from %s, want replica", got)
	}
	got, cookies := do("POST", nil, "")
	if got != "primary" {
		t.Errorf("the POST read from %s, want primary", got)
	}
	if len(cookies) == 0 {
		t.Fatal("the POST set no cookie marking its author")
	}
	if got, _ := do("GET", cookies, ""); got != "primary" {
		t.Errorf("the writer's next GET read from %s, want primary", got)
	}
	if got, _ := do("GET", nil, "Bearer other"); got != "replica" {
		t.Errorf("another client's GET read from %s, want replica", got)
	}
	do("POST", nil, "Bearer writer")
	if got, _ := do("GET", nil, "Bearer writer"); got != "primary" {
		t.Errorf("an API client's GET after its own write read from %s, want primary", got)
	}
}
