package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path/filepath"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// SubmitReport records a resident's request from the public form with its photos: the photos are
// checked and cleaned first, so a bad photo rejects the submission before anything is written;
// they are then attached to the case's first timeline entry.
func (s *Service) SubmitReport(ctx context.Context, in PublicSubmission, files []Photo) (*Case, error) {
	photos, err := CleanPhotos(files)
	if err != nil {
		return nil, err
	}
	c, err := s.Submit(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := s.attachToIntake(ctx, c, nil, photos); err != nil {
		return nil, err
	}
	return c, nil
}

// IntakeWithPhotos is Intake for the staff form: the photos go on the intake entry.
func (s *Service) IntakeWithPhotos(ctx context.Context, in Intake, files []Photo) (*Case, error) {
	photos, err := CleanPhotos(files)
	if err != nil {
		return nil, err
	}
	c, err := s.Intake(ctx, in)
	if err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	if err := s.attachToIntake(ctx, c, &p.UserID, photos); err != nil {
		return nil, err
	}
	return c, nil
}

// ActWithPhotos is Act with photos uploaded in the same form (before-and-after photos on a report
// or a progress note). Photos of an action that is then refused are removed again.
func (s *Service) ActWithPhotos(ctx context.Context, id int64, a Action, in ActionInput, files []Photo) (*Case, error) {
	photos, err := CleanPhotos(files)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if len(photos) > 0 {
		if a != ActNote && a != ActReport && a != ActSign && a != ActRework {
			return nil, errs.Field("photos", "该操作不能附带照片")
		}
		if ids, err = s.AddPhotos(ctx, id, photos); err != nil {
			return nil, err
		}
		in.Attachments = append(in.Attachments, ids...)
	}
	c, err := s.Act(ctx, id, a, in)
	if err != nil && len(ids) > 0 {
		s.unlinkedPhotosCleanup(context.WithoutCancel(ctx), id, ids)
	}
	return c, err
}

// attachToIntake stores photos and ties them to the case's intake entry, in one transaction.
func (s *Service) attachToIntake(ctx context.Context, c *Case, by *int64, photos []Photo) error {
	if len(photos) == 0 {
		return nil
	}
	if s.opts.DataDir == "" {
		return errs.E(errs.Invalid, "未配置数据目录，无法保存照片")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var eventID int64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(id) FROM case_events WHERE case_id = $1`, c.ID).Scan(&eventID); err != nil {
			return fmt.Errorf("intake event: %w", err)
		}
		ids := make([]int64, 0, len(photos))
		for _, ph := range photos {
			ct := http.DetectContentType(ph.Data)
			sum := sha256.Sum256(ph.Data)
			hash := hex.EncodeToString(sum[:])
			rel := filepath.ToSlash(filepath.Join("cases", hash[:2], hash+photoTypes[ct]))
			if err := writeOnce(filepath.Join(s.opts.DataDir, filepath.FromSlash(rel)), ph.Data); err != nil {
				return err
			}
			var aid int64
			err := tx.QueryRowContext(ctx, `INSERT INTO case_attachments (case_id, region_id, event_id, path, file_name,
				content_type, size, sha256, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
				c.ID, c.RegionID, eventID, rel, cleanName(ph.FileName), ct, len(ph.Data), hash, by, s.now()).Scan(&aid)
			if err != nil {
				return fmt.Errorf("insert attachment: %w", err)
			}
			ids = append(ids, aid)
		}
		_, err := tx.ExecContext(ctx, `UPDATE case_events SET attachments = $1 WHERE id = $2`, detailJSON(ids), eventID)
		return err
	})
}
