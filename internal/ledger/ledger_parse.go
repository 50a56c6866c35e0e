package ledger

import (
	"encoding/hex"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/width"

	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/register"
)

// RowIssue is one problem found in one cell of a ledger: an error keeps the row out of the import,
// a correction was made automatically and the row goes in.
type RowIssue struct {
	Row     int    `json:"row"`    // row number in the file, as Excel shows it
	Column  string `json:"column"` // the column's header in the file
	Message string `json:"message"`
	// Kind names the kind of a correction, for the count per kind; it is the message when the
	// message names no value.
	Kind string `json:"kind,omitempty"`
}

// ledgerRow is one data row, cleaned and validated, ready to match against the register.
// A 100,000-row ledger is held whole between check and commit, so the row is kept small: what only
// some rows have (errors, corrections) hangs off a pointer.
type ledgerRow struct {
	num   int
	in    register.ResidentInput
	given givenSet // fields whose cell was not empty; empty cells leave stored values alone
	// parseErrs counts the errors found in the row itself; matching adds its own after them.
	parseErrs int32
	// where the resident lives, as written
	estate, building, unit, room string
	kind                         register.HouseholdKind
	idIndex, phoneIndex          string    // blind indexes, packed (packIndex)
	notes                        *rowNotes // nil for a clean row
	// summary, for a summary row (合计, 小计, a lone count), says why it is skipped: not a person.
	summary string
}

// rowNotes are a row's errors and corrections, and for a row with errors its cells as read.
type rowNotes struct {
	errors, fixes []RowIssue
	cells         []string
}

func (r *ledgerRow) addError(i RowIssue) {
	if r.notes == nil {
		r.notes = &rowNotes{}
	}
	r.notes.errors = append(r.notes.errors, i)
}

func (r *ledgerRow) addFix(i RowIssue) {
	if i.Kind == "" {
		i.Kind = i.Message
	}
	if r.notes == nil {
		r.notes = &rowNotes{}
	}
	r.notes.fixes = append(r.notes.fixes, i)
}

// errors returns the row's errors.
func (r *ledgerRow) errors() []RowIssue {
	if r.notes == nil {
		return nil
	}
	return r.notes.errors
}

// fixes returns the corrections made to the row.
func (r *ledgerRow) fixes() []RowIssue {
	if r.notes == nil {
		return nil
	}
	return r.notes.fixes
}

// cells returns the cells of a row with errors, as read, for the error report.
func (r *ledgerRow) cells() []string {
	if r.notes == nil {
		return nil
	}
	return r.notes.cells
}

// forgetMatching drops the errors a previous matching against the register added.
func (r *ledgerRow) forgetMatching() {
	if r.notes != nil {
		r.notes.errors = r.notes.errors[:r.parseErrs]
	}
}

// packIndex holds a blind index (hex, as stored) in half the bytes while the import holds it;
// unpackIndex gives the stored form back. Values that are not hex are kept as they are.
func packIndex(h string) string {
	b, err := hex.DecodeString(h)
	if err != nil {
		return h
	}
	return string(b)
}

func unpackIndex(k string) string {
	if k == "" {
		return ""
	}
	return hex.EncodeToString([]byte(k))
}

// givenSet is a bit per field that an update may change, kept small: a ledger has 100,000 rows.
type givenSet uint16

var givenBits = map[string]givenSet{"id_number": 1, "relation": 2, "residence_type": 4, "ethnicity": 8, "note": 16, fieldTags: 32}

func (g *givenSet) set(code string, on bool) {
	if on {
		*g |= givenBits[code]
	} else {
		*g &^= givenBits[code]
	}
}

func (g givenSet) has(code string) bool { return g&givenBits[code] != 0 }

func (r *ledgerRow) ok() bool { return len(r.errors()) == 0 }

// rowParser turns raw rows into ledgerRows under one mapping.
type rowParser struct {
	m       LedgerMapping
	sealer  *pii.Sealer
	covered []string
	// seenID and seenAddr remember the first row that named a person, by the blind index of the ID
	// number or, without one, by address and name, to report duplicates.
	seenID, seenAddr map[string]int
	// keepCells keeps every row's cells, for an error report that lists the rows matching rejects.
	keepCells bool
}

