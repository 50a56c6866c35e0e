package demo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"linli/internal/activities"
	"linli/internal/clock"
	"linli/internal/cobuild"
)

func (c *cb) need(ctx context.Context, n demoNeed, state, claimedOn, doneOn, satisfaction string) (int64, error) {
	source, want := "community", 2+len(n.title)%5
	if n.grid >= 0 {
		source = "grid"
	}
	var unit any
	if state != "raised" {
		unit = c.units[n.unit]
	}
	return c.id(ctx, `INSERT INTO cobuild_needs (region_id, title, category, detail, beneficiary, urgency, want_people, want_hours,
		source, state, raised_on, raised_by, unit_id, claimed_on, done_on, satisfaction, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)`,
		c.region(n.grid), n.title, n.category, "由"+map[string]string{"grid": "网格", "community": "社区"}[source]+"收集整理："+n.title,
		map[bool]string{true: "grid", false: "community"}[n.grid >= 0], map[bool]string{true: "urgent", false: "normal"}[len(n.title)%4 == 0],
		want, want*4, source, state, n.day, c.admin, unit, claimedOn, doneOn, satisfaction, stamp(n.day))
}

func (c *cb) resource(ctx context.Context, r demoResource) (int64, error) {
	return c.id(ctx, `INSERT INTO cobuild_resources (region_id, unit_id, kind, category, title, quantity, measure, availability,
		available_from, available_to, conditions, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`,
		c.community, c.units[r.unit], r.kind, r.category, r.title, r.quantity, r.measure, r.availability, r.day, r.until,
		r.conditions, stamp(r.day))
}

