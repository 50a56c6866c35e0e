package register

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/search"
)

// Resident is a person in the register, as every page and API answer shows them: numbers masked.
type Resident struct {
	ID            int64         `json:"id"`
	RegionID      int64         `json:"region_id"`
	HouseholdID   *int64        `json:"household_id"`
	BuildingID    *int64        `json:"building_id"`
	Name          string        `json:"name"`
	Gender        string        `json:"gender"`
	BirthDate     string        `json:"birth_date"`
	Age           int           `json:"age"`
	IDMasked      string        `json:"id_masked"`
	PhoneMasked   string        `json:"phone_masked"`
	Relation      string        `json:"relation"`
	ResidenceType ResidenceType `json:"residence_type"`
	Ethnicity     string        `json:"ethnicity"`
	Status        string        `json:"status"`
	Note          string        `json:"note"`
	Tags          []Tag         `json:"tags"`
	Address       string        `json:"address"`
	GridName      string        `json:"grid_name"`
	UpdatedAt     time.Time     `json:"updated_at"`
}

// GenderLabel is the gender in Chinese.
func (r *Resident) GenderLabel() string { return GenderLabel(r.Gender) }

// StatusLabel is the status in Chinese.
func (r *Resident) StatusLabel() string { return StatusLabel(r.Status) }

// ResidenceLabel is the residence type in Chinese.
func (r *Resident) ResidenceLabel() string { return r.ResidenceType.Label() }

// HasTag reports whether the resident carries tag t.
func (r *Resident) HasTag(t Tag) bool {
	for _, x := range r.Tags {
		if x == t {
			return true
		}
	}
	return false
}

// StatusLabel is the Chinese for a resident status.
func StatusLabel(s string) string {
	switch s {
	case "moved_out":
		return "已迁出"
	case "deceased":
		return "已故"
	}
	return "在册"
}

// ResidentFilter selects residents for lists, searches and the API.
type ResidentFilter struct {
	Q           string // a name or address (Chinese search), a full phone or ID number, or a phone's last 4 digits
	GridID      int64
	BuildingID  int64
	HouseholdID int64
	Tag         string
	Status      string // active (default), moved_out, deceased, all
	Limit       int
	Offset      int
}

// ResidentUpdate is an edit of a resident. An empty IDNumber or Phone keeps the stored number
// unless the matching Clear flag is set.
type ResidentUpdate struct {
	ResidentInput
	ClearID    bool
	ClearPhone bool
}

