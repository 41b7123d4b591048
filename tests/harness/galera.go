package harness

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"

	"github.com/atomdb/atomdb/core"
)

// GaleraImageVar names the variable that chooses the image of a Galera
// node; scripts/images.sh builds atomdb-test/galera:10.11, the default.
// The image runs /entry.sh with mariadbd's extra options as arguments, and
// reads the node addresses from GALERA_NODES and its own from
// GALERA_ADDRESS (see scripts/images.sh).
const GaleraImageVar = "ATOMDB_TEST_GALERA_IMAGE"

// DefaultGaleraImage is the Galera node image used when GaleraImageVar is unset.
const DefaultGaleraImage = "atomdb-test/galera:10.11"

// GaleraNode is one node of a cluster started by Galera.
type GaleraNode struct {
	// Name is the container's name.
	Name string
	// Address is the node's address on the cluster's network.
	Address string
	// HostPort is where the host reaches its MariaDB port (127.0.0.1:port).
	HostPort string
	// URL is a mysql:// URL of the node's database test.
	URL string
	res *dockertest.Resource
}

// GaleraCluster is a MariaDB Galera cluster in containers on a network of
// its own, removed when the test that started it ends.
type GaleraCluster struct {
	Nodes []*GaleraNode
	pool  *dockertest.Pool
	net   *dockertest.Network
}

