// Package cases handles residents' requests (诉求/案件): intake from every channel, the timed
// workflow from acceptance to a verified close and the resident's rating, time limits on the
// working-day calendar, queues, Chinese full-text search, the 12345 hotline import and the figures
// of DOMAIN.md, each figure drillable to the cases it counts.
//
// model.go holds the types and the pure state machine: which action is allowed from which state,
// where it leads, and who may take it. The service runs an allowed action in one transaction.
package cases

import (
	"time"

	"linli/internal/auth"
	"linli/internal/errs"
)

// State is where a case stands in the workflow.
type State string

// The states of DOMAIN.md.
const (
	Received   State = "received"
	Accepted   State = "accepted"
	Dispatched State = "dispatched"
	InProgress State = "in_progress"
	Suspended  State = "suspended"
	Reported   State = "reported"
	Closed     State = "closed"
)

var stateLabels = map[State]string{Received: "待受理", Accepted: "已立案", Dispatched: "已派遣", InProgress: "处置中",
	Suspended: "已挂起", Reported: "已反馈", Closed: "已结案"}

// Label is the state's Chinese name.
func (s State) Label() string { return stateLabels[s] }

// Open reports whether the case is still being worked on.
func (s State) Open() bool { return s != Closed && s != "" }

// Action is one step of the workflow; its name is the one used in the API path.
type Action string

// The actions of DOMAIN.md.
const (
	ActAccept           Action = "accept"
	ActReject           Action = "reject"
	ActMerge            Action = "merge"
	ActDispatch         Action = "dispatch"
	ActSign             Action = "sign"
	ActReturn           Action = "return"
	ActEscalate         Action = "escalate"
	ActSuspend          Action = "suspend"
	ActDenySuspend      Action = "deny_suspend"
	ActResume           Action = "resume"
	ActExtend           Action = "extend"
	ActApproveExtension Action = "approve_extension"
	ActDenyExtension    Action = "deny_extension"
	ActNote             Action = "note"
	ActReport           Action = "report"
	ActVerify           Action = "verify"
	ActRework           Action = "rework"
	ActCallback         Action = "callback"
	ActReopen           Action = "reopen"
	ActSupervise        Action = "supervise"
	// ActWithdraw takes back a dispatched task nobody has signed yet (撤回); the case waits to be
	// dispatched again (改派).
	ActWithdraw Action = "withdraw"
	// ActIntake is the first event of every case; it is not an action a user can post.
	ActIntake Action = "intake"
)

var actionLabels = map[Action]string{ActIntake: "登记", ActAccept: "受理立案", ActReject: "不予受理", ActMerge: "并单",
	ActDispatch: "派遣", ActSign: "签收", ActReturn: "退单", ActEscalate: "上报", ActSuspend: "挂起", ActDenySuspend: "驳回挂起",
	ActResume: "恢复办理", ActExtend: "申请延期", ActApproveExtension: "同意延期", ActDenyExtension: "驳回延期",
	ActNote: "办理记录", ActReport: "办结反馈", ActVerify: "核查结案", ActRework: "返工", ActCallback: "回访",
	ActReopen: "重办", ActSupervise: "督办", ActWithdraw: "撤回派遣"}

// Label is the action's Chinese name, as the timeline shows it.
func (a Action) Label() string { return actionLabels[a] }

// Actions lists every action a user can take, in workflow order.
var Actions = []Action{ActAccept, ActReject, ActMerge, ActDispatch, ActWithdraw, ActSign, ActReturn, ActEscalate, ActSuspend,
	ActDenySuspend, ActResume, ActExtend, ActApproveExtension, ActDenyExtension, ActNote, ActReport, ActVerify, ActRework,
	ActCallback, ActReopen, ActSupervise}

// Outcome is how a closed case ended.
type Outcome string

// The outcomes of DOMAIN.md.
const (
	Resolved  Outcome = "resolved"
	Partly    Outcome = "partly"
	Explained Outcome = "explained"
	NotOurs   Outcome = "not_ours"
	Rejected  Outcome = "rejected"
	Duplicate Outcome = "duplicate"
)

