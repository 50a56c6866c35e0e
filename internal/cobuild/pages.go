package cobuild

import (
	"html/template"
	"net/http"

	"linli/internal/auth"
)

// funcs are the template functions the co-building pages add to the kit's.
var funcs = template.FuncMap{}

func (h *Handlers) pageRoutes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.CobuildRead, f) }
	_ = read
}
