package demo_test

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/demo"
	"linli/internal/fixture"
	"linli/internal/pii"
	"linli/internal/register"
)

const testKey = "demo-test-key-0123456789abcdef0123456789abcdef"

var (
	hashOnce sync.Once
	hash     string
)

func passwordHash(t testing.TB) string {
	hashOnce.Do(func() {
		h, err := auth.HashPassword("Demo-Test-Pass-1")
		if err != nil {
			t.Fatal(err)
		}
		hash = h
	})
	return hash
}

func build(t testing.TB, d *db.DB) (*demo.Result, *pii.Sealer) {
	t.Helper()
	sealer, err := pii.NewSealer(testKey)
	if err != nil {
		t.Fatal(err)
	}
	res, err := demo.Build(context.Background(), d, sealer, demo.Options{PasswordHash: passwordHash(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo built in %s: %d buildings, %d households, %d residents, %d party members, %d covered households",
		res.Took, res.Buildings, res.Households, res.Residents, res.PartyMembers, res.Covered)
	return res, sealer
}

func count(t testing.TB, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestBuild(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		res, sealer := build(t, d)
		// Nanguan's own rows: the street holds two smaller neighbours as well (checked below).
		ng := int64(count(t, d, `SELECT id FROM regions WHERE code = '620702001001'`))
		const ngGrids = `(SELECT id FROM regions WHERE parent_id = $1)`

		t.Run("Nanguan sits under 南街街道, 甘州区, 张掖市 with GB/T 2260 codes", func(t *testing.T) {
			var path string
			if err := d.R.QueryRow(`SELECT path FROM regions WHERE code = '620702001001' AND name = '南关社区'`).Scan(&path); err != nil {
				t.Fatal(err)
			}
			for _, code := range []string{"620700", "620702", "620702001"} {
				var id int64
				if err := d.R.QueryRow(`SELECT id FROM regions WHERE code = $1`, code).Scan(&id); err != nil {
					t.Fatalf("region %s: %v", code, err)
				}
				if !strings.Contains(path, "/"+itoa(id)+"/") {
					t.Errorf("region %s is not above the community (path %s)", code, path)
				}
			}
		})

		t.Run("has exactly 10 grids numbered 01 to 10 under the community", func(t *testing.T) {
			if n := count(t, d, `SELECT COUNT(*) FROM grids g JOIN regions r ON r.id = g.id
				WHERE r.code = '620702001001' || (CASE WHEN g.number < 10 THEN '0' ELSE '' END) || CAST(g.number AS TEXT)`); n != 10 {
				t.Fatalf("grids = %d", n)
			}
		})

		t.Run("the grid polygons tile the community: no overlap, no gap", func(t *testing.T) {
			tiles(t, gridPolygons(t, d, ng, 10))
		})

		t.Run("every building's point lies inside its own grid's polygon and no other", func(t *testing.T) {
			polys := gridPolygons(t, d, 0, 17) // every grid of the street: a building lies in no other community's grid either
			rows, err := d.R.Query(`SELECT name, grid_id, region_id, lon, lat FROM buildings`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var name string
				var grid, region int64
				var lon, lat float64
				if err := rows.Scan(&name, &grid, &region, &lon, &lat); err != nil {
					t.Fatal(err)
				}
				n++
				if grid != region {
					t.Errorf("%s: region %d is not its grid %d", name, region, grid)
				}
				for id, poly := range polys {
					if inside(poly, lon, lat) != (id == grid) {
						t.Errorf("%s (%f, %f): inside grid %d = %v, building's grid %d", name, lon, lat, id, id != grid, grid)
					}
				}
			}
			want := res.Buildings
			for _, nb := range res.Neighbours {
				want += nb.Buildings
			}
			if n != want || res.Buildings < 100 || count(t, d, `SELECT COUNT(*) FROM buildings WHERE community_id = $1`, ng) != res.Buildings {
				t.Fatalf("buildings = %d (result says %d, Nanguan %d)", n, want, res.Buildings)
			}
		})

		t.Run("has about 3,000 households of every kind and about 8,000 residents", func(t *testing.T) {
			if n := count(t, d, `SELECT COUNT(*) FROM households WHERE community_id = $1`, ng); n < 2700 || n > 3400 {
				t.Errorf("households = %d", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM residents WHERE community_id = $1`, ng); n < 7200 || n > 8800 {
				t.Errorf("residents = %d", n)
			}
			for _, kind := range []string{"owner", "rented", "vacant", "collective"} {
				if n := count(t, d, `SELECT COUNT(*) FROM households WHERE kind = $1`, kind); n == 0 {
					t.Errorf("no %s households", kind)
				}
			}
			if n := count(t, d, `SELECT COUNT(*) FROM households h WHERE kind = 'vacant' AND EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id)`); n != 0 {
				t.Errorf("%d vacant households have residents", n)
			}
			if n := fixture.MiscountedBuildings(t, d); n != 0 {
				t.Errorf("%d buildings keep counts other than their rows'", n)
			}
		})

		t.Run("every household's place is in the canonical form, and a party's address writes 单元 once", func(t *testing.T) {
			var bad []string
			rows, err := d.R.Query(`SELECT h.unit, h.room, b.kind FROM households h JOIN buildings b ON b.id = h.building_id`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var unit, room, kind string
				rows.Scan(&unit, &room, &kind)
				if register.CanonUnit(unit) != unit || register.CanonDoor(room, kind) != room {
					bad = append(bad, kind+" "+unit+" "+room)
				}
			}
			rows.Close()
			if len(bad) > 0 {
				t.Errorf("%d households not in the canonical form, e.g. %q", len(bad), bad[0])
			}
			if n := count(t, d, `SELECT COUNT(*) FROM mediation_parties WHERE address LIKE '%单元单元%' OR address LIKE '%号单元%'`); n != 0 {
				t.Errorf("%d mediation parties' addresses repeat 单元", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM mediation_parties WHERE address LIKE '%单元%'`); n == 0 {
				t.Error("no mediation party lives in a block's unit")
			}
		})
		t.Run("every focus tag the register keeps occurs, none of the derived ones is stored", func(t *testing.T) {
			for _, tag := range []string{"elderly_alone", "empty_nest", "disabled_care", "disability", "dibao",
				"left_behind_child", "child_in_distress", "veteran", "focus"} {
				if n := count(t, d, `SELECT COUNT(*) FROM resident_tags WHERE tag = $1`, tag); n < 10 {
					t.Errorf("tag %s: %d residents", tag, n)
				}
			}
			if n := count(t, d, `SELECT COUNT(*) FROM resident_tags WHERE tag IN ('aged_80', 'minor', 'party_member')`); n != 0 {
				t.Errorf("%d derived tags stored", n)
			}
		})

		t.Run("ID numbers decrypt to valid GB 11643 numbers matching birth date and gender", func(t *testing.T) {
			rows, err := d.R.Query(`SELECT id_enc, id_index, id_masked, birth_date, gender FROM residents WHERE id_enc IS NOT NULL AND id % 37 = 0`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var enc []byte
				var index, masked, birth, gender string
				if err := rows.Scan(&enc, &index, &masked, &birth, &gender); err != nil {
					t.Fatal(err)
				}
				plain, err := sealer.Open(enc)
				if err != nil {
					t.Fatal(err)
				}
				id, err := pii.NormalizeID(plain)
				if err != nil {
					t.Fatalf("%s: %v", masked, err)
				}
				if b, _ := pii.BirthFromID(id); b != birth || pii.GenderFromID(id) != gender || !strings.HasPrefix(id, "62") {
					t.Errorf("%s: birth %s gender %s do not match", masked, birth, gender)
				}
				if sealer.Index(id) != index || masked != pii.MaskID(id) {
					t.Errorf("%s: index or mask does not match the number", masked)
				}
				n++
			}
			if n < 100 {
				t.Fatalf("only %d sampled", n)
			}
		})

		t.Run("the party chain: one committee, a branch with a secretary in each grid", func(t *testing.T) {
			if n := count(t, d, `SELECT COUNT(*) FROM party_orgs WHERE kind = 'committee' AND name = '南关社区党委'`); n != 1 {
				t.Errorf("committees = %d", n)
			}
			if n := count(t, d, `SELECT COUNT(DISTINCT o.grid_id) FROM party_orgs o JOIN party_orgs c ON c.id = o.parent_id
				WHERE o.kind = 'branch' AND o.region_id = o.grid_id AND o.secretary <> '' AND c.kind = 'committee'
				AND c.region_id = $1 AND o.grid_id IN `+ngGrids, ng); n != 10 {
				t.Errorf("branches = %d", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM party_members WHERE region_id IN `+ngGrids, ng); n < 250 || n > 600 {
				t.Errorf("party members = %d", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM party_members WHERE kind = 'in_service' AND registered_on <> '' AND home_org <> ''
				AND region_id IN `+ngGrids, ng); n < 20 {
				t.Errorf("in-service members registered = %d", n)
			}
		})

		t.Run("exactly 96 liaison households each cover 5 to 20 households of their own grid, none twice", func(t *testing.T) {
			if n := count(t, d, `SELECT COUNT(*) FROM liaison_households WHERE region_id IN `+ngGrids, ng); n != 96 {
				t.Fatalf("liaison households = %d", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM (SELECT liaison_id FROM liaison_covers WHERE region_id IN `+ngGrids+`
				GROUP BY liaison_id HAVING COUNT(*) BETWEEN 5 AND 20) x`, ng); n != 96 {
				t.Errorf("liaison households covering 5–20 = %d", n)
			}
			if n := count(t, d, `SELECT COUNT(*) - COUNT(DISTINCT household_id) FROM liaison_covers`); n != 0 {
				t.Errorf("%d households covered twice", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM liaison_covers c JOIN liaison_households l ON l.id = c.liaison_id
				JOIN households h ON h.id = c.household_id JOIN households lh ON lh.id = l.household_id
				WHERE h.region_id <> lh.region_id OR h.kind = 'vacant'
				   OR c.household_id IN (SELECT household_id FROM liaison_households)`); n != 0 {
				t.Errorf("%d covers outside the grid, vacant or themselves liaison households", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM liaison_households l JOIN party_members m ON m.id = l.member_id
				JOIN residents r ON r.id = m.resident_id WHERE r.household_id = l.household_id AND r.community_id = $1`, ng); n != 96 {
				t.Errorf("liaison households whose member lives there = %d", n)
			}
		})

		t.Run("every grid's roster has one full-time leader with an account, and all sectors", func(t *testing.T) {
			if n := count(t, d, `SELECT COUNT(DISTINCT r.grid_id) FROM grid_roster r JOIN users u ON u.id = r.user_id
				WHERE r.duty = 'grid_leader' AND u.role = 'grid_leader' AND u.region_id = r.grid_id AND r.grid_id IN `+ngGrids, ng); n != 10 {
				t.Errorf("grids with a leader account = %d", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM grid_roster WHERE duty = 'grid_leader' AND grid_id IN `+ngGrids, ng); n != 10 {
				t.Errorf("grid leaders = %d", n)
			}
			for _, duty := range []string{"worker_full", "worker_part", "building_leader", "police", "urban", "zongzhi", "minzheng", "branch_secretary"} {
				if n := count(t, d, `SELECT COUNT(DISTINCT grid_id) FROM grid_roster WHERE grid_id IN `+ngGrids+` AND duty = $2`, ng, duty); n != 10 {
					t.Errorf("grids with %s = %d", duty, n)
				}
			}
			if n := count(t, d, `SELECT COUNT(*) FROM grid_roster WHERE phone_masked NOT LIKE '1__****____'`); n != 0 {
				t.Errorf("%d roster phones not masked", n)
			}
		})

		t.Run("creates the demo accounts with their roles and regions", func(t *testing.T) {
			want := map[string][2]string{
				"admin": {"community_admin", "620702001001"}, "street": {"street_admin", "620702001"},
				"district": {"district_admin", "620702"}, "grid01": {"grid_leader", "62070200100101"},
				"grid10": {"grid_leader", "62070200100110"}, "worker07": {"grid_worker", "62070200100107"},
				"mediator03": {"mediator", "620702001001"}, "security": {"security_admin", "620702"},
				"auditor": {"auditor", "620702"}, "unit01": {"unit_contact", "620702001001"},
				"unit12": {"unit_contact", "620702001001"}, "dept01": {"department", "620702"},
			}
			for user, w := range want {
				if n := count(t, d, `SELECT COUNT(*) FROM users u JOIN regions r ON r.id = u.region_id
					WHERE u.username = $1 AND u.role = $2 AND r.code = $3`, user, w[0], w[1]); n != 1 {
					t.Errorf("%s: not a %s of %s", user, w[0], w[1])
				}
			}
			// 29 staff accounts (dept01 among them) and the 12 co-building units' contacts unit01…unit12,
			// then the neighbours' admins, grid leaders and workers: 西关 1+4+4, 仓门 1+3+3.
			if len(res.Accounts) != 57 || count(t, d, `SELECT COUNT(*) FROM users`) != 57 {
				t.Errorf("accounts = %d", len(res.Accounts))
			}
			if n := count(t, d, `SELECT COUNT(*) FROM users WHERE region_id = $1 OR region_id IN `+ngGrids, ng); n != 36 {
				t.Errorf("Nanguan's accounts = %d, want 36 (admin, 3 mediators, 12 unit contacts, 10 grid leaders, 10 workers)", n)
			}
		})

		t.Run("the street holds two smaller neighbours of Nanguan, drawn and worked the same way", func(t *testing.T) {
			if len(res.Neighbours) != 2 {
				t.Fatalf("neighbours = %+v", res.Neighbours)
			}
			street := count(t, d, `SELECT id FROM regions WHERE code = '620702001'`)
			if n := count(t, d, `SELECT COUNT(*) FROM regions WHERE level = 'community' AND parent_id = $1`, street); n != 3 {
				t.Fatalf("communities of 南街街道 = %d", n)
			}
			// No grid of one community overlaps a grid of another: sample the street's bounding box.
			all := gridPolygons(t, d, 0, 17)
			minX, minY, maxX, maxY := 180.0, 90.0, -180.0, -90.0
			for _, ring := range all {
				for _, p := range ring {
					minX, minY, maxX, maxY = min(minX, p[0]), min(minY, p[1]), max(maxX, p[0]), max(maxY, p[1])
				}
			}
			for i := range 90 {
				for j := range 60 {
					x, y := minX+(maxX-minX)*(float64(i)+0.5)/90, minY+(maxY-minY)*(float64(j)+0.5)/60
					in := 0
					for _, ring := range all {
						if inside(ring, x, y) {
							in++
						}
					}
					if in > 1 {
						t.Fatalf("(%f, %f) lies in %d grids", x, y, in)
					}
				}
			}
			for i, want := range []struct {
				name, code, admin, leader string
				grids, liaisons           int
			}{{"西关社区", "620702001002", "xiguan-admin", "xiguan-grid01", 4, 28}, {"仓门社区", "620702001003", "cangmen-admin", "cangmen-grid01", 3, 22}} {
				nb := res.Neighbours[i]
				id := int64(count(t, d, `SELECT id FROM regions WHERE code = $1 AND name = $2 AND parent_id = $3`, want.code, want.name, street))
				if nb.Name != want.name || nb.CommunityID != id || nb.Grids != want.grids || nb.Admin != want.admin {
					t.Fatalf("%s: result %+v", want.name, nb)
				}
				tiles(t, gridPolygons(t, d, id, want.grids))
				// Smaller than Nanguan: a quarter to a third of its households.
				hh := count(t, d, `SELECT COUNT(*) FROM households WHERE community_id = $1`, id)
				people := count(t, d, `SELECT COUNT(*) FROM residents WHERE community_id = $1`, id)
				if hh != nb.Households || hh < 450 || hh > 1100 || people != nb.Residents || people < hh*2 {
					t.Errorf("%s: %d households, %d residents (result %+v)", want.name, hh, people, nb)
				}
				if n := count(t, d, `SELECT COUNT(*) FROM resident_tags t JOIN residents r ON r.id = t.resident_id
					WHERE r.community_id = $1 AND t.tag IN ('elderly_alone', 'dibao', 'disability')`, id); n < 10 {
					t.Errorf("%s: %d residents with focus tags", want.name, n)
				}
				if n := count(t, d, `SELECT COUNT(DISTINCT o.grid_id) FROM party_orgs o JOIN party_orgs c ON c.id = o.parent_id
					WHERE o.kind = 'branch' AND o.secretary <> '' AND c.kind = 'committee' AND c.region_id = $1 AND c.name = $2`,
					id, want.name+"党委"); n != want.grids {
					t.Errorf("%s: branches = %d", want.name, n)
				}
				if n := count(t, d, `SELECT COUNT(*) FROM liaison_households WHERE region_id IN `+ngGrids, id); n != want.liaisons || nb.Liaisons != n {
					t.Errorf("%s: liaison households = %d", want.name, n)
				}
				for user, role := range map[string]string{want.admin: "community_admin", want.leader: "grid_leader"} {
					if n := count(t, d, `SELECT COUNT(*) FROM users u JOIN regions r ON r.id = u.region_id
						WHERE u.username = $1 AND u.role = $2 AND (r.id = $3 OR r.parent_id = $3)`, user, role, id); n != 1 {
						t.Errorf("%s: %s is not a %s there", want.name, user, role)
					}
				}
				if n := count(t, d, `SELECT COUNT(DISTINCT r.grid_id) FROM grid_roster r JOIN users u ON u.id = r.user_id
					WHERE r.duty = 'grid_leader' AND u.region_id = r.grid_id AND r.grid_id IN `+ngGrids, id); n != want.grids {
					t.Errorf("%s: grids with a leader account = %d", want.name, n)
				}
				// Ordinary work of the past year, none of Nanguan's record of 2024.
				if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE community_id = $1 AND received_at < $2`, id,
					time.Now().AddDate(-1, 0, -2)); n != 0 {
					t.Errorf("%s: %d cases older than a year", want.name, n)
				}
				if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE community_id = $1`, id); n < 30 {
					t.Errorf("%s: %d cases", want.name, n)
				}
				if n := count(t, d, `SELECT COUNT(*) FROM cases WHERE community_id = $1 AND state NOT IN ('closed', 'rejected')`, id); n == 0 {
					t.Errorf("%s: no open case", want.name)
				}
				if n := count(t, d, `SELECT COUNT(*) FROM visits WHERE region_id IN `+ngGrids, id); n < 500 {
					t.Errorf("%s: %d visits", want.name, n)
				}
				if n := count(t, d, `SELECT COUNT(*) FROM mediation_cases WHERE community_id = $1`, id); n != 0 {
					t.Errorf("%s: %d mediation cases (the neighbours keep none)", want.name, n)
				}
			}
		})

		t.Run("refuses a database that already has regions", func(t *testing.T) {
			if _, err := demo.Build(context.Background(), d, sealer, demo.Options{PasswordHash: passwordHash(t)}); err == nil {
				t.Fatal("second build succeeded")
			}
		})
	})
}

func TestBuildIsDeterministic(t *testing.T) {
	snapshot := func() (string, string) {
		d, err := db.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "demo.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		build(t, d)
		var people, counts strings.Builder
		rows, err := d.R.Query(`SELECT r.name, COALESCE(r.id_index, ''), r.birth_date, h.room, b.name FROM residents r
			JOIN households h ON h.id = r.household_id JOIN buildings b ON b.id = h.building_id ORDER BY r.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var a, b, c, e, f string
			if err := rows.Scan(&a, &b, &c, &e, &f); err != nil {
				t.Fatal(err)
			}
			people.WriteString(a + b + c + e + f + "\n")
		}
		for _, q := range []string{"buildings", "households", "residents", "resident_tags", "party_members", "liaison_covers", "grid_roster"} {
			counts.WriteString(q + "=" + itoa(int64(count(t, d, "SELECT COUNT(*) FROM "+q))) + " ")
		}
		return people.String(), counts.String()
	}
	p1, c1 := snapshot()
	p2, c2 := snapshot()
	if c1 != c2 {
		t.Fatalf("counts differ:\n%s\n%s", c1, c2)
	}
	if p1 != p2 {
		t.Fatal("residents differ between two builds with the same seed")
	}
}

func TestDemoAccountsAfterRestart(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	if names, err := demo.Accounts(ctx, d); err != nil || len(names) != 0 {
		t.Fatalf("empty database reports accounts %v (%v)", names, err)
	}
	build(t, d)
	newHash, err := auth.HashPassword("Another-Demo-Pass-2")
	if err != nil {
		t.Fatal(err)
	}
	names, err := demo.ResetPasswords(ctx, d, newHash)
	if err != nil || len(names) != 57 {
		t.Fatalf("reset %d accounts (%v)", len(names), err)
	}
	svc := auth.NewService(d, auth.Config{})
	if _, err := svc.Authenticate(ctx, "grid03", "Another-Demo-Pass-2"); err != nil {
		t.Fatalf("new password refused: %v", err)
	}
}

func TestRandomPasswordMeetsThePasswordRules(t *testing.T) {
	for range 20 {
		p := demo.RandomPassword()
		for _, u := range []string{"admin", "grid01", "security"} {
			if err := auth.ValidatePassword(p, u); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
		}
	}
}

// gridPolygons returns each grid's outer ring: the community's, or every grid's when community is 0.
func gridPolygons(t *testing.T, d *db.DB, community int64, want int) map[int64][][2]float64 {
	rows, err := d.R.Query(`SELECT id, boundary FROM grids WHERE community_id = $1 OR $1 = 0`, community)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][][2]float64{}
	for rows.Next() {
		var id int64
		var boundary string
		if err := rows.Scan(&id, &boundary); err != nil {
			t.Fatal(err)
		}
		var g struct {
			Type        string
			Coordinates [][][2]float64
		}
		if err := json.Unmarshal([]byte(boundary), &g); err != nil || g.Type != "Polygon" || len(g.Coordinates[0]) < 4 {
			t.Fatalf("grid %d boundary %q: %v", id, boundary, err)
		}
		out[id] = g.Coordinates[0]
	}
	if len(out) != want {
		t.Fatalf("grids = %d, want %d", len(out), want)
	}
	return out
}

// tiles checks that the polygons tile their outline: no overlap, no gap.
func tiles(t *testing.T, polys map[int64][][2]float64) {
	t.Helper()
	var all [][2]float64
	sum := 0.0
	for _, ring := range polys {
		sum += area(ring)
		all = append(all, ring[:len(ring)-1]...)
	}
	outer := area(hull(all))
	// Vertices are rounded to 6 decimals (0.1 m), so the outline's straight edges are only
	// nearly straight: allow a relative 1e-4.
	if math.Abs(sum-outer) > outer*1e-4 {
		t.Fatalf("grid areas add up to %g, the community's outline is %g", sum, outer)
	}
	// With areas adding up, a sample point in two polygons would mean an overlap.
	minX, minY, maxX, maxY := 180.0, 90.0, -180.0, -90.0
	for _, p := range all {
		minX, minY, maxX, maxY = min(minX, p[0]), min(minY, p[1]), max(maxX, p[0]), max(maxY, p[1])
	}
	for i := range 60 {
		for j := range 60 {
			x, y := minX+(maxX-minX)*(float64(i)+0.5)/60, minY+(maxY-minY)*(float64(j)+0.5)/60
			in := 0
			for _, ring := range polys {
				if inside(ring, x, y) {
					in++
				}
			}
			if in > 1 {
				t.Fatalf("(%f, %f) lies in %d grids", x, y, in)
			}
		}
	}
}

// inside is the even-odd ray-casting test of a point against a closed ring.
func inside(ring [][2]float64, x, y float64) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		xi, yi, xj, yj := ring[i][0], ring[i][1], ring[j][0], ring[j][1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// area is the shoelace area of a closed ring.
func area(ring [][2]float64) float64 {
	a := 0.0
	for i := 0; i+1 < len(ring); i++ {
		a += ring[i][0]*ring[i+1][1] - ring[i+1][0]*ring[i][1]
	}
	return math.Abs(a) / 2
}

// hull is the convex hull (monotone chain) of points, as a closed ring.
func hull(pts [][2]float64) [][2]float64 {
	sort.Slice(pts, func(i, j int) bool { return pts[i][0] < pts[j][0] || (pts[i][0] == pts[j][0] && pts[i][1] < pts[j][1]) })
	cross := func(o, a, b [2]float64) float64 { return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0]) }
	var h [][2]float64
	for pass := 0; pass < 2; pass++ {
		start := len(h)
		for _, p := range pts {
			for len(h) >= start+2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
				h = h[:len(h)-1]
			}
			h = append(h, p)
		}
		h = h[:len(h)-1]
		slices.Reverse(pts)
	}
	return append(h, h[0])
}
