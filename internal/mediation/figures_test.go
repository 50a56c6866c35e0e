package mediation

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

func TestFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		e, err := w.svc.AddExpert(w.ctx("admin"), ExpertInput{Name: "王秉正", Kind: "律师", Types: []string{"neighbour"}})
		if err != nil {
			t.Fatal(err)
		}
		a := w.mediating()
		w.act(a.ID, ActInvite, ActionInput{Participant: &Participant{Kind: "expert", ExpertID: &e.ID, ConsentNote: "双方同意"}})
		ag := written
		w.act(a.ID, ActAgree, ActionInput{Agreement: &ag})
		w.act(a.ID, ActJudge, ActionInput{PreventedCriminal: true, PreventedPeople: 3, Note: "双方曾发生肢体冲突，调解化解避免事态升级"})
		b := w.mediating()
		w.act(b.ID, ActAgreeOral, ActionInput{Agreement: &Agreement{SignedOn: "2026-11-26", Text: "当面道歉"}})
		c := w.mediating()
		w.act(c.ID, ActFail, ActionInput{On: "2026-12-02", Note: "分歧较大", Referral: "告知可起诉"})
		r := w.register(w.neighbours())
		w.act(r.ID, ActRefuse, ActionInput{Note: "不属于人民调解范围", Referral: "告知向劳动仲裁委员会申请仲裁"})
		w.mediating() // still open

		f, err := w.svc.Figures(w.ctx("admin"), FigureFilter{From: "2026-11-01", To: "2026-11-30"})
		if err != nil {
			t.Fatal(err)
		}
		if f.Received != 5 || f.Accepted != 4 || f.Agreements != 2 || f.Failed != 0 || f.Amount != 500 {
			t.Fatalf("November: %+v", f)
		}
		if f.PreventedCriminal != 1 || f.PreventedCriminalPeople != 3 || f.Open != 1 || f.FollowupDue != 2 {
			t.Fatalf("November prevented/open: %+v", f)
		}
		f, err = w.svc.Figures(w.ctx("admin"), FigureFilter{From: "2026-11-01", To: "2026-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		if f.Agreements != 2 || f.Failed != 1 || f.Refused != 1 || f.SuccessRateNum != 2 || f.SuccessRateDen != 3 {
			t.Fatalf("Nov–Dec: %+v", f)
		}
		if len(f.ByExpert) != 1 || f.ByExpert[0].Agreements != 1 || f.ByExpert[0].Label != "王秉正" {
			t.Fatalf("by expert %+v", f.ByExpert)
		}
		if len(f.ByMediator) != 1 || f.ByMediator[0].Agreements != 2 || f.ByMediator[0].Received != 5 {
			t.Fatalf("by mediator %+v", f.ByMediator)
		}
		if len(f.BySource) != 1 || f.BySource[0].Label != "口头申请" || f.ByType[0].Label != "邻里纠纷" {
			t.Fatalf("by source/type %+v %+v", f.BySource, f.ByType)
		}
		t.Run("each_figure_drills_down_to_its_cases", func(t *testing.T) {
			for fig, want := range map[string]int{"received": 5, "agreements": 2, "failed": 1, "refused": 1, "concluded": 3,
				"prevented_criminal": 1, "open": 1, "followup_due": 2} {
				_, total, err := w.svc.List(w.ctx("admin"), Filter{Figure: fig, From: "2026-11-01", To: "2026-12-31"})
				if err != nil || total != want {
					t.Errorf("%s lists %d, want %d (%v)", fig, total, want, err)
				}
			}
			_, total, _ := w.svc.List(w.ctx("admin"), Filter{Figure: "agreements", From: "2026-11-01", To: "2026-12-31", ExpertID: e.ID})
			if total != 1 {
				t.Errorf("agreements with the expert: %d", total)
			}
		})
		t.Run("another_community_counts_nothing_of_ours", func(t *testing.T) {
			f, err := w.svc.Figures(w.ctx("other"), FigureFilter{From: "2026-01-01", To: "2026-12-31"})
			if err != nil || f.Received != 0 {
				t.Fatalf("other: %+v %v", f, err)
			}
		})
	})
}
