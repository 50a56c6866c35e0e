package demo

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"sort"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/register"
	"linli/internal/visits"
)

// The demo's grid work: a year of care-plan visits up to today at each household's cadence (a few
// households in every grid lapsed, so the today lists show overdue visits), party members' monthly
// contacts with the households their liaison households cover, and in-service members' volunteer
// posts with approved and pending hours. Everything is read back from the rows the earlier steps
// wrote, so SeedVisits also works on any community built the same way.

// visits is the writer's step: grid work relative to now.
func (w *writer) visits(ctx context.Context, tx *db.Tx) error {
	return SeedVisits(ctx, tx, w.community.ID, time.Now(), planSeed(w.p))
}

var (
	visitSituations = []string{"老人精神状态良好，生活能自理", "身体尚可，近期血压偏高，已提醒按时服药", "家中整洁，子女每周来看望",
		"独自在家，饮食正常，叮嘱注意用电用气安全", "行动不便，需人照看，家属白天上班", "孩子学习情况良好，监护人在家",
		"低保待遇按时到账，生活基本稳定", "刚出院回家，恢复情况良好", "反映楼道照明不足，已记录", "冬季取暖正常，室温适宜"}
	visitNeeds = []string{"希望提供助餐送餐服务", "需要协助办理高龄补贴", "希望有人定期上门测血压", "楼道灯损坏，夜间出行不便",
		"希望为孩子联系课后托管", "需要协助申请残疾人两项补贴"}
	contactSituations = []string{"入户走访，了解家庭近况", "微信问候，宣传社区近期活动", "电话联系，提醒防范电信诈骗",
		"入户宣传垃圾分类", "了解邻里关系，无矛盾纠纷", "征求对社区工作的意见建议"}
	postTitles = []string{"文明劝导", "助老送餐", "环境整治", "反诈宣传", "义务理发", "关爱留守儿童课后辅导"}
)

// demoHousehold is a household with residents in a care plan.
type demoHousehold struct {
	id, grid  int64
	residents []int64
	cadence   int
	start     string
}

// SeedVisits writes the community's grid work up to now: visits, contacts, care_last_visits and
// volunteer service. The same seed and rows give the same records.
func SeedVisits(ctx context.Context, tx *db.Tx, communityID int64, now time.Time, seed uint64) error {
	rng := mrand.New(mrand.NewPCG(seed, 0x7615_1715))
	today := clock.Date(now)
	staff, err := gridStaff(ctx, tx, communityID)
	if err != nil {
		return err
	}
	homes, err := careHouseholds(ctx, tx, communityID, today)
	if err != nil {
		return err
	}
	var rows [][]any
	met := map[string][]int64{}
	last := map[int64]string{}
	lapsed := map[int64]int{}
	yearAgo := subDate(today, 365)
	for _, h := range homes {
		start := h.start
		if start < yearAgo {
			start = yearAgo
		}
		end := today
		if lapsed[h.grid] < 2 || rng.Float64() < 0.1 {
			lapsed[h.grid]++
			end = subDate(today, h.cadence+1+rng.IntN(h.cadence))
		}
		day := addDate(start, rng.IntN(h.cadence))
		for day <= end {
			uuid := demoUUID(rng)
			s := staff[h.grid]
			by := s.worker
			if by == 0 || rng.Float64() < 0.3 {
				by = s.leader
			}
			needs := ""
			if rng.Float64() < 0.06 {
				needs = visitNeeds[rng.IntN(len(visitNeeds))]
			}
			rows = append(rows, []any{uuid, "visit", h.grid, h.id, pick(rng, "home", 0.7, "phone", 0.2, "wechat"), day,
				visitSituations[rng.IntN(len(visitSituations))], needs, by, at(day, rng)})
			met[uuid] = h.residents
			for _, r := range h.residents {
				last[r] = day
			}
			day = addDate(day, h.cadence-rng.IntN(min(3, h.cadence/3+1)))
		}
	}
	contacts, err := contactRows(ctx, tx, communityID, staff, today, rng)
	if err != nil {
		return err
	}
	if err := db.InsertRows(ctx, tx, "visits", []string{"client_uuid", "kind", "region_id", "household_id", "method", "visited_on",
		"situation", "needs", "created_by", "created_at"}, nil, rows); err != nil {
		return err
	}
	if err := db.InsertRows(ctx, tx, "visits", []string{"client_uuid", "kind", "region_id", "household_id", "liaison_id", "member_id",
		"method", "visited_on", "situation", "created_by", "created_at"}, nil, contacts); err != nil {
		return err
	}
	ids, err := idsByKey(ctx, tx, `SELECT id, client_uuid FROM visits WHERE region_id IN (SELECT id FROM regions WHERE path LIKE
		(SELECT path FROM regions WHERE id = $1) || '%') AND kind = 'visit'`, communityID)
	if err != nil {
		return err
	}
	var vr [][]any
	for uuid, rs := range met {
		for _, r := range rs {
			vr = append(vr, []any{ids[uuid], r})
		}
	}
	sort.Slice(vr, func(i, j int) bool { return vr[i][0].(int64) < vr[j][0].(int64) })
	if err := db.InsertRows(ctx, tx, "visit_residents", []string{"visit_id", "resident_id"}, nil, vr); err != nil {
		return err
	}
	var lv [][]any
	for r, on := range last {
		lv = append(lv, []any{r, on})
	}
	sort.Slice(lv, func(i, j int) bool { return lv[i][0].(int64) < lv[j][0].(int64) })
	if err := db.InsertRows(ctx, tx, "care_last_visits", []string{"resident_id", "last_on"}, nil, lv); err != nil {
		return err
	}
	return volunteerRows(ctx, tx, communityID, staff, now, rng)
}

