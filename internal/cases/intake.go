package cases

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/geo"
	"linli/internal/pii"
	"linli/internal/workday"
)

// Intake is a new case as staff, the public form, the API or the 12345 import submit it.
type Intake struct {
	Channel     string   `json:"channel"`
	CategoryID  int64    `json:"category_id"`
	Priority    Priority `json:"priority,omitempty"` // the category's default when empty
	Title       string   `json:"title,omitempty"`    // the start of the description when empty
	Description string   `json:"description"`
	Address     string   `json:"address,omitempty"`
	// Where: a household or building of the register, a grid, a point, or just the community.
	CommunityID int64    `json:"community_id,omitempty"`
	GridID      int64    `json:"grid_id,omitempty"`
	BuildingID  int64    `json:"building_id,omitempty"`
	HouseholdID int64    `json:"household_id,omitempty"`
	ResidentID  int64    `json:"resident_id,omitempty"`
	Lon         *float64 `json:"lon,omitempty"`
	Lat         *float64 `json:"lat,omitempty"`
	// CoordSystem of Lon/Lat: wgs84 (default), gcj02 (WeChat, Amap) or bd09 (Baidu).
	CoordSystem   string `json:"coord_system,omitempty"`
	ReporterName  string `json:"reporter_name,omitempty"`
	ReporterPhone string `json:"reporter_phone,omitempty"`
	Anonymous     bool   `json:"anonymous,omitempty"`
	// ReceivedAt is when the call or visit happened; now when empty. It may not lie in the future.
	ReceivedAt *time.Time `json:"received_at,omitempty"`
	// ExternalNo and ExternalDeadline are the 12345 work-order number and the hotline's deadline.
	ExternalNo       string     `json:"external_no,omitempty"`
	ExternalDeadline *time.Time `json:"external_deadline,omitempty"`
}

// Length limits of the intake's text fields, in characters.
const (
	maxTitle        = 100
	maxDescription  = 5000
	maxAddress      = 200
	maxReporterName = 50
	maxExternalNo   = 40
	maxCode         = 40 // channel, priority, coordinate system
)

// normalize trims the text fields and checks what needs no database, every fault at once: each
// text within its length and free of NUL characters, the received time within 2000..now.
func (in *Intake) normalize(public bool, now time.Time) error {
	f := errs.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	in.Address = strings.TrimSpace(in.Address)
	in.ReporterName = strings.TrimSpace(in.ReporterName)
	in.ExternalNo = pii.Clean(in.ExternalNo)
	for _, t := range []struct {
		field, label, value string
		max                 int
	}{{"channel", "来源渠道", in.Channel, maxCode}, {"priority", "紧急程度", string(in.Priority), maxCode},
		{"title", "标题", in.Title, maxTitle}, {"description", "诉求内容", in.Description, maxDescription},
		{"address", "地址", in.Address, maxAddress}, {"coord_system", "坐标系", in.CoordSystem, maxCode},
		{"reporter_name", "反映人姓名", in.ReporterName, maxReporterName},
		{"reporter_phone", "联系电话", in.ReporterPhone, maxCode}, {"external_no", "12345工单编号", in.ExternalNo, maxExternalNo}} {
		switch {
		case strings.IndexByte(t.value, 0) >= 0:
			f.Add(t.field, t.label+"含有不允许的空字符，请删除后重试")
		case !utf8.ValidString(t.value):
			f.Add(t.field, t.label+"含有无法识别的字符")
		case utf8.RuneCountInString(t.value) > t.max:
			f.Add(t.field, fmt.Sprintf("%s不能超过%d字", t.label, t.max))
		}
	}
	if in.Description == "" {
		f.Add("description", "请填写诉求内容")
	}
	if in.Title == "" && in.Description != "" {
		in.Title = firstRunes(strings.Join(strings.Fields(in.Description), " "), 30)
	}
	if in.Priority != "" && !in.Priority.Valid() {
		f.Add("priority", "紧急程度应为一般、紧急或特急")
	}
	if public && in.Priority != "" && in.Priority != Normal {
		in.Priority = ""
	}
	if (in.Lon == nil) != (in.Lat == nil) {
		f.Add("lon", "请同时提供经度和纬度")
	} else if in.Lon != nil && (math.Abs(*in.Lon) > 180 || math.Abs(*in.Lat) > 90) {
		f.Add("lon", "经纬度超出范围")
	}
	switch in.CoordSystem {
	case "", "wgs84", "gcj02", "bd09":
	default:
		f.Add("coord_system", "坐标系应为 wgs84、gcj02 或 bd09")
	}
	if in.Anonymous {
		in.ReporterName, in.ReporterPhone = "", ""
	}
	if in.ReporterPhone != "" && f["reporter_phone"] == "" {
		phone, err := pii.NormalizePhone(in.ReporterPhone)
		if err != nil {
			f.Add("reporter_phone", err.Error())
		}
		in.ReporterPhone = phone
	}
	if in.ReceivedAt != nil && !public {
		if msg := receivedFault(*in.ReceivedAt, now); msg != "" {
			f.Add("received_at", msg)
		}
	}
	return f.Err()
}

