package cases

import (
	"context"
	"fmt"
	"strings"

	"linli/internal/auth"
	"linli/internal/db"
)

// QueueCountCap is how far a queue's tab counts: a queue holding more shows "N+" — a tab is a
// sign of how much work waits, not a figure.
const QueueCountCap = 999

// QueueCount is one queue of the case list with the number of cases in it (at most
// QueueCountCap+1; More reports that it holds more than QueueCountCap).
type QueueCount struct {
	Code, Label string
	Count       int
	More        bool
}

// Text is the count as a tab shows it: "12", or "999+".
func (q QueueCount) Text() string {
	if q.More {
		return fmt.Sprintf("%d+", QueueCountCap)
	}
	return fmt.Sprint(q.Count)
}

// QueueCounts counts, for the principal, the cases in each queue of QueueLabels within the
// filter's region (RegionID; zero for the whole scope), each count stopping after
// QueueCountCap+1 cases so that a district's queues cost no more than a community's.
func (s *Service) QueueCounts(ctx context.Context, regionID int64) ([]QueueCount, error) {
	return s.queueCounts(ctx, regionID, QueueLabels)
}

// QueueSize counts one queue as QueueCounts does, for a page that shows just that one.
func (s *Service) QueueSize(ctx context.Context, code string, regionID int64) (QueueCount, error) {
	for _, q := range QueueLabels {
		if q.Code == code {
			out, err := s.queueCounts(ctx, regionID, []struct{ Code, Label string }{q})
			if err != nil {
				return QueueCount{}, err
			}
			return out[0], nil
		}
	}
	return QueueCount{}, fmt.Errorf("no queue %q", code)
}

func (s *Service) queueCounts(ctx context.Context, regionID int64, queues []struct{ Code, Label string }) ([]QueueCount, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.CasesRead); err != nil {
		return nil, err
	}
	out := make([]QueueCount, 0, len(queues))
	for _, q := range queues {
		a := &db.Args{}
		conds := append([]string{scopeCond(a, p)}, dimensions(a, &Filter{RegionID: regionID})...)
		cond, err := queueCond(a, q.Code, p)
		if err != nil {
			return nil, err
		}
		conds = append(conds, cond)
		query := "SELECT COUNT(*) FROM (SELECT 1 FROM cases c WHERE " + strings.Join(conds, " AND ") +
			fmt.Sprintf(" LIMIT %d) q", QueueCountCap+1)
		var n int
		if err := s.db.R.QueryRowContext(ctx, query, *a...).Scan(&n); err != nil {
			return nil, fmt.Errorf("count queue %s: %w", q.Code, err)
		}
		out = append(out, QueueCount{Code: q.Code, Label: q.Label, Count: n, More: n > QueueCountCap})
	}
	return out, nil
}
