package briefing

import (
	"context"
	"sort"
	"strings"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
)

// Service owns the briefings: generating a draft from the records, editing its text, publishing
// it with its figures frozen, and reading it back with every figure resolved.
type Service struct {
	db  *db.DB
	src Sources
	// Now is the clock (tests set it); the day it gives bounds a briefing's period.
	Now func() time.Time
}

// NewService returns the briefing service over the capabilities' figures.
func NewService(d *db.DB, src Sources) *Service {
	return &Service{db: d, src: src, Now: time.Now}
}

// maxDays bounds a briefing's period (three years, like the figures pages).
const maxDays = 3 * 366

// GenerateInput chooses the region and period of a new briefing.
type GenerateInput struct {
	RegionID int64  `json:"region"`
	From     string `json:"from"`
	To       string `json:"to"`
}

// View is a briefing as read: its text, every figure it quotes resolved (the frozen values for a
// published one), the numbers typed into its text, and for a street or district the table of the
// regions under it.
type View struct {
	*Briefing
	Values map[string]Value `json:"figures"`
	// Changed lists the figures of a published briefing whose records have changed since: the
	// value published and the value now.
	Changed    []Change    `json:"changed"`
	Flags      []Flag      `json:"typed_numbers"`
	Comparison *Comparison `json:"comparison,omitempty"`
	// Errors holds references in the text that name no figure (a draft cannot be published then).
	Errors []string `json:"reference_errors"`
}

// Change is a figure whose value differs from the one a briefing was published with.
type Change struct {
	Ref       string `json:"ref"`
	Label     string `json:"label"`
	Published string `json:"published"`
	Now       string `json:"now"`
	Href      string `json:"href"`
}

// Comparison is the table of a street's communities (a district's streets) with the key figures
// of the period and of the period before.
type Comparison struct {
	Columns  []Def           `json:"columns"`
	Rows     []ComparisonRow `json:"rows"`
	PrevFrom string          `json:"previous_from"`
	PrevTo   string          `json:"previous_to"`
}

// ComparisonRow is one region's line of the comparison.
type ComparisonRow struct {
	RegionID int64    `json:"region_id"`
	Name     string   `json:"name"`
	Now      []string `json:"now"`  // references, resolved in View.Values
	Prev     []string `json:"prev"` // the same for the previous period
}

// comparisonKeys are the columns of the comparison table.
var comparisonKeys = []string{"cases.hotline_handled", "cases.practical_matters", "cases.satisfaction_rate",
	"mediation.agreements", "cobuild.projects", "activities.held"}

func (s *Service) principal(ctx context.Context, perm auth.Permission) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if err := p.Require(perm); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) today() string { return clock.Date(s.Now()) }

