package cobuild

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/web"
)

// A need a resident raises on the public page is not on the needs list until a member of the
// community's staff accepts it (review accepted); declined, it keeps the reason, which the resident
// reads through their tracking link. Only accepted needs are listed, claimed, matched and counted
// (needScope).

// ReviewFilter narrows the review queue: by review state (pending by default; "any" for all) and
// region.
type ReviewFilter struct {
	RegionID int64
	Review   string
	Limit    int
	Offset   int
}

// reviewWhere is the review queue's conditions: residents' needs in the staff member's region.
func (s *Service) reviewWhere(ctx context.Context, v viewer, f ReviewFilter) (*where, error) {
	if !v.staff() {
		return nil, errs.E(errs.Forbidden, "居民需求由社区工作人员审核")
	}
	if f.Review == "" {
		f.Review = "pending"
	}
	if label(Reviews, f.Review) == "" && f.Review != "any" {
		return nil, errs.Field("review", "审核状态应为 pending、accepted 或 declined")
	}
	within, err := s.within(ctx, v, f.RegionID)
	if err != nil {
		return nil, err
	}
	w := &where{}
	w.add(db.InScope("n.region_id", "?"), v.scope)
	w.add(db.InScope("n.region_id", "?"), within)
	w.conds = append(w.conds, "n.source = 'resident'")
	if f.Review != "any" {
		w.add("n.review = ?", f.Review)
	}
	return w, nil
}

// ReviewItem is a resident's need in the review queue with who raised it, the phone masked.
type ReviewItem struct {
	Need
	ContactName        string `json:"contact_name"`
	ContactPhoneMasked string `json:"contact_phone_masked"`
}

