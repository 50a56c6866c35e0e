package cases

import "context"

// unlinkedPhotosCleanup removes photos uploaded for an action that then failed, so they do not
// linger on the case without a timeline entry.
func (s *Service) unlinkedPhotosCleanup(ctx context.Context, caseID int64, ids []int64) {
	for _, id := range ids {
		_, _ = s.db.W.ExecContext(ctx, `DELETE FROM case_attachments WHERE id = $1 AND case_id = $2 AND event_id IS NULL`, id, caseID)
	}
}
