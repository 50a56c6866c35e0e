package cases

// hotline_read.go reads a 12345 export as hotline centres hand it over: title and export-time rows
// above the header, the usual header names, blank, 合计 and 小计 rows, identical rows exported twice.

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"golang.org/x/text/width"

	"linli/internal/errs"
	"linli/internal/sheet"
	"linli/internal/workday"
	"time"
)

// hotlineColumns maps each field to the header names hotline exports use for it.
var hotlineColumns = map[string][]string{
	"no":       {"工单编号", "工单号", "受理编号", "编号", "工单流水号"},
	"time":     {"来电时间", "受理时间", "登记时间", "来电日期", "派单时间"},
	"caller":   {"来电人", "来电人姓名", "诉求人", "联系人", "姓名"},
	"phone":    {"联系电话", "来电号码", "电话", "手机号", "联系方式"},
	"text":     {"诉求内容", "工单内容", "来电内容", "问题描述", "内容"},
	"title":    {"诉求标题", "标题", "工单标题"},
	"address":  {"诉求地址", "事发地址", "地址", "事发地点"},
	"category": {"诉求类别", "问题分类", "类别", "诉求分类"},
	"deadline": {"办理时限", "办结时限", "处理时限", "期限"},
	"status":   {"工单状态", "状态", "办理状态"},
}

var hotlineLabels = map[string]string{"no": "工单编号", "time": "来电时间", "caller": "来电人", "phone": "联系电话",
	"text": "诉求内容", "title": "诉求标题", "address": "地址", "category": "诉求类别", "deadline": "办理时限",
	"status": "工单状态"}

// headerScan is how many rows from the top may hold the header (titles and export times above it).
const headerScan = 10

// sheetLine is a row of a sheet and its 1-based row number.
type sheetLine struct {
	num   int
	cells []string
}

// hotlineSheet is a 12345 export split at its header: the header's row, the column of each field,
// and the rows below the header.
type hotlineSheet struct {
	headerRow int
	col       map[string]int
	lines     []sheetLine
}

