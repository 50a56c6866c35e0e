package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"linli/internal/errs"
)

// DecodeJSON reads a request body that must be one JSON object into v, strictly: the
// Content-Type must be application/json (415 otherwise), the body one value with nothing after
// it, no field that v does not have, no NUL character in any text, and every value of its field's
// type. Every bad field is reported at once as an errs.Fields error naming the field in Chinese;
// no message of Go's parser reaches the user. The body is bounded by kit.Bodies (413 past it) and
// here by 1 MiB for a handler served without it.
func DecodeJSON(r *http.Request, v any) error {
	if err := jsonContentType(r); err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err != nil {
		if b := bodyErr(err); b != err {
			return b
		}
		return errs.E(errs.Invalid, "读取请求内容失败")
	}
	return DecodeJSONBytes(data, v)
}

// jsonContentType refuses a body whose declared type is not JSON.
func jsonContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	return errs.E(errs.Unsupported, "请求内容类型应为 application/json（当前为「%s」）", clip(ct, 60))
}

// DecodeJSONBytes is DecodeJSON's strict decoding of a body already read.
func DecodeJSONBytes(data []byte, v any) error {
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return errs.E(errs.Invalid, "请求内容含有无效字符（须为 UTF-8 编码的 JSON）")
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("web: DecodeJSON needs a non-nil pointer")
	}
	target := rv.Elem()
	if target.Kind() != reflect.Struct {
		if err := decodeOne(data, v); err != nil {
			return err
		}
		return noNUL(target, "", errs.Fields{}).Err()
	}
	var obj map[string]json.RawMessage
	if err := decodeOne(data, &obj); err != nil {
		return err
	}
	if obj == nil {
		return errs.E(errs.Invalid, "请求内容应为一个 JSON 对象")
	}
	fields := jsonFields(target.Type())
	bad := errs.Fields{}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		index, ok := fieldIndex(fields, k)
		if !ok {
			bad.Add(clip(k, 40), "不支持的字段「"+clip(k, 40)+"」")
			continue
		}
		fv := target.FieldByIndex(index)
		if err := json.Unmarshal(obj[k], fv.Addr().Interface()); err != nil {
			bad.Add(k, fieldMessage(k, fv.Type(), err))
			continue
		}
		noNUL(fv, k, bad)
	}
	return bad.Err()
}

// decodeOne decodes exactly one JSON value from data into v, refusing anything after it.
func decodeOne(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return syntaxMessage(err, v)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.E(errs.Invalid, "请求内容只能是一个 JSON 对象，其后不能再有内容")
	}
	return nil
}

// syntaxMessage says in Chinese why a body is not the JSON expected.
func syntaxMessage(err error, v any) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return errs.E(errs.Invalid, "请求内容为空，应为一个 JSON 对象")
	case errors.As(err, &se):
		return errs.E(errs.Invalid, "请求内容不是有效的 JSON（第%d个字节附近有误）", se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.E(errs.Invalid, "请求内容不完整，不是有效的 JSON")
	case errors.As(err, &te) && te.Field != "":
		return errs.Field(te.Field, fieldMessage(te.Field, te.Type, err))
	case errors.As(err, &te):
		if _, ok := v.(*map[string]json.RawMessage); ok {
			return errs.E(errs.Invalid, "请求内容应为一个 JSON 对象")
		}
		return errs.E(errs.Invalid, "请求内容的格式不正确：应为%s", kindText(te.Type))
	}
	return errs.E(errs.Invalid, "请求内容不是有效的 JSON")
}

// fieldMessage is the Chinese message for a value that does not fit its field.
func fieldMessage(name string, t reflect.Type, err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" && te.Field != name {
		return "字段「" + name + "」中的「" + te.Field + "」格式不正确：应为" + kindText(te.Type)
	}
	return "字段「" + name + "」格式不正确：应为" + kindText(t)
}

// kindText names a Go type the way a user of the API knows it.
func kindText(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() == "time" && t.Name() == "Time" {
		return "带时区的时间（如 2024-03-07T14:46:00+08:00）"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true 或 false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "整数"
	case reflect.Float32, reflect.Float64:
		return "数字"
	case reflect.String:
		return "文字"
	case reflect.Slice, reflect.Array:
		return "数组"
	case reflect.Struct, reflect.Map:
		return "对象"
	}
	return "正确的类型"
}

// jsonFields maps the JSON names of a struct's fields (embedded structs flattened, as
// encoding/json does) to their index.
func jsonFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" && tag == "-" {
				continue
			}
			index := append(append([]int{}, prefix...), i)
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type, index)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if _, dup := out[name]; !dup {
				out[name] = index
			}
		}
	}
	walk(t, nil)
	return out
}

// fieldIndex finds a JSON key among the fields: its exact name, else (as encoding/json does) a
// name that differs only in case.
func fieldIndex(fields map[string][]int, key string) ([]int, bool) {
	if i, ok := fields[key]; ok {
		return i, true
	}
	for name, i := range fields {
		if strings.EqualFold(name, key) {
			return i, true
		}
	}
	return nil, false
}

// noNUL adds a field message for any text under v holding a NUL character, which PostgreSQL
// cannot store in a text column.
func noNUL(v reflect.Value, name string, bad errs.Fields) errs.Fields {
	switch v.Kind() {
	case reflect.String:
		if strings.IndexByte(v.String(), 0) >= 0 {
			label := name
			if label == "" {
				label = "请求内容"
			}
			bad.Add(name, "「"+label+"」含有不允许的空字符（\\u0000）")
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			noNUL(v.Elem(), name, bad)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			noNUL(v.Index(i), name, bad)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			noNUL(it.Key(), name, bad)
			noNUL(it.Value(), name, bad)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				noNUL(v.Field(i), name, bad)
			}
		}
	}
	return bad
}

// clip shortens s to n runes for a message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
