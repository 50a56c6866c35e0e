package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Server is a `linli serve` child process.
type Server struct {
	URL  string
	cmd  *exec.Cmd
	Took time.Duration // from start until /healthz answered
	Log  bytes.Buffer
}

// StartServer runs bin serve on dbURL on a free loopback port and waits until it answers.
func StartServer(bin, dbURL, dataDir string, env []string) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &Server{URL: "http://" + addr}
	s.cmd = exec.Command(bin, "serve", "--db", dbURL, "--addr", addr, "--data", dataDir)
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = &s.Log, &s.Log
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	for time.Since(start) < 60*time.Second {
		resp, err := http.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				s.Took = time.Since(start)
				return s, nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.Stop()
	return nil, fmt.Errorf("linli serve did not answer within 60 s:\n%s", s.Log.String())
}

// Stop interrupts the server and waits for it.
func (s *Server) Stop() {
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// Memory returns the server's resident set (VmRSS) and its peak (VmHWM) in MB.
func (s *Server) Memory() (rss, hwm float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

// CPU returns the server's CPU time so far (user and system, /proc/<pid>/stat, in clock ticks of
// 10 ms).
func (s *Server) CPU() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// Client is a signed-in HTTP client: a session cookie or a bearer token.
type Client struct {
	base   string
	http   *http.Client
	token  string
	user   string
	header http.Header // sent with every request
}

func newHTTP() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 100},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Login signs in through the form and keeps the session cookie.
func Login(base, username, password string) (*Client, error) {
	c := &Client{base: base, http: newHTTP(), user: username}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"username": {username}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("login %s: status %d", username, resp.StatusCode)
	}
	return c, nil
}

// Token gets a bearer token through POST /api/v1/auth/token.
func Token(base, username, password string) (*Client, error) {
	c := &Client{base: base, http: newHTTP(), user: username}
	var tok struct{ Token string }
	status, err := c.JSON("POST", "/api/v1/auth/token", map[string]string{"username": username, "password": password}, &tok)
	if err != nil {
		return nil, err
	}
	if status != http.StatusCreated {
		return nil, fmt.Errorf("token %s: status %d", username, status)
	}
	c.token = tok.Token
	return c, nil
}

// JSON sends a JSON request (body may be nil) and decodes the answer into out when not nil.
func (c *Client) JSON(method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	for k, v := range c.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode >= 400 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}

// Get fetches a page and returns its body.
func (c *Client) Get(path string) ([]byte, error) {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
	return b, err
}

// Median runs f n times and returns the median duration.
func Median(n int, f func() error) (time.Duration, error) {
	ds := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], nil
}

// LoadResult is what a load run measured.
type LoadResult struct {
	Requests, Errors int64
	PerSecond        float64
	P50, P99         time.Duration
}

// Load runs clients concurrent loops of f for d (bounded: at most maxRequests in all) and counts
// completed requests per second.
func Load(ctx context.Context, clients int, d time.Duration, maxRequests int64, f func(i int) error) LoadResult {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var n, bad atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var mine []time.Duration
			for ctx.Err() == nil && n.Load() < maxRequests {
				t := time.Now()
				if err := f(i); err != nil {
					bad.Add(1)
				}
				mine = append(mine, time.Since(t))
				n.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	el := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r := LoadResult{Requests: n.Load(), Errors: bad.Load(), PerSecond: float64(n.Load()) / el.Seconds()}
	if len(lat) > 0 {
		r.P50, r.P99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return r
}
