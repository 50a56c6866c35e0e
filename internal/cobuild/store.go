package cobuild

import (
	"context"
	"database/sql"

	"linli/internal/db"
)

// page returns the LIMIT/OFFSET clause; limit 0 means every row.
func page(w *where, limit, offset int) string {
	if limit <= 0 {
		return ""
	}
	return " LIMIT " + w.arg(limit) + " OFFSET " + w.arg(offset)
}

// count runs a COUNT(*) over from with w's conditions.
func count(ctx context.Context, q db.Querier, from string, w *where) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+from+w.sql(), w.args...).Scan(&n)
	return n, err
}

const unitFrom = `cobuild_units u JOIN regions r ON r.id = u.region_id`

func listUnits(ctx context.Context, q db.Querier, d db.Dialect, w *where, limit, offset int) ([]Unit, int, error) {
	total, err := count(ctx, q, unitFrom, w)
	if err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.region_id, r.name, u.name, u.kind, u.credit_code, u.address, u.party_org,
		u.secretary, u.signed_on, u.term_years, u.commitments, u.reported_on, u.active, u.created_at FROM `+unitFrom+w.sql()+
		` ORDER BY u.id`+page(w, limit, offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Unit{}
	byID := map[int64]int{}
	for rows.Next() {
		var u Unit
		if err := rows.Scan(&u.ID, &u.RegionID, &u.RegionName, &u.Name, &u.Kind, &u.CreditCode, &u.Address, &u.PartyOrg,
			&u.Secretary, &u.SignedOn, &u.TermYears, &u.Commitments, &u.ReportedOn, &u.Active, &u.CreatedAt); err != nil {
			return nil, 0, err
		}
		u.Contacts = []Contact{}
		byID[u.ID] = len(out)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, total, err
	}
	ids := make([]int64, len(out))
	for i, u := range out {
		ids[i] = u.ID
	}
	cw := &where{}
	crows, err := q.QueryContext(ctx, `SELECT c.unit_id, us.id, us.username, us.name FROM cobuild_unit_contacts c
		JOIN users us ON us.id = c.user_id WHERE `+d.InIDs("c.unit_id", ids, &cw.args)+` ORDER BY us.id`, cw.args...)
	if err != nil {
		return nil, 0, err
	}
	defer crows.Close()
	for crows.Next() {
		var unitID int64
		var c Contact
		if err := crows.Scan(&unitID, &c.UserID, &c.Username, &c.Name); err != nil {
			return nil, 0, err
		}
		out[byID[unitID]].Contacts = append(out[byID[unitID]].Contacts, c)
	}
	return out, total, crows.Err()
}

const needFrom = `cobuild_needs n JOIN regions r ON r.id = n.region_id LEFT JOIN cobuild_units u ON u.id = n.unit_id
	LEFT JOIN cobuild_projects p ON p.need_id = n.id`

func listNeeds(ctx context.Context, q db.Querier, w *where, order string, limit, offset int) ([]Need, int, error) {
	total, err := count(ctx, q, needFrom, w)
	if err != nil {
		return nil, 0, err
	}
	if order == "" {
		order = "n.raised_on DESC, n.id DESC"
	}
	rows, err := q.QueryContext(ctx, `SELECT n.id, n.region_id, r.name, n.title, n.category, n.detail, n.beneficiary,
		n.building_id, n.focus_group, n.households, n.urgency, n.want_people, n.want_hours, n.want_money, n.want_room,
		n.want_skill, n.source, n.visit_id, n.case_id, n.state, n.raised_on, n.unit_id, COALESCE(u.name, ''), n.claimed_on,
		n.done_on, n.satisfaction, n.evaluation, p.id, n.created_at, n.review, n.review_note, n.reviewed_on FROM `+needFrom+w.sql()+` ORDER BY `+order+
		page(w, limit, offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Need{}
	for rows.Next() {
		var n Need
		var building, visit, cs, unit, project sql.NullInt64
		if err := rows.Scan(&n.ID, &n.RegionID, &n.RegionName, &n.Title, &n.Category, &n.Detail, &n.Beneficiary, &building,
			&n.FocusGroup, &n.Households, &n.Urgency, &n.WantPeople, &n.WantHours, &n.WantMoney, &n.WantRoom, &n.WantSkill,
			&n.Source, &visit, &cs, &n.State, &n.RaisedOn, &unit, &n.UnitName, &n.ClaimedOn, &n.DoneOn, &n.Satisfaction,
			&n.Evaluation, &project, &n.CreatedAt, &n.Review, &n.ReviewNote, &n.ReviewedOn); err != nil {
			return nil, 0, err
		}
		n.BuildingID, n.VisitID, n.CaseID, n.UnitID, n.ProjectID = idPtr(building), idPtr(visit), idPtr(cs), idPtr(unit), idPtr(project)
		out = append(out, n)
	}
	return out, total, rows.Err()
}

const resourceFrom = `cobuild_resources s LEFT JOIN cobuild_units u ON u.id = s.unit_id`

// resourceUsed is the SQL expression of a resource's used quantity.
const resourceUsed = `COALESCE((SELECT SUM(x.amount) FROM cobuild_resource_uses x WHERE x.resource_id = s.id), 0)`

func listResources(ctx context.Context, q db.Querier, w *where, limit, offset int) ([]Resource, int, error) {
	total, err := count(ctx, q, resourceFrom, w)
	if err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.region_id, s.unit_id, COALESCE(u.name, ''), s.person, s.kind, s.category,
		s.title, s.detail, s.quantity, s.measure, `+resourceUsed+`, s.availability, s.available_from, s.available_to,
		s.conditions, s.created_at FROM `+resourceFrom+w.sql()+` ORDER BY s.available_from DESC, s.id DESC`+
		page(w, limit, offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Resource{}
	for rows.Next() {
		var r Resource
		var unit sql.NullInt64
		if err := rows.Scan(&r.ID, &r.RegionID, &unit, &r.UnitName, &r.Person, &r.Kind, &r.Category, &r.Title, &r.Detail,
			&r.Quantity, &r.Measure, &r.Used, &r.Availability, &r.AvailableFrom, &r.AvailableTo, &r.Conditions,
			&r.CreatedAt); err != nil {
			return nil, 0, err
		}
		r.UnitID = idPtr(unit)
		out = append(out, r)
	}
	return out, total, rows.Err()
}

const projectFrom = `cobuild_projects p JOIN cobuild_needs n ON n.id = p.need_id JOIN cobuild_units u ON u.id = p.unit_id`

func listProjects(ctx context.Context, q db.Querier, w *where, limit, offset int) ([]Project, int, error) {
	total, err := count(ctx, q, projectFrom, w)
	if err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.region_id, p.need_id, n.title, n.category, p.unit_id, u.name, p.title,
		p.plan, p.state, p.started_on, p.finished_on, p.satisfaction, p.evaluation, p.created_at FROM `+projectFrom+w.sql()+
		` ORDER BY p.started_on DESC, p.id DESC`+page(w, limit, offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Project{}
	for rows.Next() {
		var p Project
		if err := rows.Scan(&p.ID, &p.RegionID, &p.NeedID, &p.NeedTitle, &p.Category, &p.UnitID, &p.UnitName, &p.Title,
			&p.Plan, &p.State, &p.StartedOn, &p.FinishedOn, &p.Satisfaction, &p.Evaluation, &p.CreatedAt); err != nil {
			return nil, 0, err
		}
		p.Milestones, p.Uses = []Milestone{}, []Use{}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// milestones returns the milestones matching w (joined as m with project p), by due date.
func milestones(ctx context.Context, q db.Querier, w *where) ([]Milestone, error) {
	rows, err := q.QueryContext(ctx, `SELECT m.id, m.project_id, m.title, m.due_on, m.done_on, p.title
		FROM cobuild_milestones m JOIN cobuild_projects p ON p.id = m.project_id`+w.sql()+` ORDER BY m.due_on, m.id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Milestone{}
	for rows.Next() {
		var m Milestone
		if err := rows.Scan(&m.ID, &m.ProjectID, &m.Title, &m.DueOn, &m.DoneOn, &m.Project); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func projectUses(ctx context.Context, q db.Querier, projectID int64) ([]Use, error) {
	rows, err := q.QueryContext(ctx, `SELECT x.id, x.resource_id, s.title, s.measure, x.amount, x.used_on, x.note
		FROM cobuild_resource_uses x JOIN cobuild_resources s ON s.id = x.resource_id WHERE x.project_id = $1
		ORDER BY x.used_on, x.id`, projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Use{}
	for rows.Next() {
		var u Use
		if err := rows.Scan(&u.ID, &u.ResourceID, &u.Resource, &u.Measure, &u.Amount, &u.UsedOn, &u.Note); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