// Generate drafts a new briefing of a region (a community, street or district in the user's
// scope) for a period, its text written from the records.
func (s *Service) Generate(ctx context.Context, in GenerateInput) (*View, error) {
	p, err := s.principal(ctx, auth.BriefingWrite)
	if err != nil {
		return nil, err
	}
	fe := errs.Fields{}
	if in.RegionID <= 0 {
		fe.Add("region", "请选择简报的区域")
	}
	if !validDate(in.From) {
		fe.Add("from", "开始日期格式应为 YYYY-MM-DD")
	}
	if !validDate(in.To) {
		fe.Add("to", "结束日期格式应为 YYYY-MM-DD")
	}
	if len(fe) == 0 {
		f, _ := time.Parse(time.DateOnly, in.From)
		t, _ := time.Parse(time.DateOnly, in.To)
		switch {
		case t.Before(f):
			fe.Add("to", "结束日期不能早于开始日期")
		case t.Sub(f) > maxDays*24*time.Hour:
			fe.Add("to", "简报期间最长三年")
		case in.To > s.today():
			fe.Add("to", "结束日期不能晚于今天")
		case in.From < "2000-01-01":
			fe.Add("from", "开始日期不能早于2000年")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	b := &Briefing{RegionID: in.RegionID, From: in.From, To: in.To, State: Draft}
	if err := s.db.R.QueryRowContext(ctx, `SELECT name, path, level FROM regions WHERE id = $1`, in.RegionID).
		Scan(&b.RegionName, &b.RegionPath, &b.Level); err != nil || !p.Covers(b.RegionPath) {
		return nil, errs.Field("region", "区域不存在")
	}
	if b.Level != "community" && b.Level != "street" && b.Level != "district" {
		return nil, errs.Field("region", "简报的区域应为社区、街道或区")
	}
	year, _ := time.Parse(time.DateOnly, in.To)
	b.Year = year.Year()
	r := newResolver(s.src, p)
	if err := s.draft(ctx, r, b); err != nil {
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Second)
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		id, err := insertBriefing(ctx, tx, b, p.UserID, now)
		if err != nil {
			return err
		}
		b.ID = id
		return audit.Record(ctx, tx, audit.Entry{Action: "briefing.create", ObjectType: "briefing", ObjectID: id,
			RegionID: b.RegionID, Detail: b.RegionName + " " + b.From + "至" + b.To})
	})
	if err != nil {
		return nil, err
	}
	saved, err := getBriefing(ctx, s.db.R, p, b.ID)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, p, saved, r)
}

// Get reads a briefing in the user's scope with every figure resolved.
func (s *Service) Get(ctx context.Context, id int64) (*View, error) {
	p, err := s.principal(ctx, auth.BriefingRead)
	if err != nil {
		return nil, err
	}
	b, err := getBriefing(ctx, s.db.R, p, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, p, b, newResolver(s.src, p))
}

// view resolves the briefing's figures: live for a draft; for a published briefing the frozen
// values, with the figures whose records have changed since listed apart.
func (s *Service) view(ctx context.Context, p *auth.Principal, b *Briefing, r *resolver) (*View, error) {
	v := &View{Briefing: b, Values: map[string]Value{}, Changed: []Change{}, Errors: []string{}}
	base := Params{RegionID: b.RegionID, From: b.From, To: b.To}
	refs := b.Refs()
	if b.Level != "community" {
		cmp, err := s.comparison(ctx, b)
		if err != nil {
			return nil, err
		}
		v.Comparison = cmp
		for _, row := range cmp.Rows {
			refs = append(refs, row.Now...)
			refs = append(refs, row.Prev...)
		}
	}
	if err := s.prefetch(ctx, r, v, refs); err != nil {
		return nil, err
	}
	for _, ref := range refs {
		live, err := r.resolve(ctx, ref, base)
		if err != nil {
			if errs.CodeOf(err) == errs.Invalid {
				v.Errors = append(v.Errors, ref+"："+errs.MessageOf(err))
				continue
			}
			return nil, err
		}
		if frozen, ok := b.Frozen[ref]; ok && b.State == Published {
			if frozen.Text != live.Text {
				v.Changed = append(v.Changed, Change{Ref: ref, Label: live.Label, Published: frozen.Text, Now: live.Text, Href: live.Href})
			}
			frozen.Href = live.Href
			live = frozen
		}
		v.Values[ref] = live
	}
	v.Flags = b.Check(v.Values)
	if v.Flags == nil {
		v.Flags = []Flag{}
	}
	return v, nil
}

