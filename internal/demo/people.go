package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"linli/internal/pii"
)

// Surnames weighted roughly as they occur in Hexi towns (王, 张, 李, 刘 lead; 马 is common in Gansu).
var surnames = weighted[string]{
	{"王", 90}, {"张", 85}, {"李", 80}, {"刘", 60}, {"杨", 45}, {"陈", 40}, {"赵", 38}, {"马", 36},
	{"魏", 22}, {"徐", 20}, {"郭", 20}, {"何", 18}, {"孙", 18}, {"朱", 16}, {"周", 16}, {"高", 16},
	{"吴", 14}, {"胡", 14}, {"牛", 10}, {"田", 10}, {"韩", 10}, {"闫", 10}, {"冯", 9}, {"宋", 9},
	{"姚", 8}, {"范", 8}, {"贾", 8}, {"蒋", 7}, {"曹", 7}, {"唐", 7}, {"许", 7}, {"邓", 6},
	{"彭", 6}, {"吕", 6}, {"苏", 6}, {"丁", 6}, {"任", 6}, {"雷", 6}, {"谢", 5}, {"梁", 5},
	{"董", 5}, {"段", 5}, {"汪", 5}, {"薛", 5}, {"侯", 5}, {"安", 5}, {"常", 4}, {"毛", 4},
	{"祁", 4}, {"蔺", 3}, {"褚", 3}, {"寇", 3}, {"卢", 3}, {"崔", 3}, {"尚", 3}, {"鲁", 3},
	{"柴", 3}, {"窦", 2}, {"滕", 2}, {"欧阳", 1}, {"司马", 1},
}

// Given names follow the fashions of the decade a person was born in.
var givenNames = map[string]map[string][]string{
	"old": { // born before 1960
		"M": {"建国", "国庆", "德明", "振华", "永福", "玉林", "学军", "志明", "文华", "国栋", "长顺", "世杰",
			"有福", "保国", "万春", "兴旺", "进忠", "生财", "守仁", "庆祥", "福德", "占魁", "宝山", "怀德"},
		"F": {"秀英", "桂兰", "玉兰", "淑珍", "凤英", "秀兰", "桂英", "兰英", "翠花", "玉梅", "秀珍", "桂花",
			"素芳", "玉珍", "金花", "凤兰", "月英", "春兰", "银花", "彩霞", "淑英", "玉琴", "兰芳", "秀梅"},
	},
	"mid": { // 1960–1984
		"M": {"伟", "军", "勇", "强", "涛", "斌", "志强", "海涛", "建军", "红军", "小平", "卫东", "国强",
			"建华", "永红", "晓东", "立新", "文斌", "世军", "继红", "振宇", "宏伟", "天明", "建平"},
		"F": {"丽", "红", "燕", "霞", "丽娟", "海燕", "红梅", "晓燕", "玉霞", "春梅", "丽萍", "小红", "艳",
			"秀琴", "丽华", "晓梅", "红霞", "亚琴", "爱玲", "淑琴", "建英", "玉莲", "学梅", "彩虹"},
	},
	"young": { // 1985–2004
		"M": {"浩", "鹏", "磊", "杰", "宇", "鑫", "博", "晨阳", "子豪", "俊杰", "浩然", "鹏飞", "文博",
			"嘉伟", "天宇", "志远", "明轩", "泽宇", "凯", "瑞", "晓龙", "家乐", "振鹏", "旭东"},
		"F": {"婷", "静", "雪", "倩", "佳", "欣怡", "梦瑶", "雨婷", "思琪", "晓琳", "佳敏", "丹丹", "文静",
			"雅琪", "蕊", "璐", "晶晶", "慧", "娜", "瑶", "晓雪", "雪梅", "亚楠", "瑞雪"},
	},
	"kid": { // 2005 onwards
		"M": {"梓轩", "子涵", "一诺", "浩宇", "宇轩", "沐宸", "梓睿", "俊熙", "皓轩", "子墨", "宇航", "铭泽",
			"奕辰", "锦程", "思远", "博文", "煜祺", "承泽", "景行", "嘉懿", "天佑", "子骞", "瑞霖", "明哲"},
		"F": {"诗涵", "欣妍", "若汐", "梓涵", "一涵", "语桐", "可馨", "雨萱", "梓萱", "子琪", "芯怡", "思彤",
			"佳怡", "安然", "沐瑶", "紫萱", "悦彤", "欣然", "依诺", "梦琪", "雨泽", "晨曦", "心怡", "书瑶"},
	},
}

