package cases

import (
	"time"

	"linli/internal/auth"
	"linli/internal/errs"
)

// minorHidden stands for the reporter of a case about a minor, for a user the minors rule hides
// minors from.
const minorHidden = "（未成年人，已隐藏）"

// hideMinor applies the minors rule to a case read by p: when the resident the case concerns is
// under 18 and p may not see minors, the case names neither the resident nor the reporter (most
// often the child or a guardian speaking for them), shows no phone number and links to no
// resident. Cases are still listed, counted and handled: the request is the community's work.
func hideMinor(p *auth.Principal, c *Case, now time.Time) {
	if hidesMinorOf(p, c, now) {
		c.ResidentID, c.ReporterName, c.ReporterPhone = nil, minorHidden, ""
	}
}

// hidesMinorOf reports whether the case concerns a minor whom the minors rule hides from p.
func hidesMinorOf(p *auth.Principal, c *Case, now time.Time) bool {
	return c != nil && c.ResidentID != nil && p.HidesMinors() && auth.IsMinor(c.residentBorn, now)
}

// errMinorHidden refuses what would show a minor's data to a user the minors rule hides them from.
var errMinorHidden = errs.E(errs.Forbidden, "该案件涉及未成年人，查看其个人信息需要未成年人信息查看权限")
