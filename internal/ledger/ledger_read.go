package ledger

import (
	"errors"
	"io"
	"strings"

	"linli/internal/sheet"
)

// MaxLedgerBytes is the largest ledger file accepted for import.
const MaxLedgerBytes = 30 << 20

// maxLedgerRows bounds the data rows of one import.
const maxLedgerRows = 200000

// sniffLedger opens a ledger, finds its header among the first rows and suggests a mapping.
func sniffLedger(name string, data []byte) (LedgerMapping, error) {
	lr, err := sheet.Open(name, data)
	if err != nil {
		return LedgerMapping{}, err
	}
	defer lr.Close()
	return ledgerHead(lr)
}

// scanLedger calls fn with every data row below the mapping's header row, skipping blank rows.
func scanLedger(name string, data []byte, m LedgerMapping, fn func(num int, cells []string) error) error {
	lr, err := sheet.Open(name, data)
	if err != nil {
		return err
	}
	defer lr.Close()
	rows := 0
	for {
		num, cells, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if num <= m.HeaderRow || blankRow(cells) {
			continue
		}
		if rows++; rows > maxLedgerRows {
			return ledgerErr("一次最多导入%d行，请拆分文件后分批导入", maxLedgerRows)
		}
		if err := fn(num, cells); err != nil {
			return err
		}
	}
}

func blankRow(cells []string) bool {
	for _, c := range cells {
		if strings.TrimFunc(c, isSpaceLike) != "" {
			return false
		}
	}
	return true
}

func ledgerHead(lr sheet.Reader) (LedgerMapping, error) {
	var first [][]string
	for len(first) < 15 {
		_, cells, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return LedgerMapping{}, err
		}
		first = append(first, cells)
	}
	i, ok := findHeader(first)
	if !ok {
		return LedgerMapping{}, ledgerErr("没有找到表头：请确认表格前几行中有“姓名”“身份证号”“楼栋”“门牌号”等列名")
	}
	headers := make([]string, len(first[i]))
	for j, h := range first[i] {
		headers[j] = strings.TrimSpace(h)
	}
	return LedgerMapping{HeaderRow: i + 1, Headers: headers, Columns: suggestMapping(headers)}, nil
}
