package cobuild

import (
	"time"

	"linli/internal/errs"
)

// Need is one item of the needs list 需求清单: what residents or a grid need from the units.
type Need struct {
	ID           int64     `json:"id"`
	RegionID     int64     `json:"region_id"`
	RegionName   string    `json:"region_name"` // the grid the need concerns, else the community
	Title        string    `json:"title"`
	Category     string    `json:"category"`
	Detail       string    `json:"detail"`
	Beneficiary  string    `json:"beneficiary"`
	BuildingID   *int64    `json:"building_id"`
	FocusGroup   string    `json:"focus_group"`
	Households   string    `json:"households"`
	Urgency      string    `json:"urgency"`
	WantPeople   int       `json:"want_people"`
	WantHours    int       `json:"want_hours"`
	WantMoney    int       `json:"want_money"`
	WantRoom     bool      `json:"want_room"`
	WantSkill    string    `json:"want_skill"`
	Source       string    `json:"source"`
	VisitID      *int64    `json:"visit_id"`
	CaseID       *int64    `json:"case_id"`
	State        NeedState `json:"state"`
	RaisedOn     string    `json:"raised_on"`
	UnitID       *int64    `json:"unit_id"`
	UnitName     string    `json:"unit_name"`
	ClaimedOn    string    `json:"claimed_on"`
	DoneOn       string    `json:"done_on"`
	Satisfaction string    `json:"satisfaction"`
	Evaluation   string    `json:"evaluation"`
	ProjectID    *int64    `json:"project_id"`
	CreatedAt    time.Time `json:"created_at"`
	// Review is a resident's need's staff review: pending 待审核, accepted, or declined with
	// ReviewNote, the reason; every other need is accepted when raised.
	Review     string `json:"review"`
	ReviewNote string `json:"review_note"`
	ReviewedOn string `json:"reviewed_on"`
}

// Reviews are the states of a need's review, code → label.
var Reviews = []Choice{{"pending", "待审核"}, {"accepted", "已受理"}, {"declined", "不予受理"}}

// ReviewLabel is the review state's Chinese name.
func (n Need) ReviewLabel() string { return label(Reviews, n.Review) }

// UrgencyLabel is the urgency's Chinese name.
func (n Need) UrgencyLabel() string { return label(Urgencies, n.Urgency) }

// SourceLabel is the source's Chinese name.
func (n Need) SourceLabel() string { return label(Sources, n.Source) }

// BeneficiaryLabel is who the need serves, in Chinese.
func (n Need) BeneficiaryLabel() string { return label(Beneficiaries, n.Beneficiary) }

// SatisfactionLabel is the evaluation's Chinese name, "" before evaluation.
func (n Need) SatisfactionLabel() string { return label(Satisfactions, n.Satisfaction) }

// NeedInput is a need as a form or the API raises it.
type NeedInput struct {
	RegionID    int64  `json:"region_id"` // the grid the need concerns, else the community
	Title       string `json:"title"`
	Category    string `json:"category"`
	Detail      string `json:"detail"`
	Beneficiary string `json:"beneficiary"`
	BuildingID  int64  `json:"building_id"`
	FocusGroup  string `json:"focus_group"`
	// Households names the households served, as the register masks them (e.g. 3号楼2单元 王**).
	Households string `json:"households"`
	Urgency    string `json:"urgency"`
	WantPeople int    `json:"want_people"`
	WantHours  int    `json:"want_hours"`
	WantMoney  int    `json:"want_money"`
	WantRoom   bool   `json:"want_room"`
	WantSkill  string `json:"want_skill"`
	// VisitID or CaseID raise the need from a grid visit or a case, linked, in one step.
	VisitID int64 `json:"visit_id"`
	CaseID  int64 `json:"case_id"`
	// RaisedOn is the day it was raised; empty means today.
	RaisedOn string `json:"raised_on"`
}

// Validate normalises the input and checks every field, naming each bad one.
func (in *NeedInput) Validate() error {
	in.Title, in.Detail, in.FocusGroup = clean(in.Title), clean(in.Detail), clean(in.FocusGroup)
	in.Households, in.WantSkill = clean(in.Households), clean(in.WantSkill)
	if in.Urgency == "" {
		in.Urgency = "normal"
	}
	if in.Beneficiary == "" {
		in.Beneficiary = "community"
	}
	f := errs.Fields{}
	if in.Title == "" || tooLong(in.Title, 60) {
		f.Add("title", "请填写需求名称（60字以内）")
	}
	if !ValidCategory(in.Category) {
		f.Add("category", "请选择需求类别")
	}
	if tooLong(in.Detail, 2000) {
		f.Add("detail", "需求说明不能超过2000字")
	}
	if label(Beneficiaries, in.Beneficiary) == "" {
		f.Add("beneficiary", "请选择服务对象")
	}
	switch in.Beneficiary {
	case "building":
		if in.BuildingID <= 0 {
			f.Add("building_id", "请选择楼院")
		}
	case "group":
		if in.FocusGroup == "" {
			f.Add("focus_group", "请填写重点群体，如独居老人、留守儿童")
		}
	case "households":
		if in.Households == "" {
			f.Add("households", "请填写服务住户（姓名已脱敏）")
		}
	}
	if label(Urgencies, in.Urgency) == "" {
		f.Add("urgency", "紧急程度应为一般、紧急或特急")
	}
	if in.WantPeople < 0 || in.WantHours < 0 || in.WantMoney < 0 {
		f.Add("want_people", "所需人数、时长、资金不能为负数")
	}
	if in.WantPeople == 0 && in.WantHours == 0 && in.WantMoney == 0 && !in.WantRoom && in.WantSkill == "" {
		f.Add("want_skill", "请至少说明一项所需帮助：人员、时长、资金、场地或专业技能")
	}
	if in.VisitID < 0 || in.CaseID < 0 || (in.VisitID > 0 && in.CaseID > 0) {
		f.Add("visit_id", "需求只能关联一次走访或一件诉求")
	}
	if in.RaisedOn != "" && !validDate(in.RaisedOn) {
		f.Add("raised_on", "提出日期格式应为 YYYY-MM-DD")
	}
	return f.Err()
}

