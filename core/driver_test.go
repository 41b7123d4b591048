package core_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
)

// This test binary imports only the SQLite backend (example_test.go), as a
// SQLite-only program would: the other schemes have no driver.
func TestOpenWithoutBackendNamesThePackage(t *testing.T) {
	for _, c := range []struct{ url, pkg string }{
		{"postgres://app:s3cret@127.0.0.1:1/app", "github.com/atomdb/atomdb/core/postgres"},
		{"postgresql://app@127.0.0.1/app", "github.com/atomdb/atomdb/core/postgres"},
		{"mysql://app:s3cret@127.0.0.1:1/app", "github.com/atomdb/atomdb/core/mysql"},
		{"mariadb://app@127.0.0.1/app", "github.com/atomdb/atomdb/core/mysql"},
	} {
		db, err := core.Open(context.Background(), c.url)
		if db != nil || !errors.Is(err, core.ErrNoDriver) {
			t.Errorf("Open(%q) = %v, %v; want ErrNoDriver", c.url, db, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, `import _ "`+c.pkg+`"`) || !strings.Contains(msg, "github.com/atomdb/atomdb/core/all") {
			t.Errorf("Open(%q): %q does not say to import %s (or core/all)", c.url, msg, c.pkg)
		}
		if strings.Contains(msg, "s3cret") {
			t.Errorf("Open(%q): the error shows the password: %q", c.url, msg)
		}
	}
	// The imported backend works.
	db, err := core.Open(context.Background(), "sqlite://:memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

type nopDriver struct{}

func (nopDriver) Open(context.Context, *core.URL, core.PoolConfig) (core.Pool, error) {
	return nil, errors.New("not a driver")
}
func (nopDriver) Classify(error) error { return nil }

// Register refuses, at init time, what would make Open ambiguous or fail later.
func TestRegisterPanicsOnMisuse(t *testing.T) {
	for _, c := range []struct {
		name, scheme string
		d            core.Driver
		want         string
	}{
		{"twice", "sqlite", nopDriver{}, "called twice"},
		{"alias", "postgresql", nopDriver{}, "unknown scheme"},
		{"unknown", "oracle", nopDriver{}, "unknown scheme"},
		{"nil", "mysql", nil, "nil driver"},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				p := recover()
				if s, _ := p.(string); !strings.Contains(s, c.want) {
					t.Errorf("Register(%q): panic %v, want one saying %q", c.scheme, p, c.want)
				}
			}()
			core.Register(c.scheme, c.d)
		})
	}
}