// Galera starts a cluster of n MariaDB Galera nodes on a user-defined
// Docker network with fixed addresses, each node's port published on
// 127.0.0.1 only: the first bootstraps the cluster (--wsrep-new-cluster),
// the others join it at once, together, and Galera returns when every node
// is Synced and the cluster has n members. It skips the test, with the
// reason, when there is no Docker engine or no image, unless
// ATOMDB_TEST_REQUIRE names docker. The containers and the network are
// removed when the test ends, and expire like every container of the
// harness if the process dies first.
func Galera(t testing.TB, n int) *GaleraCluster {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if Required(Docker) {
			t.Fatalf("ATOMDB_TEST_REQUIRE names %s but %s", Docker, msg)
		}
		report("skipping Galera: %s", msg)
		t.Skip("skipping Galera: " + msg)
	}
	if !mainActive.Load() {
		t.Fatal("the test binary does not run through harness.Main, so the cluster would not be removed")
	}
	p, runID, err := dockerPool()
	if err != nil {
		unavailable("%v", err)
	}
	image := os.Getenv(GaleraImageVar)
	if image == "" {
		image = DefaultGaleraImage
	}
	if _, err := p.Client.InspectImage(image); err != nil {
		unavailable("image %s is not on this engine (%v): run scripts/images.sh, or set %s", image, err, GaleraImageVar)
	}
	begin := time.Now()
	c := &GaleraCluster{pool: p}
	t.Cleanup(c.remove)
	prefix := fmt.Sprintf("atomdb-test-galera-%s-%d", runID, containerSeq.Add(1))
	subnet, err := c.createNetwork(prefix)
	if err != nil {
		t.Fatalf("galera: %v", err)
	}
	addrs := make([]string, n)
	for i := range n {
		addrs[i] = subnet + "." + strconv.Itoa(11+i)
	}
	for i := range n {
		c.Nodes = append(c.Nodes, &GaleraNode{Name: fmt.Sprintf("%s-node%d", prefix, i+1), Address: addrs[i]})
	}
	start := func(node *GaleraNode, extra ...string) error {
		if err := c.run(node, image, strings.Join(addrs, ","), extra); err != nil {
			return err
		}
		return c.waitSynced(node, n)
	}
	if err := start(c.Nodes[0], "--wsrep-new-cluster"); err != nil {
		t.Fatalf("galera: bootstrap: %v", err)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		wg.Go(func() { errs[i] = start(c.Nodes[i]) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("galera: join: %v", err)
	}
	if err := c.waitSize(c.Nodes[0], n); err != nil {
		t.Fatalf("galera: %v", err)
	}
	report("galera: %d nodes (image %s) synced in %s", n, image, time.Since(begin).Round(100*time.Millisecond))
	return c
}

// createNetwork makes the cluster's network on a free 172.x.y.0/24 subnet
// and returns its first three octets.
func (c *GaleraCluster) createNetwork(name string) (string, error) {
	var last error
	for range 20 {
		subnet := fmt.Sprintf("172.%d.%d", 28+rand.N(4), rand.N(256))
		nw, err := c.pool.CreateNetwork(name, func(o *docker.CreateNetworkOptions) {
			o.Driver = "bridge"
			o.Labels = expiryLabels("galera", engineRunID())
			o.IPAM = &docker.IPAMOptions{Config: []docker.IPAMConfig{{Subnet: subnet + ".0/24"}}}
		})
		if err == nil {
			c.net = nw
			trackNetwork(nw)
			return subnet, nil
		}
		last = err // most likely a subnet another network has
	}
	return "", fmt.Errorf("no network could be created: %v", last)
}

// run starts a node's container on the cluster network at its address.
func (c *GaleraCluster) run(node *GaleraNode, image, nodes string, extra []string) error {
	ttl := containerTTL()
	port := docker.Port("3306/tcp")
	cont, err := c.pool.Client.CreateContainer(docker.CreateContainerOptions{
		Name: node.Name,
		Config: &docker.Config{
			Image:        image,
			Cmd:          append([]string{"/entry.sh"}, extra...),
			Env:          []string{"GALERA_NODES=" + nodes, "GALERA_ADDRESS=" + node.Address},
			ExposedPorts: map[docker.Port]struct{}{port: {}},
			Labels:       expiryLabels("galera", engineRunID()),
		},
		HostConfig: &docker.HostConfig{
			PortBindings:  map[docker.Port][]docker.PortBinding{port: {{HostIP: "127.0.0.1"}}},
			RestartPolicy: docker.RestartPolicy{Name: "no"},
		},
		NetworkingConfig: &docker.NetworkingConfig{EndpointsConfig: map[string]*docker.EndpointConfig{
			c.net.Network.Name: {IPAMConfig: &docker.EndpointIPAMConfig{IPv4Address: node.Address}},
		}},
	})
	if err != nil {
		return fmt.Errorf("create %s (image %s): %v", node.Name, image, err)
	}
	node.res = &dockertest.Resource{Container: cont}
	engine.mu.Lock()
	engine.running = append(engine.running, started{"galera", image, node.res})
	engine.mu.Unlock()
	if err := c.pool.Client.StartContainer(cont.ID, nil); err != nil {
		return fmt.Errorf("start %s: %v", node.Name, err)
	}
	info, err := c.pool.Client.InspectContainer(cont.ID)
	if err != nil {
		return fmt.Errorf("inspect %s: %v", node.Name, err)
	}
	node.res.Container = info
	startExpiry(c.pool, node.res, ttl)
	b := info.NetworkSettings.Ports[port]
	if len(b) == 0 {
		return fmt.Errorf("%s: docker published no host port: %s", node.Name, containerLog(c.pool, cont.ID))
	}
	node.HostPort = "127.0.0.1:" + b[0].HostPort
	node.URL = "mysql://root@" + node.HostPort + "/test"
	return nil
}

// status reads one wsrep status variable of a node.
func status(ctx context.Context, db *core.Database, name string) (string, error) {
	v, err := db.FetchVal(ctx, core.Stmt{
		SQL:  "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = ?",
		Args: []any{strings.ToUpper(name)},
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprint(v), nil
}

// waitSynced waits until the node answers and reports itself Synced.
func (c *GaleraCluster) waitSynced(node *GaleraNode, n int) error {
	deadline := time.Now().Add(max(defaultWait, time.Duration(n)*time.Minute))
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		last = func() error {
			db, err := core.Open(ctx, node.URL, core.WithMaxConns(1))
			if err != nil {
				return err
			}
			defer db.Close()
			s, err := status(ctx, db, "wsrep_local_state_comment")
			if err == nil && s != "Synced" {
				err = fmt.Errorf("state %s", s)
			}
			return err
		}()
		cancel()
		if last == nil {
			return nil
		}
		if ci, err := c.pool.Client.InspectContainer(node.res.Container.ID); err == nil && !ci.State.Running {
			return fmt.Errorf("%s exited (code %d): %v; its last output:\n%s", node.Name, ci.State.ExitCode, last, containerLog(c.pool, ci.ID))
		}
		time.Sleep(300 * time.Millisecond)
	}
	return fmt.Errorf("%s not Synced in time: %v; its last output:\n%s", node.Name, last, containerLog(c.pool, node.res.Container.ID))
}

// waitSize waits until the node sees a cluster of n members.
func (c *GaleraCluster) waitSize(node *GaleraNode, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := core.Open(ctx, node.URL, core.WithMaxConns(1))
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		s, err := status(ctx, db, "wsrep_cluster_size")
		if err == nil && s == strconv.Itoa(n) {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("cluster size %s, not %d: %v", s, n, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Stop shuts node i down cleanly (SIGTERM to mariadbd, which leaves the
// cluster) and waits until its container has exited; the other nodes go on
// as a cluster of the rest.
func (c *GaleraCluster) Stop(i int) error {
	node := c.Nodes[i]
	err := c.pool.Client.KillContainer(docker.KillContainerOptions{ID: node.res.Container.ID, Signal: docker.SIGTERM})
	if err != nil {
		return fmt.Errorf("stop %s: %v", node.Name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.pool.Client.WaitContainerWithContext(node.res.Container.ID, ctx); err != nil {
		return fmt.Errorf("wait for %s to stop: %v", node.Name, err)
	}
	return nil
}

// remove removes the nodes and the network.
func (c *GaleraCluster) remove() {
	for _, node := range c.Nodes {
		if node.res != nil {
			removeNow(c.pool, node.res)
		}
	}
	if c.net != nil {
		removeNetwork(c.net)
	}
}

func engineRunID() string {
	_, id, _ := dockerPool()
	return id
}