// Resource is one item of the resources list 资源清单: what a unit (or a person) offers.
type Resource struct {
	ID            int64     `json:"id"`
	RegionID      int64     `json:"region_id"`
	UnitID        *int64    `json:"unit_id"`
	UnitName      string    `json:"unit_name"`
	Person        string    `json:"person"`
	Kind          string    `json:"kind"`
	Category      string    `json:"category"`
	Title         string    `json:"title"`
	Detail        string    `json:"detail"`
	Quantity      int       `json:"quantity"`
	Measure       string    `json:"measure"`
	Used          int       `json:"used"`
	Availability  string    `json:"availability"`
	AvailableFrom string    `json:"available_from"`
	AvailableTo   string    `json:"available_to"`
	Conditions    string    `json:"conditions"`
	CreatedAt     time.Time `json:"created_at"`
}

// KindLabel is the resource kind's Chinese name.
func (r Resource) KindLabel() string { return label(ResourceKinds, r.Kind) }

// Remaining is what is left of the resource's quantity.
func (r Resource) Remaining() int { return r.Quantity - r.Used }

// Offerer names who offers the resource: the unit, else the person.
func (r Resource) Offerer() string {
	if r.UnitName != "" {
		return r.UnitName
	}
	return r.Person
}

// AvailableOn reports whether the resource is offered on day (YYYY-MM-DD) and has some left.
func (r Resource) AvailableOn(day string) bool {
	return r.AvailableFrom <= day && (r.AvailableTo == "" || r.AvailableTo >= day) && r.Remaining() > 0
}

// ResourceInput is a resource as a form or the API offers it.
type ResourceInput struct {
	RegionID      int64  `json:"region_id"`
	UnitID        int64  `json:"unit_id"`
	Person        string `json:"person"`
	Kind          string `json:"kind"`
	Category      string `json:"category"`
	Title         string `json:"title"`
	Detail        string `json:"detail"`
	Quantity      int    `json:"quantity"`
	Measure       string `json:"measure"`
	Availability  string `json:"availability"`
	AvailableFrom string `json:"available_from"`
	AvailableTo   string `json:"available_to"`
	Conditions    string `json:"conditions"`
}

// Validate normalises the input and checks every field, naming each bad one.
func (in *ResourceInput) Validate() error {
	in.Person, in.Title, in.Detail, in.Measure = clean(in.Person), clean(in.Title), clean(in.Detail), clean(in.Measure)
	in.Availability, in.Conditions = clean(in.Availability), clean(in.Conditions)
	f := errs.Fields{}
	if in.UnitID <= 0 && in.Person == "" {
		f.Add("unit_id", "请选择提供资源的共建单位，或填写提供资源的个人")
	}
	if label(ResourceKinds, in.Kind) == "" {
		f.Add("kind", "请选择资源类别")
	}
	if in.Category != "" && !ValidCategory(in.Category) {
		f.Add("category", "适用需求类别不正确")
	}
	if in.Title == "" || tooLong(in.Title, 60) {
		f.Add("title", "请填写资源内容（60字以内）")
	}
	if in.Quantity <= 0 {
		f.Add("quantity", "数量应为正整数")
	}
	if in.Measure == "" || tooLong(in.Measure, 6) {
		f.Add("measure", "请填写计量单位，如小时、元、人次、场次")
	}
	if !validDate(in.AvailableFrom) {
		f.Add("available_from", "请填写可提供起始日期（YYYY-MM-DD）")
	}
	if in.AvailableTo != "" && (!validDate(in.AvailableTo) || in.AvailableTo < in.AvailableFrom) {
		f.Add("available_to", "截止日期应不早于起始日期")
	}
	if tooLong(in.Detail, 1000) || tooLong(in.Availability, 200) || tooLong(in.Conditions, 500) {
		f.Add("detail", "说明、时段或条件过长")
	}
	return f.Err()
}

