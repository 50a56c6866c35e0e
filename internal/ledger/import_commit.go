package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/register"
)

// parseAll reads and validates every data row of a file under a mapping; keepCells keeps the cells
// of every row, not only of those with errors.
func (l *Ledger) parseAll(name string, data []byte, m LedgerMapping, keepCells bool) ([]*ledgerRow, error) {
	p := newRowParser(m, l.sealer)
	p.keepCells = keepCells
	var rows []*ledgerRow
	err := scanLedger(name, data, m, func(num int, cells []string) error {
		rows = append(rows, p.parse(num, cells))
		return nil
	})
	return rows, err
}

// check validates the file under the import's mapping against the register as it is now, fills
// in the counts and the check, and returns the parsed rows (none when the mapping is unusable).
func (l *Ledger) check(ctx context.Context, im *Import, data []byte) ([]*ledgerRow, error) {
	im.Check = ImportCheck{}
	if err := im.Mapping.Validate(); err != nil {
		im.Check.Problem = errs.MessageOf(err)
		n := 0
		if err := scanLedger(im.FileName, data, im.Mapping, func(int, []string) error { n++; return nil }); err != nil {
			return nil, err
		}
		im.TotalRows, im.ValidRows, im.ErrorRows = n, 0, 0
		return nil, nil
	}
	rows, err := l.parseAll(im.FileName, data, im.Mapping, false)
	if err != nil {
		return nil, err
	}
	st, err := loadState(ctx, l.db.R, im.CommunityID)
	if err != nil {
		return nil, fmt.Errorf("check import: %w", err)
	}
	pl := st.plan(rows, im.Mapping)
	im.summarize(rows, pl)
	for i := 0; i < len(pl.steps) && i < previewRows; i++ {
		im.Check.Preview = append(im.Check.Preview, st.preview(pl.steps[i]))
	}
	return rows, nil
}

// parsedRows are the rows of a checked import, kept so that a commit soon after the check does not
// read and validate the whole file again. Parsing depends only on the file and the mapping; the
// matching against the register is done again inside the commit's transaction.
type parsedRows struct {
	id    int64
	key   string
	rows  []*ledgerRow
	timer *time.Timer // drops the rows when no commit came for them
}

// parsedKeep is how long checked rows wait for their commit; after it, or when another file is
// checked, the commit reads the stored file again.
const parsedKeep = 15 * time.Minute

// parseKey names what the rows were parsed from: the file's content and the mapping.
func parseKey(im *Import) string {
	m, _ := json.Marshal(im.Mapping)
	return im.sha256 + "|" + im.FileName + "|" + string(m)
}

// keepParsed keeps the rows of a committable import for its commit, replacing any kept before.
func (l *Ledger) keepParsed(im *Import, rows []*ledgerRow) {
	if !im.Committable() || rows == nil {
		return
	}
	p := &parsedRows{id: im.ID, key: parseKey(im), rows: rows}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropParsed()
	p.timer = time.AfterFunc(parsedKeep, func() {
		l.mu.Lock()
		if l.parsed == p {
			l.parsed = nil
		}
		l.mu.Unlock()
	})
	l.parsed = p
}

// dropParsed forgets the kept rows and stops their timer, which would otherwise hold them; l.mu
// is held.
func (l *Ledger) dropParsed() {
	if l.parsed != nil {
		l.parsed.timer.Stop()
		l.parsed = nil
	}
}

// keeps reports whether the checked rows of import id are kept.
func (l *Ledger) keeps(id int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.parsed != nil && l.parsed.id == id
}

// takeParsed hands the kept rows of an import over to its commit, or returns nil when they are not
// kept (or were parsed under another mapping).
func (l *Ledger) takeParsed(im *Import) []*ledgerRow {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.parsed
	if p == nil || p.id != im.ID {
		return nil
	}
	l.dropParsed()
	if p.key != parseKey(im) {
		return nil
	}
	return p.rows
}

