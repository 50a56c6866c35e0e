package mediation

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/pii"
)

func TestScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.mediating()
		expertUser := w.f.AddUser(t, "expert01", auth.Mediator, w.f.Community)
		e, err := w.svc.AddExpert(w.ctx("admin"), ExpertInput{Name: "赵德厚", Kind: "五老", UserID: expertUser.UserID})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			user string
			want errs.Code // "" sees the file
		}{
			{"mediator01", ""}, {"admin", ""}, {"street", ""}, {"district", ""},
			{"other", errs.NotFound},     // another community's admin
			{"expert01", errs.NotFound},  // an expert not invited
			{"member01", errs.Forbidden}, // no mediation permission at all
			{"security", errs.Forbidden},
		} {
			t.Run(tc.user, func(t *testing.T) {
				got, err := w.svc.Get(w.ctx(tc.user), c.ID)
				if tc.want == "" {
					if err != nil || len(got.Parties) != 2 {
						t.Fatalf("get: %v", err)
					}
					return
				}
				wantErr(t, err, tc.want, "")
			})
		}
		t.Run("an_invited_expert_sees_the_case_and_cannot_change_it", func(t *testing.T) {
			w.act(c.ID, ActInvite, ActionInput{Participant: &Participant{Kind: "expert", ExpertID: &e.ID, ConsentNote: "双方同意"}})
			got, err := w.svc.Get(w.ctx("expert01"), c.ID)
			if err != nil || len(got.Actions) != 0 {
				t.Fatalf("expert get: %v, actions %v", err, got)
			}
			_, err = w.svc.Act(w.ctx("expert01"), c.ID, ActJudge, ActionInput{PreventedCriminal: true, Note: "x"})
			wantErr(t, err, errs.Forbidden, "")
			list, total, err := w.svc.List(w.ctx("expert01"), Filter{})
			if err != nil || total != 1 || list[0].ID != c.ID {
				t.Fatalf("expert list %d %v", total, err)
			}
		})
		t.Run("a_grid_worker_sees_only_that_a_case_exists_in_their_grid", func(t *testing.T) {
			list, total, err := w.svc.List(w.ctx("worker01"), Filter{})
			if err != nil || total != 1 {
				t.Fatalf("worker01 list %d %v", total, err)
			}
			if list[0].Facts != "" || list[0].PartyNames != "" || list[0].Title == c.Title {
				t.Fatalf("worker01 sees content: %+v", list[0])
			}
			got, err := w.svc.Get(w.ctx("worker01"), c.ID)
			if err != nil || len(got.Parties) != 0 || got.Facts != "" {
				t.Fatalf("worker01 get %+v %v", got, err)
			}
			_, total, _ = w.svc.List(w.ctx("worker02"), Filter{})
			if total != 0 {
				t.Fatalf("worker02 sees %d cases of grid 01", total)
			}
			_, err = w.svc.Get(w.ctx("worker02"), c.ID)
			wantErr(t, err, errs.NotFound, "")
			_, err = w.svc.Figures(w.ctx("worker01"), FigureFilter{})
			wantErr(t, err, errs.Forbidden, "")
		})
		t.Run("numbers_are_masked_and_revealed_with_a_reason", func(t *testing.T) {
			_, err := w.svc.RevealParty(w.ctx("mediator01"), c.Parties[0].ID, "phone", "")
			wantErr(t, err, errs.Invalid, "reason")
			got, err := w.svc.RevealParty(w.ctx("mediator01"), c.Parties[0].ID, "phone", "联系当事人确定调解时间")
			if err != nil || got != "13812345678" {
				t.Fatalf("reveal %q %v", got, err)
			}
			if w.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'pii.reveal' AND object_id = $1`, fmt.Sprint(c.Parties[0].ID)) != 1 {
				t.Fatal("reveal not audited")
			}
			_, err = w.svc.RevealParty(w.ctx("other"), c.Parties[0].ID, "phone", "查看")
			wantErr(t, err, errs.NotFound, "")
		})
		t.Run("minors_are_hidden_without_the_minors_permission", func(t *testing.T) {
			r := w.neighbours()
			r.Parties[1].Name, r.Parties[1].IDNumber = "王小明", "620702201205011234"
			r.Parties[1].IDNumber = r.Parties[1].IDNumber[:17] + string(pii.IDCheckDigit(r.Parties[1].IDNumber[:17]))
			m := w.register(r)
			got, err := w.svc.Get(w.ctx("mediator01"), m.ID)
			if err != nil || got.Parties[1].Name != "王某（未成年人）" || got.Parties[1].IDMasked != "" {
				t.Fatalf("mediator sees minor %+v %v", got.Parties[1], err)
			}
			got, _ = w.svc.Get(w.ctx("admin"), m.ID)
			if got.Parties[1].Name != "王小明" {
				t.Fatalf("admin sees %q", got.Parties[1].Name)
			}
			_, err = w.svc.RevealParty(w.ctx("mediator01"), got.Parties[1].ID, "id", "核实身份")
			wantErr(t, err, errs.NotFound, "")
		})
		t.Run("every_write_and_view_is_audited", func(t *testing.T) {
			if w.count(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'mediation' AND object_id = $1 AND action = 'mediation.view'`, fmt.Sprint(c.ID)) == 0 ||
				w.count(`SELECT COUNT(*) FROM audit_log WHERE object_type = 'mediation' AND object_id = $1 AND action = 'mediation.register'`, fmt.Sprint(c.ID)) != 1 {
				t.Fatal("missing audit entries")
			}
		})
	})
}

func TestReferral(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		var catID int64
		cats, _ := w.cases.Categories(context.Background())
		for _, c := range cats {
			if c.Code == "dispute.noise" {
				catID = c.ID
			}
		}
		kase, err := w.cases.Intake(w.ctx("worker01"), cases.Intake{Channel: "visit", CategoryID: catID, Title: "楼上噪音扰民",
			Description: "3号楼2单元301反映楼上夜间噪音", GridID: w.f.Grids[0].ID, ReporterName: "张桂兰"})
		if err != nil {
			t.Fatal(err)
		}
		r := w.neighbours()
		r.Source, r.CaseID = SourceCase, kase.ID
		m := w.register(r)
		if m.CaseID == nil || *m.CaseID != kase.ID {
			t.Fatal("the mediation does not name its case")
		}
		dt, err := w.cases.Get(w.ctx("admin"), kase.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := dt.Events[len(dt.Events)-1]
		if last.Action != cases.ActNote || last.Note == "" || !strings.Contains(last.Note, m.Number) {
			t.Fatalf("the case's timeline does not name the mediation: %+v", last)
		}
		_, err = w.svc.Register(w.ctx("mediator01"), r)
		wantErr(t, err, errs.Conflict, "")
		list, total, _ := w.svc.List(w.ctx("admin"), Filter{CaseID: kase.ID})
		if total != 1 || list[0].ID != m.ID {
			t.Fatal("the mediation is not found from its case")
		}
	})
}