var outcomeLabels = map[Outcome]string{Resolved: "已解决", Partly: "部分解决", Explained: "已解释说明",
	NotOurs: "非本辖区/非职责", Rejected: "不予受理", Duplicate: "重复"}

// Label is the outcome's Chinese name.
func (o Outcome) Label() string { return outcomeLabels[o] }

// Handled reports whether the outcome closes a case that was actually worked on (not rejected or
// merged): only such cases are counted as closed, called back and reopened.
func (o Outcome) Handled() bool {
	return o == Resolved || o == Partly || o == Explained || o == NotOurs
}

// Priority is a case's urgency 紧急程度.
type Priority string

// The priorities.
const (
	Normal   Priority = "normal"
	Urgent   Priority = "urgent"
	Critical Priority = "critical"
)

var priorityLabels = map[Priority]string{Normal: "一般", Urgent: "紧急", Critical: "特急"}

// Label is the priority's Chinese name.
func (p Priority) Label() string { return priorityLabels[p] }

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { _, ok := priorityLabels[p]; return ok }

// Satisfaction is the resident's rating at a callback.
type Satisfaction string

// The ratings.
const (
	Satisfied    Satisfaction = "satisfied"
	Basic        Satisfaction = "basic"
	Dissatisfied Satisfaction = "dissatisfied"
)

var satisfactionLabels = map[Satisfaction]string{Satisfied: "满意", Basic: "基本满意", Dissatisfied: "不满意"}

// Label is the rating's Chinese name.
func (s Satisfaction) Label() string { return satisfactionLabels[s] }

// openStates are the states in which a case is still being worked on.
var openStates = []State{Received, Accepted, Dispatched, InProgress, Suspended, Reported}

// deadlineStates are the open states that run against the handle deadline.
var deadlineStates = []State{Accepted, Dispatched, InProgress, Suspended, Reported}

// rule says from which states an action is allowed, where it leads (empty: stays), and what the
// actor needs: a permission, or being an assignee of the case.
type rule struct {
	from []State
	to   State
	perm auth.Permission
	// assignee: the actor must hold an active task on the case (perm is then CasesHandle).
	assignee bool
	// orDispatcher: with assignee, a user with CasesDispatch in scope may act too.
	orDispatcher bool
}

var rules = map[Action]rule{
	ActAccept:   {from: []State{Received}, to: Accepted, perm: auth.CasesDispatch},
	ActReject:   {from: []State{Received}, to: Closed, perm: auth.CasesDispatch},
	ActMerge:    {from: []State{Received, Accepted}, to: Closed, perm: auth.CasesDispatch},
	ActDispatch: {from: []State{Accepted}, to: Dispatched, perm: auth.CasesDispatch},
	ActSign:     {from: []State{Dispatched, InProgress}, to: InProgress, perm: auth.CasesHandle, assignee: true},
	ActWithdraw: {from: []State{Dispatched}, to: Accepted, perm: auth.CasesDispatch},
	ActReturn:   {from: []State{Dispatched}, to: Accepted, perm: auth.CasesHandle, assignee: true},
	// Escalation hands the case one level up the chain, into that level's to-accept queue.
	ActEscalate:         {from: []State{Accepted, InProgress}, to: Received, perm: auth.CasesHandle, assignee: true, orDispatcher: true},
	ActSuspend:          {from: []State{InProgress}, to: Suspended, perm: auth.CasesHandle, assignee: true, orDispatcher: true},
	ActDenySuspend:      {from: []State{InProgress}, perm: auth.CasesSupervise},
	ActResume:           {from: []State{Suspended}, to: InProgress, perm: auth.CasesHandle, assignee: true, orDispatcher: true},
	ActExtend:           {from: deadlineStates, perm: auth.CasesHandle, assignee: true, orDispatcher: true},
	ActApproveExtension: {from: deadlineStates, perm: auth.CasesSupervise},
	ActDenyExtension:    {from: deadlineStates, perm: auth.CasesSupervise},
	ActNote:             {from: append(append([]State{}, openStates...), Closed), perm: auth.CasesRead},
	ActReport:           {from: []State{InProgress}, to: Reported, perm: auth.CasesHandle, assignee: true},
	ActVerify:           {from: []State{Reported}, to: Closed, perm: auth.CasesVerify},
	ActRework:           {from: []State{Reported}, to: InProgress, perm: auth.CasesVerify},
	ActCallback:         {from: []State{Closed}, perm: auth.CasesVerify},
	ActReopen:           {from: []State{Closed}, to: Accepted, perm: auth.CasesVerify},
	ActSupervise:        {from: openStates, perm: auth.CasesSupervise},
}

