// Package briefing writes the work briefing 工作简报 of a region and period from the records: every
// number in it is a reference to a defined figure of a capability (figures.go), rendered with its
// value and a link to the records it counts; the narrative around the numbers is drafted from the
// records and edited by the author; a published briefing keeps the values it was published with.
package briefing

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/errs"
)

// State is where a briefing stands: a draft is edited, a published one is read-only.
type State string

// The states.
const (
	Draft     State = "draft"
	Published State = "published"
)

// Label is the state's Chinese name.
func (s State) Label() string {
	if s == Published {
		return "已发布"
	}
	return "草稿"
}

// The sections of a briefing, in the usual order (REFERENCES.md §5): 基本情况, 主要做法 (one
// section per line of work), 成效, 存在问题, 下一步.
var sectionOrder = []struct{ Key, Title, Part string }{
	{"basic", "基本情况", "基本情况"},
	{"grid_party", "党建引领网格治理", "主要做法"},
	{"cobuild", "共驻共建", "主要做法"},
	{"mediation", "矛盾纠纷调解", "主要做法"},
	{"cases", "群众诉求办理", "主要做法"},
	{"deliberation", "居民议事协商", "主要做法"},
	{"activities", "阵地建设与特色活动", "主要做法"},
	{"results", "工作成效", "成效"},
	{"problems", "存在问题", "存在问题"},
	{"next", "下一步工作", "下一步"},
}

// Section is one section of the text. Text holds paragraphs separated by blank lines; a figure is
// written {{key param=value …}} and printed as its value.
type Section struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Part  string `json:"part"`
	Text  string `json:"text"`
}

