package cobuild

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/web"
)

// PublicNeedInput is a need a resident raises on the public page: what is needed, for which
// community, and how to reach them (the phone is sealed and shown masked).
type PublicNeedInput struct {
	CommunityID int64
	Title       string
	Category    string
	Detail      string
	Place       string // where, in the resident's words (楼栋、小区)
	Name        string
	Phone       string
}

// Validate checks a resident's need, naming each bad field; the phone is normalised.
func (in *PublicNeedInput) Validate() error {
	in.Title, in.Detail, in.Place, in.Name = clean(in.Title), clean(in.Detail), clean(in.Place), clean(in.Name)
	f := errs.Fields{}
	if in.CommunityID <= 0 {
		f.Add("community_id", "请选择所在社区")
	}
	if in.Title == "" || tooLong(in.Title, 60) {
		f.Add("title", "请填写需求名称（60字以内）")
	}
	if !ValidCategory(in.Category) {
		f.Add("category", "请选择需求类别")
	}
	if tooLong(in.Detail, 1000) {
		f.Add("detail", "需求说明不能超过1000字")
	}
	if tooLong(in.Place, 60) {
		f.Add("place", "位置不能超过60字")
	}
	if in.Name == "" || tooLong(in.Name, 20) {
		f.Add("name", "请填写您的称呼（20字以内）")
	}
	phone, err := pii.NormalizePhone(in.Phone)
	if err != nil || phone == "" {
		f.Add("phone", "请填写正确的手机号码，便于社区联系您")
	}
	in.Phone = phone
	return f.Err()
}

// PublicCommunities lists the communities with a 大党委 (an active member unit) for the public
// page's choice of community.
func (s *Service) PublicCommunities(ctx context.Context) ([]Ref, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT r.id, r.name FROM regions r WHERE r.level = 'community'
		AND EXISTS (SELECT 1 FROM cobuild_units u WHERE u.region_id = r.id AND u.active = TRUE) ORDER BY r.code, r.id`)
	if err != nil {
		return nil, fmt.Errorf("public communities: %w", err)
	}
	defer rows.Close()
	out := []Ref{}
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RaisePublicNeed records a resident's need (source 居民) for the community's staff to review: it
// joins the needs list, open for the units to claim, once accepted (ReviewNeed); the community sees
// the contact, masked. It returns the need's id and the secret of the resident's tracking link.
func (s *Service) RaisePublicNeed(ctx context.Context, in PublicNeedInput) (int64, string, error) {
	if s.sealer == nil {
		return 0, "", errs.E(errs.NotFound, "居民提需求暂未开放")
	}
	if err := in.Validate(); err != nil {
		return 0, "", err
	}
	var id int64
	track := trackToken()
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions r WHERE r.id = $1 AND r.level = 'community'
			AND EXISTS (SELECT 1 FROM cobuild_units u WHERE u.region_id = r.id AND u.active = TRUE)`, in.CommunityID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.Field("community_id", "请选择所在社区")
		}
		detail := in.Detail
		if in.Place != "" {
			detail = "位置：" + in.Place + "\n" + detail
		}
		now := s.now().UTC()
		masked := pii.MaskPhone(in.Phone)
		if err := tx.QueryRowContext(ctx, `INSERT INTO cobuild_needs (region_id, title, category, detail, beneficiary, urgency, source,
			raised_on, contact_name, contact_phone_enc, contact_phone_masked, review, track_token, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 'community', 'normal', 'resident', $5, $6, $7, $8, 'pending', $9, $10, $10) RETURNING id`,
			in.CommunityID, in.Title, in.Category, detail, s.today(), in.Name, s.sealer.Seal(in.Phone), masked, track, now).Scan(&id); err != nil {
			return fmt.Errorf("insert resident need: %w", err)
		}
		return record(ctx, tx, "cobuild.need.public", "cobuild_need", id, in.CommunityID, "居民通过公开页面提出需求（待审核）："+in.Title,
			map[string]string{"title": in.Title, "category": in.Category, "contact": in.Name + " " + masked})
	})
	if err != nil {
		return 0, "", err
	}
	return id, track, nil
}

