package ledger_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"linli/internal/bench/benchtest"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/pii"
)

// BenchmarkLedgerImport imports a generated ledger (100,000 rows; LINLI_BENCH_LEDGER_ROWS to change)
// from the .xlsx bytes to committed rows — upload check and commit, as a user does it — on SQLite,
// and in the same run inserts the same residents and households with plain batched INSERTs, once
// before the import and once after (their mean is the baseline, so that a change in the machine's
// load during the run weighs on both sides). It reports both rates and their ratio, the same ratio
// in process CPU time (which the load of a shared machine barely moves), the peak Go heap and the
// process's peak
// resident memory during the import (VmHWM, reset after the file is generated; Linux only). Upload
// and commit run in one process, as in the server and the command line, so the commit takes the
// rows the check kept; after a restart it would read the stored file again (about a second more).
//
//	go test ./internal/register -run '^$' -bench BenchmarkLedgerImport -benchtime 1x
func BenchmarkLedgerImport(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("LINLI_BENCH_LEDGER_ROWS")); err == nil && v > 0 {
		n = v
	}
	data := bigLedger(b, n)
	b.ResetTimer()
	var importTime, commitTime, baseTime, importCPU, baseCPU time.Duration
	var peak uint64
	hwm := 0
	plain := func() {
		d := dbtest.SQLite(b)
		w := newLedgerWorld(b, d)
		wall, cpu := plainInsert(b, d, w.f.Community.ID, w.b1, w.b2, n)
		baseTime += wall / 2
		baseCPU += cpu / 2
		d.Close() // its page cache is not the import's memory
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		plain()
		d := dbtest.SQLite(b)
		w := newLedgerWorld(b, d)
		debug.FreeOSMemory()
		resetHWM()
		stop := samplePeak(&peak)
		b.StartTimer()
		start, startCPU := time.Now(), benchtest.ProcessCPU()
		im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "大台账.xlsx", data)
		if err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		res, err := w.ledger.CommitAndWait(w.ctx, im.ID)
		if err != nil || res.CreatedRows != n {
			b.Fatalf("commit: %+v %v", res, err)
		}
		importTime += time.Since(start)
		importCPU += benchtest.ProcessCPU() - startCPU
		commitTime += time.Since(mid)
		b.StopTimer()
		stop()
		hwm = max(hwm, vmHWM())
		d.Close()
		plain()
		b.StartTimer()
	}
	b.StopTimer()
	rate := float64(n*b.N) / importTime.Seconds()
	base := float64(n*b.N) / baseTime.Seconds()
	b.ReportMetric(rate, "import_rows/s")
	b.ReportMetric(float64(n*b.N)/commitTime.Seconds(), "commit_rows/s")
	b.ReportMetric(base, "plain_insert_rows/s")
	b.ReportMetric(rate/base, "ratio")
	if importCPU > 0 {
		b.ReportMetric(baseCPU.Seconds()/importCPU.Seconds(), "cpu_ratio")
	}
	b.ReportMetric(float64(atomic.LoadUint64(&peak))/(1<<20), "peak_heap_MB")
	b.ReportMetric(float64(hwm)/1024, "import_VmHWM_MB")
}

// samplePeak records the largest heap in use until the returned stop is called.
func samplePeak(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if v := m.HeapInuse + m.StackInuse; v > atomic.LoadUint64(peak) {
				atomic.StoreUint64(peak, v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// resetHWM starts the process's peak resident memory afresh from its current size (Linux).
func resetHWM() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// vmHWM is the process's peak resident memory in KiB, from /proc (0 elsewhere).
func vmHWM() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb
		}
	}
	return 0
}

