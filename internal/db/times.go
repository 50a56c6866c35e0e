package db

import (
	"fmt"
	"time"
)

// TimeText is the SQL that reads the TIMESTAMP column col for Time or NullTime: as text on SQLite,
// as it is on PostgreSQL. SQLite's driver parses every value of a TIMESTAMP column with time.Parse,
// first against a layout that never matches what it writes (an error built and thrown away), then
// against the right one — a fifth of an export's CPU for a case's dozen instants. A cast is an
// expression, which has no declared type, so the driver hands over the text, which Time parses
// by hand.
func (d Dialect) TimeText(col string) string {
	if d == SQLite {
		return "CAST(" + col + " AS TEXT)"
	}
	return col
}

// Time scans a NOT NULL TIMESTAMP column read through TimeText into *T, in UTC.
type Time struct{ T *time.Time }

// Scan implements sql.Scanner.
func (t Time) Scan(src any) error {
	v, ok, err := scanTime(src)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("db: NULL in a NOT NULL time column")
	}
	*t.T = v
	return nil
}

// NullTime scans a TIMESTAMP column read through TimeText into *T: nil for NULL, else the instant
// in UTC.
type NullTime struct{ T **time.Time }

// Scan implements sql.Scanner.
func (t NullTime) Scan(src any) error {
	v, ok, err := scanTime(src)
	if err != nil || !ok {
		*t.T = nil
		return err
	}
	*t.T = &v
	return nil
}

func scanTime(src any) (time.Time, bool, error) {
	switch v := src.(type) {
	case nil:
		return time.Time{}, false, nil
	case time.Time:
		return v.UTC(), true, nil
	case string:
		t, err := ParseTime(v)
		return t, err == nil, err
	case []byte:
		t, err := ParseTime(string(v))
		return t, err == nil, err
	}
	return time.Time{}, false, fmt.Errorf("db: cannot scan %T into a time", src)
}

// timeLayouts are the texts an instant may be stored as on SQLite, as its driver reads them: what
// it writes (_time_format=sqlite, the first), then the others it accepts.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01-02 15:04:05.999999999 -0700 MST",
}

// ParseTime reads an instant as SQLite stores it, in UTC: "2006-01-02 15:04:05.999999999-07:00"
// (a 'T' for the space, the fraction, the offset or "Z" optional) by hand, any other of the
// driver's layouts (timeLayouts) with time.Parse.
func ParseTime(s string) (time.Time, error) {
	if t, ok := parseISOTime(s); ok {
		return t, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("db: unreadable time %q", s)
}

// parseISOTime parses "YYYY-MM-DD HH:MM:SS[.fraction][Z|±hh:mm]" (or a 'T' for the space); ok is
// false for anything else, which ParseTime then tries with time.Parse.
func parseISOTime(s string) (time.Time, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day, hour, minute, sec := num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)
	if year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
		sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if i < len(s) && s[i] == '.' {
		i++
		digits := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if digits < 9 {
				nsec = nsec*10 + int(s[i]-'0')
				digits++
			}
			i++
		}
		if digits == 0 {
			return time.Time{}, false
		}
		for ; digits < 9; digits++ {
			nsec *= 10
		}
	}
	offset := 0
	switch rest := s[i:]; {
	case rest == "" || rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, om := num(i+1, 2), num(i+4, 2)
		if oh < 0 || om < 0 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 31 February and the like: time.Parse refuses them
		return time.Time{}, false
	}
	return t.Add(-time.Duration(offset) * time.Second), true
}
