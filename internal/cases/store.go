package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/search"
)

// caseColumns selects a case with the names lists show; the FROM clause is caseFrom.
const caseColumns = `c.id, c.number, c.community_id, c.region_id, r.name, r.path, c.grid_id, COALESCE(g.name, ''),
	c.channel, ch.name, c.category_id, COALESCE(cp.name || ' › ', '') || cat.name, c.priority, c.title,
	c.description, c.address, c.building_id, c.household_id, c.resident_id, c.lon, c.lat, c.reporter_name,
	c.reporter_phone_masked, c.anonymous, COALESCE(c.external_no, ''), c.external_deadline, c.state, c.outcome,
	c.received_at, c.accept_deadline, c.accepted_at, c.dispatched_at, c.sign_deadline, c.handle_deadline,
	c.reported_at, c.reported_by, c.closed_at, c.closed_by, c.handle_minutes, c.callback_deadline, c.callback_at,
	c.callback_resolved, c.callback_satisfaction, c.handler_id, COALESCE(hu.name, ''), c.suspended_at,
	c.suspended_minutes, c.suspend_reason, c.suspend_requested_by, c.extension_until, c.extension_reason,
	c.extension_requested_by, c.reopen_count, c.supervised, c.supervised_at, c.overdue, c.tracking_code,
	c.merged_into, c.created_by, c.version, c.created_at, c.updated_at, ` + caseBornColumn

const caseFrom = ` FROM cases c
	JOIN regions r ON r.id = c.region_id
	LEFT JOIN regions g ON g.id = c.grid_id
	JOIN case_channels ch ON ch.code = c.channel
	JOIN case_categories cat ON cat.id = c.category_id
	LEFT JOIN case_categories cp ON cp.id = cat.parent_id
	LEFT JOIN users hu ON hu.id = c.handler_id` + caseBornJoin

// caseBornColumn and caseBornJoin read the birth date of the resident a case concerns, only to hide
// a minor's case from users without the minors permission (hideMinor).
const (
	caseBornColumn = `COALESCE(mr.birth_date, '')`
	caseBornJoin   = `
	LEFT JOIN residents mr ON mr.id = c.resident_id`
)

// withoutBorn returns statement q, of caseColumns and caseFrom, without the resident's birth date
// (” in its place) nor its join: for a user who may see minors, whom hideMinor never hides a case
// from, a long list then reads no resident row per case.
func withoutBorn(q string) string {
	return strings.Replace(strings.Replace(q, caseBornColumn, "''", 1), caseBornJoin, "", 1)
}

// caseTimeColumns are the TIMESTAMP columns of caseColumns, which caseColumnsText reads as text.
var caseTimeColumns = []string{"c.external_deadline", "c.received_at", "c.accept_deadline", "c.accepted_at",
	"c.dispatched_at", "c.sign_deadline", "c.handle_deadline", "c.reported_at", "c.closed_at", "c.callback_deadline",
	"c.callback_at", "c.suspended_at", "c.extension_until", "c.supervised_at", "c.created_at", "c.updated_at"}

// caseColumnsText is caseColumns with its instants read through db.TimeText on SQLite, for the
// export: its driver parses each with time.Parse twice, a fifth of the export's CPU. scanCase
// reads either.
var caseColumnsText = func() string {
	s := caseColumns
	for _, col := range caseTimeColumns {
		if strings.Count(s, col+",") != 1 {
			panic("cases: caseColumns does not hold " + col + " once")
		}
		s = strings.Replace(s, col+",", db.SQLite.TimeText(col)+",", 1)
	}
	return s
}()

// exportColumns is the column list an export reads in dialect d (caseColumnsText on SQLite).
func exportColumns(d db.Dialect) string {
	if d == db.SQLite {
		return caseColumnsText
	}
	return caseColumns
}

