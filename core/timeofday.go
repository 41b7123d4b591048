package core

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TimeOfDay is a time of day with microsecond precision, the Go value of a
// Time column (Django's TimeField): TIME on PostgreSQL, TIME(6) on MySQL
// and text on SQLite. It is written as "15:04:05.000000" (six digits of
// fraction always, so that SQLite compares and sorts the text as times) and
// read from that form, from PostgreSQL's and MySQL's, and from a time.Time
// (its clock).
type TimeOfDay struct {
	Hour, Minute, Second, Microsecond int
}

// TimeOfDayOf returns the time of day us microseconds after midnight.
func TimeOfDayOf(us int64) TimeOfDay {
	return TimeOfDay{Hour: int(us / 3600e6), Minute: int(us / 60e6 % 60), Second: int(us / 1e6 % 60), Microsecond: int(us % 1e6)}
}

// ParseTimeOfDay reads "15:04", "15:04:05" or "15:04:05.999999" (one to
// nine digits of fraction, rounded down to microseconds).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	bad := func() (TimeOfDay, error) {
		return TimeOfDay{}, fmt.Errorf("core: %q is not a time of day (want 15:04, 15:04:05 or 15:04:05.999999)", s)
	}
	clock, frac, hasFrac := strings.Cut(s, ".")
	parts := strings.Split(clock, ":")
	if len(parts) < 2 || len(parts) > 3 || (hasFrac && len(parts) != 3) {
		return bad()
	}
	var n [3]int
	limits := [3]int{23, 59, 59}
	for i, p := range parts {
		if len(p) != 2 {
			return bad()
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || v > limits[i] {
			return bad()
		}
		n[i] = v
	}
	t := TimeOfDay{Hour: n[0], Minute: n[1], Second: n[2]}
	if hasFrac {
		if frac == "" || len(frac) > 9 {
			return bad()
		}
		for _, r := range frac {
			if r < '0' || r > '9' {
				return bad()
			}
		}
		us, _ := strconv.Atoi((frac + "000000")[:6])
		t.Microsecond = us
	}
	return t, nil
}

// ClockOf returns the time of day of t, in t's location.
func ClockOf(t time.Time) TimeOfDay {
	return TimeOfDay{Hour: t.Hour(), Minute: t.Minute(), Second: t.Second(), Microsecond: t.Nanosecond() / 1000}
}

// Valid reports whether every field is in range.
func (t TimeOfDay) Valid() bool {
	return t.Hour >= 0 && t.Hour < 24 && t.Minute >= 0 && t.Minute < 60 && t.Second >= 0 && t.Second < 60 &&
		t.Microsecond >= 0 && t.Microsecond < 1e6
}

// String returns "15:04:05.000000".
func (t TimeOfDay) String() string {
	return fmt.Sprintf("%02d:%02d:%02d.%06d", t.Hour, t.Minute, t.Second, t.Microsecond)
}

// Value implements driver.Valuer: the text "15:04:05.000000". A field out of
// range is an error.
func (t TimeOfDay) Value() (driver.Value, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("core: %+v is not a time of day", t)
	}
	return t.String(), nil
}

// Scan implements sql.Scanner: from text (any form ParseTimeOfDay reads)
// or a time.Time.
func (t *TimeOfDay) Scan(src any) error {
	switch x := src.(type) {
	case string:
		v, err := ParseTimeOfDay(x)
		if err != nil {
			return err
		}
		*t = v
		return nil
	case []byte:
		return t.Scan(string(x))
	case time.Time:
		*t = ClockOf(x)
		return nil
	}
	return fmt.Errorf("core: cannot scan %T into a TimeOfDay", src)
}
