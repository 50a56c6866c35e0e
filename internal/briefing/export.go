package briefing

import (
	"context"
	"strings"

	"linli/internal/audit"
	"linli/internal/clock"
	"linli/internal/sheet"
)

// Plain is a text with its figure references replaced by their values, paragraph by paragraph.
func (v *View) Plain(text string) []string {
	var out []string
	for _, para := range Paragraphs(text) {
		var b strings.Builder
		for _, seg := range para {
			if seg.Ref == "" {
				b.WriteString(seg.Text)
				continue
			}
			if val, ok := v.Values[seg.Ref]; ok {
				b.WriteString(val.Text)
			} else {
				b.WriteString("【指标有误】")
			}
		}
		out = append(out, b.String())
	}
	return out
}

// Date is the briefing's date as a masthead prints it: the day published, or today for a draft.
func (v *View) Date() string {
	t := v.PublishedAt
	if t.IsZero() {
		t = v.UpdatedAt
	}
	return t.In(clock.Shanghai()).Format("2006年1月2日")
}

// Docx exports a briefing as a .docx in the 公文 layout: red masthead, numbered parts, the
// comparison table for a street or district, and the distribution line.
func (s *Service) Docx(ctx context.Context, id int64) ([]byte, *View, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	d := &docx{}
	d.para(paraStyle{align: "center"}, run{text: v.RegionName + "工作简报", font: fontTitle, size: 72, color: "C00000"})
	d.para(paraStyle{align: "center", before: 200}, run{text: itoa(v.Year) + "年" + v.Issue()})
	d.para(paraStyle{align: "both", border: "bottom", before: 200}, run{text: v.Issuer + "　　　　　　　　" + v.Date(), size: sizeSmall})
	if v.Note != "" {
		for _, p := range v.Plain(v.Note) {
			d.para(paraStyle{indent: true, before: 200}, run{text: "按：", font: fontHead}, run{text: p, font: fontSub})
		}
	}
	d.para(paraStyle{align: "center", before: 400}, run{text: v.Title, font: fontTitle, size: sizeTitle})
	if v.Headline != "" {
		for _, p := range v.Plain(v.Headline) {
			d.para(paraStyle{align: "center"}, run{text: p, font: fontSub})
		}
	}
	for _, part := range v.Parts() {
		d.para(paraStyle{indent: true, before: 200}, run{text: part.Number + part.Title, font: fontHead})
		for _, sec := range part.Sections {
			if sec.Number != "" {
				d.para(paraStyle{indent: true}, run{text: sec.Number + sec.Title, font: fontSub})
			}
			for _, p := range v.Plain(sec.Text) {
				d.para(paraStyle{indent: true, align: "both"}, run{text: p})
			}
		}
		if part.Title == "成效" {
			if v.Comparison != nil {
				d.para(paraStyle{indent: true}, run{text: "附：各区域主要指标（括号内为上期）", font: fontSub})
				d.table(v.comparisonTable())
			}
			c, err := s.chartOf(ctx, v)
			if err != nil {
				return nil, nil, err
			}
			if err := v.docxChart(d, c); err != nil {
				return nil, nil, err
			}
		}
	}
	for i, line := range strings.Split(v.Distribution, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			st := paraStyle{before: 0}
			if i == 0 {
				st = paraStyle{border: "top", before: 600}
			}
			d.para(st, run{text: line, size: sizeSmall})
		}
	}
	out, err := d.bytes(v.Title, s.Now())
	if err != nil {
		return nil, nil, err
	}
	return out, v, s.exported(ctx, v, "docx")
}

// comparisonTable is the comparison as text rows: the region, then each figure "now (previous)".
func (v *View) comparisonTable() [][]string {
	head := []string{"区域"}
	for _, c := range v.Comparison.Columns {
		head = append(head, c.Label)
	}
	rows := [][]string{head}
	for _, r := range v.Comparison.Rows {
		row := []string{r.Name}
		for i := range r.Now {
			row = append(row, v.Values[r.Now[i]].Text+"（"+v.Values[r.Prev[i]].Text+"）")
		}
		rows = append(rows, row)
	}
	return rows
}

// docxChart puts a briefing's chart (after the comparison table) with the legend its digits
// need: the regions (categories) and figures by number.
func (v *View) docxChart(d *docx, c *chartData) error {
	if c == nil {
		return nil
	}
	img, w, h, err := c.png()
	if err != nil {
		return err
	}
	prevFrom, prevTo := previous(v.From, v.To)
	d.para(paraStyle{indent: true, before: 200}, run{text: "附图：" + c.Title, font: fontSub})
	d.picture("chart1.png", img, w, h)
	d.para(paraStyle{indent: true}, run{text: "图例：每个分图一项指标，横轴数字为" + c.Axis + "序号；红色柱为本期（" + v.From + "至" + v.To +
		"），灰色柱为上期（" + prevFrom + "至" + prevTo + "）。", size: sizeSmall})
	d.table(c.legend())
	return nil
}

// legend is the chart's key as table rows: number, region (category); number, figure.
func (c *chartData) legend() [][]string {
	rows := [][]string{{"序号", c.Axis, "分图", "指标"}}
	for i := 0; i < len(c.Regions) || i < len(c.Series); i++ {
		row := []string{"", "", "", ""}
		if i < len(c.Regions) {
			row[0], row[1] = itoa(i+1), c.Regions[i]
		}
		if i < len(c.Series) {
			row[2], row[3] = itoa(i+1), c.Series[i].Label
		}
		rows = append(rows, row)
	}
	return rows
}

// Appendix exports the figures a briefing quotes — reference, name, value, definition and the
// records' address — as .xlsx.
func (s *Service) Appendix(ctx context.Context, id int64, base string) ([]byte, *View, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var rows [][]any
	for _, ref := range v.Refs() {
		val := v.Values[ref]
		definition := ""
		if def := defByKey[val.Key]; def != nil {
			definition = def.Definition
		}
		rows = append(rows, []any{ref, val.Label, val.Text, val.Unit, definition, base + val.Href})
	}
	b, err := sheet.Workbook("指标附录", []string{"引用", "指标", "数值", "单位", "口径", "明细"}, rows)
	if err != nil {
		return nil, nil, err
	}
	return b, v, s.exported(ctx, v, "xlsx")
}

func (s *Service) exported(ctx context.Context, v *View, format string) error {
	return audit.Record(ctx, s.db.W, audit.Entry{Action: "briefing.export", ObjectType: "briefing", ObjectID: v.ID,
		RegionID: v.RegionID, Detail: format})
}
