package visits

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/photo"
)

// Recorded is the answer to a submitted visit or contact.
type Recorded struct {
	Visit *Visit
	// Created is false when the draft had been submitted before: Visit is the first submission's.
	Created bool
	// CaseErr is why the need found could not become a case; the visit itself is saved.
	CaseErr error
}

// Record saves a visit (grid workers, grid leaders, building leaders, admins: any household in
// their scope) or, for a party member, a contact (only households their liaison household covers;
// any other is not found). The same ClientUUID from the same user answers the visit the first
// submission made, so a draft replayed after a dropped connection is recorded once. With
// NeedCategoryID the needs become a case of channel visit, linked both ways.
func (s *Service) Record(ctx context.Context, in VisitInput, photos []photo.Photo) (*Recorded, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.VisitsWrite); err != nil {
		return nil, err
	}
	if err := in.Normalize(s.today()); err != nil {
		return nil, err
	}
	if len(photos) > MaxPhotos {
		return nil, errs.Field("photos", fmt.Sprintf("每次走访最多上传%d张照片", MaxPhotos))
	}
	clean, err := photo.CleanAll(photos, MaxPhotos)
	if err != nil {
		return nil, err
	}
	if prev, err := s.byUUID(ctx, s.db.R, p, in.ClientUUID); err == nil {
		return s.finish(ctx, &Recorded{Visit: prev}, in)
	} else if errs.CodeOf(err) != errs.NotFound {
		return nil, err
	}
	stored, err := s.storePhotos(clean)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		id, err = s.insert(ctx, tx, p, in, stored)
		return err
	})
	if db.IsUnique(err) {
		prev, perr := s.byUUID(ctx, s.db.W, p, in.ClientUUID)
		if perr != nil {
			return nil, perr
		}
		return s.finish(ctx, &Recorded{Visit: prev}, in)
	}
	if err != nil {
		return nil, err
	}
	v, err := s.load(ctx, s.db.W, id)
	if err != nil {
		return nil, err
	}
	return s.finish(ctx, &Recorded{Visit: v, Created: true}, in)
}

// finish turns the needs into a case when asked and not done yet.
func (s *Service) finish(ctx context.Context, res *Recorded, in VisitInput) (*Recorded, error) {
	if in.NeedCategoryID == 0 || res.Visit.CaseID != nil || s.opts.Cases == nil {
		return res, nil
	}
	v, err := s.ToCase(ctx, res.Visit.ID, in.NeedCategoryID)
	if err != nil {
		res.CaseErr = err
		return res, nil
	}
	res.Visit = v
	return res, nil
}

// byUUID returns the visit a draft made, when the same user made it.
func (s *Service) byUUID(ctx context.Context, q db.Querier, p *auth.Principal, uuid string) (*Visit, error) {
	var id, by int64
	err := q.QueryRowContext(ctx, `SELECT id, created_by FROM visits WHERE client_uuid = $1`, uuid).Scan(&id, &by)
	if err != nil {
		return nil, db.NotFound(err, "走访记录不存在")
	}
	if by != p.UserID {
		return nil, errs.E(errs.Conflict, "草稿编号已被使用，请刷新页面后重新填写")
	}
	return s.load(ctx, q, id)
}

