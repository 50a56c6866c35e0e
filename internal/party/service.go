// Package party keeps the party organisation: the community committee, grid branches and groups,
// members (including in-service members registered with the community), and liaison households
// with the households each covers.
package party

import (
	"context"
	"database/sql"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/register"
)

// Service is the party organisation's use cases. Every method acts as the principal in ctx and
// sees only their region subtree; anything outside it is not found.
type Service struct {
	db       *db.DB
	sealer   *pii.Sealer
	register *register.Service
}

// NewService returns the party service.
func NewService(d *db.DB, sealer *pii.Sealer, reg *register.Service) *Service {
	return &Service{db: d, sealer: sealer, register: reg}
}

// principal returns the signed-in principal after checking perm.
func principal(ctx context.Context, perm auth.Permission) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if err := p.Require(perm); err != nil {
		return nil, err
	}
	return p, nil
}

// regionInfo is a region as the party organisation needs it.
type regionInfo struct {
	ID       int64
	ParentID sql.NullInt64
	Level    string
	Name     string
	Path     string
}

func regionByID(ctx context.Context, q db.Querier, id int64) (*regionInfo, error) {
	r := &regionInfo{}
	err := q.QueryRowContext(ctx, `SELECT id, parent_id, level, name, path FROM regions WHERE id = $1`, id).
		Scan(&r.ID, &r.ParentID, &r.Level, &r.Name, &r.Path)
	if err != nil {
		return nil, db.NotFound(err, "区划不存在")
	}
	return r, nil
}

// within returns the LIKE pattern of a region's subtree, checking that the region is in the
// principal's scope; regionID 0 means the principal's own region.
func (s *Service) within(ctx context.Context, p *auth.Principal, regionID int64) (string, error) {
	if regionID == 0 {
		return p.Scope(), nil
	}
	r, err := regionByID(ctx, s.db.R, regionID)
	if err != nil || !p.Covers(r.Path) {
		return "", errs.E(errs.NotFound, "区划不存在")
	}
	return r.Path + "%", nil
}

// readScope returns the principal, who must be allowed to read the party register, and the path
// pattern of regionID within its scope (all of it for 0).
func (s *Service) readScope(ctx context.Context, regionID int64) (*auth.Principal, string, error) {
	p, err := principal(ctx, auth.PartyRead)
	if err != nil {
		return nil, "", err
	}
	within, err := s.within(ctx, p, regionID)
	return p, within, err
}

// inTx runs fn in a write transaction and returns what it made.
func inTx[T any](ctx context.Context, d *db.DB, fn func(tx *db.Tx) (T, error)) (T, error) {
	var out T
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

func now() time.Time { return time.Now().UTC() }

// adultCutoff is the latest birth date (YYYY-MM-DD) of someone 18 today: the party admits members
// from 18, so younger residents are never offered or recorded as members.
func adultCutoff() string { return register.MinorCutoff(time.Now().In(clock.Shanghai())) }

// tooYoung reports whether a birth date ("" when unknown) is of someone under 18 today.
func tooYoung(birth string) bool { return birth != "" && birth > adultCutoff() }

// Figures are the party organisation's counts for a region, each the size of a list a page links
// to (see the *Href methods).
type Figures struct {
	RegionID int64 `json:"region_id"`
	// Branches counts grid party branches 网格党支部.
	Branches int `json:"branches"`
	// Members counts current party members, in-service members included.
	Members int `json:"members"`
	// InService counts current in-service members registered 报到 with the community.
	InService int `json:"in_service_members"`
	// Liaisons counts liaison households 党员联系户.
	Liaisons int `json:"liaison_households"`
	// Covered counts the households the liaison households cover.
	Covered int `json:"covered_households"`
}

func regionQuery(regionID int64) string {
	if regionID == 0 {
		return ""
	}
	return "region=" + itoa(regionID)
}

func withQuery(path string, parts ...string) string {
	q := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if q == "" {
			q = "?" + p
		} else {
			q += "&" + p
		}
	}
	return path + q
}

// BranchesHref is the page listing the branches counted in Branches.
func (f Figures) BranchesHref() string {
	return withQuery("/party/orgs", "kind=branch", regionQuery(f.RegionID))
}

// MembersHref is the page listing the members counted in Members.
func (f Figures) MembersHref() string { return withQuery("/party/members", regionQuery(f.RegionID)) }

// InServiceHref is the page listing the in-service members counted in InService.
func (f Figures) InServiceHref() string {
	return withQuery("/party/members", "kind=in_service", regionQuery(f.RegionID))
}

// LiaisonsHref is the page listing the liaison households counted in Liaisons.
func (f Figures) LiaisonsHref() string { return withQuery("/party/liaison", regionQuery(f.RegionID)) }

// CoveredHref is the page listing the households counted in Covered.
func (f Figures) CoveredHref() string { return withQuery("/party/covered", regionQuery(f.RegionID)) }

// Figures counts the party organisation in a region subtree (regionID 0: the principal's whole
// scope): branches, current members, in-service members, liaison households and covered
// households. A region outside the principal's scope is not found. The home page calls it.
func (s *Service) Figures(ctx context.Context, p *auth.Principal, regionID int64) (Figures, error) {
	f := Figures{RegionID: regionID}
	if err := p.Require(auth.PartyRead); err != nil {
		return f, err
	}
	within, err := s.within(ctx, p, regionID)
	if err != nil {
		return f, err
	}
	scope := p.Scope()
	q := s.db.R
	err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM party_orgs WHERE kind = 'branch' AND `+
		db.InScope("region_id", "$1")+` AND `+db.InScope("region_id", "$2"), scope, within).Scan(&f.Branches)
	if err == nil {
		err = q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN kind = 'in_service' THEN 1 ELSE 0 END), 0)
			FROM party_members WHERE active = TRUE AND `+db.InScope("region_id", "$1")+` AND `+db.InScope("region_id", "$2"),
			scope, within).Scan(&f.Members, &f.InService)
	}
	if err == nil {
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM liaison_households WHERE `+
			db.InScope("region_id", "$1")+` AND `+db.InScope("region_id", "$2"), scope, within).Scan(&f.Liaisons)
	}
	if err == nil {
		err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM liaison_covers c JOIN liaison_households l ON l.id = c.liaison_id
			WHERE `+db.InScope("l.region_id", "$1")+` AND `+db.InScope("l.region_id", "$2"), scope, within).Scan(&f.Covered)
	}
	return f, err
}
