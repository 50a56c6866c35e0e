// Package sheettest builds the workbooks that test every importer against the shared sheet
// reader's memory bound.
package sheettest

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/xuri/excelize/v2"
)

// SparseWorkbook is an .xlsx of rows whose only cell ("x") is in the given column, written with
// excelize's stream writer: the shape (4,000 rows, column XFD, some 26 KB) that made a reader
// padding every row out to its last cell grow the server by gigabytes.
func SparseWorkbook(t testing.TB, rows int, column string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= rows; i++ {
		if err := sw.SetRow(fmt.Sprintf("%s%d", column, i), []any{"x"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Allocated runs fn and returns the bytes the process allocated meanwhile (runtime.MemStats
// TotalAlloc, after a collection): an upper bound on what fn made the server's memory grow by.
func Allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
