package app_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/db/dbtest"
	"linli/internal/register"
)

// Issue 11 M3, every channel: a minor is seeded into the register, a case, the audit log and a
// focus group; a grid worker and the auditor (neither holds minors.read) read each channel —
// pages, API, exports, search, counts — and the minor's name is in none of them, while the
// community admin (who holds it) sees it, so that each check can fail.
func TestMinorsReachOnlyUsersWithMinorsRead(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { minorsEverywhere(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) {
		if dbtest.PostgresURL() == "" {
			t.Skip("LINLI_TEST_POSTGRES not set")
		}
		minorsEverywhere(t, apptest.NewWithDB(t, dbtest.PostgresSchema(t)))
	})
}

const minorName, adultName = "李小萌", "李建国"

func minorsEverywhere(t *testing.T, env *apptest.Env) {
	f := env.Fixture
	b := f.AddBuilding(t, f.Grids[0], "南关小区7号楼", 100.45, 38.93)
	hh := f.AddHousehold(t, b, "1", "302")
	adult := f.AddResident(t, register.ResidentInput{HouseholdID: hh, Name: adultName, BirthDate: "1980-05-06",
		Relation: "户主", Tags: []string{string(register.TagDisabledCare)}})
	minor := f.AddResident(t, register.ResidentInput{HouseholdID: hh, Name: minorName, BirthDate: "2015-03-02",
		Relation: "女儿", Tags: []string{string(register.TagDisabledCare)}})

	var category int64
	if err := env.DB().R.QueryRow(`SELECT id FROM case_categories WHERE code = 'dispute.leak'`).Scan(&category); err != nil {
		t.Fatal(err)
	}
	admin := env.APIClient(t, "admin")
	intake := func(resident int64, reporter string) int64 {
		r := admin.JSON("POST", "/api/v1/cases", map[string]any{"channel": "phone", "category_id": category,
			"description": "家中卫生间漏水到楼下", "grid_id": f.Grids[0].ID, "household_id": hh, "resident_id": resident,
			"reporter_name": reporter, "reporter_phone": "13912345678"})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("intake: %d %s", r.StatusCode, r.Body)
		}
		var c struct{ ID int64 }
		r.Decode(t, &c)
		return c.ID
	}
	minorCase, adultCase := intake(minor, minorName), intake(adult, adultName)

	worker, workerAPI := env.Login(t, "worker01"), env.APIClient(t, "worker01")
	auditor, auditorAPI := env.Login(t, "auditor"), env.APIClient(t, "auditor")
	adminPage := env.Login(t, "admin")
	channels := []struct {
		name       string
		who        *apptest.Client // without minors.read
		path       string
		xlsx       bool
		adultNamed bool // the same channel names the adult: the rule hides the minor, not everything
	}{
		{"the case page", worker, fmt.Sprintf("/cases/%d", minorCase), false, false},
		{"the case in the API", workerAPI, fmt.Sprintf("/api/v1/cases/%d", minorCase), false, false},
		{"the case list in the API", workerAPI, "/api/v1/cases?limit=100", false, true},
		{"the case list page", worker, "/cases", false, false},
		{"the case search", workerAPI, "/api/v1/cases?q=" + "漏水", false, true},
		{"the case export", worker, "/cases/export.xlsx", true, true},
		{"the resident search", workerAPI, "/api/v1/residents?q=" + "李", false, true},
		{"the household page", worker, fmt.Sprintf("/households/%d", hh), false, true},
		{"the activities reach list", worker, "/activities/figures/reach?tag=" + string(register.TagDisabledCare), false, true},
		{"the audit list", auditorAPI, "/api/v1/audit?limit=200", false, true},
		{"the audit list page", auditor, "/audit", false, false},
		{"the audit export", auditor, "/audit/export.csv", false, true},
	}
	for _, ch := range channels {
		body := body(t, ch.who, ch.path, ch.xlsx)
		if strings.Contains(body, minorName) {
			t.Errorf("%s (%s) names the minor to a user without minors.read", ch.name, ch.path)
		}
		if ch.adultNamed && !strings.Contains(body, adultName) {
			t.Errorf("%s (%s) does not name the adult either: the check proves nothing", ch.name, ch.path)
		}
		if strings.Contains(body, "13912345678") {
			t.Errorf("%s (%s) shows a raw phone number", ch.name, ch.path)
		}
	}
	// Each audit entry about the minor (the resident's registration, the case's intake) is shown
	// without its content to the auditor, while the community admin's own pages name the minor.
	var entries []int64
	rows, err := env.DB().R.Query(`SELECT id FROM audit_log WHERE (object_type = 'resident' AND object_id = $1)
		OR (object_type = 'case' AND object_id = $2)`, fmt.Sprint(minor), fmt.Sprint(minorCase))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		entries = append(entries, id)
	}
	rows.Close()
	if len(entries) < 2 {
		t.Fatalf("%d audit entries about the minor; the test proves nothing", len(entries))
	}
	for _, id := range entries {
		for _, p := range []string{fmt.Sprintf("/audit/%d", id)} {
			if b := body(t, auditor, p, false); strings.Contains(b, minorName) {
				t.Errorf("audit entry %d names the minor to the auditor", id)
			}
		}
		if b := body(t, auditorAPI, fmt.Sprintf("/api/v1/audit/%d", id), false); strings.Contains(b, minorName) {
			t.Errorf("audit entry %d in the API names the minor to the auditor", id)
		}
	}
	if b := body(t, adminPage, fmt.Sprintf("/cases/%d", minorCase), false); !strings.Contains(b, minorName) {
		t.Error("the community admin, who holds minors.read, does not see the minor on the case page: the test proves nothing")
	}
	if b := body(t, adminPage, fmt.Sprintf("/cases/%d", adultCase), false); !strings.Contains(b, adultName) {
		t.Error("the adult's case page does not name the adult")
	}
	// Counts agree with the lists: the grid's and the household's resident counts leave the minor out.
	var adults int
	for _, p := range []string{fmt.Sprintf("/api/v1/households/%d", hh)} {
		var h struct {
			Residents int `json:"resident_count"`
		}
		if r := workerAPI.Get(p); r.StatusCode == http.StatusOK {
			r.Decode(t, &h)
			adults = h.Residents
		}
	}
	if adults > 1 {
		t.Errorf("the household counts %d residents for the grid worker; the minor is counted", adults)
	}
	// A writer without minors.read cannot attach the minor to a new case by id.
	r := workerAPI.JSON("POST", "/api/v1/cases", map[string]any{"channel": "phone", "category_id": category,
		"description": "楼道堆放杂物", "address": "南关小区7号楼1单元", "grid_id": f.Grids[0].ID, "resident_id": minor})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "resident_id") {
		t.Errorf("a grid worker attached the minor to a case: %d %s", r.StatusCode, r.Body)
	}
	// Nor reveal the reporter's phone of the minor's case.
	reveal := func(c *apptest.Client, id int64) *apptest.Response {
		return c.PostForm(fmt.Sprintf("/cases/%d/reveal-phone", id), map[string][]string{"purpose": {"电话回访核实"},
			"reason": {"联系反映人核实漏水情况"}})
	}
	if r := reveal(worker, minorCase); strings.Contains(r.Body, "13912345678") || r.StatusCode != http.StatusForbidden {
		t.Errorf("the grid worker's reveal of the phone number on the minor's case: %d", r.StatusCode)
	}
	if r := reveal(worker, adultCase); !strings.Contains(r.Body, "13912345678") {
		t.Errorf("the grid worker cannot reveal the adult's number either (%d): the check proves nothing", r.StatusCode)
	}
}

// body reads a path as c; an .xlsx answer is turned into the text of its sheets.
func body(t *testing.T, c *apptest.Client, path string, xlsx bool) string {
	t.Helper()
	r := c.Get(path)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", path, r.StatusCode, r.Body)
	}
	if !xlsx {
		return r.Body
	}
	z, err := zip.NewReader(bytes.NewReader([]byte(r.Body)), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/") {
			rc, _ := f.Open()
			data, _ := io.ReadAll(rc)
			rc.Close()
			all.Write(data)
		}
	}
	return all.String()
}
