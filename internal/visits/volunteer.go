package visits

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// PointsKey is the setting holding the points an approved hour of service earns.
const PointsKey = "volunteer.points_per_hour"

// DefaultPointsPerHour is one point per approved hour.
const DefaultPointsPerHour = 1.0

// Post is a volunteer post 志愿岗位 a grid leader publishes for in-service party members.
type Post struct {
	ID       int64     `json:"id"`
	GridID   int64     `json:"grid_id"`
	GridName string    `json:"grid_name"`
	Title    string    `json:"title"`
	Place    string    `json:"place"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Slots    int       `json:"slots"`
	Taken    int       `json:"taken"`
	Note     string    `json:"note"`
	SignedUp bool      `json:"signed_up"` // by the signed-in member
}

// PostInput is a new post.
type PostInput struct {
	GridID   int64     `json:"grid_id"`
	Title    string    `json:"title"`
	Place    string    `json:"place"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Slots    int       `json:"slots"`
	Note     string    `json:"note"`
}

// Validate checks a post.
func (in *PostInput) Validate() error {
	f := errs.Fields{}
	in.Title, in.Place, in.Note = strings.TrimSpace(in.Title), strings.TrimSpace(in.Place), strings.TrimSpace(in.Note)
	if in.GridID == 0 {
		f.Add("grid_id", "请选择网格")
	}
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > 60 {
		f.Add("title", "请填写岗位名称（不超过60字）")
	}
	if utf8.RuneCountInString(in.Place) > 100 {
		f.Add("place", "服务地点不能超过100字")
	}
	if in.StartsAt.IsZero() {
		f.Add("starts_at", "请填写开始时间")
	} else if !in.EndsAt.After(in.StartsAt) {
		f.Add("ends_at", "结束时间应晚于开始时间")
	}
	if in.Slots <= 0 || in.Slots > 500 {
		f.Add("slots", "招募人数应为1至500人")
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		f.Add("note", "说明不能超过500字")
	}
	return f.Err()
}

// canLead reports whether the principal publishes posts and approves hours: grid leaders and admins.
func canLead(p *auth.Principal) bool { return p.Role == auth.GridLeader || p.Can(auth.SettingsManage) }

// CanLead reports whether the signed-in user publishes volunteer posts and approves service hours.
func CanLead(ctx context.Context) bool {
	p := auth.FromContext(ctx)
	return p != nil && canLead(p)
}

func requireLead(p *auth.Principal) error {
	if !canLead(p) {
		return errs.E(errs.Forbidden, "只有网格长和社区管理员可以发布岗位和审核服务时长")
	}
	return nil
}

// CreatePost publishes a post in a grid of the principal's scope (grid leaders, admins); audited.
func (s *Service) CreatePost(ctx context.Context, in PostInput) (*Post, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := requireLead(p); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var path, level string
		err := tx.QueryRowContext(ctx, `SELECT path, level FROM regions WHERE id = $1`, in.GridID).Scan(&path, &level)
		if err != nil || !p.Covers(path) || level != "grid" {
			return errs.Field("grid_id", "网格不存在")
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO volunteer_posts (region_id, title, place, starts_at, ends_at, slots,
			note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, in.GridID, in.Title,
			in.Place, in.StartsAt.UTC(), in.EndsAt.UTC(), in.Slots, in.Note, p.UserID, s.now()).Scan(&id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "volunteer.post", ObjectType: "volunteer_post", ObjectID: id,
			RegionID: in.GridID, Detail: in.Title, After: in})
	})
	if err != nil {
		return nil, err
	}
	return s.post(ctx, s.db.W, p, id)
}

const postColumns = `v.id, v.region_id, g.name, v.title, v.place, v.starts_at, v.ends_at, v.slots, v.note,
	(SELECT COUNT(*) FROM volunteer_signups s WHERE s.post_id = v.id)`