// Allowed reports whether action a may be taken on a case in state s, ignoring who acts.
func Allowed(a Action, s State) bool {
	r, ok := rules[a]
	if !ok {
		return false
	}
	for _, f := range r.from {
		if f == s {
			return true
		}
	}
	return false
}

// Next returns the state action a leads to from s (s itself when the action keeps the state).
func Next(a Action, s State) State {
	if r := rules[a]; r.to != "" {
		return r.to
	}
	return s
}

// Actor is who is taking an action, as the state machine needs to know them.
type Actor struct {
	Principal *auth.Principal
	// Assignee: the actor holds an active (pending or signed) task on the case.
	Assignee bool
	// LeadAssignee: the active task the actor holds is the lead 主办 one.
	LeadAssignee bool
	// Signable: the actor holds a pending task they may sign (a grid's task: its leader).
	Signable bool
	// ReadOnly: the actor sees the case only because they acted on it before (经办) — it has moved
	// on to others, and the actor may read it but take no action.
	ReadOnly bool
}

// Check returns nil when actor may take action a on case c now, or a domain error with a Chinese
// message saying why not. It changes nothing; the service calls it inside the transaction.
func Check(a Action, c *Case, actor Actor) error {
	r, ok := rules[a]
	if !ok {
		return errs.E(errs.Invalid, "未知的操作：%s", a)
	}
	p := actor.Principal
	if p == nil {
		return errs.E(errs.Unauthorized, "请先登录")
	}
	if actor.ReadOnly {
		return errs.E(errs.Forbidden, "案件已转由其他单位办理，您只能查看")
	}
	if err := CheckState(a, c); err != nil {
		return err
	}
	if r.assignee {
		dispatcher := r.orDispatcher && p.Can(auth.CasesDispatch)
		if !dispatcher {
			if err := p.Require(r.perm); err != nil {
				return err
			}
			if !actor.Assignee {
				return errs.E(errs.Forbidden, "您不是该案件的承办人，不能进行“%s”操作", a.Label())
			}
			if (a == ActReport || a == ActReturn || a == ActEscalate) && !actor.LeadAssignee {
				return errs.E(errs.Forbidden, "协办单位不能进行“%s”操作，请由主办方处理", a.Label())
			}
			if a == ActSign && !actor.Signable {
				return errs.E(errs.Conflict, "没有待您签收的任务（派往网格的任务由网格长签收）")
			}
			if a == ActReturn && !actor.Signable {
				// Returning is refusing to sign: only who may sign the task may return it.
				return errs.E(errs.Forbidden, "您不能退回该任务（派往网格的任务由网格长签收或退单）")
			}
		}
	} else if err := p.Require(r.perm); err != nil {
		return err
	}
	if a == ActReopen && c.Outcome == Rejected {
		// Who may reject may take the rejection back.
		if err := p.Require(auth.CasesDispatch); err != nil {
			return err
		}
	}
	if a == ActVerify && c.ReportedBy != nil && *c.ReportedBy == p.UserID {
		return errs.E(errs.Forbidden, "办结反馈人不能核查自己反馈的案件，请由其他人员核查")
	}
	return nil
}

