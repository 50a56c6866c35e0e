package mediation

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/sheet"
)

// MonthlyReport builds the monthly statistics report a judicial office asks for (人民调解工作
// 统计月报表) for month (YYYY-MM) from the records: screening, received by source (主动 / 申请 /
// 委托移送), successes, success rate, amounts, 防止民转刑 and 防止群体性上访 (cases and people),
// and every dispute type.
func (s *Service) MonthlyReport(ctx context.Context, month string, regionID int64) ([]byte, error) {
	start, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, errs.Field("month", "月份格式应为YYYY-MM")
	}
	from, to := start.Format(time.DateOnly), start.AddDate(0, 1, -1).Format(time.DateOnly)
	f, err := s.Figures(ctx, FigureFilter{RegionID: regionID, From: from, To: to})
	if err != nil {
		return nil, err
	}
	types, err := s.DisputeTypes(ctx)
	if err != nil {
		return nil, err
	}
	rounds, found, err := s.screeningTotals(ctx, from, to)
	if err != nil {
		return nil, err
	}
	bySource := map[string]int{}
	for _, b := range f.BySource {
		switch Source(b.Key) {
		case SourceInitiative, SourceVisit:
			bySource["主动"] += b.Received
		case SourcePolice, SourceCourt, SourceGovernment, SourceCase:
			bySource["委托移送"] += b.Received
		default:
			bySource["申请"] += b.Received
		}
	}
	rows := [][]any{
		{fmt.Sprintf("人民调解工作统计月报表（%d年%d月）", start.Year(), int(start.Month()))},
		{"统计期间", from + " 至 " + to},
		{"指标", "数值"},
		{"排查次数", rounds}, {"排查发现纠纷", found},
		{"受理纠纷（件）", f.Received}, {"其中：主动调解", bySource["主动"]}, {"其中：当事人申请", bySource["申请"]},
		{"其中：委托移送", bySource["委托移送"]},
		{"调解成功（件）", f.Agreements}, {"调解不成（件）", f.Failed}, {"调解成功率", fmt.Sprintf("%.1f%%", f.SuccessRate*100)},
		{"协议涉及金额（元）", f.Amount},
		{"防止民间纠纷转化为刑事案件（件）", f.PreventedCriminal}, {"防止民转刑涉及人数（人）", f.PreventedCriminalPeople},
		{"防止群体性上访（件）", f.PreventedPetition}, {"防止群体性上访涉及人数（人）", f.PreventedPetitionPeople},
		{},
		{"纠纷类型", "受理（件）", "调解成功（件）", "协议金额（元）"},
	}
	byType := map[string]Breakdown{}
	for _, b := range f.ByType {
		byType[b.Key] = b
	}
	for _, t := range types {
		b := byType[t.Code]
		rows = append(rows, []any{t.Name, b.Received, b.Agreements, b.Amount})
	}
	var buf bytes.Buffer
	w := sheet.NewWriter(&buf)
	if err := w.Sheet("月报", nil, 36, 16, 16, 16); err != nil {
		return nil, err
	}
	for _, row := range rows {
		if err := w.Row(row...); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// screeningTotals counts the screening rounds and disputes found in the period in scope.
func (s *Service) screeningTotals(ctx context.Context, from, to string) (rounds, found int, err error) {
	p, err := s.screener(ctx)
	if err != nil {
		return 0, 0, err
	}
	err = s.db.R.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(found), 0) FROM mediation_screenings
		WHERE `+db.InScope("grid_id", "$1")+` AND held_on >= $2 AND held_on <= $3`,
		p.Scope(), from, to).Scan(&rounds, &found)
	return rounds, found, err
}