func era(birth time.Time) string {
	switch y := birth.Year(); {
	case y < 1960:
		return "old"
	case y < 1985:
		return "mid"
	case y < 2005:
		return "young"
	}
	return "kid"
}

// weighted is a list of choices with integer weights.
type weighted[T any] []struct {
	V T
	W int
}

func (w weighted[T]) pick(rng *rand.Rand) T {
	total := 0
	for _, c := range w {
		total += c.W
	}
	n := rng.IntN(total)
	for _, c := range w {
		if n < c.W {
			return c.V
		}
		n -= c.W
	}
	return w[len(w)-1].V
}

func pickOne[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func givenName(rng *rand.Rand, gender string, birth time.Time) string {
	return pickOne(rng, givenNames[era(birth)][gender])
}

// Area codes of the ID numbers: Ganzhou itself for most registered residents, the other counties
// of Zhangye and a few Gansu cities for people who moved in.
var (
	localAreas = weighted[string]{{"620702", 88}, {"620722", 3}, {"620723", 3}, {"620724", 2}, {"620725", 2}, {"620721", 2}}
	movedAreas = weighted[string]{{"620702", 15}, {"620722", 18}, {"620723", 15}, {"620724", 14}, {"620725", 12},
		{"620721", 6}, {"620102", 5}, {"620602", 6}, {"620902", 5}, {"621102", 4}}
)

// idNumbers issues fake resident ID numbers with a valid GB 11643 check digit, unique in the demo.
type idNumbers struct {
	rng  *rand.Rand
	used map[string]bool
}

func (g *idNumbers) issue(area, gender string, birth time.Time) string {
	for {
		seq := g.rng.IntN(500) * 2 // even: female
		if gender == "M" {
			seq++
		}
		first := fmt.Sprintf("%s%s%03d", area, birth.Format("20060102"), seq)
		id := first + string(pii.IDCheckDigit(first))
		if !g.used[id] {
			g.used[id] = true
			return id
		}
	}
}

var mobilePrefixes = []string{"133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "157",
	"158", "159", "173", "177", "180", "181", "183", "186", "187", "188", "189", "191", "193", "199"}

func mobile(rng *rand.Rand) string {
	return pickOne(rng, mobilePrefixes) + fmt.Sprintf("%08d", rng.IntN(100000000))
}

// personName draws a full name; staff and residents alike.
func personName(rng *rand.Rand, gender string, birth time.Time) string {
	return surnames.pick(rng) + givenName(rng, gender, birth)
}

var ethnicities = weighted[string]{{"汉族", 952}, {"回族", 28}, {"裕固族", 9}, {"藏族", 5}, {"蒙古族", 4}, {"土族", 2}}

// birthDate returns a birth date age years (plus a random part of a year) before ref.
func birthDate(rng *rand.Rand, ref time.Time, age int) time.Time {
	return ref.AddDate(-age, 0, -1-rng.IntN(364))
}

func ageAt(birth, ref time.Time) int {
	a := ref.Year() - birth.Year()
	if ref.YearDay() < birth.YearDay() {
		a--
	}
	return a
}

func oppositeOf(g string) string {
	if g == "M" {
		return "F"
	}
	return "M"
}

// uniqueName draws a name not yet used in the household, so (household, name) identifies a
// resident; after a few clashes it changes the surname too.
func uniqueName(rng *rand.Rand, taken []string, surname, gender string, birth time.Time) string {
	for try := 0; ; try++ {
		if try >= 20 {
			surname = surnames.pick(rng)
		}
		n := surname + givenName(rng, gender, birth)
		if !slices.Contains(taken, n) {
			return n
		}
	}
}