// countFixKinds counts the automatic corrections of rows by kind, every kind, in the order met.
func countFixKinds(rows []*ledgerRow) []FixKind {
	var kinds []FixKind
	index := map[string]int{}
	for _, r := range rows {
		for _, f := range r.fixes() {
			i, seen := index[f.Kind]
			if !seen {
				i = len(kinds)
				index[f.Kind] = i
				kinds = append(kinds, FixKind{Kind: f.Kind})
			}
			kinds[i].Count++
		}
	}
	return kinds
}

// summarize counts rows, errors and planned actions into the import.
func (im *Import) summarize(rows []*ledgerRow, pl *plan) {
	c := &im.Check
	c.Errors, c.Fixes, c.FixKinds, c.Skipped, c.ErrorCount, c.FixCount = nil, nil, nil, nil, 0, 0
	c.FixKinds = countFixKinds(rows)
	shown := map[string]bool{} // kinds with an example in c.Fixes
	im.TotalRows, im.ErrorRows = 0, 0
	for _, r := range rows {
		if r.summary != "" {
			c.Skipped = append(c.Skipped, RowIssue{Row: r.num, Message: r.summary})
			continue
		}
		im.TotalRows++
		if !r.ok() {
			im.ErrorRows++
		}
		c.ErrorCount += len(r.errors())
		c.FixCount += len(r.fixes())
		for _, e := range r.errors() {
			if len(c.Errors) < maxIssues {
				c.Errors = append(c.Errors, e)
			}
		}
		for _, f := range r.fixes() {
			// The list stops at maxIssues, but shows at least one example of every kind.
			if len(c.Fixes) < maxIssues || !shown[f.Kind] {
				c.Fixes = append(c.Fixes, f)
				shown[f.Kind] = true
			}
		}
	}
	im.ValidRows = len(pl.steps)
	c.ToCreate, c.ToUpdate, c.Unchanged = 0, 0, 0
	for _, s := range pl.steps {
		switch s.action {
		case actionCreate:
			c.ToCreate++
		case actionUpdate:
			c.ToUpdate++
		default:
			c.Unchanged++
		}
	}
	c.NewHouseholds = len(pl.newHouseholds)
}

// Commit starts writing the valid rows of an import in the background and returns at once; Get
// shows the progress. The write is one transaction: it all happens or none of it does.
func (l *Ledger) Commit(ctx context.Context, id int64) (*Import, error) {
	im, data, err := l.claim(ctx, id)
	if err != nil {
		return nil, err
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		// The request ends before the commit does; keep its principal and actor for the audit.
		_ = l.run(context.WithoutCancel(ctx), im, data)
	}()
	return im, nil
}

