package party

import (
	_ "embed"
	"net/http"
	"net/url"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
)

// OpenAPI is this package's part of the API document: its paths and components.
//
//go:embed openapi.json
var OpenAPI []byte

func (h *Handlers) apiRoutes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.PartyRead, f) }
	write := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.PartyWrite, f) }
	mux.Handle("GET /api/v1/party/figures", read(h.apiFigures))
	mux.Handle("GET /api/v1/party/organizations", read(h.apiOrgs))
	mux.Handle("POST /api/v1/party/organizations", write(h.apiCreateOrg))
	mux.Handle("GET /api/v1/party/organizations/{id}", read(h.apiOrg))
	mux.Handle("PATCH /api/v1/party/organizations/{id}", write(h.apiUpdateOrg))
	mux.Handle("GET /api/v1/party/members", read(h.apiMembers))
	mux.Handle("POST /api/v1/party/members", write(h.apiCreateMember))
	mux.Handle("GET /api/v1/party/members/{id}", read(h.apiMember))
	mux.Handle("PATCH /api/v1/party/members/{id}", write(h.apiUpdateMember))
	mux.Handle("POST /api/v1/party/members/{id}/transfer", write(h.apiTransferMember))
	mux.Handle("POST /api/v1/party/members/{id}/deactivate", write(h.apiDeactivateMember))
	mux.Handle("GET /api/v1/party/liaison-households", read(h.apiLiaisons))
	mux.Handle("POST /api/v1/party/liaison-households", write(h.apiCreateLiaison))
	mux.Handle("GET /api/v1/party/liaison-households/{id}", read(h.apiLiaison))
	mux.Handle("DELETE /api/v1/party/liaison-households/{id}", write(h.apiDeleteLiaison))
	mux.Handle("GET /api/v1/party/liaison-households/{id}/covered-households", read(h.apiCovered))
	mux.Handle("POST /api/v1/party/liaison-households/{id}/covered-households", write(h.apiCover))
	mux.Handle("DELETE /api/v1/party/liaison-households/{id}/covered-households/{household}", write(h.apiUncover))
}

// strictInt reads an optional integer query parameter; a malformed one is a client error.
func strictInt(q url.Values, name string) (int64, error) {
	if q.Get(name) == "" {
		return 0, nil
	}
	n := queryInt(q, name)
	if n <= 0 {
		return 0, errs.E(errs.Invalid, "参数 %s 应为正整数", name)
	}
	return n, nil
}

func (h *Handlers) apiFigures(w http.ResponseWriter, r *http.Request) {
	region, err := strictInt(r.URL.Query(), "region")
	var f Figures
	if err == nil {
		f, err = h.svc.Figures(r.Context(), auth.FromContext(r.Context()), region)
	}
	h.kit.Reply(w, r, http.StatusOK, f, err)
}

func (h *Handlers) apiOrgs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := web.PagerFrom(r, 50)
	f := OrgFilter{Kind: OrgKind(q.Get("kind")), Limit: p.Limit, Offset: p.Offset}
	var err error
	if f.Kind != "" && f.Kind.Label() == "" {
		err = errs.E(errs.Invalid, "kind 应为 committee、branch 或 group")
	}
	if err == nil {
		f.ParentID, err = strictInt(q, "parent")
	}
	if err == nil {
		f.RegionID, err = strictInt(q, "region")
	}
	var list web.List[Org]
	if err == nil {
		list.Items, list.Total, err = h.svc.Orgs(r.Context(), f)
	}
	h.kit.Reply(w, r, http.StatusOK, list, err)
}

func (h *Handlers) apiOrg(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var o *Org
	if err == nil {
		o, err = h.svc.Org(r.Context(), id)
	}
	h.kit.Reply(w, r, http.StatusOK, o, err)
}

func (h *Handlers) apiCreateOrg(w http.ResponseWriter, r *http.Request) {
	var in OrgInput
	err := web.DecodeJSON(r, &in)
	var o *Org
	if err == nil {
		if o, err = h.svc.CreateOrg(r.Context(), in); err == nil {
			o, err = h.svc.Org(r.Context(), o.ID)
		}
	}
	h.kit.Reply(w, r, http.StatusCreated, o, err)
}

