package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"
)

// The .xlsx reader streams the first visible worksheet straight out of the zip: a 100,000-row
// sheet is some 80 MB of XML, which a general XML decoder reads ten times slower than this
// scanner of the few SpreadsheetML elements a table needs (rows, cells, values, shared and inline
// strings). Cells read as excelize reads them with RawCellValue: the stored value, unformatted.

// xlsxMaxRows is the last row number a worksheet can have.
const xlsxMaxRows = 1048576

type xlsxReader struct {
	part   io.ReadCloser
	x      *xmlScanner
	sst    []string
	num    int // the last row number returned
	inData bool
	// ahead is a row read early because rows before it were missing: they are returned empty first.
	ahead      []string
	aheadNum   int
	aheadValid bool
	done       bool
	// buf and ends are reused from row to row: the values of a row's cells, and where each ends.
	buf  []byte
	ends []int
}

var errXLSXOpen = sheetErr("无法读取该 Excel 文件，文件可能已损坏或设置了打开密码")

// OpenXLSX opens the first visible worksheet of an .xlsx workbook. Cells read as excelize reads
// them with RawCellValue: the stored value, unformatted.
func OpenXLSX(data []byte) (Reader, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errXLSXOpen
	}
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, "\\", "/"), "/"))] = f
	}
	part := func(name string) *zip.File { return parts[strings.ToLower(strings.TrimPrefix(name, "/"))] }
	wbPath := "xl/workbook.xml"
	if rels, err := readRels(part("_rels/.rels"), ""); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = r.Target
			}
		}
	}
	var wb struct {
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"`
			RID   string `xml:"id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := readXML(part(wbPath), &wb); err != nil {
		return nil, errXLSXOpen
	}
	rels, err := readRels(part(path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels")), path.Dir(wbPath))
	if err != nil {
		return nil, errXLSXOpen
	}
	sstPath := path.Join(path.Dir(wbPath), "sharedStrings.xml")
	byID := map[string]string{}
	for _, r := range rels {
		byID[r.ID] = r.Target
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			sstPath = r.Target
		}
	}
	sheet := -1
	for i, s := range wb.Sheets {
		if s.State == "" || s.State == "visible" {
			sheet = i
			break
		}
	}
	if sheet < 0 {
		return nil, sheetErr("Excel 文件中没有工作表")
	}
	sheetPart := part(byID[wb.Sheets[sheet].RID])
	if sheetPart == nil {
		return nil, sheetErr("无法读取工作表“%s”", wb.Sheets[sheet].Name)
	}
	var sst []string
	if f := part(sstPath); f != nil {
		if sst, err = readSharedStrings(f); err != nil {
			return nil, errXLSXOpen
		}
	}
	rc, err := sheetPart.Open()
	if err != nil {
		return nil, sheetErr("无法读取工作表“%s”", wb.Sheets[sheet].Name)
	}
	return &xlsxReader{part: rc, x: newXMLScanner(rc), sst: sst}, nil
}

type xlsxRel struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// readRels reads a relationships part; relative targets are resolved against dir.
func readRels(f *zip.File, dir string) ([]xlsxRel, error) {
	var rels struct {
		Rels []xlsxRel `xml:"Relationship"`
	}
	if err := readXML(f, &rels); err != nil {
		return nil, err
	}
	for i, r := range rels.Rels {
		t := strings.ReplaceAll(r.Target, "\\", "/")
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join(dir, t)
		}
		rels.Rels[i].Target = t
	}
	return rels.Rels, nil
}

func readXML(f *zip.File, v any) error {
	if f == nil {
		return errors.New("missing part")
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(rc).Decode(v)
}

func readSharedStrings(f *zip.File) ([]string, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	x := newXMLScanner(rc)
	var out []string
	for {
		_, tag, err := x.next(false)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if name, end, self := tagName(tag); name == "si" && !end {
			s := ""
			if !self {
				if s, err = x.richText("si"); err != nil {
					return nil, err
				}
			}
			out = append(out, s)
		}
	}
}

func (r *xlsxReader) Next() (int, []string, error) {
	if r.aheadValid {
		r.num++
		if r.num < r.aheadNum {
			return r.num, nil, nil
		}
		r.aheadValid = false
		return r.num, r.ahead, nil
	}
	if r.done {
		return 0, nil, io.EOF
	}
	num, cells, ok, err := r.readRow()
	if err != nil {
		return 0, nil, err
	}
	if !ok {
		r.done = true
		return 0, nil, io.EOF
	}
	if num > r.num+1 {
		r.ahead, r.aheadNum, r.aheadValid = cells, num, true
		return r.Next()
	}
	r.num = num
	return num, cells, nil
}

func (r *xlsxReader) Close() error { return r.part.Close() }

// readRow reads the next row element of the sheet's data; ok is false after the last.
func (r *xlsxReader) readRow() (num int, cells []string, ok bool, err error) {
	for {
		_, tag, err := r.x.next(false)
		if errors.Is(err, io.EOF) {
			return 0, nil, false, nil
		}
		if err != nil {
			return 0, nil, false, sheetErr("读取 Excel 第%d行后出错：%v", r.num, err)
		}
		name, end, self := tagName(tag)
		switch {
		case name == "sheetData" && end:
			return 0, nil, false, nil
		case name == "sheetData":
			r.inData = !self
		case name == "row" && !end && r.inData:
			num = r.num + 1
			if v, ok := attr(tag, "r"); ok {
				if n, err := strconv.Atoi(string(v)); err == nil && n != 0 {
					num = n
				}
			}
			if num > xlsxMaxRows {
				return 0, nil, false, sheetErr("读取 Excel 第%d行后出错：行数超过上限", r.num)
			}
			if self {
				return num, nil, true, nil
			}
			cells, err := r.readCells(num)
			return num, cells, true, err
		}
	}
}

// readCells reads the cells of a row up to its end tag. A cell's position comes from its
// reference (C5), or follows the one before; empty cells are left out, as gaps.
func (r *xlsxReader) readCells(num int) ([]string, error) {
	buf, ends := r.buf[:0], r.ends[:0] // ends: per column, the end of its value in buf
	defer func() { r.buf, r.ends = buf, ends }()
	col := 0
	for {
		_, tag, err := r.x.next(false)
		if err != nil {
			return nil, sheetErr("无法读取 Excel 第%d行", num)
		}
		name, end, self := tagName(tag)
		if end && name == "row" {
			break
		}
		if end || name != "c" {
			continue
		}
		col++
		if ref, ok := attr(tag, "r"); ok && len(ref) > 0 {
			if col, ok = columnOf(ref); !ok {
				return nil, sheetErr("无法读取 Excel 第%d行", num)
			}
		}
		typ, _ := attr(tag, "t")
		kind := cellKind(typ) // before reading on: typ points into the read buffer
		var c xlsxCell
		if !self {
			if c, err = r.readCell(); err != nil {
				return nil, sheetErr("无法读取 Excel 第%d行", num)
			}
		}
		val := c.value(kind, r.sst)
		if val == "" && !c.formula {
			continue
		}
		if col > MaxColumns {
			return nil, tooWide(num, col)
		}
		for len(ends) < col-1 {
			ends = append(ends, len(buf))
		}
		buf = append(buf, val...)
		ends = append(ends, len(buf))
	}
	// One string per row holds every value; the cells are slices of it.
	all := string(buf)
	cells := make([]string, len(ends))
	start := 0
	for i, e := range ends {
		cells[i] = all[start:e]
		start = e
	}
	return cells, nil
}

// cellKind names the cell types whose value is not stored in the cell as it is.
func cellKind(t []byte) string {
	switch string(t) {
	case "s":
		return "s"
	case "inlineStr":
		return "inlineStr"
	}
	return ""
}

type xlsxCell struct {
	v, inline       string
	hasV, hasInline bool
	formula         bool
}

// value is the cell's text as stored: a shared string looked up, an inline string joined, any
// other value (number, date serial, boolean, formula result) as it is.
func (c xlsxCell) value(typ string, sst []string) string {
	switch typ {
	case "s":
		if c.v == "" {
			return ""
		}
		i, _ := strconv.Atoi(strings.TrimSpace(c.v))
		if i < 0 || i >= len(sst) {
			return ""
		}
		return sst[i]
	case "inlineStr":
		if c.hasInline {
			return c.inline
		}
	}
	return c.v
}

// readCell reads a cell's children up to its end tag.
func (r *xlsxReader) readCell() (xlsxCell, error) {
	var c xlsxCell
	for {
		_, tag, err := r.x.next(false)
		if err != nil {
			return c, err
		}
		name, end, self := tagName(tag)
		switch {
		case end && name == "c":
			return c, nil
		case end:
		case name == "v":
			c.hasV, c.v = true, ""
			if !self {
				text, _, err := r.x.next(true)
				if err != nil {
					return c, err
				}
				c.v = string(text)
			}
		case name == "f":
			c.formula = true
		case name == "is":
			c.hasInline = true
			if !self {
				if c.inline, err = r.x.richText("is"); err != nil {
					return c, err
				}
			}
		}
	}
}

// richText reads a string item (si or is) up to its end tag: its own text, then the text of its
// runs, leaving out phonetic guides (rPh).
func (x *xmlScanner) richText(endName string) (string, error) {
	var own, runs, run []byte
	inRun, inPh, hasRun := false, false, false
	for {
		_, tag, err := x.next(false)
		if err != nil {
			return "", err
		}
		name, end, self := tagName(tag)
		switch {
		case end && name == endName:
			s := string(append(own, runs...))
			if strings.Contains(s, "_x") {
				s = unescapeBSTR(s)
			}
			return s, nil
		case name == "rPh":
			inPh = !end && !self
		case name == "r" && end:
			if hasRun {
				runs = append(runs, run...)
			}
			inRun, hasRun, run = false, false, run[:0]
		case name == "r":
			inRun = !self
		case name == "t" && !end && !inPh:
			var text []byte
			if !self {
				if text, _, err = x.next(true); err != nil {
					return "", err
				}
			}
			if inRun {
				run, hasRun = append(run[:0], text...), true
			} else {
				own = append(own[:0], text...)
			}
		}
	}
}

// unescapeBSTR decodes the _xHHHH_ escapes Excel writes for characters XML cannot hold;
// _x005F_ is a literal underscore.
func unescapeBSTR(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' && isHex4(s[i+2:i+6]) {
			n, _ := strconv.ParseUint(s[i+2:i+6], 16, 32)
			if n == 0x5F {
				b.WriteByte('_')
			} else if !(n >= 0xD800 && n <= 0xDFFF) {
				b.WriteRune(rune(n))
			}
			i += 7
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isHex4(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// columnOf reads the column number of a cell reference (C5 → 3).
func columnOf(ref []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref) && i < 4; i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	if i == 0 || i > 3 || col > 16384 || i == len(ref) {
		return 0, false
	}
	for _, c := range ref[i:] {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	return col, true
}
