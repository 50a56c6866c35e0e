package mediation

import (
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

func TestRegister(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		t.Run("numbers_files_per_community_and_year", func(t *testing.T) {
			a, b := w.register(w.neighbours()), w.register(w.neighbours())
			if a.Number != "(2026)南人调字第1号" || b.Number != "(2026)南人调字第2号" {
				t.Fatalf("numbers %q, %q", a.Number, b.Number)
			}
			if a.State != Registered || len(a.Parties) != 2 || a.Parties[0].PhoneMasked != "138****5678" {
				t.Fatalf("registered %+v", a.Case)
			}
			if a.GridID == nil || *a.GridID != w.f.Grids[0].ID {
				t.Fatal("the household's grid is the case's grid")
			}
		})
		t.Run("duplicate_number_writes_nothing", func(t *testing.T) {
			before := w.count(`SELECT COUNT(*) FROM mediation_cases`)
			r := w.neighbours()
			r.Number = "(2026)南人调字第1号"
			_, err := w.svc.Register(w.ctx("mediator01"), r)
			wantErr(t, err, errs.Invalid, "number")
			if w.count(`SELECT COUNT(*) FROM mediation_cases`) != before || w.count(`SELECT COUNT(*) FROM mediation_parties`) != 2*before {
				t.Fatal("a rejected registration wrote rows")
			}
		})
		t.Run("needs_both_sides_and_dates_in_order", func(t *testing.T) {
			r := w.neighbours()
			r.Parties = r.Parties[:1]
			_, err := w.svc.Register(w.ctx("mediator01"), r)
			wantErr(t, err, errs.Invalid, "parties")
			r = w.neighbours()
			r.Parties[1].ConsentOn = "2026-11-01"
			_, err = w.svc.Register(w.ctx("mediator01"), r)
			wantErr(t, err, errs.Invalid, "parties.1.consent_on")
			r = w.neighbours()
			r.Parties[0].Phone = "12345"
			_, err = w.svc.Register(w.ctx("mediator01"), r)
			wantErr(t, err, errs.Invalid, "parties.0.phone")
		})
		t.Run("a_party_from_another_community_is_refused", func(t *testing.T) {
			b := w.f.AddBuilding(t, w.f.OtherGrid, "北关1号楼", 100.46, 38.94)
			far := w.f.RawResident(t, w.f.AddHousehold(t, b, "1", "101"), "赵北关", "M", "户主", "13700001111")
			r := w.neighbours()
			r.Parties[1] = PartyInput{Side: "respondent", ResidentID: far}
			_, err := w.svc.Register(w.ctx("mediator01"), r)
			wantErr(t, err, errs.Invalid, "parties.1.resident_id")
			near := w.f.RawResident(t, w.hh, "钱南关", "F", "户主", "13700002222")
			r.Parties[1].ResidentID = near
			got := w.register(r)
			if got.Parties[1].Name != "钱南关" || got.Parties[1].ResidentID == nil {
				t.Fatalf("resident party %+v", got.Parties[1])
			}
		})
		t.Run("short_name_is_configurable", func(t *testing.T) {
			if err := w.svc.SetShortName(w.ctx("admin"), w.f.Community.ID, "南关"); err != nil {
				t.Fatal(err)
			}
			if got := w.register(w.neighbours()).Number; got != "(2026)南关人调字第4号" {
				t.Fatalf("number %q", got)
			}
		})
	})
}

func TestConsent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		t.Run("accepts_only_when_every_party_agreed", func(t *testing.T) {
			r := w.neighbours()
			r.Parties[1].Consent, r.Parties[1].ConsentOn, r.Parties[1].ConsentHow = "", "", ""
			c := w.register(r)
			_, err := w.svc.Act(w.ctx("mediator01"), c.ID, ActAccept, ActionInput{})
			wantErr(t, err, errs.Invalid, "")
			if !strings.Contains(errs.MessageOf(err), "未表示同意") {
				t.Fatalf("message %q", errs.MessageOf(err))
			}
			w.act(c.ID, ActConsent, ActionInput{PartyID: c.Parties[1].ID, Consent: "agreed", ConsentHow: "电话", On: "2026-11-22", Notified: true})
			got := w.act(c.ID, ActAccept, ActionInput{On: "2026-11-22"})
			if got.State != Accepted || got.DueOn != "2026-12-22" || got.DaysLeft == nil || *got.DaysLeft != 17 {
				t.Fatalf("accepted %s due %s left %v", got.State, got.DueOn, got.DaysLeft)
			}
		})
		t.Run("a_refusal_ends_it_with_a_referral", func(t *testing.T) {
			c := w.register(w.neighbours())
			w.act(c.ID, ActConsent, ActionInput{PartyID: c.Parties[1].ID, Consent: "refused", ConsentHow: "口头"})
			_, err := w.svc.Act(w.ctx("mediator01"), c.ID, ActAccept, ActionInput{})
			wantErr(t, err, errs.Invalid, "")
			_, err = w.svc.Act(w.ctx("mediator01"), c.ID, ActRefuse, ActionInput{Note: "被申请人拒绝调解"})
			wantErr(t, err, errs.Invalid, "referral")
			got := w.act(c.ID, ActRefuse, ActionInput{Note: "被申请人拒绝调解", Referral: "告知申请人可向人民法院起诉"})
			if got.State != Refused || got.Outcome != OutcomeRefused || got.ClosedOn != "2026-12-05" {
				t.Fatalf("refused %+v", got.Case)
			}
		})
	})
}

