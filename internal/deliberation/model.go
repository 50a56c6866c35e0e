// Package deliberation is the residents' deliberation hall 居民议事厅: topics 议题 raised by residents,
// grids, party members and units and supported by households; their review and discussion; meetings
// 议事会 in a room booked through internal/activities, with participants, attendance and minutes;
// motions voted once per household or representative under the body's quorum and majority; the
// decision 决议 published and carried out in public; and the residents' rating 评议.
//
// The procedure 提议 → 商议 → 审议 → 决议 → 公开 → 执行 → 评议 is the state machine below: each
// step names the states it leaves from, the state it reaches and the permission it takes.
package deliberation

import (
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/auth"
	"linli/internal/errs"
)

// State is where a topic stands in the procedure.
type State string

// The states of a topic.
const (
	Proposed     State = "proposed"     // 提议：征集支持
	Queued       State = "queued"       // 待审核：支持数已达到，进入社区审核
	Declined     State = "declined"     // 不予受理（公开理由）
	Merged       State = "merged"       // 已合并到相近议题
	Discussing   State = "discussing"   // 商议
	Reviewing    State = "reviewing"    // 审议（党员大会或指定机构）
	Resolving    State = "resolving"    // 决议：列入议事会议程
	Decided      State = "decided"      // 已形成决议，待公开
	Rejected     State = "rejected"     // 表决未通过
	Published    State = "published"    // 公开：公示期内
	Implementing State = "implementing" // 执行
	Evaluating   State = "evaluating"   // 评议：居民评价中
	Closed       State = "closed"       // 办结
)

// States lists the states in procedure order, for filters and figures.
var States = []State{Proposed, Queued, Discussing, Reviewing, Resolving, Decided, Published, Implementing,
	Evaluating, Closed, Declined, Merged, Rejected}

var stateLabels = map[State]string{Proposed: "征集支持", Queued: "待审核", Declined: "不予受理", Merged: "已合并",
	Discussing: "商议中", Reviewing: "审议中", Resolving: "待表决", Decided: "已决议", Rejected: "表决未通过",
	Published: "公示中", Implementing: "执行中", Evaluating: "评议中", Closed: "已办结"}

// Label is the state's Chinese name.
func (s State) Label() string { return stateLabels[s] }

// Step is the stage of 提议 → 商议 → 审议 → 决议 → 公开 → 执行 → 评议 a state belongs to (1..7).
func (s State) Step() int {
	switch s {
	case Proposed, Queued, Declined, Merged:
		return 1
	case Discussing:
		return 2
	case Reviewing:
		return 3
	case Resolving, Decided, Rejected:
		return 4
	case Published:
		return 5
	case Implementing:
		return 6
	}
	return 7
}

// Steps are the seven stages' names.
var Steps = []string{"提议", "商议", "审议", "决议", "公开", "执行", "评议"}

// Open reports whether the topic is still moving (not declined, merged, rejected or closed).
func (s State) Open() bool {
	return s != Declined && s != Merged && s != Rejected && s != Closed
}

// Action is one step a user takes on a topic.
type Action string

// The actions of the procedure.
const (
	ActAccept    Action = "accept"    // 受理：指定负责人和计划
	ActDecline   Action = "decline"   // 不予受理
	ActMerge     Action = "merge"     // 合并到相近议题
	ActReview    Action = "review"    // 提交审议
	ActSchedule  Action = "schedule"  // 列入议事会议程
	ActDecide    Action = "decide"    // 形成决议（需表决通过）
	ActReject    Action = "reject"    // 表决未通过
	ActPublish   Action = "publish"   // 公开决议
	ActImplement Action = "implement" // 公示期满，开始执行
	ActFinish    Action = "finish"    // 执行完成，进入评议
	ActClose     Action = "close"     // 评议结束，办结
)

// transition is one edge of the state machine: the states it leaves, the state it reaches, and
// the permission it takes.
type transition struct {
	from []State
	to   State
	perm auth.Permission
}

var transitions = map[Action]transition{
	ActAccept:    {[]State{Proposed, Queued}, Discussing, auth.DeliberationManage},
	ActDecline:   {[]State{Proposed, Queued}, Declined, auth.DeliberationManage},
	ActMerge:     {[]State{Proposed, Queued}, Merged, auth.DeliberationManage},
	ActReview:    {[]State{Discussing}, Reviewing, auth.DeliberationManage},
	ActSchedule:  {[]State{Discussing, Reviewing}, Resolving, auth.DeliberationManage},
	ActDecide:    {[]State{Resolving}, Decided, auth.DeliberationManage},
	ActReject:    {[]State{Resolving}, Rejected, auth.DeliberationManage},
	ActPublish:   {[]State{Decided}, Published, auth.DeliberationManage},
	ActImplement: {[]State{Published}, Implementing, auth.DeliberationManage},
	ActFinish:    {[]State{Implementing}, Evaluating, auth.DeliberationManage},
	ActClose:     {[]State{Evaluating}, Closed, auth.DeliberationManage},
}

