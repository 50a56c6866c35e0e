package open311

import (
	"context"
	"strings"
	"sync"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/web"
)

// Options configure the Open311 endpoint; every field is optional.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Contact and KeyService are the discovery document's texts: whom to ask, and how to get a key.
	Contact    string
	KeyService string
	// TestURL, when set, is listed in discovery as the test endpoint.
	TestURL string
	// PostEvery/PostBurst limit each key's posts; ReadEvery/ReadBurst each key's and each
	// address's reads. Zero takes the defaults below.
	PostEvery time.Duration
	PostBurst int
	ReadEvery time.Duration
	ReadBurst int
}

// The default rates: a key posts one request every 10 s (bursts of 10) and reads one answer a
// second (bursts of 60).
const (
	defaultPostEvery = 10 * time.Second
	defaultPostBurst = 10
	defaultReadEvery = time.Second
	defaultReadBurst = 60
)

// Service is the Open311 capability: the clients' keys and jurisdictions, and the protocol's use
// cases over the cases service.
type Service struct {
	db    *db.DB
	cases *cases.Service
	opts  Options

	mu           sync.Mutex
	posts, reads *web.Limiter
}

// NewService returns the Open311 service over the cases service.
func NewService(d *db.DB, c *cases.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PostEvery <= 0 || opts.PostBurst <= 0 {
		opts.PostEvery, opts.PostBurst = defaultPostEvery, defaultPostBurst
	}
	if opts.ReadEvery <= 0 || opts.ReadBurst <= 0 {
		opts.ReadEvery, opts.ReadBurst = defaultReadEvery, defaultReadBurst
	}
	return &Service{db: d, cases: c, opts: opts, posts: web.NewLimiter(opts.PostEvery, opts.PostBurst),
		reads: web.NewLimiter(opts.ReadEvery, opts.ReadBurst)}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

// Allow takes one call from the allowance of a key (by id) or, for calls without a key, of the
// client address key; it returns false when the allowance is spent.
func (s *Service) Allow(client string, post bool, now time.Time) bool {
	if post {
		return s.posts.AllowKey(client, now)
	}
	return s.reads.AllowKey(client, now)
}

// Admin is what the security admin sees on the keys page.
type Admin struct {
	Keys          []Key          `json:"keys"`
	Jurisdictions []Jurisdiction `json:"jurisdictions"`
	Regions       []Region       `json:"-"`
}

// Region is a region a key or jurisdiction may serve, for a select box.
type Region struct {
	ID    int64
	Name  string
	Depth int
}

// Indent is the region's name indented by its depth.
func (r Region) Indent() string { return strings.Repeat("　", r.Depth) + r.Name }

func admin(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	return p, p.Require(auth.AccountsManage)
}

// Admin lists the keys of the admin's scope and the jurisdictions.
func (s *Service) Admin(ctx context.Context) (*Admin, error) {
	p, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := listKeys(ctx, s.db.R, p.Scope())
	if err != nil {
		return nil, err
	}
	js, err := listJurisdictions(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	out := &Admin{Keys: keys, Jurisdictions: []Jurisdiction{}}
	for _, j := range js {
		if p.Covers(j.regionPath) {
			out.Jurisdictions = append(out.Jurisdictions, j)
		}
	}
	var a db.Args
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, path FROM regions WHERE `+db.InScope("id", a.Add(p.Scope()))+
		` AND level <> 'grid' ORDER BY path`, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	base := strings.Count(p.RegionPath, "/")
	for rows.Next() {
		var r Region
		var path string
		if err := rows.Scan(&r.ID, &r.Name, &path); err != nil {
			return nil, err
		}
		r.Depth = max(strings.Count(path, "/")-base, 0)
		out.Regions = append(out.Regions, r)
	}
	return out, rows.Err()
}

// regionIn checks that a region exists within p's scope and returns its path.
func regionIn(ctx context.Context, q db.Querier, p *auth.Principal, id int64, field string) (string, error) {
	var path string
	if err := q.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, id).Scan(&path); err != nil || !p.Covers(path) {
		return "", errs.Field(field, "所选区域不存在或不在您的管辖范围内")
	}
	return path, nil
}

// IssueKey issues a key for a client, named and scoped to a region; the secret is in the answer
// only — the database keeps its hash.
func (s *Service) IssueKey(ctx context.Context, in NewKey) (*Issued, error) {
	p, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	secret, hash := newSecret()
	var out *Issued
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := regionIn(ctx, tx, p, in.RegionID, "region_id"); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO open311_keys (name, key_hash, key_hint, region_id, read_only, created_by,
			created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, in.Name, hash, secret[:9], in.RegionID, in.ReadOnly,
			p.UserID, s.now()).Scan(&id); err != nil {
			return err
		}
		k, err := keyByID(ctx, tx, id, p.Scope())
		if err != nil {
			return err
		}
		out = &Issued{Key: *k, Secret: secret}
		return audit.Record(ctx, tx, audit.Entry{Action: "open311.key_issue", ObjectType: "open311_key", ObjectID: id,
			RegionID: in.RegionID, Detail: in.Name, After: k})
	})
	return out, err
}

// RevokeKey revokes a key at once; a revoked key is refused with 403.
func (s *Service) RevokeKey(ctx context.Context, id int64) error {
	p, err := admin(ctx)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		k, err := keyByID(ctx, tx, id, p.Scope())
		if err != nil {
			return err
		}
		if !k.Active() {
			return errs.E(errs.Conflict, "该接口密钥已停用")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE open311_keys SET revoked_at = $1, revoked_by = $2 WHERE id = $3`,
			s.now(), p.UserID, id); err != nil {
			return err
		}
		after, err := keyByID(ctx, tx, id, p.Scope())
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "open311.key_revoke", ObjectType: "open311_key", ObjectID: id,
			RegionID: k.RegionID, Detail: k.Name, Before: k, After: after})
	})
}

