package harness

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"
)

// Labels on every container the harness starts. Containers are found by
// them, never by name alone, so nothing else on the engine is touched.
const (
	labelTest    = "atomdb.test"         // the backend name
	labelRun     = "atomdb.test.run"     // the test process's run ID
	labelExpires = "atomdb.test.expires" // Unix time after which any run may remove it
)

// ImageVars name the environment variables that choose each backend's image.
var ImageVars = map[string]string{
	Postgres: "ATOMDB_TEST_POSTGRES_IMAGE",
	MySQL:    "ATOMDB_TEST_MYSQL_IMAGE",
	Mongo:    "ATOMDB_TEST_MONGO_IMAGE",
}

// DefaultImages are the public images used when no image variable is set.
var DefaultImages = map[string]string{
	Postgres: "postgres:15",
	MySQL:    "mysql:8.4",
	Mongo:    "mongo:7",
}

// waitVar overrides how long a container may take to accept connections.
const waitVar = "ATOMDB_TEST_CONTAINER_WAIT"

const defaultWait = 3 * time.Minute

// containerSpec says how to run one backend's server in a container and
// how to tell that it is ready.
type containerSpec struct {
	backend string
	image   string   // repository[:tag]
	port    string   // the server's port in the container, "5432/tcp"
	env     []string // for the public images; images built here ignore it
	cmd     []string // nil: the image's own command
	// url builds the URL handed to the tests from the published address.
	url func(hostPort string) string
	// probe makes one connection attempt; a nil error means ready.
	probe func(ctx context.Context, url string) error
	wait  time.Duration // how long readiness may take
	ttl   time.Duration // when the container stops and any run may remove it
}

// specFor returns the container spec of a backend, its image from the
// environment.
func specFor(backend string) (containerSpec, error) {
	image := os.Getenv(ImageVars[backend])
	if image == "" {
		image = DefaultImages[backend]
	}
	wait := defaultWait
	if s := os.Getenv(waitVar); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return containerSpec{}, fmt.Errorf("%s=%q is not a positive duration such as 90s", waitVar, s)
		}
		wait = d
	}
	spec := containerSpec{backend: backend, image: image, wait: wait, ttl: containerTTL()}
	switch backend {
	case Postgres:
		spec.port = "5432/tcp"
		spec.env = []string{"POSTGRES_HOST_AUTH_METHOD=trust", "POSTGRES_DB=test"}
		spec.url = func(hp string) string { return "postgres://postgres@" + hp + "/test?ssl=false" }
		spec.probe = probeSQL
	case MySQL:
		spec.port = "3306/tcp"
		spec.env = []string{"MYSQL_ALLOW_EMPTY_PASSWORD=yes", "MYSQL_DATABASE=test"}
		spec.url = func(hp string) string { return "mysql://root@" + hp + "/test" }
		spec.probe = probeSQL
	case Mongo:
		spec.port = "27017/tcp"
		spec.url = func(hp string) string { return "mongodb://" + hp + "/" }
		spec.probe = probeMongo
	default:
		return containerSpec{}, fmt.Errorf("harness: no container spec for backend %q", backend)
	}
	return spec, nil
}

// containerTTL is how long a container may live: longer than the test
// binary may run (-test.timeout, 10 minutes unless set), so that it expires
// only after a process that was killed, never under a running one.
func containerTTL() time.Duration {
	timeout := 10 * time.Minute
	if f := flag.Lookup("test.timeout"); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			if d, ok := g.Get().(time.Duration); ok {
				timeout = d
			}
		}
	}
	if timeout <= 0 {
		return 24 * time.Hour
	}
	return timeout + 5*time.Minute
}

// A container started by this process.
type started struct {
	backend, image string
	res            *dockertest.Resource
}

// engine is this process's connection to the Docker engine and the
// containers it started.
var engine struct {
	once    sync.Once
	pool    *dockertest.Pool
	err     error
	runID   string
	mu      sync.Mutex
	running []started
}

// containerSeq numbers the containers of this process.
var containerSeq atomic.Int64

