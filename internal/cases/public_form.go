package cases

// public_form.go serves the resident's public form: where a report can be placed, the similar open
// cases shown before submitting, and following one of them through a read-only link. Nothing here
// hands out another resident's text, name, phone or tracking code.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/geo"
)

// ReportPlaces is what the public form offers to place a report: the community, its buildings,
// and the grid or building a QR code preselected; with no QR code, the communities to choose from.
type ReportPlaces struct {
	CommunityID   int64
	CommunityName string
	GridID        int64
	GridName      string
	BuildingID    int64
	Buildings     []Option
	Communities   []Option
}

// ReportPlaces resolves the ?grid= or ?building= of a QR code (or a chosen community) into the
// community and its buildings. Unknown ids are ignored rather than refused: a stale QR code still
// opens the form.
func (s *Service) ReportPlaces(ctx context.Context, communityID, gridID, buildingID int64) (*ReportPlaces, error) {
	q := s.db.R
	pl := &ReportPlaces{}
	if buildingID != 0 {
		var grid *int64
		if err := q.QueryRowContext(ctx, `SELECT community_id, grid_id FROM buildings WHERE id = $1`, buildingID).
			Scan(&pl.CommunityID, &grid); err == nil {
			pl.BuildingID = buildingID
			if grid != nil {
				gridID = *grid
			}
		}
	}
	if gridID != 0 {
		var community int64
		if err := q.QueryRowContext(ctx, `SELECT g.community_id, r.name FROM grids g JOIN regions r ON r.id = g.id WHERE g.id = $1`,
			gridID).Scan(&community, &pl.GridName); err == nil && (pl.CommunityID == 0 || pl.CommunityID == community) {
			pl.GridID, pl.CommunityID = gridID, community
		}
	}
	if pl.CommunityID == 0 {
		pl.CommunityID = communityID
	}
	var err error
	if pl.Communities, err = options(ctx, q, `SELECT r.id, COALESCE(p.name || ' · ', '') || r.name FROM regions r
		LEFT JOIN regions p ON p.id = r.parent_id WHERE r.level = 'community' ORDER BY r.code`); err != nil {
		return nil, err
	}
	if pl.CommunityID == 0 && len(pl.Communities) == 1 {
		pl.CommunityID = pl.Communities[0].ID
	}
	if pl.CommunityID != 0 {
		if err := q.QueryRowContext(ctx, `SELECT name FROM regions WHERE id = $1 AND level = 'community'`, pl.CommunityID).
			Scan(&pl.CommunityName); err != nil {
			pl.CommunityID = 0
		}
	}
	pl.Buildings = []Option{}
	if pl.CommunityID != 0 {
		if pl.Buildings, err = options(ctx, q, `SELECT b.id, CASE WHEN g.name IS NULL THEN b.name ELSE b.name || '（' || g.name || '）' END
			FROM buildings b LEFT JOIN regions g ON g.id = b.grid_id WHERE b.community_id = $1 ORDER BY b.name`, pl.CommunityID); err != nil {
			return nil, err
		}
	}
	return pl, nil
}

// Similar is an open case like the one a resident is about to report, as the public form shows it:
// no text, name or code of the other resident.
type Similar struct {
	ID         int64
	Number     string
	Category   string
	StateLabel string
	ReceivedAt time.Time
	Where      string
}

