package cases

import (
	"context"

	"linli/internal/db"
)

// MatchAddress is the 12345 import's address matching over a community's buildings, for the
// measurement on the demo in package cases_test.
func MatchAddress(ctx context.Context, q db.Querier, communityID int64, addresses []string) ([]int64, error) {
	bs, err := communityBuildings(ctx, q, communityID)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(addresses))
	for i, a := range addresses {
		out[i], _ = matchBuilding(a, bs)
	}
	return out, nil
}

// SetNoTally makes the figures come from the cases alone (true) or from the case tally where it
// serves (false), for comparing the two.
func (s *Service) SetNoTally(v bool) { s.noTally = v }