// mainActive is set while Main runs the tests: only then does the harness
// start containers, since only then is it sure to remove them.
var mainActive atomic.Bool

func dockerPool() (*dockertest.Pool, string, error) {
	engine.once.Do(func() {
		var b [4]byte
		_, _ = rand.Read(b[:])
		engine.runID = hex.EncodeToString(b[:])
		p, err := dockertest.NewPool("")
		if err == nil {
			err = p.Client.Ping()
		}
		if err != nil {
			engine.err = fmt.Errorf("no Docker engine answers (%v)", err)
			return
		}
		engine.pool = p
		sweepExpired(p)
		sweepExpiredNetworks(p)
	})
	return engine.pool, engine.runID, engine.err
}

// sweepExpired removes the containers of earlier runs that were killed
// before they could remove their own (their servers have already stopped
// themselves, see startExpiry).
func sweepExpired(p *dockertest.Pool) {
	list, err := p.Client.ListContainers(docker.ListContainersOptions{
		All: true, Filters: map[string][]string{"label": {labelExpires}},
	})
	if err != nil {
		return
	}
	now := time.Now().Unix()
	for _, c := range list {
		exp, err := strconv.ParseInt(c.Labels[labelExpires], 10, 64)
		if err != nil || exp > now {
			continue
		}
		if p.Client.RemoveContainer(docker.RemoveContainerOptions{ID: c.ID, Force: true, RemoveVolumes: true}) == nil {
			report("removed expired container %s (run %s)", strings.TrimPrefix(firstName(c.Names), "/"), c.Labels[labelRun])
		}
	}
}

func firstName(names []string) string {
	if len(names) == 0 {
		return "?"
	}
	return names[0]
}

// startContainer starts the backend's container and waits until its server
// accepts connections, returning the URL to hand the tests.
func startContainer(backend string) (string, error) {
	spec, err := specFor(backend)
	if err != nil {
		return "", err
	}
	return runContainer(spec)
}

func runContainer(spec containerSpec) (string, error) {
	if !mainActive.Load() {
		return "", errors.New("the test binary does not run through harness.Main (add func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }), so containers would not be removed")
	}
	p, runID, err := dockerPool()
	if err != nil {
		return "", err
	}
	repo, tag := splitImage(spec.image)
	name := fmt.Sprintf("atomdb-test-%s-%s-%d", spec.backend, runID, containerSeq.Add(1))
	begin := time.Now()
	res, err := p.RunWithOptions(&dockertest.RunOptions{
		Name:         name,
		Repository:   repo,
		Tag:          tag,
		Env:          spec.env,
		Cmd:          spec.cmd,
		ExposedPorts: []string{spec.port},
		// Published explicitly, on loopback only: an imported image declares
		// no EXPOSE, and nothing else on the network may reach the server.
		PortBindings: map[docker.Port][]docker.PortBinding{
			docker.Port(spec.port): {{HostIP: "127.0.0.1", HostPort: ""}},
		},
		Labels: map[string]string{
			labelTest:    spec.backend,
			labelRun:     runID,
			labelExpires: strconv.FormatInt(begin.Add(spec.ttl).Unix(), 10),
		},
	}, func(hc *docker.HostConfig) {
		hc.AutoRemove = false // kept after an early exit, for its exit code and log
		hc.RestartPolicy = docker.RestartPolicy{Name: "no"}
	})
	if err != nil {
		return "", fmt.Errorf("docker could not start image %s: %v", spec.image, err)
	}
	engine.mu.Lock()
	engine.running = append(engine.running, started{spec.backend, spec.image, res})
	engine.mu.Unlock()

	startExpiry(p, res, spec.ttl)
	hostPort := res.GetHostPort(spec.port)
	if hostPort == "" {
		// A container that exited at once has no ports left to show.
		err := fmt.Errorf("image %s: docker published no host port for %s", spec.image, spec.port)
		if c, ierr := p.Client.InspectContainer(res.Container.ID); ierr == nil && !c.State.Running {
			err = exitedError(p, spec, c, errors.New("none (no port was published)"))
		}
		removeNow(p, res)
		return "", err
	}
	u := spec.url(hostPort)
	if err := waitReady(p, res, spec, u); err != nil {
		removeNow(p, res)
		return "", err
	}
	report("%s: container %s (image %s) serves %s, ready in %s",
		spec.backend, name, spec.image, shownURL(u), time.Since(begin).Round(100*time.Millisecond))
	return u, nil
}

