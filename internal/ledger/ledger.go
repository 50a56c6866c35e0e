// Package ledger imports the resident ledgers (人口台账) communities keep into the register, and
// exports the register as ledgers: the column mapping, the row checks and corrections, the plan
// against what the register holds, the batched write, the error report and the .xlsx exports.
// It reads files through internal/sheet and writes through the register's rules; register never
// imports it.
package ledger

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"linli/internal/register"
)

// LedgerField is a column a resident ledger (人口台账) may have, as the column-mapping step offers it.
type LedgerField struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	// aliases are the cleaned header texts communities use for the column; the first match wins.
	aliases []string
}

// The ledger field codes that are not resident fields proper. A column mapped to "tag:<code>" is a
// yes/no column for one tag (独居 是/√/1).
const (
	fieldIgnore    = ""
	fieldEstate    = "estate"
	fieldBuilding  = "building"
	fieldUnit      = "unit"
	fieldRoom      = "room"
	fieldAddress   = "address"
	fieldKind      = "household_kind"
	fieldTags      = "tags"
	tagFieldPrefix = "tag:"
)

// ledgerFields lists the mappable fields in the order the mapping form shows them.
var ledgerFields = []LedgerField{
	{Code: "name", Label: "姓名", aliases: []string{"姓名", "居民姓名", "人员姓名", "名字", "成员姓名", "家庭成员姓名"}},
	{Code: "gender", Label: "性别", aliases: []string{"性别"}},
	{Code: "id_number", Label: "身份证号", aliases: []string{"身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "公民身份证号", "证件号码", "证件号", "身份证", "身份号码"}},
	{Code: "phone", Label: "联系电话", aliases: []string{"联系电话", "手机号", "手机号码", "电话", "电话号码", "联系方式", "手机", "联系手机", "本人电话"}},
	{Code: "birth_date", Label: "出生日期", aliases: []string{"出生日期", "出生年月", "出生年月日", "生日", "出生时间"}},
	{Code: fieldEstate, Label: "小区/院落", aliases: []string{"小区", "小区名称", "院落", "小区名", "院落名称", "所在小区"}},
	{Code: fieldBuilding, Label: "楼栋", aliases: []string{"楼栋", "楼号", "楼栋号", "楼宇", "楼院", "栋号", "楼栋名称", "幢号", "楼", "栋"}},
	{Code: fieldUnit, Label: "单元", aliases: []string{"单元", "单元号"}},
	{Code: fieldRoom, Label: "门牌号", aliases: []string{"门牌号", "房号", "房间号", "门牌", "室号", "户号", "房屋号", "门牌号码"}},
	{Code: fieldAddress, Label: "住址（楼栋单元门牌）", aliases: []string{"住址", "地址", "家庭住址", "现住址", "居住地址", "现居住地址", "详细地址", "现住地址", "居住地"}},
	{Code: fieldKind, Label: "住房性质", aliases: []string{"住房性质", "房屋性质", "居住性质", "房屋类型", "住房类型", "户别"}},
	{Code: "relation", Label: "与户主关系", aliases: []string{"与户主关系", "与户主的关系", "家庭关系", "关系", "户主关系"}},
	{Code: "residence_type", Label: "人口类型", aliases: []string{"户籍类型", "人员类别", "人口类型", "人口类别", "人员类型", "居住类型", "户籍性质", "户口性质", "人员性质"}},
	{Code: "ethnicity", Label: "民族", aliases: []string{"民族"}},
	{Code: fieldTags, Label: "标签（可多个）", aliases: []string{"标签", "重点人群", "人员标签", "特殊人群", "人群类别", "重点人群类别", "关爱对象", "人群标签"}},
	{Code: "note", Label: "备注", aliases: []string{"备注", "说明", "备注信息"}},
}

// tagColumnAliases are the headers of yes/no columns, one tag each.
var tagColumnAliases = map[register.Tag][]string{
	register.TagElderlyAlone:    {"独居老人", "独居", "是否独居", "孤寡老人"},
	register.TagEmptyNest:       {"空巢老人", "空巢", "是否空巢"},
	register.TagDisabledCare:    {"失能/半失能", "失能半失能", "失能", "半失能", "失能老人"},
	register.TagDisability:      {"残疾人", "残疾", "是否残疾"},
	register.TagDibao:           {"低保/特困", "低保特困", "低保", "特困", "低保户", "是否低保"},
	register.TagLeftBehindChild: {"留守儿童", "留守"},
	register.TagChildInDistress: {"困境儿童"},
	register.TagVeteran:         {"退役军人", "退伍军人", "是否退役军人"},
	register.TagFocus:           {"重点关注", "重点人员", "关注对象"},
}

// headersNotMapped are headers that look like a field but are something else (户籍地址 is where the
// hukou is registered, not where the person lives).
var headersNotMapped = map[string]bool{"序号": true, "编号": true, "户籍地址": true, "户籍地": true, "户口所在地": true,
	"籍贯": true, "户主姓名": true, "户主": true, "年龄": true, "工作单位": true, "文化程度": true, "政治面貌": true}

// LedgerFields returns the fields a column may be mapped to, with the one-tag columns after them.
func LedgerFields() []LedgerField {
	out := append([]LedgerField(nil), ledgerFields...)
	for _, t := range register.SettableTags() {
		out = append(out, LedgerField{Code: tagFieldPrefix + string(t), Label: "标签列：" + t.Label()})
	}
	return out
}

// ledgerFieldLabel is the Chinese name of a field code, for error messages and the mapping form.
func ledgerFieldLabel(code string) string {
	if t, ok := strings.CutPrefix(code, tagFieldPrefix); ok {
		return register.Tag(t).Label()
	}
	for _, f := range ledgerFields {
		if f.Code == code {
			return f.Label
		}
	}
	return code
}

func validLedgerField(code string) bool {
	if code == fieldIgnore {
		return true
	}
	if t, ok := strings.CutPrefix(code, tagFieldPrefix); ok {
		return register.Tag(t).Valid() && !register.Tag(t).Derived()
	}
	for _, f := range ledgerFields {
		if f.Code == code {
			return true
		}
	}
	return false
}

// cleanHeader folds a header cell for matching: half-width, no spaces, no required-field stars,
// no bracketed hints such as 联系电话（手机）.
func cleanHeader(s string) string {
	s = width.Fold.String(s)
	for _, pair := range [][2]string{{"(", ")"}, {"[", "]"}, {"【", "】"}} {
		for {
			i := strings.Index(s, pair[0])
			j := strings.Index(s, pair[1])
			if i < 0 || j < i {
				break
			}
			s = s[:i] + s[j+len(pair[1]):]
		}
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '*' || r == '\u200b' || r == '\ufeff' || r == ':' || r == '：' {
			return -1
		}
		return r
	}, s)
}

// matchHeader returns the field a header suggests, or "" when it suggests none.
func matchHeader(header string) string {
	h := cleanHeader(header)
	if h == "" || headersNotMapped[h] {
		return fieldIgnore
	}
	for _, f := range ledgerFields {
		for _, a := range f.aliases {
			if h == a {
				return f.Code
			}
		}
	}
	for _, t := range register.SettableTags() {
		for _, a := range tagColumnAliases[t] {
			if h == a || h == "是否"+a {
				return tagFieldPrefix + string(t)
			}
		}
	}
	// A longer header that contains a distinctive alias: 居民身份证号码, 本人联系电话.
	best, bestLen := fieldIgnore, 0
	for _, f := range ledgerFields {
		for _, a := range f.aliases {
			if len([]rune(a)) >= 2 && strings.Contains(h, a) && len(a) > bestLen {
				best, bestLen = f.Code, len(a)
			}
		}
	}
	return best
}

// suggestMapping maps each header to a field; a field already taken by an earlier column is not
// suggested again.
func suggestMapping(headers []string) []string {
	out := make([]string, len(headers))
	taken := map[string]bool{}
	for i, h := range headers {
		code := matchHeader(h)
		if code == fieldIgnore || taken[code] {
			continue
		}
		taken[code] = true
		out[i] = code
	}
	return out
}

// headerScore counts the cells of a row that look like ledger headers.
func headerScore(cells []string) int {
	n := 0
	for _, c := range cells {
		if matchHeader(c) != fieldIgnore {
			n++
		}
	}
	return n
}

// findHeader picks, among the first rows of a sheet, the one that reads most like a header: ledgers
// often open with a title row (南关社区人口台账) or a note above the header.
func findHeader(rows [][]string) (index int, ok bool) {
	best, bestScore := -1, 1
	for i, r := range rows {
		s := headerScore(r)
		if s > bestScore {
			best, bestScore = i, s
		}
	}
	if best < 0 {
		return 0, false
	}
	for _, c := range suggestMapping(rows[best]) {
		if c == "name" {
			return best, true
		}
	}
	return 0, false
}

// LedgerMapping says which field each column of a ledger holds.
type LedgerMapping struct {
	HeaderRow int      `json:"header_row"` // 1-based row number of the header in the sheet
	Headers   []string `json:"headers"`
	Columns   []string `json:"columns"` // a field code per column; "" ignores the column
}

// Validate checks that every code is known, none is used twice, and the columns can identify a
// resident and where they live.
func (m LedgerMapping) Validate() error {
	seen := map[string]bool{}
	for i, c := range m.Columns {
		if !validLedgerField(c) {
			return ledgerErr("第%d列的对应字段无效", i+1)
		}
		if c != fieldIgnore && seen[c] {
			return ledgerErr("“%s”对应了多列，请只保留一列", ledgerFieldLabel(c))
		}
		seen[c] = true
	}
	if !seen["name"] {
		return ledgerErr("请指定“姓名”所在的列")
	}
	if !seen[fieldBuilding] && !seen[fieldAddress] && !seen[fieldEstate] {
		return ledgerErr("请指定“楼栋”或“住址”所在的列，以便将居民归入户")
	}
	if !seen[fieldRoom] && !seen[fieldAddress] {
		return ledgerErr("请指定“门牌号”或“住址”所在的列")
	}
	return nil
}

// column returns the index of the column mapped to code, or -1.
func (m LedgerMapping) column(code string) int {
	for i, c := range m.Columns {
		if c == code {
			return i
		}
	}
	return -1
}

// coveredTags returns the tags this mapping speaks for: with a multi-tag column every settable
// tag (a tag missing from a row's list is removed), otherwise the tags of the yes/no columns.
// Tags the file does not speak for are left as they are.
func (m LedgerMapping) coveredTags() []string {
	if m.column(fieldTags) >= 0 {
		var all []string
		for _, t := range register.SettableTags() {
			all = append(all, string(t))
		}
		return all
	}
	var out []string
	for _, t := range register.SettableTags() {
		if m.column(tagFieldPrefix+string(t)) >= 0 {
			out = append(out, string(t))
		}
	}
	return out
}
