package harness

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"

	"github.com/atomdb/atomdb/core"
)

// DefaultReplicaImage is the PostgreSQL image PostgresReplica runs when
// ATOMDB_TEST_POSTGRES_IMAGE is unset: scripts/images.sh's, whose layout
// (the cluster in /var/lib/postgresql/data, /entry.sh running the server as
// user postgres) the primary's and the replica's commands rely on.
const DefaultReplicaImage = "atomdb-test/postgres:15"

// PGReplica is a PostgreSQL primary and one streaming replica of it, in
// containers on a Docker network of their own; see PostgresReplica.
type PGReplica struct {
	// PrimaryURL and ReplicaURL reach the two servers' database test
	// through ports published on 127.0.0.1.
	PrimaryURL, ReplicaURL string

	pool             *dockertest.Pool
	net              *dockertest.Network
	image, runID     string
	primary, replica *dockertest.Resource
	stopped          bool // by StopReplica, and not started again yet
}

// The primary accepts replication connections from the network and keeps
// WAL for a replica that was stopped a while.
const pgPrimaryCmd = `D=/var/lib/postgresql/data
echo 'host replication all 0.0.0.0/0 trust' >>"$D/pg_hba.conf"
echo 'wal_keep_size = 256MB' >>"$D/postgresql.conf"
exec /entry.sh`

// The replica copies the primary (named by $PRIMARY) with pg_basebackup -R,
// which writes standby.signal and primary_conninfo, on its first start only:
// started again, it resumes streaming from where it was.
const pgReplicaCmd = `D=/var/lib/postgresql/data
if [ ! -f "$D/standby.signal" ]; then
	rm -rf "$D"/*
	/usr/lib/postgresql/15/bin/pg_basebackup -h "$PRIMARY" -U postgres -D "$D" -R -X stream -c fast || exit 1
fi
exec /entry.sh`

// PostgresReplica returns a PostgreSQL primary and a streaming replica made
// with pg_basebackup -R, on a user-defined Docker network (the replica
// reaches the primary by its container name), each port published on
// 127.0.0.1 only, once the replica accepts connections in recovery. The
// first call starts them; the tests of the binary share them (a test that
// stops the replica or pauses its replay restores it before it ends), and
// Main removes the containers and the network (or they expire, if the
// process dies). Without a Docker engine or the image it skips the test
// with the reason, unless ATOMDB_TEST_REQUIRE names docker, which makes
// that a failure.
func PostgresReplica(t testing.TB) *PGReplica {
	t.Helper()
	if !mainActive.Load() {
		t.Fatal("the test binary does not run through harness.Main, so the containers would not be removed")
	}
	r, skip, err := pgReplicaOnce()
	switch {
	case skip != "" && Required(Docker):
		t.Fatalf("ATOMDB_TEST_REQUIRE names %s but %s", Docker, skip)
	case skip != "":
		t.Skip("skipping the PostgreSQL replica: " + skip)
	case err != nil:
		t.Fatalf("pgreplica: %v", err)
	}
	return r
}

// pgReplica is the topology of this test binary.
var pgReplica struct {
	once sync.Once
	r    *PGReplica
	skip string
	err  error
}

func pgReplicaOnce() (*PGReplica, string, error) {
	pgReplica.once.Do(func() {
		pgReplica.r, pgReplica.skip, pgReplica.err = startPGReplica()
	})
	return pgReplica.r, pgReplica.skip, pgReplica.err
}

// startPGReplica starts the topology, or says why it cannot (skip) or
// failed (err, after removing what it started).
func startPGReplica() (r *PGReplica, skip string, err error) {
	p, runID, err := dockerPool()
	if err != nil {
		skip = err.Error()
	}
	image := os.Getenv(ImageVars[Postgres])
	if image == "" {
		image = DefaultReplicaImage
	}
	if skip == "" {
		if _, err := p.Client.InspectImage(image); err != nil {
			skip = fmt.Sprintf("image %s is not on this engine (%v): run scripts/images.sh, or set %s", image, err, ImageVars[Postgres])
		}
	}
	if skip != "" {
		report("skipping the PostgreSQL replica: %s", skip)
		return nil, skip, nil
	}
	begin := time.Now()
	prefix := fmt.Sprintf("atomdb-test-pgreplica-%s-%d", runID, containerSeq.Add(1))
	r = &PGReplica{pool: p, image: image, runID: runID}
	defer func() {
		if err != nil {
			r.remove()
		}
	}()
	r.net, err = p.CreateNetwork(prefix, func(o *docker.CreateNetworkOptions) {
		o.Driver = "bridge"
		o.Labels = expiryLabels("pgreplica", runID)
	})
	if err != nil {
		return nil, "", fmt.Errorf("create network %s: %v", prefix, err)
	}
	trackNetwork(r.net)
	primaryName := prefix + "-primary"
	if r.primary, r.PrimaryURL, err = r.run(primaryName, pgPrimaryCmd, nil, ""); err != nil {
		return nil, "", fmt.Errorf("primary: %v", err)
	}
	// The replica's host port is chosen here, so that it stays the same
	// when the replica is stopped and started again (docker would publish
	// it on another one) and the URL handed out keeps working.
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	if r.replica, r.ReplicaURL, err = r.run(prefix+"-replica", pgReplicaCmd, []string{"PRIMARY=" + primaryName}, port); err != nil {
		return nil, "", fmt.Errorf("replica: %v", err)
	}
	if err := r.waitRecovery(); err != nil {
		return nil, "", err
	}
	report("pgreplica: primary %s and replica %s (image %s) ready in %s",
		r.PrimaryURL, r.ReplicaURL, image, time.Since(begin).Round(100*time.Millisecond))
	return r, "", nil
}

