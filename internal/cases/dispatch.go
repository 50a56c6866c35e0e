package cases

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"linli/internal/auth"
	"linli/internal/errs"
)

var targetLabels = map[string]string{"grid": "网格", "user": "人员", "unit": "共建单位", "department": "职能部门"}

// resolveTarget checks a dispatch target and returns its display name.
func (st *step) resolveTarget(ctx context.Context, t *Target, field string) (string, error) {
	switch t.Kind {
	case "grid":
		var name, path string
		err := st.tx.QueryRowContext(ctx, `SELECT r.name, r.path FROM grids g JOIN regions r ON r.id = g.id WHERE g.id = $1`,
			t.GridID).Scan(&name, &path)
		if err != nil || !st.actor.Principal.Covers(path) {
			return "", errs.Field(field, "所选网格不存在或不在您的管辖范围内")
		}
		t.UserID, t.Name = 0, ""
		return name, nil
	case "user":
		// Out of scope, inactive or unable to handle cases: one answer, naming nobody.
		var name, path string
		var role auth.Role
		var active bool
		err := st.tx.QueryRowContext(ctx, `SELECT u.name, u.role, u.active, r.path FROM users u JOIN regions r ON r.id = u.region_id
			WHERE u.id = $1`, t.UserID).Scan(&name, &role, &active, &path)
		if err != nil || !active || !st.actor.Principal.Covers(path) || !(&auth.Principal{Role: role}).Can(auth.CasesHandle) {
			return "", errs.Field(field, "所选人员不存在或不在您的管辖范围内")
		}
		t.GridID, t.Name = 0, ""
		return name, nil
	case "unit", "department":
		t.Name = strings.TrimSpace(t.Name)
		if t.Name == "" || utf8.RuneCountInString(t.Name) > 100 {
			return "", errs.Field(field, "请选择"+targetLabels[t.Kind])
		}
		ok, err := servesScope(ctx, st.tx, st.actor.Principal, t.Kind, t.Name)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", errs.Field(field, "所选"+targetLabels[t.Kind]+"不存在或不在您的管辖范围内")
		}
		t.GridID, t.UserID = 0, 0
		return t.Name, nil
	}
	return "", errs.Field(field, "派遣对象应为网格、人员、共建单位或职能部门")
}

func (st *step) dispatch(ctx context.Context) error {
	c := st.c
	if st.in.Lead == nil {
		return errs.Field("lead", "请选择主办对象")
	}
	if len(st.in.Assist) > 10 {
		return errs.Field("assist", "协办对象不能超过10个")
	}
	lim, err := st.limits(ctx)
	if err != nil {
		return err
	}
	signDue := deadline(st.cal, st.now, lim.Sign)
	targets := append([]Target{*st.in.Lead}, st.in.Assist...)
	names := make([]string, 0, len(targets))
	seen := map[string]bool{}
	for i := range targets {
		t := &targets[i]
		role, field := "lead", "lead"
		if i > 0 {
			role, field = "assist", "assist"
		}
		name, err := st.resolveTarget(ctx, t, field)
		if err != nil {
			return err
		}
		if i == 0 && t.Kind == "grid" {
			if err := st.holdInGrid(ctx, t.GridID); err != nil {
				return err
			}
		}
		key := fmt.Sprintf("%s/%d/%d/%s", t.Kind, t.GridID, t.UserID, t.Name)
		if seen[key] {
			return errs.Field(field, "“"+name+"”重复，主办和协办对象不能相同")
		}
		seen[key] = true
		_, err = st.tx.ExecContext(ctx, `INSERT INTO case_assignments (case_id, region_id, role, target_kind,
			target_grid_id, target_user_id, target_name, status, dispatched_by, dispatched_at, sign_deadline)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10)`,
			c.ID, c.RegionID, role, t.Kind, idOrNil(t.GridID), idOrNil(t.UserID), name,
			st.actor.Principal.UserID, st.now, signDue)
		if err != nil {
			return fmt.Errorf("insert assignment: %w", err)
		}
		label := "主办"
		if i > 0 {
			label = "协办"
		}
		names = append(names, label+"："+name)
	}
	c.DispatchedAt, c.SignDeadline, c.HandlerID = &st.now, &signDue, nil
	if targets[0].Kind == "user" {
		uid := targets[0].UserID
		c.HandlerID = &uid
	}
	st.ev.Detail = detailJSON(map[string]any{"targets": names, "sign_deadline": signDue})
	if st.ev.Note == "" {
		st.ev.Note = "派遣至 " + strings.Join(names, "；")
	}
	st.ev.Public = st.in.Public
	if err := st.s.schedule(ctx, st.tx, st.cal, c, "sign", st.now, signDue, lim.Sign.Working()); err != nil {
		return err
	}
	return st.notifyHolders(ctx, "case.dispatched", "新派遣案件"+c.Number, "“"+c.Title+"”已派遣给您，请及时签收。")
}

