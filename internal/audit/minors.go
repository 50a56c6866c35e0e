package audit

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"linli/internal/db"
)

// MinorHidden replaces what an audit entry about a minor says, for a reader the minors rule hides
// minors from.
const MinorHidden = "（涉及未成年人，内容已隐藏）"

// minorObjects says, per object type, how to find the objects of a list of ids that concern a
// resident born after $1: the resident itself, a case about them, a visit that met them.
var minorObjects = map[string]string{
	"resident": `SELECT m.id FROM residents m WHERE m.birth_date > $1 AND m.id IN (%s)`,
	"case":     `SELECT c.id FROM cases c JOIN residents m ON m.id = c.resident_id WHERE m.birth_date > $1 AND c.id IN (%s)`,
	"visit": `SELECT DISTINCT v.visit_id FROM visit_residents v JOIN residents m ON m.id = v.resident_id
		WHERE m.birth_date > $1 AND v.visit_id IN (%s)`,
}

// hideMinors blanks the detail and the before and after of the rows about a minor, when the
// scope says to (Scope.MinorsBornAfter). The entry itself stays: who did what, when, to which
// object.
func hideMinors(ctx context.Context, q db.Querier, s Scope, rows []Row) error {
	if s.MinorsBornAfter == "" {
		return nil
	}
	ids := map[string][]int64{}
	for _, r := range rows {
		if _, ok := minorObjects[r.ObjectType]; ok {
			if id, err := strconv.ParseInt(r.ObjectID, 10, 64); err == nil {
				ids[r.ObjectType] = append(ids[r.ObjectType], id)
			}
		}
	}
	minor := map[string]bool{}
	for kind, list := range ids {
		for start := 0; start < len(list); start += 500 {
			batch := list[start:min(start+500, len(list))]
			args := []any{s.MinorsBornAfter}
			ph := make([]string, len(batch))
			for i, id := range batch {
				args = append(args, id)
				ph[i] = "$" + strconv.Itoa(i+2)
			}
			found, err := db.QueryIDs(ctx, q, fmt.Sprintf(minorObjects[kind], strings.Join(ph, ", ")), args...)
			if err != nil {
				return fmt.Errorf("audit: minors among %s entries: %w", kind, err)
			}
			for _, id := range found {
				minor[kind+"/"+strconv.FormatInt(id, 10)] = true
			}
		}
	}
	for i := range rows {
		if minor[rows[i].ObjectType+"/"+rows[i].ObjectID] {
			rows[i].Detail, rows[i].Before, rows[i].After = MinorHidden, "", ""
		}
	}
	return nil
}
