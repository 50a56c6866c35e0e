// Package cobuild is the co-building alliance 共驻共建 大党委: the member units of a community's big
// party committee with their agreements and liaison contacts, the three lists — needs 需求清单,
// resources 资源清单 and projects 项目清单 — the joint meetings 党建联席会议 with their decisions
// tracked until closed 销号, co-building activities, and the figures that count all of it.
//
// A unit contact (role unit_contact) acts for one unit, linked in cobuild_unit_contacts: they see
// their unit's records and the open needs they may claim; everything else is not found.
package cobuild

import (
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/errs"
)

// Categories are the needs' (and resources') service categories, the posts' categories of 双报到.
var Categories = []string{"政策宣讲", "文明实践", "环境整治", "助老", "助学/关爱未成年人", "医疗健康", "法律服务", "就业", "文体", "其他"}

// UnitKinds are the kinds of member unit, code → label.
var UnitKinds = []Choice{
	{"school", "学校"}, {"hospital", "医疗卫生机构"}, {"bank", "金融机构"}, {"utility", "公用事业单位"},
	{"property", "物业服务企业"}, {"police", "公安派出所"}, {"government", "机关事业单位"}, {"enterprise", "企业"},
	{"social", "社会组织"}, {"other", "其他"},
}

// ResourceKinds are what a resource is, code → label.
var ResourceKinds = []Choice{
	{"venue", "场地阵地"}, {"volunteers", "志愿服务"}, {"funds", "资金"}, {"expertise", "专业技能"},
	{"service", "专项服务"}, {"goods", "物资"},
}

// Urgencies are a need's urgency, code → label.
var Urgencies = []Choice{{"normal", "一般"}, {"urgent", "紧急"}, {"critical", "特急"}}

// Beneficiaries are who a need serves, code → label.
var Beneficiaries = []Choice{{"community", "全社区"}, {"grid", "网格"}, {"building", "楼院"}, {"group", "重点群体"},
	{"households", "指定住户"}}

// Satisfactions are the evaluations 满意度 of a met need or a finished project, code → label.
var Satisfactions = []Choice{{"satisfied", "满意"}, {"basically", "基本满意"}, {"dissatisfied", "不满意"}}

// Sources say where a need came from, code → label.
var Sources = []Choice{{"community", "社区提出"}, {"grid", "网格提出"}, {"visit", "走访发现"}, {"case", "诉求转办"},
	{"resident", "居民提出"}}

// Choice is one code of a closed list with its Chinese label.
type Choice struct {
	Code  string
	Label string
}

// label returns the label of code in list, or "" when the code is unknown.
func label(list []Choice, code string) string {
	for _, c := range list {
		if c.Code == code {
			return c.Label
		}
	}
	return ""
}

// ValidCategory reports whether c is one of Categories.
func ValidCategory(c string) bool {
	for _, x := range Categories {
		if x == c {
			return true
		}
	}
	return false
}

// NeedState is where a need stands: 提出 → 认领 → 实施 → 办结 → 评价.
type NeedState string

// The need states.
const (
	Raised     NeedState = "raised"
	Claimed    NeedState = "claimed"
	InProgress NeedState = "in_progress"
	Done       NeedState = "done"
	Rated      NeedState = "rated"
)

var needStateLabels = map[NeedState]string{Raised: "提出", Claimed: "认领", InProgress: "实施", Done: "办结", Rated: "评价"}

// Label is the state's Chinese name.
func (s NeedState) Label() string { return needStateLabels[s] }

// NeedStates lists the states in order.
var NeedStates = []NeedState{Raised, Claimed, InProgress, Done, Rated}

// ProjectState is where a project stands: 立项 → 实施 → 办结 → 评价.
type ProjectState string

// The project states.
const (
	Approved       ProjectState = "approved"
	ProjInProgress ProjectState = "in_progress"
	ProjDone       ProjectState = "done"
	ProjRated      ProjectState = "rated"
)

var projectStateLabels = map[ProjectState]string{Approved: "立项", ProjInProgress: "实施", ProjDone: "办结", ProjRated: "评价"}

// Label is the state's Chinese name.
func (s ProjectState) Label() string { return projectStateLabels[s] }

// ProjectStates lists the states in order.
var ProjectStates = []ProjectState{Approved, ProjInProgress, ProjDone, ProjRated}

