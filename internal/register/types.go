package register

import (
	"strings"
	"time"

	"github.com/paulmach/orb"

	"linli/internal/errs"
	"linli/internal/geo"
)

// Duty is a place on a grid's roster 网格力量 (多网合一: every sector's people on one grid).
type Duty string

// The roster duties.
const (
	DutyGridLeader      Duty = "grid_leader"
	DutyWorkerFull      Duty = "worker_full"
	DutyWorkerPart      Duty = "worker_part"
	DutyBuildingLeader  Duty = "building_leader"
	DutyPolice          Duty = "police"
	DutyUrban           Duty = "urban"
	DutyZongzhi         Duty = "zongzhi"
	DutyMinzheng        Duty = "minzheng"
	DutyBranchSecretary Duty = "branch_secretary"
)

// Duties lists the duties in the order a roster shows them.
var Duties = []Duty{DutyGridLeader, DutyWorkerFull, DutyWorkerPart, DutyBuildingLeader, DutyPolice, DutyUrban,
	DutyZongzhi, DutyMinzheng, DutyBranchSecretary}

var dutyLabels = map[Duty]string{
	DutyGridLeader: "网格长", DutyWorkerFull: "专职网格员", DutyWorkerPart: "兼职网格员", DutyBuildingLeader: "楼栋长",
	DutyPolice: "社区民警", DutyUrban: "城管队员", DutyZongzhi: "综治专干", DutyMinzheng: "民政专干",
	DutyBranchSecretary: "网格党支部书记",
}

// Label is the duty's Chinese name.
func (d Duty) Label() string { return dutyLabels[d] }

// WorkerDuties are the duties the home page counts as 网格员: full- and part-time grid workers.
var WorkerDuties = []Duty{DutyWorkerFull, DutyWorkerPart}

