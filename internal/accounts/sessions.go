package accounts

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// ActiveSession is a browser session or an API token of an account that has not yet expired.
type ActiveSession struct {
	// Key names the session for ending it: "s:" and the session's stored ID, or "t:" and a token's.
	Key        string
	Kind       string // "session" or "token"
	CreatedAt  time.Time
	LastSeenAt time.Time // sessions only
	ExpiresAt  time.Time // when it ends at the latest
	IP         string
	UserAgent  string
}

// KindLabel is the kind in Chinese.
func (a ActiveSession) KindLabel() string {
	if a.Kind == "token" {
		return "接口令牌"
	}
	return "网页会话"
}

// Sessions lists the account's live sessions and API tokens, newest first.
func (s *Service) Sessions(ctx context.Context, p *auth.Principal, userID int64) ([]ActiveSession, error) {
	if err := p.Require(auth.AccountsManage); err != nil {
		return nil, err
	}
	if _, err := s.scopedUser(ctx, s.db.R, p, userID); err != nil {
		return nil, err
	}
	now, cfg := s.auth.Now(), s.auth.Config()
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, created_at, last_seen_at, ip, user_agent FROM sessions
		WHERE user_id = $1 AND last_seen_at > $2 AND created_at > $3 ORDER BY created_at DESC`,
		userID, now.Add(-cfg.IdleTimeout), now.Add(-cfg.MaxAge))
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	var out []ActiveSession
	for rows.Next() {
		a := ActiveSession{Kind: "session"}
		var id string
		if err := rows.Scan(&id, &a.CreatedAt, &a.LastSeenAt, &a.IP, &a.UserAgent); err != nil {
			rows.Close()
			return nil, err
		}
		a.Key = "s:" + id
		a.ExpiresAt = a.LastSeenAt.Add(cfg.IdleTimeout)
		if abs := a.CreatedAt.Add(cfg.MaxAge); abs.Before(a.ExpiresAt) {
			a.ExpiresAt = abs
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	trows, err := s.db.R.QueryContext(ctx, `SELECT id, created_at, expires_at, last_used_at FROM api_tokens
		WHERE user_id = $1 AND expires_at > $2 AND COALESCE(last_used_at, created_at) > $3 ORDER BY created_at DESC`,
		userID, now, now.Add(-cfg.TokenIdle))
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer trows.Close()
	for trows.Next() {
		a := ActiveSession{Kind: "token"}
		var id int64
		var used sql.NullTime
		if err := trows.Scan(&id, &a.CreatedAt, &a.ExpiresAt, &used); err != nil {
			return nil, err
		}
		a.Key = "t:" + strconv.FormatInt(id, 10)
		var last *time.Time
		if used.Valid {
			a.LastSeenAt, last = used.Time, &used.Time
		}
		a.ExpiresAt = s.auth.TokenEnds(a.CreatedAt, a.ExpiresAt, last)
		out = append(out, a)
	}
	return out, trows.Err()
}

// EndSessions ends one session or token of an account (by its Key), or all of them when key is
// empty. The user is signed out at their next request.
func (s *Service) EndSessions(ctx context.Context, p *auth.Principal, userID int64, key string) error {
	if err := p.Require(auth.AccountsManage); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		u, err := s.scopedUser(ctx, tx, p, userID)
		if err != nil {
			return err
		}
		var res sql.Result
		var detail string
		switch kind, id, _ := strings.Cut(key, ":"); {
		case key == "":
			return s.endAll(ctx, tx, u)
		case kind == "s":
			res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1 AND user_id = $2`, id, userID)
			detail = "结束一个网页会话"
		case kind == "t":
			n, _ := strconv.ParseInt(id, 10, 64)
			res, err = tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = $1 AND user_id = $2`, n, userID)
			detail = "吊销一个接口令牌"
		default:
			return errs.E(errs.NotFound, "会话不存在或已结束")
		}
		if err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "会话不存在或已结束")
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "user.session_end", ObjectType: "user", ObjectID: userID,
			RegionID: u.RegionID, Detail: detail})
	})
}

func (s *Service) endAll(ctx context.Context, tx *db.Tx, u *auth.User) error {
	if err := auth.EndUserSessions(ctx, tx, u.ID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Action: "user.session_end", ObjectType: "user", ObjectID: u.ID,
		RegionID: u.RegionID, Detail: "结束该账号的全部会话和访问令牌"})
}
