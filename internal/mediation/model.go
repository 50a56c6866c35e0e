// Package mediation is people's mediation (人民调解) to the People's Mediation Law (2010) and the
// Ministry of Justice's document and file formats: registration with the parties' consent, the
// work with mediators and invited experts of the red think tank 红色智囊团, the written or oral
// agreement, follow-up of its performance, the case file 卷宗 and its archiving, the grids'
// dispute screening rounds and the statistics a judicial office asks for.
package mediation

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/errs"
)

// State is where a mediation case stands.
type State string

// The states. Refused, failed and performed cases may be archived; an archived file is read-only.
const (
	Registered State = "registered" // 受理登记, waiting for every party's consent
	Accepted   State = "accepted"   // 已受理: every party agreed (Art. 17)
	Mediating  State = "mediating"  // 调解中
	Agreed     State = "agreed"     // 已达成协议, performance followed up
	Performed  State = "performed"  // 已履行
	Failed     State = "failed"     // 调解不成, referral given
	Refused    State = "refused"    // 不予受理/终止, referral given
	Archived   State = "archived"   // 已归档
)

var stateLabels = map[State]string{Registered: "待受理", Accepted: "已受理", Mediating: "调解中", Agreed: "已达成协议",
	Performed: "已履行", Failed: "调解不成", Refused: "不予受理", Archived: "已归档"}

// Label is the state's Chinese name.
func (s State) Label() string { return stateLabels[s] }

// Open reports whether the case is still being mediated (the 30-day target runs).
func (s State) Open() bool { return s == Registered || s == Accepted || s == Mediating }

// States lists every state in workflow order.
var States = []State{Registered, Accepted, Mediating, Agreed, Performed, Failed, Refused, Archived}

// Outcome is how mediation ended.
type Outcome string

// The outcomes.
const (
	OutcomeAgreement Outcome = "agreement" // 书面调解协议 (Art. 29)
	OutcomeOral      Outcome = "oral"      // 口头协议 (Art. 28)
	OutcomeFailed    Outcome = "failed"
	OutcomeRefused   Outcome = "refused"
)

// Success reports whether the outcome is a successful mediation (调解成功).
func (o Outcome) Success() bool { return o == OutcomeAgreement || o == OutcomeOral }

// Source is where a dispute came from; the statistics count them apart.
type Source string

// The sources.
const (
	SourceApplyOral    Source = "apply_oral"    // 口头申请
	SourceApplyWritten Source = "apply_written" // 书面申请
	SourceInitiative   Source = "initiative"    // 主动调解
	SourceCase         Source = "case"          // 诉求转入
	SourceVisit        Source = "visit"         // 走访排查发现
	SourcePolice       Source = "police"        // 公安移交
	SourceCourt        Source = "court"         // 法院委托
	SourceGovernment   Source = "government"    // 政府指定/移交
)

// Sources lists the sources in the order forms and reports show them.
var Sources = []Source{SourceApplyOral, SourceApplyWritten, SourceInitiative, SourceCase, SourceVisit, SourcePolice,
	SourceCourt, SourceGovernment}

var sourceLabels = map[Source]string{SourceApplyOral: "口头申请", SourceApplyWritten: "书面申请", SourceInitiative: "主动调解",
	SourceCase: "诉求转入", SourceVisit: "走访排查", SourcePolice: "公安移交", SourceCourt: "法院委托", SourceGovernment: "政府移交"}

// Label is the source's Chinese name.
func (s Source) Label() string { return sourceLabels[s] }

// Valid reports whether s is a known source.
func (s Source) Valid() bool { _, ok := sourceLabels[s]; return ok }

