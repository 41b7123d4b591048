package postgres

import (
	"net/url"
	"testing"

	"github.com/atomdb/atomdb/core"
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
		u, err := core.ParseURL(c.raw)
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
