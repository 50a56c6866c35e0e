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
	if req.Unmask {
		reason, err := p.RequireUnmask(req.Reason)
		if err != nil {
			return 0, err
		}
		req.Reason = reason
	}
	f := req.Filter
	f.Status = "approved"
	a := &db.Args{}
	where, err := s.volunteerWhere(ctx, p, f, a)
	if err != nil {
		return 0, err
	}
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*)`+volunteerFrom+` WHERE `+where, *a...).Scan(&total); err != nil {
		return 0, fmt.Errorf("count volunteers: %w", err)
	}
	action, detail := "volunteer.export", fmt.Sprintf("导出志愿服务时长%d条（%s至%s，证件号码和电话已脱敏）", total, f.From, f.To)
	if req.Unmask {
		action, detail = "pii.export", fmt.Sprintf("导出志愿服务时长%d条（%s至%s，含完整证件号码和电话），用途：%s", total, f.From, f.To, req.Reason)
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
	// Read a thousand at a time from the last one written (not by offset), in the list's order,
	// and written as read: every record, in flat memory.
	n := 0
	var last *Volunteer
	for {
		ca := append(db.Args{}, *a...)
		q := `SELECT ` + volunteerCols + volunteerFrom + ` WHERE ` + where
		if last != nil {
			at := ca.Add(last.startsAt)
			q += ` AND (a.starts_at < ` + at + ` OR (a.starts_at = ` + at + ` AND v.id > ` + ca.Add(last.ID) + `))`
		}
		chunk, err := s.readVolunteers(ctx, q+volunteerOrder+` LIMIT `+ca.Add(hoursExportChunk), ca...)
		if err != nil {
			return n, err
		}
		for i := range chunk {
			v := &chunk[i]
			if req.Unmask {
				if err := s.unmaskVolunteer(ctx, v); err != nil {
					return n, err
				}
			}
			idType := ""
			if v.IDMasked != "" {
				idType = "居民身份证"
			}
			hours, _ := strconv.ParseFloat(strconv.FormatFloat(float64(v.Minutes)/60, 'f', 1, 64), 64)
			if err := w.Row(v.Name, idType, v.IDMasked, v.PhoneMasked, v.ActivityTitle, v.RoleTitle, v.ServedOn, hours,
				v.Content, v.Organiser, v.CertNo); err != nil {
				return n, err
			}
		}
		n += len(chunk)
		if len(chunk) < hoursExportChunk {
			break
		}
		last = &chunk[len(chunk)-1]
	}
	return n, w.Close()
}

// hoursExportChunk is how many records the hours export reads per statement.
var hoursExportChunk = 1000

// unmaskVolunteer opens a record's sealed ID and phone numbers, for an export that asked for them.
func (s *Service) unmaskVolunteer(ctx context.Context, v *Volunteer) error {
	var idEnc, phoneEnc []byte
	if err := s.db.R.QueryRowContext(ctx, `SELECT id_enc, phone_enc FROM activity_volunteers WHERE id = $1`, v.ID).
		Scan(&idEnc, &phoneEnc); err != nil {
		return err
	}
	var err error
	if len(idEnc) > 0 {
		if v.IDMasked, err = s.sealer.Open(idEnc); err != nil {
			return err
		}
	}
	if len(phoneEnc) > 0 {
		if v.PhoneMasked, err = s.sealer.Open(phoneEnc); err != nil {
			return err
		}
	}
	return nil
}