func (s *Service) post(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*Post, error) {
	var x Post
	err := q.QueryRowContext(ctx, `SELECT `+postColumns+` FROM volunteer_posts v JOIN regions g ON g.id = v.region_id
		WHERE v.id = $1 AND `+db.InScope("v.region_id", "$2"), id, p.Scope()).Scan(&x.ID, &x.GridID, &x.GridName, &x.Title,
		&x.Place, &x.StartsAt, &x.EndsAt, &x.Slots, &x.Note, &x.Taken)
	if err != nil {
		return nil, db.NotFound(err, "志愿岗位不存在")
	}
	return &x, nil
}

// Posts lists the posts in the principal's scope that end after since, soonest first; SignedUp
// marks the signed-in member's.
func (s *Service) Posts(ctx context.Context, since time.Time) ([]Post, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+postColumns+`, EXISTS (SELECT 1 FROM volunteer_signups s
			JOIN party_members m ON m.id = s.member_id WHERE s.post_id = v.id AND m.user_id = $3)
		FROM volunteer_posts v JOIN regions g ON g.id = v.region_id
		WHERE `+db.InScope("v.region_id", "$1")+` AND v.ends_at >= $2 ORDER BY v.starts_at, v.id LIMIT 200`,
		p.Scope(), since.UTC(), p.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Post{}
	for rows.Next() {
		var x Post
		if err := rows.Scan(&x.ID, &x.GridID, &x.GridName, &x.Title, &x.Place, &x.StartsAt, &x.EndsAt, &x.Slots, &x.Note,
			&x.Taken, &x.SignedUp); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// member returns the signed-in user's in-service party membership.
func member(ctx context.Context, q db.Querier, p *auth.Principal) (id, regionID int64, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, region_id FROM party_members WHERE user_id = $1 AND active AND kind = 'in_service'`,
		p.UserID).Scan(&id, &regionID)
	if err == sql.ErrNoRows {
		return 0, 0, errs.E(errs.Forbidden, "只有已到社区报到的在职党员可以报名志愿岗位、登记服务时长")
	}
	return id, regionID, err
}

// SignUp signs the signed-in in-service member up for a post with free places; audited.
func (s *Service) SignUp(ctx context.Context, postID int64) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		mid, _, err := member(ctx, tx, p)
		if err != nil {
			return err
		}
		post, err := s.post(ctx, tx, p, postID)
		if err != nil {
			return err
		}
		if post.Taken >= post.Slots {
			return errs.E(errs.Conflict, "该岗位名额已满")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO volunteer_signups (post_id, member_id, created_at) VALUES ($1, $2, $3)`,
			postID, mid, s.now()); err != nil {
			if db.IsUnique(err) {
				return errs.E(errs.Conflict, "您已报名该岗位")
			}
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "volunteer.signup", ObjectType: "volunteer_post", ObjectID: postID,
			RegionID: post.GridID, Detail: post.Title, After: map[string]int64{"member_id": mid}})
	})
}