// insert checks the household and the residents met and writes the visit, its residents, photos,
// the residents' last care-plan visit and the audit entry.
func (s *Service) insert(ctx context.Context, tx *db.Tx, p *auth.Principal, in VisitInput, photos []storedPhoto) (int64, error) {
	h, err := loadHousehold(ctx, tx, in.HouseholdID)
	if err != nil {
		return 0, err
	}
	kind := KindVisit
	var liaisonID, memberID any
	if p.Role == auth.PartyMember {
		kind = KindContact
		var lid, mid int64
		err := tx.QueryRowContext(ctx, `SELECT l.id, m.id FROM liaison_covers c JOIN liaison_households l ON l.id = c.liaison_id
			JOIN party_members m ON m.id = l.member_id WHERE c.household_id = $1 AND m.user_id = $2 AND m.active`,
			h.ID, p.UserID).Scan(&lid, &mid)
		if err != nil {
			return 0, db.NotFound(err, "住户不存在或不在您联系的范围内")
		}
		liaisonID, memberID = lid, mid
	} else if !p.Covers(h.Path) {
		return 0, errs.E(errs.NotFound, "住户不存在")
	}
	met, err := s.checkMet(ctx, tx, p, h.ID, in.Met)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO visits (client_uuid, kind, region_id, household_id, liaison_id, member_id,
		method, visited_on, situation, needs, follow_up_on, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		in.ClientUUID, kind, h.RegionID, h.ID, liaisonID, memberID, in.Method, in.VisitedOn, in.Situation, in.Needs,
		in.FollowUpOn, p.UserID, s.now()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert visit: %w", err)
	}
	for _, rid := range met {
		if _, err := tx.ExecContext(ctx, `INSERT INTO visit_residents (visit_id, resident_id) VALUES ($1, $2)`, id, rid); err != nil {
			return 0, err
		}
		if kind == KindVisit {
			if err := touchLastVisit(ctx, tx, rid, in.VisitedOn); err != nil {
				return 0, err
			}
		}
	}
	for _, ph := range photos {
		if _, err := tx.ExecContext(ctx, `INSERT INTO visit_photos (visit_id, path, file_name, content_type, size, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, ph.path, ph.name, ph.contentType, ph.size, s.now()); err != nil {
			return 0, err
		}
	}
	action := "visit.create"
	if kind == KindContact {
		action = "contact.create"
	}
	return id, audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: "visit", ObjectID: id, RegionID: h.RegionID,
		Detail: h.Address, After: map[string]any{"household_id": h.ID, "method": in.Method, "visited_on": in.VisitedOn,
			"met": met, "situation": in.Situation, "needs": in.Needs, "follow_up_on": in.FollowUpOn, "photos": len(photos)}})
}

// touchLastVisit moves a resident's last care-plan visit forward to on (never back: a visit
// recorded late for an earlier day does not undo a later one).
func touchLastVisit(ctx context.Context, q db.Querier, residentID int64, on string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO care_last_visits (resident_id, last_on) VALUES ($1, $2)
		ON CONFLICT (resident_id) DO UPDATE SET last_on = excluded.last_on WHERE care_last_visits.last_on < excluded.last_on`,
		residentID, on)
	return err
}

// checkMet keeps the residents met who live in the household; anyone else is a field error.
func (s *Service) checkMet(ctx context.Context, tx *db.Tx, p *auth.Principal, householdID int64, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	people, err := s.householdResidents(ctx, tx, p, householdID)
	if err != nil {
		return nil, err
	}
	in := map[int64]bool{}
	for _, r := range people {
		in[r.ID] = true
	}
	for _, id := range ids {
		if !in[id] {
			return nil, errs.Field("met", "所选人员不是该户的在册居民")
		}
	}
	return ids, nil
}

// householdResidents lists the active residents of a household the principal may see.
func (s *Service) householdResidents(ctx context.Context, q db.Querier, p *auth.Principal, householdID int64) ([]Person, error) {
	a := &db.Args{}
	where := `household_id = ` + a.Add(householdID) + ` AND status = 'active'`
	if c := minorsHidden(p, "birth_date", s.today(), a); c != "" {
		where += ` AND ` + c
	}
	rows, err := q.QueryContext(ctx, `SELECT id, name, relation, phone_masked FROM residents WHERE `+where+` ORDER BY id`, *a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var r Person
		if err := rows.Scan(&r.ID, &r.Name, &r.Relation, &r.PhoneMasked); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// storedPhoto is a cleaned photo written under the data dir.
type storedPhoto struct {
	path, name, contentType string
	size                    int
}

// storePhotos writes each photo content-addressed under DataDir/visits, so a replayed draft
// writes the same files again harmlessly.
func (s *Service) storePhotos(photos []photo.Photo) ([]storedPhoto, error) {
	var out []storedPhoto
	for _, ph := range photos {
		if s.opts.DataDir == "" {
			return nil, errors.New("visits: no data dir for photos")
		}
		sum := sha256.Sum256(ph.Data)
		h := hex.EncodeToString(sum[:])
		rel := "visits/" + h[:2] + "/" + h
		full := filepath.Join(s.opts.DataDir, filepath.FromSlash(rel))
		if _, err := os.Stat(full); err != nil {
			if err := os.MkdirAll(filepath.Dir(full), 0o750); err != nil {
				return nil, err
			}
			if err := os.WriteFile(full+".tmp", ph.Data, 0o640); err != nil {
				return nil, err
			}
			if err := os.Rename(full+".tmp", full); err != nil {
				return nil, err
			}
		}
		name := filepath.Base(strings.ReplaceAll(ph.FileName, "\\", "/"))
		if r := []rune(name); len(r) > 100 {
			name = string(r[:100])
		}
		out = append(out, storedPhoto{path: rel, name: name, contentType: http.DetectContentType(ph.Data), size: len(ph.Data)})
	}
	return out, nil
}

// OpenPhoto returns a photo of a visit the principal may see, for serving.
func (s *Service) OpenPhoto(ctx context.Context, visitID, photoID int64) (*Photo, []byte, error) {
	v, err := s.Get(ctx, visitID)
	if err != nil {
		return nil, nil, err
	}
	for i := range v.Photos {
		if v.Photos[i].ID == photoID {
			b, err := os.ReadFile(filepath.Join(s.opts.DataDir, filepath.FromSlash(v.Photos[i].path)))
			if err != nil {
				return nil, nil, errs.E(errs.NotFound, "照片不存在")
			}
			return &v.Photos[i], b, nil
		}
	}
	return nil, nil, errs.E(errs.NotFound, "照片不存在")
}

// CaseCategories lists the active second-level case categories a need found on a visit may be
// filed under; none when cases are not enabled.
func (s *Service) CaseCategories(ctx context.Context) ([]cases.Category, error) {
	if s.opts.Cases == nil {
		return nil, nil
	}
	all, err := s.opts.Cases.Categories(ctx)
	if err != nil {
		return nil, err
	}
	var out []cases.Category
	for _, c := range all {
		if c.Leaf() && c.Active {
			out = append(out, c)
		}
	}
	return out, nil
}

// ToCase turns the needs found on a visit into a case of channel visit (网格员走访) in category,
// linked both ways: the case's description names the visit, the visit keeps the case id. Asking
// again answers the same case.
func (s *Service) ToCase(ctx context.Context, visitID, categoryID int64) (*Visit, error) {
	if s.opts.Cases == nil {
		return nil, errs.E(errs.Invalid, "诉求功能未启用")
	}
	v, err := s.Get(ctx, visitID)
	if err != nil {
		return nil, err
	}
	if v.CaseID != nil {
		return v, nil
	}
	if strings.TrimSpace(v.Needs) == "" {
		return nil, errs.Field("needs", "该走访没有记录发现的需求")
	}
	if categoryID == 0 {
		return nil, errs.Field("need_category_id", "请选择诉求类别")
	}
	intake := cases.Intake{Channel: "visit", CategoryID: categoryID, HouseholdID: v.HouseholdID,
		Description: v.Needs + "\n\n（" + v.VisitedOn + " 走访发现，走访记录 /visits/" + fmt.Sprint(v.ID) + "）"}
	if len(v.Met) > 0 {
		intake.ResidentID, intake.ReporterName = v.Met[0].ID, v.Met[0].Name
		intake.ReporterPhone = s.residentPhone(ctx, v.Met[0].ID)
	}
	c, _, err := s.opts.Cases.IntakeIdempotent(ctx, "visit:"+v.ClientUUID, intake)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE visits SET case_id = $1 WHERE id = $2 AND case_id IS NULL`, c.ID, v.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "visit.to_case", ObjectType: "visit", ObjectID: v.ID,
			RegionID: v.RegionID, Detail: "走访发现的需求转为诉求 " + c.Number, After: map[string]any{"case_id": c.ID}})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, v.ID)
}

// residentPhone opens a resident's phone for the case they report, or "" when unknown. The number
// passes to the cases service, which seals it again; it is never shown.
func (s *Service) residentPhone(ctx context.Context, residentID int64) string {
	if s.opts.Sealer == nil {
		return ""
	}
	var enc []byte
	if err := s.db.R.QueryRowContext(ctx, `SELECT phone_enc FROM residents WHERE id = $1`, residentID).Scan(&enc); err != nil || len(enc) == 0 {
		return ""
	}
	phone, err := s.opts.Sealer.Open(enc)
	if err != nil {
		return ""
	}
	return phone
}
