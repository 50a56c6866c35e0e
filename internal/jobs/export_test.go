package jobs

import "context"

// ClaimForTest claims due jobs without running them, as a process that dies right after claiming.
func (r *Runner) ClaimForTest(ctx context.Context) error {
	_, err := r.claim(ctx, 100)
	return err
}
