package deliberation

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/photo"
)

// MaxPhotos is how many photos one topic keeps (and one form sends); MaxPhotoForm bounds the body
// of a form that carries them (listed in internal/app/bodies.go).
const (
	MaxPhotos    = 6
	MaxPhotoForm = MaxPhotos*photo.MaxBytes + 1<<20
)

// Attachment is a photo of a topic. Its file name is shown to staff only: the public page numbers
// the photos, since a name may carry the resident's. A photo staff hid (moderation) keeps its
// public reason; the public page shows the reason instead of the photo.
type Attachment struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Size       int       `json:"size"`
	ByLabel    string    `json:"by_label"`
	Hidden     bool      `json:"hidden"`
	HideReason string    `json:"hide_reason,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// cleanPhotos checks and cleans the photos of a form before any transaction starts.
func cleanPhotos(files []photo.Photo) ([]photo.Photo, error) {
	if len(files) == 0 {
		return nil, nil
	}
	return photo.CleanAll(files, MaxPhotos)
}

// insertAttachments keeps cleaned photos of a topic that is still open, within MaxPhotos shown
// (a hidden photo leaves room for another), audited.
func (s *Service) insertAttachments(ctx context.Context, tx *db.Tx, t *Topic, files []photo.Photo, by, household int64, label string) error {
	if len(files) == 0 {
		return nil
	}
	if !t.State.Open() {
		return errs.E(errs.Conflict, "议题已%s，不能再添加照片", t.State.Label())
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM delib_attachments WHERE topic_id = $1 AND NOT hidden`, t.ID).Scan(&have); err != nil {
		return err
	}
	if have+len(files) > MaxPhotos {
		return errs.Field("photos", fmt.Sprintf("每个议题最多%d张照片，已有%d张", MaxPhotos, have))
	}
	ids := make([]int64, 0, len(files))
	for _, p := range files {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO delib_attachments (topic_id, name, content_type, content, size, created_by,
			household_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			t.ID, photoName(p.FileName), http.DetectContentType(p.Data), p.Data, len(p.Data), nullable(by), nullable(household),
			s.now()).Scan(&id); err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
		ids = append(ids, id)
	}
	return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.attachment", ObjectType: "delib_topic", ObjectID: t.ID,
		RegionID: t.RegionID, Detail: fmt.Sprintf("%s为议题添加照片%d张（已清除位置等元数据）", label, len(ids)),
		After: map[string]any{"attachment_ids": ids}})
}

// photoName keeps a file's name short and free of any path a browser sent.
func photoName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if name = strings.TrimSpace(name); name == "" {
		name = "照片"
	}
	if r := []rune(name); len(r) > 60 {
		name = string(r[:60])
	}
	return name
}

// AddPhotos keeps photos of an open topic, by staff who run it; all are kept or none.
func (s *Service) AddPhotos(ctx context.Context, topicID int64, files []photo.Photo) (int, error) {
	p, err := principal(ctx, auth.DeliberationRaise)
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, errs.Field("photos", "请选择要上传的照片")
	}
	cleaned, err := cleanPhotos(files)
	if err != nil {
		return 0, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := manage(ctx, tx, p, topicID)
		if err != nil {
			return err
		}
		return s.insertAttachments(ctx, tx, t, cleaned, p.UserID, 0, roleLabel(p))
	})
	if err != nil {
		return 0, err
	}
	return len(cleaned), nil
}

// attachments lists a topic's photos, oldest first.
func (s *Service) attachments(ctx context.Context, topicID int64) ([]Attachment, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT a.id, a.name, a.size, COALESCE(b.name || '居民', ''), a.hidden, a.hide_reason,
		a.created_at FROM delib_attachments a LEFT JOIN households h ON h.id = a.household_id LEFT JOIN buildings b ON b.id = h.building_id
		WHERE a.topic_id = $1 ORDER BY a.id`, topicID)
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.Name, &a.Size, &a.ByLabel, &a.Hidden, &a.HideReason, &a.CreatedAt); err != nil {
			return nil, err
		}
		if a.ByLabel == "" {
			a.ByLabel = "工作人员"
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// attachmentContent reads one photo of a topic; shown is the condition the public page adds (a
// hidden photo is not found there).
func (s *Service) attachmentContent(ctx context.Context, topicID, id int64, shown bool) ([]byte, string, string, error) {
	var data []byte
	var ctype, name string
	q := `SELECT content, content_type, name FROM delib_attachments WHERE id = $1 AND topic_id = $2`
	if shown {
		q += ` AND NOT hidden`
	}
	if err := s.db.R.QueryRowContext(ctx, q, id, topicID).Scan(&data, &ctype, &name); err != nil {
		return nil, "", "", db.NotFound(err, "照片不存在")
	}
	return data, ctype, name, nil
}

// HidePhoto hides a topic's photo with a public reason (moderation), audited like hiding a
// comment: the public page and its photo address no longer show it, staff still see it marked
// hidden, and the topic's text stays as its author wrote it.
func (s *Service) HidePhoto(ctx context.Context, topicID, photoID int64, reason string) error {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < 2 || n > 200 {
		return errs.Field("reason", "请填写隐藏照片的公开理由（2至200字）")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := manage(ctx, tx, p, topicID)
		if err != nil {
			return err
		}
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM delib_attachments WHERE id = $1 AND topic_id = $2 AND NOT hidden`,
			photoID, t.ID).Scan(&name); err != nil {
			return db.NotFound(err, "照片不存在或已隐藏")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE delib_attachments SET hidden = TRUE, hide_reason = $1 WHERE id = $2`,
			reason, photoID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.attachment_hide", ObjectType: "delib_attachment",
			ObjectID: photoID, RegionID: t.RegionID, Detail: fmt.Sprintf("隐藏议题“%s”的照片%d（%s）：%s", t.Title, photoID, name, reason)})
	})
}

// PhotoContent returns one photo of a topic the principal sees; every staff view is audited.
func (s *Service) PhotoContent(ctx context.Context, topicID, id int64) ([]byte, string, error) {
	t, err := s.Topic(ctx, topicID)
	if err != nil {
		return nil, "", err
	}
	data, ctype, name, err := s.attachmentContent(ctx, topicID, id, false)
	if err != nil {
		return nil, "", err
	}
	err = audit.Record(ctx, s.db.W, audit.Entry{Action: "deliberation.attachment.view", ObjectType: "delib_topic", ObjectID: t.ID,
		RegionID: t.RegionID, Detail: fmt.Sprintf("查看议题“%s”的照片%d（%s）", t.Title, id, name)})
	return data, ctype, err
}

// PublicPhotoContent returns one photo of a topic shown on the public page. Like the rest of that
// page it is open to anyone, so views are not audited (an audit entry per anonymous view would
// only let anyone grow the log).
func (s *Service) PublicPhotoContent(ctx context.Context, topicID, id int64) ([]byte, string, error) {
	if _, err := s.PublicTopic(ctx, topicID); err != nil {
		return nil, "", err
	}
	data, ctype, _, err := s.attachmentContent(ctx, topicID, id, true)
	return data, ctype, err
}
