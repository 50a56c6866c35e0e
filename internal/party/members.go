package party

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/register"
	"linli/internal/search"
)

// Members lists the members in scope that match f, and the total before paging counted up to
// db.CountCap+1 (above db.CountCap: more than that).
func (s *Service) Members(ctx context.Context, f MemberFilter) ([]Member, int, error) {
	p, within, err := s.readScope(ctx, f.RegionID)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	return listMembers(ctx, s.db.R, s.db.Dialect, p.Scope(), within, f)
}

// Member returns one member in scope.
func (s *Service) Member(ctx context.Context, id int64) (*Member, error) {
	p, err := principal(ctx, auth.PartyRead)
	if err != nil {
		return nil, err
	}
	return memberByID(ctx, s.db.R, p.Scope(), id)
}

// CreateMember records a party member: from a resident of the register (name, gender and phone
// taken from there unless given) or entered directly; in-service members register 报到 the same
// way with kind in_service.
func (s *Service) CreateMember(ctx context.Context, in MemberInput) (*Member, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Member, error) { return s.CreateMemberTx(ctx, tx, in) })
}

// CreateMemberTx is CreateMember inside the caller's transaction, for the demo builder.
func (s *Service) CreateMemberTx(ctx context.Context, tx *db.Tx, in MemberInput) (*Member, error) {
	p, err := principal(ctx, auth.PartyWrite)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(true); err != nil {
		return nil, err
	}
	org, err := s.orgInScope(ctx, tx, p, in.OrgID)
	if err != nil {
		return nil, errs.Field("org_id", "所选党组织不存在")
	}
	phone, err := s.phone(in.Phone)
	if err != nil {
		return nil, err
	}
	var residentID any
	if in.ResidentID > 0 {
		r, err := residentByID(ctx, tx, in.ResidentID)
		if err != nil || !p.Covers(r.RegionPath) {
			return nil, errs.Field("resident_id", "所选居民不存在")
		}
		if r.MemberID != nil {
			return nil, errs.E(errs.Conflict, "居民%s已登记为党员", r.Name)
		}
		if tooYoung(r.BirthDate) {
			return nil, errs.Field("resident_id", "党员须年满十八周岁，所选居民未满十八周岁")
		}
		orgCommunity, err := communityOf(ctx, tx, org.RegionID)
		if err != nil {
			return nil, err
		}
		if orgCommunity != r.CommunityID {
			return nil, errs.Field("org_id", "所选党组织不在该居民所在社区")
		}
		residentID = r.ID
		if in.Name == "" {
			in.Name = r.Name
		}
		if in.Gender == "" {
			in.Gender = r.Gender
		}
		if in.Phone == "" && r.PhoneMasked != "" {
			phone = sealedPhone{enc: r.PhoneEnc, masked: r.PhoneMasked}
			if r.PhoneIndex.Valid {
				phone.index = r.PhoneIndex.String
			}
		}
	}
	t := now()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO party_members (region_id, org_id, resident_id, name, gender, phone_enc,
		phone_index, phone_masked, joined_on, status, kind, employment, workplace, home_org, skills, registered_on, note,
		active, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, TRUE, $18, $18) RETURNING id`,
		org.RegionID, org.ID, residentID, in.Name, in.Gender, phone.enc, phone.indexArg(), phone.masked, in.JoinedOn,
		in.Status, in.Kind, in.Employment, in.Workplace, in.HomeOrg, in.Skills, in.RegisteredOn, in.Note, t).Scan(&id)
	if db.IsUnique(err) {
		return nil, errs.E(errs.Conflict, "该居民已登记为党员")
	}
	if err != nil {
		return nil, fmt.Errorf("create party member: %w", err)
	}
	m, err := memberByID(ctx, tx, p.Scope(), id)
	if err != nil {
		return nil, err
	}
	action := "party_member.create"
	if m.Kind == InServiceMember {
		action = "party_member.register"
	}
	return m, audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: "party_member", ObjectID: id,
		RegionID: m.RegionID, After: m})
}

type sealedPhone struct {
	enc    []byte
	index  string
	masked string
}

func (p sealedPhone) indexArg() any {
	if p.index == "" {
		return nil
	}
	return p.index
}

func (s *Service) phone(raw string) (sealedPhone, error) {
	if strings.TrimSpace(raw) == "" {
		return sealedPhone{}, nil
	}
	n, err := pii.NormalizePhone(raw)
	if err != nil {
		return sealedPhone{}, errs.Field("phone", err.Error())
	}
	return sealedPhone{enc: s.sealer.Seal(n), index: s.sealer.Index(n), masked: pii.MaskPhone(n)}, nil
}

// UpdateMember changes a member's own data; the organisation changes only by TransferMember. An
// empty phone keeps the current one.
func (s *Service) UpdateMember(ctx context.Context, id int64, in MemberInput) (*Member, error) {
	p, err := principal(ctx, auth.PartyWrite)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(false); err != nil {
		return nil, err
	}
	if in.Name == "" {
		return nil, errs.Field("name", "请填写姓名")
	}
	phone, err := s.phone(in.Phone)
	if err != nil {
		return nil, err
	}
	var after *Member
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := memberByID(ctx, tx, p.Scope(), id)
		if err != nil {
			return err
		}
		if phone.masked == "" {
			if _, err := tx.ExecContext(ctx, `UPDATE party_members SET name = $1, gender = $2, joined_on = $3, status = $4,
				kind = $5, employment = $6, workplace = $7, home_org = $8, skills = $9, registered_on = $10, note = $11,
				updated_at = $12 WHERE id = $13`, in.Name, in.Gender, in.JoinedOn, in.Status, in.Kind, in.Employment,
				in.Workplace, in.HomeOrg, in.Skills, in.RegisteredOn, in.Note, now(), id); err != nil {
				return fmt.Errorf("update party member %d: %w", id, err)
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE party_members SET name = $1, gender = $2, joined_on = $3, status = $4,
			kind = $5, employment = $6, workplace = $7, home_org = $8, skills = $9, registered_on = $10, note = $11,
			updated_at = $12, phone_enc = $13, phone_index = $14, phone_masked = $15 WHERE id = $16`, in.Name, in.Gender,
			in.JoinedOn, in.Status, in.Kind, in.Employment, in.Workplace, in.HomeOrg, in.Skills, in.RegisteredOn, in.Note,
			now(), phone.enc, phone.indexArg(), phone.masked, id); err != nil {
			return fmt.Errorf("update party member %d: %w", id, err)
		}
		if after, err = memberByID(ctx, tx, p.Scope(), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "party_member.update", ObjectType: "party_member", ObjectID: id,
			RegionID: after.RegionID, Before: before, After: after})
	})
	return after, err
}

