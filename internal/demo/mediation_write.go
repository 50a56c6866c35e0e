package demo

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/mediation"
)

// mediationStep writes the committee, its experts, every planned case with its whole file, and
// the screening rounds.
func (w *writer) mediationStep(ctx context.Context, tx *db.Tx) error {
	now := time.Now().UTC().Truncate(time.Second)
	today := demoToday(now)
	if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_committees (community_id, short_name, name) VALUES ($1, '南', $2)`,
		w.community.ID, w.community.Name+"人民调解委员会"); err != nil {
		return err
	}
	experts, err := w.writeExperts(ctx, tx)
	if err != nil {
		return err
	}
	all := w.planMediation(today)
	last := map[int]int{}
	for _, m := range all {
		if err := w.writeMed(ctx, tx, m, experts); err != nil {
			return fmt.Errorf("mediation %d-%d: %w", m.year, m.serial, err)
		}
		last[m.year] = max(last[m.year], m.serial)
	}
	for y, n := range last {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_counters (community_id, year, last) VALUES ($1, $2, $3)`,
			w.community.ID, y, n); err != nil {
			return err
		}
	}
	return w.writeScreenings(ctx, tx, today)
}

func (w *writer) writeExperts(ctx context.Context, tx *db.Tx) ([]int64, error) {
	ids := make([]int64, len(demoExperts))
	for i, e := range demoExperts {
		phone := fmt.Sprintf("139%08d", 9360000+i*7919)
		var user any
		if e.account != "" {
			user = w.userIDs[e.account]
		}
		ix := w.sealer.Index(phone)
		err := tx.QueryRowContext(ctx, `INSERT INTO mediation_experts (community_id, name, kind, title, types, availability,
			phone_enc, phone_index, phone_masked, user_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`, w.community.ID, e.name, e.kind, e.title,
			strings.Join(e.types, ","), e.availability, w.sealer.Seal(phone), ix, phone[:3]+"****"+phone[7:], user, recorded).Scan(&ids[i])
		if err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// medAt is a moment on a demo date: 10:00 in Asia/Shanghai, plus minutes to keep the order.
func medAt(date string, minutes int) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, date, clock.Shanghai())
	return t.Add(10*time.Hour + time.Duration(minutes)*time.Minute).UTC()
}

func (w *writer) writeMed(ctx context.Context, tx *db.Tx, m *demoMed, experts []int64) error {
	hh := w.p.households[m.household]
	grid := w.gridIDs[w.p.buildings[hh.building].grid]
	lead := w.userIDs[m.lead]
	number := mediation.FormatNumber(m.year, "南", m.serial)
	perf, followDue, signed := "", "", ""
	if m.outcome.Success() {
		signed = m.closed
		if m.state == mediation.Agreed {
			followDue = m.followup
		} else {
			perf = "performed"
		}
	}
	facts, text := "", ""
	if m.outcome == mediation.OutcomeAgreement {
		facts = m.tpl.responsibility
	} else if m.outcome == mediation.OutcomeOral {
		text = "经调解，双方当面达成口头协议：" + m.tpl.terms[0][0] + "，" + m.tpl.terms[0][1] + "。"
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO mediation_cases (number, year, serial, community_id, grid_id, household_id,
		source, type_code, title, facts, state, outcome, lead_mediator_id, registered_on, accepted_on, due_on, extended, closed_on,
		referral, close_reason, agreement_facts, agreement_text, amount, signed_on, followup_due, performance,
		prevented_criminal, prevented_petition, prevented_people, prevented_reason, archived_on, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
		$25, $26, $27, $28, $29, $30, $31, $32, $33, $33) RETURNING id`,
		number, m.year, m.serial, w.community.ID, grid, w.householdIDs[m.household], string(m.source), m.tpl.typ, m.tpl.title,
		m.tpl.facts, string(m.state), string(m.outcome), lead, m.registered, m.accepted, m.due, m.extended, m.closed,
		m.referral, m.reason, facts, text, m.amount, signed, followDue, perf, m.preventCrim, m.preventPeti, m.preventPeople,
		preventReason(m), m.archived, lead, medAt(m.registered, 0)).Scan(&id)
	if err != nil {
		return err
	}
	if err := w.writeParties(ctx, tx, id, m); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_mediators (mediation_id, user_id, lead) VALUES ($1, $2, TRUE)`, id, lead); err != nil {
		return err
	}
	return w.writeFile(ctx, tx, id, m, lead, experts)
}