// scanCase reads a row of caseColumns (or caseColumnsText), its instants in UTC.
func scanCase(row interface{ Scan(...any) error }) (*Case, error) {
	c := &Case{}
	err := row.Scan(&c.ID, &c.Number, &c.CommunityID, &c.RegionID, &c.RegionName, &c.regionPath, &c.GridID,
		&c.GridName, &c.Channel, &c.ChannelName, &c.CategoryID, &c.CategoryName, &c.Priority, &c.Title,
		&c.Description, &c.Address, &c.BuildingID, &c.HouseholdID, &c.ResidentID, &c.Lon, &c.Lat,
		&c.ReporterName, &c.ReporterPhone, &c.Anonymous, &c.ExternalNo, db.NullTime{T: &c.ExternalDue}, &c.State, &c.Outcome,
		db.Time{T: &c.ReceivedAt}, db.NullTime{T: &c.AcceptDeadline}, db.NullTime{T: &c.AcceptedAt},
		db.NullTime{T: &c.DispatchedAt}, db.NullTime{T: &c.SignDeadline}, db.NullTime{T: &c.HandleDeadline},
		db.NullTime{T: &c.ReportedAt}, &c.ReportedBy, db.NullTime{T: &c.ClosedAt}, &c.ClosedBy, &c.HandleMinutes,
		db.NullTime{T: &c.CallbackDue}, db.NullTime{T: &c.CallbackAt},
		&c.CallbackOK, &c.Satisfaction, &c.HandlerID, &c.HandlerName, db.NullTime{T: &c.SuspendedAt}, &c.SuspendedMin,
		&c.SuspendReason, &c.SuspendAsked, db.NullTime{T: &c.ExtensionUntil}, &c.ExtensionNote, &c.ExtensionBy, &c.ReopenCount,
		&c.Supervised, db.NullTime{T: &c.SupervisedAt}, &c.Overdue, &c.TrackingCode, &c.MergedInto, &c.CreatedBy, &c.Version,
		db.Time{T: &c.CreatedAt}, db.Time{T: &c.UpdatedAt}, &c.residentBorn)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// loadCase reads a case by id without scope; callers check scope themselves.
func loadCase(ctx context.Context, q db.Querier, id int64) (*Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseColumns+caseFrom+` WHERE c.id = $1`, id))
	if err != nil {
		return nil, db.NotFound(err, "案件不存在或您无权查看")
	}
	return c, nil
}

// insertCase writes a case just received (state received, no later date) and returns its id.
// topCategory is the top-level category of c.CategoryID.
func insertCase(ctx context.Context, tx db.Querier, c *Case, topCategory int64, phoneEnc []byte, phoneIndex string) (int64, error) {
	var ext, phoneIdx any
	if c.ExternalNo != "" {
		ext = c.ExternalNo
	}
	if phoneIndex != "" {
		phoneIdx = phoneIndex
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO cases (number, community_id, region_id, grid_id, channel,
		category_id, priority, title, description, address, building_id, household_id, resident_id, lon, lat,
		reporter_name, reporter_phone_enc, reporter_phone_index, reporter_phone_masked, anonymous, external_no,
		external_deadline, state, received_at, accept_deadline, tracking_code, created_by, version, created_at,
		updated_at, overdue)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
		$22, $23, $24, $25, $26, $27, 1, $28, $28, $29) RETURNING id`,
		c.Number, c.CommunityID, c.RegionID, c.GridID, c.Channel, c.CategoryID, c.Priority, c.Title,
		c.Description, c.Address, c.BuildingID, c.HouseholdID, c.ResidentID, c.Lon, c.Lat, c.ReporterName,
		phoneEnc, phoneIdx, c.ReporterPhone, c.Anonymous, ext, c.ExternalDue, c.State, c.ReceivedAt,
		c.AcceptDeadline, c.TrackingCode, c.CreatedBy, c.CreatedAt, c.Overdue).Scan(&id)
	if db.IsUnique(err) && c.ExternalNo != "" {
		return 0, errs.E(errs.Conflict, "12345工单 %s 已登记", c.ExternalNo)
	}
	if err != nil {
		return 0, fmt.Errorf("insert case: %w", err)
	}
	if err := (&tallyChange{id: id}).add(ctx, tx, receivedTally(c, topCategory)); err != nil {
		return 0, err
	}
	return id, nil
}

// saveCase writes every mutable column of c when the stored version is still prev, and bumps the
// version. A lost race answers a conflict, so the loser changes nothing.
func saveCase(ctx context.Context, tx db.Querier, c *Case, prev int, now time.Time) error {
	var cbSat any = c.Satisfaction
	tally, err := tallyBefore(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE cases SET region_id = $1, grid_id = $2, category_id = $3, priority = $4,
		state = $5, outcome = $6, accept_deadline = $7, accepted_at = $8, dispatched_at = $9, sign_deadline = $10,
		handle_deadline = $11, reported_at = $12, reported_by = $13, closed_at = $14, closed_by = $36, handle_minutes = $15,
		callback_deadline = $16, callback_at = $17, callback_resolved = $18, callback_satisfaction = $19,
		handler_id = $20, suspended_at = $21, suspended_minutes = $22, suspend_reason = $23,
		suspend_requested_by = $24, extension_until = $25, extension_reason = $26, extension_requested_by = $27,
		reopen_count = $28, supervised = $29, supervised_at = $30, overdue = $31, merged_into = $32,
		version = version + 1, updated_at = $33, community_id = $37, `+leadFacts+`
		WHERE id = $34 AND version = $35`,
		c.RegionID, c.GridID, c.CategoryID, c.Priority, c.State, c.Outcome, c.AcceptDeadline, c.AcceptedAt,
		c.DispatchedAt, c.SignDeadline, c.HandleDeadline, c.ReportedAt, c.ReportedBy, c.ClosedAt, c.HandleMinutes,
		c.CallbackDue, c.CallbackAt, c.CallbackOK, cbSat, c.HandlerID, c.SuspendedAt, c.SuspendedMin,
		c.SuspendReason, c.SuspendAsked, c.ExtensionUntil, c.ExtensionNote, c.ExtensionBy, c.ReopenCount,
		c.Supervised, c.SupervisedAt, c.Overdue, c.MergedInto, now, c.ID, prev, c.ClosedBy, c.CommunityID)
	if err != nil {
		return fmt.Errorf("save case %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errConflict()
	}
	if err := tally.apply(ctx, tx); err != nil {
		return err
	}
	c.Version = prev + 1
	c.UpdatedAt = now
	return nil
}