// SetJurisdiction maps a jurisdiction_id to a region (adding or moving it).
func (s *Service) SetJurisdiction(ctx context.Context, j Jurisdiction) error {
	p, err := admin(ctx)
	if err != nil {
		return err
	}
	j.Code = strings.TrimSpace(j.Code)
	if !ValidJurisdictionCode(j.Code) {
		return errs.Field("jurisdiction_id", "jurisdiction_id 只能由字母、数字、点、短横线和下划线组成，不超过100个字符")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := regionIn(ctx, tx, p, j.RegionID, "region_id"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM open311_jurisdictions WHERE code = $1`, j.Code); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO open311_jurisdictions (code, region_id, created_at) VALUES ($1, $2, $3)`,
			j.Code, j.RegionID, s.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "open311.jurisdiction_set", ObjectType: "open311_jurisdiction",
			RegionID: j.RegionID, Detail: j.Code, After: map[string]any{"jurisdiction_id": j.Code, "region_id": j.RegionID}})
	})
}

// RemoveJurisdiction removes a jurisdiction_id.
func (s *Service) RemoveJurisdiction(ctx context.Context, code string) error {
	p, err := admin(ctx)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var region int64
		if err := tx.QueryRowContext(ctx, `SELECT region_id FROM open311_jurisdictions WHERE code = $1`, code).Scan(&region); err != nil {
			return db.NotFound(err, "jurisdiction_id 不存在")
		}
		var path string
		if err := tx.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, region).Scan(&path); err != nil || !p.Covers(path) {
			return errs.E(errs.NotFound, "jurisdiction_id 不存在")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM open311_jurisdictions WHERE code = $1`, code); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "open311.jurisdiction_remove", ObjectType: "open311_jurisdiction",
			RegionID: region, Detail: code, Before: map[string]any{"jurisdiction_id": code, "region_id": region}})
	})
}
