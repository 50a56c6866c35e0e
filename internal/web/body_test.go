package web

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func bodiesKit(t *testing.T) (*Kit, *http.ServeMux) {
	t.Helper()
	kit, err := NewKit(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return kit, http.NewServeMux()
}

func TestBodiesRefusesALimitForARouteTheRouterDoesNotHave(t *testing.T) {
	kit, mux := bodiesKit(t)
	mux.HandleFunc("POST /things/{id}/photos", func(http.ResponseWriter, *http.Request) {})
	if _, err := kit.Bodies(mux, BodyLimits{"POST /things/{id}/photos": 1 << 20}); err != nil {
		t.Errorf("a registered pattern was refused: %v", err)
	}
	if _, err := kit.Bodies(mux, BodyLimits{"POST /things/{id}/picture": 1 << 20}); err == nil {
		t.Error("a limit naming no route was accepted: the route it meant would fall back to the default")
	}
}

func TestBodiesAnswers413InChineseForABodyPastItsRoutesLimit(t *testing.T) {
	kit, mux := bodiesKit(t)
	reached := false
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) { reached = true; _ = r.ParseForm() })
	mux.HandleFunc("POST /api/v1/things", func(w http.ResponseWriter, r *http.Request) {
		reached = true
		var v map[string]string
		if err := DecodeJSON(r, &v); err != nil {
			kit.APIErr(w, r, err)
		}
	})
	h, err := kit.Bodies(mux, BodyLimits{"POST /login": 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, ct string
		size           int
		declared       bool
	}{
		{"a declared 8 KB sign-in", "/login", "application/x-www-form-urlencoded", 8 << 10, true},
		{"a streamed 8 KB sign-in", "/login", "application/x-www-form-urlencoded", 8 << 10, false},
		{"a streamed 100 KB JSON body", "/api/v1/things", "application/json", 100 << 10, false},
	} {
		reached = false
		body := `{"a":"` + strings.Repeat("x", tc.size) + `"}`
		if tc.ct != "application/json" {
			body = "password=" + strings.Repeat("x", tc.size)
		}
		req := httptest.NewRequest("POST", tc.path, io.MultiReader(strings.NewReader(body)))
		if tc.declared {
			req.ContentLength = int64(len(body))
		} else {
			req.ContentLength = -1
		}
		req.Header.Set("Content-Type", tc.ct)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "提交的内容过大") {
			t.Errorf("%s: %d %q", tc.name, rec.Code, rec.Body.String())
		}
		if tc.declared && reached {
			t.Errorf("%s: the handler ran on a body declared too large", tc.name)
		}
	}
}

func TestBodiesRemovesMultipartFilesWhateverTheHandlerDoes(t *testing.T) {
	kit, mux := bodiesKit(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var spooled string
	mux.HandleFunc("POST /upload/{outcome}", func(w http.ResponseWriter, r *http.Request) {
		f, fh, err := r.FormFile("file")
		if err != nil {
			t.Errorf("the handler could not read the file the kit parsed: %v", err)
			return
		}
		if osf, ok := f.(*os.File); ok {
			spooled = osf.Name()
		}
		f.Close()
		switch r.PathValue("outcome") {
		case "panic":
			panic("handler failed")
		case "refuse":
			http.Error(w, "refused", http.StatusUnprocessableEntity)
		default:
			_, _ = io.WriteString(w, fh.Filename)
		}
	})
	bodies, err := kit.Bodies(mux, BodyLimits{"POST /upload/{outcome}": 20 << 20})
	if err != nil {
		t.Fatal(err)
	}
	h := kit.Middleware(bodies)
	for _, outcome := range []string{"ok", "refuse", "panic"} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "big.bin")
		_, _ = fw.Write(make([]byte, 10<<20)) // past the 8 MB kept in memory
		mw.Close()
		req := httptest.NewRequest("POST", "/upload/"+outcome, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		spooled = ""
		h.ServeHTTP(httptest.NewRecorder(), req)
		if spooled == "" {
			t.Fatalf("%s: the 10 MB file was not spooled to disk; the test proves nothing", outcome)
		}
		if _, err := os.Stat(spooled); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: the temporary file %s is still there", outcome, filepath.Base(spooled))
		}
	}
}