// shownURL is a URL of any scheme with its password masked.
func shownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Sprintf("%q (unparsable: %v)", raw, err)
	}
	return u.Redacted()
}

// splitImage splits "repo[:tag]" (repo may hold a registry host:port).
func splitImage(image string) (repo, tag string) {
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") {
		return image, "latest"
	}
	return image[:i], image[i+1:]
}

// startExpiry makes the container stop itself after ttl, from inside, so
// that it does not outlive a test process that was killed before removing
// it: a detached shell that signals PID 1 (every image here and the public
// ones run their server as PID 1, and stop on SIGINT or SIGTERM). The next
// run's sweepExpired then removes the stopped container. An image without
// sh only loses the timer, not the sweep.
func startExpiry(p *dockertest.Pool, res *dockertest.Resource, ttl time.Duration) {
	secs := strconv.Itoa(int(ttl.Seconds()))
	exec, err := p.Client.CreateExec(docker.CreateExecOptions{
		Container: res.Container.ID,
		Cmd:       []string{"sh", "-c", "sleep " + secs + "; kill -INT 1; sleep 5; kill -TERM 1"},
	})
	if err == nil {
		err = p.Client.StartExec(exec.ID, docker.StartExecOptions{Detach: true})
	}
	if err != nil {
		if c, ierr := p.Client.InspectContainer(res.Container.ID); ierr == nil && !c.State.Running {
			return // exited already: waitReady reports why
		}
		report("%s: no expiry timer in container %s (%v); a later run removes it after %s",
			res.Container.Config.Labels[labelTest], strings.TrimPrefix(res.Container.Name, "/"), err, ttl)
	}
}

// waitReady probes the server until it answers, the wait runs out, an error
// comes that waiting cannot fix (a malformed URL, a refused login), or the
// container exits.
func waitReady(p *dockertest.Pool, res *dockertest.Resource, spec containerSpec, u string) error {
	deadline := time.Now().Add(spec.wait)
	pause := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithDeadline(context.Background(), minTime(deadline, time.Now().Add(10*time.Second)))
		err := spec.probe(ctx, u)
		cancel()
		if err == nil {
			return nil
		}
		if !retryable(err) {
			return fmt.Errorf("image %s: %s at %s fails with an error waiting cannot fix (attempt %d, not retried): %w",
				spec.image, spec.backend, shownURL(u), attempt, err)
		}
		if c, ierr := p.Client.InspectContainer(res.Container.ID); ierr == nil && !c.State.Running {
			return exitedError(p, spec, c, err)
		}
		if time.Now().Add(pause).After(deadline) {
			return fmt.Errorf("image %s: %s at %s not ready within %s (%s=%s); last readiness error: %w",
				spec.image, spec.backend, shownURL(u), spec.wait, waitVar, spec.wait, err)
		}
		time.Sleep(pause)
		pause = min(2*pause, time.Second)
	}
}

