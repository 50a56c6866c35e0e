package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
)

// PublicCase is what the tracking link shows: status, deadlines and public notes — never internal
// notes, names of staff or anyone's personal data.
type PublicCase struct {
	Number         string     `json:"number"`
	Category       string     `json:"category"`
	Title          string     `json:"title"`
	State          State      `json:"state"`
	StateLabel     string     `json:"state_label"`
	Outcome        Outcome    `json:"outcome"`
	OutcomeLabel   string     `json:"outcome_label"`
	ReceivedAt     time.Time  `json:"received_at"`
	HandleDeadline *time.Time `json:"handle_deadline"`
	// HandleDeadlineEstimated: the deadline lies in a year without working-day calendar data and
	// may still move (shown 预计).
	HandleDeadlineEstimated bool          `json:"handle_deadline_estimated"`
	ClosedAt                *time.Time    `json:"closed_at"`
	CanRate                 bool          `json:"can_rate"`
	Rated                   bool          `json:"rated"`
	Events                  []PublicEvent `json:"events"`
	// MergedLink is, for a case merged into another (并单), the read-only tracking link of that case.
	MergedLink string `json:"-"`
	// Main is, for a case merged into another, the public progress and result of that main case.
	Main *PublicCase `json:"main,omitempty"`
}

// PublicEvent is one step of the timeline as the resident sees it: every change of state, by the
// role of who acted (never a name), with the note only where the actor made it public, masked.
type PublicEvent struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	By     string    `json:"by,omitempty"` // the actor's role: 网格长, 社区管理员 …
	Note   string    `json:"note"`
}

func byTracking(ctx context.Context, q db.Querier, code string) (*Case, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if len(code) < 16 {
		return nil, errs.E(errs.NotFound, "查询码无效，请核对后重试")
	}
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseColumns+caseFrom+` WHERE c.tracking_code = $1`, code))
	if err != nil {
		return nil, db.NotFound(err, "查询码无效，请核对后重试")
	}
	return c, nil
}

// Track returns the public status of the case with the tracking code. A case merged into another
// (并单) shows the main case's progress and result too, and its reporter rates it once the main
// case is closed.
func (s *Service) Track(ctx context.Context, code string) (*PublicCase, error) {
	c, err := byTracking(ctx, s.db.R, code)
	if err != nil {
		return nil, err
	}
	pc, err := s.publicCase(ctx, c)
	if err != nil {
		return nil, err
	}
	pc.CanRate = CheckState(ActCallback, c) == nil
	pc.Rated = c.CallbackAt != nil
	if c.MergedInto != nil {
		pc.MergedLink = "/track/" + s.followCode(*c.MergedInto)
		main, err := loadCase(ctx, s.db.R, *c.MergedInto)
		if err != nil {
			return nil, err
		}
		if pc.Main, err = s.publicCase(ctx, main); err != nil {
			return nil, err
		}
		pc.Main.Title = ""
		pc.CanRate = c.CallbackAt == nil && main.State == Closed && main.Outcome.Handled()
	}
	return pc, nil
}

// publicCase is the public view of c: status, deadlines and its steps as PublicEvent shows them.
func (s *Service) publicCase(ctx context.Context, c *Case) (*PublicCase, error) {
	events, err := listEvents(ctx, s.db.R, c.ID, false)
	if err != nil {
		return nil, err
	}
	pc := &PublicCase{Number: c.Number, Category: c.CategoryName, Title: c.Title, State: c.State,
		StateLabel: c.State.Label(), Outcome: c.Outcome, OutcomeLabel: c.Outcome.Label(), ReceivedAt: c.ReceivedAt,
		HandleDeadline: c.HandleDeadline, ClosedAt: c.ClosedAt, Events: []PublicEvent{}}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	pc.HandleDeadlineEstimated = Estimated(cal, c.ReceivedAt, c.HandleDeadline)
	staff, err := staffNames(ctx, s.db.R, c.ID)
	if err != nil {
		return nil, err
	}
	roles, err := actorRoles(ctx, s.db.R, c.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if !e.Public && e.FromState == e.ToState {
			continue // an internal step that changed nothing the resident follows
		}
		pe := PublicEvent{At: e.At, Action: e.Action.Label()}
		if e.UserID != nil {
			pe.By = roles[*e.UserID]
		}
		if e.Public {
			pe.Note = pii.MaskText(staff.Replace(e.Note))
		} else if e.Action == ActDispatch {
			pe.Note = pii.MaskText(staff.Replace(dispatchedTo(e.Detail)))
		}
		pc.Events = append(pc.Events, pe)
	}
	return pc, nil
}

