package cases

import (
	"context"
	"fmt"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/photo"
)

// SubmitReport records a resident's request from the public form with its photos: the photos are
// checked and cleaned first, so a bad photo rejects the submission before anything is written;
// they are then attached to the case's first timeline entry.
func (s *Service) SubmitReport(ctx context.Context, in PublicSubmission, files []Photo) (*Case, error) {
	photos, err := photo.CleanAll(files, MaxPhotos)
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
	photos, err := photo.CleanAll(files, MaxPhotos)
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
	photos, err := photo.CleanAll(files, MaxPhotos)
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

// attachToIntake stores photos and ties them to the case's intake entry; if tying them fails they
// are removed again, so no photo lingers outside the timeline.
func (s *Service) attachToIntake(ctx context.Context, c *Case, by *int64, photos []Photo) error {
	if len(photos) == 0 {
		return nil
	}
	ids, err := s.storePhotos(ctx, c.ID, by, photos)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var eventID int64
		if err := tx.QueryRowContext(ctx, `SELECT MIN(id) FROM case_events WHERE case_id = $1`, c.ID).Scan(&eventID); err != nil {
			return fmt.Errorf("intake event: %w", err)
		}
		if err := linkAttachments(ctx, tx, c.ID, eventID, ids); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE case_events SET attachments = $1 WHERE id = $2`, detailJSON(ids), eventID)
		return err
	})
	if err != nil {
		s.unlinkedPhotosCleanup(context.WithoutCancel(ctx), c.ID, ids)
	}
	return err
}
