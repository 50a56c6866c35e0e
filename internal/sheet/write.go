package sheet

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// Workbook writes a small .xlsx of one sheet: a bold, frozen header row, then rows. Lists that may
// run to many thousand rows stream their own workbook instead, to bound memory.
func Workbook(name string, header []string, rows [][]any) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", name); err != nil {
		return nil, err
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = h
	}
	all := append([][]any{head}, rows...)
	for i, row := range all {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(name, cell, &row); err != nil {
			return nil, fmt.Errorf("xlsx row: %w", err)
		}
	}
	_ = x.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if style, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err == nil {
		_ = x.SetRowStyle(name, 1, 1, style)
	}
	if len(header) > 0 {
		last, _ := excelize.ColumnNumberToName(len(header))
		_ = x.SetColWidth(name, "A", last, 16)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return nil, fmt.Errorf("write xlsx: %w", err)
	}
	return buf.Bytes(), nil
}