// dispatchedTo says where a dispatch sent the case (派往 主办：南关社区第一网格), from the targets its
// event recorded; the dispatcher's own note stays internal unless made public.
func dispatchedTo(detail string) string {
	var d struct {
		Targets []string `json:"targets"`
	}
	if json.Unmarshal([]byte(detail), &d) != nil || len(d.Targets) == 0 {
		return ""
	}
	return "派往 " + strings.Join(d.Targets, "；")
}

// actorRoles names, for each staff member who acted on the case, their role (网格长, 职能部门 …).
func actorRoles(ctx context.Context, q db.Querier, caseID int64) (map[int64]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT u.id, u.role FROM case_events e JOIN users u ON u.id = e.user_id
		WHERE e.case_id = $1`, caseID)
	if err != nil {
		return nil, fmt.Errorf("actor roles: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var role auth.Role
		if err := rows.Scan(&id, &role); err != nil {
			return nil, err
		}
		out[id] = role.Label()
	}
	return out, rows.Err()
}

// staffNames replaces, in the public notes of a case, the names of the staff on it — whoever acted
// on it and whoever was dispatched a task by name (派遣至 主办：王雪) — with 工作人员: a resident sees
// which grid or unit handles the case, not who.
func staffNames(ctx context.Context, q db.Querier, caseID int64) (*strings.Replacer, error) {
	all, err := staffNamesOf(ctx, q, []int64{caseID})
	if err != nil {
		return nil, err
	}
	return all[caseID], nil
}

// staffNamesOf is staffNames for several cases at once, by case id (every id has a replacer).
func staffNamesOf(ctx context.Context, q db.Querier, caseIDs []int64) (map[int64]*strings.Replacer, error) {
	var a db.Args
	in := idList(&a, caseIDs)
	rows, err := q.QueryContext(ctx, `SELECT case_id, actor_name FROM case_events WHERE case_id IN (`+in+`) AND user_id IS NOT NULL
		UNION SELECT case_id, target_name FROM case_assignments WHERE case_id IN (`+in+`) AND target_kind = 'user'`, a...)
	if err != nil {
		return nil, fmt.Errorf("staff names: %w", err)
	}
	defer rows.Close()
	names := map[int64][]string{}
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		if n = strings.TrimSpace(n); utf8.RuneCountInString(n) >= 2 {
			names[id] = append(names[id], n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[int64]*strings.Replacer, len(caseIDs))
	for _, id := range caseIDs {
		ns := names[id]
		sort.Slice(ns, func(i, j int) bool { return len(ns[i]) > len(ns[j]) })
		pairs := make([]string, 0, 2*len(ns))
		for _, n := range ns {
			pairs = append(pairs, n, "工作人员")
		}
		out[id] = strings.NewReplacer(pairs...)
	}
	return out, nil
}

// idList adds ids to a and returns their placeholders, "$1, $2, …" (at most a page of cases).
func idList(a *db.Args, ids []int64) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = a.Add(id)
	}
	return strings.Join(ph, ", ")
}

// Rating is the resident's callback through the tracking link.
type Rating struct {
	Resolved     *bool        `json:"resolved"`
	Satisfaction Satisfaction `json:"satisfaction"`
	Cause        string       `json:"cause,omitempty"`
	Note         string       `json:"note,omitempty"`
}

// maxRatingNote is the longest note a resident's rating may carry, in characters.
const maxRatingNote = 500

// Rate records the resident's own callback on a closed case through its tracking code. 不满意
// with a subjective cause reopens the case, as a staff callback would.
func (s *Service) Rate(ctx context.Context, code string, r Rating) (*PublicCase, error) {
	if n := utf8.RuneCountInString(strings.TrimSpace(r.Note)); n > maxRatingNote {
		return nil, errs.Field("note", fmt.Sprintf("评价说明不能超过%d字", maxRatingNote))
	}
	cal, err := s.Calendar(ctx) // before the transaction: loading may write
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		c, err := byTracking(ctx, tx, code)
		if err != nil {
			return err
		}
		if err := loadMain(ctx, tx, c); err != nil {
			return err
		}
		if err := CheckState(ActCallback, c); err != nil {
			return err
		}
		st := &step{s: s, tx: tx, c: c, cal: cal, now: s.now(), before: auditView(c),
			in: ActionInput{Resolved: r.Resolved, Satisfaction: r.Satisfaction, Cause: r.Cause, Note: strings.TrimSpace(r.Note)}}
		if st.cat, err = categoryByID(ctx, tx, c.CategoryID); err != nil {
			return err
		}
		st.ev = &Event{At: st.now, ActorName: "居民", Action: ActCallback, FromState: c.State, ToState: c.State}
		if err := st.callback(ctx, true); err != nil {
			return err
		}
		c.State = st.ev.ToState
		c.Overdue = overdueAt(c, st.now)
		if err := saveCase(ctx, tx, c, c.Version, st.now); err != nil {
			return err
		}
		_, err = record(ctx, tx, c, st.ev, st.before)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Track(ctx, code)
}

// Nearby is an open case close to a location, shown before a new case is submitted.
type Nearby struct {
	ID           int64     `json:"id"`
	Number       string    `json:"number"`
	Title        string    `json:"title"`
	Category     string    `json:"category"`
	StateLabel   string    `json:"state_label"`
	ReceivedAt   time.Time `json:"received_at"`
	Distance     int       `json:"distance_m"`
	TrackingCode string    `json:"tracking_code"`
}

// NearbyOpen lists open cases of the same category within the category's duplicate radius of a
// WGS-84 point, nearest first — the similar cases a resident or staff member may follow instead of
// filing a new one.
func (s *Service) NearbyOpen(ctx context.Context, categoryID int64, lon, lat float64) ([]Nearby, error) {
	cat, err := categoryByID(ctx, s.db.R, categoryID)
	if err != nil {
		return nil, err
	}
	radius := float64(cat.DuplicateRadius)
	if radius <= 0 {
		return []Nearby{}, nil
	}
	dLat := radius / 111_320
	dLon := radius / (111_320 * math.Max(0.1, math.Cos(lat*math.Pi/180)))
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, c.number, c.title, c.received_at, c.lon, c.lat, c.state, c.tracking_code
		FROM cases c WHERE c.category_id = $1 AND c.state <> 'closed' AND c.lat BETWEEN $2 AND $3 AND c.lon BETWEEN $4 AND $5
		ORDER BY c.received_at DESC LIMIT 50`, categoryID, lat-dLat, lat+dLat, lon-dLon, lon+dLon)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Nearby{}
	for rows.Next() {
		var n Nearby
		var clon, clat float64
		var st State
		if err := rows.Scan(&n.ID, &n.Number, &n.Title, &n.ReceivedAt, &clon, &clat, &st, &n.TrackingCode); err != nil {
			return nil, err
		}
		n.Distance = int(math.Round(metres(lon, lat, clon, clat)))
		if float64(n.Distance) > radius {
			continue
		}
		n.Category, n.StateLabel = cat.FullName, st.Label()
		out = append(out, n)
	}
	return out, rows.Err()
}

// metres is the great-circle distance between two WGS-84 points.
func metres(lon1, lat1, lon2, lat2 float64) float64 {
	const r = 6371000
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}
