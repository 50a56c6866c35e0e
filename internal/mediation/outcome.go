package mediation

import (
	"context"
	"strings"

	"linli/internal/errs"
)

// FollowupWorkingDays is how many working days after the last performance deadline (or an oral
// agreement, or a partial performance) the follow-up 回访 falls due.
const FollowupWorkingDays = 5

// agree concludes the mediation with a written agreement (Art. 29: parties, facts and
// responsibilities, terms with how and by when) or an oral one (Art. 28), signed after the last
// record; the follow-up falls due after the last term's deadline.
func (st *step) agree(ctx context.Context, oral bool) error {
	ag := st.in.Agreement
	if ag == nil {
		return errs.Field("agreement", "请填写协议内容")
	}
	ag.Oral = oral
	var last string
	if err := st.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(held_on), '') FROM mediation_records WHERE mediation_id = $1`,
		st.c.ID).Scan(&last); err != nil {
		return err
	}
	if err := ag.Validate(st.today, last, st.c.AcceptedOn); err != nil {
		return err
	}
	if _, err := st.tx.ExecContext(ctx, `DELETE FROM mediation_terms WHERE mediation_id = $1`, st.c.ID); err != nil {
		return err
	}
	due := ag.SignedOn
	for i, t := range ag.Terms {
		if oral {
			break
		}
		if _, err := st.tx.ExecContext(ctx, `INSERT INTO mediation_terms (mediation_id, content, method, due_on, sort)
			VALUES ($1, $2, $3, $4, $5)`, st.c.ID, t.Content, t.Method, t.DueOn, i); err != nil {
			return err
		}
		if t.DueOn > due {
			due = t.DueOn
		}
	}
	outcome := OutcomeAgreement
	if oral {
		outcome = OutcomeOral
	}
	st.to, st.c.Outcome = Agreed, outcome
	st.set("outcome", string(outcome))
	st.set("closed_on", ag.SignedOn)
	st.set("signed_on", ag.SignedOn)
	st.set("agreement_facts", ag.Facts)
	st.set("agreement_text", ag.Text)
	st.set("amount", ag.Amount)
	st.set("performance", "")
	st.set("confirmation", "")
	if err := st.followupDue(ctx, dueAfter(st.cal, due, FollowupWorkingDays)); err != nil {
		return err
	}
	if st.note == "" {
		st.note = "协议签订日期：" + ag.SignedOn
	}
	return nil
}

// followupDue sets the date the next follow-up falls due and schedules its reminder in the step's
// transaction.
func (st *step) followupDue(ctx context.Context, due string) error {
	st.set("followup_due", due)
	return enqueueFollowup(ctx, st.tx, st.c.ID, due, st.s.now())
}

// followUp records a performance follow-up (回访); a performed agreement closes the work, a partial
// or missing performance keeps the agreement open with the next follow-up due.
func (st *step) followUp(ctx context.Context) error {
	f := st.in.Followup
	if f == nil {
		return errs.Field("followup", "请填写回访情况")
	}
	if f.DoneOn == "" {
		f.DoneOn = st.on
	}
	fields := errs.Fields{}
	if !validDate(f.DoneOn) || f.DoneOn > st.today {
		fields.Add("followup.done_on", "请填写不晚于今天的回访日期")
	} else if f.DoneOn < st.c.SignedOn {
		fields.Add("followup.done_on", "回访日期不能早于协议签订日期"+st.c.SignedOn)
	}
	if _, ok := PerformanceLabels[f.Performance]; !ok {
		fields.Add("followup.performance", "请选择履行情况")
	}
	if _, ok := SatisfactionLabels[f.Satisfaction]; !ok {
		fields.Add("followup.satisfaction", "请选择当事人满意度")
	}
	if err := fields.Err(); err != nil {
		return err
	}
	_, err := st.tx.ExecContext(ctx, `INSERT INTO mediation_followups (mediation_id, done_on, performance, satisfaction, note,
		created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, st.c.ID, f.DoneOn, f.Performance, f.Satisfaction,
		strings.TrimSpace(f.Note), st.v.p.UserID, st.s.now())
	if err != nil {
		return err
	}
	st.set("performance", f.Performance)
	if f.Performance == "performed" {
		st.to = Performed
		st.set("followup_due", "")
	} else if err := st.followupDue(ctx, dueAfter(st.cal, f.DoneOn, FollowupWorkingDays*2)); err != nil {
		return err
	}
	if st.note == "" {
		st.note = PerformanceLabels[f.Performance] + "，" + SatisfactionLabels[f.Satisfaction]
	}
	return nil
}

// reopen mediates again an agreement that was not (fully) performed; the earlier agreement stays
// in the timeline and no longer counts as a success.
func (st *step) reopen(_ context.Context) error {
	if st.c.Performance != "not" && st.c.Performance != "partly" {
		return errs.E(errs.Conflict, "只有回访确认未履行或部分履行的协议才能重新调解")
	}
	if st.note == "" {
		return errs.Field("note", "请填写重新调解的原因")
	}
	st.to, st.c.Outcome = Mediating, ""
	st.set("outcome", "")
	st.set("closed_on", "")
	st.set("followup_due", "")
	st.set("due_on", addDays(st.on, TargetDays))
	st.set("reopen_count", st.c.ReopenCount+1)
	return nil
}
