package demo

import (
	"context"
	"fmt"
	"strconv"

	"linli/internal/db"
	"linli/internal/pii"
)

// orgs writes the community party committee and one branch per grid.
func (w *writer) orgs(ctx context.Context, tx *db.Tx) error {
	var committee int64
	err := tx.QueryRowContext(ctx, `INSERT INTO party_orgs (region_id, kind, name, secretary, founded_on, created_at, updated_at)
		VALUES ($1, 'committee', $2, $3, $4, $5, $5) RETURNING id`,
		w.community.ID, w.s.name+"党委", w.s.fixed[0].name, w.s.committeeFounded, recorded).Scan(&committee)
	if err != nil {
		return fmt.Errorf("party committee: %w", err)
	}
	secretaries := make([]string, len(w.p.grids))
	for _, r := range w.p.roster {
		if r.duty == "branch_secretary" {
			secretaries[r.grid] = r.name
		}
	}
	for gi, gp := range w.p.grids {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO party_orgs (region_id, parent_id, kind, name, grid_id, secretary, founded_on,
			created_at, updated_at) VALUES ($1, $2, 'branch', $3, $1, $4, $5, $6, $6) RETURNING id`,
			w.gridIDs[gi], committee, w.s.gridName(gp.number)+"党支部", secretaries[gi], "2019-06-28", recorded).Scan(&id)
		if err != nil {
			return fmt.Errorf("party branch %d: %w", gp.number, err)
		}
		w.branchIDs = append(w.branchIDs, id)
	}
	return nil
}

// members writes the party members: branch members with their grid's branch, in-service members
// with the grid branch they reported to, their employer's branch of record and the day they
// registered 报到 with the community.
func (w *writer) members(ctx context.Context, tx *db.Tx) error {
	rows := make([][]any, len(w.p.members))
	for i, m := range w.p.members {
		r := w.p.residents[m.resident]
		rows[i] = []any{w.gridIDs[m.grid], w.branchIDs[m.grid], w.residentIDs[m.resident], r.name, r.gender, orNull(w.sealer.Seal(r.phone)),
			orNull(w.sealer.Index(r.phone)), pii.MaskPhone(r.phone), m.joined, m.status, m.kind, m.employment, m.workplace,
			m.homeOrg, m.skills, m.registered, true, recorded, recorded}
	}
	if err := db.InsertRows(ctx, tx, "party_members", []string{"region_id", "org_id", "resident_id", "name", "gender",
		"phone_enc", "phone_index", "phone_masked", "joined_on", "status", "kind", "employment", "workplace", "home_org",
		"skills", "registered_on", "active", "created_at", "updated_at"}, nil, rows); err != nil {
		return err
	}
	ids, err := idsByKey(ctx, tx, `SELECT m.id, CAST(m.resident_id AS TEXT) FROM party_members m
		JOIN residents r ON r.id = m.resident_id WHERE r.community_id = $1`, w.community.ID)
	if err != nil {
		return err
	}
	for _, m := range w.p.members {
		w.memberIDs = append(w.memberIDs, ids[strconv.FormatInt(w.residentIDs[m.resident], 10)])
	}
	return nil
}

// liaisons writes the liaison households (Nanguan: 96) and the households each covers.
func (w *writer) liaisons(ctx context.Context, tx *db.Tx) error {
	rows := make([][]any, len(w.p.liaisons))
	for i, l := range w.p.liaisons {
		rows[i] = []any{w.gridIDs[l.grid], w.branchIDs[l.grid], w.memberIDs[l.member], w.householdIDs[l.household], l.since,
			recorded, recorded}
	}
	if err := db.InsertRows(ctx, tx, "liaison_households", []string{"region_id", "org_id", "member_id", "household_id", "since",
		"created_at", "updated_at"}, nil, rows); err != nil {
		return err
	}
	ids, err := idsByKey(ctx, tx, `SELECT l.id, CAST(l.household_id AS TEXT) FROM liaison_households l
		JOIN households h ON h.id = l.household_id WHERE h.community_id = $1`, w.community.ID)
	if err != nil {
		return err
	}
	var covers [][]any
	for _, l := range w.p.liaisons {
		lid := ids[strconv.FormatInt(w.householdIDs[l.household], 10)]
		for _, h := range l.covers {
			covers = append(covers, []any{lid, w.householdIDs[h], w.gridIDs[l.grid], recorded})
		}
	}
	w.covered = len(covers)
	return db.InsertRows(ctx, tx, "liaison_covers", []string{"liaison_id", "household_id", "region_id", "created_at"}, nil, covers)
}
