package app_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"linli/internal/apptest"
)

// zeros is an endless reader of zero bytes, to stream a large upload without holding it.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// multipartBody streams a form of the given text fields and one file field of size bytes.
func multipartBody(fields map[string]string, file string, size int64) (io.Reader, string) {
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_, _ = mw.CreateFormFile(file, "big.jpg")
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	return io.MultiReader(&head, io.LimitReader(zeros{}, size), strings.NewReader(tail)), mw.FormDataContentType()
}

// tempFiles counts the multipart temporary files in dir.
func tempFiles(t *testing.T, dir string) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "multipart-*"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

// postUpload sends a streamed multipart body with one file field of size bytes — chunked, or
// with its length declared — and returns the status, or 0 when the server closed the connection
// before the client could read an answer.
func postUpload(t *testing.T, c *apptest.Client, url string, fields map[string]string, file string, size int64, chunked bool) int {
	t.Helper()
	body, ct := multipartBody(fields, file, size)
	req, _ := http.NewRequest(http.MethodPost, url, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", strings.TrimSuffix(url, req.URL.RequestURI()))
	if !chunked {
		n, _ := io.Copy(io.Discard, must(multipartBody(fields, file, size)))
		req.ContentLength = n
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func must(r io.Reader, _ string) io.Reader { return r }

// H1: no rejected upload — to sign-in, the public report, the calendar import or the ledger
// import — leaves a temporary file behind, whether its size was declared or streamed.
func TestRejectedUploadsLeaveNoTemporaryFiles(t *testing.T) {
	env := apptest.New(t)
	admin := env.Login(t, "admin")
	anon := env.Anonymous(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	cases := []struct {
		name   string
		client *apptest.Client
		path   string
		fields map[string]string
		file   string
		size   int64
		want   []int // acceptable answers
	}{
		// 40 MB is past net/http's 32 MB in memory: without a bound it is spooled to disk.
		{"sign-in with a large multipart body", anon, "/login", map[string]string{"username": "admin", "password": "x"}, "file", 40 << 20, []int{413}},
		{"public report with an oversized photo", anon, "/report", map[string]string{"description": "楼道堆物"}, "photos", 30 << 20, []int{422}},
		{"calendar import of a huge file", admin, "/settings/calendar/import?year=2027", nil, "file", 40 << 20, []int{413}},
		{"ledger import of a junk file", admin, "/imports", nil, "file", 20 << 20, []int{422}},
		{"ledger import past its limit", admin, "/imports", nil, "file", 40 << 20, []int{413}},
	}
	for _, tc := range cases {
		for _, chunked := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s chunked=%v", tc.name, chunked), func(t *testing.T) {
				before := tempFiles(t, tmp)
				status := postUpload(t, tc.client, env.Server.URL+tc.path, tc.fields, tc.file, tc.size, chunked)
				t.Logf("answered %d", status)
				if status != 0 && !containsInt(tc.want, status) {
					t.Errorf("status %d, want one of %v", status, tc.want)
				}
				if after := tempFiles(t, tmp); after != before {
					t.Errorf("%d temporary files before, %d after: the upload was left on disk", before, after)
				}
			})
		}
	}
}

func containsInt(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}

// H1: sign-in takes a few KB and an ordinary form 64 KB; more is refused with 413 and a Chinese
// message, on pages and in the API's error shape.
func TestSignInAndFormsAreBoundedWith413InChinese(t *testing.T) {
	env := apptest.New(t)
	anon := env.Anonymous(t)
	big := strings.Repeat("x", 8<<10)
	resp := anon.PostForm("/login", map[string][]string{"username": {"admin"}, "password": {big}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(resp.Body, "提交的内容过大") {
		t.Errorf("sign-in with an 8 KB password: %d %q", resp.StatusCode, resp.Body)
	}
	api := anon.JSON("POST", "/api/v1/auth/token", map[string]string{"username": "admin", "password": big})
	if api.StatusCode != http.StatusRequestEntityTooLarge || !regexp.MustCompile(`"too_large"`).MatchString(api.Body) {
		t.Errorf("token with an 8 KB password: %d %q", api.StatusCode, api.Body)
	}
	admin := env.Login(t, "admin")
	form := admin.PostForm("/settings/care-plans", map[string][]string{"note": {strings.Repeat("字", 30<<10)}})
	if form.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a 90 KB ordinary form: %d", form.StatusCode)
	}
}
