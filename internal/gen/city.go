package gen

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"linli/internal/demo"
	"linli/internal/pii"
	"linli/internal/register"
	"linli/internal/search"
)

// recorded is when the register was first filled in, relative to the start of the history.
func (c *city) recorded() time.Time { return c.start.AddDate(0, -1, 0) }

// city is the plan of the regions, drawn up front, and the running id counters.
type city struct {
	opt         Options
	sealer      *pii.Sealer
	cats        []category
	start       time.Time
	cityID      int64
	districts   []region
	streets     []region
	communities []community
	next        map[string]int64 // next id per table
	out         *emitter
}

type region struct {
	id, parent int64
	code, name string
}

type community struct {
	region
	street int // index into city.streets
	seed   uint64
	cell   quad
	grids  []grid
	admin  int64 // the community admin account
}

type grid struct {
	region
	number int
	cell   quad
	street string
	worker int64 // the grid worker account
	branch int64 // the party branch
}

var (
	districtNames = []string{"甘州区", "城东区", "城西区", "城南区", "城北区", "滨河新区", "高新区", "经开区", "丹霞区", "湿地新区"}
	streetNames   = []string{"东街", "西街", "南街", "北街", "火车站", "新墩", "梁家墩", "长安", "上秦", "大满", "沙井", "乌江",
		"甘浚", "党寨", "碱滩", "三闸", "小满", "明永", "龙渠", "安阳", "花寨", "靖安", "平原", "西洞", "马神庙", "鼓楼",
		"钟楼", "青年", "民主", "县府", "南环", "北环", "西环", "东环", "滨河", "祁连", "黑河", "玉水", "金安", "润泉"}
	communityNames = []string{"南关", "北关", "西关", "东关", "青年", "民主", "县府", "鼓楼", "钟楼", "丹霞", "湿地", "滨河",
		"玉水", "金安", "祁连", "甘泉", "康宁", "润泉", "和平", "兴隆", "新乐", "长城", "友谊", "胜利", "建设", "光明",
		"幸福", "团结", "文化", "育才", "花园", "银河", "泰安", "永安", "长寿", "富民", "红星", "东方", "阳光", "佳苑",
		"馨园", "怡景", "福润", "南湖", "西湖", "北湖", "金城", "新华", "振兴", "安居"}
	roadNames = []string{"县府街", "南大街", "北大街", "东大街", "西大街", "青年街", "民主街", "环城路", "滨河路", "祁连路",
		"丹霞路", "甘泉路", "玉水路", "长沙门路", "饮马桥路", "仓门街", "西来寺路", "马神庙街", "河西路", "金安路"}
	estateNames = []string{"小区", "花园", "家园", "苑", "新村", "佳苑", "雅居", "嘉园"}
	unitNames   = []string{"粮食局", "供电公司", "二中", "医院", "交通局", "邮政局", "建设银行", "农机公司", "水务局",
		"林业局", "税务局", "自来水公司", "运输公司", "百货公司", "电信公司", "一中", "法院", "检察院"}
)

func nameOf(pool []string, i int) string {
	if i < len(pool) {
		return pool[i]
	}
	return pool[i%len(pool)] + strconv.Itoa(i/len(pool)+1)
}

// mix derives the seed of one community from the run's seed.
func mix(seed uint64, k int) uint64 {
	x := seed ^ (uint64(k)+1)*0x9e3779b97f4a7c15
	x ^= x >> 31
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	return x
}

