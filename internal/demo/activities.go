package demo

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"linli/internal/activities"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/workday"
)

// The demo's venues and activities: Nanguan's rooms, its seven featured series 特色活动品牌 with
// their activities through the reported period 2024-01-01..10-15, a year of ordinary activities and
// bookings up to now, upcoming activities open for sign-up (one full, with a waitlist), and
// volunteer hours waiting for approval. Residents are read back from the rows the earlier steps
// wrote; everything else comes from one seeded source, so the same seed gives the same records.

// activities is the writer's step.
func (w *writer) activities(ctx context.Context, tx *db.Tx) error {
	return SeedActivities(ctx, tx, w.community.ID, w.community.Code, time.Now(), planSeed(w.p))
}

type demoRoom struct {
	name       string
	kind       activities.VenueKind
	capacity   int
	facilities string
	allDays    bool
	bookers    string
	id         int64
}

var demoRooms = []*demoRoom{
	{name: "党群服务中心", kind: activities.KindPartyRoom, capacity: 80, facilities: "投影仪、音响、会议桌椅", bookers: "staff,unit"},
	{name: "党群活动室", kind: activities.KindPartyRoom, capacity: 40, facilities: "投影仪、党建书架", bookers: "staff,unit"},
	{name: "未成年人活动室", kind: activities.KindMinors, capacity: 30, facilities: "课桌椅、图书角、益智玩具", bookers: "staff,unit,resident"},
	{name: "新时代文明实践站", kind: activities.KindPractice, capacity: 60, facilities: "多媒体、活动桌椅", bookers: "staff,unit,resident"},
	{name: "人民调解室", kind: activities.KindMediation, capacity: 12, facilities: "调解桌、录音录像设备", bookers: "staff"},
	{name: "居民议事厅", kind: activities.KindDeliberation, capacity: 50, facilities: "圆桌、话筒、表决器", bookers: "staff,unit,resident"},
	{name: "老年日间照料中心", kind: activities.KindElderCare, capacity: 40, facilities: "助餐餐厅、康复器材、休息室", allDays: true, bookers: "staff"},
	{name: "图书室", kind: activities.KindLibrary, capacity: 20, facilities: "图书三千余册、阅览桌", allDays: true, bookers: "staff,unit,resident"},
}

type demoSeries struct {
	name, desc string
	kind       activities.ActivityKind
	room       int // index into demoRooms
	focus      string
	title      string
	every      int // days between activities
	hour, dur  int
	id         int64
}

var demoSeriesList = []*demoSeries{
	{name: "“红色星期五”主题党日", desc: "每月一次的主题党日，组织党员学习、志愿服务", kind: "party_day", room: 1, title: "主题党日", every: 30, hour: 15, dur: 2},
	{name: "“四点半课堂”", desc: "为双职工和留守儿童家庭提供课后作业辅导", kind: "homework", room: 2, focus: "left_behind_child", title: "四点半课堂", every: 14, hour: 15, dur: 2},
	{name: "“邻里助餐”暖心食堂", desc: "为独居、高龄老人提供助餐送餐", kind: "meal", room: 6, focus: "elderly_alone", title: "邻里助餐日", every: 14, hour: 11, dur: 2},
	{name: "“健康义诊进社区”", desc: "联合社区卫生服务中心开展义诊、慢病管理", kind: "health", room: 3, focus: "aged_80", title: "健康义诊", every: 30, hour: 9, dur: 3},
	{name: "“南关好声音”文化节", desc: "群众文艺展演和节日活动", kind: "festival", room: 3, title: "文艺汇演", every: 45, hour: 9, dur: 3},
	{name: "“银龄课堂”", desc: "老年人智能手机、防诈骗培训", kind: "lecture", room: 3, focus: "empty_nest", title: "智能手机使用培训", every: 30, hour: 14, dur: 2},
	{name: "“小手拉大手”环保行动", desc: "亲子垃圾分类、环境整治志愿服务", kind: "volunteer", room: 5, title: "环保志愿行动", every: 30, hour: 9, dur: 2},
}