// project writes a project on a need with one use of a resource and three milestones spread over
// span days from its start, those due up to doneBy done the day before they were due.
func (c *cb) project(ctx context.Context, needID int64, n demoNeed, state, started, finished, satisfaction, doneBy string,
	span int, resourceID int64, amount int) error {
	id, err := c.id(ctx, `INSERT INTO cobuild_projects (region_id, need_id, unit_id, title, plan, state, started_on, finished_on,
		satisfaction, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
		c.region(n.grid), needID, c.units[n.unit], n.title+"项目", "摸底调查、制定方案、组织实施、回访评价", state, started, finished,
		satisfaction, stamp(started))
	if err != nil {
		return err
	}
	for k, title := range []string{"摸底调查，确定服务对象", "组织实施", "回访评价，资料归档"} {
		due, done := addDate(started, span*(k+1)/3), ""
		if due <= doneBy {
			done = addDate(due, -1)
		}
		if _, err := c.tx.ExecContext(ctx, `INSERT INTO cobuild_milestones (project_id, title, due_on, done_on, created_at)
			VALUES ($1, $2, $3, $4, $5)`, id, title, due, done, stamp(started)); err != nil {
			return err
		}
	}
	_, err = c.tx.ExecContext(ctx, `INSERT INTO cobuild_resource_uses (project_id, resource_id, amount, used_on, note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, resourceID, amount, addDate(started, 10), "项目实施使用", stamp(addDate(started, 10)))
	return err
}

// meeting writes a joint meeting, its topics and, when held, attendance (every unit but absent).
func (c *cb) meeting(ctx context.Context, title, cadence, day, state string, topics []string, absent int) (int64, error) {
	minutes, taker := "", ""
	if state == "held" {
		taker = "李文静"
		minutes = "会议由社区党委书记王秀梅主持。会议通报了上次会议决议事项落实情况，听取了各共建单位履行共建承诺情况，" +
			"研究了本期需求清单与资源清单的对接，明确了决议事项的牵头单位和完成时限。"
	}
	id, err := c.id(ctx, `INSERT INTO cobuild_meetings (region_id, title, cadence, starts_at, held_on, place, topics_due_on,
		notice_on, state, chair, minute_taker, minutes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, '南关社区党群服务中心三楼会议室', $6, $7, $8, '王秀梅', $9, $10, $11, $11)`,
		c.community, title, cadence, stamp(day).Add(time.Hour), day, addDate(day, -15), addDate(day, -3), state, taker, minutes,
		stamp(addDate(day, -30)))
	if err != nil {
		return 0, err
	}
	for i, t := range topics {
		if _, err := c.tx.ExecContext(ctx, `INSERT INTO cobuild_topics (meeting_id, unit_id, title, created_at) VALUES ($1, $2, $3, $4)`,
			id, c.units[(i*5+len(title))%len(c.units)], t, stamp(addDate(day, -20))); err != nil {
			return 0, err
		}
	}
	if state != "held" {
		return id, nil
	}
	for i, u := range c.units {
		if _, err := c.tx.ExecContext(ctx, `INSERT INTO cobuild_attendance (meeting_id, unit_id, present, attendee) VALUES ($1, $2, $3, $4)`,
			id, u, i != absent, demoUnits[i].secretary); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func (c *cb) decision(ctx context.Context, meetingID int64, text string, unit int, held, due, closedOn string) error {
	state, note := "open", ""
	if closedOn != "" {
		state, note = "closed", "已按决议落实，经社区党委核验销号"
	}
	_, err := c.tx.ExecContext(ctx, `INSERT INTO cobuild_decisions (region_id, meeting_id, text, unit_id, due_on, state, closed_on,
		closed_note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
		c.community, meetingID, text, c.units[unit], due, state, closedOn, note, stamp(held))
	return err
}

// activity writes a co-building activity, held 09:00–11:00 on day, as an activity of the
// activities capability carrying its units and need.
func (c *cb) activity(ctx context.Context, day, title string, needID int64, units []int, people, hours int) error {
	ids, names := []int64{}, []string{}
	for _, u := range units {
		if !slices.Contains(ids, c.units[u]) {
			ids, names = append(ids, c.units[u]), append(names, demoUnits[u].name)
		}
	}
	starts, err := time.ParseInLocation("2006-01-02 15:04", day+" 09:00", clock.Shanghai())
	if err != nil {
		return err
	}
	_, err = activities.RecordUnitActivity(ctx, c.tx, activities.UnitActivityInput{RegionID: c.community, Title: title,
		Kind: "volunteer", Organiser: names[0], Place: "南关社区", StartsAt: starts, EndsAt: starts.Add(2 * time.Hour),
		Headcount: people, ServiceMinutes: hours * 60, Summary: title + "，共建单位党员志愿者参与服务。", UnitIDs: ids,
		NeedID: needID, CreatedBy: c.admin}, stamp(day))
	return err
}

// record2024 writes the fixed record of 2024-01-01..10-15.
func (c *cb) record2024(ctx context.Context) error {
	needIDs := make([]int64, len(needs2024))
	isProject := map[int]bool{}
	for _, p := range projects2024 {
		isProject[p.need] = true
	}
	for i, n := range needs2024 {
		done := addDate(n.day, 20)
		if isProject[i] {
			done = addDate(n.day, 45)
		}
		sat := map[bool]string{true: "basically", false: "satisfied"}[i%7 == 3]
		id, err := c.need(ctx, n, "rated", addDate(n.day, 4), done, sat)
		if err != nil {
			return fmt.Errorf("need %s: %w", n.title, err)
		}
		needIDs[i] = id
	}
	resIDs := make([]int64, len(resources2024))
	for i, r := range resources2024 {
		id, err := c.resource(ctx, r)
		if err != nil {
			return err
		}
		resIDs[i] = id
	}
	for _, p := range projects2024 {
		n := needs2024[p.need]
		started, finished := addDate(n.day, 7), addDate(n.day, 45)
		if err := c.project(ctx, needIDs[p.need], n, "rated", started, finished, "satisfied", finished, 38,
			resIDs[p.resource], p.amount); err != nil {
			return err
		}
	}
	for k, m := range []struct{ title, day string }{{"2024年上半年党建联席会议", "2024-03-28"}, {"2024年下半年党建联席会议", "2024-08-29"}} {
		id, err := c.meeting(ctx, m.title, "half_yearly", m.day, "held", []string{"需求清单与资源清单对接", "共建项目推进情况"}, 3+k*5)
		if err != nil {
			return err
		}
		for j, d := range decisionTexts[k*3 : k*3+3] {
			due := addDate(m.day, 40)
			closed := addDate(due, -5)
			if j == 2 && k == 1 {
				closed = addDate(due, 6)
			}
			if err := c.decision(ctx, id, d.text, d.unit, m.day, due, closed); err != nil {
				return err
			}
		}
	}
	for i, a := range activities2024 {
		n := needs2024[a.need]
		if err := c.activity(ctx, a.day, a.title, needIDs[a.need], []int{n.unit, (n.unit + 1 + i%3) % len(c.units)}, a.people, a.hour); err != nil {
			return err
		}
	}
	return nil
}

var decisionTexts = []struct {
	text string
	unit int
}{
	{"建立寒暑假课后托管长效机制", 0}, {"为高龄老人建立健康档案", 1}, {"完成老旧小区线路隐患排查", 3},
	{"建成敬老助餐服务点", 6}, {"开展就业困难人员技能培训一期", 7}, {"整治南关小区停车秩序", 5},
	{"完善楼院垃圾分类设施", 4}, {"开设老年人智能手机课堂", 8}, {"设立律师驻点咨询日", 11},
	{"为困难家庭免费检修线路", 3}, {"组织中学生志愿服务队", 10}, {"开展防范电信诈骗集中宣传", 5},
	{"推进残疾人家庭无障碍改造", 9}, {"筹办邻里文化节", 2}, {"完善家庭医生签约服务", 1}, {"更新社区宣传栏", 4},
}

var yearNeeds = []struct{ title, category string }{
	{"冬季独居老人取暖情况排查", "助老"}, {"寒假青少年心理健康讲座", "助学/关爱未成年人"}, {"楼道杂物清理", "环境整治"},
	{"新春文艺演出", "文体"}, {"困难家庭线路检修", "其他"}, {"残疾人就业帮扶", "就业"}, {"邻里纠纷法律咨询", "法律服务"},
	{"慢性病老人用药指导", "医疗健康"}, {"垃圾分类宣传督导", "文明实践"}, {"暑期儿童托管", "助学/关爱未成年人"},
	{"老旧小区屋顶防水修缮", "环境整治"}, {"反诈宣传进家庭", "政策宣讲"}, {"助餐点送餐志愿者", "助老"},
	{"社区篮球场修缮", "文体"}, {"高龄老人上门体检", "医疗健康"}, {"失业人员求职指导", "就业"},
	{"楼院化粪池清掏", "环境整治"}, {"空巢老人智能手环配置", "助老"}, {"冬季消防安全检查", "政策宣讲"}, {"留守儿童周末辅导", "助学/关爱未成年人"},
}

var yearActivities = []string{"志愿服务进楼院", "关爱老人上门服务", "环境卫生集中整治", "政策宣讲进网格", "健康义诊", "法律咨询服务日",
	"青少年课外辅导", "文明实践志愿活动", "邻里文化活动", "就业政策宣讲"}

// pastYear writes a year of ordinary work up to today: quarterly meetings and the next one, needs
// in every state, projects with milestones, resources and activities.
func (c *cb) pastYear(ctx context.Context, today string) error {
	day := func(n int) string { return addDate(today, n) }
	var resIDs []int64
	for i := 0; i < 8; i++ {
		r := demoResource{day: day(-320 + i*35), unit: (i*5 + 2) % len(c.units), kind: []string{"volunteers", "service", "funds", "venue", "expertise", "goods", "volunteers", "service"}[i],
			category: []string{"", "医疗健康", "", "文体", "法律服务", "助老", "环境整治", "助学/关爱未成年人"}[i],
			title:    []string{"党员志愿服务队", "健康巡诊服务", "年度共建经费", "会议室及活动场地", "法律顾问服务", "慰问物资", "清扫志愿者", "课后辅导教师"}[i],
			measure:  []string{"小时", "人次", "元", "小时", "小时", "份", "小时", "小时"}[i], quantity: []int{400, 150, 30000, 300, 60, 200, 500, 240}[i],
			availability: "按需预约"}
		id, err := c.resource(ctx, r)
		if err != nil {
			return err
		}
		resIDs = append(resIDs, id)
	}
	needIDs := make([]int64, len(yearNeeds))
	for i, yn := range yearNeeds {
		n := demoNeed{title: yn.title, category: yn.category, unit: i % len(c.units), grid: i % 10}
		if i%3 == 0 {
			n.grid = -1
		}
		state, claimed, done, sat := "raised", "", "", ""
		if i < 16 {
			n.day = day(-340 + i*20)
			age := 340 - i*20
			claimed = addDate(n.day, 3)
			switch {
			case age >= 120:
				state, done, sat = "rated", addDate(n.day, 25), []string{"satisfied", "satisfied", "basically"}[i%3]
			case age >= 60:
				state, done = "done", addDate(n.day, 25)
			case i%2 == 1:
				state = "in_progress"
			default:
				state = "claimed"
			}
		} else {
			n.day = day(-9 + (i-16)*2)
		}
		id, err := c.need(ctx, n, state, claimed, done, sat)
		if err != nil {
			return err
		}
		needIDs[i] = id
		if i == 2 || i == 5 || i == 8 || i == 11 || i == 14 || i == 15 {
			pstate := map[string]string{"rated": "rated", "done": "done", "in_progress": "in_progress", "claimed": "approved"}[state]
			started, span, doneBy := addDate(n.day, 5), 60, addDate(today, -10) // a running project has an overdue milestone
			if done != "" {
				span, doneBy = 20, done
			}
			res, amount := resIDs[0], 12+i // volunteer hours, or for odd needs the year's funds
			if i%2 == 1 {
				res, amount = resIDs[2], 3000
			}
			if err := c.project(ctx, id, n, pstate, started, done, sat, doneBy, span, res, amount); err != nil {
				return err
			}
		}
	}
	held := []int{-330, -240, -150, -60}
	last := ""
	for k, off := range held {
		d := day(off)
		t, _ := time.Parse(time.DateOnly, d)
		title := strconv.Itoa(t.Year()) + "年第" + []string{"一", "二", "三", "四"}[(int(t.Month())-1)/3] + "季度党建联席会议"
		last = title
		id, err := c.meeting(ctx, title, "quarterly", d, "held", []string{"上次会议决议落实情况通报", yearNeeds[k*4].title + "需求对接"}, k*3+1)
		if err != nil {
			return err
		}
		for j := 0; j < 2; j++ {
			dt := decisionTexts[6+k*2+j]
			due, closed := addDate(d, 45), addDate(d, 40)
			switch {
			case k == 1 && j == 0:
				closed = addDate(d, 50)
			case k == 2 && j == 1, k == 3 && j == 0:
				closed = ""
			case k == 3 && j == 1:
				due, closed = addDate(d, 100), ""
			}
			if err := c.decision(ctx, id, dt.text, dt.unit, d, due, closed); err != nil {
				return err
			}
		}
	}
	next := day(20)
	nt, _ := time.Parse(time.DateOnly, next)
	title := strconv.Itoa(nt.Year()) + "年第" + []string{"一", "二", "三", "四"}[(int(nt.Month())-1)/3] + "季度党建联席会议"
	if title == last { // the quarter's regular meeting was held: this one reviews the year
		title = strconv.Itoa(nt.Year()) + "年度共驻共建工作评议会"
	}
	id, err := c.meeting(ctx, title, "quarterly", next, "scheduled", []string{"年度共建项目评议", "明年需求清单征集"}, -1)
	if err != nil {
		return err
	}
	if err := cobuild.EnqueueNotice(ctx, c.tx, id, addDate(next, -3), mustParse(today)); err != nil {
		return err
	}
	for i := 0; i < 28; i++ {
		d := day(-350 + i*12)
		var need int64
		unit := i % len(c.units)
		if k := (i*12 - 10) / 20; i*12 >= 10 && k < 16 {
			need, unit = needIDs[k], k%len(c.units)
		}
		if err := c.activity(ctx, d, yearActivities[i%len(yearActivities)], need, []int{unit, (unit + 3) % len(c.units)}, 15+i*7%60, 20+i*5%40); err != nil {
			return err
		}
	}
	return nil
}
