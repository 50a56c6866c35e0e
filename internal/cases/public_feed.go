package cases

// public_feed.go serves public feeds of cases to other systems (Open311): intake through another
// public channel within a region, the cases of a region as the public may see them, and a comment
// of the reporter added as a public note. The rules are those of the public form and the tracking
// link: no internal note, no staff name, no personal number.

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
)

// SubmitWithin is Submit through another public channel (open311): the same rules as the public
// form, the channel given, and the place must lie within the region whose path is within (the
// region a client's key serves); a place outside it is a field error on community_id. then, when
// not nil, runs in the same transaction with the new case, so that the channel's own record of it
// commits or rolls back with the case.
func (s *Service) SubmitWithin(ctx context.Context, channel, within string, in PublicSubmission,
	then func(ctx context.Context, q db.Querier, c *Case) error) (*Case, error) {
	in.ReceivedAt, in.ExternalNo, in.ExternalDeadline, in.ResidentID, in.HouseholdID = nil, "", nil, 0, 0
	in.Channel = channel
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var c *Case
	err = s.db.InKeyTx(ctx, func(tx *db.Tx) error {
		var err error
		if c, err = s.intake(ctx, tx, cal, in, nil); err != nil {
			return err
		}
		if within != "" && !strings.HasPrefix(c.regionPath, within) {
			return errs.Field("community_id", "所选位置不在该接入方的服务范围内")
		}
		if then != nil {
			return then(ctx, tx, c)
		}
		return nil
	})
	return c, err
}

// FeedFilter selects the cases of a public feed. RegionPath is required; zero fields do not filter.
type FeedFilter struct {
	RegionPath   string   // the subtree the feed serves, "/1/2/"
	Numbers      []string // case numbers
	CategoryIDs  []int64
	From, To     *time.Time // received, [From, To]
	UpdatedFrom  *time.Time // changed (the case, or a public note added) within [UpdatedFrom, UpdatedTo]
	UpdatedTo    *time.Time
	Open         *bool
	Channel      string
	Limit        int // at most 1000; 1000 when 0
	WithComments bool
}

// FeedCase is a case as a public feed shows it: what, where, its state and public notes. The
// description has personal numbers masked; staff names in notes read 工作人员.
type FeedCase struct {
	ID             int64
	Number         string
	CategoryID     int64
	CategoryName   string
	State          State
	Outcome        Outcome
	Description    string
	Address        string
	BuildingID     *int64
	Lon, Lat       *float64
	Agency         string // the grid or community that holds the case
	ReceivedAt     time.Time
	UpdatedAt      time.Time
	HandleDeadline *time.Time
	Notes          []FeedNote
}

// FeedNote is one public step of a case's timeline.
type FeedNote struct {
	ID     int64
	At     time.Time
	Action Action
	State  State
	Note   string
}

// MaxFeed is the most cases one feed answer holds.
const MaxFeed = 1000