type gridPeople struct{ leader, worker int64 }

// gridStaff finds each grid's leader and first grid worker among the accounts.
func gridStaff(ctx context.Context, tx *db.Tx, communityID int64) (map[int64]gridPeople, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.role, u.region_id FROM users u JOIN regions g ON g.id = u.region_id
		WHERE g.level = 'grid' AND g.path LIKE (SELECT path FROM regions WHERE id = $1) || '%' AND u.role IN ('grid_leader', 'grid_worker')
		ORDER BY u.id`, communityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]gridPeople{}
	for rows.Next() {
		var id, grid int64
		var role string
		if err := rows.Scan(&id, &role, &grid); err != nil {
			return nil, err
		}
		s := out[grid]
		if role == "grid_leader" && s.leader == 0 {
			s.leader = id
		}
		if role == "grid_worker" && s.worker == 0 {
			s.worker = id
		}
		out[grid] = s
	}
	return out, rows.Err()
}

// careHouseholds lists the households with residents in a care plan, each with the tightest
// cadence among them and the earliest date a tag was set.
func careHouseholds(ctx context.Context, tx *db.Tx, communityID int64, today string) ([]demoHousehold, error) {
	rows, err := tx.QueryContext(ctx, `SELECT r.household_id, r.region_id, r.id, t.tag, t.since FROM resident_tags t
			JOIN residents r ON r.id = t.resident_id WHERE r.community_id = $1 AND r.status = 'active'
		UNION ALL SELECT r.household_id, r.region_id, r.id, 'aged_80', r.birth_date FROM residents r
			WHERE r.community_id = $1 AND r.status = 'active' AND r.birth_date <> '' AND r.birth_date <= $2
		ORDER BY 1, 3`, communityID, register.Aged80Cutoff(mustParse(today)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []demoHousehold
	for rows.Next() {
		var hh, grid, rid int64
		var tag, since string
		if err := rows.Scan(&hh, &grid, &rid, &tag, &since); err != nil {
			return nil, err
		}
		days := visits.DefaultCadences[register.Tag(tag)]
		if days == 0 {
			continue
		}
		if tag == "aged_80" && len(since) == 10 {
			since = fmt.Sprint(atoiDemo(since[:4])+80) + since[4:]
		}
		if since == "" {
			since = subDate(today, 400)
		}
		if n := len(out); n == 0 || out[n-1].id != hh {
			out = append(out, demoHousehold{id: hh, grid: grid, cadence: days, start: since})
		}
		h := &out[len(out)-1]
		if len(h.residents) == 0 || h.residents[len(h.residents)-1] != rid {
			h.residents = append(h.residents, rid)
		}
		h.cadence = min(h.cadence, days)
		if since < h.start {
			h.start = since
		}
	}
	return out, rows.Err()
}

// contactRows draws each covered household's contacts: in most months of the last year, once.
func contactRows(ctx context.Context, tx *db.Tx, communityID int64, staff map[int64]gridPeople, today string, rng *mrand.Rand) ([][]any, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.member_id, m.user_id, c.household_id, c.region_id FROM liaison_covers c
		JOIN liaison_households l ON l.id = c.liaison_id JOIN party_members m ON m.id = l.member_id
		JOIN households h ON h.id = c.household_id WHERE h.community_id = $1 ORDER BY l.id, c.household_id`, communityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	t := mustParse(today)
	for rows.Next() {
		var liaison, member, hh, grid int64
		var user *int64
		if err := rows.Scan(&liaison, &member, &user, &hh, &grid); err != nil {
			return nil, err
		}
		by := staff[grid].leader
		if user != nil {
			by = *user
		}
		for m := 11; m >= 0; m-- {
			first := time.Date(t.Year(), t.Month()-time.Month(m), 1, 0, 0, 0, 0, time.UTC)
			if rng.Float64() > 0.8 || (m == 0 && t.Day() < 10 && rng.Float64() < 0.6) {
				continue
			}
			days := first.AddDate(0, 1, -1).Day()
			if m == 0 {
				days = t.Day()
			}
			day := first.AddDate(0, 0, rng.IntN(days)).Format(time.DateOnly)
			out = append(out, []any{demoUUID(rng), "contact", grid, hh, liaison, member, pick(rng, "home", 0.5, "wechat", 0.3, "phone"),
				day, contactSituations[rng.IntN(len(contactSituations))], by, at(day, rng)})
		}
	}
	return out, rows.Err()
}

