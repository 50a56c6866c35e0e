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
// page lists them, and records the export in the audit log. The entries and the residents they met
// are read by two statements sorted in ledger order and written as they are read, so memory stays
// flat.
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
	var total int
	err = s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM visits v`+where+` LIMIT `+
		strconv.Itoa(ExportMaxRows+1)+`) capped`, *a...).Scan(&total)
	if err != nil {
		return 0, err
	}
	if total > ExportMaxRows {
		return 0, errs.E(errs.Invalid, "一次最多导出%d条记录，请缩小日期范围", ExportMaxRows)
	}
	name := ExportSheetName(f)
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "visit.export", ObjectType: "visit", RegionID: p.RegionID,
			Detail: fmt.Sprintf("导出%s%d条（电话已脱敏）", name, total)})
	})
	if err != nil {
		return 0, err
	}
	w := sheet.NewWriter(out)
	if err := w.Sheet(name, exportHeader, exportWidths...); err != nil {
		return 0, err
	}
	// Two statements, each sorted once in ledger order and read as a stream: the entries, and the
	// residents met by them; each entry takes the residents met that come with its id.
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+visitColumns+visitFrom+where+visitOrder, *a...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	met, err := s.metStream(ctx, p, f)
	if err != nil {
		return 0, err
	}
	defer met.Close()
	n := 0
	for rows.Next() {
		v, err := scanVisit(rows)
		if err != nil {
			return n, err
		}
		if v.Met, err = met.of(v); err != nil {
			return n, err
		}
		if err := w.Row(exportRow(v)...); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, w.Close()
}

// metRows is the stream of the residents met by a filter's entries, in ledger order and by
// resident within an entry (the order fillMet gives).
type metRows struct {
	rows *sql.Rows
	next struct {
		ok      bool
		visited string
		visitID int64
		p       Person
	}
	err error
}

func (s *Service) metStream(ctx context.Context, p *auth.Principal, f Filter) (*metRows, error) {
	a := &db.Args{}
	where, err := s.where(p, f, a)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT v.visited_on, v.id, r.id, r.name, r.relation, r.phone_masked
		FROM visits v JOIN visit_residents vr ON vr.visit_id = v.id JOIN residents r ON r.id = vr.resident_id`+
		where+s.metMinors(ctx, a)+visitOrder+`, r.id`, *a...)
	if err != nil {
		return nil, err
	}
	m := &metRows{rows: rows}
	m.advance()
	return m, m.err
}

func (m *metRows) advance() {
	n := &m.next
	n.ok = m.rows.Next()
	if !n.ok {
		m.err = m.rows.Err()
		return
	}
	n.p = Person{}
	m.err = m.rows.Scan(&n.visited, &n.visitID, &n.p.ID, &n.p.Name, &n.p.Relation, &n.p.PhoneMasked)
}

// of returns the residents met by v, the next entry in ledger order, skipping those of entries
// that come before it (recorded between the two statements).
func (m *metRows) of(v *Visit) ([]Person, error) {
	out := []Person{}
	for m.err == nil && m.next.ok {
		n := &m.next
		if n.visited < v.VisitedOn || (n.visited == v.VisitedOn && n.visitID < v.ID) {
			break // an entry after v
		}
		if n.visitID == v.ID {
			out = append(out, n.p)
		}
		m.advance()
	}
	return out, m.err
}

func (m *metRows) Close() error { return m.rows.Close() }

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