var (
	ordinaryTitles = []struct {
		title string
		kind  activities.ActivityKind
		room  int
	}{{"反诈宣传讲座", "lecture", 3}, {"邻里读书会", "culture", 7}, {"广场舞交流", "culture", 3}, {"消防安全培训", "lecture", 0},
		{"居民议事会", "other", 5}, {"少儿书法兴趣班", "culture", 2}, {"法律咨询日", "lecture", 4}, {"重阳节包饺子", "festival", 6}}
	unitNames      = []string{"甘州区税务局", "张掖市第二中学", "区人民医院", "中国银行张掖分行", "南关派出所", "市供电公司"}
	bookingReasons = []string{"支部学习", "共建座谈", "志愿者培训", "青少年兴趣活动", "居民文体排练", "读书分享"}
	guardianRels   = []string{"母亲", "父亲", "祖母", "祖父"}
)

type demoPerson struct {
	id           int64
	name         string
	birth        string
	enc          []byte
	index        string
	masked       string
	elder, child bool
}

// actSeeder writes the activity rows and keeps which half hours each room already holds.
type actSeeder struct {
	ctx       context.Context
	tx        *db.Tx
	community int64
	code      string
	now       time.Time
	rng       *mrand.Rand
	cal       *workday.Calendar
	taken     map[string]bool
	adults    []demoPerson
	elders    []demoPerson
	children  []demoPerson
	staffID   int64
	regRows   [][]any // sign-ups and slots, written together by flush
	slotRows  [][]any
}

