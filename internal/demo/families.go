package demo

import (
	"time"
)

// member is a person of a household before their name and numbers are drawn.
type member struct {
	rel, gender string
	age         int
	child       bool // takes the head's surname and area code
}

var (
	ownerSizes  = weighted[int]{{1, 14}, {2, 26}, {3, 27}, {4, 19}, {5, 9}, {6, 5}}
	rentedSizes = weighted[int]{{1, 30}, {2, 28}, {3, 26}, {4, 12}, {5, 4}}
	residences  = map[string]weighted[string]{
		"owner":      {{"huji", 94}, {"jizhu", 3}, {"liudong", 3}},
		"rented":     {{"liudong", 68}, {"huji", 27}, {"jizhu", 5}},
		"collective": {{"liudong", 80}, {"huji", 20}},
	}
)

func childRel(gender string) string {
	if gender == "M" {
		return "子"
	}
	return "女"
}

func parentRel(gender string) string {
	if gender == "M" {
		return "父亲"
	}
	return "母亲"
}

func grandchildRel(gender string) string {
	if gender == "M" {
		return "孙子"
	}
	return "孙女"
}

func (g *planner) gender() string {
	if g.chance(0.5) {
		return "M"
	}
	return "F"
}

// couple returns a head aged lo–hi and their spouse, husbands usually a little older.
func (g *planner) couple(lo, hi int) []member {
	head := member{rel: "户主", gender: "M", age: g.between(lo, hi)}
	if g.chance(0.15) {
		head.gender = "F"
	}
	spouse := member{rel: "配偶", gender: oppositeOf(head.gender), age: head.age - g.between(-2, 5)}
	if head.gender == "F" {
		spouse.age = head.age + g.between(-2, 5)
	}
	spouse.age = max(spouse.age, 22)
	return []member{head, spouse}
}

// children returns n children of a parent of parentAge, no older than maxAge.
func (g *planner) children(parentAge, maxAge, n int) []member {
	var out []member
	for range n {
		gen := g.gender()
		hi := max(0, min(parentAge-22, maxAge))
		out = append(out, member{rel: childRel(gen), gender: gen, age: g.between(min(max(0, parentAge-42), hi), hi), child: true})
	}
	return out
}

func (g *planner) elderParent(childAge int) member {
	gen := "F"
	if g.chance(0.35) {
		gen = "M"
	}
	return member{rel: parentRel(gen), gender: gen, age: min(childAge+g.between(22, 32), 99), child: false}
}

func (g *planner) grandchildren(n int) []member {
	var out []member
	for range n {
		gen := g.gender()
		out = append(out, member{rel: grandchildRel(gen), gender: gen, age: g.between(1, 15), child: true})
	}
	return out
}

// family draws the members of an ordinary household.
func (g *planner) family(rented bool) []member {
	size := ownerSizes.pick(g.rng)
	if rented {
		size = rentedSizes.pick(g.rng)
	}
	r := g.rng.Float64()
	switch size {
	case 1:
		m := member{rel: "户主", gender: g.gender()}
		switch {
		case r < 0.42 && !rented:
			m.age = g.elderAge() + 2
			if g.chance(0.3) {
				m.gender = "F" // widows outlive widowers
			}
		case r < 0.80:
			m.age = g.between(20, 40)
		default:
			m.age = g.between(41, 59)
		}
		return []member{m}
	case 2:
		switch {
		case r < 0.42 && !rented:
			a := min(g.elderAge()+2, 92)
			return g.couple(a, a)
		case r < 0.62:
			return g.couple(23, 38)
		case r < 0.85:
			return g.couple(42, 62)
		}
		parent := member{rel: "户主", gender: "F", age: g.between(32, 58)}
		if g.chance(0.3) {
			parent.gender = "M"
		}
		return append([]member{parent}, g.children(parent.age, 20, 1)...)
	case 3:
		switch {
		case r < 0.66:
			c := g.couple(27, 55)
			return append(c, g.children(c[0].age, 28, 1)...)
		case r < 0.78:
			c := g.couple(42, 62)
			return append(c, g.elderParent(c[0].age))
		case r < 0.84 && !rented:
			return append(g.couple(56, 74), g.grandchildren(1)...)
		}
		parent := member{rel: "户主", gender: "F", age: g.between(30, 50)}
		return append([]member{parent}, g.children(parent.age, 20, 2)...)
	case 4:
		switch {
		case r < 0.5:
			c := g.couple(30, 52)
			return append(c, g.children(c[0].age, 26, 2)...)
		case r < 0.85:
			c := g.couple(32, 55)
			return append(append(c, g.children(c[0].age, 26, 1)...), g.elderParent(c[0].age))
		case r < 0.90 && !rented:
			return append(g.couple(56, 74), g.grandchildren(2)...)
		}
		c := g.couple(50, 64)
		son := member{rel: "子", gender: "M", age: c[0].age - g.between(23, 30), child: true}
		return append(c, son, member{rel: "儿媳", gender: "F", age: son.age - g.between(-1, 3)})
	case 5:
		if r < 0.6 {
			c := g.couple(32, 52)
			return append(append(c, g.children(c[0].age, 24, 2)...), g.elderParent(c[0].age))
		}
		c := g.couple(52, 66)
		son := member{rel: "子", gender: "M", age: c[0].age - g.between(24, 30), child: true}
		kid := g.grandchildren(1)
		kid[0].age = g.between(0, max(0, son.age-23))
		return append(c, son, member{rel: "儿媳", gender: "F", age: son.age - g.between(-1, 3)}, kid[0])
	}
	c := g.couple(56, 72)
	son := member{rel: "子", gender: "M", age: c[0].age - g.between(24, 30), child: true}
	kids := g.grandchildren(2)
	for i := range kids {
		kids[i].age = g.between(0, max(0, son.age-23))
	}
	return append(append(c, son, member{rel: "儿媳", gender: "F", age: son.age - g.between(-1, 3)}), kids...)
}