// plainInsert writes the same households and residents as bigLedger with plain multi-row INSERTs
// in one transaction (numbers sealed beforehand, outside the timing) and returns how long it took,
// in wall-clock and process CPU time.
func plainInsert(b *testing.B, d *db.DB, community, b1, b2 int64, n int) (wall, cpu time.Duration) {
	sealer, _ := pii.NewSealer(strings.Repeat("f1x7", 10))
	type row struct {
		key                               string
		building                          int64
		unit, room, name, birth, gender   string
		idEnc, phoneEnc                   []byte
		idIndex, idMasked, phoneIndex, pm string
	}
	rows := make([]row, n)
	for i := range rows {
		birth := fmt.Sprintf("19%02d%02d%02d", 30+i%70, 1+i%12, 1+i%28)
		first := fmt.Sprintf("%06d", 110000+i/1000) + birth + fmt.Sprintf("%03d", i%1000)
		id := first + string(pii.IDCheckDigit(first))
		phone := fmt.Sprintf("139%08d", i)
		bld := []int64{b1, b2}[i%2]
		unit, room := fmt.Sprint(1+i/10%4), fmt.Sprint(101+i/40)
		rows[i] = row{fmt.Sprint(bld, unit, room), bld, unit, room, fmt.Sprintf("居民%05d", i), birth[:4] + "-" + birth[4:6] + "-" + birth[6:],
			pii.GenderFromID(id), sealer.Seal(id), sealer.Seal(phone), sealer.Index(id), pii.MaskID(id), sealer.Index(phone), pii.MaskPhone(phone)}
	}
	ctx := context.Background()
	start, startCPU := time.Now(), benchtest.ProcessCPU()
	err := d.InTx(ctx, func(tx *db.Tx) error {
		hh := map[string]int64{}
		now := time.Now().UTC()
		for _, r := range rows {
			if _, ok := hh[r.key]; ok {
				continue
			}
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO households (region_id, community_id, building_id, unit, room, created_at, updated_at)
				SELECT region_id, community_id, id, ?, ?, ?, ? FROM buildings WHERE id = ? RETURNING id`, r.unit, r.room, now, now, r.building).Scan(&id); err != nil {
				return err
			}
			hh[r.key] = id
		}
		const per = 500
		for i := 0; i < len(rows); i += per {
			part := rows[i:min(i+per, len(rows))]
			q := `INSERT INTO residents (region_id, community_id, household_id, name, gender, birth_date, id_enc, id_index, id_masked,
				phone_enc, phone_index, phone_masked, residence_type, ethnicity, created_at, updated_at) VALUES ` +
				strings.TrimSuffix(strings.Repeat("((SELECT region_id FROM households WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'huji', '汉族', ?, ?), ", len(part)), ", ")
			args := make([]any, 0, len(part)*15)
			for _, r := range part {
				h := hh[r.key]
				args = append(args, h, community, h, r.name, r.gender, r.birth, r.idEnc, r.idIndex, r.idMasked, r.phoneEnc, r.phoneIndex, r.pm, now, now)
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return time.Since(start), benchtest.ProcessCPU() - startCPU
}

// BenchmarkLedgerLarge checks and commits a 20,000-row ledger — a large community's whole register —
// on SQLite, and on PostgreSQL when LINLI_TEST_POSTGRES is set, and reports the check and the commit
// in seconds. It replaced a test with a time limit (TestLedgerLarge, now untimed).
//
//	go test ./internal/ledger -run '^$' -bench BenchmarkLedgerLarge -benchtime 3x
func BenchmarkLedgerLarge(b *testing.B) {
	const n = 20000
	data := bigLedger(b, n)
	for _, on := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		if on.name == "postgres" && dbtest.PostgresURL() == "" {
			continue
		}
		open := on.open
		b.Run(on.name, func(b *testing.B) {
			var check, commit time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				d := open(b)
				w := newLedgerWorld(b, d)
				b.StartTimer()
				start := time.Now()
				im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "大台账.xlsx", data)
				if err != nil {
					b.Fatal(err)
				}
				mid := time.Now()
				res, err := w.ledger.CommitAndWait(w.ctx, im.ID)
				if err != nil || res.CreatedRows != n {
					b.Fatalf("commit: %+v %v", res, err)
				}
				check += mid.Sub(start)
				commit += time.Since(mid)
				b.StopTimer()
				d.Close()
				b.StartTimer()
			}
			b.ReportMetric(check.Seconds()/float64(b.N), "check_s")
			b.ReportMetric(commit.Seconds()/float64(b.N), "commit_s")
		})
	}
}
