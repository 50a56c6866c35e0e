package register

import (
	"context"
	"time"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
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

// inScope is the SQL predicate that keeps rows whose region column lies in the subtree matched by
// the LIKE pattern in placeholder ph (the principal's Scope()).
func inScope(col, ph string) string {
	return col + " IN (SELECT id FROM regions WHERE path LIKE " + ph + ")"
}

// adultsOnly is the condition on the residents aliased alias that leaves minors out for a principal
// without the minors permission ("" for one with it), so every count agrees with the lists the
// principal is shown.
func adultsOnly(p *auth.Principal, alias string, a *args) string {
	if p.Can(auth.MinorsRead) {
		return ""
	}
	return ` AND (` + alias + `.birth_date = '' OR ` + alias + `.birth_date <= ` + a.add(MinorCutoff(today())) + `)`
}

// today is the current date in Shanghai, YYYY-MM-DD, for age rules.
func today() time.Time { return time.Now().In(web.Shanghai()) }

// args collects positional SQL arguments and hands out their $n placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + itoa(len(*a))
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
