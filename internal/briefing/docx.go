package briefing

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"time"
)

// docx writes a WordprocessingML document (.docx) — a zip of XML parts — with the few things a
// briefing needs: paragraphs in the 公文 fonts and sizes, tables and an A4 page with the margins of
// GB/T 9704. No maintained, freely licensed Go library for .docx is served here (unioffice needs a
// paid licence), and a briefing needs a few dozen lines of the format, so it is written directly.
type docx struct {
	body  bytes.Buffer
	media []media
}

// media is a picture the document embeds: word/media/<name>, related as rId<n>.
type media struct {
	name string
	data []byte
}

// Font sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt.
const (
	sizeTitle = 44
	sizeBody  = 32
	sizeSmall = 28
)

// The fonts of a 公文: headings in 方正小标宋简体, body in 仿宋_GB2312, first-level headings in 黑体
// and second-level in 楷体_GB2312. A reader without them substitutes its own.
const (
	fontTitle = "方正小标宋简体"
	fontBody  = "仿宋_GB2312"
	fontHead  = "黑体"
	fontSub   = "楷体_GB2312"
)

type run struct {
	text  string
	font  string
	size  int
	bold  bool
	color string
}

type paraStyle struct {
	align  string // left, center, right, both
	indent bool   // first line indented two characters
	border string // "bottom" or "top": a red rule, as under a masthead
	before int    // space before, in twentieths of a point
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (d *docx) para(st paraStyle, runs ...run) {
	b := &d.body
	b.WriteString(`<w:p><w:pPr>`)
	switch st.border {
	case "bottom":
		b.WriteString(`<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="1" w:color="C00000"/></w:pBdr>`)
	case "top":
		b.WriteString(`<w:pBdr><w:top w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>`)
	}
	b.WriteString(`<w:spacing w:before="` + strconv.Itoa(st.before) + `" w:after="0" w:line="560" w:lineRule="exact"/>`)
	if st.indent {
		b.WriteString(`<w:ind w:firstLineChars="200" w:firstLine="640"/>`)
	}
	if st.align != "" {
		b.WriteString(`<w:jc w:val="` + st.align + `"/>`)
	}
	b.WriteString(`</w:pPr>`)
	for _, r := range runs {
		d.run(r)
	}
	b.WriteString(`</w:p>`)
}

func (d *docx) run(r run) {
	b := &d.body
	if r.font == "" {
		r.font = fontBody
	}
	if r.size == 0 {
		r.size = sizeBody
	}
	size := strconv.Itoa(r.size)
	b.WriteString(`<w:r><w:rPr><w:rFonts w:ascii="` + esc(r.font) + `" w:hAnsi="` + esc(r.font) + `" w:eastAsia="` + esc(r.font) + `"/>`)
	if r.bold {
		b.WriteString(`<w:b/>`)
	}
	if r.color != "" {
		b.WriteString(`<w:color w:val="` + r.color + `"/>`)
	}
	b.WriteString(`<w:sz w:val="` + size + `"/><w:szCs w:val="` + size + `"/></w:rPr><w:t xml:space="preserve">` + esc(r.text) + `</w:t></w:r>`)
}

// table writes a table with a bold first row, in the small body size.
func (d *docx) table(rows [][]string) {
	b := &d.body
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		b.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="000000"/>`)
	}
	b.WriteString(`</w:tblBorders></w:tblPr>`)
	for i, row := range rows {
		b.WriteString(`<w:tr>`)
		for _, cell := range row {
			b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr><w:p><w:pPr><w:jc w:val="center"/></w:pPr>`)
			d.run(run{text: cell, size: sizeSmall - 4, bold: i == 0})
			b.WriteString(`</w:p></w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
}

// textWidthEMU is the width between the margins of an A4 page, in EMU (635 a twentieth of a point):
// 11906 − 1587 − 1474 twips.
const textWidthEMU = (11906 - 1587 - 1474) * 635

// picture embeds a PNG of w×h pixels as an inline picture the width of the text, centred in a
// paragraph of its own.
func (d *docx) picture(name string, data []byte, w, h int) {
	d.media = append(d.media, media{name: name, data: data})
	n := len(d.media)
	rid, id := "rIdMedia"+strconv.Itoa(n), strconv.Itoa(n)
	cx := textWidthEMU
	cy := int64(cx) * int64(h) / int64(w)
	ext := `cx="` + strconv.Itoa(cx) + `" cy="` + strconv.FormatInt(cy, 10) + `"`
	d.body.WriteString(`<w:p><w:pPr><w:spacing w:before="200" w:after="200"/><w:jc w:val="center"/></w:pPr><w:r><w:drawing>` +
		`<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent ` + ext + `/><wp:docPr id="` + id + `" name="` + esc(name) + `"/>` +
		`<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>` +
		`<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>` +
		`<pic:nvPicPr><pic:cNvPr id="` + id + `" name="` + esc(name) + `"/><pic:cNvPicPr/></pic:nvPicPr>` +
		`<pic:blipFill><a:blip r:embed="` + rid + `"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>` +
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext ` + ext + `/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>` +
		`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`)
}

// bytes packs the document: A4 (210 × 297 mm) with margins top 37 mm, bottom 35 mm, left 28 mm,
// right 26 mm (GB/T 9704-2012 §5.2.1).
func (d *docx) bytes(title string, now time.Time) ([]byte, error) {
	var out bytes.Buffer
	z := zip.NewWriter(&out)
	png, rels := "", ""
	if len(d.media) > 0 {
		png = `<Default Extension="png" ContentType="image/png"/>`
	}
	for i, m := range d.media {
		rels += `<Relationship Id="rIdMedia` + strconv.Itoa(i+1) + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/` + esc(m.name) + `"/>`
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` + png + `<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>` + esc(title) + `</dc:title><dc:creator>Linli</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">` + now.UTC().Format(time.RFC3339) + `</dcterms:created></cp:coreProperties>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>` + d.body.String() +
			`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>`},
		{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels + `</Relationships>`},
	}
	for _, m := range d.media {
		parts = append(parts, struct{ name, body string }{"word/media/" + m.name, string(m.data)})
	}
	for _, p := range parts {
		w, err := z.Create(p.name)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
