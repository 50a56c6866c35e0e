package register

import (
	"database/sql"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/pii"
)

// Tag is a focus-group code carried by a resident (DOMAIN.md, "Resident").
type Tag string

// The tags. TagMinor, TagAged80 and TagPartyMember are derived from data and never stored.
const (
	TagElderlyAlone    Tag = "elderly_alone"
	TagEmptyNest       Tag = "empty_nest"
	TagAged80          Tag = "aged_80"
	TagDisabledCare    Tag = "disabled_care"
	TagDisability      Tag = "disability"
	TagDibao           Tag = "dibao"
	TagLeftBehindChild Tag = "left_behind_child"
	TagChildInDistress Tag = "child_in_distress"
	TagMinor           Tag = "minor"
	TagVeteran         Tag = "veteran"
	TagPartyMember     Tag = "party_member"
	TagFocus           Tag = "focus"
)

// Tags lists every tag in the order pages show them.
var Tags = []Tag{TagElderlyAlone, TagEmptyNest, TagAged80, TagDisabledCare, TagDisability, TagDibao,
	TagLeftBehindChild, TagChildInDistress, TagMinor, TagVeteran, TagPartyMember, TagFocus}

var tagLabels = map[Tag]string{
	TagElderlyAlone: "独居老人", TagEmptyNest: "空巢老人", TagAged80: "高龄", TagDisabledCare: "失能/半失能",
	TagDisability: "残疾人", TagDibao: "低保/特困", TagLeftBehindChild: "留守儿童", TagChildInDistress: "困境儿童",
	TagMinor: "未成年人", TagVeteran: "退役军人", TagPartyMember: "党员", TagFocus: "重点关注",
}

// Label is the tag's Chinese name.
func (t Tag) Label() string { return tagLabels[t] }

// Valid reports whether t is a known tag.
func (t Tag) Valid() bool { _, ok := tagLabels[t]; return ok }

// Derived reports whether the tag is computed (minor and aged_80 from the birth date, party_member
// from party membership) rather than set by a user.
func (t Tag) Derived() bool { return t == TagMinor || t == TagAged80 || t == TagPartyMember }

// SettableTags lists the tags a user may set, in display order.
func SettableTags() []Tag {
	var out []Tag
	for _, t := range Tags {
		if !t.Derived() {
			out = append(out, t)
		}
	}
	return out
}

// ParseTag accepts a tag code or its Chinese label (as ledgers write it, e.g. 独居老人, 低保, 失能)
// and returns the tag.
func ParseTag(s string) (Tag, bool) {
	s = strings.TrimSpace(width.Fold.String(s))
	if t := Tag(strings.ToLower(s)); t.Valid() {
		return t, true
	}
	for t, l := range tagLabels {
		if s == l {
			return t, true
		}
	}
	switch s {
	case "独居", "孤寡老人":
		return TagElderlyAlone, true
	case "空巢":
		return TagEmptyNest, true
	case "高龄老人", "80岁以上":
		return TagAged80, true
	case "失能", "半失能", "失能老人", "半失能老人":
		return TagDisabledCare, true
	case "残疾", "残疾人员":
		return TagDisability, true
	case "低保", "特困", "低保户", "特困人员", "特困供养":
		return TagDibao, true
	case "留守", "留守儿童":
		return TagLeftBehindChild, true
	case "困境", "困境儿童":
		return TagChildInDistress, true
	case "未成年", "未成年人":
		return TagMinor, true
	case "退役", "退伍军人", "退役军人":
		return TagVeteran, true
	case "中共党员", "党员", "预备党员":
		return TagPartyMember, true
	case "重点人员", "重点关注", "关注":
		return TagFocus, true
	}
	return "", false
}

// ResidenceType is how a resident lives in the community.
type ResidenceType string

// The residence types.
const (
	ResidenceHuji    ResidenceType = "huji"    // 户籍人口
	ResidenceLiudong ResidenceType = "liudong" // 流动人口
	ResidenceJizhu   ResidenceType = "jizhu"   // 寄住人口
	ResidenceJingwai ResidenceType = "jingwai" // 境外人员
)