// CheckState returns nil when action a fits the case as it stands, whoever acts: the state allows
// it, a pending request exists for its approval, a callback is still due, and so on.
func CheckState(a Action, c *Case) error {
	if !Allowed(a, c.State) {
		return errs.E(errs.Conflict, "案件当前状态为“%s”，不能进行“%s”操作", c.State.Label(), a.Label())
	}
	switch a {
	case ActApproveExtension, ActDenyExtension:
		if c.ExtensionUntil == nil {
			return errs.E(errs.Conflict, "该案件没有待审批的延期申请")
		}
	case ActDenySuspend:
		if c.SuspendAsked == nil {
			return errs.E(errs.Conflict, "该案件没有待审批的挂起申请")
		}
	case ActExtend:
		if c.ExtensionUntil != nil {
			return errs.E(errs.Conflict, "该案件已有待审批的延期申请")
		}
	case ActCallback, ActReopen:
		if a == ActCallback && c.Outcome == Duplicate && c.mainHandled {
			// A merged duplicate's reporter is called back once the main case has closed.
			if c.CallbackAt != nil {
				return errs.E(errs.Conflict, "该案件已回访，无需重复回访")
			}
			return nil
		}
		if a == ActReopen && c.Outcome == Rejected {
			return nil // a rejection found wrong goes back to the to-accept queue
		}
		if !c.Outcome.Handled() {
			return errs.E(errs.Conflict, "“%s”的案件不能进行“%s”操作", c.Outcome.Label(), a.Label())
		}
		if a == ActCallback && c.CallbackAt != nil && c.ClosedAt != nil && !c.CallbackAt.Before(*c.ClosedAt) {
			return errs.E(errs.Conflict, "该案件已回访，无需重复回访")
		}
	case ActSupervise:
		if c.Supervised {
			return errs.E(errs.Conflict, "该案件已在督办中")
		}
	}
	return nil
}

