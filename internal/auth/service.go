package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"linli/internal/audit"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/web"
)

// Config holds the session and lockout rules.
type Config struct {
	IdleTimeout time.Duration // a session unused this long ends; default 30 min
	MaxAge      time.Duration // a session ends this long after sign-in whatever happens; default 12 h
	// TokenIdle is how long an API token may go unused before it stops working (--token-idle);
	// default 2 h. A token also ends MaxAge after it was issued.
	TokenIdle time.Duration
	// LockAfter is how many failed sign-ins one address may make against one account within
	// LockFor before that address is refused for that account; default 5. The owner elsewhere
	// signs in as usual.
	LockAfter int
	// AccountLockAfter is how many failed sign-ins from all addresses within LockFor hold the
	// account itself for LockFor (the slower per-account throttle against guessing from many
	// addresses) and alert the security admins; default 20.
	AccountLockAfter int
	LockFor          time.Duration // the window and the length of a hold; default 15 min
	// FailuresPerMinute is how many failed sign-ins one client address may make per minute, after
	// a burst of FailureBurst; defaults 10 and 10; negative turns the limit off.
	FailuresPerMinute int
	FailureBurst      int
}

func (c Config) withDefaults() Config {
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.MaxAge <= 0 {
		c.MaxAge = 12 * time.Hour
	}
	if c.TokenIdle <= 0 {
		c.TokenIdle = 2 * time.Hour
	}
	if c.LockAfter <= 0 {
		c.LockAfter = 5
	}
	if c.AccountLockAfter <= 0 {
		c.AccountLockAfter = 20
	}
	if c.LockFor <= 0 {
		c.LockFor = 15 * time.Minute
	}
	if c.FailuresPerMinute == 0 {
		c.FailuresPerMinute = 10
	}
	if c.FailureBurst <= 0 {
		c.FailureBurst = 10
	}
	return c
}

// Service signs users in and out, resolves sessions and tokens to principals, and creates users.
type Service struct {
	db  *db.DB
	cfg Config
	// pairs throttles failures per typed username and client address; names mirrors the
	// account hold for usernames that do not exist, so no answer tells which usernames exist.
	pairs, names *web.Limiter
	// Now is the clock; tests replace it.
	Now func() time.Time
	// OnAccountHeld, when set, is called in the transaction that holds an account after
	// cfg.AccountLockAfter failures: the app alerts the account's security admins.
	OnAccountHeld func(ctx context.Context, q db.Querier, u *User, detail string) error
}

// NewService returns an auth service on d.
func NewService(d *db.DB, cfg Config) *Service {
	cfg = cfg.withDefaults()
	return &Service{db: d, cfg: cfg, Now: func() time.Time { return time.Now().UTC() },
		pairs: web.NewLimiter(cfg.LockFor/time.Duration(cfg.LockAfter), cfg.LockAfter),
		names: web.NewLimiter(cfg.LockFor/time.Duration(cfg.AccountLockAfter), cfg.AccountLockAfter)}
}

