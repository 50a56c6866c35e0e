package auth

import (
	"net/http"

	"linli/internal/web"
)

// A user's own API tokens: the page /account/tokens and the API under /api/v1/auth/tokens. The
// security admin sees and revokes them on the account's page (package accounts).

type tokensView struct {
	web.Page
	Tokens []Token
}

func (h *Handlers) tokensPage(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.Tokens(r.Context(), FromContext(r.Context()))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "tokens.html", &tokensView{Page: web.Page{Title: "访问令牌"}, Tokens: list})
}

func (h *Handlers) revokeTokenForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		err = h.svc.RevokeToken(r.Context(), FromContext(r.Context()), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/account/tokens", "访问令牌已吊销")
}

func (h *Handlers) apiTokens(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.Tokens(r.Context(), FromContext(r.Context()))
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.List[Token]{Items: list, Total: len(list)})
}

func (h *Handlers) apiRevokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		err = h.svc.RevokeToken(r.Context(), FromContext(r.Context()), id)
	}
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