// receivedFault says what is wrong with the time a case was received, "" when nothing is: no
// case is older than 2000 (an export's 1900 or 1970 is a date lost on the way) and none lies
// ahead of now (five minutes of clock skew allowed).
func receivedFault(t, now time.Time) string {
	if t.Before(time.Date(2000, 1, 1, 0, 0, 0, 0, clock.Shanghai())) {
		return "来电/来访时间不能早于2000年1月1日，请核对年份"
	}
	if !now.IsZero() && t.After(now.Add(5*time.Minute)) {
		return "来电/来访时间不能晚于当前时间（" + now.In(clock.Shanghai()).Format("2006-01-02 15:04") + "）"
	}
	return ""
}

// addFields adds the field messages of a validation error to f.
func addFields(f errs.Fields, err error) {
	for k, m := range errs.FieldsOf(err) {
		f.Add(k, m)
	}
}

func firstRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// place is where a case belongs: its community, grid and owner region.
type place struct {
	communityID int64
	gridID      *int64
	regionID    int64
	regionPath  string
	regionName  string
	buildingID  *int64
	prefix      string // of the community's case numbers
}

// writerScope is the condition that keeps an object named in a write body (its region_id) within
// the writer's scope, "" for the public (no principal), whose submissions are placed by other rules.
func writerScope(p *auth.Principal, a *db.Args) string {
	if p == nil {
		return ""
	}
	return " AND " + db.InScope("region_id", a.Add(p.Scope()))
}

// locate derives the community and grid from the household, building, grid, point or community
// given, falling back to the principal's own community or grid. pre is the place row readIntakeRef
// read with the catalog, or nil.
func (s *Service) locate(ctx context.Context, q db.Querier, in *Intake, p *auth.Principal, pre *placeRow) (*place, error) {
	pl := &place{}
	if in.HouseholdID != 0 {
		var b int64
		a := &db.Args{}
		where := `id = ` + a.Add(in.HouseholdID) + writerScope(p, a)
		if err := q.QueryRowContext(ctx, `SELECT building_id FROM households WHERE `+where, *a...).Scan(&b); err != nil {
			return nil, errs.Field("household_id", "住户不存在")
		}
		in.BuildingID = b
	}
	if in.BuildingID != 0 {
		var grid *int64
		var addr string
		a := &db.Args{}
		where := `id = ` + a.Add(in.BuildingID) + writerScope(p, a)
		err := q.QueryRowContext(ctx, `SELECT community_id, grid_id, address FROM buildings WHERE `+where, *a...).
			Scan(&pl.communityID, &grid, &addr)
		if err != nil {
			return nil, errs.Field("building_id", "楼院不存在")
		}
		b := in.BuildingID
		pl.buildingID = &b
		if in.GridID == 0 && grid != nil {
			in.GridID = *grid
		}
		if in.Address == "" {
			in.Address = addr
		}
	}
	if in.Lon != nil {
		if in.CoordSystem != "" && in.CoordSystem != "wgs84" {
			lon, lat := geo.ToWGS84(geo.CRS(in.CoordSystem), *in.Lon, *in.Lat)
			in.Lon, in.Lat, in.CoordSystem = &lon, &lat, "wgs84"
		}
		if in.GridID == 0 && s.opts.Locator != nil {
			community := in.CommunityID
			if pl.communityID != 0 {
				community = pl.communityID
			}
			g, ok, err := s.opts.Locator(ctx, *in.Lon, *in.Lat, community)
			if err != nil {
				return nil, err
			}
			if ok {
				in.GridID = g
			}
		}
	}
	if in.GridID == 0 && in.CommunityID == 0 && pl.communityID == 0 && p != nil {
		switch p.RegionLevel {
		case "grid":
			in.GridID = p.RegionID
		case "community":
			in.CommunityID = p.RegionID
		}
	}
	if in.GridID != 0 {
		// The grid, its community and the grid's path in one look-up.
		row, err := placeOf(ctx, q, pre, in.GridID, 0)
		if err != nil || !row.found() {
			return nil, errs.Field("grid_id", "网格不存在")
		}
		if pl.communityID != 0 && pl.communityID != *row.community {
			return nil, errs.Field("grid_id", "所选网格不属于该楼院所在社区")
		}
		if *row.level != "community" {
			return nil, errs.Field("community_id", "所属社区不存在")
		}
		g := in.GridID
		pl.communityID, pl.gridID, pl.regionID, pl.regionPath, pl.regionName = *row.community, &g, g, *row.path, *row.name
		pl.prefix = numberPrefix(row.prefix, *row.code)
		return pl, nil
	}
	if pl.communityID == 0 {
		pl.communityID = in.CommunityID
	}
	if pl.communityID == 0 {
		return nil, errs.Field("community_id", "请选择所属社区、网格或楼院")
	}
	row, err := placeOf(ctx, q, pre, 0, pl.communityID)
	if err != nil || !row.found() || *row.level != "community" {
		return nil, errs.Field("community_id", "所属社区不存在")
	}
	pl.regionID, pl.regionPath, pl.regionName, pl.prefix = pl.communityID, *row.path, *row.name, numberPrefix(row.prefix, *row.code)
	return pl, nil
}