// ReleaseHolds lifts the sign-in holds on a username from every address (a security admin's
// unlock); the account's own hold is in the database and cleared by the caller.
func (s *Service) ReleaseHolds(username string) {
	name := strings.ToLower(username)
	s.pairs.ForgetPrefix(name + "|")
	s.names.ForgetPrefix(name)
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// hashParams follow OWASP's minimum for argon2id (19 MiB, 2 passes): strong, and quick enough that
// a sign-in costs tens of milliseconds on a small server.
var hashParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// HashPassword returns the argon2id hash of password.
func HashPassword(password string) (string, error) {
	return argon2id.CreateHash(password, hashParams)
}

// dummyHash is compared against when a username does not exist, so a sign-in takes as long
// whether or not the account exists.
var dummyHash, _ = argon2id.CreateHash("linli-no-such-user", hashParams)

var errBadCredentials = errs.E(errs.Unauthorized, "用户名或密码错误")

// Authenticate checks a username and password. Every attempt is audited. Failures hold the
// username for the client address after cfg.LockAfter within cfg.LockFor — the owner elsewhere is
// not affected — and hold the account everywhere after cfg.AccountLockAfter from all addresses.
// Unknown usernames get the same answers as wrong passwords. It returns the user on success.
func (s *Service) Authenticate(ctx context.Context, username, password string) (*User, error) {
	now := s.Now()
	name := strings.ToLower(username)
	pair := name + "|" + audit.ActorFrom(ctx).IP
	ok, last, release := s.pairs.TakeKey(pair, now)
	if !ok {
		blocked, wait, first := s.pairs.BlockedKey(pair, now)
		if first {
			_ = s.audit(ctx, audit.Entry{Action: "auth.login_locked", ObjectType: "user",
				Detail: "该地址对此用户名登录失败次数过多，暂停期间再次尝试（用户名：" + username + "；一分钟内的后续尝试不再逐条记录）"})
		}
		if !blocked {
			wait = s.cfg.LockFor / time.Duration(s.cfg.LockAfter)
		}
		return nil, ErrLocked(wait)
	}
	u, err := s.checkPassword(ctx, username, password, now, last)
	if err == nil {
		release()
	}
	return u, err
}

// checkPassword is Authenticate once the attempt has taken its place in the address's allowance
// for the username; last says it took the final place.
func (s *Service) checkPassword(ctx context.Context, username, password string, now time.Time, last bool) (*User, error) {
	name := strings.ToLower(username)
	u, hash, err := s.userByUsername(ctx, username)
	if errs.Is(err, errs.NotFound) {
		_, _ = argon2id.ComparePasswordAndHash(password, dummyHash)
		if blocked, wait, _ := s.names.BlockedKey(name, now); blocked {
			_ = s.audit(ctx, audit.Entry{Action: "auth.login_locked", ObjectType: "user", Detail: "用户名不存在：" + username})
			return nil, ErrLocked(wait)
		}
		s.names.AllowKey(name, now)
		_ = s.audit(ctx, audit.Entry{Action: "auth.login_failed", ObjectType: "user", Detail: "用户名不存在：" + username})
		return nil, s.pairFailed(ctx, last, username, nil)
	}
	if err != nil {
		return nil, err
	}
	actx := audit.WithActor(ctx, actorWithUser(ctx, u))
	if u.Locked(now) {
		_ = s.audit(actx, audit.Entry{Action: "auth.login_locked", ObjectType: "user", ObjectID: u.ID, RegionID: u.RegionID,
			Detail: "账号锁定期间尝试登录"})
		return nil, ErrLocked(u.LockedUntil.Sub(now))
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return nil, fmt.Errorf("compare password: %w", err)
	}
	if !ok {
		if err := s.failLogin(actx, u, now); errs.CodeOf(err) != errs.Unauthorized {
			return nil, err
		}
		return nil, s.pairFailed(actx, last, username, u)
	}
	if expired, err := s.codeExpired(ctx, u.ID, now); err != nil {
		return nil, err
	} else if expired {
		_ = s.audit(actx, audit.Entry{Action: "auth.login_failed", ObjectType: "user", ObjectID: u.ID, RegionID: u.RegionID,
			Detail: "初始口令已过期"})
		return nil, errs.E(errs.Unauthorized, "初始口令已过期，请联系安全管理员重新生成")
	}
	if !u.Active {
		_ = s.audit(actx, audit.Entry{Action: "auth.login_failed", ObjectType: "user", ObjectID: u.ID, RegionID: u.RegionID, Detail: "账号已停用"})
		return nil, errs.E(errs.Unauthorized, "账号已停用，请联系安全管理员")
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2`,
			now, u.ID); err != nil {
			return err
		}
		return audit.Record(actx, tx, audit.Entry{Action: "auth.login", ObjectType: "user", ObjectID: u.ID, RegionID: u.RegionID})
	})
	if err != nil {
		return nil, fmt.Errorf("record sign-in: %w", err)
	}
	return u, nil
}

// failLogin counts a wrong password against the account in one statement — concurrent guesses
// each add one, none is lost (M1) — within a window of cfg.LockFor that starts at the first
// failure. When the window's count reaches cfg.AccountLockAfter, the account is held for cfg.LockFor: the
// slow per-account throttle. A single address never gets there: its own throttle per account and
// address (Handlers) stops it first, so it cannot lock the owner out.
func (s *Service) failLogin(ctx context.Context, u *User, now time.Time) error {
	var failed int
	var locked sql.NullTime
	windowStart, until := now.Add(-s.cfg.LockFor), now.Add(s.cfg.LockFor)
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		// Both databases evaluate every right-hand side on the row as it was before the update.
		err := tx.QueryRowContext(ctx, `UPDATE users SET
			failed_logins = `+failedCount+`,
			failed_since = CASE WHEN failed_since IS NULL OR failed_since < $1 THEN $2 ELSE failed_since END,
			locked_until = CASE WHEN `+failedCount+` >= $3 THEN $4 ELSE locked_until END
			WHERE id = $5 RETURNING failed_logins, locked_until`, windowStart, now, s.cfg.AccountLockAfter, until, u.ID).Scan(&failed, &locked)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Action: "auth.login_failed", ObjectType: "user", ObjectID: u.ID,
			RegionID: u.RegionID, Detail: fmt.Sprintf("密码错误（%d分钟内第%d次）", int(s.cfg.LockFor.Minutes()), failed)}); err != nil {
			return err
		}
		if failed != s.cfg.AccountLockAfter {
			return nil
		}
		detail := fmt.Sprintf("%d分钟内来自各地址共%d次登录失败，账号暂停登录%d分钟", int(s.cfg.LockFor.Minutes()),
			failed, int(s.cfg.LockFor.Minutes()))
		if err := audit.Record(ctx, tx, audit.Entry{Action: "auth.locked", ObjectType: "user", ObjectID: u.ID,
			RegionID: u.RegionID, Detail: detail}); err != nil {
			return err
		}
		if s.OnAccountHeld != nil {
			return s.OnAccountHeld(ctx, tx, u, detail)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record failed sign-in: %w", err)
	}
	if locked.Valid && locked.Time.After(now) {
		return ErrLocked(s.cfg.LockFor)
	}
	return errBadCredentials
}

// pairFailed answers a failure of username from the client address; the failure that used up the
// pair's allowance (last) holds it, audited once, and answers as a hold does.
func (s *Service) pairFailed(ctx context.Context, last bool, username string, u *User) error {
	if !last {
		return errBadCredentials
	}
	e := audit.Entry{Action: "auth.locked", ObjectType: "user", Detail: fmt.Sprintf(
		"来自该地址的用户名 %s %d分钟内%d次登录失败，暂停该地址登录此账号；其他地址不受影响", username,
		int(s.cfg.LockFor.Minutes()), s.cfg.LockAfter)}
	if u != nil {
		e.ObjectID, e.RegionID = u.ID, u.RegionID
	}
	_ = s.audit(ctx, e)
	return ErrLocked(s.cfg.LockFor)
}

// failedCount is the account's failure count after one more failure: one when the window of the
// earlier failures ($1 is its earliest start) has passed.
const failedCount = `(CASE WHEN failed_since IS NULL OR failed_since < $1 THEN 1 ELSE failed_logins + 1 END)`

// ErrLocked is the answer to a sign-in refused by a throttle, whichever one: the same words for an
// account that exists and one that does not, so the answer tells nobody which usernames exist.
func ErrLocked(wait time.Duration) error {
	return errs.E(errs.TooMany, "登录失败次数过多，已暂时锁定，请%d分钟后再试或联系安全管理员", int(wait/time.Minute)+1)
}

// codeExpired reports whether the user's password is a one-time code (initial or reset) past its
// lifetime.
func (s *Service) codeExpired(ctx context.Context, userID int64, now time.Time) (bool, error) {
	var exp sql.NullTime
	if err := s.db.W.QueryRowContext(ctx, `SELECT password_expires_at FROM users WHERE id = $1`, userID).Scan(&exp); err != nil {
		return false, fmt.Errorf("code expiry of user %d: %w", userID, err)
	}
	return exp.Valid && !exp.Time.After(now), nil
}

func (s *Service) audit(ctx context.Context, e audit.Entry) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error { return audit.Record(ctx, tx, e) })
}

func actorWithUser(ctx context.Context, u *User) audit.Actor {
	a := audit.ActorFrom(ctx)
	a.UserID, a.Username = u.ID, u.Username
	return a
}

// UserColumns is the select list ScanUser reads, over `users u JOIN regions r ON r.id = u.region_id`.
const UserColumns = `u.id, u.username, u.name, u.role, u.region_id, r.name, u.org_name, u.active,
	u.must_change_password, u.failed_logins, u.locked_until, u.last_login_at, u.created_at`

// ScanUser reads a row selected with UserColumns, then any extra columns into extra.
func ScanUser(row interface{ Scan(...any) error }, extra ...any) (*User, error) {
	u := &User{}
	var locked, last sql.NullTime
	dest := append([]any{&u.ID, &u.Username, &u.Name, &u.Role, &u.RegionID, &u.RegionName, &u.OrgName, &u.Active,
		&u.MustChangePassword, &u.FailedLogins, &locked, &last, &u.CreatedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if locked.Valid {
		u.LockedUntil = &locked.Time
	}
	if last.Valid {
		u.LastLoginAt = &last.Time
	}
	return u, nil
}

func (s *Service) userByUsername(ctx context.Context, username string) (*User, string, error) {
	var hash string
	u, err := ScanUser(s.db.W.QueryRowContext(ctx, `SELECT `+UserColumns+`, u.password_hash
		FROM users u JOIN regions r ON r.id = u.region_id WHERE u.username = $1`, username), &hash)
	if err != nil {
		return nil, "", db.NotFound(err, "用户不存在")
	}
	return u, hash, nil
}

func newToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("auth: no randomness: %v", err))
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// StartSession creates a session for a user who has just authenticated and returns its secret token.
func (s *Service) StartSession(ctx context.Context, userID int64, ip, userAgent string) (string, error) {
	token, id := newToken()
	now := s.Now()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at, ip, user_agent)
		VALUES ($1, $2, $3, $3, $4, $5)`, id, userID, now, ip, userAgent)
	if err != nil {
		return "", fmt.Errorf("start session: %w", err)
	}
	return token, nil
}

// SessionPrincipal resolves a session token to its principal. A session past its idle or absolute
// limit, of a deactivated user, or of an account or region that no longer exists, is ended and
// answers unauthorized. The session, its user and the user's region are read with one statement:
// every signed-in page pays for it.
func (s *Service) SessionPrincipal(ctx context.Context, token string) (*Principal, error) {
	id := hashToken(token)
	var created, seen time.Time
	p := &Principal{}
	var active bool
	err := s.db.KeyRow(ctx, sessionQuery, id).Scan(&created, &seen, &p.UserID, &p.Username, &p.Name, &p.Role,
		&p.RegionID, &p.RegionPath, &p.RegionName, &p.RegionLevel, &p.OrgName, &p.MustChange, &active)
	if errors.Is(err, sql.ErrNoRows) {
		// No such session — or its account or region is gone: then the session is ended, so that
		// it is signed out rather than a missing page on every request.
		var one int
		if s.db.R.QueryRowContext(ctx, `SELECT 1 FROM sessions WHERE id = $1`, id).Scan(&one) == nil {
			_, _ = s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id)
		}
		return nil, errs.E(errs.Unauthorized, "登录已失效，请重新登录")
	}
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if now.Sub(seen) > s.cfg.IdleTimeout || now.Sub(created) > s.cfg.MaxAge {
		_, _ = s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id)
		return nil, errs.E(errs.Unauthorized, "长时间未操作，登录已过期，请重新登录")
	}
	if !active {
		_, _ = s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, p.UserID)
		return nil, errs.E(errs.Unauthorized, "账号已停用")
	}
	// Touch at most once a minute: reads stay reads on a busy server.
	if now.Sub(seen) > time.Minute {
		_, _ = s.db.W.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, now, id)
	}
	p.SessionID = id
	return p, nil
}

