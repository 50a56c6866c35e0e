package sheet

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScanner reads XML one tag at a time, with the text before it when asked: enough for the
// machine-written parts of a workbook.
type xmlScanner struct {
	r    *bufio.Reader
	tag  []byte // a tag longer than the buffer, or with '>' inside a quoted value
	raw  []byte // text not yet decoded
	text []byte
}

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next tag's contents between < and > (comments, processing instructions and
// declarations skipped) and, when withText, the text before it, decoded. Both are valid until the
// next call.
func (x *xmlScanner) next(withText bool) (text, tag []byte, err error) {
	x.text, x.raw = x.text[:0], x.raw[:0]
	for {
		// Text up to the next '<'.
		for {
			b, err := x.r.ReadSlice('<')
			if withText {
				x.raw = append(x.raw, b...)
			}
			if err == nil {
				break
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				return nil, nil, err
			}
		}
		if withText {
			x.raw = x.raw[:len(x.raw)-1]
		}
		tag, err = x.readTag()
		if err != nil {
			return nil, nil, err
		}
		switch {
		case bytes.HasPrefix(tag, []byte("!--")):
			if err := x.skipTo(tag, "--"); err != nil {
				return nil, nil, err
			}
		case bytes.HasPrefix(tag, []byte("![CDATA[")):
			data, err := x.until(tag[len("![CDATA["):], "]]")
			if err != nil {
				return nil, nil, err
			}
			if withText {
				x.flush()
				x.text = appendNewlines(x.text, data)
			}
		case len(tag) > 0 && (tag[0] == '?' || tag[0] == '!'):
		default:
			if withText {
				x.flush()
			}
			return x.text, tag, nil
		}
	}
}

// readTag reads up to the '>' that ends a tag, past any '>' inside a quoted attribute value.
func (x *xmlScanner) readTag() ([]byte, error) {
	b, err := x.r.ReadSlice('>')
	if err == nil && quotesClosed(b) {
		return b[:len(b)-1], nil
	}
	x.tag = append(x.tag[:0], b...)
	for err != nil || !quotesClosed(x.tag) {
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
		b, err = x.r.ReadSlice('>')
		x.tag = append(x.tag, b...)
	}
	return x.tag[:len(x.tag)-1], nil
}

func quotesClosed(b []byte) bool {
	var q byte
	for _, c := range b {
		switch {
		case q != 0 && c == q:
			q = 0
		case q == 0 && (c == '"' || c == '\''):
			q = c
		}
	}
	return q == 0
}

// skipTo reads on until a tag that ends with suffix before its '>' (a comment's "--").
func (x *xmlScanner) skipTo(tag []byte, suffix string) error {
	_, err := x.until(tag, suffix)
	return err
}

// until returns the content of a construct that ends with suffix+">" (got is what was read up to
// the first '>'), reading on while it does not end there.
func (x *xmlScanner) until(got []byte, suffix string) ([]byte, error) {
	if bytes.HasSuffix(got, []byte(suffix)) {
		return got[:len(got)-len(suffix)], nil
	}
	buf := append([]byte(nil), got...)
	for {
		buf = append(buf, '>') // the '>' read last belongs to the content
		for {
			b, err := x.r.ReadSlice('>')
			buf = append(buf, b...)
			if err == nil {
				break
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				return nil, err
			}
		}
		buf = buf[:len(buf)-1]
		if bytes.HasSuffix(buf, []byte(suffix)) {
			return buf[:len(buf)-len(suffix)], nil
		}
	}
}

// flush decodes the pending text into x.text.
func (x *xmlScanner) flush() {
	if len(x.raw) == 0 {
		return
	}
	raw := x.raw
	for {
		i := bytes.IndexByte(raw, '&')
		if i < 0 {
			x.text = appendNewlines(x.text, raw)
			break
		}
		x.text = appendNewlines(x.text, raw[:i])
		raw = raw[i:]
		j := bytes.IndexByte(raw, ';')
		if j < 0 {
			x.text = append(x.text, raw...)
			break
		}
		if r, ok := entity(raw[1:j]); ok {
			x.text = utf8.AppendRune(x.text, r)
		} else {
			x.text = append(x.text, raw[:j+1]...)
		}
		raw = raw[j+1:]
	}
	x.raw = x.raw[:0]
}

func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	if len(name) > 1 && name[0] == '#' {
		var n uint64
		var err error
		if name[1] == 'x' {
			n, err = strconv.ParseUint(string(name[2:]), 16, 32)
		} else {
			n, err = strconv.ParseUint(string(name[1:]), 10, 32)
		}
		if err == nil && utf8.ValidRune(rune(n)) {
			return rune(n), true
		}
	}
	return 0, false
}

// appendNewlines appends text with its line ends normalized to \n, as XML requires.
func appendNewlines(dst, src []byte) []byte {
	for {
		i := bytes.IndexByte(src, '\r')
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		dst = append(dst, '\n')
		src = src[i+1:]
		if len(src) > 0 && src[0] == '\n' {
			src = src[1:]
		}
	}
}

// tagName splits a tag into its local name (without a namespace prefix), whether it is an end
// tag and whether it closes itself.
func tagName(tag []byte) (name string, end, self bool) {
	if len(tag) > 0 && tag[0] == '/' {
		end, tag = true, tag[1:]
	}
	if len(tag) > 0 && tag[len(tag)-1] == '/' {
		self, tag = true, tag[:len(tag)-1]
	}
	n := len(tag)
	for i, c := range tag {
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			n = i
			break
		}
	}
	raw := tag[:n]
	if i := bytes.LastIndexByte(raw, ':'); i >= 0 {
		raw = raw[i+1:]
	}
	return bytesName(raw), end, self
}

// bytesName returns the element names the reader looks for without allocating.
func bytesName(b []byte) string {
	for _, n := range [...]string{"c", "v", "row", "is", "t", "r", "f", "si", "rPh", "sheetData"} {
		if string(b) == n {
			return n
		}
	}
	return ""
}

// attr returns the value of the attribute with the given local name.
func attr(tag []byte, name string) ([]byte, bool) {
	i := 0
	for i < len(tag) && tag[i] != ' ' && tag[i] != '\t' && tag[i] != '\n' && tag[i] != '\r' {
		i++
	}
	for i < len(tag) {
		for i < len(tag) && (tag[i] == ' ' || tag[i] == '\t' || tag[i] == '\n' || tag[i] == '\r' || tag[i] == '/') {
			i++
		}
		start := i
		for i < len(tag) && tag[i] != '=' && tag[i] != ' ' {
			i++
		}
		key := tag[start:i]
		for i < len(tag) && (tag[i] == ' ' || tag[i] == '=') {
			i++
		}
		if i >= len(tag) || (tag[i] != '"' && tag[i] != '\'') {
			return nil, false
		}
		q := tag[i]
		i++
		vs := i
		for i < len(tag) && tag[i] != q {
			i++
		}
		val := tag[vs:min(i, len(tag))]
		i++
		if j := bytes.LastIndexByte(key, ':'); j >= 0 {
			key = key[j+1:]
		}
		if string(key) == name {
			if bytes.IndexByte(val, '&') >= 0 {
				var x xmlScanner
				x.raw = append(x.raw, val...)
				x.flush()
				val = x.text
			}
			return val, true
		}
	}
	return nil, false
}
