package register

import (
	"context"

	"linli/internal/web"
)

// Dossier gathers, for 一人一档 and 一户一档, the records other capabilities hold about a resident
// (kind "resident") or a household (kind "household"): visits, cases, mediation files. The app
// supplies it, because register builds on none of them; each part is read as the signed-in user,
// within their scope, and a part they may not read is left out.
type Dossier func(ctx context.Context, kind string, id int64, householdID int64) []web.Related
