package mediation

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/photo"
)

// MaxAttachments is how many attachments one case file keeps; MaxAttachmentsPerUpload how many
// one form sends; MaxAttachmentForm bounds that form's body (listed in internal/app/bodies.go).
const (
	MaxAttachments          = 40
	MaxAttachmentsPerUpload = 6
	MaxAttachmentForm       = MaxAttachmentsPerUpload*photo.MaxBytes + 1<<20
)

// Attachment is a photo kept in a case file — of the scene, a signed document, a receipt proving
// performance (履行凭证) — optionally of one investigation or session record.
type Attachment struct {
	ID        int64     `json:"id"`
	RecordID  int64     `json:"record_id,omitempty"`
	Name      string    `json:"name"`
	Note      string    `json:"note"`
	Size      int       `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

// AddAttachments keeps photos in a case file that is not archived, cleaned of the metadata that
// may give away where and by whom they were taken; recordID 0 attaches them to the file itself.
// All are kept or none.
func (s *Service) AddAttachments(ctx context.Context, caseID, recordID int64, note string, files []photo.Photo) (int, error) {
	v, err := s.writer(ctx, s.db.R)
	if err != nil {
		return 0, err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 100 {
		return 0, errs.Field("note", "附件说明不能超过100字")
	}
	if len(files) == 0 {
		return 0, errs.Field("photos", "请选择要上传的照片")
	}
	cleaned, err := photo.CleanAll(files, MaxAttachmentsPerUpload)
	if err != nil {
		return 0, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.visible(ctx, tx, v, caseID)
		if err != nil {
			return err
		}
		if c.State == Archived {
			return errs.E(errs.Conflict, "卷宗已归档，不能再添加附件")
		}
		var rec any
		if recordID != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_records WHERE id = $1 AND mediation_id = $2`,
				recordID, caseID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return errs.Field("record_id", "所选记录不属于本案")
			}
			rec = recordID
		}
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_attachments WHERE mediation_id = $1`, caseID).Scan(&have); err != nil {
			return err
		}
		if have+len(cleaned) > MaxAttachments {
			return errs.Field("photos", fmt.Sprintf("每个卷宗最多保存%d个附件，已有%d个", MaxAttachments, have))
		}
		var ids []int64
		for _, p := range cleaned {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO mediation_attachments (mediation_id, record_id, name, note, content_type,
				content, size, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
				caseID, rec, attachmentName(p.FileName), note, http.DetectContentType(p.Data), p.Data, len(p.Data), v.p.UserID,
				s.now()).Scan(&id); err != nil {
				return fmt.Errorf("insert attachment: %w", err)
			}
			ids = append(ids, id)
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "mediation.attachment", ObjectType: "mediation", ObjectID: caseID,
			RegionID: c.CommunityID, Detail: fmt.Sprintf("%s 添加附件%d个（已清除位置等元数据）", c.Number, len(ids)),
			After: map[string]any{"attachment_ids": ids, "record_id": recordID, "note": note}})
	})
	if err != nil {
		return 0, err
	}
	return len(cleaned), nil
}

// attachmentName keeps a file's name short and free of any path a browser sent.
func attachmentName(name string) string {
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

// Attachments lists the attachments of a case file the principal reads (not to screening-only
// users, who see no content), oldest first.
func (s *Service) Attachments(ctx context.Context, caseID int64) ([]Attachment, error) {
	v, err := s.viewer(ctx, s.db.R)
	if err != nil {
		return nil, err
	}
	if v.redacted {
		return []Attachment{}, nil
	}
	if _, err := s.visible(ctx, s.db.R, v, caseID); err != nil {
		return nil, err
	}
	out := []Attachment{}
	err = each(ctx, s.db.R, `SELECT id, COALESCE(record_id, 0), name, note, size, created_at FROM mediation_attachments
		WHERE mediation_id = $1 ORDER BY id`, []any{caseID}, func(scan func(...any) error) error {
		var a Attachment
		if err := scan(&a.ID, &a.RecordID, &a.Name, &a.Note, &a.Size, &a.CreatedAt); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// AttachmentContent returns one attachment of a case file the principal reads; every view is
// audited like the file's other documents.
func (s *Service) AttachmentContent(ctx context.Context, caseID, id int64) ([]byte, string, error) {
	v, err := s.viewer(ctx, s.db.R)
	if err != nil {
		return nil, "", err
	}
	if v.redacted {
		return nil, "", errs.E(errs.NotFound, "附件不存在")
	}
	c, err := s.visible(ctx, s.db.R, v, caseID)
	if err != nil {
		return nil, "", err
	}
	var data []byte
	var ctype, name string
	if err := s.db.R.QueryRowContext(ctx, `SELECT content, content_type, name FROM mediation_attachments WHERE id = $1 AND mediation_id = $2`,
		id, caseID).Scan(&data, &ctype, &name); err != nil {
		return nil, "", db.NotFound(err, "附件不存在")
	}
	err = audit.Record(ctx, s.db.W, audit.Entry{Action: "mediation.attachment.view", ObjectType: "mediation", ObjectID: caseID,
		RegionID: c.CommunityID, Detail: fmt.Sprintf("%s 查看附件%d（%s）", c.Number, id, name)})
	return data, ctype, err
}
