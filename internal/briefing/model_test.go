package briefing

import (
	"slices"
	"testing"
)

func TestTypedNumbersAreFlaggedUnlessDatesOrFigures(t *testing.T) {
	b := &Briefing{Sections: []Section{
		{Key: "basic", Text: "2024年1月1日至10月15日，社区划分网格{{register.grids}}个。第3期简报。拨打12345热线。"},
		{Key: "cobuild", Text: "联系驻区35家单位，覆盖３５户，满意率98.5%，期间2024-01-01至2024-10-15。"},
		{Key: "cases", Text: "办理诉求153件。"},
	}}
	values := map[string]Value{"register.grids": {Text: "10"}, "cases.hotline_handled": {Text: "153"}}
	var got []string
	for _, f := range b.Check(values) {
		got = append(got, f.Section+":"+f.Number)
	}
	want := []string{"cobuild:35", "cobuild:３５", "cobuild:98.5%"}
	if !slices.Equal(got, want) {
		t.Errorf("flags = %v, want %v (dates, 第N期, 12345 and a number equal to a figure are not flagged)", got, want)
	}
}

func TestReferencesParseWithTheirParameters(t *testing.T) {
	base := Params{RegionID: 3, From: "2024-01-01", To: "2024-10-15"}
	d, p, err := parseRef("cases.hotline_handled category=12 from=2023-01-01 to=2023-10-15", base)
	if err != nil || d.Key != "cases.hotline_handled" || p.Filter != "12" || p.From != "2023-01-01" || p.RegionID != 3 {
		t.Errorf("parsed %v %+v %v", d, p, err)
	}
	for _, bad := range []string{"cases.nothing", "party.branches category=1", "cases.closed region=x", "cases.closed from=2025-01-01",
		"cases.closed to"} {
		if _, _, err := parseRef(bad, base); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	paras := Paragraphs("开展活动{{ activities.held }}场\n\n其中{{activities.series_held series=2}}场。")
	if len(paras) != 2 || paras[0][1].Ref != "activities.held" || paras[1][1].Ref != "activities.series_held series=2" {
		t.Errorf("paragraphs = %+v", paras)
	}
}

func TestPreviousPeriodIsTheSameLengthJustBefore(t *testing.T) {
	for _, c := range [][4]string{
		{"2024-01-01", "2024-12-31", "2023-01-01", "2023-12-31"},
		{"2024-03-01", "2024-03-31", "2024-02-01", "2024-02-29"},
		{"2024-01-01", "2024-10-15", "2023-03-18", "2023-12-31"},
	} {
		if f, to := previous(c[0], c[1]); f != c[2] || to != c[3] {
			t.Errorf("previous(%s, %s) = %s, %s; want %s, %s", c[0], c[1], f, to, c[2], c[3])
		}
	}
}
