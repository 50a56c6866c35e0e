package ledger

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/width"
)

func TestSuggestMapping(t *testing.T) {
	headers := []string{"序号", "姓名", "性别", "公民身份号码", "联系电话（手机）", "出生年月", "楼号", "单元", "房号",
		"与户主关系", "人员类别", "民族", "是否独居", "低保", "重点人群", "备注", "户籍地址"}
	want := []string{"", "name", "gender", "id_number", "phone", "birth_date", "building", "unit", "room",
		"relation", "residence_type", "ethnicity", "tag:elderly_alone", "tag:dibao", "tags", "note", ""}
	if got := suggestMapping(headers); !reflect.DeepEqual(got, want) {
		t.Errorf("suggestMapping:\n got %q\nwant %q", got, want)
	}
}

func TestFindHeader(t *testing.T) {
	t.Run("skips the title row above the header", func(t *testing.T) {
		rows := [][]string{{"南关社区人口台账（2024年）"}, {}, {"序号", "姓名", "身份证号", "楼栋", "门牌号"}, {"1", "张三"}}
		i, ok := findHeader(rows)
		if !ok || i != 2 {
			t.Fatalf("findHeader = %d, %v; want 2, true", i, ok)
		}
	})
	t.Run("refuses a sheet without a name column", func(t *testing.T) {
		if _, ok := findHeader([][]string{{"楼栋", "门牌号", "单元"}}); ok {
			t.Fatal("found a header without 姓名")
		}
	})
}

func TestCleanCell(t *testing.T) {
	for _, tc := range []struct {
		raw, want        string
		compact          bool
		fullWidth, space bool
	}{
		{"６２０７０２", "620702", true, true, false},
		{" 张 三 ", "张三", false, false, true},
		{"张三", "张三", false, false, false},
		{"Anna  Li", "Anna Li", false, false, true},
		{"138 1234\u00a05678", "13812345678", true, false, true},
		{"\u3000李四", "李四", false, false, true},
	} {
		got, fix := cleanCell(tc.raw, tc.compact)
		if got != tc.want || fix.fullWidth != tc.fullWidth || fix.spaces != tc.space {
			t.Errorf("cleanCell(%q) = %q %+v; want %q full-width %v spaces %v", tc.raw, got, fix, tc.want, tc.fullWidth, tc.space)
		}
	}
}

func TestExcelSerialDate(t *testing.T) {
	for in, want := range map[string]string{"18326": "1950-03-04", "1": "1900-01-01", "61": "1900-03-01", "45292": "2024-01-01"} {
		if got, ok := excelSerialDate(in); !ok || got != want {
			t.Errorf("excelSerialDate(%s) = %s, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"19500304", "1950.3.4", "abc", "0"} {
		if got, ok := excelSerialDate(in); ok {
			t.Errorf("excelSerialDate(%s) = %s; want no serial", in, got)
		}
	}
}

func TestSplitAddress(t *testing.T) {
	for in, want := range map[string][4]string{
		"南关小区3号楼2单元301室": {"南关小区", "3号楼", "2单元", "301"},
		"3栋2单元301":       {"", "3号楼", "2单元", "301"},
		"3-2-301":        {"", "3号楼", "2单元", "301"},
		"12号楼0502":       {"", "12号楼", "", "502"},
	} {
		e, b, u, r, ok := splitAddress(in)
		if !ok || [4]string{e, b, u, r} != want {
			t.Errorf("splitAddress(%s) = %q %q %q %q %v; want %q", in, e, b, u, r, ok, want)
		}
	}
	if canonBuilding("3栋") != "3号楼" || canonBuilding("3#") != "3号楼" || canonBuilding("农机院") != "农机院" {
		t.Error("canonBuilding does not read 3栋 and 3# as 3号楼")
	}
}

func TestCleanCellShortcutChangesNothing(t *testing.T) {
	for _, raw := range []string{"", "张三", "620702195003040112", "3号楼", "A-301", "居民00001", "Anna", "~!@#$%^&*()_+{}|:<>?",
		"一丁七万丈三上下丌不与丏丐丑丒专且丕世丗丘丙业丛东丝丞丟丠両丢丣两严並丧丨丩个丫丬中丮丯丰丱串丳临丵丶丷丸丹为主丼丽举丿乀乁乂乃乄久乆乇么义乊之乌乍乎乏乐乑乒乓乔乕乖乗乘乙乚乛乜九乞也习乡乢乣乤乥书乧乨乩乪乫乬乭乮乯买乱乲乳乴乵乶乷乸乹乺乻乼乽乾乿亀亁亂亃亄亅了亇予争亊事二亍于亏亐云互亓五井亖亗亘亙亚些亜亝亞亟亠亡亢亣交亥亦产亨亩亪享京亭亮亯亰亱亲亳亴亵亶亷亸亹人亻亼亽亾亿什仁仂仃仄仅仆仇仈仉今介仌仍从仏仐仑仒仓仔仕他仗付仙仚仛仜仝仞仟仠仡仢代令以仦仧仨仩仪仫们仭仮仯仰仱仲仳仴仵件价仸仹仺任仼份仾仿鿿"} {
		if !plainCell(raw) {
			t.Fatalf("%q is not plain", raw)
		}
		for _, compact := range []bool{false, true} {
			got, fix := cleanCell(raw, compact)
			folded := width.Fold.String(raw)
			want := joinWords(folded)
			if compact {
				want = strings.Map(dropSpace, folded)
			}
			wantFix := cellFix{fullWidth: strings.Map(dropSpace, folded) != strings.Map(dropSpace, raw), spaces: want != folded}
			if got != want || fix != wantFix {
				t.Errorf("cleanCell(%q, %v) = %q %+v; the full cleaning gives %q %+v", raw, compact, got, fix, want, wantFix)
			}
		}
	}
	for _, raw := range []string{" 张三", "张\u3000三", "６", "a\tb", "ｶ", "\u00a0"} {
		if plainCell(raw) {
			t.Errorf("%q taken as plain", raw)
		}
	}
}