// holdInGrid makes the lead grid the grid that holds the case: its lists, figures and pages count
// the case there, and only there, until it moves again (escalated or re-dispatched).
func (st *step) holdInGrid(ctx context.Context, gridID int64) error {
	var community int64
	if err := st.tx.QueryRowContext(ctx, `SELECT community_id FROM grids WHERE id = $1`, gridID).Scan(&community); err != nil {
		return fmt.Errorf("grid community: %w", err)
	}
	st.c.GridID, st.c.RegionID, st.c.CommunityID = &gridID, gridID, community
	return nil
}

func (st *step) sign(ctx context.Context) error {
	p := st.actor.Principal
	rows, err := st.tx.QueryContext(ctx, `SELECT `+assignmentColumns+` FROM case_assignments
		WHERE case_id = $1 AND status = 'pending' ORDER BY role DESC, id`, st.c.ID)
	if err != nil {
		return err
	}
	var mine *Assignment
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			rows.Close()
			return err
		}
		if holds(p, a) && signs(p, a) && (mine == nil || a.Role == "lead") {
			mine = a
		}
	}
	rows.Close()
	if mine == nil {
		return errs.E(errs.Conflict, "没有待您签收的任务（派往网格的任务由网格长签收）")
	}
	if _, err := st.tx.ExecContext(ctx, `UPDATE case_assignments SET status = 'signed', signed_at = $1, signed_by = $2
		WHERE id = $3`, st.now, p.UserID, mine.ID); err != nil {
		return err
	}
	st.ev.Detail = detailJSON(map[string]any{"assignment": mine.ID, "role": mine.Role, "on_time": !st.now.After(mine.SignDeadline)})
	if mine.Role != "lead" {
		st.ev.ToState = st.c.State
		return nil
	}
	st.c.HandlerID = &p.UserID
	st.ev.Public = st.in.Public
	return nil
}

func (st *step) callback(ctx context.Context, resident bool) error {
	c, in := st.c, st.in
	f := errs.Fields{}
	if in.Resolved == nil {
		f.Add("resolved", "请选择问题是否已解决")
	}
	if in.Satisfaction.Label() == "" {
		f.Add("satisfaction", "请选择满意、基本满意或不满意")
	}
	if in.Satisfaction == Dissatisfied && in.Cause != "subjective" && in.Cause != "objective" {
		f.Add("cause", "不满意时请选择原因：主观原因（办理不到位）或客观原因（政策、条件限制）")
	}
	method := in.Method
	if resident {
		method = "link"
	} else if method == "" {
		method = "phone"
	} else if method != "phone" && method != "visit" && method != "sms" {
		f.Add("method", "回访方式应为电话、上门或短信")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if in.Satisfaction != Dissatisfied {
		in.Cause = ""
	}
	var by *int64
	if !resident {
		by = &st.actor.Principal.UserID
	}
	_, err := st.tx.ExecContext(ctx, `INSERT INTO case_callbacks (case_id, region_id, at, by_user_id, by_resident, method,
		resolved, satisfaction, cause, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.RegionID, st.now, by, resident, method, *in.Resolved, in.Satisfaction, in.Cause, st.in.Note)
	if err != nil {
		return fmt.Errorf("insert callback: %w", err)
	}
	c.CallbackAt, c.CallbackOK, c.Satisfaction = &st.now, in.Resolved, string(in.Satisfaction)
	resolved := "未解决"
	if *in.Resolved {
		resolved = "已解决"
	}
	st.ev.Detail = detailJSON(map[string]any{"resolved": *in.Resolved, "satisfaction": in.Satisfaction, "cause": in.Cause})
	st.ev.Note = strings.TrimSpace("回访结果：" + resolved + "，" + in.Satisfaction.Label() + "。" + st.in.Note)
	st.ev.Public = resident || st.in.Public // the resident's own rating is theirs to read again
	if in.Satisfaction == Dissatisfied && in.Cause == "subjective" && c.Outcome.Handled() {
		return st.reopen(ctx) // a merged duplicate is not reopened: its main case carries the work
	}
	return nil
}

// notifyHolders sends an in-app notice to whoever holds a task on the case.
func (st *step) notifyHolders(ctx context.Context, kind, title, body string) error {
	if st.s.opts.Notify == nil {
		return nil
	}
	users, err := st.s.recipients(ctx, st.tx, st.c, "sign")
	if err != nil {
		return err
	}
	n := Notice{Kind: kind, Title: title, Body: body, Link: fmt.Sprintf("/cases/%d", st.c.ID), RegionID: st.c.RegionID}
	for _, u := range users {
		if err := st.s.opts.Notify(ctx, st.tx, u, n); err != nil {
			return fmt.Errorf("notify %d: %w", u, err)
		}
	}
	return nil
}
