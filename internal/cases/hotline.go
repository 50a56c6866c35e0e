package cases

import (
	"context"
	"fmt"
	"strings"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/workday"
)

// HotlineFile is an uploaded 12345 work-order export.
type HotlineFile struct {
	Name string
	Data []byte
	// CommunityID receives the work orders; the importer's own community when 0.
	CommunityID int64
	// Confirm imports the valid rows of a file that has row errors; without it such a file
	// imports nothing and only lists its errors.
	Confirm bool
}

// RowError is one rejected or passed-over row of an import, with the column and a Chinese reason.
type RowError struct {
	Row     int    `json:"row"` // 1-based row of the sheet
	Column  string `json:"column"`
	Message string `json:"message"`
}

// ImportResult reports an import: work-order rows read, cases created, rows already imported
// (same work-order number), identical duplicate rows folded, rows passed over (blank, 合计,
// 小计, folded duplicates) and the row errors. Rows with errors are never imported; the valid
// rows are imported only when the import was confirmed or there is no error.
type ImportResult struct {
	Rows    int `json:"rows"`
	Created int `json:"created"`
	Skipped int `json:"skipped"`
	Folded  int `json:"folded"`
	// Located counts the cases placed on a building of the register from their address (the
	// building's grid follows); ToLocate the cases whose address matched none, which wait in
	// the 待定位 queue.
	Located  int        `json:"located"`
	ToLocate int        `json:"to_locate"`
	Ignored  []RowError `json:"ignored"`
	Errors   []RowError `json:"errors"`
}

