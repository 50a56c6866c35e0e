package mediation

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/workday"
)

// step is one action being applied inside its transaction.
type step struct {
	s     *Service
	tx    *db.Tx
	v     *viewer
	c     *Case
	in    ActionInput
	on    string // the date it happened
	today string
	cal   *workday.Calendar
	to    State
	note  string
	sets  []string // column = value assignments for the case row
	args  *db.Args
}

func (st *step) set(col string, v any) { st.sets = append(st.sets, col+" = "+st.args.Add(v)) }

// Act takes action a on case id in one transaction: it checks the state machine, the principal's
// right and scope, the input, applies the action, writes the timeline row and the audit entry,
// and saves the case only if nobody changed it meanwhile. Anything invalid changes nothing.
func (s *Service) Act(ctx context.Context, id int64, a Action, in ActionInput) (*Detail, error) {
	v, err := s.writer(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	if _, ok := from[a]; !ok {
		return nil, errs.E(errs.NotFound, "未知的操作：%s", a)
	}
	cal, err := s.opts.Calendar(ctx) // before the transaction: loading may write
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.visible(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != c.Version {
			return errConflict()
		}
		if err := Allowed(a, c.State); err != nil {
			return err
		}
		st := &step{s: s, tx: tx, v: v, c: c, in: in, today: s.Today(), cal: cal, to: c.State, args: &db.Args{},
			note: strings.TrimSpace(in.Note)}
		if utf8.RuneCountInString(st.note) > 2000 {
			return errs.Field("note", "说明不能超过2000字")
		}
		st.on = in.On
		if st.on == "" {
			st.on = st.today
		}
		if !validDate(st.on) {
			return errs.Field("on", "日期格式应为YYYY-MM-DD")
		}
		if st.on > st.today {
			return errs.Field("on", "日期不能晚于今天")
		}
		if st.on < c.RegisteredOn {
			return errs.Field("on", "日期不能早于登记日期"+c.RegisteredOn)
		}
		if err := st.apply(ctx, a); err != nil {
			return err
		}
		return st.save(ctx, a)
	})
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, s.db.W, v, id)
}

