package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"linli/internal/db"
	"linli/internal/errs"
)

// Row is one row of the audit log as the reader shows it.
type Row struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	UserID     int64     `json:"user_id,omitempty"`
	Username   string    `json:"username"`
	IP         string    `json:"ip"`
	RequestID  string    `json:"request_id"`
	Action     string    `json:"action"`
	ActionName string    `json:"action_label"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	RegionID   int64     `json:"region_id,omitempty"`
	RegionName string    `json:"region_name"`
	Detail     string    `json:"detail"`
	Before     string    `json:"before,omitempty"` // JSON as recorded, or empty
	After      string    `json:"after,omitempty"`
}

// Scope limits what a reader sees: entries about regions whose path matches Pattern, entries
// without a region made by users in that subtree, and — for an auditor at the top of the tree
// (Root) — entries with no region at all, such as sign-ins with unknown usernames.
type Scope struct {
	Pattern string // e.g. "/1/%"
	Root    bool
	// MinorsBornAfter, when set (YYYY-MM-DD), hides what entries about a resident born after it
	// say: the minors rule for a reader without minors.read.
	MinorsBornAfter string
}

// Filter narrows the audit log; zero fields do not filter.
type Filter struct {
	From, To   time.Time // entries at or after From and before To
	Username   string
	Action     string   // an exact action, or a prefix ending in "." such as "auth."
	Actions    []string // any of these actions (the personal-data preset)
	ObjectType string
	ObjectID   string
	IP         string
	Limit      int
	Offset     int
}

const recordColumns = `a.id, a.at, a.user_id, a.username, a.ip, a.request_id, a.action, a.object_type, a.object_id,
	a.region_id, COALESCE(r.name, ''), a.detail, a.before, a.after`

func scanRecord(row interface{ Scan(...any) error }) (*Row, error) {
	var rec Row
	var userID, regionID sql.NullInt64
	if err := row.Scan(&rec.ID, &rec.At, &userID, &rec.Username, &rec.IP, &rec.RequestID, &rec.Action, &rec.ObjectType,
		&rec.ObjectID, &regionID, &rec.RegionName, &rec.Detail, &rec.Before, &rec.After); err != nil {
		return nil, err
	}
	rec.UserID, rec.RegionID = userID.Int64, regionID.Int64
	rec.ActionName = ActionLabel(rec.Action)
	return &rec, nil
}

func scopeCond(s Scope, arg func(any) string) string {
	n := arg(s.Pattern)
	cond := `a.region_id IN (SELECT id FROM regions WHERE path LIKE ` + n + `) OR (a.region_id IS NULL AND a.user_id IN
		(SELECT u.id FROM users u JOIN regions ur ON ur.id = u.region_id WHERE ur.path LIKE ` + n + `))`
	if s.Root {
		cond += ` OR a.region_id IS NULL`
	}
	return "(" + cond + ")"
}

// List returns the entries in scope matching f, newest first, and how many match in all.
func List(ctx context.Context, q db.Querier, s Scope, f Filter) ([]Row, int, error) {
	if s.Pattern == "" {
		return nil, 0, errs.E(errs.Forbidden, "无权查看审计日志")
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := []string{scopeCond(s, arg)}
	if !f.From.IsZero() {
		where = append(where, `a.at >= `+arg(f.From.UTC()))
	}
	if !f.To.IsZero() {
		where = append(where, `a.at < `+arg(f.To.UTC()))
	}
	if f.Username != "" {
		where = append(where, `a.username = `+arg(f.Username))
	}
	switch {
	case strings.HasSuffix(f.Action, "."):
		where = append(where, `a.action LIKE `+arg(db.EscapeLike(f.Action)+"%")+` ESCAPE '\'`)
	case f.Action != "":
		where = append(where, `a.action = `+arg(f.Action))
	}
	if len(f.Actions) > 0 {
		var ph []string
		for _, a := range f.Actions {
			ph = append(ph, arg(a))
		}
		where = append(where, `a.action IN (`+strings.Join(ph, ", ")+`)`)
	}
	if f.ObjectType != "" {
		where = append(where, `a.object_type = `+arg(f.ObjectType))
	}
	if f.ObjectID != "" {
		where = append(where, `a.object_id = `+arg(f.ObjectID))
	}
	if f.IP != "" {
		where = append(where, `a.ip = `+arg(f.IP))
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log a WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit log: %w", err)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rows, err := q.QueryContext(ctx, `SELECT `+recordColumns+` FROM audit_log a LEFT JOIN regions r ON r.id = a.region_id
		WHERE `+cond+` ORDER BY a.at DESC, a.id DESC LIMIT `+arg(f.Limit)+` OFFSET `+arg(f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list audit log: %w", err)
	}
	defer rows.Close()
	out := []Row{}
	for rows.Next() {
		rec, err := scanRecord(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *rec)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	return out, total, hideMinors(ctx, q, s, out)
}

// Get returns one entry in scope; outside it, not found.
func Get(ctx context.Context, q db.Querier, s Scope, id int64) (*Row, error) {
	if s.Pattern == "" {
		return nil, errs.E(errs.Forbidden, "无权查看审计日志")
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	cond := scopeCond(s, arg)
	rec, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordColumns+` FROM audit_log a LEFT JOIN regions r ON r.id = a.region_id
		WHERE a.id = `+arg(id)+` AND `+cond, args...))
	if err != nil {
		return nil, db.NotFound(err, "审计记录不存在")
	}
	one := []Row{*rec}
	if err := hideMinors(ctx, q, s, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}