func preventReason(m *demoMed) string {
	switch {
	case m.preventCrim:
		return "双方曾发生肢体冲突并扬言报复，及时调解化解，避免矛盾激化为刑事案件。"
	case m.preventPeti:
		return "涉及同一单元多户居民，情绪激动欲集体上访，经调解稳妥化解。"
	}
	return ""
}

// writeParties copies the two heads of household from the register, their numbers sealed as
// the register holds them.
func (w *writer) writeParties(ctx context.Context, tx *db.Tx, id int64, m *demoMed) error {
	consent, how := "agreed", "书面"
	if m.outcome == mediation.OutcomeRefused {
		consent = "refused"
	}
	for i, h := range []int{m.household, m.respondentHH} {
		side, c := "applicant", "agreed"
		if i == 1 {
			side, c, how = "respondent", consent, "口头"
		}
		notified := m.registered
		rid := w.residentIDs[w.p.households[h].members[0]]
		_, err := tx.ExecContext(ctx, `INSERT INTO mediation_parties (mediation_id, side, name, resident_id, gender, birth_date,
			id_enc, id_index, id_masked, phone_enc, phone_index, phone_masked, address, consent, consent_on, consent_how,
			notified_on, sort) SELECT $1, $2, name, id, gender, birth_date, id_enc, id_index, id_masked, phone_enc, phone_index,
			phone_masked, $3, $4, $5, $6, $7, $8 FROM residents WHERE id = $9`, id, side, w.address(h), c, m.registered, how,
			notified, i, rid)
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) address(h int) string {
	hp := w.p.households[h]
	return w.p.buildings[hp.building].address + hp.unit + hp.room // the plan writes units 1单元
}

// writeFile writes the records, invitation, terms, follow-up, documents and the timeline.
func (w *writer) writeFile(ctx context.Context, tx *db.Tx, id int64, m *demoMed, lead int64, experts []int64) error {
	type ev struct {
		date, action, to, note string
	}
	evs := []ev{{m.registered, "register", string(mediation.Registered), m.tpl.title}}
	if m.accepted != "" {
		evs = append(evs, ev{m.accepted, "accept", string(mediation.Accepted), ""})
		evs = append(evs, ev{m.accepted, "add_document", "", "当事人身份证明"})
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_documents (mediation_id, kind, note, added_on, added_by)
			VALUES ($1, 'identity', '双方身份证复印件', $2, $3)`, id, m.accepted, lead); err != nil {
			return err
		}
	}
	if m.expert >= 0 && len(m.records) > 0 {
		e := demoExperts[m.expert]
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_participants (mediation_id, kind, expert_id, name, consent_note, invited_on)
			VALUES ($1, 'expert', $2, $3, '双方当事人同意邀请', $4)`, id, experts[m.expert], e.name, m.records[0].HeldOn); err != nil {
			return err
		}
		evs = append(evs, ev{m.records[0].HeldOn, "invite", "", "智囊团专家：" + e.name})
	}
	for _, r := range m.records {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_records (mediation_id, kind, held_on, place, attendees, content,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, r.Kind, r.HeldOn, r.Place, r.Attendees,
			r.Content, lead, medAt(r.HeldOn, 30)); err != nil {
			return err
		}
		evs = append(evs, ev{r.HeldOn, "record", string(mediation.Mediating), r.KindLabel()})
	}
	for i, t := range m.terms {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_terms (mediation_id, content, method, due_on, sort) VALUES ($1, $2, $3, $4, $5)`,
			id, t.Content, t.Method, t.DueOn, i); err != nil {
			return err
		}
	}
	switch m.outcome {
	case mediation.OutcomeAgreement:
		evs = append(evs, ev{m.closed, "agree", string(mediation.Agreed), "协议签订日期：" + m.closed})
	case mediation.OutcomeOral:
		evs = append(evs, ev{m.closed, "agree_oral", string(mediation.Agreed), "协议达成日期：" + m.closed})
	case mediation.OutcomeFailed:
		evs = append(evs, ev{m.closed, "fail", string(mediation.Failed), m.reason})
	case mediation.OutcomeRefused:
		evs = append(evs, ev{m.closed, "refuse", string(mediation.Refused), m.reason})
	}
	if m.outcome.Success() && m.state != mediation.Agreed {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_followups (mediation_id, done_on, performance, satisfaction, note,
			created_by, created_at) VALUES ($1, $2, 'performed', $3, '协议已履行完毕', $4, $5)`, id, m.followup,
			[]string{"satisfied", "satisfied", "basic"}[int(id)%3], lead, medAt(m.followup, 0)); err != nil {
			return err
		}
		evs = append(evs, ev{m.followup, "follow_up", string(mediation.Performed), "已履行，满意"})
	}
	if m.archived != "" {
		docs := [][2]string{{"cover", "封底"}}
		if m.outcome == mediation.OutcomeRefused {
			docs = append(docs, [2]string{"explanation", "卷宗情况说明"}, [2]string{"identity", "当事人身份证明"})
		}
		for _, d := range docs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_documents (mediation_id, kind, note, added_on, added_by)
				VALUES ($1, $2, '', $3, $4) ON CONFLICT (mediation_id, kind) DO NOTHING`, id, d[0], m.archived, lead); err != nil {
				return err
			}
		}
		evs = append(evs, ev{m.archived, "archive", string(mediation.Archived), ""})
	}
	var actor string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = $1`, lead).Scan(&actor); err != nil {
		return err
	}
	rows := make([][]any, len(evs))
	for i, e := range evs {
		rows[i] = []any{id, medAt(e.date, i), lead, actor, e.action, e.to, e.note}
	}
	return db.InsertRows(ctx, tx, "mediation_events", []string{"mediation_id", "at", "user_id", "actor_name", "action", "to_state", "note"}, nil, rows)
}