func TestAgreement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		t.Run("needs_terms_with_how_and_by_when", func(t *testing.T) {
			c := w.mediating()
			ag := written
			ag.Terms = nil
			_, err := w.svc.Act(w.ctx("mediator01"), c.ID, ActAgree, ActionInput{Agreement: &ag})
			wantErr(t, err, errs.Invalid, "terms")
			ag.Terms = []Term{{Content: "赔偿500元"}}
			_, err = w.svc.Act(w.ctx("mediator01"), c.ID, ActAgree, ActionInput{Agreement: &ag})
			wantErr(t, err, errs.Invalid, "terms.0.due_on")
			if w.count(`SELECT COUNT(*) FROM mediation_terms WHERE mediation_id = $1`, c.ID) != 0 {
				t.Fatal("a rejected agreement wrote terms")
			}
		})
		t.Run("signatures_before_the_last_session_are_refused", func(t *testing.T) {
			c := w.mediating()
			ag := written
			ag.SignedOn = "2026-11-23"
			_, err := w.svc.Act(w.ctx("mediator01"), c.ID, ActAgree, ActionInput{Agreement: &ag})
			wantErr(t, err, errs.Invalid, "signed_on")
		})
		t.Run("written_agreement_then_follow_up_then_archive", func(t *testing.T) {
			c := w.mediating()
			ag := written
			got := w.act(c.ID, ActAgree, ActionInput{Agreement: &ag})
			if got.State != Agreed || got.Outcome != OutcomeAgreement || len(got.Terms) != 2 || got.Amount != 500 {
				t.Fatalf("agreed %+v", got.Case)
			}
			if got.FollowupDue <= "2026-12-01" || got.ConfirmDaysLeft == nil || *got.ConfirmDaysLeft != 23 {
				t.Fatalf("follow-up due %s, confirmation days %v", got.FollowupDue, got.ConfirmDaysLeft)
			}
			_, err := w.svc.Act(w.ctx("mediator01"), c.ID, ActFollowUp, ActionInput{Followup: &Followup{DoneOn: "2026-11-27",
				Performance: "performed", Satisfaction: "satisfied"}})
			wantErr(t, err, errs.Invalid, "followup.done_on")
			got = w.act(c.ID, ActFollowUp, ActionInput{Followup: &Followup{Performance: "performed", Satisfaction: "satisfied"}})
			if got.State != Performed {
				t.Fatalf("state %s", got.State)
			}
			_, err = w.svc.Act(w.ctx("mediator01"), c.ID, ActArchive, ActionInput{})
			wantErr(t, err, errs.Invalid, "")
			if msg := errs.MessageOf(err); !strings.Contains(msg, "当事人身份证明") || !strings.Contains(msg, "封底") {
				t.Fatalf("archive message %q", msg)
			}
			w.act(c.ID, ActAddDocument, ActionInput{DocumentKind: "identity", Note: "双方身份证复印件"})
			w.act(c.ID, ActAddDocument, ActionInput{DocumentKind: "cover"})
			got = w.act(c.ID, ActArchive, ActionInput{})
			if got.State != Archived || len(got.Missing) != 0 || len(got.Actions) != 0 {
				t.Fatalf("archived %s missing %v actions %v", got.State, got.Missing, got.Actions)
			}
			_, err = w.svc.Act(w.ctx("mediator01"), c.ID, ActAddDocument, ActionInput{DocumentKind: "evidence"})
			wantErr(t, err, errs.Conflict, "")
		})
		t.Run("oral_agreement_is_recorded_by_the_mediator", func(t *testing.T) {
			c := w.mediating()
			_, err := w.svc.Act(w.ctx("mediator01"), c.ID, ActAgreeOral, ActionInput{Agreement: &Agreement{SignedOn: "2026-11-25"}})
			wantErr(t, err, errs.Invalid, "text")
			got := w.act(c.ID, ActAgreeOral, ActionInput{Agreement: &Agreement{SignedOn: "2026-11-25", Text: "李建军当面道歉，此后夜间保持安静"}})
			if got.State != Agreed || got.Outcome != OutcomeOral || got.ConfirmDaysLeft != nil {
				t.Fatalf("oral %+v", got.Case)
			}
		})
		t.Run("failure_gives_the_referral", func(t *testing.T) {
			c := w.mediating()
			got := w.act(c.ID, ActFail, ActionInput{Note: "双方对赔偿金额分歧较大", Referral: "告知双方可向甘州区人民法院起诉"})
			if got.State != Failed || got.Referral == "" {
				t.Fatalf("failed %+v", got.Case)
			}
			_, err := w.svc.Act(w.ctx("mediator01"), c.ID, ActAgree, ActionInput{Agreement: &written})
			wantErr(t, err, errs.Conflict, "")
		})
		t.Run("an_agreement_not_performed_is_reopened", func(t *testing.T) {
			c := w.mediating()
			ag := written
			w.act(c.ID, ActAgree, ActionInput{Agreement: &ag})
			_, err := w.svc.Act(w.ctx("mediator01"), c.ID, ActReopen, ActionInput{Note: "未履行"})
			wantErr(t, err, errs.Conflict, "")
			w.act(c.ID, ActFollowUp, ActionInput{Followup: &Followup{Performance: "not", Satisfaction: "dissatisfied"}})
			got := w.act(c.ID, ActReopen, ActionInput{Note: "李建军未按期赔偿"})
			if got.State != Mediating || got.ReopenCount != 1 || got.Outcome != "" || got.DueOn != "2027-01-04" {
				t.Fatalf("reopened %+v", got.Case)
			}
		})
		t.Run("extension_needs_the_parties_and_a_later_date", func(t *testing.T) {
			c := w.mediating()
			_, err := w.svc.Act(w.ctx("mediator01"), c.ID, ActExtend, ActionInput{Until: "2027-01-05"})
			wantErr(t, err, errs.Invalid, "note")
			_, err = w.svc.Act(w.ctx("mediator01"), c.ID, ActExtend, ActionInput{Until: "2026-12-01", Note: "双方同意延期"})
			wantErr(t, err, errs.Invalid, "until")
			got := w.act(c.ID, ActExtend, ActionInput{Until: "2027-01-05", Note: "双方同意延期"})
			if got.DueOn != "2027-01-05" || !got.Extended {
				t.Fatalf("extended %s", got.DueOn)
			}
		})
		t.Run("stale_version_is_a_conflict", func(t *testing.T) {
			c := w.mediating()
			_, err := w.svc.Act(w.ctx("mediator01"), c.ID, ActJudge, ActionInput{Version: c.Version - 1, PreventedCriminal: true, Note: "x"})
			wantErr(t, err, errs.Conflict, "")
		})
	})
}

func TestInvite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		e, err := w.svc.AddExpert(w.ctx("admin"), ExpertInput{Name: "王秉正", Kind: "律师", Title: "执业律师", Types: []string{"neighbour", "property"}})
		if err != nil {
			t.Fatal(err)
		}
		c := w.mediating()
		_, err = w.svc.Act(w.ctx("mediator01"), c.ID, ActInvite, ActionInput{Participant: &Participant{Kind: "expert", ExpertID: &e.ID}})
		wantErr(t, err, errs.Invalid, "participant.consent_note")
		got := w.act(c.ID, ActInvite, ActionInput{Participant: &Participant{Kind: "expert", ExpertID: &e.ID, ConsentNote: "双方当事人同意邀请"}})
		if len(got.Participants) != 1 || got.Participants[0].Name != "王秉正" {
			t.Fatalf("participants %+v", got.Participants)
		}
		list, err := w.svc.Experts(w.ctx("mediator01"), "property")
		if err != nil || len(list) != 1 || !list[0].Matches || list[0].Cases != 1 {
			t.Fatalf("experts %+v %v", list, err)
		}
	})
}
