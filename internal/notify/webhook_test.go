package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
	"linli/internal/jobs"
	"linli/internal/notify"
)

// gateway is a loopback SMS gateway that fails the first failures requests with status.
type gateway struct {
	mu       sync.Mutex
	failures int
	status   int
	bodies   [][]byte
	headers  []http.Header
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.bodies = append(g.bodies, body)
	g.headers = append(g.headers, r.Header.Clone())
	if len(g.bodies) <= g.failures {
		w.WriteHeader(g.status)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (g *gateway) calls() int { g.mu.Lock(); defer g.mu.Unlock(); return len(g.bodies) }

type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time { return c.t }

func TestWebhook(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixture.New(t, d)
		ctx := context.Background()
		const secret = "gateway-secret"

		setup := func(t *testing.T, g *gateway) (*jobs.Runner, *fakeClock) {
			srv := httptest.NewServer(g)
			t.Cleanup(srv.Close)
			cfg := notify.WebhookConfig{URL: srv.URL + "/sms", Secret: secret, BaseURL: "https://linli.example.gov.cn/"}
			if err := notify.Configure(ctx, d, cfg); err != nil {
				t.Fatal(err)
			}
			clk := &fakeClock{t: time.Now().Add(time.Second)} // notifications sent next are due
			r := jobs.NewRunner(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
			r.Now = clk.Now
			notify.NewWebhook(d, cfg).Register(r)
			return r, clk
		}

		t.Run("a gateway that fails twice gets the notification on the third try, signed", func(t *testing.T) {
			g := &gateway{failures: 2, status: http.StatusBadGateway}
			r, clk := setup(t, g)
			send(t, d, f.Users["grid01"].UserID, notify.Notification{Kind: "case.overdue", Title: "案件已超时：13912345678 反映路灯不亮",
				Link: "/cases/42", RegionID: f.Grids[0].ID})
			var delays []time.Duration
			for try := 1; try <= 3; try++ {
				if n, err := r.RunDue(ctx); err != nil || n != 1 {
					t.Fatalf("try %d: RunDue = %d, %v", try, n, err)
				}
				list, _ := jobs.List(ctx, d.R, notify.WebhookJob, jobs.StatePending, 10)
				if try < 3 {
					if len(list) != 1 {
						t.Fatalf("after failure %d the delivery is not waiting to retry", try)
					}
					delays = append(delays, list[0].RunAt.Sub(clk.t))
					clk.t = list[0].RunAt
				}
			}
			if g.calls() != 3 {
				t.Fatalf("gateway got %d calls, want 3", g.calls())
			}
			if delays[1] < delays[0] || delays[0] <= 0 {
				t.Errorf("retry delays %v do not back off", delays)
			}
			done, _ := jobs.List(ctx, d.R, notify.WebhookJob, jobs.StateDone, 10)
			if len(done) != 1 || done[0].Attempts != 3 {
				t.Fatalf("delivery job = %+v, want done after 3 attempts", done)
			}
			body, h := g.bodies[2], g.headers[2]
			if want := notify.Sign(secret, h.Get("X-Linli-Timestamp"), body); h.Get("X-Linli-Signature") != want {
				t.Errorf("signature %q, want %q", h.Get("X-Linli-Signature"), want)
			}
			var msg notify.Message
			if err := json.Unmarshal(body, &msg); err != nil {
				t.Fatal(err)
			}
			if msg.Recipient.Username != "grid01" || msg.Notification.URL != "https://linli.example.gov.cn/cases/42" ||
				msg.Delivery != done[0].ID {
				t.Errorf("message = %+v", msg)
			}
			if strings.Contains(string(body), "13912345678") {
				t.Errorf("raw phone number sent to the gateway: %s", body)
			}
		})
		t.Run("a gateway that rejects the request fails the delivery without retrying", func(t *testing.T) {
			g := &gateway{failures: 100, status: http.StatusBadRequest}
			r, _ := setup(t, g)
			send(t, d, f.Users["worker01"].UserID, notify.Notification{Title: "新任务"})
			r.RunDue(ctx)
			failed, _ := jobs.List(ctx, d.R, notify.WebhookJob, jobs.StateFailed, 10)
			if len(failed) != 1 || g.calls() != 1 || !strings.Contains(failed[0].LastError, "400") {
				t.Errorf("failed = %+v, calls %d", failed, g.calls())
			}
		})
	})
}

func TestATextGoesToTheGatewaySignedAndAtOnce(t *testing.T) {
	g := &gateway{failures: 1, status: http.StatusBadRequest}
	srv := httptest.NewServer(g)
	defer srv.Close()
	w := notify.NewWebhook(nil, notify.WebhookConfig{URL: srv.URL, Secret: "s3cret"})
	if err := w.SendText(context.Background(), "13900001111", "验证码123456"); err == nil {
		t.Fatal("a 400 from the gateway is an error")
	}
	if err := w.SendText(context.Background(), "13900001111", "验证码123456"); err != nil {
		t.Fatal(err)
	}
	var m notify.TextMessage
	if err := json.Unmarshal(g.bodies[1], &m); err != nil || m.Event != "sms" || m.Phone != "13900001111" || m.Text != "验证码123456" {
		t.Fatalf("body %s: %v", g.bodies[1], err)
	}
	h := g.headers[1]
	if want := notify.Sign("s3cret", h.Get("X-Linli-Timestamp"), g.bodies[1]); h.Get("X-Linli-Signature") != want || h.Get("X-Linli-Event") != "sms" {
		t.Fatalf("headers %v", h)
	}
	if err := notify.NewWebhook(nil, notify.WebhookConfig{}).SendText(context.Background(), "13900001111", "x"); err == nil {
		t.Fatal("no gateway configured is an error")
	}
}