func errConflict() error {
	return errs.E(errs.Conflict, "案件已被他人处理，请刷新后重试")
}

// insertEvent appends a timeline row and returns its id (0 when tx queues its writes: db.Deferring).
func insertEvent(ctx context.Context, tx db.Querier, c *Case, e *Event) (int64, error) {
	att, _ := json.Marshal(nonNil(e.Attachments))
	var id int64
	const q = `INSERT INTO case_events (case_id, region_id, at, user_id, actor_name, action,
		from_state, to_state, note, public, attachments, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`
	args := []any{c.ID, c.RegionID, e.At, e.UserID, e.ActorName, e.Action, e.FromState, e.ToState, e.Note, e.Public,
		string(att), e.Detail}
	var err error
	if db.Deferring(tx) {
		_, err = tx.ExecContext(ctx, q, args...)
	} else {
		err = tx.QueryRowContext(ctx, q, args...).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("insert case event: %w", err)
	}
	return id, nil
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// reindex rewrites the case's full-text row from its title, description, address and notes.
func reindex(ctx context.Context, q db.Querier, d db.Dialect, c *Case) error {
	rows, err := q.QueryContext(ctx, `SELECT note FROM case_events WHERE case_id = $1 AND note <> ''`, c.ID)
	if err != nil {
		return err
	}
	var notes []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		notes = append(notes, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reindex case %d: %w", c.ID, err)
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM case_fts WHERE rowid = $1`, c.ID); err != nil {
		return fmt.Errorf("reindex case %d: %w", c.ID, err)
	}
	return writeIndex(ctx, q, d, c, notes)
}

// writeIndex writes the full-text row of a case that has none yet, from its fields and the given notes.
func writeIndex(ctx context.Context, q db.Querier, d db.Dialect, c *Case, notes []string) error {
	parts := append([]string{c.Title, c.Description, c.Address, c.Number, c.ExternalNo}, notes...)
	_, err := q.ExecContext(ctx, `INSERT INTO case_fts (rowid, tokens) VALUES ($1, `+d.FTSValue("$2")+`)`,
		c.ID, search.Tokens(strings.Join(parts, " ")))
	if err != nil {
		return fmt.Errorf("index case %d: %w", c.ID, err)
	}
	return nil
}

func listEvents(ctx context.Context, q db.Querier, caseID int64, publicOnly bool) ([]Event, error) {
	query := `SELECT id, at, user_id, actor_name, action, from_state, to_state, note, public, attachments, detail
		FROM case_events WHERE case_id = $1`
	if publicOnly {
		query += ` AND public`
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list case events: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var att string
		if err := rows.Scan(&e.ID, &e.At, &e.UserID, &e.ActorName, &e.Action, &e.FromState, &e.ToState, &e.Note,
			&e.Public, &att, &e.Detail); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		if e.ActionLabel = e.Action.Label(); e.Action == ActLocate {
			e.ActionLabel = "定位"
		}
		_ = json.Unmarshal([]byte(att), &e.Attachments)
		e.Attachments = nonNil(e.Attachments)
		out = append(out, e)
	}
	return out, rows.Err()
}

const assignmentColumns = `id, role, target_kind, target_grid_id, target_user_id, target_name, status, dispatched_at,
	sign_deadline, signed_at, signed_by, returned_at, return_reason`

func scanAssignment(row interface{ Scan(...any) error }) (*Assignment, error) {
	a := &Assignment{}
	err := row.Scan(&a.ID, &a.Role, &a.TargetKind, &a.TargetGridID, &a.TargetUserID, &a.TargetName, &a.Status,
		&a.DispatchedAt, &a.SignDeadline, &a.SignedAt, &a.SignedBy, &a.ReturnedAt, &a.ReturnReason)
	return a, err
}

func listAssignments(ctx context.Context, q db.Querier, caseID int64) ([]Assignment, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+assignmentColumns+` FROM case_assignments WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list assignments: %w", err)
	}
	defer rows.Close()
	out := []Assignment{}
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

func listAttachments(ctx context.Context, q db.Querier, caseID int64) ([]Attachment, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, event_id, file_name, content_type, size, sha256, created_at, path
		FROM case_attachments WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.EventID, &a.FileName, &a.ContentType, &a.Size, &a.SHA256, &a.CreatedAt, &a.Path); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func listCallbacks(ctx context.Context, q db.Querier, caseID int64) ([]Callback, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, at, by_user_id, by_resident, method, resolved, satisfaction, cause, note
		FROM case_callbacks WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list callbacks: %w", err)
	}
	defer rows.Close()
	out := []Callback{}
	for rows.Next() {
		var cb Callback
		if err := rows.Scan(&cb.ID, &cb.At, &cb.ByUserID, &cb.ByResident, &cb.Method, &cb.Resolved, &cb.Satisfaction,
			&cb.Cause, &cb.Note); err != nil {
			return nil, err
		}
		out = append(out, cb)
	}
	return out, rows.Err()
}

func listMerged(ctx context.Context, q db.Querier, caseID int64) ([]CaseRef, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, number, title, state FROM cases WHERE merged_into = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list merged: %w", err)
	}
	defer rows.Close()
	out := []CaseRef{}
	for rows.Next() {
		var r CaseRef
		if err := rows.Scan(&r.ID, &r.Number, &r.Title, &r.State); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// nextNumber allocates the community's next case number of the year, e.g. NG-2024-000153, with
// the community's prefix (numberPrefix).
func nextNumber(ctx context.Context, tx db.Querier, communityID int64, prefix string, year int) (string, error) {
	var last int
	err := tx.QueryRowContext(ctx, `INSERT INTO case_counters (community_id, year, last) VALUES ($1, $2, 1)
		ON CONFLICT (community_id, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`,
		communityID, year).Scan(&last)
	if err != nil {
		return "", fmt.Errorf("case number: %w", err)
	}
	return fmt.Sprintf("%s-%d-%06d", prefix, year, last), nil
}

// numberPrefix is the prefix of a community's case numbers: the one stored in case_prefixes, or
// SQ and the last three characters of the community's code.
func numberPrefix(stored *string, code string) string {
	if stored != nil {
		return *stored
	}
	return "SQ" + code[max(0, len(code)-3):]
}
