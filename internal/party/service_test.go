package party_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/fixture"
	"linli/internal/party"
)

// world is the fixture community with a committee, a branch per grid, a building per grid with
// households and residents, and one liaison household per grid.
type world struct {
	f          *fixture.Community
	svc        *party.Service
	committee  *party.Org
	branches   []party.Org // grid 01, grid 02
	households [][]int64   // per grid: six households of its building
	heads      [][]int64   // per grid: the head of each household
	liaisons   []*party.LiaisonHousehold
	members    []*party.Member // the liaison members, per grid
}

// must returns v, failing the test given to the returned function when err is set:
// must(svc.Org(ctx, id))(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	return buildWorld(t, fixture.New(t, d))
}

func buildWorld(t *testing.T, f *fixture.Community) *world {
	t.Helper()
	w := &world{f: f, svc: party.NewService(f.DB, f.Sealer, nil)}
	admin := f.Ctx("admin")
	w.committee = must(w.svc.CreateOrg(admin, party.OrgInput{Kind: party.Committee, RegionID: f.Community.ID,
		Name: "南关社区党委", Secretary: "李建国"}))(t)
	w.branches = must(w.svc.CreateMissingBranches(admin, w.committee.ID))(t)
	names := [][]string{{"王秀英", "张伟", "刘芳", "陈静", "杨洋", "赵磊"}, {"黄敏", "周杰", "吴霞", "徐明", "孙丽", "马军"}}
	for gi, g := range f.Grids {
		b := f.RawBuilding(t, g, []string{"1号楼", "9号楼"}[gi], 100.45+float64(gi)*0.01, 38.93)
		var hs, rs []int64
		for i, name := range names[gi] {
			h := f.RawHousehold(t, b, "1", []string{"101", "102", "201", "202", "301", "302"}[i])
			hs = append(hs, h)
			rs = append(rs, f.RawResident(t, h, name, "F", "户主", "1380000"+string(rune('0'+gi))+"12"+string(rune('0'+i))))
		}
		w.households, w.heads = append(w.households, hs), append(w.heads, rs)
		m := must(w.svc.CreateMember(admin, party.MemberInput{OrgID: w.branches[gi].ID, ResidentID: rs[0], JoinedOn: "1985-07-01"}))(t)
		w.members = append(w.members, m)
		w.liaisons = append(w.liaisons, must(w.svc.CreateLiaison(admin, party.LiaisonInput{MemberID: m.ID,
			CoveredHouseholdIDs: hs[1:3]}))(t))
	}
	return w
}

func wantCode(t *testing.T, err error, code errs.Code, msgPart string) {
	t.Helper()
	if !errs.Is(err, code) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if msgPart != "" && !strings.Contains(errs.MessageOf(err), msgPart) {
		t.Errorf("message %q does not say %q", errs.MessageOf(err), msgPart)
	}
}

func TestCreateMissingBranches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		t.Run("creates one branch per grid named after the grid", func(t *testing.T) {
			if len(w.branches) != 2 || w.branches[0].Name != "第一网格党支部" || w.branches[1].Name != "第二网格党支部" {
				t.Fatalf("branches = %+v", w.branches)
			}
			if *w.branches[0].GridID != w.f.Grids[0].ID || w.branches[0].RegionID != w.f.Grids[0].ID {
				t.Errorf("branch 1 is not in grid 01: %+v", w.branches[0])
			}
		})
		t.Run("a second press creates nothing", func(t *testing.T) {
			again := must(w.svc.CreateMissingBranches(w.f.Ctx("admin"), w.committee.ID))(t)
			if len(again) != 0 {
				t.Errorf("created %d more branches", len(again))
			}
		})
		t.Run("a second branch for a grid is refused", func(t *testing.T) {
			_, err := w.svc.CreateOrg(w.f.Ctx("admin"), party.OrgInput{Kind: party.Branch, ParentID: w.committee.ID,
				GridID: w.f.Grids[0].ID, Name: "重复支部"})
			wantCode(t, err, errs.Conflict, "该网格已建立网格党支部")
		})
		t.Run("a grid leader may read but not create", func(t *testing.T) {
			_, err := w.svc.CreateMissingBranches(w.f.Ctx("grid01"), w.committee.ID)
			wantCode(t, err, errs.Forbidden, "")
		})
		t.Run("the committee counts branches, members, liaison households and covered households", func(t *testing.T) {
			c := must(w.svc.Org(w.f.Ctx("admin"), w.committee.ID))(t)
			if c.Branches != 2 || c.Members != 2 || c.Liaisons != 2 || c.Covered != 4 {
				t.Errorf("counts = %d branches, %d members, %d liaisons, %d covered; want 2, 2, 2, 4",
					c.Branches, c.Members, c.Liaisons, c.Covered)
			}
		})
	})
}

func TestScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		grid01 := w.f.Ctx("grid01")
		t.Run("grid01 cannot see grid02's branch", func(t *testing.T) {
			_, err := w.svc.Org(grid01, w.branches[1].ID)
			wantCode(t, err, errs.NotFound, "党组织不存在")
			orgs, total := must2(w.svc.Orgs(grid01, party.OrgFilter{}))(t)
			if total != 1 || orgs[0].ID != w.branches[0].ID {
				t.Errorf("grid01 sees %+v", orgs)
			}
		})
		t.Run("grid01 cannot see grid02's liaison households or members", func(t *testing.T) {
			_, err := w.svc.Liaison(grid01, w.liaisons[1].ID)
			wantCode(t, err, errs.NotFound, "")
			_, err = w.svc.Member(grid01, w.members[1].ID)
			wantCode(t, err, errs.NotFound, "")
			ls, total := must2(w.svc.Liaisons(grid01, party.LiaisonFilter{}))(t)
			if total != 1 || ls[0].ID != w.liaisons[0].ID {
				t.Errorf("grid01 sees liaison households %+v", ls)
			}
			cs, _ := must2(w.svc.Covered(grid01, party.CoveredFilter{}))(t)
			for _, c := range cs {
				if c.LiaisonID != w.liaisons[0].ID {
					t.Errorf("grid01 sees a household covered from grid02: %+v", c)
				}
			}
		})
		t.Run("grid01's figures count only grid01", func(t *testing.T) {
			p := w.f.Users["grid01"]
			f := must(w.svc.Figures(grid01, p, 0))(t)
			if f.Branches != 1 || f.Members != 1 || f.Liaisons != 1 || f.Covered != 2 {
				t.Errorf("figures = %+v", f)
			}
			_, err := w.svc.Figures(grid01, p, w.f.Grids[1].ID)
			wantCode(t, err, errs.NotFound, "")
		})
		t.Run("another community's admin sees nothing of Nanguan", func(t *testing.T) {
			_, err := w.svc.Org(w.f.Ctx("other"), w.committee.ID)
			wantCode(t, err, errs.NotFound, "")
		})
		t.Run("an admin cannot cover a household outside their scope", func(t *testing.T) {
			_, err := w.svc.CoverHouseholds(w.f.Ctx("other"), w.liaisons[0].ID, []int64{w.households[0][4]})
			wantCode(t, err, errs.NotFound, "")
		})
	})
}

// must2 is must for list calls that also return a total.
func must2[T any](v T, n int, err error) func(t *testing.T) (T, int) {
	return func(t *testing.T) (T, int) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v, n
	}
}