// CreateResident registers a person in a household in scope.
func (s *Service) CreateResident(ctx context.Context, in ResidentInput) (*Resident, error) {
	if _, err := principal(ctx, auth.RegisterWrite); err != nil {
		return nil, err
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = s.CreateResidentTx(ctx, tx, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Resident(ctx, id)
}

// CreateResidentTx registers a person inside tx, as the principal in ctx: it checks the household
// is in scope, normalises and seals the input, writes the row, its tags and its search entry, and
// records the audit entry. Ledger imports call it once per new row inside their one transaction.
func (s *Service) CreateResidentTx(ctx context.Context, tx *db.Tx, in ResidentInput) (int64, error) {
	p, err := principal(ctx, auth.RegisterWrite)
	if err != nil {
		return 0, err
	}
	nerr := in.Normalize()
	h, err := householdInScope(ctx, tx, p, in.HouseholdID)
	if err != nil {
		f := errs.FieldsOf(nerr)
		if f == nil {
			f = map[string]string{}
		}
		errs.Fields(f).Add("household_id", "所选户不存在或不在您的管辖范围内")
		return 0, errs.Fields(f).Err()
	}
	if nerr != nil {
		return 0, nerr
	}
	if err := checkMinorAllowed(p, in.BirthDate); err != nil {
		return 0, err
	}
	sr := in.Seal(s.sealer)
	now := time.Now().UTC()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO residents (region_id, community_id, household_id, name, gender, birth_date,
		id_enc, id_index, id_masked, phone_enc, phone_index, phone_masked, relation, residence_type, ethnicity, status, note,
		created_at, updated_at)
		SELECT $1, community_id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'active', $15, $16, $16
		FROM households WHERE id = $2 RETURNING id`,
		h.RegionID, h.ID, sr.Name, sr.Gender, sr.BirthDate, sr.IDEnc, sr.IDIndex, sr.IDMasked, sr.PhoneEnc, sr.PhoneIndex,
		sr.PhoneMasked, sr.Relation, sr.ResidenceType, sr.Ethnicity, sr.Note, now).Scan(&id)
	if db.IsUnique(err) {
		return 0, errs.Field("id_number", "本社区已登记身份证号为 "+sr.IDMasked+" 的居民")
	}
	if err != nil {
		return 0, fmt.Errorf("insert resident: %w", err)
	}
	if err := setTags(ctx, tx, id, h.RegionID, sr.Tags); err != nil {
		return 0, err
	}
	if err := refreshResidentFTS(ctx, tx, id); err != nil {
		return 0, err
	}
	if err := CountBuildings(ctx, tx, h.BuildingID); err != nil {
		return 0, err
	}
	r, err := s.residentInScope(ctx, tx, p, id)
	if err != nil {
		return 0, err
	}
	return id, audit.Record(ctx, tx, audit.Entry{Action: "resident.create", ObjectType: "resident", ObjectID: id,
		RegionID: r.RegionID, After: r})
}

func checkMinorAllowed(p *auth.Principal, birth string) error {
	if birth != "" && birth > MinorCutoff(today()) && !p.Can(auth.MinorsRead) {
		return errs.Field("birth_date", "未成年人信息需由有未成年人信息权限的工作人员登记")
	}
	return nil
}

// UpdateResident edits a resident in scope; see ResidentUpdate for how numbers are kept. A change
// of household moves the resident to that household's grid.
func (s *Service) UpdateResident(ctx context.Context, id int64, upd ResidentUpdate) (*Resident, error) {
	if _, err := principal(ctx, auth.RegisterWrite); err != nil {
		return nil, err
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error { return s.UpdateResidentTx(ctx, tx, id, upd) })
	if err != nil {
		return nil, err
	}
	return s.Resident(ctx, id)
}

// UpdateResidentTx is UpdateResident inside tx, for ledger imports that update existing rows.
func (s *Service) UpdateResidentTx(ctx context.Context, tx *db.Tx, id int64, upd ResidentUpdate) error {
	p, err := principal(ctx, auth.RegisterWrite)
	if err != nil {
		return err
	}
	before, err := s.residentInScope(ctx, tx, p, id)
	if err != nil {
		return err
	}
	in := upd.ResidentInput
	var idEnc, phoneEnc []byte
	if err := tx.QueryRowContext(ctx, `SELECT id_enc, phone_enc FROM residents WHERE id = $1`, id).Scan(&idEnc, &phoneEnc); err != nil {
		return err
	}
	// An empty number on an edit form means "unchanged": the stored one is opened here, inside the
	// service, so the birth date and gender still derive from it.
	if strings.TrimSpace(in.IDNumber) == "" && !upd.ClearID {
		if in.IDNumber, err = s.sealer.Open(idEnc); err != nil {
			return err
		}
	}
	if strings.TrimSpace(in.Phone) == "" && !upd.ClearPhone {
		if in.Phone, err = s.sealer.Open(phoneEnc); err != nil {
			return err
		}
	}
	if in.HouseholdID == 0 && before.HouseholdID != nil {
		in.HouseholdID = *before.HouseholdID
	}
	nerr := in.Normalize()
	h, err := householdInScope(ctx, tx, p, in.HouseholdID)
	if err != nil {
		return errs.Field("household_id", "所选户不存在或不在您的管辖范围内")
	}
	if nerr != nil {
		return nerr
	}
	if err := checkMinorAllowed(p, in.BirthDate); err != nil {
		return err
	}
	sr := in.Seal(s.sealer)
	_, err = tx.ExecContext(ctx, `UPDATE residents SET region_id = $1, household_id = $2, name = $3, gender = $4,
		birth_date = $5, id_enc = $6, id_index = $7, id_masked = $8, phone_enc = $9, phone_index = $10, phone_masked = $11,
		relation = $12, residence_type = $13, ethnicity = $14, note = $15, updated_at = $16,
		community_id = (SELECT community_id FROM households WHERE id = $2) WHERE id = $17`,
		h.RegionID, h.ID, sr.Name, sr.Gender, sr.BirthDate, sr.IDEnc, sr.IDIndex, sr.IDMasked, sr.PhoneEnc, sr.PhoneIndex,
		sr.PhoneMasked, sr.Relation, sr.ResidenceType, sr.Ethnicity, sr.Note, time.Now().UTC(), id)
	if db.IsUnique(err) {
		return errs.Field("id_number", "本社区已登记身份证号为 "+sr.IDMasked+" 的居民")
	}
	if err != nil {
		return fmt.Errorf("update resident %d: %w", id, err)
	}
	if err := setTags(ctx, tx, id, h.RegionID, sr.Tags); err != nil {
		return err
	}
	if err := refreshResidentFTS(ctx, tx, id); err != nil {
		return err
	}
	action := "resident.update"
	if before.HouseholdID == nil || *before.HouseholdID != h.ID {
		action = "resident.move"
		if err := CountBuildings(ctx, tx, h.BuildingID, deref(before.BuildingID)); err != nil {
			return err
		}
	}
	after, err := s.residentInScope(ctx, tx, p, id)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: "resident", ObjectID: id,
		RegionID: after.RegionID, Before: before, After: after})
}

// MoveResident moves a resident to another household in scope, keeping everything else.
func (s *Service) MoveResident(ctx context.Context, id, householdID int64, relation string) (*Resident, error) {
	r, err := s.Resident(ctx, id)
	if err != nil {
		return nil, err
	}
	upd := ResidentUpdate{ResidentInput: r.input()}
	upd.HouseholdID, upd.Relation = householdID, relation
	if householdID == 0 {
		return nil, errs.Field("household_id", "请选择迁入的户")
	}
	return s.UpdateResident(ctx, id, upd)
}

// input returns the editable fields of a shown resident, numbers left empty (kept on update).
func (r *Resident) input() ResidentInput {
	in := ResidentInput{Name: r.Name, Gender: r.Gender, BirthDate: r.BirthDate, Relation: r.Relation,
		ResidenceType: string(r.ResidenceType), Ethnicity: r.Ethnicity, Note: r.Note}
	if r.HouseholdID != nil {
		in.HouseholdID = *r.HouseholdID
	}
	for _, t := range r.Tags {
		if !t.Derived() {
			in.Tags = append(in.Tags, string(t))
		}
	}
	return in
}

// SetResidentStatus marks a resident moved out (迁出), deceased, or back on the register (active).
func (s *Service) SetResidentStatus(ctx context.Context, id int64, status, note string) (*Resident, error) {
	p, err := principal(ctx, auth.RegisterWrite)
	if err != nil {
		return nil, err
	}
	if status != "active" && status != "moved_out" && status != "deceased" {
		return nil, errs.Field("status", "状态应为在册、已迁出或已故")
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := s.residentInScope(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if before.Status == status {
			return errs.E(errs.Conflict, "该居民已是“%s”状态", StatusLabel(status))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE residents SET status = $1, updated_at = $2 WHERE id = $3`,
			status, time.Now().UTC(), id); err != nil {
			return err
		}
		if err := CountBuildings(ctx, tx, deref(before.BuildingID)); err != nil {
			return err
		}
		after := *before
		after.Status = status
		return audit.Record(ctx, tx, audit.Entry{Action: "resident.status", ObjectType: "resident", ObjectID: id,
			RegionID: before.RegionID, Detail: strings.TrimSpace(note), Before: map[string]string{"status": before.Status},
			After: map[string]string{"status": status}})
	})
	if err != nil {
		return nil, err
	}
	return s.Resident(ctx, id)
}

