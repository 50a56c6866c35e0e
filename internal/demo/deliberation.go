package demo

import (
	"context"
	"fmt"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/deliberation"
)

// The demo's deliberation hall 居民议事厅: Nanguan's record of 2024-01-01..10-15 (six topics, three
// meetings of the residents' representatives, five decisions carried out), and a year of ordinary
// work up to today — fifteen topics in every state of the procedure (one collecting support right
// now, one in publication, one being carried out at 60 %), six meetings with minutes and votes, one
// meeting coming up, decisions linked to cases and co-building projects. Meetings sit in the
// 居民议事厅 room, booked in the evening so that no daytime booking of the activities step is touched.

// DeliberationRecord2024 are the figures of the 2024 record (2024-01-01..2024-10-15).
var DeliberationRecord2024 = deliberation.PeriodFigures{Topics: 6, Accepted: 6, Meetings: 3, Decisions: 5, DecisionsDone: 5}

// DeliberationYear are the counts of the year up to today: topics raised and meetings held.
var DeliberationYear = struct{ Topics, Meetings int }{15, 6}

type dMeeting struct {
	title string
	day   int // days after the anchor (negative: before)
	body  deliberation.Body
	id    int64
	reps  []dPerson
}

type dVote struct {
	method        string
	yes, no, abst int
}

type dTopic struct {
	title, desc string
	grid        int  // 0..9, or -1 for the whole community
	building    bool // scoped to one building of the grid
	source      deliberation.Source
	raised      int // days after the anchor
	supports    int
	threshold   int
	state       deliberation.State
	reason      string
	comments    []string
	meeting     int // the meeting (1-based index into the meetings), 0 for none
	vote        dVote
	decision    string
	owner       [2]string // kind, name
	dueAfter    int       // days after the meeting
	progress    int
	doneAfter   int // days after the meeting; 0: not done
	ratings     []int
	linkCase    bool
	linkProject bool
	mergeInto   int // index of the topic merged into, when merged
}

type dPerson struct {
	household, building int64
	grid                int64
	name, buildingName  string
}

type delibSeeder struct {
	ctx        context.Context
	tx         *db.Tx
	community  int64
	grids      []int64
	admin      int64
	venue      int64
	households map[int64][]dPerson // by grid
	topicIDs   []int64
}