func (h *Handlers) apiUpdateOrg(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var o *Org
	if err == nil {
		o, err = h.svc.Org(r.Context(), id)
	}
	if err == nil {
		u := OrgUpdate{Name: o.Name, Secretary: o.Secretary, FoundedOn: o.FoundedOn, Note: o.Note}
		if err = web.DecodeJSON(r, &u); err == nil {
			if _, err = h.svc.UpdateOrg(r.Context(), id, u); err == nil {
				o, err = h.svc.Org(r.Context(), id)
			}
		}
	}
	h.kit.Reply(w, r, http.StatusOK, o, err)
}

func (h *Handlers) apiMembers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := web.PagerFrom(r, 50)
	f := MemberFilter{Kind: MemberKind(q.Get("kind")), Status: MemberStatus(q.Get("status")), Q: q.Get("q"),
		Inactive: q.Get("inactive") == "true", Limit: p.Limit, Offset: p.Offset}
	var err error
	if f.Kind != "" && f.Kind.Label() == "" {
		err = errs.E(errs.Invalid, "kind 应为 resident 或 in_service")
	} else if f.Status != "" && f.Status.Label() == "" {
		err = errs.E(errs.Invalid, "status 应为 full 或 probationary")
	}
	if err == nil {
		f.OrgID, err = strictInt(q, "org")
	}
	if err == nil {
		f.RegionID, err = strictInt(q, "region")
	}
	var list web.List[Member]
	if err == nil {
		var items []Member
		var n int
		items, n, err = h.svc.Members(r.Context(), f)
		list = web.CappedList(items, n)
	}
	h.kit.Reply(w, r, http.StatusOK, list, err)
}

func (h *Handlers) apiMember(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var m *Member
	if err == nil {
		m, err = h.svc.Member(r.Context(), id)
	}
	h.kit.Reply(w, r, http.StatusOK, m, err)
}

func (h *Handlers) apiCreateMember(w http.ResponseWriter, r *http.Request) {
	var in MemberInput
	err := web.DecodeJSON(r, &in)
	var m *Member
	if err == nil {
		m, err = h.svc.CreateMember(r.Context(), in)
	}
	h.kit.Reply(w, r, http.StatusCreated, m, err)
}

// memberPatch is the body of PATCH /members/{id}: the member's editable fields, any omitted kept.
type memberPatch struct {
	Name         *string       `json:"name"`
	Gender       *string       `json:"gender"`
	Phone        *string       `json:"phone"`
	JoinedOn     *string       `json:"joined_on"`
	Status       *MemberStatus `json:"status"`
	Kind         *MemberKind   `json:"kind"`
	Employment   *Employment   `json:"employment"`
	Workplace    *string       `json:"workplace"`
	HomeOrg      *string       `json:"home_org"`
	Skills       *string       `json:"skills"`
	RegisteredOn *string       `json:"registered_on"`
	Note         *string       `json:"note"`
}

func (h *Handlers) apiUpdateMember(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var m *Member
	if err == nil {
		m, err = h.svc.Member(r.Context(), id)
	}
	var patch memberPatch
	if err == nil {
		err = web.DecodeJSON(r, &patch)
	}
	if err == nil {
		in := inputOf(m)
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&in.Name, patch.Name)
		set(&in.Gender, patch.Gender)
		set(&in.Phone, patch.Phone)
		set(&in.JoinedOn, patch.JoinedOn)
		set(&in.Workplace, patch.Workplace)
		set(&in.HomeOrg, patch.HomeOrg)
		set(&in.Skills, patch.Skills)
		set(&in.RegisteredOn, patch.RegisteredOn)
		set(&in.Note, patch.Note)
		if patch.Status != nil {
			in.Status = *patch.Status
		}
		if patch.Kind != nil {
			in.Kind = *patch.Kind
		}
		if patch.Employment != nil {
			in.Employment = *patch.Employment
		}
		m, err = h.svc.UpdateMember(r.Context(), id, in)
	}
	h.kit.Reply(w, r, http.StatusOK, m, err)
}

