package mediation

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// ScreeningDays is the default cadence of dispute screening rounds per grid (矛盾纠纷排查, every
// 10 days); the setting mediation.screening_days overrides it.
const ScreeningDays = 10

// ScreeningItem is one dispute found in a round; it may become a mediation case.
type ScreeningItem struct {
	ID          int64  `json:"id"`
	Description string `json:"description"`
	TypeCode    string `json:"type"`
	HouseholdID *int64 `json:"household_id,omitempty"`
	MediationID *int64 `json:"mediation_id,omitempty"`
}

// Screening is one screening round of a grid.
type Screening struct {
	ID       int64           `json:"id"`
	GridID   int64           `json:"grid_id"`
	GridName string          `json:"grid_name"`
	HeldOn   string          `json:"held_on"`
	Found    int             `json:"found"`
	Note     string          `json:"note,omitempty"`
	By       string          `json:"by"`
	Items    []ScreeningItem `json:"items"`
}

// ScreeningInput is a round as a grid worker records it.
type ScreeningInput struct {
	GridID int64           `json:"grid_id"`
	HeldOn string          `json:"held_on"`
	Note   string          `json:"note,omitempty"`
	Items  []ScreeningItem `json:"items,omitempty"`
}

// GridScreening is a grid's screening state: its last round and whether it is overdue.
type GridScreening struct {
	GridID   int64  `json:"grid_id"`
	GridName string `json:"grid_name"`
	LastOn   string `json:"last_on,omitempty"`
	Rounds   int    `json:"rounds"` // in the last cadence window
	Flagged  bool   `json:"flagged"`
	// Cases is how many mediation cases exist for households of the grid (their existence only).
	Cases int `json:"cases"`
}

func (s *Service) screener(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	if !p.Can(auth.MediationScreen) && !p.Can(auth.MediationRead) {
		return nil, errs.E(errs.Forbidden, "您的角色（%s）无权查看矛盾纠纷排查", p.Role.Label())
	}
	return p, nil
}