// volunteerRows writes a post a month in every grid for the last six months, with the grid's
// in-service members signed up and their hours approved (pending for the last fortnight).
func volunteerRows(ctx context.Context, tx *db.Tx, communityID int64, staff map[int64]gridPeople, now time.Time, rng *mrand.Rand) error {
	members := map[int64][]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT m.id, o.grid_id FROM party_members m JOIN party_orgs o ON o.id = m.org_id
		JOIN regions g ON g.id = o.grid_id WHERE m.kind = 'in_service' AND m.active
		AND g.path LIKE (SELECT path FROM regions WHERE id = $1) || '%' ORDER BY m.id`, communityID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var m, g int64
		if err := rows.Scan(&m, &g); err != nil {
			rows.Close()
			return err
		}
		members[g] = append(members[g], m)
	}
	rows.Close()
	grids := make([]int64, 0, len(staff))
	for g := range staff {
		grids = append(grids, g)
	}
	sort.Slice(grids, func(i, j int) bool { return grids[i] < grids[j] })
	for _, g := range grids {
		leader := staff[g].leader
		if leader == 0 || len(members[g]) == 0 {
			continue
		}
		for m := 5; m >= 0; m-- {
			starts := time.Date(now.Year(), now.Month()-time.Month(m), 1+rng.IntN(25), 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai
			if starts.After(now.AddDate(0, 0, 10)) {
				continue
			}
			var post int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO volunteer_posts (region_id, title, place, starts_at, ends_at, slots,
				created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, g, postTitles[rng.IntN(len(postTitles))],
				"网格党群服务点", starts, starts.Add(3*time.Hour), 5, leader, starts.AddDate(0, 0, -7)).Scan(&post); err != nil {
				return err
			}
			for i, mem := range members[g] {
				if i >= 5 || rng.Float64() < 0.3 {
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO volunteer_signups (post_id, member_id, created_at) VALUES ($1, $2, $3)`,
					post, mem, starts.AddDate(0, 0, -3)); err != nil {
					return err
				}
				if starts.After(now) {
					continue
				}
				status, decided := "approved", any(starts.AddDate(0, 0, 2))
				var decidedBy any = leader
				if now.Sub(starts) < 14*24*time.Hour {
					status, decided, decidedBy = "pending", nil, nil
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO service_hours (region_id, member_id, post_id, served_on, minutes, note,
					status, decided_by, decided_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
					g, mem, post, clock.Date(starts), 60*(2+rng.IntN(2)), "按时到岗完成服务", status, decidedBy, decided,
					leader, starts.Add(4*time.Hour)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func pick(rng *mrand.Rand, a string, pa float64, b string, pb float64, c string) string {
	x := rng.Float64()
	switch {
	case x < pa:
		return a
	case x < pa+pb:
		return b
	}
	return c
}

// at is a working-hours moment on day (Asia/Shanghai), in UTC.
func at(day string, rng *mrand.Rand) time.Time {
	t := mustParse(day)
	return time.Date(t.Year(), t.Month(), t.Day(), 1+rng.IntN(8), rng.IntN(60), 0, 0, time.UTC)
}

func demoUUID(rng *mrand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}

func mustParse(day string) time.Time {
	t, _ := time.Parse(time.DateOnly, day)
	return t
}

func addDate(day string, n int) string { return mustParse(day).AddDate(0, 0, n).Format(time.DateOnly) }

func subDate(day string, n int) string { return addDate(day, -n) }

func atoiDemo(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
