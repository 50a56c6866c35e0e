package party

import (
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/register"
)

// OrgKind is a level of the party organisation: committee → branch → group.
type OrgKind string

// The organisation kinds.
const (
	Committee OrgKind = "committee"
	Branch    OrgKind = "branch"
	Group     OrgKind = "group"
)

var orgKindLabels = map[OrgKind]string{Committee: "社区党委", Branch: "网格党支部", Group: "党小组"}

// Label is the kind's Chinese name.
func (k OrgKind) Label() string { return orgKindLabels[k] }

// childKind says which kind may be created under an organisation of a kind.
var childKind = map[OrgKind]OrgKind{Committee: Branch, Branch: Group}

// Org is a party organisation: a community committee, a grid branch or a party group.
type Org struct {
	ID         int64   `json:"id"`
	RegionID   int64   `json:"region_id"`
	RegionName string  `json:"region_name"`
	ParentID   *int64  `json:"parent_id"`
	ParentName string  `json:"parent_name"`
	Kind       OrgKind `json:"kind"`
	Name       string  `json:"name"`
	GridID     *int64  `json:"grid_id"`
	Secretary  string  `json:"secretary"`
	FoundedOn  string  `json:"founded_on"`
	Note       string  `json:"note"`
	// Counts over the organisation and every organisation below it (active members only).
	Branches  int       `json:"branches"`
	Members   int       `json:"members"`
	Liaisons  int       `json:"liaison_households"`
	Covered   int       `json:"covered_households"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// ParentInScope reports whether the principal may open the parent organisation: a grid
	// leader's branch names its committee but must not link to it.
	ParentInScope bool `json:"-"`
	regionPath    string
	parentPath    string
}

// KindLabel is the organisation kind's Chinese name.
func (o *Org) KindLabel() string { return o.Kind.Label() }

// OrgInput is what creating or editing an organisation takes. RegionID names the community of a
// committee; a branch names its committee (ParentID) and grid; a group names its branch.
type OrgInput struct {
	Kind      OrgKind `json:"kind"`
	RegionID  int64   `json:"region_id"`
	ParentID  int64   `json:"parent_id"`
	GridID    int64   `json:"grid_id"`
	Name      string  `json:"name"`
	Secretary string  `json:"secretary"`
	FoundedOn string  `json:"founded_on"`
	Note      string  `json:"note"`
}

func (in *OrgInput) clean() {
	in.Name = strings.TrimSpace(in.Name)
	in.Secretary = strings.TrimSpace(in.Secretary)
	in.FoundedOn = strings.TrimSpace(in.FoundedOn)
	in.Note = strings.TrimSpace(in.Note)
}

// Validate checks the fields that need no database.
func (in *OrgInput) Validate() error {
	in.clean()
	f := errs.Fields{}
	if _, ok := orgKindLabels[in.Kind]; !ok {
		f.Add("kind", "请选择组织类别")
	}
	switch in.Kind {
	case Committee:
		if in.RegionID <= 0 {
			f.Add("region_id", "请选择社区")
		}
	case Branch:
		if in.ParentID <= 0 {
			f.Add("parent_id", "请选择所属社区党委")
		}
		if in.GridID <= 0 {
			f.Add("grid_id", "请选择网格")
		}
	case Group:
		if in.ParentID <= 0 {
			f.Add("parent_id", "请选择所属党支部")
		}
	}
	validateOrgText(f, in.Name, in.Secretary, in.FoundedOn, in.Note)
	return f.Err()
}

func validateOrgText(f errs.Fields, name, secretary, founded, note string) {
	if name == "" {
		f.Add("name", "请填写组织名称")
	} else if utf8.RuneCountInString(name) > 60 {
		f.Add("name", "组织名称不能超过60个字")
	}
	if utf8.RuneCountInString(secretary) > 30 {
		f.Add("secretary", "书记姓名不能超过30个字")
	}
	if !validDate(founded) {
		f.Add("founded_on", "成立日期格式应为 2024-01-31")
	}
	if utf8.RuneCountInString(note) > 500 {
		f.Add("note", "备注不能超过500个字")
	}
}

// OrgUpdate is what editing an organisation may change.
type OrgUpdate struct {
	Name      string `json:"name"`
	Secretary string `json:"secretary"`
	FoundedOn string `json:"founded_on"`
	Note      string `json:"note"`
}

// Validate checks the edited fields.
func (u *OrgUpdate) Validate() error {
	u.Name, u.Secretary = strings.TrimSpace(u.Name), strings.TrimSpace(u.Secretary)
	u.FoundedOn, u.Note = strings.TrimSpace(u.FoundedOn), strings.TrimSpace(u.Note)
	f := errs.Fields{}
	validateOrgText(f, u.Name, u.Secretary, u.FoundedOn, u.Note)
	return f.Err()
}

// MemberKind says whether a member's membership is kept by the community or by their employer.
type MemberKind string

// The member kinds.
const (
	ResidentMember  MemberKind = "resident"   // 社区党员: membership kept by a branch of the community
	InServiceMember MemberKind = "in_service" // 在职党员: registered 报到 with the community where they live
)

var memberKindLabels = map[MemberKind]string{ResidentMember: "社区党员", InServiceMember: "在职党员（报到）"}

// Label is the kind's Chinese name.
func (k MemberKind) Label() string { return memberKindLabels[k] }

// MemberStatus is full or probationary membership.
type MemberStatus string

// The member statuses.
const (
	Full         MemberStatus = "full"
	Probationary MemberStatus = "probationary"
)

var statusLabels = map[MemberStatus]string{Full: "正式党员", Probationary: "预备党员"}

// Label is the status's Chinese name.
func (s MemberStatus) Label() string { return statusLabels[s] }

// Employment is whether a member is working or retired.
type Employment string

// The employment states.
const (
	Employed Employment = "employed"
	Retired  Employment = "retired"
	Other    Employment = "other"
)

var employmentLabels = map[Employment]string{Employed: "在职", Retired: "退休", Other: "其他"}

// Label is the employment state's Chinese name.
func (e Employment) Label() string { return employmentLabels[e] }

// Member is a party member of the community, or an in-service member registered with it.
type Member struct {
	ID           int64        `json:"id"`
	RegionID     int64        `json:"region_id"`
	OrgID        int64        `json:"org_id"`
	OrgName      string       `json:"org_name"`
	ResidentID   *int64       `json:"resident_id"`
	HouseholdID  *int64       `json:"household_id"`
	Address      string       `json:"address"`
	Name         string       `json:"name"`
	Gender       string       `json:"gender"`
	PhoneMasked  string       `json:"phone_masked"`
	JoinedOn     string       `json:"joined_on"`
	Status       MemberStatus `json:"status"`
	Kind         MemberKind   `json:"kind"`
	Employment   Employment   `json:"employment"`
	Workplace    string       `json:"workplace"`
	HomeOrg      string       `json:"home_org"`
	Skills       string       `json:"skills"`
	RegisteredOn string       `json:"registered_on"`
	Note         string       `json:"note"`
	Active       bool         `json:"active"`
	LeftOn       string       `json:"left_on"`
	LeftReason   string       `json:"left_reason"`
	LiaisonID    *int64       `json:"liaison_id"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// GenderLabel is 男, 女 or empty.
func (m *Member) GenderLabel() string { return register.GenderLabel(m.Gender) }

// MemberInput is what creating or editing a member takes. With ResidentID the name, gender and
// phone come from the register unless given here.
type MemberInput struct {
	OrgID        int64        `json:"org_id"`
	ResidentID   int64        `json:"resident_id"`
	Name         string       `json:"name"`
	Gender       string       `json:"gender"`
	Phone        string       `json:"phone"`
	JoinedOn     string       `json:"joined_on"`
	Status       MemberStatus `json:"status"`
	Kind         MemberKind   `json:"kind"`
	Employment   Employment   `json:"employment"`
	Workplace    string       `json:"workplace"`
	HomeOrg      string       `json:"home_org"`
	Skills       string       `json:"skills"`
	RegisteredOn string       `json:"registered_on"`
	Note         string       `json:"note"`
}

// Validate checks and normalises the fields that need no database; the phone is returned
// normalised in place.
func (in *MemberInput) Validate(creating bool) error {
	for _, s := range []*string{&in.Name, &in.Gender, &in.JoinedOn, &in.Workplace, &in.HomeOrg, &in.Skills, &in.RegisteredOn, &in.Note} {
		*s = strings.TrimSpace(*s)
	}
	f := errs.Fields{}
	if in.Kind == "" {
		in.Kind = ResidentMember
	}
	if in.Status == "" {
		in.Status = Full
	}
	if in.Employment == "" {
		in.Employment = Other
		if in.Kind == InServiceMember {
			in.Employment = Employed
		}
	}
	if _, ok := memberKindLabels[in.Kind]; !ok {
		f.Add("kind", "党员类别无效")
	}
	if _, ok := statusLabels[in.Status]; !ok {
		f.Add("status", "请选择正式党员或预备党员")
	}
	if _, ok := employmentLabels[in.Employment]; !ok {
		f.Add("employment", "请选择在职、退休或其他")
	}
	if creating && in.OrgID <= 0 {
		f.Add("org_id", "请选择所在党组织")
	}
	if in.ResidentID <= 0 && in.Name == "" {
		f.Add("name", "请填写姓名或从居民库中选择")
	}
	if utf8.RuneCountInString(in.Name) > 30 {
		f.Add("name", "姓名不能超过30个字")
	}
	if in.Gender != "" && in.Gender != "M" && in.Gender != "F" {
		f.Add("gender", "性别无效")
	}
	if !validDate(in.JoinedOn) {
		f.Add("joined_on", "入党日期格式应为 2024-01-31")
	}
	if !validDate(in.RegisteredOn) {
		f.Add("registered_on", "报到日期格式应为 2024-01-31")
	}
	if in.Kind == InServiceMember {
		if in.Workplace == "" {
			f.Add("workplace", "请填写工作单位")
		}
		if in.HomeOrg == "" {
			f.Add("home_org", "请填写组织关系所在党组织")
		}
		if in.RegisteredOn == "" {
			in.RegisteredOn = time.Now().In(clock.Shanghai()).Format(time.DateOnly)
		}
	}
	for field, v := range map[string]string{"workplace": in.Workplace, "home_org": in.HomeOrg, "skills": in.Skills} {
		if utf8.RuneCountInString(v) > 100 {
			f.Add(field, "内容不能超过100个字")
		}
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		f.Add("note", "备注不能超过500个字")
	}
	return f.Err()
}

// LiaisonHousehold is a party member's household chosen as a liaison point 党员联系户 in a grid
// branch; it covers a set of neighbouring households.
type LiaisonHousehold struct {
	ID          int64     `json:"id"`
	RegionID    int64     `json:"region_id"`
	OrgID       int64     `json:"org_id"`
	OrgName     string    `json:"org_name"`
	MemberID    int64     `json:"member_id"`
	MemberName  string    `json:"member_name"`
	HouseholdID int64     `json:"household_id"`
	BuildingID  int64     `json:"building_id"`
	Address     string    `json:"address"`
	Since       string    `json:"since"`
	Note        string    `json:"note"`
	Covered     int       `json:"covered_count"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// CoveredHousehold is a household a liaison household contacts.
type CoveredHousehold struct {
	HouseholdID int64  `json:"household_id"`
	LiaisonID   int64  `json:"liaison_id"`
	BuildingID  int64  `json:"building_id"`
	Address     string `json:"address"`
	Head        string `json:"head"`
	Residents   int    `json:"residents"`
}

// LiaisonInput is what naming a liaison household takes: the member, and the household when the
// member is not linked to a household of the register.
type LiaisonInput struct {
	MemberID    int64  `json:"member_id"`
	HouseholdID int64  `json:"household_id"`
	Since       string `json:"since"`
	Note        string `json:"note"`
	// CoveredHouseholdIDs optionally names the households it covers from the start.
	CoveredHouseholdIDs []int64 `json:"covered_household_ids"`
}

// Validate checks the fields that need no database.
func (in *LiaisonInput) Validate() error {
	in.Since, in.Note = strings.TrimSpace(in.Since), strings.TrimSpace(in.Note)
	f := errs.Fields{}
	if in.MemberID <= 0 {
		f.Add("member_id", "请选择党员")
	}
	if !validDate(in.Since) {
		f.Add("since", "日期格式应为 2024-01-31")
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		f.Add("note", "备注不能超过500个字")
	}
	return f.Err()
}

// The usual number of households a liaison household covers; pages flag counts outside it.
const (
	TypicalCoverMin = 5
	TypicalCoverMax = 20
)

// validDate accepts an empty string or a real YYYY-MM-DD date.
func validDate(s string) bool {
	if s == "" {
		return true
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