// validDate reports whether s is a date as users pick them, "YYYY-MM-DD".
func validDate(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// clean trims a text field.
func clean(s string) string { return strings.TrimSpace(s) }

// creditAlphabet is GB 32100's code character set; a character's value is its index.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCheckChar returns the GB 32100 check character of the first 17 characters of a unified
// social credit code, or 0 when they hold a character outside the code's set.
func CreditCheckChar(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, first17[i])
		if v < 0 {
			return 0
		}
		sum += v * creditWeights[i]
	}
	return creditAlphabet[(31-sum%31)%31]
}

// NormalizeCreditCode upper-cases a credit code and drops spaces; ValidCreditCode checks it.
func NormalizeCreditCode(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// ValidCreditCode reports whether s is an 18-character unified social credit code whose last
// character is its GB 32100 check character.
func ValidCreditCode(s string) bool {
	return len(s) == 18 && CreditCheckChar(s[:17]) == s[17]
}

// Unit is a member unit 共建单位 of a community's 大党委.
type Unit struct {
	ID          int64     `json:"id"`
	RegionID    int64     `json:"region_id"`
	RegionName  string    `json:"region_name"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	CreditCode  string    `json:"credit_code"`
	Address     string    `json:"address"`
	PartyOrg    string    `json:"party_org"`
	Secretary   string    `json:"secretary"`
	SignedOn    string    `json:"signed_on"`
	TermYears   int       `json:"term_years"`
	Commitments string    `json:"commitments"`
	ReportedOn  string    `json:"reported_on"`
	Active      bool      `json:"active"`
	Contacts    []Contact `json:"contacts"`
	CreatedAt   time.Time `json:"created_at"`
}

// KindLabel is the unit kind's Chinese name.
func (u Unit) KindLabel() string { return label(UnitKinds, u.Kind) }

// AgreementEnds is the last day of the agreement's term, "" when unknown.
func (u Unit) AgreementEnds() string {
	t, err := time.Parse("2006-01-02", u.SignedOn)
	if err != nil || u.TermYears <= 0 {
		return ""
	}
	return t.AddDate(u.TermYears, 0, -1).Format("2006-01-02")
}

// Contact is a unit's liaison contact: an account of role unit_contact.
type Contact struct {
	UserID   int64  `json:"user_id"`
	Username string `json:"username"`
	Name     string `json:"name"`
}

// UnitInput is a unit as a form or the API gives it.
type UnitInput struct {
	RegionID    int64  `json:"region_id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	CreditCode  string `json:"credit_code"`
	Address     string `json:"address"`
	PartyOrg    string `json:"party_org"`
	Secretary   string `json:"secretary"`
	SignedOn    string `json:"signed_on"`
	TermYears   int    `json:"term_years"`
	Commitments string `json:"commitments"`
	ReportedOn  string `json:"reported_on"`
	// ContactUserID links an existing unit_contact account to the unit (0: none).
	ContactUserID int64 `json:"contact_user_id"`
}

// Validate normalises the input and checks every field, naming each bad one.
func (in *UnitInput) Validate() error {
	in.Name, in.Address, in.PartyOrg, in.Secretary = clean(in.Name), clean(in.Address), clean(in.PartyOrg), clean(in.Secretary)
	in.Commitments, in.CreditCode = clean(in.Commitments), NormalizeCreditCode(in.CreditCode)
	f := errs.Fields{}
	if in.Name == "" || tooLong(in.Name, 60) {
		f.Add("name", "请填写单位名称（60字以内）")
	}
	if label(UnitKinds, in.Kind) == "" {
		f.Add("kind", "请选择单位类别")
	}
	if !ValidCreditCode(in.CreditCode) {
		f.Add("credit_code", "统一社会信用代码不正确：应为18位，且末位校验码须符合GB 32100")
	}
	if tooLong(in.Address, 120) || tooLong(in.PartyOrg, 60) || tooLong(in.Secretary, 30) {
		f.Add("address", "地址、党组织名称或书记姓名过长")
	}
	for field, d := range map[string]string{"signed_on": in.SignedOn, "reported_on": in.ReportedOn} {
		if d != "" && !validDate(d) {
			f.Add(field, "日期格式应为 YYYY-MM-DD")
		}
	}
	if in.TermYears < 0 || in.TermYears > 10 {
		f.Add("term_years", "协议期限应为0至10年")
	}
	if tooLong(in.Commitments, 2000) {
		f.Add("commitments", "共建承诺不能超过2000字")
	}
	return f.Err()
}