// prefetch reads in one statement each what many references of a briefing quote: the case
// figures of the compared regions and of the quoted categories, and the activities, co-building
// projects and mediation agreements of the compared regions.
func (s *Service) prefetch(ctx context.Context, r *resolver, v *View, refs []string) error {
	b := v.Briefing
	if v.Comparison != nil {
		var regions []int64
		for _, row := range v.Comparison.Rows {
			r.memo[regionKey(row.RegionID)] = row.Name
			regions = append(regions, row.RegionID)
		}
		for _, period := range [][2]string{{b.From, b.To}, {v.Comparison.PrevFrom, v.Comparison.PrevTo}} {
			for _, channel := range []string{"", "hotline_12345"} {
				f := cases.Filter{Channel: channel, By: "closed", RegionID: b.RegionID, From: period[0], To: period[1]}
				if err := r.casesByRegion(ctx, f); err != nil {
					return err
				}
			}
			if err := r.activitiesByRegion(ctx, Params{RegionID: b.RegionID, From: period[0], To: period[1]}); err != nil {
				return err
			}
			if err := r.byRegion(ctx, Params{RegionID: b.RegionID, From: period[0], To: period[1]}, regions); err != nil {
				return err
			}
		}
	}
	for _, ref := range refs {
		d, p, err := parseRef(ref, Params{RegionID: b.RegionID, From: b.From, To: b.To})
		if err != nil || !d.cases || p.Filter == "" {
			continue
		}
		f := cases.Filter{Channel: d.channel, By: "closed", RegionID: p.RegionID, From: p.From, To: p.To}
		if _, err := r.casesByCategory(ctx, f); err != nil { // read once per selection (memo)
			return err
		}
	}
	return nil
}

// comparison lists the regions directly under a street or district with the key figures.
func (s *Service) comparison(ctx context.Context, b *Briefing) (*Comparison, error) {
	cmp := &Comparison{}
	cmp.PrevFrom, cmp.PrevTo = previous(b.From, b.To)
	for _, k := range comparisonKeys {
		cmp.Columns = append(cmp.Columns, *defByKey[k])
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name FROM regions WHERE parent_id = $1 ORDER BY code, id`, b.RegionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var row ComparisonRow
		if err := rows.Scan(&row.RegionID, &row.Name); err != nil {
			return nil, err
		}
		region := "region=" + id(row.RegionID)
		for _, k := range comparisonKeys {
			row.Now = append(row.Now, k+" "+region)
			row.Prev = append(row.Prev, k+" "+region+" from="+cmp.PrevFrom+" to="+cmp.PrevTo)
		}
		cmp.Rows = append(cmp.Rows, row)
	}
	return cmp, rows.Err()
}

// Filter selects briefings for the list.
type Filter struct {
	RegionID int64
	State    State
	Limit    int
	Offset   int
}

// List returns the briefings of the user's scope, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Briefing, int, error) {
	p, err := s.principal(ctx, auth.BriefingRead)
	if err != nil {
		return nil, 0, err
	}
	if f.State != "" && f.State != Draft && f.State != Published {
		return nil, 0, errs.Field("state", "状态应为 draft 或 published")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	return listBriefings(ctx, s.db.R, p, f)
}

// Update edits a draft's masthead and text; a published briefing is read-only.
func (s *Service) Update(ctx context.Context, id int64, in Input) (*View, error) {
	p, err := s.principal(ctx, auth.BriefingWrite)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		b, err := getBriefing(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if b.State != Draft {
			return errs.E(errs.Conflict, "简报已发布，不能再修改")
		}
		before := *b
		if err := in.apply(b); err != nil {
			return err
		}
		if err := checkRefs(b); err != nil {
			return err
		}
		if err := updateBriefing(ctx, tx, b, s.Now().UTC().Truncate(time.Second)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "briefing.update", ObjectType: "briefing", ObjectID: id,
			RegionID: b.RegionID, Before: before.Sections, After: b.Sections})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// checkRefs refuses text whose references name no figure or take wrong parameters.
func checkRefs(b *Briefing) error {
	fe := errs.Fields{}
	base := Params{RegionID: b.RegionID, From: b.From, To: b.To}
	check := func(field, text string) {
		for _, para := range Paragraphs(text) {
			for _, seg := range para {
				if seg.Ref == "" {
					continue
				}
				if _, _, err := parseRef(seg.Ref, base); err != nil {
					fe.Add(field, errs.MessageOf(err))
				}
			}
		}
	}
	check("headline", b.Headline)
	check("note", b.Note)
	for _, sec := range b.Sections {
		check("sections."+sec.Key, sec.Text)
	}
	return fe.Err()
}

// Publish numbers a draft 第N期 of its region's year and freezes the values of its figures. It is
// refused while the text holds a typed number that is no figure.
func (s *Service) Publish(ctx context.Context, id int64) (*View, error) {
	p, err := s.principal(ctx, auth.BriefingWrite)
	if err != nil {
		return nil, err
	}
	b, err := getBriefing(ctx, s.db.R, p, id)
	if err != nil {
		return nil, err
	}
	if b.State != Draft {
		return nil, errs.E(errs.Conflict, "简报已发布")
	}
	v, err := s.view(ctx, p, b, newResolver(s.src, p))
	if err != nil {
		return nil, err
	}
	if len(v.Errors) > 0 {
		return nil, errs.E(errs.Invalid, "简报中有无法识别的指标引用：%s", strings.Join(v.Errors, "；"))
	}
	if len(v.Flags) > 0 {
		fe := errs.Fields{}
		var nums []string
		for _, f := range v.Flags {
			nums = append(nums, f.Context)
			fe.Add(sectionField(f.Section), "手工输入的数字与任何指标都不符："+f.Context+"，请改为插入指标或删除")
		}
		err := fe.Err().(*errs.Error)
		err.Message = "简报中有" + itoa(len(v.Flags)) + "处手工输入的数字不是统计指标（" + strings.Join(nums, "、") + "），请改为插入指标后再发布"
		return nil, err
	}
	now := s.Now().UTC().Truncate(time.Second)
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		cur, err := getBriefing(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if cur.State != Draft || !cur.UpdatedAt.Equal(b.UpdatedAt) {
			return errs.E(errs.Conflict, "简报在发布前被修改了，请刷新后重试")
		}
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) FROM briefings WHERE region_id = $1 AND year = $2`,
			b.RegionID, b.Year).Scan(&last); err != nil {
			return err
		}
		b.Number, b.State, b.Frozen = last+1, Published, v.Values
		if err := publishBriefing(ctx, tx, b, p.UserID, now); err != nil {
			if db.IsUnique(err) {
				return errs.E(errs.Conflict, "同一时间有另一期简报在发布，请重试")
			}
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "briefing.publish", ObjectType: "briefing", ObjectID: id,
			RegionID: b.RegionID, Detail: b.RegionName + " " + itoa(b.Year) + "年" + b.Issue(), After: frozenTexts(v.Values)})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