// directPlace is the grid or the community an intake names without a household, building or point
// to look up first — what locate will read last — so that the intake can read it together with its
// catalog (readIntakeRef); 0, 0 when it names none of them directly.
func (in *Intake) directPlace(p *auth.Principal) (grid, community int64) {
	switch {
	case in.HouseholdID != 0 || in.BuildingID != 0 || in.Lon != nil:
		return 0, 0
	case in.GridID != 0:
		return in.GridID, 0
	case in.CommunityID != 0:
		return 0, in.CommunityID
	case p != nil && p.RegionLevel == "grid":
		return p.RegionID, 0
	case p != nil && p.RegionLevel == "community":
		return 0, p.RegionID
	}
	return 0, 0
}

// placeRow is a grid's or a community's row as locate needs it: the community (its id, level and
// code, for the case number prefix), the path and name of the grid or community, and the
// community's own prefix. Every column is NULL when the grid or community does not exist.
type placeRow struct {
	grid, communityAsked int64 // what was read
	community            *int64
	level, code          *string
	path, name           *string
	prefix               *string
}

func (r *placeRow) found() bool { return r.community != nil }

func (r *placeRow) dest() []any {
	return []any{&r.community, &r.level, &r.code, &r.path, &r.name, &r.prefix}
}

// placeSelect is the statement reading placeRow's columns of grid (when not 0) or community.
func placeSelect(a *db.Args, grid, community int64) string {
	if grid != 0 {
		return `SELECT g.community_id AS community_id, cr.level AS level, cr.code AS code, gr.path AS path, gr.name AS name,
			(SELECT prefix FROM case_prefixes WHERE community_id = g.community_id) AS prefix FROM grids g
			JOIN regions gr ON gr.id = g.id JOIN regions cr ON cr.id = g.community_id WHERE g.id = ` + a.Add(grid)
	}
	return `SELECT r.id AS community_id, r.level AS level, r.code AS code, r.path AS path, r.name AS name,
		(SELECT prefix FROM case_prefixes WHERE community_id = r.id) AS prefix FROM regions r WHERE r.id = ` + a.Add(community)
}

// placeOf returns the place row of grid or community: pre when it was read with the catalog for
// the same grid or community, else read now.
func placeOf(ctx context.Context, q db.Querier, pre *placeRow, grid, community int64) (*placeRow, error) {
	if pre != nil && pre.grid == grid && pre.communityAsked == community {
		return pre, nil
	}
	row := &placeRow{grid: grid, communityAsked: community}
	a := &db.Args{}
	err := q.QueryRowContext(ctx, placeSelect(a, grid, community), *a...).Scan(row.dest()...)
	if err != nil {
		return nil, err
	}
	return row, nil
}

// newTrackingCode returns a random, unguessable code for the public tracking link.
func newTrackingCode() string { return strings.ToLower(rand.Text()) }

// Intake records a case from staff intake (phone, walk-in, WeChat group, patrol …) in state
// received, with its acceptance deadline and reminders. The principal needs CasesIntake and the
// place must lie in their scope.
func (s *Service) Intake(ctx context.Context, in Intake) (*Case, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.CasesIntake); err != nil {
		return nil, err
	}
	// The calendar is loaded before the transaction: loading may write (first-use seeding), and
	// SQLite has one writer connection.
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var c *Case
	err = s.db.InKeyTx(ctx, func(tx *db.Tx) error {
		c, err = s.intake(ctx, tx, cal, in, p)
		return err
	})
	return c, err
}

