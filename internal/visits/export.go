package visits

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
)

// ExportMaxRows is the most entries one export holds.
const ExportMaxRows = 50000

var exportHeader = []string{"走访日期", "类型", "网格", "住户", "走访方式", "见到的人", "联系电话", "走访情况", "发现的需求",
	"回访日期", "转办诉求", "记录人", "记录时间"}

// ExportXLSX writes the ledger entries a filter selects in the principal's scope (staff with
// VisitsRead) to an .xlsx workbook — phone numbers masked — and records the export in the audit log.
func (s *Service) ExportXLSX(ctx context.Context, f Filter) ([]byte, int, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, 0, err
	}
	if err := p.Require(auth.VisitsRead); err != nil {
		return nil, 0, err
	}
	var all []Visit
	f.Limit, f.Offset = 500, 0
	for {
		items, total, err := s.List(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		if total > ExportMaxRows {
			return nil, 0, errs.E(errs.Invalid, "一次最多导出%d条记录，请缩小日期范围", ExportMaxRows)
		}
		all = append(all, items...)
		if len(items) < f.Limit {
			break
		}
		f.Offset += f.Limit
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := "走访台账"
	if f.Kind == KindContact {
		sheet = "联系台账"
	}
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return nil, 0, err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return nil, 0, err
	}
	row := func(n int, vals []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return sw.SetRow(cell, vals)
	}
	head := make([]any, len(exportHeader))
	for i, h := range exportHeader {
		head[i] = h
	}
	if err := row(1, head); err != nil {
		return nil, 0, err
	}
	for i, v := range all {
		var names, phones []string
		for _, m := range v.Met {
			names = append(names, m.Name)
			if m.PhoneMasked != "" {
				phones = append(phones, m.PhoneMasked)
			}
		}
		kind := "走访"
		if v.Kind == KindContact {
			kind = "党员联系"
		}
		if err := row(i+2, []any{v.VisitedOn, kind, v.GridName, v.Address, v.Method.Label(), strings.Join(names, "、"),
			strings.Join(phones, "、"), v.Situation, v.Needs, v.FollowUpOn, v.CaseNumber, v.CreatedByName,
			v.CreatedAt.In(clock.Shanghai()).Format("2006-01-02 15:04")}); err != nil {
			return nil, 0, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, 0, err
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return nil, 0, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "visit.export", ObjectType: "visit", RegionID: p.RegionID,
			Detail: fmt.Sprintf("导出%s%d条（电话已脱敏）", sheet, len(all))})
	})
	return buf.Bytes(), len(all), err
}