// Briefing is one issue of a region's work briefing.
type Briefing struct {
	ID         int64  `json:"id"`
	RegionID   int64  `json:"region_id"`
	RegionName string `json:"region_name"`
	RegionPath string `json:"-"`
	Level      string `json:"region_level"`
	// Year and Number make 第N期: numbered within the year per region when published (0 for drafts).
	Year         int       `json:"year"`
	Number       int       `json:"number"`
	From         string    `json:"from"`
	To           string    `json:"to"`
	Title        string    `json:"title"`
	Issuer       string    `json:"issuer"`
	Note         string    `json:"note"` // 按语
	Headline     string    `json:"headline"`
	Sections     []Section `json:"sections"`
	Distribution string    `json:"distribution"` // 报/送/发
	State        State     `json:"state"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	PublishedBy  string    `json:"published_by,omitempty"`
	PublishedAt  time.Time `json:"published_at,omitzero"`
	// Frozen holds, for a published briefing, the values it was published with by reference.
	Frozen map[string]Value `json:"-"`
}

// Issue is the masthead's 第N期, or 草稿 for a draft.
func (b *Briefing) Issue() string {
	if b.Number == 0 {
		return "（草稿，发布时编号）"
	}
	return "第" + itoa(b.Number) + "期"
}

// Input is what an author edits: the masthead and the text of each section.
type Input struct {
	Title        *string           `json:"title"`
	Issuer       *string           `json:"issuer"`
	Note         *string           `json:"note"`
	Headline     *string           `json:"headline"`
	Distribution *string           `json:"distribution"`
	Sections     map[string]string `json:"sections"`
}

// Limits of the edited text.
const (
	maxTitle   = 100
	maxSection = 10000
	maxNote    = 2000
)

// apply checks the input and writes it into b.
func (in Input) apply(b *Briefing) error {
	fe := errs.Fields{}
	str := func(field string, v *string, max int, dst *string, required bool) {
		if v == nil {
			return
		}
		s := strings.TrimSpace(*v)
		switch {
		case strings.ContainsRune(s, 0):
			fe.Add(field, "含有不可见的空字符")
		case required && s == "":
			fe.Add(field, "不能为空")
		case utf8.RuneCountInString(s) > max:
			fe.Add(field, "不能超过"+itoa(max)+"字")
		default:
			*dst = s
		}
	}
	str("title", in.Title, maxTitle, &b.Title, true)
	str("issuer", in.Issuer, maxTitle, &b.Issuer, true)
	str("note", in.Note, maxNote, &b.Note, false)
	str("headline", in.Headline, maxTitle*2, &b.Headline, false)
	str("distribution", in.Distribution, maxNote, &b.Distribution, false)
	for key, text := range in.Sections {
		i := sectionIndex(b.Sections, key)
		if i < 0 {
			fe.Add("sections."+key, "没有这一节")
			continue
		}
		t := text
		str("sections."+key, &t, maxSection, &b.Sections[i].Text, false)
	}
	return fe.Err()
}

func sectionIndex(ss []Section, key string) int {
	for i, s := range ss {
		if s.Key == key {
			return i
		}
	}
	return -1
}

// Segment is a piece of a paragraph: plain text, or a figure reference.
type Segment struct {
	Text string
	Ref  string
}

var refPattern = regexp.MustCompile(`\{\{\s*([^{}]+?)\s*\}\}`)

// Paragraphs splits a section's text into paragraphs of segments.
func Paragraphs(text string) [][]Segment {
	var out [][]Segment
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		var segs []Segment
		last := 0
		for _, m := range refPattern.FindAllStringSubmatchIndex(para, -1) {
			if m[0] > last {
				segs = append(segs, Segment{Text: para[last:m[0]]})
			}
			segs = append(segs, Segment{Ref: strings.Join(strings.Fields(para[m[2]:m[3]]), " ")})
			last = m[1]
		}
		if last < len(para) {
			segs = append(segs, Segment{Text: para[last:]})
		}
		out = append(out, segs)
	}
	return out
}

// Refs lists the figure references of the whole briefing, each once, in order of appearance.
func (b *Briefing) Refs() []string {
	seen := map[string]bool{}
	var out []string
	add := func(text string) {
		for _, para := range Paragraphs(text) {
			for _, s := range para {
				if s.Ref != "" && !seen[s.Ref] {
					seen[s.Ref] = true
					out = append(out, s.Ref)
				}
			}
		}
	}
	add(b.Headline)
	add(b.Note)
	for _, s := range b.Sections {
		add(s.Text)
	}
	return out
}

// Flag is a number typed into the text that is no figure: it must become a reference or go.
type Flag struct {
	Section string `json:"section"`
	Number  string `json:"number"`
	Context string `json:"context"`
}

// typed finds numbers written as digits (ASCII or full-width), with a decimal part or a percent
// sign, outside figure references.
var typed = regexp.MustCompile(`[0-9０-９]+(?:[.．][0-9０-９]+)?\s*[%％]?`)

// allowed says a typed number is not a figure: a date (2024年, 3月, 15日), an issue number (第3期),
// an ordinal (第一 is in Chinese numerals anyway) or the hotline's name 12345.
func allowed(text string, start, end int) bool {
	num := text[start:end]
	if num == "12345" {
		return true
	}
	after := text[end:]
	for _, s := range []string{"年", "月", "日", "期", "时", "号"} {
		if strings.HasPrefix(after, s) {
			return true
		}
	}
	return strings.HasSuffix(text[:start], "第")
}

// datePattern matches dates written with digits and separators (2024-01-15, 2024/1/15, 2024.1.15).
var datePattern = regexp.MustCompile(`\d{4}[-/.]\d{1,2}[-/.]\d{1,2}`)

// blankDates replaces the dates of a text with spaces of the same length, so that their digits are
// not taken for typed numbers.
func blankDates(text string) string {
	return datePattern.ReplaceAllStringFunc(text, func(d string) string { return strings.Repeat(" ", len(d)) })
}

// Check lists the numbers typed into the text that match no figure of the briefing (values holds
// the resolved figures by reference). Publishing is refused while any remains.
func (b *Briefing) Check(values map[string]Value) []Flag {
	known := map[string]bool{}
	for _, v := range values {
		known[normalizeNumber(v.Text)] = true
	}
	var out []Flag
	check := func(section, text string) {
		for _, para := range Paragraphs(text) {
			for _, seg := range para {
				if seg.Ref != "" {
					continue
				}
				text := blankDates(seg.Text)
				for _, m := range typed.FindAllStringIndex(text, -1) {
					if allowed(text, m[0], m[1]) || known[normalizeNumber(text[m[0]:m[1]])] {
						continue
					}
					out = append(out, Flag{Section: section, Number: strings.TrimSpace(text[m[0]:m[1]]), Context: around(seg.Text, m[0], m[1])})
				}
			}
		}
	}
	check("headline", b.Headline)
	check("note", b.Note)
	for _, s := range b.Sections {
		check(s.Key, s.Text)
	}
	return out
}

// normalizeNumber turns full-width digits and signs into ASCII and drops spaces.
func normalizeNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '．':
			return '.'
		case r == '％':
			return '%'
		case r == ' ':
			return -1
		}
		return r
	}, s)
}

// around is a short piece of text around a typed number, for the author to find it.
func around(text string, start, end int) string {
	r := []rune(text[:start])
	from := max(0, len(r)-8)
	after := []rune(text[end:])
	to := min(len(after), 8)
	return string(r[from:]) + "【" + text[start:end] + "】" + string(after[:to])
}

func itoa(n int) string { return strconv.Itoa(n) }

// validDate reports whether s is a YYYY-MM-DD date.
func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// Part is a numbered part of the text (一、基本情况; 二、主要做法 …) with its sections; a part of
// several sections numbers them （一）, （二） ….
type Part struct {
	Number   string
	Title    string
	Sections []NumberedSection
}

// NumberedSection is a section with its number inside its part ("" when the part has one).
type NumberedSection struct {
	Section
	Number string
}

var chineseNumbers = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// Parts groups the sections into the parts of the layout, in order.
func (b *Briefing) Parts() []Part {
	var out []Part
	for _, s := range b.Sections {
		if len(out) == 0 || out[len(out)-1].Title != s.Part {
			out = append(out, Part{Number: chineseNumbers[min(len(out), 9)] + "、", Title: s.Part})
		}
		p := &out[len(out)-1]
		p.Sections = append(p.Sections, NumberedSection{Section: s})
	}
	for i := range out {
		if len(out[i].Sections) > 1 {
			for j := range out[i].Sections {
				out[i].Sections[j].Number = "（" + chineseNumbers[min(j, 9)] + "）"
			}
		}
	}
	return out
}
