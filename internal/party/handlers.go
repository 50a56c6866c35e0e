package party

import (
	"context"
	"embed"
	"net/http"
	"net/url"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Handlers serves the party organisation's pages and API.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
	// Contacts, when set, gives this month's contacts per liaison household of an organisation, so
	// the branch page shows its coverage. Grid work (internal/visits) keeps the contact log and
	// builds on this package, so app wires it in rather than party importing visits.
	Contacts func(ctx context.Context, orgID int64) (map[int64]MonthContacts, error)
}

// MonthContacts is a liaison household's contacts this month: covered households contacted at
// least once, of the households it covers.
type MonthContacts struct {
	Contacted int
	Covered   int
}

// NewHandlers returns the party handlers; it parses the templates and panics if one is broken.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit) *Handlers {
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templatesFS, nil)}
}

// Routes registers the party organisation's pages and API.
func (h *Handlers) Routes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.PartyRead, f) }
	write := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.PartyWrite, f) }
	mux.Handle("GET /party", read(h.chain))
	mux.Handle("GET /party/orgs", read(h.orgs))
	mux.Handle("GET /party/orgs/new", write(h.newOrg))
	mux.Handle("POST /party/orgs", write(h.createOrg))
	mux.Handle("GET /party/orgs/{id}", read(h.org))
	mux.Handle("GET /party/orgs/{id}/edit", write(h.editOrg))
	mux.Handle("POST /party/orgs/{id}", write(h.updateOrg))
	mux.Handle("POST /party/orgs/{id}/branches", write(h.createBranches))
	mux.Handle("GET /party/members", read(h.members))
	mux.Handle("GET /party/members/new", write(h.newMember))
	mux.Handle("POST /party/members", write(h.createMember))
	mux.Handle("GET /party/members/{id}", read(h.member))
	mux.Handle("GET /party/members/{id}/edit", write(h.editMember))
	mux.Handle("POST /party/members/{id}", write(h.updateMember))
	mux.Handle("POST /party/members/{id}/transfer", write(h.transferMember))
	mux.Handle("POST /party/members/{id}/deactivate", write(h.deactivateMember))
	mux.Handle("GET /party/liaison", read(h.liaisons))
	mux.Handle("GET /party/liaison/new", write(h.newLiaison))
	mux.Handle("POST /party/liaison", write(h.createLiaison))
	mux.Handle("GET /party/liaison/{id}", read(h.liaison))
	mux.Handle("POST /party/liaison/{id}/covered", write(h.coverHouseholds))
	mux.Handle("POST /party/liaison/{id}/covered/{household}/remove", write(h.uncoverHousehold))
	mux.Handle("POST /party/liaison/{id}/delete", write(h.deleteLiaison))
	mux.Handle("GET /party/covered", read(h.covered))
	h.apiRoutes(mux)
}

func canWrite(r *http.Request) bool { return auth.FromContext(r.Context()).Can(auth.PartyWrite) }

// chainCommittee is a committee with its branches on the organisation page; Org is nil for the
// branches of a committee outside the user's scope (a grid worker sees only their branch).
type chainCommittee struct {
	Org      *Org
	Branches []*chainBranch
}

type chainBranch struct {
	Org      *Org
	Groups   []*Org
	Liaisons []*chainLiaison
}

type chainLiaison struct {
	LiaisonHousehold
	Households []CoveredHousehold
}

type chainView struct {
	web.Page
	Figures     Figures
	Committees  []*chainCommittee
	Communities []regionInfo // communities in scope without a committee
	CanWrite    bool
	Open        bool // expand every branch: only one to show
}

func (h *Handlers) chain(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := &chainView{Page: web.Page{Title: "党组织"}, CanWrite: canWrite(r)}
	var err error
	if v.Figures, err = h.svc.Figures(ctx, auth.FromContext(ctx), 0); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	orgs, err := h.svc.Tree(ctx)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	liaisons, _, err := h.svc.Liaisons(ctx, LiaisonFilter{Limit: 100000})
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	covered, _, err := h.svc.Covered(ctx, CoveredFilter{Limit: 1000000})
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.CanWrite {
		if v.Communities, err = h.svc.CommunitiesWithoutCommittee(ctx); err != nil {
			h.kit.Error(w, r, err)
			return
		}
	}
	v.Committees = buildChain(orgs, liaisons, covered)
	branches := 0
	for _, c := range v.Committees {
		branches += len(c.Branches)
	}
	v.Open = branches == 1
	h.views.Render(w, r, http.StatusOK, "chain.html", v)
}

func buildChain(orgs []*Org, liaisons []LiaisonHousehold, covered []CoveredHousehold) []*chainCommittee {
	byLiaison := map[int64][]CoveredHousehold{}
	for _, c := range covered {
		byLiaison[c.LiaisonID] = append(byLiaison[c.LiaisonID], c)
	}
	committees := map[int64]*chainCommittee{}
	branches := map[int64]*chainBranch{}
	var out []*chainCommittee
	var orphans *chainCommittee
	for _, o := range orgs {
		switch o.Kind {
		case Committee:
			c := &chainCommittee{Org: o}
			committees[o.ID] = c
			out = append(out, c)
		case Branch:
			b := &chainBranch{Org: o}
			branches[o.ID] = b
			c := committees[0]
			if o.ParentID != nil {
				c = committees[*o.ParentID]
			}
			if c == nil {
				if orphans == nil {
					orphans = &chainCommittee{}
				}
				c = orphans
			}
			c.Branches = append(c.Branches, b)
		case Group:
			if o.ParentID != nil && branches[*o.ParentID] != nil {
				branches[*o.ParentID].Groups = append(branches[*o.ParentID].Groups, o)
			}
		}
	}
	for _, l := range liaisons {
		if b := branches[l.OrgID]; b != nil {
			b.Liaisons = append(b.Liaisons, &chainLiaison{LiaisonHousehold: l, Households: byLiaison[l.ID]})
		}
	}
	if orphans != nil {
		out = append(out, orphans)
	}
	return out
}

func queryInt(q url.Values, name string) int64 {
	var n int64
	for _, c := range q.Get(name) {
		if c < '0' || c > '9' || n > 1e15 {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

var errNoKind = errs.E(errs.Invalid, "请选择要建立的党组织类别")