var actionLabels = map[Action]string{ActAccept: "受理", ActDecline: "不予受理", ActMerge: "合并", ActReview: "提交审议",
	ActSchedule: "列入议程", ActDecide: "形成决议", ActReject: "表决未通过", ActPublish: "公开决议",
	ActImplement: "开始执行", ActFinish: "执行完成", ActClose: "办结"}

// Label is the action's Chinese name.
func (a Action) Label() string { return actionLabels[a] }

// Next returns the state the action reaches from s, or a conflict naming why it cannot be taken.
func Next(s State, a Action) (State, error) {
	t, ok := transitions[a]
	if !ok {
		return "", errs.Field("action", "未知的办理步骤")
	}
	for _, f := range t.from {
		if f == s {
			return t.to, nil
		}
	}
	return "", errs.E(errs.Conflict, "议题处于“%s”，不能%s", s.Label(), a.Label())
}

// Allowed reports whether the principal may take the action at all (scope is checked apart).
func Allowed(p *auth.Principal, a Action) bool {
	t, ok := transitions[a]
	return ok && p != nil && p.Can(t.perm)
}

// Actions lists what the principal may do next on a topic in state s, in procedure order.
func Actions(p *auth.Principal, s State) []Action {
	var out []Action
	for _, a := range []Action{ActAccept, ActDecline, ActMerge, ActReview, ActSchedule, ActPublish, ActImplement,
		ActFinish, ActClose} {
		if _, err := Next(s, a); err == nil && Allowed(p, a) {
			out = append(out, a)
		}
	}
	return out
}

// Source is who raised a topic.
type Source string

// The sources of topics.
const (
	SrcResident  Source = "resident"
	SrcGrid      Source = "grid"
	SrcParty     Source = "party"
	SrcUnit      Source = "unit"
	SrcCase      Source = "case"
	SrcVisit     Source = "visit"
	SrcCommunity Source = "community"
)

var sourceLabels = map[Source]string{SrcResident: "居民提议", SrcGrid: "网格提议", SrcParty: "党支部提议",
	SrcUnit: "共建单位提议", SrcCase: "来自诉求", SrcVisit: "来自走访", SrcCommunity: "社区提议"}

// Label is the source's Chinese name.
func (s Source) Label() string { return sourceLabels[s] }

// DefaultThreshold is the supporting households that send a topic to review when none is set.
const DefaultThreshold = 10

// Threshold is the number of supporting households a topic needs: the fixed number when set,
// otherwise pct per cent of the households in scope (rounded up, at least 1).
func Threshold(fixed, pct, households int) int {
	if fixed > 0 {
		return fixed
	}
	if pct <= 0 {
		return DefaultThreshold
	}
	return max(1, (households*pct+99)/100)
}

// TopicInput is a new topic.
type TopicInput struct {
	Title        string `json:"title"`
	Description  string `json:"description"`
	RegionID     int64  `json:"region_id"`   // the scope: a grid or the community; the user's own region when 0
	BuildingID   int64  `json:"building_id"` // narrows the scope to one building or courtyard
	Source       Source `json:"source"`
	CaseID       int64  `json:"case_id"`
	VisitID      int64  `json:"visit_id"`
	Threshold    int    `json:"threshold"`     // supporting households; DefaultThreshold when 0 and no share is set
	ThresholdPct int    `json:"threshold_pct"` // or this per cent of the households in scope
	ResidentID   int64  `json:"resident_id"`   // the resident it is recorded for (staff on their behalf)
}

// Validate checks a new topic.
func (in *TopicInput) Validate() error {
	f := errs.Fields{}
	in.Title, in.Description = strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	if n := utf8.RuneCountInString(in.Title); n < 4 || n > 60 {
		f.Add("title", "请填写议题名称（4至60字）")
	}
	if n := utf8.RuneCountInString(in.Description); n < 10 || n > 2000 {
		f.Add("description", "请填写议题说明（10至2000字）")
	}
	if in.Source == "" {
		in.Source = SrcCommunity
	}
	if in.Source.Label() == "" {
		f.Add("source", "议题来源不正确")
	}
	if in.Source == SrcCase && in.CaseID == 0 {
		f.Add("case_id", "来自诉求的议题须关联诉求")
	}
	if in.Source == SrcVisit && in.VisitID == 0 {
		f.Add("visit_id", "来自走访的议题须关联走访记录")
	}
	if in.Threshold < 0 || in.Threshold > 10000 {
		f.Add("threshold", "支持户数门槛应为1至10000户")
	}
	if in.ThresholdPct < 0 || in.ThresholdPct > 100 {
		f.Add("threshold_pct", "支持比例应为1%至100%")
	}
	if in.Threshold == 0 && in.ThresholdPct == 0 {
		in.Threshold = DefaultThreshold
	}
	return f.Err()
}

// Body is who votes at a meeting; it sets the quorum and majority.
type Body string

// The voting bodies.
const (
	BodyResidents       Body = "residents"       // 居民会议
	BodyRepresentatives Body = "representatives" // 居民代表会议
	BodyParty           Body = "party"           // 党员大会审议
)

var bodyLabels = map[Body]string{BodyResidents: "居民会议", BodyRepresentatives: "居民代表会议", BodyParty: "党员大会"}

