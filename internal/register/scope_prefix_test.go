package register_test

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/register"
)

// TestAScopeIsASubtreeNotAPathPrefix: 南关社区 is region 3 (/1/2/3/); 西关社区 is region 30 with grid
// 31 (/1/2/30/, /1/2/30/31/). Their paths start with "/1/2/3", so a scope matched without its
// trailing "/" would hand 南关's staff 西关's register.
func TestAScopeIsASubtreeNotAPathPrefix(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		_, xiGrid := w.f.PrefixNeighbour(t)
		xiBuilding := w.f.AddBuilding(t, xiGrid, "西关1号楼", 100.4300, 38.9400)
		xiHousehold := w.f.AddHousehold(t, xiBuilding, "1", "101")
		xi, err := w.svc.CreateResident(w.f.Ctx("admin30"), adult("西关居民", xiHousehold))
		if err != nil {
			t.Fatal(err)
		}
		w.f.AddResident(t, adult("南关居民", w.h1))
		nanguan := w.f.Ctx("admin")

		t.Run("the resident list of 南关's admin holds 南关's residents only", func(t *testing.T) {
			list, total, err := w.svc.Residents(nanguan, register.ResidentFilter{})
			if err != nil || total != 1 || len(list) != 1 || list[0].Name != "南关居民" {
				t.Fatalf("Residents = %d %v %v, want 南关居民 alone", total, names(list), err)
			}
		})
		t.Run("a search by name does not reach across", func(t *testing.T) {
			_, total, err := w.svc.Residents(nanguan, register.ResidentFilter{Q: "西关居民"})
			if err != nil || total != 0 {
				t.Fatalf("search 西关居民 = %d, %v; want nothing", total, err)
			}
		})
		t.Run("西关's resident is not found by id", func(t *testing.T) {
			if _, err := w.svc.Resident(nanguan, xi.ID); !errs.Is(err, errs.NotFound) {
				t.Fatalf("Resident(西关) = %v, want not found", err)
			}
		})
		t.Run("households and buildings stay in the subtree too", func(t *testing.T) {
			if _, total, err := w.svc.Households(nanguan, register.HouseholdFilter{}); err != nil || total != 2 {
				t.Fatalf("Households = %d, %v; want 南关's 2", total, err)
			}
			if _, total, err := w.svc.Buildings(nanguan, register.BuildingFilter{}); err != nil || total != 2 {
				t.Fatalf("Buildings = %d, %v; want 南关's 2", total, err)
			}
			if _, err := w.svc.Household(nanguan, xiHousehold); !errs.Is(err, errs.NotFound) {
				t.Fatalf("Household(西关) = %v, want not found", err)
			}
		})
		t.Run("西关's admin sees 西关's resident and not 南关's", func(t *testing.T) {
			list, total, err := w.svc.Residents(w.f.Ctx("admin30"), register.ResidentFilter{})
			if err != nil || total != 1 || list[0].ID != xi.ID {
				t.Fatalf("Residents as admin30 = %d %v %v", total, names(list), err)
			}
		})
	})
}

func names(list []register.Resident) []string {
	out := make([]string, len(list))
	for i, r := range list {
		out[i] = r.Name
	}
	return out
}