// DisputeType is a category of the judicial statistics (婚姻家庭, 邻里 …), stored as data.
type DisputeType struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Party is a party to the dispute: a resident from the register or an outside person.
type Party struct {
	ID             int64  `json:"id"`
	Side           string `json:"side"` // applicant 申请人, respondent 被申请人
	Name           string `json:"name"`
	ResidentID     *int64 `json:"resident_id,omitempty"`
	Gender         string `json:"gender,omitempty"`
	BirthDate      string `json:"birth_date,omitempty"`
	IDMasked       string `json:"id_masked,omitempty"`
	PhoneMasked    string `json:"phone_masked,omitempty"`
	Address        string `json:"address,omitempty"`
	Representative string `json:"representative,omitempty"`
	Consent        string `json:"consent"` // pending, agreed, refused
	ConsentOn      string `json:"consent_on,omitempty"`
	ConsentHow     string `json:"consent_how,omitempty"`
	NotifiedOn     string `json:"notified_on,omitempty"` // 权利义务告知书 given
	Minor          bool   `json:"minor"`
}

// SideLabel is the party's side in Chinese.
func (p Party) SideLabel() string {
	if p.Side == "respondent" {
		return "被申请人"
	}
	return "申请人"
}

// ConsentLabel is the consent in Chinese.
func (p Party) ConsentLabel() string {
	return map[string]string{"pending": "待确认", "agreed": "同意调解", "refused": "拒绝调解"}[p.Consent]
}

// PartyInput is a party as registration states it. With ResidentID the name, birth date, ID and
// phone come from the register.
type PartyInput struct {
	Side           string `json:"side"`
	Name           string `json:"name"`
	ResidentID     int64  `json:"resident_id,omitempty"`
	IDNumber       string `json:"id_number,omitempty"`
	Phone          string `json:"phone,omitempty"`
	Address        string `json:"address,omitempty"`
	Representative string `json:"representative,omitempty"`
	// Consent, when given at registration: agreed or refused, with the date and how.
	Consent    string `json:"consent,omitempty"`
	ConsentOn  string `json:"consent_on,omitempty"`
	ConsentHow string `json:"consent_how,omitempty"`
	NotifiedOn string `json:"notified_on,omitempty"`
}

// Registration is what a new mediation case is registered with (受理登记).
type Registration struct {
	Source       Source `json:"source"`
	TypeCode     string `json:"type"`
	Title        string `json:"title"`
	Facts        string `json:"facts"`
	RegisteredOn string `json:"registered_on"`
	CommunityID  int64  `json:"community_id,omitempty"` // defaults to the principal's community
	GridID       int64  `json:"grid_id,omitempty"`
	HouseholdID  int64  `json:"household_id,omitempty"`
	CaseID       int64  `json:"case_id,omitempty"` // the residents' case it is referred from
	// ScreeningItemID is the dispute found in a screening round that this case takes up.
	ScreeningItemID int64        `json:"screening_item_id,omitempty"`
	LeadMediator    int64        `json:"lead_mediator_id,omitempty"`
	Mediators       []int64      `json:"mediator_ids,omitempty"`
	Parties         []PartyInput `json:"parties"`
	// Number, when given, is the file number as written on paper; otherwise the next in the year.
	Number string `json:"number,omitempty"`
}

