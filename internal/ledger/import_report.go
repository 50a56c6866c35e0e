package ledger

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"linli/internal/auth"
	"linli/internal/pii"
)

// ErrorReport writes the error report of an import as .xlsx: every row that will not be imported,
// as it was in the file (ID and phone numbers masked) with the reasons beside it; the summary rows
// skipped (合计, 小计, a lone count), as they were, with the reason; the count of each kind of
// automatic correction, every kind; and every correction.
func (l *Ledger) ErrorReport(ctx context.Context, id int64, w io.Writer) (*Import, error) {
	im, data, err := l.load(ctx, auth.FromContext(ctx), id, true)
	if err != nil {
		return nil, err
	}
	var rows []*ledgerRow
	if im.Check.Problem == "" {
		rows, err = l.parseAll(im.FileName, data, im.Mapping, true)
		if err != nil {
			return nil, err
		}
		st, err := loadState(ctx, l.db.R, im.CommunityID)
		if err != nil {
			return nil, err
		}
		st.plan(rows, im.Mapping)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := writeErrorSheet(f, im.Mapping, rows); err != nil {
		return nil, err
	}
	if err := writeSkippedSheet(f, im.Mapping, rows); err != nil {
		return nil, err
	}
	if err := writeFixKindSheet(f, rows); err != nil {
		return nil, err
	}
	if err := writeFixSheet(f, rows); err != nil {
		return nil, err
	}
	return im, f.Write(w)
}

func writeErrorSheet(f *excelize.File, m LedgerMapping, rows []*ledgerRow) error {
	const sheet = "未导入的行"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	header := []any{excelize.Cell{Value: "原行号", StyleID: bold}}
	for _, h := range m.Headers {
		header = append(header, excelize.Cell{Value: h, StyleID: bold})
	}
	header = append(header, excelize.Cell{Value: "错误原因", StyleID: bold})
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	n := 1
	for _, r := range rows {
		if r.ok() {
			continue
		}
		n++
		out := reportRow(m, r)
		var reasons []string
		for _, e := range r.errors() {
			if e.Column != "" {
				reasons = append(reasons, e.Column+"："+e.Message)
			} else {
				reasons = append(reasons, e.Message)
			}
		}
		out = append(out, strings.Join(reasons, "；"))
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := sw.SetRow(cell, out); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// reportRow is a row's number and its cells as they were in the file, numbers masked.
func reportRow(m LedgerMapping, r *ledgerRow) []any {
	out := make([]any, 0, len(m.Headers)+2)
	out = append(out, r.num)
	for col := range m.Headers {
		v := ""
		if cells := r.cells(); col < len(cells) {
			v = maskCell(m.Columns[col], cells[col])
		}
		out = append(out, v)
	}
	return out
}

// writeSkippedSheet lists the summary rows the import skipped, as they were, with the reason.
func writeSkippedSheet(f *excelize.File, m LedgerMapping, rows []*ledgerRow) error {
	const sheet = "跳过的行"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := []any{"原行号"}
	for _, h := range m.Headers {
		header = append(header, h)
	}
	if err := sw.SetRow("A1", append(header, "跳过原因")); err != nil {
		return err
	}
	n := 1
	for _, r := range rows {
		if r.summary == "" {
			continue
		}
		n++
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := sw.SetRow(cell, append(reportRow(m, r), r.summary)); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// writeFixKindSheet counts the automatic corrections by kind, every kind, in the order met.
func writeFixKindSheet(f *excelize.File, rows []*ledgerRow) error {
	const sheet = "更正汇总"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	kinds := countFixKinds(rows)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{"更正类别", "处数"}); err != nil {
		return err
	}
	for i, k := range kinds {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{k.Kind, k.Count}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func writeFixSheet(f *excelize.File, rows []*ledgerRow) error {
	const sheet = "自动更正"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{"原行号", "列", "更正内容"}); err != nil {
		return err
	}
	n := 1
	for _, r := range rows {
		for _, fx := range r.fixes() {
			n++
			cell, _ := excelize.CoordinatesToCellName(1, n)
			if err := sw.SetRow(cell, []any{fx.Row, fx.Column, fx.Message}); err != nil {
				return err
			}
		}
	}
	return sw.Flush()
}

// maskCell masks a cell of an ID or phone column the way every page does; the report is an export
// like any other.
func maskCell(field, v string) string {
	if field != "id_number" && field != "phone" {
		return v
	}
	v = strings.TrimPrefix(pii.Clean(v), "'")
	if !isASCII(v) {
		return strings.Repeat("*", utf8.RuneCountInString(v))
	}
	switch field {
	case "id_number":
		return pii.MaskID(strings.ToUpper(v))
	case "phone":
		return pii.MaskPhone(v)
	}
	return v
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// errorReportName is the download name of an import's error report.
func errorReportName(im *Import) string {
	base := strings.TrimSuffix(im.FileName, fileExt(im.FileName))
	return fmt.Sprintf("%s-错误报告.xlsx", base)
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}
