package cases

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/photo"
)

// MaxPhotoBytes is the largest photo accepted; MaxPhotos the most per case action.
const (
	MaxPhotoBytes = 10 << 20
	MaxPhotos     = 5
)

var photoTypes = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}

// Photo is an uploaded image before it is stored.
type Photo = photo.Photo

// AddPhotos stores photos of case id under the data directory and records them; the ids it
// returns go into an action's attachments (report, note) to appear on the timeline. Only images
// up to MaxPhotoBytes are accepted, at most MaxPhotos at once.
func (s *Service) AddPhotos(ctx context.Context, id int64, photos []Photo) ([]int64, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.CasesRead); err != nil {
		return nil, err
	}
	if _, _, err := visible(ctx, s.db.R, p, id); err != nil {
		return nil, err
	}
	return s.storePhotos(ctx, id, &p.UserID, photos)
}

func (s *Service) storePhotos(ctx context.Context, id int64, by *int64, photos []Photo) ([]int64, error) {
	if len(photos) > MaxPhotos {
		return nil, errs.Field("photos", fmt.Sprintf("每次最多上传%d张照片", MaxPhotos))
	}
	if s.opts.DataDir == "" {
		return nil, errs.E(errs.Invalid, "未配置数据目录，无法保存照片")
	}
	ids := []int64{}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		ids = ids[:0]
		var regionID int64
		if err := tx.QueryRowContext(ctx, `SELECT region_id FROM cases WHERE id = $1`, id).Scan(&regionID); err != nil {
			return db.NotFound(err, "案件不存在或您无权查看")
		}
		for _, ph := range photos {
			if len(ph.Data) > MaxPhotoBytes {
				return errs.Field("photos", "照片不能超过10MB")
			}
			ct := http.DetectContentType(ph.Data)
			ext, ok := photoTypes[ct]
			if !ok {
				return errs.Field("photos", "只能上传 JPG、PNG、GIF 或 WebP 格式的图片")
			}
			sum := sha256.Sum256(ph.Data)
			hash := hex.EncodeToString(sum[:])
			rel := filepath.ToSlash(filepath.Join("cases", hash[:2], hash+ext))
			full := filepath.Join(s.opts.DataDir, filepath.FromSlash(rel))
			if err := writeOnce(full, ph.Data); err != nil {
				return err
			}
			var aid int64
			err := tx.QueryRowContext(ctx, `INSERT INTO case_attachments (case_id, region_id, path, file_name, content_type,
				size, sha256, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
				id, regionID, rel, cleanName(ph.FileName), ct, len(ph.Data), hash, by, s.now()).Scan(&aid)
			if err != nil {
				return fmt.Errorf("insert attachment: %w", err)
			}
			ids = append(ids, aid)
		}
		return nil
	})
	return ids, err
}

// writeOnce writes content-addressed data unless the same file is already there.
func writeOnce(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("photo dir: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o640); err != nil {
		return fmt.Errorf("write photo: %w", err)
	}
	return os.Rename(tmp, path)
}

func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" {
		return ""
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	return name
}

// OpenPhoto returns a stored photo of a case the principal may see, for serving.
func (s *Service) OpenPhoto(ctx context.Context, caseID, attachmentID int64) (*Attachment, []byte, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := p.Require(auth.CasesRead); err != nil {
		return nil, nil, err
	}
	if _, _, err := visible(ctx, s.db.R, p, caseID); err != nil {
		return nil, nil, err
	}
	list, err := listAttachments(ctx, s.db.R, caseID)
	if err != nil {
		return nil, nil, err
	}
	for i := range list {
		if list[i].ID == attachmentID {
			b, err := os.ReadFile(filepath.Join(s.opts.DataDir, filepath.FromSlash(list[i].Path)))
			if err != nil {
				return nil, nil, errs.E(errs.NotFound, "照片不存在")
			}
			return &list[i], b, nil
		}
	}
	return nil, nil, errs.E(errs.NotFound, "照片不存在")
}

// linkAttachments ties photos uploaded for the case to the event that shows them.
func linkAttachments(ctx context.Context, tx *db.Tx, caseID, eventID int64, ids []int64) error {
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, `UPDATE case_attachments SET event_id = $1 WHERE id = $2 AND case_id = $3
			AND event_id IS NULL`, eventID, id, caseID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Field("attachments", "照片不存在或已用于其他记录")
		}
	}
	return nil
}