// exitedError says that the container exited, with its code and output.
func exitedError(p *dockertest.Pool, spec containerSpec, c *docker.Container, last error) error {
	return fmt.Errorf("image %s: the %s container exited (code %d) before accepting connections; last readiness error: %v; its last output:\n%s",
		spec.image, spec.backend, c.State.ExitCode, last, containerLog(p, c.ID))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// containerLog returns the last lines a container printed.
func containerLog(p *dockertest.Pool, id string) string {
	var buf bytes.Buffer
	err := p.Client.Logs(docker.LogsOptions{
		Container: id, OutputStream: &buf, ErrorStream: &buf, Stdout: true, Stderr: true, Tail: "20",
	})
	if err != nil {
		return fmt.Sprintf("    (no log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	return "    " + strings.Join(lines, "\n    ")
}

// retryable reports whether a readiness error is one that time can fix: the
// server not listening yet, a connection dropped while it starts (docker's
// port proxy accepts and closes until the server listens), a timeout, or
// the server saying it is starting up.
func retryable(err error) bool {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, mysql.ErrInvalidConn), errors.Is(err, driver.ErrBadConn):
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// cannot_connect_now ("the database system is starting up"),
		// too_many_connections.
		return pgErr.Code == "57P03" || pgErr.Code == "53300"
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		// ER_CON_COUNT_ERROR, ER_SERVER_SHUTDOWN (a setup server stopping).
		return myErr.Number == 1040 || myErr.Number == 1053
	}
	var sse topology.ServerSelectionError
	if errors.As(err, &sse) {
		// No server selected: retryable unless a server said why, with an
		// error that is not.
		for _, s := range sse.Desc.Servers {
			if s.LastError != nil && !retryable(s.LastError) {
				return false
			}
		}
		return true
	}
	return mongo.IsNetworkError(err)
}

// probeSQL opens (and pings) a one-connection pool.
func probeSQL(ctx context.Context, u string) error {
	db, err := core.Open(ctx, u, core.WithMaxConns(1))
	if err != nil {
		return err
	}
	return db.Close()
}

// probeMongo pings the server with a direct connection.
func probeMongo(ctx context.Context, u string) error {
	client, err := mongo.Connect(options.Client().ApplyURI(u).SetDirect(true).
		SetServerSelectionTimeout(2 * time.Second).SetConnectTimeout(2 * time.Second))
	if err != nil {
		return err
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	return client.Ping(ctx, nil)
}

func removeNow(p *dockertest.Pool, res *dockertest.Resource) {
	engine.mu.Lock()
	defer engine.mu.Unlock()
	for i, s := range engine.running {
		if s.res == res {
			engine.running = append(engine.running[:i], engine.running[i+1:]...)
			break
		}
	}
	if err := p.Purge(res); err != nil && !isNoSuchContainer(err) {
		report("could not remove container %s: %v", strings.TrimPrefix(res.Container.Name, "/"), err)
		return
	}
	report("removed container %s", strings.TrimPrefix(res.Container.Name, "/"))
}

// isNoSuchContainer: already removed (by a sweep, or by hand) counts as removed.
func isNoSuchContainer(err error) bool {
	var nsc *docker.NoSuchContainer
	return errors.As(err, &nsc)
}

// purgeAll removes every container this process started.
func purgeAll() error {
	engine.mu.Lock()
	list := engine.running
	engine.running = nil
	engine.mu.Unlock()
	var errs []error
	for _, s := range list {
		name := strings.TrimPrefix(s.res.Container.Name, "/")
		switch err := engine.pool.Purge(s.res); {
		case isNoSuchContainer(err):
			report("%s: removed container %s (it was already gone)", s.backend, name)
		case err != nil:
			errs = append(errs, fmt.Errorf("remove container %s (image %s): %w", name, s.image, err))
		default:
			report("%s: removed container %s", s.backend, name)
		}
	}
	purgeNetworks()
	return errors.Join(errs...)
}

// reportVar names a file that container events are appended to, one line
// each, besides stderr (go test shows a passing package's stderr only with
// -v; scripts/test.sh prints the file).
const reportVar = "ATOMDB_TEST_CONTAINER_LOG"

var reportMu sync.Mutex

func report(format string, args ...any) {
	line := "atomdb tests: " + fmt.Sprintf(format, args...) + "\n"
	reportMu.Lock()
	defer reportMu.Unlock()
	fmt.Fprint(os.Stderr, line)
	if path := os.Getenv(reportVar); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "atomdb tests: %s: %v\n", reportVar, err)
			return
		}
		_, _ = f.WriteString(line)
		_ = f.Close()
	}
}