// ReviewQueue lists the residents' needs in a review state (pending: those waiting, oldest first)
// for the community's staff, and the total.
func (s *Service) ReviewQueue(ctx context.Context, f ReviewFilter) ([]ReviewItem, int, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildWrite)
	if err != nil {
		return nil, 0, err
	}
	w, err := s.reviewWhere(ctx, v, f)
	if err != nil {
		return nil, 0, err
	}
	order := "n.raised_on DESC, n.id DESC"
	if f.Review == "" || f.Review == "pending" {
		order = "n.raised_on, n.id"
	}
	needs, total, err := listNeeds(ctx, s.db.R, w, order, f.Limit, f.Offset)
	if err != nil || len(needs) == 0 {
		return []ReviewItem{}, total, err
	}
	out := make([]ReviewItem, len(needs))
	at := map[int64]int{}
	ids := make([]int64, len(needs))
	for i, n := range needs {
		out[i], at[n.ID], ids[i] = ReviewItem{Need: n}, i, n.ID
	}
	a := &db.Args{}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, contact_name, contact_phone_masked FROM cobuild_needs WHERE `+
		s.db.Dialect.InIDs("id", ids, a), *a...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name, phone string
		if err := rows.Scan(&id, &name, &phone); err != nil {
			return nil, 0, err
		}
		out[at[id]].ContactName, out[at[id]].ContactPhoneMasked = name, phone
	}
	return out, total, rows.Err()
}

// ReviewNeed accepts a resident's pending need onto the needs list, or declines it with the
// reason the resident will read. A need already reviewed is a conflict.
func (s *Service) ReviewNeed(ctx context.Context, id int64, accept bool, reason string) (*Need, error) {
	reason = clean(reason)
	if !accept && (reason == "" || tooLong(reason, 200)) {
		return nil, errs.Field("reason", "不予受理须说明理由（200字以内），居民可通过查询链接看到")
	}
	if tooLong(reason, 200) {
		return nil, errs.Field("reason", "说明不能超过200字")
	}
	return inTx(ctx, s.db, func(tx *db.Tx) (*Need, error) {
		v, err := s.viewer(ctx, tx, auth.CobuildWrite)
		if err != nil {
			return nil, err
		}
		// Any review state: a reviewed need is a conflict, not missing.
		one := func() ([]Need, error) {
			w, err := s.reviewWhere(ctx, v, ReviewFilter{Review: "any"})
			if err != nil {
				return nil, err
			}
			w.add("n.id = ?", id)
			found, _, err := listNeeds(ctx, tx, w, "", 1, 0)
			return found, err
		}
		found, err := one()
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, errs.E(errs.NotFound, "需求不存在")
		}
		review, action, detail := "accepted", "cobuild.need.accept", "受理居民需求："+found[0].Title
		if !accept {
			review, action, detail = "declined", "cobuild.need.decline", "不予受理居民需求："+found[0].Title+"（"+reason+"）"
		}
		res, err := tx.ExecContext(ctx, `UPDATE cobuild_needs SET review = $1, review_note = $2, reviewed_by = $3, reviewed_on = $4,
			updated_at = $5 WHERE id = $6 AND review = 'pending'`, review, reason, v.p.UserID, s.today(), s.now().UTC(), id)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, errs.E(errs.Conflict, "该需求已审核（%s）", found[0].ReviewLabel())
		}
		if found, err = one(); err != nil {
			return nil, err
		}
		return &found[0], record(ctx, tx, action, "cobuild_need", id, found[0].RegionID, detail, found[0])
	})
}

// NeedTrack is what a resident's tracking link shows of the need they raised: no one's contact.
type NeedTrack struct {
	Title       string `json:"title"`
	Community   string `json:"community"`
	RaisedOn    string `json:"raised_on"`
	Review      string `json:"review"`
	ReviewLabel string `json:"review_label"`
	ReviewNote  string `json:"review_note"`
	ReviewedOn  string `json:"reviewed_on"`
	State       string `json:"state"`
	StateLabel  string `json:"state_label"`
	UnitName    string `json:"unit_name"`
}

// TrackNeed returns the need a tracking link names; an unknown link is not found.
func (s *Service) TrackNeed(ctx context.Context, token string) (*NeedTrack, error) {
	if len(token) != 32 {
		return nil, errs.E(errs.NotFound, "查询链接无效")
	}
	var t NeedTrack
	err := s.db.R.QueryRowContext(ctx, `SELECT n.title, c.name, n.raised_on, n.review, n.review_note, n.reviewed_on, n.state,
		COALESCE(u.name, '') FROM cobuild_needs n JOIN regions c ON c.id = n.region_id LEFT JOIN cobuild_units u ON u.id = n.unit_id
		WHERE n.track_token = $1`, token).Scan(&t.Title, &t.Community, &t.RaisedOn, &t.Review, &t.ReviewNote, &t.ReviewedOn, &t.State,
		&t.UnitName)
	if err != nil {
		return nil, db.NotFound(err, "查询链接无效")
	}
	t.ReviewLabel = label(Reviews, t.Review)
	t.StateLabel = NeedState(t.State).Label()
	return &t, nil
}

func trackToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("random: %v", err))
	}
	return hex.EncodeToString(b)
}

type reviewView struct {
	web.Page
	Items  []ReviewItem
	Pager  web.Pager
	Query  url.Values
	Review string
}

// reviews is the staff's queue of residents' needs waiting for review (or those accepted or declined).
func (h *Handlers) reviews(w http.ResponseWriter, r *http.Request) {
	pg := web.PagerFrom(r, 30)
	review := r.URL.Query().Get("review")
	if review == "" {
		review = "pending"
	}
	items, total, err := h.svc.ReviewQueue(r.Context(), ReviewFilter{RegionID: web.QueryInt64(r, "region"), Review: review,
		Limit: pg.Limit, Offset: pg.Offset})
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg.Total = total
	h.views.Render(w, r, http.StatusOK, "reviews.html", &reviewView{Page: web.Page{Title: "居民需求审核"}, Items: items, Pager: pg,
		Query: r.URL.Query(), Review: review})
}

func (h *Handlers) reviewNeed(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	accept := r.PostFormValue("decision") == "accept"
	_, err = h.svc.ReviewNeed(r.Context(), id, accept, r.PostFormValue("reason"))
	flash := "已不予受理，居民可通过查询链接看到理由"
	if accept {
		flash = "已受理，需求已列入需求清单"
	}
	h.done(w, r, err, "/cobuild/needs/review", flash)
}

func (h *Handlers) apiReviews(w http.ResponseWriter, r *http.Request) {
	pg := web.PagerFrom(r, 50)
	region, err := queryID(r, "region")
	var items []ReviewItem
	var n int
	if err == nil {
		items, n, err = h.svc.ReviewQueue(r.Context(), ReviewFilter{RegionID: region, Review: r.URL.Query().Get("review"),
			Limit: pg.Limit, Offset: pg.Offset})
	}
	replyList(h, w, r, items, n, err)
}

func (h *Handlers) apiReviewNeed(w http.ResponseWriter, r *http.Request) {
	update(h, w, r, func(id int64, in struct {
		Accept bool   `json:"accept"`
		Reason string `json:"reason"`
	}) (*Need, error) {
		return h.svc.ReviewNeed(r.Context(), id, in.Accept, in.Reason)
	})
}

// pendingReviews counts the residents' needs waiting for the staff member's review (0 for others).
func (h *Handlers) pendingReviews(r *http.Request) int {
	if !auth.FromContext(r.Context()).Can(auth.CobuildWrite) {
		return 0
	}
	_, n, _ := h.svc.ReviewQueue(r.Context(), ReviewFilter{Limit: 1})
	return n
}
