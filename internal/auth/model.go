// Package auth holds users, roles, region scopes, passwords, sessions, API tokens, lockout and the
// route guard capabilities receive. Account administration is package accounts.
//
// A user has one role and one region; the role says what they may do, the region subtree where.
// Services check both: a permission missing is forbidden, an object outside the scope is not found.
package auth

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"linli/internal/errs"
)

// Role is what a user is in the community's work (DOMAIN.md, "The people who use it").
type Role string

// The roles.
const (
	DistrictAdmin  Role = "district_admin"
	StreetAdmin    Role = "street_admin"
	CommunityAdmin Role = "community_admin"
	GridLeader     Role = "grid_leader"
	GridWorker     Role = "grid_worker"
	BuildingLeader Role = "building_leader"
	PartyMember    Role = "party_member"
	Mediator       Role = "mediator"
	UnitContact    Role = "unit_contact"
	Department     Role = "department"
	SecurityAdmin  Role = "security_admin"
	Auditor        Role = "auditor"
)

// Roles lists every role in the order forms show them.
var Roles = []Role{DistrictAdmin, StreetAdmin, CommunityAdmin, GridLeader, GridWorker, BuildingLeader,
	PartyMember, Mediator, UnitContact, Department, SecurityAdmin, Auditor}

var roleLabels = map[Role]string{
	DistrictAdmin: "区级管理员", StreetAdmin: "街道管理员", CommunityAdmin: "社区管理员",
	GridLeader: "网格长", GridWorker: "网格员", BuildingLeader: "楼栋长", PartyMember: "党员",
	Mediator: "调解员", UnitContact: "共建单位联络人", Department: "职能部门",
	SecurityAdmin: "安全管理员", Auditor: "审计员",
}

// Label is the role's Chinese name.
func (r Role) Label() string { return roleLabels[r] }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleLabels[r]; return ok }

// Permission names one thing a role may do.
type Permission string

// The permissions.
const (
	RegisterRead   Permission = "register.read"
	RegisterWrite  Permission = "register.write"
	RegisterImport Permission = "register.import" // import and export ledgers
	RosterWrite    Permission = "roster.write"    // maintain a grid's roster 网格力量 (the community, and the grid's own leader)
	RevealPII      Permission = "pii.reveal"      // reveal a masked ID or phone number, with a reason
	MinorsRead     Permission = "minors.read"     // see residents under 18 (the stricter permission)
	PartyRead      Permission = "party.read"
	PartyWrite     Permission = "party.write"
	CasesRead      Permission = "cases.read"
	CasesIntake    Permission = "cases.intake"
	CasesDispatch  Permission = "cases.dispatch"
	CasesHandle    Permission = "cases.handle"
	CasesVerify    Permission = "cases.verify"
	CasesSupervise Permission = "cases.supervise"
	VisitsRead     Permission = "visits.read"
	VisitsWrite    Permission = "visits.write"
	CobuildRead    Permission = "cobuild.read"    // the co-building alliance's units, lists, meetings and figures
	CobuildWrite   Permission = "cobuild.write"   // run the alliance: units, matching, meetings, decisions, evaluation
	CobuildRaise   Permission = "cobuild.raise"   // raise a need (grid staff, from a visit or a case)
	CobuildClaim   Permission = "cobuild.claim"   // act for one's own unit: claim needs, offer resources, report progress
	SettingsManage Permission = "settings.manage" // time limits, calendar, categories
	AccountsManage Permission = "accounts.manage"
	AuditRead      Permission = "audit.read"
	// Volunteering is the volunteer pages: posts, sign-ups, hours and the ranking. Every business
	// role has it; the security admin and the auditor do not (their duty is not the community's work).
	Volunteering Permission = "volunteer.use"
	// MediationRead sees the committee's mediation cases, experts and figures; MediationWrite
	// registers and handles them; MediationScreen records the grids' dispute screening rounds.
	MediationRead   Permission = "mediation.read"
	MediationWrite  Permission = "mediation.write"
	MediationScreen Permission = "mediation.screen"
)

// The permissions of venues and activities (internal/activities).
const (
	ActivitiesRead  Permission = "activities.read"  // venues, activities, sign-ups and their figures
	ActivitiesWrite Permission = "activities.write" // run venues and activities: publish, approve, check in, approve hours
	VenuesBook      Permission = "venues.book"      // book a community room
)

// The permissions of the work briefing (internal/briefing).
const (
	BriefingRead  Permission = "briefing.read"  // read the region's briefings
	BriefingWrite Permission = "briefing.write" // generate, edit, publish and delete briefings
)

// The permissions of the residents' deliberation hall (internal/deliberation).
const (
	DeliberationRead   Permission = "deliberation.read"   // topics, meetings, votes, decisions and their figures
	DeliberationRaise  Permission = "deliberation.raise"  // raise a topic, record residents' supports, comments and ballots on their behalf
	DeliberationManage Permission = "deliberation.manage" // review topics, run meetings and votes, record decisions and progress
)

var adminPerms = []Permission{RegisterRead, RegisterWrite, RegisterImport, RosterWrite, RevealPII, MinorsRead, PartyRead,
	PartyWrite, CasesRead, CasesIntake, CasesDispatch, CasesHandle, CasesVerify, CasesSupervise, VisitsRead,
	VisitsWrite, SettingsManage, Volunteering, MediationRead, MediationWrite, MediationScreen, ActivitiesRead, ActivitiesWrite, VenuesBook,
	CobuildRead, CobuildWrite, CobuildRaise, BriefingRead, BriefingWrite, DeliberationRead, DeliberationRaise, DeliberationManage}

