package cases

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/xuri/excelize/v2"

	"linli/internal/audit"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
)

// ExportMaxRows is the most cases one export holds.
const ExportMaxRows = 20000

var exportHeader = []string{"案卷编号", "标题", "诉求内容", "类别", "来源渠道", "所属区域", "网格", "地址", "紧急程度", "状态",
	"办理结果", "登记时间", "受理时间", "办结时限", "结案时间", "时限情况", "承办人", "反映人", "联系电话", "督办", "重办次数",
	"回访结果", "满意度", "12345工单号"}

// ExportXLSX writes the cases a filter selects in the principal's scope to an .xlsx workbook, phone
// numbers masked, and records the export in the audit log.
func (s *Service) ExportXLSX(ctx context.Context, f Filter, query string) ([]byte, int, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, 0, err
	}
	if err := s.CheckFilterScope(ctx, f); err != nil {
		return nil, 0, err
	}
	var all []Case
	f.Limit, f.Offset = MaxListLimit, 0
	for {
		items, total, err := s.List(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		if total > ExportMaxRows {
			return nil, 0, errs.E(errs.Invalid, "符合条件的案件有%d件，超过单次导出上限%d件，请缩小筛选范围", total, ExportMaxRows)
		}
		all = append(all, items...)
		if len(items) < f.Limit || len(all) >= total {
			break
		}
		f.Offset += f.Limit
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := "诉求清单"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return nil, 0, err
	}
	rows := [][]any{toAny(exportHeader)}
	for i := range all {
		rows = append(rows, exportRow(&all[i]))
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(sheet, cell, &row); err != nil {
			return nil, 0, fmt.Errorf("export row: %w", err)
		}
	}
	_ = x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if style, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err == nil {
		_ = x.SetRowStyle(sheet, 1, 1, style)
	}
	_ = x.SetColWidth(sheet, "A", "A", 18)
	_ = x.SetColWidth(sheet, "B", "C", 30)
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return nil, 0, fmt.Errorf("write xlsx: %w", err)
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "case.export", ObjectType: "case", RegionID: p.RegionID,
			Detail: fmt.Sprintf("导出诉求清单%d件；筛选：%s", len(all), query)})
	})
	if err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), len(all), nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(clock.Shanghai()).Format("2006-01-02 15:04")
}

func exportRow(c *Case) []any {
	supervised, rated, sat := "", "", Satisfaction(c.Satisfaction).Label()
	if c.Supervised {
		supervised = "督办"
	}
	if c.CallbackOK != nil {
		rated = "未解决"
		if *c.CallbackOK {
			rated = "已解决"
		}
	}
	reporter := c.ReporterName
	if c.Anonymous {
		reporter = "匿名"
	}
	return []any{c.Number, c.Title, c.Description, c.CategoryName, c.ChannelName, c.RegionName, c.GridName, c.Address,
		c.Priority.Label(), c.State.Label(), c.Outcome.Label(), fmtTime(&c.ReceivedAt), fmtTime(c.AcceptedAt),
		fmtTime(c.HandleDeadline), fmtTime(c.ClosedAt), c.SLA.Text, c.HandlerName, reporter, c.ReporterPhone,
		supervised, c.ReopenCount, rated, sat, c.ExternalNo}
}

func (h *Handlers) export(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := FilterFromQuery(q)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	kept := listQuery(q)
	for _, k := range []string{"q", "phone", "name"} {
		if kept.Get(k) != "" {
			kept.Set(k, "…") // the search text may hold a name or number; the audit log keeps only that there was one
		}
	}
	data, _, err := h.svc.ExportXLSX(r.Context(), f, kept.Encode())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	name := "诉求清单-" + time.Now().In(clock.Shanghai()).Format("20060102-1504") + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"cases.xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	_, _ = w.Write(data)
}