// ParseDuties reads a duty filter: codes or Chinese names, given as repeated values or separated by
// commas ("worker_full,worker_part"); empty values are ignored and each duty is kept once.
func ParseDuties(values []string) ([]Duty, error) {
	var out []Duty
	seen := map[Duty]bool{}
	for _, v := range values {
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			d := Duty(strings.ToLower(part))
			if d.Label() == "" {
				for code, label := range dutyLabels {
					if label == part {
						d = code
					}
				}
			}
			if d.Label() == "" {
				return nil, errs.Field("duty", "职责“"+part+"”不存在")
			}
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// DutyQuery is the duty filter's query value for a list of duties: codes joined by commas.
func DutyQuery(duties []Duty) string {
	parts := make([]string, len(duties))
	for i, d := range duties {
		parts[i] = string(d)
	}
	return strings.Join(parts, ",")
}

// GridKinds lists the grid kinds: a basic grid of homes, or a dedicated grid (a school, a market).
var GridKinds = []string{"basic", "dedicated"}

// GridKindLabel is the Chinese for a grid kind.
func GridKindLabel(k string) string {
	if k == "dedicated" {
		return "专属网格"
	}
	return "基础网格"
}

// BuildingKinds lists the building kinds.
var BuildingKinds = []string{"building", "courtyard", "bungalow"}

// BuildingKindLabel is the Chinese for a building kind.
func BuildingKindLabel(k string) string {
	switch k {
	case "courtyard":
		return "院落"
	case "bungalow":
		return "平房"
	}
	return "楼栋"
}

// Grid is a grid with its community and figures.
type Grid struct {
	ID            int64            `json:"id"`
	CommunityID   int64            `json:"community_id"`
	CommunityName string           `json:"community_name"`
	Number        int              `json:"number"`
	Code          string           `json:"code"`
	Name          string           `json:"name"`
	Kind          string           `json:"kind"`
	Note          string           `json:"note"`
	Boundary      orb.MultiPolygon `json:"-"`
	Buildings     int              `json:"buildings"`
	Households    int              `json:"households"`
	Residents     int              `json:"residents"`
	UpdatedAt     time.Time        `json:"updated_at"`
	Path          string           `json:"-"`
}

// KindLabel is the grid kind's Chinese name.
func (g *Grid) KindLabel() string { return GridKindLabel(g.Kind) }

// HasBoundary reports whether the grid has a boundary polygon.
func (g *Grid) HasBoundary() bool { return len(g.Boundary) > 0 }

// VertexCount is the number of vertices of the boundary.
func (g *Grid) VertexCount() int { return geo.VertexCount(g.Boundary) }

// Centroid is the boundary's centroid as [lon, lat], or nil without a boundary.
func (g *Grid) Centroid() []float64 {
	if !g.HasBoundary() {
		return nil
	}
	c := geo.Centroid(g.Boundary)
	return []float64{round6(c[0]), round6(c[1])}
}

func round6(f float64) float64 {
	if f < 0 {
		return -float64(int64(-f*1e6+0.5)) / 1e6
	}
	return float64(int64(f*1e6+0.5)) / 1e6
}

// RosterEntry is one person on a grid's roster. Username is the sign-in account linked to the
// entry, empty when the person has none.
type RosterEntry struct {
	ID           int64  `json:"id"`
	GridID       int64  `json:"grid_id"`
	GridName     string `json:"grid_name"`
	Duty         Duty   `json:"duty"`
	Name         string `json:"name"`
	PhoneMasked  string `json:"phone_masked"`
	BuildingID   *int64 `json:"building_id"`
	BuildingName string `json:"building_name"`
	UserID       *int64 `json:"user_id"`
	Username     string `json:"username"`
	Note         string `json:"note"`
}

// RosterFilter selects roster entries for the roster list and the API: by grid and by duties
// (none means every duty).
type RosterFilter struct {
	GridID int64
	Duties []Duty
	Limit  int
	Offset int
}

// DutyLabel is the entry's duty in Chinese.
func (e *RosterEntry) DutyLabel() string { return e.Duty.Label() }

// RosterInput is what adding or editing a roster entry takes. On edit an empty Phone keeps the
// stored number unless ClearPhone is set.
type RosterInput struct {
	Duty       string `json:"duty"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	ClearPhone bool   `json:"clear_phone"`
	BuildingID int64  `json:"building_id"`
	Note       string `json:"note"`
}

// Building is a building, courtyard or bungalow row with its point (WGS-84) and grid.
type Building struct {
	ID          int64    `json:"id"`
	RegionID    int64    `json:"region_id"`
	CommunityID int64    `json:"community_id"`
	GridID      *int64   `json:"grid_id"`
	GridName    string   `json:"grid_name"`
	Name        string   `json:"name"`
	Address     string   `json:"address"`
	Kind        string   `json:"kind"`
	Lon         *float64 `json:"lon"`
	Lat         *float64 `json:"lat"`
	Units       int      `json:"units"`
	Floors      int      `json:"floors"`
	GridManual  bool     `json:"grid_manual"`
	Note        string   `json:"note"`
	Households  int      `json:"households"`
	Residents   int      `json:"residents"`
}

// KindLabel is the building kind's Chinese name.
func (b *Building) KindLabel() string { return BuildingKindLabel(b.Kind) }

// BuildingInput is what creating or editing a building takes. Lon and Lat are text as typed, in
// the system CRS names (wgs84, gcj02, bd09); GridID 0 derives the grid from the point.
type BuildingInput struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	Kind    string `json:"kind"`
	Lon     string `json:"lon"`
	Lat     string `json:"lat"`
	CRS     string `json:"crs"`
	GridID  int64  `json:"grid_id"`
	Units   int    `json:"units"`
	Floors  int    `json:"floors"`
	Note    string `json:"note"`
}

// Household is a dwelling and the people registered in it.
type Household struct {
	ID           int64         `json:"id"`
	RegionID     int64         `json:"region_id"`
	BuildingID   int64         `json:"building_id"`
	BuildingName string        `json:"building_name"`
	GridName     string        `json:"grid_name"`
	Unit         string        `json:"unit"`
	Room         string        `json:"room"`
	Kind         HouseholdKind `json:"kind"`
	Note         string        `json:"note"`
	Address      string        `json:"address"`
	Members      int           `json:"members"`
}

// KindLabel is the household kind's Chinese name.
func (h *Household) KindLabel() string { return h.Kind.Label() }

// HouseholdInput is what creating or editing a household takes.
type HouseholdInput struct {
	BuildingID int64  `json:"building_id"`
	Unit       string `json:"unit"`
	Room       string `json:"room"`
	Kind       string `json:"kind"`
	Note       string `json:"note"`
}

// HouseholdAddress is how a household's address reads everywhere: 3号楼 2单元 301室 (a bare number
// of unit or room gets 单元 or 室).
func HouseholdAddress(building, unit, room string) string {
	return householdAddress(building, unit, room)
}

func householdAddress(building, unit, room string) string {
	parts := []string{building}
	if unit != "" {
		if strings.Trim(unit, "0123456789") == "" {
			unit += "单元"
		}
		parts = append(parts, unit)
	}
	if room != "" {
		if strings.Trim(room, "0123456789") == "" {
			room += "室"
		}
		parts = append(parts, room)
	}
	return strings.Join(parts, " ")
}

// Resident is a person in the register, as every page and API answer shows them: numbers masked.
type Resident struct {
	ID            int64         `json:"id"`
	RegionID      int64         `json:"region_id"`
	HouseholdID   *int64        `json:"household_id"`
	BuildingID    *int64        `json:"building_id"`
	Name          string        `json:"name"`
	Gender        string        `json:"gender"`
	BirthDate     string        `json:"birth_date"`
	Age           int           `json:"age"`
	IDMasked      string        `json:"id_masked"`
	PhoneMasked   string        `json:"phone_masked"`
	Relation      string        `json:"relation"`
	ResidenceType ResidenceType `json:"residence_type"`
	Ethnicity     string        `json:"ethnicity"`
	Status        string        `json:"status"`
	Note          string        `json:"note"`
	Tags          []Tag         `json:"tags"`
	Address       string        `json:"address"`
	GridName      string        `json:"grid_name"`
	UpdatedAt     time.Time     `json:"updated_at"`
}

// GenderLabel is the gender in Chinese.
func (r *Resident) GenderLabel() string { return GenderLabel(r.Gender) }

// StatusLabel is the status in Chinese.
func (r *Resident) StatusLabel() string { return StatusLabel(r.Status) }

// ResidenceLabel is the residence type in Chinese.
func (r *Resident) ResidenceLabel() string { return r.ResidenceType.Label() }

// HasTag reports whether the resident carries tag t.
func (r *Resident) HasTag(t Tag) bool {
	for _, x := range r.Tags {
		if x == t {
			return true
		}
	}
	return false
}

// StatusLabel is the Chinese for a resident status.
func StatusLabel(s string) string {
	switch s {
	case "moved_out":
		return "已迁出"
	case "deceased":
		return "已故"
	}
	return "在册"
}

// ResidentFilter selects residents for lists, searches and the API.
type ResidentFilter struct {
	Q           string // a name or address (Chinese search), a full phone or ID number, or a phone's last 4 digits
	GridID      int64
	BuildingID  int64
	HouseholdID int64
	Tag         string
	Status      string // active (default), moved_out, deceased, all
	Limit       int
	Offset      int
}

// ResidentUpdate is an edit of a resident. An empty IDNumber or Phone keeps the stored number
// unless the matching Clear flag is set.
type ResidentUpdate struct {
	ResidentInput
	ClearID    bool
	ClearPhone bool
}
