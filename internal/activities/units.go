package activities

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/photo"
)

// Co-building activities 共建活动 are activities run with or by the member units of a community's
// co-building alliance (internal/cobuild): an activity carries the units that ran it
// (activity_units), the need or project it served, and the people and service time those who ran it
// report. internal/cobuild checks who may record and read them and counts them for each unit through
// the functions here; the activities are this package's like any other (lists, figures, photos).

// UnitRef names a co-building unit of an activity.
type UnitRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// UnitActivity is a co-building activity as the alliance sees it.
type UnitActivity struct {
	ID             int64        `json:"id"`
	RegionID       int64        `json:"region_id"`
	Title          string       `json:"title"`
	Kind           ActivityKind `json:"kind"`
	StartsAt       time.Time    `json:"starts_at"`
	EndsAt         time.Time    `json:"ends_at"`
	Place          string       `json:"place"`
	Headcount      int          `json:"headcount"`
	ServiceMinutes int          `json:"service_minutes"`
	NeedID         *int64       `json:"need_id"`
	ProjectID      *int64       `json:"project_id"`
	Summary        string       `json:"summary"`
	Photos         int          `json:"photos"`
	Units          []UnitRef    `json:"units"`
	CreatedAt      time.Time    `json:"created_at"`
}

// UnitFilter selects co-building activities (those with at least one unit). Every condition set
// must hold: the activity is one of IDs (when set), its region matches each of Within (LIKE patterns of region paths), each of
// UnitIDs took part, it served NeedID / ProjectID, it started From..To (Asia/Shanghai days, both
// included).
type UnitFilter struct {
	IDs       []int64 // nil: any
	Within    []string
	UnitIDs   []int64
	NeedID    int64
	ProjectID int64
	From, To  string
	Limit     int // 0: all
	Offset    int
}

func (f UnitFilter) where(a *db.Args, d db.Dialect) (string, error) {
	w := []string{`a.status = 'published'`, `EXISTS (SELECT 1 FROM activity_units x WHERE x.activity_id = a.id)`}
	if f.IDs != nil {
		w = append(w, d.InIDs("a.id", f.IDs, a))
	}
	for _, p := range f.Within {
		w = append(w, db.InScope("a.region_id", a.Add(p)))
	}
	for _, u := range f.UnitIDs {
		w = append(w, `a.id IN (SELECT activity_id FROM activity_units WHERE unit_id = `+a.Add(u)+`)`)
	}
	if f.NeedID > 0 {
		w = append(w, `a.cobuild_need_id = `+a.Add(f.NeedID))
	}
	if f.ProjectID > 0 {
		w = append(w, `a.cobuild_project_id = `+a.Add(f.ProjectID))
	}
	for _, d := range []struct {
		day, op string
		next    int
	}{{f.From, ">=", 0}, {f.To, "<", 1}} {
		if d.day == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, d.day, clock.Shanghai())
		if err != nil {
			return "", errs.Field("from", "日期格式应为 YYYY-MM-DD")
		}
		w = append(w, `a.starts_at `+d.op+` `+a.Add(t.AddDate(0, 0, d.next).UTC()))
	}
	return strings.Join(w, " AND "), nil
}