// save writes the case row (with a version check), the timeline row and the audit entry.
func (st *step) save(ctx context.Context, a Action) error {
	now := st.s.now()
	st.set("state", string(st.to))
	st.set("updated_at", now)
	idPh, verPh := st.args.Add(st.c.ID), st.args.Add(st.c.Version)
	res, err := st.tx.ExecContext(ctx, `UPDATE mediation_cases SET `+strings.Join(st.sets, ", ")+`, version = version + 1
		WHERE id = `+idPh+` AND version = `+verPh, *st.args...)
	if err != nil {
		return fmt.Errorf("update mediation: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errConflict()
	}
	if err := event(ctx, st.tx, st.c.ID, st.v.p, now, string(a), st.c.State, st.to, st.note); err != nil {
		return err
	}
	return audit.Record(ctx, st.tx, audit.Entry{Action: "mediation." + string(a), ObjectType: "mediation", ObjectID: st.c.ID,
		RegionID: st.c.CommunityID, Detail: st.c.Number + " " + a.Label(),
		Before: map[string]any{"state": st.c.State, "version": st.c.Version},
		After:  map[string]any{"state": st.to, "on": st.on, "note": st.note, "input": auditInput(a, st.in)}})
}

// auditInput is what the audit keeps of an action's input (no personal numbers are ever in it).
func auditInput(a Action, in ActionInput) any {
	switch a {
	case ActAgree, ActAgreeOral:
		return in.Agreement
	case ActRecord:
		return in.Record
	case ActInvite:
		return in.Participant
	case ActFollowUp:
		return in.Followup
	}
	return map[string]any{"party_id": in.PartyID, "consent": in.Consent, "referral": in.Referral, "until": in.Until,
		"mediators": in.Mediators, "confirmation": in.Confirmation, "document": in.DocumentKind,
		"prevented_criminal": in.PreventedCriminal, "prevented_petition": in.PreventedPetition}
}

func (st *step) apply(ctx context.Context, a Action) error {
	switch a {
	case ActConsent:
		return st.consent(ctx)
	case ActAccept:
		return st.accept(ctx)
	case ActRefuse, ActFail:
		return st.end(a)
	case ActAssign:
		return st.assign(ctx)
	case ActRecord:
		return st.record(ctx)
	case ActInvite:
		return st.invite(ctx)
	case ActExtend:
		return st.extend()
	case ActAgree, ActAgreeOral:
		return st.agree(ctx, a == ActAgreeOral)
	case ActFollowUp:
		return st.followUp(ctx)
	case ActReopen:
		return st.reopen(ctx)
	case ActConfirm:
		return st.confirm()
	case ActJudge:
		return st.judge()
	case ActAddDocument:
		return st.addDocument(ctx)
	case ActArchive:
		return st.archive(ctx)
	}
	return errs.E(errs.NotFound, "未知的操作：%s", a)
}

// consent records one party's willingness (Art. 17) and, when given, the 告知书.
func (st *step) consent(ctx context.Context) error {
	if st.in.Consent != "agreed" && st.in.Consent != "refused" {
		return errs.Field("consent", "请选择当事人是否同意调解")
	}
	how := strings.TrimSpace(st.in.ConsentHow)
	if how == "" {
		return errs.Field("consent_how", "请注明当事人表示意愿的方式（书面、口头、电话）")
	}
	notified := ""
	if st.in.Notified {
		notified = st.on
	}
	res, err := st.tx.ExecContext(ctx, `UPDATE mediation_parties SET consent = $1, consent_on = $2, consent_how = $3,
		notified_on = CASE WHEN $4 = '' THEN notified_on ELSE $4 END WHERE id = $5 AND mediation_id = $6`,
		st.in.Consent, st.on, how, notified, st.in.PartyID, st.c.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.Field("party_id", "请选择本案的当事人")
	}
	return nil
}

// accept opens the mediation once every party agreed and was told their rights; the 30-day
// target runs from the day of acceptance.
func (st *step) accept(ctx context.Context) error {
	var pending, refused, unnotified, latest int
	var last string
	err := st.tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN consent = 'pending' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN consent = 'refused' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN notified_on = '' THEN 1 ELSE 0 END), 0), COUNT(*), COALESCE(MAX(consent_on), '')
		FROM mediation_parties WHERE mediation_id = $1`, st.c.ID).Scan(&pending, &refused, &unnotified, &latest, &last)
	if err != nil {
		return err
	}
	switch {
	case refused > 0:
		return errs.E(errs.Invalid, "有当事人拒绝调解，依照《人民调解法》第十七条不得受理，请办理不予受理并告知其他解决途径")
	case pending > 0:
		return errs.E(errs.Invalid, "尚有%d名当事人未表示同意调解，不能受理", pending)
	case unnotified > 0:
		return errs.E(errs.Invalid, "尚有%d名当事人未送达权利义务告知书", unnotified)
	case st.on < last:
		return errs.Field("on", "受理日期不能早于当事人同意调解的日期"+last)
	}
	st.to = Accepted
	st.set("accepted_on", st.on)
	st.set("due_on", addDays(st.on, TargetDays))
	return nil
}

// end closes the case without agreement (调解不成) or refuses it (不予受理/终止), with the
// referral the parties were given.
func (st *step) end(a Action) error {
	ref := strings.TrimSpace(st.in.Referral)
	if ref == "" {
		return errs.Field("referral", "请告知当事人其他解决途径（诉讼、仲裁、行政处理等）")
	}
	if st.note == "" {
		return errs.Field("note", "请填写原因")
	}
	if st.c.AcceptedOn != "" && st.on < st.c.AcceptedOn {
		return errs.Field("on", "日期不能早于受理日期"+st.c.AcceptedOn)
	}
	st.to, st.c.Outcome = Failed, OutcomeFailed
	if a == ActRefuse {
		st.to, st.c.Outcome = Refused, OutcomeRefused
	}
	st.set("outcome", string(st.c.Outcome))
	st.set("closed_on", st.on)
	st.set("referral", ref)
	st.set("close_reason", st.note)
	return nil
}

func (st *step) assign(ctx context.Context) error {
	lead, ids, err := checkMediators(ctx, st.tx, st.v.p, st.c.CommunityID, st.in.LeadMediator, st.in.Mediators)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errs.Field("mediator_ids", "请选择调解员")
	}
	if _, err := st.tx.ExecContext(ctx, `DELETE FROM mediation_mediators WHERE mediation_id = $1`, st.c.ID); err != nil {
		return err
	}
	for _, uid := range ids {
		if _, err := st.tx.ExecContext(ctx, `INSERT INTO mediation_mediators (mediation_id, user_id, lead) VALUES ($1, $2, $3)`,
			st.c.ID, uid, uid == lead); err != nil {
			return err
		}
	}
	st.set("lead_mediator_id", lead)
	return nil
}

func (st *step) record(ctx context.Context) error {
	r := st.in.Record
	if r == nil {
		return errs.Field("record", "请填写记录内容")
	}
	if r.Kind != "investigation" && r.Kind != "session" {
		return errs.Field("record.kind", "记录类型应为调查记录或调解记录")
	}
	if r.HeldOn == "" {
		r.HeldOn = st.on
	}
	if !validDate(r.HeldOn) || r.HeldOn > st.today {
		return errs.Field("record.held_on", "请填写不晚于今天的日期（YYYY-MM-DD）")
	}
	if r.HeldOn < st.c.AcceptedOn {
		return errs.Field("record.held_on", "记录日期不能早于受理日期"+st.c.AcceptedOn)
	}
	if strings.TrimSpace(r.Content) == "" {
		return errs.Field("record.content", "请填写记录内容")
	}
	_, err := st.tx.ExecContext(ctx, `INSERT INTO mediation_records (mediation_id, kind, held_on, place, attendees, content, result,
		created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, st.c.ID, r.Kind, r.HeldOn, strings.TrimSpace(r.Place),
		strings.TrimSpace(r.Attendees), strings.TrimSpace(r.Content), strings.TrimSpace(r.Result), st.v.p.UserID, st.s.now())
	if err != nil {
		return err
	}
	st.to = Mediating
	if st.note == "" {
		st.note = r.KindLabel() + "：" + r.HeldOn
	}
	return nil
}