// sessionQuery reads a session with its principal (the session's two times, then the principal).
const sessionQuery = `SELECT s.created_at, s.last_seen_at, u.id, u.username, u.name, u.role, u.region_id, r.path, r.name,
	r.level, u.org_name, u.must_change_password, u.active
	FROM sessions s JOIN users u ON u.id = s.user_id JOIN regions r ON r.id = u.region_id WHERE s.id = $1`

// EndUserSessions ends every session and revokes every API token of a user, inside q's
// transaction; the user is signed out at their next request.
func EndUserSessions(ctx context.Context, q db.Querier, userID int64) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("revoke tokens of user %d: %w", userID, err)
	}
	return nil
}

// EndSession signs a session out.
func (s *Service) EndSession(ctx context.Context, p *Principal) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, p.SessionID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "auth.logout", ObjectType: "user", ObjectID: p.UserID, RegionID: p.RegionID})
	})
}

// IssueToken creates a named API bearer token for an authenticated user. It lives as long as a
// session may (cfg.MaxAge, the --session-max setting).
func (s *Service) IssueToken(ctx context.Context, userID int64, name string) (token string, expires time.Time, err error) {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 50 {
		return "", time.Time{}, errs.Field("name", "令牌名称不能超过50个字")
	}
	if name == "" {
		name = "接口令牌"
	}
	token, hash := newToken()
	now := s.Now()
	expires = now.Add(s.cfg.MaxAge)
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		hash, userID, name, now, expires)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	return token, expires, nil
}

