package demo

import (
	"time"
)

// People draws households of invented residents the way the demo does — family shapes, names of
// the birth decade, fake ID numbers with valid check digits, mobiles and the focus tags at an
// ordinary town's rates — for other builders such as the synthetic city (internal/gen).
type People struct{ g *planner }

// Person is one invented resident drawn by People.
type Person struct {
	Name, Gender string
	Birth        time.Time
	ID, Phone    string // plain numbers: the caller seals them; ID is empty for 境外 residents
	Relation     string // relation to the head: 户主, 配偶, 子 …
	Residence    string // huji, liudong, jizhu, jingwai
	Ethnicity    string
	Tags         []Tag
}

// Tag is a focus tag with the date it was set (YYYY-MM-DD).
type Tag struct{ Code, Since string }

// NewPeople returns a generator drawing from its own random source seeded with seed.
func NewPeople(seed uint64) *People { return &People{g: newPlanner(seed)} }

// HouseholdKind draws the kind of a door in a building of buildingKind (building, courtyard,
// bungalow): owner, rented, vacant or collective.
func (p *People) HouseholdKind(buildingKind string) string { return p.g.householdKind(buildingKind) }

// Household draws the residents of one household of kind (owner, rented, collective), head first;
// a vacant household has none.
func (p *People) Household(kind string) []Person {
	p.g.plan = &plan{households: []householdPlan{{kind: kind}}}
	p.g.people()
	out := make([]Person, len(p.g.plan.residents))
	for i, r := range p.g.plan.residents {
		out[i] = Person{Name: r.name, Gender: r.gender, Birth: r.birth, ID: r.id, Phone: r.phone,
			Relation: r.relation, Residence: r.residence, Ethnicity: r.ethnicity}
		for _, t := range r.tags {
			out[i].Tags = append(out[i].Tags, Tag{Code: t.tag, Since: t.since})
		}
	}
	return out
}

// ForgetIDs forgets the ID numbers issued so far; ID numbers stay unique only since the last call
// (the register requires them unique per community).
func (p *People) ForgetIDs() { p.g.ids.used = map[string]bool{} }

// Name draws a full name for a person of gender born on birth (staff, reporters).
func (p *People) Name(gender string, birth time.Time) string {
	return personName(p.g.rng, gender, birth)
}

// Mobile draws a mobile number.
func (p *People) Mobile() string { return mobile(p.g.rng) }