func newRowParser(m LedgerMapping, sealer *pii.Sealer) *rowParser {
	return &rowParser{m: m, sealer: sealer, covered: m.coveredTags(), seenID: map[string]int{},
		seenAddr: map[string]int{}}
}

// compactFields are the fields whose cells lose every space (numbers, codes), not only stray ones.
var compactFields = map[string]bool{"id_number": true, "phone": true, "birth_date": true, "gender": true,
	fieldUnit: true, fieldRoom: true}

func (p *rowParser) header(col int) string {
	if col < len(p.m.Headers) && p.m.Headers[col] != "" {
		return p.m.Headers[col]
	}
	return ledgerFieldLabel(p.m.Columns[col])
}

// parse cleans and validates one row. Building existence is checked later, against the register.
func (p *rowParser) parse(num int, cells []string) *ledgerRow {
	r := &ledgerRow{num: num}
	if r.summary = p.summaryRow(cells); r.summary != "" {
		if p.keepCells { // the error report lists skipped rows as they were
			r.notes = &rowNotes{cells: append([]string(nil), cells...)}
		}
		return r
	}
	colOf := map[string]int{}
	var tags []string
	var birthMonth, birthRaw string // a 出生年月 cell: year and month only
	birthCol := 0
	for col, code := range p.m.Columns {
		if code == fieldIgnore || col >= len(cells) {
			continue
		}
		colOf[code] = col
		v, fix := cleanCell(cells[col], compactFields[code])
		if code == fieldAddress && fix == (cellFix{spaces: true}) && cells[col] == strings.Join(strings.Fields(cells[col]), " ") {
			fix = cellFix{} // single spaces between the parts: the address as Linli itself shows it
		}
		if msg := fix.message(); msg != "" && v != "" {
			r.addFix(RowIssue{Row: num, Column: p.header(col), Message: msg})
		}
		if v == "" {
			continue
		}
		r.given.set(code, true)
		switch code {
		case "name":
			r.in.Name = v
		case "gender":
			r.in.Gender = v
		case "id_number":
			id, msg := cleanIDCell(v)
			if msg != "" {
				r.addError(RowIssue{Row: num, Column: p.header(col), Message: msg})
				r.given.set(code, false)
			}
			r.in.IDNumber = id
		case "phone":
			first, several := firstPhone(v)
			if several {
				r.addFix(RowIssue{Row: num, Column: p.header(col), Message: "一格中有多个号码，只导入第一个"})
			}
			r.in.Phone = first
		case "birth_date":
			if d, ok := excelSerialDate(v); ok {
				r.addFix(RowIssue{Row: num, Column: p.header(col),
					Message: "Excel 日期序号 " + v + " 已转换为 " + d, Kind: "Excel 日期序号已转换为日期"})
				v = d
			}
			if ym, ok := yearMonth(v); ok {
				birthMonth, birthRaw, birthCol = ym, v, col
				continue
			}
			r.in.BirthDate = v
		case "relation":
			r.in.Relation = v
		case "residence_type":
			r.in.ResidenceType = v
		case "ethnicity":
			r.in.Ethnicity = v
		case "note":
			r.in.Note = v
		case fieldEstate:
			r.estate = v
		case fieldBuilding:
			r.building = v
		case fieldUnit:
			r.unit = canonUnit(v)
		case fieldRoom:
			r.room = canonRoom(v)
		case fieldAddress:
			p.parseAddress(r, v, col)
		case fieldKind:
			k, ok := register.ParseHouseholdKind(v)
			if !ok {
				r.addError(RowIssue{Row: num, Column: p.header(col), Message: "住房性质应为自住、出租、空置或集体户"})
			}
			r.kind = k
		case fieldTags:
			for _, s := range splitTags(v) {
				if t, ok := register.ParseTag(s); ok && t.Derived() {
					r.addFix(RowIssue{Row: num, Column: p.header(col),
						Message: "“" + t.Label() + "”由系统根据出生日期或党员信息自动生成，已忽略", Kind: "系统自动生成的标签已忽略"})
					continue
				}
				tags = append(tags, s)
			}
		default:
			if t, ok := strings.CutPrefix(code, tagFieldPrefix); ok {
				yes, known := truthy(v)
				if !known {
					r.addError(RowIssue{Row: num, Column: p.header(col),
						Message: "“" + v + "”无法识别，是则填“是”或“√”，否则留空"})
				} else if yes {
					tags = append(tags, t)
				}
			}
		}
	}
	r.given.set(fieldTags, len(p.covered) > 0)
	r.in.Tags = tags
	if r.unit == "" && r.room != "" && p.m.column(fieldUnit) < 0 {
		if u, rest, ok := splitRoom(r.room); ok {
			r.unit, r.room = u, rest
		}
	}
	if r.kind == "" {
		r.kind = register.HouseholdOwner
	}
	if birthMonth != "" {
		p.birthFromMonth(r, birthMonth, birthRaw, birthCol)
	}
	p.normalize(r, colOf)
	if r.building == "" && r.estate == "" {
		r.addError(RowIssue{Row: num, Column: p.columnHeader(fieldBuilding, fieldAddress), Message: "请填写楼栋（或住址）"})
	} else if r.room == "" {
		r.addError(RowIssue{Row: num, Column: p.columnHeader(fieldRoom, fieldAddress), Message: "请填写门牌号"})
	}
	p.checkDuplicate(r, colOf)
	r.parseErrs = int32(len(r.errors()))
	if !r.ok() || p.keepCells {
		if r.notes == nil {
			r.notes = &rowNotes{}
		}
		r.notes.cells = append([]string(nil), cells...)
	}
	return r
}