// TokenPrincipal resolves an API bearer token to its principal and notes when it was last used
// (at most once a minute: the write is skipped when the token was used within the minute, so that
// an API read stays a read and does not queue for SQLite's single writer).
func (s *Service) TokenPrincipal(ctx context.Context, token string) (*Principal, error) {
	now := s.Now()
	hash := hashToken(token)
	p := &Principal{}
	var active bool
	var created time.Time
	var last sql.NullTime
	err := s.db.KeyRow(ctx, `SELECT u.id, u.username, u.name, u.role, u.region_id, r.path, r.name, r.level,
		u.org_name, u.must_change_password, u.active, t.created_at, t.last_used_at
		FROM users u JOIN regions r ON r.id = u.region_id JOIN api_tokens t ON t.user_id = u.id
		WHERE t.token_hash = $1 AND t.expires_at > $2 AND COALESCE(t.last_used_at, t.created_at) > $3`,
		hash, now, now.Add(-s.cfg.TokenIdle)).Scan(&p.UserID, &p.Username, &p.Name, &p.Role, &p.RegionID, &p.RegionPath,
		&p.RegionName, &p.RegionLevel, &p.OrgName, &p.MustChange, &active, &created, &last)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
		return nil, errs.E(errs.Unauthorized, "访问令牌无效或已过期")
	}
	if err != nil {
		return nil, err
	}
	if !last.Valid || now.Sub(last.Time) > time.Minute {
		_, _ = s.db.W.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2
			AND (last_used_at IS NULL OR last_used_at < $3)`, now, hash, now.Add(-time.Minute))
	}
	return p, nil
}

// TokenEnds is when a token stops working unless it is used again: at its expiry, or TokenIdle
// after its last use (its issue when never used), whichever comes first.
func (s *Service) TokenEnds(created, expires time.Time, lastUsed *time.Time) time.Time {
	idle := created.Add(s.cfg.TokenIdle)
	if lastUsed != nil {
		idle = lastUsed.Add(s.cfg.TokenIdle)
	}
	if idle.Before(expires) {
		return idle
	}
	return expires
}

// Token is one of a user's API tokens, as its owner sees it; the secret is never shown again.
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// Tokens lists the principal's own live API tokens, newest first.
func (s *Service) Tokens(ctx context.Context, p *Principal) ([]Token, error) {
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	now := s.Now()
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens
		WHERE user_id = $1 AND expires_at > $2 AND COALESCE(last_used_at, created_at) > $3
		ORDER BY created_at DESC, id DESC`, p.UserID, now, now.Add(-s.cfg.TokenIdle))
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var used sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt, &t.ExpiresAt, &used); err != nil {
			return nil, err
		}
		if used.Valid {
			t.LastUsedAt = &used.Time
		}
		t.ExpiresAt = s.TokenEnds(t.CreatedAt, t.ExpiresAt, t.LastUsedAt)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of the principal's own API tokens; another user's is not found.