// Validate checks a registration and fills defaults (today as the registration date).
func (r *Registration) Validate(today string) error {
	f := errs.Fields{}
	r.Title, r.Facts = strings.TrimSpace(r.Title), strings.TrimSpace(r.Facts)
	if r.RegisteredOn == "" {
		r.RegisteredOn = today
	}
	if r.Source == "" {
		r.Source = SourceApplyOral
	}
	if !r.Source.Valid() {
		f.Add("source", "纠纷来源无效")
	}
	if r.TypeCode == "" {
		f.Add("type", "请选择纠纷类型")
	}
	if r.Title == "" {
		f.Add("title", "请填写纠纷简要名称")
	} else if utf8.RuneCountInString(r.Title) > 100 {
		f.Add("title", "纠纷名称不能超过100字")
	}
	if r.Facts == "" {
		f.Add("facts", "请填写当事人陈述的纠纷事实")
	}
	if !validDate(r.RegisteredOn) {
		f.Add("registered_on", "登记日期格式应为YYYY-MM-DD")
	} else if r.RegisteredOn > today {
		f.Add("registered_on", "登记日期不能晚于今天")
	}
	var app, resp int
	for i := range r.Parties {
		pi := &r.Parties[i]
		pi.Name = strings.TrimSpace(pi.Name)
		switch pi.Side {
		case "applicant":
			app++
		case "respondent":
			resp++
		default:
			f.Add(fmt.Sprintf("parties.%d.side", i), "当事人身份应为申请人或被申请人")
		}
		if pi.Name == "" && pi.ResidentID == 0 {
			f.Add(fmt.Sprintf("parties.%d.name", i), "请填写当事人姓名或从居民库选择")
		}
		switch pi.Consent {
		case "", "pending":
			pi.Consent = "pending"
		case "agreed", "refused":
			if !validDate(pi.ConsentOn) {
				f.Add(fmt.Sprintf("parties.%d.consent_on", i), "请填写当事人表示意愿的日期")
			} else if validDate(r.RegisteredOn) && pi.ConsentOn < r.RegisteredOn && r.Source != SourceInitiative {
				f.Add(fmt.Sprintf("parties.%d.consent_on", i), "当事人同意日期不能早于登记日期")
			}
			if strings.TrimSpace(pi.ConsentHow) == "" {
				f.Add(fmt.Sprintf("parties.%d.consent_how", i), "请注明当事人表示意愿的方式（书面、口头、电话）")
			}
		default:
			f.Add(fmt.Sprintf("parties.%d.consent", i), "当事人意愿无效")
		}
		if pi.NotifiedOn != "" && !validDate(pi.NotifiedOn) {
			f.Add(fmt.Sprintf("parties.%d.notified_on", i), "告知日期格式应为YYYY-MM-DD")
		}
	}
	if app == 0 || resp == 0 {
		f.Add("parties", "至少需要一名申请人和一名被申请人")
	}
	return f.Err()
}

// Term is one term of a written agreement: what is done, how, and by when (Art. 29).
type Term struct {
	Content string `json:"content"`
	Method  string `json:"method"`
	DueOn   string `json:"due_on"`
}

// Agreement is a written agreement (调解协议书) or, with Oral, the mediator's record of an oral one.
type Agreement struct {
	Oral     bool   `json:"oral,omitempty"`
	Facts    string `json:"facts"` // 主要事实、争议事项及各方责任
	Terms    []Term `json:"terms,omitempty"`
	Text     string `json:"text,omitempty"` // the oral agreement as recorded
	Amount   int64  `json:"amount,omitempty"`
	SignedOn string `json:"signed_on"`
}

// Validate checks an agreement against the file: signed on or after the last record and not in
// the future, with terms that say how and by when (written), or the recorded content (oral).
func (a *Agreement) Validate(today, lastRecord, accepted string) error {
	f := errs.Fields{}
	a.Facts, a.Text = strings.TrimSpace(a.Facts), strings.TrimSpace(a.Text)
	if !validDate(a.SignedOn) {
		f.Add("signed_on", "请填写协议签订日期（YYYY-MM-DD）")
	} else {
		switch {
		case a.SignedOn > today:
			f.Add("signed_on", "签订日期不能晚于今天")
		case a.SignedOn < accepted:
			f.Add("signed_on", "签订日期不能早于受理日期")
		case lastRecord != "" && a.SignedOn < lastRecord:
			f.Add("signed_on", "签字日期早于最后一次调解记录，请先形成协议内容再签字")
		}
	}
	if a.Amount < 0 {
		f.Add("amount", "协议金额不能为负数")
	}
	if a.Oral {
		if a.Text == "" {
			f.Add("text", "请记录口头协议的内容")
		}
		return f.Err()
	}
	if a.Facts == "" {
		f.Add("facts", "请填写纠纷主要事实、争议事项及各方责任")
	}
	if len(a.Terms) == 0 {
		f.Add("terms", "协议书至少需要一项协议内容")
	}
	for i := range a.Terms {
		t := &a.Terms[i]
		t.Content, t.Method = strings.TrimSpace(t.Content), strings.TrimSpace(t.Method)
		if t.Content == "" {
			f.Add(fmt.Sprintf("terms.%d.content", i), "请填写协议事项")
		}
		if t.Method == "" {
			f.Add(fmt.Sprintf("terms.%d.method", i), "请填写履行方式")
		}
		if !validDate(t.DueOn) {
			f.Add(fmt.Sprintf("terms.%d.due_on", i), "请填写履行期限（YYYY-MM-DD）")
		} else if validDate(a.SignedOn) && t.DueOn < a.SignedOn {
			f.Add(fmt.Sprintf("terms.%d.due_on", i), "履行期限不能早于协议签订日期")
		}
	}
	return f.Err()
}