// ResidenceTypes lists the residence types in display order.
var ResidenceTypes = []ResidenceType{ResidenceHuji, ResidenceLiudong, ResidenceJizhu, ResidenceJingwai}

var residenceLabels = map[ResidenceType]string{
	ResidenceHuji: "户籍", ResidenceLiudong: "流动", ResidenceJizhu: "寄住", ResidenceJingwai: "境外",
}

// Label is the residence type's Chinese name.
func (r ResidenceType) Label() string { return residenceLabels[r] }

// ParseResidenceType accepts a code or a Chinese label (户籍, 户籍人口, 流动人口, 境外人员 …); empty
// means 户籍.
func ParseResidenceType(s string) (ResidenceType, bool) {
	s = strings.TrimSpace(width.Fold.String(s))
	if s == "" {
		return ResidenceHuji, true
	}
	if r := ResidenceType(strings.ToLower(s)); r.Label() != "" {
		return r, true
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "人口"), "人员")
	for r, l := range residenceLabels {
		if s == l {
			return r, true
		}
	}
	if s == "常住" || s == "本地" {
		return ResidenceHuji, true
	}
	return "", false
}

// Relations lists the relations to the head of household a resident may have, as stored.
var Relations = []string{"户主", "配偶", "儿子", "女儿", "父亲", "母亲", "孙子", "孙女", "外孙子", "外孙女",
	"兄弟姐妹", "儿媳", "女婿", "祖父母", "外祖父母", "其他亲属", "非亲属"}

var relationAliases = map[string]string{
	"本人": "户主", "户主本人": "户主", "妻": "配偶", "妻子": "配偶", "夫": "配偶", "丈夫": "配偶",
	"子": "儿子", "长子": "儿子", "次子": "儿子", "三子": "儿子", "独子": "儿子",
	"女": "女儿", "长女": "女儿", "次女": "女儿", "三女": "女儿", "独女": "女儿",
	"父": "父亲", "母": "母亲", "兄": "兄弟姐妹", "弟": "兄弟姐妹", "姐": "兄弟姐妹", "妹": "兄弟姐妹",
	"哥哥": "兄弟姐妹", "弟弟": "兄弟姐妹", "姐姐": "兄弟姐妹", "妹妹": "兄弟姐妹",
	"祖父": "祖父母", "祖母": "祖父母", "爷爷": "祖父母", "奶奶": "祖父母",
	"外祖父": "外祖父母", "外祖母": "外祖父母", "外公": "外祖父母", "外婆": "外祖父母",
	"孙子女": "孙子", "儿媳妇": "儿媳", "其他": "其他亲属", "亲属": "其他亲属", "租户": "非亲属", "借住": "非亲属",
}

// ParseRelation accepts a relation as ledgers write it (本人, 妻, 长子 …) and returns the stored
// form; empty stays empty.
func ParseRelation(s string) (string, bool) {
	s = strings.TrimSpace(width.Fold.String(s))
	if s == "" {
		return "", true
	}
	for _, r := range Relations {
		if s == r {
			return s, true
		}
	}
	if r, ok := relationAliases[s]; ok {
		return r, true
	}
	return "", false
}

// GenderLabel is the Chinese for a stored gender code.
func GenderLabel(g string) string {
	switch g {
	case "M":
		return "男"
	case "F":
		return "女"
	}
	return ""
}

// ParseGender accepts M/F, 男/女 (and 男性/女性); empty stays empty.
func ParseGender(s string) (string, bool) {
	switch strings.ToUpper(strings.TrimSpace(width.Fold.String(s))) {
	case "":
		return "", true
	case "M", "男", "男性":
		return "M", true
	case "F", "女", "女性":
		return "F", true
	}
	return "", false
}

