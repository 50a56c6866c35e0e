package cases

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// ActLocate is the timeline action of a dispatcher placing a case on a building or grid (定位).
const ActLocate Action = "locate"

// QueueToLocate lists the open cases that have no grid yet (待定位): 12345 work orders whose
// address matched no building of the register, and any other case recorded for a community only.
const QueueToLocate = "to_locate"

// buildingRef is a building of the register as address matching reads it.
type buildingRef struct {
	id            int64
	name, address string // normalized
}

// communityBuildings reads the buildings of a community for address matching.
func communityBuildings(ctx context.Context, q db.Querier, communityID int64) ([]buildingRef, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, address FROM buildings WHERE community_id = $1 ORDER BY id`, communityID)
	if err != nil {
		return nil, fmt.Errorf("buildings of community %d: %w", communityID, err)
	}
	defer rows.Close()
	var out []buildingRef
	for rows.Next() {
		var b buildingRef
		if err := rows.Scan(&b.id, &b.name, &b.address); err != nil {
			return nil, err
		}
		b.name, b.address = normalizeAddress(b.name), normalizeAddress(b.address)
		out = append(out, b)
	}
	return out, rows.Err()
}

// chineseDigits are the numerals a caller's address may spell out (三号楼, 十二栋).
var chineseDigits = map[rune]int{'零': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// normalizeAddress folds the ways one place is written: full-width to half-width, spaces and
// punctuation dropped, Chinese numerals up to 99 as digits, 栋/幢/座/#楼 as 号楼.
func normalizeAddress(s string) string {
	s = width.Fold.String(s)
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if unicode.IsSpace(r) || strings.ContainsRune(",，、.。-—_()（）[]【】:：;；\"'“”", r) {
			continue
		}
		if n, ok := numeral(rs, &i); ok {
			b.WriteString(fmt.Sprint(n))
			continue
		}
		b.WriteRune(r)
	}
	out := b.String()
	for _, alt := range []string{"号栋", "栋", "幢", "号座", "#楼", "#"} {
		out = strings.ReplaceAll(out, alt, "号楼")
	}
	return strings.ReplaceAll(out, "号楼楼", "号楼")
}

// numeral reads a Chinese numeral (一 … 九十九) at rs[*i] that is followed by 号, 栋, 幢, 单元 or
// 楼, advancing *i past it.
func numeral(rs []rune, i *int) (int, bool) {
	j, n, cur, seen := *i, 0, 0, false
	for ; j < len(rs); j++ {
		if d, ok := chineseDigits[rs[j]]; ok {
			cur, seen = d, true
			continue
		}
		if rs[j] == '十' {
			if !seen {
				cur = 1
			}
			n, cur, seen = n+cur*10, 0, true
			continue
		}
		break
	}
	if !seen || j >= len(rs) || !strings.ContainsRune("号栋幢单楼", rs[j]) {
		return 0, false
	}
	*i = j - 1
	return n + cur, true
}

// matchBuilding finds the building an address names: the building whose name or address is
// the longest found in it as whole numbers (巷5 is not 巷51). Two buildings matching equally well
// match neither.
func matchBuilding(address string, buildings []buildingRef) (int64, bool) {
	addr := normalizeAddress(address)
	if addr == "" {
		return 0, false
	}
	var best int64
	bestLen, tie := 0, false
	for _, b := range buildings {
		for _, key := range []string{b.name, b.address} {
			if len(key) < len("1号") || !containsWhole(addr, key) {
				continue
			}
			switch {
			case len(key) > bestLen:
				best, bestLen, tie = b.id, len(key), false
			case len(key) == bestLen && b.id != best:
				tie = true
			}
		}
	}
	if best == 0 || tie {
		return 0, false
	}
	return best, true
}

// containsWhole reports whether key occurs in s as a whole number: a key that ends (or starts)
// with a digit is not followed (or preceded) by another digit, so 巷5 is not 巷51.
func containsWhole(s, key string) bool {
	isDigit := func(b byte) bool { return b >= '0' && b <= '9' }
	for from := 0; ; {
		i := strings.Index(s[from:], key)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(key)
		okEnd := !isDigit(key[len(key)-1]) || end >= len(s) || !isDigit(s[end])
		okStart := !isDigit(key[0]) || start == 0 || !isDigit(s[start-1])
		if okEnd && okStart {
			return true
		}
		from = start + 1
	}
}

// Placement is where a dispatcher puts a case of the 待定位 queue: a building (its grid follows)
// or a grid.
type Placement struct {
	BuildingID int64 `json:"building_id,omitempty"`
	GridID     int64 `json:"grid_id,omitempty"`
	// Version, when set, must be the case's current version.
	Version int `json:"version,omitempty"`
}

// Place puts a case on a building or a grid of its community (定位): the case's grid and owning
// region follow, a timeline row and an audit entry record it. It needs CasesDispatch; a closed
// case cannot be placed.
func (s *Service) Place(ctx context.Context, id int64, in Placement) (*Case, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.CasesDispatch); err != nil {
		return nil, err
	}
	if in.BuildingID == 0 && in.GridID == 0 {
		return nil, errs.Field("building_id", "请选择楼院或网格")
	}
	var out *Case
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		c, _, err := visible(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != c.Version {
			return errConflict()
		}
		if c.State == Closed {
			return errs.E(errs.Conflict, "案件已结案，不能再定位")
		}
		before := auditView(c)
		gridID, where, err := placeBuilding(ctx, tx, p, c, in)
		if err != nil {
			return err
		}
		var gridName string
		a := &db.Args{}
		q := `SELECT r.name FROM grids g JOIN regions r ON r.id = g.id WHERE g.id = ` + a.Add(gridID) +
			` AND g.community_id = ` + a.Add(c.CommunityID) + " AND " + db.InScope("r.id", a.Add(p.Scope()))
		if err := tx.QueryRowContext(ctx, q, *a...).Scan(&gridName); err != nil {
			return errs.Field("grid_id", "网格不存在或不属于该案件所在社区")
		}
		now := s.now()
		c.GridID, c.RegionID = &gridID, gridID
		if err := saveCase(ctx, tx, c, c.Version, now); err != nil {
			return err
		}
		if in.BuildingID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET building_id = $1 WHERE id = $2`, in.BuildingID, c.ID); err != nil {
				return fmt.Errorf("place case %d: %w", c.ID, err)
			}
			c.BuildingID = &in.BuildingID
		}
		note := "定位到" + gridName
		if where != "" {
			note += " · " + where
		}
		e := &Event{At: now, UserID: &p.UserID, ActorName: p.Name, Action: ActLocate, FromState: c.State, ToState: c.State,
			Note: note, Detail: detailJSON(map[string]any{"grid_id": gridID, "building_id": in.BuildingID})}
		if _, err := record(ctx, tx, c, e, before); err != nil {
			return err
		}
		out, err = loadCase(ctx, tx, c.ID)
		return err
	})
	return out, err
}

// placeBuilding checks the building of a placement (in the case's community and the principal's
// scope) and returns the grid the case goes to — the one given, else the building's — and the
// building's name.
func placeBuilding(ctx context.Context, tx *db.Tx, p *auth.Principal, c *Case, in Placement) (gridID int64, name string, err error) {
	gridID = in.GridID
	if in.BuildingID == 0 {
		return gridID, "", nil
	}
	var grid *int64
	a := &db.Args{}
	q := `SELECT grid_id, name FROM buildings WHERE id = ` + a.Add(in.BuildingID) + ` AND community_id = ` +
		a.Add(c.CommunityID) + " AND " + db.InScope("region_id", a.Add(p.Scope()))
	if err := tx.QueryRowContext(ctx, q, *a...).Scan(&grid, &name); err != nil {
		return 0, "", errs.Field("building_id", "楼院不存在或不属于该案件所在社区")
	}
	if gridID == 0 {
		if grid == nil {
			return 0, "", errs.Field("grid_id", "该楼院尚未划入网格，请同时选择网格")
		}
		gridID = *grid
	}
	return gridID, name, nil
}