// TransferMember moves a current member to another organisation in scope (转接组织关系).
func (s *Service) TransferMember(ctx context.Context, id, orgID int64, note string) (*Member, error) {
	p, err := principal(ctx, auth.PartyWrite)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 200 {
		return nil, errs.Field("note", "说明不能超过200个字")
	}
	var after *Member
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := activeMember(ctx, tx, p.Scope(), id, "该党员已不在册，不能转接")
		if err != nil {
			return err
		}
		to, err := s.orgInScope(ctx, tx, p, orgID)
		if err != nil {
			return errs.Field("org_id", "转入的党组织不存在")
		}
		if to.ID == before.OrgID {
			return errs.Field("org_id", "该党员已在"+to.Name)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE party_members SET org_id = $1, region_id = $2, updated_at = $3 WHERE id = $4`,
			to.ID, to.RegionID, now(), id); err != nil {
			return fmt.Errorf("transfer party member %d: %w", id, err)
		}
		if after, err = memberByID(ctx, tx, p.Scope(), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "party_member.transfer", ObjectType: "party_member",
			ObjectID: id, RegionID: after.RegionID, Detail: fmt.Sprintf("%s → %s %s", before.OrgName, to.Name, note),
			Before: before, After: after})
	})
	return after, err
}

// DeactivateMember takes a member off the roll (转出, 去世, 停止报到 …) with the reason and date. A
// member who still answers for a liaison household must hand it over first.
func (s *Service) DeactivateMember(ctx context.Context, id int64, reason, on string) (*Member, error) {
	p, err := principal(ctx, auth.PartyWrite)
	if err != nil {
		return nil, err
	}
	reason, on = strings.TrimSpace(reason), strings.TrimSpace(on)
	f := errs.Fields{}
	if reason == "" {
		f.Add("reason", "请填写减少原因")
	} else if utf8.RuneCountInString(reason) > 100 {
		f.Add("reason", "原因不能超过100个字")
	}
	if !validDate(on) {
		f.Add("left_on", "日期格式应为 2024-01-31")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if on == "" {
		on = now().In(clock.Shanghai()).Format("2006-01-02")
	}
	var after *Member
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := activeMember(ctx, tx, p.Scope(), id, "该党员已不在册")
		if err != nil {
			return err
		}
		if before.LiaisonID != nil {
			return errs.E(errs.Conflict, "该党员仍负责党员联系户，请先撤销或移交联系户")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE party_members SET active = FALSE, left_on = $1, left_reason = $2,
			updated_at = $3 WHERE id = $4`, on, reason, now(), id); err != nil {
			return fmt.Errorf("deactivate party member %d: %w", id, err)
		}
		if after, err = memberByID(ctx, tx, p.Scope(), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "party_member.deactivate", ObjectType: "party_member",
			ObjectID: id, RegionID: after.RegionID, Detail: reason, Before: before, After: after})
	})
	return after, err
}

