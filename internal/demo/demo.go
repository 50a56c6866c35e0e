// Package demo builds the deterministic demo of 南关社区 (南街街道, 甘州区, 张掖市): ten grids tiling
// the community, buildings, about 3,000 households and 8,000 invented residents with focus tags,
// the grid rosters, the party chain with 96 liaison households, and the demo accounts — and beside
// it the street's two smaller communities 西关社区 and 仓门社区 (neighbours.go), drawn the same way.
//
// Everything is drawn from one seeded random source before anything is written, then written in
// one transaction with multi-row INSERTs, so the same seed gives the same data in a few seconds.
// The people are invented; their ID numbers are fake but carry valid GB 11643 check digits.
package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"time"

	"linli/internal/audit"
	"linli/internal/db"
	"linli/internal/pii"
)

// DefaultSeed is the seed `linli demo` uses.
const DefaultSeed uint64 = 20240101

// markerKey is the settings row that marks a database as holding the demo.
const markerKey = "demo.seed"

// Options configure a build.
type Options struct {
	Seed uint64 // 0 means DefaultSeed
	// PasswordHash is the argon2id hash every demo account gets (hashed once by the caller).
	PasswordHash string
}

// Result says what a build wrote.
type Result struct {
	Accounts     []string // demo usernames, in the order the console lists them
	CommunityID  int64
	Grids        int
	Buildings    int
	Households   int
	Residents    int
	PartyMembers int
	Liaisons     int
	Covered      int
	// Neighbours are the street's two smaller communities beside Nanguan.
	Neighbours []Neighbour
	Took       time.Duration
}

// Empty reports whether the database has no regions yet, the only state the demo is written into.
func Empty(ctx context.Context, d *db.DB) (bool, error) {
	var n int
	if err := d.W.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT id FROM regions LIMIT 1) r`).Scan(&n); err != nil {
		return false, fmt.Errorf("demo: count regions: %w", err)
	}
	return n == 0, nil
}

// Build writes the demo into an empty database. It refuses a database that already has regions.
func Build(ctx context.Context, d *db.DB, sealer *pii.Sealer, opt Options) (*Result, error) {
	start := time.Now()
	if opt.PasswordHash == "" {
		return nil, errors.New("demo: no password hash")
	}
	empty, err := Empty(ctx, d)
	if err != nil {
		return nil, err
	}
	if !empty {
		return nil, errors.New("数据库已有区划数据，演示数据只能写入空数据库")
	}
	seed := opt.Seed
	if seed == 0 {
		seed = DefaultSeed
	}
	g := newPlanner(seed)
	g.buildGrids()
	g.people()
	g.party()
	accounts := g.staff()
	next := planNeighbours(g, seed, d, sealer, opt.PasswordHash)
	w := &writer{s: nanguan, d: d, sealer: sealer, p: g.plan, accounts: accounts, hash: opt.PasswordHash, neighbours: next}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "demo"})
	if err := d.InTx(ctx, func(tx *db.Tx) error { return w.write(ctx, tx) }); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	res := w.result()
	res.Neighbours = w.neighbourResults()
	res.Took = time.Since(start)
	return res, nil
}

// Accounts returns the demo usernames that exist in a database holding the demo, or none when the
// database was not built by this package (a real deployment is never treated as a demo).
func Accounts(ctx context.Context, d *db.DB) ([]string, error) {
	var marker int
	if err := d.W.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key = $1`, markerKey).Scan(&marker); err != nil {
		return nil, fmt.Errorf("demo: read marker: %w", err)
	}
	if marker == 0 {
		return nil, nil
	}
	var out []string
	for _, name := range usernames() {
		var n int
		if err := d.W.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = $1`, name).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, name)
		}
	}
	return out, nil
}

// ResetPasswords gives every existing demo account of a demo database the password hash, so the
// password printed at start works again; it does nothing on a database that is not the demo. It
// returns the accounts it reset.
func ResetPasswords(ctx context.Context, d *db.DB, hash string) ([]string, error) {
	names, err := Accounts(ctx, d)
	if err != nil || len(names) == 0 {
		return nil, err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Username: "demo"})
	err = d.InTx(ctx, func(tx *db.Tx) error {
		now := time.Now().UTC()
		for _, name := range names {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, password_changed_at = $2, failed_logins = 0,
				locked_until = NULL, updated_at = $2 WHERE username = $3`, hash, now, name); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "demo.reset_passwords", ObjectType: "user",
			Detail: fmt.Sprintf("演示模式启动，重设 %d 个演示账号的密码", len(names))})
	})
	if err != nil {
		return nil, fmt.Errorf("demo: reset passwords: %w", err)
	}
	return names, nil
}

// usernames lists every demo username in console order.
func usernames() []string {
	out := []string{"admin", "street", "district"}
	for i := 1; i <= 10; i++ {
		out = append(out, fmt.Sprintf("grid%02d", i))
	}
	for i := 1; i <= 10; i++ {
		out = append(out, fmt.Sprintf("worker%02d", i))
	}
	out = append(out, "mediator01", "mediator02", "mediator03", "security", "auditor", "dept01")
	for i := range demoUnits {
		out = append(out, fmt.Sprintf("unit%02d", i+1))
	}
	for _, s := range neighbours {
		out = append(out, s.admin())
		for i := 1; i <= s.cols*s.rows; i++ {
			out = append(out, fmt.Sprintf(s.leaderName, i))
		}
		for i := 1; i <= s.cols*s.rows; i++ {
			out = append(out, fmt.Sprintf(s.workerName, i))
		}
	}
	return out
}

// RandomPassword returns a fresh password that meets the password rules, for a demo started
// without LINLI_DEMO_PASSWORD.
func RandomPassword() string {
	const lower, upper, digits = "abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789"
	pick := func(set string, n int) string {
		b := make([]byte, n)
		for i := range b {
			k, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
			if err != nil {
				panic(err)
			}
			b[i] = set[k.Int64()]
		}
		return string(b)
	}
	return "Demo-" + pick(upper, 2) + pick(lower, 4) + "-" + pick(digits, 4)
}
