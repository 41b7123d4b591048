package core_test

import (
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
)

func TestParseTimeOfDay(t *testing.T) {
	for _, c := range []struct {
		in   string
		want core.TimeOfDay
		ok   bool
	}{
		{"15:04", core.TimeOfDay{Hour: 15, Minute: 4}, true},
		{"15:04:05", core.TimeOfDay{Hour: 15, Minute: 4, Second: 5}, true},
		{"15:04:05.5", core.TimeOfDay{Hour: 15, Minute: 4, Second: 5, Microsecond: 500000}, true},
		{"23:59:59.999999999", core.TimeOfDay{Hour: 23, Minute: 59, Second: 59, Microsecond: 999999}, true},
		{"00:00:00.000000", core.TimeOfDay{}, true},
		{"24:00", core.TimeOfDay{}, false},
		{"9:30", core.TimeOfDay{}, false},
		{"12:60", core.TimeOfDay{}, false},
		{"12:30.5", core.TimeOfDay{}, false},
		{"12:30:00.", core.TimeOfDay{}, false},
		{"12:30:00.x", core.TimeOfDay{}, false},
		{"", core.TimeOfDay{}, false},
	} {
		got, err := core.ParseTimeOfDay(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseTimeOfDay(%q) = %v, %v", c.in, got, err)
		}
	}
	if s := (core.TimeOfDay{Hour: 9, Minute: 5, Second: 7, Microsecond: 42}).String(); s != "09:05:07.000042" {
		t.Errorf("String = %q", s)
	}
	if _, err := (core.TimeOfDay{Hour: 24}).Value(); err == nil {
		t.Error("Value of hour 24: no error")
	}
	var c core.TimeOfDay
	if err := c.Scan([]byte("12:30:00")); err != nil || c != (core.TimeOfDay{Hour: 12, Minute: 30}) {
		t.Errorf("Scan = %v, %v", c, err)
	}
	if err := c.Scan(time.Date(2000, 1, 1, 1, 2, 3, 4000, time.UTC)); err != nil || c != (core.TimeOfDay{1, 2, 3, 4}) {
		t.Errorf("Scan time = %v, %v", c, err)
	}
	if got := core.TimeOfDayOf(3723000004); got != (core.TimeOfDay{1, 2, 3, 4}) {
		t.Errorf("TimeOfDayOf = %v", got)
	}
}
