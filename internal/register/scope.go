package register

import (
	"context"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
)

// principal returns the signed-in principal after checking perm.
func principal(ctx context.Context, perm auth.Permission) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	if err := p.Require(perm); err != nil {
		return nil, err
	}
	return p, nil
}

// adultsOnly is the condition on the residents aliased alias that leaves minors out for a principal
// without the minors permission ("" for one with it), so every count agrees with the lists the
// principal is shown.
func adultsOnly(p *auth.Principal, alias string, a *db.Args) string {
	if p.Can(auth.MinorsRead) {
		return ""
	}
	return ` AND (` + alias + `.birth_date = '' OR ` + alias + `.birth_date <= ` + a.Add(MinorCutoff(today())) + `)`
}

// today is the current date in Shanghai, YYYY-MM-DD, for age rules.
func today() time.Time { return time.Now().In(clock.Shanghai()) }