// ParseDate accepts a date as forms and ledgers write it — 2006-01-02, 2006/1/2, 2006.1.2, 20060102,
// 2006年1月2日 — and returns YYYY-MM-DD.
func ParseDate(s string) (string, bool) {
	s = strings.TrimSpace(width.Fold.String(s))
	if s == "" {
		return "", false
	}
	s = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-").Replace(s)
	for _, layout := range []string{"2006-1-2", "20060102"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1880 {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// ResidentInput is what creating or updating a resident takes, from a form, the API or a ledger
// row. Call Normalize before using it.
type ResidentInput struct {
	HouseholdID int64 // checked by the service (exists, in scope), not by Normalize
	Name        string
	IDNumber    string // plain, 18 digits; empty when unknown
	Phone       string // plain; empty when unknown
	Gender      string // M, F or empty (derived from IDNumber when present)
	BirthDate   string // YYYY-MM-DD (derived from IDNumber when present)
	Relation    string // one of Relations
	// ResidenceType is a ResidenceType code; empty means huji.
	ResidenceType string
	Ethnicity     string
	Note          string
	// Tags holds settable tag codes; derived tags (minor, aged_80, party_member) are rejected.
	Tags []string
}

// Normalize cleans every field in place (spaces, full-width characters, aliases such as 男 or 本人),
// derives birth date and gender from the ID number, and validates. It returns an errs.Fields error
// keyed by field name (name, id_number, phone, gender, birth_date, relation, residence_type,
// ethnicity, note, tags) with Chinese messages.
func (in *ResidentInput) Normalize() error {
	f := errs.Fields{}
	in.Name = cleanName(in.Name)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		f.Add("name", "请填写姓名")
	case n > 40:
		f.Add("name", "姓名不能超过40个字")
	}
	if strings.TrimSpace(in.IDNumber) != "" {
		id, err := pii.NormalizeID(in.IDNumber)
		if err != nil {
			f.Add("id_number", err.Error())
			in.IDNumber = ""
		} else {
			in.IDNumber = id
		}
	} else {
		in.IDNumber = ""
	}
	if strings.TrimSpace(in.Phone) != "" {
		p, err := pii.NormalizePhone(in.Phone)
		if err != nil {
			f.Add("phone", err.Error())
			in.Phone = ""
		} else {
			in.Phone = p
		}
	} else {
		in.Phone = ""
	}
	if g, ok := ParseGender(in.Gender); ok {
		in.Gender = g
	} else {
		f.Add("gender", "性别应为“男”或“女”")
	}
	if strings.TrimSpace(in.BirthDate) != "" {
		if d, ok := ParseDate(in.BirthDate); ok {
			in.BirthDate = d
			if d > time.Now().Format("2006-01-02") {
				f.Add("birth_date", "出生日期不能晚于今天")
			}
		} else {
			f.Add("birth_date", "出生日期格式应为 年-月-日，如 1965-03-08")
		}
	} else {
		in.BirthDate = ""
	}
	if in.IDNumber != "" {
		birth, _ := pii.BirthFromID(in.IDNumber)
		gender := pii.GenderFromID(in.IDNumber)
		if in.BirthDate != "" && in.BirthDate != birth {
			f.Add("birth_date", "出生日期与身份证号不一致（身份证号显示为 "+birth+"）")
		}
		if in.Gender != "" && in.Gender != gender {
			f.Add("gender", "性别与身份证号不一致")
		}
		in.BirthDate, in.Gender = birth, gender
	}
	if r, ok := ParseRelation(in.Relation); ok {
		in.Relation = r
	} else {
		f.Add("relation", "与户主关系“"+strings.TrimSpace(in.Relation)+"”无法识别，请选择户主、配偶、儿子、女儿等")
	}
	if rt, ok := ParseResidenceType(in.ResidenceType); ok {
		in.ResidenceType = string(rt)
	} else {
		f.Add("residence_type", "人口类型应为户籍、流动、寄住或境外")
	}
	in.Ethnicity = strings.Join(strings.Fields(width.Fold.String(in.Ethnicity)), "")
	if in.Ethnicity != "" && !strings.HasSuffix(in.Ethnicity, "族") && isHan(in.Ethnicity) && utf8.RuneCountInString(in.Ethnicity) <= 3 {
		in.Ethnicity += "族" // 汉 → 汉族, 回 → 回族
	}
	if utf8.RuneCountInString(in.Ethnicity) > 20 {
		f.Add("ethnicity", "民族不能超过20个字")
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 500 {
		f.Add("note", "备注不能超过500字")
	}
	tags, msg := normalizeTags(in.Tags)
	in.Tags = tags
	if msg != "" {
		f.Add("tags", msg)
	}
	return f.Err()
}

func normalizeTags(raw []string) ([]string, string) {
	seen := map[Tag]bool{}
	var out []string
	for _, s := range raw {
		if strings.TrimSpace(s) == "" {
			continue
		}
		t, ok := ParseTag(s)
		if !ok {
			return out, "无法识别的标签“" + strings.TrimSpace(s) + "”"
		}
		if t.Derived() {
			return out, "“" + t.Label() + "”标签由系统根据出生日期或党员信息自动生成，无需手工设置"
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, string(t))
		}
	}
	// Keep the display order, so equal sets compare equal.
	var ordered []string
	for _, t := range Tags {
		if seen[t] {
			ordered = append(ordered, string(t))
		}
	}
	return ordered, ""
}

func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// cleanName folds full-width characters, drops spaces inside Chinese names and collapses them in
// others (阿依古丽·买买提 keeps its dot; "Anna  Li" keeps one space).
func cleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u3000', '\u200b', '\ufeff':
			return ' '
		}
		return r
	}, width.Fold.String(s))
	parts := strings.Fields(s)
	hasHan := false
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			hasHan = true
			break
		}
	}
	if hasHan {
		return strings.Join(parts, "")
	}
	return strings.Join(parts, " ")
}

