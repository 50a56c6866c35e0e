package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/workday"
)

// Channel is a source channel 来源渠道; channels are rows, so a city adds its own.
type Channel struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

// Category is one node of the two-level category tree with its routing defaults and time limits
// (the limits are those of priority 一般; see LimitsFor).
type Category struct {
	ID              int64         `json:"id"`
	ParentID        *int64        `json:"parent_id"`
	Code            string        `json:"code"`
	Name            string        `json:"name"`
	FullName        string        `json:"full_name"` // 环境卫生 › 垃圾清运
	Kind            string        `json:"kind"`      // consultation, complaint, other
	HandlerType     string        `json:"handler_type"`
	Priority        Priority      `json:"priority"`
	Accept          workday.Limit `json:"accept_limit"`
	Sign            workday.Limit `json:"sign_limit"`
	Handle          workday.Limit `json:"handle_limit"`
	Callback        workday.Limit `json:"callback_limit"`
	DuplicateRadius int           `json:"duplicate_radius"`
	RequiredFields  string        `json:"required_fields"`
	Open311Code     string        `json:"open311_code"`
	Active          bool          `json:"active"`
}

// Leaf reports whether the category is a second-level one that cases are filed under.
func (c *Category) Leaf() bool { return c.ParentID != nil }

// Channels lists the channels in display order.
func (s *Service) Channels(ctx context.Context) ([]Channel, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT code, name, active FROM case_channels ORDER BY sort, code`)
	if err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	defer rows.Close()
	out := []Channel{}
	for rows.Next() {
		var c Channel
		if err := rows.Scan(&c.Code, &c.Name, &c.Active); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const categoryColumns = `c.id, c.parent_id, c.code, c.name, COALESCE(p.name || ' › ', '') || c.name, c.kind, c.handler_type,
	c.priority, c.accept_amount, c.accept_unit, c.sign_amount, c.sign_unit, c.handle_amount, c.handle_unit,
	c.callback_amount, c.callback_unit, c.duplicate_radius, c.required_fields, c.open311_code, c.active`

func scanCategory(row interface{ Scan(...any) error }) (*Category, error) {
	c := &Category{}
	err := row.Scan(&c.ID, &c.ParentID, &c.Code, &c.Name, &c.FullName, &c.Kind, &c.HandlerType, &c.Priority,
		&c.Accept.Value, &c.Accept.Unit, &c.Sign.Value, &c.Sign.Unit, &c.Handle.Value, &c.Handle.Unit,
		&c.Callback.Value, &c.Callback.Unit, &c.DuplicateRadius, &c.RequiredFields, &c.Open311Code, &c.Active)
	return c, err
}

// Categories lists the category tree: each top-level category followed by its children.
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+categoryColumns+`
		FROM case_categories c LEFT JOIN case_categories p ON p.id = c.parent_id
		ORDER BY COALESCE(p.sort, c.sort), c.parent_id IS NOT NULL, c.sort, c.id`)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	defer rows.Close()
	out := []Category{}
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

func categoryByID(ctx context.Context, q db.Querier, id int64) (*Category, error) {
	c, err := scanCategory(q.QueryRowContext(ctx, `SELECT `+categoryColumns+`
		FROM case_categories c LEFT JOIN case_categories p ON p.id = c.parent_id WHERE c.id = $1`, id))
	if err != nil {
		return nil, db.NotFound(err, "诉求类别不存在")
	}
	return c, nil
}

// leafCategory returns an active second-level category or a field error.
func leafCategory(ctx context.Context, q db.Querier, id int64) (*Category, error) {
	if id == 0 {
		return nil, errs.Field("category_id", "请选择诉求类别")
	}
	c, err := categoryByID(ctx, q, id)
	if errs.Is(err, errs.NotFound) {
		return nil, errs.Field("category_id", "诉求类别不存在")
	}
	if err != nil {
		return nil, err
	}
	if !c.Leaf() || !c.Active {
		return nil, errs.Field("category_id", "请选择具体的二级类别")
	}
	return c, nil
}

func priorityLimits(ctx context.Context, q db.Querier) (map[Priority]map[string]workday.Limit, error) {
	rows, err := q.QueryContext(ctx, `SELECT priority, kind, amount, unit FROM case_priority_limits`)
	if err != nil {
		return nil, fmt.Errorf("priority limits: %w", err)
	}
	defer rows.Close()
	out := map[Priority]map[string]workday.Limit{}
	for rows.Next() {
		var p Priority
		var kind string
		var l workday.Limit
		if err := rows.Scan(&p, &kind, &l.Value, &l.Unit); err != nil {
			return nil, err
		}
		if out[p] == nil {
			out[p] = map[string]workday.Limit{}
		}
		out[p][kind] = l
	}
	return out, rows.Err()
}

func channelExists(ctx context.Context, q db.Querier, code string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_channels WHERE code = $1 AND active`, code).Scan(&n)
	return n > 0, err
}

