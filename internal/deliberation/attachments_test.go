package deliberation_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/deliberation"
	"linli/internal/errs"
	"linli/internal/photo"
)

// pngWithText is a small PNG carrying a text chunk (a position) that must not be kept.
func pngWithText(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	body := []byte("tEXtGPS\x0038.93N")
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(body)-4))
	chunk = binary.BigEndian.AppendUint32(append(chunk, body...), crc32.ChecksumIEEE(body))
	return append(append(append([]byte{}, raw[:33]...), chunk...), raw[33:]...)
}

func photos(t *testing.T, n int) []photo.Photo {
	out := make([]photo.Photo, n)
	for i := range out {
		out[i] = photo.Photo{FileName: `D:\相册\居民a1楼道.png`, Data: pngWithText(t)}
	}
	return out
}

func TestTopicPhotos(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		t.Run("a resident's photos are kept cleaned, shown without their names in public", func(t *testing.T) {
			tp, err := w.svc.CreatePublicTopic(t.Context(), w.who["a1"], deliberation.TopicInput{Title: "一号楼楼道堆物",
				Description: "楼道里堆满杂物，堵住了通道，照片为证。"}, true, photos(t, 2)...)
			w.must(err)
			pa, err := w.svc.PublicPath(t.Context(), tp.ID)
			w.must(err)
			if len(pa.Attachments) != 2 || pa.Attachments[0].Name != "" || pa.Attachments[0].ByLabel != "1号楼居民" {
				t.Fatalf("public attachments %+v", pa.Attachments)
			}
			data, ctype, err := w.svc.PublicPhotoContent(t.Context(), tp.ID, pa.Attachments[0].ID)
			if err != nil || ctype != "image/png" || bytes.Contains(data, []byte("38.93N")) {
				t.Fatalf("public content %s %v (position kept: %v)", ctype, err, bytes.Contains(data, []byte("38.93N")))
			}
			staff, err := w.svc.TopicPath(w.ctx("admin"), tp.ID)
			w.must(err)
			if staff.Attachments[0].Name != "居民a1楼道.png" {
				t.Fatalf("staff see the file's name without its path: %+v", staff.Attachments[0])
			}
			_, _, err = w.svc.PhotoContent(w.ctx("admin"), tp.ID, staff.Attachments[1].ID)
			w.must(err)
			if n := w.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'deliberation.attachment.view'`); n != 1 {
				t.Fatalf("%d staff views audited, want 1", n)
			}
			if n := w.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'deliberation.attachment'`); n != 1 {
				t.Fatalf("%d uploads audited, want 1", n)
			}
			_, _, err = w.svc.PhotoContent(w.ctx("other"), tp.ID, staff.Attachments[1].ID)
			wantCode(t, "staff of another community", err, errs.NotFound)
			_, _, err = w.svc.PublicPhotoContent(t.Context(), tp.ID+1000, staff.Attachments[1].ID)
			wantCode(t, "a photo under another topic", err, errs.NotFound)
		})
		t.Run("a bad or oversized upload writes nothing", func(t *testing.T) {
			before := w.count(`SELECT COUNT(*) FROM delib_topics`)
			_, err := w.svc.CreatePublicTopic(t.Context(), w.who["a2"], deliberation.TopicInput{Title: "二号楼绿化补种",
				Description: "楼前草坪被踩秃了，希望补种并设围栏。"}, true, photo.Photo{FileName: "说明.txt", Data: []byte("not an image")})
			if errs.CodeOf(err) != errs.Invalid || !strings.Contains(errs.MessageOf(err), "不是图片") {
				t.Fatalf("a text file: %v", err)
			}
			_, err = w.svc.CreateTopic(w.ctx("grid01"), deliberation.TopicInput{Title: "一号院停车位划线",
				Description: "院内车辆乱停，消防通道被占，建议统一划线。", RegionID: w.f.Grids[0].ID, Source: deliberation.SrcGrid,
				Threshold: 3}, photos(t, deliberation.MaxPhotos+1)...)
			wantCode(t, "more photos than a topic keeps", err, errs.Invalid)
			if n := w.count(`SELECT COUNT(*) FROM delib_topics`); n != before {
				t.Fatalf("refused topics were written: %d → %d", before, n)
			}
		})
		t.Run("staff add photos while the topic is open, up to the limit, never after it ends", func(t *testing.T) {
			tp, err := w.svc.CreateTopic(w.ctx("grid01"), deliberation.TopicInput{Title: "一号院停车位划线",
				Description: "院内车辆乱停，消防通道被占，建议统一划线。", RegionID: w.f.Grids[0].ID, Source: deliberation.SrcGrid,
				Threshold: 3}, photos(t, 1)...)
			w.must(err)
			n, err := w.svc.AddPhotos(w.ctx("grid01"), tp.ID, photos(t, deliberation.MaxPhotos-1))
			if err != nil || n != deliberation.MaxPhotos-1 {
				t.Fatalf("add: %d %v", n, err)
			}
			_, err = w.svc.AddPhotos(w.ctx("grid01"), tp.ID, photos(t, 1))
			if errs.CodeOf(err) != errs.Invalid || !strings.Contains(errs.MessageOf(err), "最多") {
				t.Fatalf("one over the limit: %v", err)
			}
			_, err = w.svc.AddPhotos(w.ctx("grid02"), tp.ID, photos(t, 1))
			if errs.CodeOf(err) == "" {
				t.Fatal("another grid's leader added photos")
			}
			_, err = w.svc.AddPhotos(w.ctx("grid01"), tp.ID, nil)
			wantCode(t, "no photo chosen", err, errs.Invalid)
			other, err := w.svc.CreateTopic(w.ctx("grid01"), deliberation.TopicInput{Title: "二号院晾衣架",
				Description: "院里缺少晾衣架，居民晾晒困难。", RegionID: w.f.Grids[0].ID, Source: deliberation.SrcGrid, Threshold: 3})
			w.must(err)
			_, err = w.svc.Act(w.ctx("admin"), other.ID, deliberation.ActDecline, deliberation.ReviewInput{Reason: "已由物业列入本月维修计划"})
			w.must(err)
			_, err = w.svc.AddPhotos(w.ctx("admin"), other.ID, photos(t, 1))
			wantCode(t, "photos for a declined topic", err, errs.Conflict)
			if n := w.count(`SELECT COUNT(*) FROM delib_attachments WHERE topic_id = $1`, other.ID); n != 0 {
				t.Fatalf("a declined topic has %d photos", n)
			}
		})
	})
}
