package register

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
)

// MaxLedgerBytes is the largest ledger file accepted for import.
const MaxLedgerBytes = 30 << 20

// MaxLedgerBody bounds the request carrying a ledger file, and MaxBoundaryBytes a grid boundary;
// the app hands them to the kit's web.BodyLimits.
const (
	MaxLedgerBody    = MaxLedgerBytes + 1<<20
	MaxBoundaryBytes = 4 << 20
)

// maxLedgerRows bounds the data rows of one import.
const maxLedgerRows = 200000

// ledgerReader yields the rows of a ledger's first sheet, with their 1-based row numbers; it
// returns io.EOF after the last row.
type ledgerReader interface {
	next() (num int, cells []string, err error)
	close() error
}

// openLedger opens an .xlsx or .csv file (UTF-8 with or without BOM, UTF-16 with BOM, or GB18030 as
// Chinese Excel saves it). Any other file is refused with a Chinese reason.
func openLedger(name string, data []byte) (ledgerReader, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case len(data) == 0:
		return nil, ledgerErr("文件是空的")
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) || ext == ".xls" || ext == ".et" || ext == ".wps":
		return nil, ledgerErr("暂不支持旧版 Excel（.xls）或 WPS 格式：请在 Excel 或 WPS 中“另存为” .xlsx 后上传")
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if ext != ".xlsx" && ext != ".xlsm" && ext != "" {
			return nil, ledgerErr("仅支持 .xlsx 或 .csv 文件")
		}
		return openXLSX(data)
	case ext == ".csv" || ext == ".txt" || ext == ".tsv":
		return openCSV(data)
	}
	return nil, ledgerErr("仅支持 .xlsx 或 .csv 文件，请在 Excel 中另存为其中一种格式后上传")
}

type csvReader struct {
	r   *csv.Reader
	num int
}

// decodeText returns the text of a CSV file as UTF-8, whatever Excel saved it as.
func decodeText(data []byte) ([]byte, error) {
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

func openCSV(data []byte) (ledgerReader, error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, ledgerErr("无法识别文件的文字编码，请另存为 UTF-8 编码的 CSV 后上传")
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

func (c *csvReader) next() (int, []string, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return 0, nil, io.EOF
	}
	c.num++
	if err != nil {
		return 0, nil, ledgerErr("CSV 文件第%d行格式有误：%v", c.num, err)
	}
	return c.num, rec, nil
}

func (c *csvReader) close() error { return nil }

// sniffLedger opens a ledger, finds its header among the first rows and suggests a mapping.
func sniffLedger(name string, data []byte) (LedgerMapping, error) {
	lr, err := openLedger(name, data)
	if err != nil {
		return LedgerMapping{}, err
	}
	defer lr.close()
	return ledgerHead(lr)
}

// scanLedger calls fn with every data row below the mapping's header row, skipping blank rows.
func scanLedger(name string, data []byte, m LedgerMapping, fn func(num int, cells []string) error) error {
	lr, err := openLedger(name, data)
	if err != nil {
		return err
	}
	defer lr.close()
	rows := 0
	for {
		num, cells, err := lr.next()
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

func ledgerHead(lr ledgerReader) (LedgerMapping, error) {
	var first [][]string
	for len(first) < 15 {
		_, cells, err := lr.next()
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
