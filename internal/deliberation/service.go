package deliberation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/activities"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
)

// Options are the service's collaborators.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// SMS sends residents' verification codes; without one residents cannot verify their phones.
	SMS Sender
}

// Service is the deliberation hall's use cases. Every method acts as the principal in ctx (staff
// see their region subtree and the community above them; anything else is not found), or — the
// Public* methods — as a resident whose phone, registered in the register, was verified by a code.
type Service struct {
	db     *db.DB
	sealer *pii.Sealer
	rooms  *activities.Service
	sms    Sender
	now    func() time.Time
}

// NewService returns the deliberation service; rooms books and frees the meetings' venue.
func NewService(d *db.DB, sealer *pii.Sealer, rooms *activities.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: d, sealer: sealer, rooms: rooms, sms: opts.SMS, now: func() time.Time { return opts.Now().UTC().Truncate(time.Second) }}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

func principal(ctx context.Context, perm auth.Permission) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	if err := p.Require(perm); err != nil {
		return nil, err
	}
	return p, nil
}

// visible is the condition that the region in col is one the principal reads: their subtree, and
// the regions above them (grid staff see their community's topics and meetings).
func visible(col string, p *auth.Principal, a *db.Args) string {
	return `(` + db.InScope(col, a.Add(p.Scope())) + ` OR ` + col + ` IN (SELECT id FROM regions WHERE ` +
		a.Add(p.RegionPath) + ` LIKE path || '%'))`
}

func token() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func nullable(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Resident is a resident acting on the public pages, found in the register by name and phone.
type Resident struct {
	ID          int64
	HouseholdID int64
	BuildingID  int64
	RegionPath  string // the household's region
	Label       string // what public pages show: the building, never the name
}

// ResidentInput identifies a resident on the public pages: by name and phone to ask for a code,
// then by the token their verified phone gave them.
type ResidentInput struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Token string `json:"-"`
}

// resident finds the active resident with this name and phone, who has a household.
func (s *Service) resident(ctx context.Context, q db.Querier, in ResidentInput) (*Resident, error) {
	name := strings.TrimSpace(in.Name)
	phone, err := pii.NormalizePhone(in.Phone)
	if name == "" || utf8.RuneCountInString(name) > 30 || err != nil {
		return nil, errs.Field("phone", "请填写姓名和正确的手机号码")
	}
	var r Resident
	var building string
	err = q.QueryRowContext(ctx, `SELECT r.id, h.id, h.building_id, g.path, b.name FROM residents r
		JOIN households h ON h.id = r.household_id JOIN buildings b ON b.id = h.building_id JOIN regions g ON g.id = h.region_id
		WHERE r.phone_index = $1 AND r.name = $2 AND r.status = 'active' ORDER BY r.id LIMIT 1`,
		s.sealer.Index(phone), name).Scan(&r.ID, &r.HouseholdID, &r.BuildingID, &r.RegionPath, &building)
	if err != nil {
		return nil, errs.Field("phone", "未在本社区居民登记中找到该姓名和手机号，请联系网格员登记")
	}
	r.Label = building + "居民"
	return &r, nil
}

// householdResident is the resident record for a household chosen by staff, as Resident.
func householdResident(ctx context.Context, q db.Querier, householdID int64) (*Resident, error) {
	var r Resident
	var building string
	err := q.QueryRowContext(ctx, `SELECT h.id, h.building_id, g.path, b.name FROM households h
		JOIN buildings b ON b.id = h.building_id JOIN regions g ON g.id = h.region_id WHERE h.id = $1`, householdID).
		Scan(&r.HouseholdID, &r.BuildingID, &r.RegionPath, &building)
	if err != nil {
		return nil, errs.Field("household_id", "所选户不存在")
	}
	r.Label = building + "居民"
	return &r, nil
}

// regionPath returns a region's path.
func regionPath(ctx context.Context, q db.Querier, id int64) (string, error) {
	var path string
	if err := q.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, id).Scan(&path); err != nil {
		return "", db.NotFound(err, "区域不存在")
	}
	return path, nil
}

// roleLabel is how public pages name a staff member: by role, never by name.
func roleLabel(p *auth.Principal) string {
	if p.Role == auth.UnitContact && p.OrgName != "" {
		return p.OrgName
	}
	return fmt.Sprintf("%s%s", p.RegionName, p.Role.Label())
}

// CanManage reports whether the principal in ctx runs the hall's review, meetings and decisions.
func (s *Service) CanManage(ctx context.Context) bool {
	p := auth.FromContext(ctx)
	return p != nil && p.Can(auth.DeliberationManage)
}
