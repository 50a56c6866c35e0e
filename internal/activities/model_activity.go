package activities

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/register"
)

// ActivityKind is what an activity is.
type ActivityKind string

// ActivityKinds lists the kinds in the order forms show them.
var ActivityKinds = []ActivityKind{"party_day", "lecture", "festival", "homework", "meal", "health", "volunteer", "culture", "other"}

var activityKindLabels = map[ActivityKind]string{"party_day": "主题党日", "lecture": "讲座培训", "festival": "节日活动",
	"homework": "课后辅导", "meal": "助餐服务", "health": "健康义诊", "volunteer": "志愿服务", "culture": "文体活动", "other": "其他"}

// Label is the kind's Chinese name.
func (k ActivityKind) Label() string { return activityKindLabels[k] }

var organiserLabels = map[string]string{"community": "社区", "branch": "党支部", "unit": "共建单位", "team": "志愿服务队"}

// OrganiserLabel names an organiser kind in Chinese.
func OrganiserLabel(kind string) string { return organiserLabels[kind] }

// FocusTags are the focus groups an activity may be for and whose reach the figures count: 一老一小
// first, then the other groups in the care plans.
var FocusTags = []register.Tag{register.TagElderlyAlone, register.TagEmptyNest, register.TagAged80,
	register.TagDisabledCare, register.TagLeftBehindChild, register.TagChildInDistress, register.TagDisability}

func isFocusTag(t string) bool {
	for _, f := range FocusTags {
		if string(f) == t {
			return true
		}
	}
	return t == string(register.TagMinor)
}

