package core

import (
	"net/url"
	"testing"
)

// The URL's common options become each driver's own settings.
func TestPostgresConnString(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{"postgres://u:p%40ss@h:5433/db?ssl=false&application_name=api&max_size=3",
			"postgres://u:p%40ss@h:5433/db?application_name=api&sslmode=disable"},
		{"postgres://u@h/db?ssl=true", "postgres://u@h/db?sslmode=require"},
		{"postgres://u@h/db?ssl=verify-full", "postgres://u@h/db?sslmode=verify-full"},
		{"postgres://u@/db?unix_socket=/var/run/postgresql", "postgres://u@/db?host=%2Fvar%2Frun%2Fpostgresql"},
	} {
		u, err := ParseURL(c.raw)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := url.QueryUnescape(pgConnString(u))
		want, _ := url.QueryUnescape(c.want)
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", c.raw, got, want)
		}
	}
}

func TestURLOptionsReachPool(t *testing.T) {
	u, err := ParseURL("mysql://h/db?min_size=2&max_size=9&pool_recycle=90")
	if err != nil {
		t.Fatal(err)
	}
	if u.intOption("min_size") != 2 || u.intOption("max_size") != 9 {
		t.Errorf("sizes: %v", u.Options)
	}
	if d, _ := u.poolRecycle(); d.Seconds() != 90 {
		t.Errorf("pool_recycle = %v", d)
	}
	if got := u.driverOptions(); len(got) != 0 {
		t.Errorf("driver options = %v, want none", got)
	}
}