// writeScreenings writes a screening round every 10 days per grid over the record period and
// the last year; grid 07 has fallen behind (its last round is 16 days old) so that it is flagged.
func (w *writer) writeScreenings(ctx context.Context, tx *db.Tx, today string) error {
	rng := mrand.New(mrand.NewPCG(planSeed(w.p), 0x706169))
	worker := map[int]int64{}
	for g := range w.gridIDs {
		worker[g] = w.userIDs[fmt.Sprintf("worker%02d", g+1)]
		if worker[g] == 0 {
			worker[g] = w.userIDs[fmt.Sprintf("grid%02d", g+1)]
		}
	}
	found := []string{"两户因楼道堆物发生口角", "楼上渗水影响楼下，双方有矛盾苗头", "租户与房东因押金发生争执",
		"邻里因停车位发生争吵", "老人赡养问题家庭成员意见不一"}
	types := []string{"neighbour", "neighbour", "housing", "other", "marriage"}
	var rounds [][]any
	var items [][2]int // round index, found index
	periods := [][2]string{{"2024-01-03", mediationRecordEnd}, {addDate(today, -365), today}}
	for g, gid := range w.gridIDs {
		for _, p := range periods {
			for d := addDate(p[0], g%10); d <= p[1]; d = addDate(d, 10) {
				if g == 6 && d > addDate(today, -16) {
					break
				}
				n := 0
				if rng.IntN(6) == 0 {
					n = 1
					items = append(items, [2]int{len(rounds), rng.IntN(len(found))})
				}
				rounds = append(rounds, []any{gid, d, n, "入户走访与楼院巡查相结合", worker[g], medAt(d, 60)})
			}
		}
	}
	ids := make([]int64, len(rounds))
	for i, r := range rounds {
		if err := tx.QueryRowContext(ctx, `INSERT INTO mediation_screenings (grid_id, held_on, found, note, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, r...).Scan(&ids[i]); err != nil {
			return err
		}
	}
	rows := make([][]any, len(items))
	for i, it := range items {
		rows[i] = []any{ids[it[0]], found[it[1]], types[it[1]]}
	}
	return db.InsertRows(ctx, tx, "mediation_screening_items", []string{"screening_id", "description", "type_code"}, nil, rows)
}