var rolePerms = map[Role][]Permission{
	DistrictAdmin:  adminPerms,
	StreetAdmin:    adminPerms,
	CommunityAdmin: adminPerms,
	GridLeader: {RegisterRead, RegisterWrite, RosterWrite, RevealPII, MinorsRead, PartyRead, CasesRead, CasesIntake,
		CasesHandle, VisitsRead, VisitsWrite, MediationScreen, ActivitiesRead, VenuesBook, CobuildRead, CobuildRaise, Volunteering, DeliberationRead, DeliberationRaise},
	GridWorker: {RegisterRead, RegisterWrite, RevealPII, PartyRead, CasesRead, CasesIntake, CasesHandle, VisitsRead, VisitsWrite,
		MediationScreen, ActivitiesRead, CobuildRead, CobuildRaise, Volunteering, DeliberationRead, DeliberationRaise},
	BuildingLeader: {RegisterRead, CasesIntake, VisitsRead, VisitsWrite, Volunteering, DeliberationRead, DeliberationRaise},
	PartyMember:    {PartyRead, CasesIntake, VisitsWrite, Volunteering, DeliberationRead, DeliberationRaise},
	Mediator:       {CasesRead, CasesHandle, MediationRead, MediationWrite, RevealPII, Volunteering},
	UnitContact:    {CasesRead, CasesHandle, ActivitiesRead, VenuesBook, CobuildRead, CobuildClaim, Volunteering, DeliberationRead},
	Department:     {CasesRead, CasesHandle, Volunteering},
	SecurityAdmin:  {AccountsManage},
	Auditor:        {AuditRead},
}

// Principal is the signed-in user as a request sees them.
type Principal struct {
	UserID      int64
	Username    string
	Name        string
	Role        Role
	RegionID    int64
	RegionPath  string // e.g. "/1/4/9/": the user's scope is every region whose path starts with it
	RegionName  string
	RegionLevel string
	OrgName     string
	MustChange  bool
	SessionID   string // empty for API tokens
}

// Can reports whether the principal's role grants perm.
func (p *Principal) Can(perm Permission) bool {
	if p == nil {
		return false
	}
	for _, q := range rolePerms[p.Role] {
		if q == perm {
			return true
		}
	}
	return false
}

// Covers reports whether a region (by its path) lies in the principal's scope.
func (p *Principal) Covers(regionPath string) bool {
	return p != nil && p.RegionPath != "" && strings.HasPrefix(regionPath, p.RegionPath)
}

// Scope returns the LIKE pattern matching every region path in the principal's scope; pass it to
// queries that filter with db-side `path LIKE $n`.
func (p *Principal) Scope() string { return p.RegionPath + "%" }

// Require returns a forbidden error unless the principal may do perm.
func (p *Principal) Require(perm Permission) error {
	if p == nil {
		return errs.E(errs.Unauthorized, "请先登录")
	}
	if !p.Can(perm) {
		return errs.E(errs.Forbidden, "您的角色（%s）无权进行此操作", p.Role.Label())
	}
	return nil
}

// RequireUnmask checks an export of full ID and phone numbers: the user may reveal personal data
// and gives a reason of at least four characters (audited with the export as pii.export). It
// returns the reason trimmed.
func (p *Principal) RequireUnmask(reason string) (string, error) {
	if err := p.Require(RevealPII); err != nil {
		return "", err
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < 4 {
		return "", errs.Field("reason", "导出完整证件号码和手机号码须填写用途（至少4个字）")
	}
	return reason, nil
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the signed-in principal, or nil.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// User is an account.
type User struct {
	ID                 int64      `json:"id"`
	Username           string     `json:"username"`
	Name               string     `json:"name"`
	Role               Role       `json:"role"`
	RegionID           int64      `json:"region_id"`
	RegionName         string     `json:"region_name"`
	OrgName            string     `json:"org_name"`
	Active             bool       `json:"active"`
	MustChangePassword bool       `json:"must_change_password"`
	FailedLogins       int        `json:"failed_logins"`
	LockedUntil        *time.Time `json:"locked_until,omitempty"`
	LastLoginAt        *time.Time `json:"last_login_at,omitempty"`
	CreatedAt          time.Time  `json:"created_at"`
}

// Locked reports whether the account is locked at now.
func (u *User) Locked(now time.Time) bool { return u.LockedUntil != nil && u.LockedUntil.After(now) }

// ValidateUsername checks a username: 3–32 letters, digits, '.', '_' or '-'.
func ValidateUsername(s string) error {
	if len(s) < 3 || len(s) > 32 {
		return errs.Field("username", "用户名长度应为3至32个字符")
	}
	for _, c := range s {
		if !(c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c) || c == '.' || c == '_' || c == '-')) {
			return errs.Field("username", "用户名只能包含字母、数字、点、下划线或连字符")
		}
	}
	return nil
}

// ValidatePassword enforces the password rules: at least 10 characters, at least three of upper
// case, lower case, digits and symbols, not containing the username, and not a common password.
func ValidatePassword(password, username string) error {
	if utf8.RuneCountInString(password) < 10 {
		return errs.Field("password", "密码至少需要10个字符")
	}
	if utf8.RuneCountInString(password) > 128 {
		return errs.Field("password", "密码不能超过128个字符")
	}
	var upper, lower, digit, other bool
	for _, c := range password {
		switch {
		case unicode.IsUpper(c):
			upper = true
		case unicode.IsLower(c):
			lower = true
		case unicode.IsDigit(c):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return errs.Field("password", "密码需包含大写字母、小写字母、数字、符号中的至少三类")
	}
	if username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)) {
		return errs.Field("password", "密码不能包含用户名")
	}
	if isCommon(password) {
		return errs.Field("password", "密码过于常见，容易被猜中，请换一个不含常见单词、拼音或键盘序列的密码")
	}
	return nil
}
