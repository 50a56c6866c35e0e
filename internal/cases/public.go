package cases

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/db"
	"linli/internal/errs"
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
}

// PublicEvent is one public step of the timeline.
type PublicEvent struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
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

// Track returns the public status of the case with the tracking code.
func (s *Service) Track(ctx context.Context, code string) (*PublicCase, error) {
	c, err := byTracking(ctx, s.db.R, code)
	if err != nil {
		return nil, err
	}
	events, err := listEvents(ctx, s.db.R, c.ID, true)
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
	pc.CanRate = CheckState(ActCallback, c) == nil
	pc.Rated = c.CallbackAt != nil
	if c.MergedInto != nil {
		pc.MergedLink = "/track/" + s.followCode(*c.MergedInto)
	}
	staff, err := staffNames(ctx, s.db.R, c.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		pc.Events = append(pc.Events, PublicEvent{At: e.At, Action: e.Action.Label(), Note: staff.Replace(e.Note)})
	}
	return pc, nil
}

// staffNames replaces, in the public notes of a case, the names of the staff on it — whoever acted
// on it and whoever was dispatched a task by name (派遣至 主办：王雪) — with 工作人员: a resident sees
// which grid or unit handles the case, not who.
func staffNames(ctx context.Context, q db.Querier, caseID int64) (*strings.Replacer, error) {
	rows, err := q.QueryContext(ctx, `SELECT actor_name FROM case_events WHERE case_id = $1 AND user_id IS NOT NULL
		UNION SELECT target_name FROM case_assignments WHERE case_id = $1 AND target_kind = 'user'`, caseID)
	if err != nil {
		return nil, fmt.Errorf("staff names: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		if n = strings.TrimSpace(n); utf8.RuneCountInString(n) >= 2 {
			names = append(names, n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	pairs := make([]string, 0, 2*len(names))
	for _, n := range names {
		pairs = append(pairs, n, "工作人员")
	}
	return strings.NewReplacer(pairs...), nil
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