// parseAddress fills building, unit and room from an address cell the other columns left empty.
func (p *rowParser) parseAddress(r *ledgerRow, v string, col int) {
	estate, building, unit, room, ok := splitAddress(v)
	if !ok {
		if r.building == "" && p.m.column(fieldBuilding) < 0 {
			r.addError(RowIssue{Row: r.num, Column: p.header(col),
				Message: "无法从住址中识别楼栋和门牌号，请写成“3号楼2单元301室”或“3-2-301”"})
		}
		return
	}
	if r.estate == "" {
		r.estate = estate
	}
	if r.building == "" {
		r.building = building
	}
	if r.unit == "" {
		r.unit = unit
	}
	if r.room == "" {
		r.room = room
	}
}

func (p *rowParser) columnHeader(codes ...string) string {
	for _, c := range codes {
		if i := p.m.column(c); i >= 0 {
			return p.header(i)
		}
	}
	return ledgerFieldLabel(codes[0])
}

// normalize runs the register's own validation (ResidentInput.Normalize) and files its messages
// under the columns they came from.
func (p *rowParser) normalize(r *ledgerRow, colOf map[string]int) {
	err := r.in.Normalize()
	fields := errs.FieldsOf(err)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		col := ledgerFieldLabel(k)
		if i, ok := colOf[k]; ok {
			col = p.header(i)
		} else if k == "tags" {
			col = p.columnHeader(fieldTags)
		} else if k == "gender" || k == "birth_date" {
			// Derived from the ID number when the column is absent.
			if i, ok := colOf["id_number"]; ok {
				col = p.header(i)
			}
		}
		r.addError(RowIssue{Row: r.num, Column: col, Message: fields[k]})
	}
	if err != nil && len(fields) == 0 {
		r.addError(RowIssue{Row: r.num, Column: "", Message: errs.MessageOf(err)})
	}
	if r.in.IDNumber != "" {
		r.idIndex = packIndex(p.sealer.Index(r.in.IDNumber))
	}
	if r.in.Phone != "" {
		r.phoneIndex = packIndex(p.sealer.Index(r.in.Phone))
	}
}

// checkDuplicate reports the second and later rows of the same person: the same ID number, or,
// without one, the same name at the same address.
func (p *rowParser) checkDuplicate(r *ledgerRow, colOf map[string]int) {
	if r.in.Name == "" {
		return
	}
	var key, col, what string
	seen := p.seenID
	if r.idIndex != "" {
		key, what = r.idIndex, "身份证号相同"
		col = p.header(colOf["id_number"])
	} else if r.in.IDNumber == "" && !r.given.has("id_number") && r.room != "" {
		key, what = canonBuilding(r.estate+r.building)+"|"+r.unit+"|"+r.room+"|"+r.in.Name, "同一住址同名"
		col = p.header(colOf["name"])
		seen = p.seenAddr
	} else {
		return
	}
	if first, ok := seen[key]; ok {
		r.addError(RowIssue{Row: r.num, Column: col,
			Message: "与第" + strconv.Itoa(first) + "行是同一人（" + what + "），本行未导入"})
		return
	}
	seen[key] = r.num
}

