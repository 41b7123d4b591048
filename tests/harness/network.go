package harness

import (
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"
)

// The networks this process created for multi-node topologies, removed by
// Main after their containers (a network in use cannot be removed).
var networks struct {
	mu   sync.Mutex
	list []*dockertest.Network
}

func trackNetwork(nw *dockertest.Network) {
	networks.mu.Lock()
	networks.list = append(networks.list, nw)
	networks.mu.Unlock()
}

// removeNetwork removes a network this process created.
func removeNetwork(nw *dockertest.Network) {
	networks.mu.Lock()
	for i, n := range networks.list {
		if n == nw {
			networks.list = append(networks.list[:i], networks.list[i+1:]...)
			break
		}
	}
	networks.mu.Unlock()
	if err := nw.Close(); err != nil && !isNoSuchNetwork(err) {
		report("could not remove network %s: %v", nw.Network.Name, err)
		return
	}
	report("removed network %s", nw.Network.Name)
}

func isNoSuchNetwork(err error) bool {
	var nsn *docker.NoSuchNetwork
	return errors.As(err, &nsn)
}

// purgeNetworks removes every network this process created; purgeAll calls
// it once the containers are gone.
func purgeNetworks() {
	networks.mu.Lock()
	list := networks.list
	networks.list = nil
	networks.mu.Unlock()
	for _, nw := range list {
		if err := nw.Close(); err != nil && !isNoSuchNetwork(err) {
			report("could not remove network %s: %v", nw.Network.Name, err)
			continue
		}
		report("removed network %s", nw.Network.Name)
	}
}

// sweepExpiredNetworks removes the networks of earlier runs past their
// expiry (their containers, expired as well, are removed first by
// sweepExpired).
func sweepExpiredNetworks(p *dockertest.Pool) {
	list, err := p.Client.FilteredListNetworks(docker.NetworkFilterOpts{"label": {labelExpires: true}})
	if err != nil {
		return
	}
	now := time.Now().Unix()
	for _, n := range list {
		exp, err := strconv.ParseInt(n.Labels[labelExpires], 10, 64)
		if err != nil || exp > now {
			continue
		}
		if p.Client.RemoveNetwork(n.ID) == nil {
			report("removed expired network %s (run %s)", n.Name, n.Labels[labelRun])
		}
	}
}
