// Package gen builds a synthetic city for measuring Linli at scale: districts, streets, communities
// of about 3,000 residents, grids whose polygons tile each community, buildings, households,
// residents with the demo's family shapes and focus-tag rates, party organisations and members,
// five years (by default) of residents' requests with their timelines, dispatches and callbacks, and
// the last year of grid workers' care visits.
//
// The same options give the same rows: every community draws from its own random source derived
// from the seed, and ids are assigned in order. Rows are streamed to the database — COPY on
// PostgreSQL, prepared multi-row INSERTs in large transactions on SQLite — with the secondary
// indexes dropped during the load and built once at the end.
package gen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"linli/internal/audit"
	"linli/internal/cases"
	"linli/internal/db"
	"linli/internal/pii"
)

// Options configure a city.
type Options struct {
	Residents int       // about this many residents (default 1,000,000)
	Years     int       // years of cases and history (default 5)
	Seed      uint64    // random seed (default 1)
	Until     time.Time // the day the history ends (default today, UTC); part of what makes a run repeatable
	// PasswordHash is the password hash every generated account gets.
	PasswordHash string
	// Progress, when set, receives a progress line about every second and a summary at the end.
	Progress io.Writer
	// SQLiteParams is the number of parameters per INSERT statement on SQLite (default 300).
	SQLiteParams int
}

// Result counts what a run wrote.
type Result struct {
	Rows        map[string]int
	Communities int
	Load, Index time.Duration
	Took        time.Duration
}

// CasesPerResidentYear is the rate of residents' requests the generator draws.
const CasesPerResidentYear = 0.5

// ResidentsPerCommunity is the size of a generated community.
const ResidentsPerCommunity = 3000

