package activities

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
)

// hoursHeader follows the columns of the national volunteer information system's bulk entry of
// service hours (全国志愿服务信息系统 补录服务时长): who, their ID, the project, date, hours, content.
var hoursHeader = []string{"志愿者姓名", "证件类型", "证件号码", "手机号码", "活动名称", "服务岗位", "服务日期", "服务时长（小时）",
	"服务内容", "组织单位", "证明编号"}

// ExportHoursXLSX writes the approved volunteer hours of a period in the principal's scope to an
// .xlsx in the layout of the national system's bulk entry, numbers masked, and audits the export.
func (s *Service) ExportHoursXLSX(ctx context.Context, f VolunteerFilter) ([]byte, int, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, 0, err
	}
	f.Status = "approved"
	vs, err := s.Volunteers(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "志愿服务时长"
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
	head := make([]any, len(hoursHeader))
	for i, h := range hoursHeader {
		head[i] = h
	}
	if err := row(1, head); err != nil {
		return nil, 0, err
	}
	for i, v := range vs {
		idType := ""
		if v.IDMasked != "" {
			idType = "居民身份证"
		}
		hours, _ := strconv.ParseFloat(strconv.FormatFloat(float64(v.Minutes)/60, 'f', 1, 64), 64)
		if err := row(i+2, []any{v.Name, idType, v.IDMasked, v.PhoneMasked, v.ActivityTitle, v.RoleTitle, v.ServedOn, hours,
			v.Content, v.Organiser, v.CertNo}); err != nil {
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
		return audit.Record(ctx, tx, audit.Entry{Action: "volunteer.export", ObjectType: "activity_volunteer", RegionID: p.RegionID,
			Detail: fmt.Sprintf("导出志愿服务时长%d条（%s至%s，证件号码和电话已脱敏）", len(vs), f.From, f.To)})
	})
	return buf.Bytes(), len(vs), err
}