// setTags replaces a resident's stored tags, keeping the date a kept tag was first set.
func setTags(ctx context.Context, tx *db.Tx, id, regionID int64, tags []string) error {
	keep := map[string]bool{}
	for _, t := range tags {
		keep[t] = true
	}
	rows, err := tx.QueryContext(ctx, `SELECT tag FROM resident_tags WHERE resident_id = $1`, id)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		have[t] = true
	}
	rows.Close()
	for t := range have {
		if !keep[t] {
			if _, err := tx.ExecContext(ctx, `DELETE FROM resident_tags WHERE resident_id = $1 AND tag = $2`, id, t); err != nil {
				return err
			}
		}
	}
	since := today().Format("2006-01-02")
	for _, t := range tags {
		if have[t] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO resident_tags (resident_id, tag, region_id, since) VALUES ($1, $2, $3, $4)`,
			id, t, regionID, since); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE resident_tags SET region_id = $1 WHERE resident_id = $2`, regionID, id)
	return err
}

// refreshResidentFTS rewrites a resident's search entry: bigrams of the name and the address.
func refreshResidentFTS(ctx context.Context, tx *db.Tx, id int64) error {
	var name, building, address, unit, room sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT r.name, b.name, b.address, h.unit, h.room FROM residents r
		LEFT JOIN households h ON h.id = r.household_id LEFT JOIN buildings b ON b.id = h.building_id WHERE r.id = $1`, id).
		Scan(&name, &building, &address, &unit, &room)
	if err != nil {
		return err
	}
	tokens := search.Tokens(strings.Join([]string{name.String, building.String, address.String,
		householdAddress("", unit.String, room.String)}, " "))
	if _, err := tx.ExecContext(ctx, `DELETE FROM resident_fts WHERE rowid = $1`, id); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO resident_fts (rowid, tokens) VALUES ($1, `+tx.Dialect.FTSValue("$2")+`)`, id, tokens)
	return err
}

func refreshFTSWhere(ctx context.Context, tx *db.Tx, where string, arg int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT r.id FROM residents r WHERE `+where, arg)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := refreshResidentFTS(ctx, tx, id); err != nil {
			return err
		}
	}
	return rows.Err()
}

func refreshHouseholdFTS(ctx context.Context, tx *db.Tx, householdID int64) error {
	return refreshFTSWhere(ctx, tx, `r.household_id = $1`, householdID)
}

func refreshBuildingFTS(ctx context.Context, tx *db.Tx, buildingID int64) error {
	return refreshFTSWhere(ctx, tx, `r.household_id IN (SELECT id FROM households WHERE building_id = $1)`, buildingID)
}
