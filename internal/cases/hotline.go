package cases

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/sheet"
)

// HotlineFile is an uploaded 12345 work-order export.
type HotlineFile struct {
	Name string
	Data []byte
	// CommunityID receives the work orders; the importer's own community when 0.
	CommunityID int64
}

// RowError is one rejected row of an import, with the column and a Chinese reason.
type RowError struct {
	Row     int    `json:"row"` // 1-based row of the sheet, the header being row 1
	Column  string `json:"column"`
	Message string `json:"message"`
}

// ImportResult reports an import: rows created, rows already imported (same work-order number),
// and the row errors — any error means nothing was imported.
type ImportResult struct {
	Rows    int        `json:"rows"`
	Created int        `json:"created"`
	Skipped int        `json:"skipped"`
	Errors  []RowError `json:"errors"`
}

// hotlineColumns maps each field to the header names hotline exports use for it.
var hotlineColumns = map[string][]string{
	"no":       {"工单编号", "工单号", "编号", "受理编号"},
	"time":     {"来电时间", "受理时间", "登记时间", "来电日期"},
	"caller":   {"来电人", "来电人姓名", "诉求人", "姓名"},
	"phone":    {"联系电话", "来电号码", "电话", "手机号"},
	"text":     {"诉求内容", "工单内容", "来电内容", "内容"},
	"address":  {"地址", "诉求地址", "事发地址", "事发地点"},
	"category": {"诉求类别", "类别", "诉求分类", "问题分类"},
	"deadline": {"办理时限", "办结时限", "处理时限", "期限"},
}

var hotlineLabels = map[string]string{"no": "工单编号", "time": "来电时间", "caller": "来电人", "phone": "联系电话",
	"text": "诉求内容", "address": "地址", "category": "诉求类别", "deadline": "办理时限"}