// UnitActivities lists the co-building activities f selects, latest first, and their total; q
// may be a transaction that has just recorded one.
func UnitActivities(ctx context.Context, q db.Querier, d db.Dialect, f UnitFilter) ([]UnitActivity, int, error) {
	a := &db.Args{}
	where, err := f.where(a, d)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM activities a WHERE `+where, *a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count co-building activities: %w", err)
	}
	page := ""
	if f.Limit > 0 {
		page = ` LIMIT ` + a.Add(f.Limit) + ` OFFSET ` + a.Add(max(0, f.Offset))
	}
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.region_id, a.title, a.kind, a.starts_at, a.ends_at, a.place, a.headcount,
		a.service_minutes, a.cobuild_need_id, a.cobuild_project_id, a.summary, a.created_at,
		(SELECT COUNT(*) FROM activity_photos p WHERE p.activity_id = a.id)
		FROM activities a WHERE `+where+` ORDER BY a.starts_at DESC, a.id DESC`+page, *a...)
	if err != nil {
		return nil, 0, fmt.Errorf("list co-building activities: %w", err)
	}
	defer rows.Close()
	out := []UnitActivity{}
	at := map[int64]int{}
	for rows.Next() {
		var x UnitActivity
		var need, project sql.NullInt64
		if err := rows.Scan(&x.ID, &x.RegionID, &x.Title, &x.Kind, &x.StartsAt, &x.EndsAt, &x.Place, &x.Headcount,
			&x.ServiceMinutes, &need, &project, &x.Summary, &x.CreatedAt, &x.Photos); err != nil {
			return nil, 0, err
		}
		x.StartsAt, x.EndsAt, x.CreatedAt = x.StartsAt.UTC(), x.EndsAt.UTC(), x.CreatedAt.UTC()
		if need.Valid {
			x.NeedID = &need.Int64
		}
		if project.Valid {
			x.ProjectID = &project.Int64
		}
		x.Units = []UnitRef{}
		at[x.ID] = len(out)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, total, err
	}
	ids := make([]int64, len(out))
	for i, x := range out {
		ids[i] = x.ID
	}
	ua := &db.Args{}
	urows, err := q.QueryContext(ctx, `SELECT au.activity_id, u.id, u.name FROM activity_units au JOIN cobuild_units u ON u.id = au.unit_id
		WHERE `+d.InIDs("au.activity_id", ids, ua)+` ORDER BY u.id`, *ua...)
	if err != nil {
		return nil, 0, fmt.Errorf("co-building activity units: %w", err)
	}
	defer urows.Close()
	for urows.Next() {
		var id int64
		var u UnitRef
		if err := urows.Scan(&id, &u.ID, &u.Name); err != nil {
			return nil, 0, err
		}
		out[at[id]].Units = append(out[at[id]].Units, u)
	}
	return out, total, urows.Err()
}

// UnitTotals are how many co-building activities, people and minutes of service.
type UnitTotals struct {
	Activities     int `json:"activities"`
	Headcount      int `json:"headcount"`
	ServiceMinutes int `json:"service_minutes"`
}

// UnitActivityTotals counts the co-building activities f selects (Limit ignored), in all and for
// each unit that took part; an activity of two units counts once in all and once for each.
func UnitActivityTotals(ctx context.Context, q db.Querier, d db.Dialect, f UnitFilter) (UnitTotals, map[int64]UnitTotals, error) {
	var all UnitTotals
	a := &db.Args{}
	where, err := f.where(a, d)
	if err != nil {
		return all, nil, err
	}
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(a.headcount), 0), COALESCE(SUM(a.service_minutes), 0)
		FROM activities a WHERE `+where, *a...).Scan(&all.Activities, &all.Headcount, &all.ServiceMinutes); err != nil {
		return all, nil, fmt.Errorf("co-building activity totals: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT au.unit_id, COUNT(*), SUM(a.headcount), SUM(a.service_minutes)
		FROM activities a JOIN activity_units au ON au.activity_id = a.id WHERE `+where+` GROUP BY au.unit_id`, *a...)
	if err != nil {
		return all, nil, fmt.Errorf("co-building activity totals by unit: %w", err)
	}
	defer rows.Close()
	by := map[int64]UnitTotals{}
	for rows.Next() {
		var id int64
		var t UnitTotals
		if err := rows.Scan(&id, &t.Activities, &t.Headcount, &t.ServiceMinutes); err != nil {
			return all, nil, err
		}
		by[id] = t
	}
	return all, by, rows.Err()
}

// UnitActivityInput is a co-building activity recorded after it was held.
type UnitActivityInput struct {
	RegionID       int64 // the community whose alliance the units belong to
	Title          string
	Kind           ActivityKind
	Organiser      string // the units' names, as the activity lists show the organiser
	Place          string
	StartsAt       time.Time
	EndsAt         time.Time
	Headcount      int
	ServiceMinutes int
	Summary        string
	UnitIDs        []int64
	NeedID         int64
	ProjectID      int64
	CreatedBy      int64
}