// Case is a resident's request as services and pages see it. Personal numbers are masked.
type Case struct {
	ID             int64      `json:"id"`
	Number         string     `json:"number"`
	CommunityID    int64      `json:"community_id"`
	RegionID       int64      `json:"region_id"`
	RegionName     string     `json:"region_name"`
	GridID         *int64     `json:"grid_id"`
	GridName       string     `json:"grid_name"`
	Channel        string     `json:"channel"`
	ChannelName    string     `json:"channel_name"`
	CategoryID     int64      `json:"category_id"`
	CategoryName   string     `json:"category_name"`
	Priority       Priority   `json:"priority"`
	Title          string     `json:"title"`
	Description    string     `json:"description"`
	Address        string     `json:"address"`
	BuildingID     *int64     `json:"building_id"`
	HouseholdID    *int64     `json:"household_id"`
	ResidentID     *int64     `json:"resident_id"`
	Lon            *float64   `json:"lon"`
	Lat            *float64   `json:"lat"`
	ReporterName   string     `json:"reporter_name"`
	ReporterPhone  string     `json:"reporter_phone"` // masked
	Anonymous      bool       `json:"anonymous"`
	ExternalNo     string     `json:"external_no"`
	ExternalDue    *time.Time `json:"external_deadline"`
	State          State      `json:"state"`
	Outcome        Outcome    `json:"outcome"`
	ReceivedAt     time.Time  `json:"received_at"`
	AcceptDeadline *time.Time `json:"accept_deadline"`
	AcceptedAt     *time.Time `json:"accepted_at"`
	DispatchedAt   *time.Time `json:"dispatched_at"`
	SignDeadline   *time.Time `json:"sign_deadline"`
	HandleDeadline *time.Time `json:"handle_deadline"`
	ReportedAt     *time.Time `json:"reported_at"`
	ReportedBy     *int64     `json:"reported_by"`
	ClosedAt       *time.Time `json:"closed_at"`
	ClosedBy       *int64     `json:"closed_by"`
	HandleMinutes  *int64     `json:"handle_minutes"`
	CallbackDue    *time.Time `json:"callback_deadline"`
	CallbackAt     *time.Time `json:"callback_at"`
	CallbackOK     *bool      `json:"callback_resolved"`
	Satisfaction   string     `json:"callback_satisfaction"`
	HandlerID      *int64     `json:"handler_id"`
	HandlerName    string     `json:"handler_name"`
	SuspendedAt    *time.Time `json:"suspended_at"`
	SuspendedMin   int64      `json:"suspended_minutes"`
	SuspendReason  string     `json:"suspend_reason"`
	SuspendAsked   *int64     `json:"suspend_requested_by"`
	ExtensionUntil *time.Time `json:"extension_until"`
	ExtensionNote  string     `json:"extension_reason"`
	ExtensionBy    *int64     `json:"extension_requested_by"`
	ReopenCount    int        `json:"reopen_count"`
	Supervised     bool       `json:"supervised"`
	SupervisedAt   *time.Time `json:"supervised_at"`
	Overdue        bool       `json:"overdue"`
	TrackingCode   string     `json:"tracking_code"`
	MergedInto     *int64     `json:"merged_into"`
	CreatedBy      *int64     `json:"created_by"`
	Version        int        `json:"version"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	SLA            SLA        `json:"sla"`
	// DeadlineEstimated: a deadline of the case lies in a year without working-day calendar data
	// (see Estimated); pages mark it 预计.
	DeadlineEstimated bool `json:"deadline_estimated"`
	regionPath        string
	residentBorn      string // the birth date of the resident the case concerns, for the minors rule
	// mainHandled: the case is merged into a main case that closed handled (its callback is due).
	mainHandled bool
}

// StateLabel is the state's Chinese name, for templates.
func (c *Case) StateLabel() string { return c.State.Label() }

// Event is one row of a case's timeline.
type Event struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	UserID      *int64    `json:"user_id"`
	ActorName   string    `json:"actor_name"`
	Action      Action    `json:"action"`
	ActionLabel string    `json:"action_label"`
	FromState   State     `json:"from_state"`
	ToState     State     `json:"to_state"`
	Note        string    `json:"note"`
	Public      bool      `json:"public"`
	Attachments []int64   `json:"attachments"`
	Detail      string    `json:"detail"`
}

// Assignment is a dispatched task: one lead 主办 or assisting 协办 target.
type Assignment struct {
	ID           int64      `json:"id"`
	Role         string     `json:"role"` // lead, assist
	TargetKind   string     `json:"target_kind"`
	TargetGridID *int64     `json:"target_grid_id"`
	TargetUserID *int64     `json:"target_user_id"`
	TargetName   string     `json:"target_name"`
	Status       string     `json:"status"`
	DispatchedAt time.Time  `json:"dispatched_at"`
	SignDeadline time.Time  `json:"sign_deadline"`
	SignedAt     *time.Time `json:"signed_at"`
	SignedBy     *int64     `json:"signed_by"`
	ReturnedAt   *time.Time `json:"returned_at"`
	ReturnReason string     `json:"return_reason"`
}

// Attachment is a stored photo of a case.
type Attachment struct {
	ID          int64     `json:"id"`
	EventID     *int64    `json:"event_id"`
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
	Path        string    `json:"-"`
}

// Callback is one 回访 record.
type Callback struct {
	ID           int64        `json:"id"`
	At           time.Time    `json:"at"`
	ByUserID     *int64       `json:"by_user_id"`
	ByResident   bool         `json:"by_resident"`
	Method       string       `json:"method"`
	Resolved     bool         `json:"resolved"`
	Satisfaction Satisfaction `json:"satisfaction"`
	Cause        string       `json:"cause"`
	Note         string       `json:"note"`
}

// Detail is a case with its timeline, tasks, photos, callbacks and linked cases.
type Detail struct {
	Case
	Events      []Event      `json:"events"`
	Assignments []Assignment `json:"assignments"`
	Attachments []Attachment `json:"attachments"`
	Callbacks   []Callback   `json:"callbacks"`
	Merged      []CaseRef    `json:"merged"` // cases merged into this one
	Actions     []Action     `json:"actions"`
}

// CaseRef names another case briefly.
type CaseRef struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
	Title  string `json:"title"`
	State  State  `json:"state"`
}
