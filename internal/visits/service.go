package visits

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
)

// Options are the collaborators of the service.
type Options struct {
	// DataDir is where visit photos are stored (under visits/).
	DataDir string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Cases turns a need found into a case; without it needs stay on the visit.
	Cases *cases.Service
	// Sealer opens the phone of the resident met, who becomes the case's reporter.
	Sealer *pii.Sealer
}

// Service is grid work: visits, contacts, care plans and volunteer service.
type Service struct {
	db   *db.DB
	opts Options
}

// NewService returns the visits service.
func NewService(d *db.DB, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{db: d, opts: opts}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

// today is the service's date in Asia/Shanghai.
func (s *Service) today() string { return clock.Date(s.opts.Now()) }

// Today returns the service's date in Asia/Shanghai (YYYY-MM-DD), for pages and forms.
func (s *Service) Today() string { return s.today() }

func principal(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	return p, nil
}

// minorsHidden is the condition that leaves out residents under 18 for users without MinorsRead,
// or "" when they may see them.
func minorsHidden(p *auth.Principal, col string, today string, a *db.Args) string {
	if p.Can(auth.MinorsRead) {
		return ""
	}
	cut := subYears(today, 18)
	return `(` + col + ` = '' OR ` + col + ` <= ` + a.Add(cut) + `)`
}

func subYears(date string, years int) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.AddDate(-years, 0, 0).Format(time.DateOnly)
}

// household is what a visit needs to know of the household it records.
type household struct {
	ID       int64
	RegionID int64
	Path     string
	Address  string
}

// loadHousehold reads a household in the principal's scope; outside it, or unknown, it is not found.
func loadHousehold(ctx context.Context, q db.Querier, id int64) (*household, error) {
	h := &household{ID: id}
	var bname, unit, room string
	err := q.QueryRowContext(ctx, `SELECT h.region_id, g.path, b.name, h.unit, h.room FROM households h
		JOIN buildings b ON b.id = h.building_id JOIN regions g ON g.id = h.region_id WHERE h.id = $1`, id).
		Scan(&h.RegionID, &h.Path, &bname, &unit, &room)
	if err != nil {
		return nil, db.NotFound(err, "住户不存在")
	}
	h.Address = address(bname, unit, room)
	return h, nil
}

// address writes a household's place the way the community says it: 3号楼2单元301.
func address(building, unit, room string) string {
	s := building
	if unit != "" {
		s += unit
		if !strings.HasSuffix(unit, "单元") {
			s += "单元"
		}
	}
	return s + room
}

// GridBoundary returns the GeoJSON boundary of the principal's grid, or nil for other users and
// for a grid without a valid boundary.
func (s *Service) GridBoundary(ctx context.Context, p *auth.Principal) json.RawMessage {
	if p.RegionLevel != "grid" {
		return nil
	}
	var b sql.NullString
	if err := s.db.R.QueryRowContext(ctx, `SELECT boundary FROM grids WHERE id = $1`, p.RegionID).Scan(&b); err != nil ||
		!json.Valid([]byte(b.String)) {
		return nil
	}
	return json.RawMessage(b.String)
}
