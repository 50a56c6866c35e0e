package activities

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/sheet"
)

// hoursHeader follows the columns of the national volunteer information system's bulk entry of
// service hours (全国志愿服务信息系统 补录服务时长): who, their ID, the project, date, hours, content.
var hoursHeader = []string{"志愿者姓名", "证件类型", "证件号码", "手机号码", "活动名称", "服务岗位", "服务日期", "服务时长（小时）",
	"服务内容", "组织单位", "证明编号"}

// ExportHoursXLSX writes the approved volunteer hours of a period in the principal's scope to an
// .xlsx written to out in the layout of the national system's bulk entry, numbers masked, and
// audits the export.
func (s *Service) ExportHoursXLSX(ctx context.Context, f VolunteerFilter, out io.Writer) (int, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return 0, err
	}
	f.Status = "approved"
	vs, err := s.Volunteers(ctx, f)
	if err != nil {
		return 0, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "volunteer.export", ObjectType: "activity_volunteer", RegionID: p.RegionID,
			Detail: fmt.Sprintf("导出志愿服务时长%d条（%s至%s，证件号码和电话已脱敏）", len(vs), f.From, f.To)})
	})
	if err != nil {
		return 0, err
	}
	w := sheet.NewWriter(out)
	if err := w.Sheet("志愿服务时长", hoursHeader, 10, 10, 20, 14, 24, 14, 11, 10, 30, 20, 16); err != nil {
		return 0, err
	}
	for _, v := range vs {
		idType := ""
		if v.IDMasked != "" {
			idType = "居民身份证"
		}
		hours, _ := strconv.ParseFloat(strconv.FormatFloat(float64(v.Minutes)/60, 'f', 1, 64), 64)
		if err := w.Row(v.Name, idType, v.IDMasked, v.PhoneMasked, v.ActivityTitle, v.RoleTitle, v.ServedOn, hours,
			v.Content, v.Organiser, v.CertNo); err != nil {
			return 0, err
		}
	}
	return len(vs), w.Close()
}