// summaryTotal is a cell that opens a summary row: 合计, 小计, 总计, 共计, 合计：120人.
var summaryTotal = regexp.MustCompile(`^(合计|小计|总计|共计|总数|人数合计)`)

// summaryCount is a cell that only counts: 120, 共120人, 36户.
var summaryCount = regexp.MustCompile(`^共?[0-9]+(人|户|名)?$`)

// summaryRow says why a row is a summary rather than a person ("" when it is a person): a row
// with a 合计, 小计 or 总计 cell and no ID number, or a row whose only content is one count (a
// row with two numbers, such as a unit and a room, is a person whose name is missing). Such rows are skipped and listed as skipped, never as errors.
func (p *rowParser) summaryRow(cells []string) string {
	name, id := p.m.column("name"), p.m.column("id_number")
	cell := func(i int) string {
		if i < 0 || i >= len(cells) {
			return ""
		}
		return strings.Map(dropSpace, width.Fold.String(cells[i]))
	}
	counts := 0
	for i := range cells {
		v := cell(i)
		switch {
		case v == "":
		case summaryTotal.MatchString(v) && cell(id) == "":
			return "“" + strings.TrimSpace(cells[i]) + "”是汇总行，已跳过"
		case summaryCount.MatchString(v):
			counts++
		default:
			counts = -len(cells) - 1
		}
	}
	if counts == 1 && cell(name) == "" {
		return "只有计数、没有姓名，视为汇总行，已跳过"
	}
	return ""
}

// birthMonthPattern is a birth column written as year and month: 1956.03, 1960.7, 1956-03,
// 1956/3, 1956年3月, 198801.
var birthMonthPattern = regexp.MustCompile(`^((?:19|20)[0-9]{2})(?:[.\-/年]([0-9]{1,2})月?|([0-9]{2}))$`)

// yearMonth reads a year-and-month birth cell as YYYY-MM.
func yearMonth(v string) (string, bool) {
	m := birthMonthPattern.FindStringSubmatch(v)
	if m == nil {
		return "", false
	}
	month := m[2] + m[3]
	if n, _ := strconv.Atoi(month); n < 1 || n > 12 {
		return "", false
	}
	if len(month) == 1 {
		month = "0" + month
	}
	return m[1] + "-" + month, true
}

// birthFromMonth settles a birth column that holds only year and month (ym, YYYY-MM). With a
// valid ID number the ID's full date is taken when its year and month agree, and a disagreement
// is a row error. Without one the day is unknown: the first of the month is stored, and the
// correction list flags the row, so that a worker can ask for the day. (The register keeps
// whole dates; a day-unknown marker would touch every age rule for a handful of residents.)
func (p *rowParser) birthFromMonth(r *ledgerRow, ym, raw string, col int) {
	if id, err := pii.NormalizeID(r.in.IDNumber); r.in.IDNumber != "" && err == nil {
		birth, _ := pii.BirthFromID(id)
		if !strings.HasPrefix(birth, ym) {
			r.addError(RowIssue{Row: r.num, Column: p.header(col),
				Message: "出生年月“" + raw + "”与身份证号中的出生日期 " + birth + " 不一致"})
			return
		}
		r.addFix(RowIssue{Row: r.num, Column: p.header(col),
			Message: "出生年月“" + raw + "”已按身份证号补全为 " + birth, Kind: "出生年月已按身份证号补全"})
		return
	}
	if r.in.IDNumber != "" {
		return // the ID number's own error is reported; the birth date waits for a valid one
	}
	r.in.BirthDate = ym + "-01"
	r.addFix(RowIssue{Row: r.num, Column: p.header(col),
		Message: "出生年月“" + raw + "”只写到月份，出生日期按当月1日记为 " + ym + "-01，请核实", Kind: "出生年月只写到月份，按当月1日记录"})
}
