package open311

import (
	"bytes"
	"embed"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Specification is the address of the specification the endpoint implements.
const Specification = "http://wiki.open311.org/GeoReport_v2"

// changeset is when this endpoint's interface last changed, for the discovery document.
const changeset = "2026-12-05T00:00:00+08:00"

// Handlers serves the Open311 endpoint and the security admin's key pages.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
	// BaseURL is the public address of the deployment ("https://linli.example.gov"); when empty the
	// discovery document names the address the request came to.
	BaseURL string
}

// NewHandlers returns the Open311 handlers; it parses the templates and panics if one is broken.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit) *Handlers {
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templatesFS, nil)}
}

// Routes registers the Open311 endpoint (open to any client) and the key administration.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /open311/{doc}", h.discovery)
	mux.HandleFunc("GET /open311/v2/{doc}", h.get)
	mux.HandleFunc("POST /open311/v2/{doc}", h.post)
	mux.HandleFunc("GET /open311/v2/services/{doc}", h.definition)
	mux.HandleFunc("GET /open311/v2/requests/{doc}", h.request)
	mux.HandleFunc("GET /open311/v2/tokens/{doc}", h.token)
	h.keyRoutes(mux)
}

// doc splits "services.xml" into the resource and the format; an unknown format is a 404.
func doc(r *http.Request) (name, format string, err error) {
	d := r.PathValue("doc")
	for _, f := range []string{"xml", "json"} {
		if n, ok := strings.CutSuffix(d, "."+f); ok && n != "" {
			return n, f, nil
		}
	}
	return d, "xml", bi(errs.NotFound, "未知的格式，请用 .xml 或 .json", "unknown format: use .xml or .json")
}