// CommitAndWait writes the valid rows of an import and returns when done: for the command line.
func (l *Ledger) CommitAndWait(ctx context.Context, id int64) (*Import, error) {
	im, data, err := l.claim(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := l.run(ctx, im, data); err != nil {
		return im, err
	}
	return l.Get(ctx, id)
}

// claim moves a committable import to committing, so that a second click does not start it twice.
func (l *Ledger) claim(ctx context.Context, id int64) (*Import, []byte, error) {
	p := auth.FromContext(ctx)
	// With the checked rows at hand the commit needs no file: it is read only when they are not.
	im, data, err := l.load(ctx, p, id, !l.keeps(id))
	if err != nil {
		return nil, nil, err
	}
	if !im.Committable() {
		if im.Status == ImportCommitting || im.Status == ImportCommitted {
			return nil, nil, errs.E(errs.Conflict, "该台账%s，无需重复提交", im.Status.Label())
		}
		return nil, nil, errs.E(errs.Invalid, "该台账没有可导入的有效行，请先改正错误或调整列对应关系")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, running := l.progress[id]; running {
		return nil, nil, errs.E(errs.Conflict, "该台账正在导入")
	}
	// A commit cut off by a restart left the row at committing; it wrote nothing and may run again.
	res, err := l.db.W.ExecContext(ctx, `UPDATE imports SET status = 'committing', done_rows = 0, message = ''
		WHERE id = $1 AND status IN ('validated', 'failed', 'committing')`, id)
	if err != nil {
		return nil, nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, nil, errs.E(errs.Conflict, "该台账已导入")
	}
	l.progress[id] = 0
	im.Status, im.DoneRows, im.Message = ImportCommitting, 0, ""
	return im, data, nil
}

func (l *Ledger) setProgress(id int64, done int) {
	l.mu.Lock()
	l.progress[id] = done
	l.mu.Unlock()
}

// run commits and records the outcome; a failure is stored on the import with a Chinese message.
func (l *Ledger) run(ctx context.Context, im *Import, data []byte) error {
	defer func() {
		l.mu.Lock()
		delete(l.progress, im.ID)
		l.mu.Unlock()
	}()
	err := l.commit(ctx, im, data)
	if err == nil {
		return nil
	}
	msg := "导入失败，数据库未作任何更改：" + errs.MessageOf(err)
	if errs.CodeOf(err) == errs.Internal {
		l.log.ErrorContext(ctx, "ledger import failed", "import", im.ID, "err", err)
	}
	ferr := l.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'failed', message = $1, done_rows = 0,
			finished_at = $2 WHERE id = $3`, msg, time.Now().UTC(), im.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "import.fail", ObjectType: "import", ObjectID: im.ID,
			RegionID: im.CommunityID, Detail: msg})
	})
	if ferr != nil {
		return fmt.Errorf("%w (recording the failure: %v)", err, ferr)
	}
	return err
}

// commit parses outside the write transaction (so the writer is held only for writing),
// then matches and writes every valid row, the import's outcome and one audit entry in one
// transaction.
func (l *Ledger) commit(ctx context.Context, im *Import, data []byte) error {
	rows := l.takeParsed(im)
	if rows == nil {
		var err error
		if data == nil {
			if _, data, err = l.load(ctx, auth.FromContext(ctx), im.ID, true); err != nil {
				return err
			}
		}
		if rows, err = l.parseAll(im.FileName, data, im.Mapping, false); err != nil {
			return err
		}
	}
	return l.db.InTx(ctx, func(tx *db.Tx) error {
		st, err := loadState(ctx, tx, im.CommunityID)
		if err != nil {
			return err
		}
		pl := st.plan(rows, im.Mapping)
		l.setProgress(im.ID, 0)
		w := &ledgerWriter{ctx: ctx, tx: tx, sealer: l.sealer, st: st, batch: l.batch, now: time.Now().UTC(),
			progress: func(done int) error {
				l.setProgress(im.ID, done)
				if l.afterBatch != nil {
					return l.afterBatch(done)
				}
				return nil
			}}
		created, updated, err := w.write(pl)
		if err != nil {
			return err
		}
		if err := register.CountCommunityBuildings(ctx, tx, im.CommunityID); err != nil {
			return err
		}
		im.summarize(rows, pl)
		im.Status, im.CreatedRows, im.UpdatedRows, im.DoneRows = ImportCommitted, created, updated, len(pl.steps)
		now := time.Now().UTC()
		im.FinishedAt = &now
		mapping, report, err := im.encode()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'committed', mapping = $1, report = $2,
			total_rows = $3, valid_rows = $4, error_rows = $5, done_rows = $6, created_rows = $7, updated_rows = $8,
			message = '', finished_at = $9 WHERE id = $10`, mapping, report, im.TotalRows, im.ValidRows, im.ErrorRows,
			im.DoneRows, created, updated, now, im.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "import.commit", ObjectType: "import", ObjectID: im.ID,
			RegionID: im.CommunityID, Detail: fmt.Sprintf("导入人口台账 %s：新增%d人，更新%d人，%d人无变化，新建%d户，%d行有错误未导入",
				im.FileName, created, updated, im.Check.Unchanged, len(pl.newHouseholds), im.ErrorRows),
			After: im.summary()})
	})
}
