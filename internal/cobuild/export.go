package cobuild

import (
	"context"
	"fmt"
	"strings"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/sheet"
)

// ExportMaxRows is the most rows one list export holds.
const ExportMaxRows = 10000

// exported records an export in the audit log.
func (s *Service) exported(ctx context.Context, what string, n int, query string) error {
	p := auth.FromContext(ctx)
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		return record(ctx, tx, "cobuild.export", "cobuild", 0, p.RegionID, fmt.Sprintf("导出%s%d条；筛选：%s", what, n, query), nil)
	})
}

func tooMany(total int) error {
	if total > ExportMaxRows {
		return errs.E(errs.Invalid, "符合条件的记录有%d条，超过单次导出上限%d条，请缩小筛选范围", total, ExportMaxRows)
	}
	return nil
}

// ExportNeeds writes the needs list a filter selects as .xlsx, in the layout handed to the street.
func (s *Service) ExportNeeds(ctx context.Context, f NeedFilter, query string) ([]byte, error) {
	f.Limit, f.Offset = ExportMaxRows+1, 0
	items, total, err := s.Needs(ctx, f)
	if err == nil {
		err = tooMany(total)
	}
	if err != nil {
		return nil, err
	}
	rows := make([][]any, 0, len(items))
	for i, n := range items {
		rows = append(rows, []any{i + 1, n.Title, n.Category, n.RegionName, n.BeneficiaryLabel(), n.UrgencyLabel(), n.SourceLabel(),
			n.RaisedOn, n.State.Label(), n.UnitName, n.ClaimedOn, n.DoneOn, n.SatisfactionLabel()})
	}
	b, err := sheet.Workbook("需求清单", []string{"序号", "需求名称", "类别", "所在区域", "服务对象", "紧急程度", "来源", "提出日期", "状态",
		"认领单位", "认领日期", "办结日期", "满意度"}, rows)
	if err == nil {
		err = s.exported(ctx, "需求清单", len(items), query)
	}
	return b, err
}

// ExportResources writes the resources list a filter selects as .xlsx.
func (s *Service) ExportResources(ctx context.Context, f ResourceFilter, query string) ([]byte, error) {
	f.Limit, f.Offset = ExportMaxRows+1, 0
	items, total, err := s.Resources(ctx, f)
	if err == nil {
		err = tooMany(total)
	}
	if err != nil {
		return nil, err
	}
	rows := make([][]any, 0, len(items))
	for i, r := range items {
		rows = append(rows, []any{i + 1, r.Title, r.KindLabel(), r.Category, r.Offerer(), r.Quantity, r.Used, r.Measure,
			r.Availability, r.AvailableFrom, r.AvailableTo, r.Conditions})
	}
	b, err := sheet.Workbook("资源清单", []string{"序号", "资源内容", "类别", "适用需求", "提供单位/个人", "数量", "已使用", "计量单位",
		"可提供时段", "起始日期", "截止日期", "条件"}, rows)
	if err == nil {
		err = s.exported(ctx, "资源清单", len(items), query)
	}
	return b, err
}

// ExportProjects writes the projects list a filter selects as .xlsx.
func (s *Service) ExportProjects(ctx context.Context, f ProjectFilter, query string) ([]byte, error) {
	f.Limit, f.Offset = ExportMaxRows+1, 0
	items, total, err := s.Projects(ctx, f)
	if err == nil {
		err = tooMany(total)
	}
	if err != nil {
		return nil, err
	}
	rows := make([][]any, 0, len(items))
	for i, p := range items {
		rows = append(rows, []any{i + 1, p.Title, p.Category, p.UnitName, p.NeedTitle, p.StartedOn, p.State.Label(), p.FinishedOn,
			p.SatisfactionLabel()})
	}
	b, err := sheet.Workbook("项目清单", []string{"序号", "项目名称", "类别", "牵头单位", "对应需求", "立项日期", "状态", "办结日期", "满意度"}, rows)
	if err == nil {
		err = s.exported(ctx, "项目清单", len(items), query)
	}
	return b, err
}

// ExportActivities writes the co-building activities a filter selects as .xlsx: the ledger of
// activities with their units, people and hours.
func (s *Service) ExportActivities(ctx context.Context, f ActivityFilter, query string) ([]byte, error) {
	f.Limit, f.Offset = ExportMaxRows+1, 0
	items, total, err := s.Activities(ctx, f)
	if err == nil {
		err = tooMany(total)
	}
	if err != nil {
		return nil, err
	}
	rows := make([][]any, 0, len(items))
	for i, a := range items {
		units := make([]string, len(a.Units))
		for k, u := range a.Units {
			units[k] = u.Name
		}
		rows = append(rows, []any{i + 1, a.Title, a.KindLabel, a.HeldOn, a.Place, strings.Join(units, "、"), a.Participants,
			fmt.Sprintf("%.1f", a.Hours()), a.Summary})
	}
	b, err := sheet.Workbook("共建活动", []string{"序号", "活动名称", "活动类型", "活动日期", "地点", "参与单位", "参与人数", "服务时长（小时）",
		"活动简介"}, rows)
	if err == nil {
		err = s.exported(ctx, "共建活动", len(items), query)
	}
	return b, err
}

// ServiceCardXLSX writes a quarterly service card as .xlsx.
func (s *Service) ServiceCardXLSX(ctx context.Context, c *ServiceCard) ([]byte, error) {
	rows := [][]any{
		{"单位", c.Unit.Name}, {"党组织", c.Unit.PartyOrg}, {"期间", c.From + " 至 " + c.To},
		{"认领需求", len(c.Needs)}, {"其中已办结", c.Met}, {"承接项目", len(c.Projects)}, {"参与共建活动", len(c.Activities)},
		{"决议事项销号", len(c.Decisions)}, {"在职党员服务时长（小时）", fmt.Sprintf("%.1f", float64(c.TotalMinutes())/60)},
		{"反馈单位", c.Unit.RegionName + "党委"}, {"反馈日期", c.Issued}, {},
		{"在职党员", "服务次数", "服务时长（小时）"},
	}
	for _, m := range c.Members {
		rows = append(rows, []any{m.Name, m.Times, fmt.Sprintf("%.1f", m.Hours())})
	}
	rows = append(rows, []any{}, []any{"共建活动", "日期", "参与人数"})
	for _, a := range c.Activities {
		rows = append(rows, []any{a.Title, a.HeldOn, a.Participants})
	}
	b, err := sheet.Workbook("服务反馈单", []string{c.Title()}, rows)
	if err == nil {
		err = s.exported(ctx, "服务反馈单", 1, strings.TrimSpace(c.Unit.Name+" "+c.From))
	}
	return b, err
}
