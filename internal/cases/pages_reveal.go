package cases

import (
	"context"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
)

// RevealReporterPhone returns the full phone number of a case's reporter — staff need it to call
// the resident back — to a user who may see the case and reveal personal data, and says why. The
// reveal and its reason go to the audit log in the same transaction.
func (s *Service) RevealReporterPhone(ctx context.Context, id int64, reason string) (string, error) {
	p, err := principal(ctx)
	if err != nil {
		return "", err
	}
	if err := p.Require(auth.CasesRead); err != nil {
		return "", err
	}
	if reason, err = pii.CheckReason(reason); err != nil {
		return "", err
	}
	var plain string
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		c, _, err := visible(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := p.Require(auth.RevealPII); err != nil {
			return err
		}
		if hidesMinorOf(p, c, s.now()) {
			return errMinorHidden
		}
		var sealed []byte
		if err := tx.QueryRowContext(ctx, `SELECT reporter_phone_enc FROM cases WHERE id = $1`, id).Scan(&sealed); err != nil {
			return err
		}
		if len(sealed) == 0 || c.Anonymous {
			return errs.E(errs.NotFound, "反映人未留联系电话")
		}
		if plain, err = s.sealer.Open(sealed); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "pii.reveal", ObjectType: "case", ObjectID: id,
			RegionID: c.RegionID, Detail: "查看案件" + c.Number + "反映人联系电话，原因：" + reason})
	})
	return plain, err
}