// scopeGrids lists the grids in the principal's scope (at most 500), for choosing a post's grid.
func (s *Service) scopeGrids(ctx context.Context) ([]gridOption, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name FROM regions WHERE level = 'grid' AND path LIKE $1
		ORDER BY path LIMIT 500`, p.Scope())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gridOption
	for rows.Next() {
		var g gridOption
		if err := rows.Scan(&g.ID, &g.Name); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// HoursInput is service time a member logs.
type HoursInput struct {
	PostID   int64  `json:"post_id,omitempty"`
	ServedOn string `json:"served_on"`
	Minutes  int    `json:"minutes"`
	Note     string `json:"note,omitempty"`
}

// Hours is a logged stretch of service.
type Hours struct {
	ID         int64  `json:"id"`
	MemberID   int64  `json:"member_id"`
	MemberName string `json:"member_name"`
	PostID     *int64 `json:"post_id,omitempty"`
	PostTitle  string `json:"post_title"`
	ServedOn   string `json:"served_on"`
	Minutes    int    `json:"minutes"`
	Note       string `json:"note"`
	Status     string `json:"status"` // pending, approved, rejected
	Reason     string `json:"reason"`
}

// StatusLabel names the approval state in Chinese.
func (h Hours) StatusLabel() string {
	return map[string]string{"pending": "待审核", "approved": "已通过", "rejected": "未通过"}[h.Status]
}

// LogHours records the signed-in in-service member's service for the grid leader to approve; a
// post, when named, must be one they signed up for.
func (s *Service) LogHours(ctx context.Context, in HoursInput) (int64, error) {
	p, err := principal(ctx)
	if err != nil {
		return 0, err
	}
	f := errs.Fields{}
	in.Note = strings.TrimSpace(in.Note)
	if !validDate(in.ServedOn) {
		f.Add("served_on", "服务日期格式应为 YYYY-MM-DD")
	} else if in.ServedOn > s.today() {
		f.Add("served_on", "服务日期不能晚于今天")
	}
	if in.Minutes <= 0 || in.Minutes > MaxServiceMins {
		f.Add("minutes", "服务时长应为1分钟至24小时")
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		f.Add("note", "服务内容不能超过500字")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		mid, region, err := member(ctx, tx, p)
		if err != nil {
			return err
		}
		var post any
		if in.PostID != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MAX(v.region_id) FROM volunteer_signups s JOIN volunteer_posts v
				ON v.id = s.post_id WHERE s.post_id = $1 AND s.member_id = $2`, in.PostID, mid).Scan(&n, new(sql.NullInt64)); err != nil {
				return err
			}
			if n == 0 {
				return errs.Field("post_id", "请先报名该岗位")
			}
			if err := tx.QueryRowContext(ctx, `SELECT region_id FROM volunteer_posts WHERE id = $1`, in.PostID).Scan(&region); err != nil {
				return err
			}
			post = in.PostID
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO service_hours (region_id, member_id, post_id, served_on, minutes, note,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, region, mid, post, in.ServedOn,
			in.Minutes, in.Note, p.UserID, s.now()).Scan(&id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "volunteer.hours", ObjectType: "service_hours", ObjectID: id,
			RegionID: region, After: in})
	})
	return id, err
}

// DecideHours approves or rejects logged hours in the principal's scope (grid leaders, admins);
// a rejection needs a reason. Audited.
func (s *Service) DecideHours(ctx context.Context, id int64, approve bool, reason string) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	if err := requireLead(p); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if !approve && reason == "" {
		return errs.Field("reason", "请填写不通过的原因")
	}
	status := "rejected"
	if approve {
		status = "approved"
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var region int64
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT region_id, status FROM service_hours WHERE id = $1 AND `+
			db.InScope("region_id", "$2"), id, p.Scope()).Scan(&region, &cur)
		if err != nil {
			return db.NotFound(err, "服务记录不存在")
		}
		if cur != "pending" {
			return errs.E(errs.Conflict, "该服务记录已审核")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE service_hours SET status = $1, reason = $2, decided_by = $3, decided_at = $4
			WHERE id = $5`, status, reason, p.UserID, s.now(), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "volunteer.hours_" + status, ObjectType: "service_hours",
			ObjectID: id, RegionID: region, Detail: reason, Before: map[string]string{"status": cur},
			After: map[string]string{"status": status}})
	})
}

