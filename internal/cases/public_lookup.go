package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"linli/internal/errs"
	"linli/internal/web"
)

// lookupEvery and lookupBurst bound the lookups by case number per address: ten in a row, then one
// every ten seconds — enough for a resident who mistypes, far too slow to guess four digits.
const (
	lookupEvery = 10 * time.Second
	lookupBurst = 10
)

// lookupLimiter is the per-address limit on lookups by case number.
func (s *Service) lookupLimiter() *web.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lookup == nil {
		s.lookup = web.NewLimiter(lookupEvery, lookupBurst)
	}
	return s.lookup
}

// TrackingCodeOf returns the tracking code of the case numbered number whose reporter gave a phone
// ending in last4: what a resident who kept the case number but not the link types in. A wrong
// pair, an anonymous case or a case without a phone are all "not found", with one message, so the
// answer tells nothing about which part was wrong.
func (s *Service) TrackingCodeOf(ctx context.Context, number, last4 string) (string, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	last4 = strings.TrimSpace(last4)
	fields := errs.Fields{}
	if number == "" {
		fields.Add("number", "请填写案卷编号")
	}
	if len(last4) != 4 || strings.Trim(last4, "0123456789") != "" {
		fields.Add("phone4", "请填写反映时所留手机号的后四位数字")
	}
	if err := fields.Err(); err != nil {
		return "", err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT tracking_code, COALESCE(reporter_phone_masked, '') FROM cases
		WHERE number = $1 AND NOT anonymous`, number)
	if err != nil {
		return "", fmt.Errorf("track by number: %w", err)
	}
	defer rows.Close()
	var code string
	for rows.Next() {
		var tracking, masked string
		if err := rows.Scan(&tracking, &masked); err != nil {
			return "", fmt.Errorf("track by number: %w", err)
		}
		if len(masked) >= 4 && masked[len(masked)-4:] == last4 && code == "" {
			code = tracking
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if code == "" {
		return "", errs.E(errs.NotFound, "未找到该案卷编号和手机号后四位对应的诉求，请核对后重试")
	}
	return code, nil
}