// readSheet reads a 12345 export through the shared sheet reader and finds its header: the first
// of the top rows that names every required column.
func readSheet(f HotlineFile) (*hotlineSheet, error) {
	switch strings.ToLower(filepath.Ext(f.Name)) {
	case ".xlsx", ".xlsm", ".csv", ".txt":
	default:
		return nil, errs.Field("file", "只支持 .xlsx 或 .csv 格式的12345工单导出文件")
	}
	r, err := sheet.Open(f.Name, f.Data)
	if err != nil {
		return nil, errs.Field("file", errs.MessageOf(err))
	}
	defer r.Close()
	out := &hotlineSheet{}
	var firstErr error
	scanned := 0
	for {
		num, cells, err := r.Next()
		switch {
		case errors.Is(err, io.EOF):
			if out.col == nil {
				if firstErr == nil {
					firstErr = errs.Field("file", "文件是空的，没有表头和工单数据")
				}
				return nil, firstErr
			}
			return out, nil
		case err != nil:
			return nil, errs.Field("file", errs.MessageOf(err))
		case out.col != nil:
			out.lines = append(out.lines, sheetLine{num, cells})
		case blank(cells):
		case scanned < headerScan:
			scanned++
			col, err := mapHeader(cells)
			if err == nil {
				out.headerRow, out.col = num, col
			} else if firstErr == nil || len(col) > 0 {
				firstErr = err
			}
		default:
			return nil, firstErr
		}
	}
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func normHeader(s string) string {
	s = strings.NewReplacer("*", "", "＊", "", "：", "", ":", "").Replace(s)
	return strings.Join(strings.Fields(width.Fold.String(strings.TrimSpace(s))), "")
}

// mapHeader maps a candidate header row to fields; the earlier name of a field's list wins when a
// row holds two of them. It returns what it found along with the error of missing columns.
func mapHeader(header []string) (map[string]int, error) {
	col := map[string]int{}
	rank := map[string]int{}
	for i, h := range header {
		h = normHeader(h)
		for field, names := range hotlineColumns {
			for k, n := range names {
				if r, done := rank[field]; h == n && (!done || k < r) {
					col[field], rank[field] = i, k
				}
			}
		}
	}
	var missing []string
	for _, field := range []string{"no", "time"} {
		if _, ok := col[field]; !ok {
			missing = append(missing, hotlineLabels[field])
		}
	}
	_, text := col["text"]
	_, title := col["title"]
	if !text && !title {
		missing = append(missing, hotlineLabels["text"])
	}
	if len(missing) > 0 {
		return col, errs.Field("file", "表头缺少必需的列："+strings.Join(missing, "、")+"（表头须在前10行内）")
	}
	return col, nil
}

// rowKind tells a work order from the rows an import passes over.
type rowKind int

const (
	rowOrder rowKind = iota
	rowBlank
	rowTotal
)

// kindOf tells blank rows and the 合计/小计/总计 lines exports end with from work orders.
func kindOf(row []string) rowKind {
	for _, c := range row {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		for _, p := range []string{"合计", "小计", "总计"} {
			if strings.HasPrefix(c, p) {
				return rowTotal
			}
		}
		return rowOrder
	}
	return rowBlank
}

// rowKey is a row's work-order fields as compared for identical duplicates (a 序号 column that
// numbers the copy differently does not make it another work order).
func rowKey(row []string, col map[string]int) string {
	var b strings.Builder
	for _, field := range hotlineFields {
		if i, ok := col[field]; ok && i < len(row) {
			b.WriteString(strings.TrimSpace(row[i]))
		}
		b.WriteByte(0)
	}
	return b.String()
}

// hotlineFields lists the fields of hotlineColumns in a fixed order.
var hotlineFields = []string{"no", "time", "caller", "phone", "text", "title", "address", "category", "deadline", "status"}

// parseHotlineRow reads one work order: received and due times on the calendar, a blank 诉求内容
// taken from the 诉求标题, the hotline's status kept at the end of the description.
func parseHotlineRow(row []string, col map[string]int, line int, cats []Category, cal *workday.Calendar) (Intake, []RowError) {
	cell := func(field string) string {
		i, ok := col[field]
		if !ok || i >= len(row) {
			return ""
		}
		// A NUL in a cell is debris of the export, never text: PostgreSQL cannot store it.
		v := strings.NewReplacer("\u00a0", " ", "\x00", "").Replace(row[i])
		return strings.TrimSpace(width.Fold.String(v))
	}
	var out []RowError
	bad := func(field, msg string) { out = append(out, RowError{line, hotlineLabels[field], msg}) }
	in := Intake{Channel: "hotline_12345", ReporterName: cell("caller"), ReporterPhone: cell("phone"),
		Title: firstRunes(cell("title"), 60), Description: cell("text"), Address: cell("address")}
	in.ExternalNo = strings.Join(strings.Fields(cell("no")), "")
	if in.ExternalNo == "" {
		bad("no", "工单编号不能为空")
	} else if !workOrderNo.MatchString(in.ExternalNo) {
		bad("no", "工单编号只能包含字母、数字和连字符")
	}
	if in.Description == "" {
		in.Description = cell("title")
	}
	if in.Description == "" {
		bad("text", "诉求内容和诉求标题都为空")
	} else if st := cell("status"); st != "" {
		in.Description += "\n（12345工单状态：" + firstRunes(st, 20) + "）"
	}
	if t, ok := parseHotlineTime(cell("time")); ok {
		in.ReceivedAt = &t
	} else {
		bad("time", "来电时间无法识别，请使用 2024-01-05 09:30 或 2024年1月5日 09时30分 格式")
	}
	if raw := cell("deadline"); raw != "" {
		if t, ok := parseHotlineLimit(raw, in.ReceivedAt, cal); ok {
			in.ExternalDeadline = &t
		} else {
			bad("deadline", fmt.Sprintf("办理时限「%s」无法识别，请填写日期时间、N个工作日或N个工作小时", firstRunes(raw, 20)))
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
	if err := in.normalize(false, time.Time{}); err != nil {
		return "", fmt.Errorf("%s", errs.FieldsOf(err)["reporter_phone"])
	}
	return in.ReporterPhone, nil
}
