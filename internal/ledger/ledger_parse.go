package ledger

import (
	"encoding/hex"
	"sort"
	"strconv"
	"strings"

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
	colOf := map[string]int{}
	var tags []string
	for col, code := range p.m.Columns {
		if code == fieldIgnore || col >= len(cells) {
			continue
		}
		colOf[code] = col
		v, fix := cleanCell(cells[col], compactFields[code])
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
					Message: "Excel 日期序号 " + v + " 已转换为 " + d})
				v = d
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
						Message: "“" + t.Label() + "”由系统根据出生日期或党员信息自动生成，已忽略"})
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