func (o *Options) defaults() {
	if o.Residents <= 0 {
		o.Residents = 1_000_000
	}
	if o.Years <= 0 {
		o.Years = 5
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Until.IsZero() {
		o.Until = time.Now().UTC().Truncate(24 * time.Hour)
	}
	if o.SQLiteParams <= 0 {
		o.SQLiteParams = 300
	}
}

// Run writes a city into a migrated database that has no regions yet.
func Run(ctx context.Context, d *db.DB, sealer *pii.Sealer, opt Options) (*Result, error) {
	opt.defaults()
	start := time.Now()
	if opt.PasswordHash == "" {
		return nil, errors.New("gen: no password hash")
	}
	var n int
	if err := d.W.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT id FROM regions LIMIT 1) r`).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, errors.New("数据库已有区划数据，模拟城市只能写入空数据库")
	}
	cats, err := loadCategories(ctx, d)
	if err != nil {
		return nil, err
	}
	ixs, err := dropIndexes(ctx, d)
	if err != nil {
		return nil, err
	}
	var s sink
	if d.Dialect == db.Postgres {
		s, err = newPGSink(ctx, d)
	} else {
		s, err = newSQLiteSink(ctx, d, opt.SQLiteParams)
	}
	if err != nil {
		_ = createIndexes(ctx, d, ixs, nil)
		return nil, err
	}
	p := newProgress(opt.Progress)
	c := newCity(opt, sealer, cats)
	loadErr := stream(ctx, c, s, p)
	if cerr := s.close(ctx); loadErr == nil {
		loadErr = cerr
	}
	load := time.Since(start)
	p.stop()
	p.printf("建索引 %d 个…", len(ixs))
	ixStart := time.Now()
	ixErr := createIndexes(ctx, d, ixs, nil)
	if loadErr != nil {
		return nil, fmt.Errorf("gen: %w（请清空数据库后重试）", loadErr)
	}
	if ixErr != nil {
		return nil, fmt.Errorf("gen: %w", ixErr)
	}
	if err := finish(ctx, d, c); err != nil {
		return nil, err
	}
	// The figures' tally of the cases written (internal/cases tally.go).
	tallyStart := time.Now()
	if err := d.InTx(ctx, func(tx *db.Tx) error { return cases.BuildTallies(ctx, tx) }); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	p.printf("诉求统计汇总表：用时 %s", time.Since(tallyStart).Round(time.Millisecond))
	res := &Result{Rows: p.totals(), Communities: len(c.communities), Load: load, Index: time.Since(ixStart), Took: time.Since(start)}
	p.printf("完成：%s，用时 %s（写入 %s，建索引与统计 %s）", summary(res.Rows), res.Took.Round(time.Millisecond),
		res.Load.Round(time.Millisecond), res.Index.Round(time.Millisecond))
	return res, nil
}

// stream runs the generator in one goroutine and the writer in this one.
func stream(ctx context.Context, c *city, s sink, p *progress) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan batch, 16)
	var genErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(ch)
		genErr = c.generate(ctx, func(b batch) bool {
			select {
			case ch <- b:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	var err error
	for b := range ch {
		if err != nil {
			continue // drain
		}
		if err = s.write(ctx, b.table, b.rows); err != nil {
			cancel()
			continue
		}
		p.add(b.table, len(b.rows))
	}
	wg.Wait()
	if err != nil {
		return err
	}
	if genErr != nil {
		return genErr
	}
	return s.flush(ctx)
}

// finish moves sequences on, refreshes the planner's statistics and records the run.
func finish(ctx context.Context, d *db.DB, c *city) error {
	if err := resetSequences(ctx, d); err != nil {
		return err
	}
	if d.Dialect == db.SQLite {
		// A sampled ANALYZE: enough for the planner to pick the right index, in seconds.
		if _, err := d.W.ExecContext(ctx, "PRAGMA analysis_limit = 1000"); err != nil {
			return err
		}
	}
	analyze := "ANALYZE"
	if d.Dialect == db.Postgres {
		// VACUUM too: it sets the visibility map that COPY leaves empty, without which counts
		// cannot use index-only scans (a district's case count: see docs/performance.md).
		// Only the tables written here: a bare VACUUM would walk every schema of the database.
		analyze = "VACUUM (ANALYZE) regions, grids, users, party_orgs, case_counters, care_last_visits, " +
			strings.Join(bulkTables, ", ")
	}
	if _, err := d.W.ExecContext(ctx, analyze); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "gen"})
	return d.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Action: "gen.city", ObjectType: "region", ObjectID: c.cityID, RegionID: c.cityID,
			Detail: fmt.Sprintf("写入模拟城市：居民约%d人、%d年诉求，随机种子%d，截至%s", c.opt.Residents, c.opt.Years, c.opt.Seed,
				c.opt.Until.Format("2006-01-02"))})
	})
}

// batch is rows of one table.
type batch struct {
	table string
	rows  [][]any
}

// progress counts rows per table and prints a line with rows per second.
type progress struct {
	w     io.Writer
	mu    sync.Mutex
	start time.Time
	rows  map[string]int
	first map[string]time.Time
	last  map[string]time.Time
	done  chan struct{}
	wg    sync.WaitGroup
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now(), rows: map[string]int{}, first: map[string]time.Time{},
		last: map[string]time.Time{}, done: make(chan struct{})}
	if w != nil {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-p.done:
					p.line("\n")
					return
				case <-t.C:
					p.line("")
				}
			}
		}()
	}
	return p
}

func (p *progress) add(table string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if _, ok := p.first[table]; !ok {
		p.first[table] = now
	}
	p.rows[table] += n
	p.last[table] = now
}

// line prints the counts of the main tables with each one's rows per second.
func (p *progress) line(end string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var parts []string
	total := 0
	for _, t := range []string{"residents", "households", "cases", "case_events", "visits"} {
		n := p.rows[t]
		if n == 0 {
			continue
		}
		el := p.last[t].Sub(p.first[t]).Seconds()
		rate := ""
		if el > 0.5 {
			rate = fmt.Sprintf(" %s/s", thousands(int(float64(n)/el)))
		}
		parts = append(parts, fmt.Sprintf("%s %s%s", t, thousands(n), rate))
	}
	for _, n := range p.rows {
		total += n
	}
	el := time.Since(p.start).Seconds()
	fmt.Fprintf(p.w, "\r%5.0fs  共 %s 行（%s 行/秒）  %s   %s", el, thousands(total), thousands(int(float64(total)/max(el, 0.001))),
		strings.Join(parts, "  "), end)
}

func (p *progress) stop() {
	if p.w != nil {
		close(p.done)
		p.wg.Wait()
	}
}

func (p *progress) printf(format string, args ...any) {
	if p.w != nil {
		fmt.Fprintf(p.w, format+"\n", args...)
	}
}

func (p *progress) totals() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.rows {
		out[k] = v
	}
	return out
}

func summary(rows map[string]int) string {
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %s", k, thousands(rows[k])))
	}
	return strings.Join(parts, "，")
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