// RecordUnitActivity writes a held co-building activity and its units in the caller's
// transaction. The caller (internal/cobuild) has checked the units, the need or project, and that
// the user may record for them; the activity is not offered for sign-up (public false).
func RecordUnitActivity(ctx context.Context, tx *db.Tx, in UnitActivityInput, now time.Time) (int64, error) {
	if activityKindLabels[in.Kind] == "" {
		return 0, errs.Field("kind", "请选择活动类型")
	}
	if !in.EndsAt.After(in.StartsAt) {
		return 0, errs.Field("ends_at", "结束时间应晚于开始时间")
	}
	if len(in.UnitIDs) == 0 {
		return 0, errs.Field("unit_ids", "请选择参与的共建单位")
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO activities (region_id, title, kind, organiser_kind, organiser, place, starts_at,
		ends_at, public, summary, status, checkin_token, headcount, service_minutes, cobuild_need_id, cobuild_project_id, created_by,
		created_at) VALUES ($1, $2, $3, 'unit', $4, $5, $6, $7, FALSE, $8, 'published', $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		in.RegionID, in.Title, in.Kind, in.Organiser, in.Place, in.StartsAt.UTC(), in.EndsAt.UTC(), in.Summary, token(), in.Headcount,
		in.ServiceMinutes, nullable(in.NeedID), nullable(in.ProjectID), nullable(in.CreatedBy), now.UTC()).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert co-building activity: %w", err)
	}
	seen := map[int64]bool{}
	for _, u := range in.UnitIDs {
		if seen[u] {
			continue
		}
		seen[u] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO activity_units (activity_id, unit_id) VALUES ($1, $2)`, id, u); err != nil {
			return 0, fmt.Errorf("insert co-building activity unit: %w", err)
		}
	}
	return id, nil
}

// AddUnitActivityPhotos keeps cleaned photos of a co-building activity in the caller's transaction,
// all or none within MaxActivityPhotos; the caller has checked the user may add them.
func AddUnitActivityPhotos(ctx context.Context, tx *db.Tx, activityID int64, photos []photo.Photo, now time.Time) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM activity_photos WHERE activity_id = $1`, activityID).Scan(&n); err != nil {
		return err
	}
	if n+len(photos) > MaxActivityPhotos {
		return errs.Field("photos", "每个活动最多保存"+strconv.Itoa(MaxActivityPhotos)+"张照片，已有"+strconv.Itoa(n)+"张")
	}
	for _, p := range photos {
		if _, err := tx.ExecContext(ctx, `INSERT INTO activity_photos (activity_id, content_type, content, created_at)
			VALUES ($1, $2, $3, $4)`, activityID, http.DetectContentType(p.Data), p.Data, now.UTC()); err != nil {
			return fmt.Errorf("insert photo: %w", err)
		}
	}
	return nil
}

// UnitActivityPhotoIDs lists the photos of each of the activities, oldest first; the caller has
// checked the user reads them.
func UnitActivityPhotoIDs(ctx context.Context, q db.Querier, d db.Dialect, ids []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	a := &db.Args{}
	rows, err := q.QueryContext(ctx, `SELECT activity_id, id FROM activity_photos WHERE `+d.InIDs("activity_id", ids, a)+` ORDER BY id`, *a...)
	if err != nil {
		return nil, fmt.Errorf("photo ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var act, id int64
		if err := rows.Scan(&act, &id); err != nil {
			return nil, err
		}
		out[act] = append(out[act], id)
	}
	return out, rows.Err()
}

// UnitActivityPhoto returns one photo of an activity; the caller has checked the user reads it.
func UnitActivityPhoto(ctx context.Context, q db.Querier, activityID, photoID int64) ([]byte, string, error) {
	var data []byte
	var ctype string
	err := q.QueryRowContext(ctx, `SELECT content, content_type FROM activity_photos WHERE id = $1 AND activity_id = $2`,
		photoID, activityID).Scan(&data, &ctype)
	if err != nil {
		return nil, "", db.NotFound(err, "照片不存在")
	}
	return data, ctype, nil
}
