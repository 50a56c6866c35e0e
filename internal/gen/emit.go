package gen

import (
	"context"
	"fmt"

	"linli/internal/db"
)

// batchRows is how many rows of a table the generator hands to the writer at once.
const batchRows = 4096

// emitter collects rows per table and hands full batches to the writer.
type emitter struct {
	emit    func(batch) bool
	buf     map[string][][]any
	order   []string
	stopped bool
}

func newEmitter(emit func(batch) bool) *emitter {
	return &emitter{emit: emit, buf: map[string][][]any{}}
}

func (e *emitter) row(table string, vals ...any) {
	if len(vals) != len(columns[table]) {
		panic(fmt.Sprintf("gen: %s row has %d values for %d columns", table, len(vals), len(columns[table])))
	}
	b, ok := e.buf[table]
	if !ok {
		e.order = append(e.order, table)
		b = make([][]any, 0, batchRows)
	}
	b = append(b, vals)
	if len(b) >= batchRows {
		e.send(table, b)
		b = make([][]any, 0, batchRows)
	}
	e.buf[table] = b
}

func (e *emitter) send(table string, rows [][]any) {
	if e.stopped || len(rows) == 0 {
		return
	}
	if !e.emit(batch{table: table, rows: rows}) {
		e.stopped = true
	}
}

func (e *emitter) flushAll() {
	for _, t := range e.order {
		e.send(t, e.buf[t])
		e.buf[t] = nil
	}
}

// category is a leaf of the case category tree, as the migration seeded it.
type category struct {
	id                   int64
	code, name, priority string
	handleDays           float64
	handlerType          string
}

func loadCategories(ctx context.Context, d *db.DB) ([]category, error) {
	rows, err := d.W.QueryContext(ctx, `SELECT id, code, name, priority, handle_amount, handler_type FROM case_categories
		WHERE parent_id IS NOT NULL AND active ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("gen: categories: %w", err)
	}
	defer rows.Close()
	var out []category
	for rows.Next() {
		var c category
		if err := rows.Scan(&c.id, &c.code, &c.name, &c.priority, &c.handleDays, &c.handlerType); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("gen: no case categories (run the migrations first)")
	}
	return out, rows.Err()
}