type publicNeedView struct {
	web.Page
	Communities []Ref
	Form        PublicNeedInput
}

// publicRoutes registers the resident's page for raising a need, limited per address.
func (h *Handlers) publicRoutes(mux *http.ServeMux) {
	lim := web.NewLimiter(time.Minute, 5)
	mux.HandleFunc("GET /public/cobuild/needs", h.publicNeed)
	mux.HandleFunc("GET /public/cobuild/needs/track/{token}", h.trackNeed)
	mux.HandleFunc("POST /public/cobuild/needs", func(w http.ResponseWriter, r *http.Request) {
		if !lim.Allow(r, time.Now()) {
			h.kit.Error(w, r, errs.E(errs.TooMany, "提交过于频繁，请稍后再试"))
			return
		}
		h.raisePublicNeed(w, r)
	})
}

func (h *Handlers) renderPublicNeed(w http.ResponseWriter, r *http.Request, status int, v *publicNeedView) {
	var err error
	if v.Communities, err = h.svc.PublicCommunities(r.Context()); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Form.CommunityID == 0 && len(v.Communities) == 1 {
		v.Form.CommunityID = v.Communities[0].ID
	}
	h.views.Render(w, r, status, "public_need.html", v)
}

func (h *Handlers) publicNeed(w http.ResponseWriter, r *http.Request) {
	v := &publicNeedView{Page: web.Page{Title: "我有需求"}}
	v.Form.CommunityID, _ = strconv.ParseInt(r.URL.Query().Get("community"), 10, 64)
	h.renderPublicNeed(w, r, http.StatusOK, v)
}

func (h *Handlers) raisePublicNeed(w http.ResponseWriter, r *http.Request) {
	in := PublicNeedInput{Title: r.PostFormValue("title"), Category: r.PostFormValue("category"), Detail: r.PostFormValue("detail"),
		Place: r.PostFormValue("place"), Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone")}
	in.CommunityID, _ = strconv.ParseInt(r.PostFormValue("community_id"), 10, 64)
	_, track, err := h.svc.RaisePublicNeed(r.Context(), in)
	if err != nil {
		in.Phone = ""
		v := &publicNeedView{Page: web.Page{Title: "我有需求"}, Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderPublicNeed(w, r, status, v) })
		return
	}
	web.Redirect(w, r, "/public/cobuild/needs/track/"+track, "需求已提交，社区审核后列入需求清单。请保存本页链接，随时查看办理进度")
}

type trackView struct {
	web.Page
	Track *NeedTrack
	Link  string
}

// trackNeed shows a resident the need their tracking link names: its review and, once accepted,
// its progress.
func (h *Handlers) trackNeed(w http.ResponseWriter, r *http.Request) {
	t, err := h.svc.TrackNeed(r.Context(), r.PathValue("token"))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	h.views.Render(w, r, http.StatusOK, "need_track.html", &trackView{Page: web.Page{Title: "需求办理进度"}, Track: t, Link: r.URL.Path})
}

// NeedContact returns who raised a need on the public page — a name and the masked phone — to the
// community's staff; empty for any other need or viewer.
func (s *Service) NeedContact(ctx context.Context, needID int64) (name, phoneMasked string, err error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return "", "", err
	}
	if !v.staff() {
		return "", "", nil
	}
	if _, err := needFor(ctx, s.db.R, v, needID); err != nil {
		return "", "", err
	}
	err = s.db.R.QueryRowContext(ctx, `SELECT contact_name, contact_phone_masked FROM cobuild_needs WHERE id = $1`, needID).
		Scan(&name, &phoneMasked)
	return name, phoneMasked, err
}