// SimilarOpen lists open cases of the same category in the same building or within the category's
// duplicate radius of the point (GCJ-02 and BD-09 points converted), at most ten, newest first.
func (s *Service) SimilarOpen(ctx context.Context, categoryID, buildingID int64, lon, lat *float64, crs string) ([]Similar, error) {
	out := []Similar{}
	if categoryID == 0 {
		return out, nil
	}
	seen := map[int64]bool{}
	if lon != nil && lat != nil {
		x, y := *lon, *lat
		if crs == "gcj02" || crs == "bd09" {
			x, y = geo.ToWGS84(geo.CRS(crs), x, y)
		}
		near, err := s.NearbyOpen(ctx, categoryID, x, y)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return nil, err
		}
		for _, n := range near {
			seen[n.ID] = true
			out = append(out, Similar{ID: n.ID, Number: n.Number, Category: n.Category, StateLabel: n.StateLabel,
				ReceivedAt: n.ReceivedAt, Where: fmt.Sprintf("约%d米", n.Distance)})
		}
	}
	if buildingID != 0 {
		rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, c.number, COALESCE(cp.name || ' › ', '') || cat.name, c.state,
			c.received_at, b.name FROM cases c JOIN case_categories cat ON cat.id = c.category_id
			LEFT JOIN case_categories cp ON cp.id = cat.parent_id JOIN buildings b ON b.id = c.building_id
			WHERE c.building_id = $1 AND c.category_id = $2 AND c.state <> 'closed' ORDER BY c.received_at DESC LIMIT 10`,
			buildingID, categoryID)
		if err != nil {
			return nil, fmt.Errorf("similar cases: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var sm Similar
			var st State
			if err := rows.Scan(&sm.ID, &sm.Number, &sm.Category, &st, &sm.ReceivedAt, &sm.Where); err != nil {
				return nil, err
			}
			if seen[sm.ID] {
				continue
			}
			sm.StateLabel = st.Label()
			out = append(out, sm)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(out) > 10 {
		out = out[:10]
	}
	return out, nil
}

// followCode is the read-only tracking code of case id for residents who follow it: it shows the
// same public status but cannot rate the case, which stays with the resident who reported it.
func (s *Service) followCode(id int64) string {
	return "f" + strconv.FormatInt(id, 10) + "-" + s.sealer.Index("case-follow:" + strconv.FormatInt(id, 10))[:20]
}

// Follow lets a resident follow an open case instead of filing the same problem again. Only a case
// the form offered — one of SimilarOpen for the category and place the resident chose — can be
// followed, so case numbers cannot be walked to read other residents' cases. The case's timeline
// gets an internal note, so staff see that more residents are waiting on it; the answer is the
// follower's read-only tracking code.
func (s *Service) Follow(ctx context.Context, id, categoryID, buildingID int64, lon, lat *float64, crs string) (string, error) {
	similar, err := s.SimilarOpen(ctx, categoryID, buildingID, lon, lat, crs)
	if err != nil {
		return "", err
	}
	offered := false
	for _, sm := range similar {
		offered = offered || sm.ID == id
	}
	if !offered {
		return "", errs.E(errs.NotFound, "附近没有这件同类问题，请重新选择类别和位置后再查看")
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		c, err := loadCase(ctx, tx, id)
		if err != nil {
			return err
		}
		if !c.State.Open() {
			return errs.E(errs.Conflict, "该诉求已办结，无需关注，如问题仍存在请重新反映")
		}
		_, err = record(ctx, tx, c, &Event{At: s.now(), ActorName: "居民", Action: ActNote, FromState: c.State,
			ToState: c.State, Note: "又有居民通过自助上报反映同一问题，已关注本案办理进展"}, nil)
		return err
	})
	if err != nil {
		return "", err
	}
	return s.followCode(id), nil
}

// TrackAny returns the public status for a tracking code or a follower's code; only the reporter's
// own code can rate, and a follower does not get the reporter's title.
func (s *Service) TrackAny(ctx context.Context, code string) (*PublicCase, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if !strings.HasPrefix(code, "f") || !strings.Contains(code, "-") {
		return s.Track(ctx, code)
	}
	num, _, _ := strings.Cut(code[1:], "-")
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 || s.followCode(id) != code {
		return nil, errs.E(errs.NotFound, "查询码无效，请核对后重试")
	}
	var tracking string
	if err := s.db.R.QueryRowContext(ctx, `SELECT tracking_code FROM cases WHERE id = $1`, id).Scan(&tracking); err != nil {
		return nil, db.NotFound(err, "查询码无效，请核对后重试")
	}
	pc, err := s.Track(ctx, tracking)
	if err != nil {
		return nil, err
	}
	pc.CanRate = false
	pc.Title = "" // the reporter's own words, not the follower's
	return pc, nil
}