// HoursList returns logged hours: the principal's own (members) or, for leaders, those in scope
// with the given status ("" for all).
func (s *Service) HoursList(ctx context.Context, status string, limit, offset int) ([]Hours, int, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, 0, err
	}
	a := &db.Args{}
	where := `m.user_id = ` + a.Add(p.UserID)
	if canLead(p) || p.Can(auth.VisitsRead) {
		where = db.InScope("h.region_id", a.Add(p.Scope()))
	}
	if status != "" {
		where += ` AND h.status = ` + a.Add(status)
	}
	from := ` FROM service_hours h JOIN party_members m ON m.id = h.member_id LEFT JOIN volunteer_posts v ON v.id = h.post_id WHERE ` + where
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*)`+from, *a...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT h.id, h.member_id, m.name, h.post_id, COALESCE(v.title, ''), h.served_on,
		h.minutes, h.note, h.status, h.reason`+from+` ORDER BY h.served_on DESC, h.id DESC LIMIT `+a.Add(limit)+
		` OFFSET `+a.Add(offset), *a...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Hours{}
	for rows.Next() {
		var h Hours
		var post sql.NullInt64
		if err := rows.Scan(&h.ID, &h.MemberID, &h.MemberName, &post, &h.PostTitle, &h.ServedOn, &h.Minutes, &h.Note,
			&h.Status, &h.Reason); err != nil {
			return nil, 0, err
		}
		if post.Valid {
			h.PostID = &post.Int64
		}
		out = append(out, h)
	}
	return out, total, rows.Err()
}

// Standing is a member's approved service in a year and the points it earns.
type Standing struct {
	Rank       int     `json:"rank"`
	MemberID   int64   `json:"member_id"`
	MemberName string  `json:"member_name"`
	Workplace  string  `json:"workplace"`
	Minutes    int     `json:"minutes"`
	Points     float64 `json:"points"`
}

// PointsPerHour returns the points an approved hour earns.
func (s *Service) PointsPerHour(ctx context.Context) (float64, error) {
	var v string
	err := s.db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, PointsKey).Scan(&v)
	if err == sql.ErrNoRows {
		return DefaultPointsPerHour, nil
	}
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return DefaultPointsPerHour, nil
	}
	return f, nil
}

// SetPointsPerHour changes the points an approved hour earns (admins); audited.
func (s *Service) SetPointsPerHour(ctx context.Context, points float64) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	if err := p.Require(auth.SettingsManage); err != nil {
		return err
	}
	if points < 0 || points > 100 {
		return errs.Field("points_per_hour", "每小时积分应为0至100")
	}
	before, err := s.PointsPerHour(ctx)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			PointsKey, strconv.FormatFloat(points, 'f', -1, 64), s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "volunteer.points_per_hour", ObjectType: "settings",
			RegionID: p.RegionID, Before: before, After: points})
	})
}

// Ranking ranks the in-service members in the principal's scope by the points of their approved
// service in year.
func (s *Service) Ranking(ctx context.Context, year int) ([]Standing, float64, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, 0, err
	}
	per, err := s.PointsPerHour(ctx)
	if err != nil {
		return nil, 0, err
	}
	from, to := strconv.Itoa(year)+"-01-01", strconv.Itoa(year)+"-12-31"
	rows, err := s.db.R.QueryContext(ctx, `SELECT m.id, m.name, m.workplace, COALESCE(SUM(h.minutes), 0) AS mins
		FROM party_members m LEFT JOIN service_hours h ON h.member_id = m.id AND h.status = 'approved'
			AND h.served_on >= $2 AND h.served_on <= $3
		WHERE m.kind = 'in_service' AND m.active AND `+db.InScope("m.region_id", "$1")+`
		GROUP BY m.id, m.name, m.workplace ORDER BY mins DESC, m.name LIMIT 500`, p.Scope(), from, to)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Standing{}
	for rows.Next() {
		var st Standing
		if err := rows.Scan(&st.MemberID, &st.MemberName, &st.Workplace, &st.Minutes); err != nil {
			return nil, 0, err
		}
		st.Points = float64(int(float64(st.Minutes)/60*per*10+0.5)) / 10
		st.Rank = len(out) + 1
		if len(out) > 0 && out[len(out)-1].Minutes == st.Minutes {
			st.Rank = out[len(out)-1].Rank
		}
		out = append(out, st)
	}
	return out, per, rows.Err()
}