// IntakeIdempotent is Intake keyed by the client's Idempotency-Key: the same key from the same
// user gives back the case the first request created (created false), never a second one. A key
// reused with a different body is a conflict.
func (s *Service) IntakeIdempotent(ctx context.Context, key string, in Intake) (c *Case, created bool, err error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, false, err
	}
	if err := p.Require(auth.CasesIntake); err != nil {
		return nil, false, err
	}
	key = strings.TrimSpace(key)
	if key == "" || len(key) > 200 {
		return nil, false, errs.E(errs.Invalid, "Idempotency-Key 应为1至200个字符")
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, false, err
	}
	body, _ := json.Marshal(in)
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	for attempt := 0; attempt < 2; attempt++ {
		err = s.db.InKeyTx(ctx, func(tx *db.Tx) error {
			q := s.cached(tx)
			var caseID int64
			var prevHash string
			err := q.QueryRowContext(ctx, `SELECT case_id, body_hash FROM case_idempotency WHERE user_id = $1 AND key = $2`,
				p.UserID, key).Scan(&caseID, &prevHash)
			if err == nil {
				if prevHash != hash {
					return errs.E(errs.Conflict, "该 Idempotency-Key 已用于内容不同的请求")
				}
				c, err = loadCase(ctx, tx, caseID)
				created = false
				return err
			}
			if c, err = s.intake(ctx, tx, cal, in, p); err != nil {
				return err
			}
			created = true
			_, err = q.ExecContext(ctx, `INSERT INTO case_idempotency (user_id, key, body_hash, case_id, created_at)
				VALUES ($1, $2, $3, $4, $5)`, p.UserID, key, hash, c.ID, s.now())
			return err
		})
		if !db.IsUnique(err) {
			break
		}
	}
	return c, created, err
}

// PublicSubmission is what a resident submits through the public form (channel web).
type PublicSubmission = Intake

// Submit records a resident's request from the public form or QR code without signing in. It is
// anonymous when asked; the answer carries the tracking code, the resident's only key to the case.
func (s *Service) Submit(ctx context.Context, in PublicSubmission) (*Case, error) {
	in.Channel = "web"
	in.ReceivedAt, in.ExternalNo, in.ExternalDeadline, in.ResidentID, in.HouseholdID = nil, "", nil, 0, 0
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var c *Case
	err = s.db.InKeyTx(ctx, func(tx *db.Tx) error {
		var err error
		c, err = s.intake(ctx, tx, cal, in, nil)
		return err
	})
	return c, err
}

