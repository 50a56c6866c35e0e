package activities

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Calendar writes an iCalendar stream (RFC 5545): CRLF line ends, content lines folded at 75
// octets without splitting a character, text values escaped, times in UTC.
type Calendar struct {
	b strings.Builder
}

// NewCalendar starts a calendar with the given name.
func NewCalendar(name string) *Calendar {
	c := &Calendar{}
	c.line("BEGIN:VCALENDAR")
	c.line("VERSION:2.0")
	c.line("PRODID:-//Linli//Activities//ZH")
	c.line("CALSCALE:GREGORIAN")
	c.line("X-WR-CALNAME:" + escapeText(name))
	c.line("X-WR-TIMEZONE:Asia/Shanghai")
	return c
}

// Event is one VEVENT.
type Event struct {
	UID         string
	Start, End  time.Time
	Summary     string
	Location    string
	Description string
	URL         string
}

// Add appends an event stamped at now.
func (c *Calendar) Add(e Event, now time.Time) {
	c.line("BEGIN:VEVENT")
	c.line("UID:" + e.UID)
	c.line("DTSTAMP:" + icalTime(now))
	c.line("DTSTART:" + icalTime(e.Start))
	c.line("DTEND:" + icalTime(e.End))
	c.line("SUMMARY:" + escapeText(e.Summary))
	if e.Location != "" {
		c.line("LOCATION:" + escapeText(e.Location))
	}
	if e.Description != "" {
		c.line("DESCRIPTION:" + escapeText(e.Description))
	}
	if e.URL != "" {
		c.line("URL:" + e.URL)
	}
	c.line("END:VEVENT")
}

// String ends the calendar and returns it.
func (c *Calendar) String() string {
	c.line("END:VCALENDAR")
	return c.b.String()
}

// line writes one content line, folded: a line longer than 75 octets continues on the next line
// after CRLF and a space.
func (c *Calendar) line(s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		c.b.WriteString(s[:cut])
		c.b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	c.b.WriteString(s)
	c.b.WriteString("\r\n")
}

func icalTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

var textEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`)

func escapeText(s string) string { return textEscaper.Replace(s) }

func writeICS(w http.ResponseWriter, name, body string) {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", name))
	_, _ = w.Write([]byte(body))
}

// venueICS is the feed of a room's bookings from 30 days back to 180 ahead, without who booked.
func (h *Handlers) venueICS(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "id")
	if !ok {
		return
	}
	v, err := h.svc.PublicVenue(r.Context(), id[0])
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	now := h.svc.Now()
	bs, err := h.svc.TakenSlots(r.Context(), v.ID, now.AddDate(0, 0, -30), now.AddDate(0, 0, 180))
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	host := h.host(r)
	c := NewCalendar(v.Name + "预约")
	for _, b := range bs {
		c.Add(Event{UID: fmt.Sprintf("booking-%d@%s", b.ID, host), Start: b.StartsAt, End: b.EndsAt, Summary: b.Purpose,
			Location: v.Name}, now)
	}
	writeICS(w, "venue.ics", c.String())
}

// activitiesICS is the feed of the public activities ahead.
func (h *Handlers) activitiesICS(w http.ResponseWriter, r *http.Request) {
	items, _, err := h.svc.PublicActivities(r.Context(), Filter{Upcoming: true, Limit: 500})
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	host, now := h.host(r), h.svc.Now()
	c := NewCalendar("社区活动")
	for _, a := range items {
		c.Add(Event{UID: fmt.Sprintf("activity-%d@%s", a.ID, host), Start: a.StartsAt, End: a.EndsAt, Summary: a.Title,
			Location: a.Place, Description: a.Description, URL: h.baseURL(r) + fmt.Sprintf("/public/activities/%d", a.ID)}, now)
	}
	writeICS(w, "activities.ics", c.String())
}

// host names the deployment in UIDs, so they stay unique across calendars.
func (h *Handlers) host(r *http.Request) string {
	if r.Host == "" {
		return "linli"
	}
	return r.Host
}