// ResidentHit is a resident found when recording a member from the register.
type ResidentHit struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Gender   string `json:"gender"`
	Birth    string `json:"birth_date"`
	Address  string `json:"address"`
	MemberID *int64 `json:"member_id"`
}

// GenderLabel is 男, 女 or empty.
func (h ResidentHit) GenderLabel() string { return register.GenderLabel(h.Gender) }

// SearchResidents finds current residents in scope aged 18 or over (or of unknown age) by name
// (Chinese full-text search; a two-character name hits), at most 20, marking those already
// recorded as members.
func (s *Service) SearchResidents(ctx context.Context, q string) ([]ResidentHit, error) {
	p, err := principal(ctx, auth.PartyRead)
	if err != nil {
		return nil, err
	}
	q = strings.NewReplacer("%", "", "_", "").Replace(strings.TrimSpace(q))
	if q == "" {
		return []ResidentHit{}, nil
	}
	args := []any{p.Scope(), adultCutoff(), q + "%"}
	match := ""
	if terms, prefix := search.Terms(q); len(terms) > 0 {
		args = append(args, s.db.Dialect.FTSQuery(terms, prefix))
		match = ` OR r.id IN (SELECT rowid FROM resident_fts WHERE ` + s.db.Dialect.MatchFTS("resident_fts", "$4") + `)`
	}
	rows, err := s.db.R.QueryContext(ctx, residentSelect+` WHERE r.status = 'active' AND `+db.InScope("r.region_id", "$1")+
		` AND (r.birth_date = '' OR r.birth_date <= $2) AND (r.name LIKE $3`+match+`) ORDER BY r.name, r.id LIMIT 20`, args...)
	if err != nil {
		return nil, fmt.Errorf("search residents: %w", err)
	}
	defer rows.Close()
	out := []ResidentHit{}
	for rows.Next() {
		r, err := scanResident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ResidentHit{ID: r.ID, Name: r.Name, Gender: r.Gender, Birth: r.BirthDate, Address: r.Address,
			MemberID: r.MemberID})
	}
	return out, rows.Err()
}

// Resident returns a resident in scope as a search hit, to prefill the member form.
func (s *Service) Resident(ctx context.Context, id int64) (*ResidentHit, error) {
	p, err := principal(ctx, auth.PartyRead)
	if err != nil {
		return nil, err
	}
	r, err := residentByID(ctx, s.db.R, id)
	if err != nil || !p.Covers(r.RegionPath) || tooYoung(r.BirthDate) {
		return nil, errs.E(errs.NotFound, "居民不存在")
	}
	return &ResidentHit{ID: r.ID, Name: r.Name, Gender: r.Gender, Birth: r.BirthDate, Address: r.Address, MemberID: r.MemberID}, nil
}

// activeMember reads a member in scope who is still on the roll; one who is not is a conflict,
// told with msg.
func activeMember(ctx context.Context, tx *db.Tx, scope string, id int64, msg string) (*Member, error) {
	m, err := memberByID(ctx, tx, scope, id)
	if err == nil && !m.Active {
		err = errs.E(errs.Conflict, "%s", msg)
	}
	return m, err
}
