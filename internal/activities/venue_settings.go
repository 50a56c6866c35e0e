package activities

import (
	"context"
	"fmt"
	"net/http"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/photo"
)

// MaxVenuePhotos is how many photos a room keeps; MaxVenuePhotoForm bounds one upload of them
// (listed in internal/app/bodies.go).
const (
	MaxVenuePhotos    = 8
	MaxVenuePhotoForm = 4*photo.MaxBytes + 1<<20
)

// UpdateVenue changes a room the principal runs: its name, capacity, facilities, opening hours,
// who may book it and its booking rules. Bookings already made stay; the rules apply to new ones.
func (s *Service) UpdateVenue(ctx context.Context, id int64, in VenueInput) (*Venue, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, err
	}
	var out *Venue
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		old, err := s.runVenue(ctx, tx, p, id)
		if err != nil {
			return err
		}
		in.RegionID, in.Kind = old.RegionID, old.Kind
		if err := in.Validate(); err != nil {
			return err
		}
		r := in.Rules
		_, err = tx.ExecContext(ctx, `UPDATE venues SET name = $1, capacity = $2, facilities = $3, place = $4, opens = $5, closes = $6,
			open_days = $7, bookers = $8, max_hours = $9, max_consecutive = $10, month_hours = $11, lead_days = $12,
			needs_approval = $13, noshow_limit = $14, suspend_days = $15 WHERE id = $16`, in.Name, in.Capacity, in.Facilities,
			in.Place, in.Opens, in.Closes, in.OpenDays, joinBookers(in.Bookers), r.MaxHours, r.MaxConsecutive, r.MonthHours,
			r.LeadDays, r.NeedsApproval, r.NoShowLimit, r.SuspendDays, id)
		if db.IsUnique(err) {
			return errs.Field("name", "本社区已有同名场地")
		}
		if err != nil {
			return fmt.Errorf("update venue: %w", err)
		}
		v, err := loadVenue(ctx, tx, id)
		if err != nil {
			return err
		}
		out = &v.Venue
		return audit.Record(ctx, tx, audit.Entry{Action: "venue.update", ObjectType: "venue", ObjectID: id,
			RegionID: old.RegionID, Before: old.Venue, After: out})
	})
	return out, err
}

// runVenue loads a room of the principal's own scope (the community that runs it), for changes.
func (s *Service) runVenue(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*venueRow, error) {
	v, err := loadVenue(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !p.Covers(v.path) {
		return nil, errs.E(errs.NotFound, "场地不存在")
	}
	return v, nil
}

// AddVenuePhotos keeps photos of a room, cleaned of the metadata that may give away where and by
// whom they were taken; all are kept or none.
func (s *Service) AddVenuePhotos(ctx context.Context, id int64, files []photo.Photo) (int, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, errs.Field("photos", "请选择要上传的照片")
	}
	cleaned, err := photo.CleanAll(files, MaxVenuePhotos)
	if err != nil {
		return 0, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		v, err := s.runVenue(ctx, tx, p, id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM venue_photos WHERE venue_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n+len(cleaned) > MaxVenuePhotos {
			return errs.Field("photos", fmt.Sprintf("每个场地最多保存%d张照片，已有%d张", MaxVenuePhotos, n))
		}
		for _, ph := range cleaned {
			if _, err := tx.ExecContext(ctx, `INSERT INTO venue_photos (venue_id, content_type, content, created_by, created_at)
				VALUES ($1, $2, $3, $4, $5)`, id, http.DetectContentType(ph.Data), ph.Data, p.UserID, s.now()); err != nil {
				return fmt.Errorf("insert venue photo: %w", err)
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "venue.photo", ObjectType: "venue", ObjectID: id, RegionID: v.RegionID,
			Detail: fmt.Sprintf("%s 上传照片%d张（已清除位置等元数据）", v.Name, len(cleaned))})
	})
	if err != nil {
		return 0, err
	}
	return len(cleaned), nil
}

// VenuePhotoIDs lists a room's photos, oldest first. Photos of a room show what anyone who may see
// the room (or book it on the public page) sees; they hold no personal data.
func (s *Service) VenuePhotoIDs(ctx context.Context, id int64) ([]int64, error) {
	return db.QueryIDs(ctx, s.db.R, `SELECT id FROM venue_photos WHERE venue_id = $1 ORDER BY id`, id)
}

// VenuePhoto returns one photo of a room the principal sees, or of an active room residents may
// book when public is set (the public pages).
func (s *Service) VenuePhoto(ctx context.Context, venueID, photoID int64, public bool) ([]byte, string, error) {
	if public {
		v, err := s.PublicVenue(ctx, venueID)
		if err != nil || !v.mayBook(BookerResident) {
			return nil, "", errs.E(errs.NotFound, "照片不存在")
		}
	} else if _, err := s.Venue(ctx, venueID); err != nil {
		return nil, "", err
	}
	var data []byte
	var ctype string
	err := s.db.R.QueryRowContext(ctx, `SELECT content, content_type FROM venue_photos WHERE id = $1 AND venue_id = $2`,
		photoID, venueID).Scan(&data, &ctype)
	if err != nil {
		return nil, "", db.NotFound(err, "照片不存在")
	}
	return data, ctype, nil
}