// Label is the body's Chinese name.
func (b Body) Label() string { return bodyLabels[b] }

// Rule is a body's quorum and majority: present*QuorumDen > entitled*QuorumNum (or ≥ when
// QuorumAtLeast) and yes*2 > present.
type Rule struct {
	QuorumNum, QuorumDen int
	QuorumAtLeast        bool
	Text                 string
}

// RuleOf is the body's rule: for residents' and representatives' meetings more than half of those
// entitled present; for the party members' review at least two thirds (四议两公开). In every body
// more than half of those present must vote in favour.
func RuleOf(b Body) Rule {
	if b == BodyParty {
		return Rule{QuorumNum: 2, QuorumDen: 3, QuorumAtLeast: true, Text: "应到三分之二以上到会，到会过半数同意"}
	}
	return Rule{QuorumNum: 1, QuorumDen: 2, Text: "应到过半数到会，到会过半数同意"}
}

// Count is a vote's figures.
type Count struct {
	Entitled int `json:"entitled"`
	Present  int `json:"present"`
	Yes      int `json:"yes"`
	No       int `json:"no"`
	Abstain  int `json:"abstain"`
}

// Validate checks that the figures add up: nobody present who is not entitled, no more votes
// than people present.
func (c Count) Validate() error {
	f := errs.Fields{}
	if c.Entitled < 1 {
		f.Add("entitled", "应到人数应大于0")
	}
	if c.Present < 0 || c.Present > c.Entitled {
		f.Add("present", "实到人数不能超过应到人数")
	}
	if c.Yes < 0 || c.No < 0 || c.Abstain < 0 || c.Yes+c.No+c.Abstain > c.Present {
		f.Add("yes", "赞成、反对、弃权合计不能超过实到人数")
	}
	return f.Err()
}

// Quorum reports whether enough of those entitled are present under the rule.
func (r Rule) Quorum(c Count) bool {
	if r.QuorumAtLeast {
		return c.Present*r.QuorumDen >= c.Entitled*r.QuorumNum
	}
	return c.Present*r.QuorumDen > c.Entitled*r.QuorumNum
}

// Passes reports whether the motion carries: quorum, and more than half of those present in favour
// (abstentions and those who did not vote count against).
func (r Rule) Passes(c Count) bool {
	return r.Quorum(c) && c.Yes*2 > c.Present
}

// Choice is one ballot's answer.
type Choice string

// The answers.
const (
	Yes     Choice = "yes"
	No      Choice = "no"
	Abstain Choice = "abstain"
)

// Valid reports whether c is a known answer.
func (c Choice) Valid() bool { return c == Yes || c == No || c == Abstain }

// Participant kinds.
var participantLabels = map[string]string{"representative": "居民代表", "building_leader": "楼栋长",
	"party_member": "党员", "stakeholder": "相关方", "resident": "居民"}

// ParticipantLabel is the kind's Chinese name.
func ParticipantLabel(kind string) string { return participantLabels[kind] }

// Owner kinds of a decision's implementation.
var ownerLabels = map[string]string{"grid": "网格", "unit": "共建单位", "property": "物业公司",
	"community": "社区", "department": "职能部门"}

// OwnerLabel is the owner kind's Chinese name.
func OwnerLabel(kind string) string { return ownerLabels[kind] }

// DecisionInput is the decision recorded for a topic whose motion passed.
type DecisionInput struct {
	Text        string `json:"text"`
	OwnerKind   string `json:"owner_kind"`
	OwnerName   string `json:"owner_name"`
	DueOn       string `json:"due_on"` // YYYY-MM-DD
	CaseID      int64  `json:"case_id"`
	ProjectID   int64  `json:"project_id"`
	PublishDays int    `json:"publish_days"` // at least MinPublishDays
}

// MinPublishDays is the shortest publication of a decision (四议两公开: at least 7 days).
const MinPublishDays = 7

// AnswerDays is how long a question raised during publication may wait for its answer.
const AnswerDays = 3

// Validate checks a decision: its text, an owner and a due day.
func (in *DecisionInput) Validate() error {
	f := errs.Fields{}
	in.Text, in.OwnerName = strings.TrimSpace(in.Text), strings.TrimSpace(in.OwnerName)
	if n := utf8.RuneCountInString(in.Text); n < 4 || n > 2000 {
		f.Add("text", "请填写决议内容（4至2000字）")
	}
	if OwnerLabel(in.OwnerKind) == "" || in.OwnerName == "" {
		f.Add("owner_name", "请指定决议的落实责任方")
	}
	if _, err := time.Parse(time.DateOnly, in.DueOn); err != nil {
		f.Add("due_on", "请填写计划完成日期")
	}
	if in.PublishDays == 0 {
		in.PublishDays = MinPublishDays
	}
	if in.PublishDays < MinPublishDays || in.PublishDays > 60 {
		f.Add("publish_days", "公示期不少于7天")
	}
	return f.Err()
}

// PublishedUntil is the end of a publication that began at t and lasts days.
func PublishedUntil(t time.Time, days int) time.Time { return t.AddDate(0, 0, days) }
