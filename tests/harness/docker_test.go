package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// needDocker returns the engine, skipping the test without one unless
// ATOMDB_TEST_REQUIRE names docker.
func needDocker(t *testing.T) *dockertest.Pool {
	t.Helper()
	p, _, err := dockerPool()
	if err != nil {
		if Required(Docker) {
			t.Fatalf("ATOMDB_TEST_REQUIRE names %s but %v", Docker, err)
		}
		t.Skipf("skipping: %v", err)
	}
	return p
}

// testSpec is the PostgreSQL container spec (its image from the
// environment, as the tests use it) with a short wait.
func testSpec(t *testing.T, wait time.Duration) containerSpec {
	t.Helper()
	spec, err := specFor(Postgres)
	if err != nil {
		t.Fatal(err)
	}
	spec.wait = wait
	// These tests use the image only if it is here already: they pull
	// nothing (a registry may be out of reach), and skip without it unless
	// CI requires Docker.
	p, _, err := dockerPool()
	if err != nil {
		t.Fatal(err)
	}
	repo, tag := splitImage(spec.image)
	if _, err := p.Client.InspectImage(repo + ":" + tag); err != nil {
		msg := fmt.Sprintf("image %s is not on this engine (%v): pull it, or set %s (scripts/images.sh builds one)", spec.image, err, ImageVars[Postgres])
		if Required(Docker) {
			t.Fatalf("ATOMDB_TEST_REQUIRE names %s but %s", Docker, msg)
		}
		t.Skip("skipping: " + msg)
	}
	// Named (and labelled) after the test, to find what it leaves behind.
	spec.backend = "postgres-" + strings.Trim(nonIdent.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	return spec
}

// assertGone fails the test if a container labelled with the backend name
// still exists: the harness must remove what it gave up on.
func assertGone(t *testing.T, p *dockertest.Pool, backend string) {
	t.Helper()
	list, err := p.Client.ListContainers(docker.ListContainersOptions{
		All: true, Filters: map[string][]string{"label": {labelTest + "=" + backend}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		t.Errorf("container %s (%s) was left behind", firstName(c.Names), c.State)
	}
}

// A container whose server never listens fails within the configured wait,
// naming the image and the last readiness error, and is removed.
func TestContainerNeverReady(t *testing.T) {
	t.Parallel()
	p := needDocker(t)
	spec := testSpec(t, 3*time.Second)
	spec.cmd = []string{"sleep", "600"} // runs, publishes the port, serves nothing
	start := time.Now()
	_, err := runContainer(spec)
	took := time.Since(start)
	if err == nil {
		t.Fatal("a container that never serves became ready")
	}
	msg := err.Error()
	for _, want := range []string{"image " + spec.image, "not ready within 3s", "last readiness error: "} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if !retryable(errors.Unwrap(err)) {
		t.Errorf("the last readiness error should be one waiting could fix: %v", errors.Unwrap(err))
	}
	// The wait, plus starting and removing the container, plus one last
	// attempt: never minutes.
	if took > spec.wait+30*time.Second {
		t.Errorf("gave up after %s with a wait of %s", took, spec.wait)
	}
	t.Logf("after %s: %v", took.Round(time.Millisecond), err)
	assertGone(t, p, spec.backend)
}

// A container that exits before serving fails at once, with its exit code
// and output, and is removed.
func TestContainerExits(t *testing.T) {
	t.Parallel()
	p := needDocker(t)
	spec := testSpec(t, time.Minute)
	spec.cmd = []string{"sh", "-c", "echo 'boom: no data directory' >&2; exit 3"}
	start := time.Now()
	_, err := runContainer(spec)
	took := time.Since(start)
	if err == nil {
		t.Fatal("a container that exits became ready")
	}
	msg := err.Error()
	for _, want := range []string{"image " + spec.image, "exited (code 3)", "boom: no data directory"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if took > 30*time.Second {
		t.Errorf("took %s to notice the exit (wait %s)", took, spec.wait)
	}
	t.Logf("after %s: %v", took.Round(time.Millisecond), err)
	assertGone(t, p, spec.backend)
}

// Errors that waiting cannot fix fail at once instead of being retried for
// the whole wait: the host-less URL an unpublished port used to produce,
// and a login the server refuses.
func TestContainerPermanentErrors(t *testing.T) {
	t.Parallel()
	p := needDocker(t)
	for _, tc := range []struct {
		name string
		url  func(hp string) string
		want string
	}{
		{"no host", func(string) string { return "postgres://postgres@/test" }, "names no host"},
		{"unknown role", func(hp string) string { return "postgres://atomdb_no_such_role@" + hp + "/test?ssl=false" }, "atomdb_no_such_role"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			spec := testSpec(t, 2*time.Minute)
			spec.url = tc.url
			start := time.Now()
			_, err := runContainer(spec)
			took := time.Since(start)
			if err == nil {
				t.Fatal("became ready")
			}
			msg := err.Error()
			for _, want := range []string{"image " + spec.image, "not retried", tc.want} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if took > time.Minute {
				t.Errorf("took %s: retried an error waiting cannot fix", took)
			}
			t.Logf("after %s: %v", took.Round(time.Millisecond), err)
			assertGone(t, p, spec.backend)
		})
	}
}

// A container expires on its own: the timer inside it stops its server, so
// a killed test process leaves nothing running (the sweep test covers the
// removal).
func TestContainerExpiry(t *testing.T) {
	t.Parallel()
	p := needDocker(t)
	spec := testSpec(t, time.Minute)
	u, err := runContainer(spec)
	if err != nil {
		t.Fatal(err)
	}
	var res *dockertest.Resource
	engine.mu.Lock()
	for _, s := range engine.running {
		if s.backend == spec.backend {
			res = s.res
		}
	}
	engine.mu.Unlock()
	if res == nil {
		t.Fatal("the started container is not in the list Main removes")
	}
	exp, err := strconv.ParseInt(res.Container.Config.Labels[labelExpires], 10, 64)
	if err != nil || time.Until(time.Unix(exp, 0)) < spec.ttl-time.Minute {
		t.Fatalf("%s label %q: want about %s from now", labelExpires, res.Container.Config.Labels[labelExpires], spec.ttl)
	}
	if err := probeSQL(context.Background(), u); err != nil {
		t.Fatalf("ready container does not answer: %v", err)
	}
	// The same timer the harness starts, due in 2 s instead of spec.ttl.
	startExpiry(p, res, 2*time.Second)
	deadline := time.Now().Add(40 * time.Second)
	for {
		c, err := p.Client.InspectContainer(res.Container.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !c.State.Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s still running 40 s after its 2 s expiry", c.Name)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// The sweep removes only containers past their expiry.
func TestSweepKeepsUnexpired(t *testing.T) {
	t.Parallel()
	p := needDocker(t)
	repo, tag := splitImage(testSpec(t, time.Minute).image)
	mk := func(expires time.Time) *docker.Container {
		c, err := p.Client.CreateContainer(docker.CreateContainerOptions{
			Name: fmt.Sprintf("atomdb-test-sweep-%d", time.Now().UnixNano()),
			Config: &docker.Config{Image: repo + ":" + tag, Cmd: []string{"true"}, Labels: map[string]string{
				labelTest: "sweep", labelRun: "sweep-test", labelExpires: strconv.FormatInt(expires.Unix(), 10),
			}},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Client.RemoveContainer(docker.RemoveContainerOptions{ID: c.ID, Force: true}) })
		return c
	}
	old, fresh := mk(time.Now().Add(-time.Minute)), mk(time.Now().Add(time.Hour))
	sweepExpired(p)
	if _, err := p.Client.InspectContainer(old.ID); err == nil {
		t.Error("an expired container was kept")
	}
	if _, err := p.Client.InspectContainer(fresh.ID); err != nil {
		t.Errorf("a container not yet expired was removed: %v", err)
	}
}

func TestRetryable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", fmt.Errorf("core: connect: %w", refused), true},
		{"eof from the port proxy", fmt.Errorf("receive: %w", io.ErrUnexpectedEOF), true},
		{"attempt timed out", fmt.Errorf("ping: %w", context.DeadlineExceeded), true},
		{"postgres starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"mysql invalid connection", mysql.ErrInvalidConn, true},
		{"mysql too many connections", &mysql.MySQLError{Number: 1040}, true},
		{"malformed url", fmt.Errorf("open: %w", core.ErrBadURL), false},
		{"postgres bad password", &pgconn.PgError{Code: "28P01"}, false},
		{"postgres unknown database", &pgconn.PgError{Code: "3D000"}, false},
		{"mysql access denied", &mysql.MySQLError{Number: 1045}, false},
		{"anything else", errors.New("x509: certificate signed by unknown authority"), false},
	} {
		if got := retryable(tc.err); got != tc.want {
			t.Errorf("%s: retryable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestSplitImage(t *testing.T) {
	for _, tc := range []struct{ in, repo, tag string }{
		{"postgres:15", "postgres", "15"},
		{"postgres", "postgres", "latest"},
		{"atomdb-test/mariadb:10.11", "atomdb-test/mariadb", "10.11"},
		{"registry.local:5000/mongo", "registry.local:5000/mongo", "latest"},
		{"registry.local:5000/mongo:7", "registry.local:5000/mongo", "7"},
	} {
		if repo, tag := splitImage(tc.in); repo != tc.repo || tag != tc.tag {
			t.Errorf("splitImage(%q) = %q, %q; want %q, %q", tc.in, repo, tag, tc.repo, tc.tag)
		}
	}
}

func TestImageFromEnvironment(t *testing.T) {
	t.Setenv(ImageVars[MySQL], "example/mariadb:10.11")
	t.Setenv(waitVar, "45s")
	spec, err := specFor(MySQL)
	if err != nil {
		t.Fatal(err)
	}
	if spec.image != "example/mariadb:10.11" || spec.wait != 45*time.Second || spec.port != "3306/tcp" {
		t.Errorf("spec = image %q, wait %s, port %s", spec.image, spec.wait, spec.port)
	}
	t.Setenv(ImageVars[MySQL], "")
	if spec, _ := specFor(MySQL); spec.image != DefaultImages[MySQL] {
		t.Errorf("default image = %q, want %q", spec.image, DefaultImages[MySQL])
	}
	t.Setenv(waitVar, "soon")
	if _, err := specFor(MySQL); err == nil || !strings.Contains(err.Error(), waitVar) {
		t.Errorf("a bad %s gave %v", waitVar, err)
	}
}