// ImportHotline imports a 12345 export (.xlsx or .csv, UTF-8 or GBK): each row becomes a case of
// channel hotline_12345 keeping the work-order number and the hotline's deadline. Rows whose
// number is already registered are skipped, so importing the same file twice creates nothing new.
// Any row error rejects the whole file; nothing is half-imported.
func (s *Service) ImportHotline(ctx context.Context, f HotlineFile) (*ImportResult, error) {
	p, rows, _, err := s.readHotline(ctx, f)
	if err != nil {
		return nil, err
	}
	if f.CommunityID == 0 && p.RegionLevel == "community" {
		f.CommunityID = p.RegionID
	}
	if f.CommunityID == 0 {
		return nil, errs.Field("community_id", "请选择接收工单的社区")
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Errors: []RowError{}}
	var intakes []Intake
	var lines []int
	for _, r := range rows {
		res.Rows++
		res.Errors = append(res.Errors, r.errs...)
		r.in.CommunityID = f.CommunityID
		intakes = append(intakes, r.in)
		lines = append(lines, r.line)
	}
	if len(res.Errors) > 0 {
		return res, nil
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		res.Created, res.Skipped = 0, 0
		for i, in := range intakes {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE external_no = $1`, in.ExternalNo).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				res.Skipped++
				continue
			}
			if _, err := s.intake(ctx, tx, cal, in, p); err != nil {
				if e, ok := err.(*errs.Error); ok && e.Code != errs.Internal {
					res.Errors = append(res.Errors, RowError{lines[i], "", e.Message})
					continue
				}
				return err
			}
			res.Created++
		}
		if len(res.Errors) > 0 {
			return errRollback
		}
		return nil
	})
	if err == errRollback {
		res.Created, res.Skipped = 0, 0
		return res, nil
	}
	return res, err
}

var errRollback = errs.E(errs.Invalid, "导入有误，已全部撤销")

// hotlineRow is one non-blank work order of a 12345 export: its line in the sheet, the intake it
// reads as, and what is wrong with it.
type hotlineRow struct {
	line int
	in   Intake
	errs []RowError
}

// readHotline reads a 12345 export for a dispatcher, as both the preview and the import see it:
// the header mapped to fields, every non-blank row parsed against the categories (also returned),
// a work-order number repeated within the file flagged.
func (s *Service) readHotline(ctx context.Context, f HotlineFile) (*auth.Principal, []hotlineRow, []Category, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := p.Require(auth.CasesDispatch); err != nil {
		return nil, nil, nil, err
	}
	header, lines, err := readSheet(f)
	if err != nil {
		return nil, nil, nil, err
	}
	if len(lines) == 0 {
		return nil, nil, nil, errs.Field("file", "文件中没有工单数据")
	}
	col, err := mapHeader(header)
	if err != nil {
		return nil, nil, nil, err
	}
	cats, err := s.Categories(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	var rows []hotlineRow
	seen := map[string]int{}
	for _, l := range lines {
		line, row := l.num, l.cells
		in, rowErrs := parseHotlineRow(row, col, line, cats)
		if prev, ok := seen[in.ExternalNo]; ok && in.ExternalNo != "" {
			rowErrs = append(rowErrs, RowError{line, "工单编号", fmt.Sprintf("与第%d行的工单编号重复", prev)})
		}
		seen[in.ExternalNo] = line
		rows = append(rows, hotlineRow{line: line, in: in, errs: rowErrs})
	}
	return p, rows, cats, nil
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// sheetLine is a non-blank row of a sheet and its 1-based row number.
type sheetLine struct {
	num   int
	cells []string
}

// readSheet reads a 12345 export through the shared sheet reader: the first row as the header,
// then every non-blank row below it with its row number.
func readSheet(f HotlineFile) (header []string, lines []sheetLine, err error) {
	switch strings.ToLower(filepath.Ext(f.Name)) {
	case ".xlsx", ".xlsm", ".csv", ".txt":
	default:
		return nil, nil, errs.Field("file", "只支持 .xlsx 或 .csv 格式的12345工单导出文件")
	}
	r, err := sheet.Open(f.Name, f.Data)
	if err != nil {
		return nil, nil, errs.Field("file", errs.MessageOf(err))
	}
	defer r.Close()
	for {
		num, cells, err := r.Next()
		switch {
		case errors.Is(err, io.EOF):
			return header, lines, nil
		case err != nil:
			return nil, nil, errs.Field("file", errs.MessageOf(err))
		case num == 1:
			header = cells
		case !blank(cells):
			lines = append(lines, sheetLine{num, cells})
		}
	}
}

func normHeader(s string) string {
	return strings.Join(strings.Fields(width.Fold.String(strings.TrimSpace(s))), "")
}

func mapHeader(header []string) (map[string]int, error) {
	col := map[string]int{}
	for i, h := range header {
		h = normHeader(h)
		for field, names := range hotlineColumns {
			for _, n := range names {
				if _, done := col[field]; !done && h == n {
					col[field] = i
				}
			}
		}
	}
	var missing []string
	for _, field := range []string{"no", "time", "text"} {
		if _, ok := col[field]; !ok {
			missing = append(missing, hotlineLabels[field])
		}
	}
	if len(missing) > 0 {
		return nil, errs.Field("file", "表头缺少必需的列："+strings.Join(missing, "、"))
	}
	return col, nil
}

func parseHotlineRow(row []string, col map[string]int, line int, cats []Category) (Intake, []RowError) {
	cell := func(field string) string {
		i, ok := col[field]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(width.Fold.String(strings.ReplaceAll(row[i], "\u00a0", " ")))
	}
	var out []RowError
	bad := func(field, msg string) { out = append(out, RowError{line, hotlineLabels[field], msg}) }
	in := Intake{Channel: "hotline_12345", ReporterName: cell("caller"), ReporterPhone: cell("phone"),
		Description: cell("text"), Address: cell("address")}
	in.ExternalNo = strings.Join(strings.Fields(cell("no")), "")
	if in.ExternalNo == "" {
		bad("no", "工单编号不能为空")
	} else if !workOrderNo.MatchString(in.ExternalNo) {
		bad("no", "工单编号只能包含字母、数字和连字符")
	}
	if in.Description == "" {
		bad("text", "诉求内容不能为空")
	}
	if t, ok := parseHotlineTime(cell("time")); ok {
		in.ReceivedAt = &t
	} else {
		bad("time", "来电时间无法识别，请使用 2024-01-05 09:30 格式")
	}
	if raw := cell("deadline"); raw != "" {
		if t, ok := parseHotlineTime(raw); ok {
			if l := t.In(clock.Shanghai()); l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 {
				t = t.Add(18 * time.Hour) // a date alone: due at the end of that working day
			}
			in.ExternalDeadline = &t
		} else {
			bad("deadline", "办理时限无法识别，请填写日期时间")
		}
	}
	if in.ReporterPhone != "" {
		if _, err := normalizePhoneCell(in.ReporterPhone); err != nil {
			bad("phone", err.Error())
		}
	}
	in.CategoryID = matchCategory(cell("category"), cats)
	return in, out
}

var workOrderNo = regexp.MustCompile(`^[A-Za-z0-9-]{3,40}$`)

func normalizePhoneCell(s string) (string, error) {
	in := Intake{ReporterPhone: s, Description: "x"}
	if err := in.normalize(false); err != nil {
		return "", fmt.Errorf("%s", errs.FieldsOf(err)["reporter_phone"])
	}
	return in.ReporterPhone, nil
}

var timeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04",
	"2006-1-2 15:04:05", "2006-1-2 15:04", "2006年1月2日 15:04:05", "2006年1月2日 15:04", "2006年1月2日15:04",
	"2006-01-02T15:04:05", "2006-01-02", "2006/1/2", "2006-1-2", "2006年1月2日", "20060102"}

// parseHotlineTime reads a local (Asia/Shanghai) date-time as hotline exports write it, including
// Excel serial numbers (45296.39583).
func parseHotlineTime(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}, false
	}
	loc := clock.Shanghai()
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 20000 && f < 80000 && !(len(s) == 8 && !strings.Contains(s, ".")) {
		days := math.Floor(f)
		secs := math.Round((f - days) * 86400)
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, loc)
		return base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second).UTC(), true
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// matchCategory finds the leaf category named by a hotline class ("环境卫生/垃圾清运", "垃圾清运",
// "路灯不亮"); unknown classes go to 其他事项.
func matchCategory(raw string, cats []Category) int64 {
	raw = strings.TrimSpace(raw)
	var fallback int64
	for _, c := range cats {
		if c.Code == "other.misc" {
			fallback = c.ID
		}
	}
	if raw == "" {
		return fallback
	}
	parts := strings.FieldsFunc(raw, func(r rune) bool { return strings.ContainsRune("/›>-—|、", r) })
	last := strings.TrimSpace(parts[len(parts)-1])
	for _, c := range cats {
		if c.Leaf() && (c.Name == last || c.FullName == raw) {
			return c.ID
		}
	}
	for _, c := range cats {
		if c.Leaf() && strings.Contains(raw, c.Name) {
			return c.ID
		}
	}
	return fallback
}
