package open311

import (
	"context"
	"fmt"
	"time"

	"linli/internal/db"
)

const keyColumns = `k.id, k.name, k.key_hint, k.region_id, r.name, r.path, r.level, k.read_only, k.created_at, k.revoked_at,
	k.last_used_at, k.calls, k.posts`

const keyFrom = ` FROM open311_keys k JOIN regions r ON r.id = k.region_id`

func scanKey(row interface{ Scan(...any) error }) (*Key, error) {
	k := &Key{}
	err := row.Scan(&k.ID, &k.Name, &k.Hint, &k.RegionID, &k.RegionName, &k.regionPath, &k.regionLevel, &k.ReadOnly, &k.CreatedAt,
		&k.RevokedAt, &k.LastUsedAt, &k.Calls, &k.Posts)
	if err != nil {
		return nil, err
	}
	k.CreatedAt = k.CreatedAt.UTC()
	return k, nil
}

// listKeys returns the keys whose region lies in the scope pattern, newest first.
func listKeys(ctx context.Context, q db.Querier, scope string) ([]Key, error) {
	var a db.Args
	rows, err := q.QueryContext(ctx, `SELECT `+keyColumns+keyFrom+` WHERE `+db.InScope("k.region_id", a.Add(scope))+
		` ORDER BY k.revoked_at IS NOT NULL, k.id DESC`, a...)
	if err != nil {
		return nil, fmt.Errorf("list open311 keys: %w", err)
	}
	defer rows.Close()
	out := []Key{}
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *k)
	}
	return out, rows.Err()
}

func keyByID(ctx context.Context, q db.Querier, id int64, scope string) (*Key, error) {
	var a db.Args
	k, err := scanKey(q.QueryRowContext(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.id = `+a.Add(id)+` AND `+
		db.InScope("k.region_id", a.Add(scope)), a...))
	if err != nil {
		return nil, db.NotFound(err, "接口密钥不存在")
	}
	return k, nil
}

func keyByHash(ctx context.Context, q db.Querier, hash string) (*Key, error) {
	return scanKey(q.QueryRowContext(ctx, `SELECT `+keyColumns+keyFrom+` WHERE k.key_hash = $1`, hash))
}

// countUse adds calls and posts to the key's counts and notes its last use.
func countUse(ctx context.Context, q db.Querier, id int64, calls, posts int, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE open311_keys SET calls = calls + $1, posts = posts + $2, last_used_at = $3
		WHERE id = $4`, calls, posts, now, id)
	return err
}

func listJurisdictions(ctx context.Context, q db.Querier) ([]Jurisdiction, error) {
	rows, err := q.QueryContext(ctx, `SELECT j.code, j.region_id, r.name, r.path, r.level FROM open311_jurisdictions j
		JOIN regions r ON r.id = j.region_id ORDER BY j.code`)
	if err != nil {
		return nil, fmt.Errorf("list jurisdictions: %w", err)
	}
	defer rows.Close()
	out := []Jurisdiction{}
	for rows.Next() {
		var j Jurisdiction
		if err := rows.Scan(&j.Code, &j.RegionID, &j.RegionName, &j.regionPath, &j.regionLevel); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// request is the Open311 side of a case filed over Open311.
type request struct {
	CaseID    int64
	Number    string
	KeyID     int64
	Token     string
	AccountID string
	MediaURL  string
}

func insertRequest(ctx context.Context, q db.Querier, r request, now time.Time, deviceID string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO open311_requests (case_id, number, key_id, token, account_id, device_id, media_url,
		created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.CaseID, r.Number, r.KeyID, r.Token, r.AccountID, deviceID, r.MediaURL, now)
	return err
}

// requestsOf returns the Open311 side of the cases given, by case id.
func requestsOf(ctx context.Context, d *db.DB, ids []int64) (map[int64]request, error) {
	out := map[int64]request{}
	if len(ids) == 0 {
		return out, nil
	}
	var a db.Args
	rows, err := d.R.QueryContext(ctx, `SELECT case_id, key_id, token, account_id, media_url FROM open311_requests WHERE `+
		d.Dialect.InIDs("case_id", ids, &a), a...)
	if err != nil {
		return nil, fmt.Errorf("open311 requests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r request
		if err := rows.Scan(&r.CaseID, &r.KeyID, &r.Token, &r.AccountID, &r.MediaURL); err != nil {
			return nil, err
		}
		out[r.CaseID] = r
	}
	return out, rows.Err()
}

func requestByToken(ctx context.Context, q db.Querier, token string) (number string, err error) {
	err = q.QueryRowContext(ctx, `SELECT number FROM open311_requests WHERE token = $1`, token).Scan(&number)
	return number, err
}