func newCity(opt Options, sealer *pii.Sealer, cats []category) *city {
	c := &city{opt: opt, sealer: sealer, cats: cats, next: map[string]int64{},
		start: opt.Until.AddDate(-opt.Years, 0, 0)}
	n := max(1, int(math.Round(float64(opt.Residents)/ResidentsPerCommunity)))
	rng := rand.New(rand.NewPCG(opt.Seed, 0x6c696e6c69))
	cells := cityCells(n, rng)
	c.cityID = c.id("regions")
	nStreets := (n + 7) / 8
	nDistricts := (nStreets + 5) / 6
	for i := 0; i < nDistricts; i++ {
		c.districts = append(c.districts, region{id: c.id("regions"), parent: c.cityID,
			code: fmt.Sprintf("6207%02d", i+1), name: nameOf(districtNames, i)})
	}
	for i := 0; i < nStreets; i++ {
		d := c.districts[i*nDistricts/nStreets]
		c.streets = append(c.streets, region{id: c.id("regions"), parent: d.id,
			code: fmt.Sprintf("%s%03d", d.code, i+1), name: nameOf(streetNames, i) + "街道"})
	}
	for i := 0; i < n; i++ {
		si := i * nStreets / n
		s := c.streets[si]
		cm := community{street: si, seed: mix(opt.Seed, i), cell: cells[i]}
		cm.region = region{id: c.id("regions"), parent: s.id, code: fmt.Sprintf("%s%03d", s.code, i+1),
			name: nameOf(communityNames, i) + "社区"}
		grng := rand.New(rand.NewPCG(cm.seed, 1))
		shape := [][2]int{{4, 2}, {5, 2}, {3, 3}, {4, 3}}[grng.IntN(4)]
		for k, q := range tiles(cm.cell, shape[0], shape[1], grng) {
			cm.grids = append(cm.grids, grid{number: k + 1, cell: q, street: roadNames[grng.IntN(len(roadNames))],
				region: region{id: c.id("regions"), parent: cm.id, code: fmt.Sprintf("%s%02d", cm.code, k+1),
					name: fmt.Sprintf("%s第%d网格", cm.name, k+1)}})
		}
		c.communities = append(c.communities, cm)
	}
	return c
}

// id returns the next id of table; ids start at 1 in an empty database.
func (c *city) id(table string) int64 {
	c.next[table]++
	return c.next[table]
}

// generate emits every row of the city, community by community.
func (c *city) generate(ctx context.Context, emit func(batch) bool) error {
	c.out = newEmitter(emit)
	c.regions()
	for i := range c.communities {
		if c.out.stopped || ctx.Err() != nil {
			return ctx.Err()
		}
		c.community(&c.communities[i])
	}
	c.out.flushAll()
	if c.out.stopped {
		return ctx.Err()
	}
	return nil
}

func (c *city) regions() {
	at := c.recorded()
	o := c.out
	path := map[int64]string{c.cityID: "/" + strconv.FormatInt(c.cityID, 10) + "/"}
	add := func(r region, level string) {
		path[r.id] = path[r.parent] + strconv.FormatInt(r.id, 10) + "/"
		o.row("regions", r.id, r.parent, level, r.code, r.name, path[r.id], at)
	}
	o.row("regions", c.cityID, nil, "city", "620700", "张掖市", path[c.cityID], at)
	user := func(username, role string, regionID int64, name string) int64 {
		id := c.id("users")
		o.row("users", id, username, name, c.opt.PasswordHash, role, regionID, "", at, at, at)
		return id
	}
	staff := demo.NewPeople(mix(c.opt.Seed, -1))
	name := func() string {
		g := []string{"M", "F"}[len(c.next)%2]
		return staff.Name(g, time.Date(1980, 6, 1, 0, 0, 0, 0, time.UTC))
	}
	for _, r := range c.districts {
		add(r, "district")
		user("d"+r.code, "district_admin", r.id, name())
	}
	for _, r := range c.streets {
		add(r, "street")
		user("s"+r.code, "street_admin", r.id, name())
	}
	for i := range c.communities {
		cm := &c.communities[i]
		add(cm.region, "community")
		cm.admin = user("c"+cm.code, "community_admin", cm.id, name())
		for k := range cm.grids {
			g := &cm.grids[k]
			add(g.region, "grid")
			o.row("grids", g.id, cm.id, g.number, "basic", g.cell.geoJSON(), "主要街巷："+g.street, at)
			g.worker = user("g"+g.code, "grid_worker", g.id, name())
		}
	}
}

