package notify_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/notify"
)

func TestNotificationPagesAndAPI(t *testing.T) {
	env := apptest.New(t)
	d := env.DB()
	grid01 := env.Fixture.Users["grid01"].UserID
	send(t, d, grid01, notify.Notification{Kind: "case.assigned", Title: "新派遣案件：南关小区3号楼路灯不亮", Link: "/cases/7"})
	send(t, d, grid01, notify.Notification{Kind: "case.due_soon", Title: "案件即将超时", Body: "剩余 1小时"})

	t.Run("the page lists the user's own notifications with the unread count", func(t *testing.T) {
		c := env.Login(t, "grid01")
		resp := c.Get("/notifications")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "路灯不亮") || !strings.Contains(resp.Body, "2 条未读") {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		other := env.Login(t, "worker01").Get("/notifications")
		if strings.Contains(other.Body, "路灯不亮") || !strings.Contains(other.Body, "暂无消息") {
			t.Errorf("worker01 sees grid01's notifications")
		}
	})
	t.Run("every page's bell shows the unread count and leads to the list", func(t *testing.T) {
		for path, want := range map[string]string{"/today": `<span class="badge">2</span>`, "/cases": `aria-label="消息通知，2 条未读"`} {
			if body := env.Login(t, "grid01").Get(path).Body; !strings.Contains(body, want) || !strings.Contains(body, `class="bell" href="/notifications"`) {
				t.Errorf("%s: the bell lacks %q", path, want)
			}
		}
		if body := env.Login(t, "worker01").Get("/today").Body; strings.Contains(body, `class="badge"`) ||
			!strings.Contains(body, `aria-label="消息通知"`) {
			t.Error("worker01's bell counts notifications they do not have")
		}
	})
	t.Run("opening a notification marks it read and goes to its link", func(t *testing.T) {
		c := env.Login(t, "grid01")
		var page notify.Page
		env.APIClient(t, "grid01").Get("/api/v1/notifications").Decode(t, &page)
		var id int64
		for _, n := range page.Items {
			if n.Link == "/cases/7" {
				id = n.ID
			}
		}
		resp := c.PostForm("/notifications/"+strconv.FormatInt(id, 10)+"/read", map[string][]string{"open": {"1"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cases/7" {
			t.Fatalf("status %d, location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if !strings.Contains(c.Get("/notifications").Body, "1 条未读") {
			t.Error("unread count did not drop to 1")
		}
	})
	t.Run("the API lists own notifications and 404s on anyone else's", func(t *testing.T) {
		api := env.APIClient(t, "grid01")
		var page notify.Page
		api.Get("/api/v1/notifications?unread=true").Decode(t, &page)
		if page.Total != 1 || page.Unread != 1 || len(page.Items) != 1 {
			t.Fatalf("unread page = %+v", page)
		}
		id := strconv.FormatInt(page.Items[0].ID, 10)
		if resp := env.APIClient(t, "worker01").JSON("POST", "/api/v1/notifications/"+id+"/read", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("worker01 marking grid01's notification: %d %s", resp.StatusCode, resp.Body)
		}
		resp := api.JSON("POST", "/api/v1/notifications/"+id+"/read", nil)
		var n notify.Notification
		resp.Decode(t, &n)
		if resp.StatusCode != http.StatusOK || n.ReadAt == nil {
			t.Errorf("mark read: %d %s", resp.StatusCode, resp.Body)
		}
		if resp := env.Anonymous(t).Get("/api/v1/notifications"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous: %d", resp.StatusCode)
		}
	})
}
