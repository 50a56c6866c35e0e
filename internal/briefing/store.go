package briefing

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

const briefingColumns = `b.id, b.region_id, r.name, r.path, r.level, b.year, b.number, b.from_date, b.to_date, b.title, b.issuer,
	b.note, b.headline, b.sections, b.distribution, b.state, b.frozen, cu.name, b.created_at, b.updated_at,
	COALESCE(pu.name, ''), b.published_at`

const briefingFrom = ` FROM briefings b JOIN regions r ON r.id = b.region_id JOIN users cu ON cu.id = b.created_by
	LEFT JOIN users pu ON pu.id = b.published_by`

func scanBriefing(row interface{ Scan(...any) error }) (*Briefing, error) {
	b := &Briefing{}
	var sections, frozen string
	var published sql.NullTime
	err := row.Scan(&b.ID, &b.RegionID, &b.RegionName, &b.RegionPath, &b.Level, &b.Year, &b.Number, &b.From, &b.To, &b.Title,
		&b.Issuer, &b.Note, &b.Headline, &sections, &b.Distribution, &b.State, &frozen, &b.CreatedBy, &b.CreatedAt,
		&b.UpdatedAt, &b.PublishedBy, &published)
	if err != nil {
		return nil, err
	}
	if published.Valid {
		b.PublishedAt = published.Time
	}
	if err := json.Unmarshal([]byte(sections), &b.Sections); err != nil {
		return nil, fmt.Errorf("briefing %d sections: %w", b.ID, err)
	}
	if frozen != "" {
		if err := json.Unmarshal([]byte(frozen), &b.Frozen); err != nil {
			return nil, fmt.Errorf("briefing %d frozen values: %w", b.ID, err)
		}
	}
	return b, nil
}

// getBriefing reads one briefing of the principal's scope; any other is not found.
func getBriefing(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*Briefing, error) {
	b, err := scanBriefing(q.QueryRowContext(ctx, `SELECT `+briefingColumns+briefingFrom+` WHERE b.id = $1 AND `+
		db.InScope("b.region_id", "$2"), id, p.Scope()))
	if err != nil {
		return nil, db.NotFound(err, "简报不存在")
	}
	return b, nil
}

func listBriefings(ctx context.Context, q db.Querier, p *auth.Principal, f Filter) ([]Briefing, int, error) {
	var a db.Args
	w := []string{db.InScope("b.region_id", a.Add(p.Scope()))}
	if f.RegionID > 0 {
		w = append(w, "b.region_id = "+a.Add(f.RegionID))
	}
	if f.State != "" {
		w = append(w, "b.state = "+a.Add(string(f.State)))
	}
	where := " WHERE " + strings.Join(w, " AND ")
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM briefings b`+where, a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count briefings: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+briefingColumns+briefingFrom+where+
		` ORDER BY b.year DESC, b.number DESC, b.updated_at DESC, b.id DESC LIMIT `+a.Add(f.Limit)+` OFFSET `+a.Add(f.Offset), a...)
	if err != nil {
		return nil, 0, fmt.Errorf("list briefings: %w", err)
	}
	defer rows.Close()
	out := []Briefing{}
	for rows.Next() {
		b, err := scanBriefing(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *b)
	}
	return out, total, rows.Err()
}

func insertBriefing(ctx context.Context, tx *db.Tx, b *Briefing, userID int64, now time.Time) (int64, error) {
	sections, err := json.Marshal(b.Sections)
	if err != nil {
		return 0, err
	}
	b.CreatedAt, b.UpdatedAt = now, now
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO briefings (region_id, year, number, from_date, to_date, title, issuer, note, headline,
		sections, distribution, state, frozen, created_by, created_at, updated_at)
		VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', '', $11, $12, $12) RETURNING id`,
		b.RegionID, b.Year, b.From, b.To, b.Title, b.Issuer, b.Note, b.Headline, string(sections), b.Distribution, userID, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert briefing: %w", err)
	}
	return id, nil
}

func updateBriefing(ctx context.Context, tx *db.Tx, b *Briefing, now time.Time) error {
	sections, err := json.Marshal(b.Sections)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE briefings SET title = $1, issuer = $2, note = $3, headline = $4, sections = $5,
		distribution = $6, updated_at = $7 WHERE id = $8 AND state = 'draft'`,
		b.Title, b.Issuer, b.Note, b.Headline, string(sections), b.Distribution, now, b.ID)
	return err
}

func publishBriefing(ctx context.Context, tx *db.Tx, b *Briefing, userID int64, now time.Time) error {
	frozen, err := json.Marshal(b.Frozen)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE briefings SET state = 'published', number = $1, frozen = $2, published_by = $3,
		published_at = $4, updated_at = $4 WHERE id = $5 AND state = 'draft'`, b.Number, string(frozen), userID, now, b.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.E(errs.Conflict, "简报已发布")
	}
	return nil
}
