package workday

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/db"
	"linli/internal/errs"
)

// seedCSV is the State Council's holiday notices for 2024–2026 (public fact data), in the format
// ParseCSV reads and the import form accepts.
//
//go:embed cn-workday-calendar.csv
var seedCSV []byte

// Settings keys kept in the settings table.
const (
	hoursKey = "workday.hours" // working hours as "08:30-12:00,14:30-18:00"
)

// Seed returns the calendar days shipped with Linli (2024–2026). Migration 0011 writes the same
// rows into a new database.
func Seed() []Day {
	days, err := ParseCSV(bytes.NewReader(seedCSV))
	if err != nil {
		panic("workday: embedded calendar: " + err.Error())
	}
	return days
}

// SeedCalendar returns a calendar of the shipped days with the default working hours, for tests
// and tools that have no database.
func SeedCalendar() *Calendar { return New(Seed(), DefaultHours()) }

// ParseCSV reads calendar days as "date,kind,name" lines: lines starting with '#' and a header line
// starting with "date" are skipped. Every line is validated; the error names the first bad line.
func ParseCSV(r io.Reader) ([]Day, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var days []Day
	seen := map[string]bool{}
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errs.E(errs.Invalid, "CSV 格式有误：%v", err)
		}
		if len(rec) == 0 || (len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
			continue
		}
		first := strings.TrimPrefix(strings.TrimSpace(rec[0]), "\ufeff")
		if strings.EqualFold(first, "date") || first == "日期" {
			continue
		}
		if len(rec) < 2 {
			return nil, errs.E(errs.Invalid, "第 %d 行应为“日期,类型,名称”", line)
		}
		d := Day{Date: first, Kind: strings.TrimSpace(rec[1])}
		if len(rec) > 2 {
			d.Name = strings.TrimSpace(rec[2])
		}
		switch d.Kind {
		case "休息", "放假", "节假日":
			d.Kind = Holiday
		case "上班", "调休上班", "补班":
			d.Kind = Workday
		}
		if err := d.Normalize(); err != nil {
			return nil, errs.E(errs.Invalid, "第 %d 行：%s", line, errs.MessageOf(err))
		}
		if seen[d.Date] {
			return nil, errs.E(errs.Invalid, "第 %d 行：日期 %s 重复", line, d.Date)
		}
		seen[d.Date] = true
		days = append(days, d)
	}
	return days, nil
}

// Normalize validates a day and fills in a default name: the date must be a real YYYY-MM-DD
// date, the kind holiday or workday, and a make-up working day must fall on a weekend.
func (d *Day) Normalize() error {
	d.Date = strings.TrimSpace(d.Date)
	d.Name = strings.TrimSpace(d.Name)
	t, err := time.Parse(time.DateOnly, d.Date)
	if err != nil {
		return errs.Field("date", "日期格式应为 2025-10-01")
	}
	if t.Year() < 2000 || t.Year() > 2100 {
		return errs.Field("date", "日期应在2000年至2100年之间")
	}
	switch d.Kind {
	case Holiday:
		if d.Name == "" {
			d.Name = "休息日"
		}
	case Workday:
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return errs.Field("kind", "调休上班日应为周六或周日，周一至周五本就是工作日")
		}
		if d.Name == "" {
			d.Name = "调休上班"
		}
	default:
		return errs.Field("kind", "类型应为“放假”（holiday）或“调休上班”（workday）")
	}
	if utf8.RuneCountInString(d.Name) > 30 {
		return errs.Field("name", "名称不能超过30个字")
	}
	return nil
}

// Year is the year of the day's date.
func (d Day) Year() int {
	t, _ := time.Parse(time.DateOnly, d.Date)
	return t.Year()
}

// KindLabel is the kind in Chinese: 放假 or 调休上班.
func (d Day) KindLabel() string {
	if d.Kind == Workday {
		return "调休上班"
	}
	return "放假"
}

// Weekday is the day of the week in Chinese: 周一 … 周日.
func (d Day) Weekday() string {
	t, err := time.Parse(time.DateOnly, d.Date)
	if err != nil {
		return ""
	}
	return [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}[t.Weekday()]
}

// Load reads the calendar and working hours from the database; it never writes (the shipped
// calendar is seeded by migration).
func Load(ctx context.Context, d *db.DB) (*Calendar, error) {
	days, err := listDays(ctx, d.R, 0)
	if err != nil {
		return nil, err
	}
	hours, err := readHours(ctx, d.R)
	if err != nil {
		return nil, err
	}
	return New(days, hours), nil
}

// readHours returns the configured working hours, or DefaultHours when none are set.
func readHours(ctx context.Context, q db.Querier) (WorkingHours, error) {
	var raw string
	err := q.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", hoursKey).Scan(&raw)
	switch {
	case err == nil:
		if h, perr := ParseHours(raw); perr == nil {
			return h, nil
		}
	case !errors.Is(err, sql.ErrNoRows):
		return WorkingHours{}, fmt.Errorf("load working hours: %w", err)
	}
	return DefaultHours(), nil
}

// listDays returns the calendar's days of one year, or of every year when year is 0.
func listDays(ctx context.Context, q db.Querier, year int) ([]Day, error) {
	query := "SELECT day, kind, name FROM workday_calendar"
	var args []any
	if year != 0 {
		query += " WHERE day >= $1 AND day < $2"
		args = append(args, fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-01-01", year+1))
	}
	rows, err := q.QueryContext(ctx, query+" ORDER BY day", args...)
	if err != nil {
		return nil, fmt.Errorf("list calendar days: %w", err)
	}
	defer rows.Close()
	days := []Day{}
	for rows.Next() {
		var d Day
		if err := rows.Scan(&d.Date, &d.Kind, &d.Name); err != nil {
			return nil, err
		}
		days = append(days, d)
	}
	return days, rows.Err()
}

func getDay(ctx context.Context, q db.Querier, date string) (*Day, error) {
	var d Day
	err := q.QueryRowContext(ctx, "SELECT day, kind, name FROM workday_calendar WHERE day = $1", date).
		Scan(&d.Date, &d.Kind, &d.Name)
	if err != nil {
		return nil, db.NotFound(err, "日历中没有这一天")
	}
	return &d, nil
}

func upsertDay(ctx context.Context, q db.Querier, d Day) error {
	_, err := q.ExecContext(ctx, `INSERT INTO workday_calendar (day, kind, name, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, updated_at = excluded.updated_at`,
		d.Date, d.Kind, d.Name, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("save calendar day %s: %w", d.Date, err)
	}
	return nil
}

func setHours(ctx context.Context, q db.Querier, h WorkingHours) error {
	_, err := q.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		hoursKey, h.String(), time.Now().UTC())
	return err
}

// YearCount is one year of the calendar and how many days of each kind it holds.
type YearCount struct {
	Year     int `json:"year"`
	Holidays int `json:"holidays"`
	Workdays int `json:"workdays"`
}

func countYears(days []Day) []YearCount {
	var out []YearCount
	for _, d := range days {
		y := d.Year()
		if len(out) == 0 || out[len(out)-1].Year != y {
			out = append(out, YearCount{Year: y})
		}
		if d.Kind == Workday {
			out[len(out)-1].Workdays++
		} else {
			out[len(out)-1].Holidays++
		}
	}
	return out
}
