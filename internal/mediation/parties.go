package mediation

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
)

// insertParties writes the parties of a new case; a resident is read from the register (their
// community must be the committee's), an outside person's numbers are sealed here. It returns the
// parties as the audit log may hold them (masked).
func (s *Service) insertParties(ctx context.Context, tx *db.Tx, id, cid int64, in []PartyInput) ([]map[string]any, error) {
	var masked []map[string]any
	for i, pi := range in {
		row := partyRow{name: pi.Name, address: strings.TrimSpace(pi.Address)}
		if pi.ResidentID != 0 {
			var rc int64
			err := tx.QueryRowContext(ctx, `SELECT community_id, name, gender, birth_date, id_enc, id_index, id_masked,
				phone_enc, phone_index, phone_masked FROM residents WHERE id = $1 AND status = 'active'`, pi.ResidentID).
				Scan(&rc, &row.name, &row.gender, &row.birth, &row.idEnc, &row.idIndex, &row.idMasked, &row.phoneEnc,
					&row.phoneIndex, &row.phoneMasked)
			if err != nil || rc != cid {
				return nil, errs.Field(fmt.Sprintf("parties.%d.resident_id", i), "居民不存在或不在本社区")
			}
			row.resident = pi.ResidentID
		} else {
			if err := s.sealNumbers(&row, pi, i); err != nil {
				return nil, err
			}
		}
		if utf8.RuneCountInString(row.name) > 50 {
			return nil, errs.Field(fmt.Sprintf("parties.%d.name", i), "当事人姓名不能超过50字")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO mediation_parties (mediation_id, side, name, resident_id, gender, birth_date,
			id_enc, id_index, id_masked, phone_enc, phone_index, phone_masked, address, representative, consent, consent_on,
			consent_how, notified_on, sort) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
			id, pi.Side, row.name, nullID(row.resident), row.gender, row.birth, row.idEnc, row.idIndex, row.idMasked, row.phoneEnc,
			row.phoneIndex, row.phoneMasked, row.address, strings.TrimSpace(pi.Representative), pi.Consent, pi.ConsentOn,
			strings.TrimSpace(pi.ConsentHow), pi.NotifiedOn, i)
		if err != nil {
			return nil, fmt.Errorf("insert party: %w", err)
		}
		masked = append(masked, map[string]any{"side": pi.Side, "name": row.name, "resident_id": pi.ResidentID,
			"id": row.idMasked, "phone": row.phoneMasked, "consent": pi.Consent})
	}
	return masked, nil
}

// partyRow is a party as stored.
type partyRow struct {
	name, gender, birth, address string
	resident                     int64
	idEnc, phoneEnc              []byte
	idIndex, phoneIndex          *string
	idMasked, phoneMasked        string
}

// sealNumbers checks and seals an outside person's ID and phone numbers.
func (s *Service) sealNumbers(row *partyRow, pi PartyInput, i int) error {
	if raw := strings.TrimSpace(pi.IDNumber); raw != "" {
		id, err := pii.NormalizeID(raw)
		if err != nil {
			return errs.Field(fmt.Sprintf("parties.%d.id_number", i), "身份证号码无效")
		}
		ix := s.sealer.Index(id)
		row.idEnc, row.idIndex, row.idMasked = s.sealer.Seal(id), &ix, pii.MaskID(id)
		row.birth, _ = pii.BirthFromID(id)
		row.gender = pii.GenderFromID(id)
	}
	if raw := strings.TrimSpace(pi.Phone); raw != "" {
		ph, err := pii.NormalizePhone(raw)
		if err != nil {
			return errs.Field(fmt.Sprintf("parties.%d.phone", i), "联系电话格式不正确")
		}
		ix := s.sealer.Index(ph)
		row.phoneEnc, row.phoneIndex, row.phoneMasked = s.sealer.Seal(ph), &ix, pii.MaskPhone(ph)
	}
	return nil
}

// loadParties reads a case's parties; for a principal without the minors permission a minor's
// name is shortened and their numbers and address hidden.
func loadParties(ctx context.Context, q db.Querier, p *auth.Principal, id int64, today string) ([]Party, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, side, name, resident_id, gender, birth_date, id_masked, phone_masked, address,
		representative, consent, consent_on, consent_how, notified_on FROM mediation_parties WHERE mediation_id = $1 ORDER BY sort, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Party{}
	adult := minorCut(today)
	for rows.Next() {
		var pa Party
		if err := rows.Scan(&pa.ID, &pa.Side, &pa.Name, &pa.ResidentID, &pa.Gender, &pa.BirthDate, &pa.IDMasked,
			&pa.PhoneMasked, &pa.Address, &pa.Representative, &pa.Consent, &pa.ConsentOn, &pa.ConsentHow, &pa.NotifiedOn); err != nil {
			return nil, err
		}
		pa.Minor = pa.BirthDate != "" && pa.BirthDate > adult
		if pa.Minor && !p.Can(auth.MinorsRead) {
			hideMinor(&pa)
		}
		out = append(out, pa)
	}
	return out, rows.Err()
}

// minorCut is the birth date after which a person is under 18 at today.
func minorCut(today string) string {
	t, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return today
	}
	return t.AddDate(-18, 0, 0).Format(time.DateOnly)
}

// hideMinor applies the minors rule to a party: surname only, no numbers, no address.
func hideMinor(pa *Party) {
	r, _ := utf8.DecodeRuneInString(pa.Name)
	pa.Name = string(r) + "某（未成年人）"
	pa.BirthDate, pa.IDMasked, pa.PhoneMasked, pa.Address, pa.ResidentID = "", "", "", "", nil
}

// RevealParty opens a party's ID or phone number (field "id" or "phone") for a principal who may
// reveal personal data and sees the case, with a reason; the reveal is audited. A minor's numbers
// need the minors permission too.
func (s *Service) RevealParty(ctx context.Context, partyID int64, field, reason string) (string, error) {
	v, err := s.writer(ctx, s.db.R)
	if err != nil {
		return "", err
	}
	if err := v.p.Require(auth.RevealPII); err != nil {
		return "", err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", errs.Field("reason", "请填写查看完整号码的事由")
	}
	col := map[string]string{"id": "id_enc", "phone": "phone_enc"}[field]
	if col == "" {
		return "", errs.Field("field", "只能查看身份证号码或联系电话")
	}
	var caseID int64
	var birth string
	var sealed []byte
	err = s.db.R.QueryRowContext(ctx, `SELECT mediation_id, birth_date, `+col+` FROM mediation_parties WHERE id = $1`, partyID).
		Scan(&caseID, &birth, &sealed)
	if err != nil {
		return "", db.NotFound(err, "当事人不存在")
	}
	c, err := s.visible(ctx, s.db.R, v, caseID)
	if err != nil {
		return "", errs.E(errs.NotFound, "当事人不存在")
	}
	if birth != "" && birth > minorCut(s.Today()) && !v.p.Can(auth.MinorsRead) {
		return "", errs.E(errs.NotFound, "当事人不存在")
	}
	if len(sealed) == 0 {
		return "", errs.E(errs.NotFound, "未登记该号码")
	}
	plain, err := s.sealer.Open(sealed)
	if err != nil {
		return "", err
	}
	err = audit.Record(ctx, s.db.W, audit.Entry{Action: "pii.reveal", ObjectType: "mediation_party", ObjectID: partyID,
		RegionID: c.CommunityID, Detail: fmt.Sprintf("%s %s：%s", c.Number, map[string]string{"id": "身份证号码", "phone": "联系电话"}[field], reason)})
	if err != nil {
		return "", err
	}
	return plain, nil
}
