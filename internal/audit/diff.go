package audit

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"linli/internal/clock"
)

// Change is one field of a record before and after a change, for showing an entry as a diff.
type Change struct {
	Field   string
	Before  string // the value as compact JSON text; empty when the field was absent
	After   string
	Changed bool
}

// Diff compares the before and after JSON of an entry field by field. When either side is not a
// JSON object, it answers a single row with the whole values.
func Diff(before, after string) []Change {
	if before == "" && after == "" {
		return nil
	}
	b, bok := object(before)
	a, aok := object(after)
	if (before != "" && !bok) || (after != "" && !aok) {
		return []Change{{Field: "（全部）", Before: before, After: after, Changed: before != after}}
	}
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]Change, 0, len(names))
	for _, k := range names {
		bv, av := text(b[k]), text(a[k])
		out = append(out, Change{Field: FieldLabel(k), Before: bv, After: av, Changed: bv != av})
	}
	// Changed fields first, each group in name order.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Changed && !out[j].Changed })
	return out
}

func object(s string) (map[string]json.RawMessage, bool) {
	if s == "" {
		return map[string]json.RawMessage{}, true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

// text renders a JSON value for reading: strings without quotes, everything else compact.
func text(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		// Instants are stored in UTC and read in Beijing time, like everywhere else.
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.In(clock.Shanghai()).Format("2006-01-02 15:04:05")
		}
		return s
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

// fieldLabels are the Chinese names of the fields records are audited with.
var fieldLabels = map[string]string{
	"id": "编号", "name": "名称", "username": "用户名", "role": "角色", "region_id": "区域", "region": "区域",
	"status": "状态", "state": "状态", "outcome": "办理结果", "title": "标题", "description": "内容", "note": "备注",
	"number": "案卷编号", "channel": "来源渠道", "category_id": "类别", "grid_id": "网格", "building_id": "楼院",
	"household_id": "户", "resident_id": "居民", "address": "地址", "gender": "性别", "birth_date": "出生日期",
	"phone": "电话", "phone_masked": "电话", "id_masked": "身份证号", "id_number": "身份证号", "relation": "与户主关系",
	"ethnicity": "民族", "residence": "人口类型", "tags": "标签", "kind": "类型", "unit": "单元", "room": "房号",
	"floors": "层数", "units": "单元数", "lon": "经度", "lat": "纬度", "handler_id": "承办人", "supervised": "督办",
	"overdue": "超时", "accept_deadline": "受理时限", "handle_deadline": "办结时限", "sign_deadline": "签收时限",
	"received_at": "登记时间", "accepted_at": "受理时间", "closed_at": "结案时间", "callback_at": "回访时间",
	"satisfaction": "满意度", "resolved": "是否解决", "reopen_count": "重办次数", "merged": "并入案件",
	"org_id": "党组织", "joined_on": "入党日期", "active": "有效", "duty": "职责", "visited_on": "走访日期",
	"method": "走访方式", "situation": "情况", "needs": "需求", "must_change": "须改密码", "locked_until": "锁定至",
	"version": "版本", "created_at": "创建时间", "updated_at": "更新时间", "reason": "原因", "purpose": "用途",
	"field": "查看项目", "count": "数量", "rows": "行数", "file": "文件", "boundary": "边界",
}

// FieldLabel is the Chinese name of an audited field, or — for a field it does not know — the
// field's code with its words spaced, never a bare snake_case code.
func FieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return strings.ReplaceAll(field, "_", " ")
}

// DetailText shows an entry's detail for reading: a JSON object as "字段：值；…" with the fields
// named in Chinese, any other detail as it is.
func DetailText(detail string) string {
	if !strings.HasPrefix(strings.TrimSpace(detail), "{") {
		return detail
	}
	m, ok := object(detail)
	if !ok {
		return detail
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, FieldLabel(k)+"："+text(m[k]))
	}
	return strings.Join(parts, "；")
}