// Series is a featured activity brand 特色活动品牌 that groups recurring activities.
type Series struct {
	ID          int64  `json:"id"`
	RegionID    int64  `json:"region_id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Featured    bool   `json:"featured"`
	Held        int    `json:"held"` // activities held so far
}

// Activity is one activity: what, who organises it, where, when, for whom and how to sign up.
type Activity struct {
	ID            int64        `json:"id"`
	RegionID      int64        `json:"region_id"`
	RegionName    string       `json:"region_name"`
	SeriesID      int64        `json:"series_id,omitempty"`
	SeriesName    string       `json:"series_name,omitempty"`
	Title         string       `json:"title"`
	Kind          ActivityKind `json:"kind"`
	KindLabel     string       `json:"kind_label"`
	OrganiserKind string       `json:"organiser_kind"`
	Organiser     string       `json:"organiser"`
	VenueID       int64        `json:"venue_id,omitempty"`
	BookingID     int64        `json:"booking_id,omitempty"`
	Place         string       `json:"place"`
	StartsAt      time.Time    `json:"starts_at"`
	EndsAt        time.Time    `json:"ends_at"`
	Audience      string       `json:"audience"`
	FocusTag      string       `json:"focus_tag,omitempty"`
	GridID        int64        `json:"grid_id,omitempty"`
	Capacity      int          `json:"capacity"`
	Registered    int          `json:"registered"`
	Waitlisted    int          `json:"waitlisted"`
	CheckedIn     int          `json:"checked_in"`
	SignupOpens   *time.Time   `json:"signup_opens,omitempty"`
	SignupCloses  *time.Time   `json:"signup_closes,omitempty"`
	Cost          string       `json:"cost"`
	ContactName   string       `json:"contact_name"`
	ContactPhone  string       `json:"contact_phone"`
	Public        bool         `json:"public"`
	Description   string       `json:"description"`
	Summary       string       `json:"summary"`
	Status        string       `json:"status"`
	checkinToken  string
}

// Full reports whether every place is taken.
func (a *Activity) Full() bool { return a.Capacity > 0 && a.Registered >= a.Capacity }

// AudienceLabel says in Chinese who the activity is for.
func (a *Activity) AudienceLabel() string {
	switch a.Audience {
	case "focus":
		return register.Tag(a.FocusTag).Label()
	case "grid":
		return "本网格居民"
	}
	return "全体居民"
}

// SignupOpen reports whether sign-up is open at now.
func (a *Activity) SignupOpen(now time.Time) bool {
	if a.Status != "published" || !now.Before(a.StartsAt) {
		return false
	}
	if a.SignupOpens != nil && now.Before(*a.SignupOpens) {
		return false
	}
	return a.SignupCloses == nil || now.Before(*a.SignupCloses)
}

// Duration is how long the activity lasts.
func (a *Activity) Duration() time.Duration { return a.EndsAt.Sub(a.StartsAt) }

// RoleInput is a volunteer post of a new activity: what the helpers do and how many are wanted.
type RoleInput struct {
	Title string `json:"title"`
	Slots int    `json:"slots"`
}

// ActivityInput is a new activity. With VenueID set, the venue is booked for its time in the same
// transaction; otherwise Place names the outside place.
type ActivityInput struct {
	RegionID      int64        `json:"region_id"`
	SeriesID      int64        `json:"series_id"`
	Title         string       `json:"title"`
	Kind          ActivityKind `json:"kind"`
	OrganiserKind string       `json:"organiser_kind"`
	Organiser     string       `json:"organiser"`
	VenueID       int64        `json:"venue_id"`
	Place         string       `json:"place"`
	StartsAt      time.Time    `json:"starts_at"`
	EndsAt        time.Time    `json:"ends_at"`
	Audience      string       `json:"audience"`
	FocusTag      string       `json:"focus_tag"`
	GridID        int64        `json:"grid_id"`
	Capacity      int          `json:"capacity"`
	SignupOpens   *time.Time   `json:"signup_opens"`
	SignupCloses  *time.Time   `json:"signup_closes"`
	Cost          string       `json:"cost"`
	ContactName   string       `json:"contact_name"`
	ContactPhone  string       `json:"contact_phone"`
	Public        bool         `json:"public"`
	Description   string       `json:"description"`
	Volunteers    []RoleInput  `json:"volunteers"`
}

// Validate checks an activity and fills in the defaults.
func (in *ActivityInput) Validate() error {
	f := errs.Fields{}
	in.Title, in.Organiser, in.Place = strings.TrimSpace(in.Title), strings.TrimSpace(in.Organiser), strings.TrimSpace(in.Place)
	in.Cost, in.ContactName, in.Description = strings.TrimSpace(in.Cost), strings.TrimSpace(in.ContactName), strings.TrimSpace(in.Description)
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > 60 {
		f.Add("title", "请填写活动名称（不超过60字）")
	}
	if activityKindLabels[in.Kind] == "" {
		f.Add("kind", "请选择活动类型")
	}
	if in.OrganiserKind == "" {
		in.OrganiserKind = "community"
	}
	if organiserLabels[in.OrganiserKind] == "" {
		f.Add("organiser_kind", "请选择主办方类型")
	}
	if n := utf8.RuneCountInString(in.Organiser); n == 0 || n > 60 {
		f.Add("organiser", "请填写主办方（不超过60字）")
	}
	if in.VenueID == 0 && in.Place == "" {
		f.Add("place", "请选择场地或填写活动地点")
	}
	if in.StartsAt.IsZero() {
		f.Add("starts_at", "请填写开始时间")
	} else if !in.EndsAt.After(in.StartsAt) {
		f.Add("ends_at", "结束时间应晚于开始时间")
	} else if in.EndsAt.Sub(in.StartsAt) > 24*time.Hour {
		f.Add("ends_at", "单场活动不能超过24小时")
	}
	switch in.Audience {
	case "", "all":
		in.Audience = "all"
	case "focus":
		if !isFocusTag(in.FocusTag) {
			f.Add("focus_tag", "请选择面向的重点人群")
		}
	case "grid":
		if in.GridID == 0 {
			f.Add("grid_id", "请选择面向的网格")
		}
	default:
		f.Add("audience", "活动对象不正确")
	}
	if in.Capacity < 0 || in.Capacity > 5000 {
		f.Add("capacity", "名额应为0（不限）至5000人")
	}
	if in.SignupOpens != nil && in.SignupCloses != nil && !in.SignupCloses.After(*in.SignupOpens) {
		f.Add("signup_closes", "报名截止时间应晚于报名开始时间")
	}
	if in.SignupCloses != nil && in.SignupCloses.After(in.StartsAt) && !in.StartsAt.IsZero() {
		f.Add("signup_closes", "报名截止时间不能晚于活动开始")
	}
	if in.Cost == "" {
		in.Cost = "免费"
	}
	if utf8.RuneCountInString(in.Description) > 2000 {
		f.Add("description", "活动介绍不能超过2000字")
	}
	for i, r := range in.Volunteers {
		in.Volunteers[i].Title = strings.TrimSpace(r.Title)
		if in.Volunteers[i].Title == "" || r.Slots < 1 || r.Slots > 500 {
			f.Add("volunteers", "志愿岗位需填写名称和1至500的人数")
		}
	}
	return f.Err()
}

// Registration is one person signed up for an activity (or a walk-in), with the consent of a
// minor's guardian. The phone is masked.
type Registration struct {
	ID               int64      `json:"id"`
	ActivityID       int64      `json:"activity_id"`
	ResidentID       int64      `json:"resident_id,omitempty"`
	Name             string     `json:"name"`
	PhoneMasked      string     `json:"phone_masked"`
	Minor            bool       `json:"minor"`
	GuardianName     string     `json:"guardian_name,omitempty"`
	GuardianRelation string     `json:"guardian_relation,omitempty"`
	ConsentAt        *time.Time `json:"consent_at,omitempty"`
	Status           string     `json:"status"` // registered, waitlisted, cancelled
	WalkIn           bool       `json:"walk_in"`
	CheckedInAt      *time.Time `json:"checked_in_at,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
}

// StatusLabel names the registration's state in Chinese.
func (r *Registration) StatusLabel() string {
	switch {
	case r.CheckedInAt != nil:
		return "已签到"
	case r.Status == "waitlisted":
		return "候补"
	case r.Status == "cancelled":
		return "已取消"
	}
	return "已报名"
}

