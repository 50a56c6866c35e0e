package activities

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

func TestTheDayBeforeTheOrganiserAndTheStaffWhoSignedUpAreReminded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-10-08 10:00")
		var job []byte
		var runAt time.Time
		notified := map[int64]Notice{}
		w.svc.opts.Enqueue = func(_ context.Context, _ db.Querier, kind, _ string, payload any, at time.Time) error {
			job, _ = json.Marshal(payload)
			runAt = at
			return nil
		}
		w.svc.opts.Notify = func(_ context.Context, _ db.Querier, user int64, n Notice) error {
			notified[user] = n
			return nil
		}
		a := w.activity(ActivityInput{StartsAt: at(t, "2024-10-11 09:00"), EndsAt: at(t, "2024-10-11 11:00")})
		if !runAt.Equal(at(t, "2024-10-10 09:00")) {
			t.Fatalf("reminder set for %v", runAt)
		}
		_, err := w.svc.SignUp(w.f.Ctx("worker01"), SignUpInput{ActivityID: a.ID, ResidentID: w.elder})
		w.must(err)
		w.must(w.svc.RunReminder(t.Context(), job))
		admin, worker := w.f.Users["admin"].UserID, w.f.Users["worker01"].UserID
		if len(notified) != 2 || notified[admin].Title == "" || !strings.Contains(notified[worker].Body, "已报名1人") {
			t.Errorf("notified %+v", notified)
		}
	})
}