// SealedResident is a normalised resident in the form it is stored: personal numbers encrypted
// (*Enc), blind-indexed (*Index, NULL when absent) and masked (*Masked).
type SealedResident struct {
	Name          string
	Gender        string
	BirthDate     string
	IDEnc         []byte
	IDIndex       sql.NullString
	IDMasked      string
	PhoneEnc      []byte
	PhoneIndex    sql.NullString
	PhoneMasked   string
	Relation      string
	ResidenceType string
	Ethnicity     string
	Note          string
	Tags          []string
}

// Seal turns a normalised input into its stored columns. Call Normalize first.
func (in *ResidentInput) Seal(s *pii.Sealer) SealedResident {
	out := SealedResident{Name: in.Name, Gender: in.Gender, BirthDate: in.BirthDate, Relation: in.Relation,
		ResidenceType: in.ResidenceType, Ethnicity: in.Ethnicity, Note: in.Note, Tags: in.Tags}
	if in.ResidenceType == "" {
		out.ResidenceType = string(ResidenceHuji)
	}
	if in.IDNumber != "" {
		out.IDEnc = s.Seal(in.IDNumber)
		out.IDIndex = sql.NullString{String: s.Index(in.IDNumber), Valid: true}
		out.IDMasked = pii.MaskID(in.IDNumber)
	}
	if in.Phone != "" {
		out.PhoneEnc = s.Seal(in.Phone)
		out.PhoneIndex = sql.NullString{String: s.Index(in.Phone), Valid: true}
		out.PhoneMasked = pii.MaskPhone(in.Phone)
	}
	return out
}

// Age returns the age in whole years on day today (YYYY-MM-DD) of someone born on birth
// (YYYY-MM-DD), or -1 when the birth date is unknown.
func Age(birth, today string) int {
	if len(birth) != 10 || len(today) != 10 {
		return -1
	}
	by, bmd := atoi(birth[:4]), birth[5:]
	ty, tmd := atoi(today[:4]), today[5:]
	age := ty - by
	if tmd < bmd {
		age--
	}
	return age
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// MinorCutoff returns the birth date after which a person is under 18 on today: residents with
// birth_date > MinorCutoff(today) are minors.
func MinorCutoff(today time.Time) string { return auth.AdultBornBy(today) }

// Aged80Cutoff returns the birth date on or before which a person is 80 or older on today.
func Aged80Cutoff(today time.Time) string { return today.AddDate(-80, 0, 0).Format("2006-01-02") }