func (h *Handlers) apiTransferMember(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var body struct {
		OrgID int64  `json:"org_id"`
		Note  string `json:"note"`
	}
	var m *Member
	if err == nil {
		if err = web.DecodeJSON(r, &body); err == nil {
			m, err = h.svc.TransferMember(r.Context(), id, body.OrgID, body.Note)
		}
	}
	h.kit.Reply(w, r, http.StatusOK, m, err)
}

func (h *Handlers) apiDeactivateMember(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var body struct {
		Reason string `json:"reason"`
		LeftOn string `json:"left_on"`
	}
	var m *Member
	if err == nil {
		if err = web.DecodeJSON(r, &body); err == nil {
			m, err = h.svc.DeactivateMember(r.Context(), id, body.Reason, body.LeftOn)
		}
	}
	h.kit.Reply(w, r, http.StatusOK, m, err)
}

func (h *Handlers) apiLiaisons(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := web.PagerFrom(r, 50)
	f := LiaisonFilter{Limit: p.Limit, Offset: p.Offset}
	var err error
	if f.OrgID, err = strictInt(q, "org"); err == nil {
		if f.RegionID, err = strictInt(q, "region"); err == nil {
			f.MemberID, err = strictInt(q, "member")
		}
	}
	var list web.List[LiaisonHousehold]
	if err == nil {
		list.Items, list.Total, err = h.svc.Liaisons(r.Context(), f)
	}
	h.kit.Reply(w, r, http.StatusOK, list, err)
}

// liaisonDetail is a liaison household with the households it covers.
type liaisonDetail struct {
	*LiaisonHousehold
	Households []CoveredHousehold `json:"covered_households"`
}

func (h *Handlers) liaisonDetail(r *http.Request, id int64) (*liaisonDetail, error) {
	l, err := h.svc.Liaison(r.Context(), id)
	if err != nil {
		return nil, err
	}
	d := &liaisonDetail{LiaisonHousehold: l}
	d.Households, _, err = h.svc.Covered(r.Context(), CoveredFilter{LiaisonID: id})
	return d, err
}

func (h *Handlers) apiLiaison(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var d *liaisonDetail
	if err == nil {
		d, err = h.liaisonDetail(r, id)
	}
	h.kit.Reply(w, r, http.StatusOK, d, err)
}

func (h *Handlers) apiCreateLiaison(w http.ResponseWriter, r *http.Request) {
	var in LiaisonInput
	err := web.DecodeJSON(r, &in)
	var d *liaisonDetail
	if err == nil {
		var l *LiaisonHousehold
		if l, err = h.svc.CreateLiaison(r.Context(), in); err == nil {
			d, err = h.liaisonDetail(r, l.ID)
		}
	}
	h.kit.Reply(w, r, http.StatusCreated, d, err)
}

func (h *Handlers) apiDeleteLiaison(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		err = h.svc.DeleteLiaison(r.Context(), id)
	}
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handlers) apiCovered(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var list web.List[CoveredHousehold]
	if err == nil {
		if _, err = h.svc.Liaison(r.Context(), id); err == nil {
			list.Items, list.Total, err = h.svc.Covered(r.Context(), CoveredFilter{LiaisonID: id})
		}
	}
	h.kit.Reply(w, r, http.StatusOK, list, err)
}

func (h *Handlers) apiCover(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var body struct {
		HouseholdIDs []int64 `json:"household_ids"`
	}
	var d *liaisonDetail
	if err == nil {
		if err = web.DecodeJSON(r, &body); err == nil {
			if _, err = h.svc.CoverHouseholds(r.Context(), id, body.HouseholdIDs); err == nil {
				d, err = h.liaisonDetail(r, id)
			}
		}
	}
	h.kit.Reply(w, r, http.StatusOK, d, err)
}

func (h *Handlers) apiUncover(w http.ResponseWriter, r *http.Request) {
	id, hid, err := coveredPath(r)
	if err == nil {
		err = h.svc.UncoverHousehold(r.Context(), id, hid)
	}
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