// Project is one item of the projects list 项目清单: a claimed need carried out by its owner unit
// with resources.
type Project struct {
	ID           int64        `json:"id"`
	RegionID     int64        `json:"region_id"`
	NeedID       int64        `json:"need_id"`
	NeedTitle    string       `json:"need_title"`
	Category     string       `json:"category"`
	UnitID       int64        `json:"unit_id"`
	UnitName     string       `json:"unit_name"`
	Title        string       `json:"title"`
	Plan         string       `json:"plan"`
	State        ProjectState `json:"state"`
	StartedOn    string       `json:"started_on"`
	FinishedOn   string       `json:"finished_on"`
	Satisfaction string       `json:"satisfaction"`
	Evaluation   string       `json:"evaluation"`
	Milestones   []Milestone  `json:"milestones"`
	Uses         []Use        `json:"uses"`
	CreatedAt    time.Time    `json:"created_at"`
}

// SatisfactionLabel is the evaluation's Chinese name, "" before evaluation.
func (p Project) SatisfactionLabel() string { return label(Satisfactions, p.Satisfaction) }

// Milestone is a step of a project with its due date.
type Milestone struct {
	ID        int64  `json:"id"`
	ProjectID int64  `json:"project_id"`
	Title     string `json:"title"`
	DueOn     string `json:"due_on"`
	DoneOn    string `json:"done_on"`
	// Project names the milestone's project on the unit contact's home page.
	Project string `json:"project,omitempty"`
}

// Overdue reports whether the milestone is not done and its due date is before today.
func (m Milestone) Overdue(today string) bool { return m.DoneOn == "" && m.DueOn < today }

// Use is an amount of a resource a project used.
type Use struct {
	ID         int64  `json:"id"`
	ResourceID int64  `json:"resource_id"`
	Resource   string `json:"resource"`
	Measure    string `json:"measure"`
	Amount     int    `json:"amount"`
	UsedOn     string `json:"used_on"`
	Note       string `json:"note"`
}

// ProjectInput makes a claimed need a project 立项.
type ProjectInput struct {
	NeedID int64  `json:"need_id"`
	Title  string `json:"title"`
	Plan   string `json:"plan"`
	// StartedOn is the day of 立项; empty means today.
	StartedOn string `json:"started_on"`
}

// Validate checks the input, naming each bad field.
func (in *ProjectInput) Validate() error {
	in.Title, in.Plan = clean(in.Title), clean(in.Plan)
	f := errs.Fields{}
	if in.NeedID <= 0 {
		f.Add("need_id", "请选择要立项的需求")
	}
	if tooLong(in.Title, 60) {
		f.Add("title", "项目名称不能超过60字")
	}
	if tooLong(in.Plan, 2000) {
		f.Add("plan", "实施方案不能超过2000字")
	}
	if in.StartedOn != "" && !validDate(in.StartedOn) {
		f.Add("started_on", "立项日期格式应为 YYYY-MM-DD")
	}
	return f.Err()
}

// MilestoneInput is a milestone to add to a project.
type MilestoneInput struct {
	Title string `json:"title"`
	DueOn string `json:"due_on"`
}

// Validate checks the milestone against its project's start day.
func (in *MilestoneInput) Validate(projectStart string) error {
	in.Title = clean(in.Title)
	f := errs.Fields{}
	if in.Title == "" || tooLong(in.Title, 60) {
		f.Add("title", "请填写节点名称（60字以内）")
	}
	if !validDate(in.DueOn) {
		f.Add("due_on", "请填写节点完成时限（YYYY-MM-DD）")
	} else if in.DueOn < projectStart {
		f.Add("due_on", "节点时限不能早于项目立项日期（"+projectStart+"）")
	}
	return f.Err()
}

// UseInput records an amount of a resource used by a project.
type UseInput struct {
	ResourceID int64  `json:"resource_id"`
	Amount     int    `json:"amount"`
	UsedOn     string `json:"used_on"`
	Note       string `json:"note"`
}

// Validate checks the input's own fields; the service checks the resource's remaining quantity.
func (in *UseInput) Validate() error {
	in.Note = clean(in.Note)
	f := errs.Fields{}
	if in.ResourceID <= 0 {
		f.Add("resource_id", "请选择使用的资源")
	}
	if in.Amount <= 0 {
		f.Add("amount", "使用数量应为正整数")
	}
	if in.UsedOn != "" && !validDate(in.UsedOn) {
		f.Add("used_on", "使用日期格式应为 YYYY-MM-DD")
	}
	if tooLong(in.Note, 200) {
		f.Add("note", "备注不能超过200字")
	}
	return f.Err()
}

// Evaluation is the beneficiaries' or the community's evaluation 满意度 of a met need or project.
type Evaluation struct {
	Satisfaction string `json:"satisfaction"`
	Note         string `json:"note"`
}

// Validate checks the evaluation.
func (e *Evaluation) Validate() error {
	e.Note = clean(e.Note)
	if label(Satisfactions, e.Satisfaction) == "" {
		return errs.Field("satisfaction", "请选择满意度：满意、基本满意或不满意")
	}
	if tooLong(e.Note, 500) {
		return errs.Field("note", "评价意见不能超过500字")
	}
	return nil
}
