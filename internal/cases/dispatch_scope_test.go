package cases

import (
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

// Issue 11 M5: a case is dispatched only to people within the dispatcher's scope, and a refused
// id tells nothing about whom it belongs to.
func TestACaseIsDispatchedOnlyToUsersInTheDispatchersScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.intake("楼道灯不亮", "三单元楼道灯坏了一周")
		w.do("admin", c.ID, ActAccept, ActionInput{})
		// other is the community admin of 北关: a user of the deployment, outside 南关's scope.
		outside := w.f.Users["other"]
		msg := w.refuse("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "user", UserID: outside.UserID}}, errs.Invalid)
		if strings.Contains(msg, outside.Name) || strings.Contains(msg, outside.Role.Label()) {
			t.Fatalf("the refusal names the out-of-scope user: %q", msg)
		}
		unknown := w.refuse("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "user", UserID: 987654}}, errs.Invalid)
		if unknown != msg {
			t.Fatalf("an out-of-scope user (%q) is told apart from a missing one (%q)", msg, unknown)
		}
		// The same as an assisting target.
		w.refuse("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.Grids[0].ID},
			Assist: []Target{{Kind: "user", UserID: outside.UserID}}}, errs.Invalid)
		// Within scope it goes through, and the grid leader can sign.
		c = w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "user", UserID: w.f.Users["grid01"].UserID}})
		w.do("grid01", c.ID, ActSign, ActionInput{})
		// A street admin covers both communities, so for them 北关's admin is in scope.
		c2 := w.intake("垃圾未清运", "小区门口垃圾三天未清运")
		w.do("street", c2.ID, ActAccept, ActionInput{})
		w.do("street", c2.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "user", UserID: outside.UserID}})
	})
}
