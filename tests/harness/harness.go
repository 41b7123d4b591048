package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	_ "github.com/atomdb/atomdb/core/all" // every test runs on every SQL backend
)

// The backend names, as ATOMDB_TEST_REQUIRE spells them.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
	MySQL    = "mysql"
	Mongo    = "mongo"
)

// Docker, in ATOMDB_TEST_REQUIRE, requires every server backend to come from
// a container the harness started (CI sets it, so that the dockertest path
// is the one tested): a backend whose URL variable is set then fails.
const Docker = "docker"

// SQLBackends are the backends Each runs a test on, in order.
var SQLBackends = []string{SQLite, Postgres, MySQL}

// server is what discovery found for one backend: a URL, or why there is none.
type server struct {
	url  string
	skip string
}

// servers holds each backend's discovery, made once per test binary on
// first use; a missing backend is reported once on stderr (and in the
// ATOMDB_TEST_CONTAINER_LOG file).
var servers = map[string]func() server{
	Postgres: sync.OnceValue(func() server { return discover(Postgres) }),
	MySQL:    sync.OnceValue(func() server { return discover(MySQL) }),
	Mongo:    sync.OnceValue(func() server { return discover(Mongo) }),
}

func discover(name string) server {
	s := find(name)
	if s.skip != "" {
		report("skipping %s: %s", name, s.skip)
	}
	return s
}

var envVars = map[string]string{Postgres: "ATOMDB_TEST_POSTGRES", MySQL: "ATOMDB_TEST_MYSQL", Mongo: "ATOMDB_TEST_MONGO"}

func find(name string) server {
	if u := os.Getenv(envVars[name]); u != "" {
		if Required(Docker) {
			return server{skip: fmt.Sprintf("ATOMDB_TEST_REQUIRE names %s, so %s must come from a container, but %s is set", Docker, name, envVars[name])}
		}
		return server{url: u}
	}
	u, err := startContainer(name)
	if err != nil {
		return server{skip: fmt.Sprintf("%s is not set and %v", envVars[name], err)}
	}
	return server{url: u}
}

// Required reports whether ATOMDB_TEST_REQUIRE names the backend.
func Required(name string) bool {
	for _, r := range strings.Split(os.Getenv("ATOMDB_TEST_REQUIRE"), ",") {
		if strings.TrimSpace(r) == name {
			return true
		}
	}
	return false
}

// serverURL returns the backend's URL, or skips (fails when required) the test.
func serverURL(t testing.TB, name string) string {
	t.Helper()
	s := servers[name]()
	if s.url == "" {
		if Required(name) {
			t.Fatalf("%s is required (ATOMDB_TEST_REQUIRE) but unavailable: %s", name, s.skip)
		}
		t.Skipf("skipping %s: %s", name, s.skip)
	}
	return s.url
}

// Each runs fn once per SQL backend, as parallel subtests named after the
// backend, each with a freshly created, empty database that is dropped
// afterwards. opts are passed to core.Open.
func Each(t *testing.T, fn func(t *testing.T, db *core.Database), opts ...core.Option) {
	t.Helper()
	for _, name := range SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, name, opts...))
		})
	}
}

// Open returns a fresh, empty database on the named backend, closed and
// dropped when the test ends.
func Open(t testing.TB, name string, opts ...core.Option) *core.Database {
	t.Helper()
	dbURL := FreshURL(t, name)
	ctx := context.Background()
	db, err := core.Open(ctx, dbURL, opts...)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close %s: %v", name, err)
		}
	})
	return db
}

// FreshURL creates an empty database (a SQLite file, a PostgreSQL schema
// selected through search_path, a MySQL database) and returns its URL; it is
// dropped when the test ends.
func FreshURL(t testing.TB, name string) string {
	t.Helper()
	if name == SQLite {
		return "sqlite:///" + filepath.Join(t.TempDir(), "test.db")
	}
	base := serverURL(t, name)
	ident := uniqueName(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := core.Open(ctx, base, core.WithMaxConns(2))
	if err != nil {
		t.Fatalf("%s: connect %s: %v", name, redacted(base), err)
	}
	defer admin.Close()
	var create, drop string
	switch name {
	case Postgres:
		create, drop = "CREATE SCHEMA "+ident, "DROP SCHEMA IF EXISTS "+ident+" CASCADE"
	case MySQL:
		create, drop = "CREATE DATABASE "+ident+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", "DROP DATABASE IF EXISTS "+ident
	default:
		t.Fatalf("harness: %q is not a SQL backend", name)
	}
	if _, err := admin.Execute(ctx, create); err != nil {
		t.Fatalf("%s: %s: %v", name, create, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := core.Open(ctx, base, core.WithMaxConns(1))
		if err != nil {
			t.Errorf("%s: drop %s: %v", name, ident, err)
			return
		}
		defer admin.Close()
		if _, err := admin.Execute(ctx, drop); err != nil {
			t.Errorf("%s: %s: %v", name, drop, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	q := u.Query()
	if name == Postgres {
		q.Set("search_path", ident)
	} else {
		u.Path = "/" + ident
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// ServerURL returns the URL of a backend's server itself (for MongoDB, the
// only way to reach it), skipping or failing the test when there is none.
func ServerURL(t testing.TB, name string) string {
	t.Helper()
	return serverURL(t, name)
}

var nonIdent = regexp.MustCompile(`[^a-z0-9]+`)

// uniqueName makes a lower-case identifier from the test name and a random suffix.
func uniqueName(t testing.TB) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	base := nonIdent.ReplaceAllString(strings.ToLower(t.Name()), "_")
	if len(base) > 40 {
		base = base[len(base)-40:]
	}
	return "atomdb_t_" + strings.Trim(base, "_") + "_" + hex.EncodeToString(b[:])
}

func redacted(raw string) string {
	if u, err := core.ParseURL(raw); err == nil {
		return u.String()
	}
	return "(unparsable URL)"
}