// household is a door of a building, with its residents' ids.
type household struct {
	id, grid, building int64
	address            string
	residents          []resident
}

type resident struct {
	id    int64
	p     demo.Person
	phone []byte // sealed phone, reused for the party member and case reporter
}

type building struct {
	id, grid      int64
	name, address string
	kind          string
	units, floors int
	at            pt
	// households and residents: its household_count and resident_count (every resident generated
	// is on the register)
	households, residents int
}

// community writes one community: its register, party, cases and visits.
func (c *city) community(cm *community) {
	rng := rand.New(rand.NewPCG(cm.seed, 2))
	people := demo.NewPeople(cm.seed)
	target := ResidentsPerCommunity
	if len(c.communities) == 1 {
		target = c.opt.Residents
	} else if n := len(c.communities); cm == &c.communities[n-1] {
		target = max(500, c.opt.Residents-ResidentsPerCommunity*(n-1))
	}
	perGrid := (target + len(cm.grids) - 1) / len(cm.grids)
	var buildings []building
	var households []household
	at := c.recorded()
	estate := 0
	for gi := range cm.grids {
		g := &cm.grids[gi]
		count := 0
		var gbs []building
		houseNo := 1 + rng.IntN(30)
		for count < perGrid {
			kind := "building"
			r := rng.Float64()
			switch {
			case r < 0.15:
				kind = "courtyard"
			case r < 0.27:
				kind = "bungalow"
			}
			houseNo += 1 + rng.IntN(6)
			b := building{id: c.id("buildings"), grid: g.id}
			var doors [][2]string
			units, floors := 1, 1
			switch kind {
			case "building":
				units, floors = 2+rng.IntN(2), []int{5, 6, 6, 7, 11, 18}[rng.IntN(6)]
				b.name = fmt.Sprintf("%s%s%d号楼", cm.name[:len(cm.name)-len("社区")], estateNames[estate%len(estateNames)], len(gbs)+1)
			case "courtyard":
				units, floors = 1+rng.IntN(3), 3+rng.IntN(3)
				b.name = fmt.Sprintf("%s家属院%d号楼", unitNames[(estate+gi)%len(unitNames)], len(gbs)+1)
			default:
				b.name = fmt.Sprintf("%s%d号平房院", g.street, houseNo)
			}
			b.name = fmt.Sprintf("%d区%s", gi+1, b.name) // unique in the community
			b.address = fmt.Sprintf("%s%d号", g.street, houseNo)
			if kind == "bungalow" {
				for d, n := 1, 4+rng.IntN(7); d <= n; d++ {
					doors = append(doors, [2]string{"", fmt.Sprintf("%d号", d)})
				}
			} else {
				for u := 1; u <= units; u++ {
					for f := 1; f <= floors; f++ {
						for d := 1; d <= 2; d++ {
							doors = append(doors, [2]string{fmt.Sprintf("%d单元", u), fmt.Sprintf("%d%02d", f, d)})
						}
					}
				}
			}
			for _, door := range doors {
				hk := people.HouseholdKind(kind)
				h := household{id: c.id("households"), grid: g.id, building: b.id,
					address: b.address + b.name + door[0] + door[1]}
				if count < perGrid {
					for _, p := range people.Household(hk) {
						h.residents = append(h.residents, resident{id: c.id("residents"), p: p})
					}
				} else {
					hk = "vacant"
				}
				count += len(h.residents)
				b.households++
				b.residents += len(h.residents)
				c.out.row("households", h.id, g.id, cm.id, b.id, door[0], door[1], hk, at, at)
				households = append(households, h)
			}
			b.kind, b.units, b.floors = kind, units, floors
			gbs = append(gbs, b)
		}
		// Lay the grid's buildings out in rows inside its cell, away from the edges.
		cols := int(math.Ceil(math.Sqrt(float64(len(gbs)) * 1.4)))
		rows := (len(gbs) + cols - 1) / cols
		for k := range gbs {
			u := 0.1 + 0.8*(float64(k%cols)+0.5+(rng.Float64()-0.5)*0.5)/float64(cols)
			v := 0.1 + 0.8*(float64(k/cols)+0.5+(rng.Float64()-0.5)*0.5)/float64(rows)
			b := &gbs[k]
			b.at = g.cell.at(u, v)
			c.out.row("buildings", b.id, g.id, cm.id, g.id, b.name, b.address, b.kind, b.at.Lon, b.at.Lat, b.units, b.floors, at, at,
				register.NaturalKey(b.name), b.households, b.residents)
		}
		buildings = append(buildings, gbs...)
		estate++
	}
	people.ForgetIDs()
	c.residents(cm, households, buildings)
	c.party(cm, households, rng)
	c.cases(cm, households, buildings, rng)
	c.visits(cm, households, rng)
}

