package ledger_test

import (
	"io"
	"log/slog"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/ledger"
)

// The commit right after a check takes the rows the check read; after a restart it reads the
// stored file again. Either way it matches them against the register as it is at the commit.
func TestLedgerCommitAfterCheck(t *testing.T) {
	for _, restart := range []bool{false, true} {
		name := map[bool]string{false: "with the checked rows", true: "after a restart"}[restart]
		t.Run(name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				w := newLedgerWorld(t, d)
				im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "南关台账.xlsx", messyLedger(t))
				if err != nil {
					t.Fatal(err)
				}
				if !findIssue(im.Check.Errors, 6, "9号楼") || im.ValidRows != 4 {
					t.Fatalf("check: valid %d, errors %+v", im.ValidRows, im.Check.Errors)
				}
				if !ledger.KeptRowsFor(w.ledger, im.ID) {
					t.Fatal("the checked rows were not kept for the commit")
				}
				l := w.ledger
				if restart {
					l = ledger.New(w.f.DB, w.f.Sealer, w.svc, slog.New(slog.NewTextHandler(io.Discard, nil)))
				}
				// The worker adds the missing building after reading the check, then commits.
				w.f.AddBuilding(t, w.f.Grids[0], "9号楼", 100.4430, 38.9260)
				res, err := l.CommitAndWait(w.ctx, im.ID)
				if err != nil {
					t.Fatal(err)
				}
				if res.CreatedRows != 5 || res.ErrorRows != 3 || findIssue(res.Check.Errors, 6, "9号楼") {
					t.Errorf("commit: created %d, error rows %d, errors %+v", res.CreatedRows, res.ErrorRows, res.Check.Errors)
				}
				if ledger.KeptRowsFor(l, im.ID) {
					t.Error("the rows are still kept after the commit")
				}
				if c := counts(t, d); c.residents != 5 || c.households != 4 || c.fts != 5 {
					t.Errorf("after commit: %+v", c)
				}
			})
		})
	}
}
