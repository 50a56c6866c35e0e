package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"linli/internal/errs"
)

// DefaultBodyBytes bounds the body of every route that BodyLimits does not name: an ordinary
// form or JSON request.
const DefaultBodyBytes = 64 << 10

// formMemory is how much of a multipart form is kept in memory; the rest of its files is spooled
// to temporary files, which Bodies removes when the request ends.
const formMemory = 8 << 20

// BodyLimits names, by the router's pattern (e.g. "POST /login"), the routes whose body may be
// larger or must be smaller than DefaultBodyBytes, and their bound in bytes.
type BodyLimits map[string]int64

// Limit returns the bound of a route pattern.
func (l BodyLimits) Limit(pattern string) int64 {
	if n, ok := l[pattern]; ok {
		return n
	}
	return DefaultBodyBytes
}

// Bodies bounds every request body by its route's limit and owns the forms: a body declared
// larger than the limit is refused with 413 before it is read; a form (url-encoded or multipart)
// is parsed here, once, within the limit — the handlers' own ParseForm, FormValue and FormFile
// then read what was parsed — and a multipart form's temporary files are removed when the
// request ends, whatever the handler answered or if it panicked. A pattern in limits that is not
// a route of mux is an error, so a renamed route cannot silently fall back to the default.
func (k *Kit) Bodies(mux *http.ServeMux, limits BodyLimits) (http.Handler, error) {
	for pattern := range limits {
		method, path, _ := strings.Cut(pattern, " ")
		req, err := http.NewRequest(method, "http://linli"+wildcard.ReplaceAllString(path, "1"), nil)
		if err != nil {
			return nil, fmt.Errorf("web: body limit %q: %w", pattern, err)
		}
		if _, got := mux.Handler(req); got != pattern {
			return nil, fmt.Errorf("web: body limit %q names no route (the request matches %q)", pattern, got)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := mux.Handler(r)
		limit := limits.Limit(pattern)
		if r.ContentLength > limit {
			k.bodyRefused(w, r, &http.MaxBytesError{Limit: limit})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		defer func() {
			if r.MultipartForm != nil {
				_ = r.MultipartForm.RemoveAll()
			}
		}()
		if err := parseForm(r); err != nil {
			k.bodyRefused(w, r, err)
			return
		}
		if err := nulInRequest(r); err != nil {
			k.bodyRefused(w, r, err)
			return
		}
		mux.ServeHTTP(w, r)
	}), nil
}

// nulInRequest refuses a path, query or form value holding a NUL character: no text of Linli
// holds one, and PostgreSQL cannot store it (it would answer 500 deep in a handler).
func nulInRequest(r *http.Request) error {
	const msg = "含有不允许的空字符（%00），请删除后重试"
	if strings.IndexByte(r.URL.Path, 0) >= 0 {
		return errs.E(errs.Invalid, "%s", "地址"+msg)
	}
	if strings.Contains(r.URL.RawQuery, "%00") || strings.IndexByte(r.URL.RawQuery, 0) >= 0 {
		q, _ := url.ParseQuery(r.URL.RawQuery)
		if f := nulField(q); f != "" {
			return errs.Field(f, "「"+f+"」"+msg)
		}
	}
	forms := []url.Values{r.PostForm}
	if r.MultipartForm != nil {
		forms = append(forms, r.MultipartForm.Value)
	}
	for _, form := range forms {
		if f := nulField(form); f != "" {
			return errs.Field(f, "「"+f+"」"+msg)
		}
	}
	return nil
}

// nulField is the first field (in name order) of values with a NUL character in its name or a
// value, "" for none.
func nulField(values url.Values) string {
	var bad []string
	for k, vs := range values {
		for _, v := range append([]string{k}, vs...) {
			if strings.IndexByte(v, 0) >= 0 {
				bad = append(bad, strings.ReplaceAll(k, "\x00", ""))
				break
			}
		}
	}
	if len(bad) == 0 {
		return ""
	}
	sort.Strings(bad)
	return bad[0]
}

// wildcard is a path wildcard of a route pattern, "{id}".
var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// parseForm parses a form body of a POST, PUT or PATCH; other bodies are left to the handler.
func parseForm(r *http.Request) error {
	if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	var err error
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		err = r.ParseMultipartForm(formMemory)
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		err = r.ParseForm()
	default:
		return nil
	}
	if err != nil {
		if b := bodyErr(err); b != err {
			return b
		}
		return errs.E(errs.Invalid, "提交的内容格式有误，请返回后重试")
	}
	return nil
}

func (k *Kit) bodyRefused(w http.ResponseWriter, r *http.Request, err error) {
	err = bodyErr(err)
	// The rest of the body is not read: the connection is closed after the answer.
	w.Header().Set("Connection", "close")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		k.APIErr(w, r, err)
		return
	}
	k.Error(w, r, err)
}

// bodyErr turns a body that went past its route's limit into the Chinese 413 error; any other
// error is returned as it is.
func bodyErr(err error) error {
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) {
		return err
	}
	return errs.E(errs.TooLarge, "提交的内容过大：此处最多%s，请压缩或拆分后重试", sizeText(mbe.Limit))
}

// sizeText writes a byte count as the largest whole unit a user reads: "20MB", "64KB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1fMB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%dKB", n>>10)
	}
	return fmt.Sprintf("%d字节", n)
}
