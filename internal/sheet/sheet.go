// Package sheet reads spreadsheets uploaded by workers: the first visible sheet of an .xlsx file,
// streamed out of the zip, or a .csv file in whatever encoding Chinese Excel or WPS saved it.
// Every importer reads through it, so memory stays bounded whatever the file's declared
// dimensions or sparseness: a row is held only while it is read, and a row with content past
// MaxColumns is refused with a Chinese error rather than padded out to the cell's column.
//
// It also writes every .xlsx the server hands out: Writer streams a workbook to the response as
// the rows are read (memory flat), Workbook is the same for a small sheet held in memory.
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"linli/internal/errs"
)

// MaxColumns is the widest row a sheet may have: the column limit of the old .xls format, far
// beyond any ledger or work-order export. Content in a column past it refuses the file with the
// cell's position named (truncating would drop what a worker typed without a word); empty or
// merely formatted cells past it are ignored.
const MaxColumns = 256

// Reader yields the rows of a sheet in order, with their 1-based row numbers; rows missing from
// the file come back empty, so numbers run without gaps. Next returns io.EOF after the last row.
// A row's cells stay valid after the next call.
type Reader interface {
	Next() (num int, cells []string, err error)
	Close() error
}

// sheetErr is a file the reader refuses, with a Chinese reason.
func sheetErr(format string, args ...any) error { return errs.E(errs.Invalid, format, args...) }

// Open opens an .xlsx or .csv file (UTF-8 with or without BOM, UTF-16 with BOM, or GB18030 as
// Chinese Excel saves it), judged by its content and name. Any other file is refused with a
// Chinese reason.
func Open(name string, data []byte) (Reader, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case len(data) == 0:
		return nil, sheetErr("文件是空的")
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) || ext == ".xls" || ext == ".et" || ext == ".wps":
		return nil, sheetErr("暂不支持旧版 Excel（.xls）或 WPS 格式：请在 Excel 或 WPS 中“另存为” .xlsx 后上传")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if ext != ".xlsx" && ext != ".xlsm" && ext != "" {
			return nil, sheetErr("仅支持 .xlsx 或 .csv 文件")
		}
		return OpenXLSX(data)
	case ext == ".csv" || ext == ".txt" || ext == ".tsv":
		return OpenCSV(data)
	}
	return nil, sheetErr("仅支持 .xlsx 或 .csv 文件，请在 Excel 中另存为其中一种格式后上传")
}

// DecodeText returns the text of a CSV file as UTF-8, whatever Excel saved it as: UTF-8 with or
// without BOM, UTF-16 little- or big-endian with BOM, otherwise GB18030.
func DecodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		out, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder(), data)
		return out, err
	case utf8.Valid(data):
		return data, nil
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	return out, err
}

type csvReader struct {
	r   *csv.Reader
	num int
}

// OpenCSV opens a comma-, tab- or semicolon-separated text file in any encoding DecodeText reads.
func OpenCSV(data []byte) (Reader, error) {
	text, err := DecodeText(data)
	if err != nil {
		return nil, sheetErr("无法识别文件的文字编码，请另存为 UTF-8 编码的 CSV 后上传")
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.Comma = sniffDelimiter(text)
	return &csvReader{r: r}, nil
}

// sniffDelimiter picks tab or semicolon over comma when the first line has more of them.
func sniffDelimiter(text []byte) rune {
	line := text
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		line = text[:i]
	}
	best, n := ',', bytes.Count(line, []byte{','})
	for _, d := range []rune{'\t', ';'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

func (c *csvReader) Next() (int, []string, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return 0, nil, io.EOF
	}
	c.num++
	if err != nil {
		return 0, nil, sheetErr("CSV 文件第%d行格式有误：%v", c.num, err)
	}
	if len(rec) > MaxColumns {
		for i := MaxColumns; i < len(rec); i++ {
			if strings.TrimSpace(rec[i]) != "" {
				return 0, nil, tooWide(c.num, i+1)
			}
		}
		rec = rec[:MaxColumns:MaxColumns]
	}
	return c.num, rec, nil
}

func (c *csvReader) Close() error { return nil }

// tooWide refuses a row with content in a column past MaxColumns.
func tooWide(row, col int) error {
	return sheetErr("第%d行第%s列有内容，超出了可读取的范围（最多%d列，即 A 至 %s 列）：请删除多余的列后重新上传",
		row, ColumnName(col), MaxColumns, ColumnName(MaxColumns))
}

// ColumnName is the letters of a 1-based column number as Excel shows them (3 → C, 16384 → XFD).
func ColumnName(col int) string {
	var b []byte
	for ; col > 0; col = (col - 1) / 26 {
		b = append([]byte{byte('A' + (col-1)%26)}, b...)
	}
	return string(b)
}