// SeedActivities writes a community's rooms, featured series, activities, sign-ups, check-ins,
// volunteers and bookings, relative to now.
func SeedActivities(ctx context.Context, tx *db.Tx, communityID int64, code string, now time.Time, seed uint64) error {
	s := &actSeeder{ctx: ctx, tx: tx, community: communityID, code: code, now: now.UTC().Truncate(time.Second),
		rng: mrand.New(mrand.NewPCG(seed, 0xac71_7173)), cal: workday.SeedCalendar(), taken: map[string]bool{}}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0) FROM users WHERE role = 'community_admin' AND region_id = $1`,
		communityID).Scan(&s.staffID); err != nil {
		return err
	}
	if err := s.people(); err != nil {
		return err
	}
	if err := s.rooms(); err != nil {
		return err
	}
	if err := s.series(); err != nil {
		return err
	}
	if err := s.ordinary(); err != nil {
		return err
	}
	if err := s.upcoming(); err != nil {
		return err
	}
	if err := s.bookings(); err != nil {
		return err
	}
	return s.flush()
}

func (s *actSeeder) people() error {
	rows, err := s.tx.QueryContext(s.ctx, `SELECT r.id, r.name, r.birth_date, r.phone_enc, COALESCE(r.phone_index, ''), r.phone_masked,
		(SELECT COUNT(*) FROM resident_tags t WHERE t.resident_id = r.id AND t.tag IN ('elderly_alone','empty_nest','disabled_care'))
		FROM residents r WHERE r.community_id = $1 AND r.status = 'active' ORDER BY r.id`, s.community)
	if err != nil {
		return err
	}
	defer rows.Close()
	adultCut := s.now.AddDate(-18, 0, 0).Format(time.DateOnly)
	oldCut := s.now.AddDate(-80, 0, 0).Format(time.DateOnly)
	for rows.Next() {
		var p demoPerson
		var tagged int
		if err := rows.Scan(&p.id, &p.name, &p.birth, &p.enc, &p.index, &p.masked, &tagged); err != nil {
			return err
		}
		switch {
		case p.birth > adultCut:
			p.child = true
			s.children = append(s.children, p)
		case tagged > 0 || (p.birth != "" && p.birth <= oldCut):
			p.elder = true
			s.elders = append(s.elders, p)
		default:
			if p.index != "" {
				s.adults = append(s.adults, p)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(s.adults) == 0 || len(s.elders) == 0 || len(s.children) == 0 {
		return fmt.Errorf("demo activities: the community has too few residents")
	}
	return nil
}

func (s *actSeeder) rooms() error {
	for _, r := range demoRooms {
		rules := activities.DefaultRules(r.kind)
		days := "workdays"
		if r.allDays {
			days = "all"
		}
		if err := s.tx.QueryRowContext(s.ctx, `INSERT INTO venues (region_id, name, kind, capacity, facilities, place, opens, closes,
			open_days, bookers, max_hours, max_consecutive, month_hours, lead_days, needs_approval, noshow_limit, suspend_days,
			active, created_at) VALUES ($1,$2,$3,$4,$5,'南关社区党群服务中心','08:30','17:30',$6,$7,$8,$9,$10,$11,$12,$13,$14,TRUE,$15) RETURNING id`,
			s.community, r.name, r.kind, r.capacity, r.facilities, days, r.bookers, rules.MaxHours, rules.MaxConsecutive,
			rules.MonthHours, rules.LeadDays, rules.NeedsApproval, rules.NoShowLimit, rules.SuspendDays,
			time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)).Scan(&r.id); err != nil {
			return fmt.Errorf("demo venue %s: %w", r.name, err)
		}
	}
	return nil
}

// openDay moves t forward to the next day the room is open.
func (s *actSeeder) openDay(room *demoRoom, d time.Time) time.Time {
	for !room.allDays && !s.cal.IsWorkday(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// free reports whether the room's half hours of [a, b) are free, and claims them when they are.
func (s *actSeeder) free(room *demoRoom, a, b time.Time) bool {
	var keys []string
	for t := a; t.Before(b); t = t.Add(30 * time.Minute) {
		k := fmt.Sprintf("%d|%d", room.id, t.Unix())
		if s.taken[k] {
			return false
		}
		keys = append(keys, k)
	}
	for _, k := range keys {
		s.taken[k] = true
	}
	return true
}

func (s *actSeeder) series() error {
	loc := clock.Shanghai()
	for i, se := range demoSeriesList {
		if err := s.tx.QueryRowContext(s.ctx, `INSERT INTO activity_series (region_id, name, description, featured, created_at)
			VALUES ($1, $2, $3, TRUE, $4) RETURNING id`, s.community, se.name, se.desc, time.Date(2023, 12, 20, 0, 0, 0, 0, time.UTC)).Scan(&se.id); err != nil {
			return err
		}
		// Each series runs from early 2024 to now at its own pace; the 2024 ones are the reported record.
		d := time.Date(2024, 1, 3+i, se.hour, 0, 0, 0, loc)
		n := 0
		for d.Before(s.now.AddDate(0, 0, -1)) {
			room := demoRooms[se.room]
			day := s.openDay(room, d)
			start := time.Date(day.Year(), day.Month(), day.Day(), se.hour, 0, 0, 0, loc)
			end := start.Add(time.Duration(se.dur) * time.Hour)
			n++
			if s.free(room, start, end) {
				if _, err := s.activity(fmt.Sprintf("%s（第%d期）", se.title, n), se.kind, se.id, room, se.focus, start, end, 0, true); err != nil {
					return err
				}
			}
			d = d.AddDate(0, 0, se.every)
		}
	}
	return nil
}

func (s *actSeeder) ordinary() error {
	loc := clock.Shanghai()
	d := s.now.In(loc).AddDate(-1, 0, 0)
	for d.Before(s.now.AddDate(0, 0, -1)) {
		o := ordinaryTitles[s.rng.IntN(len(ordinaryTitles))]
		room := demoRooms[o.room]
		day := s.openDay(room, d)
		hour := 9 + s.rng.IntN(6)
		start := time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, loc)
		end := start.Add(time.Duration(1+s.rng.IntN(2)) * time.Hour)
		if start.Before(s.now) && s.free(room, start, end) {
			if _, err := s.activity(o.title, o.kind, 0, room, "", start, end, 0, s.rng.IntN(5) > 0); err != nil {
				return err
			}
		}
		d = d.AddDate(0, 0, 3+s.rng.IntN(4))
	}
	return nil
}

// upcoming writes the activities open for sign-up in the coming weeks; the third is full with a
// waitlist.
func (s *actSeeder) upcoming() error {
	loc := clock.Shanghai()
	plans := []struct {
		title  string
		kind   activities.ActivityKind
		series int
		room   int
		focus  string
		cap    int
	}{{"四点半课堂（冬季班）", "homework", 1, 2, "left_behind_child", 20}, {"邻里助餐日", "meal", 2, 6, "elderly_alone", 30},
		{"冬至包饺子", "festival", 4, 3, "", 10}, {"智能手机使用培训", "lecture", 5, 3, "empty_nest", 25},
		{"主题党日：学习党的二十届三中全会精神", "party_day", 0, 1, "", 40}, {"亲子环保手工", "volunteer", 6, 2, "", 15}}
	d := s.now.In(loc).AddDate(0, 0, 3)
	for i, p := range plans {
		room := demoRooms[p.room]
		day := s.openDay(room, d.AddDate(0, 0, 2*i))
		start := time.Date(day.Year(), day.Month(), day.Day(), []int{9, 14, 15}[i%3], 0, 0, 0, loc)
		end := start.Add(2 * time.Hour)
		if !s.free(room, start, end) {
			continue
		}
		id, err := s.activity(p.title, p.kind, demoSeriesList[p.series].id, room, p.focus, start, end, p.cap, true)
		if err != nil {
			return err
		}
		n := p.cap / 2
		if i == 2 {
			n = p.cap + 3 // the full one, three on the waitlist
		}
		if err := s.signUps(id, p.focus, n, p.cap, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

// activity writes one activity in its room with the room's booking and slots; a past one gets
// sign-ups with check-ins, volunteers with hours (the last week's still pending) and a summary.
func (s *actSeeder) activity(title string, kind activities.ActivityKind, seriesID int64, room *demoRoom, focus string,
	start, end time.Time, capacity int, public bool) (int64, error) {
	audience := "all"
	if focus != "" {
		audience = "focus"
	}
	var series any
	if seriesID != 0 {
		series = seriesID
	}
	var id int64
	created := start.AddDate(0, 0, -7).UTC()
	err := s.tx.QueryRowContext(s.ctx, `INSERT INTO activities (region_id, series_id, title, kind, organiser_kind, organiser, venue_id,
		place, starts_at, ends_at, audience, focus_tag, capacity, cost, contact_name, contact_phone, public, status, checkin_token,
		created_by, created_at) VALUES ($1,$2,$3,$4,'community','南关社区居委会',$5,$6,$7,$8,$9,$10,$11,'免费','社区服务站','0936-8210001',$12,
		'published',$13,$14,$15) RETURNING id`, s.community, series, title, kind, room.id, room.name, start.UTC(), end.UTC(), audience,
		focus, capacity, public, fmt.Sprintf("%016x%08x", s.rng.Uint64(), s.rng.Uint32()), nullID(s.staffID), created).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("demo activity %s: %w", title, err)
	}
	bid, err := s.booking(room, start, end, "staff", "user:"+fmt.Sprint(s.staffID), "南关社区居委会", "", title, max(10, capacity), "approved", id, created)
	if err != nil {
		return 0, err
	}
	if _, err := s.tx.ExecContext(s.ctx, `UPDATE activities SET booking_id = $1 WHERE id = $2`, bid, id); err != nil {
		return 0, err
	}
	if !start.Before(s.now) {
		return id, s.volunteers(id, start, end)
	}
	if err := s.signUps(id, focus, 8+s.rng.IntN(18), 0, start); err != nil {
		return 0, err
	}
	if _, err := s.tx.ExecContext(s.ctx, `UPDATE activities SET summary = $1 WHERE id = $2`,
		fmt.Sprintf("%s顺利开展，居民反响良好。", title), id); err != nil {
		return 0, err
	}
	return id, s.volunteers(id, start, end)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
