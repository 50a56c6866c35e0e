package workday

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
)

// Service keeps the calendar: everyone signed in may read it, admins with settings.manage
// (community admin and above) edit it, and every edit is audited. The calendar is one for the
// whole deployment — the State Council's notice holds nationwide.
type Service struct {
	d *db.DB
	// TTL is how long Calendar serves a cached copy (default 1 min); edits through this service
	// refresh it at once, edits by another process within TTL.
	TTL time.Duration

	mu     sync.Mutex
	cached *Calendar
	at     time.Time
}

// NewService returns the calendar service over d.
func NewService(d *db.DB) *Service { return &Service{d: d, TTL: time.Minute} }

// Calendar returns the current calendar, loading it at most once per TTL. Use it on hot paths
// (lists that show the time left on every row); Load reads the database every time.
func (s *Service) Calendar(ctx context.Context) (*Calendar, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && time.Since(s.at) < s.TTL {
		return s.cached, nil
	}
	cal, err := Load(ctx, s.d)
	if err != nil {
		return nil, err
	}
	s.cached, s.at = cal, time.Now()
	return cal, nil
}

func (s *Service) invalidate() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}

// Overview is the calendar as the settings page and the API show it.
type Overview struct {
	Years []YearCount `json:"years"`
	Year  int         `json:"year"`
	Items []Day       `json:"items"`
	Total int         `json:"total"`
	Hours string      `json:"working_hours"` // "08:30-12:00,14:30-18:00"
}

// Overview returns every year's counts and the days of year (the newest year when 0).
func (s *Service) Overview(ctx context.Context, year int) (*Overview, error) {
	if auth.FromContext(ctx) == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	cal, err := Load(ctx, s.d)
	if err != nil {
		return nil, err
	}
	all := cal.Days()
	o := &Overview{Years: countYears(all), Year: year, Items: []Day{}, Hours: cal.Hours().String()}
	if o.Year == 0 {
		o.Year = time.Now().In(clock.Shanghai()).Year()
	}
	for _, d := range all {
		if d.Year() == o.Year {
			o.Items = append(o.Items, d)
		}
	}
	o.Total = len(o.Items)
	return o, nil
}

func (s *Service) write(ctx context.Context, fn func(tx *db.Tx) error) error {
	p := auth.FromContext(ctx)
	if err := p.Require(auth.SettingsManage); err != nil {
		return err
	}
	if err := s.d.InTx(ctx, fn); err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// SaveDay adds a day to the calendar or changes it.
func (s *Service) SaveDay(ctx context.Context, d Day) error {
	if err := d.Normalize(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *db.Tx) error {
		old, err := getDay(ctx, tx, d.Date)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		if err := upsertDay(ctx, tx, d); err != nil {
			return err
		}
		var before any
		if old != nil {
			before = old
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "calendar.day_save", ObjectType: "workday_calendar",
			Detail: d.Date, Before: before, After: d})
	})
}

// DeleteDay removes a day, which then follows the Monday-to-Friday week again.
func (s *Service) DeleteDay(ctx context.Context, date string) error {
	return s.write(ctx, func(tx *db.Tx) error {
		old, err := getDay(ctx, tx, date)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM workday_calendar WHERE day = $1", date); err != nil {
			return fmt.Errorf("delete calendar day: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "calendar.day_delete", ObjectType: "workday_calendar",
			Detail: date, Before: old})
	})
}

// ImportYear replaces every day of year with days (the year's notice, as ParseCSV reads it); a day
// of another year is rejected. It returns how many days the year now holds.
func (s *Service) ImportYear(ctx context.Context, year int, days []Day) (int, error) {
	if year < 2000 || year > 2100 {
		return 0, errs.Field("year", "年份应在2000年至2100年之间")
	}
	if len(days) == 0 {
		return 0, errs.Field("file", "没有读到任何日期，请检查文件内容")
	}
	for i := range days {
		if err := days[i].Normalize(); err != nil {
			return 0, err
		}
		if days[i].Year() != year {
			return 0, errs.Field("file", fmt.Sprintf("%s 不属于 %d 年，请按年份分别导入", days[i].Date, year))
		}
	}
	err := s.write(ctx, func(tx *db.Tx) error {
		old, err := listDays(ctx, tx, year)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM workday_calendar WHERE day >= $1 AND day < $2",
			fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-01-01", year+1)); err != nil {
			return fmt.Errorf("replace calendar year: %w", err)
		}
		for _, d := range days {
			if err := upsertDay(ctx, tx, d); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "calendar.import", ObjectType: "workday_calendar",
			Detail: strconv.Itoa(year) + "年，共 " + strconv.Itoa(len(days)) + " 天", Before: old, After: days})
	})
	if err != nil {
		return 0, err
	}
	return len(days), nil
}

// SetHours changes the working hours every working-time limit is counted in.
func (s *Service) SetHours(ctx context.Context, raw string) error {
	h, err := ParseHours(raw)
	if err != nil {
		return errs.Field("hours", err.Error())
	}
	return s.write(ctx, func(tx *db.Tx) error {
		old, err := readHours(ctx, tx)
		if err != nil {
			return err
		}
		if err := setHours(ctx, tx, h); err != nil {
			return fmt.Errorf("save working hours: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "calendar.hours", ObjectType: "workday_calendar",
			Detail: h.String(), Before: old.String(), After: h.String()})
	})
}

// Warning is the notice an administrator of the calendar sees on every page while a year that
// deadlines need has no calendar data (see Calendar.MissingYear), with the page that imports it;
// ok is false when nothing is missing.
func (s *Service) Warning(ctx context.Context, now time.Time) (text, href string, ok bool) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return "", "", false
	}
	year := cal.MissingYear(now)
	if year == 0 {
		return "", "", false
	}
	return fmt.Sprintf("%d年工作日历尚未导入：涉及%d年的办理时限按周一至周五推算，页面标为“预计”。请按国务院办公厅发布的%d年节假日安排导入。", year, year, year),
		"/settings/calendar?year=" + strconv.Itoa(year), true
}
