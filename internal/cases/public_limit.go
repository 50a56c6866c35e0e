package cases

import (
	"time"

	"linli/internal/web"
)

// The public per-address limit when PageOptions leave it zero: one every 20 s, a burst of 5.
const (
	defaultReportEvery = 20 * time.Second
	defaultReportBurst = 5
)

// publicLimiter is the per-address limit on public posts (the report form, following, rating),
// one for the service so that the pages and the public API draw on the same allowance.
func (s *Service) publicLimiter() *web.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.public == nil {
		s.public = web.NewLimiter(defaultReportEvery, defaultReportBurst)
	}
	return s.public
}