// deliberation is the writer's step.
func (w *writer) deliberation(ctx context.Context, tx *db.Tx) error {
	s := &delibSeeder{ctx: ctx, tx: tx, community: w.community.ID, grids: w.gridIDs, admin: w.userIDs["admin"],
		households: map[int64][]dPerson{}}
	if err := tx.QueryRowContext(ctx, `SELECT id FROM venues WHERE region_id = $1 AND kind = 'deliberation' ORDER BY id LIMIT 1`,
		s.community).Scan(&s.venue); err != nil {
		return fmt.Errorf("demo deliberation: the hall: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT h.id, h.building_id, h.region_id, b.name,
		(SELECT MIN(r.name) FROM residents r WHERE r.household_id = h.id AND r.status = 'active')
		FROM households h JOIN buildings b ON b.id = h.building_id WHERE h.community_id = $1 AND h.kind <> 'vacant'
		ORDER BY h.id`, s.community)
	if err != nil {
		return err
	}
	for rows.Next() {
		var p dPerson
		var name *string
		if err := rows.Scan(&p.household, &p.building, &p.grid, &p.buildingName, &name); err != nil {
			rows.Close()
			return err
		}
		if name != nil {
			p.name = *name
			s.households[p.grid] = append(s.households[p.grid], p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	anchor2024 := time.Date(2024, 10, 15, 0, 0, 0, 0, clock.Shanghai())
	if err := s.seed(anchor2024, record2024Meetings(), record2024Topics()); err != nil {
		return fmt.Errorf("demo deliberation 2024: %w", err)
	}
	n := time.Now().In(clock.Shanghai())
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, clock.Shanghai())
	s.topicIDs = nil
	if err := s.seed(today, yearMeetings(), yearTopics()); err != nil {
		return fmt.Errorf("demo deliberation year: %w", err)
	}
	return nil
}

// dAt is a day after the anchor at the given hour, Asia/Shanghai, as UTC.
func dAt(anchor time.Time, day, hour int) time.Time {
	return anchor.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour).UTC()
}

func (s *delibSeeder) region(grid int) int64 {
	if grid < 0 || grid >= len(s.grids) {
		return s.community
	}
	return s.grids[grid]
}

// representatives are three households of every grid (the residents' representatives).
func (s *delibSeeder) representatives(offset int) []dPerson {
	var out []dPerson
	for _, g := range s.grids {
		hs := s.households[g]
		for i := 0; i < 3 && len(hs) > 0; i++ {
			out = append(out, hs[(offset*7+i*13)%len(hs)])
		}
	}
	return out
}

func (s *delibSeeder) seed(anchor time.Time, meetings []*dMeeting, topics []dTopic) error {
	for i, m := range meetings {
		if err := s.meeting(anchor, m, i); err != nil {
			return err
		}
	}
	for i := range topics {
		if err := s.topic(anchor, &topics[i], meetings); err != nil {
			return fmt.Errorf("%s: %w", topics[i].title, err)
		}
	}
	return nil
}

// meeting books the hall for the evening and writes the meeting with its representatives invited;
// a past meeting is closed with minutes and most of them signed in.
func (s *delibSeeder) meeting(anchor time.Time, m *dMeeting, n int) error {
	start, end := dAt(anchor, m.day, 19), dAt(anchor, m.day, 19).Add(90*time.Minute)
	var bid int64
	err := s.tx.QueryRowContext(s.ctx, `INSERT INTO venue_bookings (venue_id, region_id, starts_at, ends_at, booker_kind, booker_key,
		booker_name, org_name, purpose, headcount, status, created_by, created_at)
		VALUES ($1,$2,$3,$4,'staff',$5,'社区居委会','',$6,40,'approved',$7,$8) RETURNING id`, s.venue, s.community, start, end,
		fmt.Sprintf("user:%d", s.admin), m.title, s.admin, start.AddDate(0, 0, -10)).Scan(&bid)
	if err != nil {
		return err
	}
	for t := start; t.Before(end); t = t.Add(30 * time.Minute) {
		if _, err := s.tx.ExecContext(s.ctx, `INSERT INTO venue_slots (venue_id, slot_start, booking_id) VALUES ($1,$2,$3)`, s.venue, t, bid); err != nil {
			return fmt.Errorf("the hall on %s: %w", start, err)
		}
	}
	held := m.day < 0
	state, minutes := "scheduled", ""
	var closed any
	if held {
		state, closed = "closed", end
		minutes = fmt.Sprintf("%s于%s晚在居民议事厅召开，社区党委书记主持，按“每人每次发言不超过2分钟、每项动议发言不超过2次”的规则发言。"+
			"会议逐项审议了议程所列议题，经表决形成决议，决议结果在社区公示栏和网格公告中公示7天。", m.title, start.In(clock.Shanghai()).Format("2006年1月2日"))
	}
	err = s.tx.QueryRowContext(s.ctx, `INSERT INTO delib_meetings (region_id, title, body, vote_by, venue_id, booking_id, starts_at, ends_at,
		speaking_rules, state, minutes, checkin_token, created_by, created_at, closed_at)
		VALUES ($1,$2,$3,'representative',$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id`, s.community, m.title, m.body, s.venue, bid,
		start, end, deliberation.DefaultSpeakingRules, state, minutes, fmt.Sprintf("demo%08x%04d", anchor.Unix()&0xffffffff, n), s.admin,
		start.AddDate(0, 0, -10), closed).Scan(&m.id)
	if err != nil {
		return err
	}
	m.reps = s.representatives(n + int(anchor.Year()))
	for i, p := range m.reps {
		var attended any
		if held && i%10 != 3 && i%10 != 7 { // two in ten did not come
			attended = start.Add(-10 * time.Minute)
		}
		if _, err := s.tx.ExecContext(s.ctx, `INSERT INTO delib_participants (meeting_id, kind, name, household_id, label, entitled,
			registered_at, attended_at) VALUES ($1,'representative',$2,$3,$4,TRUE,$5,$6)`, m.id, p.name, p.household,
			p.buildingName+"居民代表", start.AddDate(0, 0, -3), attended); err != nil {
			return err
		}
	}
	return nil
}

func (s *delibSeeder) topic(anchor time.Time, d *dTopic, meetings []*dMeeting) error {
	region := s.region(d.grid)
	pool := s.households[region]
	if d.grid < 0 {
		pool = s.households[s.grids[0]]
	}
	if len(pool) == 0 {
		return fmt.Errorf("no households in grid %d", d.grid)
	}
	raiser := pool[(d.raised*-3+len(d.title))%len(pool)]
	if raiser.household == 0 {
		raiser = pool[0]
	}
	var building any
	scope := pool
	title := d.title
	if d.building {
		building, title = raiser.building, raiser.buildingName+d.title
		scope = nil
		for _, p := range pool {
			if p.building == raiser.building {
				scope = append(scope, p)
			}
		}
	}
	label, household := "社区居委会", any(nil)
	if d.source == deliberation.SrcResident {
		label, household = raiser.buildingName+"居民", raiser.household
	} else if d.source == deliberation.SrcGrid {
		label = "网格长"
	} else if d.source == deliberation.SrcParty {
		label = "网格党支部"
	}
	created := dAt(anchor, d.raised, 9)
	var mt *dMeeting
	if d.meeting > 0 {
		mt = meetings[d.meeting-1]
	}
	var accepted, decided, done any
	step := d.state.Step()
	if d.state != deliberation.Proposed && d.state != deliberation.Queued && d.state != deliberation.Declined && d.state != deliberation.Merged {
		accepted = created.AddDate(0, 0, 3)
	}
	var caseID any
	if d.linkCase {
		var id int64
		if err := s.tx.QueryRowContext(s.ctx, `SELECT COALESCE(MIN(id), 0) FROM cases WHERE region_id = $1`, region).Scan(&id); err == nil && id != 0 {
			caseID = id
		}
	}
	src := d.source
	if src == deliberation.SrcCase && caseID == nil {
		src = deliberation.SrcGrid
	}
	if d.state == deliberation.Decided || step >= 5 {
		decided = dAt(anchor, mt.day, 21)
	}
	if d.doneAfter > 0 {
		done = dAt(anchor, mt.day+d.doneAfter, 17)
	}
	var merged any
	if d.state == deliberation.Merged {
		merged = s.topicIDs[d.mergeInto]
	}
	owner, plan := "", ""
	if accepted != nil {
		owner, plan = "第"+gridNumerals[max(0, d.grid)%10]+"网格", "征求楼院居民意见，形成方案后提交居民代表议事会。"
		if d.grid < 0 {
			owner = "社区居委会"
		}
	}
	summary := ""
	if step >= 3 {
		summary = "多数居民赞成，少数居民对费用分摊有顾虑，建议公示费用明细。"
	}
	var id int64
	err := s.tx.QueryRowContext(s.ctx, `INSERT INTO delib_topics (region_id, community_id, building_id, title, description, source,
		case_id, raised_by, raiser_household, raiser_label, threshold, state, owner_label, plan, summary, reason, merged_into, supports,
		created_at, accepted_at, decided_at, done_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$19) RETURNING id`,
		region, s.community, building, title, d.desc, src, caseID, s.admin, household, label, d.threshold, d.state, owner, plan,
		summary, d.reason, merged, min(d.supports, len(scope)), created, accepted, decided, done).Scan(&id)
	if err != nil {
		return err
	}
	s.topicIDs = append(s.topicIDs, id)
	for i := 0; i < d.supports && i < len(scope); i++ {
		p := scope[(i*5)%len(scope)]
		if _, err := s.tx.ExecContext(s.ctx, `INSERT INTO delib_supports (topic_id, household_id, created_at) VALUES ($1,$2,$3)
			ON CONFLICT (topic_id, household_id) DO NOTHING`, id, p.household, created.Add(time.Duration(i+1)*5*time.Hour)); err != nil {
			return err
		}
	}
	if _, err := s.tx.ExecContext(s.ctx, `UPDATE delib_topics SET supports = (SELECT COUNT(*) FROM delib_supports WHERE topic_id = $1)
		WHERE id = $1`, id); err != nil {
		return err
	}
	for i, c := range d.comments {
		p := scope[(i*3+1)%len(scope)]
		if _, err := s.tx.ExecContext(s.ctx, `INSERT INTO delib_comments (topic_id, household_id, author_label, body, created_at)
			VALUES ($1,$2,$3,$4,$5)`, id, p.household, p.buildingName+"居民", c, created.AddDate(0, 0, 4+i)); err != nil {
			return err
		}
	}
	if mt == nil {
		return nil
	}
	if _, err := s.tx.ExecContext(s.ctx, `INSERT INTO delib_agenda (meeting_id, topic_id, position) VALUES ($1,$2,
		(SELECT COUNT(*) + 1 FROM delib_agenda WHERE meeting_id = $1))`, mt.id, id); err != nil {
		return err
	}
	if mt.day >= 0 {
		return nil
	}
	return s.vote(anchor, d, title, id, region, mt, caseID, scope, done)
}

// vote writes the motion of a held meeting, its ballots when voted on phones, and what followed:
// the decision, its publication, progress reports and ratings.
func (s *delibSeeder) vote(anchor time.Time, d *dTopic, title string, id, region int64, mt *dMeeting, caseID any, scope []dPerson, done any) error {
	present := 0
	var attended []int64
	rows, err := s.tx.QueryContext(s.ctx, `SELECT id FROM delib_participants WHERE meeting_id = $1 AND attended_at IS NOT NULL ORDER BY id`, mt.id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var pid int64
		if err := rows.Scan(&pid); err != nil {
			rows.Close()
			return err
		}
		attended = append(attended, pid)
	}
	rows.Close()
	present = len(attended)
	c := deliberation.Count{Entitled: len(mt.reps), Present: present, Yes: d.vote.yes, No: d.vote.no, Abstain: d.vote.abst}
	if c.Yes+c.No+c.Abstain > present {
		c.Yes = present - c.No - c.Abstain
	}
	rule := deliberation.RuleOf(mt.body)
	opened := dAt(anchor, mt.day, 20)
	var mid int64
	err = s.tx.QueryRowContext(s.ctx, `INSERT INTO delib_motions (meeting_id, topic_id, text, method, secret, state, entitled, present,
		yes, no, abstain, quorum_met, passed, opened_at, closed_at) VALUES ($1,$2,$3,$4,$5,'closed',$6,$7,$8,$9,$10,$11,$12,$13,$14)
		RETURNING id`, mt.id, id, "同意《"+title+"》实施方案", d.vote.method, d.vote.method == "ballot", c.Entitled, c.Present, c.Yes,
		c.No, c.Abstain, rule.Quorum(c), rule.Passes(c), opened, opened.Add(10*time.Minute)).Scan(&mid)
	if err != nil {
		return err
	}
	if d.vote.method == "ballot" {
		choices := append(append(repeat("yes", c.Yes), repeat("no", c.No)...), repeat("abstain", c.Abstain)...)
		for i, ch := range choices {
			if _, err := s.tx.ExecContext(s.ctx, `INSERT INTO delib_ballots (motion_id, participant_id, choice, created_at) VALUES ($1,$2,$3,$4)`,
				mid, attended[i], ch, opened.Add(time.Duration(i)*10*time.Second)); err != nil {
				return err
			}
		}
	}
	if d.decision == "" {
		return nil
	}
	var project any
	if d.linkProject {
		var pid int64
		if err := s.tx.QueryRowContext(s.ctx, `SELECT COALESCE(MIN(p.id), 0) FROM cobuild_projects p JOIN cobuild_needs n ON n.id = p.need_id
			WHERE n.region_id IN (SELECT id FROM regions WHERE path LIKE (SELECT path FROM regions WHERE id = $1) || '%')`, s.community).Scan(&pid); err == nil && pid != 0 {
			project = pid
		}
	}
	var published any
	if d.state.Step() >= 5 {
		published = dAt(anchor, mt.day+1, 9)
	}
	due := anchor.AddDate(0, 0, mt.day+d.dueAfter).Format(time.DateOnly)
	var did int64
	err = s.tx.QueryRowContext(s.ctx, `INSERT INTO delib_decisions (topic_id, motion_id, region_id, text, owner_kind, owner_name, due_on,
		case_id, project_id, publish_days, published_at, progress, done_at, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,7,$10,$11,$12,$13)
		RETURNING id`, id, mid, region, d.decision, d.owner[0], d.owner[1], due, caseID, project, published, d.progress, done,
		opened.Add(time.Hour)).Scan(&did)
	if err != nil {
		return err
	}
	notes := []string{"已确定施工单位，完成现场勘查", "材料进场，开始施工", "主体完工，组织居民代表查看", "全部完成，通过居民代表验收"}
	for i, pct := range progressSteps(d.progress) {
		if _, err := s.tx.ExecContext(s.ctx, `INSERT INTO delib_updates (decision_id, progress, note, created_by, created_at)
			VALUES ($1,$2,$3,$4,$5)`, did, pct, notes[min(i, len(notes)-1)], s.admin, dAt(anchor, mt.day+9+i*7, 16)); err != nil {
			return err
		}
	}
	if d.state.Step() >= 5 {
		asker := scope[len(scope)/2]
		if _, err := s.tx.ExecContext(s.ctx, `INSERT INTO delib_questions (decision_id, asker_label, question, answer, asked_at, due_at,
			answered_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`, did, asker.buildingName+"居民", "费用怎么分摊？什么时候开始？",
			"费用按决议公示的方案分摊，公示期满后开始实施。", dAt(anchor, mt.day+2, 10), dAt(anchor, mt.day+5, 10), dAt(anchor, mt.day+3, 15)); err != nil {
			return err
		}
	}
	for i, score := range d.ratings {
		p := scope[(i*7+2)%len(scope)]
		if _, err := s.tx.ExecContext(s.ctx, `INSERT INTO delib_ratings (topic_id, household_id, score, comment, created_at)
			VALUES ($1,$2,$3,'',$4) ON CONFLICT (topic_id, household_id) DO NOTHING`, id, p.household, score,
			dAt(anchor, mt.day+d.doneAfter+2+i, 18)); err != nil {
			return err
		}
	}
	return nil
}

func repeat(s string, n int) []string {
	out := make([]string, max(0, n))
	for i := range out {
		out[i] = s
	}
	return out
}

// progressSteps are the progress reports that lead to pct.
func progressSteps(pct int) []int {
	var out []int
	for _, p := range []int{20, 60, 90, 100} {
		if p <= pct {
			out = append(out, p)
		}
	}
	return out
}

func record2024Meetings() []*dMeeting {
	return []*dMeeting{
		{title: "2024年第一次居民代表议事会", day: -260, body: deliberation.BodyRepresentatives},
		{title: "2024年第二次居民代表议事会", day: -170, body: deliberation.BodyRepresentatives},
		{title: "2024年第三次居民代表议事会", day: -80, body: deliberation.BodyRepresentatives},
	}
}

func record2024Topics() []dTopic {
	closed := deliberation.Closed
	return []dTopic{
		{title: "老旧小区楼道照明改造", desc: "三号院楼道灯损坏多年，夜间出行不便，建议更换为声控节能灯。", grid: 2, source: deliberation.SrcResident,
			raised: -280, supports: 14, threshold: 10, state: closed, meeting: 1, vote: dVote{"hands", 20, 2, 2},
			decision: "更换三号院全部楼道灯为声控节能灯，由社区申请微实事资金实施。", owner: [2]string{"community", "社区居委会"},
			dueAfter: 45, progress: 100, doneAfter: 30, ratings: []int{5, 5, 4, 5, 4, 5}, linkCase: true},
		{title: "南关菜市场周边停车秩序", desc: "早市时段车辆乱停，堵塞消防通道，建议划定临时停车区。", grid: 5, source: deliberation.SrcGrid,
			raised: -275, supports: 11, threshold: 10, state: closed, meeting: 1, vote: dVote{"hands", 18, 4, 2},
			decision: "划定早市临时停车区，安排志愿者劝导，交警中队协助。", owner: [2]string{"department", "甘州交警大队南街中队"},
			dueAfter: 30, progress: 100, doneAfter: 25, ratings: []int{4, 4, 5, 3}},
		{title: "小区闲置空地改建健身角", desc: "七号楼北侧空地长期堆放杂物，建议清理后改建健身角。", grid: 6, source: deliberation.SrcParty,
			raised: -200, supports: 12, threshold: 10, state: closed, meeting: 2, vote: dVote{"ballot", 21, 1, 2},
			decision: "清理空地并安装健身器材，由共建单位捐赠器材。", owner: [2]string{"unit", "张掖市第二中学"},
			dueAfter: 60, progress: 100, doneAfter: 50, ratings: []int{5, 5, 5, 4, 5}, linkProject: true},
		{title: "楼顶违规种菜整治", desc: "部分居民在楼顶种菜导致防水层破坏、楼下渗水，建议统一整治。", grid: 3, source: deliberation.SrcResident,
			raised: -195, supports: 10, threshold: 10, state: closed, meeting: 2, vote: dVote{"hands", 19, 3, 2},
			decision: "劝导清理楼顶种植，修复防水层，制定楼顶使用公约。", owner: [2]string{"grid", "第四网格"},
			dueAfter: 40, progress: 100, doneAfter: 35, ratings: []int{4, 3, 4}, linkCase: true},
		{title: "电动车集中充电棚建设", desc: "电动车入户充电隐患大，建议在院内建设集中充电棚。", grid: 0, source: deliberation.SrcResident,
			raised: -110, supports: 18, threshold: 10, state: closed, meeting: 3, vote: dVote{"ballot", 22, 1, 1},
			decision: "在一号院建设集中充电棚，按次扫码收费，由物业负责日常管理。", owner: [2]string{"property", "南关物业服务公司"},
			dueAfter: 60, progress: 100, doneAfter: 50, ratings: []int{5, 4, 5, 5, 5, 4, 5}},
		{title: "统一更换单元防盗门", desc: "建议全院统一更换单元门，费用由住户分摊。", grid: 8, source: deliberation.SrcResident,
			raised: -105, supports: 10, threshold: 10, state: deliberation.Rejected, reason: "居民代表会议表决未通过：多数代表认为费用分摊方案不成熟",
			meeting: 3, vote: dVote{"hands", 8, 12, 4}},
	}
}

func yearMeetings() []*dMeeting {
	return []*dMeeting{
		{title: "第一季度居民代表议事会", day: -320, body: deliberation.BodyRepresentatives},
		{title: "第二季度居民代表议事会", day: -250, body: deliberation.BodyRepresentatives},
		{title: "第三季度居民代表议事会", day: -160, body: deliberation.BodyRepresentatives},
		{title: "加装电梯专题议事会", day: -90, body: deliberation.BodyResidents},
		{title: "秋季居民代表议事会", day: -25, body: deliberation.BodyRepresentatives},
		{title: "冬季居民代表议事会", day: -4, body: deliberation.BodyRepresentatives},
		{title: "近期居民代表议事会", day: 6, body: deliberation.BodyRepresentatives},
	}
}

func yearTopics() []dTopic {
	return []dTopic{
		{title: "二号院停车位划线与分配", desc: "二号院车辆乱停，消防通道被占，建议统一划线并按户分配车位。", grid: 1, source: deliberation.SrcResident,
			raised: -340, supports: 16, threshold: 10, state: deliberation.Closed, meeting: 1, vote: dVote{"hands", 19, 3, 2},
			decision: "统一划设车位42个，按户抽签分配，外来车辆不得停放。", owner: [2]string{"property", "南关物业服务公司"},
			dueAfter: 50, progress: 100, doneAfter: 40, ratings: []int{5, 4, 5, 5, 4, 3, 5}, linkCase: true},
		{title: "社区公共维修资金使用规则", desc: "公共维修资金使用不透明，建议制定使用规则并定期公示。", grid: -1, source: deliberation.SrcCommunity,
			raised: -280, supports: 10, threshold: 10, state: deliberation.Closed, meeting: 2, vote: dVote{"ballot", 20, 2, 2},
			decision: "制定《南关社区公共维修资金使用规则》，每季度公示收支。", owner: [2]string{"community", "社区居委会"},
			dueAfter: 30, progress: 100, doneAfter: 35, ratings: []int{4, 4, 5, 3}},
		{title: "加装电梯", desc: "本楼老年住户多，上下楼困难，申请加装电梯，费用按楼层分摊。", grid: 4, building: true, source: deliberation.SrcResident,
			raised: -200, supports: 12, threshold: 10, state: deliberation.Evaluating, meeting: 3, vote: dVote{"ballot", 21, 1, 2},
			decision: "一单元加装电梯，费用按楼层系数分摊，申请市级补贴。", owner: [2]string{"unit", "市住建局加装电梯办公室"},
			dueAfter: 70, progress: 100, doneAfter: 60, ratings: []int{5, 5, 4}, linkProject: true},
		{title: "小区外墙广告牌清理", desc: "临街外墙广告牌老化，存在坠落风险，建议统一拆除。", grid: 7, source: deliberation.SrcGrid,
			raised: -190, supports: 10, threshold: 10, state: deliberation.Rejected, reason: "居民代表会议表决未通过：赞成票未过到会代表半数",
			meeting: 3, vote: dVote{"hands", 9, 11, 4}},
		{title: "三号院雨污管网改造", desc: "三号院雨季污水倒灌，管网老化，建议整体改造。", grid: 2, source: deliberation.SrcCase,
			raised: -120, supports: 13, threshold: 10, state: deliberation.Implementing, meeting: 4, vote: dVote{"hands", 20, 1, 3},
			decision: "三号院雨污分流改造，分两期实施，施工期间保障居民出行。", owner: [2]string{"department", "区住建局"},
			dueAfter: 150, progress: 60, linkCase: true, linkProject: true},
		{title: "楼道堆物清理公约", desc: "楼道堆放杂物，消防隐患大，建议制定公约定期清理。", grid: 7, building: true, source: deliberation.SrcResident,
			raised: -45, supports: 10, threshold: 10, state: deliberation.Published, meeting: 6, vote: dVote{"ballot", 19, 2, 3},
			decision: "制定《楼道管理公约》，每月第一个周六集中清理。", owner: [2]string{"grid", "第八网格"},
			dueAfter: 30, comments: []string{"支持，楼道里堆的纸箱太危险", "建议物业帮忙清运大件"}},
		{title: "社区食堂开设老年助餐窗口", desc: "独居老人吃饭难，建议在社区食堂开设老年助餐窗口。", grid: -1, source: deliberation.SrcParty,
			raised: -40, supports: 15, threshold: 10, state: deliberation.Decided, meeting: 6, vote: dVote{"hands", 22, 0, 2},
			decision: "社区食堂开设老年助餐窗口，80岁以上老人享受补贴。", owner: [2]string{"community", "社区居委会"}, dueAfter: 45},
		{title: "九号院垃圾分类亭选址", desc: "九号院垃圾分类亭离住户太近，异味大，建议重新选址。", grid: 8, source: deliberation.SrcResident,
			raised: -30, supports: 11, threshold: 10, state: deliberation.Resolving, meeting: 7,
			comments: []string{"建议移到院子东北角", "东北角离幼儿园近，不合适"}},
		{title: "屋面防水维修", desc: "顶层住户反映屋面漏水，建议使用维修资金维修。", grid: 5, building: true, source: deliberation.SrcResident,
			raised: -28, supports: 10, threshold: 10, state: deliberation.Reviewing,
			comments: []string{"顶层漏水很严重", "维修资金够不够？"}},
		{title: "四号院增设晾衣架", desc: "院内没有晾晒场地，居民私拉乱挂，建议统一增设晾衣架。", grid: 3, source: deliberation.SrcResident,
			raised: -21, supports: 12, threshold: 10, state: deliberation.Discussing,
			comments: []string{"赞成，放在南侧向阳处", "注意不要影响消防通道"}},
		{title: "社区广场舞噪音管理", desc: "晚间广场舞音量过大影响休息，建议约定时段和音量。", grid: -1, source: deliberation.SrcResident,
			raised: -15, supports: 10, threshold: 10, state: deliberation.Queued},
		{title: "一号院宠物粪便管理", desc: "院内宠物粪便无人清理，建议设置宠物便便箱并倡议文明养宠。", grid: 0, source: deliberation.SrcResident,
			raised: -5, supports: 6, threshold: 10, state: deliberation.Proposed, comments: []string{"支持，小孩在院里玩很不卫生"}},
		{title: "二号院增设快递柜", desc: "快递乱放丢失多，建议院内增设智能快递柜。", grid: 1, source: deliberation.SrcResident,
			raised: -100, supports: 8, threshold: 10, state: deliberation.Declined,
			reason: "快递柜属于经营性设施，由物业与快递企业协商设置，不列入居民议事；社区已转物业办理。"},
		{title: "二号院停车收费标准", desc: "建议对二号院外来车辆停车收费。", grid: 1, source: deliberation.SrcResident,
			raised: -330, supports: 5, threshold: 10, state: deliberation.Merged, reason: "与议题“二号院停车位划线与分配”合并办理", mergeInto: 0},
		{title: "十号院路灯增设", desc: "十号院东侧通道没有路灯，夜间行走不安全。", grid: 9, source: deliberation.SrcGrid,
			raised: -24, supports: 10, threshold: 10, state: deliberation.Discussing},
	}
}