// reply writes a document: in XML the root wraps items, in JSON items stand alone (a list or an
// object).
func (h *Handlers) reply(w http.ResponseWriter, format string, status int, xmlDoc, jsonDoc any) {
	var buf bytes.Buffer
	if format == "json" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(jsonDoc); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	} else {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
		if err := xml.NewEncoder(&buf).Encode(xmlDoc); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		buf.WriteString("\n")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// statusOf is the spec's HTTP status of an error: 403 for the key, 404 for what is not found, 429
// when the allowance is spent, 500 for a fault of ours, 400 for anything else.
func statusOf(err error) int {
	switch errs.CodeOf(err) {
	case errs.Forbidden, errs.Unauthorized:
		return http.StatusForbidden
	case errs.NotFound:
		return http.StatusNotFound
	case errs.TooMany:
		return http.StatusTooManyRequests
	case errs.Internal:
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// fail answers an error in the spec's error document.
func (h *Handlers) fail(w http.ResponseWriter, r *http.Request, format string, err error) {
	status := statusOf(err)
	msg := errs.MessageOf(err)
	if status == http.StatusInternalServerError {
		h.kit.Log.ErrorContext(r.Context(), "open311", "request_id", web.RequestID(r.Context()), "err", err)
		msg = "系统繁忙，请稍后再试 / internal error, please try again later"
	} else if !strings.Contains(msg, " / ") {
		msg += " / " + strings.ToLower(http.StatusText(status))
	}
	p := []Problem{{Code: status, Description: msg}}
	h.reply(w, format, status, errorsDoc{Items: p}, p)
}

// limit takes one call from the client's allowance, answering 429 when it is spent.
func (h *Handlers) limit(w http.ResponseWriter, r *http.Request, format, client string, post bool) bool {
	if h.svc.Allow(client, post, time.Now()) {
		return true
	}
	web.RetryAfter(w, h.svc.opts.ReadEvery)
	if post {
		web.RetryAfter(w, h.svc.opts.PostEvery)
	}
	h.fail(w, r, format, bi(errs.TooMany, "请求过于频繁，请稍后再试", "too many requests, slow down"))
	return false
}

// client authenticates the api_key of a call, takes it from the key's allowance and counts it.
func (h *Handlers) client(w http.ResponseWriter, r *http.Request, format string, post bool) (*Key, bool) {
	key := r.URL.Query().Get("api_key")
	if r.Method == http.MethodPost {
		key = r.PostFormValue("api_key")
	}
	k, err := h.svc.Client(r.Context(), key)
	if err != nil {
		if !h.limit(w, r, format, "addr:"+web.ClientIP(r), false) {
			return nil, false
		}
		h.fail(w, r, format, err)
		return nil, false
	}
	if !h.limit(w, r, format, "key:"+strconv.FormatInt(k.ID, 10), post) {
		return nil, false
	}
	if err := h.svc.Counted(r.Context(), k); err != nil {
		h.fail(w, r, format, err)
		return nil, false
	}
	return k, true
}

func (h *Handlers) discovery(w http.ResponseWriter, r *http.Request) {
	name, format, err := doc(r)
	if err == nil && name != "discovery" {
		err = bi(errs.NotFound, "没有这个文档", "no such document")
	}
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	if !h.limit(w, r, format, "addr:"+web.ClientIP(r), false) {
		return
	}
	base := strings.TrimRight(h.BaseURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	formats := []string{"text/xml", "application/json"}
	d := Discovery{Changeset: changeset, Contact: h.svc.opts.Contact, KeyService: h.svc.opts.KeyService,
		Endpoints: []Endpoint{{Specification: Specification, URL: base + "/open311/v2", Changeset: changeset,
			Type: "production", Formats: formats}}}
	if h.svc.opts.TestURL != "" {
		d.Endpoints = append(d.Endpoints, Endpoint{Specification: Specification, URL: h.svc.opts.TestURL,
			Changeset: changeset, Type: "test", Formats: formats})
	}
	if d.Contact == "" {
		d.Contact = "请联系部署本系统的街道或社区 / contact the street or community office that runs this service"
	}
	if d.KeyService == "" {
		d.KeyService = "api_key 由本系统的安全管理员发放 / api_keys are issued by this deployment's security administrator"
	}
	h.reply(w, format, http.StatusOK, d, d)
}

// get serves GET services, requests and servicerequestupdates.
func (h *Handlers) get(w http.ResponseWriter, r *http.Request) {
	name, format, err := doc(r)
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	q := r.URL.Query()
	jur := q.Get("jurisdiction_id")
	switch name {
	case "services":
		if !h.limit(w, r, format, "addr:"+web.ClientIP(r), false) {
			return
		}
		list, err := h.svc.Services(r.Context(), jur)
		if err != nil {
			h.fail(w, r, format, err)
			return
		}
		h.reply(w, format, http.StatusOK, servicesDoc{Items: list}, list)
	case "requests":
		k, ok := h.client(w, r, format, false)
		if !ok {
			return
		}
		list, err := h.svc.Requests(r.Context(), k, Query{Jurisdiction: jur, IDs: commaList(q.Get("service_request_id")),
			ServiceCodes: commaList(q.Get("service_code")), Start: q.Get("start_date"), End: q.Get("end_date"),
			UpdatedAfter: q.Get("updated_after"), UpdatedBefore: q.Get("updated_before"), Statuses: commaList(q.Get("status"))})
		if err != nil {
			h.fail(w, r, format, err)
			return
		}
		h.reply(w, format, http.StatusOK, requestsDoc{Items: list}, list)
	case "servicerequestupdates":
		k, ok := h.client(w, r, format, false)
		if !ok {
			return
		}
		list, err := h.svc.Updates(r.Context(), k, jur, q.Get("start_date"), q.Get("end_date"))
		if err != nil {
			h.fail(w, r, format, err)
			return
		}
		h.reply(w, format, http.StatusOK, updatesDoc{Items: list}, list)
	default:
		h.fail(w, r, format, bi(errs.NotFound, "没有这个资源", "no such resource"))
	}
}

// commaList splits a comma-delimited parameter, dropping empty items.
func commaList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// post serves POST requests and servicerequestupdates.
func (h *Handlers) post(w http.ResponseWriter, r *http.Request) {
	name, format, err := doc(r)
	if err == nil && name != "requests" && name != "servicerequestupdates" {
		err = bi(errs.NotFound, "没有这个资源", "no such resource")
	}
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, format, bi(errs.Invalid, "请求体应为 application/x-www-form-urlencoded", "the body must be application/x-www-form-urlencoded"))
		return
	}
	k, ok := h.client(w, r, format, true)
	if !ok {
		return
	}
	f := r.PostForm
	if name == "servicerequestupdates" {
		up, err := h.svc.PostUpdate(r.Context(), k, f.Get("jurisdiction_id"), f.Get("service_request_id"), f.Get("description"))
		if err != nil {
			h.fail(w, r, format, err)
			return
		}
		list := []UpdatePosted{*up}
		h.reply(w, format, http.StatusOK, updatesDoc{Items: list}, list)
		return
	}
	in := PostInput{Jurisdiction: f.Get("jurisdiction_id"), ServiceCode: f.Get("service_code"), Lat: f.Get("lat"),
		Long: f.Get("long"), AddressString: f.Get("address_string"), AddressID: f.Get("address_id"),
		Email: f.Get("email"), DeviceID: f.Get("device_id"), AccountID: f.Get("account_id"), FirstName: f.Get("first_name"),
		LastName: f.Get("last_name"), Phone: f.Get("phone"), Description: f.Get("description"), MediaURL: f.Get("media_url"),
		Attributes: map[string][]string{}}
	for key, vs := range f {
		if code, ok := strings.CutPrefix(key, "attribute["); ok {
			code = strings.TrimSuffix(strings.TrimSuffix(code, "[]"), "]")
			in.Attributes[code] = append(in.Attributes[code], vs...)
		}
	}
	posted, err := h.svc.Post(r.Context(), k, in)
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	list := []Posted{*posted}
	h.reply(w, format, http.StatusOK, requestsDoc{Items: list}, list)
}

func (h *Handlers) definition(w http.ResponseWriter, r *http.Request) {
	code, format, err := doc(r)
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	if !h.limit(w, r, format, "addr:"+web.ClientIP(r), false) {
		return
	}
	d, err := h.svc.Definition(r.Context(), r.URL.Query().Get("jurisdiction_id"), code)
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	h.reply(w, format, http.StatusOK, d, d)
}

func (h *Handlers) request(w http.ResponseWriter, r *http.Request) {
	id, format, err := doc(r)
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	k, ok := h.client(w, r, format, false)
	if !ok {
		return
	}
	list, err := h.svc.Request(r.Context(), k, r.URL.Query().Get("jurisdiction_id"), id)
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	h.reply(w, format, http.StatusOK, requestsDoc{Items: list}, list)
}

func (h *Handlers) token(w http.ResponseWriter, r *http.Request) {
	token, format, err := doc(r)
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	k, ok := h.client(w, r, format, false)
	if !ok {
		return
	}
	t, err := h.svc.Token(r.Context(), k, r.URL.Query().Get("jurisdiction_id"), token)
	if err != nil {
		h.fail(w, r, format, err)
		return
	}
	list := []TokenAnswer{*t}
	h.reply(w, format, http.StatusOK, requestsDoc{Items: list}, list)
}
