package reports

import (
	"context"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/sheet"
)

// ComparisonWorkbook is the comparison table of a leader above a community as an .xlsx: the
// same columns and rows as the home page over the same period, counts as numbers, rates in
// percent (a column named "按期办结率（%）" holds 93.5 where the page shows 93.5%), "—" left
// empty. name is the file's name, which carries the period.
func (s *Service) ComparisonWorkbook(ctx context.Context, p *auth.Principal, period Period) (data []byte, name string, err error) {
	if p == nil {
		return nil, "", errs.E(errs.Unauthorized, "请先登录")
	}
	if !p.Can(auth.RegisterRead) || !AboveCommunity(p) {
		return nil, "", errs.E(errs.Forbidden, "只有街道、区县的工作人员可以导出社区对比")
	}
	home, err := s.Overview(ctx, p, period)
	if err != nil {
		return nil, "", err
	}
	d := home.Figures
	header := []string{d.ChildLabel}
	percent := make([]bool, len(d.Columns))
	for _, row := range d.Rows {
		for i, c := range row.Cells {
			if i < len(percent) && c.Percent != nil {
				percent[i] = true
			}
		}
	}
	for i, c := range d.Columns {
		if percent[i] || strings.HasSuffix(c, "率") {
			c += "（%）"
		}
		header = append(header, c)
	}
	rows := make([][]any, 0, len(d.Rows))
	for _, r := range d.Rows {
		row := []any{r.Name}
		for _, c := range r.Cells {
			switch {
			case c.Percent != nil:
				row = append(row, *c.Percent)
			case c.Text == "—":
				row = append(row, nil)
			case c.Text != "":
				row = append(row, c.Text)
			default:
				row = append(row, c.Value)
			}
		}
		rows = append(rows, row)
	}
	title := "各" + d.ChildLabel + "对比"
	data, err = sheet.Workbook(title, header, rows)
	if err != nil {
		return nil, "", err
	}
	return data, d.Region.Name + title + "_" + d.From + "至" + d.To + ".xlsx", nil
}