// intakeRef is what an intake reads of the catalog: its category, the name of its channel, and the
// accept limit of the case's priority when that priority has its own; and with them the row of the
// grid or community the intake names directly (Intake.directPlace), nil when none was read.
type intakeRef struct {
	category    *Category
	channelName string
	accept      *workday.Limit
	place       *placeRow
}

// byPriority is the priority limits Category.LimitsFor takes, with the one intake read.
func (r *intakeRef) byPriority(p Priority) map[Priority]map[string]workday.Limit {
	if r.accept == nil {
		return nil
	}
	return map[Priority]map[string]workday.Limit{p: {"accept": *r.accept}}
}

// readIntakeRef reads in one statement the catalog rows an intake needs — the category (an active
// second-level one), whether the channel is active, and the accept limit of the priority the case
// will have — and the place row of grid or community when one is given (not 0), and adds what is
// wrong with the catalog to bad (locate judges the place).
func readIntakeRef(ctx context.Context, q db.Querier, in *Intake, bad errs.Fields, grid, community int64) (*intakeRef, error) {
	ref := &intakeRef{}
	checkChannel := in.Channel != "" && bad["channel"] == ""
	if in.Channel == "" {
		bad.Add("channel", "请选择来源渠道")
	}
	if in.CategoryID == 0 {
		bad.Add("category_id", "请选择诉求类别")
	} else {
		var channel, unit *string
		var amount *float64
		extra := []any{&channel, &amount, &unit}
		a := &db.Args{}
		id, code, priority := a.Add(in.CategoryID), a.Add(in.Channel), a.Add(string(in.Priority))
		placeCols, placeJoin := "", ""
		if grid != 0 || community != 0 {
			ref.place = &placeRow{grid: grid, communityAsked: community}
			extra = append(extra, ref.place.dest()...)
			placeCols = ", pl.community_id, pl.level, pl.code, pl.path, pl.name, pl.prefix"
			placeJoin = " LEFT JOIN (" + placeSelect(a, grid, community) + ") pl ON 1 = 1"
		}
		c, err := scanCategory(scanWith{q.QueryRowContext(ctx, `SELECT `+categoryColumns+`,
			(SELECT name FROM case_channels WHERE code = `+code+` AND active), l.amount, l.unit`+placeCols+`
			FROM case_categories c LEFT JOIN case_categories p ON p.id = c.parent_id
			LEFT JOIN case_priority_limits l ON l.priority = COALESCE(NULLIF(`+priority+`, ''), c.priority) AND l.kind = 'accept'`+
			placeJoin+` WHERE c.id = `+id, *a...), extra})
		switch {
		case errors.Is(err, sql.ErrNoRows):
			bad.Add("category_id", "诉求类别不存在")
			ref.place = nil
		case err != nil:
			return nil, fmt.Errorf("intake catalog: %w", err)
		default:
			if c.Leaf() && c.Active {
				ref.category = c
			} else {
				bad.Add("category_id", "请选择具体的二级类别")
			}
			if amount != nil && unit != nil {
				ref.accept = &workday.Limit{Value: *amount, Unit: workday.Unit(*unit)}
			}
			if checkChannel {
				if channel == nil {
					bad.Add("channel", "来源渠道不存在")
				} else {
					ref.channelName = *channel
				}
				checkChannel = false
			}
		}
	}
	if checkChannel { // no category to read it with
		if ok, err := channelExists(ctx, q, in.Channel); err != nil {
			return nil, err
		} else if !ok {
			bad.Add("channel", "来源渠道不存在")
		}
	}
	return ref, nil
}

// scanWith scans a row into the given destinations followed by extra ones.
type scanWith struct {
	row   *sql.Row
	extra []any
}

func (s scanWith) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }
