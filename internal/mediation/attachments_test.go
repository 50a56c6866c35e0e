package mediation

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/png"
	"strconv"
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/jobs"
	"linli/internal/photo"
)

// pngWithText is a small PNG carrying a text chunk that must not be kept.
func pngWithText(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	// A tEXt chunk after the header: length, type and data, CRC.
	body := []byte("tEXtGPS\x0038.93N")
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(body)-4))
	chunk = binary.BigEndian.AppendUint32(append(chunk, body...), crc32.ChecksumIEEE(body))
	return append(append(append([]byte{}, raw[:33]...), chunk...), raw[33:]...)
}

func TestAttachments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.mediating()
		t.Run("photos_are_kept_cleaned_listed_and_their_views_audited", func(t *testing.T) {
			n, err := w.svc.AddAttachments(w.ctx("mediator01"), c.ID, c.Records[0].ID, "双方签字的调解记录",
				[]photo.Photo{{FileName: `C:\手机\签字.png`, Data: pngWithText(t)}})
			if err != nil || n != 1 {
				t.Fatalf("add: %d %v", n, err)
			}
			list, err := w.svc.Attachments(w.ctx("admin"), c.ID)
			if err != nil || len(list) != 1 || list[0].Name != "签字.png" || list[0].RecordID != c.Records[0].ID {
				t.Fatalf("list %+v %v", list, err)
			}
			data, ctype, err := w.svc.AttachmentContent(w.ctx("admin"), c.ID, list[0].ID)
			if err != nil || ctype != "image/png" || bytes.Contains(data, []byte("38.93N")) {
				t.Fatalf("content %s %v (text kept: %v)", ctype, err, bytes.Contains(data, []byte("38.93N")))
			}
			if n := w.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'mediation.attachment.view' AND object_id = $1`, strconv.FormatInt(c.ID, 10)); n != 1 {
				t.Fatalf("%d views audited", n)
			}
		})
		t.Run("outside_the_scope_or_for_screening_only_users_there_is_nothing", func(t *testing.T) {
			_, err := w.svc.Attachments(w.ctx("other"), c.ID)
			wantErr(t, err, errs.NotFound, "")
			list, _ := w.svc.Attachments(w.ctx("admin"), c.ID)
			_, _, err = w.svc.AttachmentContent(w.ctx("worker01"), c.ID, list[0].ID)
			wantErr(t, err, errs.NotFound, "")
		})
		t.Run("a_file_that_is_no_image_writes_nothing", func(t *testing.T) {
			before := w.count(`SELECT COUNT(*) FROM mediation_attachments`)
			_, err := w.svc.AddAttachments(w.ctx("mediator01"), c.ID, 0, "", []photo.Photo{
				{FileName: "好.png", Data: pngWithText(t)}, {FileName: "协议.docx", Data: []byte("PK\x03\x04 not an image")}})
			wantErr(t, err, errs.Invalid, "photos")
			if after := w.count(`SELECT COUNT(*) FROM mediation_attachments`); after != before {
				t.Fatalf("%d attachments written", after-before)
			}
		})
		t.Run("a_record_of_another_case_is_refused", func(t *testing.T) {
			other := w.mediating()
			_, err := w.svc.AddAttachments(w.ctx("mediator01"), c.ID, other.Records[0].ID, "", []photo.Photo{{FileName: "a.png", Data: pngWithText(t)}})
			wantErr(t, err, errs.Invalid, "record_id")
		})
	})
}

func TestFollowupReminder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.mediating()
		ag := written
		agreed := w.act(c.ID, ActAgree, ActionInput{Agreement: &ag})
		var payload string
		if err := d.R.QueryRowContext(context.Background(), `SELECT payload FROM jobs WHERE kind = $1 AND state = 'pending'`,
			FollowupJob).Scan(&payload); err != nil {
			t.Fatalf("no reminder scheduled: %v", err)
		}
		var p followupPayload
		if err := json.Unmarshal([]byte(payload), &p); err != nil || p.MediationID != c.ID || p.Due != agreed.FollowupDue {
			t.Fatalf("payload %s, case due %s", payload, agreed.FollowupDue)
		}
		run := func() int {
			if err := w.svc.remindFollowup(context.Background(), &jobs.Job{Kind: FollowupJob, Payload: []byte(payload)}); err != nil {
				t.Fatal(err)
			}
			return w.count(`SELECT COUNT(*) FROM notifications WHERE kind = $1 AND user_id = $2`, FollowupJob, w.f.Users["mediator01"].UserID)
		}
		if n := run(); n != 1 {
			t.Fatalf("the mediator got %d reminders", n)
		}
		var title string
		_ = d.R.QueryRowContext(context.Background(), `SELECT title FROM notifications WHERE kind = $1`, FollowupJob).Scan(&title)
		if !strings.Contains(title, agreed.Number) {
			t.Fatalf("reminder title %q", title)
		}
		w.act(c.ID, ActFollowUp, ActionInput{Followup: &Followup{DoneOn: "2026-12-05", Performance: "performed", Satisfaction: "satisfied"}})
		if n := run(); n != 1 {
			t.Fatal("a case followed up since is reminded again")
		}
	})
}