func (s *Service) RevokeToken(ctx context.Context, p *Principal, id int64) error {
	if p == nil {
		return errs.E(errs.Unauthorized, "请先登录")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2 RETURNING name`, id, p.UserID).Scan(&name)
		if err != nil {
			return db.NotFound(err, "访问令牌不存在或已吊销")
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "user.token_revoke", ObjectType: "user", ObjectID: p.UserID,
			RegionID: p.RegionID, Detail: "本人吊销访问令牌：" + name})
	})
}

// ChangePassword changes the principal's own password after checking the current one, ends
// their other sessions and revokes their API tokens. The new password may not be one of the last
// five (the current one included).
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, next string) error {
	if _, err := s.Authenticate(ctx, p.Username, current); err != nil {
		if errs.CodeOf(err) == errs.Unauthorized {
			return errs.Field("current", "当前密码不正确")
		}
		return err
	}
	if err := ValidatePassword(next, p.Username); err != nil {
		return err
	}
	if current == next {
		return errs.Field("password", "新密码不能与当前密码相同")
	}
	if reused, err := s.usedBefore(ctx, p.UserID, next); err != nil {
		return err
	} else if reused {
		return errs.Field("password", "新密码不能与最近五次使用过的密码相同")
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_history (user_id, password_hash, created_at)
			SELECT id, password_hash, $1 FROM users WHERE id = $2`, now, p.UserID); err != nil {
			return fmt.Errorf("keep password history: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = FALSE,
			password_expires_at = NULL, password_changed_at = $2, updated_at = $2 WHERE id = $3`, hash, now, p.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, p.UserID, p.SessionID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = $1`, p.UserID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "user.password_change", ObjectType: "user", ObjectID: p.UserID,
			RegionID: p.RegionID, Detail: "已结束其他会话并吊销全部访问令牌"})
	})
}

