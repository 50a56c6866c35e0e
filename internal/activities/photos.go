package activities

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/photo"
)

// MaxActivityPhotos is how many photos an activity keeps.
const MaxActivityPhotos = 12

// AddPhoto keeps a photo of an activity that has started, with the metadata that may give away
// where and by whom it was taken removed (the cases' photo cleaner until the kit's lands).
func (s *Service) AddPhoto(ctx context.Context, activityID int64, name string, data []byte) (int64, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return 0, err
	}
	photo, err := photo.Clean(name, data)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.runActivity(ctx, tx, p, activityID)
		if err != nil {
			return err
		}
		if a.StartsAt.After(s.now()) {
			return errs.Field("photos", "活动开始后才能上传照片")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM activity_photos WHERE activity_id = $1`, a.ID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxActivityPhotos {
			return errs.Field("photos", fmt.Sprintf("每个活动最多保存%d张照片", MaxActivityPhotos))
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO activity_photos (activity_id, content_type, content, created_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, a.ID, http.DetectContentType(photo.Data), photo.Data, s.now()).Scan(&id); err != nil {
			return fmt.Errorf("insert photo: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "activity.photo", ObjectType: "activity", ObjectID: a.ID,
			RegionID: a.RegionID, Detail: fmt.Sprintf("上传活动照片 %d（%d字节，已清除位置等元数据）", id, len(photo.Data))})
	})
	return id, err
}

// PhotoIDs lists an activity's photos, oldest first, for whoever reads the activity.
func (s *Service) PhotoIDs(ctx context.Context, activityID int64) ([]int64, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, err
	}
	if _, err := s.visibleActivity(ctx, s.db.R, p, activityID); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id FROM activity_photos WHERE activity_id = $1 ORDER BY id`, activityID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Photo returns one photo of an activity the principal reads: its bytes, type and time.
func (s *Service) Photo(ctx context.Context, activityID, photoID int64) ([]byte, string, time.Time, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	if _, err := s.visibleActivity(ctx, s.db.R, p, activityID); err != nil {
		return nil, "", time.Time{}, err
	}
	var data []byte
	var ctype string
	var at time.Time
	err = s.db.R.QueryRowContext(ctx, `SELECT content, content_type, created_at FROM activity_photos WHERE id = $1 AND activity_id = $2`,
		photoID, activityID).Scan(&data, &ctype, &at)
	if err != nil {
		return nil, "", time.Time{}, db.NotFound(err, "照片不存在")
	}
	return data, ctype, at, nil
}
