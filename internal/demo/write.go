package demo

import (
	"context"
	"fmt"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/db"
	"linli/internal/pii"
	"linli/internal/register"
	"linli/internal/search"
)

// writer writes a plan inside one transaction and keeps the database ids it gets back.
type writer struct {
	s        *site
	d        *db.DB
	sealer   *pii.Sealer
	p        *plan
	accounts []accountPlan
	hash     string

	city, district, street, community *register.Region
	gridIDs                           []int64
	userIDs                           map[string]int64
	buildingIDs                       []int64
	householdIDs                      []int64
	residentIDs                       []int64
	branchIDs                         []int64
	memberIDs                         []int64
	covered                           int
	neighbours                        []*writer // the street's other communities, written after this one
	casesNote                         string    // the cases step's figures, for the one demo.seed audit entry
}

var gridNumerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

func (w *writer) write(ctx context.Context, tx *db.Tx) error {
	// A retried transaction starts again from nothing.
	w.city, w.district, w.street = nil, nil, nil
	w.gridIDs, w.buildingIDs, w.householdIDs, w.residentIDs, w.branchIDs, w.memberIDs = nil, nil, nil, nil, nil, nil
	steps := []func(context.Context, *db.Tx) error{w.regions, w.users, w.buildings, w.households, w.residents,
		w.tags, w.roster, w.orgs, w.members, w.liaisons, w.cases, w.visits, w.mediationStep, w.activities, w.cobuild,
		w.deliberation, w.writeNeighbours}
	for _, step := range steps {
		if err := step(ctx, tx); err != nil {
			return err
		}
	}
	// The cases were written in bulk: the figures' tally is computed from them.
	if err := cases.BuildTallies(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)`,
		markerKey, fmt.Sprint(w.community.ID), time.Now().UTC()); err != nil {
		return err
	}
	r := w.result()
	return audit.Record(ctx, tx, audit.Entry{Action: "demo.seed", ObjectType: "region", ObjectID: w.community.ID,
		RegionID: w.community.ID, Detail: fmt.Sprintf("写入南关社区演示数据：网格%d个、楼院%d个、户%d户、居民%d人、党员%d名、党员联系户%d户、%s",
			r.Grids, r.Buildings, r.Households, r.Residents, r.PartyMembers, r.Liaisons, w.casesNote) + w.neighboursNote()})
}

func (w *writer) result() *Result {
	r := &Result{Accounts: usernames(), Grids: len(w.p.grids), Buildings: len(w.p.buildings),
		Households: len(w.p.households), Residents: len(w.p.residents), PartyMembers: len(w.p.members),
		Liaisons: len(w.p.liaisons), Covered: w.covered}
	if w.community != nil {
		r.CommunityID = w.community.ID
	}
	return r
}

func (w *writer) regions(ctx context.Context, tx *db.Tx) error {
	var err error
	mk := func(parent *register.Region, level register.Level, code, name string) *register.Region {
		if err != nil {
			return nil
		}
		var pid int64
		if parent != nil {
			pid = parent.ID
		}
		var r *register.Region
		r, err = register.CreateRegion(ctx, tx, register.NewRegion{ParentID: pid, Level: level, Code: code, Name: name})
		return r
	}
	if w.street == nil { // a neighbour is written into the street its main community's writer made
		w.city = mk(nil, register.LevelCity, "620700", "张掖市")
		w.district = mk(w.city, register.LevelDistrict, "620702", "甘州区")
		w.street = mk(w.district, register.LevelStreet, "620702001", "南街街道")
	}
	w.community = mk(w.street, register.LevelCommunity, w.s.code, w.s.name)
	for _, gp := range w.p.grids {
		r := mk(w.community, register.LevelGrid, fmt.Sprintf("%s%02d", w.community.Code, gp.number), w.s.gridName(gp.number))
		if err != nil {
			return fmt.Errorf("region: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO grids (id, community_id, number, kind, boundary, note, updated_at)
			VALUES ($1, $2, $3, 'basic', $4, $5, $6)`, r.ID, w.community.ID, gp.number, gp.cell.geoJSON(),
			"主要街巷："+gp.street, recorded); err != nil {
			return fmt.Errorf("grid %d: %w", gp.number, err)
		}
		w.gridIDs = append(w.gridIDs, r.ID)
	}
	return err
}

func (w *writer) users(ctx context.Context, tx *db.Tx) error {
	svc := auth.NewService(w.d, auth.Config{})
	w.userIDs = map[string]int64{}
	for _, a := range w.accounts {
		region := map[string]int64{"district": w.district.ID, "street": w.street.ID, "community": w.community.ID}[a.level]
		if a.level == "grid" {
			region = w.gridIDs[a.grid]
		}
		id, err := svc.CreateUser(ctx, tx, auth.NewUser{Username: a.username, Name: a.name, PasswordHash: w.hash,
			Role: a.role, RegionID: region, OrgName: a.org})
		if err != nil {
			return fmt.Errorf("user %s: %w", a.username, err)
		}
		w.userIDs[a.username] = id
	}
	return nil
}