// invite adds a participant (Art. 20); an expert comes from the committee's pool, and the parties'
// consent to the invitation is recorded.
func (st *step) invite(ctx context.Context) error {
	pt := st.in.Participant
	if pt == nil {
		return errs.Field("participant", "请填写受邀人员")
	}
	if strings.TrimSpace(pt.ConsentNote) == "" {
		return errs.Field("participant.consent_note", "请记录当事人对邀请的同意情况")
	}
	var expert any
	switch pt.Kind {
	case "expert":
		if pt.ExpertID == nil {
			return errs.Field("participant.expert_id", "请从智囊团中选择专家")
		}
		var cid int64
		var active bool
		err := st.tx.QueryRowContext(ctx, `SELECT community_id, name, active FROM mediation_experts WHERE id = $1`, *pt.ExpertID).
			Scan(&cid, &pt.Name, &active)
		if err != nil || cid != st.c.CommunityID || !active {
			return errs.Field("participant.expert_id", "专家不存在或不在本调解委员会的智囊团")
		}
		var dup int
		if err := st.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_participants WHERE mediation_id = $1 AND expert_id = $2`,
			st.c.ID, *pt.ExpertID).Scan(&dup); err != nil {
			return err
		}
		if dup > 0 {
			return errs.Field("participant.expert_id", "该专家已受邀参加本案")
		}
		expert = *pt.ExpertID
	case "relative", "neighbour", "other":
		if pt.Name = strings.TrimSpace(pt.Name); pt.Name == "" {
			return errs.Field("participant.name", "请填写受邀人员姓名")
		}
	default:
		return errs.Field("participant.kind", "受邀人员类别无效")
	}
	_, err := st.tx.ExecContext(ctx, `INSERT INTO mediation_participants (mediation_id, kind, expert_id, name, relation,
		consent_note, invited_on) VALUES ($1, $2, $3, $4, $5, $6, $7)`, st.c.ID, pt.Kind, expert, pt.Name,
		strings.TrimSpace(pt.Relation), strings.TrimSpace(pt.ConsentNote), st.on)
	if err == nil && st.note == "" {
		st.note = pt.KindLabel() + "：" + pt.Name
	}
	return err
}

// extend moves the 30-day target with the parties' agreement, by at most 30 days each time.
func (st *step) extend() error {
	if st.note == "" {
		return errs.Field("note", "请记录当事人同意延期的情况")
	}
	if !validDate(st.in.Until) {
		return errs.Field("until", "请填写延期后的期限（YYYY-MM-DD）")
	}
	if st.in.Until <= st.c.DueOn {
		return errs.Field("until", "延期后的期限应晚于原期限"+st.c.DueOn)
	}
	if st.in.Until > addDays(st.c.DueOn, MaxExtensionDays) {
		return errs.Field("until", fmt.Sprintf("每次延期不超过%d天", MaxExtensionDays))
	}
	st.set("due_on", st.in.Until)
	st.set("extended", true)
	return nil
}

func (st *step) confirm() error {
	if st.c.Outcome != OutcomeAgreement {
		return errs.E(errs.Conflict, "只有书面调解协议可以申请司法确认")
	}
	switch st.in.Confirmation {
	case "applied":
		if st.on > addDays(st.c.SignedOn, ConfirmWindowDays) {
			return errs.Field("on", "已超过协议生效之日起30日的司法确认申请期限")
		}
	case "confirmed":
		if st.c.Confirmation != "applied" {
			return errs.Field("confirmation", "请先登记司法确认申请")
		}
	default:
		return errs.Field("confirmation", "请选择已申请或已确认")
	}
	st.set("confirmation", st.in.Confirmation)
	return nil
}

func (st *step) judge() error {
	if !st.in.PreventedCriminal && !st.in.PreventedPetition {
		return errs.Field("prevented", "请选择防止民转刑或防止群体性上访")
	}
	if st.note == "" {
		return errs.Field("note", "请填写研判理由")
	}
	if st.in.PreventedPeople < 0 {
		return errs.Field("prevented_people", "涉及人数不能为负数")
	}
	st.set("prevented_criminal", st.in.PreventedCriminal)
	st.set("prevented_petition", st.in.PreventedPetition)
	st.set("prevented_people", st.in.PreventedPeople)
	st.set("prevented_reason", st.note)
	return nil
}

func (st *step) addDocument(ctx context.Context) error {
	label, ok := ManualDocument(st.in.DocumentKind)
	if !ok {
		return errs.Field("document_kind", "请选择要归入卷宗的材料")
	}
	_, err := st.tx.ExecContext(ctx, `INSERT INTO mediation_documents (mediation_id, kind, note, added_on, added_by)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (mediation_id, kind) DO UPDATE SET note = excluded.note, added_on = excluded.added_on,
		added_by = excluded.added_by`, st.c.ID, st.in.DocumentKind, st.note, st.on, st.v.p.UserID)
	if st.note == "" {
		st.note = label
	} else {
		st.note = label + "：" + st.note
	}
	return err
}

// archive closes the file for good once every required document is in it.
func (st *step) archive(ctx context.Context) error {
	d, err := st.s.detail(ctx, st.tx, st.v, st.c.ID)
	if err != nil {
		return err
	}
	if len(d.Missing) > 0 {
		return errs.E(errs.Invalid, "卷宗缺少必备材料：%s，不能归档", strings.Join(d.Missing, "、"))
	}
	st.to = Archived
	st.set("archived_on", st.on)
	return nil
}

// dueAfter is the follow-up date n working days after date on the calendar.
func dueAfter(cal *workday.Calendar, date string, n int) string {
	t, err := time.ParseInLocation(time.DateOnly, date, clock.Shanghai())
	if err != nil {
		return date
	}
	return cal.AddWorkingDays(t.Add(12*time.Hour), n).In(clock.Shanghai()).Format(time.DateOnly)
}