// intake validates and writes a case in tx. p is nil for the public form. Every statement of an
// intake finds its rows by their keys, so its transaction runs in db.InKeyTx.
func (s *Service) intake(ctx context.Context, tx *db.Tx, cal *workday.Calendar, in Intake, p *auth.Principal) (*Case, error) {
	q := s.cached(tx) // SQLite: the statements prepared once
	if tx.Dialect == db.Postgres {
		// The writes after the case row, whose results the intake does not read (the tally, event,
		// audit row, search tokens and reminders), go to PostgreSQL in one round trip before the
		// commit instead of one each.
		q = tx.Pipelined()
	}
	// Every fault of the body at once: the text, the channel, the category and the fields the
	// category needs.
	bad := errs.Fields{}
	addFields(bad, in.normalize(p == nil, s.now()))
	grid, community := in.directPlace(p)
	ref, err := readIntakeRef(ctx, q, &in, bad, grid, community)
	if err != nil {
		return nil, err
	}
	cat := ref.category
	if cat != nil && in.ExternalNo == "" { // a hotline work order comes as the hotline recorded it
		addFields(bad, requiredFields(cat, &in))
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	pl, err := s.locate(ctx, q, &in, p, ref.place)
	if err != nil {
		return nil, err
	}
	if p != nil && !p.Covers(pl.regionPath) {
		return nil, errs.Field("community_id", "所选位置不在您的管辖范围内")
	}
	var born string
	if in.ResidentID != 0 {
		// The resident is named on the case page, so it must live in the case's community and
		// within the writer's own scope: an id of another grid is not found.
		var community int64
		a := &db.Args{}
		where := `id = ` + a.Add(in.ResidentID) + writerScope(p, a)
		if p != nil { // a minor is not found by a writer the minors rule hides them from
			where += p.AdultsOnly("birth_date", s.now(), a)
		}
		err := q.QueryRowContext(ctx, `SELECT community_id, COALESCE(birth_date, '') FROM residents WHERE `+where, *a...).
			Scan(&community, &born)
		if err != nil || community != pl.communityID {
			return nil, errs.Field("resident_id", "居民不存在或不属于该案件所在社区")
		}
	}
	now := s.now()
	received := now
	if in.ReceivedAt != nil && p != nil {
		received = in.ReceivedAt.UTC().Truncate(time.Second) // checked by normalize
	}
	c := &Case{CommunityID: pl.communityID, RegionID: pl.regionID, GridID: pl.gridID, Channel: in.Channel,
		CategoryID: cat.ID, Priority: in.Priority, Title: in.Title, Description: in.Description, Address: in.Address,
		BuildingID: pl.buildingID, HouseholdID: idOrNil(in.HouseholdID), ResidentID: idOrNil(in.ResidentID),
		Lon: in.Lon, Lat: in.Lat, ReporterName: in.ReporterName, ReporterPhone: pii.MaskPhone(in.ReporterPhone),
		Anonymous: in.Anonymous, ExternalNo: in.ExternalNo, State: Received, ReceivedAt: received,
		TrackingCode: newTrackingCode(), CreatedAt: now, UpdatedAt: now, regionPath: pl.regionPath,
		RegionName: pl.regionName, ChannelName: ref.channelName, CategoryName: cat.FullName, residentBorn: born}
	if pl.gridID != nil {
		c.GridName = pl.regionName
	}
	if c.Priority == "" {
		c.Priority = cat.Priority
	}
	if in.ExternalDeadline != nil {
		d := in.ExternalDeadline.UTC().Truncate(time.Second)
		c.ExternalDue = &d
	}
	if p != nil {
		c.CreatedBy = &p.UserID
	}
	accLimit := cat.LimitsFor(c.Priority, ref.byPriority(c.Priority)).Accept
	acc := deadline(cal, received, accLimit)
	c.AcceptDeadline = &acc
	c.Overdue = now.After(acc) // an old hotline order arrives overdue, as GET will say
	if c.Number, err = nextNumber(ctx, q, pl.communityID, pl.prefix, received.In(clock.Shanghai()).Year()); err != nil {
		return nil, err
	}
	sealed, index := []byte(nil), ""
	if in.ReporterPhone != "" {
		sealed, index = s.sealer.Seal(in.ReporterPhone), s.sealer.Index(in.ReporterPhone)
	}
	top := cat.ID
	if cat.ParentID != nil {
		top = *cat.ParentID
	}
	if c.ID, err = insertCase(ctx, q, c, top, sealed, index); err != nil {
		return nil, err
	}
	c.Version = 1
	e := &Event{At: now, Action: ActIntake, ToState: Received, Public: true, Note: "诉求已登记",
		Detail: detailJSON(map[string]any{"channel": c.Channel})}
	if p != nil {
		e.UserID, e.ActorName = &p.UserID, p.Name
	} else {
		e.ActorName = "居民"
	}
	if _, err := record(ctx, q, c, e, nil); err != nil {
		return nil, err
	}
	if err := writeIndex(ctx, q, tx.Dialect, c, []string{e.Note}); err != nil {
		return nil, err
	}
	if err := s.schedule(ctx, q, cal, c, "accept", received, acc, accLimit.Working()); err != nil {
		return nil, err
	}
	// The answer is the case as written, not read back: it says what GET of the same case says
	// (TestIntakeAnswersWhatGETSays).
	c.ComputeSLA(cal, now)
	return c, nil
}

func requiredFields(cat *Category, in *Intake) error {
	f := errs.Fields{}
	for _, field := range strings.Split(cat.RequiredFields, ",") {
		switch strings.TrimSpace(field) {
		case "address":
			if in.Address == "" && in.BuildingID == 0 && in.HouseholdID == 0 && in.Lon == nil {
				f.Add("address", "该类诉求需要填写地址或选择位置")
			}
		case "location":
			if in.Lon == nil && in.BuildingID == 0 && in.HouseholdID == 0 {
				f.Add("lon", "该类诉求需要在地图上标注位置或选择楼院")
			}
		case "phone":
			if in.ReporterPhone == "" && !in.Anonymous && in.ExternalNo == "" {
				f.Add("reporter_phone", "该类诉求需要留下联系电话，以便回复")
			}
		}
	}
	return f.Err()
}

func idOrNil(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
