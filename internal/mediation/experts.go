package mediation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"linli/internal/audit"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
)

// ExpertKinds are the kinds of think-tank experts, in the order forms show them.
var ExpertKinds = []string{"五老", "律师", "两代表一委员", "退休干部", "教师", "心理咨询师", "其他"}

// Expert is a member of the red think tank 红色智囊团 (Art. 20: 具有专门知识、特定经验的人员).
type Expert struct {
	ID           int64    `json:"id"`
	CommunityID  int64    `json:"community_id"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Title        string   `json:"title,omitempty"`
	Types        []string `json:"types"`
	Availability string   `json:"availability,omitempty"`
	PhoneMasked  string   `json:"phone_masked,omitempty"`
	UserID       *int64   `json:"user_id,omitempty"`
	Active       bool     `json:"active"`
	Cases        int      `json:"cases"`      // cases joined
	Agreements   int      `json:"agreements"` // of which closed with agreement
	// Matches reports whether the expert suits the dispute type asked for (suggestions first).
	Matches bool `json:"matches,omitempty"`
}

// ExpertInput is an expert as the pool form states them.
type ExpertInput struct {
	CommunityID  int64    `json:"community_id,omitempty"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Title        string   `json:"title,omitempty"`
	Types        []string `json:"types,omitempty"`
	Availability string   `json:"availability,omitempty"`
	Phone        string   `json:"phone,omitempty"`
	UserID       int64    `json:"user_id,omitempty"`
}

// Validate checks an expert.
func (in *ExpertInput) Validate() error {
	f := errs.Fields{}
	in.Name, in.Title = strings.TrimSpace(in.Name), strings.TrimSpace(in.Title)
	if in.Name == "" {
		f.Add("name", "请填写专家姓名")
	}
	if !slices.Contains(ExpertKinds, in.Kind) {
		f.Add("kind", "请选择专家类别")
	}
	return f.Err()
}

