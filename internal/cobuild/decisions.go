package cobuild

import (
	"context"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// DecisionFilter narrows the decisions list; From/To select by the day of the meeting that made
// them. OnTime keeps decisions closed by their due date, Late those closed after it or still open
// past it.
type DecisionFilter struct {
	RegionID int64
	State    string
	UnitID   int64
	From, To string
	OnTime   bool
	Late     bool
	Limit    int
	Offset   int
}

const decisionFrom = `cobuild_decisions d JOIN cobuild_meetings m ON m.id = d.meeting_id JOIN cobuild_units u ON u.id = d.unit_id`

func decisionScope(w *where, v viewer) {
	w.add(db.InScope("d.region_id", "?"), v.scope)
	if !v.staff() {
		w.add("d.unit_id = ?", v.unitID)
	}
}

func listDecisions(ctx context.Context, q db.Querier, w *where, limit, offset int) ([]Decision, int, error) {
	total, err := count(ctx, q, decisionFrom, w)
	if err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT d.id, d.region_id, d.meeting_id, m.title, d.text, d.unit_id, u.name, d.due_on,
		d.state, d.closed_on, d.closed_note, d.created_at FROM `+decisionFrom+w.sql()+` ORDER BY d.due_on, d.id`+
		page(w, limit, offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Decision{}
	for rows.Next() {
		var d Decision
		if err := rows.Scan(&d.ID, &d.RegionID, &d.MeetingID, &d.Meeting, &d.Text, &d.UnitID, &d.UnitName, &d.DueOn, &d.State,
			&d.ClosedOn, &d.ClosedNote, &d.CreatedAt); err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

// Decisions lists the decisions the viewer may see (a unit contact: those their unit owns) that
// match f, by due date, and the total.
func (s *Service) Decisions(ctx context.Context, f DecisionFilter) ([]Decision, int, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, 0, err
	}
	w, err := s.decisionWhere(ctx, v, f)
	if err != nil {
		return nil, 0, err
	}
	return listDecisions(ctx, s.db.R, w, f.Limit, f.Offset)
}

// decisionWhere builds the conditions of the decision list for the viewer and filter; the list and the
// figures both count through it, so a figure is always the total of its list.
func (s *Service) decisionWhere(ctx context.Context, v viewer, f DecisionFilter) (*where, error) {
	within, err := s.within(ctx, v, f.RegionID)
	if err != nil {
		return nil, err
	}
	w := &where{}
	decisionScope(w, v)
	w.add(db.InScope("d.region_id", "?"), within)
	if f.State != "" {
		w.add("d.state = ?", f.State)
	}
	if f.UnitID > 0 {
		w.add("d.unit_id = ?", f.UnitID)
	}
	if f.From != "" {
		w.add("m.held_on >= ?", f.From)
	}
	if f.To != "" {
		w.add("m.held_on <= ?", f.To)
	}
	if f.OnTime {
		w.conds = append(w.conds, "d.state = 'closed' AND d.closed_on <= d.due_on")
	}
	if f.Late {
		w.add("((d.state = 'closed' AND d.closed_on > d.due_on) OR (d.state = 'open' AND d.due_on < ?))", s.today())
	}
	return w, nil
}

// Decision returns one decision the viewer may see.
func (s *Service) Decision(ctx context.Context, id int64) (*Decision, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	return decisionFor(ctx, s.db.R, v, id)
}

func decisionFor(ctx context.Context, q db.Querier, v viewer, id int64) (*Decision, error) {
	w := &where{}
	decisionScope(w, v)
	w.add("d.id = ?", id)
	out, _, err := listDecisions(ctx, q, w, 1, 0)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errs.E(errs.NotFound, "决议事项不存在")
	}
	return &out[0], nil
}

// CloseDecision closes a decision 销号 with a note of what was done. The community closes it; the
// owner unit's contact may close their own.
func (s *Service) CloseDecision(ctx context.Context, id int64, note string) (*Decision, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Decision, error) {
		v, err := s.viewer(ctx, tx, s.actPerm(ctx))
		if err != nil {
			return nil, err
		}
		d, err := decisionFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		note = clean(note)
		if note == "" || tooLong(note, 500) {
			return nil, errs.Field("note", "请填写落实情况（500字以内）")
		}
		res, err := tx.ExecContext(ctx, `UPDATE cobuild_decisions SET state = 'closed', closed_on = $1, closed_note = $2,
			updated_at = $3 WHERE id = $4 AND state = 'open'`, s.today(), note, s.now().UTC(), id)
		if err != nil {
			return nil, err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return nil, errs.E(errs.Conflict, "该决议事项已销号")
		}
		if d, err = decisionFor(ctx, tx, v, id); err != nil {
			return nil, err
		}
		return d, record(ctx, tx, "cobuild.decision.close", "cobuild_decision", id, d.RegionID, "决议销号："+d.Text, d)
	})
}