// Followup is one performance follow-up (回访).
type Followup struct {
	ID           int64  `json:"id"`
	DoneOn       string `json:"done_on"`
	Performance  string `json:"performance"`  // performed 已履行, partly 部分履行, not 未履行
	Satisfaction string `json:"satisfaction"` // satisfied 满意, basic 基本满意, dissatisfied 不满意
	Note         string `json:"note,omitempty"`
}

// PerformanceLabels name the performance states.
var PerformanceLabels = map[string]string{"performed": "已履行", "partly": "部分履行", "not": "未履行"}

// SatisfactionLabels name the satisfaction answers.
var SatisfactionLabels = map[string]string{"satisfied": "满意", "basic": "基本满意", "dissatisfied": "不满意"}

// Record is an investigation record (调查记录) or a session record (调解记录).
type Record struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"` // investigation, session
	HeldOn    string `json:"held_on"`
	Place     string `json:"place,omitempty"`
	Attendees string `json:"attendees,omitempty"`
	Content   string `json:"content"`
	Result    string `json:"result,omitempty"`
}

// KindLabel is the record's kind in Chinese.
func (r Record) KindLabel() string {
	if r.Kind == "investigation" {
		return "调查记录"
	}
	return "调解记录"
}

// Participant is someone invited into the mediation (Art. 20): an expert, a relative, a neighbour.
type Participant struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"` // expert, relative, neighbour, other
	ExpertID    *int64 `json:"expert_id,omitempty"`
	Name        string `json:"name"`
	Relation    string `json:"relation,omitempty"`
	ConsentNote string `json:"consent_note"`
	InvitedOn   string `json:"invited_on"`
}

// KindLabel is the participant's kind in Chinese.
func (p Participant) KindLabel() string {
	return map[string]string{"expert": "智囊团专家", "relative": "亲属", "neighbour": "邻居", "other": "其他"}[p.Kind]
}

// Event is one row of a case's timeline.
type Event struct {
	At        time.Time `json:"at"`
	ActorName string    `json:"actor_name"`
	Action    string    `json:"action"`
	FromState State     `json:"from_state,omitempty"`
	ToState   State     `json:"to_state,omitempty"`
	Note      string    `json:"note,omitempty"`
}

// ActionLabel is the event's action in Chinese.
func (e Event) ActionLabel() string {
	if l, ok := actionLabels[Action(e.Action)]; ok {
		return l
	}
	return map[string]string{"register": "受理登记", "view": "查阅卷宗"}[e.Action]
}

