package register

import (
	"net/http"

	"linli/internal/auth"
	"linli/internal/pii"
	"linli/internal/web"
)

func (h *Handlers) apiResidentRoutes(mux *http.ServeMux, read, write func(http.HandlerFunc) http.Handler) {
	mux.Handle("GET /api/v1/residents", read(h.apiResidents))
	mux.Handle("POST /api/v1/residents", write(h.apiCreateResident))
	mux.Handle("GET /api/v1/residents/{id}", read(apiGet(h, h.svc.Resident)))
	mux.Handle("PUT /api/v1/residents/{id}", write(h.apiUpdateResident))
	mux.Handle("POST /api/v1/residents/{id}/status", write(h.apiResidentStatus))
	mux.Handle("POST /api/v1/residents/{id}/reveal", h.auth.API(auth.RevealPII, h.apiReveal))
}

func (h *Handlers) apiResidents(w http.ResponseWriter, r *http.Request) {
	pg := web.PagerFrom(r, 50)
	f := residentFilter(r)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	list, total, err := h.svc.Residents(r.Context(), f)
	h.kit.Reply(w, r, http.StatusOK, web.CappedList(list, total), err)
}

// residentBody is a resident as the API takes it. On update an omitted or empty id_number or
// phone keeps the stored number unless clear_id_number or clear_phone is true.
type residentBody struct {
	HouseholdID   int64    `json:"household_id"`
	Name          string   `json:"name"`
	IDNumber      string   `json:"id_number"`
	Phone         string   `json:"phone"`
	Gender        string   `json:"gender"`
	BirthDate     string   `json:"birth_date"`
	Relation      string   `json:"relation"`
	ResidenceType string   `json:"residence_type"`
	Ethnicity     string   `json:"ethnicity"`
	Note          string   `json:"note"`
	Tags          []string `json:"tags"`
	ClearIDNumber bool     `json:"clear_id_number"`
	ClearPhone    bool     `json:"clear_phone"`
}

func (b residentBody) input() ResidentInput {
	return ResidentInput{HouseholdID: b.HouseholdID, Name: b.Name, IDNumber: b.IDNumber, Phone: b.Phone, Gender: b.Gender,
		BirthDate: b.BirthDate, Relation: b.Relation, ResidenceType: b.ResidenceType, Ethnicity: b.Ethnicity, Note: b.Note,
		Tags: b.Tags}
}

func (h *Handlers) apiCreateResident(w http.ResponseWriter, r *http.Request) {
	var b residentBody
	if h.apiBody(w, r, &b) {
		res, err := h.svc.CreateResident(r.Context(), b.input())
		h.kit.Reply(w, r, http.StatusCreated, res, err)
	}
}

func (h *Handlers) apiUpdateResident(w http.ResponseWriter, r *http.Request) {
	var b residentBody
	if id, ok := h.apiID(w, r, "id"); ok && h.apiBody(w, r, &b) {
		res, err := h.svc.UpdateResident(r.Context(), id, ResidentUpdate{ResidentInput: b.input(), ClearID: b.ClearIDNumber,
			ClearPhone: b.ClearPhone})
		h.kit.Reply(w, r, http.StatusOK, res, err)
	}
}

type statusBody struct {
	Status string `json:"status"`
	Note   string `json:"note"`
}

func (h *Handlers) apiResidentStatus(w http.ResponseWriter, r *http.Request) {
	var b statusBody
	if id, ok := h.apiID(w, r, "id"); ok && h.apiBody(w, r, &b) {
		res, err := h.svc.SetResidentStatus(r.Context(), id, b.Status, b.Note)
		h.kit.Reply(w, r, http.StatusOK, res, err)
	}
}

type revealBody struct {
	Field   string `json:"field"`
	Purpose string `json:"purpose"` // one of pii.RevealPurposes
	Reason  string `json:"reason"`  // the explanation, at least pii.MinReasonRunes characters
}

type revealAnswer struct {
	Value string `json:"value"`
}

func (h *Handlers) apiReveal(w http.ResponseWriter, r *http.Request) {
	var b revealBody
	id, ok := h.apiID(w, r, "id")
	if !ok || !h.apiBody(w, r, &b) {
		return
	}
	reason, err := pii.RevealReason(b.Purpose, b.Reason)
	var value string
	if err == nil {
		value, err = h.svc.Reveal(r.Context(), id, b.Field, reason)
	}
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusOK, revealAnswer{Value: value})
}
