package gen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"linli/internal/clock"
)

// careTags are the tags whose residents grid workers visit on a cadence.
var careTags = map[string]bool{"elderly_alone": true, "empty_nest": true, "disabled_care": true, "dibao": true,
	"left_behind_child": true, "child_in_distress": true, "disability": true}

// visits writes the last twelve months of the grid workers' home visits to households with a
// care-tagged resident, about every one to two months, and each visited resident's last visit.
func (c *city) visits(cm *community, households []household, rng *rand.Rand) {
	o := c.out
	from := c.opt.Until.AddDate(-1, 0, 0)
	if from.Before(c.start) {
		from = c.start
	}
	worker := map[int64]int64{}
	for _, g := range cm.grids {
		worker[g.id] = g.worker
	}
	for hi := range households {
		h := &households[hi]
		var met []int64
		for _, r := range h.residents {
			for _, t := range r.p.Tags {
				if careTags[t.Code] {
					met = append(met, r.id)
					break
				}
			}
		}
		if len(met) == 0 {
			continue
		}
		day := from.AddDate(0, 0, rng.IntN(40))
		last := ""
		for !day.After(c.opt.Until) {
			id := c.id("visits")
			on := day.Format("2006-01-02")
			method := "home"
			if rng.Float64() < 0.2 {
				method = "phone"
			}
			at := time.Date(day.Year(), day.Month(), day.Day(), 9+rng.IntN(8), rng.IntN(60), 0, 0, clock.Shanghai()).UTC()
			o.row("visits", id, fmt.Sprintf("gen-%d-%016x", id, rng.Uint64()), "visit", h.grid, h.id, method, on,
				situationsOK[rng.IntN(len(situationsOK))], needs[rng.IntN(len(needs))], worker[h.grid], at)
			for _, r := range met {
				o.row("visit_residents", id, r)
			}
			last = on
			day = day.AddDate(0, 0, 30+rng.IntN(45))
		}
		if last != "" {
			for _, r := range met {
				o.row("care_last_visits", r, last)
			}
		}
	}
}
