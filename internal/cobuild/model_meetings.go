package cobuild

import (
	"strings"
	"time"

	"linli/internal/activities"
	"linli/internal/errs"
)

// Cadences are how often joint meetings are held, code → label.
var Cadences = []Choice{{"quarterly", "季度例会"}, {"half_yearly", "半年例会"}, {"special", "专题会议"}}

// Default lead times of a joint meeting (REFERENCES.md §3); settings cobuild.topic_days and
// cobuild.notice_days override them.
const (
	DefaultTopicDays  = 15 // agenda topics are collected until this many days before
	DefaultNoticeDays = 3  // the notice goes to every member unit this many days before
)

// Meeting is a joint meeting 党建联席会议 of the 大党委.
type Meeting struct {
	ID          int64      `json:"id"`
	RegionID    int64      `json:"region_id"`
	Title       string     `json:"title"`
	Cadence     string     `json:"cadence"`
	StartsAt    time.Time  `json:"starts_at"`
	HeldOn      string     `json:"held_on"`
	Place       string     `json:"place"`
	TopicsDueOn string     `json:"topics_due_on"`
	NoticeOn    string     `json:"notice_on"`
	State       string     `json:"state"` // scheduled, held, cancelled
	Chair       string     `json:"chair"`
	MinuteTaker string     `json:"minute_taker"`
	Minutes     string     `json:"minutes"`
	Topics      []Topic    `json:"topics"`
	Attendance  []Attendee `json:"attendance"`
	Decisions   []Decision `json:"decisions"`
	CreatedAt   time.Time  `json:"created_at"`
}

// CadenceLabel is the cadence's Chinese name.
func (m Meeting) CadenceLabel() string { return label(Cadences, m.Cadence) }

// StateLabel is the meeting state's Chinese name.
func (m Meeting) StateLabel() string {
	return map[string]string{"scheduled": "待召开", "held": "已召开", "cancelled": "已取消"}[m.State]
}

// Present counts the units that attended.
func (m Meeting) Present() int {
	n := 0
	for _, a := range m.Attendance {
		if a.Present {
			n++
		}
	}
	return n
}

// Topic is an agenda item: proposed by a unit or the community, or an open decision carried over.
type Topic struct {
	ID         int64  `json:"id"`
	UnitID     *int64 `json:"unit_id"`
	UnitName   string `json:"unit_name"`
	DecisionID *int64 `json:"decision_id"`
	Title      string `json:"title"`
	// Carried marks an open decision of an earlier meeting on this agenda.
	Carried bool `json:"carried"`
}

// Attendee is one member unit's attendance at a meeting.
type Attendee struct {
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	Present  bool   `json:"present"`
	Attendee string `json:"attendee"`
}

// Decision is a decision 决议事项 of a joint meeting, owned by a unit until closed 销号.
type Decision struct {
	ID         int64     `json:"id"`
	RegionID   int64     `json:"region_id"`
	MeetingID  int64     `json:"meeting_id"`
	Meeting    string    `json:"meeting"`
	Text       string    `json:"text"`
	UnitID     int64     `json:"unit_id"`
	UnitName   string    `json:"unit_name"`
	DueOn      string    `json:"due_on"`
	State      string    `json:"state"` // open, closed
	ClosedOn   string    `json:"closed_on"`
	ClosedNote string    `json:"closed_note"`
	CreatedAt  time.Time `json:"created_at"`
}

// StateLabel is the decision state's Chinese name.
func (d Decision) StateLabel() string {
	if d.State == "closed" {
		return "已销号"
	}
	return "推进中"
}

// OnTime reports whether a closed decision was closed by its due date.
func (d Decision) OnTime() bool { return d.State == "closed" && d.ClosedOn <= d.DueOn }

// Overdue reports whether an open decision is past its due date on today.
func (d Decision) Overdue(today string) bool { return d.State == "open" && d.DueOn < today }

// MeetingInput schedules a joint meeting.
type MeetingInput struct {
	RegionID int64     `json:"region_id"`
	Title    string    `json:"title"`
	Cadence  string    `json:"cadence"`
	StartsAt time.Time `json:"starts_at"`
	Place    string    `json:"place"`
	Chair    string    `json:"chair"`
}

// Validate checks the input, naming each bad field.
func (in *MeetingInput) Validate() error {
	in.Title, in.Place, in.Chair = clean(in.Title), clean(in.Place), clean(in.Chair)
	f := errs.Fields{}
	if in.Title == "" || tooLong(in.Title, 60) {
		f.Add("title", "请填写会议名称（60字以内）")
	}
	if label(Cadences, in.Cadence) == "" {
		f.Add("cadence", "请选择会议类别：季度例会、半年例会或专题会议")
	}
	if in.StartsAt.IsZero() {
		f.Add("starts_at", "请填写会议时间")
	}
	if tooLong(in.Place, 60) || tooLong(in.Chair, 30) {
		f.Add("place", "会议地点或主持人过长")
	}
	return f.Err()
}

// TopicInput proposes an agenda topic for a meeting.
type TopicInput struct {
	Title  string `json:"title"`
	UnitID int64  `json:"unit_id"` // 0: the community's own topic
}

// MinutesInput records a held meeting: attendance by unit, the minutes and their taker.
type MinutesInput struct {
	Present     []int64           `json:"present"`   // units that attended
	Attendees   map[string]string `json:"attendees"` // unit id → who came
	MinuteTaker string            `json:"minute_taker"`
	Minutes     string            `json:"minutes"`
}