// SignUpInput is a sign-up: a resident of the register (ResidentID, by staff) or a person by name
// and phone (the public page). A minor needs the guardian's name, relation and consent.
type SignUpInput struct {
	ActivityID       int64  `json:"activity_id"`
	ResidentID       int64  `json:"resident_id"`
	Name             string `json:"name"`
	Phone            string `json:"phone"`
	Minor            bool   `json:"minor"`
	GuardianName     string `json:"guardian_name"`
	GuardianRelation string `json:"guardian_relation"`
	Consent          bool   `json:"consent"`
}

// Validate checks a sign-up; the phone comes back normalized.
func (in *SignUpInput) Validate() error {
	f := errs.Fields{}
	in.Name, in.GuardianName, in.GuardianRelation = strings.TrimSpace(in.Name), strings.TrimSpace(in.GuardianName), strings.TrimSpace(in.GuardianRelation)
	if in.ResidentID == 0 {
		if n := utf8.RuneCountInString(in.Name); n == 0 || n > 30 {
			f.Add("name", "请填写参加人姓名")
		}
		p, err := pii.NormalizePhone(in.Phone)
		if err != nil {
			f.Add("phone", "请填写正确的手机号码")
		}
		in.Phone = p
	}
	if in.Minor {
		if in.GuardianName == "" || utf8.RuneCountInString(in.GuardianName) > 30 {
			f.Add("guardian_name", "未成年人报名须填写监护人姓名")
		}
		if in.GuardianRelation == "" || utf8.RuneCountInString(in.GuardianRelation) > 10 {
			f.Add("guardian_relation", "请填写监护人与参加人的关系")
		}
		if !in.Consent {
			f.Add("consent", "未成年人参加活动须经监护人同意")
		}
	}
	return f.Err()
}

// VolunteerRole is a volunteer post 志愿岗位 of an activity.
type VolunteerRole struct {
	ID         int64  `json:"id"`
	ActivityID int64  `json:"activity_id"`
	Title      string `json:"title"`
	Slots      int    `json:"slots"`
	Taken      int    `json:"taken"`
}

// Volunteer is one person serving in an activity's post, with their hours. Numbers are masked.
type Volunteer struct {
	ID            int64      `json:"id"`
	RoleID        int64      `json:"role_id"`
	RoleTitle     string     `json:"role_title"`
	ActivityID    int64      `json:"activity_id"`
	ActivityTitle string     `json:"activity_title"`
	ServedOn      string     `json:"served_on"`
	Name          string     `json:"name"`
	PhoneMasked   string     `json:"phone_masked"`
	IDMasked      string     `json:"id_masked"`
	CheckedInAt   *time.Time `json:"checked_in_at,omitempty"`
	CheckedOutAt  *time.Time `json:"checked_out_at,omitempty"`
	Minutes       int        `json:"minutes"`
	Content       string     `json:"content"`
	Status        string     `json:"status"` // signed, pending, approved, rejected
	CertNo        string     `json:"cert_no,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	Organiser     string     `json:"organiser"`
	// CreditedMember is set by the approval that credited the hours to an in-service party member.
	CreditedMember bool      `json:"credited_member,omitempty"`
	startsAt       time.Time // the activity's start: where the export's next chunk begins
}

// Hours is the service time in hours.
func (v *Volunteer) Hours() string { return hoursText(time.Duration(v.Minutes) * time.Minute) }

// VolunteerInput is a volunteer signing up for a post; the ID number is optional and only kept for
// the proof of service.
type VolunteerInput struct {
	RoleID   int64  `json:"role_id"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	IDNumber string `json:"id_number"`
}

// Validate checks a volunteer sign-up and normalizes the numbers.
func (in *VolunteerInput) Validate() error {
	f := errs.Fields{}
	in.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 30 {
		f.Add("name", "请填写志愿者姓名")
	}
	p, err := pii.NormalizePhone(in.Phone)
	if err != nil {
		f.Add("phone", "请填写正确的手机号码")
	}
	in.Phone = p
	if strings.TrimSpace(in.IDNumber) != "" {
		id, err := pii.NormalizeID(in.IDNumber)
		if err != nil {
			f.Add("id_number", "身份证号码不正确")
		}
		in.IDNumber = id
	}
	return f.Err()
}

// CheckHours says why minutes of service cannot be recorded for an activity of duration d.
func CheckHours(minutes int, d time.Duration) error {
	if minutes <= 0 {
		return errs.Field("minutes", "服务时长应大于0")
	}
	if time.Duration(minutes)*time.Minute > d {
		return errs.Field("minutes", "服务时长不能超过活动时长（"+hoursText(d)+"）")
	}
	return nil
}

// CertNo is the number of a volunteer's proof of service: community code, year and the record.
func CertNo(regionCode string, year int, id int64) string {
	return "志证" + regionCode + "-" + strconv.Itoa(year) + "-" + pad(id, 6)
}

func pad(n int64, w int) string {
	s := strconv.FormatInt(n, 10)
	for len(s) < w {
		s = "0" + s
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

// hoursText writes a duration as hours: 3小时, 1.5小时.
func hoursText(d time.Duration) string {
	return strconv.FormatFloat(math.Round(d.Hours()*10)/10, 'f', -1, 64) + "小时"
}
