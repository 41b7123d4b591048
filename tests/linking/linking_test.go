// Package linking checks that a program links only the drivers of the
// backends it imports: a PostgreSQL-only, a MySQL-only and a MongoDB-only
// service (the programs in testdata) build with CGO_ENABLED=0, and go list
// -deps shows that no other driver comes with them.
package linking

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The drivers, by import path prefix.
const (
	sqliteDriver = "github.com/mattn/go-sqlite3"
	pgxDriver    = "github.com/jackc/pgx/"
	mysqlDriver  = "github.com/go-sql-driver/mysql"
	mongoDriver  = "go.mongodb.org/mongo-driver/"
)

// goCmd returns the go command that runs this test (go test puts its own
// GOROOT/bin first in PATH), set up for CGO_ENABLED=0 and independent of
// the caller's GOFLAGS (-race, for one, needs cgo).
func goCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to check what programs link: %v", err)
	}
	cmd := exec.Command(goTool, args...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	return cmd
}

// deps returns the import paths of pkg and everything it links, for
// CGO_ENABLED=0.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := goCmd(t, "list", "-deps", pkg).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr)
	}
	return strings.Fields(string(out))
}

// linked returns the packages of deps under prefix.
func linked(deps []string, prefix string) []string {
	var found []string
	for _, d := range deps {
		if strings.HasPrefix(d, prefix) {
			found = append(found, d)
		}
	}
	return found
}

func TestProgramsLinkOnlyTheirDriver(t *testing.T) {
	for _, c := range []struct {
		program   string
		needs     string   // the program's own driver, which must be there
		forbidden []string // drivers it must not link
	}{
		{"./testdata/postgres", pgxDriver, []string{sqliteDriver, mysqlDriver}},
		{"./testdata/mysql", mysqlDriver, []string{sqliteDriver, pgxDriver}},
		{"./testdata/mongo", mongoDriver, []string{sqliteDriver, pgxDriver, mysqlDriver}},
	} {
		t.Run(strings.TrimPrefix(c.program, "./testdata/"), func(t *testing.T) {
			ds := deps(t, c.program)
			if len(linked(ds, c.needs)) == 0 {
				t.Fatalf("%s does not link %s: the check below would prove nothing", c.program, c.needs)
			}
			for _, f := range c.forbidden {
				if got := linked(ds, f); len(got) > 0 {
					t.Errorf("%s links %s (%s)", c.program, f, strings.Join(got, ", "))
				}
			}
			// go-sqlite3 builds without cgo too (as a stub that fails at run
			// time), so the build proves only that nothing else needs cgo;
			// the dependency check above is what keeps SQLite out.
			if out, err := goCmd(t, "build", "-o", os.DevNull, c.program).CombinedOutput(); err != nil {
				t.Errorf("CGO_ENABLED=0 go build %s: %v\n%s", c.program, err, out)
			}
		})
	}
}

// The library packages link no driver themselves.
func TestLibraryPackagesLinkNoDriver(t *testing.T) {
	for _, pkg := range []string{"core", "lookups", "relations", "orm", "mongo", "migrate"} {
		ds := deps(t, "github.com/atomdb/atomdb/"+pkg)
		for _, d := range []string{sqliteDriver, pgxDriver, mysqlDriver} {
			if got := linked(ds, d); len(got) > 0 {
				t.Errorf("%s links %s (%s)", pkg, d, strings.Join(got, ", "))
			}
		}
	}
}

// The convenience package brings every backend, so the prefixes above do
// match what a leaking import would bring.
func TestAllLinksEveryDriver(t *testing.T) {
	ds := deps(t, "github.com/atomdb/atomdb/core/all")
	for _, d := range []string{sqliteDriver, pgxDriver, mysqlDriver} {
		if len(linked(ds, d)) == 0 {
			t.Errorf("core/all does not link %s", d)
		}
	}
}

// Tracing links OpenTelemetry's API only: the program picks the SDK (or
// none), so no library package brings it, nor the global-provider package.
func TestLibraryLinksOnlyTheTracingAPI(t *testing.T) {
	const api = "go.opentelemetry.io/otel/trace"
	if len(linked(deps(t, "github.com/atomdb/atomdb/core"), api)) == 0 {
		t.Fatalf("core does not link %s: the check below would prove nothing", api)
	}
	for _, pkg := range []string{"core/all", "orm", "migrate", "mongo"} { // orm brings relations, lookups, core
		for _, d := range deps(t, "github.com/atomdb/atomdb/"+pkg) {
			if strings.HasPrefix(d, "go.opentelemetry.io/") && !strings.HasPrefix(d, api) &&
				!strings.HasPrefix(d, "go.opentelemetry.io/otel/attribute") && !strings.HasPrefix(d, "go.opentelemetry.io/otel/codes") &&
				!strings.HasPrefix(d, "go.opentelemetry.io/otel/semconv/") {
				t.Errorf("%s links %s: only the tracing API belongs in the library", pkg, d)
			}
		}
	}
}