func TestCoverHouseholds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		admin := w.f.Ctx("admin")
		hs := w.households[0]
		// A second liaison household in grid 01, from the member of household 4.
		m := must(w.svc.CreateMember(admin, party.MemberInput{OrgID: w.branches[0].ID, ResidentID: w.heads[0][3]}))(t)
		second := must(w.svc.CreateLiaison(admin, party.LiaisonInput{MemberID: m.ID}))(t)
		t.Run("a household cannot be covered twice", func(t *testing.T) {
			_, err := w.svc.CoverHouseholds(admin, second.ID, []int64{hs[4], hs[1]})
			wantCode(t, err, errs.Conflict, "一户只能由一个党员联系户联系")
			if !strings.Contains(errs.MessageOf(err), "王秀英") {
				t.Errorf("message %q does not name the covering member", errs.MessageOf(err))
			}
			l := must(w.svc.Liaison(admin, second.ID))(t)
			if l.Covered != 0 {
				t.Errorf("a rejected request still covered %d households", l.Covered)
			}
		})
		t.Run("a liaison household cannot be covered by another", func(t *testing.T) {
			_, err := w.svc.CoverHouseholds(admin, second.ID, []int64{hs[0]})
			wantCode(t, err, errs.Conflict, "本身是党员联系户")
		})
		t.Run("a covered household cannot become a liaison household", func(t *testing.T) {
			m := must(w.svc.CreateMember(admin, party.MemberInput{OrgID: w.branches[0].ID, ResidentID: w.heads[0][1]}))(t)
			_, err := w.svc.CreateLiaison(admin, party.LiaisonInput{MemberID: m.ID})
			wantCode(t, err, errs.Conflict, "已由党员联系户")
		})
		t.Run("only households of the same grid", func(t *testing.T) {
			_, err := w.svc.CoverHouseholds(admin, second.ID, []int64{w.households[1][5]})
			wantCode(t, err, errs.Invalid, "只能联系本网格的住户")
		})
		t.Run("suggestions leave out covered and liaison households", func(t *testing.T) {
			got := must(w.svc.SuggestCovered(admin, second.ID, 10))(t)
			var ids []int64
			for _, c := range got {
				ids = append(ids, c.HouseholdID)
				if !c.SameBuilding {
					t.Errorf("%s is not in the liaison's building", c.Address)
				}
			}
			if len(ids) != 2 || ids[0] != hs[4] || ids[1] != hs[5] {
				t.Errorf("suggested %v, want %v", ids, []int64{hs[4], hs[5]})
			}
		})
		t.Run("removed households are free again", func(t *testing.T) {
			if err := w.svc.UncoverHousehold(admin, w.liaisons[0].ID, hs[1]); err != nil {
				t.Fatal(err)
			}
			l := must(w.svc.CoverHouseholds(admin, second.ID, []int64{hs[1], hs[4]}))(t)
			if l.Covered != 2 {
				t.Errorf("covered = %d, want 2", l.Covered)
			}
		})
		t.Run("a household's file finds its liaison, and a resident their membership", func(t *testing.T) {
			own, n := must2(w.svc.Liaisons(admin, party.LiaisonFilter{HouseholdID: hs[0]}))(t)
			if n != 1 || own[0].ID != w.liaisons[0].ID {
				t.Errorf("the liaison household's own point: %d, %+v", n, own)
			}
			covering, n := must2(w.svc.Covered(admin, party.CoveredFilter{HouseholdID: hs[1]}))(t)
			if n != 1 || covering[0].LiaisonID != second.ID {
				t.Errorf("household 1 is covered by %+v, want liaison %d", covering, second.ID)
			}
			if _, n := must2(w.svc.Covered(admin, party.CoveredFilter{HouseholdID: hs[3]}))(t); n != 0 {
				t.Errorf("household 3 covered %d times", n)
			}
			members, n := must2(w.svc.Members(admin, party.MemberFilter{ResidentID: w.heads[0][3]}))(t)
			if n != 1 || members[0].ID != m.ID {
				t.Errorf("the resident's membership: %+v", members)
			}
			if _, n := must2(w.svc.Covered(w.f.Ctx("other"), party.CoveredFilter{HouseholdID: hs[1]}))(t); n != 0 {
				t.Error("another community's admin reads Nanguan's liaison")
			}
			if _, n := must2(w.svc.Members(w.f.Ctx("other"), party.MemberFilter{ResidentID: w.heads[0][3]}))(t); n != 0 {
				t.Error("another community's admin reads a Nanguan membership")
			}
		})
		t.Run("a covered household's resident count leaves minors out for a grid worker", func(t *testing.T) {
			child := w.f.RawResident(t, hs[2], "刘小芳", "F", "女儿", "")
			birth := time.Now().AddDate(-9, 0, 0).Format("2006-01-02")
			if _, err := d.W.Exec(`UPDATE residents SET birth_date = $1 WHERE id = $2`, birth, child); err != nil {
				t.Fatal(err)
			}
			counts := func(ctx context.Context) int {
				list, _ := must2(w.svc.Covered(ctx, party.CoveredFilter{LiaisonID: w.liaisons[0].ID}))(t)
				for _, c := range list {
					if c.HouseholdID == hs[2] {
						return c.Residents
					}
				}
				t.Fatalf("household %d is not listed as covered", hs[2])
				return 0
			}
			if n := counts(w.f.Ctx("worker01")); n != 1 {
				t.Errorf("grid worker sees %d residents in the household, want 1 (the child is hidden from them)", n)
			}
			if n := counts(admin); n != 2 {
				t.Errorf("community admin sees %d residents in the household, want 2", n)
			}
		})
		t.Run("every change is audited", func(t *testing.T) {
			var n int
			if err := d.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action IN ('liaison.cover', 'liaison.uncover', 'liaison.create')`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n < 6 {
				t.Errorf("%d liaison audit entries, want at least 6", n)
			}
		})
	})
}

func TestMembers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		admin := w.f.Ctx("admin")
		t.Run("a member from a resident takes the name, gender and masked phone", func(t *testing.T) {
			m := must(w.svc.CreateMember(admin, party.MemberInput{OrgID: w.branches[0].ID, ResidentID: w.heads[0][2],
				Status: party.Probationary, Employment: party.Retired}))(t)
			if m.Name != "刘芳" || m.Gender != "F" || m.PhoneMasked != "138****0122" || m.Address != "1号楼 1单元 201室" {
				t.Errorf("member = %+v", m)
			}
			var enc []byte
			if err := d.R.QueryRow(`SELECT phone_enc FROM party_members WHERE id = $1`, m.ID).Scan(&enc); err != nil {
				t.Fatal(err)
			}
			if plain, err := w.f.Sealer.Open(enc); err != nil || plain != "13800000122" {
				t.Errorf("stored phone opens to %q, %v", plain, err)
			}
		})
		t.Run("a resident is recorded only once", func(t *testing.T) {
			_, err := w.svc.CreateMember(admin, party.MemberInput{OrgID: w.branches[0].ID, ResidentID: w.heads[0][2]})
			wantCode(t, err, errs.Conflict, "已登记为党员")
		})
		t.Run("another community cannot record members in Nanguan branches", func(t *testing.T) {
			_, err := w.svc.CreateMember(w.f.Ctx("other"), party.MemberInput{OrgID: w.branches[0].ID, ResidentID: w.heads[0][5]})
			wantCode(t, err, errs.Invalid, "所选党组织不存在")
		})
		t.Run("an in-service member needs a workplace and a branch of record", func(t *testing.T) {
			_, err := w.svc.CreateMember(admin, party.MemberInput{OrgID: w.committee.ID, Kind: party.InServiceMember, Name: "高峰"})
			fields := errs.FieldsOf(err)
			if fields["workplace"] == "" || fields["home_org"] == "" {
				t.Fatalf("fields = %v", fields)
			}
			m := must(w.svc.CreateMember(admin, party.MemberInput{OrgID: w.committee.ID, Kind: party.InServiceMember,
				Name: "高峰", Phone: "139 1234 5678", Workplace: "甘州区人民医院", HomeOrg: "甘州区人民医院党支部", Skills: "医疗保健"}))(t)
			if m.PhoneMasked != "139****5678" || m.RegisteredOn == "" || m.Employment != party.Employed {
				t.Errorf("in-service member = %+v", m)
			}
			list, total := must2(w.svc.Members(admin, party.MemberFilter{Kind: party.InServiceMember}))(t)
			if total != 1 || list[0].Name != "高峰" {
				t.Errorf("in-service list = %+v", list)
			}
		})
		t.Run("a transfer moves the member and the counts", func(t *testing.T) {
			m := must(w.svc.CreateMember(admin, party.MemberInput{OrgID: w.branches[0].ID, Name: "钱进"}))(t)
			m = must(w.svc.TransferMember(admin, m.ID, w.branches[1].ID, "搬迁"))(t)
			if m.OrgID != w.branches[1].ID || m.RegionID != w.f.Grids[1].ID {
				t.Errorf("after transfer %+v", m)
			}
			if _, err := w.svc.Member(w.f.Ctx("grid01"), m.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("grid01 still sees the transferred member: %v", err)
			}
		})
		t.Run("a member answering for a liaison household cannot leave the roll", func(t *testing.T) {
			_, err := w.svc.DeactivateMember(admin, w.members[0].ID, "去世", "")
			wantCode(t, err, errs.Conflict, "请先撤销或移交联系户")
		})
		t.Run("a member who leaves disappears from the roll and the counts", func(t *testing.T) {
			m := must(w.svc.CreateMember(admin, party.MemberInput{OrgID: w.branches[0].ID, Name: "孙浩"}))(t)
			before := must(w.svc.Org(admin, w.branches[0].ID))(t).Members
			m = must(w.svc.DeactivateMember(admin, m.ID, "组织关系转出", "2024-05-01"))(t)
			if m.Active || m.LeftOn != "2024-05-01" {
				t.Errorf("after deactivation %+v", m)
			}
			if after := must(w.svc.Org(admin, w.branches[0].ID))(t).Members; after != before-1 {
				t.Errorf("branch members %d → %d", before, after)
			}
		})
		t.Run("a resident under 18 is neither offered nor recorded as a member", func(t *testing.T) {
			child := w.f.RawResident(t, w.households[0][3], "陈小静", "F", "女儿", "")
			birth := time.Now().AddDate(-15, 0, 0).Format("2006-01-02")
			if _, err := d.W.Exec(`UPDATE residents SET birth_date = $1 WHERE id = $2`, birth, child); err != nil {
				t.Fatal(err)
			}
			if hits := must(w.svc.SearchResidents(admin, "小静"))(t); len(hits) != 0 {
				t.Errorf("the member form offers a 15-year-old: %+v", hits)
			}
			if _, err := w.svc.Resident(admin, child); !errs.Is(err, errs.NotFound) {
				t.Errorf("the member form prefills a 15-year-old: %v", err)
			}
			_, err := w.svc.CreateMember(admin, party.MemberInput{OrgID: w.branches[0].ID, ResidentID: child})
			wantCode(t, err, errs.Invalid, "")
			if msg := errs.FieldsOf(err)["resident_id"]; !strings.Contains(msg, "十八周岁") {
				t.Errorf("resident_id message %q does not say a member must be 18", msg)
			}
		})
		t.Run("residents are found by a two-character name", func(t *testing.T) {
			hits := must(w.svc.SearchResidents(admin, "秀英"))(t)
			if len(hits) != 1 || hits[0].Name != "王秀英" || hits[0].MemberID == nil {
				t.Errorf("hits = %+v", hits)
			}
			if hits := must(w.svc.SearchResidents(w.f.Ctx("grid02"), "秀英"))(t); len(hits) != 0 {
				t.Errorf("grid02 finds a grid01 resident: %+v", hits)
			}
		})
	})
}