// Feed returns the cases of a region the filter selects, newest first, with their public notes.
func (s *Service) Feed(ctx context.Context, f FeedFilter) ([]FeedCase, error) {
	if f.RegionPath == "" {
		return nil, errs.E(errs.Invalid, "缺少服务范围")
	}
	if f.Limit <= 0 || f.Limit > MaxFeed {
		f.Limit = MaxFeed
	}
	var a db.Args
	conds := []string{db.InScope("c.region_id", a.Add(f.RegionPath+"%"))}
	if len(f.Numbers) > 0 {
		ph := make([]string, len(f.Numbers))
		for i, n := range f.Numbers {
			ph[i] = a.Add(n)
		}
		conds = append(conds, "c.number IN ("+strings.Join(ph, ", ")+")")
	}
	if len(f.CategoryIDs) > 0 {
		conds = append(conds, s.db.Dialect.InIDs("c.category_id", f.CategoryIDs, &a))
	}
	if f.From != nil {
		conds = append(conds, "c.received_at >= "+a.Add(f.From.UTC()))
	}
	if f.To != nil {
		conds = append(conds, "c.received_at <= "+a.Add(f.To.UTC()))
	}
	if f.UpdatedFrom != nil || f.UpdatedTo != nil {
		var changed, noted []string
		if f.UpdatedFrom != nil {
			ph := a.Add(f.UpdatedFrom.UTC())
			changed, noted = append(changed, "c.updated_at >= "+ph), append(noted, "e.at >= "+ph)
		}
		if f.UpdatedTo != nil {
			ph := a.Add(f.UpdatedTo.UTC())
			changed, noted = append(changed, "c.updated_at <= "+ph), append(noted, "e.at <= "+ph)
		}
		conds = append(conds, "(("+strings.Join(changed, " AND ")+") OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.public AND "+
			strings.Join(noted, " AND ")+"))")
	}
	if f.Open != nil {
		if *f.Open {
			conds = append(conds, "c.state <> 'closed'")
		} else {
			conds = append(conds, "c.state = 'closed'")
		}
	}
	if f.Channel != "" {
		conds = append(conds, "c.channel = "+a.Add(f.Channel))
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+caseColumns+caseFrom+` WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY c.received_at DESC, c.id DESC LIMIT `+a.Add(f.Limit), a...)
	if err != nil {
		return nil, err
	}
	var cs []*Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]FeedCase, 0, len(cs))
	var notes map[int64][]FeedNote
	if f.WithComments && len(cs) > 0 {
		if notes, err = s.feedNotes(ctx, cs); err != nil {
			return nil, err
		}
	}
	for _, c := range cs {
		fc := FeedCase{ID: c.ID, Number: c.Number, CategoryID: c.CategoryID, CategoryName: c.CategoryName, State: c.State,
			Outcome: c.Outcome, Description: pii.MaskText(c.Description), Address: pii.MaskText(c.Address),
			BuildingID: c.BuildingID, Lon: c.Lon, Lat: c.Lat, Agency: c.RegionName, ReceivedAt: c.ReceivedAt,
			UpdatedAt: c.UpdatedAt, HandleDeadline: c.HandleDeadline, Notes: notes[c.ID]}
		if fc.Notes == nil {
			fc.Notes = []FeedNote{}
		}
		out = append(out, fc)
	}
	return out, nil
}

// feedNotes are the public steps of the cases, by case id, with staff names replaced and numbers
// masked: two statements for the whole page.
func (s *Service) feedNotes(ctx context.Context, cs []*Case) (map[int64][]FeedNote, error) {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	staff, err := staffNamesOf(ctx, s.db.R, ids)
	if err != nil {
		return nil, err
	}
	var a db.Args
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, case_id, at, action, from_state, to_state, note FROM case_events
		WHERE case_id IN (`+idList(&a, ids)+`) AND public ORDER BY case_id, id`, a...)
	if err != nil {
		return nil, fmt.Errorf("feed notes: %w", err)
	}
	defer rows.Close()
	out := map[int64][]FeedNote{}
	for rows.Next() {
		var n FeedNote
		var caseID int64
		var from State
		if err := rows.Scan(&n.ID, &caseID, &n.At, &n.Action, &from, &n.State, &n.Note); err != nil {
			return nil, err
		}
		if n.State == "" {
			n.State = from
		}
		n.At = n.At.UTC()
		n.Note = pii.MaskText(staff[caseID].Replace(n.Note))
		out[caseID] = append(out[caseID], n)
	}
	return out, rows.Err()
}

// Comment adds the reporter's comment to a case as a public note (channel clients post the
// reporter's follow-up this way) and returns the note's id; the case must lie within the region
// path within.
func (s *Service) Comment(ctx context.Context, id int64, within, note string) (int64, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return 0, errs.Field("description", "请填写补充说明")
	}
	if utf8.RuneCountInString(note) > 4000 {
		return 0, errs.Field("description", "补充说明不能超过4000字")
	}
	var noteID int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		c, err := loadCase(ctx, tx, id)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(c.regionPath, within) {
			return errs.E(errs.NotFound, "案件不存在或您无权查看")
		}
		before := auditView(c)
		if err := CheckState(ActNote, c); err != nil {
			return err
		}
		noteID, err = record(ctx, tx, c, &Event{At: s.now(), ActorName: "居民", Action: ActNote, FromState: c.State,
			ToState: c.State, Note: note, Public: true}, before)
		return err
	})
	return noteID, err
}
