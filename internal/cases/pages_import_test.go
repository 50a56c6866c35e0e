package cases

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

func TestAnUnconfirmedImportPreviewIsDeletedAfterAnHour(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		csv := func(no string) HotlineFile {
			return HotlineFile{Name: "12345.csv", Data: []byte("工单编号,来电时间,来电人,联系电话,诉求内容,地址\n" +
				no + ",2024-03-01 09:00,王先生,13912345678,楼道灯不亮,南关街3号\n")}
		}
		first, err := w.svc.PreviewHotline(w.ctx("admin"), csv("GZ20240301001"))
		if err != nil || first.Token == "" {
			t.Fatalf("preview: %+v %v", first, err)
		}
		kept := w.svc.importPath(first.Token)
		old := time.Now().Add(-2 * time.Hour)
		if err := os.Chtimes(kept, old, old); err != nil {
			t.Fatal(err)
		}
		second, err := w.svc.PreviewHotline(w.ctx("admin"), csv("GZ20240301002"))
		if err != nil || second.Token == "" {
			t.Fatalf("preview: %+v %v", second, err)
		}
		if _, err := os.Stat(kept); !os.IsNotExist(err) {
			t.Fatalf("a two-hour-old preview with callers' phone numbers is still on disk: %v", err)
		}
		if _, err := os.Stat(w.svc.importPath(second.Token)); err != nil {
			t.Fatalf("the fresh preview is gone: %v", err)
		}
		if _, err := w.svc.CommitHotline(w.ctx("admin"), first.Token, "12345.csv", 0); err == nil {
			t.Fatal("an expired preview was committed")
		}
		entries, _ := os.ReadDir(filepath.Dir(kept))
		if len(entries) != 1 {
			t.Fatalf("%d files kept", len(entries))
		}
	})
}
