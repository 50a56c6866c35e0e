package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/register"
	"linli/internal/sheet"
)

// ExportRequest is what a resident ledger export takes: the filters of the resident list and,
// for an export with full ID and phone numbers, the explicit request and its reason.
type ExportRequest struct {
	Filter register.ResidentFilter
	Unmask bool
	Reason string
}

// ledgerToday is now in Shanghai, for age rules and file names.
func ledgerToday() time.Time { return time.Now().In(clock.Shanghai()) }

var residentExportHeader = []string{"姓名", "性别", "出生日期", "身份证号", "联系电话", "所属网格", "楼栋", "单元", "门牌号",
	"与户主关系", "人口类型", "民族", "标签", "状态", "备注"}

// ExportResidents writes the resident ledger in the principal's scope as .xlsx with a streaming
// writer: numbers masked, unless the user may reveal them and asks to with a reason — that export
// is audited as pii.export. It returns the number of residents written.
func (l *Ledger) ExportResidents(ctx context.Context, req ExportRequest, w io.Writer) (int, error) {
	p := auth.FromContext(ctx)
	if err := p.Require(auth.RegisterImport); err != nil {
		return 0, err
	}
	if req.Unmask {
		reason, err := p.RequireUnmask(req.Reason)
		if err != nil {
			return 0, err
		}
		req.Reason = reason
	}
	// The same filters, scope and minors rule as the resident list.
	where, a, err := l.reg.ResidentWhere(p, req.Filter)
	if err != nil {
		return 0, err
	}
	var total int
	if err := l.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM residents r`+where, a...).Scan(&total); err != nil {
		return 0, err
	}
	action, detail := "ledger.export", fmt.Sprintf("导出居民台账（号码已脱敏）%d人", total)
	if req.Unmask {
		action, detail = "pii.export", fmt.Sprintf("导出居民台账（含完整身份证号和电话）%d人，用途：%s", total, req.Reason)
	}
	err = l.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: "resident", RegionID: p.RegionID,
			Detail: detail, After: exportFilterRecord(req)})
	})
	if err != nil {
		return 0, err
	}
	tags, err := l.exportTags(ctx, where, a)
	if err != nil {
		return 0, err
	}
	rows, err := l.db.R.QueryContext(ctx, `SELECT r.id, r.name, r.gender, r.birth_date, r.id_masked, r.phone_masked,
		r.id_enc, r.phone_enc, COALESCE(g.name, ''), COALESCE(b.name, ''), COALESCE(h.unit, ''), COALESCE(h.room, ''),
		r.relation, r.residence_type, r.ethnicity, r.status, r.note
		FROM residents r LEFT JOIN households h ON h.id = r.household_id LEFT JOIN buildings b ON b.id = h.building_id
		LEFT JOIN regions g ON g.id = b.grid_id
		`+where+` ORDER BY b.name, h.unit, h.room, r.id`, a...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	sw := sheet.NewWriter(w)
	if err := sw.Sheet("居民台账", residentExportHeader, 10, 6, 12, 22, 15, 16, 14, 6, 8, 10, 8, 8, 20, 8, 24); err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		var id int64
		var name, gender, birth, idMasked, phoneMasked, grid, building, unit, room, relation, rtype, ethnicity, status, note string
		var idEnc, phoneEnc []byte
		if err := rows.Scan(&id, &name, &gender, &birth, &idMasked, &phoneMasked, &idEnc, &phoneEnc, &grid, &building,
			&unit, &room, &relation, &rtype, &ethnicity, &status, &note); err != nil {
			return n, err
		}
		if req.Unmask {
			if idMasked, err = l.sealer.Open(idEnc); err != nil {
				return n, err
			}
			if phoneMasked, err = l.sealer.Open(phoneEnc); err != nil {
				return n, err
			}
		}
		n++
		if err := sw.Row(name, register.GenderLabel(gender), birth, idMasked, phoneMasked, grid, building, register.CanonUnit(unit), room,
			relation, register.ResidenceType(rtype).Label(), ethnicity, tags[id], register.StatusLabel(status), note); err != nil {
			return n, err
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, sw.Close()
}

func exportFilterRecord(req ExportRequest) map[string]any {
	f := req.Filter
	return map[string]any{"q": f.Q != "", "grid_id": f.GridID, "building_id": f.BuildingID, "tag": f.Tag,
		"status": f.Status, "unmask": req.Unmask}
}

// exportTags returns each exported resident's stored tags as one cell: 独居老人、低保/特困.
func (l *Ledger) exportTags(ctx context.Context, where string, args []any) (map[int64]string, error) {
	rows, err := l.db.R.QueryContext(ctx, `SELECT t.resident_id, t.tag FROM resident_tags t
		WHERE t.resident_id IN (SELECT r.id FROM residents r`+where+`)
		ORDER BY t.resident_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return nil, err
		}
		if register.Tag(tag).Valid() {
			if out[id] != "" {
				out[id] += "、"
			}
			out[id] += register.Tag(tag).Label()
		}
	}
	return out, rows.Err()
}

