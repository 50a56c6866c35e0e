package ledger

// SetLedgerHooks lets the tests of package register_test shrink the batch size and run f after each
// batch inside the write transaction (to make a commit fail midway).
func SetLedgerHooks(l *Ledger, batch int, f func(done int) error) {
	l.batch = batch
	l.afterBatch = f
}

// KeptRowsFor reports whether the ledger holds the checked rows of import id for its commit.
func KeptRowsFor(l *Ledger, id int64) bool { return l.keeps(id) }
