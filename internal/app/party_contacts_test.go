package app_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"linli/internal/apptest"
)

func TestBranchPageShowsThisMonthsLiaisonContacts(t *testing.T) {
	env := apptest.NewDemo(t)
	var orgID, liaisonID int64
	var covered int
	err := env.DB().R.QueryRow(`SELECT l.org_id, l.id, (SELECT COUNT(*) FROM liaison_covers c WHERE c.liaison_id = l.id)
		FROM liaison_households l JOIN grids g ON g.id = (SELECT grid_id FROM party_orgs WHERE id = l.org_id)
		JOIN regions r ON r.id = g.id WHERE r.code LIKE '%01' ORDER BY l.id LIMIT 1`).Scan(&orgID, &liaisonID, &covered)
	if err != nil {
		t.Fatal(err)
	}
	page := env.Login(t, "grid01").Get(fmt.Sprintf("/party/orgs/%d", orgID))
	if page.StatusCode != 200 || !strings.Contains(page.Body, "本月已联系") {
		t.Fatalf("branch page %d lacks the contacts column", page.StatusCode)
	}
	var api struct {
		Items []struct {
			LiaisonID int64 `json:"liaison_id"`
			Covered   int   `json:"covered"`
			Contacted int   `json:"contacted"`
		} `json:"items"`
	}
	env.APIClient(t, "grid01").JSON("GET", fmt.Sprintf("/api/v1/contacts/coverage?org=%d", orgID), nil).Decode(t, &api)
	for _, c := range api.Items {
		if c.LiaisonID != liaisonID {
			continue
		}
		want := fmt.Sprintf(`<a href="/visits/contacts?org=%d">%d / %d（`, orgID, c.Contacted, c.Covered)
		if !strings.Contains(page.Body, want) {
			t.Fatalf("branch page should show %q for liaison %d (covers %d); page row: %s", want, liaisonID, covered,
				regexp.MustCompile(fmt.Sprintf(`(?s)/party/liaison/%d".{0,400}`, liaisonID)).FindString(page.Body))
		}
		return
	}
	t.Fatalf("the contacts API has no row for liaison household %d", liaisonID)
}