// ExportHouseholds writes the household ledger in the principal's scope (optionally one grid).
func (l *Ledger) ExportHouseholds(ctx context.Context, gridID int64, w io.Writer) (int, error) {
	return l.exportTable(ctx, "households", "户台账", gridID, w,
		[]string{"所属网格", "楼栋", "单元", "门牌号", "住房性质", "户主", "在册人数", "备注"},
		[]float64{16, 14, 6, 8, 8, 10, 8, 24},
		`SELECT COALESCE(g.name, ''), b.name, h.unit, h.room, h.kind,
			COALESCE((SELECT MIN(r.name) FROM residents r WHERE r.household_id = h.id AND r.relation = '户主' AND r.status = 'active'), ''),
			(SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id AND r.status = 'active'), h.note
		FROM households h JOIN buildings b ON b.id = h.building_id LEFT JOIN regions g ON g.id = b.grid_id
		WHERE h.region_id IN (SELECT id FROM regions WHERE path LIKE $1) AND ($2 = 0 OR h.region_id = $2)
		ORDER BY g.name, b.name, h.unit, h.room`,
		func(vals []any) []any {
			vals[2] = register.CanonUnit(fmt.Sprint(vals[2])) // one form in the column, whatever is stored
			vals[4] = register.HouseholdKind(fmt.Sprint(vals[4])).Label()
			return vals
		})
}

// ExportBuildings writes the building ledger in the principal's scope (optionally one grid), with the
// counts each building keeps of its households and residents (register.CountBuildings).
func (l *Ledger) ExportBuildings(ctx context.Context, gridID int64, w io.Writer) (int, error) {
	return l.exportTable(ctx, "buildings", "楼院台账", gridID, w,
		[]string{"名称", "地址", "类型", "所属网格", "单元数", "层数", "户数", "在册人数", "经度", "纬度", "备注"},
		[]float64{16, 24, 8, 16, 6, 6, 6, 8, 12, 12, 24},
		`SELECT b.name, b.address, b.kind, COALESCE(g.name, ''), b.units, b.floors,
			b.household_count, b.resident_count,
			COALESCE(CAST(b.lon AS TEXT), ''), COALESCE(CAST(b.lat AS TEXT), ''), b.note
		FROM buildings b LEFT JOIN regions g ON g.id = b.grid_id
		WHERE b.region_id IN (SELECT id FROM regions WHERE path LIKE $1) AND ($2 = 0 OR b.region_id = $2)
		ORDER BY g.name, b.name`,
		func(vals []any) []any {
			vals[2] = register.BuildingKindLabel(fmt.Sprint(vals[2]))
			return vals
		})
}

// exportTable streams a query's rows into a one-sheet workbook and audits the export.
func (l *Ledger) exportTable(ctx context.Context, kind, title string, gridID int64, w io.Writer, header []string,
	widths []float64, query string, format func([]any) []any) (int, error) {
	p := auth.FromContext(ctx)
	if err := p.Require(auth.RegisterImport); err != nil {
		return 0, err
	}
	err := l.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "ledger.export", ObjectType: kind, RegionID: p.RegionID,
			Detail: "导出" + title, After: map[string]any{"grid_id": gridID}})
	})
	if err != nil {
		return 0, err
	}
	rows, err := l.db.R.QueryContext(ctx, query, p.Scope(), gridID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	sw := sheet.NewWriter(w)
	if err := sw.Sheet(title, header, widths...); err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		vals := make([]any, len(header))
		ptrs := make([]any, len(header))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			switch t := v.(type) {
			case []byte:
				vals[i] = string(t)
			case nil:
				vals[i] = ""
			case time.Time:
				vals[i] = t.Format("2006-01-02")
			case sql.RawBytes:
				vals[i] = string(t)
			}
		}
		n++
		if err := sw.Row(format(vals)...); err != nil {
			return n, err
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, sw.Close()
}
