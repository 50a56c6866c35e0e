package ledger

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"linli/internal/db"
	"linli/internal/pii"
	"linli/internal/register"
)

// registerState is what a commit needs to know of a community's register, loaded once so that no
// row costs a lookup round trip.
type registerState struct {
	communityID int64
	buildings   map[string]int64 // canonical name → id; 0 when two buildings share it
	buildingOf  map[int64]buildingRef
	households  map[householdKey]existingHousehold
	byIndex     map[string]*existingResident
	byName      map[householdName]*existingResident
}

type buildingRef struct {
	name, address, kind string
	regionID            int64
}

type householdKey struct {
	building   int64
	unit, room string
}

type existingHousehold struct {
	id, regionID int64
}

type householdName struct {
	household int64
	name      string
}

type existingResident struct {
	id, householdID, regionID                int64
	name, gender, birth, idIndex, phoneIndex string // indexes packed, as in ledgerRow
	relation, residenceType, ethnicity, note string
	tags                                     []string
}

func loadState(ctx context.Context, q db.Querier, communityID int64) (*registerState, error) {
	st := &registerState{communityID: communityID, buildings: map[string]int64{}, buildingOf: map[int64]buildingRef{},
		households: map[householdKey]existingHousehold{}, byIndex: map[string]*existingResident{},
		byName: map[householdName]*existingResident{}}
	rows, err := q.QueryContext(ctx, `SELECT id, name, address, kind, region_id FROM buildings WHERE community_id = $1`, communityID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, region int64
		var name, addr, kind string
		if err := rows.Scan(&id, &name, &addr, &kind, &region); err != nil {
			rows.Close()
			return nil, err
		}
		st.buildingOf[id] = buildingRef{name: name, address: addr, kind: kind, regionID: region}
		st.addBuilding(canonBuilding(name), id)
		// 南关小区3号楼 is also found as 3号楼 when no other building is.
		if m := numberedBuilding.FindStringSubmatch(canonBuilding(name)); m != nil && m[1] != "" {
			st.addBuilding(canonBuilding(m[2]), id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, building_id, unit, room, region_id FROM households WHERE community_id = $1`, communityID)
	if err != nil {
		return nil, err
	}
	// A door stored as 5 is the door a ledger writes 5号, and the other way round; the stored
	// spelling of a door wins over another door's alias.
	aliases := map[householdKey]existingHousehold{}
	for rows.Next() {
		var h existingHousehold
		var building int64
		var unit, room string
		if err := rows.Scan(&h.id, &building, &unit, &room, &h.regionID); err != nil {
			rows.Close()
			return nil, err
		}
		key := householdKey{building, canonUnit(unit), canonRoom(room)}
		st.households[key] = h
		for _, alias := range roomAliases(key.room) {
			aliasKey := householdKey{key.building, key.unit, alias}
			if _, taken := st.households[aliasKey]; !taken {
				aliases[aliasKey] = h
			}
		}
	}
	for k, h := range aliases {
		if _, taken := st.households[k]; !taken {
			st.households[k] = h
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return st, st.loadResidents(ctx, q)
}

func (st *registerState) addBuilding(key string, id int64) {
	if old, ok := st.buildings[key]; ok && old != id {
		st.buildings[key] = 0
		return
	}
	st.buildings[key] = id
}

func (st *registerState) loadResidents(ctx context.Context, q db.Querier) error {
	rows, err := q.QueryContext(ctx, `SELECT id, household_id, region_id, name, gender, birth_date, id_index,
		phone_index, relation, residence_type, ethnicity, note FROM residents WHERE community_id = $1`, st.communityID)
	if err != nil {
		return err
	}
	byID := map[int64]*existingResident{}
	for rows.Next() {
		r := &existingResident{}
		var household sql.NullInt64
		var idIndex, phoneIndex sql.NullString
		if err := rows.Scan(&r.id, &household, &r.regionID, &r.name, &r.gender, &r.birth, &idIndex, &phoneIndex,
			&r.relation, &r.residenceType, &r.ethnicity, &r.note); err != nil {
			rows.Close()
			return err
		}
		r.householdID, r.idIndex, r.phoneIndex = household.Int64, packIndex(idIndex.String), packIndex(phoneIndex.String)
		byID[r.id] = r
		if r.idIndex != "" {
			st.byIndex[r.idIndex] = r
		}
		if r.householdID != 0 {
			st.byName[householdName{r.householdID, r.name}] = r
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT t.resident_id, t.tag FROM resident_tags t
		JOIN residents r ON r.id = t.resident_id WHERE r.community_id = $1`, st.communityID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return err
		}
		if r := byID[id]; r != nil {
			r.tags = append(r.tags, tag)
		}
	}
	return rows.Err()
}

// findBuilding looks a row's building up by its name, with or without the estate in front.
func (st *registerState) findBuilding(r *ledgerRow) (int64, bool) {
	var keys []string
	switch {
	case r.building != "" && r.estate != "":
		keys = []string{canonBuilding(r.estate + r.building), canonBuilding(r.building)}
	case r.building != "":
		keys = []string{canonBuilding(r.building)}
	default:
		keys = []string{canonBuilding(r.estate)}
	}
	for _, k := range keys {
		if id := st.buildings[k]; id != 0 {
			return id, true
		}
	}
	return 0, false
}

// step is what committing one valid row does.
type step struct {
	row       *ledgerRow
	action    string
	household householdKey
	existing  *existingResident // nil for a new resident
	hhID      int64             // 0 while the household is to be created
	hhRegion  int64
	d         *stepDiff // for a resident already in the register
}

// stepDiff is how a row differs from the resident it names.
type stepDiff struct {
	changes  []string // Chinese names of the fields an update changes
	addTags  []string
	dropTags []string
}

// addTags returns the tags the step gives the resident.
func (s *step) addTags() []string {
	if s.d == nil {
		return s.row.in.Tags
	}
	return s.d.addTags
}

// dropTags returns the tags the step takes from the resident.
func (s *step) dropTags() []string {
	if s.d == nil {
		return nil
	}
	return s.d.dropTags
}

// changes returns the Chinese names of the fields an update changes.
func (s *step) changes() []string {
	if s.d == nil {
		return nil
	}
	return s.d.changes
}

// plan matches every valid row to the register: its building (unknown is an error), its household
// (created when missing) and its resident (by ID number, else by household and name).
type plan struct {
	steps         []step
	newHouseholds []householdKey
	errors        []RowIssue
	errorRows     map[int]bool
}

func (st *registerState) plan(rows []*ledgerRow, m LedgerMapping) *plan {
	pl := &plan{errorRows: map[int]bool{}}
	covered := m.coveredTags()
	newHH := map[householdKey]bool{}
	claimed := map[int64]int{}
	buildingCol := m.column(fieldBuilding)
	if buildingCol < 0 {
		buildingCol = m.column(fieldAddress)
	}
	if buildingCol < 0 {
		buildingCol = m.column(fieldEstate)
	}
	for _, r := range rows {
		if r.summary != "" {
			continue
		}
		// Rows checked before are matched afresh: the register may have changed since.
		r.forgetMatching()
		if !r.ok() {
			continue
		}
		bid, ok := st.findBuilding(r)
		if !ok {
			name := strings.TrimSpace(r.estate + r.building)
			pl.reject(r, RowIssue{Row: r.num, Column: headerOf(m, buildingCol),
				Message: "楼栋“" + name + "”不在本社区的楼院中，请先在“楼院”中添加该楼栋，或改正楼栋名称"})
			continue
		}
		// A bare 5 in a bungalow courtyard is its door 5号.
		r.room = register.CanonDoor(r.room, st.buildingOf[bid].kind)
		key := householdKey{bid, r.unit, r.room}
		s := step{row: r, household: key}
		if hh, ok := st.households[key]; ok {
			s.hhID, s.hhRegion = hh.id, hh.regionID
		} else {
			s.hhRegion = st.buildingOf[bid].regionID
			if !newHH[key] {
				newHH[key] = true
				pl.newHouseholds = append(pl.newHouseholds, key)
			}
		}
		s.existing = st.match(r, s.hhID)
		if s.existing != nil {
			if first, dup := claimed[s.existing.id]; dup {
				pl.reject(r, RowIssue{Row: r.num, Column: headerOf(m, m.column("name")),
					Message: "与第" + strconv.Itoa(first) + "行对应登记册中的同一位居民，本行未导入"})
				continue
			}
			claimed[s.existing.id] = r.num
		}
		s.diff(covered)
		pl.steps = append(pl.steps, s)
	}
	return pl
}

func (pl *plan) reject(r *ledgerRow, issue RowIssue) {
	pl.errors = append(pl.errors, issue)
	pl.errorRows[r.num] = true
	r.addError(issue)
}

func headerOf(m LedgerMapping, col int) string {
	if col < 0 {
		return ""
	}
	if col < len(m.Headers) && m.Headers[col] != "" {
		return m.Headers[col]
	}
	return ledgerFieldLabel(m.Columns[col])
}

// match finds the resident a row names: by ID number in the community, else by name in the same
// household (when that resident has no ID number on record, or the same one).
func (st *registerState) match(r *ledgerRow, household int64) *existingResident {
	if r.idIndex != "" {
		if e := st.byIndex[r.idIndex]; e != nil {
			return e
		}
	}
	if household == 0 {
		return nil
	}
	e := st.byName[householdName{household, r.in.Name}]
	if e == nil || (e.idIndex != "" && r.idIndex != "" && e.idIndex != r.idIndex) {
		return nil
	}
	return e
}

// diff decides between create, update and unchanged. Empty cells leave stored values alone; tags
// the mapping covers are set exactly as the file says.
func (s *step) diff(covered []string) {
	in, e := s.row.in, s.existing
	if e == nil {
		s.action = actionCreate
		return
	}
	d := &stepDiff{}
	s.d = d
	given := s.row.given
	change := func(label string, differs bool) {
		if differs {
			d.changes = append(d.changes, label)
		}
	}
	change("住址", s.hhID == 0 || s.hhID != e.householdID)
	change("姓名", in.Name != e.name)
	change("性别", in.Gender != "" && in.Gender != e.gender)
	change("出生日期", in.BirthDate != "" && in.BirthDate != e.birth)
	change("身份证号", s.row.idIndex != "" && s.row.idIndex != e.idIndex)
	change("联系电话", s.row.phoneIndex != "" && s.row.phoneIndex != e.phoneIndex)
	change("与户主关系", given.has("relation") && in.Relation != e.relation)
	change("人口类型", given.has("residence_type") && in.ResidenceType != e.residenceType)
	change("民族", given.has("ethnicity") && in.Ethnicity != e.ethnicity)
	change("备注", given.has("note") && in.Note != e.note)
	for _, t := range covered {
		want, has := slices.Contains(in.Tags, t), slices.Contains(e.tags, t)
		switch {
		case want && !has:
			d.addTags = append(d.addTags, t)
		case !want && has:
			d.dropTags = append(d.dropTags, t)
		}
	}
	if len(d.addTags)+len(d.dropTags) > 0 {
		d.changes = append(d.changes, "标签")
	}
	s.action = actionUnchanged
	if len(d.changes) > 0 {
		s.action = actionUpdate
	}
}

func (st *registerState) preview(s step) PreviewRow {
	in := s.row.in
	p := PreviewRow{Row: s.row.num, Action: s.action, Name: in.Name, Gender: register.GenderLabel(in.Gender),
		BirthDate: in.BirthDate, Relation: in.Relation, Ethnicity: in.Ethnicity,
		ResidenceType: register.ResidenceType(in.ResidenceType).Label(), NewHousehold: s.hhID == 0, Changes: s.changes(),
		Address: register.HouseholdAddress(st.buildingOf[s.household.building].name, s.household.unit, s.household.room)}
	if in.IDNumber != "" {
		p.IDMasked = pii.MaskID(in.IDNumber)
	}
	if in.Phone != "" {
		p.PhoneMasked = pii.MaskPhone(in.Phone)
	}
	for _, t := range in.Tags {
		p.Tags = append(p.Tags, register.Tag(t).Label())
	}
	return p
}