// Validate checks the input, naming each bad field.
func (in *MinutesInput) Validate() error {
	in.MinuteTaker, in.Minutes = clean(in.MinuteTaker), clean(in.Minutes)
	f := errs.Fields{}
	if in.MinuteTaker == "" || tooLong(in.MinuteTaker, 30) {
		f.Add("minute_taker", "请填写记录人")
	}
	if in.Minutes == "" || tooLong(in.Minutes, 10000) {
		f.Add("minutes", "请填写会议纪要（10000字以内）")
	}
	if len(in.Present) == 0 {
		f.Add("present", "请勾选出席的共建单位")
	}
	return f.Err()
}

// DecisionInput is a decision recorded at a meeting.
type DecisionInput struct {
	Text   string `json:"text"`
	UnitID int64  `json:"unit_id"`
	DueOn  string `json:"due_on"`
}

// Validate checks that the decision has its text, an owner unit and a due date.
func (in *DecisionInput) Validate() error {
	in.Text = clean(in.Text)
	f := errs.Fields{}
	if in.Text == "" || tooLong(in.Text, 500) {
		f.Add("text", "请填写决议事项（500字以内）")
	}
	if in.UnitID <= 0 {
		f.Add("unit_id", "决议事项须明确牵头单位")
	}
	if !validDate(in.DueOn) {
		f.Add("due_on", "决议事项须明确完成时限（YYYY-MM-DD）")
	}
	return f.Err()
}

// Activity is a co-building activity 共建活动 run with or by member units: an activity of
// internal/activities (its id is the activity's) as the alliance counts it. Participants and
// ServiceMinutes are what those who ran it report; Photos is how many photos it keeps.
type Activity struct {
	ID             int64     `json:"id"`
	RegionID       int64     `json:"region_id"`
	Title          string    `json:"title"`
	Kind           string    `json:"kind"`
	KindLabel      string    `json:"kind_label"`
	HeldOn         string    `json:"held_on"`
	StartsAt       time.Time `json:"starts_at"`
	EndsAt         time.Time `json:"ends_at"`
	Place          string    `json:"place"`
	Participants   int       `json:"participants"`
	ServiceMinutes int       `json:"service_minutes"`
	NeedID         *int64    `json:"need_id"`
	ProjectID      *int64    `json:"project_id"`
	Summary        string    `json:"summary"`
	Photos         int       `json:"photos"`
	Units          []Ref     `json:"units"`
	CreatedAt      time.Time `json:"created_at"`
}

// Hours is the activity's service time in hours.
func (a Activity) Hours() float64 { return float64(a.ServiceMinutes) / 60 }

// Ref names a record by id.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ActivityInput records a co-building activity held on a day, from Start to End (HH:MM, Asia/
// Shanghai; 09:00–11:00 when not given), of an activity kind (志愿服务 when not given).
type ActivityInput struct {
	RegionID       int64   `json:"region_id"`
	Title          string  `json:"title"`
	Kind           string  `json:"kind"`
	HeldOn         string  `json:"held_on"`
	Start          string  `json:"start"`
	End            string  `json:"end"`
	Place          string  `json:"place"`
	Participants   int     `json:"participants"`
	ServiceMinutes int     `json:"service_minutes"`
	UnitIDs        []int64 `json:"unit_ids"`
	NeedID         int64   `json:"need_id"`
	ProjectID      int64   `json:"project_id"`
	Summary        string  `json:"summary"`
}

// times are the activity's start and end instants; Validate has checked them.
func (in *ActivityInput) times() (time.Time, time.Time) {
	at := func(hm string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", in.HeldOn+" "+hm, shanghai)
		return t.UTC()
	}
	return at(in.Start), at(in.End)
}

// Validate checks the input, naming each bad field.
func (in *ActivityInput) Validate() error {
	in.Title, in.Place, in.Summary = clean(in.Title), clean(in.Place), clean(in.Summary)
	in.Kind, in.Start, in.End = strings.TrimSpace(in.Kind), strings.TrimSpace(in.Start), strings.TrimSpace(in.End)
	if in.Kind == "" {
		in.Kind = "volunteer"
	}
	if in.Start == "" && in.End == "" {
		in.Start, in.End = "09:00", "11:00"
	}
	f := errs.Fields{}
	if in.Title == "" || tooLong(in.Title, 60) {
		f.Add("title", "请填写活动名称（60字以内）")
	}
	if activities.ActivityKind(in.Kind).Label() == "" {
		f.Add("kind", "请选择活动类型")
	}
	if !validDate(in.HeldOn) {
		f.Add("held_on", "请填写活动日期（YYYY-MM-DD）")
	} else if _, err := time.Parse("15:04", in.Start); err != nil {
		f.Add("start", "请填写开始时间（如 09:00）")
	} else if _, err := time.Parse("15:04", in.End); err != nil || in.End <= in.Start {
		f.Add("end", "结束时间应晚于开始时间（如 11:00）")
	}
	if len(in.UnitIDs) == 0 {
		f.Add("unit_ids", "请选择参与的共建单位")
	}
	if in.Participants < 0 || in.Participants > 100000 {
		f.Add("participants", "参与人数不正确")
	}
	if in.ServiceMinutes < 0 || in.ServiceMinutes > 1000000 {
		f.Add("service_minutes", "服务时长不正确")
	}
	if tooLong(in.Place, 60) || tooLong(in.Summary, 2000) {
		f.Add("summary", "地点或活动简介过长")
	}
	return f.Err()
}