func (c *city) residents(cm *community, households []household, _ []building) {
	o := c.out
	at := c.recorded()
	for hi := range households {
		h := &households[hi]
		for ri := range h.residents {
			r := &h.residents[ri]
			p := r.p
			created := at
			if b := p.Birth.AddDate(0, 0, 40); b.After(created) {
				created = b
			}
			r.phone = c.sealer.Seal(p.Phone)
			o.row("residents", r.id, h.grid, cm.id, h.id, p.Name, p.Gender, p.Birth.Format("2006-01-02"),
				orNull(c.sealer.Seal(p.ID)), orNull(c.sealer.Index(p.ID)), pii.MaskID(p.ID),
				orNull(r.phone), orNull(c.sealer.Index(p.Phone)), pii.MaskPhone(p.Phone), p.Relation, p.Residence,
				p.Ethnicity, created, created)
			for _, t := range p.Tags {
				o.row("resident_tags", r.id, t.Code, h.grid, t.Since)
			}
			o.row("resident_fts", r.id, search.Tokens(p.Name+" "+h.address))
		}
	}
}

// party writes the community committee, one branch per grid and the members among the adults.
func (c *city) party(cm *community, households []household, rng *rand.Rand) {
	o := c.out
	at := c.recorded()
	committee := c.id("party_orgs")
	o.row("party_orgs", committee, cm.id, nil, "committee", "中共"+cm.name+"委员会", nil, "", "2008-07-01", at, at)
	byGrid := map[int64]int64{}
	for k := range cm.grids {
		g := &cm.grids[k]
		g.branch = c.id("party_orgs")
		byGrid[g.id] = g.branch
		o.row("party_orgs", g.branch, g.id, committee, "branch", fmt.Sprintf("%s第%d网格党支部", cm.name, g.number), g.id, "", "2018-07-01", at, at)
		o.row("grid_roster", c.id("grid_roster"), g.id, g.id, "worker_full", "网格员", nil, nil, "", g.worker, at, at)
	}
	for _, h := range households {
		for _, r := range h.residents {
			age := c.opt.Until.Year() - r.p.Birth.Year()
			if age < 20 || rng.Float64() >= 0.07 {
				continue
			}
			joined := r.p.Birth.AddDate(19+rng.IntN(min(age-19, 40)+1), 0, rng.IntN(365))
			if joined.After(c.opt.Until) {
				joined = c.opt.Until.AddDate(0, -1, 0)
			}
			emp := "employed"
			if age >= 60 {
				emp = "retired"
			}
			o.row("party_members", c.id("party_members"), h.grid, byGrid[h.grid], r.id, r.p.Name, r.p.Gender, orNull(r.phone),
				orNull(c.sealer.Index(r.p.Phone)), pii.MaskPhone(r.p.Phone), joined.Format("2006-01-02"), "full", "resident", emp, at, at)
		}
	}
}

// orNull turns an empty value into SQL NULL, so that an absent number has no blind index.
func orNull[T string | []byte](v T) any {
	if len(v) == 0 {
		return nil
	}
	return v
}