// usedBefore reports whether password matches one of the user's last four earlier passwords
// (with the current one, the last five).
func (s *Service) usedBefore(ctx context.Context, userID int64, password string) (bool, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT password_hash FROM password_history WHERE user_id = $1
		ORDER BY created_at DESC, id DESC LIMIT 4`, userID)
	if err != nil {
		return false, fmt.Errorf("password history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return false, err
		}
		if ok, err := argon2id.ComparePasswordAndHash(password, h); err == nil && ok {
			return true, nil
		}
	}
	return false, rows.Err()
}

// NewUser is what creating an account needs.
type NewUser struct {
	Username     string
	Name         string
	Password     string // plain; validated unless PasswordHash is set
	PasswordHash string // a precomputed hash (the demo shares one)
	Role         Role
	RegionID     int64
	OrgName      string
	MustChange   bool
}

// CreateUser adds an account. It checks the username, the role, the password rules and that the
// region exists; the caller checks that the creator may grant it.
func (s *Service) CreateUser(ctx context.Context, q db.Querier, n NewUser) (int64, error) {
	f := errs.Fields{}
	if err := ValidateUsername(n.Username); err != nil {
		f.Add("username", errs.MessageOf(err))
	}
	if n.Name == "" {
		f.Add("name", "请填写姓名")
	}
	if !n.Role.Valid() {
		f.Add("role", "角色无效")
	}
	hash := n.PasswordHash
	if hash == "" {
		if err := ValidatePassword(n.Password, n.Username); err != nil {
			f.Add("password", errs.MessageOf(err))
		} else if h, err := HashPassword(n.Password); err == nil {
			hash = h
		} else {
			return 0, err
		}
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	now := s.Now()
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO users (username, name, password_hash, role, region_id, org_name,
		must_change_password, password_changed_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) RETURNING id`,
		n.Username, n.Name, hash, n.Role, n.RegionID, n.OrgName, n.MustChange, now).Scan(&id)
	switch {
	case db.IsUnique(err):
		return 0, errs.Field("username", "用户名已被使用")
	case db.IsForeignKey(err):
		return 0, errs.Field("region_id", "所属区域不存在")
	case err != nil:
		return 0, fmt.Errorf("create user %s: %w", n.Username, err)
	}
	after := map[string]any{"username": n.Username, "name": n.Name, "role": n.Role, "region_id": n.RegionID}
	if err := audit.Record(ctx, q, audit.Entry{Action: "user.create", ObjectType: "user", ObjectID: id, RegionID: n.RegionID, After: after}); err != nil {
		return 0, err
	}
	return id, nil
}