func sectionField(key string) string {
	if key == "headline" || key == "note" {
		return key
	}
	return "sections." + key
}

// frozenTexts is the published values for the audit entry, in a stable order.
func frozenTexts(values map[string]Value) []string {
	out := make([]string, 0, len(values))
	for ref, v := range values {
		out = append(out, ref+" = "+v.Text)
	}
	sort.Strings(out)
	return out
}

// Delete removes a draft; a published briefing stays.
func (s *Service) Delete(ctx context.Context, id int64) error {
	p, err := s.principal(ctx, auth.BriefingWrite)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		b, err := getBriefing(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if b.State != Draft {
			return errs.E(errs.Conflict, "已发布的简报不能删除")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM briefings WHERE id = $1`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "briefing.delete", ObjectType: "briefing", ObjectID: id,
			RegionID: b.RegionID, Before: b.Title})
	})
}

// Regions lists the communities, streets and districts of the user's scope a briefing may cover.
func (s *Service) Regions(ctx context.Context) ([]RegionRef, error) {
	p, err := s.principal(ctx, auth.BriefingRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, level FROM regions WHERE path LIKE $1
		AND level IN ('district','street','community') ORDER BY path`, p.Scope())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RegionRef
	for rows.Next() {
		var r RegionRef
		if err := rows.Scan(&r.ID, &r.Name, &r.Level); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RegionRef names a region a briefing may cover.
type RegionRef struct {
	ID    int64
	Name  string
	Level string
}
