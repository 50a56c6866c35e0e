package activities

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/sheet"
)

// hoursHeader follows the columns of the national volunteer information system's bulk entry of
// service hours (全国志愿服务信息系统 补录服务时长): who, their ID, the project, date, hours, content.
var hoursHeader = []string{"志愿者姓名", "证件类型", "证件号码", "手机号码", "活动名称", "服务岗位", "服务日期", "服务时长（小时）",
	"服务内容", "组织单位", "证明编号"}

// HoursExport is what the hours export takes: the list's filters and, for entry into the national
// system (which needs the volunteer's full ID number), the explicit request and its reason.
type HoursExport struct {
	Filter VolunteerFilter
	Unmask bool
	Reason string
}

// ExportHoursXLSX writes the approved volunteer hours of a period in the principal's scope to an
// .xlsx written to out in the layout of the national system's bulk entry and audits the export. ID
// and phone numbers are masked, unless the user may reveal them and asks to with a reason (audited
// as pii.export, like the resident ledger's).
func (s *Service) ExportHoursXLSX(ctx context.Context, req HoursExport, out io.Writer) (int, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return 0, err
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if req.Unmask {
		if err := p.Require(auth.RevealPII); err != nil {
			return 0, err
		}
		if utf8.RuneCountInString(req.Reason) < 4 {
			return 0, errs.Field("reason", "导出完整证件号码和手机号码须填写用途（至少4个字）")
		}
	}
	f := req.Filter
	f.Status = "approved"
	vs, err := s.Volunteers(ctx, f)
	if err != nil {
		return 0, err
	}
	if req.Unmask {
		for i := range vs {
			var idEnc, phoneEnc []byte
			if err := s.db.R.QueryRowContext(ctx, `SELECT id_enc, phone_enc FROM activity_volunteers WHERE id = $1`, vs[i].ID).
				Scan(&idEnc, &phoneEnc); err != nil {
				return 0, err
			}
			if len(idEnc) > 0 {
				if vs[i].IDMasked, err = s.sealer.Open(idEnc); err != nil {
					return 0, err
				}
			}
			if len(phoneEnc) > 0 {
				if vs[i].PhoneMasked, err = s.sealer.Open(phoneEnc); err != nil {
					return 0, err
				}
			}
		}
	}
	action, detail := "volunteer.export", fmt.Sprintf("导出志愿服务时长%d条（%s至%s，证件号码和电话已脱敏）", len(vs), f.From, f.To)
	if req.Unmask {
		action, detail = "pii.export", fmt.Sprintf("导出志愿服务时长%d条（%s至%s，含完整证件号码和电话），用途：%s", len(vs), f.From, f.To, req.Reason)
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: "activity_volunteer", RegionID: p.RegionID, Detail: detail})
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