func (w *writer) buildings(ctx context.Context, tx *db.Tx) error {
	rows := make([][]any, len(w.p.buildings))
	for i, b := range w.p.buildings {
		gid := w.gridIDs[b.grid]
		rows[i] = []any{gid, w.community.ID, gid, b.name, b.address, b.kind, b.at.Lon, b.at.Lat, b.units, b.floors, recorded, recorded,
			register.NaturalKey(b.name)}
	}
	if err := db.InsertRows(ctx, tx, "buildings", []string{"region_id", "community_id", "grid_id", "name", "address", "kind",
		"lon", "lat", "units", "floors", "created_at", "updated_at", "sort_name"}, nil, rows); err != nil {
		return err
	}
	ids, err := idsByKey(ctx, tx, `SELECT id, name FROM buildings WHERE community_id = $1`, w.community.ID)
	if err != nil {
		return err
	}
	for _, b := range w.p.buildings {
		w.buildingIDs = append(w.buildingIDs, ids[b.name])
	}
	return nil
}

func (w *writer) households(ctx context.Context, tx *db.Tx) error {
	rows := make([][]any, len(w.p.households))
	for i, h := range w.p.households {
		b := w.p.buildings[h.building]
		rows[i] = []any{w.gridIDs[b.grid], w.community.ID, w.buildingIDs[h.building], h.unit, h.room, h.kind, recorded, recorded}
	}
	if err := db.InsertRows(ctx, tx, "households", []string{"region_id", "community_id", "building_id", "unit", "room", "kind",
		"created_at", "updated_at"}, nil, rows); err != nil {
		return err
	}
	ids, err := idsByKey(ctx, tx, `SELECT id, CAST(building_id AS TEXT) || '|' || unit || '|' || room FROM households
		WHERE community_id = $1`, w.community.ID)
	if err != nil {
		return err
	}
	for _, h := range w.p.households {
		w.householdIDs = append(w.householdIDs, ids[fmt.Sprintf("%d|%s|%s", w.buildingIDs[h.building], h.unit, h.room)])
	}
	return nil
}

func (w *writer) residents(ctx context.Context, tx *db.Tx) error {
	rows := make([][]any, len(w.p.residents))
	for i, r := range w.p.residents {
		h := w.p.households[r.household]
		created := recorded
		if c := r.birth.AddDate(0, 0, 40); c.After(created) {
			created = c
		}
		rows[i] = []any{w.gridIDs[w.p.buildings[h.building].grid], w.community.ID, w.householdIDs[r.household], r.name,
			r.gender, r.birth.Format("2006-01-02"), orNull(w.sealer.Seal(r.id)), orNull(w.sealer.Index(r.id)), pii.MaskID(r.id),
			orNull(w.sealer.Seal(r.phone)), orNull(w.sealer.Index(r.phone)), pii.MaskPhone(r.phone), r.relation, r.residence,
			r.ethnicity, created, created}
	}
	if err := db.InsertRows(ctx, tx, "residents", []string{"region_id", "community_id", "household_id", "name", "gender",
		"birth_date", "id_enc", "id_index", "id_masked", "phone_enc", "phone_index", "phone_masked", "relation",
		"residence_type", "ethnicity", "created_at", "updated_at"}, nil, rows); err != nil {
		return err
	}
	ids, err := idsByKey(ctx, tx, `SELECT id, CAST(household_id AS TEXT) || '|' || name FROM residents WHERE community_id = $1`, w.community.ID)
	if err != nil {
		return err
	}
	fts := make([][]any, len(w.p.residents))
	for i, r := range w.p.residents {
		id := ids[fmt.Sprintf("%d|%s", w.householdIDs[r.household], r.name)]
		w.residentIDs = append(w.residentIDs, id)
		h := w.p.households[r.household]
		fts[i] = []any{id, search.Tokens(r.name + " " + w.p.buildings[h.building].address + h.unit + h.room)}
	}
	if err := db.InsertRows(ctx, tx, "resident_fts", []string{"rowid", "tokens"}, func(col int, ph string) string {
		if col == 1 {
			return tx.Dialect.FTSValue(ph)
		}
		return ph
	}, fts); err != nil {
		return err
	}
	return register.CountCommunityBuildings(ctx, tx, w.community.ID)
}

func (w *writer) tags(ctx context.Context, tx *db.Tx) error {
	var rows [][]any
	for i, r := range w.p.residents {
		region := w.gridIDs[w.p.gridOf(i)]
		for _, t := range r.tags {
			rows = append(rows, []any{w.residentIDs[i], t.tag, region, t.since})
		}
	}
	return db.InsertRows(ctx, tx, "resident_tags", []string{"resident_id", "tag", "region_id", "since"}, nil, rows)
}

func (w *writer) roster(ctx context.Context, tx *db.Tx) error {
	rows := make([][]any, len(w.p.roster))
	for i, r := range w.p.roster {
		var user, building any
		if r.username != "" {
			user = w.userIDs[r.username]
		}
		if r.building >= 0 {
			building = w.buildingIDs[r.building]
		}
		gid := w.gridIDs[r.grid]
		rows[i] = []any{gid, gid, r.duty, r.name, orNull(w.sealer.Seal(r.phone)), orNull(w.sealer.Index(r.phone)),
			pii.MaskPhone(r.phone), user, building, r.note, recorded, recorded}
	}
	return db.InsertRows(ctx, tx, "grid_roster", []string{"grid_id", "region_id", "duty", "name", "phone_enc", "phone_index",
		"phone_masked", "user_id", "building_id", "note", "created_at", "updated_at"}, nil, rows)
}

// idsByKey runs a query of (id, key) rows and returns the ids by key.
func idsByKey(ctx context.Context, tx *db.Tx, query string, args ...any) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, err
		}
		out[key] = id
	}
	return out, rows.Err()
}
