package register_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/auth"
)

func TestGridAndBuildingPagesLinkToTheirPrintableQRCodes(t *testing.T) {
	env := apptest.New(t)
	f := env.Fixture
	f.AddUser(t, "leader01", auth.BuildingLeader, f.Grids[0])
	b := f.AddBuilding(t, f.Grids[0], "1号楼", 100.442, 38.925)
	for _, user := range []string{"admin", "worker01", "leader01"} {
		t.Run(user+" follows 打印二维码 from the grid and the building page", func(t *testing.T) {
			c := env.Login(t, user)
			for page, qr := range map[string]string{
				fmt.Sprintf("/grids/%d", f.Grids[0].ID): fmt.Sprintf("/grids/%d/qr", f.Grids[0].ID),
				fmt.Sprintf("/buildings/%d", b):         fmt.Sprintf("/buildings/%d/qr", b),
			} {
				if body := c.Get(page).Body; !strings.Contains(body, `<a href="`+qr+`">打印二维码</a>`) {
					t.Errorf("%s has no 打印二维码 link to %s", page, qr)
				}
				if resp := c.Get(qr); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, qr+".png") {
					t.Errorf("%s: status %d", qr, resp.StatusCode)
				}
			}
		})
	}
}
