package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
)

// buildServer builds this command into a temporary folder: the real binary, not the test's.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "linli")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// server is the built binary running on loopback.
type server struct {
	cmd *exec.Cmd
	url string
	log bytes.Buffer
}

func startServer(t *testing.T, bin, dbURL, dataDir string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{url: "http://" + addr}
	s.cmd = exec.Command(bin, "serve", "--db", dbURL, "--data", dataDir, "--addr", addr)
	s.cmd.Env = append(os.Environ(), "LINLI_SECRET_KEY="+fixture.SecretKey)
	s.cmd.Stdout, s.cmd.Stderr = &s.log, &s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.cmd.Process.Kill(); _ = s.cmd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the server did not start:\n%s", s.log.String())
	return nil
}

func postJSON(url, token string, v any) (int, []byte, error) {
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes(), err
}

// The kill -9 check: the real server, writing buildings through the API from four clients, is
// killed with SIGKILL; after a restart every write it acknowledged (201) is there, with its audit
// row. On SQLite and, when LINLI_TEST_POSTGRES is set, PostgreSQL.
func TestAcknowledgedWritesSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	bin := buildServer(t)
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dbURL := "sqlite:" + filepath.Join(t.TempDir(), "linli.db")
			if dialect == "postgres" {
				dbURL = dbtest.PostgresSchema(t)
			}
			d, err := db.Open(context.Background(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			f := fixture.New(t, d)
			grid := f.Grids[0].ID
			d.Close()
			dataDir := t.TempDir()

			s := startServer(t, bin, dbURL, dataDir)
			status, body, err := postJSON(s.url+"/api/v1/auth/token", "", map[string]string{"username": "admin", "password": fixture.Password})
			if err != nil || status != http.StatusCreated {
				t.Fatalf("token: %d %s %v", status, body, err)
			}
			var tok struct{ Token string }
			_ = json.Unmarshal(body, &tok)

			var mu sync.Mutex
			var acked []int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for c := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						status, body, err := postJSON(s.url+"/api/v1/buildings", tok.Token,
							map[string]any{"name": fmt.Sprintf("%d-%d号楼", c, i), "grid_id": grid})
						if err != nil {
							return // the server is gone
						}
						if status != http.StatusCreated {
							continue
						}
						var b struct{ ID int64 }
						if json.Unmarshal(body, &b) == nil && b.ID > 0 {
							mu.Lock()
							acked = append(acked, b.ID)
							mu.Unlock()
						}
					}
				}()
			}
			time.Sleep(1500 * time.Millisecond)
			if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = s.cmd.Wait()
			close(stop)
			wg.Wait()
			if len(acked) < 10 {
				t.Fatalf("only %d writes were acknowledged before the kill; the check proves little\n%s", len(acked), s.log.String())
			}

			startServer(t, bin, dbURL, dataDir) // recovery runs as it would in production
			d, err = db.Open(context.Background(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var lost, unaudited int
			for _, id := range acked {
				var n, a int
				if err := d.R.QueryRow(`SELECT COUNT(*) FROM buildings WHERE id = $1`, id).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if err := d.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'building.create' AND object_id = $1`, fmt.Sprint(id)).Scan(&a); err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					lost++
				}
				if a == 0 {
					unaudited++
				}
			}
			t.Logf("%d writes acknowledged before SIGKILL", len(acked))
			if lost > 0 || unaudited > 0 {
				t.Errorf("after SIGKILL and restart: %d acknowledged buildings lost, %d without their audit row (of %d)", lost, unaudited, len(acked))
			}
		})
	}
}