// RecordScreening saves a screening round of a grid in scope with the disputes found.
func (s *Service) RecordScreening(ctx context.Context, in ScreeningInput) (*Screening, error) {
	p, err := s.screener(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.MediationScreen); err != nil {
		return nil, err
	}
	today := s.Today()
	if in.HeldOn == "" {
		in.HeldOn = today
	}
	f := errs.Fields{}
	if !validDate(in.HeldOn) || in.HeldOn > today {
		f.Add("held_on", "请填写不晚于今天的排查日期")
	}
	for i := range in.Items {
		in.Items[i].Description = strings.TrimSpace(in.Items[i].Description)
		if in.Items[i].Description == "" {
			f.Add(fmt.Sprintf("items.%d.description", i), "请填写排查发现的纠纷情况")
		}
		if in.Items[i].TypeCode == "" {
			in.Items[i].TypeCode = "other"
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var path string
		var cid int64
		err := tx.QueryRowContext(ctx, `SELECT r.path, g.community_id FROM grids g JOIN regions r ON r.id = g.id WHERE g.id = $1`,
			in.GridID).Scan(&path, &cid)
		if err != nil || !p.Covers(path) {
			return errs.Field("grid_id", "网格不存在或不在您的管辖范围内")
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO mediation_screenings (grid_id, held_on, found, note, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, in.GridID, in.HeldOn, len(in.Items), strings.TrimSpace(in.Note),
			p.UserID, s.now()).Scan(&id)
		if err != nil {
			return err
		}
		for i, it := range in.Items {
			if it.HouseholdID != nil {
				var hg int64
				if err := tx.QueryRowContext(ctx, `SELECT region_id FROM households WHERE id = $1`, *it.HouseholdID).Scan(&hg); err != nil || hg != in.GridID {
					return errs.Field(fmt.Sprintf("items.%d.household_id", i), "住户不在本网格")
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_screening_items (screening_id, description, type_code, household_id)
				VALUES ($1, $2, $3, $4)`, id, it.Description, it.TypeCode, it.HouseholdID); err != nil {
				return errs.Field(fmt.Sprintf("items.%d.type", i), "纠纷类型无效")
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "mediation.screening.create", ObjectType: "mediation_screening",
			ObjectID: id, RegionID: in.GridID, Detail: in.HeldOn, After: map[string]any{"grid_id": in.GridID,
				"held_on": in.HeldOn, "found": len(in.Items)}})
	})
	if err != nil {
		return nil, err
	}
	list, _, err := s.Screenings(ctx, in.GridID, 1, 0)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

// Screenings lists the rounds of the grids in scope (or one grid), newest first.
func (s *Service) Screenings(ctx context.Context, gridID int64, limit, offset int) ([]Screening, int, error) {
	p, err := s.screener(ctx)
	if err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	a := &db.Args{}
	where := db.InScope("s.grid_id", a.Add(p.Scope()))
	if gridID != 0 {
		where += ` AND s.grid_id = ` + a.Add(gridID)
	}
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_screenings s WHERE `+where, *a...).Scan(&total); err != nil {
		return nil, 0, err
	}
	out := []Screening{}
	q := `SELECT s.id, s.grid_id, r.name, s.held_on, s.found, s.note, COALESCE(u.name, '') FROM mediation_screenings s
		JOIN regions r ON r.id = s.grid_id LEFT JOIN users u ON u.id = s.created_by WHERE ` + where +
		` ORDER BY s.held_on DESC, s.id DESC LIMIT ` + a.Add(limit) + ` OFFSET ` + a.Add(offset)
	err = each(ctx, s.db.R, q, *a, func(scan func(...any) error) error {
		var x Screening
		err := scan(&x.ID, &x.GridID, &x.GridName, &x.HeldOn, &x.Found, &x.Note, &x.By)
		x.Items = []ScreeningItem{}
		out = append(out, x)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	for i := range out {
		err := each(ctx, s.db.R, `SELECT id, description, type_code, household_id, mediation_id FROM mediation_screening_items
			WHERE screening_id = $1 ORDER BY id`, []any{out[i].ID}, func(scan func(...any) error) error {
			var it ScreeningItem
			err := scan(&it.ID, &it.Description, &it.TypeCode, &it.HouseholdID, &it.MediationID)
			out[i].Items = append(out[i].Items, it)
			return err
		})
		if err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// ScreeningDays returns the screening cadence in days (the setting, or the default).
func (s *Service) screeningDays(ctx context.Context) int {
	var v string
	if err := s.db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'mediation.screening_days'`).Scan(&v); err == nil {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return n
		}
	}
	return ScreeningDays
}

// GridStatus lists every grid in scope with its last screening round, flagged when no round was
// recorded in the cadence window, and how many mediation cases exist for its households.
func (s *Service) GridStatus(ctx context.Context) ([]GridScreening, int, error) {
	p, err := s.screener(ctx)
	if err != nil {
		return nil, 0, err
	}
	days := s.screeningDays(ctx)
	since := addDays(s.Today(), -days)
	out := []GridScreening{}
	err = each(ctx, s.db.R, `SELECT g.id, r.name, COALESCE(MAX(s.held_on), ''),
		COUNT(CASE WHEN s.held_on > $2 THEN 1 END),
		(SELECT COUNT(*) FROM mediation_cases m WHERE m.grid_id = g.id)
		FROM grids g JOIN regions r ON r.id = g.id LEFT JOIN mediation_screenings s ON s.grid_id = g.id
		WHERE r.path LIKE $1 GROUP BY g.id, r.name, r.code ORDER BY r.code`, []any{p.Scope(), since}, func(scan func(...any) error) error {
		var g GridScreening
		err := scan(&g.GridID, &g.GridName, &g.LastOn, &g.Rounds, &g.Cases)
		g.Flagged = g.Rounds == 0
		out = append(out, g)
		return err
	})
	return out, days, err
}