// Experts lists the pool of the communities in scope; with typeCode the experts suited to that
// dispute type come first, marked Matches (the suggestion when inviting).
func (s *Service) Experts(ctx context.Context, typeCode string) ([]Expert, error) {
	v, err := s.viewer(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	if v.redacted {
		return nil, errs.E(errs.Forbidden, "您的角色无权查看智囊团")
	}
	a := &db.Args{}
	q := `SELECT e.id, e.community_id, e.name, e.kind, e.title, e.types, e.availability, e.phone_masked, e.user_id, e.active,
		(SELECT COUNT(*) FROM mediation_participants p WHERE p.expert_id = e.id),
		(SELECT COUNT(*) FROM mediation_participants p JOIN mediation_cases m ON m.id = p.mediation_id
			WHERE p.expert_id = e.id AND m.outcome IN ('agreement','oral'))
		FROM mediation_experts e WHERE ` + db.InScope("e.community_id", a.Add(v.p.Scope()))
	if v.expertID != 0 {
		q += ` AND e.id = ` + a.Add(v.expertID)
	}
	out := []Expert{}
	err = each(ctx, s.db.R, q+` ORDER BY e.active DESC, e.id`, *a, func(scan func(...any) error) error {
		var e Expert
		var types string
		if err := scan(&e.ID, &e.CommunityID, &e.Name, &e.Kind, &e.Title, &types, &e.Availability, &e.PhoneMasked, &e.UserID,
			&e.Active, &e.Cases, &e.Agreements); err != nil {
			return err
		}
		e.Types = splitTypes(types)
		e.Matches = typeCode != "" && slices.Contains(e.Types, typeCode)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list experts: %w", err)
	}
	slices.SortStableFunc(out, func(x, y Expert) int {
		if x.Matches == y.Matches {
			return 0
		}
		if x.Matches {
			return -1
		}
		return 1
	})
	return out, nil
}

func splitTypes(s string) []string {
	out := []string{}
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// AddExpert puts an expert into a committee's pool.
func (s *Service) AddExpert(ctx context.Context, in ExpertInput) (*Expert, error) {
	v, err := s.writer(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var phoneEnc []byte
	var phoneIndex *string
	var phoneMasked string
	if raw := strings.TrimSpace(in.Phone); raw != "" {
		ph, err := pii.NormalizePhone(raw)
		if err != nil {
			return nil, errs.Field("phone", "联系电话格式不正确")
		}
		ix := s.sealer.Index(ph)
		phoneEnc, phoneIndex, phoneMasked = s.sealer.Seal(ph), &ix, pii.MaskPhone(ph)
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		cid, _, err := community(ctx, tx, v.p, in.CommunityID)
		if err != nil {
			return err
		}
		for _, t := range in.Types {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_types WHERE code = $1`, t).Scan(&n); err != nil || n == 0 {
				return errs.Field("types", "擅长的纠纷类型无效")
			}
		}
		now := s.now()
		err = tx.QueryRowContext(ctx, `INSERT INTO mediation_experts (community_id, name, kind, title, types, availability,
			phone_enc, phone_index, phone_masked, user_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`, cid, in.Name, in.Kind, in.Title,
			strings.Join(in.Types, ","), strings.TrimSpace(in.Availability), phoneEnc, phoneIndex, phoneMasked, nullID(in.UserID), now).Scan(&id)
		if db.IsUnique(err) {
			return errs.Field("user_id", "该账号已关联其他专家")
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "mediation.expert.create", ObjectType: "mediation_expert", ObjectID: id,
			RegionID: cid, Detail: in.Name, After: map[string]any{"name": in.Name, "kind": in.Kind, "title": in.Title,
				"types": in.Types, "phone": phoneMasked}})
	})
	if err != nil {
		return nil, err
	}
	all, err := s.Experts(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, e := range all {
		if e.ID == id {
			return &e, nil
		}
	}
	return nil, errs.E(errs.NotFound, "专家不存在")
}

// SetExpertActive takes an expert out of the pool (or back in); their past cases stay.
func (s *Service) SetExpertActive(ctx context.Context, id int64, active bool) error {
	v, err := s.writer(ctx, s.db.R)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var cid int64
		var path string
		err := tx.QueryRowContext(ctx, `SELECT e.community_id, r.path FROM mediation_experts e JOIN regions r ON r.id = e.community_id
			WHERE e.id = $1`, id).Scan(&cid, &path)
		if err != nil || !v.p.Covers(path) {
			return errs.E(errs.NotFound, "专家不存在")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mediation_experts SET active = $1, updated_at = $2 WHERE id = $3`, active, s.now(), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "mediation.expert.update", ObjectType: "mediation_expert", ObjectID: id,
			RegionID: cid, After: map[string]any{"active": active}})
	})
}

// DisputeTypes lists the dispute types (data, in the statistics' order).
func (s *Service) DisputeTypes(ctx context.Context) ([]DisputeType, error) {
	out := []DisputeType{}
	err := each(ctx, s.db.R, `SELECT code, name FROM mediation_types ORDER BY sort, code`, nil, func(scan func(...any) error) error {
		var t DisputeType
		err := scan(&t.Code, &t.Name)
		out = append(out, t)
		return err
	})
	return out, err
}

// MediatorOption is a mediator of a committee who may be assigned to its cases.
type MediatorOption struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// CommitteeMediators lists the active mediators of a case's committee (the community and its
// grids), for assigning the case; only those who may change the case see them.
func (s *Service) CommitteeMediators(ctx context.Context, caseID int64) ([]MediatorOption, error) {
	v, err := s.writer(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	a := &db.Args{}
	rows, err := s.db.R.QueryContext(ctx, `SELECT u.id, u.name FROM users u JOIN regions r ON r.id = u.region_id
		JOIN mediation_cases m ON m.id = `+a.Add(caseID)+`
		JOIN regions c ON c.id = m.community_id
		WHERE u.role = 'mediator' AND u.active AND r.path LIKE c.path || '%' AND `+v.scope(a)+` ORDER BY u.name, u.id`, *a...)
	if err != nil {
		return nil, fmt.Errorf("committee mediators: %w", err)
	}
	defer rows.Close()
	out := []MediatorOption{}
	for rows.Next() {
		var o MediatorOption
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