// collective draws the members of a collective household: a staff dormitory.
func (g *planner) collective() []member {
	var out []member
	for range g.between(5, 14) {
		out = append(out, member{rel: "集体户成员", gender: g.gender(), age: g.between(19, 52)})
	}
	return out
}

// people fills every occupied household with residents.
func (g *planner) people() {
	for h := range g.plan.households {
		hh := &g.plan.households[h]
		var ms []member
		switch hh.kind {
		case "vacant":
			continue
		case "collective":
			ms = g.collective()
		default:
			ms = g.family(hh.kind == "rented")
		}
		residence := residences[hh.kind].pick(g.rng)
		if hh.kind == "rented" && len(ms) == 1 && ms[0].age < 40 && g.chance(0.04) {
			residence = "jingwai"
		}
		surname := surnames.pick(g.rng)
		ethnicity := ethnicities.pick(g.rng)
		headArea := g.area(residence)
		var taken []string
		for i, m := range ms {
			r := residentPlan{household: h, gender: m.gender, relation: m.rel, residence: residence, ethnicity: ethnicity}
			r.birth = birthDate(g.rng, ageRef, m.age)
			family := surname
			if hh.kind == "collective" || (i > 0 && !m.child) {
				family = surnames.pick(g.rng)
			}
			if !m.child && i > 0 && hh.kind != "collective" && g.chance(0.1) {
				r.ethnicity = ethnicities.pick(g.rng)
			}
			r.name = uniqueName(g.rng, taken, family, m.gender, r.birth)
			taken = append(taken, r.name)
			if residence != "jingwai" {
				area := headArea
				if hh.kind == "collective" || (i > 0 && !m.child) {
					area = g.area(residence)
				}
				r.id = g.ids.issue(area, m.gender, r.birth)
			}
			if (m.age >= 14 && g.chance(0.93)) && !(m.age >= 80 && g.chance(0.45)) {
				r.phone = mobile(g.rng)
			}
			hh.members = append(hh.members, len(g.plan.residents))
			g.plan.residents = append(g.plan.residents, r)
		}
		g.tagHousehold(hh)
	}
}

func (g *planner) area(residence string) string {
	if residence == "huji" {
		return localAreas.pick(g.rng)
	}
	return movedAreas.pick(g.rng)
}

var (
	tagFrom = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	tagTo   = time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC)
)

// tagHousehold sets the focus tags the register keeps by hand: the care groups follow from who
// lives together and how old they are, the others occur at the rates of an ordinary town.
func (g *planner) tagHousehold(hh *householdPlan) {
	rs := make([]*residentPlan, len(hh.members))
	allOld, workingAge, minors := true, 0, 0
	for i, ri := range hh.members {
		rs[i] = &g.plan.residents[ri]
		a := rs[i].age()
		allOld = allOld && a >= 60
		if a >= 18 && a < 60 {
			workingAge++
		}
		if a < 18 {
			minors++
		}
	}
	since := func() time.Time { return g.dayBetween(tagFrom, tagTo) }
	dibao := hh.kind != "collective" && (g.chance(0.02) || (len(rs) == 1 && allOld && g.chance(0.05)) ||
		(workingAge == 1 && minors > 0 && g.chance(0.12)))
	for _, r := range rs {
		a := r.age()
		switch {
		case len(rs) == 1 && a >= 60:
			r.tag("elderly_alone", since())
		case len(rs) > 1 && allOld:
			r.tag("empty_nest", since())
		}
		if (a >= 85 && g.chance(0.18)) || (a >= 70 && g.chance(0.05)) {
			r.tag("disabled_care", since())
		}
		if g.chance(0.016) || (a >= 60 && g.chance(0.025)) {
			r.tag("disability", since())
		}
		if dibao {
			r.tag("dibao", since())
		}
		if a < 16 && workingAge == 0 && hh.kind != "collective" {
			r.tag("left_behind_child", since())
		}
		if a < 18 && ((dibao && workingAge <= 1) || g.chance(0.004)) {
			r.tag("child_in_distress", since())
		}
		if a >= 30 && ((r.gender == "M" && g.chance(0.04)) || g.chance(0.0015)) {
			r.tag("veteran", since())
		}
		if a >= 18 && a < 70 && g.chance(0.005) {
			r.tag("focus", since())
		}
	}
}
