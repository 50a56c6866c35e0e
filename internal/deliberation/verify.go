package deliberation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"linli/internal/audit"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
)

// Sender sends a text message to a mobile number: the SMS gateway residents' codes go through
// (the app passes notify's webhook when one is configured).
type Sender interface {
	SendText(ctx context.Context, phone, text string) error
}

// LogSender writes the message to the log with the number masked instead of sending it: the
// demo's gateway (the code is in the log for whoever runs the demo).
type LogSender struct{ Log *slog.Logger }

// SendText logs the message.
func (l LogSender) SendText(_ context.Context, phone, text string) error {
	l.Log.Info("短信（演示网关，未实际发送）", "phone", pii.MaskPhone(phone), "text", text)
	return nil
}

// The rules of residents' phone verification.
const (
	CodeTTL       = 15 * time.Minute    // a code is good this long
	CodeResend    = time.Minute         // a new code no sooner than this after the last
	CodeAttempts  = 5                   // wrong codes before it must be asked again
	ResidentTTL   = 30 * 24 * time.Hour // a verified phone stays signed in this long
	ResidentToken = "linli_resident"    // the cookie holding the resident's token
)

func codeHash(index, code string) string {
	h := sha256.Sum256([]byte(index + ":" + code))
	return hex.EncodeToString(h[:])
}

// SendCode texts a verification code to a resident the register knows by this name and phone,
// and returns the masked number it went to.
func (s *Service) SendCode(ctx context.Context, who ResidentInput) (string, error) {
	phone, err := pii.NormalizePhone(who.Phone)
	if err != nil {
		return "", errs.Field("phone", "请填写正确的手机号码")
	}
	if _, err := s.resident(ctx, s.db.R, who); err != nil {
		return "", err
	}
	if s.sms == nil {
		return "", errs.E(errs.Conflict, "短信服务未配置，请联系网格员代为办理")
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	code := fmt.Sprintf("%06d", n.Int64())
	index, now := s.sealer.Index(phone), s.now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var sent time.Time
		err := tx.QueryRowContext(ctx, `SELECT sent_at FROM delib_codes WHERE phone_index = $1`, index).Scan(&sent)
		if err == nil && now.Sub(sent) < CodeResend {
			return errs.E(errs.TooMany, "验证码已发送，请1分钟后再试")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO delib_codes (phone_index, code_hash, sent_at, expires_at, attempts)
			VALUES ($1,$2,$3,$4,0) ON CONFLICT (phone_index) DO UPDATE SET code_hash = $2, sent_at = $3, expires_at = $4, attempts = 0`,
			index, codeHash(index, code), now, now.Add(CodeTTL)); err != nil {
			return err
		}
		tx.AfterCommit(func() {
			text := fmt.Sprintf("【邻里】您的居民议事验证码为%s，%d分钟内有效，请勿告诉他人。", code, int(CodeTTL.Minutes()))
			if err := s.sms.SendText(context.WithoutCancel(ctx), phone, text); err != nil {
				slog.Default().Error("send verification code", "phone", pii.MaskPhone(phone), "err", err)
			}
		})
		return nil
	})
	return pii.MaskPhone(phone), err
}

// Verify checks a resident's code and returns a token that identifies them for ResidentTTL (kept
// by the browser in a cookie). Wrong codes count; after CodeAttempts a new code is needed.
func (s *Service) Verify(ctx context.Context, who ResidentInput, code string) (string, error) {
	phone, err := pii.NormalizePhone(who.Phone)
	if err != nil {
		return "", errs.Field("phone", "请填写正确的手机号码")
	}
	index, now := s.sealer.Index(phone), s.now()
	var hash string
	var expires time.Time
	var attempts int
	err = s.db.R.QueryRowContext(ctx, `SELECT code_hash, expires_at, attempts FROM delib_codes WHERE phone_index = $1`, index).
		Scan(&hash, &expires, &attempts)
	if err != nil || !now.Before(expires) || attempts >= CodeAttempts {
		return "", errs.Field("code", "验证码已失效，请重新获取")
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(codeHash(index, code))) != 1 {
		if _, err := s.db.W.ExecContext(ctx, `UPDATE delib_codes SET attempts = attempts + 1 WHERE phone_index = $1`, index); err != nil {
			return "", err
		}
		return "", errs.Field("code", "验证码不正确")
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		r, err := s.resident(ctx, tx, who)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM delib_codes WHERE phone_index = $1`, index); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO delib_residents (token_hash, resident_id, created_at, expires_at)
			VALUES ($1,$2,$3,$4)`, codeHash("token", tok), r.ID, now, now.Add(ResidentTTL)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.resident_verify", ObjectType: "resident", ObjectID: r.ID,
			Detail: "居民手机号验证（" + pii.MaskPhone(phone) + "）"})
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// Verified returns the resident a token names, or an unauthorized error when it is unknown or old.
func (s *Service) Verified(ctx context.Context, tok string) (*Resident, error) {
	return s.verified(ctx, s.db.R, tok)
}

func (s *Service) verified(ctx context.Context, q db.Querier, tok string) (*Resident, error) {
	if tok == "" {
		return nil, errs.E(errs.Unauthorized, "请先验证手机号")
	}
	var r Resident
	var building string
	err := q.QueryRowContext(ctx, `SELECT r.id, h.id, h.building_id, g.path, b.name FROM delib_residents v
		JOIN residents r ON r.id = v.resident_id JOIN households h ON h.id = r.household_id
		JOIN buildings b ON b.id = h.building_id JOIN regions g ON g.id = h.region_id
		WHERE v.token_hash = $1 AND v.expires_at > $2 AND r.status = 'active'`, codeHash("token", tok), s.now()).
		Scan(&r.ID, &r.HouseholdID, &r.BuildingID, &r.RegionPath, &building)
	if err != nil {
		return nil, errs.E(errs.Unauthorized, "手机号验证已过期，请重新验证")
	}
	r.Label = building + "居民"
	return &r, nil
}