// Case is a mediation case as lists and the API show it; parties' numbers are masked.
type Case struct {
	ID                int64   `json:"id"`
	Number            string  `json:"number"`
	CommunityID       int64   `json:"community_id"`
	CommunityName     string  `json:"community_name"`
	GridID            *int64  `json:"grid_id,omitempty"`
	HouseholdID       *int64  `json:"household_id,omitempty"`
	CaseID            *int64  `json:"case_id,omitempty"`
	Source            Source  `json:"source"`
	SourceLabel       string  `json:"source_label"`
	TypeCode          string  `json:"type"`
	TypeName          string  `json:"type_name"`
	Title             string  `json:"title"`
	Facts             string  `json:"facts,omitempty"`
	State             State   `json:"state"`
	StateLabel        string  `json:"state_label"`
	Outcome           Outcome `json:"outcome,omitempty"`
	LeadMediatorID    *int64  `json:"lead_mediator_id,omitempty"`
	LeadMediator      string  `json:"lead_mediator,omitempty"`
	RegisteredOn      string  `json:"registered_on"`
	AcceptedOn        string  `json:"accepted_on,omitempty"`
	DueOn             string  `json:"due_on,omitempty"`
	Extended          bool    `json:"extended"`
	ClosedOn          string  `json:"closed_on,omitempty"`
	Referral          string  `json:"referral,omitempty"`
	CloseReason       string  `json:"close_reason,omitempty"`
	AgreementFacts    string  `json:"agreement_facts,omitempty"`
	AgreementText     string  `json:"agreement_text,omitempty"`
	Amount            int64   `json:"amount"`
	SignedOn          string  `json:"signed_on,omitempty"`
	Confirmation      string  `json:"confirmation,omitempty"`
	FollowupDue       string  `json:"followup_due,omitempty"`
	Performance       string  `json:"performance,omitempty"`
	PreventedCriminal bool    `json:"prevented_criminal"`
	PreventedPetition bool    `json:"prevented_petition"`
	PreventedPeople   int     `json:"prevented_people"`
	PreventedReason   string  `json:"prevented_reason,omitempty"`
	ReopenCount       int     `json:"reopen_count"`
	ArchivedOn        string  `json:"archived_on,omitempty"`
	Version           int     `json:"version"`
	// Parties' names, for lists ("张某 与 李某").
	PartyNames string `json:"party_names"`
	// DaysLeft is the days left to the 30-day target of an open case (negative: past it).
	DaysLeft *int `json:"days_left,omitempty"`
	// ConfirmDaysLeft is the days left to apply for judicial confirmation (Art. 33), while it runs.
	ConfirmDaysLeft *int `json:"confirm_days_left,omitempty"`

	regionPath string
}

// Detail is a whole case file: the case, its parties, mediators, participants, records, terms,
// follow-ups, documents, timeline and the actions the principal may take now.
type Detail struct {
	Case
	Parties      []Party       `json:"parties"`
	Mediators    []Mediator    `json:"mediators"`
	Participants []Participant `json:"participants"`
	Records      []Record      `json:"records"`
	Terms        []Term        `json:"terms"`
	Followups    []Followup    `json:"followups"`
	Documents    []Document    `json:"documents"`
	Events       []Event       `json:"events"`
	Actions      []Action      `json:"actions"`
	Missing      []string      `json:"missing_documents"`
}

// Mediator is a mediator assigned to a case.
type Mediator struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Lead   bool   `json:"lead"`
}

// SignalLabel says how close an open case is to its 30-day target: "", "amber" (7 days or less) or
// "red" (past it).
func (c *Case) SignalLabel() string {
	if c.DaysLeft == nil {
		return ""
	}
	switch {
	case *c.DaysLeft < 0:
		return "red"
	case *c.DaysLeft <= 7:
		return "amber"
	}
	return ""
}

// computeClocks fills the countdowns at today: the 30-day target of an open case and the judicial
// confirmation window of an agreement (30 days from signing).
func (c *Case) computeClocks(today string) {
	c.DaysLeft, c.ConfirmDaysLeft = nil, nil
	if c.State.Open() && c.DueOn != "" {
		d := daysBetween(today, c.DueOn)
		c.DaysLeft = &d
	}
	if c.Outcome == OutcomeAgreement && c.SignedOn != "" && c.Confirmation == "" && c.State != Archived {
		d := daysBetween(today, addDays(c.SignedOn, ConfirmWindowDays))
		if d >= 0 {
			c.ConfirmDaysLeft = &d
		}
	}
}

// TargetDays is the soft target for concluding a mediation: 《人民调解工作若干规定》 Art. 33,
// "一般在一个月内调结".
const TargetDays = 30

// ConfirmWindowDays is the window for a joint application for judicial confirmation (Art. 33).
const ConfirmWindowDays = 30

// MaxExtensionDays is how far one extension (agreed by the parties) may move the target.
const MaxExtensionDays = 30
