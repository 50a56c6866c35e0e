package cobuild

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/geo"
)

// point is a WGS-84 location.
type point struct{ lon, lat float64 }

// Distance bands of matching: a resource offered within NearMeters of the need scores +2, within
// ReachMeters +1; farther ones score nothing for distance but still show how far they are.
const (
	NearMeters  = 1000
	ReachMeters = 3000
)

// byDistance scores how near a resource's unit is to a need's building; ok is false when either
// place is unknown.
func byDistance(need, offer *point) (score int, reason string, meters float64, ok bool) {
	if need == nil || offer == nil {
		return 0, "", 0, false
	}
	meters = geo.DistanceMeters(need.lon, need.lat, offer.lon, offer.lat)
	switch {
	case meters <= NearMeters:
		score = 2
	case meters <= ReachMeters:
		score = 1
	}
	if meters < 1000 {
		reason = fmt.Sprintf("距离约%d米", int(math.Round(meters/10))*10)
	} else {
		reason = "距离约" + strconv.FormatFloat(meters/1000, 'f', 1, 64) + "公里"
	}
	return score, reason, meters, true
}

// buildingPoint returns a need's building location, nil when it names none or it has no point.
func buildingPoint(ctx context.Context, q db.Querier, buildingID *int64) (*point, error) {
	if buildingID == nil || *buildingID == 0 {
		return nil, nil
	}
	var lon, lat sql.NullFloat64
	err := q.QueryRowContext(ctx, `SELECT lon, lat FROM buildings WHERE id = $1`, *buildingID).Scan(&lon, &lat)
	if err == sql.ErrNoRows || !lon.Valid || !lat.Valid {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &point{lon.Float64, lat.Float64}, nil
}

// unitPoints returns the located units of a community by id.
func unitPoints(ctx context.Context, q db.Querier, communityID int64) (map[int64]*point, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, lon, lat FROM cobuild_units WHERE region_id = $1 AND lon IS NOT NULL AND lat IS NOT NULL`,
		communityID)
	if err != nil {
		return nil, fmt.Errorf("unit locations: %w", err)
	}
	defer rows.Close()
	out := map[int64]*point{}
	for rows.Next() {
		var id int64
		var p point
		if err := rows.Scan(&id, &p.lon, &p.lat); err != nil {
			return nil, err
		}
		out[id] = &p
	}
	return out, rows.Err()
}

// SetUnitLocation records where a unit is (a point in crs: wgs84, gcj02 as Amap and WeChat give
// it, or bd09 as Baidu does), so that matching weighs how far its resources are from a need.
func (s *Service) SetUnitLocation(ctx context.Context, unitID int64, lon, lat float64, crs geo.CRS) error {
	lon, lat = geo.ToWGS84(crs, lon, lat)
	if !geo.InChina(lon, lat) {
		return errs.Field("location", "位置不在中国境内，请核对经纬度")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		v, err := s.viewer(ctx, tx, auth.CobuildWrite)
		if err != nil {
			return err
		}
		if !v.staff() {
			return errs.E(errs.Forbidden, "只有社区工作人员可以修改单位位置")
		}
		u, err := s.unitFor(ctx, tx, v, unitID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cobuild_units SET lon = $1, lat = $2, updated_at = $3 WHERE id = $4`,
			lon, lat, s.now().UTC(), unitID); err != nil {
			return err
		}
		return record(ctx, tx, "cobuild.unit.location", "cobuild_unit", unitID, u.RegionID, "标注单位位置",
			map[string]float64{"lon": lon, "lat": lat})
	})
}

// UnitLocation returns a unit's WGS-84 location; ok is false when it has none.
func (s *Service) UnitLocation(ctx context.Context, unitID int64) (lon, lat float64, ok bool, err error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return 0, 0, false, err
	}
	if _, err := s.unitFor(ctx, s.db.R, v, unitID); err != nil {
		return 0, 0, false, err
	}
	var x, y sql.NullFloat64
	if err := s.db.R.QueryRowContext(ctx, `SELECT lon, lat FROM cobuild_units WHERE id = $1`, unitID).Scan(&x, &y); err != nil {
		return 0, 0, false, err
	}
	return x.Float64, y.Float64, x.Valid && y.Valid, nil
}
