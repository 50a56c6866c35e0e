package cases

import (
	"io"
	"net/http"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
)

type importView struct {
	web.Page
	Communities []Option
	CommunityID int64
	NeedPlace   bool
	Preview     *ImportPreview
	Result      *ImportResult
}

func (h *Handlers) importView(r *http.Request) (*importView, error) {
	p := auth.FromContext(r.Context())
	v := &importView{Page: web.Page{Title: "12345工单导入"}, NeedPlace: p.RegionLevel != "community",
		CommunityID: formID(r, "community_id")}
	if v.NeedPlace {
		regions, err := h.svc.ScopeCommunities(r.Context())
		if err != nil {
			return nil, err
		}
		v.Communities = regions
	}
	return v, nil
}

func (h *Handlers) importForm(w http.ResponseWriter, r *http.Request) {
	v, err := h.importView(r)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "import.html", v)
}

func (h *Handlers) importPreview(w http.ResponseWriter, r *http.Request) {
	v, err := h.importView(r)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		h.formError(w, r, errs.Field("file", "请选择12345工单导出文件（.xlsx 或 .csv，不超过20MB）"), &v.Page, "import.html", v)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		h.formError(w, r, errs.Field("file", "读取上传文件失败"), &v.Page, "import.html", v)
		return
	}
	v.Preview, err = h.svc.PreviewHotline(r.Context(), HotlineFile{Name: hdr.Filename, Data: data, CommunityID: v.CommunityID})
	if err != nil {
		h.formError(w, r, err, &v.Page, "import.html", v)
		return
	}
	h.views.Render(w, r, http.StatusOK, "import.html", v)
}

func (h *Handlers) importCommit(w http.ResponseWriter, r *http.Request) {
	v, err := h.importView(r)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	res, err := h.svc.CommitHotline(r.Context(), r.FormValue("token"), r.FormValue("file_name"), v.CommunityID)
	if err != nil {
		h.formError(w, r, err, &v.Page, "import.html", v)
		return
	}
	msg := "导入完成：新建" + countText(int64(res.Created)) + "件，已存在跳过" + countText(int64(res.Skipped)) + "件"
	if res.Folded > 0 {
		msg += "，重复行合并" + countText(int64(res.Folded)) + "行"
	}
	if res.Created > 0 {
		msg += "；按地址定位到楼院" + countText(int64(res.Located)) + "件，待定位" + countText(int64(res.ToLocate)) + "件"
	}
	if len(res.Errors) > 0 {
		msg += "，有错误未导入" + countText(int64(len(res.Errors))) + "处"
	}
	web.Redirect(w, r, "/cases?channel=hotline_12345&queue=to_accept", msg)
}
