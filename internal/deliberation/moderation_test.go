package deliberation_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/deliberation"
	"linli/internal/errs"
)

func TestStaffHideATopicsPhotoWithAPublicReason(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		desc := "楼道里堆满杂物，堵住了通道，照片为证。"
		tp, err := w.svc.CreatePublicTopic(t.Context(), w.who["a1"], deliberation.TopicInput{Title: "一号楼楼道堆物",
			Description: desc}, true, photos(t, 2)...)
		w.must(err)
		staff, err := w.svc.TopicPath(w.ctx("admin"), tp.ID)
		w.must(err)
		first, second := staff.Attachments[0].ID, staff.Attachments[1].ID

		wantCode(t, "a reason too short", w.svc.HidePhoto(w.ctx("admin"), tp.ID, first, " 否 "), errs.Invalid)
		wantCode(t, "a grid leader (no moderation)", w.svc.HidePhoto(w.ctx("grid01"), tp.ID, first, "照片含住户门牌号"), errs.Forbidden)
		wantCode(t, "another community's admin", w.svc.HidePhoto(w.ctx("other"), tp.ID, first, "照片含住户门牌号"), errs.NotFound)
		wantCode(t, "a photo of another topic", w.svc.HidePhoto(w.ctx("admin"), tp.ID+1000, first, "照片含住户门牌号"), errs.NotFound)
		if n := w.count(`SELECT COUNT(*) FROM delib_attachments WHERE hidden`); n != 0 {
			t.Fatalf("refused hides hid %d photos", n)
		}

		w.must(w.svc.HidePhoto(w.ctx("admin"), tp.ID, first, "照片含住户门牌号"))
		wantCode(t, "hiding it twice", w.svc.HidePhoto(w.ctx("admin"), tp.ID, first, "照片含住户门牌号"), errs.NotFound)
		if n := w.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'deliberation.attachment_hide' AND object_id = $1`, strconv.FormatInt(first, 10)); n != 1 {
			t.Fatalf("%d hides audited, want 1", n)
		}

		pub, err := w.svc.PublicPath(t.Context(), tp.ID)
		w.must(err)
		if a := pub.Attachments[0]; !a.Hidden || a.HideReason != "照片含住户门牌号" || a.Name != "" {
			t.Fatalf("the public page's hidden photo: %+v", a)
		}
		if pub.Attachments[1].Hidden || pub.Topic.Description != desc {
			t.Fatalf("the other photo or the resident's text changed: %+v %q", pub.Attachments[1], pub.Topic.Description)
		}
		_, _, err = w.svc.PublicPhotoContent(t.Context(), tp.ID, first)
		wantCode(t, "the hidden photo's public address", err, errs.NotFound)
		if _, _, err := w.svc.PublicPhotoContent(t.Context(), tp.ID, second); err != nil {
			t.Fatalf("the photo still shown: %v", err)
		}
		data, _, err := w.svc.PhotoContent(w.ctx("admin"), tp.ID, first)
		if err != nil || len(data) == 0 || bytes.Contains(data, []byte("38.93N")) {
			t.Fatalf("staff still see the hidden photo (cleaned): %d bytes, %v", len(data), err)
		}
		staff, err = w.svc.TopicPath(w.ctx("admin"), tp.ID)
		w.must(err)
		if a := staff.Attachments[0]; !a.Hidden || a.Name == "" {
			t.Fatalf("staff see the hidden photo marked, with its name: %+v", a)
		}

		// A hidden photo leaves room for another: MaxPhotos counts the photos shown.
		n, err := w.svc.AddPhotos(w.ctx("admin"), tp.ID, photos(t, deliberation.MaxPhotos-1))
		if err != nil || n != deliberation.MaxPhotos-1 {
			t.Fatalf("filling the photos shown: %d %v", n, err)
		}
		_, err = w.svc.AddPhotos(w.ctx("admin"), tp.ID, photos(t, 1))
		if errs.CodeOf(err) != errs.Invalid || !strings.Contains(errs.MessageOf(err), "最多") {
			t.Fatalf("one over the photos shown: %v", err)
		}
	})
}
