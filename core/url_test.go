package core_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
)

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		raw                      string
		scheme, user, pass, host string
		port                     int
		database                 string
		dialect                  *core.Dialect
		masked                   string
		option, optionValue      string
	}{
		{raw: "postgres://localhost/example", scheme: "postgres", host: "localhost", database: "example", dialect: core.Postgres,
			masked: "postgres://localhost/example"},
		{raw: "postgresql://user:secret@db.internal:6543/app?ssl=true&application_name=api", scheme: "postgres", user: "user",
			pass: "secret", host: "db.internal", port: 6543, database: "app", dialect: core.Postgres,
			masked: "postgres://user:***@db.internal:6543/app?application_name=api&ssl=true", option: "application_name", optionValue: "api"},
		{raw: "mysql://root@127.0.0.1:3306/test?min_size=5&max_size=20", scheme: "mysql", user: "root", host: "127.0.0.1", port: 3306,
			database: "test", dialect: core.MySQL, masked: "mysql://root@127.0.0.1:3306/test?max_size=20&min_size=5", option: "max_size", optionValue: "20"},
		// An escaped password is unescaped for the driver and masked when printed.
		{raw: "mysql://app:p%40ss%3Aw%2Frd@host/db", scheme: "mysql", user: "app", pass: "p@ss:w/rd", host: "host", database: "db",
			dialect: core.MySQL, masked: "mysql://app:***@host/db"},
		{raw: "sqlite:///relative.db", scheme: "sqlite", database: "relative.db", dialect: core.SQLite, masked: "sqlite:///relative.db"},
		{raw: "sqlite:////absolute/path.db", scheme: "sqlite", database: "/absolute/path.db", dialect: core.SQLite,
			masked: "sqlite:////absolute/path.db"},
		{raw: "sqlite://:memory:", scheme: "sqlite", database: ":memory:", dialect: core.SQLite, masked: "sqlite://:memory:"},
		{raw: "sqlite:///data/app.db?_busy_timeout=100", scheme: "sqlite", database: "data/app.db", dialect: core.SQLite,
			masked: "sqlite:///data/app.db?_busy_timeout=100", option: "_busy_timeout", optionValue: "100"},
		{raw: "postgres://u@/db?unix_socket=/var/run/postgresql", scheme: "postgres", user: "u", database: "db", dialect: core.Postgres,
			masked: "postgres://u@/db?unix_socket=%2Fvar%2Frun%2Fpostgresql", option: "unix_socket", optionValue: "/var/run/postgresql"},
	} {
		t.Run(c.raw, func(t *testing.T) {
			u, err := core.ParseURL(c.raw)
			if err != nil {
				t.Fatal(err)
			}
			if u.Scheme != c.scheme || u.User != c.user || u.Password != c.pass || u.Host != c.host || u.Port != c.port || u.Database != c.database {
				t.Errorf("got %+v", u)
			}
			if u.Dialect() != c.dialect {
				t.Errorf("dialect = %v, want %v", u.Dialect(), c.dialect)
			}
			if got := u.String(); got != c.masked {
				t.Errorf("String() = %q, want %q", got, c.masked)
			}
			if c.pass != "" && strings.Contains(u.String(), c.pass) {
				t.Errorf("String() shows the password: %q", u.String())
			}
			if c.option != "" && u.Options.Get(c.option) != c.optionValue {
				t.Errorf("option %s = %q, want %q", c.option, u.Options.Get(c.option), c.optionValue)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want error
	}{
		{"oracle://scott:tiger@host/db", core.ErrUnknownScheme},
		{"localhost/example", core.ErrBadURL},
		{"", core.ErrBadURL},
		{"postgres://host:notaport/db", core.ErrBadURL},
		{"postgres://host:99999/db", core.ErrBadURL},
		{"postgres:///db", core.ErrBadURL},
		{"mysql://host/a/b", core.ErrBadURL},
		{"postgres://host/db?max_size=lots", core.ErrBadURL},
		{"postgres://host/db?ssl=maybe", core.ErrBadURL},
		{"postgres://host/db?pool_recycle=soon", core.ErrBadURL},
		{"sqlite://relative.db", core.ErrBadURL},
		{"sqlite://", core.ErrBadURL},
		{"postgres://user:sec%ret@host/db", core.ErrBadURL},
	} {
		t.Run(c.raw, func(t *testing.T) {
			_, err := core.ParseURL(c.raw)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if strings.Contains(err.Error(), "tiger") || strings.Contains(err.Error(), "sec%ret") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestPoolRecycleAcceptsSecondsAndDurations(t *testing.T) {
	for _, v := range []string{"300", "30m", "1h30m"} {
		if _, err := core.ParseURL("mysql://h/db?pool_recycle=" + v); err != nil {
			t.Errorf("pool_recycle=%s: %v", v, err)
		}
	}
}