// expiryLabels are the labels by which a later run finds and removes what a
// killed run left behind.
func expiryLabels(kind, runID string) map[string]string {
	return map[string]string{
		labelTest:    kind,
		labelRun:     runID,
		labelExpires: strconv.FormatInt(time.Now().Add(containerTTL()).Unix(), 10),
	}
}

// freePort returns a TCP port of 127.0.0.1 that nothing listens on now.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("no free port: %v", err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// run starts one server on the network and waits until it accepts
// connections; hostPort "" publishes it on any free port.
func (r *PGReplica) run(name, script string, env []string, hostPort string) (*dockertest.Resource, string, error) {
	repo, tag := splitImage(r.image)
	res, err := r.pool.RunWithOptions(&dockertest.RunOptions{
		Name:         name,
		Repository:   repo,
		Tag:          tag,
		Env:          env,
		Cmd:          []string{"sh", "-c", script},
		Networks:     []*dockertest.Network{r.net},
		ExposedPorts: []string{"5432/tcp"},
		PortBindings: map[docker.Port][]docker.PortBinding{"5432/tcp": {{HostIP: "127.0.0.1", HostPort: hostPort}}},
		Labels:       expiryLabels("pgreplica", r.runID),
	}, func(hc *docker.HostConfig) {
		hc.AutoRemove = false
		hc.RestartPolicy = docker.RestartPolicy{Name: "no"}
	})
	if err != nil {
		return nil, "", fmt.Errorf("docker could not start %s (image %s): %v", name, r.image, err)
	}
	engine.mu.Lock()
	engine.running = append(engine.running, started{"pgreplica", r.image, res})
	engine.mu.Unlock()
	startExpiry(r.pool, res, containerTTL())
	hp := res.GetHostPort("5432/tcp")
	if hp == "" {
		return res, "", fmt.Errorf("%s: docker published no port:\n%s", name, containerLog(r.pool, res.Container.ID))
	}
	u := "postgres://postgres@" + hp + "/test?ssl=false"
	return res, u, r.ready(res, u)
}

func (r *PGReplica) ready(res *dockertest.Resource, u string) error {
	spec := containerSpec{backend: "pgreplica", image: r.image, probe: probeSQL, wait: defaultWait}
	return waitReady(r.pool, res, spec, u)
}

// waitRecovery waits until the replica answers as a standby.
func (r *PGReplica) waitRecovery() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := core.Open(ctx, r.ReplicaURL, core.WithMaxConns(1))
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		v, err := db.FetchVal(ctx, "SELECT pg_is_in_recovery()")
		if err == nil && v == true {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("the replica is not in recovery (%v, %v):\n%s", v, err, containerLog(r.pool, r.replica.Container.ID))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// StopReplica shuts the replica down (PostgreSQL's fast shutdown, which
// ends its connections) and waits until its container has exited. If the
// test does not start it again (StartReplica), it is started when the test
// ends, for the next test.
func (r *PGReplica) StopReplica(t testing.TB) {
	t.Helper()
	r.stopped = true
	t.Cleanup(func() {
		if r.stopped {
			r.StartReplica(t)
		}
	})
	id := r.replica.Container.ID
	if err := r.pool.Client.KillContainer(docker.KillContainerOptions{ID: id, Signal: docker.SIGINT}); err != nil {
		t.Fatalf("pgreplica: stop the replica: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := r.pool.Client.WaitContainerWithContext(id, ctx); err != nil {
		t.Fatalf("pgreplica: wait for the replica to stop: %v", err)
	}
}

// StartReplica starts the stopped replica again, on the same port, and
// waits until it answers as a standby.
func (r *PGReplica) StartReplica(t testing.TB) {
	t.Helper()
	r.stopped = false
	if err := r.pool.Client.StartContainer(r.replica.Container.ID, nil); err != nil {
		t.Fatalf("pgreplica: start the replica: %v", err)
	}
	startExpiry(r.pool, r.replica, containerTTL()) // the timer died with the container
	if err := r.ready(r.replica, r.ReplicaURL); err != nil {
		t.Fatalf("pgreplica: %v", err)
	}
	if err := r.waitRecovery(); err != nil {
		t.Fatalf("pgreplica: %v", err)
	}
}

// remove removes the containers and the network of a topology that failed
// to start.
func (r *PGReplica) remove() {
	for _, res := range []*dockertest.Resource{r.replica, r.primary} {
		if res != nil {
			removeNow(r.pool, res)
		}
	}
	if r.net != nil {
		removeNetwork(r.net)
	}
}