// ImportHotline imports a 12345 export (.xlsx or .csv, UTF-8, UTF-16 or GB18030): each work order
// becomes a case of channel hotline_12345 keeping the work-order number, the hotline's receipt
// and its deadline. Rows whose number is already registered are skipped, so importing the same
// file twice creates nothing new. A file with row errors imports nothing unless f.Confirm, when
// its valid rows are imported and the bad ones listed.
func (s *Service) ImportHotline(ctx context.Context, f HotlineFile) (*ImportResult, error) {
	rd, err := s.readHotline(ctx, f)
	if err != nil {
		return nil, err
	}
	p := rd.p
	if f.CommunityID == 0 && p.RegionLevel == "community" {
		f.CommunityID = p.RegionID
	}
	if f.CommunityID == 0 {
		return nil, errs.Field("community_id", "请选择接收工单的社区")
	}
	res := &ImportResult{Rows: len(rd.rows), Folded: rd.folded, Ignored: rd.ignored, Errors: []RowError{}}
	var valid []hotlineRow
	for _, r := range rd.rows {
		res.Errors = append(res.Errors, r.errs...)
		if len(r.errs) == 0 {
			r.in.CommunityID = f.CommunityID
			valid = append(valid, r)
		}
	}
	if len(res.Errors) > 0 && !f.Confirm {
		return res, nil
	}
	buildings, err := communityBuildings(ctx, s.db.R, f.CommunityID)
	if err != nil {
		return nil, err
	}
	err = s.db.InKeyTx(ctx, func(tx *db.Tx) error {
		res.Created, res.Skipped, res.Located, res.ToLocate = 0, 0, 0, 0
		for _, r := range valid {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE external_no = $1`, r.in.ExternalNo).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				res.Skipped++
				continue
			}
			if id, ok := matchBuilding(r.in.Address, buildings); ok && r.in.BuildingID == 0 && r.in.GridID == 0 {
				r.in.BuildingID = id
			}
			c, err := s.intake(ctx, tx, rd.cal, r.in, p)
			if err != nil {
				if e, ok := err.(*errs.Error); ok && e.Code != errs.Internal {
					res.Errors = append(res.Errors, RowError{r.line, "", e.Message})
					continue
				}
				return err
			}
			res.Created++
			if c.GridID != nil {
				res.Located++
			} else {
				res.ToLocate++
			}
		}
		if len(res.Errors) > 0 && !f.Confirm {
			return errRollback
		}
		return nil
	})
	if err == errRollback {
		res.Created, res.Skipped, res.Located, res.ToLocate = 0, 0, 0, 0
		return res, nil
	}
	return res, err
}

var errRollback = errs.E(errs.Invalid, "导入有误，已全部撤销")

// hotlineRow is one work order of a 12345 export: its line in the sheet, the intake it reads as,
// and what is wrong with it.
type hotlineRow struct {
	line int
	in   Intake
	errs []RowError
}

// hotlineRead is a 12345 export as both the preview and the import see it.
type hotlineRead struct {
	p       *auth.Principal
	rows    []hotlineRow
	ignored []RowError
	folded  int
	cats    []Category
	cal     *workday.Calendar
}

// readHotline reads a 12345 export for a dispatcher: the header found and mapped to fields, blank
// and 合计/小计 rows passed over, identical rows folded, every work order parsed against the
// categories and the calendar, a work-order number repeated with other content flagged.
func (s *Service) readHotline(ctx context.Context, f HotlineFile) (*hotlineRead, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.CasesDispatch); err != nil {
		return nil, err
	}
	sh, err := readSheet(f)
	if err != nil {
		return nil, err
	}
	rd := &hotlineRead{p: p, ignored: []RowError{}}
	if rd.cats, err = s.Categories(ctx); err != nil {
		return nil, err
	}
	if rd.cal, err = s.Calendar(ctx); err != nil {
		return nil, err
	}
	seen := map[string]int{}
	same := map[string]int{}
	for _, l := range sh.lines {
		switch kindOf(l.cells) {
		case rowBlank:
			rd.ignored = append(rd.ignored, RowError{l.num, "", "空行，已跳过"})
			continue
		case rowTotal:
			rd.ignored = append(rd.ignored, RowError{l.num, "", "合计/小计行，已跳过"})
			continue
		}
		key := rowKey(l.cells, sh.col)
		if prev, ok := same[key]; ok {
			rd.folded++
			rd.ignored = append(rd.ignored, RowError{l.num, "", fmt.Sprintf("与第%d行完全相同，已合并", prev)})
			continue
		}
		same[key] = l.num
		in, rowErrs := parseHotlineRow(l.cells, sh.col, l.num, rd.cats, rd.cal)
		if in.ReceivedAt != nil {
			if msg := receivedFault(*in.ReceivedAt, s.now()); msg != "" {
				rowErrs = append(rowErrs, RowError{l.num, hotlineLabels["time"], msg})
			}
		}
		if prev, ok := seen[in.ExternalNo]; ok && in.ExternalNo != "" {
			rowErrs = append(rowErrs, RowError{l.num, "工单编号", fmt.Sprintf("与第%d行的工单编号相同但内容不同", prev)})
		} else {
			seen[in.ExternalNo] = l.num
		}
		rd.rows = append(rd.rows, hotlineRow{line: l.num, in: in, errs: rowErrs})
	}
	if len(rd.rows) == 0 {
		return nil, errs.Field("file", "文件中没有工单数据")
	}
	return rd, nil
}

// matchCategory finds the leaf category named by a hotline class ("环境卫生/垃圾清运", "垃圾清运",
// "路灯不亮"); unknown classes go to 其他事项.
func matchCategory(raw string, cats []Category) int64 {
	raw = strings.TrimSpace(raw)
	var fallback int64
	for _, c := range cats {
		if c.Code == "other.misc" {
			fallback = c.ID
		}
	}
	if raw == "" {
		return fallback
	}
	parts := strings.FieldsFunc(raw, func(r rune) bool { return strings.ContainsRune("/›>-—|、", r) })
	last := strings.TrimSpace(parts[len(parts)-1])
	for _, c := range cats {
		if c.Leaf() && (c.Name == last || c.FullName == raw) {
			return c.ID
		}
	}
	for _, c := range cats {
		if c.Leaf() && strings.Contains(raw, c.Name) {
			return c.ID
		}
	}
	return fallback
}
