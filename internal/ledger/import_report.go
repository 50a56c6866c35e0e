package ledger

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"linli/internal/auth"
	"linli/internal/pii"
	"linli/internal/sheet"
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
	f := sheet.NewWriter(w)
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
	return im, f.Close()
}

func writeErrorSheet(f *sheet.Writer, m LedgerMapping, rows []*ledgerRow) error {
	header := append(append([]string{"原行号"}, m.Headers...), "错误原因")
	if err := f.Sheet("未导入的行", header, reportWidths(len(header))...); err != nil {
		return err
	}
	for _, r := range rows {
		if r.ok() {
			continue
		}
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
		if err := f.Row(out...); err != nil {
			return err
		}
	}
	return nil
}

// reportWidths are the widths of a report sheet of n columns: the row number narrow, the cells
// as Excel's default, the reason wide.
func reportWidths(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 12
	}
	w[0], w[n-1] = 8, 40
	return w
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
func writeSkippedSheet(f *sheet.Writer, m LedgerMapping, rows []*ledgerRow) error {
	header := append(append([]string{"原行号"}, m.Headers...), "跳过原因")
	if err := f.Sheet("跳过的行", header, reportWidths(len(header))...); err != nil {
		return err
	}
	for _, r := range rows {
		if r.summary == "" {
			continue
		}
		if err := f.Row(append(reportRow(m, r), r.summary)...); err != nil {
			return err
		}
	}
	return nil
}

// writeFixKindSheet counts the automatic corrections by kind, every kind, in the order met.
func writeFixKindSheet(f *sheet.Writer, rows []*ledgerRow) error {
	if err := f.Sheet("更正汇总", []string{"更正类别", "处数"}, 30, 8); err != nil {
		return err
	}
	for _, k := range countFixKinds(rows) {
		if err := f.Row(k.Kind, k.Count); err != nil {
			return err
		}
	}
	return nil
}

func writeFixSheet(f *sheet.Writer, rows []*ledgerRow) error {
	if err := f.Sheet("自动更正", []string{"原行号", "列", "更正内容"}, 8, 12, 50); err != nil {
		return err
	}
	for _, r := range rows {
		for _, fx := range r.fixes() {
			if err := f.Row(fx.Row, fx.Column, fx.Message); err != nil {
				return err
			}
		}
	}
	return nil
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
