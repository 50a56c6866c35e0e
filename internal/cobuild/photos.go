package cobuild

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"linli/internal/activities"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/photo"
	"linli/internal/web"
)

// Photos are kept for two things: the scan of a unit's co-building agreement (PhotoAgreement, a
// photo of each signed page) and the photos of a co-building activity (PhotoActivity).
const (
	PhotoAgreement = "agreement"
	PhotoActivity  = "activity"
)

// MaxPhotos is how many photos one agreement keeps (an activity: activities.MaxActivityPhotos) and how many one upload
// takes; MaxPhotoForm bounds one upload
// (listed in internal/app/bodies.go).
const (
	MaxPhotos    = 8
	MaxPhotoForm = 4*photo.MaxBytes + 1<<20
)

// photoOwner checks the viewer may see (or, with write, add to) the unit or activity a photo
// belongs to and returns its region.
func (s *Service) photoOwner(ctx context.Context, q db.Querier, kind string, id int64, write bool) (int64, error) {
	perm := auth.CobuildRead
	if write {
		perm = s.actPerm(ctx)
		if kind == PhotoAgreement {
			perm = auth.CobuildWrite
		}
	}
	v, err := s.viewer(ctx, q, perm)
	if err != nil {
		return 0, err
	}
	switch kind {
	case PhotoAgreement:
		if write && !v.staff() {
			return 0, errs.E(errs.Forbidden, "协议扫描件由社区上传")
		}
		u, err := s.unitFor(ctx, q, v, id)
		if err != nil {
			return 0, err
		}
		return u.RegionID, nil
	case PhotoActivity:
		a, err := s.activityFor(ctx, q, v, id)
		if err != nil {
			return 0, err
		}
		return a.RegionID, nil
	}
	return 0, errs.E(errs.NotFound, "照片不存在")
}

// AddPhotos keeps photos of a unit's agreement (staff) or of an activity (staff, or the contact of
// a unit that took part), cleaned of the metadata that may give away where and by whom they were
// taken; all are kept or none.
func (s *Service) AddPhotos(ctx context.Context, kind string, id int64, files []photo.Photo) (int, error) {
	if len(files) == 0 {
		return 0, errs.Field("photos", "请选择要上传的照片")
	}
	cleaned, err := photo.CleanAll(files, MaxPhotos)
	if err != nil {
		return 0, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		region, err := s.photoOwner(ctx, tx, kind, id, true)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		if kind == PhotoActivity {
			if err := activities.AddUnitActivityPhotos(ctx, tx, id, cleaned, now); err != nil {
				return err
			}
			return record(ctx, tx, "cobuild.activity.photo", "activity", id, region,
				fmt.Sprintf("上传共建活动照片%d张（已清除位置等元数据）", len(cleaned)), nil)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cobuild_photos WHERE kind = $1 AND object_id = $2`, kind, id).Scan(&n); err != nil {
			return err
		}
		if n+len(cleaned) > MaxPhotos {
			return errs.Field("photos", fmt.Sprintf("最多保存%d张照片，已有%d张", MaxPhotos, n))
		}
		for _, p := range cleaned {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cobuild_photos (kind, object_id, region_id, content_type, content, created_by,
				created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, kind, id, region, http.DetectContentType(p.Data), p.Data,
				auth.FromContext(ctx).UserID, now); err != nil {
				return fmt.Errorf("insert photo: %w", err)
			}
		}
		return record(ctx, tx, "cobuild."+kind+".photo", "cobuild_unit", id, region, fmt.Sprintf("上传照片%d张（已清除位置等元数据）", len(cleaned)), nil)
	})
	if err != nil {
		return 0, err
	}
	return len(cleaned), nil
}

// PhotoIDs lists, for each of ids the viewer may see, its photos of kind, oldest first.
func (s *Service) PhotoIDs(ctx context.Context, kind string, ids []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	if kind == PhotoActivity {
		if ids, err = s.visibleActivities(ctx, s.db.R, v, ids); err != nil {
			return nil, err
		}
		return activities.UnitActivityPhotoIDs(ctx, s.db.R, s.db.Dialect, ids)
	}
	a := &db.Args{}
	q := `SELECT object_id, id FROM cobuild_photos WHERE kind = ` + a.Add(kind) + ` AND ` + s.db.Dialect.InIDs("object_id", ids, a) +
		` AND ` + db.InScope("region_id", a.Add(v.scope)) + ` ORDER BY id`
	rows, err := s.db.R.QueryContext(ctx, q, *a...)
	if err != nil {
		return nil, fmt.Errorf("photo ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var obj, id int64
		if err := rows.Scan(&obj, &id); err != nil {
			return nil, err
		}
		out[obj] = append(out[obj], id)
	}
	return out, rows.Err()
}

// Photo returns one photo of a unit's agreement or an activity the viewer may see.
func (s *Service) Photo(ctx context.Context, kind string, id, photoID int64) ([]byte, string, error) {
	if _, err := s.photoOwner(ctx, s.db.R, kind, id, false); err != nil {
		return nil, "", err
	}
	if kind == PhotoActivity {
		return activities.UnitActivityPhoto(ctx, s.db.R, id, photoID)
	}
	var data []byte
	var ctype string
	err := s.db.R.QueryRowContext(ctx, `SELECT content, content_type FROM cobuild_photos WHERE id = $1 AND kind = $2 AND object_id = $3`,
		photoID, kind, id).Scan(&data, &ctype)
	if err != nil {
		return nil, "", db.NotFound(err, "照片不存在")
	}
	return data, ctype, nil
}

// photoRoutes registers the uploads and images of agreement scans and activity photos.
func (h *Handlers) photoRoutes(mux *http.ServeMux, read func(http.HandlerFunc) http.Handler) {
	for prefix, kind := range map[string]string{"/cobuild/units/{id}/agreement": PhotoAgreement, "/cobuild/activities/{id}/photos": PhotoActivity} {
		mux.Handle("POST "+prefix, read(h.uploadPhotos(kind)))
		mux.Handle("GET "+prefix+"/{photo}", read(h.photo(kind)))
	}
}

func (h *Handlers) uploadPhotos(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := web.PathID(r, "id")
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		to := "/cobuild/activities"
		if kind == PhotoAgreement {
			to = "/cobuild/units/" + strconv.FormatInt(id, 10)
		} else if back := r.PostFormValue("back"); strings.HasPrefix(back, "/cobuild/") {
			to = back
		}
		files, err := photo.FromForm(w, r, MaxPhotos)
		n := 0
		if err == nil {
			n, err = h.svc.AddPhotos(r.Context(), kind, id, files)
		}
		if err != nil {
			if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Forbidden {
				web.Redirect(w, r, to, errs.MessageOf(err))
				return
			}
			h.kit.Error(w, r, err)
			return
		}
		web.Redirect(w, r, to, "已上传"+strconv.Itoa(n)+"张照片")
	}
}

func (h *Handlers) photo(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := web.PathID(r, "id")
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		pid, err := web.PathID(r, "photo")
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		data, ctype, err := h.svc.Photo(r.Context(), kind, id, pid)
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "private, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(data)
	}
}
