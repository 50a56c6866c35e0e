package cases

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/sheet"
	"linli/internal/web"
)

// ExportMaxRows is the most cases one export holds.
const ExportMaxRows = 20000

// exportBatch is how many cases the reading of an export hands to its writing at a time.
const exportBatch = 256

var exportHeader = []string{"案卷编号", "标题", "诉求内容", "类别", "来源渠道", "所属区域", "网格", "地址", "紧急程度", "状态",
	"办理结果", "登记时间", "受理时间", "办结时限", "结案时间", "时限情况", "承办人", "反映人", "联系电话", "督办", "重办次数",
	"回访结果", "满意度", "12345工单号"}

var exportWidths = []float64{18, 30, 30, 12, 10, 14, 14, 20, 8, 8, 10, 16, 16, 16, 16, 10, 10, 10, 14, 6, 8, 8, 8, 16}

// ExportXLSX writes the cases a filter selects in the principal's scope to out as an .xlsx
// workbook, in the list's order, phone numbers masked, and records the export in the audit log.
// The cases are read by one statement and written as they are read, so memory stays flat.
func (s *Service) ExportXLSX(ctx context.Context, f Filter, query string, out io.Writer) (int, error) {
	p, err := principal(ctx)
	if err != nil {
		return 0, err
	}
	if err := p.Require(auth.CasesRead); err != nil {
		return 0, err
	}
	if err := s.CheckFilterScope(ctx, f); err != nil {
		return 0, err
	}
	f.now = s.now()
	if _, err := sortOrder(f.Sort); err != nil {
		return 0, err
	}
	if err := callerPhone(&f, s.sealer.Index); err != nil {
		return 0, err
	}
	count, _, a, n, err := listQueries(&f, p, s.db.Dialect, 0, false)
	if err != nil {
		return 0, err
	}
	var total int
	if err := s.db.R.QueryRowContext(ctx, count, (*a)[:n]...).Scan(&total); err != nil {
		return 0, fmt.Errorf("count cases: %w", err)
	}
	if total > ExportMaxRows {
		return 0, errs.E(errs.Invalid, "符合条件的案件有%d件，超过单次导出上限%d件，请缩小筛选范围", total, ExportMaxRows)
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "case.export", ObjectType: "case", RegionID: p.RegionID,
			Detail: fmt.Sprintf("导出诉求清单%d件；筛选：%s", total, query)})
	})
	if err != nil {
		return 0, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	w := sheet.NewWriter(out)
	if err := w.Sheet("诉求清单", exportHeader, exportWidths...); err != nil {
		return 0, err
	}
	written := 0
	if total > 0 {
		page, a, err := exportQuery(&f, p, s.db.Dialect, total)
		if err != nil {
			return 0, err
		}
		if !p.HidesMinors() {
			page = withoutBorn(page)
		}
		// The cases are read, scanned and their time limits computed in a goroutine of their own,
		// a batch at a time, while this one writes the batch before (db.ReadAhead).
		err = db.ReadAhead(ctx, 2, func(ctx context.Context, send func([]*Case) error) error {
			rows, err := s.db.R.QueryContext(ctx, page, *a...)
			if err != nil {
				return fmt.Errorf("export cases: %w", err)
			}
			defer rows.Close()
			batch := make([]*Case, 0, exportBatch)
			for rows.Next() {
				c, err := scanCase(rows)
				if err != nil {
					return err
				}
				hideMinor(p, c, f.now)
				c.ComputeSLA(cal, f.now)
				if batch = append(batch, c); len(batch) == exportBatch {
					if err := send(batch); err != nil {
						return err
					}
					batch = make([]*Case, 0, exportBatch)
				}
			}
			if err := rows.Err(); err != nil {
				return err
			}
			return send(batch)
		}, func(batch []*Case) error {
			for _, c := range batch {
				if err := w.Row(exportRow(c)...); err != nil {
					return err
				}
				written++
			}
			return nil
		})
		if err != nil {
			return written, err
		}
	}
	return written, w.Close()
}

// exportQuery is the statement of an export of total cases: the selection's cases with their
// joins in the list's order. On SQLite one statement, found through the region's index and sorted
// (at most ExportMaxRows): the list's page statement (listQueries) reads the sorted ids first and
// then each case again by id, two random reads of every case's row. PostgreSQL planned that one
// statement as hash joins over the whole city's month of cases, so there it is the page statement
// with the whole selection as its page, which collects the selection first.
func exportQuery(f *Filter, p *auth.Principal, d db.Dialect, total int) (string, *db.Args, error) {
	if d == db.Postgres {
		f.Limit, f.Offset = total, 0
		_, page, a, _, err := listQueries(f, p, d, 0, false)
		return page, a, err
	}
	a := &db.Args{}
	w, _, fts, err := where(a, f, p, d)
	if err != nil {
		return "", nil, err
	}
	if fts != "" {
		w += " AND " + fts
	}
	order, _ := listOrder(f)
	return "SELECT " + exportColumns(d) + caseFrom + " WHERE " + w + order, a, nil
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(clock.Shanghai()).Format("2006-01-02 15:04")
}

func exportRow(c *Case) []any {
	supervised, rated, sat := "", "", Satisfaction(c.Satisfaction).Label()
	if c.Supervised {
		supervised = "督办"
	}
	if c.CallbackOK != nil {
		rated = "未解决"
		if *c.CallbackOK {
			rated = "已解决"
		}
	}
	reporter := c.ReporterName
	if c.Anonymous {
		reporter = "匿名"
	}
	return []any{c.Number, c.Title, c.Description, c.CategoryName, c.ChannelName, c.RegionName, c.GridName, c.Address,
		c.Priority.Label(), c.State.Label(), c.Outcome.Label(), fmtTime(&c.ReceivedAt), fmtTime(c.AcceptedAt),
		fmtTime(c.HandleDeadline), fmtTime(c.ClosedAt), c.SLA.Text, c.HandlerName, reporter, c.ReporterPhone,
		supervised, c.ReopenCount, rated, sat, c.ExternalNo}
}

func (h *Handlers) export(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := FilterFromQuery(q)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	kept := listQuery(q)
	for _, k := range []string{"q", "phone", "name"} {
		if kept.Get(k) != "" {
			kept.Set(k, "…") // the search text may hold a name or number; the audit log keeps only that there was one
		}
	}
	name := "诉求清单-" + time.Now().In(clock.Shanghai()).Format("20060102-1504") + ".xlsx"
	d := web.NewDownload(w, web.XLSXType, name, "cases.xlsx")
	if _, err := h.svc.ExportXLSX(r.Context(), f, kept.Encode(), d); err != nil {
		h.kit.DownloadFailed(w, r, d, err, false)
	}
}
