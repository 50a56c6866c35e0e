// Package visits is grid work: grid workers' visits of households, party members' contacts with
// the households their liaison household covers, the care plans of the focus groups (a visit
// cadence per tag, next-due dates, overdue lists and coverage), and the volunteer service of
// in-service party members (posts, sign-ups, hours, points).
package visits

import (
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/errs"
	"linli/internal/register"
)

// Kind tells a grid visit from a party member's contact; both live in one ledger.
type Kind string

// The kinds of ledger entries.
const (
	KindVisit   Kind = "visit"   // a grid worker's visit 走访
	KindContact Kind = "contact" // a party member's contact 联系记录
)

// Method is how the household was reached.
type Method string

// The methods, in the order the form shows them.
const (
	MethodHome   Method = "home"
	MethodPhone  Method = "phone"
	MethodWeChat Method = "wechat"
	MethodOther  Method = "other"
)

// Methods lists every method in form order.
var Methods = []Method{MethodHome, MethodPhone, MethodWeChat, MethodOther}

var methodLabels = map[Method]string{MethodHome: "入户", MethodPhone: "电话", MethodWeChat: "微信", MethodOther: "其他"}

// Label is the method's Chinese name.
func (m Method) Label() string { return methodLabels[m] }

// Valid reports whether m is a known method.
func (m Method) Valid() bool { _, ok := methodLabels[m]; return ok }

// Limits on what a visit holds.
const (
	MaxTextRunes   = 2000    // situation and needs
	MaxPhotos      = 6       // photos per visit
	MaxServiceMins = 24 * 60 // minutes of service on one day
)

// VisitInput is a visit or contact as the form, the offline draft or the API submits it.
type VisitInput struct {
	// ClientUUID identifies the draft on the phone: submitting it again answers the first visit.
	ClientUUID  string  `json:"client_uuid"`
	HouseholdID int64   `json:"household_id"`
	Met         []int64 `json:"met,omitempty"` // residents of the household who were met
	Method      Method  `json:"method"`
	VisitedOn   string  `json:"visited_on,omitempty"` // YYYY-MM-DD; today when empty
	Situation   string  `json:"situation"`
	Needs       string  `json:"needs,omitempty"`
	FollowUpOn  string  `json:"follow_up_on,omitempty"` // YYYY-MM-DD
	// NeedCategoryID, when set with Needs, turns the needs into a case of that category at once.
	NeedCategoryID int64 `json:"need_category_id,omitempty"`
}

// Normalize trims the fields and checks what needs no database; today is the date in Asia/Shanghai.
func (in *VisitInput) Normalize(today string) error {
	f := errs.Fields{}
	in.ClientUUID = strings.ToLower(strings.TrimSpace(in.ClientUUID))
	if !validUUID(in.ClientUUID) {
		f.Add("client_uuid", "草稿编号无效，请刷新页面后重新填写")
	}
	if in.HouseholdID <= 0 {
		f.Add("household_id", "请选择走访的住户")
	}
	if in.Method == "" {
		in.Method = MethodHome
	}
	if !in.Method.Valid() {
		f.Add("method", "走访方式应为入户、电话、微信或其他")
	}
	in.VisitedOn = strings.TrimSpace(in.VisitedOn)
	if in.VisitedOn == "" {
		in.VisitedOn = today
	}
	if !validDate(in.VisitedOn) {
		f.Add("visited_on", "走访日期格式应为 YYYY-MM-DD")
	} else if in.VisitedOn > today {
		f.Add("visited_on", "走访日期不能晚于今天")
	}
	in.Situation = strings.TrimSpace(in.Situation)
	in.Needs = strings.TrimSpace(in.Needs)
	switch n := utf8.RuneCountInString(in.Situation); {
	case n == 0:
		f.Add("situation", "请填写走访情况")
	case n > MaxTextRunes:
		f.Add("situation", "走访情况不能超过2000字")
	}
	if utf8.RuneCountInString(in.Needs) > MaxTextRunes {
		f.Add("needs", "发现的需求不能超过2000字")
	}
	in.FollowUpOn = strings.TrimSpace(in.FollowUpOn)
	if in.FollowUpOn != "" {
		if !validDate(in.FollowUpOn) {
			f.Add("follow_up_on", "回访日期格式应为 YYYY-MM-DD")
		} else if in.FollowUpOn < in.VisitedOn {
			f.Add("follow_up_on", "回访日期不能早于走访日期")
		}
	}
	if in.NeedCategoryID < 0 {
		f.Add("need_category_id", "请选择诉求类别")
	}
	if in.NeedCategoryID != 0 && in.Needs == "" {
		f.Add("needs", "转为诉求前请填写发现的需求")
	}
	seen := map[int64]bool{}
	met := in.Met[:0]
	for _, id := range in.Met {
		if id > 0 && !seen[id] {
			seen[id] = true
			met = append(met, id)
		}
	}
	in.Met = met
	return f.Err()
}

// validUUID accepts the 36-character textual form of a UUID (any version), lower case.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// Visit is one entry of the ledger: a grid visit or a party member's contact.
type Visit struct {
	ID            int64     `json:"id"`
	ClientUUID    string    `json:"client_uuid"`
	Kind          Kind      `json:"kind"`
	RegionID      int64     `json:"region_id"`
	GridName      string    `json:"grid_name"`
	HouseholdID   int64     `json:"household_id"`
	Address       string    `json:"address"` // building, unit and room
	LiaisonID     *int64    `json:"liaison_id,omitempty"`
	MemberID      *int64    `json:"member_id,omitempty"`
	Method        Method    `json:"method"`
	VisitedOn     string    `json:"visited_on"`
	Situation     string    `json:"situation"`
	Needs         string    `json:"needs"`
	FollowUpOn    string    `json:"follow_up_on"`
	CaseID        *int64    `json:"case_id,omitempty"`
	CaseNumber    string    `json:"case_number,omitempty"`
	CreatedBy     int64     `json:"created_by"`
	CreatedByName string    `json:"created_by_name"`
	CreatedAt     time.Time `json:"created_at"`
	Met           []Person  `json:"met"`
	Photos        []Photo   `json:"photos"`
	// CaseError says why the need found could not become a case (the visit itself was saved).
	CaseError string `json:"case_error,omitempty"`
}

// Person is a resident named on a visit, with their phone masked.
type Person struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Relation    string `json:"relation"`
	PhoneMasked string `json:"phone_masked"`
}

// Photo is a stored photo of a visit; its bytes are served only after a scope check.
type Photo struct {
	ID          int64  `json:"id"`
	FileName    string `json:"file_name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	path        string
}

// tagLabel names a tag in Chinese.
func tagLabel(t register.Tag) string { return t.Label() }
