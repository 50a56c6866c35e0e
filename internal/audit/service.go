package audit

import (
	"context"
	"strconv"

	"linli/internal/db"
)

// Service is the auditor's reader of the log: it owns who may read which entries and records
// every export of the log in the log itself.
type Service struct {
	db     *db.DB
	reader func(context.Context) (Scope, error)
}

// NewService returns the reader on d. reader resolves the user in ctx to the part of the log they
// may read, or answers why they may not read it; the sign-in layer, which this package cannot
// import, supplies it.
func NewService(d *db.DB, reader func(context.Context) (Scope, error)) *Service {
	return &Service{db: d, reader: reader}
}

// List returns the entries the reader may see that match f, newest first, and how many match in all.
func (s *Service) List(ctx context.Context, f Filter) ([]Row, int, error) {
	scope, err := s.reader(ctx)
	if err != nil {
		return nil, 0, err
	}
	return List(ctx, s.db.R, scope, f)
}

// Entry returns one entry the reader may see with its changes field by field; outside the
// reader's scope it is not found.
func (s *Service) Entry(ctx context.Context, id int64) (*Row, []Change, error) {
	scope, err := s.reader(ctx)
	if err != nil {
		return nil, nil, err
	}
	rec, err := Get(ctx, s.db.R, scope, id)
	if err != nil {
		return nil, nil, err
	}
	return rec, Diff(rec.Before, rec.After), nil
}

// exportLimit caps one export; an auditor narrows the filters for more.
const exportLimit = 50000

// Export returns the entries the reader may see that match f, at most exportLimit of them, and
// records the export (how many entries, and how many were left out) in the log.
func (s *Service) Export(ctx context.Context, f Filter) ([]Row, error) {
	scope, err := s.reader(ctx)
	if err != nil {
		return nil, err
	}
	f.Limit, f.Offset = exportLimit, 0
	recs, total, err := List(ctx, s.db.R, scope, f)
	if err != nil {
		return nil, err
	}
	detail := "导出审计日志 " + strconv.Itoa(len(recs)) + " 条"
	if total > len(recs) {
		detail += "（共 " + strconv.Itoa(total) + " 条，超出单次导出上限）"
	}
	if err := s.db.InTx(ctx, func(tx *db.Tx) error {
		return Record(ctx, tx, Entry{Action: "audit.export", ObjectType: "audit_log", Detail: detail})
	}); err != nil {
		return nil, err
	}
	return recs, nil
}
