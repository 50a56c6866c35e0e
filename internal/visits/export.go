package visits

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/sheet"
)

// ExportMaxRows is the most entries one export holds.
const ExportMaxRows = 50000

var exportHeader = []string{"走访日期", "类型", "网格", "住户", "走访方式", "见到的人", "联系电话", "走访情况", "发现的需求",
	"回访日期", "转办诉求", "记录人", "记录时间"}

var exportWidths = []float64{11, 8, 14, 20, 9, 14, 14, 40, 24, 11, 14, 9, 16}

// ExportSheetName is the sheet (and file) name of an export of the filter's kind.
func ExportSheetName(f Filter) string {
	if f.Kind == KindContact {
		return "联系台账"
	}
	return "走访台账"
}

// ExportXLSX writes the ledger entries a filter selects in the principal's scope (staff with
// VisitsRead) to out as an .xlsx workbook — phone numbers masked — newest first, as the ledger
// page lists them, and records the export in the audit log. The entries' ids are sorted first
// (at most ExportMaxRows of them), then their rows with the residents met are read a chunk at a
// time in that order and written as they are read, so memory stays flat.
func (s *Service) ExportXLSX(ctx context.Context, f Filter, out io.Writer) (int, error) {
	p, err := principal(ctx)
	if err != nil {
		return 0, err
	}
	if err := p.Require(auth.VisitsRead); err != nil {
		return 0, err
	}
	a := &db.Args{}
	where, err := s.where(p, f, a)
	if err != nil {
		return 0, err
	}
	// The keys first: the selection's ids in ledger order, a narrow sort (visits_list holds the date,
	// id, region and kind), one past the most a download holds; the rows are then read a chunk at a
	// time in that order, so that neither database sorts the wide rows of the whole selection
	// (SQLite's sorter held them in memory).
	ids, err := db.QueryIDs(ctx, s.db.R, `SELECT v.id FROM visits v`+where+visitOrder+` LIMIT `+strconv.Itoa(ExportMaxRows+1), *a...)
	if err != nil {
		return 0, err
	}
	if len(ids) > ExportMaxRows {
		return 0, errs.E(errs.Invalid, "一次最多导出%d条记录，请缩小日期范围", ExportMaxRows)
	}
	name := ExportSheetName(f)
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "visit.export", ObjectType: "visit", RegionID: p.RegionID,
			Detail: fmt.Sprintf("导出%s%d条（电话已脱敏）", name, len(ids))})
	})
	if err != nil {
		return 0, err
	}
	w := sheet.NewWriter(out)
	if err := w.Sheet(name, exportHeader, exportWidths...); err != nil {
		return 0, err
	}
	// Each chunk is read and scanned in a goroutine of its own while this one writes the chunk
	// before (db.ReadAhead).
	n := 0
	err = db.ReadAhead(ctx, 1, func(ctx context.Context, send func([]*Visit) error) error {
		return s.db.GenericPlans(ctx, func(q db.Querier) error {
			for from := 0; from < len(ids); from += exportChunk {
				chunk, err := s.readChunk(ctx, q, ids[from:min(from+exportChunk, len(ids))])
				if err != nil {
					return err
				}
				if err := send(chunk); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(chunk []*Visit) error {
		for _, v := range chunk {
			if err := w.Row(exportRow(v)...); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, w.Close()
}

// exportChunk is how many entries one statement of an export reads.
const exportChunk = 1000

// readChunk reads the entries of ids (in ledger order) with the residents met: one statement, an
// entry's rows one per resident met (by resident; none, or a minor the user may not see: a row of
// NULLs, skipped), grouped as they are read. Only the chunk's rows are sorted, and the statement is
// done before the next begins, so an export holds one connection of the read pool at a time (on
// PostgreSQL the chunks share one generic plan, db.GenericPlans). The residents are two LEFT
// JOINs, not LEFT JOIN (visit_residents JOIN residents): SQLite materialized that parenthesized
// join for the whole city (every visit's residents) before the first row.
func (s *Service) readChunk(ctx context.Context, q db.Querier, ids []int64) ([]*Visit, error) {
	a := &db.Args{}
	in := s.db.Dialect.InIDs("v.id", ids, a)
	rows, err := q.QueryContext(ctx, `SELECT `+visitColumns+`, r.id, r.name, r.relation, r.phone_masked`+visitFrom+
		` LEFT JOIN visit_residents vr ON vr.visit_id = v.id LEFT JOIN residents r ON r.id = vr.resident_id`+
		s.metMinors(ctx, a)+` WHERE `+in+visitOrder+`, vr.resident_id`, *a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*Visit, 0, len(ids))
	var v *Visit
	for rows.Next() {
		var id sql.NullInt64
		var name, relation, phone sql.NullString
		next, err := scanVisit(extraScan{rows, []any{&id, &name, &relation, &phone}})
		if err != nil {
			return nil, err
		}
		if v == nil || next.ID != v.ID {
			v = next
			v.Met = []Person{}
			out = append(out, v)
		}
		if id.Valid {
			v.Met = append(v.Met, Person{ID: id.Int64, Name: name.String, Relation: relation.String, PhoneMasked: phone.String})
		}
	}
	return out, rows.Err()
}

// extraScan scans a row of visitColumns followed by the extra columns.
type extraScan struct {
	rows  *sql.Rows
	extra []any
}

func (e extraScan) Scan(dest ...any) error { return e.rows.Scan(append(dest, e.extra...)...) }

// readVisits runs a statement of visitColumns and adds the residents met.
func (s *Service) readVisits(ctx context.Context, q string, a *db.Args) ([]Visit, error) {
	rows, err := s.db.R.QueryContext(ctx, q, *a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Visit{}
	for rows.Next() {
		v, err := scanVisit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.fillMet(ctx, out)
}

func exportRow(v *Visit) []any {
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
	return []any{v.VisitedOn, kind, v.GridName, v.Address, v.Method.Label(), strings.Join(names, "、"),
		strings.Join(phones, "、"), v.Situation, v.Needs, v.FollowUpOn, v.CaseNumber, v.CreatedByName,
		v.CreatedAt.In(clock.Shanghai()).Format("2006-01-02 15:04")}
}
